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
    /// The entity's centre is within (`Below`) or beyond (`Above`)
    /// `distance` m of the route position (`s`, `d`) (a reached position
    /// is `Below` a tolerance).
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
    },
    /// Distance between the two centres, or (`freespace`) between their
    /// footprints (the gap between the two rectangles, negative when they
    /// overlap: [`crate::math::Obb::clearance`]), m.
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
    /// centre over the entity's speed; infinite when the other is behind or
    /// the entity does not move), s.
    Headway {
        /// Body id (the follower).
        entity: u32,
        /// The other body's id (ahead).
        to: u32,
        /// Above or below.
        rule: Rule,
        /// s.
        value: f64,
    },
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
        Condition::Position { entity, s, d, rule, distance } => body(entity).is_some_and(|k| {
            let (at, _) = route.pose(s, d);
            rule.holds((bodies[k].pos - at).norm(), distance)
        }),
        Condition::Distance { entity, to, rule, distance, freespace } => match (body(entity), body(to)) {
            (Some(a), Some(b)) if freespace => {
                rule.holds(footprint(&bodies[a]).clearance(&footprint(&bodies[b])), distance)
            }
            (Some(a), Some(b)) => rule.holds((bodies[a].pos - bodies[b].pos).norm(), distance),
            _ => false,
        },
        Condition::TimeToCollision { entity, to, freespace, rule, value } => match (body(entity), body(to)) {
            (Some(a), Some(b)) => rule.holds(ttc(&bodies[a], &bodies[b], freespace, route), value),
            _ => false,
        },
        Condition::Headway { entity, to, rule, value } => match (body(entity), body(to)) {
            (Some(a), Some(b)) => {
                let (a, b) = (&bodies[a], &bodies[b]);
                let ahead = route.along(a.route.s, b.route.s, a.route.d);
                let (vs, _) = a.frame_velocity(&a.route);
                let h = if ahead > 0.0 && vs > 0.1 { ahead / vs } else { f64::INFINITY };
                rule.holds(h, value)
            }
            _ => false,
        },
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
}
