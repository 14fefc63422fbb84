//! Golden files for the text and Markdown renderings of the small coverage report.
//! Set `GAUNTLET_BLESS=1` to rewrite them after an intended change, then review the diff.

use gauntlet_taxonomy::{CoverageOptions, coverage, render_markdown, render_text};

use crate::coverage::jobs;
use crate::{fixture, small};

fn check_golden(name: &str, actual: &str) {
    let path = fixture(name);
    if std::env::var_os("GAUNTLET_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(expected == actual, "{} differs from the rendering:\n{actual}", path.display());
}

#[test]
fn text_golden() {
    let report = coverage(&small(), &jobs(), &CoverageOptions::default());
    check_golden("small.coverage.txt", &render_text(&report));
}

#[test]
fn markdown_golden() {
    let report = coverage(&small(), &jobs(), &CoverageOptions::default());
    check_golden("small.coverage.md", &render_markdown(&report));
}

#[test]
fn renders_the_default_taxonomy_without_jobs() {
    let taxonomy = gauntlet_taxonomy::Taxonomy::builtin().unwrap();
    let report = coverage(&taxonomy, &[], &CoverageOptions::default());
    let text = render_text(&report);
    assert!(text.contains("Hazards exercised"));
    assert!(text.contains(&format!("… and {} more unexercised pairs", report.gaps.pairs.len() - 25)));
    let markdown = render_markdown(&report);
    assert!(markdown.starts_with("## Coverage\n"));
    // The hazard table and the gap table (nothing is exercised) each have a row per hazard.
    assert_eq!(markdown.lines().filter(|l| l.starts_with("| H-0")).count(), taxonomy.hazards().len() * 2);
}
