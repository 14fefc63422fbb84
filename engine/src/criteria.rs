//! Safety criteria (oracles). Each yields a signed margin — positive when
//! satisfied by that much, negative when violated by that much — with the
//! time of its first violation and of its worst value.
//!
//! A collision is a `no_collision` violation with its impact speed. The
//! step at which contact with another road user is first detected, and
//! any after it, are not scored by the criteria of the ego's own motion
//! (`speed_limit`, `max_decel`, `max_jerk`): the contact impulse is not
//! braking, and the run ends there anyway.

use bevy_ecs::prelude::*;

use crate::math::Obb;
use crate::road::{Path, RoadSpec, lane_closing, lane_gap};
use crate::spec::CriterionSpec;
use crate::world::{BodyState, Clock, EDGE_USER_DATA, Physics, RoadRes, Snapshot};

/// Time-to-collision reported when nothing closes in, s. Keeps margins finite.
pub const TTC_HORIZON: f64 = 60.0;
/// Gap reported when nobody is ahead, m. Keeps margins finite.
pub const GAP_HORIZON: f64 = 500.0;
/// Clearance reported when no road user exists, m.
pub const CLEARANCE_HORIZON: f64 = 1000.0;

/// The verdict of one criterion over a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Criterion name (`no_collision`, `min_ttc`, …).
    pub criterion: &'static str,
    /// The criterion as judged, with its threshold.
    pub spec: CriterionSpec,
    /// Whether it held for the whole run.
    pub passed: bool,
    /// Worst signed margin over the run (unit of the criterion).
    pub margin: f64,
    /// Time of the first violation, s.
    pub first_violation_t: Option<f64>,
    /// Time of the worst margin, s.
    pub worst_t: f64,
    /// Relative speed at the first collision, m/s (`no_collision` only).
    pub impact_speed: Option<f64>,
}

#[derive(Debug, Clone)]
struct Tracked {
    spec: CriterionSpec,
    worst: f64,
    worst_t: f64,
    first_violation_t: Option<f64>,
    impact_speed: Option<f64>,
    /// This step's margin (for traces and plots).
    current: f64,
}

impl Tracked {
    fn observe(&mut self, margin: f64, t: f64) {
        self.current = margin;
        if margin < self.worst {
            self.worst = margin;
            self.worst_t = t;
        }
        if margin < 0.0 && self.first_violation_t.is_none() {
            self.first_violation_t = Some(t);
        }
    }
}

/// Running state of every criterion of a job.
#[derive(Resource, Debug)]
pub(crate) struct Criteria {
    tracked: Vec<Tracked>,
    goal_s: f64,
    road: RoadSpec,
    /// Route distance of the end of the road, m.
    road_end: f64,
    prev_accel: Option<f64>,
    /// Set when the ego touched another road user: the run ends.
    pub collided: bool,
    /// Whether a red light holds the ego (`stop_at_red`).
    red_light: crate::traffic_light::RedLightJudge,
    /// Whether the ego has stood at its stop sign (`stop_at_sign`).
    stop_sign: crate::stop_sign::StopSignJudge,
}

impl Criteria {
    pub(crate) fn new(specs: &[CriterionSpec], goal_s: f64, road: &RoadSpec) -> Self {
        let tracked = specs
            .iter()
            .map(|&spec| Tracked {
                spec,
                worst: f64::INFINITY,
                worst_t: 0.0,
                first_violation_t: None,
                impact_speed: None,
                current: f64::INFINITY,
            })
            .collect();
        Self {
            tracked,
            goal_s,
            road: road.clone(),
            road_end: road.length(),
            prev_accel: None,
            collided: false,
            red_light: Default::default(),
            stop_sign: Default::default(),
        }
    }

    /// This step's margin of every criterion, in spec order.
    pub(crate) fn current(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.tracked.iter().map(|c| (c.spec.name(), c.current))
    }

    /// Final verdicts. `t_end` is the time the run stopped.
    pub(crate) fn verdicts(&self, t_end: f64) -> Vec<Verdict> {
        self.tracked
            .iter()
            .map(|c| {
                let mut worst = c.worst;
                let mut worst_t = c.worst_t;
                let mut first = c.first_violation_t;
                if let CriterionSpec::ReachGoal { within } = c.spec {
                    // Judged at the deadline, or where the run stopped before it.
                    worst = c.current;
                    worst_t = t_end.min(within);
                    if worst < 0.0 {
                        first = Some(worst_t);
                    }
                }
                if !worst.is_finite() {
                    worst = match c.spec {
                        CriterionSpec::MinTtc { min } => TTC_HORIZON - min,
                        CriterionSpec::MinGap { min } => GAP_HORIZON - min,
                        _ => CLEARANCE_HORIZON,
                    };
                }
                Verdict {
                    criterion: c.spec.name(),
                    spec: c.spec,
                    passed: worst >= 0.0 && first.is_none(),
                    margin: worst,
                    first_violation_t: first,
                    worst_t,
                    impact_speed: c.impact_speed,
                }
            })
            .collect()
    }
}

