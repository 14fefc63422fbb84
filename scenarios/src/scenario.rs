//! A validated scenario family and its concrete instances.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gauntlet_engine::WorldSpec;
use gauntlet_ron_source::{Diagnostic, SourceFile};

use crate::error::ScenarioError;
use crate::raw::ScenarioFile;
use crate::resolve::{Choose, Parameter, Walk};
use crate::start::{CHECKED_SEEDS, start_problems};

/// A scenario file, parsed and validated: every instance it can produce is valid.
#[derive(Debug, Clone)]
pub struct Scenario {
    file: ScenarioFile,
    source: SourceFile,
    file_hash: String,
    parameters: Vec<Parameter>,
    /// What an import ignored (OpenSCENARIO's visual elements), one line each.
    notes: Vec<String>,
}

/// One concrete instance: the engine's world and the parameter values that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// What the engine runs.
    pub world: WorldSpec,
    /// Resolved value of every parameter, by field path.
    pub params: BTreeMap<String, f64>,
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        if crate::xosc::is_xosc(path) {
            return Self::load_xosc(path, None);
        }
        let source = SourceFile::read(path).map_err(ScenarioError::from)?;
        Self::from_source(source)
    }

    /// Imports and validates an OpenSCENARIO file ([`crate::xosc`]); `ego`
    /// names its ego entity. The scenario's source is the translated RON
    /// (what `gauntlet import` writes), its notes what the import ignored.
    pub fn load_xosc(path: &Path, ego: Option<&str>) -> Result<Self, ScenarioError> {
        if crate::xosc::distribution::is_distribution(path) {
            return Err(ScenarioError::single(Diagnostic::new(
                path,
                "a `ParameterValueDistribution` holds one scenario per run: `run`, `validate` and `list` take it, `replay` takes a record of one of its runs",
            )));
        }
        let imported = crate::xosc::import(path, ego).map_err(|e| ScenarioError::single(e.diagnostic()))?;
        Self::from_imported(path, imported)
    }

    /// Every scenario the file at `path` holds: the one of a scenario file,
    /// or one per run of an OpenSCENARIO `ParameterValueDistribution`
    /// ([`crate::xosc::distribution`]), in the distribution's order.
    pub fn load_all(path: &Path) -> Result<Vec<Self>, ScenarioError> {
        if !(crate::xosc::is_xosc(path) && crate::xosc::distribution::is_distribution(path)) {
            return Self::load(path).map(|s| vec![s]);
        }
        let runs =
            crate::xosc::distribution::imports(path).map_err(|e| ScenarioError::single(e.diagnostic()))?;
        runs.into_iter().map(|imported| Self::from_imported(path, imported)).collect()
    }

    /// Validates an imported OpenSCENARIO file, read from `path`.
    fn from_imported(path: &Path, imported: crate::xosc::Imported) -> Result<Self, ScenarioError> {
        let source = SourceFile::new(path, imported.ron());
        let mut scenario = Self::from_source(source).map_err(|e| ScenarioError {
            // Positions would be in the translated text, not in the file.
            diagnostics: e
                .diagnostics
                .into_iter()
                .map(|mut d| {
                    d.position = None;
                    d.message = format!("in the scenario translated from this file: {}", d.message);
                    d
                })
                .collect(),
        })?;
        scenario.notes = imported.notes;
        Ok(scenario)
    }

    /// What an import ignored (empty for RON files).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Validates a scenario held in memory.
    pub fn from_source(source: SourceFile) -> Result<Self, ScenarioError> {
        let file: ScenarioFile = source.parse().map_err(ScenarioError::from)?;
        let mut walk = Walk::new(Choose::Nominal);
        walk.world(&file, 0);
        if !walk.failed() {
            // Starting states that already violate a criterion, in the
            // instances the default sweep runs (one problem per field).
            for seed in 0..CHECKED_SEEDS {
                let mut seeded = Walk::new(Choose::Seeded(seed));
                let world = seeded.world(&file, seed);
                for (path, msg) in start_problems(&world, file.actors.len()) {
                    if walk.errors.iter().any(|(p, _)| *p == path) {
                        continue;
                    }
                    let msg = if seed == 0 { msg } else { format!("{msg} (in the instance of seed {seed})") };
                    walk.errors.push((path, msg));
                }
            }
        }
        if walk.failed() {
            let mut diagnostics: Vec<Diagnostic> = walk.diagnostics(&source);
            diagnostics.sort_by_key(|d| d.position.map(|p| (p.line, p.column)));
            return Err(ScenarioError { diagnostics });
        }
        let file_hash = blake3::hash(source.text.as_bytes()).to_hex().to_string();
        Ok(Self { file, source, file_hash, parameters: walk.parameters, notes: Vec::new() })
    }

    /// Scenario id.
    pub fn id(&self) -> &str {
        &self.file.id
    }
    /// One-line title.
    pub fn title(&self) -> &str {
        &self.file.title
    }
    /// Free-text description.
    pub fn description(&self) -> &str {
        &self.file.description
    }
    /// Taxonomy tags (dimension → value).
    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.file.tags
    }
    /// Hazard ids.
    pub fn hazards(&self) -> &[String] {
        &self.file.hazards
    }
    /// The file it came from.
    pub fn path(&self) -> &Path {
        &self.source.path
    }
    /// The file's text.
    pub fn source(&self) -> &SourceFile {
        &self.source
    }
    /// blake3 of the file's bytes, hex.
    pub fn file_hash(&self) -> &str {
        &self.file_hash
    }
    /// The raw file (for tools that edit scenarios).
    pub fn file(&self) -> &ScenarioFile {
        &self.file
    }
    /// Every parameter (numbers given as a range or choice), in file order.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The instance for `seed`: seed 0 is the nominal instance; other seeds
    /// sample every parameter from its own stream, so the same (file, seed)
    /// always gives the same instance.
    pub fn instance(&self, seed: u64) -> Instance {
        let mut walk = Walk::new(Choose::Seeded(seed));
        let world = walk.world(&self.file, seed);
        debug_assert!(!walk.failed(), "validated scenarios produce valid instances");
        Instance { world, params: walk.values }
    }

    /// The instance with the given parameter values (missing ones nominal).
    /// `seed` still seeds the world's own randomness (sensor noise, dropout).
    pub fn instance_with(
        &self,
        seed: u64,
        values: &BTreeMap<String, f64>,
    ) -> Result<Instance, ScenarioError> {
        if let Some(unknown) = values.keys().find(|k| !self.parameters.iter().any(|p| &p.path == *k)) {
            return Err(ScenarioError {
                diagnostics: vec![Diagnostic::new(
                    &self.source.path,
                    format!("{unknown:?} is not a parameter of this scenario"),
                )],
            });
        }
        let mut walk = Walk::new(Choose::Given(values));
        let world = walk.world(&self.file, seed);
        if walk.failed() {
            let diagnostics = walk.diagnostics(&self.source);
            return Err(ScenarioError { diagnostics });
        }
        Ok(Instance { world, params: walk.values })
    }
}

