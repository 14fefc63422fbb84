//! The syntax tree of a formula: boolean and temporal operators over
//! comparisons of arithmetic signal expressions. Time bounds are in seconds.

/// A time interval `[lo, hi]` in seconds; `hi` is `None` for `inf`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound, s (≥ 0).
    pub lo: f64,
    /// Upper bound, s; `None` for an unbounded interval.
    pub hi: Option<f64>,
    /// Byte offset of the `[` in the formula.
    pub offset: usize,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// A binary arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `min(x, y)`
    Min,
    /// `max(x, y)`
    Max,
}

/// An arithmetic expression over signals.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant (converted to SI units when written with one).
    Const(f64),
    /// A signal, by name, with the byte offset of the name.
    Signal(String, usize),
    /// `-x`
    Neg(Box<Expr>),
    /// `abs(x)`
    Abs(Box<Expr>),
    /// `x op y`
    Bin(Arith, Box<Expr>, Box<Expr>),
}

/// A temporal operator over one operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Temporal {
    /// `always[a,b] φ`: φ at every time in the window ahead (min).
    Always,
    /// `eventually[a,b] φ`: φ at some time in the window ahead (max).
    Eventually,
    /// `historically[a,b] φ`: φ at every time in the window behind (min).
    Historically,
    /// `once[a,b] φ`: φ at some time in the window behind (max).
    Once,
}

/// A formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Formula {
    /// `true` (robustness +∞) or `false` (−∞).
    Bool(bool),
    /// `x cmp y`: robustness is the signed distance (`x - y` for `>`, `>=`).
    Compare(Cmp, Expr, Expr),
    /// `not φ`
    Not(Box<Formula>),
    /// `φ and ψ`
    And(Box<Formula>, Box<Formula>),
    /// `φ or ψ`
    Or(Box<Formula>, Box<Formula>),
    /// `φ -> ψ` (`φ implies ψ`)
    Implies(Box<Formula>, Box<Formula>),
    /// `op[a,b] φ`; the interval defaults to `[0, inf)`.
    Temporal(Temporal, Interval, Box<Formula>),
    /// `φ until[a,b] ψ` (bounded).
    Until(Interval, Box<Formula>, Box<Formula>),
    /// `φ since[a,b] ψ` (bounded).
    Since(Interval, Box<Formula>, Box<Formula>),
    /// `prev φ`: φ one step before (+∞ at the first step).
    Prev(Box<Formula>),
    /// `next φ`: φ one step after (+∞ at the last step).
    Next(Box<Formula>),
}

impl Expr {
    /// Calls `f` on every signal name (and its offset) in the expression.
    pub fn signals<'a>(&'a self, f: &mut impl FnMut(&'a str, usize)) {
        match self {
            Expr::Const(_) => {}
            Expr::Signal(name, at) => f(name, *at),
            Expr::Neg(x) | Expr::Abs(x) => x.signals(f),
            Expr::Bin(_, x, y) => {
                x.signals(f);
                y.signals(f);
            }
        }
    }
}

impl Formula {
    /// Calls `f` on every signal name (and its offset) in the formula.
    pub fn signals<'a>(&'a self, f: &mut impl FnMut(&'a str, usize)) {
        match self {
            Formula::Bool(_) => {}
            Formula::Compare(_, x, y) => {
                x.signals(f);
                y.signals(f);
            }
            Formula::Not(p) | Formula::Temporal(_, _, p) | Formula::Prev(p) | Formula::Next(p) => {
                p.signals(f)
            }
            Formula::And(p, q)
            | Formula::Or(p, q)
            | Formula::Implies(p, q)
            | Formula::Until(_, p, q)
            | Formula::Since(_, p, q) => {
                p.signals(f);
                q.signals(f);
            }
        }
    }
}
