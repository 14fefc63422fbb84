//! The JSON Schemas of the MCAP export's channels (see [`super::mcap_trace`]).
//!
//! Foxglove recognises its well-known message types by schema name
//! (`foxglove.SceneUpdate`, `foxglove.FrameTransforms`) with the
//! `jsonschema` schema encoding; the schema text describes the fields the
//! export writes, all inline (no `$ref`), so that any JSON Schema reader can
//! use it. The other channels are plain JSON objects whose schemas list
//! their fields, so that Foxglove's Plot panel offers them as paths.

use serde_json::{Map, Value, json};

/// The schema encoding of every channel.
pub const SCHEMA_ENCODING: &str = "jsonschema";
/// The message encoding of every channel.
pub const MESSAGE_ENCODING: &str = "json";

fn number() -> Value {
    json!({ "type": "number" })
}

fn object(title: Option<&str>, fields: &[(&str, Value)]) -> Value {
    let mut properties = Map::new();
    for (name, schema) in fields {
        properties.insert((*name).to_owned(), schema.clone());
    }
    let required: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
    let mut schema = json!({ "type": "object", "properties": properties, "required": required });
    if let Some(title) = title {
        schema["title"] = json!(title);
    }
    schema
}

fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn time() -> Value {
    object(Some("time"), &[("sec", json!({ "type": "integer" })), ("nsec", json!({ "type": "integer" }))])
}

fn vector3(title: &str) -> Value {
    object(Some(title), &[("x", number()), ("y", number()), ("z", number())])
}

fn quaternion() -> Value {
    object(Some("foxglove.Quaternion"), &[("x", number()), ("y", number()), ("z", number()), ("w", number())])
}

fn pose() -> Value {
    object(Some("foxglove.Pose"), &[("position", vector3("foxglove.Vector3")), ("orientation", quaternion())])
}

fn color() -> Value {
    object(Some("foxglove.Color"), &[("r", number()), ("g", number()), ("b", number()), ("a", number())])
}

fn cube() -> Value {
    object(
        Some("foxglove.CubePrimitive"),
        &[("pose", pose()), ("size", vector3("foxglove.Vector3")), ("color", color())],
    )
}

fn line() -> Value {
    object(
        Some("foxglove.LinePrimitive"),
        &[
            ("type", json!({ "type": "integer", "description": "0 LINE_STRIP, 1 LINE_LOOP, 2 LINE_LIST" })),
            ("pose", pose()),
            ("thickness", number()),
            ("scale_invariant", json!({ "type": "boolean" })),
            ("points", array(vector3("foxglove.Point3"))),
            ("color", color()),
            ("colors", array(color())),
            ("indices", array(json!({ "type": "integer" }))),
        ],
    )
}

fn key_value() -> Value {
    object(
        Some("foxglove.KeyValuePair"),
        &[("key", json!({ "type": "string" })), ("value", json!({ "type": "string" }))],
    )
}

fn entity() -> Value {
    let untyped = || array(json!({ "type": "object" }));
    object(
        Some("foxglove.SceneEntity"),
        &[
            ("timestamp", time()),
            ("frame_id", json!({ "type": "string" })),
            ("id", json!({ "type": "string" })),
            (
                "lifetime",
                object(
                    Some("duration"),
                    &[("sec", json!({ "type": "integer" })), ("nsec", json!({ "type": "integer" }))],
                ),
            ),
            ("frame_locked", json!({ "type": "boolean" })),
            ("metadata", array(key_value())),
            ("arrows", untyped()),
            ("cubes", array(cube())),
            ("spheres", untyped()),
            ("cylinders", untyped()),
            ("lines", array(line())),
            ("triangles", untyped()),
            ("texts", untyped()),
            ("models", untyped()),
        ],
    )
}

/// `foxglove.SceneUpdate`: boxes of the bodies, lines of the road.
pub fn scene_update() -> Value {
    let deletion = object(
        Some("foxglove.SceneEntityDeletion"),
        &[("timestamp", time()), ("type", json!({ "type": "integer" })), ("id", json!({ "type": "string" }))],
    );
    object(Some("foxglove.SceneUpdate"), &[("deletions", array(deletion)), ("entities", array(entity()))])
}

/// `foxglove.FrameTransforms`: one `foxglove.FrameTransform` per body.
pub fn frame_transforms() -> Value {
    let transform = object(
        Some("foxglove.FrameTransform"),
        &[
            ("timestamp", time()),
            ("parent_frame_id", json!({ "type": "string" })),
            ("child_frame_id", json!({ "type": "string" })),
            ("translation", vector3("foxglove.Vector3")),
            ("rotation", quaternion()),
        ],
    );
    object(Some("foxglove.FrameTransforms"), &[("transforms", array(transform))])
}

/// `gauntlet.Control`: the control the engine applied.
pub fn control() -> Value {
    object(Some("gauntlet.Control"), &[("accel", number()), ("steer", number())])
}

/// `gauntlet.Criteria`: one number per criterion, named as in the records
/// (`null` while a margin is not finite).
pub fn criteria(names: &[String]) -> Value {
    let fields: Vec<(&str, Value)> = names.iter().map(|n| (n.as_str(), number())).collect();
    object(Some("gauntlet.Criteria"), &fields)
}

/// `gauntlet.Observation`: the schema of `example`, one observation as
/// JSON, so that it follows the protocol's fields as they are; arrays take
/// the schema of their first element (an object, when empty).
pub fn observation(example: &Value) -> Value {
    let mut schema = infer(example);
    schema["title"] = json!("gauntlet.Observation");
    schema
}

fn infer(value: &Value) -> Value {
    match value {
        Value::Null => json!({}),
        Value::Bool(_) => json!({ "type": "boolean" }),
        Value::Number(n) if n.is_f64() => number(),
        Value::Number(_) => json!({ "type": "integer" }),
        Value::String(_) => json!({ "type": "string" }),
        Value::Array(items) => array(items.first().map_or_else(|| json!({ "type": "object" }), infer)),
        Value::Object(fields) => {
            let mut properties = Map::new();
            for (name, v) in fields {
                properties.insert(name.clone(), infer(v));
            }
            json!({ "type": "object", "properties": properties })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scene_update_names_the_fields_foxglove_requires() {
        let s = scene_update();
        assert_eq!(s["title"], "foxglove.SceneUpdate");
        let entity = &s["properties"]["entities"]["items"];
        let required: Vec<&str> =
            entity["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(
            required,
            [
                "timestamp",
                "frame_id",
                "id",
                "lifetime",
                "frame_locked",
                "metadata",
                "arrows",
                "cubes",
                "spheres",
                "cylinders",
                "lines",
                "triangles",
                "texts",
                "models"
            ]
        );
        assert_eq!(entity["properties"]["cubes"]["items"]["title"], "foxglove.CubePrimitive");
        assert_eq!(
            frame_transforms()["properties"]["transforms"]["items"]["title"],
            "foxglove.FrameTransform"
        );
    }

    #[test]
    fn observation_schema_follows_the_example() {
        let example = json!({ "step": 3, "t": 0.2, "ego": { "x": 1.5, "lane": 0 }, "objects": [] });
        let s = observation(&example);
        assert_eq!(s["properties"]["step"]["type"], "integer");
        assert_eq!(s["properties"]["ego"]["properties"]["x"]["type"], "number");
        assert_eq!(s["properties"]["objects"]["items"]["type"], "object");
    }
}
