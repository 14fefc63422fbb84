//! The regression corpus at work: re-running every saved regression before a
//! sweep's new jobs, and replaying one regression file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use gauntlet_engine::{RunOptions, Simulation, WorldSpec};
use gauntlet_reports::record::{AdapterRef, JobKind, Outcome, RunRecord};
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::mutation::{FuzzSpace, Genome};
use gauntlet_scenarios::regression::{self, Regression};

use super::FuzzError;
use super::objective::violates;
use super::probe::{Machine, Ran, annotate, describe};
use crate::adapter::{AdapterFactory, AdapterSpec};
use crate::commands::replay::{ReplayConfig, ReplayReport, write_trace_csv};
use crate::error::RunnerError;
use crate::record::{JobContext, build_record, error_record};

/// How a saved regression fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegressionStatus {
    /// It still violates its criterion.
    StillFailing,
    /// Its criterion now holds.
    Fixed,
    /// It could not be judged (adapter or engine error, or its instance no
    /// longer fits the scenario).
    Error(String),
}

/// One saved regression, re-run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegressionResult {
    /// The regression file.
    pub path: PathBuf,
    /// Scenario id.
    pub scenario: String,
    /// The criterion it violated when saved.
    pub criterion: String,
    /// How it fared now.
    pub status: RegressionStatus,
    /// Whether the run reproduced the saved trace hash bit for bit.
    pub same_trace: bool,
    /// Whether the scenario file changed since the regression was saved.
    pub file_changed: bool,
}

/// The regressions a sweep re-ran, and those it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegressionRun {
    /// Re-run, in file order.
    pub results: Vec<RegressionResult>,
    /// Left out, with the reason (scenario not in the sweep, saved for another adapter).
    pub skipped: Vec<(PathBuf, String)>,
}

impl RegressionRun {
    /// Regressions that still fail.
    pub fn still_failing(&self) -> usize {
        self.results.iter().filter(|r| r.status == RegressionStatus::StillFailing).count()
    }

    /// Regressions whose criterion now holds.
    pub fn fixed(&self) -> usize {
        self.results.iter().filter(|r| r.status == RegressionStatus::Fixed).count()
    }

    /// One line per regression re-run, then a count line; empty when there was nothing.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.results.is_empty() && self.skipped.is_empty() {
            return out;
        }
        for r in &self.results {
            let status = match &r.status {
                RegressionStatus::StillFailing => "still failing".to_owned(),
                RegressionStatus::Fixed => "fixed".to_owned(),
                RegressionStatus::Error(e) => format!("error: {e}"),
            };
            let mut notes = Vec::new();
            if r.status == RegressionStatus::StillFailing && r.same_trace {
                notes.push("same trace");
            }
            if r.file_changed {
                notes.push("scenario changed since saved");
            }
            let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
            let _ = writeln!(
                out,
                "regression {} [{} {}]: {status}{notes}",
                r.path.display(),
                r.scenario,
                r.criterion
            );
        }
        let _ = writeln!(
            out,
            "regressions: {} re-run, {} still failing, {} fixed, {} skipped (other scenarios or adapters)",
            self.results.len(),
            self.still_failing(),
            self.fixed(),
            self.skipped.len()
        );
        out
    }
}

