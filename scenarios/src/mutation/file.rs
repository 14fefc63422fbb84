//! The optional `fuzz: (…)` section of a scenario file: which structural
//! mutations the fuzzer may apply to the scenario.
//!
//! ```ron
//! fuzz: (
//!     // Extra road users the fuzzer may add (templates; numbers may be ranges).
//!     actors: [
//!         (name: "jaywalker", kind: Pedestrian, d: -4.0, s: Range(min: 40.0, max: 120.0),
//!          heading_deg: 90.0, behaviours: [(at: EgoTimeToArrival(Range(min: 1.0, max: 4.0)),
//!          do: Cross(speed: 1.5, to_d: 6.0))]),
//!     ],
//!     max_actors: 1,          // at most this many extra actors (default 1 with templates)
//!     trigger_shift: 1.0,     // Time and EgoTimeToArrival triggers move by up to ±1 s
//!     sensor: (noise_sigma: Range(min: 0.1, max: 0.8), dropout: Range(min: 0.05, max: 0.3),
//!              latency_steps: Range(min: 1, max: 6)),
//! )
//! ```

use serde::Deserialize;

use crate::param::Num;
use crate::raw::ActorFile;

/// `fuzz: (…)`: the structural mutations a scenario allows. Every part is optional.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FuzzFile {
    /// Templates of extra actors the fuzzer may add, each as an actor of the
    /// scenario would be written (names unique; numbers may be ranges; triggers
    /// may name only the scenario's own actors).
    #[serde(default)]
    pub actors: Vec<ActorFile>,
    /// Most extra actors in one instance (default 1 when there are templates, 0–8).
    #[serde(default)]
    pub max_actors: Option<u32>,
    /// Largest shift of each `Time` and `EgoTimeToArrival` trigger of the
    /// scenario's actors, s: each moves by a value in ±this (default 0: none; ≤ 60).
    #[serde(default)]
    pub trigger_shift: f64,
    /// Sensor faults the fuzzer may inject.
    #[serde(default)]
    pub sensor: SensorFaultFile,
}

/// `sensor: (…)` of the fuzz section: each fault, when given, is the range
/// of values that replace the scenario's own sensor setting.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SensorFaultFile {
    /// Position noise σ, m (0–10).
    #[serde(default)]
    pub noise_sigma: Option<Num>,
    /// Per-object, per-step dropout probability (0–1).
    #[serde(default)]
    pub dropout: Option<Num>,
    /// Latency, whole steps (0–100).
    #[serde(default)]
    pub latency_steps: Option<Num>,
}
