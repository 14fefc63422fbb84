//! Small statistics: shares and the Wilson score interval.

use serde::Serialize;

/// `z` for a two-sided 95 % interval: the 0.975 quantile of the standard normal distribution.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// A part of a whole: `covered` out of `total`, and the ratio (`None` when `total` is 0, since
/// nothing out of nothing is neither full nor empty coverage).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Share {
    /// The part.
    pub covered: u32,
    /// The whole.
    pub total: u32,
    /// `covered / total` in [0, 1]; `None` when `total` is 0.
    pub ratio: Option<f64>,
}

impl Share {
    /// `covered` out of `total`.
    pub fn new(covered: u32, total: u32) -> Self {
        let ratio = (total > 0).then(|| f64::from(covered) / f64::from(total));
        Self { covered, total, ratio }
    }
}

/// A two-sided confidence interval for a proportion, both ends in [0, 1].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// The Wilson score interval for `successes` out of `trials` at normal quantile `z`
/// (use [`Z_95`] for 95 %); `None` when `trials` is 0.
///
/// With p̂ = k/n: centre = (p̂ + z²/2n) / (1 + z²/n),
/// half-width = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n). Unlike the normal approximation it
/// stays inside [0, 1] and is not degenerate at 0 or n successes: 0 failures in 10 runs still
/// allows a failure rate up to 27.8 %.
pub fn wilson_interval(successes: u32, trials: u32, z: f64) -> Option<Interval> {
    if trials == 0 {
        return None;
    }
    let n = f64::from(trials);
    let p = f64::from(successes.min(trials)) / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    Some(Interval { low: (centre - half).max(0.0), high: (centre + half).min(1.0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn wilson_matches_published_values() {
        // 0 of 10: [0, 0.2775] (the "rule of three"-like upper bound for small n).
        let i = wilson_interval(0, 10, Z_95).unwrap();
        assert!(close(i.low, 0.0) && close(i.high, 0.2775), "{i:?}");
        // 5 of 10: [0.2366, 0.7634].
        let i = wilson_interval(5, 10, Z_95).unwrap();
        assert!(close(i.low, 0.2366) && close(i.high, 0.7634), "{i:?}");
        // 10 of 10 mirrors 0 of 10.
        let i = wilson_interval(10, 10, Z_95).unwrap();
        assert!(close(i.low, 0.7225) && close(i.high, 1.0), "{i:?}");
        // 1 of 4: [0.0456, 0.6994].
        let i = wilson_interval(1, 4, Z_95).unwrap();
        assert!(close(i.low, 0.0456) && close(i.high, 0.6994), "{i:?}");
    }

    #[test]
    fn no_trials_no_interval() {
        assert_eq!(wilson_interval(0, 0, Z_95), None);
    }

    #[test]
    fn shares() {
        assert_eq!(Share::new(1, 4).ratio, Some(0.25));
        assert_eq!(Share::new(0, 0).ratio, None);
    }
}
