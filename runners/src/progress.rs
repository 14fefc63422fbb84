//! Progress of a sweep on stderr: a bar when stderr is a terminal, plain
//! lines at a steady pace when it is not (a CI log): every
//! [`LINE_INTERVAL`] or every tenth of the jobs, whichever comes first.
//! Wall time here is for people only; it never reaches a simulation.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use gauntlet_reports::record::Outcome;

/// Longest time between two plain progress lines.
pub const LINE_INTERVAL: Duration = Duration::from_secs(10);

/// How progress is shown.
enum Display {
    Bar(ProgressBar),
    Lines { started: Instant, last: Instant, last_tenth: u64 },
}

/// Counts and shows progress of a sweep.
pub struct Progress {
    display: Display,
    len: u64,
    done: u64,
    pass: u64,
    fail: u64,
    error: u64,
}

impl Progress {
    /// Progress of `len` jobs: a bar when stderr is a terminal, lines otherwise.
    pub fn new(len: u64) -> Self {
        let display = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30.cyan/blue} {pos}/{len} [{elapsed_precise} ETA {eta}] {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            Display::Bar(bar)
        } else {
            let now = Instant::now();
            Display::Lines { started: now, last: now, last_tenth: 0 }
        };
        Self { display, len, done: 0, pass: 0, fail: 0, error: 0 }
    }

    /// Counts one finished job.
    pub fn finished(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Error => self.error += 1,
        }
        self.done += 1;
        let counts = format!("pass {} fail {} error {}", self.pass, self.fail, self.error);
        match &mut self.display {
            Display::Bar(bar) => {
                bar.set_message(counts);
                bar.inc(1);
            }
            Display::Lines { started, last, last_tenth } => {
                let tenth = (self.done * 10).checked_div(self.len).unwrap_or(10);
                let now = Instant::now();
                if tenth > *last_tenth || now.duration_since(*last) >= LINE_INTERVAL {
                    *last_tenth = tenth;
                    *last = now;
                    let percent = (self.done * 100).checked_div(self.len).unwrap_or(100);
                    crate::errln!(
                        "progress: {}/{} jobs ({percent}%), {counts}, {}s elapsed",
                        self.done,
                        self.len,
                        now.duration_since(*started).as_secs()
                    );
                }
            }
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
            bar.finish_and_clear();
        }
    }
}
