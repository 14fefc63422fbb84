//! Built-in adapters, selected on the command line as `builtin:NAME`.

mod lane_change;
pub mod monitors;
mod planted;
mod reference;
mod route_ahead;
mod tracker;

pub use planted::{
    CUT_IN_LATE_COMFORT, CUT_IN_LATE_IN_LANE, CUT_IN_LATE_TTC, DROPOUT_SPEEDER_CONFIRM,
    DROPOUT_SPEEDER_FRAMES, DROPOUT_SPEEDER_SPEED, ICE_NAIVE_BRAKE_POINT, ICE_NAIVE_CURVE_ACCEL,
    ICE_NAIVE_FCW_TTC, LATE_BRAKER_BRAKE_SHARE, LATE_BRAKER_TTC, PLANTED, PlantedAdapter,
    SHORT_MEMORY_CONFIRM, SHORT_MEMORY_FORGETS, SHORT_MEMORY_IDM, SHORT_MEMORY_LOW_MU_DECEL,
    SHORT_MEMORY_SLIP_COMMAND, SHORT_MEMORY_SLIP_FRAMES, SHORT_MEMORY_SLIP_MIN_SPEED,
    SHORT_MEMORY_SLIP_SHORTFALL, Weakness,
};
pub use reference::{
    MERGE_HORIZON, MERGE_MAX_VD, ReferenceAdapter, ReferenceTuning, TTC_KEEP, VULNERABLE_WIDTH,
};
pub use tracker::{COAST_DECEL, CONFIRM_HITS, MAX_TRACKS, TENTATIVE_MEMORY, TRACK_MEMORY};

use crate::adapter::{AutonomyAdapter, EgoObservation, ObjectObservation};

/// `1 − κ·d` below this would put a line at or beyond the curve's centre.
const MIN_STRETCH: f64 = 1e-3;

/// The bumper-to-bumper gap, m, from the ego (length `ego_length`) to `o`
/// ahead, estimated along the line midway between them as a stack sees it:
/// the difference of route `s` runs along the reference line (lane 0's
/// centre), so it is scaled by `1 − κ·d`, with the reference line's
/// curvature κ recovered from the curvature of the ego's lane centre that
/// the observation carries. Exact while both are on the same straight or
/// arc (the engine's own metric integrates the curvature between them; an
/// adapter only observes it at the ego).
pub(crate) fn gap_ahead(ego: &EgoObservation, o: &ObjectObservation, ego_length: f64) -> f64 {
    let ds = o.s - ego.s;
    let lengths = 0.5 * (ego_length + o.length);
    if ego.curvature == 0.0 {
        return ds - lengths;
    }
    // The lane centre at offset c has curvature κ / (1 − κ·c).
    let centre = if ego.lane >= 0 { ego.d - ego.lane_d } else { ego.d };
    let kappa = ego.curvature / (1.0 + ego.curvature * centre);
    let stretch = (1.0 - kappa * 0.5 * (ego.d + o.d)).max(MIN_STRETCH);
    ds * stretch - lengths
}

/// Names accepted by [`builtin`]: the reference driver, then the planted weaknesses.
pub const BUILTIN_NAMES: &[&str] = &[
    "reference",
    "cut-in-late",
    "cyclist-blind",
    "dropout-speeder",
    "ice-naive",
    "late-braker",
    "memoryless",
    "pedestrian-blind",
    "short-memory",
];

/// A fresh instance of the built-in adapter `name`, if there is one.
pub fn builtin(name: &str) -> Option<Box<dyn AutonomyAdapter>> {
    match name {
        "reference" => Some(Box::new(ReferenceAdapter::default())),
        _ => Weakness::from_name(name).map(|w| Box::new(PlantedAdapter::new(w)) as Box<dyn AutonomyAdapter>),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(s: f64, d: f64) -> ObjectObservation {
        let kind = crate::actor::ActorKind::Vehicle;
        let (x, y, yaw, speed, width, vs, vd, lane) = (0.0, 0.0, 0.0, 0.0, 1.8, 0.0, 0.0, 2);
        ObjectObservation { id: 1, kind, x, y, yaw, speed, length: 4.0, width, s, d, vs, vd, lane }
    }

    #[test]
    fn the_gap_ahead_is_the_arc_length_of_the_line_between_them() {
        // Lane 2 (d = 7 m) of a left curve of radius 60 m: its centre has
        // radius 53 m and curvature 1/53; 20 m of reference line is
        // 20 · 53/60 m along it.
        let (kappa, d) = (1.0 / 60.0, 7.0);
        let ego = EgoObservation {
            s: 100.0,
            d,
            lane: 2,
            lane_d: 0.0,
            curvature: kappa / (1.0 - kappa * d),
            ..EgoObservation::default()
        };
        let gap = gap_ahead(&ego, &object(120.0, d), 4.0);
        assert!((gap - (20.0 * 53.0 / 60.0 - 4.0)).abs() < 1e-9, "{gap}");
        // On a right curve the outer lanes are longer.
        let right = EgoObservation { curvature: -kappa / (1.0 + kappa * d), ..ego };
        let gap = gap_ahead(&right, &object(120.0, d), 4.0);
        assert!((gap - (20.0 * 67.0 / 60.0 - 4.0)).abs() < 1e-9, "{gap}");
        // Straight: the difference of s, bit for bit.
        let straight = EgoObservation { curvature: 0.0, ..ego };
        assert_eq!(gap_ahead(&straight, &object(120.0, d), 4.0), 16.0);
    }
}
