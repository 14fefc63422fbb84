//! Junctions through the sweep: the library's junction scenarios pass with
//! the reference driver at every seed of the default sweep, and give the
//! same records on one and two threads.

use std::path::{Path, PathBuf};

use gauntlet_reports::record::{Outcome, RunRecord, read_records};
use gauntlet_runners::commands::run::{RunConfig, run};

use crate::support::fixture_sweep;

/// The library's junction files.
fn files() -> Vec<PathBuf> {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library");
    [
        "junction.ltap_od_unsignalised",
        "junction.ltap_od_signalised",
        "junction.turn_into_path_right",
        "junction.t_junction_turn_left_into_path",
        "junction.ego_turn_left_oncoming",
        "junction.ego_turn_right_pedestrian",
    ]
    .iter()
    .map(|id| lib.join(format!("{id}.ron")))
    .collect()
}

fn sweep(threads: usize, out: &Path) -> Vec<RunRecord> {
    let config = RunConfig { paths: files(), seeds: 8, threads, triage: false, ..fixture_sweep(out) };
    run(&config).expect("sweep runs");
    read_records(out).map(|r| r.expect("valid record")).collect()
}

#[test]
fn junction_scenarios_are_deterministic_and_pass_with_the_reference_driver() {
    let dir = tempfile::tempdir().expect("temp dir");
    let one = sweep(1, &dir.path().join("one.jsonl"));
    let two = sweep(2, &dir.path().join("two.jsonl"));
    assert_eq!(one.len(), 6 * 8);
    for (a, b) in one.iter().zip(&two) {
        assert_eq!((&a.id, &a.trace_hash, &a.verdicts), (&b.id, &b.trace_hash, &b.verdicts));
    }
    let failing: Vec<_> = one.iter().filter(|r| r.outcome != Outcome::Pass).map(|r| &r.id).collect();
    assert!(failing.is_empty(), "{failing:?}");
    // The ego that turns left across oncoming traffic reaches its goal on the left arm:
    // the route frame (and `reach_goal`) follow the turn.
    for r in one.iter().filter(|r| r.scenario == "junction.ego_turn_left_oncoming") {
        let v = r.verdicts.iter().find(|v| v.criterion == "reach_goal").expect("judged");
        assert!(v.passed && v.margin > 0.0, "{v:?}");
    }
}
