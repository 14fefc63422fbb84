//! Deterministic streams of genomes drawn from a [`FuzzSpace`]'s proptest
//! strategy.

use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::space::FuzzSpace;
use gauntlet_instance::Genome;

/// Genomes drawn one after another from [`FuzzSpace::strategy`] with a
/// ChaCha generator seeded from `(campaign seed, scenario id)`: the same
/// seed gives the same genomes, in the same order, on every machine.
pub struct GenomeSampler {
    runner: TestRunner,
    strategy: BoxedStrategy<Genome>,
    fallback: Genome,
}

impl std::fmt::Debug for GenomeSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenomeSampler").finish_non_exhaustive()
    }
}

impl GenomeSampler {
    /// The sampler of `space` for campaign seed `seed`; `stream` names the
    /// purpose, so that two purposes never draw the same genomes.
    pub fn new(space: &FuzzSpace, seed: u64, stream: &str) -> Self {
        let mut h = blake3::Hasher::new_derive_key("gauntlet fuzz genome stream v1");
        h.update(&seed.to_le_bytes());
        h.update(space.scenario().id().as_bytes());
        h.update(&[0]);
        h.update(stream.as_bytes());
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, h.finalize().as_bytes());
        let config = Config { failure_persistence: None, ..Config::default() };
        Self {
            runner: TestRunner::new_with_rng(config, rng),
            strategy: space.strategy(),
            fallback: space.nominal(seed),
        }
    }

    /// The next genome.
    pub fn draw(&mut self) -> Genome {
        // The strategy has no filters, so drawing cannot be rejected.
        match self.strategy.new_tree(&mut self.runner) {
            Ok(tree) => tree.current(),
            Err(_) => self.fallback.clone(),
        }
    }
}
