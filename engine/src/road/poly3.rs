//! Parametric cubic segments of a reference path (OpenDRIVE `paramPoly3`),
//! and lines at a constant lateral offset from one.
//!
//! The generating curve is `R(p) = R₀ + Rot(θ₀)·(U(p), V(p))` for
//! `p ∈ [0, 1]`, with `U`, `V` cubics in the segment's start frame
//! (normalised so that `U(0) = V(0) = 0` and `V'(0) = 0`: the curve starts
//! at the segment's start along its start heading). Points, tangents and
//! curvature `κ = (U'V'' − V'U'')/|R'|³` are closed-form in `p`. The arc
//! length has no closed form: it is integrated by the 8-point
//! Gauss–Legendre rule of [`super::spiral`] from the nearest of a table of
//! knots (uniform in `p`, at most [`super::KNOT_SPACING`] m of curve and
//! [`super::KNOT_TURN`] rad of heading apart), each knot integrated from
//! the previous one; `s → p` is Newton's method kept inside its knot
//! interval by bisection (at most 60 steps). Everything is `libm`
//! arithmetic in a fixed order: deterministic on every machine.
//!
//! As for a clothoid, a segment's line may lie at a constant offset `o`
//! from the generating curve (Gauntlet's route is lane 0's centre, off the
//! OpenDRIVE reference line): its points are `R(p) + N(p)·(o + d)`, its arc
//! length `σ(p) = ∫|R'|dp − o·(θ(p) − θ₀)`, its curvature `κ/(1 − κ·o)`.

use super::spiral::{GL_W, GL_X};
use super::{KNOT_SPACING, KNOT_TURN};
use crate::math::{V2, atan2, sqrt};

/// The parametric-cubic part of a [`super::SegmentSpec`]: `u(p) = u[0] +
/// u[1]·p + u[2]·p² + u[3]·p³` and `v(p)` likewise, `p ∈ [0, 1]`, in a frame
/// whose `u` axis is the segment's start heading. The curve is moved and
/// turned so that it starts at the segment's start along its heading (any
/// `u[0]`, `v[0]` and start-tangent angle `atan2(v[1], u[1])` are taken
/// out). The generating curve lies `reference_offset` m to the left of the
/// segment's line (0: the line is the cubic itself). The segment's
/// `length` must be the line's arc length ([`ParamPoly3::line_length`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamPoly3 {
    /// Coefficients of `u(p)`, constant term first, m.
    pub u: [f64; 4],
    /// Coefficients of `v(p)`, constant term first, m.
    pub v: [f64; 4],
    /// Lateral offset of the generating cubic from the segment's line, m (+ left).
    pub reference_offset: f64,
}

/// Samples per knot interval when checking regularity and bounding curvature.
const SAMPLES: usize = 32;
/// Most knots of one segment.
const MAX_KNOTS: usize = 100_000;

/// `c0 + c1·p + c2·p² + c3·p³`.
fn horner(c: &[f64; 4], p: f64) -> f64 {
    ((c[3] * p + c[2]) * p + c[1]) * p + c[0]
}

/// First derivative.
fn d1(c: &[f64; 4], p: f64) -> f64 {
    (3.0 * c[3] * p + 2.0 * c[2]) * p + c[1]
}

/// Second derivative.
fn d2(c: &[f64; 4], p: f64) -> f64 {
    6.0 * c[3] * p + 2.0 * c[2]
}

impl ParamPoly3 {
    /// The same curve with `u[0] = v[0] = 0` and `v[1] = 0` (turned so
    /// that it starts along +u), or `None` when its start tangent is zero.
    pub fn normalised(&self) -> Option<Self> {
        let (bu, bv) = (self.u[1], self.v[1]);
        let len = sqrt(bu * bu + bv * bv);
        if !len.is_finite() || len <= 0.0 {
            return None;
        }
        let (c, s) = (bu / len, bv / len);
        let mut u = [0.0; 4];
        let mut v = [0.0; 4];
        for k in 1..4 {
            u[k] = c * self.u[k] + s * self.v[k];
            v[k] = -s * self.u[k] + c * self.v[k];
        }
        v[1] = 0.0;
        u[1] = len;
        Some(Self { u, v, reference_offset: self.reference_offset })
    }

    /// Builds the curve from the origin heading +x, if it is regular: no
    /// cusp (`|R'| > 0` everywhere) and the line never reaches a centre of
    /// curvature of the cubic (`1 − κ·o > 0`), both checked at
    /// [`SAMPLES`] points per knot interval and every knot.
    pub fn curve(&self) -> Option<Poly3Curve> {
        let c = Poly3Curve::new(V2::new(0.0, 0.0), 0.0, self)?;
        c.regular().then_some(c)
    }

