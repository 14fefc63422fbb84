//! Regression files: failures found by fuzzing, shrunk, and saved as RON
//! (by default under `scenarios/regressions/`) so that every sweep re-runs
//! them, as proptest re-runs its persisted failures.
//!
//! A regression holds the fully resolved instance (seed, every parameter
//! value, every structural mutation) rather than a campaign seed: a seed
//! replays only while the generator is unchanged, a resolved instance as
//! long as its scenario file is. The file hash at save time tells whether
//! the scenario has changed since.
//!
//! The scenario file is named relative to the regression file's folder, so
//! a corpus stays valid in any clone and from any working folder (files
//! saved before this rule named it relative to the working folder; those
//! still load when the path exists there).
//!
//! ```ron
//! Regression(
//!     scenario: "lead_braking.highway",
//!     file: "../library/lead_braking.highway.ron",
//!     file_hash: "…",
//!     criterion: "no_collision",
//!     margin: -0.05,
//!     first_violation_t: Some(6.35),
//!     trace_hash: "…",
//!     engine_version: "0.1.0",
//!     adapter: (spec: "builtin:late-braker", name: "late-braker", version: "0.1.0"),
//!     // only in differential regressions (`fuzz --adapter NEW --against OLD`):
//!     against: Some((spec: "builtin:reference", name: "reference", version: "0.1.0", margin: 1.2, trace_hash: "…")),
//!     instance: (seed: 9, values: {"actors[0].s": 35.0, …}, mutations: (duration: Some(6.85))),
//!     seed_matters: false, // no sensor noise or dropout: the seed is no part of its identity
//!     original: (instance: (…), margin: -1.3),
//!     shrink: (simulations: 41, minimal: true),
//!     found_by: (strategy: "search", seed: 7, job: Some("lead_braking.highway/fuzz/9/3f2a…")),
//! )
//! ```

use std::path::{Path, PathBuf};

use gauntlet_ron_source::{Diagnostic, SourceFile};
use serde::{Deserialize, Serialize};

use crate::mutation::Genome;

/// A shrunk failure, as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Regression")]
pub struct Regression {
    /// Scenario id.
    pub scenario: String,
    /// The scenario file, relative to the regression file's folder (see
    /// [`Regression::scenario_file`]).
    pub file: String,
    /// blake3 of the scenario file's bytes when the regression was saved, hex.
    pub file_hash: String,
    /// The criterion the instance violates (a formula's name for a formula).
    pub criterion: String,
    /// When the criterion is a requirement formula: its STL text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// The requirements the violated verdict evidences (taxonomy ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    /// Its margin (negative).
    pub margin: f64,
    /// When it was first violated, s.
    pub first_violation_t: Option<f64>,
    /// Trace hash of the shrunk instance against `adapter` on `engine_version`.
    pub trace_hash: String,
    /// Engine version that found it.
    pub engine_version: String,
    /// The adapter that failed.
    pub adapter: SavedAdapter,
    /// A differential failure (`gauntlet fuzz --adapter NEW --against OLD`):
    /// the adapter that held the criterion on the same instance (`adapter`
    /// is NEW, the one that violates it). Absent in ordinary regressions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub against: Option<AgainstAdapter>,
    /// The shrunk instance.
    pub instance: Genome,
    /// Whether the instance draws random numbers (sensor noise or dropout).
    /// When it does not, its seed changes nothing and is no part of its identity.
    #[serde(default = "yes")]
    pub seed_matters: bool,
    /// The instance as the fuzzer found it.
    pub original: Original,
    /// How the shrinking went.
    pub shrink: ShrinkStats,
    /// The campaign that found it.
    pub found_by: FoundBy,
}

/// The adapter a regression failed against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedAdapter {
    /// As named on the command line (`builtin:late-braker`, `exec:…`).
    pub spec: String,
    /// The name it reported.
    pub name: String,
    /// The version it reported.
    pub version: String,
}

