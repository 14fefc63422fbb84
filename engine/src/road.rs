//! Road geometry: reference paths, the route frame of the adapter protocol,
//! lanes and the road edges that become colliders.

use crate::math::{V2, atan2, wrap_angle};

mod lane_metric;
mod poly3;
mod spiral;
#[cfg(test)]
mod spiral_tests;
pub use lane_metric::{lane_closing, lane_gap};
pub use poly3::{ParamPoly3, Poly3Curve};
pub use spiral::{KNOT_SPACING, KNOT_TURN, Spiral, spiral_is_regular};

/// One piece of a reference path: a straight (`curvature == 0`), an arc, or
/// (with `spiral`) a clothoid or (with `poly3`) a parametric cubic, or a line
/// at a constant offset from one of those.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentSpec {
    /// Length along the reference line, m (> 0).
    pub length: f64,
    /// Signed curvature, 1/m (+ turns left); a spiral's curvature at its start.
    pub curvature: f64,
    /// A clothoid: curvature linear in s up to `Spiral::curvature_end` ([`spiral`]).
    pub spiral: Option<Spiral>,
    /// A parametric cubic ([`poly3`]); `length` is then its line's arc
    /// length and `curvature` its start's.
    pub poly3: Option<ParamPoly3>,
}

impl SegmentSpec {
    /// A straight (`curvature == 0`) or an arc.
    pub const fn new(length: f64, curvature: f64) -> Self {
        Self { length, curvature, spiral: None, poly3: None }
    }
}

/// What bounds the carriageway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// A barrier: a collider every body hits.
    Barrier,
    /// A kerb: a collider for vehicles only; pedestrians step over it.
    Kerb,
    /// A painted line: no collider.
    Open,
}

/// A four-way intersection crossing the (straight part of the) route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntersectionSpec {
    /// Route distance of the crossing road's centre line, m.
    pub at_s: f64,
    /// Lane width of the crossing road (one lane each way), m.
    pub lane_width: f64,
    /// Length of the crossing road on each side of the route, m.
    pub arm_length: f64,
    /// Traffic lights, if the intersection is signalised.
    pub signal: Option<crate::traffic_light::SignalSpec>,
}

/// A marked crosswalk across the route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrosswalkSpec {
    /// Route distance of the crosswalk's centre, m.
    pub at_s: f64,
    /// Width along the route, m.
    pub width: f64,
}

/// A resolved road.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadSpec {
    /// Lanes of the route's carriageway (≥ 1), numbered from 0, the rightmost.
    pub lanes: u32,
    /// Lane width, m.
    pub lane_width: f64,
    /// Speed limit, m/s.
    pub speed_limit: f64,
    /// The route's reference line (centre of lane 0), from the origin heading +x.
    pub segments: Vec<SegmentSpec>,
    /// Road edges.
    pub edge: EdgeKind,
    /// Distance from the outer lane boundary to the edge collider, m.
    pub shoulder: f64,
    /// Optional intersection.
    pub intersection: Option<IntersectionSpec>,
    /// Optional crosswalk.
    pub crosswalk: Option<CrosswalkSpec>,
    /// Lanes left of the route's lanes driven against the route direction
    /// (numbered `lanes..lanes + oncoming_lanes` in the route frame; 0: one-way).
    pub oncoming_lanes: u32,
    /// Optional lane that ends on the route ([`crate::lane_drop`]).
    pub lane_drop: Option<crate::lane_drop::LaneDrop>,
    /// Optional junction at the end of the approach; `segments` then run
    /// through it ([`crate::junction::route_segments`]).
    pub junction: Option<crate::junction::JunctionSpec>,
}

