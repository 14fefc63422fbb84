//! The engine against bare rapier on the same bodies.
//!
//! - `step/engine_10_actors`: one full step (behaviours, sensor with ray
//!   casts, reference adapter, actuation, rapier, read-back, criteria, trace
//!   hash) of the 10-actor world, after a 2 s settle;
//! - `step/rapier_10_actors`: rapier's own step of the very same world
//!   (taken out of the engine after the same settle), driven the way a bare
//!   rapier user drives boxes: each step every dynamic body gets its force
//!   and yaw rate set again, as the engine's actuation does;
//! - `scenario/ten_actors_30s`: the whole 30 s scenario at 20 Hz (600 steps),
//!   world construction included.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gauntlet_benches::{bare_step, dynamic_bodies, settled, ten_actors};
use gauntlet_engine::adapters::ReferenceAdapter;
use gauntlet_engine::{AutonomyAdapter, RunOptions, Simulation};

fn step(c: &mut Criterion) {
    let mut spec = ten_actors();
    spec.duration = 3600.0; // never finishes while measured
    let mut group = c.benchmark_group("step");
    group.bench_function("engine_10_actors", |b| {
        let mut adapter = ReferenceAdapter::default();
        let mut sim = settled(&spec, &mut adapter);
        b.iter(|| {
            let control = adapter.step(sim.observe()).expect("answers");
            black_box(sim.act(control))
        });
    });
    group.bench_function("rapier_10_actors", |b| {
        let mut adapter = ReferenceAdapter::default();
        let mut physics = settled(&spec, &mut adapter).into_physics();
        let dynamic = dynamic_bodies(&physics);
        b.iter(|| {
            bare_step(&mut physics, &dynamic);
            black_box(&physics);
        });
    });
    group.finish();
}

fn scenario(c: &mut Criterion) {
    let spec = ten_actors();
    let mut group = c.benchmark_group("scenario");
    group.sample_size(30);
    group.bench_function("ten_actors_30s", |b| {
        let mut adapter = ReferenceAdapter::default();
        b.iter(|| black_box(Simulation::run(&spec, &mut adapter, RunOptions::default())));
    });
    group.finish();
}

criterion_group!(benches, step, scenario);
criterion_main!(benches);
