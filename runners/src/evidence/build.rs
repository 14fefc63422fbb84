//! `gauntlet evidence build`: assembles a release's evidence pack.
//!
//! Layout of a pack folder (and of its `.tar`, under one top folder):
//!
//! ```text
//! manifest.json            every other file with its blake3, engine, adapters, commands
//! records.jsonl            the records, byte for byte
//! inputs/scenarios/ID.ron  each scenario file the records ran (checked against their file hash)
//! inputs/regressions/…     each saved regression file they ran
//! inputs/taxonomy.ron      the taxonomy
//! inputs/gate.toml         the gate file, when one was given
//! coverage.json            `gauntlet coverage --format json` of the records (with the monitor figures)
//! monitors.json / .md      the runtime-monitor figures (`gauntlet schema monitors`), per monitor and hazard
//! traceability.csv / .md   the traceability matrix
//! hazard-log.md / .csv     the hazard log
//! case.json / .md / .html  the assurance case (GSN)
//! gate-verdict.json        the verdict checks (and the gate's)
//! dashboard.html, junit.xml, summary.md   the CI artefacts of `gauntlet report`
//! ```
//!
//! Every file but the manifest is a function of the inputs and the records,
//! so two builds of the same records give the same bytes; the manifest's
//! `created` is the one timestamp.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gauntlet_reports::coverage::CoverageDocument;
use gauntlet_reports::evidence::{
    CaseInput, CaseSummary, EngineBuild, EvidenceIndex, FileEntry, FileKind, MANIFEST_FORMAT, MANIFEST_NAME,
    Manifest, assurance_case, hazard_log, manifest_digest, render_case_html, render_case_markdown,
    render_hazard_log_csv, render_hazard_log_markdown, render_matrix_csv, render_matrix_markdown,
    traceability_matrix,
};
use gauntlet_reports::monitors::{MonitorReport, render_monitors_markdown};
use gauntlet_reports::record::{AdapterRef, JobSource, RunRecord, read_records};
use gauntlet_reports::{GateCheck, JobIdentities, Seen};
use gauntlet_ron_source::SourceFile;
use gauntlet_scenarios::Scenario;
use gauntlet_taxonomy::{CoverageReport, Taxonomy};
use serde::Serialize;

use super::files::{io, walk};
use super::{EvidenceError, GATE, RECORDS, TAXONOMY};
use crate::adapter::ExecOptions;
use crate::artefacts::{ArtefactOptions, TraceSource};
use crate::commands::run::{RunConfig, run};
use crate::error::RunnerError;

/// Where a pack's records come from.
#[derive(Debug, Clone)]
pub enum PackSource {
    /// An existing records file, packed as is.
    Records(PathBuf),
    /// A sweep run now (its `out` is replaced by the pack's records file).
    Sweep(Box<RunConfig>),
}

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// The pack folder (created; an earlier pack there is replaced).
    pub out: PathBuf,
    /// Also write the pack as one archive, `OUT.tar`.
    pub archive: bool,
    /// The records.
    pub source: PackSource,
    /// The taxonomy (default: `taxonomy/default.ron` when it exists here, else the built-in copy).
    pub taxonomy: Option<PathBuf>,
    /// The gate file whose checks join the verdict.
    pub gate: Option<PathBuf>,
    /// The release's name.
    pub release: String,
    /// The manifest's `created` (RFC 3339); `None`: now.
    pub created: Option<String>,
    /// The command line that builds the pack, as the manifest records it.
    pub command: String,
    /// Worker threads for the dashboard's trace re-runs.
    pub threads: usize,
    /// External adapter options for those re-runs.
    pub exec: ExecOptions,
    /// Runtime-monitor parameters from the command line (over the gate file's `[monitors]`).
    pub monitors: gauntlet_reports::monitors::MonitorOverrides,
}

/// What a build made.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BuildReport {
    /// The pack folder.
    pub pack: PathBuf,
    /// The archive, when asked for.
    pub archive: Option<PathBuf>,
    /// The manifest written.
    pub manifest: Manifest,
    /// The assurance case's figures.
    pub case: CaseSummary,
    /// The verdict checks (as `gauntlet report` decides them).
    pub verdict: Vec<GateCheck>,
    /// Things the user should know.
    pub warnings: Vec<String>,
}

