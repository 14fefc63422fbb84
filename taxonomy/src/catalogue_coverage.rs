//! Coverage of a [`Catalogue`] by finished jobs, weighted by the catalogue's frequencies where it
//! has them, and its text and Markdown renderings.
//!
//! A mapped scenario *passes* when it has at least one checked run (a run that reached a
//! verdict with at least one criterion judged) and no failing one; it *fails* when any of its
//! checked runs failed. An entry is then
//! - `covered` when its mapping is `covered_by` and every mapped scenario passes;
//! - `partial` when its mapping is `covered_by` with a `partial` note and a mapped scenario
//!   passes, or when only some of its mapped scenarios pass;
//! - `failing` when a mapped scenario fails;
//! - `no_runs` when mapped but no mapped scenario has a checked run;
//! - `not_covered` / `out_of_scope` as mapped.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::catalogue::{Catalogue, Mapping};
use crate::{JobFacts, JobOutcome};

/// Where an entry stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Fully covered by passing, checked runs.
    Covered,
    /// Partly covered by passing, checked runs.
    Partial,
    /// A mapped scenario has a failing run.
    Failing,
    /// Mapped, but no mapped scenario has a checked run in these records.
    NoRuns,
    /// Expressible, but no library scenario yet.
    NotCovered,
    /// Outside what the engine can express or the system's domain.
    OutOfScope,
}

impl EntryStatus {
    /// All statuses, in report order.
    pub const ALL: [EntryStatus; 6] = [
        EntryStatus::Covered,
        EntryStatus::Partial,
        EntryStatus::Failing,
        EntryStatus::NoRuns,
        EntryStatus::NotCovered,
        EntryStatus::OutOfScope,
    ];

    /// The status as written in reports (`no_runs`).
    pub fn label(self) -> &'static str {
        match self {
            EntryStatus::Covered => "covered",
            EntryStatus::Partial => "partial",
            EntryStatus::Failing => "failing",
            EntryStatus::NoRuns => "no_runs",
            EntryStatus::NotCovered => "not_covered",
            EntryStatus::OutOfScope => "out_of_scope",
        }
    }
}

/// The checked runs of one mapped scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ScenarioRuns {
    /// Scenario id.
    pub scenario: String,
    /// Checked runs that passed.
    pub passed: u32,
    /// Checked runs that failed.
    pub failed: u32,
}

/// One entry's coverage.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EntryCoverage {
    /// Entry id.
    pub id: String,
    /// Entry title.
    pub title: String,
    /// The entry's frequency, in the catalogue's unit.
    pub frequency: Option<f64>,
    /// Where it stands.
    pub status: EntryStatus,
    /// The runs of each mapped scenario, in mapping order.
    pub scenarios: Vec<ScenarioRuns>,
    /// The partial-coverage note, or the reason it is not covered or out of scope.
    pub reason: String,
}

/// Entries and frequency by status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StatusTotals {
    /// Entries with the status.
    pub entries: u32,
    /// Their summed frequency (0 when the catalogue has none).
    pub frequency: f64,
}

/// Coverage of a catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CatalogueCoverage {
    /// Catalogue id.
    pub catalogue: String,
    /// Catalogue title.
    pub title: String,
    /// Its source document(s).
    pub source: String,
    /// Unit of the frequencies, when the catalogue has them.
    pub frequency_unit: Option<String>,
    /// Per entry, in catalogue order.
    pub entries: Vec<EntryCoverage>,
    /// Per status (label → totals), every status present.
    pub by_status: BTreeMap<String, StatusTotals>,
    /// Σ frequency over all entries (0 without frequencies).
    pub total_frequency: f64,
    /// Share of the total frequency fully covered, 0–1 (`None` without frequencies).
    pub covered_share: Option<f64>,
    /// Share of the total frequency covered fully or partly, 0–1 (`None` without frequencies).
    pub covered_or_partial_share: Option<f64>,
}

