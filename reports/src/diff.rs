//! The baseline diff: what changed between last night's records and
//! tonight's.
//!
//! Jobs are matched by [`JobKey`] (scenario, kind, seed) and each lands in
//! exactly one class:
//!
//! | class | condition |
//! |---|---|
//! | `flaky` | same scenario file hash, engine version and adapter name + version, but a different trace hash or outcome: a determinism bug (checked first) |
//! | `regressions` | was `pass`, now `fail` or `error` |
//! | `fixed` | was `fail` or `error`, now `pass` |
//! | `still_failing` | not `pass` in either |
//! | `margin_regressions` | `pass` in both, and some criterion's margin shrank by more than its tolerance: one row per (job, criterion) that did |
//! | `unchanged` (count only) | `pass` in both, every criterion's margin within its tolerance |
//! | `new_jobs` | only in the new records |
//! | `removed` | only in the old records |
//!
//! **Margin regressions are per criterion.** For a job passing on both
//! sides, every verdict of the new record is compared with the verdict of
//! the old record that has the same criterion and threshold (a job may
//! judge one criterion at several thresholds, e.g. its own and a
//! requirement's; a side without a `threshold`, written before thresholds,
//! matches the only verdict of that name). Each drop `old − new` beyond
//! that criterion's tolerance ([`DiffOptions::tolerance`], in the
//! criterion's unit) is one [`MarginRegression`]: job, criterion, threshold,
//! old and new margin, drop, tolerance, unit. Criteria on one side only,
//! or whose threshold changed, are not compared. Margins of different
//! criteria are never compared with each other.
//!
//! A margin that goes from +infinity (nothing ever came into range) to any
//! finite value has shrunk by infinity and counts as a margin regression.
//! If one side holds several records of the same job, the diff uses the
//! worst (error, then fail, then the smallest normalised margin; then the
//! smallest hash of its JSON line) and lists the key in `duplicates`. Every
//! list is sorted by job key (margin regressions then by criterion and
//! threshold). Where a job's worst margin is shown (`old_worst`,
//! `new_worst`) it is its smallest normalised margin, given raw with its
//! unit ([`MarginRef`]).
//!
//! [`DiffIndex`] holds one side compactly (about 150 bytes a job plus 24 a
//! verdict), built
//! one record at a time, so that a sweep of any size is diffed without
//! holding its records: [`diff_indexes`].
//!
//! The diff serialises to JSON for `--baseline` artefacts; [`exit_gate`]
//! turns it into the CI verdict.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::Serialize;

use crate::record::{JobKey, Outcome, RunRecord, margin_serde, opt_margin_serde};
use crate::summary::{MarginRef, fmt_margin_unit};

/// The default tolerance of a criterion, in its scales: a margin may shrink
/// by `0.1 × scale` (0.1 s of `min_ttc`, 0.05 m of `stay_on_road`, …)
/// before it is a margin regression.
pub const DEFAULT_TOLERANCE_IN_SCALES: f64 = 0.1;

/// Tunables of [`diff`]: how far each criterion's margin may shrink on a
/// job passing on both sides before it is a margin regression.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiffOptions {
    /// Tolerance of every criterion not in `criterion_tolerance`, in each
    /// criterion's own unit (`--margin-tolerance X`). `None`: each
    /// criterion's default, [`DEFAULT_TOLERANCE_IN_SCALES`] × its scale.
    pub margin_tolerance: Option<f64>,
    /// Tolerance by criterion name, in that criterion's unit (the gate
    /// file's `[gate.margin_tolerance]`); wins over `margin_tolerance`.
    pub criterion_tolerance: BTreeMap<String, f64>,
}

