//! The `gauntlet` job machinery: planning, parallel execution with one
//! adapter per worker, external adapter processes, records and the commands
//! of the binary (which only parses arguments and calls into this crate).
#![warn(missing_docs)]

pub mod adapter;
pub mod annotations;
pub mod artefacts;
pub mod boundary;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod error;
pub mod evidence;
pub mod execute;
pub mod fuzz;
pub mod generate;
pub mod job;
pub mod json;
pub mod output;
pub mod plan;
mod progress;
pub mod resume;
pub mod shard;
pub mod taxonomy;
pub mod triage;

/// The adapter used when none is named.
pub const DEFAULT_ADAPTER: &str = "builtin:reference";
