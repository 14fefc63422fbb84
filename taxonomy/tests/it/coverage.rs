//! Coverage arithmetic on tests/fixtures/small.ron and seven hand-written jobs, with every
//! expected number worked out by hand below.
//!
//! The taxonomy: road {urban, highway}, event {following, crossing, merge}, actor {vehicle,
//! pedestrian}; exclusions highway×pedestrian and merge×pedestrian. Hazards:
//! H-001 S3 E4 C3 = D (weight 16), cells event=following ∧ actor=vehicle;
//! H-002 S3 E3 C3 = C (8), cells event=crossing ∧ actor=pedestrian ∧ road=urban;
//! H-003 S3 E3 C2 = B (4), cells event=merge ∧ road=highway;
//! H-004 S1 E2 C1 = QM (1), cells road=urban.
//! Requirements and their checks: SR-001 → H-001 [NoCollision, MinTtc(min: 1.0)];
//! SR-002 → H-002 [NoCollision, MinGap(min: 2.0)]; SR-003 → H-003, H-004 [MinGap(min: 1.0)].
//! Evidence policy: passing runs needed QM/A/B/C/D = 1/1/1/1/2; top-risk Wilson bound ≤ 0.9.
//! A verdict is evidence for the requirements of the job's hazards that check its criterion
//! (as the runner attributes them); `max_jerk` of J4 is the scenario's own, evidence for none.
//!
//! The jobs (U = urban, Hw = highway):
//! J1 follow-urban seed 1 U/following/vehicle  [H-001]        pass  no_collision +2.0, min_ttc +0.8
//! J2 follow-urban seed 2 U/following/vehicle  [H-001]        fail  no_collision −0.5, min_ttc −1.2
//! J3 follow-urban seed 3 U/following/vehicle  [H-001]        pass  no_collision +1.0, min_ttc +0.3
//! J4 ped-cross    seed 1 U/crossing/pedestrian [H-002 ×2, H-004] pass no_collision +3.0, min_gap +0.4, max_jerk +0.1
//! J5 merge-hw     seed 1 Hw/merge/vehicle     [H-003]        error
//! J6 mystery      seed 9 U, weather=rain, actor=cyclist [H-999, H-004] fail min_gap −0.7
//! J7 ped-cross    seed 2 U/crossing/pedestrian [H-002, H-004] error

use std::collections::BTreeMap;

use gauntlet_taxonomy::{
    AsilClass, CoverageBuilder, CoverageOptions, CoverageReport, CriterionFact, HazardStatus, JobFacts,
    JobOutcome, RiskRank, TraceStatus, UnknownReference, coverage,
};

use crate::small;

