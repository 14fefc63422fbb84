//! Writes a raw scenario file back as RON text that parses to an equal
//! file. Fuzzed instances are built as raw files and then written, so that
//! they pass through exactly the validation every scenario file passes.
//!
//! Every struct is destructured field by field: a field added to the schema
//! and not written here is a compile error, not a silently dropped value.

use std::fmt::Write as _;

use crate::param::Num;
use crate::raw::*;

/// The RON text of `file` (its `fuzz` section left out).
pub(crate) fn scenario_text(file: &ScenarioFile) -> String {
    let ScenarioFile {
        id,
        title,
        description,
        tags,
        hazards,
        duration,
        dt,
        road,
        environment,
        ego,
        actors,
        traffic,
        road_works,
        surface,
        ego_fault,
        criteria,
        fuzz: _,
        generated,
        beyond,
        stop,
    } = file;
    let mut w = String::with_capacity(2048);
    w.push_str("Scenario(\n");
    let _ = writeln!(w, "    id: {},", string(id));
    let _ = writeln!(w, "    title: {},", string(title));
    let _ = writeln!(w, "    description: {},", string(description));
    w.push_str("    tags: {");
    for (i, (k, v)) in tags.iter().enumerate() {
        let _ = write!(w, "{}{}: {}", if i > 0 { ", " } else { "" }, string(k), string(v));
    }
    w.push_str("},\n    hazards: [");
    for (i, h) in hazards.iter().enumerate() {
        let _ = write!(w, "{}{}", if i > 0 { ", " } else { "" }, string(h));
    }
    w.push_str("],\n");
    let _ = writeln!(w, "    duration: {},", num(duration));
    let _ = writeln!(w, "    dt: {},", num(dt));
    let _ = writeln!(w, "    road: {},", road_text(road));
    let _ = writeln!(w, "    environment: {},", environment_text(environment));
    let _ = writeln!(w, "    ego: {},", ego_text(ego));
    w.push_str("    actors: [\n");
    for a in actors {
        let _ = writeln!(w, "        {},", actor_text(a));
    }
    w.push_str("    ],\n");
    if let Some(t) = traffic {
        let _ = writeln!(w, "    traffic: {},", crate::traffic::traffic_text(t, num));
    }
    if let Some(r) = road_works {
        let _ = writeln!(w, "    road_works: {},", crate::conditions::road_works_text(r, num));
    }
    if !surface.is_empty() {
        let _ = writeln!(w, "    surface: {},", crate::control_loss::surface_text(surface, num));
    }
    if let Some(e) = ego_fault {
        let _ = writeln!(w, "    ego_fault: {},", crate::control_loss::ego_fault_text(e, num));
    }
    w.push_str("    criteria: [");
    for (i, c) in criteria.iter().enumerate() {
        let _ = write!(w, "{}{}", if i > 0 { ", " } else { "" }, criterion_text(c));
    }
    w.push_str("],\n");
    if let Some(g) = generated {
        let list = |items: &[String]| items.iter().map(|i| string(i)).collect::<Vec<_>>().join(", ");
        let _ = writeln!(
            w,
            "    generated: (\n        from: {},\n        file: {},\n        pair: [{}],\n        transforms: [\n            {},\n        ],\n    ),",
            string(&g.from),
            string(&g.file),
            list(&g.pair),
            g.transforms.iter().map(|t| string(t)).collect::<Vec<_>>().join(",\n            ")
        );
    }
    if let Some(b) = beyond {
        let _ = writeln!(w, "    beyond: {},", crate::boundary::beyond_text(b, string));
    }
    if let Some(groups) = stop {
        let _ = writeln!(w, "    stop: {},", super::write_when::groups_text(groups));
    }
    w.push_str(")\n");
    w
}

