//! Distances and speeds measured along a lane, not along the reference line.
//!
//! A path's `s` runs along its reference line (the centre of lane 0 for the
//! route). A line at lateral offset `d` from it is longer or shorter where
//! the path curves: moving the reference point by `ds` moves a point of that
//! line by `(1 − κ·d)·ds`. On a left curve (κ > 0) the lanes to the left are
//! inside the bend and shorter; on a right curve they are outside and longer.
//! Lane 2 of a left curve of radius 60 m (d = 7 m) is 11.7 % shorter than the
//! reference line, so a gap taken as a difference of `s` there overstates the
//! true gap by 13 %.
//!
//! Every distance the criteria, the scripted behaviours and the triggers use
//! between two road users on one path is the arc length of the line at the
//! *mean* of their lateral offsets (the lane centre when both keep their
//! lane; for a pair in two lanes, the line between them), integrated exactly
//! over the path's straights and arcs ([`Path::along`]). Speeds along the
//! path are converted the same way ([`Path::lane_rate`]), so that a gap's
//! rate of change is exactly the difference of the two rates and the
//! time-to-collision is the along-lane gap over the along-lane closing speed.
//! Beyond either end the path continues straight (κ = 0), as [`Path::pose`]
//! does.

use super::{Path, PathPoint};

/// `1 − κ·d` below this is a point at or beyond an arc's centre: the line
/// at `d` degenerates there. The factor is floored so that nothing divides
/// by zero or turns a distance negative.
const MIN_STRETCH: f64 = 1e-3;

fn stretch(curvature: f64, d: f64) -> f64 {
    (1.0 - curvature * d).max(MIN_STRETCH)
}

impl Path {
    /// Signed arc length, m, from `s_from` to `s_to` (reference-line
    /// distances) along the line at lateral offset `d`: `∫ (1 − κ(s)·d) ds`.
    /// Positive when `s_to > s_from`. Exact on straights and arcs; no allocation.
    pub fn along(&self, s_from: f64, s_to: f64, d: f64) -> f64 {
        let (lo, hi, sign) = if s_to >= s_from { (s_from, s_to, 1.0) } else { (s_to, s_from, -1.0) };
        // Start from the straight length and correct by each arc's share.
        let mut total = hi - lo;
        if d != 0.0 {
            for seg in &self.segments {
                if seg.is_straight() {
                    continue;
                }
                let (a, b) = (lo.max(seg.s0), hi.min(seg.s0 + seg.length));
                if b > a {
                    total += match (&seg.spiral, &seg.poly3) {
                        (_, Some(c)) => c.stretch_excess(a - seg.s0, b - seg.s0, d, MIN_STRETCH),
                        (Some(c), None) => c.stretch_excess(a - seg.s0, b - seg.s0, d, MIN_STRETCH),
                        (None, None) => (b - a) * (stretch(seg.curvature, d) - 1.0),
                    };
                }
            }
        }
        sign * total
    }

    /// The smallest factor `1 − κ·d` (floored as [`Path::along`] floors it)
    /// of any part of the path, for lines at offsets `d` in `[d_lo, d_hi]`:
    /// `along(a, b, d) ≥ (b − a) · min_stretch(d_lo, d_hi)` for `b ≥ a`. At
    /// most 1 (straights, and beyond either end). Used to stop a leader scan
    /// early without changing its answer.
    pub fn min_stretch(&self, d_lo: f64, d_hi: f64) -> f64 {
        // `stretch` is monotone in `d`: each arc's least factor is at an end.
        self.segments
            .iter()
            .filter(|seg| !seg.is_straight())
            .map(|seg| match (&seg.spiral, &seg.poly3) {
                // A cubic: from its curvature range (with a margin).
                (_, Some(c)) => c.least_stretch(d_lo).min(c.least_stretch(d_hi)).max(MIN_STRETCH),
                // Monotone along a spiral too: its least factor is at an end.
                (Some(c), None) => {
                    c.least_stretch(d_lo, seg.length).min(c.least_stretch(d_hi, seg.length)).max(MIN_STRETCH)
                }
                (None, None) => stretch(seg.curvature, d_lo).min(stretch(seg.curvature, d_hi)),
            })
            .fold(1.0, f64::min)
    }

