//! The top-down picture of a trace: road, paths and body outlines, in SVG.
//!
//! World coordinates (x east, y north, metres) map to SVG user units by a
//! [`Projection`] that fits the region the bodies move through; the road
//! outside it is clipped by the view box. Non-finite coordinates are
//! skipped, so a trace of a world that blew up still draws.

use std::fmt::Write as _;

use super::escape::escape;
use super::format::{px, seconds};
use super::input::{BodyInfo, FrameView, TraceView};

/// Colours of the actors' paths, in body order (the ego is always blue).
const ACTOR_COLOURS: [&str; 6] = ["#d9480f", "#7048e8", "#0c8599", "#c2255c", "#5c940d", "#e67700"];
/// The ego's colour.
const EGO_COLOUR: &str = "#1c7ed6";
/// Most points drawn per path; longer traces are thinned evenly.
const MAX_PATH_POINTS: usize = 600;
/// Space around the bodies' region, in metres.
const PADDING_M: f64 = 6.0;

/// Maps world metres to SVG user units: `x' = (x - min_x)·scale`,
/// `y' = (max_y - y)·scale` (SVG's y grows downwards).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Projection {
    /// World x at the left edge.
    pub(crate) min_x: f64,
    /// World y at the top edge.
    pub(crate) max_y: f64,
    /// SVG units per metre.
    pub(crate) scale: f64,
    /// Width of the picture in SVG units.
    pub(crate) width: f64,
    /// Height of the picture in SVG units.
    pub(crate) height: f64,
}

/// The limits a picture must fit in, in SVG units.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// Widest allowed.
    pub(crate) max_width: f64,
    /// Tallest allowed.
    pub(crate) max_height: f64,
    /// Shortest allowed: a flat region is widened vertically to this.
    pub(crate) min_height: f64,
}

#[derive(Clone, Copy, Debug)]
struct Bounds {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

impl Bounds {
    const EMPTY: Bounds = Bounds {
        min_x: f64::INFINITY,
        min_y: f64::INFINITY,
        max_x: f64::NEG_INFINITY,
        max_y: f64::NEG_INFINITY,
    };

    fn add(&mut self, x: f64, y: f64, radius: f64) {
        if x.is_finite() && y.is_finite() {
            self.min_x = self.min_x.min(x - radius);
            self.max_x = self.max_x.max(x + radius);
            self.min_y = self.min_y.min(y - radius);
            self.max_y = self.max_y.max(y + radius);
        }
    }

    fn is_empty(&self) -> bool {
        self.min_x > self.max_x
    }
}

impl Projection {
    /// The projection that shows every body at every frame (or, without any
    /// pose, the whole road) inside `frame`; `None` when the trace has no
    /// finite coordinate at all.
    pub(crate) fn fit(trace: &TraceView, frame: Frame) -> Option<Self> {
        let mut bounds = Bounds::EMPTY;
        for f in &trace.frames {
            for (pose, body) in f.poses.iter().zip(&trace.bodies) {
                bounds.add(pose[0], pose[1], body_radius(body));
            }
        }
        if bounds.is_empty() {
            let road = &trace.road;
            for point in road.edges.iter().chain(&road.lane_lines).chain(&road.crosswalks).flatten() {
                bounds.add(point[0], point[1], 0.0);
            }
        }
        if bounds.is_empty() {
            return None;
        }
        let (mut min_x, mut max_x) = (bounds.min_x - PADDING_M, bounds.max_x + PADDING_M);
        let (mut min_y, mut max_y) = (bounds.min_y - PADDING_M, bounds.max_y + PADDING_M);
        widen(&mut min_x, &mut max_x, 20.0);
        widen(&mut min_y, &mut max_y, 12.0);
        let (dx, dy) = (max_x - min_x, max_y - min_y);
        let scale = (frame.max_width / dx).min(frame.max_height / dy);
        if dy * scale < frame.min_height {
            widen(&mut min_y, &mut max_y, frame.min_height / scale);
        }
        if !scale.is_finite() || scale <= 0.0 {
            return None;
        }
        Some(Projection {
            min_x,
            max_y,
            scale,
            width: (max_x - min_x) * scale,
            height: (max_y - min_y) * scale,
        })
    }

    /// SVG x of world x.
    pub(crate) fn x(&self, x: f64) -> f64 {
        (x - self.min_x) * self.scale
    }

    /// SVG y of world y.
    pub(crate) fn y(&self, y: f64) -> f64 {
        (self.max_y - y) * self.scale
    }

