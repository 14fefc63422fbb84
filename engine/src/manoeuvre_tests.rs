//! Whole-run checks of the catalogue actors and manoeuvres against the
//! trace: a motorcycle's braking limit, an animal's gait, a drift's lateral
//! speed and depth, a backing vehicle's path, and their determinism.

use crate::actor::{ANIMAL_MAX_ACCEL, ActorKind, MOTORCYCLE_MAX_DECEL};
use crate::road::{EdgeKind, PathId};
use crate::sim::{RunOptions, Simulation};
use crate::spec::{ActorSpec, Behaviour, BehaviourStep, Trigger, WorldSpec};
use crate::testing::{frames, straight_spec, vehicle};

fn step(trigger: Trigger, behaviour: Behaviour) -> BehaviourStep {
    BehaviourStep::new(trigger, behaviour)
}

fn world(actor: ActorSpec, duration: f64) -> WorldSpec {
    let mut spec = straight_spec(0.0, 0.9, vec![actor]);
    spec.duration = duration;
    spec.criteria = vec![];
    spec.road.edge = EdgeKind::Open;
    spec
}

fn kind(mut a: ActorSpec, kind: ActorKind) -> ActorSpec {
    a.kind = kind;
    (a.length, a.width) = kind.default_size();
    a
}

#[test]
fn a_motorcycle_brakes_no_harder_than_its_limit() {
    let brake = step(Trigger::Time(1.0), Behaviour::Brake { decel: 12.0 });
    let bike = kind(vehicle(1, 40.0, 0.0, 20.0, vec![brake]), ActorKind::Motorcycle);
    let trace = frames(&world(bike, 6.0));
    let speed: Vec<f64> = trace.iter().map(|f| f.bodies[1].vx).collect();
    let dt = 0.05;
    let hardest = speed.windows(2).map(|w| (w[0] - w[1]) / dt).fold(0.0, f64::max);
    assert!(
        (hardest - MOTORCYCLE_MAX_DECEL).abs() < 0.1,
        "hardest braking {hardest} m/s² against the limit {MOTORCYCLE_MAX_DECEL}"
    );
    // A car asked the same brakes at 10 m/s² (its own limit), harder.
    let car = vehicle(1, 40.0, 0.0, 20.0, vec![brake]);
    let trace = frames(&world(car, 6.0));
    let speed: Vec<f64> = trace.iter().map(|f| f.bodies[1].vx).collect();
    let hardest_car = speed.windows(2).map(|w| (w[0] - w[1]) / dt).fold(0.0, f64::max);
    assert!(hardest_car > MOTORCYCLE_MAX_DECEL + 0.5, "car {hardest_car}");
}

#[test]
fn an_animal_runs_at_its_gait_and_stops_in_the_lane() {
    // A deer on the right verge bounds across at 10 m/s, stops in lane 0, then goes on.
    let mut deer = kind(vehicle(1, 60.0, 0.0, 0.0, vec![]), ActorKind::Animal);
    deer.d = -6.0;
    deer.heading = crate::math::PI / 2.0;
    deer.behaviours = vec![
        step(Trigger::Immediately, Behaviour::Cross { speed: 10.0, to_d: 0.0 }),
        step(Trigger::Time(3.0), Behaviour::Cross { speed: 10.0, to_d: 20.0 }),
    ];
    let trace = frames(&world(deer, 5.0));
    let vy: Vec<f64> = trace.iter().map(|f| f.bodies[1].vy).collect();
    let peak = vy.iter().copied().fold(0.0, f64::max);
    assert!(peak > 10.0 - 1e-6 && peak < 10.0 + 1e-6, "peak {peak}");
    // Its gait's acceleration bounds every change of velocity.
    let dv = vy.windows(2).map(|w| (w[1] - w[0]).abs() / 0.05).fold(0.0, f64::max);
    assert!(dv <= ANIMAL_MAX_ACCEL + 1e-6, "dv/dt {dv}");
    // It stands in the lane (d ≈ 0, slowing in time without overshooting)
    // before t = 3 s, then crosses on.
    let overshoot = trace.iter().filter(|f| f.t < 3.0).map(|f| f.bodies[1].d).fold(f64::MIN, f64::max);
    assert!(overshoot < 0.1, "overshoot {overshoot}");
    let at = |t: f64| trace.iter().find(|f| f.t >= t - 1e-9).expect("frame");
    assert!(at(2.9).bodies[1].d.abs() < 0.1, "d {}", at(2.9).bodies[1].d);
    assert!(at(2.9).bodies[1].vy.abs() < 0.1);
    assert!(at(5.0).bodies[1].d > 6.0, "d {}", at(5.0).bodies[1].d);
}

