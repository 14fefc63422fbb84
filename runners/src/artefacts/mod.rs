//! The CI artefacts of a sweep: JUnit XML, the Markdown summary, the HTML
//! dashboard, the baseline diff and the gate, and the exit code they decide.
//!
//! Two steps, so that bad input stops a sweep before it starts rather than
//! after an hour of simulation: [`ArtefactOptions::prepare`] reads the gate
//! file, the taxonomy, the baseline (into a compact [`DiffIndex`]) and the
//! history; [`Prepared::finish_file`] reads the records file once, as a
//! stream, into a [`SweepDigest`] (memory bounded by the scenarios and the
//! failing jobs, not by the sweep's size), judges it and writes the files.
//! The renderers are the pure functions of `gauntlet_reports`; the runner's
//! only share is re-running failing jobs for the dashboard's traces
//! ([`traces`]).
//!
//! The verdict ([`Artefacts::verdict`]) is a list of checks, and the exit
//! code is 1 when any fails:
//!
//! - with neither a baseline nor a gate, one check: no job failed or errored;
//! - with a baseline, the check `baseline`: no regression and no flake (and,
//!   with `--strict`, no job still failing); failing jobs that are new, or
//!   were failing before, do not fail it;
//! - with a gate, every check of the gate file;
//! - with both, both.
//!
//! The Markdown summary and the dashboard show these checks, so their
//! verdict is always the exit code's.

mod gaps;
mod history;
mod mcap_failures;
mod mcap_schemas;
mod mcap_trace;
mod replay_trace;
mod trace_view;
pub mod traces;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use gauntlet_reports::record::{ReadError, ReadItem, RunRecord, read_records_tolerant};
use gauntlet_reports::{
    BaselineDiff, DashboardInput, DiffIndex, DiffOptions, DigestBuilder, GateCheck, GateConfig, GateError,
    GateInputs, HistoryPoint, JunitError, MarkdownOptions, Summary, SweepDigest, Totals, diff_indexes,
    evaluate, render_dashboard, render_diff, render_gate, render_markdown_summary, verdict_checks,
};
use gauntlet_taxonomy::{CoverageReport, Taxonomy};

pub use history::{History, load_history};
pub use mcap_failures::{McapFailures, write_failure_mcaps};
pub use mcap_trace::{McapError, McapTrace};
pub use replay_trace::{MAX_REPLAY_FRAMES, ReplayTrace};
pub use trace_view::{road_view, trace_view};
pub use traces::{TraceSet, TraceSource};

/// Most failing jobs re-run for the dashboard's traces, by default.
pub const DEFAULT_MAX_TRACES: usize = 50;

/// Which artefacts to write and how to judge the sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct ArtefactOptions {
    /// Title of the JUnit report, the Markdown summary and the dashboard.
    /// Default `Gauntlet`.
    pub title: String,
    /// Write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// Write the Markdown summary here.
    pub markdown: Option<PathBuf>,
    /// Write the HTML dashboard here.
    pub html: Option<PathBuf>,
    /// Compare with this earlier records file.
    pub baseline: Option<PathBuf>,
    /// With a baseline, also fail on jobs that were already failing.
    pub strict: bool,
    /// With a baseline, how far any criterion's margin may shrink (in that
    /// criterion's unit) on a job passing in both before it is a margin
    /// regression; the gate file's `[gate.margin_tolerance]` wins for the
    /// criteria it names. `None`: 0.1 × each criterion's scale.
    pub margin_tolerance: Option<f64>,
    /// Read the `[gate]` thresholds from this TOML file.
    pub gate: Option<PathBuf>,
    /// Earlier record files for the dashboard's trend.
    pub history: Option<PathBuf>,
    /// Most failing jobs re-run for the dashboard's traces. Default
    /// [`DEFAULT_MAX_TRACES`].
    pub max_traces: usize,
    /// Runtime-monitor parameters given on the command line; each wins over
    /// the gate file's `[monitors]` value.
    pub monitors: gauntlet_reports::monitors::MonitorOverrides,
}

impl Default for ArtefactOptions {
    fn default() -> Self {
        Self {
            title: "Gauntlet".to_owned(),
            junit: None,
            markdown: None,
            html: None,
            baseline: None,
            strict: false,
            margin_tolerance: None,
            gate: None,
            history: None,
            max_traces: DEFAULT_MAX_TRACES,
            monitors: Default::default(),
        }
    }
}

