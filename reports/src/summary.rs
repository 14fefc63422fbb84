//! The plain-text summary printed at the end of a sweep.
//!
//! One row per scenario, sorted by scenario id: jobs run, passed, failed,
//! errored, and the worst (smallest) margin with its criterion; then a total
//! row. Below the table, every failure and error with its replay command,
//! sorted by scenario, kind and seed:
//!
//! ```text
//! scenario        runs  pass  fail  error  worst margin  criterion
//! cut_in.highway     3     1     1      1        -0.800  no_collision
//! pedestrian.zebra   2     2     0      0         1.250  min_distance
//! total              5     3     1      1        -0.800  no_collision
//!
//! failures and errors:
//!   FAIL  cut_in.highway seed=3 run: no_collision -0.800
//!         gauntlet replay scenarios/library/cut_in.ron --seed 3
//!   ERROR cut_in.highway seed=4 run: adapter_timeout: timeout at step 12 (1 s)
//!         gauntlet replay scenarios/library/cut_in.ron --seed 4
//! ```
//!
//! Margins are printed with three decimals (`inf` when infinite); `-` marks
//! a scenario without any verdict.
//!
//! Failures that triage found unavoidable (no oracle manoeuvre within the
//! ego's limits avoids them: the scenario, not the stack) are counted apart
//! under the table (`fail (unavoidable): 1 of 3 failures …`) and marked
//! `FAIL (unavoidable)` in the list; they stay in `fail`.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::record::{JobKey, Outcome, RunRecord, opt_margin_serde};

/// Job counts by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Jobs run.
    pub runs: u64,
    /// Jobs that passed.
    pub pass: u64,
    /// Jobs that failed a criterion.
    pub fail: u64,
    /// Jobs that ended in an error.
    pub error: u64,
}

impl Totals {
    /// Counts the outcomes of `records`.
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a RunRecord>) -> Self {
        let mut totals = Totals::default();
        for r in records {
            totals.add(r.outcome);
        }
        totals
    }

    /// Counts one more job.
    pub fn add(&mut self, outcome: Outcome) {
        self.runs += 1;
        match outcome {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Error => self.error += 1,
        }
    }

    /// Share of jobs that passed, in `0..=1`; `None` without jobs.
    pub fn pass_rate(&self) -> Option<f64> {
        (self.runs > 0).then(|| self.pass as f64 / self.runs as f64)
    }
}

/// The smallest margin seen and where.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorstMargin {
    /// The margin (may be ±infinity).
    #[serde(with = "crate::record::margin_serde")]
    pub margin: f64,
    /// The criterion that produced it.
    pub criterion: String,
    /// The job that produced it.
    pub job: JobKey,
}

impl WorstMargin {
    /// Smaller margin first; ties broken by criterion and job so the choice
    /// does not depend on record order.
    fn cmp_severity(&self, other: &Self) -> Ordering {
        self.margin
            .total_cmp(&other.margin)
            .then_with(|| self.criterion.cmp(&other.criterion))
            .then_with(|| self.job.cmp(&other.job))
    }

    fn keep_worse(slot: &mut Option<WorstMargin>, candidate: WorstMargin) {
        if slot.as_ref().is_none_or(|cur| candidate.cmp_severity(cur) == Ordering::Less) {
            *slot = Some(candidate);
        }
    }
}

/// One scenario's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioRow {
    /// Scenario id.
    pub scenario: String,
    /// Job counts.
    pub totals: Totals,
    /// The worst margin over all its jobs; `None` without verdicts.
    pub worst: Option<WorstMargin>,
}

/// A failed or errored job, for the list under the table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Problem {
    /// The job.
    pub job: JobKey,
    /// `fail` or `error`.
    pub outcome: Outcome,
    /// For a failure: the violated criteria and their margins; for an
    /// error: `kind: message`.
    pub detail: String,
    /// The smallest margin of the job, if it has verdicts.
    #[serde(with = "opt_margin_serde")]
    pub min_margin: Option<f64>,
    /// The command that reproduces it.
    pub replay: String,
    /// For a triaged failure: whether its violation was avoidable (`None`:
    /// not triaged, or unknown).
    pub avoidable: Option<bool>,
}

impl Problem {
    /// The problem a record describes, or `None` if it passed.
    pub fn from_record(r: &RunRecord) -> Option<Self> {
        let detail = match r.outcome {
            Outcome::Pass => return None,
            Outcome::Fail => {
                let violated: Vec<String> =
                    r.violations().map(|v| format!("{} {}", v.criterion, fmt_margin(v.margin))).collect();
                if violated.is_empty() {
                    "failed without a violated criterion".to_owned()
                } else {
                    violated.join(", ")
                }
            }
            Outcome::Error => match &r.error {
                Some(e) => format!("{}: {}", e.kind, e.message),
                None => "error without details".to_owned(),
            },
        };
        Some(Problem {
            job: r.key(),
            outcome: r.outcome,
            detail,
            min_margin: r.min_margin(),
            replay: r.replay.clone(),
            avoidable: r.triage.as_ref().and_then(|t| t.avoidable),
        })
    }
}

