//! The invalid-taxonomy corpus: each file in tests/fixtures/invalid/ has one problem, reported
//! with its line and a message fragment.

use gauntlet_taxonomy::Taxonomy;

use crate::fixture;

/// (file, expected line, expected field path, expected message fragment).
const CORPUS: &[(&str, Option<usize>, &str, &str)] = &[
    (
        "unknown_dimension_in_cell",
        Some(30),
        "hazards[1].cells[0].raod",
        "unknown dimension `raod` (did you mean `road`?)",
    ),
    (
        "unknown_value_in_cell",
        Some(22),
        "hazards[0].cells[0].event[0]",
        "unknown value `folowing` of dimension `event` (did you mean `following`?); expected one of `following`, `crossing`",
    ),
    // A well-formed id is a missing hazard, not a typo: no suggestion.
    (
        "unknown_hazard_in_requirement",
        Some(35),
        "requirements[1].hazards[0]",
        "unknown hazard `H-003`; expected one of `H-001`, `H-002`",
    ),
    (
        "duplicate_hazard_id",
        Some(25),
        "hazards[1].id",
        "duplicate hazard id `H-001` (first defined at line 17)",
    ),
    (
        "duplicate_requirement_id",
        Some(35),
        "requirements[1].id",
        "duplicate requirement id `SR-001` (first defined at line 34)",
    ),
    (
        "duplicate_value",
        Some(9),
        "dimensions[1].values[1].id",
        "duplicate value `following` in dimension `event` (first defined at line 8)",
    ),
    (
        "bad_severity",
        Some(27),
        "hazards[1].severity",
        "unknown variant `S4`, expected one of `S0`, `S1`, `S2`, `S3`",
    ),
    ("bad_hazard_id", Some(25), "hazards[1].id", "hazard id `H2` must look like `H-001`"),
    ("syntax_error", Some(19), "hazards[0]", "expected comma"),
    (
        "unknown_field",
        Some(21),
        "hazards[0].controlability",
        "unknown field `controlability` (did you mean `controllability`?)",
    ),
    ("missing_field", Some(30), "hazards[1]", "missing field `title`"),
    (
        "unknown_criterion",
        Some(35),
        "requirements[1].checks[1]",
        "unknown variant `MinGapp` (did you mean `MinGap`?)",
    ),
    // Requirements from before checks had thresholds get a hint, not a bare "unknown field".
    (
        "bare_criteria",
        Some(35),
        "requirements[1].criteria",
        "requirements now state checks with their thresholds, e.g. `checks: [NoCollision, MinTtc(min: 2.0)]`",
    ),
    (
        "negative_threshold",
        Some(35),
        "requirements[1].checks[1]",
        "the threshold of `MinGap(min: -2.0)` must be a finite number ≥ 0",
    ),
    ("check_twice", Some(35), "requirements[1].checks[2]", "criterion `min_gap` is checked twice"),
    (
        "cell_inside_exclusion",
        Some(30),
        "hazards[1].cells[0]",
        "lies wholly inside an exclusion (no crossings on highways)",
    ),
    ("retired_id_reused", Some(25), "hazards[1].id", "hazard id `H-002` is retired and must not be reused"),
    (
        "single_dimension_exclusion",
        Some(13),
        "exclusions[0].when",
        "an exclusion must constrain at least two dimensions",
    ),
    (
        "unknown_dimension_in_exclusion",
        Some(13),
        "exclusions[0].when.evnt",
        "unknown dimension `evnt` (did you mean `event`?)",
    ),
    (
        "rationale_missing_reason",
        Some(29),
        "hazards[1].rationale.exposure",
        "hazard `H-002` gives no reason for its exposure rating",
    ),
    ("rationale_as_text", Some(29), "hazards[1].rationale", "expected opening `(` for struct `Rationale`"),
    ("missing_rationale", Some(31), "hazards[1]", "missing field `rationale`"),
    (
        "retired_hazard_referenced",
        Some(35),
        "requirements[1].hazards[0]",
        "hazard `H-003` is retired and can no longer be referenced",
    ),
    (
        "triggering_condition_unknown_hazard",
        Some(38),
        "triggering_conditions[0].hazards[0]",
        "unknown hazard `H-009`; expected one of `H-001`, `H-002`",
    ),
    (
        "triggering_condition_cannot_arise",
        Some(38),
        "triggering_conditions[0].hazards[0]",
        "hazard `H-002` cannot arise under this condition",
    ),
    (
        "triggering_condition_everywhere",
        Some(38),
        "triggering_conditions[0].expressed_by[0]",
        "a condition expressed everywhere",
    ),
    (
        "duplicate_triggering_condition",
        Some(39),
        "triggering_conditions[1].id",
        "duplicate triggering-condition id `TC-001` (first defined at line 38)",
    ),
    (
        "bad_triggering_condition_id",
        Some(38),
        "triggering_conditions[0].id",
        "triggering-condition id `TC1` must look like `TC-001`",
    ),
    ("dangling_bracket", Some(36), "", "unexpected end of file"),
    ("empty", None, "", "the file is empty"),
    ("only_comments", None, "", "the file is empty (it holds only comments)"),
];

#[test]
fn every_invalid_file_is_rejected_where_it_is_wrong() {
    let mut failures = Vec::new();
    for &(name, line, path, fragment) in CORPUS {
        let file = fixture(&format!("invalid/{name}.ron"));
        let diagnostic = match Taxonomy::load(&file) {
            Ok(_) => {
                failures.push(format!("{name}: accepted"));
                continue;
            }
            Err(d) => d,
        };
        let got_path =
            diagnostic.path.as_ref().filter(|p| !p.is_root()).map(ToString::to_string).unwrap_or_default();
        let got_line = diagnostic.position.map(|p| p.line);
        if got_line != line || got_path != path || !diagnostic.message.contains(fragment) {
            failures
                .push(format!("{name}: got line {got_line:?}, path `{got_path}`: {}", diagnostic.message));
        }
        assert_eq!(diagnostic.file, file);
        assert!(diagnostic.to_string().starts_with(&file.display().to_string()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_corpus_covers_every_file_in_the_folder() {
    let mut names: Vec<String> = std::fs::read_dir(fixture("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".ron").to_owned())
        .collect();
    names.sort();
    let mut listed: Vec<&str> = CORPUS.iter().map(|c| c.0).collect();
    listed.sort();
    assert_eq!(names, listed);
}

#[test]
fn the_base_of_the_corpus_is_valid() {
    // Every invalid file is this file with one change, so each error is the one intended.
    Taxonomy::load(&fixture("valid_base.ron")).unwrap_or_else(|d| panic!("{d}"));
}

#[test]
fn a_missing_file_names_the_os_reason() {
    let d = Taxonomy::load(&fixture("no_such_file.ron")).unwrap_err();
    assert!(d.message.starts_with("failed to read the file"), "{d}");
}

#[test]
fn the_dangling_bracket_is_named() {
    let d = Taxonomy::load(&fixture("invalid/dangling_bracket.ron")).unwrap_err();
    assert!(d.message.ends_with("the `(` opened at 1:9 is never closed"), "{d}");
}
