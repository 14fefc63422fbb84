//! Parametric cubics against analytic lines and arcs, independent
//! numeric integration and finite differences.

use super::*;
use crate::math::wrap_angle;
use crate::road::{Path, SegmentSpec};

fn cubic(u: [f64; 4], v: [f64; 4], reference_offset: f64) -> Poly3Curve {
    ParamPoly3 { u, v, reference_offset }.curve().expect("a regular cubic")
}

/// The cubic Bézier through a left arc of radius `r` turning `angle`, in
/// power form (control arms `4/3·tan(angle/4)·r`).
fn bezier_arc(r: f64, angle: f64) -> ([f64; 4], [f64; 4]) {
    let h = 4.0 / 3.0 * (angle / 4.0).tan() * r;
    let p0 = (0.0, 0.0);
    let p1 = (h, 0.0);
    let p3 = (r * angle.sin(), r * (1.0 - angle.cos()));
    let p2 = (p3.0 - h * angle.cos(), p3.1 - h * angle.sin());
    let power =
        |a: f64, b: f64, c: f64, d: f64| [a, 3.0 * (b - a), 3.0 * (a - 2.0 * b + c), d - a + 3.0 * (b - c)];
    (power(p0.0, p1.0, p2.0, p3.0), power(p0.1, p1.1, p2.1, p3.1))
}

/// A wiggly S-shaped cubic (left then right), 100 m or so.
const WIGGLE: ([f64; 4], [f64; 4]) = ([0.0, 100.0, -20.0, 10.0], [0.0, 0.0, 30.0, -25.0]);

/// Arc length of the line at `d` from `s0` to `s1`, summed from short chords.
fn chords(c: &Poly3Curve, s0: f64, s1: f64, d: f64) -> f64 {
    let n = 100_000;
    let mut total = 0.0;
    let mut prev = c.point(s0, d);
    for i in 1..=n {
        let q = c.point(s0 + (s1 - s0) * i as f64 / n as f64, d);
        total += (q - prev).norm();
        prev = q;
    }
    total
}

#[test]
fn a_cubic_that_is_a_straight_line_is_the_line_even_when_unevenly_parametrised() {
    for u in [[0.0, 50.0, 0.0, 0.0], [0.0, 20.0, 30.0, 0.0], [0.0, 10.0, 10.0, 30.0]] {
        let c = cubic(u, [0.0; 4], 0.0);
        assert!((c.length() - 50.0).abs() < 1e-9, "{u:?}: {}", c.length());
        for s in [0.0, 0.3, 12.5, 25.0, 49.9, 50.0] {
            for d in [-3.5, 0.0, 1.75] {
                let p = c.point(s, d);
                assert!((p.x - s).abs() < 1e-9 && (p.y - d).abs() < 1e-12, "{u:?} s={s} d={d}: {p:?}");
            }
            assert_eq!(c.curvature_at(s), 0.0);
            assert!(c.heading_at(s).abs() < 1e-15);
        }
    }
}

#[test]
fn a_near_circle_matches_the_arc_within_a_millimetre() {
    // 30° of a radius-100 m left arc; the Bézier's own radial error is ~4e-5 m.
    let (r, angle) = (100.0, 30f64.to_radians());
    let (u, v) = bezier_arc(r, angle);
    for off in [0.0, 5.25, -3.5] {
        // The line `off` right of the cubic: radius r + off.
        let c = cubic(u, v, off);
        let rl = r + off;
        assert!((c.length() - rl * angle).abs() < 1e-3, "off={off}: {} vs {}", c.length(), rl * angle);
        // The line starts at the origin; the cubic (and the centre) lie `off` further left.
        let centre = V2::new(0.0, r + off);
        for i in 0..=30 {
            let s = c.length() * i as f64 / 30.0;
            let p = c.point(s, 0.0);
            assert!(((p - centre).norm() - rl).abs() < 1e-3, "off={off} s={s}: {}", (p - centre).norm());
            // The arc's own point at that arc length.
            let a = s / rl;
            let q = centre + V2::new(a.sin(), -a.cos()) * rl;
            assert!((p - q).norm() < 1e-3, "off={off} s={s}: {p:?} vs {q:?}");
            assert!((c.heading_at(s) - a).abs() < 1e-4);
            assert!((c.curvature_at(s) - 1.0 / rl).abs() < 2e-3 / rl, "{}", c.curvature_at(s));
        }
    }
}

