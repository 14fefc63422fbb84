//! Lane drops: the edge's geometry, `stay_on_road` past the end, scripted
//! merges and determinism.

use super::*;
use crate::adapter::{AdapterFault, AdapterInfo, AutonomyAdapter, Control, JobStart, Observation};
use crate::control::stanley_steer;
use crate::outcome::Outcome;
use crate::road::{Road, SegmentSpec};
use crate::sim::{RunOptions, Simulation};
use crate::spec::{Behaviour, BehaviourStep, Trigger, WorldSpec};
use crate::testing::{CAR, HoldSpeed, body_at, road, straight_spec, vehicle};

const W: f64 = 3.5;

fn dropped(lane: u32, start_s: f64, end_s: f64) -> RoadSpec {
    RoadSpec {
        lane_drop: Some(LaneDrop { lane, start_s, end_s }),
        ..road(vec![SegmentSpec::new(600.0, 0.0)])
    }
}

#[test]
fn the_edge_moves_in_by_one_lane_over_the_taper() {
    let r = dropped(0, 200.0, 280.0);
    assert_eq!(r.right_edge_at(100.0), -0.5 * W);
    assert_eq!(r.right_edge_at(200.0), -0.5 * W);
    assert!((r.right_edge_at(240.0) - 0.0).abs() < 1e-12, "half way in at the taper's middle");
    assert_eq!(r.right_edge_at(280.0), 0.5 * W);
    assert_eq!(r.right_edge_at(500.0), 0.5 * W);
    assert_eq!(r.left_edge_at(500.0), r.left_edge(), "the other side stays");
    assert!(r.lane_open_at(0, 279.0) && !r.lane_open_at(0, 280.0) && r.lane_open_at(1, 500.0));
    let l = dropped(1, 200.0, 280.0);
    assert_eq!(l.left_edge_at(300.0), 0.5 * W);
    assert_eq!(l.right_edge_at(300.0), -0.5 * W);
    assert_eq!(LaneDrop { lane: 0, start_s: 0.0, end_s: 1.0 }.target_lane(), 1);
    assert_eq!(LaneDrop { lane: 2, start_s: 0.0, end_s: 1.0 }.target_lane(), 1);
}

#[test]
fn edge_colliders_follow_the_taper_and_break_at_its_ends() {
    let built = Road::new(dropped(0, 200.0, 280.0));
    let pieces = built.edge_pieces();
    let right: Vec<_> = pieces.iter().filter(|p| p.a.y < 0.0 || p.b.y < 2.0 && p.a.y < 2.0).collect();
    // Every piece end lies on the moved edge, the shoulder outside it.
    for p in &pieces {
        for end in [p.a, p.b] {
            let q = built.route().project(end);
            let right_line = built.spec.right_edge_at(q.s) - built.spec.shoulder;
            let left_line = built.spec.left_edge_at(q.s) + built.spec.shoulder;
            assert!(
                (q.d - right_line).abs() < 1e-9 || (q.d - left_line).abs() < 1e-9,
                "piece end at s={:.1} d={:.3} is on neither edge",
                q.s,
                q.d
            );
        }
    }
    let starts: Vec<f64> = right.iter().map(|p| p.a.x).collect();
    assert!(
        starts.contains(&200.0) && starts.contains(&280.0),
        "pieces break at the taper's ends: {starts:?}"
    );
    // The other side's pieces are the ones a road without the lane drop builds.
    let plain = Road::new(road(vec![SegmentSpec::new(600.0, 0.0)]));
    let left = |ps: &[crate::road::EdgePiece]| ps.iter().filter(|p| p.a.y > 3.0).copied().collect::<Vec<_>>();
    assert_eq!(left(&pieces), left(&plain.edge_pieces()));
    assert_eq!(pieces.len(), plain.edge_pieces().len() + 2, "two more pieces on the dropped side");
}

#[test]
fn edge_margins_take_the_tightest_end_of_the_footprint() {
    let r = dropped(0, 200.0, 280.0);
    let (right, _) = edge_margins(&r, 238.0, 2.0, 0.0, 0.9);
    assert!((right - (0.0 - 0.9 - 0.0)).abs() < 1e-9, "front at 240 sees the edge at 0: {right}");
    let plain = road(vec![SegmentSpec::new(600.0, 0.0)]);
    let (right, left) = edge_margins(&plain, 238.0, 2.0, 0.3, 0.9);
    assert!((right - (0.3 - 0.9 + 0.5 * W)).abs() < 1e-12 && (left - (1.5 * W - 1.2)).abs() < 1e-12);
}

fn drop_world(actors: Vec<crate::spec::ActorSpec>) -> WorldSpec {
    let mut spec = straight_spec(20.0, 1.0, actors);
    spec.road.lane_drop = Some(LaneDrop { lane: 0, start_s: 200.0, end_s: 260.0 });
    spec.ego.goal_s = 400.0;
    spec
}

