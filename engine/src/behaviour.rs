//! Scripted behaviours: triggers start each step of an actor's script, and
//! the running behaviour turns into a command (IDM car following and Stanley
//! lane keeping for vehicles; a path-frame velocity for movers).

use bevy_ecs::prelude::*;

use crate::actor::{ANIMAL_MAX_ACCEL, ActorKind};
use crate::control::{Idm, stanley_steer};
use crate::math::wrap_angle;
use crate::overtake::OvertakeState;
use crate::road::Path;
use crate::spatial::PathOrder;
use crate::spec::{Behaviour, BehaviourStep, Half, Trigger};
use crate::world::{BodyIndex, BodyState, Carried, Clock, Command, Jumps, Motion, RoadRes, Script, Snapshot};
use crate::{manoeuvre, reactive, traffic_light};

/// Gentle braking used to come to a stand, m/s².
const STAND_DECEL: f64 = 3.0;

/// The largest acceleration a shaped speed change commands to follow its
/// profile, m/s² (the chassis' limits and μ·g bound it further).
const SHAPED_RATE: f64 = 15.0;

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
        // Judged with its state by `crate::trigger::judge` (see `run_scripts`).
        Trigger::When(_) => false,
        Trigger::ActorDistance { actor, distance } => {
            // Ids are body indices when actors are listed in id order; else search.
            let other = bodies.get(actor as usize).filter(|b| b.id == actor);
            other
                .or_else(|| bodies.iter().find(|b| b.id == actor))
                .is_some_and(|o| (o.pos - me.pos).norm() <= distance)
        }
    }
}

/// The acceleration that moves speed `v` towards `target` at `rate` and lands
/// on it exactly within one step `dt`.
fn ramp(v: f64, target: f64, rate: f64, dt: f64) -> f64 {
    ((target - v) / dt.max(1e-6)).clamp(-rate, rate)
}

/// A mover's velocity towards lateral offset `to_d` at `speed`.
fn cross(me: &BodyState, speed: f64, to_d: f64, dt: f64) -> Command {
    let left = to_d - me.own.d;
    if left.abs() < 0.05 {
        Command::Velocity { vs: 0.0, vd: 0.0 }
    } else {
        // Slow down over the last stride instead of overshooting.
        let mut v = speed.min(left.abs() / dt.max(1e-3));
        if me.kind == ActorKind::Animal {
            // A running animal is fast for its gait: it slows down in time
            // (at 0.8 of its gait's acceleration, so the lagging body does not overshoot) to stop where it means to.
            v = v.min(crate::math::sqrt(1.6 * ANIMAL_MAX_ACCEL * (left.abs() - 0.025).max(0.0)));
        }
        Command::Velocity { vs: 0.0, vd: v.copysign(left) }
    }
}

