//! Checking a scenario's tags and hazard ids against the taxonomy, and ranking scenarios by risk.

use std::collections::BTreeMap;
use std::fmt;

use gauntlet_ron_source::{FieldPath, closest_match};
use serde::Serialize;

use crate::{AsilClass, Taxonomy, validate};

/// A problem with a scenario's tags or hazard ids.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TagProblem {
    /// A tag names a dimension the taxonomy does not have.
    UnknownDimension {
        /// The tag's key.
        dimension: String,
        /// The closest dimension id, if one is close.
        suggestion: Option<String>,
    },
    /// A tag gives a value its dimension does not have.
    UnknownValue {
        /// The tag's key (a known dimension).
        dimension: String,
        /// The tag's value.
        value: String,
        /// The closest value id of that dimension, if one is close.
        suggestion: Option<String>,
    },
    /// A hazard id the taxonomy does not have.
    UnknownHazard {
        /// Position in the scenario's hazard list.
        index: usize,
        /// The id as written.
        hazard: String,
        /// The closest hazard id, if one is close.
        suggestion: Option<String>,
    },
    /// A hazard id the taxonomy has retired (moved to `retired`): it may no longer be named.
    RetiredHazard {
        /// Position in the scenario's hazard list.
        index: usize,
        /// The id as written.
        hazard: String,
    },
    /// The same hazard is named twice.
    DuplicateHazard {
        /// Position of the second mention in the hazard list.
        index: usize,
        /// The id.
        hazard: String,
    },
    /// The tags form a combination that an exclusion declares impossible.
    ExcludedCombination {
        /// The tag keys involved, in order.
        dimensions: Vec<String>,
        /// The exclusion's reason.
        reason: String,
    },
    /// A known hazard cannot arise under these tags (none of its cells admits them). Possibly
    /// deliberate (a scenario checking that nothing happens); callers may treat it as a warning.
    HazardOutsideCells {
        /// Position in the hazard list.
        index: usize,
        /// The id.
        hazard: String,
    },
}

impl TagProblem {
    /// Whether this is advisory rather than an error (only [`TagProblem::HazardOutsideCells`]).
    pub fn is_warning(&self) -> bool {
        matches!(self, TagProblem::HazardOutsideCells { .. })
    }

    /// The field path of the offending value in a scenario file whose tag map is at `tags` and
    /// whose hazard list is at `hazards`, for [`SourceFile::error_at`](gauntlet_ron_source::SourceFile::error_at).
    pub fn path(&self, tags: &FieldPath, hazards: &FieldPath) -> FieldPath {
        match self {
            TagProblem::UnknownDimension { dimension, .. } | TagProblem::UnknownValue { dimension, .. } => {
                tags.field(dimension)
            }
            TagProblem::ExcludedCombination { dimensions, .. } => {
                dimensions.first().map_or_else(|| tags.clone(), |d| tags.field(d))
            }
            TagProblem::UnknownHazard { index, .. }
            | TagProblem::RetiredHazard { index, .. }
            | TagProblem::DuplicateHazard { index, .. }
            | TagProblem::HazardOutsideCells { index, .. } => hazards.index(*index),
        }
    }
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default()
}

impl fmt::Display for TagProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TagProblem::UnknownDimension { dimension, suggestion } => {
                write!(f, "unknown taxonomy dimension `{dimension}`{}", did_you_mean(suggestion))
            }
            TagProblem::UnknownValue { dimension, value, suggestion } => {
                write!(f, "unknown value `{value}` for dimension `{dimension}`{}", did_you_mean(suggestion))
            }
            TagProblem::UnknownHazard { hazard, suggestion, .. } => {
                write!(f, "unknown hazard `{hazard}`{}", did_you_mean(suggestion))
            }
            TagProblem::RetiredHazard { hazard, .. } => write!(
                f,
                "hazard `{hazard}` is retired and may no longer be named (see the taxonomy's `retired` list and the hazard's replacement there)"
            ),
            TagProblem::DuplicateHazard { hazard, .. } => write!(f, "hazard `{hazard}` is listed twice"),
            TagProblem::ExcludedCombination { dimensions, reason } => {
                write!(f, "the tags {} form an excluded combination: {reason}", backticked(dimensions))
            }
            TagProblem::HazardOutsideCells { hazard, .. } => {
                write!(f, "hazard `{hazard}` cannot arise under these tags (none of its cells admits them)")
            }
        }
    }
}

