//! `gauntlet evidence verify`: whether a pack is what its manifest says,
//! and whether its jobs still give the trace hashes its records hold.
//!
//! Checks, in order, each finding a [`Problem`] (the pack verifies when
//! there is none):
//!
//! 1. the manifest reads and its digest matches its content;
//! 2. every file it lists is there with the same size and blake3, and the
//!    pack holds no file it does not list;
//! 3. the engine: the manifest's engine version is this binary's, and every
//!    record's is the manifest's;
//! 4. every record's scenario file is in the pack, with the record's file hash;
//! 5. a seeded sample of the jobs (pass and fail; errored jobs have no
//!    trace) is re-run from the pack's own scenario files and taxonomy with
//!    the adapter the record names (or the one given) through
//!    [`crate::job::run_job`], and each trace hash must equal the record's.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use gauntlet_engine::ENGINE_VERSION;
use gauntlet_reports::evidence::{MANIFEST_NAME, Manifest, manifest_digest};
use gauntlet_reports::record::{Outcome, ReadItem, RecordReader, RunRecord};
use gauntlet_ron_source::SourceFile;
use gauntlet_scenarios::Scenario;
use gauntlet_taxonomy::Taxonomy;
use serde::Serialize;

use super::files::PackFiles;
use super::{EvidenceError, RECORDS, TAXONOMY};
use crate::adapter::{AdapterFactory, AdapterSpec, ExecOptions};
use crate::checks::requirement_checks;
use crate::error::RunnerError;
use crate::job::{AdapterIdentity, Job, Tracing, run_job};

/// Jobs re-run by default.
pub const DEFAULT_SAMPLE: usize = 8;

/// What to verify.
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    /// The pack: its folder or its `.tar`.
    pub pack: PathBuf,
    /// Jobs to re-run (all when there are fewer).
    pub sample: usize,
    /// Seed of the sample: the same seed picks the same jobs.
    pub seed: u64,
    /// Re-run with this adapter instead of the one each record names.
    pub adapter: Option<AdapterSpec>,
    /// External adapter options.
    pub exec: ExecOptions,
}

/// One thing that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The manifest is not valid JSON of the manifest's shape.
    ManifestInvalid {
        /// Why.
        message: String,
    },
    /// The manifest's digest does not match its content.
    ManifestDigest {
        /// As written.
        written: String,
        /// As computed.
        computed: String,
    },
    /// A file the manifest lists is not in the pack.
    MissingFile {
        /// Its path.
        path: String,
    },
    /// A file in the pack that the manifest does not list.
    ExtraFile {
        /// Its path.
        path: String,
    },
    /// A file whose content is not what the manifest hashed.
    HashMismatch {
        /// Its path.
        path: String,
        /// blake3 in the manifest.
        expected: String,
        /// blake3 of the file.
        found: String,
    },
    /// The pack was made by another engine version than this binary's.
    EngineVersion {
        /// The manifest's.
        pack: String,
        /// This binary's.
        this: String,
    },
    /// A record of another engine version than the manifest's.
    RecordEngine {
        /// The job.
        job: String,
        /// The record's.
        record: String,
        /// The manifest's.
        pack: String,
    },
    /// The records file does not read.
    RecordsUnreadable {
        /// Why.
        message: String,
    },
    /// A record's scenario file is not in the pack, or differs from the one it ran.
    ScenarioMismatch {
        /// The job.
        job: String,
        /// The scenario file the record names.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A re-run gave another trace hash than the record's.
    TraceMismatch {
        /// The job.
        job: String,
        /// The adapter it was re-run with.
        adapter: String,
        /// The record's trace hash.
        expected: String,
        /// The re-run's.
        found: String,
    },
    /// A sampled job could not be re-run.
    RerunFailed {
        /// The job.
        job: String,
        /// Why.
        message: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::ManifestInvalid { message } => write!(f, "manifest: invalid: {message}"),
            Problem::ManifestDigest { written, computed } => {
                write!(
                    f,
                    "manifest: digest {written} does not match its content ({computed}): the manifest was edited"
                )
            }
            Problem::MissingFile { path } => {
                write!(f, "missing file: {path} is in the manifest but not in the pack")
            }
            Problem::ExtraFile { path } => {
                write!(f, "extra file: {path} is in the pack but not in the manifest")
            }
            Problem::HashMismatch { path, expected, found } => {
                write!(f, "hash mismatch: {path}: manifest {expected}, file {found}: the file was edited")
            }
            Problem::EngineVersion { pack, this } => {
                write!(f, "engine version: the pack was made by engine {pack}, this is engine {this}")
            }
            Problem::RecordEngine { job, record, pack } => {
                write!(f, "engine version: job {job} ran on engine {record}, the manifest says {pack}")
            }
            Problem::RecordsUnreadable { message } => write!(f, "records: {message}"),
            Problem::ScenarioMismatch { job, file, message } => {
                write!(f, "scenario: job {job} ({file}): {message}")
            }
            Problem::TraceMismatch { job, adapter, expected, found } => write!(
                f,
                "trace hash mismatch: job {job} re-run with {adapter}: record {expected}, re-run {found}"
            ),
            Problem::RerunFailed { job, message } => write!(f, "re-run: job {job}: {message}"),
        }
    }
}

