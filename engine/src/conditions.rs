//! Operating-domain conditions that act on the world (PAS 1883
//! dimensions): **illumination** and **weather** change what the ego's
//! sensor reports (range, dropout, noise by object kind) and, where
//! physical, the tyre–road friction; **road works** shift the route's lanes
//! over a stretch (cones are static actors the scenario generates, see
//! [`cones`]). All effects are deterministic functions of the scenario;
//! the extra dropout and noise are drawn from the sensor's own named
//! streams (`sensor.dropout`, `sensor.noise`), in the draws it already
//! makes, so a world with the default conditions runs exactly as before.
//!
//! The figures (the README's *Operating conditions* table):
//!
//! | condition | sensing | friction |
//! |---|---|---|
//! | `Night` | range × [`night_range_factor`] by kind (vehicle 1.0, motorcycle 0.9, cyclist 0.6, static 0.5, pedestrian 0.4, animal 0.35); dropout + [`night_dropout`] (pedestrian 0.05, animal 0.10, cyclist and static 0.03) | — |
//! | `LowSun(azimuth)` | objects within ±[`GLARE_HALF_ANGLE_DEG`]° of the sun's bearing: range × 0.5, dropout + 0.3 | — |
//! | `Rain(intensity)` (mm/h) | range × max(1 − 0.005·I, 0.5); noise σ + 0.002·I m; dropout + 0.0005·I | μ ≤ max(0.7 − 0.002·I, 0.5) |
//! | `Fog(visibility)` (m) | range ≤ the visibility; noise σ + 0.05 m; dropout + 0.1 beyond half the visibility | — |
//! | `Spray` | range × 0.7; noise σ + 0.1 m; dropout + 0.05 | μ ≤ 0.6 |
//!
//! Dropouts combine as independent misses (1 − (1 − p)(1 − q)), noise σ in
//! quadrature, range factors multiply.

use crate::actor::ActorKind;
use crate::math::{V2, wrap_angle};
use crate::reactive::Reactions;
use crate::road::PathId;
use crate::spec::ActorSpec;

/// Light conditions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Illumination {
    /// Daylight: no effect.
    #[default]
    Day,
    /// Night on an unlit road: shorter range and more dropout for road users without lights.
    Night,
    /// Sun low over the horizon: glare towards its bearing.
    LowSun {
        /// Bearing of the sun in the world frame, rad (0 = +x, counter-clockwise).
        azimuth: f64,
    },
}

/// Weather acting on sensing and friction.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Weather {
    /// No effect.
    #[default]
    Clear,
    /// Rain of this intensity, mm/h (0–100).
    Rain {
        /// mm/h.
        intensity: f64,
    },
    /// Fog with this meteorological visibility, m.
    Fog {
        /// m.
        visibility: f64,
    },
    /// Spray thrown up by traffic on a wet road.
    Spray,
}

/// A temporary offset of every lane of the route (road works): zero before
/// `from_s`, growing linearly over `taper` m to `offset`, held, and back to
/// zero over the last `taper` m before `to_s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneShift {
    /// Where the shift starts, route distance, m.
    pub from_s: f64,
    /// Where it has ended, m.
    pub to_s: f64,
    /// Length of each taper, m.
    pub taper: f64,
    /// Lateral offset of the lanes' centres, m (+ left).
    pub offset: f64,
}

impl LaneShift {
    /// The offset at route distance `s`.
    pub fn at(&self, s: f64) -> f64 {
        if s <= self.from_s || s >= self.to_s {
            return 0.0;
        }
        let taper = self.taper.max(1e-6);
        let k = ((s - self.from_s) / taper).min((self.to_s - s) / taper).clamp(0.0, 1.0);
        self.offset * k
    }
}

/// The world's operating conditions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Conditions {
    /// Light.
    pub illumination: Illumination,
    /// Weather.
    pub weather: Weather,
    /// Road works' lane shift, if any.
    pub lane_shift: Option<LaneShift>,
}

/// Half-width of the glare cone around the low sun's bearing, degrees.
pub const GLARE_HALF_ANGLE_DEG: f64 = 10.0;
/// Range factor and extra dropout of an object in the glare cone.
pub const GLARE: (f64, f64) = (0.5, 0.3);

/// Night's range factor for an object of `kind` (vehicles carry lights).
pub fn night_range_factor(kind: ActorKind) -> f64 {
    match kind {
        ActorKind::Vehicle => 1.0,
        ActorKind::Motorcycle => 0.9,
        ActorKind::Cyclist => 0.6,
        ActorKind::Static => 0.5,
        ActorKind::Pedestrian => 0.4,
        ActorKind::Animal => 0.35,
    }
}