/// Re-runs every regression saved in `dir` whose scenario is among
/// `scenarios` (by id), that `include` accepts (scenario id, seed: a shard's
/// filter) and that was saved for the adapter this sweep drives (by
/// reported name), as `regression` jobs on the worker pool, handing
/// their records to `sink` in file order. A missing folder holds none.
pub fn rerun_regressions(
    dir: &Path,
    scenarios: &[Arc<Scenario>],
    include: &dyn Fn(&str, u64) -> bool,
    factory: &AdapterFactory,
    adapter: &AdapterRef,
    threads: usize,
    sink: &mut dyn FnMut(RunRecord) -> Result<(), FuzzError>,
) -> Result<RegressionRun, FuzzError> {
    let mut run = RegressionRun::default();
    let mut spaces: BTreeMap<String, Arc<FuzzSpace>> = BTreeMap::new();
    let mut due: Vec<(PathBuf, Regression, Arc<FuzzSpace>)> = Vec::new();
    for (path, r) in regression::list(dir)? {
        let Some(scenario) = scenarios.iter().find(|s| s.id() == r.scenario) else {
            run.skipped.push((path, format!("scenario {} is not in this sweep", r.scenario)));
            continue;
        };
        if !include(&r.scenario, r.instance.seed) {
            run.skipped.push((path, "not in this shard".to_owned()));
            continue;
        }
        if r.adapter.name != adapter.name {
            run.skipped.push((path, format!("saved for adapter {}", r.adapter.name)));
            continue;
        }
        let space = match spaces.get(&r.scenario) {
            Some(space) => Arc::clone(space),
            None => {
                let space = Arc::new(FuzzSpace::new(Arc::clone(scenario))?);
                spaces.insert(r.scenario.clone(), Arc::clone(&space));
                space
            }
        };
        due.push((path, r, space));
    }
    let machine = Machine { factory, adapter, threads };
    let probes: Vec<(&FuzzSpace, &Genome)> = due.iter().map(|(_, r, s)| (s.as_ref(), &r.instance)).collect();
    let results = machine.run(&probes, JobKind::Regression)?;
    for ((path, r, space), ran) in due.iter().zip(results) {
        let scenario = space.scenario();
        let replay = format!("gauntlet replay {}", shell_words::quote(&path.display().to_string()));
        let file_changed = scenario.file_hash() != r.file_hash;
        let (mut record, status) = match ran {
            Ran::Record(record) => {
                let status = if record.outcome == Outcome::Error {
                    RegressionStatus::Error(
                        record.error.as_ref().map_or_else(|| "error".to_owned(), |e| e.message.clone()),
                    )
                } else if violates(&record, &r.criterion) {
                    RegressionStatus::StillFailing
                } else {
                    RegressionStatus::Fixed
                };
                (*record, status)
            }
            Ran::Invalid(message) => {
                let ctx = JobContext {
                    scenario,
                    seed: r.instance.seed,
                    kind: JobKind::Regression,
                    params: &r.instance.values,
                    adapter,
                    wall_ms: 0.0,
                    replay: replay.clone(),
                };
                let mut record = error_record(&ctx, "invalid_parameters", message.clone());
                describe(&mut record, space, &r.instance);
                (record, RegressionStatus::Error(message))
            }
        };
        record.replay = replay;
        annotate(&mut record, "regression", serde_json::json!(path.display().to_string()));
        let same_trace = record.trace_hash == r.trace_hash;
        sink(record)?;
        run.results.push(RegressionResult {
            path: path.clone(),
            scenario: r.scenario.clone(),
            criterion: r.criterion.clone(),
            status,
            same_trace,
            file_changed,
        });
    }
    Ok(run)
}

/// A regression file, its scenario's fuzz space, and the concrete scenario of its instance.
fn load_regression(path: &Path) -> Result<(Regression, FuzzSpace, Scenario), RunnerError> {
    let r = Regression::load(path).map_err(FuzzError::from)?;
    let scenario = Scenario::load(Path::new(&r.file))?;
    let space = FuzzSpace::new(Arc::new(scenario))?;
    let fuzzed = space.instantiate(&r.instance)?;
    Ok((r, space, fuzzed))
}

/// The world a regression file replays (for the replay viewer).
pub fn regression_world(path: &Path) -> Result<WorldSpec, RunnerError> {
    let (r, _, fuzzed) = load_regression(path)?;
    Ok(fuzzed.instance(r.instance.seed).world)
}

/// Replays one regression file, bit for bit: its scenario file (as saved in
/// the regression, relative to the working directory) with the saved
/// instance. The adapter is the one the regression failed against unless
/// `--adapter` names another than the default.
pub fn replay_regression(config: &ReplayConfig) -> Result<ReplayReport, RunnerError> {
    let (r, space, fuzzed) = load_regression(&config.scenario)?;
    let file_changed = space.scenario().file_hash() != r.file_hash;
    let spec: AdapterSpec =
        if config.adapter.to_string() == crate::DEFAULT_ADAPTER && r.adapter.spec != crate::DEFAULT_ADAPTER {
            r.adapter.spec.parse()?
        } else {
            config.adapter.clone()
        };
    let factory = AdapterFactory::new(&spec, &config.exec)?;
    let info = factory.preflight()?;
    let adapter_ref = AdapterRef { spec: spec.to_string(), name: info.name, version: info.version };
    let mut adapter = factory.make();
    let instance = fuzzed.instance(r.instance.seed);
    let start = Instant::now();
    let mut result = Simulation::run(&instance.world, adapter.as_mut(), RunOptions { record_trace: true });
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    drop(adapter);
    factory.finish_log()?;
    let trace = result.trace.take().unwrap_or_default();
    let ctx = JobContext {
        scenario: &fuzzed,
        seed: r.instance.seed,
        kind: JobKind::Regression,
        params: &instance.params,
        adapter: &adapter_ref,
        wall_ms,
        replay: format!("gauntlet replay {}", shell_words::quote(&config.scenario.display().to_string())),
    };
    let mut record = build_record(&ctx, &result);
    describe(&mut record, &space, &r.instance);
    annotate(&mut record, "regression", serde_json::json!(config.scenario.display().to_string()));
    annotate(
        &mut record,
        "saved",
        serde_json::json!({
            "criterion": r.criterion,
            "trace_hash": r.trace_hash,
            "adapter": r.adapter.spec,
            "file_changed": file_changed,
        }),
    );
    if let Some(path) = &config.trace_csv {
        write_trace_csv(path, &trace)?;
    }
    Ok(ReplayReport { record, trace })
}
