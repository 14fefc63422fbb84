//! `.xosc` files where `.ron` files go: run, validate, list, replay, and
//! `import`, whose RON replays to the `.xosc`'s trace hash.

use std::path::PathBuf;
use std::process::{Command, Output};

fn gauntlet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gauntlet"))
}

fn xosc(name: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/tests/fixtures/xosc").join(name)
}

fn text(out: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn trace_hash(out: &Output) -> String {
    let t = text(out);
    let line = t.lines().find(|l| l.trim_start().starts_with("trace hash ")).unwrap_or_else(|| panic!("{t}"));
    line.trim_start()["trace hash ".len()..].trim().to_owned()
}

#[test]
fn run_validate_list_and_replay_accept_xosc() {
    let dir = tempfile::tempdir().expect("temp dir");
    let records = dir.path().join("r.jsonl");
    let out = gauntlet()
        .args(["run", "--seeds", "2", "--jobs", "1", "--out"])
        .arg(&records)
        .arg(xosc("lead_brake.xosc"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("xosc.lead_brake"), "{}", text(&out));

    let out = gauntlet().arg("validate").arg(xosc("")).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    // Twenty-one scenarios and two parameter distributions; the catalog files are not scenarios.
    assert!(t.contains("23 valid, 0 problem(s)"), "{t}");
    assert!(t.contains("Environment/Weather: ignored"), "visual elements noted: {t}");

    let out = gauntlet().arg("list").arg(xosc("")).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for id in [
        "xosc.cut_in",
        "xosc.lead_brake",
        "xosc.lane_change",
        "xosc.curve_follow",
        "xosc.clothoid_follow",
        "xosc.poly3_follow",
        "xosc.stop_trigger",
        "xosc.freespace_stop",
        "xosc.parallel_actions",
        "xosc.teleport_story",
        "xosc.catalog_cut_in",
        "xosc.running_conditions",
        "xosc.catalog_cut_in_grid.11",
        "xosc.catalog_cut_in_random.4",
    ] {
        assert!(text(&out).contains(id), "{}", text(&out));
    }

    let out = gauntlet()
        .arg("replay")
        .arg(&records)
        .args(["--job", "xosc.lead_brake/run/1"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let recorded = std::fs::read_to_string(&records).expect("records");
    assert!(recorded.contains(&trace_hash(&out)), "the replay reproduces the record's hash");
}

#[test]
fn import_writes_ron_that_replays_to_the_same_trace_hash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ron = dir.path().join("cut_in.ron");
    let out =
        gauntlet().arg("import").arg(xosc("cut_in.xosc")).arg("--out").arg(&ron).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("xosc.cut_in"), "{}", text(&out));
    for seed in ["0", "5"] {
        let a =
            gauntlet().arg("replay").arg(xosc("cut_in.xosc")).args(["--seed", seed]).output().expect("runs");
        let b = gauntlet().arg("replay").arg(&ron).args(["--seed", seed]).output().expect("runs");
        assert_eq!(trace_hash(&a), trace_hash(&b), "seed {seed}");
    }
    // Outside the subset: refused with the element's path and line, nothing written.
    let bad = xosc("../xosc-invalid/ttc_condition.xosc");
    let out = gauntlet()
        .arg("import")
        .arg(&bad)
        .arg("--out")
        .arg(dir.path().join("bad.ron"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("ttc_condition.xosc:117:31: OpenSCENARIO/Storyboard/Story[1]"),
        "{}",
        text(&out)
    );
    assert!(!dir.path().join("bad.ron").exists());
}

#[test]
fn imported_opendrive_spirals_and_linked_roads_replay_to_the_same_trace_hash() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["clothoid_follow", "linked_roads", "poly3_follow", "poly3_legacy", "param_poly3_stretched"] {
        let ron = dir.path().join(format!("{name}.ron"));
        let src = xosc(&format!("{name}.xosc"));
        let out = gauntlet().arg("import").arg(&src).arg("--out").arg(&ron).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let written = std::fs::read_to_string(&ron).expect("written");
        assert!(written.contains("Segments(segments: ["), "{written}");
        let piece = if name.contains("poly3") { "param_poly3: (u: (" } else { "curvature_end:" };
        assert!(written.contains(piece), "{name}: {written}");
        let a = gauntlet().arg("replay").arg(&src).output().expect("runs");
        let b = gauntlet().arg("replay").arg(&ron).output().expect("runs");
        assert_eq!(trace_hash(&a), trace_hash(&b), "{name}");
    }
}

#[test]
fn a_stop_trigger_ends_the_run_its_record_says_when_and_its_import_replays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let records = dir.path().join("r.jsonl");
    let src = xosc("stop_trigger.xosc");
    let out = gauntlet()
        .args(["run", "--seeds", "1", "--jobs", "1", "--out"])
        .arg(&records)
        .arg(&src)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let line = std::fs::read_to_string(&records).expect("records");
    let record: serde_json::Value =
        serde_json::from_str(line.lines().next().expect("a record")).expect("json");
    let stopped = record["stopped_at"].as_f64().expect("stopped_at");
    assert_eq!(record["sim_time"].as_f64(), Some(stopped));
    assert!((stopped - 8.0).abs() < 0.5, "{stopped}");
    // Read back as a record: the typed field, not an unknown one.
    let typed: gauntlet_reports::record::RunRecord =
        serde_json::from_str(line.lines().next().expect("a record")).expect("a record");
    assert_eq!(typed.stopped_at, Some(stopped));
    assert!(!typed.extra.contains_key("stopped_at"), "{:?}", typed.extra);
    // `import` writes the trigger as `stop`; the RON replays to the same trace hash.
    let ron = dir.path().join("stop_trigger.ron");
    let out = gauntlet().arg("import").arg(&src).arg("--out").arg(&ron).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let written = std::fs::read_to_string(&ron).expect("written");
    assert!(written.contains("    stop: [[(cond: StandStill("), "{written}");
    let a = gauntlet().arg("replay").arg(&src).output().expect("runs");
    let b = gauntlet().arg("replay").arg(&ron).output().expect("runs");
    assert_eq!(trace_hash(&a), trace_hash(&b));
    assert_eq!(trace_hash(&a), record["trace_hash"].as_str().expect("hash"));
}

#[test]
fn a_parameter_distribution_runs_as_a_sweep_and_its_runs_replay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let records = dir.path().join("r.jsonl");
    let out = gauntlet()
        .args(["run", "--seeds", "1", "--jobs", "2", "--out"])
        .arg(&records)
        .arg(xosc("catalog_cut_in_grid.xosc"))
        .output()
        .expect("runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    let recorded = std::fs::read_to_string(&records).expect("records");
    for k in 0..12 {
        assert!(recorded.contains(&format!("\"xosc.catalog_cut_in_grid.{k:02}\"")), "run {k}: {recorded}");
    }
    let out = gauntlet()
        .arg("replay")
        .arg(&records)
        .args(["--job", "xosc.catalog_cut_in_grid.07/run/0"])
        .output()
        .expect("runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    assert!(recorded.contains(&trace_hash(&out)), "the replay reproduces run 7's hash: {}", text(&out));
}

#[test]
fn parallel_actions_and_story_teleports_run_fuzz_import_and_replay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (par, tele) = (xosc("parallel_actions.xosc"), xosc("teleport_story.xosc"));
    let records = dir.path().join("r.jsonl");
    let out = gauntlet()
        .args(["run", "--seeds", "2", "--jobs", "1", "--out"])
        .arg(&records)
        .args([&par, &tele])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = gauntlet()
        .args(["fuzz", "--budget", "4", "--seed", "1", "--jobs", "1", "--no-save", "--out"])
        .arg(dir.path().join("f.jsonl"))
        .args([&par, &tele])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("xosc.teleport_story"), "{}", text(&out));
    for (src, piece) in [(&par, "parallel: true"), (&tele, "do: Teleport(s: 200.0, d: 3.5")] {
        let ron = dir.path().join(src.with_extension("ron").file_name().expect("name"));
        let out = gauntlet().arg("import").arg(src).arg("--out").arg(&ron).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let written = std::fs::read_to_string(&ron).expect("written");
        assert!(written.contains(piece), "{written}");
        let a = gauntlet().arg("replay").arg(src).output().expect("runs");
        let b = gauntlet().arg("replay").arg(&ron).output().expect("runs");
        assert_eq!(trace_hash(&a), trace_hash(&b), "{src:?}");
    }
}
