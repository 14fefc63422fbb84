//! Lemire's streaming minimum/maximum over a sliding window: a monotonic
//! deque ("wedge") of (index, value) whose front is the window's extremum.
//! Each value enters and leaves once, so a step costs amortised O(1), and
//! the deque never holds more than the window's length.

use std::collections::VecDeque;

/// Which extremum the wedge keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extremum {
    Min,
    Max,
}

impl Extremum {
    /// Whether `a` is at least as extreme as `b`.
    fn dominates(self, a: f64, b: f64) -> bool {
        match self {
            Extremum::Min => a <= b,
            Extremum::Max => a >= b,
        }
    }
    /// The extremum of an empty window (the identity of min or max).
    pub(crate) fn empty(self) -> f64 {
        match self {
            Extremum::Min => f64::INFINITY,
            Extremum::Max => f64::NEG_INFINITY,
        }
    }
    /// The more extreme of two values.
    pub(crate) fn pick(self, a: f64, b: f64) -> f64 {
        if self.dominates(a, b) { a } else { b }
    }
}

/// A window's running extremum.
#[derive(Debug, Clone)]
pub(crate) struct Wedge {
    kind: Extremum,
    items: VecDeque<(usize, f64)>,
}

impl Wedge {
    /// A wedge for windows of at most `len` values (no allocation after this).
    pub(crate) fn new(kind: Extremum, len: usize) -> Self {
        Self { kind, items: VecDeque::with_capacity(len + 1) }
    }
    /// Adds the value at `index` (indices increase).
    pub(crate) fn push(&mut self, index: usize, value: f64) {
        while self.items.back().is_some_and(|&(_, v)| self.kind.dominates(value, v)) {
            self.items.pop_back();
        }
        self.items.push_back((index, value));
    }
    /// Drops the values before `index`.
    pub(crate) fn expire(&mut self, index: usize) {
        while self.items.front().is_some_and(|&(i, _)| i < index) {
            self.items.pop_front();
        }
    }
    /// The extremum of the values held (the identity when none).
    pub(crate) fn extremum(&self) -> f64 {
        self.items.front().map_or(self.kind.empty(), |&(_, v)| v)
    }
    /// Which extremum it keeps.
    pub(crate) fn extremum_kind(&self) -> Extremum {
        self.kind
    }
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }
    pub(crate) fn capacity(&self) -> usize {
        self.items.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_extrema_match_brute_force() {
        let xs: Vec<f64> = (0..200).map(|i| ((i * 37 % 101) as f64 - 50.0) * 0.5).collect();
        for kind in [Extremum::Min, Extremum::Max] {
            let w = 7;
            let mut wedge = Wedge::new(kind, w);
            let cap = wedge.capacity();
            for (i, &x) in xs.iter().enumerate() {
                wedge.push(i, x);
                wedge.expire((i + 1).saturating_sub(w));
                let lo = (i + 1).saturating_sub(w);
                let brute = xs[lo..=i].iter().copied().fold(kind.empty(), |a, b| kind.pick(a, b));
                assert_eq!(wedge.extremum(), brute);
                assert!(wedge.len() <= w);
            }
            assert_eq!(wedge.capacity(), cap);
        }
    }
}
