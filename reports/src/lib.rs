//! Gauntlet's record schema and the reports built from records.
//!
//! Every function here is pure: it takes records (or iterators of them) and
//! returns data or strings. **Architecture invariant:** `reports` never runs
//! a simulation, prints, or exits; the `gauntlet` binary does the I/O.
//!
//! | module | artefact |
//! |---|---|
//! | [`record`] | the JSON Lines record schema, reader and writer |
//! | [`boundary`] | failures of scenarios past a regulation's boundary, classified by triage |
//! | [`summary`] | the plain-text table printed after a sweep |
//! | [`junit`] | JUnit XML for CI servers |
//! | [`digest`] | one streaming pass over the records that every artefact is rendered from |
//! | [`diff`](mod@diff) | the baseline diff, its text and its exit gate |
//! | [`merge`](mod@merge) | merging record streams (shards) |
//! | [`markdown`] | the Markdown summary for CI job pages |
//! | [`gate`] | the `[gate]` thresholds and their checks |
//! | [`coverage`](mod@coverage) | records as taxonomy coverage facts |
//! | [`html`] | the self-contained dashboard and replay viewer |
//! | [`evidence`] | traceability matrix, hazard log, assurance case (GSN) and the evidence pack manifest |
//! | [`trend`] | leading indicators: margin trends over nightly history |
//! | [`monitors`] | runtime-monitor effectiveness: recall, false alarms, lead times |
//!
//! ```
//! use gauntlet_reports::{RecordReader, ReadItem, render_summary, summarize};
//!
//! let line = r#"{"schema":1,"scenario":"cut_in.highway","title":"Cut-in","file":"cut_in.ron","file_hash":"ab","seed":3,"kind":"run","adapter":{"spec":"builtin:reference","name":"reference","version":"0.1.0"},"engine_version":"0.1.0","outcome":"pass","verdicts":[{"criterion":"no_collision","passed":true,"margin":1.5,"first_violation_t":null,"worst_t":4.0}],"error":null,"steps":400,"sim_time":20.0,"wall_ms":12.3,"trace_hash":"cd","replay":"gauntlet replay cut_in.ron --seed 3"}
//! "#;
//! let records: Vec<_> = RecordReader::new(line.as_bytes(), "<example>")
//!     .map(|item| match item.unwrap() {
//!         ReadItem::Record(record) => *record,
//!         ReadItem::Torn(torn) => panic!("{torn}"),
//!     })
//!     .collect();
//! let text = render_summary(&summarize(&records));
//! assert!(text.starts_with("scenario        runs  pass  fail  error  worst margin  criterion\n"));
//! ```
#![warn(missing_docs)]

pub mod boundary;
pub mod coverage;
pub mod diff;
pub mod digest;
pub mod evidence;
pub mod gate;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod monitors;
pub mod provenance;
pub mod record;
pub mod summary;
pub mod trend;

pub use diff::{
    BaselineDiff, DEFAULT_TOLERANCE_IN_SCALES, DiffIndex, DiffOptions, MarginRegression, diff, diff_indexes,
    exit_gate, render_diff,
};
pub use digest::{DigestBuilder, ScenarioDigest, SweepDigest};
pub use gate::{
    GateCheck, GateConfig, GateError, GateInputs, evaluate, gate_passed, render_gate, verdict_checks,
};
pub use html::{DashboardInput, HistoryPoint, TraceView, render_dashboard, render_replay};
pub use junit::{JunitBuilder, JunitError, junit_report, render_junit};
pub use markdown::{MarkdownOptions, render_markdown, render_markdown_summary};
pub use merge::{JobIdentities, MergeError, MergeOptions, MergeOutput, MergeStats, Seen, merge};
pub use record::{
    AdapterRef, ErrorKind, JobKey, JobKind, Outcome, ParamValue, ReadError, ReadItem, RecordError,
    RecordReader, RecordWriter, RunRecord, SCHEMA_VERSION, TornLine, Triage, Verdict, WriteError,
    read_records, read_records_tolerant,
};
pub use summary::{
    MarginRef, Summary, SummaryBuilder, Totals, TriageCounts, WorstMargin, fit, fmt_margin_unit,
    render_summary, summarize,
};
