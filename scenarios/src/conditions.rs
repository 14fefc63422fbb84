//! Operating conditions in scenario files: `environment: (illumination: …,
//! weather: …)`, the optional `road_works: (lane_shift: (…), cones: […])`
//! section (its cones are static actors appended after the listed ones),
//! and the `traffic:` density presets. Their schema, their validation in
//! the walk, and their numbers for the fuzzer's visitor and writer. What
//! the conditions do is the engine's ([`gauntlet_engine::conditions`]).

use gauntlet_engine::ActorSpec;
use gauntlet_engine::conditions::{Conditions, Illumination, LaneShift, Weather, cones};
use gauntlet_engine::road::RoadSpec;
use gauntlet_ron_source::FieldPath;
use serde::Deserialize;

use crate::param::Num;
use crate::resolve::{Accepts, MAX_ACTORS, Walk};

/// `illumination: Day | Night | LowSun(azimuth_deg: …)`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum IlluminationFile {
    /// Daylight (default).
    #[default]
    Day,
    /// Night on an unlit road.
    Night,
    /// Low sun glaring from this bearing.
    LowSun {
        /// Bearing of the sun, degrees counter-clockwise from the road's start
        /// direction (0: straight ahead of the ego at the start).
        azimuth_deg: Num,
    },
}

/// `weather: Clear | Rain(intensity: …) | Fog(visibility: …) | Spray`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum WeatherFile {
    /// No effect (default).
    #[default]
    Clear,
    /// Rain.
    Rain {
        /// mm/h (0–100).
        intensity: Num,
    },
    /// Fog.
    Fog {
        /// Meteorological visibility, m (10–2000).
        visibility: Num,
    },
    /// Spray from traffic on a wet road.
    Spray,
}

fn default_taper() -> Num {
    Num::Fixed(30.0)
}
fn default_spacing() -> Num {
    Num::Fixed(10.0)
}

/// `road_works: (lane_shift: (…), cones: […])`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadWorksFile {
    /// Every lane of the route shifted sideways over a stretch (default: none).
    #[serde(default)]
    pub lane_shift: Option<LaneShiftFile>,
    /// Lines of traffic cones (static actors).
    #[serde(default)]
    pub cones: Vec<ConesFile>,
}

/// `lane_shift: (from_s: …, to_s: …, taper: 30, offset: …)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LaneShiftFile {
    /// Start of the shift, route distance in m.
    pub from_s: Num,
    /// End of the shift, m.
    pub to_s: Num,
    /// Length of each taper, m (default 30).
    #[serde(default = "default_taper")]
    pub taper: Num,
    /// Offset of the lanes' centres, m (+ left).
    pub offset: Num,
}

/// `(d: …, from_s: …, to_s: …, spacing: 10)`: a line of cones.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConesFile {
    /// Lateral offset of the line, m.
    pub d: Num,
    /// First cone, route distance in m.
    pub from_s: Num,
    /// Last cone at or before, m.
    pub to_s: Num,
    /// Distance between cones, m (default 10).
    #[serde(default = "default_spacing")]
    pub spacing: Num,
}

/// `preset:` of the `traffic:` section: a density per km per lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum DensityPreset {
    /// 5 vehicles per km per lane (free flow, LOS A).
    Free,
    /// 12 per km per lane (LOS B).
    Light,
    /// 30 per km per lane (LOS D–E).
    Dense,
    /// 80 per km per lane (stop and go; needs `min_gap` ≤ 7.5 m for 4.5 m cars).
    Jam,
}

impl DensityPreset {
    /// Vehicles per km per lane.
    pub fn density(self) -> f64 {
        match self {
            DensityPreset::Free => 5.0,
            DensityPreset::Light => 12.0,
            DensityPreset::Dense => 30.0,
            DensityPreset::Jam => 80.0,
        }
    }
}

