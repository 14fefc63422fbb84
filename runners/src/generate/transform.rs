//! Applying a value's [`Realisation`] to a raw scenario file: the numbers it
//! sets, and the tag it rewrites.

use gauntlet_scenarios::Num;
use gauntlet_scenarios::conditions::{IlluminationFile, WeatherFile};
use gauntlet_scenarios::raw::{
    ActorFile, BehaviourFile, CriterionFile, FaultsFile, KindFile, ScenarioFile, SensorFile, StepFile,
    TriggerFile,
};
use gauntlet_taxonomy::{LightSetting, Realisation, WeatherSetting};

/// Why a realisation cannot be applied to a scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotApplicable(pub String);

/// Applies `realisation` (of `value` of `dimension`) to `file` and sets its
/// tag; returns what was done, in words.
pub fn apply(
    file: &mut ScenarioFile,
    dimension: &str,
    value: &str,
    realisation: &Realisation,
) -> Result<String, NotApplicable> {
    let range = |min: f64, max: f64, nominal: f64| Num::Range { min, max, nominal };
    match realisation {
        Realisation::NotRealisable { reason } => return Err(NotApplicable(reason.clone())),
        Realisation::Friction { min, max, nominal } => {
            file.environment.friction = range(*min, *max, *nominal);
        }
        Realisation::CleanSensor => clean(&mut file.environment.sensor),
        Realisation::Noise { min, max, nominal } => {
            clean(&mut file.environment.sensor);
            file.environment.sensor.noise_sigma = range(*min, *max, *nominal);
        }
        Realisation::Dropout { min, max, nominal } => {
            clean(&mut file.environment.sensor);
            file.environment.sensor.dropout = range(*min, *max, *nominal);
        }
        Realisation::Latency { steps, nominal } => {
            clean(&mut file.environment.sensor);
            file.environment.sensor.latency_steps = if steps.len() == 1 {
                Num::Fixed(f64::from(steps[0]))
            } else {
                Num::Choice {
                    values: steps.iter().map(|s| f64::from(*s)).collect(),
                    nominal: f64::from(*nominal),
                }
            };
        }
        Realisation::Speed { min, max, nominal } => scale_speed(file, *min, *max, *nominal)?,
        Realisation::Illumination(light) => {
            file.environment.illumination = match light {
                LightSetting::Day => IlluminationFile::Day,
                LightSetting::Night => IlluminationFile::Night,
                LightSetting::LowSun { azimuth_deg } => {
                    IlluminationFile::LowSun { azimuth_deg: Num::Fixed(*azimuth_deg) }
                }
            };
        }
        Realisation::Weather(weather) => {
            let wet = matches!(weather, WeatherSetting::Rain { .. } | WeatherSetting::Spray);
            if wet && file.tags.get("friction").is_some_and(|f| f == "dry") {
                return Err(NotApplicable(
                    "rain and spray cap the friction at 0.7: the scenario's dry-friction tag would be false"
                        .into(),
                ));
            }
            file.environment.weather = match weather {
                WeatherSetting::Clear => WeatherFile::Clear,
                WeatherSetting::Rain { min, max, nominal } => {
                    WeatherFile::Rain { intensity: range(*min, *max, *nominal) }
                }
                WeatherSetting::Fog { min, max, nominal } => {
                    WeatherFile::Fog { visibility: range(*min, *max, *nominal) }
                }
                WeatherSetting::Spray => WeatherFile::Spray,
            };
        }
    }
    file.tags.insert(dimension.to_owned(), value.to_owned());
    Ok(realisation.describe())
}

/// Clears every sensor degradation; range, field of view and occlusion stay.
fn clean(sensor: &mut SensorFile) {
    sensor.noise_sigma = Num::Fixed(0.0);
    sensor.dropout = Num::Fixed(0.0);
    sensor.latency_steps = Num::Fixed(0.0);
    sensor.faults = FaultsFile::default();
}

fn scaled(n: &Num, k: f64) -> Num {
    match n {
        Num::Fixed(v) => Num::Fixed(v * k),
        Num::Range { min, max, nominal } => Num::Range { min: min * k, max: max * k, nominal: nominal * k },
        Num::Choice { values, nominal } => {
            Num::Choice { values: values.iter().map(|v| v * k).collect(), nominal: nominal * k }
        }
    }
}

