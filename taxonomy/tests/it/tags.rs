//! Checking scenario tags, and ranking scenarios by risk, against the default taxonomy.

use std::collections::BTreeMap;

use gauntlet_ron_source::{FieldPath, SourceFile};
use gauntlet_taxonomy::{AsilClass, RiskRank, TagProblem, Taxonomy};

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(d, v)| (d.to_string(), v.to_string())).collect()
}

fn ids(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

fn taxonomy() -> Taxonomy {
    Taxonomy::builtin().unwrap()
}

#[test]
fn valid_tags_pass() {
    let t = taxonomy();
    let problems = t.check_tags(
        &tags(&[("road", "urban"), ("event", "crossing"), ("actor", "pedestrian"), ("speed", "medium")]),
        &ids(&["H-005", "H-016"]),
    );
    assert_eq!(problems, vec![]);
}

#[test]
fn unknown_names_get_suggestions() {
    let t = taxonomy();
    let problems = t.check_tags(
        &tags(&[("raod", "urban"), ("event", "cutin"), ("actor", "truck")]),
        &ids(&["H-01", "X", "H-404"]),
    );
    assert_eq!(
        problems,
        vec![
            TagProblem::UnknownValue { dimension: "actor".into(), value: "truck".into(), suggestion: None },
            TagProblem::UnknownValue {
                dimension: "event".into(),
                value: "cutin".into(),
                suggestion: Some("cut_in".into())
            },
            TagProblem::UnknownDimension { dimension: "raod".into(), suggestion: Some("road".into()) },
            TagProblem::UnknownHazard { index: 0, hazard: "H-01".into(), suggestion: Some("H-001".into()) },
            TagProblem::UnknownHazard { index: 1, hazard: "X".into(), suggestion: None },
            // Well-formed: a missing hazard, not a typo of H-004.
            TagProblem::UnknownHazard { index: 2, hazard: "H-404".into(), suggestion: None },
        ]
    );
    assert_eq!(
        problems[1].to_string(),
        "unknown value `cutin` for dimension `event` (did you mean `cut_in`?)"
    );
    assert_eq!(problems[2].to_string(), "unknown taxonomy dimension `raod` (did you mean `road`?)");
    assert!(problems.iter().all(|p| !p.is_warning()));
}

#[test]
fn excluded_combinations_duplicates_and_hazards_outside_their_cells() {
    let t = taxonomy();
    let problems =
        t.check_tags(&tags(&[("road", "yard"), ("speed", "high")]), &ids(&["H-015", "H-013", "H-013"]));
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(
        matches!(&problems[0], TagProblem::ExcludedCombination { dimensions, .. } if dimensions == &ids(&["road", "speed"]))
    );
    assert!(problems[0].to_string().contains("yards and parking lots are driven at walking pace"));
    // H-015 arises only at low speed in yards.
    assert_eq!(problems[1], TagProblem::HazardOutsideCells { index: 0, hazard: "H-015".into() });
    assert!(problems[1].is_warning());
    // H-013 (exceeding the speed limit) is retired: named, it is an error with its own message.
    assert_eq!(problems[2], TagProblem::RetiredHazard { index: 1, hazard: "H-013".into() });
    assert!(!problems[2].is_warning());
    assert!(problems[2].to_string().contains("hazard `H-013` is retired"), "{}", problems[2]);
    assert_eq!(problems[3], TagProblem::DuplicateHazard { index: 2, hazard: "H-013".into() });
}

#[test]
fn problems_point_into_the_scenario_file() {
    let t = taxonomy();
    let scenario = SourceFile::new(
        "scenarios/x.ron",
        "(\n    id: \"x\",\n    tags: {\"road\": \"urbn\"},\n    hazards: [\"H-005\", \"H-05\"],\n)\n",
    );
    let tag_path = FieldPath::root().field("tags");
    let hazard_path = FieldPath::root().field("hazards");
    let problems = t.check_tags(&tags(&[("road", "urbn")]), &ids(&["H-005", "H-05"]));
    let rendered: Vec<String> = problems
        .iter()
        .map(|p| scenario.error_at(p.path(&tag_path, &hazard_path), p.to_string()).to_string())
        .collect();
    assert_eq!(
        rendered,
        vec![
            "scenarios/x.ron:3:20: at `tags.road`: unknown value `urbn` for dimension `road` (did you mean `urban`?)",
            "scenarios/x.ron:4:24: at `hazards[1]`: unknown hazard `H-05` (did you mean `H-005`?)",
        ]
    );
}

#[test]
fn scenario_risk_orders_worst_first() {
    let t = taxonomy();
    // H-001 is D (16), H-002 C (8), H-019 B (4), H-015 QM (1).
    let d = t.scenario_risk(&["H-001"]);
    let d_and_c = t.scenario_risk(&["H-002", "H-001"]);
    let c = t.scenario_risk(&["H-002"]);
    let b = t.scenario_risk(&["H-019"]);
    let none = t.scenario_risk::<&str>(&[]);
    assert_eq!(d, RiskRank { class: AsilClass::D, weight: 16 });
    assert_eq!(d_and_c, RiskRank { class: AsilClass::D, weight: 24 });
    assert_eq!(none, RiskRank { class: AsilClass::QM, weight: 0 });
    // Repeats and unknown ids do not count.
    assert_eq!(t.scenario_risk(&["H-002", "H-002", "H-404"]), c);
    let mut ranks = [b, none, d, c, d_and_c, t.scenario_risk(&["H-015"])];
    ranks.sort_by(|x, y| y.cmp(x));
    assert_eq!(
        ranks.iter().map(|r| (r.class, r.weight)).collect::<Vec<_>>(),
        vec![
            (AsilClass::D, 24),
            (AsilClass::D, 16),
            (AsilClass::C, 8),
            (AsilClass::B, 4),
            (AsilClass::QM, 1),
            (AsilClass::QM, 0),
        ]
    );
    // Several C hazards never outrank one D.
    assert!(t.scenario_risk(&["H-002", "H-005", "H-007", "H-010"]) < d);
}
