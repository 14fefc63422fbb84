//! Records as the taxonomy's coverage facts, and coverage of a record set.

use gauntlet_taxonomy::{
    CoverageBuilder, CoverageOptions, CoverageReport, CriterionFact, JobFacts, JobOutcome, Taxonomy,
};

use crate::monitors::{MonitorOptions, MonitorReport, score_monitors};
use crate::record::{Outcome, RunRecord};

/// What coverage needs to know of a record.
pub fn job_facts(r: &RunRecord) -> JobFacts {
    JobFacts {
        scenario: r.scenario.clone(),
        seed: r.seed,
        tags: r.tags.clone(),
        hazards: r.hazards.clone(),
        outcome: match r.outcome {
            Outcome::Pass => JobOutcome::Pass,
            Outcome::Fail => JobOutcome::Fail,
            Outcome::Error => JobOutcome::Error,
        },
        verdicts: r
            .verdicts
            .iter()
            .map(|v| CriterionFact {
                criterion: v.criterion.clone(),
                passed: v.passed,
                margin: v.margin,
                unit: v.unit.clone(),
                scale: v.scale.unwrap_or(1.0),
                requirements: v.requirements.clone(),
            })
            .collect(),
    }
}

/// Coverage of `taxonomy` by `records` ("latest" verdicts are the last in the given order).
pub fn record_coverage<'a>(
    taxonomy: &Taxonomy,
    records: impl IntoIterator<Item = &'a RunRecord>,
    options: &CoverageOptions,
) -> CoverageReport {
    let mut builder = CoverageBuilder::new(taxonomy);
    for r in records {
        builder.add(&job_facts(r));
    }
    builder.finish(options)
}

/// `gauntlet coverage --format json` (and the evidence pack's
/// `coverage.json`): the coverage report's fields, and the runtime-monitor
/// figures of the same records when any names a monitor.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct CoverageDocument {
    /// Coverage of the taxonomy.
    #[serde(flatten)]
    pub coverage: CoverageReport,
    /// Runtime-monitor effectiveness ([`crate::monitors`]); absent when no
    /// record names a monitor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitors: Option<MonitorReport>,
    /// Coverage by evidence source (library, generated, fuzz) apart and together
    /// ([`crate::provenance`]); absent when every record is a library run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_source: Vec<crate::provenance::SourceCoverage>,
    /// Uncovered feasible pairs that no transform can reach (neither value is
    /// realisable): they need a hand-written scenario. Each `dimension: value × dimension: value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hand_written: Vec<String>,
}

impl CoverageDocument {
    /// The document of `coverage` and the monitor figures of `records`.
    pub fn new<'a>(
        coverage: CoverageReport,
        records: impl IntoIterator<Item = &'a RunRecord>,
        options: MonitorOptions,
    ) -> Self {
        let monitors = score_monitors(records, options);
        Self {
            coverage,
            monitors: (!monitors.is_empty()).then_some(monitors),
            by_source: Vec::new(),
            hand_written: Vec::new(),
        }
    }
}
