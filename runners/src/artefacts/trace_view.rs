//! The engine's trace of one job, reduced to the [`TraceView`] the HTML
//! pages draw: road geometry as polylines, body footprints, and one pose
//! per body per step.

use gauntlet_engine::road::{EdgeKind, Path, PathId, Road, RoadSpec};
use gauntlet_engine::{TraceFrame, WorldSpec};
use gauntlet_reports::html::{BodyInfo, FrameView, RoadView, TraceView};
use gauntlet_reports::record::RunRecord;

/// Sampling step along straight road pieces, m.
const STRAIGHT_STEP_M: f64 = 20.0;
/// Sampling step along curved road pieces, m.
const CURVE_STEP_M: f64 = 2.0;
/// How far the drawn road reaches before the start and past the end of the route, m.
const RUN_OUT_M: f64 = 60.0;

/// The view of a job's `trace`, run on `world`, with the first violation
/// of its `record`.
pub fn trace_view(world: &WorldSpec, trace: &[TraceFrame], record: &RunRecord) -> TraceView {
    let bodies = bodies(world, trace);
    let frames = trace
        .iter()
        .map(|frame| {
            let mut last = [0.0; 3];
            let poses = bodies
                .iter()
                .map(|body| {
                    // Bodies never leave a trace, but a frame without one keeps its last pose.
                    if let Some(b) = frame.bodies.iter().find(|b| b.id == body.id) {
                        last = [b.x, b.y, b.yaw];
                    }
                    last
                })
                .collect();
            FrameView {
                step: frame.step,
                t: frame.t,
                poses,
                control: [frame.control.accel, frame.control.steer],
                margins: frame.margins.iter().map(|(name, m)| ((*name).to_owned(), *m)).collect(),
                observed: frame.observed.clone(),
                observation: serde_json::to_value(&frame.observation).unwrap_or(serde_json::Value::Null),
            }
        })
        .collect();
    TraceView {
        road: road_view(&world.road),
        bodies,
        frames,
        first_violation: first_violation(record),
        // More steps than frames: the trace was downsampled (see `ReplayTrace`).
        steps: record.steps,
    }
}

/// The ego, then every actor, in the order of the trace's first frame.
fn bodies(world: &WorldSpec, trace: &[TraceFrame]) -> Vec<BodyInfo> {
    let info = |id: u32| -> BodyInfo {
        match world.actors.iter().find(|a| a.id == id) {
            Some(a) if id != 0 => BodyInfo {
                id,
                kind: a.kind.as_str().to_owned(),
                length: a.length,
                width: a.width,
                is_ego: false,
            },
            _ => BodyInfo {
                id,
                kind: "vehicle".to_owned(),
                length: world.ego.limits.length,
                width: world.ego.limits.width,
                is_ego: id == 0,
            },
        }
    };
    match trace.first() {
        Some(first) => first.bodies.iter().map(|b| info(b.id)).collect(),
        None => std::iter::once(0).chain(world.actors.iter().map(|a| a.id)).map(info).collect(),
    }
}

/// The first violation among the record's verdicts: earliest time, then criterion name.
fn first_violation(record: &RunRecord) -> Option<(f64, String)> {
    record
        .verdicts
        .iter()
        .filter(|v| !v.passed)
        .filter_map(|v| v.first_violation_t.map(|t| (t, v.criterion.clone())))
        .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
}

