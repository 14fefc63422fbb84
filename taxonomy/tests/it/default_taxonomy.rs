//! The shipped `taxonomy/default.ron`.

use std::path::Path;

use gauntlet_taxonomy::{AsilClass, CRITERIA, DEFAULT_TAXONOMY, Taxonomy};

fn default() -> Taxonomy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("default.ron");
    Taxonomy::load(&path).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn loads_and_validates() {
    let taxonomy = default();
    assert!(taxonomy.hazards().len() >= 14);
    assert!(taxonomy.requirements().len() >= 12);
    assert_eq!(Taxonomy::builtin().unwrap(), taxonomy);
    assert_eq!(
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("default.ron")).unwrap(),
        DEFAULT_TAXONOMY
    );
}

#[test]
fn has_exactly_the_agreed_dimensions_and_values() {
    let taxonomy = default();
    let ids: Vec<(&str, Vec<&str>)> = taxonomy
        .dimensions()
        .iter()
        .map(|d| (d.id.as_str(), d.values.iter().map(|v| v.id.as_str()).collect()))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("road", vec!["highway", "rural", "urban", "intersection", "crosswalk", "yard"]),
            (
                "event",
                vec![
                    "following",
                    "lead_braking",
                    "cut_in",
                    "cut_out",
                    "stopped_obstacle",
                    "crossing",
                    "merge",
                    "curve",
                    "oncoming",
                    "signal",
                    "backing",
                    "drifting",
                    "turning"
                ]
            ),
            ("actor", vec!["vehicle", "pedestrian", "cyclist", "static", "motorcycle", "animal"]),
            ("friction", vec!["dry", "wet", "icy"]),
            (
                "perception",
                vec![
                    "nominal",
                    "noisy",
                    "dropout",
                    "latency",
                    "occluded",
                    "burst_dropout",
                    "ghosts",
                    "misclassified",
                    "id_switch",
                ],
            ),
            ("speed", vec!["low", "medium", "high"]),
            ("traffic_density", vec!["free", "light", "dense", "jam"]),
            ("junction_type", vec!["none", "t_junction", "crossroads", "roundabout"]),
            ("lane_type", vec!["driving", "shoulder", "bus", "parking", "ramp"]),
            ("illumination", vec!["day", "night", "low_sun"]),
            ("weather", vec!["clear", "rain", "fog", "spray"]),
            ("road_works", vec!["none", "lane_shift"]),
            ("surface", vec!["uniform", "low_friction_patch"]),
            ("vehicle_fault", vec!["none", "brake_fade", "tyre_blowout", "steering_limit"]),
        ]
    );
}

#[test]
fn ids_are_sequential_and_every_hazard_is_mitigated() {
    let taxonomy = default();
    // Ids run in sequence; the only gaps are retired ids (kept, never reused).
    let in_sequence = |prefix: &str, ids: Vec<&str>| {
        let mut next = 1;
        for id in ids {
            while taxonomy.retired().iter().any(|r| *r == format!("{prefix}-{next:03}")) {
                next += 1;
            }
            assert_eq!(id, format!("{prefix}-{next:03}"));
            next += 1;
        }
    };
    in_sequence("H", taxonomy.hazards().iter().map(|h| h.id.as_str()).collect());
    in_sequence("SR", taxonomy.requirements().iter().map(|r| r.id.as_str()).collect());
    in_sequence("TC", taxonomy.triggering_conditions().iter().map(|t| t.id.as_str()).collect());
    for h in taxonomy.hazards() {
        assert!(taxonomy.requirements_for(&h.id).next().is_some(), "{} has no requirement", h.id);
    }
    // Every criterion is used as evidence by some requirement: as a check, or
    // (for a bound that holds only outside emergencies, SR-011) through a
    // formula over the signal it judges.
    let judged_in_formula = |c: &str, r: &gauntlet_taxonomy::Requirement| {
        let signal = match c {
            "max_decel" => "decel",
            "max_jerk" => "jerk",
            _ => return false,
        };
        r.checks
            .iter()
            .any(|k| matches!(k, gauntlet_taxonomy::Check::Formula { stl, .. } if stl.contains(signal)))
    };
    for c in CRITERIA {
        let used =
            taxonomy.requirements().iter().any(|r| r.criteria().any(|x| x == c) || judged_in_formula(c, r));
        assert!(used, "{c} unused");
    }
}

#[test]
fn requirement_texts_state_the_thresholds_their_checks_judge() {
    let taxonomy = default();
    for r in taxonomy.requirements() {
        for check in &r.checks {
            if let Some(x) = check.threshold().filter(|x| *x > 0.0) {
                assert!(
                    r.text.contains(&format!("{x} ")),
                    "{}: the text does not state {check}: {}",
                    r.id,
                    r.text
                );
            }
        }
    }
}

