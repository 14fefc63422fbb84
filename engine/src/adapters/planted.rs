//! Planted-weakness adapters: the reference driver with one deliberate flaw
//! each. They exist to test the tester: a fuzzer or a search that cannot
//! find these flaws will not find real ones, and how fast it finds them is
//! the benchmark of `gauntlet fuzz --strategy search` against uniform random
//! sampling.
//!
//! | built-in name | flaw |
//! |---|---|
//! | `late-braker` | emergency (and progressive) braking only below 0.6 s time-to-collision (not when the braking it needs grows large), and never harder than half its braking limit |
//! | `pedestrian-blind` | pedestrians are missing from what it sees |
//! | `cyclist-blind` | cyclists are missing from what it sees |
//! | `ice-naive` | plans curves and braking for a dry road: holds off braking until a dry road would need 4 m/s², and corners at 4.5 m/s² lateral |
//! | `dropout-speeder` | above 20 m/s, releases the brakes on every frame that misses the car it follows, and until it has seen that car in 3 frames in a row again — harmless at low speed or with few dropped frames, fatal only at speed *and* under heavy dropout *and* when the lead brakes hard |
//! | `memoryless` | acts on each frame's object list as reported: no track memory (a lost object is a free road, a one-frame ghost is an obstacle) and trusts the reported class |
//! | `cut-in-late` | sees a vehicle moving over into its lane only once it is in the lane (within 1.0 m of the ego's offset), and brakes no harder than 2.0 m/s² until the time-to-collision it sees falls below 1.2 s — harmless on a dry road, without sensor latency, or when the cutter settles in far enough ahead; fatal only when a wet road *and* a close cut-in *and* sensor latency meet |
//! | `short-memory` | a firmer car follower (IDM acceleration 2.5 m/s², comfortable deceleration 2.4 m/s²: the reference's desired gaps, 1.25 × its response) whose low-traction detector re-initialises its track memory: once it has commanded at least 1 m/s² of braking or driving for 2 frames in a row and achieved less than asked (by 0.01 m/s²: ABS or traction control at work) *and* less than 3.4 m/s² (wheels slipping on a road of μ below about 0.35; it is never told the friction), it latches a winter mode in which its tracker drops a track on the first frame without a measurement (the integration bug: the slip flag marks wheel odometry invalid, and coasting a track uses odometry) and must confirm it again over 5 frames in a row — meanwhile it drives as if the road user it follows were not there. On dry or wet roads the detector never fires and its memory covers dropout; on ice without dropout every frame carries the detection; only ice *and* dropout blind it to its leader for frames at a time (lost gap, time-to-collision, contact) |
//!
//! Each is honest everywhere else: it passes the benign scenarios its flaw
//! does not touch.

use crate::actor::ActorKind;
use crate::adapter::{AdapterFault, AdapterInfo, AutonomyAdapter, Control, JobEnd, JobStart, Observation};
use crate::adapters::{ReferenceAdapter, ReferenceTuning};

/// Time-to-collision under which the late braker brakes, s (the reference: 2 s).
pub const LATE_BRAKER_TTC: f64 = 0.6;
/// Share of its braking limit the late braker ever uses.
pub const LATE_BRAKER_BRAKE_SHARE: f64 = 0.5;
/// Time-to-collision under which the ice-naive driver's `fcw` monitor is
/// active, s: a good monitor (earlier than the reference's 2.5 s).
pub const ICE_NAIVE_FCW_TTC: f64 = 3.0;
/// Deceleration a dry road would need before the ice-naive driver starts braking, m/s².
pub const ICE_NAIVE_BRAKE_POINT: f64 = 4.0;
/// Lateral acceleration the ice-naive driver corners at, m/s² (the reference: 2.5).
pub const ICE_NAIVE_CURVE_ACCEL: f64 = 4.5;
/// Speed above which the dropout speeder releases its brakes on a frame
/// that misses the car it follows, m/s.
pub const DROPOUT_SPEEDER_SPEED: f64 = 20.0;
/// Frames after the last sighting for which the dropout speeder still
/// takes a missing lead for a dropped detection.
pub const DROPOUT_SPEEDER_FRAMES: u32 = 10;
/// Consecutive frames the dropout speeder must see a lead it lost before it
/// brakes for it again.
pub const DROPOUT_SPEEDER_CONFIRM: u32 = 3;

