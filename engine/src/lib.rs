//! Gauntlet's deterministic world simulator.
//!
//! A [`WorldSpec`] (one concrete scenario instance) becomes a bevy_ecs
//! `World` whose bodies live in rapier3d; [`Simulation::run`] steps it against
//! an [`AutonomyAdapter`] and returns a [`RunResult`]: outcome, one signed
//! [`Verdict`] per criterion, and a [`TraceHash`] over every body's state at
//! every step. The engine does no I/O, reads no clock and spawns no thread:
//! a run is a pure function of its spec and its adapter.
#![warn(missing_docs)]

mod actor;
mod adapter;
pub mod adapters;
mod behaviour;
pub mod conditions;
#[cfg(test)]
mod conditions_tests;
mod control;
#[cfg(test)]
mod control_loss_tests;
mod criteria;
mod dynamics;
pub mod encroachment;
mod formula;
#[cfg(test)]
mod geometry_tests;
pub mod junction;
pub mod lane_drop;
pub mod manoeuvre;
#[cfg(test)]
mod manoeuvre_tests;
mod math;
mod monitor;
pub mod oracle;
mod outcome;
mod overtake;
#[cfg(test)]
mod parallel_tests;
pub mod perception;
pub mod profile;
pub mod reactive;
mod rng;
pub mod road;
mod sensor;
pub mod signals;
mod sim;
#[cfg(test)]
mod sim_tests;
mod spatial;
mod spec;
mod stop;
pub mod stop_sign;
pub mod surface;
#[cfg(test)]
mod testing;
mod trace;
pub mod traffic;
pub mod traffic_light;
pub mod trigger;
#[cfg(test)]
mod trigger_tests;
pub mod twoway;
#[cfg(test)]
mod twoway_tests;
pub mod vehicle_fault;
mod world;

pub use actor::ActorKind;
pub use adapter::{
    AdapterFault, AdapterFaultKind, AdapterInfo, AutonomyAdapter, Control, EgoLimits, EgoObservation,
    GoalInfo, JobEnd, JobStart, JunctionInfo, ObjectObservation, Observation, RoadInfo, RouteInfo,
    RouteSegment, Turn,
};
pub use control::{Idm, stanley_steer};
pub use criteria::{CLEARANCE_HORIZON, GAP_HORIZON, TTC_HORIZON, Verdict};
pub use dynamics::G;
pub use formula::{FormulaError, FormulaSpec, FormulaVerdict};
pub use math::V2;
pub use monitor::{Activation, MAX_ACTIVATIONS, MAX_MONITORS, MonitorMask, MonitorRun};
pub use outcome::{EngineFault, Outcome, RunError, RunResult};
pub use sim::{RunOptions, Simulation, StepStatus};
pub use spec::{
    ActorSpec, Behaviour, BehaviourStep, CRITERION_NAMES, CriterionSpec, CriterionUnit, EgoSpec, Environment,
    Half, SensorSpec, Trigger, WorldSpec, criterion_unit,
};
pub use trace::{BoundedTrace, TraceBody, TraceFrame, TraceHash};

/// The engine's version, recorded with every run (results are promised
/// identical only within one version).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
