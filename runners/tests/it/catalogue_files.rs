//! The library files written for catalogue entries that had no file (issue 17: NHTSA
//! typology, UN R157 Annex 5): each passes with the reference driver at every seed of the
//! default sweep, and each can fail — a planted weakness that its situation exercises fails
//! at least one of its seeds.

use std::path::{Path, PathBuf};

use gauntlet_reports::record::{Outcome, RunRecord, read_records};
use gauntlet_runners::commands::run::{RunConfig, run};

use crate::support::fixture_sweep;

/// Each file, with a planted weakness that fails it and the criterion it fails on.
/// (`junction.ego_stop_sign_cross_traffic` is not here: every planted driver is the reference
/// with one flaw and stands at the line; the engine's
/// `junction::tests::stop_at_sign_fails_a_run_through_a_stop_too_far_back_and_an_overshoot`
/// shows `stop_at_sign` failing drivers that do not.)
const FILES: &[(&str, &str, &str)] = &[
    // Brakes only once a dry road needs 4 m/s²: too late for a turner stopping hard at the corner.
    ("junction.lead_turning_right", "builtin:ice-naive", "min_ttc"),
    ("junction.lead_turning_left_waits", "builtin:ice-naive", "min_ttc"),
    // Sees the turner swinging across only once it is in the ego's lane.
    ("junction.adjacent_lane_turns_across", "builtin:cut-in-late", "min_ttc"),
    // Sees the passing follower only once it is back in the lane, then brakes gently.
    ("following.follower_cuts_in_and_brakes", "builtin:cut-in-late", "min_gap"),
    // Sees the car pulling out of its space only once it is in the lane: too late to stop.
    ("parking.pull_out_into_lane", "builtin:cut-in-late", "no_collision"),
    // Waits too long to brake for the lead slowing to walking pace before its space.
    ("parking.lead_pulls_into_space", "builtin:ice-naive", "min_ttc"),
    // Does not see the pedestrian the cut-out reveals.
    ("cut_out.r157_pedestrian_reveal", "builtin:pedestrian-blind", "no_collision"),
    // Lets the gap to the lead that stops abruptly in the junction close too far.
    ("junction.lead_moves_off_then_stops", "builtin:ice-naive", "min_ttc"),
    // Sees the slow drift into its lane only once the cutter is in it, at 130 km/h.
    ("cut_in.r157_130_slow_lateral", "builtin:cut-in-late", "no_collision"),
    // Do not see the pedestrian crossing the street the ego turns into.
    ("junction.ego_turn_right_on_green_pedestrian", "builtin:pedestrian-blind", "no_collision"),
    ("junction.ego_turn_left_pedestrian", "builtin:pedestrian-blind", "no_collision"),
    // Turns right across the cyclist it does not see.
    ("junction.ego_turn_right_hook_cyclist", "builtin:cyclist-blind", "no_collision"),
    // Turns left across the oncoming cyclist it does not see.
    ("junction.ego_turn_left_oncoming_cyclist", "builtin:cyclist-blind", "no_collision"),
    // Brakes too late and too softly for the deer standing in its lane round the corner.
    ("junction.ego_turn_left_deer_night", "builtin:late-braker", "no_collision"),
    // Corners at 4.5 m/s² on ice that holds 2.7–3.9: runs wide out of the turn.
    ("junction.ego_turn_right_icy_waiting_car", "builtin:ice-naive", "stay_on_road"),
];

fn library(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library").join(format!("{id}.ron"))
}

/// The default sweep (8 seeds) of `id` with `adapter`, without triage.
fn sweep(id: &str, adapter: &str, out: &Path) -> Vec<RunRecord> {
    let config = RunConfig {
        paths: vec![library(id)],
        seeds: 8,
        threads: 2,
        triage: false,
        adapter: adapter.parse().expect("valid spec"),
        ..fixture_sweep(out)
    };
    run(&config).expect("sweep runs");
    read_records(out).map(|r| r.expect("valid record")).collect()
}

#[test]
fn the_catalogue_files_pass_with_the_reference_driver_and_fail_with_a_planted_weakness() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (i, (id, planted, criterion)) in FILES.iter().enumerate() {
        let reference = sweep(id, "builtin:reference", &dir.path().join(format!("{i}.reference.jsonl")));
        assert_eq!(reference.len(), 8, "{id}");
        let failing: Vec<u64> =
            reference.iter().filter(|r| r.outcome != Outcome::Pass).map(|r| r.seed).collect();
        assert!(failing.is_empty(), "the reference fails {id} at seeds {failing:?}");

        let weak = sweep(id, planted, &dir.path().join(format!("{i}.planted.jsonl")));
        let failed_on: Vec<u64> = weak
            .iter()
            .filter(|r| r.outcome == Outcome::Fail)
            .filter(|r| r.verdicts.iter().any(|v| v.criterion == *criterion && !v.passed))
            .map(|r| r.seed)
            .collect();
        assert!(!failed_on.is_empty(), "{planted} passes every seed of {id} on {criterion}");
    }
}
