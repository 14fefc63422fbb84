//! ASAM OpenSCENARIO XML (1.0–1.2) on OpenDRIVE (1.4–1.8) roads, imported
//! into Gauntlet's raw scenario model ([`crate::raw::ScenarioFile`]), so that
//! resolution, validation, expansion, fuzzing and the RON writer are the
//! ones every scenario file goes through.
//!
//! The supported subset is listed in the README ("OpenSCENARIO import").
//! Anything outside it is refused with the element's path, line and column
//! ([`XoscError`]); purely visual elements are ignored with a note
//! ([`Imported::notes`]).

mod catalog;
mod condition;
pub mod distribution;
mod entities;
mod error;
mod expr;
mod lane_offset;
mod odr;
mod position;
mod story;
mod xml;

use std::collections::BTreeMap;
use std::path::Path;

pub use catalog::is_catalog;
pub use error::XoscError;

use self::entities::{Entity, Placed};
use self::xml::{El, Res, Xml, name, parse, read};
use crate::param::Num;
use crate::raw::{
    ActorFile, CriterionFile, EgoFile, EnvironmentFile, GoalFile, PathFile, ScenarioFile, SensorFile,
};

/// Names taken as the ego when no `--ego` is given, in this order.
pub const EGO_NAMES: [&str; 3] = ["Ego", "ego", "hero"];

/// Distance before the end of the route where the ego's goal lies, m.
pub const GOAL_BEFORE_END: f64 = 5.0;

/// Whether `path` names an OpenSCENARIO file (`.xosc`).
pub fn is_xosc(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xosc"))
}

/// An imported scenario and what was ignored on the way.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The equivalent Gauntlet scenario.
    pub file: ScenarioFile,
    /// One line per ignored (purely visual) element, with file, line and path.
    pub notes: Vec<String>,
}

impl Imported {
    /// The scenario as RON text (what `gauntlet import` writes).
    pub fn ron(&self) -> String {
        crate::mutation::scenario_text(&self.file)
    }
}

/// Imports the OpenSCENARIO file at `path`; its `LogicFile` is read relative
/// to it. `ego` names the ego entity (default: [`EGO_NAMES`], else the first car).
pub fn import(path: &Path, ego: Option<&str>) -> Result<Imported, XoscError> {
    import_with(path, ego, &BTreeMap::new())
}

