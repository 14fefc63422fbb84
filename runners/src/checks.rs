//! The requirement checks a job is scored against: every check of every
//! requirement that mitigates a hazard its scenario names, at the
//! requirement's own threshold, besides the scenario's own criteria.
//!
//! A check equal to one of the scenario's criteria (same criterion, same
//! threshold) is judged by that criterion's verdict; any other is added to the
//! world as a criterion of its own. Either way the verdict says which
//! requirements it evidences. Criteria never feed the simulation, so checks
//! change verdicts and outcomes, never the trace.

use std::collections::BTreeMap;

use gauntlet_engine::{CriterionSpec, FormulaError, FormulaSpec};
use gauntlet_taxonomy::{Check, Strictness, Taxonomy};

/// One check, and the requirements that state it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementCheck {
    /// The check, at the requirements' threshold.
    pub check: Check,
    /// The ids of the requirements that state exactly this check.
    pub requirements: Vec<String>,
}

impl RequirementCheck {
    /// Whether a verdict of `spec` judges this check: the same criterion at
    /// the same threshold (`reach_goal` at any deadline: the scenario's).
    pub fn judged_by(&self, spec: &CriterionSpec) -> bool {
        spec.name() == self.check.criterion()
            && (matches!(self.check, Check::ReachGoal) || spec.threshold() == self.check.threshold())
    }

    /// The criterion to add when no criterion of the scenario judges it
    /// (`None` for `reach_goal`, whose deadline only the scenario knows).
    pub fn criterion(&self) -> Option<CriterionSpec> {
        Some(match self.check {
            Check::NoCollision => CriterionSpec::NoCollision,
            Check::MinTtc { min } => CriterionSpec::MinTtc { min },
            Check::MinGap { min } => CriterionSpec::MinGap { min },
            Check::StayOnRoad => CriterionSpec::StayOnRoad,
            Check::SpeedLimit { tolerance } => CriterionSpec::SpeedLimit { tolerance },
            Check::MaxDecel { max } => CriterionSpec::MaxDecel { max },
            Check::MaxJerk { max } => CriterionSpec::MaxJerk { max },
            Check::ReachGoal | Check::Formula { .. } => return None,
            Check::StopAtRed => CriterionSpec::StopAtRed,
            Check::StopAtSign => CriterionSpec::StopAtSign,
        })
    }

    /// Whether a verdict of the formula criterion `f` judges this check: a
    /// formula check of the same name and text.
    pub fn judged_by_formula(&self, name: &str, stl: &str) -> bool {
        matches!(&self.check, Check::Formula { name: n, stl: s } if n == name && s == stl)
    }
}

/// A requirement's formula that cannot judge a world: it names an unknown
/// signal, a bound is not a whole number of the world's steps, or the
/// scenario has another formula of that name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the formula `{name}` of {requirements}: {message}")]
pub struct FormulaCheckError {
    /// The formula's name.
    pub name: String,
    /// The requirements stating it, comma-separated.
    pub requirements: String,
    /// What is wrong.
    pub message: String,
}

/// The formula criteria to add to a world of step `dt` whose own formulas
/// are `formulas` so that every formula check is judged.
pub fn missing_formulas(
    formulas: &[FormulaSpec],
    checks: &[RequirementCheck],
    dt: f64,
) -> Result<Vec<FormulaSpec>, FormulaCheckError> {
    let mut added: Vec<FormulaSpec> = Vec::new();
    for c in checks {
        let Check::Formula { name, stl } = &c.check else { continue };
        let error = |message: String| FormulaCheckError {
            name: name.clone(),
            requirements: c.requirements.join(", "),
            message,
        };
        if formulas.iter().chain(&added).any(|f| c.judged_by_formula(&f.name, &f.stl)) {
            continue;
        }
        if formulas.iter().any(|f| f.name == *name) {
            return Err(error("the scenario has another formula of that name".into()));
        }
        let unit = gauntlet_engine::criterion_unit(name).map_or("", |u| u.unit);
        match FormulaSpec::new(name, stl, dt, unit, 1.0) {
            Ok(f) => added.push(f),
            Err(e @ (FormulaError::Parse(_) | FormulaError::Compile(_))) => {
                return Err(error(format!("at offset {}: {}", e.offset(), e.message())));
            }
        }
    }
    Ok(added)
}

