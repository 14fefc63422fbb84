//! Causes of control loss in scenario files: friction patches along the
//! route (`surface: [(from_s: …, to_s: …, friction: …, lanes: (lo, hi))]`)
//! and a fault of the ego vehicle (`ego_fault: (at: Time(…) | RouteS(…),
//! fault: BrakeFade(…) | TyreBlowout(…) | SteeringLimit(…))`). Their schema,
//! their validation in the walk, and their numbers for the fuzzer's visitor
//! and writer. What they do is the engine's ([`gauntlet_engine::surface`],
//! [`gauntlet_engine::vehicle_fault`]).

use gauntlet_engine::road::RoadSpec;
use gauntlet_engine::surface::{MAX_PATCHES, Patch, Surface};
use gauntlet_engine::vehicle_fault::{FaultKind, FaultTrigger, Side, VehicleFault};
use gauntlet_ron_source::FieldPath;
use serde::Deserialize;

use crate::param::Num;
use crate::resolve::{Accepts, Walk};

/// One friction patch: `(from_s: …, to_s: …, friction: …, lanes: (lo, hi))`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchFile {
    /// Start of the patch, route distance in m.
    pub from_s: Num,
    /// End of the patch, m (after `from_s`).
    pub to_s: Num,
    /// Its friction coefficient μ (0–1.5].
    pub friction: Num,
    /// First and last lane it covers (default: the whole road).
    #[serde(default)]
    pub lanes: Option<(u32, u32)>,
}

/// `ego_fault: (at: …, fault: …)`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EgoFaultFile {
    /// When it starts.
    pub at: FaultAtFile,
    /// What fails.
    pub fault: FaultKindFile,
}

/// `Time(t)` (s) or `RouteS(s)` (the ego's route distance, m).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum FaultAtFile {
    /// When simulated time reaches it, s.
    Time(Num),
    /// When the ego's centre reaches this route distance, m.
    RouteS(Num),
}

/// `Left` or `Right`.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
pub enum SideFile {
    /// Left.
    Left,
    /// Right.
    Right,
}

fn default_pull() -> Num {
    Num::Fixed(1.5)
}
fn default_grip() -> Num {
    Num::Fixed(0.7)
}

/// The fault.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum FaultKindFile {
    /// Brake fade: `factor` × the ego's `max_decel` is all it can brake.
    BrakeFade {
        /// Share of the braking limit left (0–1].
        factor: Num,
    },
    /// A tyre blowout pulling to `side`.
    TyreBlowout {
        /// Side of the failed tyre.
        side: SideFile,
        /// Lateral acceleration of the pull, m/s² (default 1.5).
        #[serde(default = "default_pull")]
        pull: Num,
        /// Factor on the ego's friction (default 0.7).
        #[serde(default = "default_grip")]
        grip: Num,
    },
    /// Steering limited to `max_steer` rad.
    SteeringLimit {
        /// Largest front-wheel angle, rad.
        max_steer: Num,
    },
}