impl DiffOptions {
    /// The tolerance of `criterion`, in its unit: its entry in
    /// `criterion_tolerance`, else `margin_tolerance`, else 0.1 × `scale`
    /// (a missing or non-positive scale counts as 1, as for normalised
    /// margins).
    pub fn tolerance(&self, criterion: &str, scale: Option<f64>) -> f64 {
        if let Some(t) = self.criterion_tolerance.get(criterion) {
            return *t;
        }
        self.margin_tolerance.unwrap_or_else(|| {
            DEFAULT_TOLERANCE_IN_SCALES * scale.filter(|s| *s > 0.0 && s.is_finite()).unwrap_or(1.0)
        })
    }
}

/// How many jobs fell in each class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DiffCounts {
    /// Was pass, now fail or error.
    pub regressions: u64,
    /// Was fail or error, now pass.
    pub fixed: u64,
    /// Not pass in either.
    pub still_failing: u64,
    /// Same inputs, different result.
    pub flaky: u64,
    /// Margin drops beyond tolerance: one per (job, criterion, threshold),
    /// on jobs passing in both.
    pub margin_regressions: u64,
    /// Jobs passing in both with at least one margin drop.
    pub margin_regressed_jobs: u64,
    /// Pass in both, every margin within its tolerance.
    pub unchanged: u64,
    /// Only in the new records.
    pub new_jobs: u64,
    /// Only in the old records.
    pub removed: u64,
}

/// A job present on both sides whose outcome class changed or stayed bad.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobChange {
    /// The job.
    pub job: JobKey,
    /// Old outcome.
    pub old: Outcome,
    /// New outcome.
    pub new: Outcome,
    /// The old record's worst verdict (smallest normalised margin).
    pub old_worst: Option<MarginRef>,
    /// The new record's worst verdict (smallest normalised margin).
    pub new_worst: Option<MarginRef>,
    /// Criteria violated in the new record with their margins and units
    /// (`no_collision -0.800 m`), or `kind: message` for an error.
    pub detail: Vec<String>,
    /// The command that reproduces the new run.
    pub replay: String,
}

/// A job on one side only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobStatus {
    /// The job.
    pub job: JobKey,
    /// Its outcome.
    pub outcome: Outcome,
    /// The command that reproduces it.
    pub replay: String,
}

/// Same inputs, different result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flake {
    /// The job.
    pub job: JobKey,
    /// The scenario file hash both runs share.
    pub file_hash: String,
    /// The adapter both runs share, as `name version`.
    pub adapter: String,
    /// The engine version both runs share.
    pub engine_version: String,
    /// Old outcome.
    pub old: Outcome,
    /// New outcome.
    pub new: Outcome,
    /// Old trace hash.
    pub old_trace_hash: String,
    /// New trace hash.
    pub new_trace_hash: String,
    /// The command that reproduces the new run.
    pub replay: String,
}

/// One criterion of a job passing on both sides whose margin shrank beyond
/// its tolerance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MarginRegression {
    /// The job.
    pub job: JobKey,
    /// The criterion.
    pub criterion: String,
    /// Its threshold, in its unit (tells apart two verdicts of one criterion).
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_margin_serde")]
    pub threshold: Option<f64>,
    /// The unit of every figure of this row; empty for records older than units.
    pub unit: String,
    /// The criterion's margin in the old run.
    #[serde(with = "margin_serde")]
    pub old_margin: f64,
    /// The criterion's margin in the new run.
    #[serde(with = "margin_serde")]
    pub new_margin: f64,
    /// `old_margin - new_margin`; may be infinite.
    #[serde(with = "margin_serde")]
    pub shrink: f64,
    /// The tolerance it exceeded ([`DiffOptions::tolerance`]).
    pub tolerance: f64,
    /// The command that reproduces the new run.
    pub replay: String,
}

impl MarginRegression {
    /// The criterion with its threshold, when it has one:
    /// `min_ttc (threshold 1.000 s)` (a job may judge one criterion at
    /// several thresholds).
    pub fn criterion_label(&self) -> String {
        match self.threshold {
            Some(t) => format!("{} (threshold {})", self.criterion, fmt_margin_unit(t, &self.unit)),
            None => self.criterion.clone(),
        }
    }

