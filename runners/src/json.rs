//! Machine-readable output: `--format json` on `run`, `report`, `validate`,
//! `list`, `merge`, `fuzz` and `coverage`, and the JSON Schemas of those
//! documents and of the record (`gauntlet schema NAME`).
//!
//! Every document is one JSON object with `"format_version": 1`
//! ([`FORMAT_VERSION`]) and a `"kind"` naming the command (`"run"`, …),
//! then the command's own fields. The shapes are the serde types of this
//! module; a field is only ever added within a format version.

use std::collections::BTreeMap;

use gauntlet_reports::diff::DiffCounts;
use gauntlet_reports::gate::GateCheck;
use gauntlet_reports::merge::{Conflict, MergeStats};
use gauntlet_reports::record::RunRecord;
use gauntlet_reports::{Summary, Totals};
use gauntlet_taxonomy::Share;
use schemars::JsonSchema;
use serde::Serialize;

use crate::artefacts::Artefacts;
use crate::commands::fuzz::FuzzReport;
use crate::commands::merge::MergeReport;
use crate::commands::report::ReportOutput;
use crate::commands::run::RunReport;
use crate::commands::validate::{ListReport, ValidateReport};
use crate::error::RunnerError;
use crate::fuzz::RegressionStatus;

/// The version of every JSON document's shape.
pub const FORMAT_VERSION: u32 = 1;

/// The names `gauntlet schema NAME` knows.
pub const SCHEMA_NAMES: [&str; 15] = [
    "record",
    "scenario",
    "run",
    "report",
    "validate",
    "list",
    "merge",
    "fuzz",
    "coverage",
    "adapter-check",
    "evidence-manifest",
    "assurance-case",
    "evidence-verify",
    "monitors",
    "catalogue",
];

/// `--format` of the commands with machine-readable output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// Tables for humans.
    #[default]
    Text,
    /// One JSON document (see `gauntlet schema`).
    Json,
}

/// A JSON document: the version, the kind, then the body's fields.
#[derive(Debug, Serialize)]
struct Document<'a, T: Serialize> {
    format_version: u32,
    kind: &'a str,
    #[serde(flatten)]
    body: &'a T,
}

/// `body` as one pretty-printed JSON document of `kind`, with a trailing newline.
pub fn document<T: Serialize>(kind: &str, body: &T) -> Result<String, RunnerError> {
    let mut s = serde_json::to_string_pretty(&Document { format_version: FORMAT_VERSION, kind, body })?;
    s.push('\n');
    Ok(s)
}

/// The JSON Schema of one document (`SCHEMA_NAMES`), or `None` for an unknown name.
pub fn schema(name: &str) -> Option<serde_json::Value> {
    let body = match name {
        "record" => return Some(schemars::schema_for!(RunRecord).to_value()),
        "scenario" => return Some(schemars::schema_for!(gauntlet_scenarios::raw::ScenarioFile).to_value()),
        // The manifest carries its own `format_version`; it is no command document.
        "evidence-manifest" => {
            return Some(schemars::schema_for!(gauntlet_reports::evidence::Manifest).to_value());
        }
        "assurance-case" => schemars::schema_for!(gauntlet_reports::evidence::AssuranceCase),
        "evidence-verify" => schemars::schema_for!(crate::evidence::VerifyReport),
        "run" => schemars::schema_for!(RunJson),
        "report" => schemars::schema_for!(ReportJson),
        "validate" => schemars::schema_for!(ValidateJson),
        "list" => schemars::schema_for!(ListJson),
        "merge" => schemars::schema_for!(MergeJson),
        "fuzz" => schemars::schema_for!(FuzzJson),
        "coverage" => schemars::schema_for!(gauntlet_reports::coverage::CoverageDocument),
        "monitors" => schemars::schema_for!(gauntlet_reports::monitors::MonitorReport),
        "adapter-check" => schemars::schema_for!(AdapterCheckJson),
        "catalogue" => schemars::schema_for!(gauntlet_taxonomy::CatalogueCoverage),
        _ => return None,
    };
    let mut value = body.to_value();
    if let Some(object) = value.as_object_mut() {
        let properties = object.entry("properties").or_insert_with(|| serde_json::json!({}));
        if let Some(properties) = properties.as_object_mut() {
            properties.insert("format_version".to_owned(), serde_json::json!({ "const": FORMAT_VERSION }));
            properties.insert("kind".to_owned(), serde_json::json!({ "const": name }));
        }
        let required = object.entry("required").or_insert_with(|| serde_json::json!([]));
        if let Some(required) = required.as_array_mut() {
            required.insert(0, serde_json::json!("kind"));
            required.insert(0, serde_json::json!("format_version"));
        }
    }
    Some(value)
}

