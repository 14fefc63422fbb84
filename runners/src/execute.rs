//! Parallel execution: a rayon pool of workers, one adapter per worker,
//! records handed to a single writer in job order.
//!
//! Workers never print. They take the next job index from a shared counter,
//! run it, and send the record to the aggregator (the calling thread), which
//! puts records back into job order before they reach the sink. Workers stay
//! at most a fixed window ahead of the next record to write, so memory is
//! bounded however many jobs a sweep has and however slow one job is.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Instant;

use gauntlet_engine::{AutonomyAdapter, RunOptions, Simulation};
use gauntlet_reports::record::{AdapterRef, RunRecord};
use gauntlet_scenarios::Scenario;

use crate::adapter::{AdapterFactory, AdapterSpec};
use crate::plan::Job;
use crate::record::{JobContext, build_record, error_record, replay_command};

/// Runs one job on an adapter and returns its record.
pub fn run_job(
    scenario: &Scenario,
    job: &Job,
    adapter: &mut dyn AutonomyAdapter,
    adapter_ref: &AdapterRef,
    spec: &AdapterSpec,
) -> RunRecord {
    let instance = match &job.values {
        None => scenario.instance(job.seed),
        Some(values) => match scenario.instance_with(job.seed, values) {
            Ok(instance) => instance,
            Err(e) => {
                // Values that no longer fit the scenario (it was edited): an error record, not a panic.
                let ctx = JobContext {
                    scenario,
                    seed: job.seed,
                    kind: job.kind,
                    params: values,
                    adapter: adapter_ref,
                    wall_ms: 0.0,
                    replay: replay_command(scenario, job.seed, spec),
                };
                return crate::record::error_record(&ctx, "invalid_parameters", e.to_string());
            }
        },
    };
    let start = Instant::now();
    let result = Simulation::run(&instance.world, adapter, RunOptions::default());
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    let ctx = JobContext {
        scenario,
        seed: job.seed,
        kind: job.kind,
        params: &instance.params,
        adapter: adapter_ref,
        wall_ms,
        replay: replay_command(scenario, job.seed, spec),
    };
    build_record(&ctx, &result)
}

/// How a sweep executes.
#[derive(Debug, Clone, Copy)]
pub struct ExecOptionsSweep {
    /// Worker threads (≥ 1).
    pub threads: usize,
}

/// Why a sweep stopped early.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError<E: std::error::Error + 'static> {
    /// The record sink failed (e.g. the disk is full).
    #[error("failed to write a record: {0}")]
    Sink(#[source] E),
    /// The thread pool could not start.
    #[error("failed to start {threads} worker threads: {source}")]
    Pool {
        /// Requested threads.
        threads: usize,
        /// Cause.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

struct Window {
    written: Mutex<usize>,
    moved: Condvar,
}

/// Runs `jobs` on `threads` workers and hands every record, in job order, to
/// `sink`. `keep_going` is polled before each job is handed out (budgets,
/// interrupts); jobs not handed out are not run and produce no record.
/// Returns, per job, whether it ran.
pub fn execute<E: std::error::Error + Send + 'static>(
    scenarios: &[Arc<Scenario>],
    jobs: &[Job],
    factory: &AdapterFactory,
    adapter_ref: &AdapterRef,
    options: ExecOptionsSweep,
    keep_going: &(dyn Fn() -> bool + Sync),
    mut sink: impl FnMut(RunRecord) -> Result<(), E>,
) -> Result<Vec<bool>, ExecuteError<E>> {
    let threads = options.threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("gauntlet-worker-{i}"))
        .build()
        .map_err(|source| ExecuteError::Pool { threads, source })?;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let window = Window { written: Mutex::new(0), moved: Condvar::new() };
    let ahead = 4 * threads + 4;
    let (tx, rx) = mpsc::channel::<(usize, Option<RunRecord>)>();
    let spec = factory.spec();

    let mut sink_error = None;
    let mut ran = vec![false; jobs.len()];
    pool.in_place_scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, stop, window) = (&next, &stop, &window);
            scope.spawn(move |_| {
                let mut adapter = factory.make();
                loop {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    if k >= jobs.len() {
                        break;
                    }
                    {
                        let mut written = window.written.lock().unwrap_or_else(PoisonError::into_inner);
                        while k >= *written + ahead && !stop.load(Ordering::SeqCst) {
                            written = window.moved.wait(written).unwrap_or_else(PoisonError::into_inner);
                        }
                    }
                    if stop.load(Ordering::SeqCst) || !keep_going() {
                        // Not handed out: tell the aggregator this index is skipped.
                        stop.store(true, Ordering::SeqCst);
                        let _ = tx.send((k, None));
                        break;
                    }
                    let job = &jobs[k];
                    let scenario = &scenarios[job.scenario];
                    let ran = catch_unwind(AssertUnwindSafe(|| {
                        run_job(scenario, job, adapter.as_mut(), adapter_ref, spec)
                    }));
                    let record = match ran {
                        Ok(r) => r,
                        Err(panic) => {
                            // The adapter's state is unknown after a panic: start a fresh one.
                            adapter = factory.make();
                            let msg = panic
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                                .unwrap_or_else(|| "unknown panic".to_owned());
                            let instance = scenario.instance(job.seed);
                            let params = job.values.as_deref().unwrap_or(&instance.params);
                            error_record(
                                &JobContext {
                                    scenario,
                                    seed: job.seed,
                                    kind: job.kind,
                                    params,
                                    adapter: adapter_ref,
                                    wall_ms: 0.0,
                                    replay: replay_command(scenario, job.seed, spec),
                                },
                                "panic",
                                format!("panic while running the job: {msg}"),
                            )
                        }
                    };
                    if tx.send((k, Some(record))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);

        // Aggregator: restore job order, stream to the sink.
        let mut pending: BTreeMap<usize, Option<RunRecord>> = BTreeMap::new();
        let mut cursor = 0usize;
        for (k, record) in rx.iter() {
            pending.insert(k, record);
            while let Some(item) = pending.remove(&cursor) {
                cursor += 1;
                if let Some(record) = item {
                    ran[cursor - 1] = true;
                    if sink_error.is_none()
                        && let Err(e) = sink(record)
                    {
                        sink_error = Some(e);
                        stop.store(true, Ordering::SeqCst);
                    }
                }
                *window.written.lock().unwrap_or_else(PoisonError::into_inner) = cursor;
                window.moved.notify_all();
            }
        }
        // Anything left arrived after a skipped index: still in order.
        for (k, record) in std::mem::take(&mut pending) {
            if let Some(record) = record {
                ran[k] = true;
                if sink_error.is_none()
                    && let Err(e) = sink(record)
                {
                    sink_error = Some(e);
                }
            }
        }
    });
    match sink_error {
        Some(e) => Err(ExecuteError::Sink(e)),
        None => Ok(ran),
    }
}
