//! `gauntlet report`: the CI artefacts of an existing records file (e.g.
//! the merge of a sharded sweep), with the same verdict as `gauntlet run`.
//!
//! Nothing is simulated, except that the dashboard's traces come from
//! re-running failing jobs, with the adapter named in their records; a job
//! whose scenario file is missing or changed gets no trace, and the page
//! says why.

use std::path::PathBuf;

use gauntlet_reports::Summary;

use crate::adapter::ExecOptions;
use crate::artefacts::{ArtefactOptions, Artefacts, TraceSource};
use crate::error::RunnerError;

/// What to report on.
#[derive(Clone, Debug)]
pub struct ReportConfig {
    /// The records file.
    pub records: PathBuf,
    /// The taxonomy file (default: `taxonomy/default.ron`, else the built-in copy).
    pub taxonomy: Option<PathBuf>,
    /// The artefacts to write and how to judge.
    pub artefacts: ArtefactOptions,
    /// Worker threads for re-running failing jobs.
    pub threads: usize,
    /// External adapter options for those re-runs.
    pub exec: ExecOptions,
}

/// The result of a report.
#[derive(Clone, Debug)]
pub struct ReportOutput {
    /// The summary of the records.
    pub summary: Summary,
    /// The artefacts and the verdict.
    pub artefacts: Artefacts,
    /// Things the user should know that did not stop the work.
    pub warnings: Vec<String>,
}

impl ReportOutput {
    /// 0 when the records pass the verdict, else 1 (see [`crate::artefacts`]).
    pub fn exit_code(&self) -> u8 {
        self.artefacts.exit_code()
    }

    /// [`exit_code`](Self::exit_code), but 2 when the file holds no record
    /// (nothing was judged) unless `allow_empty`.
    pub fn final_exit_code(&self, allow_empty: bool) -> u8 {
        if self.summary.totals.runs == 0 && !allow_empty {
            crate::error::EXIT_USAGE
        } else {
            self.exit_code()
        }
    }
}

/// Reads `config.records` once, as a stream, and writes the artefacts.
pub fn report(config: &ReportConfig) -> Result<ReportOutput, RunnerError> {
    let taxonomy = crate::taxonomy::load_taxonomy(config.taxonomy.as_deref())?;
    let prepared = config.artefacts.prepare(&taxonomy)?;
    let source = TraceSource { adapter: None, exec: config.exec.clone(), threads: config.threads };
    let mut artefacts = prepared.finish_file(&config.records, &source)?;
    let warnings = std::mem::take(&mut artefacts.warnings);
    Ok(ReportOutput { summary: artefacts.summary.clone(), artefacts, warnings })
}
