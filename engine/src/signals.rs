//! The signal library that formula criteria are written over: one value of
//! every signal after each physics step, computed in place (no allocation)
//! and only in worlds that have formulas.
//!
//! Signals that a built-in criterion also judges are computed by the same
//! functions as that criterion (`criteria::lead_metrics`, the footprint
//! clearance, the road margin), so a formula such as
//! `always (ttc_lead >= 2)` has exactly `min_ttc`'s margin.

use bevy_ecs::prelude::*;

use crate::actor::ActorKind;
use crate::criteria::{
    CLEARANCE_HORIZON, GAP_HORIZON, TTC_HORIZON, ego_contacts, footprint, lateral_half_extent, lead_metrics,
};
use crate::road::{RoadSpec, lane_closing, lane_gap};
use crate::world::{BodyState, Clock, Physics, RoadRes, Snapshot};

/// RSS response time ρ, s.
pub const RSS_RESPONSE: f64 = 0.5;
/// RSS: the most the rear vehicle may accelerate during the response time, m/s².
pub const RSS_ACCEL_MAX: f64 = 3.0;
/// RSS: the least the rear vehicle is sure to brake with after it, m/s².
pub const RSS_BRAKE_MIN: f64 = 4.0;
/// RSS: the most the front vehicle may brake with, m/s².
pub const RSS_BRAKE_MAX: f64 = 8.0;

/// One signal of the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalInfo {
    /// Its name in formulas.
    pub name: &'static str,
    /// Its unit (`1` for a dimensionless value, `0/1` for a flag).
    pub unit: &'static str,
    /// What it is.
    pub doc: &'static str,
}

macro_rules! signals {
    ($($id:ident = $name:literal, $unit:literal, $doc:literal;)*) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        #[repr(usize)]
        enum Sig { $($id,)* }
        /// Every signal of the library, in sample order.
        pub const SIGNALS: [SignalInfo; [$($name,)*].len()] = [$(SignalInfo { name: $name, unit: $unit, doc: $doc },)*];
        /// The signals' names, in sample order.
        pub const SIGNAL_NAMES: [&str; [$($name,)*].len()] = [$($name,)*];
    };
}

signals! {
    TIME = "time", "s", "simulated time at the end of the step";
    SPEED = "speed", "m/s", "the ego's speed";
    ACCEL = "accel", "m/s²", "the ego's longitudinal acceleration over the step";
    DECEL = "decel", "m/s²", "its deceleration, `-accel` (what `max_decel` judges)";
    JERK = "jerk", "m/s³", "change of `accel` over the step (0 at the first step; what `max_jerk` judges)";
    YAW_RATE = "yaw_rate", "rad/s", "the ego's yaw rate (positive to the left)";
    LATERAL_OFFSET = "lateral_offset", "m", "the ego's lateral offset from the route's reference line (positive to the left)";
    LATERAL_SPEED = "lateral_speed", "m/s", "the ego's velocity across the route";
    EDGE_MARGIN = "edge_margin", "m", "distance from the ego's footprint to the nearer carriageway edge, negative beyond it or touching it (what `stay_on_road` judges)";
    ROUTE_S = "route_s", "m", "the ego's distance along its route";
    GOAL_MARGIN = "goal_margin", "m", "distance past the goal along the ego's own line, negative before it (what `reach_goal` judges)";
    SPEED_LIMIT = "speed_limit", "m/s", "the road's speed limit";
    FRICTION = "friction", "1", "tyre–road friction coefficient μ at the ego's position (its friction patch, if any)";
    CLEARANCE = "clearance", "m", "footprint clearance to the nearest road user in any direction (≤ 1000), negative on contact (what `no_collision` judges)";
    CONTACT = "contact", "0/1", "1 from the step the ego first touched a road user";
    LEAD_PRESENT = "lead_present", "0/1", "1 when a road user the ego follows is ahead in its corridor (oncoming road users are not followed)";
    GAP_LEAD = "gap_lead", "m", "bumper-to-bumper gap to the road user ahead in the ego's corridor (≤ 500; what `min_gap` judges)";
    TTC_LEAD = "ttc_lead", "s", "time-to-collision at constant speeds with the road user ahead in the ego's corridor that closes in soonest, an oncoming one head-on (≤ 60; what `min_ttc` judges)";
    HEADWAY_LEAD = "headway_lead", "s", "time headway, `gap_lead / speed` (60 without a lead or standing still)";
    LEAD_SPEED = "lead_speed", "m/s", "the lead's speed along the ego's route (0 without a lead)";
    LEAD_ACCEL = "lead_accel", "m/s²", "the lead's longitudinal acceleration (0 without a lead)";
    CLOSING_LEAD = "closing_speed_lead", "m/s", "`speed` along the route minus `lead_speed` (0 without a lead)";
    DRAC_LEAD = "drac_lead", "m/s²", "deceleration required to avoid colliding with the lead at its current speed, closing²/(2·gap) (0 when not closing)";
    RSS_DISTANCE_LEAD = "rss_distance_lead", "m", "RSS minimum safe longitudinal distance to the lead (ρ 0.5 s, 3 m/s² accelerating, braking 4 m/s² rear, 8 m/s² front; 0 without a lead)";
    RSS_MARGIN_LEAD = "rss_margin_lead", "m", "`gap_lead - rss_distance_lead`";
    VRU_PRESENT = "vru_present", "0/1", "1 when a pedestrian or cyclist is ahead (route distance)";
    GAP_VRU = "gap_vru", "m", "bumper-to-bumper gap to the nearest pedestrian or cyclist ahead, along the line midway between them (≤ 500)";
    LATERAL_GAP_VRU = "lateral_gap_vru", "m", "its lateral gap to the ego's footprint, 0 when they overlap across the route (≤ 500)";
    TTC_VRU = "ttc_vru", "s", "time-to-collision with it: `gap_vru` over the closing speed along the same line (≤ 60)";
    NEAREST_DISTANCE = "nearest_distance", "m", "centre-to-centre distance to the nearest road user (≤ 1000)";
    TTB_LEAD = "ttb_lead", "s", "time-to-brake along the lane: `gap/closing − closing/(2·μ·g)`, the latest the ego can start braking at μ·g and still stop short of the lead at its constant speed; negative when even braking now is too late (−60 … 60; 60 when not closing)";
    PET = "pet", "s", "post-encroachment time of the last encroachment at a conflict area (crosswalk, intersection box) between the ego and a road user crossing the route: the second's entry minus the first's exit, 0 while both occupy it (≤ 60; 60 before the first)";
    PET_PREDICTED = "pet_predicted", "s", "predicted PET at constant velocities of the ego and the road users crossing the route, over the conflict areas ahead (0 when their occupancy overlaps; ≤ 60; 60 when undefined)";
}

