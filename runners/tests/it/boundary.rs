//! Scenarios past a regulation's boundary (`beyond:`): their failures are
//! classified by the claim and the avoidability triage, never hidden; the
//! mark is validated with positions, written back and carried by records.

use std::path::{Path, PathBuf};

use gauntlet_reports::boundary::{BoundaryClaim, BoundaryClass, BoundaryCounts, classify};
use gauntlet_reports::gate::{GateConfig, GateInputs, evaluate, gate_passed};
use gauntlet_reports::junit::render_junit;
use gauntlet_reports::record::{Outcome, ReadItem, RecordReader, RunRecord};
use gauntlet_reports::summary::{Totals, TriageCounts, render_summary, summarize};
use gauntlet_runners::commands::replay::{ReplayConfig, replay};
use gauntlet_runners::commands::run::{RunConfig, run};
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::mutation::scenario_ron;

use crate::support::fixture_sweep;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/boundary").join(name)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn replayed(target: PathBuf, seed: u64, adapter: &str) -> RunRecord {
    replay(&ReplayConfig {
        seed: Some(seed),
        adapter: Some(adapter.parse().expect("valid spec")),
        ..ReplayConfig::new(target)
    })
    .expect("replays")
    .record
}

fn gate(records: &[RunRecord]) -> Vec<gauntlet_reports::gate::GateCheck> {
    let config = GateConfig::parse(
        "[gate]\nmin_pass_rate = 1.0\nmax_avoidable_failures = 0\nmax_unavoidable_failures = 0\n",
        "gauntlet.toml",
    )
    .expect("gate parses");
    let (mut triage, mut boundary) = (TriageCounts::default(), BoundaryCounts::default());
    for r in records {
        triage.add(r);
        boundary.add(r);
    }
    evaluate(
        &config,
        &GateInputs { totals: Totals::from_records(records), triage, boundary, ..GateInputs::default() },
    )
}

#[test]
fn boundary_claimed_unavoidable_and_triaged_unavoidable_is_expected() {
    let r = replayed(fixture("claimed_unavoidable.ron"), 0, "builtin:reference");
    // The failure stays a failure, with its verdicts and triage.
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(r.verdicts.iter().any(|v| v.criterion == "no_collision" && !v.passed));
    assert_eq!(r.triage.as_ref().and_then(|t| t.avoidable), Some(false), "{:?}", r.triage);
    let beyond = r.beyond.as_ref().expect("the record carries the mark");
    assert_eq!(beyond.claim, BoundaryClaim::Unavoidable);
    assert_eq!(beyond.source, "fixture regulation, cut-in clause");
    assert_eq!(classify(&r), Some(BoundaryClass::Expected));

    // With one passing job beside it, the gate passes.
    let passing = replayed(root().join("scenarios/library/lead_braking.highway.ron"), 0, "builtin:reference");
    assert_eq!(passing.outcome, Outcome::Pass);
    let records = [r, passing];
    let summary = summarize(&records);
    assert_eq!(summary.totals.fail, 1, "still counted as a failure");
    assert_eq!(summary.boundary.expected, 1);
    let text = render_summary(&summary);
    assert!(
        text.contains("FAIL (expected: past the boundary, unavoidable) fixture.boundary_claimed_unavoidable"),
        "{text}"
    );
    assert!(text.contains("triage: unavoidable"), "{text}");
    let checks = gate(&records);
    assert!(gate_passed(&checks), "an expected failure does not count against the gate: {checks:?}");
    let xml = render_junit("boundary", &records).expect("junit");
    assert!(
        xml.contains(
            "<skipped message=\"FAIL (expected: past the boundary, unavoidable): violated no_collision"
        ),
        "{xml}"
    );
    assert!(xml.contains("type=\"expected_past_boundary\""), "{xml}");
    assert!(xml.contains("<testsuites name=\"boundary\" tests=\"2\" failures=\"0\""), "{xml}");
}

