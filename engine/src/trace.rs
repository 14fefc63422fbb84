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
            hasher: blake3::Hasher::new_derive_key("gauntlet trace v2"),
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

/// A run's trace hash: blake3 over the f64 bit patterns (rapier's f64 build)
/// of every body's translation, rotation, linear and angular velocity at every
/// step, in body order.
///
/// Key `gauntlet trace v2` (v1 hashed the f32 state of rapier's f32 build).
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
    let mut buf = [0u8; 13 * 8];
    for b in &snapshot.bodies {
        let Some(rb) = physics.0.bodies.get(b.body) else { continue };
        let p = rb.translation();
        let q = rb.rotation();
        let v = rb.linvel();
        let w = rb.angvel();
        let vals = [p.x, p.y, p.z, q.x, q.y, q.z, q.w, v.x, v.y, v.z, w.x, w.y, w.z];
        for (chunk, x) in buf.chunks_exact_mut(8).zip(vals) {
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

/// A bounded recording of a run's trace, for replays of any length.
///
/// Keeps every `stride`-th step, starting with step 0; when more than
/// `max_frames` are kept, the stride doubles and every other kept frame is
/// dropped, so at most `max_frames` regular samples are ever held, and a
/// run of `n` steps keeps between `max_frames / 2` and `max_frames` of them
/// (all of them when `n <= max_frames`). Besides the samples it always keeps
/// the last frame and, per criterion, the frame of its first violation
/// (first negative margin) and of its worst (smallest) margin. Deterministic:
/// the kept steps depend only on the frames given. Recording never touches
/// the trace hash.
#[derive(Debug, Clone)]
pub struct BoundedTrace {
    max_frames: usize,
    stride: u64,
    samples: Vec<TraceFrame>,
    last: Option<TraceFrame>,
    first_violation: Vec<(&'static str, TraceFrame)>,
    worst: Vec<(&'static str, f64, TraceFrame)>,
    seen: u64,
}

impl BoundedTrace {
    /// An empty recording that keeps about `max_frames` frames (at least 2).
    pub fn new(max_frames: usize) -> Self {
        Self {
            max_frames: max_frames.max(2),
            stride: 1,
            samples: Vec::new(),
            last: None,
            first_violation: Vec::new(),
            worst: Vec::new(),
            seen: 0,
        }
    }

    /// Takes in the next step's frame.
    pub fn push(&mut self, frame: TraceFrame) {
        self.seen += 1;
        for &(name, margin) in &frame.margins {
            if margin < 0.0 && !self.first_violation.iter().any(|(n, _)| *n == name) {
                self.first_violation.push((name, frame.clone()));
            }
            match self.worst.iter_mut().find(|(n, _, _)| *n == name) {
                Some(w) if margin < w.1 => *w = (name, margin, frame.clone()),
                Some(_) => {}
                None if !margin.is_nan() => self.worst.push((name, margin, frame.clone())),
                None => {}
            }
        }
        if frame.step.is_multiple_of(self.stride) {
            self.samples.push(frame.clone());
            if self.samples.len() > self.max_frames {
                self.stride *= 2;
                let stride = self.stride;
                self.samples.retain(|f| f.step.is_multiple_of(stride));
            }
        }
        self.last = Some(frame);
    }

    /// Frames given so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The current sampling stride: every how many steps a frame is kept.
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// The kept frames, in step order, without duplicates.
    pub fn finish(self) -> Vec<TraceFrame> {
        let mut frames = self.samples;
        frames.extend(self.first_violation.into_iter().map(|(_, f)| f));
        frames.extend(self.worst.into_iter().map(|(_, _, f)| f));
        frames.extend(self.last);
        frames.sort_by_key(|f| f.step);
        frames.dedup_by_key(|f| f.step);
        frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(step: u64, margin: f64) -> TraceFrame {
        TraceFrame {
            step,
            t: step as f64 * 0.05,
            bodies: Vec::new(),
            observed: Vec::new(),
            observation: crate::adapter::Observation::default(),
            control: Control::default(),
            margins: vec![("min_gap", margin)],
        }
    }

    #[test]
    fn short_traces_are_kept_whole() {
        let mut t = BoundedTrace::new(100);
        for step in 0..50 {
            t.push(frame(step, 1.0));
        }
        let steps: Vec<u64> = t.finish().iter().map(|f| f.step).collect();
        assert_eq!(steps, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn long_traces_keep_samples_first_last_violation_and_worst() {
        let mut t = BoundedTrace::new(1000);
        for step in 0..100_003u64 {
            let margin = match step {
                40_001 => -0.5,
                70_007 => -2.0,
                _ => 1.0,
            };
            t.push(frame(step, margin));
        }
        assert_eq!(t.seen(), 100_003);
        let stride = t.stride();
        let frames = t.finish();
        let steps: Vec<u64> = frames.iter().map(|f| f.step).collect();
        assert!(frames.len() <= 1000 + 3 && frames.len() >= 500, "{}", frames.len());
        assert_eq!(steps.first(), Some(&0));
        assert_eq!(steps.last(), Some(&100_002));
        assert!(steps.contains(&40_001) && steps.contains(&70_007));
        assert!(steps.windows(2).all(|w| w[0] < w[1]));
        assert!(steps.iter().filter(|s| ![40_001, 70_007, 100_002].contains(*s)).all(|s| s % stride == 0));
    }
}
