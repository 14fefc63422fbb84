//! Junction geometry, routes through turns, movements and their errors.

use super::*;
use crate::adapters::ReferenceAdapter;
use crate::math::wrap_angle;
use crate::road::{EdgeKind, Road, RoadSpec};
use crate::sim::{RunOptions, Simulation};
use crate::spec::{Behaviour, BehaviourStep, CriterionSpec, Trigger, WorldSpec};
use crate::testing::{CAR, sensor, vehicle};

const W: f64 = 3.5;

fn arm(heading_deg: f64) -> Option<ArmSpec> {
    Some(ArmSpec { heading: heading_deg.to_radians(), lanes_in: 1, lanes_out: 1, length: 300.0 })
}

/// A four-way junction (T-junction with `ahead` = false) at the end of a 100 m approach.
fn junction(exit: ArmId, ahead: bool) -> JunctionSpec {
    JunctionSpec {
        entry_s: 100.0,
        arms: [arm(90.0), if ahead { arm(0.0) } else { None }, arm(-90.0)],
        corner_radius: 6.0,
        exit,
        signal: None,
        stop_sign: false,
    }
}

fn road(j: JunctionSpec) -> Road {
    let approach = [SegmentSpec::new(100.0, 0.0)];
    let segments = route_segments(&approach, &j, 1, 1, W).expect("a valid junction");
    Road::new(RoadSpec {
        lanes: 1,
        lane_width: W,
        speed_limit: 13.9,
        segments,
        edge: EdgeKind::Kerb,
        shoulder: 1.0,
        intersection: None,
        crosswalk: None,
        oncoming_lanes: 1,
        lane_drop: None,
        junction: Some(j),
    })
}

/// Pose continuity along a path: consecutive samples 0.1 m apart never jump.
fn assert_continuous(path: &Path, what: &str) {
    let mut s = 0.0;
    let (mut last, mut last_h) = path.pose(0.0, 0.0);
    while s < path.length() {
        s += 0.1;
        let (p, h) = path.pose(s, 0.0);
        assert!(((p - last).norm() - 0.1).abs() < 1e-6, "{what}: position jumps at s = {s:.1}");
        assert!(wrap_angle(h - last_h).abs() < 0.02, "{what}: heading jumps at s = {s:.1}");
        (last, last_h) = (p, h);
    }
}

#[test]
fn turning_routes_are_straight_arc_straight_onto_the_exit_lane() {
    // Left: the mouth lies 3.5 + 6 m from the centre; lane 0 of the approach
    // turns into lane 0 (the outer lane) of the left arm on an 11.25 m arc.
    for (exit, radius, heading) in [(ArmId::Left, 11.25, 90.0_f64), (ArmId::Right, 7.75, -90.0)] {
        let r = road(junction(exit, true));
        let j = r.junction().expect("a junction");
        assert!((j.mouth - 9.5).abs() < 1e-12);
        let arc: Vec<_> = r.spec.segments.iter().filter(|s| s.curvature != 0.0).collect();
        assert_eq!(arc.len(), 1, "{exit:?}: one arc");
        assert!((arc[0].curvature.abs() - 1.0 / radius).abs() < 1e-9, "{exit:?}: {:?}", arc[0]);
        assert!((arc[0].length - radius * PI / 2.0).abs() < 1e-9);
        // The route's lane 0 after the turn is the exit arm's outgoing lane.
        let exit_arm = j.arms[exit.index()].expect("the exit arm");
        let (start, h) = r.route().pose(j.exit_s, 0.0);
        let (q, hq) = mouth_lane(&exit_arm, j.centre, j.mouth, W, false, 0);
        assert!((start - q).norm() < 1e-9, "{exit:?}: {start:?} vs {q:?}");
        assert!(wrap_angle(h - hq).abs() < 1e-9 && wrap_angle(h - heading.to_radians()).abs() < 1e-9);
        // Its oncoming lane (d = 3.5) is the exit arm's incoming lane.
        let (inc, _) = mouth_lane(&exit_arm, j.centre, j.mouth, W, true, 0);
        assert!((r.route().pose(j.exit_s, W).0 - inc).norm() < 1e-9);
        assert_continuous(r.route(), "route");
    }
}