#[test]
fn a_drift_reaches_its_depth_at_its_lateral_speed_and_recovers() {
    // From lane 1 into lane 0: the right side 0.7 m past the line at d = 1.75.
    let drift =
        Behaviour::Drift { lane: 0, lateral_speed: 0.6, depth: 0.7, hold: 2.0, recover: true, speed: 20.0 };
    let car = vehicle(1, 40.0, 1.0, 20.0, vec![step(Trigger::Time(1.0), drift)]);
    let trace = frames(&world(car, 12.0));
    let d: Vec<f64> = trace.iter().map(|f| f.bodies[1].d).collect();
    let deepest = d.iter().copied().fold(f64::INFINITY, f64::min);
    let intrusion = 1.75 - (deepest - 0.9);
    assert!((intrusion - 0.7).abs() < 0.1, "intrusion {intrusion} m");
    // The lateral speed half-way through the drift out (at 1 + 1.5/0.6/2 ≈ 2.25 s).
    let f = trace.iter().find(|f| f.t >= 2.25).expect("frame");
    assert!((f.bodies[1].vy + 0.6).abs() < 0.1, "lateral speed {}", f.bodies[1].vy);
    // Recovered to its lane's centre by the end.
    assert!((d.last().expect("frames") - 3.5).abs() < 0.1, "d {:?}", d.last());
}

#[test]
fn a_drift_without_recovery_stays_in_the_lane_it_drifted_into() {
    let drift =
        Behaviour::Drift { lane: 0, lateral_speed: 1.0, depth: 1.0, hold: 0.0, recover: false, speed: 20.0 };
    let car = vehicle(1, 40.0, 1.0, 20.0, vec![step(Trigger::Time(0.5), drift)]);
    let trace = frames(&world(car, 8.0));
    let last = trace.last().expect("frames").bodies[1].d;
    assert!((last - (1.75 - 1.0 + 0.9)).abs() < 0.1, "d {last}");
}

#[test]
fn a_vehicle_backs_out_of_a_driveway_into_the_lane() {
    // Parked nose away from the road on the right verge, it reverses 6 m at up to 2 m/s.
    let mut car = vehicle(1, 60.0, 0.0, 0.0, vec![]);
    car.d = -7.0;
    car.heading = -crate::math::PI / 2.0;
    car.behaviours = vec![step(Trigger::Time(0.5), Behaviour::Reverse { speed: 2.0, distance: 6.0 })];
    let trace = frames(&world(car, 10.0));
    let last = &trace.last().expect("frames").bodies[1];
    assert!((last.d - (-1.0)).abs() < 0.15, "stopped at d = {}", last.d);
    assert!((last.s - 60.0).abs() < 0.05, "straight back: s = {}", last.s);
    assert!(last.vx.hypot(last.vy) < 0.05, "stands at the end");
    let fastest = trace.iter().map(|f| f.bodies[1].vy).fold(0.0, f64::max);
    assert!(fastest <= 2.0 + 1e-6 && fastest > 1.9, "reverse speed {fastest}");
    // Backwards: its heading still points away from the road.
    assert!((last.yaw + crate::math::PI / 2.0).abs() < 0.01, "yaw {}", last.yaw);
}

#[test]
fn the_new_kinds_and_manoeuvres_are_deterministic() {
    let mut bike = kind(vehicle(1, 40.0, 1.0, 20.0, vec![]), ActorKind::Motorcycle);
    bike.behaviours = vec![step(
        Trigger::Time(1.0),
        Behaviour::Drift { lane: 0, lateral_speed: 0.8, depth: 0.5, hold: 1.0, recover: true, speed: 18.0 },
    )];
    let mut backing = vehicle(2, 90.0, 0.0, 0.0, vec![]);
    backing.d = -7.0;
    backing.heading = -crate::math::PI / 2.0;
    backing.behaviours = vec![step(Trigger::Time(0.5), Behaviour::Reverse { speed: 2.0, distance: 6.0 })];
    let mut deer = kind(vehicle(3, 120.0, 0.0, 0.0, vec![]), ActorKind::Animal);
    deer.d = -6.0;
    deer.heading = crate::math::PI / 2.0;
    deer.behaviours = vec![step(Trigger::Immediately, Behaviour::Cross { speed: 9.0, to_d: 9.0 })];
    let mut spec = straight_spec(15.0, 0.9, vec![bike, backing, deer]);
    spec.road.edge = EdgeKind::Open;
    spec.actors.iter_mut().for_each(|a| a.path = PathId::Route);
    let a = Simulation::run(&spec, &mut crate::adapters::ReferenceAdapter::default(), RunOptions::default());
    let b = Simulation::run(&spec, &mut crate::adapters::ReferenceAdapter::default(), RunOptions::default());
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_eq!(a.steps, b.steps);
}
