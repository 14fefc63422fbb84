//! Whole-run checks of friction patches ([`crate::surface`]) and ego
//! vehicle faults ([`crate::vehicle_fault`]).

use crate::adapter::{AdapterFault, AdapterInfo, AutonomyAdapter, Control, JobStart, Observation};
use crate::adapters::ReferenceAdapter;
use crate::dynamics::G;
use crate::sim::{RunOptions, Simulation};
use crate::spec::{Behaviour, BehaviourStep, Trigger, WorldSpec};
use crate::surface::{Patch, Surface};
use crate::testing::{CAR, straight_spec, vehicle};
use crate::vehicle_fault::{FaultKind, FaultTrigger, ReportedFault, Side, VehicleFault};

/// Asks for a fixed acceleration with the wheels straight.
struct Fixed(f64);

impl AutonomyAdapter for Fixed {
    fn info(&self) -> AdapterInfo {
        AdapterInfo { name: "fixed".into(), version: "0".into() }
    }
    fn reset(&mut self, _: &JobStart) -> Result<(), AdapterFault> {
        Ok(())
    }
    fn step(&mut self, _: &Observation) -> Result<Control, AdapterFault> {
        Ok(Control { accel: self.0, steer: 0.0 })
    }
}

fn icy_patch(from_s: f64, to_s: f64, friction: f64) -> Surface {
    Surface::new(&[Patch { from_s, to_s, friction, lanes: None }]).expect("one patch")
}

/// Steps `spec` against `adapter`, calling `each` with every observation.
fn drive(spec: &WorldSpec, adapter: &mut dyn AutonomyAdapter, mut each: impl FnMut(&Observation)) {
    let mut sim = Simulation::new(spec);
    adapter.reset(sim.job_start()).expect("reset");
    for _ in 0..sim.total_steps() {
        let obs = sim.observe();
        each(obs);
        let c = adapter.step(obs).expect("never fails");
        if sim.act(c) == crate::sim::StepStatus::Finished {
            break;
        }
    }
}

#[test]
fn a_vehicle_on_a_patch_brakes_no_harder_than_the_patch_allows() {
    // Dry road (μ 1.0) with ice (μ 0.2) from 20 to 400 m; a lead car ahead
    // on the ice brakes at 8 m/s², the ego brakes at its 9 m/s² limit.
    let lead = vehicle(
        1,
        60.0,
        1.0,
        20.0,
        vec![
            BehaviourStep {
                trigger: Trigger::Immediately,
                behaviour: Behaviour::KeepLane { speed: 20.0 },
                parallel: false,
            },
            BehaviourStep {
                trigger: Trigger::Time(1.0),
                behaviour: Behaviour::Brake { decel: 8.0 },
                parallel: false,
            },
        ],
    );
    let mut spec = straight_spec(25.0, 1.0, vec![lead]);
    spec.environment.surface = icy_patch(20.0, 400.0, 0.2);
    spec.criteria = vec![];
    spec.duration = 6.0;
    let limit = 0.2 * G + 1e-6;
    let (mut dry, mut icy, mut lead_icy) = (0usize, 0usize, 0usize);
    let mut last_lead: Option<f64> = None;
    drive(&spec, &mut Fixed(-CAR.max_decel), |obs| {
        let e = &obs.ego;
        // `accel` is over the last step, taken where the ego was then.
        if obs.step > 0 && e.s < 15.0 && e.speed > 1.0 {
            assert!((e.accel + CAR.max_decel).abs() < 0.05, "dry: {}", e.accel);
            dry += 1;
        }
        if e.s > 21.0 && e.speed > 0.5 {
            assert!(-e.accel <= limit, "on the patch at s {}: {} m/s²", e.s, e.accel);
            icy += 1;
        }
        if let Some(o) = obs.objects.iter().find(|o| o.id == 1) {
            if let Some(v0) = last_lead
                && o.speed > 0.5
                && obs.t > 1.2
            {
                let a = (o.speed - v0) / spec.dt;
                assert!(-a <= limit, "the lead on the patch: {a} m/s²");
                assert!(-a > 0.9 * 0.2 * G, "the lead brakes at the patch's limit: {a} m/s²");
                lead_icy += 1;
            }
            last_lead = Some(o.speed);
        }
    });
    assert!(dry > 3 && icy > 20 && lead_icy > 20, "{dry} {icy} {lead_icy}");
}

#[test]
fn a_lane_patch_leaves_the_other_lanes_alone() {
    let mut spec = straight_spec(20.0, 1.0, vec![]);
    spec.environment.surface =
        Surface::new(&[Patch { from_s: 0.0, to_s: 600.0, friction: 0.1, lanes: Some((1, 1)) }])
            .expect("fits");
    spec.criteria = vec![];
    spec.duration = 1.0;
    // The ego in lane 0 brakes at its own limit.
    drive(&spec, &mut Fixed(-CAR.max_decel), |obs| {
        if obs.step > 0 {
            assert!((obs.ego.accel + CAR.max_decel).abs() < 0.05, "{}", obs.ego.accel);
        }
    });
}

#[test]
fn the_weather_caps_a_patch_after_it_replaces_the_road_mu() {
    use crate::conditions::{Conditions, Weather};
    // Rain caps μ at 0.66; a patch of 0.9 under rain brakes at 0.66 g, a patch of 0.2 at 0.2 g.
    for (patch, want) in [(0.9, 0.66), (0.2, 0.2)] {
        let mut spec = straight_spec(25.0, 0.9, vec![]);
        spec.environment.conditions =
            Conditions { weather: Weather::Rain { intensity: 20.0 }, ..Default::default() };
        spec.environment.surface = icy_patch(0.0, 600.0, patch);
        spec.criteria = vec![];
        spec.duration = 1.0;
        drive(&spec, &mut Fixed(-CAR.max_decel), |obs| {
            if obs.step > 0 {
                assert!((obs.ego.accel + want * G).abs() < 0.05, "patch {patch}: {}", obs.ego.accel);
            }
        });
    }
}

