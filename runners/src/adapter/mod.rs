//! Adapters: how a sweep reaches the system under test.
//!
//! An [`AdapterSpec`] (`builtin:NAME` or `exec:COMMAND ARGS…`) and
//! [`ExecOptions`] make an [`AdapterFactory`]; the runner preflights it once
//! and makes one adapter per worker thread. `exec:` adapters are
//! [`ExecAdapter`]s: child processes speaking the stdio JSON-lines protocol v1
//! of `docs/adapter-protocol.md`, whose every misbehaviour becomes an
//! [`AdapterFault`](gauntlet_engine::AdapterFault) of one job.
//!
//! **Invariant:** no adapter process outlives Gauntlet. Each runs in a process
//! group of its own, registered while alive; dropping its adapter ends it
//! (close stdin, wait 2 s, kill the group), [`install_interrupt_handler`]
//! kills every group on SIGINT/SIGTERM (a sweep first stops cleanly), and on Linux the kernel kills an
//! adapter whose spawning thread dies (`PR_SET_PDEATHSIG`), even when
//! Gauntlet itself is SIGKILLed.
//!
//! [`conformance`] checks an adapter against the protocol's clauses
//! (`gauntlet adapter check`).
//!
//! ```no_run
//! use gauntlet_runners::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
//!
//! let spec: AdapterSpec = "exec:python3 examples/python_adapter/adapter.py".parse()?;
//! let factory = AdapterFactory::new(&spec, &ExecOptions::default())?;
//! let info = factory.preflight()?; // refuses the sweep if the adapter cannot start
//! println!("driving {} {}", info.name, info.version);
//! let _per_worker = factory.make();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Duration;

mod child;
pub mod conformance;
mod exec;
mod factory;
mod log;
mod options;
mod orphans;
mod protocol;
mod registry;
mod spec;
mod stderr_tail;

pub use exec::{ExecAdapter, RoundTripStats};
pub use factory::{AdapterFactory, AdapterSetupError};
pub use options::ExecOptions;
pub use orphans::{become_subreaper, end_orphans};
pub use registry::{
    INTERRUPTED_EXIT_CODE, InterruptHandlerError, TERMINATED_EXIT_CODE, install_interrupt_handler,
    interrupted, kill_live_adapters, set_graceful_interrupt, signal_exit_code, signal_name,
};
pub use spec::{AdapterSpec, AdapterSpecError, ExecCommand};

/// How long a process whose stdin was closed gets to exit before it is killed.
pub(crate) const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// How long a process that closed its stdout gets to exit before it is killed.
pub(crate) const EXIT_GRACE: Duration = Duration::from_millis(500);