/// The road as polylines: the carriageway's edges (at the kerb or barrier
/// when there is one), the markings between lanes (oncoming lanes and the
/// centre line included), the crossing road of an
/// intersection, and the crosswalk's outline.
pub fn road_view(spec: &RoadSpec) -> RoadView {
    let road = Road::new(spec.clone());
    let route = road.route();
    let (from, to) = (-RUN_OUT_M, spec.length() + RUN_OUT_M);
    let ends = spec.segments.iter().scan(0.0, |s, seg| {
        *s += seg.length;
        Some(*s)
    });
    let mut breaks: Vec<f64> = std::iter::once(0.0).chain(ends).collect();
    // A lane drop's taper bends the edge at its ends.
    if let Some(drop) = spec.lane_drop {
        breaks.extend([drop.start_s, drop.end_s]);
        breaks.sort_by(f64::total_cmp);
    }
    let shoulder = if spec.edge == EdgeKind::Open { 0.0 } else { spec.shoulder.max(0.0) };
    let mut view = RoadView::default();

    // Pieces of the route outside the intersection box.
    let mut pieces = vec![(from, to)];
    if let Some(ix) = spec.intersection {
        let half = ix.lane_width + 0.5;
        pieces = vec![(from, ix.at_s - half), (ix.at_s + half, to)];
    }
    for &(s0, s1) in pieces.iter().filter(|(s0, s1)| s1 > s0) {
        // (Edges where a lane drop has moved them: `right_edge_at`, `left_edge_at`.)
        view.edges.push(polyline_by(route, &breaks, s0, s1, |s| spec.right_edge_at(s) - shoulder));
        view.edges.push(polyline_by(route, &breaks, s0, s1, |s| spec.left_edge_at(s) + shoulder));
        if shoulder > 0.0 {
            view.lane_lines.push(polyline_by(route, &breaks, s0, s1, |s| spec.right_edge_at(s)));
            view.lane_lines.push(polyline_by(route, &breaks, s0, s1, |s| spec.left_edge_at(s)));
        }
        for lane in 1..spec.total_lanes() {
            let d = (f64::from(lane) - 0.5) * spec.lane_width;
            // The line between an ended lane and the next stops where the lane has ended.
            let ended =
                spec.lane_drop.filter(|l| (l.lane == 0 && lane == 1) || (l.lane > 0 && l.lane == lane));
            let s1 = ended.map_or(s1, |l| s1.min(l.end_s));
            if s1 > s0 {
                view.lane_lines.push(polyline(route, &breaks, s0, s1, d));
            }
        }
    }

    if let (Some(ix), Some(north)) = (spec.intersection, road.path(PathId::CrossNorth)) {
        // The crossing road: one lane each way, centre line at d = lane_width / 2
        // of the northbound path, cut where it crosses the carriageway.
        let half_main = 0.5 * (spec.left_edge() - spec.right_edge()) + shoulder + 0.5;
        let arms = [(0.0, ix.arm_length - half_main), (ix.arm_length + half_main, 2.0 * ix.arm_length)];
        for &(s0, s1) in arms.iter().filter(|(s0, s1)| s1 > s0) {
            for d in [-0.5 * ix.lane_width, 1.5 * ix.lane_width] {
                view.edges.push(polyline(north, &[], s0, s1, d));
            }
            view.lane_lines.push(polyline(north, &[], s0, s1, 0.5 * ix.lane_width));
        }
    }

    if let Some(cw) = spec.crosswalk {
        let (s0, s1) = (cw.at_s - 0.5 * cw.width, cw.at_s + 0.5 * cw.width);
        let (r, l) = (spec.right_edge(), spec.left_edge());
        let corners = [(s0, r), (s1, r), (s1, l), (s0, l), (s0, r)];
        view.crosswalks.push(corners.iter().map(|&(s, d)| point(route, s, d)).collect());
    }
    view
}

/// Points of the line at lateral offset `d` from `s0` to `s1`, denser on
/// curves, with a point at every segment boundary in `breaks` (sorted) so
/// that no chord cuts a corner.
fn polyline(path: &Path, breaks: &[f64], s0: f64, s1: f64, d: f64) -> Vec<[f64; 2]> {
    polyline_by(path, breaks, s0, s1, |_| d)
}

/// [`polyline`] of a line whose lateral offset varies with `s` (`d(s)`).
fn polyline_by(path: &Path, breaks: &[f64], s0: f64, s1: f64, d: impl Fn(f64) -> f64) -> Vec<[f64; 2]> {
    let mut points = vec![point(path, s0, d(s0))];
    let mut s = s0;
    while s < s1 {
        let step = if path.straight_at(s) { STRAIGHT_STEP_M } else { CURVE_STEP_M };
        let next_break = breaks.iter().copied().find(|&b| b > s).unwrap_or(f64::INFINITY);
        s = (s + step).min(next_break).min(s1);
        points.push(point(path, s, d(s)));
    }
    points
}

