//! Reactive actors: how far a scripted actor sees when it follows, whether
//! it obeys traffic lights, and a crossing road user's gap acceptance.

use crate::road::Path;
use crate::world::BodyState;

/// How a scripted actor reacts to the world.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reactions {
    /// Farthest leader it follows, bumper to bumper, m (`f64::INFINITY`: any
    /// distance). Beyond it the road ahead looks free.
    pub sight_range: f64,
    /// Whether a scripted vehicle stops for red (and for amber when it can
    /// stop comfortably); `false` runs the lights.
    pub obeys_signals: bool,
}

impl Default for Reactions {
    fn default() -> Self {
        Self { sight_range: f64::INFINITY, obeys_signals: true }
    }
}

impl Reactions {
    /// The leader `(gap, speed)` as this actor sees it: none beyond its sight range.
    pub(crate) fn sees(&self, leader: Option<(f64, f64)>) -> Option<(f64, f64)> {
        leader.filter(|&(gap, _)| gap <= self.sight_range)
    }
}

/// Gap acceptance: whether a road user at `me` waiting to cross may go,
/// given the ego: the ego's front would reach its route position no sooner
/// than `min_tta` s at the ego's current speed, or the ego has passed it, or
/// the ego is (almost) standing. Distances are along the ego's own line of
/// `route` ([`Path::along`]), the way it will drive there.
pub(crate) fn clear_to_cross(me: &BodyState, ego: &BodyState, min_tta: f64, route: &Path) -> bool {
    let (vs, _) = ego.frame_velocity(&ego.route);
    let centres = route.along(ego.route.s, me.route.s, ego.route.d);
    let half_lengths = 0.5 * (me.length + ego.length);
    let ahead = centres - half_lengths;
    let passed = centres + half_lengths < 0.0;
    if passed || vs < 0.1 {
        return true;
    }
    ahead.max(0.0) / vs >= min_tta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::V2;
    use crate::road::SegmentSpec;
    use crate::testing::body_at;

    /// A 400 m route of curvature `k` (0: straight).
    fn route(k: f64) -> Path {
        Path::new(V2::new(0.0, 0.0), 0.0, &[SegmentSpec::new(400.0, k)])
    }

    #[test]
    fn sight_range_hides_leaders_beyond_it() {
        let near = Reactions { sight_range: 40.0, obeys_signals: true };
        assert_eq!(near.sees(Some((39.0, 5.0))), Some((39.0, 5.0)));
        assert_eq!(near.sees(Some((41.0, 5.0))), None);
        assert_eq!(Reactions::default().sees(Some((1e6, 0.0))), Some((1e6, 0.0)));
    }

    #[test]
    fn pedestrian_accepts_only_a_large_enough_gap() {
        let mut ped = body_at(100.0, -3.0, 0.0);
        ped.length = 0.5;
        // Ego front at 52.3 m, 10 m/s: arrives in ~4.7 s.
        let ego = body_at(50.0, 0.0, 10.0);
        let r = route(0.0);
        assert!(clear_to_cross(&ped, &ego, 4.0, &r));
        assert!(!clear_to_cross(&ped, &ego, 5.0, &r));
        // Standing ego: clear; ego past the pedestrian: clear.
        assert!(clear_to_cross(&ped, &body_at(95.0, 0.0, 0.0), 5.0, &r));
        assert!(clear_to_cross(&ped, &body_at(104.0, 0.0, 10.0), 5.0, &r));
        assert!(!clear_to_cross(&ped, &body_at(99.0, 0.0, 10.0), 5.0, &r), "alongside is not past");
    }

    #[test]
    fn the_time_to_arrival_is_measured_along_the_egos_lane() {
        let mut ped = body_at(100.0, -3.0, 0.0);
        ped.length = 0.5;
        // Ego in lane 1 (d = 3.5) of a left curve of radius 60 m, 50 m of
        // reference line before the pedestrian: 50 · (1 − 3.5/60) − 2.5 =
        // 44.58 m along its lane, 4.46 s at 10 m/s (4.75 s by reference s).
        let ego = body_at(50.0, 3.5, 10.0);
        assert!(!clear_to_cross(&ped, &ego, 4.6, &route(1.0 / 60.0)));
        assert!(clear_to_cross(&ped, &ego, 4.4, &route(1.0 / 60.0)));
        assert!(clear_to_cross(&ped, &ego, 4.6, &route(0.0)), "on a straight it is 4.75 s");
    }
}
