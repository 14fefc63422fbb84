//! The formula parser: a hand-written lexer and recursive-descent parser
//! whose errors carry the byte offset inside the formula.
//!
//! Precedence, loosest first: `->` (`implies`, right-associative), `or`
//! (`||`), `and` (`&&`), `until`/`since`, the prefix operators (`not` `!`,
//! `always`, `eventually`, `historically`, `once`, `prev`, `next`), then
//! comparisons of arithmetic expressions (`+ -`, then `* /`, then unary `-`,
//! `abs(x)`, `min(x, y)`, `max(x, y)`, constants, signals, parentheses).

use crate::ast::{Arith, Cmp, Expr, Formula, Interval, Temporal};

/// A formula that does not parse: what went wrong and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("at offset {offset}: {message}")]
pub struct ParseError {
    /// Byte offset inside the formula text.
    pub offset: usize,
    /// What was expected and found.
    pub message: String,
}

/// Parses a formula.
pub fn parse(text: &str) -> Result<Formula, ParseError> {
    let tokens = lex(text)?;
    let mut p = Parser { tokens, at: 0, end: text.len(), furthest: None };
    let f = p.formula()?;
    match p.peek() {
        Tok::End => Ok(f),
        t => Err(p.error_here(format!("expected the end of the formula, found {}", t.describe()))),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Sym(&'static str),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Num(x) => format!("the number {x}"),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::End => "the end of the formula".into(),
        }
    }
}

/// Units a constant may carry, longest first, with their factor to SI.
const UNITS: [(&str, f64); 14] = [
    ("m/s^2", 1.0),
    ("m/s^3", 1.0),
    ("m/s²", 1.0),
    ("m/s³", 1.0),
    ("rad/s", 1.0),
    ("deg/s", std::f64::consts::PI / 180.0),
    ("km/h", 1.0 / 3.6),
    ("m/s", 1.0),
    ("rad", 1.0),
    ("deg", std::f64::consts::PI / 180.0),
    ("ms", 1e-3),
    ("km", 1e3),
    ("m", 1.0),
    ("s", 1.0),
];

const SYMBOLS: [&str; 19] =
    ["->", "<=", ">=", "==", "!=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "(", ")", "[", "]", ","];

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            while i < text.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            if i < text.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
                let mut j = i + 1;
                if j < text.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                    j += 1;
                }
                if j < text.len() && bytes[j].is_ascii_digit() {
                    i = j;
                    while i < text.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let mut value: f64 = text[start..i].parse().map_err(|_| ParseError {
                offset: start,
                message: format!("expected a number, found `{}`", &text[start..i]),
            })?;
            // An optional unit right after the number (spaces allowed).
            let mut j = i;
            while j < text.len() && bytes[j] == b' ' {
                j += 1;
            }
            for (unit, factor) in UNITS {
                if text[j..].starts_with(unit) && !text[j + unit.len()..].chars().next().is_some_and(is_ident)
                {
                    value *= factor;
                    i = j + unit.len();
                    break;
                }
            }
            out.push((Tok::Num(value), start));
            continue;
        }
        if is_ident(c) {
            let start = i;
            while i < text.len() && is_ident(bytes[i] as char) {
                i += 1;
            }
            out.push((Tok::Ident(text[start..i].to_owned()), start));
            continue;
        }
        match SYMBOLS.iter().find(|s| text[i..].starts_with(**s)) {
            Some(s) => {
                out.push((Tok::Sym(s), i));
                i += s.len();
            }
            None => return Err(ParseError { offset: i, message: format!("unexpected character `{c}`") }),
        }
    }
    out.push((Tok::End, text.len()));
    Ok(out)
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    at: usize,
    end: usize,
    /// The error that got furthest, kept across backtracking.
    furthest: Option<ParseError>,
}

type R<T> = Result<T, ParseError>;

