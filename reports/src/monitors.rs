//! Runtime-monitor effectiveness: how well the stack's own safety monitors
//! (a forward-collision warning, an AEB pre-fill, …) announce the safety
//! events the criteria measure. Every figure is defined here once (and in
//! the README's "Runtime monitors"), computed once by [`MonitorScorer`], and
//! rendered from the [`MonitorReport`] by the text, JSON and dashboard.
//!
//! Definitions, for one monitor `m` and options `f` (near-miss fraction)
//! and `W` (lead window, s):
//!
//! - **scope**: the judged jobs (outcome `pass` or `fail`) whose record
//!   names `m` in `monitors` — the adapter declared it, whether or not it
//!   fired.
//! - **safety event**: a verdict of a job in scope that is a *violation*
//!   (`passed` false; at `first_violation_t`) or a *near miss* (`passed`,
//!   and a finite margin `< f × reference`, where the reference is the
//!   criterion's `|threshold|`, or its `scale` for criteria without a
//!   threshold; at `worst_t`). One verdict, at most one event.
//! - **detected**: an event at `t` is detected by `m` when an activation of
//!   `m` in the same job starts (its `on`) within `[t − W, t]`; its **lead
//!   time** is `t − on` of the earliest such activation.
//! - **recall** = detected events ÷ events (none without events).
//! - **false alarm**: an activation (starting at `on`) after which no event
//!   of its job happens within `[on, on + W]`. **False-alarm share** = false
//!   alarms ÷ activations; **false alarms per hour** = false alarms ÷ the
//!   scope's simulated hours.
//! - **lead-time distribution**: of the detected events' lead times, the
//!   minimum, the quartiles (nearest rank: the ⌈p·n⌉-th smallest), the
//!   median (the middle value, or the mean of the two middle ones) and the
//!   maximum, and a histogram of ten equal bins over `[0, W]`.
//! - **per hazard**: the same figures over the jobs whose scenario names the
//!   hazard.
//!
//! Activations a job could not keep (beyond the engine's bound, counted in
//! `dropped`) take no part in the figures; the report counts them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::record::{Outcome, RunRecord, Verdict, finite_serde};

/// Default near-miss fraction: a margin under half its threshold.
pub const DEFAULT_NEAR_MISS_FRACTION: f64 = 0.5;
/// Default lead window, s.
pub const DEFAULT_LEAD_WINDOW: f64 = 5.0;
/// Bins of the lead-time histogram over `[0, W]`.
pub const LEAD_BINS: usize = 10;

/// One monitor's activations in one job (the record's `monitors` entries).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MonitorActivity {
    /// The monitor's name, as the adapter declared it.
    pub name: String,
    /// Its activations in time order of their end.
    #[serde(default)]
    pub activations: Vec<ActivationSpan>,
    /// Activations not kept because the job reached the engine's bound (256).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One activation: active from `on` up to `off`, simulated seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ActivationSpan {
    /// Time of the first observation answered with the monitor active, s.
    #[schemars(with = "f64")]
    #[serde(with = "finite_serde")]
    pub on: f64,
    /// Time of the first observation answered with it inactive again, or
    /// the job's end, s.
    #[schemars(with = "f64")]
    #[serde(with = "finite_serde")]
    pub off: f64,
}

/// The two knobs of the figures (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonitorOptions {
    /// A passing verdict is a near miss when its margin is under this
    /// fraction of its threshold (`f`, > 0).
    pub near_miss_fraction: f64,
    /// How long before an event an activation may start and still announce
    /// it, s (`W`, > 0).
    pub lead_window: f64,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        Self { near_miss_fraction: DEFAULT_NEAR_MISS_FRACTION, lead_window: DEFAULT_LEAD_WINDOW }
    }
}

/// Command-line overrides of [`MonitorOptions`] (`--near-miss-fraction`,
/// `--lead-window`): each given one replaces the gate file's (or the
/// default) value.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MonitorOverrides {
    /// Replaces `near_miss_fraction` when given.
    pub near_miss_fraction: Option<f64>,
    /// Replaces `lead_window` when given, s.
    pub lead_window: Option<f64>,
}

