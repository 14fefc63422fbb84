//! The resolved world description the engine runs: every number concrete.
//! The `scenarios` crate produces it from a scenario file and a seed.

use crate::actor::ActorKind;
use crate::adapter::EgoLimits;
use crate::perception::PerceptionFaults;
use crate::road::{PathId, RoadSpec};

/// One concrete scenario instance.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldSpec {
    /// Scenario id.
    pub scenario: String,
    /// Seed of this instance (streams of randomness derive from it).
    pub seed: u64,
    /// Fixed step, s.
    pub dt: f64,
    /// Duration, s.
    pub duration: f64,
    /// The road.
    pub road: RoadSpec,
    /// Friction and sensing.
    pub environment: Environment,
    /// The ego vehicle.
    pub ego: EgoSpec,
    /// Everyone else, in id order.
    pub actors: Vec<ActorSpec>,
    /// The criteria that judge the run.
    pub criteria: Vec<CriterionSpec>,
    /// Formula criteria (STL over [`crate::signals`]), compiled for `dt`.
    pub formulas: Vec<crate::formula::FormulaSpec>,
    /// The storyboard's stop trigger: the run ends after the first step on
    /// which it fires ([`crate::stop`]; none: the run lasts `duration`).
    pub stop: Option<crate::trigger::Conditions>,
}

/// Road friction and the ego's sensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Environment {
    /// Tyre–road friction coefficient μ.
    pub friction: f64,
    /// The ego's sensor model.
    pub sensor: SensorSpec,
    /// Illumination, weather and road works ([`crate::conditions`]; default: none act).
    pub conditions: crate::conditions::Conditions,
    /// Friction patches along the route ([`crate::surface`]; default: none).
    pub surface: crate::surface::Surface,
}

/// The sensor model producing the adapter's object list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SensorSpec {
    /// Range, m.
    pub range: f64,
    /// Full horizontal field of view, rad.
    pub fov: f64,
    /// Standard deviation of position noise, m.
    pub noise_sigma: f64,
    /// Probability that an object is missing from one step's list.
    pub dropout: f64,
    /// Delay of the object list, in steps.
    pub latency_steps: u32,
    /// Whether bodies hide what is behind them.
    pub occlusion: bool,
    /// Realistic perception faults (bursty dropout, ghosts, …), all off by default.
    pub faults: PerceptionFaults,
}

/// The ego vehicle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EgoSpec {
    /// Initial lateral offset (centre of its lane), m.
    pub d: f64,
    /// Initial route distance, m.
    pub s: f64,
    /// Initial speed, m/s.
    pub speed: f64,
    /// Goal route distance, m.
    pub goal_s: f64,
    /// Dimensions and actuator limits.
    pub limits: EgoLimits,
    /// A fault of the vehicle and when it starts ([`crate::vehicle_fault`]; default: none).
    pub fault: Option<crate::vehicle_fault::VehicleFault>,
}

/// One road user besides the ego.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorSpec {
    /// Stable id, reported to the adapter.
    pub id: u32,
    /// Name used in the scenario file.
    pub name: String,
    /// Class.
    pub kind: ActorKind,
    /// Path whose frame places and drives it.
    pub path: PathId,
    /// Initial distance along its path, m.
    pub s: f64,
    /// Initial lateral offset on its path, m.
    pub d: f64,
    /// Heading relative to the path's tangent, rad (π faces backwards; π/2 faces left).
    pub heading: f64,
    /// Initial speed along its heading, m/s.
    pub speed: f64,
    /// Bounding-box length, m.
    pub length: f64,
    /// Bounding-box width, m.
    pub width: f64,
    /// Scripted behaviours, run in sequence, each starting on its trigger.
    pub behaviours: Vec<BehaviourStep>,
    /// How it reacts to others and to signals (sight range, obeying lights).
    pub reactions: crate::reactive::Reactions,
}

/// A behaviour and the condition that starts it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BehaviourStep {
    /// When it starts (after the previous one has started).
    pub trigger: Trigger,
    /// What the actor does.
    pub behaviour: Behaviour,
    /// Whether it takes over only its own half of the motion
    /// ([`Behaviour::half`]), leaving the other half to the step that drives
    /// it when this one starts (OpenSCENARIO's longitudinal and lateral
    /// actions running side by side). A step that is not parallel replaces
    /// the whole motion.
    pub parallel: bool,
}

