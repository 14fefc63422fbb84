//! Number formatting shared by the pages. Fixed decimals keep the output
//! byte-for-byte stable; `-0` is printed as `0`.

use crate::record::Outcome;
use crate::summary::fmt_margin;

/// `x` with `decimals` decimals, rounded first so that a value that rounds
/// to zero prints as `0`, never `-0`.
fn fixed(x: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    let rounded = (x * scale).round() / scale + 0.0;
    let x = if rounded.is_finite() { rounded } else { x };
    format!("{x:.decimals$}")
}

/// A coordinate in SVG user units, one decimal.
pub(crate) fn px(x: f64) -> String {
    fixed(x, 1)
}

/// A margin with three decimals, `inf` / `-inf` when infinite, `NaN` for NaN.
pub(crate) fn margin(m: f64) -> String {
    if m.is_finite() { fixed(m, 3) } else { fmt_margin(m) }
}

/// A share in `0..=1` as a percentage with one decimal.
pub(crate) fn percent(share: f64) -> String {
    format!("{}%", fixed(share * 100.0, 1))
}

/// An optional share as a percentage, `n/a` without one.
pub(crate) fn opt_percent(share: Option<f64>) -> String {
    share.map_or_else(|| "n/a".to_owned(), percent)
}

/// A time in seconds with two decimals and its unit.
pub(crate) fn seconds(t: f64) -> String {
    format!("{} s", fixed(t, 2))
}

/// A general value with up to three decimals, trailing zeros dropped.
pub(crate) fn value(x: f64) -> String {
    if !x.is_finite() {
        return margin(x);
    }
    let text = fixed(x, 3);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The CSS class and label of an outcome.
pub(crate) fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::Error => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stable_and_never_negative_zero() {
        assert_eq!(px(-0.0), "0.0");
        assert_eq!(px(-0.04), "0.0");
        assert_eq!(px(12.345), "12.3");
        assert_eq!(margin(-0.0), "0.000");
        assert_eq!(margin(f64::NEG_INFINITY), "-inf");
        assert_eq!(percent(0.5), "50.0%");
        assert_eq!(opt_percent(None), "n/a");
        assert_eq!(seconds(4.149), "4.15 s");
        assert_eq!(value(2.5), "2.5");
        assert_eq!(value(-0.0001), "0");
        assert_eq!(value(3.0), "3");
        assert_eq!(value(f64::INFINITY), "inf");
    }
}
