//! Leading indicators end to end, against the hand-worked fixture history
//! `tests/fixtures/leading/` (four nights and tonight, every job passing).
//!
//! `H-002 / min_ttc` worst margins: 1.0, 0.85, 0.75, 0.6, tonight 0.45 s.
//! Theil–Sen slope: the median of the ten pairwise slopes, (−0.1375 −
//! 0.13333) / 2 = −0.1354167 s/night; intercept 1.0; residuals 0, −0.01458,
//! 0.02083, 0.00625, −0.00833, MAD 0.00833, noise σ = 1.4826 × 0.00833 =
//! 0.012355 s; nights to flip 0.45 / 0.1354167 = 3.323 ≤ 7: an alert.
//! `H-001 / no_collision` (2.0, 2.1, 1.9, 2.0, 2.05 m) has slope +0.00625: none.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/leading").join(name)
}

fn report(extra: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("report")
        .arg(fixture("tonight.jsonl"))
        .args(extra)
        .output()
        .expect("gauntlet starts");
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_shrinking_margin_alerts_and_fails_the_gate_before_any_job_fails() {
    let history = fixture("history");
    let gate = fixture("gate.toml");
    let (code, json) = report(&[
        "--history",
        history.to_str().unwrap(),
        "--gate",
        gate.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1), "{json}");
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let leading = &doc["artefacts"]["leading"];
    assert_eq!(leading["alerts"], 1, "{leading}");
    assert_eq!(
        leading["nights"],
        serde_json::json!(["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "tonight"])
    );
    let t = &leading["trends"][0];
    assert_eq!(
        (t["hazard"].as_str(), t["criterion"].as_str(), t["alert"].as_bool()),
        (Some("H-002"), Some("min_ttc"), Some(true))
    );
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-6;
    assert!(close(&t["slope"], -0.1354167), "{t}");
    assert!(close(&t["noise"], 1.4826 * 0.025 / 3.0), "{t}");
    assert!(close(&t["nights_to_flip"], 0.45 / 0.1354167), "{t}");
    let flat = leading["trends"].as_array().unwrap().iter().find(|t| t["hazard"] == "H-001").expect("H-001");
    assert_eq!(flat["alert"], false);
    assert!(close(&flat["slope"], 0.00625), "{flat}");
    let check =
        doc["artefacts"]["gate"].as_array().unwrap().iter().find(|c| c["name"] == "leading alerts").cloned();
    assert_eq!(check.expect("the gate's check")["passed"], false);

    // The dashboard shows the alert in its leading-indicator table.
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("d.html");
    let (code, _) = report(&["--history", history.to_str().unwrap(), "--html", html.to_str().unwrap()]);
    assert!(matches!(code, Some(0 | 1)));
    let page = std::fs::read_to_string(&html).expect("the dashboard is written");
    let table = &page[page.find("id=\"leading-table\"").expect("a leading-indicator table")..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.contains("<tr class=\"alert\"><td><span class=\"pill fail\">alert</span></td><td>H-002</td><td>min_ttc</td>"),
        "{table}"
    );
    assert!(table.contains("<tr class=\"steady\"><td></td><td>H-001</td>"), "{table}");

    let (_, text) = report(&["--history", history.to_str().unwrap()]);
    assert!(text.contains("leading indicators over 5 nights (2026-01-01 … tonight): 1 alert(s)"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("ALERT  H-002") && l.contains("min_ttc")), "{text}");
}

#[test]
fn without_history_the_gate_says_so_and_passes() {
    let gate = fixture("gate.toml");
    let (code, text) = report(&["--gate", gate.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("leading alerts") && text.contains("no history"), "{text}");
}
