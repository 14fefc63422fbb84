//! Ego vehicle faults: from a trigger time or route distance on, the ego's
//! actuation ([`crate::dynamics`]) is degraded. One fault per scenario,
//! latched once triggered (it never heals), default none.
//!
//! | fault | effect from the trigger on | adapter told (`ego.fault`, protocol 1.4) |
//! |---|---|---|
//! | `BrakeFade(factor)` | the achievable deceleration is `factor` × the ego's `max_decel` (a request beyond it gets that much; the friction circle still applies) | no: fade and a partial hydraulic failure show only as less deceleration than asked |
//! | `TyreBlowout(side, pull, grip)` | the deflated tyre pulls the car to `side`: a constant steering offset that, uncorrected, curves it with `pull` m/s² of lateral acceleration at the speed it had when the tyre burst (less as it slows, as the drag of a flat tyre does; a burst below [`PULL_MIN_SPEED`] counts as at that speed); the ego's μ is `grip` × the road's (or the patch's) | yes, `"tyre_blowout"`: a tyre-pressure monitor flags it |
//! | `SteeringLimit(max_steer)` | the front-wheel angle is limited to `max_steer` rad | yes, `"steering_limit"`: the power-steering diagnostics flag it |
//!
//! The figures are the scenario's: the library's blowout uses `pull: 1.5`
//! m/s² and `grip: 0.7` — chosen for the test (a pull the driver must
//! steer against, well inside what a car can correct), not measured.
//! Deterministic: the trigger compares simulated time or the ego's route
//! distance from the step's snapshot; nothing is drawn at random.

use bevy_ecs::prelude::Resource;
use serde::Serialize;

use crate::math::atan;

/// Speed under which a blowout's pull is sized as at this speed, m/s (keeps
/// the steering offset of a burst at low speed bounded).
pub const PULL_MIN_SPEED: f64 = 5.0;

/// When a fault starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultTrigger {
    /// When simulated time reaches `t`, s.
    Time(f64),
    /// When the ego's centre reaches route distance `s`, m.
    RouteS(f64),
}

/// Which side a tyre failed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Left (pulls left).
    Left,
    /// Right (pulls right).
    Right,
}

impl Side {
    /// +1 left, -1 right.
    pub fn sign(self) -> f64 {
        match self {
            Side::Left => 1.0,
            Side::Right => -1.0,
        }
    }
}

/// What fails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// Brake fade or a partial brake failure.
    BrakeFade {
        /// Share of the ego's `max_decel` it can still achieve (0–1].
        factor: f64,
    },
    /// A tyre blowout.
    TyreBlowout {
        /// The side of the failed tyre.
        side: Side,
        /// Lateral acceleration of the pull, m/s².
        pull: f64,
        /// Factor on the ego's friction (0–1].
        grip: f64,
    },
    /// A steering actuator limited in travel.
    SteeringLimit {
        /// Largest front-wheel angle, rad.
        max_steer: f64,
    },
}

/// What the adapter is told of an active fault (protocol 1.4 `ego.fault`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportedFault {
    /// A tyre blowout (tyre-pressure monitoring).
    TyreBlowout,
    /// Limited steering (power-steering diagnostics).
    SteeringLimit,
}

impl FaultKind {
    /// What the vehicle's diagnostics report of it, if anything.
    pub fn reported(&self) -> Option<ReportedFault> {
        match self {
            FaultKind::BrakeFade { .. } => None,
            FaultKind::TyreBlowout { .. } => Some(ReportedFault::TyreBlowout),
            FaultKind::SteeringLimit { .. } => Some(ReportedFault::SteeringLimit),
        }
    }

    /// The request and friction the degraded vehicle works with: the
    /// adapter's `accel` and `steer` (already clamped to the ego's limits),
    /// on a road of `friction`, for a car of `wheelbase` and `max_decel`
    /// whose fault started at speed `onset_speed`. Returns (accel, steer,
    /// friction).
    pub fn apply(
        &self,
        accel: f64,
        steer: f64,
        onset_speed: f64,
        friction: f64,
        wheelbase: f64,
        max_decel: f64,
    ) -> (f64, f64, f64) {
        match *self {
            FaultKind::BrakeFade { factor } => (accel.max(-factor * max_decel), steer, friction),
            FaultKind::TyreBlowout { side, pull, grip } => {
                let v = onset_speed.abs().max(PULL_MIN_SPEED);
                // The steering offset whose curvature v²·κ gives `pull` m/s² at the onset speed.
                let offset = atan(wheelbase * pull / (v * v));
                (accel, steer + side.sign() * offset, friction * grip)
            }
            FaultKind::SteeringLimit { max_steer } => (accel, steer.clamp(-max_steer, max_steer), friction),
        }
    }
}

/// A fault of the ego vehicle and when it starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VehicleFault {
    /// When.
    pub trigger: FaultTrigger,
    /// What.
    pub kind: FaultKind,
}

