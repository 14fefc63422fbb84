//! Cross-check against rtamt (Python, `pip install rtamt`): every operator's
//! robustness, at every step of a real run's signals, equals rtamt's
//! discrete-time robustness to 1e-9.
//!
//! The fixture `fixtures/signals.csv` holds the signals of a real run (the
//! runners' `regenerate_rtamt_fixture` writes it); both sides read it with
//! one sample per time unit, so bounds are in steps.

use std::path::Path;
use std::process::Command;

use gauntlet_stl::{Monitor, parse, robustness_trace};

/// (Gauntlet's syntax, rtamt's) of formulas judged at every step.
const EVERY_STEP: [(&str, &str); 18] = [
    ("ttc_lead >= 2", "ttc_lead >= 2"),
    ("speed - 20 < gap_lead / 2", "(speed - 20) < (gap_lead / 2)"),
    ("speed == 20 * 1.1", "speed == 20 * 1.1"),
    ("abs(jerk) <= 10 and decel < 6", "(abs(jerk) <= 10) and (decel < 6)"),
    ("not (clearance > 5) or headway_lead >= 1", "(not (clearance > 5)) or (headway_lead >= 1)"),
    (
        "lead_accel < -2 -> eventually[0, 30] headway_lead >= 1",
        "(lead_accel < -2) implies (eventually[0:30] (headway_lead >= 1))",
    ),
    ("always[5, 40] gap_lead > 10", "always[5:40] (gap_lead > 10)"),
    ("eventually[0, 20] decel > 3", "eventually[0:20] (decel > 3)"),
    ("historically[0, 10] speed > 15", "historically[0:10] (speed > 15)"),
    ("once[2, 15] jerk > 5", "once[2:15] (jerk > 5)"),
    ("speed > 18 until[0, 25] decel > 1", "(speed > 18) until[0:25] (decel > 1)"),
    ("gap_lead > 20 until[5, 25] ttc_lead < 10", "(gap_lead > 20) until[5:25] (ttc_lead < 10)"),
    ("ttc_lead > 3 since[0, 10] speed < 22", "(ttc_lead > 3) since[0:10] (speed < 22)"),
    ("clearance > 2 since[3, 12] decel > 0.5", "(clearance > 2) since[3:12] (decel > 0.5)"),
    ("prev speed > 20", "prev (speed > 20)"),
    ("next decel > 2", "next (decel > 2)"),
    (
        "always[0, 10] (eventually[0, 5] decel > 2 or prev gap_lead > 30)",
        "always[0:10] ((eventually[0:5] (decel > 2)) or (prev (gap_lead > 30)))",
    ),
    (
        "edge_margin > 1 and not lateral_offset > 4 -> historically[1, 4] (abs(lateral_offset) < 5)",
        "((edge_margin > 1) and (not (lateral_offset > 4))) implies (historically[1:4] (abs(lateral_offset) < 5))",
    ),
];

/// Formulas with unbounded future operators: judged at the first step only.
const AT_START: [(&str, &str); 3] = [
    ("always ttc_lead >= 1.5", "always (ttc_lead >= 1.5)"),
    ("eventually gap_lead < 10", "eventually (gap_lead < 10)"),
    (
        "always (lead_accel < -2 -> eventually[0, 30] headway_lead >= 1)",
        "always ((lead_accel < -2) implies (eventually[0:30] (headway_lead >= 1)))",
    ),
];

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9
}

#[test]
fn robustness_equals_rtamt_for_every_operator() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let csv = dir.join("fixtures/signals.csv");
    let text = std::fs::read_to_string(&csv).expect("fixture");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').skip(1).collect();
    let samples: Vec<Vec<f64>> =
        lines.map(|l| l.split(',').skip(1).map(|x| x.parse().expect("number")).collect()).collect();
    assert!(samples.len() > 100, "a real run's worth of steps");

    let formulas = tempfile_path("formulas.txt");
    let rtamt: Vec<&str> = EVERY_STEP.iter().chain(&AT_START).map(|(_, r)| *r).collect();
    std::fs::write(&formulas, rtamt.join("\n")).expect("write formulas");
    let output = Command::new("python3")
        .arg(dir.join("rtamt_eval.py"))
        .arg(&csv)
        .arg(&formulas)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "rtamt failed (is it installed? `pip install rtamt`): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: Vec<Vec<f64>> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.split(' ').map(|x| x.parse().expect("rtamt number")).collect())
        .collect();
    assert_eq!(theirs.len(), rtamt.len());

    for (i, (ours, _)) in EVERY_STEP.iter().enumerate() {
        let f = parse(ours).unwrap();
        let mine = robustness_trace(&f, &header, 1.0, &samples).unwrap();
        assert_eq!(mine.len(), theirs[i].len(), "{ours}");
        for (k, (a, b)) in mine.iter().zip(&theirs[i]).enumerate() {
            assert!(close(*a, *b), "`{ours}` at step {k}: {a} vs rtamt {b}");
        }
        // Not vacuous: the formula changes sign or value along the run.
        assert!(mine.iter().any(|v| *v != mine[0]), "`{ours}` is constant");
    }
    for (i, (ours, _)) in AT_START.iter().enumerate() {
        let mut m = Monitor::new(&parse(ours).unwrap(), &header, 1.0).unwrap();
        for s in &samples {
            m.step(s);
        }
        let r = m.finish().robustness;
        let want = theirs[EVERY_STEP.len() + i][0];
        assert!(close(r, want), "`{ours}`: {r} vs rtamt {want}");
    }
}

fn tempfile_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gauntlet-stl-rtamt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}
