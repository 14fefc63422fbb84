//! A Markdown summary for CI job pages (GitLab, GitHub step summaries).
//!
//! Sections, in order; each list is cut at [`MarkdownOptions::max_items`]
//! with a line saying how many more there are:
//!
//! 1. `# {title}: passed` / `FAILED` (the gate verdict; no verdict without
//!    gate checks), then the headline: jobs, pass, fail, error, pass rate.
//! 2. `## Gate`: a table of the gate checks (when any are given).
//! 3. `## Baseline`: a table of counts per class, then tables of regressions and
//!    flaky jobs, and of **every** margin drop (job, criterion, was → now and
//!    the drop and tolerance, in the criterion's unit), when a diff is given.
//! 4. `## Top failures`: failed jobs, smallest normalised margin first
//!    (the summary's [`MarginRef`]), with their worst margin in its unit, the
//!    violated criteria and the replay command.
//! 5. `## Errors`: errored jobs by job key, with the error and the replay
//!    command.
//! 6. The caller's extra sections, each as `## {title}` and its Markdown
//!    body, in the order given.
//!
//! Table cells escape `|` and put line breaks on one line, so user text
//! cannot break the layout.

use std::fmt::Write as _;

use gauntlet_taxonomy::markdown_cell as cell;

use crate::diff::BaselineDiff;
use crate::gate::{GateCheck, gate_passed};
use crate::record::{Outcome, RunRecord};
use crate::summary::{MarginRef, Problem, Summary, fmt_margin_unit, one_line, summarize};

/// Tunables of [`render_markdown`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkdownOptions {
    /// The top heading. Default `Gauntlet`.
    pub title: String,
    /// Most rows in each list. Default `10`.
    pub max_items: usize,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        Self { title: "Gauntlet".to_owned(), max_items: 10 }
    }
}

/// Renders the Markdown summary (see the module docs). The result does not
/// depend on record order.
pub fn render_markdown<'a>(
    records: impl IntoIterator<Item = &'a RunRecord>,
    gate: &[GateCheck],
    diff: Option<&BaselineDiff>,
    extra_sections: &[(String, String)],
    options: &MarkdownOptions,
) -> String {
    render_markdown_summary(&summarize(records), gate, diff, extra_sections, options)
}

