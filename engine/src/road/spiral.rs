//! Clothoid (Euler spiral) segments of a reference path, and lines at a
//! constant lateral offset from one.
//!
//! A clothoid's curvature is linear in its arc length `u`:
//! `κ(u) = a + b·u`, its heading `θ(u) = θ₀ + a·u + b·u²/2`, and its points
//! `R(u) = R(0) + ∫₀ᵘ (cos θ, sin θ) dv`, a Fresnel-type integral with no
//! closed form. It is evaluated by an 8-point Gauss–Legendre rule from the
//! nearest of a table of knots computed once when the path is built (knots
//! at most [`KNOT_SPACING`] m apart and [`KNOT_TURN`] rad of heading apart,
//! each knot integrated from the previous one by the same rule), so a point
//! costs one short quadrature, and the result depends only on the inputs
//! (`libm` trigonometry, fixed node order): deterministic on every machine.
//! Over an interval turning at most 0.25 rad the rule's error is below
//! 1e-15 of the interval's length.
//!
//! Gauntlet's route runs along the centre of lane 0, which lies at a
//! constant lateral offset `o` from an OpenDRIVE reference line. The offset
//! line of a clothoid is not a clothoid, so a segment holds the generating
//! clothoid and the offset: the path's points are `R(u) + N(θ(u))·(o + d)`,
//! its arc length `σ(u) = ∫ (1 − κ·o) du = u − o·(θ(u) − θ₀)` (a quadratic,
//! inverted in closed form), its curvature `κ/(1 − κ·o)`. The route frame
//! therefore follows the reference line exactly, curvature included.

use crate::math::{V2, sqrt};

/// The clothoid part of a [`super::SegmentSpec`]: the segment's curvature
/// runs from `SegmentSpec::curvature` at its start to `curvature_end` at its
/// end, linearly in the arc length of the generating clothoid, which lies
/// `reference_offset` m to the left of the segment's line (0: the segment's
/// line is itself a clothoid). Both curvatures are the segment line's own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spiral {
    /// Curvature at the segment's end, 1/m (+ turns left).
    pub curvature_end: f64,
    /// Lateral offset of the generating clothoid from the segment's line, m (+ left).
    pub reference_offset: f64,
}

/// Greatest distance between two knots, m.
pub const KNOT_SPACING: f64 = 10.0;
/// Greatest heading change between two knots, rad.
pub const KNOT_TURN: f64 = 0.25;
/// Most knots of one segment.
const MAX_KNOTS: usize = 200_000;

/// Gauss–Legendre nodes on [-1, 1] (8 points) and their weights.
pub(super) const GL_X: [f64; 8] = [
    -0.960_289_856_497_536_2,
    -0.796_666_477_413_626_7,
    -0.525_532_409_916_329,
    -0.183_434_642_495_649_8,
    0.183_434_642_495_649_8,
    0.525_532_409_916_329,
    0.796_666_477_413_626_7,
    0.960_289_856_497_536_2,
];
pub(super) const GL_W: [f64; 8] = [
    0.101_228_536_290_376_3,
    0.222_381_034_453_374_5,
    0.313_706_645_877_887_3,
    0.362_683_783_378_362,
    0.362_683_783_378_362,
    0.313_706_645_877_887_3,
    0.222_381_034_453_374_5,
    0.101_228_536_290_376_3,
];

/// A built clothoid segment (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Clothoid {
    /// Reference curvature at u = 0, 1/m.
    a: f64,
    /// Rate of reference curvature, 1/m².
    b: f64,
    /// Length of the generating clothoid, m.
    len_ref: f64,
    /// Offset of the segment's line from the clothoid, m (+ left): `-reference_offset`.
    o: f64,
    /// Heading at u = 0.
    h0: f64,
    /// Knot spacing in u, m.
    du: f64,
    /// Clothoid points at u = i·du.
    knots: Vec<V2>,
}