/// The ego's fault in a running world: latched on its trigger.
#[derive(Resource, Debug, Clone, Copy, Default)]
pub(crate) struct EgoFault {
    pub fault: Option<VehicleFault>,
    /// Time it started, s, once triggered.
    pub since: Option<f64>,
    /// The ego's speed when it started, m/s.
    pub onset_speed: f64,
}

impl EgoFault {
    /// Latches the fault when its trigger holds at time `t` with the ego at
    /// route distance `s` and speed `speed`; returns the active fault and
    /// the speed it started at, if any.
    pub(crate) fn update(&mut self, t: f64, s: f64, speed: f64) -> Option<(FaultKind, f64)> {
        let f = self.fault?;
        if self.since.is_none() {
            let due = match f.trigger {
                FaultTrigger::Time(at) => t >= at,
                FaultTrigger::RouteS(at) => s >= at,
            };
            if due {
                self.since = Some(t);
                self.onset_speed = speed;
            }
        }
        self.since.map(|_| (f.kind, self.onset_speed))
    }

    /// What the adapter is told this step.
    pub(crate) fn reported(&self) -> Option<ReportedFault> {
        self.since.and(self.fault).and_then(|f| f.kind.reported())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brake_fade_caps_the_deceleration_only() {
        let fade = FaultKind::BrakeFade { factor: 0.5 };
        assert_eq!(fade.apply(-9.0, 0.1, 20.0, 0.9, 2.8, 9.0), (-4.5, 0.1, 0.9));
        assert_eq!(fade.apply(-3.0, 0.0, 20.0, 0.9, 2.8, 9.0), (-3.0, 0.0, 0.9));
        assert_eq!(fade.apply(2.0, 0.0, 20.0, 0.9, 2.8, 9.0), (2.0, 0.0, 0.9));
    }

    #[test]
    fn a_blowout_pulls_to_its_side_with_its_lateral_acceleration() {
        let left = FaultKind::TyreBlowout { side: Side::Left, pull: 1.5, grip: 0.7 };
        let (accel, steer, mu) = left.apply(0.0, 0.0, 30.0, 0.9, 2.8, 9.0);
        assert_eq!(accel, 0.0);
        assert!((mu - 0.63).abs() < 1e-12);
        // Uncorrected, the offset curves the car at u²·tan(δ)/L = pull.
        assert!((30.0 * 30.0 * crate::math::tan(steer) / 2.8 - 1.5).abs() < 1e-9);
        let right = FaultKind::TyreBlowout { side: Side::Right, pull: 1.5, grip: 0.7 };
        assert_eq!(right.apply(0.0, 0.0, 30.0, 0.9, 2.8, 9.0).1, -steer);
        // A burst when slow pulls as one at PULL_MIN_SPEED.
        let (_, slow, _) = left.apply(0.0, 0.0, 1.0, 0.9, 2.8, 9.0);
        assert!((PULL_MIN_SPEED * PULL_MIN_SPEED * crate::math::tan(slow) / 2.8 - 1.5).abs() < 1e-9);
    }

    #[test]
    fn a_steering_limit_clamps_the_wheel_angle() {
        let lim = FaultKind::SteeringLimit { max_steer: 0.05 };
        assert_eq!(lim.apply(1.0, 0.3, 10.0, 0.9, 2.8, 9.0), (1.0, 0.05, 0.9));
        assert_eq!(lim.apply(1.0, -0.3, 10.0, 0.9, 2.8, 9.0).1, -0.05);
    }

    #[test]
    fn a_fault_latches_on_its_trigger() {
        let kind = FaultKind::TyreBlowout { side: Side::Left, pull: 1.5, grip: 0.7 };
        let mut f = EgoFault {
            fault: Some(VehicleFault { trigger: FaultTrigger::RouteS(100.0), kind }),
            ..Default::default()
        };
        assert_eq!(f.update(1.0, 99.0, 20.0), None);
        assert_eq!(f.reported(), None);
        assert_eq!(f.update(1.05, 100.0, 19.0), Some((kind, 19.0)));
        assert_eq!(f.update(1.1, 50.0, 12.0), Some((kind, 19.0)), "latched, with its onset speed");
        assert_eq!(f.reported(), Some(ReportedFault::TyreBlowout));
        let mut t = EgoFault {
            fault: Some(VehicleFault {
                trigger: FaultTrigger::Time(2.0),
                kind: FaultKind::BrakeFade { factor: 0.4 },
            }),
            ..Default::default()
        };
        assert_eq!(t.update(1.95, 500.0, 10.0), None);
        assert!(t.update(2.0, 0.0, 10.0).is_some());
        assert_eq!(t.reported(), None, "fade is not reported");
        assert_eq!(EgoFault::default().update(10.0, 1e4, 10.0), None);
    }
}