impl Walk<'_> {
    /// The illumination and weather of `environment`.
    pub(crate) fn conditions(
        &mut self,
        p: &FieldPath,
        illumination: &IlluminationFile,
        weather: &WeatherFile,
    ) -> Conditions {
        let illumination = match illumination {
            IlluminationFile::Day => Illumination::Day,
            IlluminationFile::Night => Illumination::Night,
            IlluminationFile::LowSun { azimuth_deg } => Illumination::LowSun {
                azimuth: self
                    .num(
                        &p.field("illumination").field("azimuth_deg"),
                        azimuth_deg,
                        Accepts::between(-180.0, 180.0, "a bearing in degrees"),
                    )
                    .to_radians(),
            },
        };
        let wp = p.field("weather");
        let weather = match weather {
            WeatherFile::Clear => Weather::Clear,
            WeatherFile::Rain { intensity } => Weather::Rain {
                intensity: self.num(
                    &wp.field("intensity"),
                    intensity,
                    Accepts::positive(100.0, "a rain intensity in mm/h"),
                ),
            },
            WeatherFile::Fog { visibility } => Weather::Fog {
                visibility: self.num(
                    &wp.field("visibility"),
                    visibility,
                    Accepts::between(10.0, 2000.0, "a visibility in m"),
                ),
            },
            WeatherFile::Spray => Weather::Spray,
        };
        Conditions { illumination, weather, lane_shift: None }
    }

    /// The road works' lane shift and cones (ids from `first_id`).
    pub(crate) fn road_works(
        &mut self,
        p: &FieldPath,
        w: &RoadWorksFile,
        road: &RoadSpec,
        first_id: u32,
    ) -> (Option<LaneShift>, Vec<ActorSpec>) {
        let place = Accepts::between(-1000.0, 50_000.0, "a route distance in m");
        let shift = w.lane_shift.as_ref().map(|l| {
            let lp = p.field("lane_shift");
            let from_s = self.num(&lp.field("from_s"), &l.from_s, place);
            let to_s = self.num(&lp.field("to_s"), &l.to_s, place);
            let taper = self.num(&lp.field("taper"), &l.taper, Accepts::between(0.0, 1000.0, "a taper in m"));
            let max = road.lane_width;
            let offset =
                self.num(&lp.field("offset"), &l.offset, Accepts::between(-max, max, "an offset in m"));
            if to_s < from_s + 2.0 * taper {
                self.error(
                    &lp.field("to_s"),
                    format!(
                        "expected the end at least two tapers after the start (≥ {}), found {to_s}",
                        from_s + 2.0 * taper
                    ),
                );
            }
            LaneShift { from_s, to_s, taper, offset }
        });
        let mut out = Vec::new();
        for (i, c) in w.cones.iter().enumerate() {
            let cp = p.field("cones").index(i);
            let d = self.num(&cp.field("d"), &c.d, Accepts::between(-100.0, 100.0, "a lateral offset in m"));
            let from_s = self.num(&cp.field("from_s"), &c.from_s, place);
            let to_s = self.num(&cp.field("to_s"), &c.to_s, place);
            let spacing =
                self.num(&cp.field("spacing"), &c.spacing, Accepts::between(0.5, 1000.0, "a spacing in m"));
            if to_s < from_s {
                self.error(
                    &cp.field("to_s"),
                    format!("expected the end at or after the start ({from_s}), found {to_s}"),
                );
                continue;
            }
            let n = ((to_s - from_s) / spacing).floor() as usize + 1;
            if first_id as usize + out.len() + n > MAX_ACTORS {
                self.error(&cp, format!("{n} more cones make more than {MAX_ACTORS} actors"));
                continue;
            }
            let line = cones(d, from_s, to_s, spacing, first_id + out.len() as u32);
            out.extend(line);
        }
        (shift, out)
    }
}

/// Calls `f` for every number of the conditions, with paths under `environment` (`p`).
pub(crate) fn visit_conditions(
    p: &FieldPath,
    illumination: &mut IlluminationFile,
    weather: &mut WeatherFile,
    f: &mut dyn FnMut(&FieldPath, &mut Num),
) {
    if let IlluminationFile::LowSun { azimuth_deg } = illumination {
        f(&p.field("illumination").field("azimuth_deg"), azimuth_deg);
    }
    match weather {
        WeatherFile::Rain { intensity } => f(&p.field("weather").field("intensity"), intensity),
        WeatherFile::Fog { visibility } => f(&p.field("weather").field("visibility"), visibility),
        WeatherFile::Clear | WeatherFile::Spray => {}
    }
}

/// Calls `f` for every number of the `road_works` section (`p`).
pub(crate) fn visit_road_works(
    p: &FieldPath,
    w: &mut RoadWorksFile,
    f: &mut dyn FnMut(&FieldPath, &mut Num),
) {
    if let Some(l) = &mut w.lane_shift {
        let lp = p.field("lane_shift");
        f(&lp.field("from_s"), &mut l.from_s);
        f(&lp.field("to_s"), &mut l.to_s);
        f(&lp.field("taper"), &mut l.taper);
        f(&lp.field("offset"), &mut l.offset);
    }
    for (i, c) in w.cones.iter_mut().enumerate() {
        let cp = p.field("cones").index(i);
        f(&cp.field("d"), &mut c.d);
        f(&cp.field("from_s"), &mut c.from_s);
        f(&cp.field("to_s"), &mut c.to_s);
        f(&cp.field("spacing"), &mut c.spacing);
    }
}

