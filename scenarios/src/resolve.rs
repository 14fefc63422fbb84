//! One walk over a scenario file that validates every number against what
//! its field accepts, lists the parameters, and builds the engine's
//! [`WorldSpec`] for one assignment of parameter values.

use std::collections::{BTreeMap, BTreeSet};

use gauntlet_engine::road::{CrosswalkSpec, EdgeKind, IntersectionSpec, PathId, RoadSpec, SegmentSpec};
use gauntlet_engine::{
    ActorKind, ActorSpec, Behaviour, BehaviourStep, CriterionSpec, EgoLimits, EgoSpec, Environment,
    SensorSpec, Trigger, WorldSpec,
};
use gauntlet_ron_source::FieldPath;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::param::Num;
use crate::raw::*;

mod faults;
mod formula;

/// Longest scenario accepted, s.
pub const MAX_DURATION: f64 = 3600.0;
/// Most actors in one scenario.
pub const MAX_ACTORS: usize = 64;

/// What a numeric field accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Accepts {
    min: f64,
    min_inclusive: bool,
    max: f64,
    integer: bool,
    what: &'static str,
}

impl Accepts {
    const fn between(min: f64, max: f64, what: &'static str) -> Self {
        Self { min, min_inclusive: true, max, integer: false, what }
    }
    const fn positive(max: f64, what: &'static str) -> Self {
        Self { min: 0.0, min_inclusive: false, max, integer: false, what }
    }
    const fn int(min: f64, max: f64, what: &'static str) -> Self {
        Self { min, min_inclusive: true, max, integer: true, what }
    }

    fn check(&self, v: f64) -> Result<(), String> {
        let range = format!(
            "{}{}, {}]",
            if self.min_inclusive { "[" } else { "(" },
            fmt_num(self.min),
            fmt_num(self.max)
        );
        if !v.is_finite() {
            return Err(format!("expected {} in {range}, found a non-finite number ({v})", self.what));
        }
        let low = if self.min_inclusive { v < self.min } else { v <= self.min };
        if low || v > self.max {
            return Err(format!("expected {} in {range}, found {}", self.what, fmt_num(v)));
        }
        if self.integer && v.fract() != 0.0 {
            return Err(format!("expected {} (a whole number), found {}", self.what, fmt_num(v)));
        }
        Ok(())
    }
}

fn fmt_num(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.is_finite() && v != 0.0 && (v.abs() >= 1e15 || v.abs() < 1e-4) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// One parameter of a scenario: where it is and what values it may take.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Field path, e.g. `actors[0].behaviours[1].do.duration`.
    pub path: String,
    /// Its space.
    pub space: Num,
    /// Whether only whole numbers are valid.
    pub integer: bool,
}

/// How values are chosen during a walk.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Choose<'a> {
    /// Every parameter at its nominal value.
    Nominal,
    /// Sampled from the seed, one stream per parameter path.
    Seeded(u64),
    /// Given values (missing ones nominal).
    Given(&'a BTreeMap<String, f64>),
}

pub(crate) struct Walk<'a> {
    choose: Choose<'a>,
    pub errors: Vec<(FieldPath, String)>,
    /// Errors inside a formula's text: the path of its string, the byte offset in it, the message.
    pub formula_errors: Vec<(FieldPath, usize, String)>,
    pub parameters: Vec<Parameter>,
    pub values: BTreeMap<String, f64>,
}

fn sample(seed: u64, path: &str, space: &Num, integer: bool) -> f64 {
    let mut h = blake3::Hasher::new_derive_key("gauntlet scenario parameter v1");
    h.update(&seed.to_le_bytes());
    h.update(path.as_bytes());
    let mut rng = ChaCha8Rng::from_seed(*h.finalize().as_bytes());
    let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    match space {
        Num::Fixed(v) => *v,
        Num::Range { min, max, .. } if integer => {
            let (lo, hi) = (min.ceil(), max.floor());
            (lo + (u * (hi - lo + 1.0)).floor()).min(hi)
        }
        Num::Range { min, max, .. } => min + u * (max - min),
        Num::Choice { values, .. } => values[((u * values.len() as f64) as usize).min(values.len() - 1)],
    }
}

