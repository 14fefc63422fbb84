//! Fixture loading and golden-file comparison.
//!
//! Golden files live in `tests/fixtures/golden/`. After an intended change
//! of an artefact, regenerate them with
//! `GAUNTLET_BLESS=1 cargo test -p gauntlet-reports --test it` and review
//! the diff.

use std::path::PathBuf;

use gauntlet_reports::{RunRecord, read_records};

pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path)
}

/// Reads a record fixture, failing the test on any bad line.
pub fn records(name: &str) -> Vec<RunRecord> {
    read_records(fixture(&format!("records/{name}")))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Last night's and tonight's records of the fixture sweep.
pub fn nights() -> (Vec<RunRecord>, Vec<RunRecord>) {
    (records("night1.jsonl"), records("night2.jsonl"))
}

/// Compares `actual` with the golden file `name`, or rewrites it when
/// `GAUNTLET_BLESS=1`.
pub fn check_golden(name: &str, actual: &str) {
    let path = fixture(&format!("golden/{name}"));
    if std::env::var_os("GAUNTLET_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("failed to write {}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("failed to read golden file {} ({e}); create it with GAUNTLET_BLESS=1", path.display())
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .map_or_else(|| expected.lines().count().min(actual.lines().count()) + 1, |i| i + 1);
        panic!(
            "{name} differs from its golden file from line {line} on \
             (rerun with GAUNTLET_BLESS=1 if the change is intended)\n--- expected\n{expected}\n--- actual\n{actual}"
        );
    }
}
