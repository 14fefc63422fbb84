//! Whole-run checks of the operating conditions: night and fog measured
//! statistically against the documented figures (seeded sensor streams),
//! rain's noise, the road works' lane shift and cones, determinism.

use crate::actor::ActorKind;
use crate::adapter::Control;
use crate::conditions::{Conditions, Illumination, LaneShift, Weather, cones, night_dropout};
use crate::road::EdgeKind;
use crate::sim::{RunOptions, Simulation};
use crate::spec::{ActorSpec, Behaviour, BehaviourStep, Trigger, WorldSpec};
use crate::testing::{Parked, straight_spec, vehicle};

fn standing(id: u32, kind: ActorKind, s: f64, d: f64) -> ActorSpec {
    let mut a = vehicle(
        id,
        s,
        0.0,
        0.0,
        vec![BehaviourStep { trigger: Trigger::Immediately, behaviour: Behaviour::Stand, parallel: false }],
    );
    a.kind = kind;
    (a.length, a.width) = kind.default_size();
    a.d = d;
    a
}

/// A parked ego watching `actors` (ids 1..) for `steps` steps under
/// `conditions`: per actor, the share of steps it was reported and the
/// reported positions' lateral errors.
fn watch(conditions: Conditions, actors: Vec<ActorSpec>, steps: u64) -> Vec<(f64, Vec<f64>)> {
    let mut spec: WorldSpec = straight_spec(0.0, 0.9, actors);
    spec.environment.sensor.range = 150.0;
    spec.environment.conditions = conditions;
    spec.duration = steps as f64 * spec.dt;
    spec.criteria = vec![];
    spec.road.edge = EdgeKind::Open;
    let truth: Vec<(u32, f64)> = spec.actors.iter().map(|a| (a.id, a.d)).collect();
    let mut seen = vec![(0.0, Vec::new()); truth.len()];
    let mut sim = Simulation::new(&spec);
    for _ in 0..steps {
        let obs = sim.observe();
        for o in &obs.objects {
            if let Some(k) = truth.iter().position(|(id, _)| *id == o.id) {
                seen[k].0 += 1.0;
                seen[k].1.push(o.d - truth[k].1);
            }
        }
        if sim.act(Control { accel: -1.0, steer: 0.0 }) == crate::sim::StepStatus::Finished {
            break;
        }
    }
    for s in &mut seen {
        s.0 /= steps as f64;
    }
    seen
}

fn sigma(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
}

const STEPS: u64 = 4000;

#[test]
fn at_night_pedestrians_are_seen_closer_and_less_often_than_cars() {
    let night = Conditions { illumination: Illumination::Night, ..Default::default() };
    // Ranges at night from 150 m: pedestrian 60 m, animal 52.5 m, vehicle 150 m.
    let actors = vec![
        standing(1, ActorKind::Pedestrian, 50.0, -4.0),
        standing(2, ActorKind::Pedestrian, 72.0, -4.0),
        standing(3, ActorKind::Vehicle, 140.0, 3.5),
        standing(4, ActorKind::Animal, 40.0, 4.0),
    ];
    let seen = watch(night, actors.clone(), STEPS);
    let expect_ped = 1.0 - night_dropout(ActorKind::Pedestrian);
    assert!(
        (seen[0].0 - expect_ped).abs() < 0.015,
        "pedestrian at 50 m seen {} (documented {expect_ped})",
        seen[0].0
    );
    assert_eq!(seen[1].0, 0.0, "pedestrian beyond 60 m at night");
    assert_eq!(seen[2].0, 1.0, "a car at 140 m is lit");
    let expect_animal = 1.0 - night_dropout(ActorKind::Animal);
    assert!(
        (seen[3].0 - expect_animal).abs() < 0.02,
        "animal seen {} (documented {expect_animal})",
        seen[3].0
    );
    // By day every one of them is seen every step.
    let day = watch(Conditions::default(), actors, 200);
    assert!(day.iter().all(|s| s.0 == 1.0), "{:?}", day.iter().map(|s| s.0).collect::<Vec<_>>());
}

#[test]
fn fog_caps_the_range_at_the_visibility_and_thins_out_the_far_half() {
    let fog = Conditions { weather: Weather::Fog { visibility: 80.0 }, ..Default::default() };
    let actors = vec![
        standing(1, ActorKind::Vehicle, 30.0, 3.5),
        standing(2, ActorKind::Vehicle, 65.0, 3.5),
        standing(3, ActorKind::Vehicle, 95.0, 3.5),
    ];
    let seen = watch(fog, actors, STEPS);
    assert_eq!(seen[0].0, 1.0);
    assert!(
        (seen[1].0 - 0.9).abs() < 0.015,
        "beyond half the visibility seen {} (documented 0.9)",
        seen[1].0
    );
    assert_eq!(seen[2].0, 0.0, "beyond the visibility");
    // Fog's noise σ is 0.05 m.
    let s = sigma(&seen[0].1);
    assert!((s - 0.05).abs() < 0.005, "σ {s}");
}

#[test]
fn rain_adds_its_noise_and_dropout() {
    let rain = Conditions { weather: Weather::Rain { intensity: 50.0 }, ..Default::default() };
    let seen = watch(rain, vec![standing(1, ActorKind::Vehicle, 40.0, 3.5)], STEPS);
    assert!((seen[0].0 - 0.975).abs() < 0.01, "seen {} (documented 0.975)", seen[0].0);
    let s = sigma(&seen[0].1);
    assert!((s - 0.1).abs() < 0.008, "σ {s} (documented 0.1 m)");
}