fn divided(n: &Num, k: f64) -> Num {
    match n {
        Num::Fixed(v) => Num::Fixed(v / k),
        Num::Range { min, max, nominal } => Num::Range { min: min / k, max: max / k, nominal: nominal / k },
        Num::Choice { values, nominal } => {
            Num::Choice { values: values.iter().map(|v| v / k).collect(), nominal: nominal / k }
        }
    }
}

/// Scales the ego, every vehicle and the speed limit by one factor so the
/// ego's nominal speed becomes `nominal` (its range clipped to the band);
/// time triggers, the duration and `ReachGoal` deadlines are divided by it.
fn scale_speed(file: &mut ScenarioFile, min: f64, max: f64, nominal: f64) -> Result<(), NotApplicable> {
    if file.traffic.is_some() {
        return Err(NotApplicable("its generated traffic sets its own speeds".into()));
    }
    let v0 = file.ego.speed.nominal();
    if v0 < 1.0 {
        return Err(NotApplicable(format!("the ego starts at {v0} m/s: no speed to scale")));
    }
    let k = nominal / v0;
    file.ego.speed = match &file.ego.speed {
        Num::Fixed(_) => Num::Fixed(nominal),
        Num::Range { min: lo, max: hi, .. } => {
            Num::Range { min: (lo * k).clamp(min, nominal), max: (hi * k).clamp(nominal, max), nominal }
        }
        Num::Choice { values, .. } => {
            let mut values: Vec<f64> = values.iter().map(|v| (v * k).clamp(min, max)).collect();
            values.dedup();
            Num::Choice { values, nominal }
        }
    };
    file.road.speed_limit = scaled(&file.road.speed_limit, k);
    file.duration = divided(&file.duration, k);
    for c in &mut file.criteria {
        if let CriterionFile::ReachGoal { within } = c {
            *within = divided(within, k);
        }
    }
    for actor in &mut file.actors {
        scale_actor(actor, k);
    }
    Ok(())
}

