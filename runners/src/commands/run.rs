//! `gauntlet run`: a sweep of scenarios × seeds.
//!
//! For CI, [`run_with`] adds to the plain sweep of [`run`]: running one
//! shard of the plan ([`crate::shard`]), resuming an interrupted sweep
//! ([`crate::resume`]), and the artefacts and verdict read from the records
//! once the sweep is over ([`crate::artefacts`]).

use std::fs::{File, OpenOptions};
use std::io::BufWriter;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gauntlet_reports::record::{RecordWriter, RunRecord};
use gauntlet_reports::{Summary, SummaryBuilder};

use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::artefacts::{ArtefactOptions, Artefacts, McapFailures, TraceSource};
use crate::error::RunnerError;
use crate::execute::{ExecOptionsSweep, execute};
use crate::fuzz::RegressionRun;
use crate::job::AdapterIdentity;
use crate::plan::Library;
use crate::progress::Progress;
use crate::resume::{self, Expected};
use crate::shard::Shard;
use crate::taxonomy::load_taxonomy;

/// Options of a sweep.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Scenario files and folders.
    pub paths: Vec<PathBuf>,
    /// Seeds per scenario (seed 0 is nominal).
    pub seeds: u64,
    /// Worker threads.
    pub threads: usize,
    /// The adapter.
    pub adapter: AdapterSpec,
    /// External adapter options.
    pub exec: ExecOptions,
    /// Records file (JSON Lines).
    pub out: PathBuf,
    /// Run at most this many jobs.
    pub budget: Option<usize>,
    /// Stop handing out jobs after this much wall time.
    pub time_budget: Option<Duration>,
    /// Draw a progress bar (when stderr is a terminal).
    pub progress: bool,
    /// Taxonomy for risk ordering (default: `taxonomy/default.ron` or the built-in copy).
    pub taxonomy: Option<PathBuf>,
    /// Folder of saved regressions, planned before the new jobs (`None`: `--no-regressions`).
    pub regressions: Option<PathBuf>,
    /// Triage failing jobs (re-run them with oracle manoeuvres; `--no-triage` turns it off).
    pub triage: bool,
}

/// The CI options of a sweep, beyond [`RunConfig`].
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// Run only the jobs of this shard.
    pub shard: Option<Shard>,
    /// Keep the complete records already in `out` and run only the missing jobs.
    pub resume: bool,
    /// The artefacts to write and the verdict to reach once the sweep is over.
    pub artefacts: ArtefactOptions,
    /// Re-run the failing jobs of this sweep into one MCAP file each, in this folder.
    pub mcap_failures: Option<PathBuf>,
}

/// What a sweep did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The summary of every record written.
    pub summary: Summary,
    /// Where the records went.
    pub out: PathBuf,
    /// Jobs planned (of this shard, with `--shard`).
    pub planned: usize,
    /// Complete records kept from an interrupted sweep (`--resume`).
    pub resumed: u64,
    /// Jobs not run because a budget was spent.
    pub skipped: usize,
    /// Scenarios with at least one job not run, riskiest first.
    pub skipped_scenarios: Vec<String>,
    /// The artefacts and verdict, when any were asked for.
    pub artefacts: Option<Artefacts>,
    /// The MCAP files of the failing jobs run by this sweep, with `--mcap-failures`.
    pub mcap_failures: Option<McapFailures>,
    /// Things the user should know that did not stop the sweep (a torn
    /// record cut off by `--resume`, …).
    pub warnings: Vec<String>,
    /// The saved regressions run (first) by this sweep: still failing or fixed.
    pub regressions: RegressionRun,
    /// The signal (SIGINT, SIGTERM) that stopped the sweep early, in graceful
    /// mode ([`crate::adapter::set_graceful_interrupt`]); its jobs not run
    /// are counted in `skipped`, and no artefact is written.
    pub interrupted: Option<i32>,
}

