//! The digest of a sweep: everything the artefacts show, gathered in one
//! streaming pass over the records, in memory bounded by the number of
//! scenarios and of failing jobs rather than by the number of jobs.
//!
//! A [`DigestBuilder`] takes records one at a time ([`DigestBuilder::add`])
//! and keeps:
//!
//! - the totals and the plain-text [`Summary`] (per-scenario rows, and the
//!   failures and errors as one line each);
//! - per scenario ([`ScenarioDigest`]): job counts, the worst margin (the
//!   summary row's: smallest normalised margin, shown raw with its unit and
//!   criterion), the title, tags and hazards of its last record, and every
//!   hazard any of its records named;
//! - the adapters and engine versions seen;
//! - the failing and errored jobs **in full**: they are what users read, and
//!   the one part that grows with the sweep by design;
//! - with a taxonomy, the coverage ([`CoverageBuilder`]) and the risk class
//!   of each scenario for the gate;
//! - on request, the compact per-job facts of the baseline diff
//!   ([`DiffIndex`], about 150 bytes a job) and of the JUnit report
//!   ([`JunitBuilder`], a few dozen bytes a passing job).
//!
//! [`DigestBuilder::finish`] gives a [`SweepDigest`], from which the Markdown
//! summary, the dashboard, the gate inputs and the diff are rendered; the
//! JUnit builder is taken out before with [`DigestBuilder::take_junit`] and
//! written suite by suite. Every figure equals the one computed from the
//! whole record list.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use gauntlet_taxonomy::{CoverageBuilder, CoverageOptions, CoverageReport, Taxonomy};

use crate::coverage::job_facts;
use crate::diff::DiffIndex;
use crate::junit::JunitBuilder;
use crate::record::{JobKey, Outcome, RunRecord};
use crate::summary::{Summary, SummaryBuilder, Totals, WorstMargin};

/// What the artefacts know of one scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScenarioDigest {
    /// Its jobs by outcome.
    pub totals: Totals,
    /// The smallest normalised margin over its jobs, with its raw margin,
    /// unit, criterion and job: the same as the summary's row for it.
    pub worst: Option<WorstMargin>,
    /// The title of its last record.
    pub title: String,
    /// The tags of its last record.
    pub tags: BTreeMap<String, String>,
    /// The hazards of its last record.
    pub hazards: Vec<String>,
    /// Every hazard any of its records named.
    pub hazards_named: BTreeSet<String>,
}

/// Everything the artefacts of a sweep are rendered from (see the module docs).
#[derive(Clone, Debug)]
pub struct SweepDigest {
    /// Records read.
    pub records: u64,
    /// Jobs by outcome.
    pub totals: Totals,
    /// The plain-text summary.
    pub summary: Summary,
    /// Per scenario id.
    pub scenarios: BTreeMap<String, ScenarioDigest>,
    /// Every adapter, as `name version`.
    pub adapters: BTreeSet<String>,
    /// Every engine version.
    pub engines: BTreeSet<String>,
    /// Failed jobs by key: the last record of a key wins, and a later pass
    /// or error of the key removes it.
    pub failing: BTreeMap<JobKey, Arc<RunRecord>>,
    /// Errored jobs by key, likewise.
    pub errored: BTreeMap<JobKey, Arc<RunRecord>>,
    /// The first failed record of every key that ever failed, whatever came
    /// after (the jobs re-run for the dashboard's traces).
    pub first_failing: BTreeMap<JobKey, Arc<RunRecord>>,
    /// Coverage of the taxonomy, when the builder had one.
    pub coverage: Option<CoverageReport>,
    /// Risk class of each scenario whose hazards carry risk (the last
    /// record with risk wins), when the builder had a taxonomy.
    pub risk_classes: BTreeMap<String, String>,
    /// The diff facts of every job, when asked for.
    pub diff_index: Option<DiffIndex>,
    /// Runtime-monitor effectiveness ([`crate::monitors`]).
    pub monitors: crate::monitors::MonitorReport,
    /// The worst margin per (hazard, criterion): tonight's point of the
    /// leading indicators ([`crate::trend`]), labelled `tonight`.
    pub margins: crate::trend::NightMargins,
}

