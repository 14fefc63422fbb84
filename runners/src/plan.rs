//! Job planning: which (scenario, seed) pairs a sweep runs, in which order.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use gauntlet_reports::record::JobKind;
use gauntlet_scenarios::{Scenario, ScenarioError, discover};
use gauntlet_taxonomy::Taxonomy;

/// One job of a sweep: a scenario instance to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Index into the sweep's scenario list.
    pub scenario: usize,
    /// Seed of the instance (seeds the world's own randomness; also picks
    /// the parameter values when `values` is `None`).
    pub seed: u64,
    /// Why it runs.
    pub kind: JobKind,
    /// Given parameter values (fuzzed or saved regressions); `None` samples them from the seed.
    pub values: Option<Arc<BTreeMap<String, f64>>>,
}

impl Job {
    /// A plain job: scenario × seed.
    pub fn seeded(scenario: usize, seed: u64, kind: JobKind) -> Self {
        Self { scenario, seed, kind, values: None }
    }
}

/// Every scenario of a sweep, loaded and validated.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// In the order jobs are planned (path order).
    pub scenarios: Vec<Arc<Scenario>>,
}

/// Scenarios that failed to load; every file's problems are listed.
#[derive(Debug, thiserror::Error)]
#[error("{} scenario file(s) are invalid:\n{}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct LoadError(pub Vec<ScenarioError>);

impl Library {
    /// Loads every `.ron` file under `paths`; any invalid file fails the whole load.
    pub fn load(paths: &[PathBuf]) -> Result<Self, LoadError> {
        let files = discover(paths).map_err(|e| LoadError(vec![e]))?;
        let mut scenarios = Vec::with_capacity(files.len());
        let mut errors = Vec::new();
        for f in files {
            match Scenario::load(&f) {
                Ok(s) => scenarios.push(Arc::new(s)),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(LoadError(errors));
        }
        let mut seen = std::collections::BTreeMap::new();
        for s in &scenarios {
            if let Some(other) = seen.insert(s.id().to_owned(), s.path().to_path_buf()) {
                return Err(LoadError(vec![ScenarioError::single(gauntlet_ron_source::Diagnostic::new(
                    s.path(),
                    format!("scenario id {:?} is also used by {}", s.id(), other.display()),
                ))]));
            }
        }
        Ok(Self { scenarios })
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

    /// Every scenario × seeds `0..seeds` (seed 0 is the nominal instance), riskiest
    /// scenarios first; all seeds of a scenario stay together.
    pub fn plan(&self, seeds: u64, taxonomy: &Taxonomy) -> Vec<Job> {
        let mut jobs = Vec::with_capacity(self.scenarios.len() * seeds as usize);
        for i in self.risk_order(taxonomy) {
            for seed in 0..seeds {
                jobs.push(Job::seeded(i, seed, JobKind::Run));
            }
        }
        jobs
    }
}
