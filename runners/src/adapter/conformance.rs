//! The conformance kit behind `gauntlet adapter check`: drives one adapter
//! through the clauses of `docs/adapter-protocol.md` and says, clause by
//! clause, whether it keeps them.
//!
//! The kit speaks the protocol with the sweep's own pieces (the request
//! encoders and answer decoders of [`super::protocol`], the deadline-bounded
//! pipes of [`super::child`]), so it holds an adapter to exactly the rules a
//! sweep enforces. It also sends what a sweep never does today but the
//! contract allows for tomorrow: fields and message types the adapter does not
//! know, zero and many objects, extreme but finite numbers.
//!
//! A probe that breaks the process (a crash, a timeout, a bad line) fails its
//! clause; the next probe starts a fresh process, so one fault does not hide
//! the others.

use std::fmt::{self, Write as _};
use std::time::Duration;

use gauntlet_engine::{
    ActorKind, Control, EgoLimits, EgoObservation, GoalInfo, JobEnd, JobStart, ObjectObservation,
    Observation, RoadInfo,
};
use serde_json::{Value, json};

use super::child::{ChildProcess, IoFault};
use super::factory::{AdapterFactory, AdapterSetupError};
use super::options::ExecOptions;
use super::protocol::{
    self, Answer, HelloAnswer, MAX_LINE_BYTES, PROTOCOL_VERSION, ReadyAnswer, Reply, decode_reply, quote,
};
use super::spec::{AdapterSpec, ExecCommand};
use super::{EXIT_GRACE, SHUTDOWN_GRACE};

/// Where the contract lives, relative to the repository root.
pub const PROTOCOL_DOC: &str = "docs/adapter-protocol.md";

/// One rule of the contract that the kit checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    /// Its stable id in the protocol document, e.g. `§H1`.
    pub id: &'static str,
    /// What it asks of the adapter, in a few words.
    pub title: &'static str,
}

const HELLO: Clause =
    Clause { id: "§H1", title: "answers hello with its protocol version, name and version" };
const READY: Clause = Clause { id: "§R1", title: "answers reset with ready" };
const CONTROL: Clause = Clause { id: "§O1", title: "answers observe with control (accel, steer)" };
const NO_OBJECTS: Clause = Clause { id: "§O2", title: "copes with an observation without objects" };
const MANY_OBJECTS: Clause = Clause { id: "§O3", title: "copes with many objects (256)" };
const EXTREME: Clause =
    Clause { id: "§O4", title: "copes with extreme but finite numbers (control or error, never a crash)" };
const UNKNOWN_FIELDS: Clause = Clause { id: "§U1", title: "ignores fields it does not know" };
const UNKNOWN_TYPES: Clause =
    Clause { id: "§U2", title: "ignores message types it does not know, silently" };
const END: Clause = Clause { id: "§E1", title: "sends nothing for end and serves the next reset" };
const SHUTDOWN: Clause = Clause { id: "§S1", title: "exits within 2 s when its stdin closes" };
const FRAMING: Clause =
    Clause { id: "§L1", title: "answers are single-line JSON objects with a type, ≤ 1 MiB" };
const ONLY_ASKED: Clause = Clause { id: "§A1", title: "one answer line per request, of the type asked" };
const FINITE: Clause = Clause { id: "§N1", title: "every number in an answer is finite" };
const TIMING: Clause = Clause { id: "§T1", title: "answers within the start-up and step timeouts" };
const MONITORS_DECLARED: Clause = Clause {
    id: "§R2",
    title: "ready.monitors, when present, is an array of unique non-empty strings (at most 64)",
};
const MONITORS_NAMED: Clause =
    Clause { id: "§O5", title: "control.monitors, when present, names only monitors declared at ready" };

/// Every clause the kit checks, in the order it reports them.
pub const CLAUSES: [Clause; 16] = [
    HELLO,
    READY,
    MONITORS_DECLARED,
    CONTROL,
    NO_OBJECTS,
    MANY_OBJECTS,
    EXTREME,
    MONITORS_NAMED,
    UNKNOWN_FIELDS,
    UNKNOWN_TYPES,
    END,
    SHUTDOWN,
    FRAMING,
    ONLY_ASKED,
    FINITE,
    TIMING,
];

/// The clauses that every exchange is held to, whichever probe it belongs to.
const CROSS_CUTTING: [Clause; 4] = [FRAMING, ONLY_ASKED, FINITE, TIMING];

/// What became of one clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Kept; with what was seen.
    Pass(String),
    /// Broken; with what happened.
    Fail(String),
    /// Not checked, because an earlier clause it depends on failed.
    Skipped(String),
}

/// One clause and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseResult {
    /// The clause.
    pub clause: Clause,
    /// Its verdict.
    pub verdict: Verdict,
}

/// The outcome of `gauntlet adapter check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConformanceReport {
    /// The adapter checked, as given.
    pub adapter: String,
    /// Name and version from its `hello`, if it got that far.
    pub identity: Option<(String, String)>,
    /// One entry per clause of [`CLAUSES`], in that order.
    pub results: Vec<ClauseResult>,
}

impl ConformanceReport {
    /// Whether no clause failed or was skipped.
    pub fn conforms(&self) -> bool {
        self.results.iter().all(|r| matches!(r.verdict, Verdict::Pass(_)))
    }

