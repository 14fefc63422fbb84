//! Differential falsification (`gauntlet fuzz --adapter NEW --against OLD`)
//! on pairs of versions: the reference driver (OLD) against each planted
//! weakness (NEW).
//!
//! Prints the README table: per pair, the instances (each run with both
//! adapters) to the first differential failure — NEW violates a criterion
//! the reference holds — of a search and of a random differential campaign
//! on the weakness's fuzz scenario, median over 20 campaign seeds (budget
//! 200; a campaign that finds nothing counts as 201); and, instead of
//! searching, the default sweep of `scenarios/library` (8 seeds per
//! scenario, plan order) run with both adapters: the jobs it takes until
//! the first differential failure, and the whole plan's jobs. The counts
//! are deterministic.
//!
//! Then times, with criterion, one search campaign per pair up to its first
//! differential failure (`fuzz_differential/search/WEAKNESS`, seed 0).
//!
//! `cargo bench -p gauntlet-benches --bench fuzz_differential` (set
//! `FUZZ_TABLE_ONLY=1` to skip the timing).

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::Criterion;
use gauntlet_runners::adapter::AdapterSpec;
use gauntlet_runners::fuzz::StrategyKind;
use gauntlet_runners::fuzz::measure::{
    Case, compare_differential, first_differential_failure, library_first_differential, planted_cases,
};
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::mutation::FuzzSpace;

const SEEDS: u64 = 20;
const BUDGET: usize = 200;
const LIBRARY_SEEDS: u64 = 8;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cases() -> Vec<Case> {
    planted_cases(&root().join("runners/tests/fixtures/fuzz"))
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn reference() -> AdapterSpec {
    "builtin:reference".parse().unwrap_or_else(|e| panic!("{e}"))
}

fn table() {
    let rows = compare_differential(&cases(), &reference(), 0..SEEDS, BUDGET, threads())
        .unwrap_or_else(|e| panic!("campaigns run: {e}"));
    let taxonomy = gauntlet_taxonomy::Taxonomy::load(&root().join("taxonomy/default.ron"))
        .unwrap_or_else(|e| panic!("taxonomy loads: {e}"));
    let mut out = String::from(
        "| NEW (against builtin:reference) | fuzz scenario | search: median instances to 1st differential failure | random: median | search found | random found | library sweep: jobs to 1st differential failure / total |\n\
         |---|---|---:|---:|---:|---:|---:|\n",
    );
    for (case, row) in cases().iter().zip(&rows) {
        let new: AdapterSpec = format!("builtin:{}", case.adapter).parse().unwrap_or_else(|e| panic!("{e}"));
        let scan = library_first_differential(
            &[root().join("scenarios/library")],
            LIBRARY_SEEDS,
            &taxonomy,
            &new,
            &reference(),
            threads(),
        )
        .unwrap_or_else(|e| panic!("library runs: {e}"));
        let found = |xs: &[Option<usize>]| xs.iter().filter(|x| x.is_some()).count();
        let first = scan.first.map_or_else(|| "none".to_owned(), |n| n.to_string());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {}/{} | {}/{} | {first} / {} |",
            row.adapter,
            row.scenario,
            row.search_median(),
            row.random_median(),
            found(&row.search),
            row.search.len(),
            found(&row.random),
            row.random.len(),
            scan.total
        );
    }
    println!(
        "\nDifferential failures against builtin:reference, median over {SEEDS} campaign seeds (budget {BUDGET} instances, each run with both adapters):\n"
    );
    println!("{out}");
}

fn timing(c: &mut Criterion) {
    let mut group = c.benchmark_group("fuzz_differential");
    group.sample_size(10);
    for case in cases() {
        let scenario = Scenario::load(&case.scenario).unwrap_or_else(|e| panic!("{e}"));
        let space = Arc::new(FuzzSpace::new(Arc::new(scenario)).unwrap_or_else(|e| panic!("{e}")));
        let new: AdapterSpec = format!("builtin:{}", case.adapter).parse().unwrap_or_else(|e| panic!("{e}"));
        group.bench_function(format!("search/{}", case.adapter), |b| {
            b.iter(|| {
                black_box(first_differential_failure(
                    &space,
                    &new,
                    &reference(),
                    StrategyKind::Search,
                    0,
                    BUDGET,
                    threads(),
                ))
            })
        });
    }
    group.finish();
}

fn main() {
    table();
    if std::env::var_os("FUZZ_TABLE_ONLY").is_none() {
        let mut c = Criterion::default().configure_from_args();
        timing(&mut c);
        c.final_summary();
    }
}
