//! Start conditions judged while running: an OR of ANDs of conditions on
//! the world state (speeds, accelerations, standing still, distances,
//! time to collision, …), each with an edge and a delay, as OpenSCENARIO's
//! `ConditionGroup`s define them ([`crate::Trigger::When`]).
//!
//! A condition is a *level* judged every step from the snapshot. Its edge
//! turns the level into what the condition reports: `None` reports the
//! level (a level true at the start fires at once); `Rising` reports true
//! only on a step where the level was false on the step before and is true
//! now (so a level already true when judging begins does not fire);
//! `Falling` the reverse; `Both` either change. A `delay` latches: the
//! condition reports true from `delay` s after it first reported true
//! (whether or not it still holds, as esmini reads the standard). A group
//! holds when all its conditions report true on the same step; the trigger
//! fires when any group holds. Every condition is judged on every step,
//! so edges see every change. Fixed-size and `Copy`: nothing allocates.

use crate::math::V2;
use crate::road::{Path, lane_closing, lane_gap};
use crate::world::BodyState;

/// The most conditions one trigger holds (over all its groups).
pub const MAX_CONDITIONS: usize = 8;

/// Below this speed, m/s, a body stands still.
pub const STANDSTILL_SPEED: f64 = 0.01;

/// Which side of a value a quantity must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Above (greater than or equal).
    Above,
    /// Below (less than or equal).
    Below,
}

impl Rule {
    fn holds(self, x: f64, value: f64) -> bool {
        match self {
            Rule::Above => x >= value,
            Rule::Below => x <= value,
        }
    }
}

/// How a condition's level becomes what it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Edge {
    /// The level itself.
    #[default]
    None,
    /// False on the step before, true now.
    Rising,
    /// True on the step before, false now.
    Falling,
    /// Either change.
    Both,
}

/// One condition on the world state. Entities are body ids: 0 is the ego,
/// actors their ids.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Condition {
    /// Simulated time at least `at`, s.
    Time {
        /// s.
        at: f64,
    },
    /// The entity's speed (along its heading), m/s.
    Speed {
        /// Body id.
        entity: u32,
        /// Above or below.
        rule: Rule,
        /// m/s.
        value: f64,
    },
    /// The entity's speed less the other's (both along their headings), m/s.
    RelativeSpeed {
        /// Body id.
        entity: u32,
        /// The other body's id.
        to: u32,
        /// Above or below.
        rule: Rule,
        /// m/s.
        value: f64,
    },
    /// The entity's longitudinal acceleration over the last step, m/s².
    Acceleration {
        /// Body id.
        entity: u32,
        /// Above or below.
        rule: Rule,
        /// m/s².
        value: f64,
    },
    /// The entity has stood still (below [`STANDSTILL_SPEED`]) for at least `duration` s.
    StandStill {
        /// Body id.
        entity: u32,
        /// s.
        duration: f64,
    },
    /// The entity has travelled at least `distance` m since the start of the run.
    TraveledDistance {
        /// Body id.
        entity: u32,
        /// m.
        distance: f64,
    },
    /// The entity is within (`Below`) or beyond (`Above`) `distance` m of
    /// the route position (`s`, `d`) (a reached position is `Below` a
    /// tolerance), measured as `measure` says from its centre or
    /// (`freespace`) from its footprint ([`point_distance`]).
    Position {
        /// Body id.
        entity: u32,
        /// Route distance, m.
        s: f64,
        /// Lateral offset on the route, m.
        d: f64,
        /// Within or beyond.
        rule: Rule,
        /// m.
        distance: f64,
        /// Measure from the entity's footprint, not its centre.
        freespace: bool,
        /// Straight line, or along or across the route.
        measure: Measure,
    },
    /// As [`Condition::Position`], to a point that moves with the body
    /// `to`: `at` is the point's offset from it, recomputed from its state
    /// on every step.
    RelativePosition {
        /// Body id.
        entity: u32,
        /// The reference body's id.
        to: u32,
        /// Where the point is relative to `to`.
        at: Offset,
        /// Within or beyond.
        rule: Rule,
        /// m.
        distance: f64,
        /// Measure from the entity's footprint, not its centre.
        freespace: bool,
        /// Straight line, or along or across the route.
        measure: Measure,
    },
    /// Distance between the two centres, or (`freespace`) between their
    /// footprints, as `measure` says ([`body_distance`]), m.
    Distance {
        /// Body id.
        entity: u32,
        /// The other body's id.
        to: u32,
        /// Within or beyond.
        rule: Rule,
        /// m.
        distance: f64,
        /// Measure between the footprints, not the centres.
        freespace: bool,
        /// Straight line, or along or across the route.
        measure: Measure,
    },
    /// Time to collision of the entity with the other along the route's
    /// lanes (gap over closing speed; infinite when they do not overlap
    /// laterally, the other is behind, or they do not close), s.
    TimeToCollision {
        /// Body id (the follower).
        entity: u32,
        /// The other body's id (ahead).
        to: u32,
        /// Whether the gap is bumper to bumper (else centre to centre).
        freespace: bool,
        /// Above or below.
        rule: Rule,
        /// s.
        value: f64,
    },
    /// Time headway of the entity to the other along the route (centre to
    /// centre, or with `freespace` bumper to bumper, over the entity's
    /// speed; infinite when the other is behind or the entity does not
    /// move): [`headway`], s.
    Headway {
        /// Body id (the follower).
        entity: u32,
        /// The other body's id (ahead).
        to: u32,
        /// Above or below.
        rule: Rule,
        /// s.
        value: f64,
        /// Whether the gap is bumper to bumper (else centre to centre).
        freespace: bool,
    },
}