/// Braking or driving command, m/s², from which the short memory's slip
/// detector compares command and achievement.
pub const SHORT_MEMORY_SLIP_COMMAND: f64 = 1.0;
/// Shortfall of the achieved acceleration below the command, m/s², from
/// which the short memory counts a frame as slipping (below the road's
/// limit the tyres deliver what is asked exactly; ABS and traction control
/// cut in at the limit).
pub const SHORT_MEMORY_SLIP_SHORTFALL: f64 = 0.01;
/// Deceleration, m/s², below which a slipping frame reads as a low-friction
/// road (μ below about 0.35) to the short memory.
pub const SHORT_MEMORY_LOW_MU_DECEL: f64 = 3.4;
/// Slipping frames in a row after which the short memory latches its winter mode.
pub const SHORT_MEMORY_SLIP_FRAMES: u32 = 2;

/// Distance, m, from the ego's lateral offset within which the cut-in-late
/// driver sees a vehicle that moves over into its lane.
pub const CUT_IN_LATE_IN_LANE: f64 = 1.0;
/// Braking, m/s², the cut-in-late driver never exceeds while the
/// time-to-collision it sees is at least [`CUT_IN_LATE_TTC`].
pub const CUT_IN_LATE_COMFORT: f64 = 2.0;
/// Time-to-collision, s, under which the cut-in-late driver brakes as hard as it needs.
pub const CUT_IN_LATE_TTC: f64 = 1.2;

/// Frames after the last sighting after which the short memory no longer
/// counts the road user it followed as the one it follows.
pub const SHORT_MEMORY_FORGETS: u32 = 40;
/// The short memory's sportier car following (IDM acceleration and
/// comfortable deceleration, m/s²; the reference: 2 and 3): on ice it asks
/// for more than the road gives, which is what its slip detector reads.
pub const SHORT_MEMORY_IDM: (f64, f64) = (2.5, 2.4);
/// Frames in a row the short memory must see a road user whose track its
/// winter mode dropped before it acts on it again.
pub const SHORT_MEMORY_CONFIRM: u32 = 5;
/// Speed, m/s, below which the short memory's slip detector is off (the
/// brakes of a stopping car achieve less than asked without any slip).
pub const SHORT_MEMORY_SLIP_MIN_SPEED: f64 = 1.0;

/// The deliberate flaw of a [`PlantedAdapter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// Brakes late ([`LATE_BRAKER_TTC`]) and weakly ([`LATE_BRAKER_BRAKE_SHARE`]).
    LateBraker,
    /// Does not see road users of this class.
    Blind(ActorKind),
    /// Plans braking and cornering for a dry road whatever the friction.
    IceNaive,
    /// Above [`DROPOUT_SPEEDER_SPEED`], releases the brakes on every frame
    /// that misses the car it follows: fails only under the conjunction
    /// speed × heavy dropout × hard lead braking.
    DropoutSpeeder,
    /// No track memory, and trusts the reported class.
    Memoryless,
    /// Once its slip detector reads a low-friction road, drops the track of
    /// the road user it follows on a frame that misses it and ignores it
    /// until confirmed again: fails only under ice × dropout.
    ShortMemory,
    /// Ignores a cutting-in vehicle until it is fully in lane
    /// ([`CUT_IN_LATE_IN_LANE`]) and caps its braking at
    /// [`CUT_IN_LATE_COMFORT`] until the time-to-collision falls below
    /// [`CUT_IN_LATE_TTC`]: fails only under the conjunction wet road ×
    /// close cut-in × sensor latency.
    CutInLate,
}

