//! Plain-text and Markdown renderings of a [`CoverageReport`] (JSON comes from `Serialize`).

use std::fmt::Write as _;

use crate::coverage::{
    Counts, CoverageReport, CriterionVerdict, HazardCoverage, HazardStatus, HazardTrace, PairGap,
    TraceStatus, ValueRef,
};
use crate::stats::Share;
use crate::{JobOutcome, RiskRank};

/// How many unexercised pairs the renderings list; the JSON report has them all.
pub const PAIR_GAPS_SHOWN: usize = 25;

fn percent(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "n/a".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

/// `1 run`, `2 runs`.
fn plural(n: u32, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

fn share(s: &Share) -> String {
    format!("{}/{} ({})", s.covered, s.total, percent(s.ratio))
}

fn counts(c: &Counts) -> String {
    format!("{}: {} passed, {} failed, {} errored", plural(c.runs, "run"), c.passed, c.failed, c.errored)
}

fn outcome(o: JobOutcome) -> &'static str {
    match o {
        JobOutcome::Pass => "pass",
        JobOutcome::Fail => "fail",
        JobOutcome::Error => "error",
    }
}

fn value(v: &ValueRef) -> String {
    format!("{}={}", v.dimension, v.value)
}

fn rank(r: &RiskRank, hazards: usize) -> String {
    if hazards == 0 {
        "no hazard".to_owned()
    } else {
        format!("{} ({}, weight {})", r.class, plural(hazards as u32, "hazard"), r.weight)
    }
}

/// `violated`, `held`, `not checked` or `unexercised`.
pub fn hazard_status(s: HazardStatus) -> &'static str {
    match s {
        HazardStatus::Violated => "violated",
        HazardStatus::Held => "held",
        HazardStatus::NotChecked => "not checked",
        HazardStatus::Unexercised => "unexercised",
    }
}

fn violation(h: &HazardCoverage) -> String {
    match (h.violation_rate, h.violation_interval) {
        (Some(rate), Some(i)) => {
            format!(
                "{} of {} checked runs violated its requirements: {} [95 % CI {}, {}]",
                h.checks.violated,
                h.checks.checked,
                percent(Some(rate)),
                percent(Some(i.low)),
                percent(Some(i.high))
            )
        }
        _ => "no run checked against its requirements".to_owned(),
    }
}

/// `-0.800 m no_collision (scenario seed 3)`.
fn worst_text(w: &crate::coverage::WorstMargin) -> String {
    let unit = if w.unit.is_empty() { String::new() } else { format!(" {}", w.unit) };
    format!("{:+.3}{unit} {} ({} seed {})", w.margin, w.criterion, w.scenario, w.seed)
}

fn worst(h: &HazardCoverage) -> String {
    h.worst_margin.as_ref().map_or_else(
        || "worst margin of its checks n/a".to_owned(),
        |w| format!("worst margin of its checks {}", worst_text(w)),
    )
}

/// `failing: 3 failing run(s) (s seed 1 min_ttc -0.4 s, …)`, `insufficient: 2 of 8 passing runs`, …
fn trace_status(h: &HazardTrace) -> String {
    match h.status {
        TraceStatus::Complete => format!("complete: {} of {} passing runs", h.passing, h.needed),
        TraceStatus::Insufficient => format!("insufficient: {} of {} passing runs", h.passing, h.needed),
        TraceStatus::Missing => format!("missing: no passing run ({} not evaluated)", h.not_evaluated),
        TraceStatus::Failing => {
            let runs: Vec<String> = h
                .failing_runs
                .iter()
                .map(|r| {
                    format!("{} seed {} {} {:+.3} {}", r.scenario, r.seed, r.criterion, r.margin, r.unit)
                })
                .collect();
            let more = (h.failing as usize).saturating_sub(runs.len());
            let more = if more > 0 { format!(", … and {more} more") } else { String::new() };
            format!("failing: {} failing run(s): {}{more}", h.failing, runs.join(", "))
        }
    }
}

