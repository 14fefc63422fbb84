//! The shipped library against the default taxonomy: valid tags, every
//! hazard of class B or above backed by at least two scenarios, and pairwise
//! coverage of (road, event, actor, friction) of at least 80 % of the
//! feasible pairs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use gauntlet_runners::commands::validate::validate;
use gauntlet_runners::plan::Library;
use gauntlet_taxonomy::{AsilClass, Taxonomy};

fn library() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library")
}

#[test]
fn library_tags_and_hazards_are_valid_against_the_default_taxonomy() {
    let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
    let report = validate(&[library()], Some(&taxonomy)).expect("library readable");
    assert!(report.problems.is_empty(), "{}", report.problems.join("\n"));
    assert!(report.valid.len() >= 40, "at least 40 scenario files, found {}", report.valid.len());
}

#[test]
fn library_covers_the_risky_hazards_and_most_feasible_pairs() {
    let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
    let lib = Library::load(&[library()]).expect("library loads");

    let mut per_hazard: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &lib.scenarios {
        for h in s.hazards() {
            *per_hazard.entry(h.as_str()).or_default() += 1;
        }
    }
    for hazard in taxonomy.hazards().iter().filter(|h| h.asil >= AsilClass::B) {
        let n = per_hazard.get(hazard.id.as_str()).copied().unwrap_or(0);
        assert!(n >= 2, "{} (ASIL {:?}) has {n} scenario(s); needs at least 2", hazard.id, hazard.asil);
    }

    let dims = ["road", "event", "actor", "friction"];
    let mut feasible = BTreeSet::new();
    for (i, a) in dims.iter().enumerate() {
        for b in &dims[i + 1..] {
            let (Some(da), Some(db)) = (taxonomy.dimension(a), taxonomy.dimension(b)) else {
                panic!("the default taxonomy has dimensions {a} and {b}");
            };
            for va in &da.values {
                for vb in &db.values {
                    if taxonomy.is_feasible_pair((a, &va.id), (b, &vb.id)) {
                        feasible.insert((*a, va.id.clone(), *b, vb.id.clone()));
                    }
                }
            }
        }
    }
    let mut covered = BTreeSet::new();
    for s in &lib.scenarios {
        let tags = s.tags();
        for (i, a) in dims.iter().enumerate() {
            for b in &dims[i + 1..] {
                if let (Some(va), Some(vb)) = (tags.get(*a), tags.get(*b)) {
                    let pair = (*a, va.clone(), *b, vb.clone());
                    if feasible.contains(&pair) {
                        covered.insert(pair);
                    }
                }
            }
        }
    }
    let share = covered.len() as f64 / feasible.len() as f64;
    println!(
        "pairwise (road, event, actor, friction): {} of {} feasible pairs ({:.1} %)",
        covered.len(),
        feasible.len(),
        share * 100.0
    );
    assert!(share >= 0.8, "pairwise coverage {:.1} % < 80 %", share * 100.0);
}

/// Every hazard a shipped scenario (library and challenge set) names can arise under its tags:
/// no scenario claims evidence for a hazard outside the hazard's cells, and none names a
/// retired hazard (`check_tags` reports both, the first as a warning).
#[test]
fn no_shipped_scenario_names_a_hazard_outside_its_cells() {
    let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
    let challenge = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/challenge");
    let lib = Library::load(&[library(), challenge]).expect("library loads");
    let mut problems = Vec::new();
    for s in &lib.scenarios {
        for p in taxonomy.check_tags(s.tags(), s.hazards()) {
            problems.push(format!("{}: {p}", s.id()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Junction and crosswalk scenarios earn credit for the rear-end, cut-in, cut-out and
/// stationary-obstacle hazards they exercise.
#[test]
fn junction_and_crosswalk_scenarios_count_for_the_hazards_they_exercise() {
    let taxonomy = Taxonomy::builtin().expect("built-in taxonomy");
    let lib = Library::load(&[library()]).expect("library loads");
    for (scenario, hazard) in [
        ("intersection.following", "H-001"),
        ("intersection.lead_braking_icy", "H-001"),
        ("crosswalk.lead_braking", "H-001"),
        ("intersection.cut_in", "H-002"),
        ("intersection.cut_out_turning_queue", "H-003"),
        ("crosswalk.cut_out_yielding_car", "H-003"),
        ("intersection.lost_load", "H-004"),
    ] {
        let s = lib.scenarios.iter().find(|s| s.id() == scenario).unwrap_or_else(|| panic!("{scenario}"));
        assert!(s.hazards().iter().any(|h| h == hazard), "{scenario} does not name {hazard}");
        let h = taxonomy.hazard(hazard).expect("known hazard");
        assert!(h.can_arise_in(s.tags()), "{hazard} cannot arise in {scenario}'s cells");
    }
}
