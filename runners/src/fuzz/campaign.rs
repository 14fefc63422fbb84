//! A fuzz campaign: rounds of generated instances and shrink probes on the
//! sweep's worker pool.
//!
//! Each round gathers the next batch of every scenario (the next 32 of its
//! fixed stream of random instances, or one generation of the search) and the next
//! probe of every running shrink, runs them together, and hands the results
//! back in job order. Nothing that decides what runs depends on the thread
//! count or on timing, so the same seed and budget give the same instances,
//! shrinks, regressions and records on any `--jobs`.
//!
//! Records are written per round, in job order: one per generated instance
//! (shrink probes are not written; the shrunk failure is saved as a
//! regression file that names the campaign and the job it was found as).
//! Every record's `replay` reproduces that record's instance.

use std::path::PathBuf;
use std::sync::Arc;

use gauntlet_engine::ENGINE_VERSION;
use gauntlet_reports::record::{JobSource, RunRecord};
use gauntlet_scenarios::mutation::{FuzzSpace, Genome};
use gauntlet_scenarios::regression::{
    self, AgainstAdapter, FoundBy, Original, Regression, Saved, SavedAdapter, ShrinkStats,
};

use super::FuzzError;
use super::coverage::Allocation;
use super::differential::{self, Against, Judged};
use super::objective::{first_violation, margin, violates};
use super::probe::{Machine, Ran};
use super::search::{Searcher, StrategyKind};
use super::shrink::{ShrinkOptions, Shrinker, Shrunk};
use super::target::{FuzzTarget, is_formula};

/// What a campaign does.
#[derive(Debug, Clone)]
pub struct CampaignOptions {
    /// How instances are picked.
    pub strategy: StrategyKind,
    /// Campaign seed.
    pub seed: u64,
    /// Shrinking.
    pub shrink: ShrinkOptions,
    /// Where shrunk failures are saved (`None`: not saved).
    pub regressions: Option<PathBuf>,
    /// What is falsified: every criterion, or requirement formulas.
    pub target: FuzzTarget,
}

/// One scenario's part of a campaign (also its JSON form in `fuzz --format json`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct ScenarioReport {
    /// Scenario id.
    pub scenario: String,
    /// Simulations allotted at the start.
    pub share: usize,
    /// Simulations run.
    pub simulations: usize,
    /// Failing instances.
    pub failures: usize,
    /// 1-based index of the first failing instance among this scenario's.
    pub first_failure: Option<usize>,
    /// Differential campaigns (`--against`): instances both adapters fail
    /// (not counted in `failures`); 0 otherwise.
    pub shared: usize,
    /// Lowest search objective seen: the soft minimum of the scaled margins (at most the smallest);
    /// only finite values are kept.
    pub lowest: Option<f64>,
    /// Instances that did not describe a valid scenario (not run).
    pub invalid: usize,
}

/// A shrunk failure.
#[derive(Debug, Clone, PartialEq)]
pub struct ShrinkReport {
    /// The shrunk instance.
    pub genome: Genome,
    /// Its margin of the criterion.
    pub margin: f64,
    /// Its trace hash.
    pub trace_hash: String,
    /// Simulations spent shrinking.
    pub simulations: usize,
    /// Whether it is locally minimal (false: the shrink budget ran out).
    pub minimal: bool,
    /// Where it was saved, when saved.
    pub saved: Option<Saved>,
    /// Differential campaigns: OLD's margin of the criterion on the shrunk instance.
    pub against_margin: Option<f64>,
}

/// A failing instance found by the campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureReport {
    /// Scenario id.
    pub scenario: String,
    /// The violated criterion it is filed under.
    pub criterion: String,
    /// The instance as found.
    pub original: Genome,
    /// Its margin of the criterion.
    pub margin: f64,
    /// Differential campaigns: OLD's margin of the criterion on the same instance.
    pub against_margin: Option<f64>,
    /// The shrink, unless shrinking was capped.
    pub shrunk: Option<ShrinkReport>,
}

/// A differential campaign's instance that both adapters fail: reported
/// apart, neither shrunk nor saved.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedFailure {
    /// Scenario id.
    pub scenario: String,
    /// The criterion both violate.
    pub criterion: String,
    /// The instance.
    pub genome: Genome,
    /// NEW's margin.
    pub margin: f64,
    /// OLD's margin.
    pub against_margin: f64,
}

/// What a campaign did.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignReport {
    /// Strategy.
    pub strategy: StrategyKind,
    /// Seed.
    pub seed: u64,
    /// What was falsified ([`FuzzTarget::describe`]).
    pub target: String,
    /// Per scenario, in the order the budget favoured them.
    pub scenarios: Vec<ScenarioReport>,
    /// Failures, in the order found (differential failures, with `--against`).
    pub failures: Vec<FailureReport>,
    /// Differential campaigns: failures both adapters share, in the order found.
    pub shared: Vec<SharedFailure>,
    /// Simulations of generated instances (with `--against`: instances, each run by both adapters).
    pub simulations: usize,
    /// Simulations spent shrinking.
    pub shrink_simulations: usize,
}

