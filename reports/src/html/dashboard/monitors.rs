//! The runtime monitors: recall, false alarms and lead times of the stack's
//! own safety monitors ([`crate::monitors`]), per monitor and per hazard.

use std::fmt::Write as _;

use super::Context;
use crate::html::escape::escape;
use crate::html::format::opt_percent;
use crate::monitors::MonitorFigures;

fn seconds(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{x:.2} s"))
}

fn row(out: &mut String, label: &str, class: &str, f: &MonitorFigures) {
    let lead = f.lead_time.as_ref();
    let histogram = lead.map_or_else(String::new, |l| {
        l.histogram.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" ")
    });
    let _ = writeln!(
        out,
        "<tr class=\"{class}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} ({} violations)</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} ({})</td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        escape(label),
        f.jobs,
        f.events,
        f.violations,
        f.detected,
        opt_percent(f.recall),
        f.activations,
        f.false_alarms,
        opt_percent(f.false_alarm_share),
        seconds(lead.map(|l| l.median)),
        lead.map_or_else(|| "–".to_owned(), |l| format!("{:.2}–{:.2} s", l.p25, l.p75)),
        histogram,
    );
}

pub(super) fn write(out: &mut String, cx: &Context<'_>) {
    let report = &cx.input.digest.monitors;
    if report.is_empty() {
        return;
    }
    let o = &report.options;
    let _ = writeln!(
        out,
        "<section class=\"panel\" id=\"monitors\"><h2>Runtime monitors</h2><p class=\"lead\">How well the stack's own \
         monitors announce safety events: violations, and near misses (a margin under {} × its threshold). An event is \
         detected when an activation starts within {} s before it; an activation with no event within {} s after its \
         start is a false alarm. Lead histogram: ten bins over 0–{} s.</p>",
        o.near_miss_fraction, o.lead_window, o.lead_window, o.lead_window
    );
    out.push_str(
        "<table class=\"data\" id=\"monitor-table\"><thead><tr><th>monitor / hazard</th><th class=\"num\">jobs</th>\
         <th class=\"num\">events</th><th class=\"num\">detected</th><th class=\"num\">recall</th>\
         <th class=\"num\">activations</th><th class=\"num\">false alarms (share)</th><th class=\"num\">median lead</th>\
         <th class=\"num\">lead p25–p75</th><th class=\"num\">lead histogram</th></tr></thead><tbody>\n",
    );
    for m in &report.monitors {
        row(out, &m.name, "monitor", &m.all);
        for (h, f) in &m.hazards {
            row(out, &format!("· {h}"), "monitor-hazard", f);
        }
    }
    out.push_str("</tbody></table></section>\n");
}
