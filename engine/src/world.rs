//! The ECS world of one job: components, resources, and its construction
//! from a [`WorldSpec`].

use bevy_ecs::prelude::*;
use rapier3d::prelude::*;

use crate::actor::ActorKind;
use crate::criteria::Criteria;
use crate::math::{V2, atan2};
use crate::road::{EdgeKind, PathId, PathPoint, Road};
use crate::sensor::SensorState;
use crate::spec::{BehaviourStep, Environment, WorldSpec};
use crate::trace::Tracer;

/// Collider `user_data` of road edges (actors use their body index).
pub(crate) const EDGE_USER_DATA: u128 = u128::MAX;

/// Vehicle body height, m (only matters for the 3-D colliders).
const BODY_HEIGHT: f64 = 1.5;
/// Mass of a vehicle, kg.
const VEHICLE_MASS: f64 = 1500.0;
/// Mass of a cyclist with bicycle, kg.
const CYCLIST_MASS: f64 = 90.0;
/// Mass of a motorcycle with rider, kg.
const MOTORCYCLE_MASS: f64 = 300.0;
/// Mass of an animal (a deer), kg.
const ANIMAL_MASS: f64 = 80.0;

/// Collision groups: who collides with whom.
mod groups {
    use rapier3d::prelude::Group;
    pub const VEHICLE: Group = Group::GROUP_1;
    pub const MOVER: Group = Group::GROUP_2;
    pub const BARRIER: Group = Group::GROUP_3;
    pub const KERB: Group = Group::GROUP_4;
    pub const STATIC: Group = Group::GROUP_5;
}

/// Index of a body in the [`Snapshot`]: 0 is the ego, then actors in spec order.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyIndex(pub usize);

/// The rapier handles of a body.
#[derive(Component, Debug, Clone, Copy)]
pub(crate) struct BodyRef {
    pub body: RigidBodyHandle,
}

/// Marks the ego vehicle.
#[derive(Component, Debug, Clone, Copy)]
pub(crate) struct Ego;

/// How a body moves.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub(crate) enum Motion {
    /// A friction-limited car: longitudinal accel and steering.
    Vehicle(VehicleParams),
    /// A kinematic road user (pedestrian, cyclist) tracking a velocity with bounded acceleration.
    Mover {
        /// Largest change of velocity per second, m/s².
        max_accel: f64,
    },
    /// Does not move.
    Fixed,
}

/// A vehicle's chassis and actuator limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct VehicleParams {
    pub wheelbase: f64,
    pub max_accel: f64,
    pub max_decel: f64,
    pub max_steer: f64,
}

/// What a body is asked to do this step.
#[derive(Component, Debug, Clone, Copy, PartialEq, Default)]
pub(crate) enum Command {
    /// Vehicle: longitudinal acceleration and front-wheel angle.
    Drive { accel: f64, steer: f64 },
    /// Mover: velocity in its path frame (along, across), m/s.
    Velocity { vs: f64, vd: f64 },
    /// Vehicle reversing with the wheels straight: acceleration along its
    /// heading (negative drives it backwards), m/s² ([`crate::manoeuvre`]).
    Reverse { accel: f64 },
    /// Jump to `pos` facing `yaw`, moving at `speed` m/s along that heading
    /// ([`crate::Behaviour::Teleport`]).
    Teleport { pos: V2, yaw: f64, speed: f64 },
    /// Nothing.
    #[default]
    Idle,
}

/// Script state of a scripted actor.
#[derive(Component, Debug, Clone, PartialEq)]
pub(crate) struct Script {
    pub steps: Vec<BehaviourStep>,
    /// Index of the next step waiting for its trigger.
    pub next: usize,
    /// Index of the running step, if any has started.
    pub active: Option<usize>,
    /// Time the running step started, s.
    pub started_at: f64,
    /// Lateral offset the actor holds in its path frame, m.
    pub target_d: f64,
    /// Lateral offset when the running lane change started, m.
    pub from_d: f64,
    /// Velocity along and across the path held before any behaviour starts, m/s.
    pub initial: (f64, f64),
    /// Sight range and obedience to signals.
    pub reactions: crate::reactive::Reactions,
    /// The running overtake, if any.
    pub overtake: crate::overtake::OvertakeState,
    /// Whether a waiting crossing has accepted its gap and set off.
    pub committed: bool,
    /// Position when the running step started (a reverse measures its distance from it).
    pub start_pos: V2,
    /// Speed along its path when the running step started, m/s (a shaped speed change starts from it).
    pub from_speed: f64,
    /// What judging the next step's `When` trigger remembers ([`crate::trigger`]).
    pub judge: crate::trigger::JudgeState,
    /// Its merge out of an ending lane ([`crate::lane_drop`]).
    pub merge: crate::lane_drop::Merge,
    /// The step still driving the other half of the motion while a
    /// parallel step runs ([`crate::BehaviourStep::parallel`]).
    pub carry: Option<Carried>,
}

