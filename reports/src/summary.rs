//! The plain-text summary printed at the end of a sweep.
//!
//! One row per scenario, sorted by scenario id: jobs run, passed, failed,
//! errored, and the worst margin with its unit and criterion; then a total
//! row. Below the table, every failure and error with its replay command,
//! sorted by scenario, kind and seed:
//!
//! ```text
//! scenario        runs  pass  fail  error  worst margin  criterion
//! cut_in.highway     3     1     1      1      -0.800 m  no_collision
//! lead_braking       2     2     0      0       0.637 s  min_ttc
//! total              5     3     1      1      -0.800 m  no_collision
//!
//! failures and errors:
//!   FAIL  cut_in.highway seed=3 run: no_collision -0.800 m
//!         gauntlet replay scenarios/library/cut_in.ron --seed 3
//!   ERROR cut_in.highway seed=4 run: adapter_timeout: timeout at step 12 (1 s)
//!         gauntlet replay scenarios/library/cut_in.ron --seed 4
//! ```
//!
//! **The worst margin is the smallest normalised margin**
//! ([`Verdict::normalized_margin`]: the margin divided by its criterion's
//! scale, one typical safety buffer), so that metres, seconds and m/s² are
//! compared fairly; it is *shown* raw, in its criterion's unit. Every
//! report that ranks margins (the summary, Markdown, the dashboard, the
//! baseline diff) takes it from [`WorstMargin`] / [`MarginRef`], built
//! here. Margins are printed with three decimals (`inf` when infinite) and
//! their unit (none for records older than units); `-` marks a scenario
//! without any verdict.
//!
//! Failures that triage found unavoidable (no oracle manoeuvre within the
//! ego's limits avoids them: the scenario, not the stack) are counted apart
//! under the table (`fail (unavoidable): 1 of 3 failures …`) and marked
//! `FAIL (unavoidable)` in the list; they stay in `fail`.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::record::{JobKey, Outcome, RunRecord, Verdict};

/// Job counts by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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

/// One verdict's margin as the reports rank and show it: raw, in its
/// criterion's unit, and normalised (the ranking key).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MarginRef {
    /// The criterion.
    pub criterion: String,
    /// The margin in the criterion's unit (may be ±infinity).
    #[schemars(with = "f64")]
    #[serde(with = "crate::record::margin_serde")]
    pub margin: f64,
    /// The criterion's unit; empty for records older than units.
    pub unit: String,
    /// `margin / scale` ([`Verdict::normalized_margin`]): what ranks.
    #[schemars(with = "f64")]
    #[serde(with = "crate::record::margin_serde")]
    pub normalized: f64,
}

impl MarginRef {
    /// The margin of `v`.
    pub fn of(v: &Verdict) -> Self {
        Self {
            criterion: v.criterion.clone(),
            margin: v.margin,
            unit: v.unit.clone(),
            normalized: v.normalized_margin(),
        }
    }

    /// The worst verdict of a record ([`RunRecord::worst_verdict`]).
    pub fn worst_of(r: &RunRecord) -> Option<Self> {
        r.worst_verdict().map(Self::of)
    }

    /// `-0.800 m no_collision`: the raw margin, its unit and the criterion.
    pub fn label(&self) -> String {
        format!("{} {}", fmt_margin_unit(self.margin, &self.unit), self.criterion)
    }

    /// Smaller normalised margin first, then by criterion.
    pub fn cmp_severity(&self, other: &Self) -> Ordering {
        self.normalized.total_cmp(&other.normalized).then_with(|| self.criterion.cmp(&other.criterion))
    }
}

/// The smallest normalised margin seen and where.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WorstMargin {
    /// The margin in its criterion's unit (may be ±infinity).
    #[schemars(with = "f64")]
    #[serde(with = "crate::record::margin_serde")]
    pub margin: f64,
    /// The criterion that produced it.
    pub criterion: String,
    /// The criterion's unit; empty for records older than units.
    pub unit: String,
    /// The normalised margin that made it the worst.
    #[schemars(with = "f64")]
    #[serde(with = "crate::record::margin_serde")]
    pub normalized: f64,
    /// The job that produced it.
    pub job: JobKey,
}

impl WorstMargin {
    fn new(m: MarginRef, job: JobKey) -> Self {
        Self { margin: m.margin, criterion: m.criterion, unit: m.unit, normalized: m.normalized, job }
    }

    /// `-0.800 m no_collision`.
    pub fn label(&self) -> String {
        format!("{} {}", fmt_margin_unit(self.margin, &self.unit), self.criterion)
    }

