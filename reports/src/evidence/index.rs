//! Which jobs evidence each requirement for each hazard, scenario by
//! scenario: the links from the taxonomy's figures to the records.

use std::collections::{BTreeMap, BTreeSet};

use gauntlet_taxonomy::Taxonomy;

use crate::record::{Outcome, RunRecord};
use crate::summary::TriageCounts;

/// The worst margin of a requirement's checks in a set of jobs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct MarginEvidence {
    /// The check's criterion.
    pub criterion: String,
    /// Its margin, in its unit (negative: violated).
    pub margin: f64,
    /// The unit.
    pub unit: String,
    /// `margin ÷ scale` (what ranks margins across criteria).
    pub normalized: f64,
    /// The job it comes from.
    pub job: String,
}

/// The evidence one scenario gives for one requirement and one of its
/// hazards: the jobs with a verdict of one of the requirement's checks.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct CellEvidence {
    /// Ids of the jobs (records) with such a verdict, in record order.
    pub jobs: Vec<String>,
    /// Those of them in which such a check failed.
    pub failing_jobs: Vec<String>,
    /// The worst (smallest normalised) margin of those verdicts; NaN margins skipped.
    pub worst: Option<MarginEvidence>,
}

/// The records, indexed by (requirement, hazard, scenario), and the triage
/// of the jobs that violated each hazard.
#[derive(Clone, Debug, Default)]
pub struct EvidenceIndex {
    cells: BTreeMap<(String, String, String), CellEvidence>,
    triage: BTreeMap<String, TriageCounts>,
}

impl EvidenceIndex {
    /// Indexes `records` (already free of duplicates) against `taxonomy`. A
    /// verdict is evidence for a requirement and a hazard when it names the
    /// requirement, the record names the hazard, and the requirement
    /// mitigates the hazard: the attribution coverage uses.
    pub fn build<'a>(taxonomy: &Taxonomy, records: impl IntoIterator<Item = &'a RunRecord>) -> Self {
        let mut index = Self::default();
        for r in records {
            index.add(taxonomy, r);
        }
        index
    }

    /// Adds one record.
    pub fn add(&mut self, taxonomy: &Taxonomy, r: &RunRecord) {
        if r.outcome == Outcome::Error {
            return;
        }
        let mut violated: BTreeSet<&str> = BTreeSet::new();
        for hazard in &r.hazards {
            for v in &r.verdicts {
                for req in &v.requirements {
                    let mitigates = taxonomy.requirement(req).is_some_and(|q| q.hazards.contains(hazard));
                    if !mitigates {
                        continue;
                    }
                    let cell =
                        self.cells.entry((req.clone(), hazard.clone(), r.scenario.clone())).or_default();
                    if cell.jobs.last() != Some(&r.id) {
                        cell.jobs.push(r.id.clone());
                    }
                    if !v.passed {
                        violated.insert(hazard);
                        if cell.failing_jobs.last() != Some(&r.id) {
                            cell.failing_jobs.push(r.id.clone());
                        }
                    }
                    let normalized = v.normalized_margin();
                    let worse =
                        !normalized.is_nan() && cell.worst.as_ref().is_none_or(|w| normalized < w.normalized);
                    if worse {
                        cell.worst = Some(MarginEvidence {
                            criterion: v.criterion.clone(),
                            margin: v.margin,
                            unit: v.unit.clone(),
                            normalized,
                            job: r.id.clone(),
                        });
                    }
                }
            }
        }
        for hazard in violated {
            self.triage.entry(hazard.to_owned()).or_default().add(r);
        }
    }

    /// The evidence of `scenario` for `requirement` and `hazard`.
    pub fn cell(&self, requirement: &str, hazard: &str, scenario: &str) -> Option<&CellEvidence> {
        self.cells.get(&(requirement.to_owned(), hazard.to_owned(), scenario.to_owned()))
    }

    /// Every scenario's evidence for `requirement` and `hazard`, by scenario id.
    pub fn cells_of<'s>(
        &'s self,
        requirement: &'s str,
        hazard: &'s str,
    ) -> impl Iterator<Item = (&'s str, &'s CellEvidence)> + 's {
        self.cells
            .iter()
            .filter(move |((r, h, _), _)| r == requirement && h == hazard)
            .map(|((_, _, s), c)| (s.as_str(), c))
    }

    /// The jobs that violated a check of `requirement` for `hazard`, and the
    /// worst margin, over every scenario.
    pub fn merged(&self, requirement: &str, hazard: &str) -> CellEvidence {
        let mut out = CellEvidence::default();
        for (_, c) in self.cells_of(requirement, hazard) {
            out.jobs.extend(c.jobs.iter().cloned());
            out.failing_jobs.extend(c.failing_jobs.iter().cloned());
            if let Some(w) = &c.worst
                && out.worst.as_ref().is_none_or(|o| w.normalized < o.normalized)
            {
                out.worst = Some(w.clone());
            }
        }
        out
    }

    /// The triage of the jobs in which a check of one of `hazard`'s
    /// requirements failed (zero counts when none did).
    pub fn triage(&self, hazard: &str) -> TriageCounts {
        self.triage.get(hazard).copied().unwrap_or_default()
    }
}
