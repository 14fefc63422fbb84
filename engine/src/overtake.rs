//! The scripted overtake: move out to a passing lane, pass the vehicle that
//! was ahead, move back in front of it, keep lane.
//!
//! The overtaken vehicle is the nearest road user ahead on the actor's path
//! within its lane when the overtake starts. While moving out and passing,
//! the actor follows (IDM) only whoever is in the passing lane — on a two-way
//! road it does not see oncoming traffic at all (different path), which is
//! the hazard overtaking scenarios test. It moves back once it is `gap`
//! metres ahead of the overtaken vehicle, bumper to bumper. Both the choice
//! of the overtaken vehicle and that gap are measured along the lane of the
//! actor's own path ([`crate::road::lane_gap`]).

use crate::math::{PI, cos};
use crate::road::{Path, lane_gap};
use crate::world::BodyState;

/// Where an overtake is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Phase {
    /// No overtake running.
    #[default]
    Idle,
    /// Moving to the passing lane.
    Out,
    /// In the passing lane, not yet far enough ahead.
    Pass,
    /// Moving back to the home lane.
    Back,
    /// Back in the home lane.
    Done,
}

/// State of a running overtake.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct OvertakeState {
    pub phase: Phase,
    /// Lateral offset of the lane it started in (and returns to), m.
    pub home_d: f64,
    /// Lateral offset of the passing lane, m.
    pub pass_d: f64,
    /// When the current phase started, s.
    pub since: f64,
    /// Body index of the overtaken vehicle, if there was one ahead.
    pub target: Option<usize>,
}

fn smooth(from: f64, to: f64, p: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    from + (to - from) * 0.5 * (1.0 - cos(PI * p))
}

impl OvertakeState {
    /// Starts an overtake by body `me` (on `path`, its own) from its lane at
    /// `home_d` to `pass_d`.
    pub(crate) fn start(
        bodies: &[BodyState],
        me: usize,
        home_d: f64,
        pass_d: f64,
        t: f64,
        path: &Path,
    ) -> Self {
        let s = &bodies[me];
        let mut target: Option<(usize, f64)> = None;
        for (j, o) in bodies.iter().enumerate() {
            if j == me || o.path != s.path || o.own.s <= s.own.s {
                continue;
            }
            if (o.own.d - home_d).abs() >= 0.5 * (s.width + o.width) + 0.2 {
                continue;
            }
            let gap = lane_gap(path, &s.own, &o.own, s.length, o.length);
            if target.is_none_or(|(_, best)| gap < best) {
                target = Some((j, gap));
            }
        }
        Self { phase: Phase::Out, home_d, pass_d, since: t, target: target.map(|(j, _)| j) }
    }

    /// Advances the phase and returns this step's lateral reference, m.
    pub(crate) fn d_ref(
        &mut self,
        t: f64,
        duration: f64,
        gap: f64,
        bodies: &[BodyState],
        me: usize,
        path: &Path,
    ) -> f64 {
        let duration = duration.max(1e-3);
        if self.phase == Phase::Out && t - self.since >= duration {
            self.phase = Phase::Pass;
            self.since = t;
        }
        if self.phase == Phase::Pass && self.passed(bodies, me, gap, path) {
            self.phase = Phase::Back;
            self.since = t;
        }
        if self.phase == Phase::Back && t - self.since >= duration {
            self.phase = Phase::Done;
        }
        match self.phase {
            Phase::Idle | Phase::Done => self.home_d,
            Phase::Out => smooth(self.home_d, self.pass_d, (t - self.since) / duration),
            Phase::Pass => self.pass_d,
            Phase::Back => smooth(self.pass_d, self.home_d, (t - self.since) / duration),
        }
    }

    /// The lateral corridor in which it follows a leader: the passing lane
    /// while moving out and passing (the overtaken vehicle is not followed),
    /// else between where it is and where it is going.
    pub(crate) fn corridor(&self, me_d: f64, d_ref: f64) -> (f64, f64) {
        match self.phase {
            Phase::Out | Phase::Pass => (self.pass_d, self.pass_d),
            _ => (me_d, d_ref),
        }
    }

