//! `--format json` of every command: one document, valid against the schema
//! `gauntlet schema NAME` publishes; records valid against the `record` schema.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn gauntlet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gauntlet"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios")
}

fn library() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library")
}

fn schema(name: &str) -> Value {
    let out = gauntlet().args(["schema", name]).output().expect("gauntlet runs");
    assert!(out.status.success(), "schema {name}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

fn assert_valid(name: &str, instance: &Value) {
    let schema = schema(name);
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{name} does not validate: {errors:#?}\n{instance:#}");
}

/// Runs `cmd`, checks its exit code, parses stdout as exactly one JSON
/// document of `kind` valid against its schema, and returns it.
fn json_of(cmd: &mut Command, kind: &str, code: i32) -> Value {
    let out: Output = cmd.output().expect("gauntlet runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{kind}: stderr:\n{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{kind}: stdout is not one JSON document ({e}):\n{}", String::from_utf8_lossy(&out.stdout))
    });
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["kind"], kind);
    if let Some(exit_code) = doc.get("exit_code") {
        assert_eq!(exit_code.as_i64(), Some(i64::from(code)), "{kind}: exit_code");
    }
    assert_valid(kind, &doc);
    doc
}

fn sweep(dir: &Path, name: &str, extra: &[&str]) -> (PathBuf, Value) {
    let records = dir.join(name);
    let mut cmd = gauntlet();
    cmd.arg("run")
        .arg(fixtures())
        .args(["--seeds", "2", "--jobs", "1", "--no-regressions", "--format", "json", "--out"])
        .arg(&records)
        .args(extra);
    let doc = json_of(&mut cmd, "run", 0);
    (records, doc)
}

#[test]
fn run_json_validates_and_its_records_validate_against_the_record_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let junit = dir.path().join("junit.xml");
    let (records, doc) = sweep(dir.path(), "r.jsonl", &["--junit", junit.to_str().expect("utf-8")]);
    assert_eq!(doc["summary"]["totals"]["runs"], 4);
    assert_eq!(doc["planned"], 4);
    assert_eq!(doc["skipped"], 0);
    assert_eq!(doc["records"], records.display().to_string());
    assert_eq!(doc["artefacts"]["written"][0], junit.display().to_string());
    assert_eq!(doc["summary"]["rows"].as_array().map(Vec::len), Some(2));

    let record_schema = schema("record");
    let validator = jsonschema::validator_for(&record_schema).expect("the record schema compiles");
    let text = std::fs::read_to_string(&records).expect("records");
    assert_eq!(text.lines().count(), 4);
    for line in text.lines() {
        let record: Value = serde_json::from_str(line).expect("a record is JSON");
        let errors: Vec<String> = validator.iter_errors(&record).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "record does not validate: {errors:#?}\n{line}");
    }
    // The schema has teeth: an unknown outcome does not validate.
    let mut record: Value = serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    record["outcome"] = Value::from("bogus");
    assert!(!validator.is_valid(&record));
}

#[test]
fn run_json_of_a_budget_counts_the_skipped_jobs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, doc) = sweep(dir.path(), "r.jsonl", &["--budget", "1"]);
    assert_eq!(doc["skipped"], 3);
    assert!(doc["skipped_scenarios"].as_array().is_some_and(|a| !a.is_empty()));
}

#[test]
fn run_json_of_nothing_judged_keeps_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = gauntlet();
    cmd.arg("run")
        .arg(fixtures())
        .args(["--seeds", "0", "--no-regressions", "--format", "json", "--out"])
        .arg(dir.path().join("r.jsonl"));
    let doc = json_of(&mut cmd, "run", 2);
    assert_eq!(doc["summary"]["totals"]["runs"], 0);
}

#[test]
fn report_json_with_a_baseline_validates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (records, _) = sweep(dir.path(), "r.jsonl", &[]);
    let markdown = dir.path().join("summary.md");
    let doc = json_of(
        gauntlet()
            .arg("report")
            .arg(&records)
            .args(["--format", "json", "--baseline"])
            .arg(&records)
            .arg("--markdown")
            .arg(&markdown),
        "report",
        0,
    );
    assert_eq!(doc["summary"]["totals"]["runs"], 4);
    assert_eq!(doc["artefacts"]["baseline"]["counts"]["regressions"], 0);
    assert_eq!(doc["artefacts"]["written"][0], markdown.display().to_string());
    assert!(doc["artefacts"]["verdict"].as_array().is_some_and(|v| !v.is_empty()));
}

#[test]
fn merge_json_validates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, _) = sweep(dir.path(), "a.jsonl", &[]);
    let (b, _) = sweep(dir.path(), "b.jsonl", &[]);
    let all = dir.path().join("all.jsonl");
    let doc = json_of(
        gauntlet().arg("merge").arg(&a).arg(&b).arg("--out").arg(&all).args(["--format", "json"]),
        "merge",
        0,
    );
    assert_eq!(doc["stats"]["read"], 8);
    assert_eq!(doc["stats"]["written"], 4);
    assert_eq!(doc["stats"]["duplicates"], 4);
    assert_eq!(doc["out"], all.display().to_string());
}

