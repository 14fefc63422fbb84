//! Simulations to the first failure: how fast a strategy falsifies a
//! scenario, for the benchmark of search against uniform random sampling.
//!
//! ```no_run
//! use std::sync::Arc;
//! use gauntlet_runners::fuzz::StrategyKind;
//! use gauntlet_runners::fuzz::measure::{Comparison, first_failure, render_table};
//! use gauntlet_scenarios::{Scenario, mutation::FuzzSpace};
//!
//! let scenario = Scenario::load("scenarios/library/lead_braking.highway.ron".as_ref())?;
//! let space = Arc::new(FuzzSpace::new(Arc::new(scenario))?);
//! let adapter = "builtin:late-braker".parse()?;
//! let mut row = Comparison::new("late-braker", space.scenario().id(), 200);
//! for seed in 0..20 {
//!     row.random.push(first_failure(&space, &adapter, StrategyKind::Random, seed, 200, 2)?);
//!     row.search.push(first_failure(&space, &adapter, StrategyKind::Search, seed, 200, 2)?);
//! }
//! print!("{}", render_table(&[row]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write as _;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use gauntlet_reports::record::JobSource;
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::mutation::{FuzzSpace, Genome};

use super::FuzzError;
use super::differential::{self, Judged};
use super::objective::{objective, target_criterion};
use super::probe::{Machine, Ran};
use super::search::{Searcher, StrategyKind};
use super::target::FuzzTarget;
use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::error::RunnerError;
use crate::execute::{ExecOptionsSweep, execute};
use crate::job::AdapterIdentity;

/// 1-based index of the first failing instance of a one-scenario campaign
/// (`strategy`, `seed`) within `budget` simulations; `None` if none failed.
/// Deterministic: the thread count changes only how fast it runs.
pub fn first_failure(
    space: &Arc<FuzzSpace>,
    adapter: &AdapterSpec,
    strategy: StrategyKind,
    seed: u64,
    budget: usize,
    threads: usize,
) -> Result<Option<usize>, RunnerError> {
    let factory = AdapterFactory::new(adapter, &ExecOptions::default())?;
    let identity = AdapterIdentity::resolve(&factory)?;
    let machine = Machine { factory: &factory, identity: &identity, threads, taxonomy: None, triage: false };
    Ok(first_failure_on(space, &machine, strategy, seed, budget)?)
}

fn first_failure_on(
    space: &Arc<FuzzSpace>,
    machine: &Machine<'_>,
    strategy: StrategyKind,
    seed: u64,
    budget: usize,
) -> Result<Option<usize>, FuzzError> {
    let mut searcher = Searcher::new(strategy, space, seed);
    let mut ran = 0;
    while ran < budget {
        let batch: Vec<Genome> = searcher.next_batch(space, budget - ran);
        if batch.is_empty() {
            break;
        }
        let probes: Vec<(&Arc<FuzzSpace>, &Genome)> = batch.iter().map(|g| (space, g)).collect();
        let source = |genome: &Genome| JobSource::Fuzz {
            instance: genome.clone(),
            strategy: strategy.as_str().to_owned(),
            campaign_seed: seed,
        };
        let results = machine.run(&probes, &source)?;
        for (k, r) in results.iter().enumerate() {
            if r.record().is_some_and(|r| target_criterion(r).is_some()) {
                return Ok(Some(ran + k + 1));
            }
        }
        let objectives: Vec<f64> = results
            .iter()
            .map(|r| if let Ran::Record(r) = r { objective(r) } else { f64::INFINITY })
            .collect();
        searcher.feed(&objectives);
        ran += batch.len();
    }
    Ok(None)
}

