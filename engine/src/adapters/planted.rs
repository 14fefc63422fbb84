//! Planted-weakness adapters: the reference driver with one deliberate flaw
//! each. They exist to test the tester: a fuzzer or a search that cannot
//! find these flaws will not find real ones, and how fast it finds them is
//! the benchmark of `gauntlet fuzz --strategy search` against uniform random
//! sampling.
//!
//! | built-in name | flaw |
//! |---|---|
//! | `late-braker` | emergency braking only below 0.6 s time-to-collision, and never harder than half its braking limit |
//! | `pedestrian-blind` | pedestrians are missing from what it sees |
//! | `cyclist-blind` | cyclists are missing from what it sees |
//! | `ice-naive` | plans curves and braking for a dry road: holds off braking until a dry road would need 4 m/s², and corners at 4.5 m/s² lateral |
//!
//! Each is honest everywhere else: it passes the benign scenarios its flaw
//! does not touch.

use crate::actor::ActorKind;
use crate::adapter::{AdapterFault, AdapterInfo, AutonomyAdapter, Control, JobEnd, JobStart, Observation};
use crate::adapters::{ReferenceAdapter, ReferenceTuning};

/// Time-to-collision under which the late braker brakes, s (the reference: 2 s).
pub const LATE_BRAKER_TTC: f64 = 0.6;
/// Share of its braking limit the late braker ever uses.
pub const LATE_BRAKER_BRAKE_SHARE: f64 = 0.5;
/// Deceleration a dry road would need before the ice-naive driver starts braking, m/s².
pub const ICE_NAIVE_BRAKE_POINT: f64 = 4.0;
/// Lateral acceleration the ice-naive driver corners at, m/s² (the reference: 2.5).
pub const ICE_NAIVE_CURVE_ACCEL: f64 = 4.5;

/// The deliberate flaw of a [`PlantedAdapter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// Brakes late ([`LATE_BRAKER_TTC`]) and weakly ([`LATE_BRAKER_BRAKE_SHARE`]).
    LateBraker,
    /// Does not see road users of this class.
    Blind(ActorKind),
    /// Plans braking and cornering for a dry road whatever the friction.
    IceNaive,
}

impl Weakness {
    /// The built-in adapter name (`late-braker`, `pedestrian-blind`, …).
    pub fn name(self) -> &'static str {
        match self {
            Weakness::LateBraker => "late-braker",
            Weakness::Blind(ActorKind::Pedestrian) => "pedestrian-blind",
            Weakness::Blind(ActorKind::Cyclist) => "cyclist-blind",
            Weakness::Blind(ActorKind::Vehicle) => "vehicle-blind",
            Weakness::Blind(ActorKind::Static) => "static-blind",
            Weakness::IceNaive => "ice-naive",
        }
    }
}

/// Every planted weakness registered as a built-in adapter, in name order.
pub const PLANTED: [Weakness; 4] =
    [Weakness::CYCLIST_BLIND, Weakness::IceNaive, Weakness::LateBraker, Weakness::PEDESTRIAN_BLIND];

impl Weakness {
    /// Blind to pedestrians.
    pub const PEDESTRIAN_BLIND: Weakness = Weakness::Blind(ActorKind::Pedestrian);
    /// Blind to cyclists.
    pub const CYCLIST_BLIND: Weakness = Weakness::Blind(ActorKind::Cyclist);

    /// The planted weakness registered under the built-in name `name`.
    pub fn from_name(name: &str) -> Option<Weakness> {
        PLANTED.into_iter().find(|w| w.name() == name)
    }
}

/// The reference driver with one planted weakness.
#[derive(Debug, Clone)]
pub struct PlantedAdapter {
    weakness: Weakness,
    inner: ReferenceAdapter,
    job: Option<JobStart>,
    /// What the inner driver is shown (blind adapters filter it); reused every step.
    seen: Observation,
}

impl PlantedAdapter {
    /// The reference driver with `weakness`.
    pub fn new(weakness: Weakness) -> Self {
        let defaults = ReferenceTuning::default();
        let tuning = match weakness {
            Weakness::LateBraker => ReferenceTuning { emergency_ttc: LATE_BRAKER_TTC, ..defaults },
            Weakness::Blind(_) => defaults,
            Weakness::IceNaive => ReferenceTuning { curve_lateral_accel: ICE_NAIVE_CURVE_ACCEL, ..defaults },
        };
        Self {
            weakness,
            inner: ReferenceAdapter::with_tuning(tuning),
            job: None,
            seen: Observation::default(),
        }
    }

    /// Its weakness.
    pub fn weakness(&self) -> Weakness {
        self.weakness
    }

    /// Whether a dry road would still let it brake later than now: something
    /// is closing in ahead in its lane, but stopping behind it would need
    /// less than [`ICE_NAIVE_BRAKE_POINT`].
    fn dry_road_allows_waiting(obs: &Observation, job: &JobStart) -> bool {
        let ego = &obs.ego;
        let mut need: f64 = 0.0;
        for o in &obs.objects {
            let half = 0.5 * (job.ego.width + o.width) + 0.4;
            if o.s <= ego.s || (o.d - ego.d).abs() >= half {
                continue;
            }
            let closing = ego.vs - o.vs;
            if closing <= 0.0 {
                continue;
            }
            let gap = o.s - ego.s - 0.5 * (job.ego.length + o.length);
            need = need.max(closing * closing / (2.0 * (gap - 2.0).max(0.1)));
        }
        need > 0.0 && need < ICE_NAIVE_BRAKE_POINT
    }
}

impl AutonomyAdapter for PlantedAdapter {
    fn info(&self) -> AdapterInfo {
        AdapterInfo { name: self.weakness.name().into(), version: env!("CARGO_PKG_VERSION").into() }
    }

    fn reset(&mut self, job: &JobStart) -> Result<(), AdapterFault> {
        self.job = Some(job.clone());
        self.inner.reset(job)
    }

    fn step(&mut self, obs: &Observation) -> Result<Control, AdapterFault> {
        let mut control = match self.weakness {
            Weakness::Blind(kind) => {
                self.seen.clone_from(obs);
                self.seen.objects.retain(|o| o.kind != kind);
                self.inner.step(&self.seen)?
            }
            _ => self.inner.step(obs)?,
        };
        let Some(job) = self.job.as_ref() else { return Ok(control) };
        match self.weakness {
            Weakness::LateBraker => {
                control.accel = control.accel.max(-LATE_BRAKER_BRAKE_SHARE * job.ego.max_decel);
            }
            Weakness::IceNaive if control.accel < 0.0 && Self::dry_road_allows_waiting(obs, job) => {
                control.accel = 0.0;
            }
            _ => {}
        }
        Ok(control)
    }

    fn end(&mut self, outcome: JobEnd) {
        self.inner.end(outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_sorted() {
        for w in PLANTED {
            assert_eq!(Weakness::from_name(w.name()), Some(w));
            assert_eq!(PlantedAdapter::new(w).info().name, w.name());
        }
        let names: Vec<&str> = PLANTED.iter().map(|w| w.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert_eq!(Weakness::from_name("reference"), None);
    }
}