    /// `x,y` of a world point, for `points` attributes.
    fn point(&self, x: f64, y: f64) -> String {
        format!("{},{}", px(self.x(x)), px(self.y(y)))
    }
}

/// Widens `[lo, hi]` symmetrically to at least `span`.
fn widen(lo: &mut f64, hi: &mut f64, span: f64) {
    let missing = span - (*hi - *lo);
    if missing > 0.0 {
        *lo -= missing / 2.0;
        *hi += missing / 2.0;
    }
}

/// Half the diagonal of a body's footprint: the most it reaches from its centre.
fn body_radius(body: &BodyInfo) -> f64 {
    let r = 0.5 * body.length.hypot(body.width);
    if r.is_finite() { r } else { 0.0 }
}

/// The colour of body `index`'s path.
pub(crate) fn body_colour(trace: &TraceView, index: usize) -> &'static str {
    if trace.bodies.get(index).is_some_and(|b| b.is_ego) {
        return EGO_COLOUR;
    }
    let actor = trace.bodies[..index.min(trace.bodies.len())].iter().filter(|b| !b.is_ego).count();
    ACTOR_COLOURS[actor % ACTOR_COLOURS.len()]
}

/// A short label for a body: `ego`, or `#id kind`.
pub(crate) fn body_label(body: &BodyInfo) -> String {
    if body.is_ego { "ego".to_owned() } else { format!("#{} {}", body.id, body.kind) }
}

/// The index of the frame at (or right after) time `t`, else the last frame.
pub(crate) fn frame_at(trace: &TraceView, t: f64) -> Option<usize> {
    if trace.frames.is_empty() {
        return None;
    }
    Some(trace.frames.iter().position(|f| f.t >= t - 1e-9).unwrap_or(trace.frames.len() - 1))
}

/// The frame the dashboard draws outlines at: the first violation, else the last.
pub(crate) fn key_frame(trace: &TraceView) -> Option<usize> {
    match &trace.first_violation {
        Some((t, _)) if t.is_finite() => frame_at(trace, *t),
        _ => trace.frames.len().checked_sub(1),
    }
}

/// The four corners of a body's footprint at `pose`, as a `points` attribute;
/// `None` for a non-finite pose.
fn footprint(p: &Projection, body: &BodyInfo, pose: [f64; 3]) -> Option<String> {
    let [x, y, yaw] = pose;
    if !(x.is_finite() && y.is_finite()) {
        return None;
    }
    let yaw = if yaw.is_finite() { yaw } else { 0.0 };
    let (l, w) = (body.length.max(0.2) / 2.0, body.width.max(0.2) / 2.0);
    let (l, w) = (if l.is_finite() { l } else { 0.1 }, if w.is_finite() { w } else { 0.1 });
    let (s, c) = yaw.sin_cos();
    let corners = [(l, w), (-l, w), (-l, -w), (l, -w)]
        .map(|(a, b)| p.point(x + a * c - b * s, y + a * s + b * c))
        .join(" ");
    Some(corners)
}

/// Points of a polyline, split where a coordinate is not finite.
fn polyline_runs(p: &Projection, points: impl Iterator<Item = [f64; 2]>) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for [x, y] in points {
        if x.is_finite() && y.is_finite() {
            run.push(p.point(x, y));
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run).join(" "));
        }
    }
    if !run.is_empty() {
        runs.push(run.join(" "));
    }
    runs
}

/// The frame indices a path is drawn through: every frame, or an even
/// subset of at most [`MAX_PATH_POINTS`] that keeps the first, the last and
/// `keep`.
fn path_indices(frames: &[FrameView], keep: Option<usize>) -> Vec<usize> {
    let n = frames.len();
    let stride = n.div_ceil(MAX_PATH_POINTS).max(1);
    let mut indices: Vec<usize> = (0..n).step_by(stride).collect();
    for extra in [n.checked_sub(1), keep].into_iter().flatten() {
        if let Err(at) = indices.binary_search(&extra) {
            indices.insert(at, extra);
        }
    }
    indices
}

/// Writes the road: crosswalks, lane lines and edges.
pub(crate) fn write_road(out: &mut String, p: &Projection, trace: &TraceView) {
    let _ = writeln!(
        out,
        "<rect class=\"ground\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#e9edf1\"/>",
        px(p.width),
        px(p.height)
    );
    for polygon in &trace.road.crosswalks {
        for points in polyline_runs(p, polygon.iter().copied()) {
            let _ = writeln!(
                out,
                "<polygon class=\"crosswalk\" points=\"{points}\" fill=\"#ffffff\" stroke=\"#adb5bd\" stroke-dasharray=\"3 2\" vector-effect=\"non-scaling-stroke\"/>"
            );
        }
    }
    for line in &trace.road.lane_lines {
        for points in polyline_runs(p, line.iter().copied()) {
            let _ = writeln!(
                out,
                "<polyline class=\"lane-line\" points=\"{points}\" fill=\"none\" stroke=\"#ffffff\" stroke-width=\"1.5\" stroke-dasharray=\"8 6\" vector-effect=\"non-scaling-stroke\"/>"
            );
        }
    }
    for edge in &trace.road.edges {
        for points in polyline_runs(p, edge.iter().copied()) {
            let _ = writeln!(
                out,
                "<polyline class=\"road-edge\" points=\"{points}\" fill=\"none\" stroke=\"#495057\" stroke-width=\"2.5\" stroke-linejoin=\"round\" vector-effect=\"non-scaling-stroke\"/>"
            );
        }
    }
}

