//! The trend over earlier sweeps.

use std::fmt::Write as _;

use super::{Context, counts_html};
use crate::html::chart::trend_chart;
use crate::html::escape::escape;
use crate::html::format::opt_percent;

pub(super) fn write(out: &mut String, cx: &Context<'_>) {
    let history = cx.input.history;
    let _ = writeln!(
        out,
        "<section class=\"panel\" id=\"trends\"><h2>Trends</h2><p class=\"lead\">The last {} sweeps, oldest first.</p>",
        history.len()
    );
    out.push_str(
        "<div class=\"legend\"><span><span class=\"ln\" style=\"border-color: #1a7f37\"></span>pass rate</span>\
         <span><span class=\"ln dash\" style=\"border-color: #8250df\"></span>top-risk coverage</span>\
         <span><span class=\"sw\" style=\"background: #e5534b\"></span>failed jobs</span>\
         <span><span class=\"sw\" style=\"background: #d4a72c\"></span>errored jobs</span></div>\n",
    );
    out.push_str(&trend_chart(history));
    out.push_str(
        "<details><summary>As a table</summary><table class=\"data\" id=\"trend-table\"><thead><tr><th>sweep</th>\
         <th class=\"num\">runs</th><th class=\"num\">pass / fail / error</th><th class=\"num\">pass rate</th><th class=\"num\">top-risk coverage</th></tr></thead><tbody>\n",
    );
    for h in history {
        let t = &h.totals;
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&h.label),
            t.runs,
            counts_html(t.pass, t.fail, t.error),
            opt_percent(t.pass_rate()),
            opt_percent(h.top_risk_coverage)
        );
    }
    out.push_str("</tbody></table></details>");
    if let Some(leading) = cx.input.leading {
        out.push('\n');
        super::leading::write(out, leading);
    }
    out.push_str("</section>\n");
}
