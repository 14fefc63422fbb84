//! Merging record streams, e.g. the shards of one sweep.
//!
//! - Every record must have schema [`SCHEMA_VERSION`].
//! - All records must share one `engine_version`, unless
//!   [`MergeOptions::allow_mixed`] is set.
//! - Records are compared by *job identity*: the job ([`RunRecord::key`]:
//!   scenario, kind, seed, instance digest) and its inputs (scenario file
//!   hash, engine version, adapter name and version). Two records of one
//!   identity with the same outcome and trace hash are *duplicates* (e.g.
//!   two runs of the same jobs: only `wall_ms` differs); the first is kept.
//! - Records of one identity with a different outcome or trace hash are
//!   *conflicts*: a determinism bug or a mix-up of shards. All of them are
//!   kept (reports never drop evidence) and listed in
//!   [`MergeOutput::conflicts`]; the caller decides whether that fails.
//! - [`JobIdentities`] applies the same rules to a stream of records in
//!   bounded memory (two small digests a job), for `report`, `coverage` and
//!   `--resume`.
//! - The output is sorted by scenario, kind and seed (then by JSON line, so
//!   it never depends on input order).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::record::{JobKey, Outcome, RunRecord, SCHEMA_VERSION, WriteError};

/// Tunables of [`merge`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeOptions {
    /// Accept records of different engine versions. Default `false`.
    pub allow_mixed: bool,
}

/// Why records could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A record has another schema version.
    #[error("failed to merge: record {job} in stream {stream} has schema {found}, expected {expected}")]
    UnsupportedSchema {
        /// 0-based index of the input stream.
        stream: usize,
        /// The job.
        job: JobKey,
        /// The version found.
        found: u32,
        /// The version this crate reads.
        expected: u32,
    },
    /// Records come from several engine versions.
    #[error("failed to merge: records come from engine versions {}; pass allow_mixed to merge them anyway", versions.join(", "))]
    MixedEngineVersions {
        /// The versions seen, sorted.
        versions: Vec<String>,
    },
    /// A record cannot be serialised (needed to compare records).
    #[error("failed to merge: a record cannot be serialised")]
    Serialize(#[from] WriteError),
}

/// Records of one job that should be equal and are not.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Conflict {
    /// The job.
    pub job: JobKey,
    /// The scenario file hash the records share.
    pub file_hash: String,
    /// The adapter the records share, as `name version`.
    pub adapter: String,
    /// Each distinct (outcome, trace hash) seen, sorted.
    pub results: Vec<(Outcome, String)>,
}

/// Counts of a merge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MergeStats {
    /// Input streams.
    pub streams: u64,
    /// Records read.
    pub read: u64,
    /// Records in the output.
    pub written: u64,
    /// Duplicates dropped (same job, inputs, outcome and trace hash).
    pub duplicates: u64,
    /// Jobs with conflicting records.
    pub conflicts: u64,
    /// Engine versions seen, sorted.
    pub engine_versions: Vec<String>,
}

/// The result of [`merge`].
#[derive(Clone, Debug, PartialEq)]
pub struct MergeOutput {
    /// The merged records, sorted by scenario, kind, seed.
    pub records: Vec<RunRecord>,
    /// Counts.
    pub stats: MergeStats,
    /// Conflicting jobs, sorted by job key.
    pub conflicts: Vec<Conflict>,
}

/// Merges record streams (see the module docs).
pub fn merge<S>(
    streams: impl IntoIterator<Item = S>,
    options: &MergeOptions,
) -> Result<MergeOutput, MergeError>
where
    S: IntoIterator<Item = RunRecord>,
{
    let mut stats = MergeStats::default();
    let mut engine_versions = BTreeSet::new();
    let mut identities = JobIdentities::default();
    let mut kept: Vec<RunRecord> = Vec::new();
    for (stream, records) in streams.into_iter().enumerate() {
        stats.streams += 1;
        for record in records {
            stats.read += 1;
            if record.schema != SCHEMA_VERSION {
                return Err(MergeError::UnsupportedSchema {
                    stream,
                    job: record.key(),
                    found: record.schema,
                    expected: SCHEMA_VERSION,
                });
            }
            engine_versions.insert(record.engine_version.clone());
            match identities.see(&record) {
                Seen::Duplicate => stats.duplicates += 1,
                Seen::New | Seen::Conflict => kept.push(record),
            }
        }
    }
    // Sorted by the output order; the line makes equal keys deterministic.
    let mut unique: BTreeMap<(JobKey, String), RunRecord> = BTreeMap::new();
    for record in kept {
        let line = record.to_json_line()?;
        unique.insert((record.key(), line), record);
    }
    stats.engine_versions = engine_versions.into_iter().collect();
    if stats.engine_versions.len() > 1 && !options.allow_mixed {
        return Err(MergeError::MixedEngineVersions { versions: stats.engine_versions });
    }

    let records: Vec<RunRecord> = unique.into_values().collect();
    let conflicts = find_conflicts(&records);
    stats.written = records.len() as u64;
    stats.conflicts = conflicts.len() as u64;
    Ok(MergeOutput { records, stats, conflicts })
}

