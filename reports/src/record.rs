//! The run record: one JSON object per finished job, one line per object
//! (JSON Lines), schema version [`SCHEMA_VERSION`] (2).
//!
//! ```json
//! {"schema":2,"id":"cut_in.highway/run/3","scenario":"cut_in.highway","title":"Cut-in at highway speed",
//!  "file":"scenarios/library/cut_in.ron","file_hash":"<blake3 hex>","seed":3,"kind":"run",
//!  "source":{"from":"seed"},
//!  "tags":{"event":"cut_in","road":"highway"},"hazards":["H-002"],
//!  "params":{"actors[0].behaviours[1].duration":2.5,"ego.speed":25.0},
//!  "adapter":{"spec":"builtin:reference","name":"reference","version":"0.1.0"},
//!  "engine_version":"0.1.0","outcome":"fail",
//!  "verdicts":[{"criterion":"no_collision","passed":false,"margin":-0.8,
//!               "first_violation_t":4.15,"worst_t":4.15,"impact_speed":6.2}],
//!  "error":null,"steps":400,"sim_time":20.0,"wall_ms":12.3,"trace_hash":"<hex>",
//!  "replay":"gauntlet replay scenarios/library/cut_in.ron --seed 3"}
//! ```
//!
//! (shown wrapped; on disk each record is a single line.)
//!
//! - `id` names the job uniquely within a sweep: `SCENARIO/KIND/SEED`, and
//!   for jobs whose instance is given rather than drawn from the seed
//!   `SCENARIO/KIND/SEED/DIGEST` (12 hex digits of the instance's digest).
//!   `gauntlet replay RECORDS --job ID` re-runs it.
//! - `kind` is `run`, `regression` (a saved fuzz failure re-run by every
//!   sweep) or `fuzz`; it always agrees with `source`.
//! - `source` says how the instance was built, with everything needed to
//!   build it again ([`JobSource`]): `{"from":"seed"}` (parameters drawn
//!   from `seed`; seed 0 is nominal), `{"from":"regression","regression":
//!   FILE,"criterion":…,"saved_trace_hash":…,"instance":GENOME}` or
//!   `{"from":"fuzz","instance":GENOME,"strategy":…,"campaign_seed":…}`,
//!   where `GENOME` is `{"seed":…,"values":{…},"mutations":{…}}`.
//! - `replay` is one command that reproduces *this* record: the same
//!   instance, the same adapter and so the same `trace_hash`, for every kind.
//!   It writes nothing unless asked to.
//! - `outcome` is `pass`, `fail` or `error`.
//! - `verdicts[].margin` is the signed robustness of one criterion:
//!   positive = satisfied by that much, negative = violated by that much.
//!   A margin can be infinite (e.g. no object ever came into range). JSON has
//!   no infinity, so **non-finite margins are written as the sentinel
//!   ±1.7976931348623157e+308 (`f64::MAX`)**, and any value of that magnitude
//!   reads back as ±infinity. The sentinel keeps the sign and stays a number,
//!   so tools such as `jq 'min_by(.margin)'` still order margins correctly.
//!   A NaN margin, or a non-finite value in any other float field, cannot be
//!   written: the writer refuses it rather than emitting `null`.
//! - `first_violation_t` is `null` when the criterion passed; `impact_speed`
//!   is present only for a collision; `stopped_at` (the simulated time the
//!   scenario's stop trigger ended the run) only when one did.
//! - `error` is `null` unless `outcome` is `error`, when it holds
//!   `{"kind": ..., "message": ...}` with a `snake_case` kind such as
//!   `adapter_timeout` (see [`ErrorKind`]).
//! - Readers ignore fields they do not know, and keep them (in
//!   [`RunRecord::extra`]) so a record written by a newer engine round-trips
//!   unchanged through `merge`. Schema 1 records (written before job sources
//!   existed) are read and upgraded: their source is rebuilt from `kind`,
//!   `params` and the `fuzz` annotations schema 1 kept in `extra`. Any other
//!   `schema` number is rejected.
//!
//! [`RecordWriter`] writes and flushes one line per record, so a killed sweep
//! leaves every finished record readable; [`read_records`] reads them back
//! and [`read_records_tolerant`] also accepts a torn last line when resuming.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use gauntlet_instance::Genome;
use serde::{Deserialize, Serialize};

/// The record schema version this crate writes.
pub const SCHEMA_VERSION: u32 = 2;
/// The oldest record schema version this crate reads (and upgrades).
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// How a job came to be planned.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// A seed of a library scenario.
    Run,
    /// A seed kept from an earlier fuzz failure, re-run by every sweep.
    Regression,
    /// A fuzzed variant.
    Fuzz,
}

impl JobKind {
    /// The name used in records and reports (`run`, `regression`, `fuzz`).
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Run => "run",
            JobKind::Regression => "regression",
            JobKind::Fuzz => "fuzz",
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a job ended.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every criterion held.
    Pass,
    /// At least one criterion was violated.
    Fail,
    /// The job could not be judged: the adapter or the engine failed.
    Error,
}

impl Outcome {
    /// The name used in records and reports (`pass`, `fail`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
        }
    }

    /// Whether the job passed.
    pub fn is_pass(self) -> bool {
        self == Outcome::Pass
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies a job: the same key in two sweeps is the same job.
///
/// Ordered by scenario, then kind, then seed, then instance digest: the
/// order of merged record files and of every per-job list in the reports.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct JobKey {
    /// Scenario id, e.g. `cut_in.highway`.
    pub scenario: String,
    /// How the job was planned.
    pub kind: JobKind,
    /// The seed.
    pub seed: u64,
    /// For a job whose instance is given (fuzz, regression): the first 12
    /// hex digits of [`Genome::digest`]; `None` when the instance is drawn
    /// from the seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl JobKey {
    /// The job id written in records: `SCENARIO/KIND/SEED[/DIGEST]`.
    pub fn id(&self) -> String {
        match &self.instance {
            None => format!("{}/{}/{}", self.scenario, self.kind, self.seed),
            Some(digest) => format!("{}/{}/{}/{digest}", self.scenario, self.kind, self.seed),
        }
    }
}

impl fmt::Display for JobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} seed={} {}", self.scenario, self.seed, self.kind)?;
        if let Some(digest) = &self.instance {
            write!(f, " #{digest}")?;
        }
        Ok(())
    }
}

