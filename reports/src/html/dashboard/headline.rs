//! The page header and the overview: job counts, gate, baseline, coverage.

use std::fmt::Write as _;

use super::{Context, margin_unit_html};
use crate::diff::BaselineDiff;
use crate::gate::gate_passed;
use crate::html::escape::escape;
use crate::html::format::{opt_percent, outcome_class};
use crate::record::Outcome;

/// The dark header: title, gate verdict, what ran.
pub(super) fn write_header(out: &mut String, cx: &Context<'_>) {
    let input = cx.input;
    let (class, verdict) = gate_verdict(cx);
    let _ = writeln!(
        out,
        "<header class=\"top\"><h1><span>{}</span><span class=\"verdict {class}\" id=\"gate-verdict\">{verdict}</span></h1>",
        escape(&input.title)
    );
    let adapters = &input.digest.adapters;
    let engines = &input.digest.engines;
    let list = |items: Vec<String>| if items.is_empty() { "none".to_owned() } else { items.join(", ") };
    let _ = writeln!(
        out,
        "<div class=\"sub\">{} jobs · {} scenarios · adapter {} · engine {}</div></header>",
        cx.totals.runs,
        cx.scenarios.len(),
        escape(&list(adapters.iter().cloned().collect())),
        escape(&list(engines.iter().cloned().collect()))
    );
}

/// The class and text of the gate verdict.
fn gate_verdict(cx: &Context<'_>) -> (&'static str, &'static str) {
    match (cx.input.gate.is_empty(), gate_passed(cx.input.gate)) {
        (true, _) => ("none", "no gate"),
        (false, true) => ("pass", "gate passed"),
        (false, false) => ("fail", "gate failed"),
    }
}

fn card(out: &mut String, class: &str, key: &str, value: &str, detail: &str) {
    let _ = writeln!(
        out,
        "<div class=\"card {class}\"><div class=\"k\">{key}</div><div class=\"v\">{value}</div><div class=\"d\">{detail}</div></div>"
    );
}

/// The overview: cards, gate checks, baseline changes.
pub(super) fn write(out: &mut String, cx: &Context<'_>) {
    let t = &cx.totals;
    out.push_str(
        "<section id=\"overview\">\n<h3 class=\"group\">Jobs</h3>\n<div class=\"cards\" id=\"cards-jobs\">\n",
    );
    card(out, "info", "runs", &t.runs.to_string(), &format!("{} scenarios", cx.scenarios.len()));
    card(out, "pass", "pass", &t.pass.to_string(), "every criterion held");
    card(
        out,
        if t.fail > 0 { "fail" } else { "muted" },
        "fail",
        &t.fail.to_string(),
        "a criterion was violated",
    );
    card(out, if t.error > 0 { "error" } else { "muted" }, "error", &t.error.to_string(), "no verdict");
    let rate_class = match t.pass_rate() {
        Some(r) if r >= 1.0 => "pass",
        Some(_) => "fail",
        None => "muted",
    };
    card(out, rate_class, "pass rate", &opt_percent(t.pass_rate()), "of all jobs");
    let failed_checks = cx.input.gate.iter().filter(|c| !c.passed).count();
    let (class, verdict, detail) = match gate_verdict(cx).0 {
        "none" => ("muted", "–", "no gate configured".to_owned()),
        "pass" => ("pass", "passed", format!("all {} checks passed", cx.input.gate.len())),
        _ => ("fail", "FAILED", format!("{failed_checks} of {} checks failed", cx.input.gate.len())),
    };
    card(out, class, "gate", verdict, &detail);
    out.push_str("</div>\n");

    if let Some(diff) = cx.input.diff {
        let c = &diff.counts;
        out.push_str(
            "<h3 class=\"group\">Against the baseline</h3>\n<div class=\"cards\" id=\"cards-baseline\">\n",
        );
        let bad = |n: u64, class: &'static str| if n > 0 { class } else { "muted" };
        card(out, bad(c.regressions, "fail"), "regressions", &c.regressions.to_string(), "was pass, now not");
        card(out, bad(c.fixed, "pass"), "fixed", &c.fixed.to_string(), "was failing, now pass");
        card(out, bad(c.flaky, "error"), "flaky", &c.flaky.to_string(), "same inputs, other result");
        card(
            out,
            bad(c.still_failing, "fail"),
            "still failing",
            &c.still_failing.to_string(),
            "not pass in either",
        );
        card(
            out,
            bad(c.margin_regressions, "error"),
            "margin regressions",
            &c.margin_regressions.to_string(),
            "pass, but closer to failing",
        );
        card(
            out,
            "muted",
            "new / removed",
            &format!("{} / {}", c.new_jobs, c.removed),
            "jobs only on one side",
        );
        out.push_str("</div>\n");
    }

    if let Some(c) = cx.coverage {
        out.push_str("<h3 class=\"group\">Coverage</h3>\n<div class=\"cards\" id=\"cards-coverage\">\n");
        let share_class = |ratio: Option<f64>| match ratio {
            Some(r) if r >= 1.0 => "pass",
            Some(_) => "error",
            None => "muted",
        };
        let share = |s: &gauntlet_taxonomy::Share| format!("{} of {}", s.covered, s.total);
        card(
            out,
            share_class(c.hazard_coverage.ratio),
            "hazards exercised",
            &opt_percent(c.hazard_coverage.ratio),
            &share(&c.hazard_coverage),
        );
        card(
            out,
            share_class(c.risk_weighted.ratio),
            "risk-weighted",
            &opt_percent(c.risk_weighted.ratio),
            "ASIL weights QM 1 … D 16",
        );
        card(
            out,
            share_class(c.top_risk.hazards.ratio),
            "top-risk coverage",
            &opt_percent(c.top_risk.hazards.ratio),
            &format!("{} ASIL C/D hazards covered; rule: {}", share(&c.top_risk.hazards), c.top_risk.rule),
        );
        card(
            out,
            share_class(c.pair_coverage.ratio),
            "pairwise",
            &opt_percent(c.pair_coverage.ratio),
            &format!("{} feasible value pairs", share(&c.pair_coverage)),
        );
        card(
            out,
            share_class(c.completeness.ratio),
            "traceability",
            &opt_percent(c.completeness.ratio),
            &format!("{} requirements complete", share(&c.completeness)),
        );
        out.push_str("</div>\n");
    }

    let baseline_changes = cx.input.diff.filter(|d| has_changes(d));
    let both = !cx.input.gate.is_empty() && baseline_changes.is_some();
    if both {
        out.push_str("<div class=\"two\">\n");
    }
    if !cx.input.gate.is_empty() {
        out.push_str("<section class=\"panel\" id=\"gate\"><h2>Gate</h2>\n<table class=\"data\"><thead><tr><th></th><th>check</th><th>measured</th><th>required</th></tr></thead><tbody>\n");
        for check in cx.input.gate {
            let (class, label) = if check.passed { ("pass", "pass") } else { ("fail", "FAIL") };
            let _ = writeln!(
                out,
                "<tr{}><td><span class=\"pill {class}\">{label}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if check.passed { "" } else { " class=\"hl\"" },
                escape(&check.name),
                escape(&check.measured),
                escape(&check.required)
            );
        }
        out.push_str("</tbody></table></section>\n");
    }

    if let Some(diff) = baseline_changes {
        write_baseline(out, cx, diff);
    }
    if both {
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
}

