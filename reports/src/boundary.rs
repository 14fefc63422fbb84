//! Scenarios past a regulation's boundary: the record's `beyond` field and
//! how a marked failure is classified.
//!
//! A scenario file may say that its instances lie past the boundary of a
//! regulation or test protocol (`beyond: (source: …, claim: …)`), and what
//! that means for its failures. The avoidability triage decides:
//!
//! | claim | triage of the failure | class | counts against the gate |
//! |---|---|---|---|
//! | `unavoidable` | unavoidable | [`BoundaryClass::Expected`] | no |
//! | `unavoidable` | avoidable | [`BoundaryClass::Contradicted`] | yes, as an avoidable failure, and said loudly |
//! | `unavoidable` | unknown or not triaged | [`BoundaryClass::Unconfirmed`] | yes, as without the mark |
//! | `not_required` | any | [`BoundaryClass::BeyondRequirement`] | no |
//!
//! A failure is never hidden: its record keeps its outcome, verdicts and
//! triage; only its classification in the summary, the gate, JUnit and the
//! Markdown report changes. Passes and errors are never classified (an
//! error is the stack's or the harness's, wherever the scenario lies).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::record::{Outcome, RunRecord};
use crate::summary::TriageCounts;

/// What a boundary mark claims about the scenario's failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryClaim {
    /// No control within the ego's limits avoids the violation; triage must confirm it.
    Unavoidable,
    /// The source does not require avoiding it (physics may allow it).
    NotRequired,
}

/// The record's `beyond`: the scenario lies past this source's boundary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Beyond {
    /// The regulation or protocol, with its clause.
    pub source: String,
    /// What the scenario claims about its failures.
    pub claim: BoundaryClaim,
    /// Which boundary and how far past it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// How a failing job of a marked scenario is classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryClass {
    /// Claimed unavoidable and triage agrees: expected, past the boundary.
    Expected,
    /// Not required by the source: reported apart, with triage's verdict.
    BeyondRequirement,
    /// Claimed unavoidable, but triage found a manoeuvre that avoids it:
    /// the claim is wrong and the stack failed something avoidable.
    Contradicted,
    /// Claimed unavoidable, but triage did not settle it (unknown, or not
    /// triaged): the claim is unchecked, so the failure counts as usual.
    Unconfirmed,
}

impl BoundaryClass {
    /// Whether the failure is left out of the gate's failure counts.
    pub fn exempt(self) -> bool {
        matches!(self, BoundaryClass::Expected | BoundaryClass::BeyondRequirement)
    }

    /// The label the summary, JUnit and Markdown put on the job.
    pub fn label(self) -> &'static str {
        match self {
            BoundaryClass::Expected => "FAIL (expected: past the boundary, unavoidable)",
            BoundaryClass::BeyondRequirement => "FAIL (beyond the requirement)",
            BoundaryClass::Contradicted => "FAIL (CLAIM CONTRADICTED: avoidable past the boundary)",
            BoundaryClass::Unconfirmed => "FAIL (past the boundary, claim unconfirmed)",
        }
    }
}

/// The class of `r`: `None` unless it failed and its scenario is marked.
pub fn classify(r: &RunRecord) -> Option<BoundaryClass> {
    if r.outcome != Outcome::Fail {
        return None;
    }
    let beyond = r.beyond.as_ref()?;
    Some(match beyond.claim {
        BoundaryClaim::NotRequired => BoundaryClass::BeyondRequirement,
        BoundaryClaim::Unavoidable => match r.triage.as_ref().and_then(|t| t.avoidable) {
            Some(false) => BoundaryClass::Expected,
            Some(true) => BoundaryClass::Contradicted,
            None => BoundaryClass::Unconfirmed,
        },
    })
}

/// Triage's verdict on `r` in words, for a classified failure.
pub fn triage_words(r: &RunRecord) -> String {
    match &r.triage {
        None => "not triaged".to_owned(),
        Some(t) => match t.avoidable {
            Some(true) => {
                let mut s = format!("triage: avoidable ({}", t.manoeuvre.as_deref().unwrap_or("a manoeuvre"));
                if let Some(from) = t.from_t {
                    let _ = write!(s, " from t = {from:.2} s");
                }
                s.push(')');
                s
            }
            Some(false) => "triage: unavoidable".to_owned(),
            None => format!("triage: unknown ({})", t.note),
        },
    }
}

/// Failing jobs of marked scenarios, by class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BoundaryCounts {
    /// Claimed unavoidable, confirmed by triage.
    pub expected: u64,
    /// Not required by the source.
    pub beyond_requirement: u64,
    /// Claimed unavoidable, contradicted by triage.
    pub contradicted: u64,
    /// Claimed unavoidable, not settled by triage.
    pub unconfirmed: u64,
    /// The triage verdicts of the exempt failures (expected and beyond the
    /// requirement), to take out of the gate's triage counts.
    pub exempt_triage: TriageCounts,
}