    /// `min_ttc (threshold 1.000 s) 1.196 s → 0.572 s (−0.624 s, tolerance 0.100 s)`.
    pub fn describe(&self) -> String {
        format!(
            "{} {} → {} (−{}, tolerance {})",
            self.criterion_label(),
            fmt_margin_unit(self.old_margin, &self.unit),
            fmt_margin_unit(self.new_margin, &self.unit),
            fmt_margin_unit(self.shrink, &self.unit),
            fmt_margin_unit(self.tolerance, &self.unit),
        )
    }
}

/// The classified difference between two sets of records.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BaselineDiff {
    /// Counts per class.
    pub counts: DiffCounts,
    /// Was pass, now fail or error.
    pub regressions: Vec<JobChange>,
    /// Was fail or error, now pass.
    pub fixed: Vec<JobChange>,
    /// Not pass in either.
    pub still_failing: Vec<JobChange>,
    /// Same inputs, different result.
    pub flaky: Vec<Flake>,
    /// Pass in both: every criterion whose margin shrank beyond its tolerance.
    pub margin_regressions: Vec<MarginRegression>,
    /// Only in the new records.
    pub new_jobs: Vec<JobStatus>,
    /// Only in the old records.
    pub removed: Vec<JobStatus>,
    /// Jobs with more than one record on one side.
    pub duplicates: Vec<JobKey>,
}

/// Whether the diff lets the build pass: no regression and no flake; with
/// `strict`, also nothing still failing.
pub fn exit_gate(diff: &BaselineDiff, strict: bool) -> bool {
    diff.regressions.is_empty() && diff.flaky.is_empty() && (!strict || diff.still_failing.is_empty())
}

/// Most rows in each list of [`render_diff`].
pub const MAX_DIFF_LISTED: usize = 20;

/// The baseline diff as text: the counts, then the regressions, flakes,
/// fixes (at most [`MAX_DIFF_LISTED`] of each) and **every** margin drop,
/// with their replay commands.
pub fn render_diff(d: &BaselineDiff) -> String {
    let c = &d.counts;
    let mut out = format!(
        "baseline: {} regression(s), {} fixed, {} still failing, {} flaky, \
         {} margin regression(s) in {} job(s), {} unchanged, {} new, {} removed\n",
        c.regressions,
        c.fixed,
        c.still_failing,
        c.flaky,
        c.margin_regressions,
        c.margin_regressed_jobs,
        c.unchanged,
        c.new_jobs,
        c.removed
    );
    let mut list = |label: &str, rows: Vec<(String, String)>, max: usize| {
        for (line, replay) in rows.iter().take(max) {
            let _ = writeln!(out, "  {label:<10} {line}\n             {replay}");
        }
        if rows.len() > max {
            let _ = writeln!(out, "  … and {} more", rows.len() - max);
        }
    };
    list(
        "REGRESSION",
        d.regressions
            .iter()
            .map(|r| (format!("{}: {} → {} {}", r.job, r.old, r.new, r.detail.join(", ")), r.replay.clone()))
            .collect(),
        MAX_DIFF_LISTED,
    );
    list(
        "FLAKY",
        d.flaky
            .iter()
            .map(|f| {
                let line = format!(
                    "{}: {} → {}, trace {} → {}",
                    f.job,
                    f.old,
                    f.new,
                    f.old_trace_hash.get(..12).unwrap_or(&f.old_trace_hash),
                    f.new_trace_hash.get(..12).unwrap_or(&f.new_trace_hash)
                );
                (line, f.replay.clone())
            })
            .collect(),
        MAX_DIFF_LISTED,
    );
    list(
        "MARGIN",
        d.margin_regressions
            .iter()
            .map(|m| (format!("{}: {}", m.job, m.describe()), m.replay.clone()))
            .collect(),
        usize::MAX,
    );
    list(
        "FIXED",
        d.fixed.iter().map(|r| (format!("{}: {} → {}", r.job, r.old, r.new), r.replay.clone())).collect(),
        MAX_DIFF_LISTED,
    );
    out
}

