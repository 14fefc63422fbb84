//! Traces for the dashboard: the runner re-runs (some of) the failing jobs
//! with a full trace, since records keep only the trace hash and `reports`
//! never simulates.
//!
//! A job is re-run only when it can be reproduced: its scenario file must
//! still exist with the file hash of the record, and the adapter must
//! report the name and version of the record. A re-run whose trace hash
//! differs from the record's is not shown (it would be the picture of
//! another run). Every job left without a trace gets a note saying why.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

use gauntlet_reports::html::TraceView;
use gauntlet_reports::record::{JobKey, Outcome, RunRecord};
use gauntlet_scenarios::Scenario;
use rayon::prelude::*;

use super::trace_view::trace_view;
use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::job::{AdapterIdentity, Job, Tracing, run_job};

/// How to re-run jobs for their traces.
#[derive(Clone, Debug)]
pub struct TraceSource {
    /// The adapter to use; `None` uses the spec written in each record.
    pub adapter: Option<AdapterSpec>,
    /// External adapter options.
    pub exec: ExecOptions,
    /// Worker threads (≥ 1).
    pub threads: usize,
}

/// The traces gathered for a dashboard.
#[derive(Clone, Debug, Default)]
pub struct TraceSet {
    /// One trace per re-run failing job.
    pub traces: BTreeMap<JobKey, TraceView>,
    /// Why the other failing jobs have none, one sentence each, in job order.
    pub notes: Vec<String>,
}

/// A failing job that can be re-run.
struct Rerun<'a> {
    record: &'a RunRecord,
    scenario: &'a Arc<Scenario>,
    factory: &'a AdapterFactory,
    identity: &'a AdapterIdentity,
}

/// Re-runs at most `max` failing jobs of `records` (smallest margin first,
/// then by job key) and returns their traces, with a note for every failing
/// job that has none.
pub fn collect(records: &[RunRecord], max: usize, source: &TraceSource) -> TraceSet {
    let mut set = TraceSet::default();
    let mut failing: BTreeMap<JobKey, &RunRecord> = BTreeMap::new();
    for r in records.iter().filter(|r| r.outcome == Outcome::Fail) {
        failing.entry(r.key()).or_insert(r);
    }
    let mut failing: Vec<&RunRecord> = failing.into_values().collect();
    failing.sort_by(|a, b| {
        let m = |r: &RunRecord| r.min_normalized_margin().unwrap_or(f64::INFINITY);
        m(a).total_cmp(&m(b)).then_with(|| a.key().cmp(&b.key()))
    });
    if failing.len() > max {
        set.notes.push(format!(
            "{} more failing job(s) have no trace: at most {max} are re-run for the dashboard.",
            failing.len() - max
        ));
        failing.truncate(max);
    }

    // Load each scenario file once, and start each adapter once that has a job to re-run.
    let spec_of = |record: &RunRecord| match &source.adapter {
        Some(spec) => spec.to_string(),
        None => record.adapter.spec.clone(),
    };
    let mut scenarios: BTreeMap<&str, Result<Arc<Scenario>, String>> = BTreeMap::new();
    let mut factories: BTreeMap<String, Result<(AdapterFactory, AdapterIdentity), String>> = BTreeMap::new();
    for record in &failing {
        let scenario = scenarios.entry(record.file.as_str()).or_insert_with(|| load(&record.file));
        if scenario.as_ref().is_ok_and(|s| s.file_hash() == record.file_hash) {
            let spec = spec_of(record);
            factories.entry(spec.clone()).or_insert_with(|| start(&spec, &source.exec));
        }
    }

    let mut reruns = Vec::new();
    for record in failing {
        let scenario = match &scenarios[record.file.as_str()] {
            Ok(s) if s.file_hash() == record.file_hash => s,
            Ok(s) => {
                set.notes.push(format!(
                    "{}: no trace, since {} changed after the run (file hash {} in the record, {} now).",
                    record.key(),
                    record.file,
                    short(&record.file_hash),
                    short(s.file_hash())
                ));
                continue;
            }
            Err(why) => {
                set.notes.push(format!("{}: no trace, since {why}.", record.key()));
                continue;
            }
        };
        match &factories[&spec_of(record)] {
            Ok((factory, identity))
                if identity.reference.name == record.adapter.name
                    && identity.reference.version == record.adapter.version =>
            {
                reruns.push(Rerun { record, scenario, factory, identity });
            }
            Ok((_, identity)) => set.notes.push(format!(
                "{}: no trace, since the adapter is now {}, and the record was made with {}.",
                record.key(),
                identity.reference,
                record.adapter
            )),
            Err(why) => set.notes.push(format!("{}: no trace, since {why}.", record.key())),
        }
    }

    let results: Vec<Result<TraceView, String>> = match rayon::ThreadPoolBuilder::new()
        .num_threads(source.threads.max(1))
        .thread_name(|i| format!("gauntlet-trace-{i}"))
        .build()
    {
        Ok(pool) => pool.install(|| reruns.par_iter().map(rerun).collect()),
        Err(e) => reruns.iter().map(|_| Err(format!("no worker thread could start ({e})"))).collect(),
    };
    for (job, result) in reruns.iter().zip(results) {
        match result {
            Ok(view) => {
                set.traces.insert(job.record.key(), view);
            }
            Err(why) => set.notes.push(format!("{}: no trace, since {why}.", job.record.key())),
        }
    }
    set.notes.sort();
    set
}