/// The summary of a set of records.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// One row per scenario, sorted by scenario id.
    pub rows: Vec<ScenarioRow>,
    /// Counts over all jobs.
    pub totals: Totals,
    /// The worst margin over all jobs.
    pub worst: Option<WorstMargin>,
    /// Every failed or errored job, sorted by job key.
    pub problems: Vec<Problem>,
    /// How the failing jobs were triaged.
    pub triage: TriageCounts,
}

/// Failing jobs by triage verdict (each failing job counts once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TriageCounts {
    /// Some oracle manoeuvre avoids the violation: the stack's failure.
    pub avoidable: u64,
    /// No oracle manoeuvre from any checkpoint avoids it: the scenario's.
    pub unavoidable: u64,
    /// Triaged, but the answer is unknown (re-runs errored, criterion not triageable…).
    pub unknown: u64,
    /// Not triaged (`--no-triage`, fuzz records, older records).
    pub untriaged: u64,
}

impl TriageCounts {
    /// Counts one record (only failures count).
    pub fn add(&mut self, r: &RunRecord) {
        if r.outcome != Outcome::Fail {
            return;
        }
        match r.triage.as_ref().map(|t| t.avoidable) {
            None => self.untriaged += 1,
            Some(None) => self.unknown += 1,
            Some(Some(true)) => self.avoidable += 1,
            Some(Some(false)) => self.unavoidable += 1,
        }
    }

    /// Failures not shown to be unavoidable (avoidable, unknown or untriaged).
    pub fn not_unavoidable(&self) -> u64 {
        self.avoidable + self.unknown + self.untriaged
    }
}

/// Builds a [`Summary`] one record at a time, so a sweep of any size keeps
/// only per-scenario counts (and the list of problems) in memory.
#[derive(Clone, Debug, Default)]
pub struct SummaryBuilder {
    rows: BTreeMap<String, ScenarioRow>,
    totals: Totals,
    worst: Option<WorstMargin>,
    problems: Vec<Problem>,
    triage: TriageCounts,
}

impl SummaryBuilder {
    /// Counts one record.
    pub fn add(&mut self, r: &RunRecord) {
        self.totals.add(r.outcome);
        let row = self.rows.entry(r.scenario.clone()).or_insert_with(|| ScenarioRow {
            scenario: r.scenario.clone(),
            totals: Totals::default(),
            worst: None,
        });
        row.totals.add(r.outcome);
        if let Some(v) = r.worst_verdict() {
            let candidate = WorstMargin { margin: v.margin, criterion: v.criterion.clone(), job: r.key() };
            WorstMargin::keep_worse(&mut self.worst, candidate.clone());
            WorstMargin::keep_worse(&mut row.worst, candidate);
        }
        self.problems.extend(Problem::from_record(r));
        self.triage.add(r);
    }

    /// The summary of everything added; does not depend on the order of `add`.
    pub fn finish(mut self) -> Summary {
        self.problems.sort_by(|a, b| a.job.cmp(&b.job).then_with(|| a.detail.cmp(&b.detail)));
        Summary {
            rows: self.rows.into_values().collect(),
            totals: self.totals,
            worst: self.worst,
            problems: self.problems,
            triage: self.triage,
        }
    }
}

/// Summarises records; the result does not depend on their order.
pub fn summarize<'a>(records: impl IntoIterator<Item = &'a RunRecord>) -> Summary {
    let mut builder = SummaryBuilder::default();
    for r in records {
        builder.add(r);
    }
    builder.finish()
}

/// Formats a margin with three decimals (`inf`, `-inf` when infinite).
pub fn fmt_margin(margin: f64) -> String {
    format!("{margin:.3}")
}

fn fmt_opt_margin(worst: &Option<WorstMargin>) -> (String, String) {
    match worst {
        Some(w) => (fmt_margin(w.margin), w.criterion.clone()),
        None => ("-".to_owned(), "-".to_owned()),
    }
}