#[test]
fn staying_in_the_ended_lane_leaves_the_road() {
    let r = Simulation::run(&drop_world(vec![]), &mut HoldSpeed(20.0), RunOptions::default());
    assert_eq!(r.outcome, Outcome::Fail);
    let v = r.verdicts.iter().find(|v| v.criterion == "stay_on_road").expect("judged");
    assert!(!v.passed && v.margin < 0.0, "{v:?}");
    let t = v.first_violation_t.expect("a first violation");
    // The footprint (half width 0.95) meets the edge where it has moved in by 0.8 m: s ≈ 213.7 - 2.3.
    assert!(t > 9.0 && t < 12.0, "first violation at {t}");
    // Without the lane drop the same driver passes.
    let mut plain = drop_world(vec![]);
    plain.road.lane_drop = None;
    let r = Simulation::run(&plain, &mut HoldSpeed(20.0), RunOptions::default());
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.verdicts);
}

fn keep(speed: f64) -> Vec<BehaviourStep> {
    vec![BehaviourStep {
        trigger: Trigger::Immediately,
        behaviour: Behaviour::KeepLane { speed },
        parallel: false,
    }]
}

#[test]
fn a_scripted_vehicle_merges_out_of_the_ending_lane() {
    // The ego drives lane 1 (no one in front); a car ahead in lane 0 must merge before the end.
    let mut spec = drop_world(vec![vehicle(1, 60.0, 0.0, 18.0, keep(18.0))]);
    spec.ego.d = W;
    spec.ego.s = 0.0;
    spec.duration = 18.0;
    let r = Simulation::run(&spec, &mut LaneOneHold(20.0), RunOptions { record_trace: true });
    let frames = r.trace.as_ref().expect("trace");
    let last = frames.last().expect("frames");
    let car = last.bodies.iter().find(|b| b.id == 1).expect("car");
    assert!(car.s > 300.0 || car.x > 300.0, "the car went on past the end: {car:?}");
    // It left lane 0 before the taper's end and never touched the edge.
    for f in frames {
        let b = f.bodies.iter().find(|b| b.id == 1).expect("car");
        if b.x >= 250.0 {
            assert!(b.y > 0.5 * W - 0.2, "still in the ending lane at x = {:.1}: y = {:.2}", b.x, b.y);
        }
    }
}

/// Keeps lane 1 at a speed.
struct LaneOneHold(f64);

impl AutonomyAdapter for LaneOneHold {
    fn info(&self) -> AdapterInfo {
        AdapterInfo { name: "lane-one".into(), version: "0".into() }
    }
    fn reset(&mut self, _: &JobStart) -> Result<(), AdapterFault> {
        Ok(())
    }
    fn step(&mut self, obs: &Observation) -> Result<Control, AdapterFault> {
        let e = &obs.ego;
        let steer = stanley_steer(e.d - W, e.heading_err, e.vs, e.curvature, CAR.wheelbase, CAR.max_steer);
        Ok(Control { accel: 2.0 * (self.0 - e.vs), steer })
    }
}

#[test]
fn a_scripted_vehicle_without_a_gap_waits_before_the_end() {
    // A platoon alongside in lane 1 leaves no gap: the car in lane 0 stops before the taper.
    let mut actors = vec![vehicle(1, 100.0, 0.0, 15.0, keep(15.0))];
    for i in 0..9 {
        let s = 150.0 + 14.0 * f64::from(i);
        actors.push(vehicle(
            2 + i,
            s,
            1.0,
            0.0,
            vec![BehaviourStep {
                trigger: Trigger::Immediately,
                behaviour: Behaviour::Stand,
                parallel: false,
            }],
        ));
    }
    let mut spec = drop_world(actors);
    spec.ego.s = -100.0;
    spec.ego.speed = 0.0;
    spec.duration = 20.0;
    let r = Simulation::run(&spec, &mut FullStop, RunOptions { record_trace: true });
    let last = r.trace.as_ref().and_then(|f| f.last().cloned()).expect("trace");
    let car = last.bodies.iter().find(|b| b.id == 1).expect("car");
    assert!(car.x < 200.0 - 2.0 && car.x > 170.0, "stopped before the taper: x = {:.1}", car.x);
    assert!(car.y.abs() < 0.3, "kept its lane: y = {:.2}", car.y);
    assert!(car.vx.abs() < 0.2, "standing: {car:?}");
}

/// Stands still.
struct FullStop;

impl AutonomyAdapter for FullStop {
    fn info(&self) -> AdapterInfo {
        AdapterInfo { name: "stand".into(), version: "0".into() }
    }
    fn reset(&mut self, _: &JobStart) -> Result<(), AdapterFault> {
        Ok(())
    }
    fn step(&mut self, _: &Observation) -> Result<Control, AdapterFault> {
        Ok(Control { accel: -CAR.max_decel, steer: 0.0 })
    }
}

