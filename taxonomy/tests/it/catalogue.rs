//! Catalogue files: validation with positions, and coverage weighted by frequency.

use std::collections::{BTreeMap, BTreeSet};

use gauntlet_taxonomy::{
    Catalogue, CriterionFact, EntryStatus, JobFacts, JobOutcome, Mapping, catalogue_coverage,
    render_catalogue_markdown, render_catalogue_text,
};

use crate::fixture;

fn known() -> BTreeSet<String> {
    ["lead", "stopped", "cut_in", "crossing"].map(str::to_owned).into()
}

fn load(name: &str) -> Result<Catalogue, gauntlet_taxonomy::Diagnostic> {
    Catalogue::load(&fixture(&format!("catalogue/{name}.ron")), Some(&known()))
}

#[test]
fn the_valid_catalogue_loads_with_one_mapping_of_each_kind() {
    let c = load("valid").unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(c.id, "small");
    assert_eq!(c.entries.len(), 5);
    assert!(
        matches!(&c.entry("B").unwrap().mapping, Mapping::Partial { note, .. } if note == "no small gaps")
    );
    assert!(matches!(&c.entry("E").unwrap().mapping, Mapping::OutOfScope { .. }));
    assert_eq!(c.entry("A").unwrap().mapping.scenarios(), ["lead", "stopped"]);
}

#[test]
fn invalid_catalogues_are_refused_where_they_are_wrong() {
    // (file, line, field path, message fragment)
    let corpus: [(&str, usize, &str, &str); 6] = [
        ("duplicate_entry", 10, "entries[2].id", "duplicate entry `A` (first defined at line 8)"),
        (
            "unknown_scenario",
            9,
            "entries[1].covered_by[0]",
            "unknown scenario `cut_inn` (did you mean `cut_in`?)",
        ),
        (
            "two_mappings",
            11,
            "entries[3].id",
            "exactly one of `covered_by`, `not_covered` and `out_of_scope` (found not_covered and out_of_scope)",
        ),
        ("partial_without_cover", 11, "entries[3].partial", "`partial` qualifies `covered_by`"),
        ("missing_frequency", 10, "entries[2].id", "entry `C` has no frequency"),
        ("frequency_without_unit", 7, "entries[0].frequency", "declares no `frequency_unit`"),
    ];
    let mut failures = Vec::new();
    for (name, line, path, fragment) in corpus {
        match load(name) {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(d) => {
                let got_path = d.path.as_ref().map(ToString::to_string).unwrap_or_default();
                let got_line = d.position.map(|p| p.line);
                if got_line != Some(line) || got_path != path || !d.message.contains(fragment) {
                    failures.push(format!("{name}: got line {got_line:?}, path `{got_path}`: {}", d.message));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn without_a_library_scenario_ids_are_not_checked() {
    let c = Catalogue::load(&fixture("catalogue/unknown_scenario.ron"), None).expect("loads");
    assert_eq!(c.entry("B").unwrap().mapping.scenarios(), ["cut_inn"]);
}

fn job(scenario: &str, outcome: JobOutcome, checked: bool) -> JobFacts {
    JobFacts {
        scenario: scenario.into(),
        seed: 1,
        tags: BTreeMap::new(),
        hazards: vec![],
        outcome,
        verdicts: if checked {
            vec![CriterionFact {
                criterion: "no_collision".into(),
                passed: outcome == JobOutcome::Pass,
                margin: 1.0,
                unit: "m".into(),
                scale: 1.0,
                requirements: vec![],
            }]
        } else {
            vec![]
        },
    }
}

#[test]
fn coverage_needs_passing_checked_runs_and_is_weighted_by_frequency() {
    let c = load("valid").unwrap();
    // A: both scenarios pass → covered (50). B: partial mapping, passes → partial (20).
    // C: a failing run → failing (10). D, E as mapped.
    let facts = vec![
        job("lead", JobOutcome::Pass, true),
        job("stopped", JobOutcome::Pass, true),
        job("cut_in", JobOutcome::Pass, true),
        job("crossing", JobOutcome::Pass, true),
        job("crossing", JobOutcome::Fail, true),
        job("unrelated", JobOutcome::Pass, true),
    ];
    let r = catalogue_coverage(&c, &facts);
    let status: Vec<EntryStatus> = r.entries.iter().map(|e| e.status).collect();
    use EntryStatus::*;
    assert_eq!(status, [Covered, Partial, Failing, NotCovered, OutOfScope]);
    assert_eq!(r.total_frequency, 100.0);
    assert_eq!(r.covered_share, Some(0.5));
    assert_eq!(r.covered_or_partial_share, Some(0.7));
    assert_eq!(r.by_status["failing"].entries, 1);
    assert_eq!(r.entries[2].scenarios[0].failed, 1);

    // Only one of A's two scenarios passing makes it partial; unchecked runs (no verdict) and
    // errors are no evidence.
    let facts = vec![
        job("lead", JobOutcome::Pass, true),
        job("stopped", JobOutcome::Pass, false),
        job("cut_in", JobOutcome::Error, true),
    ];
    let r = catalogue_coverage(&c, &facts);
    assert_eq!(r.entries[0].status, Partial);
    assert_eq!(r.entries[1].status, NoRuns);
    assert_eq!(r.covered_share, Some(0.0));
    assert_eq!(r.covered_or_partial_share, Some(0.5));

    let text = render_catalogue_text(&r);
    assert!(
        text.contains("5 entries: 0 covered, 1 partial, 0 failing, 2 no_runs, 1 not_covered, 1 out_of_scope"),
        "{text}"
    );
    assert!(text.contains("covered or partial 50.0 %"), "{text}");
    let md = render_catalogue_markdown(&r);
    assert!(md.contains("| A | Rear-end | 50 | partial | `lead` (1/0), `stopped` (0/0) |"), "{md}");
}