/// Whether a spiral spec is buildable: the line at the offset never reaches
/// a centre of curvature (`1 − κ·o > 0` at both ends; κ is monotone).
pub fn spiral_is_regular(curvature: f64, sp: &Spiral) -> bool {
    let o = -sp.reference_offset;
    // Reference curvatures of the line's curvatures c: κ = c / (1 + c·o).
    [curvature, sp.curvature_end].iter().all(|&c| {
        let den = 1.0 + c * o;
        den > 0.0 && 1.0 - (c / den) * o > 0.0
    })
}

impl super::SegmentSpec {
    /// The line `offset` m left of this segment's line, driven the other
    /// way (what [`crate::twoway`] builds the oncoming path from). For a
    /// spiral: the reversed clothoid (curvatures negated and swapped) with
    /// the new line's offset from it; a cubic reversed ([`super::ParamPoly3::reversed`]);
    /// a straight or an arc as `twoway` did.
    pub fn offset_reversed(&self, offset: f64) -> Self {
        if let Some(r) = self.poly3.and_then(|pp| pp.reversed(offset)) {
            // A cubic reversed is a cubic: its line's length and start curvature from the built curve.
            if let Some(c) = super::poly3::Poly3Curve::new(V2::new(0.0, 0.0), 0.0, &r) {
                return Self {
                    length: c.length(),
                    curvature: c.curvature_at(0.0),
                    spiral: None,
                    poly3: Some(r),
                };
            }
        }
        let Some(sp) = self.spiral else {
            let k = self.curvature;
            if k == 0.0 {
                return *self;
            }
            let scale = 1.0 - k * offset;
            return Self::new(self.length * scale, -k / scale);
        };
        let o = -sp.reference_offset;
        let a = self.curvature / (1.0 + self.curvature * o);
        let a1 = sp.curvature_end / (1.0 + sp.curvature_end * o);
        let len_ref = self.length / (1.0 - o * 0.5 * (a + a1));
        let w = o + offset;
        Self {
            length: len_ref * (1.0 - w * 0.5 * (a + a1)),
            curvature: -a1 / (1.0 - a1 * w),
            spiral: Some(Spiral { curvature_end: -a / (1.0 - a * w), reference_offset: w }),
            poly3: None,
        }
    }
}

impl Clothoid {
    /// The clothoid segment of line length `length` starting at `start`
    /// (a point of the segment's line) heading `heading`, with line
    /// curvatures `c0` → `sp.curvature_end`.
    pub(super) fn new(start: V2, heading: f64, length: f64, c0: f64, sp: &Spiral) -> Self {
        let o = -sp.reference_offset;
        let a = c0 / (1.0 + c0 * o);
        let a1 = sp.curvature_end / (1.0 + sp.curvature_end * o);
        // σ(L) = L·(1 − o·(a + a1)/2) = length.
        let len_ref = length / (1.0 - o * 0.5 * (a + a1));
        let b = (a1 - a) / len_ref;
        let turn = a.abs().max(a1.abs()) * len_ref;
        let n =
            ((len_ref / KNOT_SPACING).ceil().max((turn / KNOT_TURN).ceil()).max(1.0) as usize).min(MAX_KNOTS);
        let du = len_ref / n as f64;
        let reference_start = start - V2::from_angle(heading).perp() * o;
        let mut c = Self { a, b, len_ref, o, h0: heading, du, knots: Vec::with_capacity(n + 1) };
        let mut p = reference_start;
        c.knots.push(p);
        for i in 0..n {
            p = p + c.integral(i as f64 * du, (i + 1) as f64 * du);
            c.knots.push(p);
        }
        c
    }

    /// Heading of the clothoid (and of the segment's line) at `u`.
    fn theta(&self, u: f64) -> f64 {
        self.h0 + self.a * u + 0.5 * self.b * u * u
    }

    /// Reference curvature at `u`.
    fn kappa(&self, u: f64) -> f64 {
        self.a + self.b * u
    }