#[test]
fn boundary_claim_contradicted_by_triage_is_reported_loudly() {
    let r = replayed(fixture("claimed_unavoidable_but_avoidable.ron"), 3, "builtin:late-braker");
    assert_eq!(r.outcome, Outcome::Fail);
    let t = r.triage.as_ref().expect("triaged");
    assert_eq!(t.avoidable, Some(true), "{t:?}");
    assert_eq!(classify(&r), Some(BoundaryClass::Contradicted));
    let records = [r];
    let summary = summarize(&records);
    let text = render_summary(&summary);
    assert!(
        text.contains("CLAIM CONTRADICTED: 1 failure(s) claimed unavoidable that triage avoids"),
        "{text}"
    );
    assert!(text.contains("FAIL (CLAIM CONTRADICTED: avoidable past the boundary)"), "{text}");
    assert!(text.contains("triage: avoidable (max_brake from t = "), "{text}");
    let checks = gate(&records);
    let failed: Vec<&str> = checks.iter().filter(|c| !c.passed).map(|c| c.name.as_str()).collect();
    assert_eq!(failed, ["pass rate", "avoidable failures"], "{checks:?}");
    let xml = render_junit("boundary", &records).expect("junit");
    assert!(
        xml.contains("<failure message=\"FAIL (CLAIM CONTRADICTED: avoidable past the boundary)"),
        "{xml}"
    );
    assert!(xml.contains("type=\"boundary_claim_contradicted\""), "{xml}");
}

/// One sweep over the three marked fixtures with a late braker: every
/// failure keeps its record, the exempt ones leave the gate, the
/// contradicted ones fail it; `--no-triage` leaves an unavoidable claim
/// unconfirmed (counted as a failure) and a not-required one apart.
#[test]
fn boundary_sweep_classifies_every_marked_failure_and_hides_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sweep = |triage: bool, name: &str| {
        let out = dir.path().join(name);
        let config = RunConfig {
            paths: vec![
                fixture("claimed_unavoidable.ron"),
                fixture("claimed_unavoidable_but_avoidable.ron"),
                fixture("not_required.ron"),
            ],
            seeds: 4,
            adapter: "builtin:late-braker".parse().expect("valid"),
            triage,
            ..fixture_sweep(&out)
        };
        run(&config).expect("sweep runs");
        gauntlet_reports::record::read_records(&out).collect::<Result<Vec<_>, _>>().expect("records")
    };
    let records = sweep(true, "triaged.jsonl");
    let failing: Vec<&RunRecord> = records.iter().filter(|r| r.outcome == Outcome::Fail).collect();
    assert!(failing.iter().all(|r| r.beyond.is_some() && classify(r).is_some()));
    let summary = summarize(&records);
    let b = summary.boundary;
    assert_eq!(b.expected + b.beyond_requirement + b.contradicted + b.unconfirmed, failing.len() as u64);
    assert!(b.expected >= 1 && b.beyond_requirement >= 1 && b.contradicted >= 1, "{b:?}");
    assert_eq!(b.unconfirmed, 0, "every failure was triaged: {b:?}");
    // The not-required failures are the same jobs as the contradicted ones (one file, two claims).
    assert_eq!(b.beyond_requirement, b.contradicted, "{b:?}");
    assert_eq!(summary.problems.len(), failing.len(), "no failure is dropped from the summary");

    let checks = gate(&records);
    let avoidable = checks.iter().find(|c| c.name == "avoidable failures").expect("checked");
    assert!(
        !avoidable.passed && avoidable.measured.starts_with(&format!("{} ", b.contradicted)),
        "{avoidable:?}"
    );
    let unavoidable = checks.iter().find(|c| c.name == "unavoidable failures").expect("checked");
    assert!(unavoidable.passed, "the expected failures leave the unavoidable count: {unavoidable:?}");

    let untriaged = sweep(false, "untriaged.jsonl");
    let b = summarize(&untriaged).boundary;
    assert_eq!((b.expected, b.contradicted), (0, 0), "nothing is confirmed or contradicted untriaged: {b:?}");
    assert!(b.unconfirmed >= 1 && b.beyond_requirement >= 1, "{b:?}");
}