/// How a job's instance is built from its scenario file: everything, beyond
/// the file and the seed, that is needed to build it again bit for bit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "from", rename_all = "snake_case", deny_unknown_fields)]
pub enum JobSource {
    /// Every parameter drawn from the seed (seed 0: every parameter nominal).
    Seed,
    /// A saved regression, re-run as it was saved.
    Regression {
        /// The regression file, as given to the runner.
        regression: String,
        /// The criterion it violated when it was saved.
        criterion: String,
        /// Its trace hash when it was saved (against the adapter it failed).
        saved_trace_hash: String,
        /// The instance stored in the file.
        instance: Genome,
    },
    /// An instance generated by a fuzz campaign.
    Fuzz {
        /// The instance.
        instance: Genome,
        /// How the campaign picked instances (`random`, `search`).
        strategy: String,
        /// The campaign seed.
        campaign_seed: u64,
    },
}

impl JobSource {
    /// The kind of job this source makes (a compiler-checked mapping).
    pub fn kind(&self) -> JobKind {
        match self {
            JobSource::Seed => JobKind::Run,
            JobSource::Regression { .. } => JobKind::Regression,
            JobSource::Fuzz { .. } => JobKind::Fuzz,
        }
    }

    /// The given instance, unless it is drawn from the seed.
    pub fn instance(&self) -> Option<&Genome> {
        match self {
            JobSource::Seed => None,
            JobSource::Regression { instance, .. } | JobSource::Fuzz { instance, .. } => Some(instance),
        }
    }
}

/// The adapter (system under test) a job ran against.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct AdapterRef {
    /// How it was named on the command line, e.g. `builtin:reference`.
    pub spec: String,
    /// The name the adapter reported.
    pub name: String,
    /// The version the adapter reported.
    pub version: String,
}

impl fmt::Display for AdapterRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.version)
    }
}

/// A resolved parameter value.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ParamValue {
    /// A boolean choice.
    Bool(bool),
    /// A number (finite; the writer refuses anything else).
    Number(f64),
    /// A named choice.
    Text(String),
}

impl Serialize for ParamValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ParamValue::Bool(b) => serializer.serialize_bool(*b),
            ParamValue::Number(x) => float::finite::serialize(x, serializer),
            ParamValue::Text(s) => serializer.serialize_str(s),
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Number(x) => write!(f, "{x}"),
            ParamValue::Text(s) => f.write_str(s),
        }
    }
}

/// The judgement of one criterion over one job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Verdict {
    /// Criterion name, e.g. `no_collision`.
    pub criterion: String,
    /// Whether the criterion held for the whole run.
    pub passed: bool,
    /// Signed robustness: positive = satisfied by that much, negative =
    /// violated by that much. May be ±infinity (see the module docs for how
    /// that is written).
    #[schemars(with = "f64")]
    #[serde(with = "float::margin")]
    pub margin: f64,
    /// Simulated time of the first violation, in seconds; `None` if it passed.
    #[schemars(with = "Option<f64>")]
    #[serde(with = "float::opt_finite")]
    pub first_violation_t: Option<f64>,
    /// Simulated time of the worst value, in seconds.
    #[schemars(with = "Option<f64>")]
    #[serde(with = "float::opt_finite")]
    pub worst_t: Option<f64>,
    /// Relative speed at impact in m/s; only for a collision.
    #[schemars(with = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none", with = "float::opt_finite")]
    pub impact_speed: Option<f64>,
    /// The criterion's threshold in its unit (`min` of `min_ttc`, `max` of
    /// `max_decel`, …); absent for criteria without one.
    #[schemars(with = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none", with = "float::opt_finite")]
    pub threshold: Option<f64>,
    /// The unit of `margin` (`m`, `s`, `m/s`, `m/s²`, `m/s³`); empty in records older than it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// One typical safety buffer of the criterion, in its unit: `margin / scale`
    /// is the normalised margin that ranks and compares across criteria.
    /// `None` in records older than it (read as 1).
    #[schemars(with = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none", with = "float::opt_finite")]
    pub scale: Option<f64>,
    /// The requirement ids this verdict is evidence for (it is one of their
    /// checks, at their threshold); empty for a scenario's own criterion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
}

impl Verdict {
    /// The margin divided by the criterion's scale: comparable across
    /// criteria of different units (see [`Verdict::scale`]).
    pub fn normalized_margin(&self) -> f64 {
        self.margin / self.scale.filter(|s| *s > 0.0).unwrap_or(1.0)
    }
}

/// Whether any control within the ego's limits could have avoided a
/// failing job's violation (see the README's "Failure triage").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Triage {
    /// `true`: an oracle manoeuvre avoids it; `false`: none of the
    /// manoeuvres tried from any checkpoint avoids it; `null`: unknown.
    pub avoidable: Option<bool>,
    /// The violated criterion triaged.
    pub criterion: String,
    /// The manoeuvre that avoids it (e.g. `max_brake`), when avoidable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manoeuvre: Option<String>,
    /// When the manoeuvre took over from the stack, s.
    #[schemars(with = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none", with = "float::opt_finite")]
    pub from_t: Option<f64>,
    /// The criterion's margin under that manoeuvre (≥ 0 when avoided), or
    /// the best margin any manoeuvre reached when unavoidable.
    #[schemars(with = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none", with = "float::opt_finite")]
    pub margin: Option<f64>,
    /// Oracle runs spent.
    pub runs: u32,
    /// Why it is unknown, or anything else worth saying.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// Why a job ended in `error`.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(from = "String", into = "String")]
pub enum ErrorKind {
    /// The adapter did not answer in time (`adapter_timeout`).
    AdapterTimeout,
    /// The adapter process exited (`adapter_exited`).
    AdapterExited,
    /// The adapter broke the protocol (`adapter_protocol`).
    AdapterProtocol,
    /// The adapter reported an error itself (`adapter_reported`).
    AdapterReported,
    /// The adapter could not be started (`adapter_spawn`).
    AdapterSpawn,
    /// The world produced a NaN or infinity (`engine_non_finite`).
    EngineNonFinite,
    /// The world blew up: absurd speeds or energies (`engine_blow_up`).
    EngineBlowUp,
    /// The engine quarantined a body it could no longer trust (`engine_quarantine`).
    EngineQuarantine,
    /// The job's given instance no longer fits its scenario (`invalid_parameters`).
    InvalidParameters,
    /// The job panicked, in the adapter or the engine (`panic`).
    Panic,
    /// Any other kind, kept verbatim so newer kinds read and round-trip.
    Other(String),
}

