//! Whole-run checks of the physics, the criteria and determinism.

use crate::adapter::{AdapterFault, AdapterInfo, AutonomyAdapter, Control, JobStart, Observation};
use crate::adapters::ReferenceAdapter;
use crate::dynamics::G;
use crate::outcome::Outcome;
use crate::road::SegmentSpec;
use crate::sim::{RunOptions, Simulation};
use crate::spec::{Behaviour, BehaviourStep, CriterionSpec, Trigger};
use crate::testing::{CAR, HoldSpeed, straight_spec, vehicle};

/// Brakes as hard as asked from the first step, wheels straight.
struct FullBrake;

impl AutonomyAdapter for FullBrake {
    fn info(&self) -> AdapterInfo {
        AdapterInfo { name: "full-brake".into(), version: "0".into() }
    }
    fn reset(&mut self, _: &JobStart) -> Result<(), AdapterFault> {
        Ok(())
    }
    fn step(&mut self, _: &Observation) -> Result<Control, AdapterFault> {
        Ok(Control { accel: -CAR.max_decel, steer: 0.0 })
    }
}

fn stopping_distance(friction: f64) -> f64 {
    let mut spec = straight_spec(20.0, friction, vec![]);
    spec.duration = 15.0;
    spec.criteria = vec![];
    let mut sim = Simulation::new(&spec);
    let mut adapter = FullBrake;
    let mut last_s = 0.0;
    for _ in 0..sim.total_steps() {
        let obs = sim.observe();
        last_s = obs.ego.s;
        let c = adapter.step(obs).expect("never fails");
        sim.act(c);
    }
    last_s - spec.ego.s
}

#[test]
fn full_braking_distance_matches_friction_limit() {
    for mu in [0.9, 0.3] {
        let expected = 20.0 * 20.0 / (2.0 * mu * G);
        let got = stopping_distance(mu);
        let err = (got - expected).abs() / expected;
        assert!(
            err < 0.10,
            "μ={mu}: stopped in {got:.2} m, expected {expected:.2} m (err {:.1} %)",
            err * 100.0
        );
    }
}

fn curve_spec(radius: f64, left: bool, friction: f64) -> crate::spec::WorldSpec {
    let k = if left { 1.0 / radius } else { -1.0 / radius };
    let mut spec = straight_spec(0.0, friction, vec![]);
    spec.road = crate::testing::road(vec![
        SegmentSpec::new(30.0, 0.0),
        SegmentSpec::new(150.0, k),
        SegmentSpec::new(100.0, 0.0),
    ]);
    spec.road.edge = crate::road::EdgeKind::Open;
    spec.criteria = vec![CriterionSpec::StayOnRoad];
    spec.duration = 10.0;
    spec
}

#[test]
fn cornering_beyond_friction_leaves_the_lane() {
    let (radius, mu) = (100.0, 0.5);
    let v_max = (mu * G * radius).sqrt(); // ≈ 22.1 m/s
    for left in [true, false] {
        let mut slow = curve_spec(radius, left, mu);
        slow.ego.speed = 0.8 * v_max;
        let ok = Simulation::run(&slow, &mut HoldSpeed(0.8 * v_max), RunOptions::default());
        assert_eq!(
            ok.outcome,
            Outcome::Pass,
            "left={left}: below the limit it stays on the road: {:?}",
            ok.verdicts
        );

        let mut fast = curve_spec(radius, left, mu);
        fast.ego.speed = 1.3 * v_max;
        let bad = Simulation::run(&fast, &mut HoldSpeed(1.3 * v_max), RunOptions::default());
        assert_eq!(bad.outcome, Outcome::Fail, "left={left}: above √(μgR) it leaves: {:?}", bad.verdicts);
        assert!(bad.verdicts[0].margin < 0.0);
    }
}