impl RoadSpec {
    /// Total route length, m.
    pub fn length(&self) -> f64 {
        self.segments.iter().map(|s| s.length).sum()
    }
    /// Lateral offset of the right edge of the carriageway, m.
    pub fn right_edge(&self) -> f64 {
        -0.5 * self.lane_width
    }
    /// Lateral offset of the left edge of the carriageway (oncoming lanes included), m.
    pub fn left_edge(&self) -> f64 {
        (self.total_lanes() as f64 - 0.5) * self.lane_width
    }
    /// Lanes of both directions.
    pub fn total_lanes(&self) -> u32 {
        self.lanes + self.oncoming_lanes
    }
    /// Centre of lane `lane`.
    pub fn lane_centre(&self, lane: f64) -> f64 {
        lane * self.lane_width
    }
    /// The lane holding lateral offset `d`, or -1 off the carriageway. A point
    /// exactly on a boundary belongs to the lane on its left.
    pub fn lane_of(&self, d: f64) -> i32 {
        if d < self.right_edge() || d >= self.left_edge() {
            return -1;
        }
        let i = libm::floor(d / self.lane_width + 0.5) as i32;
        i.clamp(0, self.total_lanes() as i32 - 1)
    }
    /// The nearest lane to `d` (clamped), for `lane_d` off the carriageway.
    pub fn nearest_lane(&self, d: f64) -> i32 {
        (libm::floor(d / self.lane_width + 0.5) as i32).clamp(0, self.total_lanes() as i32 - 1)
    }
}

/// Which reference path an actor follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathId {
    /// The ego's route.
    Route,
    /// The crossing road of the intersection, travelling north (+y), coming from the ego's right.
    CrossNorth,
    /// The crossing road, travelling south (−y), coming from the ego's left.
    CrossSouth,
    /// The oncoming lanes, against the route: starts at the route's end, its
    /// lane 0 is the outermost oncoming lane ([`crate::twoway`]).
    Oncoming,
    /// A movement through the junction, from one arm to another: the
    /// incoming arm's lane, the connecting road, the outgoing arm's lane
    /// ([`crate::junction`]).
    Movement(crate::junction::ArmId, crate::junction::ArmId),
}

#[derive(Debug, Clone, PartialEq)]
struct Segment {
    start: V2,
    heading: f64,
    length: f64,
    curvature: f64,
    s0: f64,
    /// Unit tangent at the start (cached: projections run every step).
    dir: V2,
    /// Centre of the arc (unused for straights).
    centre: V2,
    /// The clothoid of a spiral segment (then `curvature` is its start's).
    spiral: Option<Box<spiral::Clothoid>>,
    /// The cubic of a parametric-cubic segment.
    poly3: Option<Box<poly3::Poly3Curve>>,
}

impl Segment {
    fn new(start: V2, heading: f64, piece: &SegmentSpec, s0: f64) -> Self {
        let (mut length, curvature) = (piece.length, piece.curvature);
        let dir = V2::from_angle(heading);
        // Never a silent stand-in: a cubic that cannot be built is an invariant
        // broken upstream (validation and the OpenDRIVE import refuse them), and the
        // runner turns the panic into the job's `error` record.
        let poly3 = piece.poly3.map(|p| {
            Box::new(
                poly3::Poly3Curve::new(start, heading, &p)
                    .expect("a cubic with a non-zero start tangent (validated before the engine)"),
            )
        });
        if let Some(c) = &poly3 {
            length = c.length();
        }
        let spiral =
            piece.spiral.map(|sp| Box::new(spiral::Clothoid::new(start, heading, length, curvature, &sp)));
        let centre = if curvature == 0.0 || spiral.is_some() || poly3.is_some() {
            start
        } else {
            start + dir.perp() * (1.0 / curvature)
        };
        Self { start, heading, length, curvature, s0, dir, centre, spiral, poly3 }
    }

    /// Whether the segment is straight (no arc, no spiral, no cubic).
    fn is_straight(&self) -> bool {
        self.curvature == 0.0 && self.spiral.is_none() && self.poly3.is_none()
    }

    /// Whether the segment's curvature varies along it (a spiral or a cubic).
    fn varies(&self) -> bool {
        self.spiral.is_some() || self.poly3.is_some()
    }

