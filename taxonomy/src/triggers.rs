//! Coverage of the triggering conditions: which runs ran under each condition (their tags lie
//! in one of its expressing cells), how they ended, and which of the hazards it can lead to
//! they exercised.

use serde::Serialize;

use crate::{Counts, JobFacts, Taxonomy};

/// One triggering condition's runs.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TriggerCoverage {
    /// Condition id (`TC-001`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Runs under the condition, by outcome.
    pub runs: Counts,
    /// Per hazard it can lead to (in its order): runs under the condition of scenarios naming
    /// that hazard.
    pub hazards: Vec<TriggerHazard>,
}

/// Runs under a condition of scenarios naming one of the hazards it can lead to.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TriggerHazard {
    /// Hazard id.
    pub hazard: String,
    /// Those runs, by outcome.
    pub runs: Counts,
}

/// The running tally, one slot per condition (in taxonomy order).
#[derive(Clone, Debug, Default)]
pub(crate) struct TriggerTally {
    runs: Vec<Counts>,
    hazards: Vec<Vec<Counts>>,
}

impl TriggerTally {
    pub(crate) fn new(taxonomy: &Taxonomy) -> Self {
        Self {
            runs: vec![Counts::default(); taxonomy.triggering_conditions.len()],
            hazards: taxonomy
                .triggering_conditions
                .iter()
                .map(|t| vec![Counts::default(); t.hazards.len()])
                .collect(),
        }
    }

    pub(crate) fn add(&mut self, taxonomy: &Taxonomy, fact: &JobFacts) {
        for (i, t) in taxonomy.triggering_conditions.iter().enumerate() {
            if !t.expressed_in(&fact.tags) {
                continue;
            }
            self.runs[i].add(fact.outcome);
            for (j, h) in t.hazards.iter().enumerate() {
                if fact.hazards.contains(h) {
                    self.hazards[i][j].add(fact.outcome);
                }
            }
        }
    }

    pub(crate) fn finish(self, taxonomy: &Taxonomy) -> Vec<TriggerCoverage> {
        taxonomy
            .triggering_conditions
            .iter()
            .zip(self.runs)
            .zip(self.hazards)
            .map(|((t, runs), hazards)| TriggerCoverage {
                id: t.id.clone(),
                title: t.title.clone(),
                runs,
                hazards: t
                    .hazards
                    .iter()
                    .zip(hazards)
                    .map(|(hazard, runs)| TriggerHazard { hazard: hazard.clone(), runs })
                    .collect(),
            })
            .collect()
    }
}