impl RunReport {
    /// The process's exit code for this sweep: a signal's (130, 143) when
    /// interrupted, 2 when nothing was judged (unless `allow_empty`), else
    /// [`exit_code`](Self::exit_code).
    pub fn final_exit_code(&self, allow_empty: bool) -> u8 {
        if let Some(signal) = self.interrupted {
            return u8::try_from(crate::adapter::signal_exit_code(signal))
                .unwrap_or(crate::error::EXIT_USAGE);
        }
        if self.judged() == 0 && !allow_empty {
            return crate::error::EXIT_USAGE;
        }
        self.exit_code()
    }

    /// Exit code: with artefacts, their verdict (a baseline or a gate
    /// decides); otherwise 0 when everything passed, 1 when any job failed
    /// or errored.
    pub fn exit_code(&self) -> u8 {
        match &self.artefacts {
            Some(artefacts) => artefacts.exit_code(),
            None if self.summary.totals.fail + self.summary.totals.error > 0 => 1,
            None => 0,
        }
    }

    /// Records that judged a job (pass, fail or error), kept ones included.
    /// Zero means nothing was judged: an empty folder, `--seeds 0`, a budget
    /// of nothing.
    pub fn judged(&self) -> u64 {
        let t = &self.summary.totals;
        t.pass + t.fail + t.error
    }
}

/// Runs a sweep, streaming records to `config.out`.
pub fn run(config: &RunConfig) -> Result<RunReport, RunnerError> {
    run_with(config, &SweepOptions::default())
}

