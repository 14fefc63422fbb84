//! Small hand-built worlds for the engine's own tests.

use crate::actor::ActorKind;
use crate::adapter::EgoLimits;
use crate::road::{EdgeKind, PathId, RoadSpec, SegmentSpec};
use crate::spec::{ActorSpec, BehaviourStep, CriterionSpec, EgoSpec, Environment, SensorSpec, WorldSpec};

pub(crate) const CAR: EgoLimits =
    EgoLimits { length: 4.6, width: 1.9, wheelbase: 2.8, max_accel: 3.5, max_decel: 9.0, max_steer: 0.55 };

pub(crate) fn sensor() -> SensorSpec {
    SensorSpec {
        range: 120.0,
        fov: 2.0,
        noise_sigma: 0.0,
        dropout: 0.0,
        latency_steps: 0,
        occlusion: true,
        faults: Default::default(),
    }
}

pub(crate) fn road(segments: Vec<SegmentSpec>) -> RoadSpec {
    RoadSpec {
        lanes: 2,
        lane_width: 3.5,
        speed_limit: 30.0,
        segments,
        edge: EdgeKind::Barrier,
        shoulder: 1.0,
        intersection: None,
        crosswalk: None,
        oncoming_lanes: 0,
        lane_drop: None,
        junction: None,
    }
}

pub(crate) fn straight_spec(speed: f64, friction: f64, actors: Vec<ActorSpec>) -> WorldSpec {
    WorldSpec {
        scenario: "test.straight".into(),
        seed: 0,
        dt: 0.05,
        duration: 20.0,
        road: road(vec![SegmentSpec::new(600.0, 0.0)]),
        environment: Environment {
            friction,
            sensor: sensor(),
            conditions: Default::default(),
            surface: Default::default(),
        },
        ego: EgoSpec { d: 0.0, s: 0.0, speed, goal_s: 300.0, limits: CAR, fault: None },
        actors,
        criteria: vec![CriterionSpec::NoCollision, CriterionSpec::StayOnRoad],
        formulas: Vec::new(),
        stop: None,
    }
}

pub(crate) fn vehicle(id: u32, s: f64, lane: f64, speed: f64, behaviours: Vec<BehaviourStep>) -> ActorSpec {
    ActorSpec {
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
        behaviours,
        reactions: crate::reactive::Reactions::default(),
    }
}

/// A vehicle body on the route at (`s`, `d`) driving along it at `speed`
/// (route and own frame alike; no rapier body), index order is the caller's.
pub(crate) fn body_at(s: f64, d: f64, speed: f64) -> crate::world::BodyState {
    use crate::math::V2;
    let at = crate::road::PathPoint { s, d, heading: 0.0, curvature: 0.0, tangent: V2::new(1.0, 0.0) };
    let vel = V2::new(speed, 0.0);
    crate::world::BodyState {
        id: 0,
        kind: ActorKind::Vehicle,
        length: 4.5,
        width: 1.8,
        path: PathId::Route,
        body: rapier3d::prelude::RigidBodyHandle::invalid(),
        collider: rapier3d::prelude::ColliderHandle::invalid(),
        pos: V2::new(s, d),
        yaw: 0.0,
        dir: V2::new(1.0, 0.0),
        vel,
        prev_vel: vel,
        yaw_rate: 0.0,
        speed_long: speed,
        accel_long: 0.0,
        route: at,
        own: at,
    }
}

/// Holds the ego still (brakes at 1 m/s² from whatever speed it starts with).
pub(crate) struct Parked;

impl crate::adapter::AutonomyAdapter for Parked {
    fn info(&self) -> crate::adapter::AdapterInfo {
        crate::adapter::AdapterInfo { name: "parked".into(), version: "0".into() }
    }
    fn reset(&mut self, _: &crate::adapter::JobStart) -> Result<(), crate::adapter::AdapterFault> {
        Ok(())
    }
    fn step(
        &mut self,
        _: &crate::adapter::Observation,
    ) -> Result<crate::adapter::Control, crate::adapter::AdapterFault> {
        Ok(crate::adapter::Control { accel: -1.0, steer: 0.0 })
    }
}

/// Holds a speed and tracks lane 0's centre line, whatever the road does.
pub(crate) struct HoldSpeed(pub f64);

impl crate::adapter::AutonomyAdapter for HoldSpeed {
    fn info(&self) -> crate::adapter::AdapterInfo {
        crate::adapter::AdapterInfo { name: "hold-speed".into(), version: "0".into() }
    }
    fn reset(&mut self, _: &crate::adapter::JobStart) -> Result<(), crate::adapter::AdapterFault> {
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
        Ok(crate::adapter::Control { accel: 2.0 * (self.0 - e.vs), steer })
    }
}

/// Every frame of `spec` run with the ego parked (a recorded trace; the run must not error).
pub(crate) fn frames(spec: &WorldSpec) -> Vec<crate::trace::TraceFrame> {
    let result =
        crate::sim::Simulation::run(spec, &mut Parked, crate::sim::RunOptions { record_trace: true });
    assert!(result.error.is_none(), "{:?}", result.error);
    result.trace.expect("recorded")
}
