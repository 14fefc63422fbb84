//! The storyboard's stop trigger ([`crate::WorldSpec::stop`], OpenSCENARIO's
//! `Storyboard/StopTrigger`): an OR of ANDs of conditions judged after every
//! step on the state the step ended in ([`crate::trigger`]'s rules: edges,
//! delays, groups). The run ends after the first step on which it fires;
//! the criteria are judged over the steps run, as at the end of the
//! duration, and the result records the time ([`crate::RunResult::stopped_at`]).
//! A world without one judges nothing (the default sweep is unchanged).
//! Fixed-size state, updated in place: nothing allocates per step (the
//! odometers are sized once, from the first snapshot).

use bevy_ecs::prelude::*;

use crate::trigger::{Conditions, JudgeState, Odometers};
use crate::world::{Clock, RoadRes, Snapshot};

/// The stop trigger's conditions and what judging them remembers.
#[derive(Resource, Debug, Default)]
pub(crate) struct StopState {
    conds: Option<Conditions>,
    judge: JudgeState,
    odometers: Odometers,
    /// When it fired (the end of the step), s.
    pub fired_at: Option<f64>,
}

impl StopState {
    /// The state of a world whose stop trigger is `conds`, its odometers
    /// started from the initial `snapshot`.
    pub fn new(conds: Option<Conditions>, snapshot: &Snapshot, dt: f64) -> Self {
        let mut s = Self { conds, ..Self::default() };
        if s.conds.is_some() {
            s.odometers.update(&snapshot.bodies, &[], dt);
        }
        s
    }
}

/// Judges the stop trigger on the state a step ended in (after the clock advanced).
pub(crate) fn judge(
    clock: Res<Clock>,
    road: Res<RoadRes>,
    snapshot: Res<Snapshot>,
    jumps: Res<crate::world::Jumps>,
    mut stop: ResMut<StopState>,
) {
    let StopState { conds, judge, odometers, fired_at } = &mut *stop;
    let Some(conds) = conds else { return };
    if fired_at.is_some() {
        return;
    }
    odometers.update(&snapshot.bodies, &jumps.0, clock.dt);
    if crate::trigger::judge(conds, judge, clock.t, &snapshot.bodies, odometers, road.road.route()) {
        *fired_at = Some(clock.t);
    }
}
