//! Every adapter process alive in this Gauntlet, so that none outlives it.
//!
//! Each adapter runs as the leader of a process group of its own; killing the
//! group takes any helper processes it started with it. Three layers keep a
//! sweep from leaving processes behind:
//!
//! 1. normal shutdown and `Drop` (`child.rs`);
//! 2. [`install_interrupt_handler`]: SIGINT and SIGTERM kill every registered
//!    group, then Gauntlet exits with status 130;
//! 3. `PR_SET_PDEATHSIG`: the kernel kills an adapter whose parent thread dies,
//!    even by SIGKILL.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rustix::process::{Pid, Signal, kill_process_group};

/// Process-group ids (= leader pids) of live adapter processes.
static LIVE: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());
static HANDLER_INSTALLED: AtomicBool = AtomicBool::new(false);

/// Exit status of a Gauntlet stopped by SIGINT or SIGTERM.
pub const INTERRUPTED_EXIT_CODE: i32 = 130;

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
/// Gauntlet with status [`INTERRUPTED_EXIT_CODE`] (130).
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
            if signals.forever().next().is_some() {
                kill_live_adapters();
                std::process::exit(INTERRUPTED_EXIT_CODE);
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
