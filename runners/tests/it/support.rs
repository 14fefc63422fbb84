//! Shared pieces of the integration tests.

use std::path::{Path, PathBuf};

use gauntlet_runners::adapter::ExecOptions;
use gauntlet_runners::commands::run::RunConfig;

/// The small fixture library (a lead-braking and a noisy cut-in scenario).
pub fn scenario_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios")
}

/// A sweep of the fixture library: 6 seeds, 1 thread, reference adapter, no regressions.
pub fn fixture_sweep(out: &Path) -> RunConfig {
    RunConfig {
        paths: vec![scenario_fixtures()],
        seeds: 6,
        threads: 1,
        adapter: "builtin:reference".parse().expect("valid spec"),
        exec: ExecOptions::default(),
        out: out.to_path_buf(),
        budget: None,
        time_budget: None,
        progress: false,
        taxonomy: None,
        regressions: None,
        triage: true,
    }
}

/// The number of scenario files in the default library (`scenarios/library`).
pub fn library_len() -> usize {
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library");
    std::fs::read_dir(&library)
        .expect("the library folder")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "ron")))
        .count()
}
