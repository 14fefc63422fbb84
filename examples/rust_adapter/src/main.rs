//! A Gauntlet adapter in Rust: the starting point for wrapping a Rust stack.
//!
//! Gauntlet starts this program as a child process and talks to it over stdin
//! and stdout, one JSON object per line (protocol 1, `docs/adapter-protocol.md`):
//!
//! ```sh
//! cargo build --release -p gauntlet-rust-adapter
//! gauntlet run … --adapter exec:target/release/gauntlet-rust-adapter
//! gauntlet adapter check exec:target/release/gauntlet-rust-adapter
//! ```
//!
//! The driver keeps its lane (steering back to the lane centre on the route
//! frame's `lane_d` and `heading_err`, with curvature feed-forward) and brakes
//! for the road user ahead in its lane (the Intelligent Driver Model).
//! It depends on nothing of Gauntlet's: only `serde_json`.
//!
//! Rules it keeps (`docs/adapter-protocol.md`): stdout carries protocol lines
//! only (logs go to stderr); exactly one answer to `hello`, `reset` and
//! `observe`, none to `end` or to unknown types; unknown fields ignored;
//! per-job state cleared at `reset`; an `error` answer, never a crash or a
//! `NaN`, when a request cannot be served.

use std::io::{self, BufRead, Write};

use serde_json::{Value, json};

const PROTOCOL: u64 = 1;
const NAME: &str = "rust-example";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the driver needs from `reset`.
struct Driver {
    length: f64,
    wheelbase: f64,
    max_accel: f64,
    max_decel: f64,
    max_steer: f64,
    lane_width: f64,
    cruise_speed: f64,
}

/// Car following (IDM): time gap (s), standstill gap (m), comfortable braking
/// (m/s²), acceleration exponent.
const TIME_GAP: f64 = 1.5;
const MIN_GAP: f64 = 2.0;
const COMFORT_DECEL: f64 = 3.0;
const DELTA: i32 = 4;
/// Lane keeping: gain on the lateral offset (1/s), speed floor (m/s).
const LATERAL_GAIN: f64 = 1.2;
const SOFT_SPEED: f64 = 2.0;

/// A number field of `value`, or why not.
fn num(value: &Value, key: &str) -> Result<f64, String> {
    value.get(key).and_then(Value::as_f64).ok_or_else(|| format!("missing number `{key}`"))
}

impl Driver {
    fn new(reset: &Value) -> Result<Self, String> {
        let ego = reset.get("ego").ok_or("missing `ego`")?;
        let road = reset.get("road").ok_or("missing `road`")?;
        Ok(Self {
            length: num(ego, "length")?,
            wheelbase: num(ego, "wheelbase")?,
            max_accel: num(ego, "max_accel")?,
            max_decel: num(ego, "max_decel")?,
            max_steer: num(ego, "max_steer")?,
            lane_width: num(road, "lane_width")?,
            cruise_speed: 0.95 * num(road, "speed_limit")?,
        })
    }

    /// (accel, steer) for one observation.
    fn control(&self, observation: &Value) -> Result<(f64, f64), String> {
        let ego = observation.get("ego").ok_or("missing `ego`")?;
        let objects = observation.get("objects").and_then(Value::as_array).ok_or("missing `objects`")?;

        let speed = num(ego, "speed")?.max(0.0);
        let steer = -num(ego, "heading_err")?
            - (LATERAL_GAIN * num(ego, "lane_d")?).atan2(speed + SOFT_SPEED)
            + (self.wheelbase * num(ego, "curvature")?).atan();
        let steer = steer.clamp(-self.max_steer, self.max_steer);

        let vs = num(ego, "vs")?.max(0.0);
        let free_road = 1.0 - (vs / self.cruise_speed.max(0.1)).powi(DELTA);
        let mut interaction = 0.0;
        if let Some((gap, leader_speed)) = self.leader(ego, objects)? {
            let closing = vs - leader_speed;
            let desired =
                MIN_GAP + vs * TIME_GAP + vs * closing / (2.0 * (self.max_accel * COMFORT_DECEL).sqrt());
            interaction = (desired.max(MIN_GAP) / gap.max(0.1)).powi(2);
        }
        let accel = (self.max_accel * (free_road - interaction)).clamp(-self.max_decel, self.max_accel);
        if accel.is_finite() && steer.is_finite() {
            Ok((accel, steer))
        } else {
            Err(format!("no finite control for this observation (accel {accel}, steer {steer})"))
        }
    }

    /// (bumper-to-bumper gap, speed along the route) of the nearest road user
    /// ahead whose body overlaps the ego's lane.
    fn leader(&self, ego: &Value, objects: &[Value]) -> Result<Option<(f64, f64)>, String> {
        let (ego_s, ego_d) = (num(ego, "s")?, num(ego, "d")?);
        let lane_centre = ego_d - num(ego, "lane_d")?;
        let mut best: Option<(f64, f64)> = None;
        for object in objects {
            let ahead = num(object, "s")? - ego_s;
            if ahead <= 0.0 {
                continue;
            }
            let half_overlap = 0.5 * self.lane_width + 0.5 * num(object, "width")?;
            if (num(object, "d")? - lane_centre).abs() > half_overlap {
                continue;
            }
            let gap = ahead - 0.5 * (num(object, "length")? + self.length);
            if best.is_none_or(|(g, _)| gap < g) {
                best = Some((gap, num(object, "vs")?));
            }
        }
        Ok(best)
    }
}

/// One line on stdout, flushed at once: Gauntlet is waiting for it.
fn send(out: &mut impl Write, message: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, message)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn log(text: &str) {
    eprintln!("[{NAME}] {text}");
}

fn main() -> io::Result<()> {
    let stdin = io::stdin().lock();
    let mut out = io::stdout().lock();
    let mut driver: Option<Driver> = None;
    for line in stdin.lines() {
        let line = line?;
        let message: Value = match serde_json::from_str(&line) {
            Ok(message) => message,
            Err(e) => {
                log(&format!("ignoring a line that is not JSON: {e}"));
                continue;
            }
        };
        match message.get("type").and_then(Value::as_str) {
            Some("hello") => {
                let theirs = message.get("protocol").and_then(Value::as_u64);
                if theirs != Some(PROTOCOL) {
                    log(&format!("gauntlet speaks protocol {theirs:?}, this adapter {PROTOCOL}"));
                }
                send(
                    &mut out,
                    &json!({"type": "hello", "protocol": PROTOCOL, "name": NAME, "version": VERSION}),
                )?;
            }
            Some("reset") => match Driver::new(&message) {
                Ok(new) => {
                    driver = Some(new);
                    send(&mut out, &json!({"type": "ready"}))?;
                }
                Err(e) => {
                    driver = None;
                    send(&mut out, &json!({"type": "error", "message": format!("reset: {e}")}))?;
                }
            },
            Some("observe") => {
                let answer = match driver.as_ref().map(|d| d.control(&message)) {
                    Some(Ok((accel, steer))) => json!({"type": "control", "accel": accel, "steer": steer}),
                    Some(Err(e)) => {
                        json!({"type": "error", "message": format!("step {}: {e}", message["step"])})
                    }
                    None => json!({"type": "error", "message": "observe before reset"}),
                };
                send(&mut out, &answer)?;
            }
            Some("end") => driver = None,
            // Any other type: ignore it and send nothing, as the protocol asks.
            _ => {}
        }
    }
    Ok(())
}