impl Weakness {
    /// The one runtime monitor it reports ([`super::monitors`]): the
    /// ice-naive driver a good `fcw` (3 s), the late braker a late one at
    /// its braking point (0.6 s), the blind ones a noisy `proximity`
    /// (anything it sees within 40 m ahead), the memoryless one the
    /// reference's `fcw` (2.5 s) on each frame as reported.
    pub fn monitor(self) -> &'static str {
        match self {
            Weakness::LateBraker
            | Weakness::IceNaive
            | Weakness::Memoryless
            | Weakness::ShortMemory
            | Weakness::CutInLate => "fcw",
            Weakness::Blind(_) => "proximity",
            Weakness::DropoutSpeeder => "fcw",
        }
    }

    /// The built-in adapter name (`late-braker`, `pedestrian-blind`, …).
    pub fn name(self) -> &'static str {
        match self {
            Weakness::LateBraker => "late-braker",
            Weakness::Blind(ActorKind::Pedestrian) => "pedestrian-blind",
            Weakness::Blind(ActorKind::Cyclist) => "cyclist-blind",
            Weakness::Blind(ActorKind::Vehicle) => "vehicle-blind",
            Weakness::Blind(ActorKind::Static) => "static-blind",
            Weakness::Blind(ActorKind::Motorcycle) => "motorcycle-blind",
            Weakness::Blind(ActorKind::Animal) => "animal-blind",
            Weakness::IceNaive => "ice-naive",
            Weakness::DropoutSpeeder => "dropout-speeder",
            Weakness::Memoryless => "memoryless",
            Weakness::ShortMemory => "short-memory",
            Weakness::CutInLate => "cut-in-late",
        }
    }
}

/// Every planted weakness registered as a built-in adapter, in name order.
pub const PLANTED: [Weakness; 8] = [
    Weakness::CutInLate,
    Weakness::CYCLIST_BLIND,
    Weakness::DropoutSpeeder,
    Weakness::IceNaive,
    Weakness::LateBraker,
    Weakness::Memoryless,
    Weakness::PEDESTRIAN_BLIND,
    Weakness::ShortMemory,
];

impl Weakness {
    /// Blind to pedestrians.
    pub const PEDESTRIAN_BLIND: Weakness = Weakness::Blind(ActorKind::Pedestrian);
    /// Blind to cyclists.
    pub const CYCLIST_BLIND: Weakness = Weakness::Blind(ActorKind::Cyclist);

    /// The planted weakness registered under the built-in name `name`.
    pub fn from_name(name: &str) -> Option<Weakness> {
        PLANTED.into_iter().find(|w| w.name() == name)
    }
}

/// The reference driver with one planted weakness.
#[derive(Debug, Clone)]
pub struct PlantedAdapter {
    weakness: Weakness,
    inner: ReferenceAdapter,
    job: Option<JobStart>,
    /// What the inner driver is shown (blind adapters filter it); reused every step.
    seen: Observation,
    /// Ice-naive: it has started braking for what closes in ahead, and keeps at it.
    committed: bool,
    /// Its one runtime monitor's state in the last answer ([`Weakness::monitor`]).
    monitor: bool,
    /// Dropout speeder and short memory: the road user it follows and the frames since it was last seen.
    lead: Option<(u32, u32)>,
    /// Dropout speeder: frames in a row it has seen that car since it last lost it at speed.
    confirmed: u32,
    /// Short memory: its slip detector's state.
    slip: SlipDetector,
    /// Short memory: the same driver without track memory, stepped on every
    /// frame; its control is the one used while winter mode has dropped a track.
    bare: Option<Box<ReferenceAdapter>>,
    /// Short memory: the road user whose track winter mode dropped, and the
    /// frames in a row it has been seen since.
    dropped: Option<(u32, u32)>,
}

/// The short memory's low-traction detector: compares the braking it
/// commanded with the acceleration the ego then achieved.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct SlipDetector {
    /// The acceleration it commanded on the last step, m/s².
    commanded: Option<f64>,
    /// Slipping frames in a row.
    slipping: u32,
    /// Winter mode: a low-friction road was read, for the rest of the run.
    low_mu: bool,
}

impl SlipDetector {
    /// Reads the acceleration `obs` reports the last command achieved;
    /// whether winter mode is on.
    fn update(&mut self, obs: &Observation) -> bool {
        if let Some(cmd) = self.commanded {
            // Braking and driving alike: the achieved acceleration in the
            // command's direction.
            let achieved = obs.ego.accel * cmd.signum();
            let slipping = obs.ego.vs > SHORT_MEMORY_SLIP_MIN_SPEED
                && cmd.abs() >= SHORT_MEMORY_SLIP_COMMAND
                && achieved < cmd.abs() - SHORT_MEMORY_SLIP_SHORTFALL
                && achieved < SHORT_MEMORY_LOW_MU_DECEL;
            self.slipping = if slipping { self.slipping + 1 } else { 0 };
            self.low_mu |= self.slipping >= SHORT_MEMORY_SLIP_FRAMES;
        }
        self.low_mu
    }
}