    fn tangent_heading(&self, s_local: f64) -> f64 {
        if let Some(c) = &self.poly3 {
            return c.heading_at(s_local);
        }
        if let Some(c) = &self.spiral {
            return c.heading_at(s_local);
        }
        self.heading + self.curvature * s_local
    }

    /// Curvature of the segment's line at `s_local`.
    fn curvature_at(&self, s_local: f64) -> f64 {
        if let Some(c) = &self.poly3 {
            return c.curvature_at(s_local);
        }
        match &self.spiral {
            Some(c) => c.curvature_at(s_local),
            None => self.curvature,
        }
    }

    fn point(&self, s_local: f64, d: f64) -> V2 {
        if let Some(c) = &self.poly3 {
            return c.point(s_local, d);
        }
        if let Some(c) = &self.spiral {
            return c.point(s_local, d);
        }
        if self.curvature == 0.0 {
            return self.start + self.dir * s_local + self.dir.perp() * d;
        }
        let r = 1.0 / self.curvature;
        let th = self.tangent_heading(s_local);
        self.centre - V2::from_angle(th).perp() * (r - d)
    }

    /// (s_local, d, unit tangent) of a point, unclamped.
    fn project(&self, p: V2) -> (f64, f64, V2) {
        if let Some(c) = &self.poly3 {
            return c.project(p);
        }
        if let Some(c) = &self.spiral {
            return c.project(p);
        }
        if self.curvature == 0.0 {
            let rel = p - self.start;
            return (rel.dot(self.dir), rel.dot(self.dir.perp()), self.dir);
        }
        let k = self.curvature;
        let r = 1.0 / k;
        let rel = p - self.centre;
        let sg = k.signum();
        let th = atan2(sg * rel.x, -sg * rel.y);
        let mid = self.heading + k * self.length * 0.5;
        let dth = wrap_angle(th - mid) + k * self.length * 0.5;
        let dist = rel.norm();
        // Tangent without trigonometry: the left normal points at (or away from) the centre.
        let n = if dist > 0.0 { rel * (-sg / dist) } else { self.dir.perp() };
        (dth / k, r - sg * dist, V2::new(n.y, -n.x))
    }
}

/// Where a point lies relative to a path.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PathPoint {
    /// Distance along the path, m.
    pub s: f64,
    /// Lateral offset, m, + left.
    pub d: f64,
    /// Heading of the path's tangent at `s`, rad.
    pub heading: f64,
    /// Curvature of the reference line at `s`, 1/m.
    pub curvature: f64,
    /// Unit tangent at `s` (the direction `heading` points to).
    pub tangent: V2,
}

/// A reference path made of straights and arcs.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    segments: Vec<Segment>,
    length: f64,
}

impl Path {
    /// A path starting at `start` with `heading`.
    pub fn new(start: V2, heading: f64, pieces: &[SegmentSpec]) -> Self {
        let mut segments = Vec::with_capacity(pieces.len());
        let (mut p, mut h, mut s0) = (start, heading, 0.0);
        for piece in pieces {
            let seg = Segment::new(p, h, piece, s0);
            p = seg.point(seg.length, 0.0);
            h = seg.tangent_heading(seg.length);
            s0 += seg.length;
            segments.push(seg);
        }
        Self { segments, length: s0 }
    }

    /// Total length, m.
    pub fn length(&self) -> f64 {
        self.length
    }

    fn segment_at(&self, s: f64) -> (&Segment, f64) {
        for seg in &self.segments {
            if s < seg.s0 + seg.length {
                return (seg, s - seg.s0);
            }
        }
        let last = self.segments.last().expect("a path has at least one segment");
        (last, s - last.s0)
    }

    /// World position and tangent heading at (`s`, `d`). Beyond either end the
    /// path continues straight along its end tangent.
    pub fn pose(&self, s: f64, d: f64) -> (V2, f64) {
        let first = &self.segments[0];
        if s < 0.0 {
            let t = first.dir;
            return (first.start + t * s + t.perp() * d, first.heading);
        }
        let (seg, local) = self.segment_at(s);
        if local > seg.length {
            let end = seg.point(seg.length, 0.0);
            let h = seg.tangent_heading(seg.length);
            let t = V2::from_angle(h);
            return (end + t * (local - seg.length) + t.perp() * d, h);
        }
        (seg.point(local, d), seg.tangent_heading(local))
    }

