//! Coverage arithmetic: from job facts and the taxonomy to a [`CoverageReport`].
//!
//! Terms used throughout:
//! - a *run* is one job (one scenario with one seed); its outcome is pass, fail or error;
//! - an *evidence run* is a run that reached a verdict (pass or fail); errors are counted but
//!   give no evidence either way;
//! - something is *exercised* when at least one evidence run touched it: a dimension value or a
//!   pair of values when the job's tags contain it, a hazard when the job names its id.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::model::IndexPair;
use crate::stats::{Interval, Share, Z_95, wilson_interval};
use crate::{
    AsilClass, Controllability, CriterionFact, Exposure, JobFacts, JobOutcome, RiskRank, Severity, Taxonomy,
};

/// Tunables of [`coverage`]; by default everything follows the taxonomy's
/// evidence policy ([`crate::EvidencePolicy`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoverageOptions {
    /// Overrides the runs an ASIL C or D hazard needs in top-risk coverage
    /// (the taxonomy's `min_passing_runs` for C and D otherwise).
    pub top_risk_min_runs: Option<u32>,
}

/// Runs by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Counts {
    /// All runs: `passed + failed + errored`.
    pub runs: u32,
    /// Runs that passed.
    pub passed: u32,
    /// Runs that failed (a criterion was violated).
    pub failed: u32,
    /// Runs that ended in an error (no verdict).
    pub errored: u32,
}

impl Counts {
    pub(crate) fn add(&mut self, outcome: JobOutcome) {
        self.runs += 1;
        match outcome {
            JobOutcome::Pass => self.passed += 1,
            JobOutcome::Fail => self.failed += 1,
            JobOutcome::Error => self.errored += 1,
        }
    }

    /// Evidence runs: `passed + failed`.
    pub fn evidence(&self) -> u32 {
        self.passed + self.failed
    }

    /// Whether at least one evidence run was counted.
    pub fn exercised(&self) -> bool {
        self.evidence() > 0
    }
}

/// A dimension and one of its values.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct ValueRef {
    /// Dimension id.
    pub dimension: String,
    /// Value id.
    pub value: String,
}

impl ValueRef {
    fn new(dimension: &str, value: &str) -> Self {
        Self { dimension: dimension.to_owned(), value: value.to_owned() }
    }
}

/// Coverage of one dimension value: the runs whose tags give the dimension that value.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ValueCoverage {
    /// The value.
    #[serde(flatten)]
    pub value: ValueRef,
    /// Runs tagged with it.
    pub counts: Counts,
    /// At least one evidence run.
    pub exercised: bool,
}

/// Coverage of one feasible pair: the runs whose tags contain both values.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PairCoverage {
    /// The value of the dimension that comes first in the taxonomy.
    pub a: ValueRef,
    /// The value of the other dimension.
    pub b: ValueRef,
    /// Runs tagged with both.
    pub counts: Counts,
    /// At least one evidence run.
    pub exercised: bool,
}

/// Pairwise coverage summed over the feasible pairs of two dimensions.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct DimensionPairCoverage {
    /// The dimension that comes first in the taxonomy.
    pub a: String,
    /// The other dimension.
    pub b: String,
    /// Exercised feasible pairs out of all feasible pairs of the two dimensions.
    pub pairs: Share,
}

/// The worst margin seen, and where: the smallest *normalised* margin
/// (margin / the criterion's scale), shown raw with its unit.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WorstMargin {
    /// The criterion.
    pub criterion: String,
    /// Its margin (negative = violated by that much), in the criterion's unit.
    pub margin: f64,
    /// The unit of `margin`.
    pub unit: String,
    /// `margin / scale`: what "worst" compares.
    pub normalized: f64,
    /// The requirements the verdict evidences.
    pub requirements: Vec<String>,
    /// The scenario of the run.
    pub scenario: String,
    /// The seed of the run.
    pub seed: u64,
}

/// Runs of a hazard's scenarios judged against the checks of its requirements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HazardChecks {
    /// Evidence runs naming the hazard with at least one verdict of a check of its requirements.
    pub checked: u32,
    /// Checked runs in which a check of one of its requirements failed.
    pub violated: u32,
    /// Checked runs in which every such check held: `checked - violated`.
    pub held: u32,
}

