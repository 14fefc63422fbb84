//! Signal Temporal Logic over named signals, for Gauntlet's criteria.
//!
//! [`parse`] turns a formula such as
//! `always (lead_braking > 0 -> eventually[0, 3] headway_lead >= 1 s)` into a
//! [`Formula`], with the byte offset of any error; [`Monitor`] compiles it
//! against a table of signal names and a step, takes one sample per step
//! and returns its quantitative robustness (positive: satisfied by that
//! much; negative: violated by that much) with memory bounded by its time
//! bounds. Semantics are discrete-time, as rtamt's. This crate knows
//! nothing of the engine: signals are names and numbers.
#![warn(missing_docs)]

mod ast;
mod monitor;
mod parse;
mod wedge;

pub use ast::{Arith, Cmp, Expr, Formula, Interval, Temporal};
pub use monitor::{CompileError, Judgement, MAX_BOUND_STEPS, Monitor};
pub use parse::{ParseError, parse};

/// Robustness of `formula` at every step of `samples` (one row per step,
/// one column per name of `signals`): offline, for tests and tools.
pub fn robustness_trace(
    formula: &Formula,
    signals: &[&str],
    dt: f64,
    samples: &[Vec<f64>],
) -> Result<Vec<f64>, CompileError> {
    let mut m = Monitor::every_step(formula, signals, dt)?;
    let mut out = Vec::with_capacity(samples.len());
    for s in samples {
        m.step(s);
        while let Some(v) = m.pop_output() {
            out.push(v);
        }
    }
    m.finish();
    while let Some(v) = m.pop_output() {
        out.push(v);
    }
    Ok(out)
}