/// 1-based index of the first instance of a one-scenario differential
/// campaign (`strategy`, `seed`) within `budget` where NEW (`new`) violates
/// a criterion OLD (`old`) holds; `None` if none did. Each instance runs
/// with both adapters; the count is of instances.
pub fn first_differential_failure(
    space: &Arc<FuzzSpace>,
    new: &AdapterSpec,
    old: &AdapterSpec,
    strategy: StrategyKind,
    seed: u64,
    budget: usize,
    threads: usize,
) -> Result<Option<usize>, RunnerError> {
    let pair = Pair::new(new, old, threads)?;
    Ok(first_differential_on(space, &pair.machines(), strategy, seed, budget)?)
}

/// The factories and identities of a NEW and an OLD adapter.
struct Pair {
    new: (AdapterFactory, AdapterIdentity),
    old: (AdapterFactory, AdapterIdentity),
    threads: usize,
}

impl Pair {
    fn new(new: &AdapterSpec, old: &AdapterSpec, threads: usize) -> Result<Self, RunnerError> {
        let make = |spec: &AdapterSpec| -> Result<(AdapterFactory, AdapterIdentity), RunnerError> {
            let factory = AdapterFactory::new(spec, &ExecOptions::default())?;
            let identity = AdapterIdentity::resolve(&factory)?;
            Ok((factory, identity))
        };
        Ok(Self { new: make(new)?, old: make(old)?, threads })
    }

    fn machines(&self) -> (Machine<'_>, Machine<'_>) {
        (machine(&self.new, self.threads), machine(&self.old, self.threads))
    }
}

fn machine((factory, identity): &(AdapterFactory, AdapterIdentity), threads: usize) -> Machine<'_> {
    Machine { factory, identity, threads, taxonomy: None, triage: false }
}

fn first_differential_on(
    space: &Arc<FuzzSpace>,
    (new, old): &(Machine<'_>, Machine<'_>),
    strategy: StrategyKind,
    seed: u64,
    budget: usize,
) -> Result<Option<usize>, FuzzError> {
    let target = FuzzTarget::Criteria;
    let mut searcher = Searcher::new(strategy, space, seed);
    let mut ran = 0;
    while ran < budget {
        let batch: Vec<Genome> = searcher.next_batch(space, budget - ran);
        if batch.is_empty() {
            break;
        }
        let probes: Vec<(&Arc<FuzzSpace>, &Genome)> = batch.iter().map(|g| (space, g)).collect();
        let source = |genome: &Genome| JobSource::Fuzz {
            instance: genome.clone(),
            strategy: strategy.as_str().to_owned(),
            campaign_seed: seed,
        };
        let (ns, os) = (new.run(&probes, &source)?, old.run(&probes, &source)?);
        let mut objectives = Vec::with_capacity(batch.len());
        for (k, (n, o)) in ns.iter().zip(&os).enumerate() {
            let (Some(n), Some(o)) = (n.record(), o.record()) else {
                objectives.push(f64::INFINITY);
                continue;
            };
            if matches!(differential::judge(&target, n, o, None), Judged::Finding(_)) {
                return Ok(Some(ran + k + 1));
            }
            objectives.push(differential::objective(&target, n, o));
        }
        searcher.feed(&objectives);
        ran += batch.len();
    }
    Ok(None)
}

/// Running a library with both adapters instead of searching: the sweep's
/// jobs (every scenario × seeds `0..seeds`, in plan order) run with NEW and
/// OLD until the first job NEW fails where OLD holds the criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LibraryScan {
    /// 1-based index of that job in plan order (`None`: no such job).
    pub first: Option<usize>,
    /// Jobs of the whole plan.
    pub total: usize,
}

