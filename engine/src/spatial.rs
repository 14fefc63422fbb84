//! Spatial indexes that keep the per-step cost near-linear in the number of
//! bodies, for dense traffic (hundreds to thousands of actors).
//!
//! Both give *exactly* the answers of the all-pairs loops they replace (same
//! body, same value, same tie-breaking), so results and trace hashes do not
//! change; they only skip bodies that provably cannot matter:
//!
//! - [`PathOrder`]: bodies sorted by (path, distance along it). A vehicle's
//!   leader (the lane-true search: gaps along the lane,
//!   [`crate::road::lane_gap`]) is found by scanning forward from its own
//!   place and stopping as soon as no body further ahead can have a smaller
//!   gap (a gap `Δs` of reference line ahead is at least `Δs` times the
//!   path's least lane stretch, [`Path::min_stretch`]).
//! - [`OcclusionBins`]: the bodies that may occlude, binned by the bearing
//!   interval their bounding circle covers as seen from the sensor. A sight
//!   line is tested only against the bodies of its bearing's bin.
//!
//! Both are rebuilt in place every step: after the first steps they
//! allocate nothing.

use crate::math::{PI, V2, atan2};
use crate::road::{Path, PathId, Road, lane_closing, lane_gap};
use crate::world::BodyState;

/// Extra lateral clearance a follower keeps to a body in its corridor, m.
const CORRIDOR_PAD: f64 = 0.2;

/// Below this many bodies the indexes are not built: checking every body
/// costs less than building them (same answers either way).
const INDEX_FROM: usize = 32;

/// Body indices sorted by (path, own `s`, index), with, for each path, the
/// longest body on it and the least lane stretch of its lines (for the early
/// stop of the leader scan).
#[derive(Debug, Default)]
pub(crate) struct PathOrder {
    /// Fewer than [`INDEX_FROM`] bodies: leaders are found by checking all.
    all_pairs: bool,
    /// Body indices (ego included), sorted.
    order: Vec<u32>,
    /// One entry per path present, in order of first appearance.
    paths: Vec<PathBounds>,
}

/// What bounds the gaps along one path from below.
#[derive(Debug, Clone, Copy)]
struct PathBounds {
    path: PathId,
    /// Longest body on the path, m.
    longest: f64,
    /// Least and greatest lateral offset of a body on the path, m.
    d_lo: f64,
    d_hi: f64,
    /// [`Path::min_stretch`] over the lines between bodies on the path: the
    /// gap along the lane to a body `Δs` ahead is at least `Δs` times this,
    /// less half the two lengths.
    stretch: f64,
}

impl PathOrder {
    /// Re-sorts the bodies of this step, in place (the key ends with the
    /// index, so the unstable sort gives one order and allocates nothing).
    /// `road` gives each path's curvature, as the leader search measures it.
    pub(crate) fn rebuild(&mut self, bodies: &[BodyState], road: &Road) {
        self.all_pairs = bodies.len() < INDEX_FROM;
        if self.all_pairs {
            return;
        }
        if self.order.len() != bodies.len() {
            self.order.clear();
            self.order.extend(0..bodies.len() as u32);
        }
        self.order.sort_unstable_by(|&a, &b| {
            let (x, y) = (&bodies[a as usize], &bodies[b as usize]);
            x.path.cmp(&y.path).then(x.own.s.total_cmp(&y.own.s)).then(a.cmp(&b))
        });
        self.paths.clear();
        for b in bodies {
            match self.paths.iter_mut().find(|p| p.path == b.path) {
                Some(p) => {
                    p.longest = p.longest.max(b.length);
                    p.d_lo = p.d_lo.min(b.own.d);
                    p.d_hi = p.d_hi.max(b.own.d);
                }
                None => self.paths.push(PathBounds {
                    path: b.path,
                    longest: b.length,
                    d_lo: b.own.d,
                    d_hi: b.own.d,
                    stretch: 1.0,
                }),
            }
        }
        for p in &mut self.paths {
            // A gap is measured on the line at the mean of two bodies'
            // offsets: within [d_lo, d_hi] too.
            let path = road.path(p.path).unwrap_or(road.route());
            p.stretch = path.min_stretch(p.d_lo, p.d_hi);
        }
    }

