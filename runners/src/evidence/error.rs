//! Why an evidence pack cannot be built or read.

use std::path::PathBuf;

/// Why an evidence pack cannot be built or read (a pack that reads but
/// does not verify is a [`super::VerifyReport`] with problems, not an error).
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The output folder holds other things than a pack.
    #[error("{}: exists and is not an evidence pack (no manifest.json); choose an empty or new folder", path.display())]
    NotAPack {
        /// The folder.
        path: PathBuf,
    },
    /// The records file holds no record.
    #[error("{}: no record: nothing to pack", path.display())]
    NoRecords {
        /// The records file.
        path: PathBuf,
    },
    /// An input a record names cannot be read.
    #[error("job {job}: cannot read its {what} {origin}: {source}")]
    InputMissing {
        /// The job.
        job: String,
        /// `scenario file` or `regression file`.
        what: &'static str,
        /// The path the record names.
        origin: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// A scenario file changed since the records were made.
    #[error(
        "job {job}: scenario file {origin} changed since the record was made (file hash {then} then, {now} now): the pack would not match its records"
    )]
    InputChanged {
        /// The job.
        job: String,
        /// The path.
        origin: String,
        /// The record's file hash.
        then: String,
        /// The file's now.
        now: String,
    },
    /// The pack has no readable manifest.
    #[error("{}: {what}", path.display())]
    Unreadable {
        /// The pack.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// A file of the pack could not be read or written.
    #[error("failed to access {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}
