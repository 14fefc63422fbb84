//! The trace hash (the determinism fingerprint of a run) and the optional
//! full trace kept for replays.

use bevy_ecs::prelude::*;

use crate::adapter::Control;
use crate::world::{Physics, Snapshot};

/// Hashes the bit patterns of every body's pose and velocity, every step.
///
/// Bytes are gathered into a buffer and hashed in large blocks, where blake3
/// uses its SIMD paths; the hash is the same as hashing every byte in order.
#[derive(Resource)]
pub(crate) struct Tracer {
    hasher: blake3::Hasher,
    buffer: Box<[u8; TRACE_BUFFER]>,
    used: usize,
}

const TRACE_BUFFER: usize = 16 * 1024;

impl Default for Tracer {
    fn default() -> Self {
        Self {
            hasher: blake3::Hasher::new_derive_key("gauntlet trace v1"),
            buffer: Box::new([0; TRACE_BUFFER]),
            used: 0,
        }
    }
}

impl Tracer {
    fn push(&mut self, bytes: &[u8]) {
        if self.used + bytes.len() > TRACE_BUFFER {
            self.hasher.update(&self.buffer[..self.used]);
            self.used = 0;
        }
        self.buffer[self.used..self.used + bytes.len()].copy_from_slice(bytes);
        self.used += bytes.len();
    }

    pub(crate) fn finish(&self) -> TraceHash {
        let mut hasher = self.hasher.clone();
        hasher.update(&self.buffer[..self.used]);
        TraceHash(*hasher.finalize().as_bytes())
    }
}

/// A run's trace hash: blake3 over the f32 bit patterns of every body's
/// translation, rotation, linear and angular velocity at every step, in body order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TraceHash(pub [u8; 32]);

impl TraceHash {
    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        blake3::Hash::from_bytes(self.0).to_hex().to_string()
    }
}

impl std::fmt::Display for TraceHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Feeds this step's body states into the hash.
pub(crate) fn hash_step(physics: Res<Physics>, snapshot: Res<Snapshot>, mut tracer: ResMut<Tracer>) {
    let mut buf = [0u8; 13 * 4];
    for b in &snapshot.bodies {
        let Some(rb) = physics.0.bodies.get(b.body) else { continue };
        let p = rb.translation();
        let q = rb.rotation();
        let v = rb.linvel();
        let w = rb.angvel();
        let vals = [p.x, p.y, p.z, q.x, q.y, q.z, q.w, v.x, v.y, v.z, w.x, w.y, w.z];
        for (chunk, x) in buf.chunks_exact_mut(4).zip(vals) {
            chunk.copy_from_slice(&x.to_bits().to_le_bytes());
        }
        tracer.push(&buf);
    }
}

/// One body in one trace frame.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct TraceBody {
    /// Actor id (0 is the ego).
    pub id: u32,
    /// World x, m.
    pub x: f64,
    /// World y, m.
    pub y: f64,
    /// Heading, rad.
    pub yaw: f64,
    /// Velocity x, m/s.
    pub vx: f64,
    /// Velocity y, m/s.
    pub vy: f64,
    /// Route distance, m.
    pub s: f64,
    /// Route lateral offset, m.
    pub d: f64,
}

/// The whole state after one step, kept when a replay asks for a trace.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TraceFrame {
    /// Step index.
    pub step: u64,
    /// Time at the end of the step, s.
    pub t: f64,
    /// Every body, ego first.
    pub bodies: Vec<TraceBody>,
    /// Ids of the objects the adapter was shown this step.
    pub observed: Vec<u32>,
    /// The observation the adapter answered this step.
    pub observation: crate::adapter::Observation,
    /// The control the engine applied (after clamping).
    pub control: Control,
    /// Each criterion's margin this step, in spec order.
    pub margins: Vec<(&'static str, f64)>,
}
