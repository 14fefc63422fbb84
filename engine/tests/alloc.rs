//! The step loop's allocations, counted by a global allocator.
//!
//! Its own binary because a global allocator applies to the whole binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use gauntlet_engine::adapters::ReferenceAdapter;
use gauntlet_engine::perception::{BurstDropout, GhostSpec, PerceptionFaults, PositionBias};
use gauntlet_engine::road::{EdgeKind, PathId, RoadSpec, SegmentSpec};
use gauntlet_engine::{
    ActorKind, ActorSpec, AutonomyAdapter, Behaviour, BehaviourStep, CriterionSpec, EgoLimits, EgoSpec,
    Environment, FormulaSpec, SensorSpec, Simulation, Trigger, WorldSpec,
};

struct Counting;

thread_local! {
    /// Only the measuring thread counts: the test harness allocates on its own threads.
    static COUNTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Allocations of this thread (each test measures on its own thread).
    static ALLOCATIONS: AtomicU64 = const { AtomicU64::new(0) };
}

fn count() {
    if COUNTING.with(|c| c.get()) {
        ALLOCATIONS.with(|a| a.fetch_add(1, Ordering::Relaxed));
    }
}

fn allocations() -> u64 {
    ALLOCATIONS.with(|a| a.load(Ordering::Relaxed))
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A drifting motorcycle, a crossing animal and a vehicle backing along the
/// road: their behaviours must not allocate per step either.
fn catalogue_actors() -> Vec<ActorSpec> {
    let step = |trigger, behaviour| vec![BehaviourStep { trigger, behaviour, parallel: false }];
    let actor = |id: u32, kind: ActorKind, s: f64, d: f64, heading: f64, speed: f64, behaviours| ActorSpec {
        id,
        name: format!("catalogue{id}"),
        kind,
        path: PathId::Route,
        s,
        d,
        heading,
        speed,
        length: kind.default_size().0,
        width: kind.default_size().1,
        behaviours,
        reactions: Default::default(),
    };
    vec![
        actor(
            11,
            ActorKind::Motorcycle,
            200.0,
            3.5,
            0.0,
            22.0,
            step(
                Trigger::Time(1.0),
                Behaviour::Drift {
                    lane: 2,
                    lateral_speed: 0.6,
                    depth: 0.5,
                    hold: 1.0,
                    recover: true,
                    speed: 22.0,
                },
            ),
        ),
        actor(
            12,
            ActorKind::Animal,
            320.0,
            -2.5,
            std::f64::consts::FRAC_PI_2,
            0.0,
            step(Trigger::Time(0.5), Behaviour::Cross { speed: 9.0, to_d: 3.5 }),
        ),
        actor(
            13,
            ActorKind::Vehicle,
            420.0,
            7.0,
            0.0,
            0.0,
            step(Trigger::Time(0.5), Behaviour::Reverse { speed: 2.0, distance: 8.0 }),
        ),
        // Conditions judged while running, a shaped speed change and a lane offset.
        actor(14, ActorKind::Vehicle, 520.0, 0.0, 0.0, 15.0, {
            use gauntlet_engine::trigger::{Condition, Conditions, Edge, Judged, Rule};
            let judged = |group, condition| Judged { group, condition, edge: Edge::Rising, delay: 0.2 };
            let when = Conditions::new(&[
                judged(0, Condition::Speed { entity: 0, rule: Rule::Above, value: 1.0 }),
                judged(0, Condition::StandStill { entity: 13, duration: 0.2 }),
                judged(
                    1,
                    Condition::TimeToCollision {
                        entity: 0,
                        to: 14,
                        freespace: false,
                        rule: Rule::Below,
                        value: 30.0,
                    },
                ),
                judged(1, Condition::TraveledDistance { entity: 0, distance: 2.0 }),
                judged(2, Condition::Time { at: 0.5 }),
            ])
            .expect("five conditions");
            vec![
                BehaviourStep {
                    trigger: Trigger::When(when),
                    behaviour: Behaviour::ShapedSpeed {
                        speed: 10.0,
                        duration: 2.0,
                        shape: gauntlet_engine::profile::Shape::Sinusoidal,
                    },
                    parallel: false,
                },
                BehaviourStep {
                    trigger: Trigger::Time(1.0),
                    behaviour: Behaviour::LaneOffset {
                        lane: 0,
                        offset: 0.5,
                        shape: gauntlet_engine::profile::Shape::Cubic,
                        max_lateral_accel: 1.0,
                        speed: 10.0,
                    },
                    parallel: false,
                },
            ]
        }),
    ]
}

fn world() -> WorldSpec {
    let actors = (0..10)
        .map(|i| ActorSpec {
            id: i + 1,
            name: format!("car{i}"),
            kind: ActorKind::Vehicle,
            path: PathId::Route,
            s: 30.0 + 25.0 * (i / 3) as f64,
            d: 3.5 * (i % 3) as f64,
            heading: 0.0,
            speed: 22.0,
            length: 4.5,
            width: 1.8,
            behaviours: vec![BehaviourStep {
                trigger: Trigger::Immediately,
                behaviour: Behaviour::KeepLane { speed: 22.0 },
                parallel: false,
            }],
            reactions: Default::default(),
        })
        .chain(catalogue_actors())
        .collect();
    WorldSpec {
        scenario: "alloc".into(),
        seed: 3,
        dt: 0.05,
        duration: 60.0,
        road: RoadSpec {
            lanes: 3,
            lane_width: 3.5,
            speed_limit: 30.0,
            segments: vec![SegmentSpec::new(3000.0, 0.0)],
            edge: EdgeKind::Barrier,
            shoulder: 1.0,
            intersection: None,
            crosswalk: None,
            oncoming_lanes: 0,
            lane_drop: None,
            junction: None,
        },
        environment: Environment {
            friction: 0.9,
            sensor: SensorSpec {
                range: 150.0,
                fov: 2.0,
                noise_sigma: 0.2,
                dropout: 0.05,
                latency_steps: 2,
                occlusion: true,
                // Every perception fault on: ghosts come and go, ids switch.
                faults: PerceptionFaults {
                    burst: BurstDropout { rate: 0.1, mean_burst_steps: 6.0 },
                    ghosts: GhostSpec { rate_hz: 2.0, lifetime: 0.3, ahead_min: 20.0, ahead_max: 80.0 },
                    misclassification: 0.2,
                    bias: PositionBias { longitudinal: 0.5, lateral: 0.2 },
                    id_switch_rate: 0.5,
                },
            },
            // Conditions on too: night, rain and a lane shift act every step.
            conditions: gauntlet_engine::conditions::Conditions {
                illumination: gauntlet_engine::conditions::Illumination::Night,
                weather: gauntlet_engine::conditions::Weather::Rain { intensity: 20.0 },
                lane_shift: Some(gauntlet_engine::conditions::LaneShift {
                    from_s: 50.0,
                    to_s: 400.0,
                    taper: 40.0,
                    offset: 0.8,
                }),
            },
            // A friction patch the ego and the traffic drive over.
            surface: gauntlet_engine::surface::Surface::new(&[gauntlet_engine::surface::Patch {
                from_s: 100.0,
                to_s: 200.0,
                friction: 0.3,
                lanes: None,
            }])
            .expect("one patch"),
        },
        // A blowout from 2 s: the fault is judged and applied every step.
        ego: EgoSpec {
            d: 3.5,
            s: 0.0,
            speed: 22.0,
            goal_s: 1000.0,
            limits: EgoLimits::MID_SIZE_CAR,
            fault: Some(gauntlet_engine::vehicle_fault::VehicleFault {
                trigger: gauntlet_engine::vehicle_fault::FaultTrigger::Time(2.0),
                kind: gauntlet_engine::vehicle_fault::FaultKind::TyreBlowout {
                    side: gauntlet_engine::vehicle_fault::Side::Left,
                    pull: 1.5,
                    grip: 0.7,
                },
            }),
        },
        actors,
        criteria: vec![
            CriterionSpec::NoCollision,
            CriterionSpec::MinTtc { min: 1.0 },
            CriterionSpec::MinGap { min: 2.0 },
            CriterionSpec::StayOnRoad,
            CriterionSpec::SpeedLimit { tolerance: 1.0 },
            CriterionSpec::MaxDecel { max: 9.5 },
            CriterionSpec::MaxJerk { max: 500.0 },
            CriterionSpec::ReachGoal { within: 60.0 },
        ],
        // Formulas over every kind of signal and operator: their signals and
        // monitors must not allocate per step either.
        formulas: vec![
            FormulaSpec::new(
                "headway_recovery",
                "always (lead_accel < -2 -> eventually[0, 3] (headway_lead >= 1 s or rss_margin_lead > 0)) \
                 and always[0, 50] (clearance > 0 since[0, 1] ttc_vru > 1) and (speed > 0 until[0, 2] jerk < 100)",
                0.05,
                "s",
                1.0,
            )
            .expect("compiles"),
            FormulaSpec::new("smooth", "always (abs(yaw_rate) < 2 and historically[0, 1] edge_margin > -5)", 0.05, "", 1.0)
                .expect("compiles"),
        ],
        // A stop trigger judged every step that never fires: judging it must not allocate either.
        stop: gauntlet_engine::trigger::Conditions::new(&[
            gauntlet_engine::trigger::Judged {
                group: 0,
                condition: gauntlet_engine::trigger::Condition::TraveledDistance { entity: 0, distance: 1e9 },
                edge: gauntlet_engine::trigger::Edge::Rising,
                delay: 0.5,
            },
            gauntlet_engine::trigger::Judged {
                group: 1,
                condition: gauntlet_engine::trigger::Condition::Time { at: 1e9 },
                edge: gauntlet_engine::trigger::Edge::None,
                delay: 0.0,
            },
        ]),
    }
}

#[test]
fn the_engine_step_does_not_allocate_after_warm_up() {
    COUNTING.with(|c| c.set(true));
    let spec = world();
    let mut sim = Simulation::new(&spec);
    let mut adapter = ReferenceAdapter::default();
    adapter.reset(sim.job_start()).expect("resets");
    for _ in 0..100 {
        let c = adapter.step(sim.observe()).expect("answers");
        sim.act(c);
    }
    // Our own systems alone: the sense schedule (behaviours + sensor) and the adapter.
    let before = allocations();
    let mut steps = 0;
    let (mut in_sense, mut in_adapter, mut in_act) = (0, 0, 0);
    for _ in 0..200 {
        let a0 = allocations();
        let obs = sim.observe();
        let a1 = allocations();
        let c = adapter.step(obs).expect("answers");
        let a2 = allocations();
        sim.act(c);
        let a3 = allocations();
        in_sense += a1 - a0;
        in_adapter += a2 - a1;
        in_act += a3 - a2;
        steps += 1;
    }
    let total = allocations() - before;
    println!("sense {in_sense}, adapter {in_adapter}, act {in_act}");
    println!("{total} allocations in {steps} full steps ({:.2} per step)", total as f64 / steps as f64);
    assert_eq!(total, in_sense + in_adapter + in_act);
    // rapier's own step allocates; everything else must not. Measure rapier
    // alone on the same world, driven the same way (each step every dynamic
    // body gets its force and yaw rate set again), and compare.
    let mut physics = sim.into_physics();
    let handles: Vec<_> = physics.bodies.iter().filter(|(_, rb)| rb.is_dynamic()).map(|(h, _)| h).collect();
    let before = allocations();
    for _ in 0..200 {
        for &h in &handles {
            let rb = &mut physics.bodies[h];
            let (force, angvel) = (rb.user_force(), rb.angvel());
            rb.reset_forces(false);
            rb.add_force(force, true);
            rb.set_angvel(angvel, true);
        }
        physics.step();
    }
    let rapier = allocations() - before;
    println!("{rapier} allocations in 200 bare rapier steps");
    assert_eq!(in_sense + in_adapter, 0, "behaviours, sensor and adapter allocate nothing");
    // The act schedule's count is rapier's own: same bodies, same driving, but
    // a later stretch of the run, so contacts (and rapier's allocations for
    // them) differ by a few; 1 % covers that, a per-step allocation of ours
    // (≥ 200) would not fit.
    assert!(
        (in_act as f64) <= rapier as f64 * 1.01,
        "the act schedule allocates beyond rapier: {in_act} vs {rapier} in 200 steps"
    );
}

#[test]
fn behaviours_sensor_and_adapter_allocate_nothing_with_a_thousand_vehicles() {
    COUNTING.with(|c| c.set(true));
    let mut spec = world();
    spec.road.segments[0].length = 6000.0;
    let traffic = gauntlet_engine::traffic::TrafficSpec {
        lanes: vec![0, 1, 2],
        from_s: 0.0,
        to_s: 6000.0,
        amount: gauntlet_engine::traffic::TrafficAmount::Count(1000),
        speed_min: 20.0,
        speed_max: 28.0,
        min_gap: 8.0,
        length: 4.5,
        width: 1.8,
        ego_gap: 30.0,
    };
    spec.ego.s = 3000.0;
    spec.ego.goal_s = 4000.0;
    spec.actors = gauntlet_engine::traffic::populate(&traffic, spec.seed, &spec.road, &spec.ego, &[], 1);
    assert!(spec.actors.len() > 990);
    let mut sim = Simulation::new(&spec);
    let mut adapter = ReferenceAdapter::default();
    adapter.reset(sim.job_start()).expect("resets");
    for _ in 0..40 {
        let c = adapter.step(sim.observe()).expect("answers");
        sim.act(c);
    }
    let mut ours = 0;
    for _ in 0..100 {
        let a0 = allocations();
        let c = adapter.step(sim.observe()).expect("answers");
        ours += allocations() - a0;
        sim.act(c);
    }
    assert_eq!(ours, 0, "behaviours, sensor and adapter allocate nothing in a 1,000-vehicle world");
}

/// A route turning left through a four-way junction, two actors on turning
/// movements (one giving way), the reference driver with the route ahead.
fn junction_world() -> WorldSpec {
    use gauntlet_engine::junction::{ArmId, ArmSpec, JunctionSpec, route_segments};
    let arm =
        |deg: f64| Some(ArmSpec { heading: deg.to_radians(), lanes_in: 1, lanes_out: 1, length: 200.0 });
    let junction = JunctionSpec {
        entry_s: 80.0,
        arms: [arm(90.0), arm(0.0), arm(-90.0)],
        corner_radius: 6.0,
        exit: ArmId::Left,
        signal: None,
        // The stop sign's judgement and the reference driver's stop run in the measured steps too.
        stop_sign: true,
    };
    let approach = [SegmentSpec::new(80.0, 0.0)];
    let mut spec = world();
    spec.road = RoadSpec {
        lanes: 1,
        oncoming_lanes: 1,
        segments: route_segments(&approach, &junction, 1, 1, 3.5).expect("a valid junction"),
        junction: Some(junction),
        ..spec.road
    };
    let mover = |id: u32, from: ArmId, to: ArmId, s: f64, behaviour: Behaviour| ActorSpec {
        id,
        name: format!("turner{id}"),
        kind: ActorKind::Vehicle,
        path: PathId::Movement(from, to),
        s,
        d: 0.0,
        heading: 0.0,
        speed: 8.0,
        length: 4.5,
        width: 1.8,
        behaviours: vec![BehaviourStep { trigger: Trigger::Immediately, behaviour, parallel: false }],
        reactions: Default::default(),
    };
    spec.actors = vec![
        mover(1, ArmId::Ahead, ArmId::Right, 150.0, Behaviour::GiveWay { speed: 8.0, min_gap: 4.0 }),
        mover(2, ArmId::Right, ArmId::Ahead, 170.0, Behaviour::KeepLane { speed: 8.0 }),
    ];
    spec.ego =
        EgoSpec { d: 0.0, s: 0.0, speed: 12.0, goal_s: 200.0, limits: EgoLimits::MID_SIZE_CAR, fault: None };
    spec.criteria.push(CriterionSpec::StopAtSign);
    spec
}

#[test]
fn a_junction_world_allocates_nothing_in_behaviours_sensor_and_adapter() {
    COUNTING.with(|c| c.set(true));
    let spec = junction_world();
    let mut sim = Simulation::new(&spec);
    assert!(sim.job_start().route.is_some(), "the adapter gets the route ahead");
    let (in_sense, in_adapter) = allocations_over_300_steps(&mut sim);
    assert_eq!(
        (in_sense, in_adapter),
        (0, 0),
        "behaviours, sensor and adapter allocate nothing at a junction"
    );
}

/// Lane 0 ends at 150–220 m: the ego and a scripted car in it merge into
/// lane 1 past a car there (the scripted gap acceptance, the reference's
/// lane change), all within the counted steps.
fn lane_drop_world() -> WorldSpec {
    let mut spec = world();
    spec.road.lanes = 2;
    spec.road.lane_drop =
        Some(gauntlet_engine::lane_drop::LaneDrop { lane: 0, start_s: 150.0, end_s: 220.0 });
    spec.environment.sensor.fov = 2.0 * std::f64::consts::PI;
    let car = |id: u32, s: f64, lane: f64, speed: f64| ActorSpec {
        id,
        name: format!("car{id}"),
        kind: ActorKind::Vehicle,
        path: PathId::Route,
        s,
        d: lane * 3.5,
        heading: 0.0,
        speed,
        length: 4.5,
        width: 1.8,
        behaviours: vec![BehaviourStep {
            trigger: Trigger::Immediately,
            behaviour: Behaviour::KeepLane { speed },
            parallel: false,
        }],
        reactions: Default::default(),
    };
    spec.actors = vec![car(1, 40.0, 0.0, 14.0), car(2, 20.0, 1.0, 16.0), car(3, -40.0, 1.0, 18.0)];
    spec.ego =
        EgoSpec { d: 0.0, s: 0.0, speed: 15.0, goal_s: 400.0, limits: EgoLimits::MID_SIZE_CAR, fault: None };
    spec
}

#[test]
fn a_lane_drop_world_allocates_nothing_in_behaviours_sensor_and_adapter() {
    COUNTING.with(|c| c.set(true));
    let spec = lane_drop_world();
    let mut sim = Simulation::new(&spec);
    assert!(sim.job_start().road.lane_drop.is_some(), "the adapter gets the lane drop");
    let (in_sense, in_adapter) = allocations_over_300_steps(&mut sim);
    let ego_d = sim.observe().ego.d;
    assert!(ego_d > 1.75, "the ego changed into lane 1 within the counted steps: d = {ego_d}");
    assert_eq!(
        (in_sense, in_adapter),
        (0, 0),
        "behaviours, sensor and adapter allocate nothing on a lane drop"
    );
}

/// Runs the reference driver 20 steps into `sim`, then counts the
/// allocations of 300 more: (in behaviours and sensor, in the adapter).
fn allocations_over_300_steps(sim: &mut Simulation) -> (u64, u64) {
    let mut adapter = ReferenceAdapter::default();
    adapter.reset(sim.job_start()).expect("resets");
    for _ in 0..20 {
        let c = adapter.step(sim.observe()).expect("answers");
        sim.act(c);
    }
    let (mut in_sense, mut in_adapter) = (0, 0);
    for _ in 0..300 {
        let a0 = allocations();
        let obs = sim.observe();
        let a1 = allocations();
        let c = adapter.step(obs).expect("answers");
        let a2 = allocations();
        sim.act(c);
        in_sense += a1 - a0;
        in_adapter += a2 - a1;
    }
    (in_sense, in_adapter)
}
