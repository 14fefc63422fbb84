//! Margins on a real failing stack: a sweep of library scenarios with the
//! planted `late-braker`, its summary's worst margins, its collisions, and
//! its baseline diff against the reference adapter, every figure
//! recomputed here from the record files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use gauntlet_reports::record::{Outcome, RunRecord, Verdict, read_records};

const SCENARIOS: [&str; 4] = [
    "lead_braking.highway_dropout",
    "cut_in.highway",
    "curve.highway_left",
    "stopped_obstacle.highway_debris",
];

fn library(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library").join(format!("{name}.ron"))
}

/// Runs the scenarios at 4 seeds with `adapter`; returns its stdout and records.
fn sweep(dir: &Path, adapter: &str) -> (String, PathBuf, Vec<RunRecord>) {
    let out = dir.join(format!("{adapter}.jsonl"));
    let output = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("run")
        .args(SCENARIOS.map(library))
        .args(["--seeds", "4", "--jobs", "2", "--adapter", &format!("builtin:{adapter}"), "--out"])
        .arg(&out)
        .output()
        .expect("gauntlet starts");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = read_records(&out).map(|r| r.expect("valid record")).collect();
    (text, out, records)
}

fn normalized(v: &Verdict) -> f64 {
    v.margin / v.scale.filter(|s| *s > 0.0).unwrap_or(1.0)
}

#[test]
fn late_braker_worst_margins_collisions_and_per_criterion_drops() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (summary, late_path, late) = sweep(dir.path(), "late-braker");
    let (_, reference_path, reference) = sweep(dir.path(), "reference");
    assert!(late.iter().any(|r| r.outcome == Outcome::Fail), "the planted weakness fails somewhere");

    // 1. Each scenario's worst margin is its smallest normalised margin,
    //    printed raw with its unit and criterion.
    let mut worst: BTreeMap<&str, &Verdict> = BTreeMap::new();
    for r in &late {
        for v in &r.verdicts {
            let slot = worst.entry(r.scenario.as_str()).or_insert(v);
            let better =
                normalized(v).total_cmp(&normalized(slot)).then_with(|| v.criterion.cmp(&slot.criterion));
            if better.is_lt() {
                *slot = v;
            }
        }
    }
    for scenario in SCENARIOS {
        let v = worst[scenario];
        let row = summary
            .lines()
            .find(|l| l.split_whitespace().next() == Some(scenario))
            .unwrap_or_else(|| panic!("no row for {scenario}:\n{summary}"));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells[5..], [format!("{:.3}", v.margin).as_str(), &v.unit, &v.criterion], "{summary}");
        // Not the raw smallest number, unless that is also the normalised one.
        assert!(!v.unit.is_empty() && v.scale.is_some(), "{v:?}");
    }

    // 2. A collision is a no_collision violation; its contact impulse is no
    //    braking: a collided job's max_decel stays within what the tyres can
    //    do (≤ 10 m/s²), and no headline is a max_decel of a collided job.
    let collided: Vec<&RunRecord> =
        late.iter().filter(|r| r.verdicts.iter().any(|v| v.impact_speed.is_some())).collect();
    assert!(!collided.is_empty(), "the late-braker collides somewhere");
    for r in &collided {
        let nc = r.verdicts.iter().find(|v| v.criterion == "no_collision").expect("judged");
        assert!(!nc.passed && nc.impact_speed.is_some_and(|s| s > 0.0), "{nc:?}");
        for v in r.verdicts.iter().filter(|v| v.criterion == "max_decel") {
            let limit = v.threshold.expect("max_decel has a threshold");
            assert!(v.margin >= limit - 10.0, "contact impulse scored as braking in {}: {v:?}", r.id);
        }
        let headline = r.worst_verdict().expect("verdicts");
        assert_ne!(headline.criterion, "max_decel", "{}", r.id);
    }

    // 3. The baseline diff lists every per-criterion drop beyond 0.1 × scale
    //    on jobs passing in both, recomputed here from the two files.
    let by_id = |records: &[RunRecord]| -> BTreeMap<String, RunRecord> {
        records.iter().map(|r| (format!("{}", r.key()), r.clone())).collect()
    };
    let (old, new) = (by_id(&reference), by_id(&late));
    let mut expected = BTreeSet::new();
    for (job, n) in &new {
        let Some(o) = old.get(job) else { continue };
        if o.outcome != Outcome::Pass || n.outcome != Outcome::Pass {
            continue;
        }
        for v in &n.verdicts {
            let Some(w) =
                o.verdicts.iter().find(|w| w.criterion == v.criterion && w.threshold == v.threshold)
            else {
                continue;
            };
            if w.margin != v.margin && w.margin - v.margin > 0.1 * v.scale.unwrap_or(1.0) {
                let threshold = v.threshold.map(|t| format!("{t:.3}"));
                expected.insert((job.clone(), v.criterion.clone(), threshold));
            }
        }
    }
    assert!(!expected.is_empty(), "the late-braker loses margin somewhere it still passes");

    let output = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("report")
        .arg(&late_path)
        .arg("--baseline")
        .arg(&reference_path)
        .output()
        .expect("gauntlet starts");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut listed = BTreeSet::new();
    for line in text.lines().filter_map(|l| l.trim_start().strip_prefix("MARGIN")) {
        let (job, rest) = line.trim().split_once(": ").expect("job: detail");
        let criterion = rest.split_whitespace().next().expect("criterion").to_owned();
        let threshold = rest
            .strip_prefix(&format!("{criterion} (threshold "))
            .map(|t| t.split_whitespace().next().expect("number").to_owned());
        // Every figure carries the criterion's unit.
        let unit = &new[job].verdicts.iter().find(|v| v.criterion == criterion).expect("judged").unit;
        assert!(rest.contains(&format!(" {unit} → ")) && rest.contains("tolerance "), "{line}");
        listed.insert((job.to_owned(), criterion, threshold));
    }
    assert_eq!(listed, expected, "{text}");
    assert!(text.contains(&format!("{} margin regression(s)", expected.len())), "{text}");
}