/// [`import`] with the values of some top-level parameters replaced (one
/// run of a [`distribution`]); a name the file does not declare is an error.
pub fn import_with(
    path: &Path,
    ego: Option<&str>,
    overrides: &BTreeMap<String, String>,
) -> Result<Imported, XoscError> {
    let text = read(path)?;
    let doc = parse(path, &text)?;
    let mut xml = Xml::new(path, &doc);
    let root = doc.root_element();
    if name(root) != "OpenSCENARIO" {
        return Err(xml.err(root, "expected an OpenSCENARIO document"));
    }
    xml.only(
        root,
        &["FileHeader", "ParameterDeclarations", "CatalogLocations", "RoadNetwork", "Entities", "Storyboard"],
    )?;
    if let Some(p) = xml.child(root, "ParameterDeclarations")? {
        xml.params = parameters(&xml, p, overrides)?;
    }
    if let Some(unknown) = overrides.keys().find(|k| !xml.params.contains_key(*k)) {
        let known: Vec<&str> = xml.params.keys().map(String::as_str).collect();
        return Err(xml.err(
            root,
            format!("a value is given for parameter {unknown:?}, which the file does not declare (declared: {known:?})"),
        ));
    }
    let header = xml.need(root, "FileHeader")?;
    let (major, minor) = (xml.num(header, "revMajor")?, xml.num(header, "revMinor")?);
    if major != 1.0 || !(0.0..=2.0).contains(&minor) {
        return Err(xml.unsupported(header, &format!("OpenSCENARIO {major}.{minor} (1.0–1.2 are)")));
    }
    if let Some(c) = xml.child(root, "CatalogLocations")? {
        catalog::locations(&mut xml, c)?;
    }
    let net = xml.need(root, "RoadNetwork")?;
    xml.only(net, &["LogicFile", "SceneGraphFile", "TrafficSignals", "UsedArea"])?;
    if let Some(s) = xml.child(net, "SceneGraphFile")? {
        xml.note(s, "the 3-D scene graph is visual only");
    }
    if let Some(s) = xml.child(net, "TrafficSignals")?
        && !xml.kids(s).is_empty()
    {
        return Err(xml.unsupported(s, "`TrafficSignals`"));
    }
    if let Some(s) = xml.child(net, "UsedArea")? {
        xml.note(s, "the used area is a hint for renderers");
    }
    let logic = xml.need(net, "LogicFile")?;
    let odr_path = path.parent().unwrap_or(Path::new("")).join(xml.req(logic, "filepath")?);
    let road = odr::load(&odr_path)?;
    let mut ents = entities::entities(&xml, xml.need(root, "Entities")?)?;
    let ego = choose_ego(&xml, root, &ents, ego)?;
    entities::controllers(&xml, &ents, ego)?;
    let board = xml.need(root, "Storyboard")?;
    xml.only(board, &["Init", "Story", "StopTrigger"])?;
    let friction = entities::init(&xml, xml.need(board, "Init")?, &road, &mut ents)?;
    let mut scripts = story::Scripts::new(&ents);
    story::stories(&xml, board, &story::Cast { road: &road, ents: &ents, ego }, &mut scripts)?;
    let (duration, stop) = story::duration(&xml, board, &road, &ents, ego, &scripts)?;

    let objects = xml.all(xml.need(root, "Entities")?, "ScenarioObject");
    let placed = |k: usize| -> Res<Placed> {
        ents[k].placed.ok_or_else(|| xml.err(objects[k], "has no `TeleportAction` in `Init`"))
    };
    let e = &ents[ego];
    let p = placed(ego)?;
    let ego_lane = match p.lane {
        Some(lane) if p.offset == 0.0 && e.centre.1 == 0.0 && p.heading == 0.0 => lane,
        _ => {
            return Err(xml.unsupported(
                objects[ego],
                "an ego that starts off its lane's centre or askew (Gauntlet's ego starts centred in its lane)",
            ));
        }
    };
    let vehicle = e.vehicle.clone().unwrap_or_default();
    let ego_file = EgoFile {
        lane: Num::Fixed(ego_lane as f64),
        s: Num::Fixed(p.s + e.centre.0),
        speed: Num::Fixed(e.speed),
        goal: GoalFile { s: Num::Fixed(road.route_length() - GOAL_BEFORE_END) },
        vehicle,
    };
    let mut actors = Vec::new();
    for (k, e) in ents.iter().enumerate() {
        if k == ego {
            continue;
        }
        actors.push(actor(e, placed(k)?, road.lane_width, std::mem::take(&mut scripts.steps[k])));
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let title = xml.attr(header, "description")?.filter(|d| !d.is_empty()).unwrap_or_else(|| stem.clone());
    let file = ScenarioFile {
        id: format!("xosc.{stem}"),
        title,
        description: format!(
            "Imported from OpenSCENARIO {major}.{minor} ({}) on OpenDRIVE road {:?}.",
            path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
            road.id
        ),
        tags: Default::default(),
        hazards: Vec::new(),
        duration: Num::Fixed(duration),
        dt: Num::Fixed(0.05),
        road: road.road_file(),
        environment: EnvironmentFile {
            friction: Num::Fixed(friction),
            sensor: SensorFile::default(),
            ..EnvironmentFile::default()
        },
        ego: ego_file,
        actors,
        criteria: vec![CriterionFile::NoCollision, CriterionFile::StayOnRoad],
        fuzz: None,
        traffic: None,
        surface: Vec::new(),
        ego_fault: None,
        road_works: None,
        generated: None,
        beyond: None,
        stop,
    };
    let notes = xml.notes.into_inner();
    Ok(Imported { file, notes })
}

/// `ParameterDeclarations`: name → value (values are taken as written).
/// `overrides` replace declared values (a distribution's run), before the
/// declarations after them are read.
pub(crate) fn parameters(
    xml: &Xml<'_>,
    node: El<'_>,
    overrides: &BTreeMap<String, String>,
) -> Res<BTreeMap<String, String>> {
    xml.only(node, &["ParameterDeclaration"])?;
    let mut out = BTreeMap::new();
    for p in xml.all(node, "ParameterDeclaration") {
        if let Some(c) = xml.kids(p).first() {
            return Err(xml.unsupported(*c, "parameter constraints"));
        }
        let key = xml.req(p, "name")?;
        if out.contains_key(&key) {
            return Err(xml.err(p, format!("parameter {key:?} is declared twice")));
        }
        // A value may name (or compute from) a parameter declared before it.
        let mut view = Xml::new(&xml.file, xml.doc);
        view.params = out.clone();
        let resolved = match overrides.get(&key) {
            Some(v) => v.clone(),
            None => view.req(p, "value")?,
        };
        out.insert(key, resolved);
    }
    Ok(out)
}

fn choose_ego(xml: &Xml<'_>, root: El<'_>, ents: &[Entity], wanted: Option<&str>) -> Res<usize> {
    let car = |e: &Entity| e.vehicle.is_some();
    if let Some(w) = wanted {
        let k = ents.iter().position(|e| e.name == w).ok_or_else(|| {
            let known: Vec<&str> = ents.iter().map(|e| e.name.as_str()).collect();
            xml.err(root, format!("no entity named {w:?} to be the ego (known: {known:?})"))
        })?;
        if !car(&ents[k]) {
            return Err(xml.err(root, format!("the ego {w:?} must be a car-like `Vehicle`")));
        }
        return Ok(k);
    }
    EGO_NAMES
        .iter()
        .find_map(|n| ents.iter().position(|e| e.name == *n && car(e)))
        .or_else(|| ents.iter().position(car))
        .ok_or_else(|| xml.err(root, "no car-like `Vehicle` to be the ego"))
}

/// An entity other than the ego as a Gauntlet actor (its box centre placed).
fn actor(e: &Entity, p: Placed, lane_width: f64, behaviours: Vec<crate::raw::StepFile>) -> ActorFile {
    let (s, across) = box_centre(e, p);
    let (lane, d) = match p.lane {
        Some(l) if across == 0.0 => (Some(Num::Fixed(l as f64)), None),
        _ => (None, Some(Num::Fixed(centre_on_route(e, p, lane_width).1))),
    };
    ActorFile {
        name: e.name.clone(),
        kind: e.kind,
        path: PathFile::Route,
        lane,
        d,
        s: Num::Fixed(s),
        speed: Num::Fixed(e.speed),
        heading_deg: Num::Fixed(p.heading.to_degrees()),
        length: Some(Num::Fixed(e.length)),
        width: Some(Num::Fixed(e.width)),
        behaviours,
        sight_range: None,
        runs_red: false,
    }
}

/// Where the centre of `e`'s box is when its reference point is placed at
/// `p`: route distance, m, and offset from its lane's centre (from lane 0's
/// when placed off a lane), m.
fn box_centre(e: &Entity, p: Placed) -> (f64, f64) {
    let (cx, cy) = e.centre;
    let (sin, cos) = (libm::sin(p.heading), libm::cos(p.heading));
    (p.s + (cx * cos - cy * sin), cx * sin + cy * cos + p.offset)
}

/// The centre of `e`'s box placed at `p` on the route: distance and
/// lateral offset from lane 0's centre, m.
pub(crate) fn centre_on_route(e: &Entity, p: Placed, lane_width: f64) -> (f64, f64) {
    let (s, across) = box_centre(e, p);
    match p.lane {
        Some(l) => (s, l as f64 * lane_width + across),
        None => (s, across),
    }
}