/// Runs a sweep with the CI options: one shard of the plan, resumed from
/// an interrupted run, then the artefacts. Gate, taxonomy, baseline and
/// history are read before any job runs.
pub fn run_with(config: &RunConfig, sweep: &SweepOptions) -> Result<RunReport, RunnerError> {
    let factory = AdapterFactory::new(&config.adapter, &config.exec)?;
    let library = Library::load_with(&config.paths, config.regressions.as_deref())?;
    let taxonomy = load_taxonomy(config.taxonomy.as_deref())?;
    let prepared = match sweep.artefacts.wants_anything() {
        true => Some(sweep.artefacts.prepare(&taxonomy)?),
        false => None,
    };
    let identity = AdapterIdentity::resolve(&factory)?;
    let plan = library.plan(config.seeds, &taxonomy, &identity.reference);
    let mut jobs = plan.jobs;
    if let Some(shard) = sweep.shard {
        jobs.retain(|job| shard.contains(job.scenario().id(), job.seed()));
    }
    let planned = jobs.len();

    if let Some(dir) = config.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| RunnerError::Io { path: dir.to_path_buf(), source })?;
    }
    let mut summary = SummaryBuilder::default();
    let mut warnings: Vec<String> = library.warnings.iter().map(ToString::to_string).collect();
    let mut resumed = 0;
    let mut regressions = RegressionRun { skipped: plan.left_out, ..RegressionRun::default() };
    let file_changed: std::collections::BTreeMap<String, bool> =
        library.regressions.iter().map(|r| (r.path.display().to_string(), r.file_changed())).collect();
    let mut tally = |record: &RunRecord, summary: &mut SummaryBuilder| {
        summary.add(record);
        let changed = match &record.source {
            gauntlet_reports::record::JobSource::Regression { regression, .. } => {
                file_changed.get(regression).copied().unwrap_or(false)
            }
            _ => false,
        };
        regressions.add(record, changed);
    };
    let file = if sweep.resume {
        let expected = Expected {
            file_hashes: jobs
                .iter()
                .map(|j| (j.scenario().id().to_owned(), j.scenario().file_hash().to_owned()))
                .collect(),
            engine_version: gauntlet_engine::ENGINE_VERSION.to_owned(),
            adapter_spec: identity.reference.spec.clone(),
            planned: jobs.iter().map(|j| j.key()).collect(),
        };
        let state = resume::prepare(&config.out, &expected, |r| tally(r, &mut summary))?;
        if let Some(torn) = &state.torn {
            warnings.push(format!("{torn}: cut off; its job runs again"));
        }
        warnings.extend(state.warnings(&config.out));
        resumed = state.records;
        jobs.retain(|job| !state.done.contains(&job.key()));
        OpenOptions::new().create(true).append(true).open(&config.out)
    } else {
        File::create(&config.out)
    }
    .map_err(|source| RunnerError::Io { path: config.out.clone(), source })?;
    // Jobs still to run; `--budget` runs a prefix of them.
    let todo = jobs;
    let jobs = &todo[..config.budget.map_or(todo.len(), |b| b.min(todo.len()))];
    let mut writer = RecordWriter::new(BufWriter::new(file));
    let mut progress = config.progress.then(|| Progress::new(jobs.len() as u64));
    // The records of failing jobs, for --mcap-failures.
    let mut failing: Vec<RunRecord> = Vec::new();

    let started = Instant::now();
    let time_budget = config.time_budget;
    let keep_going =
        move || crate::adapter::interrupted().is_none() && time_budget.is_none_or(|b| started.elapsed() < b);
    let ran = execute(
        jobs,
        &factory,
        &identity,
        ExecOptionsSweep { threads: config.threads, triage: config.triage },
        &keep_going,
        |record: RunRecord| {
            writer.write(&record)?;
            if let Some(p) = progress.as_mut() {
                p.finished(record.outcome);
            }
            tally(&record, &mut summary);
            if sweep.mcap_failures.is_some() && record.outcome == gauntlet_reports::record::Outcome::Fail {
                failing.push(record);
            }
            Ok::<(), gauntlet_reports::record::WriteError>(())
        },
    )
    .map_err(|source| RunnerError::Execute { path: config.out.clone(), source })?;
    if let Some(p) = &progress {
        p.finish();
    }
    // The failing jobs' MCAP files, before the adapter log is flushed (the
    // re-runs log too). An interrupted sweep is resumed, not traced.
    let mcap_failures = match &sweep.mcap_failures {
        Some(dir) if crate::adapter::interrupted().is_none() => Some(crate::artefacts::write_failure_mcaps(
            dir,
            jobs,
            &failing,
            &factory,
            &identity,
            config.threads,
        )?),
        _ => None,
    };
    if let Some(m) = &mcap_failures {
        warnings.extend(m.notes.iter().cloned());
    }
    factory.finish_log()?;
    drop(writer);
    // Jobs cut by --budget, and jobs a spent --time-budget never handed out.
    let not_run = |i: usize| i >= ran.len() || !ran[i];
    let mut skipped_scenarios: Vec<String> = Vec::new();
    let mut skipped = 0;
    for job in todo.iter().enumerate().filter(|(i, _)| not_run(*i)).map(|(_, job)| job) {
        skipped += 1;
        let id = job.scenario().id();
        if !skipped_scenarios.iter().any(|s| s == id) {
            skipped_scenarios.push(id.to_owned());
        }
    }
    let interrupted = crate::adapter::interrupted();
    let artefacts = match prepared {
        // An interrupted sweep is resumed, not judged.
        Some(_) if interrupted.is_some() => None,
        Some(prepared) => {
            let source = TraceSource {
                adapter: Some(config.adapter.clone()),
                exec: config.exec.clone(),
                threads: config.threads,
            };
            let mut artefacts = prepared.finish_file(&config.out, &source)?;
            warnings.append(&mut artefacts.warnings);
            Some(artefacts)
        }
        None => None,
    };
    Ok(RunReport {
        summary: summary.finish(),
        out: config.out.clone(),
        planned,
        resumed,
        skipped,
        skipped_scenarios,
        artefacts,
        mcap_failures,
        warnings,
        regressions,
        interrupted,
    })
}
