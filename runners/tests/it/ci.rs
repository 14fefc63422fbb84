//! Nightly-CI features end to end: sharding and merging, baseline and gate
//! verdicts with their exit codes, resume after a real kill, and the JUnit,
//! Markdown and HTML artefacts.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use gauntlet_reports::record::{
    JobKey, Outcome, ReadItem, RecordWriter, RunRecord, read_records, read_records_tolerant,
};
use gauntlet_runners::shard::{Shard, bucket};

fn gauntlet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gauntlet"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Two passing scenarios and one that always fails (a stopped car on ice).
fn mixed_paths() -> [PathBuf; 2] {
    [fixtures().join("scenarios"), fixtures().join("failing")]
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn run_ok(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().expect("gauntlet starts");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(code), "{all}");
    all
}

fn read(path: &Path) -> Vec<RunRecord> {
    read_records(path).map(|r| r.expect("valid record")).collect()
}

fn write(path: &Path, records: &[RunRecord]) {
    let mut w = RecordWriter::new(std::fs::File::create(path).expect("create"));
    for r in records {
        w.write(r).expect("write");
    }
}

/// Records by job, wall time zeroed: what two sweeps of the same jobs must agree on.
fn by_key(records: Vec<RunRecord>) -> BTreeMap<JobKey, RunRecord> {
    let mut map = BTreeMap::new();
    for mut r in records {
        r.wall_ms = 0.0;
        assert!(map.insert(r.key(), r).is_none(), "duplicate record");
    }
    map
}

/// A sweep of the mixed fixtures into `out`, with extra arguments.
fn sweep(out: &Path, seeds: u32, extra: &[&str]) -> Command {
    let mut cmd = gauntlet();
    cmd.args(["run", "--jobs", "2", "--seeds", &seeds.to_string(), "--out"]).arg(out).args(mixed_paths());
    cmd.args(extra);
    cmd
}

#[test]
fn shards_cover_every_job_exactly_once() {
    let ids = ["cut_in.highway", "pedestrian.urban_crossing", "yard.pallet", "x", ""];
    for n in 1..=9u32 {
        let shards: Vec<Shard> = (1..=n).map(|k| Shard::new(k, n).expect("valid shard")).collect();
        let mut sizes = vec![0u32; n as usize];
        for id in ids {
            for seed in 0..200u64 {
                let owners: Vec<u32> =
                    shards.iter().filter(|s| s.contains(id, seed)).map(|s| s.index()).collect();
                assert_eq!(owners.len(), 1, "{id} seed {seed} with {n} shards: {owners:?}");
                sizes[owners[0] as usize - 1] += 1;
            }
        }
        // 1000 jobs: every shard gets a fair share, within 40 % of the mean.
        let mean = 1000.0 / f64::from(n);
        assert!(sizes.iter().all(|&s| (f64::from(s) - mean).abs() < 0.4 * mean), "{n} shards: {sizes:?}");
    }
}

/// Pinned: the shard of a job must not change within a major version, or a
/// resumed nightly matrix would run some jobs twice and others never.
#[test]
fn shard_assignments_are_pinned() {
    let pinned = [
        ("cut_in.highway", 0, 8, 4),
        ("cut_in.highway", 1, 8, 2),
        ("pedestrian.urban_crossing", 7, 8, 7),
        ("fixture.golden_lead_braking", 3, 4, 2),
        ("yard.pallet", 123_456_789, 16, 4),
    ];
    for (id, seed, n, bucket_index) in pinned {
        assert_eq!(bucket(id, seed, n), bucket_index, "{id} seed {seed} of {n} shards");
        let shard = Shard::new(bucket_index + 1, n).expect("valid shard");
        assert!(shard.contains(id, seed));
    }
}

