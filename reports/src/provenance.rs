//! Provenance: where the scenario of a record came from, and coverage by
//! evidence source (library, generated, fuzz) apart and together.
//!
//! A record of a scenario that `gauntlet generate` wrote carries a
//! [`Provenance`] (the scenario file's `generated: (…)` section). A record's
//! [`EvidenceSource`] is `fuzz` for fuzzed instances (whatever their
//! scenario), `generated` for the other runs of generated scenarios and
//! `library` for the rest.

use gauntlet_taxonomy::{CoverageOptions, Share, Taxonomy};

use crate::coverage::record_coverage;
use crate::record::{JobKind, RunRecord};

/// How a generated scenario was made (optional in records; absent for hand-written scenarios).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Always `generated`.
    pub kind: ProvenanceKind,
    /// The library scenario it was made from.
    pub from: String,
    /// That scenario's file, relative to the generated file.
    pub file: String,
    /// The pair of taxonomy values it was made to cover, each `dimension: value`.
    pub pair: Vec<String>,
}

/// What made a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProvenanceKind {
    /// `gauntlet generate` (or `fuzz --fill-gaps`) from a library scenario.
    Generated,
}

/// Where a record's evidence comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// A hand-written scenario (or a saved regression of one).
    Library,
    /// A generated scenario.
    Generated,
    /// A fuzzed instance.
    Fuzz,
}

impl EvidenceSource {
    /// Every source, in report order.
    pub const ALL: [EvidenceSource; 3] =
        [EvidenceSource::Library, EvidenceSource::Generated, EvidenceSource::Fuzz];

    /// The source of `record`.
    pub fn of(record: &RunRecord) -> Self {
        if record.kind == JobKind::Fuzz {
            EvidenceSource::Fuzz
        } else if record.provenance.is_some() {
            EvidenceSource::Generated
        } else {
            EvidenceSource::Library
        }
    }

    /// Its name (`library`, `generated`, `fuzz`).
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceSource::Library => "library",
            EvidenceSource::Generated => "generated",
            EvidenceSource::Fuzz => "fuzz",
        }
    }
}

/// Coverage figures of one evidence source, or of all together.
#[derive(Clone, Debug, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct SourceCoverage {
    /// The source; `None`: all sources together.
    pub source: Option<EvidenceSource>,
    /// Records of it.
    pub runs: u32,
    /// Dimension values exercised.
    pub values: Share,
    /// Feasible pairs exercised.
    pub pairs: Share,
    /// Hazards exercised.
    pub hazards: Share,
}

/// Coverage of `records` by each evidence source present, then of all together.
pub fn coverage_by_source(
    taxonomy: &Taxonomy,
    records: &[RunRecord],
    options: &CoverageOptions,
) -> Vec<SourceCoverage> {
    let figures = |source: Option<EvidenceSource>| {
        let chosen: Vec<&RunRecord> =
            records.iter().filter(|r| source.is_none_or(|s| EvidenceSource::of(r) == s)).collect();
        let report = record_coverage(taxonomy, chosen.iter().copied(), options);
        SourceCoverage {
            source,
            runs: chosen.len() as u32,
            values: report.value_coverage,
            pairs: report.pair_coverage,
            hazards: report.hazard_coverage,
        }
    };
    let mut out: Vec<SourceCoverage> = EvidenceSource::ALL
        .into_iter()
        .filter(|s| records.iter().any(|r| EvidenceSource::of(r) == *s))
        .map(|s| figures(Some(s)))
        .collect();
    out.push(figures(None));
    out
}

/// The table of [`coverage_by_source`] as text (`markdown`: a Markdown table).
pub fn render_by_source(rows: &[SourceCoverage], markdown: bool) -> String {
    let mut out = String::new();
    let share = |s: &Share| format!("{}/{}", s.covered, s.total);
    if markdown {
        out.push_str("## Evidence by source\n\n| source | runs | values | pairs | hazards |\n|---|---:|---:|---:|---:|\n");
    } else {
        out.push_str("evidence by source:\n");
        out.push_str(&format!(
            "  {:<10} {:>6} {:>8} {:>8} {:>8}\n",
            "source", "runs", "values", "pairs", "hazards"
        ));
    }
    for r in rows {
        let name = r.source.map_or("together", EvidenceSource::as_str);
        if markdown {
            out.push_str(&format!(
                "| {name} | {} | {} | {} | {} |\n",
                r.runs,
                share(&r.values),
                share(&r.pairs),
                share(&r.hazards)
            ));
        } else {
            out.push_str(&format!(
                "  {name:<10} {:>6} {:>8} {:>8} {:>8}\n",
                r.runs,
                share(&r.values),
                share(&r.pairs),
                share(&r.hazards)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Outcome;
    use crate::record::tests::record;

    fn tagged(scenario: &str, tags: &[(&str, &str)]) -> RunRecord {
        let mut r = record(scenario, 0, Outcome::Pass);
        r.tags = tags.iter().map(|(d, v)| ((*d).to_owned(), (*v).to_owned())).collect();
        r
    }

    #[test]
    fn generated_and_fuzz_evidence_are_counted_apart_and_together() {
        let taxonomy = Taxonomy::builtin().unwrap();
        let library = tagged("a", &[("friction", "dry"), ("perception", "dropout")]);
        let mut generated = tagged("b", &[("friction", "icy"), ("perception", "dropout")]);
        generated.provenance = Some(Provenance {
            kind: ProvenanceKind::Generated,
            from: "a".into(),
            file: "../library/a.ron".into(),
            pair: vec!["friction: icy".into(), "perception: dropout".into()],
        });
        let mut fuzzed = generated.clone();
        fuzzed.kind = JobKind::Fuzz;
        assert_eq!(EvidenceSource::of(&library), EvidenceSource::Library);
        assert_eq!(EvidenceSource::of(&generated), EvidenceSource::Generated);
        assert_eq!(EvidenceSource::of(&fuzzed), EvidenceSource::Fuzz);
        let rows = coverage_by_source(&taxonomy, &[library, generated, fuzzed], &CoverageOptions::default());
        let sources: Vec<_> = rows.iter().map(|r| r.source).collect();
        assert_eq!(
            sources,
            vec![
                Some(EvidenceSource::Library),
                Some(EvidenceSource::Generated),
                Some(EvidenceSource::Fuzz),
                None
            ]
        );
        assert_eq!(rows[0].pairs.covered, 1);
        assert_eq!(rows[1].pairs.covered, 1);
        assert_eq!(rows[3].pairs.covered, 2);
        assert_eq!(rows[3].runs, 3);
        let text = render_by_source(&rows, false);
        assert!(text.contains("generated") && text.contains("together"), "{text}");
    }

    #[test]
    fn old_records_without_provenance_still_load() {
        let r = record("a", 0, Outcome::Pass);
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("provenance"));
        let back: RunRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back.provenance, None);
    }
}
