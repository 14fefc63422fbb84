//! `Entities` (vehicles, pedestrians, misc objects) and the `Init` section
//! (teleports, initial speeds, the environment's friction).

use super::odr::Road;
use super::xml::{El, Loc, Res, Xml, name};
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
    /// Its `ObjectController`: where, and the controller's name.
    pub controller: Option<(Loc, String)>,
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
        let mut body = None;
        let mut controller = None;
        for c in xml.kids(obj) {
            match name(c) {
                "Vehicle" | "Pedestrian" | "MiscObject" | "CatalogReference" if body.is_none() => {
                    body = Some(c)
                }
                "ObjectController" if controller.is_none() => controller = Some(object_controller(xml, c)?),
                other => return Err(xml.unsupported(c, &format!("`{other}` here"))),
            }
        }
        let body = body.ok_or_else(|| {
            xml.err(obj, "expected a `Vehicle`, `Pedestrian`, `MiscObject` or `CatalogReference`")
        })?;
        let mut e = if name(body) == "CatalogReference" {
            super::catalog::with_entry(xml, body, &ENTITY_CATALOGS, |cx, entry| match name(entry) {
                "Vehicle" | "Pedestrian" | "MiscObject" => entity(cx, entry, name_, true),
                other => Err(cx.err(entry, format!("a `{other}` entry where an entity is referenced"))),
            })?
        } else {
            entity(xml, body, name_, false)?
        };
        e.controller = controller;
        out.push(e);
    }
    Ok(out)
}

/// The catalogs an entity's `CatalogReference` may name.
const ENTITY_CATALOGS: [&str; 3] = ["VehicleCatalog", "PedestrianCatalog", "MiscObjectCatalog"];

/// An `ObjectController` (inline or from a controller catalog), checked;
/// its location and the controller's name.
fn object_controller(xml: &Xml<'_>, node: El<'_>) -> Res<(Loc, String)> {
    let inner = xml.single(node)?;
    let check = |cx: &Xml<'_>, c: El<'_>| -> Res<String> {
        if name(c) != "Controller" {
            return Err(cx.err(c, format!("expected a `Controller`, found `{}`", name(c))));
        }
        cx.only(c, &["ParameterDeclarations", "Properties"])?;
        cx.req(c, "name")
    };
    let controller = match name(inner) {
        "CatalogReference" => {
            super::catalog::with_entry(xml, inner, &["ControllerCatalog"], |cx, c| check(cx, c))?
        }
        _ => check(xml, inner)?,
    };
    Ok((xml.loc(node), controller))
}

/// Entities other than the ego may not have a controller: Gauntlet's actors
/// follow their storyboard. The ego's is the system under test (noted).
pub(crate) fn controllers(xml: &Xml<'_>, ents: &[Entity], ego: usize) -> Res<()> {
    for (k, e) in ents.iter().enumerate() {
        let Some((loc, controller)) = &e.controller else { continue };
        if k != ego {
            return Err(loc.unsupported(&format!(
                "the controller {controller:?} of {:?} (Gauntlet's actors follow their storyboard; only the ego is driven, by the system under test)",
                e.name
            )));
        }
        xml.notes.borrow_mut().push(format!(
            "{}: {}: ignored: the ego's controller {controller:?} (the system under test drives the ego)",
            loc.short(),
            loc.element
        ));
    }
    Ok(())
}

fn entity(xml: &Xml<'_>, body: El<'_>, name_: String, in_catalog: bool) -> Res<Entity> {
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
    // A catalog entry's declarations were read with the reference.
    if let Some(p) = xml.child(body, "ParameterDeclarations")?
        && !in_catalog
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
        controller: None,
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
                    let placed = super::position::position(xml, pos, road, ents)?;
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