    /// The nearest road user ahead of body `me` on its own path within its
    /// lateral corridor (`corridor`: the two lateral offsets it spans this
    /// step), measured along the lane on `path` (`me`'s path):
    /// (bumper-to-bumper gap, the leader's speed as the IDM takes it).
    ///
    /// Same answer as [`leader_all_pairs`]: the smallest gap wins, and among
    /// equal gaps the lowest body index.
    pub(crate) fn leader(
        &self,
        bodies: &[BodyState],
        me: usize,
        corridor: (f64, f64),
        path: &Path,
    ) -> Option<(f64, f64)> {
        if self.all_pairs {
            return leader_all_pairs(bodies, me, corridor, path);
        }
        let s = &bodies[me];
        let bounds = self.paths.iter().find(|p| p.path == s.path);
        let (longest, stretch) = bounds.map_or((s.length, 1.0), |p| (p.longest, p.stretch));
        // First body on the path strictly ahead of `me`.
        let start = self.order.partition_point(|&j| {
            let o = &bodies[j as usize];
            o.path < s.path || (o.path == s.path && o.own.s <= s.own.s)
        });
        let mut best: Option<(f64, usize, &BodyState)> = None;
        for &j in &self.order[start..] {
            let j = j as usize;
            let o = &bodies[j];
            if o.path != s.path {
                break;
            }
            // No body from here on can beat the best gap: their gaps along
            // the lane are at least this bound, which only grows along the
            // order. The margin is far above the rounding of `lane_gap`, so
            // the stop never drops a body the full search would pick.
            if let Some((g, _, _)) = best {
                let ds = o.own.s - s.own.s;
                let bound = ds * stretch - 0.5 * (s.length + longest);
                if bound > g + 1e-9 * (1.0 + o.own.s.abs() + s.own.s.abs()) {
                    break;
                }
            }
            if j == me || !in_corridor(s, o, corridor) {
                continue;
            }
            let gap = lane_gap(path, &s.own, &o.own, s.length, o.length);
            let better = match best {
                None => true,
                Some((g, k, _)) => gap < g || (gap == g && j < k),
            };
            if better {
                best = Some((gap, j, o));
            }
        }
        best.map(|(gap, _, o)| (gap, leader_speed(s, o)))
    }
}

/// Whether `o` is ahead of `s` within the lateral corridor `s` spans.
fn in_corridor(s: &BodyState, o: &BodyState, corridor: (f64, f64)) -> bool {
    let half = 0.5 * (s.width + o.width) + CORRIDOR_PAD;
    let lateral = (o.own.d - corridor.0).abs().min((o.own.d - corridor.1).abs());
    lateral < half && o.own.s > s.own.s
}

/// The leader's speed as the IDM takes it: the follower's speed along the
/// path less the closing speed along the lane.
fn leader_speed(s: &BodyState, o: &BodyState) -> f64 {
    let vs = s.frame_velocity(&s.own).0;
    vs - lane_closing(&s.own, vs, &o.own, o.frame_velocity(&o.own).0)
}

/// The leader by checking every body (the lane-true search): what
/// [`PathOrder::leader`] answers.
pub(crate) fn leader_all_pairs(
    bodies: &[BodyState],
    me: usize,
    corridor: (f64, f64),
    path: &Path,
) -> Option<(f64, f64)> {
    let s = &bodies[me];
    let mut best: Option<(f64, f64)> = None;
    for (j, o) in bodies.iter().enumerate() {
        if j == me || o.path != s.path || !in_corridor(s, o, corridor) {
            continue;
        }
        let gap = lane_gap(path, &s.own, &o.own, s.length, o.length);
        if best.is_none_or(|(g, _)| gap < g) {
            best = Some((gap, leader_speed(s, o)));
        }
    }
    best
}

/// Number of bearing bins over the full circle (1° each).
const BINS: usize = 360;
/// Angular padding of every body's bearing interval, rad: far above the
/// rounding error of `atan2`/`asin`, so binning never drops a body the exact
/// test would find.
const BEARING_PAD: f64 = 1e-3;

/// The bodies that may occlude a sight line from the sensor, by bearing.
#[derive(Debug)]
pub(crate) struct OcclusionBins {
    /// Fewer than [`INDEX_FROM`] bodies: every body (index ≥ 1) is a candidate.
    all: usize,
    origin: V2,
    /// Bodies whose bounding circle (nearly) contains the origin: they may
    /// block any bearing.
    everywhere: Vec<u32>,
    bins: Vec<Vec<u32>>,
}

impl Default for OcclusionBins {
    fn default() -> Self {
        Self {
            all: 0,
            origin: V2::default(),
            everywhere: Vec::new(),
            bins: (0..BINS).map(|_| Vec::new()).collect(),
        }
    }
}

/// Radius of the circle around a body's footprint, m (as the sensor's exact
/// test uses it).
pub(crate) fn bounding_radius(b: &BodyState) -> f64 {
    0.5 * libm::hypot(b.length, b.width)
}

fn bin_of(bearing: f64) -> usize {
    let x = (bearing + PI) / (2.0 * PI) * BINS as f64;
    (libm::floor(x) as i64).rem_euclid(BINS as i64) as usize
}

