//! Fuzzing: campaigns that generate scenario instances nobody wrote, search
//! for failures, shrink each failure to its simplest form, and keep it as a
//! regression file that every sweep re-runs.
//!
//! - [`search`]: how instances are picked: uniform random sampling from each
//!   scenario's proptest strategy (a fixed stream per campaign seed), or a
//!   falsification search (the cross-entropy method) driving the criterion
//!   margins down;
//! - a campaign ([`CampaignOptions`], [`CampaignReport`]): rounds of jobs on
//!   the sweep's worker pool, deterministic whatever the thread count, records
//!   streamed in a fixed order;
//! - shrinking ([`ShrinkOptions`]): while the failure keeps failing the same
//!   criterion, extra actors and faults are removed, numbers move toward
//!   nominal, the duration is cut just after the first violation;
//! - the corpus ([`RegressionRun`], [`regression_check`]): how the saved
//!   regressions, planned first in every sweep, fared;
//! - the target ([`FuzzTarget`]): every criterion, or the requirement
//!   formulas (all, or those of chosen hazards and requirements), whose
//!   robustness the search drives down and whose violation is shrunk and saved;
//! - [`allocate`]: the coverage-directed split of the budget;
//! - [`measure`]: simulations to the first failure, for the benchmark of
//!   search against random sampling;
//! - differential campaigns (`--against OLD`, [`differential`]): every
//!   instance runs with both adapters; the search drives NEW's margin minus
//!   OLD's down and files only failures OLD does not share.

mod campaign;
mod corpus;
mod coverage;
mod differential;
pub mod measure;
mod objective;
mod probe;
pub mod search;
mod shrink;
mod surrogate;
mod target;

pub(crate) use campaign::Campaign;
pub use campaign::{
    CampaignOptions, CampaignReport, FailureReport, ScenarioReport, SharedFailure, ShrinkReport,
};
pub use corpus::{RegressionCheck, RegressionResult, RegressionRun, RegressionStatus, regression_check};
pub use coverage::{Allocation, CoverageMove, allocate};
pub(crate) use differential::Against;
pub use differential::regresses;
pub(crate) use probe::Machine;
pub use search::StrategyKind;
pub use shrink::{CUT_SLACK, ShrinkOptions};
pub use target::{FuzzTarget, TargetError, formula_text, is_formula};

use gauntlet_scenarios::ScenarioError;
use gauntlet_scenarios::regression::RegressionError;

/// Why a campaign, a regression re-run or a regression replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    /// A scenario (or its `fuzz` section, or a regression's instance) is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A regression file could not be read or written.
    #[error(transparent)]
    Regression(#[from] RegressionError),
    /// The worker pool failed.
    #[error("failed to run fuzz jobs: {0}")]
    Execute(String),
    /// A record could not be written.
    #[error(transparent)]
    Write(#[from] gauntlet_reports::record::WriteError),
    /// `--hazard` / `--requirement` select no formula the taxonomy knows.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// No scenario among the paths is judged by the targeted formulas.
    #[error("no scenario among the paths is judged by {0}")]
    NothingTargeted(String),
}
