//! Formula criteria: a named Signal Temporal Logic formula over the signal
//! library ([`crate::signals`]), compiled for the world's step, judged by
//! its robustness at the first sample like every criterion's margin.

use bevy_ecs::prelude::*;
use gauntlet_stl::{CompileError, Monitor, ParseError};

use crate::signals::{SIGNAL_NAMES, Signals};
use crate::world::Clock;

/// A formula criterion, compiled against the signal library for one step.
#[derive(Debug, Clone)]
pub struct FormulaSpec {
    /// Its name in records and requirements (not a built-in criterion's).
    pub name: String,
    /// The formula as written.
    pub stl: String,
    /// Unit of its robustness (e.g. `s` for `ttc_lead > 2 s`), may be empty.
    pub unit: String,
    /// One typical safety buffer in that unit (normalises its margin).
    pub scale: f64,
    dt: f64,
    monitor: Monitor,
}

impl PartialEq for FormulaSpec {
    fn eq(&self, other: &Self) -> bool {
        (&self.name, &self.stl, &self.unit, self.scale, self.dt)
            == (&other.name, &other.stl, &other.unit, other.scale, other.dt)
    }
}

/// Why a formula cannot be a criterion, with the byte offset in its text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormulaError {
    /// It does not parse.
    #[error("{0}")]
    Parse(#[from] ParseError),
    /// It names an unknown signal, or a bound is not a whole number of steps.
    #[error("{0}")]
    Compile(#[from] CompileError),
}

impl FormulaError {
    /// Byte offset inside the formula text.
    pub fn offset(&self) -> usize {
        match self {
            FormulaError::Parse(e) => e.offset,
            FormulaError::Compile(e) => e.offset,
        }
    }
    /// What is wrong, without the offset.
    pub fn message(&self) -> &str {
        match self {
            FormulaError::Parse(e) => &e.message,
            FormulaError::Compile(e) => &e.message,
        }
    }
}

impl FormulaSpec {
    /// Parses and compiles `stl` over the signal library for steps of `dt` s.
    pub fn new(name: &str, stl: &str, dt: f64, unit: &str, scale: f64) -> Result<Self, FormulaError> {
        let formula = gauntlet_stl::parse(stl)?;
        let monitor = Monitor::new(&formula, &SIGNAL_NAMES, dt)?;
        Ok(Self { name: name.to_owned(), stl: stl.to_owned(), unit: unit.to_owned(), scale, dt, monitor })
    }

    /// The step it was compiled for, s.
    pub fn dt(&self) -> f64 {
        self.dt
    }
}

/// The verdict of a formula criterion over a run.
#[derive(Debug, Clone, PartialEq)]
pub struct FormulaVerdict {
    /// The formula's name.
    pub name: String,
    /// The formula as written.
    pub stl: String,
    /// Whether its robustness is ≥ 0.
    pub passed: bool,
    /// Its robustness at the first sample (the signed margin).
    pub margin: f64,
    /// For `always …`: the first time its operand was negative; otherwise
    /// the first sample's time when the formula is violated.
    pub first_violation_t: Option<f64>,
    /// For `always …`: when its operand was smallest; otherwise the first sample's time.
    pub worst_t: f64,
    /// Unit of the margin (may be empty).
    pub unit: String,
    /// One typical safety buffer in that unit.
    pub scale: f64,
}

/// The monitors of a job's formula criteria.
#[derive(Resource, Debug, Default, Clone)]
pub(crate) struct Formulas {
    specs: Vec<FormulaSpec>,
    dt: f64,
}

impl Formulas {
    pub(crate) fn new(specs: &[FormulaSpec], dt: f64) -> Self {
        Self { specs: specs.to_vec(), dt }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Final verdicts (sample `j` is the end of step `j`, at `(j+1)·dt`).
    pub(crate) fn verdicts(&mut self) -> Vec<FormulaVerdict> {
        let dt = self.dt;
        let time = |j: usize| j as f64 * dt + dt;
        self.specs
            .iter_mut()
            .map(|f| {
                let j = f.monitor.finish();
                let passed = j.robustness >= 0.0;
                let worst_t = time(j.worst_step.unwrap_or(0));
                let first_violation_t = match j.first_violation_step {
                    Some(s) => Some(time(s)),
                    None if !passed => Some(worst_t),
                    None => None,
                };
                FormulaVerdict {
                    name: f.name.clone(),
                    stl: f.stl.clone(),
                    passed,
                    margin: j.robustness,
                    first_violation_t,
                    worst_t,
                    unit: f.unit.clone(),
                    scale: f.scale,
                }
            })
            .collect()
    }
}

/// Feeds this step's signals to every formula's monitor.
pub(crate) fn observe(_clock: Res<Clock>, signals: Res<Signals>, mut formulas: ResMut<Formulas>) {
    for f in &mut formulas.specs {
        f.monitor.step(&signals.values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::ReferenceAdapter;
    use crate::spec::{Behaviour, BehaviourStep, Trigger};
    use crate::testing::{straight_spec, vehicle};
    use crate::{RunOptions, Simulation};

    #[test]
    fn formulas_are_deterministic_and_never_touch_the_trace() {
        let brake = BehaviourStep {
            trigger: Trigger::Time(2.0),
            behaviour: Behaviour::Brake { decel: 7.0 },
            parallel: false,
        };
        let keep = BehaviourStep {
            trigger: Trigger::Immediately,
            behaviour: Behaviour::KeepLane { speed: 20.0 },
            parallel: false,
        };
        let plain = straight_spec(20.0, 0.9, vec![vehicle(1, 40.0, 0.0, 20.0, vec![keep, brake])]);
        let mut spec = plain.clone();
        spec.formulas = vec![
            FormulaSpec::new(
                "h",
                "always (lead_accel < -2 -> eventually[0, 3] headway_lead >= 1 s)",
                0.05,
                "",
                1.0,
            )
            .unwrap(),
            FormulaSpec::new("r", "always rss_margin_lead > -50 and eventually speed < 1", 0.05, "m", 2.0)
                .unwrap(),
        ];
        let run = |s: &crate::WorldSpec| {
            Simulation::run(s, &mut ReferenceAdapter::default(), RunOptions::default())
        };
        let (a, b, without) = (run(&spec), run(&spec), run(&plain));
        assert_eq!(a, b, "same inputs, same verdicts");
        assert_eq!(a.trace_hash, without.trace_hash, "formulas never feed the simulation");
        assert_eq!(a.verdicts, without.verdicts);
        assert_eq!(a.formula_verdicts.len(), 2);
        // The lead brakes at 7 m/s² from t = 2 s; the stack stops behind it.
        let h = &a.formula_verdicts[0];
        assert!(h.margin.is_finite() && h.worst_t > 2.0, "{h:?}");
        assert!(a.formula_verdicts[1].passed, "{:?}", a.formula_verdicts[1]);
    }
}