    /// 0 when the adapter conforms, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.conforms() { crate::error::EXIT_PASS } else { crate::error::EXIT_FAIL }
    }

    /// The human-readable report: one line per clause, then the verdict.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "adapter check: {} against protocol {PROTOCOL_VERSION} ({PROTOCOL_DOC})",
            self.adapter
        );
        if let Some((name, version)) = &self.identity {
            let _ = writeln!(out, "adapter: {name} {version}");
        }
        for ClauseResult { clause, verdict } in &self.results {
            let (word, detail) = match verdict {
                Verdict::Pass(d) => ("pass", d),
                Verdict::Fail(d) => ("FAIL", d),
                Verdict::Skipped(d) => ("skip", d),
            };
            let _ = write!(out, "{word}  {:<4} {}", clause.id, clause.title);
            if !detail.is_empty() {
                let mut lines = detail.lines();
                let _ = write!(out, ": {}", lines.next().unwrap_or_default());
                for line in lines {
                    let _ = write!(out, "\n            {line}");
                }
            }
            out.push('\n');
        }
        let failed = self.results.iter().filter(|r| matches!(r.verdict, Verdict::Fail(_))).count();
        let skipped = self.results.iter().filter(|r| matches!(r.verdict, Verdict::Skipped(_))).count();
        if self.conforms() {
            let _ = writeln!(out, "conforms: {} of {} clauses pass", self.results.len(), self.results.len());
        } else {
            let _ = writeln!(
                out,
                "does not conform: {failed} clause(s) failed, {skipped} not checked; see {PROTOCOL_DOC}"
            );
        }
        out
    }
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Checks `spec` against the protocol. `options` gives the timeouts the
/// adapter is held to (its `adapter_log` is not used).
///
/// Errors are usage errors (an unknown built-in, a program that cannot be
/// started); everything the adapter does is in the report.
pub fn check_conformance(
    spec: &AdapterSpec,
    options: &ExecOptions,
) -> Result<ConformanceReport, AdapterSetupError> {
    let adapter = spec.to_string();
    match spec {
        AdapterSpec::Builtin(_) => {
            // Checks the name; a built-in adapter is called in process and
            // speaks no wire protocol: conformant by construction.
            let info = AdapterFactory::new(spec, &ExecOptions::default())?.preflight()?;
            let results = CLAUSES
                .iter()
                .map(|&clause| ClauseResult {
                    clause,
                    verdict: Verdict::Pass("built in (called in process, no wire protocol)".to_owned()),
                })
                .collect();
            Ok(ConformanceReport { adapter, identity: Some((info.name, info.version)), results })
        }
        AdapterSpec::Exec(command) => Kit::new(command, options).run(adapter),
    }
}

/// Why a probe failed: the message, and the cross-cutting clause it also
/// breaks, if any.
struct Failure {
    also: Option<Clause>,
    message: String,
}

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Self { also: None, message: message.into() }
    }

    fn breaking(clause: Clause, message: impl Into<String>) -> Self {
        Self { also: Some(clause), message: message.into() }
    }
}

type Probe = Result<String, Failure>;

/// An answer that is not the one asked for but is allowed.
enum Got<T> {
    Answer(T),
    Error(Option<String>),
}

struct Kit<'a> {
    command: &'a ExecCommand,
    options: &'a ExecOptions,
    process: Option<ChildProcess>,
    identity: Option<(String, String)>,
    out: Vec<u8>,
    /// A `reset` was answered and no `end` sent yet.
    in_job: bool,
}

impl<'a> Kit<'a> {
    fn new(command: &'a ExecCommand, options: &'a ExecOptions) -> Self {
        Self { command, options, process: None, identity: None, out: Vec::new(), in_job: false }
    }

    /// How long the kit listens for output that must not come.
    fn quiet_window(&self) -> Duration {
        self.options.step_timeout.min(Duration::from_millis(300))
    }

