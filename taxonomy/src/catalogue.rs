//! Catalogues: a regulator's or crash statistic's list of scenarios (the NHTSA pre-crash
//! typology, UN R157 Annex 5, Euro NCAP test protocols), each entry mapped to the library
//! scenarios that cover it or to the reason it is out of scope. The format is documented in the
//! header of `scenarios/catalogues/nhtsa_precrash.ron`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gauntlet_ron_source::{Diagnostic, FieldPath, SourceFile, closest_match};
use serde::{Deserialize, Serialize};

/// A catalogue, validated: unique entry ids, one mapping per entry, frequencies where (and only
/// where) the catalogue declares their unit, every mapped scenario id known.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Catalogue {
    /// Short id, lowercase `snake_case` (`nhtsa_precrash`).
    pub id: String,
    /// Human-readable name.
    pub title: String,
    /// The source document(s): title, number, edition.
    pub source: String,
    /// The unit of the entries' frequencies (e.g. "% of police-reported crashes, 2004 GES");
    /// `None` when the source gives none.
    pub frequency_unit: Option<String>,
    /// Free text: how the mapping was made, what could not be taken from the source.
    pub note: String,
    /// The entries, in file order; at least one.
    pub entries: Vec<CatalogueEntry>,
}

/// One scenario or test of a catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CatalogueEntry {
    /// Id unique within the catalogue, as the source numbers it where it does (`NHTSA-26`).
    pub id: String,
    /// The source's title.
    pub title: String,
    /// The source's frequency, in the catalogue's unit; `None` when it has none.
    pub frequency: Option<f64>,
    /// Parameters the source states (name → value as written, with units).
    pub parameters: BTreeMap<String, String>,
    /// How the library covers it.
    pub mapping: Mapping,
    /// Free text.
    pub note: String,
}

/// How the library covers a catalogue entry.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Mapping {
    /// These scenarios together express the entry fully.
    Covered {
        /// Library scenario ids (at least one).
        scenarios: Vec<String>,
    },
    /// These scenarios express part of the entry only.
    Partial {
        /// Library scenario ids (at least one).
        scenarios: Vec<String>,
        /// What they leave out.
        note: String,
    },
    /// The engine can express it but the library has no scenario for it yet.
    NotCovered {
        /// Why, and what would cover it.
        reason: String,
    },
    /// The engine cannot express it, or it lies outside the system's domain.
    OutOfScope {
        /// Why.
        reason: String,
    },
}

impl Mapping {
    /// The mapped scenario ids (empty for an unmapped entry).
    pub fn scenarios(&self) -> &[String] {
        match self {
            Mapping::Covered { scenarios } | Mapping::Partial { scenarios, .. } => scenarios,
            Mapping::NotCovered { .. } | Mapping::OutOfScope { .. } => &[],
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename = "Catalogue", deny_unknown_fields)]
struct CatalogueFile {
    id: String,
    title: String,
    source: String,
    #[serde(default)]
    frequency_unit: Option<String>,
    #[serde(default)]
    note: String,
    entries: Vec<EntryFile>,
}

#[derive(Debug, Deserialize)]
#[serde(rename = "Entry", deny_unknown_fields)]
struct EntryFile {
    id: String,
    title: String,
    #[serde(default)]
    frequency: Option<f64>,
    #[serde(default)]
    parameters: BTreeMap<String, String>,
    #[serde(default)]
    covered_by: Option<Vec<String>>,
    #[serde(default)]
    partial: Option<String>,
    #[serde(default)]
    not_covered: Option<String>,
    #[serde(default)]
    out_of_scope: Option<String>,
    #[serde(default)]
    note: String,
}

impl Catalogue {
    /// Reads and validates the catalogue at `path`; with `scenarios`, every mapped scenario id
    /// must be one of them.
    ///
    /// # Errors
    ///
    /// A diagnostic with file, line, column and field path for an unreadable, malformed or
    /// inconsistent file.
    pub fn load(path: &Path, scenarios: Option<&BTreeSet<String>>) -> Result<Self, Diagnostic> {
        Self::from_source(&SourceFile::read(path)?, scenarios)
    }

