//! A job: one instance of one scenario, carrying its full identity, and the
//! one function that runs a job against an adapter and builds its record.
//!
//! Every way Gauntlet runs something goes through [`run_job`]: the sweep's
//! workers, regressions, fuzz generations and shrink probes, `replay`,
//! `replay --check-adapter` and the dashboard's trace re-runs. A record is
//! built once, from the job and the engine's result, and never edited: its
//! `source` says how to build the instance again, and its `replay` is the
//! command that does so.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use gauntlet_engine::{
    AdapterFaultKind, AutonomyAdapter, ENGINE_VERSION, EngineFault, RunError, RunOptions, RunResult,
    Simulation, TraceFrame,
};
use gauntlet_reports::monitors::{ActivationSpan, MonitorActivity};
use gauntlet_reports::record::{
    AdapterRef, ErrorKind, JobKey, JobKind, JobSource, Outcome, ParamValue, RecordError, RunRecord,
    SCHEMA_VERSION, Triage, Verdict, job_key,
};
use gauntlet_scenarios::mutation::FuzzSpace;
use gauntlet_scenarios::{Instance, Scenario, ScenarioError};

use crate::adapter::{AdapterFactory, AdapterSetupError, AdapterSpec};
use crate::checks::{
    RequirementCheck, evidenced_by, formula_evidenced_by, missing_criteria, missing_formulas,
};

/// One job: a scenario, a seed and how its instance is built.
#[derive(Debug, Clone)]
pub struct Job {
    scenario: Arc<Scenario>,
    seed: u64,
    source: JobSource,
    /// Turns a given instance into a scenario; `None` for seeded jobs.
    space: Option<Arc<FuzzSpace>>,
    /// The requirement checks it is scored against besides the scenario's criteria.
    checks: Arc<[RequirementCheck]>,
}

/// A job that cannot be made.
#[derive(Debug, thiserror::Error)]
#[error("a {kind} job needs an instance (values and mutations), but its source has none")]
pub struct MissingInstance {
    /// The kind of job asked for.
    pub kind: JobKind,
}

impl Job {
    /// The instance of `scenario` drawn from `seed` (seed 0: nominal).
    pub fn seeded(scenario: Arc<Scenario>, seed: u64) -> Self {
        Self { scenario, seed, source: JobSource::Seed, space: None, checks: Arc::from([]) }
    }

    /// A job whose instance is given by `source` (a regression or a fuzz
    /// instance), built through `space` (the fuzz space of its scenario).
    pub fn given(space: Arc<FuzzSpace>, source: JobSource) -> Result<Self, MissingInstance> {
        let seed = source.instance().ok_or(MissingInstance { kind: source.kind() })?.seed;
        Ok(Self {
            scenario: Arc::clone(space.scenario()),
            seed,
            source,
            space: Some(space),
            checks: Arc::from([]),
        })
    }

    /// A job of `scenario` built from `source`, making the fuzz space when
    /// the source gives an instance.
    pub fn from_source(scenario: Arc<Scenario>, seed: u64, source: JobSource) -> Result<Self, ScenarioError> {
        match source {
            JobSource::Seed => Ok(Self::seeded(scenario, seed)),
            source => {
                let space = Arc::new(FuzzSpace::new(scenario)?);
                Ok(Self::given(space, source).unwrap_or_else(|_| unreachable!("only `Seed` has no instance")))
            }
        }
    }

    /// The job scored against `checks` too ([`crate::checks::requirement_checks`]
    /// of its scenario's hazards).
    pub fn with_checks(mut self, checks: Arc<[RequirementCheck]>) -> Self {
        self.checks = checks;
        self
    }

    /// The requirement checks it is scored against.
    pub fn checks(&self) -> &[RequirementCheck] {
        &self.checks
    }

