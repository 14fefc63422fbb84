//! The trace of a replay: every step streamed to the CSV file (when asked
//! for) as the engine makes it, and a bounded set of frames kept for the
//! replay viewer, so that memory does not grow with the scenario's length.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use gauntlet_engine::{BoundedTrace, TraceFrame};

use crate::error::RunnerError;

/// Most frames the replay viewer embeds; longer traces are downsampled
/// (see [`BoundedTrace`]).
pub const MAX_REPLAY_FRAMES: usize = 10_000;

/// Where a replay's frames go (see the module docs).
pub struct ReplayTrace {
    csv: Option<(PathBuf, BufWriter<File>)>,
    error: Option<std::io::Error>,
    kept: BoundedTrace,
}

impl ReplayTrace {
    /// Creates the CSV file, when given, and writes its header.
    pub fn new(csv: Option<&Path>) -> Result<Self, RunnerError> {
        let csv = match csv {
            Some(path) => {
                let io = |source| RunnerError::Io { path: path.to_path_buf(), source };
                let mut w = BufWriter::new(File::create(path).map_err(io)?);
                writeln!(w, "step,t,id,x,y,yaw,vx,vy,s,d").map_err(io)?;
                Some((path.to_path_buf(), w))
            }
            None => None,
        };
        Ok(Self { csv, error: None, kept: BoundedTrace::new(MAX_REPLAY_FRAMES) })
    }

    /// Takes in one step: one CSV row per body, and maybe a kept frame.
    pub fn push(&mut self, f: TraceFrame) {
        if let (Some((_, w)), None) = (&mut self.csv, &self.error) {
            for b in &f.bodies {
                if let Err(e) = writeln!(
                    w,
                    "{},{},{},{},{},{},{},{},{},{}",
                    f.step, f.t, b.id, b.x, b.y, b.yaw, b.vx, b.vy, b.s, b.d
                ) {
                    self.error = Some(e);
                    break;
                }
            }
        }
        self.kept.push(f);
    }

    /// Flushes the CSV file and returns the kept frames, in step order.
    pub fn finish(self) -> Result<Vec<TraceFrame>, RunnerError> {
        if let Some((path, mut w)) = self.csv {
            let io = |source| RunnerError::Io { path: path.clone(), source };
            if let Some(e) = self.error {
                return Err(io(e));
            }
            w.flush().map_err(io)?;
        }
        Ok(self.kept.finish())
    }
}