    fn run(mut self, adapter: String) -> Result<ConformanceReport, AdapterSetupError> {
        let mut results: Vec<ClauseResult> = Vec::new();
        let mut cross: Vec<(Clause, String)> = Vec::new();
        let mut record = |results: &mut Vec<ClauseResult>, clause: Clause, probe: Probe| {
            let verdict = match probe {
                Ok(detail) => Verdict::Pass(detail),
                Err(Failure { also, message }) => {
                    if let Some(also) = also {
                        cross.push((also, format!("{} {message}", clause.id)));
                    }
                    let message = match also {
                        Some(also) => format!("{message} ({})", also.id),
                        None => message,
                    };
                    Verdict::Fail(message)
                }
            };
            results.push(ClauseResult { clause, verdict });
        };

        // §H1: nothing else can be checked without a handshake.
        let hello = match self.start() {
            Err(StartError::Spawn(source)) => {
                return Err(AdapterSetupError::Spawn { command: self.command.to_string(), source });
            }
            Err(StartError::Hello(failure)) => Err(failure),
            Ok(()) => {
                let (name, version) = self.identity.clone().unwrap_or_default();
                Ok(format!("protocol {PROTOCOL_VERSION}, name {name:?}, version {version:?}"))
            }
        };
        let hello_failed = hello.is_err();
        record(&mut results, HELLO, hello);
        if hello_failed {
            self.discard();
            for clause in CLAUSES.iter().skip(1) {
                let verdict = Verdict::Skipped(format!("not checked: {} failed", HELLO.id));
                results.push(ClauseResult { clause: *clause, verdict });
            }
            return Ok(self.report(adapter, results, &cross));
        }

        let probe = self.probe_ready();
        let ready_failed = probe.is_err();
        record(&mut results, READY, probe);
        if ready_failed {
            // Every other probe needs a job: each would wait out the start-up timeout.
            for clause in [
                CONTROL,
                NO_OBJECTS,
                MANY_OBJECTS,
                EXTREME,
                UNKNOWN_FIELDS,
                UNKNOWN_TYPES,
                END,
                MONITORS_DECLARED,
                MONITORS_NAMED,
            ] {
                let verdict = Verdict::Skipped(format!("not checked: {} failed", READY.id));
                results.push(ClauseResult { clause, verdict });
            }
            let probe = self.probe_shutdown();
            record(&mut results, SHUTDOWN, probe);
            return Ok(self.report(adapter, results, &cross));
        }
        let probe =
            self.in_fresh_job(|kit| kit.expect_control(&nominal_observation(3), "a lead vehicle ahead"));
        record(&mut results, CONTROL, probe);
        let probe = self.in_fresh_job(|kit| {
            let mut observation = nominal_observation(4);
            observation.objects.clear();
            kit.expect_control(&observation, "objects: []")
        });
        record(&mut results, NO_OBJECTS, probe);
        let probe = self.in_fresh_job(|kit| kit.expect_control(&crowded_observation(), "256 objects"));
        record(&mut results, MANY_OBJECTS, probe);
        let probe = self.in_fresh_job(Kit::probe_extreme);
        record(&mut results, EXTREME, probe);
        let probe = self.probe_unknown_fields();
        record(&mut results, UNKNOWN_FIELDS, probe);
        let probe = self.in_fresh_job(Kit::probe_unknown_type);
        record(&mut results, UNKNOWN_TYPES, probe);
        let probe = self.probe_end();
        record(&mut results, END, probe);
        let (declared, named) = self.probe_monitors();
        let declared_failed = declared.is_err();
        record(&mut results, MONITORS_DECLARED, declared);
        match named {
            Some(probe) => record(&mut results, MONITORS_NAMED, probe),
            None => {
                let why = if declared_failed { MONITORS_DECLARED.id } else { READY.id };
                let verdict = Verdict::Skipped(format!("not checked: {why} failed"));
                results.push(ClauseResult { clause: MONITORS_NAMED, verdict });
            }
        }
        let probe = self.probe_shutdown();
        record(&mut results, SHUTDOWN, probe);
        Ok(self.report(adapter, results, &cross))
    }

    fn report(
        &self,
        adapter: String,
        mut results: Vec<ClauseResult>,
        cross: &[(Clause, String)],
    ) -> ConformanceReport {
        let hello_failed = results.first().is_some_and(|r| matches!(r.verdict, Verdict::Fail(_)));
        for clause in CROSS_CUTTING {
            let broken: Vec<&str> =
                cross.iter().filter(|(c, _)| *c == clause).map(|(_, message)| message.as_str()).collect();
            let verdict = if let Some(first) = broken.first() {
                let others: Vec<&str> =
                    broken[1..].iter().filter_map(|m| m.split_whitespace().next()).collect();
                if others.is_empty() {
                    Verdict::Fail((*first).to_owned())
                } else {
                    Verdict::Fail(format!("{first}\nand in {}", others.join(", ")))
                }
            } else if hello_failed {
                Verdict::Skipped(format!("not checked: {} failed", HELLO.id))
            } else {
                Verdict::Pass(String::new())
            };
            if let Some(slot) = results.iter_mut().find(|r| r.clause == clause) {
                slot.verdict = verdict;
            } else {
                results.push(ClauseResult { clause, verdict });
            }
        }
        results.sort_by_key(|r| CLAUSES.iter().position(|c| *c == r.clause));
        ConformanceReport { adapter, identity: self.identity.clone(), results }
    }

    /// Spawns a process and does the handshake.
    fn start(&mut self) -> Result<(), StartError> {
        self.discard();
        let process = ChildProcess::spawn(self.command).map_err(StartError::Spawn)?;
        self.process = Some(process);
        protocol::encode_hello(&mut self.out).map_err(|e| StartError::Hello(Failure::new(e.to_string())))?;
        let hello = self
            .exchange::<HelloAnswer>(self.options.startup_timeout, "hello", true)
            .map_err(StartError::Hello)?;
        let hello = match hello {
            Got::Answer(hello) => hello,
            Got::Error(message) => {
                self.discard();
                return Err(StartError::Hello(Failure::new(format!(
                    "answered hello with an error: {}",
                    message.as_deref().unwrap_or("(no message)")
                ))));
            }
        };
        if hello.protocol != PROTOCOL_VERSION {
            self.discard();
            return Err(StartError::Hello(Failure::new(format!(
                "answered protocol {}; this gauntlet speaks protocol {PROTOCOL_VERSION}",
                hello.protocol
            ))));
        }
        self.identity = Some((hello.name, hello.version));
        Ok(())
    }

    /// A process that has done its handshake, fresh if the last one broke.
    fn ensure_process(&mut self) -> Result<(), Failure> {
        if self.process.is_some() {
            return Ok(());
        }
        match self.start() {
            Ok(()) => Ok(()),
            Err(StartError::Spawn(e)) => Err(Failure::new(format!("could not restart the adapter: {e}"))),
            Err(StartError::Hello(failure)) => Err(Failure {
                also: failure.also,
                message: format!("a fresh process failed its hello: {}", failure.message),
            }),
        }
    }

