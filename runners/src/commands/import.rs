//! `gauntlet import`: an OpenSCENARIO file as an equivalent Gauntlet
//! scenario (RON) whose runs give the same trace hashes as the `.xosc`'s.

use std::path::{Path, PathBuf};

use gauntlet_scenarios::Scenario;

use crate::error::RunnerError;

/// What an import wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    /// The RON file written.
    pub out: PathBuf,
    /// The scenario's id.
    pub id: String,
    /// What the import ignored (visual elements), one line each.
    pub notes: Vec<String>,
}

/// Imports and validates `input` (an `.xosc`), then writes the translated
/// scenario to `out` (default: `input` with the extension `.ron`). `ego`
/// names the ego entity (default `Ego`, `ego`, `hero`, else the first car).
pub fn import(input: &Path, out: Option<&Path>, ego: Option<&str>) -> Result<ImportReport, RunnerError> {
    let scenario = Scenario::load_xosc(input, ego)?;
    let out = out.map_or_else(|| input.with_extension("ron"), Path::to_path_buf);
    std::fs::write(&out, &scenario.source().text)
        .map_err(|source| RunnerError::Io { path: out.clone(), source })?;
    Ok(ImportReport { out, id: scenario.id().to_owned(), notes: scenario.notes().to_vec() })
}
