//! `gauntlet merge`: the record files of a sharded sweep as one file.
//!
//! Reading, checking and sorting are `gauntlet_reports::merge`'s; this
//! command reads the files, writes the result next to its destination and
//! renames it into place (so a killed merge never leaves half a file), and
//! judges conflicts: same job, same inputs, different results.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use gauntlet_reports::merge::Conflict;
use gauntlet_reports::record::{ReadError, RecordWriter, RunRecord, WriteError, read_records};
use gauntlet_reports::{MergeError, MergeOptions, MergeStats, merge};

use crate::error::{EXIT_FAIL, EXIT_PASS};

/// What to merge.
#[derive(Clone, Debug)]
pub struct MergeConfig {
    /// The record files, e.g. one per shard.
    pub inputs: Vec<PathBuf>,
    /// The merged file.
    pub out: PathBuf,
    /// Accept records of different engine versions.
    pub allow_mixed: bool,
    /// Exit 0 even when records conflict.
    pub allow_conflicts: bool,
}

/// What a merge did.
#[derive(Clone, Debug)]
pub struct MergeReport {
    /// Counts.
    pub stats: MergeStats,
    /// Jobs whose records disagree, by job key.
    pub conflicts: Vec<Conflict>,
    /// The merged file.
    pub out: PathBuf,
    /// Whether conflicts are allowed.
    pub allow_conflicts: bool,
}

/// Why a merge could not be done.
#[derive(Debug, thiserror::Error)]
pub enum MergeCommandError {
    /// An input has a bad line.
    #[error("failed to read {}", path.display())]
    Read {
        /// The input.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ReadError,
    },
    /// The records cannot be merged (schema, engine versions).
    #[error("failed to merge {count} record file(s)")]
    Merge {
        /// How many inputs.
        count: usize,
        /// The cause.
        #[source]
        source: MergeError,
    },
    /// The output cannot be created or renamed into place.
    #[error("failed to write {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The output exists and is not a regular file (a device such as
    /// `/dev/null`, a FIFO, a folder): renaming over it would replace it.
    #[error(
        "refusing to write {}: it is a {kind}, not a regular file, and the merge would replace it; \
         name a regular file with --out", path.display()
    )]
    NotRegular {
        /// The output.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// A record cannot be written.
    #[error("failed to write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: WriteError,
    },
}

/// Merges the input files into `config.out`.
pub fn merge_files(config: &MergeConfig) -> Result<MergeReport, MergeCommandError> {
    // Refused before anything is read or written.
    check_destination(&config.out)?;
    let mut streams: Vec<Vec<RunRecord>> = Vec::with_capacity(config.inputs.len());
    for path in &config.inputs {
        let records = read_records(path)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| MergeCommandError::Read { path: path.clone(), source })?;
        streams.push(records);
    }
    let output = merge(streams, &MergeOptions { allow_mixed: config.allow_mixed })
        .map_err(|source| MergeCommandError::Merge { count: config.inputs.len(), source })?;
    write_atomically(&config.out, &output.records)?;
    Ok(MergeReport {
        stats: output.stats,
        conflicts: output.conflicts,
        out: config.out.clone(),
        allow_conflicts: config.allow_conflicts,
    })
}

/// Refuses an existing `path` (links followed) that is not a regular file:
/// the rename would replace a device, a FIFO or a folder's entry.
fn check_destination(path: &Path) -> Result<(), MergeCommandError> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            Err(MergeCommandError::NotRegular { path: path.to_owned(), kind: file_kind(&meta.file_type()) })
        }
        _ => Ok(()),
    }
}

/// What a file type is, in words.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if t.is_dir() {
        "folder"
    } else if t.is_fifo() {
        "FIFO"
    } else if t.is_socket() {
        "socket"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

/// Writes `records` to a temporary file beside `path`, then renames it.
fn write_atomically(path: &Path, records: &[RunRecord]) -> Result<(), MergeCommandError> {
    let io = |p: &Path| {
        let p = p.to_owned();
        move |source| MergeCommandError::Io { path: p, source }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let name = path.file_name().map_or_else(|| "merged".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.merging"));
    let file = File::create(&tmp).map_err(io(&tmp))?;
    let mut writer = RecordWriter::new(BufWriter::new(file));
    for record in records {
        writer.write(record).map_err(|source| MergeCommandError::Write { path: tmp.clone(), source })?;
    }
    drop(writer);
    std::fs::rename(&tmp, path).map_err(io(path))
}

impl MergeReport {
    /// 1 when records conflict (unless allowed), else 0.
    pub fn exit_code(&self) -> u8 {
        if self.conflicts.is_empty() || self.allow_conflicts { EXIT_PASS } else { EXIT_FAIL }
    }

    /// The counts, then one line per conflict.
    pub fn render_text(&self) -> String {
        let s = &self.stats;
        let mut out = format!(
            "merged {} file(s): {} records read, {} written, {} duplicate(s) dropped (same job, inputs and result), {} conflict(s); engine {}\n",
            s.streams,
            s.read,
            s.written,
            s.duplicates,
            s.conflicts,
            s.engine_versions.join(", ")
        );
        for c in &self.conflicts {
            let results: Vec<String> = c
                .results
                .iter()
                .map(|(outcome, hash)| format!("{outcome} {}", hash.get(..12).unwrap_or(hash)))
                .collect();
            let _ = writeln!(
                out,
                "  CONFLICT {} (file hash {}, adapter {}): {}",
                c.job,
                c.file_hash.get(..12).unwrap_or(&c.file_hash),
                c.adapter,
                results.join(" vs ")
            );
        }
        if !self.conflicts.is_empty() {
            out.push_str(if self.allow_conflicts {
                "conflicting records are all kept (--allow-conflicts)\n"
            } else {
                "conflicting records are all kept; same inputs gave different results (a determinism bug or mixed-up shards)\n"
            });
        }
        let _ = writeln!(out, "records: {}", self.out.display());
        out
    }
}
