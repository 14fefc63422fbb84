//! Actuation, the physics step and the read-back of body states.
//!
//! Vehicles are rapier rigid bodies driven by a friction-limited tyre model:
//! the requested longitudinal acceleration and the lateral acceleration the
//! steering asks for share one friction circle of radius μ·g, so nothing
//! brakes or corners harder than the road allows. Pedestrians and cyclists
//! are kinematic bodies that track a velocity with bounded acceleration.

use bevy_ecs::prelude::*;
use rapier3d::prelude::*;

use crate::math::{V2, tan};
use crate::outcome::EngineFault;
use crate::world::{
    BodyIndex, BodyRef, Clock, Command, Fault, Motion, Physics, Planar, RoadRes, Snapshot, read_body,
};

/// Standard gravity, m/s².
pub const G: f64 = 9.81;
/// Time constant with which tyres kill side slip, s.
pub(crate) const SLIP_TIME: f64 = 0.1;
/// Speeds above this are a numerical blow-up, not driving, m/s.
pub const ABSURD_SPEED: f64 = 150.0;

/// Planar acceleration (longitudinal, lateral) and yaw rate that a vehicle's
/// tyres deliver for a request, given its speed along (`u`) and across (`w`)
/// its heading.
pub(crate) fn tyre_response(
    accel_req: f64,
    steer_req: f64,
    u: f64,
    w: f64,
    dt: f64,
    params: &crate::world::VehicleParams,
    friction: f64,
) -> (f64, f64, f64) {
    let mut ax = accel_req.clamp(-params.max_decel, params.max_accel);
    // Brakes stop the car; they never drive it backwards.
    if ax < 0.0 {
        ax = ax.max(-u.max(0.0) / dt);
    }
    let steer = steer_req.clamp(-params.max_steer, params.max_steer);
    let yaw_rate_req = u * tan(steer) / params.wheelbase;
    let ay_req = u * yaw_rate_req - w / SLIP_TIME;
    let limit = friction * G;
    // The friction circle. Demands clearly inside it (squared, with a margin
    // far above `hypot`'s rounding) need no square root: the same scale of 1.
    let scale = if ax * ax + ay_req * ay_req < limit * limit * (1.0 - 1e-9) {
        1.0
    } else {
        let demand = libm::hypot(ax, ay_req);
        if demand > limit { limit / demand } else { 1.0 }
    };
    (ax * scale, ay_req * scale, yaw_rate_req * scale)
}

/// Applies every body's command: tyre forces for vehicles, velocities for
/// movers. Each vehicle's friction is the μ at its own position (friction
/// patches, [`crate::surface`]); the ego's active fault degrades its request
/// and grip ([`crate::vehicle_fault`]).
pub(crate) fn actuate(
    mut physics: ResMut<Physics>,
    road: Res<RoadRes>,
    clock: Res<Clock>,
    snapshot: Res<Snapshot>,
    mut ego_fault: ResMut<crate::vehicle_fault::EgoFault>,
    mut jumps: ResMut<crate::world::Jumps>,
    bodies: Query<(&BodyIndex, &BodyRef, &Motion, &Command)>,
) {
    jumps.0.fill(V2::new(0.0, 0.0));
    let base = road.env.friction;
    let surface = &road.env.surface;
    let fault = match snapshot.bodies.first() {
        Some(ego) => ego_fault.update(clock.t, ego.route.s, ego.vel.norm()),
        None => None,
    };
    for (index, handles, motion, command) in &bodies {
        let state = &snapshot.bodies[index.0];
        let Some(rb) = physics.0.bodies.get_mut(handles.body) else { continue };
        let friction = if surface.is_empty() {
            base
        } else {
            surface.friction_at(base, state.route.s, road.road.spec.lane_of(state.route.d))
        };
        match (motion, command) {
            (Motion::Vehicle(params), Command::Drive { accel, steer }) => {
                let heading = state.dir;
                let left = heading.perp();
                let (u, w) = (state.vel.dot(heading), state.vel.dot(left));
                let (accel, steer, friction) = match fault.filter(|_| index.0 == 0) {
                    Some((f, onset)) => {
                        f.apply(*accel, *steer, onset, friction, params.wheelbase, params.max_decel)
                    }
                    None => (*accel, *steer, friction),
                };
                let (ax, ay, r) = tyre_response(accel, steer, u, w, clock.dt, params, friction);
                let mass = rb.mass();
                let f = (heading * ax + left * ay) * mass;
                rb.reset_forces(false);
                rb.add_force(Vector::new(f.x, f.y, 0.0), true);
                rb.set_angvel(AngVector::new(0.0, 0.0, r), true);
            }
            (Motion::Vehicle(params), Command::Reverse { accel }) => {
                let heading = state.dir;
                let left = heading.perp();
                let w = state.vel.dot(left);
                let (ax, ay) = crate::manoeuvre::reverse_response(*accel, w, params, friction);
                let f = (heading * ax + left * ay) * rb.mass();
                rb.reset_forces(false);
                rb.add_force(Vector::new(f.x, f.y, 0.0), true);
                rb.set_angvel(AngVector::new(0.0, 0.0, 0.0), true);
            }
            (Motion::Mover { max_accel }, Command::Velocity { vs, vd }) => {
                let t = state.own.tangent;
                let want = t * *vs + t.perp() * *vd;
                let dv = want - state.vel;
                let max_dv = max_accel * clock.dt;
                // Within reach (squared, with a margin far above rounding): no square root.
                let v = if dv.dot(dv) < max_dv * max_dv * (1.0 - 1e-9) {
                    want
                } else {
                    let n = dv.norm();
                    if n > max_dv { state.vel + dv * (max_dv / n) } else { want }
                };
                rb.set_linvel(Vector::new(v.x, v.y, 0.0), true);
            }
            (Motion::Vehicle(_) | Motion::Mover { .. }, Command::Teleport { pos, yaw, speed }) => {
                rb.set_translation(Vector::new(pos.x, pos.y, 0.0), true);
                rb.set_rotation(Rotation::from_rotation_z(*yaw), true);
                let v = V2::from_angle(*yaw) * *speed;
                rb.set_linvel(Vector::new(v.x, v.y, 0.0), true);
                rb.set_angvel(AngVector::new(0.0, 0.0, 0.0), true);
                rb.reset_forces(false);
                if let Some(jump) = jumps.0.get_mut(index.0) {
                    *jump = *pos - state.pos;
                }
            }
            (Motion::Mover { .. }, _) => rb.set_linvel(Vector::ZERO, true),
            _ => {}
        }
    }
}

