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
    let bad = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/tests/fixtures/invalid/negative_speed.ron");
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

#[test]
fn validate_checks_tags_and_hazards_against_the_taxonomy() {
    let file = fixtures().join("bad_tags/unknown_road.ron");
    let out = gauntlet().arg("validate").arg(&file).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown_road.ron:5:") && stderr.contains("motorway"), "{stderr}");
    assert!(stderr.contains("unknown_road.ron:6:") && stderr.contains("H-999"), "{stderr}");
    // Without the taxonomy the file itself is valid.
    let out = gauntlet().args(["validate", "--no-taxonomy"]).arg(&file).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn coverage_reads_records_and_prints_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let records = dir.path().join("r.jsonl");
    let out = gauntlet()
        .args(["run", "--seeds", "2", "--out"])
        .arg(&records)
        .arg(fixtures().join("scenarios"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let text = gauntlet().arg("coverage").arg(&records).output().expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Coverage of 4 runs: 4 passed, 0 failed, 0 errored"), "{text}");
    assert!(text.contains("H-001"), "{text}");
    let json = gauntlet().args(["coverage", "--format", "json"]).arg(&records).output().expect("runs");
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert!(value.is_object());
    let md = gauntlet().args(["coverage", "--format", "markdown"]).arg(&records).output().expect("runs");
    assert!(String::from_utf8_lossy(&md.stdout).contains('|'));
}

#[test]
fn check_adapter_tells_a_deterministic_stack_from_a_random_one() {
    let scenario = fixtures().join("scenarios/golden_lead_braking.ron");
    let out = gauntlet().args(["replay", "--check-adapter"]).arg(&scenario).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("identical: 400 steps"), "{stdout}");

    let random = fixtures().join("adapters/random_answers.py");
    let spec = format!("exec:python3 -S -B {}", random.display());
    let out = gauntlet()
        .args(["replay", "--check-adapter", "--adapter", &spec])
        .arg(&scenario)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("the adapter is not deterministic: same observation at step 0"), "{stdout}");
}

#[test]
fn completions_and_the_man_page_are_generated_from_the_arguments() {
    for shell in ["bash", "zsh", "fish"] {
        let out = gauntlet().args(["completions", shell]).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("replay") && text.contains("adapter"), "{shell}: {text}");
    }
    let out = gauntlet().arg("man").output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(".TH gauntlet 1") && text.contains("replay"), "{text}");
}

#[test]
fn on_github_actions_problems_and_failures_are_annotated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, "Scenario(id: \"x\", title: \"t\", duration: -1.0)\n").expect("writes");
    let out = gauntlet().env("GITHUB_ACTIONS", "true").arg("validate").arg(&bad).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().any(|l| l.starts_with(&format!("::error file={}", bad.display()))), "{stdout}");
    let out = gauntlet().arg("validate").arg(&bad).output().expect("runs");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("::error"), "only on GitHub Actions");

    let failing = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/failing");
    let out = gauntlet()
        .env("GITHUB_ACTIONS", "true")
        .args(["run", "--seeds", "1", "--no-regressions", "--out"])
        .arg(dir.path().join("r.jsonl"))
        .arg(&failing)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with("::error title=") && l.contains("reproduce: gauntlet replay")),
        "{stdout}"
    );
}