/// Night's extra dropout for an object of `kind`.
pub fn night_dropout(kind: ActorKind) -> f64 {
    match kind {
        ActorKind::Vehicle | ActorKind::Motorcycle => 0.0,
        ActorKind::Cyclist | ActorKind::Static => 0.03,
        ActorKind::Pedestrian => 0.05,
        ActorKind::Animal => 0.10,
    }
}

/// What the conditions do to the sensing of one object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SensingEffect {
    /// Factor on the sensor's range.
    pub range_factor: f64,
    /// Upper bound on the range whatever the sensor, m (fog).
    pub range_cap: f64,
    /// Extra probability of missing the object this step.
    pub dropout: f64,
    /// Extra position noise σ, m.
    pub noise_sigma: f64,
}

impl SensingEffect {
    /// No effect.
    pub const NONE: SensingEffect =
        SensingEffect { range_factor: 1.0, range_cap: f64::INFINITY, dropout: 0.0, noise_sigma: 0.0 };

    /// The range for a sensor of range `range`.
    pub fn range(&self, range: f64) -> f64 {
        (range * self.range_factor).min(self.range_cap)
    }

    /// The dropout for a sensor with dropout `p` (exactly `p` with no extra).
    pub fn dropout(&self, p: f64) -> f64 {
        if self.dropout == 0.0 { p } else { 1.0 - (1.0 - p) * (1.0 - self.dropout) }
    }

    /// The noise σ for a sensor with σ `sigma` (exactly `sigma` with no extra).
    pub fn noise(&self, sigma: f64) -> f64 {
        if self.noise_sigma == 0.0 { sigma } else { libm::hypot(sigma, self.noise_sigma) }
    }

    fn and(mut self, range_factor: f64, dropout: f64, noise_sigma: f64) -> Self {
        self.range_factor *= range_factor;
        if dropout > 0.0 {
            self.dropout = 1.0 - (1.0 - self.dropout) * (1.0 - dropout);
        }
        if noise_sigma > 0.0 {
            self.noise_sigma = libm::hypot(self.noise_sigma, noise_sigma);
        }
        self
    }
}

impl Conditions {
    /// Whether every condition is at its default (nothing to do).
    pub fn is_default(&self) -> bool {
        *self == Conditions::default()
    }

    /// The effect on an object of `kind` seen at world bearing `bearing`
    /// (rad) and distance `dist` (m) from the sensor.
    pub fn sensing(&self, kind: ActorKind, bearing: f64, dist: f64) -> SensingEffect {
        let mut e = SensingEffect::NONE;
        match self.illumination {
            Illumination::Day => {}
            Illumination::Night => e = e.and(night_range_factor(kind), night_dropout(kind), 0.0),
            Illumination::LowSun { azimuth } => {
                if wrap_angle(bearing - azimuth).abs() <= GLARE_HALF_ANGLE_DEG.to_radians() {
                    e = e.and(GLARE.0, GLARE.1, 0.0);
                }
            }
        }
        match self.weather {
            Weather::Clear => {}
            Weather::Rain { intensity } => {
                e = e.and((1.0 - 0.005 * intensity).max(0.5), 0.0005 * intensity, 0.002 * intensity)
            }
            Weather::Fog { visibility } => {
                e.range_cap = e.range_cap.min(visibility);
                let far = if dist > 0.5 * visibility { 0.1 } else { 0.0 };
                e = e.and(1.0, far, 0.05);
            }
            Weather::Spray => e = e.and(0.7, 0.05, 0.1),
        }
        e
    }

    /// The tyre–road friction under this weather for a road of friction
    /// `base`: rain and spray wet the road (never raising it).
    pub fn friction(&self, base: f64) -> f64 {
        match self.weather {
            Weather::Rain { intensity } => base.min((0.7 - 0.002 * intensity).max(0.5)),
            Weather::Spray => base.min(0.6),
            Weather::Clear | Weather::Fog { .. } => base,
        }
    }

    /// The lane shift at route distance `s`, m (0 without road works).
    pub fn lane_shift_at(&self, s: f64) -> f64 {
        self.lane_shift.map_or(0.0, |l| l.at(s))
    }
}