/// What the evidence says of a hazard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardStatus {
    /// A check of one of its requirements failed in a run of one of its scenarios.
    Violated,
    /// Its requirements' checks were judged and always held.
    Held,
    /// Its scenarios ran, but no check of its requirements was judged.
    NotChecked,
    /// No evidence run named it.
    Unexercised,
}

/// Evidence for one hazard: the runs of scenarios that name it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct HazardCoverage {
    /// Hazard id.
    pub id: String,
    /// Hazard title.
    pub title: String,
    /// Risk class.
    pub asil: AsilClass,
    /// Severity.
    pub severity: Severity,
    /// Exposure.
    pub exposure: Exposure,
    /// Controllability.
    pub controllability: Controllability,
    /// Runs naming the hazard, by the *scenario's* outcome (a run naming it twice counts
    /// once): a scenario can fail a criterion that no requirement of this hazard checks.
    pub counts: Counts,
    /// At least one evidence run.
    pub exercised: bool,
    /// Runs judged against the checks of its requirements, and how many violated one.
    pub checks: HazardChecks,
    /// Violated, held, not checked or unexercised (see [`HazardStatus`]).
    pub status: HazardStatus,
    /// `violated / checked`; `None` without checked runs.
    pub violation_rate: Option<f64>,
    /// 95 % Wilson score interval of the violation rate; `None` without checked runs.
    pub violation_interval: Option<Interval>,
    /// The worst (smallest normalised) margin over the verdicts of its requirements' checks
    /// only; NaN margins are skipped. `None` when no such verdict exists.
    pub worst_margin: Option<WorstMargin>,
    /// Ids of the requirements that mitigate it.
    pub requirements: Vec<String>,
}

/// Top-risk coverage: the share of ASIL C and D hazards whose evidence is
/// statistically sufficient (see [`TopRiskCoverage::rule`]).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TopRiskCoverage {
    /// The rule, in words, printed with the figure wherever it is shown.
    pub rule: String,
    /// Checked runs an ASIL C hazard needs.
    pub min_runs_c: u32,
    /// Checked runs an ASIL D hazard needs.
    pub min_runs_d: u32,
    /// The largest 95 % Wilson upper bound on the violation rate allowed.
    pub max_violation_rate: f64,
    /// Covered ASIL C and D hazards, out of all ASIL C and D hazards.
    pub hazards: Share,
    /// The ASIL C and D hazards not covered, riskiest first, each with why.
    pub short: Vec<TopRiskShortfall>,
}

/// An ASIL C or D hazard that top-risk coverage does not count.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TopRiskShortfall {
    /// Hazard id.
    pub id: String,
    /// Its class.
    pub asil: AsilClass,
    /// Checked runs.
    pub checked: u32,
    /// Runs that violated a check.
    pub violated: u32,
    /// Checked runs needed.
    pub needed: u32,
    /// 95 % Wilson upper bound of the violation rate; `None` without checked runs.
    pub upper: Option<f64>,
    /// Why, in words.
    pub why: String,
}

/// Whether a requirement's evidence for a hazard (or for all of them) suffices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TraceStatus {
    /// At least as many passing runs at the requirement's thresholds as its
    /// hazard's class needs, and no failing one.
    Complete,
    /// Passing runs, but fewer than needed, and no failing one.
    Insufficient,
    /// No passing run at the requirement's thresholds.
    Missing,
    /// A run violated one of its checks.
    Failing,
}

impl TraceStatus {
    /// `complete`, `insufficient`, `missing` or `failing`.
    pub fn as_str(self) -> &'static str {
        match self {
            TraceStatus::Complete => "complete",
            TraceStatus::Insufficient => "insufficient",
            TraceStatus::Missing => "missing",
            TraceStatus::Failing => "failing",
        }
    }
}

/// A run that violated a requirement's check.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FailingRun {
    /// Scenario id.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// The failed check's criterion.
    pub criterion: String,
    /// Its margin, in its unit.
    pub margin: f64,
    /// The unit.
    pub unit: String,
}

/// Most failing runs listed per requirement and hazard (the count is exact).
pub const FAILING_RUNS_LISTED: usize = 10;

