//! [`FuzzSpace`]: everything a fuzzer may vary in one scenario (its
//! parameters and the structural mutations its `fuzz` section allows), with
//! three views of it: a proptest [`Strategy`] of [`Genome`]s, an encoding
//! into the unit cube for numeric search, and the moves toward the nominal
//! instance that shrinking tries.

use std::collections::BTreeMap;
use std::sync::Arc;

use gauntlet_ron_source::{FieldPath, Segment, SourceFile};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

use super::file::FuzzFile;
use super::{paths, write};
use crate::error::ScenarioError;
use crate::param::Num;
use crate::raw::ActorFile;
use crate::resolve::{Choose, MAX_ACTORS, Parameter, Walk};
use crate::scenario::Scenario;
use gauntlet_instance::{ExtraActor, Genome, Mutations, SensorField};

/// Largest trigger shift a `fuzz` section may allow, s.
pub const MAX_TRIGGER_SHIFT: f64 = 60.0;
/// Most extra actors a `fuzz` section may allow in one instance.
pub const MAX_EXTRA_ACTORS: u32 = 8;
/// Shrinking moves a number toward its nominal value on a grid of this many
/// steps across its range (whole numbers move by 1, choices by one choice).
pub const SHRINK_STEPS: f64 = 64.0;
/// An `EgoTimeToArrival` trigger is never shifted below this, s.
const MIN_TIME_TO_ARRIVAL: f64 = 0.05;

/// What may vary in one scenario: its parameters and the mutations its
/// `fuzz` section allows. Built once per scenario; every fuzzed instance
/// of it is a [`Genome`] made concrete by [`FuzzSpace::instantiate`].
#[derive(Debug, Clone)]
pub struct FuzzSpace {
    scenario: Arc<Scenario>,
    params: Vec<Parameter>,
    triggers: Vec<String>,
    shift: f64,
    sensor: Vec<(SensorField, Num)>,
    templates: Vec<Template>,
    max_actors: usize,
    /// Coordinates per extra-actor slot: the template choice, then the parameters.
    slot_width: usize,
}

#[derive(Debug, Clone)]
struct Template {
    file: ActorFile,
    /// Parameters, with paths relative to the actor (`s`, `behaviours[0].at`).
    params: Vec<Parameter>,
}

/// One number of a genome that shrinking moves toward its nominal value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Knob {
    /// A parameter of the scenario, by path.
    Param(String),
    /// The shift of a time trigger, by path (nominal 0).
    Shift(String),
    /// The value of an injected sensor fault (nominal: the mildest value of its range).
    Sensor(SensorField),
    /// A parameter of an extra actor.
    ActorParam {
        /// Index into [`Mutations::actors`].
        slot: usize,
        /// Path inside the actor.
        path: String,
    },
}

/// A structural mutation that shrinking tries to undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Removal {
    /// Remove the extra actor at this index of [`Mutations::actors`].
    Actor(usize),
    /// Remove the fault of this sensor field.
    Sensor(SensorField),
}

