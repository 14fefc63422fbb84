//! The hazard log: every hazard of the taxonomy with its classification
//! (S, E, C, ASIL, rationale), the requirements that mitigate it, its
//! verification status and the evidence, riskiest first.

use gauntlet_taxonomy::{
    AsilClass, CoverageReport, HazardStatus, Interval, Taxonomy, TraceStatus, hazard_status,
};

use super::csv;
use super::index::{EvidenceIndex, MarginEvidence};
use super::matrix::md;
use crate::monitors::{MonitorReport, hazard_lines};
use crate::summary::{TriageCounts, fmt_margin_unit};

/// One hazard of the log.
#[derive(Clone, Debug, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct HazardLogEntry {
    /// Hazard id.
    pub id: String,
    /// Hazard title.
    pub title: String,
    /// Severity (`S0`–`S3`).
    pub severity: String,
    /// Exposure (`E0`–`E4`).
    pub exposure: String,
    /// Controllability (`C0`–`C3`).
    pub controllability: String,
    /// ASIL.
    pub asil: AsilClass,
    /// Why S, E and C were chosen.
    pub rationale: String,
    /// The requirements mitigating it, each with its verification status for this hazard.
    pub requirements: Vec<(String, TraceStatus)>,
    /// Verification status (coverage's hazard status).
    pub status: HazardStatus,
    /// Runs judged against its requirements' checks.
    pub checked: u32,
    /// Of those, runs in which a check failed.
    pub violated: u32,
    /// 95 % Wilson interval of the violation rate.
    pub violation_interval: Option<Interval>,
    /// The worst margin of its requirements' checks.
    pub worst: Option<MarginEvidence>,
    /// The jobs that violated a check of one of its requirements.
    pub failing_jobs: Vec<String>,
    /// Their triage.
    pub triage: TriageCounts,
    /// The runtime monitors declared in its jobs, one line each (recall,
    /// false alarms, median lead over the hazard's jobs; see
    /// [`crate::monitors::hazard_lines`]): context about the monitors, not
    /// evidence of the hazard's mitigation. Empty without monitors.
    pub monitors: Vec<String>,
}

/// The log, riskiest first (ASIL, then taxonomy order); `monitors`, the
/// runtime-monitor figures of the same records, when there are any.
pub fn hazard_log(
    taxonomy: &Taxonomy,
    coverage: &CoverageReport,
    index: &EvidenceIndex,
    monitors: Option<&MonitorReport>,
) -> Vec<HazardLogEntry> {
    let mut entries: Vec<HazardLogEntry> = coverage
        .hazards
        .iter()
        .map(|h| {
            let rationale = taxonomy.hazard(&h.id).map(|x| x.rationale.clone()).unwrap_or_default();
            let mut worst: Option<MarginEvidence> = None;
            let mut failing_jobs: Vec<String> = Vec::new();
            let requirements = h
                .requirements
                .iter()
                .map(|req| {
                    let merged = index.merged(req, &h.id);
                    if let Some(w) = merged.worst
                        && worst.as_ref().is_none_or(|o| w.normalized < o.normalized)
                    {
                        worst = Some(w);
                    }
                    for job in merged.failing_jobs {
                        if !failing_jobs.contains(&job) {
                            failing_jobs.push(job);
                        }
                    }
                    (req.clone(), trace_status(coverage, req, &h.id))
                })
                .collect();
            HazardLogEntry {
                id: h.id.clone(),
                title: h.title.clone(),
                severity: format!("{:?}", h.severity),
                exposure: format!("{:?}", h.exposure),
                controllability: format!("{:?}", h.controllability),
                asil: h.asil,
                rationale,
                requirements,
                status: h.status,
                checked: h.checks.checked,
                violated: h.checks.violated,
                violation_interval: h.violation_interval,
                worst,
                failing_jobs,
                triage: index.triage(&h.id),
                monitors: monitors.map(|m| hazard_lines(m, &h.id)).unwrap_or_default(),
            }
        })
        .collect();
    // Stable: ties keep taxonomy order.
    entries.sort_by_key(|e| std::cmp::Reverse(e.asil));
    entries
}

/// The trace status of `requirement` for `hazard` in `coverage` (missing when absent).
pub(crate) fn trace_status(coverage: &CoverageReport, requirement: &str, hazard: &str) -> TraceStatus {
    coverage
        .traceability
        .iter()
        .find(|r| r.id == requirement)
        .and_then(|r| r.hazards.iter().find(|h| h.id == hazard))
        .map_or(TraceStatus::Missing, |h| h.status)
}

fn requirements_cell(e: &HazardLogEntry) -> String {
    e.requirements.iter().map(|(id, s)| format!("{id} ({})", s.as_str())).collect::<Vec<_>>().join("; ")
}