#[test]
fn boundary_mark_errors_name_file_line_column_and_field() {
    let cases = [
        ("empty_source.ron", "8:22: at `beyond.source`: expected the regulation or protocol"),
        ("unknown_claim.ron", "8:40: at `beyond.claim`: unknown variant `Avoidable`"),
        ("unknown_field.ron", "8:53: at `beyond.reason`: unknown field `reason`"),
    ];
    for (name, expect) in cases {
        let path = fixture("invalid").join(name);
        let err = Scenario::load(&path).expect_err(name).to_string();
        assert!(err.starts_with(&format!("{}:{expect}", path.display())), "{name}: {err}");
    }
}

#[test]
fn boundary_mark_is_written_back_and_carried_by_records() {
    // The RON writer keeps it (import and mutation go through it).
    let scenario = Scenario::load(&fixture("claimed_unavoidable.ron")).expect("loads");
    let text = scenario_ron(scenario.file());
    assert!(
        text.contains("beyond: (source: \"fixture regulation, cut-in clause\", claim: Unavoidable"),
        "{text}"
    );
    let again =
        Scenario::from_source(gauntlet_ron_source::SourceFile::new("again.ron", text)).expect("reparses");
    assert_eq!(again.file().beyond, scenario.file().beyond);

    // A record with it round-trips; one without it (an older record) reads as unmarked.
    let r = replayed(fixture("not_required.ron"), 0, "builtin:reference");
    let line = r.to_json_line().expect("serialises");
    assert!(
        line.contains(
            "\"beyond\":{\"source\":\"fixture protocol, braking lead\",\"claim\":\"not_required\"}"
        ),
        "{line}"
    );
    let read = |line: &str| -> RunRecord {
        match RecordReader::new(format!("{line}\n").as_bytes(), "<test>")
            .next()
            .expect("a line")
            .expect("reads")
        {
            ReadItem::Record(r) => *r,
            ReadItem::Torn(t) => panic!("{t}"),
        }
    };
    assert_eq!(read(&line), r);
    // `gauntlet schema record` describes it, and an unknown claim does not validate.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(["schema", "record"])
        .output()
        .expect("gauntlet runs");
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the record schema compiles");
    let mut value: serde_json::Value = serde_json::from_str(&line).expect("json");
    assert!(validator.is_valid(&value), "{line}");
    value["beyond"]["claim"] = serde_json::Value::from("avoidable");
    assert!(!validator.is_valid(&value), "the claim is an enum in the schema");
    let mut value: serde_json::Value = serde_json::from_str(&line).expect("json");
    value.as_object_mut().expect("object").remove("beyond");
    let old = read(&value.to_string());
    assert!(old.beyond.is_none() && old.extra.is_empty());
}

/// The shipped challenge past the R157 boundary: the reference's failures
/// are each avoidable by some manoeuvre, so its honest claim is
/// `NotRequired` (an `Unavoidable` claim would be contradicted).
#[test]
fn boundary_the_r157_challenge_claim_matches_its_triage() {
    let file = root().join("scenarios/challenge/cut_in.r157_past_boundary.ron");
    let scenario = Scenario::load(&file).expect("loads");
    let beyond = scenario.file().beyond.as_ref().expect("marked");
    assert_eq!(beyond.claim, gauntlet_scenarios::boundary::BoundaryClaimFile::NotRequired);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("r157.jsonl");
    run(&RunConfig { paths: vec![file], seeds: 8, ..fixture_sweep(&out) }).expect("sweep runs");
    let records: Vec<RunRecord> =
        gauntlet_reports::record::read_records(&out).collect::<Result<_, _>>().expect("records");
    let failing: Vec<&RunRecord> = records.iter().filter(|r| r.outcome == Outcome::Fail).collect();
    assert!(!failing.is_empty(), "past the boundary, the reference fails some instances");
    for r in &failing {
        assert_eq!(r.triage.as_ref().and_then(|t| t.avoidable), Some(true), "{}: {:?}", r.id, r.triage);
        assert_eq!(classify(r), Some(BoundaryClass::BeyondRequirement));
    }
}