impl SweepDigest {
    /// The digest of `records` without a taxonomy.
    pub fn of<'a>(records: impl IntoIterator<Item = &'a RunRecord>) -> Self {
        let mut builder = DigestBuilder::new(None);
        for r in records {
            builder.add(r);
        }
        builder.finish()
    }

    /// The digest of `records` with coverage of `taxonomy`.
    pub fn with_taxonomy<'a>(taxonomy: &Taxonomy, records: impl IntoIterator<Item = &'a RunRecord>) -> Self {
        let mut builder = DigestBuilder::new(Some(taxonomy));
        for r in records {
            builder.add(r);
        }
        builder.finish()
    }

    /// The failing jobs to re-run for traces: the first failed record of
    /// each key, in key order.
    pub fn failing_records(&self) -> Vec<RunRecord> {
        self.first_failing.values().map(|r| RunRecord::clone(r)).collect()
    }
}

/// Builds a [`SweepDigest`] one record at a time (see the module docs).
pub struct DigestBuilder<'t> {
    taxonomy: Option<&'t Taxonomy>,
    coverage: Option<CoverageBuilder<'t>>,
    coverage_options: CoverageOptions,
    junit: Option<JunitBuilder>,
    diff: Option<DiffIndex>,
    summary: SummaryBuilder,
    records: u64,
    totals: Totals,
    scenarios: BTreeMap<String, ScenarioDigest>,
    adapters: BTreeSet<String>,
    engines: BTreeSet<String>,
    failing: BTreeMap<JobKey, Arc<RunRecord>>,
    errored: BTreeMap<JobKey, Arc<RunRecord>>,
    first_failing: BTreeMap<JobKey, Arc<RunRecord>>,
    risk_classes: BTreeMap<String, String>,
    monitors: crate::monitors::MonitorScorer,
    margins: crate::trend::NightMargins,
}

impl<'t> DigestBuilder<'t> {
    /// An empty digest; with a taxonomy, coverage and risk classes are
    /// gathered too.
    pub fn new(taxonomy: Option<&'t Taxonomy>) -> Self {
        Self {
            taxonomy,
            coverage: taxonomy.map(CoverageBuilder::new),
            coverage_options: CoverageOptions::default(),
            junit: None,
            diff: None,
            summary: SummaryBuilder::default(),
            records: 0,
            totals: Totals::default(),
            scenarios: BTreeMap::new(),
            adapters: BTreeSet::new(),
            engines: BTreeSet::new(),
            failing: BTreeMap::new(),
            errored: BTreeMap::new(),
            first_failing: BTreeMap::new(),
            risk_classes: BTreeMap::new(),
            monitors: crate::monitors::MonitorScorer::default(),
            margins: crate::trend::NightMargins::new("tonight"),
        }
    }

    /// Runtime-monitor options other than the default.
    pub fn with_monitor_options(mut self, options: crate::monitors::MonitorOptions) -> Self {
        self.monitors = crate::monitors::MonitorScorer::new(options);
        self
    }

    /// Also gathers the compact test cases of the JUnit report.
    pub fn with_junit(mut self) -> Self {
        self.junit = Some(JunitBuilder::default());
        self
    }

    /// Also gathers the compact diff facts of every job.
    pub fn with_diff_index(mut self) -> Self {
        self.diff = Some(DiffIndex::default());
        self
    }

    /// Coverage options other than the default.
    pub fn with_coverage_options(mut self, options: CoverageOptions) -> Self {
        self.coverage_options = options;
        self
    }

    /// Takes in one record.
    pub fn add(&mut self, r: &RunRecord) {
        self.records += 1;
        self.totals.add(r.outcome);
        self.summary.add(r);
        if let Some(junit) = &mut self.junit {
            junit.add(r);
        }
        if let Some(diff) = &mut self.diff {
            diff.add(r);
        }
        if let Some(coverage) = &mut self.coverage {
            coverage.add(&job_facts(r));
        }
        self.monitors.add(r);
        self.margins.add(r);
        if let Some(taxonomy) = self.taxonomy {
            let rank = taxonomy.scenario_risk(&r.hazards);
            if rank.weight > 0 {
                let class = rank.class.as_str();
                match self.risk_classes.get_mut(r.scenario.as_str()) {
                    Some(c) if c == class => {}
                    Some(c) => class.clone_into(c),
                    None => {
                        self.risk_classes.insert(r.scenario.clone(), class.to_owned());
                    }
                }
            }
        }

        let s = match self.scenarios.get_mut(r.scenario.as_str()) {
            Some(s) => s,
            None => self.scenarios.entry(r.scenario.clone()).or_default(),
        };
        s.totals.add(r.outcome);
        if s.title != r.title {
            s.title.clone_from(&r.title);
        }
        if s.tags != r.tags {
            s.tags.clone_from(&r.tags);
        }
        if s.hazards != r.hazards {
            s.hazards.clone_from(&r.hazards);
        }
        for h in &r.hazards {
            if !s.hazards_named.contains(h) {
                s.hazards_named.insert(h.clone());
            }
        }
        let adapter = r.adapter.to_string();
        if !self.adapters.contains(&adapter) {
            self.adapters.insert(adapter);
        }
        if !self.engines.contains(&r.engine_version) {
            self.engines.insert(r.engine_version.clone());
        }

        let key = r.key();
        match r.outcome {
            Outcome::Fail => {
                let record = Arc::new(r.clone());
                if !self.first_failing.contains_key(&key) {
                    self.first_failing.insert(key.clone(), Arc::clone(&record));
                }
                self.errored.remove(&key);
                self.failing.insert(key, record);
            }
            Outcome::Error => {
                self.failing.remove(&key);
                self.errored.insert(key, Arc::new(r.clone()));
            }
            Outcome::Pass => {
                self.failing.remove(&key);
                self.errored.remove(&key);
            }
        }
    }