#[test]
fn arc_length_matches_a_fine_numeric_integration() {
    let (u, v) = WIGGLE;
    for off in [0.0, 3.5, -5.25] {
        let c = cubic(u, v, off);
        let exact = chords(&c, 0.0, c.length(), 0.0);
        assert!((c.length() - exact).abs() < 1e-6, "off={off}: {} vs {exact}", c.length());
        // And the parameter ↔ distance maps invert each other.
        for p in [0.0, 0.1, 0.37, 0.5, 0.99, 1.0] {
            assert!((c.p_at(c.s_at(p)) - p).abs() < 1e-12, "p={p}");
        }
    }
    // The cubic's own length, independently: ∫₀¹ |R'(p)| dp by a 200,000-step midpoint rule.
    let c = cubic(u, v, 0.0);
    let n = 200_000;
    let mut len = 0.0;
    for i in 0..n {
        let p = (i as f64 + 0.5) / n as f64;
        let du = u[1] + 2.0 * u[2] * p + 3.0 * u[3] * p * p;
        let dv = v[1] + 2.0 * v[2] * p + 3.0 * v[3] * p * p;
        len += (du * du + dv * dv).sqrt() / n as f64;
    }
    assert!((c.length() - len).abs() < 1e-7, "{} vs {len}", c.length());
}

#[test]
fn curvature_matches_finite_differences_of_the_heading() {
    let (u, v) = WIGGLE;
    for off in [0.0, 3.5] {
        let c = cubic(u, v, off);
        let e = 1e-4;
        for s in [1.0, 20.0, 47.3, 80.0, c.length() - 1.0] {
            let fd = (c.heading_at(s + e) - c.heading_at(s - e)) / (2.0 * e);
            assert!((c.curvature_at(s) - fd).abs() < 1e-7, "off={off} s={s}: {} vs {fd}", c.curvature_at(s));
            // And the heading is the direction of the points' chord.
            let ch = c.point(s + e, 0.0) - c.point(s - e, 0.0);
            assert!((ch.y.atan2(ch.x) - c.heading_at(s)).abs() < 1e-7);
        }
        // The S turns both ways.
        let (lo, hi) = c.curvature_range();
        assert!(lo < 0.0 && hi > 0.0, "{lo} {hi}");
    }
}

#[test]
fn project_inverts_point_and_finds_ends() {
    let (u, v) = WIGGLE;
    for off in [0.0, 3.5, -1.75] {
        let c = cubic(u, v, off);
        let len = c.length();
        for s in [0.0, 0.5, 12.0, 50.0, len - 1.0, len] {
            for d in [-4.0, 0.0, 1.75, 6.0] {
                let (sl, dl, t) = c.project(c.point(s, d));
                assert!((sl - s).abs() < 1e-9 && (dl - d).abs() < 1e-9, "off={off} s={s} d={d}: {sl} {dl}");
                assert!((t - V2::from_angle(c.heading_at(s))).norm() < 1e-12);
            }
        }
        let (before, _, _) = c.project(V2::new(-10.0, 0.3));
        assert!(before < 0.0);
        let h = c.heading_at(len);
        let (after, d, _) = c.project(c.point(len, 0.0) + V2::from_angle(h) * 7.0 + V2::from_angle(h).perp());
        assert!((after - (len + 7.0)).abs() < 1e-9 && (d - 1.0).abs() < 1e-9, "{after} {d}");
    }
}

#[test]
fn a_start_offset_and_tangent_angle_are_taken_out() {
    // The same straight, shifted and turned by 0.3 rad in its frame: it starts at the
    // segment's start along its heading all the same.
    let (c, s) = (0.3f64.cos(), 0.3f64.sin());
    let turned = cubic([5.0, 40.0 * c, 0.0, 0.0], [-2.0, 40.0 * s, 0.0, 0.0], 0.0);
    assert!((turned.length() - 40.0).abs() < 1e-12);
    let p = turned.point(40.0, 0.0);
    assert!((p.x - 40.0).abs() < 1e-12 && p.y.abs() < 1e-12, "{p:?}");
    assert!(ParamPoly3 { u: [0.0; 4], v: [0.0, 0.0, 1.0, 0.0], reference_offset: 0.0 }.curve().is_none());
}

