//! What a search minimises and what counts as the same failure.

use gauntlet_engine::CRITERION_NAMES;
use gauntlet_reports::record::{Outcome, RunRecord, Verdict};

/// The margin of each criterion that counts as "one unit" of robustness
/// (the engine's one table, [`gauntlet_engine::criterion_unit`]), so that
/// margins in metres, seconds and m/s² can be compared: a search minimises
/// the smallest margin divided by its criterion's scale.
pub(crate) fn scale(criterion: &str) -> f64 {
    gauntlet_engine::criterion_unit(criterion).map_or(1.0, |u| u.scale)
}

/// Scaled margins beyond this magnitude count as this much (keeps `exp` finite).
const CLAMP: f64 = 50.0;

/// The search objective of a run (lower is closer to failing): the soft
/// minimum `-ln Σ exp(-mᵢ/sᵢ)` of its margins `mᵢ` scaled by [`scale`].
/// Like the minimum it is dominated by the criterion closest to failing,
/// but it still ranks runs when that criterion's margin does not move (a
/// road margin that stays at 0.8 m while the clearance to a lead car
/// shrinks). A run that errored or has no verdict gives +∞.
pub(crate) fn objective(record: &RunRecord) -> f64 {
    objective_of(record, |_| true)
}

/// [`objective`] over the verdicts `keep` selects, each margin divided by
/// the verdict's own `scale` (a built-in criterion's is [`scale`]'s; a
/// formula's is its `scale:`, default 1), or by [`scale`] in records older
/// than the field. +∞ when none is selected.
pub(crate) fn objective_of(record: &RunRecord, keep: impl Fn(&Verdict) -> bool) -> f64 {
    if record.outcome == Outcome::Error {
        return f64::INFINITY;
    }
    soft_min(record.verdicts.iter().filter(|v| keep(v)).map(|v| v.margin / verdict_scale(v)))
}

/// The scale a verdict's margin is divided by: its own `scale` (a
/// formula's), else its criterion's [`scale`].
pub(crate) fn verdict_scale(v: &Verdict) -> f64 {
    v.scale.filter(|s| *s > 0.0).unwrap_or_else(|| scale(&v.criterion))
}

/// The soft minimum `-ln Σ exp(-xᵢ)` of scaled margins (each clamped to
/// ±[`CLAMP`], NaN counting as +[`CLAMP`]); +∞ for none.
pub(crate) fn soft_min(xs: impl Iterator<Item = f64>) -> f64 {
    let mut any = false;
    let sum: f64 = xs
        .map(|m| {
            any = true;
            libm::exp(-if m.is_nan() { CLAMP } else { m.clamp(-CLAMP, CLAMP) })
        })
        .sum();
    if !any {
        return f64::INFINITY;
    }
    -libm::log(sum)
}

/// Whether the run failed `criterion`.
pub(crate) fn violates(record: &RunRecord, criterion: &str) -> bool {
    record.outcome == Outcome::Fail && record.verdicts.iter().any(|v| v.criterion == criterion && !v.passed)
}

/// The criterion a failure is filed under: the first violated one in the
/// engine's order (collisions first, then time-to-collision, gap, road,
/// speed, deceleration, jerk, goal).
pub(crate) fn target_criterion(record: &RunRecord) -> Option<String> {
    if record.outcome != Outcome::Fail {
        return None;
    }
    let violated = |name: &str| record.verdicts.iter().any(|v| v.criterion == name && !v.passed);
    CRITERION_NAMES
        .iter()
        .find(|name| violated(name))
        .map(|name| (*name).to_owned())
        .or_else(|| record.violations().next().map(|v| v.criterion.clone()))
}

/// The verdict margin of `criterion`, if it was judged.
pub(crate) fn margin(record: &RunRecord, criterion: &str) -> Option<f64> {
    record.verdicts.iter().find(|v| v.criterion == criterion).map(|v| v.margin)
}

/// When `criterion` was first violated, s.
pub(crate) fn first_violation(record: &RunRecord, criterion: &str) -> Option<f64> {
    record.verdicts.iter().find(|v| v.criterion == criterion).and_then(|v| v.first_violation_t)
}
