//! The validated taxonomy: what the rest of Gauntlet reads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gauntlet_ron_source::{Diagnostic, SourceFile};
use serde::Serialize;

use crate::{AsilClass, Controllability, Exposure, Severity, raw, validate};

/// A dimension id and one of its value ids, as `("road", "urban")`.
pub type ValueId<'a> = (&'a str, &'a str);

/// A pair of values by position: ((dimension index, value index), (dimension index, value index)).
pub(crate) type IndexPair = ((usize, usize), (usize, usize));

/// The criterion names a requirement may cite as evidence (the engine's oracles).
pub const CRITERIA: [&str; 10] = [
    "no_collision",
    "min_ttc",
    "min_gap",
    "stay_on_road",
    "speed_limit",
    "max_decel",
    "max_jerk",
    "reach_goal",
    "stop_at_red",
    "stop_at_sign",
];

/// The shipped default taxonomy (`taxonomy/default.ron`), built into the library so the binary
/// works from any directory.
pub const DEFAULT_TAXONOMY: &str = include_str!("../default.ron");

/// The coverage model: dimensions of the operating domain, exclusions, hazards and safety
/// requirements, validated (every reference resolves, every id is unique).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Taxonomy {
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) exclusions: Vec<Exclusion>,
    pub(crate) hazards: Vec<Hazard>,
    pub(crate) requirements: Vec<Requirement>,
    pub(crate) evidence: EvidencePolicy,
    pub(crate) retired: Vec<String>,
    pub(crate) triggering_conditions: Vec<TriggeringCondition>,
}

/// What evidence a requirement and a top-risk hazard need, by risk class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvidencePolicy {
    /// Passing runs, at the requirement's own thresholds, that a requirement
    /// needs for each hazard it mitigates, by the hazard's ASIL (QM, A, B, C, D).
    pub min_passing_runs: [u32; 5],
    /// The largest 95 % Wilson upper bound on the violation rate that an
    /// ASIL C or D hazard may show to count in top-risk coverage.
    pub max_violation_rate: f64,
}

impl Default for EvidencePolicy {
    fn default() -> Self {
        Self { min_passing_runs: [1, 2, 4, 8, 8], max_violation_rate: 0.3 }
    }
}

impl EvidencePolicy {
    /// Passing runs needed for a hazard of class `asil`.
    pub fn min_runs(&self, asil: AsilClass) -> u32 {
        self.min_passing_runs[asil as usize]
    }
}

/// One dimension of the operating domain, such as `road` or `friction`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dimension {
    /// Stable id, lowercase `snake_case`; scenario tags use it as key.
    pub id: String,
    /// Human-readable name.
    pub title: String,
    /// The values, in file order; at least one.
    pub values: Vec<DimensionValue>,
}

impl Dimension {
    /// The value with this id.
    pub fn value(&self, id: &str) -> Option<&DimensionValue> {
        self.values.iter().find(|v| v.id == id)
    }
}

/// One value of a dimension, such as `wet` for `friction`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DimensionValue {
    /// Stable id, lowercase `snake_case`, unique within its dimension.
    pub id: String,
    /// Human-readable name.
    pub title: String,
}

/// A set of operating conditions: for each constrained dimension the values allowed; a
/// dimension not named is unconstrained (any value).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Cell {
    /// Dimension id → allowed value ids (never empty).
    pub constraints: BTreeMap<String, BTreeSet<String>>,
}

impl Cell {
    /// Whether the value `value` of dimension `dimension` is allowed.
    pub fn allows(&self, dimension: &str, value: &str) -> bool {
        self.constraints.get(dimension).is_none_or(|values| values.contains(value))
    }

    /// Whether some situation with these tags (dimension → value) can lie in this cell:
    /// every tagged dimension is allowed; untagged dimensions can take any value.
    pub fn admits(&self, tags: &BTreeMap<String, String>) -> bool {
        tags.iter().all(|(d, v)| self.allows(d, v))
    }

    /// Whether every situation with these tags lies in this cell: each constrained dimension is
    /// tagged, with an allowed value.
    pub fn contains(&self, tags: &BTreeMap<String, String>) -> bool {
        self.constraints.iter().all(|(d, values)| tags.get(d).is_some_and(|v| values.contains(v)))
    }
}

/// A combination of values that cannot exist (a crosswalk in a curve, high speed in a yard).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    /// The excluded combination; constrains at least two dimensions.
    pub when: Cell,
    /// Why it cannot exist.
    pub reason: String,
}