impl MonitorOverrides {
    /// `base` with the given overrides applied.
    pub fn apply(self, base: MonitorOptions) -> MonitorOptions {
        MonitorOptions {
            near_miss_fraction: self.near_miss_fraction.unwrap_or(base.near_miss_fraction),
            lead_window: self.lead_window.unwrap_or(base.lead_window),
        }
    }
}

/// Whether a safety event is a violation or a near miss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The criterion was violated.
    Violation,
    /// It held, by less than the near-miss fraction of its threshold.
    NearMiss,
}

/// One safety event of a job (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SafetyEvent {
    /// The criterion.
    pub criterion: String,
    /// Violation or near miss.
    pub kind: EventKind,
    /// When: the first violation, or the worst moment of a near miss, s.
    pub t: f64,
}

/// The safety event of one verdict, if it is one.
pub fn safety_event(v: &Verdict, options: &MonitorOptions) -> Option<SafetyEvent> {
    let (kind, t) = if !v.passed {
        (EventKind::Violation, v.first_violation_t.or(v.worst_t)?)
    } else {
        let reference = v.threshold.map(f64::abs).filter(|x| *x > 0.0).or(v.scale).filter(|x| *x > 0.0);
        let reference = reference.unwrap_or(1.0);
        if !(v.margin.is_finite() && v.margin < options.near_miss_fraction * reference) {
            return None;
        }
        (EventKind::NearMiss, v.worst_t?)
    };
    Some(SafetyEvent { criterion: v.criterion.clone(), kind, t })
}

/// The safety events of a record, in verdict order.
pub fn safety_events(r: &RunRecord, options: &MonitorOptions) -> Vec<SafetyEvent> {
    r.verdicts.iter().filter_map(|v| safety_event(v, options)).collect()
}

/// The lead-time distribution of a monitor's detected events, s.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LeadTimes {
    /// Shortest.
    pub min: f64,
    /// First quartile (nearest rank).
    pub p25: f64,
    /// Median.
    pub median: f64,
    /// Third quartile (nearest rank).
    pub p75: f64,
    /// Longest.
    pub max: f64,
    /// Counts in [`LEAD_BINS`] equal bins over `[0, W]` (the last one closed).
    pub histogram: Vec<u64>,
}

impl LeadTimes {
    /// The distribution of `leads` (any order) over a window `window`; `None` when empty.
    pub fn of(leads: &[f64], window: f64) -> Option<LeadTimes> {
        if leads.is_empty() {
            return None;
        }
        let mut sorted = leads.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let rank = |p: f64| sorted[((p * n as f64).ceil() as usize).clamp(1, n) - 1];
        let median = if n % 2 == 1 { sorted[n / 2] } else { 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]) };
        let mut histogram = vec![0; LEAD_BINS];
        for &x in &sorted {
            let bin = ((x / window) * LEAD_BINS as f64).floor() as usize;
            histogram[bin.min(LEAD_BINS - 1)] += 1;
        }
        Some(LeadTimes {
            min: sorted[0],
            p25: rank(0.25),
            median,
            p75: rank(0.75),
            max: sorted[n - 1],
            histogram,
        })
    }
}

/// Every figure of one monitor over one scope (all its jobs, or one hazard's).
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonitorFigures {
    /// Judged jobs in scope.
    pub jobs: u64,
    /// Their simulated time, s.
    pub sim_time: f64,
    /// Safety events in scope.
    pub events: u64,
    /// Of which violations.
    pub violations: u64,
    /// Of which near misses.
    pub near_misses: u64,
    /// Events with an activation starting within the lead window before them.
    pub detected: u64,
    /// Violations detected.
    pub violations_detected: u64,
    /// `detected / events`; `None` without events.
    pub recall: Option<f64>,
    /// Activations kept.
    pub activations: u64,
    /// Activations not kept (beyond the engine's bound); not scored.
    pub dropped: u64,
    /// Activations followed by no event within the lead window.
    pub false_alarms: u64,
    /// `false_alarms / activations`; `None` without activations.
    pub false_alarm_share: Option<f64>,
    /// False alarms per simulated hour; `None` without simulated time.
    pub false_alarms_per_hour: Option<f64>,
    /// The lead times of the detected events; `None` when none was.
    pub lead_time: Option<LeadTimes>,
}

