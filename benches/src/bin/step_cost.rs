//! Runs the 10-actor benchmark world for a number of steps, either through
//! the whole engine or as bare rapier on the same bodies, so that an
//! instruction counter (`valgrind --tool=callgrind`) can compare them
//! without the noise of wall-clock timing on a shared machine.
//!
//! `step_cost engine|rapier|setup STEPS`: `setup` builds and settles the
//! world and stops, so its count can be subtracted from the other two.

use std::path::Path;
use std::process::ExitCode;

use gauntlet_engine::adapters::ReferenceAdapter;
use gauntlet_engine::{AutonomyAdapter, Simulation};
use gauntlet_scenarios::Scenario;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(steps)) = (args.get(1), args.get(2).and_then(|s| s.parse::<u64>().ok())) else {
        eprintln!("usage: step_cost engine|rapier|setup STEPS");
        return ExitCode::from(2);
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ten_actors.ron");
    let scenario = match Scenario::load(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut spec = scenario.instance(0).world;
    spec.duration = 3600.0;
    let mut sim = Simulation::new(&spec);
    let mut adapter = ReferenceAdapter::default();
    if adapter.reset(sim.job_start()).is_err() {
        return ExitCode::FAILURE;
    }
    for _ in 0..40 {
        let Ok(control) = adapter.step(sim.observe()) else { return ExitCode::FAILURE };
        sim.act(control);
    }
    match mode.as_str() {
        "setup" => {}
        "engine" => {
            for _ in 0..steps {
                let Ok(control) = adapter.step(sim.observe()) else { return ExitCode::FAILURE };
                sim.act(control);
            }
        }
        "rapier" => {
            let mut physics = sim.into_physics();
            let handles: Vec<_> =
                physics.bodies.iter().filter(|(_, rb)| rb.is_dynamic()).map(|(h, _)| h).collect();
            for _ in 0..steps {
                for &h in &handles {
                    let rb = &mut physics.bodies[h];
                    let (force, angvel) = (rb.user_force(), rb.angvel());
                    rb.reset_forces(false);
                    rb.add_force(force, true);
                    rb.set_angvel(angvel, true);
                }
                physics.step();
            }
        }
        other => {
            eprintln!("unknown mode {other:?}: expected engine, rapier or setup");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