#[test]
fn merging_two_shards_gives_the_unsharded_sweep() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = |name: &str| dir.path().join(name);
    // A saved regression is a job of the plan: sharded like the others.
    let regression = fixtures().join("../../../scenarios/regressions/lead_braking.highway.21d674db3b3c.ron");
    let regression = regression.to_str().expect("utf-8 path");
    // Exit 1: the icy obstacle fails; the records are what matters here.
    run_ok(&mut sweep(&p("all.jsonl"), 3, &[regression]), 1);
    let one = run_ok(&mut sweep(&p("s1.jsonl"), 3, &["--shard", "1/2", regression]), 1);
    assert!(one.contains("shard 1/2: "), "{one}");
    let two = gauntlet()
        .args(["run", "--jobs", "2", "--seeds", "3", "--shard", "2/2", "--out"])
        .arg(p("s2.jsonl"))
        .args(mixed_paths())
        .arg(regression)
        .output()
        .expect("runs");
    assert!(matches!(two.status.code(), Some(0 | 1)), "{}", text(&two));

    let (s1, s2) = (read(&p("s1.jsonl")), read(&p("s2.jsonl")));
    assert!(!s1.is_empty() && !s2.is_empty(), "both shards have work: {} + {}", s1.len(), s2.len());
    let k1: BTreeSet<JobKey> = s1.iter().map(RunRecord::key).collect();
    assert!(s2.iter().all(|r| !k1.contains(&r.key())), "the shards are disjoint");

    let merged = run_ok(
        gauntlet().arg("merge").arg(p("s1.jsonl")).arg(p("s2.jsonl")).arg("--out").arg(p("m.jsonl")),
        0,
    );
    assert!(
        merged.contains(
            "merged 2 file(s): 10 records read, 10 written, 0 duplicate(s) dropped (same job, inputs and result), 0 conflict(s)"
        ),
        "{merged}"
    );
    let merged = read(&p("m.jsonl"));
    assert_eq!(merged.iter().filter(|r| r.kind == gauntlet_reports::record::JobKind::Regression).count(), 1);
    let keys: Vec<JobKey> = merged.iter().map(RunRecord::key).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "merged output is sorted by job");
    assert_eq!(by_key(merged), by_key(read(&p("all.jsonl"))));
}

#[test]
fn merge_fails_on_conflicting_records_unless_allowed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = |name: &str| dir.path().join(name);
    run_ok(
        gauntlet()
            .args(["run", "--seeds", "2", "--out"])
            .arg(p("a.jsonl"))
            .arg(fixtures().join("scenarios/golden_lead_braking.ron")),
        0,
    );
    let mut b = read(&p("a.jsonl"));
    b[1].trace_hash = "0".repeat(64);
    write(&p("b.jsonl"), &b);
    let args = |cmd: &mut Command| {
        cmd.arg("merge").arg(p("a.jsonl")).arg(p("b.jsonl")).arg("--out").arg(p("m.jsonl"));
    };
    let mut cmd = gauntlet();
    args(&mut cmd);
    let out = run_ok(&mut cmd, 1);
    assert!(out.contains("1 duplicate(s) dropped (same job, inputs and result), 1 conflict(s)"), "{out}");
    assert!(out.contains("CONFLICT fixture.golden_lead_braking seed=1 run"), "{out}");
    // Reports never drop evidence: both versions of the job are kept.
    assert_eq!(read(&p("m.jsonl")).len(), 3);
    let mut cmd = gauntlet();
    args(&mut cmd);
    run_ok(cmd.arg("--allow-conflicts"), 0);
}

