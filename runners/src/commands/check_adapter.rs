//! `gauntlet replay … --check-adapter`: runs one job twice, each time with a
//! fresh adapter, and reports the first step where the two runs differ —
//! in what the engine showed the adapter (a simulator bug) or, given the same
//! observation, in what the adapter answered (a non-deterministic stack).

use std::fmt;

use gauntlet_engine::{AdapterFault, AdapterInfo, AutonomyAdapter, Control, JobEnd, JobStart, Observation};

use crate::adapter::AdapterFactory;
use crate::commands::replay::{ReplayConfig, resolve};
use crate::error::RunnerError;
use crate::job::{AdapterIdentity, Job, Tracing, run_job};

/// One run's exchange with the adapter, step by step.
#[derive(Default)]
struct Exchange {
    observations: Vec<Observation>,
    controls: Vec<Control>,
    fault: Option<String>,
}

/// An adapter that passes everything to `inner` and keeps what was exchanged.
struct Recorder<'a> {
    inner: &'a mut dyn AutonomyAdapter,
    exchange: Exchange,
}

impl AutonomyAdapter for Recorder<'_> {
    fn info(&self) -> AdapterInfo {
        self.inner.info()
    }

    fn reset(&mut self, job: &JobStart) -> Result<(), AdapterFault> {
        self.inner.reset(job).inspect_err(|e| self.exchange.fault = Some(e.to_string()))
    }

    fn step(&mut self, observation: &Observation) -> Result<Control, AdapterFault> {
        self.exchange.observations.push(observation.clone());
        let answer = self.inner.step(observation);
        match &answer {
            Ok(c) => self.exchange.controls.push(*c),
            Err(e) => self.exchange.fault = Some(e.to_string()),
        }
        answer
    }

    fn end(&mut self, outcome: JobEnd) {
        self.inner.end(outcome);
    }
}

/// Runs `job` once on a fresh adapter, keeping the exchange.
fn record(job: &Job, factory: &AdapterFactory, identity: &AdapterIdentity) -> Exchange {
    let mut adapter = factory.make();
    let mut recorder = Recorder { inner: adapter.as_mut(), exchange: Exchange::default() };
    run_job(job, &mut recorder, identity, Tracing::Off, false);
    recorder.exchange
}

/// Where two runs of the same job first differ.
#[derive(Debug, Clone, PartialEq)]
pub enum Divergence {
    /// Both runs saw the same observations and got the same answers.
    None {
        /// Steps compared.
        steps: u64,
    },
    /// The engine showed different observations: the simulator is at fault.
    Observation {
        /// Step index.
        step: u64,
    },
    /// Same observation, different answer: the adapter is not deterministic.
    Control {
        /// Step index.
        step: u64,
        /// First run's answer.
        first: Control,
        /// Second run's answer.
        second: Control,
    },
    /// One run ended (fault or finish) where the other went on.
    Length {
        /// Steps in the first run.
        first: u64,
        /// Steps in the second run.
        second: u64,
        /// Fault messages of the runs, if any.
        faults: (Option<String>, Option<String>),
    },
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Divergence::None { steps } => {
                write!(f, "identical: {steps} steps, same observations and same answers in both runs")
            }
            Divergence::Observation { step } => write!(
                f,
                "the simulator diverged: the observations differ at step {step} although every earlier answer was identical"
            ),
            Divergence::Control { step, first, second } => write!(
                f,
                "the adapter is not deterministic: same observation at step {step}, answers differ \
                 (accel {} vs {}, steer {} vs {})",
                first.accel, second.accel, first.steer, second.steer
            ),
            Divergence::Length { first, second, faults } => write!(
                f,
                "the runs have different lengths ({first} vs {second} steps; faults: {:?} / {:?})",
                faults.0, faults.1
            ),
        }
    }
}

fn same(a: &Control, b: &Control) -> bool {
    a.accel.to_bits() == b.accel.to_bits() && a.steer.to_bits() == b.steer.to_bits()
}

fn compare(a: &Exchange, b: &Exchange) -> Divergence {
    let n = a.observations.len().min(b.observations.len());
    for step in 0..n {
        if a.observations[step] != b.observations[step] {
            return Divergence::Observation { step: step as u64 };
        }
        match (a.controls.get(step), b.controls.get(step)) {
            (Some(x), Some(y)) if !same(x, y) => {
                return Divergence::Control { step: step as u64, first: *x, second: *y };
            }
            _ => {}
        }
    }
    if a.observations.len() != b.observations.len() || a.controls.len() != b.controls.len() {
        return Divergence::Length {
            first: a.controls.len() as u64,
            second: b.controls.len() as u64,
            faults: (a.fault.clone(), b.fault.clone()),
        };
    }
    Divergence::None { steps: n as u64 }
}

/// Runs the job `config` names twice, each with a fresh adapter (a fresh
/// process for `exec:`), through the same path as every other run.
pub fn check_adapter(config: &ReplayConfig) -> Result<Divergence, RunnerError> {
    let resolved = resolve(config)?;
    let factory = AdapterFactory::new(&resolved.adapter, &config.exec)?;
    let identity = AdapterIdentity::resolve(&factory)?;
    let first = record(&resolved.job, &factory, &identity);
    let second = record(&resolved.job, &factory, &identity);
    factory.finish_log()?;
    Ok(compare(&first, &second))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(controls: &[f64]) -> Exchange {
        Exchange {
            observations: controls.iter().map(|_| Observation::default()).collect(),
            controls: controls.iter().map(|&a| Control { accel: a, steer: 0.0 }).collect(),
            fault: None,
        }
    }

    #[test]
    fn names_the_first_differing_answer() {
        let a = exchange(&[0.0, 1.0, 2.0]);
        assert_eq!(compare(&a, &exchange(&[0.0, 1.0, 2.0])), Divergence::None { steps: 3 });
        let d = compare(&a, &exchange(&[0.0, 1.5, 2.0]));
        assert!(matches!(d, Divergence::Control { step: 1, .. }), "{d:?}");
        let mut b = exchange(&[0.0, 1.0, 2.0]);
        b.observations[2].t = 9.0;
        assert_eq!(compare(&a, &b), Divergence::Observation { step: 2 });
        assert!(matches!(compare(&a, &exchange(&[0.0])), Divergence::Length { first: 3, second: 1, .. }));
    }
}