/// A step that keeps driving one half of an actor's motion while a
/// parallel step drives the other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Carried {
    /// Its index in the script.
    pub step: usize,
    /// When it started, s.
    pub started_at: f64,
    /// Speed along its path when it started, m/s.
    pub from_speed: f64,
}

/// How far each body was teleported on the last step (zero for the rest),
/// in index order: odometers leave the jump out of the distance travelled.
#[derive(Resource, Debug, Default)]
pub(crate) struct Jumps(pub Vec<V2>);

/// The state of every body at the end of the last step, in index order.
/// Rebuilt in place each step (no allocation after the first).
#[derive(Resource, Debug, Default)]
pub(crate) struct Snapshot {
    pub bodies: Vec<BodyState>,
}

/// One body's state, in the world, the route frame and its own path frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BodyState {
    pub id: u32,
    pub kind: ActorKind,
    pub length: f64,
    pub width: f64,
    pub path: PathId,
    pub body: RigidBodyHandle,
    pub collider: ColliderHandle,
    pub pos: V2,
    pub yaw: f64,
    /// Unit vector along the heading.
    pub dir: V2,
    pub vel: V2,
    pub prev_vel: V2,
    pub yaw_rate: f64,
    /// Longitudinal speed (velocity along the heading), m/s.
    pub speed_long: f64,
    /// Longitudinal acceleration over the last step, m/s².
    pub accel_long: f64,
    /// Position on the ego's route.
    pub route: PathPoint,
    /// Position on its own path (equal to `route` for route actors).
    pub own: PathPoint,
}

impl BodyState {
    /// Velocity components along and across the tangent of a path point.
    pub fn frame_velocity(&self, at: &PathPoint) -> (f64, f64) {
        let t = at.tangent;
        (self.vel.dot(t), self.vel.dot(t.perp()))
    }
}

/// Simulated time.
#[derive(Resource, Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub step: u64,
    pub t: f64,
    pub dt: f64,
}

/// The rapier world.
#[derive(Resource)]
pub(crate) struct Physics(pub PhysicsWorld);

/// The road, its paths and the environment.
#[derive(Resource)]
pub(crate) struct RoadRes {
    pub road: Road,
    pub env: Environment,
}

/// A fault that stops the job as an engine `error`.
#[derive(Resource, Debug, Default)]
pub(crate) struct Fault(pub Option<crate::outcome::EngineFault>);

/// A body's planar state as rapier holds it (rapier's f64 build).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Planar {
    pub pos: V2,
    pub yaw: f64,
    /// Unit heading vector (from the quaternion, no trigonometry).
    pub dir: V2,
    pub vel: V2,
    pub yaw_rate: f64,
}

/// The body's pose and velocity as rapier holds them, in f64 and the planar frame.
pub(crate) fn read_body(rb: &RigidBody) -> Planar {
    let p = rb.translation();
    let q = rb.rotation();
    let (x, y, z, w) = (q.x, q.y, q.z, q.w);
    let (c, s) = (1.0 - 2.0 * (y * y + z * z), 2.0 * (w * z + x * y));
    let n = libm::hypot(c, s);
    let dir = if n > 0.0 { V2::new(c / n, s / n) } else { V2::new(1.0, 0.0) };
    let v = rb.linvel();
    Planar { pos: V2::new(p.x, p.y), yaw: atan2(s, c), dir, vel: V2::new(v.x, v.y), yaw_rate: rb.angvel().z }
}