/// The adapter that held the criterion of a differential regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgainstAdapter {
    /// As named on the command line (`builtin:reference`, `exec:…`).
    pub spec: String,
    /// The name it reported.
    pub name: String,
    /// The version it reported.
    pub version: String,
    /// Its margin of the criterion on the shrunk instance (≥ 0: it holds).
    pub margin: f64,
    /// Its trace hash on the shrunk instance.
    pub trace_hash: String,
}

/// The failing instance before shrinking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Original {
    /// Its genome.
    pub instance: Genome,
    /// Its margin of the violated criterion.
    pub margin: f64,
}

/// What shrinking cost and achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShrinkStats {
    /// Simulations spent shrinking.
    pub simulations: u32,
    /// Whether the result is locally minimal (false: the shrink budget ran out first).
    pub minimal: bool,
}

/// The fuzz campaign that found a regression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FoundBy {
    /// `random` or `search`.
    pub strategy: String,
    /// The campaign seed.
    pub seed: u64,
    /// The id of the campaign's record of the failure as found (before shrinking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
}

/// Why a regression file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RegressionError {
    /// The file or folder could not be accessed.
    #[error("failed to access {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid regression.
    #[error(transparent)]
    Invalid(#[from] Diagnostic),
    /// The regression could not be written as RON.
    #[error("failed to write regression of {scenario} as RON: {source}")]
    Serialize {
        /// Scenario id.
        scenario: String,
        /// Cause.
        #[source]
        source: ron::Error,
    },
}

/// Where [`save`] put a regression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// A new file.
    New(PathBuf),
    /// An equal instance of the same scenario was already saved in this file.
    Duplicate(PathBuf),
}

impl Saved {
    /// The file holding the regression.
    pub fn path(&self) -> &Path {
        match self {
            Saved::New(p) | Saved::Duplicate(p) => p,
        }
    }
}

impl Regression {
    /// Reads a regression file.
    pub fn load(path: &Path) -> Result<Self, RegressionError> {
        Ok(SourceFile::read(path)?.parse()?)
    }

    /// The RON text of the file.
    pub fn to_ron(&self) -> Result<String, RegressionError> {
        let config = ron::ser::PrettyConfig::new().struct_names(false);
        let body = ron::ser::to_string_pretty(self, config)
            .map_err(|source| RegressionError::Serialize { scenario: self.scenario.clone(), source })?;
        Ok(format!(
            "// A failure found by `gauntlet fuzz`, shrunk; re-run by every `gauntlet run`.\n\
             // Replay: gauntlet replay <this file>\nRegression{body}\n"
        ))
    }

    /// Where the scenario file of the regression saved at `regression_path`
    /// is: `file` taken relative to the regression's folder (or as is when
    /// absolute); for files saved before that rule, relative to the working
    /// folder when only that path exists. Normalised lexically (`a/../b` is `b`).
    pub fn scenario_file(&self, regression_path: &Path) -> PathBuf {
        let file = Path::new(&self.file);
        let folder = regression_path.parent().unwrap_or(Path::new(""));
        let beside = normalize(&folder.join(file));
        if file.is_absolute() || beside.exists() || !file.exists() { beside } else { file.to_path_buf() }
    }

    /// The `file` to save for `scenario_path` in a regression saved in `dir`:
    /// the scenario's path relative to `dir` (both taken from the working folder).
    pub fn relative_file(dir: &Path, scenario_path: &Path) -> String {
        let absolute = |p: &Path| match std::env::current_dir() {
            Ok(cwd) if p.is_relative() => normalize(&cwd.join(p)),
            _ => normalize(p),
        };
        let (dir, scenario) = (absolute(dir), absolute(scenario_path));
        pathdiff::diff_paths(&scenario, &dir).unwrap_or(scenario).to_string_lossy().replace('\\', "/")
    }

