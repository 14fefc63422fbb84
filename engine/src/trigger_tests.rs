//! Whole-run checks of conditions judged while running and of shaped
//! behaviours against the trace: a step starts on the step after the one
//! whose state makes its trigger hold, a shaped speed change follows its
//! analytic profile, a lane offset ends at its offset on time; and all of
//! it is deterministic.

use crate::profile::Shape;
use crate::road::EdgeKind;
use crate::sim::{RunOptions, Simulation};
use crate::spec::{ActorSpec, Behaviour, BehaviourStep, Trigger, WorldSpec};
use crate::testing::{frames, straight_spec, vehicle};
use crate::trace::{TraceBody, TraceFrame};
use crate::trigger::{Condition, Conditions, Edge, Judged, Measure, Offset, Rule};

const DT: f64 = 0.05;

fn when(list: &[Judged]) -> Trigger {
    Trigger::When(Conditions::new(list).expect("1 to 8 conditions"))
}

fn one(condition: Condition) -> Judged {
    Judged { group: 0, condition, edge: Edge::None, delay: 0.0 }
}

fn world(ego_speed: f64, actors: Vec<ActorSpec>, duration: f64) -> WorldSpec {
    let mut spec = straight_spec(ego_speed, 0.9, actors);
    spec.duration = duration;
    spec.criteria = vec![];
    spec.road.edge = EdgeKind::Open;
    spec
}

fn speed(b: &TraceBody) -> f64 {
    libm::hypot(b.vx, b.vy)
}

/// Index of the first frame where the actor (body 1) brakes (its speed
/// drops by more than 0.1 m/s² · dt over one step).
fn first_braking(trace: &[TraceFrame]) -> usize {
    trace
        .windows(2)
        .position(|w| speed(&w[0].bodies[1]) - speed(&w[1].bodies[1]) > 0.1 * DT)
        .expect("it brakes")
        + 1
}

#[test]
fn a_speed_condition_on_the_ego_starts_the_step_right_after_it_holds() {
    // The parked ego brakes at 1 m/s² from 12 m/s; the car ahead brakes once the ego is below 9 m/s.
    let brake = BehaviourStep {
        trigger: when(&[one(Condition::Speed { entity: 0, rule: Rule::Below, value: 9.0 })]),
        behaviour: Behaviour::Brake { decel: 4.0 },
        parallel: false,
    };
    let trace = frames(&world(12.0, vec![vehicle(1, 60.0, 0.0, 10.0, vec![brake])], 6.0));
    // The frame whose state first holds: the script judges it at the start of the next step,
    // whose motion the next frame records.
    let holds = trace.iter().position(|f| f.bodies[0].vx <= 9.0).expect("the ego slows below 9 m/s");
    assert_eq!(first_braking(&trace), holds + 1);
    assert!(holds > 20, "judged while running, not at once ({holds})");
}

#[test]
fn a_rising_edge_with_a_delay_and_an_or_group_start_on_the_computed_step() {
    // Rising edge of "ego within 30 m of the parked watcher" (false at the start: 60 m apart)
    // with a 0.5 s delay, ORed with a time that comes later; the mover in the next lane brakes.
    let spec = {
        let mut watcher = vehicle(1, 60.0, 0.0, 0.0, vec![]);
        watcher.speed = 0.0;
        let mut mover = vehicle(2, 120.0, 1.0, 10.0, vec![]);
        mover.behaviours = vec![BehaviourStep {
            trigger: when(&[
                Judged {
                    group: 0,
                    condition: Condition::Distance {
                        entity: 1,
                        to: 0,
                        rule: Rule::Below,
                        distance: 30.0,
                        freespace: false,
                        measure: Measure::Euclidean,
                    },
                    edge: Edge::Rising,
                    delay: 0.5,
                },
                Judged { group: 1, condition: Condition::Time { at: 9.0 }, edge: Edge::None, delay: 0.0 },
            ]),
            behaviour: Behaviour::Brake { decel: 4.0 },
            parallel: false,
        }];
        world(15.0, vec![watcher, mover], 5.0)
    };
    let trace = frames(&spec);
    let dist = |f: &TraceFrame| libm::hypot(f.bodies[1].x - f.bodies[0].x, f.bodies[1].y - f.bodies[0].y);
    let holds = trace.iter().position(|f| dist(f) <= 30.0).expect("the ego comes within 30 m");
    // Rises when judged on frame `holds` (at t = t_holds), reports 0.5 s = 10 steps later.
    let speed2 = |f: &TraceFrame| speed(&f.bodies[2]);
    let brakes =
        trace.windows(2).position(|w| speed2(&w[0]) - speed2(&w[1]) > 0.1 * DT).expect("it brakes") + 1;
    assert_eq!(brakes, holds + 1 + 10, "rises on {holds}");
}

