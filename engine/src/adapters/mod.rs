//! Built-in adapters, selected on the command line as `builtin:NAME`.

pub mod monitors;
mod planted;
mod reference;
mod tracker;

pub use planted::{
    DROPOUT_SPEEDER_CONFIRM, DROPOUT_SPEEDER_FRAMES, DROPOUT_SPEEDER_SPEED, ICE_NAIVE_BRAKE_POINT,
    ICE_NAIVE_CURVE_ACCEL, ICE_NAIVE_FCW_TTC, LATE_BRAKER_BRAKE_SHARE, LATE_BRAKER_TTC, PLANTED,
    PlantedAdapter, SHORT_MEMORY_FORGETS, SHORT_MEMORY_HARD_BRAKE, Weakness,
};
pub use reference::{
    MERGE_HORIZON, MERGE_MAX_VD, ReferenceAdapter, ReferenceTuning, TTC_KEEP, VULNERABLE_WIDTH,
};
pub use tracker::{COAST_DECEL, CONFIRM_HITS, MAX_TRACKS, TENTATIVE_MEMORY, TRACK_MEMORY};

use crate::adapter::AutonomyAdapter;

/// Names accepted by [`builtin`]: the reference driver, then the planted weaknesses.
pub const BUILTIN_NAMES: &[&str] = &[
    "reference",
    "cyclist-blind",
    "dropout-speeder",
    "ice-naive",
    "late-braker",
    "memoryless",
    "pedestrian-blind",
    "short-memory",
];

/// A fresh instance of the built-in adapter `name`, if there is one.
pub fn builtin(name: &str) -> Option<Box<dyn AutonomyAdapter>> {
    match name {
        "reference" => Some(Box::new(ReferenceAdapter::default())),
        _ => Weakness::from_name(name).map(|w| Box::new(PlantedAdapter::new(w)) as Box<dyn AutonomyAdapter>),
    }
}