/// Writes each body's path over the whole trace (the ego's last, on top),
/// with a dot where it starts. `faint` draws them lighter, as a backdrop.
pub(crate) fn write_paths(
    out: &mut String,
    p: &Projection,
    trace: &TraceView,
    keep: Option<usize>,
    faint: bool,
) {
    let indices = path_indices(&trace.frames, keep);
    let order = (0..trace.bodies.len())
        .filter(|&i| !trace.bodies[i].is_ego)
        .chain((0..trace.bodies.len()).filter(|&i| trace.bodies[i].is_ego));
    let opacity = if faint { "0.45" } else { "0.9" };
    for b in order {
        let body = &trace.bodies[b];
        let colour = body_colour(trace, b);
        let width = if body.is_ego { 3.0 } else { 2.2 };
        let points = indices
            .iter()
            .map(|&i| trace.frames[i].poses.get(b).map_or([f64::NAN, f64::NAN], |pose| [pose[0], pose[1]]));
        let class = if body.is_ego { "path ego-path" } else { "path actor-path" };
        for run in polyline_runs(p, points) {
            let _ = writeln!(
                out,
                "<polyline class=\"{class}\" points=\"{run}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" stroke-opacity=\"{opacity}\" stroke-linejoin=\"round\" stroke-linecap=\"round\" vector-effect=\"non-scaling-stroke\"><title>{}</title></polyline>",
                escape(&body_label(body))
            );
        }
        let start =
            trace.frames.iter().find_map(|f| f.poses.get(b).filter(|q| q[0].is_finite() && q[1].is_finite()));
        if let Some(q) = start {
            let _ = writeln!(
                out,
                "<circle class=\"start\" cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{colour}\" fill-opacity=\"{opacity}\"/>",
                px(p.x(q[0])),
                px(p.y(q[1]))
            );
        }
    }
}

/// Writes the scale bar (`class="scale-bar"`) in the bottom-left corner.
pub(crate) fn write_scale_bar(out: &mut String, p: &Projection) {
    let metres = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        .into_iter()
        .find(|m| m * p.scale >= 50.0)
        .unwrap_or(1000.0);
    let (x, y, w) = (12.0, p.height - 12.0, metres * p.scale);
    let _ = writeln!(
        out,
        "<g class=\"scale-bar\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"20\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.8\"/><path d=\"M{} {}v4h{}v-4\" fill=\"none\" stroke=\"#343a40\" stroke-width=\"1.5\"/><text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#343a40\">{} m</text></g>",
        px(x - 6.0),
        px(y - 16.0),
        px(w + 48.0),
        px(x),
        px(y - 4.0),
        px(w),
        px(x + w + 6.0),
        px(y),
        metres
    );
}

