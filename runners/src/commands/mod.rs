//! The commands of the `gauntlet` binary, as library functions.

pub mod catalogue;
pub mod check_adapter;
pub mod coverage;
pub mod fuzz;
pub mod generate;
pub mod import;
pub mod merge;
pub mod replay;
pub mod report;
pub mod run;
pub mod validate;
