//! MCAP export: `replay --mcap` and `run --mcap-failures`, read back with
//! the `mcap` crate's reader and checked against the CSV trace.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gauntlet_reports::record::{Outcome, read_records};
use gauntlet_runners::artefacts::ArtefactOptions;
use gauntlet_runners::commands::replay::{ReplayConfig, replay};
use gauntlet_runners::commands::run::{SweepOptions, run_with};
use serde_json::Value;

use crate::support::fixture_sweep;

fn library(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/library").join(file)
}

/// One message read back.
struct Msg {
    topic: String,
    schema: String,
    schema_encoding: String,
    message_encoding: String,
    schema_data: Value,
    log_time: u64,
    publish_time: u64,
    json: Value,
}

fn read_mcap(path: &Path) -> Vec<Msg> {
    let bytes = std::fs::read(path).expect("the MCAP file is there");
    mcap::MessageStream::new(&bytes)
        .expect("an MCAP file")
        .map(|m| {
            let m = m.expect("a valid message");
            let schema = m.channel.schema.as_ref().expect("every channel has a schema");
            Msg {
                topic: m.channel.topic.clone(),
                schema: schema.name.clone(),
                schema_encoding: schema.encoding.clone(),
                message_encoding: m.channel.message_encoding.clone(),
                schema_data: serde_json::from_slice(&schema.data).expect("every schema is JSON"),
                log_time: m.log_time,
                publish_time: m.publish_time,
                json: serde_json::from_slice(&m.data).expect("every message is JSON"),
            }
        })
        .collect()
}

fn on<'a>(msgs: &'a [Msg], topic: &str) -> Vec<&'a Msg> {
    msgs.iter().filter(|m| m.topic == topic).collect()
}

#[test]
fn replay_writes_an_mcap_file_whose_channels_match_the_csv_trace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (csv, file) = (dir.path().join("t.csv"), dir.path().join("run.mcap"));
    let report = replay(&ReplayConfig {
        trace_csv: Some(csv.clone()),
        mcap: Some(file.clone()),
        ..ReplayConfig::new(library("cut_in.highway.ron"))
    })
    .expect("replays");
    let steps = report.record.steps;
    assert!(steps > 10, "{steps}");
    let msgs = read_mcap(&file);

    // Channels, schemas and encodings.
    let mut channels: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
    for m in &msgs {
        assert_eq!((m.schema_encoding.as_str(), m.message_encoding.as_str()), ("jsonschema", "json"));
        assert_eq!(m.log_time, m.publish_time);
        channels.entry(m.topic.as_str()).or_insert((m.schema.as_str(), 0)).1 += 1;
    }
    let n = usize::try_from(steps).unwrap();
    let expected: BTreeMap<&str, (&str, usize)> = [
        ("/road", ("foxglove.SceneUpdate", 1)),
        ("/scene", ("foxglove.SceneUpdate", n)),
        ("/tf", ("foxglove.FrameTransforms", n)),
        ("/observation", ("gauntlet.Observation", n)),
        ("/control", ("gauntlet.Control", n)),
        ("/criteria", ("gauntlet.Criteria", n)),
    ]
    .into();
    assert_eq!(channels, expected);

    // Every message fits its channel's schema (JSON has no infinity: a
    // margin that is not finite is written `null`).
    let mut validators = BTreeMap::new();
    for m in &msgs {
        let validator = validators
            .entry(m.topic.clone())
            .or_insert_with(|| jsonschema::validator_for(&m.schema_data).expect("the schema compiles"));
        let errors: Vec<String> = validator
            .iter_errors(&m.json)
            .filter(|e| {
                !(m.topic == "/criteria"
                    && m.json.pointer(&e.instance_path().to_string()) == Some(&Value::Null))
            })
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{} at {}: {errors:?}", m.topic, m.log_time);
    }

    // The road: edges and lane lines as line strips, at t = 0.
    let road = &on(&msgs, "/road")[0];
    assert_eq!(road.log_time, 0);
    let lines = road.json["entities"][0]["lines"].as_array().expect("lines");
    assert!(lines.len() >= 3, "two edges and a lane line at least");
    assert!(lines.iter().all(|l| l["type"] == 0 && l["points"].as_array().is_some_and(|p| p.len() >= 2)));

    // The CSV's rows of the ego (id 0) and of every body, by step.
    let text = std::fs::read_to_string(&csv).expect("csv");
    let rows: Vec<Vec<f64>> =
        text.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().expect("a number")).collect()).collect();
    let ego: Vec<&Vec<f64>> = rows.iter().filter(|r| r[2] == 0.0).collect();
    assert_eq!(ego.len(), n);
    let bodies_per_step = rows.len() / n;
    assert!(bodies_per_step >= 2, "the ego and the cutting-in car");

    let (tf, scene, control, criteria, obs) = (
        on(&msgs, "/tf"),
        on(&msgs, "/scene"),
        on(&msgs, "/control"),
        on(&msgs, "/criteria"),
        on(&msgs, "/observation"),
    );
    for k in [0, n / 3, n - 1] {
        let row = ego[k];
        let t_ns = (row[1] * 1e9).round() as u64;
        for m in [tf[k], scene[k], control[k], criteria[k], obs[k]] {
            assert_eq!(m.log_time, t_ns, "{} at step {k}", m.topic);
        }
        // The ego's frame and box sit at its pose in the CSV, bit for bit.
        let t = &tf[k].json["transforms"][0];
        assert_eq!(
            (t["parent_frame_id"].as_str(), t["child_frame_id"].as_str()),
            (Some("world"), Some("ego"))
        );
        assert_eq!(
            (t["translation"]["x"].as_f64(), t["translation"]["y"].as_f64()),
            (Some(row[3]), Some(row[4]))
        );
        let yaw = 2.0 * t["rotation"]["z"].as_f64().unwrap().atan2(t["rotation"]["w"].as_f64().unwrap());
        assert!((yaw - row[5]).abs() < 1e-9, "yaw {yaw} vs {}", row[5]);
        let entities = scene[k].json["entities"].as_array().expect("entities");
        assert_eq!(entities.len(), bodies_per_step);
        assert_eq!(entities[0]["id"], "ego");
        let cube = &entities[0]["cubes"][0];
        assert_eq!(
            (cube["pose"]["position"]["x"].as_f64(), cube["pose"]["position"]["y"].as_f64()),
            (Some(row[3]), Some(row[4]))
        );
        // The observation the adapter answered, and one field per criterion.
        assert_eq!(obs[k].json["step"].as_u64(), Some(row[0] as u64));
        assert!(control[k].json["accel"].is_f64() && control[k].json["steer"].is_f64());
        let names: Vec<&str> = criteria[k].json.as_object().unwrap().keys().map(String::as_str).collect();
        let frame = &report.trace[k];
        assert_eq!(frame.step, k as u64);
        let mut margins: Vec<&str> = frame.margins.iter().map(|(name, _)| *name).collect();
        margins.sort_unstable();
        assert_eq!(names, margins);
        for (name, margin) in &frame.margins {
            let field = &criteria[k].json[*name];
            assert_eq!(field.as_f64(), margin.is_finite().then_some(*margin), "{name} at step {k}");
        }
    }
    // The control at every step is the trace's.
    for (m, frame) in control.iter().zip(&report.trace) {
        assert_eq!(m.json["accel"].as_f64(), Some(frame.control.accel));
        assert_eq!(m.json["steer"].as_f64(), Some(frame.control.steer));
    }
}