/// How a distance is measured (OpenSCENARIO's `relativeDistanceType` in
/// road coordinates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// The straight line in the plane.
    #[default]
    Euclidean,
    /// Along the route: the difference of route distance `s`, absolute.
    Longitudinal,
    /// Across the route: the difference of lateral offset `d`, absolute.
    Lateral,
}

/// A point relative to a body, as OpenSCENARIO's relative positions place it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Offset {
    /// In the body's own frame (`RelativeObjectPosition`): `dx` m ahead
    /// along its heading, `dy` m to its left.
    Object {
        /// m, forward.
        dx: f64,
        /// m, left.
        dy: f64,
    },
    /// On the route (`RelativeRoadPosition`): `ds` m further along and
    /// `dt` m further left than the body's route position.
    Road {
        /// m along the route.
        ds: f64,
        /// m across (+ left).
        dt: f64,
    },
    /// On a lane (`RelativeLanePosition`): `dlane` lanes left of the lane
    /// holding the body's centre (lanes `lane_width` m wide, lane 0's
    /// centre at `d` = 0), `ds` m further along, `offset` m left of that
    /// lane's centre.
    Lane {
        /// Lanes to the left (negative: right).
        dlane: i32,
        /// m along the route.
        ds: f64,
        /// m left of the lane's centre.
        offset: f64,
        /// The road's lane width, m.
        lane_width: f64,
    },
}

impl Offset {
    /// The point relative to `b`: in the plane, and on the route.
    fn point(&self, b: &BodyState, route: &Path) -> (V2, f64, f64) {
        let on_route = |s: f64, d: f64| (route.pose(s, d).0, s, d);
        match *self {
            Offset::Object { dx, dy } => {
                let p = b.pos + b.dir * dx + b.dir.perp() * dy;
                let at = route.project(p);
                (p, at.s, at.d)
            }
            Offset::Road { ds, dt } => on_route(b.route.s + ds, b.route.d + dt),
            Offset::Lane { dlane, ds, offset, lane_width } => {
                let lane = libm::round(b.route.d / lane_width) + f64::from(dlane);
                on_route(b.route.s + ds, lane * lane_width + offset)
            }
        }
    }
}

