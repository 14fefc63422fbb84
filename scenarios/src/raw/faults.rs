//! `sensor: (faults: (…))`: the perception faults as written on disk.
//! Every number may be a parameter (`Range`, `Choice`); every fault is off
//! by default.

use serde::Deserialize;

use super::fixed;
use crate::param::Num;

/// `faults: (burst: (…), ghosts: (…), misclassification: …, bias: (…), id_switch_rate: …)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultsFile {
    /// Bursty (Gilbert–Elliott) dropout.
    #[serde(default)]
    pub burst: BurstFile,
    /// Ghost objects in the ego's lane ahead.
    #[serde(default)]
    pub ghosts: GhostsFile,
    /// Probability that an object's kind is misreported for the episode (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub misclassification: Num,
    /// Constant position offset per object.
    #[serde(default)]
    pub bias: BiasFile,
    /// Track-id switches per object per second (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub id_switch_rate: Num,
}

impl Default for FaultsFile {
    fn default() -> Self {
        Self {
            burst: BurstFile::default(),
            ghosts: GhostsFile::default(),
            misclassification: fixed::<0, 1>(),
            bias: BiasFile::default(),
            id_switch_rate: fixed::<0, 1>(),
        }
    }
}

/// `burst: (rate: …, mean_burst_steps: …)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BurstFile {
    /// Long-run share of missing steps (default 0: off).
    #[serde(default = "fixed::<0, 1>")]
    pub rate: Num,
    /// Mean burst length, steps (default 1).
    #[serde(default = "fixed::<1, 1>")]
    pub mean_burst_steps: Num,
}

impl Default for BurstFile {
    fn default() -> Self {
        Self { rate: fixed::<0, 1>(), mean_burst_steps: fixed::<1, 1>() }
    }
}

/// `ghosts: (rate_hz: …, lifetime: …, ahead_min: …, ahead_max: …)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GhostsFile {
    /// Births per second (default 0: off).
    #[serde(default = "fixed::<0, 1>")]
    pub rate_hz: Num,
    /// How long each is reported, s (default 0.2).
    #[serde(default = "fixed::<2, 10>")]
    pub lifetime: Num,
    /// Nearest distance ahead, m (default 15).
    #[serde(default = "fixed::<15, 1>")]
    pub ahead_min: Num,
    /// Farthest distance ahead, m (default 60).
    #[serde(default = "fixed::<60, 1>")]
    pub ahead_max: Num,
}

impl Default for GhostsFile {
    fn default() -> Self {
        Self {
            rate_hz: fixed::<0, 1>(),
            lifetime: fixed::<2, 10>(),
            ahead_min: fixed::<15, 1>(),
            ahead_max: fixed::<60, 1>(),
        }
    }
}

/// `bias: (longitudinal: …, lateral: …)`: bounds of the per-object offset.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BiasFile {
    /// Along the ego's heading, m (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub longitudinal: Num,
    /// Across the ego's heading, m (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub lateral: Num,
}

impl Default for BiasFile {
    fn default() -> Self {
        Self { longitudinal: fixed::<0, 1>(), lateral: fixed::<0, 1>() }
    }
}