    /// Whether it is `gap` metres ahead of the overtaken vehicle (or had
    /// none), bumper to bumper along the lane between them.
    fn passed(&self, bodies: &[BodyState], me: usize, gap: f64, path: &Path) -> bool {
        let Some(o) = self.target.and_then(|j| bodies.get(j)) else { return true };
        let s = &bodies[me];
        s.own.s > o.own.s && lane_gap(path, &o.own, &s.own, o.length, s.length) >= gap
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::V2;
    use crate::road::SegmentSpec;
    use crate::testing::body_at;

    /// A 400 m reference path of curvature `k` (0: straight).
    fn path(k: f64) -> Path {
        Path::new(V2::new(0.0, 0.0), 0.0, &[SegmentSpec::new(400.0, k)])
    }

    #[test]
    fn overtake_moves_out_passes_and_moves_back() {
        let p = path(0.0);
        // Actor (index 1) at s = 0 in lane 0, slow vehicle (index 2) 20 m ahead.
        let mut bodies = vec![body_at(-100.0, 0.0, 0.0), body_at(0.0, 0.0, 20.0), body_at(20.0, 0.0, 10.0)];
        let mut o = OvertakeState::start(&bodies, 1, 0.0, 3.5, 0.0, &p);
        assert_eq!(o.target, Some(2), "the vehicle ahead in its lane is overtaken");
        assert_eq!(o.corridor(0.0, 0.0), (3.5, 3.5), "it does not follow the overtaken vehicle");
        let mid = o.d_ref(1.0, 2.0, 5.0, &bodies, 1, &p);
        assert!((mid - 1.75).abs() < 1e-9, "half way out after half the duration: {mid}");
        assert_eq!(o.d_ref(2.0, 2.0, 5.0, &bodies, 1, &p), 3.5);
        assert_eq!(o.phase, Phase::Pass);
        // Alongside, then 4 m ahead: still passing (gap 5 m).
        bodies[1].own.s = 28.5;
        assert_eq!(o.d_ref(3.0, 2.0, 5.0, &bodies, 1, &p), 3.5);
        assert_eq!(o.phase, Phase::Pass);
        // 5 m ahead bumper to bumper: moves back over the duration.
        bodies[1].own.s = 29.5;
        assert_eq!(o.d_ref(4.0, 2.0, 5.0, &bodies, 1, &p), 3.5);
        assert_eq!(o.phase, Phase::Back);
        assert!((o.d_ref(5.0, 2.0, 5.0, &bodies, 1, &p) - 1.75).abs() < 1e-9);
        assert_eq!(o.d_ref(6.0, 2.0, 5.0, &bodies, 1, &p), 0.0);
        assert_eq!(o.phase, Phase::Done);
        assert_eq!(o.corridor(0.0, 0.0), (0.0, 0.0));
    }

    #[test]
    fn overtake_without_anyone_ahead_returns_at_once() {
        let p = path(0.0);
        let bodies = vec![body_at(-100.0, 0.0, 0.0), body_at(0.0, 0.0, 20.0), body_at(20.0, 7.0, 10.0)];
        let mut o = OvertakeState::start(&bodies, 1, 0.0, 3.5, 0.0, &p);
        assert_eq!(o.target, None, "a body two lanes away is not overtaken");
        o.d_ref(2.0, 2.0, 5.0, &bodies, 1, &p);
        assert_eq!(o.phase, Phase::Back);
    }

    #[test]
    fn the_gap_to_move_back_is_measured_along_the_lane_of_a_curve() {
        // Left curve of radius 60 m: the line between lane 0 and the passing
        // lane (d = 1.75) is 1.75/60 shorter than the reference line.
        let p = path(1.0 / 60.0);
        let mut bodies = vec![body_at(-100.0, 0.0, 0.0), body_at(0.0, 0.0, 20.0), body_at(20.0, 0.0, 10.0)];
        let mut o = OvertakeState::start(&bodies, 1, 0.0, 3.5, 0.0, &p);
        assert_eq!(o.target, Some(2));
        o.d_ref(2.0, 2.0, 5.0, &bodies, 1, &p);
        assert_eq!(o.phase, Phase::Pass);
        bodies[1].own.d = 3.5;
        // 5 m ahead by reference-line s, but only 9.5 · (1 − 1.75/60) − 4.5 = 4.72 m along the lane.
        bodies[1].own.s = 29.5;
        o.d_ref(3.0, 2.0, 5.0, &bodies, 1, &p);
        assert_eq!(o.phase, Phase::Pass, "not yet 5 m ahead along the lane");
        // 9.9 · (1 − 1.75/60) − 4.5 = 5.11 m along the lane: moves back.
        bodies[1].own.s = 29.9;
        o.d_ref(4.0, 2.0, 5.0, &bodies, 1, &p);
        assert_eq!(o.phase, Phase::Back);
    }
}
