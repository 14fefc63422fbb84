//! The control-loss files (friction patches, speed choice, vehicle faults):
//! the reference driver passes them at the default 8 seeds, and a planted
//! weaker driver fails them — they can tell a sensible driver from one that
//! corners and brakes for a dry road.

use std::path::Path;

use gauntlet_engine::adapters::builtin;
use gauntlet_engine::{Outcome, RunOptions, Simulation};
use gauntlet_scenarios::Scenario;

const FILES: [&str; 4] =
    ["curve.black_ice_patch", "curve.entry_too_fast", "highway.tyre_blowout", "lead_braking.brake_fade"];

fn load(id: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("library").join(format!("{id}.ron"));
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn run(id: &str, adapter: &str, seed: u64) -> gauntlet_engine::RunResult {
    let world = load(id).instance(seed).world;
    let mut a = builtin(adapter).expect("a built-in adapter");
    Simulation::run(&world, a.as_mut(), RunOptions::default())
}

#[test]
fn the_reference_passes_every_control_loss_file_at_eight_seeds() {
    for id in FILES {
        for seed in 0..8 {
            let r = run(id, "reference", seed);
            assert_eq!(
                r.outcome,
                Outcome::Pass,
                "{id} seed {seed}: {:?} {:?}",
                r.verdicts,
                r.formula_verdicts
            );
        }
    }
}

#[test]
fn a_driver_that_corners_and_brakes_for_a_dry_road_fails_them() {
    // At the nominal instance the icy patch throws the ice-naive driver off the road…
    let r = run("curve.black_ice_patch", "ice-naive", 0);
    assert_eq!(r.outcome, Outcome::Fail);
    let off = r.verdicts.iter().find(|v| v.criterion == "stay_on_road").expect("judged");
    assert!(off.margin < 0.0, "{off:?}");
    // …it enters the wet bend too fast and leaves it…
    let r = run("curve.entry_too_fast", "ice-naive", 0);
    assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.verdicts);
    // …and it brakes too late for its faded brakes.
    let r = run("lead_braking.brake_fade", "ice-naive", 0);
    assert_eq!(r.outcome, Outcome::Fail, "{:?}", r.verdicts);
}

#[test]
fn the_files_set_the_world_features_they_name() {
    use gauntlet_engine::vehicle_fault::{FaultKind, FaultTrigger, Side};
    let w = load("curve.black_ice_patch").instance(0).world;
    let p = w.environment.surface.patches();
    assert_eq!((p.len(), p[0].from_s, p[0].to_s, p[0].friction), (1, 130.0, 215.0, 0.35));
    assert!(w.ego.fault.is_none());
    let w = load("highway.tyre_blowout").instance(0).world;
    let f = w.ego.fault.expect("a fault");
    assert_eq!(f.trigger, FaultTrigger::Time(4.0));
    assert_eq!(f.kind, FaultKind::TyreBlowout { side: Side::Left, pull: 1.5, grip: 0.7 });
    assert!(w.environment.surface.is_empty());
}

#[test]
fn the_writer_keeps_patches_and_faults() {
    use gauntlet_ron_source::SourceFile;
    for id in ["curve.black_ice_patch", "highway.tyre_blowout", "lead_braking.brake_fade"] {
        let s = load(id);
        let text = gauntlet_scenarios::mutation::scenario_ron(s.file());
        let again = Scenario::from_source(SourceFile::new("w.ron", text)).unwrap_or_else(|e| panic!("{e}"));
        for seed in 0..3 {
            let (a, b) = (s.instance(seed).world, again.instance(seed).world);
            assert_eq!(a.environment.surface, b.environment.surface, "{id}");
            assert_eq!(a.ego.fault, b.ego.fault, "{id}");
        }
    }
}
