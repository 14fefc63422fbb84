//! `gauntlet validate` and `gauntlet list`.

use std::fmt::Write as _;
use std::path::PathBuf;

use gauntlet_scenarios::{Scenario, discover};

use crate::error::RunnerError;

/// The result of validating files.
#[derive(Debug, Clone, Default)]
pub struct ValidateReport {
    /// Files that are valid.
    pub valid: Vec<PathBuf>,
    /// Every problem, one line each (`file:line:column: at `path`: message`).
    pub problems: Vec<String>,
}

/// Validates every scenario file under `paths`.
pub fn validate(paths: &[PathBuf]) -> Result<ValidateReport, RunnerError> {
    let mut report = ValidateReport::default();
    for file in discover(paths)? {
        match Scenario::load(&file) {
            Ok(_) => report.valid.push(file),
            Err(e) => report.problems.extend(e.diagnostics.iter().map(|d| d.to_string())),
        }
    }
    Ok(report)
}

/// One line per scenario: id, parameters, tags, title, file.
pub fn list(paths: &[PathBuf]) -> Result<String, RunnerError> {
    let library = crate::plan::Library::load(paths)?;
    let mut out = String::new();
    for s in &library.scenarios {
        let tags: Vec<String> = s.tags().iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(
            out,
            "{:<32} {:>2} params  {:<60}  {}  [{}]",
            s.id(),
            s.parameters().len(),
            s.title(),
            s.path().display(),
            tags.join(" ")
        );
    }
    Ok(out)
}