/// One monitor's figures, overall and per hazard.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonitorScore {
    /// The monitor's name.
    pub name: String,
    /// Over every job in scope.
    pub all: MonitorFigures,
    /// Per hazard id the jobs' scenarios name, in id order.
    pub hazards: BTreeMap<String, MonitorFigures>,
}

/// The runtime-monitor figures of a set of records.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonitorReport {
    /// The options the figures were computed with.
    pub options: MonitorOptions,
    /// One entry per monitor named by any record, in name order.
    pub monitors: Vec<MonitorScore>,
}

impl MonitorReport {
    /// Whether no record named a monitor.
    pub fn is_empty(&self) -> bool {
        self.monitors.is_empty()
    }
}

#[derive(Clone, Debug, Default)]
struct Tally {
    figures: MonitorFigures,
    leads: Vec<f64>,
}

impl Tally {
    fn add(&mut self, r: &RunRecord, m: &MonitorActivity, events: &[SafetyEvent], w: f64) {
        let f = &mut self.figures;
        f.jobs += 1;
        f.sim_time += r.sim_time;
        f.activations += m.activations.len() as u64;
        f.dropped += m.dropped;
        for e in events {
            f.events += 1;
            let violation = e.kind == EventKind::Violation;
            if violation {
                f.violations += 1;
            } else {
                f.near_misses += 1;
            }
            let earliest =
                m.activations.iter().map(|a| a.on).filter(|on| *on >= e.t - w && *on <= e.t).reduce(f64::min);
            if let Some(on) = earliest {
                f.detected += 1;
                if violation {
                    f.violations_detected += 1;
                }
                self.leads.push(e.t - on);
            }
        }
        for a in &m.activations {
            if !events.iter().any(|e| e.t >= a.on && e.t <= a.on + w) {
                f.false_alarms += 1;
            }
        }
    }

    fn finish(self, w: f64) -> MonitorFigures {
        let mut f = self.figures;
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        f.recall = ratio(f.detected, f.events);
        f.false_alarm_share = ratio(f.false_alarms, f.activations);
        f.false_alarms_per_hour = (f.sim_time > 0.0).then(|| f.false_alarms as f64 / (f.sim_time / 3600.0));
        f.lead_time = LeadTimes::of(&self.leads, w);
        f
    }
}

/// Computes a [`MonitorReport`] one record at a time.
#[derive(Clone, Debug, Default)]
pub struct MonitorScorer {
    options: MonitorOptions,
    monitors: BTreeMap<String, (Tally, BTreeMap<String, Tally>)>,
}

impl MonitorScorer {
    /// A scorer with `options`.
    pub fn new(options: MonitorOptions) -> Self {
        Self { options, monitors: BTreeMap::new() }
    }

    /// Takes in one record (errored jobs and records without monitors add nothing).
    pub fn add(&mut self, r: &RunRecord) {
        if r.monitors.is_empty() || r.outcome == Outcome::Error {
            return;
        }
        let events = safety_events(r, &self.options);
        let w = self.options.lead_window;
        for m in &r.monitors {
            let entry = match self.monitors.get_mut(m.name.as_str()) {
                Some(e) => e,
                None => self.monitors.entry(m.name.clone()).or_default(),
            };
            entry.0.add(r, m, &events, w);
            for h in &r.hazards {
                let tally = match entry.1.get_mut(h.as_str()) {
                    Some(t) => t,
                    None => entry.1.entry(h.clone()).or_default(),
                };
                tally.add(r, m, &events, w);
            }
        }
    }

    /// The figures of everything added.
    pub fn finish(self) -> MonitorReport {
        let w = self.options.lead_window;
        let monitors = self
            .monitors
            .into_iter()
            .map(|(name, (all, hazards))| MonitorScore {
                name,
                all: all.finish(w),
                hazards: hazards.into_iter().map(|(h, t)| (h, t.finish(w))).collect(),
            })
            .collect();
        MonitorReport { options: self.options, monitors }
    }
}