/// This step's value of every signal, and what computing the next needs.
#[derive(Resource, Debug)]
pub(crate) struct Signals {
    pub values: [f64; SIGNALS.len()],
    active: bool,
    prev_accel: Option<f64>,
    collided: bool,
    road: RoadSpec,
    goal_s: f64,
    encroachment: crate::encroachment::Encroachment,
}

impl Signals {
    /// Whether signals are computed in this world.
    pub(crate) fn is_active(&self) -> bool {
        self.active
    }

    /// Signals of a world; computed only when `active` (the world has formulas).
    pub(crate) fn new(active: bool, road: &RoadSpec, goal_s: f64) -> Self {
        Self {
            values: [0.0; SIGNALS.len()],
            active,
            prev_accel: None,
            collided: false,
            road: road.clone(),
            goal_s,
            encroachment: crate::encroachment::Encroachment::new(road),
        }
    }
}

/// Computes every signal after the physics step (in the `act` schedule, after the criteria).
pub(crate) fn compute(
    clock: Res<Clock>,
    snapshot: Res<Snapshot>,
    physics: Res<Physics>,
    road: Res<RoadRes>,
    mut signals: ResMut<Signals>,
) {
    if !signals.active {
        return;
    }
    let bodies = &snapshot.bodies;
    let ego = &bodies[0];
    let dt = clock.dt;
    let s = &mut *signals;
    let mut v = [0.0; SIGNALS.len()];
    let mut set = |k: Sig, x: f64| v[k as usize] = x;

    // Contacts, as `criteria::judge` reads them.
    let (touched_edge, impact) = ego_contacts(&physics, bodies);

    set(Sig::TIME, clock.t + dt);
    let speed = ego.vel.norm();
    set(Sig::SPEED, speed);
    set(Sig::ACCEL, ego.accel_long);
    set(Sig::DECEL, -ego.accel_long);
    set(Sig::JERK, s.prev_accel.map_or(0.0, |a| (ego.accel_long - a) / dt));
    s.prev_accel = Some(ego.accel_long);
    set(Sig::YAW_RATE, ego.yaw_rate);
    set(Sig::LATERAL_OFFSET, ego.route.d);
    let (ego_vs, ego_vd) = ego.frame_velocity(&ego.route);
    set(Sig::LATERAL_SPEED, ego_vd);
    let half = lateral_half_extent(ego);
    let (right, left) =
        crate::lane_drop::edge_margins(&s.road, ego.route.s, 0.5 * ego.length, ego.route.d, half);
    let edge = right.min(left);
    set(Sig::EDGE_MARGIN, if touched_edge { edge.min(-1e-3) } else { edge });
    set(Sig::ROUTE_S, ego.route.s);
    // Along the ego's own line, as `reach_goal` measures it.
    set(Sig::GOAL_MARGIN, road.road.route().along(s.goal_s, ego.route.s, ego.route.d));
    set(Sig::SPEED_LIMIT, s.road.speed_limit);
    let mu = road.env.surface.friction_at(road.env.friction, ego.route.s, s.road.lane_of(ego.route.d));
    set(Sig::FRICTION, mu);

    // Nearest road user in any direction.
    let me = footprint(ego);
    let mut clearance = CLEARANCE_HORIZON;
    let mut nearest = CLEARANCE_HORIZON;
    for o in &bodies[1..] {
        let centre = (o.pos - ego.pos).norm();
        nearest = nearest.min(centre);
        let theirs = footprint(o);
        if centre - me.radius() - theirs.radius() >= clearance {
            continue;
        }
        clearance = clearance.min(me.clearance(&theirs));
    }
    if let Some(rel) = impact {
        clearance = clearance.min(0.0).min(-rel * dt).min(-1e-3);
        s.collided = true;
    }
    set(Sig::CLEARANCE, clearance);
    set(Sig::CONTACT, if s.collided { 1.0 } else { 0.0 });
    set(Sig::NEAREST_DISTANCE, nearest);

    // The lead in the ego's corridor: gap and TTC as `min_gap`/`min_ttc` judge them.
    let (gap, ttc) = lead_metrics(bodies, road.road.route());
    set(Sig::GAP_LEAD, gap);
    set(Sig::TTC_LEAD, ttc);
    set(Sig::HEADWAY_LEAD, TTC_HORIZON);
    match lead(bodies) {
        Some(o) => {
            set(Sig::HEADWAY_LEAD, if speed > 1e-6 { (gap / speed).min(TTC_HORIZON) } else { TTC_HORIZON });
            let lead_vs = o.frame_velocity(&o.route).0;
            let closing = ego_vs - lead_vs;
            set(Sig::LEAD_PRESENT, 1.0);
            set(Sig::LEAD_SPEED, lead_vs);
            set(Sig::LEAD_ACCEL, o.accel_long);
            set(Sig::CLOSING_LEAD, closing);
            set(Sig::DRAC_LEAD, if closing > 1e-6 { closing * closing / (2.0 * gap.max(1e-3)) } else { 0.0 });
            let rss = rss_distance(ego_vs.max(0.0), lead_vs.max(0.0));
            set(Sig::RSS_DISTANCE_LEAD, rss);
            set(Sig::RSS_MARGIN_LEAD, gap - rss);
        }
        None => set(Sig::RSS_MARGIN_LEAD, gap),
    }

    // The nearest pedestrian or cyclist ahead, along the line between them
    // (`lane_gap`/`lane_closing`, as the lead's gap and TTC are measured).
    let route = road.road.route();
    let (mut gap_vru, mut lat_vru, mut ttc_vru) = (GAP_HORIZON, GAP_HORIZON, TTC_HORIZON);
    let mut vru = false;
    for o in &bodies[1..] {
        if !matches!(o.kind, ActorKind::Pedestrian | ActorKind::Cyclist) || o.route.s <= ego.route.s {
            continue;
        }
        let g = lane_gap(route, &ego.route, &o.route, ego.length, o.length).max(0.0);
        if vru && g >= gap_vru {
            continue;
        }
        vru = true;
        gap_vru = g.min(GAP_HORIZON);
        lat_vru = ((o.route.d - ego.route.d).abs() - half - lateral_half_extent(o)).clamp(0.0, GAP_HORIZON);
        let closing = lane_closing(&ego.route, ego_vs, &o.route, o.frame_velocity(&o.route).0);
        ttc_vru = if closing > 1e-6 { (g / closing).min(TTC_HORIZON) } else { TTC_HORIZON };
    }
    set(Sig::VRU_PRESENT, if vru { 1.0 } else { 0.0 });
    set(Sig::GAP_VRU, gap_vru);
    set(Sig::LATERAL_GAP_VRU, lat_vru);
    set(Sig::TTC_VRU, ttc_vru);
    set(Sig::TTB_LEAD, ttb_lead(bodies, road.road.route(), mu * crate::dynamics::G));
    let (pet, pet_predicted) = encroachment(&mut s.encroachment, clock.t + dt, bodies);
    set(Sig::PET, pet);
    set(Sig::PET_PREDICTED, pet_predicted);
    s.values = v;
}