/// Renders the Markdown summary from the [`Summary`] of the records (as a
/// [`SweepDigest`](crate::SweepDigest) holds it), without the records.
pub fn render_markdown_summary(
    summary: &Summary,
    gate: &[GateCheck],
    diff: Option<&BaselineDiff>,
    extra_sections: &[(String, String)],
    options: &MarkdownOptions,
) -> String {
    let t = &summary.totals;
    let mut out = String::new();

    let verdict = match (gate.is_empty(), gate_passed(gate)) {
        (true, _) => String::new(),
        (false, true) => ": passed".to_owned(),
        (false, false) => ": FAILED".to_owned(),
    };
    let _ = writeln!(out, "# {}{verdict}\n", one_line(&options.title));
    let rate = t.pass_rate().map_or_else(|| "n/a".to_owned(), |r| format!("{:.2}%", r * 100.0));
    let _ = writeln!(
        out,
        "**{} jobs**: {} pass, {} fail, {} error; pass rate {rate}",
        t.runs, t.pass, t.fail, t.error
    );
    let tc = &summary.triage;
    if tc.unavoidable > 0 {
        let _ = writeln!(
            out,
            "\n**fail (unavoidable): {}** of {} failures: no oracle manoeuvre within the ego's limits avoids them \
             (the scenario's fault, not the stack's); avoidable {}, unknown {}, not triaged {}",
            tc.unavoidable, t.fail, tc.avoidable, tc.unknown, tc.untriaged
        );
    }
    if let Some(line) = summary.boundary.line() {
        let _ = writeln!(out, "\n**{}**", one_line(&line));
    }

    if !gate.is_empty() {
        out.push_str("\n## Gate\n\n");
        let rows = gate.iter().map(|c| {
            let status = if c.passed { "pass" } else { "**FAIL**" };
            vec![status.to_owned(), cell(&c.name), cell(&c.measured), cell(&c.required)]
        });
        table(&mut out, &["", "check", "measured", "required"], rows, gate.len(), usize::MAX);
    }

    if let Some(d) = diff {
        baseline(&mut out, d, options.max_items);
    }

    let mut failures: Vec<&Problem> =
        summary.problems.iter().filter(|p| p.outcome == Outcome::Fail).collect();
    failures.sort_by(|a, b| {
        let m = |p: &Problem| p.worst.as_ref().map_or(f64::INFINITY, |w| w.normalized);
        m(a).total_cmp(&m(b)).then_with(|| a.job.cmp(&b.job))
    });
    if !failures.is_empty() {
        out.push_str("\n## Top failures\n\n");
        let rows = failures.iter().map(|p| {
            let worst = p.worst.as_ref().map_or_else(|| "-".to_owned(), MarginRef::label);
            let job = match (p.boundary, p.avoidable) {
                (Some(class), _) => {
                    format!(
                        "{} ({}; {})",
                        p.job,
                        class.label().trim_start_matches("FAIL (").trim_end_matches(')'),
                        p.boundary_detail
                    )
                }
                (None, Some(false)) => format!("{} (unavoidable)", p.job),
                _ => p.job.to_string(),
            };
            vec![cell(&job), cell(&p.detail), cell(&worst), code(&p.replay)]
        });
        table(
            &mut out,
            &["job", "violated", "worst margin", "replay"],
            rows,
            failures.len(),
            options.max_items,
        );
    }

    let errors: Vec<&Problem> = summary.problems.iter().filter(|p| p.outcome == Outcome::Error).collect();
    if !errors.is_empty() {
        out.push_str("\n## Errors\n\n");
        let rows = errors.iter().map(|p| vec![cell(&p.job.to_string()), cell(&p.detail), code(&p.replay)]);
        table(&mut out, &["job", "error", "replay"], rows, errors.len(), options.max_items);
    }

    for (title, body) in extra_sections {
        let _ = writeln!(out, "\n## {}\n", one_line(title));
        out.push_str(body.trim_end());
        out.push('\n');
    }
    out
}

fn baseline(out: &mut String, d: &BaselineDiff, max_items: usize) {
    let c = &d.counts;
    out.push_str("\n## Baseline\n\n");
    let header = [
        "regressions",
        "fixed",
        "still failing",
        "flaky",
        "margin regressions (jobs)",
        "unchanged",
        "new",
        "removed",
    ];
    let counts = [
        c.regressions,
        c.fixed,
        c.still_failing,
        c.flaky,
        c.margin_regressions,
        c.unchanged,
        c.new_jobs,
        c.removed,
    ];
    let mut counts = counts.map(|n| n.to_string()).to_vec();
    counts[4] = format!("{} ({})", c.margin_regressions, c.margin_regressed_jobs);
    table(out, &header, std::iter::once(counts), 1, 1);
    if !d.regressions.is_empty() {
        out.push_str("\n### Regressions\n\n");
        let rows = d.regressions.iter().map(|r| {
            vec![
                cell(&r.job.to_string()),
                r.old.to_string(),
                r.new.to_string(),
                cell(&r.detail.join(", ")),
                code(&r.replay),
            ]
        });
        table(out, &["job", "was", "now", "detail", "replay"], rows, d.regressions.len(), max_items);
    }
    if !d.flaky.is_empty() {
        out.push_str("\n### Flaky (same inputs, different result)\n\n");
        let rows = d.flaky.iter().map(|f| {
            vec![
                cell(&f.job.to_string()),
                format!("{} → {}", f.old, f.new),
                cell(&format!("{} → {}", f.old_trace_hash, f.new_trace_hash)),
                code(&f.replay),
            ]
        });
        table(out, &["job", "outcome", "trace hash", "replay"], rows, d.flaky.len(), max_items);
    }
    if !d.margin_regressions.is_empty() {
        out.push_str("\n### Margin regressions\n\n");
        let rows = d.margin_regressions.iter().map(|m| {
            vec![
                cell(&m.job.to_string()),
                cell(&m.criterion_label()),
                cell(&format!(
                    "{} → {}",
                    fmt_margin_unit(m.old_margin, &m.unit),
                    fmt_margin_unit(m.new_margin, &m.unit)
                )),
                cell(&fmt_margin_unit(m.shrink, &m.unit)),
                cell(&fmt_margin_unit(m.tolerance, &m.unit)),
                code(&m.replay),
            ]
        });
        // Every drop is listed: each is a criterion closer to failing.
        let header = ["job", "criterion", "margin", "drop", "tolerance", "replay"];
        table(out, &header, rows, d.margin_regressions.len(), usize::MAX);
    }
}