impl BehaviourStep {
    /// A step that replaces the whole motion when `trigger` fires.
    pub fn new(trigger: Trigger, behaviour: Behaviour) -> Self {
        Self { trigger, behaviour, parallel: false }
    }
}

/// The half of an actor's motion a behaviour drives when it runs alongside
/// another ([`BehaviourStep::parallel`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// Speed along its path (`ChangeSpeed`, `ShapedSpeed`, `Brake`).
    Longitudinal,
    /// Position across its path (`ChangeLane`, `LaneOffset`, `Teleport`).
    Lateral,
}

/// Start condition of a behaviour.
// `When` holds its conditions inline (a few hundred bytes) so that steps
// stay `Copy` and judging them never allocates.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// At once.
    Immediately,
    /// When simulated time reaches `t`, s.
    Time(f64),
    /// When the ego's centre comes within this distance, m.
    EgoDistance(f64),
    /// When the ego would reach the actor's route position within this time, s.
    EgoTimeToArrival(f64),
    /// When the actor with id `actor` comes within `distance` m.
    ActorDistance {
        /// The other actor's id.
        actor: u32,
        /// Distance between centres, m.
        distance: f64,
    },
    /// When an OR of ANDs of conditions judged while running holds, with
    /// edges and delays ([`crate::trigger`]).
    When(crate::trigger::Conditions),
}

/// A scripted behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Behaviour {
    /// Keep the current lane at `speed`, following the road user ahead (IDM).
    KeepLane {
        /// Desired speed, m/s.
        speed: f64,
    },
    /// Move to lane `lane` over `duration` along `shape` (the lateral
    /// reference), keeping `speed` (IDM-limited).
    ChangeLane {
        /// Target lane of the actor's path.
        lane: u32,
        /// Duration of the lateral move, s.
        duration: f64,
        /// Desired speed, m/s.
        speed: f64,
        /// The lateral reference's shape (`Sinusoidal` unless an
        /// OpenSCENARIO lane change says otherwise).
        shape: crate::profile::Shape,
    },
    /// Change speed linearly at `rate` to `speed`, then hold it (ignores the
    /// road user ahead, as an OpenSCENARIO `SpeedAction` does).
    ChangeSpeed {
        /// Target speed, m/s.
        speed: f64,
        /// Rate of the change, m/s² (> 0).
        rate: f64,
    },
    /// Brake to a stop at `decel`, m/s², and stay stopped.
    Brake {
        /// Deceleration, m/s² (> 0).
        decel: f64,
    },
    /// Cross the path laterally at `speed` until the lateral offset `to_d` is reached.
    Cross {
        /// Walking or riding speed, m/s.
        speed: f64,
        /// Lateral offset at which it stops, m.
        to_d: f64,
    },
    /// Stand still.
    Stand,
    /// Jump to `s` m along its path at lateral offset `d` m, heading
    /// `heading` rad from the path's tangent, keeping its speed (along the
    /// new heading); then hold that offset at that speed, keeping lane
    /// (an OpenSCENARIO `TeleportAction` in a story). It coasts on the tick
    /// it jumps; the next step starts one tick later at the earliest, from
    /// where it landed.
    Teleport {
        /// Distance along its path, m.
        s: f64,
        /// Lateral offset on its path, m.
        d: f64,
        /// Heading relative to the path's tangent, rad.
        heading: f64,
    },
    /// Overtake the vehicle ahead: move to `lane` (of its own path) over
    /// `duration`, pass at `speed` until `gap` m ahead of it (bumper to
    /// bumper), move back to the lane it started in, keep lane at `speed`
    /// ([`crate::overtake`]).
    Overtake {
        /// Passing lane of the actor's path.
        lane: u32,
        /// Duration of each lateral move, s.
        duration: f64,
        /// Desired speed, m/s.
        speed: f64,
        /// Gap ahead of the overtaken vehicle before moving back, m.
        gap: f64,
    },
    /// Wait at the kerb until the ego's time to arrival at the actor's route
    /// position is at least `min_tta` (or the ego has passed or stopped), then
    /// cross like [`Behaviour::Cross`] (gap acceptance; [`crate::reactive`]).
    CrossWhenClear {
        /// Walking or riding speed, m/s.
        speed: f64,
        /// Lateral offset at which it stops, m.
        to_d: f64,
        /// Smallest accepted time gap before the ego arrives, s.
        min_tta: f64,
    },
    /// Reverse straight back along its heading (backing out of a driveway or
    /// a parking bay): up to `speed` m/s, stopping after `distance` m
    /// (vehicles and motorcycles; wheels straight; [`crate::manoeuvre`]).
    Reverse {
        /// Reversing speed, m/s (> 0).
        speed: f64,
        /// Distance to reverse, m.
        distance: f64,
    },
    /// Drift partly into the next lane `lane`: move sideways at
    /// `lateral_speed` until its near side is `depth` m past the lane line,
    /// hold there for `hold` s, then (if `recover`) drift back at the same
    /// lateral speed to where it started; `speed` along the road as
    /// `KeepLane` ([`crate::manoeuvre`]).
    Drift {
        /// The lane it drifts into.
        lane: u32,
        /// Lateral speed of the drift and of the recovery, m/s.
        lateral_speed: f64,
        /// How far its near side crosses the lane line, m.
        depth: f64,
        /// Time held at the deepest point, s.
        hold: f64,
        /// Whether it drifts back afterwards.
        recover: bool,
        /// Desired speed, m/s.
        speed: f64,
    },
    /// Keep lane at `speed` along a junction movement, holding at its
    /// give-way (or stop) line until the ego's front would reach the
    /// junction area no sooner than `min_gap` s, has left it, or stands
    /// ([`crate::junction`]). On other paths: keep lane.
    GiveWay {
        /// Desired speed, m/s.
        speed: f64,
        /// Smallest accepted time gap before the ego reaches the junction, s.
        min_gap: f64,
    },
    /// Change speed from the speed it has when the step starts to `speed`
    /// over `duration` s along `shape` (an OpenSCENARIO `SpeedAction` with a
    /// cubic or sinusoidal shape), then hold it; ignores the road user ahead
    /// like [`Behaviour::ChangeSpeed`] ([`crate::profile`]).
    ShapedSpeed {
        /// Target speed, m/s.
        speed: f64,
        /// Duration of the change, s (> 0).
        duration: f64,
        /// The transition's shape.
        shape: crate::profile::Shape,
    },
    /// Move sideways to `offset` m from the centre of lane `lane` (+ left)
    /// along `shape`, taking the time that keeps the lateral acceleration
    /// at `max_lateral_accel`, and hold that offset; keep lane at `speed`
    /// (an OpenSCENARIO `LaneOffsetAction`; [`crate::profile`]).
    LaneOffset {
        /// The lane whose centre the offset is measured from.
        lane: u32,
        /// Offset from its centre, m (+ left).
        offset: f64,
        /// The transition's shape.
        shape: crate::profile::Shape,
        /// Peak lateral acceleration of the move, m/s² (> 0).
        max_lateral_accel: f64,
        /// Desired speed, m/s.
        speed: f64,
    },
}