    /// Rate, m/s, at which a body at `at` moving `vs` m/s along the path's
    /// tangent advances along the line at lateral offset `line_d`: `vs`
    /// scaled by `(1 − κ·line_d) / (1 − κ·at.d)`. Equal to `vs` on a straight
    /// or when the body is on that line.
    pub fn lane_rate(at: &PathPoint, vs: f64, line_d: f64) -> f64 {
        let k = at.curvature;
        if k == 0.0 || line_d == at.d {
            return vs;
        }
        vs * stretch(k, line_d) / stretch(k, at.d)
    }

    /// The reference-line distance `s` that lies `dist` m (≥ 0) ahead of
    /// `s_from` along the line at lateral offset `d`: the inverse of
    /// [`along`](Self::along) (`along(s_from, s_ahead(s_from, dist, d), d) ==
    /// dist`). Walks the segments; no allocation.
    pub fn s_ahead(&self, s_from: f64, dist: f64, d: f64) -> f64 {
        let (mut s, mut left) = (s_from, dist.max(0.0));
        loop {
            // Before the start and beyond the end the path runs straight.
            let end = if s < 0.0 { Some(0.0) } else { self.next_boundary(s) };
            let Some(end) = end else { return s + left };
            if s >= 0.0 && self.segment_at(0.5 * (s + end)).0.varies() {
                let piece = self.along(s, end, d);
                if piece >= left {
                    return self.spiral_ahead(s, end, left, d);
                }
                left -= piece;
                s = end;
                continue;
            }
            let k = if s < 0.0 { 0.0 } else { self.curvature_at(0.5 * (s + end)) };
            let st = if d == 0.0 { 1.0 } else { stretch(k, d) };
            let piece = (end - s) * st;
            if piece >= left {
                return s + left / st;
            }
            left -= piece;
            s = end;
        }
    }
}

impl Path {
    /// The `s` in `[s, end]` (a spiral or cubic segment's part) with
    /// `along(s, ·, d) == dist`: bisection steps refined by Newton
    /// (`d along/ds` is the stretch), at most 60; deterministic.
    fn spiral_ahead(&self, s: f64, end: f64, dist: f64, d: f64) -> f64 {
        let (mut lo, mut hi) = (s, end);
        let mut x = s + dist.min(end - s);
        for _ in 0..60 {
            let g = self.along(s, x, d) - dist;
            if g > 0.0 {
                hi = x;
            } else {
                lo = x;
            }
            let slope = stretch(self.curvature_at(x), d);
            let mut next = x - g / slope;
            if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            if (next - x).abs() <= 1e-12 * (1.0 + x.abs()) {
                return next;
            }
            x = next;
        }
        x
    }
}

/// Bumper-to-bumper gap, m, from a follower at `back` to a road user at
/// `front` (both points of the same path), along the line at the mean of
/// their lateral offsets, less half of each length (the lengths are the
/// bodies' own, not stretched). Negative when their footprints overlap along
/// the lane.
pub fn lane_gap(
    path: &Path,
    back: &PathPoint,
    front: &PathPoint,
    back_length: f64,
    front_length: f64,
) -> f64 {
    let line = 0.5 * (back.d + front.d);
    path.along(back.s, front.s, line) - 0.5 * (back_length + front_length)
}