impl FuzzSpace {
    /// The space of `scenario`: checks its `fuzz` section (every problem with
    /// file, line, column and field path) and lists what may vary.
    pub fn new(scenario: Arc<Scenario>) -> Result<Self, ScenarioError> {
        let file = scenario.file();
        let fuzz: FuzzFile = file.fuzz.clone().unwrap_or_default();
        let fp = FieldPath::root().field("fuzz");
        let mut errors: Vec<(FieldPath, String)> = Vec::new();

        if !(fuzz.trigger_shift.is_finite() && (0.0..=MAX_TRIGGER_SHIFT).contains(&fuzz.trigger_shift)) {
            errors.push((
                fp.field("trigger_shift"),
                format!("expected a shift in s in [0, {MAX_TRIGGER_SHIFT}], found {}", fuzz.trigger_shift),
            ));
        }
        let default_max = u32::from(!fuzz.actors.is_empty());
        let max_actors = fuzz.max_actors.unwrap_or(default_max);
        if max_actors > MAX_EXTRA_ACTORS {
            errors.push((
                fp.field("max_actors"),
                format!("expected at most {MAX_EXTRA_ACTORS} extra actors, found {max_actors}"),
            ));
        } else if max_actors > 0 && fuzz.actors.is_empty() {
            errors.push((
                fp.field("max_actors"),
                "extra actors need at least one template in `fuzz.actors`".to_owned(),
            ));
        } else if file.actors.len() + max_actors as usize > MAX_ACTORS {
            errors.push((
                fp.field("max_actors"),
                format!(
                    "{} actors plus {max_actors} extra is more than {MAX_ACTORS} actors",
                    file.actors.len()
                ),
            ));
        }

        let n = file.actors.len();
        let mut templates = Vec::with_capacity(fuzz.actors.len());
        for (t, template) in fuzz.actors.iter().enumerate() {
            if let Some(first) = fuzz.actors[..t].iter().position(|o| o.name == template.name) {
                errors.push((
                    fp.field("actors").index(t).field("name"),
                    format!("the template name {:?} is used by template {first}", template.name),
                ));
            }
            // Validate the template as one more actor of the scenario.
            let mut synthetic = file.clone();
            synthetic.fuzz = None;
            synthetic.actors.push(template.clone());
            let mut walk = Walk::new(Choose::Nominal);
            walk.world(&synthetic, 0);
            for (path, message) in walk.errors {
                errors.push((template_path(&path, n, t), message));
            }
            let prefix = format!("actors[{n}].");
            let params = walk
                .parameters
                .into_iter()
                .filter_map(|p| {
                    let rel = p.path.strip_prefix(&prefix)?.to_owned();
                    Some(Parameter { path: rel, ..p })
                })
                .collect();
            templates.push(Template { file: template.clone(), params });
        }

        let mut sensor = Vec::new();
        let faults = [
            (SensorField::NoiseSigma, &fuzz.sensor.noise_sigma, 0.0, 10.0, false),
            (SensorField::Dropout, &fuzz.sensor.dropout, 0.0, 1.0, false),
            (SensorField::LatencySteps, &fuzz.sensor.latency_steps, 0.0, 100.0, true),
        ];
        for (field, num, lo, hi, integer) in faults {
            let Some(num) = num else { continue };
            let path = fp.field("sensor").field(field.name());
            let bad = num
                .extremes()
                .into_iter()
                .find(|v| !v.is_finite() || *v < lo || *v > hi || (integer && v.fract() != 0.0));
            if let Some(v) = bad {
                let what = if integer { "a whole number" } else { "a number" };
                errors.push((path, format!("expected {what} in [{lo}, {hi}], found {v}")));
            } else {
                sensor.push((field, num.clone()));
            }
        }

        if !errors.is_empty() {
            let mut diagnostics: Vec<_> =
                errors.into_iter().map(|(path, message)| scenario.source().error_at(path, message)).collect();
            diagnostics.sort_by_key(|d| d.position.map(|p| (p.line, p.column)));
            return Err(ScenarioError { diagnostics });
        }
        let triggers = if fuzz.trigger_shift > 0.0 { paths::time_triggers(file) } else { Vec::new() };
        let max_actors = max_actors as usize;
        let slot_width = 1 + templates.iter().map(|t| t.params.len()).max().unwrap_or(0);
        Ok(Self {
            params: scenario.parameters().to_vec(),
            scenario,
            triggers,
            shift: fuzz.trigger_shift,
            sensor,
            templates,
            max_actors,
            slot_width,
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// Whether the scenario allows structural mutations.
    pub fn has_mutations(&self) -> bool {
        !self.triggers.is_empty() || !self.sensor.is_empty() || self.max_actors > 0
    }

    /// Coordinates of the unit-cube encoding ([`FuzzSpace::decode`]).
    pub fn dimensions(&self) -> usize {
        let actors = if self.max_actors > 0 { 1 + self.max_actors * self.slot_width } else { 0 };
        self.params.len() + self.triggers.len() + 2 * self.sensor.len() + actors
    }

    /// The nominal instance: every parameter nominal, no mutation.
    pub fn nominal(&self, seed: u64) -> Genome {
        let values = self.params.iter().map(|p| (p.path.clone(), p.space.nominal())).collect();
        Genome { seed, values, mutations: Mutations::default() }
    }

    /// The genome at point `u` of the unit cube (coordinates outside [0, 1]
    /// are clamped). Every parameter, shift and fault value is uniform in its
    /// range when `u` is; a fault is injected when its switch is below ½; the
    /// number of extra actors is uniform in `0..=max_actors`.
    pub fn decode(&self, u: &[f64], seed: u64) -> Genome {
        let mut it = u.iter().map(|x| if x.is_finite() { x.clamp(0.0, 1.0) } else { 0.5 });
        let mut next = move || it.next().unwrap_or(0.5);
        let mut values = BTreeMap::new();
        for p in &self.params {
            values.insert(p.path.clone(), decode_num(&p.space, p.integer, next()));
        }
        let mut mutations = Mutations::default();
        for t in &self.triggers {
            let s = self.shift * (2.0 * next() - 1.0);
            if s != 0.0 {
                mutations.trigger_shifts.insert(t.clone(), s);
            }
        }
        for (field, num) in &self.sensor {
            let on = next() < 0.5;
            let v = decode_num(num, *field == SensorField::LatencySteps, next());
            if on {
                mutations.sensor.set(*field, Some(v));
            }
        }
        if self.max_actors > 0 {
            let count = ((next() * (self.max_actors + 1) as f64) as usize).min(self.max_actors);
            for slot in 0..self.max_actors {
                let pick = ((next() * self.templates.len() as f64) as usize).min(self.templates.len() - 1);
                let coords: Vec<f64> = (1..self.slot_width).map(|_| next()).collect();
                if slot < count {
                    let t = &self.templates[pick];
                    let values = t
                        .params
                        .iter()
                        .zip(&coords)
                        .map(|(p, &c)| (p.path.clone(), decode_num(&p.space, p.integer, c)));
                    mutations
                        .actors
                        .push(ExtraActor { template: t.file.name.clone(), values: values.collect() });
                }
            }
        }
        Genome { seed, values, mutations }
    }

    /// The point of the unit cube that decodes to `genome` (up to rounding;
    /// numbers outside their ranges are clamped). Unknown keys are ignored.
    pub fn encode(&self, genome: &Genome) -> Vec<f64> {
        let mut u = Vec::with_capacity(self.dimensions());
        for p in &self.params {
            let v = genome.values.get(&p.path).copied().unwrap_or(p.space.nominal());
            u.push(encode_num(&p.space, p.integer, v));
        }
        for t in &self.triggers {
            let s = genome.mutations.trigger_shifts.get(t).copied().unwrap_or(0.0);
            u.push(((s / self.shift + 1.0) / 2.0).clamp(0.0, 1.0));
        }
        for (field, num) in &self.sensor {
            let fault = genome.mutations.sensor.get(*field);
            u.push(if fault.is_some() { 0.25 } else { 0.75 });
            let v = fault.unwrap_or(num.nominal());
            u.push(encode_num(num, *field == SensorField::LatencySteps, v));
        }
        if self.max_actors > 0 {
            let actors = &genome.mutations.actors;
            let count = actors.len().min(self.max_actors);
            u.push((count as f64 + 0.5) / (self.max_actors + 1) as f64);
            for slot in 0..self.max_actors {
                let extra = actors.get(slot);
                let index = extra.and_then(|a| self.template_index(&a.template)).unwrap_or(0);
                u.push((index as f64 + 0.5) / self.templates.len() as f64);
                let t = &self.templates[index];
                for k in 1..self.slot_width {
                    u.push(match (t.params.get(k - 1), extra) {
                        (Some(p), Some(a)) => {
                            let v = a.values.get(&p.path).copied().unwrap_or(p.space.nominal());
                            encode_num(&p.space, p.integer, v)
                        }
                        (Some(p), None) => encode_num(&p.space, p.integer, p.space.nominal()),
                        (None, _) => 0.5,
                    });
                }
            }
        }
        u
    }

    /// A proptest strategy generating genomes: every parameter uniform in its
    /// range or choices, each trigger shift uniform in ±its range, each
    /// allowed sensor fault present half the time, 0 to `max_actors` extra
    /// actors from uniformly chosen templates, and a random seed.
    pub fn strategy(&self) -> BoxedStrategy<Genome> {
        let params: Vec<BoxedStrategy<f64>> =
            self.params.iter().map(|p| num_strategy(&p.space, p.integer)).collect();
        let keys: Vec<String> = self.params.iter().map(|p| p.path.clone()).collect();
        let shift = self.shift;
        let shifts: Vec<BoxedStrategy<f64>> =
            self.triggers.iter().map(|_| (-shift..=shift).boxed()).collect();
        let triggers = self.triggers.clone();
        let sensor: Vec<BoxedStrategy<Option<f64>>> = self
            .sensor
            .iter()
            .map(|(field, num)| {
                prop::option::of(num_strategy(num, *field == SensorField::LatencySteps)).boxed()
            })
            .collect();
        let fields: Vec<SensorField> = self.sensor.iter().map(|(f, _)| *f).collect();
        let actors: BoxedStrategy<Vec<ExtraActor>> = if self.max_actors == 0 {
            Just(Vec::new()).boxed()
        } else {
            let options: Vec<BoxedStrategy<ExtraActor>> = self
                .templates
                .iter()
                .map(|t| {
                    let name = t.file.name.clone();
                    let keys: Vec<String> = t.params.iter().map(|p| p.path.clone()).collect();
                    let values: Vec<BoxedStrategy<f64>> =
                        t.params.iter().map(|p| num_strategy(&p.space, p.integer)).collect();
                    values
                        .prop_map(move |vs| ExtraActor {
                            template: name.clone(),
                            values: keys.iter().cloned().zip(vs).collect(),
                        })
                        .boxed()
                })
                .collect();
            prop::collection::vec(Union::new(options), 0..=self.max_actors).boxed()
        };
        (any::<u64>(), params, shifts, sensor, actors)
            .prop_map(move |(seed, values, shifts, faults, actors)| {
                let mut mutations = Mutations { actors, ..Mutations::default() };
                for (t, s) in triggers.iter().zip(shifts) {
                    if s != 0.0 {
                        mutations.trigger_shifts.insert(t.clone(), s);
                    }
                }
                for (field, v) in fields.iter().zip(faults) {
                    mutations.sensor.set(*field, v);
                }
                Genome { seed, values: keys.iter().cloned().zip(values).collect(), mutations }
            })
            .boxed()
    }

    fn template_index(&self, name: &str) -> Option<usize> {
        self.templates.iter().position(|t| t.file.name == name)
    }

    /// The structural mutations of `genome` that shrinking tries to undo, in order:
    /// extra actors (first to last), then sensor faults.
    pub fn removals(&self, genome: &Genome) -> Vec<Removal> {
        let mut out: Vec<Removal> = (0..genome.mutations.actors.len()).map(Removal::Actor).collect();
        for field in SensorField::ALL {
            if genome.mutations.sensor.get(field).is_some() {
                out.push(Removal::Sensor(field));
            }
        }
        out
    }

    /// `genome` without one structural mutation.
    pub fn remove(&self, genome: &Genome, removal: Removal) -> Genome {
        let mut g = genome.clone();
        match removal {
            Removal::Actor(slot) => {
                if slot < g.mutations.actors.len() {
                    g.mutations.actors.remove(slot);
                }
            }
            Removal::Sensor(field) => g.mutations.sensor.set(field, None),
        }
        g
    }

    /// Every number of `genome` that is not at its nominal value, in order:
    /// parameters, trigger shifts, sensor faults, extra actors' parameters.
    pub fn knobs(&self, genome: &Genome) -> Vec<Knob> {
        let mut out = Vec::new();
        for p in &self.params {
            let knob = Knob::Param(p.path.clone());
            if self.value(genome, &knob) != p.space.nominal() {
                out.push(knob);
            }
        }
        for t in &self.triggers {
            if genome.mutations.trigger_shifts.get(t).is_some_and(|s| *s != 0.0) {
                out.push(Knob::Shift(t.clone()));
            }
        }
        for (field, num) in &self.sensor {
            if genome.mutations.sensor.get(*field).is_some_and(|v| v != num.min_value()) {
                out.push(Knob::Sensor(*field));
            }
        }
        for (slot, extra) in genome.mutations.actors.iter().enumerate() {
            let Some(t) = self.template_index(&extra.template) else { continue };
            for p in &self.templates[t].params {
                if extra.values.get(&p.path).is_some_and(|v| *v != p.space.nominal()) {
                    out.push(Knob::ActorParam { slot, path: p.path.clone() });
                }
            }
        }
        out
    }

    /// The current value of a knob.
    pub fn value(&self, genome: &Genome, knob: &Knob) -> f64 {
        match knob {
            Knob::Param(path) => genome
                .values
                .get(path)
                .copied()
                .or_else(|| self.params.iter().find(|p| &p.path == path).map(|p| p.space.nominal()))
                .unwrap_or(0.0),
            Knob::Shift(path) => genome.mutations.trigger_shifts.get(path).copied().unwrap_or(0.0),
            Knob::Sensor(field) => genome.mutations.sensor.get(*field).unwrap_or(0.0),
            Knob::ActorParam { slot, path } => {
                genome.mutations.actors.get(*slot).and_then(|a| a.values.get(path)).copied().unwrap_or(0.0)
            }
        }
    }

    /// The space, whole-number flag and nominal value of a knob.
    fn knob_space(&self, genome: &Genome, knob: &Knob) -> Option<(Num, bool, f64)> {
        match knob {
            Knob::Param(path) => {
                let p = self.params.iter().find(|p| &p.path == path)?;
                Some((p.space.clone(), p.integer, p.space.nominal()))
            }
            Knob::Shift(_) => {
                Some((Num::Range { min: -self.shift, max: self.shift, nominal: 0.0 }, false, 0.0))
            }
            Knob::Sensor(field) => {
                let (_, num) = self.sensor.iter().find(|(f, _)| f == field)?;
                Some((num.clone(), *field == SensorField::LatencySteps, num.min_value()))
            }
            Knob::ActorParam { slot, path } => {
                let extra = genome.mutations.actors.get(*slot)?;
                let t = &self.templates[self.template_index(&extra.template)?];
                let p = t.params.iter().find(|p| &p.path == path)?;
                Some((p.space.clone(), p.integer, p.space.nominal()))
            }
        }
    }

    /// The values a knob can move to toward its nominal value, nominal first,
    /// then one grid step ([`SHRINK_STEPS`]) after another, up to but not
    /// including the current value. Empty at nominal.
    pub fn ladder(&self, genome: &Genome, knob: &Knob) -> Vec<f64> {
        let Some((space, integer, nominal)) = self.knob_space(genome, knob) else { return Vec::new() };
        ladder(&space, integer, nominal, self.value(genome, knob))
    }

    /// `genome` with one knob set to `value` (a trigger shift of 0 is removed).
    pub fn with_value(&self, genome: &Genome, knob: &Knob, value: f64) -> Genome {
        let mut g = genome.clone();
        match knob {
            Knob::Param(path) => {
                g.values.insert(path.clone(), value);
            }
            Knob::Shift(path) => {
                if value == 0.0 {
                    g.mutations.trigger_shifts.remove(path);
                } else {
                    g.mutations.trigger_shifts.insert(path.clone(), value);
                }
            }
            Knob::Sensor(field) => g.mutations.sensor.set(*field, Some(value)),
            Knob::ActorParam { slot, path } => {
                if let Some(a) = g.mutations.actors.get_mut(*slot) {
                    a.values.insert(path.clone(), value);
                }
            }
        }
        g
    }

    /// Whether the world of `genome` draws random numbers (sensor noise,
    /// dropout or a perception fault), so that its seed matters. An invalid
    /// genome counts as seeded.
    pub fn seed_matters(&self, genome: &Genome) -> bool {
        self.instantiate(genome).map_or(true, |s| {
            let sensor = s.instance(genome.seed).world.environment.sensor;
            sensor.noise_sigma > 0.0 || sensor.dropout > 0.0 || sensor.faults.any()
        })
    }

    /// The concrete scenario of `genome`: every parameter replaced by its
    /// value, trigger shifts, faults and the duration applied, extra actors
    /// appended (named `TEMPLATE#SLOT`). It has no parameters; its instance
    /// for `genome.seed` is the fuzzed world. It goes through the same
    /// validation as any scenario file.
    pub fn instantiate(&self, genome: &Genome) -> Result<Scenario, ScenarioError> {
        let base = &self.scenario;
        let fail = |message: String| {
            ScenarioError::single(gauntlet_ron_source::Diagnostic::new(base.path(), message))
        };
        if let Some(unknown) = genome.values.keys().find(|k| !self.params.iter().any(|p| &p.path == *k)) {
            return Err(fail(format!("{unknown:?} is not a parameter of this scenario")));
        }
        let mut file = base.file().clone();
        file.fuzz = None;
        paths::visit_file(&mut file, &mut |path, num| {
            if num.is_parameter() {
                let key = path.to_string();
                *num = Num::Fixed(genome.values.get(&key).copied().unwrap_or(num.nominal()));
            }
        });
        let m = &genome.mutations;
        for (path, shift) in &m.trigger_shifts {
            if !self.triggers.contains(path)
                || !paths::shift_trigger(&mut file, path, *shift, MIN_TIME_TO_ARRIVAL)
            {
                return Err(fail(format!("{path:?} is not a trigger this scenario allows to shift")));
            }
        }
        for field in SensorField::ALL {
            let Some(v) = m.sensor.get(field) else { continue };
            if !self.sensor.iter().any(|(f, _)| *f == field) {
                return Err(fail(format!("this scenario allows no `{}` fault", field.name())));
            }
            let s = &mut file.environment.sensor;
            let target = match field {
                SensorField::NoiseSigma => &mut s.noise_sigma,
                SensorField::Dropout => &mut s.dropout,
                SensorField::LatencySteps => &mut s.latency_steps,
            };
            *target = Num::Fixed(v);
        }
        if m.actors.len() > self.max_actors {
            return Err(fail(format!(
                "{} extra actors, but this scenario allows at most {}",
                m.actors.len(),
                self.max_actors
            )));
        }
        for (slot, extra) in m.actors.iter().enumerate() {
            let Some(t) = self.template_index(&extra.template) else {
                return Err(fail(format!("no extra-actor template is named {:?}", extra.template)));
            };
            let t = &self.templates[t];
            if let Some(unknown) = extra.values.keys().find(|k| !t.params.iter().any(|p| &p.path == *k)) {
                return Err(fail(format!("{unknown:?} is not a parameter of template {:?}", extra.template)));
            }
            let mut actor = t.file.clone();
            actor.name = format!("{}#{slot}", t.file.name);
            paths::visit_actor(&FieldPath::root(), &mut actor, &mut |path, num| {
                if num.is_parameter() {
                    let key = path.to_string();
                    *num = Num::Fixed(extra.values.get(&key).copied().unwrap_or(num.nominal()));
                }
            });
            file.actors.push(actor);
        }
        if let Some(d) = m.duration {
            file.duration = Num::Fixed(d);
        }
        let text = write::scenario_text(&file);
        Scenario::from_source(SourceFile::new(base.path(), text)).map_err(|e| ScenarioError {
            diagnostics: e
                .diagnostics
                .into_iter()
                .map(|mut d| {
                    d.position = None;
                    d.message = format!("the fuzzed instance is invalid: {}", d.message);
                    d
                })
                .collect(),
        })
    }
}

/// `path` of a template validated as actor `n` of its scenario, as the path
/// of template `t` in the `fuzz` section.
fn template_path(path: &FieldPath, n: usize, t: usize) -> FieldPath {
    match path.segments() {
        [Segment::Field(actors), Segment::Index(i), rest @ ..] if actors == "actors" && *i == n => {
            [Segment::Field("fuzz".into()), Segment::Field("actors".into()), Segment::Index(t)]
                .into_iter()
                .chain(rest.iter().cloned())
                .collect()
        }
        _ => path.clone(),
    }
}

fn decode_num(space: &Num, integer: bool, u: f64) -> f64 {
    match space {
        Num::Fixed(v) => *v,
        Num::Range { min, max, .. } if integer => {
            let (lo, hi) = (min.ceil(), max.floor());
            (lo + (u * (hi - lo + 1.0)).floor()).min(hi)
        }
        Num::Range { min, max, .. } => min + u * (max - min),
        Num::Choice { values, .. } => values[((u * values.len() as f64) as usize).min(values.len() - 1)],
    }
}

fn encode_num(space: &Num, integer: bool, v: f64) -> f64 {
    let u = match space {
        Num::Fixed(_) => 0.5,
        Num::Range { min, max, .. } if integer => {
            let (lo, hi) = (min.ceil(), max.floor());
            (v.round() - lo + 0.5) / (hi - lo + 1.0)
        }
        Num::Range { min, max, .. } if max > min => (v - min) / (max - min),
        Num::Range { .. } => 0.5,
        Num::Choice { values, .. } => {
            let index = values
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - v).abs().total_cmp(&(b.1 - v).abs()))
                .map_or(0, |(i, _)| i);
            (index as f64 + 0.5) / values.len() as f64
        }
    };
    u.clamp(0.0, 1.0)
}

fn num_strategy(space: &Num, integer: bool) -> BoxedStrategy<f64> {
    match space {
        Num::Fixed(v) => Just(*v).boxed(),
        Num::Range { min, max, .. } if integer => {
            ((min.ceil() as i64)..=(max.floor() as i64)).prop_map(|k| k as f64).boxed()
        }
        Num::Range { min, max, .. } if max > min => (*min..=*max).boxed(),
        Num::Range { min, .. } => Just(*min).boxed(),
        Num::Choice { values, .. } => prop::sample::select(values.clone()).boxed(),
    }
}

/// Values from `nominal` toward `current` (excluded), one grid step apart.
fn ladder(space: &Num, integer: bool, nominal: f64, current: f64) -> Vec<f64> {
    let distance = (current - nominal).abs();
    // Also at nominal when a value is NaN: nothing to move.
    if distance.is_nan() || distance == 0.0 {
        return Vec::new();
    }
    let toward = (current - nominal).signum();
    if let Num::Choice { values, .. } = space {
        let mut out: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| *v == nominal || ((v - nominal).signum() == toward && (v - nominal).abs() < distance))
            .collect();
        out.sort_by(|a, b| (a - nominal).abs().total_cmp(&(b - nominal).abs()));
        out.dedup();
        if out.first() != Some(&nominal) {
            out.insert(0, nominal);
        }
        return out;
    }
    let step = if integer { 1.0 } else { (space.max_value() - space.min_value()) / SHRINK_STEPS };
    if step.is_nan() || step <= 0.0 || step.is_infinite() {
        return vec![nominal];
    }
    let mut out = Vec::new();
    let mut k = 0.0;
    while k * step < distance && out.len() < 1 << 16 {
        out.push(nominal + toward * k * step);
        k += 1.0;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ladders_run_from_nominal_toward_the_current_value() {
        let r = Num::Range { min: 0.0, max: 64.0, nominal: 10.0 };
        assert_eq!(ladder(&r, false, 10.0, 13.5), vec![10.0, 11.0, 12.0, 13.0]);
        assert_eq!(ladder(&r, false, 10.0, 8.0), vec![10.0, 9.0]);
        assert!(ladder(&r, false, 10.0, 10.0).is_empty());
        let c = Num::Choice { values: vec![1.0, 2.0, 3.0, 4.0], nominal: 2.0 };
        assert_eq!(ladder(&c, false, 2.0, 4.0), vec![2.0, 3.0]);
        assert_eq!(ladder(&c, false, 2.0, 1.0), vec![2.0]);
        let i = Num::Range { min: 0.0, max: 5.0, nominal: 1.0 };
        assert_eq!(ladder(&i, true, 1.0, 4.0), vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn numbers_encode_to_the_point_that_decodes_to_them() {
        let spaces = [
            (Num::Range { min: -3.0, max: 5.0, nominal: 0.0 }, false, 1.25),
            (Num::Range { min: 0.0, max: 6.0, nominal: 2.0 }, true, 4.0),
            (Num::Choice { values: vec![2.0, 3.5, 7.0], nominal: 2.0 }, false, 3.5),
        ];
        for (space, integer, v) in spaces {
            let u = encode_num(&space, integer, v);
            assert!((decode_num(&space, integer, u) - v).abs() < 1e-12, "{space:?}");
        }
    }
}