#[test]
fn the_route_frame_is_continuous_through_the_turn() {
    let r = road(junction(ArmId::Left, true));
    let route = r.route();
    let mut last_s = f64::NEG_INFINITY;
    let mut s = 80.0;
    while s < 160.0 {
        for d in [0.0, 1.0, W] {
            let (p, _) = route.pose(s, d);
            let q = route.project(p);
            assert!((q.s - s).abs() < 1e-6 && (q.d - d).abs() < 1e-6, "s={s} d={d}: {q:?}");
        }
        let q = route.project(route.pose(s, 0.0).0);
        assert!(q.s > last_s, "s increases through the turn");
        last_s = q.s;
        s += 0.5;
    }
}

#[test]
fn every_movement_joins_its_arms_lane_true_and_continuously() {
    let r = road(junction(ArmId::Ahead, true));
    let j = r.junction().expect("a junction");
    let mut count = 0;
    for from in ArmId::ALL {
        for to in ArmId::ALL {
            let m = j.movements[from.index() * 4 + to.index()].as_ref();
            if from == to {
                assert!(m.is_none());
                continue;
            }
            let m = m.expect("every other movement exists at a four-way junction");
            count += 1;
            let (a, b) = (j.arms[from.index()].unwrap(), j.arms[to.index()].unwrap());
            let (i, k) = lane_link(&a, &b);
            let (p, hp) = mouth_lane(&a, j.centre, j.mouth, W, true, i);
            let (q, hq) = mouth_lane(&b, j.centre, j.mouth, W, false, k);
            let (at_in, h_in) = m.path.pose(m.mouth_in, 0.0);
            let (at_out, h_out) = m.path.pose(m.mouth_out, 0.0);
            assert!((at_in - p).norm() < 1e-6 && wrap_angle(h_in - hp).abs() < 1e-9, "{from:?}->{to:?} in");
            assert!(
                (at_out - q).norm() < 1e-6 && wrap_angle(h_out - hq).abs() < 1e-9,
                "{from:?}->{to:?} out"
            );
            // Inside the junction the connecting road turns at one constant curvature.
            let mut ks: Vec<f64> = Vec::new();
            let mut s = m.mouth_in + 0.05;
            while s < m.mouth_out {
                let k = m.path.curvature_at(s);
                if k != 0.0 && !ks.iter().any(|x| (x - k).abs() < 1e-12) {
                    ks.push(k);
                }
                s += 0.1;
            }
            assert!(ks.len() <= 1, "{from:?}->{to:?}: {ks:?}");
            assert_continuous(&m.path, &format!("{from:?}->{to:?}"));
        }
    }
    assert_eq!(count, 12);
}

#[test]
fn bad_junctions_and_movements_are_refused_with_their_reason() {
    let approach = [SegmentSpec::new(100.0, 0.0)];
    let t = junction(ArmId::Ahead, false);
    assert_eq!(route_segments(&approach, &t, 1, 1, W), Err(JunctionError::MissingArm("Ahead")));
    let four = junction(ArmId::Left, true);
    assert_eq!(check(&approach, &four, 1, 1, W, ArmId::Left, ArmId::Left), Err(JunctionError::UTurn("Left")));
    let mut exit_only = four;
    exit_only.arms[0] = Some(ArmSpec { lanes_in: 0, ..arm(90.0).unwrap() });
    assert_eq!(
        check(&approach, &exit_only, 1, 1, W, ArmId::Left, ArmId::Right),
        Err(JunctionError::NoLanes("Left", "towards"))
    );
    assert_eq!(route_segments(&approach, &exit_only, 1, 1, W), Err(JunctionError::ExitLanes("Left")));
    let mut close = four;
    close.arms[1] = arm(80.0);
    assert_eq!(route_segments(&approach, &close, 1, 1, W), Err(JunctionError::ArmsTooClose));
}

fn world(exit: ArmId, actors: Vec<crate::spec::ActorSpec>, goal_s: f64) -> WorldSpec {
    let r = road(junction(exit, true));
    WorldSpec {
        scenario: "test.junction".into(),
        seed: 0,
        dt: 0.05,
        duration: 25.0,
        road: r.spec,
        environment: crate::spec::Environment {
            friction: 0.9,
            sensor: sensor(),
            conditions: Default::default(),
            surface: Default::default(),
        },
        ego: crate::spec::EgoSpec { d: 0.0, s: 0.0, speed: 12.0, goal_s, limits: CAR, fault: None },
        actors,
        criteria: vec![
            CriterionSpec::NoCollision,
            CriterionSpec::StayOnRoad,
            CriterionSpec::ReachGoal { within: 24.0 },
        ],
        formulas: Vec::new(),
        stop: None,
    }
}

