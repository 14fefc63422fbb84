//! Junctions: T-junctions and four-way junctions at the end of the route's
//! approach, with turning paths between every pair of arms.
//!
//! The model is the one OpenDRIVE junctions map onto: *roads* (the arms:
//! the route's approach and up to three others, each a straight with lanes
//! in and out), *connecting roads* (one per movement: a straight–arc–straight
//! path from the end of an incoming lane to the start of an outgoing one,
//! [`connect::connecting`]) and *lane links* (which incoming lane feeds
//! which outgoing lane: the rightmost ones for right turns and straight on,
//! the leftmost ones for left turns).
//!
//! The ego's route runs through the junction: it is the approach, the
//! connecting road from its lane 0 to lane 0 of the exit arm, and the exit
//! arm ([`route_segments`]), so the route frame (`s`, `d`) bends through the
//! turn like any curve and every criterion and lane metric follows it. An
//! actor's movement (`from` arm, `to` arm) is a path of its own
//! ([`PathId::Movement`]): its incoming arm, the connecting road, its
//! outgoing arm, one lane wide.
//!
//! Arms are named from the ego's approach: `Left`, `Ahead`, `Right`, each
//! with a heading relative to the approach direction (default 90°, 0°,
//! −90°; a skewed junction turns them). The junction area (no road edges,
//! all of it road for `stay_on_road`) is the disc around the centre that
//! holds every arm's mouth.

mod connect;
mod edges;
pub(crate) mod give_way;
#[cfg(test)]
mod tests;

use crate::math::{PI, V2, tan};
use crate::road::{Path, PathId, SegmentSpec};

pub(crate) use edges::edge_pieces;

/// An arm of a junction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArmId {
    /// The route's approach (where the ego comes from).
    Approach,
    /// The arm on the ego's left.
    Left,
    /// The arm straight ahead.
    Ahead,
    /// The arm on the ego's right.
    Right,
}

impl ArmId {
    /// Every arm, in index order.
    pub const ALL: [ArmId; 4] = [ArmId::Approach, ArmId::Left, ArmId::Ahead, ArmId::Right];

    /// Index in [`ArmId::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            ArmId::Approach => "Approach",
            ArmId::Left => "Left",
            ArmId::Ahead => "Ahead",
            ArmId::Right => "Right",
        }
    }
}

/// One arm besides the approach: a straight road leaving the junction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmSpec {
    /// Heading of the arm, pointing away from the junction, relative to the
    /// ego's direction of travel on the approach, rad (+ left).
    pub heading: f64,
    /// Lanes driven towards the junction (0: exit only).
    pub lanes_in: u32,
    /// Lanes driven away from the junction (0: entry only).
    pub lanes_out: u32,
    /// Length from the arm's mouth, m.
    pub length: f64,
}

/// A junction at the end of the route's approach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JunctionSpec {
    /// Route distance of the approach's mouth (its stop line lies
    /// [`crate::traffic_light::STOP_LINE_SETBACK`] before it), m.
    pub entry_s: f64,
    /// The arms `Left`, `Ahead`, `Right` (index 0..3), absent ones `None`.
    pub arms: [Option<ArmSpec>; 3],
    /// Radius of the kerb corners between arms, m: arm mouths lie this much
    /// further from the centre than the widest carriageway's half-width.
    pub corner_radius: f64,
    /// The arm the ego's route leaves by.
    pub exit: ArmId,
    /// Traffic lights: `Approach` and `Ahead` run the route's phases,
    /// `Left` and `Right` the crossing phases ([`crate::traffic_light`]).
    pub signal: Option<crate::traffic_light::SignalSpec>,
    /// A stop sign on the route's approach (never with `signal`): the ego
    /// must come to a standstill at the stop line before entering
    /// ([`crate::stop_sign`]).
    pub stop_sign: bool,
}

/// What makes a junction or a movement impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JunctionError {
    /// The arm is not part of the junction.
    #[error("the junction has no `{0}` arm")]
    MissingArm(&'static str),
    /// A movement back into the arm it came from.
    #[error("a movement cannot leave by the arm it came from (`{0}`)")]
    UTurn(&'static str),
    /// The arm has no lanes in the needed direction.
    #[error("turn not allowed: the `{0}` arm has no lanes {1} the junction")]
    NoLanes(&'static str, &'static str),
    /// A straight movement between lanes that do not line up.
    #[error("a straight movement needs its lanes to line up across the junction")]
    Misaligned,
    /// The lines of the two lanes do not meet ahead of both ends.
    #[error("no turning path joins these arms (their lanes do not meet ahead of both)")]
    NoTurn,
    /// Two arms closer than [`MIN_ARM_ANGLE`].
    #[error("arms must be at least 20° apart")]
    ArmsTooClose,
    /// The route's lanes do not continue on the exit arm.
    #[error(
        "the route continues on the `{0}` arm: its `lanes_out` must equal the road's `lanes` and its `lanes_in` the road's `oncoming_lanes`"
    )]
    ExitLanes(&'static str),
}