pub(crate) fn footprint(b: &BodyState) -> Obb {
    Obb { centre: b.pos, axis: b.dir, half_length: 0.5 * b.length, half_width: 0.5 * b.width }
}

/// Lateral half-extent of a footprint across the route.
pub(crate) fn lateral_half_extent(b: &BodyState) -> f64 {
    half_extents(b).1
}

/// Half-extents of a footprint (along, across) the route.
pub(crate) fn half_extents(b: &BodyState) -> (f64, f64) {
    let t = b.route.tangent;
    let (cos, sin) = (b.dir.dot(t).abs(), b.dir.cross(t).abs());
    (0.5 * b.length * cos + 0.5 * b.width * sin, 0.5 * b.length * sin + 0.5 * b.width * cos)
}

/// (gap, ttc) to the nearest road user ahead in the ego's corridor, both
/// measured along the lane (see `road::lane_metric`): the gap is the arc
/// length of the line between them, the closing speed the rate it shrinks.
pub(crate) fn lead_metrics(bodies: &[BodyState], route: &Path) -> (f64, f64) {
    let ego = &bodies[0];
    let (ego_vs, _) = ego.frame_velocity(&ego.route);
    let mut gap = f64::INFINITY;
    let mut ttc = f64::INFINITY;
    for o in &bodies[1..] {
        let half = 0.5 * (ego.width + o.width);
        if (o.route.d - ego.route.d).abs() >= half || o.route.s <= ego.route.s {
            continue;
        }
        let g = lane_gap(route, &ego.route, &o.route, ego.length, o.length).max(0.0);
        if !crate::twoway::is_oncoming(o) {
            // `min_gap` keeps a distance to followed road users; oncoming ones
            // are judged by `min_ttc` (head-on closing speed) and `no_collision`.
            gap = gap.min(g);
        }
        // An oncoming road user's speed along the route is negative: the
        // closing speed adds both (head-on), each converted to the lane
        // between them.
        let closing = lane_closing(&ego.route, ego_vs, &o.route, o.frame_velocity(&o.route).0);
        if closing > 1e-6 {
            ttc = ttc.min(g / closing);
        }
    }
    (gap.min(GAP_HORIZON), ttc.min(TTC_HORIZON))
}

/// Whether a criterion judges the ego's own motion (speed, deceleration,
/// jerk), which a contact impulse would pollute.
fn judges_ego_dynamics(spec: CriterionSpec) -> bool {
    matches!(
        spec,
        CriterionSpec::SpeedLimit { .. } | CriterionSpec::MaxDecel { .. } | CriterionSpec::MaxJerk { .. }
    )
}

