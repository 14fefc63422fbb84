//! Falsification of requirement formulas (issue 15): `fuzz --requirement R`
//! drives a formula's robustness down against a planted weakness, shrinks the
//! violation keeping the *formula* violated, saves a regression naming the
//! formula, and `replay` of it says whether it still fails.

use std::path::{Path, PathBuf};

use gauntlet_reports::record::{Outcome, RunRecord, read_records};
use gauntlet_runners::adapter::ExecOptions;
use gauntlet_runners::commands::fuzz::{FormulaSelection, FuzzConfig, fuzz};
use gauntlet_runners::commands::replay::{ReplayConfig, replay};
use gauntlet_runners::fuzz::{RegressionStatus, ShrinkOptions, StrategyKind};
use gauntlet_scenarios::regression;

const FORMULA: &str = "headway_after_lead_brakes";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(name)
}

fn default_taxonomy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../taxonomy/default.ron")
}

fn config(dir: &Path, threads: usize, formulas: FormulaSelection) -> FuzzConfig {
    FuzzConfig {
        paths: vec![fixture("lead_brake.ron"), fixture("crossing.ron")],
        budget: 80,
        seed: 1,
        strategy: StrategyKind::Search,
        threads,
        adapter: "builtin:ice-naive".parse().expect("valid adapter spec"),
        exec: ExecOptions::default(),
        out: dir.join("fuzz.jsonl"),
        regressions: Some(dir.join("regressions")),
        taxonomy: Some(default_taxonomy()),
        coverage_from: None,
        shrink: ShrinkOptions { max_shrinks: Some(1), budget: 200 },
        formulas: Some(formulas),
        fill_gaps: None,
        against: None,
    }
}

fn records(path: &Path) -> Vec<RunRecord> {
    read_records(path).map(|r| r.expect("record parses")).collect()
}

fn sr001() -> FormulaSelection {
    FormulaSelection { hazards: Vec::new(), requirements: vec!["SR-001".into()] }
}

#[test]
fn a_formula_violated_by_a_planted_weakness_is_found_shrunk_saved_and_replayed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = fuzz(&config(dir.path(), 2, sr001())).expect("campaign runs");
    // Only the scenario SR-001's formula judges (H-001) is fuzzed.
    let scenarios: Vec<&str> = report.campaign.scenarios.iter().map(|s| s.scenario.as_str()).collect();
    assert_eq!(scenarios, ["fuzz.lead_brake"]);
    assert!(report.campaign.target.contains(FORMULA), "{}", report.campaign.target);

    let failure = report.campaign.failures.first().expect("the ice-naive driver's headway is caught");
    assert_eq!(failure.criterion, FORMULA);
    assert!(failure.margin < 0.0);
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    assert!(shrunk.margin < 0.0, "the shrunk instance still violates the formula");
    // The campaign's failing record of it violates the formula.
    let found = records(&report.out);
    assert!(found.iter().any(
        |r| r.outcome == Outcome::Fail && r.verdicts.iter().any(|v| v.criterion == FORMULA && !v.passed)
    ));

    // The regression names the formula, its text and its requirement.
    let saved = regression::list(&dir.path().join("regressions")).expect("lists");
    let (path, reg) = saved.first().expect("saved");
    assert_eq!(reg.criterion, FORMULA);
    assert!(reg.formula.as_deref().is_some_and(|stl| stl.contains("headway_lead")), "{:?}", reg.formula);
    assert_eq!(reg.requirements, ["SR-001"]);

    // `replay FILE.ron`: still fails the formula, the same trace; the reference driver holds it.
    let again = replay(&ReplayConfig { taxonomy: Some(default_taxonomy()), ..ReplayConfig::new(path) })
        .expect("replays");
    let check = again.regression.expect("a regression check");
    assert_eq!(check.criterion, FORMULA);
    assert_eq!(check.status, RegressionStatus::StillFailing);
    assert!(check.same_trace);
    assert!(check.render().contains("still fails headway_after_lead_brakes"));
    let reference = replay(&ReplayConfig {
        taxonomy: Some(default_taxonomy()),
        adapter: Some("builtin:reference".parse().expect("valid")),
        ..ReplayConfig::new(path)
    })
    .expect("replays");
    assert_eq!(reference.regression.expect("a regression check").status, RegressionStatus::Fixed);
}

#[test]
fn a_formula_campaign_is_the_same_on_one_and_two_threads() {
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let hazard = FormulaSelection { hazards: vec!["H-001".into()], requirements: Vec::new() };
    let ra = fuzz(&config(a.path(), 1, hazard.clone())).expect("runs");
    let rb = fuzz(&config(b.path(), 2, hazard)).expect("runs");
    let key = |recs: Vec<RunRecord>| recs.into_iter().map(|r| (r.id, r.trace_hash)).collect::<Vec<_>>();
    assert_eq!(key(records(&ra.out)), key(records(&rb.out)));
    let failures = |r: &gauntlet_runners::commands::fuzz::FuzzReport| {
        r.campaign
            .failures
            .iter()
            .map(|f| {
                (f.criterion.clone(), f.original.clone(), f.shrunk.as_ref().map(|s| s.trace_hash.clone()))
            })
            .collect::<Vec<_>>()
    };
    assert!(!failures(&ra).is_empty());
    assert_eq!(failures(&ra), failures(&rb));
}

