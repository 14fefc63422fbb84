//! Realisations: how a scenario is made to exhibit a dimension value.
//!
//! `taxonomy/realisations.ron` says, per dimension value, which transformation
//! Gauntlet can apply to a scenario so that it exhibits that value: a friction
//! range, a sensor degradation, an ego speed band, or `NotRealisable` with the
//! reason (a road type is geometry, not a setting). `gauntlet generate` reads
//! it to close coverage gaps. The file is validated against the taxonomy with
//! file, line, column and field path: an unknown dimension or value is an
//! error; a value with no entry is only *undeclared* (reported, never an
//! error), so the taxonomy can grow before its realisations do.
//!
//! The numeric bounds checked here are the ones the scenario validator
//! accepts for the fields a realisation sets (`scenarios/src/resolve.rs`):
//! friction in (0, 1.5], dropout in [0, 1], noise σ in [0, 10] m, latency an
//! integer number of steps in [0, 100], speeds in (0, 70] m/s.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use gauntlet_ron_source::{Diagnostic, FieldPath, SourceFile, closest_match};
use serde::{Deserialize, Serialize};

use crate::Taxonomy;

/// The shipped realisations (`taxonomy/realisations.ron`), built into the library.
pub const DEFAULT_REALISATIONS: &str = include_str!("../realisations.ron");

/// Largest friction coefficient a scenario accepts.
pub const MAX_FRICTION: f64 = 1.5;
/// Largest position noise σ a scenario accepts, m.
pub const MAX_NOISE: f64 = 10.0;
/// Largest latency a scenario accepts, steps.
pub const MAX_LATENCY_STEPS: u32 = 100;
/// Largest speed a scenario accepts, m/s.
pub const MAX_SPEED: f64 = 70.0;

/// A range of a number with its nominal value (as a scenario's `Range(…)`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// The value of the nominal instance.
    pub nominal: f64,
}

impl Band {
    fn contains(&self, lo: f64, hi: f64, lo_open: bool) -> bool {
        let above = |x: f64| if lo_open { x > lo } else { x >= lo };
        [self.min, self.max, self.nominal].iter().all(|x| x.is_finite() && above(*x) && *x <= hi)
            && self.min <= self.nominal
            && self.nominal <= self.max
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}] (nominal {})", self.min, self.max, self.nominal)
    }
}

/// How a scenario is made to exhibit a value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Realisation {
    /// Set the road friction μ to this range.
    Friction {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// The nominal instance's value.
        nominal: f64,
    },
    /// Clear every sensor degradation (noise, dropout, latency, perception faults).
    CleanSensor,
    /// Clear the sensor's degradations, then set position noise σ to this range, m.
    Noise {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// The nominal instance's value.
        nominal: f64,
    },
    /// Clear the sensor's degradations, then set the per-object dropout probability to this range.
    Dropout {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// The nominal instance's value.
        nominal: f64,
    },
    /// Clear the sensor's degradations, then set the latency to one of these step counts.
    Latency {
        /// The step counts the latency may take.
        steps: Vec<u32>,
        /// The nominal instance's.
        nominal: u32,
    },
    /// Scale the ego's and the vehicles' speeds (and the speed limit) by one factor so that
    /// the ego's nominal speed is `nominal`, m/s, and its range lies in [`min`, `max`]; times
    /// (time triggers, the duration, deadlines) are divided by the factor so the encounter
    /// happens at the same places; distances, pedestrians and cyclists are unchanged.
    Speed {
        /// Lower bound of the ego's speed, m/s.
        min: f64,
        /// Upper bound, m/s.
        max: f64,
        /// The nominal instance's ego speed, m/s.
        nominal: f64,
    },
    /// Set the scenario's illumination (`environment.illumination`; what it
    /// does to sensing is the engine's `conditions` module).
    Illumination(LightSetting),
    /// Set the scenario's weather (`environment.weather`; what it does to
    /// sensing and friction is the engine's `conditions` module). Rain and
    /// spray cap the friction at 0.7 and 0.6: they are applied only to a
    /// scenario whose friction is not tagged `dry`, so its tag stays true.
    Weather(WeatherSetting),
    /// No transform makes a scenario exhibit it (the reason says why).
    NotRealisable {
        /// Why, in words.
        reason: String,
    },
}

/// The illumination an [`Realisation::Illumination`] sets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum LightSetting {
    /// Daylight.
    Day,
    /// Night on an unlit road.
    Night,
    /// Low sun glaring from this bearing, degrees counter-clockwise from the
    /// road's start direction (0: straight ahead of the ego at the start).
    LowSun {
        /// Bearing of the sun, degrees.
        azimuth_deg: f64,
    },
}

