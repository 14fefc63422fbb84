//! Generated traffic: lanes of the route populated with scripted vehicles
//! that keep their lane with IDM, placed and given speeds from the seed.
//!
//! A scenario's `traffic:` section resolves to a [`TrafficSpec`] (every
//! number concrete); [`populate`] turns it into ordinary [`ActorSpec`]s, so
//! the world treats generated vehicles exactly like listed ones.
//!
//! Placement, per lane: `n` vehicles (from the density or the count, capped
//! so that every one keeps `min_gap`) share the stretch `[from_s, to_s]` in
//! equal slots; each sits in its slot with a random offset that never brings
//! it closer than `min_gap` (bumper to bumper, along the lane) to its
//! neighbours. Vehicles that would start within `ego_gap` of the ego in its
//! lane, or within `min_gap` of a listed actor in theirs, are left out. Every
//! distance is measured along the lane ([`crate::road::lane_gap`]'s metric):
//! a lane inside a bend is shorter than the reference line, so its slots are
//! spaced by the pitch over the lane's least stretch ([`Path::min_stretch`]). Each lane draws from
//! its own named random stream (`traffic`, lane), two numbers per slot
//! whether or not the slot is used, so changing one lane or the ego's place
//! never shifts another vehicle's draw.

use crate::actor::ActorKind;
use crate::math::V2;
use crate::rng::Stream;
use crate::road::{Path, PathId, RoadSpec};
use crate::spec::{ActorSpec, Behaviour, BehaviourStep, EgoSpec, Trigger};

/// How many vehicles a lane gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrafficAmount {
    /// Vehicles per km per lane.
    Density(f64),
    /// Vehicles in all, shared over the lanes (the first lanes get the remainder).
    Count(u32),
}

/// Traffic on the route, every number concrete.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficSpec {
    /// Lanes of the route to populate.
    pub lanes: Vec<u32>,
    /// Start of the populated stretch (route distance), m.
    pub from_s: f64,
    /// End of the populated stretch, m (> `from_s`).
    pub to_s: f64,
    /// How many vehicles.
    pub amount: TrafficAmount,
    /// Lowest desired speed, m/s.
    pub speed_min: f64,
    /// Highest desired speed, m/s (each vehicle draws its own, uniformly).
    pub speed_max: f64,
    /// Smallest bumper-to-bumper gap between vehicles at the start, m.
    pub min_gap: f64,
    /// Vehicle length, m.
    pub length: f64,
    /// Vehicle width, m.
    pub width: f64,
    /// Free road kept ahead of and behind the ego in its lane at the start, m.
    pub ego_gap: f64,
}

impl TrafficSpec {
    /// Vehicles lane `k` (the `k`-th of `lanes`) is asked for, before
    /// anything is left out, capped so that each keeps `min_gap`.
    /// On a straight road; see [`TrafficSpec::slots_on`].
    pub fn slots(&self, k: usize) -> usize {
        self.slots_on(k, 1.0)
    }

    /// Vehicles lane `k` gets on a line whose least stretch (arc length of
    /// the lane per metre of reference line, ≤ 1) is `stretch`: so many that
    /// each keeps `min_gap` along the lane. At most [`TrafficSpec::slots`].
    pub fn slots_on(&self, k: usize, stretch: f64) -> usize {
        let len = (self.to_s - self.from_s).max(0.0);
        let wanted = match self.amount {
            TrafficAmount::Density(per_km) => libm::round(per_km * len / 1000.0) as usize,
            TrafficAmount::Count(n) => {
                let lanes = self.lanes.len().max(1);
                let (base, extra) = (n as usize / lanes, n as usize % lanes);
                base + usize::from(k < extra)
            }
        };
        let pitch = (self.length + self.min_gap) / stretch;
        let fit = if pitch > 0.0 { libm::floor(len / pitch) as usize } else { wanted };
        wanted.min(fit)
    }

    /// Most vehicles this traffic can generate (every slot of every lane;
    /// lanes inside a bend may get fewer).
    pub fn capacity(&self) -> usize {
        (0..self.lanes.len()).map(|k| self.slots(k)).sum()
    }
}

