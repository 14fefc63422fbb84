//! The faults through the whole sensor: statistics seen in the observation,
//! and determinism of runs with every fault on.

use super::*;
use crate::adapter::{Control, Observation};
use crate::adapters::ReferenceAdapter;
use crate::road::SegmentSpec;
use crate::sim::{RunOptions, Simulation};
use crate::spec::WorldSpec;
use crate::testing::{straight_spec, vehicle};

fn world(faults: PerceptionFaults) -> WorldSpec {
    // A lead 30 m ahead at the ego's speed: always in view.
    let mut spec = straight_spec(0.0, 0.9, vec![vehicle(1, 30.0, 0.0, 0.0, vec![])]);
    spec.environment.sensor.faults = faults;
    spec.duration = 200.0;
    spec
}

/// Every observation of `steps` steps standing still.
fn observe(spec: &WorldSpec, steps: usize, mut f: impl FnMut(&Observation)) {
    let mut sim = Simulation::new(spec);
    for _ in 0..steps {
        f(sim.observe());
        sim.act(Control::default());
    }
}

fn all_on() -> PerceptionFaults {
    PerceptionFaults {
        burst: BurstDropout { rate: 0.2, mean_burst_steps: 6.0 },
        ghosts: GhostSpec { rate_hz: 1.0, lifetime: 0.3, ahead_min: 20.0, ahead_max: 50.0 },
        misclassification: 0.5,
        bias: PositionBias { longitudinal: 1.0, lateral: 0.3 },
        id_switch_rate: 0.5,
    }
}

#[test]
fn runs_with_every_fault_on_are_deterministic_and_seeded() {
    let mut spec = straight_spec(20.0, 0.9, vec![vehicle(1, 40.0, 0.0, 20.0, vec![])]);
    spec.environment.sensor.faults = all_on();
    let a = Simulation::run(&spec, &mut ReferenceAdapter::default(), RunOptions::default());
    let b = Simulation::run(&spec, &mut ReferenceAdapter::default(), RunOptions::default());
    assert_eq!(a, b);
    let lists = |spec: &WorldSpec| {
        let mut v = Vec::new();
        observe(spec, 400, |o| v.push(o.objects.clone()));
        v
    };
    assert_eq!(lists(&spec), lists(&spec));
    let mut other = spec.clone();
    other.seed = 1;
    assert_ne!(lists(&spec), lists(&other), "another seed, other faults");
}

#[test]
fn bursty_dropout_hides_the_lead_at_its_rate_in_bursts() {
    let spec = world(PerceptionFaults {
        burst: BurstDropout { rate: 0.3, mean_burst_steps: 10.0 },
        ..PerceptionFaults::default()
    });
    let (mut missing, mut bursts, mut run) = (0usize, 0usize, 0usize);
    let n = 4000;
    observe(&spec, n, |o| {
        if o.objects.is_empty() {
            missing += 1;
            run += 1;
        } else if run > 0 {
            bursts += 1;
            run = 0;
        }
    });
    let share = missing as f64 / n as f64;
    let mean = missing as f64 / bursts.max(1) as f64;
    assert!((share - 0.3).abs() < 0.08, "missing share {share}");
    assert!((mean - 10.0).abs() < 3.0, "mean burst {mean}");
}

#[test]
fn ghosts_stand_in_the_ego_lane_ahead_with_fresh_ids() {
    let spec = world(PerceptionFaults {
        ghosts: GhostSpec { rate_hz: 2.0, lifetime: 0.1, ahead_min: 20.0, ahead_max: 40.0 },
        ..PerceptionFaults::default()
    });
    let (mut ids, mut reports) = (Vec::new(), 0usize);
    observe(&spec, 2000, |o| {
        for g in o.objects.iter().filter(|g| g.id >= FRESH_ID_BASE) {
            reports += 1;
            assert_eq!(g.lane, o.ego.lane);
            assert!(g.d.abs() < 1e-6 && g.speed == 0.0 && g.kind == ActorKind::Vehicle);
            assert!((20.0 - 1e-6..=40.0 + 1e-6).contains(&(g.s - o.ego.s)), "{} ahead", g.s - o.ego.s);
            if !ids.contains(&g.id) {
                ids.push(g.id);
            }
        }
        // The real lead keeps its id.
        assert!(o.objects.iter().any(|x| x.id == 1));
    });
    // 100 s at 2 per second; each reported for 2 steps.
    assert!((ids.len() as f64 - 200.0).abs() < 40.0, "{} ghosts", ids.len());
    assert!(reports.abs_diff(2 * ids.len()) <= 2, "{reports} reports of {} ghosts", ids.len());
}

#[test]
fn ghosts_on_a_curve_stand_their_distance_along_the_ego_lane() {
    // The ego stands in lane 1 (d = 3.5) of a left bend of radius 60 m:
    // inside the bend its lane is 5.8 % shorter than the reference line.
    let mut spec = world(PerceptionFaults {
        ghosts: GhostSpec { rate_hz: 2.0, lifetime: 0.1, ahead_min: 20.0, ahead_max: 40.0 },
        ..PerceptionFaults::default()
    });
    spec.actors.clear();
    spec.road.segments = vec![SegmentSpec::new(10.0, 0.0), SegmentSpec::new(150.0, 1.0 / 60.0)];
    spec.ego.d = 3.5;
    let route = crate::road::Road::new(spec.road.clone()).route().clone();
    let (mut ghosts, mut shortest_s) = (0usize, f64::INFINITY);
    observe(&spec, 2000, |o| {
        for g in &o.objects {
            ghosts += 1;
            assert_eq!(g.lane, 1);
            let along = route.along(o.ego.s, g.s, 3.5);
            assert!((20.0 - 1e-6..=40.0 + 1e-6).contains(&along), "{along} m ahead along the lane");
            shortest_s = shortest_s.min(g.s - o.ego.s);
        }
    });
    assert!(ghosts > 200, "{ghosts} ghost reports");
    // Measured along the reference line the nearest ghosts are further off.
    assert!(shortest_s > 20.5, "nearest at {shortest_s} m of reference line");
}

#[test]
fn misclassification_bias_and_id_switches_reach_the_observation() {
    let spec = world(PerceptionFaults {
        misclassification: 1.0,
        bias: PositionBias { longitudinal: 2.0, lateral: 0.5 },
        id_switch_rate: 1.0,
        ..PerceptionFaults::default()
    });
    let (mut xs, mut ids) = (Vec::new(), Vec::new());
    observe(&spec, 2000, |o| {
        let lead = o.objects[0];
        assert_ne!(lead.kind, ActorKind::Vehicle, "always misreported");
        xs.push(lead.x);
        if ids.last() != Some(&lead.id) {
            ids.push(lead.id);
        }
    });
    // The ego stands still: the bias is one constant offset, within bounds.
    assert!(xs.iter().all(|x| *x == xs[0]), "constant bias");
    assert!((xs[0] - 30.0).abs() <= 2.0 && xs[0] != 30.0);
    // 100 s at one switch per second, each to a fresh id.
    assert!((ids.len() as f64 - 101.0).abs() < 30.0, "{} ids", ids.len());
    assert!(ids[1..].iter().all(|id| *id >= FRESH_ID_BASE));
}
