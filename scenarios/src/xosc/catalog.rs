//! `CatalogLocations` and `CatalogReference`: entries of vehicle,
//! pedestrian, misc-object, controller and maneuver catalogs, read from the
//! catalog files of the folders the scenario names (relative to the
//! `.xosc` file), with `ParameterAssignments` overriding the entry's
//! `ParameterDeclarations`.
//!
//! A catalog entry sees its own parameters only (as the standard has it).
//! Errors inside an entry name the catalog file, line and element, the entry
//! and the line of the reference.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::error::XoscError;
use super::xml::{El, Res, Xml, name, parse, read};

/// The catalog kinds whose references Gauntlet resolves.
pub(crate) const KINDS: [&str; 5] =
    ["VehicleCatalog", "PedestrianCatalog", "MiscObjectCatalog", "ControllerCatalog", "ManeuverCatalog"];

/// The catalog kinds a `CatalogLocations` may name whose entries Gauntlet
/// cannot use yet (a reference to one of them is refused where it is used).
const OTHER_KINDS: [&str; 3] = ["EnvironmentCatalog", "TrajectoryCatalog", "RouteCatalog"];

/// Whether the `.xosc` file at `path` is a catalog (an `OpenSCENARIO`
/// document holding a `Catalog`), not a scenario: folder walks skip it.
pub fn is_catalog(path: &std::path::Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    let Ok(doc) = roxmltree::Document::parse(&text) else { return false };
    doc.root_element().children().any(|c| c.is_element() && c.tag_name().name() == "Catalog")
}

/// Reads `CatalogLocations` into `xml.catalogs`.
pub(crate) fn locations(xml: &mut Xml<'_>, node: El<'_>) -> Res<()> {
    let mut all = KINDS.to_vec();
    all.extend(OTHER_KINDS);
    xml.only(node, &all)?;
    let base = xml.file.parent().map(PathBuf::from).unwrap_or_default();
    let mut found = BTreeMap::new();
    for c in xml.kids(node) {
        let dir = xml.need(c, "Directory")?;
        xml.only(c, &["Directory"])?;
        found.insert(name(c).to_owned(), base.join(xml.req(dir, "path")?));
    }
    xml.catalogs = found;
    Ok(())
}

/// Resolves the `CatalogReference` at `reference` to an entry of one of the
/// catalog kinds `kinds` and hands it, with its own parameters, to `use_`.
pub(crate) fn with_entry<T>(
    xml: &Xml<'_>,
    reference: El<'_>,
    kinds: &[&str],
    use_: impl for<'b> FnOnce(&Xml<'b>, El<'b>) -> Res<T>,
) -> Res<T> {
    xml.only(reference, &["ParameterAssignments"])?;
    let catalog = xml.req(reference, "catalogName")?;
    let entry = xml.req(reference, "entryName")?;
    let dirs: Vec<&PathBuf> = kinds.iter().filter_map(|k| xml.catalogs.get(*k)).collect();
    if dirs.is_empty() {
        return Err(xml.err(
            reference,
            format!(
                "a reference to catalog {catalog:?}, but `CatalogLocations` names no {}",
                kinds.join(" or ")
            ),
        ));
    }
    let mut searched = Vec::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| {
                xml.err(reference, format!("cannot list the catalog folder {}: {e}", dir.display()))
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| super::is_xosc(p))
            .collect();
        files.sort();
        for file in files {
            let text = read(&file)?;
            let doc = parse(&file, &text)?;
            let cx = Xml::new(&file, &doc);
            let root = doc.root_element();
            let Some(cat) = cx.child(root, "Catalog")? else { continue };
            if cx.req(cat, "name")? != catalog {
                continue;
            }
            searched.push(file.display().to_string());
            let entries: Vec<El<'_>> =
                cx.kids(cat).into_iter().filter(|e| e.attribute("name") == Some(entry.as_str())).collect();
            let node = match entries.as_slice() {
                [] => continue,
                [one] => *one,
                [_, second, ..] => {
                    return Err(
                        cx.err(*second, format!("a second entry named {entry:?} in catalog {catalog:?}"))
                    );
                }
            };
            let at = xml.loc(reference).short();
            let context = |e: XoscError| match e {
                XoscError::At { file, line, column, element, message } => XoscError::At {
                    file,
                    line,
                    column,
                    element,
                    message: format!(
                        "{message} (in entry {entry:?} of catalog {catalog:?}, referenced at {at})"
                    ),
                },
                other => other,
            };
            let mut entry_xml = Xml::new(&file, &doc);
            entry_xml.catalogs = xml.catalogs.clone();
            entry_xml.params = entry_params(xml, reference, &cx, node).map_err(&context)?;
            let out = use_(&entry_xml, node).map_err(&context);
            xml.notes.borrow_mut().extend(entry_xml.notes.into_inner());
            return out;
        }
    }
    let looked = if searched.is_empty() {
        format!("no catalog file names its catalog {catalog:?}")
    } else {
        format!("not in {}", searched.join(", "))
    };
    Err(xml.err(reference, format!("no entry {entry:?} in catalog {catalog:?} ({looked})")))
}

/// The entry's `ParameterDeclarations`, overridden by the reference's
/// `ParameterAssignments` (whose values are read in the referencing file).
fn entry_params(
    xml: &Xml<'_>,
    reference: El<'_>,
    cx: &Xml<'_>,
    node: El<'_>,
) -> Res<BTreeMap<String, String>> {
    let mut params = match cx.child(node, "ParameterDeclarations")? {
        Some(p) => super::parameters(cx, p, &BTreeMap::new())?,
        None => BTreeMap::new(),
    };
    if let Some(assignments) = xml.child(reference, "ParameterAssignments")? {
        xml.only(assignments, &["ParameterAssignment"])?;
        for a in xml.all(assignments, "ParameterAssignment") {
            let key = xml.req(a, "parameterRef")?;
            let value = xml.req(a, "value")?;
            match params.get_mut(&key) {
                Some(slot) => *slot = value,
                None => {
                    let known: Vec<&str> = params.keys().map(String::as_str).collect();
                    return Err(xml.err(
                        a,
                        format!("the entry declares no parameter {key:?} to assign (declared: {known:?})"),
                    ));
                }
            }
        }
    }
    Ok(params)
}
