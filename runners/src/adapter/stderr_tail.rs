//! The last bytes an adapter wrote to its stderr, collected continuously.
//!
//! A thread per process drains the pipe as fast as the adapter writes, so an
//! adapter that floods stderr never blocks on a full pipe, and keeps only the
//! tail for fault messages.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::process::ChildStderr;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How much of stderr a fault message quotes.
pub(crate) const TAIL_BYTES: usize = 2048;

#[derive(Default)]
struct State {
    tail: VecDeque<u8>,
    total: u64,
    closed: bool,
}

/// Shared between the draining thread and the adapter.
#[derive(Default)]
pub(crate) struct StderrTail {
    state: Mutex<State>,
    closed: Condvar,
}

impl StderrTail {
    /// Starts draining `stderr` on a thread of its own.
    pub(crate) fn spawn(stderr: ChildStderr) -> io::Result<Arc<Self>> {
        let tail = Arc::new(Self::default());
        let writer = Arc::clone(&tail);
        std::thread::Builder::new()
            .name("gauntlet-adapter-stderr".into())
            .spawn(move || writer.drain(stderr))?;
        Ok(tail)
    }

    fn drain(&self, mut stderr: ChildStderr) {
        let mut chunk = [0u8; 8192];
        loop {
            match stderr.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => self.push(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        self.lock().closed = true;
        self.closed.notify_all();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, bytes: &[u8]) {
        let mut state = self.lock();
        state.total += bytes.len() as u64;
        let keep = &bytes[bytes.len().saturating_sub(TAIL_BYTES)..];
        let overflow = (state.tail.len() + keep.len()).saturating_sub(TAIL_BYTES);
        state.tail.drain(..overflow);
        state.tail.extend(keep);
    }

    /// The tail as text, after waiting up to `wait` for the adapter's last
    /// words (the pipe closes when the process and its children are gone).
    /// Empty when the adapter wrote nothing.
    pub(crate) fn snapshot(&self, wait: Duration) -> String {
        let deadline = Instant::now() + wait;
        let mut state = self.lock();
        while !state.closed {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = self.closed.wait_timeout(state, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        let bytes: Vec<u8> = state.tail.iter().copied().collect();
        let cut = state.total > bytes.len() as u64;
        drop(state);
        let mut start = 0;
        if cut {
            // Skip a character split by the cut.
            while start < bytes.len() && start < 4 && (bytes[start] & 0xC0) == 0x80 {
                start += 1;
            }
        }
        let text = String::from_utf8_lossy(&bytes[start..]);
        let text = text.trim_end();
        if cut { format!("…{text}") } else { text.to_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_tail() {
        let tail = StderrTail::default();
        tail.push(&[b'a'; 3000]);
        tail.push("é end\n".as_bytes());
        tail.lock().closed = true;
        let text = tail.snapshot(Duration::ZERO);
        assert!(text.starts_with('…'), "{text}");
        assert!(text.ends_with("aé end"), "{text}");
        assert!(text.len() <= TAIL_BYTES + '…'.len_utf8(), "{}", text.len());
    }

    #[test]
    fn short_output_is_whole() {
        let tail = StderrTail::default();
        tail.push(b"Traceback\n");
        tail.push(b"  boom\n");
        assert_eq!(tail.snapshot(Duration::from_millis(1)), "Traceback\n  boom");
    }
}
