//! Runtime-monitor figures against a hand-worked fixture
//! (`tests/fixtures/monitors/records.jsonl`, W = 2 s, f = 0.5).
//!
//! Events: s.a has a near miss of `min_ttc` at 6.0 s (margin 0.5 < 0.5 ×
//! 1.5); s.b violates `min_ttc` at 2.5 s and `no_collision` at 3.0 s; s.c
//! has none; s.d errored and s.e names no monitor, so neither counts.
//!
//! `fcw`: s.a 4.5 s announces the near miss (lead 1.5); s.b 2.8 s announces
//! the collision (lead 0.2) but not the 2.5 s violation; s.c's 10 s and 15 s
//! are false alarms. `aeb`: s.a's 1.0 s is a false alarm and misses the
//! near miss; s.b's 0.5 s and 2.0 s announce 2.5 s (lead 2.0, earliest
//! onset) and 3.0 s (lead 1.0).

use gauntlet_reports::monitors::{MonitorFigures, MonitorOptions, render_monitors, score_monitors};

use crate::support::fixture;

fn report() -> gauntlet_reports::monitors::MonitorReport {
    let records: Vec<_> = gauntlet_reports::read_records(fixture("monitors/records.jsonl"))
        .collect::<Result<_, _>>()
        .expect("fixture reads");
    score_monitors(&records, MonitorOptions { near_miss_fraction: 0.5, lead_window: 2.0 })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn counts(f: &MonitorFigures) -> [u64; 8] {
    [
        f.jobs,
        f.events,
        f.violations,
        f.near_misses,
        f.detected,
        f.violations_detected,
        f.activations,
        f.false_alarms,
    ]
}

#[test]
fn fcw_figures_are_the_hand_worked_ones() {
    let r = report();
    let names: Vec<&str> = r.monitors.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["aeb", "fcw"]);
    let fcw = &r.monitors[1];
    assert_eq!(counts(&fcw.all), [3, 3, 2, 1, 2, 1, 4, 2]);
    assert!(close(fcw.all.recall.unwrap(), 2.0 / 3.0));
    assert!(close(fcw.all.false_alarm_share.unwrap(), 0.5));
    assert!(close(fcw.all.sim_time, 35.0));
    assert!(close(fcw.all.false_alarms_per_hour.unwrap(), 2.0 / (35.0 / 3600.0)));
    let lead = fcw.all.lead_time.as_ref().unwrap();
    assert!(close(lead.min, 0.2) && close(lead.p25, 0.2) && close(lead.median, 0.85));
    assert!(close(lead.p75, 1.5) && close(lead.max, 1.5));
    assert_eq!(lead.histogram, [0, 1, 0, 0, 0, 0, 0, 1, 0, 0]);

    let hazards: Vec<&str> = fcw.hazards.keys().map(String::as_str).collect();
    assert_eq!(hazards, ["H-1", "H-2"]);
    assert_eq!(counts(&fcw.hazards["H-1"]), [2, 3, 2, 1, 2, 1, 2, 0]);
    assert_eq!(counts(&fcw.hazards["H-2"]), [2, 2, 2, 0, 1, 1, 3, 2]);
    assert!(close(fcw.hazards["H-2"].recall.unwrap(), 0.5));
}

#[test]
fn aeb_figures_are_the_hand_worked_ones() {
    let r = report();
    let aeb = &r.monitors[0];
    assert_eq!(counts(&aeb.all), [3, 3, 2, 1, 2, 2, 3, 1]);
    assert!(close(aeb.all.false_alarm_share.unwrap(), 1.0 / 3.0));
    let lead = aeb.all.lead_time.as_ref().unwrap();
    assert!(close(lead.median, 1.5) && close(lead.p25, 1.0) && close(lead.p75, 2.0));
    assert_eq!(lead.histogram, [0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    // s.c names aeb without an activation: in scope, nothing to score.
    assert_eq!(counts(&aeb.hazards["H-2"]), [2, 2, 2, 0, 2, 2, 2, 0]);
}

#[test]
fn a_wider_window_and_fraction_change_the_figures() {
    let records: Vec<_> = gauntlet_reports::read_records(fixture("monitors/records.jsonl"))
        .collect::<Result<_, _>>()
        .expect("fixture reads");
    // f = 0.2: the 0.5 s margin of s.a is no longer a near miss (0.5 ≥ 0.3).
    let r = score_monitors(&records, MonitorOptions { near_miss_fraction: 0.2, lead_window: 2.0 });
    assert_eq!(r.monitors[1].all.events, 2);
    // W = 5 s: aeb's s.a activation at 1.0 s now announces the 6.0 s near miss (lead 5).
    let r = score_monitors(&records, MonitorOptions { near_miss_fraction: 0.5, lead_window: 5.0 });
    assert_eq!(r.monitors[0].all.detected, 3);
    assert_eq!(r.monitors[0].all.false_alarms, 0);
}

#[test]
fn text_names_every_monitor_and_hazard() {
    let text = render_monitors(&report());
    assert!(
        text.starts_with("runtime monitors (near miss: margin < 0.5 × threshold; lead window 2 s)\n"),
        "{text}"
    );
    assert!(text.contains("\nfcw  "), "{text}");
    assert!(text.contains("66.7%"), "{text}");
    assert!(text.contains("\n  H-2 "), "{text}");
    assert_eq!(render_monitors(&Default::default()), "");
}

#[test]
fn records_with_monitors_round_trip() {
    let text = std::fs::read_to_string(fixture("monitors/records.jsonl")).unwrap();
    for (line, record) in text.lines().zip(gauntlet_reports::read_records(fixture("monitors/records.jsonl")))
    {
        let record = record.unwrap();
        let again: serde_json::Value = serde_json::from_str(&record.to_json_line().unwrap()).unwrap();
        let original: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(again["monitors"], original["monitors"], "{}", record.id);
    }
}
