//! `--resume`: carry on a sweep that was interrupted.
//!
//! The records file is read with the tolerant reader. A torn last line (a
//! write cut short by a kill) is cut off, so that appended records start on
//! a line of their own; every complete record is kept and its job is not run
//! again. Any other bad line stops the resume: the file is not ours to
//! rewrite, and "nothing is lost" forbids guessing.
//!
//! A kept record must still describe the job the sweep would run: same
//! scenario file hash, engine version and adapter. Otherwise resuming would
//! splice two different sweeps into one file, so it is refused.
//!
//! The file is never rewritten beyond the torn line, but not every record
//! in it counts: a duplicate (same job identity and result as an earlier
//! record, see [`JobIdentities`]) is counted once, and a *foreign* record
//! (a job this sweep does not plan: another scenario, seed or shard) is
//! left in the file and not counted; both are reported as warnings.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use gauntlet_reports::record::{JobKey, ReadError, ReadItem, RunRecord, TornLine, read_records_tolerant};
use gauntlet_reports::{JobIdentities, Seen};

/// What a finished record must match to be kept.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    /// Current file hash of each planned scenario, by scenario id.
    pub file_hashes: BTreeMap<String, String>,
    /// The engine version of this build.
    pub engine_version: String,
    /// The adapter spec of this sweep, as written in records.
    pub adapter_spec: String,
    /// The jobs this sweep plans; a record of another job is foreign.
    pub planned: BTreeSet<JobKey>,
}

/// The state of an interrupted sweep, read from its records file.
#[derive(Clone, Debug, Default)]
pub struct ResumeState {
    /// Jobs with a complete record in the file.
    pub done: BTreeSet<JobKey>,
    /// Complete records in the file.
    pub records: u64,
    /// The torn last line that was cut off, if any.
    pub torn: Option<TornLine>,
    /// Duplicates and conflicts among the records (duplicates are not counted).
    pub identities: JobIdentities,
    /// Records of jobs this sweep does not plan: left in the file, not counted.
    pub foreign: u64,
    /// The first few of them.
    pub foreign_keys: Vec<JobKey>,
}

impl ResumeState {
    /// What the user should know about the records not counted, one line each.
    pub fn warnings(&self, path: &Path) -> Vec<String> {
        let mut out: Vec<String> = self.identities.warning(&path.display().to_string()).into_iter().collect();
        if self.foreign > 0 {
            let named: Vec<String> = self.foreign_keys.iter().map(ToString::to_string).collect();
            let more = if self.foreign > self.foreign_keys.len() as u64 { ", …" } else { "" };
            out.push(format!(
                "{}: {} record(s) of jobs this sweep does not plan (another scenario, seed or shard) \
                 left in the file and not counted: {}{more}",
                path.display(),
                self.foreign,
                named.join(", ")
            ));
        }
        out
    }
}

/// Why a sweep cannot be resumed.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// A line other than the last is not a valid record.
    #[error("failed to resume from {}", path.display())]
    Read {
        /// The records file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ReadError,
    },
    /// The torn last line could not be cut off.
    #[error("failed to cut the torn last line off {} at byte {offset}", path.display())]
    Truncate {
        /// The records file.
        path: PathBuf,
        /// Where the torn line starts.
        offset: u64,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A finished record was made from other inputs than this sweep's.
    #[error(
        "failed to resume from {}: the record of {} has {} {:?}, but this sweep has {:?}; \
         run without --resume (or with another --out) to start a fresh sweep",
        .0.path.display(), .0.job, .0.what, .0.found, .0.expected
    )]
    Mismatch(Box<Mismatch>),
}

/// A record that does not belong to the sweep being resumed.
#[derive(Debug)]
pub struct Mismatch {
    /// The records file.
    pub path: PathBuf,
    /// The job.
    pub job: JobKey,
    /// Which input differs: `scenario file hash`, `engine version` or `adapter`.
    pub what: &'static str,
    /// The value in the record.
    pub found: String,
    /// The value of this sweep.
    pub expected: String,
}

/// Reads the records file `path` of an interrupted sweep, cuts off a torn
/// last line, checks every record against `expected`, and hands each kept
/// record to `visit` (e.g. to count it in the summary). A missing file is an
/// empty state: the sweep starts from scratch.
pub fn prepare(
    path: &Path,
    expected: &Expected,
    mut visit: impl FnMut(&RunRecord),
) -> Result<ResumeState, ResumeError> {
    let mut state = ResumeState::default();
    if !path.exists() {
        return Ok(state);
    }
    for item in read_records_tolerant(path) {
        match item.map_err(|source| ResumeError::Read { path: path.to_owned(), source })? {
            ReadItem::Record(record) => {
                check(path, &record, expected)?;
                let key = record.key();
                if !expected.planned.contains(&key) {
                    state.foreign += 1;
                    if state.foreign_keys.len() < 3 && !state.foreign_keys.contains(&key) {
                        state.foreign_keys.push(key);
                    }
                    continue;
                }
                if state.identities.see(&record) == Seen::Duplicate {
                    continue;
                }
                visit(&record);
                state.records += 1;
                state.done.insert(key);
            }
            ReadItem::Torn(torn) => state.torn = Some(torn),
        }
    }
    if let Some(torn) = &state.torn {
        let truncate = |source| ResumeError::Truncate { path: path.to_owned(), offset: torn.offset, source };
        let file = OpenOptions::new().write(true).open(path).map_err(truncate)?;
        file.set_len(torn.offset).map_err(truncate)?;
        file.sync_all().map_err(truncate)?;
    }
    Ok(state)
}

/// Refuses a record whose job would not give the same result tonight.
/// Records of scenarios outside the plan are kept as they are.
fn check(path: &Path, record: &RunRecord, expected: &Expected) -> Result<(), ResumeError> {
    let Some(file_hash) = expected.file_hashes.get(&record.scenario) else {
        return Ok(());
    };
    let mismatch = |what, found: &str, wanted: &str| {
        ResumeError::Mismatch(Box::new(Mismatch {
            path: path.to_owned(),
            job: record.key(),
            what,
            found: found.to_owned(),
            expected: wanted.to_owned(),
        }))
    };
    if &record.file_hash != file_hash {
        return Err(mismatch("scenario file hash", &record.file_hash, file_hash));
    }
    if record.engine_version != expected.engine_version {
        return Err(mismatch("engine version", &record.engine_version, &expected.engine_version));
    }
    if record.adapter.spec != expected.adapter_spec {
        return Err(mismatch("adapter", &record.adapter.spec, &expected.adapter_spec));
    }
    Ok(())
}