impl Behaviour {
    /// The half of the motion it drives when its step is parallel; `None`
    /// for behaviours that always drive both (they cannot be parallel).
    pub fn half(&self) -> Option<Half> {
        match self {
            Self::ChangeSpeed { .. } | Self::ShapedSpeed { .. } | Self::Brake { .. } => {
                Some(Half::Longitudinal)
            }
            Self::ChangeLane { .. } | Self::LaneOffset { .. } | Self::Teleport { .. } => Some(Half::Lateral),
            Self::KeepLane { .. }
            | Self::Cross { .. }
            | Self::Stand
            | Self::Overtake { .. }
            | Self::CrossWhenClear { .. }
            | Self::Reverse { .. }
            | Self::Drift { .. }
            | Self::GiveWay { .. } => None,
        }
    }
}

/// A safety criterion and its threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CriterionSpec {
    /// No contact between the ego and any road user. Margin: minimum clearance, m.
    NoCollision,
    /// Time-to-collision with the road user ahead never below `min`, s.
    MinTtc {
        /// Threshold, s.
        min: f64,
    },
    /// Bumper-to-bumper gap to the road user ahead never below `min`, m.
    MinGap {
        /// Threshold, m.
        min: f64,
    },
    /// The ego's footprint stays on the carriageway and never touches an edge.
    StayOnRoad,
    /// Speed never above the limit plus `tolerance`, m/s.
    SpeedLimit {
        /// Allowed excess, m/s.
        tolerance: f64,
    },
    /// Longitudinal deceleration never above `max`, m/s².
    MaxDecel {
        /// Threshold, m/s².
        max: f64,
    },
    /// Longitudinal jerk never above `max` in magnitude, m/s³.
    MaxJerk {
        /// Threshold, m/s³.
        max: f64,
    },
    /// The ego reaches its goal by time `within`, s.
    ReachGoal {
        /// Deadline, s.
        within: f64,
    },
    /// The ego's front never crosses the stop line of its traffic light while
    /// the light is red, unless it had crossed it before the red began.
    /// Margin: distance from the front bumper to the stop line while held by
    /// a red, m ([`crate::traffic_light`]).
    StopAtRed,
    /// The ego comes to a standstill at its stop sign's line before its
    /// front crosses it. Margin: distance from the front bumper to the line
    /// until it has stood there; negative, how far past the line it drove
    /// without stopping, m ([`crate::stop_sign`]).
    StopAtSign,
}