    /// `∫ (cos θ, sin θ) dv` from `u0` to `u1`, one Gauss–Legendre rule.
    fn integral(&self, u0: f64, u1: f64) -> V2 {
        let (mid, half) = (0.5 * (u0 + u1), 0.5 * (u1 - u0));
        let mut sum = V2::new(0.0, 0.0);
        for (x, w) in GL_X.iter().zip(GL_W) {
            sum = sum + V2::from_angle(self.theta(mid + half * x)) * w;
        }
        sum * half
    }

    /// Clothoid point at `u` (within or slightly beyond `[0, len_ref]`).
    fn reference_point(&self, u: f64) -> V2 {
        let last = self.knots.len() - 1;
        let i = ((u / self.du).floor().max(0.0) as usize).min(last);
        let ui = i as f64 * self.du;
        if u == ui {
            return self.knots[i];
        }
        self.knots[i] + self.integral(ui, u)
    }

    /// Line arc length at clothoid parameter `u`: `σ(u)`.
    fn sigma(&self, u: f64) -> f64 {
        u - self.o * (self.a * u + 0.5 * self.b * u * u)
    }

    /// Clothoid parameter of line arc length `s`: `σ⁻¹(s)` (the root of a
    /// quadratic, in the form that loses no digits).
    fn u_of(&self, s: f64) -> f64 {
        let p = 1.0 - self.o * self.a;
        let q = self.o * self.b;
        if q == 0.0 {
            return s / p;
        }
        let disc = (p * p - 2.0 * q * s).max(0.0);
        2.0 * s / (p + sqrt(disc))
    }

    /// Length of the generating clothoid, m.
    #[cfg(test)]
    pub(super) fn reference_length(&self) -> f64 {
        self.len_ref
    }

    /// Tangent heading of the line at line distance `s`.
    pub(super) fn heading_at(&self, s: f64) -> f64 {
        self.theta(self.u_of(s))
    }

    /// Curvature of the line at line distance `s` (the offset line's own).
    pub(super) fn curvature_at(&self, s: f64) -> f64 {
        let k = self.kappa(self.u_of(s));
        k / (1.0 - k * self.o)
    }

    /// Point at line distance `s`, lateral offset `d` from the line.
    pub(super) fn point(&self, s: f64, d: f64) -> V2 {
        let u = self.u_of(s);
        self.reference_point(u) + V2::from_angle(self.theta(u)).perp() * (self.o + d)
    }

    /// (s, d, unit tangent) of the nearest point of the segment to `p`, or
    /// of the tangent extension of the nearer end when the foot lies beyond
    /// it (then `s` is outside `[0, length]`). The foot is found on the
    /// clothoid: the knot interval where `(R(u) − p)·T(u)` turns from
    /// negative to positive with the least lateral distance, then Newton
    /// steps kept inside it by bisection (at most 60; deterministic).
    pub(super) fn project(&self, p: V2) -> (f64, f64, V2) {
        let f = |u: f64, r: V2| (r - p).dot(V2::from_angle(self.theta(u)));
        let n = self.knots.len() - 1;
        let f0 = f(0.0, self.knots[0]);
        if f0 > 0.0 {
            let t = V2::from_angle(self.h0);
            let rel = p - self.knots[0];
            return (rel.dot(t), rel.dot(t.perp()) - self.o, t);
        }
        let mut best: Option<(f64, f64)> = None; // (u, |t|)
        let mut prev = f0;
        for i in 0..n {
            let fi1 = f((i + 1) as f64 * self.du, self.knots[i + 1]);
            if prev <= 0.0 && fi1 > 0.0 {
                let u = self.solve(p, i, prev);
                let r = self.reference_point(u);
                let lat = (p - r).dot(V2::from_angle(self.theta(u)).perp()).abs();
                if best.is_none_or(|(_, b)| lat < b) {
                    best = Some((u, lat));
                }
            }
            prev = fi1;
        }
        let Some((u, _)) = best else {
            // Beyond the end: the end tangent's extension.
            let h = self.theta(self.len_ref);
            let t = V2::from_angle(h);
            let end = self.knots[n];
            let rel = p - end;
            return (self.sigma(self.len_ref) + rel.dot(t), rel.dot(t.perp()) - self.o, t);
        };
        let t = V2::from_angle(self.theta(u));
        let lat = (p - self.reference_point(u)).dot(t.perp());
        (self.sigma(u), lat - self.o, t)
    }