/// One re-run job.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SampledJob {
    /// The job's id.
    pub job: String,
    /// The adapter it was re-run with.
    pub adapter: String,
    /// The record's trace hash.
    pub expected: String,
    /// The re-run's trace hash (empty when it could not run).
    pub found: String,
}

impl SampledJob {
    /// Whether the re-run reproduced the record.
    pub fn matches(&self) -> bool {
        self.expected == self.found
    }
}

/// What verification found.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct VerifyReport {
    /// The pack.
    pub pack: PathBuf,
    /// Files the manifest lists.
    pub files: usize,
    /// Records in the pack.
    pub records: usize,
    /// The sample's seed.
    pub seed: u64,
    /// The jobs re-run, in the sample's order.
    pub sampled: Vec<SampledJob>,
    /// Everything that does not hold; empty when the pack verifies.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// 0 when everything holds, else 1.
    pub fn exit_code(&self) -> u8 {
        if self.problems.is_empty() { crate::error::EXIT_PASS } else { crate::error::EXIT_FAIL }
    }

    /// The lines printed after verification.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for p in &self.problems {
            out.push_str(&format!("FAIL {p}\n"));
        }
        let matching = self.sampled.iter().filter(|s| s.matches()).count();
        out.push_str(&format!(
            "{}: {} files, {} records; re-ran {} job(s) (seed {}): {matching} reproduced their trace hash\n",
            self.pack.display(),
            self.files,
            self.records,
            self.sampled.len(),
            self.seed
        ));
        out.push_str(if self.problems.is_empty() {
            "verified: every hash matches, the manifest is complete, the sample reproduces\n"
        } else {
            "NOT verified\n"
        });
        out
    }
}

/// The order the sample draws jobs in: by blake3 of (seed, job id).
fn draw_key(seed: u64, id: &str) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(&seed.to_le_bytes());
    h.update(id.as_bytes());
    *h.finalize().as_bytes()
}

