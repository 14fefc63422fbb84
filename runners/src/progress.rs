//! The progress bar (stderr, hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

use gauntlet_reports::record::Outcome;

/// Counts and draws progress of a sweep.
pub struct Progress {
    bar: ProgressBar,
    pass: u64,
    fail: u64,
    error: u64,
}

impl Progress {
    /// A bar for `len` jobs; drawn only when stderr is a terminal.
    pub fn new(len: u64) -> Self {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(len), target);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30.cyan/blue} {pos}/{len} [{elapsed_precise} ETA {eta}] {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self { bar, pass: 0, fail: 0, error: 0 }
    }

    /// Counts one finished job.
    pub fn finished(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Error => self.error += 1,
        }
        self.bar.set_message(format!("pass {} fail {} error {}", self.pass, self.fail, self.error));
        self.bar.inc(1);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
