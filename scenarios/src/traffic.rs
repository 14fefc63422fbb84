//! The optional `traffic:` section: lanes of the route populated with
//! scripted vehicles from the seed (dense highway or urban traffic without
//! listing every vehicle). Its schema, its validation in the walk, and its
//! numbers for the fuzzer's visitor and writer. The placement itself is the
//! engine's ([`gauntlet_engine::traffic`]).

use std::fmt::Write as _;

use gauntlet_engine::road::RoadSpec;
use gauntlet_engine::traffic::{TrafficAmount, TrafficSpec, populate};
use gauntlet_engine::{ActorSpec, EgoSpec};
use gauntlet_ron_source::FieldPath;
use serde::Deserialize;

use crate::param::Num;
use crate::resolve::{Accepts, MAX_ACTORS, Walk};

fn fixed(v: f64) -> Num {
    Num::Fixed(v)
}
fn default_min_gap() -> Num {
    fixed(10.0)
}
fn default_length() -> Num {
    fixed(4.5)
}
fn default_width() -> Num {
    fixed(1.8)
}
fn default_ego_gap() -> Num {
    fixed(30.0)
}

/// `traffic: (…)`: vehicles generated on lanes of the route, each keeping
/// its lane with IDM at its own desired speed.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrafficFile {
    /// Lanes to populate (default: every lane of the road).
    #[serde(default)]
    pub lanes: Option<Vec<Num>>,
    /// Start of the populated stretch, route distance in m.
    pub from_s: Num,
    /// End of the populated stretch, m.
    pub to_s: Num,
    /// Vehicles per km per lane (give `density` or `count`).
    #[serde(default)]
    pub density: Option<Num>,
    /// Vehicles in all, shared over the lanes (give `density` or `count`).
    #[serde(default)]
    pub count: Option<Num>,
    /// A density preset instead of `density` (`Free`, `Light`, `Dense`, `Jam`).
    #[serde(default)]
    pub preset: Option<crate::conditions::DensityPreset>,
    /// Lowest desired speed, m/s.
    pub speed_min: Num,
    /// Highest desired speed, m/s (each vehicle draws its own in between).
    pub speed_max: Num,
    /// Smallest bumper-to-bumper gap at the start, m (default 10); caps the density.
    #[serde(default = "default_min_gap")]
    pub min_gap: Num,
    /// Vehicle length, m (default 4.5).
    #[serde(default = "default_length")]
    pub length: Num,
    /// Vehicle width, m (default 1.8).
    #[serde(default = "default_width")]
    pub width: Num,
    /// Free road ahead of and behind the ego in its lane at the start, m (default 30).
    #[serde(default = "default_ego_gap")]
    pub ego_gap: Num,
}

