//! What the HTML outputs are drawn from: the dashboard's inputs, the
//! nightly history, and the trace of one job as the runner hands it over.

use std::collections::BTreeMap;

use gauntlet_taxonomy::{CoverageReport, Taxonomy};
use serde::{Deserialize, Serialize};

use crate::diff::BaselineDiff;
use crate::digest::SweepDigest;
use crate::gate::GateCheck;
use crate::record::JobKey;
use crate::summary::Totals;

/// Everything [`render_dashboard`](super::render_dashboard) shows.
#[derive(Clone, Debug)]
pub struct DashboardInput<'a> {
    /// The page title, e.g. `Gauntlet nightly`.
    pub title: String,
    /// Tonight's records, digested in the order the jobs finished.
    pub digest: &'a SweepDigest,
    /// The taxonomy: dimension, value and hazard titles, exclusion reasons.
    /// When given without `coverage`, the digest's coverage is used (when
    /// it was built with a taxonomy).
    pub taxonomy: Option<&'a Taxonomy>,
    /// Coverage of the taxonomy by the records; without it (and without a
    /// taxonomy) the hazard, heatmap and traceability sections say so.
    pub coverage: Option<&'a CoverageReport>,
    /// The gate checks; empty when no gate is configured.
    pub gate: &'a [GateCheck],
    /// The diff against the baseline, when there is one.
    pub diff: Option<&'a BaselineDiff>,
    /// Earlier sweeps, oldest first, for the trend chart; empty hides it.
    pub history: &'a [HistoryPoint],
    /// The leading indicators over the history and tonight, shown with the
    /// trend ([`crate::trend`]).
    pub leading: Option<&'a crate::trend::LeadingReport>,
    /// Traces of (some of) the failing jobs, re-run by the runner.
    pub traces: &'a BTreeMap<JobKey, TraceView>,
    /// Why failing jobs have no trace, one sentence each; shown in a
    /// "Traces not shown" section when not empty.
    pub trace_notes: &'a [String],
}

/// The empty trace map of [`DashboardInput::new`].
static NO_TRACES: BTreeMap<JobKey, TraceView> = BTreeMap::new();

impl<'a> DashboardInput<'a> {
    /// A dashboard of the digested records alone; set the other fields as needed.
    pub fn new(title: impl Into<String>, digest: &'a SweepDigest) -> Self {
        Self {
            title: title.into(),
            digest,
            taxonomy: None,
            coverage: None,
            gate: &[],
            diff: None,
            history: &[],
            leading: None,
            traces: &NO_TRACES,
            trace_notes: &[],
        }
    }
}

/// One earlier sweep in the trend chart.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryPoint {
    /// The label on the time axis, e.g. the date of the night.
    pub label: String,
    /// Job counts of that sweep.
    pub totals: Totals,
    /// Top-risk coverage of that sweep in `0..=1`, when measured.
    pub top_risk_coverage: Option<f64>,
}

/// The trace of one job, reduced to what the pictures need. Coordinates are
/// world metres (x east, y north), yaw in radians counter-clockwise from +x.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceView {
    /// The static road geometry.
    pub road: RoadView,
    /// Every body in the world, ego included; `FrameView::poses` follows this order.
    pub bodies: Vec<BodyInfo>,
    /// One entry per recorded step, in time order.
    pub frames: Vec<FrameView>,
    /// The time (s) and criterion of the first violation, if any.
    pub first_violation: Option<(f64, String)>,
    /// Steps the run took, when more than `frames` holds: the trace was
    /// downsampled to bound its size. `0` (the default) means every step is
    /// in `frames`.
    #[serde(default)]
    pub steps: u64,
}

impl TraceView {
    /// The view with only what the dashboard's pictures draw: poses and
    /// times. The per-step observation, margins, controls and observed ids
    /// (for the replay viewer) are dropped, so that the dashboard holds a
    /// few kilobytes per trace rather than megabytes.
    pub fn poses_only(mut self) -> Self {
        for f in &mut self.frames {
            f.observation = serde_json::Value::Null;
            f.margins = Vec::new();
            f.observed = Vec::new();
        }
        self
    }

    /// `(frames shown, steps run)` when the trace was downsampled.
    pub fn downsampled(&self) -> Option<(usize, u64)> {
        (self.steps > self.frames.len() as u64).then_some((self.frames.len(), self.steps))
    }
}

/// Road geometry as polylines and polygons of `[x, y]` points.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoadView {
    /// Road edges (kerbs, the border of the drivable area).
    pub edges: Vec<Vec<[f64; 2]>>,
    /// Lane markings between lanes.
    pub lane_lines: Vec<Vec<[f64; 2]>>,
    /// Crosswalk outlines, each a closed polygon.
    pub crosswalks: Vec<Vec<[f64; 2]>>,
}

/// A body (vehicle, pedestrian, obstacle) and its footprint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BodyInfo {
    /// The body's id, as used in `FrameView::observed`.
    pub id: u32,
    /// What it is, e.g. `car`, `pedestrian`, `cyclist`, `static`.
    pub kind: String,
    /// Footprint length along its heading, in metres.
    pub length: f64,
    /// Footprint width, in metres.
    pub width: f64,
    /// Whether this is the ego vehicle (the system under test).
    pub is_ego: bool,
}

/// The world at one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrameView {
    /// The step number.
    pub step: u64,
    /// Simulated time, in seconds.
    pub t: f64,
    /// `[x, y, yaw]` of each body, in the order of `TraceView::bodies`.
    pub poses: Vec<[f64; 3]>,
    /// The ego's command this step: `[acceleration m/s², steering angle rad]`.
    pub control: [f64; 2],
    /// Each criterion's margin at this step (negative = violated). As in
    /// records, an infinite margin is written to JSON as ±`f64::MAX`
    /// (±1.7976931348623157e+308) and read back as infinite.
    #[serde(with = "margins_serde")]
    pub margins: Vec<(String, f64)>,
    /// Ids of the bodies the ego's sensors reported this step.
    pub observed: Vec<u32>,
    /// The ego's observation this step, as the adapter received it.
    pub observation: serde_json::Value,
}

/// (De)serialises margins with infinity as the ±`f64::MAX` sentinel of the
/// record schema, since JSON has no infinity.
mod margins_serde {
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(margins: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(margins.len()))?;
        for (criterion, margin) in margins {
            seq.serialize_element(&(criterion, margin.clamp(-f64::MAX, f64::MAX)))?;
        }
        seq.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, f64)>, D::Error> {
        let raw = Vec::<(String, f64)>::deserialize(d)?;
        Ok(raw
            .into_iter()
            .map(|(criterion, m)| {
                let m = if m >= f64::MAX {
                    f64::INFINITY
                } else if m <= -f64::MAX {
                    f64::NEG_INFINITY
                } else {
                    m
                };
                (criterion, m)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infinite_margins_round_trip_through_the_sentinel() {
        let frame = FrameView {
            step: 1,
            t: 0.05,
            poses: vec![[0.0, 0.0, 0.0]],
            control: [1.0, 0.0],
            margins: vec![
                ("min_ttc".to_owned(), f64::INFINITY),
                ("a".to_owned(), f64::NEG_INFINITY),
                ("b".to_owned(), -0.5),
            ],
            observed: vec![],
            observation: serde_json::json!({"speed": 3.0}),
        };
        let text = serde_json::to_string(&frame).unwrap();
        assert!(text.contains(r#"["min_ttc",1.7976931348623157e+308]"#), "{text}");
        let back: FrameView = serde_json::from_str(&text).unwrap();
        assert_eq!(back, frame);
    }
}
