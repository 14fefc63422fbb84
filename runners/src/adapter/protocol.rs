//! The wire format of the external adapter protocol, version 1
//! (`docs/adapter-protocol.md`): encoding requests, decoding answers.
//!
//! Requests are serialised into a caller-owned buffer that is reused from step
//! to step. Answers are decoded in two passes over the borrowed line: the first
//! checks that the whole line is one JSON object whose every number is finite
//! (an unknown field with `1e999` is as much a protocol fault as a known one)
//! and reads its `type`; the second reads the fields of that type.

use std::borrow::Cow;
use std::fmt;

use gauntlet_engine::{Control, JobEnd, JobStart, Observation};
use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The protocol version this engine speaks.
pub(crate) const PROTOCOL_VERSION: u64 = 1;
/// Longest accepted answer line, newline excluded.
pub(crate) const MAX_LINE_BYTES: usize = 1 << 20;
/// How much of an offending line a fault message quotes.
pub(crate) const QUOTE_BYTES: usize = 200;

/// A request with its `type` tag in front of the body's own fields.
#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

#[derive(Serialize)]
struct HelloBody {
    protocol: u64,
}

#[derive(Serialize)]
struct EndBody {
    outcome: JobEnd,
}

fn encode<T: Serialize>(out: &mut Vec<u8>, kind: &'static str, body: &T) -> Result<(), serde_json::Error> {
    out.clear();
    serde_json::to_writer(&mut *out, &Tagged { kind, body })?;
    out.push(b'\n');
    Ok(())
}

/// `{"type":"hello","protocol":1}`.
pub(crate) fn encode_hello(out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    encode(out, "hello", &HelloBody { protocol: PROTOCOL_VERSION })
}

/// `{"type":"reset",…}`.
pub(crate) fn encode_reset(out: &mut Vec<u8>, job: &JobStart) -> Result<(), serde_json::Error> {
    encode(out, "reset", job)
}

/// `{"type":"observe",…}`.
pub(crate) fn encode_observe(out: &mut Vec<u8>, observation: &Observation) -> Result<(), serde_json::Error> {
    encode(out, "observe", observation)
}

/// `{"type":"end","outcome":…}`.
pub(crate) fn encode_end(out: &mut Vec<u8>, outcome: JobEnd) -> Result<(), serde_json::Error> {
    encode(out, "end", &EndBody { outcome })
}

/// A message type that answers a request.
pub(crate) trait Answer: Sized {
    /// Its `type`.
    const TYPE: &'static str;
    /// Reads its fields from a line whose envelope is valid and of this type.
    fn decode(line: &[u8]) -> Result<Self, serde_json::Error>;
}

/// The adapter's `hello`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HelloAnswer {
    pub(crate) protocol: u64,
    pub(crate) name: String,
    pub(crate) version: String,
}

impl Answer for HelloAnswer {
    const TYPE: &'static str = "hello";

    fn decode(line: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Fields {
            protocol: u64,
            name: String,
            version: String,
        }
        let Fields { protocol, name, version } = serde_json::from_slice(line)?;
        Ok(Self { protocol, name, version })
    }
}

/// `ready`, the answer to `reset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReadyAnswer;

impl Answer for ReadyAnswer {
    const TYPE: &'static str = "ready";

    fn decode(_: &[u8]) -> Result<Self, serde_json::Error> {
        Ok(Self)
    }
}

impl Answer for Control {
    const TYPE: &'static str = "control";

    fn decode(line: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Fields {
            accel: f64,
            steer: f64,
        }
        let Fields { accel, steer } = serde_json::from_slice(line)?;
        // The envelope pass has already refused non-finite literals; this
        // keeps the invariant should serde_json ever accept one.
        if !accel.is_finite() || !steer.is_finite() {
            return Err(de::Error::custom(NON_FINITE));
        }
        Ok(Control { accel, steer })
    }
}

/// `ready` as the runner reads it (protocol 1.1): the monitors the adapter
/// declares for this job (`"monitors": ["fcw", …]`, optional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadyMonitors {
    pub(crate) monitors: Vec<String>,
}

impl Answer for ReadyMonitors {
    const TYPE: &'static str = "ready";

    fn decode(line: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Fields {
            #[serde(default)]
            monitors: Vec<String>,
        }
        let Fields { monitors } = serde_json::from_slice(line)?;
        if monitors.len() > gauntlet_engine::MAX_MONITORS {
            return Err(de::Error::custom(format!(
                "`monitors` declares {} monitors; at most {} are allowed",
                monitors.len(),
                gauntlet_engine::MAX_MONITORS
            )));
        }
        for (i, name) in monitors.iter().enumerate() {
            if name.is_empty() || monitors[..i].contains(name) {
                return Err(de::Error::custom(format!("`monitors` names {name:?} twice or empty")));
            }
        }
        Ok(Self { monitors })
    }
}