fn hard_braking_lead() -> crate::spec::WorldSpec {
    let lead = vehicle(
        1,
        40.0,
        0.0,
        20.0,
        vec![
            BehaviourStep {
                trigger: Trigger::Immediately,
                behaviour: Behaviour::KeepLane { speed: 20.0 },
                parallel: false,
            },
            BehaviourStep {
                trigger: Trigger::Time(3.0),
                behaviour: Behaviour::Brake { decel: 6.0 },
                parallel: false,
            },
        ],
    );
    let other = vehicle(2, 10.0, 1.0, 22.0, vec![]);
    let mut spec = straight_spec(20.0, 0.9, vec![lead, other]);
    spec.criteria =
        vec![CriterionSpec::NoCollision, CriterionSpec::MinTtc { min: 1.0 }, CriterionSpec::StayOnRoad];
    spec
}

#[test]
fn same_spec_twice_gives_the_same_trace_hash() {
    let spec = hard_braking_lead();
    let a = Simulation::run(&spec, &mut ReferenceAdapter::default(), RunOptions::default());
    let b = Simulation::run(&spec, &mut ReferenceAdapter::default(), RunOptions::default());
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_eq!(a, b);
    let mut other = spec.clone();
    other.seed = 1;
    other.environment.sensor.noise_sigma = 0.3;
    let c = Simulation::run(&other, &mut ReferenceAdapter::default(), RunOptions::default());
    assert_ne!(a.trace_hash, c.trace_hash, "a different instance hashes differently");
}

#[test]
fn reference_adapter_stops_behind_a_hard_braking_lead() {
    let r = Simulation::run(&hard_braking_lead(), &mut ReferenceAdapter::default(), RunOptions::default());
    assert_eq!(r.outcome, Outcome::Pass, "{:?}", r.verdicts);
}

#[test]
fn an_adapter_that_ignores_the_lead_collides_and_the_margin_is_negative() {
    let r = Simulation::run(&hard_braking_lead(), &mut HoldSpeed(20.0), RunOptions::default());
    assert_eq!(r.outcome, Outcome::Fail);
    let nc = &r.verdicts[0];
    assert_eq!(nc.criterion, "no_collision");
    assert!(!nc.passed && nc.margin < 0.0);
    assert!(nc.impact_speed.is_some_and(|v| v > 1.0), "{nc:?}");
    assert!(r.sim_time < 20.0, "a collision ends the run");
}

#[test]
fn non_finite_control_is_an_adapter_error_not_a_pass() {
    struct NanAdapter;
    impl AutonomyAdapter for NanAdapter {
        fn info(&self) -> AdapterInfo {
            AdapterInfo { name: "nan".into(), version: "0".into() }
        }
        fn reset(&mut self, _: &JobStart) -> Result<(), AdapterFault> {
            Ok(())
        }
        fn step(&mut self, obs: &Observation) -> Result<Control, AdapterFault> {
            Ok(Control { accel: if obs.step == 5 { f64::NAN } else { 0.0 }, steer: 0.0 })
        }
    }
    let r = Simulation::run(&hard_braking_lead(), &mut NanAdapter, RunOptions::default());
    assert_eq!(r.outcome, Outcome::Error);
    assert!(r.error.unwrap().to_string().contains("non-finite control at step 5"));
}

#[test]
fn sensor_occlusion_hides_a_body_behind_another() {
    // A parked van right ahead in lane 0 hides a car further ahead in the same lane.
    let parked = {
        let mut a = vehicle(1, 20.0, 0.0, 0.0, vec![]);
        a.kind = crate::actor::ActorKind::Static;
        a.width = 2.4;
        a
    };
    let hidden = vehicle(2, 45.0, 0.0, 0.0, vec![]);
    let visible = vehicle(3, 45.0, 1.0, 0.0, vec![]);
    let mut spec = straight_spec(0.0, 0.9, vec![parked, hidden, visible]);
    let mut sim = Simulation::new(&spec);
    let ids: Vec<u32> = sim.observe().objects.iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![1, 3]);
    spec.environment.sensor.occlusion = false;
    let mut sim = Simulation::new(&spec);
    let ids: Vec<u32> = sim.observe().objects.iter().map(|o| o.id).collect();
    assert_eq!(ids, vec![1, 2, 3]);
}

