//! Every number of a raw scenario file, with the field path the validating
//! walk gives it (`actors[0].behaviours[1].at`, `road.layout.length`): the
//! keys of parameter values. Used to turn parameters into fixed numbers.

use gauntlet_ron_source::FieldPath;

use crate::param::Num;
use crate::raw::*;

/// Calls `f` with the path and the number of every number in `file`, in file order.
pub(crate) fn visit_file(file: &mut ScenarioFile, f: &mut dyn FnMut(&FieldPath, &mut Num)) {
    let root = FieldPath::root();
    let ScenarioFile {
        id: _,
        title: _,
        description: _,
        tags: _,
        hazards: _,
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
        generated: _,
        beyond: _,
        stop,
    } = file;
    f(&root.field("duration"), duration);
    if let Some(groups) = stop {
        super::write_when::visit_when(&root.field("stop"), groups, f);
    }
    f(&root.field("dt"), dt);

    let p = root.field("road");
    let RoadFile { lanes, lane_width, speed_limit, layout, edge: _, shoulder, oncoming_lanes, lane_drop } =
        road;
    f(&p.field("lanes"), lanes);
    f(&p.field("lane_width"), lane_width);
    f(&p.field("speed_limit"), speed_limit);
    f(&p.field("shoulder"), shoulder);
    f(&p.field("oncoming_lanes"), oncoming_lanes);
    crate::lane_drop::visit_lane_drop(&p.field("lane_drop"), lane_drop, f);
    let lp = p.field("layout");
    match layout {
        LayoutFile::Straight { length } => f(&lp.field("length"), length),
        LayoutFile::Curve { approach, radius, angle_deg, direction: _, exit } => {
            f(&lp.field("approach"), approach);
            f(&lp.field("radius"), radius);
            f(&lp.field("angle_deg"), angle_deg);
            f(&lp.field("exit"), exit);
        }
        LayoutFile::Intersection { approach, exit, cross_lane_width, arm_length, signal } => {
            f(&lp.field("approach"), approach);
            f(&lp.field("exit"), exit);
            f(&lp.field("cross_lane_width"), cross_lane_width);
            f(&lp.field("arm_length"), arm_length);
            if let Some(signal) = signal {
                visit_signal(&lp.field("signal"), signal, f);
            }
        }
        LayoutFile::Segments { segments } => {
            for (i, SegmentFile { length, curvature, curvature_end, reference_offset, param_poly3 }) in
                segments.iter_mut().enumerate()
            {
                let sp = lp.field("segments").index(i);
                f(&sp.field("length"), length);
                f(&sp.field("curvature"), curvature);
                if let Some(c) = curvature_end {
                    f(&sp.field("curvature_end"), c);
                }
                f(&sp.field("reference_offset"), reference_offset);
                if let Some(Poly3File { u, v }) = param_poly3 {
                    let pp = sp.field("param_poly3");
                    for (name, coeffs) in [("u", u), ("v", v)] {
                        for (k, c) in coeffs.iter_mut().enumerate() {
                            f(&pp.field(name).index(k), c);
                        }
                    }
                }
            }
        }
        LayoutFile::Junction {
            approach,
            left,
            ahead,
            right,
            corner_radius,
            route: _,
            signal,
            stop_sign: _,
        } => {
            f(&lp.field("approach"), approach);
            for (name, arm) in [
                ("left", left.as_deref_mut()),
                ("ahead", ahead.as_deref_mut()),
                ("right", right.as_deref_mut()),
            ] {
                if let Some(ArmFile { heading_deg, lanes_in, lanes_out, length }) = arm {
                    let ap = lp.field(name);
                    if let Some(h) = heading_deg {
                        f(&ap.field("heading_deg"), h);
                    }
                    f(&ap.field("lanes_in"), lanes_in);
                    f(&ap.field("lanes_out"), lanes_out);
                    f(&ap.field("length"), length);
                }
            }
            f(&lp.field("corner_radius"), corner_radius);
            if let Some(signal) = signal {
                visit_signal(&lp.field("signal"), signal, f);
            }
        }
        LayoutFile::Crosswalk { approach, exit, width } => {
            f(&lp.field("approach"), approach);
            f(&lp.field("exit"), exit);
            f(&lp.field("width"), width);
        }
    }

    let p = root.field("environment");
    let EnvironmentFile { friction, sensor, illumination, weather } = environment;
    f(&p.field("friction"), friction);
    crate::conditions::visit_conditions(&p, illumination, weather, f);
    let sp = p.field("sensor");
    let SensorFile { range, fov_deg, noise_sigma, dropout, latency_steps, occlusion: _, faults } = sensor;
    f(&sp.field("range"), range);
    f(&sp.field("fov_deg"), fov_deg);
    f(&sp.field("noise_sigma"), noise_sigma);
    f(&sp.field("dropout"), dropout);
    f(&sp.field("latency_steps"), latency_steps);
    visit_faults(&sp.field("faults"), faults, f);

    let p = root.field("ego");
    let EgoFile { lane, s, speed, goal, vehicle } = ego;
    f(&p.field("lane"), lane);
    f(&p.field("s"), s);
    f(&p.field("speed"), speed);
    f(&p.field("goal").field("s"), &mut goal.s);
    let vp = p.field("vehicle");
    let VehicleFile { length, width, wheelbase, max_accel, max_decel, max_steer } = vehicle;
    f(&vp.field("length"), length);
    f(&vp.field("width"), width);
    f(&vp.field("wheelbase"), wheelbase);
    f(&vp.field("max_accel"), max_accel);
    f(&vp.field("max_decel"), max_decel);
    f(&vp.field("max_steer"), max_steer);

    let p = root.field("actors");
    for (i, a) in actors.iter_mut().enumerate() {
        visit_actor(&p.index(i), a, f);
    }

    if let Some(t) = traffic {
        crate::traffic::visit_traffic(&root.field("traffic"), t, f);
    }
    if let Some(w) = road_works {
        crate::conditions::visit_road_works(&root.field("road_works"), w, f);
    }
    crate::control_loss::visit_surface(&root.field("surface"), surface, f);
    if let Some(e) = ego_fault {
        crate::control_loss::visit_ego_fault(&root.field("ego_fault"), e, f);
    }

    let p = root.field("criteria");
    for (i, c) in criteria.iter_mut().enumerate() {
        let cp = p.index(i);
        match c {
            CriterionFile::NoCollision
            | CriterionFile::StayOnRoad
            | CriterionFile::StopAtRed
            | CriterionFile::StopAtSign => {}
            CriterionFile::MinTtc { min } | CriterionFile::MinGap { min } => f(&cp.field("min"), min),
            CriterionFile::SpeedLimit { tolerance } => f(&cp.field("tolerance"), tolerance),
            CriterionFile::MaxDecel { max } | CriterionFile::MaxJerk { max } => f(&cp.field("max"), max),
            CriterionFile::ReachGoal { within } => f(&cp.field("within"), within),
            CriterionFile::Formula { scale, .. } => f(&cp.field("scale"), scale),
        }
    }
}

