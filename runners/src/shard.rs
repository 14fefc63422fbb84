//! `--shard K/N`: a stable partition of a sweep's jobs over N machines.
//!
//! A job belongs to shard `K` (1-based) when the blake3 hash of its
//! scenario id and seed, read as a little-endian `u64`, is `K - 1` modulo
//! `N`. The hash depends on nothing else: not on the order of the files,
//! the number of scenarios, the thread count or the machine, so every
//! shard of a matrix plans its part of the sweep alone, and the shards
//! together run every job exactly once.
//!
//! **Stability promise:** the assignment of a (scenario id, seed) pair to a
//! shard does not change within a major version of Gauntlet (the tests pin
//! a few assignments). The job kind is not hashed, so a saved regression
//! seed runs on the same shard as the library seed it came from.

use std::fmt;
use std::str::FromStr;

/// The context string of the shard hash; changing it moves every job.
const SHARD_HASH_CONTEXT: &str = "gauntlet shard v1";

/// One shard of a partition: the `index`-th (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// Why a `--shard` argument is not a shard.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// The text is not `K/N`.
    #[error("failed to parse shard {text:?}: expected `K/N`, e.g. `2/8`")]
    Syntax {
        /// The argument as given.
        text: String,
    },
    /// `K` or `N` is out of range.
    #[error("invalid shard {text:?}: K must be between 1 and N, and N at least 1")]
    Range {
        /// The argument as given.
        text: String,
    },
}

impl Shard {
    /// Shard `index` (1-based) of `count`.
    pub fn new(index: u32, count: u32) -> Result<Self, ShardError> {
        if count == 0 || index == 0 || index > count {
            return Err(ShardError::Range { text: format!("{index}/{count}") });
        }
        Ok(Self { index, count })
    }

    /// The 1-based index `K`.
    pub fn index(self) -> u32 {
        self.index
    }

    /// The number of shards `N`.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether the job (scenario id, seed) belongs to this shard.
    pub fn contains(self, scenario: &str, seed: u64) -> bool {
        bucket(scenario, seed, self.count) == self.index - 1
    }
}

/// The 0-based shard of (scenario id, seed) among `count` shards (≥ 1).
pub fn bucket(scenario: &str, seed: u64, count: u32) -> u32 {
    let mut hasher = blake3::Hasher::new_derive_key(SHARD_HASH_CONTEXT);
    // Length-prefixed, so that the bytes hashed encode (id, seed) unambiguously.
    hasher.update(&(scenario.len() as u64).to_le_bytes());
    hasher.update(scenario.as_bytes());
    hasher.update(&seed.to_le_bytes());
    let hash = hasher.finalize();
    let mut head = [0u8; 8];
    head.copy_from_slice(&hash.as_bytes()[..8]);
    (u64::from_le_bytes(head) % u64::from(count.max(1))) as u32
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let syntax = || ShardError::Syntax { text: text.to_owned() };
        let (k, n) = text.trim().split_once('/').ok_or_else(syntax)?;
        let k: u32 = k.trim().parse().map_err(|_| syntax())?;
        let n: u32 = n.trim().parse().map_err(|_| syntax())?;
        Self::new(k, n).map_err(|_| ShardError::Range { text: text.to_owned() })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_and_rejects_the_rest() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!(" 1 / 1 ".parse::<Shard>().map(|s| s.to_string()), Ok("1/1".to_owned()));
        for bad in ["", "2", "a/3", "2/b", "2/3/4", "-1/3"] {
            assert!(matches!(bad.parse::<Shard>(), Err(ShardError::Syntax { .. })), "{bad}");
        }
        for bad in ["0/3", "4/3", "1/0"] {
            assert!(matches!(bad.parse::<Shard>(), Err(ShardError::Range { .. })), "{bad}");
        }
    }

    #[test]
    fn one_shard_holds_everything() {
        let all = Shard::new(1, 1).expect("valid");
        assert!((0..100).all(|seed| all.contains("cut_in.highway", seed)));
    }
}