impl OcclusionBins {
    /// Bins the bodies (index ≥ 1; the ego does not occlude) whose bounding
    /// circle comes within `reach` of `origin`: only those can cut a sight
    /// line of length ≤ `reach`.
    pub(crate) fn rebuild(&mut self, bodies: &[BodyState], origin: V2, reach: f64) {
        self.all = if bodies.len() < INDEX_FROM { bodies.len() } else { 0 };
        if self.all > 0 {
            return;
        }
        self.origin = origin;
        self.everywhere.clear();
        // A body enters a bin at most once: with room for every body, no bin
        // ever grows during a run (4 bytes × bins × bodies, reserved once).
        let room = bodies.len();
        if self.everywhere.capacity() < room {
            self.everywhere.reserve_exact(room);
        }
        for bin in &mut self.bins {
            bin.clear();
            if bin.capacity() < room {
                bin.reserve_exact(room);
            }
        }
        for (j, b) in bodies.iter().enumerate().skip(1) {
            let r = bounding_radius(b);
            let rel = b.pos - origin;
            let dist = rel.norm();
            if dist - r > reach {
                continue;
            }
            // Close enough that the half-angle is ill-conditioned: every bearing.
            if dist <= 1.01 * r + 0.01 {
                self.everywhere.push(j as u32);
                continue;
            }
            let half = libm::asin(r / dist) + BEARING_PAD;
            let centre = atan2(rel.y, rel.x);
            let width = 2.0 * PI / BINS as f64;
            let first = libm::floor((centre - half + PI) / width) as i64;
            let last = libm::floor((centre + half + PI) / width) as i64;
            for k in first..=last.min(first + BINS as i64 - 1) {
                self.bins[k.rem_euclid(BINS as i64) as usize].push(j as u32);
            }
        }
    }

    /// The bodies that may block the sight line from the origin to `p`, in
    /// no particular order (the caller runs the exact test on each).
    pub(crate) fn candidates(&self, p: V2) -> impl Iterator<Item = usize> + '_ {
        let (every, bin): (&[u32], &[u32]) = if self.all > 0 {
            (&[], &[])
        } else {
            let rel = p - self.origin;
            (&self.everywhere, &self.bins[bin_of(atan2(rel.y, rel.x))])
        };
        (1..self.all).chain(every.iter().chain(bin.iter()).map(|&j| j as usize))
    }
}

/// Whether a heading (rad) points along the x or y axis (within 1e-9 rad):
/// a long straight collider at that heading has a thin bounding box.
pub(crate) fn axis_aligned(heading: f64) -> bool {
    let quarter = heading / (0.5 * PI);
    (quarter - libm::round(quarter)).abs() * 0.5 * PI < 1e-9
}

#[cfg(test)]
mod tests {
    use rapier3d::prelude::{ColliderHandle, RigidBodyHandle};

    use super::*;
    use crate::actor::ActorKind;
    use crate::rng::Stream;
    use crate::road::{EdgeKind, IntersectionSpec, PathPoint, RoadSpec, SegmentSpec};

    fn body(path: PathId, s: f64, d: f64, length: f64, width: f64, speed: f64, yaw: f64) -> BodyState {
        let dir = V2::from_angle(yaw);
        let pos = V2::new(s, d);
        let at = PathPoint { s, d, heading: 0.0, curvature: 0.0, tangent: V2::new(1.0, 0.0) };
        BodyState {
            id: 0,
            kind: ActorKind::Vehicle,
            length,
            width,
            path,
            body: RigidBodyHandle::invalid(),
            collider: ColliderHandle::invalid(),
            pos,
            yaw,
            dir,
            vel: V2::new(speed, 0.0),
            prev_vel: V2::new(speed, 0.0),
            yaw_rate: 0.0,
            speed_long: speed,
            accel_long: 0.0,
            route: at,
            own: at,
        }
    }

    fn random_bodies(rng: &mut Stream, n: usize) -> Vec<BodyState> {
        (0..n)
            .map(|_| {
                let path = match (rng.uniform() * 3.0) as u32 {
                    0 => PathId::Route,
                    1 => PathId::CrossNorth,
                    _ => PathId::CrossSouth,
                };
                // Coarse positions so that ties in s and in gaps happen.
                let s = libm::floor(rng.uniform() * 60.0) * 2.5;
                let d = libm::floor(rng.uniform() * 4.0) * 3.5 + (rng.uniform() - 0.5);
                let length = [4.5, 0.5, 1.8, 12.0][(rng.uniform() * 4.0) as usize];
                let width = [1.8, 0.5, 0.6, 2.5][(rng.uniform() * 4.0) as usize];
                body(path, s, d, length, width, rng.uniform() * 30.0, (rng.uniform() - 0.5) * 0.4)
            })
            .collect()
    }