impl BuildReport {
    /// 0 when the verdict passed, else 1 (as `gauntlet report`).
    pub fn exit_code(&self) -> u8 {
        if gauntlet_reports::gate_passed(&self.verdict) {
            crate::error::EXIT_PASS
        } else {
            crate::error::EXIT_FAIL
        }
    }

    /// The lines printed after a build.
    pub fn render_text(&self) -> String {
        let c = &self.case;
        let mut out = format!(
            "evidence pack: {} ({} files and manifest.json, {} jobs)\n",
            self.pack.display(),
            self.manifest.files.len(),
            self.manifest.jobs
        );
        if let Some(a) = &self.archive {
            out.push_str(&format!("archive: {}\n", a.display()));
        }
        out.push_str(&format!(
            "assurance case: top goal {}; hazard goals {} supported, {} insufficient, {} undeveloped, {} failing\n",
            c.top.as_str(),
            c.hazards.supported,
            c.hazards.insufficient,
            c.hazards.undeveloped,
            c.hazards.failing
        ));
        for check in &self.verdict {
            let mark = if check.passed { "PASS" } else { "FAIL" };
            out.push_str(&format!(
                "verdict {mark} {}: {} (required {})\n",
                check.name, check.measured, check.required
            ));
        }
        out
    }
}

/// The gate verdict file.
#[derive(Serialize)]
struct GateVerdict<'a> {
    passed: bool,
    verdict: &'a [GateCheck],
    gate: Option<&'a [GateCheck]>,
}

/// The `gauntlet` build that assembles packs.
pub fn build_identity() -> String {
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    format!(
        "gauntlet {} ({profile}, {}-{})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        std::env::consts::OS
    )
}

/// Now, as the manifest writes it; `SOURCE_DATE_EPOCH` (seconds) when set,
/// for reproducible builds.
fn now_rfc3339() -> String {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<u64>().ok());
    let when = match epoch {
        Some(secs) => std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs),
        None => std::time::SystemTime::now(),
    };
    humantime::format_rfc3339_seconds(when).to_string()
}

fn write(pack: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> Result<(), EvidenceError> {
    let path = pack.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| io(dir, source))?;
    }
    std::fs::write(&path, bytes).map_err(|source| io(&path, source))
}

/// Makes `out` an empty folder, replacing an earlier pack; refuses a folder
/// that holds anything else.
fn prepare_folder(out: &Path) -> Result<(), EvidenceError> {
    if out.exists() {
        let empty = std::fs::read_dir(out).map_err(|source| io(out, source))?.next().is_none();
        if !empty {
            if !out.join(MANIFEST_NAME).is_file() {
                return Err(EvidenceError::NotAPack { path: out.to_path_buf() });
            }
            std::fs::remove_dir_all(out).map_err(|source| io(out, source))?;
        }
    }
    std::fs::create_dir_all(out).map_err(|source| io(out, source))
}

/// An input file copied into the pack.
struct Input {
    /// The path the records name.
    origin: String,
    /// Scenario or regression.
    kind: FileKind,
    /// Its bytes.
    bytes: Vec<u8>,
}

