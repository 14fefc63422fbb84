//! Fuzzing (issue #4): campaigns are deterministic across thread counts;
//! shrunk failures are locally minimal; the search finds planted weaknesses
//! in fewer simulations than uniform random sampling; saved regressions
//! replay to the same failure and trace hash, are re-run by `gauntlet run`
//! and are never saved twice; the budget follows coverage gaps and risk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gauntlet_engine::adapters::builtin;
use gauntlet_engine::{RunOptions, RunResult, Simulation};
use gauntlet_reports::record::{JobKind, JobSource, Outcome, RunRecord, read_records};
use gauntlet_runners::adapter::ExecOptions;
use gauntlet_runners::commands::fuzz::{FuzzConfig, FuzzReport, fuzz};
use gauntlet_runners::commands::replay::{ReplayConfig, replay};
use gauntlet_runners::commands::run::{RunConfig, run};
use gauntlet_runners::fuzz::measure::{Case, compare, render_table};
use gauntlet_runners::fuzz::{RegressionStatus, ShrinkOptions, StrategyKind, allocate};
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::mutation::{FuzzSpace, Genome};
use gauntlet_scenarios::regression::{self, Regression, Saved};
use gauntlet_taxonomy::{CoverageOptions, Taxonomy, coverage};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(name)
}

fn config(
    paths: Vec<PathBuf>,
    dir: &Path,
    strategy: StrategyKind,
    budget: usize,
    adapter: &str,
) -> FuzzConfig {
    FuzzConfig {
        paths,
        budget,
        seed: 11,
        strategy,
        threads: 1,
        adapter: adapter.parse().expect("valid adapter spec"),
        exec: ExecOptions::default(),
        out: dir.join("fuzz.jsonl"),
        regressions: Some(dir.join("regressions")),
        taxonomy: Some(collision_only()),
        coverage_from: None,
        shrink: ShrinkOptions { max_shrinks: Some(3), budget: 300 },
        formulas: None,
        fill_gaps: None,
        against: None,
    }
}

fn records(path: &Path) -> Vec<RunRecord> {
    read_records(path)
        .map(|r| {
            let mut r = r.expect("valid record");
            r.wall_ms = 0.0;
            r
        })
        .collect()
}

/// Every regression file in `dir`, by name, with its text.
fn saved(dir: &Path) -> BTreeMap<String, String> {
    regression::list(dir)
        .expect("regressions list")
        .into_iter()
        .map(|(path, _)| {
            let name = path.file_name().expect("a file").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).expect("readable"))
        })
        .collect()
}

fn campaign(config: &FuzzConfig) -> FuzzReport {
    fuzz(config).unwrap_or_else(|e| panic!("campaign runs: {e}"))
}

#[test]
fn a_campaign_gives_the_same_instances_records_and_regressions_on_one_and_two_threads() {
    for strategy in [StrategyKind::Random, StrategyKind::Search] {
        let mut runs = Vec::new();
        for threads in [1, 2] {
            let dir = tempfile::tempdir().expect("temp dir");
            let mut c = config(
                vec![fixture("mutations.ron"), fixture("lead_brake.ron")],
                dir.path(),
                strategy,
                40,
                "builtin:pedestrian-blind",
            );
            c.threads = threads;
            c.out = dir.path().join("fuzz.jsonl");
            let report = campaign(&c);
            let mut recs = records(&c.out);
            // The regression folder is a temporary one: compare the file names only.
            let prefix = dir.path().display().to_string();
            for r in &mut recs {
                r.replay = r.replay.replace(&prefix, "<dir>");
                if let Some(extra) = r.extra.get_mut("fuzz") {
                    *extra =
                        serde_json::from_str(&extra.to_string().replace(&prefix, "<dir>")).expect("json");
                }
            }
            runs.push((report.campaign.simulations, recs, saved(&dir.path().join("regressions"))));
        }
        let (one, two) = (&runs[0], &runs[1]);
        assert!(one.0 > 0);
        assert_eq!(one.1.len(), one.0, "{strategy}: one record per generated instance");
        assert!(one.1.iter().all(|r| r.kind == JobKind::Fuzz));
        assert!(one.1.iter().any(|r| r.outcome == Outcome::Fail), "{strategy}: the blind driver fails");
        assert!(!one.2.is_empty(), "{strategy}: failures are saved");
        assert_eq!(one, two, "{strategy}: 1 and 2 threads differ");
    }
}