const KEYWORDS: [&str; 14] = [
    "and",
    "or",
    "not",
    "implies",
    "always",
    "eventually",
    "historically",
    "once",
    "until",
    "since",
    "prev",
    "next",
    "true",
    "false",
];

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.at].0
    }
    fn offset(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |t| t.1)
    }
    fn bump(&mut self) -> Tok {
        let t = self.tokens[self.at].0.clone();
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
        t
    }
    fn error_here(&mut self, message: String) -> ParseError {
        let e = ParseError { offset: self.offset(), message };
        match &self.furthest {
            Some(f) if f.offset > e.offset => f.clone(),
            _ => {
                self.furthest = Some(e.clone());
                e
            }
        }
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(x) if x == w)
    }
    fn expect_sym(&mut self, s: &str) -> R<()> {
        if self.is_sym(s) {
            self.bump();
            Ok(())
        } else {
            let found = self.peek().describe();
            Err(self.error_here(format!("expected `{s}`, found {found}")))
        }
    }

    fn formula(&mut self) -> R<Formula> {
        let lhs = self.or()?;
        if self.is_sym("->") || self.is_word("implies") {
            self.bump();
            let rhs = self.formula()?;
            return Ok(Formula::Implies(Box::new(lhs), Box::new(rhs)));
        }
        Ok(lhs)
    }

    fn or(&mut self) -> R<Formula> {
        let mut lhs = self.and()?;
        while self.is_sym("||") || self.is_word("or") {
            self.bump();
            let rhs = self.and()?;
            lhs = Formula::Or(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> R<Formula> {
        let mut lhs = self.binary_temporal()?;
        while self.is_sym("&&") || self.is_word("and") {
            self.bump();
            let rhs = self.binary_temporal()?;
            lhs = Formula::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn binary_temporal(&mut self) -> R<Formula> {
        let lhs = self.unary()?;
        for word in ["until", "since"] {
            if self.is_word(word) {
                let at = self.offset();
                self.bump();
                let interval = self.interval()?;
                let Some(interval) = interval.filter(|i| i.hi.is_some()) else {
                    return Err(ParseError {
                        offset: at,
                        message: format!("`{word}` needs a bounded interval, e.g. `{word}[0, 5]`"),
                    });
                };
                let rhs = self.unary()?;
                let (l, r) = (Box::new(lhs), Box::new(rhs));
                return Ok(if word == "until" {
                    Formula::Until(interval, l, r)
                } else {
                    Formula::Since(interval, l, r)
                });
            }
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> R<Formula> {
        if self.is_sym("!") || self.is_word("not") {
            self.bump();
            return Ok(Formula::Not(Box::new(self.unary()?)));
        }
        let temporal = [
            ("always", Temporal::Always),
            ("eventually", Temporal::Eventually),
            ("historically", Temporal::Historically),
            ("once", Temporal::Once),
        ];
        for (word, op) in temporal {
            if self.is_word(word) {
                let at = self.offset();
                self.bump();
                let interval = self.interval()?.unwrap_or(Interval { lo: 0.0, hi: None, offset: at });
                return Ok(Formula::Temporal(op, interval, Box::new(self.unary()?)));
            }
        }
        if self.is_word("prev") {
            self.bump();
            return Ok(Formula::Prev(Box::new(self.unary()?)));
        }
        if self.is_word("next") {
            self.bump();
            return Ok(Formula::Next(Box::new(self.unary()?)));
        }
        if self.is_word("true") || self.is_word("false") {
            let value = self.is_word("true");
            self.bump();
            return Ok(Formula::Bool(value));
        }
        // A comparison, or a parenthesised formula: try the comparison first.
        let start = self.at;
        match self.comparison() {
            Ok(f) => Ok(f),
            Err(e) => {
                if !self.tokens[start].0.eq(&Tok::Sym("(")) {
                    return Err(e);
                }
                self.at = start;
                self.bump();
                let f = self.formula()?;
                self.expect_sym(")")?;
                Ok(f)
            }
        }
    }

    /// An optional `[lo, hi]` (`hi` may be `inf`), in seconds.
    fn interval(&mut self) -> R<Option<Interval>> {
        if !self.is_sym("[") {
            return Ok(None);
        }
        let offset = self.offset();
        self.bump();
        let lo = self.bound_number()?;
        self.expect_sym(",")?;
        let hi = if self.is_word("inf") {
            self.bump();
            None
        } else {
            Some(self.bound_number()?)
        };
        if self.is_sym("]") || self.is_sym(")") {
            self.bump();
        } else {
            let found = self.peek().describe();
            return Err(self.error_here(format!("expected `]`, found {found}")));
        }
        let lo =
            lo.ok_or_else(|| ParseError { offset, message: "the lower bound cannot be `inf`".into() })?;
        if let Some(hi) = hi.flatten()
            && hi < lo
        {
            return Err(ParseError {
                offset,
                message: format!("empty interval [{lo}, {hi}]: the upper bound is below the lower"),
            });
        }
        Ok(Some(Interval { lo, hi: hi.flatten(), offset }))
    }

    /// A non-negative bound in seconds (`None` for `inf`).
    fn bound_number(&mut self) -> R<Option<f64>> {
        match self.peek().clone() {
            Tok::Num(x) => {
                self.bump();
                Ok(Some(x))
            }
            Tok::Ident(w) if w == "inf" => {
                self.bump();
                Ok(None)
            }
            t => Err(self.error_here(format!("expected a time bound in s, found {}", t.describe()))),
        }
    }

    fn comparison(&mut self) -> R<Formula> {
        let lhs = self.expr()?;
        let cmp = match self.peek() {
            Tok::Sym("<") => Cmp::Lt,
            Tok::Sym("<=") => Cmp::Le,
            Tok::Sym(">") => Cmp::Gt,
            Tok::Sym(">=") => Cmp::Ge,
            Tok::Sym("==") => Cmp::Eq,
            Tok::Sym("!=") => Cmp::Ne,
            t => {
                let found = t.describe();
                return Err(self.error_here(format!(
                    "expected a comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`), found {found}"
                )));
            }
        };
        self.bump();
        let rhs = self.expr()?;
        Ok(Formula::Compare(cmp, lhs, rhs))
    }

    fn expr(&mut self) -> R<Expr> {
        let mut lhs = self.term()?;
        loop {
            let op = if self.is_sym("+") {
                Arith::Add
            } else if self.is_sym("-") && !self.is_sym("->") {
                Arith::Sub
            } else {
                return Ok(lhs);
            };
            self.bump();
            let rhs = self.term()?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn term(&mut self) -> R<Expr> {
        let mut lhs = self.factor()?;
        loop {
            let op = if self.is_sym("*") {
                Arith::Mul
            } else if self.is_sym("/") {
                Arith::Div
            } else {
                return Ok(lhs);
            };
            self.bump();
            let rhs = self.factor()?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn factor(&mut self) -> R<Expr> {
        let at = self.offset();
        match self.peek().clone() {
            Tok::Sym("-") => {
                self.bump();
                Ok(Expr::Neg(Box::new(self.factor()?)))
            }
            Tok::Sym("(") => {
                self.bump();
                let e = self.expr()?;
                self.expect_sym(")")?;
                Ok(e)
            }
            Tok::Num(x) => {
                self.bump();
                Ok(Expr::Const(x))
            }
            Tok::Ident(w) if w == "abs" || w == "min" || w == "max" => {
                self.bump();
                self.expect_sym("(")?;
                let x = self.expr()?;
                let e = if w == "abs" {
                    Expr::Abs(Box::new(x))
                } else {
                    self.expect_sym(",")?;
                    let y = self.expr()?;
                    let op = if w == "min" { Arith::Min } else { Arith::Max };
                    Expr::Bin(op, Box::new(x), Box::new(y))
                };
                self.expect_sym(")")?;
                Ok(e)
            }
            Tok::Ident(w) if w == "inf" => {
                self.bump();
                Ok(Expr::Const(f64::INFINITY))
            }
            Tok::Ident(w) if !KEYWORDS.contains(&w.as_str()) => {
                self.bump();
                Ok(Expr::Signal(w, at))
            }
            t => Err(self.error_here(format!("expected a signal, a number or `(`, found {}", t.describe()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(name: &str, at: usize) -> Expr {
        Expr::Signal(name.into(), at)
    }

    #[test]
    fn precedence_and_intervals() {
        let f = parse("always[0, 5] (a > 1 s -> eventually[0,inf) b >= 2 and not c < 3)").unwrap();
        let Formula::Temporal(Temporal::Always, i, body) = f else { panic!("{f:?}") };
        assert_eq!((i.lo, i.hi), (0.0, Some(5.0)));
        let Formula::Implies(lhs, rhs) = *body else { panic!() };
        assert_eq!(*lhs, Formula::Compare(Cmp::Gt, sig("a", 14), Expr::Const(1.0)));
        let Formula::And(ev, not) = *rhs else { panic!("{rhs:?}") };
        assert!(matches!(*ev, Formula::Temporal(Temporal::Eventually, Interval { hi: None, .. }, _)));
        assert!(matches!(*not, Formula::Not(_)));
    }

    #[test]
    fn arithmetic_units_and_parentheses() {
        let f = parse("(abs(x - 2) * 3 + min(y, 36 km/h)) / 2 <= -(z) ").unwrap();
        let Formula::Compare(Cmp::Le, lhs, rhs) = f else { panic!() };
        assert_eq!(rhs, Expr::Neg(Box::new(sig("z", 44))));
        let Expr::Bin(Arith::Div, num, _) = lhs else { panic!() };
        let Expr::Bin(Arith::Add, _, m) = *num else { panic!() };
        assert_eq!(*m, Expr::Bin(Arith::Min, Box::new(sig("y", 22)), Box::new(Expr::Const(10.0))));
        // A unit only where the word ends: `2 m/speed` is 2 m divided by `speed`.
        let f = parse("x > 2 m/speed").unwrap();
        assert!(matches!(f, Formula::Compare(Cmp::Gt, _, Expr::Bin(Arith::Div, _, _))));
        assert_eq!(parse("x > 250 ms").unwrap(), Formula::Compare(Cmp::Gt, sig("x", 0), Expr::Const(0.25)));
    }

    #[test]
    fn parenthesised_formulas_and_binary_temporal() {
        let f = parse("((a > 0) until[1, 2] (b > 0)) || prev next c > 0").unwrap();
        let Formula::Or(u, p) = f else { panic!() };
        assert!(matches!(*u, Formula::Until(Interval { lo: 1.0, hi: Some(2.0), .. }, _, _)));
        assert!(matches!(*p, Formula::Prev(_)));
    }

    #[test]
    fn errors_carry_the_offset() {
        let e = parse("always[0, 5] (ttc > )").unwrap_err();
        assert_eq!(e.offset, 20, "{e}");
        assert!(e.message.contains("expected a signal"), "{e}");
        let e = parse("a > 1 until b > 2").unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(e.message.contains("bounded interval"));
        let e = parse("a > 1 $").unwrap_err();
        assert_eq!(e.offset, 6);
        let e = parse("always[5, 2] a > 1").unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(e.message.contains("empty interval"));
        let e = parse("a > 1 b").unwrap_err();
        assert_eq!((e.offset, e.message.as_str()), (6, "expected the end of the formula, found `b`"));
        let e = parse("(a > 1").unwrap_err();
        assert_eq!(e.offset, 6, "{e}");
    }
}