    /// The scenario.
    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }
    /// The seed (of the world's randomness; for seeded jobs also of the parameters).
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// How the instance is built.
    pub fn source(&self) -> &JobSource {
        &self.source
    }
    /// Why it runs.
    pub fn kind(&self) -> JobKind {
        self.source.kind()
    }
    /// Its identity across sweeps.
    pub fn key(&self) -> JobKey {
        job_key(self.scenario.id(), self.seed, &self.source)
    }

    /// The concrete instance: the engine's world (with a criterion for every
    /// requirement check no criterion of the scenario judges) and the
    /// parameter values.
    pub fn instance(&self) -> Result<Instance, ScenarioError> {
        let mut instance = match (self.source.instance(), &self.space) {
            (Some(genome), Some(space)) => {
                let fuzzed = space.instantiate(genome)?;
                let mut instance = fuzzed.instance(genome.seed);
                // The fuzzed file has every number fixed: its values are the genome's.
                instance.params = genome.values.clone();
                instance
            }
            _ => self.scenario.instance(self.seed),
        };
        let added = missing_criteria(&instance.world.criteria, &self.checks);
        instance.world.criteria.extend(added);
        let world = &instance.world;
        let added = missing_formulas(&world.formulas, &self.checks, world.dt).map_err(|e| ScenarioError {
            diagnostics: vec![gauntlet_ron_source::Diagnostic::new(self.scenario.path(), e.to_string())],
        })?;
        instance.world.formulas.extend(added);
        Ok(instance)
    }

    /// The one command that runs this job again against `adapter`, giving
    /// the same instance and so the same trace hash.
    pub fn replay_command(&self, adapter: &AdapterSpec) -> String {
        let quote = |s: &str| shell_words::quote(s).into_owned();
        let file = quote(&self.scenario.path().display().to_string());
        let mut cmd = match &self.source {
            JobSource::Seed => format!("gauntlet replay {file} --seed {}", self.seed),
            JobSource::Regression { regression, .. } => {
                // A regression replays against the adapter it failed by default: always name ours.
                return format!(
                    "gauntlet replay {} --seed {} --adapter {}",
                    quote(regression),
                    self.seed,
                    quote(&adapter.to_string())
                );
            }
            JobSource::Fuzz { .. } => {
                let source = serde_json::to_string(&self.source).unwrap_or_default();
                format!("gauntlet replay {file} --source {}", quote(&source))
            }
        };
        if adapter.to_string() != crate::DEFAULT_ADAPTER {
            cmd.push_str(" --adapter ");
            cmd.push_str(&quote(&adapter.to_string()));
        }
        cmd
    }
}

/// The adapter a command drives: how it was named, and the name and version
/// it reported. Resolved once per command ([`AdapterIdentity::resolve`]).
#[derive(Debug, Clone)]
pub struct AdapterIdentity {
    /// As named on the command line.
    pub spec: AdapterSpec,
    /// As records name it.
    pub reference: AdapterRef,
}

impl AdapterIdentity {
    /// Preflights `factory` (starting an external adapter once) and records what it reported.
    pub fn resolve(factory: &AdapterFactory) -> Result<Self, AdapterSetupError> {
        let info = factory.preflight()?;
        let spec = factory.spec().clone();
        Ok(Self {
            reference: AdapterRef { spec: spec.to_string(), name: info.name, version: info.version },
            spec,
        })
    }
}

/// A job that ran: its record, and its trace when asked for.
#[derive(Debug, Clone)]
pub struct JobRun {
    /// The record.
    pub record: RunRecord,
    /// Every step's state (empty unless the trace was asked for).
    pub trace: Vec<TraceFrame>,
}

/// What becomes of a job's step-by-step states.
pub enum Tracing<'a> {
    /// Nothing is kept (sweeps: the trace hash is all a record needs).
    Off,
    /// Every step is kept in [`JobRun::trace`].
    Keep,
    /// Every step is handed to the sink as it is made (streamed to a file,
    /// downsampled for a viewer); [`JobRun::trace`] stays empty.
    Sink(&'a mut dyn FnMut(TraceFrame)),
}

/// Runs `job` on `adapter` and builds its record; `tracing` says what
/// becomes of every step's state. A job whose instance cannot be built (its
/// values no longer fit an edited scenario) gets an `error` record.
///
/// With `triage`, a failing job is re-run with oracle manoeuvres on the same
/// adapter before its record is built ([`crate::triage`]), and the record's
/// `triage` says whether its violation was avoidable. `wall_ms` is the job's
/// own run, without the triage re-runs.
pub fn run_job(
    job: &Job,
    adapter: &mut dyn AutonomyAdapter,
    identity: &AdapterIdentity,
    tracing: Tracing<'_>,
    triage: bool,
) -> JobRun {
    let instance = match job.instance() {
        Ok(instance) => instance,
        Err(e) => {
            let record = error_record(job, identity, ErrorKind::InvalidParameters, e.to_string());
            return JobRun { record, trace: Vec::new() };
        }
    };
    let start = Instant::now();
    let mut result = match tracing {
        Tracing::Off => Simulation::run(&instance.world, adapter, RunOptions { record_trace: false }),
        Tracing::Keep => Simulation::run(&instance.world, adapter, RunOptions { record_trace: true }),
        Tracing::Sink(sink) => Simulation::run_with_sink(&instance.world, adapter, sink),
    };
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    let trace = result.trace.take().unwrap_or_default();
    let triage = if triage { crate::triage::triage(&instance.world, adapter, &result) } else { None };
    JobRun { record: build_record(job, identity, &instance.params, &result, wall_ms, triage), trace }
}

/// The record of `job` that could not run (its instance is invalid, the adapter panicked).
pub fn error_record(job: &Job, identity: &AdapterIdentity, kind: ErrorKind, message: String) -> RunRecord {
    let params = job.source.instance().map(|g| g.values.clone()).unwrap_or_default();
    let result = RunResult {
        outcome: gauntlet_engine::Outcome::Error,
        verdicts: Vec::new(),
        formula_verdicts: Vec::new(),
        error: None,
        steps: 0,
        sim_time: 0.0,
        trace_hash: gauntlet_engine::TraceHash([0; 32]),
        trace: None,
        monitors: Default::default(),
        stopped_at: None,
    };
    let mut record = build_record(job, identity, &params, &result, 0.0, None);
    record.error = Some(RecordError { kind, message });
    record
}