/// The inputs the records name, by pack path.
fn inputs(records: &[RunRecord]) -> Result<BTreeMap<String, Input>, EvidenceError> {
    let mut out: BTreeMap<String, Input> = BTreeMap::new();
    let mut by_origin: BTreeMap<String, String> = BTreeMap::new();
    for r in records {
        if !by_origin.contains_key(&r.file) {
            let bytes = std::fs::read(&r.file).map_err(|source| EvidenceError::InputMissing {
                job: r.id.clone(),
                what: "scenario file",
                origin: r.file.clone(),
                source,
            })?;
            let now = Scenario::from_source(SourceFile::new(&r.file, String::from_utf8_lossy(&bytes)))
                .map(|s| s.file_hash().to_owned())
                .unwrap_or_else(|_| blake3::hash(&bytes).to_hex().to_string());
            if now != r.file_hash {
                return Err(EvidenceError::InputChanged {
                    job: r.id.clone(),
                    origin: r.file.clone(),
                    then: r.file_hash.clone(),
                    now,
                });
            }
            let mut path = format!("inputs/scenarios/{}.ron", r.scenario);
            if out.contains_key(&path) {
                path = format!(
                    "inputs/scenarios/{}.{}.ron",
                    r.scenario,
                    &r.file_hash[..r.file_hash.len().min(12)]
                );
            }
            by_origin.insert(r.file.clone(), path.clone());
            out.insert(path, Input { origin: r.file.clone(), kind: FileKind::Scenario, bytes });
        }
        if let JobSource::Regression { regression, .. } = &r.source
            && !by_origin.contains_key(regression)
        {
            let bytes = std::fs::read(regression).map_err(|source| EvidenceError::InputMissing {
                job: r.id.clone(),
                what: "regression file",
                origin: regression.clone(),
                source,
            })?;
            let name = Path::new(regression)
                .file_name()
                .map_or_else(|| "regression.ron".to_owned(), |n| n.to_string_lossy().into_owned());
            let mut path = format!("inputs/regressions/{name}");
            if out.contains_key(&path) {
                path = format!("inputs/regressions/{}.{name}", by_origin.len());
            }
            by_origin.insert(regression.clone(), path.clone());
            out.insert(path, Input { origin: regression.clone(), kind: FileKind::Regression, bytes });
        }
    }
    Ok(out)
}

/// The taxonomy file's text and how it is named.
pub(crate) fn taxonomy_text(path: Option<&Path>) -> Result<(String, String), RunnerError> {
    let default = PathBuf::from(crate::taxonomy::DEFAULT_TAXONOMY);
    let chosen = match path {
        Some(p) => Some(p.to_path_buf()),
        None if default.is_file() => Some(default),
        None => None,
    };
    match chosen {
        Some(p) => {
            let text =
                std::fs::read_to_string(&p).map_err(|source| RunnerError::Io { path: p.clone(), source })?;
            Ok((text, p.display().to_string()))
        }
        None => {
            Ok((gauntlet_taxonomy::DEFAULT_TAXONOMY.to_owned(), "built-in taxonomy/default.ron".to_owned()))
        }
    }
}

/// The adapters the records name, sorted, each once.
fn adapters(records: &[RunRecord]) -> Vec<AdapterRef> {
    let mut out: Vec<AdapterRef> = records.iter().map(|r| r.adapter.clone()).collect();
    out.sort();
    out.dedup();
    out
}

/// The engine versions the records name, sorted, each once.
fn engines(records: &[RunRecord]) -> Vec<String> {
    let mut out: Vec<String> = records.iter().map(|r| r.engine_version.clone()).collect();
    out.sort();
    out.dedup();
    out
}

/// The records of `path`, those repeating a job identity and result dropped.
pub(crate) fn read_unique(path: &Path) -> Result<(Vec<RunRecord>, u64, Vec<String>), RunnerError> {
    let mut all = Vec::new();
    let mut count = 0;
    let mut identities = JobIdentities::default();
    for r in read_records(path) {
        let r = r?;
        count += 1;
        if identities.see(&r) != Seen::Duplicate {
            all.push(r);
        }
    }
    Ok((all, count, identities.warning(&path.display().to_string()).into_iter().collect()))
}