/// Smallest angle between two arms, rad.
pub const MIN_ARM_ANGLE: f64 = 20.0 * PI / 180.0;

/// One arm as built: its lanes and where it lies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Arm {
    /// Unit vector pointing away from the junction.
    pub u: V2,
    /// World heading of `u`.
    pub heading: f64,
    pub lanes_in: u32,
    pub lanes_out: u32,
    pub length: f64,
}

/// A built movement path and where it meets the junction.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Movement {
    pub path: Path,
    /// Path distance of the incoming arm's mouth (the end of its lane), m.
    pub mouth_in: f64,
    /// Path distance of the outgoing arm's mouth, m.
    pub mouth_out: f64,
}

/// A junction with its geometry built.
#[derive(Debug, Clone, PartialEq)]
pub struct Junction {
    /// The resolved description.
    pub spec: JunctionSpec,
    /// Centre (where the arms' lane dividers meet).
    pub centre: V2,
    /// Distance from the centre to every arm's mouth, m.
    pub mouth: f64,
    /// Radius of the junction area, m.
    pub area: f64,
    /// Route distance where the route leaves by the exit arm's mouth, m.
    pub exit_s: f64,
    /// Route distances where the ego's reference line enters and leaves the area, m.
    pub area_s: (f64, f64),
    pub(crate) arms: [Option<Arm>; 4],
    /// Movements by `from * 4 + to`.
    pub(crate) movements: Vec<Option<Movement>>,
}

/// The arm spec of `id` (the approach described by the road).
fn arm_spec(spec: &JunctionSpec, id: ArmId, lanes: u32, oncoming: u32) -> Option<ArmSpec> {
    match id {
        ArmId::Approach => {
            Some(ArmSpec { heading: PI, lanes_in: lanes, lanes_out: oncoming, length: spec.entry_s })
        }
        _ => spec.arms[id.index() - 1],
    }
}

/// The junction's centre and mouth distance for an approach whose lane 0
/// ends at `p0` heading `h0`.
fn frame(
    spec: &JunctionSpec,
    lanes: u32,
    oncoming: u32,
    lane_width: f64,
    p0: V2,
    h0: f64,
) -> Result<(V2, f64, [Option<Arm>; 4]), JunctionError> {
    let mut arms = [None; 4];
    let mut widest: f64 = 0.0;
    for id in ArmId::ALL {
        if let Some(a) = arm_spec(spec, id, lanes, oncoming) {
            let heading = h0 + a.heading;
            arms[id.index()] = Some(Arm {
                u: V2::from_angle(heading),
                heading,
                lanes_in: a.lanes_in,
                lanes_out: a.lanes_out,
                length: a.length,
            });
            widest = widest.max(a.lanes_in.max(a.lanes_out) as f64 * lane_width);
        }
    }
    // The smallest angle between two arms sets how far out the mouths lie.
    let mut min_angle = PI;
    for i in 0..4 {
        for j in i + 1..4 {
            if let (Some(a), Some(b)) = (arms[i], arms[j]) {
                let angle = crate::math::wrap_angle(a.heading - b.heading).abs();
                min_angle = min_angle.min(angle);
            }
        }
    }
    if min_angle < MIN_ARM_ANGLE - 1e-9 {
        return Err(JunctionError::ArmsTooClose);
    }
    let half = 0.5 * min_angle.min(0.5 * PI);
    let mouth = widest / tan(half) + spec.corner_radius;
    let t0 = V2::from_angle(h0);
    let centre = p0 + t0 * mouth + t0.perp() * ((lanes as f64 - 0.5) * lane_width);
    Ok((centre, mouth, arms))
}

/// Lane `lane` (numbered from the rightmost) at the mouth of `arm`: the end
/// of an incoming lane (`incoming`) or the start of an outgoing one, with
/// the heading it is driven at.
fn mouth_lane(arm: &Arm, centre: V2, mouth: f64, lane_width: f64, incoming: bool, lane: u32) -> (V2, f64) {
    let base = centre + arm.u * mouth;
    if incoming {
        let off = (arm.lanes_in as f64 - 0.5 - lane as f64) * lane_width;
        (base + arm.u.perp() * off, arm.heading + PI)
    } else {
        let off = (arm.lanes_out as f64 - 0.5 - lane as f64) * lane_width;
        (base - arm.u.perp() * off, arm.heading)
    }
}