impl PlantedAdapter {
    /// The reference driver with `weakness`.
    pub fn new(weakness: Weakness) -> Self {
        let defaults = ReferenceTuning::default();
        let tuning = match weakness {
            Weakness::LateBraker => ReferenceTuning {
                emergency_ttc: LATE_BRAKER_TTC,
                ttc_keep: LATE_BRAKER_TTC,
                emergency_by_need: false,
                track_memory: false,
                ..defaults
            },
            Weakness::Blind(_) => defaults,
            Weakness::IceNaive => ReferenceTuning { curve_lateral_accel: ICE_NAIVE_CURVE_ACCEL, ..defaults },
            Weakness::DropoutSpeeder => ReferenceTuning { track_memory: false, ..defaults },
            Weakness::Memoryless => {
                ReferenceTuning { track_memory: false, vulnerable_by_size: false, ..defaults }
            }
            Weakness::ShortMemory => {
                ReferenceTuning { idm_accel: SHORT_MEMORY_IDM.0, idm_decel: SHORT_MEMORY_IDM.1, ..defaults }
            }
            Weakness::CutInLate => defaults,
        };
        let bare = (weakness == Weakness::ShortMemory).then(|| {
            Box::new(ReferenceAdapter::with_tuning(ReferenceTuning { track_memory: false, ..tuning }))
        });
        Self {
            weakness,
            inner: ReferenceAdapter::with_tuning(tuning),
            job: None,
            seen: Observation::default(),
            committed: false,
            monitor: false,
            lead: None,
            confirmed: DROPOUT_SPEEDER_CONFIRM,
            slip: SlipDetector::default(),
            bare,
            dropped: None,
        }
    }

    /// Its weakness.
    pub fn weakness(&self) -> Weakness {
        self.weakness
    }

    /// The deceleration a stop behind the nearest road user closing in ahead
    /// in its lane needs (0 when none closes in).
    fn needed_decel(obs: &Observation, job: &JobStart) -> f64 {
        let ego = &obs.ego;
        let mut need: f64 = 0.0;
        for o in &obs.objects {
            let half = 0.5 * (job.ego.width + o.width) + 0.4;
            if o.s <= ego.s || (o.d - ego.d).abs() >= half {
                continue;
            }
            let closing = ego.vs - o.vs;
            if closing <= 0.0 {
                continue;
            }
            let gap = super::gap_ahead(ego, o, job.ego.length);
            need = need.max(closing * closing / (2.0 * (gap - 2.0).max(0.1)));
        }
        need
    }

    /// The nearest road user ahead in the ego's path: (id, gap, closing speed).
    fn nearest_in_path(obs: &Observation, job: &JobStart) -> Option<(u32, f64, f64)> {
        let ego = &obs.ego;
        let mut best: Option<(u32, f64, f64)> = None;
        for o in &obs.objects {
            if o.s <= ego.s || !Self::in_path(obs, job, o) {
                continue;
            }
            let gap = super::gap_ahead(ego, o, job.ego.length);
            if best.is_none_or(|(_, g, _)| gap < g) {
                best = Some((o.id, gap, ego.vs - o.vs));
            }
        }
        best
    }

    fn in_path(obs: &Observation, job: &JobStart, o: &crate::adapter::ObjectObservation) -> bool {
        (o.d - obs.ego.d).abs() < 0.5 * (job.ego.width + o.width) + 0.4
    }

    /// Whether the cut-in-late driver does not see `o`: a vehicle moving
    /// sideways towards the ego's offset that is not yet within
    /// [`CUT_IN_LATE_IN_LANE`] of it.
    fn cutting_in_unseen(obs: &Observation, o: &crate::adapter::ObjectObservation) -> bool {
        let off = o.d - obs.ego.d;
        matches!(o.kind, ActorKind::Vehicle | ActorKind::Motorcycle)
            && off.abs() > CUT_IN_LATE_IN_LANE
            && o.vd.abs() > 0.2
            && off * o.vd < 0.0
    }