/// Whether the diff lists regressions, flakes or margin regressions.
fn has_changes(diff: &BaselineDiff) -> bool {
    !(diff.regressions.is_empty() && diff.flaky.is_empty() && diff.margin_regressions.is_empty())
}

/// Tables of the baseline's regressions, flakes and margin regressions.
fn write_baseline(out: &mut String, cx: &Context<'_>, diff: &BaselineDiff) {
    out.push_str("<section class=\"panel\" id=\"baseline\"><h2>Changes against the baseline</h2>\n");
    if !diff.regressions.is_empty() {
        let _ = writeln!(
            out,
            "<h3 class=\"group\">Regressions ({})</h3>\n<table class=\"data\" id=\"regressions\"><thead><tr><th>job</th><th>was → now</th><th>what</th><th>replay</th></tr></thead><tbody>",
            diff.regressions.len()
        );
        for change in &diff.regressions {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td><code>{}</code></td></tr>",
                cx.job_link(&change.job),
                outcome_pill(change.old),
                outcome_pill(change.new),
                escape(&change.detail.join("; ")),
                escape(&change.replay)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !diff.flaky.is_empty() {
        let _ = writeln!(
            out,
            "<h3 class=\"group\">Flaky: same inputs, different result ({})</h3>\n<table class=\"data\" id=\"flaky\"><thead><tr><th>job</th><th>was → now</th><th>trace hash</th><th>replay</th></tr></thead><tbody>",
            diff.flaky.len()
        );
        for flake in &diff.flaky {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{} → {}</td><td class=\"mono\">{} → {}</td><td><code>{}</code></td></tr>",
                cx.job_link(&flake.job),
                outcome_pill(flake.old),
                outcome_pill(flake.new),
                escape(&flake.old_trace_hash),
                escape(&flake.new_trace_hash),
                escape(&flake.replay)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !diff.margin_regressions.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Margin regressions: {} criteria in {} jobs closer to failing than the tolerance allows</summary>\n<table class=\"data\" id=\"margin-regressions\"><thead><tr><th>job</th><th>criterion</th><th class=\"num\">was</th><th class=\"num\">now</th><th class=\"num\">shrank by</th><th class=\"num\">tolerance</th></tr></thead><tbody>",
            diff.margin_regressions.len(),
            diff.counts.margin_regressed_jobs
        );
        for m in &diff.margin_regressions {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                cx.job_link(&m.job),
                escape(&m.criterion_label()),
                margin_unit_html(m.old_margin, &m.unit),
                margin_unit_html(m.new_margin, &m.unit),
                escape(&crate::summary::fmt_margin_unit(m.shrink, &m.unit)),
                escape(&crate::summary::fmt_margin_unit(m.tolerance, &m.unit))
            );
        }
        out.push_str("</tbody></table></details>\n");
    }
    out.push_str("</section>\n");
}

/// An outcome as a coloured pill.
pub(super) fn outcome_pill(outcome: Outcome) -> String {
    format!("<span class=\"pill {}\">{}</span>", outcome_class(outcome), outcome.as_str())
}
