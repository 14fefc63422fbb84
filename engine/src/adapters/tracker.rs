//! Track memory for the reference driver: it keeps an object it lost for a
//! while (predicting where it went), confirms a new object over a few frames
//! before acting on it, and follows an object whose reported id changed by
//! associating on position.
//!
//! Each step: every track is predicted to the observation's time (constant
//! acceleration along the route, estimated from the reported speeds, and
//! while a confirmed track is unseen at least [`COAST_DECEL`] of braking,
//! never reversing; constant lateral speed); each reported object is matched first
//! to the track of its id, then to the nearest unmatched track within a
//! position gate (confirmed tracks only); an unmatched object starts a
//! tentative track. A track is
//! *confirmed* after [`CONFIRM_HITS`] frames with a detection; a tentative
//! track unseen for [`TENTATIVE_MEMORY`] is dropped, a confirmed one after
//! [`TRACK_MEMORY`]. The buffers are sized once per job: at most
//! [`MAX_TRACKS`] tracks, the step allocates nothing.

use crate::adapter::{ObjectObservation, Observation};

/// Frames with a detection before a track is acted on.
pub const CONFIRM_HITS: u32 = 3;
/// How long a confirmed track is kept without a detection, s.
pub const TRACK_MEMORY: f64 = 2.0;
/// How long a tentative track is kept without a detection, s.
pub const TENTATIVE_MEMORY: f64 = 0.3;
/// Most tracks held at once (more objects are ignored until one is dropped).
pub const MAX_TRACKS: usize = 128;

/// Deceleration assumed at least for a confirmed track while it is unseen,
/// m/s²: what cannot be seen may be braking.
pub const COAST_DECEL: f64 = 4.0;

/// Along-route association gate, m (grows with the time unseen).
const GATE_S: f64 = 3.0;
/// Across-route association gate, m (grows with the time unseen).
const GATE_D: f64 = 1.5;

/// One tracked object: its last report, predicted to now (route position
/// and speed; `x`, `y` stay those of the last report).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Track {
    /// The object as last reported, moved to the current time.
    pub obj: ObjectObservation,
    /// Estimated acceleration along the route, m/s².
    pub accel: f64,
    /// Speed along the route at the last detection, m/s.
    seen_vs: f64,
    /// Frames with a detection.
    pub hits: u32,
    /// Time of the last detection, s.
    last_seen: f64,
    /// Time `obj` is predicted to, s.
    t: f64,
    /// Matched in this frame.
    matched: bool,
}

impl Track {
    /// Acted on (seen in enough frames).
    pub(crate) fn confirmed(&self) -> bool {
        self.hits >= CONFIRM_HITS
    }

    fn predict(&mut self, t: f64) {
        let dt = t - self.t;
        if dt <= 0.0 {
            return;
        }
        let o = &mut self.obj;
        let unseen = t > self.last_seen + 1e-9;
        let accel =
            if unseen && self.hits >= CONFIRM_HITS { self.accel.min(-COAST_DECEL) } else { self.accel };
        if accel < 0.0 && o.vs > 0.0 {
            // Braking: until it stands, never reversing.
            let stop = (-o.vs / accel).min(dt);
            o.s += o.vs * stop + 0.5 * accel * stop * stop;
            o.vs = (o.vs + accel * stop).max(0.0);
        } else {
            o.s += o.vs * dt;
        }
        o.d += o.vd * dt;
        self.t = t;
    }
}

/// The tracks of one job.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tracker {
    tracks: Vec<Track>,
    /// Per reported object: matched to a track this frame (scratch).
    used: Vec<bool>,
}

impl Tracker {
    /// Forgets everything and sizes the buffers (allocates only the first time).
    pub(crate) fn reset(&mut self) {
        self.tracks.clear();
        self.tracks.reserve(MAX_TRACKS);
        self.used.clear();
        self.used.reserve(MAX_TRACKS);
    }

    /// Folds one observation into the tracks.
    pub(crate) fn update(&mut self, obs: &Observation) {
        let t = obs.t;
        for tr in &mut self.tracks {
            tr.predict(t);
            tr.matched = false;
        }
        let n = obs.objects.len().min(MAX_TRACKS);
        self.used.clear();
        self.used.resize(n, false);
        // Same id first.
        for (k, o) in obs.objects.iter().take(n).enumerate() {
            if let Some(tr) = self.tracks.iter_mut().find(|tr| !tr.matched && tr.obj.id == o.id) {
                Self::absorb(tr, o, t);
                self.used[k] = true;
            }
        }
        // Then the nearest unmatched track within the gate (a switched id).
        for (k, o) in obs.objects.iter().take(n).enumerate() {
            if self.used[k] {
                continue;
            }
            let mut best: Option<(usize, f64)> = None;
            for (j, tr) in self.tracks.iter().enumerate() {
                // Only an established track may have changed its id: a
                // tentative one is matched by id alone, so that short-lived
                // ghosts near each other never add up to a confirmation.
                if tr.matched || !tr.confirmed() {
                    continue;
                }
                let grow = 1.0 + (t - tr.last_seen);
                let (ds, dd) = ((o.s - tr.obj.s).abs(), (o.d - tr.obj.d).abs());
                if ds > GATE_S * grow || dd > GATE_D * grow {
                    continue;
                }
                let cost = ds / GATE_S + dd / GATE_D;
                if best.is_none_or(|(_, c)| cost < c) {
                    best = Some((j, cost));
                }
            }
            if let Some((j, _)) = best {
                Self::absorb(&mut self.tracks[j], o, t);
                self.used[k] = true;
            } else if self.tracks.len() < MAX_TRACKS {
                self.tracks.push(Track {
                    obj: *o,
                    accel: 0.0,
                    seen_vs: o.vs,
                    hits: 1,
                    last_seen: t,
                    t,
                    matched: true,
                });
                self.used[k] = true;
            }
        }
        self.tracks.retain(|tr| {
            let memory = if tr.confirmed() { TRACK_MEMORY } else { TENTATIVE_MEMORY };
            t - tr.last_seen <= memory
        });
    }