    /// The identity of the saved instance: two regressions with equal keys
    /// are the same scenario and the same resolved instance.
    /// A differential regression's key also names the adapter it held
    /// against, so it is saved beside an ordinary one of the same instance.
    pub fn key(&self) -> String {
        let key = instance_key(&self.scenario, &self.instance, self.seed_matters);
        match &self.against {
            None => key,
            Some(a) => {
                let mut h = blake3::Hasher::new_derive_key("gauntlet differential regression v1");
                h.update(key.as_bytes());
                h.update(&[0]);
                h.update(a.spec.as_bytes());
                h.finalize().to_hex().to_string()
            }
        }
    }

    /// The file name it is saved under: `SCENARIO.KEY12.ron`.
    pub fn file_name(&self) -> String {
        format!("{}.{}.ron", self.scenario, &self.key()[..12])
    }
}

/// blake3 (hex) of a scenario id and a resolved instance (its seed left out
/// when `seed_matters` is false).
pub fn instance_key(scenario: &str, genome: &Genome, seed_matters: bool) -> String {
    let mut h = blake3::Hasher::new_derive_key("gauntlet regression instance v1");
    h.update(scenario.as_bytes());
    h.update(&[0]);
    let seedless;
    let genome = if seed_matters {
        genome
    } else {
        seedless = Genome { seed: 0, ..genome.clone() };
        &seedless
    };
    // Ordered maps and shortest round-trip floats: equal genomes, equal text.
    h.update(ron::to_string(genome).unwrap_or_default().as_bytes());
    h.finalize().to_hex().to_string()
}

/// `path` with `.` dropped and `name/..` pairs cancelled, without touching
/// the file system.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

fn yes() -> bool {
    true
}

/// Whether the file at `path` holds a regression (its first value is `Regression(`).
pub fn is_regression_file(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, tail)| tail);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, tail)| tail);
        } else {
            return rest.starts_with("Regression");
        }
    }
}