/// A hazard: a potential source of harm, classified per ISO 26262-3.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hazard {
    /// Stable id (`H-001`), never reused, even after the hazard is retired.
    pub id: String,
    /// One line describing the hazardous event.
    pub title: String,
    /// Severity of the harm.
    pub severity: Severity,
    /// Exposure to the operational situation.
    pub exposure: Exposure,
    /// Controllability by the people involved.
    pub controllability: Controllability,
    /// The risk class, derived from the three above by [`asil`](crate::asil).
    pub asil: AsilClass,
    /// Why these S, E and C were chosen, as one text: the three parts of
    /// [`Hazard::rationale_by_rating`] joined.
    pub rationale: String,
    /// Why each rating was chosen (each part non-empty).
    pub rationale_by_rating: Rationale,
    /// Where in the operating domain the hazard can arise (a union of cells; at least one).
    pub cells: Vec<Cell>,
}

impl Hazard {
    /// Whether the hazard can arise where dimension `a` has value `va` and `b` has `vb`.
    pub fn can_arise_with(&self, a: ValueId<'_>, b: ValueId<'_>) -> bool {
        self.cells.iter().any(|cell| cell.allows(a.0, a.1) && cell.allows(b.0, b.1))
    }

    /// Whether the hazard can arise in a situation with these tags.
    pub fn can_arise_in(&self, tags: &BTreeMap<String, String>) -> bool {
        self.cells.iter().any(|cell| cell.admits(tags))
    }
}

/// Why a hazard carries its severity, exposure and controllability: one written reason per
/// rating, as an assessor reviews them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rationale {
    /// Why this severity: the harm to the people involved at the speeds of the hazard's cells.
    pub severity: String,
    /// Why this exposure: how common the driving situation is (not how rare a fault is).
    pub exposure: String,
    /// Why this controllability: what the people present (other road users; no fallback
    /// driver unless stated) can do to avoid the harm.
    pub controllability: String,
}

impl Rationale {
    /// The three reasons as one text: "S: …; E: …; C: …".
    pub fn joined(&self) -> String {
        format!("S: {}; E: {}; C: {}", self.severity, self.exposure, self.controllability)
    }
}

/// A triggering condition (ISO 21448): a specific condition of a driving situation, such as a
/// perception fault or low friction, that can start a chain of events leading to a hazard. It
/// is not itself a hazard: it is expressed by dimension values and linked to the hazards it can
/// lead to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TriggeringCondition {
    /// Stable id (`TC-001`), never reused.
    pub id: String,
    /// One line naming the condition.
    pub title: String,
    /// The operating conditions that express it: a run whose tags lie in one of these cells ran
    /// under the condition (at least one cell, each constraining at least one dimension).
    pub expressed_by: Vec<Cell>,
    /// Ids of the hazards it can lead to (at least one, each known, each able to arise under
    /// the condition).
    pub hazards: Vec<String>,
    /// Free text: assumptions, history (e.g. the hazard id it replaces).
    pub note: String,
}

impl TriggeringCondition {
    /// Whether a run with these tags ran under the condition: one expressing cell contains them.
    pub fn expressed_in(&self, tags: &BTreeMap<String, String>) -> bool {
        self.expressed_by.iter().any(|cell| cell.contains(tags))
    }
}

/// A safety requirement: what the system must do so that its hazards do not lead to harm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Requirement {
    /// Stable id (`SR-001`), never reused.
    pub id: String,
    /// The requirement, one or two sentences.
    pub text: String,
    /// Ids of the hazards it mitigates (at least one, each known).
    pub hazards: Vec<String>,
    /// The checks that evidence it: each a criterion at the requirement's
    /// threshold. Every run of a scenario naming one of its hazards is scored
    /// against them.
    pub checks: Vec<crate::Check>,
}

impl Requirement {
    /// The names of the criteria its checks judge, in check order.
    pub fn criteria(&self) -> impl Iterator<Item = &str> + '_ {
        self.checks.iter().map(crate::Check::criterion)
    }
}

impl Taxonomy {
    /// Reads and validates the taxonomy file at `path`.
    ///
    /// # Errors
    ///
    /// A diagnostic with file, line, column and field path for an unreadable, malformed or
    /// inconsistent file.
    pub fn load(path: &Path) -> Result<Self, Diagnostic> {
        Self::from_source(&SourceFile::read(path)?)
    }

