//! `gauntlet replay`: one job again, bit for bit, with its trace (CSV) and
//! the replay viewer (HTML) on request.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gauntlet_engine::TraceFrame;
use gauntlet_reports::record::{JobSource, ReadItem, RunRecord, read_records_tolerant};
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::regression::is_regression_file;

use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::checks::requirement_checks;
use crate::error::RunnerError;
use crate::fuzz::{RegressionCheck, regression_check};
use crate::job::{AdapterIdentity, Job, Tracing, run_job};
use crate::plan::SavedRegression;

/// Which job of a records file to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobSelector {
    /// The record with this `id`.
    Id(String),
    /// The record on this 1-based line.
    Line(u64),
}

/// What to replay.
#[derive(Debug, Clone)]
pub struct ReplayConfig {
    /// A scenario file, a regression file, or a records file (`.jsonl`).
    pub target: PathBuf,
    /// The seed (scenario: default 0; regression: default the saved one).
    pub seed: Option<u64>,
    /// How to build the instance (a record's `source`), with a scenario file.
    pub source: Option<JobSource>,
    /// Which record, with a records file.
    pub job: Option<JobSelector>,
    /// The adapter; `None`: the default for a scenario file, the adapter a
    /// regression failed against, the adapter a record names.
    pub adapter: Option<AdapterSpec>,
    /// External adapter options.
    pub exec: ExecOptions,
    /// Write every body's state at every step to this CSV file.
    pub trace_csv: Option<PathBuf>,
    /// Write the trace, the observations, controls and margins of every
    /// step to this MCAP file, for Foxglove ([`crate::artefacts::McapTrace`]).
    pub mcap: Option<PathBuf>,
    /// The taxonomy whose requirement checks the job is scored against
    /// (default: `taxonomy/default.ron` when it exists here, else the built-in copy).
    pub taxonomy: Option<PathBuf>,
    /// Triage the job if it fails (`--no-triage` turns it off).
    pub triage: bool,
}

impl ReplayConfig {
    /// Replays `target` with every option at its default.
    pub fn new(target: impl Into<PathBuf>) -> Self {
        Self {
            target: target.into(),
            seed: None,
            source: None,
            job: None,
            adapter: None,
            exec: ExecOptions::default(),
            trace_csv: None,
            mcap: None,
            taxonomy: None,
            triage: true,
        }
    }
}

/// The job a replay runs, and the adapter it runs against.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The job.
    pub job: Job,
    /// The adapter.
    pub adapter: AdapterSpec,
    /// Things the user should know (a scenario changed since the record).
    pub warnings: Vec<String>,
    /// A differential regression's OLD adapter (the one that held its
    /// criterion, as saved), whose verdicts the replay reports too.
    pub against: Option<gauntlet_scenarios::regression::AgainstAdapter>,
}

/// How OLD fared on a differential regression's instance.
#[derive(Debug, Clone)]
pub struct AgainstReplay {
    /// OLD's record of the same job (same instance, same seed).
    pub record: RunRecord,
    /// The regression's criterion.
    pub criterion: String,
    /// Whether the instance is still a differential failure: NEW violates
    /// the criterion and OLD holds it.
    pub still_differential: bool,
    /// Whether OLD reproduced the trace hash saved for it.
    pub same_trace: bool,
}

impl AgainstReplay {
    /// One line: OLD's verdict of the criterion and whether the difference stands.
    pub fn render(&self, new: &RunRecord) -> String {
        let margin = |r: &RunRecord| {
            r.verdicts.iter().find(|v| v.criterion == self.criterion).map_or(f64::NAN, |v| v.margin)
        };
        let old_holds = self.record.verdicts.iter().any(|v| v.criterion == self.criterion && v.passed);
        let status = if self.still_differential {
            "still a differential failure"
        } else if !old_holds {
            "no longer differential: the OLD adapter fails it too"
        } else {
            "no longer differential: NEW holds it"
        };
        let trace = if self.same_trace { "the saved trace" } else { "another trace than the saved one" };
        format!(
            "differential {}: NEW {} margin {:.3}, OLD {} margin {:.3} ({trace}): {status}\n",
            self.criterion,
            new.adapter.spec,
            margin(new),
            self.record.adapter.spec,
            margin(&self.record)
        )
    }
}

/// The replayed job.
#[derive(Debug, Clone)]
pub struct ReplayReport {
    /// The job.
    pub job: Job,
    /// Its record (identical to the sweep's, but for `wall_ms`).
    pub record: RunRecord,
    /// Its steps' states: every step of a short run; of a long one, a
    /// bounded sample (see [`crate::artefacts::ReplayTrace`]).
    pub trace: Vec<TraceFrame>,
    /// For a regression: whether it still fails, and reproduces its saved trace.
    pub regression: Option<RegressionCheck>,
    /// For a differential regression: the OLD adapter's run of the same job.
    pub against: Option<AgainstReplay>,
    /// Things the user should know.
    pub warnings: Vec<String>,
}

