//! The scenario file as written on disk (serde mirror, unknown fields
//! rejected). [`crate::Scenario`] is its validated form.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::param::Num;

mod faults;
mod generated;
mod junction;
mod when;
pub use faults::{BiasFile, BurstFile, FaultsFile, GhostsFile};
pub use generated::GeneratedFile;
pub use junction::{ArmFile, ArmName};
pub use when::{ConditionEdgeFile, ConditionFile, JudgedFile, MeasureFile, OffsetFile, RuleFile, ShapeFile};

fn fixed<const N: i64, const D: i64>() -> Num {
    Num::Fixed(N as f64 / D as f64)
}

/// A whole scenario file: `Scenario(id: …, …)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename = "Scenario")]
pub struct ScenarioFile {
    /// Stable id, e.g. `cut_in.highway`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Longer description.
    #[serde(default)]
    pub description: String,
    /// Taxonomy cell: dimension → value.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Hazard ids this scenario gives evidence about.
    #[serde(default)]
    pub hazards: Vec<String>,
    /// Duration, s (≤ 3600).
    pub duration: Num,
    /// Fixed step, s (default 0.05).
    #[serde(default = "fixed::<5, 100>")]
    pub dt: Num,
    /// The road.
    pub road: RoadFile,
    /// Friction and sensor.
    #[serde(default)]
    pub environment: EnvironmentFile,
    /// The ego vehicle.
    pub ego: EgoFile,
    /// Other road users.
    #[serde(default)]
    pub actors: Vec<ActorFile>,
    /// Generated traffic on lanes of the route (`traffic: (…)`).
    #[serde(default)]
    pub traffic: Option<crate::traffic::TrafficFile>,
    /// Road works: a lane shift and lines of cones (`road_works: (…)`).
    #[serde(default)]
    pub road_works: Option<crate::conditions::RoadWorksFile>,
    /// Friction patches along the route (`surface: [(from_s: …, to_s: …, friction: …)]`).
    #[serde(default)]
    pub surface: Vec<crate::control_loss::PatchFile>,
    /// A fault of the ego vehicle (`ego_fault: (at: …, fault: …)`); none by default.
    #[serde(default)]
    pub ego_fault: Option<crate::control_loss::EgoFaultFile>,
    /// Criteria that judge each run.
    pub criteria: Vec<CriterionFile>,
    /// Structural mutations the fuzzer may apply (`gauntlet fuzz`).
    #[serde(default)]
    pub fuzz: Option<crate::mutation::FuzzFile>,
    /// Provenance of a generated scenario (`gauntlet generate`); none when hand-written.
    #[serde(default)]
    pub generated: Option<GeneratedFile>,
    /// Lies past a regulation's or test protocol's boundary (`beyond: (…)`); none when within.
    #[serde(default)]
    pub beyond: Option<crate::boundary::BeyondFile>,
    /// A stop trigger judged while running (`stop: [[(cond: …), …], …]`,
    /// groups ORed as in `When`): the run ends after the first step on
    /// which it fires (default none: the run lasts `duration`, still its bound).
    #[serde(default)]
    pub stop: Option<Vec<Vec<JudgedFile>>>,
}

/// `road: (…)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadFile {
    /// Number of lanes (integer, 1–8).
    pub lanes: Num,
    /// Lane width, m (default 3.5).
    #[serde(default = "fixed::<35, 10>")]
    pub lane_width: Num,
    /// Speed limit, m/s.
    pub speed_limit: Num,
    /// Shape of the route.
    pub layout: LayoutFile,
    /// What bounds the carriageway (default `Barrier`).
    #[serde(default = "default_edge")]
    pub edge: EdgeFile,
    /// Gap between the outer lane line and the edge, m (default 1.0).
    #[serde(default = "fixed::<1, 1>")]
    pub shoulder: Num,
    /// Lanes left of `lanes` driven against the route (integer, default 0: one-way).
    #[serde(default = "fixed::<0, 1>")]
    pub oncoming_lanes: Num,
    /// A lane of the route that ends (default: none).
    #[serde(default)]
    pub lane_drop: Option<crate::lane_drop::LaneDropFile>,
}

fn default_edge() -> EdgeFile {
    EdgeFile::Barrier
}

/// Road edge kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum EdgeFile {
    /// A barrier every body hits.
    Barrier,
    /// A kerb: vehicles hit it, pedestrians step over it.
    Kerb,
    /// Paint only.
    Open,
}

