//! The runtime safety monitors the built-in adapters report: plain
//! functions of one observation, so each adapter's share is one line.
//!
//! | monitor | active when | reported by |
//! |---|---|---|
//! | `fcw` | time-to-collision with a road user closing in ahead in the ego's corridor below a threshold | `reference` (2.5 s, [`REFERENCE_FCW_TTC`], on its confirmed tracks) and `memoryless` (the same, on each frame as reported), `ice-naive` (3 s, a good monitor), `late-braker` (0.6 s, a late one) |
//! | `proximity` | any road user it sees within [`PROXIMITY_RANGE`] ahead, closing or not | `pedestrian-blind`, `cyclist-blind` (a noisy one) |

use crate::adapter::{JobStart, ObjectObservation, Observation};

/// Time-to-collision under which the reference driver's forward-collision
/// warning is active, s (its emergency braking starts at 2 s).
pub const REFERENCE_FCW_TTC: f64 = 2.5;
/// Distance ahead within which the `proximity` monitor fires, m.
pub const PROXIMITY_RANGE: f64 = 40.0;

/// The smallest time-to-collision, s, with a road user ahead of the ego
/// whose lateral offset overlaps the ego's corridor (half widths plus
/// 0.4 m) and that closes in; infinity when none does.
pub fn min_ttc_ahead(obs: &Observation, job: &JobStart) -> f64 {
    min_ttc_among(obs.objects.iter(), obs, job)
}

/// [`min_ttc_ahead`] over `objects` instead of the frame as reported (a
/// driver with track memory warns on its confirmed tracks, so a ghost that
/// lives one frame does not set its warning off).
pub fn min_ttc_among<'a>(
    objects: impl Iterator<Item = &'a ObjectObservation>,
    obs: &Observation,
    job: &JobStart,
) -> f64 {
    let ego = &obs.ego;
    let mut best = f64::INFINITY;
    for o in objects {
        let half = 0.5 * (job.ego.width + o.width) + 0.4;
        let closing = ego.vs - o.vs;
        if o.s <= ego.s || (o.d - ego.d).abs() >= half || closing <= 0.0 {
            continue;
        }
        let gap = super::gap_ahead(ego, o, job.ego.length).max(0.0);
        best = best.min(gap / closing);
    }
    best
}

/// Whether a forward-collision warning at `ttc` seconds is active.
pub fn forward_collision(obs: &Observation, job: &JobStart, ttc: f64) -> bool {
    min_ttc_ahead(obs, job) < ttc
}

/// Whether any road user in `obs` is within [`PROXIMITY_RANGE`] ahead.
pub fn proximity(obs: &Observation) -> bool {
    obs.objects.iter().any(|o| o.s > obs.ego.s && o.s - obs.ego.s < PROXIMITY_RANGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::ActorKind;
    use crate::adapter::{EgoLimits, GoalInfo, RoadInfo};

    fn job() -> JobStart {
        JobStart {
            scenario: "t".into(),
            seed: 0,
            dt: 0.05,
            duration: 10.0,
            ego: EgoLimits::MID_SIZE_CAR,
            road: RoadInfo { lanes: 2, lane_width: 3.5, speed_limit: 30.0, lane_drop: None },
            goal: GoalInfo { s: 500.0 },
            route: None,
        }
    }

    fn object(s: f64, d: f64, vs: f64) -> ObjectObservation {
        ObjectObservation {
            id: 1,
            kind: ActorKind::Vehicle,
            x: s,
            y: d,
            yaw: 0.0,
            speed: vs,
            length: 4.4,
            width: 1.8,
            s,
            d,
            vs,
            vd: 0.0,
            lane: 0,
        }
    }

    #[test]
    fn ttc_of_the_closing_road_user_in_the_corridor() {
        let mut obs = Observation::default();
        obs.ego.vs = 20.0;
        // 24.5 m centre to centre, 20 m bumper to bumper, closing at 10 m/s: 2 s.
        obs.objects = vec![object(24.5, 0.0, 10.0), object(10.0, 3.5, 0.0), object(50.0, 0.0, 25.0)];
        assert!((min_ttc_ahead(&obs, &job()) - 2.0).abs() < 1e-12);
        assert!(forward_collision(&obs, &job(), REFERENCE_FCW_TTC));
        assert!(!forward_collision(&obs, &job(), 0.6));
        assert!(proximity(&obs));
        obs.objects = vec![object(60.0, 0.0, 25.0)];
        assert_eq!(min_ttc_ahead(&obs, &job()), f64::INFINITY);
        assert!(!proximity(&obs));
    }
}
