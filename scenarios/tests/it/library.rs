//! The shipped library: every file is valid, ids are unique, and instances
//! are deterministic functions of (file, seed).

use std::path::{Path, PathBuf};

use gauntlet_scenarios::{Scenario, discover};

fn library() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    discover(&[root.join("library")]).expect("library folder")
}

#[test]
fn every_library_file_is_valid_and_ids_are_unique() {
    let mut ids = std::collections::BTreeSet::new();
    for f in library() {
        let s = Scenario::load(&f).unwrap_or_else(|e| panic!("{e}"));
        assert!(ids.insert(s.id().to_owned()), "duplicate id {}", s.id());
        let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        assert_eq!(stem, s.id(), "file name matches the id");
    }
    assert!(!ids.is_empty());
}

#[test]
fn instances_are_deterministic_and_seed_zero_is_nominal() {
    for f in library() {
        let s = Scenario::load(&f).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.instance(3), s.instance(3));
        for p in s.parameters() {
            assert_eq!(s.instance(0).params[&p.path], p.space.nominal(), "{}: {}", s.id(), p.path);
        }
        if !s.parameters().is_empty() {
            let differs = (1..6).any(|seed| s.instance(seed).params != s.instance(0).params);
            assert!(differs, "{}: seeds explore the parameter space", s.id());
        }
    }
}

/// The README's example scenario is the library file it names, not a paraphrase.
#[test]
fn the_readme_example_is_the_library_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let marker = "// scenarios/library/lead_braking.highway.ron";
    let start = readme.find(marker).expect("the example is in the README");
    let end = start + readme[start..].find("\n```").expect("the block ends");
    let example = gauntlet_scenarios::Scenario::from_source(gauntlet_ron_source::SourceFile::new(
        "README.md",
        &readme[start..end],
    ))
    .expect("the README example is a valid scenario");
    let file = gauntlet_scenarios::Scenario::load(&root.join("scenarios/library/lead_braking.highway.ron"))
        .expect("the library file loads");
    assert_eq!(
        (example.id(), example.title(), example.description()),
        (file.id(), file.title(), file.description())
    );
    assert_eq!((example.tags(), example.hazards()), (file.tags(), file.hazards()));
    for seed in 0..8 {
        assert_eq!(example.instance(seed), file.instance(seed), "seed {seed}");
    }
}