#[test]
fn a_rising_edge_true_when_judging_begins_waits_for_the_next_rise() {
    // "Ego within 100 m" holds from the start: a rising edge never comes; the level fires at once.
    let cond = |edge| Judged {
        group: 0,
        condition: Condition::Distance {
            entity: 1,
            to: 0,
            rule: Rule::Below,
            distance: 100.0,
            freespace: false,
            measure: Measure::Euclidean,
        },
        edge,
        delay: 0.0,
    };
    let brake = |edge| BehaviourStep {
        trigger: when(&[cond(edge)]),
        behaviour: Behaviour::Brake { decel: 4.0 },
        parallel: false,
    };
    let trace = frames(&world(5.0, vec![vehicle(1, 40.0, 0.0, 10.0, vec![brake(Edge::Rising)])], 3.0));
    assert!(trace.iter().all(|f| (speed(&f.bodies[1]) - 10.0).abs() < 0.05), "a rising edge fired");
    let trace = frames(&world(5.0, vec![vehicle(1, 40.0, 0.0, 10.0, vec![brake(Edge::None)])], 3.0));
    assert!(speed(&trace[0].bodies[1]) < 10.0 - 0.1 * DT, "the level fires on the first step");
}

#[test]
fn a_shaped_speed_change_follows_its_analytic_profile() {
    for shape in [Shape::Cubic, Shape::Sinusoidal] {
        let change = BehaviourStep {
            trigger: Trigger::Time(1.0),
            behaviour: Behaviour::ShapedSpeed { speed: 20.0, duration: 4.0, shape },
            parallel: false,
        };
        let trace = frames(&world(0.0, vec![vehicle(1, 40.0, 0.0, 10.0, vec![change])], 7.0));
        let mut worst: f64 = 0.0;
        for f in &trace {
            let expected = shape.at(10.0, 20.0, f.t - 1.0, 4.0);
            worst = worst.max((speed(&f.bodies[1]) - expected).abs());
        }
        assert!(worst < 0.15, "{shape:?}: off the profile by {worst} m/s");
        let last = trace.last().expect("frames");
        assert!((speed(&last.bodies[1]) - 20.0).abs() < 0.05);
    }
}

#[test]
fn a_lane_offset_reaches_its_offset_when_the_shape_says() {
    let shape = Shape::Sinusoidal;
    let move_ = BehaviourStep {
        trigger: Trigger::Time(1.0),
        behaviour: Behaviour::LaneOffset { lane: 0, offset: 0.8, shape, max_lateral_accel: 1.0, speed: 10.0 },
        parallel: false,
    };
    let trace = frames(&world(0.0, vec![vehicle(1, 40.0, 0.0, 10.0, vec![move_])], 8.0));
    let t_end = 1.0 + shape.duration_for(0.8, 1.0);
    let at = |t: f64| trace.iter().find(|f| f.t >= t - 1e-9).expect("frame");
    assert!(at(1.0).bodies[1].d.abs() < 0.02);
    // Half-way in time, half-way across (the shape is symmetric), within the steering's lag.
    let mid = at(0.5 * (1.0 + t_end)).bodies[1].d;
    assert!((mid - 0.4).abs() < 0.15, "mid {mid}");
    // A second after the shape ends it is within 0.1 m of the offset (the
    // steering overshoots a little), and it settles on it.
    let end = at(t_end + 1.0).bodies[1].d;
    assert!((end - 0.8).abs() < 0.1, "end {end}");
    let settled = trace.last().expect("frames").bodies[1].d;
    assert!((settled - 0.8).abs() < 0.01, "settled {settled}");
}