/// A margin as records write it: ±infinity as ±`f64::MAX` (JSON has no infinity).
fn sentinel(margin: f64) -> f64 {
    margin.clamp(-f64::MAX, f64::MAX)
}

/// The artefacts and verdict of `run` (when asked for) and `report`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ArtefactsJson {
    /// The exit code the verdict gives.
    pub exit_code: u8,
    /// Jobs by outcome.
    pub totals: Totals,
    /// The checks that decide the exit code.
    pub verdict: Vec<GateCheck>,
    /// The gate checks, when a gate file was given.
    pub gate: Option<Vec<GateCheck>>,
    /// The diff against the baseline, when one was given.
    pub baseline: Option<BaselineJson>,
    /// Failing jobs shown with a trace in the dashboard.
    pub traces: usize,
    /// Why other failing jobs have no trace in the dashboard.
    pub trace_notes: Vec<String>,
    /// Files written (JUnit, Markdown, HTML, in that order).
    pub written: Vec<String>,
    /// Runtime-monitor effectiveness, when records name monitors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitors: Option<gauntlet_reports::monitors::MonitorReport>,
    /// Leading indicators over the history and tonight, when a history was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leading: Option<gauntlet_reports::trend::LeadingReport>,
}

/// The diff against a baseline: counts, and the job ids of each class.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BaselineJson {
    /// Counts per class.
    pub counts: DiffCounts,
    /// Jobs that passed and now fail or error.
    pub regressions: Vec<String>,
    /// Jobs that failed and now pass.
    pub fixed: Vec<String>,
    /// Jobs not passing in either.
    pub still_failing: Vec<String>,
    /// Jobs with the same inputs and a different result.
    pub flaky: Vec<String>,
    /// Passing jobs with a margin that shrank beyond its tolerance (`JOB criterion`).
    pub margin_regressions: Vec<String>,
}

impl ArtefactsJson {
    /// The JSON form of `a`.
    pub fn new(a: &Artefacts) -> Self {
        ArtefactsJson {
            exit_code: a.exit_code(),
            totals: a.totals,
            verdict: a.verdict.clone(),
            gate: a.gate.clone(),
            baseline: a.diff.as_ref().map(|d| BaselineJson {
                counts: d.counts,
                regressions: d.regressions.iter().map(|c| c.job.id()).collect(),
                fixed: d.fixed.iter().map(|c| c.job.id()).collect(),
                still_failing: d.still_failing.iter().map(|c| c.job.id()).collect(),
                flaky: d.flaky.iter().map(|f| f.job.id()).collect(),
                margin_regressions: d
                    .margin_regressions
                    .iter()
                    .map(|m| format!("{} {}", m.job.id(), m.criterion))
                    .collect(),
            }),
            traces: a.traces,
            trace_notes: a.trace_notes.clone(),
            written: a.written.iter().map(|p| p.display().to_string()).collect(),
            monitors: (!a.monitors.is_empty()).then(|| a.monitors.clone()),
            leading: a.leading.clone(),
        }
    }
}

/// One saved regression re-run by a sweep.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegressionJson {
    /// The regression file.
    pub file: String,
    /// Scenario id.
    pub scenario: String,
    /// The criterion it violated when saved.
    pub criterion: String,
    /// `still_failing`, `fixed` or `error`.
    pub status: String,
    /// The error, for `error`.
    pub error: Option<String>,
    /// Whether the run reproduced the saved trace hash bit for bit.
    pub same_trace: bool,
    /// Whether the scenario file changed since the regression was saved.
    pub file_changed: bool,
}

/// The saved regressions of a sweep.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RegressionsJson {
    /// Re-run, in file order.
    pub results: Vec<RegressionJson>,
    /// Regressions still failing.
    pub still_failing: usize,
    /// Regressions now fixed.
    pub fixed: usize,
    /// Regressions left out (saved for another adapter).
    pub skipped: usize,
}