/// The conditions' fields of `environment: (…)` as RON (with a leading `, `).
pub(crate) fn conditions_text(i: &IlluminationFile, w: &WeatherFile, num: fn(&Num) -> String) -> String {
    let illumination = match i {
        IlluminationFile::Day => "Day".to_owned(),
        IlluminationFile::Night => "Night".to_owned(),
        IlluminationFile::LowSun { azimuth_deg } => format!("LowSun(azimuth_deg: {})", num(azimuth_deg)),
    };
    let weather = match w {
        WeatherFile::Clear => "Clear".to_owned(),
        WeatherFile::Rain { intensity } => format!("Rain(intensity: {})", num(intensity)),
        WeatherFile::Fog { visibility } => format!("Fog(visibility: {})", num(visibility)),
        WeatherFile::Spray => "Spray".to_owned(),
    };
    format!(", illumination: {illumination}, weather: {weather}")
}

/// The `road_works` section as RON.
pub(crate) fn road_works_text(w: &RoadWorksFile, num: fn(&Num) -> String) -> String {
    let mut out = String::from("(");
    if let Some(l) = &w.lane_shift {
        out.push_str(&format!(
            "lane_shift: (from_s: {}, to_s: {}, taper: {}, offset: {}), ",
            num(&l.from_s),
            num(&l.to_s),
            num(&l.taper),
            num(&l.offset)
        ));
    }
    let cones: Vec<String> = w
        .cones
        .iter()
        .map(|c| {
            format!(
                "(d: {}, from_s: {}, to_s: {}, spacing: {})",
                num(&c.d),
                num(&c.from_s),
                num(&c.to_s),
                num(&c.spacing)
            )
        })
        .collect();
    out.push_str(&format!("cones: [{}])", cones.join(", ")));
    out
}

#[cfg(test)]
mod tests {
    use gauntlet_ron_source::SourceFile;

    use crate::Scenario;

    fn with_traffic(amount: &str) -> Scenario {
        let text = format!(
            r#"Scenario(
    id: "t.preset", title: "t", duration: 10.0,
    road: (lanes: 2, speed_limit: 25.0, layout: Straight(length: 3000.0)),
    environment: (illumination: LowSun(azimuth_deg: 90.0), weather: Rain(intensity: 20.0)),
    ego: (speed: 20.0, goal: (s: 150.0)),
    road_works: (lane_shift: (from_s: 500.0, to_s: 900.0, offset: -0.5), cones: [(d: -1.5, from_s: 600.0, to_s: 650.0)]),
    traffic: (from_s: 0.0, to_s: 2000.0, {amount}, speed_min: 20.0, speed_max: 24.0),
    criteria: [NoCollision],
)"#
        );
        Scenario::from_source(SourceFile::new("t.ron", text)).expect("valid")
    }

    #[test]
    fn a_preset_is_its_density() {
        for (preset, density) in [("Free", 5), ("Light", 12), ("Dense", 30)] {
            let a = with_traffic(&format!("preset: {preset}")).instance(3).world;
            let b = with_traffic(&format!("density: {density}.0")).instance(3).world;
            assert_eq!(a.actors, b.actors, "{preset}");
        }
    }

    #[test]
    fn conditions_and_road_works_reach_the_world() {
        use gauntlet_engine::conditions::{Illumination, Weather};
        let w = with_traffic("preset: Light").instance(0).world;
        let c = w.environment.conditions;
        assert_eq!(c.illumination, Illumination::LowSun { azimuth: 90f64.to_radians() });
        assert_eq!(c.weather, Weather::Rain { intensity: 20.0 });
        let shift = c.lane_shift.expect("lane shift");
        assert_eq!((shift.from_s, shift.to_s, shift.taper, shift.offset), (500.0, 900.0, 30.0, -0.5));
        // Six cones right after the (no) listed actors, before the traffic.
        let cones: Vec<_> = w.actors.iter().filter(|a| a.name.starts_with("cone.")).collect();
        assert_eq!(cones.len(), 6);
        assert_eq!(cones[0].id, 1);
        assert!(w.actors.iter().skip(6).all(|a| a.name.starts_with("traffic.")));
    }
}