    fn discard(&mut self) {
        if let Some(process) = self.process.take() {
            drop(process.kill());
        }
        self.in_job = false;
    }

    /// Ends the job in progress, if any, as a sweep would.
    fn end_job(&mut self) -> Result<(), Failure> {
        if !std::mem::take(&mut self.in_job) {
            return Ok(());
        }
        protocol::encode_end(&mut self.out, JobEnd::Pass).map_err(|e| Failure::new(e.to_string()))?;
        self.send()
    }

    fn probe_ready(&mut self) -> Probe {
        self.reset(&nominal_job(), None)?;
        Ok("ready".to_owned())
    }

    /// Runs `probe` in a job of its own (the previous one ended, a fresh
    /// process if the last broke).
    fn in_fresh_job(&mut self, probe: impl FnOnce(&mut Self) -> Probe) -> Probe {
        self.end_job()?;
        self.reset(&nominal_job(), None).map_err(|f| Failure {
            also: f.also,
            message: format!("could not start a job ({}): {}", READY.id, f.message),
        })?;
        probe(self)
    }

    /// `reset` (with `extra` fields merged in) → `ready`.
    fn reset(&mut self, job: &JobStart, extra: Option<fn(&mut Value)>) -> Result<(), Failure> {
        self.end_job()?;
        self.ensure_process()?;
        protocol::encode_reset(&mut self.out, job).map_err(|e| Failure::new(e.to_string()))?;
        if let Some(extra) = extra {
            self.rewrite(extra)?;
        }
        match self.exchange::<ReadyAnswer>(self.options.startup_timeout, "reset", true)? {
            Got::Answer(ReadyAnswer) => {
                self.in_job = true;
                Ok(())
            }
            Got::Error(message) => {
                self.in_job = true;
                Err(Failure::new(format!(
                    "answered a valid reset with an error: {}",
                    message.as_deref().unwrap_or("(no message)")
                )))
            }
        }
    }

    /// `observe` → a finite `control`.
    fn expect_control(&mut self, observation: &Observation, what: &str) -> Probe {
        protocol::encode_observe(&mut self.out, observation).map_err(|e| Failure::new(e.to_string()))?;
        self.expect_control_for(what)
    }

    /// Sends the observe in `self.out`; expects a `control`.
    fn expect_control_for(&mut self, what: &str) -> Probe {
        match self.exchange::<Control>(self.options.step_timeout, "observe", false)? {
            Got::Answer(control) => {
                Ok(format!("{what}: accel {}, steer {}", num(control.accel), num(control.steer)))
            }
            Got::Error(message) => Err(Failure::new(format!(
                "answered a valid observe ({what}) with an error: {}",
                message.as_deref().unwrap_or("(no message)")
            ))),
        }
    }

    fn probe_extreme(&mut self) -> Probe {
        let observation = extreme_observation();
        protocol::encode_observe(&mut self.out, &observation).map_err(|e| Failure::new(e.to_string()))?;
        match self.exchange::<Control>(self.options.step_timeout, "observe", false)? {
            Got::Answer(control) => Ok(format!(
                "values up to ±1e300 and 5e-324: accel {}, steer {}",
                num(control.accel),
                num(control.steer)
            )),
            Got::Error(message) => Ok(format!(
                "values up to ±1e300 and 5e-324: answered error ({}), allowed",
                message.as_deref().unwrap_or("no message")
            )),
        }
    }

    fn probe_unknown_fields(&mut self) -> Probe {
        self.reset(&nominal_job(), Some(add_unknown_fields)).map_err(|f| Failure {
            also: f.also,
            message: format!("reset with unknown fields: {}", f.message),
        })?;
        protocol::encode_observe(&mut self.out, &nominal_observation(5))
            .map_err(|e| Failure::new(e.to_string()))?;
        self.rewrite(add_unknown_fields)?;
        self.expect_control_for("observe with unknown fields").map_err(|f| Failure {
            also: f.also,
            message: format!("observe with unknown fields: {}", f.message),
        })?;
        Ok("unknown fields in reset, observe, ego, road and objects (number, string, null, array, object)"
            .to_owned())
    }

    fn probe_unknown_type(&mut self) -> Probe {
        let probe =
            json!({"type": "x-conformance-probe", "note": "a message type from a later protocol", "n": 1});
        self.out.clear();
        serde_json::to_writer(&mut self.out, &probe).map_err(|e| Failure::new(e.to_string()))?;
        self.out.push(b'\n');
        self.send()?;
        self.expect_silence("a message of unknown type `x-conformance-probe`")?;
        self.expect_control(&nominal_observation(6), "then observe").map_err(|f| Failure {
            also: f.also,
            message: format!("after an unknown message type: {}", f.message),
        })?;
        Ok("no answer, then observe still answered".to_owned())
    }