#[test]
fn runtime_triggers_and_shaped_behaviours_are_deterministic() {
    let mut a = vehicle(1, 40.0, 0.0, 12.0, vec![]);
    a.behaviours = vec![
        BehaviourStep {
            trigger: when(&[
                one(Condition::TimeToCollision {
                    entity: 0,
                    to: 1,
                    freespace: true,
                    rule: Rule::Below,
                    value: 4.0,
                }),
                one(Condition::TraveledDistance { entity: 0, distance: 10.0 }),
            ]),
            behaviour: Behaviour::ShapedSpeed { speed: 6.0, duration: 2.0, shape: Shape::Cubic },
            parallel: false,
        },
        BehaviourStep {
            trigger: when(&[one(Condition::StandStill { entity: 2, duration: 1.0 })]),
            behaviour: Behaviour::LaneOffset {
                lane: 0,
                offset: -0.5,
                shape: Shape::Cubic,
                max_lateral_accel: 1.5,
                speed: 6.0,
            },
            parallel: false,
        },
    ];
    let parked = vehicle(2, 150.0, 1.0, 0.0, vec![]);
    let spec = world(18.0, vec![a, parked], 10.0);
    let one_ =
        Simulation::run(&spec, &mut crate::adapters::ReferenceAdapter::default(), RunOptions::default());
    let two =
        Simulation::run(&spec, &mut crate::adapters::ReferenceAdapter::default(), RunOptions::default());
    assert_eq!(one_.trace_hash, two.trace_hash);
    assert_eq!(one_.steps, two.steps);
}

/// Index of the first frame where body `k` brakes.
fn first_braking_of(trace: &[TraceFrame], k: usize) -> usize {
    trace
        .windows(2)
        .position(|w| speed(&w[0].bodies[k]) - speed(&w[1].bodies[k]) > 0.1 * DT)
        .expect("it brakes")
        + 1
}

#[test]
fn a_freespace_headway_fires_when_the_bumper_gap_over_the_speed_crosses_the_value() {
    // Car 1 cruises at 10 m/s from s = 20.2, alone in its lane; car 2 is parked at s = 100 in
    // the next (a headway is along the route, whatever the lanes). Car 1 brakes once its
    // bumper-to-bumper headway to car 2 is below 2 s: (100 − 20.2 − 10 t − 4.5) / 10 = 2 at
    // t = 5.53 s (centre to centre: 5.98 s).
    let watch = |freespace| BehaviourStep {
        trigger: when(&[one(Condition::Headway {
            entity: 1,
            to: 2,
            rule: Rule::Below,
            value: 2.0,
            freespace,
        })]),
        behaviour: Behaviour::Brake { decel: 4.0 },
        parallel: false,
    };
    for (freespace, expected) in [(true, 5.53), (false, 5.98)] {
        let parked = vehicle(2, 100.0, 1.0, 0.0, vec![]);
        let spec = world(0.0, vec![vehicle(1, 20.2, 0.0, 10.0, vec![watch(freespace)]), parked], 7.0);
        let trace = frames(&spec);
        let half = if freespace { 4.5 } else { 0.0 };
        let h = |f: &TraceFrame| (f.bodies[2].s - f.bodies[1].s - half) / f.bodies[1].vx;
        let holds = trace.iter().position(|f| h(f) <= 2.0).expect("it closes in");
        assert_eq!(first_braking_of(&trace, 1), holds + 1, "freespace {freespace}");
        // Analytically: the first frame at or after the crossing.
        let t = trace[holds].t;
        assert!(t >= expected - 1e-6 && t < expected + DT - 1e-6, "freespace {freespace}: holds at {t}");
    }
}

#[test]
fn a_point_ahead_of_a_moving_car_is_reached_when_the_footprint_touches_it() {
    // Car 1 at 15 m/s from s = 10.1 chases the point 20 m ahead of car 2 (10 m/s from s = 60,
    // in the next lane) on car 1's lane; each alone in its lane. Car 1 brakes once its
    // footprint is within 0 m of the point along the route, i.e. its front bumper passes it:
    // 10.1 + 15 t + 2.25 ≥ 60 + 10 t + 20, t ≥ 13.53 s.
    let reach = BehaviourStep {
        trigger: when(&[one(Condition::RelativePosition {
            entity: 1,
            to: 2,
            at: Offset::Road { ds: 20.0, dt: -3.5 },
            rule: Rule::Below,
            distance: 0.0,
            freespace: true,
            measure: Measure::Longitudinal,
        })]),
        behaviour: Behaviour::Brake { decel: 4.0 },
        parallel: false,
    };
    let spec =
        world(0.0, vec![vehicle(1, 10.1, 0.0, 15.0, vec![reach]), vehicle(2, 60.0, 1.0, 10.0, vec![])], 15.0);
    let trace = frames(&spec);
    let gap = |f: &TraceFrame| (f.bodies[2].s + 20.0 - f.bodies[1].s).abs() - 2.25;
    let holds = trace.iter().position(|f| gap(f) <= 0.0).expect("it reaches the point");
    assert_eq!(first_braking_of(&trace, 1), holds + 1);
    let t = trace[holds].t;
    assert!((13.53 - 1e-6..13.53 + DT - 1e-6).contains(&t), "holds at {t}");
}
