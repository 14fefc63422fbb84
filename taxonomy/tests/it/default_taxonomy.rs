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
                    "drifting"
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
            ("illumination", vec!["day", "night", "low_sun"]),
            ("weather", vec!["clear", "rain", "fog", "spray"]),
            ("road_works", vec!["none", "lane_shift"]),
        ]
    );
}

#[test]
fn ids_are_sequential_and_every_hazard_is_mitigated() {
    let taxonomy = default();
    for (i, h) in taxonomy.hazards().iter().enumerate() {
        assert_eq!(h.id, format!("H-{:03}", i + 1));
        assert!(taxonomy.requirements_for(&h.id).next().is_some(), "{} has no requirement", h.id);
    }
    for (i, r) in taxonomy.requirements().iter().enumerate() {
        assert_eq!(r.id, format!("SR-{:03}", i + 1));
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
    assert_eq!(classes.into_iter().collect::<Vec<_>>(), AsilClass::ALL.to_vec());
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
    // 980 pairs of values of different dimensions (dimensions of 6, 12, 6, 3,
    // 9, 3, 3, 4 and 2 values: (48² − 344) / 2), minus the excluded ones:
    // crosswalk×{curve, merge} 2, crosswalk×high 1, yard×{medium, high} 2,
    // {cut_in, cut_out, merge}×{pedestrian, static} 6, crossing×static 1,
    // oncoming×{pedestrian, static} 2, oncoming×highway 1, signal×{five roads} 5,
    // {backing, drifting}×{pedestrian, cyclist, static, animal} 8,
    // backing×{highway, crosswalk} 2, animal×{eight events} 8,
    // animal×{intersection, crosswalk, yard} 3.
    assert_eq!(taxonomy.feasible_pairs().len(), 980 - 41);
}
