//! Tunables of external adapter processes.

use std::path::PathBuf;
use std::time::Duration;

/// How Gauntlet treats external (`exec:`) adapter processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOptions {
    /// Longest wait for the answer to one `observe` (writing the request included).
    /// Default 1 s.
    pub step_timeout: Duration,
    /// Longest wait for the answer to `hello` and, separately, to `reset`: room for
    /// stacks that load models. Default 30 s.
    pub startup_timeout: Duration,
    /// Where to write every line exchanged with adapters, both directions, as JSON
    /// lines (`--adapter-log FILE`). The file is truncated when the factory opens it.
    /// Default: no log. Built-in adapters write nothing to it.
    pub adapter_log: Option<PathBuf>,
}

impl Default for ExecOptions {
    fn default() -> Self {
        Self {
            step_timeout: Duration::from_secs(1),
            startup_timeout: Duration::from_secs(30),
            adapter_log: None,
        }
    }
}
