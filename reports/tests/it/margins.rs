//! The per-criterion margin regressions of the baseline diff, against a
//! hand-worked fixture: two tiny record files whose every margin, drop and
//! tolerance is worked out below.
//!
//! | job | criterion (threshold) | unit | scale | old | new | drop | default tolerance (0.1 × scale) | listed |
//! |---|---|---|---:|---:|---:|---:|---:|---|
//! | hand.a | no_collision | m | 1 | 2.00 | 1.85 | 0.15 | 0.10 | yes |
//! | hand.a | min_ttc (1.0) | s | 1 | 1.20 | 1.15 | 0.05 | 0.10 | no |
//! | hand.a | min_ttc (2.0) | s | 1 | 0.50 | 0.30 | 0.20 | 0.10 | yes |
//! | hand.a | stay_on_road | m | 0.5 | 0.80 | 0.76 | 0.04 | 0.05 | no |
//! | hand.a | max_decel (9.5) | m/s² | 1 | 3.00 | 1.00 | 2.00 | 0.10 | yes |
//! | hand.b | max_jerk (50) | m/s³ | 5 | 20.0 | 19.6 | 0.40 | 0.50 | no |
//! | hand.b | min_gap (5) | m | 2 | 10.0 | 9.7 | 0.30 | 0.20 | yes |
//! | hand.b | speed_limit (1) | m/s | 1 | 1.0 | 1.5 | −0.5 | 0.10 | no (grew) |
//! | hand.c | — | | | pass | fail | | | a regression, not a margin drop |
//!
//! The old method (smallest raw margin of the job, old vs new) saw one drop:
//! hand.a 0.50 → 0.30, and missed the other three.

use gauntlet_reports::{DiffOptions, GateConfig, diff, render_diff, render_markdown};

use crate::support::records;

type Drop = (String, String, Option<f64>, String, f64, f64);

fn drops(options: &DiffOptions) -> (Vec<Drop>, gauntlet_reports::BaselineDiff) {
    let (old, new) = (records("margins_old.jsonl"), records("margins_new.jsonl"));
    let d = diff(&old, &new, options);
    let rows = d
        .margin_regressions
        .iter()
        .map(|m| {
            (
                m.job.scenario.clone(),
                m.criterion.clone(),
                m.threshold,
                m.unit.clone(),
                m.old_margin,
                m.new_margin,
            )
        })
        .collect();
    (rows, d)
}

fn row(job: &str, criterion: &str, threshold: Option<f64>, unit: &str, old: f64, new: f64) -> Drop {
    (job.to_owned(), criterion.to_owned(), threshold, unit.to_owned(), old, new)
}

#[test]
fn every_criterion_drop_beyond_its_default_tolerance_is_listed() {
    let (rows, d) = drops(&DiffOptions::default());
    assert_eq!(
        rows,
        [
            row("hand.a", "max_decel", Some(9.5), "m/s²", 3.0, 1.0),
            row("hand.a", "min_ttc", Some(2.0), "s", 0.5, 0.3),
            row("hand.a", "no_collision", None, "m", 2.0, 1.85),
            row("hand.b", "min_gap", Some(5.0), "m", 10.0, 9.7),
        ]
    );
    let tolerances: Vec<f64> = d.margin_regressions.iter().map(|m| m.tolerance).collect();
    assert_eq!(tolerances, [0.1, 0.1, 0.1, 0.2]);
    assert_eq!((d.counts.margin_regressions, d.counts.margin_regressed_jobs, d.counts.unchanged), (4, 2, 0));
    assert_eq!(d.counts.regressions, 1);
    assert_eq!(d.regressions[0].detail, ["no_collision -0.400 m", "min_ttc -0.900 s"]);
    // The worst verdict of the regressed job is the smallest normalised one.
    let worst = d.regressions[0].new_worst.as_ref().unwrap();
    assert_eq!(worst.label(), "-0.900 s min_ttc");

    let text = render_diff(&d);
    assert!(text.contains("4 margin regression(s) in 2 job(s)"), "{text}");
    for line in [
        "hand.a seed=1 run: max_decel (threshold 9.500 m/s²) 3.000 m/s² → 1.000 m/s² (−2.000 m/s², tolerance 0.100 m/s²)",
        "hand.a seed=1 run: min_ttc (threshold 2.000 s) 0.500 s → 0.300 s (−0.200 s, tolerance 0.100 s)",
        "hand.a seed=1 run: no_collision 2.000 m → 1.850 m (−0.150 m, tolerance 0.100 m)",
        "hand.b seed=1 run: min_gap (threshold 5.000 m) 10.000 m → 9.700 m (−0.300 m, tolerance 0.200 m)",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let md = render_markdown(&records("margins_new.jsonl"), &[], Some(&d), &[], &Default::default());
    assert!(
        md.contains("| hand.b seed=1 run | min_gap (threshold 5.000 m) | 10.000 m → 9.700 m | 0.300 m | 0.200 m | `gauntlet replay"),
        "{md}"
    );
}

#[test]
fn tolerances_come_from_the_gate_file_then_the_command_line_then_the_scale() {
    let gate = GateConfig::parse("[gate.margin_tolerance]\nmin_ttc = 0.25\n", "gauntlet.toml").unwrap();
    let options =
        DiffOptions { criterion_tolerance: gate.margin_tolerance.clone(), ..DiffOptions::default() };
    let (rows, _) = drops(&options);
    let listed: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
    assert_eq!(listed, [("hand.a", "max_decel"), ("hand.a", "no_collision"), ("hand.b", "min_gap")]);

    // `--margin-tolerance 1`: 1 in every criterion's unit; only 2 m/s² exceeds it.
    let global = DiffOptions { margin_tolerance: Some(1.0), ..DiffOptions::default() };
    let (rows, _) = drops(&global);
    assert_eq!(rows, [row("hand.a", "max_decel", Some(9.5), "m/s²", 3.0, 1.0)]);

    // The gate file's entry wins over the command line for the criterion it names.
    let both = DiffOptions {
        margin_tolerance: Some(1.0),
        criterion_tolerance: [("min_ttc".to_owned(), 0.1)].into(),
    };
    let (rows, _) = drops(&both);
    let listed: Vec<(&str, Option<f64>)> = rows.iter().map(|r| (r.1.as_str(), r.2)).collect();
    assert_eq!(listed, [("max_decel", Some(9.5)), ("min_ttc", Some(2.0))]);
}