/// One criterion's verdict in the latest run of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CriterionVerdict {
    /// Criterion name.
    pub criterion: String,
    /// Whether it held; `None` when the run did not evaluate it.
    pub passed: Option<bool>,
    /// Its margin; `None` when not evaluated.
    pub margin: Option<f64>,
}

/// The runs of one scenario as evidence for one hazard of one requirement.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ScenarioEvidence {
    /// Scenario id.
    pub scenario: String,
    /// Its runs that name the hazard.
    pub counts: Counts,
    /// The seed of the latest of those runs (the last in the order the facts were given).
    pub latest_seed: u64,
    /// The outcome of the latest run.
    pub latest_outcome: JobOutcome,
    /// The latest run's verdict on each of the requirement's checks (the verdict judged at
    /// the requirement's threshold), in the requirement's order.
    pub latest_verdicts: Vec<CriterionVerdict>,
}

/// One hazard of a requirement, with the scenarios that exercise it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct HazardTrace {
    /// Hazard id.
    pub id: String,
    /// Its risk class.
    pub asil: AsilClass,
    /// Scenarios naming it, by scenario id.
    pub scenarios: Vec<ScenarioEvidence>,
    /// At least one evidence run of a scenario naming it.
    pub executed: bool,
    /// Runs naming it in which every check of the requirement was judged and held.
    pub passing: u32,
    /// Runs naming it in which a check of the requirement failed.
    pub failing: u32,
    /// Runs naming it without a verdict on every check (errors, or checks the
    /// scenario cannot judge, such as `reach_goal` without a goal deadline).
    pub not_evaluated: u32,
    /// Passing runs the hazard's class needs ([`crate::EvidencePolicy`]).
    pub needed: u32,
    /// Complete, insufficient, missing or failing.
    pub status: TraceStatus,
    /// The first failing runs (at most [`FAILING_RUNS_LISTED`]).
    pub failing_runs: Vec<FailingRun>,
}

/// Traceability of one requirement: requirement → hazards → scenarios → latest verdicts.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RequirementTrace {
    /// Requirement id.
    pub id: String,
    /// Requirement text.
    pub text: String,
    /// Its checks, as written (`MinTtc(min: 2.0)`).
    pub checks: Vec<String>,
    /// Its hazards, in the requirement's order.
    pub hazards: Vec<HazardTrace>,
    /// The worst status of its hazards (failing, then missing, insufficient, complete).
    pub status: TraceStatus,
    /// `status` is complete: every hazard has enough passing runs and none failing.
    pub complete: bool,
}

/// An unexercised hazard.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct HazardGap {
    /// Hazard id.
    pub id: String,
    /// Hazard title.
    pub title: String,
    /// Its risk rank.
    pub rank: RiskRank,
    /// Runs that named it but ended in an error.
    pub errored: u32,
}

/// An unexercised feasible pair.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PairGap {
    /// First value (its dimension comes first in the taxonomy).
    pub a: ValueRef,
    /// Second value.
    pub b: ValueRef,
    /// The risk rank of the hazards that can arise there.
    pub rank: RiskRank,
    /// Ids of the hazards with a cell allowing both values.
    pub hazards: Vec<String>,
}

/// Holes in the evidence, riskiest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Gaps {
    /// Unexercised hazards, by risk rank (then severity, exposure, controllability, file order).
    pub hazards: Vec<HazardGap>,
    /// Unexercised feasible pairs, by the risk rank of the hazards that can arise there (then
    /// taxonomy order).
    pub pairs: Vec<PairGap>,
}

/// What a fact referred to that the taxonomy does not have; such tags and ids are left out of
/// every figure.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnknownReference {
    /// A tag key that is no dimension.
    Dimension {
        /// The key.
        dimension: String,
        /// Runs using it.
        runs: u32,
    },
    /// A tag value its dimension does not have.
    Value {
        /// The known dimension.
        dimension: String,
        /// The unknown value.
        value: String,
        /// Runs using it.
        runs: u32,
    },
    /// A hazard id the taxonomy does not have.
    Hazard {
        /// The id.
        hazard: String,
        /// Runs naming it.
        runs: u32,
    },
}

