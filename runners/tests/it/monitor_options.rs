//! `--near-miss-fraction` and `--lead-window` end to end, on the reports
//! crate's hand-worked fixture (`reports/tests/fixtures/monitors/`, worked in
//! `reports/tests/it/monitors.rs`): at W = 2 s `aeb` detects 2 of its 3
//! events with 1 false alarm; at W = 5 s its 1.0 s activation of s.a also
//! announces the 6.0 s near miss: 3 detected, no false alarm.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn records() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/tests/fixtures/monitors/records.jsonl")
}

fn gate() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/monitors/gate.toml")
}

fn gauntlet(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gauntlet")).args(args).output().expect("gauntlet starts");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn aeb(monitors: &Value) -> &Value {
    monitors["monitors"].as_array().and_then(|m| m.iter().find(|m| m["name"] == "aeb")).expect("aeb scored")
}

#[test]
fn the_command_line_overrides_the_gate_files_monitors_table() {
    let (records, gate) = (records(), gate());
    let (records, gate) = (records.to_str().unwrap(), gate.to_str().unwrap());
    let (_, out, err) = gauntlet(&["report", records, "--gate", gate, "--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    let m = &doc["artefacts"]["monitors"];
    assert_eq!(m["options"], serde_json::json!({ "near_miss_fraction": 0.5, "lead_window": 2.0 }));
    assert_eq!(
        (aeb(m)["all"]["detected"].as_u64(), aeb(m)["all"]["false_alarms"].as_u64()),
        (Some(2), Some(1))
    );

    let (_, out, err) =
        gauntlet(&["report", records, "--gate", gate, "--lead-window", "5", "--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    let m = &doc["artefacts"]["monitors"];
    assert_eq!(m["options"], serde_json::json!({ "near_miss_fraction": 0.5, "lead_window": 5.0 }));
    assert_eq!(
        (aeb(m)["all"]["detected"].as_u64(), aeb(m)["all"]["false_alarms"].as_u64()),
        (Some(3), Some(0))
    );
}

#[test]
fn coverage_carries_the_monitor_figures_with_the_given_parameters() {
    let records = records();
    let records = records.to_str().unwrap();
    let (code, out, err) = gauntlet(&["coverage", records, "--lead-window", "2", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let doc: Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(doc["kind"], "coverage");
    assert!(doc.get("hazards").is_some(), "the coverage fields are still there");
    let m = &doc["monitors"];
    assert_eq!(m["options"]["lead_window"], 2.0);
    assert_eq!(aeb(m)["all"]["detected"], 2);
    // f = 0.2: s.a's 0.5 s margin is no near miss (0.5 ≥ 0.2 × 1.5 = 0.3): fcw has 2 events.
    let (_, out, _) = gauntlet(&["coverage", records, "--near-miss-fraction", "0.2", "--format", "json"]);
    let doc: Value = serde_json::from_str(&out).expect("one JSON document");
    let fcw = doc["monitors"]["monitors"].as_array().unwrap().iter().find(|m| m["name"] == "fcw").unwrap();
    assert_eq!(fcw["all"]["events"], 2);

    let (_, text, _) = gauntlet(&["coverage", records, "--lead-window", "2"]);
    assert!(
        text.contains("runtime monitors (near miss: margin < 0.5 × threshold; lead window 2 s)"),
        "{text}"
    );
    let (_, md, _) = gauntlet(&["coverage", records, "--format", "markdown"]);
    assert!(md.contains("## Runtime monitors") && md.contains("| all jobs |"), "{md}");
}

#[test]
fn parameters_that_are_not_positive_are_usage_errors() {
    let records = records();
    let records = records.to_str().unwrap();
    for (command, flag, value) in [
        ("coverage", "--lead-window", "0"),
        ("coverage", "--near-miss-fraction", "-0.5"),
        ("report", "--lead-window", "nan"),
        ("report", "--near-miss-fraction", "abc"),
    ] {
        let (code, _, err) = gauntlet(&[command, records, &format!("{flag}={value}")]);
        assert_eq!(code, Some(2), "{command} {flag} {value}: {err}");
        assert!(err.contains(flag) && err.contains("expected a number > 0"), "{err}");
    }
}

#[test]
fn the_dashboard_shows_the_hand_worked_monitor_figures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("dashboard.html");
    let (records, gate) = (records(), gate());
    let (code, out, err) = gauntlet(&[
        "report",
        records.to_str().unwrap(),
        "--gate",
        gate.to_str().unwrap(),
        "--max-traces",
        "0",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert!(matches!(code, Some(0 | 1)), "{out}\n{err}");
    let page = std::fs::read_to_string(&html).expect("the dashboard is written");
    assert!(page.contains("id=\"monitor-table\""), "no monitors panel");
    assert!(page.contains("within 2 s before it"), "the panel states W");
    // fcw over W = 2 s: 3 jobs, 3 events (2 violations), 2 detected, 4 activations, 2 false alarms.
    assert!(
        page.contains(
            "<tr class=\"monitor\"><td>fcw</td><td class=\"num\">3</td><td class=\"num\">3 (2 violations)</td>\
             <td class=\"num\">2</td>"
        ),
        "{}",
        &page[page.find("monitor-table").unwrap()..][..2000]
    );
    assert!(page.contains("<td>· H-2</td>"), "the per-hazard rows");
}