    fn probe_end(&mut self) -> Probe {
        let first = self.in_fresh_job(|kit| kit.expect_control(&nominal_observation(7), "observe"))?;
        drop(first);
        let pid = self.process.as_ref().map(ChildProcess::pid);
        self.end_job()?;
        self.expect_silence("end")?;
        self.reset(&nominal_job(), None).map_err(|f| Failure {
            also: f.also,
            message: format!("the next reset after end: {}", f.message),
        })?;
        self.expect_control(&nominal_observation(8), "observe").map_err(|f| Failure {
            also: f.also,
            message: format!("the next job after end: {}", f.message),
        })?;
        let same = pid.is_some() && pid == self.process.as_ref().map(ChildProcess::pid);
        if !same {
            return Err(Failure::new("the process did not survive end"));
        }
        Ok("no answer to end; the same process served the next job".to_owned())
    }

    /// §R2 and §O5 (protocol 1.1): one job, its `ready`'s `monitors`, then
    /// [`MONITOR_STEPS`] observations whose `control`s may name active
    /// monitors. §O5 is `None` (not checked) when the job did not start or
    /// its declaration is invalid.
    fn probe_monitors(&mut self) -> (Probe, Option<Probe>) {
        let declared = match self.reset_raw() {
            Ok(ready) => check_declared(&ready),
            Err(f) => return (Err(Failure { also: f.also, message: format!("reset: {}", f.message) }), None),
        };
        let declared = match declared {
            Ok(names) => names,
            Err(message) => return (Err(Failure::new(message)), None),
        };
        let declared_detail = if declared.is_empty() {
            "declares no monitor (allowed)".to_owned()
        } else {
            format!("declares {}", declared.join(", "))
        };
        let mut named: Vec<String> = Vec::new();
        for step in 1..=MONITOR_STEPS {
            let mut observation = nominal_observation(step);
            // The lead closes in, so monitors that watch the gap have a reason to fire.
            observation.objects[0].s -= 2.0 * step as f64;
            observation.objects[0].x = observation.objects[0].s;
            let sent = protocol::encode_observe(&mut self.out, &observation)
                .map_err(|e| Failure::new(e.to_string()));
            let answer =
                sent.and_then(|()| self.exchange::<RawControl>(self.options.step_timeout, "observe", false));
            let line = match answer {
                Ok(Got::Answer(RawControl(line))) => line,
                Ok(Got::Error(message)) => {
                    let message = format!(
                        "answered a valid observe (step {step}) with an error: {}",
                        message.as_deref().unwrap_or("(no message)")
                    );
                    return (Ok(declared_detail), Some(Err(Failure::new(message))));
                }
                Err(f) => return (Ok(declared_detail), Some(Err(f))),
            };
            match check_named(&line, &declared) {
                Ok(names) => {
                    for name in names {
                        if !named.contains(&name) {
                            named.push(name);
                        }
                    }
                }
                Err(message) => {
                    return (Ok(declared_detail), Some(Err(Failure::new(format!("step {step}: {message}")))));
                }
            }
        }
        let named_detail = if named.is_empty() {
            format!("{MONITOR_STEPS} controls named no monitor (allowed)")
        } else {
            format!("{MONITOR_STEPS} controls named {} (declared)", named.join(", "))
        };
        (Ok(declared_detail), Some(Ok(named_detail)))
    }

    /// `reset` → `ready`, as a JSON object (its fields unchecked).
    fn reset_raw(&mut self) -> Result<Value, Failure> {
        self.end_job()?;
        self.ensure_process()?;
        protocol::encode_reset(&mut self.out, &nominal_job()).map_err(|e| Failure::new(e.to_string()))?;
        let answer = self.exchange::<RawReady>(self.options.startup_timeout, "reset", true)?;
        self.in_job = true;
        match answer {
            Got::Answer(RawReady(value)) => Ok(value),
            Got::Error(message) => Err(Failure::new(format!(
                "answered a valid reset with an error: {}",
                message.as_deref().unwrap_or("(no message)")
            ))),
        }
    }

    fn probe_shutdown(&mut self) -> Probe {
        self.end_job()?;
        self.ensure_process()?;
        let Some(process) = self.process.take() else {
            return Err(Failure::new("no process to shut down"));
        };
        // Closing stdin, as a sweep does at its end.
        let ended = process.collect_exit(SHUTDOWN_GRACE);
        if ended.killed {
            return Err(Failure::new(format!(
                "still running {} s after its stdin closed; killed",
                SHUTDOWN_GRACE.as_secs()
            )));
        }
        match ended.status {
            Some(status) => Ok(format!("exited ({status})")),
            None => Ok("exited".to_owned()),
        }
    }

    /// Merges fields into the request in `self.out`.
    fn rewrite(&mut self, edit: fn(&mut Value)) -> Result<(), Failure> {
        let mut value: Value = serde_json::from_slice(&self.out).map_err(|e| Failure::new(e.to_string()))?;
        edit(&mut value);
        self.out.clear();
        serde_json::to_writer(&mut self.out, &value).map_err(|e| Failure::new(e.to_string()))?;
        self.out.push(b'\n');
        Ok(())
    }

    /// Writes the request in `self.out`, after checking that the adapter has
    /// said nothing since its last answer.
    fn send(&mut self) -> Result<(), Failure> {
        let timeout = self.options.step_timeout;
        let Some(process) = self.process.as_mut() else {
            return Err(Failure::new("no adapter process"));
        };
        if process.has_unsolicited_output() {
            let message = unsolicited(process, self.options.step_timeout);
            self.discard();
            return Err(Failure::breaking(ONLY_ASKED, message));
        }
        let mut waited = Duration::ZERO;
        let deadline = std::time::Instant::now() + timeout;
        match process.send(&self.out, deadline, &mut waited) {
            Ok(()) => Ok(()),
            Err(fault) => Err(self.io_failure(fault, "while it was being sent a request", timeout)),
        }
    }