/// The weather a [`Realisation::Weather`] sets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum WeatherSetting {
    /// No weather effect.
    Clear,
    /// Rain of an intensity in this range, mm/h (0–100).
    Rain {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// The nominal instance's value.
        nominal: f64,
    },
    /// Fog of a visibility in this range, m (10–2000).
    Fog {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// The nominal instance's value.
        nominal: f64,
    },
    /// Spray thrown up by traffic on a wet road.
    Spray,
}

/// Rain intensities a scenario accepts, mm/h.
pub const MAX_RAIN: f64 = 100.0;
/// Fog visibilities a scenario accepts, m.
pub const FOG_VISIBILITY: (f64, f64) = (10.0, 2000.0);

impl Realisation {
    /// Whether some transform realises the value.
    pub fn is_realisable(&self) -> bool {
        !matches!(self, Realisation::NotRealisable { .. })
    }

    /// The range a ranged realisation sets (friction, noise, dropout, speed).
    pub fn band(&self) -> Option<Band> {
        match *self {
            Realisation::Friction { min, max, nominal }
            | Realisation::Noise { min, max, nominal }
            | Realisation::Dropout { min, max, nominal }
            | Realisation::Speed { min, max, nominal } => Some(Band { min, max, nominal }),
            _ => None,
        }
    }

    /// A short description, for headers and reports.
    pub fn describe(&self) -> String {
        let b = self.band().unwrap_or(Band { min: 0.0, max: 0.0, nominal: 0.0 });
        match self {
            Realisation::Friction { .. } => format!("friction μ in {b}"),
            Realisation::CleanSensor => "sensor degradations cleared".into(),
            Realisation::Noise { .. } => format!("position noise σ in {b} m, other degradations cleared"),
            Realisation::Dropout { .. } => format!("detection dropout in {b}, other degradations cleared"),
            Realisation::Latency { steps, nominal } => {
                format!("latency one of {steps:?} steps (nominal {nominal}), other degradations cleared")
            }
            Realisation::Speed { .. } => format!("ego speed scaled into {b} m/s, vehicles and times with it"),
            Realisation::Illumination(LightSetting::Day) => "illumination set to day".into(),
            Realisation::Illumination(LightSetting::Night) => {
                "illumination set to night (shorter range, more dropout for road users without lights)".into()
            }
            Realisation::Illumination(LightSetting::LowSun { azimuth_deg }) => {
                format!("illumination set to a low sun at {azimuth_deg}° (glare towards it)")
            }
            Realisation::Weather(WeatherSetting::Clear) => "weather set to clear".into(),
            Realisation::Weather(WeatherSetting::Rain { min, max, nominal }) => format!(
                "weather set to rain of {} mm/h (range, noise, dropout; μ capped at 0.7 − 0.002·I)",
                Band { min: *min, max: *max, nominal: *nominal }
            ),
            Realisation::Weather(WeatherSetting::Fog { min, max, nominal }) => format!(
                "weather set to fog of visibility {} m (range at most the visibility, noise, dropout)",
                Band { min: *min, max: *max, nominal: *nominal }
            ),
            Realisation::Weather(WeatherSetting::Spray) => {
                "weather set to spray (range × 0.7, noise, dropout; μ capped at 0.6)".into()
            }
            Realisation::NotRealisable { reason } => format!("not realisable: {reason}"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename = "Realisations", deny_unknown_fields)]
struct RealisationsFile {
    values: BTreeMap<String, BTreeMap<String, Realisation>>,
}

/// The validated realisations of a taxonomy's values.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Realisations {
    by_value: BTreeMap<(String, String), Realisation>,
}

impl Realisations {
    /// Reads the realisations file at `path` and validates it against `taxonomy`.
    ///
    /// # Errors
    ///
    /// A diagnostic with file, line, column and field path for an unreadable or malformed
    /// file, an unknown dimension or value, or a realisation outside what scenarios accept.
    pub fn load(path: &Path, taxonomy: &Taxonomy) -> Result<Self, Diagnostic> {
        Self::from_source(&SourceFile::read(path)?, taxonomy)
    }

    /// The shipped realisations ([`DEFAULT_REALISATIONS`]), validated against `taxonomy`.
    ///
    /// # Errors
    ///
    /// As [`Realisations::load`] (e.g. against a taxonomy that dropped a value it names).
    pub fn builtin(taxonomy: &Taxonomy) -> Result<Self, Diagnostic> {
        Self::from_source(&SourceFile::new("taxonomy/realisations.ron", DEFAULT_REALISATIONS), taxonomy)
    }

