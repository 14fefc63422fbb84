//! The resolved identity of one scenario instance: its seed, every parameter
//! value and every structural mutation ([`Genome`]).
//!
//! A genome is what a fuzzed or saved job *is*: the fuzzer produces it,
//! regression files store it, and run records carry it, so that any record
//! can be rebuilt exactly. It holds no index into a generator: a genome
//! replays while the scenario file holds still, whatever became of the
//! fuzzer. This crate is plain data (serde only), shared by the scenario
//! model and the record schema, which must not depend on each other.
#![warn(missing_docs)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A fuzzed instance of a scenario: seed, parameter values, mutations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Genome {
    /// Seed of the world's own randomness (sensor noise and dropout streams).
    pub seed: u64,
    /// Value of every parameter of the scenario, by field path (missing ones are nominal).
    pub values: BTreeMap<String, f64>,
    /// Structural mutations (none: the scenario as written).
    #[serde(default, skip_serializing_if = "Mutations::is_empty")]
    pub mutations: Mutations,
}

/// The structural mutations of one instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mutations {
    /// Extra actors, from the scenario's templates; they follow the
    /// scenario's own actors (ids `n + 1`, `n + 2`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<ExtraActor>,
    /// Shift of time triggers, s, by trigger path (`actors[0].behaviours[1].at`); absent means 0.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub trigger_shifts: BTreeMap<String, f64>,
    /// Injected sensor faults.
    #[serde(default, skip_serializing_if = "SensorFault::is_none")]
    pub sensor: SensorFault,
    /// A shorter duration, s (set by the shrinker: just after the first violation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
}

impl Mutations {
    /// Whether this is the scenario as written.
    pub fn is_empty(&self) -> bool {
        self.actors.is_empty()
            && self.trigger_shifts.is_empty()
            && self.sensor.is_none()
            && self.duration.is_none()
    }
}

/// An extra actor: a template of the scenario's `fuzz` section and the
/// values of the template's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraActor {
    /// The template's name.
    pub template: String,
    /// Value of every parameter of the template, by path inside the actor (`s`, `behaviours[0].at`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, f64>,
}

/// Sensor settings replaced by injected faults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SensorFault {
    /// Position noise σ, m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_sigma: Option<f64>,
    /// Dropout probability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropout: Option<f64>,
    /// Latency, steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_steps: Option<u32>,
}

impl SensorFault {
    /// Whether no fault is injected.
    pub fn is_none(&self) -> bool {
        self.noise_sigma.is_none() && self.dropout.is_none() && self.latency_steps.is_none()
    }

    /// The fault of one field.
    pub fn get(&self, field: SensorField) -> Option<f64> {
        match field {
            SensorField::NoiseSigma => self.noise_sigma,
            SensorField::Dropout => self.dropout,
            SensorField::LatencySteps => self.latency_steps.map(f64::from),
        }
    }

    /// Sets (or, with `None`, removes) the fault of one field. Latency is rounded to whole steps.
    pub fn set(&mut self, field: SensorField, value: Option<f64>) {
        match field {
            SensorField::NoiseSigma => self.noise_sigma = value,
            SensorField::Dropout => self.dropout = value,
            SensorField::LatencySteps => {
                self.latency_steps = value.map(|v| v.round().clamp(0.0, f64::from(u32::MAX)) as u32)
            }
        }
    }
}

/// A sensor setting a fault can replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SensorField {
    /// `noise_sigma`.
    NoiseSigma,
    /// `dropout`.
    Dropout,
    /// `latency_steps`.
    LatencySteps,
}

impl SensorField {
    /// All three, in file order.
    pub const ALL: [SensorField; 3] =
        [SensorField::NoiseSigma, SensorField::Dropout, SensorField::LatencySteps];

    /// The field name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            SensorField::NoiseSigma => "noise_sigma",
            SensorField::Dropout => "dropout",
            SensorField::LatencySteps => "latency_steps",
        }
    }
}

impl Genome {
    /// blake3 (hex) of every field, bit for bit: equal genomes, equal
    /// digests; any change of seed, value, path or mutation, another digest.
    /// Names a job's instance in record ids and job keys.
    pub fn digest(&self) -> String {
        let mut h = blake3::Hasher::new_derive_key("gauntlet genome digest v1");
        let text = |h: &mut blake3::Hasher, s: &str| {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        let number = |h: &mut blake3::Hasher, x: f64| {
            h.update(&x.to_bits().to_le_bytes());
        };
        let values = |h: &mut blake3::Hasher, map: &BTreeMap<String, f64>| {
            h.update(&(map.len() as u64).to_le_bytes());
            for (k, v) in map {
                text(h, k);
                number(h, *v);
            }
        };
        let option = |h: &mut blake3::Hasher, x: Option<f64>| match x {
            None => {
                h.update(&[0]);
            }
            Some(x) => {
                h.update(&[1]);
                number(h, x);
            }
        };
        h.update(&self.seed.to_le_bytes());
        values(&mut h, &self.values);
        let m = &self.mutations;
        h.update(&(m.actors.len() as u64).to_le_bytes());
        for a in &m.actors {
            text(&mut h, &a.template);
            values(&mut h, &a.values);
        }
        values(&mut h, &m.trigger_shifts);
        option(&mut h, m.sensor.noise_sigma);
        option(&mut h, m.sensor.dropout);
        option(&mut h, m.sensor.latency_steps.map(f64::from));
        option(&mut h, m.duration);
        h.finalize().to_hex().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_tell_every_field_apart() {
        let base = Genome {
            seed: 3,
            values: BTreeMap::from([("ego.speed".to_owned(), 12.5)]),
            mutations: Mutations::default(),
        };
        let d = base.digest();
        assert_eq!(d, base.clone().digest());
        let mut other = base.clone();
        other.seed = 4;
        assert_ne!(other.digest(), d);
        let mut other = base.clone();
        other.values.insert("ego.speed".to_owned(), 12.500000000000002);
        assert_ne!(other.digest(), d);
        let mut other = base.clone();
        other.mutations.duration = Some(6.0);
        assert_ne!(other.digest(), d);
        let mut other = base.clone();
        other.mutations.sensor.latency_steps = Some(0);
        assert_ne!(other.digest(), d);
        let mut other = base;
        other.mutations.actors.push(ExtraActor { template: "walker".to_owned(), values: BTreeMap::new() });
        assert_ne!(other.digest(), d);
    }
}