/// Classifies every job of `old` and `new` (see the module docs). The
/// result does not depend on record order.
pub fn diff<'a, 'b>(
    old: impl IntoIterator<Item = &'a RunRecord>,
    new: impl IntoIterator<Item = &'b RunRecord>,
    options: &DiffOptions,
) -> BaselineDiff {
    let mut old_index = DiffIndex::default();
    for r in old {
        old_index.add(r);
    }
    let mut new_index = DiffIndex::default();
    for r in new {
        new_index.add(r);
    }
    diff_indexes(&old_index, &new_index, options)
}

/// The inputs of a run that determinism holds fixed, shared by the many
/// jobs that have them.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Inputs {
    file_hash: String,
    engine_version: String,
    adapter_name: String,
    adapter_version: String,
}

/// What identifies a verdict within a job (criterion and threshold), with
/// its unit and scale; shared by the many jobs that judge it.
#[derive(Debug)]
struct CriterionId {
    criterion: String,
    threshold: Option<f64>,
    unit: String,
    scale: Option<f64>,
}

impl CriterionId {
    fn bits(&self) -> (&str, Option<u64>, &str, Option<u64>) {
        (&self.criterion, self.threshold.map(f64::to_bits), &self.unit, self.scale.map(f64::to_bits))
    }

    /// The normalised value of a margin of this criterion.
    fn normalized(&self, margin: f64) -> f64 {
        margin / self.scale.filter(|s| *s > 0.0).unwrap_or(1.0)
    }

    fn margin_ref(&self, margin: f64) -> MarginRef {
        MarginRef {
            criterion: self.criterion.clone(),
            margin,
            unit: self.unit.clone(),
            normalized: self.normalized(margin),
        }
    }
}

impl PartialEq for CriterionId {
    fn eq(&self, other: &Self) -> bool {
        self.bits() == other.bits()
    }
}

impl Eq for CriterionId {}

impl Hash for CriterionId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bits().hash(state);
    }
}

/// What the diff needs of one job, about 150 bytes and 24 a verdict (see [`DiffIndex`]).
#[derive(Clone, Debug)]
struct JobFacts {
    outcome: Outcome,
    /// Every verdict's criterion and margin, in record order.
    margins: Box<[(Arc<CriterionId>, f64)]>,
    inputs: Arc<Inputs>,
    trace_hash: Box<str>,
    /// Violated criteria, or `kind: message` for an error; empty for a pass.
    detail: Box<[String]>,
    replay: Box<str>,
    /// Orders duplicates of equal outcome and margin independently of input order.
    tiebreak: [u8; 8],
}

impl JobFacts {
    /// The worst verdict: smallest normalised margin, the first of equals
    /// (as [`RunRecord::worst_verdict`]).
    fn worst(&self) -> Option<MarginRef> {
        self.margins
            .iter()
            .reduce(|w, v| if v.0.normalized(v.1) < w.0.normalized(w.1) { v } else { w })
            .map(|(id, m)| id.margin_ref(*m))
    }

    fn min_normalized_margin(&self) -> Option<f64> {
        self.worst().map(|w| w.normalized)
    }

    /// The margin of the verdict that matches `id`: same criterion and
    /// threshold, or the only one of that criterion when either side has
    /// no threshold (records older than thresholds).
    fn matching(&self, id: &CriterionId) -> Option<f64> {
        let threshold = id.threshold.map(f64::to_bits);
        let mut named = self.margins.iter().filter(|(o, _)| o.criterion == id.criterion);
        if let Some((_, m)) = named.clone().find(|(o, _)| o.threshold.map(f64::to_bits) == threshold) {
            return Some(*m);
        }
        let (only, margin) = named.next()?;
        let unique = named.next().is_none();
        (unique && (only.threshold.is_none() || id.threshold.is_none())).then_some(*margin)
    }
}

