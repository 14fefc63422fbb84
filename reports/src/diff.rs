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
//! | `margin_regressions` | `pass` in both, and the smallest margin shrank by more than [`DiffOptions::margin_tolerance`] |
//! | `unchanged` (count only) | `pass` in both, margin within tolerance |
//! | `new_jobs` | only in the new records |
//! | `removed` | only in the old records |
//!
//! A margin that goes from +infinity (nothing ever came into range) to any
//! finite value has shrunk by infinity and counts as a margin regression.
//! If one side holds several records of the same job, the diff uses the
//! worst (error, then fail, then the smallest margin; then the smallest hash
//! of its JSON line) and lists the key in `duplicates`. Every list is sorted
//! by job key.
//!
//! [`DiffIndex`] holds one side compactly (about 150 bytes a job), built
//! one record at a time, so that a sweep of any size is diffed without
//! holding its records: [`diff_indexes`].
//!
//! The diff serialises to JSON for `--baseline` artefacts; [`exit_gate`]
//! turns it into the CI verdict.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use crate::record::{JobKey, Outcome, RunRecord, margin_serde, opt_margin_serde};

/// Tunables of [`diff`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiffOptions {
    /// A job passing in both runs is a margin regression when its smallest
    /// margin shrank by more than this (absolute, in the criterion's unit).
    /// Default `0.1`.
    pub margin_tolerance: f64,
}

impl Default for DiffOptions {
    fn default() -> Self {
        Self { margin_tolerance: 0.1 }
    }
}

/// How many jobs fell in each class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiffCounts {
    /// Was pass, now fail or error.
    pub regressions: u64,
    /// Was fail or error, now pass.
    pub fixed: u64,
    /// Not pass in either.
    pub still_failing: u64,
    /// Same inputs, different result.
    pub flaky: u64,
    /// Pass in both, margin shrank beyond the tolerance.
    pub margin_regressions: u64,
    /// Pass in both, margin within the tolerance.
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
    /// Smallest margin in the old record.
    #[serde(with = "opt_margin_serde")]
    pub old_min_margin: Option<f64>,
    /// Smallest margin in the new record.
    #[serde(with = "opt_margin_serde")]
    pub new_min_margin: Option<f64>,
    /// Criteria violated in the new record, or `kind: message` for an error.
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

