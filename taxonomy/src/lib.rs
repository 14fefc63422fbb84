//! The coverage model of Gauntlet: which hazards, under which operating conditions, have
//! evidence, and where the holes are, worst risk first.
//!
//! A [`Taxonomy`] (read from `taxonomy/default.ron` or another RON file) declares
//! - the *dimensions* of the operating domain (road, event, actor, friction, perception, speed),
//!   each with its values, and *exclusions*: combinations of values that cannot exist;
//! - *hazards* with stable ids, ISO 26262 severity / exposure / controllability, the ASIL
//!   derived from them by [`asil`], and the cells where they can arise;
//! - *safety requirements* with stable ids, the hazards they mitigate and the criteria whose
//!   verdicts give evidence for them.
//!
//! [`coverage`] turns per-job [`JobFacts`] into a [`CoverageReport`]; [`render_text`] and
//! [`render_markdown`] print it. This crate knows no engine or record type.
//!
//! ```
//! use std::collections::BTreeMap;
//! use gauntlet_taxonomy::{coverage, CoverageOptions, JobFacts, JobOutcome, Taxonomy};
//!
//! let taxonomy = Taxonomy::builtin()?;
//! let tags: BTreeMap<String, String> =
//!     [("road", "highway"), ("event", "cut_in")].map(|(d, v)| (d.to_owned(), v.to_owned())).into();
//! assert!(taxonomy.check_tags(&tags, &["H-002".to_owned()]).is_empty());
//!
//! let facts = vec![JobFacts {
//!     scenario: "cut-in-highway".into(),
//!     seed: 7,
//!     tags,
//!     hazards: vec!["H-002".into()],
//!     outcome: JobOutcome::Pass,
//!     verdicts: vec![],
//! }];
//! let report = coverage(&taxonomy, &facts, &CoverageOptions::default());
//! assert_eq!(report.hazard_coverage.covered, 1);
//! # Ok::<(), gauntlet_ron_source::Diagnostic>(())
//! ```
#![warn(missing_docs)]

mod asil;
mod catalogue;
mod catalogue_coverage;
mod check;
mod coverage;
mod facts;
mod model;
mod raw;
mod realise;
mod render;
mod stats;
mod tags;
mod triggers;
mod validate;

pub use asil::{AsilClass, Controllability, Exposure, Severity, asil};
pub use catalogue::{Catalogue, CatalogueEntry, Mapping};
pub use catalogue_coverage::{
    CatalogueCoverage, EntryCoverage, EntryStatus, ScenarioRuns, StatusTotals, catalogue_coverage,
    render_catalogue_markdown, render_catalogue_text,
};
pub use check::{Check, Strictness};
pub use coverage::{
    Counts, CoverageBuilder, CoverageOptions, CoverageReport, CriterionVerdict, DimensionPairCoverage,
    FAILING_RUNS_LISTED, FailingRun, Gaps, HazardChecks, HazardCoverage, HazardGap, HazardStatus,
    HazardTrace, PairCoverage, PairGap, RequirementTrace, ScenarioEvidence, TopRiskCoverage,
    TopRiskShortfall, TraceStatus, UnknownReference, ValueCoverage, ValueRef, WorstMargin, coverage,
};
pub use facts::{CriterionFact, JobFacts, JobOutcome};
pub use gauntlet_ron_source::Diagnostic;
pub use model::{
    CRITERIA, Cell, DEFAULT_TAXONOMY, Dimension, DimensionValue, EvidencePolicy, Exclusion, Hazard,
    Rationale, Requirement, Taxonomy, TriggeringCondition, ValueId,
};
pub use realise::{
    Band, DEFAULT_REALISATIONS, FOG_VISIBILITY, LightSetting, MAX_FRICTION, MAX_LATENCY_STEPS, MAX_NOISE,
    MAX_RAIN, MAX_SPEED, Realisation, Realisations, WeatherSetting,
};
pub use render::{PAIR_GAPS_SHOWN, hazard_status, markdown_cell, render_markdown, render_text};
pub use stats::{Interval, Share, Z_95, wilson_interval};
pub use tags::{RiskRank, TagProblem};
pub use triggers::{TriggerCoverage, TriggerHazard};