struct Lane {
    space: usize,
    searcher: Searcher,
    left: usize,
    report: ScenarioReport,
    done: bool,
}

struct Active {
    failure: usize,
    space: usize,
    shrinker: Shrinker,
    /// The id of the failing job's record.
    found_as: String,
}

/// A campaign over a set of fuzz spaces.
pub(crate) struct Campaign<'a> {
    spaces: &'a [Arc<FuzzSpace>],
    options: &'a CampaignOptions,
    against: Option<&'a Against<'a>>,
}

/// A campaign's record sink: NEW's record of an instance, and OLD's in a
/// differential campaign.
pub(crate) type Sink<'s> = dyn FnMut(RunRecord, Option<RunRecord>) -> Result<(), FuzzError> + 's;

impl<'a> Campaign<'a> {
    /// A campaign over `spaces` (the budget split is given to [`Campaign::run`]).
    pub(crate) fn new(spaces: &'a [Arc<FuzzSpace>], options: &'a CampaignOptions) -> Self {
        Self { spaces, options, against: None }
    }

    /// A differential campaign: every instance also runs against OLD, and
    /// only differential failures are filed ([`super::differential`]).
    pub(crate) fn against(self, against: &'a Against<'a>) -> Self {
        Self { against: Some(against), ..self }
    }

    /// The search objective of an instance's runs.
    fn objective(&self, new: &Ran, old: Option<&Ran>) -> f64 {
        match (new.record(), old.and_then(Ran::record)) {
            (Some(n), Some(o)) if self.against.is_some() => {
                differential::objective(&self.options.target, n, o)
            }
            (Some(n), _) if self.against.is_none() => self.options.target.objective(n),
            _ => f64::INFINITY,
        }
    }

    /// What the runs of one instance say.
    fn judge(&self, new: &RunRecord, old: Option<&RunRecord>) -> Judged {
        match (self.against, old) {
            (Some(a), Some(o)) => differential::judge(&self.options.target, new, o, a.tolerance),
            (Some(_), None) => Judged::Clean,
            (None, _) => self.options.target.violated(new).map_or(Judged::Clean, Judged::Finding),
        }
    }

    /// NEW's record of a shrink probe if it keeps failing `criterion` (and,
    /// differentially, OLD still holds it).
    fn keeps_failing(&self, criterion: &str, new: &Ran, old: Option<&Ran>) -> Option<RunRecord> {
        let n = new.record()?;
        let keeps = match self.against {
            Some(a) => old
                .and_then(Ran::record)
                .is_some_and(|o| differential::regresses(n, o, criterion, a.tolerance)),
            None => violates(n, criterion),
        };
        keeps.then(|| n.clone())
    }

