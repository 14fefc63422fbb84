//! Bursty dropout: a two-state Markov chain (Gilbert–Elliott) per object.
//!
//! In the *bad* state the object is missing from the list, in the *good*
//! state it is reported (subject to the other faults). The chain leaves the
//! bad state with probability `1 / mean_burst_steps` per step, so bursts last
//! `mean_burst_steps` on average (geometric), and enters it with probability
//! `rate / (1 − rate) / mean_burst_steps`, so that the long-run share of
//! missing steps is `rate`. A `rate` above `mean / (mean + 1)` would need
//! more than one entry per step: the entry probability is capped at 1, which
//! caps the rate there. I.i.d. dropout with probability `p` is the special
//! case `rate = p`, `mean_burst_steps = 1 / (1 − p)`; the separate `dropout`
//! setting stays that i.i.d. model, drawn from its own stream, and both may
//! be on at once (an object is missing when either drops it).

use crate::rng::Stream;

/// One object's Gilbert–Elliott chain.
#[derive(Debug, Clone)]
pub(crate) struct GilbertElliott {
    enter: f64,
    exit: f64,
    bad: bool,
}

impl GilbertElliott {
    /// A chain with long-run missing share `rate` and mean burst length
    /// `mean_burst_steps`, its first state drawn from the stationary law.
    pub(crate) fn new(rate: f64, mean_burst_steps: f64, stream: &mut Stream) -> Self {
        let exit = 1.0 / mean_burst_steps.max(1.0);
        let (enter, exit) = if rate >= 1.0 {
            (1.0, 0.0)
        } else if rate <= 0.0 {
            (0.0, 1.0)
        } else {
            ((rate / (1.0 - rate) * exit).min(1.0), exit)
        };
        let bad = stream.chance(rate);
        Self { enter, exit, bad }
    }

    /// Whether the object is missing now.
    pub(crate) fn is_bad(&self) -> bool {
        self.bad
    }

    /// Advances one step; true when the object is missing this step.
    pub(crate) fn step(&mut self, stream: &mut Stream) -> bool {
        let u = stream.uniform();
        if self.bad {
            if u < self.exit {
                self.bad = false;
            }
        } else if u < self.enter {
            self.bad = true;
        }
        self.bad
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (share of missing steps, mean burst length) over `n` steps.
    fn stats(rate: f64, mean: f64, seed: u64, n: usize) -> (f64, f64) {
        let mut s = Stream::new(seed, "perception.burst", 1);
        let mut chain = GilbertElliott::new(rate, mean, &mut s);
        let (mut missing, mut bursts, mut run) = (0usize, 0usize, 0usize);
        for _ in 0..n {
            if chain.step(&mut s) {
                missing += 1;
                run += 1;
            } else if run > 0 {
                bursts += 1;
                run = 0;
            }
        }
        (missing as f64 / n as f64, missing as f64 / bursts.max(1) as f64)
    }

    #[test]
    fn stationary_rate_and_mean_burst_length_match_the_settings() {
        for (rate, mean) in [(0.2, 5.0), (0.1, 20.0), (0.4, 2.0)] {
            let (share, burst) = stats(rate, mean, 7, 400_000);
            assert!((share - rate).abs() < 0.1 * rate, "rate {rate} mean {mean}: share {share:.4}");
            assert!((burst - mean).abs() < 0.06 * mean, "rate {rate} mean {mean}: mean burst {burst:.3}");
        }
    }

    #[test]
    fn mean_burst_one_over_one_minus_p_is_iid_dropout() {
        // I.i.d. with p = 0.3: missing after a miss as often as after a hit.
        let mut s = Stream::new(3, "perception.burst", 1);
        let mut chain = GilbertElliott::new(0.3, 1.0 / 0.7, &mut s);
        let (mut prev, mut after_miss, mut misses_after_miss, mut after_hit, mut misses_after_hit) =
            (false, 0usize, 0usize, 0usize, 0usize);
        for _ in 0..200_000 {
            let now = chain.step(&mut s);
            if prev {
                after_miss += 1;
                misses_after_miss += now as usize;
            } else {
                after_hit += 1;
                misses_after_hit += now as usize;
            }
            prev = now;
        }
        let (pm, ph) =
            (misses_after_miss as f64 / after_miss as f64, misses_after_hit as f64 / after_hit as f64);
        assert!((pm - 0.3).abs() < 0.01 && (ph - 0.3).abs() < 0.01, "{pm:.4} {ph:.4}");
    }

    #[test]
    fn extreme_rates_are_never_and_always() {
        assert_eq!(stats(0.0, 5.0, 1, 10_000).0, 0.0);
        assert_eq!(stats(1.0, 5.0, 1, 10_000).0, 1.0);
    }

    #[test]
    fn rates_beyond_the_chain_are_capped() {
        // Mean burst 1 step: at most every other step can be missing.
        let (share, _) = stats(0.8, 1.0, 5, 100_000);
        assert!((share - 0.5).abs() < 0.01, "share {share}");
    }
}