    /// The root of `(R(u) − p)·T(u)` in knot interval `i` (negative at its start).
    fn solve(&self, p: V2, i: usize, f_lo: f64) -> f64 {
        let (mut lo, mut hi) = (i as f64 * self.du, (i + 1) as f64 * self.du);
        let _ = f_lo;
        let mut u = 0.5 * (lo + hi);
        for _ in 0..60 {
            let th = self.theta(u);
            let t = V2::from_angle(th);
            let rel = self.reference_point(u) - p;
            let fu = rel.dot(t);
            if fu > 0.0 {
                hi = u;
            } else {
                lo = u;
            }
            // d/du (R − p)·T = 1 + κ·(R − p)·N.
            let slope = 1.0 + self.kappa(u) * rel.dot(t.perp());
            let mut next = if slope > 0.0 { u - fu / slope } else { f64::NAN };
            if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            if (next - u).abs() <= 1e-13 * (1.0 + u.abs()) || hi - lo <= 1e-13 * (1.0 + u.abs()) {
                return next;
            }
            u = next;
        }
        u
    }

    /// `∫ (s(1 − κ_line·d) − 1) ds` over line distances `[s0, s1]` ⊂ the
    /// segment, with the stretch floored at `min` as the lane metric floors
    /// it. Unfloored (the stretch is monotone along a clothoid, so checking
    /// both ends suffices) it is exactly `−d·(θ(s1) − θ(s0))`; a floored
    /// stretch (a line beyond a centre of curvature) is integrated by 64
    /// Gauss–Legendre panels.
    pub(super) fn stretch_excess(&self, s0: f64, s1: f64, d: f64, min: f64) -> f64 {
        let st = |s: f64| 1.0 - self.curvature_at(s) * d;
        if st(s0) >= min && st(s1) >= min {
            return -d * (self.heading_at(s1) - self.heading_at(s0));
        }
        floored_stretch_excess(s0, s1, min, st)
    }

    /// The least line stretch `1 − κ_line·d` over the segment (an end: monotone).
    pub(super) fn least_stretch(&self, d: f64, length: f64) -> f64 {
        (1.0 - self.curvature_at(0.0) * d).min(1.0 - self.curvature_at(length) * d)
    }
}

