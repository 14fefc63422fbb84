//! Fairness of a generated scenario: at its nominal instance, some control
//! within the ego's limits avoids every violation.
//!
//! The witness is the reference driver: when it passes the nominal instance
//! (seed 0, judged by the scenario's criteria and its requirements' checks),
//! the scenario is fair. When it fails, failure triage ([`crate::triage`])
//! re-runs the instance switching to oracle manoeuvres (full braking,
//! braking or swerving to the next lane, holding speed, accelerating) at
//! checkpoints before the first violation; the scenario is fair when one of
//! them avoids that violation without contact or leaving the road, and
//! unfair (discarded, with the reason) when none does or triage cannot
//! settle it. Triage judges the first violated criterion only, so a
//! scenario that violates several is judged by its first.

use std::sync::Arc;

use gauntlet_engine::AutonomyAdapter;
use gauntlet_reports::record::Outcome;
use gauntlet_scenarios::Scenario;
use gauntlet_taxonomy::Taxonomy;

use crate::checks::requirement_checks;
use crate::job::{AdapterIdentity, Job, Tracing, run_job};

/// Whether a scenario is fair, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fairness {
    /// Some control within the ego's limits avoids every violation (why).
    Fair(String),
    /// None was found (why).
    Unfair(String),
}

/// Judges `scenario` at its nominal instance with `reference` (the reference
/// driver, whose identity is `identity`); also returns the simulations spent.
pub fn fairness(
    scenario: &Arc<Scenario>,
    taxonomy: &Taxonomy,
    reference: &mut dyn AutonomyAdapter,
    identity: &AdapterIdentity,
) -> (Fairness, usize) {
    let checks = requirement_checks(taxonomy, scenario.hazards());
    let job = Job::seeded(Arc::clone(scenario), 0).with_checks(checks.into());
    let record = run_job(&job, reference, identity, Tracing::Off, true).record;
    let runs = 1 + record.triage.as_ref().map_or(0, |t| t.runs as usize);
    let verdict = match (record.outcome, &record.triage) {
        (Outcome::Pass, _) => Fairness::Fair("the reference driver passes its nominal instance".into()),
        (Outcome::Error, _) => Fairness::Unfair(format!(
            "its nominal instance ends in an error: {}",
            record.error.as_ref().map_or("", |e| e.message.as_str())
        )),
        (Outcome::Fail, Some(t)) if t.avoidable == Some(true) => Fairness::Fair(format!(
            "the reference driver violates {} at its nominal instance, but {} from t = {:.2} s avoids it",
            t.criterion,
            t.manoeuvre.as_deref().unwrap_or("an oracle manoeuvre"),
            t.from_t.unwrap_or(0.0)
        )),
        (Outcome::Fail, Some(t)) => Fairness::Unfair(format!(
            "{} is violated at its nominal instance and {}: {}",
            t.criterion,
            if t.avoidable == Some(false) {
                "no manoeuvre within the ego's limits avoids it"
            } else {
                "triage cannot settle it"
            },
            t.note
        )),
        (Outcome::Fail, None) => {
            Fairness::Unfair("it fails at its nominal instance and was not triaged".into())
        }
    };
    (verdict, runs)
}