/// Traffic cones of road works: static bodies 0.4 × 0.4 m on the route at
/// lateral offset `d`, every `spacing` m from `from_s` to `to_s`, with ids
/// from `first_id` and names `cone.N`.
pub fn cones(d: f64, from_s: f64, to_s: f64, spacing: f64, first_id: u32) -> Vec<ActorSpec> {
    let n = if to_s >= from_s && spacing > 0.0 { ((to_s - from_s) / spacing).floor() as u32 + 1 } else { 0 };
    (0..n)
        .map(|k| ActorSpec {
            id: first_id + k,
            name: format!("cone.{k}"),
            kind: ActorKind::Static,
            path: PathId::Route,
            s: from_s + spacing * k as f64,
            d,
            heading: 0.0,
            speed: 0.0,
            length: CONE_SIZE,
            width: CONE_SIZE,
            behaviours: vec![crate::spec::BehaviourStep {
                trigger: crate::spec::Trigger::Immediately,
                behaviour: crate::spec::Behaviour::Stand,
                parallel: false,
            }],
            reactions: Reactions::default(),
        })
        .collect()
}

/// Footprint of a traffic cone, m.
pub const CONE_SIZE: f64 = 0.4;

/// World bearing of `p` seen from `origin`, rad.
pub(crate) fn bearing(origin: V2, p: V2) -> f64 {
    crate::math::atan2(p.y - origin.y, p.x - origin.x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_change_nothing() {
        let c = Conditions::default();
        let e = c.sensing(ActorKind::Pedestrian, 0.3, 50.0);
        assert_eq!(e, SensingEffect::NONE);
        assert_eq!(e.dropout(0.123), 0.123);
        assert_eq!(e.noise(0.4), 0.4);
        assert_eq!(e.range(150.0), 150.0);
        assert_eq!(c.friction(0.9), 0.9);
    }

    #[test]
    fn night_hits_road_users_without_lights_hardest() {
        let c = Conditions { illumination: Illumination::Night, ..Default::default() };
        let car = c.sensing(ActorKind::Vehicle, 0.0, 50.0);
        let walker = c.sensing(ActorKind::Pedestrian, 0.0, 50.0);
        assert_eq!(car.range(150.0), 150.0);
        assert_eq!(walker.range(150.0), 60.0);
        assert!((walker.dropout(0.0) - 0.05).abs() < 1e-12);
    }

    #[test]
    fn low_sun_glares_only_towards_its_bearing() {
        let c = Conditions { illumination: Illumination::LowSun { azimuth: 0.0 }, ..Default::default() };
        assert_eq!(c.sensing(ActorKind::Vehicle, 0.1, 50.0).range(100.0), 50.0);
        assert_eq!(c.sensing(ActorKind::Vehicle, 0.5, 50.0), SensingEffect::NONE);
    }

    #[test]
    fn rain_and_spray_wet_the_road_and_fog_caps_the_range() {
        let rain = Conditions { weather: Weather::Rain { intensity: 50.0 }, ..Default::default() };
        assert!((rain.friction(0.9) - 0.6).abs() < 1e-12);
        assert_eq!(rain.friction(0.3), 0.3);
        let e = rain.sensing(ActorKind::Vehicle, 0.0, 10.0);
        assert!((e.range(150.0) - 112.5).abs() < 1e-9);
        assert!((e.noise(0.0) - 0.1).abs() < 1e-12);
        let fog = Conditions { weather: Weather::Fog { visibility: 80.0 }, ..Default::default() };
        assert_eq!(fog.sensing(ActorKind::Vehicle, 0.0, 10.0).range(150.0), 80.0);
        assert_eq!(fog.sensing(ActorKind::Vehicle, 0.0, 10.0).dropout(0.0), 0.0);
        assert!((fog.sensing(ActorKind::Vehicle, 0.0, 50.0).dropout(0.0) - 0.1).abs() < 1e-12);
        assert_eq!(fog.friction(0.9), 0.9);
        let spray = Conditions { weather: Weather::Spray, ..Default::default() };
        assert_eq!(spray.friction(0.9), 0.6);
    }

    #[test]
    fn the_lane_shift_tapers_in_and_out() {
        let l = LaneShift { from_s: 100.0, to_s: 300.0, taper: 40.0, offset: 1.2 };
        assert_eq!(l.at(90.0), 0.0);
        assert!((l.at(120.0) - 0.6).abs() < 1e-12);
        assert_eq!(l.at(200.0), 1.2);
        assert!((l.at(290.0) - 0.3).abs() < 1e-12);
        assert_eq!(l.at(310.0), 0.0);
    }

    #[test]
    fn cones_line_the_stretch() {
        let c = cones(-1.0, 100.0, 150.0, 10.0, 7);
        assert_eq!(c.len(), 6);
        assert_eq!((c[0].id, c[5].s, c[5].name.as_str()), (7, 150.0, "cone.5"));
        assert!(c.iter().all(|a| a.kind == ActorKind::Static && a.speed == 0.0 && a.d == -1.0));
    }
}