/// Why an artefact could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ArtefactError {
    /// The gate file is unreadable or invalid.
    #[error(transparent)]
    Gate(#[from] GateError),
    /// A records file (baseline, history) has a bad line.
    #[error("failed to read records from {}", path.display())]
    Records {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: ReadError,
    },
    /// The history folder cannot be listed.
    #[error("failed to list the history folder {}", path.display())]
    History {
        /// The folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The JUnit report cannot be rendered.
    #[error("failed to render the JUnit report")]
    Junit(#[source] JunitError),
    /// An artefact cannot be written.
    #[error("failed to write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl ArtefactOptions {
    /// Whether any artefact or verdict beyond the plain summary is asked for.
    pub fn wants_anything(&self) -> bool {
        self.junit.is_some()
            || self.markdown.is_some()
            || self.html.is_some()
            || self.baseline.is_some()
            || self.gate.is_some()
    }

    /// Reads every input (gate, baseline, history) so that a mistake in one
    /// is reported before any job runs; `taxonomy` is the command's, loaded
    /// once ([`crate::taxonomy::load_taxonomy`]).
    pub fn prepare(&self, taxonomy: &Taxonomy) -> Result<Prepared, ArtefactError> {
        let gate = self.gate.as_deref().map(GateConfig::load).transpose()?;
        if let (Some(config), Some(path)) = (&gate, &self.gate) {
            config.check_criteria(&gauntlet_engine::CRITERION_NAMES, path)?;
        }
        let taxonomy = taxonomy.clone();
        let mut warnings = Vec::new();
        let baseline = match &self.baseline {
            Some(path) => {
                let mut index = DiffIndex::default();
                for_each_record(path, "baseline", &mut warnings, |r| index.add(r))?;
                Some(index)
            }
            None => None,
        };
        let (history, history_margins) = match &self.history {
            Some(dir) => {
                let (h, mut w) = load_history(dir, &taxonomy)?;
                warnings.append(&mut w);
                (h.points, Some(h.margins))
            }
            None => (Vec::new(), None),
        };
        Ok(Prepared { options: self.clone(), gate, taxonomy, baseline, history, history_margins, warnings })
    }
}

/// Every record of `path`; a torn last line is skipped with a warning.
pub fn read_all(
    path: &Path,
    what: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<RunRecord>, ArtefactError> {
    let mut records = Vec::new();
    for_each_record(path, what, warnings, |r| records.push(r.clone()))?;
    Ok(records)
}

/// Streams every record of `path` through `f`, one at a time; a torn last
/// line is skipped with a warning.
pub fn for_each_record(
    path: &Path,
    what: &str,
    warnings: &mut Vec<String>,
    mut f: impl FnMut(&RunRecord),
) -> Result<(), ArtefactError> {
    for item in read_records_tolerant(path) {
        match item.map_err(|source| ArtefactError::Records { path: path.to_owned(), source })? {
            ReadItem::Record(record) => f(&record),
            ReadItem::Torn(torn) => warnings.push(format!("{what}: {torn}")),
        }
    }
    Ok(())
}

/// The inputs of the artefacts, read and validated.
#[derive(Debug)]
pub struct Prepared {
    options: ArtefactOptions,
    gate: Option<GateConfig>,
    taxonomy: Taxonomy,
    baseline: Option<DiffIndex>,
    history: Vec<HistoryPoint>,
    /// The history's nights of worst margins, when a history was given.
    history_margins: Option<Vec<gauntlet_reports::trend::NightMargins>>,
    warnings: Vec<String>,
}

/// What the artefacts found and where they went.
#[derive(Clone, Debug)]
pub struct Artefacts {
    /// Jobs by outcome.
    pub totals: Totals,
    /// The plain-text summary of the records.
    pub summary: Summary,
    /// The diff against the baseline, when one was given.
    pub diff: Option<BaselineDiff>,
    /// Whether jobs still failing since the baseline fail the build.
    pub strict: bool,
    /// The gate checks, when a gate file was given.
    pub gate: Option<Vec<GateCheck>>,
    /// The checks that decide the exit code (see the module docs).
    pub verdict: Vec<GateCheck>,
    /// Coverage of the taxonomy by the records.
    pub coverage: CoverageReport,
    /// Runtime-monitor effectiveness (empty when no record names a monitor).
    pub monitors: gauntlet_reports::monitors::MonitorReport,
    /// Leading indicators over the history and tonight, when a history was given.
    pub leading: Option<gauntlet_reports::trend::LeadingReport>,
    /// Failing jobs shown with a trace in the dashboard.
    pub traces: usize,
    /// Why other failing jobs have no trace in the dashboard.
    pub trace_notes: Vec<String>,
    /// Files written, in the order JUnit, Markdown, HTML.
    pub written: Vec<PathBuf>,
    /// Things the user should know that did not stop the work.
    pub warnings: Vec<String>,
}

impl Prepared {
    /// Reads the records file `path` once, as a stream, judges it and
    /// writes the asked-for files. A torn last line is skipped with a
    /// warning. `traces` says how to re-run failing jobs when a dashboard is
    /// asked for.
    pub fn finish_file(self, path: &Path, traces: &TraceSource) -> Result<Artefacts, ArtefactError> {
        let mut warnings = Vec::new();
        let mut builder =
            DigestBuilder::new(Some(&self.taxonomy)).with_monitor_options(self.monitor_options());
        if self.options.junit.is_some() {
            builder = builder.with_junit();
        }
        if self.baseline.is_some() {
            builder = builder.with_diff_index();
        }
        // Duplicates (same job identity and result) are counted once; conflicts all, with a warning.
        let mut identities = gauntlet_reports::JobIdentities::default();
        for_each_record(path, "records", &mut warnings, |r| {
            if identities.see(r) != gauntlet_reports::Seen::Duplicate {
                builder.add(r);
            }
        })?;
        warnings.extend(identities.warning(&path.display().to_string()));
        let junit = builder.take_junit();
        let digest = builder.finish();
        let mut artefacts = self.finish_digest(&digest, junit, traces)?;
        warnings.append(&mut artefacts.warnings);
        artefacts.warnings = warnings;
        Ok(artefacts)
    }

    /// Judges `records` and writes the asked-for files, as
    /// [`finish_file`](Self::finish_file) does for a file.
    pub fn finish(self, records: &[RunRecord], traces: &TraceSource) -> Result<Artefacts, ArtefactError> {
        let mut builder =
            DigestBuilder::new(Some(&self.taxonomy)).with_monitor_options(self.monitor_options());
        if self.options.junit.is_some() {
            builder = builder.with_junit();
        }
        if self.baseline.is_some() {
            builder = builder.with_diff_index();
        }
        for r in records {
            builder.add(r);
        }
        let junit = builder.take_junit();
        let digest = builder.finish();
        self.finish_digest(&digest, junit, traces)
    }

    /// The runtime-monitor parameters: the command line's, else the gate
    /// file's `[monitors]`, else the defaults.
    pub fn monitor_options(&self) -> gauntlet_reports::monitors::MonitorOptions {
        self.options.monitors.apply(self.gate.as_ref().map(|g| g.monitors).unwrap_or_default())
    }

    fn finish_digest(
        self,
        digest: &SweepDigest,
        junit: Option<gauntlet_reports::JunitBuilder>,
        traces: &TraceSource,
    ) -> Result<Artefacts, ArtefactError> {
        let o = &self.options;
        let totals = digest.totals;
        let diff = match (&self.baseline, &digest.diff_index) {
            (Some(old), Some(new)) => {
                let options = DiffOptions {
                    margin_tolerance: o.margin_tolerance,
                    criterion_tolerance: self
                        .gate
                        .as_ref()
                        .map(|g| g.margin_tolerance.clone())
                        .unwrap_or_default(),
                };
                Some(diff_indexes(old, new, &options))
            }
            _ => None,
        };
        let coverage = digest.coverage.clone().unwrap_or_else(|| {
            gauntlet_taxonomy::CoverageBuilder::new(&self.taxonomy)
                .finish(&gauntlet_taxonomy::CoverageOptions::default())
        });
        let leading = self.history_margins.as_ref().map(|nights| {
            let options = self.gate.as_ref().map(|g| g.leading).unwrap_or_default();
            let mut nights = nights.clone();
            nights.push(digest.margins.clone());
            gauntlet_reports::trend::leading_indicators(&nights, &options)
        });
        let gate = self.gate.as_ref().map(|config| {
            let inputs = GateInputs {
                totals,
                diff: diff.as_ref(),
                top_risk_coverage: coverage.top_risk.hazards.ratio,
                risk_classes: digest.risk_classes.clone(),
                triage: digest.summary.triage,
                boundary: digest.summary.boundary,
                leading_alerts: leading.as_ref().map(|l| l.alerts),
            };
            evaluate(config, &inputs)
        });
        let verdict = verdict_checks(&totals, diff.as_ref(), o.strict, gate.as_deref());
        let checks = verdict.as_slice();

        let mut written = Vec::new();
        if let Some(path) = &o.junit {
            let builder = junit.unwrap_or_default();
            write_with(path, |out| builder.write(&o.title, out).map_err(ArtefactError::Junit))?;
            written.push(path.clone());
        }
        if let Some(path) = &o.markdown {
            let gaps = gaps::top_risk_gaps(&self.taxonomy, &coverage, MarkdownOptions::default().max_items);
            let options = MarkdownOptions { title: o.title.clone(), ..MarkdownOptions::default() };
            let text = render_markdown_summary(
                &digest.summary,
                checks,
                diff.as_ref(),
                &[(gaps::TITLE.to_owned(), gaps)],
                &options,
            );
            write(path, &text)?;
            written.push(path.clone());
        }
        let mut trace_set = TraceSet::default();
        if let Some(path) = &o.html {
            trace_set = traces::collect(&digest.failing_records(), o.max_traces, traces);
            let input = DashboardInput {
                title: o.title.clone(),
                digest,
                taxonomy: Some(&self.taxonomy),
                coverage: Some(&coverage),
                gate: checks,
                diff: diff.as_ref(),
                history: &self.history,
                leading: leading.as_ref(),
                traces: &trace_set.traces,
                trace_notes: &trace_set.notes,
            };
            let html = render_dashboard(&input);
            write(path, &html)?;
            written.push(path.clone());
        }
        Ok(Artefacts {
            totals,
            summary: digest.summary.clone(),
            diff,
            strict: o.strict,
            gate,
            verdict,
            coverage,
            monitors: digest.monitors.clone(),
            leading,
            traces: trace_set.traces.len(),
            trace_notes: trace_set.notes,
            written,
            warnings: self.warnings,
        })
    }
}

impl Artefacts {
    /// Why the sweep fails, one failed verdict check each; empty when it passes.
    pub fn failures(&self) -> Vec<String> {
        self.verdict
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}, required {}", c.name, c.measured, c.required))
            .collect()
    }

    /// 0 when the sweep passes, 1 when it fails.
    pub fn exit_code(&self) -> u8 {
        if self.failures().is_empty() { crate::error::EXIT_PASS } else { crate::error::EXIT_FAIL }
    }

    /// What to print after the summary: the gate, the baseline diff, the
    /// files written, the trace notes and the verdict.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        if !self.monitors.is_empty() {
            out.push('\n');
            out.push_str(&gauntlet_reports::monitors::render_monitors(&self.monitors));
        }
        if let Some(leading) = &self.leading {
            let text = gauntlet_reports::trend::render_leading(leading, false);
            if !text.is_empty() {
                out.push('\n');
                out.push_str(&text);
            }
        }
        if let Some(checks) = &self.gate {
            out.push('\n');
            out.push_str(&render_gate(checks));
        }
        if let Some(d) = &self.diff {
            out.push('\n');
            out.push_str(&render_diff(d));
        }
        if !self.written.is_empty() || !self.trace_notes.is_empty() {
            out.push('\n');
        }
        for path in &self.written {
            let _ = writeln!(out, "wrote {}", path.display());
        }
        if !self.trace_notes.is_empty() {
            let _ = writeln!(out, "dashboard: {} failing job(s) with a trace; without one:", self.traces);
            for note in &self.trace_notes {
                let _ = writeln!(out, "  {note}");
            }
        }
        if self.diff.is_some() || self.gate.is_some() {
            let failures = self.failures();
            if failures.is_empty() {
                out.push_str("\nverdict: passed\n");
            } else {
                let _ = writeln!(out, "\nverdict: FAILED ({})", failures.join("; "));
            }
        }
        out
    }
}

/// `error: cause: cause of the cause…`, for one-line messages of errors whose
/// `Display` leaves the cause to `source()`.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // Some wrappers repeat their cause in their own message.
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// Writes to `path` through a buffer with `f`, creating its folder.
fn write_with(
    path: &Path,
    f: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<(), ArtefactError>,
) -> Result<(), ArtefactError> {
    use std::io::Write as _;
    let err = |source| ArtefactError::Write { path: path.to_owned(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(err)?);
    f(&mut out)?;
    out.flush().map_err(err)
}

/// Writes `text` to `path`, creating its folder.
fn write(path: &Path, text: &str) -> Result<(), ArtefactError> {
    let err = |source| ArtefactError::Write { path: path.to_owned(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::write(path, text).map_err(err)
}
