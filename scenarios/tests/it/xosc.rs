//! OpenSCENARIO import: the malformed corpus (each refusal names the element,
//! its line and column), trajectories against analytic expectations, and the
//! equivalence of `import`'s RON with the `.xosc` it came from.

use std::path::{Path, PathBuf};

use gauntlet_engine::{RunOptions, Simulation, TraceFrame, WorldSpec, adapters};
use gauntlet_scenarios::Scenario;
use gauntlet_scenarios::xosc::{self, XoscError};

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn valid() -> Vec<PathBuf> {
    ["cut_in", "lead_brake", "lane_change", "curve_follow", "clothoid_follow", "linked_roads"]
        .iter()
        .map(|n| dir("xosc").join(format!("{n}.xosc")))
        .collect()
}

/// The 1-based line of the first line of `file` containing `marker`.
fn line_of(file: &Path, marker: &str) -> usize {
    let text = std::fs::read_to_string(file).expect("fixture");
    text.lines().position(|l| l.contains(marker)).unwrap_or_else(|| panic!("{marker} in {file:?}")) + 1
}

#[test]
fn every_malformed_file_is_refused_with_its_element_path_and_line() {
    // (scenario, file the problem is in, element path ending, message part, marker on the line)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        (
            "catalog_reference.xosc",
            "",
            "ScenarioObject[2]/CatalogReference",
            "not supported yet",
            "<CatalogReference",
        ),
        (
            "cubic_lane_change.xosc",
            "",
            "Event[1]/Action[1]/PrivateAction[1]/LateralAction/LaneChangeAction/LaneChangeActionDynamics",
            "sinusoidal",
            "dynamicsShape=\"cubic\"",
        ),
        (
            "cubic_speed.xosc",
            "",
            "SpeedAction/SpeedActionDynamics",
            "dynamicsShape \"cubic\"",
            "dynamicsShape=\"cubic\"",
        ),
        (
            "ego_in_story.xosc",
            "",
            "ManeuverGroup[1]/Actors/EntityRef[1]",
            "system under test",
            "<EntityRef entityRef=\"Ego\"/>",
        ),
        (
            "expression.xosc",
            "",
            "Private[2]/PrivateAction[2]/LongitudinalAction/SpeedAction/SpeedActionTarget/AbsoluteTargetSpeed",
            "expression",
            "${",
        ),
        (
            "follow_trajectory.xosc",
            "",
            "RoutingAction/FollowTrajectoryAction",
            "not supported yet",
            "<FollowTrajectoryAction",
        ),
        ("no_stop_trigger.xosc", "", "OpenSCENARIO/Storyboard", "StopTrigger", "<Storyboard>"),
        (
            "ttc_condition.xosc",
            "",
            "EntityCondition/TimeToCollisionCondition",
            "not supported yet",
            "<TimeToCollisionCondition",
        ),
        (
            "undeclared_parameter.xosc",
            "",
            "AbsoluteTargetSpeed",
            "undeclared parameter $LeadSped",
            "$LeadSped",
        ),
        (
            "param_poly3_road.xosc",
            "param_poly3.xodr",
            "OpenDRIVE/road[1]/planView/geometry[2]/paramPoly3",
            "refused rather than approximated",
            "<paramPoly3",
        ),
        (
            "two_way_road.xosc",
            "two_way.xodr",
            "laneSection[1]/left/lane[1]",
            "oncoming lanes of another width",
            "<lane id=\"1\"",
        ),
        (
            "poly_width_road.xosc",
            "poly_width.xodr",
            "right/lane[1]/width[1]",
            "lane width that varies along the road by 15.000 m",
            "b=\"0.01\"",
        ),
        (
            "linked_reversed_road.xosc",
            "linked_reversed.xodr",
            "OpenDRIVE/road[1]/link/successor",
            "roads run on end to start",
            "contactPoint=\"end\"",
        ),
    ];
    let root = dir("xosc-invalid");
    for &(scenario, in_file, element_end, message_part, marker) in cases {
        let path = root.join(scenario);
        let where_ = if in_file.is_empty() { path.clone() } else { root.join(in_file) };
        let err = xosc::import(&path, None).expect_err(scenario);
        let XoscError::At { file, line, column, element, message } = &err else {
            panic!("{scenario}: expected a positioned error, got {err}");
        };
        assert_eq!(file, &where_, "{err}");
        assert_eq!(*line, line_of(&where_, marker), "{err}");
        assert!(*column >= 1, "{err}");
        assert!(element.ends_with(element_end), "{scenario}: {element}");
        assert!(element.starts_with("OpenSCENARIO") || element.starts_with("OpenDRIVE"), "{element}");
        assert!(message.contains(message_part), "{scenario}: {message}");
        // The loaders report the same diagnostic.
        let loaded = Scenario::load(&path).expect_err(scenario);
        assert_eq!(loaded.diagnostics, vec![err.diagnostic()]);
    }
    // Malformed XML: the parser's position.
    let path = root.join("not_xml.xosc");
    match xosc::import(&path, None) {
        Err(XoscError::Xml { line, .. }) => assert_eq!(line, line_of(&path, "</Entitie>")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_file_of_the_malformed_corpus_is_covered() {
    let n = std::fs::read_dir(dir("xosc-invalid"))
        .expect("corpus")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "xosc")))
        .count();
    assert_eq!(n, 14, "a new malformed file needs a case in the test above");
}

