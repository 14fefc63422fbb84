//! The CI gate: thresholds read from the `[gate]` table of a TOML file
//! (usually `gauntlet.toml`), checked against a sweep's results.
//!
//! ```toml
//! [gate]
//! min_pass_rate = 0.95                   # share of jobs that pass, 0..=1
//! max_errors = 0                         # jobs ending in error
//! no_regressions = true                  # against a baseline
//! no_flakes = true                       # against a baseline
//! min_top_risk_coverage = 0.8            # 0..=1, measured by the caller
//! forbid_regression_classes = ["C", "D"] # risk classes
//! max_avoidable_failures = 0             # failures not shown unavoidable by triage
//! max_unavoidable_failures = 0           # failures no oracle manoeuvre avoids
//! max_leading_alerts = 0                 # margin trends shrinking toward a flip (needs --history)
//!
//! [gate.margin_tolerance]                # baseline diff, in each criterion's unit
//! min_ttc = 0.2                          # s
//! stay_on_road = 0.05                    # m
//! ```
//!
//! Two more tables tune figures rather than check them (every key optional,
//! unknown keys are errors): `[monitors]` (`near_miss_fraction` > 0,
//! `lead_window` s > 0; see [`crate::monitors`]) and `[leading]` (`nights`
//! ≥ 2, `min_nights` ≥ 2, `horizon_nights` ≥ 0, `max_noise_units` ≥ 0; see
//! [`crate::trend`]).
//!
//! Every key is optional; an absent key (or `false`) means that check is
//! not made. Unknown keys in `[gate]` are errors; other top-level tables
//! are left to their owners. Errors name the file, line and column.
//!
//! `[gate.margin_tolerance]` is not a check: it sets, per criterion name,
//! how far that criterion's margin may shrink (in its unit, ≥ 0) on a job
//! passing against the baseline before the diff lists it as a margin
//! regression ([`DiffOptions`](crate::DiffOptions)). It wins over
//! `--margin-tolerance`; criteria it does not name keep that or their
//! default, 0.1 × the criterion's scale. Names are checked against the
//! engine's criteria by the caller ([`GateConfig::check_criteria`]).
//!
//! Checks, in this order:
//!
//! - `pass rate`: fails without any job.
//! - `errors`.
//! - `regressions`, `flakes`: need a baseline diff; without one they pass
//!   and say `no baseline`.
//! - `top-risk coverage`: fails when the caller measured nothing.
//! - `forbidden regression classes`: a regression of a scenario whose risk
//!   class is listed fails; scenarios without a class never match. Passes
//!   (saying `no baseline`) without a diff.
//! - `avoidable failures`: failing jobs that triage did not show unavoidable
//!   (avoidable, unknown or not triaged): the stack's failures. A gate that
//!   should not blame the stack for impossible scenarios sets this instead
//!   of `min_pass_rate` (which counts every failure).
//! - `unavoidable failures`: failing jobs that no oracle manoeuvre avoids:
//!   the scenario's (or the instance's) fault, e.g. `0` to insist that every
//!   scenario the sweep runs can be survived.
//! - Failures of scenarios past a regulation's boundary that their mark
//!   exempts (expected, or beyond the requirement; [`crate::boundary`]) are
//!   left out of `pass rate` (of its jobs too), `avoidable failures` and
//!   `unavoidable failures`, and the measured value says how many; a
//!   contradicted claim counts as an avoidable failure and is named.
//! - `leading alerts`: (hazard, criterion) margin trends over the history
//!   and tonight that shrink toward a flip ([`crate::trend`]); passes,
//!   saying `no history`, without `--history`.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diff::{BaselineDiff, exit_gate};
use crate::summary::{Totals, TriageCounts};