/// A condition with its group, edge and delay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judged {
    /// Index of its AND group (groups are ORed).
    pub group: u8,
    /// The condition.
    pub condition: Condition,
    /// Its edge.
    pub edge: Edge,
    /// Delay, s (≥ 0).
    pub delay: f64,
}

/// An OR of ANDs of at most [`MAX_CONDITIONS`] conditions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conditions {
    len: u8,
    items: [Judged; MAX_CONDITIONS],
}

impl Conditions {
    /// The conditions `list` (groups by their `group` index), or `None`
    /// when the list is empty or longer than [`MAX_CONDITIONS`].
    pub fn new(list: &[Judged]) -> Option<Self> {
        if list.is_empty() || list.len() > MAX_CONDITIONS {
            return None;
        }
        let mut items = [list[0]; MAX_CONDITIONS];
        items[..list.len()].copy_from_slice(list);
        Some(Self { len: list.len() as u8, items })
    }

    /// The conditions, in order.
    pub fn list(&self) -> &[Judged] {
        &self.items[..self.len as usize]
    }
}

/// What judging a trigger remembers between steps, per condition.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct JudgeState {
    /// The level on the step before (`None` before the first judgement).
    prev: [Option<bool>; MAX_CONDITIONS],
    /// When a delayed condition first reported true, s.
    since: [Option<f64>; MAX_CONDITIONS],
}

/// What the triggers know of each body beyond its snapshot: the distance
/// travelled since the start and how long it has stood still. Updated once
/// per step; sized on the first step (no allocation after it).
#[derive(Debug, Default)]
pub(crate) struct Odometers {
    last: Vec<V2>,
    travelled: Vec<f64>,
    still_for: Vec<f64>,
    started: bool,
}

impl Odometers {
    /// Adds the step just made by every body, less the jump of a body
    /// teleported on that step (`jumps`, in index order; missing: none).
    pub fn update(&mut self, bodies: &[BodyState], jumps: &[V2], dt: f64) {
        if !self.started || self.last.len() != bodies.len() {
            self.last.clear();
            self.last.extend(bodies.iter().map(|b| b.pos));
            self.travelled.clear();
            self.travelled.resize(bodies.len(), 0.0);
            self.still_for.clear();
            self.still_for.resize(bodies.len(), 0.0);
            self.started = true;
            return;
        }
        for (k, b) in bodies.iter().enumerate() {
            let moved = b.pos - self.last[k];
            self.travelled[k] += match jumps.get(k) {
                Some(&jump) if jump != V2::new(0.0, 0.0) => (moved - jump).norm(),
                _ => moved.norm(),
            };
            self.last[k] = b.pos;
            self.still_for[k] = if b.vel.norm() < STANDSTILL_SPEED { self.still_for[k] + dt } else { 0.0 };
        }
    }
}

fn index(bodies: &[BodyState], id: u32) -> Option<usize> {
    match bodies.get(id as usize) {
        Some(b) if b.id == id => Some(id as usize),
        _ => bodies.iter().position(|b| b.id == id),
    }
}

/// A body's footprint: its length × width rectangle about its centre.
fn footprint(b: &BodyState) -> crate::math::Obb {
    crate::math::Obb { centre: b.pos, axis: b.dir, half_length: 0.5 * b.length, half_width: 0.5 * b.width }
}