fn job(
    scenario: &str,
    seed: u64,
    tags: &[(&str, &str)],
    hazards: &[&str],
    outcome: JobOutcome,
    verdicts: &[(&str, f64)],
) -> JobFacts {
    JobFacts {
        scenario: scenario.to_owned(),
        seed,
        tags: tags.iter().map(|(d, v)| (d.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
        hazards: hazards.iter().map(|h| h.to_string()).collect(),
        outcome,
        verdicts: verdicts
            .iter()
            .map(|(c, m)| CriterionFact {
                criterion: c.to_string(),
                passed: *m >= 0.0,
                margin: *m,
                unit: String::new(),
                scale: 1.0,
                requirements: attributed(c, hazards),
            })
            .collect(),
    }
}

/// The requirements of `hazards` whose checks judge `criterion` (as the runner attributes them).
fn attributed(criterion: &str, hazards: &[&str]) -> Vec<String> {
    let checks: [(&str, &str, &[&str]); 3] = [
        ("SR-001", "H-001", &["no_collision", "min_ttc"]),
        ("SR-002", "H-002", &["no_collision", "min_gap"]),
        ("SR-003", "H-004", &["min_gap"]),
    ];
    checks
        .iter()
        .filter(|(_, h, criteria)| hazards.contains(h) && criteria.contains(&criterion))
        .map(|(id, _, _)| id.to_string())
        .collect()
}

pub fn jobs() -> Vec<JobFacts> {
    use JobOutcome::{Error, Fail, Pass};
    let follow = [("road", "urban"), ("event", "following"), ("actor", "vehicle")];
    let cross = [("road", "urban"), ("event", "crossing"), ("actor", "pedestrian")];
    vec![
        job("follow-urban", 1, &follow, &["H-001"], Pass, &[("no_collision", 2.0), ("min_ttc", 0.8)]),
        job("follow-urban", 2, &follow, &["H-001"], Fail, &[("no_collision", -0.5), ("min_ttc", -1.2)]),
        job("follow-urban", 3, &follow, &["H-001"], Pass, &[("no_collision", 1.0), ("min_ttc", 0.3)]),
        job(
            "ped-cross",
            1,
            &cross,
            &["H-002", "H-002", "H-004"],
            Pass,
            &[("no_collision", 3.0), ("min_gap", 0.4), ("max_jerk", 0.1)],
        ),
        job(
            "merge-hw",
            1,
            &[("road", "highway"), ("event", "merge"), ("actor", "vehicle")],
            &["H-003"],
            Error,
            &[],
        ),
        job(
            "mystery",
            9,
            &[("road", "urban"), ("weather", "rain"), ("actor", "cyclist")],
            &["H-999", "H-004"],
            Fail,
            &[("min_gap", -0.7)],
        ),
        job("ped-cross", 2, &cross, &["H-002", "H-004"], Error, &[]),
    ]
}

fn report() -> CoverageReport {
    coverage(&small(), &jobs(), &CoverageOptions::default())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 5e-5
}

#[test]
fn totals() {
    let r = report();
    // Passed J1 J3 J4, failed J2 J6, errored J5 J7.
    assert_eq!((r.jobs.runs, r.jobs.passed, r.jobs.failed, r.jobs.errored), (7, 3, 2, 2));
}

#[test]
fn per_value() {
    let r = report();
    let got: Vec<(String, u32, u32, u32, u32, bool)> = r
        .values
        .iter()
        .map(|v| {
            let c = v.counts;
            (
                format!("{}={}", v.value.dimension, v.value.value),
                c.runs,
                c.passed,
                c.failed,
                c.errored,
                v.exercised,
            )
        })
        .collect();
    let expected = [
        // J1 J2 J3 J4 J6 J7: pass J1 J3 J4, fail J2 J6, error J7.
        ("road=urban", 6, 3, 2, 1, true),
        // J5 only, an error: no evidence, so not exercised.
        ("road=highway", 1, 0, 0, 1, false),
        ("event=following", 3, 2, 1, 0, true),
        ("event=crossing", 2, 1, 0, 1, true),
        ("event=merge", 1, 0, 0, 1, false),
        // J1 J2 J3 J5.
        ("actor=vehicle", 4, 2, 1, 1, true),
        // J4 J7; J6's cyclist is no value of the taxonomy.
        ("actor=pedestrian", 2, 1, 0, 1, true),
    ];
    let expected: Vec<_> =
        expected.iter().map(|(n, a, b, c, d, e)| (n.to_string(), *a, *b, *c, *d, *e)).collect();
    assert_eq!(got, expected);
    // 5 of 7 values exercised.
    assert_eq!((r.value_coverage.covered, r.value_coverage.total), (5, 7));
}

#[test]
fn pairwise() {
    let r = report();
    // road×event 2·3 = 6, road×actor 2·2 − highway×pedestrian = 3, event×actor 3·2 − merge×pedestrian = 5.
    assert_eq!(r.pairs.len(), 14);
    // Exercised: urban×following, urban×crossing, urban×vehicle, urban×pedestrian,
    // following×vehicle, crossing×pedestrian. (J5's pairs only errored; J6 has one known tag.)
    assert_eq!((r.pair_coverage.covered, r.pair_coverage.total), (6, 14));
    let summary: Vec<(String, u32, u32)> = r
        .dimension_pairs
        .iter()
        .map(|d| (format!("{}×{}", d.a, d.b), d.pairs.covered, d.pairs.total))
        .collect();
    assert_eq!(
        summary,
        vec![("road×event".into(), 2, 6), ("road×actor".into(), 2, 3), ("event×actor".into(), 2, 5)]
    );
    let pair = |a: &str, b: &str| {
        r.pairs
            .iter()
            .find(|p| p.a.value == a && p.b.value == b)
            .map(|p| (p.counts.runs, p.counts.passed, p.counts.failed, p.counts.errored))
    };
    assert_eq!(pair("urban", "following"), Some((3, 2, 1, 0)));
    assert_eq!(pair("urban", "crossing"), Some((2, 1, 0, 1)));
    assert_eq!(pair("highway", "merge"), Some((1, 0, 0, 1)));
    assert_eq!(pair("highway", "pedestrian"), None);
}

#[test]
fn per_hazard() {
    let r = report();
    let h = |id: &str| r.hazards.iter().find(|h| h.id == id).unwrap();

    // H-001: J1 J2 J3, each judged against SR-001's checks → checked 3, violated 1 (J2).
    // Rate 1/3; Wilson(1, 3) = [0.0615, 0.7923]. Worst of SR-001's verdicts (scale 1):
    // min(2.0, 0.8, −0.5, −1.2, 1.0, 0.3) = min_ttc −1.2 of seed 2.
    let h1 = h("H-001");
    assert_eq!(
        (h1.asil, h1.counts.runs, h1.counts.passed, h1.counts.failed, h1.counts.errored),
        (AsilClass::D, 3, 2, 1, 0)
    );
    assert_eq!((h1.checks.checked, h1.checks.violated, h1.checks.held), (3, 1, 2));
    assert_eq!(h1.status, HazardStatus::Violated);
    assert!(close(h1.violation_rate.unwrap(), 1.0 / 3.0));
    let i = h1.violation_interval.unwrap();
    assert!(close(i.low, 0.0615) && close(i.high, 0.7923), "{i:?}");
    let w = h1.worst_margin.as_ref().unwrap();
    assert_eq!(
        (w.criterion.as_str(), w.margin, w.scenario.as_str(), w.seed),
        ("min_ttc", -1.2, "follow-urban", 2)
    );
    assert_eq!(w.requirements, vec!["SR-001".to_owned()]);

    // H-002: J4 (named twice, counted once) held SR-002's checks, J7 errored. 0/1; Wilson(0, 1) =
    // [0, 0.7935]. Worst of SR-002's verdicts = min_gap 0.4; max_jerk 0.1 is evidence for nothing.
    let h2 = h("H-002");
    assert_eq!((h2.asil, h2.counts.runs, h2.counts.passed, h2.counts.errored), (AsilClass::C, 2, 1, 1));
    assert_eq!((h2.checks.checked, h2.checks.violated, h2.status), (1, 0, HazardStatus::Held));
    assert_eq!(h2.violation_rate, Some(0.0));
    let i = h2.violation_interval.unwrap();
    assert!(close(i.low, 0.0) && close(i.high, 0.7935), "{i:?}");
    let w = h2.worst_margin.as_ref().unwrap();
    assert_eq!((w.criterion.as_str(), w.margin, w.seed), ("min_gap", 0.4, 1));

    // H-003: J5 only, an error: not exercised, nothing checked, no rate, interval or margin.
    let h3 = h("H-003");
    assert_eq!((h3.counts.runs, h3.counts.errored, h3.exercised), (1, 1, false));
    assert_eq!((h3.violation_rate, h3.violation_interval, h3.worst_margin.clone()), (None, None, None));
    assert_eq!(h3.status, HazardStatus::Unexercised);

    // H-004: J4 held SR-003's min_gap (+0.4), J6 violated it (−0.7), J7 errored. 1/2;
    // Wilson(1, 2) = [0.0945, 0.9055]; worst min_gap −0.7 of mystery seed 9.
    let h4 = h("H-004");
    assert_eq!(
        (h4.asil, h4.counts.runs, h4.counts.passed, h4.counts.failed, h4.counts.errored),
        (AsilClass::QM, 3, 1, 1, 1)
    );
    assert_eq!((h4.checks.checked, h4.checks.violated, h4.status), (2, 1, HazardStatus::Violated));
    assert_eq!(h4.violation_rate, Some(0.5));
    let i = h4.violation_interval.unwrap();
    assert!(close(i.low, 0.0945) && close(i.high, 0.9055), "{i:?}");
    let w = h4.worst_margin.as_ref().unwrap();
    assert_eq!((w.criterion.as_str(), w.margin, w.scenario.as_str()), ("min_gap", -0.7, "mystery"));
    assert_eq!(h4.requirements, vec!["SR-003".to_owned()]);

    // Exercised: H-001, H-002, H-004.
    assert_eq!((r.hazard_coverage.covered, r.hazard_coverage.total), (3, 4));
}

#[test]
fn a_failing_criterion_no_requirement_checks_fails_the_scenario_not_the_hazard() {
    use JobOutcome::Fail;
    let follow = [("road", "urban"), ("event", "following"), ("actor", "vehicle")];
    // The run failed max_jerk, which no requirement of H-001 checks; SR-001's checks held.
    let facts =
        [job("follow-urban", 1, &follow, &["H-001"], Fail, &[("no_collision", 2.0), ("max_jerk", -3.0)])];
    let r = coverage(&small(), &facts, &CoverageOptions::default());
    let h1 = r.hazards.iter().find(|h| h.id == "H-001").unwrap();
    assert_eq!((h1.counts.failed, h1.checks.checked, h1.checks.violated), (1, 1, 0));
    assert_eq!(h1.status, HazardStatus::Held);
    // Its worst margin is over SR-001's checks only: no_collision +2.0, not max_jerk −3.0.
    assert_eq!(
        h1.worst_margin.as_ref().map(|w| (w.criterion.as_str(), w.margin)),
        Some(("no_collision", 2.0))
    );
    // SR-001 has no passing run: no min_ttc verdict was judged at its threshold.
    assert_eq!(r.traceability[0].hazards[0].status, TraceStatus::Missing);
}

#[test]
fn risk_weighted_and_top_risk() {
    let r = report();
    // Weights D 16 + C 8 + B 4 + QM 1 = 29; exercised D + C + QM = 25; 25/29 = 0.8621.
    assert_eq!((r.risk_weighted.covered, r.risk_weighted.total), (25, 29));
    assert!(close(r.risk_weighted.ratio.unwrap(), 25.0 / 29.0));
    // ASIL C/D hazards: H-001 violated once → not covered; H-002: 1 checked run (C needs 1),
    // none violated, Wilson upper bound 0.7935 ≤ 0.9 → covered. 1 of 2.
    assert_eq!((r.top_risk.hazards.covered, r.top_risk.hazards.total), (1, 2));
    let short: Vec<(&str, u32, u32, u32)> =
        r.top_risk.short.iter().map(|s| (s.id.as_str(), s.checked, s.violated, s.needed)).collect();
    assert_eq!(short, vec![("H-001", 3, 1, 2)]);
    assert!(
        r.top_risk.rule.contains("at least 1 (2) runs") && r.top_risk.rule.contains("0.9"),
        "{}",
        r.top_risk.rule
    );
    // Needing 2 runs: H-002 falls short too, the riskier (D) first.
    let r2 = coverage(&small(), &jobs(), &CoverageOptions { top_risk_min_runs: Some(2) });
    let ids: Vec<&str> = r2.top_risk.short.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, vec!["H-001", "H-002"]);
    assert_eq!(r2.top_risk.short[1].why, "1 checked run(s), 2 needed");
    assert_eq!(r2.top_risk.hazards.ratio, Some(0.0));
}

#[test]
fn top_risk_needs_a_small_enough_wilson_upper_bound() {
    use JobOutcome::Pass;
    let cross = [("road", "urban"), ("event", "crossing"), ("actor", "pedestrian")];
    // Three clean runs of H-002 (C): Wilson(0, 3) upper = 1.96² / (3 + 1.96²) = 3.8415 / 6.8415 = 0.5615.
    let facts: Vec<JobFacts> = (1..=3)
        .map(|seed| {
            job("ped-cross", seed, &cross, &["H-002"], Pass, &[("no_collision", 1.0), ("min_gap", 1.0)])
        })
        .collect();
    let r = coverage(&small(), &facts, &CoverageOptions::default());
    let h2 = r.hazards.iter().find(|h| h.id == "H-002").unwrap();
    assert!(close(h2.violation_interval.unwrap().high, 0.5615), "{:?}", h2.violation_interval);
    // 0.5615 ≤ 0.9: covered (H-001 has no run: not covered).
    assert!(r.top_risk.short.iter().all(|s| s.id != "H-002"));
    // A stricter target (0.5) is not met by three runs.
    let mut strict = small();
    strict.set_evidence(gauntlet_taxonomy::EvidencePolicy {
        min_passing_runs: [1, 1, 1, 1, 2],
        max_violation_rate: 0.5,
    });
    let r = coverage(&strict, &facts, &CoverageOptions::default());
    let short = r.top_risk.short.iter().find(|s| s.id == "H-002").expect("H-002 not covered");
    assert_eq!(short.why, "upper bound 0.561 above 0.5");
}

#[test]
fn traceability() {
    let r = report();
    let statuses: Vec<(&str, TraceStatus, bool)> =
        r.traceability.iter().map(|t| (t.id.as_str(), t.status, t.complete)).collect();
    // SR-001: H-001 has 2 passing runs (J1 J3; D needs 2) but J2 failed → failing.
    // SR-002: H-002 has 1 passing run (J4; C needs 1), J7 errored (not evaluated) → complete.
    // SR-003: H-003 only errored (missing) and H-004's J6 failed → failing (the worst).
    assert_eq!(
        statuses,
        vec![
            ("SR-001", TraceStatus::Failing, false),
            ("SR-002", TraceStatus::Complete, true),
            ("SR-003", TraceStatus::Failing, false)
        ]
    );
    assert_eq!((r.completeness.covered, r.completeness.total), (1, 3));
    let h1 = &r.traceability[0].hazards[0];
    assert_eq!((h1.passing, h1.failing, h1.not_evaluated, h1.needed), (2, 1, 0, 2));
    let failing: Vec<(&str, u64, &str, f64)> = h1
        .failing_runs
        .iter()
        .map(|f| (f.scenario.as_str(), f.seed, f.criterion.as_str(), f.margin))
        .collect();
    assert_eq!(failing, vec![("follow-urban", 2, "no_collision", -0.5)]);
    let sr2 = &r.traceability[1].hazards[0];
    assert_eq!((sr2.passing, sr2.failing, sr2.not_evaluated, sr2.status), (1, 0, 1, TraceStatus::Complete));
    let sr3: Vec<(&str, TraceStatus)> =
        r.traceability[2].hazards.iter().map(|h| (h.id.as_str(), h.status)).collect();
    assert_eq!(sr3, vec![("H-003", TraceStatus::Missing), ("H-004", TraceStatus::Failing)]);

    // SR-001 → H-001 → follow-urban: 3 runs; latest is J3 (seed 3), passed, with its verdicts.
    let sr1 = &r.traceability[0];
    let s = &sr1.hazards[0].scenarios[0];
    assert_eq!(
        (s.scenario.as_str(), s.counts.runs, s.latest_seed, s.latest_outcome),
        ("follow-urban", 3, 3, JobOutcome::Pass)
    );
    let v: Vec<(&str, Option<bool>, Option<f64>)> =
        s.latest_verdicts.iter().map(|v| (v.criterion.as_str(), v.passed, v.margin)).collect();
    assert_eq!(v, vec![("no_collision", Some(true), Some(1.0)), ("min_ttc", Some(true), Some(0.3))]);

    // SR-003 → H-004 → scenarios by id: mystery (J6, failed), ped-cross (J4, J7; latest J7, errored,
    // so its checks were not judged).
    let sr3 = &r.traceability[2];
    assert_eq!(
        sr3.hazards.iter().map(|h| (h.id.as_str(), h.executed)).collect::<Vec<_>>(),
        vec![("H-003", false), ("H-004", true)]
    );
    let h4 = &sr3.hazards[1];
    let scenarios: Vec<(&str, u32, u64, JobOutcome)> = h4
        .scenarios
        .iter()
        .map(|s| (s.scenario.as_str(), s.counts.runs, s.latest_seed, s.latest_outcome))
        .collect();
    assert_eq!(scenarios, vec![("mystery", 1, 9, JobOutcome::Fail), ("ped-cross", 2, 2, JobOutcome::Error)]);
    assert_eq!(h4.scenarios[0].latest_verdicts[0].margin, Some(-0.7));
    assert_eq!(h4.scenarios[1].latest_verdicts[0].passed, None);
}

#[test]
fn gaps_ranked_by_risk() {
    let r = report();
    // The one unexercised hazard.
    let hazards: Vec<(&str, AsilClass, u32)> =
        r.gaps.hazards.iter().map(|g| (g.id.as_str(), g.rank.class, g.errored)).collect();
    assert_eq!(hazards, vec![("H-003", AsilClass::B, 1)]);

    // The 8 unexercised pairs and the hazards whose cells allow them:
    //   highway×vehicle   H-001 (actor=vehicle, road free), H-003 (road=highway, actor free) → D, 16+4
    //   highway×following H-001                                                          → D, 16
    //   merge×vehicle     H-003 (event=merge), H-004 (road free)                           → B, 4+1
    //   highway×merge     H-003                                                          → B, 4
    //   urban×merge       H-004                                                          → QM, 1
    //   following×pedestrian H-004                                                       → QM, 1
    //   crossing×vehicle  H-004                                                          → QM, 1
    //   highway×crossing  none                                                           → QM, 0
    // Equal ranks keep taxonomy order (road×event, road×actor, event×actor).
    let got: Vec<(String, RiskRank, Vec<String>)> = r
        .gaps
        .pairs
        .iter()
        .map(|g| (format!("{}×{}", g.a.value, g.b.value), g.rank, g.hazards.clone()))
        .collect();
    let rank = |class, weight| RiskRank { class, weight };
    let ids = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        vec![
            ("highway×vehicle".into(), rank(AsilClass::D, 20), ids(&["H-001", "H-003"])),
            ("highway×following".into(), rank(AsilClass::D, 16), ids(&["H-001"])),
            ("merge×vehicle".into(), rank(AsilClass::B, 5), ids(&["H-003", "H-004"])),
            ("highway×merge".into(), rank(AsilClass::B, 4), ids(&["H-003"])),
            ("urban×merge".into(), rank(AsilClass::QM, 1), ids(&["H-004"])),
            ("following×pedestrian".into(), rank(AsilClass::QM, 1), ids(&["H-004"])),
            ("crossing×vehicle".into(), rank(AsilClass::QM, 1), ids(&["H-004"])),
            ("highway×crossing".into(), rank(AsilClass::QM, 0), ids(&[])),
        ]
    );
}