    /// Listens for the quiet window: any output (or an exit) fails.
    fn expect_silence(&mut self, after: &str) -> Result<(), Failure> {
        let window = self.quiet_window();
        let Some(process) = self.process.as_mut() else {
            return Err(Failure::new("no adapter process"));
        };
        let mut waited = Duration::ZERO;
        match process.read_line(std::time::Instant::now() + window, &mut waited) {
            Err(IoFault::Timeout) => Ok(()),
            Ok(range) => {
                let line = quote(&process.buffer()[range]);
                self.discard();
                Err(Failure::breaking(
                    ONLY_ASKED,
                    format!("answered {after}, which expects no answer; line: {line}"),
                ))
            }
            Err(fault) => Err(self.io_failure(fault, &format!("after {after}"), window)),
        }
    }

    /// Sends the request in `self.out` and reads an answer of type `T` (or an
    /// `error`) within `timeout`.
    fn exchange<T: Answer>(
        &mut self,
        timeout: Duration,
        request: &str,
        startup: bool,
    ) -> Result<Got<T>, Failure> {
        self.send()?;
        let Some(process) = self.process.as_mut() else {
            return Err(Failure::new("no adapter process"));
        };
        let mut waited = Duration::ZERO;
        let deadline = std::time::Instant::now() + timeout;
        let range = match process.read_line(deadline, &mut waited) {
            Ok(range) => range,
            Err(fault) => {
                let which = if startup { "start-up" } else { "step" };
                return Err(self.io_failure(
                    fault,
                    &format!("in answer to {request} ({which} timeout)"),
                    timeout,
                ));
            }
        };
        let line = &process.buffer()[range];
        let shown = quote(line);
        let failure = match decode_reply::<T>(line) {
            Ok(_) if process.has_buffered_output() => Failure::breaking(
                ONLY_ASKED,
                format!("more than one line in answer to {request}; first: {shown}"),
            ),
            Ok(Reply::Answer(answer)) => return Ok(Got::Answer(answer)),
            Ok(Reply::Error { message }) => return Ok(Got::Error(message)),
            Ok(Reply::Unexpected { kind }) => Failure::breaking(
                ONLY_ASKED,
                format!("answered {request} with `{kind}`, expected `{}`; line: {shown}", T::TYPE),
            ),
            Err(e) => {
                let text = e.to_string();
                let also = if text.starts_with("non-finite number") || has_non_finite_literal(line) {
                    Some(FINITE)
                } else if e.kind.is_none() {
                    Some(FRAMING)
                } else {
                    None
                };
                Failure { also, message: format!("{text} in answer to {request}; line: {shown}") }
            }
        };
        self.discard();
        Err(failure)
    }

    /// Turns a pipe fault into a failure, ending the process.
    fn io_failure(&mut self, fault: IoFault, when: &str, limit: Duration) -> Failure {
        let Some(process) = self.process.take() else {
            return Failure::new(format!("no adapter process {when}"));
        };
        self.in_job = false;
        match fault {
            IoFault::Timeout => {
                let ended = process.kill();
                Failure::breaking(
                    TIMING,
                    format!("no answer within {} {when}{}", format_limit(limit), stderr_note(&ended.stderr)),
                )
            }
            IoFault::TooLong => {
                let head = quote(process.partial_line());
                drop(process.kill());
                Failure::breaking(
                    FRAMING,
                    format!("line longer than {} MiB {when}; line: {head}", MAX_LINE_BYTES >> 20),
                )
            }
            IoFault::Closed => {
                let ended = process.collect_exit(EXIT_GRACE);
                let status = ended.status.map(|s| format!(" ({s})")).unwrap_or_default();
                Failure::new(format!(
                    "exited or closed its stdout{status} {when}{}",
                    stderr_note(&ended.stderr)
                ))
            }
            IoFault::Io(e) => {
                drop(process.kill());
                Failure::new(format!("failed to talk to the adapter {when}: {e}"))
            }
        }
    }
}

/// Observations of the §O5 probe.
const MONITOR_STEPS: u64 = 5;

/// A `ready` as its JSON object, for §R2.
struct RawReady(Value);

impl Answer for RawReady {
    const TYPE: &'static str = "ready";

    fn decode(line: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(line).map(Self)
    }
}

/// A finite `control` as its JSON object, for §O5.
struct RawControl(Value);

impl Answer for RawControl {
    const TYPE: &'static str = "control";

    fn decode(line: &[u8]) -> Result<Self, serde_json::Error> {
        Control::decode(line)?;
        serde_json::from_slice(line).map(Self)
    }
}

