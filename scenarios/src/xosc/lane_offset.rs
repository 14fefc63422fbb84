//! `LaneOffsetAction` in a story: Gauntlet's `LaneOffset` behaviour. The
//! target is an offset from the centre of the actor's lane (absolute, or
//! relative to an entity's offset as known when the file is read); the
//! move follows a cubic or sinusoidal shape whose duration keeps the
//! lateral acceleration at `maxLateralAcc`.

use gauntlet_engine::profile::Shape;

use super::entities::{Entity, index_of};
use super::odr::Road;
use super::story::Scripts;
use super::xml::{El, Res, Xml, name};
use crate::param::Num;
use crate::raw::{BehaviourFile, ShapeFile};

/// A `LaneOffsetAction` of entity `me` and how long it takes.
pub(crate) fn lane_offset(
    xml: &Xml<'_>,
    node: El<'_>,
    road: &Road,
    ents: &[Entity],
    me: usize,
    scripts: &mut Scripts,
) -> Res<(BehaviourFile, Option<f64>)> {
    xml.only(node, &["LaneOffsetActionDynamics", "LaneOffsetTarget"])?;
    if xml.opt_bool(node, "continuous")? == Some(true) {
        return Err(xml.unsupported(node, "a `continuous` lane offset"));
    }
    let dyn_ = xml.need(node, "LaneOffsetActionDynamics")?;
    let (shape, file_shape) = match xml.req(dyn_, "dynamicsShape")?.as_str() {
        "cubic" => (Shape::Cubic, ShapeFile::Cubic),
        "sinusoidal" => (Shape::Sinusoidal, ShapeFile::Sinusoidal),
        other @ ("linear" | "step") => {
            return Err(xml.unsupported(
                dyn_,
                &format!("dynamicsShape {other:?} for a lane offset (its lateral acceleration is unbounded)"),
            ));
        }
        other => return Err(xml.err(dyn_, format!("unknown dynamicsShape {other:?}"))),
    };
    let Some(max) = xml.opt_num(dyn_, "maxLateralAcc")? else {
        return Err(
            xml.unsupported(dyn_, "a lane offset without `maxLateralAcc` (it sets the move's duration)")
        );
    };
    if !(max.is_finite() && max > 0.0) {
        return Err(xml.err(dyn_, format!("`maxLateralAcc` must be positive, found {max}")));
    }
    let Some(lane) = scripts.lane[me] else {
        return Err(xml.unsupported(node, "a lane offset of an entity placed off a lane"));
    };
    let target = xml.single(xml.need(node, "LaneOffsetTarget")?)?;
    let offset = match name(target) {
        "AbsoluteTargetLaneOffset" => xml.num(target, "value")?,
        "RelativeTargetLaneOffset" => {
            let k = index_of(xml, target, ents, &xml.req(target, "entityRef")?)?;
            scripts.offset[k] + xml.num(target, "value")?
        }
        other => return Err(xml.err(target, format!("unknown lane offset target `{other}`"))),
    };
    let half = 0.5 * road.lane_width;
    if offset.abs() >= half {
        return Err(xml.unsupported(
            target,
            &format!("an offset of {offset} m, at or beyond the lane's edge (±{half} m): use a lane change"),
        ));
    }
    let duration = shape.duration_for(offset - scripts.offset[me], max);
    scripts.offset[me] = offset;
    let b = BehaviourFile::LaneOffset {
        lane: Num::Fixed(lane as f64),
        offset: Num::Fixed(offset),
        shape: file_shape,
        max_lateral_accel: Num::Fixed(max),
        speed: Num::Fixed(scripts.speed[me]),
    };
    Ok((b, Some(duration)))
}