/// Everything coverage knows; see the field docs for the exact definition of each figure.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CoverageReport {
    /// All runs given, by outcome.
    pub jobs: Counts,
    /// Every dimension value, in taxonomy order.
    pub values: Vec<ValueCoverage>,
    /// Exercised values out of all values.
    pub value_coverage: Share,
    /// Every feasible pair (two values of two different dimensions that no exclusion rules
    /// out), dimensions in taxonomy order, then values in taxonomy order.
    pub pairs: Vec<PairCoverage>,
    /// Exercised feasible pairs out of all feasible pairs.
    pub pair_coverage: Share,
    /// Pairwise coverage per pair of dimensions, in taxonomy order.
    pub dimension_pairs: Vec<DimensionPairCoverage>,
    /// Every hazard, in taxonomy order.
    pub hazards: Vec<HazardCoverage>,
    /// Exercised hazards out of all hazards.
    pub hazard_coverage: Share,
    /// Risk-weighted coverage: Σ weight(class) over exercised hazards, out of Σ weight(class)
    /// over all hazards, with the weights of [`AsilClass::weight`] (QM 1, A 2, B 4, C 8, D 16).
    pub risk_weighted: Share,
    /// Top-risk coverage: the share of ASIL C and D hazards with statistically sufficient
    /// evidence ([`TopRiskCoverage::rule`]).
    pub top_risk: TopRiskCoverage,
    /// Requirement → hazards → scenarios → latest verdicts, in taxonomy order.
    pub traceability: Vec<RequirementTrace>,
    /// Traceability completeness: requirements whose status is complete (every hazard has
    /// enough passing runs at the requirement's thresholds, and none failing), out of all.
    pub completeness: Share,
    /// Unexercised hazards and pairs, riskiest first.
    pub gaps: Gaps,
    /// Tags and hazard ids in the facts that the taxonomy does not have, sorted.
    pub unknown: Vec<UnknownReference>,
    /// Per triggering condition, in taxonomy order: the runs under it and the hazards it can
    /// lead to that they exercised.
    pub triggering_conditions: Vec<crate::TriggerCoverage>,
}

/// Computes coverage of `taxonomy` by the runs described by `facts`.
///
/// The facts should come in the order the runs finished: "latest" in traceability means last
/// in this order. Every other figure is independent of the order.
pub fn coverage<'a>(
    taxonomy: &Taxonomy,
    facts: impl IntoIterator<Item = &'a JobFacts>,
    options: &CoverageOptions,
) -> CoverageReport {
    let mut acc = CoverageBuilder::new(taxonomy);
    for fact in facts {
        acc.add(fact);
    }
    acc.finish(options)
}

/// The latest run of one scenario naming one hazard.
struct Latest {
    seed: u64,
    outcome: JobOutcome,
    verdicts: Vec<CriterionFact>,
}

/// Computes coverage one job at a time: [`coverage`] without holding the facts.
///
/// Memory is bounded by the taxonomy and the scenarios seen (per hazard and
/// scenario, the verdicts of the latest run), not by the number of jobs.
/// Adding facts in the order the runs finished and calling
/// [`finish`](Self::finish) gives exactly [`coverage`] of the same facts.
pub struct CoverageBuilder<'a> {
    taxonomy: &'a Taxonomy,
    jobs: Counts,
    /// Per dimension, per value.
    values: Vec<Vec<Counts>>,
    /// Keyed by ((dimension index, value index), (dimension index, value index)), a before b.
    pairs: BTreeMap<IndexPair, Counts>,
    hazards: Vec<Counts>,
    /// Per hazard: runs judged against its requirements' checks.
    checks: Vec<HazardChecks>,
    worst: Vec<Option<WorstMargin>>,
    /// Per hazard: scenario id → (counts, latest run).
    scenarios: Vec<BTreeMap<String, (Counts, Latest)>>,
    unknown_dimensions: BTreeMap<String, u32>,
    unknown_values: BTreeMap<(String, String), u32>,
    unknown_hazards: BTreeMap<String, u32>,
    /// Per hazard: the ids of the requirements that mitigate it.
    mitigated_by: Vec<BTreeSet<&'a str>>,
    /// Per requirement, per hazard of it (in its order): the evidence so far.
    traces: Vec<Vec<TraceAcc>>,
    triggers: crate::triggers::TriggerTally,
}

/// A requirement's evidence for one hazard, accumulated.
#[derive(Default)]
struct TraceAcc {
    passing: u32,
    failing: u32,
    not_evaluated: u32,
    failing_runs: Vec<FailingRun>,
}