/// The jobs of one side of a diff, reduced to what the diff reads: outcome,
/// every verdict's criterion, threshold and margin, trace hash, the inputs
/// that determinism fixes (shared between jobs, like the criteria), the
/// violated criteria of failing jobs and the replay command. Built one
/// record at a time, so a records file can be diffed without holding its
/// records.
#[derive(Clone, Debug, Default)]
pub struct DiffIndex {
    jobs: BTreeMap<JobKey, JobFacts>,
    duplicates: Vec<JobKey>,
    inputs: HashSet<Arc<Inputs>>,
    criteria: HashSet<Arc<CriterionId>>,
}

impl DiffIndex {
    /// Adds one record; of several records of one job, the worst is kept
    /// (error, then fail, then the smallest margin).
    pub fn add(&mut self, r: &RunRecord) {
        let inputs = Inputs {
            file_hash: r.file_hash.clone(),
            engine_version: r.engine_version.clone(),
            adapter_name: r.adapter.name.clone(),
            adapter_version: r.adapter.version.clone(),
        };
        let inputs = match self.inputs.get(&inputs) {
            Some(shared) => Arc::clone(shared),
            None => {
                let shared = Arc::new(inputs);
                self.inputs.insert(Arc::clone(&shared));
                shared
            }
        };
        let margins: Vec<(Arc<CriterionId>, f64)> = r
            .verdicts
            .iter()
            .map(|v| {
                let id = CriterionId {
                    criterion: v.criterion.clone(),
                    threshold: v.threshold,
                    unit: v.unit.clone(),
                    scale: v.scale,
                };
                let id = match self.criteria.get(&id) {
                    Some(shared) => Arc::clone(shared),
                    None => {
                        let shared = Arc::new(id);
                        self.criteria.insert(Arc::clone(&shared));
                        shared
                    }
                };
                (id, v.margin)
            })
            .collect();
        let detail: Vec<String> = match (&r.outcome, &r.error) {
            (Outcome::Pass, _) => Vec::new(),
            (Outcome::Error, Some(e)) => vec![format!("{}: {}", e.kind, e.message)],
            _ => r
                .violations()
                .map(|v| format!("{} {}", v.criterion, fmt_margin_unit(v.margin, &v.unit)))
                .collect(),
        };
        let facts = JobFacts {
            outcome: r.outcome,
            margins: margins.into_boxed_slice(),
            inputs,
            trace_hash: r.trace_hash.as_str().into(),
            detail: detail.into_boxed_slice(),
            replay: r.replay.as_str().into(),
            tiebreak: crate::junit::line_hash(r),
        };
        let key = r.key();
        match self.jobs.get_mut(&key) {
            Some(kept) => {
                if worse(&facts, kept) == Ordering::Less {
                    *kept = facts;
                }
                self.duplicates.push(key);
            }
            None => {
                self.jobs.insert(key, facts);
            }
        }
    }