    /// The cut-in-late driver's braking cap: `accel` no lower than
    /// −[`CUT_IN_LATE_COMFORT`] while the time-to-collision with the
    /// nearest road user it sees in its path is at least [`CUT_IN_LATE_TTC`].
    fn comfort_cap(seen: &Observation, job: &JobStart, accel: f64) -> f64 {
        let ttc = match Self::nearest_in_path(seen, job) {
            Some((_, gap, closing)) if closing > 0.0 => gap.max(0.0) / closing,
            _ => f64::INFINITY,
        };
        if ttc >= CUT_IN_LATE_TTC { accel.max(-CUT_IN_LATE_COMFORT) } else { accel }
    }

    /// The short memory's track bookkeeping: the road user it follows
    /// (seen within [`SHORT_MEMORY_FORGETS`] frames) and, in winter mode
    /// (`low_mu`), the one whose track it dropped on a frame that missed it,
    /// until seen [`SHORT_MEMORY_CONFIRM`] frames in a row. Returns the id
    /// it ignores this frame.
    fn drop_when_slipping(
        lead: &mut Option<(u32, u32)>,
        dropped: &mut Option<(u32, u32)>,
        low_mu: bool,
        obs: &Observation,
        job: &JobStart,
    ) -> Option<u32> {
        let seen = |id: u32| obs.objects.iter().any(|o| o.id == id);
        match (Self::nearest_in_path(obs, job), *lead) {
            (Some((id, _, _)), _) => *lead = Some((id, 0)),
            (None, Some((id, frames))) if frames < SHORT_MEMORY_FORGETS => {
                *lead = Some((id, frames + 1));
                if low_mu && !seen(id) {
                    *dropped = Some((id, 0));
                }
            }
            _ => *lead = None,
        }
        match *dropped {
            Some((id, hits)) if seen(id) => {
                *dropped = (hits + 1 < SHORT_MEMORY_CONFIRM).then_some((id, hits + 1));
            }
            Some((id, _)) if low_mu && !seen(id) => *dropped = Some((id, 0)),
            _ => {}
        }
        dropped.map(|(id, _)| id)
    }

    /// The dropout speeder's flaw: `accel` released to at least 0 at speed
    /// on a frame that misses the car it follows.
    fn speed_through_dropouts(
        lead: &mut Option<(u32, u32)>,
        confirmed: &mut u32,
        obs: &Observation,
        job: &JobStart,
        accel: f64,
    ) -> f64 {
        match (Self::nearest_in_path(obs, job), *lead) {
            (Some((id, _, _)), _) => {
                *lead = Some((id, 0));
                *confirmed = (*confirmed + 1).min(DROPOUT_SPEEDER_CONFIRM);
                if *confirmed < DROPOUT_SPEEDER_CONFIRM { accel.max(0.0) } else { accel }
            }
            (None, Some((id, frames))) if frames < DROPOUT_SPEEDER_FRAMES => {
                *lead = Some((id, frames + 1));
                let missing = !obs.objects.iter().any(|o| o.id == id);
                if missing && obs.ego.vs > DROPOUT_SPEEDER_SPEED {
                    *confirmed = 0;
                    accel.max(0.0)
                } else {
                    accel
                }
            }
            _ => {
                *lead = None;
                accel
            }
        }
    }
}

impl AutonomyAdapter for PlantedAdapter {
    fn info(&self) -> AdapterInfo {
        AdapterInfo { name: self.weakness.name().into(), version: env!("CARGO_PKG_VERSION").into() }
    }

    fn reset(&mut self, job: &JobStart) -> Result<(), AdapterFault> {
        self.job = Some(job.clone());
        self.committed = false;
        self.monitor = false;
        self.lead = None;
        self.confirmed = DROPOUT_SPEEDER_CONFIRM;
        self.slip = SlipDetector::default();
        self.dropped = None;
        if let Some(bare) = self.bare.as_mut() {
            bare.reset(job)?;
        }
        self.inner.reset(job)
    }