impl CriterionSpec {
    /// The criterion's stable name (as in records and requirements).
    pub fn name(&self) -> &'static str {
        match self {
            CriterionSpec::NoCollision => "no_collision",
            CriterionSpec::MinTtc { .. } => "min_ttc",
            CriterionSpec::MinGap { .. } => "min_gap",
            CriterionSpec::StayOnRoad => "stay_on_road",
            CriterionSpec::SpeedLimit { .. } => "speed_limit",
            CriterionSpec::MaxDecel { .. } => "max_decel",
            CriterionSpec::MaxJerk { .. } => "max_jerk",
            CriterionSpec::ReachGoal { .. } => "reach_goal",
            CriterionSpec::StopAtRed => "stop_at_red",
            CriterionSpec::StopAtSign => "stop_at_sign",
        }
    }

    /// Its threshold in its unit (`None` for criteria without one).
    pub fn threshold(&self) -> Option<f64> {
        match *self {
            CriterionSpec::NoCollision
            | CriterionSpec::StayOnRoad
            | CriterionSpec::StopAtRed
            | CriterionSpec::StopAtSign => None,
            CriterionSpec::MinTtc { min } | CriterionSpec::MinGap { min } => Some(min),
            CriterionSpec::SpeedLimit { tolerance } => Some(tolerance),
            CriterionSpec::MaxDecel { max } | CriterionSpec::MaxJerk { max } => Some(max),
            CriterionSpec::ReachGoal { within } => Some(within),
        }
    }

    /// Its unit and scale ([`criterion_unit`]).
    pub fn unit(&self) -> CriterionUnit {
        criterion_unit(self.name()).unwrap_or_else(|| unreachable!("every criterion has a unit"))
    }
}

/// The unit of a criterion's margin and the scale that makes margins of
/// different criteria comparable: a margin divided by its scale is in
/// "units of robustness" (1 = one typical safety buffer of that criterion).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CriterionUnit {
    /// The unit of the margin, e.g. `m`, `s`, `m/s²`.
    pub unit: &'static str,
    /// One typical safety buffer of this criterion, in its unit.
    pub scale: f64,
}

/// The unit and scale of the criterion called `name`: the one table of them.
///
/// Scales: 1 m of clearance, 1 s of time-to-collision, 2 m of gap, 0.5 m to
/// the road edge, 1 m/s of speed, 1 m/s² of deceleration, 5 m/s³ of jerk,
/// 10 m of distance to the goal, 1 m before a red light's or a stop sign's line.
pub fn criterion_unit(name: &str) -> Option<CriterionUnit> {
    let (unit, scale) = match name {
        "no_collision" => ("m", 1.0),
        "min_ttc" => ("s", 1.0),
        "min_gap" => ("m", 2.0),
        "stay_on_road" => ("m", 0.5),
        "speed_limit" => ("m/s", 1.0),
        "max_decel" => ("m/s²", 1.0),
        "max_jerk" => ("m/s³", 5.0),
        "reach_goal" => ("m", 10.0),
        "stop_at_red" => ("m", 1.0),
        "stop_at_sign" => ("m", 1.0),
        _ => return None,
    };
    Some(CriterionUnit { unit, scale })
}

/// Every criterion name, in the order records list them.
pub const CRITERION_NAMES: [&str; 10] = [
    "no_collision",
    "min_ttc",
    "min_gap",
    "stay_on_road",
    "speed_limit",
    "max_decel",
    "max_jerk",
    "reach_goal",
    "stop_at_red",
    "stop_at_sign",
];