/// Closing speed, m/s, of a follower at `back` moving `back_vs` along the
/// path's tangent on a road user at `front` moving `front_vs`, along the same
/// line as [`lane_gap`]: the rate at which that gap shrinks.
pub fn lane_closing(back: &PathPoint, back_vs: f64, front: &PathPoint, front_vs: f64) -> f64 {
    let line = 0.5 * (back.d + front.d);
    Path::lane_rate(back, back_vs, line) - Path::lane_rate(front, front_vs, line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::V2;

    use crate::road::tests::curve;

    /// The arc length of the line at `d` between `s0` and `s1`, summed from
    /// many short chords of the world curve (independent of `along`'s formula).
    fn chords(p: &Path, s0: f64, s1: f64, d: f64) -> f64 {
        let n = 20_000;
        let mut total = 0.0;
        let mut prev = p.pose(s0, d).0;
        for i in 1..=n {
            let s = s0 + (s1 - s0) * i as f64 / n as f64;
            let q = p.pose(s, d).0;
            total += (q - prev).norm();
            prev = q;
        }
        total
    }

    #[test]
    fn along_matches_the_world_arc_length_of_every_lane_on_left_and_right_curves() {
        for k in [1.0 / 60.0, -1.0 / 60.0, 0.01, 0.0] {
            let p = curve(k);
            for d in [0.0, 3.5, 7.0, -1.75] {
                for (s0, s1) in [(0.0, 200.0), (40.0, 70.0), (60.0, 140.0), (-20.0, 230.0), (149.0, 151.0)] {
                    let exact = chords(&p, s0, s1, d);
                    let a = p.along(s0, s1, d);
                    assert!(
                        (a - exact).abs() < 1e-4 * exact.max(1.0),
                        "k={k} d={d} {s0}..{s1}: {a} vs {exact}"
                    );
                    assert_eq!(p.along(s1, s0, d), -a, "antisymmetric");
                }
            }
        }
    }

    #[test]
    fn the_issue_example_lane_two_of_a_radius_60_left_curve() {
        // Inside the bend a gap of 16.65 m of reference line is 14.71 m of lane 2.
        let p = curve(1.0 / 60.0);
        let a = p.along(60.0, 76.65, 7.0);
        assert!((a - 16.65 * (1.0 - 7.0 / 60.0)).abs() < 1e-9, "{a}");
        let r = curve(-1.0 / 60.0).along(60.0, 76.65, 7.0);
        assert!((r - 16.65 * (1.0 + 7.0 / 60.0)).abs() < 1e-9, "right curve: outside the bend, longer: {r}");
    }

    #[test]
    fn gap_and_closing_are_consistent_rates() {
        // Two bodies on lane 2 of a left arc, moving at their speeds along the
        // tangent: the gap after a short time shrinks by closing × time.
        let p = curve(1.0 / 60.0);
        let (d, v_back, v_front) = (7.0, 20.0, 15.0);
        let stretch = 1.0 - d / 60.0;
        let at = |s: f64| p.project(p.pose(s, d).0);
        let (b, f) = (at(70.0), at(90.0));
        let g0 = lane_gap(&p, &b, &f, 4.6, 4.5);
        let closing = lane_closing(&b, v_back, &f, v_front);
        assert!((closing - 5.0).abs() < 1e-9, "both on the line: the plain difference, {closing}");
        let h = 0.1;
        let (b1, f1) = (at(70.0 + v_back * h / stretch), at(90.0 + v_front * h / stretch));
        let g1 = lane_gap(&p, &b1, &f1, 4.6, 4.5);
        assert!(((g0 - g1) / h - closing).abs() < 1e-6, "{} vs {closing}", (g0 - g1) / h);
    }

    #[test]
    fn s_ahead_inverts_along_on_every_lane() {
        for k in [1.0 / 60.0, -1.0 / 60.0, 0.0] {
            let p = curve(k);
            for d in [0.0, 3.5, 7.0, -1.75] {
                for (s0, dist) in [(0.0, 200.0), (40.0, 30.0), (-20.0, 100.0), (149.0, 2.0), (180.0, 60.0)] {
                    let s1 = p.s_ahead(s0, dist, d);
                    let back = p.along(s0, s1, d);
                    assert!((back - dist).abs() < 1e-9, "k={k} d={d} {s0}+{dist}: {s1} gives {back}");
                }
            }
        }
        // Inside a left bend of radius 60 m, 10 m of lane 2 is more reference line.
        let s = curve(1.0 / 60.0).s_ahead(60.0, 10.0, 7.0);
        assert!((s - (60.0 + 10.0 / (1.0 - 7.0 / 60.0))).abs() < 1e-9, "{s}");
    }

    #[test]
    fn lane_rate_converts_between_lines() {
        let pt = PathPoint { s: 80.0, d: 3.5, heading: 0.0, curvature: 0.02, tangent: V2::new(1.0, 0.0) };
        assert_eq!(Path::lane_rate(&pt, 10.0, 3.5), 10.0);
        let r = Path::lane_rate(&pt, 10.0, 0.0);
        assert!((r - 10.0 / (1.0 - 0.02 * 3.5)).abs() < 1e-12);
        let straight = PathPoint { curvature: 0.0, ..pt };
        assert_eq!(Path::lane_rate(&straight, 10.0, 7.0), 10.0);
    }
}