/// Groups sorted records by (job, file hash, adapter) and reports groups
/// with more than one distinct result.
fn find_conflicts(records: &[RunRecord]) -> Vec<Conflict> {
    type Inputs = (JobKey, String, String, String, String);
    let mut groups: BTreeMap<Inputs, BTreeSet<(Outcome, String)>> = BTreeMap::new();
    for r in records {
        groups
            .entry((
                r.key(),
                r.file_hash.clone(),
                r.adapter.name.clone(),
                r.adapter.version.clone(),
                r.engine_version.clone(),
            ))
            .or_default()
            .insert((r.outcome, r.trace_hash.clone()));
    }
    groups
        .into_iter()
        .filter(|(_, results)| results.len() > 1)
        .map(|((job, file_hash, name, version, _), results)| Conflict {
            job,
            file_hash,
            adapter: format!("{name} {version}"),
            results: results.into_iter().collect(),
        })
        .collect()
}

/// How a record relates to the records seen before it ([`JobIdentities::see`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// The first record of its job identity.
    New,
    /// Same job identity and same result (outcome, trace hash) as an earlier record.
    Duplicate,
    /// Same job identity as an earlier record, another result.
    Conflict,
}

/// How many job keys a [`JobIdentities`] names in its warning.
const NAMED_KEYS: usize = 3;

/// Duplicate and conflict detection over a stream of records, by job
/// identity (see the module docs), in bounded memory: per identity, a
/// 16-byte digest of the identity and one of each result seen.
#[derive(Clone, Debug, Default)]
pub struct JobIdentities {
    results: std::collections::HashMap<[u8; 16], Vec<[u8; 16]>>,
    /// Records that duplicated an earlier one.
    pub duplicates: u64,
    /// Records whose result differs from an earlier one of the same identity.
    pub conflicts: u64,
    /// The first few duplicated jobs.
    pub duplicate_keys: Vec<JobKey>,
    /// The first few conflicting jobs.
    pub conflict_keys: Vec<JobKey>,
}

fn digest16(parts: &[&str]) -> [u8; 16] {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let mut out = [0; 16];
    out.copy_from_slice(&h.finalize().as_bytes()[..16]);
    out
}

impl JobIdentities {
    /// Classifies `record` against the records seen so far, and remembers it.
    pub fn see(&mut self, record: &RunRecord) -> Seen {
        let key = record.key();
        let identity = digest16(&[
            &key.to_string(),
            &record.file_hash,
            &record.engine_version,
            &record.adapter.name,
            &record.adapter.version,
        ]);
        let result = digest16(&[&record.outcome.to_string(), &record.trace_hash]);
        let results = self.results.entry(identity).or_default();
        if results.contains(&result) {
            self.duplicates += 1;
            if self.duplicate_keys.len() < NAMED_KEYS && !self.duplicate_keys.contains(&key) {
                self.duplicate_keys.push(key);
            }
            return Seen::Duplicate;
        }
        let seen = if results.is_empty() { Seen::New } else { Seen::Conflict };
        results.push(result);
        if seen == Seen::Conflict {
            self.conflicts += 1;
            if self.conflict_keys.len() < NAMED_KEYS && !self.conflict_keys.contains(&key) {
                self.conflict_keys.push(key);
            }
        }
        seen
    }

