//! `Entities` (vehicles, pedestrians, misc objects) and the `Init` section
//! (teleports, initial speeds, the environment's friction).

use super::odr::Road;
use super::xml::{El, Res, Xml, name};
use crate::param::Num;
use crate::raw::{KindFile, VehicleFile};

/// Gauntlet's dry-asphalt μ, which `RoadCondition/@frictionScaleFactor` scales.
pub(crate) const BASE_FRICTION: f64 = 0.9;

/// Where an entity starts, in route coordinates of its reference point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placed {
    /// Gauntlet lane, when given by a lane position.
    pub lane: Option<i64>,
    /// Lateral offset from that lane's centre (or from lane 0's centre without one), m.
    pub offset: f64,
    /// Route distance, m.
    pub s: f64,
    /// Heading relative to the route, rad.
    pub heading: f64,
}

/// One `ScenarioObject`.
#[derive(Debug, Clone)]
pub(crate) struct Entity {
    pub name: String,
    pub kind: KindFile,
    pub length: f64,
    pub width: f64,
    /// Bounding-box centre relative to the reference point (forward, left), m.
    pub centre: (f64, f64),
    /// Chassis and limits (vehicles).
    pub vehicle: Option<VehicleFile>,
    pub placed: Option<Placed>,
    pub speed: f64,
}

/// Reads `Entities`.
pub(crate) fn entities(xml: &Xml<'_>, node: El<'_>) -> Res<Vec<Entity>> {
    xml.only(node, &["ScenarioObject"])?;
    let mut out: Vec<Entity> = Vec::new();
    for obj in xml.all(node, "ScenarioObject") {
        let name_ = xml.req(obj, "name")?;
        if out.iter().any(|e| e.name == name_) {
            return Err(xml.err(obj, format!("a second entity named {name_:?}")));
        }
        for c in xml.kids(obj) {
            match name(c) {
                "Vehicle" | "Pedestrian" | "MiscObject" => {}
                "ObjectController" => {
                    return Err(xml.unsupported(
                        c,
                        "`ObjectController` (actors follow their storyboard; the system under test drives the ego)",
                    ));
                }
                "CatalogReference" => return Err(xml.unsupported(c, "`CatalogReference`")),
                other => return Err(xml.unsupported(c, &format!("`{other}`"))),
            }
        }
        let body = xml.single(obj)?;
        out.push(entity(xml, body, name_)?);
    }
    Ok(out)
}

fn entity(xml: &Xml<'_>, body: El<'_>, name_: String) -> Res<Entity> {
    let (kind, allowed): (KindFile, &[&str]) = match name(body) {
        "Vehicle" => {
            let cat = xml.req(body, "vehicleCategory")?;
            let kind = match cat.as_str() {
                "car" | "van" | "truck" | "trailer" | "semitrailer" | "bus" => KindFile::Vehicle,
                "motorbike" => KindFile::Motorcycle,
                "bicycle" => KindFile::Cyclist,
                "train" | "tram" => return Err(xml.unsupported(body, &format!("vehicleCategory {cat:?}"))),
                other => return Err(xml.err(body, format!("unknown vehicleCategory {other:?}"))),
            };
            (kind, &["ParameterDeclarations", "BoundingBox", "Performance", "Axles", "Properties"])
        }
        "Pedestrian" => (KindFile::Pedestrian, &["ParameterDeclarations", "BoundingBox", "Properties"]),
        "MiscObject" => (KindFile::Static, &["ParameterDeclarations", "BoundingBox", "Properties"]),
        _ => unreachable!("checked by the caller"),
    };
    xml.only(body, allowed)?;
    if let Some(p) = xml.child(body, "ParameterDeclarations")?
        && !xml.kids(p).is_empty()
    {
        return Err(xml.unsupported(p, "entity-level `ParameterDeclarations`"));
    }
    if let Some(p) = xml.child(body, "Properties")?
        && !xml.kids(p).is_empty()
    {
        xml.note(p, "entity properties (3-D model, appearance)");
    }
    if body.attribute("model3d").is_some() || body.attribute("model").is_some() {
        xml.note(body, "the 3-D model file");
    }
    let bb = xml.need(body, "BoundingBox")?;
    xml.only(bb, &["Center", "Dimensions"])?;
    let centre = xml.need(bb, "Center")?;
    let dims = xml.need(bb, "Dimensions")?;
    let (length, width) = (xml.num(dims, "length")?, xml.num(dims, "width")?);
    let mut vehicle = None;
    if name(body) == "Vehicle" && kind == KindFile::Vehicle {
        let perf = xml.need(body, "Performance")?;
        let axles = xml.need(body, "Axles")?;
        xml.only(axles, &["FrontAxle", "RearAxle", "AdditionalAxle"])?;
        if let Some(extra) = xml.child(axles, "AdditionalAxle")? {
            return Err(xml.unsupported(extra, "`AdditionalAxle`"));
        }
        let (front, rear) = (xml.need(axles, "FrontAxle")?, xml.need(axles, "RearAxle")?);
        let wheelbase = xml.num(front, "positionX")? - xml.num(rear, "positionX")?;
        vehicle = Some(VehicleFile {
            length: Num::Fixed(length),
            width: Num::Fixed(width),
            wheelbase: Num::Fixed(wheelbase),
            max_accel: Num::Fixed(xml.num(perf, "maxAcceleration")?),
            max_decel: Num::Fixed(xml.num(perf, "maxDeceleration")?),
            max_steer: Num::Fixed(xml.num(front, "maxSteering")?),
        });
    }
    Ok(Entity {
        name: name_,
        kind,
        length,
        width,
        centre: (xml.num(centre, "x")?, xml.num(centre, "y")?),
        vehicle,
        placed: None,
        speed: 0.0,
    })
}

