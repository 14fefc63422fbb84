//! Failure triage: unavoidable failures are told apart from the stack's,
//! the library's instances can all be survived, and triage is deterministic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gauntlet_engine::adapters::builtin;
use gauntlet_reports::record::{Outcome, RunRecord};
use gauntlet_runners::adapter::{AdapterFactory, ExecOptions};
use gauntlet_runners::commands::replay::{ReplayConfig, replay};
use gauntlet_runners::commands::run::{RunConfig, run};
use gauntlet_runners::job::{AdapterIdentity, Job, Tracing, run_job};
use gauntlet_runners::triage::{MAX_RUNS, survivable_from_start};
use gauntlet_scenarios::{CHECKED_SEEDS, Scenario, discover};

use crate::support::fixture_sweep;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn unavoidable_cut_in() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/triage/unavoidable_cut_in.ron")
}

fn replayed(target: PathBuf, seed: u64, adapter: &str) -> RunRecord {
    replay(&ReplayConfig {
        seed: Some(seed),
        adapter: Some(adapter.parse().expect("valid spec")),
        ..ReplayConfig::new(target)
    })
    .expect("replays")
    .record
}

#[test]
fn triage_an_impossible_cut_in_is_unavoidable() {
    let r = replayed(unavoidable_cut_in(), 0, "builtin:reference");
    assert_eq!(r.outcome, Outcome::Fail);
    let t = r.triage.expect("a failing job is triaged");
    assert_eq!(t.avoidable, Some(false), "{t:?}");
    assert_eq!(t.criterion, "no_collision");
    assert!(t.manoeuvre.is_none() && t.from_t.is_none());
    assert!(t.margin.is_some_and(|m| m < 0.0), "the best margin reached is recorded: {t:?}");
    assert!(t.runs >= 2 && t.runs <= MAX_RUNS, "{t:?}");
    assert!(t.note.contains("none of 7 manoeuvres"), "{t:?}");
}

#[test]
fn triage_a_late_braker_failure_is_avoidable_by_braking() {
    let file = root().join("scenarios/library/lead_braking.highway_dropout.ron");
    let r = replayed(file.clone(), 3, "builtin:late-braker");
    assert_eq!(r.outcome, Outcome::Fail);
    let t = r.triage.expect("a failing job is triaged");
    assert_eq!(t.avoidable, Some(true), "{t:?}");
    assert_eq!(t.criterion, "no_collision");
    assert_eq!(t.manoeuvre.as_deref(), Some("max_brake"), "{t:?}");
    let first = r.verdicts.iter().find(|v| v.criterion == "no_collision").and_then(|v| v.first_violation_t);
    assert!(t.from_t.expect("from_t") < first.expect("violated"), "{t:?}");
    assert!(t.margin.expect("margin") >= 0.0);
    // --no-triage leaves the slot empty, and the run itself is the same.
    let plain = replay(&ReplayConfig {
        seed: Some(3),
        adapter: Some("builtin:late-braker".parse().expect("valid")),
        triage: false,
        ..ReplayConfig::new(file)
    })
    .expect("replays")
    .record;
    assert!(plain.triage.is_none());
    assert_eq!(plain.trace_hash, r.trace_hash);
}

/// Every library scenario at every seed the default sweep runs: the
/// reference adapter passes it (with its hazards' requirement checks; a
/// failure is reported with its triage), and from t = 0 some oracle
/// manoeuvre keeps every hard criterion, so no instance is impossible
/// whatever the stack. That a stack's failure is triaged avoidable is
/// `triage_a_late_braker_failure_is_avoidable_by_braking`'s part.
#[test]
fn triage_every_library_instance_is_survivable() {
    let files = discover(&[root().join("scenarios/library")]).expect("library");
    let factory = AdapterFactory::new(&"builtin:reference".parse().expect("valid"), &ExecOptions::default())
        .expect("factory");
    let identity = AdapterIdentity::resolve(&factory).expect("identity");
    let mut adapter = builtin("reference").expect("builtin");
    let taxonomy = gauntlet_taxonomy::Taxonomy::builtin().expect("the default taxonomy");
    let mut problems = Vec::new();
    for file in files {
        let scenario = Arc::new(Scenario::load(&file).expect("library scenario validates"));
        // Scored as the default sweep scores it: with its hazards' requirement checks.
        let checks: Arc<[_]> =
            gauntlet_runners::checks::requirement_checks(&taxonomy, scenario.hazards()).into();
        for seed in 0..CHECKED_SEEDS {
            let job = Job::seeded(Arc::clone(&scenario), seed).with_checks(Arc::clone(&checks));
            let record = run_job(&job, adapter.as_mut(), &identity, Tracing::Off, true).record;
            if record.outcome != Outcome::Pass {
                problems.push(format!("{}: {:?} {:?}", record.id, record.outcome, record.triage));
            }
            let world = job.instance().expect("instance").world;
            if let Err(e) = survivable_from_start(&world, adapter.as_mut()) {
                problems
                    .push(format!("{} seed {seed}: no manoeuvre from t = 0 survives: {e}", scenario.id()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn failing_sweep(threads: usize, out: &Path) -> Vec<RunRecord> {
    let config = RunConfig {
        paths: vec![unavoidable_cut_in(), root().join("scenarios/library/lead_braking.highway_dropout.ron")],
        seeds: 4,
        threads,
        adapter: "builtin:late-braker".parse().expect("valid"),
        ..fixture_sweep(out)
    };
    run(&config).expect("sweep runs");
    gauntlet_reports::record::read_records(out).collect::<Result<Vec<_>, _>>().expect("records")
}

#[test]
fn triage_is_the_same_on_one_and_two_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let one = failing_sweep(1, &dir.path().join("one.jsonl"));
    let two = failing_sweep(2, &dir.path().join("two.jsonl"));
    let triages = |rs: &[RunRecord]| rs.iter().map(|r| (r.id.clone(), r.triage.clone())).collect::<Vec<_>>();
    assert_eq!(triages(&one), triages(&two));
    let triaged: Vec<_> = one.iter().filter_map(|r| r.triage.as_ref()).collect();
    assert!(triaged.iter().any(|t| t.avoidable == Some(false)), "the impossible cut-in is among them");
    assert!(triaged.iter().any(|t| t.avoidable == Some(true)), "and a late-braking failure");
    assert_eq!(triaged.len(), one.iter().filter(|r| r.outcome == Outcome::Fail).count());
}