    /// Parses and validates a taxonomy from a source file already read.
    ///
    /// # Errors
    ///
    /// As [`Taxonomy::load`], except I/O.
    pub fn from_source(source: &SourceFile) -> Result<Self, Diagnostic> {
        let file: raw::TaxonomyFile = source.parse()?;
        validate::validate(source, file)
    }

    /// The shipped default taxonomy ([`DEFAULT_TAXONOMY`]), labelled `taxonomy/default.ron`.
    ///
    /// # Errors
    ///
    /// Never in a released build (a test loads it); a diagnostic if the file was broken.
    pub fn builtin() -> Result<Self, Diagnostic> {
        Self::from_source(&SourceFile::new("taxonomy/default.ron", DEFAULT_TAXONOMY))
    }

    /// The dimensions, in file order.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// The exclusions, in file order.
    pub fn exclusions(&self) -> &[Exclusion] {
        &self.exclusions
    }

    /// The hazards, in file order.
    pub fn hazards(&self) -> &[Hazard] {
        &self.hazards
    }

    /// What evidence requirements and top-risk hazards need.
    pub fn evidence(&self) -> &EvidencePolicy {
        &self.evidence
    }

    /// Replaces the evidence policy (e.g. a stricter one for a release gate).
    pub fn set_evidence(&mut self, policy: EvidencePolicy) {
        self.evidence = policy;
    }

    /// The safety requirements, in file order.
    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Ids of retired hazards, requirements and triggering conditions: no longer in use and never to be reused.
    pub fn retired(&self) -> &[String] {
        &self.retired
    }

    /// The triggering conditions, in file order.
    pub fn triggering_conditions(&self) -> &[TriggeringCondition] {
        &self.triggering_conditions
    }

    /// The triggering condition with this id.
    pub fn triggering_condition(&self, id: &str) -> Option<&TriggeringCondition> {
        self.triggering_conditions.iter().find(|t| t.id == id)
    }

    /// The dimension with this id.
    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }

    /// The value `value` of dimension `dimension`.
    pub fn value(&self, dimension: &str, value: &str) -> Option<&DimensionValue> {
        self.dimension(dimension)?.value(value)
    }

    /// The hazard with this id.
    pub fn hazard(&self, id: &str) -> Option<&Hazard> {
        self.hazards.iter().find(|h| h.id == id)
    }

    /// The requirement with this id.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// The requirements that mitigate hazard `id`, in file order.
    pub fn requirements_for(&self, hazard: &str) -> impl Iterator<Item = &Requirement> {
        self.requirements.iter().filter(move |r| r.hazards.iter().any(|h| h == hazard))
    }

    /// Whether the pair of values can occur together: they belong to two different known
    /// dimensions and no exclusion rules them out. Only exclusions over exactly these two
    /// dimensions can rule a pair out; one naming a third dimension excludes less than the pair.
    pub fn is_feasible_pair(&self, a: ValueId<'_>, b: ValueId<'_>) -> bool {
        a.0 != b.0
            && self.value(a.0, a.1).is_some()
            && self.value(b.0, b.1).is_some()
            && !self.exclusions.iter().any(|x| {
                x.when.constraints.len() == 2
                    && x.when.allows(a.0, a.1)
                    && x.when.allows(b.0, b.1)
                    && x.when.constraints.contains_key(a.0)
                    && x.when.constraints.contains_key(b.0)
            })
    }

    /// Every feasible pair, each once: dimensions in file order (`a` before `b`), then values in
    /// file order.
    pub fn feasible_pairs(&self) -> Vec<(ValueId<'_>, ValueId<'_>)> {
        let name = |(d, v): (usize, usize)| {
            let dimension = &self.dimensions[d];
            (dimension.id.as_str(), dimension.values[v].id.as_str())
        };
        self.feasible_pair_indices().into_iter().map(|(a, b)| (name(a), name(b))).collect()
    }

    /// [`Taxonomy::feasible_pairs`] as ((dimension index, value index), (…, …)).
    pub(crate) fn feasible_pair_indices(&self) -> Vec<IndexPair> {
        let mut pairs = Vec::new();
        for (i, da) in self.dimensions.iter().enumerate() {
            for (j, db) in self.dimensions.iter().enumerate().skip(i + 1) {
                for (k, va) in da.values.iter().enumerate() {
                    for (l, vb) in db.values.iter().enumerate() {
                        if self.is_feasible_pair((&da.id, &va.id), (&db.id, &vb.id)) {
                            pairs.push(((i, k), (j, l)));
                        }
                    }
                }
            }
        }
        pairs
    }
}
