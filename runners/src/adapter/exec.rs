//! [`ExecAdapter`]: an autonomy stack in another process, over the stdio
//! JSON-lines protocol v1.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gauntlet_engine::{
    AdapterFault, AdapterFaultKind, AdapterInfo, AutonomyAdapter, Control, JobEnd, JobStart, MonitorMask,
    Observation,
};

use super::child::{ChildProcess, Ended, IoFault};
use super::log::{AdapterLog, Direction, JobLabel};
use super::options::ExecOptions;
use super::protocol::{
    self, Answer, ControlAnswer, HelloAnswer, MAX_LINE_BYTES, PROTOCOL_VERSION, ReadyMonitors, Reply,
    decode_reply, quote,
};
use super::spec::ExecCommand;
use super::{AdapterSetupError, EXIT_GRACE};

/// Where in the protocol a fault happened, for its message.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Hello,
    Reset,
    Step(u64),
}

impl Phase {
    fn at(self) -> String {
        match self {
            Phase::Hello => "in answer to hello".to_owned(),
            Phase::Reset => "in answer to reset".to_owned(),
            Phase::Step(n) => format!("at step {n}"),
        }
    }

    fn timeout(self, limit: Duration) -> String {
        let limit = format_limit(limit);
        match self {
            Phase::Hello => format!("timeout waiting for hello (limit {limit})"),
            Phase::Reset => format!("timeout waiting for ready (limit {limit})"),
            Phase::Step(n) => format!("timeout at step {n} (limit {limit})"),
        }
    }
}

/// `1 s`, `300 ms`, `1.5 s`.
fn format_limit(limit: Duration) -> String {
    if limit.subsec_nanos() == 0 {
        format!("{} s", limit.as_secs())
    } else if limit < Duration::from_secs(1) && limit.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{} ms", limit.as_millis())
    } else {
        format!("{} s", limit.as_secs_f64())
    }
}

/// A request that got no usable answer.
enum ExchangeError {
    /// The process is gone (killed or exited); the job is an error.
    Fault(AdapterFault),
    /// The adapter answered `{"type":"error"}`; the process is kept.
    Reported(Option<String>),
}

/// Why a fresh process could not be brought up.
pub(crate) enum HandshakeError {
    Spawn(std::io::Error),
    Failed(AdapterFault),
    Refused(Option<String>),
    Version(u64),
}

/// Cumulative cost of [`ExecAdapter::step`] round trips.
///
/// `total` runs from the call to the return; `waiting` is the part spent
/// blocked in `poll(2)` on the adapter's pipes (the adapter's own work and
/// the scheduler's wake-up). The rest, [`RoundTripStats::engine`], is
/// Gauntlet's share: serialising, writing, reading, parsing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundTripStats {
    /// Steps timed.
    pub steps: u64,
    /// Wall time inside `step`.
    pub total: Duration,
    /// Of which blocked waiting for the adapter.
    pub waiting: Duration,
}

impl RoundTripStats {
    /// Gauntlet's own share of the round trips.
    pub fn engine(&self) -> Duration {
        self.total.saturating_sub(self.waiting)
    }
}

/// An autonomy stack in a child process, speaking the stdio JSON-lines
/// protocol v1 (`docs/adapter-protocol.md`).
///
/// The process is started at the first [`reset`](AutonomyAdapter::reset) (or
/// handed over by [`AdapterFactory::preflight`](super::AdapterFactory::preflight))
/// and reused, job after job. Every misbehaviour turns the current job into an
/// [`AdapterFault`]; one that leaves the process in an unknown state (timeout,
/// exit, a bad line) also kills it, and the next `reset` starts a fresh one.
/// An `error` answer keeps the process. Dropping the adapter closes the
/// process's stdin, waits up to 2 s, then kills its process group.
pub struct ExecAdapter {
    command: Arc<ExecCommand>,
    options: ExecOptions,
    log: Option<Arc<AdapterLog>>,
    info: AdapterInfo,
    process: Option<ChildProcess>,
    job: Option<JobLabel>,
    /// `reset` was answered (`ready` or `error`) and `end` is owed.
    in_job: bool,
    /// The request being sent, reused from step to step.
    out: Vec<u8>,
    stats: RoundTripStats,
    /// The monitors the adapter declared at this job's `ready` (protocol 1.1).
    monitors: Vec<String>,
    /// Those active after the last `control`.
    active: MonitorMask,
}