/// Curve direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum Direction {
    /// Turns left (+ curvature).
    Left,
    /// Turns right.
    Right,
}

/// The route's shape.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum LayoutFile {
    /// A straight road.
    Straight {
        /// Length, m.
        length: Num,
    },
    /// Straight approach, a constant-radius arc, straight exit.
    Curve {
        /// Approach length, m.
        approach: Num,
        /// Radius of the centre of lane 0, m.
        radius: Num,
        /// Angle turned, degrees.
        angle_deg: Num,
        /// Left or right.
        direction: Direction,
        /// Exit length, m.
        exit: Num,
    },
    /// A straight road crossed by a two-lane road at s = `approach`.
    Intersection {
        /// Distance from the start to the crossing road's centre line, m.
        approach: Num,
        /// Length after the crossing, m.
        exit: Num,
        /// Lane width of the crossing road, m (default 3.5).
        #[serde(default = "fixed::<35, 10>")]
        cross_lane_width: Num,
        /// Length of each arm of the crossing road, m (default 80).
        #[serde(default = "fixed::<80, 1>")]
        arm_length: Num,
        /// Traffic lights (default: none, an unsignalised intersection).
        #[serde(default)]
        signal: Option<SignalFile>,
    },
    /// A chain of straights, arcs and spirals (clothoids) from the origin
    /// heading +x, along the centre of lane 0 (what `gauntlet import` writes
    /// for OpenDRIVE reference lines).
    Segments {
        /// The pieces, in order.
        segments: Vec<SegmentFile>,
    },
    /// A straight approach ending at a junction (T or four-way), the route
    /// leaving it by the arm `route` names ([`gauntlet_engine::junction`]).
    Junction {
        /// Length of the approach up to the junction's mouth, m.
        approach: Num,
        /// The arm on the ego's left (default: none).
        #[serde(default)]
        left: Option<Box<ArmFile>>,
        /// The arm straight ahead (default: none).
        #[serde(default)]
        ahead: Option<Box<ArmFile>>,
        /// The arm on the ego's right (default: none).
        #[serde(default)]
        right: Option<Box<ArmFile>>,
        /// Radius of the kerb corners, m (default 6).
        #[serde(default = "fixed::<6, 1>")]
        corner_radius: Num,
        /// The arm the ego's route leaves by.
        route: ArmName,
        /// Traffic lights (default: none, an unsignalised junction).
        #[serde(default)]
        signal: Option<SignalFile>,
        /// A stop sign on the ego's approach (default: false; not with `signal`).
        #[serde(default)]
        stop_sign: bool,
    },
    /// A straight road with a marked crosswalk at s = `approach`.
    Crosswalk {
        /// Distance to the crosswalk's centre, m.
        approach: Num,
        /// Length after it, m.
        exit: Num,
        /// Width of the crosswalk along the road, m (default 4).
        #[serde(default = "fixed::<4, 1>")]
        width: Num,
    },
}

/// One piece of a `Segments` layout: `(length: 80, curvature: 0.0, curvature_end: 0.01)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentFile {
    /// Length along the centre of lane 0, m.
    pub length: Num,
    /// Curvature of lane 0's centre at the piece's start, 1/m (+ turns left; default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub curvature: Num,
    /// Curvature at the end: the piece is a spiral, its curvature linear in
    /// the arc length of its clothoid (default: none, a straight or an arc).
    #[serde(default)]
    pub curvature_end: Option<Num>,
    /// A spiral's clothoid lies this far left of lane 0's centre, m (default 0:
    /// lane 0's centre is the clothoid; an OpenDRIVE reference line is off it).
    #[serde(default = "fixed::<0, 1>")]
    pub reference_offset: Num,
    /// A parametric cubic (OpenDRIVE `paramPoly3`; default: none): then
    /// `length` is its line's arc length, `curvature` 0 and no `curvature_end`.
    #[serde(default)]
    pub param_poly3: Option<Poly3File>,
}

/// `param_poly3: (u: (0, 80, 0, 0), v: (0, 0, 6, -2))`: `u(p)` and `v(p)`,
/// constant term first, `p ∈ [0, 1]`, in the frame of the piece's start
/// (`u` along its heading; the curve is moved to start there along it).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Poly3File {
    /// Coefficients of `u(p)`, m.
    pub u: [Num; 4],
    /// Coefficients of `v(p)`, m.
    pub v: [Num; 4],
}

