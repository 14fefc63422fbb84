//! The pairwise coverage heatmap: one grid per pair of dimensions, a cell
//! per pair of values, coloured by what the runs with both values show.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use gauntlet_taxonomy::{CoverageReport, PairCoverage};

use super::Context;
use crate::html::escape::escape;
use crate::html::format::opt_percent;

/// What a cell of the heatmap shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CellState {
    /// At least one run with both values failed.
    Fail,
    /// Runs with both values reached a verdict, and all passed.
    Pass,
    /// A feasible pair no run reached a verdict in: a hole.
    Hole,
    /// An exclusion rules the pair out.
    Excluded,
}

impl CellState {
    fn of(pair: Option<&PairCoverage>) -> Self {
        match pair {
            None => CellState::Excluded,
            Some(p) if p.counts.failed > 0 => CellState::Fail,
            Some(p) if p.exercised => CellState::Pass,
            Some(_) => CellState::Hole,
        }
    }

    fn class(self) -> &'static str {
        match self {
            CellState::Fail => "fail",
            CellState::Pass => "pass",
            CellState::Hole => "hole",
            CellState::Excluded => "excluded",
        }
    }
}

/// The dimensions and their values, in taxonomy order, from the report.
fn dimensions(coverage: &CoverageReport) -> Vec<(&str, Vec<&str>)> {
    let mut dims: Vec<(&str, Vec<&str>)> = Vec::new();
    for v in &coverage.values {
        match dims.last_mut() {
            Some((d, values)) if *d == v.value.dimension => values.push(&v.value.value),
            _ => dims.push((&v.value.dimension, vec![&v.value.value])),
        }
    }
    dims
}