/// Reads `Storyboard/Init`: positions and speeds of entities, and μ.
/// Returns the friction coefficient.
pub(crate) fn init(xml: &Xml<'_>, node: El<'_>, road: &Road, ents: &mut [Entity]) -> Res<f64> {
    xml.only(node, &["Actions"])?;
    let mut friction = BASE_FRICTION;
    let Some(actions) = xml.child(node, "Actions")? else { return Ok(friction) };
    xml.only(actions, &["GlobalAction", "Private"])?;
    for c in xml.kids(actions) {
        if name(c) == "GlobalAction" {
            friction = global(xml, c)?;
            continue;
        }
        let who = xml.req(c, "entityRef")?;
        let k = index_of(xml, c, ents, &who)?;
        xml.only(c, &["PrivateAction"])?;
        for pa in xml.all(c, "PrivateAction") {
            let action = xml.single(pa)?;
            match name(action) {
                "TeleportAction" => {
                    let pos = xml.single(xml.need(action, "Position")?)?;
                    let placed = position(xml, pos, road, ents)?;
                    ents[k].placed = Some(placed);
                }
                "LongitudinalAction" => {
                    let speed = xml.need(action, "SpeedAction")?;
                    xml.only(action, &["SpeedAction"])?;
                    let dynamics = xml.need(speed, "SpeedActionDynamics")?;
                    if xml.req(dynamics, "dynamicsShape")? != "step" {
                        return Err(
                            xml.unsupported(dynamics, "a gradual speed change in `Init` (use `step`)")
                        );
                    }
                    let target = xml.single(xml.need(speed, "SpeedActionTarget")?)?;
                    if name(target) != "AbsoluteTargetSpeed" {
                        return Err(xml.unsupported(target, &format!("`{}` in `Init`", name(target))));
                    }
                    ents[k].speed = xml.num(target, "value")?;
                }
                other => return Err(xml.unsupported(action, &format!("`{other}` in `Init`"))),
            }
        }
    }
    Ok(friction)
}

/// The index of entity `who`, or an error naming the known ones.
pub(crate) fn index_of(xml: &Xml<'_>, node: El<'_>, ents: &[Entity], who: &str) -> Res<usize> {
    ents.iter().position(|e| e.name == who).ok_or_else(|| {
        let known: Vec<&str> = ents.iter().map(|e| e.name.as_str()).collect();
        xml.err(node, format!("unknown entity {who:?} (known: {known:?})"))
    })
}

/// `GlobalAction/EnvironmentAction`: μ from the friction scale; the rest is visual.
fn global(xml: &Xml<'_>, node: El<'_>) -> Res<f64> {
    let action = xml.single(node)?;
    if name(action) != "EnvironmentAction" {
        return Err(xml.unsupported(action, &format!("`{}`", name(action))));
    }
    let env = xml.single(action)?;
    if name(env) != "Environment" {
        return Err(xml.unsupported(env, &format!("`{}`", name(env))));
    }
    xml.only(env, &["ParameterDeclarations", "TimeOfDay", "Weather", "RoadCondition"])?;
    for c in ["TimeOfDay", "Weather"] {
        if let Some(n) = xml.child(env, c)? {
            xml.note(n, "visual only (Gauntlet takes only the road's friction from the environment)");
        }
    }
    match xml.child(env, "RoadCondition")? {
        Some(rc) => {
            if let Some(p) = xml.child(rc, "Properties")? {
                xml.note(p, "road condition properties");
            }
            Ok(BASE_FRICTION * xml.num(rc, "frictionScaleFactor")?)
        }
        None => Ok(BASE_FRICTION),
    }
}

