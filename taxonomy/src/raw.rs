//! The taxonomy file as written on disk (serde mirror); see `default.ron` for the format.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{Controllability, Exposure, Severity};

/// A cell as written: dimension id → the values it allows.
pub(crate) type CellFile = BTreeMap<String, Vec<String>>;

#[derive(Debug, Deserialize)]
#[serde(rename = "Taxonomy", deny_unknown_fields)]
pub(crate) struct TaxonomyFile {
    pub(crate) dimensions: Vec<DimensionFile>,
    #[serde(default)]
    pub(crate) exclusions: Vec<ExclusionFile>,
    pub(crate) hazards: Vec<HazardFile>,
    pub(crate) requirements: Vec<RequirementFile>,
    #[serde(default)]
    pub(crate) evidence: Option<EvidenceFile>,
    #[serde(default)]
    pub(crate) retired: Vec<String>,
    #[serde(default)]
    pub(crate) triggering_conditions: Vec<TriggeringConditionFile>,
}

/// Why a hazard carries each of its three ratings.
#[derive(Debug, Deserialize)]
#[serde(rename = "Rationale", deny_unknown_fields)]
pub(crate) struct RationaleFile {
    pub(crate) severity: String,
    pub(crate) exposure: String,
    pub(crate) controllability: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "TriggeringCondition", deny_unknown_fields)]
pub(crate) struct TriggeringConditionFile {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) expressed_by: Vec<CellFile>,
    pub(crate) hazards: Vec<String>,
    #[serde(default)]
    pub(crate) note: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "Evidence", deny_unknown_fields)]
pub(crate) struct EvidenceFile {
    pub(crate) min_passing_runs: MinRunsFile,
    pub(crate) max_violation_rate: f64,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "MinRuns", deny_unknown_fields)]
pub(crate) struct MinRunsFile {
    pub(crate) qm: u32,
    pub(crate) a: u32,
    pub(crate) b: u32,
    pub(crate) c: u32,
    pub(crate) d: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "Dimension", deny_unknown_fields)]
pub(crate) struct DimensionFile {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) values: Vec<ValueFile>,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "Value", deny_unknown_fields)]
pub(crate) struct ValueFile {
    pub(crate) id: String,
    pub(crate) title: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "Exclusion", deny_unknown_fields)]
pub(crate) struct ExclusionFile {
    pub(crate) when: CellFile,
    pub(crate) reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "Hazard", deny_unknown_fields)]
pub(crate) struct HazardFile {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) severity: Severity,
    pub(crate) exposure: Exposure,
    pub(crate) controllability: Controllability,
    pub(crate) rationale: RationaleFile,
    pub(crate) cells: Vec<CellFile>,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "Requirement", deny_unknown_fields)]
pub(crate) struct RequirementFile {
    pub(crate) id: String,
    pub(crate) text: String,
    pub(crate) hazards: Vec<String>,
    #[serde(default)]
    pub(crate) checks: Vec<crate::Check>,
    /// Before checks carried thresholds, requirements named bare criteria: refused with a hint.
    #[serde(default)]
    pub(crate) criteria: Option<Vec<String>>,
}
