//! Oracle manoeuvres for failure triage: could any control within the ego's
//! limits have avoided a violation?
//!
//! A [`Switched`] adapter wraps the stack under test: it passes the stack's
//! answers through until a switch step, then answers with one of a fixed set
//! of [`Manoeuvre`]s computed from the observation alone (ego speed, route
//! frame) and the ego's limits. Because the engine and the stack are
//! deterministic, running the same instance again with a switch at step `k`
//! is the same as resuming the original run from a checkpoint at `k`. The
//! engine's friction circle still bounds what the manoeuvre gets: a request
//! to brake and steer at once is scaled down to μ·g, like any other.
//!
//! Nothing here does I/O or allocates per step; the search over checkpoints
//! and manoeuvres is the runner's (`runners/src/triage.rs`).

use crate::adapter::{AdapterFault, AdapterInfo, AutonomyAdapter, Control, JobEnd, JobStart, Observation};
use crate::control::stanley_steer;

/// One control policy the oracle can take over with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Manoeuvre {
    /// Brake as hard as the ego can (`-max_decel`), keeping its lane.
    MaxBrake,
    /// Brake as hard as the ego can while steering to the lane on the left.
    BrakeLeft,
    /// Brake as hard as the ego can while steering to the lane on the right.
    BrakeRight,
    /// Hold speed while steering to the lane on the left.
    SwerveLeft,
    /// Hold speed while steering to the lane on the right.
    SwerveRight,
    /// Hold the speed of the switch, keeping the lane.
    HoldSpeed,
    /// Accelerate as hard as the ego can up to the speed limit, keeping the lane.
    MaxAccel,
}

impl Manoeuvre {
    /// Every manoeuvre, in the order triage tries them.
    pub const ALL: [Manoeuvre; 7] = [
        Manoeuvre::MaxBrake,
        Manoeuvre::BrakeLeft,
        Manoeuvre::BrakeRight,
        Manoeuvre::SwerveLeft,
        Manoeuvre::SwerveRight,
        Manoeuvre::HoldSpeed,
        Manoeuvre::MaxAccel,
    ];

    /// Its stable name (as records write it).
    pub fn name(self) -> &'static str {
        match self {
            Manoeuvre::MaxBrake => "max_brake",
            Manoeuvre::BrakeLeft => "brake_left",
            Manoeuvre::BrakeRight => "brake_right",
            Manoeuvre::SwerveLeft => "swerve_left",
            Manoeuvre::SwerveRight => "swerve_right",
            Manoeuvre::HoldSpeed => "hold_speed",
            Manoeuvre::MaxAccel => "max_accel",
        }
    }

    /// Lanes to move by: +1 left, -1 right, 0 keep.
    fn lane_shift(self) -> f64 {
        match self {
            Manoeuvre::BrakeLeft | Manoeuvre::SwerveLeft => 1.0,
            Manoeuvre::BrakeRight | Manoeuvre::SwerveRight => -1.0,
            _ => 0.0,
        }
    }
}

/// What the oracle latched at the switch: the lateral target and the speed to hold.
#[derive(Debug, Clone, Copy)]
struct Latched {
    target_d: f64,
    hold: f64,
}

/// The control of `manoeuvre` for `obs`, given what was latched at the switch.
fn oracle_control(manoeuvre: Manoeuvre, latched: Latched, obs: &Observation, job: &JobStart) -> Control {
    let ego = &obs.ego;
    let lim = job.ego;
    let steer = stanley_steer(
        ego.d - latched.target_d,
        ego.heading_err,
        ego.vs,
        ego.curvature,
        lim.wheelbase,
        lim.max_steer,
    );
    let accel = match manoeuvre {
        Manoeuvre::MaxBrake | Manoeuvre::BrakeLeft | Manoeuvre::BrakeRight => -lim.max_decel,
        Manoeuvre::SwerveLeft | Manoeuvre::SwerveRight | Manoeuvre::HoldSpeed => {
            (2.0 * (latched.hold - ego.speed)).clamp(-lim.max_decel, lim.max_accel)
        }
        Manoeuvre::MaxAccel => {
            if ego.speed < job.road.speed_limit {
                lim.max_accel
            } else {
                (2.0 * (job.road.speed_limit - ego.speed)).clamp(-lim.max_decel, 0.0)
            }
        }
    };
    Control { accel, steer }
}

/// The lateral target of `manoeuvre` from the ego's offset `d` at the switch:
/// the centre of its (nearest) lane, shifted by one lane for the evasive
/// manoeuvres, kept so that the footprint stays on the carriageway.
fn target_d(manoeuvre: Manoeuvre, d: f64, job: &JobStart) -> f64 {
    let lw = job.road.lane_width;
    let lanes = job.road.lanes.max(1) as f64;
    let lane = libm::floor(d / lw + 0.5).clamp(0.0, lanes - 1.0);
    let want = (lane + manoeuvre.lane_shift()) * lw;
    let slack = 0.5 * job.ego.width + 0.1;
    let (lo, hi) = (-0.5 * lw + slack, (lanes - 0.5) * lw - slack);
    if lo <= hi { want.clamp(lo, hi) } else { 0.5 * (lo + hi) }
}