    /// Runs the campaign: `allocations` say which scenarios (indices into
    /// the spaces), in which order, with which share of simulations; every
    /// record goes to `sink` (see the module docs for the order).
    pub(crate) fn run(
        &self,
        allocations: &[Allocation],
        machine: &Machine<'_>,
        sink: &mut Sink<'_>,
    ) -> Result<CampaignReport, FuzzError> {
        let opts = self.options;
        let mut lanes: Vec<Lane> = allocations
            .iter()
            .filter(|a| a.share > 0)
            .map(|a| {
                let space = &self.spaces[a.scenario];
                Lane {
                    space: a.scenario,
                    searcher: Searcher::new(opts.strategy, space, opts.seed),
                    left: a.share,
                    report: ScenarioReport {
                        scenario: space.scenario().id().to_owned(),
                        share: a.share,
                        simulations: 0,
                        failures: 0,
                        first_failure: None,
                        shared: 0,
                        lowest: None,
                        invalid: 0,
                    },
                    done: false,
                }
            })
            .collect();
        let mut report = CampaignReport {
            target: opts.target.describe(),
            strategy: opts.strategy,
            seed: opts.seed,
            scenarios: Vec::new(),
            failures: Vec::new(),
            shared: Vec::new(),
            simulations: 0,
            shrink_simulations: 0,
        };
        let mut active: Vec<Active> = Vec::new();
        let mut shrinks_started = 0usize;

        loop {
            // 1. This round's generated instances.
            let mut batch: Vec<(usize, Genome)> = Vec::new();
            let mut room = super::search::RANDOM_ROUND;
            for (l, lane) in lanes.iter_mut().enumerate() {
                if lane.done || lane.left == 0 {
                    continue;
                }
                let space = &self.spaces[lane.space];
                let limit = match opts.strategy {
                    StrategyKind::Random => lane.left.min(room),
                    StrategyKind::Search => lane.left,
                };
                if limit == 0 {
                    break;
                }
                let genomes = lane.searcher.next_batch(space, limit);
                lane.left -= genomes.len();
                room = room.saturating_sub(genomes.len());
                batch.extend(genomes.into_iter().map(|g| (l, g)));
            }
            // 2. One probe per running shrink.
            let mut probes: Vec<(usize, Genome)> = Vec::new();
            let mut k = 0;
            while k < active.len() {
                let a = &mut active[k];
                match a.shrinker.next(&self.spaces[a.space]) {
                    Some(g) => {
                        probes.push((k, g));
                        k += 1;
                    }
                    None => {
                        let done = active.remove(k);
                        self.finish_shrink(done, machine.taxonomy, &mut report)?;
                        // Indices of probes already gathered stay valid: they are below `k`.
                    }
                }
            }
            if batch.is_empty() && probes.is_empty() {
                break;
            }

            let all: Vec<(&Arc<FuzzSpace>, &Genome)> = batch
                .iter()
                .map(|(l, g)| (&self.spaces[lanes[*l].space], g))
                .chain(probes.iter().map(|(k, g)| (&self.spaces[active[*k].space], g)))
                .collect();
            let source = |genome: &Genome| JobSource::Fuzz {
                instance: genome.clone(),
                strategy: opts.strategy.as_str().to_owned(),
                campaign_seed: opts.seed,
            };
            let results = machine.run(&all, &source)?;
            let olds = match self.against {
                Some(a) => a.machine.run(&all, &source)?,
                None => Vec::new(),
            };
            let old = |k: usize| olds.get(k);
            let (generated, probed) = results.split_at(batch.len());
            report.simulations += generated.iter().filter(|r| r.record().is_some()).count();
            report.shrink_simulations += probed.iter().filter(|r| r.record().is_some()).count();

            // 3. Generated instances: feed the searchers, file failures, write records.
            let mut start = 0;
            while start < batch.len() {
                let l = batch[start].0;
                let end = start + batch[start..].iter().take_while(|(m, _)| *m == l).count();
                let objectives: Vec<f64> =
                    (start..end).map(|k| self.objective(&generated[k], old(k))).collect();
                lanes[l].searcher.feed(&objectives);
                let mut failed = false;
                for (k, ((_, genome), ran)) in
                    (start..end).zip(batch[start..end].iter().zip(&generated[start..end]))
                {
                    let lane = &mut lanes[l];
                    let Ran::Record(record) = ran else {
                        lane.report.invalid += 1;
                        continue;
                    };
                    lane.report.simulations += 1;
                    let o = objectives[k - start];
                    if o.is_finite() {
                        lane.report.lowest = Some(lane.report.lowest.map_or(o, |x: f64| x.min(o)));
                    }
                    let record: &RunRecord = record;
                    let old_record = old(k).and_then(Ran::record);
                    let criterion = match self.judge(record, old_record) {
                        Judged::Finding(c) => c,
                        Judged::Shared(c) => {
                            lane.report.shared += 1;
                            report.shared.push(SharedFailure {
                                scenario: lane.report.scenario.clone(),
                                margin: margin(record, &c).unwrap_or(f64::NEG_INFINITY),
                                against_margin: old_record
                                    .and_then(|o| margin(o, &c))
                                    .unwrap_or(f64::NEG_INFINITY),
                                criterion: c,
                                genome: genome.clone(),
                            });
                            sink(record.clone(), old_record.cloned())?;
                            continue;
                        }
                        Judged::Clean => {
                            sink(record.clone(), old_record.cloned())?;
                            continue;
                        }
                    };
                    failed = true;
                    lane.report.failures += 1;
                    lane.report.first_failure.get_or_insert(lane.report.simulations);
                    let failure = report.failures.len();
                    report.failures.push(FailureReport {
                        scenario: lane.report.scenario.clone(),
                        margin: margin(record, &criterion).unwrap_or(f64::NEG_INFINITY),
                        against_margin: old_record.and_then(|o| margin(o, &criterion)),
                        criterion: criterion.clone(),
                        original: genome.clone(),
                        shrunk: None,
                    });
                    if opts.shrink.max_shrinks.is_none_or(|max| shrinks_started < max) {
                        shrinks_started += 1;
                        let shrinker =
                            Shrinker::new(criterion, genome.clone(), record.clone(), opts.shrink.budget);
                        active.push(Active {
                            failure,
                            space: lane.space,
                            shrinker,
                            found_as: record.id.clone(),
                        });
                    }
                    sink(record.clone(), old_record.cloned())?;
                }
                if failed && lanes[l].searcher.stops_on_failure() {
                    let left = std::mem::take(&mut lanes[l].left);
                    lanes[l].done = true;
                    redistribute(&mut lanes, left);
                }
                start = end;
            }

            // 4. Shrink probes.
            for (i, ((k, _), ran)) in probes.iter().zip(probed).enumerate() {
                let failing = self.keeps_failing(active[*k].shrinker.criterion(), ran, old(batch.len() + i));
                active[*k].shrinker.feed_judged(failing);
            }
        }
        report.scenarios = lanes.into_iter().map(|l| l.report).collect();
        Ok(report)
    }

