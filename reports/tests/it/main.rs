//! Integration tests of `gauntlet-reports`: golden files for every artefact,
//! JUnit schema validation, and record files on disk.

mod case;
mod gate;
mod golden;
mod html;
mod junit;
mod margins;
mod monitors;
mod records;
mod support;