    /// Parses and validates realisations from a source already read.
    ///
    /// # Errors
    ///
    /// As [`Realisations::load`], except I/O.
    pub fn from_source(source: &SourceFile, taxonomy: &Taxonomy) -> Result<Self, Diagnostic> {
        let file: RealisationsFile = source.parse()?;
        let root = FieldPath::root().field("values");
        let mut by_value = BTreeMap::new();
        for (dimension, values) in file.values {
            let dp = root.field(&dimension);
            let Some(d) = taxonomy.dimension(&dimension) else {
                let ids = taxonomy.dimensions().iter().map(|d| d.id.as_str());
                let hint = closest_match(&dimension, ids).map(|s| format!(" (did you mean `{s}`?)"));
                return Err(source
                    .error_at(dp, format!("unknown dimension `{dimension}`{}", hint.unwrap_or_default())));
            };
            for (value, realisation) in values {
                let vp = dp.field(&value);
                if d.value(&value).is_none() {
                    let ids = d.values.iter().map(|v| v.id.as_str());
                    let hint = closest_match(&value, ids).map(|s| format!(" (did you mean `{s}`?)"));
                    return Err(source.error_at(
                        vp,
                        format!(
                            "unknown value `{value}` of dimension `{dimension}`{}",
                            hint.unwrap_or_default()
                        ),
                    ));
                }
                if let Some(problem) = check(&realisation) {
                    return Err(source.error_at(vp, problem));
                }
                by_value.insert((dimension.clone(), value), realisation);
            }
        }
        Ok(Self { by_value })
    }

    /// The realisation declared for `value` of `dimension`.
    pub fn get(&self, dimension: &str, value: &str) -> Option<&Realisation> {
        self.by_value.get(&(dimension.to_owned(), value.to_owned()))
    }

    /// The values of `taxonomy` with no declared realisation, in taxonomy order.
    pub fn undeclared<'t>(&self, taxonomy: &'t Taxonomy) -> Vec<(&'t str, &'t str)> {
        let mut out = Vec::new();
        for d in taxonomy.dimensions() {
            for v in &d.values {
                if self.get(&d.id, &v.id).is_none() {
                    out.push((d.id.as_str(), v.id.as_str()));
                }
            }
        }
        out
    }

    /// Every declared realisation: ((dimension, value), realisation), in key order.
    pub fn iter(&self) -> impl Iterator<Item = ((&str, &str), &Realisation)> {
        self.by_value.iter().map(|((d, v), r)| ((d.as_str(), v.as_str()), r))
    }
}