fn backticked(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// How risky a scenario (or any set of hazards) is, for ordering worst-risk-first: the highest
/// ASIL among its hazards, then the sum of their [`AsilClass::weight`]s. Ordered so that greater
/// is riskier; sort descending to run the riskiest first. A set without (known) hazards ranks
/// lowest of all: class QM with weight 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct RiskRank {
    /// The highest class among the hazards (QM when there are none).
    pub class: AsilClass,
    /// Σ weight(class) over the distinct known hazards.
    pub weight: u32,
}

impl Taxonomy {
    /// Checks a scenario's tags (dimension id → value id) and hazard ids. Returns every problem,
    /// tags first (in key order), then hazards (in list order); empty when all is well.
    pub fn check_tags(&self, tags: &BTreeMap<String, String>, hazards: &[String]) -> Vec<TagProblem> {
        let mut problems = Vec::new();
        let dimension_ids = || self.dimensions.iter().map(|d| d.id.as_str());
        let mut all_known = true;
        for (dimension, value) in tags {
            match self.dimension(dimension) {
                None => {
                    all_known = false;
                    let suggestion = closest_match(dimension, dimension_ids()).map(str::to_owned);
                    problems.push(TagProblem::UnknownDimension { dimension: dimension.clone(), suggestion });
                }
                Some(d) if d.value(value).is_none() => {
                    all_known = false;
                    let suggestion =
                        closest_match(value, d.values.iter().map(|v| v.id.as_str())).map(str::to_owned);
                    problems.push(TagProblem::UnknownValue {
                        dimension: dimension.clone(),
                        value: value.clone(),
                        suggestion,
                    });
                }
                Some(_) => {}
            }
        }
        for exclusion in &self.exclusions {
            if exclusion.when.contains(tags) {
                problems.push(TagProblem::ExcludedCombination {
                    dimensions: exclusion.when.constraints.keys().cloned().collect(),
                    reason: exclusion.reason.clone(),
                });
            }
        }
        for (index, id) in hazards.iter().enumerate() {
            if hazards[..index].contains(id) {
                problems.push(TagProblem::DuplicateHazard { index, hazard: id.clone() });
                continue;
            }
            match self.hazard(id) {
                None if self.retired.contains(id) => {
                    problems.push(TagProblem::RetiredHazard { index, hazard: id.clone() });
                }
                None => {
                    let suggestion =
                        validate::suggest(id, self.hazards.iter().map(|h| h.id.as_str())).map(str::to_owned);
                    problems.push(TagProblem::UnknownHazard { index, hazard: id.clone(), suggestion });
                }
                // Unknown tags would make this check report nonsense; they are reported already.
                Some(h) if all_known && !h.can_arise_in(tags) => {
                    problems.push(TagProblem::HazardOutsideCells { index, hazard: id.clone() });
                }
                Some(_) => {}
            }
        }
        problems
    }

    /// The risk rank of a scenario that names these hazards. Unknown and repeated ids are
    /// ignored ([`Taxonomy::check_tags`] reports them).
    pub fn scenario_risk<S: AsRef<str>>(&self, hazard_ids: &[S]) -> RiskRank {
        let mut rank = RiskRank { class: AsilClass::QM, weight: 0 };
        for (i, id) in hazard_ids.iter().enumerate() {
            let id = id.as_ref();
            if hazard_ids[..i].iter().any(|earlier| earlier.as_ref() == id) {
                continue;
            }
            if let Some(hazard) = self.hazard(id) {
                rank.class = rank.class.max(hazard.asil);
                rank.weight += hazard.asil.weight();
            }
        }
        rank
    }
}