    /// Arc length of the segment's line, m, if the curve is regular.
    pub fn line_length(&self) -> Option<f64> {
        self.curve().map(|c| c.length())
    }

    /// The cubic traversed from its end to its start, with the line `offset`
    /// m left of this segment's line (in this segment's direction) as its
    /// line; what [`crate::twoway`] builds the oncoming path from.
    pub fn reversed(&self, offset: f64) -> Option<Self> {
        let n = self.normalised()?;
        let rev = |c: &[f64; 4]| {
            [c[0] + c[1] + c[2] + c[3], -c[1] - 2.0 * c[2] - 3.0 * c[3], c[2] + 3.0 * c[3], -c[3]]
        };
        // The new line lies o + offset left of the cubic in the old
        // direction: the cubic lies o + offset left of it in the new one.
        let w = -self.reference_offset + offset;
        Self { u: rev(&n.u), v: rev(&n.v), reference_offset: w }.normalised()
    }
}

/// One knot of a built curve.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Knot {
    /// Parameter.
    p: f64,
    /// Line arc length from the start, m.
    sigma: f64,
    /// Heading of the tangent, unwrapped from the start's.
    theta: f64,
    /// Point of the cubic.
    point: V2,
}

/// A built parametric-cubic segment (see the module doc).
#[derive(Debug, Clone, PartialEq)]
pub struct Poly3Curve {
    /// Normalised coefficients.
    u: [f64; 4],
    v: [f64; 4],
    /// Offset of the segment's line from the cubic, m (+ left): `-reference_offset`.
    o: f64,
    /// Start of the cubic (world).
    origin: V2,
    /// Unit vector of the start heading.
    dir: V2,
    /// Knots, uniform in `p`.
    knots: Vec<Knot>,
    /// Least and greatest curvature of the cubic (sampled, see [`SAMPLES`]).
    kappa_range: (f64, f64),
}

impl Poly3Curve {
    /// The segment whose line starts at `start` heading `heading`; `None`
    /// if the start tangent is zero.
    pub(super) fn new(start: V2, heading: f64, spec: &ParamPoly3) -> Option<Self> {
        let n = spec.normalised()?;
        let o = -spec.reference_offset;
        let dir = V2::from_angle(heading);
        let origin = start - dir.perp() * o;
        let mut c = Self { u: n.u, v: n.v, o, origin, dir, knots: Vec::new(), kappa_range: (0.0, 0.0) };
        // Knot count from a coarse survey of length and turning.
        let survey = 256;
        let (mut len, mut turn) = (0.0, 0.0);
        let mut prev = c.local_tangent(0.0);
        for i in 1..=survey {
            let p = i as f64 / survey as f64;
            let t = c.local_tangent(p);
            len += c.speed(p) / survey as f64;
            turn += atan2(prev.cross(t), prev.dot(t)).abs();
            prev = t;
        }
        if !len.is_finite() {
            return None;
        }
        let count =
            ((len / KNOT_SPACING).ceil().max((turn / KNOT_TURN).ceil()).max(4.0) as usize).min(MAX_KNOTS);
        c.knots.reserve(count + 1);
        let mut k = Knot { p: 0.0, sigma: 0.0, theta: heading, point: origin };
        c.knots.push(k);
        for i in 1..=count {
            let p = i as f64 / count as f64;
            let theta = k.theta + c.turn_between(k.p, p);
            let sigma = k.sigma + c.ref_length(k.p, p) - o * (theta - k.theta);
            k = Knot { p, sigma, theta, point: c.ref_point(p) };
            c.knots.push(k);
        }
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for i in 0..count * SAMPLES + 1 {
            let kp = c.kappa(i as f64 / (count * SAMPLES) as f64);
            lo = lo.min(kp);
            hi = hi.max(kp);
        }
        c.kappa_range = (lo, hi);
        Some(c)
    }

    /// Whether the curve has no cusp and its line never reaches a centre of
    /// curvature (checked at the samples the curvature range comes from).
    fn regular(&self) -> bool {
        let m = (self.knots.len() - 1) * SAMPLES;
        let (lo, hi) = self.kappa_range;
        let monotone = self.knots.windows(2).all(|w| w[1].sigma > w[0].sigma);
        (0..=m).all(|i| self.speed(i as f64 / m as f64) > 1e-9)
            && 1.0 - lo * self.o > 0.0
            && 1.0 - hi * self.o > 0.0
            && monotone
            && lo.is_finite()
            && hi.is_finite()
    }

