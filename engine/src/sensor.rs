//! The ego's sensor model: range, field of view, occlusion by ray cast,
//! dropout, position noise and latency. It turns the true world into the
//! object list the adapter sees.

use bevy_ecs::prelude::*;
use rapier3d::prelude::*;

use crate::adapter::{EgoObservation, ObjectObservation, Observation};
use crate::math::{V2, atan2, wrap_angle};
use crate::rng::Stream;
use crate::spec::{ActorSpec, SensorSpec};
use crate::world::{BodyState, Clock, Physics, RoadRes, Snapshot};

/// Sensor configuration, per-actor random streams and the latency buffer.
#[derive(Resource, Debug)]
pub(crate) struct SensorState {
    spec: SensorSpec,
    /// (noise, dropout) streams per actor, in body-index order (index 0 unused).
    streams: Vec<(Stream, Stream)>,
    /// Ring of past object lists, `latency_steps + 1` long.
    ring: Vec<Vec<ObjectObservation>>,
}

impl SensorState {
    pub(crate) fn new(seed: u64, spec: SensorSpec, actors: &[ActorSpec]) -> Self {
        let mut streams = Vec::with_capacity(actors.len() + 1);
        streams.push((Stream::new(seed, "sensor.noise", 0), Stream::new(seed, "sensor.dropout", 0)));
        for a in actors {
            streams.push((
                Stream::new(seed, "sensor.noise", a.id as u64),
                Stream::new(seed, "sensor.dropout", a.id as u64),
            ));
        }
        let slots = spec.latency_steps as usize + 1;
        let ring = (0..slots).map(|_| Vec::with_capacity(actors.len())).collect();
        Self { spec, streams, ring }
    }
}

/// The observation handed to the adapter this step.
#[derive(Resource, Debug, Default)]
pub(crate) struct ObservationBuf(pub Observation);

/// Whether the straight line from `from` to `target_point` reaches the
/// target's collider before any other body.
fn line_of_sight(pipeline: &QueryPipeline<'_>, from: V2, target_point: V2, target: ColliderHandle) -> bool {
    let dir = target_point - from;
    let dist = dir.norm();
    if dist < 1e-6 {
        return true;
    }
    let ray = Ray::new(
        Vector::new(from.x as f32, from.y as f32, 0.0),
        Vector::new((dir.x / dist) as f32, (dir.y / dist) as f32, 0.0),
    );
    match pipeline.cast_ray(&ray, dist as f32 + 0.5, true) {
        Some((hit, _)) => hit == target,
        None => true,
    }
}

fn ego_observation(ego: &BodyState, road: &crate::road::Road, clock: &Clock) -> EgoObservation {
    let spec = &road.spec;
    let r = ego.route;
    let (vs, vd) = ego.frame_velocity(&r);
    let lane = spec.lane_of(r.d);
    let ref_lane = if lane >= 0 { lane } else { spec.nearest_lane(r.d) };
    let lane_centre = spec.lane_centre(ref_lane as f64);
    let k = r.curvature;
    EgoObservation {
        x: ego.pos.x,
        y: ego.pos.y,
        yaw: ego.yaw,
        speed: ego.vel.norm(),
        accel: if clock.step == 0 { 0.0 } else { ego.accel_long },
        yaw_rate: ego.yaw_rate,
        s: r.s,
        d: r.d,
        vs,
        vd,
        lane,
        lane_d: r.d - lane_centre,
        heading_err: wrap_angle(ego.yaw - r.heading),
        curvature: if k == 0.0 { 0.0 } else { k / (1.0 - k * lane_centre) },
    }
}

/// Builds this step's observation.
pub(crate) fn sense(
    clock: Res<Clock>,
    road: Res<RoadRes>,
    snapshot: Res<Snapshot>,
    physics: Res<Physics>,
    mut sensor: ResMut<SensorState>,
    mut out: ResMut<ObservationBuf>,
) {
    let bodies = &snapshot.bodies;
    let ego = &bodies[0];
    let obs = &mut out.0;
    obs.step = clock.step;
    obs.t = clock.t;
    obs.ego = ego_observation(ego, &road.road, &clock);

    let SensorState { spec, streams, ring } = &mut *sensor;
    let slots = ring.len();
    let slot = (clock.step as usize) % slots;
    let current = &mut ring[slot];
    current.clear();

    let ego_handle = physics.0.colliders.get(ego.collider).and_then(|c| c.parent());
    let filter = match ego_handle {
        Some(h) => QueryFilter::default().exclude_rigid_body(h),
        None => QueryFilter::default(),
    };
    let pipeline = physics.0.query_pipeline_with_filter(filter);
    let heading = ego.dir;
    let origin = ego.pos + heading * (0.5 * ego.length);
    let route = road.road.route();
    for (i, o) in bodies.iter().enumerate().skip(1) {
        let rel = o.pos - origin;
        let dist = rel.norm();
        if dist > spec.range {
            continue;
        }
        let bearing = wrap_angle(atan2(rel.y, rel.x) - ego.yaw);
        if bearing.abs() > 0.5 * spec.fov {
            continue;
        }
        if spec.occlusion {
            // Visible when the centre or a (slightly inset) corner can be seen.
            let ax = o.dir;
            let (hl, hw) = (0.45 * o.length, 0.45 * o.width);
            let points = [
                o.pos,
                o.pos + ax * hl + ax.perp() * hw,
                o.pos - ax * hl - ax.perp() * hw,
                o.pos + ax * hl - ax.perp() * hw,
                o.pos - ax * hl + ax.perp() * hw,
            ];
            if !points.iter().any(|p| line_of_sight(&pipeline, origin, *p, o.collider)) {
                continue;
            }
        }
        let (noise, dropout) = &mut streams[i];
        if dropout.chance(spec.dropout) {
            continue;
        }
        let mut p = o.pos;
        if spec.noise_sigma > 0.0 {
            p = p + V2::new(noise.normal(), noise.normal()) * spec.noise_sigma;
        }
        let at = route.project(p);
        let (vs, vd) = o.frame_velocity(&at);
        current.push(ObjectObservation {
            id: o.id,
            kind: o.kind,
            x: p.x,
            y: p.y,
            yaw: o.yaw,
            speed: o.vel.norm(),
            length: o.length,
            width: o.width,
            s: at.s,
            d: at.d,
            vs,
            vd,
            lane: road.road.spec.lane_of(at.d),
        });
    }
    obs.objects.clear();
    let latency = slots - 1;
    if clock.step as usize >= latency {
        let delayed = (clock.step as usize - latency) % slots;
        obs.objects.extend_from_slice(&ring[delayed]);
    }
}
