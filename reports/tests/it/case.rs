//! The assurance case's pages: the HTML is well-formed, self-contained,
//! draws every node with its status, and renders in headless Chromium; the
//! Markdown and the matrix agree with the case.

use gauntlet_reports::evidence::{
    AssuranceCase, CaseInput, EvidenceIndex, NodeKind, NodeStatus, assurance_case, hazard_log,
    render_case_html, render_case_markdown, render_hazard_log_csv, render_matrix_csv, traceability_matrix,
};
use gauntlet_reports::{RunRecord, read_records};
use gauntlet_taxonomy::{CoverageOptions, CoverageReport, Taxonomy};
use roxmltree::Document;

use crate::html::{TempDir, chromium, run_chromium, write_page};
use crate::support::fixture;

fn records() -> Vec<RunRecord> {
    read_records(fixture("html/records.jsonl")).collect::<Result<_, _>>().expect("fixture records")
}

fn built() -> (Taxonomy, CoverageReport, Vec<RunRecord>, AssuranceCase) {
    let taxonomy = Taxonomy::builtin().expect("builtin taxonomy");
    let records = records();
    let coverage =
        gauntlet_reports::coverage::record_coverage(&taxonomy, &records, &CoverageOptions::default());
    let index = EvidenceIndex::build(&taxonomy, &records);
    let adapters = vec!["builtin:reference (reference 0.1.0)".to_owned()];
    let engines = vec!["0.1.0".to_owned()];
    let case = assurance_case(&CaseInput {
        release: "<script>alert(1)</script>",
        taxonomy: &taxonomy,
        taxonomy_label: "taxonomy/default.ron",
        coverage: &coverage,
        index: &index,
        adapters: &adapters,
        engines: &engines,
        base: "",
    });
    (taxonomy, coverage, records, case)
}

#[test]
fn every_node_is_drawn_once_with_its_status_in_well_formed_self_contained_markup() {
    let (_, _, _, case) = built();
    let html = render_case_html(&case);
    let doc =
        Document::parse(html.trim_start_matches("<!DOCTYPE html>\n")).expect("the page is well-formed XML");
    let groups: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.split(' ').next() == Some("node")))
        .collect();
    assert_eq!(groups.len(), case.nodes.len());
    for n in &case.nodes {
        let id = format!("n-{}", n.id);
        let g =
            groups.iter().find(|g| g.attribute("id") == Some(id.as_str())).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(g.attribute("data-status"), Some(n.status.as_str()), "{id}");
    }
    // Every edge of the case is drawn.
    let edges: usize = case.nodes.iter().map(|n| n.supported_by.len() + n.in_context_of.len()).sum();
    let drawn =
        doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("edge "))).count();
    assert_eq!(drawn, edges);
    // Undeveloped goals carry GSN's diamond.
    let undeveloped =
        case.nodes.iter().filter(|n| n.kind == NodeKind::Goal && n.status == NodeStatus::Undeveloped).count();
    assert_eq!(html.matches("class=\"undeveloped-mark\"").count(), undeveloped);
    // No script, no external asset; the hostile release name is text.
    assert!(!html.contains("<script"));
    assert!(!html.contains(" src="));
    assert!(!html.contains("url(http"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn the_markdown_lists_every_supporting_node() {
    let (_, _, _, case) = built();
    let md = render_case_markdown(&case);
    for n in case.nodes.iter().filter(|n| n.kind != NodeKind::Context && n.kind != NodeKind::Assumption) {
        assert!(md.contains(&format!("**{}** (", n.id)), "{} missing from:\n{md}", n.id);
    }
    assert!(md.contains(&format!("Top goal: **{}**", case.summary.top.as_str())));
}

#[test]
fn the_matrix_and_hazard_log_cover_every_requirement_and_hazard() {
    let (taxonomy, coverage, records, _) = built();
    let index = EvidenceIndex::build(&taxonomy, &records);
    let rows = traceability_matrix(&taxonomy, &coverage, &index);
    for r in taxonomy.requirements() {
        for h in &r.hazards {
            assert!(rows.iter().any(|row| row.requirement == r.id && row.hazard == *h), "{} × {h}", r.id);
        }
    }
    let csv = render_matrix_csv(&rows);
    assert_eq!(csv.lines().count(), rows.len() + 1);
    assert!(csv.starts_with("requirement_id,requirement_text,hazard_id,"));
    // Every evidence job id is a record's.
    for row in &rows {
        for job in &row.jobs {
            assert!(records.iter().any(|r| &r.id == job), "{job}");
        }
    }
    let log = hazard_log(&taxonomy, &coverage, &index);
    assert_eq!(log.len(), taxonomy.hazards().len());
    assert!(log.windows(2).all(|w| w[0].asil >= w[1].asil), "not riskiest first");
    assert_eq!(render_hazard_log_csv(&log).lines().count(), log.len() + 1);
}

#[test]
fn the_case_renders_in_a_headless_browser() {
    let Some(chromium) = chromium() else { return };
    let (_, _, _, case) = built();
    let dir = TempDir::new("case");
    let page = write_page(&dir, "case.html", &render_case_html(&case));
    let dom = run_chromium(&chromium, &dir, &page, &["--dump-dom".to_owned()]);
    assert!(dom.contains("<svg"), "no graph in the DOM:\n{dom}");
    assert_eq!(dom.matches("<g class=\"node ").count(), case.nodes.len());
    assert!(dom.contains(&format!("<strong class=\"status-{0}\">{0}</strong>", case.summary.top.as_str())));
    let png = dir.0.join("case.png");
    run_chromium(
        &chromium,
        &dir,
        &page,
        &[format!("--screenshot={}", png.display()), "--window-size=1400,1000".to_owned()],
    );
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(bytes.len() > 20_000, "a {}-byte screenshot is blank", bytes.len());
}
