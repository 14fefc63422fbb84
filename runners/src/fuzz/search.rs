//! The two ways a campaign picks instances of one scenario: uniform random
//! sampling, and a falsification search (the cross-entropy method) that
//! drives the smallest criterion margin down.

use gauntlet_scenarios::mutation::{FuzzSpace, Genome, GenomeSampler};

/// How a campaign picks instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StrategyKind {
    /// Uniform random sampling of parameters and mutations: a fixed stream
    /// of instances per scenario, drawn from the campaign seed alone.
    Random,
    /// Falsification search: the cross-entropy method over the scenario's
    /// space, minimising the soft minimum of the scaled margins; a scenario stops once a
    /// generation holds a failure.
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
/// Instances per generation of the cross-entropy method.
pub const POPULATION: usize = 10;
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
pub const EXPLORERS: usize = 2;

/// The instance picker of one scenario in a campaign.
pub(crate) enum Searcher {
    /// The scenario's stream of uniform instances, taken in order: the same
    /// instances as drawing all of them up front, without holding them.
    Random(Box<GenomeSampler>),
    /// The cross-entropy method.
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
            Searcher::Cem(cem) => cem.generation(space, POPULATION.min(left)),
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

/// The cross-entropy method on the unit-cube encoding of a fuzz space.
///
/// Generation 0 is uniform: exactly the instances the random strategy
/// would draw first. Each later generation samples a diagonal Gaussian
/// (clamped to the cube) fitted to the [`ELITES`] best instances seen so
/// far, smoothed against the previous fit, its spread kept ≥ 0.03, but for
/// its last [`EXPLORERS`] instances, drawn uniformly. After
/// [`STALL_LIMIT`] generations without a new best, it restarts from a
/// fresh uniform generation (the next draws of the random stream).
pub(crate) struct Cem {
    sampler: GenomeSampler,
    noise: Noise,
    mean: Vec<f64>,
    sigma: Vec<f64>,
    /// (objective, order, point) of every instance evaluated.
    archive: Vec<(f64, usize, Vec<f64>)>,
    pending: Vec<Vec<f64>>,
    /// Generations since the last (re)start.
    generations: usize,
    best: f64,
    stalled: usize,
}

impl Cem {
    fn new(space: &FuzzSpace, seed: u64) -> Self {
        let dim = space.dimensions();
        Self {
            sampler: GenomeSampler::new(space, seed, "random"),
            noise: Noise::new(seed, space.scenario().id()),
            mean: vec![0.5; dim],
            sigma: vec![0.5; dim],
            archive: Vec::new(),
            pending: Vec::new(),
            generations: 0,
            best: f64::INFINITY,
            stalled: 0,
        }
    }

    fn generation(&mut self, space: &FuzzSpace, n: usize) -> Vec<Genome> {
        self.pending.clear();
        let mut out = Vec::with_capacity(n);
        for k in 0..n {
            if self.generations == 0 || k >= n.saturating_sub(EXPLORERS) {
                let g = self.sampler.draw();
                self.pending.push(space.encode(&g));
                out.push(g);
            } else {
                let u: Vec<f64> = self
                    .mean
                    .iter()
                    .zip(&self.sigma)
                    .map(|(m, s)| (m + s * self.noise.normal()).clamp(0.0, 1.0))
                    .collect();
                let seed = self.noise.next_u64();
                out.push(space.decode(&u, seed));
                self.pending.push(u);
            }
        }
        out
    }

    fn feed(&mut self, objectives: &[f64]) {
        let best = objectives.iter().copied().fold(f64::INFINITY, f64::min);
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
