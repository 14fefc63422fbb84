//! Scripted behaviours: triggers start each step of an actor's script, and
//! the running behaviour turns into a command (IDM car following and Stanley
//! lane keeping for vehicles; a path-frame velocity for movers).

use bevy_ecs::prelude::*;

use crate::control::{Idm, stanley_steer};
use crate::math::{PI, cos, wrap_angle};
use crate::road::{Path, lane_closing, lane_gap};
use crate::spec::{Behaviour, Trigger};
use crate::world::{BodyIndex, BodyState, Clock, Command, Motion, RoadRes, Script, Snapshot};

/// Gentle braking used to come to a stand, m/s².
const STAND_DECEL: f64 = 3.0;

fn fires(trigger: Trigger, t: f64, me: &BodyState, bodies: &[BodyState], route: &Path) -> bool {
    let ego = &bodies[0];
    match trigger {
        Trigger::Immediately => true,
        Trigger::Time(at) => t + 1e-9 >= at,
        Trigger::EgoDistance(d) => (me.pos - ego.pos).norm() <= d,
        Trigger::EgoTimeToArrival(tta) => {
            // Along the ego's own line, the way it will drive there.
            let ahead = route.along(ego.route.s, me.route.s, ego.route.d);
            let (vs, _) = ego.frame_velocity(&ego.route);
            ahead > 0.0 && vs > 0.1 && ahead / vs <= tta
        }
        Trigger::ActorDistance { actor, distance } => {
            bodies.iter().find(|b| b.id == actor).is_some_and(|o| (o.pos - me.pos).norm() <= distance)
        }
    }
}

/// The nearest road user ahead of body `me` on its own path within its lateral
/// corridor: (bumper-to-bumper gap along the lane, the leader's speed as the
/// IDM takes it: `me`'s speed less the closing speed along the lane).
fn leader(bodies: &[BodyState], me: usize, corridor: (f64, f64), path: &Path) -> Option<(f64, f64)> {
    let s = &bodies[me];
    let mut best: Option<(f64, f64)> = None;
    for (j, o) in bodies.iter().enumerate() {
        if j == me || o.path != s.path {
            continue;
        }
        let half = 0.5 * (s.width + o.width) + 0.2;
        let lateral = (o.own.d - corridor.0).abs().min((o.own.d - corridor.1).abs());
        if lateral >= half || o.own.s <= s.own.s {
            continue;
        }
        let gap = lane_gap(path, &s.own, &o.own, s.length, o.length);
        if best.is_none_or(|(g, _)| gap < g) {
            let vs = s.frame_velocity(&s.own).0;
            let closing = lane_closing(&s.own, vs, &o.own, o.frame_velocity(&o.own).0);
            best = Some((gap, vs - closing));
        }
    }
    best
}

/// Advances every script and writes each actor's command.
pub(crate) fn run_scripts(
    clock: Res<Clock>,
    road: Res<RoadRes>,
    snapshot: Res<Snapshot>,
    mut actors: Query<(&BodyIndex, &Motion, &mut Script, &mut Command)>,
) {
    let bodies = &snapshot.bodies;
    let idm = Idm::default();
    for (index, motion, mut script, mut command) in &mut actors {
        let me = &bodies[index.0];
        while script.next < script.steps.len()
            && fires(script.steps[script.next].trigger, clock.t, me, bodies, road.road.route())
        {
            let k = script.next;
            script.active = Some(k);
            script.next += 1;
            script.started_at = clock.t;
            script.from_d = me.own.d;
            if let Behaviour::ChangeLane { lane, .. } = script.steps[k].behaviour {
                script.target_d = road.road.spec.lane_centre(lane as f64);
            }
        }
        let behaviour = script.active.map(|k| script.steps[k].behaviour);
        let elapsed = clock.t - script.started_at;
        // Lateral reference for this step.
        let d_ref = match behaviour {
            Some(Behaviour::ChangeLane { duration, .. }) => {
                let p = (elapsed / duration.max(1e-3)).clamp(0.0, 1.0);
                let smooth = 0.5 * (1.0 - cos(PI * p));
                script.from_d + (script.target_d - script.from_d) * smooth
            }
            _ => script.target_d,
        };
        let (vs, _) = me.frame_velocity(&me.own);
        *command = match *motion {
            Motion::Fixed => Command::Idle,
            Motion::Vehicle(params) => {
                let desired = match behaviour {
                    None => script.initial.0,
                    Some(Behaviour::KeepLane { speed } | Behaviour::ChangeLane { speed, .. }) => speed,
                    Some(Behaviour::Brake { .. } | Behaviour::Cross { .. } | Behaviour::Stand) => 0.0,
                };
                let accel = match behaviour {
                    Some(Behaviour::Brake { decel }) => -decel,
                    Some(Behaviour::Cross { .. } | Behaviour::Stand) => -STAND_DECEL,
                    _ => {
                        let path = road.road.path(me.path).unwrap_or(road.road.route());
                        idm.accel(vs, desired, leader(bodies, index.0, (me.own.d, d_ref), path))
                    }
                };
                let k = me.own.curvature;
                let lane_curvature = if k == 0.0 { 0.0 } else { k / (1.0 - k * d_ref) };
                let steer = stanley_steer(
                    me.own.d - d_ref,
                    wrap_angle(me.yaw - me.own.heading),
                    me.speed_long,
                    lane_curvature,
                    params.wheelbase,
                    params.max_steer,
                );
                Command::Drive { accel, steer }
            }
            Motion::Mover { .. } => match behaviour {
                None => Command::Velocity { vs: script.initial.0, vd: script.initial.1 },
                Some(Behaviour::KeepLane { speed } | Behaviour::ChangeLane { speed, .. }) => {
                    Command::Velocity { vs: speed, vd: 1.5 * (d_ref - me.own.d) }
                }
                Some(Behaviour::Brake { decel }) => {
                    Command::Velocity { vs: (vs - decel * clock.dt).max(0.0), vd: 0.0 }
                }
                Some(Behaviour::Cross { speed, to_d }) => {
                    let left = to_d - me.own.d;
                    if left.abs() < 0.05 {
                        Command::Velocity { vs: 0.0, vd: 0.0 }
                    } else {
                        // Slow down over the last stride instead of overshooting.
                        let v = speed.min(left.abs() / clock.dt.max(1e-3));
                        Command::Velocity { vs: 0.0, vd: v.copysign(left) }
                    }
                }
                Some(Behaviour::Stand) => Command::Velocity { vs: 0.0, vd: 0.0 },
            },
        };
    }
}
