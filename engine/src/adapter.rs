//! The seam between the simulated world and the system under test.
//!
//! The engine hands the adapter an [`Observation`] every step and takes back a
//! [`Control`]. The field names and units are exactly those of the external
//! adapter protocol (`docs/adapter-protocol.md`), so an in-process Rust
//! adapter and an external process see the same world.

use serde::Serialize;

use crate::actor::ActorKind;
use crate::monitor::MonitorMask;

/// Identity of an adapter as it appears in records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdapterInfo {
    /// Short name, e.g. `reference` or the `name` an external adapter sent in `hello`.
    pub name: String,
    /// Version string, free form.
    pub version: String,
}

/// The ego vehicle's physical limits, sent to the adapter at `reset`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EgoLimits {
    /// Bounding-box length, m.
    pub length: f64,
    /// Bounding-box width, m.
    pub width: f64,
    /// Distance between axles, m.
    pub wheelbase: f64,
    /// Largest accepted positive acceleration request, m/s².
    pub max_accel: f64,
    /// Largest accepted braking request (positive number), m/s².
    pub max_decel: f64,
    /// Largest front-wheel angle, rad.
    pub max_steer: f64,
}

impl EgoLimits {
    /// The mid-size car a scenario's ego is when its file names no
    /// `vehicle` (4.6 × 1.9 m, wheelbase 2.8 m, 3.5 m/s² up, 9 m/s² down,
    /// 0.55 rad of steering).
    pub const MID_SIZE_CAR: EgoLimits = EgoLimits {
        length: 4.6,
        width: 1.9,
        wheelbase: 2.8,
        max_accel: 3.5,
        max_decel: 9.0,
        max_steer: 0.55,
    };
}

/// What the adapter is told about the road at `reset`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoadInfo {
    /// Number of lanes of the ego's carriageway.
    pub lanes: u32,
    /// Lane width, m.
    pub lane_width: f64,
    /// Speed limit, m/s.
    pub speed_limit: f64,
    /// The lane of the ego's carriageway that ends, if one does (protocol
    /// 1.4, optional: absent on roads without a lane drop).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lane_drop: Option<crate::lane_drop::LaneDrop>,
}

/// The ego's goal, in the route frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GoalInfo {
    /// Route distance to reach, m.
    pub s: f64,
}

/// Everything an adapter learns at the start of a job (protocol message `reset`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobStart {
    /// Scenario id.
    pub scenario: String,
    /// Seed of this instance.
    pub seed: u64,
    /// Fixed step, s.
    pub dt: f64,
    /// Scenario duration, s.
    pub duration: f64,
    /// The ego's limits.
    pub ego: EgoLimits,
    /// The ego's road.
    pub road: RoadInfo,
    /// The ego's goal.
    pub goal: GoalInfo,
    /// The route ahead through a junction (protocol 1.3, optional: only on
    /// roads with a junction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<RouteInfo>,
}

/// The ego's route as the adapter must follow it (protocol 1.3, `reset`'s
/// optional `route`): its pieces from the origin heading +x, and the
/// junction it passes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteInfo {
    /// The route's reference line (centre of lane 0): straights and arcs in order.
    pub segments: Vec<RouteSegment>,
    /// The junction on the route.
    pub junction: JunctionInfo,
}

/// One piece of the route's reference line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RouteSegment {
    /// Length along the reference line, m.
    pub length: f64,
    /// Signed curvature, 1/m (+ turns left; 0 for a straight).
    pub curvature: f64,
}

/// The junction the route passes, and the turn it takes there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct JunctionInfo {
    /// World x of the junction's centre, m.
    pub x: f64,
    /// World y of the junction's centre, m.
    pub y: f64,
    /// Radius of the junction area (conflict area) around the centre, m.
    pub radius: f64,
    /// Route distance where the route's reference line enters the area, m.
    pub enter_s: f64,
    /// Route distance where it leaves the area, m.
    pub leave_s: f64,
    /// Route distance of the ego's stop (or give-way) line, m.
    pub stop_s: f64,
    /// The turn: `left`, `right` or `straight`.
    pub turn: Turn,
    /// A stop sign at `stop_s` (protocol 1.4, sent only when `true`): the
    /// ego must come to a standstill there before entering the junction.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stop_sign: bool,
}

/// The turn a route takes at a junction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Turn {
    /// Turns left.
    Left,
    /// Goes straight on.
    Straight,
    /// Turns right.
    Right,
}

