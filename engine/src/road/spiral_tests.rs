//! Paths with spiral segments: continuity, projection, the lane-true
//! metrics and the oncoming path, checked against independent sums.

use super::{Path, SegmentSpec, Spiral};
use crate::math::{V2, wrap_angle};

fn spiral(length: f64, c0: f64, c1: f64, reference_offset: f64) -> SegmentSpec {
    SegmentSpec {
        length,
        curvature: c0,
        spiral: Some(Spiral { curvature_end: c1, reference_offset }),
        poly3: None,
    }
}

/// Straight, spiral into a 1/80 arc, the arc, spiral out, straight: the
/// usual transition curve, with the line `off` m right of the clothoids.
fn transition(sign: f64, off: f64) -> Path {
    let k = sign / 80.0;
    // The offset line's curvature on the arc: κ/(1 + κ·off).
    let kl = k / (1.0 + k * off);
    Path::new(
        V2::new(0.0, 0.0),
        0.0,
        &[
            SegmentSpec::new(40.0, 0.0),
            spiral(50.0, 0.0, kl, off),
            SegmentSpec::new(60.0, kl),
            spiral(50.0, kl, 0.0, off),
            SegmentSpec::new(40.0, 0.0),
        ],
    )
}

/// Arc length of the line at `d`, summed from short chords of the world curve.
fn chords(p: &Path, s0: f64, s1: f64, d: f64) -> f64 {
    let n = 40_000;
    let mut total = 0.0;
    let mut prev = p.pose(s0, d).0;
    for i in 1..=n {
        let q = p.pose(s0 + (s1 - s0) * i as f64 / n as f64, d).0;
        total += (q - prev).norm();
        prev = q;
    }
    total
}

#[test]
fn poses_headings_and_curvature_are_continuous_at_every_join() {
    for (sign, off) in [(1.0, 0.0), (-1.0, 0.0), (1.0, 5.25), (-1.0, -3.5)] {
        let p = transition(sign, off);
        for join in [40.0, 90.0, 150.0, 200.0] {
            let (a, ha) = p.pose(join - 1e-7, 1.75);
            let (b, hb) = p.pose(join + 1e-7, 1.75);
            assert!((a - b).norm() < 1e-6, "sign={sign} off={off} at {join}");
            assert!(wrap_angle(ha - hb).abs() < 1e-7);
            let (ka, kb) = (p.curvature_at(join - 1e-7), p.curvature_at(join + 1e-7));
            assert!((ka - kb).abs() < 1e-9, "curvature jumps at {join}: {ka} {kb}");
        }
        // Curvature along the first spiral: linear in the line's s when off = 0.
        if off == 0.0 {
            for s in [40.0, 55.0, 70.0, 89.0] {
                assert!((p.curvature_at(s) - sign / 80.0 * (s - 40.0) / 50.0).abs() < 1e-15);
            }
        }
        assert!(!p.straight_at(40.5) && p.straight_at(20.0) && !p.straight_at(120.0));
    }
}

#[test]
fn projection_inverts_pose_on_every_piece() {
    for (sign, off) in [(1.0, 0.0), (-1.0, 2.0)] {
        let p = transition(sign, off);
        for s in [-5.0, 0.0, 39.0, 41.0, 65.0, 89.9, 120.0, 151.0, 199.0, 230.0, 250.0] {
            for d in [-3.0, 0.0, 1.75, 7.0] {
                let (x, h) = p.pose(s, d);
                let q = p.project(x);
                assert!((q.s - s).abs() < 1e-6 && (q.d - d).abs() < 1e-6, "s={s} d={d}: {q:?}");
                assert!(wrap_angle(q.heading - h).abs() < 1e-9);
                assert!((q.curvature - p.curvature_at(s)).abs() < 1e-9, "curvature at s={s}");
            }
        }
    }
}

#[test]
fn along_and_s_ahead_are_exact_on_spirals() {
    for (sign, off) in [(1.0, 0.0), (-1.0, 0.0), (1.0, 5.25)] {
        let p = transition(sign, off);
        for d in [0.0, 3.5, 7.0, -1.75] {
            for (s0, s1) in [(0.0, 240.0), (45.0, 80.0), (60.0, 170.0), (-20.0, 260.0)] {
                let exact = chords(&p, s0, s1, d);
                let a = p.along(s0, s1, d);
                assert!(
                    (a - exact).abs() < 1e-5 * exact,
                    "sign={sign} off={off} d={d} {s0}..{s1}: {a} vs {exact}"
                );
                let back = p.s_ahead(s0, a, d);
                assert!((back - s1).abs() < 1e-8, "s_ahead: {back} vs {s1}");
            }
            // The least stretch bounds every piece from below.
            let m = p.min_stretch(d, d);
            assert!(p.along(45.0, 85.0, d) >= 40.0 * m - 1e-9);
        }
    }
}

#[test]
fn the_offset_reversed_spiral_is_the_offset_line_driven_back() {
    let p = transition(1.0, 1.0);
    let offset = 3.5;
    let pieces: Vec<SegmentSpec> =
        [SegmentSpec::new(40.0, 0.0), spiral(50.0, 0.0, (1.0 / 80.0) / (1.0 + 1.0 / 80.0), 1.0)]
            .iter()
            .rev()
            .map(|s| s.offset_reversed(offset))
            .collect();
    let (start, h) = p.pose(90.0, offset);
    let back = Path::new(start, h + crate::math::PI, &pieces);
    assert!((back.length() - chords(&p, 0.0, 90.0, offset)).abs() < 1e-6);
    for s in [0.0, 10.0, 49.0, 50.0, 70.0, 90.0] {
        let q = p.project(back.pose(s, 0.0).0);
        assert!((q.d - offset).abs() < 1e-9, "s={s}: {q:?}");
    }
}