impl ErrorKind {
    /// The `snake_case` name written in records.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorKind::AdapterTimeout => "adapter_timeout",
            ErrorKind::AdapterExited => "adapter_exited",
            ErrorKind::AdapterProtocol => "adapter_protocol",
            ErrorKind::AdapterReported => "adapter_reported",
            ErrorKind::AdapterSpawn => "adapter_spawn",
            ErrorKind::EngineNonFinite => "engine_non_finite",
            ErrorKind::EngineBlowUp => "engine_blow_up",
            ErrorKind::EngineQuarantine => "engine_quarantine",
            ErrorKind::InvalidParameters => "invalid_parameters",
            ErrorKind::Panic => "panic",
            ErrorKind::Other(s) => s,
        }
    }
}

impl From<String> for ErrorKind {
    fn from(s: String) -> Self {
        match s.as_str() {
            "adapter_timeout" => ErrorKind::AdapterTimeout,
            "adapter_exited" => ErrorKind::AdapterExited,
            "adapter_protocol" => ErrorKind::AdapterProtocol,
            "adapter_reported" => ErrorKind::AdapterReported,
            "adapter_spawn" => ErrorKind::AdapterSpawn,
            "engine_non_finite" => ErrorKind::EngineNonFinite,
            "engine_blow_up" => ErrorKind::EngineBlowUp,
            "engine_quarantine" => ErrorKind::EngineQuarantine,
            "invalid_parameters" => ErrorKind::InvalidParameters,
            "panic" => ErrorKind::Panic,
            _ => ErrorKind::Other(s),
        }
    }
}

impl From<ErrorKind> for String {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Other(s) => s,
            known => known.as_str().to_owned(),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error that ended a job whose outcome is [`Outcome::Error`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordError {
    /// What failed.
    pub kind: ErrorKind,
    /// Human-readable detail, e.g. `timeout at step 12 (1 s)`.
    pub message: String,
}

/// One finished job. See the module docs for the JSON form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunRecord {
    /// Schema version; [`SCHEMA_VERSION`] for records this crate writes.
    pub schema: u32,
    /// The job id, `SCENARIO/KIND/SEED[/DIGEST]` ([`JobKey::id`]).
    pub id: String,
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Scenario file path as given to the runner.
    pub file: String,
    /// blake3 hex digest of the scenario file's bytes.
    pub file_hash: String,
    /// The seed.
    pub seed: u64,
    /// How the job was planned; always `source.kind()`.
    pub kind: JobKind,
    /// How the instance was built.
    pub source: JobSource,
    /// Scenario tags (taxonomy dimension → value).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Hazard ids the scenario exercises.
    #[serde(default)]
    pub hazards: Vec<String>,
    /// Resolved parameter values by parameter path.
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
    /// The adapter the job ran against.
    pub adapter: AdapterRef,
    /// Version of the engine that ran the job.
    pub engine_version: String,
    /// How the job ended.
    pub outcome: Outcome,
    /// One verdict per criterion.
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
    /// Why the job ended in `error`; `None` otherwise.
    #[serde(default)]
    pub error: Option<RecordError>,
    /// Simulation steps taken.
    pub steps: u64,
    /// Simulated time reached, in seconds.
    #[schemars(with = "f64")]
    #[serde(with = "float::finite")]
    pub sim_time: f64,
    /// Wall-clock duration of the job, in milliseconds.
    #[schemars(with = "f64")]
    #[serde(with = "float::finite")]
    pub wall_ms: f64,
    /// Hex digest of the trace.
    pub trace_hash: String,
    /// The command that reproduces this job.
    pub replay: String,
    /// For a failing job: whether its violation was avoidable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<Triage>,
    /// The stack's runtime-monitor activations, one entry per monitor the
    /// adapter names (protocol 1.1); absent when it names none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitors: Vec<crate::monitors::MonitorActivity>,
    /// How its scenario was generated (`gauntlet generate`); absent for hand-written scenarios.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<crate::provenance::Provenance>,
    /// Its scenario lies past a regulation's boundary (`beyond:` in the
    /// scenario file); absent when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beyond: Option<crate::boundary::Beyond>,
    /// When the scenario's stop trigger ended the run: the simulated time
    /// it fired, s (equal to `sim_time`); absent when the run ended
    /// otherwise, so records of scenarios without one are unchanged.
    #[schemars(with = "Option<f64>")]
    #[serde(default, skip_serializing_if = "Option::is_none", with = "float::opt_finite")]
    pub stopped_at: Option<f64>,
    /// Fields this version does not know (written by a newer engine), kept
    /// verbatim so that they survive a read–write round trip.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl RunRecord {
    /// The job this record belongs to.
    pub fn key(&self) -> JobKey {
        job_key(&self.scenario, self.seed, &self.source)
    }

    /// The verdict closest to failing, or furthest past it: the smallest
    /// **normalised** margin ([`Verdict::normalized_margin`], the margin in
    /// units of its criterion's scale), so that metres, seconds and m/s² are
    /// compared fairly. Ties: the first in record order. `None` without
    /// verdicts. Everything that ranks verdicts across criteria uses this.
    pub fn worst_verdict(&self) -> Option<&Verdict> {
        self.verdicts
            .iter()
            .reduce(|worst, v| if v.normalized_margin() < worst.normalized_margin() { v } else { worst })
    }

    /// The normalised margin of [`worst_verdict`](Self::worst_verdict): the
    /// key that orders jobs by how close they came to failing. (There is no
    /// smallest *raw* margin across criteria: their units differ.)
    pub fn min_normalized_margin(&self) -> Option<f64> {
        self.worst_verdict().map(Verdict::normalized_margin)
    }

    /// The verdicts that did not pass, in record order.
    pub fn violations(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(|v| !v.passed)
    }

    /// The record as one line of JSON, without the trailing newline.
    ///
    /// Field order is fixed and maps are sorted, so equal records give equal
    /// strings.
    pub fn to_json_line(&self) -> Result<String, WriteError> {
        serde_json::to_string(self)
            .map_err(|source| WriteError::Serialize { job: self.key().to_string(), source })
    }
}

/// The key of the job of `scenario` at `seed` built from `source`.
pub fn job_key(scenario: &str, seed: u64, source: &JobSource) -> JobKey {
    JobKey {
        scenario: scenario.to_owned(),
        kind: source.kind(),
        seed,
        instance: source.instance().map(|g| g.digest()[..12].to_owned()),
    }
}

/// Serde helpers for the float fields; see the module docs.
mod float {
    /// The value a non-finite margin is written as (with its sign).
    pub(crate) const MARGIN_SENTINEL: f64 = f64::MAX;