#[test]
fn the_same_job_writes_the_same_mcap_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str| {
        let path = dir.path().join(name);
        replay(&ReplayConfig {
            mcap: Some(path.clone()),
            ..ReplayConfig::new(library("pedestrian.urban_crossing.ron"))
        })
        .expect("replays");
        std::fs::read(path).expect("written")
    };
    let (a, b) = (write("a.mcap"), write("b.mcap"));
    assert!(a.len() > 1000);
    assert!(a == b, "two replays of one job wrote different files");
}

#[test]
fn a_sweep_writes_one_mcap_file_per_failing_job() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (out, mcaps) = (dir.path().join("r.jsonl"), dir.path().join("mcap"));
    let mut config = fixture_sweep(&out);
    config.paths = vec![library("lead_braking.highway_dropout.ron")];
    config.seeds = 3;
    config.threads = 2;
    config.adapter = "builtin:late-braker".parse().expect("spec");
    let sweep = SweepOptions {
        mcap_failures: Some(mcaps.clone()),
        artefacts: ArtefactOptions::default(),
        ..SweepOptions::default()
    };
    let report = run_with(&config, &sweep).expect("sweep runs");
    let records: Vec<_> = read_records(&out).collect::<Result<_, _>>().expect("records");
    let failing: Vec<_> = records.iter().filter(|r| r.outcome == Outcome::Fail).collect();
    assert!(!failing.is_empty(), "the late braker fails the braking lead");
    let written = report.mcap_failures.expect("MCAP files written");
    assert!(written.notes.is_empty(), "{:?}", written.notes);
    assert_eq!(written.written.len(), failing.len());
    let mut files: Vec<String> = std::fs::read_dir(&mcaps)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut expected: Vec<String> = failing.iter().map(|r| r.id.replace('/', "_") + ".mcap").collect();
    expected.sort();
    assert_eq!(files, expected);
    for r in failing {
        let msgs = read_mcap(&mcaps.join(r.id.replace('/', "_") + ".mcap"));
        assert_eq!(on(&msgs, "/scene").len() as u64, r.steps, "{}", r.id);
        // Each violated criterion plots negative at its first violation.
        let criteria = on(&msgs, "/criteria");
        let mut seen = 0;
        for v in r.verdicts.iter().filter(|v| !v.passed && v.criterion != "reach_goal") {
            let (Some(t), Some(_)) = (v.first_violation_t, criteria[0].json.get(&v.criterion)) else {
                continue;
            };
            let at =
                criteria.iter().find(|m| m.log_time == (t * 1e9).round() as u64).expect("a message then");
            let margin = at.json[&v.criterion].as_f64().expect("a finite margin");
            assert!(margin < 0.0, "{}: {} {margin} at {t}", r.id, v.criterion);
            seen += 1;
        }
        assert!(seen > 0, "{}: no violated criterion on /criteria", r.id);
    }
}
