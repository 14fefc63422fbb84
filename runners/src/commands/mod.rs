//! The commands of the `gauntlet` binary, as library functions.

pub mod replay;
pub mod run;
pub mod validate;
