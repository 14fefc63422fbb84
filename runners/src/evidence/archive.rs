//! The pack as one deterministic `.tar`: entries sorted by path under one
//! top folder, modification time 0, owner 0:0, mode 0644, no user or group
//! names, so the same files give the same bytes.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use super::EvidenceError;
use super::files::{PackFiles, io};

/// Writes `files` under the top folder `top` as a tar archive to `out`.
pub(crate) fn write_tar<W: Write>(
    out: W,
    top: &str,
    files: &BTreeMap<String, Vec<u8>>,
) -> std::io::Result<W> {
    let mut builder = tar::Builder::new(out);
    builder.mode(tar::HeaderMode::Deterministic);
    for (path, bytes) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, format!("{top}/{path}"), bytes.as_slice())?;
    }
    builder.into_inner()
}

/// Reads a pack archive: every regular file, its top folder stripped.
pub(crate) fn read_tar<R: Read>(input: R, path: &Path) -> Result<PackFiles, EvidenceError> {
    let unreadable = |what: String| EvidenceError::Unreadable { path: path.to_path_buf(), what };
    let mut archive = tar::Archive::new(input);
    let mut files = BTreeMap::new();
    let mut top: Option<String> = None;
    for entry in archive.entries().map_err(|source| io(path, source))? {
        let mut entry = entry.map_err(|source| io(path, source))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = entry.path().map_err(|source| io(path, source))?.to_string_lossy().replace('\\', "/");
        let Some((first, rest)) = name.split_once('/') else {
            return Err(unreadable(format!("entry {name:?} is not inside the pack's folder")));
        };
        match &top {
            None => top = Some(first.to_owned()),
            Some(t) if t != first => {
                return Err(unreadable(format!("entries in two top folders ({t:?}, {first:?})")));
            }
            Some(_) => {}
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|source| io(path, source))?;
        files.insert(rest.to_owned(), bytes);
    }
    Ok(PackFiles { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_files_give_the_same_archive_and_read_back() {
        let files: BTreeMap<String, Vec<u8>> =
            [("b.txt", "two"), ("a/x.json", "{}")].map(|(p, t)| (p.to_owned(), t.as_bytes().to_vec())).into();
        let one = write_tar(Vec::new(), "pack", &files).expect("tar");
        let two = write_tar(Vec::new(), "pack", &files).expect("tar");
        assert_eq!(one, two);
        let back = read_tar(one.as_slice(), Path::new("pack.tar")).expect("reads");
        assert_eq!(back.files, files);
    }
}