/// Why a replay target cannot name a job.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A records file without `--job` or `--line`.
    #[error("{}: a records file holds many jobs; name one with --job ID or --line N", path.display())]
    NoJobNamed {
        /// The records file.
        path: PathBuf,
    },
    /// No record matches.
    #[error("{}: no record {selector}", path.display())]
    NoSuchJob {
        /// The records file.
        path: PathBuf,
        /// What was asked for.
        selector: String,
    },
    /// A bad line in the records file.
    #[error(transparent)]
    Read(#[from] gauntlet_reports::record::ReadError),
    /// Options that do not go with this target.
    #[error("{0}")]
    Conflict(&'static str),
    /// A source that names an instance with another seed than `--seed`.
    #[error("--seed {given} contradicts the seed {instance} of the --source instance")]
    SeedMismatch {
        /// `--seed`.
        given: u64,
        /// The instance's.
        instance: u64,
    },
}

/// Whether `path` names a records file rather than a scenario or regression.
pub fn is_records_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsonl" || e == "json")
}

/// The job `config` names, scored against the requirement checks of the
/// taxonomy, and the adapter to run it against.
pub fn resolve(config: &ReplayConfig) -> Result<Resolved, RunnerError> {
    let taxonomy = crate::taxonomy::load_taxonomy(config.taxonomy.as_deref())?;
    let mut resolved = resolve_job(config)?;
    let checks = requirement_checks(&taxonomy, resolved.job.scenario().hazards());
    resolved.job = resolved.job.with_checks(checks.into());
    Ok(resolved)
}

fn resolve_job(config: &ReplayConfig) -> Result<Resolved, RunnerError> {
    let default = || config.adapter.clone().map_or_else(|| crate::DEFAULT_ADAPTER.parse(), Ok);
    if is_records_file(&config.target) {
        if config.source.is_some() || config.seed.is_some() {
            return Err(ReplayError::Conflict(
                "--seed and --source go with a scenario file, not a records file",
            )
            .into());
        }
        let record = find_record(&config.target, config.job.as_ref())?;
        // The record's scenario among those of its file (one run of a distribution).
        let mut all = Scenario::load_all(Path::new(&record.file))?;
        let k = all.iter().position(|s| s.id() == record.scenario).unwrap_or(0);
        let scenario = Arc::new(all.swap_remove(k));
        let mut warnings = Vec::new();
        if scenario.file_hash() != record.file_hash {
            warnings.push(format!(
                "{} changed since the record was made (file hash {} then, {} now): this is not the same job",
                record.file,
                short(&record.file_hash),
                short(scenario.file_hash())
            ));
        }
        let job = Job::from_source(scenario, record.seed, record.source.clone())?;
        let adapter = match &config.adapter {
            Some(a) => a.clone(),
            None => record.adapter.spec.parse()?,
        };
        return Ok(Resolved { job, adapter, warnings, against: None });
    }
    if config.job.is_some() {
        return Err(ReplayError::Conflict("--job and --line go with a records file").into());
    }
    if is_regression_file(&config.target) {
        if config.source.is_some() {
            return Err(ReplayError::Conflict("a regression file holds its instance: drop --source").into());
        }
        let saved = SavedRegression::load(&config.target, &[], true)?;
        let mut warnings = Vec::new();
        if saved.file_changed() {
            warnings.push(format!(
                "{} changed since the regression was saved",
                saved.space.scenario().path().display()
            ));
        }
        let adapter = match &config.adapter {
            Some(a) => a.clone(),
            None => saved.regression.adapter.spec.parse()?,
        };
        let against = saved.regression.against.clone();
        return Ok(Resolved { job: saved.job(config.seed), adapter, warnings, against });
    }
    let scenario = Arc::new(Scenario::load(&config.target)?);
    let job = match &config.source {
        None | Some(JobSource::Seed) => Job::seeded(scenario, config.seed.unwrap_or(0)),
        Some(source) => {
            let instance = source.instance().map_or(0, |g| g.seed);
            if let Some(given) = config.seed.filter(|s| *s != instance) {
                return Err(ReplayError::SeedMismatch { given, instance }.into());
            }
            Job::from_source(scenario, instance, source.clone())?
        }
    };
    Ok(Resolved { job, adapter: default()?, warnings: Vec::new(), against: None })
}

/// The record `selector` names in the records file at `path`.
fn find_record(path: &Path, selector: Option<&JobSelector>) -> Result<RunRecord, RunnerError> {
    let selector = selector.ok_or_else(|| ReplayError::NoJobNamed { path: path.to_path_buf() })?;
    let mut line = 0u64;
    for item in read_records_tolerant(path) {
        line += 1;
        let ReadItem::Record(record) = item.map_err(ReplayError::from)? else { break };
        let hit = match selector {
            JobSelector::Id(id) => record.id == *id,
            JobSelector::Line(n) => line == *n,
        };
        if hit {
            return Ok(*record);
        }
    }
    let selector = match selector {
        JobSelector::Id(id) => format!("with id {id:?}"),
        JobSelector::Line(n) => format!("on line {n}"),
    };
    Err(ReplayError::NoSuchJob { path: path.to_path_buf(), selector }.into())
}

