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
use std::sync::{Condvar, Mutex, PoisonError};

use gauntlet_reports::record::{ErrorKind, RunRecord};

use crate::adapter::AdapterFactory;
use crate::job::{AdapterIdentity, Job, Tracing, error_record, run_job};

/// How a sweep executes.
#[derive(Debug, Clone, Copy)]
pub struct ExecOptionsSweep {
    /// Worker threads (≥ 1).
    pub threads: usize,
    /// Triage failing jobs before their records are built.
    pub triage: bool,
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
    jobs: &[Job],
    factory: &AdapterFactory,
    identity: &AdapterIdentity,
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
                    let ran = catch_unwind(AssertUnwindSafe(|| {
                        run_job(job, adapter.as_mut(), identity, Tracing::Off, options.triage)
                    }));
                    let record = match ran {
                        Ok(run) => run.record,
                        Err(panic) => {
                            // The adapter's state is unknown after a panic: start a fresh one.
                            adapter = factory.make();
                            let msg = panic
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                                .unwrap_or_else(|| "unknown panic".to_owned());
                            error_record(
                                job,
                                identity,
                                ErrorKind::Panic,
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
