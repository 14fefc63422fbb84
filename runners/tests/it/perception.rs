//! The perception-fault scenarios of the library: the reference driver
//! (track memory, class judged by size too) passes every one of their jobs
//! of the default sweep; the same driver without track memory
//! (`builtin:memoryless`) fails where its missing memory matters (ghosts,
//! bursty dropout).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use gauntlet_reports::record::{Outcome, RunRecord, read_records};

const SCENARIOS: [&str; 4] = [
    "lead_braking.highway_burst_dropout",
    "following.highway_ghosts",
    "pedestrian.urban_misclassified",
    "cut_in.highway_id_switch",
];

fn library(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library").join(format!("{name}.ron"))
}

/// The default sweep's jobs of the fault scenarios with `adapter`: exit code and records.
fn sweep(dir: &Path, adapter: &str) -> (Option<i32>, Vec<RunRecord>) {
    let out = dir.join(format!("{adapter}.jsonl"));
    let output = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("run")
        .args(SCENARIOS.map(library))
        .args(["--jobs", "2", "--adapter", &format!("builtin:{adapter}"), "--out"])
        .arg(&out)
        .output()
        .expect("gauntlet starts");
    let records = read_records(&out).map(|r| r.expect("valid record")).collect();
    (output.status.code(), records)
}

#[test]
fn the_reference_passes_the_fault_scenarios_and_the_memoryless_driver_does_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, reference) = sweep(dir.path(), "reference");
    let failing: Vec<String> = reference
        .iter()
        .filter(|r| r.outcome != Outcome::Pass)
        .map(|r| format!("{} seed {}", r.scenario, r.seed))
        .collect();
    assert!(failing.is_empty(), "the reference fails {failing:?}");
    assert_eq!(code, Some(0));
    assert_eq!(reference.len(), 4 * 8, "the default sweep runs 8 seeds of each");

    let (code, memoryless) = sweep(dir.path(), "memoryless");
    assert_eq!(code, Some(1));
    let failed: BTreeSet<&str> =
        memoryless.iter().filter(|r| r.outcome == Outcome::Fail).map(|r| r.scenario.as_str()).collect();
    // A misclassified pedestrian it still avoids, by their motion: moving
    // over into its lane, they are "merging" whatever their class.
    for scenario in ["following.highway_ghosts", "lead_braking.highway_burst_dropout"] {
        assert!(failed.contains(scenario), "memoryless passes all of {scenario}: fails only {failed:?}");
    }
}