/// §R2: the monitors a `ready` declares (none when it has no `monitors`),
/// or why its `monitors` breaks the clause.
fn check_declared(ready: &Value) -> Result<Vec<String>, String> {
    let Some(field) = ready.get("monitors") else {
        return Ok(Vec::new());
    };
    let Some(items) = field.as_array() else {
        return Err(format!("`monitors` is {field}, not an array of names"));
    };
    if items.len() > gauntlet_engine::MAX_MONITORS {
        return Err(format!(
            "`monitors` declares {} monitors; at most {} are allowed",
            items.len(),
            gauntlet_engine::MAX_MONITORS
        ));
    }
    let mut names: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let Some(name) = item.as_str() else {
            return Err(format!("`monitors` holds {item}, not a name (string)"));
        };
        if name.is_empty() {
            return Err("`monitors` holds an empty name".to_owned());
        }
        if names.iter().any(|n| n == name) {
            return Err(format!("`monitors` declares {name:?} twice"));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// §O5: the monitors a `control` names as active (none without
/// `monitors`), or why its `monitors` breaks the clause.
fn check_named(control: &Value, declared: &[String]) -> Result<Vec<String>, String> {
    let Some(field) = control.get("monitors") else {
        return Ok(Vec::new());
    };
    let Some(items) = field.as_array() else {
        return Err(format!("`monitors` is {field}, not an array of names"));
    };
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        let Some(name) = item.as_str() else {
            return Err(format!("`monitors` holds {item}, not a name (string)"));
        };
        if !declared.iter().any(|d| d == name) {
            let declared = if declared.is_empty() { "none".to_owned() } else { declared.join(", ") };
            return Err(format!(
                "`monitors` names {name:?}, which ready did not declare (declared: {declared})"
            ));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

enum StartError {
    Spawn(std::io::Error),
    Hello(Failure),
}

fn unsolicited(process: &mut ChildProcess, limit: Duration) -> String {
    let mut waited = Duration::ZERO;
    let deadline = std::time::Instant::now() + limit.min(Duration::from_millis(100));
    match process.read_line(deadline, &mut waited) {
        Ok(range) => format!("printed a line nobody asked for: {}", quote(&process.buffer()[range])),
        Err(_) => "printed output nobody asked for (or closed its stdout)".to_owned(),
    }
}

/// Whether `line` holds a bare `NaN` or `Infinity` (outside strings), as
/// some JSON writers print them: not JSON, and a non-finite number.
fn has_non_finite_literal(line: &[u8]) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in line.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if line[i..].starts_with(b"NaN") || line[i..].starts_with(b"Infinity") {
            return true;
        }
    }
    false
}

/// A number short enough for one line: `-2.5`, `1e300`, `1.2e-7`.
fn num(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e6).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{}", (x * 1e4).round() / 1e4)
    }
}

fn stderr_note(stderr: &str) -> String {
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
    match last {
        Some(line) => format!("; last stderr line: {}", line.trim()),
        None => String::new(),
    }
}

fn format_limit(limit: Duration) -> String {
    if limit.subsec_nanos() == 0 {
        format!("{} s", limit.as_secs())
    } else {
        format!("{} ms", limit.as_millis())
    }
}

/// A three-lane highway job like the library's.
fn nominal_job() -> JobStart {
    JobStart {
        scenario: "conformance.highway".to_owned(),
        seed: 17,
        dt: 0.05,
        duration: 20.0,
        ego: EgoLimits::MID_SIZE_CAR,
        road: RoadInfo { lanes: 3, lane_width: 3.5, speed_limit: 33.3, lane_drop: None },
        goal: GoalInfo { s: 400.0 },
        route: None,
    }
}

fn vehicle(id: u32, s: f64, lane: i32, speed: f64) -> ObjectObservation {
    let d = f64::from(lane) * 3.5;
    ObjectObservation {
        id,
        kind: ActorKind::Vehicle,
        x: s,
        y: d,
        yaw: 0.0,
        speed,
        length: 4.5,
        width: 1.8,
        s,
        d,
        vs: speed,
        vd: 0.0,
        lane,
    }
}

/// The ego in lane 1 at 25 m/s, a slower vehicle 28 m ahead in its lane.
fn nominal_observation(step: u64) -> Observation {
    Observation {
        step,
        t: step as f64 * 0.05,
        ego: EgoObservation {
            x: 12.1,
            y: 3.5,
            yaw: 0.0,
            speed: 24.8,
            accel: -0.3,
            yaw_rate: 0.0,
            s: 12.1,
            d: 3.52,
            vs: 24.8,
            vd: 0.0,
            lane: 1,
            lane_d: 0.02,
            heading_err: 0.001,
            curvature: 0.0,
            lane_shift: 0.0,
            fault: None,
        },
        objects: vec![vehicle(3, 40.2, 1, 22.0)],
        signal: None,
    }
}

/// 256 road users of every kind (protocol 1.3's `motorcycle` and `animal`
/// too, which an adapter must take as obstacles), some off the carriageway.
fn crowded_observation() -> Observation {
    let mut observation = nominal_observation(2);
    let kinds = ActorKind::ALL;
    observation.objects = (0..256u32)
        .map(|i| {
            let mut object = vehicle(100 + i, 15.0 + f64::from(i) * 3.0, i as i32 % 4 - 1, f64::from(i % 30));
            object.kind = kinds[i as usize % kinds.len()];
            object
        })
        .collect();
    observation
}

