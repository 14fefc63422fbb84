//! The ego's sensor model: range, field of view, occlusion by ray casts
//! against every other body's footprint (only those whose bearing interval
//! holds the sight line's are tested: [`crate::spatial::OcclusionBins`]),
//! dropout, position noise and latency, plus the perception faults of
//! [`crate::perception`] (bursty dropout, ghosts, misclassification, bias,
//! id switches). It turns the true world into the object list the adapter
//! sees.

use bevy_ecs::prelude::*;

use crate::actor::ActorKind;
use crate::adapter::{EgoObservation, ObjectObservation, Observation};
use crate::conditions::SensingEffect;
use crate::math::{V2, atan2, wrap_angle};
use crate::perception::{GHOST_SIZE, MAX_LIVE_GHOSTS, Perception};
use crate::rng::Stream;
use crate::spatial::{OcclusionBins, bounding_radius};
use crate::spec::{ActorSpec, SensorSpec};
use crate::world::{BodyState, Clock, RoadRes, Snapshot};

/// Sensor configuration, per-actor random streams and the latency buffer.
#[derive(Resource, Debug)]
pub(crate) struct SensorState {
    spec: SensorSpec,
    /// (noise, dropout) streams per actor, in body-index order (index 0 unused).
    streams: Vec<(Stream, Stream)>,
    /// Ring of past object lists, `latency_steps + 1` long.
    ring: Vec<Vec<ObjectObservation>>,
    /// Perception faults (all inert when the spec turns none on).
    perception: Perception,
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
        let ring = (0..slots).map(|_| Vec::with_capacity(actors.len() + MAX_LIVE_GHOSTS)).collect();
        let perception = Perception::new(seed, &spec.faults, actors);
        Self { spec, streams, ring, perception }
    }
}

/// The observation handed to the adapter this step.
#[derive(Resource, Debug, Default)]
pub(crate) struct ObservationBuf(pub Observation);

/// Whether the ray from `a` to `p` passes through body `b`'s footprint
/// before reaching `p`: a bounding-circle test, then the exact slab test
/// against the oriented rectangle.
pub(crate) fn blocks(b: &BodyState, a: V2, p: V2) -> bool {
    let ab = p - a;
    let len2 = ab.dot(ab);
    if len2 <= 0.0 {
        return false;
    }
    // The squared radius of the circumscribed circle, without a square root
    // (this runs for every pair of objects every step).
    let radius2 = 0.25 * (b.length * b.length + b.width * b.width);
    let t = ((b.pos - a).dot(ab) / len2).clamp(0.0, 1.0);
    let d = b.pos - (a + ab * t);
    if d.dot(d) > radius2 {
        return false;
    }
    // Ray in the body's frame; slabs along its length and width.
    let (ax, ay) = (b.dir, b.dir.perp());
    let rel = a - b.pos;
    let (ox, oy) = (rel.dot(ax), rel.dot(ay));
    let (dx, dy) = (ab.dot(ax), ab.dot(ay));
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (o, dir, half) in [(ox, dx, 0.5 * b.length), (oy, dy, 0.5 * b.width)] {
        if dir.abs() < 1e-12 {
            if o.abs() > half {
                return false;
            }
            continue;
        }
        let (mut lo, mut hi) = ((-half - o) / dir, (half - o) / dir);
        if lo > hi {
            std::mem::swap(&mut lo, &mut hi);
        }
        t0 = t0.max(lo);
        t1 = t1.min(hi);
        if t0 > t1 {
            return false;
        }
    }
    true
}

fn ego_observation(
    ego: &BodyState,
    road: &crate::road::Road,
    clock: &Clock,
    conditions: &crate::conditions::Conditions,
) -> EgoObservation {
    let spec = &road.spec;
    let r = ego.route;
    let (vs, vd) = ego.frame_velocity(&r);
    // Road works shift every lane by `lane_shift`: lanes and `lane_d` are of the shifted lanes.
    let lane_shift = conditions.lane_shift_at(r.s);
    let lane = spec.lane_of(r.d - lane_shift);
    let ref_lane = if lane >= 0 { lane } else { spec.nearest_lane(r.d - lane_shift) };
    let lane_centre = spec.lane_centre(ref_lane as f64) + lane_shift;
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
        lane_shift,
        fault: None,
    }
}

