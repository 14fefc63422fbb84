//! Every record says how to reproduce itself: its `replay` command, run as a
//! user would paste it, gives the same trace hash — for plain sweep jobs,
//! saved regressions and fuzz instances, passing and failing alike.

use std::path::{Path, PathBuf};
use std::process::Command;

use gauntlet_reports::record::{JobKind, JobSource, Outcome, RunRecord, read_records};

fn gauntlet(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gauntlet"));
    cmd.current_dir(cwd);
    cmd
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn records(path: &Path) -> Vec<RunRecord> {
    read_records(path).collect::<Result<_, _>>().expect("records read")
}

/// Runs `record.replay` (with `--json`) from `cwd` and returns the replayed record.
fn replay(record: &RunRecord, cwd: &Path) -> RunRecord {
    let words = shell_words::split(&record.replay).expect("a shell command");
    assert_eq!(words[0], "gauntlet", "{}", record.replay);
    let out = gauntlet(cwd).args(&words[1..]).arg("--json").output().expect("gauntlet runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}: {}\n{}",
        record.replay,
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{}: {e}: {stdout}", record.replay))
}

/// Every record's replay reproduces its trace hash, id, kind and source.
fn assert_every_replay_reproduces(recs: &[RunRecord], cwd: &Path) {
    for r in recs {
        let again = replay(r, cwd);
        assert_eq!(again.trace_hash, r.trace_hash, "{} via `{}`", r.id, r.replay);
        assert_eq!((&again.id, again.kind, &again.source), (&r.id, r.kind, &r.source), "{}", r.replay);
        assert_eq!(again.outcome, r.outcome, "{}", r.replay);
        assert_eq!(again.replay, r.replay, "a replayed record names the same command");
    }
}

#[test]
fn every_records_replay_command_reproduces_it_for_fuzz_regression_and_plain_jobs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = repo();
    let regressions = dir.path().join("regressions");
    let lib = |f: &str| root.join("scenarios/library").join(f);
    let scenarios = [lib("lead_braking.highway.ron"), lib("pedestrian.urban_crossing.ron")];

    // A fuzz campaign against a stack that brakes late: failing and passing instances.
    let fuzz_out = dir.path().join("fuzz.jsonl");
    let status = gauntlet(&root)
        .arg("fuzz")
        .args(&scenarios)
        .args(["--budget", "40", "--adapter", "builtin:late-braker", "--jobs", "2", "--shrink-budget", "60"])
        .arg("--out")
        .arg(&fuzz_out)
        .arg("--regressions")
        .arg(&regressions)
        .status()
        .expect("fuzz runs");
    assert_eq!(status.code(), Some(1), "the late braker fails some instance");
    let fuzzed = records(&fuzz_out);
    assert_eq!(fuzzed.len(), 40);
    assert!(fuzzed.iter().all(|r| r.kind == JobKind::Fuzz));
    assert!(
        fuzzed.iter().any(|r| r.outcome == Outcome::Fail)
            && fuzzed.iter().any(|r| r.outcome == Outcome::Pass)
    );
    let saved = gauntlet_scenarios::regression::list(&regressions).expect("regressions saved");
    assert!(!saved.is_empty(), "failures are shrunk and saved");
    // Replaying never rewrites the campaign's records.
    let before = std::fs::read(&fuzz_out).expect("read");
    assert_every_replay_reproduces(&fuzzed, &root);
    assert_eq!(std::fs::read(&fuzz_out).expect("read"), before);

    // A sweep with those regressions (first) and plain jobs, run from another working folder.
    let elsewhere = tempfile::tempdir().expect("another folder");
    let sweep_out = dir.path().join("sweep.jsonl");
    let status = gauntlet(elsewhere.path())
        .arg("run")
        .args(&scenarios)
        .args(["--seeds", "2", "--adapter", "builtin:late-braker", "--jobs", "2"])
        .arg("--regressions")
        .arg(&regressions)
        .arg("--out")
        .arg(&sweep_out)
        .status()
        .expect("sweep runs");
    assert!(status.code().is_some_and(|c| c <= 1));
    let swept = records(&sweep_out);
    let n = saved.len();
    assert_eq!(swept.len(), n + 4);
    assert!(swept[..n].iter().all(|r| r.kind == JobKind::Regression), "regressions run first");
    assert!(swept[n..].iter().all(|r| r.kind == JobKind::Run));
    for r in &swept[..n] {
        let JobSource::Regression { saved_trace_hash, .. } = &r.source else { panic!("{:?}", r.source) };
        assert_eq!(&r.trace_hash, saved_trace_hash, "a regression re-runs bit for bit: {}", r.id);
    }
    assert_every_replay_reproduces(&swept, elsewhere.path());

    // `replay RECORDS --job ID` and `--line N` run exactly that job.
    let target = &swept[n];
    for selector in [["--job".to_owned(), target.id.clone()], ["--line".to_owned(), (n + 1).to_string()]] {
        let out = gauntlet(dir.path())
            .arg("replay")
            .arg(&sweep_out)
            .args(&selector)
            .arg("--json")
            .output()
            .expect("runs");
        let again: RunRecord = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
        });
        assert_eq!(
            (again.id.as_str(), again.trace_hash.as_str()),
            (target.id.as_str(), target.trace_hash.as_str())
        );
    }
}