impl BoundaryCounts {
    /// Counts one record (only failures of marked scenarios count).
    pub fn add(&mut self, r: &RunRecord) {
        let Some(class) = classify(r) else { return };
        match class {
            BoundaryClass::Expected => self.expected += 1,
            BoundaryClass::BeyondRequirement => self.beyond_requirement += 1,
            BoundaryClass::Contradicted => self.contradicted += 1,
            BoundaryClass::Unconfirmed => self.unconfirmed += 1,
        }
        if class.exempt() {
            self.exempt_triage.add(r);
        }
    }

    /// Failures left out of the gate: expected plus beyond the requirement.
    pub fn exempt(&self) -> u64 {
        self.expected + self.beyond_requirement
    }

    /// Whether any failing job of a marked scenario was counted.
    pub fn any(&self) -> bool {
        self.expected + self.beyond_requirement + self.contradicted + self.unconfirmed > 0
    }

    /// `triage` less the exempt failures: what the gate counts.
    pub fn gated(&self, triage: &TriageCounts) -> TriageCounts {
        let e = &self.exempt_triage;
        TriageCounts {
            avoidable: triage.avoidable.saturating_sub(e.avoidable),
            unavoidable: triage.unavoidable.saturating_sub(e.unavoidable),
            unknown: triage.unknown.saturating_sub(e.unknown),
            untriaged: triage.untriaged.saturating_sub(e.untriaged),
        }
    }

    /// One line for the summary, or `None` when no marked scenario failed.
    pub fn line(&self) -> Option<String> {
        if !self.any() {
            return None;
        }
        let mut s = format!(
            "past a boundary: {} expected (claimed and triaged unavoidable), {} beyond the requirement; \
             left out of the gate",
            self.expected, self.beyond_requirement
        );
        if self.contradicted > 0 {
            let _ = write!(
                s,
                "; CLAIM CONTRADICTED: {} failure(s) claimed unavoidable that triage avoids (the stack's)",
                self.contradicted
            );
        }
        if self.unconfirmed > 0 {
            let _ =
                write!(s, "; {} claimed unavoidable but not settled by triage (counted)", self.unconfirmed);
        }
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Triage;
    use crate::record::tests::record;

    fn marked(claim: BoundaryClaim, avoidable: Option<Option<bool>>) -> RunRecord {
        let mut r = record("past", 1, Outcome::Fail);
        r.beyond = Some(Beyond { source: "UN R157".into(), claim, note: String::new() });
        r.triage = avoidable.map(|avoidable| Triage {
            avoidable,
            criterion: "no_collision".into(),
            manoeuvre: avoidable.and_then(|a| a.then(|| "max_brake".to_owned())),
            from_t: avoidable.and_then(|a| a.then_some(2.5)),
            margin: Some(0.4),
            runs: 3,
            note: String::new(),
        });
        r
    }

    #[test]
    fn the_claim_and_triage_decide_the_class() {
        use BoundaryClaim::*;
        use BoundaryClass::*;
        assert_eq!(classify(&marked(Unavoidable, Some(Some(false)))), Some(Expected));
        assert_eq!(classify(&marked(Unavoidable, Some(Some(true)))), Some(Contradicted));
        assert_eq!(classify(&marked(Unavoidable, Some(None))), Some(Unconfirmed));
        assert_eq!(classify(&marked(Unavoidable, None)), Some(Unconfirmed));
        for t in [None, Some(None), Some(Some(true)), Some(Some(false))] {
            assert_eq!(classify(&marked(NotRequired, t)), Some(BeyondRequirement));
        }
        let mut pass = marked(Unavoidable, None);
        pass.outcome = Outcome::Pass;
        assert_eq!(classify(&pass), None, "passes are not classified");
        let mut error = marked(NotRequired, None);
        error.outcome = Outcome::Error;
        assert_eq!(classify(&error), None, "errors are never exempt");
        assert_eq!(
            classify(&record("plain", 1, Outcome::Fail)),
            None,
            "unmarked failures are not classified"
        );
    }

    #[test]
    fn exempt_failures_leave_the_gated_triage_counts() {
        let records = [
            marked(BoundaryClaim::Unavoidable, Some(Some(false))),
            marked(BoundaryClaim::Unavoidable, Some(Some(true))),
            marked(BoundaryClaim::NotRequired, Some(Some(true))),
            marked(BoundaryClaim::NotRequired, None),
            record("plain", 2, Outcome::Fail),
        ];
        let (mut triage, mut counts) = (TriageCounts::default(), BoundaryCounts::default());
        for r in &records {
            triage.add(r);
            counts.add(r);
        }
        assert_eq!((counts.expected, counts.beyond_requirement, counts.contradicted), (1, 2, 1));
        assert_eq!(counts.exempt(), 3);
        let gated = counts.gated(&triage);
        // Left: the contradicted one (avoidable) and the unmarked untriaged one.
        assert_eq!((gated.avoidable, gated.unavoidable, gated.unknown, gated.untriaged), (1, 0, 0, 1));
        let line = counts.line().unwrap();
        assert!(line.contains("1 expected") && line.contains("2 beyond the requirement"), "{line}");
        assert!(line.contains("CLAIM CONTRADICTED: 1"), "{line}");
        assert_eq!(triage_words(&records[1]), "triage: avoidable (max_brake from t = 2.50 s)");
    }
}
