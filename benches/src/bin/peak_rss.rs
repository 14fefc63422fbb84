//! Peak memory (resident set size) of the artefacts and of a long replay:
//! a memory benchmark, not a timed one.
//!
//! `peak_rss [RECORDS] [--gauntlet PATH] [--dir DIR]`
//!
//! 1. Synthesizes a records file of RECORDS (default 100,000) realistic
//!    records: 60 scenarios with the tags and hazards of the library, 8
//!    criteria, about 5 % failures and 0.5 % errors. Then runs
//!    `gauntlet report RECORDS --junit … --markdown … --html …
//!    --max-traces 0` and reads its peak RSS.
//! 2. Writes a scenario of 1,000,000 steps (an hour at dt = 3.6 ms) and runs
//!    `gauntlet replay SCENARIO --html …` and `gauntlet replay SCENARIO
//!    --trace …` and reads their peak RSS.
//!
//! Each command runs under a fresh copy of this program (`peak_rss
//! --measure CMD…`), which waits for it and reads `getrusage(RUSAGE_CHILDREN)`,
//! so that every figure is one command's own peak.
//!
//! Targets: the report under 150 MB, the replay viewer under 500 MB.

use std::fmt::Write as _;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use serde_json::{Value, json};

const SCENARIOS: u64 = 60;
/// The engine's criteria, in its order.
const CRITERIA: [&str; 10] = gauntlet_engine::CRITERION_NAMES;
/// Road, event, actor, friction, perception, speed and hazards, as in the library.
type Kind = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);
const KINDS: [Kind; 6] = [
    ("highway", "cut_in", "vehicle", "dry", "nominal", "high", &["H-002", "H-012", "H-013"]),
    ("crosswalk", "pedestrian_crossing", "pedestrian", "dry", "occluded", "medium", &["H-005", "H-013"]),
    ("urban", "lead_braking", "vehicle", "wet", "dropout", "medium", &["H-001", "H-013"]),
    ("rural", "curve", "none", "icy", "nominal", "medium", &["H-003", "H-007"]),
    ("intersection", "crossing_traffic", "vehicle", "dry", "nominal", "low", &["H-004"]),
    ("crosswalk", "cyclist_crossing", "cyclist", "icy", "nominal", "low", &["H-006", "H-013"]),
];
const TARGET_REPORT_MB: f64 = 150.0;
const TARGET_REPLAY_MB: f64 = 500.0;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--measure") {
        return measure(&args[1..]);
    }
    let mut records: u64 = 100_000;
    let mut gauntlet: Option<PathBuf> = None;
    let mut dir = std::env::temp_dir().join("gauntlet-peak-rss");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--gauntlet" => gauntlet = it.next().map(PathBuf::from),
            "--dir" => dir = it.next().map_or(dir, PathBuf::from),
            n => match n.parse() {
                Ok(n) => records = n,
                Err(_) => {
                    eprintln!("usage: peak_rss [RECORDS] [--gauntlet PATH] [--dir DIR]");
                    return ExitCode::from(2);
                }
            },
        }
    }
    let gauntlet = gauntlet.unwrap_or_else(default_gauntlet);
    if !gauntlet.is_file() {
        eprintln!("no gauntlet binary at {} (build it: cargo build --release)", gauntlet.display());
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let records_path = dir.join("records.jsonl");
    if let Err(e) = synthesize(&records_path, records) {
        eprintln!("{}: {e}", records_path.display());
        return ExitCode::FAILURE;
    }
    let scenario = dir.join("long_idle.ron");
    if let Err(e) = std::fs::write(&scenario, LONG_SCENARIO) {
        eprintln!("{}: {e}", scenario.display());
        return ExitCode::FAILURE;
    }
    let p = |name: &str| dir.join(name).display().to_string();
    let g = gauntlet.display().to_string();
    let records_arg = records_path.display().to_string();
    let scenario_arg = scenario.display().to_string();
    let runs: Vec<(String, Vec<String>, Option<f64>)> = vec![
        (
            format!("report {records} records, no artefacts"),
            vec![g.clone(), "report".into(), records_arg.clone()],
            None,
        ),
        (
            format!("report {records} records --junit --markdown --html"),
            vec![
                g.clone(),
                "report".into(),
                records_arg.clone(),
                "--junit".into(),
                p("junit.xml"),
                "--markdown".into(),
                p("summary.md"),
                "--html".into(),
                p("dashboard.html"),
                "--max-traces".into(),
                "0".into(),
            ],
            Some(TARGET_REPORT_MB),
        ),
        (
            format!("report {records} records --baseline (itself)"),
            vec![g.clone(), "report".into(), records_arg.clone(), "--baseline".into(), records_arg.clone()],
            None,
        ),
        (
            "replay 1,000,000 steps --html".to_owned(),
            vec![g.clone(), "replay".into(), scenario_arg.clone(), "--html".into(), p("replay.html")],
            Some(TARGET_REPLAY_MB),
        ),
        (
            "replay 1,000,000 steps --trace (CSV)".to_owned(),
            vec![g.clone(), "replay".into(), scenario_arg.clone(), "--trace".into(), p("trace.csv")],
            None,
        ),
    ];
    let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("peak_rss"));
    let mut table = String::new();
    let _ = writeln!(table, "{:<52} {:>12} {:>8} {:>8}", "command", "peak RSS", "target", "");
    let mut all_met = true;
    for (label, command, target) in runs {
        eprintln!("running: {}", command.join(" "));
        let out = Command::new(&me).arg("--measure").args(&command).stderr(Stdio::inherit()).output();
        let kb: Option<u64> = out.ok().and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok());
        let Some(kb) = kb else {
            eprintln!("failed to measure: {label}");
            return ExitCode::FAILURE;
        };
        let mb = kb as f64 / 1024.0;
        let (target_text, verdict) = match target {
            Some(t) if mb <= t => (format!("< {t:.0} MB"), "ok"),
            Some(t) => {
                all_met = false;
                (format!("< {t:.0} MB"), "OVER")
            }
            None => ("-".to_owned(), ""),
        };
        let _ = writeln!(table, "{label:<52} {:>9.1} MB {target_text:>8} {verdict:>8}", mb);
    }
    // Not needed afterwards, and large.
    let _ = std::fs::remove_file(dir.join("trace.csv"));
    print!("{table}");
    if all_met { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// `target/release/gauntlet` next to this binary.
fn default_gauntlet() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent().map_or_else(|| PathBuf::from("gauntlet"), |dir| dir.join("gauntlet"))
}