    fn step(&mut self, obs: &Observation) -> Result<Control, AdapterFault> {
        let mut control = match self.weakness {
            Weakness::Blind(kind) => {
                self.seen.clone_from(obs);
                self.seen.objects.retain(|o| o.kind != kind);
                self.inner.step(&self.seen)?
            }
            Weakness::CutInLate => {
                self.seen.clone_from(obs);
                self.seen.objects.retain(|o| !Self::cutting_in_unseen(obs, o));
                self.inner.step(&self.seen)?
            }
            _ => self.inner.step(obs)?,
        };
        let Some(job) = self.job.as_ref() else { return Ok(control) };
        self.monitor = match self.weakness {
            Weakness::LateBraker => super::monitors::forward_collision(obs, job, LATE_BRAKER_TTC),
            Weakness::IceNaive => super::monitors::forward_collision(obs, job, ICE_NAIVE_FCW_TTC),
            Weakness::Blind(_) => super::monitors::proximity(&self.seen),
            Weakness::Memoryless | Weakness::DropoutSpeeder | Weakness::ShortMemory | Weakness::CutInLate => {
                super::monitors::forward_collision(obs, job, super::monitors::REFERENCE_FCW_TTC)
            }
        };
        match self.weakness {
            Weakness::LateBraker => {
                control.accel = control.accel.max(-LATE_BRAKER_BRAKE_SHARE * job.ego.max_decel);
            }
            Weakness::IceNaive => {
                // Waits while a dry road would still allow braking later; once
                // it starts braking for something, it keeps braking for it.
                let need = Self::needed_decel(obs, job);
                if need <= 0.0 {
                    self.committed = false;
                } else if need >= ICE_NAIVE_BRAKE_POINT {
                    self.committed = true;
                }
                if control.accel < 0.0 && need > 0.0 && !self.committed {
                    control.accel = 0.0;
                }
            }
            Weakness::CutInLate => {
                control.accel = Self::comfort_cap(&self.seen, job, control.accel);
            }
            Weakness::ShortMemory => {
                let low_mu = self.slip.update(obs);
                let ignored = Self::drop_when_slipping(&mut self.lead, &mut self.dropped, low_mu, obs, job);
                if let Some(bare) = self.bare.as_mut() {
                    // The memoryless twin drives on what the tracker still holds.
                    self.seen.clone_from(obs);
                    self.seen.objects.retain(|o| Some(o.id) != ignored);
                    let bare_accel = bare.step(&self.seen)?.accel;
                    if ignored.is_some() {
                        control.accel = bare_accel;
                    }
                }
                self.slip.commanded = Some(control.accel.clamp(-job.ego.max_decel, job.ego.max_accel));
            }
            Weakness::DropoutSpeeder => {
                control.accel = Self::speed_through_dropouts(
                    &mut self.lead,
                    &mut self.confirmed,
                    obs,
                    job,
                    control.accel,
                );
            }
            _ => {}
        }
        Ok(control)
    }

    fn end(&mut self, outcome: JobEnd) {
        if let Some(bare) = self.bare.as_mut() {
            bare.end(outcome);
        }
        self.inner.end(outcome);
    }

    fn monitor_names(&self) -> Vec<String> {
        vec![self.weakness.monitor().to_owned()]
    }