/// The vehicles of `traffic` for the job seeded with `seed`, with ids from
/// `first_id` on, in lane order then route order. `listed` are the actors
/// written in the scenario (kept clear of).
pub fn populate(
    traffic: &TrafficSpec,
    seed: u64,
    road: &RoadSpec,
    ego: &EgoSpec,
    listed: &[ActorSpec],
    first_id: u32,
) -> Vec<ActorSpec> {
    let mut out = Vec::with_capacity(traffic.capacity());
    let ego_lane = road.lane_of(ego.d);
    let route = Path::new(V2::new(0.0, 0.0), 0.0, &road.segments);
    for (k, &lane) in traffic.lanes.iter().enumerate() {
        let d = road.lane_centre(lane as f64);
        // Neighbours `pitch` of reference line apart are at least
        // `length + min_gap` apart along the lane.
        let stretch = route.min_stretch(d, d);
        let pitch = (traffic.length + traffic.min_gap) / stretch;
        let n = traffic.slots_on(k, stretch);
        if n == 0 {
            continue;
        }
        let slot = (traffic.to_s - traffic.from_s) / n as f64;
        let slack = (slot - pitch).max(0.0);
        let mut rng = Stream::new(seed, "traffic", lane as u64);
        for i in 0..n {
            let (u_place, u_speed) = (rng.uniform(), rng.uniform());
            let s = traffic.from_s + (i as f64 + 0.5) * slot + (u_place - 0.5) * slack;
            let speed = traffic.speed_min + u_speed * (traffic.speed_max - traffic.speed_min);
            // Distances along the line between the two, as gaps are measured.
            let near_ego = lane as i32 == ego_lane
                && route.along(ego.s, s, 0.5 * (ego.d + d)).abs()
                    < traffic.ego_gap + 0.5 * (traffic.length + ego.limits.length);
            let near_listed = listed.iter().any(|a| {
                a.path == PathId::Route
                    && road.lane_of(a.d) == lane as i32
                    && route.along(a.s, s, 0.5 * (a.d + d)).abs()
                        < traffic.min_gap + 0.5 * (traffic.length + a.length)
            });
            // No vehicle starts in a lane that ends where its taper has begun.
            let past_lane_end =
                road.lane_drop.is_some_and(|l| l.lane == lane && s + 0.5 * traffic.length > l.start_s);
            if near_ego || near_listed || past_lane_end {
                continue;
            }
            out.push(ActorSpec {
                id: first_id + out.len() as u32,
                name: format!("traffic.{lane}.{i}"),
                kind: ActorKind::Vehicle,
                path: PathId::Route,
                s,
                d,
                heading: 0.0,
                speed,
                length: traffic.length,
                width: traffic.width,
                behaviours: vec![BehaviourStep {
                    trigger: Trigger::Immediately,
                    behaviour: Behaviour::KeepLane { speed },
                    parallel: false,
                }],
                reactions: crate::reactive::Reactions::default(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::EgoLimits;
    use crate::road::{EdgeKind, SegmentSpec};

    fn road() -> RoadSpec {
        RoadSpec {
            lanes: 3,
            lane_width: 3.5,
            speed_limit: 33.0,
            segments: vec![SegmentSpec::new(6000.0, 0.0)],
            edge: EdgeKind::Barrier,
            shoulder: 1.0,
            intersection: None,
            crosswalk: None,
            oncoming_lanes: 0,
            lane_drop: None,
            junction: None,
        }
    }

    fn ego() -> EgoSpec {
        EgoSpec {
            d: 3.5,
            s: 500.0,
            speed: 25.0,
            goal_s: 2000.0,
            limits: EgoLimits::MID_SIZE_CAR,
            fault: None,
        }
    }

    fn traffic(amount: TrafficAmount) -> TrafficSpec {
        TrafficSpec {
            lanes: vec![0, 1, 2],
            from_s: 0.0,
            to_s: 5000.0,
            amount,
            speed_min: 20.0,
            speed_max: 30.0,
            min_gap: 8.0,
            length: 4.5,
            width: 1.8,
            ego_gap: 40.0,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_traffic_and_another_seed_another() {
        let t = traffic(TrafficAmount::Density(70.0));
        let a = populate(&t, 7, &road(), &ego(), &[], 1);
        let b = populate(&t, 7, &road(), &ego(), &[], 1);
        let c = populate(&t, 8, &road(), &ego(), &[], 1);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.len() > 1000, "{} vehicles", a.len());
    }

    #[test]
    fn vehicles_keep_min_gap_ids_are_consecutive_and_speeds_in_range() {
        let t = traffic(TrafficAmount::Density(70.0));
        let cars = populate(&t, 3, &road(), &ego(), &[], 5);
        for (k, car) in cars.iter().enumerate() {
            assert_eq!(car.id, 5 + k as u32);
            assert!((20.0..=30.0).contains(&car.speed));
            assert!(car.s >= t.from_s && car.s <= t.to_s);
        }
        for w in cars.windows(2).filter(|w| w[0].d == w[1].d) {
            let gap = w[1].s - w[0].s - t.length;
            assert!(gap >= t.min_gap - 1e-9, "gap {gap}");
        }
    }

    #[test]
    fn on_a_bend_vehicles_keep_min_gap_along_their_lane() {
        // A radius-50 left bend: lane 2 (d = 7 m) is 14 % shorter than the
        // reference line, lane 0 is the reference line itself.
        let mut r = road();
        r.segments = vec![
            SegmentSpec::new(100.0, 0.0),
            SegmentSpec::new(150.0, 1.0 / 50.0),
            SegmentSpec::new(100.0, 0.0),
        ];
        let route = Path::new(V2::new(0.0, 0.0), 0.0, &r.segments);
        let mut t = traffic(TrafficAmount::Density(1000.0));
        t.to_s = 350.0;
        let cars = populate(&t, 4, &r, &ego(), &[], 1);
        let mut per_lane = [0; 3];
        for w in cars.windows(2).filter(|w| w[0].d == w[1].d) {
            let at = |a: &ActorSpec| route.project(route.pose(a.s, a.d).0);
            let gap = crate::road::lane_gap(&route, &at(&w[0]), &at(&w[1]), t.length, t.length);
            assert!(gap >= t.min_gap - 1e-6, "lane d={}: gap {gap} along the lane", w[0].d);
            per_lane[(w[0].d / 3.5) as usize] += 1;
        }
        assert!(per_lane[2] < per_lane[0], "the inner lane holds fewer: {per_lane:?}");
        assert!(cars.iter().any(|c| c.s > 100.0 && c.s < 250.0 && c.d == 7.0), "cars in the bend");
    }

    #[test]
    fn the_ego_and_listed_actors_are_kept_clear_of() {
        let t = traffic(TrafficAmount::Density(120.0));
        let lead = ActorSpec {
            id: 1,
            name: "lead".into(),
            kind: ActorKind::Vehicle,
            path: PathId::Route,
            s: 1000.0,
            d: 0.0,
            heading: 0.0,
            speed: 20.0,
            length: 4.5,
            width: 1.8,
            behaviours: vec![],
            reactions: Default::default(),
        };
        let e = ego();
        let cars = populate(&t, 1, &road(), &e, std::slice::from_ref(&lead), 2);
        for car in &cars {
            if car.d == e.d {
                assert!((car.s - e.s).abs() >= t.ego_gap + 0.5 * (t.length + e.limits.length));
            }
            if car.d == lead.d {
                assert!((car.s - lead.s).abs() >= t.min_gap + t.length);
            }
        }
    }

    #[test]
    fn density_is_capped_by_the_gap_and_count_is_shared_over_lanes() {
        let mut t = traffic(TrafficAmount::Density(1000.0));
        t.to_s = 125.0;
        assert_eq!(t.slots(0), 10); // 125 m / (4.5 + 8) m
        t.amount = TrafficAmount::Count(10);
        assert_eq!((t.slots(0), t.slots(1), t.slots(2)), (4, 3, 3));
        assert_eq!(t.capacity(), 10);
    }

    #[test]
    fn other_lanes_do_not_shift_a_lane_s_draws() {
        let all = populate(&traffic(TrafficAmount::Density(40.0)), 9, &road(), &ego(), &[], 1);
        let mut only = traffic(TrafficAmount::Density(40.0));
        only.lanes = vec![2];
        let lane2 = populate(&only, 9, &road(), &ego(), &[], 1);
        let from_all: Vec<(f64, f64)> = all.iter().filter(|a| a.d == 7.0).map(|a| (a.s, a.speed)).collect();
        let alone: Vec<(f64, f64)> = lane2.iter().map(|a| (a.s, a.speed)).collect();
        assert_eq!(from_all, alone);
    }

    /// A 1,000-vehicle world: the reference adapter drives the ego for 10 s.
    fn thousand_vehicle_world() -> crate::spec::WorldSpec {
        let mut t = traffic(TrafficAmount::Count(1000));
        t.to_s = 6000.0;
        let mut world = crate::testing::straight_spec(25.0, 0.9, vec![]);
        world.road = road();
        world.ego = ego();
        world.seed = 42;
        world.duration = 10.0;
        world.environment.sensor.noise_sigma = 0.3;
        world.environment.sensor.dropout = 0.05;
        world.criteria = vec![
            crate::spec::CriterionSpec::NoCollision,
            crate::spec::CriterionSpec::MinTtc { min: 1.0 },
            crate::spec::CriterionSpec::MinGap { min: 2.0 },
            crate::spec::CriterionSpec::StayOnRoad,
        ];
        world.actors = populate(&t, world.seed, &world.road, &world.ego, &[], 1);
        world
    }

    fn run_hash(world: &crate::spec::WorldSpec) -> (crate::trace::TraceHash, u64) {
        let mut adapter = crate::adapters::ReferenceAdapter::default();
        let r = crate::sim::Simulation::run(world, &mut adapter, crate::sim::RunOptions::default());
        assert!(r.error.is_none(), "{:?}", r.error);
        (r.trace_hash, r.steps)
    }

    #[test]
    fn a_thousand_vehicle_world_gives_one_hash_on_any_thread() {
        let world = thousand_vehicle_world();
        assert_eq!(
            world.actors.len(),
            995,
            "1000 asked; the ego's gap (89 m of its lane, 18 m slots) leaves 5 out"
        );
        let here = run_hash(&world);
        assert_eq!(here.1, 200, "the run lasts its 10 s");
        assert_eq!(run_hash(&world), here, "same spec twice, same hash");
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(|| run_hash(&world));
            let b = scope.spawn(|| run_hash(&world));
            (a.join().expect("runs"), b.join().expect("runs"))
        });
        assert_eq!((a, b), (here, here), "two threads at once, the same hash");
        let mut other = world.clone();
        other.actors = populate(&traffic(TrafficAmount::Count(1000)), 43, &world.road, &world.ego, &[], 1);
        assert_ne!(run_hash(&other).0, here.0, "another seed's traffic, another hash");
    }
}
