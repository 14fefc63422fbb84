//! Leading indicators over nightly history: margins that shrink toward a
//! flip before any job fails. Every figure is defined here once (and in the
//! README's "Leading indicators"), computed by [`leading_indicators`], and
//! rendered from the [`LeadingReport`] by the text, JSON, dashboard and gate.
//!
//! Definitions, with options `k` (nights), `n_min` (least nights), `H`
//! (horizon, nights) and `Z` (noise units):
//!
//! - **series**: per (hazard, criterion) — every hazard a judged job's
//!   scenario names (`-` for none) and every criterion of its verdicts —
//!   one value per night: the night's **worst margin**, the smallest finite
//!   margin of that criterion over that hazard's judged jobs (errored jobs
//!   and infinite margins take no part). The last `k` nights, tonight (the
//!   records judged now) included, at positions `i = 0..k-1`; a night
//!   without a value leaves a gap.
//! - **slope** `b`: the Theil–Sen estimator, the median of `(x_j − x_i) /
//!   (j − i)` over every pair `i < j` with values (margin unit per night);
//!   **intercept** `a`: the median of `x_i − b·i`.
//! - **noise** `σ`: 1.4826 × the median absolute deviation of the residuals
//!   `x_i − (a + b·i)` from their median (the night-to-night scatter around
//!   the trend, in the margin's unit, robust to outliers).
//! - **distance** `z`: tonight's margin ÷ `σ` (infinite when `σ` is 0).
//! - **nights to flip** `h`: tonight's margin ÷ `−b` when `b < 0`.
//! - **alert**: at least `n_min` values, tonight's margin `> 0` (no job of
//!   the pair fails tonight), `b < 0`, the decline over the window
//!   `−b × (last − first position)` at least `σ` (a trend, not scatter),
//!   and `h ≤ H` or `z ≤ Z`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::record::{Outcome, RunRecord};

/// The hazard key of jobs whose scenario names no hazard.
pub const NO_HAZARD: &str = "-";
/// 1 / Φ⁻¹(3/4): scales a median absolute deviation to a standard deviation.
pub const MAD_SCALE: f64 = 1.4826;

/// One night's worst margin per (hazard, criterion).
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NightMargins {
    /// The night's label (the history file's name, or `tonight`).
    pub label: String,
    /// Worst finite margin per hazard, then criterion.
    pub worst: BTreeMap<String, BTreeMap<String, f64>>,
    /// The unit of each criterion's margin.
    pub units: BTreeMap<String, String>,
}

impl NightMargins {
    /// An empty night called `label`.
    pub fn new(label: impl Into<String>) -> Self {
        Self { label: label.into(), ..Self::default() }
    }

    /// Takes in one record.
    pub fn add(&mut self, r: &RunRecord) {
        if r.outcome == Outcome::Error {
            return;
        }
        let no_hazard = [NO_HAZARD.to_owned()];
        let hazards = if r.hazards.is_empty() { &no_hazard[..] } else { &r.hazards[..] };
        for v in &r.verdicts {
            if !v.margin.is_finite() {
                continue;
            }
            if !self.units.contains_key(&v.criterion) {
                self.units.insert(v.criterion.clone(), v.unit.clone());
            }
            for h in hazards {
                let per = match self.worst.get_mut(h.as_str()) {
                    Some(p) => p,
                    None => self.worst.entry(h.clone()).or_default(),
                };
                match per.get_mut(v.criterion.as_str()) {
                    Some(m) => *m = m.min(v.margin),
                    None => {
                        per.insert(v.criterion.clone(), v.margin);
                    }
                }
            }
        }
    }
}

/// The knobs of the leading indicators (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LeadingOptions {
    /// Nights in the window, tonight included (`k`, ≥ 2).
    pub nights: usize,
    /// Least nights with a value for an alert (`n_min`, ≥ 2).
    pub min_nights: usize,
    /// Alert when the flip is projected within this many nights (`H`).
    pub horizon_nights: f64,
    /// Alert when tonight's margin is within this many noise units (`Z`).
    pub max_noise_units: f64,
}

impl Default for LeadingOptions {
    fn default() -> Self {
        Self { nights: 7, min_nights: 4, horizon_nights: 7.0, max_noise_units: 3.0 }
    }
}