/// `signal: (green: …, amber: …, red: …, offset: …)`: the route's light timing.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalFile {
    /// Green of the route's lights, s.
    pub green: Num,
    /// Amber, s (default 3).
    #[serde(default = "fixed::<3, 1>")]
    pub amber: Num,
    /// Red of the route's lights, s (more than amber + 2 s).
    pub red: Num,
    /// Time into the cycle at t = 0, s (default 0: green starts).
    #[serde(default = "fixed::<0, 1>")]
    pub offset: Num,
}

/// `environment: (…)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentFile {
    /// Tyre–road friction μ (default 0.9, dry asphalt).
    #[serde(default = "fixed::<9, 10>")]
    pub friction: Num,
    /// The ego's sensor.
    #[serde(default)]
    pub sensor: SensorFile,
    /// Light (default `Day`).
    #[serde(default)]
    pub illumination: crate::conditions::IlluminationFile,
    /// Weather acting on sensing and friction (default `Clear`).
    #[serde(default)]
    pub weather: crate::conditions::WeatherFile,
}

impl Default for EnvironmentFile {
    fn default() -> Self {
        Self {
            friction: fixed::<9, 10>(),
            sensor: SensorFile::default(),
            illumination: Default::default(),
            weather: Default::default(),
        }
    }
}

/// `sensor: (…)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SensorFile {
    /// Range, m (default 150).
    #[serde(default = "fixed::<150, 1>")]
    pub range: Num,
    /// Horizontal field of view, degrees (default 120).
    #[serde(default = "fixed::<120, 1>")]
    pub fov_deg: Num,
    /// Position noise σ, m (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub noise_sigma: Num,
    /// Per-object, per-step dropout probability (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub dropout: Num,
    /// Latency, steps (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub latency_steps: Num,
    /// Whether bodies occlude what is behind them (default true).
    #[serde(default = "yes")]
    pub occlusion: bool,
    /// Perception faults (default: none).
    #[serde(default)]
    pub faults: FaultsFile,
}

pub(crate) fn yes() -> bool {
    true
}

impl Default for SensorFile {
    fn default() -> Self {
        Self {
            range: fixed::<150, 1>(),
            fov_deg: fixed::<120, 1>(),
            noise_sigma: fixed::<0, 1>(),
            dropout: fixed::<0, 1>(),
            latency_steps: fixed::<0, 1>(),
            occlusion: true,
            faults: FaultsFile::default(),
        }
    }
}

/// `ego: (…)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EgoFile {
    /// Start lane (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub lane: Num,
    /// Start route distance, m (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub s: Num,
    /// Start speed, m/s.
    pub speed: Num,
    /// Goal.
    pub goal: GoalFile,
    /// Chassis and limits (defaults: a mid-size car).
    #[serde(default)]
    pub vehicle: VehicleFile,
}

/// `goal: (s: …)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalFile {
    /// Route distance to reach, m.
    pub s: Num,
}

/// The ego's chassis and limits.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleFile {
    /// Length, m (default 4.6).
    #[serde(default = "fixed::<46, 10>")]
    pub length: Num,
    /// Width, m (default 1.9).
    #[serde(default = "fixed::<19, 10>")]
    pub width: Num,
    /// Wheelbase, m (default 2.8).
    #[serde(default = "fixed::<28, 10>")]
    pub wheelbase: Num,
    /// Largest acceleration, m/s² (default 3.5).
    #[serde(default = "fixed::<35, 10>")]
    pub max_accel: Num,
    /// Largest braking, m/s² (default 9.0).
    #[serde(default = "fixed::<9, 1>")]
    pub max_decel: Num,
    /// Largest front-wheel angle, rad (default 0.55).
    #[serde(default = "fixed::<55, 100>")]
    pub max_steer: Num,
}

impl Default for VehicleFile {
    fn default() -> Self {
        Self {
            length: fixed::<46, 10>(),
            width: fixed::<19, 10>(),
            wheelbase: fixed::<28, 10>(),
            max_accel: fixed::<35, 10>(),
            max_decel: fixed::<9, 1>(),
            max_steer: fixed::<55, 100>(),
        }
    }
}

/// Class of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum KindFile {
    /// A car.
    Vehicle,
    /// A person on foot.
    Pedestrian,
    /// A cyclist.
    Cyclist,
    /// A fixed obstacle.
    Static,
    /// A powered two-wheeler (default 2.2 × 0.8 m).
    Motorcycle,
    /// An animal, e.g. a deer (default 1.5 × 0.5 m).
    Animal,
}