/// Writes a table of at most `max` of `total` rows, then a line for the rest.
fn table(
    out: &mut String,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    total: usize,
    max: usize,
) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for row in rows.take(max) {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    if total > max {
        let _ = writeln!(out, "\n… and {} more", total - max);
    }
}

/// An inline code span for a table cell, fenced with more backticks than
/// the text contains in a row.
fn code(s: &str) -> String {
    let text = one_line(s);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffOptions, diff};
    use crate::record::tests::record;

    #[test]
    fn failures_are_ranked_by_margin_and_cut_at_max_items() {
        let records: Vec<RunRecord> = (1..=4)
            .map(|seed| {
                let mut r = record("s", seed, Outcome::Fail);
                r.verdicts[0].margin = -(seed as f64);
                r
            })
            .collect();
        let options = MarkdownOptions { max_items: 2, ..MarkdownOptions::default() };
        let md = render_markdown(&records, &[], None, &[], &options);
        let seeds: Vec<&str> = md.lines().filter(|l| l.starts_with("| s seed=")).map(|l| &l[2..10]).collect();
        assert_eq!(seeds, ["s seed=4", "s seed=3"]);
        assert!(md.contains("\n… and 2 more\n"), "{md}");
        assert!(md.starts_with("# Gauntlet\n"), "no gate, no verdict: {md}");
    }

    #[test]
    fn gate_verdict_heads_the_page() {
        let failing =
            GateCheck { name: "errors".into(), passed: false, measured: "1".into(), required: "<= 0".into() };
        let md =
            render_markdown([&record("s", 1, Outcome::Pass)], &[failing], None, &[], &Default::default());
        assert!(md.starts_with("# Gauntlet: FAILED\n"), "{md}");
        assert!(md.contains("| **FAIL** | errors | 1 | <= 0 |"), "{md}");
    }

    #[test]
    fn regressions_from_the_diff_are_listed() {
        let old = [record("s", 1, Outcome::Pass)];
        let mut new = record("s", 1, Outcome::Fail);
        new.adapter.version = "2".into();
        let d = diff(&old, [&new], &DiffOptions::default());
        let md = render_markdown([&new], &[], Some(&d), &[], &Default::default());
        assert!(md.contains("### Regressions"), "{md}");
        assert!(
            md.contains("| s seed=1 run | pass | fail | no_collision -0.800 m | `gauntlet replay"),
            "{md}"
        );
    }

    #[test]
    fn user_text_cannot_break_tables() {
        assert_eq!(cell("a|b\nc"), "a\\|b ⏎ c");
        assert_eq!(code("x --name 'a|b'"), "`x --name 'a\\|b'`");
        assert_eq!(code("say `hi`"), "`` say `hi` ``");
    }

    #[test]
    fn extra_sections_come_last_in_order() {
        let extra = vec![
            ("Coverage gaps".to_owned(), "- none\n\n".to_owned()),
            ("Notes".to_owned(), "text".to_owned()),
        ];
        let md = render_markdown([&record("s", 1, Outcome::Pass)], &[], None, &extra, &Default::default());
        assert!(md.ends_with("\n## Coverage gaps\n\n- none\n\n## Notes\n\ntext\n"), "{md}");
    }
}