/// What is wrong with a realisation, if anything.
fn check(r: &Realisation) -> Option<String> {
    let b = r.band().unwrap_or(Band { min: 0.0, max: 0.0, nominal: 0.0 });
    match r {
        Realisation::Friction { .. } if !b.contains(0.0, MAX_FRICTION, true) => Some(format!(
            "friction {b} must satisfy 0 < min ≤ nominal ≤ max ≤ {MAX_FRICTION} (what scenarios accept)"
        )),
        Realisation::Noise { .. } if !b.contains(0.0, MAX_NOISE, false) => {
            Some(format!("noise σ {b} must satisfy 0 ≤ min ≤ nominal ≤ max ≤ {MAX_NOISE} m"))
        }
        Realisation::Dropout { .. } if !b.contains(0.0, 1.0, false) => {
            Some(format!("dropout {b} must satisfy 0 ≤ min ≤ nominal ≤ max ≤ 1 (a probability)"))
        }
        Realisation::Latency { steps, nominal } => {
            if steps.is_empty() {
                Some("latency needs at least one step count".into())
            } else if let Some(s) = steps.iter().find(|s| **s > MAX_LATENCY_STEPS) {
                Some(format!("latency of {s} steps is above the {MAX_LATENCY_STEPS} scenarios accept"))
            } else if !steps.contains(nominal) {
                Some(format!("the nominal latency {nominal} is not among the steps {steps:?}"))
            } else {
                None
            }
        }
        Realisation::Speed { .. } if !b.contains(0.0, MAX_SPEED, true) => {
            Some(format!("speed {b} must satisfy 0 < min ≤ nominal ≤ max ≤ {MAX_SPEED} m/s"))
        }
        Realisation::Illumination(LightSetting::LowSun { azimuth_deg })
            if !(azimuth_deg.is_finite() && (-360.0..=360.0).contains(azimuth_deg)) =>
        {
            Some(format!("the sun's azimuth {azimuth_deg}° must lie in [-360, 360]"))
        }
        Realisation::Weather(WeatherSetting::Rain { min, max, nominal })
            if !(Band { min: *min, max: *max, nominal: *nominal }).contains(0.0, MAX_RAIN, false) =>
        {
            Some(format!(
                "rain {min}..{max} (nominal {nominal}) must satisfy 0 ≤ min ≤ nominal ≤ max ≤ {MAX_RAIN} mm/h"
            ))
        }
        Realisation::Weather(WeatherSetting::Fog { min, max, nominal })
            if !(Band { min: *min, max: *max, nominal: *nominal }).contains(
                FOG_VISIBILITY.0,
                FOG_VISIBILITY.1,
                false,
            ) =>
        {
            Some(format!(
                "fog visibility {min}..{max} (nominal {nominal}) must satisfy {} ≤ min ≤ nominal ≤ max ≤ {} m",
                FOG_VISIBILITY.0, FOG_VISIBILITY.1
            ))
        }
        Realisation::NotRealisable { reason } if reason.trim().is_empty() => {
            Some("a value that is not realisable needs a reason".into())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Realisations, Diagnostic> {
        Realisations::from_source(&SourceFile::new("r.ron", text), &Taxonomy::builtin().unwrap())
    }

    #[test]
    fn the_shipped_file_validates_and_declares_the_generation_values() {
        let t = Taxonomy::builtin().unwrap();
        let r = Realisations::builtin(&t).unwrap();
        assert!(
            matches!(r.get("friction", "icy"), Some(r @ Realisation::Friction { .. }) if r.band() == Some(Band { min: 0.1, max: 0.3, nominal: 0.2 }))
        );
        assert!(matches!(r.get("perception", "dropout"), Some(Realisation::Dropout { .. })));
        assert!(!r.get("road", "highway").unwrap().is_realisable());
        // The shipped file declares every value of the shipped taxonomy.
        assert_eq!(r.undeclared(&t), Vec::<(&str, &str)>::new());
    }

    #[test]
    fn weather_and_illumination_realisations_parse_and_are_checked() {
        let r = load(
            "Realisations(values: {\"weather\": {\"rain\": Weather(Rain(min: 5.0, max: 40.0, nominal: 20.0)), \"spray\": Weather(Spray)}, \"illumination\": {\"low_sun\": Illumination(LowSun(azimuth_deg: 0.0))}})",
        )
        .unwrap();
        assert_eq!(
            r.get("weather", "rain"),
            Some(&Realisation::Weather(WeatherSetting::Rain { min: 5.0, max: 40.0, nominal: 20.0 }))
        );
        assert!(r.get("illumination", "low_sun").unwrap().describe().contains("low sun"));
        let e = load("Realisations(values: {\"weather\": {\"fog\": Weather(Fog(min: 5.0, max: 40.0, nominal: 20.0))}})")
            .unwrap_err()
            .to_string();
        assert!(e.contains("r.ron:1:") && e.contains("fog visibility"), "{e}");
        let e = load("Realisations(values: {\"weather\": {\"rain\": Weather(Rain(min: 5.0, max: 400.0, nominal: 20.0))}})")
            .unwrap_err()
            .to_string();
        assert!(e.contains("mm/h"), "{e}");
    }

    #[test]
    fn unknown_dimensions_and_values_are_located() {
        let e = load("Realisations(values: {\n  \"friction\": {\"icey\": Friction(min: 0.1, max: 0.3, nominal: 0.2)},\n})")
            .unwrap_err()
            .to_string();
        assert!(e.contains("r.ron:2:") && e.contains("unknown value `icey`") && e.contains("`icy`"), "{e}");
        let e = load("Realisations(values: {\"frction\": {}})").unwrap_err().to_string();
        assert!(e.contains("r.ron:1:") && e.contains("unknown dimension `frction`"), "{e}");
    }

    #[test]
    fn ranges_outside_what_scenarios_accept_are_refused() {
        let e = load(
            "Realisations(values: {\"friction\": {\"icy\": Friction(min: 0.0, max: 0.3, nominal: 0.2)}})",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("0 < min"), "{e}");
        let e = load("Realisations(values: {\"perception\": {\"dropout\": Dropout(min: 0.5, max: 0.3, nominal: 0.4)}})")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a probability"), "{e}");
        let e =
            load("Realisations(values: {\"perception\": {\"latency\": Latency(steps: [2, 4], nominal: 3)}})")
                .unwrap_err()
                .to_string();
        assert!(e.contains("not among the steps"), "{e}");
        let e = load("Realisations(values: {\"road\": {\"urban\": NotRealisable(reason: \" \")}})")
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs a reason"), "{e}");
    }

    #[test]
    fn a_value_without_an_entry_is_undeclared_not_an_error() {
        let r = load(
            "Realisations(values: {\"friction\": {\"icy\": Friction(min: 0.1, max: 0.3, nominal: 0.2)}})",
        )
        .unwrap();
        let t = Taxonomy::builtin().unwrap();
        assert!(r.undeclared(&t).contains(&("friction", "wet")));
        assert!(!r.undeclared(&t).contains(&("friction", "icy")));
    }
}