#[test]
fn unknown_references_are_reported_not_counted() {
    let r = report();
    assert_eq!(
        r.unknown,
        vec![
            UnknownReference::Dimension { dimension: "weather".into(), runs: 1 },
            UnknownReference::Value { dimension: "actor".into(), value: "cyclist".into(), runs: 1 },
            UnknownReference::Hazard { hazard: "H-999".into(), runs: 1 },
        ]
    );
}

#[test]
fn no_jobs_means_nothing_covered() {
    let r = coverage(&small(), &[], &CoverageOptions::default());
    assert_eq!(r.jobs.runs, 0);
    assert_eq!((r.hazard_coverage.covered, r.risk_weighted.covered, r.completeness.covered), (0, 0, 0));
    assert_eq!(r.risk_weighted.ratio, Some(0.0));
    assert_eq!(r.gaps.hazards.len(), 4);
    assert_eq!(r.gaps.pairs.len(), 14);
    assert!(r.hazards.iter().all(|h| h.violation_rate.is_none()));
}

#[test]
fn order_of_facts_changes_only_the_latest_run() {
    let mut reversed = jobs();
    reversed.reverse();
    let a = report();
    let b = coverage(&small(), &reversed, &CoverageOptions::default());
    assert_eq!(a.values, b.values);
    assert_eq!(a.pairs, b.pairs);
    assert_eq!(a.gaps, b.gaps);
    assert_eq!(a.risk_weighted, b.risk_weighted);
    // Latest of follow-urban is now J1 (seed 1).
    assert_eq!(b.traceability[0].hazards[0].scenarios[0].latest_seed, 1);
}

#[test]
fn json_is_deterministic_and_complete() {
    let a = serde_json::to_string(&report()).unwrap();
    let b = serde_json::to_string(&report()).unwrap();
    assert_eq!(a, b);
    let value: serde_json::Value = serde_json::from_str(&a).unwrap();
    for key in [
        "jobs",
        "values",
        "value_coverage",
        "pairs",
        "pair_coverage",
        "dimension_pairs",
        "hazards",
        "hazard_coverage",
        "risk_weighted",
        "top_risk",
        "traceability",
        "completeness",
        "gaps",
        "unknown",
    ] {
        assert!(value.get(key).is_some(), "{key} missing");
    }
    assert_eq!(value["hazards"][0]["asil"], "D");
    assert_eq!(value["values"][0]["dimension"], "road");
    assert_eq!(value["unknown"][0]["kind"], "dimension");
}

#[test]
fn the_builder_one_job_at_a_time_equals_coverage_of_the_whole_list() {
    let taxonomy = small();
    let jobs = jobs();
    let mut builder = CoverageBuilder::new(&taxonomy);
    for job in &jobs {
        builder.add(job);
    }
    assert_eq!(builder.finish(&CoverageOptions::default()), report());
}
