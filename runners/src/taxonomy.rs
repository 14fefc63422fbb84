//! Which taxonomy a command uses.

use std::path::{Path, PathBuf};

use gauntlet_taxonomy::Taxonomy;

use crate::error::RunnerError;

/// The default taxonomy file, relative to the working directory.
pub const DEFAULT_TAXONOMY: &str = "taxonomy/default.ron";

/// Loads `path`, or `taxonomy/default.ron` when it exists here, or the
/// copy of the default model built into the binary.
pub fn load_taxonomy(path: Option<&Path>) -> Result<Taxonomy, RunnerError> {
    let default = PathBuf::from(DEFAULT_TAXONOMY);
    let chosen = match path {
        Some(p) => Some(p.to_path_buf()),
        None if default.is_file() => Some(default),
        None => None,
    };
    let loaded = match chosen {
        Some(p) => Taxonomy::load(&p),
        None => Taxonomy::builtin(),
    };
    loaded.map_err(|d| RunnerError::Taxonomy(Box::new(d)))
}