/// The gate thresholds; `None`, `false` or empty means "not checked".
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GateConfig {
    /// Least share of jobs that must pass, in `0..=1`.
    pub min_pass_rate: Option<f64>,
    /// Most jobs that may end in an error.
    pub max_errors: Option<u64>,
    /// Fail on any regression against the baseline.
    pub no_regressions: bool,
    /// Fail on any flake against the baseline.
    pub no_flakes: bool,
    /// Least risk-weighted coverage of the top-risk cells, in `0..=1`.
    pub min_top_risk_coverage: Option<f64>,
    /// Risk classes in which no regression is allowed.
    pub forbid_regression_classes: Vec<String>,
    /// Baseline-diff tolerance per criterion name, in its unit (`[gate.margin_tolerance]`).
    pub margin_tolerance: BTreeMap<String, f64>,
    /// Most failing jobs not shown unavoidable by triage.
    pub max_avoidable_failures: Option<u64>,
    /// Most failing jobs triaged unavoidable.
    pub max_unavoidable_failures: Option<u64>,
    /// Most leading-indicator alerts ([`crate::trend`]).
    pub max_leading_alerts: Option<u64>,
    /// The runtime-monitor figures' options (`[monitors]`).
    pub monitors: crate::monitors::MonitorOptions,
    /// The leading indicators' options (`[leading]`).
    pub leading: crate::trend::LeadingOptions,
}

/// The file as written, with spans for error messages.
#[derive(Deserialize)]
struct RawFile {
    gate: Option<RawGate>,
    monitors: Option<RawMonitors>,
    leading: Option<RawLeading>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMonitors {
    near_miss_fraction: Option<Spanned<f64>>,
    lead_window: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLeading {
    nights: Option<Spanned<u64>>,
    min_nights: Option<Spanned<u64>>,
    horizon_nights: Option<Spanned<f64>>,
    max_noise_units: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    min_pass_rate: Option<Spanned<f64>>,
    max_errors: Option<u64>,
    #[serde(default)]
    no_regressions: bool,
    #[serde(default)]
    no_flakes: bool,
    min_top_risk_coverage: Option<Spanned<f64>>,
    #[serde(default)]
    forbid_regression_classes: Vec<String>,
    #[serde(default)]
    margin_tolerance: BTreeMap<String, Spanned<f64>>,
    max_avoidable_failures: Option<u64>,
    max_unavoidable_failures: Option<u64>,
    max_leading_alerts: Option<u64>,
}

/// A position in a file, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// Line.
    pub line: u64,
    /// Column, in characters.
    pub column: u64,
}

impl Location {
    fn of(text: &str, offset: usize) -> Self {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            line: before.matches('\n').count() as u64 + 1,
            column: before[line_start..].chars().count() as u64 + 1,
        }
    }
}

/// `path:line:column`, or `path` when the position is unknown.
fn at(path: &Path, location: &Option<Location>) -> String {
    match location {
        Some(l) => format!("{}:{}:{}", path.display(), l.line, l.column),
        None => path.display().to_string(),
    }
}

/// Why a gate file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The file could not be read.
    #[error("failed to read gate file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not fit the schema.
    #[error("failed to parse gate file {}: {message}", at(path, location))]
    Parse {
        /// The file.
        path: PathBuf,
        /// Where, when known.
        location: Option<Location>,
        /// What is wrong.
        message: String,
    },
    /// The file has no `[gate]` table.
    #[error("failed to load gate file {path}: it has no [gate] table")]
    MissingTable {
        /// The file.
        path: PathBuf,
    },
    /// A margin tolerance is negative or not finite.
    #[error(
        "invalid gate file {}: margin_tolerance.{criterion} must be a finite number ≥ 0, found {value}",
        at(path, &Some(*location))
    )]
    BadTolerance {
        /// The file.
        path: PathBuf,
        /// Where.
        location: Location,
        /// The criterion named.
        criterion: String,
        /// The value found.
        value: f64,
    },
    /// `[gate.margin_tolerance]` names a criterion that does not exist.
    #[error(
        "invalid gate file {path}: margin_tolerance names unknown criterion {criterion:?} (known: {known})"
    )]
    UnknownCriterion {
        /// The file.
        path: PathBuf,
        /// The name found.
        criterion: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// A value is out of range.
    #[error("invalid gate file {}: {field} must be between 0 and 1, found {value}", at(path, &Some(*location)))]
    OutOfRange {
        /// The file.
        path: PathBuf,
        /// Where.
        location: Location,
        /// The key.
        field: &'static str,
        /// The value found.
        value: f64,
    },
}

