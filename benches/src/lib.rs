//! Shared pieces of Gauntlet's benchmarks: the benchmark world, and bare
//! rapier driven the way the engine drives it, so that the engine can be
//! measured against rapier stepping the very same bodies.

use std::path::Path;

use gauntlet_engine::adapters::ReferenceAdapter;
use gauntlet_engine::{AutonomyAdapter, Simulation, WorldSpec};
use gauntlet_scenarios::Scenario;
use rapier3d::prelude::{PhysicsWorld, RigidBodyHandle};

/// The 10-actor benchmark world (`benches/scenarios/ten_actors.ron`), nominal instance.
pub fn ten_actors() -> WorldSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ten_actors.ron");
    match Scenario::load(&path) {
        Ok(scenario) => scenario.instance(0).world,
        Err(e) => panic!("the benchmark scenario is invalid: {e}"),
    }
}

/// The dense-traffic benchmark world (`benches/scenarios/dense_highway.ron`)
/// with `vehicles` generated vehicles (plus the ego), nominal otherwise.
pub fn dense_highway(vehicles: u32) -> WorldSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/dense_highway.ron");
    let scenario = match Scenario::load(&path) {
        Ok(scenario) => scenario,
        Err(e) => panic!("the benchmark scenario is invalid: {e}"),
    };
    let values = std::collections::BTreeMap::from([("traffic.count".to_owned(), vehicles as f64)]);
    match scenario.instance_with(0, &values) {
        Ok(instance) => instance.world,
        Err(e) => panic!("{vehicles} vehicles do not fit the benchmark scenario: {e}"),
    }
}

/// A simulation of `spec` after a 2 s settle with the reference adapter.
pub fn settled(spec: &WorldSpec, adapter: &mut ReferenceAdapter) -> Simulation {
    let mut sim = Simulation::new(spec);
    adapter.reset(sim.job_start()).expect("the reference adapter resets");
    for _ in 0..40 {
        let control = adapter.step(sim.observe()).expect("the reference adapter answers");
        sim.act(control);
    }
    sim
}

/// The dynamic bodies of a rapier world.
pub fn dynamic_bodies(physics: &PhysicsWorld) -> Vec<RigidBodyHandle> {
    physics.bodies.iter().filter(|(_, rb)| rb.is_dynamic()).map(|(h, _)| h).collect()
}

/// One bare rapier step, driven as the engine's actuation drives it: every
/// dynamic body gets its force and yaw rate set again, then rapier steps.
pub fn bare_step(physics: &mut PhysicsWorld, dynamic: &[RigidBodyHandle]) {
    for &h in dynamic {
        let rb = &mut physics.bodies[h];
        let (force, angvel) = (rb.user_force(), rb.angvel());
        rb.reset_forces(false);
        rb.add_force(force, true);
        rb.set_angvel(angvel, true);
    }
    physics.step();
}