/// Runs `genome` of `space` against a fresh built-in adapter.
fn simulate(space: &FuzzSpace, genome: &Genome, adapter: &str) -> RunResult {
    let scenario = space.instantiate(genome).unwrap_or_else(|e| panic!("valid instance: {e}"));
    let mut adapter = builtin(adapter).expect("a built-in adapter");
    Simulation::run(&scenario.instance(genome.seed).world, adapter.as_mut(), RunOptions::default())
}

fn fails(space: &FuzzSpace, genome: &Genome, adapter: &str, criterion: &str) -> bool {
    simulate(space, genome, adapter).verdicts.iter().any(|v| v.criterion == criterion && !v.passed)
}

#[test]
fn shrunk_failures_are_locally_minimal_against_a_planted_weakness() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut c = config(
        vec![fixture("mutations.ron")],
        dir.path(),
        StrategyKind::Random,
        48,
        "builtin:pedestrian-blind",
    );
    c.shrink = ShrinkOptions { max_shrinks: Some(4), budget: 400 };
    let report = campaign(&c);
    let shrunk: Vec<_> =
        report.campaign.failures.iter().filter_map(|f| f.shrunk.as_ref().map(|s| (f, s))).collect();
    assert!(!shrunk.is_empty(), "the campaign finds failures: {}", report.render());
    assert!(
        shrunk.iter().any(|(f, _)| !f.original.mutations.is_empty()),
        "some original carries mutations to strip: {}",
        report.render()
    );

    let scenario = Arc::new(Scenario::load(&fixture("mutations.ron")).expect("fixture loads"));
    let space = FuzzSpace::new(scenario).expect("fuzz section is valid");
    let adapter = "pedestrian-blind";
    let cut = shrunk.iter().any(|(_, s)| s.genome.mutations.duration.is_some());
    for (failure, s) in shrunk {
        assert!(s.minimal, "shrink budget not spent");
        let g = &s.genome;
        let criterion = failure.criterion.as_str();
        assert!(fails(&space, g, adapter, criterion), "the shrunk instance still fails {criterion}");
        // The scenario's own actors stay; structural mutations that could go are gone.
        for removal in space.removals(g) {
            assert!(
                !fails(&space, &space.remove(g, removal), adapter, criterion),
                "{removal:?} could be undone"
            );
        }
        for knob in space.knobs(g) {
            let ladder = space.ladder(g, &knob);
            let nominal = space.with_value(g, &knob, ladder[0]);
            assert!(!fails(&space, &nominal, adapter, criterion), "{knob:?} could move to nominal");
            let step = space.with_value(g, &knob, ladder[ladder.len() - 1]);
            assert!(!fails(&space, &step, adapter, criterion), "{knob:?} could move one step toward nominal");
        }
        // Cut to just after the first violation, and everything about the shrink reported.
        let result = simulate(&space, g, adapter);
        let first =
            result.verdicts.iter().find(|v| v.criterion == criterion).and_then(|v| v.first_violation_t);
        let world = space.instantiate(g).expect("valid").instance(g.seed).world;
        let duration = g.mutations.duration.unwrap_or(world.duration);
        assert!(
            first.is_some_and(|t| duration <= t + 0.5 + 0.05 + 1e-9),
            "cut at {duration} after {first:?}"
        );
        assert!(s.margin < 0.0 && failure.margin < 0.0);
    }
    assert!(cut, "some shrink cut the duration");
}

#[test]
fn the_search_finds_planted_weaknesses_in_fewer_simulations_than_random_sampling() {
    let cases = [
        Case { adapter: "late-braker".into(), scenario: fixture("lead_brake.ron") },
        Case { adapter: "pedestrian-blind".into(), scenario: fixture("crossing.ron") },
        Case { adapter: "cyclist-blind".into(), scenario: fixture("cyclist.ron") },
        Case { adapter: "ice-naive".into(), scenario: fixture("icy_stop.ron") },
    ];
    let rows = compare(&cases, 0..20, 200, 2).expect("campaigns run");
    println!("{}", render_table(&rows));
    let better: Vec<&str> = rows
        .iter()
        .filter(|r| r.search_median().value() < r.random_median().value())
        .map(|r| r.adapter.as_str())
        .collect();
    assert!(better.len() >= 2, "search beats random on {better:?} only:\n{}", render_table(&rows));
}