/// `gauntlet run --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RunJson {
    /// The process's exit code.
    pub exit_code: u8,
    /// The records file.
    pub records: String,
    /// Per-scenario rows, totals, worst margin, problems, triage counts.
    pub summary: Summary,
    /// Jobs planned (of this shard, with `--shard`).
    pub planned: usize,
    /// The shard run, `K/N`.
    pub shard: Option<String>,
    /// Complete records kept by `--resume`.
    pub resumed: u64,
    /// Jobs not run (budget spent or interrupted).
    pub skipped: usize,
    /// Scenarios with a job not run, riskiest first.
    pub skipped_scenarios: Vec<String>,
    /// The signal that interrupted the sweep (`SIGINT`, `SIGTERM`).
    pub interrupted: Option<String>,
    /// Saved regressions run first.
    pub regressions: RegressionsJson,
    /// Artefacts and verdict, when any were asked for.
    pub artefacts: Option<ArtefactsJson>,
    /// Warnings (also printed on stderr).
    pub warnings: Vec<String>,
}

impl RunJson {
    /// The JSON form of a sweep that exits with `exit_code`.
    pub fn new(r: &RunReport, shard: Option<String>, exit_code: u8) -> Self {
        let results = r
            .regressions
            .results
            .iter()
            .map(|g| {
                let (status, error) = match &g.status {
                    RegressionStatus::StillFailing => ("still_failing", None),
                    RegressionStatus::Fixed => ("fixed", None),
                    RegressionStatus::Error(e) => ("error", Some(e.clone())),
                };
                RegressionJson {
                    file: g.path.display().to_string(),
                    scenario: g.scenario.clone(),
                    criterion: g.criterion.clone(),
                    status: status.to_owned(),
                    error,
                    same_trace: g.same_trace,
                    file_changed: g.file_changed,
                }
            })
            .collect();
        RunJson {
            exit_code,
            records: r.out.display().to_string(),
            summary: r.summary.clone(),
            planned: r.planned,
            shard,
            resumed: r.resumed,
            skipped: r.skipped,
            skipped_scenarios: r.skipped_scenarios.clone(),
            interrupted: r.interrupted.map(|s| crate::adapter::signal_name(s).to_string()),
            regressions: RegressionsJson {
                results,
                still_failing: r.regressions.still_failing(),
                fixed: r.regressions.fixed(),
                skipped: r.regressions.skipped.len(),
            },
            artefacts: r.artefacts.as_ref().map(ArtefactsJson::new),
            warnings: r.warnings.clone(),
        }
    }
}

/// `gauntlet report --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReportJson {
    /// The process's exit code.
    pub exit_code: u8,
    /// Per-scenario rows, totals, worst margin, problems, triage counts.
    pub summary: Summary,
    /// Artefacts and verdict.
    pub artefacts: ArtefactsJson,
    /// Warnings (also printed on stderr).
    pub warnings: Vec<String>,
}

impl ReportJson {
    /// The JSON form of a report that exits with `code`.
    pub fn new(r: &ReportOutput, code: u8) -> Self {
        ReportJson {
            exit_code: code,
            summary: r.summary.clone(),
            artefacts: ArtefactsJson::new(&r.artefacts),
            warnings: r.warnings.clone(),
        }
    }
}

/// One problem found by `validate`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProblemJson {
    /// The file.
    pub file: String,
    /// 1-based line, where known.
    pub line: Option<u64>,
    /// 1-based column, where known.
    pub column: Option<u64>,
    /// The field path (`actors[2].speed`), where known.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The whole line as the text output prints it.
    pub text: String,
}

impl ProblemJson {
    /// Reads `file[:line:column][: at `path`]: message` back into its parts.
    pub fn parse(text: &str) -> Self {
        let (mut file, mut rest) = match text.split_once(": ") {
            Some((f, r)) => (f.to_owned(), r),
            None => (String::new(), text),
        };
        let mut line = None;
        let mut column = None;
        let mut parts = file.rsplitn(3, ':');
        if let (Some(c), Some(l), Some(f)) = (parts.next(), parts.next(), parts.next())
            && let (Ok(l), Ok(c)) = (l.parse::<u64>(), c.parse::<u64>())
        {
            line = Some(l);
            column = Some(c);
            file = f.to_owned();
        }
        let mut path = None;
        if let Some(after) = rest.strip_prefix("at `")
            && let Some((p, message)) = after.split_once("`: ")
        {
            path = Some(p.to_owned());
            rest = message;
        }
        ProblemJson { file, line, column, path, message: rest.to_owned(), text: text.to_owned() }
    }
}

/// `gauntlet validate --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ValidateJson {
    /// The process's exit code.
    pub exit_code: u8,
    /// Valid files.
    pub valid: Vec<String>,
    /// Every problem.
    pub problems: Vec<ProblemJson>,
    /// Warnings (also printed on stderr).
    pub warnings: Vec<String>,
}

