//! Online robustness monitoring: a formula compiled against a signal table
//! and a step `dt`, fed one sample of every signal per step.
//!
//! Every subformula is a node that turns the stream of its operands'
//! robustness values into its own, in index order: past operators at once,
//! bounded future operators `b` steps late (a window's extremum through a
//! [`Wedge`]), so a node holds at most its look-ahead worth of values and
//! memory is bounded by the formula's time bounds, never by the run's
//! length. Every buffer is allocated when the formula is compiled: a step
//! allocates nothing. Unbounded future operators (`always`, `eventually`
//! without an upper bound) are resolved at the end of the run, which is why
//! they may only appear where the formula is judged at its first sample
//! (at the top, under boolean operators only).
//!
//! Semantics are rtamt's discrete-time ones: `always[a,b] φ` at step k is
//! the minimum of φ over steps `k+a ..= k+b` cut at the end of the run (+∞
//! when that is empty), `eventually` the maximum (−∞ when empty),
//! `historically`/`once` the same over `k-b ..= k-a`, `φ until[a,b] ψ` is
//! `max over j in k+a..=k+b of min(ψ(j), min of φ over k..j)`,
//! `φ since[a,b] ψ` is `max over j in k-b..=k-a of min(ψ(j), min of φ over
//! j+1..=k)`, `prev` and `next` are +∞ where the step does not exist.

use std::collections::VecDeque;

use crate::ast::{Arith, Cmp, Expr, Formula, Interval, Temporal};
use crate::wedge::{Extremum, Wedge};

/// Longest time bound accepted, in steps (bounds what a monitor may buffer).
pub const MAX_BOUND_STEPS: usize = 1_000_000;

/// A formula that cannot be monitored: an unknown signal, a time bound that
/// is not a whole number of steps, an unbounded future operator nested in a
/// temporal one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("at offset {offset}: {message}")]
pub struct CompileError {
    /// Byte offset inside the formula text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// The robustness of a formula over a run, judged at its first sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    /// The formula's robustness at the first sample (positive: satisfied by that much).
    pub robustness: f64,
    /// For a formula `always[a,b] φ`: the step of φ's smallest value in the window.
    pub worst_step: Option<usize>,
    /// For a formula `always[a,b] φ`: the first step in the window where φ is negative.
    pub first_violation_step: Option<usize>,
}

#[derive(Debug, Clone)]
enum CExpr {
    Const(f64),
    Signal(usize),
    Neg(Box<CExpr>),
    Abs(Box<CExpr>),
    Bin(Arith, Box<CExpr>, Box<CExpr>),
}

