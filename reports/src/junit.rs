//! JUnit XML for CI servers (Jenkins, GitLab, GitHub test reporters).
//!
//! - `<testsuites name="…">` holds one `<testsuite>` per scenario, sorted
//!   by scenario id, with the properties `title` and `file`.
//! - One `<testcase>` per job, sorted by kind then seed: `name` is
//!   `seed=N kind` (e.g. `seed=3 run`), `classname` the scenario id.
//! - A `fail` job carries `<failure type="criteria" message="…">` naming
//!   the violated criteria with their margins; its text lists each violated
//!   criterion (margin, first violation, worst time, impact speed) and the
//!   replay command.
//! - A failing job of a scenario past a regulation's boundary
//!   ([`crate::boundary`]) whose mark exempts it (expected, or beyond the
//!   requirement) is written `<skipped type="expected_past_boundary"|
//!   "beyond_requirement" message="…">` (as test runners write an expected
//!   failure), with its violations, the boundary's source and triage's
//!   verdict; a contradicted claim is a `<failure
//!   type="boundary_claim_contradicted">`, an unconfirmed one a plain failure
//!   that says so.
//! - An `error` job carries `<error type="adapter_timeout" message="…">`
//!   (the type is the record's error kind) with the message and replay
//!   command as text.
//! - `time` is the job's `wall_ms` in seconds (suites and the root sum their
//!   jobs). No timestamps are written, so equal records give equal bytes.
//!
//! The output validates against the Jenkins xUnit plugin's `junit-10.xsd`,
//! the schema Jenkins and GitLab read.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::boundary::BoundaryClass;
use crate::record::{JobKind, Outcome, RunRecord};
use crate::summary::fmt_margin_unit;