/// The level of `c` now (false when an entity it names is missing).
fn level(c: &Condition, t: f64, bodies: &[BodyState], odo: &Odometers, route: &Path) -> bool {
    let body = |id: u32| index(bodies, id);
    match *c {
        Condition::Time { at } => t + 1e-9 >= at,
        Condition::Speed { entity, rule, value } => {
            body(entity).is_some_and(|k| rule.holds(bodies[k].speed_long, value))
        }
        Condition::RelativeSpeed { entity, to, rule, value } => match (body(entity), body(to)) {
            (Some(a), Some(b)) => rule.holds(bodies[a].speed_long - bodies[b].speed_long, value),
            _ => false,
        },
        Condition::Acceleration { entity, rule, value } => {
            body(entity).is_some_and(|k| rule.holds(bodies[k].accel_long, value))
        }
        Condition::StandStill { entity, duration } => {
            body(entity).is_some_and(|k| odo.still_for.get(k).is_some_and(|&s| s + 1e-9 >= duration))
        }
        Condition::TraveledDistance { entity, distance } => {
            body(entity).is_some_and(|k| odo.travelled.get(k).is_some_and(|&x| x >= distance))
        }
        Condition::Position { entity, s, d, rule, distance, freespace, measure } => {
            body(entity).is_some_and(|k| {
                let (at, _) = route.pose(s, d);
                rule.holds(point_distance(&bodies[k], (at, s, d), freespace, measure), distance)
            })
        }
        Condition::RelativePosition { entity, to, at, rule, distance, freespace, measure } => {
            match (body(entity), body(to)) {
                (Some(a), Some(b)) => {
                    let point = at.point(&bodies[b], route);
                    rule.holds(point_distance(&bodies[a], point, freespace, measure), distance)
                }
                _ => false,
            }
        }
        Condition::Distance { entity, to, rule, distance, freespace, measure } => {
            match (body(entity), body(to)) {
                (Some(a), Some(b)) => {
                    rule.holds(body_distance(&bodies[a], &bodies[b], freespace, measure), distance)
                }
                _ => false,
            }
        }
        Condition::TimeToCollision { entity, to, freespace, rule, value } => match (body(entity), body(to)) {
            (Some(a), Some(b)) => rule.holds(ttc(&bodies[a], &bodies[b], freespace, route), value),
            _ => false,
        },
        Condition::Headway { entity, to, rule, value, freespace } => match (body(entity), body(to)) {
            (Some(a), Some(b)) => rule.holds(headway(&bodies[a], &bodies[b], freespace, route), value),
            _ => false,
        },
    }
}

/// Time headway of `a` to `b` ahead along the route: the distance along
/// `a`'s lane line from centre to centre (less half of each length when
/// `freespace`, at least 0) over `a`'s speed along the route; infinite when
/// `b` is not ahead or `a` moves slower than 0.1 m/s, s.
pub(crate) fn headway(a: &BodyState, b: &BodyState, freespace: bool, route: &Path) -> f64 {
    let ahead = route.along(a.route.s, b.route.s, a.route.d);
    let (vs, _) = a.frame_velocity(&a.route);
    if !(ahead > 0.0 && vs > 0.1) {
        return f64::INFINITY;
    }
    let gap = if freespace { (ahead - 0.5 * (a.length + b.length)).max(0.0) } else { ahead };
    gap / vs
}

/// Half the extent of `b`'s footprint along the unit vector `u`, m.
fn half_extent(b: &BodyState, u: V2) -> f64 {
    0.5 * b.length * b.dir.dot(u).abs() + 0.5 * b.width * b.dir.perp().dot(u).abs()
}

/// Distance, m, from `b` to the point `(p, s, d)` (in the plane, and on the
/// route): `Euclidean` from its centre, or with `freespace` the signed
/// distance from its footprint (negative inside); `Longitudinal` |Δs| and
/// `Lateral` |Δd| on the route, with `freespace` less half the footprint's
/// extent along (across) the route's tangent at the body.
pub(crate) fn point_distance(
    b: &BodyState,
    (p, s, d): (V2, f64, f64),
    freespace: bool,
    measure: Measure,
) -> f64 {
    let tangent = b.route.tangent;
    match (measure, freespace) {
        (Measure::Euclidean, false) => (b.pos - p).norm(),
        (Measure::Euclidean, true) => footprint(b).signed_distance_to_point(p),
        (Measure::Longitudinal, _) => {
            (s - b.route.s).abs() - if freespace { half_extent(b, tangent) } else { 0.0 }
        }
        (Measure::Lateral, _) => {
            (d - b.route.d).abs() - if freespace { half_extent(b, tangent.perp()) } else { 0.0 }
        }
    }
}