    pub(crate) mod margin {
        use serde::{Deserialize, Deserializer, Serializer, de, ser};

        use super::MARGIN_SENTINEL;

        pub(crate) fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
            if x.is_nan() {
                return Err(ser::Error::custom("a margin is NaN; margins must be numbers or ±infinity"));
            }
            s.serialize_f64(x.clamp(-MARGIN_SENTINEL, MARGIN_SENTINEL))
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
            let x = f64::deserialize(d)?;
            if x.is_nan() {
                return Err(de::Error::custom("a margin is NaN"));
            }
            Ok(if x >= MARGIN_SENTINEL {
                f64::INFINITY
            } else if x <= -MARGIN_SENTINEL {
                f64::NEG_INFINITY
            } else {
                x
            })
        }
    }

    pub(crate) mod finite {
        use serde::{Deserialize, Deserializer, Serializer, ser};

        pub(crate) fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
            if !x.is_finite() {
                return Err(ser::Error::custom(format!("{x} cannot be written: the field must be finite")));
            }
            s.serialize_f64(*x)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
            f64::deserialize(d)
        }
    }

    pub(crate) mod opt_finite {
        use serde::{Deserialize, Deserializer, Serializer};

        pub(crate) fn serialize<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            match x {
                Some(x) => super::finite::serialize(x, s),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
            Option::<f64>::deserialize(d)
        }
    }

    /// Serialize-only: the report types that use it are never read back.
    pub(crate) mod opt_margin {
        use serde::Serializer;

        pub(crate) fn serialize<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            match x {
                Some(x) => super::margin::serialize(x, s),
                None => s.serialize_none(),
            }
        }
    }
}

pub(crate) use float::finite as finite_serde;
pub(crate) use float::margin as margin_serde;
pub(crate) use float::opt_margin as opt_margin_serde;

/// Why reading records failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened.
    #[error("failed to open record file {path}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// Reading a line failed.
    #[error("failed to read record file {path}:{line}")]
    Io {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A line is not a valid record.
    #[error("failed to parse record at {path}:{line}:{column}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// 1-based column within the line.
        column: u64,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A record has a schema version this crate does not read.
    #[error(
        "failed to read record at {path}:{line}: schema {found} is not supported (this gauntlet reads \
         schemas {oldest} to {expected}; a newer gauntlet wrote it)"
    )]
    UnsupportedSchema {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The version found.
        found: u32,
        /// The newest version this crate reads.
        expected: u32,
        /// The oldest version this crate reads.
        oldest: u32,
    },
    /// A record contradicts itself (its `kind` and `source`, its `id` and its job).
    #[error("failed to read record at {path}:{line}: {message}")]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What disagrees.
        message: String,
    },
}

/// Why writing a record failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The record cannot be represented (e.g. a NaN margin).
    #[error("failed to serialize record of {job}")]
    Serialize {
        /// The job, as `scenario seed=N kind`.
        job: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// Writing or flushing failed.
    #[error("failed to write record of {job}")]
    Io {
        /// The job, as `scenario seed=N kind`.
        job: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

/// A torn last line skipped by [`read_records_tolerant`]: the tail of an
/// interrupted write.
///
/// A resuming runner should truncate the file to [`offset`](Self::offset)
/// bytes before appending, and run the job again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornLine {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number of the torn line.
    pub line: u64,
    /// Byte offset where the torn line starts (the length of the intact part).
    pub offset: u64,
    /// Length of the torn line in bytes.
    pub len: u64,
}

impl fmt::Display for TornLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: skipped a torn last line ({} bytes without a newline at byte {})",
            self.path.display(),
            self.line,
            self.len,
            self.offset
        )
    }
}

/// An item of [`read_records_tolerant`].
#[derive(Clone, Debug, PartialEq)]
pub enum ReadItem {
    /// A complete record.
    Record(Box<RunRecord>),
    /// The last line was torn and skipped; always the final item.
    Torn(TornLine),
}

/// Reads records from any buffered reader, one JSON object per line.
///
/// Blank lines are skipped. Created by [`read_records`],
/// [`read_records_tolerant`] or [`RecordReader::new`].
#[derive(Debug)]
pub struct RecordReader<R> {
    reader: Option<R>,
    pending: Option<ReadError>,
    path: PathBuf,
    line: u64,
    offset: u64,
    tolerant: bool,
    buf: Vec<u8>,
}

impl<R: BufRead> RecordReader<R> {
    /// Reads records from `reader`; `name` labels errors (a path or
    /// `<stdin>`). Every bad line is an error.
    pub fn new(reader: R, name: impl Into<PathBuf>) -> Self {
        Self {
            reader: Some(reader),
            pending: None,
            path: name.into(),
            line: 0,
            offset: 0,
            tolerant: false,
            buf: Vec::new(),
        }
    }

    /// Like [`new`](Self::new), but an unterminated last line is reported
    /// as [`ReadItem::Torn`] instead of parsed. The writer ends every record
    /// with a newline, so such a line is an interrupted write even when it
    /// happens to parse.
    pub fn new_tolerant(reader: R, name: impl Into<PathBuf>) -> Self {
        Self { tolerant: true, ..Self::new(reader, name) }
    }

