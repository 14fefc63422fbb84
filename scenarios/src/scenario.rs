//! A validated scenario family and its concrete instances.

use std::collections::BTreeMap;
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
        let source = SourceFile::read(path).map_err(ScenarioError::from)?;
        Self::from_source(source)
    }

    /// Validates a scenario held in memory.
    pub fn from_source(source: SourceFile) -> Result<Self, ScenarioError> {
        let file: ScenarioFile = source.parse().map_err(ScenarioError::from)?;
        let mut walk = Walk::new(Choose::Nominal);
        walk.world(&file, 0);
        if walk.errors.is_empty() {
            // Starting states that already violate a criterion, in the
            // instances the default sweep runs (one problem per field).
            for seed in 0..CHECKED_SEEDS {
                let mut seeded = Walk::new(Choose::Seeded(seed));
                let world = seeded.world(&file, seed);
                for (path, msg) in start_problems(&world) {
                    if walk.errors.iter().any(|(p, _)| *p == path) {
                        continue;
                    }
                    let msg = if seed == 0 { msg } else { format!("{msg} (in the instance of seed {seed})") };
                    walk.errors.push((path, msg));
                }
            }
        }
        if !walk.errors.is_empty() {
            let mut diagnostics: Vec<Diagnostic> =
                walk.errors.into_iter().map(|(path, msg)| source.error_at(path, msg)).collect();
            diagnostics.sort_by_key(|d| d.position.map(|p| (p.line, p.column)));
            return Err(ScenarioError { diagnostics });
        }
        let file_hash = blake3::hash(source.text.as_bytes()).to_hex().to_string();
        Ok(Self { file, source, file_hash, parameters: walk.parameters })
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
        debug_assert!(walk.errors.is_empty(), "validated scenarios produce valid instances");
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
        if !walk.errors.is_empty() {
            let diagnostics =
                walk.errors.into_iter().map(|(path, msg)| self.source.error_at(path, msg)).collect();
            return Err(ScenarioError { diagnostics });
        }
        Ok(Instance { world, params: walk.values })
    }
}

/// Every `.ron` file under the given files and folders, sorted, without duplicates.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut out = Vec::new();
    for p in paths {
        collect(p, &mut out)?;
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), ScenarioError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| ScenarioError::single(Diagnostic::new(path, format!("cannot read: {e}"))))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| ScenarioError::single(Diagnostic::new(path, format!("cannot list the folder: {e}"))))?;
    for entry in entries {
        let entry = entry.map_err(|e| {
            ScenarioError::single(Diagnostic::new(path, format!("cannot list the folder: {e}")))
        })?;
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "ron") {
            out.push(p);
        }
    }
    Ok(())
}
