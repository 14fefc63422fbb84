//! Small SVG charts: the nightly trend and the margin-over-time plots.

use std::fmt::Write as _;

use super::escape::escape;
use super::format::{percent, px, value};
use super::input::HistoryPoint;

/// The time axis shared by the margin plots of one replay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TimeAxis {
    /// First time shown, seconds.
    pub(crate) t0: f64,
    /// Last time shown, seconds.
    pub(crate) t1: f64,
    /// SVG x of `t0`.
    pub(crate) left: f64,
    /// SVG width from `t0` to `t1`.
    pub(crate) width: f64,
}

impl TimeAxis {
    /// SVG x of time `t`.
    pub(crate) fn x(&self, t: f64) -> f64 {
        let span = self.t1 - self.t0;
        if span > 0.0 { self.left + (t - self.t0) / span * self.width } else { self.left }
    }
}

/// Width of a margin plot in SVG units.
pub(crate) const PLOT_WIDTH: f64 = 1120.0;
/// Left gutter of a margin plot, for the value labels.
pub(crate) const PLOT_LEFT: f64 = 64.0;
const PLOT_RIGHT: f64 = 16.0;
const PLOT_HEIGHT: f64 = 120.0;
const PLOT_TOP: f64 = 10.0;
const PLOT_BOTTOM: f64 = 22.0;
/// Closest a value label may come to the zero label, in SVG units.
const LABEL_GAP: f64 = 12.0;

/// A round step for time ticks: at most about ten ticks over `span` seconds.
fn time_step(span: f64) -> f64 {
    [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0]
        .into_iter()
        .find(|step| span / step <= 10.0)
        .unwrap_or(1800.0)
}

/// One criterion's margin over time: the series (with dashed bands at the
/// top or bottom where the margin is +∞ or −∞, and gaps where it is NaN),
/// the shaded violated region below zero, the zero line, time ticks, the
/// first violation and a cursor (`class="cursor"`) that the replay script
/// moves.
pub(crate) fn margin_plot(
    name: &str,
    points: &[(f64, f64)],
    axis: TimeAxis,
    first_violation: Option<f64>,
) -> String {
    let finite: Vec<f64> = points.iter().map(|p| p.1).filter(|m| m.is_finite()).collect();
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = min.min(0.0);
    let hi = max.max(0.0);
    let (lo, hi) = if hi - lo < 1e-9 { (lo - 1.0, hi + 1.0) } else { (lo, hi) };
    let pad = (hi - lo) * 0.08;
    let (lo, hi) = (lo - pad, hi + pad);
    let bottom = PLOT_HEIGHT - PLOT_BOTTOM;
    let y = |m: f64| PLOT_TOP + (hi - m) / (hi - lo) * (bottom - PLOT_TOP);
    let right = axis.left + axis.width;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart margin-plot\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"margin of {} over time\">",
        px(PLOT_WIDTH),
        px(PLOT_HEIGHT),
        escape(name)
    );
    let zero = y(0.0);
    let _ = writeln!(
        out,
        "<rect class=\"violated-zone\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#e03131\" fill-opacity=\"0.07\"/>",
        px(axis.left),
        px(zero),
        px(axis.width),
        px((bottom - zero).max(0.0))
    );
    let span = axis.t1 - axis.t0;
    if span > 0.0 {
        let step = time_step(span);
        let mut k = (axis.t0 / step).ceil();
        while k * step <= axis.t1 + 1e-9 {
            let t = k * step;
            let x = axis.x(t);
            let _ = writeln!(
                out,
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#eef1f4\"/><text x=\"{x}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#59636e\">{} s</text>",
                px(PLOT_TOP),
                px(bottom),
                px(PLOT_HEIGHT - 6.0),
                value(t),
                x = px(x)
            );
            k += 1.0;
        }
    }
    let _ = writeln!(
        out,
        "<line class=\"zero\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#868e96\" stroke-dasharray=\"4 3\"/>",
        px(axis.left),
        px(zero),
        px(right),
        px(zero)
    );
    let _ = writeln!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#adb5bd\"/>",
        px(axis.left),
        px(bottom),
        px(right),
        px(bottom)
    );
    let mut labels = vec![(0.0, zero)];
    for m in [max, min] {
        if m.is_finite() && labels.iter().all(|&(_, at)| (y(m) - at).abs() >= LABEL_GAP) {
            labels.push((m, y(m)));
        }
    }
    for (m, at) in labels {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#59636e\">{}</text>",
            px(axis.left - 6.0),
            px(at + 4.0),
            escape(&value(m))
        );
    }
    if let Some(t) = first_violation.filter(|t| t.is_finite()) {
        let _ = writeln!(
            out,
            "<line class=\"first-violation\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e03131\" stroke-dasharray=\"2 2\"><title>first violation at {} s</title></line>",
            px(axis.x(t)),
            px(PLOT_TOP),
            px(axis.x(t)),
            px(bottom),
            value(t)
        );
    }
    for run in runs(points, |m| m.is_finite()) {
        let line: Vec<String> = run.iter().map(|&(t, m)| format!("{},{}", px(axis.x(t)), px(y(m)))).collect();
        let _ = writeln!(
            out,
            "<polyline class=\"series\" points=\"{}\" fill=\"none\" stroke=\"#1c7ed6\" stroke-width=\"1.8\" stroke-linejoin=\"round\"/>",
            line.join(" ")
        );
    }
    for (sign, at, colour) in [(1.0, PLOT_TOP + 1.5, "#2da44e"), (-1.0, bottom - 1.5, "#e03131")] {
        for run in runs(points, |m| m == sign * f64::INFINITY) {
            let (first, last) = (run[0].0, run[run.len() - 1].0);
            let _ = writeln!(
                out,
                "<line class=\"infinite\" x1=\"{}\" y1=\"{at}\" x2=\"{}\" y2=\"{at}\" stroke=\"{colour}\" stroke-width=\"3\" stroke-dasharray=\"6 3\"><title>{}∞ from {} s to {} s</title></line>",
                px(axis.x(first)),
                px(axis.x(last).max(axis.x(first) + 2.0)),
                if sign > 0.0 { "+" } else { "−" },
                value(first),
                value(last),
                at = px(at)
            );
        }
    }
    if points.is_empty() {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#59636e\">no margin recorded</text>",
            px(axis.left + axis.width / 2.0),
            px(PLOT_TOP + 30.0)
        );
    }
    let _ = writeln!(
        out,
        "<line class=\"cursor\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#e8590c\" stroke-width=\"2\"/>",
        px(PLOT_TOP),
        px(bottom),
        x = px(axis.left)
    );
    out.push_str("</svg>\n");
    out
}

