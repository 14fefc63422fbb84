//! What coverage needs to know about one finished job, free of any engine or record type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The facts of one finished job (one scenario run with one seed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct JobFacts {
    /// Scenario id.
    pub scenario: String,
    /// The seed it ran with.
    pub seed: u64,
    /// The scenario's tags: dimension id → value id.
    pub tags: BTreeMap<String, String>,
    /// The hazard ids the scenario names.
    pub hazards: Vec<String>,
    /// How the job ended.
    pub outcome: JobOutcome,
    /// The verdict of each criterion evaluated.
    pub verdicts: Vec<CriterionFact>,
}

/// How a job ended.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum JobOutcome {
    /// Every criterion held.
    Pass,
    /// At least one criterion was violated.
    Fail,
    /// The job gave no verdict (adapter or engine error, timeout): no evidence either way.
    Error,
}

impl JobOutcome {
    /// Whether the job ran to a verdict (pass or fail), and so is evidence.
    pub fn is_evidence(self) -> bool {
        self != JobOutcome::Error
    }
}

/// The verdict of one criterion in one job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CriterionFact {
    /// Criterion name, one of [`CRITERIA`](crate::CRITERIA).
    pub criterion: String,
    /// Whether it held.
    pub passed: bool,
    /// Signed robustness: positive = held by that much, negative = violated by that much, in
    /// the criterion's own unit.
    pub margin: f64,
    /// The unit of `margin` (`m`, `s`, …); empty when unknown.
    #[serde(default)]
    pub unit: String,
    /// One typical safety buffer in that unit: `margin / scale` compares across criteria.
    #[serde(default = "one")]
    pub scale: f64,
    /// The requirements this verdict is evidence for (it is one of their
    /// checks, at their threshold); empty for a scenario's own criterion.
    #[serde(default)]
    pub requirements: Vec<String>,
}

impl CriterionFact {
    /// The margin divided by the criterion's scale.
    pub fn normalized_margin(&self) -> f64 {
        self.margin / if self.scale > 0.0 { self.scale } else { 1.0 }
    }

    /// Whether this verdict is evidence for requirement `id`.
    pub fn evidences(&self, id: &str) -> bool {
        self.requirements.iter().any(|r| r == id)
    }
}

fn one() -> f64 {
    1.0
}
