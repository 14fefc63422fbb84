//! Connecting-road geometry: the straight–arc–straight path that joins the
//! end of one lane to the start of another, and the offset (and reversed)
//! copies of the route's approach that movements from or into the approach
//! arm drive along.

use super::JunctionError;
use crate::math::{V2, tan, wrap_angle};
use crate::road::SegmentSpec;

/// Headings closer than this are parallel (a straight movement), rad.
const PARALLEL: f64 = 1e-6;
/// Lateral misalignment a straight movement tolerates, m.
const ALIGNED: f64 = 1e-6;

/// The pieces of the path from `p` (heading `hp`) to `q` (heading `hq`):
/// a straight, one arc tangent to both lines, a straight. The arc is the
/// largest that fits (one of the straights has zero length). Parallel,
/// aligned ends give one straight.
pub(crate) fn connecting(p: V2, hp: f64, q: V2, hq: f64) -> Result<Vec<SegmentSpec>, JunctionError> {
    let turn = wrap_angle(hq - hp);
    let dp = V2::from_angle(hp);
    let dq = V2::from_angle(hq);
    let rel = q - p;
    if turn.abs() < PARALLEL {
        let along = rel.dot(dp);
        if rel.dot(dp.perp()).abs() > ALIGNED || along <= 0.0 {
            return Err(JunctionError::Misaligned);
        }
        return Ok(vec![SegmentSpec::new(along, 0.0)]);
    }
    // Tangent lines p + a·dp and q − b·dq meet at x: a = |px|, b = |xq|.
    let denom = dp.cross(dq);
    let a = rel.cross(dq) / denom;
    let b = dp.cross(rel) / denom;
    let half = 0.5 * turn.abs();
    if a <= 0.0 || b <= 0.0 || half >= 0.5 * crate::math::PI - 1e-3 {
        return Err(JunctionError::NoTurn);
    }
    let t = tan(half);
    let radius = a.min(b) / t;
    let tangent = radius * t;
    let mut out = Vec::with_capacity(3);
    if a - tangent > 1e-9 {
        out.push(SegmentSpec::new(a - tangent, 0.0));
    }
    out.push(SegmentSpec::new(radius * turn.abs(), turn.signum() / radius));
    if b - tangent > 1e-9 {
        out.push(SegmentSpec::new(b - tangent, 0.0));
    }
    Ok(out)
}

/// `pieces` offset by `d` to their left (arcs keep their centre).
pub(crate) fn offset(pieces: &[SegmentSpec], d: f64) -> Vec<SegmentSpec> {
    pieces
        .iter()
        .map(|seg| {
            let k = seg.curvature;
            if k == 0.0 {
                return *seg;
            }
            let scale = 1.0 - k * d;
            SegmentSpec::new(seg.length * scale, k / scale)
        })
        .collect()
}

/// `pieces` offset by `d` to their left and driven the other way.
pub(crate) fn reversed(pieces: &[SegmentSpec], d: f64) -> Vec<SegmentSpec> {
    offset(pieces, d).into_iter().rev().map(|seg| SegmentSpec::new(seg.length, -seg.curvature)).collect()
}