/// Advances rapier by one step.
pub(crate) fn step_physics(mut physics: ResMut<Physics>) {
    physics.0.step();
}

/// Reads every body back into the snapshot; a non-finite or absurd state is
/// an engine fault.
pub(crate) fn sync(
    physics: Res<Physics>,
    road: Res<RoadRes>,
    clock: Res<Clock>,
    mut snapshot: ResMut<Snapshot>,
    mut fault: ResMut<Fault>,
    bodies: Query<(&BodyIndex, &BodyRef)>,
) {
    let route = road.road.route();
    let step = clock.step;
    for (index, handles) in &bodies {
        let Some(rb) = physics.0.bodies.get(handles.body) else { continue };
        let Planar { pos, yaw, dir, vel, yaw_rate } = read_body(rb);
        let state = &mut snapshot.bodies[index.0];
        if !(pos.is_finite() && vel.is_finite() && yaw.is_finite() && yaw_rate.is_finite()) {
            fault.0.get_or_insert(EngineFault::NonFinite { step, body: state.id });
            continue;
        }
        if vel.norm() > ABSURD_SPEED {
            fault.0.get_or_insert(EngineFault::BlowUp { step, body: state.id, speed: vel.norm() });
        }
        let speed_long = vel.dot(dir);
        state.accel_long = (speed_long - state.speed_long) / clock.dt;
        state.speed_long = speed_long;
        state.prev_vel = state.vel;
        state.pos = pos;
        state.yaw = yaw;
        state.dir = dir;
        state.vel = vel;
        state.yaw_rate = yaw_rate;
        state.route = route.project(pos);
        state.own = match road.road.path(state.path) {
            Some(p) if state.path != crate::road::PathId::Route => p.project(pos),
            _ => state.route,
        };
    }
    if !physics.0.quarantine().is_empty() && fault.0.is_none() {
        fault.0 = Some(EngineFault::Quarantined { step });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::VehicleParams;

    const CAR: VehicleParams =
        VehicleParams { wheelbase: 2.8, max_accel: 3.5, max_decel: 9.0, max_steer: 0.55 };

    #[test]
    fn braking_is_friction_limited() {
        let (ax, _, _) = tyre_response(-9.0, 0.0, 20.0, 0.0, 0.05, &CAR, 0.3);
        assert!((ax + 0.3 * G).abs() < 1e-9);
        let (ax, _, _) = tyre_response(-9.0, 0.0, 20.0, 0.0, 0.05, &CAR, 1.0);
        assert_eq!(ax, -9.0);
    }

    #[test]
    fn combined_demand_stays_in_the_friction_circle() {
        let (ax, ay, _) = tyre_response(-9.0, 0.3, 25.0, 0.0, 0.05, &CAR, 0.5);
        assert!(libm::hypot(ax, ay) <= 0.5 * G + 1e-9);
    }

    #[test]
    fn brakes_never_reverse() {
        let (ax, _, _) = tyre_response(-9.0, 0.0, 0.1, 0.0, 0.05, &CAR, 1.0);
        assert!((ax + 2.0).abs() < 1e-9);
    }
}