#[test]
fn sensor_latency_delays_the_object_list() {
    let mut spec = straight_spec(10.0, 0.9, vec![vehicle(1, 30.0, 0.0, 10.0, vec![])]);
    spec.environment.sensor.latency_steps = 3;
    let mut sim = Simulation::new(&spec);
    let mut seen = Vec::new();
    for _ in 0..6 {
        let obs = sim.observe();
        seen.push(obs.objects.first().map(|o| o.s));
        sim.act(Control::default());
    }
    assert_eq!(&seen[..3], &[None, None, None]);
    let first = seen[3].expect("reported after the latency");
    assert!((first - 30.0).abs() < 1e-3, "step 3 shows the state of step 0: {first}");
}

#[test]
fn every_criterion_reports_a_signed_margin_in_its_unit() {
    // A lead 40 m ahead at 10 m/s; the ego at 20 m/s holds its speed until it
    // brakes fully at t = 1 s, stopping short of the lead, far from the goal.
    struct BrakeAt1s;
    impl AutonomyAdapter for BrakeAt1s {
        fn info(&self) -> AdapterInfo {
            AdapterInfo { name: "brake-at-1s".into(), version: "0".into() }
        }
        fn reset(&mut self, _: &JobStart) -> Result<(), AdapterFault> {
            Ok(())
        }
        fn step(&mut self, obs: &Observation) -> Result<Control, AdapterFault> {
            Ok(Control { accel: if obs.t < 1.0 { 0.0 } else { -9.0 }, steer: 0.0 })
        }
    }
    let lead = vehicle(
        1,
        40.0,
        0.0,
        10.0,
        vec![BehaviourStep {
            trigger: Trigger::Immediately,
            behaviour: Behaviour::KeepLane { speed: 10.0 },
            parallel: false,
        }],
    );
    let mut spec = straight_spec(20.0, 0.9, vec![lead]);
    spec.road.speed_limit = 15.0;
    spec.duration = 6.0;
    spec.criteria = vec![
        CriterionSpec::NoCollision,
        CriterionSpec::MinTtc { min: 1.5 },
        CriterionSpec::MinGap { min: 5.0 },
        CriterionSpec::StayOnRoad,
        CriterionSpec::SpeedLimit { tolerance: 1.0 },
        CriterionSpec::MaxDecel { max: 5.0 },
        CriterionSpec::MaxJerk { max: 50.0 },
        CriterionSpec::ReachGoal { within: 6.0 },
    ];
    let r = Simulation::run(&spec, &mut BrakeAt1s, RunOptions::default());
    let v = |name: &str| r.verdicts.iter().find(|v| v.criterion == name).expect("criterion judged").clone();
    assert_eq!(r.outcome, Outcome::Fail);

    let nc = v("no_collision");
    assert!(nc.passed && nc.margin > 0.0, "{nc:?}");

    // Gap at t=1 s: 40 − 10 − 4.55 = 25.45 m, closing 10 m/s → TTC ≈ 2.5 s > 1.5 s.
    let ttc = v("min_ttc");
    assert!(ttc.passed && (ttc.margin - 1.05).abs() < 0.15, "{ttc:?}");

    // The lead drives away after the ego stops: the smallest gap is near t ≈ 2 s.
    let gap = v("min_gap");
    assert!(gap.passed && gap.margin > 10.0, "{gap:?}");

    // 20 m/s against a 15 m/s limit + 1 m/s tolerance: violated by 4 m/s from the start.
    let speed = v("speed_limit");
    assert!(!speed.passed && (speed.margin + 4.0).abs() < 0.05, "{speed:?}");
    assert!(speed.first_violation_t.is_some_and(|t| t <= 0.05 + 1e-9));

    // Full braking at μ = 0.9 decelerates at min(9, 0.9 g) ≈ 8.83 m/s² > 5.
    let decel = v("max_decel");
    assert!(!decel.passed && (decel.margin - (5.0 - 0.9 * G)).abs() < 0.05, "{decel:?}");
    assert!(decel.first_violation_t.is_some_and(|t| (t - 1.05).abs() < 0.06), "{decel:?}");

    // A step from 0 to −8.83 m/s² in one 0.05 s step is a jerk of ≈ 177 m/s³.
    let jerk = v("max_jerk");
    assert!(!jerk.passed && jerk.margin < -100.0, "{jerk:?}");

    // Stopped after ≈ 20 + 22.7 m, far from the goal at 300 m.
    let goal = v("reach_goal");
    assert!(
        !goal.passed && (goal.margin + 300.0 - 20.0 - 20.0 * 20.0 / (2.0 * 0.9 * G)).abs() < 2.0,
        "{goal:?}"
    );

    let road = v("stay_on_road");
    assert!(road.passed && (road.margin - (1.75 - 0.95)).abs() < 1e-3, "{road:?}");
}