/// `control` as the runner reads it (protocol 1.1): the control, and the
/// names of the monitors active after it (`"monitors": [...]`, optional).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ControlAnswer {
    pub(crate) control: Control,
    pub(crate) monitors: Vec<String>,
}

impl Answer for ControlAnswer {
    const TYPE: &'static str = "control";

    fn decode(line: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Fields {
            #[serde(default)]
            monitors: Vec<String>,
        }
        let control = Control::decode(line)?;
        let Fields { monitors } = serde_json::from_slice(line)?;
        Ok(Self { control, monitors })
    }
}

/// A decoded answer line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply<T> {
    /// The expected answer.
    Answer(T),
    /// `{"type":"error"}`: the adapter could not serve the request.
    Error { message: Option<String> },
    /// A well-formed message of another type.
    Unexpected { kind: String },
}

/// Why an answer line is not a valid protocol message.
#[derive(Debug)]
pub(crate) struct LineError {
    /// The JSON or schema error, with its column.
    pub(crate) source: serde_json::Error,
    /// Which message type was being decoded, if the envelope was valid.
    pub(crate) kind: Option<&'static str>,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.source.to_string();
        if text.starts_with(NON_FINITE) || text.starts_with("number out of range") {
            write!(f, "non-finite number ({text})")
        } else if let Some(kind) = self.kind {
            write!(f, "invalid `{kind}` message ({text})")
        } else if self.source.is_data() {
            write!(f, "invalid message ({text})")
        } else {
            write!(f, "not valid JSON ({text})")
        }
    }
}

const NON_FINITE: &str = "non-finite number";

/// Decodes one answer line (without its newline) to a request expecting `T`.
pub(crate) fn decode_reply<T: Answer>(line: &[u8]) -> Result<Reply<T>, LineError> {
    let envelope: Envelope<'_> =
        serde_json::from_slice(line).map_err(|source| LineError { source, kind: None })?;
    match envelope.kind.as_ref() {
        "error" => {
            #[derive(serde::Deserialize)]
            struct Fields {
                message: Option<String>,
            }
            let Fields { message } =
                serde_json::from_slice(line).map_err(|source| LineError { source, kind: Some("error") })?;
            Ok(Reply::Error { message })
        }
        kind if kind == T::TYPE => {
            T::decode(line).map(Reply::Answer).map_err(|source| LineError { source, kind: Some(T::TYPE) })
        }
        kind => Ok(Reply::Unexpected { kind: kind.to_owned() }),
    }
}

/// The first words of a line, for fault messages: at most [`QUOTE_BYTES`] bytes,
/// cut at a character boundary, invalid UTF-8 replaced, `…` when cut.
pub(crate) fn quote(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() <= QUOTE_BYTES {
        return String::from_utf8_lossy(line).into_owned();
    }
    let mut head = &line[..QUOTE_BYTES];
    if let Err(e) = std::str::from_utf8(head)
        && e.error_len().is_none()
    {
        // A multi-byte character straddles the cut: end before it.
        head = &head[..e.valid_up_to()];
    }
    let mut quoted = String::from_utf8_lossy(head).into_owned();
    quoted.push('…');
    quoted
}

/// A JSON object with a string `type`, every number in it finite.
struct Envelope<'a> {
    kind: Cow<'a, str>,
}

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EnvelopeVisitor)
    }
}

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut kind = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Type if kind.is_some() => return Err(de::Error::duplicate_field("type")),
                Key::Type => kind = Some(map.next_value::<TypeName<'de>>()?.0),
                Key::Other => {
                    map.next_value::<Finite>()?;
                }
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
        Ok(Envelope { kind })
    }
}

