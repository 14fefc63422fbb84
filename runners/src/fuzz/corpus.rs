//! The regression corpus at work: how a re-run of a saved regression fared.
//!
//! Regressions are ordinary jobs of the plan ([`crate::plan`]); this module
//! reads their records: does the saved criterion still fail, is the trace
//! the saved one.

use std::fmt::Write as _;
use std::path::PathBuf;

use gauntlet_reports::record::{JobSource, Outcome, RunRecord};

use super::objective::violates;
use crate::plan::LeftOut;

/// How a saved regression fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegressionStatus {
    /// It still violates its criterion.
    StillFailing,
    /// Its criterion now holds.
    Fixed,
    /// It could not be judged (adapter or engine error, or its instance no
    /// longer fits the scenario).
    Error(String),
}

/// One saved regression, re-run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegressionResult {
    /// The regression file.
    pub path: PathBuf,
    /// Scenario id.
    pub scenario: String,
    /// The criterion it violated when saved.
    pub criterion: String,
    /// How it fared now.
    pub status: RegressionStatus,
    /// Whether the run reproduced the saved trace hash bit for bit.
    pub same_trace: bool,
    /// Whether the scenario file changed since the regression was saved.
    pub file_changed: bool,
}

/// The regressions a sweep re-ran, and those it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegressionRun {
    /// Re-run, in file order.
    pub results: Vec<RegressionResult>,
    /// Left out, with the reason (saved for another adapter).
    pub skipped: Vec<LeftOut>,
}

impl RegressionRun {
    /// Regressions that still fail.
    pub fn still_failing(&self) -> usize {
        self.results.iter().filter(|r| r.status == RegressionStatus::StillFailing).count()
    }

    /// Regressions whose criterion now holds.
    pub fn fixed(&self) -> usize {
        self.results.iter().filter(|r| r.status == RegressionStatus::Fixed).count()
    }

    /// One line per regression re-run, then a count line; empty when there was nothing.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.results.is_empty() && self.skipped.is_empty() {
            return out;
        }
        for r in &self.results {
            let status = match &r.status {
                RegressionStatus::StillFailing => "still failing".to_owned(),
                RegressionStatus::Fixed => "fixed".to_owned(),
                RegressionStatus::Error(e) => format!("error: {e}"),
            };
            let mut notes = Vec::new();
            if r.status == RegressionStatus::StillFailing && r.same_trace {
                notes.push("same trace");
            }
            if r.file_changed {
                notes.push("scenario changed since saved");
            }
            let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
            let _ = writeln!(
                out,
                "regression {} [{} {}]: {status}{notes}",
                r.path.display(),
                r.scenario,
                r.criterion
            );
        }
        let _ = writeln!(
            out,
            "regressions: {} re-run, {} still failing, {} fixed, {} left out (saved for other adapters)",
            self.results.len(),
            self.still_failing(),
            self.fixed(),
            self.skipped.len()
        );
        out
    }
}

/// What a run of a regression job says about it: `None` unless the record
/// is of a regression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegressionCheck {
    /// The regression file.
    pub path: PathBuf,
    /// The criterion it violated when saved.
    pub criterion: String,
    /// How it fared now.
    pub status: RegressionStatus,
    /// Whether the run reproduced the saved trace hash bit for bit.
    pub same_trace: bool,
}

/// How the regression job of `record` fared, if it is one.
pub fn regression_check(record: &RunRecord) -> Option<RegressionCheck> {
    let JobSource::Regression { regression, criterion, saved_trace_hash, .. } = &record.source else {
        return None;
    };
    let status = if record.outcome == Outcome::Error {
        RegressionStatus::Error(
            record.error.as_ref().map_or_else(|| "error".to_owned(), |e| e.message.clone()),
        )
    } else if violates(record, criterion) {
        RegressionStatus::StillFailing
    } else {
        RegressionStatus::Fixed
    };
    Some(RegressionCheck {
        path: PathBuf::from(regression),
        criterion: criterion.clone(),
        status,
        same_trace: record.trace_hash == *saved_trace_hash,
    })
}

impl RegressionRun {
    /// Adds the record of a job; regression jobs count, others are ignored.
    /// `file_changed` says whether its scenario changed since it was saved.
    pub fn add(&mut self, record: &RunRecord, file_changed: bool) {
        if let Some(check) = regression_check(record) {
            self.results.push(RegressionResult {
                path: check.path,
                scenario: record.scenario.clone(),
                criterion: check.criterion,
                status: check.status,
                same_trace: check.same_trace,
                file_changed,
            });
        }
    }
}

impl RegressionCheck {
    /// One line: still failing or fixed, and whether the trace is the saved one.
    pub fn render(&self) -> String {
        let status = match &self.status {
            RegressionStatus::StillFailing => format!("still fails {}", self.criterion),
            RegressionStatus::Fixed => format!("fixed: {} now holds", self.criterion),
            RegressionStatus::Error(e) => format!("error: {e}"),
        };
        let trace = if self.same_trace { "the saved trace" } else { "another trace than the saved one" };
        format!("regression {}: {status} ({trace})\n", self.path.display())
    }
}