fn run(world: &WorldSpec) -> gauntlet_engine::RunResult {
    let mut adapter = adapters::builtin("reference").expect("reference adapter");
    Simulation::run(world, adapter.as_mut(), RunOptions { record_trace: true })
}

fn body_at(trace: &[TraceFrame], id: u32, t: f64) -> gauntlet_engine::TraceBody {
    let frame = trace.iter().min_by(|a, b| (a.t - t).abs().total_cmp(&(b.t - t).abs())).expect("frames");
    assert!((frame.t - t).abs() < 1e-6, "no frame at {t}");
    *frame.bodies.iter().find(|b| b.id == id).expect("body")
}

#[test]
fn a_linear_speed_change_reaches_its_target_at_the_stated_time() {
    // Lead at $LeadSpeed = 20 m/s, from $BrakeStart = 3 s to 0 m/s linearly over $BrakeTime = 4 s.
    let scenario = Scenario::load(&dir("xosc").join("lead_brake.xosc")).expect("valid");
    let world = scenario.instance(0).world;
    assert!((world.environment.friction - 0.9 * 0.8).abs() < 1e-12, "friction scale onto μ");
    let result = run(&world);
    let trace = result.trace.expect("trace");
    let speed = |t: f64| {
        let b = body_at(&trace, 1, t);
        b.vx.hypot(b.vy)
    };
    assert!((speed(2.9) - 20.0).abs() < 0.05, "{}", speed(2.9));
    // Half way: 20 − 5 m/s² · 2 s; one step of slack for the trigger's step.
    assert!((speed(5.0) - 10.0).abs() <= 5.0 * 0.05 + 1e-6, "{}", speed(5.0));
    assert!(speed(6.8) > 0.5, "still slowing: {}", speed(6.8));
    assert!(speed(7.1) < 0.05, "stopped by 7 s: {}", speed(7.1));
}

#[test]
fn a_lane_change_of_given_duration_ends_on_the_target_lane_centre() {
    // Changer from lane -3 (Gauntlet lane 0) to -2 (lane 1, d = 3.5) from 2 s over 3 s.
    let scenario = Scenario::load(&dir("xosc").join("lane_change.xosc")).expect("valid");
    let result = run(&scenario.instance(0).world);
    let trace = result.trace.expect("trace");
    let d = |t: f64| body_at(&trace, 1, t).d;
    // The reference moves ½(1 − cos πp) from the trigger over the duration;
    // the car's body follows it through Stanley lane keeping, about a second
    // behind at 15 m/s (README, "OpenSCENARIO import").
    assert!(d(2.0).abs() < 1e-9, "nothing before the trigger: {}", d(2.0));
    assert!(d(2.5) > 0.0, "moving after the trigger: {}", d(2.5));
    let samples: Vec<f64> = (40..=190).map(|k| d(k as f64 * 0.05)).collect();
    assert!(samples.windows(2).all(|w| w[1] >= w[0] - 1e-9), "monotone, no overshoot");
    assert!(d(5.0) > 1.75, "past half way when the reference arrives: {}", d(5.0));
    assert!((d(8.0) - 3.5).abs() < 0.15, "on the target lane's centre: {}", d(8.0));
    assert!((d(9.5) - 3.5).abs() < 0.05, "and stays there: {}", d(9.5));
}