    /// The first segment boundary strictly after `s`, if any.
    pub fn next_boundary(&self, s: f64) -> Option<f64> {
        self.segments.iter().map(|seg| seg.s0 + seg.length).find(|&end| end > s + 1e-9)
    }

    /// Curvature of the reference line at `s`.
    pub fn curvature_at(&self, s: f64) -> f64 {
        if s < 0.0 || s > self.length {
            return 0.0;
        }
        let (seg, local) = self.segment_at(s);
        seg.curvature_at(local)
    }

    /// Whether the path is straight at `s` (a straight segment, or beyond
    /// either end): not an arc, a spiral or a cubic, even where their
    /// curvature passes through 0.
    pub fn straight_at(&self, s: f64) -> bool {
        s < 0.0 || s > self.length || self.segment_at(s).0.is_straight()
    }

    /// Projects a world point onto the path.
    pub fn project(&self, p: V2) -> PathPoint {
        let mut best: Option<PathPoint> = None;
        for seg in &self.segments {
            let (sl, d, tangent) = seg.project(p);
            if (-1e-9..=seg.length + 1e-9).contains(&sl) && best.is_none_or(|b| d.abs() < b.d.abs()) {
                best = Some(PathPoint {
                    s: seg.s0 + sl,
                    d,
                    heading: seg.tangent_heading(sl),
                    curvature: seg.curvature_at(sl),
                    tangent,
                });
            }
        }
        if let Some(b) = best {
            return b;
        }
        // Beyond an end: use the straight extension of the nearer end.
        let first = &self.segments[0];
        let t0 = first.dir;
        let rel0 = p - first.start;
        if rel0.dot(t0) < 0.0 {
            return PathPoint {
                s: rel0.dot(t0),
                d: rel0.dot(t0.perp()),
                heading: first.heading,
                curvature: 0.0,
                tangent: t0,
            };
        }
        let last = self.segments.last().expect("a path has at least one segment");
        let end = last.point(last.length, 0.0);
        let h = last.tangent_heading(last.length);
        let t = V2::from_angle(h);
        let rel = p - end;
        PathPoint {
            s: self.length + rel.dot(t),
            d: rel.dot(t.perp()),
            heading: h,
            curvature: 0.0,
            tangent: t,
        }
    }
}

/// A straight piece of road edge that becomes a collider.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgePiece {
    /// One end.
    pub a: V2,
    /// Other end.
    pub b: V2,
    /// Barrier (every body) or kerb (vehicles only).
    pub kind: EdgeKind,
}

/// The road with its paths built.
#[derive(Debug, Clone, PartialEq)]
pub struct Road {
    /// The resolved description.
    pub spec: RoadSpec,
    route: Path,
    cross_north: Option<Path>,
    cross_south: Option<Path>,
    oncoming: Option<Path>,
    junction: Option<crate::junction::Junction>,
}

impl Road {
    /// Builds the paths of a road.
    pub fn new(spec: RoadSpec) -> Self {
        let route = Path::new(V2::new(0.0, 0.0), 0.0, &spec.segments);
        let (mut cross_north, mut cross_south) = (None, None);
        if let Some(ix) = spec.intersection {
            let (centre, _) = route.pose(ix.at_s, 0.5 * (spec.left_edge() + spec.right_edge()));
            let half = ix.lane_width * 0.5;
            let piece = [SegmentSpec::new(2.0 * ix.arm_length, 0.0)];
            cross_north = Some(Path::new(
                V2::new(centre.x + half, centre.y - ix.arm_length),
                std::f64::consts::FRAC_PI_2,
                &piece,
            ));
            cross_south = Some(Path::new(
                V2::new(centre.x - half, centre.y + ix.arm_length),
                -std::f64::consts::FRAC_PI_2,
                &piece,
            ));
        }
        let oncoming = crate::twoway::oncoming_path(&spec, &route);
        let junction = spec.junction.and_then(|j| crate::junction::Junction::build(j, &spec, &route));
        Self { spec, route, cross_north, cross_south, oncoming, junction }
    }

