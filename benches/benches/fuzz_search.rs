//! Falsification search against uniform random sampling, on test adapters
//! with planted weaknesses (`gauntlet_engine::adapters::PLANTED`).
//!
//! First prints the table of the README: for each planted weakness and a
//! scenario where it matters, the median number of simulations to the first
//! failure over 20 campaign seeds, for `--strategy random` and
//! `--strategy search` (each campaign may spend 200 simulations; one that
//! finds nothing counts as 201). The numbers are deterministic: they change
//! only with the engine, the adapters, the scenarios or the strategies.
//!
//! Then times, with criterion, one campaign of each strategy up to its first
//! failure (`fuzz_search/{random,search}/WEAKNESS`, seed 0).
//!
//! `cargo bench --bench fuzz_search` (set `FUZZ_TABLE_ONLY=1` to skip the timing).

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::Criterion;
use gauntlet_runners::fuzz::StrategyKind;
use gauntlet_runners::fuzz::measure::{Case, compare, first_failure, planted_cases, render_table};
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::mutation::FuzzSpace;

const SEEDS: u64 = 20;
const BUDGET: usize = 200;

fn cases() -> Vec<Case> {
    planted_cases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../runners/tests/fixtures/fuzz"))
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn table() {
    let rows =
        compare(&cases(), 0..SEEDS, BUDGET, threads()).unwrap_or_else(|e| panic!("campaigns run: {e}"));
    println!("\nSimulations to the first failure, median over {SEEDS} campaign seeds (budget {BUDGET}):\n");
    println!("{}", render_table(&rows));
}

fn timing(c: &mut Criterion) {
    let mut group = c.benchmark_group("fuzz_search");
    group.sample_size(10);
    for case in cases() {
        let scenario = Scenario::load(&case.scenario).unwrap_or_else(|e| panic!("{e}"));
        let space = Arc::new(FuzzSpace::new(Arc::new(scenario)).unwrap_or_else(|e| panic!("{e}")));
        let adapter = format!("builtin:{}", case.adapter).parse().unwrap_or_else(|e| panic!("{e}"));
        for strategy in [StrategyKind::Random, StrategyKind::Search] {
            group.bench_function(format!("{strategy}/{}", case.adapter), |b| {
                b.iter(|| black_box(first_failure(&space, &adapter, strategy, 0, BUDGET, threads())))
            });
        }
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
