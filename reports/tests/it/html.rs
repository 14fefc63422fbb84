//! The HTML dashboard and replay viewer: structure (checked with an XML
//! parser: the pages are polyglot markup), escaping of hostile strings, and
//! the pages as a headless Chromium renders them.
//!
//! The browser tests need `chromium` (or the binary named by `CHROMIUM`) on
//! the `PATH`; without it they fail when `CI=true` and are skipped with a
//! note otherwise. `GAUNTLET_BLESS=1` also rewrites the screenshots in
//! `docs/` (`dashboard.png`, `replay.png`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use gauntlet_reports::html::TraceView;
use gauntlet_reports::{
    BaselineDiff, DashboardInput, DiffOptions, GateCheck, GateConfig, GateInputs, HistoryPoint, JobKey,
    JobKind, Outcome, RunRecord, SweepDigest, Totals, diff, evaluate, read_records, render_dashboard,
    render_replay,
};
use gauntlet_taxonomy::{CoverageOptions, CoverageReport, JobFacts, Taxonomy, coverage};
use roxmltree::{Document, Node};

use crate::support::fixture;

const XSS_TITLE: &str = "<script>alert(1)</script>";
const XSS_CRITERION: &str = "gap \"ahead\" & behind";

fn records() -> Vec<RunRecord> {
    read_records(fixture("html/records.jsonl"))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("fixture html/records.jsonl: {e}"))
}

fn trace(name: &str) -> TraceView {
    let path = fixture(&format!("html/{name}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn key(scenario: &str, kind: JobKind, seed: u64) -> JobKey {
    JobKey { scenario: scenario.to_owned(), kind, seed, instance: None }
}

fn facts(records: &[RunRecord]) -> Vec<JobFacts> {
    records.iter().map(gauntlet_reports::coverage::job_facts).collect()
}

/// Everything a dashboard is drawn from, owned.
struct Sweep {
    records: Vec<RunRecord>,
    digest: SweepDigest,
    taxonomy: Taxonomy,
    coverage: CoverageReport,
    gate: Vec<GateCheck>,
    diff: BaselineDiff,
    history: Vec<HistoryPoint>,
    traces: BTreeMap<JobKey, TraceView>,
}

impl Sweep {
    fn new(records: Vec<RunRecord>) -> Self {
        let taxonomy = Taxonomy::builtin().expect("the default taxonomy loads");
        let coverage = coverage(&taxonomy, &facts(&records), &CoverageOptions::default());
        // Last night, with older scenario files: the failing cut-in passed
        // and the errored job failed. The icy curve, from the same inputs,
        // gave another trace: a flake.
        let mut baseline = records.clone();
        for r in &mut baseline {
            match (r.scenario.as_str(), r.seed) {
                ("cut_in.highway", 2) => {
                    r.file_hash.push_str("-old");
                    r.outcome = Outcome::Pass;
                    r.verdicts.iter_mut().for_each(|v| {
                        v.passed = true;
                        v.margin = 0.5;
                        v.first_violation_t = None;
                        v.impact_speed = None;
                    });
                }
                ("curve.rural_icy", 2) => r.trace_hash.push_str("-other"),
                ("lead_braking.wet", 3) => {
                    r.file_hash.push_str("-old");
                    r.outcome = Outcome::Fail;
                }
                _ => {}
            }
        }
        let diff = diff(&baseline, &records, &DiffOptions::default());
        let config = GateConfig::parse(
            "[gate]\nmin_pass_rate = 0.95\nmax_errors = 0\nno_regressions = true\nmin_top_risk_coverage = 0.5\n",
            "gauntlet.toml",
        )
        .expect("the gate config parses");
        let gate = evaluate(
            &config,
            &GateInputs {
                totals: Totals::from_records(&records),
                diff: Some(&diff),
                top_risk_coverage: coverage.top_risk.hazards.ratio,
                risk_classes: BTreeMap::new(),
                ..GateInputs::default()
            },
        );
        let history =
            [(40, 38, 2, 0, 0.50), (40, 39, 1, 0, 0.55), (42, 38, 3, 1, 0.55), (44, 42, 1, 1, 0.60)]
                .iter()
                .enumerate()
                .map(|(i, &(runs, pass, fail, error, top))| HistoryPoint {
                    label: format!("11-{:02}", 22 + i),
                    totals: Totals { runs, pass, fail, error },
                    top_risk_coverage: Some(top),
                })
                .chain(std::iter::once(HistoryPoint {
                    label: "11-26".to_owned(),
                    totals: Totals::from_records(&records),
                    top_risk_coverage: coverage.top_risk.hazards.ratio,
                }))
                .collect();
        let traces = BTreeMap::from([
            (key("cut_in.highway", JobKind::Run, 2), trace("trace_cut_in.json")),
            (key("pedestrian.crosswalk", JobKind::Run, 1), trace("trace_pedestrian.json")),
        ]);
        let digest = SweepDigest::with_taxonomy(&taxonomy, &records);
        Sweep { records, digest, taxonomy, coverage, gate, diff, history, traces }
    }

    fn input(&self) -> DashboardInput<'_> {
        DashboardInput {
            title: "Gauntlet nightly".to_owned(),
            digest: &self.digest,
            taxonomy: Some(&self.taxonomy),
            coverage: Some(&self.coverage),
            gate: &self.gate,
            diff: Some(&self.diff),
            history: &self.history,
            leading: None,
            traces: &self.traces,
            trace_notes: &[],
        }
    }
}

fn parse(html: &str) -> Document<'_> {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    Document::parse_with_options(html, options).unwrap_or_else(|e| panic!("not well-formed: {e}"))
}

