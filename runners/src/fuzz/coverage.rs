//! Coverage-directed budget: which scenarios a campaign fuzzes first and how
//! many simulations each gets, and how the campaign moved coverage.

use std::collections::BTreeMap;

use gauntlet_scenarios::Scenario;
use gauntlet_taxonomy::{CoverageOptions, CoverageReport, JobFacts, RiskRank, Share, Taxonomy, coverage};

/// Why a scenario got its place and share in a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// Index into the campaign's scenario list.
    pub scenario: usize,
    /// Simulations it gets.
    pub share: usize,
    /// Risk of its hazards.
    pub risk: RiskRank,
    /// Unexercised hazards it names plus unexercised value pairs its tags hold.
    pub gaps: usize,
}

/// Orders scenarios and splits `budget` between them.
///
/// Scenarios that trace to an unexercised hazard or value pair come first,
/// then by risk (highest ASIL, then Σ ASIL weights), then by how many gaps
/// they hold, then in file order. Each gets a share of the budget in
/// proportion to `(1 + Σ ASIL weights) × (2 if it traces to a gap, else 1)`,
/// by largest remainder in that order, so a budget smaller than the number
/// of scenarios goes to the first ones.
pub fn allocate(
    taxonomy: &Taxonomy,
    scenarios: &[&Scenario],
    before: &CoverageReport,
    budget: usize,
) -> Vec<Allocation> {
    let unexercised_hazards: Vec<&str> =
        before.hazards.iter().filter(|h| !h.exercised).map(|h| h.id.as_str()).collect();
    let mut out: Vec<Allocation> = scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let tags = s.tags();
            let holds = |d: &str, v: &str| tags.get(d).is_some_and(|t| t == v);
            let hazard_gaps =
                s.hazards().iter().filter(|h| unexercised_hazards.contains(&h.as_str())).count();
            let pair_gaps = before
                .pairs
                .iter()
                .filter(|p| {
                    !p.exercised && holds(&p.a.dimension, &p.a.value) && holds(&p.b.dimension, &p.b.value)
                })
                .count();
            Allocation {
                scenario: i,
                share: 0,
                risk: taxonomy.scenario_risk(s.hazards()),
                gaps: hazard_gaps + pair_gaps,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (b.gaps > 0)
            .cmp(&(a.gaps > 0))
            .then(b.risk.cmp(&a.risk))
            .then(b.gaps.cmp(&a.gaps))
            .then(a.scenario.cmp(&b.scenario))
    });
    let weights: Vec<u64> =
        out.iter().map(|a| u64::from(1 + a.risk.weight) * if a.gaps > 0 { 2 } else { 1 }).collect();
    let total: u64 = weights.iter().sum::<u64>().max(1);
    let budget64 = budget as u64;
    let mut given = 0usize;
    let mut remainders = Vec::with_capacity(out.len());
    for (k, (a, w)) in out.iter_mut().zip(&weights).enumerate() {
        let exact = budget64 * w;
        a.share = (exact / total) as usize;
        given += a.share;
        remainders.push((exact % total, k));
    }
    // Largest remainder first; ties in priority order.
    remainders.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    for (_, k) in remainders.into_iter().take(budget - given) {
        out[k].share += 1;
    }
    out
}

/// Coverage of the taxonomy before and after a campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageMove {
    /// Hazards exercised before.
    pub hazards_before: Share,
    /// Hazards exercised after.
    pub hazards_after: Share,
    /// Feasible value pairs exercised before.
    pub pairs_before: Share,
    /// Feasible value pairs exercised after.
    pub pairs_after: Share,
    /// Hazards first exercised by the campaign, in taxonomy order.
    pub new_hazards: Vec<String>,
}

impl CoverageMove {
    /// Compares coverage by `before` with coverage by `before` and the campaign's facts.
    pub fn new(taxonomy: &Taxonomy, before: &[JobFacts], campaign: &[JobFacts]) -> Self {
        let options = CoverageOptions::default();
        let b = coverage(taxonomy, before, &options);
        let a = coverage(taxonomy, before.iter().chain(campaign), &options);
        let was: BTreeMap<&str, bool> = b.hazards.iter().map(|h| (h.id.as_str(), h.exercised)).collect();
        let new_hazards = a
            .hazards
            .iter()
            .filter(|h| h.exercised && !was.get(h.id.as_str()).copied().unwrap_or(false))
            .map(|h| h.id.clone())
            .collect();
        Self {
            hazards_before: b.hazard_coverage,
            hazards_after: a.hazard_coverage,
            pairs_before: b.pair_coverage,
            pairs_after: a.pair_coverage,
            new_hazards,
        }
    }
}

impl std::fmt::Display for CoverageMove {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "hazards exercised {}/{} → {}/{}, value pairs {}/{} → {}/{}",
            self.hazards_before.covered,
            self.hazards_before.total,
            self.hazards_after.covered,
            self.hazards_after.total,
            self.pairs_before.covered,
            self.pairs_before.total,
            self.pairs_after.covered,
            self.pairs_after.total
        )?;
        if !self.new_hazards.is_empty() {
            write!(f, " (new: {})", self.new_hazards.join(", "))?;
        }
        Ok(())
    }
}
