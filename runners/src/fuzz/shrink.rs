//! Shrinking a failure while it keeps failing the same criterion, to a
//! locally minimal instance: no extra actor or sensor fault can be removed,
//! and no number can move to its nominal value or one grid step toward it,
//! without the failure disappearing. Then the duration is cut to just after
//! the first violation.
//!
//! A [`Shrinker`] is a state machine that proposes one probe at a time and
//! is told its result, so a campaign can advance every shrinker by one probe
//! per round and run all their probes together on the worker pool.

use gauntlet_reports::record::RunRecord;
use gauntlet_scenarios::mutation::{FuzzSpace, Genome, Knob};

use super::objective::first_violation;

/// How much shrinking a campaign does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShrinkOptions {
    /// Shrink at most this many failures (in the order found); `None`: all.
    pub max_shrinks: Option<usize>,
    /// Simulations one shrink may spend; when spent, the result is reported
    /// as not minimal.
    pub budget: usize,
}

impl Default for ShrinkOptions {
    fn default() -> Self {
        Self { max_shrinks: None, budget: 300 }
    }
}

/// Simulated time kept after the first violation when the duration is cut, s.
pub const CUT_SLACK: f64 = 0.5;

/// Where a shrink stands.
enum State {
    /// Trying to undo the structural mutation at this index of `FuzzSpace::removals`.
    Removals(usize),
    /// About to take the snapshot of knobs.
    KnobsStart,
    /// Moving the numbers of a snapshot of knobs toward nominal, one after another.
    Knobs { queue: Vec<Knob>, index: usize, step: Move },
    /// Cutting the duration.
    Cut,
    /// Waiting for the cut probe.
    AwaitCut,
    /// Finished.
    Done { minimal: bool },
}

/// Where the move of one knob toward nominal stands.
enum Move {
    Start,
    AwaitNominal { ladder: Vec<f64> },
    OneStep { ladder: Vec<f64> },
    AwaitOneStep { ladder: Vec<f64> },
    Search { ladder: Vec<f64>, lo: usize, hi: usize, best: Box<(Genome, RunRecord)> },
    AwaitSearch { ladder: Vec<f64>, lo: usize, hi: usize, mid: usize, best: Box<(Genome, RunRecord)> },
}

/// The shrink of one failure.
pub(crate) struct Shrinker {
    criterion: String,
    current: Genome,
    record: RunRecord,
    spent: usize,
    budget: usize,
    changed: bool,
    state: State,
    probe: Option<Genome>,
}

/// A finished shrink.
#[derive(Debug, Clone)]
pub(crate) struct Shrunk {
    pub genome: Genome,
    pub record: RunRecord,
    pub simulations: usize,
    pub minimal: bool,
}

impl Shrinker {
    /// Starts shrinking `genome`, whose run `record` failed `criterion`.
    pub fn new(criterion: String, genome: Genome, record: RunRecord, budget: usize) -> Self {
        Self {
            criterion,
            current: genome,
            record,
            spent: 0,
            budget,
            changed: false,
            state: State::Removals(0),
            probe: None,
        }
    }

    /// The criterion being kept failing.
    pub fn criterion(&self) -> &str {
        &self.criterion
    }