/// The trend of one (hazard, criterion) series.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MarginTrend {
    /// Hazard id (`-` for jobs of no hazard).
    pub hazard: String,
    /// Criterion.
    pub criterion: String,
    /// The margin's unit.
    pub unit: String,
    /// The worst margin of each night of the window, oldest first (`None`: no value).
    pub margins: Vec<Option<f64>>,
    /// Theil–Sen slope, unit per night; `None` with fewer than two values.
    pub slope: Option<f64>,
    /// Robust night-to-night noise σ, in the unit; `None` with fewer than two values.
    pub noise: Option<f64>,
    /// Tonight's margin in noise units; `None` without both.
    pub distance_in_noise: Option<f64>,
    /// Nights until the trend reaches 0, when shrinking.
    pub nights_to_flip: Option<f64>,
    /// Whether it raises an alert.
    pub alert: bool,
}

/// The leading indicators of a window of nights.
#[derive(Clone, Debug, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LeadingReport {
    /// The options used.
    pub options: LeadingOptions,
    /// The labels of the window's nights, oldest first (tonight last).
    pub nights: Vec<String>,
    /// Every series with a value tonight, alerts first, then by hazard and criterion.
    pub trends: Vec<MarginTrend>,
    /// How many raise an alert.
    pub alerts: u64,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { 0.5 * (values[n / 2 - 1] + values[n / 2]) }
}

/// Theil–Sen slope and intercept of `points` (x, y); `None` with fewer than
/// two distinct x.
pub fn theil_sen(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let mut slopes = Vec::new();
    for (i, &(xi, yi)) in points.iter().enumerate() {
        for &(xj, yj) in &points[i + 1..] {
            if xj != xi {
                slopes.push((yj - yi) / (xj - xi));
            }
        }
    }
    if slopes.is_empty() {
        return None;
    }
    let b = median(&mut slopes);
    let mut offsets: Vec<f64> = points.iter().map(|&(x, y)| y - b * x).collect();
    Some((b, median(&mut offsets)))
}

/// 1.4826 × the median absolute deviation of `values` from their median.
pub fn robust_noise(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    let m = median(&mut v);
    let mut dev: Vec<f64> = values.iter().map(|x| (x - m).abs()).collect();
    MAD_SCALE * median(&mut dev)
}

/// The trend of one series (`margins` oldest first, tonight last).
pub fn margin_trend(
    hazard: &str,
    criterion: &str,
    unit: &str,
    margins: Vec<Option<f64>>,
    options: &LeadingOptions,
) -> MarginTrend {
    let points: Vec<(f64, f64)> =
        margins.iter().enumerate().filter_map(|(i, m)| m.map(|m| (i as f64, m))).collect();
    let tonight = margins.last().copied().flatten();
    let fit = theil_sen(&points);
    let noise = fit.map(|(b, a)| {
        let residuals: Vec<f64> = points.iter().map(|&(x, y)| y - (a + b * x)).collect();
        robust_noise(&residuals)
    });
    let slope = fit.map(|(b, _)| b);
    let distance_in_noise = match (tonight, noise) {
        (Some(m), Some(s)) if s > 0.0 => Some(m / s),
        (Some(m), Some(_)) => Some(if m > 0.0 { f64::INFINITY } else { f64::NEG_INFINITY }),
        _ => None,
    };
    let nights_to_flip = match (tonight, slope) {
        (Some(m), Some(b)) if b < 0.0 && m > 0.0 => Some(m / -b),
        _ => None,
    };
    let span = match (points.first(), points.last()) {
        (Some(f), Some(l)) => l.0 - f.0,
        _ => 0.0,
    };
    let alert = points.len() >= options.min_nights
        && tonight.is_some_and(|m| m > 0.0)
        && slope.is_some_and(|b| b < 0.0 && -b * span >= noise.unwrap_or(0.0))
        && (nights_to_flip.is_some_and(|h| h <= options.horizon_nights)
            || distance_in_noise.is_some_and(|z| z <= options.max_noise_units));
    let finite = |x: Option<f64>| x.filter(|x| x.is_finite());
    MarginTrend {
        hazard: hazard.to_owned(),
        criterion: criterion.to_owned(),
        unit: unit.to_owned(),
        margins,
        slope,
        noise,
        distance_in_noise: finite(distance_in_noise),
        nights_to_flip,
        alert,
    }
}

