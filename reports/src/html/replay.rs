//! The replay viewer: one job's trace as a self-contained animated page.
//!
//! A top-down view with a time slider, play / pause, step buttons, a
//! speed selector and a camera that follows the ego through an 80 m window
//! (arrow keys step, space plays); the bodies at the selected
//! frame (the ego highlighted, bodies the ego's sensors reported drawn solid,
//! the others dashed); the ego's control, the criteria's margins and its
//! observation at that step as tables; and each criterion's margin over time
//! with the zero line and a cursor at the selected time. It opens at the
//! first violation. The road and the plots are drawn here; the frames are
//! embedded as one JSON blob that a small dependency-free script animates.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::chart::{margin_plot, plot_axis};
use super::escape::escape;
use super::format::{margin, outcome_class, seconds};
use super::input::{FrameView, TraceView};
use super::page::{DataBlob, document};
use super::scene::{
    Frame, Projection, body_colour, body_label, frame_at, write_paths, write_road, write_scale_bar,
};
use crate::html::dashboard::margin_unit_html;
use crate::record::RunRecord;

/// The replay's script.
const SCRIPT: &str = include_str!("replay.js");
/// Width of the window around the ego when the view follows it, in metres.
const FOLLOW_M: f64 = 80.0;
/// Most points per margin plot; longer traces are thinned evenly.
const MAX_PLOT_POINTS: usize = 1500;

/// Renders the replay viewer of `record`'s job from its `trace` (see the
/// module docs). Deterministic: the same input gives the same bytes.
pub fn render_replay(record: &RunRecord, trace: &TraceView) -> String {
    let title = format!("Replay: {} seed {}", record.scenario, record.seed);
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<header class=\"top\"><h1><span>{}</span><span class=\"verdict {}\">{}</span></h1><div class=\"sub\">{} · seed {} · {} · adapter {} · engine {} · trace <span class=\"mono\">{}</span></div></header>\n<main>",
        escape(&title),
        if record.outcome.is_pass() { "pass" } else { "fail" },
        record.outcome,
        escape(&record.title),
        record.seed,
        record.kind,
        escape(&record.adapter.to_string()),
        escape(&record.engine_version),
        escape(&record.trace_hash)
    );
    let projection = Projection::fit(trace, Frame { max_width: 960.0, max_height: 560.0, min_height: 380.0 });
    let data = match projection {
        Some(p) if !trace.frames.is_empty() => {
            write_viewer(&mut body, record, trace, &p);
            Some(viewer_data(record, trace, &p))
        }
        _ => {
            body.push_str("<section class=\"panel\" id=\"viewer\"><p class=\"note\">This trace has no frames with finite coordinates: there is nothing to animate.</p></section>\n");
            None
        }
    };
    write_verdicts(&mut body, record);
    body.push_str("</main>\n");
    match &data {
        Some(value) => document(&title, &body, Some(DataBlob { id: "replay-data", value }), Some(SCRIPT)),
        None => document(&title, &body, None, None),
    }
}

/// The frame the viewer opens at: the first violation, else the start.
fn start_frame(trace: &TraceView) -> usize {
    violation_frame(trace).unwrap_or(0)
}

fn violation_frame(trace: &TraceView) -> Option<usize> {
    trace.first_violation.as_ref().filter(|(t, _)| t.is_finite()).and_then(|(t, _)| frame_at(trace, *t))
}

/// The criteria in the order they first appear in the frames.
fn criteria(frames: &[FrameView]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for f in frames {
        for (name, _) in &f.margins {
            if seen.insert(name.as_str()) {
                order.push(name.as_str());
            }
        }
    }
    order
}