/// A passing job whose smallest margin shrank beyond the tolerance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MarginRegression {
    /// The job.
    pub job: JobKey,
    /// The criterion with the smallest margin in the new run.
    pub criterion: String,
    /// Old smallest margin.
    #[serde(with = "margin_serde")]
    pub old_margin: f64,
    /// New smallest margin.
    #[serde(with = "margin_serde")]
    pub new_margin: f64,
    /// `old_margin - new_margin`; may be infinite.
    #[serde(with = "margin_serde")]
    pub shrink: f64,
    /// The command that reproduces the new run.
    pub replay: String,
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
    /// Pass in both, margin shrank beyond the tolerance.
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
/// margin regressions and fixes with their replay commands.
pub fn render_diff(d: &BaselineDiff) -> String {
    let c = &d.counts;
    let mut out = format!(
        "baseline: {} regression(s), {} fixed, {} still failing, {} flaky, {} margin regression(s), \
         {} unchanged, {} new, {} removed\n",
        c.regressions,
        c.fixed,
        c.still_failing,
        c.flaky,
        c.margin_regressions,
        c.unchanged,
        c.new_jobs,
        c.removed
    );
    let mut list = |label: &str, rows: Vec<(String, String)>| {
        for (line, replay) in rows.iter().take(MAX_DIFF_LISTED) {
            let _ = writeln!(out, "  {label:<10} {line}\n             {replay}");
        }
        if rows.len() > MAX_DIFF_LISTED {
            let _ = writeln!(out, "  … and {} more", rows.len() - MAX_DIFF_LISTED);
        }
    };
    list(
        "REGRESSION",
        d.regressions
            .iter()
            .map(|r| (format!("{}: {} → {} {}", r.job, r.old, r.new, r.detail.join(", ")), r.replay.clone()))
            .collect(),
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
    );
    list(
        "MARGIN",
        d.margin_regressions
            .iter()
            .map(|m| {
                let line = format!("{}: {} {:.3} → {:.3}", m.job, m.criterion, m.old_margin, m.new_margin);
                (line, m.replay.clone())
            })
            .collect(),
    );
    list(
        "FIXED",
        d.fixed.iter().map(|r| (format!("{}: {} → {}", r.job, r.old, r.new), r.replay.clone())).collect(),
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

/// What the diff needs of one job, about 150 bytes (see [`DiffIndex`]).
#[derive(Clone, Debug)]
struct JobFacts {
    outcome: Outcome,
    /// The worst verdict's margin and criterion.
    worst: Option<(f64, Arc<str>)>,
    inputs: Arc<Inputs>,
    trace_hash: Box<str>,
    /// Violated criteria, or `kind: message` for an error; empty for a pass.
    detail: Box<[String]>,
    replay: Box<str>,
    /// Orders duplicates of equal outcome and margin independently of input order.
    tiebreak: [u8; 8],
}

impl JobFacts {
    fn min_margin(&self) -> Option<f64> {
        self.worst.as_ref().map(|(m, _)| *m)
    }
}

/// The jobs of one side of a diff, reduced to what the diff reads: outcome,
/// worst margin and criterion, trace hash, the inputs that determinism
/// fixes (shared between jobs), the violated criteria of failing jobs and
/// the replay command. Built one record at a time, so a records file can
/// be diffed without holding its records.
#[derive(Clone, Debug, Default)]
pub struct DiffIndex {
    jobs: BTreeMap<JobKey, JobFacts>,
    duplicates: Vec<JobKey>,
    inputs: HashSet<Arc<Inputs>>,
    criteria: BTreeSet<Arc<str>>,
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
        let worst = r.worst_verdict().map(|v| {
            let criterion = match self.criteria.get(v.criterion.as_str()) {
                Some(c) => Arc::clone(c),
                None => {
                    let c: Arc<str> = Arc::from(v.criterion.as_str());
                    self.criteria.insert(Arc::clone(&c));
                    c
                }
            };
            (v.margin, criterion)
        });
        let detail: Vec<String> = match (&r.outcome, &r.error) {
            (Outcome::Pass, _) => Vec::new(),
            (Outcome::Error, Some(e)) => vec![format!("{}: {}", e.kind, e.message)],
            _ => r.violations().map(|v| v.criterion.clone()).collect(),
        };
        let facts = JobFacts {
            outcome: r.outcome,
            worst,
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
            (true, true) => match margin_regression(key, o, n, options.margin_tolerance) {
                Some(m) => out.margin_regressions.push(m),
                None => out.counts.unchanged += 1,
            },
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

/// Orders jobs worst first: error, fail, pass; then smallest margin; then
/// a hash of the record's JSON line, so the choice never depends on input
/// order.
fn worse(a: &JobFacts, b: &JobFacts) -> Ordering {
    let severity = |o: Outcome| match o {
        Outcome::Error => 0,
        Outcome::Fail => 1,
        Outcome::Pass => 2,
    };
    let margin = |f: &JobFacts| f.min_margin().unwrap_or(f64::INFINITY);
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
        old_min_margin: o.min_margin(),
        new_min_margin: n.min_margin(),
        detail: n.detail.to_vec(),
        replay: n.replay.to_string(),
    }
}

fn margin_regression(key: &JobKey, o: &JobFacts, n: &JobFacts, tolerance: f64) -> Option<MarginRegression> {
    let old_margin = o.min_margin()?;
    let (new_margin, criterion) = n.worst.as_ref()?;
    let new_margin = *new_margin;
    if old_margin == new_margin {
        // Also covers inf == inf, whose difference would be NaN.
        return None;
    }
    let shrink = old_margin - new_margin;
    (shrink > tolerance).then(|| MarginRegression {
        job: key.clone(),
        criterion: criterion.to_string(),
        old_margin,
        new_margin,
        shrink,
        replay: n.replay.to_string(),
    })
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
        assert_eq!(d.regressions[0].detail, ["no_collision"]);
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
        assert_eq!(diff(&old, &new, &DiffOptions { margin_tolerance: 0.6 }).counts.margin_regressions, 0);
        assert_eq!(diff(&old, &new, &DiffOptions { margin_tolerance: 0.4 }).counts.margin_regressions, 1);

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
