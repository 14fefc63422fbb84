//! Every adapter process alive in this Gauntlet, so that none outlives it.
//!
//! Each adapter runs as the leader of a process group of its own; killing the
//! group takes any helper processes it started with it. Three layers keep a
//! sweep from leaving processes behind:
//!
//! 1. normal shutdown and `Drop` (`child.rs`);
//! 2. [`install_interrupt_handler`]: SIGINT and SIGTERM kill every registered
//!    group, then Gauntlet exits with status 130 (SIGINT) or 143 (SIGTERM).
//!    A command that stops cleanly by itself (a sweep: it stops handing out
//!    jobs, lets the jobs in flight finish and says how to resume) turns on
//!    [`set_graceful_interrupt`]: the first signal is then only recorded
//!    ([`interrupted`]), and a second one exits at once as above;
//! 3. `PR_SET_PDEATHSIG`: the kernel kills an adapter whose parent thread dies,
//!    even by SIGKILL.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rustix::process::{Pid, Signal, kill_process_group};

/// Process-group ids (= leader pids) of live adapter processes.
static LIVE: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());
static HANDLER_INSTALLED: AtomicBool = AtomicBool::new(false);
/// Whether the first signal only asks the running command to stop.
static GRACEFUL: AtomicBool = AtomicBool::new(false);
/// The signal received in graceful mode (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// Exit status of a Gauntlet stopped by SIGINT (128 + 2).
pub const INTERRUPTED_EXIT_CODE: i32 = 130;
/// Exit status of a Gauntlet stopped by SIGTERM (128 + 15).
pub const TERMINATED_EXIT_CODE: i32 = 143;

/// The exit status for a stop by `signal`: 128 + its number (130, 143).
pub fn signal_exit_code(signal: i32) -> i32 {
    128 + signal
}

/// The name of a signal the handler catches.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        signal_hook::consts::SIGINT => "SIGINT",
        signal_hook::consts::SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

/// With `on`, the first SIGINT/SIGTERM is only recorded (see [`interrupted`])
/// for the running command to stop by itself; a second one exits at once.
pub fn set_graceful_interrupt(on: bool) {
    GRACEFUL.store(on, Ordering::SeqCst);
}

/// The signal (SIGINT or SIGTERM) received while graceful, if any.
pub fn interrupted() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

fn live() -> MutexGuard<'static, BTreeSet<i32>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Records a freshly spawned process group.
pub(crate) fn register(pid: Pid) {
    live().insert(pid.as_raw_nonzero().get());
}

/// Forgets a process group. Call before reaping its leader, so that the
/// handler never signals a recycled pid.
pub(crate) fn unregister(pid: Pid) {
    live().remove(&pid.as_raw_nonzero().get());
}

/// Sends SIGKILL to every live adapter process group; returns how many there were.
///
/// The processes stay registered: their owners reap them (or the process exits).
pub fn kill_live_adapters() -> usize {
    let live = live();
    for &raw in live.iter() {
        if let Some(pid) = Pid::from_raw(raw) {
            // ESRCH: the group is already gone.
            let _ = kill_process_group(pid, Signal::KILL);
        }
    }
    live.len()
}

/// Installs a SIGINT/SIGTERM handler that kills every adapter process and exits
/// Gauntlet with status [`INTERRUPTED_EXIT_CODE`] (130) on SIGINT,
/// [`TERMINATED_EXIT_CODE`] (143) on SIGTERM; in graceful mode
/// ([`set_graceful_interrupt`]) the first signal is only recorded.
///
/// Records are flushed as each job ends, so nothing finished is lost. Calling
/// it again is a no-op.
pub fn install_interrupt_handler() -> Result<(), InterruptHandlerError> {
    if HANDLER_INSTALLED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let install = || -> std::io::Result<()> {
        let mut signals =
            signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM])?;
        std::thread::Builder::new().name("gauntlet-signals".into()).spawn(move || {
            for signal in signals.forever() {
                if GRACEFUL.load(Ordering::SeqCst)
                    && RECEIVED.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst).is_ok()
                {
                    // The command stops by itself; a second signal ends it at once.
                    continue;
                }
                kill_live_adapters();
                // Descendants that detached from their adapter (the binary is their subreaper).
                super::orphans::end_orphans();
                std::process::exit(signal_exit_code(signal));
            }
        })?;
        Ok(())
    };
    install().map_err(|source| {
        HANDLER_INSTALLED.store(false, Ordering::SeqCst);
        InterruptHandlerError { source }
    })
}

/// The interrupt handler could not be installed.
#[derive(Debug, thiserror::Error)]
#[error("failed to install the SIGINT/SIGTERM handler that stops adapter processes: {source}")]
pub struct InterruptHandlerError {
    #[source]
    source: std::io::Error,
}
