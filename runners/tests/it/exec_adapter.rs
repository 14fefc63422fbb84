//! `ExecAdapter` against fake adapters that misbehave in every way the
//! protocol's misbehaviour table lists (`tests/fixtures/adapters/`), and the
//! Python example adapter.
//!
//! Each misbehaviour must fault exactly its job, with the right kind and a
//! precise message, and the next job on the same adapter must pass.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gauntlet_engine::{
    ActorKind, AdapterFault, AdapterFaultKind, AutonomyAdapter, Control, EgoLimits, EgoObservation, GoalInfo,
    JobEnd, JobStart, ObjectObservation, Observation, RoadInfo,
};
use gauntlet_runners::adapter::{
    AdapterFactory, AdapterSetupError, AdapterSpec, ExecAdapter, ExecCommand, ExecOptions,
    install_interrupt_handler,
};

/// Generous limits for adapters that behave (a loaded machine must not flake).
fn relaxed() -> ExecOptions {
    ExecOptions {
        step_timeout: Duration::from_secs(5),
        startup_timeout: Duration::from_secs(10),
        adapter_log: None,
    }
}

/// Short limits for adapters that are meant to exceed them (start-up still
/// leaves a fresh python room to start on a loaded machine).
fn strict() -> ExecOptions {
    ExecOptions {
        step_timeout: Duration::from_millis(300),
        startup_timeout: Duration::from_secs(1),
        adapter_log: None,
    }
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/adapters").join(name);
    path.to_str().expect("fixture paths are UTF-8").to_owned()
}

fn fake_command(script: &str, args: &[&str]) -> ExecCommand {
    let mut argv = vec!["-S".to_owned(), "-B".to_owned(), fixture(script)];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    ExecCommand::new("python3", argv)
}

fn fake(script: &str, args: &[&str], options: ExecOptions) -> ExecAdapter {
    ExecAdapter::new(fake_command(script, args), options).expect("no log to open")
}

/// A folder of its own for one test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("gauntlet-it-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Self(dir)
    }

    /// `--once=MARKER`: only the first process misbehaves.
    fn once(&self) -> String {
        format!("--once={}", self.0.join("misbehaved").display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn job(seed: u64) -> JobStart {
    JobStart {
        scenario: "cut_in.highway".into(),
        seed,
        dt: 0.05,
        duration: 20.0,
        ego: EgoLimits::MID_SIZE_CAR,
        road: RoadInfo { lanes: 3, lane_width: 3.5, speed_limit: 33.3, lane_drop: None },
        goal: GoalInfo { s: 400.0 },
        route: None,
    }
}

/// Step `step` of a drive at 25 m/s in lane 1, with a car 40 m ahead in the
/// same lane and one in the lane to the left.
fn observation(step: u64) -> Observation {
    let t = step as f64 * 0.05;
    let x = 10.0 + 25.0 * t;
    let vehicle = |id, s: f64, lane: i32| ObjectObservation {
        id,
        kind: ActorKind::Vehicle,
        x: s,
        y: f64::from(lane) * 3.5,
        yaw: 0.0,
        speed: 22.0,
        length: 4.5,
        width: 1.8,
        s,
        d: f64::from(lane) * 3.5,
        vs: 22.0,
        vd: 0.0,
        lane,
    };
    Observation {
        step,
        t,
        ego: EgoObservation {
            x,
            y: 3.6,
            yaw: 0.01,
            speed: 25.0,
            accel: 0.0,
            yaw_rate: 0.0,
            s: x,
            d: 3.6,
            vs: 25.0,
            vd: 0.0,
            lane: 1,
            lane_d: 0.1,
            heading_err: 0.01,
            curvature: 0.0,
            lane_shift: 0.0,
            fault: None,
        },
        objects: vec![vehicle(3, x + 40.0, 1), vehicle(4, x + 10.0, 2)],
        signal: None,
    }
}

/// What the fake adapters answer to `observation(step)`.
fn echo(step: u64) -> Control {
    Control { accel: observation(step).ego.x, steer: 0.02 }
}

/// Runs one job of `steps` steps, always ending it; the first fault, if any.
fn run_job(adapter: &mut dyn AutonomyAdapter, seed: u64, steps: u64) -> Result<Vec<Control>, AdapterFault> {
    let result =
        adapter.reset(&job(seed)).and_then(|()| (0..steps).map(|n| adapter.step(&observation(n))).collect());
    adapter.end(if result.is_ok() { JobEnd::Pass } else { JobEnd::Error });
    result
}

/// Runs a job that must pass and checks every answer.
fn passes(adapter: &mut dyn AutonomyAdapter, seed: u64, steps: u64) {
    match run_job(adapter, seed, steps) {
        Ok(controls) => assert_eq!(controls, (0..steps).map(echo).collect::<Vec<_>>()),
        Err(fault) => panic!("job {seed} should pass: {fault:?}"),
    }
}

/// Runs a job that must fail and returns its fault.
fn fails(adapter: &mut dyn AutonomyAdapter, seed: u64, steps: u64) -> AdapterFault {
    match run_job(adapter, seed, steps) {
        Ok(_) => panic!("job {seed} should fail"),
        Err(fault) => fault,
    }
}

/// Whether a process is gone (or a zombie waiting for a reaper that is not us).
fn is_dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the parenthesised command name.
        Ok(stat) => {
            stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X'))
        }
    }
}