/// The paths of every `*.ron` file in `dir`, sorted. A missing folder holds none.
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, RegressionError> {
    let io = |source| RegressionError::Io { path: dir.to_path_buf(), source };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let p = entry.map_err(io)?.path();
        if p.is_file() && p.extension().is_some_and(|e| e == "ron") {
            paths.push(p);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Every regression file (`*.ron`) in `dir`, sorted by path. A missing folder holds none.
pub fn list(dir: &Path) -> Result<Vec<(PathBuf, Regression)>, RegressionError> {
    list_files(dir)?.into_iter().map(|p| Regression::load(&p).map(|r| (p, r))).collect()
}

/// Saves `regression` in `dir` (created if missing), unless an equal
/// instance of the same scenario is saved there already.
pub fn save(dir: &Path, regression: &Regression) -> Result<Saved, RegressionError> {
    let key = regression.key();
    for (path, existing) in list(dir)? {
        if existing.key() == key {
            return Ok(Saved::Duplicate(path));
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| RegressionError::Io { path: dir.to_path_buf(), source })?;
    let path = dir.join(regression.file_name());
    let text = regression.to_ron()?;
    std::fs::write(&path, text).map_err(|source| RegressionError::Io { path: path.clone(), source })?;
    Ok(Saved::New(path))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::mutation::{ExtraActor, Mutations, SensorFault};

    fn sample() -> Regression {
        let instance = Genome {
            seed: 42,
            values: BTreeMap::from([("ego.speed".to_owned(), 12.5), ("actors[0].s".to_owned(), 0.1 + 0.2)]),
            mutations: Mutations {
                actors: vec![ExtraActor {
                    template: "walker".into(),
                    values: BTreeMap::from([("s".to_owned(), 61.0)]),
                }],
                trigger_shifts: BTreeMap::from([("actors[0].behaviours[1].at".to_owned(), -0.35)]),
                sensor: SensorFault { noise_sigma: None, dropout: Some(0.2), latency_steps: Some(3) },
                duration: Some(6.85),
            },
        };
        Regression {
            scenario: "x.y".into(),
            file: "scenarios/library/x.y.ron".into(),
            file_hash: "ab".into(),
            criterion: "no_collision".into(),
            formula: None,
            requirements: Vec::new(),
            margin: -0.05,
            first_violation_t: Some(6.35),
            trace_hash: "cd".into(),
            engine_version: "0.1.0".into(),
            adapter: SavedAdapter {
                spec: "builtin:late-braker".into(),
                name: "late-braker".into(),
                version: "0.1.0".into(),
            },
            against: None,
            original: Original {
                instance: Genome { mutations: Mutations::default(), ..instance.clone() },
                margin: -1.5,
            },
            instance,
            seed_matters: true,
            shrink: ShrinkStats { simulations: 41, minimal: true },
            found_by: FoundBy { strategy: "search".into(), seed: 7, job: None },
        }
    }

    #[test]
    fn regressions_round_trip_through_files_and_are_saved_once() {
        let dir = std::env::temp_dir().join(format!("gauntlet-regression-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let r = sample();
        let first = save(&dir, &r).expect("saves");
        assert!(matches!(first, Saved::New(_)));
        assert!(is_regression_file(first.path()));
        assert_eq!(Regression::load(first.path()).expect("loads"), r);
        let mut again = r.clone();
        again.margin = -0.2; // a different run of the same instance
        assert_eq!(save(&dir, &again).expect("checks"), Saved::Duplicate(first.path().to_path_buf()));
        let mut other = r.clone();
        other.instance.seed += 1;
        assert!(matches!(save(&dir, &other).expect("saves"), Saved::New(_)));
        assert_eq!(list(&dir).expect("lists").len(), 2);
        // Without noise or dropout the seed changes nothing: the same instance.
        let mut seedless = r.clone();
        seedless.seed_matters = false;
        let mut reseeded = seedless.clone();
        reseeded.instance.seed += 7;
        assert_eq!(seedless.key(), reseeded.key());
        assert_ne!(seedless.key(), r.key());
        std::fs::remove_dir_all(&dir).expect("cleans up");
    }

    #[test]
    fn differential_regressions_round_trip_and_old_files_still_load() {
        let dir = std::env::temp_dir().join(format!("gauntlet-regression-diff-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let plain = sample();
        let diff = Regression {
            against: Some(AgainstAdapter {
                spec: "builtin:reference".into(),
                name: "reference".into(),
                version: "0.1.0".into(),
                margin: 1.25,
                trace_hash: "ef".into(),
            }),
            ..sample()
        };
        // The same instance, saved both as an ordinary and as a differential regression.
        assert_ne!(plain.key(), diff.key());
        let saved = save(&dir, &diff).expect("saves");
        assert!(matches!(save(&dir, &plain).expect("saves"), Saved::New(_)));
        let text = std::fs::read_to_string(saved.path()).expect("reads");
        assert!(text.contains("against:"), "{text}");
        assert_eq!(Regression::load(saved.path()).expect("loads"), diff);
        // A file written before the field loads with `against: None`.
        let old = plain.to_ron().expect("writes");
        assert!(!old.contains("against"));
        let path = dir.join("old.ron");
        std::fs::write(&path, old).expect("writes");
        assert_eq!(Regression::load(&path).expect("loads").against, None);
        std::fs::remove_dir_all(&dir).expect("cleans up");
    }

    #[test]
    fn scenario_files_are_named_relative_to_the_regression() {
        let r = Regression { file: "../library/x.ron".into(), ..sample() };
        assert_eq!(
            r.scenario_file(Path::new("scenarios/regressions/x.abc.ron")),
            PathBuf::from("scenarios/library/x.ron")
        );
        assert_eq!(
            Regression::relative_file(
                Path::new("scenarios/regressions"),
                Path::new("scenarios/library/x.ron")
            ),
            "../library/x.ron"
        );
        assert_eq!(normalize(Path::new("./a/b/../../c/./d")), PathBuf::from("c/d"));
        assert_eq!(normalize(Path::new("../a")), PathBuf::from("../a"));
    }

    #[test]
    fn scenario_files_are_not_regressions() {
        let lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("library/lead_braking.highway.ron");
        assert!(!is_regression_file(&lib));
        assert!(list(Path::new("/nonexistent/regressions")).expect("missing is empty").is_empty());
    }
}