/// Time-to-brake, s: how long a follower `gap` m behind a road user it
/// closes on at `closing` m/s (at constant speeds) can wait before braking
/// at `a_max` m/s² and still stop closing short of it: the gap shrinks by
/// `closing·τ` while it waits and by `closing²/(2·a_max)` while it brakes, so
/// `TTB = gap/closing − closing/(2·a_max)` (= TTC − closing/(2·a_max)).
/// Negative when even braking now is too late; clamped to ±[`TTC_HORIZON`],
/// which it is when not closing.
pub fn time_to_brake(gap: f64, closing: f64, a_max: f64) -> f64 {
    if closing <= 1e-6 {
        return TTC_HORIZON;
    }
    (gap / closing - closing / (2.0 * a_max.max(1e-6))).clamp(-TTC_HORIZON, TTC_HORIZON)
}

/// The least [`time_to_brake`] over the road users ahead in the ego's
/// corridor, with gap and closing speed along the lane as
/// `criteria::lead_metrics` measures them.
fn ttb_lead(bodies: &[BodyState], route: &crate::road::Path, a_max: f64) -> f64 {
    let ego = &bodies[0];
    let ego_vs = ego.frame_velocity(&ego.route).0;
    let mut ttb = TTC_HORIZON;
    for o in &bodies[1..] {
        if (o.route.d - ego.route.d).abs() >= 0.5 * (ego.width + o.width) || o.route.s <= ego.route.s {
            continue;
        }
        let gap = crate::road::lane_gap(route, &ego.route, &o.route, ego.length, o.length).max(0.0);
        let closing = crate::road::lane_closing(&ego.route, ego_vs, &o.route, o.frame_velocity(&o.route).0);
        ttb = ttb.min(time_to_brake(gap, closing, a_max));
    }
    ttb
}