fn verdicts(vs: &[CriterionVerdict]) -> String {
    vs.iter()
        .map(|v| match (v.passed, v.margin) {
            (Some(passed), Some(margin)) => {
                format!("{} {} {:+.3}", v.criterion, if passed { "pass" } else { "FAIL" }, margin)
            }
            _ => format!("{} not evaluated", v.criterion),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn top_risk_label(_: &CoverageReport) -> String {
    "Top-risk coverage (ASIL C/D, rule below)".to_owned()
}

fn shortfalls(r: &CoverageReport) -> String {
    r.top_risk
        .short
        .iter()
        .map(|s| format!("{} ({}: {})", s.id, s.asil, s.why))
        .collect::<Vec<_>>()
        .join("; ")
}

fn pair_gap(g: &PairGap) -> String {
    format!("{} × {}: {}", value(&g.a), value(&g.b), rank(&g.rank, g.hazards.len()))
}

/// The report as plain text for a terminal: summary figures, then hazards riskiest first, pairwise
/// coverage per pair of dimensions, traceability, gaps and unknown references.
pub fn render_text(report: &CoverageReport) -> String {
    let mut out = String::new();
    let r = report;
    let _ = writeln!(out, "Coverage of {}", counts(&r.jobs));
    let _ = writeln!(out);
    let rows = [
        ("Hazards exercised".to_owned(), share(&r.hazard_coverage)),
        ("Risk-weighted coverage".to_owned(), share(&r.risk_weighted)),
        (top_risk_label(r), share(&r.top_risk.hazards)),
        ("Dimension values exercised".to_owned(), share(&r.value_coverage)),
        ("Feasible pairs exercised".to_owned(), share(&r.pair_coverage)),
        ("Traceability completeness".to_owned(), share(&r.completeness)),
    ];
    let width = rows.iter().map(|(label, _)| label.chars().count()).max().unwrap_or(0);
    for (label, figure) in rows {
        let _ = writeln!(out, "{label:<width$}  {figure}");
    }
    let _ = writeln!(out, "Top-risk rule: {}.", r.top_risk.rule);
    if !r.top_risk.short.is_empty() {
        let _ = writeln!(out, "ASIL C/D hazards not covered: {}", shortfalls(r));
    }
    let _ = writeln!(
        out,
        "Traceability rule: a requirement is complete when, for every hazard it mitigates, \
        runs at its own thresholds passed at least as often as the hazard's class needs, and none failed."
    );

    let _ = writeln!(out, "\nHazards (status from the checks of their requirements)");
    for h in &r.hazards {
        let _ = writeln!(
            out,
            "  {} {} ({} {} {}) {}",
            h.id, h.asil, h.severity, h.exposure, h.controllability, h.title
        );
        let _ = writeln!(
            out,
            "      {}; scenario outcomes {}; {}; {}",
            hazard_status(h.status).to_uppercase(),
            counts(&h.counts),
            violation(h),
            worst(h)
        );
    }

    let _ = writeln!(out, "\nDimension values");
    for v in &r.values {
        let mark = if v.exercised { ' ' } else { '!' };
        let _ = writeln!(out, "  {mark} {:<28} {}", value(&v.value), counts(&v.counts));
    }

    let _ = writeln!(out, "\nFeasible pairs by dimensions");
    for d in &r.dimension_pairs {
        let _ = writeln!(out, "  {:<24} {}", format!("{} × {}", d.a, d.b), share(&d.pairs));
    }

    let _ = writeln!(out, "\nTraceability");
    for t in &r.traceability {
        let status = if t.complete { "complete".to_owned() } else { t.status.as_str().to_uppercase() };
        let _ = writeln!(out, "  {} [{status}] {} (checks: {})", t.id, t.text, t.checks.join(", "));
        for h in &t.hazards {
            let _ = writeln!(out, "    {} {}: {}", h.id, h.asil, trace_status(h));
            if h.scenarios.is_empty() {
                let _ = writeln!(out, "    {} {}: no scenario", h.id, h.asil);
            }
            for s in &h.scenarios {
                let _ = writeln!(
                    out,
                    "    {} {}: {} ({}); latest seed {} {}: {}",
                    h.id,
                    h.asil,
                    s.scenario,
                    counts(&s.counts),
                    s.latest_seed,
                    outcome(s.latest_outcome),
                    verdicts(&s.latest_verdicts)
                );
            }
        }
    }

    if !r.triggering_conditions.is_empty() {
        let _ =
            writeln!(out, "\nTriggering conditions (runs whose tags express them; hazards they can lead to)");
        for t in &r.triggering_conditions {
            let _ = writeln!(out, "  {} {}: {}; {}", t.id, t.title, counts(&t.runs), trigger_hazards(t));
        }
    }

    let _ = writeln!(out, "\nGaps, riskiest first");
    if r.gaps.hazards.is_empty() {
        let _ = writeln!(out, "  every hazard is exercised");
    }
    for g in &r.gaps.hazards {
        let errored =
            if g.errored > 0 { format!(" ({})", plural(g.errored, "errored run")) } else { String::new() };
        let _ = writeln!(out, "  hazard {} {}: {}{errored}", g.id, g.rank.class, g.title);
    }
    for g in r.gaps.pairs.iter().take(PAIR_GAPS_SHOWN) {
        let _ = writeln!(out, "  pair {}", pair_gap(g));
    }
    if r.gaps.pairs.len() > PAIR_GAPS_SHOWN {
        let _ = writeln!(out, "  … and {} more unexercised pairs", r.gaps.pairs.len() - PAIR_GAPS_SHOWN);
    }

    if !r.unknown.is_empty() {
        let _ = writeln!(out, "\nNot in the taxonomy (left out of every figure)");
        for u in &r.unknown {
            let _ = writeln!(out, "  {}", unknown(u));
        }
    }
    out
}

/// "H-001 12 runs, H-002 none, …" for the hazards a condition can lead to.
fn trigger_hazards(t: &crate::TriggerCoverage) -> String {
    t.hazards
        .iter()
        .map(|h| {
            if h.runs.runs == 0 {
                format!("{} none", h.hazard)
            } else {
                format!("{} {}", h.hazard, plural(h.runs.runs, "run"))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn unknown(u: &crate::coverage::UnknownReference) -> String {
    use crate::coverage::UnknownReference as U;
    match u {
        U::Dimension { dimension, runs } => format!("dimension `{dimension}` ({})", plural(*runs, "run")),
        U::Value { dimension, value, runs } => {
            format!("value `{dimension}={value}` ({})", plural(*runs, "run"))
        }
        U::Hazard { hazard, runs } => format!("hazard `{hazard}` ({})", plural(*runs, "run")),
    }
}

/// Escapes text for a Markdown table cell: one line (line breaks shown as
/// ` ⏎ `), pipes escaped. The one Markdown cell escape of Gauntlet.
pub fn markdown_cell(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ⏎ ")
        .replace('|', "\\|")
}

/// The report as GitHub-flavoured Markdown: the same content as [`render_text`], in tables.
pub fn render_markdown(report: &CoverageReport) -> String {
    let mut out = String::new();
    let r = report;
    let _ = writeln!(out, "## Coverage\n");
    let _ = writeln!(out, "{}.\n", counts(&r.jobs));
    let _ = writeln!(out, "| figure | value |\n|---|---|");
    let _ = writeln!(out, "| Hazards exercised | {} |", share(&r.hazard_coverage));
    let _ = writeln!(out, "| Risk-weighted coverage | {} |", share(&r.risk_weighted));
    let _ = writeln!(out, "| {} | {} |", top_risk_label(r), share(&r.top_risk.hazards));
    let _ = writeln!(out, "| Dimension values exercised | {} |", share(&r.value_coverage));
    let _ = writeln!(out, "| Feasible pairs exercised | {} |", share(&r.pair_coverage));
    let _ = writeln!(out, "| Traceability completeness | {} |", share(&r.completeness));
    let _ = writeln!(out, "\nTop-risk rule: {}.", r.top_risk.rule);
    if !r.top_risk.short.is_empty() {
        let _ = writeln!(out, "\nASIL C/D hazards not covered: {}.", markdown_cell(&shortfalls(r)));
    }

    let _ = writeln!(out, "\n### Hazards\n");
    let _ = writeln!(
        out,
        "| id | class | S/E/C | title | status | runs | scenario failed | checked | violated | violation rate (95 % CI) | worst margin of its checks |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---:|---:|---:|---:|---|---|");
    for h in &r.hazards {
        let rate = match (h.violation_rate, h.violation_interval) {
            (Some(rate), Some(i)) => {
                format!("{} ({} – {})", percent(Some(rate)), percent(Some(i.low)), percent(Some(i.high)))
            }
            _ => "n/a".to_owned(),
        };
        let margin =
            h.worst_margin.as_ref().map_or_else(|| "n/a".to_owned(), |w| markdown_cell(&worst_text(w)));
        let _ = writeln!(
            out,
            "| {} | {} | {} {} {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            h.id,
            h.asil,
            h.severity,
            h.exposure,
            h.controllability,
            markdown_cell(&h.title),
            hazard_status(h.status),
            h.counts.runs,
            h.counts.failed,
            h.checks.checked,
            h.checks.violated,
            rate,
            margin
        );
    }

    let _ = writeln!(out, "\n### Dimension values\n");
    let _ = writeln!(
        out,
        "| dimension | value | runs | passed | failed | errored |\n|---|---|---:|---:|---:|---:|"
    );
    for v in &r.values {
        let name =
            if v.exercised { v.value.value.clone() } else { format!("**{}** (unexercised)", v.value.value) };
        let c = &v.counts;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            v.value.dimension, name, c.runs, c.passed, c.failed, c.errored
        );
    }

    let _ = writeln!(out, "\n### Feasible pairs by dimensions\n");
    let _ = writeln!(out, "| dimensions | exercised |\n|---|---|");
    for d in &r.dimension_pairs {
        let _ = writeln!(out, "| {} × {} | {} |", d.a, d.b, share(&d.pairs));
    }

    let _ = writeln!(out, "\n### Traceability\n");
    let _ = writeln!(
        out,
        "| requirement | hazard | scenario | runs | latest | latest verdicts at the requirement's thresholds |\n|---|---|---|---|---|---|"
    );
    for t in &r.traceability {
        let status = if t.complete { "complete".to_owned() } else { format!("**{}**", t.status.as_str()) };
        let requirement = format!(
            "{} ({status}; {}): {}",
            t.id,
            markdown_cell(&t.checks.join(", ")),
            markdown_cell(&t.text)
        );
        for h in &t.hazards {
            let hazard = format!("{} ({}): {}", h.id, h.asil, markdown_cell(&trace_status(h)));
            if h.scenarios.is_empty() {
                let _ = writeln!(out, "| {requirement} | {hazard} | — | 0 | — | — |");
            }
            for s in &h.scenarios {
                let c = &s.counts;
                let _ = writeln!(
                    out,
                    "| {requirement} | {hazard} | {} | {} ({}/{}/{}) | seed {} {} | {} |",
                    markdown_cell(&s.scenario),
                    c.runs,
                    c.passed,
                    c.failed,
                    c.errored,
                    s.latest_seed,
                    outcome(s.latest_outcome),
                    verdicts(&s.latest_verdicts)
                );
            }
        }
    }

    if !r.triggering_conditions.is_empty() {
        let _ = writeln!(out, "\n### Triggering conditions\n");
        let _ = writeln!(
            out,
            "| condition | title | runs | passed | failed | hazards exercised under it |\n|---|---|---:|---:|---:|---|"
        );
        for t in &r.triggering_conditions {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                t.id,
                markdown_cell(&t.title),
                t.runs.runs,
                t.runs.passed,
                t.runs.failed,
                trigger_hazards(t)
            );
        }
    }

    let _ = writeln!(out, "\n### Gaps, riskiest first\n");
    if r.gaps.hazards.is_empty() {
        let _ = writeln!(out, "Every hazard is exercised.\n");
    } else {
        let _ = writeln!(out, "| hazard | class | title | errored runs |\n|---|---|---|---:|");
        for g in &r.gaps.hazards {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                g.id,
                g.rank.class,
                markdown_cell(&g.title),
                g.errored
            );
        }
        let _ = writeln!(out);
    }
    if !r.gaps.pairs.is_empty() {
        let _ = writeln!(out, "| unexercised pair | risk | hazards |\n|---|---|---|");
        for g in r.gaps.pairs.iter().take(PAIR_GAPS_SHOWN) {
            let class = if g.hazards.is_empty() { "no hazard".to_owned() } else { g.rank.class.to_string() };
            let _ =
                writeln!(out, "| {} × {} | {class} | {} |", value(&g.a), value(&g.b), g.hazards.join(", "));
        }
        if r.gaps.pairs.len() > PAIR_GAPS_SHOWN {
            let _ = writeln!(out, "\n… and {} more unexercised pairs.", r.gaps.pairs.len() - PAIR_GAPS_SHOWN);
        }
    }

    if !r.unknown.is_empty() {
        let _ = writeln!(out, "\n### Not in the taxonomy (left out of every figure)\n");
        for u in &r.unknown {
            let _ = writeln!(out, "- {}", unknown(u));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AsilClass;

    #[test]
    fn formats() {
        assert_eq!(percent(Some(0.6190476)), "61.9 %");
        assert_eq!(percent(None), "n/a");
        assert_eq!(share(&Share::new(26, 42)), "26/42 (61.9 %)");
        assert_eq!(markdown_cell("a|b\nc"), "a\\|b ⏎ c");
        assert_eq!(rank(&RiskRank { class: AsilClass::D, weight: 24 }, 2), "ASIL D (2 hazards, weight 24)");
        assert_eq!(rank(&RiskRank { class: AsilClass::C, weight: 8 }, 1), "ASIL C (1 hazard, weight 8)");
        assert_eq!(plural(1, "run"), "1 run");
        assert_eq!(plural(0, "run"), "0 runs");
        assert_eq!(rank(&RiskRank { class: AsilClass::QM, weight: 0 }, 0), "no hazard");
    }
}