/// A RON string literal.
pub(crate) fn string(s: &str) -> String {
    // Escapes exactly as ron reads them back.
    ron::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A float literal that reads back to the same bits (`{:?}` is the shortest
/// round-tripping form and always has a `.` or an exponent).
fn float(v: f64) -> String {
    format!("{v:?}")
}

/// A number, range or choice.
pub(crate) fn num(n: &Num) -> String {
    match n {
        Num::Fixed(v) => float(*v),
        Num::Range { min, max, nominal } => {
            format!("Range(min: {}, max: {}, nominal: {})", float(*min), float(*max), float(*nominal))
        }
        Num::Choice { values, nominal } => {
            let values: Vec<String> = values.iter().map(|v| float(*v)).collect();
            format!("Choice(values: [{}], nominal: {})", values.join(", "), float(*nominal))
        }
    }
}

fn road_text(r: &RoadFile) -> String {
    let RoadFile { lanes, lane_width, speed_limit, layout, edge, shoulder, oncoming_lanes, lane_drop } = r;
    let layout = match layout {
        LayoutFile::Straight { length } => format!("Straight(length: {})", num(length)),
        LayoutFile::Curve { approach, radius, angle_deg, direction, exit } => format!(
            "Curve(approach: {}, radius: {}, angle_deg: {}, direction: {}, exit: {})",
            num(approach),
            num(radius),
            num(angle_deg),
            match direction {
                Direction::Left => "Left",
                Direction::Right => "Right",
            },
            num(exit)
        ),
        LayoutFile::Intersection { approach, exit, cross_lane_width, arm_length, signal } => format!(
            "Intersection(approach: {}, exit: {}, cross_lane_width: {}, arm_length: {}{})",
            num(approach),
            num(exit),
            num(cross_lane_width),
            num(arm_length),
            signal.as_ref().map_or(String::new(), |SignalFile { green, amber, red, offset }| format!(
                ", signal: (green: {}, amber: {}, red: {}, offset: {})",
                num(green),
                num(amber),
                num(red),
                num(offset)
            ))
        ),
        LayoutFile::Segments { segments } => {
            let pieces: Vec<String> = segments
                .iter()
                .map(|SegmentFile { length, curvature, curvature_end, reference_offset, param_poly3 }| {
                    format!(
                        "(length: {}, curvature: {}{}, reference_offset: {}{})",
                        num(length),
                        num(curvature),
                        curvature_end
                            .as_ref()
                            .map_or(String::new(), |c| format!(", curvature_end: {}", num(c))),
                        num(reference_offset),
                        param_poly3.as_ref().map_or(String::new(), |Poly3File { u, v }| {
                            let coeffs = |c: &[Num; 4]| c.iter().map(num).collect::<Vec<_>>().join(", ");
                            format!(", param_poly3: (u: ({}), v: ({}))", coeffs(u), coeffs(v))
                        })
                    )
                })
                .collect();
            format!("Segments(segments: [{}])", pieces.join(", "))
        }
        LayoutFile::Crosswalk { approach, exit, width } => {
            format!("Crosswalk(approach: {}, exit: {}, width: {})", num(approach), num(exit), num(width))
        }
        LayoutFile::Junction { approach, left, ahead, right, corner_radius, route, signal, stop_sign } => {
            let mut t = format!("Junction(approach: {}", num(approach));
            for (name, arm) in
                [("left", left.as_deref()), ("ahead", ahead.as_deref()), ("right", right.as_deref())]
            {
                if let Some(ArmFile { heading_deg, lanes_in, lanes_out, length }) = arm {
                    t.push_str(&format!(", {name}: ("));
                    if let Some(h) = heading_deg {
                        t.push_str(&format!("heading_deg: {}, ", num(h)));
                    }
                    t.push_str(&format!(
                        "lanes_in: {}, lanes_out: {}, length: {})",
                        num(lanes_in),
                        num(lanes_out),
                        num(length)
                    ));
                }
            }
            t.push_str(&format!(", corner_radius: {}, route: {}", num(corner_radius), arm_name(*route)));
            if let Some(SignalFile { green, amber, red, offset }) = signal {
                t.push_str(&format!(
                    ", signal: (green: {}, amber: {}, red: {}, offset: {})",
                    num(green),
                    num(amber),
                    num(red),
                    num(offset)
                ));
            }
            if *stop_sign {
                t.push_str(", stop_sign: true");
            }
            t.push(')');
            t
        }
    };
    let edge = match edge {
        EdgeFile::Barrier => "Barrier",
        EdgeFile::Kerb => "Kerb",
        EdgeFile::Open => "Open",
    };
    format!(
        "(lanes: {}, lane_width: {}, speed_limit: {}, layout: {layout}, edge: {edge}, shoulder: {}, \
         oncoming_lanes: {}{})",
        num(lanes),
        num(lane_width),
        num(speed_limit),
        num(shoulder),
        num(oncoming_lanes),
        crate::lane_drop::lane_drop_text(lane_drop, num)
    )
}

fn environment_text(e: &EnvironmentFile) -> String {
    let EnvironmentFile { friction, sensor, illumination, weather } = e;
    let SensorFile { range, fov_deg, noise_sigma, dropout, latency_steps, occlusion, faults } = sensor;
    format!(
        "(friction: {}, sensor: (range: {}, fov_deg: {}, noise_sigma: {}, dropout: {}, latency_steps: {}, \
         occlusion: {occlusion}, faults: {}){})",
        num(friction),
        num(range),
        num(fov_deg),
        num(noise_sigma),
        num(dropout),
        num(latency_steps),
        faults_text(faults),
        crate::conditions::conditions_text(illumination, weather, num)
    )
}

fn faults_text(f: &FaultsFile) -> String {
    let FaultsFile { burst, ghosts, misclassification, bias, id_switch_rate } = f;
    let BurstFile { rate, mean_burst_steps } = burst;
    let GhostsFile { rate_hz, lifetime, ahead_min, ahead_max } = ghosts;
    let BiasFile { longitudinal, lateral } = bias;
    format!(
        "(burst: (rate: {}, mean_burst_steps: {}), ghosts: (rate_hz: {}, lifetime: {}, ahead_min: {}, \
         ahead_max: {}), misclassification: {}, bias: (longitudinal: {}, lateral: {}), id_switch_rate: {})",
        num(rate),
        num(mean_burst_steps),
        num(rate_hz),
        num(lifetime),
        num(ahead_min),
        num(ahead_max),
        num(misclassification),
        num(longitudinal),
        num(lateral),
        num(id_switch_rate)
    )
}

fn ego_text(e: &EgoFile) -> String {
    let EgoFile { lane, s, speed, goal, vehicle } = e;
    let GoalFile { s: goal_s } = goal;
    let VehicleFile { length, width, wheelbase, max_accel, max_decel, max_steer } = vehicle;
    format!(
        "(lane: {}, s: {}, speed: {}, goal: (s: {}), vehicle: (length: {}, width: {}, wheelbase: {}, \
         max_accel: {}, max_decel: {}, max_steer: {}))",
        num(lane),
        num(s),
        num(speed),
        num(goal_s),
        num(length),
        num(width),
        num(wheelbase),
        num(max_accel),
        num(max_decel),
        num(max_steer)
    )
}

/// One actor as a RON tuple struct.
pub(crate) fn actor_text(a: &ActorFile) -> String {
    let ActorFile {
        name,
        kind,
        path,
        lane,
        d,
        s,
        speed,
        heading_deg,
        length,
        width,
        behaviours,
        sight_range,
        runs_red,
    } = a;
    let mut w = format!(
        "(name: {}, kind: {}, path: {}",
        string(name),
        match kind {
            KindFile::Vehicle => "Vehicle",
            KindFile::Pedestrian => "Pedestrian",
            KindFile::Cyclist => "Cyclist",
            KindFile::Static => "Static",
            KindFile::Motorcycle => "Motorcycle",
            KindFile::Animal => "Animal",
        },
        match path {
            PathFile::Route => "Route".to_owned(),
            PathFile::CrossNorth => "CrossNorth".to_owned(),
            PathFile::CrossSouth => "CrossSouth".to_owned(),
            PathFile::Oncoming => "Oncoming".to_owned(),
            PathFile::Movement { from, to } =>
                format!("Movement(from: {}, to: {})", arm_name(*from), arm_name(*to)),
        }
    );
    for (field, value) in [("lane", lane), ("d", d)] {
        if let Some(n) = value {
            let _ = write!(w, ", {field}: {}", num(n));
        }
    }
    let _ = write!(w, ", s: {}, speed: {}, heading_deg: {}", num(s), num(speed), num(heading_deg));
    for (field, value) in [("length", length), ("width", width), ("sight_range", sight_range)] {
        if let Some(n) = value {
            let _ = write!(w, ", {field}: {}", num(n));
        }
    }
    if *runs_red {
        w.push_str(", runs_red: true");
    }
    w.push_str(", behaviours: [");
    for (i, step) in behaviours.iter().enumerate() {
        let StepFile { at, action, parallel } = step;
        let _ = write!(
            w,
            "{}(at: {}, do: {}{})",
            if i > 0 { ", " } else { "" },
            trigger_text(at),
            behaviour_text(action),
            if *parallel { ", parallel: true" } else { "" }
        );
    }
    w.push_str("])");
    w
}

fn trigger_text(t: &TriggerFile) -> String {
    match t {
        TriggerFile::Immediately => "Immediately".to_owned(),
        TriggerFile::Time(n) => format!("Time({})", num(n)),
        TriggerFile::EgoDistance(n) => format!("EgoDistance({})", num(n)),
        TriggerFile::EgoTimeToArrival(n) => format!("EgoTimeToArrival({})", num(n)),
        TriggerFile::ActorDistance { actor, distance } => {
            format!("ActorDistance(actor: {}, distance: {})", string(actor), num(distance))
        }
        TriggerFile::When(groups) => super::write_when::when_text(groups),
    }
}

fn behaviour_text(b: &BehaviourFile) -> String {
    match b {
        BehaviourFile::KeepLane { speed } => format!("KeepLane(speed: {})", num(speed)),
        BehaviourFile::ChangeLane { lane, duration, speed, shape } => {
            let shape = match shape {
                crate::raw::ShapeFile::Sinusoidal => String::new(),
                other => format!(", shape: {other:?}"),
            };
            format!(
                "ChangeLane(lane: {}, duration: {}, speed: {}{shape})",
                num(lane),
                num(duration),
                num(speed)
            )
        }
        BehaviourFile::ChangeSpeed { speed, rate } => {
            format!("ChangeSpeed(speed: {}, rate: {})", num(speed), num(rate))
        }
        BehaviourFile::Brake { decel } => format!("Brake(decel: {})", num(decel)),
        BehaviourFile::Cross { speed, to_d } => format!("Cross(speed: {}, to_d: {})", num(speed), num(to_d)),
        BehaviourFile::Stand => "Stand".to_owned(),
        BehaviourFile::Overtake { lane, duration, speed, gap } => format!(
            "Overtake(lane: {}, duration: {}, speed: {}, gap: {})",
            num(lane),
            num(duration),
            num(speed),
            num(gap)
        ),
        BehaviourFile::CrossWhenClear { speed, to_d, min_tta } => {
            format!("CrossWhenClear(speed: {}, to_d: {}, min_tta: {})", num(speed), num(to_d), num(min_tta))
        }
        BehaviourFile::Reverse { speed, distance } => {
            format!("Reverse(speed: {}, distance: {})", num(speed), num(distance))
        }
        BehaviourFile::Drift { lane, lateral_speed, depth, hold, recover, speed } => format!(
            "Drift(lane: {}, lateral_speed: {}, depth: {}, hold: {}, recover: {recover}, speed: {})",
            num(lane),
            num(lateral_speed),
            num(depth),
            num(hold),
            num(speed)
        ),
        BehaviourFile::GiveWay { speed, min_gap } => {
            format!("GiveWay(speed: {}, min_gap: {})", num(speed), num(min_gap))
        }
        BehaviourFile::ShapedSpeed { speed, duration, shape } => {
            format!("ShapedSpeed(speed: {}, duration: {}, shape: {shape:?})", num(speed), num(duration))
        }
        BehaviourFile::Teleport { s, d, heading_deg } => {
            format!("Teleport(s: {}, d: {}, heading_deg: {})", num(s), num(d), num(heading_deg))
        }
        BehaviourFile::LaneOffset { lane, offset, shape, max_lateral_accel, speed } => format!(
            "LaneOffset(lane: {}, offset: {}, shape: {shape:?}, max_lateral_accel: {}, speed: {})",
            num(lane),
            num(offset),
            num(max_lateral_accel),
            num(speed)
        ),
    }
}

fn criterion_text(c: &CriterionFile) -> String {
    match c {
        CriterionFile::NoCollision => "NoCollision".to_owned(),
        CriterionFile::MinTtc { min } => format!("MinTtc(min: {})", num(min)),
        CriterionFile::MinGap { min } => format!("MinGap(min: {})", num(min)),
        CriterionFile::StayOnRoad => "StayOnRoad".to_owned(),
        CriterionFile::SpeedLimit { tolerance } => format!("SpeedLimit(tolerance: {})", num(tolerance)),
        CriterionFile::MaxDecel { max } => format!("MaxDecel(max: {})", num(max)),
        CriterionFile::MaxJerk { max } => format!("MaxJerk(max: {})", num(max)),
        CriterionFile::ReachGoal { within } => format!("ReachGoal(within: {})", num(within)),
        CriterionFile::StopAtRed => "StopAtRed".to_owned(),
        CriterionFile::StopAtSign => "StopAtSign".to_owned(),
        CriterionFile::Formula { name, stl, unit, scale } => format!(
            "Formula(name: {}, stl: {}, unit: {}, scale: {})",
            string(name),
            string(stl),
            string(unit),
            num(scale)
        ),
    }
}

/// An arm's name as scenario files write it.
fn arm_name(a: ArmName) -> &'static str {
    match a {
        ArmName::Approach => "Approach",
        ArmName::Left => "Left",
        ArmName::Ahead => "Ahead",
        ArmName::Right => "Right",
    }
}

#[cfg(test)]
mod tests {
    use gauntlet_ron_source::SourceFile;
    use proptest::prelude::*;

    use super::*;
    use crate::Scenario;

    fn library() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
        crate::discover(&[root]).expect("library lists")
    }

    #[test]
    fn every_library_scenario_round_trips_through_the_writer() {
        let files = library();
        assert!(!files.is_empty());
        for path in files {
            let original = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            let text = scenario_text(original.file());
            let copy = Scenario::from_source(SourceFile::new(&path, text.clone()))
                .unwrap_or_else(|e| panic!("{}: written text does not load: {e}\n{text}", path.display()));
            assert_eq!(scenario_text(copy.file()), text, "{}", path.display());
            assert_eq!(copy.parameters(), original.parameters(), "{}", path.display());
            for seed in [0, 1, 7] {
                assert_eq!(copy.instance(seed), original.instance(seed), "{} seed {seed}", path.display());
            }
        }
    }

    proptest! {
        #[test]
        fn floats_read_back_bit_for_bit(v in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            let back: Num = ron::from_str(&float(v)).expect("parses");
            prop_assert_eq!(back.nominal().to_bits(), v.to_bits());
        }

        #[test]
        fn strings_read_back_unchanged(s in ".*") {
            let back: String = ron::from_str(&string(&s)).expect("parses");
            prop_assert_eq!(back, s);
        }
    }
}