/// The ego's own state, in the world and the route frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct EgoObservation {
    /// World x of the bounding-box centre, m.
    pub x: f64,
    /// World y of the bounding-box centre, m.
    pub y: f64,
    /// Heading, rad, counter-clockwise from +x.
    pub yaw: f64,
    /// Speed (norm of the planar velocity), m/s.
    pub speed: f64,
    /// Longitudinal acceleration over the last step, m/s².
    pub accel: f64,
    /// Yaw rate, rad/s.
    pub yaw_rate: f64,
    /// Route distance, m.
    pub s: f64,
    /// Lateral offset from the centre of lane 0, m, + left.
    pub d: f64,
    /// Velocity along the route tangent, m/s.
    pub vs: f64,
    /// Velocity across the route tangent, m/s, + left.
    pub vd: f64,
    /// Lane holding the centre, -1 off the carriageway.
    pub lane: i32,
    /// Offset from the centre of the current (or nearest) lane, m.
    pub lane_d: f64,
    /// Yaw minus the route tangent's heading, rad, in (-π, π].
    pub heading_err: f64,
    /// Curvature of the current lane's centre line, 1/m, + left.
    pub curvature: f64,
    /// Temporary lateral offset of every lane's centre here (road works), m,
    /// positive to the left; `lane` and `lane_d` are of the shifted lanes.
    /// Protocol 1.3, sent only when non-zero.
    #[serde(skip_serializing_if = "is_zero")]
    pub lane_shift: f64,
    /// A fault of the ego vehicle its diagnostics report
    /// ([`crate::vehicle_fault`]). Protocol 1.4, sent only when one is active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<crate::vehicle_fault::ReportedFault>,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// One object reported by the ego's sensor model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ObjectObservation {
    /// Stable actor id.
    pub id: u32,
    /// Actor class.
    pub kind: ActorKind,
    /// World x, m.
    pub x: f64,
    /// World y, m.
    pub y: f64,
    /// Heading, rad.
    pub yaw: f64,
    /// Speed, m/s.
    pub speed: f64,
    /// Bounding-box length, m.
    pub length: f64,
    /// Bounding-box width, m.
    pub width: f64,
    /// Route distance, m.
    pub s: f64,
    /// Route lateral offset, m.
    pub d: f64,
    /// Velocity along the route tangent, m/s.
    pub vs: f64,
    /// Velocity across the route tangent, m/s.
    pub vd: f64,
    /// Lane holding the centre, -1 off the carriageway.
    pub lane: i32,
}

/// What the adapter sees in one step (protocol message `observe`).
///
/// The engine owns one `Observation` per job and refills it in place every
/// step, so the step loop does not allocate.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Observation {
    /// Step index, from 0.
    pub step: u64,
    /// Simulated time, s.
    pub t: f64,
    /// The ego's state.
    pub ego: EgoObservation,
    /// Objects reported by the sensor model this step.
    pub objects: Vec<ObjectObservation>,
    /// The ego's traffic light, on a signalised route until the ego's rear
    /// passes its stop line (protocol 1.2, §O6; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<crate::traffic_light::SignalObservation>,
}

/// The adapter's answer to one observation (protocol message `control`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Control {
    /// Requested longitudinal acceleration, m/s² (negative brakes).
    pub accel: f64,
    /// Requested front-wheel angle, rad (+ left).
    pub steer: f64,
}

/// How a job ended, as told to the adapter in `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobEnd {
    /// Every criterion held.
    Pass,
    /// A criterion was violated.
    Fail,
    /// The job could not be judged.
    Error,
}

impl JobEnd {
    /// The protocol spelling (`pass`, `fail`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            JobEnd::Pass => "pass",
            JobEnd::Fail => "fail",
            JobEnd::Error => "error",
        }
    }
}

/// Why an adapter could not answer. Turns exactly one job into an `error` record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct AdapterFault {
    /// Which kind of failure.
    pub kind: AdapterFaultKind,
    /// Precise, human-readable reason (step, exit status, offending line, stderr tail…).
    pub message: String,
}

impl AdapterFault {
    /// A fault of the given kind.
    pub fn new(kind: AdapterFaultKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
}

/// The classes of adapter failure (see the protocol's misbehaviour table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdapterFaultKind {
    /// No answer within the step or start-up timeout.
    Timeout,
    /// The process exited or closed its stdout.
    Exited,
    /// A line that is not valid protocol: not JSON, missing field, non-finite number, too long.
    Protocol,
    /// The adapter answered `{"type":"error"}`.
    Reported,
    /// The adapter could not be started.
    Spawn,
}

impl AdapterFaultKind {
    /// The snake-case spelling used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            AdapterFaultKind::Timeout => "timeout",
            AdapterFaultKind::Exited => "exited",
            AdapterFaultKind::Protocol => "protocol",
            AdapterFaultKind::Reported => "reported",
            AdapterFaultKind::Spawn => "spawn",
        }
    }
}

/// An autonomy stack under test.
///
/// One instance serves many jobs, one after another, on one worker thread:
/// [`reset`](Self::reset) starts a job, [`step`](Self::step) is called once
/// per simulation step, [`end`](Self::end) closes the job. Implementations
/// must not let one job's state leak into the next.
pub trait AutonomyAdapter: Send {
    /// Name and version, recorded with every job.
    fn info(&self) -> AdapterInfo;

    /// Starts a job.
    fn reset(&mut self, job: &JobStart) -> Result<(), AdapterFault>;

    /// Answers one observation. Non-finite values in the answer are the
    /// adapter's fault; finite out-of-range values are clamped by the engine.
    fn step(&mut self, observation: &Observation) -> Result<Control, AdapterFault>;

    /// Ends a job; no answer expected. Called after every `reset`, whatever
    /// the outcome (including after a fault in `step`).
    fn end(&mut self, outcome: JobEnd) {
        let _ = outcome;
    }

    /// The names of the runtime safety monitors this adapter reports (at
    /// most [`MAX_MONITORS`](crate::MAX_MONITORS)); name `i` is bit `i` of
    /// [`active_monitors`](Self::active_monitors). Asked once per job,
    /// before [`end`](Self::end). None by default.
    fn monitor_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// The monitors active in the answer the last [`step`](Self::step)
    /// gave. Asked after every successful step, so it must not allocate.
    /// None by default.
    fn active_monitors(&self) -> MonitorMask {
        MonitorMask::NONE
    }
}