/// Advances every script and writes each actor's command.
pub(crate) fn run_scripts(
    clock: Res<Clock>,
    road: Res<RoadRes>,
    snapshot: Res<Snapshot>,
    jumps: Res<Jumps>,
    mut actors: Query<(&BodyIndex, &Motion, &mut Script, &mut Command)>,
    mut order: Local<PathOrder>,
    mut odometers: Local<crate::trigger::Odometers>,
) {
    let bodies = &snapshot.bodies;
    order.rebuild(bodies, &road.road);
    odometers.update(bodies, &jumps.0, clock.dt);
    let idm = Idm::default();
    for (index, motion, mut script, mut command) in &mut actors {
        let me = &bodies[index.0];
        // Its own path (the oncoming path for oncoming actors): every gap it
        // keeps is measured along that path's lanes.
        let path = road.road.path(me.path).unwrap_or(road.road.route());
        let mut teleport = None;
        while script.next < script.steps.len() && {
            let trigger = script.steps[script.next].trigger;
            match &trigger {
                Trigger::When(conds) => crate::trigger::judge(
                    conds,
                    &mut script.judge,
                    clock.t,
                    bodies,
                    &odometers,
                    road.road.route(),
                ),
                _ => fires(trigger, clock.t, me, bodies, road.road.route()),
            }
        } {
            let k = script.next;
            let step = script.steps[k];
            script.carry = carried(&script, &step);
            script.judge = Default::default();
            script.from_speed = me.frame_velocity(&me.own).0;
            script.active = Some(k);
            script.next += 1;
            script.started_at = clock.t;
            // A speed change alongside a lateral move leaves the move's start.
            if !(step.parallel && step.behaviour.half() == Some(Half::Longitudinal)) {
                script.from_d = me.own.d;
            }
            script.start_pos = me.pos;
            match step.behaviour {
                Behaviour::ChangeLane { lane, .. } => {
                    script.target_d = road.road.spec.lane_centre(lane as f64)
                }
                Behaviour::Overtake { lane, .. } => {
                    let pass_d = road.road.spec.lane_centre(lane as f64);
                    script.overtake =
                        OvertakeState::start(bodies, index.0, script.target_d, pass_d, clock.t, path);
                }
                Behaviour::CrossWhenClear { .. } => script.committed = false,
                Behaviour::LaneOffset { lane, offset, .. } => {
                    script.target_d = road.road.spec.lane_centre(lane as f64) + offset
                }
                Behaviour::Drift { lane, depth, .. } => {
                    let spec = &road.road.spec;
                    script.target_d = manoeuvre::drift_target(
                        me.own.d,
                        spec.lane_centre(lane as f64),
                        spec.lane_width,
                        me.width,
                        depth,
                    );
                }
                Behaviour::Teleport { s, d, heading } => {
                    let (pos, tangent) = path.pose(s, d);
                    script.target_d = d;
                    script.from_d = d;
                    let yaw = wrap_angle(tangent + heading);
                    teleport = Some(Command::Teleport { pos, yaw, speed: script.from_speed });
                    // The next step starts from where it lands: a tick later.
                    break;
                }
                _ => {}
            }
        }
        if let Some(jump) = teleport {
            *command = jump;
            continue;
        }
        let (lat, lon) = halves(&script, clock.t);
        // The lateral half: the reference offset for this step.
        let (behaviour, elapsed) =
            (lat.map(|r| r.behaviour), lat.map_or(clock.t - script.started_at, |r| r.elapsed));
        // Lateral reference for this step.
        // A drift's reference moves at its lateral speed, fed forward to the steering.
        let mut vd_ref = 0.0;
        let d_ref = match behaviour {
            Some(Behaviour::ChangeLane { duration, shape, .. }) => {
                let smooth = shape.fraction(elapsed / duration.max(1e-3));
                script.from_d + (script.target_d - script.from_d) * smooth
            }
            Some(Behaviour::Drift { lateral_speed, hold, recover, .. }) => {
                let (d, v) = manoeuvre::drift_reference(
                    elapsed,
                    script.from_d,
                    script.target_d,
                    lateral_speed,
                    hold,
                    recover,
                );
                vd_ref = v;
                d
            }
            Some(Behaviour::Overtake { duration, gap, .. }) => {
                script.overtake.d_ref(clock.t, duration, gap, bodies, index.0, path)
            }
            Some(Behaviour::LaneOffset { shape, max_lateral_accel, .. }) => {
                let size = script.target_d - script.from_d;
                let duration = shape.duration_for(size, max_lateral_accel);
                vd_ref = shape.rate_at(script.from_d, script.target_d, elapsed, duration);
                shape.at(script.from_d, script.target_d, elapsed, duration)
            }
            _ => script.target_d,
        };
        // A route vehicle in a lane that ends merges out of it before its end.
        let lateral = matches!(
            behaviour,
            Some(
                Behaviour::ChangeLane { .. }
                    | Behaviour::Overtake { .. }
                    | Behaviour::Drift { .. }
                    | Behaviour::LaneOffset { .. }
            )
        );
        let d_ref =
            crate::lane_drop::merge_reference(&road.road, me, bodies, &mut script, lateral, clock.t, d_ref);
        // Road works shift the route's lanes: route vehicles keep to the shifted lane.
        let d_ref = match road.env.conditions.lane_shift {
            Some(shift) if me.path == crate::road::PathId::Route => d_ref + shift.at(me.route.s),
            _ => d_ref,
        };
        let corridor = match behaviour {
            Some(Behaviour::Overtake { .. }) => script.overtake.corridor(me.own.d, d_ref),
            _ => (me.own.d, d_ref),
        };
        // The longitudinal half.
        let (behaviour, elapsed, from_speed) = match lon {
            Some(r) => (Some(r.behaviour), r.elapsed, r.from_speed),
            None => (None, elapsed, script.from_speed),
        };
        let (vs, _) = me.frame_velocity(&me.own);
        *command = match *motion {
            Motion::Fixed => Command::Idle,
            Motion::Vehicle(params) => {
                let desired = match behaviour {
                    None => script.initial.0,
                    Some(
                        Behaviour::KeepLane { speed }
                        | Behaviour::ChangeLane { speed, .. }
                        | Behaviour::Overtake { speed, .. }
                        | Behaviour::Drift { speed, .. }
                        | Behaviour::GiveWay { speed, .. }
                        | Behaviour::LaneOffset { speed, .. },
                    ) => speed,
                    Some(Behaviour::ChangeSpeed { speed, .. } | Behaviour::ShapedSpeed { speed, .. }) => {
                        speed
                    }
                    Some(Behaviour::Teleport { .. }) => from_speed,
                    Some(
                        Behaviour::Brake { .. }
                        | Behaviour::Cross { .. }
                        | Behaviour::CrossWhenClear { .. }
                        | Behaviour::Stand
                        | Behaviour::Reverse { .. },
                    ) => 0.0,
                };
                if let Some(Behaviour::Reverse { speed, distance }) = behaviour {
                    let travelled = (me.pos - script.start_pos).norm();
                    let accel = manoeuvre::reverse_accel(me.speed_long, speed, distance, travelled, clock.dt);
                    *command = Command::Reverse { accel };
                    continue;
                }
                let accel = match behaviour {
                    Some(Behaviour::Brake { decel }) => -decel,
                    Some(Behaviour::ChangeSpeed { speed, rate }) => ramp(vs, speed, rate, clock.dt),
                    Some(Behaviour::ShapedSpeed { speed, duration, shape }) => {
                        let next = shape.at(from_speed, speed, elapsed + clock.dt, duration);
                        ramp(vs, next, SHAPED_RATE, clock.dt)
                    }
                    Some(Behaviour::Cross { .. } | Behaviour::CrossWhenClear { .. } | Behaviour::Stand) => {
                        -STAND_DECEL
                    }
                    _ => {
                        let mut lead = script.reactions.sees(order.leader(bodies, index.0, corridor, path));
                        if script.reactions.obeys_signals {
                            lead = traffic_light::nearer(
                                lead,
                                traffic_light::stop_leader(&road.road, clock.t, me),
                            );
                        }
                        lead = traffic_light::nearer(
                            lead,
                            crate::lane_drop::end_leader(&road.road.spec, me, &script),
                        );
                        if let Some(Behaviour::GiveWay { min_gap, .. }) = behaviour {
                            lead = traffic_light::nearer(
                                lead,
                                crate::junction::give_way::hold_leader(&road.road, me, &bodies[0], min_gap),
                            );
                        }
                        idm.accel(vs, desired, lead)
                    }
                };
                let k = me.own.curvature;
                let lane_curvature = if k == 0.0 { 0.0 } else { k / (1.0 - k * d_ref) };
                let mut heading_err = wrap_angle(me.yaw - me.own.heading);
                if vd_ref != 0.0 {
                    heading_err -= crate::math::atan2(vd_ref, vs.max(1.0));
                }
                let steer = stanley_steer(
                    me.own.d - d_ref,
                    heading_err,
                    me.speed_long,
                    lane_curvature,
                    params.wheelbase,
                    params.max_steer,
                );
                Command::Drive { accel, steer }
            }
            Motion::Mover { .. } => match behaviour {
                None => Command::Velocity { vs: script.initial.0, vd: script.initial.1 },
                Some(
                    Behaviour::KeepLane { speed }
                    | Behaviour::ChangeLane { speed, .. }
                    | Behaviour::Overtake { speed, .. }
                    | Behaviour::Drift { speed, .. }
                    | Behaviour::GiveWay { speed, .. }
                    | Behaviour::LaneOffset { speed, .. },
                ) => Command::Velocity { vs: speed, vd: 1.5 * (d_ref - me.own.d) },
                Some(Behaviour::ShapedSpeed { speed, duration, shape }) => Command::Velocity {
                    vs: shape.at(from_speed, speed, elapsed + clock.dt, duration),
                    vd: 1.5 * (d_ref - me.own.d),
                },
                Some(Behaviour::ChangeSpeed { speed, rate }) => Command::Velocity {
                    vs: vs + ramp(vs, speed, rate, clock.dt) * clock.dt,
                    vd: 1.5 * (d_ref - me.own.d),
                },
                Some(Behaviour::Teleport { .. }) => {
                    Command::Velocity { vs: from_speed, vd: 1.5 * (d_ref - me.own.d) }
                }
                Some(Behaviour::Brake { decel }) => {
                    Command::Velocity { vs: (vs - decel * clock.dt).max(0.0), vd: 0.0 }
                }
                Some(Behaviour::Cross { speed, to_d }) => cross(me, speed, to_d, clock.dt),
                Some(Behaviour::CrossWhenClear { speed, to_d, min_tta }) => {
                    if !script.committed
                        && reactive::clear_to_cross(me, &bodies[0], min_tta, road.road.route())
                    {
                        script.committed = true;
                    }
                    if script.committed {
                        cross(me, speed, to_d, clock.dt)
                    } else {
                        Command::Velocity { vs: 0.0, vd: 0.0 }
                    }
                }
                Some(Behaviour::Stand | Behaviour::Reverse { .. }) => Command::Velocity { vs: 0.0, vd: 0.0 },
            },
        };
    }
}