/// Distance, m, between `a` and `b`: `Euclidean` between the centres, or
/// with `freespace` between the footprints (the gap between the two
/// rectangles, negative when they overlap: [`crate::math::Obb::clearance`]);
/// `Longitudinal` |Δs| and `Lateral` |Δd| on the route, with `freespace`
/// less half of each footprint's extent along (across) the route's tangent
/// at it.
pub(crate) fn body_distance(a: &BodyState, b: &BodyState, freespace: bool, measure: Measure) -> f64 {
    match (measure, freespace) {
        (Measure::Euclidean, false) => (a.pos - b.pos).norm(),
        (Measure::Euclidean, true) => footprint(a).clearance(&footprint(b)),
        (Measure::Longitudinal, _) => {
            let ext = |x: &BodyState| if freespace { half_extent(x, x.route.tangent) } else { 0.0 };
            (b.route.s - a.route.s).abs() - ext(a) - ext(b)
        }
        (Measure::Lateral, _) => {
            let ext = |x: &BodyState| if freespace { half_extent(x, x.route.tangent.perp()) } else { 0.0 };
            (b.route.d - a.route.d).abs() - ext(a) - ext(b)
        }
    }
}

/// Time to collision of `a` with `b` ahead along the route's lanes
/// (bumper to bumper when `freespace`, else centre to centre), s.
pub(crate) fn ttc(a: &BodyState, b: &BodyState, freespace: bool, route: &Path) -> f64 {
    let half = 0.5 * (a.width + b.width);
    if (b.route.d - a.route.d).abs() >= half || b.route.s <= a.route.s {
        return f64::INFINITY;
    }
    let (la, lb) = if freespace { (a.length, b.length) } else { (0.0, 0.0) };
    let gap = lane_gap(route, &a.route, &b.route, la, lb).max(0.0);
    let closing =
        lane_closing(&a.route, a.frame_velocity(&a.route).0, &b.route, b.frame_velocity(&b.route).0);
    if closing > 1e-6 { gap / closing } else { f64::INFINITY }
}