/// The numbers of a traffic light's cycle (intersection and junction layouts).
fn visit_signal(sp: &FieldPath, signal: &mut SignalFile, f: &mut dyn FnMut(&FieldPath, &mut Num)) {
    let SignalFile { green, amber, red, offset } = signal;
    f(&sp.field("green"), green);
    f(&sp.field("amber"), amber);
    f(&sp.field("red"), red);
    f(&sp.field("offset"), offset);
}

/// Calls `f` for every number of one actor, with paths under `p`.
pub(crate) fn visit_actor(p: &FieldPath, a: &mut ActorFile, f: &mut dyn FnMut(&FieldPath, &mut Num)) {
    let ActorFile {
        name: _,
        kind: _,
        path: _,
        lane,
        d,
        s,
        speed,
        heading_deg,
        length,
        width,
        behaviours,
        sight_range,
        runs_red: _,
    } = a;
    if let Some(n) = lane {
        f(&p.field("lane"), n);
    }
    if let Some(n) = d {
        f(&p.field("d"), n);
    }
    f(&p.field("s"), s);
    f(&p.field("speed"), speed);
    f(&p.field("heading_deg"), heading_deg);
    if let Some(n) = length {
        f(&p.field("length"), n);
    }
    if let Some(n) = width {
        f(&p.field("width"), n);
    }
    if let Some(n) = sight_range {
        f(&p.field("sight_range"), n);
    }
    let bp = p.field("behaviours");
    for (k, step) in behaviours.iter_mut().enumerate() {
        let sp = bp.index(k);
        let at = sp.field("at");
        match &mut step.at {
            TriggerFile::Immediately => {}
            TriggerFile::Time(n) | TriggerFile::EgoDistance(n) | TriggerFile::EgoTimeToArrival(n) => {
                f(&at, n)
            }
            TriggerFile::ActorDistance { actor: _, distance } => f(&at.field("distance"), distance),
            TriggerFile::When(groups) => super::write_when::visit_when(&at, groups, f),
        }
        let dp = sp.field("do");
        match &mut step.action {
            BehaviourFile::KeepLane { speed } => f(&dp.field("speed"), speed),
            BehaviourFile::ChangeLane { lane, duration, speed, shape: _ } => {
                f(&dp.field("lane"), lane);
                f(&dp.field("duration"), duration);
                f(&dp.field("speed"), speed);
            }
            BehaviourFile::ChangeSpeed { speed, rate } => {
                f(&dp.field("speed"), speed);
                f(&dp.field("rate"), rate);
            }
            BehaviourFile::Brake { decel } => f(&dp.field("decel"), decel),
            BehaviourFile::Cross { speed, to_d } => {
                f(&dp.field("speed"), speed);
                f(&dp.field("to_d"), to_d);
            }
            BehaviourFile::Stand => {}
            BehaviourFile::Overtake { lane, duration, speed, gap } => {
                f(&dp.field("lane"), lane);
                f(&dp.field("duration"), duration);
                f(&dp.field("speed"), speed);
                f(&dp.field("gap"), gap);
            }
            BehaviourFile::CrossWhenClear { speed, to_d, min_tta } => {
                f(&dp.field("speed"), speed);
                f(&dp.field("to_d"), to_d);
                f(&dp.field("min_tta"), min_tta);
            }
            BehaviourFile::Reverse { speed, distance } => {
                f(&dp.field("speed"), speed);
                f(&dp.field("distance"), distance);
            }
            BehaviourFile::Drift { lane, lateral_speed, depth, hold, recover: _, speed } => {
                f(&dp.field("lane"), lane);
                f(&dp.field("lateral_speed"), lateral_speed);
                f(&dp.field("depth"), depth);
                f(&dp.field("hold"), hold);
                f(&dp.field("speed"), speed);
            }
            BehaviourFile::GiveWay { speed, min_gap } => {
                f(&dp.field("speed"), speed);
                f(&dp.field("min_gap"), min_gap);
            }
            BehaviourFile::ShapedSpeed { speed, duration, shape: _ } => {
                f(&dp.field("speed"), speed);
                f(&dp.field("duration"), duration);
            }
            BehaviourFile::Teleport { s, d, heading_deg } => {
                f(&dp.field("s"), s);
                f(&dp.field("d"), d);
                f(&dp.field("heading_deg"), heading_deg);
            }
            BehaviourFile::LaneOffset { lane, offset, shape: _, max_lateral_accel, speed } => {
                f(&dp.field("lane"), lane);
                f(&dp.field("offset"), offset);
                f(&dp.field("max_lateral_accel"), max_lateral_accel);
                f(&dp.field("speed"), speed);
            }
        }
    }
}

