//! `beyond: (source: …, claim: …, note: …)`: the optional mark of a
//! scenario whose instances lie past a regulation's or a test protocol's
//! boundary (e.g. a UN R157 cut-in with a time-to-collision at lane
//! intrusion under the regulation's pass/fail line). Its schema, its
//! validation in the walk, and its text for the RON writer. What a marked
//! failure means is decided by the avoidability triage and classified by
//! the reports (`gauntlet_reports::boundary`).

use gauntlet_ron_source::FieldPath;
use serde::Deserialize;

use crate::resolve::Walk;

/// What the mark claims about the scenario's failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum BoundaryClaimFile {
    /// No control within the ego's limits avoids the violation: a failure
    /// is expected, and triage must confirm it (an avoidable one contradicts
    /// the claim).
    Unavoidable,
    /// The source does not require avoiding it, though physics may allow
    /// it: a failure is reported apart, "beyond the requirement", with
    /// triage's verdict.
    NotRequired,
}

impl BoundaryClaimFile {
    /// The claim as records write it (`unavoidable`, `not_required`).
    pub fn name(self) -> &'static str {
        match self {
            BoundaryClaimFile::Unavoidable => "unavoidable",
            BoundaryClaimFile::NotRequired => "not_required",
        }
    }
}

/// `beyond: (source: "UN R157 Annex 5, 4.2 cut-in", claim: NotRequired, note: "…")`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BeyondFile {
    /// The regulation or test protocol whose boundary the scenario lies
    /// past, with its clause, e.g. `UN R157 Annex 5, 4.2 cut-in`.
    pub source: String,
    /// `Unavoidable` or `NotRequired`.
    pub claim: BoundaryClaimFile,
    /// Which boundary and how far past it, in words (default empty).
    #[serde(default)]
    pub note: String,
}

/// The longest `source` or `note` accepted, characters.
const MAX_TEXT: usize = 2000;

impl Walk<'_> {
    /// Validates the `beyond` section at `p`.
    pub(crate) fn beyond(&mut self, p: &FieldPath, b: &BeyondFile) {
        if b.source.trim().is_empty() {
            self.error(
                &p.field("source"),
                "expected the regulation or protocol (and clause) whose boundary the scenario lies past, found an empty string",
            );
        }
        for (name, text) in [("source", &b.source), ("note", &b.note)] {
            if text.chars().count() > MAX_TEXT {
                self.error(&p.field(name), format!("expected at most {MAX_TEXT} characters"));
            }
        }
    }
}

/// The RON text of `b`, as the writer puts it after `beyond:`.
pub(crate) fn beyond_text(b: &BeyondFile, string: impl Fn(&str) -> String) -> String {
    let BeyondFile { source, claim, note } = b;
    let claim = match claim {
        BoundaryClaimFile::Unavoidable => "Unavoidable",
        BoundaryClaimFile::NotRequired => "NotRequired",
    };
    format!("(source: {}, claim: {claim}, note: {})", string(source), string(note))
}
