//! `gauntlet coverage`: the taxonomy's coverage by a records file.

use std::path::Path;

use gauntlet_reports::coverage::{CoverageDocument, record_coverage};
use gauntlet_reports::monitors::{MonitorOptions, render_monitors, render_monitors_markdown};
use gauntlet_reports::provenance::{EvidenceSource, coverage_by_source, render_by_source};
use gauntlet_reports::record::{RunRecord, read_records};
use gauntlet_taxonomy::{
    CoverageOptions, CoverageReport, Realisations, Taxonomy, render_markdown, render_text,
};

use crate::error::RunnerError;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CoverageFormat {
    /// Aligned plain text.
    Text,
    /// JSON (the full report).
    Json,
    /// Markdown tables.
    Markdown,
}

/// Computes coverage from a records file.
pub fn coverage(
    records: &Path,
    taxonomy: &Taxonomy,
    options: &CoverageOptions,
) -> Result<CoverageReport, RunnerError> {
    coverage_with_warnings(records, taxonomy, options).map(|(report, _)| report)
}

/// [`coverage`], and a warning when the file holds duplicate records (same
/// job identity and result: counted once) or conflicting ones (all counted).
pub fn coverage_with_warnings(
    records: &Path,
    taxonomy: &Taxonomy,
    options: &CoverageOptions,
) -> Result<(CoverageReport, Vec<String>), RunnerError> {
    let (all, warnings) = unique_records(records)?;
    Ok((record_coverage(taxonomy, &all, options), warnings))
}

/// The coverage document of a records file (coverage and the runtime-monitor
/// figures with `monitors`), and the duplicate-record warnings.
pub fn coverage_document(
    records: &Path,
    taxonomy: &Taxonomy,
    options: &CoverageOptions,
    monitors: MonitorOptions,
) -> Result<(CoverageDocument, Vec<String>), RunnerError> {
    let (all, mut warnings) = unique_records(records)?;
    let report = record_coverage(taxonomy, &all, options);
    let mut doc = CoverageDocument::new(report, &all, monitors);
    if all.iter().any(|r| EvidenceSource::of(r) != EvidenceSource::Library) {
        doc.by_source = coverage_by_source(taxonomy, &all, options);
    }
    match crate::generate::load_realisations(None, taxonomy) {
        Ok(realisations) => doc.hand_written = hand_written(&doc.coverage, &realisations),
        Err(e) => warnings
            .push(format!("no realisations, so no list of pairs needing a hand-written scenario: {e}")),
    }
    Ok((doc, warnings))
}

/// The uncovered pairs of `report` neither of whose values is realisable.
pub fn hand_written(report: &CoverageReport, realisations: &Realisations) -> Vec<String> {
    let realisable = |v: &gauntlet_taxonomy::ValueRef| {
        realisations.get(&v.dimension, &v.value).is_some_and(gauntlet_taxonomy::Realisation::is_realisable)
    };
    report
        .gaps
        .pairs
        .iter()
        .filter(|p| !realisable(&p.a) && !realisable(&p.b))
        .map(|p| format!("{}: {} × {}: {}", p.a.dimension, p.a.value, p.b.dimension, p.b.value))
        .collect()
}

pub(crate) fn unique_records(records: &Path) -> Result<(Vec<RunRecord>, Vec<String>), RunnerError> {
    let mut all: Vec<RunRecord> = Vec::new();
    let mut identities = gauntlet_reports::JobIdentities::default();
    for r in read_records(records) {
        let r = r?;
        if identities.see(&r) != gauntlet_reports::Seen::Duplicate {
            all.push(r);
        }
    }
    let warnings = identities.warning(&records.display().to_string()).into_iter().collect();
    Ok((all, warnings))
}

/// Renders a document in a format: the monitor figures follow the coverage
/// in text and Markdown when there are any.
pub fn render_document(doc: &CoverageDocument, format: CoverageFormat) -> Result<String, RunnerError> {
    let mut out = render(&doc.coverage, format)?;
    let markdown = format == CoverageFormat::Markdown;
    if format != CoverageFormat::Json {
        if !doc.by_source.is_empty() {
            out.push('\n');
            out.push_str(&render_by_source(&doc.by_source, markdown));
        }
        if !doc.hand_written.is_empty() {
            out.push('\n');
            out.push_str(&format!(
                "{}uncovered pairs no transform reaches (neither value realisable, taxonomy/realisations.ron): {}; they need a hand-written scenario:\n",
                if markdown { "## Needing a hand-written scenario\n\n" } else { "" },
                doc.hand_written.len()
            ));
            for p in &doc.hand_written {
                out.push_str(&format!("{}{p}\n", if markdown { "- " } else { "  " }));
            }
        }
    }
    match (&doc.monitors, format) {
        (Some(m), CoverageFormat::Text) => {
            out.push('\n');
            out.push_str(&render_monitors(m));
        }
        (Some(m), CoverageFormat::Markdown) => {
            out.push('\n');
            out.push_str(&render_monitors_markdown(m).replacen(
                "# Runtime monitors",
                "## Runtime monitors",
                1,
            ));
        }
        (_, CoverageFormat::Json) => {
            let mut s = serde_json::to_string_pretty(doc)?;
            s.push('\n');
            out = s;
        }
        (None, _) => {}
    }
    Ok(out)
}

/// Renders a report in a format.
pub fn render(report: &CoverageReport, format: CoverageFormat) -> Result<String, RunnerError> {
    Ok(match format {
        CoverageFormat::Text => render_text(report),
        CoverageFormat::Markdown => render_markdown(report),
        CoverageFormat::Json => {
            let mut s = serde_json::to_string_pretty(report)?;
            s.push('\n');
            s
        }
    })
}