impl<'a> Walk<'a> {
    pub(crate) fn new(choose: Choose<'a>) -> Self {
        Self {
            choose,
            errors: Vec::new(),
            formula_errors: Vec::new(),
            parameters: Vec::new(),
            values: BTreeMap::new(),
        }
    }

    fn error(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.errors.push((path.clone(), message.into()));
    }

    /// Validates a number and returns its value for this walk.
    fn num(&mut self, path: &FieldPath, n: &Num, accepts: Accepts) -> f64 {
        let mut ok = true;
        for v in n.extremes() {
            if let Err(e) = accepts.check(v) {
                self.error(path, e);
                ok = false;
                break;
            }
        }
        if let (true, Num::Range { min, max, .. }) = (accepts.integer, n)
            && min.ceil() > max.floor()
        {
            self.error(path, format!("the range [{min}, {max}] holds no whole number"));
            ok = false;
        }
        if !ok {
            return n.nominal();
        }
        if !n.is_parameter() {
            return n.nominal();
        }
        let key = path.to_string();
        self.parameters.push(Parameter { path: key.clone(), space: n.clone(), integer: accepts.integer });
        let value = match self.choose {
            Choose::Nominal => n.nominal(),
            Choose::Seeded(0) => n.nominal(),
            Choose::Seeded(seed) => sample(seed, &key, n, accepts.integer),
            Choose::Given(map) => match map.get(&key) {
                Some(&v) => {
                    if let Err(e) = accepts.check(v) {
                        self.error(path, format!("given value: {e}"));
                    }
                    v
                }
                None => n.nominal(),
            },
        };
        self.values.insert(key, value);
        value
    }

