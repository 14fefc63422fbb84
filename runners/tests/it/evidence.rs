//! Evidence that cannot mislead, on real sweeps of failing stacks: every
//! figure coverage prints is recomputed here from the records alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gauntlet_reports::coverage::record_coverage;
use gauntlet_reports::record::{Outcome, RunRecord, read_records};
use gauntlet_reports::{GateConfig, GateInputs, Totals, evaluate};
use gauntlet_runners::commands::run::{RunConfig, run};
use gauntlet_taxonomy::{
    AsilClass, Check, CoverageOptions, HazardStatus, Taxonomy, TraceStatus, Z_95, wilson_interval,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The library at 4 seeds against `adapter`; its records.
fn sweep(adapter: &str, dir: &Path) -> Vec<RunRecord> {
    let out = dir.join(format!("{}.jsonl", adapter.replace(':', "-")));
    run(&RunConfig {
        paths: vec![repo().join("scenarios/library")],
        seeds: 4,
        threads: 2,
        adapter: adapter.parse().expect("valid adapter"),
        exec: Default::default(),
        out: out.clone(),
        budget: None,
        time_budget: None,
        progress: false,
        taxonomy: Some(repo().join("taxonomy/default.ron")),
        regressions: None,
        triage: false,
    })
    .expect("sweep runs");
    read_records(&out).collect::<Result<_, _>>().expect("records read")
}

/// The requirement ids mitigating `hazard`.
fn requirements_of<'t>(taxonomy: &'t Taxonomy, hazard: &str) -> BTreeSet<&'t str> {
    taxonomy.requirements_for(hazard).map(|r| r.id.as_str()).collect()
}

/// Whether a verdict of `r` evidencing one of `ids` failed.
fn violates(r: &RunRecord, ids: &BTreeSet<&str>) -> bool {
    r.outcome != Outcome::Error
        && r.verdicts.iter().any(|v| !v.passed && v.requirements.iter().any(|id| ids.contains(id.as_str())))
}

fn check_threshold_matches(check: &Check, criterion: &str, threshold: Option<f64>) -> bool {
    check.criterion() == criterion && (matches!(check, Check::ReachGoal) || check.threshold() == threshold)
}