fn wait_dead(pid: u32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if is_dead(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    is_dead(pid)
}

/// Checks a fault that killed the process: kind, message, process gone, and
/// the next job passes on a fresh one.
fn assert_replaced(
    mut adapter: ExecAdapter,
    fault: &AdapterFault,
    kind: AdapterFaultKind,
    needles: &[&str],
    old_pid: u32,
) {
    assert_eq!(fault.kind, kind, "{fault:?}");
    for needle in needles {
        assert!(fault.message.contains(needle), "message {:?} lacks {needle:?}", fault.message);
    }
    assert!(is_dead(old_pid), "process {old_pid} survived the fault");
    assert_eq!(adapter.pid(), None, "a faulty process must not be reused");
    passes(&mut adapter, 2, 5);
    assert!(adapter.pid().is_some_and(|pid| pid != old_pid));
}

/// Starts the adapter's process with a passing job of two steps (the
/// fixtures misbehave later) and returns its pid.
fn warm_up(adapter: &mut ExecAdapter) -> u32 {
    passes(adapter, 0, 2);
    adapter.pid().expect("a process after a passing job")
}

#[test]
fn well_behaved_adapter_serves_many_jobs_in_one_process() {
    let mut adapter = fake("well_behaved.py", &[], relaxed());
    assert_eq!(adapter.pid(), None, "the process starts lazily");
    assert_eq!(adapter.info().name, "python3");
    let pid = warm_up(&mut adapter);
    assert_eq!((adapter.info().name, adapter.info().version), ("fake".to_owned(), "1.0".to_owned()));
    for seed in 1..4 {
        passes(&mut adapter, seed, 20);
    }
    assert_eq!(adapter.pid(), Some(pid), "one process serves every job");
    let stats = adapter.round_trip_stats();
    assert_eq!(stats.steps, 2 + 3 * 20);
    assert!(stats.waiting <= stats.total && stats.engine() > Duration::ZERO, "{stats:?}");
}

#[test]
fn out_of_range_controls_come_through_unchanged() {
    let mut adapter = fake("out_of_range.py", &[], relaxed());
    let controls = run_job(&mut adapter, 0, 3).expect("finite controls are no fault");
    assert_eq!(controls, vec![Control { accel: 1e308, steer: -1e308 }; 3]);
}

#[test]
fn slow_step_times_out_with_its_step() {
    let scratch = Scratch::new("slow_step");
    let mut adapter = fake("slow_step.py", &["2", "30", &scratch.once()], strict());
    adapter.reset(&job(1)).expect("reset");
    let pid = adapter.pid().expect("started");
    let started = Instant::now();
    let fault = (0..5).map(|n| adapter.step(&observation(n))).find_map(Result::err).expect("a timeout");
    adapter.end(JobEnd::Error);
    assert!(started.elapsed() < Duration::from_secs(5), "the timeout took {:?}", started.elapsed());
    assert_replaced(adapter, &fault, AdapterFaultKind::Timeout, &["timeout at step 2 (limit 300 ms)"], pid);
}

#[test]
fn slow_hello_times_out_waiting_for_hello() {
    let scratch = Scratch::new("slow_hello");
    let mut adapter = fake("slow_hello.py", &["30", &scratch.once()], strict());
    let fault = fails(&mut adapter, 1, 3);
    assert_eq!(fault.kind, AdapterFaultKind::Timeout, "{fault:?}");
    assert!(fault.message.contains("timeout waiting for hello (limit 1 s)"), "{}", fault.message);
    assert_eq!(adapter.pid(), None);
    passes(&mut adapter, 2, 3);
}

#[test]
fn slow_reset_times_out_waiting_for_ready() {
    let scratch = Scratch::new("slow_reset");
    let mut adapter = fake("slow_reset.py", &["30", &scratch.once()], strict());
    let fault = fails(&mut adapter, 1, 3);
    assert_eq!(fault.kind, AdapterFaultKind::Timeout, "{fault:?}");
    assert!(fault.message.contains("timeout waiting for ready (limit 1 s)"), "{}", fault.message);
    assert_eq!(adapter.pid(), None);
    passes(&mut adapter, 2, 3);
}

#[test]
fn crash_reports_exit_status_and_stderr_tail() {
    let scratch = Scratch::new("crash");
    let mut adapter = fake("crash.py", &["2", "3", &scratch.once()], relaxed());
    adapter.reset(&job(1)).expect("reset");
    let pid = adapter.pid().expect("started");
    let fault = (0..5).map(|n| adapter.step(&observation(n))).find_map(Result::err).expect("an exit");
    adapter.end(JobEnd::Error);
    assert_replaced(
        adapter,
        &fault,
        AdapterFaultKind::Exited,
        &["adapter exited (exit status: 3) at step 2; stderr tail:\n…", "\nfatal: planner crashed at step 2"],
        pid,
    );
}

#[test]
fn stderr_tail_is_about_the_last_two_kib() {
    let mut adapter = fake("crash.py", &["0", "3"], relaxed());
    let fault = fails(&mut adapter, 1, 1);
    let (_, tail) = fault.message.split_once("; stderr tail:\n").expect("a tail");
    assert!(tail.starts_with('…') && tail.ends_with("fatal: planner crashed at step 0"), "{tail}");
    assert!((1900..=2100).contains(&tail.len()), "{} bytes", tail.len());
}

#[test]
fn closing_stdout_is_an_exit() {
    let scratch = Scratch::new("close_stdout");
    let mut adapter = fake("close_stdout.py", &["1", &scratch.once()], relaxed());
    adapter.reset(&job(1)).expect("reset");
    let pid = adapter.pid().expect("started");
    let fault = (0..5).map(|n| adapter.step(&observation(n))).find_map(Result::err).expect("a closed stdout");
    adapter.end(JobEnd::Error);
    assert_replaced(
        adapter,
        &fault,
        AdapterFaultKind::Exited,
        &["adapter closed its stdout at step 1 and was still running 500 ms later; killed"],
        pid,
    );
}

/// Runs a fixture that prints a bad line at step 2 and checks the fault.
fn bad_line(script: &str, extra: &[&str], needles: &[&str]) {
    let scratch = Scratch::new(&format!("{script}{}", extra.join("_")));
    let once = scratch.once();
    let mut args = vec!["2"];
    args.extend_from_slice(extra);
    args.push(&once);
    let mut adapter = fake(script, &args, relaxed());
    let pid = warm_up(&mut adapter);
    let fault = fails(&mut adapter, 1, 5);
    assert_replaced(adapter, &fault, AdapterFaultKind::Protocol, needles, pid);
}

#[test]
fn non_json_line_is_quoted() {
    bad_line(
        "not_json.py",
        &[],
        &["not valid JSON (expected value at line 1 column 1) at step 2", "line: accel=-2.0 steer=0.01"],
    );
}

#[test]
fn missing_field_is_named() {
    bad_line(
        "missing_field.py",
        &[],
        &[
            "invalid `control` message (missing field `steer`",
            "at step 2",
            r#"line: {"type": "control", "accel": 1.0}"#,
        ],
    );
}

#[test]
fn wrong_field_type_is_named() {
    bad_line(
        "wrong_type.py",
        &[],
        &["invalid `control` message (invalid type: string \"full throttle\", expected f64", "at step 2"],
    );
}

#[test]
fn nan_is_refused() {
    bad_line(
        "non_finite.py",
        &["NaN"],
        &["not valid JSON", "at step 2", r#"line: {"type":"control","accel":NaN"#],
    );
}

#[test]
fn infinity_is_refused() {
    bad_line("non_finite.py", &["-Infinity"], &["not valid JSON", "at step 2", "\"accel\":-Infinity"]);
}

#[test]
fn overflowing_literal_is_refused() {
    bad_line(
        "non_finite.py",
        &["1e999"],
        &[
            "non-finite number (number out of range",
            "at step 2",
            r#"line: {"type":"control","accel":1e999,"steer":0.0}"#,
        ],
    );
}

/// Runs `huge_line.py` answering step 2 with a line of `bytes` bytes (the
/// scratch folder must outlive the adapter: it holds the `--once` marker).
fn huge_line(bytes: usize) -> (Scratch, ExecAdapter, u32, AdapterFault) {
    let scratch = Scratch::new(&format!("huge_line_{bytes}"));
    let mut adapter = fake("huge_line.py", &["2", &bytes.to_string(), &scratch.once()], relaxed());
    let pid = warm_up(&mut adapter);
    let fault = fails(&mut adapter, 1, 5);
    (scratch, adapter, pid, fault)
}

fn quoted_line(fault: &AdapterFault) -> &str {
    let quoted = fault.message.split_once("; line: ").map(|(_, rest)| rest).unwrap_or_default();
    quoted.split_once("; stderr").map_or(quoted, |(line, _)| line)
}

#[test]
fn line_over_one_mib_is_refused_and_quoted_short() {
    // 2 MiB: refused before its end arrives.
    let (_scratch, adapter, pid, fault) = huge_line(2 << 20);
    let quoted = quoted_line(&fault);
    assert!(quoted.starts_with(r#"{"type":"control","accel":0.0,"steer":0.0,"debug":"xxx"#), "{quoted:.300}");
    assert_eq!(quoted.len(), 200 + '…'.len_utf8(), "the quote is the first 200 bytes");
    assert_replaced(adapter, &fault, AdapterFaultKind::Protocol, &["line longer than 1 MiB at step 2"], pid);
}

#[test]
fn line_of_one_mib_and_one_byte_is_refused() {
    // Its newline arrives in the same read as its last bytes.
    let (_scratch, adapter, pid, fault) = huge_line((1 << 20) + 1);
    assert!(quoted_line(&fault).starts_with(r#"{"type":"control","accel":0.0"#), "{:.300}", fault.message);
    assert_replaced(adapter, &fault, AdapterFaultKind::Protocol, &["line longer than 1 MiB at step 2"], pid);
}

#[test]
fn line_of_exactly_one_mib_is_accepted() {
    let scratch = Scratch::new("huge_line_exact");
    let mut adapter = fake("huge_line.py", &["1", &(1usize << 20).to_string(), &scratch.once()], relaxed());
    adapter.reset(&job(0)).expect("ready");
    let controls: Result<Vec<_>, _> = (0..3).map(|n| adapter.step(&observation(n))).collect();
    adapter.end(JobEnd::Pass);
    assert_eq!(controls, Ok(vec![echo(0), Control { accel: 0.0, steer: 0.0 }, echo(2)]));
}

#[test]
fn answer_of_the_wrong_type_is_a_protocol_fault() {
    bad_line(
        "wrong_answer.py",
        &[],
        &["expected `control` at step 2, got `ready`", r#"line: {"type": "ready"}"#],
    );
}

#[test]
fn two_answers_to_one_request_are_a_protocol_fault() {
    bad_line("extra_output.py", &[], &["unexpected output after the answer at step 2"]);
}

#[test]
fn error_reply_keeps_the_process() {
    let mut adapter = fake("error_reply.py", &["2"], relaxed());
    adapter.reset(&job(1)).expect("reset");
    let pid = adapter.pid().expect("started");
    let fault = (0..5).map(|n| adapter.step(&observation(n))).find_map(Result::err).expect("an error reply");
    adapter.end(JobEnd::Error);
    assert_eq!(fault.kind, AdapterFaultKind::Reported);
    assert_eq!(
        fault.message,
        "adapter reported an error at step 2: planner diverged: no feasible trajectory"
    );
    passes(&mut adapter, 2, 5);
    assert_eq!(adapter.pid(), Some(pid), "an error reply keeps the process");
}

#[test]
fn error_reply_to_reset_keeps_the_process() {
    let mut adapter = fake("error_on_reset.py", &[], relaxed());
    let fault = fails(&mut adapter, 1, 3);
    assert_eq!(fault.kind, AdapterFaultKind::Reported);
    assert_eq!(
        fault.message,
        "adapter reported an error in answer to reset: map for cut_in.highway not found"
    );
    let pid = adapter.pid().expect("kept");
    passes(&mut adapter, 2, 3);
    assert_eq!(adapter.pid(), Some(pid));
}

#[test]
fn misbehaviour_on_the_nth_job_faults_only_that_job() {
    for (mode, kind, needle) in [
        ("crash", AdapterFaultKind::Exited, "adapter exited (exit status: 3) at step 1"),
        ("garbage", AdapterFaultKind::Protocol, "not valid JSON"),
    ] {
        let mut adapter = fake("nth_job.py", &["2", mode], relaxed());
        let first = warm_up(&mut adapter);
        let fault = fails(&mut adapter, 1, 4);
        assert_eq!(fault.kind, kind, "{mode}: {fault:?}");
        assert!(fault.message.contains(needle), "{mode}: {}", fault.message);
        assert!(is_dead(first), "{mode}");
        // A fresh process serves the next job (its first).
        passes(&mut adapter, 2, 4);
        assert!(adapter.pid().is_some_and(|pid| pid != first), "{mode}");
    }
}

#[test]
fn hanging_nth_job_times_out_and_the_next_passes() {
    let mut adapter = fake("nth_job.py", &["2", "hang"], strict());
    let first = warm_up(&mut adapter);
    let fault = fails(&mut adapter, 1, 4);
    assert_eq!(fault.kind, AdapterFaultKind::Timeout);
    assert_eq!(fault.message, "timeout at step 1 (limit 300 ms); stderr: (empty)");
    assert!(is_dead(first));
    passes(&mut adapter, 2, 4);
}

#[test]
fn output_after_end_costs_the_next_job_nothing() {
    let scratch = Scratch::new("chatty_after_end");
    let mut adapter = fake("chatty_after_end.py", &[&scratch.once()], relaxed());
    let first = warm_up(&mut adapter);
    // Let the unsolicited line arrive (it races the next reset otherwise).
    std::thread::sleep(Duration::from_millis(500));
    passes(&mut adapter, 1, 3);
    assert!(adapter.pid().is_some_and(|pid| pid != first), "the chatty process is replaced before the job");
    assert!(is_dead(first));
}

#[test]
fn stderr_flood_never_blocks_the_adapter() {
    // 256 KiB per step: four times a pipe's buffer, 10 MiB in all.
    let mut adapter = fake("stderr_flood.py", &["256"], relaxed());
    passes(&mut adapter, 0, 40);
}

#[test]
fn wrong_protocol_version_refuses_the_sweep() {
    let spec = AdapterSpec::Exec(fake_command("wrong_protocol.py", &[]));
    let factory = AdapterFactory::new(&spec, &relaxed()).expect("factory");
    let err = factory.preflight().expect_err("protocol 2 must be refused");
    assert!(matches!(err, AdapterSetupError::ProtocolVersion { found: 2, expected: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("speaks protocol 2; this gauntlet speaks protocol 1"), "{err}");
    // Without a preflight, each job is faulted instead.
    let mut adapter = fake("wrong_protocol.py", &[], relaxed());
    let fault = fails(&mut adapter, 0, 1);
    assert_eq!(fault.kind, AdapterFaultKind::Protocol);
    assert_eq!(fault.message, "adapter speaks protocol 2; this gauntlet speaks protocol 1");
}

#[test]
fn error_answer_to_hello_refuses_the_sweep() {
    let spec = AdapterSpec::Exec(fake_command("hello_error.py", &[]));
    let factory = AdapterFactory::new(&spec, &relaxed()).expect("factory");
    let err = factory.preflight().expect_err("refused");
    assert!(matches!(err, AdapterSetupError::Refused { .. }), "{err:?}");
    assert!(err.to_string().ends_with("refused the hello handshake: licence server unreachable"), "{err}");
}

#[test]
fn slow_hello_refuses_the_sweep_at_preflight() {
    let spec = AdapterSpec::Exec(fake_command("slow_hello.py", &["30"]));
    let factory = AdapterFactory::new(&spec, &strict()).expect("factory");
    let err = factory.preflight().expect_err("too slow");
    assert!(
        matches!(&err, AdapterSetupError::Handshake { fault, .. } if fault.kind == AdapterFaultKind::Timeout)
    );
    assert!(
        err.to_string().contains("failed the hello handshake: timeout waiting for hello (limit 1 s)"),
        "{err}"
    );
}

#[test]
fn missing_program_cannot_start() {
    let command = ExecCommand::new("/nonexistent/gauntlet-stack", ["--fast"]);
    let factory = AdapterFactory::new(&AdapterSpec::Exec(command.clone()), &relaxed()).expect("factory");
    let err = factory.preflight().expect_err("no such program");
    assert!(matches!(err, AdapterSetupError::Spawn { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("failed to start adapter `/nonexistent/gauntlet-stack --fast`: No such file"),
        "{err}"
    );
    let mut adapter = ExecAdapter::new(command, relaxed()).expect("adapter");
    let fault = fails(&mut adapter, 0, 1);
    assert_eq!(fault.kind, AdapterFaultKind::Spawn);
    assert!(fault.message.starts_with("failed to start adapter `/nonexistent/gauntlet-stack --fast`: "));
}

#[test]
fn factory_preflights_and_makes_exec_adapters() {
    let spec: AdapterSpec =
        format!("exec:python3 -B {}", shell_words::quote(&fixture("well_behaved.py"))).parse().expect("spec");
    let factory = AdapterFactory::new(&spec, &relaxed()).expect("factory");
    assert_eq!(factory.spec(), &spec);
    let info = factory.preflight().expect("preflight");
    assert_eq!((info.name.as_str(), info.version.as_str()), ("fake", "1.0"));
    let mut workers: Vec<_> = (0..2).map(|_| factory.make()).collect();
    for (seed, worker) in workers.iter_mut().enumerate() {
        assert_eq!(worker.info(), info, "made adapters know the preflight's answer before they start");
        passes(worker.as_mut(), seed as u64, 5);
    }
}

#[test]
fn factory_makes_builtin_adapters() {
    let factory =
        AdapterFactory::new(&"builtin:reference".parse().expect("spec"), &relaxed()).expect("factory");
    assert_eq!(factory.preflight().expect("preflight").name, "reference");
    assert_eq!(factory.make().info().name, "reference");
    let unknown = AdapterFactory::new(&"builtin:nobody".parse().expect("spec"), &relaxed());
    assert!(
        matches!(&unknown, Err(e @ AdapterSetupError::UnknownBuiltin { .. }) if e.to_string().contains("reference")),
        "{:?}",
        unknown.err()
    );
}

#[test]
fn adapter_log_holds_both_directions_with_the_job() {
    let scratch = Scratch::new("adapter_log");
    let log = scratch.0.join("adapter.jsonl");
    let options = ExecOptions { adapter_log: Some(log.clone()), ..relaxed() };
    let factory = AdapterFactory::new(&AdapterSpec::Exec(fake_command("well_behaved.py", &[])), &options)
        .expect("factory");
    factory.preflight().expect("preflight");
    let mut adapter = factory.make();
    passes(adapter.as_mut(), 7, 2);
    factory.finish_log().expect("log written");
    let text = std::fs::read_to_string(&log).expect("log");
    let entries: Vec<serde_json::Value> =
        text.lines().map(|line| serde_json::from_str(line).expect("each entry is JSON")).collect();
    let summary: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            let line: serde_json::Value =
                serde_json::from_str(e["line"].as_str().expect("line")).expect("json line");
            (e["dir"].as_str().expect("dir").to_owned(), line["type"].as_str().expect("type").to_owned())
        })
        .collect();
    let expected = [
        ("to_adapter", "hello"),
        ("from_adapter", "hello"),
        ("to_adapter", "reset"),
        ("from_adapter", "ready"),
        ("to_adapter", "observe"),
        ("from_adapter", "control"),
        ("to_adapter", "observe"),
        ("from_adapter", "control"),
        ("to_adapter", "end"),
    ];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(d, t)| ((*d).to_owned(), (*t).to_owned())).collect();
    assert_eq!(summary, expected);
    assert!(entries[0]["job"].is_null(), "the preflight handshake belongs to no job");
    assert_eq!(entries[2]["job"], serde_json::json!({"scenario": "cut_in.highway", "seed": 7}));
    assert!(entries.iter().all(|e| e["pid"] == entries[0]["pid"]), "the preflight process served the job");
}

#[test]
fn drop_leaves_no_child_behind() {
    let mut adapter = fake("well_behaved.py", &[], relaxed());
    let pid = warm_up(&mut adapter);
    assert!(!is_dead(pid));
    let started = Instant::now();
    drop(adapter);
    assert!(is_dead(pid), "pid {pid} survived Drop");
    assert!(started.elapsed() < Duration::from_secs(1), "a polite adapter exits at once on EOF");
}

#[test]
fn drop_kills_an_adapter_that_ignores_eof_after_two_seconds() {
    let mut adapter = fake("stubborn.py", &[], relaxed());
    let pid = warm_up(&mut adapter);
    let started = Instant::now();
    drop(adapter);
    let took = started.elapsed();
    assert!(is_dead(pid), "pid {pid} survived Drop");
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(4), "shutdown took {took:?}");
}

#[test]
fn killing_an_adapter_kills_the_helpers_it_started() {
    let mut adapter = fake("spawns_helper.py", &["1"], strict());
    let fault = fails(&mut adapter, 0, 3);
    assert_eq!(fault.kind, AdapterFaultKind::Timeout);
    let helper: u32 = adapter.info().version.parse().expect("the helper's pid");
    assert!(wait_dead(helper, Duration::from_secs(2)), "helper {helper} outlived its adapter");
}

#[test]
fn python_example_adapter_drives() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/python_adapter/adapter.py");
    let command = ExecCommand::new("python3", ["-B".to_owned(), example.display().to_string()]);
    let factory = AdapterFactory::new(&AdapterSpec::Exec(command), &relaxed()).expect("factory");
    let info = factory.preflight().expect("the example answers hello");
    assert_eq!(info.name, "python-example");
    let mut adapter = factory.make();
    adapter.reset(&job(0)).expect("ready");
    let mut controls = Vec::new();
    for n in 0..20 {
        let mut obs = observation(n);
        // The car ahead brakes: the gap closes from 40 m to 12 m.
        let gap = 40.0 - 1.4 * n as f64;
        obs.objects[0].s = obs.ego.s + gap;
        obs.objects[0].x = obs.objects[0].s;
        obs.objects[0].vs = 15.0;
        obs.objects[0].speed = 15.0;
        controls.push(adapter.step(&obs).expect("control"));
    }
    adapter.end(JobEnd::Pass);
    assert!(controls.iter().all(|c| c.accel.is_finite() && c.steer.is_finite()));
    assert!(
        controls.last().is_some_and(|c| c.accel < -2.0),
        "brakes for a slow car 12 m ahead: {controls:?}"
    );
    // 0.1 m left of the lane centre, heading 0.01 rad left: steer back right.
    assert!(controls.iter().all(|c| c.steer < 0.0), "{controls:?}");
    // A free road: speed up towards the limit.
    adapter.reset(&job(1)).expect("ready");
    let mut obs = observation(0);
    obs.objects.clear();
    obs.ego.speed = 20.0;
    obs.ego.vs = 20.0;
    let control = adapter.step(&obs).expect("control");
    adapter.end(JobEnd::Pass);
    assert!(control.accel > 0.5, "{control:?}");
}

const HELPER_ENV: &str = "GAUNTLET_IT_INTERRUPT_HELPER";

/// The process the interrupt tests signal: installs the handler, starts an
/// adapter, prints its pid, waits to be signalled. Run only by those tests.
#[test]
#[ignore = "helper process of the interrupt tests"]
fn interrupt_helper() {
    if std::env::var_os(HELPER_ENV).is_none() {
        return;
    }
    install_interrupt_handler().expect("handler");
    let mut adapter = fake("well_behaved.py", &[], relaxed());
    adapter.reset(&job(0)).expect("ready");
    println!("ADAPTER_PID={}", adapter.pid().expect("started"));
    std::thread::sleep(Duration::from_secs(30));
    panic!("the helper was not signalled");
}

/// Starts [`interrupt_helper`], sends it `signal`, returns its exit status and
/// whether its adapter died.
fn signal_helper(signal: rustix::process::Signal) -> (std::process::ExitStatus, bool) {
    let mut helper = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "exec_adapter::interrupt_helper", "--ignored", "--nocapture", "--test-threads=1"])
        .env(HELPER_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start helper");
    let stdout = helper.stdout.take().expect("piped");
    let adapter_pid = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        // libtest writes `test … ... ` before the helper's own line.
        .find_map(|line| line.split_once("ADAPTER_PID=").and_then(|(_, pid)| pid.trim().parse::<u32>().ok()));
    let Some(adapter_pid) = adapter_pid else {
        let _ = helper.kill();
        panic!("the helper printed no adapter pid: {:?}", helper.wait());
    };
    let helper_pid = rustix::process::Pid::from_child(&helper);
    rustix::process::kill_process(helper_pid, signal).expect("signal helper");
    let status = helper.wait().expect("helper exits");
    (status, wait_dead(adapter_pid, Duration::from_secs(3)))
}

#[test]
fn sigint_kills_adapters_and_exits_130() {
    let (status, adapter_dead) = signal_helper(rustix::process::Signal::INT);
    assert_eq!(status.code(), Some(130), "{status}");
    assert!(adapter_dead, "the adapter outlived an interrupted gauntlet");
}

#[test]
fn sigterm_kills_adapters_and_exits_143() {
    let (status, adapter_dead) = signal_helper(rustix::process::Signal::TERM);
    assert_eq!(status.code(), Some(143), "{status}");
    assert!(adapter_dead, "the adapter outlived a terminated gauntlet");
}

#[test]
fn sigkilled_gauntlet_leaves_no_adapter() {
    let (status, adapter_dead) = signal_helper(rustix::process::Signal::KILL);
    assert_eq!(status.code(), None, "{status}");
    assert!(adapter_dead, "PR_SET_PDEATHSIG should have killed the adapter");
}

/// A helper an adapter detached into a new session (out of its process
/// group) does not outlive the sweep: the binary is a child subreaper and
/// ends such orphans when the command is done.
#[test]
fn no_detached_descendant_of_an_adapter_outlives_the_sweep() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pids = dir.path().join("helpers.txt");
    let adapters = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/adapters");
    let spec = format!("exec:python3 -S -B {} {}", adapters.join("detaches.py").display(), pids.display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .args(["run", "runners/tests/fixtures/scenarios", "--seeds", "2", "--jobs", "2", "--no-regressions"])
        .arg("--adapter")
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("r.jsonl"))
        .output()
        .expect("gauntlet runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{stderr}");
    let helpers: Vec<u32> = std::fs::read_to_string(&pids)
        .expect("the adapter wrote its helpers' pids")
        .lines()
        .map(|l| l.parse().expect("a pid"))
        .collect();
    assert!(!helpers.is_empty());
    for pid in &helpers {
        assert!(wait_dead(*pid, Duration::from_secs(2)), "helper {pid} outlived the sweep: {stderr}");
    }
    assert!(stderr.contains("left behind by the adapter"), "{stderr}");
}

/// Protocol 1.1: monitors declared at `ready` and named active in `control`
/// become the adapter's names and per-step masks; a name never declared is a
/// protocol fault of that job, and the next job works.
#[test]
fn monitors_are_declared_at_ready_and_reported_in_control() {
    let mut adapter = fake("monitors.py", &[], relaxed());
    adapter.reset(&job(1)).expect("ready");
    assert_eq!(adapter.monitor_names(), ["fcw", "aeb"]);
    let mut masks = Vec::new();
    for step in 0..6 {
        adapter.step(&observation(step)).expect("control");
        masks.push(adapter.active_monitors().0);
    }
    assert_eq!(masks, [0, 0, 0b01, 0b11, 0b01, 0]);
    adapter.end(JobEnd::Pass);

    let mut adapter = fake("monitors.py", &["undeclared"], relaxed());
    adapter.reset(&job(2)).expect("ready");
    adapter.step(&observation(0)).expect("control");
    let fault = adapter.step(&observation(1)).expect_err("an undeclared monitor");
    assert_eq!(fault.kind, AdapterFaultKind::Protocol);
    assert!(fault.message.contains("\"lidar\"") && fault.message.contains("at step 1"), "{}", fault.message);
    adapter.end(JobEnd::Error);
    adapter.reset(&job(3)).expect("the next job starts");
    assert_eq!(adapter.monitor_names(), ["fcw", "aeb"]);
    adapter.end(JobEnd::Pass);
}