/// This step's `(pet, pet_predicted)` ([`crate::encroachment`]).
fn encroachment(e: &mut crate::encroachment::Encroachment, t: f64, bodies: &[BodyState]) -> (f64, f64) {
    let route_box = |b: &BodyState| {
        let (half_s, half_d) = crate::criteria::half_extents(b);
        let (vs, vd) = b.frame_velocity(&b.route);
        crate::encroachment::RouteBox { s: b.route.s, d: b.route.d, half_s, half_d, vs, vd }
    };
    let others = bodies[1..].iter().map(|b| (b.kind, route_box(b), b.dir.dot(b.route.tangent)));
    e.update(t, &route_box(&bodies[0]), others)
}

/// The road user ahead in the ego's corridor with the smallest gap (the
/// corridor of `criteria::lead_metrics`), oncoming road users left out as
/// `min_gap` leaves them out: the lead is the road user the ego follows.
fn lead(bodies: &[BodyState]) -> Option<&BodyState> {
    let ego = &bodies[0];
    bodies[1..]
        .iter()
        .filter(|o| (o.route.d - ego.route.d).abs() < 0.5 * (ego.width + o.width) && o.route.s > ego.route.s)
        .filter(|o| !crate::twoway::is_oncoming(o))
        .min_by(|a, b| {
            (a.route.s - 0.5 * a.length).total_cmp(&(b.route.s - 0.5 * b.length)).then(a.id.cmp(&b.id))
        })
}

/// RSS minimum safe longitudinal distance between a rear vehicle at `rear`
/// and a front one at `front` m/s (Shalev-Shwartz et al., 2017, Def. 1).
pub fn rss_distance(rear: f64, front: f64) -> f64 {
    let rho = RSS_RESPONSE;
    let after = rear + rho * RSS_ACCEL_MAX;
    let d = rear * rho + 0.5 * RSS_ACCEL_MAX * rho * rho + after * after / (2.0 * RSS_BRAKE_MIN)
        - front * front / (2.0 * RSS_BRAKE_MAX);
    d.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_to_brake_is_the_hand_computed_one() {
        // 30 m behind, closing at 10 m/s, braking at 5 m/s²: wait 30/10 − 10/(2·5) = 2 s;
        // then 10 m are left, exactly the 10²/(2·5) m braking closes.
        assert!((time_to_brake(30.0, 10.0, 5.0) - 2.0).abs() < 1e-12);
        // μ = 0.8: a = 7.848 m/s², TTB = 3 − 10/15.696 = 2.362895…
        assert!((time_to_brake(30.0, 10.0, 0.8 * crate::dynamics::G) - (3.0 - 10.0 / 15.696)).abs() < 1e-12);
        // Too late already: 5 m at 10 m/s needs 10 m of braking.
        assert!((time_to_brake(5.0, 10.0, 5.0) + 0.5).abs() < 1e-12);
        // Not closing: the horizon; hopeless cases are clamped to −60.
        assert_eq!(time_to_brake(30.0, 0.0, 5.0), TTC_HORIZON);
        assert_eq!(time_to_brake(30.0, -3.0, 5.0), TTC_HORIZON);
        assert_eq!(time_to_brake(0.0, 50.0, 0.0), -TTC_HORIZON);
    }
}