fn scale_actor(actor: &mut ActorFile, k: f64) {
    // Road vehicles' speeds scale with the band; pedestrians, cyclists and animals keep theirs.
    let vehicle = matches!(actor.kind, KindFile::Vehicle | KindFile::Motorcycle);
    if vehicle {
        actor.speed = scaled(&actor.speed, k);
    }
    for StepFile { at, action, .. } in &mut actor.behaviours {
        if let TriggerFile::Time(t) = at {
            *t = divided(t, k);
        }
        if !vehicle {
            continue;
        }
        match action {
            BehaviourFile::KeepLane { speed }
            | BehaviourFile::ChangeLane { speed, .. }
            | BehaviourFile::ChangeSpeed { speed, .. }
            | BehaviourFile::Overtake { speed, .. }
            | BehaviourFile::Drift { speed, .. }
            | BehaviourFile::GiveWay { speed, .. }
            | BehaviourFile::ShapedSpeed { speed, .. }
            | BehaviourFile::LaneOffset { speed, .. } => *speed = scaled(speed, k),
            // A reversing speed is a manoeuvre's, not the traffic's.
            BehaviourFile::Reverse { .. }
            | BehaviourFile::Brake { .. }
            | BehaviourFile::Cross { .. }
            | BehaviourFile::Stand
            | BehaviourFile::Teleport { .. }
            | BehaviourFile::CrossWhenClear { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_ron_source::SourceFile;

    fn file() -> ScenarioFile {
        let text = r#"Scenario(
            id: "t", title: "t", tags: {"friction": "dry", "perception": "noisy", "speed": "medium"},
            duration: 20.0,
            road: (lanes: 2, speed_limit: 15.0, layout: Straight(length: 500.0)),
            environment: (friction: 0.9, sensor: (noise_sigma: 0.3)),
            ego: (speed: Range(min: 9.0, max: 11.0, nominal: 10.0), goal: (s: 300.0)),
            actors: [
                (name: "lead", kind: Vehicle, lane: 0, s: 40.0, speed: 10.0, behaviours: [
                    (do: KeepLane(speed: 10.0)), (at: Time(4.0), do: Brake(decel: 5.0))]),
                (name: "walker", kind: Pedestrian, d: -3.0, s: 100.0, heading_deg: 90.0,
                    behaviours: [(at: Time(2.0), do: Cross(speed: 1.2, to_d: 5.0))]),
            ],
            criteria: [NoCollision, ReachGoal(within: 40.0)],
        )"#;
        SourceFile::new("t.ron", text).parse().unwrap()
    }

    #[test]
    fn friction_and_sensor_realisations_set_their_numbers_and_the_tag() {
        let mut f = file();
        apply(&mut f, "friction", "icy", &Realisation::Friction { min: 0.1, max: 0.3, nominal: 0.2 })
            .unwrap();
        assert_eq!(f.environment.friction, Num::Range { min: 0.1, max: 0.3, nominal: 0.2 });
        assert_eq!(f.tags["friction"], "icy");
        apply(&mut f, "perception", "dropout", &Realisation::Dropout { min: 0.1, max: 0.4, nominal: 0.25 })
            .unwrap();
        // The noise the scenario had is cleared: the tag says dropout, not noise and dropout.
        assert_eq!(f.environment.sensor.noise_sigma, Num::Fixed(0.0));
        assert_eq!(f.environment.sensor.dropout.nominal(), 0.25);
        assert_eq!(f.tags["perception"], "dropout");
    }

    #[test]
    fn speed_scales_vehicles_and_times_but_not_pedestrians_or_braking() {
        let mut f = file();
        apply(&mut f, "speed", "high", &Realisation::Speed { min: 19.5, max: 33.0, nominal: 25.0 }).unwrap();
        assert_eq!(f.ego.speed, Num::Range { min: 22.5, max: 27.5, nominal: 25.0 });
        assert_eq!(f.road.speed_limit, Num::Fixed(37.5));
        assert_eq!(f.duration, Num::Fixed(8.0));
        assert_eq!(f.actors[0].speed, Num::Fixed(25.0));
        let lead = &f.actors[0].behaviours;
        assert!(matches!(&lead[0].action, BehaviourFile::KeepLane { speed } if *speed == Num::Fixed(25.0)));
        assert!(matches!(&lead[1].at, TriggerFile::Time(t) if *t == Num::Fixed(1.6)));
        assert!(matches!(&lead[1].action, BehaviourFile::Brake { decel } if *decel == Num::Fixed(5.0)));
        let walker = &f.actors[1].behaviours[0];
        assert!(matches!(&walker.at, TriggerFile::Time(t) if *t == Num::Fixed(0.8)));
        assert!(matches!(&walker.action, BehaviourFile::Cross { speed, .. } if *speed == Num::Fixed(1.2)));
        assert!(matches!(&f.criteria[1], CriterionFile::ReachGoal { within } if *within == Num::Fixed(16.0)));
        assert_eq!(f.tags["speed"], "high");
    }

    #[test]
    fn weather_and_illumination_set_the_conditions_and_keep_friction_tags_true() {
        let mut f = file();
        let rain = Realisation::Weather(WeatherSetting::Rain { min: 5.0, max: 40.0, nominal: 20.0 });
        // The file's friction is tagged dry: rain would make it wet.
        assert!(apply(&mut f, "weather", "rain", &rain).unwrap_err().0.contains("dry"));
        assert!(!f.tags.contains_key("weather"));
        f.tags.insert("friction".into(), "wet".into());
        apply(&mut f, "weather", "rain", &rain).unwrap();
        assert!(
            matches!(&f.environment.weather, WeatherFile::Rain { intensity } if intensity.nominal() == 20.0)
        );
        assert_eq!(f.tags["weather"], "rain");
        // Fog touches no friction: any scenario.
        let mut f = file();
        let fog = Realisation::Weather(WeatherSetting::Fog { min: 60.0, max: 200.0, nominal: 100.0 });
        apply(&mut f, "weather", "fog", &fog).unwrap();
        assert!(
            matches!(&f.environment.weather, WeatherFile::Fog { visibility } if visibility.nominal() == 100.0)
        );
        apply(&mut f, "illumination", "night", &Realisation::Illumination(LightSetting::Night)).unwrap();
        assert!(matches!(f.environment.illumination, IlluminationFile::Night));
        assert_eq!(f.tags["illumination"], "night");
    }

    #[test]
    fn not_realisable_values_say_why() {
        let mut f = file();
        let r = Realisation::NotRealisable { reason: "geometry".into() };
        assert_eq!(apply(&mut f, "road", "urban", &r), Err(NotApplicable("geometry".into())));
        assert!(!f.tags.contains_key("road"));
    }
}