/// Runs `command` as this process's only child, discarding its output, and
/// prints its peak RSS in KiB.
fn measure(command: &[String]) -> ExitCode {
    let Some((program, args)) = command.split_first() else { return ExitCode::from(2) };
    let status = Command::new(program).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status();
    if let Err(e) = status {
        eprintln!("{program}: {e}");
        return ExitCode::FAILURE;
    }
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a zeroed rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        eprintln!("getrusage failed");
        return ExitCode::FAILURE;
    }
    // Linux reports ru_maxrss in KiB.
    println!("{}", usage.ru_maxrss);
    ExitCode::SUCCESS
}

/// A small deterministic hash (splitmix64) for synthetic variation.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn unit(x: u64) -> f64 {
    (mix(x) >> 11) as f64 / (1u64 << 53) as f64
}

/// One synthetic record (schema 1) for job `i`.
fn record(i: u64) -> Value {
    let s = i % SCENARIOS;
    let seed = i / SCENARIOS;
    let (road, event, actor, friction, perception, speed, hazards) = KINDS[(s % KINDS.len() as u64) as usize];
    let roll = mix(i ^ 0x5eed);
    let outcome = match roll % 1000 {
        0..=4 => "error",
        5..=54 => "fail",
        _ => "pass",
    };
    let violated = (roll >> 16) % CRITERIA.len() as u64;
    let verdicts: Vec<Value> = CRITERIA
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let fails = outcome == "fail" && c as u64 == violated;
            let margin =
                if fails { -0.05 - 2.0 * unit(i * 8 + c as u64) } else { 0.2 + 5.0 * unit(i * 8 + c as u64) };
            let mut v = json!({
                "criterion": name,
                "passed": !fails,
                "margin": margin,
                "first_violation_t": if fails { json!(3.0 + 10.0 * unit(i)) } else { Value::Null },
                "worst_t": 2.0 + 15.0 * unit(i + c as u64),
            });
            if fails && *name == "no_collision" {
                v["impact_speed"] = json!(1.0 + 8.0 * unit(i + 99));
            }
            v
        })
        .collect();
    let file = format!("scenarios/library/synthetic_{s:02}.ron");
    let scenario = format!("synthetic.{event}_{s:02}");
    json!({
        "schema": 2,
        "id": format!("{scenario}/run/{seed}"),
        "scenario": scenario,
        "title": format!("Synthetic {event} on a {road} road, variant {s}"),
        "file": file,
        "file_hash": format!("{:016x}{:016x}{:016x}{:016x}", mix(s), mix(s + 1), mix(s + 2), mix(s + 3)),
        "seed": seed,
        "kind": "run",
        "source": {"from": "seed"},
        "tags": {"road": road, "event": event, "actor": actor, "friction": friction, "perception": perception, "speed": speed},
        "hazards": hazards,
        "params": {
            "ego.speed": 10.0 + 20.0 * unit(i + 1),
            "actors[0].speed": 5.0 + 20.0 * unit(i + 2),
            "actors[0].behaviours[1].start": 1.0 + 4.0 * unit(i + 3),
            "environment.sensor.dropout": 0.3 * unit(i + 4),
        },
        "adapter": {"spec": "builtin:reference", "name": "reference", "version": "0.1.0"},
        "engine_version": "0.1.0",
        "outcome": outcome,
        "verdicts": if outcome == "error" { json!([]) } else { json!(verdicts) },
        "error": if outcome == "error" {
            json!({"kind": "adapter_timeout", "message": format!("timeout at step {} (1 s)", roll % 400)})
        } else {
            Value::Null
        },
        "steps": 400,
        "sim_time": 20.0,
        "wall_ms": 5.0 + 20.0 * unit(i + 5),
        "trace_hash": format!("{:016x}{:016x}{:016x}{:016x}", mix(i), mix(i + 7), mix(i + 11), mix(i + 13)),
        "replay": format!("gauntlet replay {file} --seed {seed}"),
    })
}