impl ExecAdapter {
    /// An adapter for `command`; nothing is started yet. Opens (truncates)
    /// `options.adapter_log` if set: adapters that must share one log come
    /// from one [`AdapterFactory`](super::AdapterFactory).
    pub fn new(command: ExecCommand, options: ExecOptions) -> Result<Self, AdapterSetupError> {
        let log = open_log(options.adapter_log.as_deref())?;
        Ok(Self::with_parts(Arc::new(command), options, log, None, None))
    }

    pub(crate) fn with_parts(
        command: Arc<ExecCommand>,
        options: ExecOptions,
        log: Option<Arc<AdapterLog>>,
        info: Option<AdapterInfo>,
        process: Option<ChildProcess>,
    ) -> Self {
        let info = info.unwrap_or_else(|| AdapterInfo {
            name: Path::new(command.program())
                .file_name()
                .map_or_else(|| command.program().to_owned(), |name| name.to_string_lossy().into_owned()),
            version: "unknown".to_owned(),
        });
        Self {
            command,
            options,
            log,
            info,
            process,
            job: None,
            in_job: false,
            out: Vec::with_capacity(4096),
            stats: RoundTripStats::default(),
            monitors: Vec::new(),
            active: MonitorMask::NONE,
        }
    }

    /// The id of the current adapter process, if one is running.
    pub fn pid(&self) -> Option<u32> {
        self.process.as_ref().map(ChildProcess::pid)
    }

    /// The cost of the `step` round trips so far.
    pub fn round_trip_stats(&self) -> RoundTripStats {
        self.stats
    }

    /// Starts counting [`ExecAdapter::round_trip_stats`] afresh.
    pub fn reset_round_trip_stats(&mut self) {
        self.stats = RoundTripStats::default();
    }

    pub(crate) fn take_process(&mut self) -> Option<ChildProcess> {
        self.process.take()
    }

    /// Spawns a process and does the `hello` handshake.
    pub(crate) fn start_process(&mut self) -> Result<(), HandshakeError> {
        let process = ChildProcess::spawn(&self.command).map_err(HandshakeError::Spawn)?;
        self.process = Some(process);
        protocol::encode_hello(&mut self.out).map_err(|e| HandshakeError::Failed(self.encode_fault(e)))?;
        let mut waited = Duration::ZERO;
        let hello = match self.exchange::<HelloAnswer>(
            Phase::Hello,
            self.options.startup_timeout,
            Instant::now(),
            &mut waited,
        ) {
            Ok(hello) => hello,
            Err(ExchangeError::Fault(fault)) => return Err(HandshakeError::Failed(fault)),
            Err(ExchangeError::Reported(message)) => {
                self.discard_process();
                return Err(HandshakeError::Refused(message));
            }
        };
        if hello.protocol != PROTOCOL_VERSION {
            self.discard_process();
            return Err(HandshakeError::Version(hello.protocol));
        }
        self.info = AdapterInfo { name: hello.name, version: hello.version };
        Ok(())
    }

    /// The mask of the active monitors `names` of a `control`; a name not
    /// declared at `ready` is a protocol fault (the process is kept: the
    /// line was valid JSON).
    fn monitor_mask(&self, names: &[String], phase: Phase) -> Result<MonitorMask, AdapterFault> {
        let mut mask = MonitorMask::NONE;
        for name in names {
            let Some(i) = self.monitors.iter().position(|m| m == name) else {
                return Err(AdapterFault::new(
                    AdapterFaultKind::Protocol,
                    format!(
                        "`control` {} names monitor {name:?}, which `ready` did not declare (declared: {:?})",
                        phase.at(),
                        self.monitors
                    ),
                ));
            };
            mask = mask.with(i, true);
        }
        Ok(mask)
    }

    fn discard_process(&mut self) {
        if let Some(process) = self.process.take() {
            process.kill();
        }
        self.in_job = false;
    }

    fn encode_fault(&mut self, error: serde_json::Error) -> AdapterFault {
        self.discard_process();
        AdapterFault::new(
            AdapterFaultKind::Protocol,
            format!("failed to encode a request to the adapter: {error}"),
        )
    }