#[test]
fn a_saved_regression_replays_to_the_same_failure_and_trace_hash_and_every_sweep_reruns_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c =
        config(vec![fixture("lead_brake.ron")], dir.path(), StrategyKind::Search, 120, "builtin:late-braker");
    let report = campaign(&c);
    assert_eq!(report.exit_code(), 1);
    let regressions = regression::list(&dir.path().join("regressions")).expect("lists");
    let (path, saved) = regressions.first().expect("the late braker is caught and its failure saved");

    // The regression names the failing record it was shrunk from.
    let failing: Vec<RunRecord> =
        records(&c.out).into_iter().filter(|r| r.outcome == Outcome::Fail).collect();
    let found_as = saved.found_by.job.as_deref().expect("names the job it was found as");
    assert!(failing.iter().any(|r| r.id == found_as), "{found_as} among the failing records");

    // `gauntlet replay FILE.ron`: the adapter it failed against, the same failure, bit for bit.
    let replayed = replay(&ReplayConfig { taxonomy: Some(collision_only()), ..ReplayConfig::new(path) })
        .expect("replays");
    assert_eq!(replayed.record.adapter.name, "late-braker");
    assert_eq!(replayed.record.kind, JobKind::Regression);
    assert_eq!(replayed.record.trace_hash, saved.trace_hash);
    let v =
        replayed.record.verdicts.iter().find(|v| v.criterion == saved.criterion).expect("criterion judged");
    assert!(!v.passed);
    assert_eq!(v.margin, saved.margin);

    // `gauntlet run` re-runs it before the new jobs: still failing against the late braker...
    let sweep = |adapter: &str, regressions: Option<PathBuf>| {
        let out = dir.path().join(format!("{adapter}.jsonl"));
        let report = run(&RunConfig {
            paths: vec![fixture("lead_brake.ron")],
            seeds: 2,
            threads: 2,
            adapter: adapter.parse().expect("valid"),
            exec: ExecOptions::default(),
            out: out.clone(),
            budget: None,
            time_budget: None,
            progress: false,
            taxonomy: Some(collision_only()),
            regressions,
            triage: true,
        })
        .expect("sweep runs");
        (report, records(&out))
    };
    let (report, recs) = sweep("builtin:late-braker", Some(dir.path().join("regressions")));
    let n = regressions.len();
    assert_eq!(report.regressions.results.len(), n);
    assert!(
        report.regressions.results.iter().all(|r| r.status == RegressionStatus::StillFailing && r.same_trace)
    );
    assert_eq!(recs.len(), n + 2);
    assert!(
        recs[..n]
            .iter()
            .all(|r| r.kind == JobKind::Regression && r.trace_hash == saved_hash(&regressions, r))
    );
    assert!(recs[n..].iter().all(|r| r.kind == JobKind::Run));
    // ... skipped with --no-regressions, and not run for another adapter ...
    let (report, recs) = sweep("builtin:late-braker", None);
    assert!(report.regressions.results.is_empty() && recs.len() == 2);
    let (report, _) = sweep("builtin:reference", Some(dir.path().join("regressions")));
    assert_eq!((report.regressions.results.len(), report.regressions.skipped.len()), (0, n));
    // ... and reported fixed once the adapter it names passes it.
    let fixed_dir = dir.path().join("fixed");
    let mut fixed: Regression = saved.clone();
    fixed.adapter.name = "reference".into();
    fixed.adapter.spec = "builtin:reference".into();
    regression::save(&fixed_dir, &fixed).expect("saves");
    let (report, _) = sweep("builtin:reference", Some(fixed_dir));
    assert_eq!(report.regressions.results.len(), 1);
    assert_eq!(report.regressions.results[0].status, RegressionStatus::Fixed);
    assert_eq!(report.regressions.fixed(), 1);
}

/// The default taxonomy with every requirement checking collisions only: the planted
/// weaknesses are hunted for their collisions.
fn collision_only() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/taxonomy/collision_only.ron")
}

fn saved_hash(regressions: &[(PathBuf, Regression)], record: &RunRecord) -> String {
    let JobSource::Regression { regression: path, .. } = &record.source else {
        panic!("a regression record")
    };
    regressions.iter().find(|(p, _)| p.display().to_string() == *path).expect("known").1.trace_hash.clone()
}

