//! Transition shapes of OpenSCENARIO's `DynamicsShape` for speed changes
//! ([`crate::Behaviour::ShapedSpeed`]), lane changes
//! ([`crate::Behaviour::ChangeLane`]) and lateral offsets
//! ([`crate::Behaviour::LaneOffset`]).
//!
//! Each goes from 0 to 1 over the unit interval (ASAM OpenSCENARIO 1.x):
//! `cubic` is `3p² − 2p³` and `sinusoidal` `½(1 − cos πp)`, both with zero
//! slope at each end; `linear` is `p`. All are symmetric about `p = ½`, so
//! the mean of a quantity changed along any of them is the mean of its
//! ends (a speed change over a distance `x` takes `2x / (v0 + v1)`).

use crate::math::{PI, cos, sqrt};

/// A transition's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `3p² − 2p³`.
    Cubic,
    /// `½(1 − cos πp)`.
    Sinusoidal,
    /// `p` (its rate jumps at each end: no bound on the second derivative).
    Linear,
}

impl Shape {
    /// The fraction of the change done at progress `p` (clamped to 0…1).
    pub fn fraction(self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        match self {
            Shape::Cubic => p * p * (3.0 - 2.0 * p),
            Shape::Sinusoidal => 0.5 * (1.0 - cos(PI * p)),
            Shape::Linear => p,
        }
    }

    /// The derivative of [`Shape::fraction`] at progress `p` (0 outside 0…1).
    pub fn slope(self, p: f64) -> f64 {
        if !(0.0..=1.0).contains(&p) {
            return 0.0;
        }
        match self {
            Shape::Cubic => 6.0 * p * (1.0 - p),
            Shape::Sinusoidal => 0.5 * PI * crate::math::sin(PI * p),
            Shape::Linear => 1.0,
        }
    }

    /// The largest second derivative of [`Shape::fraction`] over 0…1: a
    /// change of size `D` over `T` s peaks at `D · peak / T²` (infinite for
    /// `Linear`, whose rate jumps).
    pub fn peak_curvature(self) -> f64 {
        match self {
            Shape::Cubic => 6.0,
            Shape::Sinusoidal => 0.5 * PI * PI,
            Shape::Linear => f64::INFINITY,
        }
    }

    /// The duration, s, of a change of size `size` whose second derivative
    /// peaks at `max` (a lateral move at a maximum lateral acceleration;
    /// infinite for `Linear`, which validation refuses there).
    pub fn duration_for(self, size: f64, max: f64) -> f64 {
        sqrt(size.abs() * self.peak_curvature() / max)
    }

    /// The rate of change at `elapsed` s of a change from `from` to `to` over `duration` s.
    pub fn rate_at(self, from: f64, to: f64, elapsed: f64, duration: f64) -> f64 {
        if duration <= 0.0 {
            return 0.0;
        }
        (to - from) / duration * self.slope(elapsed / duration)
    }

    /// The value at `elapsed` s of a change from `from` to `to` over `duration` s.
    pub fn at(self, from: f64, to: f64, elapsed: f64, duration: f64) -> f64 {
        if duration <= 0.0 {
            return to;
        }
        from + (to - from) * self.fraction(elapsed / duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_shapes_run_from_zero_to_one_flat_at_the_ends_and_symmetric() {
        for shape in [Shape::Cubic, Shape::Sinusoidal] {
            assert_eq!(shape.fraction(0.0), 0.0);
            assert!((shape.fraction(1.0) - 1.0).abs() < 1e-12);
            assert!((shape.fraction(0.5) - 0.5).abs() < 1e-12);
            let h = 1e-6;
            assert!(shape.fraction(h) < 1e-9 && 1.0 - shape.fraction(1.0 - h) < 1e-9, "{shape:?}");
            for p in [0.1, 0.3, 0.45] {
                assert!((shape.fraction(p) + shape.fraction(1.0 - p) - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn the_peak_curvature_is_the_largest_numerical_second_derivative() {
        for shape in [Shape::Cubic, Shape::Sinusoidal] {
            let h = 1e-4;
            let peak = (1..10_000)
                .map(|i| {
                    let p = i as f64 / 10_000.0;
                    ((shape.fraction(p + h) - 2.0 * shape.fraction(p) + shape.fraction(p - h)) / (h * h))
                        .abs()
                })
                .fold(0.0, f64::max);
            assert!((peak - shape.peak_curvature()).abs() < 1e-2, "{shape:?}: {peak}");
            let slope = (shape.fraction(0.3 + h) - shape.fraction(0.3 - h)) / (2.0 * h);
            assert!((slope - shape.slope(0.3)).abs() < 1e-6);
            // A 1.5 m move at 2 m/s² peaks at exactly 2 m/s².
            let t = shape.duration_for(1.5, 2.0);
            assert!((1.5 * shape.peak_curvature() / (t * t) - 2.0).abs() < 1e-12);
        }
    }
}
