//! One row per scenario: its runs, worst margin, hazards and failing seeds.

use std::fmt::Write as _;

use super::{Context, counts_html, job_anchor, margin_unit_html};
use crate::html::escape::{anchor, escape};
use crate::record::Outcome;

pub(super) fn write(out: &mut String, cx: &Context<'_>) {
    let _ = writeln!(
        out,
        "<section class=\"panel\" id=\"scenarios\"><h2>Scenarios ({})</h2>",
        cx.scenarios.len()
    );
    if cx.scenarios.is_empty() {
        out.push_str("<p class=\"empty\">No records.</p></section>\n");
        return;
    }
    out.push_str(
        "<table class=\"data\" id=\"scenario-table\"><thead><tr><th>scenario</th><th>tags</th><th>hazards</th>\
         <th class=\"num\">runs<br/><span class=\"sec\">pass / fail / error</span></th><th title=\"the smallest normalised margin (margin ÷ its criterion's scale), shown in its unit\">worst margin</th><th>failing and errored seeds</th></tr></thead><tbody>\n",
    );
    for (scenario, digest) in cx.scenarios {
        let totals = digest.totals;
        // The last record speaks for the scenario's title, tags and hazards.
        let last = digest;
        let worst = digest.worst.as_ref();
        let tags: Vec<String> = last
            .tags
            .iter()
            .map(|(k, v)| format!("<span class=\"tag\">{}={}</span>", escape(k), escape(v)))
            .collect();
        let hazards: Vec<String> = last.hazards.iter().map(|h| cx.hazard_link(h)).collect();
        let bad: Vec<String> = cx
            .failing
            .iter()
            .chain(cx.errored)
            .filter(|(k, _)| k.scenario == *scenario)
            .map(|(k, r)| {
                let class = if r.outcome == Outcome::Fail { "neg" } else { "sec" };
                format!("<a class=\"{class}\" href=\"#{}\">#{}</a>", job_anchor(k), k.seed)
            })
            .collect();
        let _ = writeln!(
            out,
            "<tr id=\"{}\"{}><td><b>{}</b><div class=\"sec\">{}</div></td><td>{}</td><td class=\"links\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"links\">{}</td></tr>",
            anchor("scenario", scenario),
            if totals.fail > 0 { " class=\"hl\"" } else { "" },
            escape(scenario),
            escape(&last.title),
            tags.concat(),
            hazards.join(" "),
            counts_html(totals.pass, totals.fail, totals.error),
            worst.map_or_else(
                || "<span class=\"sec\">–</span>".to_owned(),
                |w| format!(
                    "{} <span class=\"sec\">{}</span>",
                    margin_unit_html(w.margin, &w.unit),
                    escape(&w.criterion)
                )
            ),
            bad.join(" ")
        );
    }
    out.push_str("</tbody></table></section>\n");
}
