//! The shell steps of the CI examples, run for real: the Kubernetes report
//! step (examples/ci/k8s/report.yaml) over real shards, with a clean merge
//! and with conflicting shards.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shell script of the report Job, with `/results` moved under `results`.
fn report_script(results: &Path, run: &str) -> String {
    let yaml = std::fs::read_to_string(repo().join("examples/ci/k8s/report.yaml")).expect("reads");
    let start = yaml.find("- |\n").expect("the script block") + 4;
    let block: Vec<&str> =
        yaml[start..].lines().take_while(|l| l.starts_with("              ") || l.is_empty()).collect();
    let script: String = block.iter().map(|l| format!("{}\n", l.get(14..).unwrap_or(""))).collect();
    script.replace("/results", &results.display().to_string()).replace("${RUN}", run)
}

/// A working folder laid out like the image's: scenarios, taxonomy, gauntlet.toml.
fn workdir(dir: &Path) -> PathBuf {
    let work = dir.join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    std::os::unix::fs::symlink(repo().join("scenarios"), work.join("scenarios")).expect("link");
    std::os::unix::fs::symlink(repo().join("taxonomy"), work.join("taxonomy")).expect("link");
    std::fs::copy(repo().join("examples/ci/gauntlet.toml"), work.join("gauntlet.toml")).expect("copy");
    work
}

fn shards(work: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    for k in 1..=2 {
        let status = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
            .current_dir(work)
            .args([
                "run",
                "scenarios/library/lead_braking.highway.ron",
                "scenarios/library/cut_in.highway.ron",
            ])
            .args(["--seeds", "2", "--shard", &format!("{k}/2"), "--no-regressions", "--out"])
            .arg(dir.join(format!("shard-{k}.jsonl")))
            .output()
            .expect("shard runs");
        assert!(status.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&status.stderr));
    }
}

fn run_report(work: &Path, results: &Path, run: &str) -> (i32, String) {
    let bin = Path::new(env!("CARGO_BIN_EXE_gauntlet")).parent().expect("bin dir").to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("sh")
        .current_dir(work)
        .env("PATH", path)
        .arg("-c")
        .arg(report_script(results, run))
        .output()
        .expect("sh runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn the_kubernetes_report_step_makes_its_artefacts_even_when_the_shards_conflict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let work = workdir(dir.path());
    let results = dir.path().join("results");

    // A clean night: artefacts, tonight in the trend, tonight the new baseline.
    shards(&work, &results.join("night1"));
    let (code, text) = run_report(&work, &results, "night1");
    assert!(code <= 1, "{code}: {text}");
    for artefact in ["records.jsonl", "junit.xml", "summary.md", "dashboard.html"] {
        assert!(results.join("night1").join(artefact).is_file(), "{artefact} missing: {text}");
    }
    assert!(results.join("latest/records.jsonl").is_file(), "the clean night is the baseline");
    assert_eq!(std::fs::read_dir(results.join("history")).expect("history").count(), 1);
    let baseline = std::fs::read(results.join("latest/records.jsonl")).expect("baseline");

    // A night whose shards conflict (one job twice with another trace): the
    // report and its artefacts are still made, the night fails, and the
    // baseline stays the last clean night's.
    shards(&work, &results.join("night2"));
    let shard1 = results.join("night2/shard-1.jsonl");
    let first = std::fs::read_to_string(&shard1).expect("shard").lines().next().expect("a record").to_owned();
    let mut record: serde_json::Value = serde_json::from_str(&first).expect("json");
    record["trace_hash"] = serde_json::json!("0".repeat(64));
    std::fs::write(results.join("night2/shard-3.jsonl"), format!("{record}\n")).expect("writes");
    let (code, text) = run_report(&work, &results, "night2");
    assert_eq!(code, 1, "a conflicting merge fails the night: {text}");
    assert!(
        results.join("night2/dashboard.html").is_file() && results.join("night2/summary.md").is_file(),
        "{text}"
    );
    assert_eq!(std::fs::read(results.join("latest/records.jsonl")).expect("baseline"), baseline);
}