    /// Takes the JUnit builder out, to write it.
    pub fn take_junit(&mut self) -> Option<JunitBuilder> {
        self.junit.take()
    }

    /// The digest of everything added.
    pub fn finish(self) -> SweepDigest {
        let coverage_options = self.coverage_options;
        let summary = self.summary.finish();
        let mut scenarios = self.scenarios;
        // One computation of the worst margin: the summary's.
        for row in &summary.rows {
            if let Some(s) = scenarios.get_mut(&row.scenario) {
                s.worst.clone_from(&row.worst);
            }
        }
        SweepDigest {
            records: self.records,
            totals: self.totals,
            summary,
            scenarios,
            adapters: self.adapters,
            engines: self.engines,
            failing: self.failing,
            errored: self.errored,
            first_failing: self.first_failing,
            coverage: self.coverage.map(|c| c.finish(&coverage_options)),
            risk_classes: self.risk_classes,
            diff_index: self.diff,
            monitors: self.monitors.finish(),
            margins: self.margins,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::record;

    #[test]
    fn failing_and_errored_follow_the_last_record_of_a_key() {
        let records = [
            record("a", 1, Outcome::Fail),
            record("a", 1, Outcome::Pass),
            record("a", 2, Outcome::Fail),
            record("a", 3, Outcome::Fail),
            record("a", 3, Outcome::Error),
        ];
        let d = SweepDigest::of(&records);
        let seeds = |m: &BTreeMap<JobKey, Arc<RunRecord>>| m.keys().map(|k| k.seed).collect::<Vec<_>>();
        assert_eq!(seeds(&d.failing), [2]);
        assert_eq!(seeds(&d.errored), [3]);
        assert_eq!(seeds(&d.first_failing), [1, 2, 3]);
        assert_eq!(d.totals, Totals { runs: 5, pass: 1, fail: 3, error: 1 });
        assert_eq!(d.scenarios["a"].totals.runs, 5);
        assert_eq!(d.records, 5);
    }

    #[test]
    fn scenario_worst_margin_is_the_summary_rows_and_ranks_normalised() {
        let mut a = record("s", 1, Outcome::Pass);
        a.verdicts[0].margin = 1.0;
        let mut b = record("s", 2, Outcome::Pass);
        b.verdicts[0].margin = 1.0;
        b.verdicts[0].criterion = "min_ttc".to_owned();
        // Equal normalised margins: the criterion decides, whatever the order.
        for records in [[&a, &b], [&b, &a]] {
            let d = SweepDigest::of(records);
            let w = d.scenarios["s"].worst.clone().unwrap();
            assert_eq!((w.margin, w.criterion.as_str()), (1.0, "min_ttc"));
            assert_eq!(Some(w), d.summary.rows[0].worst);
        }
        // 0.8 m of lane clearance at a scale of 0.5 m (1.6) is further from
        // failing than 1.2 s of time-to-collision at 1 s (1.2).
        let mut c = record("t", 1, Outcome::Pass);
        c.verdicts[0].criterion = "stay_on_road".to_owned();
        c.verdicts[0].margin = 0.8;
        c.verdicts[0].scale = Some(0.5);
        let mut ttc = c.verdicts[0].clone();
        ttc.criterion = "min_ttc".to_owned();
        ttc.margin = 1.2;
        ttc.unit = "s".to_owned();
        ttc.scale = Some(1.0);
        c.verdicts.push(ttc);
        let w = SweepDigest::of([&c]).scenarios["t"].worst.clone().unwrap();
        assert_eq!((w.criterion.as_str(), w.label()), ("min_ttc", "1.200 s min_ttc".to_owned()));
    }
}