#[test]
fn a_regression_replays_against_another_adapter_and_says_whether_it_still_fails() {
    let root = repo();
    let file = root.join("scenarios/regressions/lead_braking.highway.21d674db3b3c.ron");
    // Against the adapter it failed: still failing, the saved trace.
    let out = gauntlet(&root).arg("replay").arg(&file).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("still fails") && text.contains("(the saved trace)"), "{text}");
    // Against the reference driver (from another folder): it runs, and says how it fared.
    let elsewhere = tempfile::tempdir().expect("another folder");
    let out = gauntlet(elsewhere.path())
        .arg("replay")
        .arg(&file)
        .args(["--adapter", "builtin:reference", "--json"])
        .output()
        .expect("runs");
    let record: RunRecord = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(record.adapter.name, "reference");
    assert_eq!(record.kind, JobKind::Regression);
    let out = gauntlet(elsewhere.path())
        .arg("replay")
        .arg(&file)
        .args(["--adapter", "builtin:reference"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("regression ") && (text.contains("fixed") || text.contains("still fails")),
        "{text}"
    );
}

#[test]
fn validate_and_list_accept_the_regression_corpus_and_resume_runs_it_into_a_fresh_file() {
    let root = repo();
    let out = gauntlet(&root).args(["validate", "scenarios/regressions"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("4 valid, 0 problem(s)"));
    let out = gauntlet(&root).args(["list", "scenarios/regressions"]).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().filter(|l| l.contains("regression: fails")).count(), 4, "{text}");

    // `run --resume` into a file that does not exist yet runs the regressions first.
    let dir = tempfile::tempdir().expect("temp dir");
    let records_file = dir.path().join("r.jsonl");
    let status = gauntlet(&root)
        .args(["run", "scenarios/library/lead_braking.highway.ron", "--seeds", "1", "--resume"])
        .args(["--adapter", "builtin:late-braker"])
        .arg("--out")
        .arg(&records_file)
        .status()
        .expect("runs");
    assert!(status.code().is_some_and(|c| c <= 1));
    let recs = records(&records_file);
    assert_eq!(recs.iter().map(|r| r.kind).collect::<Vec<_>>(), [JobKind::Regression, JobKind::Run]);
}

#[test]
fn the_dashboard_draws_a_regression_jobs_trace_with_the_records_hash() {
    use gauntlet_runners::artefacts::ArtefactOptions;
    use gauntlet_runners::commands::run::{RunConfig, SweepOptions, run_with};

    let dir = tempfile::tempdir().expect("temp dir");
    let root = repo();
    let out = dir.path().join("r.jsonl");
    let config = RunConfig {
        paths: vec![root.join("scenarios/library/lead_braking.highway.ron")],
        seeds: 1,
        threads: 2,
        adapter: "builtin:late-braker".parse().expect("valid"),
        exec: gauntlet_runners::adapter::ExecOptions::default(),
        out: out.clone(),
        budget: None,
        time_budget: None,
        progress: false,
        taxonomy: Some(root.join("taxonomy/default.ron")),
        regressions: Some(root.join("scenarios/regressions")),
        triage: true,
    };
    let sweep = SweepOptions {
        artefacts: ArtefactOptions { html: Some(dir.path().join("d.html")), ..ArtefactOptions::default() },
        ..SweepOptions::default()
    };
    let report = run_with(&config, &sweep).expect("sweep runs");
    let recs = records(&out);
    let regression = recs.iter().find(|r| r.kind == JobKind::Regression).expect("the regression ran");
    assert_eq!(regression.outcome, Outcome::Fail, "the late braker still fails its regression");
    let artefacts = report.artefacts.expect("artefacts");
    let failing = recs.iter().filter(|r| r.outcome == Outcome::Fail).count();
    assert!(
        artefacts.trace_notes.is_empty(),
        "every failing job re-ran to its record's hash: {:?}",
        artefacts.trace_notes
    );
    assert_eq!(artefacts.traces, failing);
}
