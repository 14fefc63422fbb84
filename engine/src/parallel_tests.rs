//! Whole-run checks of steps that run in parallel (a speed change alongside
//! a lateral move, and the reverse) and of teleports, against the trace and
//! against the same scripts run one step after the other.

use crate::profile::Shape;
use crate::road::EdgeKind;
use crate::spec::{Behaviour, BehaviourStep, Trigger, WorldSpec};
use crate::testing::{frames, straight_spec, vehicle};
use crate::trace::{TraceBody, TraceFrame};
use crate::trigger::{Condition, Conditions, Edge, Judged};

const LANE: f64 = 3.5;

fn world(steps: Vec<BehaviourStep>, duration: f64) -> WorldSpec {
    let mut spec = straight_spec(0.0, 0.9, vec![vehicle(1, 40.0, 0.0, 10.0, steps)]);
    spec.duration = duration;
    spec.criteria = vec![];
    spec.road.edge = EdgeKind::Open;
    spec
}

fn step(at: f64, behaviour: Behaviour, parallel: bool) -> BehaviourStep {
    BehaviourStep { trigger: Trigger::Time(at), behaviour, parallel }
}

fn speed(b: &TraceBody) -> f64 {
    libm::hypot(b.vx, b.vy)
}

/// The actor in the frame that ends at `t` (frames record the state at the
/// end of their step).
fn at(trace: &[TraceFrame], t: f64) -> &TraceBody {
    &trace.iter().find(|f| (f.t - t).abs() < 1e-6).expect("a frame at that time").bodies[1]
}

const CHANGE: Behaviour =
    Behaviour::ChangeLane { lane: 1, duration: 4.0, speed: 10.0, shape: Shape::Sinusoidal };
const FASTER: Behaviour = Behaviour::ChangeSpeed { speed: 16.0, rate: 2.0 };

#[test]
fn a_speed_change_alongside_a_lane_change_leaves_the_move_running() {
    // A 4 s lane change from t = 1 s; a speed change from 10 to 16 m/s at 2 m/s² from t = 2 s.
    let alone = frames(&world(vec![step(1.0, CHANGE, false)], 9.0));
    let side_by_side = frames(&world(vec![step(1.0, CHANGE, false), step(2.0, FASTER, true)], 9.0));
    let replacing = frames(&world(vec![step(1.0, CHANGE, false), step(2.0, FASTER, false)], 9.0));
    // Until the speed change starts the three runs are one.
    assert_eq!(at(&alone, 2.0), at(&side_by_side, 2.0));
    // The lateral move keeps its profile: a second into the speed change it
    // is where the lane change alone has it (the speed differs by ≤ 2 m/s,
    // which Stanley steering barely feels), while a speed change that
    // replaces the move jumps the reference to the target lane at once.
    let (lone, par, rep) = (at(&alone, 3.0).d, at(&side_by_side, 3.0).d, at(&replacing, 3.0).d);
    assert!((par - lone).abs() < 0.1, "alongside {par} m, alone {lone} m");
    assert!(rep - lone > 0.3, "replacing {rep} m against {lone} m: the reference did not jump");
    // It ends on the target lane's centre.
    let end = at(&side_by_side, 9.0).d;
    assert!((end - LANE).abs() < 0.05, "settled at {end} m");
    // The speed follows the ramp: 10 + 2·(t − 2) up to 16 m/s at t = 5 s.
    for (t, v) in [(3.0, 12.0), (4.0, 14.0), (6.0, 16.0)] {
        let got = speed(at(&side_by_side, t));
        assert!((got - v).abs() < 0.15, "at {t} s: {got} m/s, expected {v}");
    }
}

#[test]
fn a_lane_change_alongside_a_speed_change_keeps_the_ramp() {
    // The ramp from t = 1 s (10 → 16 m/s at 2 m/s²); a lane change whose own
    // speed is 10 m/s starts at t = 2 s.
    let side_by_side = frames(&world(vec![step(1.0, FASTER, false), step(2.0, CHANGE, true)], 12.0));
    let replacing = frames(&world(vec![step(1.0, FASTER, false), step(2.0, CHANGE, false)], 12.0));
    for (t, v) in [(3.0, 14.0), (4.0, 16.0), (8.0, 16.0)] {
        let got = speed(at(&side_by_side, t));
        assert!((got - v).abs() < 0.15, "at {t} s: {got} m/s, expected {v}");
    }
    // Replacing the ramp hands the speed to the lane change's IDM towards 10 m/s.
    assert!(speed(at(&replacing, 8.0)) < 12.0, "the replacing lane change kept the ramp");
    let end = at(&side_by_side, 12.0).d;
    assert!((end - LANE).abs() < 0.05, "settled at {end} m");
}

