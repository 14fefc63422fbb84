//! `--adapter-log`: every line exchanged with external adapters, as JSON lines.
//!
//! One entry per line sent or received:
//! `{"pid":4242,"job":{"scenario":"cut_in.highway","seed":17},"dir":"to_adapter","line":"{\"type\":…}"}`.
//! `job` is `null` during the `hello` handshake. `line` is the raw text (lossy
//! UTF-8, without its newline), so that lines that are not JSON are logged too.
//! All workers share one file; each entry is written and flushed whole, so a
//! killed sweep leaves a readable log.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

/// The job an exchange belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct JobLabel {
    pub(crate) scenario: String,
    pub(crate) seed: u64,
}

/// Direction of a logged line.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Direction {
    ToAdapter,
    FromAdapter,
}

#[derive(Serialize)]
struct Entry<'a> {
    pid: u32,
    job: Option<&'a JobLabel>,
    dir: Direction,
    line: &'a str,
}

struct Inner {
    file: File,
    entry: Vec<u8>,
    first_error: Option<io::Error>,
}

/// A shared adapter log file.
pub(crate) struct AdapterLog {
    path: PathBuf,
    inner: Mutex<Inner>,
}

impl AdapterLog {
    /// Creates (truncates) the log file.
    pub(crate) fn create(path: &Path) -> io::Result<Self> {
        let file = File::create(path)?;
        Ok(Self {
            path: path.to_owned(),
            inner: Mutex::new(Inner { file, entry: Vec::new(), first_error: None }),
        })
    }

    /// Appends one entry. A failed write does not fault the job; the first
    /// failure is kept for [`AdapterLog::finish`].
    pub(crate) fn record(&self, pid: u32, job: Option<&JobLabel>, dir: Direction, line: &[u8]) {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = String::from_utf8_lossy(line);
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let Inner { file, entry, first_error } = &mut *inner;
        if first_error.is_some() {
            return;
        }
        entry.clear();
        let written = serde_json::to_writer(&mut *entry, &Entry { pid, job, dir, line: &line })
            .map_err(io::Error::from)
            .and_then(|()| {
                entry.push(b'\n');
                file.write_all(entry)
            });
        if let Err(e) = written {
            *first_error = Some(e);
        }
    }

    /// Flushes the file and reports the first write failure, if any.
    pub(crate) fn finish(&self) -> Result<(), (PathBuf, io::Error)> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = inner.first_error.take() {
            return Err((self.path.clone(), e));
        }
        inner.file.flush().and_then(|()| inner.file.sync_data()).map_err(|e| (self.path.clone(), e))
    }
}