/// Builds this step's observation.
pub(crate) fn sense(
    clock: Res<Clock>,
    road: Res<RoadRes>,
    snapshot: Res<Snapshot>,
    mut sensor: ResMut<SensorState>,
    mut out: ResMut<ObservationBuf>,
    mut occluders: Local<OcclusionBins>,
    ego_fault: Res<crate::vehicle_fault::EgoFault>,
) {
    let bodies = &snapshot.bodies;
    let ego = &bodies[0];
    let obs = &mut out.0;
    obs.step = clock.step;
    obs.t = clock.t;
    obs.ego = ego_observation(ego, &road.road, &clock, &road.env.conditions);
    obs.ego.fault = ego_fault.reported();
    obs.signal = crate::traffic_light::observe(&road.road, clock.t, ego);

    let SensorState { spec, streams, ring, perception } = &mut *sensor;
    let slots = ring.len();
    let slot = (clock.step as usize) % slots;
    let current = &mut ring[slot];
    current.clear();

    let heading = ego.dir;
    let origin = ego.pos + heading * (0.5 * ego.length);
    let route = road.road.route();
    if spec.occlusion {
        // A sight line ends within `range` plus a body's radius of the origin.
        let widest = bodies.iter().skip(1).map(bounding_radius).fold(0.0, f64::max);
        occluders.rebuild(bodies, origin, spec.range + widest + 1.0);
    }
    let lanes = &road.road.spec;
    perception.advance(clock.step, clock.dt, |ahead| {
        // On the centre line of the ego's lane, `ahead` m along that lane,
        // where the route goes on.
        let lane = lanes.lane_of(ego.route.d);
        let lane = if lane >= 0 { lane } else { lanes.nearest_lane(ego.route.d) };
        let centre = lanes.lane_centre(lane as f64);
        let s = route.s_ahead(ego.route.s, ahead, centre);
        (s <= route.length()).then(|| route.pose(s, centre))
    });
    let conditions = &road.env.conditions;
    let plain = conditions.is_default();
    for (i, o) in bodies.iter().enumerate().skip(1) {
        let rel = o.pos - origin;
        let dist = rel.norm();
        // Illumination and weather by the object's true kind ([`crate::conditions`]).
        let effect = if plain {
            SensingEffect::NONE
        } else {
            conditions.sensing(o.kind, crate::conditions::bearing(origin, o.pos), dist)
        };
        if dist > effect.range(spec.range) {
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
            // Road users and obstacles occlude; road edges do not (the sensor
            // sits above barrier height).
            let seen = |p: &V2| !occluders.candidates(*p).any(|j| j != i && blocks(&bodies[j], origin, *p));
            if !points.iter().any(seen) {
                continue;
            }
        }
        let (noise, dropout) = &mut streams[i];
        if dropout.chance(effect.dropout(spec.dropout)) {
            continue;
        }
        let Some((id, kind, (along, left))) = perception.report(i - 1) else { continue };
        let mut p = o.pos;
        let sigma = effect.noise(spec.noise_sigma);
        if sigma > 0.0 {
            p = p + V2::new(noise.normal(), noise.normal()) * sigma;
        }
        if along != 0.0 || left != 0.0 {
            p = p + heading * along + heading.perp() * left;
        }
        let at = route.project(p);
        let (vs, vd) = o.frame_velocity(&at);
        current.push(ObjectObservation {
            id,
            kind,
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
    for g in perception.ghosts() {
        if (g.pos - origin).norm() > spec.range {
            continue;
        }
        let at = route.project(g.pos);
        current.push(ObjectObservation {
            id: g.id,
            kind: ActorKind::Vehicle,
            x: g.pos.x,
            y: g.pos.y,
            yaw: g.yaw,
            speed: 0.0,
            length: GHOST_SIZE.0,
            width: GHOST_SIZE.1,
            s: at.s,
            d: at.d,
            vs: 0.0,
            vd: 0.0,
            lane: lanes.lane_of(at.d),
        });
    }
    obs.objects.clear();
    // Allocates once, on the first step (ghosts may come later).
    obs.objects.reserve(current.capacity());
    let latency = slots - 1;
    if clock.step as usize >= latency {
        let delayed = (clock.step as usize - latency) % slots;
        obs.objects.extend_from_slice(&ring[delayed]);
    }
}
