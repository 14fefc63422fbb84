//! The binary's contract: exit codes and messages.

use std::process::Command;

fn gauntlet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gauntlet"))
}

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[test]
fn a_passing_sweep_exits_zero_and_prints_the_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = gauntlet()
        .args(["run", "--seeds", "2", "--jobs", "2", "--out"])
        .arg(dir.path().join("r.jsonl"))
        .arg(fixtures().join("scenarios/golden_lead_braking.ron"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("fixture.golden_lead_braking"), "{stdout}");
}

#[test]
fn invalid_scenarios_exit_two_with_file_line_and_column() {
    let bad = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/tests/fixtures/invalid/negative_speed.ron");
    let out = gauntlet().arg("validate").arg(&bad).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("negative_speed.ron:5:18: at `ego.speed`"), "{stderr}");
    let out = gauntlet().arg("run").arg(&bad).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_two() {
    let out = gauntlet().args(["run", "--seeds", "many"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let out = gauntlet().args(["run", "--adapter", "builtin:nope"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn a_failing_sweep_exits_one_and_prints_the_replay_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = gauntlet()
        .args(["run", "--seeds", "1", "--out"])
        .arg(dir.path().join("r.jsonl"))
        .arg(fixtures().join("failing"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("gauntlet replay"), "{stdout}");
    assert!(stdout.contains("icy_obstacle.ron --seed 0"), "{stdout}");
    assert!(stdout.contains("no_collision"), "{stdout}");
}