#[test]
fn hazards_requirements_and_top_risk_follow_from_failed_checks_on_failing_stacks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let taxonomy = Taxonomy::load(&repo().join("taxonomy/default.ron")).expect("taxonomy loads");
    for adapter in ["builtin:cyclist-blind", "builtin:late-braker"] {
        let records = sweep(adapter, dir.path());
        assert_eq!(records.len(), 62 * 4, "{adapter}");
        assert!(records.iter().any(|r| r.outcome == Outcome::Fail), "{adapter} fails somewhere");
        let report = record_coverage(&taxonomy, &records, &CoverageOptions::default());

        // No hazard is violated unless a check of one of its requirements failed, and
        // every hazard whose check failed is violated.
        for h in &report.hazards {
            let ids = requirements_of(&taxonomy, &h.id);
            let naming: Vec<&RunRecord> = records.iter().filter(|r| r.hazards.contains(&h.id)).collect();
            let violated = naming.iter().filter(|r| violates(r, &ids)).count() as u32;
            assert_eq!(h.checks.violated, violated, "{adapter} {}", h.id);
            assert_eq!(
                h.status == HazardStatus::Violated,
                violated > 0,
                "{adapter} {}: {:?}",
                h.id,
                h.status
            );
            // Its worst margin is one of its requirements' checks.
            if let Some(w) = &h.worst_margin {
                assert!(
                    w.requirements.iter().any(|id| ids.contains(id.as_str())),
                    "{adapter} {}: {w:?}",
                    h.id
                );
            }
        }
        // A stack that fails somewhere must show a violated hazard somewhere.
        assert!(report.hazards.iter().any(|h| h.status == HazardStatus::Violated), "{adapter}");

        // No requirement is complete with failing, missing or weaker-than-required evidence.
        for t in &report.traceability {
            let requirement = taxonomy.requirement(&t.id).expect("known requirement");
            for h in &t.hazards {
                let naming: Vec<&RunRecord> = records.iter().filter(|r| r.hazards.contains(&h.id)).collect();
                let judged = |r: &RunRecord| -> Vec<(String, Option<f64>, bool)> {
                    r.verdicts
                        .iter()
                        .filter(|v| v.requirements.contains(&t.id))
                        .map(|v| (v.criterion.clone(), v.threshold, v.passed))
                        .collect()
                };
                let mut passing = 0;
                let mut failing = 0;
                for r in naming.iter().filter(|r| r.outcome != Outcome::Error) {
                    let verdicts = judged(r);
                    // Every verdict attributed to the requirement is at the requirement's own threshold.
                    for (criterion, threshold, _) in &verdicts {
                        assert!(
                            requirement
                                .checks
                                .iter()
                                .any(|c| check_threshold_matches(c, criterion, *threshold)),
                            "{adapter} {} {}: {criterion} at {threshold:?} is not one of its checks",
                            t.id,
                            r.id
                        );
                    }
                    if verdicts.iter().any(|(_, _, passed)| !passed) {
                        failing += 1;
                    } else if requirement
                        .checks
                        .iter()
                        .all(|c| verdicts.iter().any(|(n, _, _)| n == c.criterion()))
                    {
                        passing += 1;
                    }
                }
                assert_eq!((h.passing, h.failing), (passing, failing), "{adapter} {} {}", t.id, h.id);
                let needed = taxonomy.evidence().min_runs(h.asil);
                let expected = if failing > 0 {
                    TraceStatus::Failing
                } else if passing == 0 {
                    TraceStatus::Missing
                } else if passing < needed {
                    TraceStatus::Insufficient
                } else {
                    TraceStatus::Complete
                };
                assert_eq!(h.status, expected, "{adapter} {} {}", t.id, h.id);
            }
            assert_eq!(t.complete, t.hazards.iter().all(|h| h.status == TraceStatus::Complete), "{}", t.id);
        }

        // Top-risk coverage follows the printed rule, recomputed from the records.
        let policy = taxonomy.evidence();
        let mut covered = 0;
        let mut total = 0;
        for hazard in taxonomy.hazards().iter().filter(|h| h.asil >= AsilClass::C) {
            total += 1;
            let ids = requirements_of(&taxonomy, &hazard.id);
            let checked: Vec<&RunRecord> = records
                .iter()
                .filter(|r| {
                    r.hazards.contains(&hazard.id)
                        && r.outcome != Outcome::Error
                        && r.verdicts
                            .iter()
                            .any(|v| v.requirements.iter().any(|id| ids.contains(id.as_str())))
                })
                .collect();
            let n = checked.len() as u32;
            let violated = checked.iter().filter(|r| violates(r, &ids)).count() as u32;
            let upper = wilson_interval(violated, n, Z_95).map(|i| i.high);
            if violated == 0
                && n >= policy.min_runs(hazard.asil)
                && upper.is_some_and(|u| u <= policy.max_violation_rate)
            {
                covered += 1;
            }
        }
        assert_eq!(
            (report.top_risk.hazards.covered, report.top_risk.hazards.total),
            (covered, total),
            "{adapter}"
        );
        assert!(report.top_risk.rule.contains(&format!("{}", policy.max_violation_rate)));

        renderings_agree(&taxonomy, &records, &report);

        // The gate's top-risk check uses that very figure.
        let ratio = report.top_risk.hazards.ratio.expect("ASIL C/D hazards exist");
        for (min, passes) in [(ratio, true), ((ratio + 0.01).min(1.0), ratio >= 1.0)] {
            let gate = GateConfig { min_top_risk_coverage: Some(min), ..GateConfig::default() };
            let inputs = GateInputs {
                totals: Totals::from_records(&records),
                diff: None,
                top_risk_coverage: report.top_risk.hazards.ratio,
                risk_classes: BTreeMap::new(),
                ..GateInputs::default()
            };
            let check = evaluate(&gate, &inputs)
                .into_iter()
                .find(|c| c.name.contains("top"))
                .expect("top-risk check");
            assert_eq!(check.passed, passes, "{adapter}: {check:?}");
        }
    }
}