    /// Sends the request in `self.out` and reads the answer, of type `T`, before
    /// `timeout` after `started`. Time blocked on the pipes is added to `waited`.
    fn exchange<T: Answer>(
        &mut self,
        phase: Phase,
        timeout: Duration,
        started: Instant,
        waited: &mut Duration,
    ) -> Result<T, ExchangeError> {
        let deadline = started + timeout;
        let Some(process) = self.process.as_mut() else {
            return Err(ExchangeError::Fault(AdapterFault::new(
                AdapterFaultKind::Exited,
                format!("no adapter process {}", phase.at()),
            )));
        };
        if let Some(log) = &self.log {
            log.record(process.pid(), self.job.as_ref(), Direction::ToAdapter, &self.out);
        }
        let read =
            process.send(&self.out, deadline, waited).and_then(|()| process.read_line(deadline, waited));
        let line = match read {
            Ok(range) => &process.buffer()[range],
            Err(fault) => return Err(ExchangeError::Fault(self.io_fault(phase, fault, timeout))),
        };
        if let Some(log) = &self.log {
            log.record(process.pid(), self.job.as_ref(), Direction::FromAdapter, line);
        }
        let problem = match decode_reply::<T>(line) {
            Ok(Reply::Answer(_)) if process.has_buffered_output() => {
                format!("unexpected output after the answer {}", phase.at())
            }
            Ok(Reply::Answer(answer)) => return Ok(answer),
            Ok(Reply::Error { message }) => return Err(ExchangeError::Reported(message)),
            Ok(Reply::Unexpected { kind }) => format!("expected `{}` {}, got `{kind}`", T::TYPE, phase.at()),
            Err(e) => format!("{e} {}", phase.at()),
        };
        let message = format!("{problem}; line: {}", quote(line));
        Err(ExchangeError::Fault(self.kill_for(AdapterFaultKind::Protocol, message)))
    }

    /// Kills the process and makes a fault of `message` plus its stderr tail.
    fn kill_for(&mut self, kind: AdapterFaultKind, mut message: String) -> AdapterFault {
        if let Some(process) = self.process.take() {
            append_stderr(&mut message, &process.kill());
        }
        self.in_job = false;
        AdapterFault::new(kind, message)
    }

    fn io_fault(&mut self, phase: Phase, fault: IoFault, timeout: Duration) -> AdapterFault {
        match fault {
            IoFault::Timeout => self.kill_for(AdapterFaultKind::Timeout, phase.timeout(timeout)),
            IoFault::TooLong => {
                let head = self.process.as_ref().map(|p| quote(p.partial_line())).unwrap_or_default();
                let message =
                    format!("line longer than {} MiB {}; line: {head}", MAX_LINE_BYTES >> 20, phase.at());
                self.kill_for(AdapterFaultKind::Protocol, message)
            }
            IoFault::Closed => {
                self.in_job = false;
                let Some(process) = self.process.take() else {
                    return AdapterFault::new(
                        AdapterFaultKind::Exited,
                        format!("adapter exited {}", phase.at()),
                    );
                };
                let ended = process.collect_exit(EXIT_GRACE);
                let mut message = match (&ended.status, ended.killed) {
                    (Some(status), false) => format!("adapter exited ({status}) {}", phase.at()),
                    (None, false) => format!("adapter exited {}", phase.at()),
                    (_, true) => format!(
                        "adapter closed its stdout {} and was still running {} later; killed",
                        phase.at(),
                        format_limit(EXIT_GRACE)
                    ),
                };
                append_stderr(&mut message, &ended);
                AdapterFault::new(AdapterFaultKind::Exited, message)
            }
            IoFault::Io(e) => self.kill_for(
                AdapterFaultKind::Exited,
                format!("failed to talk to the adapter {}: {e}", phase.at()),
            ),
        }
    }

    fn reported(phase: Phase, message: Option<String>) -> AdapterFault {
        let message = match message {
            Some(message) => format!("adapter reported an error {}: {message}", phase.at()),
            None => format!("adapter reported an error {} (without a message)", phase.at()),
        };
        AdapterFault::new(AdapterFaultKind::Reported, message)
    }
}

impl HandshakeError {
    /// The fault this makes of a job that needed a fresh process.
    fn into_fault(self, command: &ExecCommand) -> AdapterFault {
        match self {
            HandshakeError::Spawn(e) => AdapterFault::new(
                AdapterFaultKind::Spawn,
                format!("failed to start adapter `{command}`: {e}"),
            ),
            HandshakeError::Failed(fault) => fault,
            HandshakeError::Refused(message) => ExecAdapter::reported(Phase::Hello, message),
            HandshakeError::Version(found) => AdapterFault::new(
                AdapterFaultKind::Protocol,
                format!("adapter speaks protocol {found}; this gauntlet speaks protocol {PROTOCOL_VERSION}"),
            ),
        }
    }
}

fn append_stderr(message: &mut String, ended: &Ended) {
    if ended.stderr.is_empty() {
        message.push_str("; stderr: (empty)");
    } else {
        let _ = write!(message, "; stderr tail:\n{}", ended.stderr);
    }
}