fn write_viewer(out: &mut String, record: &RunRecord, trace: &TraceView, p: &Projection) {
    let n = trace.frames.len();
    let violation = violation_frame(trace);
    out.push_str("<section class=\"panel\" id=\"viewer\">\n<div class=\"controls\">");
    out.push_str("<button type=\"button\" id=\"play\">▶ play</button>");
    out.push_str("<button type=\"button\" id=\"prev\" title=\"previous step (←)\">◀</button>");
    out.push_str("<button type=\"button\" id=\"next\" title=\"next step (→)\">▶</button>");
    let _ = write!(
        out,
        "<input type=\"range\" id=\"frame-slider\" min=\"0\" max=\"{}\" step=\"1\" value=\"{}\" aria-label=\"frame\"/>",
        n - 1,
        start_frame(trace)
    );
    out.push_str("<select id=\"speed\" aria-label=\"speed\">");
    for (value, label) in [("0.25", "0.25×"), ("0.5", "0.5×"), ("1", "1×"), ("2", "2×"), ("4", "4×")] {
        let selected = if value == "1" { " selected=\"selected\"" } else { "" };
        let _ = write!(out, "<option value=\"{value}\"{selected}>{label}</option>");
    }
    out.push_str("</select>");
    out.push_str("<label class=\"sec\"><input type=\"checkbox\" id=\"follow\" checked=\"checked\"/> follow the ego</label>");
    if let (Some(_), Some((t, criterion))) = (violation, &trace.first_violation) {
        let _ = write!(
            out,
            "<button type=\"button\" id=\"to-violation\">⚠ first violation: {} at {}</button>",
            escape(criterion),
            seconds(*t)
        );
    }
    out.push_str(
        "<span class=\"counter\" id=\"frame-counter\">The animation needs JavaScript.</span></div>\n",
    );
    if let Some((shown, steps)) = trace.downsampled() {
        let _ = writeln!(
            out,
            "<p class=\"note\" id=\"downsampled\">Downsampled: this run took {steps} steps; the viewer shows {shown} of them (about 1 in {}), always including the first and last steps and each criterion's first violation and worst step. The CSV trace (<code>--trace</code>) has every step.</p>",
            steps.div_ceil(shown.max(1) as u64)
        );
    }

    out.push_str("<div class=\"replay-grid\"><div>\n");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"scene\" id=\"scene\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"top-down view\">",
        super::format::px(p.width),
        super::format::px(p.height)
    );
    out.push_str("<g id=\"world\">\n");
    write_road(out, p, trace);
    write_paths(out, p, trace, violation, true);
    out.push_str("<g id=\"bodies\"></g>\n</g>\n");
    write_scale_bar(out, p);
    out.push_str("</svg>\n<div class=\"legend\">");
    out.push_str("<span><span class=\"sw\" style=\"background: rgba(28,126,214,.55); border-color: #1864ab\"></span>ego</span>");
    out.push_str("<span><span class=\"sw\" style=\"background: rgba(217,72,15,.45); border-color: #c2410c\"></span>observed by the ego</span>");
    out.push_str("<span><span class=\"sw\" style=\"background: transparent; border: 1.5px dashed #868e96\"></span>not observed</span>");
    for (b, body) in trace.bodies.iter().enumerate() {
        let _ = write!(
            out,
            "<span><span class=\"ln\" style=\"border-color: {}\"></span>{} path</span>",
            body_colour(trace, b),
            escape(&body_label(body))
        );
    }
    out.push_str("</div></div>\n<div class=\"side\">\n");
    out.push_str("<h3>Control</h3><table class=\"data\"><tbody id=\"control-table\"></tbody></table>\n");
    out.push_str(
        "<h3>Margins at this step</h3><table class=\"data\"><tbody id=\"margin-table\"></tbody></table>\n",
    );
    out.push_str("<h3>Observation</h3><div class=\"scroll\"><table class=\"data\"><tbody id=\"observation-table\"></tbody></table></div>\n");
    out.push_str("</div></div></section>\n");

    out.push_str("<section class=\"panel plots\" id=\"margins\"><h2>Margins over time</h2><p class=\"lead\">Below the dashed zero line (shaded) a criterion is violated; the orange cursor follows the selected time.</p>\n");
    let names = criteria(&trace.frames);
    if names.is_empty() {
        out.push_str("<p class=\"empty\">The trace records no margins.</p>\n");
    }
    let t0 = trace.frames.first().map_or(0.0, |f| f.t);
    let t1 = trace.frames.last().map_or(0.0, |f| f.t);
    let axis = plot_axis(t0, t1);
    let stride = n.div_ceil(MAX_PLOT_POINTS).max(1);
    for name in names {
        let points: Vec<(f64, f64)> = trace
            .frames
            .iter()
            .enumerate()
            .filter(|(i, _)| i % stride == 0 || i + 1 == n)
            .filter_map(|(_, f)| f.margins.iter().find(|(c, _)| c == name).map(|(_, m)| (f.t, *m)))
            .collect();
        let first = record.verdicts.iter().find(|v| v.criterion == name).and_then(|v| v.first_violation_t);
        let _ = writeln!(out, "<h3>{}</h3>", escape(name));
        out.push_str(&margin_plot(name, &points, axis, first));
    }
    out.push_str("</section>\n");
}