    /// A four-lane road: 50 m straight, a 100 m arc of curvature `k`, 50 m
    /// straight, with an intersection on the first straight (so that the
    /// crossing paths exist).
    fn road(k: f64) -> Road {
        Road::new(RoadSpec {
            lanes: 4,
            lane_width: 3.5,
            speed_limit: 30.0,
            segments: vec![
                SegmentSpec::new(50.0, 0.0),
                SegmentSpec::new(100.0, k),
                SegmentSpec::new(50.0, 0.0),
            ],
            edge: EdgeKind::Open,
            shoulder: 0.5,
            intersection: Some(IntersectionSpec {
                at_s: 20.0,
                lane_width: 3.5,
                arm_length: 60.0,
                signal: None,
            }),
            crosswalk: None,
            oncoming_lanes: 0,
            lane_drop: None,
            junction: None,
        })
    }

    #[test]
    fn leader_matches_the_lane_true_all_pairs_search() {
        let mut rng = Stream::new(11, "spatial.test", 0);
        let mut order = PathOrder::default();
        // Straight, left and right bends, and a bend so tight (radius 8 m)
        // that the outer lanes pass its centre (the stretch is floored there).
        for k in [0.0, 1.0 / 60.0, -1.0 / 60.0, 1.0 / 8.0] {
            let road = road(k);
            for round in 0..40 {
                let mut bodies = random_bodies(&mut rng, 1 + round * 7);
                for b in &mut bodies {
                    // The point's own curvature feeds the closing speed.
                    b.own.curvature = [0.0, k, -k][(rng.uniform() * 3.0) as usize];
                }
                order.rebuild(&bodies, &road);
                for me in 0..bodies.len() {
                    let path = road.path(bodies[me].path).unwrap_or(road.route());
                    let d = bodies[me].own.d;
                    for corridor in [(d, d), (d, d + 3.5), (d - 3.5, d)] {
                        let fast = order.leader(&bodies, me, corridor, path);
                        let slow = leader_all_pairs(&bodies, me, corridor, path);
                        assert_eq!(
                            fast.map(|(g, v)| (g.to_bits(), v.to_bits())),
                            slow.map(|(g, v)| (g.to_bits(), v.to_bits())),
                            "k {k}, round {round}, body {me}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_leader_gap_is_measured_along_the_lane() {
        // Two cars in lane 2 (d = 7 m) of a radius-60 left bend, 20 m of
        // reference line apart: the gap is the inner lane's arc, not 20 m.
        let road = road(1.0 / 60.0);
        let mut bodies: Vec<BodyState> = (0..INDEX_FROM + 8)
            .map(|i| body(PathId::CrossNorth, i as f64 * 9.0, 0.0, 4.0, 1.8, 10.0, 0.0))
            .collect();
        bodies[3] = body(PathId::Route, 70.0, 7.0, 4.0, 1.8, 10.0, 0.0);
        bodies[5] = body(PathId::Route, 90.0, 7.0, 4.0, 1.8, 10.0, 0.0);
        let mut order = PathOrder::default();
        order.rebuild(&bodies, &road);
        let (gap, _) = order.leader(&bodies, 3, (7.0, 7.0), road.route()).expect("a leader");
        let along = 20.0 * (1.0 - 7.0 / 60.0) - 4.0;
        assert!((gap - along).abs() < 1e-9, "{gap} vs {along}");
    }

    #[test]
    fn occlusion_candidates_hold_every_body_that_blocks() {
        let mut rng = Stream::new(5, "spatial.test", 1);
        let mut bins = OcclusionBins::default();
        for round in 0..30 {
            let mut bodies = random_bodies(&mut rng, 2 + round * 5);
            for b in &mut bodies {
                b.pos = V2::new(b.pos.x - 60.0, b.pos.y * 2.0 - 8.0);
            }
            let origin = V2::new(rng.uniform() * 10.0 - 5.0, rng.uniform() * 4.0 - 2.0);
            let reach = 200.0;
            bins.rebuild(&bodies, origin, reach);
            for _ in 0..200 {
                let p = V2::new(rng.uniform() * 200.0 - 100.0, rng.uniform() * 60.0 - 30.0);
                let listed: Vec<usize> = bins.candidates(p).collect();
                for (j, b) in bodies.iter().enumerate().skip(1) {
                    if crate::sensor::blocks(b, origin, p) {
                        assert!(
                            listed.contains(&j),
                            "round {round}: body {j} blocks {p:?} but is not listed"
                        );
                    }
                }
            }
        }
    }
}
