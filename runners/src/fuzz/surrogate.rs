//! A linear surrogate of the search objective: the least-squares plane
//! through the instances evaluated so far, whose slope says which way the
//! margins fall. The search ([`super::search`]) takes a trust-region step
//! along it from its best instance.

/// Ridge weight on the slopes (not on the intercept): keeps the fit defined
/// when fewer points than coordinates are known, and barely moves it
/// otherwise (unit-cube coordinates, objective of order 1).
const RIDGE: f64 = 1e-3;
/// Ridge weight on the curvature and interaction terms: with few points the
/// fit stays nearly a plane, and bends only where the points demand it.
const RIDGE_QUADRATIC: f64 = 0.05;
/// Coordinates up to which the surrogate has curvature and interaction
/// terms (above, it is a plane: the terms grow with the square).
pub(crate) const QUADRATIC_UP_TO: usize = 6;

/// A least-squares surrogate of the objective around an origin: a plane,
/// and in spaces of at most [`QUADRATIC_UP_TO`] coordinates a quadratic
/// with every interaction `xⱼ·xₖ` — what a bug that needs two conditions
/// at once looks like to the margins.
#[derive(Debug, Clone)]
pub(crate) struct Surrogate {
    origin: Vec<f64>,
    quadratic: bool,
    beta: Vec<f64>,
}

impl Surrogate {
    /// The ridge-regularised least-squares fit through `points`
    /// (coordinates and objective), centred on `origin`; `None` for no
    /// point or a singular system.
    pub(crate) fn fit(points: &[(&[f64], f64)], origin: &[f64]) -> Option<Self> {
        let quadratic = origin.len() <= QUADRATIC_UP_TO;
        let beta = least_squares(points, origin, quadratic)?;
        Some(Self { origin: origin.to_vec(), quadratic, beta })
    }

    /// The predicted objective at `x`.
    pub(crate) fn predict(&self, x: &[f64], row: &mut Vec<f64>) -> f64 {
        features(x, &self.origin, self.quadratic, row);
        row.iter().zip(&self.beta).map(|(f, b)| f * b).sum()
    }

    /// The slope at the origin.
    pub(crate) fn slope(&self) -> &[f64] {
        &self.beta[1..=self.origin.len()]
    }
}

/// The features of `x` (1, `x − origin`, and with `quadratic` the products
/// of every pair of those, squares included) into `row`; their count.
fn features(x: &[f64], origin: &[f64], quadratic: bool, row: &mut Vec<f64>) -> usize {
    row.clear();
    row.push(1.0);
    let dim = origin.len();
    row.extend(x.iter().zip(origin).map(|(x, o)| x - o));
    if quadratic {
        for j in 0..dim {
            for k in j..dim {
                row.push(row[1 + j] * row[1 + k]);
            }
        }
    }
    row.len()
}

/// The ridge-regularised least-squares coefficients of the features of
/// `points` about `origin`; `None` for no point or a singular system.
fn least_squares(points: &[(&[f64], f64)], origin: &[f64], quadratic: bool) -> Option<Vec<f64>> {
    if points.is_empty() {
        return None;
    }
    let n = features(origin, origin, quadratic, &mut Vec::new());
    let mut m = vec![0.0; n * (n + 1)];
    let mut row = Vec::with_capacity(n);
    for (x, y) in points {
        features(x, origin, quadratic, &mut row);
        for r in 0..n {
            for c in 0..n {
                m[r * (n + 1) + c] += row[r] * row[c];
            }
            m[r * (n + 1) + n] += row[r] * y;
        }
    }
    for j in 1..n {
        m[j * (n + 1) + j] += if j <= origin.len() { RIDGE } else { RIDGE_QUADRATIC };
    }
    solve(&mut m, n)
}

/// The slope of the least-squares plane `y ≈ a + g·(x − origin)` through
/// `points`, ridge-regularised; `None` for no point or a singular system.
#[cfg(test)]
fn slope(points: &[(&[f64], f64)], origin: &[f64]) -> Option<Vec<f64>> {
    least_squares(points, origin, false).map(|beta| beta[1..].to_vec())
}

