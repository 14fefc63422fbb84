//! `--history DIR`: earlier record files as points of the dashboard's trend
//! and as the nights of the leading indicators.
//!
//! Every `*.jsonl` file directly in the folder is one earlier sweep; the
//! points are ordered by file name (so name them by date, e.g.
//! `2025-06-01.jsonl`) and labelled with the name without its extension. A
//! torn last line (a sweep that was killed) is skipped with a warning; any
//! other bad line is an error.

use std::path::{Path, PathBuf};

use gauntlet_reports::HistoryPoint;
use gauntlet_reports::coverage::job_facts;
use gauntlet_reports::record::{ReadItem, read_records_tolerant};
use gauntlet_reports::summary::Totals;
use gauntlet_reports::trend::NightMargins;
use gauntlet_taxonomy::{CoverageBuilder, CoverageOptions, Taxonomy};

use super::ArtefactError;

/// The nights of a history folder: the dashboard's trend points and the
/// worst margins of the leading indicators, oldest first.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// One trend point per file.
    pub points: Vec<HistoryPoint>,
    /// One night of worst margins per file ([`gauntlet_reports::trend`]).
    pub margins: Vec<NightMargins>,
}

/// Reads the trend points of the record files in `dir`, oldest (first by
/// name) first, with a warning for each torn last line.
pub fn load_history(dir: &Path, taxonomy: &Taxonomy) -> Result<(History, Vec<String>), ArtefactError> {
    let list = |source| ArtefactError::History { path: dir.to_owned(), source };
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(list)? {
        let path = entry.map_err(list)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "jsonl") {
            files.push(path);
        }
    }
    files.sort();
    let mut points = Vec::with_capacity(files.len());
    let mut nights = Vec::with_capacity(files.len());
    let mut warnings = Vec::new();
    for file in files {
        let mut totals = Totals::default();
        let mut coverage = CoverageBuilder::new(taxonomy);
        let label = file.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let mut margins = NightMargins::new(label.clone());
        for item in read_records_tolerant(&file) {
            match item.map_err(|source| ArtefactError::Records { path: file.clone(), source })? {
                ReadItem::Record(record) => {
                    totals.add(record.outcome);
                    coverage.add(&job_facts(&record));
                    margins.add(&record);
                }
                ReadItem::Torn(torn) => warnings.push(format!("history: {torn}")),
            }
        }
        let report = coverage.finish(&CoverageOptions::default());
        points.push(HistoryPoint { label, totals, top_risk_coverage: report.top_risk.hazards.ratio });
        nights.push(margins);
    }
    Ok((History { points, margins: nights }, warnings))
}
