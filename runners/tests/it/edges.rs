//! Hardened edges: what a new user hit wiring Gauntlet in. Every child runs
//! under a deadline and is killed if it overruns, so a regression (a hang on
//! a symlink loop or a FIFO) fails instead of hanging the suite.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

fn gauntlet() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gauntlet"));
    cmd.stdin(Stdio::null());
    cmd
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scenarios")
}

fn library() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library")
}

/// Waits for `child` until `deadline` after now; kills it and panics on overrun.
/// Its pipes are drained on their own threads meanwhile, so output larger than
/// a pipe's buffer never blocks the child.
fn wait_deadline(mut child: Child, deadline: Duration, what: &str) -> Output {
    fn drain<R: std::io::Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let until = Instant::now() + deadline;
    loop {
        match child.try_wait().expect("try_wait") {
            Some(status) => {
                return Output {
                    status,
                    stdout: stdout.join().expect("stdout reader"),
                    stderr: stderr.join().expect("stderr reader"),
                };
            }
            None if Instant::now() > until => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{what}: still running after {deadline:?} (a hang?)");
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Runs `cmd` to completion under the deadline, capturing everything.
fn output(cmd: &mut Command, what: &str) -> Output {
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawns");
    wait_deadline(child, DEADLINE, what)
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt as _;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

/// A folder with copies of the two fixture scenarios.
fn fixture_copy(dir: &Path) -> PathBuf {
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).expect("mkdir");
    for name in ["cut_in_noisy.ron", "golden_lead_braking.ron"] {
        std::fs::copy(fixtures().join(name), lib.join(name)).expect("copy");
    }
    lib
}

fn sweep(dir: &Path, out: &str, seeds: &str) -> Output {
    output(
        gauntlet()
            .args(["run", "--seeds", seeds, "--jobs", "2", "--no-regressions", "--no-triage", "--out"])
            .arg(dir.join(out))
            .arg(fixtures()),
        "run",
    )
}

#[test]
fn edges_seeds_zero_and_an_empty_folder_judge_nothing_and_exit_two() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = sweep(dir.path(), "r.jsonl", "0");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("nothing was judged"), "{stderr}");

    std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
    let out = output(
        gauntlet()
            .args(["run", "--no-regressions", "--out"])
            .arg(dir.path().join("e.jsonl"))
            .arg(dir.path().join("empty")),
        "run empty",
    );
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    let out = output(
        gauntlet()
            .args(["run", "--no-regressions", "--allow-empty", "--out"])
            .arg(dir.path().join("e.jsonl"))
            .arg(dir.path().join("empty")),
        "run empty allowed",
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
}

#[test]
fn edges_a_budget_states_the_jobs_it_skipped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = output(
        gauntlet()
            .args(["run", "--seeds", "3", "--budget", "2", "--no-regressions", "--no-triage", "--out"])
            .arg(dir.path().join("r.jsonl"))
            .arg(fixtures()),
        "run with budget",
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("skipped 4 of 6 planned jobs (budget spent)"), "{stdout}");
    // stderr is a pipe here, not a terminal: plain progress lines.
    assert!(stderr.contains("progress: 2/2 jobs (100%)"), "{stderr}");
}

#[test]
fn edges_a_closed_pipe_ends_list_and_run_quietly() {
    // `gauntlet list | head -0`: the reader is gone before anything is written.
    let mut child = gauntlet()
        .arg("list")
        .arg(library())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take());
    let out = wait_deadline(child, DEADLINE, "list into a closed pipe");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("error"), "{stderr}");

    // `gauntlet run … | head -1`.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = gauntlet()
        .args(["run", "--seeds", "2", "--no-regressions", "--no-triage", "--out"])
        .arg(dir.path().join("r.jsonl"))
        .arg(fixtures())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("one line");
    // The reader (and the pipe) is dropped here.
    assert!(first.contains("scenario"), "{first}");
    let out = wait_deadline(child, DEADLINE, "run into a closed pipe");
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("error:"), "{stderr}");
}

/// Starts a long sweep, sends `signal` once it has written some records,
/// checks the exit code and message, and returns the records file and the
/// resume command's arguments.
fn interrupt(dir: &Path, signal: &str, code: i32) -> (PathBuf, String) {
    let records = dir.join("r.jsonl");
    let child = gauntlet()
        .args(["run", "--seeds", "10", "--jobs", "1", "--no-regressions", "--no-triage", "--out"])
        .arg(&records)
        .arg(library())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let until = Instant::now() + DEADLINE;
    while std::fs::read_to_string(&records).map_or(0, |s| s.lines().count()) < 10 {
        assert!(Instant::now() < until, "no records written");
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status();
    assert!(status.expect("kill runs").success());
    let out = wait_deadline(child, DEADLINE, "interrupted run");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(code), "{stdout}{stderr}");
    let kept = std::fs::read_to_string(&records).expect("records").lines().count();
    assert!(kept < crate::support::library_len() * 10, "the sweep stopped early: {kept}");
    assert!(
        stderr
            .contains(&format!("interrupted by SIG{signal}: kept {kept} record(s) in {}", records.display())),
        "{stderr}"
    );
    let resume = stderr.lines().last().expect("the resume command").trim().to_owned();
    assert!(resume.ends_with("--resume"), "{stderr}");
    (records, resume)
}

