//! Errors of the job machinery, and the exit codes they map to.

use std::path::PathBuf;

use crate::adapter::{AdapterSetupError, AdapterSpecError};
use crate::plan::LoadError;

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
    /// Writing records failed.
    #[error("failed to write records to {}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Cause.
        message: String,
    },
    /// The taxonomy file is invalid.
    #[error("{0}")]
    Taxonomy(Box<gauntlet_ron_source::Diagnostic>),
    /// Anything else the user asked for that cannot be done.
    #[error("{0}")]
    Usage(String),
}

impl RunnerError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> u8 {
        EXIT_USAGE
    }
}