    /// Smaller normalised margin first; ties broken by criterion and job so
    /// the choice does not depend on record order.
    fn cmp_severity(&self, other: &Self) -> Ordering {
        self.normalized
            .total_cmp(&other.normalized)
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
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ScenarioRow {
    /// Scenario id.
    pub scenario: String,
    /// Job counts.
    pub totals: Totals,
    /// The smallest normalised margin over all its jobs; `None` without verdicts.
    pub worst: Option<WorstMargin>,
}

/// A failed or errored job, for the list under the table.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Problem {
    /// The job.
    pub job: JobKey,
    /// `fail` or `error`.
    pub outcome: Outcome,
    /// For a failure: the violated criteria and their margins with units;
    /// for an error: `kind: message`.
    pub detail: String,
    /// The job's worst verdict (smallest normalised margin), if it has verdicts.
    pub worst: Option<MarginRef>,
    /// The command that reproduces it.
    pub replay: String,
    /// For a triaged failure: whether its violation was avoidable (`None`:
    /// not triaged, or unknown).
    pub avoidable: Option<bool>,
    /// For a failure of a scenario past a regulation's boundary: its class
    /// ([`crate::boundary`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boundary: Option<crate::boundary::BoundaryClass>,
    /// For such a failure: the boundary's source and triage's verdict, in words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub boundary_detail: String,
}

impl Problem {
    /// The problem a record describes, or `None` if it passed.
    pub fn from_record(r: &RunRecord) -> Option<Self> {
        let detail = match r.outcome {
            Outcome::Pass => return None,
            Outcome::Fail => {
                let violated: Vec<String> = r
                    .violations()
                    .map(|v| format!("{} {}", v.criterion, fmt_margin_unit(v.margin, &v.unit)))
                    .collect();
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
            worst: MarginRef::worst_of(r),
            replay: r.replay.clone(),
            avoidable: r.triage.as_ref().and_then(|t| t.avoidable),
            boundary: crate::boundary::classify(r),
            boundary_detail: match (&r.beyond, crate::boundary::classify(r)) {
                (Some(b), Some(_)) => {
                    format!("past the boundary of {}; {}", b.source, crate::boundary::triage_words(r))
                }
                _ => String::new(),
            },
        })
    }
}

/// The summary of a set of records.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// One row per scenario, sorted by scenario id.
    pub rows: Vec<ScenarioRow>,
    /// Counts over all jobs.
    pub totals: Totals,
    /// The smallest normalised margin over all jobs.
    pub worst: Option<WorstMargin>,
    /// Every failed or errored job, sorted by job key.
    pub problems: Vec<Problem>,
    /// How the failing jobs were triaged.
    pub triage: TriageCounts,
    /// Failing jobs of scenarios past a regulation's boundary, by class.
    pub boundary: crate::boundary::BoundaryCounts,
}

/// Failing jobs by triage verdict (each failing job counts once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
    boundary: crate::boundary::BoundaryCounts,
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
        if let Some(m) = MarginRef::worst_of(r) {
            let candidate = WorstMargin::new(m, r.key());
            WorstMargin::keep_worse(&mut self.worst, candidate.clone());
            WorstMargin::keep_worse(&mut row.worst, candidate);
        }
        self.problems.extend(Problem::from_record(r));
        self.triage.add(r);
        self.boundary.add(r);
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
            boundary: self.boundary,
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

/// A margin with three decimals and its unit (`-0.800 m`); just the number
/// when the unit is unknown (records older than units).
pub fn fmt_margin_unit(margin: f64, unit: &str) -> String {
    if unit.is_empty() { fmt_margin(margin) } else { format!("{} {unit}", fmt_margin(margin)) }
}

/// (number, unit, criterion) cells of a worst margin.
fn worst_cells(worst: &Option<WorstMargin>) -> (String, String, String) {
    match worst {
        Some(w) => (fmt_margin(w.margin), w.unit.clone(), w.criterion.clone()),
        None => ("-".to_owned(), String::new(), "-".to_owned()),
    }
}

