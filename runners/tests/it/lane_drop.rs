//! Lane drops end to end: the library's lane-drop files pass with the
//! reference driver at every seed of the sweep, and fail (off the road or
//! a collision) with the same driver made to ignore the lane drop — so the
//! files can fail.

use std::path::{Path, PathBuf};

use gauntlet_engine::adapters::{ReferenceAdapter, ReferenceTuning};
use gauntlet_engine::{Outcome, RunOptions, Simulation};
use gauntlet_scenarios::Scenario;

const FILES: &[&str] =
    &["highway.lane_drop", "highway.lane_drop_wet_dense", "rural.lane_drop_end_of_overtaking_lane"];

fn library(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library").join(format!("{name}.ron"))
}

#[test]
fn lane_drop_files_pass_with_the_reference_at_eight_seeds() {
    let mut failures = Vec::new();
    for name in FILES {
        let scenario = Scenario::load(&library(name)).expect("library scenario loads");
        let world = scenario.instance(0).world;
        assert!(world.road.lane_drop.is_some(), "{name} has a lane drop");
        for seed in 0..8 {
            let world = scenario.instance(seed).world;
            let r = Simulation::run(&world, &mut ReferenceAdapter::default(), RunOptions::default());
            if r.outcome != Outcome::Pass {
                let failed: Vec<_> = r.verdicts.iter().filter(|v| !v.passed).map(|v| &v.criterion).collect();
                failures.push(format!("{name} seed {seed}: {:?} {failed:?}", r.outcome));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_driver_that_ignores_the_lane_drop_fails_every_lane_drop_file() {
    let ignores = ReferenceTuning { follows_lane_drop: false, ..ReferenceTuning::default() };
    for name in FILES {
        let scenario = Scenario::load(&library(name)).expect("library scenario loads");
        let world = scenario.instance(0).world;
        let r = Simulation::run(&world, &mut ReferenceAdapter::with_tuning(ignores), RunOptions::default());
        assert_eq!(r.outcome, Outcome::Fail, "{name}: {:?}", r.verdicts);
        let off_or_hit = r
            .verdicts
            .iter()
            .any(|v| !v.passed && (v.criterion == "stay_on_road" || v.criterion == "no_collision"));
        assert!(off_or_hit, "{name} fails off the road or by a collision: {:?}", r.verdicts);
    }
}