    /// Builds the world for this walk's values; `self.errors` says whether it is valid.
    pub(crate) fn world(&mut self, f: &ScenarioFile, seed: u64) -> WorldSpec {
        let root = FieldPath::root();
        if f.id.trim().is_empty()
            || !f.id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            self.error(
                &root.field("id"),
                format!("expected an id of letters, digits, `_`, `.`, `-`, found {:?}", f.id),
            );
        }
        if f.title.trim().is_empty() {
            self.error(&root.field("title"), "expected a non-empty title");
        }
        for (k, v) in &f.tags {
            if k.trim().is_empty() || v.trim().is_empty() {
                self.error(
                    &root.field("tags"),
                    format!("expected non-empty tag names and values, found {k:?}: {v:?}"),
                );
            }
        }
        let duration = self.num(
            &root.field("duration"),
            &f.duration,
            Accepts::positive(MAX_DURATION, "a duration in s"),
        );
        let dt = self.num(&root.field("dt"), &f.dt, Accepts::positive(1.0, "a step in s"));
        if dt > duration {
            self.error(
                &root.field("dt"),
                format!(
                    "a step of {} s is longer than the duration ({} s): the run would not fit one step",
                    fmt_num(dt),
                    fmt_num(duration)
                ),
            );
        } else if duration / dt > 1e6 {
            self.error(
                &root.field("dt"),
                format!("{} steps is too many (at most 1000000)", fmt_num(duration / dt)),
            );
        }
        let road = self.road(&root.field("road"), &f.road);
        let environment = self.environment(&root.field("environment"), &f.environment);
        let ego = self.ego(&root.field("ego"), &f.ego, &road);
        let actors = self.actors(&root.field("actors"), f, &road);
        let criteria = self.criteria(&root.field("criteria"), &f.criteria);
        let formulas = self.formulas(&root.field("criteria"), &f.criteria, dt);
        WorldSpec {
            scenario: f.id.clone(),
            seed,
            dt,
            duration,
            road,
            environment,
            ego,
            actors,
            criteria,
            formulas,
        }
    }

    fn road(&mut self, p: &FieldPath, r: &RoadFile) -> RoadSpec {
        let lanes = self.num(&p.field("lanes"), &r.lanes, Accepts::int(1.0, 8.0, "a lane count")) as u32;
        let lane_width =
            self.num(&p.field("lane_width"), &r.lane_width, Accepts::between(2.0, 6.0, "a lane width in m"));
        let speed_limit = self.num(
            &p.field("speed_limit"),
            &r.speed_limit,
            Accepts::positive(70.0, "a speed limit in m/s"),
        );
        let shoulder =
            self.num(&p.field("shoulder"), &r.shoulder, Accepts::between(0.0, 10.0, "a shoulder in m"));
        let len = Accepts::positive(50_000.0, "a length in m");
        let lp = p.field("layout");
        let (segments, intersection, crosswalk) = match &r.layout {
            LayoutFile::Straight { length } => (
                vec![SegmentSpec { length: self.num(&lp.field("length"), length, len), curvature: 0.0 }],
                None,
                None,
            ),
            LayoutFile::Curve { approach, radius, angle_deg, direction, exit } => {
                let approach = self.num(&lp.field("approach"), approach, len);
                let radius =
                    self.num(&lp.field("radius"), radius, Accepts::between(10.0, 100_000.0, "a radius in m"));
                let angle = self.num(
                    &lp.field("angle_deg"),
                    angle_deg,
                    Accepts::between(1.0, 270.0, "an angle in degrees"),
                );
                let exit = self.num(&lp.field("exit"), exit, len);
                let k = if *direction == Direction::Left { 1.0 / radius } else { -1.0 / radius };
                let arc = radius * angle.to_radians();
                (
                    vec![
                        SegmentSpec { length: approach, curvature: 0.0 },
                        SegmentSpec { length: arc, curvature: k },
                        SegmentSpec { length: exit, curvature: 0.0 },
                    ],
                    None,
                    None,
                )
            }
            LayoutFile::Intersection { approach, exit, cross_lane_width, arm_length } => {
                let approach = self.num(&lp.field("approach"), approach, len);
                let exit = self.num(&lp.field("exit"), exit, len);
                let lane_width = self.num(
                    &lp.field("cross_lane_width"),
                    cross_lane_width,
                    Accepts::between(2.0, 6.0, "a lane width in m"),
                );
                let arm_length = self.num(
                    &lp.field("arm_length"),
                    arm_length,
                    Accepts::between(20.0, 1000.0, "a length in m"),
                );
                (
                    vec![SegmentSpec { length: approach + exit, curvature: 0.0 }],
                    Some(IntersectionSpec { at_s: approach, lane_width, arm_length }),
                    None,
                )
            }
            LayoutFile::Crosswalk { approach, exit, width } => {
                let approach = self.num(&lp.field("approach"), approach, len);
                let exit = self.num(&lp.field("exit"), exit, len);
                let width = self.num(&lp.field("width"), width, Accepts::between(1.0, 20.0, "a width in m"));
                (
                    vec![SegmentSpec { length: approach + exit, curvature: 0.0 }],
                    None,
                    Some(CrosswalkSpec { at_s: approach, width }),
                )
            }
        };
        let edge = match r.edge {
            EdgeFile::Barrier => EdgeKind::Barrier,
            EdgeFile::Kerb => EdgeKind::Kerb,
            EdgeFile::Open => EdgeKind::Open,
        };
        RoadSpec { lanes, lane_width, speed_limit, segments, edge, shoulder, intersection, crosswalk }
    }

    fn environment(&mut self, p: &FieldPath, e: &EnvironmentFile) -> Environment {
        let friction =
            self.num(&p.field("friction"), &e.friction, Accepts::positive(1.5, "a friction coefficient"));
        let sp = p.field("sensor");
        let s = &e.sensor;
        let sensor = SensorSpec {
            range: self.num(&sp.field("range"), &s.range, Accepts::positive(1000.0, "a range in m")),
            fov: self
                .num(&sp.field("fov_deg"), &s.fov_deg, Accepts::positive(360.0, "a field of view in degrees"))
                .to_radians(),
            noise_sigma: self.num(
                &sp.field("noise_sigma"),
                &s.noise_sigma,
                Accepts::between(0.0, 10.0, "a noise σ in m"),
            ),
            dropout: self.num(&sp.field("dropout"), &s.dropout, Accepts::between(0.0, 1.0, "a probability")),
            latency_steps: self.num(
                &sp.field("latency_steps"),
                &s.latency_steps,
                Accepts::int(0.0, 100.0, "a latency in steps"),
            ) as u32,
            occlusion: s.occlusion,
            faults: self.faults(&sp.field("faults"), &s.faults),
        };
        Environment { friction, sensor }
    }

    fn lane(&mut self, p: &FieldPath, n: &Num, lanes: u32) -> f64 {
        let max = lanes.saturating_sub(1) as f64;
        let v = self.num(p, n, Accepts::int(0.0, 7.0, "a lane index"));
        if n.max_value() > max && n.max_value() <= 7.0 {
            self.error(
                p,
                format!("expected a lane of the road (0..={}), found {}", max as u32, fmt_num(n.max_value())),
            );
        }
        v
    }

    fn ego(&mut self, p: &FieldPath, e: &EgoFile, road: &RoadSpec) -> EgoSpec {
        let lane = self.lane(&p.field("lane"), &e.lane, road.lanes);
        let s = self.num(&p.field("s"), &e.s, Accepts::between(-1000.0, 50_000.0, "a route distance in m"));
        let speed = self.num(&p.field("speed"), &e.speed, Accepts::between(0.0, 70.0, "a speed in m/s"));
        let goal_s = self.num(
            &p.field("goal").field("s"),
            &e.goal.s,
            Accepts::between(-1000.0, 50_000.0, "a route distance in m"),
        );
        if goal_s <= s {
            self.error(
                &p.field("goal").field("s"),
                format!(
                    "expected the goal ahead of the start (s > {}), found {}",
                    fmt_num(s),
                    fmt_num(goal_s)
                ),
            );
        }
        let vp = p.field("vehicle");
        let v = &e.vehicle;
        let limits = EgoLimits {
            length: self.num(&vp.field("length"), &v.length, Accepts::between(1.0, 25.0, "a length in m")),
            width: self.num(&vp.field("width"), &v.width, Accepts::between(0.5, 4.0, "a width in m")),
            wheelbase: self.num(
                &vp.field("wheelbase"),
                &v.wheelbase,
                Accepts::between(0.5, 20.0, "a wheelbase in m"),
            ),
            max_accel: self.num(
                &vp.field("max_accel"),
                &v.max_accel,
                Accepts::positive(20.0, "an acceleration in m/s²"),
            ),
            max_decel: self.num(
                &vp.field("max_decel"),
                &v.max_decel,
                Accepts::positive(20.0, "a deceleration in m/s²"),
            ),
            max_steer: self.num(
                &vp.field("max_steer"),
                &v.max_steer,
                Accepts::positive(1.2, "a steering angle in rad"),
            ),
        };
        EgoSpec { d: road.lane_centre(lane), s, speed, goal_s, limits }
    }

    fn actors(&mut self, p: &FieldPath, f: &ScenarioFile, road: &RoadSpec) -> Vec<ActorSpec> {
        if f.actors.len() > MAX_ACTORS {
            self.error(p, format!("expected at most {MAX_ACTORS} actors, found {}", f.actors.len()));
        }
        let mut names = BTreeMap::new();
        for (i, a) in f.actors.iter().enumerate() {
            if a.name.trim().is_empty() {
                self.error(&p.index(i).field("name"), "expected a non-empty name");
            } else if names.insert(a.name.as_str(), i).is_some() {
                self.error(
                    &p.index(i).field("name"),
                    format!("the name {:?} is used by another actor", a.name),
                );
            }
        }
        let mut out = Vec::with_capacity(f.actors.len());
        for (i, a) in f.actors.iter().enumerate() {
            out.push(self.actor(&p.index(i), i, a, road, &names));
        }
        out
    }

    fn actor(
        &mut self,
        p: &FieldPath,
        i: usize,
        a: &ActorFile,
        road: &RoadSpec,
        names: &BTreeMap<&str, usize>,
    ) -> ActorSpec {
        let kind = match a.kind {
            KindFile::Vehicle => ActorKind::Vehicle,
            KindFile::Pedestrian => ActorKind::Pedestrian,
            KindFile::Cyclist => ActorKind::Cyclist,
            KindFile::Static => ActorKind::Static,
        };
        let path = match a.path {
            PathFile::Route => PathId::Route,
            PathFile::CrossNorth => PathId::CrossNorth,
            PathFile::CrossSouth => PathId::CrossSouth,
        };
        if path != PathId::Route && road.intersection.is_none() {
            self.error(&p.field("path"), "a crossing path needs an `Intersection` layout");
        }
        let lanes_on_path = if path == PathId::Route { road.lanes } else { 1 };
        let d = match (&a.lane, &a.d) {
            (Some(lane), None) => road.lane_centre(self.lane(&p.field("lane"), lane, lanes_on_path)),
            (None, Some(d)) => {
                self.num(&p.field("d"), d, Accepts::between(-100.0, 100.0, "a lateral offset in m"))
            }
            (Some(_), Some(_)) => {
                self.error(&p.field("d"), "give either `lane` or `d`, not both");
                0.0
            }
            (None, None) => {
                self.error(p, "expected a `lane` or a lateral offset `d`");
                0.0
            }
        };
        let s = self.num(
            &p.field("s"),
            &a.s,
            Accepts::between(-1000.0, 50_000.0, "a distance along the path in m"),
        );
        let speed = self.num(&p.field("speed"), &a.speed, Accepts::between(0.0, 70.0, "a speed in m/s"));
        let heading = self
            .num(
                &p.field("heading_deg"),
                &a.heading_deg,
                Accepts::between(-180.0, 180.0, "a heading in degrees"),
            )
            .to_radians();
        let (dl, dw) = match kind {
            ActorKind::Vehicle => (4.5, 1.8),
            ActorKind::Pedestrian => (0.5, 0.5),
            ActorKind::Cyclist => (1.8, 0.6),
            ActorKind::Static => (1.0, 1.0),
        };
        let size = Accepts::between(0.2, 25.0, "a size in m");
        let length = a.length.as_ref().map_or(dl, |n| self.num(&p.field("length"), n, size));
        let width = a.width.as_ref().map_or(dw, |n| self.num(&p.field("width"), n, size));
        if kind == ActorKind::Static && speed != 0.0 {
            self.error(&p.field("speed"), "a static actor cannot move: expected 0");
        }
        let mut behaviours = Vec::with_capacity(a.behaviours.len());
        let bp = p.field("behaviours");
        for (k, step) in a.behaviours.iter().enumerate() {
            let sp = bp.index(k);
            let trigger = self.trigger(&sp.field("at"), &step.at, i, names);
            let behaviour = self.behaviour(&sp.field("do"), &step.action, kind, lanes_on_path);
            behaviours.push(BehaviourStep { trigger, behaviour });
        }
        ActorSpec {
            id: i as u32 + 1,
            name: a.name.clone(),
            kind,
            path,
            s,
            d,
            heading,
            speed,
            length,
            width,
            behaviours,
        }
    }

    fn trigger(
        &mut self,
        p: &FieldPath,
        t: &TriggerFile,
        me: usize,
        names: &BTreeMap<&str, usize>,
    ) -> Trigger {
        match t {
            TriggerFile::Immediately => Trigger::Immediately,
            TriggerFile::Time(n) => {
                Trigger::Time(self.num(p, n, Accepts::between(0.0, MAX_DURATION, "a time in s")))
            }
            TriggerFile::EgoDistance(n) => {
                Trigger::EgoDistance(self.num(p, n, Accepts::positive(10_000.0, "a distance in m")))
            }
            TriggerFile::EgoTimeToArrival(n) => {
                Trigger::EgoTimeToArrival(self.num(p, n, Accepts::positive(MAX_DURATION, "a time in s")))
            }
            TriggerFile::ActorDistance { actor, distance } => {
                let distance =
                    self.num(&p.field("distance"), distance, Accepts::positive(10_000.0, "a distance in m"));
                match names.get(actor.as_str()) {
                    Some(&j) if j != me => Trigger::ActorDistance { actor: j as u32 + 1, distance },
                    Some(_) => {
                        self.error(
                            &p.field("actor"),
                            format!("an actor cannot trigger on itself ({actor:?})"),
                        );
                        Trigger::Immediately
                    }
                    None => {
                        let known: Vec<&str> = names.keys().copied().collect();
                        let hint = gauntlet_ron_source::closest_match(actor, known.iter().copied())
                            .map(|m| format!("; did you mean {m:?}?"))
                            .unwrap_or_default();
                        self.error(
                            &p.field("actor"),
                            format!("unknown actor {actor:?} (known: {known:?}){hint}"),
                        );
                        Trigger::Immediately
                    }
                }
            }
        }
    }

    fn behaviour(&mut self, p: &FieldPath, b: &BehaviourFile, kind: ActorKind, lanes: u32) -> Behaviour {
        let speed = Accepts::between(0.0, 70.0, "a speed in m/s");
        if kind == ActorKind::Static && !matches!(b, BehaviourFile::Stand) {
            self.error(p, "a static actor can only `Stand`");
        }
        match b {
            BehaviourFile::KeepLane { speed: v } => {
                Behaviour::KeepLane { speed: self.num(&p.field("speed"), v, speed) }
            }
            BehaviourFile::ChangeLane { lane, duration, speed: v } => Behaviour::ChangeLane {
                lane: self.lane(&p.field("lane"), lane, lanes) as u32,
                duration: self.num(
                    &p.field("duration"),
                    duration,
                    Accepts::positive(60.0, "a duration in s"),
                ),
                speed: self.num(&p.field("speed"), v, speed),
            },
            BehaviourFile::Brake { decel } => Behaviour::Brake {
                decel: self.num(&p.field("decel"), decel, Accepts::positive(15.0, "a deceleration in m/s²")),
            },
            BehaviourFile::Cross { speed: v, to_d } => {
                if !matches!(kind, ActorKind::Pedestrian | ActorKind::Cyclist) {
                    self.error(p, "only pedestrians and cyclists can `Cross`");
                }
                Behaviour::Cross {
                    speed: self.num(&p.field("speed"), v, Accepts::positive(15.0, "a speed in m/s")),
                    to_d: self.num(
                        &p.field("to_d"),
                        to_d,
                        Accepts::between(-100.0, 100.0, "a lateral offset in m"),
                    ),
                }
            }
            BehaviourFile::Stand => Behaviour::Stand,
        }
    }

    fn criteria(&mut self, p: &FieldPath, list: &[CriterionFile]) -> Vec<CriterionSpec> {
        if list.is_empty() {
            self.error(p, "expected at least one criterion");
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(list.len());
        for (i, c) in list.iter().enumerate() {
            let cp = p.index(i);
            let spec = match c {
                CriterionFile::NoCollision => CriterionSpec::NoCollision,
                CriterionFile::MinTtc { min } => CriterionSpec::MinTtc {
                    min: self.num(&cp.field("min"), min, Accepts::positive(60.0, "a time in s")),
                },
                CriterionFile::MinGap { min } => CriterionSpec::MinGap {
                    min: self.num(&cp.field("min"), min, Accepts::positive(500.0, "a gap in m")),
                },
                CriterionFile::StayOnRoad => CriterionSpec::StayOnRoad,
                CriterionFile::SpeedLimit { tolerance } => CriterionSpec::SpeedLimit {
                    tolerance: self.num(
                        &cp.field("tolerance"),
                        tolerance,
                        Accepts::between(0.0, 50.0, "a tolerance in m/s"),
                    ),
                },
                CriterionFile::MaxDecel { max } => CriterionSpec::MaxDecel {
                    max: self.num(&cp.field("max"), max, Accepts::positive(20.0, "a deceleration in m/s²")),
                },
                CriterionFile::MaxJerk { max } => CriterionSpec::MaxJerk {
                    max: self.num(&cp.field("max"), max, Accepts::positive(1000.0, "a jerk in m/s³")),
                },
                CriterionFile::ReachGoal { within } => CriterionSpec::ReachGoal {
                    within: self.num(
                        &cp.field("within"),
                        within,
                        Accepts::positive(MAX_DURATION, "a time in s"),
                    ),
                },
                CriterionFile::Formula { name, .. } => {
                    if !seen.insert(name.as_str()) {
                        self.error(&cp, format!("criterion `{name}` is listed twice"));
                    }
                    continue;
                }
            };
            if !seen.insert(spec.name()) {
                self.error(&cp, format!("criterion `{}` is listed twice", spec.name()));
            }
            out.push(spec);
        }
        out
    }
}