fn interval_cell(i: Option<&Interval>) -> String {
    i.map_or(String::new(), |i| format!("{:.3}–{:.3}", i.low, i.high))
}

fn triage_cell(t: &TriageCounts) -> String {
    format!(
        "{} avoidable, {} unavoidable, {} unknown, {} untriaged",
        t.avoidable, t.unavoidable, t.unknown, t.untriaged
    )
}

/// The log as Markdown, with links to the pack's other files.
pub fn render_hazard_log_markdown(entries: &[HazardLogEntry]) -> String {
    let mut out = String::from("# Hazard log\n\n");
    out.push_str(
        "Riskiest first. *Status* is coverage's hazard status: violated (a check of one of its \
         requirements failed), held (checked and always held), not checked, unexercised. Evidence: \
         the job ids below are records of [`records.jsonl`](records.jsonl); per requirement and \
         scenario in [`traceability.csv`](traceability.csv).\n\n",
    );
    out.push_str("| hazard | title | S | E | C | ASIL | status | checked | violated | 95 % interval | requirements |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for e in entries {
        out.push_str(&format!(
            "| [{id}](#{anchor}) | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            md(&e.title),
            e.severity,
            e.exposure,
            e.controllability,
            e.asil.as_str(),
            hazard_status(e.status),
            e.checked,
            e.violated,
            interval_cell(e.violation_interval.as_ref()),
            md(&requirements_cell(e)),
            id = md(&e.id),
            anchor = e.id.to_lowercase(),
        ));
    }
    for e in entries {
        out.push_str(&format!("\n## {}\n\n{}\n\n", md(&e.id), md(&e.title)));
        out.push_str(&format!(
            "- classification: {} {} {} → ASIL {}\n",
            e.severity,
            e.exposure,
            e.controllability,
            e.asil.as_str()
        ));
        if !e.rationale.is_empty() {
            out.push_str(&format!("- rationale: {}\n", md(&e.rationale)));
        }
        out.push_str(&format!("- status: {}\n", hazard_status(e.status)));
        out.push_str(&format!("- requirements: {}\n", md(&requirements_cell(e))));
        if let Some(w) = &e.worst {
            out.push_str(&format!(
                "- worst margin: {} {} (job `{}`)\n",
                md(&w.criterion),
                fmt_margin_unit(w.margin, &w.unit),
                md(&w.job)
            ));
        }
        if !e.failing_jobs.is_empty() {
            out.push_str(&format!(
                "- failing jobs ({}): triage {}\n",
                e.failing_jobs.len(),
                triage_cell(&e.triage)
            ));
            for job in &e.failing_jobs {
                out.push_str(&format!("  - `{}`\n", md(job)));
            }
        }
        if !e.monitors.is_empty() {
            out.push_str(&format!(
                "- runtime monitors in its jobs ([figures](monitors.md#monitors-{}); about the monitors, not \
                 evidence of mitigation):\n",
                e.id.to_lowercase()
            ));
            for line in &e.monitors {
                out.push_str(&format!("  - {}\n", md(line)));
            }
        }
    }
    out
}

/// The log as CSV (RFC 4180; lists joined by `;`).
pub fn render_hazard_log_csv(entries: &[HazardLogEntry]) -> String {
    let mut out = csv::line(&[
        "hazard_id",
        "title",
        "severity",
        "exposure",
        "controllability",
        "asil",
        "rationale",
        "requirements",
        "verification_status",
        "checked_runs",
        "violated_runs",
        "violation_rate_95_lower",
        "violation_rate_95_upper",
        "worst_criterion",
        "worst_margin",
        "worst_margin_unit",
        "failing_jobs",
        "triage_avoidable",
        "triage_unavoidable",
        "triage_unknown",
        "triage_untriaged",
        "runtime_monitors",
    ]);
    for e in entries {
        let (lower, upper) = e
            .violation_interval
            .map_or((String::new(), String::new()), |i| (format!("{:.4}", i.low), format!("{:.4}", i.high)));
        let (criterion, margin, unit) = match &e.worst {
            Some(w) => (w.criterion.clone(), format!("{:.3}", w.margin), w.unit.clone()),
            None => Default::default(),
        };
        out.push_str(&csv::line(&[
            e.id.clone(),
            e.title.clone(),
            e.severity.clone(),
            e.exposure.clone(),
            e.controllability.clone(),
            e.asil.as_str().to_owned(),
            e.rationale.clone(),
            requirements_cell(e),
            hazard_status(e.status).to_owned(),
            e.checked.to_string(),
            e.violated.to_string(),
            lower,
            upper,
            criterion,
            margin,
            unit,
            e.failing_jobs.join(";"),
            e.triage.avoidable.to_string(),
            e.triage.unavoidable.to_string(),
            e.triage.unknown.to_string(),
            e.triage.untriaged.to_string(),
            e.monitors.join(";"),
        ]));
    }
    out
}