    /// One line on the duplicates dropped and the conflicts kept in `what`
    /// (e.g. a file name), or `None` when there were none.
    pub fn warning(&self, what: &str) -> Option<String> {
        let names = |keys: &[JobKey], n: u64| {
            let named: Vec<String> = keys.iter().map(ToString::to_string).collect();
            let more = if n > keys.len() as u64 { ", …" } else { "" };
            format!("{}{more}", named.join(", "))
        };
        let mut parts = Vec::new();
        if self.duplicates > 0 {
            parts.push(format!(
                "{} duplicate record(s) (same job, inputs and result as an earlier record) not counted again: {}",
                self.duplicates,
                names(&self.duplicate_keys, self.duplicates)
            ));
        }
        if self.conflicts > 0 {
            parts.push(format!(
                "{} conflicting record(s) (same job and inputs, another outcome or trace hash: a determinism bug \
                 or mixed-up runs), all counted: {}",
                self.conflicts,
                names(&self.conflict_keys, self.conflicts)
            ));
        }
        (!parts.is_empty()).then(|| format!("{what}: {}", parts.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::JobKind;
    use crate::record::tests::{fuzz_record, record};

    fn keys(out: &MergeOutput) -> Vec<(String, JobKind, u64)> {
        out.records.iter().map(|r| (r.scenario.clone(), r.kind, r.seed)).collect()
    }

    #[test]
    fn merges_sorted_and_drops_exact_duplicates() {
        let fuzz = fuzz_record("a", 0, Outcome::Pass);
        let shard1 = vec![record("b", 2, Outcome::Pass), fuzz.clone(), record("a", 10, Outcome::Fail)];
        let shard2 = vec![record("a", 9, Outcome::Pass), record("b", 2, Outcome::Pass)];
        let out = merge([shard1, shard2], &MergeOptions::default()).unwrap();
        assert_eq!(
            keys(&out),
            [
                ("a".to_owned(), JobKind::Run, 9),
                ("a".to_owned(), JobKind::Run, 10),
                ("a".to_owned(), JobKind::Fuzz, 0),
                ("b".to_owned(), JobKind::Run, 2)
            ]
        );
        assert_eq!(
            out.stats,
            MergeStats {
                streams: 2,
                read: 5,
                written: 4,
                duplicates: 1,
                conflicts: 0,
                engine_versions: vec!["0.1.0".to_owned()]
            }
        );
        assert!(out.conflicts.is_empty());
    }

    #[test]
    fn same_job_and_result_with_another_wall_time_is_a_duplicate() {
        let a = record("a", 1, Outcome::Pass);
        let mut again = a.clone();
        again.wall_ms += 17.0;
        let out = merge([vec![a.clone()], vec![again.clone()]], &MergeOptions::default()).unwrap();
        assert_eq!(out.records, std::slice::from_ref(&a), "the first is kept");
        assert_eq!((out.stats.duplicates, out.stats.conflicts), (1, 0));

        let mut ids = JobIdentities::default();
        let mut other = a.clone();
        other.trace_hash = "other".to_owned();
        assert_eq!(
            [ids.see(&a), ids.see(&again), ids.see(&other), ids.see(&other)],
            [Seen::New, Seen::Duplicate, Seen::Conflict, Seen::Duplicate]
        );
        let warning = ids.warning("f.jsonl").unwrap();
        assert!(warning.contains("2 duplicate record(s)") && warning.contains("1 conflicting"), "{warning}");
        assert!(warning.contains("a seed=1 run"), "{warning}");
    }

    #[test]
    fn output_does_not_depend_on_stream_order() {
        let s1 = vec![record("a", 1, Outcome::Pass), record("c", 1, Outcome::Error)];
        let s2 = vec![record("b", 1, Outcome::Fail), record("a", 1, Outcome::Fail)];
        let ab = merge([s1.clone(), s2.clone()], &MergeOptions::default()).unwrap();
        let ba = merge([s2, s1], &MergeOptions::default()).unwrap();
        assert_eq!(ab, ba);
    }

    #[test]
    fn same_inputs_different_result_is_a_conflict_and_both_are_kept() {
        let a = record("a", 1, Outcome::Pass);
        let mut b = record("a", 1, Outcome::Pass);
        b.trace_hash = "other".to_owned();
        // Same job, another adapter version: a different run, not a conflict.
        let mut c = record("a", 1, Outcome::Fail);
        c.adapter.version = "0.2.0".to_owned();
        let out = merge([vec![a], vec![b, c]], &MergeOptions::default()).unwrap();
        assert_eq!(out.records.len(), 3);
        assert_eq!(out.stats.conflicts, 1);
        let conflict = &out.conflicts[0];
        assert_eq!(conflict.adapter, "reference 0.1.0");
        assert_eq!(conflict.results, [(Outcome::Pass, "other".to_owned()), (Outcome::Pass, "t1".to_owned())]);
    }

    #[test]
    fn mixed_engine_versions_are_rejected_unless_allowed() {
        let mut newer = record("a", 2, Outcome::Pass);
        newer.engine_version = "0.2.0".to_owned();
        let streams = || [vec![record("a", 1, Outcome::Pass)], vec![newer.clone()]];
        let err = merge(streams(), &MergeOptions::default()).unwrap_err();
        assert!(
            matches!(&err, MergeError::MixedEngineVersions { versions } if versions == &["0.1.0", "0.2.0"])
        );
        assert!(err.to_string().contains("0.1.0, 0.2.0"), "{err}");
        let out = merge(streams(), &MergeOptions { allow_mixed: true }).unwrap();
        assert_eq!(out.stats.engine_versions, ["0.1.0", "0.2.0"]);
    }

    #[test]
    fn another_schema_version_is_rejected() {
        let mut r = record("a", 1, Outcome::Pass);
        r.schema = 3;
        let err =
            merge([vec![record("b", 1, Outcome::Pass)], vec![r]], &MergeOptions::default()).unwrap_err();
        assert!(matches!(err, MergeError::UnsupportedSchema { stream: 1, found: 3, .. }), "{err}");
    }
}
