//! Differential falsification between two versions of a stack:
//! `gauntlet fuzz --adapter NEW --against OLD` runs every candidate instance
//! with both adapters (same instance, same seed) and looks for instances
//! where NEW does worse than OLD.
//!
//! For a targeted criterion (or formula) `c` with scaled margins
//! `n = NEW's margin / scale` and `o = OLD's margin / scale`:
//!
//! - a **differential failure** of `c` is an instance where OLD holds `c`
//!   and NEW violates it, or (with `--tolerance τ`) NEW's scaled margin is
//!   more than `τ` below OLD's (`o − n > τ`) while OLD holds;
//! - a **shared failure** is an instance where both violate `c`: not what a
//!   differential search is for, reported apart and never shrunk or saved;
//! - the search objective is the soft minimum over the targeted criteria of
//!   the margin difference `δ = max(n − o, −o)`: NEW's margin minus OLD's,
//!   floored by OLD's own margin so that where OLD fails the objective is
//!   positive (those instances are no finding). `δ < 0` exactly where OLD
//!   holds and NEW does worse; NEW violating while OLD holds gives `δ ≤ n < 0`.
//!
//! Shrinking keeps the differential property of the criterion it was filed
//! under (NEW fails, OLD holds), so every probe runs with both adapters.

use gauntlet_engine::CRITERION_NAMES;
use gauntlet_reports::record::{Outcome, RunRecord, Verdict};

use super::objective::{soft_min, verdict_scale};
use super::probe::Machine;
use super::target::FuzzTarget;

/// The OLD adapter of a differential campaign.
pub(crate) struct Against<'a> {
    /// Where OLD runs (its own adapter factory).
    pub machine: Machine<'a>,
    /// Margin NEW may lose against OLD before it counts as a differential
    /// failure, in units of each criterion's scale; `None`: only violations count.
    pub tolerance: Option<f64>,
}

/// What the two runs of one instance say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Judged {
    /// A differential failure of this criterion (NEW does worse, OLD holds).
    Finding(String),
    /// Both violate this criterion: a failure they share.
    Shared(String),
    /// Neither.
    Clean,
}

fn verdict<'r>(record: &'r RunRecord, criterion: &str) -> Option<&'r Verdict> {
    record.verdicts.iter().find(|v| v.criterion == criterion)
}

/// Whether `criterion` is a differential failure of NEW's run `new` against
/// OLD's run `old` of the same instance (see the module docs).
pub fn regresses(new: &RunRecord, old: &RunRecord, criterion: &str, tolerance: Option<f64>) -> bool {
    if new.outcome == Outcome::Error || old.outcome == Outcome::Error {
        return false;
    }
    let (Some(n), Some(o)) = (verdict(new, criterion), verdict(old, criterion)) else { return false };
    if !o.passed {
        return false;
    }
    let loss = (o.margin - n.margin) / verdict_scale(n);
    !n.passed || tolerance.is_some_and(|t| loss > t)
}

/// The differential objective of an instance (lower: NEW does worse than
/// OLD): the soft minimum over the targeted verdicts judged in both runs of
/// `max(n − o, −o)`. +∞ when either run errored or none is judged in both.
pub(crate) fn objective(target: &FuzzTarget, new: &RunRecord, old: &RunRecord) -> f64 {
    if new.outcome == Outcome::Error || old.outcome == Outcome::Error {
        return f64::INFINITY;
    }
    soft_min(new.verdicts.iter().filter(|v| target.targets(v)).filter_map(|n| {
        let o = verdict(old, &n.criterion)?;
        let s = verdict_scale(n);
        let (n, o) = (n.margin / s, o.margin / s);
        Some((n - o).max(-o))
    }))
}

/// The targeted criteria of `new`, in the order failures are filed under:
/// the engine's criterion order, then formulas in record order.
fn in_filing_order<'r>(target: &FuzzTarget, new: &'r RunRecord) -> Vec<&'r Verdict> {
    let rank = |v: &Verdict| CRITERION_NAMES.iter().position(|c| *c == v.criterion).unwrap_or(usize::MAX);
    let mut vs: Vec<&Verdict> = new.verdicts.iter().filter(|v| target.targets(v)).collect();
    vs.sort_by_key(|v| rank(v));
    vs
}