fn blowout_at(t: f64) -> VehicleFault {
    VehicleFault {
        trigger: FaultTrigger::Time(t),
        kind: FaultKind::TyreBlowout { side: Side::Left, pull: 1.5, grip: 0.7 },
    }
}

#[test]
fn an_uncorrected_blowout_pulls_to_its_side_and_is_reported() {
    let mut spec = straight_spec(20.0, 0.9, vec![]);
    spec.ego.fault = Some(blowout_at(1.0));
    spec.criteria = vec![];
    spec.duration = 3.0;
    let mut reported_from = None;
    let mut last_d = 0.0;
    drive(&spec, &mut Fixed(0.0), |obs| {
        let e = &obs.ego;
        if obs.t < 1.0 {
            assert_eq!(e.yaw_rate, 0.0);
            assert_eq!(e.fault, None);
        }
        if e.fault.is_some() && reported_from.is_none() {
            reported_from = Some(obs.t);
        }
        if obs.t > 1.2 {
            // Yaw rate u·tan(δ)/L = pull/u: the car curves with 1.5 m/s² to the left.
            assert!((e.yaw_rate * e.speed - 1.5).abs() < 0.05, "{} at {}", e.yaw_rate * e.speed, e.speed);
            assert!(e.d > last_d, "drifts left");
        }
        last_d = e.d;
    });
    // Reported from the step after the one it started in.
    assert_eq!(reported_from, Some(1.05));
}

#[test]
fn a_blowout_lowers_the_grip_and_brake_fade_the_deceleration() {
    let mut blown = straight_spec(25.0, 0.5, vec![]);
    blown.ego.fault = Some(blowout_at(0.0));
    blown.criteria = vec![];
    blown.duration = 1.0;
    drive(&blown, &mut Fixed(-CAR.max_decel), |obs| {
        if obs.step > 0 {
            // 0.7 × 0.5 g, shared with the pull's lateral demand.
            assert!(-obs.ego.accel <= 0.35 * G + 1e-6 && -obs.ego.accel > 0.3 * G, "{}", obs.ego.accel);
        }
    });
    let mut faded = straight_spec(25.0, 1.0, vec![]);
    faded.ego.fault = Some(VehicleFault {
        trigger: FaultTrigger::RouteS(20.0),
        kind: FaultKind::BrakeFade { factor: 0.4 },
    });
    faded.criteria = vec![];
    faded.duration = 2.0;
    let mut seen_faded = false;
    drive(&faded, &mut Fixed(-CAR.max_decel), |obs| {
        assert_eq!(obs.ego.fault, None, "fade is not reported");
        if obs.step > 0 && obs.ego.s < 19.0 {
            assert!((obs.ego.accel + CAR.max_decel).abs() < 0.05);
        }
        if obs.ego.s > 21.0 && obs.ego.speed > 0.5 {
            assert!((obs.ego.accel + 0.4 * CAR.max_decel).abs() < 0.05, "{}", obs.ego.accel);
            seen_faded = true;
        }
    });
    assert!(seen_faded);
}

#[test]
fn the_reference_stops_in_its_lane_after_a_reported_blowout() {
    let mut spec = straight_spec(25.0, 0.9, vec![]);
    spec.ego.fault = Some(blowout_at(2.0));
    spec.ego.goal_s = 550.0;
    spec.criteria = vec![crate::spec::CriterionSpec::StayOnRoad];
    spec.duration = 20.0;
    let mut last = None;
    let mut worst_d: f64 = 0.0;
    drive(&spec, &mut ReferenceAdapter::default(), |obs| {
        worst_d = worst_d.max(obs.ego.d.abs());
        last = Some(obs.ego);
    });
    let last = last.expect("ran");
    assert!(last.speed < 0.1, "stopped: {}", last.speed);
    assert!(worst_d < 0.8, "held its lane: {worst_d}");
    assert_eq!(last.fault, Some(ReportedFault::TyreBlowout));
}

#[test]
fn patches_and_faults_are_deterministic_and_change_the_run() {
    let mut spec = straight_spec(22.0, 0.9, vec![vehicle(1, 40.0, 0.0, 18.0, vec![])]);
    spec.duration = 10.0;
    let plain = Simulation::run(&spec, &mut ReferenceAdapter::default(), RunOptions::default());
    spec.environment.surface = icy_patch(60.0, 160.0, 0.25);
    spec.ego.fault = Some(blowout_at(3.0));
    let a = Simulation::run(&spec, &mut ReferenceAdapter::default(), RunOptions::default());
    let b = Simulation::run(&spec, &mut ReferenceAdapter::default(), RunOptions::default());
    assert_eq!(a, b);
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_ne!(a.trace_hash, plain.trace_hash);
    // A patch that covers no one changes nothing, bit for bit.
    let mut far = spec.clone();
    far.ego.fault = None;
    far.environment.surface = icy_patch(5000.0, 5100.0, 0.1);
    let mut none = far.clone();
    none.environment.surface = Surface::default();
    let x = Simulation::run(&far, &mut ReferenceAdapter::default(), RunOptions::default());
    let y = Simulation::run(&none, &mut ReferenceAdapter::default(), RunOptions::default());
    assert_eq!(x.trace_hash, y.trace_hash);
}