impl ValidateJson {
    /// The JSON form of a validation that exits with `exit_code`.
    pub fn new(r: &ValidateReport, exit_code: u8) -> Self {
        ValidateJson {
            exit_code,
            valid: r.valid.iter().map(|p| p.display().to_string()).collect(),
            problems: r.problems.iter().map(|p| ProblemJson::parse(p)).collect(),
            warnings: r.warnings.clone(),
        }
    }
}

/// One scenario of `list`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListScenarioJson {
    /// Scenario id.
    pub id: String,
    /// Number of parameters.
    pub parameters: usize,
    /// Title.
    pub title: String,
    /// File.
    pub file: String,
    /// Tags (dimension → value).
    pub tags: BTreeMap<String, String>,
}

/// One saved regression of `list`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListRegressionJson {
    /// Scenario id.
    pub scenario: String,
    /// The criterion it violated.
    pub criterion: String,
    /// Its margin when saved.
    pub margin: f64,
    /// The adapter it failed against.
    pub adapter: String,
    /// File.
    pub file: String,
}

/// `gauntlet list --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListJson {
    /// Saved regressions.
    pub regressions: Vec<ListRegressionJson>,
    /// Scenarios.
    pub scenarios: Vec<ListScenarioJson>,
    /// Warnings (also printed on stderr).
    pub warnings: Vec<String>,
}

impl ListJson {
    /// The JSON form of a listing.
    pub fn new(r: &ListReport) -> Self {
        ListJson {
            regressions: r
                .regressions
                .iter()
                .map(|g| ListRegressionJson {
                    scenario: g.scenario.clone(),
                    criterion: g.criterion.clone(),
                    margin: sentinel(g.margin),
                    adapter: g.adapter.clone(),
                    file: g.file.display().to_string(),
                })
                .collect(),
            scenarios: r
                .scenarios
                .iter()
                .map(|s| ListScenarioJson {
                    id: s.id.clone(),
                    parameters: s.parameters,
                    title: s.title.clone(),
                    file: s.file.display().to_string(),
                    tags: s.tags.clone(),
                })
                .collect(),
            warnings: r.warnings.clone(),
        }
    }
}

/// `gauntlet merge --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MergeJson {
    /// The process's exit code.
    pub exit_code: u8,
    /// The merged file.
    pub out: String,
    /// Counts.
    pub stats: MergeStats,
    /// Jobs whose records disagree.
    pub conflicts: Vec<Conflict>,
    /// Whether conflicts were allowed (`--allow-conflicts`).
    pub allow_conflicts: bool,
}

impl MergeJson {
    /// The JSON form of a merge.
    pub fn new(r: &MergeReport) -> Self {
        MergeJson {
            exit_code: r.exit_code(),
            out: r.out.display().to_string(),
            stats: r.stats.clone(),
            conflicts: r.conflicts.clone(),
            allow_conflicts: r.allow_conflicts,
        }
    }
}

/// A shrunk failure.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FuzzShrinkJson {
    /// Its margin of the criterion.
    pub margin: f64,
    /// Its trace hash.
    pub trace_hash: String,
    /// Simulations spent shrinking.
    pub simulations: usize,
    /// Whether it is locally minimal.
    pub minimal: bool,
    /// Where it was saved, when saved.
    pub saved: Option<String>,
}

/// A failure found by a campaign.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FuzzFailureJson {
    /// Scenario id.
    pub scenario: String,
    /// The violated criterion.
    pub criterion: String,
    /// Its margin as found.
    pub margin: f64,
    /// The shrink, unless shrinking was capped.
    pub shrunk: Option<FuzzShrinkJson>,
}

/// How a campaign moved coverage.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FuzzCoverageJson {
    /// Hazards exercised before.
    pub hazards_before: Share,
    /// Hazards exercised after.
    pub hazards_after: Share,
    /// Feasible value pairs exercised before.
    pub pairs_before: Share,
    /// Feasible value pairs exercised after.
    pub pairs_after: Share,
    /// Hazards first exercised by the campaign.
    pub new_hazards: Vec<String>,
}

/// `gauntlet fuzz --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FuzzJson {
    /// The process's exit code.
    pub exit_code: u8,
    /// The records file.
    pub records: String,
    /// `random` or `search`.
    pub strategy: String,
    /// Campaign seed.
    pub seed: u64,
    /// Simulations of generated instances.
    pub simulations: usize,
    /// Simulations spent shrinking.
    pub shrink_simulations: usize,
    /// Per scenario.
    pub scenarios: Vec<crate::fuzz::ScenarioReport>,
    /// Failures, in the order found.
    pub failures: Vec<FuzzFailureJson>,
    /// How coverage moved.
    pub coverage: FuzzCoverageJson,
    /// Per-scenario rows, totals, worst margin, problems, triage counts.
    pub summary: Summary,
}