/// Renders a summary as aligned plain text (see the module docs).
pub fn render_summary(summary: &Summary) -> String {
    const MAX_NAME_WIDTH: usize = 48;
    let header = ["scenario", "runs", "pass", "fail", "error", "worst margin", "criterion"];
    let mut table: Vec<[String; 7]> = Vec::with_capacity(summary.rows.len() + 2);
    table.push(header.map(str::to_owned));
    // Units padded to one width, so that the numbers stay aligned on the
    // decimal point in a right-aligned column.
    let unit_width = summary
        .rows
        .iter()
        .map(|r| &r.worst)
        .chain([&summary.worst])
        .map(|w| worst_cells(w).1.chars().count())
        .max()
        .unwrap_or(0);
    let row = |name: &str, t: &Totals, worst: &Option<WorstMargin>| {
        let (number, unit, criterion) = worst_cells(worst);
        let margin = if unit_width == 0 { number } else { format!("{number} {unit:<unit_width$}") };
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
        table.push(row(&fit(&r.scenario, MAX_NAME_WIDTH), &r.totals, &r.worst));
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
    if let Some(line) = summary.boundary.line() {
        let _ = writeln!(out, "{line}");
    }

    if !summary.problems.is_empty() {
        out.push_str("\nfailures and errors:\n");
        for p in &summary.problems {
            let label = match (p.outcome, p.avoidable, p.boundary) {
                (Outcome::Error, _, _) => "ERROR",
                (_, _, Some(class)) => class.label(),
                (_, Some(false), _) => "FAIL (unavoidable)",
                _ => "FAIL ",
            };
            let _ = writeln!(out, "  {label} {}: {}", p.job, one_line(&p.detail));
            if !p.boundary_detail.is_empty() {
                let _ = writeln!(out, "        {}", one_line(&p.boundary_detail));
            }
            let _ = writeln!(out, "        {}", p.replay);
        }
    }
    out
}

/// Replaces line breaks so that a message stays on one line.
/// `text` cut to at most `max` characters for a terminal table: the start
/// and the end kept, the middle replaced by `…` (ids differ at both ends).
pub fn fit(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max || max < 3 {
        return text.to_owned();
    }
    let tail = (max - 1) / 3;
    let head = max - 1 - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

pub(crate) fn one_line(s: &str) -> String {
    s.split(['\r', '\n']).filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ⏎ ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::record;

    #[test]
    fn long_names_are_cut_in_the_middle_so_rows_stay_short() {
        assert_eq!(fit("short", 48), "short");
        let long = format!("lead_braking.{}end", "x".repeat(600));
        let cut = fit(&long, 48);
        assert_eq!(cut.chars().count(), 48);
        assert!(cut.starts_with("lead_braking.") && cut.ends_with("end") && cut.contains('…'));
        let records = [record(&long, 1, Outcome::Pass)];
        let text = render_summary(&summarize(&records));
        assert!(text.lines().all(|l| l.chars().count() < 120), "{text}");
    }

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
        assert_eq!(s.problems[0].detail, "no_collision -2.000 m");
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
            forward.contains("total        6     0     6      0      -1.000 m  no_collision"),
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
        assert!(text.contains("far          1     1     0      0         inf m  no_collision"), "{text}");
        assert!(text.contains("err          1     0     0      1           -    -"), "{text}");
        assert!(text.contains("line one ⏎ line two"), "{text}");
    }

    #[test]
    fn the_worst_margin_ranks_normalised_and_shows_the_unit() {
        // A collision's −0.8 m beats −5 m/s² of deceleration at a scale of
        // 10 (−0.5) and 0.675 m of lane clearance at 0.5 m (1.35).
        let mut r = record("cut_in", 1, Outcome::Fail);
        let mut decel = r.verdicts[0].clone();
        decel.criterion = "max_decel".to_owned();
        decel.margin = -5.0;
        decel.unit = "m/s²".to_owned();
        decel.scale = Some(10.0);
        let mut road = r.verdicts[0].clone();
        road.criterion = "stay_on_road".to_owned();
        road.margin = 0.675;
        road.passed = true;
        road.scale = Some(0.5);
        r.verdicts = vec![decel, road, r.verdicts[0].clone()];
        let s = summarize([&r]);
        let w = s.rows[0].worst.as_ref().unwrap();
        assert_eq!((w.label(), w.normalized), ("-0.800 m no_collision".to_owned(), -0.8));
        assert_eq!(s.problems[0].worst.as_ref().unwrap().label(), "-0.800 m no_collision");
        let text = render_summary(&s);
        assert!(text.contains("cut_in       1     0     1      0      -0.800 m  no_collision"), "{text}");
        assert!(text.contains("max_decel -5.000 m/s², no_collision -0.800 m"), "{text}");
        // Records older than units: plain numbers, scale 1.
        let mut old = record("old", 1, Outcome::Pass);
        old.verdicts[0].unit = String::new();
        old.verdicts[0].scale = None;
        let text = render_summary(&summarize([&old]));
        assert!(text.contains("old          1     1     0      0         1.500  no_collision"), "{text}");
    }
}