#[test]
fn a_baseline_decides_the_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = |name: &str| dir.path().join(name);
    let night = p("night.jsonl");
    // Without a baseline, the failing job fails the sweep.
    run_ok(&mut sweep(&p("old.jsonl"), 2, &[]), 1);
    // Against itself, the same failure is "still failing": not a regression.
    let out = run_ok(&mut sweep(&night, 2, &["--baseline", p("old.jsonl").to_str().expect("utf-8")]), 0);
    assert!(out.contains("baseline: 0 regression(s), 0 fixed, 2 still failing, 0 flaky"), "{out}");
    assert!(out.contains("verdict: passed"), "{out}");
    // --strict fails on old failures too.
    let report = |baseline: &Path, extra: &[&str]| {
        let mut cmd = gauntlet();
        cmd.arg("report").arg(&night).arg("--baseline").arg(baseline).args(extra);
        cmd
    };
    let out = run_ok(&mut report(&p("old.jsonl"), &["--strict"]), 1);
    assert!(
        out.contains(
            "verdict: FAILED (baseline (strict): 0 regression(s), 0 flaky, 2 still failing, required 0, 0, 0)"
        ),
        "{out}"
    );

    let old = read(&p("old.jsonl"));
    // Last night the icy job passed, with another version of its file: a regression.
    let mut regressed = old.clone();
    for r in regressed.iter_mut().filter(|r| r.scenario == "fixture.icy_obstacle") {
        r.outcome = Outcome::Pass;
        r.file_hash = "an older file".to_owned();
        r.verdicts.iter_mut().for_each(|v| v.passed = true);
    }
    write(&p("regressed.jsonl"), &regressed);
    let out = run_ok(&mut report(&p("regressed.jsonl"), &[]), 1);
    assert!(out.contains("REGRESSION fixture.icy_obstacle seed=0 run: pass → fail"), "{out}");
    assert!(out.contains("verdict: FAILED (baseline: 2 regression(s), 0 flaky, required 0, 0)"), "{out}");

    // Same inputs, another trace: a flake, whatever the outcome.
    let mut flaky = old.clone();
    let target = flaky.iter_mut().find(|r| r.outcome == Outcome::Pass).expect("a passing job");
    target.trace_hash = "f".repeat(64);
    let flaky_job = target.key();
    write(&p("flaky.jsonl"), &flaky);
    let out = run_ok(&mut report(&p("flaky.jsonl"), &[]), 1);
    assert!(out.contains(&format!("FLAKY      {flaky_job}: pass → pass")), "{out}");

    // A passing job whose margin was larger last night: reported, never failing the build.
    let mut wider = old;
    let target = wider.iter_mut().find(|r| r.outcome == Outcome::Pass).expect("a passing job");
    target.file_hash = "an older file".to_owned();
    target.verdicts.iter_mut().for_each(|v| v.margin += 1.0);
    let wider_job = target.key();
    write(&p("wider.jsonl"), &wider);
    let out = run_ok(&mut report(&p("wider.jsonl"), &["--margin-tolerance", "0.5"]), 0);
    assert!(out.contains(&format!("MARGIN     {wider_job}: ")), "{out}");
    let out = run_ok(&mut report(&p("wider.jsonl"), &["--margin-tolerance", "2"]), 0);
    assert!(out.contains("0 margin regression(s)"), "{out}");
}

#[test]
fn a_gate_file_prints_each_check_and_decides_the_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = |name: &str| dir.path().join(name);
    let gate = |name: &str| fixtures().join("ci").join(name);
    let out = run_ok(
        &mut sweep(&p("r.jsonl"), 2, &["--gate", gate("gate_lenient.toml").to_str().expect("utf-8")]),
        0,
    );
    for line in [
        "PASS  pass rate ",
        "66.67% (4 of 6)",
        ">= 50.00%",
        "PASS  errors ",
        "PASS  regressions ",
        "no baseline",
        "PASS  top-risk coverage ",
        "gate: passed (5 checks)",
        "verdict: passed",
    ] {
        assert!(out.contains(line), "missing {line:?} in {out}");
    }
    let out =
        run_ok(gauntlet().arg("report").arg(p("r.jsonl")).arg("--gate").arg(gate("gate_strict.toml")), 1);
    assert!(out.contains("FAIL  pass rate "), "{out}");
    assert!(out.contains("FAIL  top-risk coverage "), "{out}");
    assert!(out.contains("gate: FAILED (2 of 3 checks failed)"), "{out}");

    // A bad gate file stops the sweep before any job runs.
    let out = run_ok(
        &mut sweep(&p("never.jsonl"), 2, &["--gate", gate("gate_invalid.toml").to_str().expect("utf-8")]),
        2,
    );
    assert!(out.contains("gate_invalid.toml:2:17: min_pass_rate must be between 0 and 1, found 95"), "{out}");
    assert!(!p("never.jsonl").exists());
}

