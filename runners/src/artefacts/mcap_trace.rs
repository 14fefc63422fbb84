//! A job's trace as an MCAP file that Foxglove opens without plugins.
//!
//! Every channel is JSON (`json` message encoding, `jsonschema` schemas,
//! see [`super::mcap_schemas`]), every message is stamped with the
//! simulated time of its step (`log_time = publish_time = t` in ns):
//!
//! | topic | schema | what, when |
//! | --- | --- | --- |
//! | `/road` | `foxglove.SceneUpdate` | road edges, lane lines and crosswalks as line strips, once at t = 0 |
//! | `/scene` | `foxglove.SceneUpdate` | a box per body (ego, actors, static objects), every step |
//! | `/tf` | `foxglove.FrameTransforms` | `world` → `ego`, `world` → `actor_N`, every step |
//! | `/observation` | `gauntlet.Observation` | the observation the adapter answered, every step |
//! | `/control` | `gauntlet.Control` | the control the engine applied, every step |
//! | `/criteria` | `gauntlet.Criteria` | every criterion's margin (`null` while not finite), every step |
//!
//! Frames are streamed to the file as the engine makes them: memory does
//! not grow with the run. The file is a function of the frames alone (no
//! wall clock, no thread id): the same job writes the same bytes.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use gauntlet_engine::{ActorKind, TraceFrame, WorldSpec};
use gauntlet_reports::html::RoadView;
use mcap::records::MessageHeader;
use serde::Serialize;

use super::mcap_schemas as schemas;
use super::trace_view::road_view;
use crate::error::RunnerError;

/// Why an MCAP file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("failed to write the MCAP file {}: {source}", path.display())]
pub struct McapError {
    /// The file.
    pub path: PathBuf,
    /// Cause.
    #[source]
    pub source: mcap::McapError,
}

/// Drawn height of a body's box, m (the engine's bodies are footprints).
fn height(kind: Option<ActorKind>) -> f64 {
    match kind {
        None | Some(ActorKind::Vehicle) => 1.5,
        Some(ActorKind::Pedestrian) => 1.8,
        Some(ActorKind::Cyclist) => 1.7,
        Some(ActorKind::Static) => 1.0,
        Some(ActorKind::Motorcycle) => 1.4,
        Some(ActorKind::Animal) => 1.2,
    }
}

/// Colour of a body's box: the ego blue, vehicles grey, vulnerable road
/// users red and orange, static objects yellow.
fn color(kind: Option<ActorKind>, ego: bool) -> Color {
    let (r, g, b) = match kind {
        _ if ego => (0.15, 0.45, 1.0),
        None | Some(ActorKind::Vehicle) => (0.7, 0.7, 0.7),
        Some(ActorKind::Pedestrian) => (0.95, 0.2, 0.2),
        Some(ActorKind::Cyclist) => (1.0, 0.55, 0.1),
        Some(ActorKind::Static) => (0.95, 0.85, 0.2),
        Some(ActorKind::Motorcycle) => (0.3, 0.5, 0.95),
        Some(ActorKind::Animal) => (0.55, 0.35, 0.15),
    };
    Color { r, g, b, a: 0.9 }
}

/// A body's fixed drawing data.
#[derive(Debug, Clone)]
struct BodyStyle {
    id: u32,
    /// Entity id and frame name: `ego`, `actor_N`.
    name: String,
    kind: &'static str,
    size: Vec3,
    color: Color,
}

/// The ids of the channels, made on the first frame.
#[derive(Debug, Clone, Copy)]
struct Channels {
    scene: u16,
    tf: u16,
    observation: u16,
    control: u16,
    criteria: u16,
}

/// Streams a job's frames into an MCAP file (see the module docs).
pub struct McapTrace {
    path: PathBuf,
    writer: mcap::Writer<BufWriter<File>>,
    road: RoadView,
    bodies: Vec<BodyStyle>,
    channels: Option<Channels>,
    /// The `/criteria` field of each margin, in spec order.
    criteria: Vec<String>,
    sequence: u32,
    /// Reused for every message.
    buf: Vec<u8>,
    error: Option<mcap::McapError>,
    frames: u64,
}

