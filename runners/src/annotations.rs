//! GitHub Actions annotations: when `GITHUB_ACTIONS=true`, validation
//! problems and failing jobs are also printed as workflow commands
//! (`::error file=…,line=…,col=…::…`), which GitHub shows on the file and
//! line in the pull request and the run's summary.

use gauntlet_reports::summary::Problem;

/// Whether annotations are wanted (`GITHUB_ACTIONS=true`, as GitHub sets it).
pub fn enabled() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// The annotation of one validation problem, as `validate` prints it
/// (`file:line:column: message` or `file: message`).
pub fn problem(line: &str) -> String {
    let mut parts = line.splitn(4, ':');
    let file = parts.next().unwrap_or_default();
    let (line_no, column) = (parts.next(), parts.next());
    match (line_no.and_then(|l| l.parse::<u64>().ok()), column.and_then(|c| c.parse::<u64>().ok())) {
        (Some(l), Some(c)) => {
            let message = parts.next().unwrap_or_default().trim_start();
            format!("::error file={},line={l},col={c}::{}", property(file), data(message))
        }
        _ => {
            let message =
                line.strip_prefix(file).and_then(|m| m.strip_prefix(':')).unwrap_or(line).trim_start();
            format!("::error file={}::{}", property(file), data(message))
        }
    }
}

/// The annotation of a failing or errored job (titled with its id).
pub fn failing_job(problem: &Problem) -> String {
    format!(
        "::error title={}::{} {}: {} (reproduce: {})",
        property(&problem.job.id()),
        problem.job,
        problem.outcome,
        data(&problem.detail),
        data(&problem.replay)
    )
}

/// A workflow command's message: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,` escaped.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_become_annotations_on_their_line() {
        assert_eq!(
            problem("scenarios/x.ron:5:18: at `ego.speed`: expected a speed, found -3"),
            "::error file=scenarios/x.ron,line=5,col=18::at `ego.speed`: expected a speed, found -3"
        );
        assert_eq!(
            problem("scenarios/x.ron: cannot read: gone"),
            "::error file=scenarios/x.ron::cannot read: gone"
        );
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
