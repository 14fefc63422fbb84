//! One adapter process: spawning, deadline-bounded line I/O, and ending it.
//!
//! The engine's side of a round trip stays on the calling thread: requests are
//! written to a non-blocking stdin, answers read from a non-blocking stdout
//! after `poll(2)` says there is something, into a buffer reused from step to
//! step. Only stderr has a thread of its own ([`StderrTail`]).

use std::io;
use std::ops::Range;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustix::buffer::spare_capacity;
use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process_group, waitid};

use super::protocol::MAX_LINE_BYTES;
use super::registry;
use super::spec::ExecCommand;
use super::stderr_tail::StderrTail;

/// How long the stderr thread gets to read an ended adapter's last words.
const STDERR_SETTLE: Duration = Duration::from_millis(200);
/// Smallest free room in the read buffer before a read.
const MIN_READ: usize = 16 * 1024;

/// Why a request could not be written or an answer read.
#[derive(Debug)]
pub(crate) enum IoFault {
    /// The deadline passed.
    Timeout,
    /// stdout reached end of file, or stdin's reader is gone.
    Closed,
    /// More than [`MAX_LINE_BYTES`] without a newline.
    TooLong,
    /// Any other failure of the pipes.
    Io(io::Error),
}

impl From<Errno> for IoFault {
    fn from(errno: Errno) -> Self {
        if errno == Errno::PIPE { IoFault::Closed } else { IoFault::Io(errno.into()) }
    }
}

/// How an adapter process ended.
#[derive(Debug)]
pub(crate) struct Ended {
    /// Its exit status, once reaped.
    pub(crate) status: Option<ExitStatus>,
    /// It was still running when Gauntlet killed it.
    pub(crate) killed: bool,
    /// The tail of its stderr.
    pub(crate) stderr: String,
}

/// A running adapter process (the leader of its own process group).
pub(crate) struct ChildProcess {
    child: Child,
    pid: Pid,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    /// Answer bytes read but not consumed: `buf[start..]`.
    buf: Vec<u8>,
    start: usize,
    /// `buf[..scanned]` holds no newline after `start`.
    scanned: usize,
    stderr: Arc<StderrTail>,
    reaped: bool,
}