impl McapTrace {
    /// Creates the file at `path` (and its folder) for a run of `world`.
    pub fn create(path: &Path, world: &WorldSpec) -> Result<Self, RunnerError> {
        let io = |source| RunnerError::Io { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = BufWriter::new(File::create(path).map_err(io)?);
        let writer = mcap::WriteOptions::new()
            .profile("")
            .library(concat!("gauntlet ", env!("CARGO_PKG_VERSION")))
            .compression(None)
            .create(file)
            .map_err(|source| McapError { path: path.to_path_buf(), source })?;
        let ego_kind = None;
        let mut bodies = vec![BodyStyle {
            id: 0,
            name: "ego".to_owned(),
            kind: "ego",
            size: Vec3 { x: world.ego.limits.length, y: world.ego.limits.width, z: height(ego_kind) },
            color: color(ego_kind, true),
        }];
        bodies.extend(world.actors.iter().filter(|a| a.id != 0).map(|a| BodyStyle {
            id: a.id,
            name: format!("actor_{}", a.id),
            kind: a.kind.as_str(),
            size: Vec3 { x: a.length, y: a.width, z: height(Some(a.kind)) },
            color: color(Some(a.kind), false),
        }));
        Ok(Self {
            path: path.to_path_buf(),
            writer,
            road: road_view(&world.road),
            bodies,
            channels: None,
            criteria: Vec::new(),
            sequence: 0,
            buf: Vec::with_capacity(4096),
            error: None,
            frames: 0,
        })
    }

    /// Writes one step. An error is kept, and returned by [`Self::finish`].
    pub fn push(&mut self, frame: &TraceFrame) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.write_frame(frame) {
            self.error = Some(e);
        }
    }

    /// Steps written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Writes the summary and closes the file.
    pub fn finish(mut self) -> Result<PathBuf, RunnerError> {
        let fail = |path: &Path, source| RunnerError::from(McapError { path: path.to_path_buf(), source });
        if let Some(e) = self.error.take() {
            return Err(fail(&self.path, e));
        }
        self.writer.finish().map_err(|e| fail(&self.path, e))?;
        self.writer
            .into_inner()
            .flush()
            .map_err(|source| RunnerError::Io { path: self.path.clone(), source })?;
        Ok(self.path)
    }