/// An object key: `type` or any other.
enum Key {
    Type,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(if key == "type" { Key::Type } else { Key::Other })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// The value of `type`, borrowed from the line unless it holds escapes.
struct TypeName<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for TypeName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TypeVisitor;
        impl<'de> Visitor<'de> for TypeVisitor {
            type Value = TypeName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(TypeName(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TypeName(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(TypeVisitor)
    }
}

/// Any JSON value whose numbers are all finite; nothing is kept.
struct Finite;

impl<'de> Deserialize<'de> for Finite {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FiniteVisitor)
    }
}

struct FiniteVisitor;

impl<'de> Visitor<'de> for FiniteVisitor {
    type Value = Finite;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Finite, E> {
        Ok(Finite)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Finite, E> {
        Ok(Finite)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Finite, E> {
        Ok(Finite)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Finite, E> {
        if v.is_finite() { Ok(Finite) } else { Err(E::custom(NON_FINITE)) }
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Finite, E> {
        Ok(Finite)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Finite, E> {
        Ok(Finite)
    }

    fn visit_none<E: de::Error>(self) -> Result<Finite, E> {
        Ok(Finite)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Finite, D::Error> {
        Finite::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Finite, A::Error> {
        while seq.next_element::<Finite>()?.is_some() {}
        Ok(Finite)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Finite, A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value::<Finite>()?;
        }
        Ok(Finite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_engine::{EgoLimits, GoalInfo, RoadInfo};

    fn control(line: &str) -> Result<Reply<Control>, String> {
        decode_reply(line.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn requests_carry_their_type_first() {
        let mut out = Vec::new();
        encode_hello(&mut out).expect("encode");
        assert_eq!(out, b"{\"type\":\"hello\",\"protocol\":1}\n");
        encode_end(&mut out, JobEnd::Fail).expect("encode");
        assert_eq!(out, b"{\"type\":\"end\",\"outcome\":\"fail\"}\n");
        let job = JobStart {
            scenario: "cut_in.highway".into(),
            seed: 17,
            dt: 0.05,
            duration: 20.0,
            ego: EgoLimits::MID_SIZE_CAR,
            road: RoadInfo { lanes: 3, lane_width: 3.5, speed_limit: 33.3, lane_drop: None },
            goal: GoalInfo { s: 400.0 },
            route: None,
        };
        encode_reset(&mut out, &job).expect("encode");
        let text = std::str::from_utf8(&out).expect("utf-8");
        assert!(
            text.starts_with(r#"{"type":"reset","scenario":"cut_in.highway","seed":17,"dt":0.05"#),
            "{text}"
        );
        assert!(text.ends_with("}\n") && text.matches('\n').count() == 1, "{text}");
        assert!(!text.contains("route"), "a road without a junction sends no `route` (protocol 1.3): {text}");
        encode_observe(&mut out, &Observation::default()).expect("encode");
        let text = std::str::from_utf8(&out).expect("utf-8");
        assert!(text.starts_with(r#"{"type":"observe","step":0,"t":0.0,"ego":{"x":0.0"#), "{text}");
        assert!(text.ends_with("\"objects\":[]}\n"), "{text}");
    }

    #[test]
    fn a_route_junction_says_stop_sign_only_when_it_has_one() {
        use gauntlet_engine::{JunctionInfo, RouteInfo, RouteSegment, Turn};
        let junction = JunctionInfo {
            x: 105.0,
            y: 0.0,
            radius: 9.0,
            enter_s: 96.0,
            leave_s: 114.0,
            stop_s: 99.0,
            turn: Turn::Straight,
            stop_sign: false,
        };
        let mut job = JobStart {
            scenario: "junction.x".into(),
            seed: 0,
            dt: 0.05,
            duration: 20.0,
            ego: EgoLimits::MID_SIZE_CAR,
            road: RoadInfo { lanes: 1, lane_width: 3.5, speed_limit: 13.9, lane_drop: None },
            goal: GoalInfo { s: 180.0 },
            route: Some(RouteInfo {
                segments: vec![RouteSegment { length: 300.0, curvature: 0.0 }],
                junction,
            }),
        };
        let mut out = Vec::new();
        encode_reset(&mut out, &job).expect("encode");
        let text = std::str::from_utf8(&out).expect("utf-8").to_owned();
        assert!(
            text.contains(r#""turn":"straight"}"#) && !text.contains("stop_sign"),
            "protocol 1.3 as it was: {text}"
        );
        job.route.as_mut().expect("a route").junction.stop_sign = true;
        out.clear();
        encode_reset(&mut out, &job).expect("encode");
        let text = std::str::from_utf8(&out).expect("utf-8");
        assert!(text.contains(r#""turn":"straight","stop_sign":true}"#), "{text}");
    }

    #[test]
    fn reset_carries_the_lane_drop_only_on_a_road_with_one() {
        let drop = gauntlet_engine::lane_drop::LaneDrop { lane: 0, start_s: 960.0, end_s: 1080.5 };
        let mut job = JobStart {
            scenario: "highway.lane_drop".into(),
            seed: 3,
            dt: 0.05,
            duration: 70.0,
            ego: EgoLimits::MID_SIZE_CAR,
            road: RoadInfo { lanes: 2, lane_width: 3.5, speed_limit: 33.3, lane_drop: Some(drop) },
            goal: GoalInfo { s: 1400.0 },
            route: None,
        };
        let mut out = Vec::new();
        encode_reset(&mut out, &job).expect("encode");
        // Read back as JSON: the fields and numbers an adapter gets (protocol 1.4, §R4).
        let value: serde_json::Value = serde_json::from_slice(&out).expect("one JSON line");
        let road = &value["road"];
        assert_eq!(road["lanes"], 2);
        assert_eq!(road["lane_drop"], serde_json::json!({"lane": 0, "start_s": 960.0, "end_s": 1080.5}));
        job.road.lane_drop = None;
        out.clear();
        encode_reset(&mut out, &job).expect("encode");
        let text = std::str::from_utf8(&out).expect("utf-8");
        assert!(
            !text.contains(r#""lane_drop":"#),
            "a road without a lane drop sends what it sent before: {text}"
        );
    }

    #[test]
    fn control_decodes_and_ignores_unknown_fields() {
        assert_eq!(
            control(r#"{"type":"control","accel":-2,"steer":0.01,"debug":{"cost":[1,2.5,null]}}"#),
            Ok(Reply::Answer(Control { accel: -2.0, steer: 0.01 }))
        );
        assert_eq!(
            control(r#"{"steer":1e308,"accel":-1e308,"type":"control"}"#),
            Ok(Reply::Answer(Control { accel: -1e308, steer: 1e308 }))
        );
        assert_eq!(
            control(r#"{"type":"contr\u006fl","accel":0,"steer":0}"#),
            Ok(Reply::Answer(Control { accel: 0.0, steer: 0.0 }))
        );
    }

    #[test]
    fn bad_lines_are_classified() {
        let err = |line: &str| match control(line) {
            Ok(answer) => panic!("{line} decoded as {answer:?}"),
            Err(e) => e,
        };
        assert!(err(r#"{"type":"control","accel":NaN,"steer":0}"#).starts_with("not valid JSON"));
        assert!(err(r#"{"type":"control","accel":Infinity,"steer":0}"#).starts_with("not valid JSON"));
        assert!(err(r#"{"type":"control","accel":1e999,"steer":0}"#).starts_with("non-finite number"));
        assert!(
            err(r#"{"type":"control","accel":0,"steer":0,"x":[-1e999]}"#).starts_with("non-finite number")
        );
        assert!(err(r#"{"type":"control","accel":0}"#).contains("missing field `steer`"));
        assert!(
            err(r#"{"type":"control","accel":"fast","steer":0}"#).starts_with("invalid `control` message")
        );
        assert!(err(r#"{"accel":0,"steer":0}"#).contains("missing field `type`"));
        assert!(err(r#"{"type":3}"#).starts_with("invalid message"));
        assert!(
            err(r#"{"type":"control","type":"control","accel":0,"steer":0}"#).contains("duplicate field")
        );
        assert!(err(r#"[1,2]"#).starts_with("invalid message"));
        assert!(err(r#"{"type":"control","accel":0,"steer":0} trailing"#).starts_with("not valid JSON"));
        assert!(err("").starts_with("not valid JSON"));
    }

    #[test]
    fn other_answers() {
        assert_eq!(control(r#"{"type":"ready"}"#), Ok(Reply::Unexpected { kind: "ready".into() }));
        assert_eq!(
            control(r#"{"type":"error","message":"planner diverged"}"#),
            Ok(Reply::Error { message: Some("planner diverged".into()) })
        );
        assert_eq!(
            decode_reply::<HelloAnswer>(br#"{"type":"hello","protocol":2,"name":"x","version":"1"}"#)
                .map_err(|e| e.to_string()),
            Ok(Reply::Answer(HelloAnswer { protocol: 2, name: "x".into(), version: "1".into() }))
        );
        assert_eq!(
            decode_reply::<ReadyAnswer>(br#"{"type":"ready","extra":[{}]}"#).map_err(|e| e.to_string()),
            Ok(Reply::Answer(ReadyAnswer))
        );
        let missing = decode_reply::<HelloAnswer>(br#"{"type":"hello","protocol":1,"name":"x"}"#);
        assert!(
            matches!(missing, Err(ref e) if e.to_string().contains("missing field `version`")),
            "{missing:?}"
        );
    }

    #[test]
    fn quotes_are_cut_at_a_character_boundary() {
        assert_eq!(quote(b"short\r"), "short");
        let long = "é".repeat(150);
        let quoted = quote(long.as_bytes());
        assert_eq!(quoted, format!("{}…", "é".repeat(100)));
        let odd = format!("a{}", "é".repeat(150));
        assert_eq!(quote(odd.as_bytes()), format!("a{}…", "é".repeat(99)));
    }
}