/// The lane link of a movement: (incoming lane, outgoing lane). Left turns
/// use the leftmost lanes, right turns and straight movements the rightmost.
fn lane_link(from: &Arm, to: &Arm) -> (u32, u32) {
    let turn = crate::math::wrap_angle(to.heading - (from.heading + PI));
    if turn > 0.25 * PI { (from.lanes_in - 1, to.lanes_out - 1) } else { (0, 0) }
}

fn check_movement(arms: &[Option<Arm>; 4], from: ArmId, to: ArmId) -> Result<(Arm, Arm), JunctionError> {
    let a = arms[from.index()].ok_or(JunctionError::MissingArm(from.name()))?;
    let b = arms[to.index()].ok_or(JunctionError::MissingArm(to.name()))?;
    if from == to {
        return Err(JunctionError::UTurn(from.name()));
    }
    if a.lanes_in == 0 {
        return Err(JunctionError::NoLanes(from.name(), "towards"));
    }
    if b.lanes_out == 0 {
        return Err(JunctionError::NoLanes(to.name(), "away from"));
    }
    Ok((a, b))
}

/// The ego's route through the junction: the approach, the connecting road
/// from its lane 0 to lane 0 of the exit arm, and the exit arm. Checks the
/// junction: arms far enough apart, the exit arm present, its lanes those of
/// the road (the route's lanes continue on it).
pub fn route_segments(
    approach: &[SegmentSpec],
    spec: &JunctionSpec,
    lanes: u32,
    oncoming: u32,
    lane_width: f64,
) -> Result<Vec<SegmentSpec>, JunctionError> {
    let end = Path::new(V2::new(0.0, 0.0), 0.0, approach);
    let (p0, h0) = end.pose(end.length(), 0.0);
    let (centre, mouth, arms) = frame(spec, lanes, oncoming, lane_width, p0, h0)?;
    let (a, b) = check_movement(&arms, ArmId::Approach, spec.exit)?;
    if b.lanes_out != lanes || b.lanes_in != oncoming {
        return Err(JunctionError::ExitLanes(spec.exit.name()));
    }
    let (p, hp) = mouth_lane(&a, centre, mouth, lane_width, true, 0);
    let (q, hq) = mouth_lane(&b, centre, mouth, lane_width, false, 0);
    let mut out = approach.to_vec();
    out.extend(connect::connecting(p, hp, q, hq)?);
    out.push(SegmentSpec::new(b.length, 0.0));
    Ok(out)
}

/// Checks that a movement exists (for the scenario resolver's errors).
pub fn check(
    approach: &[SegmentSpec],
    spec: &JunctionSpec,
    lanes: u32,
    oncoming: u32,
    lane_width: f64,
    from: ArmId,
    to: ArmId,
) -> Result<(), JunctionError> {
    let end = Path::new(V2::new(0.0, 0.0), 0.0, approach);
    let (p0, h0) = end.pose(end.length(), 0.0);
    let (centre, mouth, arms) = frame(spec, lanes, oncoming, lane_width, p0, h0)?;
    let (a, b) = check_movement(&arms, from, to)?;
    let (i, j) = lane_link(&a, &b);
    let (p, hp) = mouth_lane(&a, centre, mouth, lane_width, true, i);
    let (q, hq) = mouth_lane(&b, centre, mouth, lane_width, false, j);
    connect::connecting(p, hp, q, hq).map(|_| ())
}