    /// Jobs indexed.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Whether no job was indexed.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}

/// Classifies every job of two indexes, as [`diff`] does for records.
pub fn diff_indexes(old: &DiffIndex, new: &DiffIndex, options: &DiffOptions) -> BaselineDiff {
    let mut out = BaselineDiff::default();
    let mut duplicates: Vec<JobKey> = old.duplicates.iter().chain(&new.duplicates).cloned().collect();
    duplicates.sort();
    duplicates.dedup();
    out.duplicates = duplicates;

    for (key, o) in &old.jobs {
        if !new.jobs.contains_key(key) {
            out.removed.push(JobStatus {
                job: key.clone(),
                outcome: o.outcome,
                replay: o.replay.to_string(),
            });
        }
    }
    for (key, n) in &new.jobs {
        let Some(o) = old.jobs.get(key) else {
            out.new_jobs.push(JobStatus {
                job: key.clone(),
                outcome: n.outcome,
                replay: n.replay.to_string(),
            });
            continue;
        };
        if o.inputs == n.inputs && (o.trace_hash != n.trace_hash || o.outcome != n.outcome) {
            out.flaky.push(Flake {
                job: key.clone(),
                file_hash: n.inputs.file_hash.clone(),
                adapter: format!("{} {}", n.inputs.adapter_name, n.inputs.adapter_version),
                engine_version: n.inputs.engine_version.clone(),
                old: o.outcome,
                new: n.outcome,
                old_trace_hash: o.trace_hash.to_string(),
                new_trace_hash: n.trace_hash.to_string(),
                replay: n.replay.to_string(),
            });
            continue;
        }
        match (o.outcome.is_pass(), n.outcome.is_pass()) {
            (true, false) => out.regressions.push(change(key, o, n)),
            (false, true) => out.fixed.push(change(key, o, n)),
            (false, false) => out.still_failing.push(change(key, o, n)),
            (true, true) => {
                let drops = margin_regressions(key, o, n, options);
                if drops.is_empty() {
                    out.counts.unchanged += 1;
                } else {
                    out.counts.margin_regressed_jobs += 1;
                    out.margin_regressions.extend(drops);
                }
            }
        }
    }

    let c = &mut out.counts;
    c.regressions = out.regressions.len() as u64;
    c.fixed = out.fixed.len() as u64;
    c.still_failing = out.still_failing.len() as u64;
    c.flaky = out.flaky.len() as u64;
    c.margin_regressions = out.margin_regressions.len() as u64;
    c.new_jobs = out.new_jobs.len() as u64;
    c.removed = out.removed.len() as u64;
    out
}

/// Orders jobs worst first: error, fail, pass; then smallest normalised margin; then
/// a hash of the record's JSON line, so the choice never depends on input
/// order.
fn worse(a: &JobFacts, b: &JobFacts) -> Ordering {
    let severity = |o: Outcome| match o {
        Outcome::Error => 0,
        Outcome::Fail => 1,
        Outcome::Pass => 2,
    };
    let margin = |f: &JobFacts| f.min_normalized_margin().unwrap_or(f64::INFINITY);
    severity(a.outcome)
        .cmp(&severity(b.outcome))
        .then_with(|| margin(a).total_cmp(&margin(b)))
        .then_with(|| a.tiebreak.cmp(&b.tiebreak))
}

fn change(key: &JobKey, o: &JobFacts, n: &JobFacts) -> JobChange {
    JobChange {
        job: key.clone(),
        old: o.outcome,
        new: n.outcome,
        old_worst: o.worst(),
        new_worst: n.worst(),
        detail: n.detail.to_vec(),
        replay: n.replay.to_string(),
    }
}

/// Every criterion of the job whose margin shrank beyond its tolerance,
/// sorted by criterion and threshold.
fn margin_regressions(
    key: &JobKey,
    o: &JobFacts,
    n: &JobFacts,
    options: &DiffOptions,
) -> Vec<MarginRegression> {
    let mut drops: Vec<MarginRegression> = n
        .margins
        .iter()
        .filter_map(|(id, new_margin)| {
            let old_margin = o.matching(id)?;
            let new_margin = *new_margin;
            if old_margin == new_margin {
                // Also covers inf == inf, whose difference would be NaN.
                return None;
            }
            let shrink = old_margin - new_margin;
            let tolerance = options.tolerance(&id.criterion, id.scale);
            (shrink > tolerance).then(|| MarginRegression {
                job: key.clone(),
                criterion: id.criterion.clone(),
                threshold: id.threshold,
                unit: id.unit.clone(),
                old_margin,
                new_margin,
                shrink,
                tolerance,
                replay: n.replay.to_string(),
            })
        })
        .collect();
    drops.sort_by(|a, b| {
        a.criterion.cmp(&b.criterion).then_with(|| {
            a.threshold.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.threshold.unwrap_or(f64::NEG_INFINITY))
        })
    });
    drops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::record;