/// Which path an actor uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
pub enum PathFile {
    /// The ego's route (default).
    #[default]
    Route,
    /// The crossing road northbound (from the ego's right).
    CrossNorth,
    /// The crossing road southbound (from the ego's left).
    CrossSouth,
    /// The oncoming lanes of a two-way road, against the route (from its end).
    Oncoming,
    /// A movement through the junction: from arm `from` (its start) to arm `to`.
    Movement {
        /// The arm it comes from.
        from: ArmName,
        /// The arm it leaves by.
        to: ArmName,
    },
}

/// One actor.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorFile {
    /// Unique name, used by triggers of other actors.
    pub name: String,
    /// Class.
    pub kind: KindFile,
    /// Path (default `Route`).
    #[serde(default)]
    pub path: PathFile,
    /// Start lane of its path (give `lane` or `d`).
    #[serde(default)]
    pub lane: Option<Num>,
    /// Start lateral offset on its path, m (give `lane` or `d`).
    #[serde(default)]
    pub d: Option<Num>,
    /// Start distance along its path, m.
    pub s: Num,
    /// Start speed, m/s (default 0).
    #[serde(default = "fixed::<0, 1>")]
    pub speed: Num,
    /// Heading relative to its path, degrees (default 0; 90 faces left).
    #[serde(default = "fixed::<0, 1>")]
    pub heading_deg: Num,
    /// Length, m (default by kind).
    #[serde(default)]
    pub length: Option<Num>,
    /// Width, m (default by kind).
    #[serde(default)]
    pub width: Option<Num>,
    /// Behaviours in sequence.
    #[serde(default)]
    pub behaviours: Vec<StepFile>,
    /// Farthest leader it follows, m (default: any distance).
    #[serde(default)]
    pub sight_range: Option<Num>,
    /// Whether it ignores traffic lights (default false: it stops for red).
    #[serde(default)]
    pub runs_red: bool,
}

/// One behaviour of a sequence: `(at: EgoDistance(30.0), do: Brake(decel: 6.0))`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepFile {
    /// When it starts (default `Immediately`).
    #[serde(default)]
    pub at: TriggerFile,
    /// What the actor does.
    #[serde(rename = "do")]
    pub action: BehaviourFile,
    /// Whether it takes over only its half of the motion (a speed change:
    /// `ChangeSpeed`, `ShapedSpeed`, `Brake`; a lateral move: `ChangeLane`,
    /// `LaneOffset`, `Teleport`), leaving the other half to the step that
    /// drives it when this one starts (default false: it replaces the whole motion).
    #[serde(default)]
    pub parallel: bool,
}

/// Start condition.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum TriggerFile {
    /// At once (after the previous step started).
    #[default]
    Immediately,
    /// At simulated time t, s.
    Time(Num),
    /// When the ego comes within this distance, m.
    EgoDistance(Num),
    /// When the ego would reach the actor within this time, s.
    EgoTimeToArrival(Num),
    /// When another actor comes within `distance` m.
    ActorDistance {
        /// The other actor's name.
        actor: String,
        /// Distance, m.
        distance: Num,
    },
    /// When any group (the outer list) has all its conditions holding.
    When(Vec<Vec<JudgedFile>>),
}

