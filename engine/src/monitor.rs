//! Runtime safety monitors of the stack under test: which of them were
//! active when, recorded as bounded activation intervals.
//!
//! An adapter names its monitors once ([`AutonomyAdapter::monitor_names`],
//! at most [`MAX_MONITORS`]) and after every answer says which are active
//! ([`AutonomyAdapter::active_monitors`], one bit per name). The engine
//! keeps only the edges: a [`MonitorLog`] turns the per-step masks into
//! activation intervals `[on, off)` in steps, at most
//! [`MAX_ACTIVATIONS`] per job (further ones are counted, not stored). Its
//! storage is reserved when the job starts, so the step loop allocates
//! nothing; a step whose mask did not change costs one comparison.
//!
//! Monitors observe, they never act: the log does not reach the world or
//! the trace hash.
//!
//! [`AutonomyAdapter::monitor_names`]: crate::AutonomyAdapter::monitor_names
//! [`AutonomyAdapter::active_monitors`]: crate::AutonomyAdapter::active_monitors

/// Most monitors one adapter can name (one bit each of a [`MonitorMask`]).
pub const MAX_MONITORS: usize = 64;
/// Most activation intervals one job keeps; later ones are only counted.
pub const MAX_ACTIVATIONS: usize = 256;

/// The set of active monitors: bit `i` is the adapter's `i`-th monitor name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MonitorMask(pub u64);

impl MonitorMask {
    /// No monitor active.
    pub const NONE: MonitorMask = MonitorMask(0);

    /// The mask with only monitor `index` active (`index < 64`).
    pub const fn only(index: usize) -> MonitorMask {
        MonitorMask(1 << index)
    }

    /// This mask with monitor `index` set to `active`.
    pub const fn with(self, index: usize, active: bool) -> MonitorMask {
        if active { MonitorMask(self.0 | (1 << index)) } else { MonitorMask(self.0 & !(1 << index)) }
    }

    /// Whether monitor `index` is active.
    pub const fn contains(self, index: usize) -> bool {
        index < MAX_MONITORS && self.0 & (1 << index) != 0
    }
}

/// One activation of one monitor: active from step `on` up to, not
/// including, step `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activation {
    /// Index of the monitor in the adapter's names.
    pub monitor: u8,
    /// First step whose answer had it active.
    pub on: u64,
    /// First step whose answer had it inactive again, or the step count when
    /// it was still active at the end.
    pub off: u64,
}

/// The monitors' activations of one job, in the order they ended (ties:
/// by monitor index).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitorRun {
    /// The adapter's monitor names; empty when it reports none.
    pub names: Vec<String>,
    /// The activations kept (at most [`MAX_ACTIVATIONS`]).
    pub activations: Vec<Activation>,
    /// Per name: activations not kept because the job already had
    /// [`MAX_ACTIVATIONS`].
    pub dropped: Vec<u64>,
    /// The step, s: step `k` is time `k × dt`.
    pub dt: f64,
}

/// Turns per-step masks into activation intervals (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct MonitorLog {
    current: u64,
    onset: [u64; MAX_MONITORS],
    activations: Vec<Activation>,
    dropped: [u64; MAX_MONITORS],
}

impl MonitorLog {
    /// An empty log with room for [`MAX_ACTIVATIONS`].
    pub(crate) fn new() -> Self {
        Self {
            current: 0,
            onset: [0; MAX_MONITORS],
            activations: Vec::with_capacity(MAX_ACTIVATIONS),
            dropped: [0; MAX_MONITORS],
        }
    }

    /// The mask the adapter answered step `step` with.
    pub(crate) fn observe(&mut self, step: u64, mask: MonitorMask) {
        let changed = self.current ^ mask.0;
        if changed == 0 {
            return;
        }
        let mut bits = changed;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if mask.0 & (1 << i) != 0 {
                self.onset[i] = step;
            } else {
                self.close(i, step);
            }
        }
        self.current = mask.0;
    }

    fn close(&mut self, i: usize, off: u64) {
        if self.activations.len() < MAX_ACTIVATIONS {
            self.activations.push(Activation { monitor: i as u8, on: self.onset[i], off });
        } else {
            self.dropped[i] += 1;
        }
    }

    /// Closes what is still active at step count `end` and names the
    /// monitors (at most [`MAX_MONITORS`] names are kept).
    pub(crate) fn finish(mut self, end: u64, dt: f64, mut names: Vec<String>) -> MonitorRun {
        names.truncate(MAX_MONITORS);
        let mut bits = self.current;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            self.close(i, end);
        }
        let dropped = self.dropped[..names.len()].to_vec();
        MonitorRun { names, activations: self.activations, dropped, dt }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(bits: &[usize]) -> MonitorMask {
        bits.iter().fold(MonitorMask::NONE, |m, &i| m.with(i, true))
    }

    #[test]
    fn edges_become_intervals() {
        let mut log = MonitorLog::new();
        let steps: [&[usize]; 8] = [&[], &[0], &[0, 2], &[2], &[], &[], &[0], &[0]];
        for (step, bits) in steps.iter().enumerate() {
            log.observe(step as u64, mask(bits));
        }
        let run = log.finish(8, 0.1, vec!["a".into(), "b".into(), "c".into()]);
        assert_eq!(
            run.activations,
            vec![
                Activation { monitor: 0, on: 1, off: 3 },
                Activation { monitor: 2, on: 2, off: 4 },
                Activation { monitor: 0, on: 6, off: 8 },
            ]
        );
        assert_eq!(run.dropped, vec![0, 0, 0]);
    }

    #[test]
    fn bounded_and_counted() {
        let mut log = MonitorLog::new();
        let capacity = log.activations.capacity();
        for step in 0..(2 * MAX_ACTIVATIONS as u64 + 10) {
            log.observe(step, if step % 2 == 0 { MonitorMask::only(5) } else { MonitorMask::NONE });
        }
        assert_eq!(log.activations.capacity(), capacity, "no growth in the step loop");
        let names = (0..6).map(|i| i.to_string()).collect();
        let run = log.finish(1000, 0.1, names);
        assert_eq!(run.activations.len(), MAX_ACTIVATIONS);
        assert_eq!(run.dropped, vec![0, 0, 0, 0, 0, 5]);
        assert!(MonitorMask::only(63).contains(63) && !MonitorMask::only(63).contains(64));
    }
}
