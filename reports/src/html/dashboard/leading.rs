//! The leading indicators of the trends section: (hazard, criterion)
//! margin trends over the history and tonight ([`crate::trend`]).

use std::fmt::Write as _;

use crate::html::escape::escape;
use crate::trend::LeadingReport;

fn num(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "–".to_owned(), |x| format!("{x:.digits$}"))
}

pub(super) fn write(out: &mut String, report: &LeadingReport) {
    let o = &report.options;
    let _ = writeln!(
        out,
        "<h3 id=\"leading\">Leading indicators</h3><p class=\"lead\">{} alert(s) over the last {} nights, tonight \
         included: the worst margin of each (hazard, criterion) per night, its Theil–Sen slope, and tonight's distance \
         to the threshold in units of night-to-night noise (1.4826 × MAD of the residuals). An alert: a shrinking \
         trend over at least {} nights, still passing tonight, projected to flip within {} nights or within {} noise \
         units of it.</p>",
        report.alerts,
        report.nights.len(),
        o.min_nights,
        o.horizon_nights,
        o.max_noise_units
    );
    out.push_str(
        "<table class=\"data\" id=\"leading-table\"><thead><tr><th></th><th>hazard</th><th>criterion</th>\
         <th class=\"num\">worst margin per night (oldest first)</th><th class=\"num\">slope / night</th>\
         <th class=\"num\">noise</th><th class=\"num\">distance (noise units)</th><th class=\"num\">nights to flip</th>\
         </tr></thead><tbody>\n",
    );
    for t in &report.trends {
        let margins: Vec<String> = t.margins.iter().map(|m| num(*m, 3)).collect();
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{} {}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            if t.alert { "alert" } else { "steady" },
            if t.alert { "<span class=\"pill fail\">alert</span>" } else { "" },
            escape(&t.hazard),
            escape(&t.criterion),
            margins.join(" · "),
            escape(&t.unit),
            num(t.slope, 4),
            num(t.noise, 4),
            num(t.distance_in_noise, 1),
            num(t.nights_to_flip, 1),
        );
    }
    out.push_str("</tbody></table>\n");
}
