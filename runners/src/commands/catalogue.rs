//! `gauntlet coverage --catalogue NAME|FILE`: coverage of a catalogue (NHTSA pre-crash typology,
//! UN R157 Annex 5, Euro NCAP AEB/LSS) by a records file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gauntlet_reports::coverage::job_facts;
use gauntlet_ron_source::{Diagnostic, SourceFile};
use gauntlet_scenarios::{Scenario, discover};
use gauntlet_taxonomy::{Catalogue, CatalogueCoverage, catalogue_coverage};

use crate::error::RunnerError;

/// Where catalogue files live, relative to the working directory.
pub const CATALOGUE_DIR: &str = "scenarios/catalogues";

/// The shipped catalogues, built into the binary: (file stem, text).
pub const BUILTIN_CATALOGUES: [(&str, &str); 3] = [
    ("nhtsa_precrash", include_str!("../../../scenarios/catalogues/nhtsa_precrash.ron")),
    ("r157_annex5", include_str!("../../../scenarios/catalogues/r157_annex5.ron")),
    ("euro_ncap_aeb_lss", include_str!("../../../scenarios/catalogues/euro_ncap_aeb_lss.ron")),
];

fn catalogue_error(file: &str, message: String) -> RunnerError {
    RunnerError::Catalogue(Box::new(Diagnostic::new(file, message)))
}

/// The scenario ids of the files under `library`.
///
/// # Errors
///
/// A library path that cannot be read or holds an invalid scenario file.
pub fn library_ids(library: &Path) -> Result<BTreeSet<String>, RunnerError> {
    let mut ids = BTreeSet::new();
    for path in discover(&[library.to_path_buf()])? {
        ids.insert(Scenario::load(&path)?.id().to_owned());
    }
    Ok(ids)
}

/// Which catalogue `name` means: an existing file; else `scenarios/catalogues/NAME.ron` here;
/// else a shipped catalogue whose stem is `name` or starts with `name_` (`nhtsa` →
/// `nhtsa_precrash`), read from `scenarios/catalogues/` when the file is here, else the copy
/// built into the binary. Validated against `scenarios` when given.
///
/// # Errors
///
/// An unknown name (with the shipped names), an ambiguous prefix, or an invalid file.
pub fn load_catalogue(name: &str, scenarios: Option<&BTreeSet<String>>) -> Result<Catalogue, RunnerError> {
    let as_path = PathBuf::from(name);
    let load =
        |path: &Path| Catalogue::load(path, scenarios).map_err(|d| RunnerError::Catalogue(Box::new(d)));
    if as_path.is_file() {
        return load(&as_path);
    }
    let here = Path::new(CATALOGUE_DIR).join(format!("{name}.ron"));
    if here.is_file() {
        return load(&here);
    }
    let matches: Vec<&(&str, &str)> = BUILTIN_CATALOGUES
        .iter()
        .filter(|(stem, _)| *stem == name || stem.starts_with(&format!("{name}_")))
        .collect();
    let names = || BUILTIN_CATALOGUES.iter().map(|(s, _)| format!("`{s}`")).collect::<Vec<_>>().join(", ");
    match matches.as_slice() {
        [(stem, text)] => {
            let file = Path::new(CATALOGUE_DIR).join(format!("{stem}.ron"));
            if file.is_file() {
                return load(&file);
            }
            Catalogue::from_source(&SourceFile::new(file, *text), scenarios)
                .map_err(|d| RunnerError::Catalogue(Box::new(d)))
        }
        [] => Err(catalogue_error(
            name,
            format!("no catalogue file `{name}` and no shipped catalogue of that name; shipped: {}", names()),
        )),
        _ => Err(catalogue_error(name, format!("`{name}` names several shipped catalogues: {}", names()))),
    }
}

/// Coverage of `catalogue` by the records in `records` (duplicate records counted once).
///
/// # Errors
///
/// An unreadable records file.
pub fn coverage_of(
    records: &Path,
    catalogue: &Catalogue,
) -> Result<(CatalogueCoverage, Vec<String>), RunnerError> {
    let (all, warnings) = crate::commands::coverage::unique_records(records)?;
    let facts: Vec<_> = all.iter().map(job_facts).collect();
    Ok((catalogue_coverage(catalogue, &facts), warnings))
}