#[test]
fn a_lane_drop_run_is_deterministic() {
    let spec =
        drop_world(vec![vehicle(1, 60.0, 0.0, 18.0, keep(18.0)), vehicle(2, 40.0, 1.0, 20.0, keep(20.0))]);
    let a = Simulation::run(&spec, &mut crate::adapters::ReferenceAdapter::default(), RunOptions::default());
    let b = Simulation::run(&spec, &mut crate::adapters::ReferenceAdapter::default(), RunOptions::default());
    assert_eq!(a, b);
    let mut plain = spec.clone();
    plain.road.lane_drop = None;
    let c = Simulation::run(&plain, &mut crate::adapters::ReferenceAdapter::default(), RunOptions::default());
    assert_ne!(a.trace_hash, c.trace_hash, "the lane drop changes the run");
}

#[test]
fn gap_acceptance_wants_room_ahead_and_behind() {
    let built = Road::new(dropped(0, 200.0, 280.0));
    let mut me = body_at(150.0, 0.0, 20.0);
    me.id = 1;
    let mut other = body_at(150.0 + 30.0, W, 20.0);
    other.id = 2;
    assert!(gap_accepted(&built, &me, &[me, other], 1), "30 m ahead at the same speed is a gap");
    other.route.s = 150.0 + 10.0;
    assert!(!gap_accepted(&built, &me, &[me, other], 1), "10 m ahead is not");
    other.route.s = 150.0 - 30.0;
    other.vel.x = 30.0;
    assert!(!gap_accepted(&built, &me, &[me, other], 1), "30 m behind closing at 10 m/s is not");
    other.vel.x = 20.0;
    assert!(gap_accepted(&built, &me, &[me, other], 1), "30 m behind at the same speed is");
}

/// The reference driver's world: its lane 0 ends at 200–260 m, an all-round sensor.
fn reference_world(actors: Vec<crate::spec::ActorSpec>) -> WorldSpec {
    let mut spec = drop_world(actors);
    spec.environment.sensor.fov = 2.0 * crate::math::PI;
    spec.duration = 25.0;
    spec.criteria.push(crate::spec::CriterionSpec::MinTtc { min: 3.0 });
    spec
}

#[test]
fn the_reference_driver_changes_into_a_gap_before_its_lane_ends() {
    // A 100 m gap in lane 1 between two cars at its own speed.
    let spec = reference_world(vec![
        vehicle(1, 70.0, 1.0, 20.0, keep(20.0)),
        vehicle(2, -30.0, 1.0, 20.0, keep(20.0)),
    ]);
    let r = Simulation::run(
        &spec,
        &mut crate::adapters::ReferenceAdapter::default(),
        RunOptions { record_trace: true },
    );
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.verdicts);
    let frames = r.trace.as_ref().expect("trace");
    let ego = |f: &crate::trace::TraceFrame| f.bodies[0];
    let changed = frames.iter().find(|f| ego(f).d > 0.5 * W).map(|f| ego(f).s).expect("it changed lane");
    assert!(changed < 200.0, "in lane 1 before the taper: crossed the line at s = {changed:.1}");
    let last = ego(frames.last().expect("frames"));
    assert!(last.s > 300.0 && (last.d - W).abs() < 0.3, "drives on in lane 1: {last:?}");
}

#[test]
fn the_reference_driver_stops_before_the_end_when_no_gap_comes() {
    // Lane 1 is a queue of standing cars from beside the ego to past the taper: no gap ever
    // opens (behind the queue would be one: it is a lane change into lane 1, tested above).
    let mut actors = Vec::new();
    for i in 0..20 {
        let stand = vec![BehaviourStep {
            trigger: Trigger::Immediately,
            behaviour: Behaviour::Stand,
            parallel: false,
        }];
        actors.push(vehicle(1 + i, 8.0 + 14.0 * f64::from(i), 1.0, 0.0, stand));
    }
    let mut spec = reference_world(actors);
    spec.ego.speed = 15.0;
    spec.criteria = vec![crate::spec::CriterionSpec::NoCollision, crate::spec::CriterionSpec::StayOnRoad];
    let r = Simulation::run(
        &spec,
        &mut crate::adapters::ReferenceAdapter::default(),
        RunOptions { record_trace: true },
    );
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.verdicts);
    let last = r.trace.as_ref().and_then(|f| f.last()).map(|f| f.bodies[0]).expect("trace");
    assert!(
        last.s < 200.0 - 2.0 && last.s > 180.0,
        "stopped a few metres before the taper: s = {:.1}",
        last.s
    );
    assert!(last.d.abs() < 0.3 && last.vx.abs() < 0.1, "standing in its lane: {last:?}");
}

#[test]
fn the_reference_driver_told_to_ignore_the_lane_drop_runs_off_its_lane_end() {
    let spec = reference_world(vec![]);
    let ignores = crate::adapters::ReferenceTuning { follows_lane_drop: false, ..Default::default() };
    let r = Simulation::run(
        &spec,
        &mut crate::adapters::ReferenceAdapter::with_tuning(ignores),
        RunOptions::default(),
    );
    let v = r.verdicts.iter().find(|v| v.criterion == "stay_on_road").expect("judged");
    assert!(!v.passed, "{v:?}");
}