/// Renders a summary as aligned plain text (see the module docs).
pub fn render_summary(summary: &Summary) -> String {
    let header = ["scenario", "runs", "pass", "fail", "error", "worst margin", "criterion"];
    let mut table: Vec<[String; 7]> = Vec::with_capacity(summary.rows.len() + 2);
    table.push(header.map(str::to_owned));
    let row = |name: &str, t: &Totals, worst: &Option<WorstMargin>| {
        let (margin, criterion) = fmt_opt_margin(worst);
        [
            name.to_owned(),
            t.runs.to_string(),
            t.pass.to_string(),
            t.fail.to_string(),
            t.error.to_string(),
            margin,
            criterion,
        ]
    };
    for r in &summary.rows {
        table.push(row(&r.scenario, &r.totals, &r.worst));
    }
    table.push(row("total", &summary.totals, &summary.worst));

    let mut widths = [0usize; 7];
    for cells in &table {
        for (w, cell) in widths.iter_mut().zip(cells) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for cells in &table {
        let mut line = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            // Text columns left-aligned, numbers right-aligned.
            if i == 0 || i == 6 {
                let _ = write!(line, "{cell:<w$}");
            } else {
                let _ = write!(line, "{cell:>w$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }

    let tc = &summary.triage;
    if tc.avoidable + tc.unavoidable + tc.unknown > 0 {
        let _ = writeln!(
            out,
            "fail (unavoidable): {} of {} failures (no oracle manoeuvre within the ego's limits avoids them); \
             avoidable {}, unknown {}, not triaged {}",
            tc.unavoidable, summary.totals.fail, tc.avoidable, tc.unknown, tc.untriaged
        );
    }

    if !summary.problems.is_empty() {
        out.push_str("\nfailures and errors:\n");
        for p in &summary.problems {
            let label = match (p.outcome, p.avoidable) {
                (Outcome::Error, _) => "ERROR",
                (_, Some(false)) => "FAIL (unavoidable)",
                _ => "FAIL ",
            };
            let _ = writeln!(out, "  {label} {}: {}", p.job, one_line(&p.detail));
            let _ = writeln!(out, "        {}", p.replay);
        }
    }
    out
}

/// Replaces line breaks so that a message stays on one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split(['\r', '\n']).filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ⏎ ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::record;

    #[test]
    fn counts_and_worst_margin_per_scenario() {
        let mut a_fail = record("a", 2, Outcome::Fail);
        a_fail.verdicts[0].margin = -2.0;
        let records = vec![
            record("b", 1, Outcome::Pass),
            a_fail,
            record("a", 1, Outcome::Pass),
            record("a", 3, Outcome::Error),
        ];
        let s = summarize(&records);
        assert_eq!(s.rows.iter().map(|r| r.scenario.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(s.rows[0].totals, Totals { runs: 3, pass: 1, fail: 1, error: 1 });
        let worst = s.rows[0].worst.as_ref().unwrap();
        assert_eq!((worst.margin, worst.job.seed), (-2.0, 2));
        assert_eq!(s.totals, Totals { runs: 4, pass: 2, fail: 1, error: 1 });
        assert_eq!(s.worst.as_ref().unwrap().margin, -2.0);
        assert_eq!(s.problems.len(), 2);
        assert_eq!(s.problems[0].detail, "no_collision -2.000");
        assert_eq!(s.problems[1].detail, "adapter_timeout: timeout at step 12 (1 s)");
    }

    #[test]
    fn result_does_not_depend_on_record_order() {
        let mut records: Vec<_> = (0..6)
            .map(|seed| {
                let mut r = record(if seed % 2 == 0 { "x" } else { "y" }, seed, Outcome::Fail);
                // Equal margins: the tie must be broken by job, not order.
                r.verdicts[0].margin = -1.0;
                r
            })
            .collect();
        let forward = render_summary(&summarize(&records));
        records.reverse();
        assert_eq!(render_summary(&summarize(&records)), forward);
        assert!(
            forward.contains("total        6     0     6      0        -1.000  no_collision"),
            "{forward}"
        );
    }

    #[test]
    fn pass_rate_is_undefined_without_jobs() {
        assert_eq!(Totals::default().pass_rate(), None);
        assert_eq!(Totals { runs: 4, pass: 3, fail: 1, error: 0 }.pass_rate(), Some(0.75));
    }

    #[test]
    fn infinite_and_missing_margins_render() {
        let mut r = record("far", 1, Outcome::Pass);
        r.verdicts[0].margin = f64::INFINITY;
        let mut e = record("err", 1, Outcome::Error);
        e.error.as_mut().unwrap().message = "line one\nline two".to_owned();
        let text = render_summary(&summarize([&r, &e]));
        assert!(text.contains("far          1     1     0      0           inf  no_collision"), "{text}");
        assert!(text.contains("err          1     0     0      1             -  -"), "{text}");
        assert!(text.contains("line one ⏎ line two"), "{text}");
    }
}
