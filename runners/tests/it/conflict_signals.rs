//! The conflict signals on real runs: `ttb_lead` is `ttc_lead` minus the
//! braking allowance `closing/(2·μ·g)` along the lane, `pet` is defined once
//! the ego has crossed the crosswalk after the pedestrians, and both are the
//! same on every run of the same job.

use std::path::{Path, PathBuf};

use gauntlet_engine::signals::SIGNAL_NAMES;
use gauntlet_engine::{FormulaSpec, Simulation, StepStatus, adapters};
use gauntlet_scenarios::Scenario;

fn library(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library").join(format!("{name}.ron"))
}

fn column(name: &str) -> usize {
    SIGNAL_NAMES.iter().position(|n| *n == name).unwrap_or_else(|| panic!("no signal {name}"))
}

/// Every step's signals of `scenario` at `seed` against `adapter`, and the world's friction.
fn signals(scenario: &str, seed: u64, adapter: &str) -> (Vec<Vec<f64>>, f64) {
    let scenario = Scenario::load(&library(scenario)).expect("library scenario loads");
    let mut world = scenario.instance(seed).world;
    world.formulas = vec![FormulaSpec::new("any", "always speed >= 0", world.dt, "", 1.0).unwrap()];
    let friction = world.environment.friction;
    let mut sim = Simulation::new(&world);
    let mut stack = adapters::builtin(adapter).unwrap();
    stack.reset(sim.job_start()).unwrap();
    let mut rows = Vec::new();
    for _ in 0..sim.total_steps() {
        let control = stack.step(sim.observe()).unwrap();
        let status = sim.act(control);
        rows.push(sim.signals().expect("a world with a formula computes signals").to_vec());
        if status == StepStatus::Finished {
            break;
        }
    }
    (rows, friction)
}

#[test]
fn ttb_is_ttc_less_the_braking_allowance_along_the_lane() {
    let (rows, friction) = signals("lead_braking.highway", 0, "late-braker");
    let (ttb, ttc, gap) = (column("ttb_lead"), column("ttc_lead"), column("gap_lead"));
    let a = friction * gauntlet_engine::G;
    let mut closing = 0;
    for r in &rows {
        if r[ttc] < 60.0 && r[gap] > 0.0 {
            // The lane closing speed is gap / ttc: TTB = TTC − (gap/TTC)/(2a).
            let expected = r[ttc] - (r[gap] / r[ttc]) / (2.0 * a);
            assert!((r[ttb] - expected).abs() < 1e-9, "ttb {} expected {expected}", r[ttb]);
            closing += 1;
        } else {
            assert_eq!(r[ttb], 60.0);
        }
    }
    assert!(closing > 10, "the ego closed on the lead in only {closing} steps");
    // While closing in, the braking allowance is visible: TTB falls well below TTC.
    assert!(rows.iter().any(|r| r[ttc] < 60.0 && r[ttb] < r[ttc] - 0.1), "no braking allowance seen");
}

#[test]
fn pet_is_defined_once_the_ego_has_crossed_after_the_pedestrians() {
    let (rows, _) = signals("crosswalk.pedestrian", 0, "reference");
    let (pet, predicted) = (column("pet"), column("pet_predicted"));
    assert_eq!(rows[0][pet], 60.0, "undefined before any encroachment");
    let defined = rows.iter().position(|r| r[pet] < 60.0).expect("an encroachment completes");
    let value = rows[defined][pet];
    assert!((0.0..60.0).contains(&value), "{value}");
    // Once defined, it changes only at the next encroachment: piecewise constant.
    let changes = rows[defined..].windows(2).filter(|w| w[0][pet] != w[1][pet]).count();
    assert!(changes <= 4, "{changes} changes");
    // Predicted while the ego and the pedestrians approach the crosswalk.
    assert!(rows[..defined].iter().any(|r| r[predicted] < 60.0), "no prediction before the encroachment");
    assert!(rows.iter().all(|r| (0.0..=60.0).contains(&r[predicted])));
    // The same job gives the same signals.
    assert_eq!(signals("crosswalk.pedestrian", 0, "reference").0, rows);
}
