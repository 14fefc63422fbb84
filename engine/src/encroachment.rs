//! Post-encroachment time (PET) at the road's conflict areas, for the
//! signal library (`pet`, `pet_predicted`).
//!
//! **Conflict areas** are rectangles in the ego's route frame: the
//! crosswalk, `s ∈ [at_s − width/2, at_s + width/2]`, and the intersection
//! box, `s ∈ [at_s − lane_width, at_s + lane_width]` (the crossing road's two
//! lanes); both across the route's carriageway, `d ∈ [right edge, left
//! edge]`. A road user **occupies** an area while its footprint, by its
//! half-extents along and across the route (as the criteria measure them),
//! overlaps the rectangle.
//!
//! The ego's **counterparts** are the moving road users that cross the
//! route: those (not `Static`) heading more than 45° off the route's
//! tangent (pedestrians and cyclists on the crosswalk, vehicles on the
//! crossing road). Traffic along the route (a lead, oncoming cars) passes
//! through an area without crossing the ego's path, so it has no PET with
//! the ego.
//!
//! **PET** (online, of the last completed encroachment): at the step the ego
//! enters an area that counterparts last left at `t₁`, `t − t₁`; at the step
//! a counterpart enters an area the ego last left at `t₁`, `t − t₁`; `0` at
//! every step both occupy it. Times are step ends, so PET resolves to one
//! step. Undefined before the first encroachment: then [`PET_HORIZON`].
//!
//! **Predicted PET**: with every body at its current velocity in the route
//! frame, the occupancy interval `[t_in, t_out]` (from now) of the ego and of
//! each counterpart; for a pair whose intervals are both non-empty, `0` when
//! they overlap, else the later entry minus the earlier exit. The least over
//! areas and counterparts; undefined ([`PET_HORIZON`]) when the ego is not
//! predicted to occupy an area or no counterpart is.

use crate::actor::ActorKind;
use crate::road::RoadSpec;

/// The value of PET signals while undefined, and their upper bound, s.
pub const PET_HORIZON: f64 = 60.0;

/// Counterparts head more than this far off the route's tangent (cos 45°).
const CROSSING_COS: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// A conflict area: a rectangle in the route frame, m.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConflictArea {
    /// Route distance where it starts.
    pub s0: f64,
    /// Route distance where it ends.
    pub s1: f64,
    /// Lateral offset of its right side.
    pub d0: f64,
    /// Lateral offset of its left side.
    pub d1: f64,
}

impl ConflictArea {
    /// The conflict areas of a road: the crosswalk's, then the intersection's.
    pub fn of_road(road: &RoadSpec) -> [Option<ConflictArea>; 2] {
        let (d0, d1) = (road.right_edge(), road.left_edge());
        [
            road.crosswalk.map(|c| ConflictArea {
                s0: c.at_s - 0.5 * c.width,
                s1: c.at_s + 0.5 * c.width,
                d0,
                d1,
            }),
            road.intersection.map(|ix| ConflictArea {
                s0: ix.at_s - ix.lane_width,
                s1: ix.at_s + ix.lane_width,
                d0,
                d1,
            }),
        ]
    }
}

/// A road user in the route frame: centre, half-extents and velocity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RouteBox {
    /// Route distance of its centre, m.
    pub s: f64,
    /// Lateral offset of its centre, m.
    pub d: f64,
    /// Half-extent along the route, m.
    pub half_s: f64,
    /// Half-extent across the route, m.
    pub half_d: f64,
    /// Velocity along the route, m/s.
    pub vs: f64,
    /// Velocity across the route, m/s.
    pub vd: f64,
}

impl RouteBox {
    /// Whether it overlaps `area` now.
    pub fn occupies(&self, area: &ConflictArea) -> bool {
        (self.s - self.half_s) < area.s1
            && (self.s + self.half_s) > area.s0
            && (self.d - self.half_d) < area.d1
            && (self.d + self.half_d) > area.d0
    }