/// Builds the ECS world of a job.
pub(crate) fn build(spec: &WorldSpec) -> World {
    let mut world = World::new();
    let road = Road::new(spec.road.clone());
    let mut physics = PhysicsWorld::new();
    physics.gravity = Vector::ZERO;
    physics.integration_parameters.dt = spec.dt;

    let planar =
        LockedAxes::TRANSLATION_LOCKED_Z | LockedAxes::ROTATION_LOCKED_X | LockedAxes::ROTATION_LOCKED_Y;

    // Road edges.
    for piece in road.edge_pieces() {
        let mid = (piece.a + piece.b) * 0.5;
        let dir = piece.b - piece.a;
        let len = dir.norm();
        if len <= 1e-6 {
            continue;
        }
        let yaw = atan2(dir.y, dir.x);
        let (member, filter) = match piece.kind {
            EdgeKind::Kerb => (groups::KERB, groups::VEHICLE),
            _ => (groups::BARRIER, groups::VEHICLE | groups::MOVER),
        };
        physics.insert(
            RigidBodyBuilder::fixed()
                .translation(Vector::new(mid.x, mid.y, 0.0))
                .rotation(Vector::new(0.0, 0.0, yaw)),
            ColliderBuilder::cuboid(len * 0.5, 0.15, 0.5)
                .collision_groups(InteractionGroups::new(member, filter, InteractionTestMode::And))
                .user_data(EDGE_USER_DATA),
        );
    }

    let mut snapshot = Snapshot::default();

    // Ego (index 0), then actors.
    let ego_path = road.route();
    let (ego_pos, ego_heading) = ego_path.pose(spec.ego.s, spec.ego.d);
    let lim = spec.ego.limits;
    let ego_entity = spawn_body(
        &mut world,
        &mut physics,
        &road,
        &mut snapshot,
        0,
        BodySetup {
            id: 0,
            kind: ActorKind::Vehicle,
            path: PathId::Route,
            pos: ego_pos,
            yaw: ego_heading,
            speed: spec.ego.speed,
            length: lim.length,
            width: lim.width,
        },
        planar,
    );
    world.entity_mut(ego_entity).insert((
        Ego,
        Motion::Vehicle(VehicleParams {
            wheelbase: lim.wheelbase,
            max_accel: lim.max_accel,
            max_decel: lim.max_decel,
            max_steer: lim.max_steer,
        }),
        Command::Drive { accel: 0.0, steer: 0.0 },
    ));

    for (i, actor) in spec.actors.iter().enumerate() {
        let index = i + 1;
        let Some(path) = road.path(actor.path) else { continue };
        let (pos, tangent) = path.pose(actor.s, actor.d);
        let yaw = tangent + actor.heading;
        let entity = spawn_body(
            &mut world,
            &mut physics,
            &road,
            &mut snapshot,
            index,
            BodySetup {
                id: actor.id,
                kind: actor.kind,
                path: actor.path,
                pos,
                yaw,
                speed: actor.speed,
                length: actor.length,
                width: actor.width,
            },
            planar,
        );
        let motion = match actor.kind {
            ActorKind::Vehicle => Motion::Vehicle(VehicleParams {
                wheelbase: actor.length * 0.6,
                max_accel: 4.0,
                max_decel: 10.0,
                max_steer: 0.6,
            }),
            ActorKind::Motorcycle => Motion::Vehicle(VehicleParams {
                wheelbase: actor.length * 0.65,
                max_accel: crate::actor::MOTORCYCLE_MAX_ACCEL,
                max_decel: crate::actor::MOTORCYCLE_MAX_DECEL,
                max_steer: 0.6,
            }),
            ActorKind::Pedestrian => Motion::Mover { max_accel: 3.0 },
            ActorKind::Cyclist => Motion::Mover { max_accel: 2.5 },
            ActorKind::Animal => Motion::Mover { max_accel: crate::actor::ANIMAL_MAX_ACCEL },
            ActorKind::Static => Motion::Fixed,
        };
        let start_d = path.project(pos).d;
        world.entity_mut(entity).insert((
            motion,
            Command::default(),
            Script {
                steps: actor.behaviours.clone(),
                next: 0,
                active: None,
                started_at: 0.0,
                target_d: start_d,
                from_d: start_d,
                initial: (
                    actor.speed * crate::math::cos(actor.heading),
                    actor.speed * crate::math::sin(actor.heading),
                ),
                reactions: actor.reactions,
                overtake: Default::default(),
                committed: false,
                start_pos: pos,
                from_speed: 0.0,
                judge: Default::default(),
                merge: Default::default(),
                carry: None,
            },
        ));
    }

    // Fill the broad phase so the sensor's ray casts see every body from step 0.
    physics.detect_collisions(&(), &());
    let sensor = SensorState::new(spec.seed, spec.environment.sensor, &spec.actors);
    world.insert_resource(Physics(physics));
    world.insert_resource(Jumps(vec![V2::new(0.0, 0.0); snapshot.bodies.len()]));
    world.insert_resource(snapshot);
    world.insert_resource(Clock { step: 0, t: 0.0, dt: spec.dt });
    world.insert_resource(Criteria::new(&spec.criteria, spec.ego.goal_s, &spec.road));
    world.insert_resource(crate::signals::Signals::new(
        !spec.formulas.is_empty(),
        &spec.road,
        spec.ego.goal_s,
    ));
    world.insert_resource(crate::formula::Formulas::new(&spec.formulas, spec.dt));
    world.insert_resource(sensor);
    world.insert_resource(Tracer::default());
    world.insert_resource(Fault::default());
    // Rain and spray wet the road ([`crate::conditions`]).
    let mut env = spec.environment;
    env.friction = env.conditions.friction(env.friction);
    // Patches replace the road's μ, then the weather caps them too ([`crate::surface`]).
    env.surface = env.surface.map_friction(|mu| env.conditions.friction(mu));
    world.insert_resource(crate::vehicle_fault::EgoFault { fault: spec.ego.fault, ..Default::default() });
    world.insert_resource(RoadRes { road, env });
    world
}

