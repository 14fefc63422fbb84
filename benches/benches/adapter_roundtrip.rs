//! Cost of one adapter step: an external process over the stdio JSON-lines
//! protocol (a trivial Rust child, a trivial Python child) against the
//! in-process reference adapter.
//!
//! `*/round_trip` is the whole `ExecAdapter::step`, wall time. Gauntlet's own
//! part of it (serialise, write, read, parse), whose target is under 20 µs per
//! step, is measured two ways: `*/engine_share` is the wall time outside
//! `poll(2)` ([`ExecAdapter::round_trip_stats`]), which on a busy machine also
//! holds the times the thread was preempted (a woken child often takes its
//! CPU); `*/engine_cpu` is the CPU time of the calling thread, system calls
//! included, which does not. `observe_json/serialize` is the floor: the JSON
//! text of the observation alone.
//!
//! `cargo bench -p gauntlet-benches --bench adapter_roundtrip`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use gauntlet_engine::{
    ActorKind, AutonomyAdapter, EgoLimits, EgoObservation, GoalInfo, JobEnd, JobStart, ObjectObservation,
    Observation, RoadInfo,
};
use gauntlet_runners::adapter::{ExecAdapter, ExecCommand, ExecOptions};

/// A trivial Python adapter: parses each line, answers a fixed control.
const PYTHON_ECHO: &str = r#"
import json, sys
out = sys.stdout
for line in sys.stdin:
    kind = json.loads(line).get("type")
    if kind == "hello":
        out.write('{"type":"hello","protocol":1,"name":"echo-py","version":"1"}\n')
    elif kind == "reset":
        out.write('{"type":"ready"}\n')
    elif kind == "observe":
        out.write('{"type":"control","accel":0.5,"steer":-0.01}\n')
    else:
        continue
    out.flush()
"#;

fn job() -> JobStart {
    JobStart {
        scenario: "cut_in.highway".into(),
        seed: 17,
        dt: 0.05,
        duration: 20.0,
        ego: EgoLimits::MID_SIZE_CAR,
        road: RoadInfo { lanes: 3, lane_width: 3.5, speed_limit: 33.3, lane_drop: None },
        goal: GoalInfo { s: 400.0 },
        route: None,
    }
}

/// A highway step with eight road users in view (a ~2.5 KB `observe` line).
fn observation() -> Observation {
    let objects = (0..8u32)
        .map(|i| {
            let lane = (i % 3) as i32;
            let s = 120.0 + 17.3 * f64::from(i);
            ObjectObservation {
                id: i + 1,
                kind: ActorKind::Vehicle,
                x: s,
                y: f64::from(lane) * 3.5 + 0.12,
                yaw: 0.003,
                speed: 24.6,
                length: 4.5,
                width: 1.8,
                s,
                d: f64::from(lane) * 3.5 + 0.12,
                vs: 24.59,
                vd: -0.07,
                lane,
            }
        })
        .collect();
    Observation {
        step: 0,
        t: 0.0,
        ego: EgoObservation {
            x: 112.13,
            y: 3.52,
            yaw: 0.0012,
            speed: 24.81,
            accel: -0.31,
            yaw_rate: 0.0004,
            s: 112.13,
            d: 3.52,
            vs: 24.8,
            vd: 0.03,
            lane: 1,
            lane_d: 0.02,
            heading_err: 0.0012,
            curvature: 0.0,
            lane_shift: 0.0,
            fault: None,
        },
        objects,
        signal: None,
    }
}

fn bench_exec(c: &mut Criterion, name: &str, command: ExecCommand) {
    let mut adapter = ExecAdapter::new(command, ExecOptions::default()).expect("no adapter log to open");
    if let Err(fault) = adapter.reset(&job()) {
        panic!("{name}: the adapter did not start: {fault}");
    }
    let mut obs = observation();
    let mut step = |adapter: &mut ExecAdapter| {
        obs.step += 1;
        obs.t = obs.step as f64 * 0.05;
        match adapter.step(black_box(&obs)) {
            Ok(control) => black_box(control),
            Err(fault) => panic!("{name}: {fault}"),
        }
    };
    let mut group = c.benchmark_group(name);
    group.bench_function("round_trip", |b| b.iter(|| step(&mut adapter)));
    group.bench_function("engine_share", |b| {
        b.iter_custom(|iters| {
            let before = adapter.round_trip_stats().engine();
            for _ in 0..iters {
                step(&mut adapter);
            }
            adapter.round_trip_stats().engine() - before
        })
    });
    group.bench_function("engine_cpu", |b| {
        b.iter_custom(|iters| {
            let before = thread_cpu_time();
            for _ in 0..iters {
                step(&mut adapter);
            }
            thread_cpu_time().saturating_sub(before)
        })
    });
    group.finish();
    adapter.end(JobEnd::Pass);
}

/// CPU time consumed by the calling thread so far.
fn thread_cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::try_from(t).unwrap_or(Duration::ZERO)
}

fn exec_rust(c: &mut Criterion) {
    bench_exec(c, "exec_rust", ExecCommand::new(env!("CARGO_BIN_EXE_echo_adapter"), Vec::<String>::new()));
}

fn exec_python(c: &mut Criterion) {
    bench_exec(c, "exec_python", ExecCommand::new("python3", ["-S", "-c", PYTHON_ECHO]));
}

fn builtin_reference(c: &mut Criterion) {
    let Some(mut adapter) = gauntlet_engine::adapters::builtin("reference") else {
        panic!("the engine has no `reference` adapter");
    };
    if let Err(fault) = adapter.reset(&job()) {
        panic!("reference: {fault}");
    }
    let mut obs = observation();
    c.bench_function("builtin_reference/step", |b| {
        b.iter(|| {
            obs.step += 1;
            obs.t = obs.step as f64 * 0.05;
            match adapter.step(black_box(&obs)) {
                Ok(control) => black_box(control),
                Err(fault) => panic!("reference: {fault}"),
            }
        })
    });
    adapter.end(JobEnd::Pass);
}

/// The CPU floor of Gauntlet's share: the JSON text of one observation.
fn observe_json(c: &mut Criterion) {
    let obs = observation();
    let mut line = Vec::with_capacity(4096);
    c.bench_function("observe_json/serialize", |b| {
        b.iter(|| {
            line.clear();
            if let Err(e) = serde_json::to_writer(&mut line, black_box(&obs)) {
                panic!("serialize: {e}");
            }
            black_box(line.len())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = exec_rust, exec_python, builtin_reference, observe_json
}
criterion_main!(benches);
