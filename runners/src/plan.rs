//! What a sweep runs: the library of scenario and regression files, and the
//! jobs planned from it — saved regressions first, then every scenario ×
//! seed, riskiest scenarios first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gauntlet_reports::record::{AdapterRef, JobSource};
use gauntlet_scenarios::mutation::FuzzSpace;
use gauntlet_scenarios::regression::{self, Regression, is_regression_file};
use gauntlet_scenarios::{DiscoverWarning, Scenario, ScenarioError, discover_all};
use gauntlet_taxonomy::Taxonomy;

use crate::checks::{RequirementCheck, requirement_checks};
use crate::job::Job;

/// A saved regression, loaded with its scenario.
#[derive(Debug, Clone)]
pub struct SavedRegression {
    /// The regression file, as found.
    pub path: PathBuf,
    /// Its contents.
    pub regression: Regression,
    /// The fuzz space of its scenario, which builds its instance.
    pub space: Arc<FuzzSpace>,
    /// Named on the command line (always run), rather than found in the
    /// regressions folder (run only for the adapter it failed against).
    pub named: bool,
}

impl SavedRegression {
    /// Loads the regression at `path` and its scenario (the file it names,
    /// relative to the regression's folder); a scenario of `known` with the
    /// same id and file is shared rather than loaded again.
    pub fn load(path: &Path, known: &[Arc<Scenario>], named: bool) -> Result<Self, ScenarioError> {
        Self::with_scenario(path, read_regression(path)?, known, named)
    }

    /// [`load`](Self::load) of a regression file already read.
    fn with_scenario(
        path: &Path,
        regression: Regression,
        known: &[Arc<Scenario>],
        named: bool,
    ) -> Result<Self, ScenarioError> {
        let file = regression.scenario_file(path);
        let same_file = |s: &Scenario| regression::normalize(s.path()) == file;
        let scenario = match known.iter().find(|s| s.id() == regression.scenario && same_file(s)) {
            Some(s) => Arc::clone(s),
            None => Arc::new(Scenario::load(&file).map_err(|mut e| {
                for d in &mut e.diagnostics {
                    d.message = format!("{} (the scenario of regression {})", d.message, path.display());
                }
                e
            })?),
        };
        if scenario.id() != regression.scenario {
            return Err(ScenarioError::single(gauntlet_ron_source::Diagnostic::new(
                path,
                format!(
                    "the regression is of scenario {:?}, but {} holds scenario {:?}",
                    regression.scenario,
                    file.display(),
                    scenario.id()
                ),
            )));
        }
        let space = Arc::new(FuzzSpace::new(scenario)?);
        // The instance must still fit the scenario (it may have been edited since).
        space.instantiate(&regression.instance)?;
        Ok(Self { path: path.to_path_buf(), regression, space, named })
    }

    /// Its job: the saved instance, or with `seed` the same values and
    /// mutations at another seed of the world's randomness.
    pub fn job(&self, seed: Option<u64>) -> Job {
        let r = &self.regression;
        let mut instance = r.instance.clone();
        if let Some(seed) = seed {
            instance.seed = seed;
        }
        let source = JobSource::Regression {
            regression: self.path.display().to_string(),
            criterion: r.criterion.clone(),
            saved_trace_hash: r.trace_hash.clone(),
            instance,
        };
        Job::given(Arc::clone(&self.space), source)
            .unwrap_or_else(|_| unreachable!("a regression has an instance"))
    }

    /// Whether the scenario file changed since the regression was saved.
    pub fn file_changed(&self) -> bool {
        self.space.scenario().file_hash() != self.regression.file_hash
    }
}

/// Reads a regression file; its problems as a scenario error (file, line, column).
fn read_regression(path: &Path) -> Result<Regression, ScenarioError> {
    Regression::load(path).map_err(|e| match e {
        regression::RegressionError::Invalid(d) => ScenarioError::single(d),
        other => ScenarioError::single(gauntlet_ron_source::Diagnostic::new(path, other.to_string())),
    })
}

/// Every scenario and regression of a sweep, loaded and validated.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Scenarios, in path order.
    pub scenarios: Vec<Arc<Scenario>>,
    /// Saved regressions, in path order: those named among the paths, then
    /// those of the regressions folder whose scenario is in the library.
    pub regressions: Vec<SavedRegression>,
    /// Entries the walk passed over (symlink loops, FIFOs named `*.ron`, …).
    pub warnings: Vec<DiscoverWarning>,
}

/// Files that failed to load; every file's problems are listed.
#[derive(Debug, thiserror::Error)]
#[error("{} scenario or regression file(s) are invalid:\n{}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct LoadError(pub Vec<ScenarioError>);

/// A regression of the folder that a sweep leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The regression file.
    pub path: PathBuf,
    /// Why.
    pub reason: String,
}

/// The jobs of a sweep, in order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Regressions first, then scenario × seed in risk order.
    pub jobs: Vec<Job>,
    /// Regressions of the folder not planned (saved for another adapter).
    pub left_out: Vec<LeftOut>,
}