impl GateConfig {
    /// Reads and validates a gate file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, GateError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|source| GateError::Read { path: path.to_owned(), source })?;
        Self::parse(&text, path)
    }

    /// Parses and validates gate TOML; `path` labels errors.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Self, GateError> {
        let path = path.as_ref();
        let raw: RawFile = toml::from_str(text).map_err(|e| GateError::Parse {
            path: path.to_owned(),
            location: e.span().map(|span| Location::of(text, span.start)),
            message: e.message().trim_end().to_owned(),
        })?;
        let gate = raw.gate.ok_or_else(|| GateError::MissingTable { path: path.to_owned() })?;
        let share = |field: &'static str, value: Option<Spanned<f64>>| match value {
            None => Ok(None),
            Some(v) => {
                let span: Range<usize> = v.span();
                let value = v.into_inner();
                if (0.0..=1.0).contains(&value) {
                    Ok(Some(value))
                } else {
                    Err(GateError::OutOfRange {
                        path: path.to_owned(),
                        location: Location::of(text, span.start),
                        field,
                        value,
                    })
                }
            }
        };
        let mut margin_tolerance = BTreeMap::new();
        for (criterion, value) in gate.margin_tolerance {
            let span: Range<usize> = value.span();
            let value = value.into_inner();
            if !(value.is_finite() && value >= 0.0) {
                return Err(GateError::BadTolerance {
                    path: path.to_owned(),
                    location: Location::of(text, span.start),
                    criterion,
                    value,
                });
            }
            margin_tolerance.insert(criterion, value);
        }
        // `[monitors]` and `[leading]`: a value outside its range is a parse
        // error at its position.
        let bad = |span: Range<usize>, message: String| GateError::Parse {
            path: path.to_owned(),
            location: Some(Location::of(text, span.start)),
            message,
        };
        let positive = |field: &str, v: Option<Spanned<f64>>, default: f64, strict: bool| match v {
            None => Ok(default),
            Some(v) => {
                let span: Range<usize> = v.span();
                let x = v.into_inner();
                if x.is_finite() && (x > 0.0 || (!strict && x == 0.0)) {
                    Ok(x)
                } else {
                    let least = if strict { "> 0" } else { ">= 0" };
                    Err(bad(span, format!("{field} must be a finite number {least}, found {x}")))
                }
            }
        };
        let at_least_two = |field: &str, v: Option<Spanned<u64>>, default: usize| match v {
            None => Ok(default),
            Some(v) if *v.get_ref() >= 2 => Ok(v.into_inner() as usize),
            Some(v) => Err(bad(v.span(), format!("{field} must be at least 2, found {}", v.get_ref()))),
        };
        let mut monitors = crate::monitors::MonitorOptions::default();
        if let Some(m) = raw.monitors {
            monitors.near_miss_fraction = positive(
                "monitors.near_miss_fraction",
                m.near_miss_fraction,
                monitors.near_miss_fraction,
                true,
            )?;
            monitors.lead_window =
                positive("monitors.lead_window", m.lead_window, monitors.lead_window, true)?;
        }
        let mut leading = crate::trend::LeadingOptions::default();
        if let Some(l) = raw.leading {
            leading.nights = at_least_two("leading.nights", l.nights, leading.nights)?;
            leading.min_nights = at_least_two("leading.min_nights", l.min_nights, leading.min_nights)?;
            leading.horizon_nights =
                positive("leading.horizon_nights", l.horizon_nights, leading.horizon_nights, false)?;
            leading.max_noise_units =
                positive("leading.max_noise_units", l.max_noise_units, leading.max_noise_units, false)?;
        }
        Ok(GateConfig {
            max_leading_alerts: gate.max_leading_alerts,
            monitors,
            leading,
            min_pass_rate: share("min_pass_rate", gate.min_pass_rate)?,
            max_errors: gate.max_errors,
            no_regressions: gate.no_regressions,
            no_flakes: gate.no_flakes,
            min_top_risk_coverage: share("min_top_risk_coverage", gate.min_top_risk_coverage)?,
            forbid_regression_classes: gate.forbid_regression_classes,
            margin_tolerance,
            max_avoidable_failures: gate.max_avoidable_failures,
            max_unavoidable_failures: gate.max_unavoidable_failures,
        })
    }

    /// Checks that `[gate.margin_tolerance]` names only criteria in `known`
    /// (the engine's names; reports does not know them). `path` labels errors.
    pub fn check_criteria(&self, known: &[&str], path: impl AsRef<Path>) -> Result<(), GateError> {
        match self.margin_tolerance.keys().find(|c| !known.contains(&c.as_str())) {
            None => Ok(()),
            Some(c) => Err(GateError::UnknownCriterion {
                path: path.as_ref().to_owned(),
                criterion: c.clone(),
                known: known.join(", "),
            }),
        }
    }
}

