//! Runs the 10-actor benchmark world for a number of steps, either through
//! the whole engine or as bare rapier on the same bodies, so that an
//! instruction counter (`valgrind --tool=callgrind`) can compare them
//! without the noise of wall-clock timing on a shared machine.
//!
//! `step_cost engine|rapier|setup STEPS [VEHICLES]`: `setup` builds and
//! settles the world and stops, so its count can be subtracted from the other
//! two. With `VEHICLES`, the world is the dense-traffic benchmark
//! (`benches/scenarios/dense_highway.ron`) with that many generated vehicles.

use std::process::ExitCode;

use gauntlet_benches::{bare_step, dense_highway, dynamic_bodies, settled, ten_actors};
use gauntlet_engine::AutonomyAdapter;
use gauntlet_engine::adapters::ReferenceAdapter;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(steps)) = (args.get(1), args.get(2).and_then(|s| s.parse::<u64>().ok())) else {
        eprintln!("usage: step_cost engine|rapier|setup STEPS [VEHICLES]");
        return ExitCode::from(2);
    };
    let mut spec = match args.get(3).map(|v| v.parse::<u32>()) {
        None => ten_actors(),
        Some(Ok(vehicles)) => dense_highway(vehicles),
        Some(Err(e)) => {
            eprintln!("VEHICLES must be a whole number: {e}");
            return ExitCode::from(2);
        }
    };
    spec.duration = 3600.0;
    let mut adapter = ReferenceAdapter::default();
    let mut sim = settled(&spec, &mut adapter);
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
            let dynamic = dynamic_bodies(&physics);
            for _ in 0..steps {
                bare_step(&mut physics, &dynamic);
            }
        }
        other => {
            eprintln!("unknown mode {other:?}: expected engine, rapier or setup");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