/// Coverage of `catalogue` by `facts` (runs of any scenario; those not mapped are ignored).
pub fn catalogue_coverage(catalogue: &Catalogue, facts: &[JobFacts]) -> CatalogueCoverage {
    let mut runs: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for f in facts {
        if f.verdicts.is_empty() {
            continue;
        }
        let slot = runs.entry(f.scenario.as_str()).or_default();
        match f.outcome {
            JobOutcome::Pass => slot.0 += 1,
            JobOutcome::Fail => slot.1 += 1,
            JobOutcome::Error => {}
        }
    }
    let mut by_status: BTreeMap<String, StatusTotals> =
        EntryStatus::ALL.iter().map(|s| (s.label().to_owned(), StatusTotals::default())).collect();
    let mut entries = Vec::with_capacity(catalogue.entries.len());
    for e in &catalogue.entries {
        let scenarios: Vec<ScenarioRuns> = e
            .mapping
            .scenarios()
            .iter()
            .map(|s| {
                let (passed, failed) = runs.get(s.as_str()).copied().unwrap_or_default();
                ScenarioRuns { scenario: s.clone(), passed, failed }
            })
            .collect();
        let passing = scenarios.iter().filter(|s| s.passed > 0 && s.failed == 0).count();
        let (status, reason) = match &e.mapping {
            Mapping::NotCovered { reason } => (EntryStatus::NotCovered, reason.clone()),
            Mapping::OutOfScope { reason } => (EntryStatus::OutOfScope, reason.clone()),
            Mapping::Covered { .. } | Mapping::Partial { .. } => {
                let note = match &e.mapping {
                    Mapping::Partial { note, .. } => note.clone(),
                    _ => String::new(),
                };
                let status = if scenarios.iter().any(|s| s.failed > 0) {
                    EntryStatus::Failing
                } else if passing == 0 {
                    EntryStatus::NoRuns
                } else if passing == scenarios.len() && matches!(e.mapping, Mapping::Covered { .. }) {
                    EntryStatus::Covered
                } else {
                    EntryStatus::Partial
                };
                (status, note)
            }
        };
        let totals = by_status.get_mut(status.label()).expect("every status has a slot");
        totals.entries += 1;
        totals.frequency += e.frequency.unwrap_or(0.0);
        entries.push(EntryCoverage {
            id: e.id.clone(),
            title: e.title.clone(),
            frequency: e.frequency,
            status,
            scenarios,
            reason,
        });
    }
    let total_frequency: f64 = catalogue.entries.iter().filter_map(|e| e.frequency).sum();
    let share = |labels: &[EntryStatus]| {
        (catalogue.frequency_unit.is_some() && total_frequency > 0.0)
            .then(|| labels.iter().map(|s| by_status[s.label()].frequency).sum::<f64>() / total_frequency)
    };
    CatalogueCoverage {
        catalogue: catalogue.id.clone(),
        title: catalogue.title.clone(),
        source: catalogue.source.clone(),
        frequency_unit: catalogue.frequency_unit.clone(),
        covered_share: share(&[EntryStatus::Covered]),
        covered_or_partial_share: share(&[EntryStatus::Covered, EntryStatus::Partial]),
        entries,
        by_status,
        total_frequency,
    }
}

fn percent(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

fn runs_text(s: &ScenarioRuns) -> String {
    format!("{} ({} passed, {} failed)", s.scenario, s.passed, s.failed)
}

fn summary_lines(c: &CatalogueCoverage) -> Vec<String> {
    let mut lines = Vec::new();
    let counts: Vec<String> =
        EntryStatus::ALL.iter().map(|s| format!("{} {}", by(c, *s).entries, s.label())).collect();
    lines.push(format!("{} entries: {}", c.entries.len(), counts.join(", ")));
    if let (Some(unit), Some(full), Some(any)) =
        (&c.frequency_unit, c.covered_share, c.covered_or_partial_share)
    {
        lines.push(format!(
            "weighted by frequency ({unit}; total {:.2}): covered {}, covered or partial {}, out of scope {}",
            c.total_frequency,
            percent(full),
            percent(any),
            percent(by(c, EntryStatus::OutOfScope).frequency / c.total_frequency),
        ));
    }
    lines
}

fn by(c: &CatalogueCoverage, s: EntryStatus) -> &StatusTotals {
    &c.by_status[s.label()]
}

/// Plain-text rendering.
pub fn render_catalogue_text(c: &CatalogueCoverage) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Catalogue {}: {}", c.catalogue, c.title);
    let _ = writeln!(out, "Source: {}", c.source);
    for line in summary_lines(c) {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    let width = c.entries.iter().map(|e| e.id.len()).max().unwrap_or(0);
    for e in &c.entries {
        let freq = e.frequency.map(|f| format!(" [{f}]")).unwrap_or_default();
        let _ = writeln!(out, "{:<width$}  {:<12} {}{freq}", e.id, e.status.label(), e.title);
        if !e.scenarios.is_empty() {
            let list: Vec<String> = e.scenarios.iter().map(runs_text).collect();
            let _ = writeln!(out, "{:<width$}  {:<12} by {}", "", "", list.join("; "));
        }
        if !e.reason.is_empty() {
            let _ = writeln!(out, "{:<width$}  {:<12} {}", "", "", e.reason);
        }
    }
    out
}

/// Markdown rendering.
pub fn render_catalogue_markdown(c: &CatalogueCoverage) -> String {
    let cell = crate::markdown_cell;
    let mut out = String::new();
    let _ = writeln!(out, "# Catalogue {}: {}\n", cell(&c.catalogue), cell(&c.title));
    let _ = writeln!(out, "Source: {}\n", cell(&c.source));
    for line in summary_lines(c) {
        let _ = writeln!(out, "- {}", cell(&line));
    }
    out.push('\n');
    let freq_header = if c.frequency_unit.is_some() { " Frequency |" } else { "" };
    let freq_rule = if c.frequency_unit.is_some() { "---:|" } else { "" };
    let _ = writeln!(out, "| Entry | Title |{freq_header} Status | Scenarios (passed/failed) | Note |");
    let _ = writeln!(out, "|---|---|{freq_rule}---|---|---|");
    for e in &c.entries {
        let freq = if c.frequency_unit.is_some() {
            format!(" {} |", e.frequency.map(|f| f.to_string()).unwrap_or_default())
        } else {
            String::new()
        };
        let scenarios: Vec<String> =
            e.scenarios.iter().map(|s| format!("`{}` ({}/{})", s.scenario, s.passed, s.failed)).collect();
        let _ = writeln!(
            out,
            "| {} | {} |{freq} {} | {} | {} |",
            cell(&e.id),
            cell(&e.title),
            e.status.label(),
            scenarios.join(", "),
            cell(&e.reason)
        );
    }
    out
}
