//! A pack's files in memory, read from its folder or its `.tar`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::EvidenceError;

/// Every file of a pack, by `/`-separated path inside it.
#[derive(Clone, Debug, Default)]
pub struct PackFiles {
    /// Path → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl PackFiles {
    /// Reads the pack at `path`: a folder, or a `.tar` archive whose entries
    /// all lie in one top folder.
    pub fn read(path: &Path) -> Result<Self, EvidenceError> {
        if path.is_dir() {
            let mut files = BTreeMap::new();
            walk(path, path, &mut files)?;
            Ok(Self { files })
        } else {
            let file = std::fs::File::open(path).map_err(|source| io(path, source))?;
            super::archive::read_tar(file, path)
        }
    }

    /// The bytes at `path` in the pack.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }
}

pub(crate) fn io(path: &Path, source: std::io::Error) -> EvidenceError {
    EvidenceError::Io { path: path.to_path_buf(), source }
}

/// Every file under `dir`, by its path relative to `root`.
pub(crate) fn walk(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, Vec<u8>>,
) -> Result<(), EvidenceError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| io(dir, source))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|source| io(dir, source))?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(root, &p, out)?;
        } else {
            let bytes = std::fs::read(&p).map_err(|source| io(&p, source))?;
            out.insert(relative(root, &p), bytes);
        }
    }
    Ok(())
}

/// `path` relative to `root`, `/`-separated.
pub(crate) fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}