impl<'a> CoverageBuilder<'a> {
    /// An empty builder for `taxonomy`.
    pub fn new(taxonomy: &'a Taxonomy) -> Self {
        let pairs =
            taxonomy.feasible_pair_indices().into_iter().map(|pair| (pair, Counts::default())).collect();
        let mitigated_by = taxonomy
            .hazards
            .iter()
            .map(|h| taxonomy.requirements_for(&h.id).map(|r| r.id.as_str()).collect())
            .collect();
        let traces = taxonomy
            .requirements
            .iter()
            .map(|r| r.hazards.iter().map(|_| TraceAcc::default()).collect())
            .collect();
        Self {
            taxonomy,
            jobs: Counts::default(),
            values: taxonomy.dimensions.iter().map(|d| vec![Counts::default(); d.values.len()]).collect(),
            pairs,
            hazards: vec![Counts::default(); taxonomy.hazards.len()],
            checks: vec![HazardChecks::default(); taxonomy.hazards.len()],
            worst: vec![None; taxonomy.hazards.len()],
            scenarios: taxonomy.hazards.iter().map(|_| BTreeMap::new()).collect(),
            unknown_dimensions: BTreeMap::new(),
            unknown_values: BTreeMap::new(),
            unknown_hazards: BTreeMap::new(),
            mitigated_by,
            traces,
            triggers: crate::triggers::TriggerTally::new(taxonomy),
        }
    }

    /// Counts one finished job; later jobs are "latest" in traceability.
    pub fn add(&mut self, fact: &JobFacts) {
        let outcome = fact.outcome;
        self.jobs.add(outcome);
        self.triggers.add(self.taxonomy, fact);

        let mut tagged: Vec<(usize, usize)> = Vec::new();
        for (dimension, value) in &fact.tags {
            let Some(d) = self.taxonomy.dimensions.iter().position(|d| &d.id == dimension) else {
                *self.unknown_dimensions.entry(dimension.clone()).or_default() += 1;
                continue;
            };
            let Some(v) = self.taxonomy.dimensions[d].values.iter().position(|v| &v.id == value) else {
                *self.unknown_values.entry((dimension.clone(), value.clone())).or_default() += 1;
                continue;
            };
            self.values[d][v].add(outcome);
            tagged.push((d, v));
        }
        tagged.sort_unstable();
        for (i, &a) in tagged.iter().enumerate() {
            for &b in &tagged[i + 1..] {
                // Absent when the tags form an excluded pair: that is no feasible pair to cover.
                if let Some(counts) = self.pairs.get_mut(&(a, b)) {
                    counts.add(outcome);
                }
            }
        }

        for (i, id) in fact.hazards.iter().enumerate() {
            if fact.hazards[..i].contains(id) {
                continue;
            }
            let Some(h) = self.taxonomy.hazards.iter().position(|h| &h.id == id) else {
                *self.unknown_hazards.entry(id.clone()).or_default() += 1;
                continue;
            };
            self.hazards[h].add(outcome);
            match self.scenarios[h].get_mut(&fact.scenario) {
                Some((counts, last)) => {
                    counts.add(outcome);
                    last.seed = fact.seed;
                    last.outcome = outcome;
                    last.verdicts.clone_from(&fact.verdicts);
                }
                None => {
                    let mut counts = Counts::default();
                    counts.add(outcome);
                    let latest = Latest { seed: fact.seed, outcome, verdicts: fact.verdicts.clone() };
                    self.scenarios[h].insert(fact.scenario.clone(), (counts, latest));
                }
            }
            if outcome.is_evidence() {
                self.judge_hazard(h, fact);
            }
        }
        for (r, requirement) in self.taxonomy.requirements.iter().enumerate() {
            for (k, hazard) in requirement.hazards.iter().enumerate() {
                if fact.hazards.contains(hazard) {
                    Self::judge_requirement(&mut self.traces[r][k], requirement, fact);
                }
            }
        }
    }