#[test]
fn resume_after_a_kill_runs_only_the_missing_jobs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (partial, clean) = (dir.path().join("partial.jsonl"), dir.path().join("clean.jsonl"));
    let args = |out: &Path| -> Vec<std::ffi::OsString> {
        let mut a: Vec<std::ffi::OsString> =
            ["run", "--jobs", "1", "--seeds", "150", "--out"].iter().map(Into::into).collect();
        a.push(out.into());
        a.push(fixtures().join("scenarios").into());
        a
    };
    const TOTAL: usize = 300;

    let mut child =
        gauntlet().args(args(&partial)).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("starts");
    let started = Instant::now();
    loop {
        let lines = std::fs::read(&partial).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        if lines >= 3 {
            break;
        }
        assert!(child.try_wait().expect("poll").is_none(), "the sweep ended before it could be killed");
        assert!(started.elapsed() < Duration::from_secs(120), "no record after two minutes");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(child.try_wait().expect("poll").is_none(), "the sweep ended before it could be killed");
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    // Every complete line is a valid record; at most the last one is torn.
    let mut kept = 0;
    let mut torn = false;
    for item in read_records_tolerant(&partial) {
        match item.expect("every complete line is a valid record") {
            ReadItem::Record(_) => kept += 1,
            ReadItem::Torn(_) => torn = true,
        }
    }
    assert!((3..TOTAL).contains(&kept), "killed mid-sweep: {kept} of {TOTAL}");
    if !torn {
        // Make the kill land mid-write too: half a record, no newline.
        let line = std::fs::read_to_string(&partial).expect("read");
        let first = line.lines().next().expect("a line");
        let mut f = std::fs::OpenOptions::new().append(true).open(&partial).expect("open");
        f.write_all(&first.as_bytes()[..first.len() / 2]).expect("append");
    }

    let out = gauntlet().args(args(&partial)).arg("--resume").output().expect("runs");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("skipped a torn last line") && all.contains("cut off; its job runs again"), "{all}");
    assert!(all.contains(&format!("resumed: kept {kept} complete record(s)")), "{all}");

    run_ok(gauntlet().args(args(&clean)), 0);
    let resumed = read(&partial);
    assert_eq!(resumed.len(), TOTAL, "no job twice, none missing");
    assert_eq!(by_key(resumed), by_key(read(&clean)));
}

#[test]
fn resume_refuses_records_of_another_scenario_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("r.jsonl");
    let scenario = fixtures().join("scenarios/golden_lead_braking.ron");
    run_ok(gauntlet().args(["run", "--seeds", "2", "--out"]).arg(&out).arg(&scenario), 0);
    let mut records = read(&out);
    records.truncate(1);
    records[0].file_hash = "edited since".to_owned();
    write(&out, &records);
    let all =
        run_ok(gauntlet().args(["run", "--seeds", "2", "--resume", "--out"]).arg(&out).arg(&scenario), 2);
    assert!(all.contains("has scenario file hash \"edited since\""), "{all}");
    assert_eq!(read(&out).len(), 1, "the records file is left alone");
}

#[test]
fn junit_and_markdown_artefacts_parse_and_name_the_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = |name: &str| dir.path().join(name);
    let out = run_ok(
        &mut sweep(
            &p("r.jsonl"),
            1,
            &[
                "--junit",
                p("out/junit.xml").to_str().expect("utf-8"),
                "--markdown",
                p("summary.md").to_str().expect("utf-8"),
            ],
        ),
        1,
    );
    assert!(out.contains("wrote ") && out.contains("junit.xml"), "{out}");

    let xml = std::fs::read_to_string(p("out/junit.xml")).expect("junit written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("3"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let suites: Vec<&str> =
        root.children().filter(|n| n.has_tag_name("testsuite")).filter_map(|n| n.attribute("name")).collect();
    assert_eq!(suites, ["fixture.cut_in_noisy", "fixture.golden_lead_braking", "fixture.icy_obstacle"]);
    let failure = doc.descendants().find(|n| n.has_tag_name("failure")).expect("a failure element");
    let case = failure.parent().expect("inside a test case");
    assert_eq!(case.attribute("classname"), Some("fixture.icy_obstacle"));
    assert!(failure.attribute("message").is_some_and(|m| m.contains("no_collision")));

    let md = std::fs::read_to_string(p("summary.md")).expect("markdown written");
    assert!(md.starts_with("# Gauntlet: FAILED\n\n**3 jobs**: 2 pass, 1 fail, 0 error"), "{md}");
    assert!(md.contains("| **FAIL** | failed or errored jobs | 1 | 0 |"), "{md}");
    assert!(md.contains("## Top failures") && md.contains("fixture.icy_obstacle seed=0 run"), "{md}");
    assert!(md.contains("## Top-risk gaps\n\nTop-risk coverage: **"), "{md}");
    assert!(md.contains("Unexercised hazards, riskiest first"), "{md}");
}

/// The article of the failing job in the dashboard.
fn failing_article<'a>(doc: &'a roxmltree::Document<'a>, scenario: &str) -> roxmltree::Node<'a, 'a> {
    doc.descendants()
        .find(|n| {
            n.has_tag_name("article")
                && n.attribute("class") == Some("job")
                && n.descendants().any(|d| d.text() == Some(scenario))
        })
        .expect("the failing job has an article")
}

