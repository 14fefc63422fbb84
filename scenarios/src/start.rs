//! Starting states that already violate a criterion: refused at validation.
//!
//! A run that fails at step 1 because an actor was placed on top of the ego
//! is no evidence about the stack. These cheap checks look at the world at
//! t = 0 of one instance: footprints that overlap the ego's, footprints of
//! two actors that collide with each other overlapping (the physics would
//! throw them apart at step 1), a goal beyond the end of the road, an ego
//! whose front is already beyond the end of the road (`StayOnRoad` counts
//! leaving the end), a vehicle starting beyond the road's edge collider, an
//! ego already faster than a `SpeedLimit` criterion allows. Validation
//! runs them on the nominal instance and on the instances of the default
//! sweep's seeds ([`CHECKED_SEEDS`]), since parameters move things.

use gauntlet_engine::road::{EdgeKind, Road};
use gauntlet_engine::{ActorKind, CriterionSpec, V2, WorldSpec};
use gauntlet_ron_source::FieldPath;

/// Seeds whose instances validation checks (the default sweep's: `0..8`).
pub const CHECKED_SEEDS: u64 = 8;

/// A footprint: centre, unit heading, half length, half width.
struct Footprint {
    centre: V2,
    axis: V2,
    half_length: f64,
    half_width: f64,
}

impl Footprint {
    /// Half the extent along `n` (unit).
    fn reach(&self, n: V2) -> f64 {
        self.half_length * self.axis.dot(n).abs() + self.half_width * self.axis.perp().dot(n).abs()
    }

    /// Whether the two rectangles overlap (separating axis test, strict).
    fn overlaps(&self, other: &Footprint) -> bool {
        [self.axis, self.axis.perp(), other.axis, other.axis.perp()]
            .into_iter()
            .all(|n| (other.centre - self.centre).dot(n).abs() < self.reach(n) + other.reach(n) - 1e-9)
    }
}

/// Problems of the world at t = 0, each with the field it belongs to.
pub(crate) fn start_problems(world: &WorldSpec) -> Vec<(FieldPath, String)> {
    let mut out = Vec::new();
    let root = FieldPath::root();
    let road = Road::new(world.road.clone());
    let length = world.road.length();
    let ego = &world.ego;
    if ego.goal_s > length + 1e-9 {
        out.push((
            root.field("ego").field("goal").field("s"),
            format!(
                "the goal (s = {}) lies beyond the end of the road ({} m long)",
                num(ego.goal_s),
                num(length)
            ),
        ));
    }
    if ego.s + 0.5 * ego.limits.length > length + 1e-9 {
        out.push((
            root.field("ego").field("s"),
            format!(
                "the ego (s = {}, {} m long) starts beyond the end of the road ({} m long)",
                num(ego.s),
                num(ego.limits.length),
                num(length)
            ),
        ));
    }
    let (ego_pos, ego_yaw) = road.route().pose(ego.s, ego.d);
    let ego_fp = Footprint {
        centre: ego_pos,
        axis: V2::from_angle(ego_yaw),
        half_length: 0.5 * ego.limits.length,
        half_width: 0.5 * ego.limits.width,
    };
    let mut placed: Vec<(usize, Footprint)> = Vec::with_capacity(world.actors.len());
    for (i, a) in world.actors.iter().enumerate() {
        let p = root.field("actors").index(i);
        let Some(path) = road.path(a.path) else { continue };
        let (pos, yaw) = path.pose(a.s, a.d);
        let fp = Footprint {
            centre: pos,
            axis: V2::from_angle(yaw + a.heading),
            half_length: 0.5 * a.length,
            half_width: 0.5 * a.width,
        };
        if fp.overlaps(&ego_fp) {
            out.push((p.field("s"), format!("actor {:?} overlaps the ego at t = 0", a.name)));
        }
        for (j, other) in &placed {
            let b = &world.actors[*j];
            if collide(a.kind, b.kind) && fp.overlaps(other) {
                out.push((
                    p.field("s"),
                    format!("actor {:?} overlaps actor {:?} at t = 0 (they collide)", a.name, b.name),
                ));
            }
        }
        // A vehicle on the route starting inside or beyond an edge collider.
        let fenced = matches!(world.road.edge, EdgeKind::Barrier | EdgeKind::Kerb);
        if fenced && a.kind == ActorKind::Vehicle && a.path == gauntlet_engine::road::PathId::Route {
            let half = 0.5 * a.width;
            let (lo, hi) =
                (world.road.right_edge() - world.road.shoulder, world.road.left_edge() + world.road.shoulder);
            if a.d - half < lo || a.d + half > hi {
                out.push((
                    p.field("d"),
                    format!(
                        "vehicle {:?} starts beyond the road edge (d = {}, the edges are at {} and {})",
                        a.name,
                        num(a.d),
                        num(lo),
                        num(hi)
                    ),
                ));
            }
        }
        placed.push((i, fp));
    }
    for c in &world.criteria {
        if let CriterionSpec::SpeedLimit { tolerance } = *c
            && ego.speed > world.road.speed_limit + tolerance
        {
            out.push((
                root.field("ego").field("speed"),
                format!(
                    "the ego starts at {} m/s, above the speed limit {} m/s plus the SpeedLimit tolerance {} m/s",
                    num(ego.speed),
                    num(world.road.speed_limit),
                    num(tolerance)
                ),
            ));
        }
    }
    out
}

/// Whether bodies of two kinds collide in the engine (its collision groups:
/// vehicles hit everything; pedestrians, cyclists and static objects only vehicles).
fn collide(a: ActorKind, b: ActorKind) -> bool {
    a == ActorKind::Vehicle || b == ActorKind::Vehicle
}

fn num(x: f64) -> String {
    let r = (x * 1000.0).round() / 1000.0;
    format!("{r}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(x: f64, y: f64, yaw: f64) -> Footprint {
        Footprint { centre: V2 { x, y }, axis: V2::from_angle(yaw), half_length: 2.3, half_width: 0.95 }
    }

    #[test]
    fn rectangles_overlap_only_when_they_do() {
        assert!(fp(0.0, 0.0, 0.0).overlaps(&fp(4.0, 0.0, 0.0)));
        assert!(!fp(0.0, 0.0, 0.0).overlaps(&fp(4.7, 0.0, 0.0)));
        assert!(!fp(0.0, 0.0, 0.0).overlaps(&fp(0.0, 2.0, 0.0)));
        assert!(fp(0.0, 0.0, 0.0).overlaps(&fp(0.0, 2.0, std::f64::consts::FRAC_PI_2)));
    }
}