fn run(spec: &WorldSpec) -> crate::RunResult {
    let mut result =
        Simulation::run(spec, &mut ReferenceAdapter::default(), RunOptions { record_trace: true });
    let again = Simulation::run(spec, &mut ReferenceAdapter::default(), RunOptions::default());
    assert_eq!(result.trace_hash, again.trace_hash, "not deterministic");
    let _ = result.trace.take();
    result
}

#[test]
fn the_reference_driver_turns_through_the_junction_on_the_road_and_reaches_its_goal() {
    for exit in [ArmId::Left, ArmId::Right, ArmId::Ahead] {
        let spec = world(exit, vec![], 180.0);
        let result = run(&spec);
        for v in &result.verdicts {
            assert!(v.passed, "{exit:?}: {} failed with margin {}", v.criterion, v.margin);
        }
        // It slowed for the turn before it (the route ahead of protocol 1.3), not in it.
        assert!(Simulation::new(&spec).job_start().route.is_some());
    }
}

#[test]
fn an_oncoming_left_turner_follows_its_turning_path_into_the_right_arm() {
    let mut turner = vehicle(
        1,
        260.0,
        0.0,
        8.0,
        vec![BehaviourStep {
            trigger: Trigger::Immediately,
            behaviour: Behaviour::KeepLane { speed: 6.0 },
            parallel: false,
        }],
    );
    turner.path = PathId::Movement(ArmId::Ahead, ArmId::Right);
    turner.d = 0.0;
    let mut spec = world(ArmId::Ahead, vec![turner], 180.0);
    spec.ego.s = -400.0; // out of the way
    spec.ego.speed = 0.0;
    spec.criteria = vec![CriterionSpec::NoCollision];
    let mut result =
        Simulation::run(&spec, &mut ReferenceAdapter::default(), RunOptions { record_trace: true });
    let trace = result.trace.take().expect("a trace");
    let r = Road::new(spec.road.clone());
    let j = r.junction().unwrap();
    let path = j.movement(ArmId::Ahead, ArmId::Right).unwrap();
    let mut worst: f64 = 0.0;
    let mut last = None;
    for frame in &trace {
        let b = frame.bodies.iter().find(|b| b.id == 1).unwrap();
        let q = path.project(crate::math::V2::new(b.x, b.y));
        worst = worst.max(q.d.abs());
        last = Some((b.x, b.y, b.yaw));
    }
    assert!(worst < 0.6, "it keeps to its lane through the turn (worst offset {worst:.2} m)");
    let (x, y, yaw) = last.unwrap();
    // It ends on the right arm, driving away from the junction (−y), in its outgoing lane.
    assert!(y < j.centre.y - j.mouth, "ended at ({x:.1}, {y:.1})");
    assert!(wrap_angle(yaw + PI / 2.0).abs() < 0.05, "heading {yaw:.3}");
    let lane_x = j.centre.x - 0.5 * W;
    assert!((x - lane_x).abs() < 0.5, "x = {x:.2}, lane centre {lane_x:.2}");
}

#[test]
fn a_turner_giving_way_waits_for_the_ego_and_the_ego_passes_unharmed() {
    let mut turner = vehicle(
        1,
        296.7,
        0.0,
        0.0,
        vec![BehaviourStep {
            trigger: Trigger::Immediately,
            behaviour: Behaviour::GiveWay { speed: 6.0, min_gap: 5.0 },
            parallel: false,
        }],
    );
    turner.path = PathId::Movement(ArmId::Ahead, ArmId::Right);
    turner.d = 0.0;
    // The ego is about 4 s from the junction: less than the 5 s the turner accepts.
    let mut spec = world(ArmId::Ahead, vec![turner], 200.0);
    spec.ego.s = 50.0;
    let result = run(&spec);
    for v in &result.verdicts {
        assert!(v.passed, "{} failed with margin {}", v.criterion, v.margin);
    }
    // It waited at its line while the ego crossed the junction, then turned.
    let mut trace =
        Simulation::run(&spec, &mut ReferenceAdapter::default(), RunOptions { record_trace: true })
            .trace
            .expect("a trace");
    let centre_s = 100.0 + Road::new(spec.road.clone()).junction().unwrap().mouth;
    let mut seen = false;
    for frame in &trace {
        let (ego, turner) = (&frame.bodies[0], &frame.bodies[1]);
        if (ego.s - centre_s).abs() < 1.0 {
            seen = true;
            assert!(libm::hypot(turner.vx, turner.vy) < 0.5, "the turner moves while the ego crosses");
        }
    }
    assert!(seen, "the ego crossed the junction");
    let last = trace.pop().expect("frames");
    assert!(last.bodies[1].y < -20.0, "the turner went on into the right arm: {:?}", last.bodies[1]);
}

