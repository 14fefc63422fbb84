//! False positives: ghost objects that appear in the ego's lane ahead,
//! stand still for their lifetime and vanish, as a radar return off a
//! manhole cover or an overhead sign would.
//!
//! Each step a ghost is born with probability `rate_hz · dt` (a Bernoulli
//! approximation of a Poisson process of `rate_hz` per second), placed on
//! the centre line of the ego's current lane at a distance ahead along that lane drawn
//! uniformly from `[ahead_min, ahead_max]`. It is reported for
//! `max(1, round(lifetime / dt))` steps. At most [`MAX_LIVE_GHOSTS`] live at
//! once; a birth beyond that is skipped (its draws still happen, so the
//! stream stays in step).

use crate::math::V2;
use crate::rng::Stream;

use super::GhostSpec;

/// Most ghosts alive at once (the buffer is allocated once).
pub const MAX_LIVE_GHOSTS: usize = 8;

/// One live ghost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ghost {
    /// Its reported id (fresh, never an actor's).
    pub id: u32,
    /// World position.
    pub pos: V2,
    /// Heading (the route's there), rad.
    pub yaw: f64,
    /// Last step on which it is reported.
    pub last_step: u64,
}

/// The ghosts of one job.
#[derive(Debug, Clone)]
pub(crate) struct GhostField {
    spec: GhostSpec,
    stream: Stream,
    live: Vec<Ghost>,
}

impl GhostField {
    pub(crate) fn new(seed: u64, spec: GhostSpec) -> Self {
        Self {
            spec,
            stream: Stream::new(seed, "perception.ghosts", 0),
            live: Vec::with_capacity(MAX_LIVE_GHOSTS),
        }
    }

    /// Drops the ghosts whose time is up and maybe gives birth to one:
    /// `place(ahead)` turns the drawn distance ahead into a pose (or `None`
    /// where there is no road), `next_id` hands out fresh ids.
    pub(crate) fn advance(
        &mut self,
        step: u64,
        dt: f64,
        place: impl FnOnce(f64) -> Option<(V2, f64)>,
        next_id: &mut u32,
    ) {
        self.live.retain(|g| g.last_step >= step);
        if self.spec.rate_hz <= 0.0 || !self.stream.chance(self.spec.rate_hz * dt) {
            return;
        }
        let u = self.stream.uniform();
        let ahead = self.spec.ahead_min + u * (self.spec.ahead_max - self.spec.ahead_min).max(0.0);
        if self.live.len() >= MAX_LIVE_GHOSTS {
            return;
        }
        let Some((pos, yaw)) = place(ahead) else { return };
        let steps = ((self.spec.lifetime / dt).round() as u64).max(1);
        self.live.push(Ghost { id: *next_id, pos, yaw, last_step: step + steps - 1 });
        *next_id = next_id.wrapping_add(1);
    }

    /// The ghosts reported this step.
    pub(crate) fn live(&self) -> &[Ghost] {
        &self.live
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(rate_hz: f64, lifetime: f64) -> GhostSpec {
        GhostSpec { rate_hz, lifetime, ahead_min: 20.0, ahead_max: 60.0 }
    }

    #[test]
    fn birth_rate_lifetime_and_placement_match_the_settings() {
        let dt = 0.05;
        let mut field = GhostField::new(11, spec(0.5, 0.25));
        let mut next = 1_000_000;
        let steps = 200_000u64;
        let (mut seen, mut aheads) = (0usize, Vec::new());
        let mut first_id = None;
        for step in 0..steps {
            field.advance(
                step,
                dt,
                |a| {
                    aheads.push(a);
                    Some((V2::new(a, 0.0), 0.0))
                },
                &mut next,
            );
            seen += field.live().len();
            first_id = first_id.or(field.live().first().map(|g| g.id));
        }
        let born = (next - 1_000_000) as f64;
        let expected = 0.5 * steps as f64 * dt;
        assert!((born - expected).abs() < 0.05 * expected, "{born} ghosts, expected {expected}");
        // Lifetime 0.25 s = 5 steps each.
        let full = 5 * (next - 1_000_000) as usize;
        assert!(seen <= full && full - seen < 5, "{seen} reports of {full}");
        assert!(aheads.iter().all(|a| (20.0..=60.0).contains(a)));
        let mean = aheads.iter().sum::<f64>() / aheads.len() as f64;
        assert!((mean - 40.0).abs() < 1.0, "mean distance ahead {mean}");
        assert_eq!(first_id, Some(1_000_000), "ids come from the fresh counter");
    }

    #[test]
    fn no_rate_no_ghosts_and_the_buffer_is_bounded() {
        let mut none = GhostField::new(1, spec(0.0, 1.0));
        let mut many = GhostField::new(1, spec(1000.0, 100.0));
        let mut next = 0;
        for step in 0..1000 {
            none.advance(step, 0.05, |a| Some((V2::new(a, 0.0), 0.0)), &mut next);
            many.advance(step, 0.05, |a| Some((V2::new(a, 0.0), 0.0)), &mut next);
            assert!(none.live().is_empty());
            assert!(many.live().len() <= MAX_LIVE_GHOSTS);
        }
        assert_eq!(many.live().len(), MAX_LIVE_GHOSTS);
    }
}