    /// Arc length of the line, m.
    pub fn length(&self) -> f64 {
        self.knots.last().map_or(0.0, |k| k.sigma)
    }

    /// `(U'(p), V'(p))`, in the start frame.
    fn local_d1(&self, p: f64) -> V2 {
        V2::new(d1(&self.u, p), d1(&self.v, p))
    }

    fn local_tangent(&self, p: f64) -> V2 {
        let t = self.local_d1(p);
        t * (1.0 / t.norm())
    }

    /// `|R'(p)|`.
    fn speed(&self, p: f64) -> f64 {
        self.local_d1(p).norm()
    }

    /// Curvature of the cubic at `p`, 1/m (+ left).
    fn kappa(&self, p: f64) -> f64 {
        let a = self.local_d1(p);
        let b = V2::new(d2(&self.u, p), d2(&self.v, p));
        let s = a.norm();
        a.cross(b) / (s * s * s)
    }

    /// Heading change of the tangent from `p0` to `p1` (less than π apart).
    fn turn_between(&self, p0: f64, p1: f64) -> f64 {
        let (a, b) = (self.local_d1(p0), self.local_d1(p1));
        atan2(a.cross(b), a.dot(b))
    }

    /// Point of the cubic at `p` (world).
    fn ref_point(&self, p: f64) -> V2 {
        let (x, y) = (horner(&self.u, p), horner(&self.v, p));
        self.origin + self.dir * x + self.dir.perp() * y
    }

    /// `∫ |R'| dp` from `p0` to `p1`, one Gauss–Legendre rule.
    fn ref_length(&self, p0: f64, p1: f64) -> f64 {
        let (mid, half) = (0.5 * (p0 + p1), 0.5 * (p1 - p0));
        let mut sum = 0.0;
        for (x, w) in GL_X.iter().zip(GL_W) {
            sum += w * self.speed(mid + half * x);
        }
        sum * half
    }

    /// The knot interval holding `p`.
    fn knot_of(&self, p: f64) -> usize {
        let n = self.knots.len() - 1;
        ((p * n as f64).floor().max(0.0) as usize).min(n - 1)
    }

    /// Heading of the tangent at `p` (unwrapped).
    fn theta(&self, p: f64) -> f64 {
        let k = &self.knots[self.knot_of(p)];
        k.theta + self.turn_between(k.p, p)
    }

    /// Line arc length at `p`.
    fn sigma(&self, p: f64) -> f64 {
        let k = &self.knots[self.knot_of(p)];
        if p == k.p {
            return k.sigma;
        }
        let th = k.theta + self.turn_between(k.p, p);
        k.sigma + self.ref_length(k.p, p) - self.o * (th - k.theta)
    }

    /// Parameter of line arc length `s` (clamped to the segment).
    fn p_of(&self, s: f64) -> f64 {
        let n = self.knots.len() - 1;
        if s <= 0.0 {
            return 0.0;
        }
        if s >= self.knots[n].sigma {
            return 1.0;
        }
        let i = self.knots.partition_point(|k| k.sigma <= s).clamp(1, n) - 1;
        let (mut lo, mut hi) = (self.knots[i].p, self.knots[i + 1].p);
        let k = &self.knots[i];
        let mut p = lo + (hi - lo) * (s - k.sigma) / (self.knots[i + 1].sigma - k.sigma);
        for _ in 0..60 {
            let g = self.sigma(p) - s;
            if g > 0.0 {
                hi = p;
            } else {
                lo = p;
            }
            let slope = self.speed(p) * (1.0 - self.kappa(p) * self.o);
            let mut next = if slope > 0.0 { p - g / slope } else { f64::NAN };
            if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            if (next - p).abs() <= 1e-15 || hi - lo <= 1e-15 {
                return next;
            }
            p = next;
        }
        p
    }

    /// Parameter `p` of line distance `s` (the inverse of [`Poly3Curve::s_at`]).
    pub fn p_at(&self, s: f64) -> f64 {
        self.p_of(s)
    }

    /// Line distance of parameter `p ∈ [0, 1]`.
    pub fn s_at(&self, p: f64) -> f64 {
        self.sigma(p.clamp(0.0, 1.0))
    }

    /// Tangent heading of the line at line distance `s`.
    pub fn heading_at(&self, s: f64) -> f64 {
        self.theta(self.p_of(s))
    }

    /// Curvature of the line at line distance `s` (the offset line's own).
    pub fn curvature_at(&self, s: f64) -> f64 {
        let k = self.kappa(self.p_of(s));
        k / (1.0 - k * self.o)
    }