#[test]
fn the_junction_area_is_road_and_has_no_edges() {
    let r = road(junction(ArmId::Left, true));
    let j = r.junction().unwrap();
    let pieces = r.edge_pieces();
    assert!(!pieces.is_empty());
    for piece in &pieces {
        for t in [0.0, 0.5, 1.0] {
            let p = piece.a + (piece.b - piece.a) * t;
            assert!(!j.in_area(p), "an edge piece inside the junction area at {p:?}");
        }
    }
    // Both edges of the two arms off the route (ahead, right) exist.
    let ahead_far = j.centre + V2::from_angle(0.0) * (j.mouth + 50.0);
    assert!(pieces.iter().any(|e| (e.a - ahead_far).norm() < 60.0 && (e.b - e.a).norm() > 40.0));
}

#[test]
fn at_a_signalised_junction_the_ego_observes_its_light_and_stops_at_red() {
    use crate::traffic_light::SignalSpec;
    // Red for the approach from t = 0 to t = 20 (green 10, amber 3, red 20, 13 s into the cycle).
    let mut j = junction(ArmId::Left, true);
    j.signal = Some(SignalSpec { green: 10.0, amber: 3.0, red: 20.0, offset: 13.0 });
    let mut spec = world(ArmId::Left, vec![], 180.0);
    spec.road.junction = Some(j);
    spec.criteria = vec![CriterionSpec::NoCollision, CriterionSpec::StopAtRed, CriterionSpec::StayOnRoad];
    let mut sim = Simulation::new(&spec);
    let light = sim.observe().signal.expect("the ego sees its light");
    assert_eq!(light.state, crate::traffic_light::SignalState::Red);
    // The stop line lies 1 m before the approach's mouth (s = 100), the ego's front 2.3 m ahead of its centre.
    assert!((light.distance - (99.0 - 2.3)).abs() < 1e-6, "{light:?}");
    let result = run(&spec);
    for v in &result.verdicts {
        assert!(v.passed, "{} failed with margin {}", v.criterion, v.margin);
    }
    let held = result.verdicts.iter().find(|v| v.criterion == "stop_at_red").unwrap();
    assert!(held.margin < 5.0, "it stopped close to the line: {held:?}");
    // A movement's light: `Left`/`Right` run the crossing phases, green inside the approach's red.
    let sig = j.signal.unwrap();
    let cross = PathId::Movement(ArmId::Left, ArmId::Right);
    assert_eq!(sig.state(cross, 5.0).0, crate::traffic_light::SignalState::Green);
    assert_eq!(
        sig.state(PathId::Movement(ArmId::Ahead, ArmId::Right), 5.0).0,
        crate::traffic_light::SignalState::Red
    );
}

/// Stops with its front bumper at route distance `stop_front` (IDM towards a
/// standing leader there), then drives on at `speed`; `stop_front: None`
/// never stops.
struct StopThenGo {
    stop_front: Option<f64>,
    speed: f64,
    stopped: bool,
}