#[test]
fn a_line_beyond_a_centre_of_curvature_or_a_cusp_is_refused() {
    // Radius 100 m; the line 120 m left of the cubic passes its centre.
    let (u, v) = bezier_arc(100.0, 0.5);
    assert!(ParamPoly3 { u, v, reference_offset: -120.0 }.curve().is_none());
    assert!(ParamPoly3 { u, v, reference_offset: 120.0 }.curve().is_some());
    // u' = 10 − 20p + 10p² vanishes at p = 1 with v' = 0 there: a cusp.
    assert!(
        ParamPoly3 { u: [0.0, 10.0, -10.0, 10.0 / 3.0], v: [0.0; 4], reference_offset: 0.0 }
            .curve()
            .is_none()
    );
}

fn wiggle_path(off: f64) -> Path {
    let (u, v) = WIGGLE;
    let pp = ParamPoly3 { u, v, reference_offset: off };
    let len = pp.line_length().expect("regular");
    let k0 = pp.curve().expect("regular").curvature_at(0.0);
    Path::new(
        V2::new(0.0, 0.0),
        0.0,
        &[
            SegmentSpec::new(30.0, 0.0),
            SegmentSpec { length: len, curvature: k0, spiral: None, poly3: Some(pp) },
            SegmentSpec::new(30.0, 0.0),
        ],
    )
}

#[test]
fn a_path_through_a_cubic_is_continuous_and_its_lane_metric_exact() {
    for off in [0.0, 5.25] {
        let p = wiggle_path(off);
        let len = p.length();
        let join = len - 30.0;
        for at in [30.0, join] {
            let (a, ha) = p.pose(at - 1e-7, 1.75);
            let (b, hb) = p.pose(at + 1e-7, 1.75);
            assert!((a - b).norm() < 1e-6 && wrap_angle(ha - hb).abs() < 1e-6, "off={off} at {at}");
        }
        for s in [10.0, 30.0, 55.5, 90.0, join + 5.0] {
            for d in [-1.75, 0.0, 3.5] {
                let (x, _) = p.pose(s, d);
                let q = p.project(x);
                assert!((q.s - s).abs() < 1e-8 && (q.d - d).abs() < 1e-8, "off={off} s={s} d={d}: {q:?}");
            }
        }
        for d in [3.5, -3.5] {
            let mut chord = 0.0;
            let n = 100_000;
            let mut prev = p.pose(20.0, d).0;
            for i in 1..=n {
                let q = p.pose(20.0 + (len - 40.0) * i as f64 / n as f64, d).0;
                chord += (q - prev).norm();
                prev = q;
            }
            let a = p.along(20.0, len - 20.0, d);
            assert!((a - chord).abs() < 1e-6, "off={off} d={d}: {a} vs {chord}");
            let s1 = p.s_ahead(25.0, 60.0, d);
            assert!((p.along(25.0, s1, d) - 60.0).abs() < 1e-9);
            assert!(p.min_stretch(d.min(0.0), d.max(0.0)) <= 1.0);
        }
        assert!(!p.straight_at(50.0));
    }
}

#[test]
fn the_oncoming_line_of_a_cubic_retraces_it_backwards() {
    let (u, v) = WIGGLE;
    for (off, offset) in [(0.0, 7.0), (5.25, 3.5)] {
        let pp = ParamPoly3 { u, v, reference_offset: off };
        let seg =
            SegmentSpec { length: pp.line_length().unwrap(), curvature: 0.0, spiral: None, poly3: Some(pp) };
        let fwd = Path::new(V2::new(0.0, 0.0), 0.0, &[seg]);
        let rev_spec = seg.offset_reversed(offset);
        let (start, h) = fwd.pose(fwd.length(), offset);
        let rev = Path::new(start, h + std::f64::consts::PI, &[rev_spec]);
        assert!((rev.length() - fwd.along(0.0, fwd.length(), offset)).abs() < 1e-6);
        for i in 0..=20 {
            let s = rev.length() * i as f64 / 20.0;
            let (x, hr) = rev.pose(s, 0.0);
            let q = fwd.project(x);
            assert!((q.d - offset).abs() < 1e-8, "off={off} s={s}: {q:?}");
            assert!(wrap_angle(hr - q.heading - std::f64::consts::PI).abs() < 1e-8);
        }
        let end = rev.pose(rev.length(), 0.0).0;
        assert!((end - fwd.pose(0.0, offset).0).norm() < 1e-8);
    }
}