/// The report of `records` with `options`.
pub fn score_monitors<'a>(
    records: impl IntoIterator<Item = &'a RunRecord>,
    options: MonitorOptions,
) -> MonitorReport {
    let mut scorer = MonitorScorer::new(options);
    for r in records {
        scorer.add(r);
    }
    scorer.finish()
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |x| format!("{:.1}%", 100.0 * x))
}

fn seconds(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |x| format!("{x:.2}"))
}

/// The ten figures of a row, formatted, in column order (shared by the
/// text and Markdown tables).
fn cells(f: &MonitorFigures) -> [String; 10] {
    let lead = f.lead_time.as_ref();
    [
        f.jobs.to_string(),
        f.events.to_string(),
        f.violations.to_string(),
        f.detected.to_string(),
        percent(f.recall),
        f.activations.to_string(),
        f.false_alarms.to_string(),
        f.false_alarms_per_hour.map_or_else(|| "-".to_owned(), |x| format!("{x:.1}")),
        seconds(lead.map(|l| l.median)),
        lead.map_or_else(|| "-".to_owned(), |l| format!("{:.2}–{:.2}", l.p25, l.p75)),
    ]
}

fn row(out: &mut String, label: &str, f: &MonitorFigures) {
    let [a, b, c, d, e, g, h, i, j, k] = cells(f);
    let _ =
        writeln!(out, "{label:<20} {a:>6} {b:>6} {c:>6} {d:>8} {e:>7} {g:>11} {h:>7} {i:>7} {j:>10} {k:>13}");
}

