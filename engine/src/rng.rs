//! Seeded random streams. Every consumer of randomness draws from its own
//! named stream derived from the job seed, so adding an actor or a sensor
//! fault never shifts the numbers another consumer sees.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// One named random stream.
#[derive(Debug, Clone)]
pub struct Stream {
    rng: ChaCha8Rng,
    spare_normal: Option<f64>,
}

impl Stream {
    /// The stream `name`/`index` of the job seeded with `seed`.
    pub fn new(seed: u64, name: &str, index: u64) -> Self {
        let mut h = blake3::Hasher::new_derive_key("gauntlet rng stream v1");
        h.update(&seed.to_le_bytes());
        h.update(&index.to_le_bytes());
        h.update(name.as_bytes());
        Self { rng: ChaCha8Rng::from_seed(*h.finalize().as_bytes()), spare_normal: None }
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box–Muller with `libm`, deterministic everywhere).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        let r = libm::sqrt(-2.0 * libm::log(u1));
        let theta = 2.0 * std::f64::consts::PI * u2;
        self.spare_normal = Some(r * libm::sin(theta));
        r * libm::cos(theta)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.uniform() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let mut a = Stream::new(7, "sensor.noise", 1);
        let mut b = Stream::new(7, "sensor.noise", 1);
        let mut c = Stream::new(7, "sensor.noise", 2);
        let xa: Vec<u64> = (0..4).map(|_| a.uniform().to_bits()).collect();
        let xb: Vec<u64> = (0..4).map(|_| b.uniform().to_bits()).collect();
        let xc: Vec<u64> = (0..4).map(|_| c.uniform().to_bits()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut s = Stream::new(1, "t", 0);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "var {var}");
    }
}
