//! Risk-ranked planning and budgets.

use std::path::{Path, PathBuf};
use std::time::Duration;

use gauntlet_reports::record::{AdapterRef, read_records};
use gauntlet_runners::commands::run::{RunConfig, run};
use gauntlet_runners::plan::Library;
use gauntlet_taxonomy::Taxonomy;

use crate::support::{fixture_sweep, scenario_fixtures};

fn fixtures() -> PathBuf {
    scenario_fixtures()
}

fn config(out: &Path) -> RunConfig {
    RunConfig { seeds: 2, threads: 2, ..fixture_sweep(out) }
}

#[test]
fn jobs_run_riskiest_scenario_first() {
    let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
    let library = Library::load(&[fixtures()]).expect("fixtures load");
    // Path order puts the cut-in (H-002, ASIL C) first; the lead-braking
    // scenario traces to H-001 (ASIL D) and must run first.
    let ids: Vec<&str> = library.scenarios.iter().map(|s| s.id()).collect();
    assert_eq!(ids, ["fixture.cut_in_noisy", "fixture.golden_lead_braking"]);
    let adapter =
        AdapterRef { spec: "builtin:reference".into(), name: "reference".into(), version: "0.1.0".into() };
    let plan = library.plan(2, &taxonomy, &adapter);
    let planned: Vec<(&str, u64)> = plan.jobs.iter().map(|j| (j.scenario().id(), j.seed())).collect();
    assert_eq!(
        planned,
        [
            ("fixture.golden_lead_braking", 0),
            ("fixture.golden_lead_braking", 1),
            ("fixture.cut_in_noisy", 0),
            ("fixture.cut_in_noisy", 1)
        ]
    );
}

#[test]
fn a_job_budget_runs_the_riskiest_jobs_and_names_what_was_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("r.jsonl");
    let report = run(&RunConfig { budget: Some(3), ..config(&out) }).expect("runs");
    assert_eq!((report.planned, report.skipped), (4, 1));
    assert_eq!(report.skipped_scenarios, ["fixture.cut_in_noisy"]);
    let ran: Vec<(String, u64)> =
        read_records(&out).map(|r| r.expect("valid record")).map(|r| (r.scenario, r.seed)).collect();
    assert_eq!(
        ran,
        [
            ("fixture.golden_lead_braking".to_owned(), 0),
            ("fixture.golden_lead_braking".to_owned(), 1),
            ("fixture.cut_in_noisy".to_owned(), 0)
        ]
    );
}

#[test]
fn a_spent_time_budget_hands_out_no_job() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("r.jsonl");
    let report = run(&RunConfig { time_budget: Some(Duration::ZERO), ..config(&out) }).expect("runs");
    assert_eq!((report.planned, report.skipped), (4, 4));
    assert_eq!(report.summary.totals.runs, 0);
    assert_eq!(report.skipped_scenarios, ["fixture.golden_lead_braking", "fixture.cut_in_noisy"]);
}