/// The leading indicators of `nights` (oldest first, tonight last): the
/// last `options.nights` of them.
pub fn leading_indicators(nights: &[NightMargins], options: &LeadingOptions) -> LeadingReport {
    let window = &nights[nights.len().saturating_sub(options.nights.max(2))..];
    let Some(tonight) = window.last() else {
        return LeadingReport { options: *options, ..LeadingReport::default() };
    };
    let mut trends = Vec::new();
    for (hazard, criteria) in &tonight.worst {
        for criterion in criteria.keys() {
            let margins: Vec<Option<f64>> =
                window.iter().map(|n| n.worst.get(hazard).and_then(|c| c.get(criterion)).copied()).collect();
            let unit = tonight.units.get(criterion).map_or("", String::as_str);
            trends.push(margin_trend(hazard, criterion, unit, margins, options));
        }
    }
    trends.sort_by(|a, b| {
        b.alert.cmp(&a.alert).then_with(|| (&a.hazard, &a.criterion).cmp(&(&b.hazard, &b.criterion)))
    });
    let alerts = trends.iter().filter(|t| t.alert).count() as u64;
    LeadingReport {
        options: *options,
        nights: window.iter().map(|n| n.label.clone()).collect(),
        trends,
        alerts,
    }
}

fn num(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "-".to_owned(), |x| format!("{x:.digits$}"))
}

/// The report as text: the alerts, then (with `all`) every other series.
/// Empty with fewer than two nights.
pub fn render_leading(report: &LeadingReport, all: bool) -> String {
    if report.nights.len() < 2 {
        return String::new();
    }
    let o = &report.options;
    let mut out = format!(
        "leading indicators over {} nights ({} … {}): {} alert(s) (Theil–Sen slope, noise = 1.4826 × MAD; alert when shrinking, ≥ {} nights, flip within {} nights or within {} noise units)\n",
        report.nights.len(),
        report.nights[0],
        report.nights[report.nights.len() - 1],
        report.alerts,
        o.min_nights,
        o.horizon_nights,
        o.max_noise_units
    );
    let shown: Vec<&MarginTrend> = report.trends.iter().filter(|t| all || t.alert).collect();
    if shown.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "       {:<10} {:<22} {:>10} {:>12} {:>9} {:>8} {:>8}",
        "hazard", "criterion", "tonight", "slope/night", "noise", "z", "nights"
    );
    for t in shown {
        let _ = writeln!(
            out,
            "{:<6} {:<10} {:<22} {:>10} {:>12} {:>9} {:>8} {:>8}",
            if t.alert { "ALERT" } else { "" },
            t.hazard,
            t.criterion,
            num(t.margins.last().copied().flatten(), 3),
            num(t.slope, 4),
            num(t.noise, 4),
            num(t.distance_in_noise, 1),
            num(t.nights_to_flip, 1),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theil_sen_ignores_one_outlier() {
        let points = [(0.0, 1.0), (1.0, 0.9), (2.0, 5.0), (3.0, 0.7), (4.0, 0.6)];
        let (b, a) = theil_sen(&points).unwrap();
        assert!((b + 0.1).abs() < 1e-12, "{b}");
        assert!((a - 1.0).abs() < 1e-12, "{a}");
        assert!(theil_sen(&[(0.0, 1.0)]).is_none());
    }

    #[test]
    fn noise_is_scaled_mad() {
        // Median 2, deviations 1, 0, 0, 1, 7: MAD 1.
        assert!((robust_noise(&[1.0, 2.0, 2.0, 3.0, 9.0]) - MAD_SCALE).abs() < 1e-12);
    }

    #[test]
    fn a_shrinking_margin_alerts_a_flat_one_does_not() {
        let o = LeadingOptions::default();
        let shrinking = vec![Some(1.0), Some(0.85), Some(0.75), Some(0.6), Some(0.45)];
        let t = margin_trend("H-1", "min_ttc", "s", shrinking, &o);
        assert!(t.alert, "{t:?}");
        let flat = vec![Some(1.0), Some(1.1), Some(0.9), Some(1.0), Some(1.05)];
        assert!(!margin_trend("H-1", "min_ttc", "s", flat, &o).alert);
        let failing = vec![Some(1.0), Some(0.5), Some(0.2), Some(0.1), Some(-0.1)];
        assert!(!margin_trend("H-1", "min_ttc", "s", failing, &o).alert, "already failing is no lead");
        let short = vec![None, None, Some(0.5), Some(0.3), Some(0.1)];
        assert!(!margin_trend("H-1", "min_ttc", "s", short, &o).alert, "three nights are too few");
    }
}