#[test]
fn edges_sigint_keeps_the_records_says_how_to_resume_and_resume_completes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (records, resume) = interrupt(dir.path(), "INT", 130);
    let args = shell_words::split(&resume).expect("a shell command");
    assert_eq!(args[0], env!("CARGO_BIN_EXE_gauntlet"));
    let out = output(gauntlet().args(&args[1..]), "resume");
    let (stdout, stderr) = text(&out);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stdout}{stderr}");
    let lines: Vec<String> =
        std::fs::read_to_string(&records).expect("records").lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), crate::support::library_len() * 10, "every job of the library once: {stdout}");
    let ids: std::collections::BTreeSet<String> = lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["id"].to_string())
        .collect();
    assert_eq!(ids.len(), lines.len(), "no job twice");
}

#[test]
fn edges_sigterm_exits_143_with_the_same_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    interrupt(dir.path(), "TERM", 143);
}

#[test]
fn edges_symlink_loops_end_and_count_each_file_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lib = fixture_copy(dir.path());
    std::fs::create_dir(lib.join("sub")).expect("mkdir");
    std::os::unix::fs::symlink("..", lib.join("sub/up")).expect("symlink");
    std::os::unix::fs::symlink(".", lib.join("self")).expect("symlink");
    std::os::unix::fs::symlink("../cut_in_noisy.ron", lib.join("sub/again.ron")).expect("symlink");

    let out = output(gauntlet().args(["validate", "--no-taxonomy"]).arg(&lib), "validate a looped folder");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("2 valid, 0 problem(s)"), "{stdout}");
    assert!(stderr.contains("a folder already walked"), "{stderr}");

    let out = output(gauntlet().arg("list").arg(&lib), "list a looped folder");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
}

#[test]
fn edges_a_fifo_named_ron_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lib = fixture_copy(dir.path());
    mkfifo(&lib.join("x.ron"));
    let out = output(gauntlet().args(["validate", "--no-taxonomy"]).arg(&lib), "validate with a FIFO");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("x.ron: skipped: a FIFO"), "{stderr}");
    assert!(stdout.contains("2 valid"), "{stdout}");
}

#[test]
fn edges_validate_refuses_duplicate_scenario_ids_naming_both_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lib = fixture_copy(dir.path());
    std::fs::copy(lib.join("cut_in_noisy.ron"), lib.join("copy.ron")).expect("copy");
    let out = output(gauntlet().args(["validate", "--no-taxonomy"]).arg(&lib), "validate duplicates");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("cut_in_noisy.ron: scenario id \"fixture.cut_in_noisy\" is also used by")
            && stderr.contains("copy.ron"),
        "{stderr}"
    );
}

#[test]
fn edges_merge_refuses_to_replace_a_non_regular_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(sweep(dir.path(), "a.jsonl", "1").status.success());
    // A FIFO stands in for /dev/null: never risk a real device.
    let fifo = dir.path().join("out.jsonl");
    mkfifo(&fifo);
    let out = output(
        gauntlet().arg("merge").arg(dir.path().join("a.jsonl")).arg("--out").arg(&fifo),
        "merge onto a FIFO",
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("it is a FIFO, not a regular file"), "{stderr}");
    assert!(is_fifo(&fifo), "the FIFO is still there");
    assert!(!dir.path().join(".out.jsonl.merging").exists(), "nothing written");
}

#[test]
fn edges_two_runs_of_the_same_jobs_merge_and_report_without_doubling() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(sweep(dir.path(), "a.jsonl", "3").status.success());
    assert!(sweep(dir.path(), "b.jsonl", "3").status.success());
    let out = output(
        gauntlet()
            .arg("merge")
            .arg(dir.path().join("a.jsonl"))
            .arg(dir.path().join("b.jsonl"))
            .arg("--out")
            .arg(dir.path().join("m.jsonl")),
        "merge",
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("12 records read, 6 written, 6 duplicate(s) dropped"), "{stdout}");
    assert_eq!(std::fs::read_to_string(dir.path().join("m.jsonl")).expect("merged").lines().count(), 6);

    // Concatenated (not merged), the report counts each job once and says so.
    let both = [dir.path().join("a.jsonl"), dir.path().join("b.jsonl")]
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect::<String>();
    std::fs::write(dir.path().join("ab.jsonl"), both).expect("write");
    let out = output(gauntlet().arg("report").arg(dir.path().join("ab.jsonl")), "report");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("6 duplicate record(s)"), "{stderr}");
    assert!(
        stdout.lines().any(|l| l.starts_with("total") && l.split_whitespace().nth(1) == Some("6")),
        "{stdout}"
    );
    let out = output(gauntlet().arg("coverage").arg(dir.path().join("ab.jsonl")), "coverage");
    assert!(text(&out).1.contains("6 duplicate record(s)"), "{:?}", text(&out));

    // --resume of the doubled file: duplicates not counted again.
    let out = output(
        gauntlet()
            .args(["run", "--seeds", "3", "--no-regressions", "--no-triage", "--resume", "--out"])
            .arg(dir.path().join("ab.jsonl"))
            .arg(fixtures()),
        "resume a doubled file",
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("resumed: kept 6 complete record(s)"), "{stdout}");
    assert!(stderr.contains("6 duplicate record(s)"), "{stderr}");
}

/// A records file without a record judged nothing: `report` exits 2, unless `--allow-empty`.
#[test]
fn edges_report_on_an_empty_records_file_is_nothing_judged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").expect("writes");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("report")
        .arg(&empty)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was judged"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("report")
        .arg(&empty)
        .arg("--allow-empty")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
}
