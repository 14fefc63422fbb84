//! The faults that follow one real object: a bursty-dropout chain, a kind
//! misreported for the whole episode, a constant position bias, and the id
//! it is reported under, which may switch.

use crate::actor::ActorKind;
use crate::rng::Stream;

use super::PerceptionFaults;
use super::burst::GilbertElliott;

const KINDS: [ActorKind; 4] =
    [ActorKind::Vehicle, ActorKind::Pedestrian, ActorKind::Cyclist, ActorKind::Static];

/// One object's fault state, drawn when the job starts.
#[derive(Debug, Clone)]
pub(crate) struct ObjectFaults {
    burst: Option<(GilbertElliott, Stream)>,
    id_stream: Stream,
    /// Missing this step (in a burst).
    pub hidden: bool,
    /// The id it is reported under now.
    pub id: u32,
    /// The kind it is reported as (for the whole episode).
    pub kind: ActorKind,
    /// Position bias along / to the left of the ego's heading, m.
    pub bias: (f64, f64),
}

impl ObjectFaults {
    /// The faults of actor `id` of kind `kind`.
    pub(crate) fn new(seed: u64, faults: &PerceptionFaults, id: u32, kind: ActorKind) -> Self {
        let index = u64::from(id);
        let burst = (faults.burst.rate > 0.0).then(|| {
            let mut s = Stream::new(seed, "perception.burst", index);
            (GilbertElliott::new(faults.burst.rate, faults.burst.mean_burst_steps, &mut s), s)
        });
        let mut class = Stream::new(seed, "perception.class", index);
        let mut reported = kind;
        if class.chance(faults.misclassification) {
            // Uniformly one of the three other kinds.
            let others = KINDS.iter().copied().filter(|k| *k != kind);
            let pick = ((class.uniform() * 3.0) as usize).min(2);
            reported = others.clone().nth(pick).unwrap_or(kind);
        }
        let mut b = Stream::new(seed, "perception.bias", index);
        let bias = (
            (2.0 * b.uniform() - 1.0) * faults.bias.longitudinal,
            (2.0 * b.uniform() - 1.0) * faults.bias.lateral,
        );
        let hidden = burst.as_ref().is_some_and(|(chain, _)| chain.is_bad());
        Self { burst, id_stream: Stream::new(seed, "perception.id", index), hidden, id, kind: reported, bias }
    }

    /// Advances one step: the burst chain, and an id switch with
    /// probability `switch_p` (a fresh id from `next_id`).
    pub(crate) fn advance(&mut self, switch_p: f64, next_id: &mut u32) {
        if let Some((chain, stream)) = &mut self.burst {
            self.hidden = chain.step(stream);
        }
        if switch_p > 0.0 && self.id_stream.chance(switch_p) {
            self.id = *next_id;
            *next_id = next_id.wrapping_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::perception::{BurstDropout, PositionBias};

    #[test]
    fn misclassification_swaps_the_kind_with_its_probability_for_the_episode() {
        let faults = PerceptionFaults { misclassification: 0.3, ..PerceptionFaults::default() };
        let n = 20_000;
        let mut swapped = [0usize; 4];
        for seed in 0..n {
            let o = ObjectFaults::new(seed, &faults, 1, ActorKind::Pedestrian);
            if o.kind != ActorKind::Pedestrian {
                swapped[KINDS.iter().position(|k| *k == o.kind).unwrap_or(1)] += 1;
            }
        }
        let share = swapped.iter().sum::<usize>() as f64 / n as f64;
        assert!((share - 0.3).abs() < 0.015, "swapped share {share}");
        assert_eq!(swapped[1], 0, "never swapped to itself");
        for k in [0, 2, 3] {
            let each = swapped[k] as f64 / n as f64;
            assert!((each - 0.1).abs() < 0.01, "kind {k}: {each}");
        }
        let never = PerceptionFaults::default();
        assert!((0..100).all(|seed| ObjectFaults::new(seed, &never, 1, ActorKind::Cyclist).kind == ActorKind::Cyclist));
    }

    #[test]
    fn bias_is_constant_per_object_and_within_its_bounds() {
        let faults = PerceptionFaults {
            bias: PositionBias { longitudinal: 2.0, lateral: 0.5 },
            ..PerceptionFaults::default()
        };
        let mut next = 1_000_000;
        let mut o = ObjectFaults::new(5, &faults, 3, ActorKind::Vehicle);
        let first = o.bias;
        for _ in 0..100 {
            o.advance(0.0, &mut next);
            assert_eq!(o.bias, first);
        }
        let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
        for seed in 0..2000 {
            let (b, l) = ObjectFaults::new(seed, &faults, 3, ActorKind::Vehicle).bias;
            assert!(b.abs() <= 2.0 && l.abs() <= 0.5);
            lo = lo.min(b);
            hi = hi.max(b);
        }
        assert!(lo < -1.9 && hi > 1.9, "spread over [-2, 2]: {lo} {hi}");
    }

    #[test]
    fn ids_switch_at_their_rate_to_fresh_ids() {
        let faults = PerceptionFaults::default();
        let mut o = ObjectFaults::new(9, &faults, 4, ActorKind::Vehicle);
        let mut next = 1_000_000;
        let (mut switches, mut last) = (0, o.id);
        let n = 100_000;
        for _ in 0..n {
            o.advance(0.01, &mut next);
            if o.id != last {
                assert_eq!(o.id, next - 1, "a fresh id");
                switches += 1;
                last = o.id;
            }
        }
        assert!((switches as f64 - 1000.0).abs() < 100.0, "{switches} switches, expected 1000");
    }

    #[test]
    fn burst_state_only_with_a_rate() {
        let mut next = 0;
        let mut off = ObjectFaults::new(1, &PerceptionFaults::default(), 1, ActorKind::Vehicle);
        let on = PerceptionFaults {
            burst: BurstDropout { rate: 0.5, mean_burst_steps: 10.0 },
            ..PerceptionFaults::default()
        };
        let mut o = ObjectFaults::new(1, &on, 1, ActorKind::Vehicle);
        let mut hidden = 0;
        for _ in 0..10_000 {
            off.advance(0.0, &mut next);
            o.advance(0.0, &mut next);
            assert!(!off.hidden);
            hidden += o.hidden as usize;
        }
        assert!((hidden as f64 / 10_000.0 - 0.5).abs() < 0.1, "{hidden}");
    }
}