    /// Counts a run naming hazard `h` against the checks of its requirements.
    fn judge_hazard(&mut self, h: usize, fact: &JobFacts) {
        let mitigated_by = &self.mitigated_by[h];
        let mut checked = false;
        let mut violated = false;
        for verdict in &fact.verdicts {
            if !verdict.requirements.iter().any(|r| mitigated_by.contains(r.as_str())) {
                continue;
            }
            checked = true;
            violated |= !verdict.passed;
            let normalized = verdict.normalized_margin();
            let worse = self.worst[h].as_ref().is_none_or(|w| normalized < w.normalized);
            if !verdict.margin.is_nan() && worse {
                self.worst[h] = Some(WorstMargin {
                    criterion: verdict.criterion.clone(),
                    margin: verdict.margin,
                    unit: verdict.unit.clone(),
                    normalized,
                    requirements: verdict.requirements.clone(),
                    scenario: fact.scenario.clone(),
                    seed: fact.seed,
                });
            }
        }
        let c = &mut self.checks[h];
        if checked {
            c.checked += 1;
            if violated {
                c.violated += 1;
            } else {
                c.held += 1;
            }
        }
    }

    /// Counts a run naming one of `requirement`'s hazards as evidence for it:
    /// passing when every check was judged at the requirement's threshold and
    /// held, failing when one failed.
    fn judge_requirement(acc: &mut TraceAcc, requirement: &crate::Requirement, fact: &JobFacts) {
        if !fact.outcome.is_evidence() {
            acc.not_evaluated += 1;
            return;
        }
        let judged: Vec<&CriterionFact> =
            fact.verdicts.iter().filter(|v| v.evidences(&requirement.id)).collect();
        if let Some(failed) = judged.iter().find(|v| !v.passed) {
            acc.failing += 1;
            if acc.failing_runs.len() < FAILING_RUNS_LISTED {
                acc.failing_runs.push(FailingRun {
                    scenario: fact.scenario.clone(),
                    seed: fact.seed,
                    criterion: failed.criterion.clone(),
                    margin: failed.margin,
                    unit: failed.unit.clone(),
                });
            }
        } else if requirement.checks.iter().all(|c| judged.iter().any(|v| v.criterion == c.criterion())) {
            acc.passing += 1;
        } else {
            acc.not_evaluated += 1;
        }
    }