/// [`LibraryScan`] of the scenarios under `paths` (regressions left out),
/// scored against `taxonomy`'s requirement checks like a sweep.
pub fn library_first_differential(
    paths: &[PathBuf],
    seeds: u64,
    taxonomy: &gauntlet_taxonomy::Taxonomy,
    new: &AdapterSpec,
    old: &AdapterSpec,
    threads: usize,
) -> Result<LibraryScan, RunnerError> {
    let library = crate::plan::Library::load(paths)?;
    let pair = Pair::new(new, old, threads)?;
    let plan = library.plan(seeds, taxonomy, &pair.new.1.reference);
    let total = plan.jobs.len();
    let target = FuzzTarget::Criteria;
    // In chunks, so that a scan stops soon after the first differential failure.
    for (c, chunk) in plan.jobs.chunks(16).enumerate() {
        let run = |(factory, identity): &(AdapterFactory, AdapterIdentity)| {
            let mut records = Vec::with_capacity(chunk.len());
            execute(chunk, factory, identity, ExecOptionsSweep { threads, triage: false }, &|| true, |r| {
                records.push(r);
                Ok::<(), std::convert::Infallible>(())
            })
            .map_err(|e| FuzzError::Execute(e.to_string()))?;
            Ok::<_, FuzzError>(records)
        };
        let (ns, os) = (run(&pair.new)?, run(&pair.old)?);
        if let Some(k) = ns
            .iter()
            .zip(&os)
            .position(|(n, o)| matches!(differential::judge(&target, n, o, None), Judged::Finding(_)))
        {
            return Ok(LibraryScan { first: Some(c * 16 + k + 1), total });
        }
    }
    Ok(LibraryScan { first: None, total })
}

