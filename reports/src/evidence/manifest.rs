//! The manifest of an evidence pack: every file of the pack with its
//! blake3 hash, what produced the pack, and a digest of the manifest itself.
//!
//! Two builds from the same inputs give the same pack byte for byte except
//! `manifest.json`'s [`Manifest::created`] (and so its
//! [`Manifest::digest`]): the one timestamp lives there and nowhere else.

use serde::{Deserialize, Serialize};

use crate::record::AdapterRef;

/// The manifest's file name, at the pack's root.
pub const MANIFEST_NAME: &str = "manifest.json";

/// The manifest format version (bumped on incompatible changes; new optional
/// fields and new [`FileKind`]s do not bump it).
pub const MANIFEST_FORMAT: u32 = 1;

/// What a file of the pack is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// An input: a scenario file the records ran.
    Scenario,
    /// An input: a saved regression file the records ran.
    Regression,
    /// An input: the taxonomy.
    Taxonomy,
    /// An input: the gate file.
    Gate,
    /// The records (JSON Lines).
    Records,
    /// An output derived from the inputs and records (coverage, matrix,
    /// hazard log, case, gate verdict, dashboard, …). New artefacts are
    /// added as more files of this kind.
    Artefact,
}

/// One file of the pack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FileEntry {
    /// Path inside the pack, `/`-separated.
    pub path: String,
    /// What it is.
    pub kind: FileKind,
    /// Size in bytes.
    pub bytes: u64,
    /// blake3 of its bytes (hex).
    pub blake3: String,
    /// For an input: the path it was copied from, as the records name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// The engine that made the records and the binary that built the pack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EngineBuild {
    /// The engine version every record carries (`engine_version`).
    pub version: String,
    /// The `gauntlet` build that assembled the pack (`gauntlet-runners` version, profile, target).
    pub build: String,
}

/// The manifest (`manifest.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format_version: u32,
    /// The release the pack is evidence for.
    pub release: String,
    /// When the pack was built (RFC 3339, UTC): the one field that differs
    /// between two builds of the same inputs.
    pub created: String,
    /// Engine and build.
    pub engine: EngineBuild,
    /// The adapters the records name (spec, name and version each reported).
    pub adapters: Vec<AdapterRef>,
    /// The command lines that produced the pack: the build, and the sweep when the build ran it.
    pub commands: Vec<String>,
    /// Records in the records file.
    pub jobs: u64,
    /// Every file of the pack but the manifest, sorted by path.
    pub files: Vec<FileEntry>,
    /// blake3 (hex) of this manifest serialised as compact JSON with `digest` empty: a
    /// check that the manifest was not edited by accident (an integrity check, not a
    /// signature).
    pub digest: String,
}

/// The digest [`Manifest::digest`] should hold.
pub fn manifest_digest(manifest: &Manifest) -> String {
    let mut m = manifest.clone();
    m.digest.clear();
    let json = serde_json::to_string(&m).unwrap_or_default();
    blake3::hash(json.as_bytes()).to_hex().to_string()
}

impl Manifest {
    /// The entry of `path`.
    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The pack path of the input copied from `origin`.
    pub fn input_from(&self, origin: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.origin.as_deref() == Some(origin))
    }
}