/// The requirement ids a verdict of the formula `name` (`stl`) evidences, sorted.
pub fn formula_evidenced_by(name: &str, stl: &str, checks: &[RequirementCheck]) -> Vec<String> {
    let mut ids: Vec<String> = checks
        .iter()
        .filter(|c| c.judged_by_formula(name, stl))
        .flat_map(|c| c.requirements.iter().cloned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The checks of every requirement mitigating one of `hazards`, equal
/// checks of several requirements merged, in taxonomy order.
pub fn requirement_checks(taxonomy: &Taxonomy, hazards: &[String]) -> Vec<RequirementCheck> {
    let mut out: Vec<RequirementCheck> = Vec::new();
    for r in taxonomy.requirements() {
        if !r.hazards.iter().any(|h| hazards.contains(h)) {
            continue;
        }
        for check in &r.checks {
            match out.iter_mut().find(|c| c.check == *check) {
                Some(c) => c.requirements.push(r.id.clone()),
                None => out.push(RequirementCheck { check: check.clone(), requirements: vec![r.id.clone()] }),
            }
        }
    }
    out
}

/// The criteria to add to a world whose own criteria are `criteria` so that
/// every check is judged.
pub fn missing_criteria(criteria: &[CriterionSpec], checks: &[RequirementCheck]) -> Vec<CriterionSpec> {
    let mut added: Vec<CriterionSpec> = Vec::new();
    for c in checks {
        if criteria.iter().chain(&added).any(|spec| c.judged_by(spec)) {
            continue;
        }
        added.extend(c.criterion());
    }
    added
}

/// The requirement ids a verdict of `spec` evidences, sorted.
pub fn evidenced_by(spec: &CriterionSpec, checks: &[RequirementCheck]) -> Vec<String> {
    let mut ids: Vec<String> =
        checks.iter().filter(|c| c.judged_by(spec)).flat_map(|c| c.requirements.iter().cloned()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// A scenario criterion looser than a requirement check of a hazard it names.
#[derive(Debug, Clone, PartialEq)]
pub struct LooserCriterion {
    /// Index of the criterion in the scenario's `criteria`.
    pub index: usize,
    /// The requirement ids and their check it is looser than.
    pub requirements: BTreeMap<String, Check>,
    /// The criterion's threshold in the scenario.
    pub threshold: Option<f64>,
}

/// The scenario's criteria that are looser than a check of a requirement of
/// a hazard it names (a scenario may be stricter, never looser).
pub fn looser_criteria(criteria: &[CriterionSpec], checks: &[RequirementCheck]) -> Vec<LooserCriterion> {
    let mut out = Vec::new();
    for (index, spec) in criteria.iter().enumerate() {
        let mut requirements = BTreeMap::new();
        for c in checks {
            if c.check.compare(spec.name(), spec.threshold()) == Some(Strictness::Looser) {
                for r in &c.requirements {
                    requirements.insert(r.clone(), c.check.clone());
                }
            }
        }
        if !requirements.is_empty() {
            out.push(LooserCriterion { index, requirements, threshold: spec.threshold() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks() -> Vec<RequirementCheck> {
        vec![
            RequirementCheck {
                check: Check::NoCollision,
                requirements: vec!["SR-001".into(), "SR-002".into()],
            },
            RequirementCheck { check: Check::MinTtc { min: 2.0 }, requirements: vec!["SR-001".into()] },
            RequirementCheck { check: Check::ReachGoal, requirements: vec!["SR-015".into()] },
        ]
    }

    #[test]
    fn equal_criteria_judge_checks_and_others_are_added() {
        let own = [
            CriterionSpec::NoCollision,
            CriterionSpec::MinTtc { min: 2.5 },
            CriterionSpec::ReachGoal { within: 30.0 },
        ];
        // The stricter 2.5 s does not judge the 2 s check: it is added.
        assert_eq!(missing_criteria(&own, &checks()), [CriterionSpec::MinTtc { min: 2.0 }]);
        assert_eq!(evidenced_by(&CriterionSpec::NoCollision, &checks()), ["SR-001", "SR-002"]);
        assert!(evidenced_by(&CriterionSpec::MinTtc { min: 2.5 }, &checks()).is_empty());
        assert_eq!(evidenced_by(&CriterionSpec::ReachGoal { within: 30.0 }, &checks()), ["SR-015"]);
        // Without a goal deadline nothing can judge `reach_goal`: nothing is added for it.
        assert_eq!(missing_criteria(&[], &checks()).len(), 2);
    }

    #[test]
    fn looser_criteria_name_the_requirements_they_undercut() {
        let own = [CriterionSpec::MinTtc { min: 1.0 }, CriterionSpec::MinTtc { min: 3.0 }];
        let looser = looser_criteria(&own, &checks());
        assert_eq!(looser.len(), 1);
        assert_eq!(looser[0].index, 0);
        assert_eq!(looser[0].requirements.keys().collect::<Vec<_>>(), ["SR-001"]);
    }
}