    fn with_trace(mut r: RunRecord, trace: &str) -> RunRecord {
        r.trace_hash = trace.to_owned();
        r
    }

    fn with_margin(mut r: RunRecord, margin: f64) -> RunRecord {
        r.verdicts[0].margin = margin;
        r
    }

    fn seeds<T>(list: &[T], key: impl Fn(&T) -> &JobKey) -> Vec<u64> {
        list.iter().map(|x| key(x).seed).collect()
    }

    /// Marks a record as run with another adapter version, so a different
    /// result is a change, not a flake.
    fn new_adapter(mut r: RunRecord) -> RunRecord {
        r.adapter.version = "0.2.0".to_owned();
        r
    }

    #[test]
    fn every_class_is_detected() {
        let old = vec![
            record("s", 1, Outcome::Pass),                   // regression
            record("s", 2, Outcome::Fail),                   // fixed
            record("s", 3, Outcome::Fail),                   // still failing
            record("s", 4, Outcome::Pass),                   // flaky (trace differs)
            with_margin(record("s", 5, Outcome::Pass), 2.0), // margin regression
            with_margin(record("s", 6, Outcome::Pass), 2.0), // unchanged (within tolerance)
            record("s", 7, Outcome::Pass),                   // removed
        ];
        let new = vec![
            new_adapter(record("s", 1, Outcome::Fail)),
            new_adapter(record("s", 2, Outcome::Pass)),
            new_adapter(record("s", 3, Outcome::Error)),
            with_trace(record("s", 4, Outcome::Pass), "other"),
            new_adapter(with_margin(record("s", 5, Outcome::Pass), 1.5)),
            new_adapter(with_margin(record("s", 6, Outcome::Pass), 1.95)),
            record("s", 8, Outcome::Fail), // new job
        ];
        let d = diff(&old, &new, &DiffOptions::default());
        assert_eq!(seeds(&d.regressions, |c| &c.job), [1]);
        assert_eq!(d.regressions[0].detail, ["no_collision -0.800 m"]);
        assert_eq!(seeds(&d.fixed, |c| &c.job), [2]);
        assert_eq!(seeds(&d.still_failing, |c| &c.job), [3]);
        assert_eq!(d.still_failing[0].detail, ["adapter_timeout: timeout at step 12 (1 s)"]);
        assert_eq!(seeds(&d.flaky, |f| &f.job), [4]);
        assert_eq!(seeds(&d.margin_regressions, |m| &m.job), [5]);
        assert_eq!(d.margin_regressions[0].shrink, 0.5);
        assert_eq!(seeds(&d.removed, |s| &s.job), [7]);
        assert_eq!(seeds(&d.new_jobs, |s| &s.job), [8]);
        assert_eq!(
            d.counts,
            DiffCounts {
                regressions: 1,
                fixed: 1,
                still_failing: 1,
                flaky: 1,
                margin_regressions: 1,
                margin_regressed_jobs: 1,
                unchanged: 1,
                new_jobs: 1,
                removed: 1
            }
        );
        assert!(d.duplicates.is_empty());
    }

    #[test]
    fn an_outcome_change_with_identical_inputs_is_a_flake_not_a_regression() {
        let old = [record("s", 1, Outcome::Pass)];
        let new = [with_trace(record("s", 1, Outcome::Fail), "t1")];
        let d = diff(&old, &new, &DiffOptions::default());
        assert_eq!(d.counts.flaky, 1);
        assert_eq!(d.counts.regressions, 0);
        assert!(!exit_gate(&d, false));
    }