    /// The ego's route.
    pub fn route(&self) -> &Path {
        &self.route
    }

    /// A path by id, if the road has it.
    pub fn path(&self, id: PathId) -> Option<&Path> {
        match id {
            PathId::Route => Some(&self.route),
            PathId::CrossNorth => self.cross_north.as_ref(),
            PathId::CrossSouth => self.cross_south.as_ref(),
            PathId::Oncoming => self.oncoming.as_ref(),
            PathId::Movement(from, to) => self.junction.as_ref().and_then(|j| j.movement(from, to)),
        }
    }

    /// The junction, if the road has one.
    pub fn junction(&self) -> Option<&crate::junction::Junction> {
        self.junction.as_ref()
    }

    /// Whether route distance `s` lies inside the intersection box (no edges there).
    pub fn in_intersection(&self, s: f64, margin: f64) -> bool {
        self.spec.intersection.is_some_and(|ix| (s - ix.at_s).abs() <= ix.lane_width + margin)
    }

    /// The road-edge pieces that become colliders, in a fixed order.
    pub fn edge_pieces(&self) -> Vec<EdgePiece> {
        let mut out = Vec::new();
        if self.spec.edge == EdgeKind::Open {
            return out;
        }
        if let Some(j) = &self.junction {
            return crate::junction::edge_pieces(self, j);
        }
        let kind = self.spec.edge;
        let run_out = 200.0;
        let total = self.route.length() + run_out;
        let offsets =
            [self.spec.right_edge() - self.spec.shoulder, self.spec.left_edge() + self.spec.shoulder];
        for (side, d) in offsets.into_iter().enumerate() {
            let mut s = -run_out;
            while s < total {
                // Straights get long pieces, arcs short chords; no piece spans a
                // segment boundary (a long chord into an arc would cut across the road).
                // Straights along an axis get 1 km pieces: their bounding boxes stay
                // thin, and rapier's CCD scans every fixed collider for every fast
                // body each step, so fewer pieces keep long roads cheap.
                let step = match self.route.straight_at(s) {
                    true if crate::spatial::axis_aligned(self.route.pose(s, 0.0).1) => 1000.0,
                    true => 100.0,
                    false => 4.0,
                };
                let boundary = self.route.next_boundary(s).unwrap_or(total);
                // A lane drop's taper starts and ends at a piece's end on its side.
                let boundary = crate::lane_drop::next_break(&self.spec, side == 0, s)
                    .map_or(boundary, |b| b.min(boundary));
                let e = (s + step).min(boundary.max(s + 0.5)).min(total);
                let gap = 1.0;
                let crosses_intersection = self.in_intersection(s, gap)
                    || self.in_intersection(e, gap)
                    || self.spec.intersection.is_some_and(|ix| s < ix.at_s && e > ix.at_s);
                if !crosses_intersection {
                    let shift = |at| crate::lane_drop::edge_shift(&self.spec, side == 0, at);
                    let (a, b) = (self.route.pose(s, d + shift(s)).0, self.route.pose(e, d + shift(e)).0);
                    out.push(EdgePiece { a, b, kind });
                }
                s = e;
            }
        }
        if let (Some(ix), Some(north)) = (self.spec.intersection, &self.cross_north) {
            // Crossing road edges, outside the main carriageway.
            let half_main = 0.5 * (self.spec.left_edge() - self.spec.right_edge()) + self.spec.shoulder + 1.0;
            for d in [-0.5 * ix.lane_width - self.spec.shoulder, 1.5 * ix.lane_width + self.spec.shoulder] {
                for (s0, s1) in
                    [(0.0, ix.arm_length - half_main), (ix.arm_length + half_main, 2.0 * ix.arm_length)]
                {
                    if s1 > s0 {
                        out.push(EdgePiece { a: north.pose(s0, d).0, b: north.pose(s1, d).0, kind });
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 50 m straight, 100 m of curvature `k`, 50 m straight (also the lane-metric tests' road).
    pub(in crate::road) fn curve(k: f64) -> Path {
        Path::new(
            V2::new(0.0, 0.0),
            0.0,
            &[SegmentSpec::new(50.0, 0.0), SegmentSpec::new(100.0, k), SegmentSpec::new(50.0, 0.0)],
        )
    }

    #[test]
    fn project_inverts_pose_on_straights_and_arcs() {
        for k in [0.0, 0.01, -0.01, 0.02] {
            let p = curve(k);
            for s in [0.0, 10.0, 49.0, 51.0, 120.0, 149.0, 151.0, 199.0, 230.0, -5.0] {
                for d in [-3.0, 0.0, 2.5, 7.0] {
                    let (x, h) = p.pose(s, d);
                    let q = p.project(x);
                    assert!((q.s - s).abs() < 1e-6 && (q.d - d).abs() < 1e-6, "k={k} s={s} d={d}: {q:?}");
                    assert!(wrap_angle(q.heading - h).abs() < 1e-9);
                    assert!((q.tangent - V2::from_angle(h)).norm() < 1e-9, "tangent at s={s} d={d}");
                }
            }
        }
    }

    #[test]
    fn left_curve_turns_left() {
        let p = curve(0.01);
        let (_, h) = p.pose(150.0, 0.0);
        assert!((h - 1.0).abs() < 1e-9);
        let (end, _) = p.pose(150.0, 0.0);
        assert!(end.y > 0.0);
        let q = curve(-0.01);
        assert!(q.pose(150.0, 0.0).0.y < 0.0);
    }

    #[test]
    fn edge_pieces_hug_the_edges_of_curves() {
        for k in [0.01, -0.01] {
            let road = Road::new(RoadSpec {
                lanes: 2,
                lane_width: 3.5,
                speed_limit: 20.0,
                segments: vec![
                    SegmentSpec::new(60.0, 0.0),
                    SegmentSpec::new(120.0, k),
                    SegmentSpec::new(60.0, 0.0),
                ],
                edge: EdgeKind::Barrier,
                shoulder: 1.0,
                intersection: None,
                crosswalk: None,
                oncoming_lanes: 0,
                lane_drop: None,
                junction: None,
            });
            // Every point of every piece stays outside the carriageway (beyond the shoulder, less a chord's sag).
            for piece in road.edge_pieces() {
                for i in 0..=10 {
                    let p = piece.a + (piece.b - piece.a) * (i as f64 / 10.0);
                    let q = road.route().project(p);
                    let outside = q.d >= road.spec.left_edge() + 0.9 || q.d <= road.spec.right_edge() - 0.9;
                    assert!(outside, "k={k}: edge piece point at s={:.1} d={:.2} lies on the road", q.s, q.d);
                }
            }
        }
    }

    #[test]
    fn lanes_follow_protocol_numbering() {
        let spec = RoadSpec {
            lanes: 3,
            lane_width: 3.5,
            speed_limit: 30.0,
            segments: vec![SegmentSpec::new(100.0, 0.0)],
            edge: EdgeKind::Barrier,
            shoulder: 0.5,
            intersection: None,
            crosswalk: None,
            oncoming_lanes: 0,
            lane_drop: None,
            junction: None,
        };
        assert_eq!(spec.lane_of(0.0), 0);
        assert_eq!(spec.lane_of(1.75), 1, "a boundary belongs to the lane on its left");
        assert_eq!(spec.lane_of(7.0), 2);
        assert_eq!(spec.lane_of(-1.8), -1);
        assert_eq!(spec.lane_of(8.75), -1);
        assert_eq!(spec.nearest_lane(-3.0), 0);
    }
}