/// The step that drives the other half of the motion once `next` starts:
/// for a parallel step, the running one when it drives another half (or
/// both), else what the running one carried; none otherwise.
fn carried(script: &Script, next: &BehaviourStep) -> Option<Carried> {
    let half = next.behaviour.half().filter(|_| next.parallel)?;
    let running = script.active?;
    if script.steps[running].behaviour.half() == Some(half) {
        script.carry
    } else {
        Some(Carried { step: running, started_at: script.started_at, from_speed: script.from_speed })
    }
}

/// A behaviour driving one half of the motion, how long it has run, s, and
/// the speed along its path when it started, m/s.
#[derive(Clone, Copy)]
struct Running {
    behaviour: Behaviour,
    elapsed: f64,
    from_speed: f64,
}

/// The behaviours driving the lateral and the longitudinal half of an
/// actor's motion at time `t`: the running step drives both unless it is a
/// parallel step with a carried one, which drives the other half.
fn halves(script: &Script, t: f64) -> (Option<Running>, Option<Running>) {
    let running = script.active.map(|k| Running {
        behaviour: script.steps[k].behaviour,
        elapsed: t - script.started_at,
        from_speed: script.from_speed,
    });
    let carried = script.carry.map(|c| Running {
        behaviour: script.steps[c.step].behaviour,
        elapsed: t - c.started_at,
        from_speed: c.from_speed,
    });
    match (running, carried) {
        (Some(r), Some(c)) => match r.behaviour.half() {
            Some(Half::Longitudinal) => (Some(c), Some(r)),
            Some(Half::Lateral) => (Some(r), Some(c)),
            None => (Some(r), Some(r)),
        },
        _ => (running, running),
    }
}