fn by_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Node<'a, 'i> {
    doc.descendants().find(|n| n.attribute("id") == Some(id)).unwrap_or_else(|| panic!("no element #{id}"))
}

fn has_class(node: &Node<'_, '_>, class: &str) -> bool {
    node.attribute("class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

fn text(node: &Node<'_, '_>) -> String {
    node.descendants().filter(|n| n.is_text()).map(|n| n.text().unwrap_or("")).collect()
}

fn elements<'a, 'i>(node: Node<'a, 'i>, tag: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.descendants().filter(move |n| n.tag_name().name() == tag)
}

#[test]
fn dashboard_is_well_formed_with_every_section_and_no_dangling_link() {
    let sweep = Sweep::new(records());
    let html = render_dashboard(&sweep.input());
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    for forbidden in ["http://", "https://", "<link", "@import", "url("] {
        let allowed_namespaces = html.replace("http://www.w3.org/", "");
        assert!(!allowed_namespaces.contains(forbidden), "external reference {forbidden:?}");
    }
    let doc = parse(&html);
    for id in [
        "overview",
        "gate",
        "baseline",
        "hazards",
        "coverage",
        "traceability",
        "failures",
        "errors",
        "scenarios",
        "trends",
    ] {
        by_id(&doc, id);
    }
    assert_eq!(text(&by_id(&doc, "gate-verdict")), "gate failed");
    let cards = text(&by_id(&doc, "cards-jobs"));
    assert!(cards.contains("runs13") && cards.contains("fail3") && cards.contains("error1"), "{cards}");
    assert!(cards.contains("pass rate69.2%"), "{cards}");
    let baseline = text(&by_id(&doc, "cards-baseline"));
    assert!(baseline.contains("regressions1") && baseline.contains("flaky1"), "{baseline}");
    let regressions = text(&by_id(&doc, "regressions"));
    assert!(regressions.contains("cut_in.highway seed 2"), "{regressions}");

    let ids: std::collections::BTreeSet<&str> = doc.descendants().filter_map(|n| n.attribute("id")).collect();
    let mut links = 0;
    for href in doc.descendants().filter_map(|n| n.attribute("href")) {
        let target = href.strip_prefix('#').unwrap_or_else(|| panic!("non-local link {href}"));
        assert!(ids.contains(target), "dangling link {href}");
        links += 1;
    }
    assert!(links > 40, "only {links} links");
}

#[test]
fn hazards_are_ranked_by_risk_with_status_interval_and_evidence() {
    let sweep = Sweep::new(records());
    let html = render_dashboard(&sweep.input());
    let doc = parse(&html);
    let rows: Vec<Node<'_, '_>> =
        elements(by_id(&doc, "hazard-table"), "tr").filter(|r| has_class(r, "hazard")).collect();
    assert_eq!(rows.len(), sweep.taxonomy.hazards().len());

    let risk = |row: &Node<'_, '_>| {
        let id = row.attribute("id").unwrap().strip_prefix("hazard-").unwrap().replace("_2d", "-");
        sweep.taxonomy.hazard(&id).unwrap_or_else(|| panic!("{id}")).asil
    };
    assert_eq!(risk(&rows[0]), gauntlet_taxonomy::AsilClass::D);
    assert!(rows.windows(2).all(|w| risk(&w[0]) >= risk(&w[1])), "not ranked by ASIL");

    let row =
        |id: &str| *rows.iter().find(|r| r.attribute("id") == Some(id)).unwrap_or_else(|| panic!("{id}"));
    // H-002 (cut-in): two failing jobs, but only the run of seed 2 violated a check of its
    // requirement SR-002 (no_collision); the fuzzed variant failed only the scenario's own min_ttc.
    let h2 = row("hazard-H-002");
    assert!(has_class(&h2, "violated"));
    let evidence: Vec<&str> =
        h2.descendants().filter(|n| has_class(n, "job-link")).filter_map(|n| n.attribute("href")).collect();
    assert_eq!(evidence, ["#job-cut_5fin.highway-run-2"]);
    // 1 of the 4 runs judged against SR-002 violated it: 25 % within Wilson [4.6 %, 69.9 %].
    let t = text(&h2);
    assert!(t.contains("4 / 1") && t.contains("25.0% [4.6% – 69.9%]"), "{t}");
    // Its worst margin is SR-002's no_collision, not the scenario's min_ttc −1.998.
    assert!(t.contains("-1.853") && t.contains("no_collision") && !t.contains("-1.998"), "{t}");
    // H-001: only passing runs (the errored one is no evidence). H-003: nothing.
    assert!(has_class(&row("hazard-H-001"), "held"));
    let h3 = row("hazard-H-003");
    assert!(has_class(&h3, "unexercised"));
    assert!(text(&h3).contains("no scenario names it"));
}

#[test]
fn heatmap_has_one_cell_per_value_pair_coloured_by_evidence() {
    let sweep = Sweep::new(records());
    let html = render_dashboard(&sweep.input());
    let doc = parse(&html);
    let dims = sweep.taxonomy.dimensions();
    let grids: Vec<Node<'_, '_>> = elements(by_id(&doc, "coverage"), "figure").collect();
    assert_eq!(grids.len(), dims.len() * (dims.len() - 1) / 2);

    let cells: Vec<Node<'_, '_>> =
        elements(by_id(&doc, "coverage"), "td").filter(|n| has_class(n, "cell")).collect();
    let expected: usize = (0..dims.len())
        .flat_map(|i| (i + 1..dims.len()).map(move |j| (i, j)))
        .map(|(i, j)| dims[i].values.len() * dims[j].values.len())
        .sum();
    assert_eq!(cells.len(), expected);
    let feasible = sweep.taxonomy.feasible_pairs().len();
    let count = |class: &str| cells.iter().filter(|c| has_class(c, class)).count();
    assert_eq!(count("excluded"), expected - feasible);
    assert_eq!(count("pass") + count("fail"), sweep.coverage.pair_coverage.covered as usize);
    assert_eq!(count("hole"), feasible - sweep.coverage.pair_coverage.covered as usize);

    let cell = |a: &str, va: &str, b: &str, vb: &str| {
        let grid = grids
            .iter()
            .find(|g| g.attribute("data-a") == Some(a) && g.attribute("data-b") == Some(b))
            .unwrap_or_else(|| panic!("no grid {a} × {b}"));
        let column = dims.iter().find(|d| d.id == b).unwrap().values.iter().position(|v| v.id == vb).unwrap();
        let row = elements(*grid, "tr")
            .find(|r| r.children().any(|th| th.tag_name().name() == "th" && text(&th) == va))
            .unwrap_or_else(|| panic!("no row {va}"));
        let cell = elements(row, "td").nth(column).unwrap();
        (cell.attribute("class").unwrap().to_owned(), text(&cell))
    };
    assert_eq!(cell("road", "highway", "event", "cut_in"), ("cell fail".to_owned(), "4".to_owned()));
    assert_eq!(cell("road", "rural", "event", "curve"), ("cell pass".to_owned(), "2".to_owned()));
    assert_eq!(cell("road", "yard", "event", "following"), ("cell hole".to_owned(), String::new()));
    assert_eq!(cell("road", "crosswalk", "event", "curve"), ("cell excluded".to_owned(), String::new()));
    // The errored lead-braking run is no evidence: still 2 runs with a verdict.
    assert_eq!(cell("road", "highway", "event", "lead_braking"), ("cell pass".to_owned(), "2".to_owned()));
}

#[test]
fn traceability_goes_from_requirement_to_latest_verdict() {
    let sweep = Sweep::new(records());
    let html = render_dashboard(&sweep.input());
    let doc = parse(&html);
    let table = by_id(&doc, "trace-table");
    let requirement_cells: Vec<Node<'_, '_>> =
        elements(table, "td").filter(|n| has_class(n, "req")).collect();
    assert_eq!(requirement_cells.len(), sweep.taxonomy.requirements().len());

    // SR-002 → H-002 → cut_in.highway; the latest run naming it is the fuzzed seed 17, which failed.
    let sr2 = by_id(&doc, "req-SR-002");
    let row = sr2.parent().unwrap();
    let t = text(&row);
    assert!(t.contains("H-002") && t.contains("cut_in.highway") && t.contains("2 / 2 / 0"), "{t}");
    // SR-002 is failing: the run of seed 2 violated its no_collision check, and no run judged
    // its min_gap check (the records have no min_gap verdict), so none passed it whole.
    assert!(t.starts_with("SR-002 failing"), "{t}");
    assert!(t.contains("failing: 0 passing of 10 needed, 1 failing, 3 not evaluated"), "{t}");
    assert!(t.contains("✗ cut_in.highway seed 2 no_collision -1.853"), "{t}");
    let latest = row.descendants().find(|n| has_class(n, "pill") && has_class(n, "fail")).map(|n| text(&n));
    assert_eq!(latest.as_deref(), Some("failing"));
    assert!(row.descendants().any(|n| n.attribute("href") == Some("#job-cut_5fin.highway-fuzz-17")));
    // The latest run (fuzz 17) judged SR-002's no_collision but not its min_gap.
    assert!(t.contains("✓ no_collision 0.350") && t.contains("min_gap not evaluated"), "{t}");
    // SR-003's H-003 has no scenario: the gap is a row of its own.
    let sr3_rows = by_id(&doc, "req-SR-003").attribute("rowspan").unwrap();
    assert_eq!(sr3_rows, "2");
    let gap = elements(table, "tr").find(|r| has_class(r, "gap")).expect("a gap row");
    assert!(text(&gap).contains("H-003") && text(&gap).contains("no scenario names this hazard"));
}

#[test]
fn every_failing_job_has_criteria_replay_and_a_picture_or_a_note() {
    let sweep = Sweep::new(records());
    let html = render_dashboard(&sweep.input());
    let doc = parse(&html);
    let jobs: Vec<Node<'_, '_>> = elements(by_id(&doc, "failures"), "article").collect();
    let ids: Vec<&str> = jobs.iter().map(|j| j.attribute("id").unwrap()).collect();
    // Smallest margin first.
    assert_eq!(
        ids,
        ["job-pedestrian.crosswalk-run-1", "job-cut_5fin.highway-run-2", "job-cut_5fin.highway-fuzz-17"]
    );
    for (job, replay) in jobs.iter().zip([
        "gauntlet replay scenarios/library/pedestrian.ron --seed 1",
        "gauntlet replay scenarios/library/cut_in.ron --seed 2",
        "gauntlet replay scenarios/library/cut_in.ron --seed 17 --fuzz",
    ]) {
        let code = elements(*job, "code").map(|c| text(&c)).find(|c| c.starts_with("gauntlet replay"));
        assert_eq!(code.as_deref(), Some(replay));
    }
    let violations = text(&elements(jobs[1], "table").next().unwrap());
    assert!(violations.contains("no_collision-1.8533.05 s4.05 s5.1 m/s"), "{violations}");
    assert!(violations.contains("min_ttc-1.998") && !violations.contains("speed_limit"), "{violations}");

    let svg = elements(jobs[1], "svg").next().expect("a picture of the cut-in");
    assert_eq!(svg.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    let count = |class: &str| svg.descendants().filter(|n| has_class(n, class)).count();
    assert_eq!(count("road-edge"), 2);
    assert_eq!(count("lane-line"), 1);
    assert_eq!(count("ego-path"), 1);
    assert_eq!(count("actor-path"), 2);
    assert_eq!(count("outline"), 3, "every body's outline at the first violation");
    assert_eq!(count("violation"), 1);
    assert!(text(&svg).contains("first violation: no_collision at 3.05 s"));
    let crosswalks = elements(jobs[0], "polygon").filter(|n| has_class(n, "crosswalk")).count();
    assert_eq!(crosswalks, 1);

    // The fuzzed job was not re-run: no trace, and the page says so.
    assert!(elements(jobs[2], "svg").next().is_none());
    assert!(jobs[2].descendants().any(|n| has_class(&n, "no-trace")));
    // The errored job is listed with its error.
    let errors = text(&by_id(&doc, "error-table"));
    assert!(errors.contains("adapter_timeout") && errors.contains("no reply within 1 s"), "{errors}");
}

#[test]
fn trends_appear_with_history_only() {
    let sweep = Sweep::new(records());
    let html = render_dashboard(&sweep.input());
    let doc = parse(&html);
    let chart = elements(by_id(&doc, "trends"), "svg").next().expect("a trend chart");
    let points = chart.descendants().filter(|n| has_class(n, "pass-rate-point")).count();
    assert_eq!(points, sweep.history.len());
    assert_eq!(chart.descendants().filter(|n| has_class(n, "pass-rate")).count(), 1);
    assert_eq!(chart.descendants().filter(|n| has_class(n, "bar")).count(), sweep.history.len());

    let mut input = sweep.input();
    input.history = &[];
    let html = render_dashboard(&input);
    assert!(!html.contains("id=\"trends\""));
}

#[test]
fn dashboard_is_deterministic_and_works_from_records_alone() {
    let sweep = Sweep::new(records());
    let html = render_dashboard(&sweep.input());
    assert_eq!(html, render_dashboard(&sweep.input()));

    // Given the taxonomy but no coverage, the dashboard computes it.
    let mut input = sweep.input();
    input.coverage = None;
    assert_eq!(render_dashboard(&input), html);

    // Records alone: every section still renders, saying what is missing.
    let bare_digest = SweepDigest::of(&sweep.records);
    let bare = render_dashboard(&DashboardInput::new("bare", &bare_digest));
    let doc = parse(&bare);
    assert_eq!(text(&by_id(&doc, "gate-verdict")), "no gate");
    assert!(text(&by_id(&doc, "hazards")).contains("No taxonomy was given"));
    assert_eq!(elements(by_id(&doc, "failures"), "article").count(), 3);
    assert!(elements(by_id(&doc, "failures"), "svg").next().is_none());

    let empty_digest = SweepDigest::of([]);
    let empty = render_dashboard(&DashboardInput::new("empty", &empty_digest));
    let doc = parse(&empty);
    assert!(text(&by_id(&doc, "failures")).contains("No job failed."));
}

/// The fixture with a hostile title and criterion on the failing cut-in job.
fn hostile() -> (Vec<RunRecord>, TraceView) {
    let mut records = records();
    for r in &mut records {
        if r.scenario == "cut_in.highway" && r.seed == 2 {
            r.title = XSS_TITLE.to_owned();
            r.verdicts[0].criterion = XSS_CRITERION.to_owned();
        }
    }
    let mut trace = trace("trace_cut_in.json");
    trace.first_violation = Some((3.05, XSS_CRITERION.to_owned()));
    for f in &mut trace.frames {
        f.margins[0].0 = XSS_CRITERION.to_owned();
        f.observation["note"] = serde_json::Value::String(format!("</script>{XSS_TITLE}<!--"));
    }
    (records, trace)
}

/// Asserts that no script element but the page's own exists and that the
/// hostile strings are there as text.
fn assert_inert(html: &str, own_scripts: usize) {
    assert_eq!(html.matches("<script").count(), own_scripts, "an injected script element");
    assert!(!html.contains(XSS_TITLE), "the title is unescaped somewhere");
    assert!(!html.contains(XSS_CRITERION), "the criterion is unescaped somewhere");
    let doc = parse(html);
    let scripts: Vec<Node<'_, '_>> = elements(doc.root(), "script").collect();
    assert_eq!(scripts.len(), own_scripts);
    for script in &scripts {
        assert!(!text(script).contains("alert(1)") || script.attribute("type") == Some("application/json"));
    }
    let texts: Vec<&str> =
        doc.descendants().filter_map(|n| if n.is_text() { n.text() } else { None }).collect();
    assert!(texts.iter().any(|t| t.contains(XSS_TITLE)), "the title is not shown as text");
    assert!(texts.iter().any(|t| t.contains(XSS_CRITERION)), "the criterion is not shown as text");
}

#[test]
fn hostile_strings_are_escaped_in_the_dashboard() {
    let (records, trace) = hostile();
    let mut sweep = Sweep::new(records);
    sweep.traces.insert(key("cut_in.highway", JobKind::Run, 2), trace);
    let mut input = sweep.input();
    input.title = XSS_TITLE.to_owned();
    let html = render_dashboard(&input);
    assert_inert(&html, 2);
    assert!(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"));

    let doc = parse(&html);
    let blob = by_id(&doc, "gauntlet-summary");
    let raw = text(&blob);
    assert!(raw.contains("\\u003cscript\\u003e"), "{raw}");
    let summary: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(summary["title"], XSS_TITLE);
    let failing = summary["failing"].as_array().unwrap();
    assert!(failing.iter().any(|f| f["title"] == XSS_TITLE && f["violated"][0] == XSS_CRITERION));
}

#[test]
fn hostile_strings_are_escaped_in_the_replay_and_its_data() {
    let (records, trace) = hostile();
    let record = records.iter().find(|r| r.title == XSS_TITLE).unwrap();
    let html = render_replay(record, &trace);
    assert_inert(&html, 2);
    let doc = parse(&html);
    // In an attribute too: the plot's label.
    let label = format!("margin of {XSS_CRITERION} over time");
    assert!(doc.descendants().any(|n| n.attribute("aria-label") == Some(label.as_str())));
    let data: serde_json::Value = serde_json::from_str(&text(&by_id(&doc, "replay-data"))).unwrap();
    assert_eq!(data["frames"][0]["observation"]["note"], format!("</script>{XSS_TITLE}<!--"));
}

#[test]
fn replay_embeds_every_frame_with_plots_and_controls() {
    let records = records();
    let record = records.iter().find(|r| r.scenario == "cut_in.highway" && r.seed == 2).unwrap();
    let trace = trace("trace_cut_in.json");
    let html = render_replay(record, &trace);
    assert_eq!(html, render_replay(record, &trace), "deterministic");
    let doc = parse(&html);
    let data: serde_json::Value = serde_json::from_str(&text(&by_id(&doc, "replay-data"))).unwrap();
    assert_eq!(data["frames"].as_array().unwrap().len(), trace.frames.len());
    assert_eq!(data["bodies"].as_array().unwrap().len(), 3);
    // The record's infinite margins travel as text, not as a JSON null.
    assert!(data["frames"][0]["margins"][1][1].is_string(), "{}", data["frames"][0]["margins"]);

    let violation = trace.frames.iter().position(|f| f.t >= 3.05 - 1e-9).unwrap();
    assert_eq!(data["start"], violation);
    let slider = by_id(&doc, "frame-slider");
    assert_eq!(slider.attribute("max"), Some((trace.frames.len() - 1).to_string().as_str()));
    assert_eq!(slider.attribute("value"), Some(violation.to_string().as_str()));
    for id in [
        "play",
        "prev",
        "next",
        "speed",
        "to-violation",
        "frame-counter",
        "bodies",
        "control-table",
        "margin-table",
        "observation-table",
    ] {
        by_id(&doc, id);
    }
    let plots: Vec<Node<'_, '_>> =
        elements(by_id(&doc, "margins"), "svg").filter(|n| has_class(n, "margin-plot")).collect();
    assert_eq!(plots.len(), 2, "one plot per criterion");
    for plot in &plots {
        for class in ["zero", "cursor", "series"] {
            assert_eq!(plot.descendants().filter(|n| has_class(n, class)).count(), 1, "{class}");
        }
    }
    assert_eq!(plots[0].descendants().filter(|n| has_class(n, "first-violation")).count(), 1);
    let verdicts = text(&by_id(&doc, "verdict-table"));
    assert!(verdicts.contains("violatedno_collision-1.853"), "{verdicts}");
}

#[test]
fn a_downsampled_replay_says_so_and_a_whole_one_does_not() {
    let records = records();
    let record = records.iter().find(|r| r.scenario == "cut_in.highway" && r.seed == 2).unwrap();
    let mut trace = trace("trace_cut_in.json");
    assert!(!render_replay(record, &trace).contains("id=\"downsampled\""));
    trace.steps = trace.frames.len() as u64 * 10;
    let html = render_replay(record, &trace);
    let doc = parse(&html);
    let note = text(&by_id(&doc, "downsampled"));
    assert!(note.contains(&format!("took {} steps", trace.steps)), "{note}");
    assert!(note.contains(&format!("shows {} of them (about 1 in 10)", trace.frames.len())), "{note}");
}

#[test]
fn replay_of_a_trace_without_frames_says_so() {
    let records = records();
    let html = render_replay(&records[0], &TraceView::default());
    let doc = parse(&html);
    assert!(text(&by_id(&doc, "viewer")).contains("nothing to animate"));
    assert_eq!(elements(doc.root(), "script").count(), 0);
}

// ---------------------------------------------------------------------------
// Headless browser

/// The Chromium binary, or `None` (after a note) when it is missing outside CI.
pub(crate) fn chromium() -> Option<PathBuf> {
    let name = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_owned());
    let found = if name.contains('/') {
        Some(PathBuf::from(&name)).filter(|p| p.is_file())
    } else {
        std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join(&name)).find(|p| p.is_file()))
    };
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is not installed; the HTML browser tests need it in CI (apt-get install chromium)"
        );
        eprintln!(
            "note: {name} not found on PATH; skipping the headless-browser test (set CHROMIUM or install chromium)"
        );
    }
    found
}