/// The evidence documents of `records`: file name → bytes, and the case's figures.
pub(crate) struct Documents {
    pub files: Vec<(&'static str, String)>,
    pub case: CaseSummary,
}

/// Renders the matrix, the hazard log, the case and the monitor figures
/// from coverage, the monitor report and the records.
pub(crate) fn documents(
    release: &str,
    taxonomy: &Taxonomy,
    taxonomy_label: &str,
    coverage: &CoverageReport,
    monitors: &MonitorReport,
    records: &[RunRecord],
    base: &str,
) -> Result<Documents, RunnerError> {
    let index = EvidenceIndex::build(taxonomy, records);
    let matrix = traceability_matrix(taxonomy, coverage, &index);
    let monitors_given = (!monitors.is_empty()).then_some(monitors);
    let log = hazard_log(taxonomy, coverage, &index, monitors_given);
    let adapters: Vec<String> =
        adapters(records).iter().map(|a| format!("{} ({} {})", a.spec, a.name, a.version)).collect();
    let engines = engines(records);
    let case = assurance_case(&CaseInput {
        release,
        taxonomy,
        taxonomy_label,
        coverage,
        index: &index,
        adapters: &adapters,
        engines: &engines,
        base,
        monitors: monitors_given,
    });
    Ok(Documents {
        files: vec![
            ("traceability.csv", render_matrix_csv(&matrix)),
            ("traceability.md", render_matrix_markdown(&matrix)),
            ("hazard-log.md", render_hazard_log_markdown(&log)),
            ("hazard-log.csv", render_hazard_log_csv(&log)),
            ("case.json", crate::json::document("assurance-case", &case)?),
            ("case.md", render_case_markdown(&case)),
            ("case.html", render_case_html(&case)),
            ("monitors.json", crate::json::document("monitors", monitors)?),
            ("monitors.md", render_monitors_markdown(monitors)),
        ],
        case: case.summary,
    })
}

/// Builds the pack (see the module docs).
pub fn build(config: &BuildConfig) -> Result<BuildReport, RunnerError> {
    let out = &config.out;
    prepare_folder(out)?;
    let records_path = out.join(RECORDS);
    let mut commands = vec![config.command.clone()];
    let mut warnings = Vec::new();
    match &config.source {
        PackSource::Records(path) => {
            std::fs::copy(path, &records_path)
                .map_err(|source| RunnerError::Io { path: path.clone(), source })?;
        }
        PackSource::Sweep(run_config) => {
            let mut run_config = (**run_config).clone();
            run_config.out = records_path.clone();
            run_config.taxonomy = config.taxonomy.clone().or(run_config.taxonomy);
            commands.push(sweep_command(&run_config));
            let report = run(&run_config)?;
            warnings.extend(report.warnings);
        }
    }
    let (records, count, mut w) = read_unique(&records_path)?;
    warnings.append(&mut w);
    if records.is_empty() {
        return Err(EvidenceError::NoRecords { path: records_path }.into());
    }

    // Inputs.
    let mut kinds: BTreeMap<String, (FileKind, Option<String>)> = BTreeMap::new();
    kinds.insert(RECORDS.to_owned(), (FileKind::Records, None));
    for (path, input) in inputs(&records)? {
        write(out, &path, &input.bytes)?;
        kinds.insert(path, (input.kind, Some(input.origin)));
    }
    let (text, label) = taxonomy_text(config.taxonomy.as_deref())?;
    let taxonomy = Taxonomy::from_source(&SourceFile::new(&label, text.clone()))
        .map_err(|d| RunnerError::Taxonomy(Box::new(d)))?;
    write(out, TAXONOMY, &text)?;
    kinds.insert(TAXONOMY.to_owned(), (FileKind::Taxonomy, Some(label)));
    if let Some(gate) = &config.gate {
        let bytes = std::fs::read(gate).map_err(|source| RunnerError::Io { path: gate.clone(), source })?;
        write(out, GATE, bytes)?;
        kinds.insert(GATE.to_owned(), (FileKind::Gate, Some(gate.display().to_string())));
    }

    // The CI artefacts and the verdict, as `gauntlet report` makes them.
    let options = ArtefactOptions {
        title: format!("Gauntlet release {}", config.release),
        junit: Some(out.join("junit.xml")),
        markdown: Some(out.join("summary.md")),
        html: Some(out.join("dashboard.html")),
        gate: config.gate.clone(),
        monitors: config.monitors,
        ..ArtefactOptions::default()
    };
    let prepared = options.prepare(&taxonomy)?;
    let source = TraceSource { adapter: None, exec: config.exec.clone(), threads: config.threads.max(1) };
    let mut artefacts = prepared.finish(&records, &source)?;
    warnings.append(&mut artefacts.warnings);
    let coverage = &artefacts.coverage;
    let coverage_doc = CoverageDocument {
        coverage: coverage.clone(),
        monitors: (!artefacts.monitors.is_empty()).then(|| artefacts.monitors.clone()),
        by_source: Vec::new(),
        hand_written: Vec::new(),
    };
    write(out, "coverage.json", crate::json::document("coverage", &coverage_doc)?)?;
    let verdict = GateVerdict {
        passed: gauntlet_reports::gate_passed(&artefacts.verdict),
        verdict: &artefacts.verdict,
        gate: artefacts.gate.as_deref(),
    };
    write(out, "gate-verdict.json", crate::json::document("gate-verdict", &verdict)?)?;
    let taxonomy_label =
        format!("inputs/taxonomy.ron (blake3 {})", &blake3::hash(text.as_bytes()).to_hex()[..16]);
    let docs =
        documents(&config.release, &taxonomy, &taxonomy_label, coverage, &artefacts.monitors, &records, "")?;
    for (name, text) in &docs.files {
        write(out, name, text)?;
    }

    // The manifest of every file written.
    let mut files = BTreeMap::new();
    walk(out, out, &mut files)?;
    files.remove(MANIFEST_NAME);
    let entries = files
        .iter()
        .map(|(path, bytes)| {
            let (kind, origin) = kinds.get(path).cloned().unwrap_or((FileKind::Artefact, None));
            FileEntry {
                path: path.clone(),
                kind,
                bytes: bytes.len() as u64,
                blake3: blake3::hash(bytes).to_hex().to_string(),
                origin,
            }
        })
        .collect();
    let engine_version = match engines(&records).as_slice() {
        [one] => one.clone(),
        many => many.join(", "),
    };
    let mut manifest = Manifest {
        format_version: MANIFEST_FORMAT,
        release: config.release.clone(),
        created: config.created.clone().unwrap_or_else(now_rfc3339),
        engine: EngineBuild { version: engine_version, build: build_identity() },
        adapters: adapters(&records),
        commands,
        jobs: count,
        files: entries,
        digest: String::new(),
    };
    manifest.digest = manifest_digest(&manifest);
    let mut json = serde_json::to_string_pretty(&manifest)?;
    json.push('\n');
    write(out, MANIFEST_NAME, &json)?;
    files.insert(MANIFEST_NAME.to_owned(), json.into_bytes());

    let archive = if config.archive {
        let path = archive_path(out);
        let top = out.file_name().map_or_else(|| "evidence".to_owned(), |n| n.to_string_lossy().into_owned());
        let file =
            std::fs::File::create(&path).map_err(|source| RunnerError::Io { path: path.clone(), source })?;
        super::archive::write_tar(std::io::BufWriter::new(file), &top, &files)
            .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
            .map_err(|source| RunnerError::Io { path: path.clone(), source })?;
        Some(path)
    } else {
        None
    };
    Ok(BuildReport {
        pack: out.clone(),
        archive,
        manifest,
        case: docs.case,
        verdict: artefacts.verdict.clone(),
        warnings,
    })
}

/// `OUT.tar` next to the folder `OUT`.
pub fn archive_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map_or_else(|| "evidence".into(), |n| n.to_os_string());
    name.push(".tar");
    out.with_file_name(name)
}

/// The `gauntlet run` command line of a sweep a build runs.
fn sweep_command(c: &RunConfig) -> String {
    let mut args: Vec<String> = vec!["gauntlet".into(), "run".into()];
    args.extend(c.paths.iter().map(|p| p.display().to_string()));
    args.extend(["--seeds".into(), c.seeds.to_string(), "--adapter".into(), c.adapter.to_string()]);
    match &c.regressions {
        Some(dir) => args.extend(["--regressions".into(), dir.display().to_string()]),
        None => args.push("--no-regressions".into()),
    }
    if let Some(t) = &c.taxonomy {
        args.extend(["--taxonomy".into(), t.display().to_string()]);
    }
    if let Some(b) = c.budget {
        args.extend(["--budget".into(), b.to_string()]);
    }
    if !c.triage {
        args.push("--no-triage".into());
    }
    args.extend(["--out".into(), c.out.display().to_string()]);
    shell_words::join(args)
}