/// The dashboard's picture of a failing job: road, every path, the bodies'
/// outlines at the first violation (else at the end), the violation marked.
/// `None` when the trace has no finite coordinate.
pub(crate) fn overview_svg(trace: &TraceView) -> Option<String> {
    let p = Projection::fit(trace, Frame { max_width: 900.0, max_height: 380.0, min_height: 170.0 })?;
    let key = key_frame(trace);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"scene\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"top-down view of the trajectories\">",
        px(p.width),
        px(p.height)
    );
    write_road(&mut out, &p, trace);
    write_paths(&mut out, &p, trace, key, false);
    if let Some(frame) = key.and_then(|k| trace.frames.get(k)) {
        for (b, body) in trace.bodies.iter().enumerate() {
            let Some(points) = frame.poses.get(b).and_then(|&pose| footprint(&p, body, pose)) else {
                continue;
            };
            let colour = body_colour(trace, b);
            let _ = writeln!(
                out,
                "<polygon class=\"outline{}\" points=\"{points}\" fill=\"{colour}\" fill-opacity=\"0.35\" stroke=\"{colour}\" stroke-width=\"1.8\"><title>{} at {}</title></polygon>",
                if body.is_ego { " ego" } else { "" },
                escape(&body_label(body)),
                seconds(frame.t)
            );
        }
        if let Some((t, criterion)) = &trace.first_violation {
            let ego = trace.bodies.iter().position(|b| b.is_ego);
            let at = ego.and_then(|e| frame.poses.get(e)).filter(|q| q[0].is_finite() && q[1].is_finite());
            if let Some(q) = at {
                let (cx, cy) = (p.x(q[0]), p.y(q[1]));
                let _ = writeln!(
                    out,
                    "<g class=\"violation\"><circle cx=\"{}\" cy=\"{}\" r=\"16\" fill=\"none\" stroke=\"#e03131\" stroke-width=\"2.5\"/><circle cx=\"{}\" cy=\"{}\" r=\"22\" fill=\"none\" stroke=\"#e03131\" stroke-width=\"1\" stroke-dasharray=\"3 3\"/><title>first violation: {} at {}</title></g>",
                    px(cx),
                    px(cy),
                    px(cx),
                    px(cy),
                    escape(criterion),
                    seconds(*t)
                );
            }
            let _ = writeln!(
                out,
                "<g class=\"violation-label\"><rect x=\"8\" y=\"8\" width=\"{}\" height=\"22\" rx=\"4\" fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#e03131\"/><text x=\"16\" y=\"23\" font-size=\"12\" font-weight=\"600\" fill=\"#c92a2a\">first violation: {} at {}</text></g>",
                px(label_width(criterion)),
                escape(criterion),
                seconds(*t)
            );
        }
    }
    write_scale_bar(&mut out, &p);
    out.push_str("</svg>\n");
    Some(out)
}

/// A generous estimate of the width of the violation label, in SVG units.
fn label_width(criterion: &str) -> f64 {
    (criterion.chars().count() as f64 + 26.0) * 7.0 + 16.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::input::RoadView;

    fn body(id: u32, is_ego: bool) -> BodyInfo {
        BodyInfo { id, kind: "car".to_owned(), length: 4.0, width: 2.0, is_ego }
    }

    fn frame(t: f64, poses: Vec<[f64; 3]>) -> FrameView {
        FrameView {
            step: (t * 10.0) as u64,
            t,
            poses,
            control: [0.0, 0.0],
            margins: Vec::new(),
            observed: Vec::new(),
            observation: serde_json::Value::Null,
        }
    }

    #[test]
    fn projection_keeps_every_body_inside_and_flips_y() {
        let trace = TraceView {
            road: RoadView::default(),
            bodies: vec![body(0, true), body(1, false)],
            frames: vec![
                frame(0.0, vec![[0.0, 0.0, 0.0], [50.0, 3.5, 0.0]]),
                frame(1.0, vec![[100.0, 0.0, 0.0], [f64::NAN, 3.5, 0.0]]),
            ],
            first_violation: None,
            steps: 0,
        };
        let p = Projection::fit(&trace, Frame { max_width: 900.0, max_height: 400.0, min_height: 150.0 })
            .unwrap();
        assert!(p.width <= 900.0 + 1e-9 && p.height >= 150.0 - 1e-9, "{p:?}");
        for (x, y) in [(0.0, 0.0), (100.0, 0.0), (50.0, 3.5)] {
            assert!((0.0..=p.width).contains(&p.x(x)) && (0.0..=p.height).contains(&p.y(y)));
        }
        assert!(p.y(3.5) < p.y(0.0), "north is up");
    }

    #[test]
    fn a_trace_without_coordinates_has_no_picture() {
        assert!(
            Projection::fit(
                &TraceView::default(),
                Frame { max_width: 1.0, max_height: 1.0, min_height: 1.0 }
            )
            .is_none()
        );
        assert!(overview_svg(&TraceView::default()).is_none());
    }

    #[test]
    fn paths_are_thinned_but_keep_the_ends_and_the_key_frame() {
        let frames: Vec<FrameView> = (0..2001).map(|i| frame(f64::from(i) * 0.01, Vec::new())).collect();
        let indices = path_indices(&frames, Some(1234));
        assert!(indices.len() <= MAX_PATH_POINTS + 2, "{}", indices.len());
        assert_eq!(indices.first(), Some(&0));
        assert_eq!(indices.last(), Some(&2000));
        assert!(indices.contains(&1234));
        assert!(indices.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn footprint_is_rotated_by_yaw() {
        let p = Projection { min_x: -10.0, max_y: 10.0, scale: 1.0, width: 20.0, height: 20.0 };
        let b = body(0, true);
        // Facing north: the long side is vertical.
        let points = footprint(&p, &b, [0.0, 0.0, std::f64::consts::FRAC_PI_2]).unwrap();
        assert_eq!(points, "9.0,8.0 9.0,12.0 11.0,12.0 11.0,8.0");
        assert_eq!(footprint(&p, &b, [f64::NAN, 0.0, 0.0]), None);
    }
}
