//! What a campaign falsifies: every criterion (the default), or the
//! requirement formulas — all of them, or those of chosen hazards and
//! requirements of the taxonomy.
//!
//! With a formula target the search minimises the soft minimum of the
//! targeted formulas' robustness only, each divided by its verdict's
//! `scale` (a formula's `scale:`, default 1: one SI unit of robustness — 1 s
//! of headway, 1 m of gap, 1 m/s² of deceleration — counts as one unit, the
//! same order as the built-in criteria's scales); a failure is a run that
//! violates one of them, and it is filed, shrunk and saved under that
//! formula's name.

use std::collections::BTreeMap;

use gauntlet_reports::record::{Outcome, RunRecord, Verdict};
use gauntlet_scenarios::Scenario;
use gauntlet_taxonomy::{Check, Taxonomy};

use crate::checks::requirement_checks;

/// Which verdicts a campaign drives down and files failures under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FuzzTarget {
    /// Every criterion and formula of the run.
    #[default]
    Criteria,
    /// Formula verdicts only: `None` every formula (the scenario's own and
    /// the requirements'); `Some` the formulas of this name (name → STL text).
    Formulas(Option<BTreeMap<String, String>>),
}

/// A formula target that names nothing the taxonomy knows, or selects no formula.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// `--hazard` names no hazard of the taxonomy.
    #[error("unknown hazard `{0}` (not in the taxonomy)")]
    UnknownHazard(String),
    /// `--requirement` names no requirement of the taxonomy.
    #[error("unknown requirement `{0}` (not in the taxonomy)")]
    UnknownRequirement(String),
    /// The selected requirements state no formula check.
    #[error("the requirements of {0} state no Formula check: nothing to falsify")]
    NoFormula(String),
}

impl FuzzTarget {
    /// The formulas of the requirements named by `requirements` and of the
    /// requirements mitigating `hazards`; with neither, every formula.
    pub fn formulas(
        taxonomy: &Taxonomy,
        hazards: &[String],
        requirements: &[String],
    ) -> Result<Self, TargetError> {
        if hazards.is_empty() && requirements.is_empty() {
            return Ok(FuzzTarget::Formulas(None));
        }
        for h in hazards {
            if taxonomy.hazard(h).is_none() {
                return Err(TargetError::UnknownHazard(h.clone()));
            }
        }
        for r in requirements {
            if taxonomy.requirement(r).is_none() {
                return Err(TargetError::UnknownRequirement(r.clone()));
            }
        }
        let mut names = BTreeMap::new();
        for r in taxonomy.requirements() {
            if !requirements.contains(&r.id) && !r.hazards.iter().any(|h| hazards.contains(h)) {
                continue;
            }
            for c in &r.checks {
                if let Check::Formula { name, stl } = c {
                    names.insert(name.clone(), stl.clone());
                }
            }
        }
        if names.is_empty() {
            let selected: Vec<&str> = hazards.iter().chain(requirements).map(String::as_str).collect();
            return Err(TargetError::NoFormula(selected.join(", ")));
        }
        Ok(FuzzTarget::Formulas(Some(names)))
    }

    /// Whether `verdict` is one this target drives down.
    pub fn targets(&self, verdict: &Verdict) -> bool {
        match self {
            FuzzTarget::Criteria => true,
            FuzzTarget::Formulas(None) => is_formula(&verdict.criterion),
            FuzzTarget::Formulas(Some(names)) => names.contains_key(&verdict.criterion),
        }
    }

