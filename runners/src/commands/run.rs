//! `gauntlet run`: a sweep of scenarios × seeds.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gauntlet_reports::record::{AdapterRef, RecordWriter, RunRecord};
use gauntlet_reports::{Summary, SummaryBuilder};

use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::error::RunnerError;
use crate::execute::{ExecOptionsSweep, execute};
use crate::plan::Library;
use crate::progress::Progress;

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
}

/// What a sweep did.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The summary of every record written.
    pub summary: Summary,
    /// Where the records went.
    pub out: PathBuf,
    /// Jobs planned.
    pub planned: usize,
    /// Jobs not run because a budget was spent.
    pub skipped: usize,
}

impl RunReport {
    /// Exit code: 0 when everything passed, 1 when any job failed or errored.
    pub fn exit_code(&self) -> u8 {
        if self.summary.totals.fail + self.summary.totals.error > 0 { 1 } else { 0 }
    }
}

/// Runs a sweep, streaming records to `config.out`.
pub fn run(config: &RunConfig) -> Result<RunReport, RunnerError> {
    let factory = AdapterFactory::new(&config.adapter, &config.exec)?;
    let library = Library::load(&config.paths)?;
    let mut jobs = library.plan(config.seeds);
    let planned = jobs.len();
    if let Some(budget) = config.budget {
        jobs.truncate(budget);
    }
    let info = factory.preflight()?;
    let adapter_ref = AdapterRef { spec: config.adapter.to_string(), name: info.name, version: info.version };

    if let Some(dir) = config.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| RunnerError::Io { path: dir.to_path_buf(), source })?;
    }
    let file =
        File::create(&config.out).map_err(|source| RunnerError::Io { path: config.out.clone(), source })?;
    let mut writer = RecordWriter::new(BufWriter::new(file));
    let mut summary = SummaryBuilder::default();
    let mut progress = config.progress.then(|| Progress::new(jobs.len() as u64));

    let started = Instant::now();
    let time_budget = config.time_budget;
    let keep_going = move || time_budget.is_none_or(|b| started.elapsed() < b);
    let ran = execute(
        &library.scenarios,
        &jobs,
        &factory,
        &adapter_ref,
        ExecOptionsSweep { threads: config.threads },
        &keep_going,
        |record: RunRecord| {
            writer.write(&record)?;
            if let Some(p) = progress.as_mut() {
                p.finished(record.outcome);
            }
            summary.add(&record);
            Ok::<(), gauntlet_reports::record::WriteError>(())
        },
    )
    .map_err(|e| RunnerError::Write { path: config.out.clone(), message: e.to_string() })?;
    if let Some(p) = &progress {
        p.finish();
    }
    factory.finish_log()?;
    Ok(RunReport { summary: summary.finish(), out: config.out.clone(), planned, skipped: planned - ran })
}