impl crate::adapter::AutonomyAdapter for StopThenGo {
    fn info(&self) -> crate::adapter::AdapterInfo {
        crate::adapter::AdapterInfo { name: "stop-then-go".into(), version: "0".into() }
    }
    fn reset(&mut self, _: &crate::adapter::JobStart) -> Result<(), crate::adapter::AdapterFault> {
        self.stopped = false;
        Ok(())
    }
    fn step(
        &mut self,
        obs: &crate::adapter::Observation,
    ) -> Result<crate::adapter::Control, crate::adapter::AdapterFault> {
        let e = &obs.ego;
        let steer = crate::control::stanley_steer(
            e.d,
            e.heading_err,
            e.vs,
            e.curvature,
            CAR.wheelbase,
            CAR.max_steer,
        );
        let front = e.s + 0.5 * CAR.length;
        let mut accel = (self.speed - e.vs).clamp(-3.0, 2.0);
        if let Some(line) = self.stop_front.filter(|_| !self.stopped) {
            if e.vs < 0.05 && front > line - 1.0 {
                self.stopped = true;
            } else {
                let idm = crate::control::Idm { min_gap: 0.05, ..Default::default() };
                accel = accel.min(idm.accel(e.vs, self.speed, Some(((line - front).max(0.0), 0.0))));
            }
        }
        Ok(crate::adapter::Control { accel, steer })
    }
}

fn stop_sign_world() -> WorldSpec {
    let mut spec = world(ArmId::Ahead, vec![], 180.0);
    spec.road.junction = spec.road.junction.map(|j| JunctionSpec { stop_sign: true, ..j });
    spec.criteria = vec![CriterionSpec::NoCollision, CriterionSpec::StopAtSign, CriterionSpec::StayOnRoad];
    spec
}

fn sign_verdict(spec: &WorldSpec, adapter: &mut dyn crate::adapter::AutonomyAdapter) -> crate::Verdict {
    let result = Simulation::run(spec, adapter, RunOptions::default());
    result.verdicts.into_iter().find(|v| v.criterion == "stop_at_sign").expect("judged")
}

#[test]
fn the_reference_driver_stands_at_a_stop_sign_and_the_route_tells_it_there_is_one() {
    let spec = stop_sign_world();
    let start = Simulation::new(&spec).job_start().clone();
    let route = start.route.as_ref().expect("a route through the junction");
    assert!(route.junction.stop_sign);
    let plain = Simulation::new(&world(ArmId::Ahead, vec![], 180.0)).job_start().clone();
    assert!(!plain.route.expect("a route").junction.stop_sign);
    let result = run(&spec);
    for v in &result.verdicts {
        assert!(v.passed, "{} failed with margin {}", v.criterion, v.margin);
    }
    let v = result.verdicts.iter().find(|v| v.criterion == "stop_at_sign").expect("judged");
    // It stood with its front within a metre of the line (1 m before the mouth at s = 100).
    assert!(v.margin > 0.0 && v.margin < 1.0, "{v:?}");
}

#[test]
fn stop_at_sign_fails_a_run_through_a_stop_too_far_back_and_an_overshoot() {
    let spec = stop_sign_world();
    let road = Road::new(spec.road.clone());
    let line = 100.0 - crate::traffic_light::STOP_LINE_SETBACK;
    let depth = road.junction().expect("a junction").area_s.1 - line;
    // Never stops: negative by the junction area's depth past the line,
    // first from when the front (2.3 m ahead of the centre, from s = 0 at
    // 12 m/s) crosses it.
    let v = sign_verdict(&spec, &mut StopThenGo { stop_front: None, speed: 12.0, stopped: false });
    assert!(!v.passed && (v.margin + depth).abs() < 1e-9, "{v:?} (depth {depth})");
    let first = v.first_violation_t.expect("a violation");
    assert!((first - (line - 2.3) / 12.0).abs() < 0.1, "{first}");
    // Stands 10 m before the line (outside the 5 m stop zone), then rolls through.
    let v =
        sign_verdict(&spec, &mut StopThenGo { stop_front: Some(line - 10.0), speed: 8.0, stopped: false });
    assert!(!v.passed && (v.margin + depth).abs() < 1e-9, "{v:?}");
    // Stands with its front 1.5 m past the line: held at the overshoot.
    let v = sign_verdict(&spec, &mut StopThenGo { stop_front: Some(line + 1.5), speed: 8.0, stopped: false });
    assert!(!v.passed && v.margin < -1.0 && v.margin > -2.0, "{v:?}");
    // Stands 2 m before it: passes, its worst margin about those 2 m.
    let v = sign_verdict(&spec, &mut StopThenGo { stop_front: Some(line - 2.0), speed: 8.0, stopped: false });
    assert!(v.passed && (v.margin - 2.0).abs() < 0.2, "{v:?}");
}