/// A fresh directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("gauntlet-html-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs headless Chromium on `page` with `args`; returns its stdout.
pub(crate) fn run_chromium(chromium: &Path, dir: &TempDir, page: &Path, args: &[String]) -> String {
    let profile = dir.0.join("profile");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("failed to start {}: {e}", chromium.display()));
    let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let (out, err) = (read(Box::new(stdout)), read(Box::new(stderr)));
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for chromium") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "chromium failed ({status}):\n{err}");
    out
}

pub(crate) fn write_page(dir: &TempDir, name: &str, html: &str) -> PathBuf {
    let path = dir.0.join(name);
    std::fs::write(&path, html).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

#[test]
fn dashboard_renders_in_a_headless_browser() {
    let Some(chromium) = chromium() else { return };
    let (records, trace) = hostile();
    let mut sweep = Sweep::new(records);
    sweep.traces.insert(key("cut_in.highway", JobKind::Run, 2), trace);
    let mut input = sweep.input();
    input.title = XSS_TITLE.to_owned();
    let dir = TempDir::new("dashboard");
    let page = write_page(&dir, "dashboard.html", &render_dashboard(&input));
    let dom = run_chromium(&chromium, &dir, &page, &["--dump-dom".to_owned()]);

    assert!(dom.contains("id=\"hazard-table\""), "no dashboard in the DOM:\n{dom}");
    let dims = sweep.taxonomy.dimensions();
    let expected: usize = (0..dims.len())
        .flat_map(|i| (i + 1..dims.len()).map(move |j| dims[i].values.len() * dims[j].values.len()))
        .sum();
    assert_eq!(dom.matches("<td class=\"cell ").count(), expected);
    assert_eq!(dom.matches("<article class=\"job\"").count(), 3);
    assert!(!dom.contains("<script>alert"), "a live injected script");
    assert_eq!(dom.matches("<script").count(), 2);
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile title is not shown as text");
    assert!(dom.contains("gap \"ahead\" &amp; behind"), "the hostile criterion is not shown as text");
}

#[test]
fn replay_script_animates_in_a_headless_browser() {
    let Some(chromium) = chromium() else { return };
    let (records, trace) = hostile();
    let record = records.iter().find(|r| r.title == XSS_TITLE).unwrap();
    let dir = TempDir::new("replay");
    let page = write_page(&dir, "replay.html", &render_replay(record, &trace));
    let dom = run_chromium(&chromium, &dir, &page, &["--dump-dom".to_owned()]);

    // The script ran and drew the first-violation frame.
    let start = trace.frames.iter().position(|f| f.t >= 3.05 - 1e-9).unwrap();
    let counter = format!(
        "<span class=\"counter\" id=\"frame-counter\">step {} · t = 3.05 s · frame {} / {}</span>",
        trace.frames[start].step,
        start + 1,
        trace.frames.len()
    );
    assert!(dom.contains(&counter), "no frame counter {counter:?} in:\n{dom}");
    let bodies =
        dom.split("<g id=\"bodies\">").nth(1).and_then(|s| s.split("</svg>").next()).expect("the body layer");
    assert_eq!(bodies.matches("<polygon ").count(), 3, "{bodies}");
    assert_eq!(bodies.matches(" points=\"").count(), 3, "{bodies}");
    assert!(dom.contains("<g id=\"world\" transform=\"translate("), "the camera does not follow the ego");
    assert_eq!(bodies.matches("class=\"body ego\"").count(), 1, "{bodies}");
    assert!(bodies.contains("class=\"body observed\""), "{bodies}");
    assert!(dom.contains("<td>objects[0].rel_x</td>"), "no observation table");
    let control =
        format!("<td>acceleration (m/s²)</td><td class=\"num\">{:.3}</td>", trace.frames[start].control[0]);
    assert!(dom.contains(&control), "no control table with {control:?}");
    assert!(dom.contains("<tr><td>gap \"ahead\" &amp; behind</td><td class=\"num neg\">"), "no margin table");
    assert!(!dom.contains("x1=\"64.0\" y1=\"8.0\""), "the cursors did not move");
    assert!(!dom.contains("<script>alert"), "a live injected script");
    assert_eq!(dom.matches("<script").count(), 2);
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn screenshots_of_the_fixture() {
    let Some(chromium) = chromium() else { return };
    let sweep = Sweep::new(records());
    let record = sweep.records.iter().find(|r| r.scenario == "cut_in.highway" && r.seed == 2).unwrap();
    let pages = [
        ("dashboard", render_dashboard(&sweep.input())),
        ("replay", render_replay(record, &sweep.traces[&record.key()])),
    ];
    let dir = TempDir::new("screenshots");
    let bless = std::env::var_os("GAUNTLET_BLESS").is_some_and(|v| v == "1");
    for (name, html) in pages {
        let page = write_page(&dir, &format!("{name}.html"), &html);
        let png = dir.0.join(format!("{name}.png"));
        run_chromium(
            &chromium,
            &dir,
            &page,
            &[format!("--screenshot={}", png.display()), "--window-size=1400,1000".to_owned()],
        );
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot {}: {e}", png.display()));
        assert_eq!(png_size(&bytes), (1400, 1000));
        assert!(bytes.len() > 20_000, "a {}-byte screenshot is blank", bytes.len());
        if bless {
            let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::copy(&png, docs.join(format!("{name}.png"))).unwrap();
        }
    }
}

#[test]
fn trace_notes_are_escaped_and_placed_inside_main() {
    let sweep = Sweep::new(records());
    let notes = ["a <b> & \"c\"".to_owned()];
    let mut input = sweep.input();
    input.trace_notes = &notes;
    let out = render_dashboard(&input);
    assert!(out.contains("<li class=\"note no-trace\">a &lt;b&gt; &amp; &quot;c&quot;</li>"), "{out}");
    let (main, rest) = out.split_once("</main>").expect("main closes");
    assert!(main.contains("id=\"trace-notes\"") && !rest.contains("trace-notes"));
    assert!(!render_dashboard(&sweep.input()).contains("trace-notes"), "no notes, no section");
}