impl Walk<'_> {
    /// Validates the section and generates its vehicles for this walk's
    /// values and `seed`, with ids after the `listed` actors.
    pub(crate) fn traffic(
        &mut self,
        p: &FieldPath,
        t: &TrafficFile,
        road: &RoadSpec,
        ego: &EgoSpec,
        listed: &[ActorSpec],
        seed: u64,
    ) -> Vec<ActorSpec> {
        let lanes: Vec<u32> = match &t.lanes {
            None => (0..road.lanes).collect(),
            Some(list) => {
                if list.is_empty() {
                    self.error(&p.field("lanes"), "expected at least one lane");
                }
                let mut out = Vec::with_capacity(list.len());
                for (i, n) in list.iter().enumerate() {
                    let lane = self.lane(&p.field("lanes").index(i), n, road.lanes) as u32;
                    if out.contains(&lane) {
                        self.error(&p.field("lanes").index(i), format!("lane {lane} is listed twice"));
                    }
                    out.push(lane);
                }
                out
            }
        };
        let place = Accepts::between(-1000.0, 20_000.0, "a route distance in m");
        let from_s = self.num(&p.field("from_s"), &t.from_s, place);
        let to_s = self.num(&p.field("to_s"), &t.to_s, place);
        if to_s <= from_s {
            self.error(
                &p.field("to_s"),
                format!("expected the end after the start (> {from_s}), found {to_s}"),
            );
        }
        let amount = match (&t.density, &t.count) {
            (Some(_) | None, _) if t.preset.is_some() && (t.density.is_some() || t.count.is_some()) => {
                self.error(&p.field("preset"), "give a `preset`, a `density` or a `count`, only one");
                TrafficAmount::Count(0)
            }
            (None, None) if t.preset.is_some() => {
                TrafficAmount::Density(t.preset.map_or(0.0, crate::conditions::DensityPreset::density))
            }
            (Some(n), None) => TrafficAmount::Density(self.num(
                &p.field("density"),
                n,
                Accepts::between(0.0, 250.0, "a density in vehicles per km per lane"),
            )),
            (None, Some(n)) => TrafficAmount::Count(self.num(
                &p.field("count"),
                n,
                Accepts::int(0.0, MAX_ACTORS as f64, "a vehicle count"),
            ) as u32),
            (Some(_), Some(_)) => {
                self.error(&p.field("count"), "give either `density` or `count`, not both");
                TrafficAmount::Count(0)
            }
            (None, None) => {
                self.error(p, "expected a `density` (per km per lane) or a `count`");
                TrafficAmount::Count(0)
            }
        };
        let speed = Accepts::between(0.0, 70.0, "a speed in m/s");
        let speed_min = self.num(&p.field("speed_min"), &t.speed_min, speed);
        let speed_max = self.num(&p.field("speed_max"), &t.speed_max, speed);
        if speed_max < speed_min {
            self.error(
                &p.field("speed_max"),
                format!("expected at least `speed_min` ({speed_min}), found {speed_max}"),
            );
        }
        let min_gap = self.num(&p.field("min_gap"), &t.min_gap, Accepts::between(0.5, 200.0, "a gap in m"));
        let length = self.num(&p.field("length"), &t.length, Accepts::between(1.0, 25.0, "a length in m"));
        let width = self.num(&p.field("width"), &t.width, Accepts::between(0.5, 4.0, "a width in m"));
        if width > road.lane_width {
            self.error(
                &p.field("width"),
                format!("expected a vehicle no wider than a lane ({} m), found {width}", road.lane_width),
            );
        }
        let ego_gap =
            self.num(&p.field("ego_gap"), &t.ego_gap, Accepts::between(0.0, 10_000.0, "a distance in m"));
        let spec = TrafficSpec {
            lanes,
            from_s,
            to_s,
            amount,
            speed_min,
            speed_max,
            min_gap,
            length,
            width,
            ego_gap,
        };
        if listed.len() + spec.capacity() > MAX_ACTORS {
            self.error(
                p,
                format!(
                    "{} listed actors plus {} generated vehicles is more than {MAX_ACTORS} actors",
                    listed.len(),
                    spec.capacity()
                ),
            );
            return Vec::new();
        }
        populate(&spec, seed, road, ego, listed, listed.len() as u32 + 1)
    }
}

/// Calls `f` for every number of the section, with paths under `p`.
pub(crate) fn visit_traffic(p: &FieldPath, t: &mut TrafficFile, f: &mut dyn FnMut(&FieldPath, &mut Num)) {
    let TrafficFile {
        lanes,
        from_s,
        to_s,
        density,
        count,
        preset: _,
        speed_min,
        speed_max,
        min_gap,
        length,
        width,
        ego_gap,
    } = t;
    if let Some(list) = lanes {
        for (i, n) in list.iter_mut().enumerate() {
            f(&p.field("lanes").index(i), n);
        }
    }
    f(&p.field("from_s"), from_s);
    f(&p.field("to_s"), to_s);
    if let Some(n) = density {
        f(&p.field("density"), n);
    }
    if let Some(n) = count {
        f(&p.field("count"), n);
    }
    f(&p.field("speed_min"), speed_min);
    f(&p.field("speed_max"), speed_max);
    f(&p.field("min_gap"), min_gap);
    f(&p.field("length"), length);
    f(&p.field("width"), width);
    f(&p.field("ego_gap"), ego_gap);
}

/// The section as RON text, read back to an equal value.
pub(crate) fn traffic_text(t: &TrafficFile, num: fn(&Num) -> String) -> String {
    let TrafficFile {
        lanes,
        from_s,
        to_s,
        density,
        count,
        preset,
        speed_min,
        speed_max,
        min_gap,
        length,
        width,
        ego_gap,
    } = t;
    let mut w = String::from("(");
    if let Some(p) = preset {
        let _ = write!(w, "preset: {p:?}, ");
    }
    if let Some(list) = lanes {
        let list: Vec<String> = list.iter().map(num).collect();
        let _ = write!(w, "lanes: [{}], ", list.join(", "));
    }
    let _ = write!(w, "from_s: {}, to_s: {}, ", num(from_s), num(to_s));
    for (field, value) in [("density", density), ("count", count)] {
        if let Some(n) = value {
            let _ = write!(w, "{field}: {}, ", num(n));
        }
    }
    let _ = write!(
        w,
        "speed_min: {}, speed_max: {}, min_gap: {}, length: {}, width: {}, ego_gap: {})",
        num(speed_min),
        num(speed_max),
        num(min_gap),
        num(length),
        num(width),
        num(ego_gap)
    );
    w
}
