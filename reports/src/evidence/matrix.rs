//! The traceability matrix: one row per requirement × hazard × scenario
//! (the unit of evidence), with the requirement's verification status for
//! that hazard as coverage computes it.
//!
//! The CSV has one header line and plain columns, so requirement tools
//! (Jama, Polarion, IBM DOORS) import it as is: map `requirement_id` to the
//! item id and the rest to attributes. A requirement × hazard without any
//! scenario gets one row with an empty `scenario`: missing evidence is a row
//! too.

use gauntlet_taxonomy::{AsilClass, CoverageReport, Taxonomy, TraceStatus};

use super::csv;
use super::index::{EvidenceIndex, MarginEvidence};
use crate::summary::fmt_margin_unit;

/// One row of the matrix.
#[derive(Clone, Debug, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct MatrixRow {
    /// Requirement id (`SR-001`).
    pub requirement: String,
    /// Requirement text.
    pub text: String,
    /// Hazard id (`H-001`).
    pub hazard: String,
    /// Hazard title.
    pub hazard_title: String,
    /// The hazard's ASIL.
    pub asil: AsilClass,
    /// Verification status of the requirement for this hazard
    /// (coverage's trace status: complete, insufficient, missing, failing).
    pub status: TraceStatus,
    /// Passing runs the hazard's class needs.
    pub needed: u32,
    /// Runs of all its scenarios in which every check of the requirement held.
    pub passing: u32,
    /// The scenario (empty: no scenario names the hazard).
    pub scenario: String,
    /// Runs of this scenario naming the hazard (every outcome).
    pub runs: u32,
    /// Ids of this scenario's jobs with a verdict of one of the requirement's checks.
    pub jobs: Vec<String>,
    /// Those of them in which a check failed.
    pub failing_jobs: Vec<String>,
    /// The worst margin of those verdicts.
    pub worst: Option<MarginEvidence>,
}

/// The matrix, in taxonomy order (requirement, then its hazards, then scenario id).
pub fn traceability_matrix(
    taxonomy: &Taxonomy,
    coverage: &CoverageReport,
    index: &EvidenceIndex,
) -> Vec<MatrixRow> {
    let mut rows = Vec::new();
    for req in &coverage.traceability {
        for h in &req.hazards {
            let hazard_title = taxonomy.hazard(&h.id).map(|x| x.title.clone()).unwrap_or_default();
            let row = |scenario: &str, runs: u32| {
                let cell = index.cell(&req.id, &h.id, scenario).cloned().unwrap_or_default();
                MatrixRow {
                    requirement: req.id.clone(),
                    text: req.text.clone(),
                    hazard: h.id.clone(),
                    hazard_title: hazard_title.clone(),
                    asil: h.asil,
                    status: h.status,
                    needed: h.needed,
                    passing: h.passing,
                    scenario: scenario.to_owned(),
                    runs,
                    jobs: cell.jobs,
                    failing_jobs: cell.failing_jobs,
                    worst: cell.worst,
                }
            };
            if h.scenarios.is_empty() {
                rows.push(row("", 0));
            }
            for s in &h.scenarios {
                rows.push(row(&s.scenario, s.counts.runs));
            }
        }
    }
    rows
}

/// The CSV header.
const HEADER: [&str; 16] = [
    "requirement_id",
    "requirement_text",
    "hazard_id",
    "hazard_title",
    "asil",
    "verification_status",
    "passing_runs",
    "needed_runs",
    "scenario",
    "scenario_runs",
    "evidence_jobs",
    "failing_jobs",
    "worst_criterion",
    "worst_margin",
    "worst_margin_unit",
    "worst_job",
];

/// The matrix as CSV (RFC 4180, CRLF line ends); job ids joined by `;`.
pub fn render_matrix_csv(rows: &[MatrixRow]) -> String {
    let mut out = csv::line(&HEADER);
    for r in rows {
        let (criterion, margin, unit, job) = match &r.worst {
            Some(w) => (w.criterion.clone(), format!("{:.3}", w.margin), w.unit.clone(), w.job.clone()),
            None => Default::default(),
        };
        out.push_str(&csv::line(&[
            r.requirement.clone(),
            r.text.clone(),
            r.hazard.clone(),
            r.hazard_title.clone(),
            r.asil.as_str().to_owned(),
            r.status.as_str().to_owned(),
            r.passing.to_string(),
            r.needed.to_string(),
            r.scenario.clone(),
            r.runs.to_string(),
            r.jobs.join(";"),
            r.failing_jobs.join(";"),
            criterion,
            margin,
            unit,
            job,
        ]));
    }
    out
}

/// Markdown cell text: pipes and line breaks escaped.
pub(crate) fn md(s: &str) -> String {
    gauntlet_taxonomy::markdown_cell(s)
}

/// The matrix as Markdown: a table per requirement, with job counts (the
/// CSV lists the ids).
pub fn render_matrix_markdown(rows: &[MatrixRow]) -> String {
    let mut out = String::from("# Traceability matrix\n\n");
    out.push_str(
        "One row per requirement × hazard × scenario. *Status* is the requirement's verification \
         status for the hazard (coverage's trace status); *jobs* count the jobs with a verdict of \
         one of its checks (ids in `traceability.csv`).\n",
    );
    let mut current = "";
    for r in rows {
        if r.requirement != current {
            current = &r.requirement;
            out.push_str(&format!("\n## {}\n\n{}\n\n", md(&r.requirement), md(&r.text)));
            out.push_str("| hazard | ASIL | status | passing / needed | scenario | runs | jobs | failing | worst margin |\n");
            out.push_str("|---|---|---|---|---|---|---|---|---|\n");
        }
        let worst = r.worst.as_ref().map_or("-".to_owned(), |w| {
            format!("{} {}", md(&w.criterion), md(&fmt_margin_unit(w.margin, &w.unit)))
        });
        let scenario = if r.scenario.is_empty() { "*(none)*".to_owned() } else { md(&r.scenario) };
        out.push_str(&format!(
            "| {} | {} | {} | {} / {} | {} | {} | {} | {} | {} |\n",
            md(&r.hazard),
            r.asil.as_str(),
            r.status.as_str(),
            r.passing,
            r.needed,
            scenario,
            r.runs,
            r.jobs.len(),
            r.failing_jobs.len(),
            worst
        ));
    }
    out
}