    /// The times `t ≥ 0` from now during which it overlaps `area` at
    /// constant velocity, `[t_in, t_out]`; `None` when never (`t_out` is
    /// infinite for a body standing in it).
    pub fn occupancy(&self, area: &ConflictArea) -> Option<(f64, f64)> {
        let (a0, a1) = axis_overlap(self.s, self.half_s, self.vs, area.s0, area.s1)?;
        let (b0, b1) = axis_overlap(self.d, self.half_d, self.vd, area.d0, area.d1)?;
        let (t0, t1) = (a0.max(b0), a1.min(b1));
        (t0 < t1).then_some((t0, t1))
    }
}

/// The times `t ≥ 0` at which an interval centred at `x + v·t` of half-width
/// `h` overlaps `[lo, hi]`.
fn axis_overlap(x: f64, h: f64, v: f64, lo: f64, hi: f64) -> Option<(f64, f64)> {
    let (a, b) = (lo - h, hi + h);
    if v.abs() < 1e-9 {
        return (x > a && x < b).then_some((0.0, f64::INFINITY));
    }
    let (t0, t1) = ((a - x) / v, (b - x) / v);
    let (t0, t1) = (t0.min(t1), t0.max(t1));
    (t1 > 0.0).then_some((t0.max(0.0), t1))
}

/// The predicted PET of two occupancy intervals: 0 when they overlap, else
/// the later entry minus the earlier exit.
pub fn predicted_pet(a: (f64, f64), b: (f64, f64)) -> f64 {
    if a.1 <= b.0 {
        b.0 - a.1
    } else if b.1 <= a.0 {
        a.0 - b.1
    } else {
        0.0
    }
}

/// What one area remembers between steps.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct AreaState {
    ego_in: bool,
    others_in: bool,
    /// When the ego last left it.
    ego_left: Option<f64>,
    /// When the last counterpart left it (no counterpart inside any more).
    others_left: Option<f64>,
}

impl AreaState {
    /// Takes this step's occupancy at time `t`; the PET completed now, if any.
    fn update(&mut self, t: f64, ego_in: bool, others_in: bool) -> Option<f64> {
        let pet = if ego_in && others_in {
            Some(0.0)
        } else if ego_in && !self.ego_in {
            self.others_left.map(|t1| t - t1)
        } else if others_in && !self.others_in {
            self.ego_left.map(|t1| t - t1)
        } else {
            None
        };
        if self.ego_in && !ego_in {
            self.ego_left = Some(t);
        }
        if self.others_in && !others_in {
            self.others_left = Some(t);
        }
        self.ego_in = ego_in;
        self.others_in = others_in;
        pet
    }
}

/// The PET of a world's conflict areas, step by step (fixed size: no allocation).
#[derive(Debug, Clone, PartialEq)]
pub struct Encroachment {
    areas: [Option<ConflictArea>; 2],
    states: [AreaState; 2],
    last: f64,
}

impl Encroachment {
    /// The tracker of `road`'s conflict areas; PET undefined so far.
    pub fn new(road: &RoadSpec) -> Self {
        Self::with_areas(ConflictArea::of_road(road))
    }

    /// The tracker of the given areas.
    pub fn with_areas(areas: [Option<ConflictArea>; 2]) -> Self {
        Self { areas, states: [AreaState::default(); 2], last: PET_HORIZON }
    }

