//! `gauntlet replay … --check-adapter`: runs one job twice, each time with a
//! fresh adapter, and reports the first step where the two runs differ —
//! in what the engine showed the adapter (a simulator bug) or, given the same
//! observation, in what the adapter answered (a non-deterministic stack).

use std::fmt;

use gauntlet_engine::{AutonomyAdapter, Control, JobEnd, Observation, Simulation, StepStatus};
use gauntlet_scenarios::Scenario;

use crate::adapter::AdapterFactory;
use crate::commands::replay::ReplayConfig;
use crate::error::RunnerError;

/// One run's exchange with the adapter, step by step.
struct Exchange {
    observations: Vec<Observation>,
    controls: Vec<Control>,
    fault: Option<String>,
}

fn record(scenario: &Scenario, seed: u64, adapter: &mut dyn AutonomyAdapter) -> Exchange {
    let world = scenario.instance(seed).world;
    let mut sim = Simulation::new(&world);
    let mut ex = Exchange { observations: Vec::new(), controls: Vec::new(), fault: None };
    if let Err(e) = adapter.reset(sim.job_start()) {
        ex.fault = Some(e.to_string());
        adapter.end(JobEnd::Error);
        return ex;
    }
    loop {
        let obs = sim.observe().clone();
        let answer = adapter.step(&obs);
        ex.observations.push(obs);
        match answer {
            Ok(c) => {
                ex.controls.push(c);
                if sim.act(c) == StepStatus::Finished {
                    break;
                }
            }
            Err(e) => {
                ex.fault = Some(e.to_string());
                break;
            }
        }
    }
    adapter.end(JobEnd::Pass);
    ex
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

/// Runs the job twice, each with a fresh adapter (a fresh process for `exec:`).
pub fn check_adapter(config: &ReplayConfig) -> Result<Divergence, RunnerError> {
    let scenario = Scenario::load(&config.scenario)?;
    let factory = AdapterFactory::new(&config.adapter, &config.exec)?;
    factory.preflight()?;
    let first = record(&scenario, config.seed, factory.make().as_mut());
    let second = record(&scenario, config.seed, factory.make().as_mut());
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