#[test]
fn the_dashboard_is_self_contained_with_the_failing_jobs_picture() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (records, html) = (dir.path().join("r.jsonl"), dir.path().join("dash/index.html"));
    let out = run_ok(&mut sweep(&records, 1, &["--html", html.to_str().expect("utf-8")]), 1);
    assert!(out.contains("index.html"), "{out}");
    let page = std::fs::read_to_string(&html).expect("dashboard written");
    for external in ["<link", "src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!page.contains(external), "external resource {external:?}");
    }
    let doc = roxmltree::Document::parse_with_options(
        &page,
        roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
    )
    .expect("well-formed markup");
    let article = failing_article(&doc, "fixture.icy_obstacle");
    assert!(article.descendants().any(|n| n.tag_name().name() == "svg"), "the failing job is drawn");
    assert!(!page.contains("id=\"trace-notes\""), "every failing job has its trace");

    // The same page from the records alone; the job is re-run with the recorded adapter.
    let again = dir.path().join("again.html");
    run_ok(gauntlet().arg("report").arg(&records).arg("--html").arg(&again), 1);
    assert_eq!(std::fs::read_to_string(&again).expect("written"), page, "deterministic output");

    // Earlier nights as the trend, oldest name first; a killed night's torn line is skipped.
    let history = dir.path().join("history");
    std::fs::create_dir(&history).expect("mkdir");
    std::fs::copy(&records, history.join("2025-06-02.jsonl")).expect("copy");
    let mut torn = std::fs::read(&records).expect("read");
    torn.extend_from_slice(b"{\"schema\":1,\"scen");
    std::fs::write(history.join("2025-06-01.jsonl"), torn).expect("write");
    std::fs::write(history.join("notes.txt"), "not a records file").expect("write");
    let trend = dir.path().join("trend.html");
    let out = run_ok(
        gauntlet().arg("report").arg(&records).arg("--html").arg(&trend).arg("--history").arg(&history),
        1,
    );
    assert!(
        out.contains("warning: history: ") && out.contains("2025-06-01.jsonl:4: skipped a torn last line"),
        "{out}"
    );
    let page = std::fs::read_to_string(&trend).expect("written");
    let trends = page.split_once("id=\"trends\"").expect("a trend section").1;
    let (first, second) =
        (trends.find("2025-06-01").expect("first night"), trends.find("2025-06-02").expect("second night"));
    assert!(first < second, "oldest first");
}

#[test]
fn report_skips_traces_it_cannot_reproduce_and_says_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("icy.ron");
    std::fs::copy(fixtures().join("failing/icy_obstacle.ron"), &scenario).expect("copy");
    let records = dir.path().join("r.jsonl");
    run_ok(gauntlet().args(["run", "--seeds", "1", "--out"]).arg(&records).arg(&scenario), 1);

    let html = dir.path().join("d.html");
    let mut edited = std::fs::read_to_string(&scenario).expect("read");
    edited.push_str("// edited after the run\n");
    std::fs::write(&scenario, edited).expect("edit");
    let out = run_ok(gauntlet().arg("report").arg(&records).arg("--html").arg(&html), 1);
    assert!(out.contains("dashboard: 0 failing job(s) with a trace"), "{out}");
    let page = std::fs::read_to_string(&html).expect("written");
    assert!(page.contains("<h2>Traces not shown</h2>"), "{page}");
    assert!(page.contains("fixture.icy_obstacle seed=0 run: no trace, since"), "{page}");
    assert!(page.contains("changed after the run"), "{page}");

    std::fs::remove_file(&scenario).expect("remove");
    run_ok(gauntlet().arg("report").arg(&records).arg("--html").arg(&html), 1);
    let page = std::fs::read_to_string(&html).expect("written");
    assert!(page.contains("icy.ron is missing"), "{page}");
}

#[test]
fn replay_writes_the_viewer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("replay.html");
    let out = run_ok(
        gauntlet().arg("replay").arg(fixtures().join("failing/icy_obstacle.ron")).arg("--html").arg(&html),
        1,
    );
    assert!(out.contains("FAIL no_collision"), "{out}");
    let page = std::fs::read_to_string(&html).expect("viewer written");
    assert!(page.contains("Replay: fixture.icy_obstacle seed 0"), "{page}");
    assert!(page.contains("<svg"), "the scene is drawn");
    assert!(!page.contains("src=\"http"), "self-contained");
}