    /// The coverage of every job added.
    pub fn finish(mut self, options: &CoverageOptions) -> CoverageReport {
        let t = self.taxonomy;

        let mut values = Vec::new();
        for (d, dimension) in t.dimensions.iter().enumerate() {
            for (v, value) in dimension.values.iter().enumerate() {
                let counts = self.values[d][v];
                values.push(ValueCoverage {
                    value: ValueRef::new(&dimension.id, &value.id),
                    counts,
                    exercised: counts.exercised(),
                });
            }
        }
        let value_coverage = share_of(values.iter().map(|v| v.exercised));

        let value_ref =
            |(d, v): (usize, usize)| ValueRef::new(&t.dimensions[d].id, &t.dimensions[d].values[v].id);
        let pairs: Vec<PairCoverage> = self
            .pairs
            .iter()
            .map(|(&(a, b), &counts)| PairCoverage {
                a: value_ref(a),
                b: value_ref(b),
                counts,
                exercised: counts.exercised(),
            })
            .collect();
        let pair_coverage = share_of(pairs.iter().map(|p| p.exercised));
        let mut dimension_pairs = Vec::new();
        for (i, da) in t.dimensions.iter().enumerate() {
            for db in &t.dimensions[i + 1..] {
                let of_these = pairs.iter().filter(|p| p.a.dimension == da.id && p.b.dimension == db.id);
                dimension_pairs.push(DimensionPairCoverage {
                    a: da.id.clone(),
                    b: db.id.clone(),
                    pairs: share_of(of_these.map(|p| p.exercised)),
                });
            }
        }

        let mut hazards = Vec::new();
        for (h, hazard) in t.hazards.iter().enumerate() {
            let counts = self.hazards[h];
            let checks = self.checks[h];
            let status = if checks.violated > 0 {
                HazardStatus::Violated
            } else if checks.checked > 0 {
                HazardStatus::Held
            } else if counts.exercised() {
                HazardStatus::NotChecked
            } else {
                HazardStatus::Unexercised
            };
            hazards.push(HazardCoverage {
                id: hazard.id.clone(),
                title: hazard.title.clone(),
                asil: hazard.asil,
                severity: hazard.severity,
                exposure: hazard.exposure,
                controllability: hazard.controllability,
                counts,
                exercised: counts.exercised(),
                checks,
                status,
                violation_rate: (checks.checked > 0)
                    .then(|| f64::from(checks.violated) / f64::from(checks.checked)),
                violation_interval: wilson_interval(checks.violated, checks.checked, Z_95),
                worst_margin: self.worst[h].clone(),
                requirements: t.requirements_for(&hazard.id).map(|r| r.id.clone()).collect(),
            });
        }
        let hazard_coverage = share_of(hazards.iter().map(|h| h.exercised));
        let weight = |h: &HazardCoverage| h.asil.weight();
        let risk_weighted = Share::new(
            hazards.iter().filter(|h| h.exercised).map(weight).sum(),
            hazards.iter().map(weight).sum(),
        );

        let ranked = rank_hazards(t, &hazards);
        let policy = t.evidence();
        let needed = |asil: AsilClass| options.top_risk_min_runs.unwrap_or_else(|| policy.min_runs(asil));
        let (min_runs_c, min_runs_d) = (needed(AsilClass::C), needed(AsilClass::D));
        let max_rate = policy.max_violation_rate;
        let top: Vec<&&HazardCoverage> = ranked.iter().filter(|h| h.asil >= AsilClass::C).collect();
        let short: Vec<TopRiskShortfall> = top
            .iter()
            .filter_map(|h| {
                let needed = needed(h.asil);
                let upper = h.violation_interval.map(|i| i.high);
                let c = h.checks;
                let why = if c.violated > 0 {
                    format!("{} of {} checked runs violated a check", c.violated, c.checked)
                } else if c.checked < needed {
                    format!("{} checked run(s), {needed} needed", c.checked)
                } else if upper.is_none_or(|u| u > max_rate) {
                    format!("upper bound {:.3} above {max_rate}", upper.unwrap_or(1.0))
                } else {
                    return None;
                };
                Some(TopRiskShortfall {
                    id: h.id.clone(),
                    asil: h.asil,
                    checked: c.checked,
                    violated: c.violated,
                    needed,
                    upper,
                    why,
                })
            })
            .collect();
        let top_risk = TopRiskCoverage {
            rule: format!(
                "an ASIL C (D) hazard is covered when at least {min_runs_c} ({min_runs_d}) runs of its \
                 scenarios were judged against the checks of its requirements, none violated one, and \
                 the 95 % Wilson upper bound on its violation rate is at most {max_rate}"
            ),
            min_runs_c,
            min_runs_d,
            max_violation_rate: max_rate,
            hazards: Share::new(top.len() as u32 - short.len() as u32, top.len() as u32),
            short,
        };

        let mut traces = std::mem::take(&mut self.traces);
        let traceability: Vec<RequirementTrace> = t
            .requirements
            .iter()
            .zip(traces.iter_mut())
            .map(|(r, accs)| {
                let hazards: Vec<HazardTrace> = r
                    .hazards
                    .iter()
                    .zip(accs.iter_mut())
                    .filter_map(|(id, acc)| {
                        let h = t.hazards.iter().position(|h| &h.id == id)?;
                        Some(self.scenarios_of(h, r, std::mem::take(acc), policy.min_runs(t.hazards[h].asil)))
                    })
                    .collect();
                let status = hazards
                    .iter()
                    .map(|h| h.status)
                    .max_by_key(|s| severity(*s))
                    .unwrap_or(TraceStatus::Missing);
                RequirementTrace {
                    id: r.id.clone(),
                    text: r.text.clone(),
                    checks: r.checks.iter().map(ToString::to_string).collect(),
                    complete: status == TraceStatus::Complete,
                    status,
                    hazards,
                }
            })
            .collect();
        let completeness = share_of(traceability.iter().map(|r| r.complete));

        let hazard_gaps = ranked
            .iter()
            .filter(|h| !h.exercised)
            .map(|h| HazardGap {
                id: h.id.clone(),
                title: h.title.clone(),
                rank: t.scenario_risk(&[h.id.as_str()]),
                errored: h.counts.errored,
            })
            .collect();
        let mut pair_gaps: Vec<PairGap> = pairs
            .iter()
            .filter(|p| !p.exercised)
            .map(|p| {
                let ids: Vec<String> = t
                    .hazards
                    .iter()
                    .filter(|h| h.can_arise_with((&p.a.dimension, &p.a.value), (&p.b.dimension, &p.b.value)))
                    .map(|h| h.id.clone())
                    .collect();
                PairGap { a: p.a.clone(), b: p.b.clone(), rank: t.scenario_risk(&ids), hazards: ids }
            })
            .collect();
        // Stable: equal ranks keep taxonomy order.
        pair_gaps.sort_by_key(|g| std::cmp::Reverse(g.rank));

        let mut unknown: Vec<UnknownReference> = Vec::new();
        unknown.extend(
            self.unknown_dimensions
                .into_iter()
                .map(|(dimension, runs)| UnknownReference::Dimension { dimension, runs }),
        );
        unknown.extend(
            self.unknown_values.into_iter().map(|((dimension, value), runs)| UnknownReference::Value {
                dimension,
                value,
                runs,
            }),
        );
        unknown.extend(
            self.unknown_hazards.into_iter().map(|(hazard, runs)| UnknownReference::Hazard { hazard, runs }),
        );
        unknown.sort();

        CoverageReport {
            jobs: self.jobs,
            values,
            value_coverage,
            pairs,
            pair_coverage,
            dimension_pairs,
            hazards,
            hazard_coverage,
            risk_weighted,
            top_risk,
            traceability,
            completeness,
            gaps: Gaps { hazards: hazard_gaps, pairs: pair_gaps },
            unknown,
            triggering_conditions: self.triggers.finish(self.taxonomy),
        }
    }