/// The time-valued triggers of the actors (`Time` and `EgoTimeToArrival`):
/// what a trigger shift moves. Paths in file order.
pub(crate) fn time_triggers(file: &ScenarioFile) -> Vec<String> {
    let root = FieldPath::root().field("actors");
    let mut out = Vec::new();
    for (i, a) in file.actors.iter().enumerate() {
        for (k, step) in a.behaviours.iter().enumerate() {
            if matches!(step.at, TriggerFile::Time(_) | TriggerFile::EgoTimeToArrival(_)) {
                out.push(root.index(i).field("behaviours").index(k).field("at").to_string());
            }
        }
    }
    out
}

/// Shifts the time trigger at `path` by `shift` s (kept ≥ `floor`). The
/// trigger's number must already be fixed. Returns whether it was found.
pub(crate) fn shift_trigger(file: &mut ScenarioFile, path: &str, shift: f64, floor: f64) -> bool {
    let root = FieldPath::root().field("actors");
    for (i, a) in file.actors.iter_mut().enumerate() {
        for (k, step) in a.behaviours.iter_mut().enumerate() {
            if root.index(i).field("behaviours").index(k).field("at").to_string() != path {
                continue;
            }
            let floor = match step.at {
                TriggerFile::Time(_) => 0.0,
                TriggerFile::EgoTimeToArrival(_) => floor,
                _ => return false,
            };
            if let TriggerFile::Time(n) | TriggerFile::EgoTimeToArrival(n) = &mut step.at {
                *n = Num::Fixed((n.nominal() + shift).max(floor));
                return true;
            }
        }
    }
    false
}

fn visit_faults(p: &FieldPath, faults: &mut FaultsFile, f: &mut dyn FnMut(&FieldPath, &mut Num)) {
    let FaultsFile { burst, ghosts, misclassification, bias, id_switch_rate } = faults;
    let BurstFile { rate, mean_burst_steps } = burst;
    f(&p.field("burst").field("rate"), rate);
    f(&p.field("burst").field("mean_burst_steps"), mean_burst_steps);
    let GhostsFile { rate_hz, lifetime, ahead_min, ahead_max } = ghosts;
    let gp = p.field("ghosts");
    f(&gp.field("rate_hz"), rate_hz);
    f(&gp.field("lifetime"), lifetime);
    f(&gp.field("ahead_min"), ahead_min);
    f(&gp.field("ahead_max"), ahead_max);
    f(&p.field("misclassification"), misclassification);
    let BiasFile { longitudinal, lateral } = bias;
    f(&p.field("bias").field("longitudinal"), longitudinal);
    f(&p.field("bias").field("lateral"), lateral);
    f(&p.field("id_switch_rate"), id_switch_rate);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    #[test]
    fn the_visitor_finds_exactly_the_parameters_of_every_library_scenario() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("library");
        for path in crate::discover(&[root]).expect("library lists") {
            let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
            let mut file = scenario.file().clone();
            let mut found = Vec::new();
            visit_file(&mut file, &mut |p, n| {
                if n.is_parameter() {
                    found.push(p.to_string());
                }
            });
            let expected: Vec<String> = scenario.parameters().iter().map(|p| p.path.clone()).collect();
            let (mut a, mut b) = (found.clone(), expected.clone());
            a.sort();
            b.sort();
            assert_eq!(a, b, "{}", path.display());
        }
    }
}