/// A `Position`'s one child, in route coordinates.
fn position(xml: &Xml<'_>, pos: El<'_>, road: &Road, ents: &[Entity]) -> Res<Placed> {
    let orientation = |node: El<'_>| -> Res<f64> {
        xml.only(node, &["Orientation"])?;
        match xml.child(node, "Orientation")? {
            None => Ok(0.0),
            Some(o) => {
                if xml.attr(o, "type")?.as_deref() != Some("relative") {
                    return Err(xml.unsupported(o, "an absolute `Orientation` in a lane position"));
                }
                for a in ["p", "r"] {
                    if xml.opt_num(o, a)?.unwrap_or(0.0) != 0.0 {
                        return Err(xml.unsupported(o, "pitch or roll (Gauntlet's roads are flat)"));
                    }
                }
                Ok(xml.opt_num(o, "h")?.unwrap_or(0.0))
            }
        }
    };
    match name(pos) {
        "LanePosition" => {
            let road_id = xml.req(pos, "roadId")?;
            let s = road.route_s_on(&road_id, xml.num(pos, "s")?).ok_or_else(|| {
                xml.err(
                    pos,
                    format!("unknown roadId {road_id:?} (the route's roads are {:?})", road.road_ids()),
                )
            })?;
            let id: i64 =
                xml.req(pos, "laneId")?.parse().map_err(|_| xml.err(pos, "`laneId` must be an integer"))?;
            let lane = road.lane_of_id(id).ok_or_else(|| {
                xml.unsupported(pos, &format!("laneId {id} (the driving lanes are -1 … -{})", road.lanes))
            })?;
            Ok(Placed {
                lane: Some(lane),
                offset: xml.opt_num(pos, "offset")?.unwrap_or(0.0),
                s,
                heading: orientation(pos)?,
            })
        }
        "RelativeLanePosition" => {
            let who = xml.req(pos, "entityRef")?;
            let k = index_of(xml, pos, ents, &who)?;
            let Some(base) = ents[k].placed else {
                return Err(xml.err(pos, format!("{who:?} has no position yet (place it earlier in `Init`)")));
            };
            let Some(lane) = base.lane else {
                return Err(
                    xml.unsupported(pos, &format!("a lane position relative to {who:?}, placed off a lane"))
                );
            };
            if pos.attribute("dsLane").is_some() {
                return Err(xml.unsupported(pos, "`dsLane`"));
            }
            let d_lane: i64 =
                xml.req(pos, "dLane")?.parse().map_err(|_| xml.err(pos, "`dLane` must be an integer"))?;
            let lane = lane + d_lane;
            if !(0..road.lanes as i64).contains(&lane) {
                return Err(
                    xml.err(pos, format!("dLane {d_lane} leaves the road's {} driving lanes", road.lanes))
                );
            }
            let ds = xml.opt_num(pos, "ds")?.unwrap_or(0.0);
            Ok(Placed {
                lane: Some(lane),
                offset: xml.opt_num(pos, "offset")?.unwrap_or(0.0),
                s: road.route_s(road.ref_s(base.s) + ds),
                heading: orientation(pos)?,
            })
        }
        "WorldPosition" => {
            for a in ["z", "p", "r"] {
                if xml.opt_num(pos, a)?.unwrap_or(0.0) != 0.0 {
                    return Err(
                        xml.unsupported(pos, &format!("a non-zero `{a}` (Gauntlet's roads are flat)"))
                    );
                }
            }
            let (s, d, heading) = road.world_to_route(
                xml.num(pos, "x")?,
                xml.num(pos, "y")?,
                xml.opt_num(pos, "h")?.unwrap_or(0.0),
            );
            // The lane holding the point, with the offset from its centre.
            let lane = libm::round(d / road.lane_width) as i64;
            if (0..road.lanes as i64).contains(&lane) {
                Ok(Placed { lane: Some(lane), offset: d - lane as f64 * road.lane_width, s, heading })
            } else {
                Ok(Placed { lane: None, offset: d, s, heading })
            }
        }
        other => Err(xml.unsupported(pos, &format!("`{other}`"))),
    }
}
