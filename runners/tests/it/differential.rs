//! Differential falsification (`gauntlet fuzz --adapter NEW --against OLD`):
//! every instance runs with both adapters, only failures OLD does not share
//! are filed, shrunk and saved naming both adapters, failures both share
//! are reported apart, and `replay` of such a regression reports both
//! verdicts.

use std::path::{Path, PathBuf};

use gauntlet_reports::record::{Outcome, RunRecord, read_records};
use gauntlet_runners::adapter::ExecOptions;
use gauntlet_runners::commands::fuzz::{Differential, FuzzConfig, fuzz};
use gauntlet_runners::commands::replay::{ReplayConfig, replay};
use gauntlet_runners::fuzz::{RegressionStatus, ShrinkOptions, StrategyKind};
use gauntlet_scenarios::regression;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(name)
}

fn collision_only() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/taxonomy/collision_only.ron")
}

fn config(dir: &Path, new: &str, old: &str, scenario: &str, budget: usize, threads: usize) -> FuzzConfig {
    FuzzConfig {
        paths: vec![fixture(scenario)],
        budget,
        seed: 1,
        strategy: StrategyKind::Search,
        threads,
        adapter: new.parse().expect("valid adapter spec"),
        exec: ExecOptions::default(),
        out: dir.join("fuzz.jsonl"),
        regressions: Some(dir.join("regressions")),
        taxonomy: Some(collision_only()),
        coverage_from: None,
        shrink: ShrinkOptions { max_shrinks: Some(1), budget: 120 },
        formulas: None,
        fill_gaps: None,
        against: Some(Differential {
            adapter: old.parse().expect("valid adapter spec"),
            tolerance: None,
            out: None,
        }),
    }
}

fn records(path: &Path) -> Vec<RunRecord> {
    read_records(path).map(|r| r.expect("valid record")).collect()
}

fn verdict(r: &RunRecord, criterion: &str) -> (bool, f64) {
    let v = r.verdicts.iter().find(|v| v.criterion == criterion).expect("judged");
    (v.passed, v.margin)
}

#[test]
fn a_differential_campaign_files_what_new_fails_and_old_holds_and_replays_both() {
    let dir = tempfile::tempdir().expect("dir");
    let report = fuzz(&config(dir.path(), "builtin:ice-naive", "builtin:reference", "icy_stop.ron", 60, 2))
        .expect("runs");
    let failure =
        report.campaign.failures.first().expect("the ice-naive driver is caught against the reference");
    assert!(failure.margin < 0.0);
    assert!(failure.against_margin.is_some_and(|m| m >= 0.0), "{failure:?}");

    // Both adapters' records, one per instance, in the same order.
    let (new, old) = (records(&report.out), records(&dir.path().join("fuzz.against.jsonl")));
    assert_eq!(new.len(), report.campaign.simulations);
    assert_eq!(old.len(), new.len());
    for (n, o) in new.iter().zip(&old) {
        assert_eq!(
            (n.adapter.spec.as_str(), o.adapter.spec.as_str()),
            ("builtin:ice-naive", "builtin:reference")
        );
        assert_eq!((&n.id, &n.source), (&o.id, &o.source), "the same instance");
    }
    // The first failure is the first record where NEW fails what OLD holds.
    let first = new
        .iter()
        .zip(&old)
        .position(|(n, o)| {
            n.outcome == Outcome::Fail && n.verdicts.iter().any(|v| !v.passed && verdict(o, &v.criterion).0)
        })
        .expect("a differential failure among the records");
    assert_eq!(report.campaign.scenarios[0].first_failure, Some(first + 1));

    // The shrunk failure keeps the property and is saved naming both adapters.
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    assert!(shrunk.margin < 0.0);
    assert!(shrunk.against_margin.is_some_and(|m| m >= 0.0));
    let saved = regression::list(&dir.path().join("regressions")).expect("lists");
    let (path, reg) = saved.first().expect("saved");
    assert_eq!(reg.adapter.spec, "builtin:ice-naive");
    let against = reg.against.as_ref().expect("names OLD");
    assert_eq!(against.spec, "builtin:reference");
    assert!(against.margin >= 0.0);

    // `replay` runs both: NEW still fails with the saved trace, OLD holds with its saved trace.
    let again = replay(&ReplayConfig { taxonomy: Some(collision_only()), ..ReplayConfig::new(path) })
        .expect("replays");
    let check = again.regression.expect("a regression check");
    assert_eq!(check.status, RegressionStatus::StillFailing);
    assert!(check.same_trace);
    let old_run = again.against.expect("OLD's run");
    assert!(old_run.still_differential);
    assert!(old_run.same_trace);
    assert_eq!(old_run.record.adapter.spec, "builtin:reference");
    assert!(verdict(&old_run.record, &reg.criterion).0);
    assert!(old_run.render(&again.record).contains("still a differential failure"));
}

#[test]
fn failures_both_versions_share_are_reported_apart_not_filed() {
    let dir = tempfile::tempdir().expect("dir");
    // The same flawed adapter on both sides: every failure is shared.
    let report = fuzz(&config(
        dir.path(),
        "builtin:pedestrian-blind",
        "builtin:pedestrian-blind",
        "crossing.ron",
        60,
        1,
    ))
    .expect("runs");
    assert!(report.campaign.failures.is_empty(), "{:?}", report.campaign.failures);
    assert!(
        !report.campaign.shared.is_empty(),
        "the pedestrian-blind driver fails somewhere in 60 instances"
    );
    for s in &report.campaign.shared {
        assert!(s.margin < 0.0 && s.against_margin < 0.0);
    }
    assert_eq!(report.campaign.scenarios[0].shared, report.campaign.shared.len());
    assert!(regression::list(&dir.path().join("regressions")).expect("lists").is_empty());
    assert!(report.render().contains("shared failure (not a finding)"));
}

#[test]
fn a_differential_campaign_is_the_same_on_one_and_two_threads() {
    let (a, b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let ra = fuzz(&config(a.path(), "builtin:late-braker", "builtin:reference", "lead_brake.ron", 40, 1))
        .expect("runs");
    let rb = fuzz(&config(b.path(), "builtin:late-braker", "builtin:reference", "lead_brake.ron", 40, 2))
        .expect("runs");
    let strip = |p: &Path| {
        records(p)
            .into_iter()
            .map(|mut r| {
                r.wall_ms = 0.0;
                r
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&ra.out), strip(&rb.out));
    assert_eq!(strip(&a.path().join("fuzz.against.jsonl")), strip(&b.path().join("fuzz.against.jsonl")));
    assert_eq!(ra.campaign.scenarios, rb.campaign.scenarios);
}

#[test]
fn an_external_adapter_can_be_either_side() {
    let dir = tempfile::tempdir().expect("dir");
    let python = format!(
        "exec:python3 {}",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/python_adapter/adapter.py").display()
    );
    let mut c = config(dir.path(), "builtin:late-braker", &python, "lead_brake.ron", 20, 2);
    c.shrink.max_shrinks = Some(0);
    let report = fuzz(&c).expect("runs");
    let old = records(&dir.path().join("fuzz.against.jsonl"));
    assert_eq!(old.len(), report.campaign.simulations);
    assert!(
        old.iter().all(|r| r.adapter.spec == python && r.outcome != Outcome::Error),
        "{:?}",
        old[0].error
    );
    for f in &report.campaign.failures {
        assert!(f.margin < 0.0 && f.against_margin.is_some_and(|m| m >= 0.0));
    }
}