    fn next_item(&mut self) -> Option<Result<ReadItem, ReadError>> {
        if let Some(err) = self.pending.take() {
            return Some(Err(err));
        }
        loop {
            let reader = self.reader.as_mut()?;
            self.buf.clear();
            self.line += 1;
            let start = self.offset;
            let n = match reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.reader = None;
                    return None;
                }
                Ok(n) => n,
                Err(source) => {
                    self.reader = None;
                    return Some(Err(ReadError::Io { path: self.path.clone(), line: self.line, source }));
                }
            };
            self.offset += n as u64;
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let terminated = self.buf.last() == Some(&b'\n');
            if !terminated && self.tolerant {
                self.reader = None;
                return Some(Ok(ReadItem::Torn(TornLine {
                    path: self.path.clone(),
                    line: self.line,
                    offset: start,
                    len: n as u64,
                })));
            }
            return Some(self.parse_line().map(|r| ReadItem::Record(Box::new(r))));
        }
    }

    fn parse_line(&self) -> Result<RunRecord, ReadError> {
        let parse = |source: serde_json::Error| ReadError::Parse {
            path: self.path.clone(),
            line: self.line,
            column: source.column() as u64,
            source,
        };
        #[derive(Deserialize)]
        struct Schema {
            schema: u32,
        }
        let Schema { schema } = serde_json::from_slice(&self.buf).map_err(parse)?;
        let record: RunRecord = match schema {
            SCHEMA_VERSION => serde_json::from_slice(&self.buf).map_err(parse)?,
            1 => {
                let value: serde_json::Value = serde_json::from_slice(&self.buf).map_err(parse)?;
                let value = upgrade::from_v1(value).map_err(|message| ReadError::Inconsistent {
                    path: self.path.clone(),
                    line: self.line,
                    message,
                })?;
                serde_json::from_value(value).map_err(parse)?
            }
            found => {
                return Err(ReadError::UnsupportedSchema {
                    path: self.path.clone(),
                    line: self.line,
                    found,
                    expected: SCHEMA_VERSION,
                    oldest: OLDEST_SCHEMA_VERSION,
                });
            }
        };
        let inconsistent =
            |message: String| ReadError::Inconsistent { path: self.path.clone(), line: self.line, message };
        if record.kind != record.source.kind() {
            return Err(inconsistent(format!(
                "kind {:?} disagrees with its source (from a {} job)",
                record.kind.as_str(),
                record.source.kind()
            )));
        }
        let id = record.key().id();
        if record.id != id {
            return Err(inconsistent(format!("id {:?} is not its job's id {id:?}", record.id)));
        }
        Ok(record)
    }
}

/// Reading schema 1 records as schema 2.
mod upgrade {
    use serde_json::{Map, Value, json};

    /// A schema 1 record (as JSON) as schema 2: `source` rebuilt from `kind`,
    /// `params` and `extra.fuzz` (`mutations`, `regression`, `strategy`,
    /// `campaign_seed`), `id` from the job.
    pub(super) fn from_v1(mut value: Value) -> Result<Value, String> {
        let object = value.as_object_mut().ok_or("a record must be a JSON object")?;
        let kind = object.get("kind").and_then(Value::as_str).unwrap_or("run").to_owned();
        let seed = object.get("seed").cloned().unwrap_or(json!(0));
        let fuzz = object.remove("fuzz").unwrap_or(Value::Null);
        let field = |name: &str| fuzz.get(name).cloned();
        let genome = || {
            let mut genome = Map::new();
            genome.insert("seed".into(), seed.clone());
            genome.insert("values".into(), object.get("params").cloned().unwrap_or(json!({})));
            if let Some(m) = field("mutations").filter(|m| !m.is_null()) {
                genome.insert("mutations".into(), m);
            }
            Value::Object(genome)
        };
        let source = match kind.as_str() {
            "run" => json!({ "from": "seed" }),
            "regression" => json!({
                "from": "regression",
                "regression": field("regression").unwrap_or(json!("")),
                "criterion": field("saved").and_then(|s| s.get("criterion").cloned()).unwrap_or(json!("")),
                "saved_trace_hash": field("saved").and_then(|s| s.get("trace_hash").cloned()).unwrap_or(json!("")),
                "instance": genome(),
            }),
            "fuzz" => json!({
                "from": "fuzz",
                "instance": genome(),
                "strategy": field("strategy").unwrap_or(json!("")),
                "campaign_seed": field("campaign_seed").unwrap_or(json!(0)),
            }),
            other => return Err(format!("unknown kind {other:?}")),
        };
        let key_source: super::JobSource = serde_json::from_value(source.clone())
            .map_err(|e| format!("cannot rebuild the job source: {e}"))?;
        let scenario = object.get("scenario").and_then(Value::as_str).unwrap_or_default();
        let seed = seed.as_u64().unwrap_or_default();
        object.insert("id".into(), json!(super::job_key(scenario, seed, &key_source).id()));
        object.insert("source".into(), source);
        object.insert("schema".into(), json!(super::SCHEMA_VERSION));
        Ok(value)
    }
}

impl RecordReader<BufReader<File>> {
    fn open(path: &Path, tolerant: bool) -> Self {
        match File::open(path) {
            Ok(file) => {
                let mut reader = Self::new(BufReader::new(file), path);
                reader.tolerant = tolerant;
                reader
            }
            Err(source) => Self {
                reader: None,
                pending: Some(ReadError::Open { path: path.to_owned(), source }),
                path: path.to_owned(),
                line: 0,
                offset: 0,
                tolerant,
                buf: Vec::new(),
            },
        }
    }
}

impl<R: BufRead> Iterator for RecordReader<R> {
    type Item = Result<ReadItem, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item()
    }
}

/// Reads every record of a JSON Lines file.
///
/// Any bad line, including a torn last line, is an error naming file and
/// line; a file that cannot be opened gives a single error.
pub fn read_records(path: impl AsRef<Path>) -> impl Iterator<Item = Result<RunRecord, ReadError>> {
    RecordReader::open(path.as_ref(), false).map(|item| {
        item.map(|item| match item {
            ReadItem::Record(record) => *record,
            // A strict reader parses unterminated lines instead of
            // reporting them as torn.
            ReadItem::Torn(_) => unreachable!("a strict reader never yields a torn line"),
        })
    })
}

/// Reads every record of a JSON Lines file for `--resume`: an unterminated
/// last line (an interrupted write) is skipped and reported as the final
/// item, [`ReadItem::Torn`]; any other bad line is an error.
pub fn read_records_tolerant(path: impl AsRef<Path>) -> RecordReader<BufReader<File>> {
    RecordReader::open(path.as_ref(), true)
}