struct BodySetup {
    id: u32,
    kind: ActorKind,
    path: PathId,
    pos: V2,
    yaw: f64,
    speed: f64,
    length: f64,
    width: f64,
}

#[allow(clippy::too_many_arguments)]
fn spawn_body(
    world: &mut World,
    physics: &mut PhysicsWorld,
    road: &Road,
    snapshot: &mut Snapshot,
    index: usize,
    b: BodySetup,
    planar: LockedAxes,
) -> Entity {
    let vel = V2::from_angle(b.yaw) * b.speed;
    let builder = match b.kind {
        ActorKind::Vehicle | ActorKind::Motorcycle => {
            RigidBodyBuilder::dynamic().locked_axes(planar).can_sleep(false)
        }
        ActorKind::Pedestrian | ActorKind::Cyclist | ActorKind::Animal => {
            RigidBodyBuilder::kinematic_velocity_based()
        }
        ActorKind::Static => RigidBodyBuilder::fixed(),
    }
    .translation(Vector::new(b.pos.x, b.pos.y, 0.0))
    .rotation(Vector::new(0.0, 0.0, b.yaw))
    .linvel(Vector::new(vel.x, vel.y, 0.0));
    let (member, filter) = match b.kind {
        ActorKind::Vehicle | ActorKind::Motorcycle => (
            groups::VEHICLE,
            groups::VEHICLE | groups::MOVER | groups::BARRIER | groups::KERB | groups::STATIC,
        ),
        ActorKind::Pedestrian | ActorKind::Cyclist | ActorKind::Animal => {
            (groups::MOVER, groups::VEHICLE | groups::BARRIER)
        }
        ActorKind::Static => (groups::STATIC, groups::VEHICLE),
    };
    let mass = match b.kind {
        ActorKind::Cyclist | ActorKind::Pedestrian => CYCLIST_MASS,
        ActorKind::Motorcycle => MOTORCYCLE_MASS,
        ActorKind::Animal => ANIMAL_MASS,
        _ => VEHICLE_MASS,
    };
    let collider = ColliderBuilder::cuboid(b.length * 0.5, b.width * 0.5, BODY_HEIGHT * 0.5)
        .mass(mass)
        .friction(0.5)
        .collision_groups(InteractionGroups::new(member, filter, InteractionTestMode::And))
        .user_data(index as u128);
    let (body, collider) = physics.insert(builder, collider);
    let rb = &physics.bodies[body];
    let Planar { pos, yaw, dir, vel, yaw_rate } = read_body(rb);
    let route = road.route().project(pos);
    let own = road.path(b.path).map_or(route, |p| p.project(pos));
    snapshot.bodies.push(BodyState {
        id: b.id,
        kind: b.kind,
        length: b.length,
        width: b.width,
        path: b.path,
        body,
        collider,
        pos,
        yaw,
        dir,
        vel,
        prev_vel: vel,
        yaw_rate,
        speed_long: vel.dot(dir),
        accel_long: 0.0,
        route,
        own,
    });
    world.spawn((BodyIndex(index), BodyRef { body })).id()
}
