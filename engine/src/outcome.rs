//! What a run produces: outcome, verdicts, errors, trace hash.

use crate::adapter::AdapterFault;
use crate::criteria::Verdict;
use crate::monitor::MonitorRun;
use crate::trace::{TraceFrame, TraceHash};

/// The three outcomes of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Every criterion held.
    Pass,
    /// At least one criterion was violated.
    Fail,
    /// The job could not be judged: engine fault or adapter fault.
    Error,
}

impl Outcome {
    /// `pass`, `fail` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
        }
    }
}

/// A simulation that went wrong. Never a pass.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineFault {
    /// A body's state became NaN or infinite.
    #[error("non-finite state of body {body} at step {step}")]
    NonFinite {
        /// Step index.
        step: u64,
        /// Actor id (0 is the ego).
        body: u32,
    },
    /// A body reached an absurd speed: a numerical blow-up.
    #[error("blow-up at step {step}: body {body} reached {speed:.1} m/s")]
    BlowUp {
        /// Step index.
        step: u64,
        /// Actor id.
        body: u32,
        /// Its speed, m/s.
        speed: f64,
    },
    /// rapier quarantined a body or collider whose state went non-finite.
    #[error("physics quarantined a non-finite body at step {step}")]
    Quarantined {
        /// Step index.
        step: u64,
    },
}

impl EngineFault {
    /// Stable short kind for records (`engine_non_finite`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            EngineFault::NonFinite { .. } => "engine_non_finite",
            EngineFault::BlowUp { .. } => "engine_blow_up",
            EngineFault::Quarantined { .. } => "engine_quarantine",
        }
    }
}

/// Why a job ended in `error`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The adapter failed.
    #[error("adapter: {0}")]
    Adapter(#[from] AdapterFault),
    /// The world went wrong.
    #[error("engine: {0}")]
    Engine(#[from] EngineFault),
}

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// Pass, fail or error.
    pub outcome: Outcome,
    /// One verdict per criterion, in the scenario's order.
    pub verdicts: Vec<Verdict>,
    /// One verdict per formula criterion, in the scenario's order.
    pub formula_verdicts: Vec<crate::formula::FormulaVerdict>,
    /// Set when the outcome is `error`.
    pub error: Option<RunError>,
    /// Steps simulated.
    pub steps: u64,
    /// Simulated time, s.
    pub sim_time: f64,
    /// The determinism fingerprint.
    pub trace_hash: TraceHash,
    /// Every step's state, when asked for.
    pub trace: Option<Vec<TraceFrame>>,
    /// The stack's runtime-monitor activations (empty when it reports none).
    pub monitors: MonitorRun,
    /// When the storyboard's stop trigger ended the run, s (none: it ran its
    /// duration, or a collision or fault ended it).
    pub stopped_at: Option<f64>,
}