/// Replays one job, bit for bit: a scenario at a seed (or with a given
/// instance), a regression file, or one job of a records file.
pub fn replay(config: &ReplayConfig) -> Result<ReplayReport, RunnerError> {
    let Resolved { job, adapter, warnings, against } = resolve(config)?;
    let factory = AdapterFactory::new(&adapter, &config.exec)?;
    let identity = AdapterIdentity::resolve(&factory)?;
    let mut instance = factory.make();
    // Streams the CSV and keeps a bounded trace for the viewer.
    let mut sink = crate::artefacts::ReplayTrace::new(config.trace_csv.as_deref())?;
    // And streams the MCAP file, when asked for.
    let mut mcap = match &config.mcap {
        Some(path) => Some(crate::artefacts::McapTrace::create(path, &job.instance()?.world)?),
        None => None,
    };
    let mut push = |f: TraceFrame| {
        if let Some(m) = mcap.as_mut() {
            m.push(&f);
        }
        sink.push(f);
    };
    let run = run_job(&job, instance.as_mut(), &identity, Tracing::Sink(&mut push), config.triage);
    drop(instance);
    factory.finish_log()?;
    let trace = sink.finish()?;
    if let Some(m) = mcap {
        m.finish()?;
    }
    let regression = regression_check(&run.record);
    let against = match against {
        Some(saved) => Some(replay_against(&job, &saved, config, &run.record)?),
        None => None,
    };
    Ok(ReplayReport { job, record: run.record, trace, regression, against, warnings })
}

/// Runs a differential regression's job with its OLD adapter.
fn replay_against(
    job: &Job,
    saved: &gauntlet_scenarios::regression::AgainstAdapter,
    config: &ReplayConfig,
    new: &RunRecord,
) -> Result<AgainstReplay, RunnerError> {
    let spec: AdapterSpec = saved.spec.parse()?;
    let exec = ExecOptions { adapter_log: None, ..config.exec.clone() };
    let factory = AdapterFactory::new(&spec, &exec)?;
    let identity = AdapterIdentity::resolve(&factory)?;
    let mut instance = factory.make();
    let run = run_job(job, instance.as_mut(), &identity, Tracing::Off, false);
    drop(instance);
    let JobSource::Regression { criterion, .. } = job.source() else {
        unreachable!("only regression jobs name an OLD adapter")
    };
    let same_trace = saved.trace_hash == run.record.trace_hash;
    let still_differential = crate::fuzz::regresses(new, &run.record, criterion, None);
    Ok(AgainstReplay { record: run.record, criterion: criterion.clone(), still_differential, same_trace })
}

/// Writes the replay viewer of `report` to `path`: a self-contained HTML
/// page that animates the trace.
pub fn write_replay_html(path: &Path, report: &ReplayReport) -> Result<(), RunnerError> {
    // The world of the replayed instance, for the road and the footprints.
    let world = report.job.instance()?.world;
    let view = crate::artefacts::trace_view(&world, &report.trace, &report.record);
    let html = gauntlet_reports::render_replay(&report.record, &view);
    let io = |source| RunnerError::Io { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, html).map_err(io)
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Writes one row per body per step: `step,t,id,x,y,yaw,vx,vy,s,d`.
pub fn write_trace_csv(path: &Path, trace: &[TraceFrame]) -> Result<(), RunnerError> {
    let io = |source| RunnerError::Io { path: path.to_path_buf(), source };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut w = std::io::BufWriter::new(file);
    writeln!(w, "step,t,id,x,y,yaw,vx,vy,s,d").map_err(io)?;
    for f in trace {
        for b in &f.bodies {
            writeln!(
                w,
                "{},{},{},{},{},{},{},{},{},{}",
                f.step, f.t, b.id, b.x, b.y, b.yaw, b.vx, b.vy, b.s, b.d
            )
            .map_err(io)?;
        }
    }
    w.flush().map_err(io)
}

/// Human-readable verdicts of a record.
pub fn render_verdicts(r: &RunRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} seed {}: {} ({} steps, {:.2} s simulated)",
        r.scenario, r.seed, r.outcome, r.steps, r.sim_time
    );
    for v in &r.verdicts {
        let status = if v.passed { "ok  " } else { "FAIL" };
        let _ = write!(out, "  {status} {:<14} margin {:>10.3}", v.criterion, v.margin);
        if let Some(t) = v.first_violation_t {
            let _ = write!(out, "  first violation at {t:.2} s");
        }
        if let Some(s) = v.impact_speed {
            let _ = write!(out, "  impact {s:.2} m/s");
        }
        out.push('\n');
    }
    if let Some(e) = &r.error {
        let _ = writeln!(out, "  error: {}: {}", e.kind, e.message);
    }
    let _ = writeln!(out, "  trace hash {}", r.trace_hash);
    out
}