/// Writes records as JSON Lines, one line per record, flushed after each so
/// a killed process leaves every finished record on disk.
#[derive(Debug)]
pub struct RecordWriter<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> RecordWriter<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        Self { out, line: Vec::new() }
    }

    /// Writes one record and flushes. A record that cannot be represented
    /// (a NaN margin, a non-finite time) is refused before anything is
    /// written.
    pub fn write(&mut self, record: &RunRecord) -> Result<(), WriteError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, record)
            .map_err(|source| WriteError::Serialize { job: record.key().to_string(), source })?;
        self.line.push(b'\n');
        // One write_all of the whole line: a torn line can then only be the
        // tail of the file, which the tolerant reader handles.
        self.out
            .write_all(&self.line)
            .and_then(|()| self.out.flush())
            .map_err(|source| WriteError::Io { job: record.key().to_string(), source })
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A passing record with one verdict; tests adjust the fields they need.
    pub(crate) fn record(scenario: &str, seed: u64, outcome: Outcome) -> RunRecord {
        let passed = outcome != Outcome::Fail;
        RunRecord {
            schema: SCHEMA_VERSION,
            id: format!("{scenario}/run/{seed}"),
            scenario: scenario.to_owned(),
            title: format!("Title of {scenario}"),
            file: format!("scenarios/library/{scenario}.ron"),
            file_hash: "f1".to_owned(),
            seed,
            kind: JobKind::Run,
            source: JobSource::Seed,
            tags: BTreeMap::from([("road".to_owned(), "highway".to_owned())]),
            hazards: vec!["H-002".to_owned()],
            params: BTreeMap::from([("ego.speed".to_owned(), ParamValue::Number(25.0))]),
            adapter: AdapterRef {
                spec: "builtin:reference".to_owned(),
                name: "reference".to_owned(),
                version: "0.1.0".to_owned(),
            },
            engine_version: "0.1.0".to_owned(),
            outcome,
            verdicts: if outcome == Outcome::Error {
                Vec::new()
            } else {
                vec![Verdict {
                    criterion: "no_collision".to_owned(),
                    passed,
                    margin: if passed { 1.5 } else { -0.8 },
                    first_violation_t: if passed { None } else { Some(4.15) },
                    worst_t: Some(4.15),
                    impact_speed: if passed { None } else { Some(6.2) },
                    threshold: None,
                    unit: "m".to_owned(),
                    scale: Some(1.0),
                    requirements: Vec::new(),
                }]
            },
            error: (outcome == Outcome::Error).then(|| RecordError {
                kind: ErrorKind::AdapterTimeout,
                message: "timeout at step 12 (1 s)".to_owned(),
            }),
            steps: 400,
            sim_time: 20.0,
            wall_ms: 12.5,
            trace_hash: format!("t{seed}"),
            replay: format!("gauntlet replay scenarios/library/{scenario}.ron --seed {seed}"),
            triage: None,
            monitors: Vec::new(),
            provenance: None,
            beyond: None,
            stopped_at: None,
            extra: BTreeMap::new(),
        }
    }

    const EXAMPLE: &str = r#"{"schema":2,"id":"cut_in.highway/run/3","scenario":"cut_in.highway","title":"Cut-in at highway speed","file":"scenarios/library/cut_in.ron","file_hash":"ab12","seed":3,"kind":"run","source":{"from":"seed"},"tags":{"event":"cut_in","road":"highway"},"hazards":["H-002"],"params":{"actors[0].behaviours[1].duration":2.5,"ego.speed":25.0},"adapter":{"spec":"builtin:reference","name":"reference","version":"0.1.0"},"engine_version":"0.1.0","outcome":"fail","verdicts":[{"criterion":"no_collision","passed":false,"margin":-0.8,"first_violation_t":4.15,"worst_t":4.15,"impact_speed":6.2}],"error":null,"steps":400,"sim_time":20.0,"wall_ms":12.3,"trace_hash":"cd34","replay":"gauntlet replay scenarios/library/cut_in.ron --seed 3"}"#;

    /// A schema 1 fuzz record, as written before job sources existed.
    const V1_FUZZ: &str = r#"{"schema":1,"scenario":"x.y","title":"T","file":"x.ron","file_hash":"ab","seed":5,"kind":"fuzz","params":{"ego.speed":12.5},"adapter":{"spec":"builtin:reference","name":"reference","version":"0.1.0"},"engine_version":"0.1.0","outcome":"pass","verdicts":[],"error":null,"steps":4,"sim_time":0.2,"wall_ms":1.0,"trace_hash":"cd","replay":"gauntlet fuzz x.ron --budget 4 --seed 7 --strategy search","fuzz":{"mutations":{"duration":6.5},"strategy":"search","campaign_seed":7}}"#;

    /// A fuzz job's record: its instance is given, so its id carries the instance digest.
    pub(crate) fn fuzz_record(scenario: &str, seed: u64, outcome: Outcome) -> RunRecord {
        let mut r = record(scenario, seed, outcome);
        r.source = JobSource::Fuzz {
            instance: Genome {
                seed,
                values: BTreeMap::from([("ego.speed".to_owned(), 25.0)]),
                mutations: Default::default(),
            },
            strategy: "search".to_owned(),
            campaign_seed: 7,
        };
        r.kind = JobKind::Fuzz;
        r.id = r.key().id();
        r
    }

    #[test]
    fn schema_1_records_are_read_as_schema_2_with_their_source_rebuilt() {
        let one = |text: String| match read_all(text.as_bytes(), false).remove(0) {
            Ok(ReadItem::Record(r)) => *r,
            other => panic!("{other:?}"),
        };
        let r = one(format!("{V1_FUZZ}\n"));
        assert_eq!(r.schema, SCHEMA_VERSION);
        let JobSource::Fuzz { instance, strategy, campaign_seed } = &r.source else {
            panic!("{:?}", r.source)
        };
        assert_eq!((instance.seed, strategy.as_str(), *campaign_seed), (5, "search", 7));
        assert_eq!(instance.values["ego.speed"], 12.5);
        assert_eq!(instance.mutations.duration, Some(6.5));
        assert!(!r.extra.contains_key("fuzz"), "the annotations became the source");
        assert_eq!(r.id, r.key().id());
        assert!(r.id.starts_with("x.y/fuzz/5/"), "{}", r.id);
        let v1_run = EXAMPLE
            .replacen(r#""schema":2,"id":"cut_in.highway/run/3","#, r#""schema":1,"#, 1)
            .replacen(r#""source":{"from":"seed"},"#, "", 1);
        let run = one(format!("{v1_run}\n"));
        assert_eq!(run.to_json_line().unwrap(), EXAMPLE);
    }

    #[test]
    fn a_record_whose_id_or_kind_disagrees_with_its_job_is_refused() {
        let wrong_id = EXAMPLE.replacen("cut_in.highway/run/3", "cut_in.highway/run/4", 1);
        let err = read_all(format!("{wrong_id}\n").as_bytes(), false).remove(0).unwrap_err();
        assert!(matches!(err, ReadError::Inconsistent { .. }), "{err}");
        let wrong_kind = EXAMPLE.replacen(r#""kind":"run""#, r#""kind":"fuzz""#, 1);
        let err = read_all(format!("{wrong_kind}\n").as_bytes(), false).remove(0).unwrap_err();
        assert!(err.to_string().contains("disagrees with its source"), "{err}");
    }

    #[test]
    fn the_documented_example_round_trips_byte_for_byte() {
        let record: RunRecord = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(record.outcome, Outcome::Fail);
        assert_eq!(record.verdicts[0].impact_speed, Some(6.2));
        assert_eq!(record.params["ego.speed"], ParamValue::Number(25.0));
        assert_eq!(record.to_json_line().unwrap(), EXAMPLE);
    }

    #[test]
    fn infinite_margins_round_trip_through_the_sentinel() {
        let mut r = record("a", 1, Outcome::Pass);
        r.verdicts[0].margin = f64::INFINITY;
        let mut v = r.verdicts[0].clone();
        v.margin = f64::NEG_INFINITY;
        r.verdicts.push(v);
        let line = r.to_json_line().unwrap();
        assert!(line.contains(r#""margin":1.7976931348623157e+308"#), "{line}");
        assert!(line.contains(r#""margin":-1.7976931348623157e+308"#), "{line}");
        let back: RunRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(back.verdicts[0].margin, f64::INFINITY);
        assert_eq!(back.verdicts[1].margin, f64::NEG_INFINITY);
        assert_eq!(back, r);
    }

    #[test]
    fn a_nan_margin_or_non_finite_time_is_refused_not_written_as_null() {
        let mut r = record("a", 1, Outcome::Pass);
        r.verdicts[0].margin = f64::NAN;
        let mut w = RecordWriter::new(Vec::new());
        let err = w.write(&r).unwrap_err();
        assert!(matches!(err, WriteError::Serialize { .. }), "{err}");
        assert!(w.into_inner().is_empty());

        let mut r = record("a", 1, Outcome::Pass);
        r.wall_ms = f64::INFINITY;
        assert!(r.to_json_line().is_err());
        let mut r = record("a", 1, Outcome::Pass);
        r.params.insert("x".to_owned(), ParamValue::Number(f64::NAN));
        assert!(r.to_json_line().is_err());
    }

    #[test]
    fn stopped_at_is_a_typed_field_written_only_when_present() {
        // A record without it (every record of a scenario without a stop trigger) parses.
        let record: RunRecord = serde_json::from_str(EXAMPLE).unwrap();
        assert_eq!(record.stopped_at, None);
        assert!(!record.to_json_line().unwrap().contains("stopped_at"));
        // One with it reads into the field, not into `extra`, and round-trips.
        let line =
            EXAMPLE.replacen(r#""trace_hash":"cd34","#, r#""trace_hash":"cd34","stopped_at":7.95,"#, 1);
        let record: RunRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(record.stopped_at, Some(7.95));
        assert!(record.extra.is_empty(), "{:?}", record.extra);
        let written = record.to_json_line().unwrap();
        assert!(written.contains(r#""stopped_at":7.95"#), "{written}");
        let again: RunRecord = serde_json::from_str(&written).unwrap();
        assert_eq!(again, record);
        // A non-finite time cannot be written.
        let mut r = record.clone();
        r.stopped_at = Some(f64::NAN);
        assert!(r.to_json_line().is_err());
    }

    #[test]
    fn unknown_fields_are_tolerated_and_kept() {
        let line = EXAMPLE.replacen(r#""seed":3,"#, r#""seed":3,"zz_new":{"a":[1,2]},"#, 1);
        let record: RunRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(record.extra["zz_new"], serde_json::json!({"a": [1, 2]}));
        let again: RunRecord = serde_json::from_str(&record.to_json_line().unwrap()).unwrap();
        assert_eq!(again, record);
    }

    #[test]
    fn unknown_error_kinds_are_kept_verbatim() {
        let mut r = record("a", 1, Outcome::Error);
        r.error = Some(RecordError { kind: ErrorKind::Other("oom".to_owned()), message: "m".to_owned() });
        let line = r.to_json_line().unwrap();
        assert!(line.contains(r#""error":{"kind":"oom","message":"m"}"#), "{line}");
        let back: RunRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(back.error.unwrap().kind, ErrorKind::Other("oom".to_owned()));
        let known: ErrorKind = serde_json::from_str(r#""engine_blow_up""#).unwrap();
        assert_eq!(known, ErrorKind::EngineBlowUp);
    }

    #[test]
    fn params_keep_numbers_choices_and_flags() {
        let line = EXAMPLE.replacen(r#""params":{"#, r#""params":{"weather":"rain","lights":true,"#, 1);
        let record: RunRecord = serde_json::from_str(&line).unwrap();
        assert_eq!(record.params["weather"], ParamValue::Text("rain".to_owned()));
        assert_eq!(record.params["lights"], ParamValue::Bool(true));
        // Maps are sorted on output whatever the input order.
        let out = record.to_json_line().unwrap();
        assert!(out.contains(r#""params":{"actors[0].behaviours[1].duration":2.5,"ego.speed":25.0,"lights":true,"weather":"rain"}"#), "{out}");
    }

    #[test]
    fn job_keys_sort_by_scenario_then_kind_then_seed() {
        let k = |s: &str, kind, seed| JobKey { scenario: s.to_owned(), kind, seed, instance: None };
        let mut keys = vec![
            k("b", JobKind::Run, 1),
            k("a", JobKind::Fuzz, 0),
            k("a", JobKind::Run, 9),
            k("a", JobKind::Run, 2),
        ];
        keys.sort();
        assert_eq!(
            keys,
            vec![
                k("a", JobKind::Run, 2),
                k("a", JobKind::Run, 9),
                k("a", JobKind::Fuzz, 0),
                k("b", JobKind::Run, 1)
            ]
        );
    }

    fn lines(records: &[RunRecord]) -> Vec<u8> {
        let mut w = RecordWriter::new(Vec::new());
        for r in records {
            w.write(r).unwrap();
        }
        w.into_inner()
    }

    fn read_all(bytes: &[u8], tolerant: bool) -> Vec<Result<ReadItem, ReadError>> {
        if tolerant {
            RecordReader::new_tolerant(bytes, "mem.jsonl").collect()
        } else {
            RecordReader::new(bytes, "mem.jsonl").collect()
        }
    }

    #[test]
    fn writer_writes_one_terminated_line_per_record_and_reader_reads_them_back() {
        let records = vec![record("a", 1, Outcome::Pass), record("b", 2, Outcome::Error)];
        let bytes = lines(&records);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.ends_with('\n'));
        let back: Vec<_> = read_all(&bytes, false)
            .into_iter()
            .map(|item| match item.unwrap() {
                ReadItem::Record(r) => *r,
                ReadItem::Torn(t) => panic!("unexpected {t}"),
            })
            .collect();
        assert_eq!(back, records);
    }

    /// A writer that counts flushes.
    struct Counting {
        flushes: u32,
        bytes: Vec<u8>,
    }
    impl Write for Counting {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.bytes.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            self.flushes += 1;
            Ok(())
        }
    }

    #[test]
    fn writer_flushes_after_every_record() {
        let mut w = RecordWriter::new(Counting { flushes: 0, bytes: Vec::new() });
        w.write(&record("a", 1, Outcome::Pass)).unwrap();
        assert_eq!(w.out.flushes, 1);
        w.write(&record("a", 2, Outcome::Pass)).unwrap();
        assert_eq!(w.out.flushes, 2);
    }

    #[test]
    fn a_bad_line_is_an_error_with_file_line_and_column() {
        let mut bytes = lines(&[record("a", 1, Outcome::Pass)]);
        bytes.extend_from_slice(b"\n{\"schema\":1,\"scenario\":tru}\n");
        let items = read_all(&bytes, false);
        assert_eq!(items.len(), 2, "the blank line is skipped");
        let err = items[1].as_ref().unwrap_err();
        match err {
            ReadError::Parse { line, column, .. } => {
                assert_eq!((*line, *column), (3, 27));
            }
            other => panic!("{other}"),
        }
        assert!(err.to_string().starts_with("failed to parse record at mem.jsonl:3:27:"), "{err}");
    }

    #[test]
    fn another_schema_version_is_rejected() {
        let line = EXAMPLE.replacen(r#""schema":2"#, r#""schema":3"#, 1) + "\n";
        let err = read_all(line.as_bytes(), false).remove(0).unwrap_err();
        assert!(matches!(err, ReadError::UnsupportedSchema { found: 3, line: 1, .. }), "{err}");
    }

    #[test]
    fn strict_reader_rejects_a_torn_last_line() {
        let mut bytes = lines(&[record("a", 1, Outcome::Pass)]);
        let second = lines(&[record("a", 2, Outcome::Pass)]);
        bytes.extend_from_slice(&second[..40]);
        let items = read_all(&bytes, false);
        assert!(items[0].is_ok());
        assert!(matches!(items[1], Err(ReadError::Parse { line: 2, .. })));
    }

    #[test]
    fn tolerant_reader_skips_a_torn_last_line_and_says_where_it_starts() {
        let first = lines(&[record("a", 1, Outcome::Pass)]);
        let second = lines(&[record("a", 2, Outcome::Pass)]);
        for cut in [1, 40, second.len() - 1] {
            let mut bytes = first.clone();
            bytes.extend_from_slice(&second[..cut]);
            let items = read_all(&bytes, true);
            assert_eq!(items.len(), 2);
            assert!(matches!(&items[0], Ok(ReadItem::Record(r)) if r.seed == 1));
            let Ok(ReadItem::Torn(torn)) = &items[1] else { panic!("{:?}", items[1]) };
            assert_eq!((torn.line, torn.offset, torn.len), (2, first.len() as u64, cut as u64));
        }
        // A complete file yields no torn line, nor does a blank unterminated tail.
        assert_eq!(read_all(&first, true).len(), 1);
        let mut blank_tail = first.clone();
        blank_tail.extend_from_slice(b"  ");
        assert_eq!(read_all(&blank_tail, true).len(), 1);
    }

    #[test]
    fn tolerant_reader_still_rejects_a_bad_line_that_is_not_last() {
        let mut bytes = b"{not json}\n".to_vec();
        bytes.extend_from_slice(&lines(&[record("a", 1, Outcome::Pass)]));
        let items = read_all(&bytes, true);
        assert!(matches!(items[0], Err(ReadError::Parse { line: 1, .. })));
    }

    #[test]
    fn read_records_reports_a_missing_file_once() {
        let mut it = read_records("/nonexistent/records.jsonl");
        let err = it.next().unwrap().unwrap_err();
        assert!(matches!(err, ReadError::Open { .. }));
        assert!(err.to_string().contains("/nonexistent/records.jsonl"));
        assert!(it.next().is_none());
    }

    #[test]
    fn worst_verdict_is_the_smallest_normalised_margin() {
        let mut r = record("a", 1, Outcome::Fail);
        let mut v = r.verdicts[0].clone();
        v.criterion = "ttc".to_owned();
        v.margin = -3.0;
        r.verdicts.push(v);
        assert_eq!(r.worst_verdict().unwrap().criterion, "ttc");
        assert_eq!(r.min_normalized_margin(), Some(-3.0));
        assert_eq!(record("a", 1, Outcome::Error).min_normalized_margin(), None);

        // −210 m/s² at a scale of 1 000 is −0.21; −0.8 m at a scale of 1 is worse.
        let mut decel = r.verdicts[0].clone();
        decel.criterion = "max_decel".to_owned();
        decel.margin = -210.0;
        decel.scale = Some(1000.0);
        let mut contact = r.verdicts[0].clone();
        contact.margin = -0.8;
        contact.scale = Some(1.0);
        r.verdicts = vec![decel, contact];
        assert_eq!(r.worst_verdict().unwrap().criterion, "no_collision");
        assert_eq!(r.min_normalized_margin(), Some(-0.8));
    }
}
