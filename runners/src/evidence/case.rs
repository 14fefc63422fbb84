//! `gauntlet evidence case`: the assurance case of a records file, on its
//! own (the pack holds the same case next to the evidence it links to).

use std::path::PathBuf;

use gauntlet_reports::evidence::CaseSummary;
use gauntlet_ron_source::SourceFile;
use gauntlet_taxonomy::{CoverageOptions, Taxonomy};

use crate::error::RunnerError;

/// What to build the case from, and where to write it.
#[derive(Debug, Clone)]
pub struct CaseConfig {
    /// The records file.
    pub records: PathBuf,
    /// The taxonomy (default: `taxonomy/default.ron` when it exists here, else the built-in copy).
    pub taxonomy: Option<PathBuf>,
    /// The release's name.
    pub release: String,
    /// The folder to write `case.html`, `case.md` and `case.json` to.
    pub out: PathBuf,
    /// Parameters of the runtime-monitor figures the hazard goals get as context.
    pub monitors: gauntlet_reports::monitors::MonitorOptions,
}

/// The case written.
#[derive(Debug, Clone)]
pub struct CaseReport {
    /// Its figures.
    pub summary: CaseSummary,
    /// The files written.
    pub written: Vec<PathBuf>,
    /// Things the user should know.
    pub warnings: Vec<String>,
}

/// Builds the case of `config.records` and writes it.
pub fn case(config: &CaseConfig) -> Result<CaseReport, RunnerError> {
    let (text, label) = super::build::taxonomy_text(config.taxonomy.as_deref())?;
    let taxonomy = Taxonomy::from_source(&SourceFile::new(&label, text.clone()))
        .map_err(|d| RunnerError::Taxonomy(Box::new(d)))?;
    let (records, _, warnings) = super::build::read_unique(&config.records)?;
    let coverage =
        gauntlet_reports::coverage::record_coverage(&taxonomy, &records, &CoverageOptions::default());
    let label = format!("{label} (blake3 {})", &blake3::hash(text.as_bytes()).to_hex()[..16]);
    let monitors = gauntlet_reports::monitors::score_monitors(&records, config.monitors);
    let docs =
        super::build::documents(&config.release, &taxonomy, &label, &coverage, &monitors, &records, "")?;
    std::fs::create_dir_all(&config.out)
        .map_err(|source| RunnerError::Io { path: config.out.clone(), source })?;
    let mut written = Vec::new();
    for (name, text) in docs.files.iter().filter(|(n, _)| n.starts_with("case.")) {
        let path = config.out.join(name);
        std::fs::write(&path, text).map_err(|source| RunnerError::Io { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(CaseReport { summary: docs.case, written, warnings })
}