/// Solves the `n × n` system held row-major with its right-hand side as
/// column `n` of `m` (Gaussian elimination, partial pivoting).
fn solve(m: &mut [f64], n: usize) -> Option<Vec<f64>> {
    let w = n + 1;
    for col in 0..n {
        let pivot = (col..n).max_by(|&a, &b| m[a * w + col].abs().total_cmp(&m[b * w + col].abs()))?;
        if m[pivot * w + col].abs() < 1e-12 {
            return None;
        }
        if pivot != col {
            for c in 0..w {
                m.swap(pivot * w + c, col * w + c);
            }
        }
        for r in col + 1..n {
            let f = m[r * w + col] / m[col * w + col];
            if f != 0.0 {
                for c in col..w {
                    m[r * w + c] -= f * m[col * w + c];
                }
            }
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let mut v = m[r * w + n];
        for c in r + 1..n {
            v -= m[r * w + c] * x[c];
        }
        x[r] = v / m[r * w + r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The trust-region step from `best` down `slope`: the coordinate with the
/// steepest slope moves by `radius`, the others in proportion, clamped to
/// the unit cube; `None` when the slope is flat or the step goes nowhere
/// (`best` already sits at the cube's edge in that direction).
pub(crate) fn step(best: &[f64], slope: &[f64], radius: f64) -> Option<Vec<f64>> {
    let steepest = slope.iter().fold(0.0f64, |a, g| a.max(g.abs()));
    if steepest <= 1e-12 {
        return None;
    }
    let x: Vec<f64> =
        best.iter().zip(slope).map(|(b, g)| (b - radius * g / steepest).clamp(0.0, 1.0)).collect();
    let moved = x.iter().zip(best).fold(0.0f64, |a, (x, b)| a.max((x - b).abs()));
    (moved > 1e-9).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plane_is_recovered_exactly_from_enough_points() {
        let f = |x: &[f64]| 2.0 - 3.0 * x[0] + 0.5 * x[1];
        let xs = [[0.1, 0.2], [0.9, 0.3], [0.4, 0.8], [0.6, 0.6]];
        let pts: Vec<(&[f64], f64)> = xs.iter().map(|x| (&x[..], f(x))).collect();
        let g = slope(&pts, &[0.5, 0.5]).expect("a fit");
        assert!((g[0] + 3.0).abs() < 1e-2 && (g[1] - 0.5).abs() < 1e-2, "{g:?}");
    }

    #[test]
    fn the_quadratic_surrogate_learns_an_interaction_a_plane_cannot() {
        // Low only where the first coordinate is low and the second high.
        let f = |x: &[f64]| 1.0 + x[0] - x[1] + 2.0 * x[0] * x[1];
        let xs: Vec<[f64; 2]> =
            (0..16).map(|k| [((k % 4) as f64 + 0.5) / 4.0, ((k / 4) as f64 + 0.5) / 4.0]).collect();
        let pts: Vec<(&[f64], f64)> = xs.iter().map(|x| (&x[..], f(x))).collect();
        let model = Surrogate::fit(&pts, &[0.5, 0.5]).expect("a fit");
        let mut row = Vec::new();
        for x in [[0.3, 0.6], [0.5, 0.5], [0.2, 0.8], [0.7, 0.3]] {
            let y = model.predict(&x, &mut row);
            assert!((y - f(&x)).abs() < 0.1, "{x:?}: predicted {y}, is {}", f(&x));
        }
        // A plane through these points has no slope along the second
        // coordinate (on average it does not matter); the quadratic sees
        // that it does where the first is low.
        let (low, high) = (model.predict(&[0.0, 1.0], &mut row), model.predict(&[0.0, 0.0], &mut row));
        assert!(low < high - 0.5, "{low} vs {high}");
        let plane = slope(&pts, &[0.5, 0.5]).expect("a plane");
        assert!(plane[1].abs() < 0.05, "{plane:?}");
    }

    #[test]
    fn too_few_points_still_give_a_slope_and_none_gives_none() {
        let xs = [[0.2, 0.5, 0.5], [0.8, 0.5, 0.5]];
        let pts: Vec<(&[f64], f64)> = xs.iter().zip([1.0, 0.0]).map(|(x, y)| (&x[..], y)).collect();
        let g = slope(&pts, &[0.5, 0.5, 0.5]).expect("a ridge fit");
        assert!(g[0] < -1.0 && g[1].abs() < 1e-9 && g[2].abs() < 1e-9, "{g:?}");
        assert_eq!(slope(&[], &[0.5]), None);
    }

    #[test]
    fn the_step_goes_downhill_by_the_radius_and_stops_at_the_edge() {
        let x = step(&[0.5, 0.5], &[-2.0, 1.0], 0.4).expect("a step");
        assert!((x[0] - 0.9).abs() < 1e-12 && (x[1] - 0.3).abs() < 1e-12, "{x:?}");
        let edge = step(&[1.0, 0.5], &[-2.0, 0.0], 0.4);
        assert_eq!(edge, None, "already at the edge");
        assert_eq!(step(&[0.5], &[0.0], 0.4), None, "flat");
    }
}
