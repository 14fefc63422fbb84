//! Every failing job, with its evidence and picture, then every errored job.

use std::fmt::Write as _;

use super::{Context, command_html, job_anchor, margin_unit_html};
use crate::html::escape::escape;
use crate::html::format::{seconds, value};
use crate::html::input::TraceView;
use crate::html::scene::{body_colour, body_label, key_frame, overview_svg};
use crate::record::RunRecord;

pub(super) fn write(out: &mut String, cx: &Context<'_>) {
    let unavoidable =
        cx.failing.values().filter(|r| r.triage.as_ref().is_some_and(|t| t.avoidable == Some(false))).count();
    let mut apart = if unavoidable > 0 { format!(", {unavoidable} unavoidable") } else { String::new() };
    let past = cx.failing.values().filter(|r| crate::boundary::classify(r).is_some()).count();
    if past > 0 {
        let _ = write!(apart, ", {past} past a regulation's boundary");
    }
    let _ = writeln!(
        out,
        "<section class=\"panel\" id=\"failures\"><h2>Failing jobs ({}{apart})</h2>",
        cx.failing.len()
    );
    if cx.failing.is_empty() {
        out.push_str("<p class=\"empty\">No job failed.</p>\n");
    } else {
        out.push_str(
            "<p class=\"lead\">Smallest normalised margin first (margin ÷ its criterion's scale). Each job replays bit for bit with its command.</p>\n",
        );
        let mut failing: Vec<&RunRecord> = cx.failing.values().map(|r| &**r).collect();
        failing.sort_by(|a, b| {
            let m = |r: &RunRecord| r.min_normalized_margin().unwrap_or(f64::INFINITY);
            m(a).total_cmp(&m(b)).then_with(|| a.key().cmp(&b.key()))
        });
        for r in failing {
            write_job(out, cx, r);
        }
    }
    out.push_str("</section>\n");
    if !cx.errored.is_empty() {
        write_errors(out, cx);
    }
}

