//! `generated: (…)`: the provenance a generated scenario carries
//! (`gauntlet generate` writes it; a hand-written scenario has none).

use serde::Deserialize;

/// How a generated scenario was made: from which library scenario, for
/// which uncovered pair of taxonomy values, by which transforms. Records of
/// its runs carry it, so coverage tells generated evidence from the
/// library's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GeneratedFile {
    /// The id of the library scenario it was made from.
    pub from: String,
    /// That scenario's file, relative to this file.
    pub file: String,
    /// The pair of values it was made to cover, each `dimension: value`.
    pub pair: Vec<String>,
    /// The transforms applied, in words, in order.
    pub transforms: Vec<String>,
}
