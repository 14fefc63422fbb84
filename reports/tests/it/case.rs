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
        monitors: None,
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
    let log = hazard_log(&taxonomy, &coverage, &index, None);
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

#[test]
fn monitors_are_context_of_their_hazards_goals_and_change_no_status() {
    let taxonomy = Taxonomy::builtin().expect("builtin taxonomy");
    let mut records: Vec<RunRecord> =
        read_records(fixture("monitors/records.jsonl")).collect::<Result<_, _>>().expect("fixture records");
    // The fixture's hazards `H-1`/`H-2` become the built-in taxonomy's first two.
    let ids: Vec<String> = taxonomy.hazards().iter().take(2).map(|h| h.id.clone()).collect();
    for r in &mut records {
        for h in &mut r.hazards {
            *h = if h == "H-1" { ids[0].clone() } else { ids[1].clone() };
        }
    }
    let coverage =
        gauntlet_reports::coverage::record_coverage(&taxonomy, &records, &CoverageOptions::default());
    let index = EvidenceIndex::build(&taxonomy, &records);
    let options = gauntlet_reports::monitors::MonitorOptions { near_miss_fraction: 0.5, lead_window: 2.0 };
    let monitors = gauntlet_reports::monitors::score_monitors(&records, options);
    let input = |monitors| CaseInput {
        release: "r",
        taxonomy: &taxonomy,
        taxonomy_label: "t",
        coverage: &coverage,
        index: &index,
        adapters: &[],
        engines: &[],
        base: "",
        monitors,
    };
    let without = assurance_case(&input(None));
    let with = assurance_case(&input(Some(&monitors)));
    assert_eq!(with.summary, without.summary);
    for n in &without.nodes {
        assert_eq!(with.node(&n.id).map(|m| m.status), Some(n.status), "{}", n.id);
    }
    // Both hazards' goals get one neutral context node with the fixture's figures
    // (tests/it/monitors.rs works them by hand): fcw detects 2 of H-1's 3 events.
    for id in &ids {
        let c = with.node(&format!("C.{id}.monitors")).unwrap_or_else(|| panic!("C.{id}.monitors"));
        assert_eq!((c.kind, c.status), (NodeKind::Context, NodeStatus::Neutral));
        assert!(with.node(&format!("G.{id}")).unwrap().in_context_of.contains(&c.id));
        assert_eq!(c.links[0].href, format!("monitors.md#monitors-{}", id.to_lowercase()));
        assert!(c.text.contains("not evidence of mitigation"), "{}", c.text);
    }
    let c = with.node(&format!("C.{}.monitors", ids[0])).unwrap();
    assert!(
        c.text.contains(
            "fcw: 2 jobs, recall 66.7% (2 of 3 events detected), 0 of 2 activations false alarms, median lead 0.85 s"
        ),
        "{}",
        c.text
    );
    assert_eq!(with.nodes.len(), without.nodes.len() + 2);

    let log = hazard_log(&taxonomy, &coverage, &index, Some(&monitors));
    let entry = log.iter().find(|e| e.id == ids[0]).expect("hazard in the log");
    assert_eq!(entry.monitors, gauntlet_reports::monitors::hazard_lines(&monitors, &ids[0]));
    assert_eq!(entry.monitors.len(), 2, "aeb and fcw");
    let md = gauntlet_reports::evidence::render_hazard_log_markdown(&log);
    assert!(md.contains(&format!("monitors.md#monitors-{}", ids[0].to_lowercase())), "{md}");
    assert!(log.iter().filter(|e| !ids.contains(&e.id)).all(|e| e.monitors.is_empty()));
}