impl CExpr {
    fn eval(&self, s: &[f64]) -> f64 {
        match self {
            CExpr::Const(x) => *x,
            CExpr::Signal(i) => s[*i],
            CExpr::Neg(x) => -x.eval(s),
            CExpr::Abs(x) => x.eval(s).abs(),
            CExpr::Bin(op, x, y) => {
                let (x, y) = (x.eval(s), y.eval(s));
                match op {
                    Arith::Add => x + y,
                    Arith::Sub => x - y,
                    Arith::Mul => x * y,
                    Arith::Div => x / y,
                    Arith::Min => x.min(y),
                    Arith::Max => x.max(y),
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Logic {
    And,
    Or,
    Implies,
}

#[derive(Debug, Clone)]
enum Kind {
    Const(f64),
    Compare(Cmp, CExpr, CExpr),
    Not(usize),
    Logic(Logic, usize, usize),
    Prev {
        child: usize,
        last: f64,
    },
    Next {
        child: usize,
        received: usize,
    },
    /// `always`/`eventually` with an upper bound: a wedge over `k+lo ..= k+hi`.
    Ahead {
        child: usize,
        lo: usize,
        hi: usize,
        wedge: Wedge,
        received: usize,
    },
    /// `always`/`eventually` without one: one running extremum for step 0.
    AheadUnbounded {
        child: usize,
        kind: Extremum,
        lo: usize,
        acc: f64,
        received: usize,
    },
    /// `historically`/`once`: a delay line of `lo` values, then a wedge (or
    /// a running extremum when unbounded) over `k-hi ..= k-lo`.
    Behind {
        child: usize,
        lo: usize,
        hi: Option<usize>,
        delay: VecDeque<f64>,
        wedge: Wedge,
        acc: f64,
        received: usize,
    },
    Until {
        l: usize,
        r: usize,
        lo: usize,
        hi: usize,
        phi: VecDeque<f64>,
        psi: VecDeque<f64>,
        received: usize,
    },
    Since {
        l: usize,
        r: usize,
        lo: usize,
        hi: usize,
        phi: VecDeque<f64>,
        psi: VecDeque<f64>,
    },
}

#[derive(Debug, Clone)]
struct Node {
    kind: Kind,
    port: Port,
}

/// A node's output.
#[derive(Debug, Clone)]
struct Port {
    /// Values produced and not yet consumed by the parent.
    out: VecDeque<f64>,
    /// How many values this node has produced (the next one's step).
    emitted: usize,
    /// Only the value at step 0 is needed (the node is judged at the first sample).
    first_only: bool,
}

impl Port {
    fn emit(&mut self, v: f64) {
        if !self.first_only || self.emitted == 0 {
            self.out.push_back(if v.is_nan() { f64::NEG_INFINITY } else { v });
        }
        self.emitted += 1;
    }
    fn done(&self, n: usize) -> bool {
        self.emitted >= n || (self.first_only && self.emitted > 0)
    }
}

/// Tracks where `always`'s operand is worst and first negative at the top.
#[derive(Debug, Clone, Copy)]
struct Witness {
    lo: usize,
    hi: usize,
    worst: Option<(usize, f64)>,
    first_negative: Option<usize>,
}

/// An online robustness monitor of one formula.
#[derive(Debug, Clone)]
pub struct Monitor {
    /// Postorder: every node after its operands; the root is last.
    nodes: Vec<Node>,
    samples: usize,
    witness: Option<Witness>,
    capacity: usize,
}

struct Compiler<'a> {
    signals: &'a [&'a str],
    dt: f64,
    nodes: Vec<Node>,
}

impl Compiler<'_> {
    fn steps(&self, seconds: f64, offset: usize) -> Result<usize, CompileError> {
        let steps = seconds / self.dt;
        let whole = steps.round();
        if !seconds.is_finite() || seconds < 0.0 || (steps - whole).abs() > 1e-6 * whole.max(1.0) {
            return Err(CompileError {
                offset,
                message: format!(
                    "the time bound {seconds} s is not a whole number of steps of {} s",
                    self.dt
                ),
            });
        }
        if whole > MAX_BOUND_STEPS as f64 {
            return Err(CompileError {
                offset,
                message: format!("the time bound {seconds} s is more than {MAX_BOUND_STEPS} steps"),
            });
        }
        Ok(whole as usize)
    }

    fn interval(&self, i: &Interval) -> Result<(usize, Option<usize>), CompileError> {
        let lo = self.steps(i.lo, i.offset)?;
        let hi = i.hi.map(|hi| self.steps(hi, i.offset)).transpose()?;
        Ok((lo, hi))
    }

    fn expr(&self, e: &Expr) -> Result<CExpr, CompileError> {
        Ok(match e {
            Expr::Const(x) => CExpr::Const(*x),
            Expr::Signal(name, at) => match self.signals.iter().position(|s| s == name) {
                Some(i) => CExpr::Signal(i),
                None => {
                    return Err(CompileError {
                        offset: *at,
                        message: format!("unknown signal `{name}` (known: {})", self.signals.join(", ")),
                    });
                }
            },
            Expr::Neg(x) => CExpr::Neg(Box::new(self.expr(x)?)),
            Expr::Abs(x) => CExpr::Abs(Box::new(self.expr(x)?)),
            Expr::Bin(op, x, y) => CExpr::Bin(*op, Box::new(self.expr(x)?), Box::new(self.expr(y)?)),
        })
    }

    /// Adds `f`'s nodes; returns the root's index and its look-ahead in steps.
    fn node(&mut self, f: &Formula, first_only: bool) -> Result<(usize, usize), CompileError> {
        let (kind, delay) = match f {
            Formula::Bool(b) => (Kind::Const(if *b { f64::INFINITY } else { f64::NEG_INFINITY }), 0),
            Formula::Compare(cmp, x, y) => (Kind::Compare(*cmp, self.expr(x)?, self.expr(y)?), 0),
            Formula::Not(p) => {
                let (c, d) = self.node(p, first_only)?;
                (Kind::Not(c), d)
            }
            Formula::And(p, q) | Formula::Or(p, q) | Formula::Implies(p, q) => {
                let logic = match f {
                    Formula::And(..) => Logic::And,
                    Formula::Or(..) => Logic::Or,
                    _ => Logic::Implies,
                };
                let (l, dl) = self.node(p, first_only)?;
                let (r, dr) = self.node(q, first_only)?;
                (Kind::Logic(logic, l, r), dl.max(dr))
            }
            Formula::Prev(p) => {
                let (child, d) = self.node(p, false)?;
                (Kind::Prev { child, last: f64::INFINITY }, d)
            }
            Formula::Next(p) => {
                let (child, d) = self.node(p, false)?;
                (Kind::Next { child, received: 0 }, d + 1)
            }
            Formula::Temporal(op, interval, p) => {
                let (lo, hi) = self.interval(interval)?;
                let (child, d) = self.node(p, false)?;
                let kind = match op {
                    Temporal::Always | Temporal::Historically => Extremum::Min,
                    Temporal::Eventually | Temporal::Once => Extremum::Max,
                };
                match (op, hi) {
                    (Temporal::Always | Temporal::Eventually, Some(hi)) => (
                        Kind::Ahead { child, lo, hi, wedge: Wedge::new(kind, hi - lo + 1), received: 0 },
                        d + hi,
                    ),
                    (Temporal::Always | Temporal::Eventually, None) => {
                        if !first_only {
                            return Err(CompileError {
                                offset: interval.offset,
                                message: "an unbounded future operator needs the whole run, so it may only be \
                                          judged at the start (under `and`, `or`, `not`, `->` only); give it an \
                                          upper bound, e.g. `[0, 10]`"
                                    .into(),
                            });
                        }
                        (Kind::AheadUnbounded { child, kind, lo, acc: kind.empty(), received: 0 }, d)
                    }
                    (_, hi) => {
                        let window = hi.map_or(1, |hi| hi - lo + 1);
                        let behind = Kind::Behind {
                            child,
                            lo,
                            hi,
                            delay: VecDeque::with_capacity(lo + 1),
                            wedge: Wedge::new(kind, window),
                            acc: kind.empty(),
                            received: 0,
                        };
                        (behind, d)
                    }
                }
            }
            Formula::Until(interval, p, q) | Formula::Since(interval, p, q) => {
                let (lo, hi) = self.interval(interval)?;
                let hi = hi.unwrap_or_else(|| unreachable!("the parser requires a bound"));
                let (l, dl) = self.node(p, false)?;
                let (r, dr) = self.node(q, false)?;
                let (phi, psi) = (VecDeque::with_capacity(hi + 2), VecDeque::with_capacity(hi + 2));
                if matches!(f, Formula::Until(..)) {
                    (Kind::Until { l, r, lo, hi, phi, psi, received: 0 }, dl.max(dr) + hi)
                } else {
                    (Kind::Since { l, r, lo, hi, phi, psi }, dl.max(dr))
                }
            }
        };
        self.nodes.push(Node { kind, port: Port { out: VecDeque::new(), emitted: 0, first_only } });
        Ok((self.nodes.len() - 1, delay))
    }
}

impl Monitor {
    /// Compiles `formula` over the signals named `signals` (a sample is one
    /// value per name, in this order), sampled every `dt` seconds, to be
    /// judged at its first sample.
    pub fn new(formula: &Formula, signals: &[&str], dt: f64) -> Result<Self, CompileError> {
        Self::build(formula, signals, dt, true)
    }

    /// Like [`Monitor::new`], but the formula's robustness at every step is
    /// kept for [`Monitor::pop_output`] (no unbounded future operator allowed).
    pub fn every_step(formula: &Formula, signals: &[&str], dt: f64) -> Result<Self, CompileError> {
        Self::build(formula, signals, dt, false)
    }

    fn build(formula: &Formula, signals: &[&str], dt: f64, first_only: bool) -> Result<Self, CompileError> {
        let mut c = Compiler { signals, dt, nodes: Vec::new() };
        let (_, delay) = c.node(formula, first_only)?;
        let mut nodes = c.nodes;
        // No queue holds more than the look-ahead plus the value in hand.
        for n in &mut nodes {
            n.port.out = VecDeque::with_capacity(delay + 2);
        }
        let witness = match nodes.last().map(|n| &n.kind) {
            Some(Kind::Ahead { lo, hi, wedge, .. }) if wedge_is_min(wedge) => Some((*lo, *hi)),
            Some(Kind::AheadUnbounded { kind: Extremum::Min, lo, .. }) => Some((*lo, usize::MAX)),
            _ => None,
        }
        .map(|(lo, hi)| Witness { lo, hi, worst: None, first_negative: None });
        let mut m = Self { nodes, samples: 0, witness, capacity: 0 };
        m.capacity = m.capacity();
        Ok(m)
    }

    /// Feeds one sample: `values[i]` is the signal named `signals[i]` at this step.
    pub fn step(&mut self, values: &[f64]) {
        self.samples += 1;
        for i in 0..self.nodes.len() {
            self.advance(i, Some(values));
        }
    }

    /// Ends the run and returns the formula's judgement at the first sample
    /// (+∞ robustness for a run without samples).
    pub fn finish(&mut self) -> Judgement {
        for i in 0..self.nodes.len() {
            self.advance(i, None);
            self.flush(i);
        }
        let root = self.nodes.last().and_then(|n| n.port.out.front().copied()).unwrap_or(f64::INFINITY);
        Judgement {
            robustness: root,
            worst_step: self.witness.and_then(|w| w.worst.map(|(j, _)| j)),
            first_violation_step: self.witness.and_then(|w| w.first_negative),
        }
    }

    /// The next robustness value of the formula at successive steps
    /// (monitors made by [`Monitor::every_step`]).
    pub fn pop_output(&mut self) -> Option<f64> {
        self.nodes.last_mut().and_then(|n| n.port.out.pop_front())
    }

    /// Values held in every buffer now: bounded by the formula's time
    /// bounds, whatever the run's length.
    pub fn buffered(&self) -> usize {
        self.nodes
            .iter()
            .map(|n| {
                n.port.out.len()
                    + match &n.kind {
                        Kind::Ahead { wedge, .. } => wedge.len(),
                        Kind::Behind { delay, wedge, .. } => delay.len() + wedge.len(),
                        Kind::Until { phi, psi, .. } | Kind::Since { phi, psi, .. } => phi.len() + psi.len(),
                        _ => 0,
                    }
            })
            .sum()
    }

    /// Total capacity of every buffer; unchanged after compilation (a step never allocates).
    pub fn capacity(&self) -> usize {
        self.nodes
            .iter()
            .map(|n| {
                n.port.out.capacity()
                    + match &n.kind {
                        Kind::Ahead { wedge, .. } => wedge.capacity(),
                        Kind::Behind { delay, wedge, .. } => delay.capacity() + wedge.capacity(),
                        Kind::Until { phi, psi, .. } | Kind::Since { phi, psi, .. } => {
                            phi.capacity() + psi.capacity()
                        }
                        _ => 0,
                    }
            })
            .sum()
    }

    /// The capacity right after compilation.
    pub fn initial_capacity(&self) -> usize {
        self.capacity
    }

    /// Consumes what node `i`'s operands produced (and, with `sample`, this
    /// step's value of a leaf).
    fn advance(&mut self, i: usize, sample: Option<&[f64]>) {
        let (before, rest) = self.nodes.split_at_mut(i);
        let is_root = rest.len() == 1;
        let Node { kind, port: node } = &mut rest[0];
        match kind {
            Kind::Const(v) => {
                if sample.is_some() {
                    let v = *v;
                    node.emit(v);
                }
            }
            Kind::Compare(cmp, x, y) => {
                if let Some(s) = sample {
                    let (x, y) = (x.eval(s), y.eval(s));
                    let r = match cmp {
                        Cmp::Gt | Cmp::Ge => x - y,
                        Cmp::Lt | Cmp::Le => y - x,
                        Cmp::Eq => -(x - y).abs(),
                        Cmp::Ne => (x - y).abs(),
                    };
                    node.emit(r);
                }
            }
            Kind::Not(c) => {
                while let Some(v) = before[*c].port.out.pop_front() {
                    node.emit(-v);
                }
            }
            Kind::Logic(op, l, r) => {
                let op = *op;
                let (l, r) = (*l, *r);
                while !before[l].port.out.is_empty() && !before[r].port.out.is_empty() {
                    let a = before[l].port.out.pop_front().unwrap_or(f64::NAN);
                    let b = before[r].port.out.pop_front().unwrap_or(f64::NAN);
                    node.emit(match op {
                        Logic::And => a.min(b),
                        Logic::Or => a.max(b),
                        Logic::Implies => (-a).max(b),
                    });
                }
            }
            Kind::Prev { child, last } => {
                let c = *child;
                while let Some(v) = before[c].port.out.pop_front() {
                    let out = std::mem::replace(last, v);
                    node.emit(out);
                }
            }
            Kind::Next { child, received } => {
                let c = *child;
                while let Some(v) = before[c].port.out.pop_front() {
                    *received += 1;
                    if *received > 1 {
                        node.emit(v);
                    }
                }
            }
            Kind::Ahead { child, lo, hi, wedge, received } => {
                let c = *child;
                while let Some(v) = before[c].port.out.pop_front() {
                    let j = *received;
                    *received += 1;
                    if is_root && let Some(w) = &mut self.witness {
                        w.observe(j, v);
                    }
                    if j >= node.emitted + *lo {
                        wedge.push(j, v);
                    }
                    if j >= node.emitted + *hi {
                        wedge.expire(node.emitted + *lo);
                        let v = wedge.extremum();
                        node.emit(v);
                    }
                }
            }
            Kind::AheadUnbounded { child, kind, lo, acc, received } => {
                let c = *child;
                while let Some(v) = before[c].port.out.pop_front() {
                    let j = *received;
                    *received += 1;
                    if is_root && let Some(w) = &mut self.witness {
                        w.observe(j, v);
                    }
                    if j >= *lo {
                        *acc = kind.pick(*acc, v);
                    }
                }
            }
            Kind::Behind { child, lo, hi, delay, wedge, acc, received } => {
                let c = *child;
                while let Some(v) = before[c].port.out.pop_front() {
                    let k = *received;
                    *received += 1;
                    delay.push_back(v);
                    if delay.len() > *lo {
                        let entering = delay.pop_front().unwrap_or(f64::NAN);
                        match hi {
                            Some(_) => wedge.push(k - *lo, entering),
                            None => *acc = wedge_kind(wedge).pick(*acc, entering),
                        }
                    }
                    let value = match hi {
                        Some(hi) => {
                            wedge.expire(k.saturating_sub(*hi));
                            if k < *lo { wedge_kind(wedge).empty() } else { wedge.extremum() }
                        }
                        None => *acc,
                    };
                    node.emit(value);
                }
            }
            Kind::Until { l, r, lo, hi, phi, psi, received } => {
                let (l, r) = (*l, *r);
                while !before[l].port.out.is_empty() && !before[r].port.out.is_empty() {
                    phi.push_back(before[l].port.out.pop_front().unwrap_or(f64::NAN));
                    psi.push_back(before[r].port.out.pop_front().unwrap_or(f64::NAN));
                    let j = *received;
                    *received += 1;
                    if j >= node.emitted + *hi {
                        let v = until_at_front(phi, psi, *lo, *hi);
                        phi.pop_front();
                        psi.pop_front();
                        node.emit(v);
                    }
                }
            }
            Kind::Since { l, r, lo, hi, phi, psi } => {
                let (l, r) = (*l, *r);
                while !before[l].port.out.is_empty() && !before[r].port.out.is_empty() {
                    phi.push_back(before[l].port.out.pop_front().unwrap_or(f64::NAN));
                    psi.push_back(before[r].port.out.pop_front().unwrap_or(f64::NAN));
                    if phi.len() > *hi + 1 {
                        phi.pop_front();
                        psi.pop_front();
                    }
                    // Newest first: j = k, k-1, …; `m` is min φ over (j, k].
                    let (mut m, mut best) = (f64::INFINITY, f64::NEG_INFINITY);
                    for (back, (&p, &q)) in phi.iter().rev().zip(psi.iter().rev()).enumerate() {
                        if back >= *lo {
                            best = best.max(q.min(m));
                        }
                        m = m.min(p);
                    }
                    node.emit(best);
                }
            }
        }
    }

    /// At the end of the run: the values of node `i` that waited for samples
    /// beyond the end, over the windows cut there.
    fn flush(&mut self, i: usize) {
        let n = self.samples;
        let Node { kind, port: node } = &mut self.nodes[i];
        match kind {
            Kind::Next { .. } if !node.done(n) => node.emit(f64::INFINITY),
            Kind::Ahead { lo, wedge, .. } => {
                while !node.done(n) {
                    wedge.expire(node.emitted + *lo);
                    let v = wedge.extremum();
                    node.emit(v);
                }
            }
            Kind::AheadUnbounded { acc, .. } if n > 0 && node.emitted == 0 => {
                let v = *acc;
                node.emit(v);
            }
            Kind::Until { lo, hi, phi, psi, .. } => {
                while !node.done(n) {
                    let v = until_at_front(phi, psi, *lo, *hi);
                    phi.pop_front();
                    psi.pop_front();
                    node.emit(v);
                }
            }
            _ => {}
        }
    }
}

fn wedge_is_min(w: &Wedge) -> bool {
    w.extremum_kind() == Extremum::Min
}

fn wedge_kind(w: &Wedge) -> Extremum {
    w.extremum_kind()
}

/// `φ until[lo,hi] ψ` at the step held at the front of the buffers.
fn until_at_front(phi: &VecDeque<f64>, psi: &VecDeque<f64>, lo: usize, hi: usize) -> f64 {
    let (mut m, mut best) = (f64::INFINITY, f64::NEG_INFINITY);
    for (ahead, (&p, &q)) in phi.iter().zip(psi.iter()).enumerate().take(hi + 1) {
        if ahead >= lo {
            best = best.max(q.min(m));
        }
        m = m.min(p);
    }
    best
}

impl Witness {
    fn observe(&mut self, j: usize, v: f64) {
        if j < self.lo || j > self.hi {
            return;
        }
        if self.worst.is_none_or(|(_, w)| v < w) {
            self.worst = Some((j, v));
        }
        if v < 0.0 && self.first_negative.is_none() {
            self.first_negative = Some(j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    const SIGNALS: [&str; 2] = ["a", "b"];

    /// The definitions, evaluated directly over the whole trace.
    fn brute(f: &Formula, xs: &[[f64; 2]], k: usize, dt: f64) -> f64 {
        let n = xs.len() as isize;
        let steps = |s: f64| (s / dt).round() as isize;
        let k = k as isize;
        let at = |g: &Formula, j: isize| brute(g, xs, j as usize, dt);
        let expr = |e: &Expr| -> f64 {
            fn go(e: &Expr, s: &[f64; 2]) -> f64 {
                match e {
                    Expr::Const(x) => *x,
                    Expr::Signal(n, _) => s[if n == "a" { 0 } else { 1 }],
                    Expr::Neg(x) => -go(x, s),
                    Expr::Abs(x) => go(x, s).abs(),
                    Expr::Bin(op, x, y) => {
                        let (x, y) = (go(x, s), go(y, s));
                        match op {
                            Arith::Add => x + y,
                            Arith::Sub => x - y,
                            Arith::Mul => x * y,
                            Arith::Div => x / y,
                            Arith::Min => x.min(y),
                            Arith::Max => x.max(y),
                        }
                    }
                }
            }
            go(e, &xs[k as usize])
        };
        match f {
            Formula::Bool(b) => {
                if *b {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                }
            }
            Formula::Compare(c, x, y) => {
                let (x, y) = (expr(x), expr(y));
                match c {
                    Cmp::Gt | Cmp::Ge => x - y,
                    Cmp::Lt | Cmp::Le => y - x,
                    Cmp::Eq => -(x - y).abs(),
                    Cmp::Ne => (x - y).abs(),
                }
            }
            Formula::Not(p) => -at(p, k),
            Formula::And(p, q) => at(p, k).min(at(q, k)),
            Formula::Or(p, q) => at(p, k).max(at(q, k)),
            Formula::Implies(p, q) => (-at(p, k)).max(at(q, k)),
            Formula::Prev(p) => {
                if k == 0 {
                    f64::INFINITY
                } else {
                    at(p, k - 1)
                }
            }
            Formula::Next(p) => {
                if k + 1 >= n {
                    f64::INFINITY
                } else {
                    at(p, k + 1)
                }
            }
            Formula::Temporal(op, i, p) => {
                let lo = steps(i.lo);
                let hi = i.hi.map_or(n, steps);
                let (from, to) = match op {
                    Temporal::Always | Temporal::Eventually => (k + lo, (k + hi).min(n - 1)),
                    _ => ((k - hi).max(0), k - lo),
                };
                let vals = (from..=to).map(|j| at(p, j));
                match op {
                    Temporal::Always | Temporal::Historically => vals.fold(f64::INFINITY, f64::min),
                    _ => vals.fold(f64::NEG_INFINITY, f64::max),
                }
            }
            Formula::Until(i, p, q) => {
                let (lo, hi) = (steps(i.lo), steps(i.hi.unwrap()));
                (k + lo..=(k + hi).min(n - 1))
                    .map(|j| (k..j).map(|i| at(p, i)).fold(at(q, j), f64::min))
                    .fold(f64::NEG_INFINITY, f64::max)
            }
            Formula::Since(i, p, q) => {
                let (lo, hi) = (steps(i.lo), steps(i.hi.unwrap()));
                ((k - hi).max(0)..=k - lo)
                    .map(|j| (j + 1..=k).map(|i| at(p, i)).fold(at(q, j), f64::min))
                    .fold(f64::NEG_INFINITY, f64::max)
            }
        }
    }

    fn trace(n: usize) -> Vec<[f64; 2]> {
        (0..n).map(|i| [((i * 37 % 23) as f64 - 11.0) * 0.25, ((i * 53 % 19) as f64 - 9.0) * 0.5]).collect()
    }

    const FORMULAS: [&str; 22] = [
        "a > 0",
        "a <= b - 1",
        "abs(a) * 2 != max(b, 1) / 4 && not a == b",
        "a > 0 -> b > 0",
        "a > 0 or b > 1.5",
        "prev a > 0",
        "next (a > 0 and prev b > 0)",
        "always[0, 0.3] a > -2",
        "always[0.2, 0.5] (a > 0 -> eventually[0, 0.2] b > 0)",
        "eventually[0.1, 0.4] a - b > 1",
        "historically[0, 0.3] a > -2",
        "once[0.2, 0.5] b > 3",
        "historically[0.1, inf) b > -4",
        "once a > 2.5",
        "a > 0 until[0, 0.2] b > 0",
        "a > -1 until[0.1, 0.3] b > 2",
        "a > 0 since[0, 0.2] b > 0",
        "a > -1 since[0.1, 0.3] (b > 2 or prev a > 0)",
        "always[0,0.5] (a > 0 since[0, 0.1] b > 0) and eventually[0, 0.1] next a > 1",
        "not always[0, 0.2] (eventually[0.1, 0.3] a > 0 until[0, 0.1] b > 0)",
        "true and b > 0",
        "false or always[0, 0.1] b < 2",
    ];

    #[test]
    fn every_operator_matches_its_definition_at_every_step() {
        let dt = 0.1;
        for n in [1, 2, 5, 40] {
            let xs = trace(n);
            let samples: Vec<Vec<f64>> = xs.iter().map(|s| s.to_vec()).collect();
            for text in FORMULAS {
                let f = parse(text).unwrap();
                let got = crate::robustness_trace(&f, &SIGNALS, dt, &samples).unwrap();
                let want: Vec<f64> = (0..n).map(|k| brute(&f, &xs, k, dt)).collect();
                assert_eq!(got, want, "{text} over {n} steps");
            }
        }
    }

    #[test]
    fn unbounded_future_operators_are_judged_at_the_end() {
        let dt = 0.1;
        let xs = trace(50);
        for text in [
            "always a > -3",
            "eventually[0.5, inf) a > 2",
            "always (a > 0 -> eventually[0, 0.3] b > 0) and eventually b > 4",
            "not eventually[1, inf) (a > 2 since[0, 0.1] b > 0)",
        ] {
            let f = parse(text).unwrap();
            let mut m = Monitor::new(&f, &SIGNALS, dt).unwrap();
            for s in &xs {
                m.step(s);
            }
            assert_eq!(m.finish().robustness, brute(&f, &xs, 0, dt), "{text}");
        }
    }

    #[test]
    fn always_reports_its_worst_and_first_violating_steps() {
        let f = parse("always[0.1, inf) a > 0").unwrap();
        let mut m = Monitor::new(&f, &SIGNALS, 1.0 / 10.0).unwrap();
        for a in [-9.0, 2.0, -1.0, 3.0, -4.0, -4.0, 1.0] {
            m.step(&[a, 0.0]);
        }
        let j = m.finish();
        assert_eq!((j.robustness, j.worst_step, j.first_violation_step), (-4.0, Some(4), Some(2)));
    }

    #[test]
    fn memory_stays_bounded_over_a_million_steps() {
        let f = parse(
            "always (a > 0 -> eventually[0, 2] b > 0) and always[0, 1000] (a > -20 since[0, 1] b > -20) \
             and (a > -30 until[0.5, 1] b > -30) and historically[0, 3] a > -50 and once b > -50",
        )
        .unwrap();
        let dt = 0.05;
        let mut m = Monitor::new(&f, &SIGNALS, dt).unwrap();
        let cap = m.initial_capacity();
        let mut most = 0;
        for i in 0..1_000_000u64 {
            let x = ((i * 7919 % 1000) as f64) / 100.0 - 4.0;
            m.step(&[x, -x]);
            most = most.max(m.buffered());
        }
        assert_eq!(m.capacity(), cap, "no buffer grew");
        // The bounds: 2 s = 40 steps, 1000 s = 20000 steps, 1 s, 3 s; far below 10⁶.
        assert!(most < 20_200, "buffered {most}");
        assert!(m.finish().robustness.is_finite());
    }

    #[test]
    fn compile_errors_point_into_the_formula() {
        let e = Monitor::new(&parse("always (a > 0 and c < 1)").unwrap(), &SIGNALS, 0.1).unwrap_err();
        assert_eq!(e.offset, 18);
        assert!(e.message.contains("unknown signal `c` (known: a, b)"), "{e}");
        let e = Monitor::new(&parse("always[0, 0.25] a > 0").unwrap(), &SIGNALS, 0.1).unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(e.message.contains("not a whole number of steps"), "{e}");
        let e =
            Monitor::new(&parse("always (a > 0 -> eventually b > 0)").unwrap(), &SIGNALS, 0.1).unwrap_err();
        assert_eq!(e.offset, 17);
        assert!(e.message.contains("unbounded future operator"), "{e}");
        // At the top, under boolean operators, it is fine.
        Monitor::new(&parse("not (eventually b > 0) or always a > 0").unwrap(), &SIGNALS, 0.1).unwrap();
    }
}
