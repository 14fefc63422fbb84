//! Dense traffic: how the cost of a step grows with the number of actors.
//!
//! The world is `benches/scenarios/dense_highway.ron`: the ego and N
//! generated vehicles (N = 100, 500, 1000) keeping their lanes with IDM on a
//! three-lane, 10 km highway, every criterion on, the reference adapter
//! driving, 20 Hz (dt = 50 ms, so the real-time factor of one core is
//! 50 ms / the step's time). After a 2 s settle:
//!
//! - `dense_step/engine/N`: one full step (behaviours, sensor with
//!   occlusion, adapter, actuation, rapier, read-back, criteria, trace hash);
//! - `dense_step/rapier/N`: bare rapier stepping the very same bodies, each
//!   given its force and yaw rate again (what any rapier user pays), so that
//!   the difference is the engine's own work.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gauntlet_benches::{bare_step, dense_highway, dynamic_bodies, settled};
use gauntlet_engine::AutonomyAdapter;
use gauntlet_engine::adapters::ReferenceAdapter;

fn dense_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("dense_step");
    group.sample_size(20);
    for vehicles in [100u32, 500, 1000] {
        let mut spec = dense_highway(vehicles);
        spec.duration = 3600.0; // never finishes while measured
        group.bench_with_input(BenchmarkId::new("engine", vehicles), &spec, |b, spec| {
            let mut adapter = ReferenceAdapter::default();
            let mut sim = settled(spec, &mut adapter);
            b.iter(|| {
                let control = adapter.step(sim.observe()).expect("answers");
                black_box(sim.act(control))
            });
        });
        group.bench_with_input(BenchmarkId::new("rapier", vehicles), &spec, |b, spec| {
            let mut adapter = ReferenceAdapter::default();
            let mut physics = settled(spec, &mut adapter).into_physics();
            let dynamic = dynamic_bodies(&physics);
            b.iter(|| {
                bare_step(&mut physics, &dynamic);
                black_box(&physics);
            });
        });
    }
    group.finish();
}

criterion_group!(benches, dense_step);
criterion_main!(benches);
