//! Throughput of an OpenSCENARIO parameter sweep: the 100 runs of
//! `benches/scenarios/xosc_cut_in_100.xosc` (the cut-in of
//! `scenarios/tests/fixtures/xosc/cut_in.xosc` at 100 cut-in distances,
//! 15 … 39.75 m) in **one** `gauntlet run` process, against the same 100
//! runs as **100** `gauntlet replay` processes, one per imported variant —
//! the way OpenSCENARIO players are usually driven from CI.
//!
//! Both sides use the release `gauntlet` binary next to this bench
//! (`cargo build --release -p gauntlet-runners` first), the reference
//! adapter, seed 0 and one worker thread (`--jobs 1`), so the difference is
//! what a process per run costs (start, load, import, validate). Each side
//! is timed `REPEATS` times; the medians and their ratio are printed.
//!
//! `cargo bench -p gauntlet-benches --bench xosc_sweep`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use gauntlet_scenarios::xosc;

const REPEATS: usize = 5;

fn gauntlet() -> PathBuf {
    // target/release/deps/xosc_sweep-… → target/release/gauntlet
    let exe = std::env::current_exe().expect("bench path");
    let bin = exe.parent().and_then(Path::parent).expect("target dir").join("gauntlet");
    assert!(bin.exists(), "{} is missing: cargo build --release -p gauntlet-runners", bin.display());
    bin
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn check(out: std::process::Output, what: &str) {
    // 0: every criterion passed; 1: some run failed a criterion (still a run).
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    // `cargo bench` passes `--bench`; any other filter argument skips this bench.
    if std::env::args().skip(1).any(|a| !a.starts_with("--") && !"xosc_sweep".contains(a.as_str())) {
        return;
    }
    let bin = gauntlet();
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/xosc_cut_in_100.xosc");
    let tmp = std::env::temp_dir().join(format!("gauntlet-xosc-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    // The 100 variants as scenario files (what `gauntlet import` writes for each).
    let runs = xosc::distribution::imports(&dist).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(runs.len(), 100);
    let files: Vec<PathBuf> = runs
        .iter()
        .enumerate()
        .map(|(k, imported)| {
            let f = tmp.join(format!("variant_{k:02}.ron"));
            std::fs::write(&f, imported.ron()).expect("write variant");
            f
        })
        .collect();

    let mut one = Vec::new();
    let mut many = Vec::new();
    for r in 0..REPEATS {
        let records = tmp.join(format!("records_{r}.jsonl"));
        let start = Instant::now();
        let out = Command::new(&bin)
            .args(["run", "--seeds", "1", "--jobs", "1", "--out"])
            .arg(&records)
            .arg(&dist)
            .output()
            .expect("gauntlet run");
        one.push(start.elapsed());
        check(out, "gauntlet run");
        let lines = std::fs::read_to_string(&records).expect("records").lines().count();
        assert!(lines >= 100, "{lines} records");

        let start = Instant::now();
        for f in &files {
            let out = Command::new(&bin).arg("replay").arg(f).args(["--seed", "0"]).output().expect("replay");
            check(out, "gauntlet replay");
        }
        many.push(start.elapsed());
    }
    let (a, b) = (median(one), median(many));
    println!("xosc_sweep: 100 runs of xosc_cut_in_100.xosc, median of {REPEATS}");
    println!("  one process   (gauntlet run --jobs 1):   {:>8.3} s", a.as_secs_f64());
    println!("  100 processes (gauntlet replay per run): {:>8.3} s", b.as_secs_f64());
    println!("  ratio: {:.1}×", b.as_secs_f64() / a.as_secs_f64());
    std::fs::remove_dir_all(&tmp).ok();
}