/// The stack under test until `switch_step`, then the oracle's `manoeuvre`.
///
/// `reset` and `end` always reach the stack (it needs a fresh job either
/// way); after the switch the stack is no longer asked.
pub struct Switched<'a> {
    stack: &'a mut dyn AutonomyAdapter,
    switch_step: u64,
    manoeuvre: Manoeuvre,
    job: Option<JobStart>,
    latched: Option<Latched>,
}

impl<'a> Switched<'a> {
    /// Wraps `stack`: its answers for steps `< switch_step`, `manoeuvre` from then on.
    pub fn new(stack: &'a mut dyn AutonomyAdapter, switch_step: u64, manoeuvre: Manoeuvre) -> Self {
        Self { stack, switch_step, manoeuvre, job: None, latched: None }
    }
}

impl AutonomyAdapter for Switched<'_> {
    fn info(&self) -> AdapterInfo {
        self.stack.info()
    }

    fn reset(&mut self, job: &JobStart) -> Result<(), AdapterFault> {
        self.job = Some(job.clone());
        self.latched = None;
        self.stack.reset(job)
    }

    fn step(&mut self, obs: &Observation) -> Result<Control, AdapterFault> {
        if obs.step < self.switch_step {
            return self.stack.step(obs);
        }
        let Some(job) = self.job.as_ref() else {
            return Err(AdapterFault::new(crate::adapter::AdapterFaultKind::Protocol, "step before reset"));
        };
        let latched = *self.latched.get_or_insert_with(|| Latched {
            target_d: target_d(self.manoeuvre, obs.ego.d, job),
            hold: obs.ego.speed,
        });
        Ok(oracle_control(self.manoeuvre, latched, obs, job))
    }

    fn end(&mut self, outcome: JobEnd) {
        self.stack.end(outcome);
    }
}

/// How a criterion can be triaged by manoeuvres.
///
/// `reach_goal` cannot (the manoeuvres drive nowhere in particular), nor can
/// `max_jerk` (taking over from the stack is itself a step in acceleration).
pub fn triageable(criterion: &str) -> bool {
    matches!(
        criterion,
        "no_collision"
            | "min_ttc"
            | "min_gap"
            | "stay_on_road"
            | "speed_limit"
            | "max_decel"
            | "stop_at_red"
            | "stop_at_sign"
    )
}

/// Criteria an avoiding manoeuvre must not violate in exchange (it may
/// trade comfort, never contact or leaving the road).
pub const HARD_CRITERIA: [&str; 2] = ["no_collision", "stay_on_road"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::{EgoLimits, EgoObservation, GoalInfo, RoadInfo};

    fn job(lanes: u32) -> JobStart {
        JobStart {
            scenario: "t".into(),
            seed: 0,
            dt: 0.05,
            duration: 10.0,
            ego: EgoLimits {
                length: 4.6,
                width: 1.9,
                wheelbase: 2.8,
                max_accel: 3.0,
                max_decel: 8.0,
                max_steer: 0.5,
            },
            road: RoadInfo { lanes, lane_width: 3.5, speed_limit: 30.0, lane_drop: None },
            goal: GoalInfo { s: 100.0 },
            route: None,
        }
    }

    #[test]
    fn evasive_targets_stay_on_the_carriageway() {
        let j = job(3);
        assert_eq!(target_d(Manoeuvre::SwerveLeft, 0.1, &j), 3.5);
        assert_eq!(target_d(Manoeuvre::MaxBrake, 3.4, &j), 3.5);
        assert!(target_d(Manoeuvre::SwerveRight, 0.0, &j) > -1.75 + 0.95);
        assert!(target_d(Manoeuvre::BrakeLeft, 7.0, &j) < 8.75 - 0.95);
    }

    #[test]
    fn brakes_fully_and_holds_speed() {
        let j = job(2);
        let obs = Observation {
            ego: EgoObservation { speed: 20.0, vs: 20.0, ..Default::default() },
            ..Default::default()
        };
        let l = Latched { target_d: 0.0, hold: 20.0 };
        assert_eq!(oracle_control(Manoeuvre::MaxBrake, l, &obs, &j).accel, -8.0);
        assert_eq!(oracle_control(Manoeuvre::HoldSpeed, l, &obs, &j).accel, 0.0);
        assert_eq!(oracle_control(Manoeuvre::MaxAccel, l, &obs, &j).accel, 3.0);
        assert!(
            oracle_control(Manoeuvre::SwerveLeft, Latched { target_d: 3.5, hold: 20.0 }, &obs, &j).steer
                > 0.0
        );
    }
}