/// A scripted behaviour.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum BehaviourFile {
    /// Keep lane at a speed, following whoever is ahead.
    KeepLane {
        /// m/s.
        speed: Num,
    },
    /// Change to `lane` over `duration` s at `speed` m/s, the lateral
    /// reference along `shape` (default `Sinusoidal`).
    ChangeLane {
        /// Target lane.
        lane: Num,
        /// s.
        duration: Num,
        /// m/s.
        speed: Num,
        /// `Sinusoidal` (default), `Cubic` or `Linear`.
        #[serde(default = "sinusoidal")]
        shape: ShapeFile,
    },
    /// Change speed linearly at `rate` m/s² to `speed` m/s, then hold it.
    ChangeSpeed {
        /// m/s.
        speed: Num,
        /// m/s².
        rate: Num,
    },
    /// Brake to a stop.
    Brake {
        /// m/s².
        decel: Num,
    },
    /// Cross the path laterally to offset `to_d`.
    Cross {
        /// m/s.
        speed: Num,
        /// Target lateral offset, m.
        to_d: Num,
    },
    /// Stand still.
    Stand,
    /// Overtake the vehicle ahead via `lane` and come back `gap` m ahead of it.
    Overtake {
        /// Passing lane.
        lane: Num,
        /// s, each lateral move.
        duration: Num,
        /// m/s.
        speed: Num,
        /// m, bumper to bumper ahead of the overtaken vehicle.
        gap: Num,
    },
    /// Wait until the ego is at least `min_tta` s away, then cross to `to_d`.
    CrossWhenClear {
        /// m/s.
        speed: Num,
        /// Target lateral offset, m.
        to_d: Num,
        /// s.
        min_tta: Num,
    },
    /// Reverse straight back at up to `speed` m/s for `distance` m, then stop (vehicles).
    Reverse {
        /// m/s.
        speed: Num,
        /// m.
        distance: Num,
    },
    /// Drift into `lane` at `lateral_speed` until the near side is `depth` m
    /// past the lane line, hold `hold` s, then drift back (unless `recover: false`).
    Drift {
        /// The lane drifted into.
        lane: Num,
        /// m/s.
        lateral_speed: Num,
        /// m.
        depth: Num,
        /// s at the deepest point (default 1).
        #[serde(default = "fixed::<1, 1>")]
        hold: Num,
        /// Whether it drifts back (default true).
        #[serde(default = "yes")]
        recover: bool,
        /// m/s along the road.
        speed: Num,
    },
    /// Drive a junction movement at `speed`, holding at its give-way line
    /// until the ego is at least `min_gap` s from the junction.
    GiveWay {
        /// m/s.
        speed: Num,
        /// s.
        min_gap: Num,
    },
    /// Change speed to `speed` m/s over `duration` s along `shape`, then hold it.
    ShapedSpeed {
        /// m/s.
        speed: Num,
        /// s.
        duration: Num,
        /// `Cubic` or `Sinusoidal`.
        shape: ShapeFile,
    },
    /// Move to `offset` m from the centre of `lane` (+ left) along `shape`
    /// at a peak lateral acceleration of `max_lateral_accel` m/s²; keep lane at `speed`.
    LaneOffset {
        /// The lane the offset is measured from.
        lane: Num,
        /// m (+ left).
        offset: Num,
        /// `Cubic` or `Sinusoidal`.
        shape: ShapeFile,
        /// m/s².
        max_lateral_accel: Num,
        /// m/s.
        speed: Num,
    },
    /// Jump to `s` m along its path at lateral offset `d` m, heading
    /// `heading_deg` from the path (default 0), keeping its speed; then keep
    /// that offset at that speed. The next step starts a tick later at the earliest.
    Teleport {
        /// m along its path.
        s: Num,
        /// m across its path (+ left).
        d: Num,
        /// Degrees from the path's direction (default 0).
        #[serde(default = "fixed::<0, 1>")]
        heading_deg: Num,
    },
}

/// A criterion and its threshold.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum CriterionFile {
    /// No contact with any road user.
    NoCollision,
    /// TTC to the road user ahead never below `min` s.
    MinTtc {
        /// s.
        min: Num,
    },
    /// Gap to the road user ahead never below `min` m.
    MinGap {
        /// m.
        min: Num,
    },
    /// Stay on the carriageway.
    StayOnRoad,
    /// Never exceed the limit by more than `tolerance` m/s.
    SpeedLimit {
        /// m/s (default 0).
        #[serde(default = "fixed::<0, 1>")]
        tolerance: Num,
    },
    /// Deceleration never above `max` m/s².
    MaxDecel {
        /// m/s².
        max: Num,
    },
    /// Jerk never above `max` m/s³.
    MaxJerk {
        /// m/s³.
        max: Num,
    },
    /// Reach the goal within `within` s.
    ReachGoal {
        /// s.
        within: Num,
    },
    /// Never cross the stop line of a red light.
    StopAtRed,
    /// Stand at the stop sign's line before crossing it (a `Junction` with `stop_sign: true`).
    StopAtSign,
    /// A Signal Temporal Logic formula over the signal library, judged by its robustness.
    Formula {
        /// Its name in records (not a built-in criterion's).
        name: String,
        /// The formula, e.g. `always (ttc_lead >= 2 s)`.
        stl: String,
        /// Unit of its robustness, for reports (default none).
        #[serde(default)]
        unit: String,
        /// One typical safety buffer in that unit (default 1).
        #[serde(default = "fixed::<1, 1>")]
        scale: Num,
    },
}

fn sinusoidal() -> ShapeFile {
    ShapeFile::Sinusoidal
}
