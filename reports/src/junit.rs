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
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::record::{Outcome, RunRecord};
use crate::summary::fmt_margin;

/// Why rendering JUnit XML failed.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    /// The XML writer failed.
    #[error("failed to serialize the JUnit report")]
    Serialize(#[source] quick_junit::SerializeError),
}

/// Builds the JUnit report of `records`; the result does not depend on
/// their order.
pub fn junit_report<'a>(name: &str, records: impl IntoIterator<Item = &'a RunRecord>) -> Report {
    let mut by_scenario: BTreeMap<&str, Vec<&RunRecord>> = BTreeMap::new();
    for r in records {
        by_scenario.entry(r.scenario.as_str()).or_default().push(r);
    }
    let mut report = Report::new(name);
    let mut total_ms = 0.0;
    for (scenario, mut jobs) in by_scenario {
        // Within a job key, order by the full line so duplicates are stable.
        jobs.sort_by_cached_key(|r| (r.kind, r.seed, r.to_json_line().unwrap_or_default()));
        let mut suite = TestSuite::new(scenario);
        suite.add_property(Property::new("title", jobs[0].title.as_str()));
        suite.add_property(Property::new("file", jobs[0].file.as_str()));
        let mut suite_ms = 0.0;
        for r in jobs {
            suite_ms += r.wall_ms;
            suite.add_test_case(test_case(r));
        }
        suite.set_time(duration_from_ms(suite_ms));
        total_ms += suite_ms;
        report.add_test_suite(suite);
    }
    report.set_time(duration_from_ms(total_ms));
    report
}

/// Renders the JUnit XML of `records` (see the module docs).
pub fn render_junit<'a>(
    name: &str,
    records: impl IntoIterator<Item = &'a RunRecord>,
) -> Result<String, JunitError> {
    let xml = junit_report(name, records).to_string().map_err(JunitError::Serialize)?;
    Ok(drop_root_skipped(xml))
}

/// quick-junit always writes `skipped` on `<testsuites>`, which
/// `junit-10.xsd` does not allow there; Gauntlet never skips a job, so the
/// attribute carries nothing and is dropped.
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

fn test_case(r: &RunRecord) -> TestCase {
    let status = match r.outcome {
        Outcome::Pass => TestCaseStatus::success(),
        Outcome::Fail => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let violated: Vec<String> = r
                .violations()
                .map(|v| format!("{} (margin {})", v.criterion, fmt_margin(v.margin)))
                .collect();
            let message = if violated.is_empty() {
                "failed without a violated criterion".to_owned()
            } else {
                format!("violated {}", violated.join(", "))
            };
            let mut text = String::new();
            for v in r.violations() {
                let _ = write!(text, "{}: margin {}", v.criterion, fmt_margin(v.margin));
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
            status.set_type("criteria").set_message(message).set_description(text);
            status
        }
        Outcome::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            let (kind, message) = match &r.error {
                Some(e) => (e.kind.as_str(), e.message.as_str()),
                None => ("error", "error without details"),
            };
            status
                .set_type(kind)
                .set_message(message)
                .set_description(format!("{kind}: {message}\nreplay: {}", r.replay));
            status
        }
    };
    let mut case = TestCase::new(format!("seed={} {}", r.seed, r.kind), status);
    case.set_classname(r.scenario.as_str()).set_time(duration_from_ms(r.wall_ms));
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
