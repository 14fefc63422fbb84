//! The two ways a campaign picks instances of one scenario: uniform random
//! sampling, and a falsification search (a Latin-hypercube start, then the
//! cross-entropy method with a margin-guided surrogate step) that drives the
//! smallest criterion margin down.

use gauntlet_scenarios::mutation::{FuzzSpace, Genome, GenomeSampler};

use super::surrogate::Surrogate;

/// How a campaign picks instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StrategyKind {
    /// Uniform random sampling of parameters and mutations: a fixed stream
    /// of instances per scenario, drawn from the campaign seed alone.
    Random,
    /// Falsification search: a Latin-hypercube start, then the
    /// cross-entropy method with a trust-region step on a linear surrogate
    /// of the objective (the soft minimum of the scaled margins) over the
    /// scenario's space; a scenario stops once a generation holds a failure.
    Search,
}

impl StrategyKind {
    /// `random` or `search`.
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyKind::Random => "random",
            StrategyKind::Search => "search",
        }
    }
}

impl std::fmt::Display for StrategyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Jobs per round of a random campaign (fixed, so rounds never depend on `--jobs`).
pub(crate) const RANDOM_ROUND: usize = 32;
/// Instances per generation of the search, at most (the first generation's
/// size is [`first_generation`]; every later one has [`GENERATION`]).
pub const POPULATION: usize = 10;
/// Instances of every generation after the first: one surrogate step, one
/// axis probe, the cross-entropy samples, one explorer. Small, so that the search adapts
/// after every few simulations.
pub const GENERATION: usize = 4;
/// Elites the next generation is fitted to: the best instances so far.
pub const ELITES: usize = 3;
/// Weight of the elites' statistics against the previous distribution.
const SMOOTHING: f64 = 0.7;
/// Spread of the first fitted distribution, at least (unit-cube coordinates).
const FIRST_SIGMA: f64 = 0.15;
/// Smallest spread, so that the search never stops exploring.
const MIN_SIGMA: f64 = 0.03;
/// Generations without a new best after which the search starts afresh.
pub const STALL_LIMIT: usize = 5;
/// Instances of every later generation drawn uniformly, as random sampling
/// would: the search keeps exploring where the margins give no direction.
pub const EXPLORERS: usize = 1;
/// Trust radius of the first surrogate step: the half-width of the box
/// around the best instance it may move within (unit-cube coordinates).
const FIRST_RADIUS: f64 = 0.5;
/// Trust radius bounds: it doubles after a step that found a new best and
/// halves after one that did not.
const MAX_RADIUS: f64 = 1.0;
const MIN_RADIUS: f64 = 1.0 / 32.0;
/// Best instances the surrogate is fitted to, at most.
const SURROGATE_POINTS: usize = 64;
/// Coordinates up to which every corner of the trust box is a candidate step.
const CORNERS_UP_TO: usize = 8;
/// Uniform candidate steps in the trust box.
const BOX_SAMPLES: usize = 32;

/// Size of the first generation in a `dimensions`-dimensional space: a
/// Latin hypercube of `dimensions + 1` points (what a linear fit needs),
/// at least 4 and at most [`POPULATION`].
pub fn first_generation(dimensions: usize) -> usize {
    (dimensions + 1).clamp(4, POPULATION)
}

/// The instance picker of one scenario in a campaign.
pub(crate) enum Searcher {
    /// The scenario's stream of uniform instances, taken in order: the same
    /// instances as drawing all of them up front, without holding them.
    Random(Box<GenomeSampler>),
    /// The search ([`Cem`]: the cross-entropy method with surrogate steps).
    Cem(Box<Cem>),
}

impl Searcher {
    /// The picker for `space` in a campaign seeded `seed`.
    pub fn new(kind: StrategyKind, space: &FuzzSpace, seed: u64) -> Self {
        match kind {
            StrategyKind::Random => Searcher::Random(Box::new(GenomeSampler::new(space, seed, "random"))),
            StrategyKind::Search => Searcher::Cem(Box::new(Cem::new(space, seed))),
        }
    }

    /// The next batch, at most `left` instances.
    pub fn next_batch(&mut self, space: &FuzzSpace, left: usize) -> Vec<Genome> {
        match self {
            Searcher::Random(sampler) => (0..RANDOM_ROUND.min(left)).map(|_| sampler.draw()).collect(),
            Searcher::Cem(cem) => cem.generation(space, left),
        }
    }

    /// Tells the picker how the last batch did: one objective per instance, in order.
    pub fn feed(&mut self, objectives: &[f64]) {
        if let Searcher::Cem(cem) = self {
            cem.feed(objectives);
        }
    }