/// A number for the script: finite as a number, otherwise `inf`, `-inf`, `NaN`.
fn number(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::String(margin(x)) }
}

fn viewer_data(record: &RunRecord, trace: &TraceView, p: &Projection) -> Value {
    let bodies: Vec<Value> = trace
        .bodies
        .iter()
        .map(|b| {
            json!({
                "id": b.id,
                "kind": b.kind,
                "label": body_label(b),
                "length": number(b.length),
                "width": number(b.width),
                "is_ego": b.is_ego,
            })
        })
        .collect();
    let frames: Vec<Value> = trace
        .frames
        .iter()
        .map(|f| {
            json!({
                "step": f.step,
                "t": number(f.t),
                "poses": f.poses.iter().map(|q| q.map(number)).collect::<Vec<_>>(),
                "control": f.control.map(number),
                "margins": f.margins.iter().map(|(c, m)| json!([c, number(*m)])).collect::<Vec<_>>(),
                "observed": f.observed,
                "observation": f.observation,
            })
        })
        .collect();
    let t0 = trace.frames.first().map_or(0.0, |f| f.t);
    let t1 = trace.frames.last().map_or(0.0, |f| f.t);
    let axis = plot_axis(t0, t1);
    json!({
        "scenario": record.scenario,
        "seed": record.seed,
        "proj": {"min_x": p.min_x, "max_y": p.max_y, "scale": p.scale, "width": p.width, "height": p.height},
        "follow_m": FOLLOW_M,
        "axis": {"t0": number(axis.t0), "t1": number(axis.t1), "left": axis.left, "width": axis.width},
        "bodies": bodies,
        "frames": frames,
        "start": start_frame(trace),
        "violation_frame": violation_frame(trace),
    })
}

fn write_verdicts(out: &mut String, record: &RunRecord) {
    out.push_str("<section class=\"panel\" id=\"verdicts\"><h2>Verdicts</h2>\n");
    if let Some(e) = &record.error {
        let _ = writeln!(
            out,
            "<p class=\"note\"><span class=\"pill error\">{}</span> {}</p>",
            escape(e.kind.as_str()),
            escape(&e.message)
        );
    }
    if record.verdicts.is_empty() {
        out.push_str("<p class=\"empty\">No verdicts.</p>\n");
    } else {
        out.push_str(
            "<table class=\"data\" id=\"verdict-table\"><thead><tr><th></th><th>criterion</th><th class=\"num\">margin</th>\
             <th class=\"num\">first violation</th><th class=\"num\">worst at</th><th class=\"num\">impact speed</th></tr></thead><tbody>\n",
        );
        for v in &record.verdicts {
            let (class, label) = if v.passed { ("pass", "held") } else { ("fail", "violated") };
            let _ = writeln!(
                out,
                "<tr><td><span class=\"pill {class}\">{label}</span></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&v.criterion),
                margin_unit_html(v.margin, &v.unit),
                v.first_violation_t.map_or_else(|| "–".to_owned(), seconds),
                v.worst_t.map_or_else(|| "–".to_owned(), seconds),
                v.impact_speed.map_or_else(|| "–".to_owned(), |s| format!("{} m/s", super::format::value(s)))
            );
        }
        out.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"sec\">outcome <span class=\"pill {}\">{}</span> · {} steps · {} simulated</p>",
        outcome_class(record.outcome),
        record.outcome,
        record.steps,
        seconds(record.sim_time)
    );
    out.push_str(&crate::html::dashboard::command_html(&record.replay));
    out.push_str("</section>\n");
}
