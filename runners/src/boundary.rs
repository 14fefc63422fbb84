//! A scenario's `beyond:` mark as its records carry it. What a marked
//! failure means is classified from the record (its claim and its triage)
//! by [`gauntlet_reports::boundary`].

use gauntlet_reports::boundary::{Beyond, BoundaryClaim};
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::boundary::BoundaryClaimFile;

/// The record's `beyond` for a job of `scenario`: its file's mark, if any.
pub fn beyond(scenario: &Scenario) -> Option<Beyond> {
    scenario.file().beyond.as_ref().map(|b| Beyond {
        source: b.source.clone(),
        claim: match b.claim {
            BoundaryClaimFile::Unavoidable => BoundaryClaim::Unavoidable,
            BoundaryClaimFile::NotRequired => BoundaryClaim::NotRequired,
        },
        note: b.note.clone(),
    })
}