fn write_job(out: &mut String, cx: &Context<'_>, r: &RunRecord) {
    let key = r.key();
    let _ = writeln!(
        out,
        "<article class=\"job\" id=\"{}\"><h3><span class=\"pill fail\">fail</span>{}<span>{}</span><span class=\"sec\">seed {} · {}</span></h3>",
        job_anchor(&key),
        if r.triage.as_ref().is_some_and(|t| t.avoidable == Some(false)) {
            "<span class=\"pill unavoidable\" title=\"no oracle manoeuvre within the ego's limits avoids this violation\">unavoidable</span>"
        } else {
            ""
        },
        escape(&r.scenario),
        r.seed,
        r.kind
    );
    let hazards: Vec<String> = r.hazards.iter().map(|h| cx.hazard_link(h)).collect();
    let _ = writeln!(
        out,
        "<div class=\"meta\">{} · hazards {} · adapter {} · engine {} · file <code>{}</code></div>",
        escape(&r.title),
        if hazards.is_empty() { "none".to_owned() } else { hazards.join(", ") },
        escape(&r.adapter.to_string()),
        escape(&r.engine_version),
        escape(&r.file)
    );
    out.push_str("<div class=\"job-body\"><div>\n");
    out.push_str(
        "<table class=\"data violations\"><thead><tr><th>violated criterion</th><th class=\"num\">margin</th>\
         <th class=\"num\">first violation</th><th class=\"num\">worst at</th><th class=\"num\">impact speed</th></tr></thead><tbody>\n",
    );
    for v in r.violations() {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&v.criterion),
            margin_unit_html(v.margin, &v.unit),
            v.first_violation_t.map_or_else(|| "–".to_owned(), seconds),
            v.worst_t.map_or_else(|| "–".to_owned(), seconds),
            v.impact_speed.map_or_else(|| "–".to_owned(), |s| format!("{} m/s", value(s)))
        );
    }
    out.push_str("</tbody></table>\n");
    if let Some(t) = &r.triage {
        let unit = r.verdicts.iter().find(|v| v.criterion == t.criterion).map_or("", |v| v.unit.as_str());
        let margin = t.margin.map_or_else(|| "–".to_owned(), |m| margin_unit_html(m, unit));
        let verdict = match t.avoidable {
            Some(true) => format!(
                "<strong>avoidable</strong>: {} from t = {} keeps {} at margin {}",
                escape(t.manoeuvre.as_deref().unwrap_or("?")),
                t.from_t.map_or_else(|| "–".to_owned(), seconds),
                escape(&t.criterion),
                margin
            ),
            Some(false) => format!(
                "<strong>unavoidable</strong>: no oracle manoeuvre avoids {}; best margin {}",
                escape(&t.criterion),
                margin
            ),
            None => format!("<strong>unknown</strong> for {}", escape(&t.criterion)),
        };
        let note = if t.note.is_empty() { String::new() } else { format!(" — {}", escape(&t.note)) };
        let _ = writeln!(out, "<p class=\"sec triage\">Triage: {verdict} ({} oracle runs){note}</p>", t.runs);
    }
    if let (Some(class), Some(b)) = (crate::boundary::classify(r), &r.beyond) {
        let note = if b.note.is_empty() { String::new() } else { format!(" — {}", escape(&b.note)) };
        let _ = writeln!(
            out,
            "<p class=\"sec boundary\"><strong>{}</strong>: past the boundary of {}{note}</p>",
            escape(class.label()),
            escape(&b.source)
        );
    }
    out.push_str(&command_html(&r.replay));
    let held: Vec<String> = r
        .verdicts
        .iter()
        .filter(|v| v.passed)
        .map(|v| {
            format!(
                "<span class=\"tag\">{} {}</span>",
                escape(&v.criterion),
                margin_unit_html(v.margin, &v.unit)
            )
        })
        .collect();
    if !held.is_empty() {
        let _ = writeln!(out, "<div class=\"sec\">held: {}</div>", held.concat());
    }
    if !r.params.is_empty() {
        let params: Vec<String> = r
            .params
            .iter()
            .map(|(k, v)| {
                format!(
                    "<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
                    escape(k),
                    escape(&v.to_string())
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "<details><summary>Resolved parameters ({})</summary><table class=\"data params\"><tbody>{}</tbody></table></details>",
            r.params.len(),
            params.concat()
        );
    }
    out.push_str("</div><div>\n");
    match cx.input.traces.get(&key) {
        Some(trace) => write_trace(out, trace),
        None => out.push_str(
            "<p class=\"note no-trace\">No trace for this job: the runner did not re-run it to record one. Run its replay command to see it.</p>\n",
        ),
    }
    out.push_str("</div></div></article>\n");
}

/// The picture of a trace with its legend.
fn write_trace(out: &mut String, trace: &TraceView) {
    let Some(svg) = overview_svg(trace) else {
        out.push_str(
            "<p class=\"note no-trace\">The trace of this job has no finite coordinates to draw.</p>\n",
        );
        return;
    };
    out.push_str("<div class=\"trace\">");
    out.push_str(&svg);
    out.push_str("<div class=\"legend\">");
    for (b, body) in trace.bodies.iter().enumerate() {
        let _ = write!(
            out,
            "<span><span class=\"ln\" style=\"border-color: {}\"></span>{}</span>",
            body_colour(trace, b),
            escape(&body_label(body))
        );
    }
    if let Some(frame) = key_frame(trace).and_then(|k| trace.frames.get(k)) {
        let what = if trace.first_violation.is_some() { "first violation" } else { "end of the run" };
        let _ = write!(out, "<span>outlines at {what}, t = {}</span>", seconds(frame.t));
    }
    out.push_str("</div></div>\n");
}

fn write_errors(out: &mut String, cx: &Context<'_>) {
    let _ = writeln!(
        out,
        "<section class=\"panel\" id=\"errors\"><h2>Errored jobs ({})</h2><p class=\"lead\">These jobs gave no verdict: they are no evidence either way.</p>\n<table class=\"data\" id=\"error-table\"><thead><tr><th>job</th><th>error</th><th>replay</th></tr></thead><tbody>",
        cx.errored.len()
    );
    for (key, r) in cx.errored {
        let (kind, message) =
            r.error.as_ref().map_or(("unknown", ""), |e| (e.kind.as_str(), e.message.as_str()));
        let _ = writeln!(
            out,
            "<tr id=\"{}\"><td>{} <span class=\"sec\">seed {} · {}</span></td><td><span class=\"pill error\">{}</span> {}</td><td><code>{}</code></td></tr>",
            job_anchor(key),
            escape(&key.scenario),
            key.seed,
            key.kind,
            escape(kind),
            escape(message),
            escape(&r.replay)
        );
    }
    out.push_str("</tbody></table></section>\n");
}
