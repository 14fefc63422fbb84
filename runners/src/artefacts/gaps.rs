//! The "Top-risk gaps" section of the Markdown summary: where the evidence
//! for the riskiest hazards is missing, from the taxonomy's coverage.

use std::fmt::Write as _;

use gauntlet_taxonomy::markdown_cell as cell;
use gauntlet_taxonomy::{CoverageReport, Taxonomy, ValueRef};

/// Title of the section.
pub const TITLE: &str = "Top-risk gaps";

/// The section's Markdown body: the top-risk figure, the ASIL C/D hazards
/// short of passing runs, then the unexercised hazards and feasible pairs,
/// riskiest first, each list cut at `max_items`.
pub fn top_risk_gaps(taxonomy: &Taxonomy, report: &CoverageReport, max_items: usize) -> String {
    let mut out = String::new();
    let top = &report.top_risk;
    match top.hazards.ratio {
        Some(ratio) => {
            let _ = writeln!(
                out,
                "Top-risk coverage: **{} of {}** ASIL C/D hazards covered ({:.2}%). Rule: {}.",
                top.hazards.covered,
                top.hazards.total,
                ratio * 100.0,
                top.rule
            );
        }
        None => out.push_str("The taxonomy has no ASIL C or D hazard.\n"),
    }

    if !top.short.is_empty() {
        out.push_str("\n| hazard | class | title | checked runs | needed | violated | why not covered |\n");
        out.push_str("|---|---|---|---:|---:|---:|---|\n");
        for short in top.short.iter().take(max_items) {
            let Some(h) = report.hazards.iter().find(|h| h.id == short.id) else { continue };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&h.id),
                h.asil,
                cell(&h.title),
                short.checked,
                short.needed,
                short.violated,
                cell(&short.why)
            );
        }
        more(&mut out, top.short.len(), max_items);
    }

    let hazards = &report.gaps.hazards;
    if hazards.is_empty() {
        out.push_str("\nEvery hazard has been exercised.\n");
    } else {
        let _ = writeln!(out, "\nUnexercised hazards, riskiest first ({}):\n", hazards.len());
        out.push_str("| hazard | class | title | errored runs |\n|---|---|---|---:|\n");
        for g in hazards.iter().take(max_items) {
            let _ =
                writeln!(out, "| {} | {} | {} | {} |", cell(&g.id), g.rank.class, cell(&g.title), g.errored);
        }
        more(&mut out, hazards.len(), max_items);
    }

    let pairs = &report.gaps.pairs;
    if !pairs.is_empty() {
        let _ = writeln!(out, "\nUnexercised feasible pairs, riskiest first ({}):\n", pairs.len());
        out.push_str("| pair | class | hazards that can arise there |\n|---|---|---|\n");
        for p in pairs.iter().take(max_items) {
            let value = |v: &ValueRef| {
                let title = taxonomy.value(&v.dimension, &v.value).map(|d| d.title.as_str());
                match title {
                    Some(t) if !t.is_empty() => format!("{}={} ({t})", v.dimension, v.value),
                    _ => format!("{}={}", v.dimension, v.value),
                }
            };
            let class = if p.hazards.is_empty() { "-".to_owned() } else { p.rank.class.to_string() };
            let hazards = if p.hazards.is_empty() { "none".to_owned() } else { p.hazards.join(", ") };
            let _ = writeln!(
                out,
                "| {} × {} | {} | {} |",
                cell(&value(&p.a)),
                cell(&value(&p.b)),
                class,
                cell(&hazards)
            );
        }
        more(&mut out, pairs.len(), max_items);
    }
    out
}

fn more(out: &mut String, total: usize, shown: usize) {
    if total > shown {
        let _ = writeln!(out, "\n…and {} more.", total - shown);
    }
}