    /// The next instance to run, or `None` when the shrink is finished.
    pub fn next(&mut self, space: &FuzzSpace) -> Option<Genome> {
        loop {
            if let State::Done { .. } = self.state {
                return None;
            }
            if self.probe.is_some() {
                return self.probe.clone();
            }
            if self.spent >= self.budget {
                self.state = State::Done { minimal: false };
                return None;
            }
            match &mut self.state {
                State::Removals(i) => {
                    let removals = space.removals(&self.current);
                    if let Some(&r) = removals.get(*i) {
                        return self.propose(space.remove(&self.current, r));
                    }
                    self.state = State::KnobsStart;
                }
                State::KnobsStart => {
                    let queue = space.knobs(&self.current);
                    self.state = State::Knobs { queue, index: 0, step: Move::Start };
                }
                State::Knobs { queue, index, step } => {
                    let Some(knob) = queue.get(*index).cloned() else {
                        self.state =
                            if std::mem::take(&mut self.changed) { State::Removals(0) } else { State::Cut };
                        continue;
                    };
                    match std::mem::replace(step, Move::Start) {
                        Move::Start => {
                            let ladder = space.ladder(&self.current, &knob);
                            let Some(&nominal) = ladder.first() else {
                                *index += 1;
                                continue;
                            };
                            let g = space.with_value(&self.current, &knob, nominal);
                            *step = Move::AwaitNominal { ladder };
                            return self.propose(g);
                        }
                        Move::OneStep { ladder } => {
                            let g = space.with_value(&self.current, &knob, ladder[ladder.len() - 1]);
                            *step = Move::AwaitOneStep { ladder };
                            return self.propose(g);
                        }
                        Move::Search { ladder, lo, hi, best } => {
                            let mid = (lo + hi) / 2;
                            if mid == lo {
                                let (genome, record) = *best;
                                self.accept(genome, record);
                                // `accept` keeps the state; move on to the next knob.
                                if let State::Knobs { index, .. } = &mut self.state {
                                    *index += 1;
                                }
                                continue;
                            }
                            let g = space.with_value(&self.current, &knob, ladder[mid]);
                            *step = Move::AwaitSearch { ladder, lo, hi, mid, best };
                            return self.propose(g);
                        }
                        awaiting => {
                            // A probe result is due; `feed_judged` was not called. Keep waiting.
                            *step = awaiting;
                            return self.probe.clone();
                        }
                    }
                }
                State::Cut => {
                    self.state = State::Done { minimal: true };
                    if self.criterion == "reach_goal" {
                        return None;
                    }
                    let t = first_violation(&self.record, &self.criterion)?;
                    let Ok(scenario) = space.instantiate(&self.current) else { return None };
                    let world = scenario.instance(self.current.seed).world;
                    let cut = ((t + CUT_SLACK) / world.dt).ceil() * world.dt;
                    if cut >= world.duration - 1e-9 {
                        return None;
                    }
                    let mut g = self.current.clone();
                    g.mutations.duration = Some(cut);
                    self.state = State::AwaitCut;
                    return self.propose(g);
                }
                State::AwaitCut | State::Done { .. } => return None,
            }
        }
    }

    fn propose(&mut self, genome: Genome) -> Option<Genome> {
        self.probe = Some(genome.clone());
        Some(genome)
    }

    fn accept(&mut self, genome: Genome, record: RunRecord) {
        self.current = genome;
        self.record = record;
        self.changed = true;
    }

    /// The result of the probe [`next`](Self::next) returned, judged by the
    /// caller: the probe's record if it keeps the failure (a differential
    /// campaign also asks that OLD still holds the criterion), else `None`.
    pub fn feed_judged(&mut self, failing: Option<RunRecord>) {
        let Some(probe) = self.probe.take() else { return };
        self.spent += 1;
        match std::mem::replace(&mut self.state, State::Done { minimal: false }) {
            State::Removals(i) => {
                self.state = match failing {
                    Some(record) => {
                        self.accept(probe, record);
                        State::Removals(i)
                    }
                    None => State::Removals(i + 1),
                };
            }
            State::Knobs { queue, index, step } => {
                let (index, step) = match (step, failing) {
                    (Move::AwaitNominal { .. }, Some(record)) => {
                        self.accept(probe, record);
                        (index + 1, Move::Start)
                    }
                    (Move::AwaitNominal { ladder }, None) if ladder.len() > 1 => {
                        (index, Move::OneStep { ladder })
                    }
                    (Move::AwaitNominal { .. }, None) => (index + 1, Move::Start),
                    (Move::AwaitOneStep { ladder }, Some(record)) => {
                        let hi = ladder.len() - 1;
                        (index, Move::Search { ladder, lo: 0, hi, best: Box::new((probe, record)) })
                    }
                    (Move::AwaitOneStep { .. }, None) => (index + 1, Move::Start),
                    (Move::AwaitSearch { ladder, lo, mid, .. }, Some(record)) => {
                        (index, Move::Search { ladder, lo, hi: mid, best: Box::new((probe, record)) })
                    }
                    (Move::AwaitSearch { ladder, hi, mid, best, .. }, None) => {
                        (index, Move::Search { ladder, lo: mid, hi, best })
                    }
                    (other, _) => (index, other),
                };
                self.state = State::Knobs { queue, index, step };
            }
            State::AwaitCut => {
                if let Some(record) = failing {
                    self.current = probe;
                    self.record = record;
                }
                self.state = State::Done { minimal: true };
            }
            other => self.state = other,
        }
    }

    /// The result, once finished.
    pub fn finished(&self) -> Option<Shrunk> {
        match self.state {
            State::Done { minimal } => Some(Shrunk {
                genome: self.current.clone(),
                record: self.record.clone(),
                simulations: self.spent,
                minimal,
            }),
            _ => None,
        }
    }
}