fn synthesize(path: &Path, n: u64) -> std::io::Result<()> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    for i in 0..n {
        serde_json::to_writer(&mut w, &record(i))?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// An hour at dt = 3.6 ms: 1,000,000 steps, the most a scenario may take.
const LONG_SCENARIO: &str = r#"Scenario(
    id: "bench.long_idle",
    title: "One hour behind a parked car, 1,000,000 steps",
    description: "Memory benchmark: the ego waits at its goal behind a parked car for an hour of simulated time.",
    tags: {"road": "urban", "event": "lead_braking", "actor": "vehicle", "friction": "dry", "perception": "nominal", "speed": "low"},
    hazards: ["H-001"],
    duration: 3600.0,
    dt: 0.0036,
    road: (lanes: 1, lane_width: 3.5, speed_limit: 13.9, edge: Kerb, shoulder: 2.0, layout: Straight(length: 300.0)),
    ego: (lane: 0, speed: 0.0, goal: (s: 20.0)),
    actors: [
        (name: "parked", kind: Vehicle, lane: 0, s: 60.0, speed: 0.0, behaviours: [(do: Stand)]),
    ],
    criteria: [NoCollision, MinTtc(min: 1.0), MinGap(min: 1.5), StayOnRoad, SpeedLimit(tolerance: 1.0)],
)
"#;