/// Updates every criterion after the physics step.
pub(crate) fn judge(
    clock: Res<Clock>,
    snapshot: Res<Snapshot>,
    physics: Res<Physics>,
    road: Res<RoadRes>,
    mut criteria: ResMut<Criteria>,
) {
    let route = road.road.route();
    let bodies = &snapshot.bodies;
    let ego = &bodies[0];
    let t = clock.t + clock.dt;

    // Contacts of the ego, from rapier's narrow phase.
    let (touched_edge, impact) = ego_contacts(&physics, bodies);

    let needs_clearance = criteria.tracked.iter().any(|c| matches!(c.spec, CriterionSpec::NoCollision));
    let mut clearance = f64::INFINITY;
    if needs_clearance {
        let me = footprint(ego);
        let my_radius = me.radius();
        let mut best = CLEARANCE_HORIZON;
        for o in &bodies[1..] {
            let theirs = footprint(o);
            // Cheap bound first: circles around both footprints (theirs bounded
            // by half length plus half width), compared squared with a margin
            // far above rounding, so no square root is taken for bodies that
            // cannot come closer than the best so far.
            let reach = best + my_radius + theirs.half_length + theirs.half_width;
            let apart = o.pos - ego.pos;
            if reach > 0.0 && apart.dot(apart) > reach * reach * (1.0 + 1e-9) {
                continue;
            }
            best = best.min(me.clearance(&theirs));
        }
        clearance = best;
    }

    let (gap, ttc) = lead_metrics(bodies, route);
    let speed = ego.vel.norm();
    let decel = -ego.accel_long;
    let jerk = criteria.prev_accel.map_or(0.0, |a| (ego.accel_long - a) / clock.dt);
    criteria.prev_accel = Some(ego.accel_long);
    let road_margin = {
        let (along, half) = half_extents(ego);
        // (A lane drop moves an edge in along the footprint.)
        let (right, left) =
            crate::lane_drop::edge_margins(&criteria.road, ego.route.s, along, ego.route.d, half);
        // Driving off the end of the road is leaving it too.
        let end = criteria.road_end - (ego.route.s + along);
        // A junction's area is road: how far the footprint's bounding circle is inside it.
        let in_junction = road.road.junction().map_or(f64::NEG_INFINITY, |j| {
            j.area - ((ego.pos - j.centre).norm() + 0.5 * libm::hypot(ego.length, ego.width))
        });
        right.min(left).max(in_junction).min(end)
    };
    let speed_limit = criteria.road.speed_limit;
    let goal_s = criteria.goal_s;
    let Criteria { tracked, collided, red_light, stop_sign, road: spec, .. } = &mut *criteria;
    let red_margin = red_light.margin(spec, route, t, ego);
    let sign_margin = stop_sign.margin(crate::stop_sign::route_stop_sign(&road.road), route, ego);
    // From the step a contact with another road user is first detected on,
    // the ego's motion is the contact impulse, not its driving: a collision
    // is judged by `no_collision` (with its impact speed), and the dynamics
    // criteria ignore that step and any after it.
    let in_contact = impact.is_some() || *collided;
    for c in tracked.iter_mut() {
        if in_contact && judges_ego_dynamics(c.spec) {
            continue;
        }
        let margin = match c.spec {
            CriterionSpec::NoCollision => match impact {
                Some(v) => {
                    // Contact: the depth the impact would have reached in one step.
                    if c.impact_speed.is_none() {
                        c.impact_speed = Some(v);
                    }
                    *collided = true;
                    clearance.min(0.0).min(-v * clock.dt).min(-1e-3)
                }
                None => clearance,
            },
            CriterionSpec::MinTtc { min } => ttc - min,
            CriterionSpec::MinGap { min } => gap - min,
            CriterionSpec::StayOnRoad => {
                if touched_edge {
                    road_margin.min(-1e-3)
                } else {
                    road_margin
                }
            }
            CriterionSpec::SpeedLimit { tolerance } => speed_limit + tolerance - speed,
            CriterionSpec::MaxDecel { max } => max - decel,
            CriterionSpec::MaxJerk { max } => max - jerk.abs(),
            CriterionSpec::StopAtRed => red_margin,
            CriterionSpec::StopAtSign => sign_margin,
            CriterionSpec::ReachGoal { within } => {
                if t <= within + 1e-9 || c.current == f64::INFINITY {
                    // Along the ego's own line: how far it still has to drive.
                    route.along(goal_s, ego.route.s, ego.route.d)
                } else {
                    c.current
                }
            }
        };
        if let CriterionSpec::ReachGoal { .. } = c.spec {
            // Only the value at the deadline counts; keep the running value.
            c.current = margin;
            continue;
        }
        c.observe(margin, t);
    }
    if impact.is_some() {
        *collided = true;
    }
}

/// The ego's active contacts from rapier's narrow phase: whether it touches
/// a road edge, and the largest relative speed of a road user it touches
/// (from the velocities before the step). Shared by the criteria and the
/// signal library, so both see the same contacts.
pub(crate) fn ego_contacts(physics: &Physics, bodies: &[BodyState]) -> (bool, Option<f64>) {
    let ego = &bodies[0];
    let mut touched_edge = false;
    let mut impact: Option<f64> = None;
    for pair in physics.0.contact_pairs_with(ego.collider) {
        if !pair.has_any_active_contact() {
            continue;
        }
        let other = if pair.collider1 == ego.collider { pair.collider2 } else { pair.collider1 };
        let Some(data) = physics.0.colliders.get(other).map(|c| c.user_data) else { continue };
        if data == EDGE_USER_DATA {
            touched_edge = true;
        } else if let Some(o) = bodies.get(data as usize) {
            let rel = (ego.prev_vel - o.prev_vel).norm();
            impact = Some(impact.map_or(rel, |i: f64| i.max(rel)));
        }
    }
    (touched_edge, impact)
}