/// The record of `job` from the engine's `result`.
fn build_record(
    job: &Job,
    identity: &AdapterIdentity,
    params: &BTreeMap<String, f64>,
    result: &RunResult,
    wall_ms: f64,
    triage: Option<Triage>,
) -> RunRecord {
    let scenario = &job.scenario;
    RunRecord {
        schema: SCHEMA_VERSION,
        id: job.key().id(),
        scenario: scenario.id().to_owned(),
        title: scenario.title().to_owned(),
        file: scenario.path().display().to_string(),
        file_hash: scenario.file_hash().to_owned(),
        seed: job.seed,
        kind: job.kind(),
        source: job.source.clone(),
        tags: scenario.tags().clone(),
        hazards: scenario.hazards().to_vec(),
        params: params.iter().map(|(k, v)| (k.clone(), ParamValue::Number(*v))).collect(),
        adapter: identity.reference.clone(),
        engine_version: ENGINE_VERSION.to_owned(),
        outcome: outcome(result.outcome),
        verdicts: result
            .verdicts
            .iter()
            .map(|v| {
                let unit = v.spec.unit();
                Verdict {
                    criterion: v.criterion.to_owned(),
                    passed: v.passed,
                    margin: v.margin,
                    first_violation_t: v.first_violation_t,
                    worst_t: Some(v.worst_t),
                    impact_speed: v.impact_speed,
                    threshold: v.spec.threshold(),
                    unit: unit.unit.to_owned(),
                    scale: Some(unit.scale),
                    requirements: evidenced_by(&v.spec, &job.checks),
                }
            })
            .chain(result.formula_verdicts.iter().map(|f| Verdict {
                criterion: f.name.clone(),
                passed: f.passed,
                margin: f.margin,
                first_violation_t: f.first_violation_t,
                worst_t: Some(f.worst_t),
                impact_speed: None,
                threshold: None,
                unit: f.unit.clone(),
                scale: Some(f.scale),
                requirements: formula_evidenced_by(&f.name, &f.stl, &job.checks),
            }))
            .collect(),
        error: result.error.as_ref().map(|e| RecordError { kind: error_kind(e), message: e.to_string() }),
        steps: result.steps,
        sim_time: result.sim_time,
        wall_ms,
        trace_hash: result.trace_hash.to_hex(),
        replay: job.replay_command(&identity.spec),
        triage,
        monitors: monitor_activity(&result.monitors),
        provenance: crate::generate::provenance(scenario),
        beyond: crate::boundary::beyond(scenario),
        // When the scenario's stop trigger ended the run; absent otherwise.
        stopped_at: result.stopped_at,
        extra: BTreeMap::new(),
    }
}

/// The record's `monitors`: each named monitor's activations in seconds
/// (an activation of an index the adapter did not name is left out).
fn monitor_activity(run: &gauntlet_engine::MonitorRun) -> Vec<MonitorActivity> {
    let dt = run.dt;
    let mut out: Vec<MonitorActivity> = run
        .names
        .iter()
        .zip(&run.dropped)
        .map(|(name, &dropped)| MonitorActivity { name: name.clone(), activations: Vec::new(), dropped })
        .collect();
    for a in &run.activations {
        if let Some(m) = out.get_mut(usize::from(a.monitor)) {
            m.activations.push(ActivationSpan { on: a.on as f64 * dt, off: a.off as f64 * dt });
        }
    }
    out
}

/// The kind of a run error as records write it.
fn error_kind(e: &RunError) -> ErrorKind {
    match e {
        RunError::Adapter(fault) => match fault.kind {
            AdapterFaultKind::Timeout => ErrorKind::AdapterTimeout,
            AdapterFaultKind::Exited => ErrorKind::AdapterExited,
            AdapterFaultKind::Protocol => ErrorKind::AdapterProtocol,
            AdapterFaultKind::Reported => ErrorKind::AdapterReported,
            AdapterFaultKind::Spawn => ErrorKind::AdapterSpawn,
        },
        RunError::Engine(EngineFault::NonFinite { .. }) => ErrorKind::EngineNonFinite,
        RunError::Engine(EngineFault::BlowUp { .. }) => ErrorKind::EngineBlowUp,
        RunError::Engine(EngineFault::Quarantined { .. }) => ErrorKind::EngineQuarantine,
    }
}

/// The engine's outcome as records write it.
fn outcome(o: gauntlet_engine::Outcome) -> Outcome {
    match o {
        gauntlet_engine::Outcome::Pass => Outcome::Pass,
        gauntlet_engine::Outcome::Fail => Outcome::Fail,
        gauntlet_engine::Outcome::Error => Outcome::Error,
    }
}
