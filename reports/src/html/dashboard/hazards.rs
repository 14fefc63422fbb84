//! Hazards ranked by risk, with their status and the evidence behind it.

use std::fmt::Write as _;

use gauntlet_taxonomy::HazardStatus as S;
use gauntlet_taxonomy::{HazardCoverage, Interval};

use super::{Context, HazardStatus, counts_html, job_anchor, margin_html};
use crate::html::escape::{anchor, escape};
use crate::html::format::percent;
use crate::record::{JobKey, RunRecord};
use std::sync::Arc;

/// Most failing-job links shown per hazard; the rest are counted.
const MAX_JOB_LINKS: usize = 8;

/// Hazards riskiest first: ASIL, then severity, exposure and
/// controllability, all descending; ties keep taxonomy order.
pub(crate) fn ranked(hazards: &[HazardCoverage]) -> Vec<&HazardCoverage> {
    let mut ranked: Vec<&HazardCoverage> = hazards.iter().collect();
    ranked.sort_by(|a, b| {
        let key = |h: &HazardCoverage| (h.asil, h.severity, h.exposure, h.controllability);
        key(b).cmp(&key(a))
    });
    ranked
}

pub(super) fn write(out: &mut String, cx: &Context<'_>) {
    out.push_str("<section class=\"panel\" id=\"hazards\"><h2>Hazards by risk</h2>\n");
    let Some(coverage) = cx.coverage else {
        out.push_str(
            "<p class=\"empty\">No taxonomy was given, so hazards cannot be ranked.</p></section>\n",
        );
        return;
    };
    let ranked = ranked(&coverage.hazards);
    let count = |status: S| ranked.iter().filter(|h| h.status == status).count();
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} hazards, riskiest first (ASIL, then severity, exposure, controllability): <b class=\"neg\">{} violated</b>, {} held, <b>{} not checked</b>, <b>{} unexercised</b>. A hazard is <i>violated</i> only when a check of one of its requirements failed in a run of a scenario naming it, and its worst margin is over those checks only; a scenario can fail a criterion no requirement of the hazard checks, so <i>scenario failed</i> and <i>violated</i> are shown apart. Runs that ended in an error are no evidence.</p>",
        ranked.len(),
        count(S::Violated),
        count(S::Held),
        count(S::NotChecked),
        count(S::Unexercised)
    );
    if ranked.is_empty() {
        out.push_str("<p class=\"empty\">The taxonomy declares no hazards.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"data\" id=\"hazard-table\"><thead><tr><th class=\"num\">#</th><th>hazard</th><th>risk</th><th>status</th>\
         <th class=\"num\">runs<br/><span class=\"sec\">scenario pass / fail / error</span></th><th class=\"num\">checked / violated</th><th>violation rate, 95 % Wilson interval</th>\
         <th>worst margin of its checks</th><th>requirements</th><th>evidence</th></tr></thead><tbody>\n",
    );
    for (rank, h) in ranked.iter().enumerate() {
        let status = HazardStatus::of(h);
        let mut status_text = status.as_str().to_owned();
        if status.0 == S::Unexercised && h.counts.errored > 0 {
            status_text = format!("{status_text} ({} errored)", h.counts.errored);
        }
        let _ = writeln!(
            out,
            "<tr id=\"{}\" class=\"hazard {}{}\"><td class=\"num\">{}</td><td class=\"hz\"><b>{}</b> {}</td><td><span class=\"asil {}\">{}</span><div class=\"sec\">{} {} {}</div></td><td><span class=\"pill {}\">{}</span></td><td class=\"num\">{}</td><td class=\"num checks\">{} / {}</td><td>{}</td><td>{}</td><td class=\"links\">{}</td><td class=\"links\">{}</td></tr>",
            anchor("hazard", &h.id),
            status.as_str().replace(' ', "-"),
            if status.0 == S::Violated { " hl" } else { "" },
            rank + 1,
            escape(&h.id),
            escape(&h.title),
            h.asil.as_str(),
            escape(&h.asil.to_string()),
            h.severity,
            h.exposure,
            h.controllability,
            status.class(),
            escape(&status_text),
            counts_html(h.counts.passed.into(), h.counts.failed.into(), h.counts.errored.into()),
            h.checks.checked,
            h.checks.violated,
            interval_html(h.violation_rate, h.violation_interval),
            worst_html(cx, h),
            requirements_html(cx, h),
            evidence_html(cx, h)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// The failure rate, its interval as text and as a bar.
fn interval_html(rate: Option<f64>, interval: Option<Interval>) -> String {
    let (Some(rate), Some(i)) = (rate, interval) else {
        return "<span class=\"sec\">not checked</span>".to_owned();
    };
    let at = |x: f64| format!("{:.1}px", x.clamp(0.0, 1.0) * 90.0 + 0.0);
    format!(
        "<div class=\"ci\" title=\"95 % Wilson score interval\"><span class=\"bar\"><span class=\"range\" style=\"left: {}; width: {}\"></span><span class=\"point\" style=\"left: {}\"></span></span><span class=\"txt\"><b>{}</b> <span class=\"sec\">[{} – {}]</span></span></div>",
        at(i.low),
        at(i.high - i.low),
        at(rate),
        percent(rate),
        percent(i.low),
        percent(i.high)
    )
}

fn worst_html(cx: &Context<'_>, h: &HazardCoverage) -> String {
    match &h.worst_margin {
        Some(w) => format!(
            "{} <span class=\"sec\">{} {}</span><div class=\"sec\">{}</div>",
            margin_html(w.margin),
            escape(&w.unit),
            escape(&w.criterion),
            cx.run_link(&w.scenario, w.seed)
        ),
        None => "<span class=\"sec\">–</span>".to_owned(),
    }
}

fn requirements_html(cx: &Context<'_>, h: &HazardCoverage) -> String {
    if h.requirements.is_empty() {
        return "<span class=\"sec\">none</span>".to_owned();
    }
    h.requirements.iter().map(|r| cx.requirement_link(r)).collect::<Vec<_>>().join(" ")
}

/// Links to the jobs that violated a check of the hazard's requirements, then to its scenarios.
fn evidence_html(cx: &Context<'_>, h: &HazardCoverage) -> String {
    let violated = |r: &RunRecord| {
        r.hazards.contains(&h.id)
            && r.verdicts
                .iter()
                .any(|v| !v.passed && v.requirements.iter().any(|id| h.requirements.contains(id)))
    };
    let failing: Vec<(&JobKey, &Arc<RunRecord>)> = cx.failing.iter().filter(|(_, r)| violated(r)).collect();
    let scenarios: Vec<&str> = cx
        .scenarios
        .iter()
        .filter(|(_, s)| s.hazards_named.contains(&h.id))
        .map(|(id, _)| id.as_str())
        .collect();
    let mut parts = Vec::new();
    if !failing.is_empty() {
        let mut links: Vec<String> = failing
            .iter()
            .take(MAX_JOB_LINKS)
            .map(|(key, _)| {
                format!(
                    "<a class=\"job-link\" href=\"#{}\">{} #{}</a>",
                    job_anchor(key),
                    escape(&key.scenario),
                    key.seed
                )
            })
            .collect();
        if failing.len() > MAX_JOB_LINKS {
            links.push(format!("<a href=\"#failures\">+{} more</a>", failing.len() - MAX_JOB_LINKS));
        }
        parts.push(format!("<div><span class=\"sec\">failing:</span> {}</div>", links.join(" ")));
    }
    if !scenarios.is_empty() {
        let links: Vec<String> = scenarios.iter().map(|s| cx.scenario_link(s)).collect();
        parts.push(format!("<div><span class=\"sec\">scenarios:</span> {}</div>", links.join(" ")));
    }
    if parts.is_empty() {
        "<span class=\"sec\">no scenario names it</span>".to_owned()
    } else {
        parts.concat()
    }
}
