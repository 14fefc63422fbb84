//! Failure triage: was a failing job's violation avoidable by any control
//! within the ego's limits?
//!
//! The first violated criterion (in the engine's [`CRITERION_NAMES`] order)
//! is triaged by re-running the same instance with the same adapter,
//! switching from the stack to an oracle [`Manoeuvre`] at checkpoints before
//! the first violation (latest first, then earlier, down to t = 0). The
//! engine and the stack are deterministic, so a re-run that switches at step
//! `k` is the original run resumed from a checkpoint at `k`; one plain re-run
//! first checks that the adapter really does give the same trace hash.
//!
//! A manoeuvre *avoids* the violation when the criterion passes under it and
//! it violates none of the hard criteria (`no_collision`, `stay_on_road`):
//! comfort (`max_decel`, `min_ttc`…) may be traded, contact and leaving the
//! road may not. `avoidable` is `true` with the first manoeuvre found,
//! `false` when none of the manoeuvres from any checkpoint avoids it (with
//! the best margin reached), and unknown (`None`) when the re-runs error, the
//! adapter is not deterministic, or the criterion is not one manoeuvres can
//! settle (`reach_goal`, `max_jerk`).

use gauntlet_engine::oracle::{HARD_CRITERIA, Manoeuvre, Switched, triageable};
use gauntlet_engine::{
    AutonomyAdapter, CRITERION_NAMES, Outcome, RunOptions, RunResult, Simulation, WorldSpec,
};
use gauntlet_reports::record::Triage;

/// How long before the first violation the checkpoints lie, s (then t = 0).
pub const CHECKPOINT_LEADS: [f64; 6] = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0];

/// The most oracle runs one failing job costs: the determinism check, then
/// every manoeuvre from every checkpoint.
pub const MAX_RUNS: u32 = 1 + (CHECKPOINT_LEADS.len() as u32 + 1) * Manoeuvre::ALL.len() as u32;

/// The checkpoint steps before a first violation at `t_fv` (latest first,
/// deduplicated, t = 0 last).
pub fn checkpoints(t_fv: f64, dt: f64) -> Vec<u64> {
    let mut steps: Vec<u64> = CHECKPOINT_LEADS
        .iter()
        .map(|lead| (t_fv - lead).max(0.0))
        .map(|t| (t / dt + 1e-9).floor() as u64)
        .chain(std::iter::once(0))
        .collect();
    steps.sort_unstable_by(|a, b| b.cmp(a));
    steps.dedup();
    steps
}

/// Triages the failing run `original` of `world` on `adapter`; `None` when
/// the run did not fail (passes and errors are not triaged).
pub fn triage(world: &WorldSpec, adapter: &mut dyn AutonomyAdapter, original: &RunResult) -> Option<Triage> {
    if original.outcome != Outcome::Fail {
        return None;
    }
    let rank = |name: &str| CRITERION_NAMES.iter().position(|n| *n == name).unwrap_or(usize::MAX);
    let violated = original.verdicts.iter().filter(|v| !v.passed).min_by_key(|v| rank(v.criterion))?;
    let criterion = violated.criterion;
    let unknown = |runs: u32, note: String| Triage {
        avoidable: None,
        criterion: criterion.to_owned(),
        manoeuvre: None,
        from_t: None,
        margin: None,
        runs,
        note,
    };
    if !triageable(criterion) {
        let why = match criterion {
            "reach_goal" => "the oracle manoeuvres drive nowhere in particular",
            "max_jerk" => "taking over from the stack is itself a jump in acceleration",
            _ => "no oracle manoeuvre addresses it",
        };
        return Some(unknown(0, format!("{criterion} is not triaged: {why}")));
    }

    // The checkpoints are re-runs: they only mean something if the adapter is deterministic.
    let mut runs = 1;
    let again = Simulation::run(world, adapter, RunOptions::default());
    if again.trace_hash != original.trace_hash {
        return Some(unknown(
            runs,
            "the adapter is not deterministic: a plain re-run gave another trace hash".into(),
        ));
    }

    let t_fv = violated.first_violation_t.unwrap_or(violated.worst_t);
    let steps = checkpoints(t_fv, world.dt);
    let mut best: Option<f64> = None;
    let mut errors = 0u32;
    for &step in &steps {
        for manoeuvre in Manoeuvre::ALL {
            runs += 1;
            let result =
                Simulation::run(world, &mut Switched::new(adapter, step, manoeuvre), RunOptions::default());
            if result.outcome == Outcome::Error {
                errors += 1;
                continue;
            }
            let Some(verdict) = result.verdicts.iter().find(|v| v.criterion == criterion) else { continue };
            best = Some(best.map_or(verdict.margin, |b: f64| b.max(verdict.margin)));
            let hard_ok =
                result.verdicts.iter().filter(|v| HARD_CRITERIA.contains(&v.criterion)).all(|v| v.passed);
            if verdict.passed && hard_ok {
                return Some(Triage {
                    avoidable: Some(true),
                    criterion: criterion.to_owned(),
                    manoeuvre: Some(manoeuvre.name().to_owned()),
                    from_t: Some(step as f64 * world.dt),
                    margin: Some(verdict.margin),
                    runs,
                    note: String::new(),
                });
            }
        }
    }
    let tried = format!(
        "{} manoeuvres from {} checkpoint(s) (t = {} s)",
        Manoeuvre::ALL.len(),
        steps.len(),
        steps.iter().map(|s| format!("{:.2}", *s as f64 * world.dt)).collect::<Vec<_>>().join(", ")
    );
    if errors > 0 {
        let mut t = unknown(
            runs,
            format!("{errors} oracle runs ended in error; none of the others of {tried} avoids it"),
        );
        t.margin = best;
        return Some(t);
    }
    Some(Triage {
        avoidable: Some(false),
        criterion: criterion.to_owned(),
        manoeuvre: None,
        from_t: None,
        margin: best,
        runs,
        note: format!("none of {tried} avoids it"),
    })
}

/// The first manoeuvre that, taking over at t = 0, violates no hard
/// criterion of `world` (no contact, stays on the road): evidence that the
/// instance can be survived at all, whatever the stack. `adapter` is reset
/// and ended but never asked. `Err` says what each manoeuvre reached.
pub fn survivable_from_start(
    world: &WorldSpec,
    adapter: &mut dyn AutonomyAdapter,
) -> Result<Manoeuvre, String> {
    let mut tried = Vec::new();
    for manoeuvre in Manoeuvre::ALL {
        let result = Simulation::run(world, &mut Switched::new(adapter, 0, manoeuvre), RunOptions::default());
        let hard: Vec<_> = result.verdicts.iter().filter(|v| HARD_CRITERIA.contains(&v.criterion)).collect();
        if result.outcome != Outcome::Error && hard.iter().all(|v| v.passed) {
            return Ok(manoeuvre);
        }
        let what: Vec<String> = hard.iter().map(|v| format!("{} {:.3}", v.criterion, v.margin)).collect();
        tried.push(format!("{}: {:?} {}", manoeuvre.name(), result.outcome, what.join(", ")));
    }
    Err(tried.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_are_latest_first_clipped_and_deduplicated() {
        assert_eq!(checkpoints(5.0, 0.05), vec![90, 80, 70, 60, 40, 20, 0]);
        assert_eq!(checkpoints(0.05, 0.05), vec![0]);
        assert_eq!(checkpoints(1.2, 0.1), vec![7, 2, 0]);
        assert_eq!(MAX_RUNS, 50);
    }
}