    fn scenarios_of(
        &self,
        h: usize,
        requirement: &crate::Requirement,
        acc: TraceAcc,
        needed: u32,
    ) -> HazardTrace {
        let hazard = &self.taxonomy.hazards[h];
        let scenarios: Vec<ScenarioEvidence> = self.scenarios[h]
            .iter()
            .map(|(scenario, (counts, latest))| ScenarioEvidence {
                scenario: scenario.clone(),
                counts: *counts,
                latest_seed: latest.seed,
                latest_outcome: latest.outcome,
                latest_verdicts: requirement
                    .checks
                    .iter()
                    .map(|c| {
                        let verdict = latest
                            .verdicts
                            .iter()
                            .rev()
                            .find(|v| v.criterion == c.criterion() && v.evidences(&requirement.id));
                        CriterionVerdict {
                            criterion: c.criterion().to_owned(),
                            passed: verdict.map(|v| v.passed),
                            margin: verdict.map(|v| v.margin),
                        }
                    })
                    .collect(),
            })
            .collect();
        let status = if acc.failing > 0 {
            TraceStatus::Failing
        } else if acc.passing == 0 {
            TraceStatus::Missing
        } else if acc.passing < needed {
            TraceStatus::Insufficient
        } else {
            TraceStatus::Complete
        };
        HazardTrace {
            id: hazard.id.clone(),
            asil: hazard.asil,
            executed: self.hazards[h].exercised(),
            scenarios,
            passing: acc.passing,
            failing: acc.failing,
            not_evaluated: acc.not_evaluated,
            needed,
            status,
            failing_runs: acc.failing_runs,
        }
    }
}

/// How bad a trace status is: failing, then missing, insufficient, complete.
fn severity(status: TraceStatus) -> u8 {
    match status {
        TraceStatus::Complete => 0,
        TraceStatus::Insufficient => 1,
        TraceStatus::Missing => 2,
        TraceStatus::Failing => 3,
    }
}

fn share_of(flags: impl Iterator<Item = bool>) -> Share {
    let (mut covered, mut total) = (0, 0);
    for flag in flags {
        total += 1;
        covered += u32::from(flag);
    }
    Share::new(covered, total)
}

/// Hazards riskiest first: rank, then severity, exposure, controllability; ties keep file order.
fn rank_hazards<'h>(t: &Taxonomy, hazards: &'h [HazardCoverage]) -> Vec<&'h HazardCoverage> {
    let mut ranked: Vec<&HazardCoverage> = hazards.iter().collect();
    ranked.sort_by(|x, y| {
        let key = |h: &HazardCoverage| {
            (t.scenario_risk(&[h.id.as_str()]), h.severity, h.exposure, h.controllability)
        };
        key(y).cmp(&key(x))
    });
    ranked
}