    /// Whether a run of `scenario` (scored against `taxonomy`'s checks) is
    /// judged by a targeted verdict at all; campaigns skip the others.
    pub fn applies_to(&self, scenario: &Scenario, taxonomy: Option<&Taxonomy>) -> bool {
        let own = || scenario.instance(0).world.formulas;
        let checked = || {
            taxonomy
                .map(|t| requirement_checks(t, scenario.hazards()))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| match c.check {
                    Check::Formula { name, .. } => Some(name),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        match self {
            FuzzTarget::Criteria => true,
            FuzzTarget::Formulas(None) => !own().is_empty() || !checked().is_empty(),
            FuzzTarget::Formulas(Some(names)) => {
                own().iter().any(|f| names.contains_key(&f.name))
                    || checked().iter().any(|n| names.contains_key(n))
            }
        }
    }

    /// The STL text of the targeted formula `name`, where the target knows it.
    pub fn stl(&self, name: &str) -> Option<&str> {
        match self {
            FuzzTarget::Formulas(Some(names)) => names.get(name).map(String::as_str),
            _ => None,
        }
    }

    /// The verdict a failure is filed under: the first violated targeted
    /// verdict (for [`FuzzTarget::Criteria`], the engine's criterion order).
    pub fn violated(&self, record: &RunRecord) -> Option<String> {
        match self {
            FuzzTarget::Criteria => super::objective::target_criterion(record),
            _ => {
                if record.outcome != Outcome::Fail {
                    return None;
                }
                record.verdicts.iter().find(|v| !v.passed && self.targets(v)).map(|v| v.criterion.clone())
            }
        }
    }

    /// The search objective of a run: the soft minimum of the targeted
    /// verdicts' scaled margins ([`super::objective::objective_of`]).
    pub fn objective(&self, record: &RunRecord) -> f64 {
        super::objective::objective_of(record, |v| self.targets(v))
    }

    /// One word for reports: `criteria`, `formulas`, or the formula names.
    pub fn describe(&self) -> String {
        match self {
            FuzzTarget::Criteria => "every criterion".to_owned(),
            FuzzTarget::Formulas(None) => "every formula".to_owned(),
            FuzzTarget::Formulas(Some(names)) => {
                format!("formulas {}", names.keys().cloned().collect::<Vec<_>>().join(", "))
            }
        }
    }
}

/// The STL text of the formula `name` that judges runs of `scenario`: its
/// own formula of that name, else a formula check of a requirement of its
/// hazards in `taxonomy`.
pub fn formula_text(scenario: &Scenario, taxonomy: Option<&Taxonomy>, name: &str) -> Option<String> {
    if let Some(f) = scenario.instance(0).world.formulas.iter().find(|f| f.name == name) {
        return Some(f.stl.clone());
    }
    taxonomy?
        .requirements()
        .iter()
        .filter(|r| r.hazards.iter().any(|h| scenario.hazards().contains(h)))
        .find_map(|r| {
            r.checks.iter().find_map(|c| match c {
                Check::Formula { name: n, stl } if n == name => Some(stl.clone()),
                _ => None,
            })
        })
}

/// Whether a verdict named `criterion` is a formula's: formulas are the
/// verdicts not named after a built-in criterion.
pub fn is_formula(criterion: &str) -> bool {
    !gauntlet_engine::CRITERION_NAMES.contains(&criterion)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        Taxonomy::builtin().expect("the built-in taxonomy loads")
    }

    #[test]
    fn hazards_and_requirements_select_their_formulas() {
        let t = taxonomy();
        let by_hazard = FuzzTarget::formulas(&t, &["H-001".into()], &[]).unwrap();
        assert!(by_hazard.stl("headway_after_lead_brakes").is_some(), "{by_hazard:?}");
        assert!(by_hazard.stl("comfort_unless_emergency").is_none());
        let by_req = FuzzTarget::formulas(&t, &[], &["SR-011".into()]).unwrap();
        assert!(by_req.stl("comfort_unless_emergency").is_some());
        assert_eq!(FuzzTarget::formulas(&t, &[], &[]).unwrap(), FuzzTarget::Formulas(None));
    }

    #[test]
    fn unknown_ids_and_formula_free_requirements_are_refused() {
        let t = taxonomy();
        assert_eq!(
            FuzzTarget::formulas(&t, &["H-999".into()], &[]),
            Err(TargetError::UnknownHazard("H-999".into()))
        );
        assert_eq!(
            FuzzTarget::formulas(&t, &[], &["SR-999".into()]),
            Err(TargetError::UnknownRequirement("SR-999".into()))
        );
        assert!(matches!(FuzzTarget::formulas(&t, &[], &["SR-004".into()]), Err(TargetError::NoFormula(_))));
    }

    #[test]
    fn built_in_criteria_are_not_formulas() {
        assert!(!is_formula("no_collision"));
        assert!(!is_formula("min_ttc"));
        assert!(is_formula("headway_after_lead_brakes"));
    }
}