fn point(path: &Path, s: f64, d: f64) -> [f64; 2] {
    let (p, _) = path.pose(s, d);
    [p.x, p.y]
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_engine::road::{CrosswalkSpec, IntersectionSpec, SegmentSpec};

    fn road(lanes: u32) -> RoadSpec {
        RoadSpec {
            lanes,
            lane_width: 3.5,
            speed_limit: 30.0,
            segments: vec![SegmentSpec::new(200.0, 0.0)],
            edge: EdgeKind::Kerb,
            shoulder: 0.5,
            intersection: None,
            crosswalk: None,
            oncoming_lanes: 0,
            lane_drop: None,
            junction: None,
        }
    }

    #[test]
    fn a_straight_road_has_kerbs_markings_and_a_crosswalk_in_world_coordinates() {
        let spec = RoadSpec { crosswalk: Some(CrosswalkSpec { at_s: 100.0, width: 4.0 }), ..road(2) };
        let view = road_view(&spec);
        // Kerbs half a metre outside the carriageway (-1.75 .. 5.25), from the run-out before
        // the route to the run-out after it.
        assert_eq!(view.edges.len(), 2);
        assert_eq!(view.edges[0].first(), Some(&[-60.0, -2.25]));
        assert_eq!(view.edges[1].last(), Some(&[260.0, 5.75]));
        assert!(view.edges[0].windows(2).all(|w| w[1][0] > w[0][0]));
        // Both carriageway boundaries and the line between the two lanes.
        let offsets: Vec<f64> = view.lane_lines.iter().map(|l| l[0][1]).collect();
        assert_eq!(offsets, [-1.75, 5.25, 1.75]);
        assert_eq!(
            view.crosswalks,
            [vec![[98.0, -1.75], [102.0, -1.75], [102.0, 5.25], [98.0, 5.25], [98.0, -1.75]]]
        );
    }

    #[test]
    fn a_lane_drop_moves_the_edge_in_and_ends_the_lane_line() {
        let drop = gauntlet_engine::lane_drop::LaneDrop { lane: 0, start_s: 100.0, end_s: 140.0 };
        let view = road_view(&RoadSpec { lane_drop: Some(drop), ..road(2) });
        // The right kerb: 0.5 m outside lane 0 before the taper, outside lane 1 after it, bent at both ends.
        let right = &view.edges[0];
        assert!(right.contains(&[100.0, -2.25]) && right.contains(&[140.0, 1.25]), "{right:?}");
        assert_eq!(right.last(), Some(&[260.0, 1.25]));
        assert_eq!(view.edges[1].last(), Some(&[260.0, 5.75]), "the left kerb stays");
        // The line between the lanes ends where lane 0 has ended.
        let between = view.lane_lines.iter().find(|l| l[0][1] == 1.75).expect("the line between the lanes");
        assert_eq!(between.last(), Some(&[140.0, 1.75]));
    }

    #[test]
    fn an_intersection_cuts_the_route_and_draws_the_crossing_road() {
        let spec = RoadSpec {
            edge: EdgeKind::Open,
            intersection: Some(IntersectionSpec {
                at_s: 100.0,
                lane_width: 3.5,
                arm_length: 40.0,
                signal: None,
            }),
            ..road(1)
        };
        let view = road_view(&spec);
        // Two route pieces × two edges, two crossing arms × two edges.
        assert_eq!(view.edges.len(), 8);
        let route_ends: Vec<f64> = view.edges[..4].iter().map(|e| e[e.len() - 1][0]).collect();
        assert_eq!(route_ends, [96.0, 96.0, 260.0, 260.0]);
        // The crossing road runs north-south through x = 100.
        assert!(view.edges[4..].iter().flatten().all(|p| (p[0] - 100.0).abs() < 4.0), "{view:?}");
        assert!(view.crosswalks.is_empty());
    }

    #[test]
    fn lane_lines_of_a_spiral_road_follow_it_densely() {
        // A spiral from straight into a 1/50 curve (its curvature passes 0 at its start).
        let spiral = gauntlet_engine::road::Spiral { curvature_end: 0.02, reference_offset: 0.0 };
        let spec = RoadSpec {
            segments: vec![
                SegmentSpec::new(50.0, 0.0),
                SegmentSpec { length: 80.0, curvature: 0.0, spiral: Some(spiral), poly3: None },
                SegmentSpec::new(70.0, 0.0),
            ],
            ..road(2)
        };
        let view = road_view(&spec);
        let route = Road::new(spec.clone());
        let line = &view.lane_lines[2];
        // Every drawn point lies on the line between the lanes, and along the
        // spiral the chords are short (the curve sampling, not the straight one).
        for p in line {
            let q = route.route().project(gauntlet_engine::V2::new(p[0], p[1]));
            assert!((q.d - 1.75).abs() < 1e-6, "{p:?}: {q:?}");
        }
        let on_spiral = line.iter().filter(|p| {
            let s = route.route().project(gauntlet_engine::V2::new(p[0], p[1])).s;
            (50.0..=130.0).contains(&s)
        });
        assert!(on_spiral.count() >= 40, "sampled every {CURVE_STEP_M} m");
    }
}