/// What the runs of one instance by NEW (`new`) and OLD (`old`) say: the
/// first targeted criterion that is a differential failure, else the first
/// that both violate, else nothing.
pub(crate) fn judge(target: &FuzzTarget, new: &RunRecord, old: &RunRecord, tolerance: Option<f64>) -> Judged {
    let order = in_filing_order(target, new);
    if let Some(v) = order.iter().find(|v| regresses(new, old, &v.criterion, tolerance)) {
        return Judged::Finding(v.criterion.clone());
    }
    if new.outcome == Outcome::Error || old.outcome == Outcome::Error {
        return Judged::Clean;
    }
    order
        .iter()
        .find(|v| !v.passed && verdict(old, &v.criterion).is_some_and(|o| !o.passed))
        .map_or(Judged::Clean, |v| Judged::Shared(v.criterion.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(margins: &[(&str, f64)]) -> RunRecord {
        let mut r: RunRecord = serde_json::from_str(
            r#"{"schema":2,"id":"s/run/1","scenario":"s","title":"s","file":"s.ron","file_hash":"h","seed":1,
            "kind":"run","source":{"from":"seed"},"tags":{},"hazards":[],"params":{},
            "adapter":{"spec":"exec:x","name":"x","version":"1"},"engine_version":"0","outcome":"pass",
            "verdicts":[],"error":null,"steps":100,"sim_time":10.0,"wall_ms":1.0,"trace_hash":"t","replay":"r"}"#,
        )
        .expect("a record");
        r.verdicts = margins
            .iter()
            .map(|(c, m)| {
                serde_json::from_value(serde_json::json!({
                    "criterion": c, "passed": *m >= 0.0, "margin": m,
                    "first_violation_t": null, "worst_t": null,
                }))
                .expect("a verdict")
            })
            .collect();
        r.outcome = if margins.iter().any(|(_, m)| *m < 0.0) { Outcome::Fail } else { Outcome::Pass };
        r
    }

    #[test]
    fn a_violation_old_holds_is_a_finding_one_both_share_is_not() {
        let t = FuzzTarget::Criteria;
        let old = record(&[("no_collision", 2.0), ("min_ttc", -0.5)]);
        let new = record(&[("no_collision", -0.1), ("min_ttc", -0.7)]);
        assert_eq!(judge(&t, &new, &old, None), Judged::Finding("no_collision".into()));
        let both = record(&[("no_collision", 1.0), ("min_ttc", -0.7)]);
        assert_eq!(judge(&t, &both, &old, None), Judged::Shared("min_ttc".into()));
        let fine = record(&[("no_collision", 1.0), ("min_ttc", 0.2)]);
        assert_eq!(judge(&t, &fine, &old, None), Judged::Clean);
    }

    #[test]
    fn the_tolerance_counts_margin_lost_while_old_holds() {
        let t = FuzzTarget::Criteria;
        let scale = super::super::objective::scale("no_collision");
        let old = record(&[("no_collision", 3.0 * scale)]);
        let new = record(&[("no_collision", 1.0 * scale)]);
        assert_eq!(judge(&t, &new, &old, None), Judged::Clean);
        assert_eq!(judge(&t, &new, &old, Some(2.5)), Judged::Clean);
        assert_eq!(judge(&t, &new, &old, Some(1.5)), Judged::Finding("no_collision".into()));
        // OLD violating: never a finding, whatever NEW loses.
        let old_fails = record(&[("no_collision", -0.1)]);
        let worse = record(&[("no_collision", -3.0)]);
        assert_eq!(judge(&t, &worse, &old_fails, Some(0.0)), Judged::Shared("no_collision".into()));
    }

    #[test]
    fn the_objective_is_the_margin_difference_floored_by_olds_margin() {
        let t = FuzzTarget::Criteria;
        let s = super::super::objective::scale("no_collision");
        let o = |old: f64, new: f64| {
            objective(&t, &record(&[("no_collision", new * s)]), &record(&[("no_collision", old * s)]))
        };
        // One criterion: the soft minimum is the value itself.
        assert!((o(3.0, 1.0) - -2.0).abs() < 1e-12);
        assert!((o(1.0, 1.0) - 0.0).abs() < 1e-12);
        // OLD fails: positive however bad NEW is.
        assert!((o(-0.5, -4.0) - 0.5).abs() < 1e-12);
        // NEW violates while OLD holds: negative.
        assert!(o(0.5, -0.1) < 0.0);
        assert!(o(3.0, -0.1) < o(3.0, 0.5));
    }
}