    /// Whether a failure ends this scenario's search.
    pub fn stops_on_failure(&self) -> bool {
        matches!(self, Searcher::Cem(_))
    }
}

/// A deterministic stream of uniform and normal numbers (blake3 in XOF mode).
struct Noise {
    reader: blake3::OutputReader,
    spare: Option<f64>,
}

impl Noise {
    fn new(seed: u64, scenario: &str) -> Self {
        let mut h = blake3::Hasher::new_derive_key("gauntlet fuzz search noise v1");
        h.update(&seed.to_le_bytes());
        h.update(scenario.as_bytes());
        Self { reader: h.finalize_xof(), spare: None }
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.reader.fill(&mut b);
        u64::from_le_bytes(b)
    }

    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box–Muller with `libm`: the same numbers on every machine).
    fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        let r = libm::sqrt(-2.0 * libm::log(u1));
        let theta = 2.0 * std::f64::consts::PI * u2;
        self.spare = Some(r * libm::sin(theta));
        r * libm::cos(theta)
    }
}

/// The search on the unit-cube encoding of a fuzz space.
///
/// Generation 0 is a Latin hypercube of [`first_generation`] points: every
/// coordinate's range is cut into as many strata as points, each stratum
/// sampled once. Each later generation has [`GENERATION`] instances: first
/// a trust-region step on the surrogate ([`super::surrogate`]) — the
/// candidate in a box around the best instance that the least-squares fit
/// through the best instances so far predicts lowest, the box's half-width
/// doubling after a step that found a new best and halving after one that
/// did not — then an axis probe (the best instance with one coordinate at
/// the far end of the cube, [`Cem::axis_probe`]), then samples of a diagonal
/// Gaussian (clamped to the cube) fitted to the [`ELITES`] best instances
/// seen so far, smoothed against the previous fit, its spread kept ≥ 0.03,
/// and last [`EXPLORERS`] uniform instance. After [`STALL_LIMIT`]
/// generations without a new best, it restarts from a fresh Latin
/// hypercube. Nothing about the scenario but its encoding and the
/// objectives fed back steers it.
pub(crate) struct Cem {
    noise: Noise,
    dim: usize,
    mean: Vec<f64>,
    sigma: Vec<f64>,
    /// (objective, order, point) of every instance evaluated since the last (re)start.
    archive: Vec<(f64, usize, Vec<f64>)>,
    pending: Vec<Vec<f64>>,
    /// Whether the first pending instance is a surrogate step.
    stepped: bool,
    /// Trust radius of the next surrogate step.
    radius: f64,
    /// The coordinate of the next axis probe (modulo the dimensions).
    axis: usize,
    /// Generations since the last (re)start.
    generations: usize,
    best: f64,
    stalled: usize,
}

impl Cem {
    fn new(space: &FuzzSpace, seed: u64) -> Self {
        let dim = space.dimensions();
        Self {
            noise: Noise::new(seed, space.scenario().id()),
            dim,
            mean: vec![0.5; dim],
            sigma: vec![0.5; dim],
            archive: Vec::new(),
            pending: Vec::new(),
            stepped: false,
            radius: FIRST_RADIUS,
            axis: 0,
            generations: 0,
            best: f64::INFINITY,
            stalled: 0,
        }
    }

    /// The next generation, at most `left` instances.
    fn generation(&mut self, space: &FuzzSpace, left: usize) -> Vec<Genome> {
        self.pending.clear();
        self.stepped = false;
        if self.generations == 0 {
            let n = first_generation(self.dim).min(left);
            self.latin_hypercube(n);
        } else {
            let n = GENERATION.min(left);
            for k in 0..n {
                let u = if k == 0 {
                    match self.surrogate_step() {
                        Some(u) => {
                            self.stepped = true;
                            u
                        }
                        None => self.gaussian(),
                    }
                } else if k == 1 {
                    self.axis_probe().unwrap_or_else(|| self.gaussian())
                } else if k >= GENERATION - EXPLORERS {
                    (0..self.dim).map(|_| self.noise.uniform()).collect()
                } else {
                    self.gaussian()
                };
                self.pending.push(u);
            }
        }
        self.pending
            .iter()
            .map(|u| {
                let seed = self.noise.next_u64();
                space.decode(u, seed)
            })
            .collect()
    }