/// Why rendering JUnit XML failed.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    /// The XML writer failed.
    #[error("failed to serialize the JUnit report")]
    Serialize(#[source] quick_junit::SerializeError),
    /// The output could not be written.
    #[error("failed to write the JUnit report")]
    Write(#[source] io::Error),
}

/// What JUnit needs of one job, kept compact: a passing job costs a few
/// dozen bytes; only failures and errors carry their messages.
#[derive(Clone, Debug)]
struct CaseFacts {
    kind: JobKind,
    seed: u64,
    /// Orders duplicate jobs (same kind and seed) independently of input
    /// order: a hash of the record's JSON line.
    tiebreak: [u8; 8],
    wall_ms: f64,
    status: Option<Box<NonPass>>,
}

#[derive(Clone, Debug)]
struct NonPass {
    /// `None`: reported as `<skipped>` (a failure past a regulation's
    /// boundary that its mark exempts; [`crate::boundary`]).
    kind: Option<NonSuccessKind>,
    ty: String,
    message: String,
    description: String,
}

impl CaseFacts {
    fn sort_key(&self) -> (JobKind, u64, [u8; 8]) {
        (self.kind, self.seed, self.tiebreak)
    }
}

/// One scenario's suite: its cases, and the title and file of its first case.
#[derive(Clone, Debug, Default)]
struct SuiteFacts {
    title: String,
    file: String,
    first: Option<(JobKind, u64, [u8; 8])>,
    cases: Vec<CaseFacts>,
}

/// Builds the JUnit report one record at a time, keeping only a compact
/// test case per job (see [`CaseFacts`]), and writes it suite by suite.
/// The output is byte for byte [`render_junit`] of the same records, in any
/// order.
#[derive(Clone, Debug, Default)]
pub struct JunitBuilder {
    suites: BTreeMap<String, SuiteFacts>,
}

/// A hash of a record's JSON line: the order of duplicate jobs.
pub(crate) fn line_hash(r: &RunRecord) -> [u8; 8] {
    let line = r.to_json_line().unwrap_or_default();
    let hash = blake3::hash(line.as_bytes());
    let mut out = [0; 8];
    out.copy_from_slice(&hash.as_bytes()[..8]);
    out
}

impl JunitBuilder {
    /// Adds one job.
    pub fn add(&mut self, r: &RunRecord) {
        let case = CaseFacts {
            kind: r.kind,
            seed: r.seed,
            tiebreak: line_hash(r),
            wall_ms: r.wall_ms,
            status: non_pass(r).map(Box::new),
        };
        let key = case.sort_key();
        let suite = match self.suites.get_mut(r.scenario.as_str()) {
            Some(suite) => suite,
            None => self.suites.entry(r.scenario.clone()).or_default(),
        };
        if suite.first.is_none_or(|first| key < first) {
            suite.first = Some(key);
            suite.title.clone_from(&r.title);
            suite.file.clone_from(&r.file);
        }
        suite.cases.push(case);
    }

    /// Jobs added so far.
    pub fn len(&self) -> usize {
        self.suites.values().map(|s| s.cases.len()).sum()
    }

    /// Whether no job was added.
    pub fn is_empty(&self) -> bool {
        self.suites.is_empty()
    }

    /// The whole report in memory (for tests and small sweeps).
    pub fn report(&self, name: &str) -> Report {
        let mut report = Report::new(name);
        let mut total_ms = 0.0;
        for (scenario, suite) in &self.suites {
            let (suite, ms) = build_suite(scenario, suite);
            total_ms += ms;
            report.add_test_suite(suite);
        }
        report.set_time(duration_from_ms(total_ms));
        report
    }

    /// Writes the report to `out` one suite at a time, so that only one
    /// scenario's test cases are ever expanded in memory.
    pub fn write(mut self, name: &str, out: &mut impl io::Write) -> Result<(), JunitError> {
        let write =
            |out: &mut dyn io::Write, text: &str| out.write_all(text.as_bytes()).map_err(JunitError::Write);
        for suite in self.suites.values_mut() {
            suite.cases.sort_by_key(CaseFacts::sort_key);
        }
        // The root's counts and time, as `Report::add_test_suite` sums them.
        let mut root = Report::new(name);
        let mut total_ms = 0.0;
        for suite in self.suites.values() {
            root.tests += suite.cases.len();
            for case in &suite.cases {
                match case.status.as_ref().and_then(|s| s.kind) {
                    Some(NonSuccessKind::Failure) => root.failures += 1,
                    Some(NonSuccessKind::Error) => root.errors += 1,
                    None => {}
                }
            }
            total_ms += suite.cases.iter().fold(0.0, |ms, c| ms + c.wall_ms);
        }
        root.set_time(duration_from_ms(total_ms));
        let empty = to_xml(&root)?;
        if self.suites.is_empty() {
            return write(out, &empty);
        }
        // `<?xml …?>\n<testsuites …>`, then each suite as quick-junit
        // writes it inside a report, then the closing tag.
        let head_end = empty
            .find("<testsuites")
            .and_then(|start| empty[start..].find('>').map(|len| start + len + 1))
            .ok_or_else(|| JunitError::Write(io::Error::other("no <testsuites> element")))?;
        write(out, &empty[..head_end])?;
        for (scenario, suite) in &self.suites {
            let mut one = Report::new(name);
            one.add_test_suite(build_suite(scenario, suite).0);
            let xml = one.to_string().map_err(JunitError::Serialize)?;
            let start = xml.find("\n    <testsuite").unwrap_or(0);
            let end = xml.rfind("\n</testsuites>").unwrap_or(xml.len());
            write(out, &xml[start..end])?;
        }
        write(out, "\n</testsuites>\n")
    }
}

/// The suite of one scenario, with its time in milliseconds.
fn build_suite(scenario: &str, facts: &SuiteFacts) -> (TestSuite, f64) {
    let mut cases: Vec<&CaseFacts> = facts.cases.iter().collect();
    cases.sort_by_key(|c| c.sort_key());
    let mut suite = TestSuite::new(scenario);
    suite.add_property(Property::new("title", facts.title.as_str()));
    suite.add_property(Property::new("file", facts.file.as_str()));
    let mut suite_ms = 0.0;
    for c in cases {
        suite_ms += c.wall_ms;
        suite.add_test_case(test_case(scenario, c));
    }
    suite.set_time(duration_from_ms(suite_ms));
    (suite, suite_ms)
}

fn to_xml(report: &Report) -> Result<String, JunitError> {
    Ok(drop_root_skipped(report.to_string().map_err(JunitError::Serialize)?))
}

/// Builds the JUnit report of `records`; the result does not depend on
/// their order.
pub fn junit_report<'a>(name: &str, records: impl IntoIterator<Item = &'a RunRecord>) -> Report {
    let mut builder = JunitBuilder::default();
    for r in records {
        builder.add(r);
    }
    builder.report(name)
}

