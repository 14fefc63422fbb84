//! Errors of the job machinery, and the exit codes they map to.

use std::path::PathBuf;

use gauntlet_reports::record::{ReadError, WriteError};

use crate::adapter::{AdapterSetupError, AdapterSpecError};
use crate::artefacts::ArtefactError;
use crate::commands::merge::MergeCommandError;
use crate::commands::replay::ReplayError;
use crate::evidence::EvidenceError;
use crate::execute::ExecuteError;
use crate::fuzz::FuzzError;
use crate::plan::LoadError;
use crate::resume::ResumeError;

/// Exit code: every job passed.
pub const EXIT_PASS: u8 = 0;
/// Exit code: a job failed or errored (or the gate failed).
pub const EXIT_FAIL: u8 = 1;
/// Exit code: bad input or usage; nothing could be judged.
pub const EXIT_USAGE: u8 = 2;

/// Why a command could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// Invalid scenario files.
    #[error(transparent)]
    Scenarios(#[from] LoadError),
    /// A scenario file given directly is invalid.
    #[error(transparent)]
    Scenario(#[from] gauntlet_scenarios::ScenarioError),
    /// The adapter could not be set up (unknown builtin, wrong protocol, …).
    #[error(transparent)]
    Adapter(#[from] AdapterSetupError),
    /// The adapter argument is malformed.
    #[error(transparent)]
    AdapterSpec(#[from] AdapterSpecError),
    /// A file could not be read or written.
    #[error("failed to access {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A sweep could not write its records.
    #[error("failed to write records to {}", path.display())]
    Execute {
        /// The records file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: ExecuteError<WriteError>,
    },
    /// A record could not be written (to a file or standard output).
    #[error(transparent)]
    WriteRecord(#[from] WriteError),
    /// A records file has a bad line.
    #[error(transparent)]
    ReadRecords(#[from] ReadError),
    /// The taxonomy file is invalid.
    #[error("{0}")]
    Taxonomy(Box<gauntlet_ron_source::Diagnostic>),
    /// A catalogue file is invalid, or no catalogue has the name given.
    #[error("{0}")]
    Catalogue(Box<gauntlet_ron_source::Diagnostic>),
    /// A replay names no job, or a job in two contradicting ways.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// An artefact, the baseline, the gate or the history failed.
    #[error(transparent)]
    Artefact(#[from] ArtefactError),
    /// An interrupted sweep cannot be resumed.
    #[error(transparent)]
    Resume(#[from] ResumeError),
    /// A fuzz campaign failed.
    #[error(transparent)]
    Fuzz(#[from] FuzzError),
    /// Record files cannot be merged.
    #[error(transparent)]
    Merge(#[from] MergeCommandError),
    /// An evidence pack cannot be built or read.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// A report could not be serialised as JSON.
    #[error("failed to write JSON")]
    Json(#[from] serde_json::Error),
    /// An MCAP trace could not be written.
    #[error(transparent)]
    Mcap(Box<crate::artefacts::McapError>),
}

impl RunnerError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        EXIT_USAGE
    }
}
