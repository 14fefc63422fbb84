//! The validating walk's part for `layout: Segments(…)`: a chain of
//! straights, arcs and spirals (what `gauntlet import` writes for an
//! OpenDRIVE reference line).

use gauntlet_engine::road::{SegmentSpec, Spiral, spiral_is_regular};
use gauntlet_ron_source::FieldPath;

use super::{Accepts, Walk};
use crate::raw::SegmentFile;

/// Sharpest curvature of a piece, 1/m (a radius of 10 m, as `Curve` allows).
const MAX_CURVATURE: f64 = 0.1;
/// Longest route, m.
const MAX_LENGTH: f64 = 50_000.0;

impl Walk<'_> {
    /// `layout: Segments(segments: […])`: at least one piece, lengths
    /// positive, curvatures at most 1/10 m, and no spiral whose line passes
    /// a centre of curvature of its clothoid.
    pub(super) fn segments(&mut self, lp: &FieldPath, pieces: &[SegmentFile]) -> Vec<SegmentSpec> {
        let p = lp.field("segments");
        if pieces.is_empty() {
            self.error(&p, "expected at least one segment");
        }
        let curv = Accepts::between(-MAX_CURVATURE, MAX_CURVATURE, "a curvature in 1/m (radius ≥ 10 m)");
        let mut out = Vec::with_capacity(pieces.len());
        let mut total = 0.0;
        for (i, seg) in pieces.iter().enumerate() {
            let sp = p.index(i);
            let length =
                self.num(&sp.field("length"), &seg.length, Accepts::positive(MAX_LENGTH, "a length in m"));
            let curvature = self.num(&sp.field("curvature"), &seg.curvature, curv);
            let reference_offset = self.num(
                &sp.field("reference_offset"),
                &seg.reference_offset,
                Accepts::between(-100.0, 100.0, "an offset in m"),
            );
            let spiral = seg.curvature_end.as_ref().map(|c| Spiral {
                curvature_end: self.num(&sp.field("curvature_end"), c, curv),
                reference_offset,
            });
            match spiral {
                Some(s) if !spiral_is_regular(curvature, &s) => self.error(
                    &sp,
                    "this spiral's line passes a centre of curvature of its clothoid (1 − κ·offset ≤ 0)",
                ),
                None if reference_offset != 0.0 => self.error(
                    &sp.field("reference_offset"),
                    "only a spiral (with `curvature_end`) has a reference offset",
                ),
                _ => {}
            }
            total += length;
            out.push(SegmentSpec { length, curvature, spiral });
        }
        if total > MAX_LENGTH {
            self.error(&p, format!("expected a route of at most {MAX_LENGTH} m, found {total}"));
        }
        out
    }
}
