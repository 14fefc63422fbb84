//! Two-way roads: the oncoming lanes left of the route's lanes, driven
//! against the route direction, and what "oncoming" means to the criteria.
//!
//! The oncoming lanes get their own reference path ([`PathId::Oncoming`]):
//! the route's reference line offset to the centre of the outermost
//! oncoming lane and reversed. It starts at the route's end, and its lane
//! `j` is the route's lane `lanes + oncoming_lanes - 1 - j`, so lane 0 is its
//! rightmost lane (as the protocol numbers lanes) and an oncoming vehicle
//! that overtakes moves to its lanes `oncoming_lanes..`, the route's lanes.
//! Scripted behaviours (IDM following, lane keeping, lane changes,
//! overtaking) work unchanged in that frame.

use crate::math::PI;
use crate::road::{Path, PathId, RoadSpec, SegmentSpec};
use crate::world::BodyState;

/// Speed against the route above which a road user counts as oncoming, m/s.
pub const ONCOMING_SPEED: f64 = 0.5;

/// Route-frame lateral offset of the oncoming path's reference line (the
/// centre of the outermost oncoming lane), m.
pub fn oncoming_offset(spec: &RoadSpec) -> f64 {
    spec.lane_centre((spec.total_lanes() - 1) as f64)
}

/// The oncoming path of a road with oncoming lanes: the route's reference
/// line offset by [`oncoming_offset`] and reversed (arcs keep their centre:
/// radius `1/k - offset`, turning the other way).
pub(crate) fn oncoming_path(spec: &RoadSpec, route: &Path) -> Option<Path> {
    if spec.oncoming_lanes == 0 {
        return None;
    }
    let offset = oncoming_offset(spec);
    let pieces: Vec<SegmentSpec> =
        spec.segments.iter().rev().map(|seg| seg.offset_reversed(offset)).collect();
    let (start, heading) = route.pose(route.length(), offset);
    Some(Path::new(start, heading + PI, &pieces))
}

/// Lanes an actor on `path` may use (its lane numbers are `0..` this).
pub fn path_lanes(spec: &RoadSpec, path: PathId) -> u32 {
    match path {
        PathId::Route | PathId::Oncoming => spec.total_lanes(),
        PathId::CrossNorth | PathId::CrossSouth | PathId::Movement(..) => 1,
    }
}

/// Whether a road user moves against the route (faster than
/// [`ONCOMING_SPEED`]): `min_gap` ignores it, `min_ttc` judges it with the
/// head-on closing speed.
pub(crate) fn is_oncoming(body: &BodyState) -> bool {
    body.frame_velocity(&body.route).0 < -ONCOMING_SPEED
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::road::{EdgeKind, Road};

    fn two_way(segments: Vec<SegmentSpec>) -> Road {
        Road::new(RoadSpec {
            lanes: 1,
            lane_width: 3.5,
            speed_limit: 20.0,
            segments,
            edge: EdgeKind::Barrier,
            shoulder: 1.0,
            intersection: None,
            crosswalk: None,
            oncoming_lanes: 2,
            lane_drop: None,
            junction: None,
        })
    }

    #[test]
    fn oncoming_lanes_lie_left_of_the_route_and_run_against_it() {
        for k in [0.0, 0.01, -0.01] {
            let road = two_way(vec![
                SegmentSpec::new(50.0, 0.0),
                SegmentSpec::new(100.0, k),
                SegmentSpec::new(50.0, 0.0),
            ]);
            let path = road.path(PathId::Oncoming).expect("an oncoming path");
            let route = road.route();
            // Its lane j is route lane 2 - j; its tangent points against the route's.
            for s in [0.0, 30.0, 75.0, 120.0, 180.0] {
                for (lane, route_lane) in [(0.0, 2.0), (1.0, 1.0), (2.0, 0.0)] {
                    let (p, h) = path.pose(s, road.spec.lane_centre(lane));
                    let q = route.project(p);
                    assert!((q.d - road.spec.lane_centre(route_lane)).abs() < 1e-6, "k={k} s={s}: {q:?}");
                    assert!((crate::math::wrap_angle(h - q.heading).abs() - PI).abs() < 1e-6);
                }
            }
            // It starts at the route's end and ends at its start.
            let (start, _) = path.pose(0.0, 0.0);
            assert!((route.project(start).s - route.length()).abs() < 1e-6);
            let (end, _) = path.pose(path.length(), 0.0);
            assert!(route.project(end).s.abs() < 1e-6, "k={k}");
        }
    }

    #[test]
    fn one_way_roads_have_no_oncoming_path() {
        let mut road = two_way(vec![SegmentSpec::new(50.0, 0.0)]);
        assert_eq!(road.spec.lane_of(2.0 * 3.5), 2, "oncoming lanes are on the carriageway");
        road = Road::new(RoadSpec { oncoming_lanes: 0, ..road.spec });
        assert!(road.path(PathId::Oncoming).is_none());
        assert_eq!(road.spec.lane_of(2.0 * 3.5), -1);
    }
}