    /// Takes the step ending at `t`: the ego and the other road users (kind,
    /// route-frame box, and the cosine of their heading to the route's
    /// tangent). Returns `(pet, pet_predicted)`, s, each ≤ [`PET_HORIZON`].
    pub fn update<I>(&mut self, t: f64, ego: &RouteBox, others: I) -> (f64, f64)
    where
        I: Iterator<Item = (ActorKind, RouteBox, f64)> + Clone,
    {
        let mut predicted = PET_HORIZON;
        for (area, state) in self.areas.iter().zip(self.states.iter_mut()) {
            let Some(area) = area else { continue };
            let crossing = others
                .clone()
                .filter(|(kind, _, cos)| *kind != ActorKind::Static && cos.abs() < CROSSING_COS)
                .map(|(_, b, _)| b);
            let others_in = crossing.clone().any(|b| b.occupies(area));
            if let Some(pet) = state.update(t, ego.occupies(area), others_in) {
                self.last = pet.min(PET_HORIZON);
            }
            if let Some(mine) = ego.occupancy(area) {
                for theirs in crossing.filter_map(|b| b.occupancy(area)) {
                    predicted = predicted.min(predicted_pet(mine, theirs));
                }
            }
        }
        (self.last, predicted.min(PET_HORIZON))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: ConflictArea = ConflictArea { s0: 48.0, s1: 52.0, d0: -1.75, d1: 5.25 };

    fn ego_at(s: f64, vs: f64) -> RouteBox {
        RouteBox { s, d: 0.0, half_s: 2.25, half_d: 0.9, vs, vd: 0.0 }
    }

    fn walker_at(d: f64, vd: f64) -> RouteBox {
        RouteBox { s: 50.0, d, half_s: 0.25, half_d: 0.25, vs: 0.0, vd }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn occupancy_intervals_are_the_hand_computed_ones() {
        // Ego front at 40 + 2.25; enters when s + 2.25 > 48 → s = 45.75 (t = 5.75/10 = 0.575 s),
        // leaves when s − 2.25 ≥ 52 → s = 54.25 (t = 1.425 s).
        let (t_in, t_out) = ego_at(40.0, 10.0).occupancy(&AREA).unwrap();
        assert!(close(t_in, 0.575) && close(t_out, 1.425), "{t_in} {t_out}");
        // A pedestrian 4 m right of the carriageway walking left at 1.5 m/s: enters when
        // d + 0.25 > −1.75 → d = −2.0 (t = 2/1.5), leaves when d − 0.25 ≥ 5.25 → d = 5.5 (t = 9.5/1.5).
        let (t_in, t_out) = walker_at(-4.0, 1.5).occupancy(&AREA).unwrap();
        assert!(close(t_in, 2.0 / 1.5) && close(t_out, 9.5 / 1.5), "{t_in} {t_out}");
        // Walking away, or standing outside: never; standing inside: from now on.
        assert!(walker_at(-4.0, -1.5).occupancy(&AREA).is_none());
        assert!(walker_at(-4.0, 0.0).occupancy(&AREA).is_none());
        assert_eq!(walker_at(1.0, 0.0).occupancy(&AREA), Some((0.0, f64::INFINITY)));
        assert!(walker_at(1.0, 0.0).occupies(&AREA) && !walker_at(-2.0, 0.0).occupies(&AREA));
    }

    #[test]
    fn predicted_pet_is_the_gap_between_intervals_or_zero() {
        assert!(close(predicted_pet((0.575, 1.425), (2.0, 7.0)), 0.575));
        assert!(close(predicted_pet((2.0, 7.0), (0.575, 1.425)), 0.575));
        assert_eq!(predicted_pet((0.0, 3.0), (2.0, 7.0)), 0.0);
    }

    /// Steps of 0.1 s: the pedestrian crosses first, the ego follows.
    #[test]
    fn pet_is_the_time_from_the_first_leaving_to_the_second_entering() {
        let mut e = Encroachment::with_areas([Some(AREA), None]);
        let walker = |d: f64| std::iter::once((ActorKind::Pedestrian, walker_at(d, 1.5), 0.0));
        // The pedestrian is inside, the ego far away: undefined PET; predicted from the intervals.
        let (pet, predicted) = e.update(0.1, &ego_at(20.0, 10.0), walker(0.0));
        assert_eq!(pet, PET_HORIZON);
        // Ego enters at (45.75 − 20)/10 = 2.575 s; the pedestrian leaves at (5.5 − 0)/1.5 = 3.667 s: overlap.
        assert_eq!(predicted, 0.0);
        // The pedestrian leaves (t = 0.2; d − 0.25 ≥ 5.25): nothing completed yet.
        let (pet, _) = e.update(0.2, &ego_at(21.0, 10.0), walker(5.6));
        assert_eq!(pet, PET_HORIZON);
        let (pet, predicted) = e.update(0.3, &ego_at(22.0, 10.0), walker(5.75));
        assert_eq!((pet, predicted), (PET_HORIZON, PET_HORIZON), "walking away: no prediction");
        // The ego enters at t = 1.5: PET = 1.5 − 0.2.
        let (pet, _) = e.update(1.5, &ego_at(46.0, 10.0), walker(7.0));
        assert!(close(pet, 1.3), "{pet}");
        // It stays the last PET while nothing else happens.
        let (pet, _) = e.update(1.6, &ego_at(47.0, 10.0), walker(7.15));
        assert!(close(pet, 1.3), "{pet}");
    }

    #[test]
    fn pet_after_the_ego_leaves_and_zero_while_both_occupy() {
        let mut e = Encroachment::with_areas([Some(AREA), None]);
        let walker = |d: f64| std::iter::once((ActorKind::Pedestrian, walker_at(d, 1.5), 0.0));
        e.update(1.0, &ego_at(50.0, 10.0), walker(-4.0));
        e.update(2.0, &ego_at(60.0, 10.0), walker(-3.0)); // the ego left at 2.0
        let (pet, _) = e.update(2.8, &ego_at(68.0, 10.0), walker(-1.9)); // the pedestrian enters
        assert!(close(pet, 0.8), "{pet}");
        // Another encroachment, both inside at once: 0.
        let mut e = Encroachment::with_areas([Some(AREA), None]);
        let (pet, predicted) = e.update(0.1, &ego_at(50.0, 10.0), walker(0.0));
        assert_eq!((pet, predicted), (0.0, 0.0));
    }

    #[test]
    fn traffic_along_the_route_is_no_counterpart() {
        let mut e = Encroachment::with_areas([Some(AREA), None]);
        // A lead in the ego's lane heading along the route (cos 1), inside the area.
        let lead = RouteBox { s: 50.0, d: 0.0, half_s: 2.25, half_d: 0.9, vs: 8.0, vd: 0.0 };
        let (pet, predicted) =
            e.update(0.1, &ego_at(40.0, 10.0), std::iter::once((ActorKind::Vehicle, lead, 1.0)));
        assert_eq!((pet, predicted), (PET_HORIZON, PET_HORIZON));
        // A crossing vehicle (cos 0) in the area is one.
        let crossing = RouteBox { s: 50.0, d: 0.0, half_s: 0.9, half_d: 2.25, vs: 0.0, vd: 5.0 };
        let (_, predicted) =
            e.update(0.2, &ego_at(40.0, 10.0), std::iter::once((ActorKind::Vehicle, crossing, 0.0)));
        // The crossing car leaves when d − 2.25 ≥ 5.25 (t = 1.5); the ego enters at 0.575: overlap.
        assert_eq!(predicted, 0.0);
    }

    #[test]
    fn areas_come_from_the_road() {
        let mut road = crate::testing::road(vec![crate::road::SegmentSpec::new(300.0, 0.0)]);
        road.crosswalk = Some(crate::road::CrosswalkSpec { at_s: 50.0, width: 4.0 });
        road.intersection = Some(crate::road::IntersectionSpec {
            at_s: 120.0,
            lane_width: 3.5,
            arm_length: 60.0,
            signal: None,
        });
        let [cw, ix] = ConflictArea::of_road(&road);
        let (d0, d1) = (road.right_edge(), road.left_edge());
        assert_eq!(cw, Some(ConflictArea { s0: 48.0, s1: 52.0, d0, d1 }));
        assert_eq!(ix, Some(ConflictArea { s0: 116.5, s1: 123.5, d0, d1 }));
    }
}