/// Every `.ron` file under the given files and folders, sorted, without
/// duplicates (see [`discover_all`], whose warnings this drops).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    discover_all(paths).map(|d| d.files)
}

/// What [`discover_all`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovered {
    /// The `.ron` files, sorted; a file reached through several links once,
    /// under its smallest path.
    pub files: Vec<PathBuf>,
    /// What was passed over, in walk order.
    pub warnings: Vec<DiscoverWarning>,
}

/// Something [`discover_all`] passed over rather than open or enter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoverWarning {
    /// A `.ron` name that is not a regular file (a FIFO, socket or device):
    /// opening it could block forever.
    #[error("{}: skipped: a {kind} named like a scenario file, not a regular file", path.display())]
    NotRegular {
        /// The entry.
        path: PathBuf,
        /// What it is: `FIFO`, `socket`, `character device`, …
        kind: &'static str,
    },
    /// A link to a folder already walked (a symlink loop, or a second way
    /// into the same folder): not entered again.
    #[error("{}: skipped: links to {}, a folder already walked (a symlink loop?)", path.display(), target.display())]
    FolderVisited {
        /// The link.
        path: PathBuf,
        /// The folder it resolves to.
        target: PathBuf,
    },
}

/// Every `.ron` file under the given files and folders, sorted, without
/// duplicates, walking hostile trees safely: no folder is entered twice
/// (symlink loops end), a file reached twice through links counts once,
/// and `.ron` entries that are not regular files (FIFOs, sockets, devices)
/// are skipped with a warning instead of opened. A path named directly
/// that is neither a folder nor a regular file is an error.
pub fn discover_all(paths: &[PathBuf]) -> Result<Discovered, ScenarioError> {
    let mut walk = DiscoverWalk::default();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| ScenarioError::single(Diagnostic::new(p, format!("cannot read: {e}"))))?;
        if meta.is_dir() {
            walk.folder(p)?;
        } else if meta.is_file() {
            walk.file(p);
        } else {
            return Err(ScenarioError::single(Diagnostic::new(
                p,
                format!("not a regular file or folder (a {})", file_kind(&meta.file_type())),
            )));
        }
    }
    let mut files: Vec<PathBuf> = walk.files.into_values().collect();
    files.sort();
    Ok(Discovered { files, warnings: walk.warnings })
}