#[test]
fn sensor_dropout_and_noise_follow_their_settings() {
    let mut spec = straight_spec(0.0, 0.9, vec![vehicle(1, 30.0, 0.0, 0.0, vec![])]);
    spec.environment.sensor.dropout = 0.3;
    spec.environment.sensor.noise_sigma = 0.5;
    spec.duration = 100.0;
    let mut sim = Simulation::new(&spec);
    let (mut seen, mut xs) = (0, Vec::new());
    for _ in 0..2000 {
        let obs = sim.observe();
        if let Some(o) = obs.objects.first() {
            seen += 1;
            xs.push(o.x);
        }
        sim.act(Control::default());
    }
    let rate = seen as f64 / 2000.0;
    assert!((rate - 0.7).abs() < 0.04, "reported {rate:.3} of steps, expected 0.7");
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    let sd = (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / xs.len() as f64).sqrt();
    assert!((mean - 30.0).abs() < 0.05 && (sd - 0.5).abs() < 0.05, "mean {mean:.3} sd {sd:.3}");
}

#[test]
fn a_collision_is_not_scored_as_braking_or_jerk() {
    // Brakes gently (2 m/s²) from t = 1 s, too late and too softly: it hits
    // the stopped car. Its driving never exceeds 2 m/s² of deceleration, so
    // `max_decel` keeps about 9.5 − 2 and `max_jerk` about 50 − 40, whatever
    // the contact impulse did to the ego's velocity in the last step.
    struct SoftBrake;
    impl AutonomyAdapter for SoftBrake {
        fn info(&self) -> AdapterInfo {
            AdapterInfo { name: "soft".into(), version: "0".into() }
        }
        fn reset(&mut self, _: &JobStart) -> Result<(), AdapterFault> {
            Ok(())
        }
        fn step(&mut self, obs: &Observation) -> Result<Control, AdapterFault> {
            Ok(Control { accel: if obs.t < 1.0 { 0.0 } else { -2.0 }, steer: 0.0 })
        }
    }
    let stopped = vehicle(1, 40.0, 0.0, 0.0, vec![]);
    let mut spec = straight_spec(20.0, 0.9, vec![stopped]);
    spec.road.speed_limit = 30.0;
    spec.criteria = vec![
        CriterionSpec::NoCollision,
        CriterionSpec::SpeedLimit { tolerance: 0.0 },
        CriterionSpec::MaxDecel { max: 9.5 },
        CriterionSpec::MaxJerk { max: 50.0 },
    ];
    let r = Simulation::run(&spec, &mut SoftBrake, RunOptions::default());
    let v = |name: &str| r.verdicts.iter().find(|v| v.criterion == name).expect("criterion judged").clone();
    assert_eq!(r.outcome, Outcome::Fail);
    let nc = v("no_collision");
    assert!(!nc.passed && nc.impact_speed.is_some_and(|s| s > 10.0), "{nc:?}");
    let decel = v("max_decel");
    assert!(decel.passed && (decel.margin - 7.5).abs() < 0.3, "{decel:?}");
    let jerk = v("max_jerk");
    assert!(jerk.passed && jerk.margin > 5.0, "{jerk:?}");
    let speed = v("speed_limit");
    assert!(speed.passed && (speed.margin - 10.0).abs() < 0.1, "{speed:?}");
    assert!(decel.worst_t < r.sim_time - 1e-9, "the contact step is not scored: {decel:?}");
}