/// For every case (NEW `builtin:ADAPTER` against OLD `builtin:reference`),
/// the instances to the first differential failure of a random and a search
/// differential campaign for each seed of `seeds`, within `budget`.
pub fn compare_differential(
    cases: &[Case],
    old: &AdapterSpec,
    seeds: Range<u64>,
    budget: usize,
    threads: usize,
) -> Result<Vec<Comparison>, RunnerError> {
    let mut rows = Vec::with_capacity(cases.len());
    for case in cases {
        let space = Arc::new(FuzzSpace::new(Arc::new(Scenario::load(&case.scenario)?))?);
        let new: AdapterSpec = format!("builtin:{}", case.adapter).parse()?;
        let pair = Pair::new(&new, old, threads)?;
        let machines = pair.machines();
        let mut row = Comparison::new(&case.adapter, space.scenario().id(), budget);
        for seed in seeds.clone() {
            row.random.push(first_differential_on(&space, &machines, StrategyKind::Random, seed, budget)?);
            row.search.push(first_differential_on(&space, &machines, StrategyKind::Search, seed, budget)?);
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A planted weakness and a scenario where it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Built-in adapter name (`late-braker`, …).
    pub adapter: String,
    /// The scenario file.
    pub scenario: PathBuf,
}

/// Every planted weakness with the fuzz scenario that holds its bug, the
/// benchmarks' rows: scenario files in `fixtures` (the runners crate's
/// `tests/fixtures/fuzz`).
pub fn planted_cases(fixtures: &std::path::Path) -> Vec<Case> {
    [
        ("late-braker", "lead_brake.ron"),
        ("pedestrian-blind", "crossing.ron"),
        ("cyclist-blind", "cyclist.ron"),
        ("ice-naive", "icy_stop.ron"),
        ("dropout-speeder", "dropout_speed.ron"),
        ("cut-in-late", "wet_cut_in.ron"),
    ]
    .into_iter()
    .map(|(adapter, file)| Case { adapter: adapter.into(), scenario: fixtures.join(file) })
    .collect()
}

/// For every case, the simulations to the first failure of a random and a
/// search campaign for each seed of `seeds`, within `budget`.
pub fn compare(
    cases: &[Case],
    seeds: Range<u64>,
    budget: usize,
    threads: usize,
) -> Result<Vec<Comparison>, RunnerError> {
    let mut rows = Vec::with_capacity(cases.len());
    for case in cases {
        let space = Arc::new(FuzzSpace::new(Arc::new(Scenario::load(&case.scenario)?))?);
        let spec: AdapterSpec = format!("builtin:{}", case.adapter).parse()?;
        let factory = AdapterFactory::new(&spec, &ExecOptions::default())?;
        let identity = AdapterIdentity::resolve(&factory)?;
        let machine =
            Machine { factory: &factory, identity: &identity, threads, taxonomy: None, triage: false };
        let mut row = Comparison::new(&case.adapter, space.scenario().id(), budget);
        for seed in seeds.clone() {
            row.random.push(first_failure_on(&space, &machine, StrategyKind::Random, seed, budget)?);
            row.search.push(first_failure_on(&space, &machine, StrategyKind::Search, seed, budget)?);
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Simulations to the first failure of both strategies on one scenario and
/// adapter, one entry per campaign seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The adapter (its planted weakness).
    pub adapter: String,
    /// Scenario id.
    pub scenario: String,
    /// Simulations each campaign may spend.
    pub budget: usize,
    /// Uniform random sampling, per seed (`None`: no failure within the budget).
    pub random: Vec<Option<usize>>,
    /// The search, per seed.
    pub search: Vec<Option<usize>>,
}

impl Comparison {
    /// An empty row.
    pub fn new(adapter: &str, scenario: &str, budget: usize) -> Self {
        Self {
            adapter: adapter.to_owned(),
            scenario: scenario.to_owned(),
            budget,
            random: Vec::new(),
            search: Vec::new(),
        }
    }

    /// Median simulations to the first failure of random sampling.
    pub fn random_median(&self) -> Median {
        median(&self.random, self.budget)
    }

    /// Median simulations to the first failure of the search.
    pub fn search_median(&self) -> Median {
        median(&self.search, self.budget)
    }
}

/// A median over campaigns, some of which may not have failed within the budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Median {
    /// The median.
    Value(f64),
    /// Half or more of the campaigns found no failure within the budget.
    Above(usize),
}

impl std::fmt::Display for Median {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Median::Value(v) => write!(f, "{v}"),
            Median::Above(b) => write!(f, "> {b}"),
        }
    }
}

impl Median {
    /// Comparable value: campaigns without a failure count as `budget + 1`.
    pub fn value(self) -> f64 {
        match self {
            Median::Value(v) => v,
            Median::Above(b) => b as f64 + 1.0,
        }
    }
}

/// The median, counting a campaign without failure as one past the budget
/// (so the median is exact while fewer than half of the campaigns miss).
pub fn median(xs: &[Option<usize>], budget: usize) -> Median {
    if xs.is_empty() {
        return Median::Above(budget);
    }
    let mut v: Vec<usize> = xs.iter().map(|x| x.unwrap_or(budget + 1)).collect();
    v.sort_unstable();
    let n = v.len();
    let m = if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 };
    if m > budget as f64 { Median::Above(budget) } else { Median::Value(m) }
}

/// The Markdown table: one row per comparison.
pub fn render_table(rows: &[Comparison]) -> String {
    let mut out = String::from(
        "| planted weakness | scenario | campaigns | budget | random: median sims to 1st failure | search: median sims to 1st failure | random found | search found |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let found = |xs: &[Option<usize>]| xs.iter().filter(|x| x.is_some()).count();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {}/{} | {}/{} |",
            r.adapter,
            r.scenario,
            r.random.len().max(r.search.len()),
            r.budget,
            r.random_median(),
            r.search_median(),
            found(&r.random),
            r.random.len(),
            found(&r.search),
            r.search.len()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_count_misses_past_the_budget() {
        assert_eq!(median(&[Some(3), Some(1), Some(2)], 10), Median::Value(2.0));
        assert_eq!(median(&[Some(3), Some(1), None, Some(2)], 10), Median::Value(2.5));
        assert_eq!(median(&[None, Some(1), None], 10), Median::Above(10));
        assert_eq!(median(&[], 10), Median::Above(10));
        assert_eq!(Median::Above(10).to_string(), "> 10");
    }
}