/// Verifies the pack (see the module docs). An unreadable pack (no
/// manifest) is an error; everything else that does not hold is a problem
/// of the report.
pub fn verify(config: &VerifyConfig) -> Result<VerifyReport, RunnerError> {
    let pack = PackFiles::read(&config.pack)?;
    let unreadable =
        |what: &str| EvidenceError::Unreadable { path: config.pack.clone(), what: what.to_owned() };
    let manifest_bytes =
        pack.get(MANIFEST_NAME).ok_or_else(|| unreadable("no manifest.json: not an evidence pack"))?;
    let mut report = VerifyReport {
        pack: config.pack.clone(),
        files: 0,
        records: 0,
        seed: config.seed,
        sampled: Vec::new(),
        problems: Vec::new(),
    };
    let manifest: Manifest = match serde_json::from_slice(manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            report.problems.push(Problem::ManifestInvalid { message: e.to_string() });
            return Ok(report);
        }
    };
    report.files = manifest.files.len();
    let computed = manifest_digest(&manifest);
    if computed != manifest.digest {
        report.problems.push(Problem::ManifestDigest { written: manifest.digest.clone(), computed });
    }
    check_files(&manifest, &pack, &mut report.problems);
    if manifest.engine.version != ENGINE_VERSION {
        report.problems.push(Problem::EngineVersion {
            pack: manifest.engine.version.clone(),
            this: ENGINE_VERSION.to_owned(),
        });
    }
    let Some(records) = read_pack_records(&pack, &mut report.problems) else { return Ok(report) };
    report.records = records.len();
    let mut scenarios: BTreeMap<String, Result<Arc<Scenario>, String>> = BTreeMap::new();
    for r in &records {
        if r.engine_version != manifest.engine.version {
            report.problems.push(Problem::RecordEngine {
                job: r.id.clone(),
                record: r.engine_version.clone(),
                pack: manifest.engine.version.clone(),
            });
        }
        let scenario =
            scenarios.entry(r.file.clone()).or_insert_with(|| load_scenario(&manifest, &pack, &r.file));
        let message = match scenario {
            Err(message) => Some(message.clone()),
            Ok(s) if s.file_hash() != r.file_hash => Some(format!(
                "the pack's copy has file hash {}, the record ran {}",
                s.file_hash(),
                r.file_hash
            )),
            Ok(_) => None,
        };
        if let Some(message) = message {
            report.problems.push(Problem::ScenarioMismatch {
                job: r.id.clone(),
                file: r.file.clone(),
                message,
            });
        }
    }
    let taxonomy = pack.get(TAXONOMY).ok_or_else(|| "the pack has no taxonomy".to_owned()).and_then(|b| {
        Taxonomy::from_source(&SourceFile::new(TAXONOMY, String::from_utf8_lossy(b)))
            .map_err(|d| d.to_string())
    });
    rerun_sample(config, &records, &scenarios, taxonomy, &mut report);
    Ok(report)
}

/// Problems of the files against the manifest: missing, extra, edited.
fn check_files(manifest: &Manifest, pack: &PackFiles, problems: &mut Vec<Problem>) {
    for entry in &manifest.files {
        match pack.get(&entry.path) {
            None => problems.push(Problem::MissingFile { path: entry.path.clone() }),
            Some(bytes) => {
                let found = blake3::hash(bytes).to_hex().to_string();
                if found != entry.blake3 || bytes.len() as u64 != entry.bytes {
                    problems.push(Problem::HashMismatch {
                        path: entry.path.clone(),
                        expected: entry.blake3.clone(),
                        found,
                    });
                }
            }
        }
    }
    for path in pack.files.keys() {
        if path != MANIFEST_NAME && manifest.file(path).is_none() {
            problems.push(Problem::ExtraFile { path: path.clone() });
        }
    }
}

/// The pack's records, or `None` with a problem when they do not read.
fn read_pack_records(pack: &PackFiles, problems: &mut Vec<Problem>) -> Option<Vec<RunRecord>> {
    let Some(bytes) = pack.get(RECORDS) else {
        problems.push(Problem::RecordsUnreadable { message: format!("no {RECORDS} in the pack") });
        return None;
    };
    let mut records = Vec::new();
    for item in RecordReader::new(bytes, RECORDS) {
        match item {
            Ok(ReadItem::Record(r)) => records.push(*r),
            Ok(ReadItem::Torn(t)) => {
                problems.push(Problem::RecordsUnreadable { message: t.to_string() });
                return None;
            }
            Err(e) => {
                problems.push(Problem::RecordsUnreadable { message: e.to_string() });
                return None;
            }
        }
    }
    Some(records)
}