    fn write_frame(&mut self, frame: &TraceFrame) -> Result<(), mcap::McapError> {
        let channels = match self.channels {
            Some(c) => c,
            None => self.start(frame)?,
        };
        let stamp = Stamp::of(frame.t);

        // `/tf`: the pose of every body's frame in `world`.
        self.buf.clear();
        self.buf.extend_from_slice(b"{\"transforms\":[");
        let mut first = true;
        for b in &frame.bodies {
            let Some(style) = self.bodies.iter().find(|s| s.id == b.id) else { continue };
            if !std::mem::take(&mut first) {
                self.buf.push(b',');
            }
            let transform = Transform {
                timestamp: stamp,
                parent_frame_id: "world",
                child_frame_id: &style.name,
                translation: Vec3 { x: b.x, y: b.y, z: 0.0 },
                rotation: Quat::yaw(b.yaw),
            };
            serde_json::to_writer(&mut self.buf, &transform).map_err(json_error)?;
        }
        self.buf.extend_from_slice(b"]}");
        self.write(channels.tf, stamp)?;

        // `/scene`: a box per body, standing on the road.
        self.buf.clear();
        self.buf.extend_from_slice(b"{\"deletions\":[],\"entities\":[");
        let mut first = true;
        for b in &frame.bodies {
            let Some(style) = self.bodies.iter().find(|s| s.id == b.id) else { continue };
            if !std::mem::take(&mut first) {
                self.buf.push(b',');
            }
            let cube = Cube {
                pose: Pose {
                    position: Vec3 { x: b.x, y: b.y, z: 0.5 * style.size.z },
                    orientation: Quat::yaw(b.yaw),
                },
                size: style.size,
                color: style.color,
            };
            let entity = Entity {
                timestamp: stamp,
                frame_id: "world",
                id: &style.name,
                lifetime: Stamp::default(),
                frame_locked: false,
                metadata: [KeyValue { key: "kind", value: style.kind }],
                arrows: [],
                cubes: std::slice::from_ref(&cube),
                spheres: [],
                cylinders: [],
                lines: &[],
                triangles: [],
                texts: [],
                models: [],
            };
            serde_json::to_writer(&mut self.buf, &entity).map_err(json_error)?;
        }
        self.buf.extend_from_slice(b"]}");
        self.write(channels.scene, stamp)?;

        // `/observation` and `/control`, as the protocol spells them.
        self.buf.clear();
        serde_json::to_writer(&mut self.buf, &frame.observation).map_err(json_error)?;
        self.write(channels.observation, stamp)?;
        self.buf.clear();
        serde_json::to_writer(&mut self.buf, &frame.control).map_err(json_error)?;
        self.write(channels.control, stamp)?;

        // `/criteria`: one field per criterion; JSON has no infinity, so a
        // margin that is not finite is `null`.
        self.buf.clear();
        self.buf.push(b'{');
        for (i, (field, (_, margin))) in self.criteria.iter().zip(&frame.margins).enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            serde_json::to_writer(&mut self.buf, field).map_err(json_error)?;
            self.buf.push(b':');
            serde_json::to_writer(&mut self.buf, &margin.is_finite().then_some(*margin))
                .map_err(json_error)?;
        }
        self.buf.push(b'}');
        self.write(channels.criteria, stamp)?;
        self.frames += 1;
        Ok(())
    }

    /// Adds the schemas and channels, and writes the road at t = 0.
    fn start(&mut self, frame: &TraceFrame) -> Result<Channels, mcap::McapError> {
        // A criterion named twice gets its place in the spec as a suffix.
        for (i, (name, _)) in frame.margins.iter().enumerate() {
            let taken = frame.margins[..i].iter().any(|(n, _)| n == name);
            self.criteria.push(if taken { format!("{name}_{i}") } else { (*name).to_owned() });
        }
        let observation = serde_json::to_value(&frame.observation).map_err(json_error)?;
        let writer = &mut self.writer;
        let mut add = |topic: &str, schema: serde_json::Value| -> Result<u16, mcap::McapError> {
            let name = schema["title"].as_str().unwrap_or("object").to_owned();
            let data = serde_json::to_vec(&schema).map_err(json_error)?;
            let schema_id = writer.add_schema(&name, schemas::SCHEMA_ENCODING, &data)?;
            writer.add_channel(schema_id, topic, schemas::MESSAGE_ENCODING, &BTreeMap::new())
        };
        let road = add("/road", schemas::scene_update())?;
        let channels = Channels {
            scene: add("/scene", schemas::scene_update())?,
            tf: add("/tf", schemas::frame_transforms())?,
            observation: add("/observation", schemas::observation(&observation))?,
            control: add("/control", schemas::control())?,
            criteria: add("/criteria", schemas::criteria(&self.criteria))?,
        };
        self.channels = Some(channels);

        let stamp = Stamp::default();
        let strip = |points: &[[f64; 2]], width: f64, color: Color| Line {
            kind: 0,
            pose: Pose { position: Vec3::default(), orientation: Quat::yaw(0.0) },
            thickness: width,
            scale_invariant: false,
            points: points.iter().map(|p| Vec3 { x: p[0], y: p[1], z: 0.0 }).collect(),
            color,
            colors: [],
            indices: [],
        };
        let white = Color { r: 0.95, g: 0.95, b: 0.95, a: 1.0 };
        let grey = Color { r: 0.75, g: 0.75, b: 0.75, a: 1.0 };
        let lines: Vec<Line> = self
            .road
            .edges
            .iter()
            .map(|e| strip(e, 0.2, white))
            .chain(self.road.lane_lines.iter().map(|l| strip(l, 0.1, grey)))
            .chain(self.road.crosswalks.iter().map(|c| strip(c, 0.3, white)))
            .collect();
        let entity = Entity {
            timestamp: stamp,
            frame_id: "world",
            id: "road",
            lifetime: Stamp::default(),
            frame_locked: false,
            metadata: [KeyValue { key: "kind", value: "road" }],
            arrows: [],
            cubes: &[],
            spheres: [],
            cylinders: [],
            lines: &lines,
            triangles: [],
            texts: [],
            models: [],
        };
        self.buf.clear();
        self.buf.extend_from_slice(b"{\"deletions\":[],\"entities\":[");
        serde_json::to_writer(&mut self.buf, &entity).map_err(json_error)?;
        self.buf.extend_from_slice(b"]}");
        self.write(road, stamp)?;
        Ok(channels)
    }

    /// Writes the message in `buf` on `channel` at `stamp`.
    fn write(&mut self, channel: u16, stamp: Stamp) -> Result<(), mcap::McapError> {
        let header = MessageHeader {
            channel_id: channel,
            sequence: self.sequence,
            log_time: stamp.ns,
            publish_time: stamp.ns,
        };
        self.sequence = self.sequence.wrapping_add(1);
        self.writer.write_to_known_channel(&header, &self.buf)
    }
}