    /// Saves a finished shrink as a regression file.
    fn finish_shrink(
        &self,
        done: Active,
        taxonomy: Option<&gauntlet_taxonomy::Taxonomy>,
        report: &mut CampaignReport,
    ) -> Result<(), FuzzError> {
        let Active { failure, space, shrinker, found_as } = done;
        let Some(Shrunk { genome, record, simulations, minimal }) = shrinker.finished() else {
            return Ok(());
        };
        let criterion = shrinker.criterion().to_owned();
        let scenario = self.spaces[space].scenario();
        // A differential shrink: OLD's run of the shrunk instance (one more simulation).
        let against = match self.against {
            Some(a) => {
                let source = |genome: &Genome| JobSource::Fuzz {
                    instance: genome.clone(),
                    strategy: self.options.strategy.as_str().to_owned(),
                    campaign_seed: self.options.seed,
                };
                let ran = a.machine.run(&[(&self.spaces[space], &genome)], &source)?;
                ran.into_iter().next().and_then(|r| r.record().cloned())
            }
            None => None,
        };
        let f = &mut report.failures[failure];
        let shrunk_margin = margin(&record, &criterion).unwrap_or(f64::NEG_INFINITY);
        let formula = is_formula(&criterion)
            .then(|| {
                self.options
                    .target
                    .stl(&criterion)
                    .map(str::to_owned)
                    .or_else(|| super::target::formula_text(scenario, taxonomy, &criterion))
            })
            .flatten();
        let requirements = record
            .verdicts
            .iter()
            .find(|v| v.criterion == criterion)
            .map(|v| v.requirements.clone())
            .unwrap_or_default();
        let regression = Regression {
            scenario: scenario.id().to_owned(),
            file: match &self.options.regressions {
                Some(dir) => Regression::relative_file(dir, scenario.path()),
                None => scenario.path().display().to_string(),
            },
            file_hash: scenario.file_hash().to_owned(),
            criterion: criterion.clone(),
            formula,
            requirements,
            margin: shrunk_margin,
            first_violation_t: first_violation(&record, &criterion),
            trace_hash: record.trace_hash.clone(),
            engine_version: ENGINE_VERSION.to_owned(),
            adapter: SavedAdapter {
                spec: record.adapter.spec.clone(),
                name: record.adapter.name.clone(),
                version: record.adapter.version.clone(),
            },
            against: against.as_ref().map(|o| AgainstAdapter {
                spec: o.adapter.spec.clone(),
                name: o.adapter.name.clone(),
                version: o.adapter.version.clone(),
                margin: margin(o, &criterion).unwrap_or(f64::NAN),
                trace_hash: o.trace_hash.clone(),
            }),
            seed_matters: self.spaces[space].seed_matters(&genome),
            instance: genome.clone(),
            original: Original { instance: f.original.clone(), margin: f.margin },
            shrink: ShrinkStats { simulations: u32::try_from(simulations).unwrap_or(u32::MAX), minimal },
            found_by: FoundBy {
                strategy: self.options.strategy.as_str().to_owned(),
                seed: self.options.seed,
                job: Some(found_as),
            },
        };
        // A differential finding within the tolerance only (NEW still holds
        // the criterion) is reported but not saved: a sweep re-runs a
        // regression against NEW alone and would find it "fixed".
        let saved = match &self.options.regressions {
            Some(dir) if violates(&record, &criterion) => Some(regression::save(dir, &regression)?),
            _ => None,
        };
        f.shrunk = Some(ShrinkReport {
            genome,
            margin: shrunk_margin,
            trace_hash: record.trace_hash.clone(),
            simulations,
            minimal,
            saved,
            against_margin: against.as_ref().and_then(|o| margin(o, &criterion)),
        });
        Ok(())
    }
}

/// Gives `left` simulations to the lanes still searching, evenly, the
/// remainder to the first ones.
fn redistribute(lanes: &mut [Lane], left: usize) {
    let open: Vec<usize> = (0..lanes.len()).filter(|&l| !lanes[l].done).collect();
    if open.is_empty() {
        return;
    }
    let (each, extra) = (left / open.len(), left % open.len());
    for (k, &l) in open.iter().enumerate() {
        lanes[l].left += each + usize::from(k < extra);
    }
}
