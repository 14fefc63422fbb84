//! Requirement → hazard → scenario → latest verdict.

use std::fmt::Write as _;

use gauntlet_taxonomy::{
    CriterionVerdict, HazardTrace, JobOutcome, RequirementTrace, ScenarioEvidence, TraceStatus,
};

use super::{Context, counts_html, margin_html};
use crate::html::escape::{anchor, escape};

pub(super) fn write(out: &mut String, cx: &Context<'_>) {
    out.push_str("<section class=\"panel\" id=\"traceability\"><h2>Traceability</h2>\n");
    let Some(coverage) = cx.coverage else {
        out.push_str(
            "<p class=\"empty\">No taxonomy was given, so requirements cannot be traced.</p></section>\n",
        );
        return;
    };
    let _ = writeln!(
        out,
        "<p class=\"lead\">Each safety requirement with its checks, the hazards it mitigates, the scenarios naming them, and the latest run's verdicts at the requirement's own thresholds. {} of {} requirements are complete. A requirement is <i>complete</i> when, for every hazard it mitigates, runs judged at its thresholds passed at least as often as the hazard's class needs (QM/A/B/C/D: {}) and none failed; otherwise it is <i>failing</i> (a run violated a check), <i>missing</i> (no passing run) or <i>insufficient</i> (too few).</p>",
        coverage.completeness.covered,
        coverage.completeness.total,
        cx.input.taxonomy.map_or_else(
            || "per the taxonomy".to_owned(),
            |t| t.evidence().min_passing_runs.iter().map(u32::to_string).collect::<Vec<_>>().join("/")
        )
    );
    if coverage.traceability.is_empty() {
        out.push_str("<p class=\"empty\">The taxonomy declares no requirements.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"data trace-table\" id=\"trace-table\"><thead><tr><th>requirement</th><th>hazard</th><th>scenario</th>\
         <th class=\"num\">runs<br/><span class=\"sec\">pass / fail / error</span></th><th>latest run</th><th>latest verdicts</th></tr></thead><tbody>\n",
    );
    for r in &coverage.traceability {
        write_requirement(out, cx, r);
    }
    out.push_str("</tbody></table></section>\n");
}

fn write_requirement(out: &mut String, cx: &Context<'_>, r: &RequirementTrace) {
    let hazard_rows = |h: &HazardTrace| h.scenarios.len().max(1);
    let rows: usize = r.hazards.iter().map(hazard_rows).sum::<usize>().max(1);
    let criteria: Vec<String> =
        r.checks.iter().map(|c| format!("<span class=\"tag\">{}</span>", escape(c))).collect();
    let class = match r.status {
        TraceStatus::Complete => "pass",
        TraceStatus::Failing => "fail",
        TraceStatus::Insufficient | TraceStatus::Missing => "hole",
    };
    let label = r.status.as_str();
    let requirement_cell = format!(
        "<td class=\"req\" rowspan=\"{rows}\" id=\"{}\"><b>{}</b> <span class=\"pill {class}\">{label}</span><div class=\"text\">{}</div><div class=\"crit\">{}</div></td>",
        anchor("req", &r.id),
        escape(&r.id),
        escape(&r.text),
        criteria.concat()
    );
    if r.hazards.is_empty() {
        let _ = writeln!(
            out,
            "<tr class=\"hl\">{requirement_cell}<td colspan=\"5\" class=\"sec\">mitigates no known hazard</td></tr>"
        );
        return;
    }
    let mut first_row = true;
    for h in &r.hazards {
        let failing: Vec<String> = h
            .failing_runs
            .iter()
            .map(|f| {
                format!(
                    "<div class=\"sec\">✗ {} {} {}</div>",
                    cx.run_link(&f.scenario, f.seed),
                    escape(&f.criterion),
                    escape(&format!("{:+.3} {}", f.margin, f.unit))
                )
            })
            .collect();
        let hazard_cell = format!(
            "<td rowspan=\"{}\">{} <span class=\"asil {}\">{}</span><div class=\"trace-status {}\">{}: {} passing of {} needed, {} failing, {} not evaluated</div>{}</td>",
            hazard_rows(h),
            cx.hazard_link(&h.id),
            h.asil.as_str(),
            escape(&h.asil.to_string()),
            h.status.as_str(),
            h.status.as_str(),
            h.passing,
            h.needed,
            h.failing,
            h.not_evaluated,
            failing.concat()
        );
        let lead = |first_row: &mut bool| {
            let cell = if *first_row { requirement_cell.as_str() } else { "" };
            *first_row = false;
            cell
        };
        if h.scenarios.is_empty() {
            let _ = writeln!(
                out,
                "<tr class=\"gap\">{}{hazard_cell}<td colspan=\"4\"><span class=\"pill hole\">no scenario names this hazard</span></td></tr>",
                lead(&mut first_row)
            );
            continue;
        }
        for (i, s) in h.scenarios.iter().enumerate() {
            let _ = writeln!(
                out,
                "<tr{}>{}{}<td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"verdicts\">{}</td></tr>",
                if s.latest_outcome == JobOutcome::Fail { " class=\"hl\"" } else { "" },
                lead(&mut first_row),
                if i == 0 { hazard_cell.as_str() } else { "" },
                cx.scenario_link(&s.scenario),
                counts_html(s.counts.passed.into(), s.counts.failed.into(), s.counts.errored.into()),
                latest_html(cx, s),
                if s.latest_outcome == JobOutcome::Error {
                    "<span class=\"sec\">no verdict: the run ended in an error</span>".to_owned()
                } else {
                    verdicts_html(&s.latest_verdicts)
                }
            );
        }
    }
}

fn latest_html(cx: &Context<'_>, s: &ScenarioEvidence) -> String {
    let (class, label) = match s.latest_outcome {
        JobOutcome::Pass => ("pass", "pass"),
        JobOutcome::Fail => ("fail", "fail"),
        JobOutcome::Error => ("error", "error"),
    };
    format!(
        "<span class=\"pill {class}\">{label}</span> <span class=\"sec\">{}</span>",
        cx.run_link(&s.scenario, s.latest_seed)
    )
}

fn verdicts_html(verdicts: &[CriterionVerdict]) -> String {
    verdicts
        .iter()
        .map(|v| match (v.passed, v.margin) {
            (Some(passed), Some(m)) => format!(
                "<span>{} {} {}</span>",
                if passed { "✓" } else { "✗" },
                escape(&v.criterion),
                margin_html(m)
            ),
            _ => format!("<span class=\"sec\">– {} not evaluated</span>", escape(&v.criterion)),
        })
        .collect()
}