    /// `n` points of a Latin hypercube into `pending`.
    fn latin_hypercube(&mut self, n: usize) {
        let mut points = vec![vec![0.0; self.dim]; n];
        let mut strata: Vec<usize> = Vec::with_capacity(n);
        for j in 0..self.dim {
            strata.clear();
            strata.extend(0..n);
            // Fisher–Yates on the noise stream.
            for i in (1..n).rev() {
                let k = (self.noise.next_u64() % (i as u64 + 1)) as usize;
                strata.swap(i, k);
            }
            for (p, &s) in points.iter_mut().zip(&strata) {
                p[j] = (s as f64 + self.noise.uniform()) / n as f64;
            }
        }
        self.pending = points;
    }

    /// A sample of the fitted Gaussian, clamped to the cube.
    fn gaussian(&mut self) -> Vec<f64> {
        (0..self.dim).map(|j| (self.mean[j] + self.sigma[j] * self.noise.normal()).clamp(0.0, 1.0)).collect()
    }

    /// The best instance with one coordinate moved to the far end of the
    /// cube (0 or 1, whichever is further), the coordinates taken in turn
    /// from generation to generation, skipping probes already evaluated:
    /// one factor at a time, so that the surrogate learns how each
    /// coordinate acts at the best instance (where the conditions of a
    /// conjunction meet) and not only on average.
    fn axis_probe(&mut self) -> Option<Vec<f64>> {
        let best = self.archive.iter().find(|e| e.0.is_finite())?.2.clone();
        for _ in 0..self.dim {
            let j = self.axis % self.dim;
            self.axis += 1;
            let mut x = best.clone();
            x[j] = if best[j] < 0.5 { 1.0 } else { 0.0 };
            if !self.archive.iter().any(|e| e.2.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-9)) {
                return Some(x);
            }
        }
        None
    }

    /// The trust-region step on the surrogate: of the candidates in the
    /// box of half-width `radius` around the best instance (its corners,
    /// in at most [`CORNERS_UP_TO`] coordinates; the step down the slope;
    /// [`BOX_SAMPLES`] uniform points), the one the surrogate predicts
    /// lowest that was not evaluated already.
    fn surrogate_step(&mut self) -> Option<Vec<f64>> {
        let finite: Vec<(&[f64], f64)> = self
            .archive
            .iter()
            .filter(|e| e.0.is_finite())
            .take(SURROGATE_POINTS)
            .map(|e| (e.2.as_slice(), e.0))
            .collect();
        let (best, _) = *finite.first()?;
        let best = best.to_vec();
        let model = Surrogate::fit(&finite, &best)?;
        let r = self.radius;
        let mut candidates: Vec<Vec<f64>> = Vec::new();
        if let Some(x) = super::surrogate::step(&best, model.slope(), r) {
            candidates.push(x);
        }
        if self.dim <= CORNERS_UP_TO {
            for mask in 0..1usize << self.dim {
                candidates.push(
                    (0..self.dim)
                        .map(|j| {
                            let sign = if mask >> j & 1 == 1 { 1.0 } else { -1.0 };
                            (best[j] + sign * r).clamp(0.0, 1.0)
                        })
                        .collect(),
                );
            }
        }
        for _ in 0..BOX_SAMPLES {
            let x: Vec<f64> = (0..self.dim)
                .map(|j| (best[j] + r * (2.0 * self.noise.uniform() - 1.0)).clamp(0.0, 1.0))
                .collect();
            candidates.push(x);
        }
        let seen =
            |x: &[f64]| self.archive.iter().any(|e| e.2.iter().zip(x).all(|(a, b)| (a - b).abs() < 1e-9));
        let mut row = Vec::new();
        let mut pick: Option<(f64, Vec<f64>)> = None;
        for x in candidates {
            let y = model.predict(&x, &mut row);
            if y.is_finite() && pick.as_ref().is_none_or(|(p, _)| y < *p) && !seen(&x) {
                pick = Some((y, x));
            }
        }
        pick.map(|(_, x)| x)
    }

    fn feed(&mut self, objectives: &[f64]) {
        let best = objectives.iter().copied().fold(f64::INFINITY, f64::min);
        if self.stepped {
            let improved = objectives.first().is_some_and(|&o| o < self.best);
            self.radius = if improved {
                (2.0 * self.radius).min(MAX_RADIUS)
            } else {
                (0.5 * self.radius).max(MIN_RADIUS)
            };
        }
        if best < self.best {
            self.best = best;
            self.stalled = 0;
        } else {
            self.stalled += 1;
        }
        if self.stalled >= STALL_LIMIT {
            // Stuck: start afresh, forgetting what the last start learnt.
            self.pending.clear();
            self.archive.clear();
            self.mean.fill(0.5);
            self.sigma.fill(0.5);
            self.radius = FIRST_RADIUS;
            self.generations = 0;
            self.best = f64::INFINITY;
            self.stalled = 0;
            return;
        }
        for (u, &objective) in self.pending.drain(..).zip(objectives) {
            let order = self.archive.len();
            self.archive.push((objective, order, u));
        }
        self.archive.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let elites: Vec<&Vec<f64>> =
            self.archive.iter().filter(|e| e.0.is_finite()).take(ELITES).map(|e| &e.2).collect();
        if elites.len() >= 2 {
            let k = elites.len() as f64;
            for j in 0..self.mean.len() {
                let m = elites.iter().map(|u| u[j]).sum::<f64>() / k;
                let s = libm::sqrt(elites.iter().map(|u| (u[j] - m) * (u[j] - m)).sum::<f64>() / k);
                if self.generations == 0 {
                    self.mean[j] = m;
                    self.sigma[j] = s.max(FIRST_SIGMA);
                } else {
                    self.mean[j] = SMOOTHING * m + (1.0 - SMOOTHING) * self.mean[j];
                    self.sigma[j] = SMOOTHING * s + (1.0 - SMOOTHING) * self.sigma[j];
                }
                self.sigma[j] = self.sigma[j].max(MIN_SIGMA);
            }
        }
        self.generations += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use gauntlet_scenarios::Scenario;

    use super::*;

    fn space() -> FuzzSpace {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/wet_cut_in.ron");
        FuzzSpace::new(Arc::new(Scenario::load(&path).expect("fixture loads"))).expect("a fuzz space")
    }

    /// A synthetic conjunction on the unit cube: below zero only where the
    /// first coordinate is low, the second high and the third low (a
    /// thousandth of the cube), and a deceptive second coordinate: where the
    /// first is high, raising it raises the objective.
    fn conjunction(u: &[f64]) -> f64 {
        let (a, b, c) = (u[0], u[1], u[2]);
        (a - 0.1).max(0.9 - b).max(c - 0.1) + 0.3 * a * b
    }

    /// Evaluations the search needs to push `f` below zero, within `budget`.
    fn evaluations(space: &FuzzSpace, seed: u64, budget: usize, f: impl Fn(&[f64]) -> f64) -> Option<usize> {
        let mut searcher = Searcher::new(StrategyKind::Search, space, seed);
        let mut ran = 0;
        while ran < budget {
            let batch = searcher.next_batch(space, budget - ran);
            let objectives: Vec<f64> = batch.iter().map(|g| f(&space.encode(g))).collect();
            if let Some(k) = objectives.iter().position(|o| *o < 0.0) {
                return Some(ran + k + 1);
            }
            searcher.feed(&objectives);
            ran += batch.len();
        }
        None
    }

    #[test]
    fn the_first_generation_is_a_latin_hypercube() {
        let space = space();
        let mut searcher = Searcher::new(StrategyKind::Search, &space, 7);
        let batch = searcher.next_batch(&space, 200);
        assert_eq!(batch.len(), first_generation(space.dimensions()));
        let n = batch.len();
        for j in 0..space.dimensions() {
            let mut strata: Vec<usize> =
                batch.iter().map(|g| ((space.encode(g)[j] * n as f64) as usize).min(n - 1)).collect();
            strata.sort_unstable();
            // Integer coordinates (the latency) round to their grid: allow a shared stratum there.
            let distinct = strata.windows(2).filter(|w| w[0] != w[1]).count() + 1;
            assert!(distinct >= n - 1, "coordinate {j}: strata {strata:?}");
        }
    }

    #[test]
    fn the_same_seed_and_objectives_give_the_same_search() {
        let space = space();
        let run = |seed: u64| {
            let mut searcher = Searcher::new(StrategyKind::Search, &space, seed);
            let mut all = Vec::new();
            for _ in 0..6 {
                let batch = searcher.next_batch(&space, 100);
                let objectives: Vec<f64> =
                    batch.iter().map(|g| conjunction(&space.encode(g)) + 1.0).collect();
                searcher.feed(&objectives);
                all.extend(batch);
            }
            all
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }

    #[test]
    fn the_search_finds_a_deceptive_corner_conjunction_that_random_sampling_rarely_hits() {
        let space = space();
        let found: Vec<Option<usize>> =
            (0..8).map(|seed| evaluations(&space, seed, 200, conjunction)).collect();
        let mut counts: Vec<usize> = found.iter().map(|x| x.unwrap_or(201)).collect();
        counts.sort_unstable();
        // Uniform sampling needs about 700 on average (a thousandth of the cube).
        assert!(counts[4] <= 60, "median evaluations {counts:?}");
        assert!(found.iter().all(Option::is_some), "{found:?}");
    }
}
