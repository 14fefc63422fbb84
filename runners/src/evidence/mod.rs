//! `gauntlet evidence`: a release's evidence pack, its verification, and
//! the assurance case.
//!
//! - [`build`]: assembles a pack (a folder and a deterministic `.tar`) from a
//!   records file or from a sweep it runs: the inputs (scenario and
//!   regression files, taxonomy, gate file), the records, and the artefacts
//!   (coverage, traceability matrix, hazard log, assurance case, gate
//!   verdict, dashboard, JUnit, Markdown summary), all hashed in
//!   `manifest.json`;
//! - [`verify`]: checks every hash, that the manifest lists exactly the
//!   pack's files, the engine version, and re-runs a seeded sample of the
//!   jobs, asserting identical trace hashes;
//! - [`case`]: the assurance case of a records file on its own.
//!
//! The artefacts themselves are pure functions in
//! [`gauntlet_reports::evidence`].

mod archive;
pub mod build;
pub mod case;
mod error;
mod files;
pub mod verify;

pub use build::{BuildConfig, BuildReport, PackSource, build};
pub use case::{CaseConfig, CaseReport, case};
pub use error::EvidenceError;
pub use files::PackFiles;
pub use verify::{Problem, SampledJob, VerifyConfig, VerifyReport, verify};

/// The records file's name in a pack.
pub const RECORDS: &str = "records.jsonl";
/// The taxonomy's path in a pack.
pub const TAXONOMY: &str = "inputs/taxonomy.ron";
/// The gate file's path in a pack.
pub const GATE: &str = "inputs/gate.toml";