pub(crate) fn open_log(path: Option<&Path>) -> Result<Option<Arc<AdapterLog>>, AdapterSetupError> {
    path.map(|path| {
        AdapterLog::create(path)
            .map(Arc::new)
            .map_err(|source| AdapterSetupError::Log { path: path.to_owned(), source })
    })
    .transpose()
}

impl AutonomyAdapter for ExecAdapter {
    fn info(&self) -> AdapterInfo {
        self.info.clone()
    }

    fn reset(&mut self, job: &JobStart) -> Result<(), AdapterFault> {
        if self.in_job {
            // The previous job was never ended: the adapter is owed its `end`.
            self.end(JobEnd::Error);
        }
        self.job = Some(JobLabel { scenario: job.scenario.clone(), seed: job.seed });
        // Output nobody asked for, or a closed stdout, belongs to an earlier
        // job: start this one on a fresh process rather than blame it.
        if self.process.as_ref().is_some_and(ChildProcess::has_unsolicited_output) {
            self.discard_process();
        }
        if self.process.is_none() {
            self.start_process().map_err(|e| e.into_fault(&self.command))?;
        }
        protocol::encode_reset(&mut self.out, job).map_err(|e| self.encode_fault(e))?;
        let mut waited = Duration::ZERO;
        self.monitors.clear();
        self.active = MonitorMask::NONE;
        match self.exchange::<ReadyMonitors>(
            Phase::Reset,
            self.options.startup_timeout,
            Instant::now(),
            &mut waited,
        ) {
            Ok(ReadyMonitors { monitors }) => {
                self.monitors = monitors;
                self.in_job = true;
                Ok(())
            }
            Err(ExchangeError::Reported(message)) => {
                self.in_job = true;
                Err(Self::reported(Phase::Reset, message))
            }
            Err(ExchangeError::Fault(fault)) => Err(fault),
        }
    }

    fn step(&mut self, observation: &Observation) -> Result<Control, AdapterFault> {
        let started = Instant::now();
        let phase = Phase::Step(observation.step);
        if !self.in_job {
            return Err(AdapterFault::new(
                AdapterFaultKind::Exited,
                format!("no job in progress {}: `reset` failed or was not called", phase.at()),
            ));
        }
        protocol::encode_observe(&mut self.out, observation).map_err(|e| self.encode_fault(e))?;
        let mut waited = Duration::ZERO;
        let reply = self.exchange::<ControlAnswer>(phase, self.options.step_timeout, started, &mut waited);
        self.stats.steps += 1;
        self.stats.total += started.elapsed();
        self.stats.waiting += waited;
        match reply {
            Ok(ControlAnswer { control, monitors }) => {
                self.active = self.monitor_mask(&monitors, phase)?;
                Ok(control)
            }
            Err(ExchangeError::Reported(message)) => Err(Self::reported(phase, message)),
            Err(ExchangeError::Fault(fault)) => Err(fault),
        }
    }

    fn monitor_names(&self) -> Vec<String> {
        self.monitors.clone()
    }

    fn active_monitors(&self) -> MonitorMask {
        self.active
    }

    fn end(&mut self, outcome: JobEnd) {
        if !std::mem::take(&mut self.in_job) {
            return;
        }
        let Some(process) = self.process.as_mut() else {
            return;
        };
        if protocol::encode_end(&mut self.out, outcome).is_err() {
            self.discard_process();
            return;
        }
        if let Some(log) = &self.log {
            log.record(process.pid(), self.job.as_ref(), Direction::ToAdapter, &self.out);
        }
        let mut waited = Duration::ZERO;
        let deadline = Instant::now() + self.options.step_timeout;
        if process.send(&self.out, deadline, &mut waited).is_err() {
            // An adapter that cannot take `end` is in an unknown state; the
            // next job gets a fresh one.
            self.discard_process();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_naturally() {
        assert_eq!(format_limit(Duration::from_secs(1)), "1 s");
        assert_eq!(format_limit(Duration::from_secs(30)), "30 s");
        assert_eq!(format_limit(Duration::from_millis(300)), "300 ms");
        assert_eq!(format_limit(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn phases_name_the_step() {
        assert_eq!(Phase::Step(12).timeout(Duration::from_secs(1)), "timeout at step 12 (limit 1 s)");
        assert_eq!(Phase::Reset.timeout(Duration::from_secs(30)), "timeout waiting for ready (limit 30 s)");
        assert_eq!(Phase::Hello.at(), "in answer to hello");
    }
}