#[test]
fn spans_the_risk_classes() {
    let taxonomy = default();
    let classes: std::collections::BTreeSet<AsilClass> = taxonomy.hazards().iter().map(|h| h.asil).collect();
    // Since the revision (issue 17) no hazard rates ASIL A: the two that did were a stationary
    // obstacle rated S2/C2 (now S3/C3, C) and speeding (now a requirement).
    assert_eq!(
        classes.into_iter().collect::<Vec<_>>(),
        [AsilClass::QM, AsilClass::B, AsilClass::C, AsilClass::D]
    );
    assert_eq!(taxonomy.hazard("H-001").map(|h| h.asil), Some(AsilClass::D));
}

#[test]
fn exclusions_remove_pairs() {
    let taxonomy = default();
    assert!(!taxonomy.is_feasible_pair(("road", "crosswalk"), ("event", "curve")));
    assert!(!taxonomy.is_feasible_pair(("road", "yard"), ("speed", "high")));
    assert!(!taxonomy.is_feasible_pair(("event", "cut_in"), ("actor", "pedestrian")));
    assert!(taxonomy.is_feasible_pair(("road", "yard"), ("speed", "low")));
    assert!(!taxonomy.is_feasible_pair(("road", "yard"), ("road", "urban")));
    // 68 values in 14 dimensions (road 6, event 13, actor 6, friction 3,
    // perception 9, speed 3, traffic_density 4, junction_type 4, lane_type 5,
    // illumination 3, weather 4, road_works 2, surface 2, vehicle_fault 4):
    // (68² − 446) / 2 = 2089 pairs
    // of values of different dimensions, minus the excluded ones:
    // crosswalk×{curve, merge} 2, crosswalk×high 1, yard×{medium, high} 2,
    // {cut_in, cut_out, merge}×{pedestrian, static} 6, crossing×static 1,
    // oncoming×{pedestrian, static} 2, oncoming×highway 1, signal×{five roads} 5,
    // highway×{t_junction, crossroads, roundabout} 3, intersection×none 1,
    // yard×{shoulder, bus, ramp} 3, {backing, drifting}×{pedestrian, cyclist,
    // static, animal} 8, backing×{highway, crosswalk} 2, animal×{eight events} 8,
    // animal×{intersection, crosswalk, yard} 3, turning×{highway, crosswalk} 2,
    // turning×{pedestrian, static, animal} 3: 53 in all.
    assert_eq!(taxonomy.feasible_pairs().len(), 2089 - 53);
}

#[test]
fn every_rating_has_its_own_written_reason() {
    let taxonomy = default();
    for h in taxonomy.hazards() {
        let r = &h.rationale_by_rating;
        for (rating, reason) in
            [("severity", &r.severity), ("exposure", &r.exposure), ("controllability", &r.controllability)]
        {
            assert!(
                reason.split_whitespace().count() >= 8,
                "{} gives a thin {rating} reason: {reason}",
                h.id
            );
        }
        assert!(r.severity != r.exposure && r.exposure != r.controllability, "{}: one reason for all", h.id);
        assert_eq!(h.rationale, r.joined());
    }
}

#[test]
fn exposure_is_rated_on_the_situation_and_the_revised_ratings_hold() {
    let taxonomy = default();
    let rating = |id: &str| {
        let h = taxonomy.hazard(id).unwrap_or_else(|| panic!("{id}"));
        (format!("{:?}{:?}{:?}", h.severity, h.exposure, h.controllability), h.asil)
    };
    // A stationary obstacle is hit as hard as the one a cut-out reveals.
    assert_eq!(rating("H-004"), rating("H-003"));
    assert_eq!(rating("H-004"), ("S3E3C3".to_owned(), AsilClass::C));
    // Occluded pedestrians and a stall in a live lane: the situation is common.
    assert_eq!(rating("H-006"), ("S3E3C3".to_owned(), AsilClass::C));
    assert_eq!(rating("H-016"), ("S3E4C2".to_owned(), AsilClass::C));
    // Wet and icy roads are rated apart.
    assert_eq!(rating("H-009"), ("S3E3C3".to_owned(), AsilClass::C));
    assert_eq!(rating("H-019"), ("S3E2C3".to_owned(), AsilClass::B));
    assert!(
        taxonomy
            .hazard("H-009")
            .unwrap()
            .cells
            .iter()
            .all(|c| c.allows("friction", "wet") && !c.allows("friction", "icy"))
    );
    assert!(
        taxonomy
            .hazard("H-019")
            .unwrap()
            .cells
            .iter()
            .all(|c| c.allows("friction", "icy") && !c.allows("friction", "wet"))
    );
    // No exposure reason argues from how rare a fault is.
    for h in taxonomy.hazards() {
        let e = h.rationale_by_rating.exposure.to_lowercase();
        assert!(e.contains('%'), "{}: exposure not stated as a share of operating time: {e}", h.id);
    }
}

#[test]
fn retired_ids_are_neither_reused_nor_referenced() {
    let taxonomy = default();
    for id in ["H-013", "H-014", "SR-013"] {
        assert!(taxonomy.retired().iter().any(|r| r == id), "{id} not retired");
    }
    for r in taxonomy.retired() {
        assert!(taxonomy.hazard(r).is_none() && taxonomy.requirement(r).is_none(), "{r} reused");
        assert!(taxonomy.triggering_condition(r).is_none(), "{r} reused");
        for q in taxonomy.requirements() {
            assert!(!q.hazards.contains(r), "{} references retired {r}", q.id);
        }
        for t in taxonomy.triggering_conditions() {
            assert!(!t.hazards.contains(r), "{} references retired {r}", t.id);
        }
    }
}