/// `∫ (max(stretch(s), min) − 1) ds` over `[s0, s1]` by 64 Gauss–Legendre
/// panels: the floored part of a lane metric's stretch, shared by the
/// clothoid and the parametric cubic.
pub(super) fn floored_stretch_excess(s0: f64, s1: f64, min: f64, stretch: impl Fn(f64) -> f64) -> f64 {
    let panels = 64;
    let h = (s1 - s0) / panels as f64;
    let mut total = 0.0;
    for k in 0..panels {
        let mid = s0 + (k as f64 + 0.5) * h;
        for (x, w) in GL_X.iter().zip(GL_W) {
            total += w * 0.5 * h * (stretch(mid + 0.5 * h * x).max(min) - 1.0);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spiral(c0: f64, c1: f64, reference_offset: f64, length: f64) -> Clothoid {
        Clothoid::new(V2::new(0.0, 0.0), 0.0, length, c0, &Spiral { curvature_end: c1, reference_offset })
    }

    /// End point of a clothoid from the origin heading +x, curvature 0 →
    /// 0.02 1/m over 100 m: x = ∫₀¹⁰⁰ cos(10⁻⁴·u²) du, y = ∫ sin(…), by
    /// mpmath (50 digits): `mp.quad(lambda u: mp.cos(u**2/10000), [0, 100])`.
    const END_0_TO_0_02_OVER_100: (f64, f64) = (90.452_423_790_027_21, 31.026_830_172_338_11);

    #[test]
    fn the_end_point_matches_an_independent_high_precision_integration() {
        let c = spiral(0.0, 0.02, 0.0, 100.0);
        let e = c.point(100.0, 0.0);
        let (x, y) = END_0_TO_0_02_OVER_100;
        assert!((e.x - x).abs() < 1e-9 && (e.y - y).abs() < 1e-9, "{e:?}");
        assert!((c.heading_at(100.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn curvature_is_linear_in_s_on_the_clothoid_itself() {
        let c = spiral(-0.01, 0.03, 0.0, 80.0);
        for s in [0.0, 10.0, 33.3, 80.0] {
            assert!((c.curvature_at(s) - (-0.01 + 0.04 * s / 80.0)).abs() < 1e-15, "{s}");
        }
    }

    #[test]
    fn an_offset_line_keeps_its_length_and_end_curvatures() {
        // The line 5.25 m right of a clothoid (the clothoid 5.25 m to its left).
        let c = spiral(0.004, 0.012, 5.25, 120.0);
        assert!((c.curvature_at(0.0) - 0.004).abs() < 1e-15);
        assert!((c.curvature_at(120.0) - 0.012).abs() < 1e-15);
        // Its arc length, summed from short chords, is the stated length.
        let n = 20_000;
        let mut len = 0.0;
        let mut prev = c.point(0.0, 0.0);
        for i in 1..=n {
            let q = c.point(120.0 * i as f64 / n as f64, 0.0);
            len += (q - prev).norm();
            prev = q;
        }
        assert!((len - 120.0).abs() < 1e-6, "{len}");
        // The clothoid is shorter (the line is outside the left bend).
        assert!(c.reference_length() < 120.0);
        // Every point of the line is 5.25 m from the clothoid, square to it.
        for s in [0.0, 40.0, 119.0] {
            let p = c.point(s, 0.0);
            let r = c.point(s, 5.25);
            assert!(((r - p).norm() - 5.25).abs() < 1e-12);
        }
    }

    #[test]
    fn project_inverts_point_and_finds_ends() {
        for (c0, c1, off) in [(0.0, 0.02, 0.0), (0.01, -0.01, 3.5), (-0.02, 0.0, -1.75), (0.0, 0.0, 0.0)] {
            let c = spiral(c0, c1, off, 100.0);
            for s in [0.0, 0.5, 12.0, 50.0, 99.0, 100.0] {
                for d in [-4.0, 0.0, 1.75, 6.0] {
                    let (sl, dl, t) = c.project(c.point(s, d));
                    assert!(
                        (sl - s).abs() < 1e-9 && (dl - d).abs() < 1e-9,
                        "{c0} {c1} {off} s={s} d={d}: {sl} {dl}"
                    );
                    assert!((t - V2::from_angle(c.heading_at(s))).norm() < 1e-12);
                }
            }
            let (before, _, _) = c.project(V2::new(-10.0, 0.3));
            assert!(before < 0.0);
            let end = c.point(100.0, 0.0);
            let h = c.heading_at(100.0);
            let (after, d, _) = c.project(end + V2::from_angle(h) * 7.0 + V2::from_angle(h).perp() * 1.0);
            assert!((after - 107.0).abs() < 1e-9 && (d - 1.0).abs() < 1e-9, "{after} {d}");
        }
    }

    #[test]
    fn stretch_excess_is_the_arc_length_difference() {
        let c = spiral(0.0, 0.05, 0.0, 60.0);
        let d = 3.0;
        let exact = -d * (c.heading_at(50.0) - c.heading_at(10.0));
        assert_eq!(c.stretch_excess(10.0, 50.0, d, 1e-3), exact);
        // A floored line (beyond the centre, radius 20 m at the end, d = 30 m):
        // the panels integrate the floor.
        let floored = c.stretch_excess(0.0, 60.0, 30.0, 1e-3);
        let mut check = 0.0;
        let n = 200_000;
        for i in 0..n {
            let s = 60.0 * (i as f64 + 0.5) / n as f64;
            check += ((1.0 - c.curvature_at(s) * 30.0).max(1e-3) - 1.0) * 60.0 / n as f64;
        }
        assert!((floored - check).abs() < 1e-3, "{floored} vs {check}");
    }
}
