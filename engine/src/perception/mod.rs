//! Realistic perception faults on top of the sensor model: bursty dropout
//! (a Gilbert–Elliott chain per object), false positives (ghosts in the
//! ego's lane ahead), misclassification (per object, per episode), a
//! constant position bias per object, and track-id switches.
//!
//! Every fault draws from its own named stream of the job seed
//! (`perception.burst`, `perception.class`, `perception.bias`,
//! `perception.id` per actor id, `perception.ghosts` once), so turning one
//! on never shifts the numbers another consumer sees, and with every fault
//! off nothing is drawn at all. All state is allocated when the job starts;
//! the per-step work allocates nothing.

mod burst;
mod ghosts;
mod object;

pub use ghosts::MAX_LIVE_GHOSTS;

use crate::actor::ActorKind;
use crate::math::V2;
use crate::spec::ActorSpec;

use ghosts::{Ghost, GhostField};
use object::ObjectFaults;

/// First id handed to a ghost or to an object whose track id switched; ids
/// from here on are never an actor's (scenarios hold far fewer actors).
pub const FRESH_ID_BASE: u32 = 1_000_000;

/// Length and width every ghost is reported with (a car's), m.
pub const GHOST_SIZE: (f64, f64) = (4.5, 1.8);

/// The perception faults of a sensor (all off by default).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PerceptionFaults {
    /// Bursty dropout.
    pub burst: BurstDropout,
    /// False positives.
    pub ghosts: GhostSpec,
    /// Probability that an object's kind is reported as one of the three
    /// other kinds (uniformly) for the whole episode.
    pub misclassification: f64,
    /// Constant position offset per object.
    pub bias: PositionBias,
    /// Rate at which an object's reported id changes to a fresh one, per
    /// object per second.
    pub id_switch_rate: f64,
}

impl PerceptionFaults {
    /// Whether any fault is on (whether the seed matters through them).
    pub fn any(&self) -> bool {
        self.burst.rate > 0.0
            || self.ghosts.rate_hz > 0.0
            || self.misclassification > 0.0
            || self.bias.longitudinal != 0.0
            || self.bias.lateral != 0.0
            || self.id_switch_rate > 0.0
    }
}

/// Bursty dropout: a two-state Markov (Gilbert–Elliott) chain per object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurstDropout {
    /// Long-run share of steps on which an object is missing (0 = off).
    pub rate: f64,
    /// Mean length of one run of missing steps, steps (≥ 1).
    pub mean_burst_steps: f64,
}

impl Default for BurstDropout {
    fn default() -> Self {
        Self { rate: 0.0, mean_burst_steps: 1.0 }
    }
}

/// Ghost objects: false positives in the ego's lane ahead.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GhostSpec {
    /// Births per second (0 = off).
    pub rate_hz: f64,
    /// How long each is reported, s.
    pub lifetime: f64,
    /// Nearest distance ahead of the ego (along its lane) it appears at, m.
    pub ahead_min: f64,
    /// Farthest distance ahead it appears at, m.
    pub ahead_max: f64,
}

/// Bounds of the constant position offset drawn per object (uniformly in
/// `[-bound, bound]` on each axis, once per episode), in the ego's frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PositionBias {
    /// Along the ego's heading, m.
    pub longitudinal: f64,
    /// To the left of the ego's heading, m.
    pub lateral: f64,
}

/// The fault state of one job.
#[derive(Debug, Clone)]
pub(crate) struct Perception {
    id_switch_rate: f64,
    /// One per actor, in actor order (body index − 1).
    objects: Vec<ObjectFaults>,
    ghosts: GhostField,
    next_id: u32,
}

impl Perception {
    pub(crate) fn new(seed: u64, faults: &PerceptionFaults, actors: &[ActorSpec]) -> Self {
        Self {
            id_switch_rate: faults.id_switch_rate,
            objects: actors.iter().map(|a| ObjectFaults::new(seed, faults, a.id, a.kind)).collect(),
            ghosts: GhostField::new(seed, faults.ghosts),
            next_id: FRESH_ID_BASE,
        }
    }

    /// Advances every fault by one step of `dt`; `place(ahead)` is where a
    /// ghost born `ahead` metres ahead of the ego stands (`None`: nowhere).
    pub(crate) fn advance(&mut self, step: u64, dt: f64, place: impl FnOnce(f64) -> Option<(V2, f64)>) {
        let p = (self.id_switch_rate * dt).min(1.0);
        for o in &mut self.objects {
            o.advance(p, &mut self.next_id);
        }
        self.ghosts.advance(step, dt, place, &mut self.next_id);
    }

    /// How actor number `index` (0-based, actor order) is reported now:
    /// `None` when a burst hides it, else (id, kind, bias along and left of
    /// the ego's heading).
    pub(crate) fn report(&self, index: usize) -> Option<(u32, ActorKind, (f64, f64))> {
        let o = self.objects.get(index)?;
        (!o.hidden).then_some((o.id, o.kind, o.bias))
    }

    /// The ghosts reported this step.
    pub(crate) fn ghosts(&self) -> &[Ghost] {
        self.ghosts.live()
    }
}

#[cfg(test)]
mod sim_tests;
