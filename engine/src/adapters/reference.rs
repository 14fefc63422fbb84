//! The reference adapter: a plain, honest driver. It keeps its lane
//! (Stanley), follows the road user ahead (IDM), slows for curves, yields to
//! people about to enter its path, and brakes hard when a collision is
//! imminent. It passes the benign scenarios of the library; it is the
//! baseline the planted-weakness adapters are derived from.

use crate::actor::ActorKind;
use crate::adapter::{
    AdapterFault, AdapterInfo, AutonomyAdapter, Control, JobStart, ObjectObservation, Observation,
};
use crate::control::{Idm, stanley_steer};
use crate::math::sqrt;

/// Knobs of the reference driver (defaults are the reference behaviour).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferenceTuning {
    /// Time-to-collision under which it brakes as hard as it can, s.
    pub emergency_ttc: f64,
    /// Comfortable lateral acceleration it aims at in curves, m/s².
    pub curve_lateral_accel: f64,
    /// Largest change of requested acceleration per second outside emergencies, m/s³.
    pub jerk_limit: f64,
    /// Extra lateral margin around its lane within which road users count as in its path, m.
    pub corridor_margin: f64,
    /// Whether it reacts to pedestrians and cyclists at all.
    pub sees_vulnerable: bool,
}

impl Default for ReferenceTuning {
    fn default() -> Self {
        Self {
            emergency_ttc: 2.0,
            curve_lateral_accel: 2.5,
            jerk_limit: 8.0,
            corridor_margin: 0.4,
            sees_vulnerable: true,
        }
    }
}

/// The built-in reference driver.
#[derive(Debug, Clone, Default)]
pub struct ReferenceAdapter {
    tuning: ReferenceTuning,
    job: Option<JobStart>,
    target_lane: Option<i32>,
    last_accel: f64,
    /// Its forward-collision warning ([`super::monitors`]) in the last answer.
    fcw: bool,
}

impl ReferenceAdapter {
    /// A reference driver with other knobs.
    pub fn with_tuning(tuning: ReferenceTuning) -> Self {
        Self { tuning, ..Self::default() }
    }

    /// (gap bumper to bumper, speed along the route) of the most constraining
    /// road user in or entering the ego's path.
    fn leader(&self, obs: &Observation, job: &JobStart) -> Option<(f64, f64)> {
        let ego = &obs.ego;
        let half_ego = 0.5 * job.ego.width;
        let mut best: Option<(f64, f64)> = None;
        for o in &obs.objects {
            if o.s <= ego.s {
                continue;
            }
            let vulnerable = matches!(o.kind, ActorKind::Pedestrian | ActorKind::Cyclist);
            if vulnerable && !self.tuning.sees_vulnerable {
                continue;
            }
            let gap = o.s - ego.s - 0.5 * (job.ego.length + o.length);
            if !self.in_path(o, ego.d, half_ego, gap, ego.vs, vulnerable) {
                continue;
            }
            // Someone crossing has no speed along our path: treat as standing.
            let along = if vulnerable && o.vd.abs() > 0.3 { 0.0 } else { o.vs };
            if best.is_none_or(|(g, _)| gap < g) {
                best = Some((gap, along));
            }
        }
        best
    }

    fn in_path(
        &self,
        o: &ObjectObservation,
        ego_d: f64,
        half_ego: f64,
        gap: f64,
        ego_vs: f64,
        vulnerable: bool,
    ) -> bool {
        let half = half_ego + 0.5 * o.width + self.tuning.corridor_margin;
        if (o.d - ego_d).abs() < half {
            return true;
        }
        if !vulnerable || o.vd.abs() < 0.2 {
            return false;
        }
        // Will it be in our corridor when we get there (plus a second of slack)?
        let tta = gap.max(0.0) / ego_vs.max(1.0) + 1.0;
        let later = o.d + o.vd * tta;
        let (lo, hi) = if later < o.d { (later, o.d) } else { (o.d, later) };
        lo < ego_d + half && hi > ego_d - half
    }
}

impl AutonomyAdapter for ReferenceAdapter {
    fn info(&self) -> AdapterInfo {
        AdapterInfo { name: "reference".into(), version: env!("CARGO_PKG_VERSION").into() }
    }

    fn reset(&mut self, job: &JobStart) -> Result<(), AdapterFault> {
        self.job = Some(job.clone());
        self.target_lane = None;
        self.last_accel = 0.0;
        self.fcw = false;
        Ok(())
    }

    fn step(&mut self, obs: &Observation) -> Result<Control, AdapterFault> {
        let Some(job) = self.job.as_ref() else {
            return Err(AdapterFault::new(crate::adapter::AdapterFaultKind::Protocol, "step before reset"));
        };
        let ego = &obs.ego;
        let lanes = job.road.lanes as i32;
        let lane =
            *self.target_lane.get_or_insert(if ego.lane >= 0 { ego.lane } else { 0 }.clamp(0, lanes - 1));
        let lateral_err = ego.d - lane as f64 * job.road.lane_width;
        let steer = stanley_steer(
            lateral_err,
            ego.heading_err,
            ego.vs,
            ego.curvature,
            job.ego.wheelbase,
            job.ego.max_steer,
        );

        let mut desired = job.road.speed_limit * 0.95;
        if ego.curvature.abs() > 1e-4 {
            desired = desired.min(sqrt(self.tuning.curve_lateral_accel / ego.curvature.abs()));
        }
        let idm = Idm { accel: 2.0, decel: 3.0, min_gap: 4.0, headway: 1.5 };
        let leader = self.leader(obs, job);
        let mut accel = idm.accel(ego.vs, desired, leader);
        let mut emergency = false;
        if let Some((gap, lead_vs)) = leader {
            let closing = ego.vs - lead_vs;
            if closing > 0.0 {
                let ttc = gap / closing;
                let needed = closing * closing / (2.0 * (gap - 1.0).max(0.1));
                if ttc < self.tuning.emergency_ttc || needed > 0.6 * job.ego.max_decel {
                    emergency = true;
                    accel = -job.ego.max_decel;
                }
            }
        }
        accel = accel.clamp(-job.ego.max_decel, job.ego.max_accel);
        if !emergency {
            let max_step = self.tuning.jerk_limit * job.dt;
            accel = accel.clamp(self.last_accel - max_step, self.last_accel + max_step);
        }
        self.last_accel = accel;
        self.fcw = super::monitors::forward_collision(obs, job, super::monitors::REFERENCE_FCW_TTC);
        Ok(Control { accel, steer })
    }

    fn monitor_names(&self) -> Vec<String> {
        vec!["fcw".to_owned()]
    }

    fn active_monitors(&self) -> crate::MonitorMask {
        crate::MonitorMask::NONE.with(0, self.fcw)
    }
}