    fn active_monitors(&self) -> crate::MonitorMask {
        crate::MonitorMask::NONE.with(0, self.monitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;
    use crate::perception::GhostSpec;
    use crate::road::PathId;
    use crate::sim::{RunOptions, Simulation};
    use crate::spec::{ActorSpec, Behaviour, BehaviourStep, CriterionSpec, Trigger, WorldSpec};
    use crate::testing::{straight_spec, vehicle};

    fn outcome(spec: &WorldSpec, adapter: &mut dyn AutonomyAdapter) -> Outcome {
        Simulation::run(spec, adapter, RunOptions::default()).outcome
    }

    /// Each weakness fails where the reference driver passes, and passes a
    /// benign variant of the same world.
    fn check(weakness: Weakness, flawed: &WorldSpec, benign: &WorldSpec) {
        assert_eq!(
            outcome(flawed, &mut ReferenceAdapter::default()),
            Outcome::Pass,
            "{weakness:?}: reference"
        );
        assert_eq!(
            outcome(flawed, &mut PlantedAdapter::new(weakness)),
            Outcome::Fail,
            "{weakness:?}: flawed"
        );
        assert_eq!(
            outcome(benign, &mut PlantedAdapter::new(weakness)),
            Outcome::Pass,
            "{weakness:?}: benign"
        );
    }

    fn lead_braking(decel: f64) -> WorldSpec {
        let lead = vehicle(
            1,
            30.0,
            0.0,
            25.0,
            vec![
                BehaviourStep {
                    trigger: Trigger::Immediately,
                    behaviour: Behaviour::KeepLane { speed: 25.0 },
                    parallel: false,
                },
                BehaviourStep {
                    trigger: Trigger::Time(1.0),
                    behaviour: Behaviour::Brake { decel },
                    parallel: false,
                },
            ],
        );
        let mut spec = straight_spec(25.0, 0.9, vec![lead]);
        spec.duration = 10.0;
        spec
    }

    fn standing(kind: ActorKind, s: f64) -> WorldSpec {
        let person = ActorSpec {
            id: 1,
            name: "person".into(),
            kind,
            path: PathId::Route,
            s,
            d: 0.0,
            heading: 0.0,
            speed: 0.0,
            length: if kind == ActorKind::Cyclist { 1.8 } else { 0.5 },
            width: if kind == ActorKind::Cyclist { 0.6 } else { 0.5 },
            behaviours: vec![BehaviourStep {
                trigger: Trigger::Immediately,
                behaviour: Behaviour::Stand,
                parallel: false,
            }],
            reactions: Default::default(),
        };
        let mut spec = straight_spec(12.0, 0.9, vec![person]);
        spec.duration = 12.0;
        spec
    }

    fn stopped_car(friction: f64) -> WorldSpec {
        let car = vehicle(1, 120.0, 0.0, 0.0, vec![]);
        let mut spec = straight_spec(18.0, friction, vec![car]);
        spec.duration = 16.0;
        spec
    }

    #[test]
    fn the_late_braker_collides_with_a_hard_braking_lead_only() {
        check(Weakness::LateBraker, &lead_braking(9.0), &lead_braking(3.0));
    }

    #[test]
    fn the_blind_adapters_hit_only_what_they_cannot_see() {
        let pedestrian = standing(ActorKind::Pedestrian, 60.0);
        let cyclist = standing(ActorKind::Cyclist, 60.0);
        check(Weakness::PEDESTRIAN_BLIND, &pedestrian, &cyclist);
        check(Weakness::CYCLIST_BLIND, &cyclist, &pedestrian);
    }

    #[test]
    fn the_ice_naive_driver_stops_on_a_dry_road_but_not_on_ice() {
        check(Weakness::IceNaive, &stopped_car(0.3), &stopped_car(0.9));
    }

    /// Free driving behind nothing, with (or without) one-frame ghosts ahead;
    /// harsh braking fails it.
    fn ghosts(rate_hz: f64) -> WorldSpec {
        let mut spec = straight_spec(25.0, 0.9, vec![]);
        spec.duration = 12.0;
        spec.environment.sensor.faults.ghosts =
            GhostSpec { rate_hz, lifetime: 0.05, ahead_min: 15.0, ahead_max: 35.0 };
        spec.criteria = vec![CriterionSpec::NoCollision, CriterionSpec::MaxDecel { max: 6.0 }];
        spec
    }

    #[test]
    fn the_memoryless_driver_brakes_for_ghosts_the_reference_ignores() {
        check(Weakness::Memoryless, &ghosts(1.0), &ghosts(0.0));
    }

    #[test]
    fn the_reference_warns_on_its_tracks_so_one_frame_ghosts_never_set_its_fcw_off() {
        let world = ghosts(1.0);
        let (reference, n_reference) = first_onset(&world, &mut ReferenceAdapter::default());
        let (_, n_memoryless) = first_onset(&world, &mut PlantedAdapter::new(Weakness::Memoryless));
        assert_eq!((reference, n_reference), (None, 0), "the reference warned on a ghost");
        assert!(n_memoryless > 3, "the memoryless warned only {n_memoryless} times");
    }

    #[test]
    fn names_round_trip_and_are_sorted() {
        for w in PLANTED {
            assert_eq!(Weakness::from_name(w.name()), Some(w));
            assert_eq!(PlantedAdapter::new(w).info().name, w.name());
        }
        let names: Vec<&str> = PLANTED.iter().map(|w| w.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert_eq!(Weakness::from_name("reference"), None);
    }

    /// Stop-and-go following: the lead slows from 10 to 2.5 m/s at 4 s and
    /// speeds up again at 14 s, on a road of `friction` with `dropout`.
    fn queue(friction: f64, dropout: f64) -> WorldSpec {
        let keep = |speed| Behaviour::KeepLane { speed };
        let lead = vehicle(
            1,
            30.0,
            0.0,
            10.0,
            vec![
                BehaviourStep { trigger: Trigger::Immediately, behaviour: keep(10.0), parallel: false },
                BehaviourStep { trigger: Trigger::Time(4.0), behaviour: keep(2.5), parallel: false },
                BehaviourStep { trigger: Trigger::Time(14.0), behaviour: keep(10.0), parallel: false },
            ],
        );
        let mut spec = straight_spec(10.0, friction, vec![lead]);
        spec.duration = 20.0;
        spec.environment.sensor.dropout = dropout;
        spec.criteria = vec![CriterionSpec::NoCollision, CriterionSpec::MaxJerk { max: 10.0 }];
        spec
    }

    #[test]
    fn the_short_memory_fails_only_on_ice_with_dropout() {
        // Ice × dropout fails it; dry × dropout passes (its memory covers the dropped frames).
        check(Weakness::ShortMemory, &queue(0.12, 0.25), &queue(0.9, 0.25));
        // Ice without dropout passes: every frame carries the detection.
        assert_eq!(
            outcome(&queue(0.12, 0.0), &mut PlantedAdapter::new(Weakness::ShortMemory)),
            Outcome::Pass
        );
        // Wet × dropout passes: its detector reads μ above 0.35.
        assert_eq!(
            outcome(&queue(0.45, 0.25), &mut PlantedAdapter::new(Weakness::ShortMemory)),
            Outcome::Pass
        );
    }

    /// Whether the short memory's winter mode is on at the end of `spec`.
    fn winter_mode(spec: &WorldSpec) -> bool {
        let mut adapter = PlantedAdapter::new(Weakness::ShortMemory);
        let _ = Simulation::run(spec, &mut adapter, RunOptions::default());
        adapter.slip.low_mu
    }

    #[test]
    fn the_slip_detector_reads_ice_from_braking_it_does_not_get() {
        assert!(winter_mode(&stopped_car(0.2)), "ice not read");
        assert!(!winter_mode(&stopped_car(0.9)), "a dry road read as ice");
        assert!(!winter_mode(&stopped_car(0.45)), "a wet road read as ice");
        // Stopping on a dry road (the brakes achieve less than asked at the end) is no slip.
        assert!(!winter_mode(&lead_braking(9.0)), "an emergency stop read as ice");
    }

    /// The first activation's onset of the adapter's one monitor, s, and
    /// the number of activations.
    fn first_onset(spec: &WorldSpec, adapter: &mut dyn AutonomyAdapter) -> (Option<f64>, usize) {
        let run = Simulation::run(spec, adapter, RunOptions::default());
        assert_eq!(run.monitors.names.len(), 1);
        let first = run.monitors.activations.iter().map(|a| a.on).min();
        (first.map(|on| on as f64 * spec.dt), run.monitors.activations.len())
    }

    #[test]
    fn monitors_warn_early_late_or_always() {
        let world = lead_braking(9.0);
        let (reference, _) = first_onset(&world, &mut ReferenceAdapter::default());
        let (good, _) = first_onset(&world, &mut PlantedAdapter::new(Weakness::IceNaive));
        let (late, _) = first_onset(&world, &mut PlantedAdapter::new(Weakness::LateBraker));
        let (noisy, _) = first_onset(&world, &mut PlantedAdapter::new(Weakness::CYCLIST_BLIND));
        let (good, reference, late, noisy) =
            (good.unwrap(), reference.unwrap(), late.unwrap(), noisy.unwrap());
        assert!(good < reference, "good {good} before reference {reference}");
        assert!(late > good + 0.5, "late {late} well after good {good}");
        // The lead is within 40 m from the start: the noisy monitor is on at once.
        assert_eq!(noisy, 0.0);
        // Monitors never steer the world.
        let a = Simulation::run(&world, &mut ReferenceAdapter::default(), RunOptions::default());
        let b = Simulation::run(&world, &mut ReferenceAdapter::default(), RunOptions::default());
        assert_eq!((a.trace_hash, &a.monitors), (b.trace_hash, &b.monitors));
    }
}