/// The maximal runs of consecutive points (with a finite time) whose margin
/// satisfies `keep`.
fn runs(points: &[(f64, f64)], keep: impl Fn(f64) -> bool) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for &(t, m) in points {
        if t.is_finite() && keep(m) {
            current.push((t, m));
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The time axis of the margin plots from `t0` to `t1`.
pub(crate) fn plot_axis(t0: f64, t1: f64) -> TimeAxis {
    TimeAxis { t0, t1, left: PLOT_LEFT, width: PLOT_WIDTH - PLOT_LEFT - PLOT_RIGHT }
}

const TREND_WIDTH: f64 = 960.0;
const TREND_HEIGHT: f64 = 250.0;
const TREND_LEFT: f64 = 52.0;
const TREND_RIGHT: f64 = 52.0;
const TREND_TOP: f64 = 14.0;
const TREND_BOTTOM: f64 = 44.0;
/// Most labels on the trend's time axis.
const TREND_LABELS: usize = 12;

/// The nightly trend: pass rate and top-risk coverage as lines (left axis,
/// percent), failures and errors as stacked bars (right axis, jobs).
pub(crate) fn trend_chart(history: &[HistoryPoint]) -> String {
    let n = history.len();
    let plot_w = TREND_WIDTH - TREND_LEFT - TREND_RIGHT;
    let bottom = TREND_HEIGHT - TREND_BOTTOM;
    let plot_h = bottom - TREND_TOP;
    let slot = plot_w / n.max(1) as f64;
    let x = |i: usize| TREND_LEFT + slot * (i as f64 + 0.5);
    let y_share = |r: f64| bottom - r.clamp(0.0, 1.0) * plot_h;
    let max_bad = history.iter().map(|h| h.totals.fail + h.totals.error).max().unwrap_or(0).max(1);
    // Bars reach two thirds of the height at most, leaving the lines above readable.
    let y_count = |c: u64| bottom - c as f64 / max_bad as f64 * plot_h * (2.0 / 3.0);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart trend\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"pass rate and failures over the last sweeps\">",
        px(TREND_WIDTH),
        px(TREND_HEIGHT)
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let ty = y_share(tick);
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e6eaef\"/><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#59636e\">{}</text>",
            px(TREND_LEFT),
            px(ty),
            px(TREND_LEFT + plot_w),
            px(ty),
            px(TREND_LEFT - 6.0),
            px(ty + 4.0),
            percent(tick)
        );
    }
    for tick in [0, max_bad] {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#cf222e\">{tick}</text>",
            px(TREND_LEFT + plot_w + 6.0),
            px(y_count(tick) + 4.0)
        );
    }
    let bar_w = (slot * 0.5).clamp(2.0, 28.0);
    for (i, h) in history.iter().enumerate() {
        let t = &h.totals;
        let (fail_top, error_top) = (y_count(t.fail), y_count(t.fail + t.error));
        let _ = writeln!(
            out,
            "<g class=\"bar\"><rect x=\"{x0}\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"#e5534b\" fill-opacity=\"0.55\"/><rect x=\"{x0}\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"#d4a72c\" fill-opacity=\"0.6\"/><title>{}: {} runs, {} pass, {} fail, {} error</title></g>",
            px(fail_top),
            px(bottom - fail_top),
            px(error_top),
            px(fail_top - error_top),
            escape(&h.label),
            t.runs,
            t.pass,
            t.fail,
            t.error,
            x0 = px(x(i) - bar_w / 2.0),
            w = px(bar_w),
        );
    }
    let line = |out: &mut String,
                class: &str,
                colour: &str,
                dash: &str,
                pick: &dyn Fn(&HistoryPoint) -> Option<f64>| {
        let points: Vec<(usize, f64)> = history
            .iter()
            .enumerate()
            .filter_map(|(i, h)| pick(h).filter(|r| r.is_finite()).map(|r| (i, r)))
            .collect();
        if points.len() > 1 {
            let path: Vec<String> =
                points.iter().map(|&(i, r)| format!("{},{}", px(x(i)), px(y_share(r)))).collect();
            let _ = writeln!(
                out,
                "<polyline class=\"{class}\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash} stroke-linejoin=\"round\"/>",
                path.join(" ")
            );
        }
        for &(i, r) in &points {
            let _ = writeln!(
                out,
                "<circle class=\"{class}-point\" cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{colour}\"><title>{}: {}</title></circle>",
                px(x(i)),
                px(y_share(r)),
                escape(&history[i].label),
                percent(r)
            );
        }
    };
    line(&mut out, "top-risk", "#8250df", " stroke-dasharray=\"6 4\"", &|h| h.top_risk_coverage);
    line(&mut out, "pass-rate", "#1a7f37", "", &|h| h.totals.pass_rate());
    let every = n.div_ceil(TREND_LABELS).max(1);
    for (i, h) in history.iter().enumerate() {
        if i % every == 0 || i + 1 == n {
            let _ = writeln!(
                out,
                "<text class=\"label\" x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#59636e\">{}</text>",
                px(x(i)),
                px(bottom + 16.0),
                escape(&h.label)
            );
        }
    }
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#cf222e\">failed + errored jobs</text>",
        px(TREND_WIDTH - 4.0),
        px(TREND_HEIGHT - 6.0)
    );
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_where_the_predicate_fails() {
        let points = [(0.0, 1.0), (0.1, f64::INFINITY), (0.2, 2.0), (0.3, 3.0), (f64::NAN, 4.0), (0.5, 5.0)];
        let finite = runs(&points, f64::is_finite);
        assert_eq!(finite, vec![vec![(0.0, 1.0)], vec![(0.2, 2.0), (0.3, 3.0)], vec![(0.5, 5.0)]]);
        assert_eq!(runs(&points, |m| m == f64::INFINITY), vec![vec![(0.1, f64::INFINITY)]]);
    }

    #[test]
    fn time_ticks_are_round_and_few() {
        assert_eq!(time_step(4.05), 0.5);
        assert_eq!(time_step(20.0), 2.0);
        assert_eq!(time_step(0.5), 0.1);
    }

    #[test]
    fn margin_plot_marks_infinite_stretches_and_keeps_labels_apart() {
        let axis = plot_axis(0.0, 1.0);
        let points = [(0.0, f64::INFINITY), (0.5, f64::INFINITY), (0.6, -0.05), (1.0, -2.0)];
        let svg = margin_plot("min_ttc", &points, axis, Some(0.6));
        assert_eq!(svg.matches("class=\"infinite\"").count(), 1, "{svg}");
        assert_eq!(svg.matches("class=\"series\"").count(), 1, "{svg}");
        // -0.05 sits next to the zero line: its label would overlap, so only 0 and -2 are printed.
        assert!(
            svg.contains(">-2</text>") && svg.contains(">0</text>") && !svg.contains(">-0.05</text>"),
            "{svg}"
        );
    }
}