#[test]
fn low_sun_glare_hides_what_lies_towards_the_sun() {
    // The sun straight ahead: a car ahead at 80 m (glare range 75 m) is lost; one off to the side is not.
    let sun = Conditions { illumination: Illumination::LowSun { azimuth: 0.0 }, ..Default::default() };
    let seen = watch(
        sun,
        vec![standing(1, ActorKind::Vehicle, 80.0, 0.0), standing(2, ActorKind::Vehicle, 20.0, 14.0)],
        400,
    );
    assert_eq!(seen[0].0, 0.0);
    assert_eq!(seen[1].0, 1.0);
}

#[test]
fn rain_wets_the_road_for_the_tyres() {
    // Full braking from 20 m/s stops in v²/(2μg): μ 0.9 dry, 0.6 in 50 mm/h of rain.
    let stop = |conditions: Conditions| {
        let brake = BehaviourStep {
            trigger: Trigger::Immediately,
            behaviour: Behaviour::Brake { decel: 12.0 },
            parallel: false,
        };
        let mut spec = straight_spec(0.0, 0.9, vec![vehicle(1, 40.0, 1.0, 20.0, vec![brake])]);
        spec.environment.conditions = conditions;
        spec.duration = 6.0;
        spec.criteria = vec![];
        let trace =
            Simulation::run(&spec, &mut Parked, RunOptions { record_trace: true }).trace.expect("trace");
        trace.last().expect("frames").bodies[1].s - 40.0
    };
    let dry = stop(Conditions::default());
    let wet = stop(Conditions { weather: Weather::Rain { intensity: 50.0 }, ..Default::default() });
    let g = crate::dynamics::G;
    assert!((dry - 400.0 / (2.0 * 0.9 * g)).abs() < 1.0, "dry {dry}");
    assert!((wet - 400.0 / (2.0 * 0.6 * g)).abs() < 1.0, "wet {wet}");
}

#[test]
fn road_works_shift_the_lane_and_cones_stand_still() {
    let shift = LaneShift { from_s: 80.0, to_s: 400.0, taper: 40.0, offset: 1.0 };
    let conditions = Conditions { lane_shift: Some(shift), ..Default::default() };
    let mut actors = vec![vehicle(
        1,
        30.0,
        0.0,
        15.0,
        vec![BehaviourStep {
            trigger: Trigger::Immediately,
            behaviour: Behaviour::KeepLane { speed: 15.0 },
            parallel: false,
        }],
    )];
    actors.extend(cones(-0.9, 130.0, 350.0, 10.0, 2));
    let mut spec = straight_spec(14.0, 0.9, actors);
    spec.environment.conditions = conditions;
    spec.duration = 22.0;
    spec.criteria = vec![crate::spec::CriterionSpec::NoCollision];
    let cone_ids: Vec<u32> =
        spec.actors.iter().filter(|a| a.kind == ActorKind::Static).map(|a| a.id).collect();
    let mut reference = crate::adapters::ReferenceAdapter::default();
    let result = Simulation::run(&spec, &mut reference, RunOptions { record_trace: true });
    assert_eq!(result.outcome, crate::outcome::Outcome::Pass, "{:?}", result.verdicts);
    let trace = result.trace.expect("trace");
    // The scripted car and the ego hold the shifted centre (d = 1.0) inside the works.
    for f in &trace {
        for b in f.bodies.iter().filter(|b| b.id <= 1) {
            if (b.s - 200.0).abs() < 60.0 {
                assert!((b.d - 1.0).abs() < 0.15, "body {} at s {} holds d {}", b.id, b.s, b.d);
            }
        }
    }
    // The ego is told the shift; its lane_d is from the shifted centre.
    let inside =
        trace.iter().find(|f| (f.observation.ego.s - 200.0).abs() < 5.0).expect("ego inside the works");
    assert_eq!(inside.observation.ego.lane_shift, 1.0);
    assert!(inside.observation.ego.lane_d.abs() < 0.15);
    // Cones are static bodies: every one where it was placed, every step.
    let first = &trace[0];
    for f in &trace {
        for id in &cone_ids {
            let (a, b) = (first.bodies.iter().find(|b| b.id == *id), f.bodies.iter().find(|b| b.id == *id));
            let (a, b) = (a.expect("cone"), b.expect("cone"));
            assert_eq!((a.x, a.y, b.vx, b.vy), (b.x, b.y, 0.0, 0.0));
        }
    }
}

#[test]
fn conditions_are_deterministic_and_default_ones_change_nothing() {
    let actors = || vec![standing(1, ActorKind::Pedestrian, 40.0, -3.0), vehicle(2, 60.0, 1.0, 12.0, vec![])];
    let night_rain = Conditions {
        illumination: Illumination::Night,
        weather: Weather::Rain { intensity: 30.0 },
        lane_shift: Some(LaneShift { from_s: 50.0, to_s: 250.0, taper: 30.0, offset: 0.5 }),
    };
    let run = |c: Conditions| {
        let mut spec = straight_spec(12.0, 0.9, actors());
        spec.environment.sensor.dropout = 0.1;
        spec.environment.sensor.noise_sigma = 0.2;
        spec.environment.conditions = c;
        Simulation::run(&spec, &mut crate::adapters::ReferenceAdapter::default(), RunOptions::default())
    };
    assert_eq!(run(night_rain).trace_hash, run(night_rain).trace_hash);
    assert_ne!(run(night_rain).trace_hash, run(Conditions::default()).trace_hash);
}