    /// [`Catalogue::load`] from a source already read.
    ///
    /// # Errors
    ///
    /// As [`Catalogue::load`], except I/O.
    pub fn from_source(
        source: &SourceFile,
        scenarios: Option<&BTreeSet<String>>,
    ) -> Result<Self, Diagnostic> {
        let file: CatalogueFile = source.parse()?;
        validate(source, file, scenarios)
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&CatalogueEntry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

fn validate(
    source: &SourceFile,
    file: CatalogueFile,
    scenarios: Option<&BTreeSet<String>>,
) -> Result<Catalogue, Diagnostic> {
    let root = FieldPath::root();
    let error = |path: FieldPath, message: String| source.error_at(path, message);
    let non_empty = |path: FieldPath, text: &str, what: &str| {
        if text.trim().is_empty() { Err(error(path, format!("the {what} is empty"))) } else { Ok(()) }
    };
    if !crate::validate::is_snake_id(&file.id) {
        return Err(error(
            root.field("id"),
            format!("catalogue id `{}` must be lowercase snake_case, like `nhtsa_precrash`", file.id),
        ));
    }
    non_empty(root.field("title"), &file.title, "title")?;
    non_empty(root.field("source"), &file.source, "source")?;
    if let Some(unit) = &file.frequency_unit {
        non_empty(root.field("frequency_unit"), unit, "frequency unit")?;
    }
    if file.entries.is_empty() {
        return Err(error(root.field("entries"), "the catalogue has no entry".into()));
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut entries = Vec::with_capacity(file.entries.len());
    for (i, e) in file.entries.into_iter().enumerate() {
        let path = root.field("entries").index(i);
        non_empty(path.field("id"), &e.id, "entry id")?;
        if let Some(&first) = seen.get(&e.id) {
            let line = source
                .locate(&root.field("entries").index(first).field("id"))
                .map(|p| format!(" (first defined at line {})", p.line))
                .unwrap_or_default();
            return Err(error(path.field("id"), format!("duplicate entry `{}`{line}", e.id)));
        }
        seen.insert(e.id.clone(), i);
        non_empty(path.field("title"), &e.title, "title")?;
        match (&file.frequency_unit, e.frequency) {
            (None, Some(_)) => {
                return Err(error(
                    path.field("frequency"),
                    format!(
                        "entry `{}` has a frequency but the catalogue declares no `frequency_unit`",
                        e.id
                    ),
                ));
            }
            (Some(_), None) => {
                return Err(error(
                    path.field("id"),
                    format!(
                        "entry `{}` has no frequency; the catalogue declares a `frequency_unit`, so every entry needs one (write 0.0 where the source gives none and say so in `note`)",
                        e.id
                    ),
                ));
            }
            (_, Some(f)) if !f.is_finite() || f < 0.0 => {
                return Err(error(path.field("frequency"), format!("expected a frequency ≥ 0, found {f}")));
            }
            _ => {}
        }
        let mapping = mapping(source, &path, &e, scenarios)?;
        entries.push(CatalogueEntry {
            id: e.id,
            title: e.title,
            frequency: e.frequency,
            parameters: e.parameters,
            mapping,
            note: e.note,
        });
    }
    Ok(Catalogue {
        id: file.id,
        title: file.title,
        source: file.source,
        frequency_unit: file.frequency_unit,
        note: file.note,
        entries,
    })
}

/// The entry's mapping: exactly one of `covered_by` (with an optional `partial` note),
/// `not_covered` and `out_of_scope`.
fn mapping(
    source: &SourceFile,
    path: &FieldPath,
    e: &EntryFile,
    scenarios: Option<&BTreeSet<String>>,
) -> Result<Mapping, Diagnostic> {
    let given: Vec<&str> = [
        e.covered_by.as_ref().map(|_| "covered_by"),
        e.not_covered.as_ref().map(|_| "not_covered"),
        e.out_of_scope.as_ref().map(|_| "out_of_scope"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.len() != 1 {
        let what = if given.is_empty() { "none".to_owned() } else { given.join(" and ") };
        return Err(source.error_at(
            path.field("id"),
            format!(
                "entry `{}` must state exactly one of `covered_by`, `not_covered` and `out_of_scope` (found {what})",
                e.id
            ),
        ));
    }
    if e.partial.is_some() && e.covered_by.is_none() {
        return Err(source.error_at(
            path.field("partial"),
            format!("entry `{}`: `partial` qualifies `covered_by`, which it lacks", e.id),
        ));
    }
    let reason = |field: &str, text: &str| {
        if text.trim().is_empty() {
            Err(source.error_at(path.field(field), format!("entry `{}`: the reason is empty", e.id)))
        } else {
            Ok(text.to_owned())
        }
    };
    if let Some(r) = &e.not_covered {
        return Ok(Mapping::NotCovered { reason: reason("not_covered", r)? });
    }
    if let Some(r) = &e.out_of_scope {
        return Ok(Mapping::OutOfScope { reason: reason("out_of_scope", r)? });
    }
    let ids = e.covered_by.clone().unwrap_or_default();
    if ids.is_empty() {
        return Err(source.error_at(
            path.field("covered_by"),
            format!("entry `{}` is covered by no scenario (use `not_covered` with a reason)", e.id),
        ));
    }
    for (j, id) in ids.iter().enumerate() {
        let spath = path.field("covered_by").index(j);
        if ids[..j].contains(id) {
            return Err(source.error_at(spath, format!("scenario `{id}` is listed twice")));
        }
        if let Some(known) = scenarios
            && !known.contains(id)
        {
            let hint = closest_match(id, known.iter().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(source.error_at(spath, format!("unknown scenario `{id}`{hint}")));
        }
    }
    Ok(match &e.partial {
        Some(note) => Mapping::Partial { scenarios: ids, note: reason("partial", note)? },
        None => Mapping::Covered { scenarios: ids },
    })
}