/// What the caller measured; the gate reads nothing else.
#[derive(Clone, Debug, Default)]
pub struct GateInputs<'a> {
    /// Job counts of the sweep.
    pub totals: Totals,
    /// The diff against the baseline, when there is one.
    pub diff: Option<&'a BaselineDiff>,
    /// Risk-weighted coverage of the top-risk cells, in `0..=1`, when
    /// measured.
    pub top_risk_coverage: Option<f64>,
    /// Risk class (e.g. `"C"`) of each scenario id; scenarios not listed
    /// have no class.
    pub risk_classes: BTreeMap<String, String>,
    /// Failing jobs by triage verdict.
    pub triage: TriageCounts,
    /// Failing jobs of scenarios past a regulation's boundary
    /// ([`crate::boundary`]): the exempt ones are left out of the pass rate
    /// and the triage checks.
    pub boundary: crate::boundary::BoundaryCounts,
    /// Leading-indicator alerts, when a history was given ([`crate::trend`]).
    pub leading_alerts: Option<u64>,
}

/// The result of one gate check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GateCheck {
    /// What was checked, e.g. `pass rate`.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was measured, e.g. `97.50% (39 of 40)`.
    pub measured: String,
    /// What was required, e.g. `>= 95.00%`.
    pub required: String,
}

impl GateCheck {
    fn new(name: &str, passed: bool, measured: String, required: String) -> Self {
        GateCheck { name: name.to_owned(), passed, measured, required }
    }
}

/// Whether every check passed (true for no checks).
pub fn gate_passed(checks: &[GateCheck]) -> bool {
    checks.iter().all(|c| c.passed)
}