/// Judges `conds` at time `t`, updating `state`; whether the trigger fires.
pub(crate) fn judge(
    conds: &Conditions,
    state: &mut JudgeState,
    t: f64,
    bodies: &[BodyState],
    odo: &Odometers,
    route: &Path,
) -> bool {
    let list = conds.list();
    let mut reports = [false; MAX_CONDITIONS];
    for (k, j) in list.iter().enumerate() {
        let now = level(&j.condition, t, bodies, odo, route);
        let before = state.prev[k];
        state.prev[k] = Some(now);
        let edge = match j.edge {
            Edge::None => now,
            Edge::Rising => before == Some(false) && now,
            Edge::Falling => before == Some(true) && !now,
            Edge::Both => before.is_some_and(|b| b != now),
        };
        reports[k] = if j.delay > 0.0 {
            if edge && state.since[k].is_none() {
                state.since[k] = Some(t);
            }
            state.since[k].is_some_and(|s| t + 1e-9 >= s + j.delay)
        } else {
            edge
        };
    }
    let groups = list.iter().map(|j| j.group).max().unwrap_or(0);
    (0..=groups).any(|g| {
        let mut members = list.iter().zip(reports).filter(|(j, _)| j.group == g).peekable();
        members.peek().is_some() && members.all(|(_, r)| r)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::body_at;

    /// `body_at` with an id.
    fn with_id(id: u32, s: f64, d: f64, v: f64) -> BodyState {
        BodyState { id, ..body_at(s, d, v) }
    }

    fn judged(group: u8, condition: Condition, edge: Edge, delay: f64) -> Judged {
        Judged { group, condition, edge, delay }
    }

    fn speed(rule: Rule, value: f64) -> Condition {
        Condition::Speed { entity: 1, rule, value }
    }

    fn route() -> crate::road::Road {
        crate::road::Road::new(crate::testing::road(vec![crate::road::SegmentSpec::new(500.0, 0.0)]))
    }

    /// Judges `conds` over a sequence of actor speeds, one per step of 0.1 s.
    fn run(conds: &Conditions, speeds: &[f64]) -> Vec<bool> {
        let road = route();
        let mut state = JudgeState::default();
        let odo = Odometers::default();
        speeds
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let bodies = [with_id(0, 0.0, 0.0, 10.0), with_id(1, 50.0, 0.0, v)];
                judge(conds, &mut state, i as f64 * 0.1, &bodies, &odo, road.route())
            })
            .collect()
    }

    #[test]
    fn a_level_true_at_the_start_fires_at_once_and_a_rising_edge_needs_false_first() {
        let level = Conditions::new(&[judged(0, speed(Rule::Above, 5.0), Edge::None, 0.0)]).unwrap();
        assert_eq!(run(&level, &[6.0, 6.0]), [true, true]);
        let rising = Conditions::new(&[judged(0, speed(Rule::Above, 5.0), Edge::Rising, 0.0)]).unwrap();
        assert_eq!(run(&rising, &[6.0, 6.0, 4.0, 6.0, 6.0]), [false, false, false, true, false]);
        let falling = Conditions::new(&[judged(0, speed(Rule::Above, 5.0), Edge::Falling, 0.0)]).unwrap();
        assert_eq!(run(&falling, &[4.0, 6.0, 4.0, 4.0]), [false, false, true, false]);
        let both = Conditions::new(&[judged(0, speed(Rule::Above, 5.0), Edge::Both, 0.0)]).unwrap();
        assert_eq!(run(&both, &[4.0, 6.0, 6.0, 4.0]), [false, true, false, true]);
    }

    #[test]
    fn a_delay_reports_true_from_delay_seconds_after_the_condition_first_held() {
        let delayed = Conditions::new(&[judged(0, speed(Rule::Above, 5.0), Edge::Rising, 0.25)]).unwrap();
        // Rises at step 2 (t = 0.2 s): reports from t = 0.45 s, i.e. step 5 on, latched.
        assert_eq!(
            run(&delayed, &[4.0, 4.0, 6.0, 6.0, 4.0, 4.0, 4.0]),
            [false, false, false, false, false, true, true]
        );
    }

    #[test]
    fn groups_are_ored_and_their_members_anded() {
        let conds = Conditions::new(&[
            judged(0, speed(Rule::Above, 5.0), Edge::None, 0.0),
            judged(0, Condition::Time { at: 0.3 }, Edge::None, 0.0),
            judged(1, speed(Rule::Above, 9.0), Edge::None, 0.0),
        ])
        .unwrap();
        assert_eq!(run(&conds, &[6.0, 6.0, 6.0, 6.0]), [false, false, false, true]);
        assert_eq!(run(&conds, &[6.0, 10.0]), [false, true]);
        assert_eq!(Conditions::new(&[]), None);
        assert_eq!(Conditions::new(&[judged(0, speed(Rule::Above, 5.0), Edge::None, 0.0); 9]), None);
    }

    #[test]
    fn standing_and_travelling_are_counted_from_the_start() {
        let road = route();
        let mut odo = Odometers::default();
        let still = Conditions::new(&[judged(
            0,
            Condition::StandStill { entity: 1, duration: 0.3 },
            Edge::None,
            0.0,
        )])
        .unwrap();
        let far = Conditions::new(&[judged(
            0,
            Condition::TraveledDistance { entity: 0, distance: 2.5 },
            Edge::None,
            0.0,
        )])
        .unwrap();
        let (mut s_state, mut f_state) = (JudgeState::default(), JudgeState::default());
        let mut fired = Vec::new();
        for i in 0..5 {
            let bodies = [with_id(0, i as f64, 0.0, 10.0), with_id(1, 50.0, 0.0, 0.0)];
            odo.update(&bodies, &[], 0.1);
            let t = i as f64 * 0.1;
            fired.push((
                judge(&still, &mut s_state, t, &bodies, &odo, road.route()),
                judge(&far, &mut f_state, t, &bodies, &odo, road.route()),
            ));
        }
        assert_eq!(fired, [(false, false), (false, false), (false, false), (true, true), (true, true)]);
    }

    #[test]
    fn time_to_collision_is_the_lane_gap_over_the_closing_speed() {
        let road = route();
        let (a, b) = (with_id(0, 0.0, 0.0, 20.0), with_id(1, 50.0, 0.0, 10.0));
        // Gap 50 − 4.5 (half of each 4.5 m length) over 10 m/s.
        let expected = (50.0 - 0.5 * (a.length + b.length)) / 10.0;
        assert!((ttc(&a, &b, true, road.route()) - expected).abs() < 1e-9);
        assert!((ttc(&a, &b, false, road.route()) - 5.0).abs() < 1e-9);
        assert_eq!(ttc(&b, &a, true, road.route()), f64::INFINITY);
        let beside = with_id(1, 50.0, 3.5, 10.0);
        assert_eq!(ttc(&a, &beside, true, road.route()), f64::INFINITY);
    }

    #[test]
    fn a_freespace_headway_is_the_bumper_gap_over_the_followers_speed() {
        let road = route();
        let (a, b) = (with_id(0, 0.0, 0.0, 20.0), with_id(1, 50.0, 0.0, 10.0));
        assert!((headway(&a, &b, false, road.route()) - 2.5).abs() < 1e-12);
        // (50 − ½·4.5 − ½·4.5) / 20.
        assert!((headway(&a, &b, true, road.route()) - (50.0 - 4.5) / 20.0).abs() < 1e-12);
        // Overlapping bumpers: 0; the other behind or the follower still: infinite.
        let close = with_id(1, 3.0, 0.0, 10.0);
        assert_eq!(headway(&a, &close, true, road.route()), 0.0);
        assert_eq!(headway(&b, &a, true, road.route()), f64::INFINITY);
        assert_eq!(headway(&with_id(0, 0.0, 0.0, 0.0), &b, true, road.route()), f64::INFINITY);
    }

    #[test]
    fn distances_to_a_point_are_measured_from_the_centre_or_the_footprint_along_or_across_the_route() {
        let b = with_id(0, 10.0, 0.0, 5.0);
        let point = |s: f64, d: f64| (V2::new(s, d), s, d);
        let (e, lo, la) = (Measure::Euclidean, Measure::Longitudinal, Measure::Lateral);
        assert!((point_distance(&b, point(13.0, 4.0), false, e) - 5.0).abs() < 1e-12);
        // Ahead on the axis: 20 less the half length 2.25; beside: 3 less the half width 0.9.
        assert!((point_distance(&b, point(30.0, 0.0), true, e) - 17.75).abs() < 1e-12);
        assert!((point_distance(&b, point(10.0, -3.0), true, e) - 2.1).abs() < 1e-12);
        // Inside the footprint: negative (the distance to the nearest side).
        assert!((point_distance(&b, point(11.0, 0.5), true, e) + 0.4).abs() < 1e-12);
        // Off the corner: the distance to it.
        let corner = point_distance(&b, point(10.0 + 2.25 + 3.0, 0.9 + 4.0), true, e);
        assert!((corner - 5.0).abs() < 1e-12);
        assert!((point_distance(&b, point(4.0, 7.0), false, lo) - 6.0).abs() < 1e-12);
        assert!((point_distance(&b, point(4.0, 7.0), true, lo) - 3.75).abs() < 1e-12);
        assert!((point_distance(&b, point(4.0, -7.0), false, la) - 7.0).abs() < 1e-12);
        assert!((point_distance(&b, point(4.0, -7.0), true, la) - 6.1).abs() < 1e-12);
        // A body turned 90° across the route spans its length across it.
        let turned = BodyState { dir: V2::new(0.0, 1.0), yaw: std::f64::consts::FRAC_PI_2, ..b };
        assert!((point_distance(&turned, point(4.0, 7.0), true, lo) - 5.1).abs() < 1e-12);
        assert!((point_distance(&turned, point(4.0, 7.0), true, la) - 4.75).abs() < 1e-12);
    }

    #[test]
    fn distances_between_bodies_along_and_across_the_route_take_off_both_extents() {
        let (a, b) = (with_id(0, 0.0, 0.0, 5.0), with_id(1, 30.0, 3.5, 5.0));
        let d = |fs, m| body_distance(&a, &b, fs, m);
        assert!((d(false, Measure::Euclidean) - libm::hypot(30.0, 3.5)).abs() < 1e-12);
        assert!((d(false, Measure::Longitudinal) - 30.0).abs() < 1e-12);
        assert!((d(true, Measure::Longitudinal) - 25.5).abs() < 1e-12);
        assert!((d(false, Measure::Lateral) - 3.5).abs() < 1e-12);
        assert!((d(true, Measure::Lateral) - 1.7).abs() < 1e-12);
        assert_eq!(body_distance(&b, &a, true, Measure::Longitudinal), d(true, Measure::Longitudinal));
    }

    #[test]
    fn a_relative_point_moves_with_its_body_in_its_frame_on_the_road_or_on_a_lane() {
        let road = route();
        let b = with_id(1, 40.0, 3.6, 10.0);
        let (p, s, d) = Offset::Object { dx: 10.0, dy: -2.0 }.point(&b, road.route());
        assert!((p - V2::new(50.0, 1.6)).norm() < 1e-9 && (s - 50.0).abs() < 1e-9 && (d - 1.6).abs() < 1e-9);
        // Heading 90° left: ahead is +y, left is −x.
        let turned = BodyState { dir: V2::new(0.0, 1.0), yaw: std::f64::consts::FRAC_PI_2, ..b };
        let (p, _, _) = Offset::Object { dx: 10.0, dy: 2.0 }.point(&turned, road.route());
        assert!((p - V2::new(38.0, 13.6)).norm() < 1e-9, "{p:?}");
        let (p, s, d) = Offset::Road { ds: -5.0, dt: 1.0 }.point(&b, road.route());
        assert!((p - V2::new(35.0, 4.6)).norm() < 1e-9 && s == 35.0 && (d - 4.6).abs() < 1e-12);
        // At d = 3.6 the body is on lane 1 (3.5 m lanes): one lane right is lane 0.
        let lane = Offset::Lane { dlane: -1, ds: 20.0, offset: 0.25, lane_width: 3.5 };
        let (p, s, d) = lane.point(&b, road.route());
        assert!((p - V2::new(60.0, 0.25)).norm() < 1e-9 && s == 60.0 && d == 0.25);
    }

    #[test]
    fn a_relative_position_condition_is_judged_from_the_reference_bodys_state_each_step() {
        let road = route();
        // "The ego within 1 m of the point 10 m behind car 1": car 1 parked at 50, the ego at s.
        let conds = Conditions::new(&[judged(
            0,
            Condition::RelativePosition {
                entity: 0,
                to: 1,
                at: Offset::Object { dx: -10.0, dy: 0.0 },
                rule: Rule::Below,
                distance: 1.0,
                freespace: true,
                measure: Measure::Euclidean,
            },
            Edge::None,
            0.0,
        )])
        .unwrap();
        let mut state = JudgeState::default();
        let odo = Odometers::default();
        let fired: Vec<bool> = [30.0, 36.0, 36.8, 38.0, 40.0, 45.0]
            .iter()
            .map(|&s| {
                let bodies = [with_id(0, s, 0.0, 10.0), with_id(1, 50.0, 0.0, 0.0)];
                judge(&conds, &mut state, 0.0, &bodies, &odo, road.route())
            })
            .collect();
        // The ego's front bumper (s + 2.25) within 1 m of 40: s ≥ 36.75, and its rear (s − 2.25)
        // within 1 m of 40: s ≤ 43.25.
        assert_eq!(fired, [false, false, true, true, true, false]);
    }
}
