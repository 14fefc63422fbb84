//! Road edges of a road with a junction: the route's edges everywhere but
//! in the junction area, and both edges of every arm the route does not
//! use, from the area outwards.

use super::{ArmId, Junction};
use crate::math::V2;
use crate::road::{EdgePiece, Road};

/// Length of the pieces an edge is cut into near the junction area, m.
const FINE: f64 = 2.0;
/// Clearance between the junction area and the nearest edge piece, m.
const CLEAR: f64 = 0.5;

/// Distance from `c` to the segment `a`–`b`.
fn distance_to_segment(c: V2, a: V2, b: V2) -> f64 {
    let ab = b - a;
    let len2 = ab.dot(ab);
    let t = if len2 > 0.0 { ((c - a).dot(ab) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (a + ab * t - c).norm()
}

/// The edge pieces of `road`, whose junction is `j`, in a fixed order.
pub(crate) fn edge_pieces(road: &Road, j: &Junction) -> Vec<EdgePiece> {
    let mut out = Vec::new();
    let spec = &road.spec;
    let kind = spec.edge;
    let route = road.route();
    let run_out = 200.0;
    let total = route.length() + run_out;
    let keep = |a: V2, b: V2| distance_to_segment(j.centre, a, b) > j.area + CLEAR;
    for d in [spec.right_edge() - spec.shoulder, spec.left_edge() + spec.shoulder] {
        let mut s = -run_out;
        while s < total {
            let step = if route.curvature_at(s) == 0.0 { 100.0 } else { 4.0 };
            let boundary = route.next_boundary(s).unwrap_or(total);
            let e = (s + step).min(boundary.max(s + 0.5)).min(total);
            let (a, b) = (route.pose(s, d).0, route.pose(e, d).0);
            if keep(a, b) {
                out.push(EdgePiece { a, b, kind });
            } else {
                // Near the area: fine pieces, those clear of it kept.
                let n = ((e - s) / FINE).ceil().max(1.0) as usize;
                for i in 0..n {
                    let s0 = s + (e - s) * i as f64 / n as f64;
                    let s1 = s + (e - s) * (i + 1) as f64 / n as f64;
                    let (a, b) = (route.pose(s0, d).0, route.pose(s1, d).0);
                    if keep(a, b) {
                        out.push(EdgePiece { a, b, kind });
                    }
                }
            }
            s = e;
        }
    }
    // The arms off the route: both edges, from where they leave the area.
    let w = spec.lane_width;
    for id in [ArmId::Left, ArmId::Ahead, ArmId::Right] {
        if id == j.spec.exit {
            continue;
        }
        let Some(arm) = j.arms[id.index()] else { continue };
        let n = arm.u.perp();
        for off in [arm.lanes_in as f64 * w + spec.shoulder, -(arm.lanes_out as f64 * w + spec.shoulder)] {
            let clear = libm::sqrt(((j.area + CLEAR) * (j.area + CLEAR) - off * off).max(0.0)) + CLEAR;
            let far = j.mouth + arm.length;
            if far > clear {
                let a = j.centre + arm.u * clear + n * off;
                let b = j.centre + arm.u * far + n * off;
                out.push(EdgePiece { a, b, kind });
            }
        }
    }
    out
}
