//! Standard output that a closed pipe does not break.
//!
//! `println!` panics when stdout is a pipe whose reader has gone
//! (`gauntlet list | head -1`). The commands print through [`out!`] and
//! [`outln!`] instead: the first failed write (a broken pipe, or any other
//! error: there is nowhere left to say it) closes stdout for the rest of
//! the process, quietly, and the command ends with its own exit code.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes to stdout, unless an earlier write failed; never panics.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if out.write_fmt(args).and_then(|()| out.flush()).is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes to stderr, ignoring errors (a closed stderr must not panic either).
pub fn write_stderr(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// Whether a write to stdout failed (e.g. its reader closed the pipe).
pub fn stdout_closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// `print!` that ends quietly on a closed pipe.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!($($arg)*)) };
}

/// `println!` that ends quietly on a closed pipe.
#[macro_export]
macro_rules! outln {
    () => { $crate::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` that never panics.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::write_stderr(format_args!("{}\n", format_args!($($arg)*))) };
}