impl ChildProcess {
    /// Starts `command` with piped stdio, in a new process group, killed by the
    /// kernel if the spawning thread dies.
    ///
    /// `PR_SET_PDEATHSIG` fires when the *thread* that spawned the process
    /// exits, so an adapter must be started on a thread that outlives it (a
    /// worker that keeps its adapter, or the main thread).
    pub(crate) fn spawn(command: &ExecCommand) -> io::Result<Self> {
        let mut cmd = Command::new(command.program());
        cmd.args(command.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        #[cfg(target_os = "linux")]
        {
            let parent = rustix::process::getpid();
            let die_with_parent = move || -> io::Result<()> {
                rustix::process::set_parent_process_death_signal(Some(Signal::KILL))?;
                // The parent may have died before the line above took effect.
                if rustix::process::getppid() != Some(parent) {
                    return Err(io::Error::other("gauntlet exited while starting the adapter"));
                }
                Ok(())
            };
            // SAFETY: the closure only makes the async-signal-safe system calls
            // prctl(2) and getppid(2) and allocates nothing on success.
            unsafe {
                cmd.pre_exec(die_with_parent);
            }
        }
        let mut child = cmd.spawn()?;
        let pid = Pid::from_child(&child);
        registry::register(pid);
        let pipes = (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let (Some(stdin), Some(stdout), Some(stderr)) = pipes else {
            kill_and_reap(&mut child, pid);
            return Err(io::Error::other("adapter process started without its stdio pipes"));
        };
        let prepared = rustix::io::ioctl_fionbio(&stdin, true)
            .and_then(|()| rustix::io::ioctl_fionbio(&stdout, true))
            .map_err(io::Error::from)
            .and_then(|()| StderrTail::spawn(stderr));
        match prepared {
            Ok(stderr) => Ok(Self {
                child,
                pid,
                stdin: Some(stdin),
                stdout,
                buf: Vec::with_capacity(64 * 1024),
                start: 0,
                scanned: 0,
                stderr,
                reaped: false,
            }),
            Err(e) => {
                kill_and_reap(&mut child, pid);
                Err(e)
            }
        }
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes all of `bytes` to the adapter's stdin before `deadline`.
    /// Time spent waiting for the pipe is added to `waited`.
    pub(crate) fn send(
        &mut self,
        bytes: &[u8],
        deadline: Instant,
        waited: &mut Duration,
    ) -> Result<(), IoFault> {
        let Some(stdin) = &self.stdin else {
            return Err(IoFault::Closed);
        };
        let mut written = 0;
        while written < bytes.len() {
            match rustix::io::write(stdin, &bytes[written..]) {
                Ok(n) => written += n,
                Err(Errno::INTR) => {}
                Err(Errno::AGAIN) => wait_for(stdin, PollFlags::OUT, deadline, waited)?,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Reads the next line (without its newline) before `deadline`, returning
    /// its range in [`ChildProcess::buffer`]. Time spent waiting for the adapter
    /// is added to `waited`.
    pub(crate) fn read_line(
        &mut self,
        deadline: Instant,
        waited: &mut Duration,
    ) -> Result<Range<usize>, IoFault> {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            self.scanned = 0;
        }
        loop {
            let from = self.scanned.max(self.start);
            if let Some(offset) = self.buf[from..].iter().position(|&b| b == b'\n') {
                let end = from + offset;
                if end - self.start > MAX_LINE_BYTES {
                    // Leave `start` on the line, for `partial_line` to quote.
                    return Err(IoFault::TooLong);
                }
                let line = self.start..end;
                self.start = end + 1;
                self.scanned = self.start;
                return Ok(line);
            }
            self.scanned = self.buf.len();
            if self.buf.len() - self.start > MAX_LINE_BYTES {
                return Err(IoFault::TooLong);
            }
            self.make_room();
            // Poll first: right after a request the answer is rarely there yet,
            // and a read that fails with EAGAIN would be a wasted system call.
            wait_for(&self.stdout, PollFlags::IN, deadline, waited)?;
            match rustix::io::read(&self.stdout, spare_capacity(&mut self.buf)) {
                Ok(0) => return Err(IoFault::Closed),
                Ok(_) | Err(Errno::INTR | Errno::AGAIN) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn make_room(&mut self) {
        if self.buf.capacity() - self.buf.len() >= MIN_READ {
            return;
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        if self.buf.capacity() - self.buf.len() < MIN_READ {
            self.buf.reserve(self.buf.capacity().max(MIN_READ));
        }
    }

    /// The bytes read so far; index with a range from [`ChildProcess::read_line`].
    pub(crate) fn buffer(&self) -> &[u8] {
        &self.buf
    }

    /// The start of the unterminated line being read (after [`IoFault::TooLong`]).
    pub(crate) fn partial_line(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Whether bytes past the last line read are already buffered.
    pub(crate) fn has_buffered_output(&self) -> bool {
        self.start < self.buf.len()
    }

    /// Whether the adapter wrote something nobody asked for, or closed its
    /// stdout, since its last answer.
    pub(crate) fn has_unsolicited_output(&self) -> bool {
        if self.has_buffered_output() {
            return true;
        }
        let mut fds = [PollFd::new(&self.stdout, PollFlags::IN)];
        matches!(poll(&mut fds, Some(&Timespec { tv_sec: 0, tv_nsec: 0 })), Ok(n) if n > 0)
    }

    /// Kills the process group now and reaps the adapter.
    pub(crate) fn kill(mut self) -> Ended {
        self.finish(Duration::ZERO, false)
    }

    /// After stdout closed: waits up to `grace` for the adapter to exit, kills
    /// what is left, reaps it.
    pub(crate) fn collect_exit(mut self, grace: Duration) -> Ended {
        self.finish(grace, true)
    }

    /// Ends the process: waits up to `grace` for the leader to exit (without
    /// reaping it, so its pid, and thus the group id, cannot be recycled), kills
    /// the group (leader and any helpers it left), unregisters, reaps.
    fn finish(&mut self, grace: Duration, wait_for_stderr: bool) -> Ended {
        if self.reaped {
            return Ended { status: None, killed: false, stderr: String::new() };
        }
        self.stdin = None;
        let exited = exited_within(self.pid, grace);
        let _ = kill_process_group(self.pid, Signal::KILL);
        registry::unregister(self.pid);
        let status = self.child.wait().ok();
        self.reaped = true;
        let stderr =
            self.stderr.snapshot(if wait_for_stderr || !exited { STDERR_SETTLE } else { Duration::ZERO });
        Ended { status, killed: !exited, stderr }
    }
}

impl Drop for ChildProcess {
    /// The protocol's shutdown: close stdin, wait up to 2 s, kill.
    fn drop(&mut self) {
        if !self.reaped {
            self.stdin = None;
            self.finish(super::SHUTDOWN_GRACE, false);
        }
    }
}

/// Waits until `fd` is ready for `flags`; [`IoFault::Timeout`] if it is not
/// by `deadline` (readiness is still checked once when the deadline has passed).
fn wait_for(
    fd: &impl std::os::fd::AsFd,
    flags: PollFlags,
    deadline: Instant,
    waited: &mut Duration,
) -> Result<(), IoFault> {
    let started = Instant::now();
    // Longer waits are cut into a day at a time (the caller polls again).
    let left = deadline.saturating_duration_since(started).min(Duration::from_secs(86_400));
    let timeout = Timespec::try_from(left).unwrap_or(Timespec { tv_sec: 86_400, tv_nsec: 0 });
    let mut fds = [PollFd::new(fd, flags)];
    let ready = poll(&mut fds, Some(&timeout));
    let now = Instant::now();
    *waited += now - started;
    match ready {
        Ok(0) if now >= deadline => Err(IoFault::Timeout),
        // Readiness, hang-up and errors are all settled by the next read or write.
        Ok(_) | Err(Errno::INTR) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Whether the leader has exited (zombie or gone) within `grace`; does not reap.
fn exited_within(pid: Pid, grace: Duration) -> bool {
    let deadline = Instant::now() + grace;
    let mut nap = Duration::from_millis(1);
    loop {
        let options = WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT;
        match waitid(WaitId::Pid(pid), options) {
            Ok(Some(_)) => return true,
            Ok(None) => {}
            Err(Errno::INTR) => continue,
            // ECHILD: nothing left to wait for.
            Err(_) => return true,
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        std::thread::sleep(nap.min(deadline - now));
        nap = (nap * 2).min(Duration::from_millis(20));
    }
}

fn kill_and_reap(child: &mut Child, pid: Pid) {
    let _ = kill_process_group(pid, Signal::KILL);
    registry::unregister(pid);
    let _ = child.wait();
}