impl Walk<'_> {
    /// The friction patches of `surface` (`p`).
    pub(crate) fn surface(&mut self, p: &FieldPath, patches: &[PatchFile], road: &RoadSpec) -> Surface {
        if patches.len() > MAX_PATCHES {
            self.error(
                p,
                format!("expected at most {MAX_PATCHES} friction patches, found {}", patches.len()),
            );
        }
        let place = Accepts::between(-1000.0, 50_000.0, "a route distance in m");
        let mut out = Vec::with_capacity(patches.len().min(MAX_PATCHES));
        for (i, f) in patches.iter().enumerate().take(MAX_PATCHES) {
            let pp = p.index(i);
            let from_s = self.num(&pp.field("from_s"), &f.from_s, place);
            let to_s = self.num(&pp.field("to_s"), &f.to_s, place);
            let friction = self.num(
                &pp.field("friction"),
                &f.friction,
                Accepts::positive(1.5, "a friction coefficient"),
            );
            if to_s <= from_s {
                self.error(
                    &pp.field("to_s"),
                    format!("expected the patch's end after its start ({from_s}), found {to_s}"),
                );
            }
            if let Some((lo, hi)) = f.lanes {
                let last = road.total_lanes().saturating_sub(1);
                if lo > hi || hi > last {
                    self.error(
                        &pp.field("lanes"),
                        format!(
                            "expected lanes (first, last) with first ≤ last ≤ {last}, found ({lo}, {hi})"
                        ),
                    );
                }
            }
            out.push(Patch { from_s, to_s, friction, lanes: f.lanes });
        }
        Surface::new(&out).unwrap_or_default()
    }

    /// The ego's fault (`p`), within a run of `duration` s.
    pub(crate) fn ego_fault(&mut self, p: &FieldPath, f: &EgoFaultFile, duration: f64) -> VehicleFault {
        let trigger = match &f.at {
            FaultAtFile::Time(t) => FaultTrigger::Time(self.num(
                &p.field("at"),
                t,
                Accepts::between(0.0, duration, "a time in s within the run"),
            )),
            FaultAtFile::RouteS(s) => FaultTrigger::RouteS(self.num(
                &p.field("at"),
                s,
                Accepts::between(-1000.0, 50_000.0, "a route distance in m"),
            )),
        };
        let fp = p.field("fault");
        let kind = match &f.fault {
            FaultKindFile::BrakeFade { factor } => FaultKind::BrakeFade {
                factor: self.num(
                    &fp.field("factor"),
                    factor,
                    Accepts::positive(1.0, "a share of the braking limit"),
                ),
            },
            FaultKindFile::TyreBlowout { side, pull, grip } => FaultKind::TyreBlowout {
                side: match side {
                    SideFile::Left => Side::Left,
                    SideFile::Right => Side::Right,
                },
                pull: self.num(
                    &fp.field("pull"),
                    pull,
                    Accepts::between(0.0, 10.0, "a lateral acceleration in m/s²"),
                ),
                grip: self.num(&fp.field("grip"), grip, Accepts::positive(1.0, "a factor on the friction")),
            },
            FaultKindFile::SteeringLimit { max_steer } => FaultKind::SteeringLimit {
                max_steer: self.num(
                    &fp.field("max_steer"),
                    max_steer,
                    Accepts::positive(1.2, "a steering angle in rad"),
                ),
            },
        };
        VehicleFault { trigger, kind }
    }
}

/// Calls `f` for every number of the `surface` list (`p`).
pub(crate) fn visit_surface(
    p: &FieldPath,
    patches: &mut [PatchFile],
    f: &mut dyn FnMut(&FieldPath, &mut Num),
) {
    for (i, c) in patches.iter_mut().enumerate() {
        let pp = p.index(i);
        f(&pp.field("from_s"), &mut c.from_s);
        f(&pp.field("to_s"), &mut c.to_s);
        f(&pp.field("friction"), &mut c.friction);
    }
}

/// Calls `f` for every number of the `ego_fault` section (`p`).
pub(crate) fn visit_ego_fault(p: &FieldPath, e: &mut EgoFaultFile, f: &mut dyn FnMut(&FieldPath, &mut Num)) {
    match &mut e.at {
        FaultAtFile::Time(n) | FaultAtFile::RouteS(n) => f(&p.field("at"), n),
    }
    let fp = p.field("fault");
    match &mut e.fault {
        FaultKindFile::BrakeFade { factor } => f(&fp.field("factor"), factor),
        FaultKindFile::TyreBlowout { side: _, pull, grip } => {
            f(&fp.field("pull"), pull);
            f(&fp.field("grip"), grip);
        }
        FaultKindFile::SteeringLimit { max_steer } => f(&fp.field("max_steer"), max_steer),
    }
}

/// The `surface` list as RON.
pub(crate) fn surface_text(patches: &[PatchFile], num: fn(&Num) -> String) -> String {
    let items: Vec<String> = patches
        .iter()
        .map(|c| {
            let lanes = c.lanes.map_or(String::new(), |(lo, hi)| format!(", lanes: ({lo}, {hi})"));
            format!(
                "(from_s: {}, to_s: {}, friction: {}{lanes})",
                num(&c.from_s),
                num(&c.to_s),
                num(&c.friction)
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// The `ego_fault` section as RON.
pub(crate) fn ego_fault_text(e: &EgoFaultFile, num: fn(&Num) -> String) -> String {
    let at = match &e.at {
        FaultAtFile::Time(n) => format!("Time({})", num(n)),
        FaultAtFile::RouteS(n) => format!("RouteS({})", num(n)),
    };
    let fault = match &e.fault {
        FaultKindFile::BrakeFade { factor } => format!("BrakeFade(factor: {})", num(factor)),
        FaultKindFile::TyreBlowout { side, pull, grip } => {
            format!("TyreBlowout(side: {side:?}, pull: {}, grip: {})", num(pull), num(grip))
        }
        FaultKindFile::SteeringLimit { max_steer } => format!("SteeringLimit(max_steer: {})", num(max_steer)),
    };
    format!("(at: {at}, fault: {fault})")
}