    fn absorb(tr: &mut Track, o: &ObjectObservation, t: f64) {
        let since = t - tr.last_seen;
        if since > 1e-9 && tr.hits > 0 {
            // Speeds are reported exactly; a smoothed estimate of their change.
            let a = (o.vs - tr.seen_vs) / since;
            tr.accel = if tr.hits == 1 { a } else { 0.5 * (tr.accel + a) };
        }
        tr.obj = *o;
        tr.seen_vs = o.vs;
        tr.hits = tr.hits.saturating_add(1);
        tr.last_seen = t;
        tr.t = t;
        tr.matched = true;
    }

    /// Every track, confirmed or not.
    pub(crate) fn tracks(&self) -> &[Track] {
        &self.tracks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::ActorKind;

    fn object(id: u32, s: f64, vs: f64) -> ObjectObservation {
        ObjectObservation {
            id,
            kind: ActorKind::Vehicle,
            x: s,
            y: 0.0,
            yaw: 0.0,
            speed: vs.abs(),
            length: 4.5,
            width: 1.8,
            s,
            d: 0.0,
            vs,
            vd: 0.0,
            lane: 0,
        }
    }

    fn frame(step: u64, objects: &[ObjectObservation]) -> Observation {
        Observation { step, t: step as f64 * 0.05, objects: objects.to_vec(), ..Observation::default() }
    }

    #[test]
    fn a_lost_object_is_kept_and_predicted_then_forgotten() {
        let mut tr = Tracker::default();
        tr.reset();
        for step in 0..10 {
            tr.update(&frame(step, &[object(1, 50.0 + step as f64, 20.0)]));
        }
        // Lost for 1 s: predicted 20 m/s · 1 s − ½ · COAST_DECEL · 1 s² on.
        for step in 10..30 {
            tr.update(&frame(step, &[]));
        }
        let t = tr.tracks();
        assert_eq!(t.len(), 1);
        assert!(t[0].confirmed());
        let expected = 59.0 + 20.0 - 0.5 * COAST_DECEL;
        assert!((t[0].obj.s - expected).abs() < 1e-6, "{} vs {expected}", t[0].obj.s);
        assert!((t[0].obj.vs - (20.0 - COAST_DECEL)).abs() < 1e-9);
        // Seen again at its old speed: no deceleration is made up from the prediction.
        tr.update(&frame(30, &[object(1, 80.0, 20.0)]));
        assert_eq!(tr.tracks()[0].accel, 0.0);
        for step in 30..(30 + (TRACK_MEMORY / 0.05) as u64 + 2) {
            tr.update(&frame(step, &[]));
        }
        assert!(tr.tracks().is_empty());
    }

    #[test]
    fn a_braking_object_is_predicted_to_stop_not_to_reverse() {
        let mut tr = Tracker::default();
        tr.reset();
        for step in 0..5 {
            let v = 10.0 - 5.0 * 0.05 * step as f64;
            tr.update(&frame(step, &[object(1, 40.0, v)]));
        }
        for step in 5..42 {
            tr.update(&frame(step, &[]));
        }
        let o = tr.tracks()[0].obj;
        assert_eq!(o.vs, 0.0);
        // From 9 m/s at 5 m/s²: 8.1 m more.
        assert!((o.s - 48.1).abs() < 0.2, "{}", o.s);
    }

    #[test]
    fn a_one_frame_ghost_is_never_confirmed_and_a_real_object_is() {
        let mut tr = Tracker::default();
        tr.reset();
        tr.update(&frame(0, &[object(1_000_000, 30.0, 0.0), object(1, 60.0, 0.0)]));
        for step in 1..9 {
            tr.update(&frame(step, &[object(1, 60.0, 0.0)]));
            let ghost = tr.tracks().iter().find(|t| t.obj.id == 1_000_000);
            assert!(ghost.is_none_or(|g| !g.confirmed()));
        }
        assert!(tr.tracks().iter().any(|t| t.obj.id == 1 && t.confirmed()));
        assert_eq!(tr.tracks().len(), 1, "the ghost is dropped after {TENTATIVE_MEMORY} s");
    }

    #[test]
    fn a_switched_id_continues_the_same_track() {
        let mut tr = Tracker::default();
        tr.reset();
        for step in 0..5 {
            tr.update(&frame(step, &[object(1, 40.0 + step as f64, 20.0), object(2, 80.0, 0.0)]));
        }
        tr.update(&frame(5, &[object(1_000_001, 45.0, 20.0), object(2, 80.0, 0.0)]));
        assert_eq!(tr.tracks().len(), 2);
        let moved = tr.tracks().iter().find(|t| t.obj.id == 1_000_001).expect("renamed track");
        assert!(moved.confirmed() && moved.hits == 6);
    }
}
