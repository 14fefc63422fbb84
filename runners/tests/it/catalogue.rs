//! The shipped catalogues (`scenarios/catalogues/`) against the library, and
//! `gauntlet coverage --catalogue` on bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use gauntlet_runners::commands::catalogue::{BUILTIN_CATALOGUES, library_ids, load_catalogue};
use gauntlet_taxonomy::Mapping;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn shipped_catalogues_validate_against_the_library_and_map_every_entry() {
    let ids = library_ids(&root().join("scenarios/library")).expect("library loads");
    for (stem, _) in BUILTIN_CATALOGUES {
        let path = root().join("scenarios/catalogues").join(format!("{stem}.ron"));
        let c = load_catalogue(path.to_str().unwrap(), Some(&ids)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.id, stem);
        // The copy built into the binary is the file.
        let builtin = BUILTIN_CATALOGUES.iter().find(|(s, _)| *s == stem).unwrap().1;
        assert_eq!(std::fs::read_to_string(&path).unwrap(), builtin);
        for e in &c.entries {
            if let Mapping::NotCovered { reason } | Mapping::OutOfScope { reason } = &e.mapping {
                assert!(reason.split_whitespace().count() >= 4, "{stem} {}: thin reason", e.id);
            }
        }
    }
    let nhtsa = load_catalogue("nhtsa", Some(&ids)).expect("by prefix");
    let numbers: Vec<String> = nhtsa.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(numbers, (1..=37).map(|n| format!("NHTSA-{n:02}")).collect::<Vec<_>>());
    let total: f64 = nhtsa.entries.iter().filter_map(|e| e.frequency).sum();
    assert!((total - 100.0).abs() < 0.1, "shares sum to {total}");
    assert_eq!(load_catalogue("r157", Some(&ids)).expect("r157").entries.len(), 18);
    assert_eq!(load_catalogue("euro_ncap", Some(&ids)).expect("euro_ncap").entries.len(), 27);
}

#[test]
fn a_catalogue_naming_an_unknown_scenario_is_refused_with_its_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.ron");
    std::fs::write(
        &bad,
        "Catalogue(\n    id: \"bad\",\n    title: \"Bad\",\n    source: \"test\",\n    entries: [\n        (id: \"X\", title: \"x\", covered_by: [\"lead_braking.higway\"]),\n    ],\n)\n",
    )
    .unwrap();
    let records = dir.path().join("records.jsonl");
    std::fs::write(&records, "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .current_dir(root())
        .arg("coverage")
        .arg(&records)
        .arg("--catalogue")
        .arg(&bad)
        .output()
        .expect("gauntlet runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.ron:6:44: at `entries[0].covered_by[0]`: unknown scenario `lead_braking.higway` (did you mean `lead_braking.highway`?)"),
        "{stderr}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .current_dir(root())
        .args(["coverage", "--catalogue", "nope"])
        .arg(&records)
        .output()
        .expect("gauntlet runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no shipped catalogue of that name"));
}