impl Library {
    /// Loads every `.ron` file under `paths` (scenarios and regressions), then
    /// the regressions of `regressions` (a folder; missing means none) whose
    /// scenario is among the scenarios. Any invalid file fails the whole load.
    pub fn load_with(paths: &[PathBuf], regressions: Option<&Path>) -> Result<Self, LoadError> {
        let discovered = discover_all(paths).map_err(|e| LoadError(vec![e]))?;
        let files = discovered.files;
        let mut scenarios = Vec::with_capacity(files.len());
        let mut regression_files = Vec::new();
        let mut errors = Vec::new();
        for f in files {
            if is_regression_file(&f) {
                regression_files.push(f);
                continue;
            }
            // One scenario, or one per run of an OpenSCENARIO parameter distribution.
            match Scenario::load_all(&f) {
                Ok(all) => scenarios.extend(all.into_iter().map(Arc::new)),
                Err(e) => errors.push(e),
            }
        }
        let mut seen = BTreeMap::new();
        for s in &scenarios {
            if let Some(other) = seen.insert(s.id().to_owned(), s.path().to_path_buf()) {
                errors.push(ScenarioError::single(gauntlet_ron_source::Diagnostic::new(
                    s.path(),
                    format!("scenario id {:?} is also used by {}", s.id(), other.display()),
                )));
            }
        }
        let mut saved: Vec<SavedRegression> = Vec::new();
        for f in &regression_files {
            match SavedRegression::load(f, &scenarios, true) {
                Ok(r) => saved.push(r),
                Err(e) => errors.push(e),
            }
        }
        if let Some(dir) = regressions {
            let found = match regression::list_files(dir) {
                Ok(found) => found,
                Err(e) => {
                    errors.push(ScenarioError::single(gauntlet_ron_source::Diagnostic::new(
                        dir,
                        e.to_string(),
                    )));
                    Vec::new()
                }
            };
            let named: Vec<PathBuf> = saved.iter().map(|r| regression::normalize(&r.path)).collect();
            for f in found {
                if named.contains(&regression::normalize(&f)) {
                    continue;
                }
                // Only regressions of scenarios in this sweep; a file that cannot be read is an error.
                let loaded = read_regression(&f).and_then(|r| {
                    if seen.contains_key(&r.scenario) {
                        SavedRegression::with_scenario(&f, r, &scenarios, false).map(Some)
                    } else {
                        Ok(None)
                    }
                });
                match loaded {
                    Ok(Some(r)) => saved.push(r),
                    Ok(None) => {}
                    Err(e) => errors.push(e),
                }
            }
        }
        if !errors.is_empty() {
            return Err(LoadError(errors));
        }
        Ok(Self { scenarios, regressions: saved, warnings: discovered.warnings })
    }

    /// Loads every `.ron` file under `paths` (scenarios and regressions).
    pub fn load(paths: &[PathBuf]) -> Result<Self, LoadError> {
        Self::load_with(paths, None)
    }

    /// Scenario indices ordered by descending risk of the hazards each traces
    /// to (then by id), so a budget-limited sweep covers the highest risks first.
    pub fn risk_order(&self, taxonomy: &Taxonomy) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.scenarios.len()).collect();
        order.sort_by(|&a, &b| {
            let (sa, sb) = (&self.scenarios[a], &self.scenarios[b]);
            taxonomy
                .scenario_risk(sb.hazards())
                .cmp(&taxonomy.scenario_risk(sa.hazards()))
                .then_with(|| sa.id().cmp(sb.id()))
        });
        order
    }

    /// The sweep's jobs: every regression that applies to `adapter` (those
    /// named on the command line always; those of the folder when saved for
    /// an adapter of the same name), then every scenario × seeds `0..seeds`
    /// (seed 0 is the nominal instance), riskiest scenarios first, all seeds
    /// of a scenario together.
    ///
    /// Every job is scored against the checks of the requirements of the
    /// hazards its scenario names ([`crate::checks`]).
    pub fn plan(&self, seeds: u64, taxonomy: &Taxonomy, adapter: &AdapterRef) -> Plan {
        let checks_of =
            |s: &Scenario| -> Arc<[RequirementCheck]> { requirement_checks(taxonomy, s.hazards()).into() };
        let mut plan = Plan::default();
        for r in &self.regressions {
            if !r.named && r.regression.adapter.name != adapter.name {
                plan.left_out.push(LeftOut {
                    path: r.path.clone(),
                    reason: format!("saved for adapter {}", r.regression.adapter.name),
                });
                continue;
            }
            plan.jobs.push(r.job(None).with_checks(checks_of(r.space.scenario())));
        }
        plan.jobs.reserve(self.scenarios.len() * seeds as usize);
        for i in self.risk_order(taxonomy) {
            let checks = checks_of(&self.scenarios[i]);
            for seed in 0..seeds {
                plan.jobs
                    .push(Job::seeded(Arc::clone(&self.scenarios[i]), seed).with_checks(Arc::clone(&checks)));
            }
        }
        plan
    }
}