impl FuzzJson {
    /// The JSON form of a campaign.
    pub fn new(r: &FuzzReport) -> Self {
        let c = &r.campaign;
        FuzzJson {
            exit_code: r.exit_code(),
            records: r.out.display().to_string(),
            strategy: c.strategy.to_string(),
            seed: c.seed,
            simulations: c.simulations,
            shrink_simulations: c.shrink_simulations,
            scenarios: c.scenarios.clone(),
            failures: c
                .failures
                .iter()
                .map(|f| FuzzFailureJson {
                    scenario: f.scenario.clone(),
                    criterion: f.criterion.clone(),
                    margin: sentinel(f.margin),
                    shrunk: f.shrunk.as_ref().map(|s| FuzzShrinkJson {
                        margin: sentinel(s.margin),
                        trace_hash: s.trace_hash.clone(),
                        simulations: s.simulations,
                        minimal: s.minimal,
                        saved: s.saved.as_ref().map(|p| p.path().display().to_string()),
                    }),
                })
                .collect(),
            coverage: FuzzCoverageJson {
                hazards_before: r.coverage.hazards_before,
                hazards_after: r.coverage.hazards_after,
                pairs_before: r.coverage.pairs_before,
                pairs_after: r.coverage.pairs_after,
                new_hazards: r.coverage.new_hazards.clone(),
            },
            summary: r.summary.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_back_into_parts() {
        let p =
            ProblemJson::parse("scenarios/x.ron:12:5: at `actors[2].speed`: expected a speed ≥ 0, found -3");
        assert_eq!(p.file, "scenarios/x.ron");
        assert_eq!((p.line, p.column), (Some(12), Some(5)));
        assert_eq!(p.path.as_deref(), Some("actors[2].speed"));
        assert_eq!(p.message, "expected a speed ≥ 0, found -3");
        let p = ProblemJson::parse("a.ron: scenario id \"x\" is also used by b.ron");
        assert_eq!((p.file.as_str(), p.line, p.path), ("a.ron", None, None));
    }

    #[test]
    fn every_schema_name_has_a_schema() {
        for name in SCHEMA_NAMES {
            assert!(schema(name).is_some(), "{name}");
        }
        assert!(schema("nope").is_none());
    }
}

/// One clause of `gauntlet adapter check --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ClauseJson {
    /// The clause's stable id in the protocol document, e.g. `§H1`.
    pub id: String,
    /// What it asks of the adapter.
    pub title: String,
    /// `pass`, `fail` or `skipped` (not checked: a clause it depends on failed).
    pub verdict: String,
    /// What was seen, what happened, or why it was skipped.
    pub detail: String,
}

/// `gauntlet adapter check --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AdapterCheckJson {
    /// The process's exit code: 0 when the adapter conforms.
    pub exit_code: u8,
    /// The adapter checked, as given.
    pub adapter: String,
    /// Name and version from its `hello`, if it got that far.
    pub identity: Option<[String; 2]>,
    /// Whether every clause passed.
    pub conforms: bool,
    /// The protocol document the clause ids refer to, relative to the repository root.
    pub protocol: String,
    /// Every clause the kit checks, in order.
    pub clauses: Vec<ClauseJson>,
}

impl AdapterCheckJson {
    /// The JSON form of `report`.
    pub fn new(report: &crate::adapter::conformance::ConformanceReport) -> Self {
        use crate::adapter::conformance::Verdict;
        AdapterCheckJson {
            exit_code: report.exit_code(),
            adapter: report.adapter.clone(),
            identity: report.identity.clone().map(|(name, version)| [name, version]),
            conforms: report.conforms(),
            protocol: crate::adapter::conformance::PROTOCOL_DOC.to_owned(),
            clauses: report
                .results
                .iter()
                .map(|r| {
                    let (verdict, detail) = match &r.verdict {
                        Verdict::Pass(d) => ("pass", d),
                        Verdict::Fail(d) => ("fail", d),
                        Verdict::Skipped(d) => ("skipped", d),
                    };
                    ClauseJson {
                        id: r.clause.id.to_owned(),
                        title: r.clause.title.to_owned(),
                        verdict: verdict.to_owned(),
                        detail: detail.clone(),
                    }
                })
                .collect(),
        }
    }
}