#[test]
fn validate_refuses_a_scenario_criterion_looser_than_a_requirement_with_its_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let library = repo().join("scenarios/library/lead_braking.rural.ron");
    let text = std::fs::read_to_string(&library).expect("reads");
    assert!(text.contains("MinTtc(min: 2.0)"), "the library agrees with SR-001");
    let loose = dir.path().join("loose.ron");
    std::fs::write(&loose, text.replace("MinTtc(min: 2.0)", "MinTtc(min: 1.0)")).expect("writes");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .current_dir(repo())
        .arg("validate")
        .arg(&loose)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let line = text.lines().position(|l| l.contains("MinTtc(min: 2.0)")).expect("criteria line") + 1;
    assert!(
        stderr.contains(&format!("loose.ron:{line}:")) && stderr.contains("at `criteria[1]`"),
        "position and field path: {stderr}"
    );
    assert!(stderr.contains("SR-001 requires `MinTtc(min: 2.0)`"), "{stderr}");
}

/// Text, Markdown, JSON and the dashboard show the same figures: they are
/// renderings of one report.
fn renderings_agree(taxonomy: &Taxonomy, records: &[RunRecord], report: &gauntlet_taxonomy::CoverageReport) {
    let text = gauntlet_taxonomy::render_text(report);
    let markdown = gauntlet_taxonomy::render_markdown(report);
    let json = serde_json::to_value(report).expect("serialises");
    let digest = gauntlet_reports::SweepDigest::with_taxonomy(taxonomy, records);
    let mut input = gauntlet_reports::DashboardInput::new("evidence", &digest);
    input.taxonomy = Some(taxonomy);
    input.coverage = Some(report);
    let html = gauntlet_reports::render_dashboard(&input);
    let top = &report.top_risk.hazards;
    let share = format!("{}/{}", top.covered, top.total);
    assert!(text.lines().any(|l| l.starts_with("Top-risk coverage") && l.contains(&share)), "{text}");
    assert!(markdown.lines().any(|l| l.contains("Top-risk coverage") && l.contains(&share)), "{markdown}");
    assert_eq!(json["top_risk"]["hazards"]["covered"], top.covered);
    assert!(html.contains(&format!("{} of {} ASIL C/D hazards covered", top.covered, top.total)));
    // The rule is printed with the figure everywhere.
    let rule = &report.top_risk.rule;
    assert!(text.contains(rule.as_str()) && markdown.contains(rule.as_str()), "rule missing");
    assert_eq!(json["top_risk"]["rule"], rule.as_str());
    assert!(
        html.contains(&rule.replace('\'', "&#39;")) || html.contains(rule.as_str()),
        "rule not on the dashboard"
    );
    let done = &report.completeness;
    assert!(text.lines().any(|l| l.starts_with("Traceability completeness")
        && l.contains(&format!("{}/{}", done.covered, done.total))));
    assert!(html.contains(&format!("{} of {} requirements are complete", done.covered, done.total)));
    for h in &report.hazards {
        let status = gauntlet_taxonomy::hazard_status(h.status);
        let row = markdown.lines().find(|l| l.starts_with(&format!("| {} |", h.id))).expect("hazard row");
        assert!(
            row.contains(&format!("| {status} |"))
                && row.contains(&format!("| {} | {} |", h.checks.checked, h.checks.violated)),
            "{row}"
        );
        assert!(text.contains(&format!("{}; scenario outcomes", status.to_uppercase())), "{}", h.id);
        assert_eq!(
            json["hazards"]
                .as_array()
                .expect("hazards")
                .iter()
                .find(|j| j["id"] == h.id.as_str())
                .expect("json hazard")["checks"]["violated"],
            h.checks.violated
        );
        let anchor = format!("id=\"hazard-{}\" class=\"hazard {}", h.id, status.replace(' ', "-"));
        assert!(html.contains(&anchor), "{anchor}");
    }
}
