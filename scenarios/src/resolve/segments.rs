//! The validating walk's part for `layout: Segments(…)`: a chain of
//! straights, arcs, spirals and parametric cubics (what `gauntlet import`
//! writes for an OpenDRIVE reference line).

use gauntlet_engine::road::{ParamPoly3, SegmentSpec, Spiral, spiral_is_regular};
use gauntlet_ron_source::FieldPath;

use super::{Accepts, Walk};
use crate::raw::{Poly3File, SegmentFile};

/// Sharpest curvature of a piece, 1/m (a radius of 10 m, as `Curve` allows).
const MAX_CURVATURE: f64 = 0.1;
/// Longest route, m.
const MAX_LENGTH: f64 = 50_000.0;
/// How far a cubic's stated `length` may differ from its line's arc length, m.
const POLY3_LENGTH_TOLERANCE: f64 = 1e-6;

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
                None if reference_offset != 0.0 && seg.param_poly3.is_none() => self.error(
                    &sp.field("reference_offset"),
                    "only a spiral (with `curvature_end`) or a cubic (`param_poly3`) has a reference offset",
                ),
                _ => {}
            }
            let poly3 = seg.param_poly3.as_ref().and_then(|pf| self.poly3(&sp, pf, length, reference_offset));
            if seg.param_poly3.is_some() {
                if seg.curvature_end.is_some() {
                    self.error(&sp.field("curvature_end"), "a cubic (`param_poly3`) is not also a spiral");
                }
                if curvature != 0.0 {
                    self.error(
                        &sp.field("curvature"),
                        "a cubic's curvature comes from its coefficients: expected 0",
                    );
                }
            }
            let (length, curvature) = match poly3 {
                Some((pp, len, k0)) => {
                    total += len;
                    out.push(SegmentSpec { length: len, curvature: k0, spiral: None, poly3: Some(pp) });
                    continue;
                }
                None => (length, curvature),
            };
            total += length;
            out.push(SegmentSpec { length, curvature, spiral, poly3: None });
        }
        if total > MAX_LENGTH {
            self.error(&p, format!("expected a route of at most {MAX_LENGTH} m, found {total}"));
        }
        out
    }

    /// `param_poly3: (u: …, v: …)`: a regular cubic (no cusp, its line
    /// clear of every centre of curvature, curvature within ±1/10 m) whose
    /// line is `length` long; the cubic, its exact line length and start curvature.
    fn poly3(
        &mut self,
        sp: &FieldPath,
        pf: &Poly3File,
        length: f64,
        offset: f64,
    ) -> Option<(ParamPoly3, f64, f64)> {
        let pp_path = sp.field("param_poly3");
        let coeff = Accepts::between(-MAX_LENGTH, MAX_LENGTH, "a coefficient in m");
        let mut u = [0.0; 4];
        let mut v = [0.0; 4];
        for k in 0..4 {
            u[k] = self.num(&pp_path.field("u").index(k), &pf.u[k], coeff);
            v[k] = self.num(&pp_path.field("v").index(k), &pf.v[k], coeff);
        }
        let pp = ParamPoly3 { u, v, reference_offset: offset };
        let Some(curve) = pp.curve() else {
            self.error(
                &pp_path,
                "this cubic is not a road line: it has a cusp (zero tangent) or its line passes a centre of curvature",
            );
            return None;
        };
        let (lo, hi) = curve.curvature_range();
        if lo < -MAX_CURVATURE || hi > MAX_CURVATURE {
            self.error(
                &pp_path,
                format!(
                    "expected curvatures within ±{MAX_CURVATURE} 1/m (radius ≥ 10 m), found {lo:.4} … {hi:.4}"
                ),
            );
        }
        if (curve.length() - length).abs() > POLY3_LENGTH_TOLERANCE {
            self.error(
                &sp.field("length"),
                format!("expected the cubic's line length {:?} m, found {length:?}", curve.length()),
            );
        }
        Some((pp, curve.length(), curve.curvature_at(0.0)))
    }
}