impl Junction {
    /// Builds the junction of a route whose pieces are `segments` (as
    /// [`route_segments`] made them); `None` if its geometry is impossible
    /// (the resolver refuses such files first).
    pub(crate) fn build(spec: JunctionSpec, road: &crate::road::RoadSpec, route: &Path) -> Option<Self> {
        let (lanes, oncoming, w) = (road.lanes, road.oncoming_lanes, road.lane_width);
        let (p0, h0) = route.pose(spec.entry_s, 0.0);
        let (centre, mouth, arms) = frame(&spec, lanes, oncoming, w, p0, h0).ok()?;
        let exit = arms[spec.exit.index()]?;
        let exit_s = route.length() - exit.length;
        let mut area: f64 = 0.0;
        for arm in arms.iter().flatten() {
            let half = arm.lanes_in.max(arm.lanes_out) as f64 * w + road.shoulder;
            area = area.max(libm::hypot(mouth, half));
        }
        // The approach's pieces (the route up to its mouth).
        let mut approach = Vec::new();
        let mut s = 0.0;
        for seg in &road.segments {
            if s + 1e-9 >= spec.entry_s {
                break;
            }
            let length = seg.length.min(spec.entry_s - s);
            approach.push(SegmentSpec::new(length, seg.curvature));
            s += seg.length;
        }
        let mut movements = vec![None; 16];
        for from in ArmId::ALL {
            for to in ArmId::ALL {
                let Ok((a, b)) = check_movement(&arms, from, to) else { continue };
                let (i, j) = lane_link(&a, &b);
                let (p, hp) = mouth_lane(&a, centre, mouth, w, true, i);
                let (q, hq) = mouth_lane(&b, centre, mouth, w, false, j);
                let Ok(conn) = connect::connecting(p, hp, q, hq) else { continue };
                let (start, heading, mut pieces) = if from == ArmId::Approach {
                    let (start, h) = route.pose(0.0, i as f64 * w);
                    (start, h, connect::offset(&approach, i as f64 * w))
                } else {
                    (p - V2::from_angle(hp) * a.length, hp, vec![SegmentSpec::new(a.length, 0.0)])
                };
                let mouth_in: f64 = pieces.iter().map(|x| x.length).sum();
                pieces.extend(conn);
                let mouth_out: f64 = pieces.iter().map(|x| x.length).sum();
                if to == ArmId::Approach {
                    let d = (lanes + b.lanes_out - 1 - j) as f64 * w;
                    pieces.extend(connect::reversed(&approach, d));
                } else {
                    pieces.push(SegmentSpec::new(b.length, 0.0));
                }
                movements[from.index() * 4 + to.index()] =
                    Some(Movement { path: Path::new(start, heading, &pieces), mouth_in, mouth_out });
            }
        }
        // Where the route's reference line is inside the area.
        let inside = |s: f64| (route.pose(s, 0.0).0 - centre).norm() <= area;
        let (mut lo, mut hi) = (spec.entry_s, exit_s);
        while lo > 0.0 && inside(lo) {
            lo -= 0.25;
        }
        while hi < route.length() && inside(hi) {
            hi += 0.25;
        }
        Some(Self { spec, centre, mouth, area, exit_s, area_s: (lo, hi), arms, movements })
    }

    /// The movement path from `from` to `to`, if the junction has it.
    pub fn movement(&self, from: ArmId, to: ArmId) -> Option<&Path> {
        self.movements[from.index() * 4 + to.index()].as_ref().map(|m| &m.path)
    }

    /// The movement of a [`PathId::Movement`] id.
    pub(crate) fn movement_of(&self, id: PathId) -> Option<&Movement> {
        match id {
            PathId::Movement(from, to) => self.movements[from.index() * 4 + to.index()].as_ref(),
            _ => None,
        }
    }

    /// Whether a point lies in the junction area.
    pub fn in_area(&self, p: V2) -> bool {
        (p - self.centre).norm() <= self.area
    }

    /// Whether `arm` runs the route's signal phases (`Approach`, `Ahead`)
    /// rather than the crossing ones.
    pub fn main_phase(arm: ArmId) -> bool {
        matches!(arm, ArmId::Approach | ArmId::Ahead)
    }
}

/// What `reset` tells the adapter of a route through a junction
/// (protocol 1.3): `None` on roads without one.
pub(crate) fn route_info(spec: &crate::road::RoadSpec) -> Option<crate::adapter::RouteInfo> {
    use crate::adapter::{JunctionInfo, RouteInfo, RouteSegment, Turn};
    let road = crate::road::Road::new(spec.clone());
    let j = road.junction()?;
    let a = j.arms[ArmId::Approach.index()]?;
    let b = j.arms[j.spec.exit.index()]?;
    let turn = crate::math::wrap_angle(b.heading - (a.heading + PI));
    let turn = if turn > 0.25 * PI {
        Turn::Left
    } else if turn < -0.25 * PI {
        Turn::Right
    } else {
        Turn::Straight
    };
    Some(RouteInfo {
        segments: spec
            .segments
            .iter()
            .map(|s| RouteSegment { length: s.length, curvature: s.curvature })
            .collect(),
        junction: JunctionInfo {
            x: j.centre.x,
            y: j.centre.y,
            radius: j.area,
            enter_s: j.area_s.0,
            leave_s: j.area_s.1,
            stop_s: j.spec.entry_s - crate::traffic_light::STOP_LINE_SETBACK,
            turn,
            stop_sign: j.spec.stop_sign,
        },
    })
}