/// The pack's copy of the scenario file the records name `origin`.
fn load_scenario(manifest: &Manifest, pack: &PackFiles, origin: &str) -> Result<Arc<Scenario>, String> {
    let entry = manifest.input_from(origin).ok_or_else(|| "not in the pack's manifest".to_owned())?;
    let bytes = pack.get(&entry.path).ok_or_else(|| format!("{} is missing from the pack", entry.path))?;
    let source = SourceFile::new(origin, String::from_utf8_lossy(bytes));
    Scenario::from_source(source)
        .map(Arc::new)
        .map_err(|e| format!("the pack's copy {} is invalid: {e}", entry.path))
}

/// Re-runs the sample and records mismatches.
fn rerun_sample(
    config: &VerifyConfig,
    records: &[RunRecord],
    scenarios: &BTreeMap<String, Result<Arc<Scenario>, String>>,
    taxonomy: Result<Taxonomy, String>,
    report: &mut VerifyReport,
) {
    let mut candidates: Vec<&RunRecord> = records.iter().filter(|r| r.outcome != Outcome::Error).collect();
    candidates.sort_by_cached_key(|r| draw_key(config.seed, &r.id));
    candidates.dedup_by(|a, b| a.id == b.id);
    candidates.truncate(config.sample);
    if candidates.is_empty() {
        return;
    }
    let taxonomy = match taxonomy {
        Ok(t) => t,
        Err(message) => {
            for r in candidates {
                report.problems.push(Problem::RerunFailed { job: r.id.clone(), message: message.clone() });
            }
            return;
        }
    };
    // One factory per adapter spec.
    let mut factories: BTreeMap<String, Result<(AdapterFactory, AdapterIdentity), String>> = BTreeMap::new();
    for r in candidates {
        let spec = match &config.adapter {
            Some(a) => Ok(a.clone()),
            None => r.adapter.spec.parse::<AdapterSpec>().map_err(|e| e.to_string()),
        };
        let key = spec.as_ref().map_or_else(Clone::clone, ToString::to_string);
        let factory = factories.entry(key.clone()).or_insert_with(|| {
            let spec = spec?;
            let factory = AdapterFactory::new(&spec, &config.exec).map_err(|e| e.to_string())?;
            let identity = AdapterIdentity::resolve(&factory).map_err(|e| e.to_string())?;
            Ok((factory, identity))
        });
        let mut sampled = SampledJob {
            job: r.id.clone(),
            adapter: key.clone(),
            expected: r.trace_hash.clone(),
            found: String::new(),
        };
        let outcome = match (factory, scenarios.get(&r.file)) {
            (Err(message), _) => Err(message.clone()),
            (_, None | Some(Err(_))) => Err("its scenario file is not usable (see above)".to_owned()),
            (Ok((factory, identity)), Some(Ok(scenario))) => {
                Job::from_source(Arc::clone(scenario), r.seed, r.source.clone())
                    .map_err(|e| e.to_string())
                    .map(|job| {
                        let job = job.with_checks(requirement_checks(&taxonomy, scenario.hazards()).into());
                        let mut adapter = factory.make();
                        run_job(&job, adapter.as_mut(), identity, Tracing::Off, false).record
                    })
            }
        };
        match outcome {
            Ok(rerun) => {
                sampled.found = rerun.trace_hash.clone();
                if !sampled.matches() {
                    report.problems.push(Problem::TraceMismatch {
                        job: r.id.clone(),
                        adapter: key,
                        expected: r.trace_hash.clone(),
                        found: rerun.trace_hash,
                    });
                }
            }
            Err(message) => report.problems.push(Problem::RerunFailed { job: r.id.clone(), message }),
        }
        report.sampled.push(sampled);
    }
    for (factory, _) in factories.into_values().flatten() {
        // Only the adapter log can fail here, and it is none of verification's business.
        let _ = factory.finish_log();
    }
}
