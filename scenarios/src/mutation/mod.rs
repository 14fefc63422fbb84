//! Fuzzing a scenario: its [`FuzzSpace`] (the parameters plus the structural
//! mutations its optional `fuzz: (…)` section allows), the [`Genome`] that
//! picks one point of it, and the concrete scenario a genome stands for.
//!
//! A genome becomes a scenario by rewriting the raw file (every parameter
//! fixed at its value, mutations applied, extra actors appended) and
//! validating the result like any scenario file, so a fuzzed instance can
//! never be one that a hand-written file could not describe.
//!
//! ```
//! use std::sync::Arc;
//! use gauntlet_ron_source::SourceFile;
//! use gauntlet_scenarios::Scenario;
//! use gauntlet_scenarios::mutation::FuzzSpace;
//!
//! let text = r#"Scenario(
//!     id: "doc.fuzz", title: "A pedestrian may appear",
//!     duration: 8.0,
//!     road: (lanes: 1, speed_limit: 15.0, layout: Straight(length: 300.0)),
//!     ego: (speed: Range(min: 8.0, max: 14.0), goal: (s: 90.0)),
//!     criteria: [NoCollision],
//!     fuzz: (
//!         actors: [(name: "walker", kind: Pedestrian, d: -3.0, s: Range(min: 40.0, max: 80.0),
//!                   heading_deg: 90.0, behaviours: [(do: Cross(speed: 1.4, to_d: 3.0))])],
//!         sensor: (dropout: Range(min: 0.1, max: 0.4)),
//!     ),
//! )"#;
//! let scenario = Arc::new(Scenario::from_source(SourceFile::new("doc.ron", text)).unwrap());
//! let space = FuzzSpace::new(scenario).unwrap();
//! let genome = space.decode(&vec![0.1; space.dimensions()], 3);
//! assert_eq!(genome.mutations.actors.len(), 0); // u = 0.1 asks for 0 of at most 1 extra actors
//! assert_eq!(genome.mutations.sensor.dropout, Some(0.1 + 0.1 * (0.4 - 0.1)));
//! let fuzzed = space.instantiate(&genome).unwrap();
//! assert!(fuzzed.parameters().is_empty()); // every number is fixed
//! assert_eq!(fuzzed.instance(3).world.environment.sensor.dropout, 0.1 + 0.1 * (0.4 - 0.1));
//! ```

mod file;
mod paths;
mod sample;
mod space;
mod write;
mod write_when;
pub(crate) use write::scenario_text;

/// The RON text of a raw scenario file (its `fuzz` section left out), as
/// `gauntlet import` and `gauntlet generate` write it: it parses back to an
/// equal file.
pub fn scenario_ron(file: &crate::raw::ScenarioFile) -> String {
    scenario_text(file)
}

pub use file::{FuzzFile, SensorFaultFile};
pub use gauntlet_instance::{ExtraActor, Genome, Mutations, SensorFault, SensorField};
pub use sample::GenomeSampler;
pub use space::{FuzzSpace, Knob, MAX_EXTRA_ACTORS, MAX_TRIGGER_SHIFT, Removal, SHRINK_STEPS};