/// Loads a scenario file, or says why it cannot be.
fn load(file: &str) -> Result<Arc<Scenario>, String> {
    if !Path::new(file).exists() {
        return Err(format!("the scenario file {file} is missing"));
    }
    Scenario::load(Path::new(file))
        .map(Arc::new)
        .map_err(|e| format!("the scenario file {file} no longer loads ({e})"))
}

/// Sets up and preflights an adapter; returns it with its identity.
fn start(spec: &str, exec: &ExecOptions) -> Result<(AdapterFactory, AdapterIdentity), String> {
    let parsed: AdapterSpec =
        spec.parse().map_err(|e| format!("the adapter {spec:?} cannot be named ({e})"))?;
    // Opening the sweep's adapter log again would truncate it.
    let exec = ExecOptions { adapter_log: None, ..exec.clone() };
    let factory = AdapterFactory::new(&parsed, &exec)
        .map_err(|e| format!("the adapter {spec} cannot be set up ({e})"))?;
    let identity =
        AdapterIdentity::resolve(&factory).map_err(|e| format!("the adapter {spec} does not start ({e})"))?;
    Ok((factory, identity))
}

/// Runs one job again with a trace, through the one job path, and checks
/// that it is the same run.
fn rerun(job: &Rerun<'_>) -> Result<TraceView, String> {
    let r = job.record;
    let rebuilt = Job::from_source(Arc::clone(job.scenario), r.seed, r.source.clone())
        .map_err(|e| format!("its instance no longer fits the scenario ({e})"))?;
    let instance =
        rebuilt.instance().map_err(|e| format!("its instance no longer fits the scenario ({e})"))?;
    let mut adapter = job.factory.make();
    let ran = catch_unwind(AssertUnwindSafe(|| {
        run_job(&rebuilt, adapter.as_mut(), job.identity, Tracing::Keep, false)
    }));
    let run = ran.map_err(|_| "the re-run panicked".to_owned())?;
    if run.record.trace_hash != r.trace_hash {
        return Err(format!(
            "the re-run gave trace hash {}, not the record's {} (a nondeterministic adapter?)",
            short(&run.record.trace_hash),
            short(&r.trace_hash)
        ));
    }
    // The dashboard draws poses only: keep kilobytes per trace, not megabytes.
    Ok(trace_view(&instance.world, &run.trace, r).poses_only())
}

/// The first 12 characters of a hash.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}