#[test]
fn positions_map_onto_the_route() {
    let world = Scenario::load(&dir("xosc").join("curve_follow.xosc")).expect("valid").instance(0).world;
    // Lead: a WorldPosition on lane -1 (Gauntlet lane 1 of 2) 60 m along the approach.
    let lead = &world.actors[0];
    assert!((lead.s - 60.0).abs() < 1e-6 && (lead.d - 3.5).abs() < 1e-6, "{lead:?}");
    // Walker: one lane right of the Lead, 300 m further along the reference line (on the exit).
    let walker = &world.actors[1];
    let expected = 250.0 + 150.0 * 0.005 * 5.25 + 110.0;
    assert!((walker.s - expected).abs() < 1e-6 && walker.d.abs() < 1e-9, "{walker:?} vs {expected}");
    // The ego: its lane's centre, the goal short of the route's end.
    assert_eq!((world.ego.d, world.ego.s), (3.5, 10.0));
}

#[test]
fn imported_ron_runs_to_the_same_trace_hash() {
    let tmp = std::env::temp_dir().join(format!("gauntlet-xosc-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    for path in valid() {
        let from_xosc = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let ron = tmp.join(path.with_extension("ron").file_name().expect("name"));
        std::fs::write(&ron, xosc::import(&path, None).expect("imports").ron()).expect("write");
        let from_ron = Scenario::load(&ron).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_ron.id(), from_xosc.id());
        for seed in [0, 3] {
            let (a, b) = (from_xosc.instance(seed), from_ron.instance(seed));
            assert_eq!(a, b, "{path:?} seed {seed}");
            let (ra, rb) = (run(&a.world), run(&b.world));
            assert_eq!(ra.trace_hash, rb.trace_hash, "{path:?} seed {seed}");
            // Deterministic: the same instance again gives the same hash.
            assert_eq!(run(&a.world).trace_hash, ra.trace_hash);
        }
    }
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn the_ego_is_chosen_by_name() {
    let path = dir("xosc").join("lane_change.xosc");
    // `hero` by default; `--ego Changer` swaps the roles (its story then refers to the ego).
    let default = Scenario::load(&path).expect("valid");
    assert_eq!(default.instance(0).world.actors[0].name, "Changer");
    let err = xosc::import(&path, Some("Changer")).expect_err("the ego cannot have a story");
    assert!(err.to_string().contains("system under test"), "{err}");
    let err = xosc::import(&path, Some("Nobody")).expect_err("unknown ego");
    assert!(err.to_string().contains("no entity named \"Nobody\""), "{err}");
}

#[test]
fn visual_elements_are_ignored_with_a_note() {
    let scenario = Scenario::load(&dir("xosc").join("lead_brake.xosc")).expect("valid");
    let notes = scenario.notes().join("\n");
    for part in [
        "RoadNetwork/SceneGraphFile: ignored",
        "Environment/TimeOfDay: ignored",
        "Environment/Weather: ignored",
    ] {
        assert!(notes.contains(part), "{notes}");
    }
}

#[test]
fn cars_driving_clothoids_and_linked_roads_stay_in_their_lane_deterministically() {
    // Ego and lead on OpenDRIVE lane -1 (Gauntlet lane 1, d = 3.5) through
    // clothoid transitions into a left curve, and onto a linked road.
    for name in ["clothoid_follow", "linked_roads"] {
        let world =
            Scenario::load(&dir("xosc").join(format!("{name}.xosc"))).expect("valid").instance(0).world;
        assert!(world.road.segments.iter().any(|s| s.spiral.is_some()), "{name}: a spiral segment");
        let first = run(&world);
        let trace = first.trace.as_ref().expect("trace");
        for frame in trace {
            for b in &frame.bodies {
                assert!(
                    (b.d - 3.5).abs() < 0.3,
                    "{name}: body {} at t={} is {} m off its lane centre",
                    b.id,
                    frame.t,
                    b.d - 3.5
                );
            }
        }
        // The ego got round the spirals.
        assert!(body_at(trace, 0, 11.0).s > 150.0, "{name}");
        assert_eq!(run(&world).trace_hash, first.trace_hash, "{name}: same inputs, same trace hash");
    }
}