    /// Least and greatest curvature of the line (sampled at the knots and
    /// [`SAMPLES`] points between each two).
    pub fn curvature_range(&self) -> (f64, f64) {
        let (lo, hi) = self.kappa_range;
        (lo / (1.0 - lo * self.o), hi / (1.0 - hi * self.o))
    }

    /// Point at line distance `s`, lateral offset `d` from the line.
    pub fn point(&self, s: f64, d: f64) -> V2 {
        let p = self.p_of(s);
        self.ref_point(p) + self.local_tangent_world(p).perp() * (self.o + d)
    }

    fn local_tangent_world(&self, p: f64) -> V2 {
        let t = self.local_tangent(p);
        self.dir * t.x + self.dir.perp() * t.y
    }

    /// (s, d, unit tangent) of the nearest point of the segment to `q`, or of
    /// the tangent extension of the nearer end when the foot lies beyond it
    /// (then `s` is outside `[0, length]`): the knot interval where
    /// `(R(p) − q)·T(p)` turns from negative to positive with the least
    /// lateral distance, then Newton steps kept inside it by bisection.
    pub(super) fn project(&self, q: V2) -> (f64, f64, V2) {
        let n = self.knots.len() - 1;
        let f = |k: &Knot| (k.point - q).dot(V2::from_angle(k.theta));
        let f0 = f(&self.knots[0]);
        if f0 > 0.0 {
            let t = self.dir;
            let rel = q - self.origin;
            return (rel.dot(t), rel.dot(t.perp()) - self.o, t);
        }
        let mut best: Option<(f64, f64)> = None;
        let mut prev = f0;
        for i in 0..n {
            let fi1 = f(&self.knots[i + 1]);
            if prev <= 0.0 && fi1 > 0.0 {
                let p = self.solve(q, i);
                let t = self.local_tangent_world(p);
                let lat = (q - self.ref_point(p)).dot(t.perp()).abs();
                if best.is_none_or(|(_, b)| lat < b) {
                    best = Some((p, lat));
                }
            }
            prev = fi1;
        }
        let Some((p, _)) = best else {
            let end = &self.knots[n];
            let t = V2::from_angle(end.theta);
            let rel = q - end.point;
            return (end.sigma + rel.dot(t), rel.dot(t.perp()) - self.o, t);
        };
        let t = self.local_tangent_world(p);
        let lat = (q - self.ref_point(p)).dot(t.perp());
        (self.sigma(p), lat - self.o, t)
    }

    /// The root of `(R(p) − q)·T(p)` in knot interval `i` (negative at its start).
    fn solve(&self, q: V2, i: usize) -> f64 {
        let (mut lo, mut hi) = (self.knots[i].p, self.knots[i + 1].p);
        let mut p = 0.5 * (lo + hi);
        for _ in 0..60 {
            let t = self.local_tangent_world(p);
            let rel = self.ref_point(p) - q;
            let fp = rel.dot(t);
            if fp > 0.0 {
                hi = p;
            } else {
                lo = p;
            }
            // d/dp (R − q)·T = |R'|·(1 + κ·(R − q)·N).
            let slope = self.speed(p) * (1.0 + self.kappa(p) * rel.dot(t.perp()));
            let mut next = if slope > 0.0 { p - fp / slope } else { f64::NAN };
            if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            if (next - p).abs() <= 1e-15 || hi - lo <= 1e-15 {
                return next;
            }
            p = next;
        }
        p
    }

    /// `∫ (stretch − 1) ds` over line distances `[s0, s1]` with the stretch
    /// `1 − κ_line·d` floored at `min`, as [`super::spiral`]'s: exactly
    /// `−d·(θ(s1) − θ(s0))` when the curvature range keeps the stretch above
    /// the floor, else 64 Gauss–Legendre panels.
    pub(super) fn stretch_excess(&self, s0: f64, s1: f64, d: f64, min: f64) -> f64 {
        if self.least_stretch(d) >= min {
            return -d * (self.heading_at(s1) - self.heading_at(s0));
        }
        super::spiral::floored_stretch_excess(s0, s1, min, |s| 1.0 - self.curvature_at(s) * d)
    }

    /// The least line stretch `1 − κ_line·d` over the segment (from the
    /// curvature range, less a margin of 1 % of the curvature's size).
    pub(super) fn least_stretch(&self, d: f64) -> f64 {
        let (lo, hi) = self.curvature_range();
        let margin = 0.01 * lo.abs().max(hi.abs()) * d.abs();
        (1.0 - lo * d).min(1.0 - hi * d) - margin
    }
}

#[cfg(test)]
#[path = "poly3_tests.rs"]
mod tests;