pub(super) fn write(out: &mut String, cx: &Context<'_>) {
    out.push_str("<section class=\"panel\" id=\"coverage\"><h2>Pairwise coverage</h2>\n");
    let Some(coverage) = cx.coverage else {
        out.push_str(
            "<p class=\"empty\">No taxonomy was given, so coverage cannot be shown.</p></section>\n",
        );
        return;
    };
    let holes = coverage.pairs.iter().filter(|p| !p.exercised).count();
    let _ = writeln!(
        out,
        "<p class=\"lead\">Every pair of values of two dimensions: {} of {} feasible pairs ({}) have a run that reached a verdict; <b>{holes} holes</b>. Numbers are runs with a verdict; hover a cell for details.</p>",
        coverage.pair_coverage.covered,
        coverage.pair_coverage.total,
        opt_percent(coverage.pair_coverage.ratio)
    );
    out.push_str(
        "<div class=\"legend\"><span><span class=\"sw fail\"></span>a run failed</span><span><span class=\"sw pass\"></span>all runs passed</span>\
         <span><span class=\"sw hole\"></span>no evidence (hole)</span><span><span class=\"sw excluded\"></span>excluded: cannot occur</span></div>\n",
    );
    let pairs: BTreeMap<(&str, &str, &str, &str), &PairCoverage> = coverage
        .pairs
        .iter()
        .map(|p| {
            ((p.a.dimension.as_str(), p.a.value.as_str(), p.b.dimension.as_str(), p.b.value.as_str()), p)
        })
        .collect();
    let dims = dimensions(coverage);
    if dims.len() < 2 {
        out.push_str("<p class=\"empty\">The taxonomy has fewer than two dimensions: there are no pairs.</p></section>\n");
        return;
    }
    out.push_str("<div class=\"heatmaps\">\n");
    for dp in &coverage.dimension_pairs {
        let (Some((_, rows)), Some((_, cols))) =
            (dims.iter().find(|(d, _)| *d == dp.a), dims.iter().find(|(d, _)| *d == dp.b))
        else {
            continue;
        };
        let _ = writeln!(
            out,
            "<figure class=\"grid\" data-a=\"{}\" data-b=\"{}\"><figcaption>{} × {}<span class=\"sec\">{} / {}</span></figcaption>\n<table class=\"heat\"><thead><tr><th></th>",
            escape(&dp.a),
            escape(&dp.b),
            escape(&dimension_title(cx, &dp.a)),
            escape(&dimension_title(cx, &dp.b)),
            dp.pairs.covered,
            dp.pairs.total
        );
        for col in cols {
            let _ = write!(
                out,
                "<th class=\"col\" title=\"{}\"><span>{}</span></th>",
                escape(&value_title(cx, &dp.b, col)),
                escape(col)
            );
        }
        out.push_str("</tr></thead><tbody>\n");
        for row in rows {
            let _ = write!(
                out,
                "<tr><th class=\"row\" title=\"{}\">{}</th>",
                escape(&value_title(cx, &dp.a, row)),
                escape(row)
            );
            for col in cols {
                let pair = pairs.get(&(dp.a.as_str(), *row, dp.b.as_str(), *col)).copied();
                let state = CellState::of(pair);
                let (text, tip) = match pair {
                    Some(p) => (
                        if p.counts.evidence() > 0 { p.counts.evidence().to_string() } else { String::new() },
                        format!(
                            "{}={} × {}={}: {} runs, {} pass, {} fail, {} error",
                            dp.a,
                            row,
                            dp.b,
                            col,
                            p.counts.runs,
                            p.counts.passed,
                            p.counts.failed,
                            p.counts.errored
                        ),
                    ),
                    None => (
                        String::new(),
                        format!(
                            "{}={} × {}={}: excluded — {}",
                            dp.a,
                            row,
                            dp.b,
                            col,
                            exclusion_reason(cx, &dp.a, row, &dp.b, col)
                        ),
                    ),
                };
                let _ = write!(
                    out,
                    "<td class=\"cell {}\" title=\"{}\">{}</td>",
                    state.class(),
                    escape(&tip),
                    escape(&text)
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table></figure>\n");
    }
    out.push_str("</div>\n");
    write_pair_gaps(out, coverage);
    out.push_str("</section>\n");
}

/// The riskiest holes as a list, so that they can be read without hovering.
fn write_pair_gaps(out: &mut String, coverage: &CoverageReport) {
    const SHOWN: usize = 15;
    if coverage.gaps.pairs.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details><summary>Riskiest holes ({} of {})</summary><table class=\"data\" id=\"pair-gaps\"><thead><tr><th>pair</th><th>risk</th><th>hazards that can arise there</th></tr></thead><tbody>",
        coverage.gaps.pairs.len().min(SHOWN),
        coverage.gaps.pairs.len()
    );
    for gap in coverage.gaps.pairs.iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "<tr><td>{}={} × {}={}</td><td><span class=\"asil {}\">{}</span></td><td>{}</td></tr>",
            escape(&gap.a.dimension),
            escape(&gap.a.value),
            escape(&gap.b.dimension),
            escape(&gap.b.value),
            gap.rank.class.as_str(),
            escape(&gap.rank.class.to_string()),
            if gap.hazards.is_empty() { "none".to_owned() } else { escape(&gap.hazards.join(", ")) }
        );
    }
    out.push_str("</tbody></table></details>\n");
}

fn dimension_title(cx: &Context<'_>, dimension: &str) -> String {
    cx.taxonomy()
        .and_then(|t| t.dimension(dimension))
        .map_or_else(|| dimension.to_owned(), |d| d.title.clone())
}

fn value_title(cx: &Context<'_>, dimension: &str, value: &str) -> String {
    cx.taxonomy()
        .and_then(|t| t.value(dimension, value))
        .map_or_else(|| value.to_owned(), |v| v.title.clone())
}

/// Why the pair cannot occur: the reason of the exclusion over exactly
/// these two dimensions that allows both values.
fn exclusion_reason(cx: &Context<'_>, a: &str, va: &str, b: &str, vb: &str) -> String {
    cx.taxonomy()
        .and_then(|t| {
            t.exclusions().iter().find(|x| {
                let c = &x.when.constraints;
                c.len() == 2
                    && c.contains_key(a)
                    && c.contains_key(b)
                    && x.when.allows(a, va)
                    && x.when.allows(b, vb)
            })
        })
        .map_or_else(|| "an exclusion rules it out".to_owned(), |x| x.reason.clone())
}