#[test]
fn validate_json_validates_with_problems_in_parts() {
    let doc = json_of(
        gauntlet().arg("validate").arg(fixtures()).arg(library()).args(["--format", "json"]),
        "validate",
        0,
    );
    assert!(doc["valid"].as_array().is_some_and(|v| v.len() > 2));
    assert_eq!(doc["problems"].as_array().map(Vec::len), Some(0));

    let dir = tempfile::tempdir().expect("temp dir");
    let good = std::fs::read_to_string(fixtures().join("golden_lead_braking.ron")).expect("fixture");
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, good.replacen("duration", "durration", 1)).expect("write");
    let doc = json_of(gauntlet().arg("validate").arg(&bad).args(["--format", "json"]), "validate", 2);
    let problem = &doc["problems"][0];
    assert_eq!(problem["file"], bad.display().to_string());
    assert!(problem["line"].as_u64().is_some(), "{problem:#}");
    assert!(problem["column"].as_u64().is_some(), "{problem:#}");
    assert!(problem["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn list_json_validates() {
    let doc =
        json_of(gauntlet().arg("list").arg(fixtures()).arg(library()).args(["--format", "json"]), "list", 0);
    let scenarios = doc["scenarios"].as_array().expect("scenarios");
    assert!(scenarios.iter().any(|s| s["id"] == "fixture.cut_in_noisy"));
    assert!(scenarios.len() > 2);
}

#[test]
fn fuzz_json_validates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("fuzz.jsonl");
    let mut cmd = gauntlet();
    cmd.arg("fuzz")
        .arg(fixtures())
        .args(["--budget", "6", "--jobs", "1", "--no-save", "--shrink-budget", "8", "--format", "json"])
        .arg("--out")
        .arg(&out);
    let output = cmd.output().expect("gauntlet runs");
    let code = output.status.code().expect("an exit code");
    let doc = json_of(&mut cmd, "fuzz", code);
    assert_eq!(doc["simulations"], 6);
    assert_eq!(doc["records"], out.display().to_string());
    assert_eq!(doc["seed"], 0);
}

#[test]
fn coverage_json_validates() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (records, _) = sweep(dir.path(), "r.jsonl", &[]);
    let doc = json_of(gauntlet().arg("coverage").arg(&records).args(["--format", "json"]), "coverage", 0);
    assert!(doc.get("hazards").is_some());
}

#[test]
fn schema_lists_its_names_and_refuses_unknown_ones() {
    let out = gauntlet().arg("schema").output().expect("gauntlet runs");
    assert!(out.status.success());
    let names = String::from_utf8_lossy(&out.stdout);
    for name in [
        "record",
        "scenario",
        "run",
        "report",
        "validate",
        "list",
        "merge",
        "fuzz",
        "coverage",
        "adapter-check",
        "monitors",
        "catalogue",
    ] {
        assert!(names.lines().any(|l| l == name), "{name} in {names}");
        let _ = schema(name);
    }
    let out = gauntlet().args(["schema", "nope"]).output().expect("gauntlet runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn adapter_check_json_validates_and_names_the_broken_clause() {
    let doc = json_of(
        gauntlet().args(["adapter", "check", "builtin:reference", "--format", "json"]),
        "adapter-check",
        0,
    );
    assert_eq!(doc["conforms"], true);
    assert!(
        doc["clauses"].as_array().is_some_and(|c| c.len() == 16 && c.iter().all(|c| c["verdict"] == "pass"))
    );

    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/adapters/nan_control.py");
    let adapter = format!("exec:python3 {}", broken.display());
    let doc =
        json_of(gauntlet().args(["adapter", "check", &adapter, "--format", "json"]), "adapter-check", 1);
    assert_eq!(doc["conforms"], false);
    let verdict = |id: &str| {
        doc["clauses"].as_array().and_then(|c| c.iter().find(|c| c["id"] == id)).map(|c| c["verdict"].clone())
    };
    assert_eq!(verdict("§N1"), Some(Value::from("fail")), "{doc:#}");
    assert_eq!(verdict("§H1"), Some(Value::from("pass")), "{doc:#}");
}

#[test]
fn catalogue_coverage_json_validates_and_counts_the_runs_of_mapped_scenarios() {
    let dir = tempfile::tempdir().expect("temp dir");
    let records = dir.path().join("records.jsonl");
    let out = gauntlet()
        .arg("run")
        .arg(library().join("lead_braking.highway.ron"))
        .args(["--seeds", "2", "--jobs", "1", "--no-regressions", "--out"])
        .arg(&records)
        .output()
        .expect("gauntlet runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = json_of(
        gauntlet()
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .arg("coverage")
            .arg(&records)
            .args(["--catalogue", "nhtsa", "--format", "json"]),
        "catalogue",
        0,
    );
    assert_eq!(doc["catalogue"], "nhtsa_precrash");
    let entries = doc["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 37);
    // NHTSA-25 (lead vehicle decelerating) maps lead_braking.highway among others: with only
    // that scenario run it is partial, its two runs counted.
    let e25 = entries.iter().find(|e| e["id"] == "NHTSA-25").expect("NHTSA-25");
    assert_eq!(e25["status"], "partial");
    let lb = e25["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scenario"] == "lead_braking.highway")
        .unwrap();
    assert_eq!((lb["passed"].as_u64(), lb["failed"].as_u64()), (Some(2), Some(0)));
    assert_eq!(doc["covered_share"].as_f64(), Some(0.0));
    assert!(doc["covered_or_partial_share"].as_f64().unwrap() > 0.07);
}