#[test]
fn speeding_is_a_requirement_on_the_hazards_speed_makes_worse() {
    let taxonomy = default();
    let sr012 = taxonomy.requirement("SR-012").expect("SR-012 kept");
    assert!(
        matches!(sr012.checks[..], [gauntlet_taxonomy::Check::SpeedLimit { tolerance }] if tolerance == 0.0)
    );
    for h in ["H-001", "H-003", "H-004", "H-005", "H-006", "H-007", "H-010", "H-017", "H-019"] {
        assert!(sr012.hazards.iter().any(|x| x == h), "SR-012 does not state {h}");
    }
    assert!(taxonomy.hazards().iter().all(|h| !h.title.to_lowercase().contains("speed limit")));
}

#[test]
fn causes_are_triggering_conditions_not_hazards() {
    let taxonomy = default();
    // Every degraded perception value and every low-friction value expresses a condition.
    let perception = taxonomy.dimension("perception").unwrap();
    for v in perception.values.iter().filter(|v| v.id != "nominal") {
        let tags = std::collections::BTreeMap::from([("perception".to_owned(), v.id.clone())]);
        assert!(
            taxonomy.triggering_conditions().iter().any(|t| t.expressed_in(&tags)),
            "perception `{}` expresses no triggering condition",
            v.id
        );
    }
    for f in ["wet", "icy"] {
        let tags = std::collections::BTreeMap::from([("friction".to_owned(), f.to_owned())]);
        assert!(taxonomy.triggering_conditions().iter().any(|t| t.expressed_in(&tags)), "{f}");
    }
    // So does every friction patch and every vehicle fault (causes of control loss).
    for (dim, default) in [("surface", "uniform"), ("vehicle_fault", "none")] {
        for v in taxonomy.dimension(dim).unwrap().values.iter().filter(|v| v.id != default) {
            let tags = std::collections::BTreeMap::from([(dim.to_owned(), v.id.clone())]);
            assert!(
                taxonomy.triggering_conditions().iter().any(|t| t.expressed_in(&tags)),
                "{dim} `{}` expresses no triggering condition",
                v.id
            );
        }
    }
    // No hazard is a perception fault: none constrains perception to faults alone but H-006,
    // whose event (a pedestrian emerging) is vehicle-level and whose cause is TC-006.
    for h in taxonomy.hazards().iter().filter(|h| h.id != "H-006") {
        assert!(h.cells.iter().all(|c| c.allows("perception", "nominal")), "{} is a perception fault", h.id);
    }
    let dropout = taxonomy.triggering_condition("TC-001").unwrap();
    assert!(dropout.hazards.iter().any(|h| h == "H-001") && dropout.note.contains("H-014"));
}

#[test]
fn coverage_counts_the_runs_under_each_triggering_condition() {
    use std::collections::BTreeMap;

    use gauntlet_taxonomy::{CoverageOptions, JobFacts, JobOutcome, coverage, render_markdown, render_text};
    let taxonomy = default();
    let fact = |perception: &str, outcome| JobFacts {
        scenario: format!("lead_braking.{perception}"),
        seed: 0,
        tags: BTreeMap::from([
            ("road".to_owned(), "highway".to_owned()),
            ("event".to_owned(), "lead_braking".to_owned()),
            ("perception".to_owned(), perception.to_owned()),
        ]),
        hazards: vec!["H-001".into()],
        outcome,
        verdicts: vec![],
    };
    let facts = vec![
        fact("dropout", JobOutcome::Pass),
        fact("burst_dropout", JobOutcome::Fail),
        fact("nominal", JobOutcome::Pass),
    ];
    let report = coverage(&taxonomy, &facts, &CoverageOptions::default());
    let tc1 = report.triggering_conditions.iter().find(|t| t.id == "TC-001").expect("TC-001");
    assert_eq!((tc1.runs.runs, tc1.runs.passed, tc1.runs.failed), (2, 1, 1));
    assert_eq!(tc1.hazards.iter().find(|h| h.hazard == "H-001").map(|h| h.runs.runs), Some(2));
    assert_eq!(tc1.hazards.iter().find(|h| h.hazard == "H-002").map(|h| h.runs.runs), Some(0));
    let tc2 = report.triggering_conditions.iter().find(|t| t.id == "TC-002").expect("TC-002");
    assert_eq!(tc2.runs.runs, 0);
    let text = render_text(&report);
    assert!(text.contains("TC-001 Perception dropout"), "{text}");
    assert!(text.contains("2 runs: 1 passed, 1 failed, 0 errored; H-001 2 runs, H-002 none"), "{text}");
    assert!(render_markdown(&report).contains("### Triggering conditions"));
}