    #[test]
    fn changed_file_engine_or_adapter_is_not_a_flake() {
        let base = record("s", 1, Outcome::Pass);
        let variants: [fn(&mut RunRecord); 4] = [
            |r| r.file_hash = "f2".to_owned(),
            |r| r.engine_version = "0.2.0".to_owned(),
            |r| r.adapter.name = "other".to_owned(),
            |r| r.adapter.version = "9".to_owned(),
        ];
        for change in variants {
            let mut n = with_trace(base.clone(), "different");
            change(&mut n);
            let d = diff([&base], [&n], &DiffOptions::default());
            assert_eq!((d.counts.flaky, d.counts.unchanged), (0, 1), "{n:?}");
        }
        // The adapter spec (how it was named) does not matter.
        let mut n = with_trace(base.clone(), "different");
        n.adapter.spec = "./other/path".to_owned();
        assert_eq!(diff([&base], [&n], &DiffOptions::default()).counts.flaky, 1);
    }

    #[test]
    fn margin_tolerance_is_configurable_and_infinities_are_handled() {
        let old = [with_margin(record("s", 1, Outcome::Pass), 2.0)];
        let new = [with_margin(record("s", 1, Outcome::Pass), 1.5)];
        assert_eq!(
            diff(&old, &new, &DiffOptions { margin_tolerance: Some(0.6), ..DiffOptions::default() })
                .counts
                .margin_regressions,
            0
        );
        assert_eq!(
            diff(&old, &new, &DiffOptions { margin_tolerance: Some(0.4), ..DiffOptions::default() })
                .counts
                .margin_regressions,
            1
        );

        let inf = [with_margin(record("s", 1, Outcome::Pass), f64::INFINITY)];
        let d = diff(&inf, &inf, &DiffOptions::default());
        assert_eq!(d.counts.unchanged, 1);
        let d = diff(&inf, &new, &DiffOptions::default());
        assert_eq!(d.margin_regressions[0].shrink, f64::INFINITY);
        // Growth is never a regression.
        assert_eq!(diff(&new, &inf, &DiffOptions::default()).counts.unchanged, 1);
    }

    #[test]
    fn exit_gate_fails_on_regressions_and_flakes_and_strictly_on_still_failing() {
        let pass = [record("s", 1, Outcome::Pass)];
        let fail = [new_adapter(record("s", 1, Outcome::Fail))];
        let still = [record("s", 1, Outcome::Fail)];
        assert!(exit_gate(&diff(&pass, &pass, &DiffOptions::default()), true));
        assert!(!exit_gate(&diff(&pass, &fail, &DiffOptions::default()), false));
        let d = diff(&still, &still, &DiffOptions::default());
        assert_eq!(d.counts.still_failing, 1);
        assert!(exit_gate(&d, false));
        assert!(!exit_gate(&d, true));
        // Fixes, new failing jobs and margin regressions do not fail the gate.
        let d = diff(&still, &[new_adapter(record("s", 1, Outcome::Pass))], &DiffOptions::default());
        assert!(exit_gate(&d, true));
    }

    #[test]
    fn duplicates_keep_the_worst_record_whatever_the_order() {
        let a = record("s", 1, Outcome::Pass);
        let b = new_adapter(record("s", 1, Outcome::Fail));
        let old = [record("s", 1, Outcome::Pass)];
        for new in [[&a, &b], [&b, &a]] {
            let d = diff(&old, new, &DiffOptions::default());
            assert_eq!(d.counts.regressions, 1);
            assert_eq!(d.duplicates.len(), 1);
        }
    }

    #[test]
    fn the_diff_serialises_with_infinite_margins_as_sentinels() {
        let old = [with_margin(record("s", 1, Outcome::Pass), f64::INFINITY)];
        let new = [with_margin(record("s", 1, Outcome::Pass), 1.0)];
        let json = serde_json::to_string(&diff(&old, &new, &DiffOptions::default())).unwrap();
        assert!(json.contains(r#""old_margin":1.7976931348623157e+308"#), "{json}");
        assert!(json.contains(r#""counts":{"regressions":0"#), "{json}");
    }
}
