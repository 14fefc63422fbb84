//! Merging record streams, e.g. the shards of one sweep.
//!
//! - Every record must have schema [`SCHEMA_VERSION`].
//! - All records must share one `engine_version`, unless
//!   [`MergeOptions::allow_mixed`] is set.
//! - Exact duplicates (records whose JSON lines are identical) are kept once.
//! - Records of the same job with the same scenario file hash and adapter
//!   (name and version) but a different outcome or trace hash are
//!   *conflicts*: a determinism bug or a mix-up of shards. All of them are
//!   kept (reports never drop evidence) and listed in
//!   [`MergeOutput::conflicts`]; the caller decides whether that fails.
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
#[derive(Clone, Debug, PartialEq, Serialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MergeStats {
    /// Input streams.
    pub streams: u64,
    /// Records read.
    pub read: u64,
    /// Records in the output.
    pub written: u64,
    /// Exact duplicates dropped.
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
    // Sorted by the output order; the line makes equal keys deterministic
    // and equal lines exact duplicates.
    let mut unique: BTreeMap<(JobKey, String), RunRecord> = BTreeMap::new();
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
            let line = record.to_json_line()?;
            if unique.insert((record.key(), line), record).is_some() {
                stats.duplicates += 1;
            }
        }
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
    type Inputs = (JobKey, String, String, String);
    let mut groups: BTreeMap<Inputs, BTreeSet<(Outcome, String)>> = BTreeMap::new();
    for r in records {
        groups
            .entry((r.key(), r.file_hash.clone(), r.adapter.name.clone(), r.adapter.version.clone()))
            .or_default()
            .insert((r.outcome, r.trace_hash.clone()));
    }
    groups
        .into_iter()
        .filter(|(_, results)| results.len() > 1)
        .map(|((job, file_hash, name, version), results)| Conflict {
            job,
            file_hash,
            adapter: format!("{name} {version}"),
            results: results.into_iter().collect(),
        })
        .collect()
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