/// The report as text: one row per monitor, then one per hazard under it.
/// Empty when no record named a monitor.
pub fn render_monitors(report: &MonitorReport) -> String {
    if report.is_empty() {
        return String::new();
    }
    let o = &report.options;
    let mut out = format!(
        "runtime monitors (near miss: margin < {} × threshold; lead window {} s)\n",
        o.near_miss_fraction, o.lead_window
    );
    let _ = writeln!(
        out,
        "{:<20} {:>6} {:>6} {:>6} {:>8} {:>7} {:>11} {:>7} {:>7} {:>10} {:>13}",
        "monitor / hazard",
        "jobs",
        "events",
        "viol",
        "detected",
        "recall",
        "activations",
        "false",
        "false/h",
        "lead med s",
        "lead p25–p75"
    );
    for m in &report.monitors {
        row(&mut out, &m.name, &m.all);
        for (h, f) in &m.hazards {
            row(&mut out, &format!("  {h}"), f);
        }
        if m.all.dropped > 0 {
            let _ =
                writeln!(out, "  ({} activation(s) beyond the per-job bound were not scored)", m.all.dropped);
        }
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_row(out: &mut String, label: &str, f: &MonitorFigures) {
    let _ = writeln!(out, "| {} | {} |", md_cell(label), cells(f).join(" | "));
}

/// The report as a Markdown document (the evidence pack's `monitors.md`):
/// the definitions, one table per monitor (overall, then per hazard), and
/// an anchor per hazard (`#monitors-HAZARD`, lower case) the hazard log and
/// the assurance case link to. Says so when no record named a monitor.
pub fn render_monitors_markdown(report: &MonitorReport) -> String {
    let o = &report.options;
    let mut out = String::from("# Runtime monitors\n\n");
    let _ = writeln!(
        out,
        "How well the stack's own runtime monitors announce the safety events the criteria measure. \
         These figures are evidence *about the monitors* (how early and how reliably they warn), not \
         evidence that the stack mitigates a hazard: that is the criteria's verdicts.\n\n\
         - **event**: a violated criterion (at its first violation) or a near miss (a passing margin \
         under {f} × its threshold, at its worst moment), in a judged job whose adapter declared the monitor;\n\
         - **detected**: an activation of the monitor starts within {w} s before the event; **recall** = \
         detected ÷ events; **lead** = event time − activation start (median, p25–p75 by nearest rank);\n\
         - **false alarm**: an activation with no event within {w} s after its start; false/h per simulated hour.\n",
        f = o.near_miss_fraction,
        w = o.lead_window
    );
    if report.is_empty() {
        out.push_str("No record names a runtime monitor: the adapters declared none.\n");
        return out;
    }
    for m in &report.monitors {
        let _ = writeln!(out, "## {}\n", md_cell(&m.name));
        out.push_str(
            "| scope | jobs | events | violations | detected | recall | activations | false alarms | false/h | lead median s | lead p25–p75 s |\n\
             |---|---|---|---|---|---|---|---|---|---|---|\n",
        );
        md_row(&mut out, "all jobs", &m.all);
        for (h, f) in &m.hazards {
            md_row(&mut out, &format!("hazard [{h}](#monitors-{})", h.to_lowercase()), f);
        }
        if m.all.dropped > 0 {
            let _ =
                writeln!(out, "\n{} activation(s) beyond the per-job bound were not scored.", m.all.dropped);
        }
        out.push('\n');
    }
    for h in hazard_ids(report) {
        let _ = writeln!(out, "<a id=\"monitors-{}\"></a>\n### {}\n", h.to_lowercase(), md_cell(&h));
        for line in hazard_lines(report, &h) {
            let _ = writeln!(out, "- {}", md_cell(&line));
        }
        out.push('\n');
    }
    out
}

/// Every hazard id some monitor has figures for, in id order.
pub fn hazard_ids(report: &MonitorReport) -> Vec<String> {
    let mut ids: Vec<String> = report.monitors.iter().flat_map(|m| m.hazards.keys().cloned()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// One line per monitor with figures for `hazard`, in words: its recall,
/// false alarms and median lead over the hazard's jobs. Empty when no
/// monitor was declared in the hazard's jobs.
pub fn hazard_lines(report: &MonitorReport, hazard: &str) -> Vec<String> {
    report
        .monitors
        .iter()
        .filter_map(|m| m.hazards.get(hazard).map(|f| (m, f)))
        .map(|(m, f)| {
            let recall = f.recall.map_or_else(
                || "no safety event to detect".to_owned(),
                |r| format!("recall {:.1}% ({} of {} events detected)", 100.0 * r, f.detected, f.events),
            );
            let lead =
                f.lead_time.as_ref().map_or_else(String::new, |l| format!(", median lead {:.2} s", l.median));
            format!(
                "{}: {} jobs, {recall}, {} of {} activations false alarms{lead}",
                m.name, f.jobs, f.false_alarms, f.activations
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(criterion: &str, passed: bool, margin: f64, t: f64, threshold: Option<f64>) -> Verdict {
        Verdict {
            criterion: criterion.into(),
            passed,
            margin,
            first_violation_t: (!passed).then_some(t),
            worst_t: Some(t),
            impact_speed: None,
            threshold,
            unit: "s".into(),
            scale: Some(1.0),
            requirements: vec![],
        }
    }

    #[test]
    fn events_are_violations_and_near_misses_under_the_fraction() {
        let o = MonitorOptions::default();
        // min_ttc 1.5 s: a margin under 0.75 s is a near miss.
        assert_eq!(
            safety_event(&verdict("min_ttc", true, 0.7, 3.0, Some(1.5)), &o).unwrap().kind,
            EventKind::NearMiss
        );
        assert!(safety_event(&verdict("min_ttc", true, 0.75, 3.0, Some(1.5)), &o).is_none());
        assert!(safety_event(&verdict("min_ttc", true, f64::INFINITY, 3.0, Some(1.5)), &o).is_none());
        let v = safety_event(&verdict("no_collision", false, -0.2, 4.0, None), &o).unwrap();
        assert_eq!((v.kind, v.t), (EventKind::Violation, 4.0));
        // Without a threshold the scale (1) is the reference: 0.4 < 0.5.
        assert!(safety_event(&verdict("no_collision", true, 0.4, 4.0, None), &o).is_some());
    }

    #[test]
    fn lead_time_quartiles_by_nearest_rank() {
        let l = LeadTimes::of(&[2.0, 0.5, 1.0, 4.0], 5.0).unwrap();
        assert_eq!((l.min, l.p25, l.median, l.p75, l.max), (0.5, 0.5, 1.5, 2.0, 4.0));
        // Bins of 0.5 s: 0.5 → 1, 1.0 → 2, 2.0 → 4, 4.0 → 8.
        assert_eq!(l.histogram, vec![0, 1, 1, 0, 1, 0, 0, 0, 1, 0]);
        assert_eq!(LeadTimes::of(&[5.0], 5.0).unwrap().histogram[9], 1);
        assert!(LeadTimes::of(&[], 5.0).is_none());
    }

    fn record(hazards: &[&str], verdicts: Vec<Verdict>, activations: &[(f64, f64)]) -> RunRecord {
        let mut r: RunRecord = serde_json::from_str(
            r#"{"schema":2,"id":"s/run/1","scenario":"s","title":"s","file":"s.ron","file_hash":"h","seed":1,
            "kind":"run","source":{"from":"seed"},"tags":{},"hazards":[],"params":{},
            "adapter":{"spec":"exec:x","name":"x","version":"1"},"engine_version":"0","outcome":"pass",
            "verdicts":[],"error":null,"steps":100,"sim_time":10.0,"wall_ms":1.0,"trace_hash":"t","replay":"r"}"#,
        )
        .expect("a record");
        r.hazards = hazards.iter().map(|h| (*h).to_owned()).collect();
        r.outcome = if verdicts.iter().all(|v| v.passed) { Outcome::Pass } else { Outcome::Fail };
        r.verdicts = verdicts;
        r.monitors = vec![MonitorActivity {
            name: "fcw".into(),
            activations: activations.iter().map(|&(on, off)| ActivationSpan { on, off }).collect(),
            dropped: 0,
        }];
        r
    }

    #[test]
    fn overrides_replace_only_what_they_give() {
        let base = MonitorOptions { near_miss_fraction: 0.3, lead_window: 4.0 };
        assert_eq!(MonitorOverrides::default().apply(base), base);
        let o = MonitorOverrides { near_miss_fraction: None, lead_window: Some(1.5) };
        assert_eq!(o.apply(base), MonitorOptions { near_miss_fraction: 0.3, lead_window: 1.5 });
        let o = MonitorOverrides { near_miss_fraction: Some(0.9), lead_window: None };
        assert_eq!(o.apply(base), MonitorOptions { near_miss_fraction: 0.9, lead_window: 4.0 });
    }

    #[test]
    fn hazard_lines_and_markdown_state_the_hand_worked_figures() {
        // One job of H-1: a collision at 3.0 s announced at 2.0 s (lead 1.0),
        // and an activation at 8.0 s with no event after it (a false alarm).
        let r = record(
            &["H-1"],
            vec![verdict("no_collision", false, -0.5, 3.0, None)],
            &[(2.0, 2.5), (8.0, 9.0)],
        );
        let report = score_monitors([&r], MonitorOptions::default());
        assert_eq!(hazard_ids(&report), ["H-1"]);
        assert_eq!(
            hazard_lines(&report, "H-1"),
            [
                "fcw: 1 jobs, recall 100.0% (1 of 1 events detected), 1 of 2 activations false alarms, median lead 1.00 s"
            ]
        );
        assert!(hazard_lines(&report, "H-2").is_empty());
        let md = render_monitors_markdown(&report);
        assert!(
            md.contains("| all jobs | 1 | 1 | 1 | 1 | 100.0% | 2 | 1 | 360.0 | 1.00 | 1.00–1.00 |"),
            "{md}"
        );
        assert!(md.contains("<a id=\"monitors-h-1\"></a>"), "{md}");
        assert!(md.contains("not evidence that the stack mitigates a hazard"), "{md}");
        let empty = render_monitors_markdown(&MonitorReport::default());
        assert!(empty.contains("No record names a runtime monitor"), "{empty}");
    }
}