#[test]
fn a_parallel_step_takes_over_only_its_half_of_what_a_step_carried() {
    // Lane change, then a speed change alongside it, then a lane change back
    // alongside the speed change: the second lane change replaces the first
    // and the ramp goes on.
    let back = Behaviour::ChangeLane { lane: 0, duration: 3.0, speed: 10.0, shape: Shape::Sinusoidal };
    let trace =
        frames(&world(vec![step(1.0, CHANGE, false), step(2.0, FASTER, true), step(6.0, back, true)], 16.0));
    // The body lags its reference by about a second (Stanley steering).
    assert!(at(&trace, 6.0).d > 0.85 * LANE, "the first lane change did not run on");
    assert!((speed(at(&trace, 5.5)) - 16.0).abs() < 0.15, "the ramp stopped");
    assert!((speed(at(&trace, 8.0)) - 16.0).abs() < 0.15, "the second lane change took the speed");
    assert!(at(&trace, 16.0).d.abs() < 0.05, "not back in lane 0");
}

#[test]
fn a_teleport_jumps_keeps_its_speed_and_leaves_the_jump_out_of_the_odometer() {
    // At t = 1 s the car (10 m/s, s = 40 m, lane 0) jumps to s = 250 m in
    // lane 1; it brakes once it has travelled 30 m (t = 3 s if the 200 m
    // jump is not counted as travel).
    let travelled = Conditions::new(&[Judged {
        group: 0,
        condition: Condition::TraveledDistance { entity: 1, distance: 30.0 },
        edge: Edge::None,
        delay: 0.0,
    }])
    .expect("one condition");
    let steps = vec![
        step(1.0, Behaviour::Teleport { s: 250.0, d: LANE, heading: 0.0 }, false),
        BehaviourStep::new(Trigger::When(travelled), Behaviour::Brake { decel: 4.0 }),
    ];
    let trace = frames(&world(steps, 5.0));
    let before = at(&trace, 1.0);
    assert!((before.s - 50.0).abs() < 1e-6 && before.d.abs() < 1e-6, "{before:?}");
    // The step from t = 1 s: it lands at s = 250 m and moves on at 10 m/s.
    let landed = at(&trace, 1.05);
    assert!((landed.s - 250.5).abs() < 1e-6 && (landed.d - LANE).abs() < 1e-6, "{landed:?}");
    assert!((speed(landed) - 10.0).abs() < 0.05 && landed.yaw.abs() < 1e-9, "{landed:?}");
    let braking = trace
        .windows(2)
        .find(|w| speed(&w[1].bodies[1]) < speed(&w[0].bodies[1]) - 0.05)
        .map(|w| w[1].t)
        .expect("it brakes");
    assert!((braking - 3.05).abs() < 0.11, "braked at {braking} s");
    // Keeping lane 1 after landing.
    assert!((at(&trace, 2.9).d - LANE).abs() < 0.01);
}

#[test]
fn a_teleport_alongside_a_speed_change_keeps_the_ramp() {
    let jump = Behaviour::Teleport { s: 300.0, d: 0.0, heading: 0.0 };
    let trace = frames(&world(vec![step(1.0, FASTER, false), step(2.0, jump, true)], 6.0));
    // 12 m/s when it jumps; the ramp carries on to 16 m/s at t = 4 s.
    // The tick it jumps on it coasts at 12 m/s; then the ramp goes on.
    let landed = at(&trace, 2.05);
    assert!((speed(landed) - 12.0).abs() < 0.01 && (landed.s - 300.6).abs() < 1e-6, "{landed:?}");
    assert!((speed(at(&trace, 3.5)) - 15.0).abs() < 0.15, "{}", speed(at(&trace, 3.5)));
}

#[test]
fn parallel_steps_and_teleports_are_deterministic() {
    let spec = world(
        vec![
            step(1.0, CHANGE, false),
            step(2.0, FASTER, true),
            step(4.0, Behaviour::Teleport { s: 200.0, d: LANE, heading: 0.05 }, true),
            step(5.0, Behaviour::Brake { decel: 3.0 }, true),
        ],
        8.0,
    );
    let a = frames(&spec);
    let b = frames(&spec);
    assert_eq!(a, b);
}
