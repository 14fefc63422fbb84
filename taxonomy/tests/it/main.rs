//! Integration tests of gauntlet-taxonomy (one binary, as STYLE.md asks).

mod asil_table;
mod catalogue;
mod coverage;
mod default_taxonomy;
mod invalid;
mod render;
mod tags;

use std::path::PathBuf;

use gauntlet_taxonomy::Taxonomy;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn small() -> Taxonomy {
    Taxonomy::load(&fixture("small.ron")).unwrap_or_else(|d| panic!("{d}"))
}