#[test]
fn unknown_ids_and_scenarios_no_formula_judges_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let unknown = FormulaSelection { hazards: vec!["H-999".into()], requirements: Vec::new() };
    let err = fuzz(&config(dir.path(), 1, unknown)).expect_err("unknown hazard");
    assert!(err.to_string().contains("unknown hazard `H-999`"), "{err}");
    let nothing = FuzzConfig { paths: vec![fixture("crossing.ron")], ..config(dir.path(), 1, sr001()) };
    let err = fuzz(&nothing).expect_err("no scenario traces to SR-001");
    assert!(err.to_string().contains("no scenario among the paths is judged by"), "{err}");
}

/// The dropout speeder's bug shows only under the conjunction of its
/// conditions: at speed, under heavy dropout, with a hard-braking lead. One
/// instance found by a random campaign fails; relaxing any one condition
/// passes; the reference driver passes all four.
#[test]
fn the_dropout_speeder_fails_only_under_the_conjunction_of_speed_dropout_and_hard_braking() {
    use gauntlet_engine::adapters::builtin;
    use gauntlet_engine::{RunOptions, Simulation};
    use gauntlet_scenarios::Scenario;
    use gauntlet_scenarios::mutation::{FuzzSpace, Genome};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    let scenario = Scenario::load(&fixture("dropout_speed.ron")).expect("loads");
    let space = FuzzSpace::new(Arc::new(scenario)).expect("a fuzz space");
    let genome = |speed: f64, decel: f64, dropout: f64| Genome {
        seed: 6_939_336_036_129_329_655,
        values: BTreeMap::from([
            ("actors[0].behaviours[0].do.speed".to_owned(), speed),
            ("actors[0].behaviours[1].at".to_owned(), 3.72),
            ("actors[0].behaviours[1].do.decel".to_owned(), decel),
            ("environment.sensor.dropout".to_owned(), dropout),
        ]),
        mutations: Default::default(),
    };
    let collides = |g: &Genome, adapter: &str| {
        let s = space.instantiate(g).unwrap_or_else(|e| panic!("valid instance: {e}"));
        let mut a = builtin(adapter).expect("a built-in adapter");
        let run = Simulation::run(&s.instance(g.seed).world, a.as_mut(), RunOptions::default());
        run.verdicts.iter().any(|v| v.criterion == "no_collision" && !v.passed)
    };
    let all = genome(29.0, 7.05, 0.37);
    assert!(collides(&all, "dropout-speeder"), "speed × dropout × hard braking");
    for (what, g) in [
        ("few dropped frames", genome(29.0, 7.05, 0.1)),
        ("low speed", genome(15.0, 7.05, 0.37)),
        ("gentle braking", genome(29.0, 3.0, 0.37)),
    ] {
        assert!(!collides(&g, "dropout-speeder"), "{what}: no collision");
    }
    for g in [all, genome(29.0, 7.05, 0.1), genome(15.0, 7.05, 0.37), genome(29.0, 3.0, 0.37)] {
        assert!(!collides(&g, "reference"), "the reference passes {:?}", g.values);
    }
}

/// The cut-in-late driver's bug shows only under the conjunction of a wet
/// road, a close cut-in and sensor latency: at the corner of the fixture's
/// range where all three meet it collides; with any one of them at its
/// benign end (dry, no latency, the cutter settling in far ahead) it does
/// not; the reference driver passes every corner of the range.
#[test]
fn the_cut_in_late_driver_fails_only_under_the_conjunction_of_wet_road_close_cut_in_and_latency() {
    use gauntlet_engine::adapters::builtin;
    use gauntlet_engine::{RunOptions, Simulation};
    use gauntlet_scenarios::Scenario;
    use gauntlet_scenarios::mutation::{FuzzSpace, Genome};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    let scenario = Scenario::load(&fixture("wet_cut_in.ron")).expect("loads");
    let space = FuzzSpace::new(Arc::new(scenario)).expect("a fuzz space");
    // The fixture's ranges: friction 0.3–1.0, latency 0–10 steps, cutter 40–52 m ahead.
    let genome = |friction: f64, latency: f64, s: f64| Genome {
        seed: 1,
        values: BTreeMap::from([
            ("environment.friction".to_owned(), friction),
            ("environment.sensor.latency_steps".to_owned(), latency),
            ("actors[0].s".to_owned(), s),
        ]),
        mutations: Default::default(),
    };
    let collides = |g: &Genome, adapter: &str| {
        assert_eq!(space.encode(g).len(), 3, "three coordinates");
        let s = space.instantiate(g).unwrap_or_else(|e| panic!("valid instance: {e}"));
        let mut a = builtin(adapter).expect("a built-in adapter");
        let run = Simulation::run(&s.instance(g.seed).world, a.as_mut(), RunOptions::default());
        run.verdicts.iter().any(|v| v.criterion == "no_collision" && !v.passed)
    };
    assert!(collides(&genome(0.3, 10.0, 40.0), "cut-in-late"), "wet × latency × close cut-in");
    for (what, g) in [
        ("dry road", genome(1.0, 10.0, 40.0)),
        ("no latency", genome(0.3, 0.0, 40.0)),
        ("cut-in far ahead", genome(0.3, 10.0, 52.0)),
    ] {
        assert!(!collides(&g, "cut-in-late"), "{what}: no collision");
    }
    for friction in [0.3, 1.0] {
        for latency in [0.0, 10.0] {
            for s in [40.0, 52.0] {
                let g = genome(friction, latency, s);
                assert!(!collides(&g, "reference"), "the reference passes {:?}", g.values);
            }
        }
    }
}