#[test]
fn the_same_shrunk_instance_is_never_saved_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut c = config(
        vec![fixture("mutations.ron")],
        dir.path(),
        StrategyKind::Random,
        48,
        "builtin:pedestrian-blind",
    );
    c.shrink = ShrinkOptions { max_shrinks: Some(6), budget: 400 };
    let count = |r: &FuzzReport, new: bool| {
        r.campaign
            .failures
            .iter()
            .filter_map(|f| f.shrunk.as_ref().and_then(|s| s.saved.as_ref()))
            .filter(|s| matches!(s, Saved::New(_)) == new)
            .count()
    };
    let first = campaign(&c);
    let files = saved(&dir.path().join("regressions"));
    assert_eq!(count(&first, true), files.len());
    assert!(
        count(&first, false) > 0,
        "two failures of one campaign shrink to one instance: {}",
        first.render()
    );
    let again = campaign(&c);
    assert_eq!(count(&again, true), 0, "a second campaign saves nothing new");
    assert_eq!(count(&again, false), count(&first, true) + count(&first, false));
    assert_eq!(saved(&dir.path().join("regressions")), files);
}

#[test]
fn the_budget_goes_first_to_scenarios_tracing_to_unexercised_or_riskier_cells() {
    let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
    let scenarios: Vec<Scenario> = ["lead_brake.ron", "crossing.ron", "icy_stop.ron"]
        .iter()
        .map(|f| Scenario::load(&fixture(f)).expect("loads"))
        .collect();
    let refs: Vec<&Scenario> = scenarios.iter().collect();
    let nothing = coverage(&taxonomy, &[], &CoverageOptions::default());
    let plan = allocate(&taxonomy, &refs, &nothing, 100);
    assert_eq!(plan.iter().map(|a| a.share).sum::<usize>(), 100);
    for pair in plan.windows(2) {
        assert!(pair[0].risk >= pair[1].risk, "riskiest first when nothing is exercised: {plan:?}");
    }
    let order: Vec<usize> = plan.iter().map(|a| a.scenario).collect();

    // Once the first-ranked scenario's cells are exercised, it moves behind the others.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut c = config(
        vec![fixture(["lead_brake.ron", "crossing.ron", "icy_stop.ron"][order[0]])],
        dir.path(),
        StrategyKind::Random,
        3,
        "builtin:reference",
    );
    c.regressions = None;
    let report = campaign(&c);
    assert!(report.coverage.hazards_after.covered > report.coverage.hazards_before.covered);
    let facts: Vec<_> = records(&c.out).iter().map(gauntlet_reports::coverage::job_facts).collect();
    let before = coverage(&taxonomy, &facts, &CoverageOptions::default());
    let replanned = allocate(&taxonomy, &refs, &before, 100);
    assert_eq!(replanned.last().map(|a| a.scenario), Some(order[0]), "{replanned:?}");
    assert_eq!(plan.iter().find(|a| a.scenario == order[0]).map(|a| a.gaps > 0), Some(true));
    assert_eq!(replanned.iter().find(|a| a.scenario == order[0]).map(|a| a.gaps), Some(0));

    // A budget smaller than the scenarios goes to the first ones.
    let tiny = allocate(&taxonomy, &refs, &nothing, 2);
    assert_eq!(tiny.iter().map(|a| a.share).collect::<Vec<_>>(), vec![1, 1, 0]);
}

#[test]
fn an_invalid_fuzz_section_is_reported_with_file_line_and_field_path() {
    let scenario = Arc::new(Scenario::load(&fixture("bad_fuzz_section.ron")).expect("the rest is valid"));
    let e = FuzzSpace::new(scenario).expect_err("the fuzz section is invalid").to_string();
    assert!(e.contains("bad_fuzz_section.ron:11:"), "{e}");
    assert!(e.contains("at `fuzz.actors[0].s`"), "{e}");
    assert!(e.contains("at `fuzz.trigger_shift`"), "{e}");
    assert!(e.contains("at `fuzz.sensor.latency_steps`"), "{e}");
}

#[test]
fn the_command_line_fuzzes_saves_and_replays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gauntlet = || std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"));
    let out = gauntlet()
        .args(["fuzz", "--budget", "60", "--seed", "3", "--strategy", "search", "--jobs", "2"])
        .args(["--adapter", "builtin:late-braker", "--out"])
        .arg(dir.path().join("f.jsonl"))
        .arg("--regressions")
        .arg(dir.path().join("reg"))
        .arg("--taxonomy")
        .arg(collision_only())
        .arg(fixture("lead_brake.ron"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("failure: fuzz.lead_brake violates no_collision"), "{stdout}");
    assert!(stdout.contains("coverage: hazards exercised"), "{stdout}");
    let (path, r) =
        regression::list(&dir.path().join("reg")).expect("lists").into_iter().next().expect("saved");
    assert!(stdout.contains(&format!("saved {}", path.display())), "{stdout}");
    let out =
        gauntlet().arg("replay").arg(&path).arg("--taxonomy").arg(collision_only()).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains(&r.trace_hash), "{stdout}");
}