#[derive(Default)]
struct DiscoverWalk {
    /// Canonical folders entered.
    folders: BTreeSet<PathBuf>,
    /// Canonical file → the smallest path it was found under.
    files: BTreeMap<PathBuf, PathBuf>,
    warnings: Vec<DiscoverWarning>,
}

impl DiscoverWalk {
    fn file(&mut self, path: &Path) {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let slot = self.files.entry(canonical).or_insert_with(|| path.to_path_buf());
        if path < slot.as_path() {
            *slot = path.to_path_buf();
        }
    }

    fn folder(&mut self, path: &Path) -> Result<(), ScenarioError> {
        let listing = |e: std::io::Error| {
            ScenarioError::single(Diagnostic::new(path, format!("cannot list the folder: {e}")))
        };
        let canonical = std::fs::canonicalize(path).map_err(listing)?;
        if !self.folders.insert(canonical.clone()) {
            self.warnings
                .push(DiscoverWarning::FolderVisited { path: path.to_path_buf(), target: canonical });
            return Ok(());
        }
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(path).map_err(listing)? {
            entries.push(entry.map_err(listing)?.path());
        }
        entries.sort();
        for p in entries {
            // Follows links; a broken link is not a folder, and a `.ron` one
            // is listed so that loading it reports the problem.
            let Ok(meta) = std::fs::metadata(&p) else {
                if is_scenario_file(&p) {
                    self.files.insert(p.clone(), p);
                }
                continue;
            };
            if meta.is_dir() {
                self.folder(&p)?;
            } else if is_scenario_file(&p) {
                if meta.is_file() {
                    self.file(&p);
                } else {
                    self.warnings
                        .push(DiscoverWarning::NotRegular { path: p, kind: file_kind(&meta.file_type()) });
                }
            }
        }
        Ok(())
    }
}

/// A `.ron` scenario or an OpenSCENARIO `.xosc` file (not a catalog).
fn is_scenario_file(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "ron") || (crate::xosc::is_xosc(p) && !crate::xosc::is_catalog(p))
}

/// What a file type is, in words.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_socket() {
            return "socket";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
    }
    if t.is_dir() {
        "folder"
    } else if t.is_file() {
        "regular file"
    } else {
        "special file"
    }
}