/// Renders the JUnit XML of `records` (see the module docs).
pub fn render_junit<'a>(
    name: &str,
    records: impl IntoIterator<Item = &'a RunRecord>,
) -> Result<String, JunitError> {
    let mut builder = JunitBuilder::default();
    for r in records {
        builder.add(r);
    }
    let mut out = Vec::new();
    builder.write(name, &mut out)?;
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// quick-junit always writes `skipped` on `<testsuites>`, which
/// `junit-10.xsd` does not allow there; the root written by
/// [`JunitBuilder::write`] counts no skipped cases (the suites carry the
/// failures past a boundary written as skipped), so the attribute carries
/// nothing and is dropped.
fn drop_root_skipped(xml: String) -> String {
    let Some(start) = xml.find("<testsuites") else { return xml };
    let Some(len) = xml[start..].find('>') else { return xml };
    // Attribute values are escaped, so ` skipped="0"` cannot occur inside one.
    let tag = xml[start..start + len].replacen(r#" skipped="0""#, "", 1);
    format!("{}{}{}", &xml[..start], tag, &xml[start + len..])
}

fn duration_from_ms(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default()
}

/// The failure or error of a job; `None` when it passed.
fn non_pass(r: &RunRecord) -> Option<NonPass> {
    match r.outcome {
        Outcome::Pass => None,
        Outcome::Fail => {
            let violated: Vec<String> = r
                .violations()
                .map(|v| format!("{} (margin {})", v.criterion, fmt_margin_unit(v.margin, &v.unit)))
                .collect();
            let message = if violated.is_empty() {
                "failed without a violated criterion".to_owned()
            } else {
                format!("violated {}", violated.join(", "))
            };
            let mut text = String::new();
            for v in r.violations() {
                let _ = write!(text, "{}: margin {}", v.criterion, fmt_margin_unit(v.margin, &v.unit));
                if let Some(t) = v.first_violation_t {
                    let _ = write!(text, ", first violation at t={t:.3} s");
                }
                if let Some(t) = v.worst_t {
                    let _ = write!(text, ", worst at t={t:.3} s");
                }
                if let Some(speed) = v.impact_speed {
                    let _ = write!(text, ", impact speed {speed:.3} m/s");
                }
                text.push('\n');
            }
            let _ = write!(text, "replay: {}", r.replay);
            let Some(class) = crate::boundary::classify(r) else {
                return Some(NonPass {
                    kind: Some(NonSuccessKind::Failure),
                    ty: "criteria".to_owned(),
                    message,
                    description: text,
                });
            };
            let source = r.beyond.as_ref().map_or("", |b| b.source.as_str());
            let ty = match class {
                BoundaryClass::Expected => "expected_past_boundary",
                BoundaryClass::BeyondRequirement => "beyond_requirement",
                BoundaryClass::Contradicted => "boundary_claim_contradicted",
                BoundaryClass::Unconfirmed => "criteria",
            };
            Some(NonPass {
                kind: (!class.exempt()).then_some(NonSuccessKind::Failure),
                ty: ty.to_owned(),
                message: format!(
                    "{}: {message}; past the boundary of {source}; {}",
                    class.label(),
                    crate::boundary::triage_words(r)
                ),
                description: text,
            })
        }
        Outcome::Error => {
            let (kind, message) = match &r.error {
                Some(e) => (e.kind.as_str(), e.message.as_str()),
                None => ("error", "error without details"),
            };
            Some(NonPass {
                kind: Some(NonSuccessKind::Error),
                ty: kind.to_owned(),
                message: message.to_owned(),
                description: format!("{kind}: {message}\nreplay: {}", r.replay),
            })
        }
    }
}

fn test_case(scenario: &str, c: &CaseFacts) -> TestCase {
    let status = match &c.status {
        None => TestCaseStatus::success(),
        Some(np) => {
            let mut status = np.kind.map_or_else(TestCaseStatus::skipped, TestCaseStatus::non_success);
            status
                .set_type(np.ty.as_str())
                .set_message(np.message.as_str())
                .set_description(np.description.as_str());
            status
        }
    };
    let mut case = TestCase::new(format!("seed={} {}", c.seed, c.kind), status);
    case.set_classname(scenario).set_time(duration_from_ms(c.wall_ms));
    case
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::record;

    #[test]
    fn one_suite_per_scenario_one_case_per_job_in_key_order() {
        let records =
            [record("b", 1, Outcome::Pass), record("a", 2, Outcome::Fail), record("a", 1, Outcome::Error)];
        let report = junit_report("gauntlet", &records);
        let names: Vec<_> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let a = &report.test_suites[0];
        let cases: Vec<_> = a.test_cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(cases, ["seed=1 run", "seed=2 run"]);
        assert_eq!((a.tests, a.failures, a.errors), (2, 1, 1));
        assert_eq!((report.tests, report.failures, report.errors), (3, 1, 1));
        assert_eq!(a.time, Some(Duration::from_millis(25)));
    }

    #[test]
    fn root_skipped_attribute_is_dropped_and_nothing_else() {
        let xml = render_junit("n \" skipped=\"0\"", [&record("a", 1, Outcome::Pass)]).unwrap();
        let root = xml.lines().find(|l| l.starts_with("<testsuites")).unwrap();
        assert_eq!(
            root,
            r#"<testsuites name="n &quot; skipped=&quot;0&quot;" tests="1" failures="0" errors="0" time="0.013">"#
        );
        // Suites keep theirs: the schema allows it there.
        assert!(xml.contains(r#"<testsuite name="a" tests="1" skipped="0""#), "{xml}");
    }

    #[test]
    fn bad_durations_become_zero_not_a_panic() {
        assert_eq!(duration_from_ms(f64::NAN), Duration::ZERO);
        assert_eq!(duration_from_ms(-5.0), Duration::ZERO);
        assert_eq!(duration_from_ms(1500.0), Duration::from_millis(1500));
    }
}