fn percent(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

const NO_BASELINE: &str = "no baseline";

/// Runs the configured checks, in the order of the module docs.
pub fn evaluate(config: &GateConfig, inputs: &GateInputs<'_>) -> Vec<GateCheck> {
    let mut checks = Vec::new();
    let t = &inputs.totals;
    let exempt = inputs.boundary.exempt();
    let left_out =
        if exempt > 0 { format!("; {exempt} failures past a boundary left out") } else { String::new() };
    if let Some(min) = config.min_pass_rate {
        let required = format!(">= {}", percent(min));
        let gated = t.runs.saturating_sub(exempt);
        checks.push(if gated > 0 {
            let rate = t.pass as f64 / gated as f64;
            GateCheck::new(
                "pass rate",
                rate >= min,
                format!("{} ({} of {}{left_out})", percent(rate), t.pass, gated),
                required,
            )
        } else if exempt > 0 {
            GateCheck::new("pass rate", false, format!("no jobs but {exempt} past a boundary"), required)
        } else {
            GateCheck::new("pass rate", false, "no jobs".to_owned(), required)
        });
    }
    if let Some(max) = config.max_errors {
        checks.push(GateCheck::new("errors", t.error <= max, t.error.to_string(), format!("<= {max}")));
    }
    if config.no_regressions {
        checks.push(match inputs.diff {
            Some(d) => GateCheck::new(
                "regressions",
                d.regressions.is_empty(),
                d.regressions.len().to_string(),
                "0".into(),
            ),
            None => GateCheck::new("regressions", true, NO_BASELINE.to_owned(), "0".into()),
        });
    }
    if config.no_flakes {
        checks.push(match inputs.diff {
            Some(d) => GateCheck::new("flakes", d.flaky.is_empty(), d.flaky.len().to_string(), "0".into()),
            None => GateCheck::new("flakes", true, NO_BASELINE.to_owned(), "0".into()),
        });
    }
    if let Some(min) = config.min_top_risk_coverage {
        let required = format!(">= {}", percent(min));
        checks.push(match inputs.top_risk_coverage {
            Some(c) => GateCheck::new("top-risk coverage", c >= min, percent(c), required),
            None => GateCheck::new("top-risk coverage", false, "not measured".to_owned(), required),
        });
    }
    if !config.forbid_regression_classes.is_empty() {
        let required = format!("no regression in class {}", config.forbid_regression_classes.join(", "));
        checks.push(match inputs.diff {
            Some(d) => {
                let mut hits: Vec<String> = d
                    .regressions
                    .iter()
                    .filter_map(|r| {
                        let class = inputs.risk_classes.get(&r.job.scenario)?;
                        config
                            .forbid_regression_classes
                            .contains(class)
                            .then(|| format!("{} ({class})", r.job))
                    })
                    .collect();
                hits.sort();
                let measured = if hits.is_empty() { "none".to_owned() } else { hits.join("; ") };
                GateCheck::new("forbidden regression classes", hits.is_empty(), measured, required)
            }
            None => GateCheck::new("forbidden regression classes", true, NO_BASELINE.to_owned(), required),
        });
    }
    let tc = &inputs.boundary.gated(&inputs.triage);
    if let Some(max) = config.max_avoidable_failures {
        let n = tc.not_unavoidable();
        let contradicted = match inputs.boundary.contradicted {
            0 => String::new(),
            c => format!("; {c} CONTRADICT their scenario's unavoidable claim"),
        };
        let measured = format!(
            "{n} ({} avoidable, {} unknown, {} not triaged{contradicted}{left_out})",
            tc.avoidable, tc.unknown, tc.untriaged
        );
        checks.push(GateCheck::new("avoidable failures", n <= max, measured, format!("<= {max}")));
    }
    if let Some(max) = config.max_unavoidable_failures {
        checks.push(GateCheck::new(
            "unavoidable failures",
            tc.unavoidable <= max,
            tc.unavoidable.to_string(),
            format!("<= {max}"),
        ));
    }
    if let Some(max) = config.max_leading_alerts {
        checks.push(match inputs.leading_alerts {
            Some(n) => GateCheck::new("leading alerts", n <= max, n.to_string(), format!("<= {max}")),
            None => GateCheck::new("leading alerts", true, "no history".to_owned(), format!("<= {max}")),
        });
    }
    checks
}

/// Renders checks as aligned text, one line each, then the verdict:
///
/// ```text
/// PASS  pass rate  97.50% (39 of 40)  >= 95.00%
/// FAIL  errors     2                  <= 0
/// gate: FAILED (1 of 2 checks failed)
/// ```
pub fn render_gate(checks: &[GateCheck]) -> String {
    let name_w = checks.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    let measured_w = checks.iter().map(|c| c.measured.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for c in checks {
        let status = if c.passed { "PASS" } else { "FAIL" };
        let line = format!("{status}  {:<name_w$}  {:<measured_w$}  {}", c.name, c.measured, c.required);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let failed = checks.iter().filter(|c| !c.passed).count();
    let _ = write!(out, "gate: {}", GateVerdict { failed, total: checks.len() });
    out.push('\n');
    out
}

/// The one-line verdict, e.g. `passed (5 checks)`.
struct GateVerdict {
    failed: usize,
    total: usize,
}

impl fmt::Display for GateVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.failed == 0 {
            write!(f, "passed ({} checks)", self.total)
        } else {
            write!(f, "FAILED ({} of {} checks failed)", self.failed, self.total)
        }
    }
}

/// The checks that decide the exit code: the gate's, then the baseline's,
/// or, with neither, that no job failed or errored.
pub fn verdict_checks(
    totals: &Totals,
    diff: Option<&BaselineDiff>,
    strict: bool,
    gate: Option<&[GateCheck]>,
) -> Vec<GateCheck> {
    let mut checks = gate.map(<[GateCheck]>::to_vec).unwrap_or_default();
    if let Some(d) = diff {
        let mut measured = format!("{} regression(s), {} flaky", d.regressions.len(), d.flaky.len());
        if strict {
            let _ = write!(measured, ", {} still failing", d.still_failing.len());
        }
        checks.push(GateCheck {
            name: if strict { "baseline (strict)" } else { "baseline" }.to_owned(),
            passed: exit_gate(d, strict),
            measured,
            required: if strict { "0, 0, 0" } else { "0, 0" }.to_owned(),
        });
    }
    if diff.is_none() && gate.is_none() {
        checks.push(GateCheck {
            name: "failed or errored jobs".to_owned(),
            passed: totals.fail + totals.error == 0,
            measured: (totals.fail + totals.error).to_string(),
            required: "0".to_owned(),
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffOptions, diff};
    use crate::record::tests::record;
    use crate::record::{Outcome, RunRecord};

    const EXAMPLE: &str = r#"
# gauntlet.toml
[gate]
min_pass_rate = 0.95           # share of jobs that pass
max_errors = 0
no_regressions = true          # with a baseline
no_flakes = true
min_top_risk_coverage = 0.8
forbid_regression_classes = ["C", "D"]

[gate.margin_tolerance]
min_ttc = 0.2
stay_on_road = 0.05

[run]
jobs = 4
"#;

    fn parse(text: &str) -> Result<GateConfig, GateError> {
        GateConfig::parse(text, "gauntlet.toml")
    }

    #[test]
    fn failures_past_a_boundary_are_left_out_unless_contradicted() {
        use crate::boundary::{Beyond, BoundaryClaim, BoundaryCounts};
        let config =
            parse("[gate]\nmin_pass_rate = 1.0\nmax_avoidable_failures = 0\nmax_unavoidable_failures = 0\n")
                .unwrap();
        let marked = |seed, claim, avoidable| {
            let mut r = record("past", seed, Outcome::Fail);
            r.beyond = Some(Beyond { source: "UN R157".into(), claim, note: String::new() });
            r.triage = Some(crate::record::Triage {
                avoidable: Some(avoidable),
                criterion: "no_collision".into(),
                manoeuvre: None,
                from_t: None,
                margin: None,
                runs: 2,
                note: String::new(),
            });
            r
        };
        let run = |records: &[RunRecord]| {
            let (mut triage, mut boundary) = (TriageCounts::default(), BoundaryCounts::default());
            records.iter().for_each(|r| {
                triage.add(r);
                boundary.add(r);
            });
            let inputs = GateInputs {
                totals: Totals::from_records(records),
                triage,
                boundary,
                ..GateInputs::default()
            };
            evaluate(&config, &inputs)
        };
        let exempt = [
            record("plain", 1, Outcome::Pass),
            marked(2, BoundaryClaim::Unavoidable, false),
            marked(3, BoundaryClaim::NotRequired, true),
        ];
        let checks = run(&exempt);
        assert!(gate_passed(&checks), "{}", render_gate(&checks));
        assert!(
            checks[0].measured.contains("1 of 1; 2 failures past a boundary left out"),
            "{:?}",
            checks[0]
        );
        let contradicted = [record("plain", 1, Outcome::Pass), marked(2, BoundaryClaim::Unavoidable, true)];
        let checks = run(&contradicted);
        let failed: Vec<&str> = checks.iter().filter(|c| !c.passed).map(|c| c.name.as_str()).collect();
        assert_eq!(failed, ["pass rate", "avoidable failures"]);
        assert!(checks[1].measured.contains("1 CONTRADICT"), "{:?}", checks[1]);
    }

    #[test]
    fn unavoidable_failures_are_gated_apart() {
        let config = parse("[gate]\nmax_avoidable_failures = 0\nmax_unavoidable_failures = 1\n").unwrap();
        let inputs = |avoidable, unavoidable| GateInputs {
            totals: Totals {
                runs: 10,
                pass: 10 - avoidable - unavoidable,
                fail: avoidable + unavoidable,
                error: 0,
            },
            triage: TriageCounts { avoidable, unavoidable, ..TriageCounts::default() },
            ..GateInputs::default()
        };
        assert!(gate_passed(&evaluate(&config, &inputs(0, 1))), "one unavoidable failure is allowed");
        let checks = evaluate(&config, &inputs(1, 2));
        let failed: Vec<&str> = checks.iter().filter(|c| !c.passed).map(|c| c.name.as_str()).collect();
        assert_eq!(failed, ["avoidable failures", "unavoidable failures"]);
    }

    #[test]
    fn monitor_and_leading_tables_parse_and_locate_bad_values() {
        let config =
            parse("[gate]\nmax_leading_alerts = 0\n[monitors]\nlead_window = 3.0\n[leading]\nnights = 5\n")
                .unwrap();
        assert_eq!(config.max_leading_alerts, Some(0));
        assert_eq!(config.monitors.lead_window, 3.0);
        assert_eq!(config.monitors.near_miss_fraction, crate::monitors::DEFAULT_NEAR_MISS_FRACTION);
        assert_eq!((config.leading.nights, config.leading.min_nights), (5, 4));
        let err = parse("[gate]\n[monitors]\nnear_miss_fraction = -1.0\n").unwrap_err().to_string();
        assert!(err.contains("gauntlet.toml:3:22") && err.contains("must be a finite number > 0"), "{err}");
        let err = parse("[gate]\n[leading]\nnights = 1\n").unwrap_err().to_string();
        assert!(err.contains("gauntlet.toml:3:10") && err.contains("at least 2"), "{err}");
    }

    #[test]
    fn the_documented_example_parses() {
        let config = parse(EXAMPLE).unwrap();
        assert_eq!(
            config,
            GateConfig {
                min_pass_rate: Some(0.95),
                max_errors: Some(0),
                no_regressions: true,
                no_flakes: true,
                min_top_risk_coverage: Some(0.8),
                forbid_regression_classes: vec!["C".to_owned(), "D".to_owned()],
                margin_tolerance: [("min_ttc".to_owned(), 0.2), ("stay_on_road".to_owned(), 0.05)].into(),
                max_avoidable_failures: None,
                max_unavoidable_failures: None,
                ..GateConfig::default()
            }
        );
        assert!(config.check_criteria(&["min_ttc", "stay_on_road"], "gauntlet.toml").is_ok());
        let err = config.check_criteria(&["min_ttc"], "gauntlet.toml").unwrap_err().to_string();
        assert!(err.contains("unknown criterion \"stay_on_road\""), "{err}");
        let err = parse("[gate.margin_tolerance]\nmin_ttc = -0.2\n").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid gate file gauntlet.toml:2:11: margin_tolerance.min_ttc must be a finite number ≥ 0, found -0.2"
        );
    }

    #[test]
    fn an_unknown_key_is_an_error_with_line_and_column() {
        let err = parse("[gate]\nmax_errors = 0\n  max_eror = 1\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("failed to parse gate file gauntlet.toml:3:3: unknown field `max_eror`"),
            "{text}"
        );
    }

    #[test]
    fn a_wrong_type_is_an_error_with_line_and_column() {
        let err = parse("[gate]\nmax_errors = \"none\"\n").unwrap_err();
        assert!(
            matches!(&err, GateError::Parse { location: Some(Location { line: 2, column: 14 }), .. }),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_shares_are_rejected_where_written() {
        let err = parse("[gate]\nmin_pass_rate = 95\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid gate file gauntlet.toml:2:17: min_pass_rate must be between 0 and 1, found 95"
        );
        let err = parse("[gate]\nmin_top_risk_coverage = -0.1\n").unwrap_err();
        assert!(matches!(err, GateError::OutOfRange { field: "min_top_risk_coverage", .. }));
    }

    #[test]
    fn a_missing_gate_table_or_file_is_an_error() {
        assert!(matches!(parse("[gaet]\nmax_errors = 0\n"), Err(GateError::MissingTable { .. })));
        let err = GateConfig::load("/nonexistent/gauntlet.toml").unwrap_err();
        assert!(matches!(err, GateError::Read { .. }));
        assert!(err.to_string().contains("/nonexistent/gauntlet.toml"));
    }

    #[test]
    fn an_empty_gate_checks_nothing_and_passes() {
        let checks = evaluate(&parse("[gate]\n").unwrap(), &GateInputs::default());
        assert!(checks.is_empty());
        assert!(gate_passed(&checks));
        assert_eq!(render_gate(&checks), "gate: passed (0 checks)\n");
    }

    #[test]
    fn every_check_passes_and_fails_on_its_own_measure() {
        let config = parse(EXAMPLE).unwrap();
        let old = [record("hi", 1, Outcome::Pass), record("lo", 1, Outcome::Pass)];
        let mut new = [record("hi", 1, Outcome::Fail), record("lo", 1, Outcome::Fail)];
        for r in &mut new {
            r.adapter.version = "0.2.0".to_owned();
        }
        let regressed = diff(&old, &new, &DiffOptions::default());
        let clean = diff(&old, &old, &DiffOptions::default());
        let classes = BTreeMap::from([("hi".to_owned(), "D".to_owned()), ("lo".to_owned(), "A".to_owned())]);

        let good = GateInputs {
            totals: Totals { runs: 100, pass: 96, fail: 4, error: 0 },
            diff: Some(&clean),
            top_risk_coverage: Some(0.85),
            risk_classes: classes.clone(),
            triage: TriageCounts::default(),
            boundary: Default::default(),
            leading_alerts: None,
        };
        let checks = evaluate(&config, &good);
        assert_eq!(checks.len(), 6);
        assert!(gate_passed(&checks), "{}", render_gate(&checks));

        let bad = GateInputs {
            totals: Totals { runs: 100, pass: 94, fail: 5, error: 1 },
            diff: Some(&regressed),
            top_risk_coverage: Some(0.5),
            risk_classes: classes,
            triage: TriageCounts::default(),
            boundary: Default::default(),
            leading_alerts: None,
        };
        let checks = evaluate(&config, &bad);
        let failed: Vec<&str> = checks.iter().filter(|c| !c.passed).map(|c| c.name.as_str()).collect();
        assert_eq!(
            failed,
            ["pass rate", "errors", "regressions", "top-risk coverage", "forbidden regression classes"]
        );
        let forbidden = checks.last().unwrap();
        assert_eq!(forbidden.measured, "hi seed=1 run (D)");
        assert_eq!(forbidden.required, "no regression in class C, D");
        assert_eq!(checks[0].measured, "94.00% (94 of 100)");
    }

    #[test]
    fn missing_measurements_fail_and_missing_baselines_pass() {
        let config = parse(EXAMPLE).unwrap();
        let checks = evaluate(&config, &GateInputs::default());
        let by_name: BTreeMap<&str, &GateCheck> = checks.iter().map(|c| (c.name.as_str(), c)).collect();
        assert!(!by_name["pass rate"].passed);
        assert_eq!(by_name["pass rate"].measured, "no jobs");
        assert!(!by_name["top-risk coverage"].passed);
        assert!(by_name["regressions"].passed);
        assert_eq!(by_name["flakes"].measured, "no baseline");
        assert!(by_name["forbidden regression classes"].passed);
    }

    #[test]
    fn rendering_aligns_columns_and_states_the_verdict() {
        let checks = vec![
            GateCheck::new("pass rate", true, "97.50% (39 of 40)".into(), ">= 95.00%".into()),
            GateCheck::new("errors", false, "2".into(), "<= 0".into()),
        ];
        assert_eq!(
            render_gate(&checks),
            "PASS  pass rate  97.50% (39 of 40)  >= 95.00%\n\
             FAIL  errors     2                  <= 0\n\
             gate: FAILED (1 of 2 checks failed)\n"
        );
    }
}