/// Finite numbers at the edges of what an `f64` holds.
fn extreme_observation() -> Observation {
    let mut observation = nominal_observation(u64::from(u32::MAX));
    observation.t = 1e300;
    let ego = &mut observation.ego;
    ego.x = 1e300;
    ego.y = -1e300;
    ego.s = 1e300;
    ego.d = -1e300;
    ego.speed = 1e300;
    ego.vs = 1e300;
    ego.vd = -1e300;
    ego.accel = -1e300;
    ego.yaw_rate = 5e-324;
    ego.curvature = -5e-324;
    ego.lane = -1;
    ego.lane_d = 1e300;
    ego.heading_err = -0.0;
    observation.objects = vec![
        ObjectObservation {
            id: u32::MAX,
            length: 1e300,
            width: 5e-324,
            ..vehicle(u32::MAX, -1e300, -1, 1e300)
        },
        vehicle(0, 1e-300, 0, -1e300),
    ];
    observation
}

/// Adds fields of every JSON kind at the top level and in every object.
fn add_unknown_fields(message: &mut Value) {
    fn extras(object: &mut serde_json::Map<String, Value>) {
        object.insert("x_future_number".to_owned(), json!(1.5));
        object.insert("x_future_string".to_owned(), json!("a field from a later protocol"));
        object.insert("x_future_null".to_owned(), Value::Null);
        object.insert("x_future_array".to_owned(), json!([1, "two", {"three": 3.0}, null, true]));
        object.insert("x_future_object".to_owned(), json!({"nested": {"deeper": [0.5]}, "flag": false}));
    }
    let Some(top) = message.as_object_mut() else {
        return;
    };
    extras(top);
    for key in ["ego", "road", "goal"] {
        if let Some(object) = top.get_mut(key).and_then(Value::as_object_mut) {
            extras(object);
        }
    }
    if let Some(objects) = top.get_mut("objects").and_then(Value::as_array_mut) {
        for object in objects.iter_mut().filter_map(Value::as_object_mut) {
            extras(object);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_ids_are_unique() {
        for (i, a) in CLAUSES.iter().enumerate() {
            assert!(CLAUSES[i + 1..].iter().all(|b| b.id != a.id), "{} twice", a.id);
        }
    }

    #[test]
    fn probes_encode_finite_requests() {
        let mut out = Vec::new();
        for observation in [nominal_observation(1), crowded_observation(), extreme_observation()] {
            protocol::encode_observe(&mut out, &observation).expect("encodes");
            let line = std::str::from_utf8(&out).expect("utf-8");
            assert!(!line.contains("null") && !line.contains("inf"), "{line}");
            assert_eq!(line.matches('\n').count(), 1);
        }
        let mut value: Value = serde_json::from_slice(&out).expect("json");
        add_unknown_fields(&mut value);
        assert!(value["ego"]["x_future_object"]["nested"].is_object());
        assert!(value["objects"][1]["x_future_null"].is_null());
    }

    #[test]
    fn bare_non_finite_literals_are_found_outside_strings() {
        assert!(has_non_finite_literal(br#"{"type":"control","accel":NaN,"steer":0}"#));
        assert!(has_non_finite_literal(br#"{"accel":-Infinity}"#));
        assert!(!has_non_finite_literal(br#"{"type":"error","message":"NaN \" Infinity"}"#));
    }

    #[test]
    fn monitor_declarations_are_unique_non_empty_names() {
        assert_eq!(check_declared(&json!({"type": "ready"})), Ok(vec![]));
        assert_eq!(
            check_declared(&json!({"monitors": ["fcw", "aeb"]})),
            Ok(vec!["fcw".into(), "aeb".into()])
        );
        assert_eq!(check_declared(&json!({"monitors": []})), Ok(vec![]));
        assert!(check_declared(&json!({"monitors": "fcw"})).unwrap_err().contains("not an array"));
        assert!(check_declared(&json!({"monitors": ["fcw", 3]})).unwrap_err().contains("not a name"));
        assert!(check_declared(&json!({"monitors": [""]})).unwrap_err().contains("empty name"));
        assert!(check_declared(&json!({"monitors": ["fcw", "fcw"]})).unwrap_err().contains("\"fcw\" twice"));
        let many: Vec<String> = (0..=gauntlet_engine::MAX_MONITORS).map(|i| format!("m{i}")).collect();
        assert!(check_declared(&json!({ "monitors": many })).unwrap_err().contains("at most"));
    }

    #[test]
    fn controls_name_only_declared_monitors() {
        let declared = vec!["fcw".to_owned()];
        assert_eq!(check_named(&json!({"accel": 0.0}), &declared), Ok(vec![]));
        assert_eq!(check_named(&json!({"monitors": ["fcw"]}), &declared), Ok(vec!["fcw".into()]));
        assert_eq!(check_named(&json!({"monitors": []}), &[]), Ok(vec![]));
        let err = check_named(&json!({"monitors": ["lidar"]}), &declared).unwrap_err();
        assert!(err.contains("\"lidar\"") && err.contains("declared: fcw"), "{err}");
        assert!(check_named(&json!({"monitors": ["fcw"]}), &[]).unwrap_err().contains("declared: none"));
        assert!(check_named(&json!({"monitors": "fcw"}), &declared).unwrap_err().contains("not an array"));
    }

    #[test]
    fn builtins_conform_trivially_and_unknown_ones_are_usage_errors() {
        let report = check_conformance(&"builtin:reference".parse().expect("spec"), &ExecOptions::default())
            .expect("known");
        assert!(report.conforms(), "{report}");
        assert_eq!(report.results.len(), CLAUSES.len());
        assert!(check_conformance(&"builtin:nope".parse().expect("spec"), &ExecOptions::default()).is_err());
    }
}