impl From<McapError> for RunnerError {
    fn from(e: McapError) -> Self {
        RunnerError::Mcap(Box::new(e))
    }
}

fn json_error(e: serde_json::Error) -> mcap::McapError {
    mcap::McapError::Io(std::io::Error::other(e))
}

/// A simulated time, as Foxglove's `time` (and `duration`) and in ns.
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct Stamp {
    sec: u64,
    nsec: u64,
    #[serde(skip)]
    ns: u64,
}

impl Stamp {
    fn of(t: f64) -> Self {
        // Simulated time is never negative; the cast saturates anyway.
        let ns = (t * 1e9).round() as u64;
        Self { sec: ns / 1_000_000_000, nsec: ns % 1_000_000_000, ns }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
struct Vec3 {
    x: f64,
    y: f64,
    z: f64,
}

#[derive(Debug, Clone, Copy, Serialize)]
struct Quat {
    x: f64,
    y: f64,
    z: f64,
    w: f64,
}

impl Quat {
    /// A rotation by `yaw` about +z.
    fn yaw(yaw: f64) -> Self {
        let (s, c) = libm::sincos(0.5 * yaw);
        Self { x: 0.0, y: 0.0, z: s, w: c }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
struct Color {
    r: f64,
    g: f64,
    b: f64,
    a: f64,
}

#[derive(Debug, Clone, Copy, Serialize)]
struct Pose {
    position: Vec3,
    orientation: Quat,
}

#[derive(Serialize)]
struct Transform<'a> {
    timestamp: Stamp,
    parent_frame_id: &'a str,
    child_frame_id: &'a str,
    translation: Vec3,
    rotation: Quat,
}

#[derive(Serialize)]
struct Cube {
    pose: Pose,
    size: Vec3,
    color: Color,
}

#[derive(Serialize)]
struct Line {
    #[serde(rename = "type")]
    kind: u8,
    pose: Pose,
    thickness: f64,
    scale_invariant: bool,
    points: Vec<Vec3>,
    color: Color,
    colors: [Color; 0],
    indices: [u32; 0],
}

#[derive(Serialize)]
struct KeyValue<'a> {
    key: &'a str,
    value: &'a str,
}

/// An empty primitive list.
type None0 = [u8; 0];

#[derive(Serialize)]
struct Entity<'a> {
    timestamp: Stamp,
    frame_id: &'a str,
    id: &'a str,
    lifetime: Stamp,
    frame_locked: bool,
    metadata: [KeyValue<'a>; 1],
    arrows: None0,
    cubes: &'a [Cube],
    spheres: None0,
    cylinders: None0,
    lines: &'a [Line],
    triangles: None0,
    texts: None0,
    models: None0,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_split_simulated_time() {
        let s = Stamp::of(12.05);
        assert_eq!((s.sec, s.nsec, s.ns), (12, 50_000_000, 12_050_000_000));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"sec":12,"nsec":50000000}"#);
    }

    #[test]
    fn a_yaw_is_a_rotation_about_z() {
        let q = Quat::yaw(std::f64::consts::FRAC_PI_2);
        assert!((q.z - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        assert!((q.w - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        assert_eq!((q.x, q.y), (0.0, 0.0));
    }
}
