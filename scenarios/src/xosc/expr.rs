//! OpenSCENARIO 1.1+ expressions, `${…}`: arithmetic on numbers and
//! parameters, the standard's functions, and `not`/`and`/`or` on booleans.
//!
//! The grammar (ASAM OpenSCENARIO 1.1, "Expressions"), loosest first:
//!
//! ```text
//! expr    := or
//! or      := and ("or" and)*
//! and     := sum ("and" sum)*
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/" | "%") unary)*
//! unary   := ("-" | "not") unary | primary
//! primary := number | "true" | "false" | "$"name | "(" expr ")" | func "(" expr ("," expr)* ")"
//! func    := round floor ceil min max pow sqrt sin cos tan asin acos atan sign abs
//! ```
//!
//! Every value is a double; booleans are 1 (true) and 0 (false), and
//! `not`/`and`/`or` take any non-zero value as true. `round` rounds half
//! away from zero, `%` is the remainder of truncated division (the sign of
//! the dividend), as C's `fmod`. A result that is not finite (division by
//! zero, `sqrt(-1)`) is an error.

/// Evaluates the expression inside `${…}` (without the braces); `param`
/// gives a parameter's value as written. Errors are in words.
pub(crate) fn eval(src: &str, param: &dyn Fn(&str) -> Option<String>) -> Result<f64, String> {
    let tokens = lex(src)?;
    let mut p = Parser { tokens: &tokens, at: 0, param };
    let v = p.or()?;
    if let Some(t) = p.tokens.get(p.at) {
        return Err(format!("unexpected {} after the expression", t.describe()));
    }
    finite(v, "the expression")
}

/// Formats an expression's value as an attribute's text: integers without
/// a fraction (so that `${-1 * 2}` reads as the lane id `-2`).
pub(crate) fn format(v: f64) -> String {
    if v == libm::trunc(v) && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Param(String),
    Word(String),
    Op(char),
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Num(v) => format!("the number {v}"),
            Tok::Param(p) => format!("${p}"),
            Tok::Word(w) => format!("`{w}`"),
            Tok::Op(c) => format!("`{c}`"),
        }
    }
}

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            // An exponent: 1e-3, 2.5E+4.
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = chars[start..i].iter().collect();
            let v = text.parse::<f64>().map_err(|_| format!("{text:?} is not a number"))?;
            out.push(Tok::Num(v));
        } else if c == '$' {
            let start = i + 1;
            i = start;
            while i < chars.len() && ident(chars[i]) {
                i += 1;
            }
            if i == start {
                return Err("`$` without a parameter name".into());
            }
            out.push(Tok::Param(chars[start..i].iter().collect()));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && ident(chars[i]) {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else if "+-*/%(),".contains(c) {
            out.push(Tok::Op(c));
            i += 1;
        } else {
            return Err(format!("unexpected character {c:?}"));
        }
    }
    Ok(out)
}

struct Parser<'t, 'p> {
    tokens: &'t [Tok],
    at: usize,
    param: &'p dyn Fn(&str) -> Option<String>,
}

fn truth(v: f64) -> bool {
    v != 0.0
}

fn boolean(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

fn finite(v: f64, what: &str) -> Result<f64, String> {
    if v.is_finite() { Ok(v) } else { Err(format!("{what} has no finite value")) }
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at)
    }

    fn word(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Word(x)) if x == w) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn op(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Op(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.op(c) {
            return Ok(());
        }
        match self.peek() {
            Some(t) => Err(format!("expected `{c}`, found {}", t.describe())),
            None => Err(format!("expected `{c}` before the end")),
        }
    }

    fn or(&mut self) -> Result<f64, String> {
        let mut v = self.and()?;
        while self.word("or") {
            let r = self.and()?;
            v = boolean(truth(v) || truth(r));
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<f64, String> {
        let mut v = self.sum()?;
        while self.word("and") {
            let r = self.sum()?;
            v = boolean(truth(v) && truth(r));
        }
        Ok(v)
    }

    fn sum(&mut self) -> Result<f64, String> {
        let mut v = self.product()?;
        loop {
            if self.op('+') {
                v += self.product()?;
            } else if self.op('-') {
                v -= self.product()?;
            } else {
                return Ok(v);
            }
        }
    }

    fn product(&mut self) -> Result<f64, String> {
        let mut v = self.unary()?;
        loop {
            if self.op('*') {
                v *= self.unary()?;
            } else if self.op('/') {
                let r = self.unary()?;
                v = finite(v / r, "a division (by zero?)")?;
            } else if self.op('%') {
                let r = self.unary()?;
                v = finite(libm::fmod(v, r), "a remainder (of a division by zero?)")?;
            } else {
                return Ok(v);
            }
        }
    }

    fn unary(&mut self) -> Result<f64, String> {
        if self.op('-') {
            return Ok(-self.unary()?);
        }
        if self.word("not") {
            return Ok(boolean(!truth(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<f64, String> {
        let Some(tok) = self.peek().cloned() else { return Err("the expression ends too early".into()) };
        self.at += 1;
        match tok {
            Tok::Num(v) => Ok(v),
            Tok::Op('(') => {
                let v = self.or()?;
                self.expect(')')?;
                Ok(v)
            }
            Tok::Param(name) => {
                let text = (self.param)(&name).ok_or_else(|| format!("undeclared parameter ${name}"))?;
                match text.trim() {
                    "true" => Ok(1.0),
                    "false" => Ok(0.0),
                    t => t
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| format!("${name} is {t:?}, not a number or boolean")),
                }
            }
            Tok::Word(w) if w == "true" => Ok(1.0),
            Tok::Word(w) if w == "false" => Ok(0.0),
            Tok::Word(w) => self.call(&w),
            other => Err(format!("unexpected {}", other.describe())),
        }
    }

    fn call(&mut self, f: &str) -> Result<f64, String> {
        let arity = match f {
            "round" | "floor" | "ceil" | "sqrt" | "sin" | "cos" | "tan" | "asin" | "acos" | "atan"
            | "sign" | "abs" => 1,
            "min" | "max" | "pow" => 2,
            _ => return Err(format!("unknown function or word `{f}`")),
        };
        self.expect('(')?;
        let mut args = vec![self.or()?];
        while self.op(',') {
            args.push(self.or()?);
        }
        self.expect(')')?;
        if args.len() != arity {
            return Err(format!("`{f}` takes {arity} argument(s), found {}", args.len()));
        }
        let a = args[0];
        let v = match f {
            "round" => libm::round(a),
            "floor" => libm::floor(a),
            "ceil" => libm::ceil(a),
            "sqrt" => libm::sqrt(a),
            "sin" => libm::sin(a),
            "cos" => libm::cos(a),
            "tan" => libm::tan(a),
            "asin" => libm::asin(a),
            "acos" => libm::acos(a),
            "atan" => libm::atan(a),
            "sign" => {
                if a > 0.0 {
                    1.0
                } else if a < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            "abs" => a.abs(),
            "min" => a.min(args[1]),
            "max" => a.max(args[1]),
            "pow" => libm::pow(a, args[1]),
            _ => unreachable!("arity checked above"),
        };
        finite(v, &format!("`{f}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> Result<f64, String> {
        let params = |p: &str| match p {
            "Speed" => Some("20.0".to_owned()),
            "Lanes" => Some("3".to_owned()),
            "On" => Some("true".to_owned()),
            "Name" => Some("car".to_owned()),
            _ => None,
        };
        eval(s, &params)
    }

    #[test]
    fn arithmetic_follows_precedence_and_parentheses() {
        assert_eq!(ev("1 + 2 * 3"), Ok(7.0));
        assert_eq!(ev("(1 + 2) * 3"), Ok(9.0));
        assert_eq!(ev("10 - 4 - 3"), Ok(3.0), "left associative");
        assert_eq!(ev("12 / 3 / 2"), Ok(2.0));
        assert_eq!(ev("-2 * -3"), Ok(6.0));
        assert_eq!(ev("- (1 + 1)"), Ok(-2.0));
        assert_eq!(ev("7 % 3"), Ok(1.0));
        assert_eq!(ev("-7 % 3"), Ok(-1.0), "the dividend's sign");
        assert_eq!(ev("1.5e1 + .5"), Ok(15.5));
    }

    #[test]
    fn parameters_are_read_as_numbers_or_booleans() {
        assert_eq!(ev("$Speed / 3.6 * 3.6"), Ok(20.0));
        assert_eq!(ev("$Speed * $Lanes"), Ok(60.0));
        assert_eq!(ev("$On and $Lanes"), Ok(1.0));
        assert!(ev("$Missing + 1").unwrap_err().contains("undeclared parameter $Missing"));
        assert!(ev("$Name + 1").unwrap_err().contains("not a number"));
    }

    #[test]
    fn the_standard_functions() {
        assert_eq!(ev("round(2.5)"), Ok(3.0));
        assert_eq!(ev("round(-2.5)"), Ok(-3.0), "half away from zero");
        assert_eq!(ev("floor(-1.5)"), Ok(-2.0));
        assert_eq!(ev("ceil(1.2)"), Ok(2.0));
        assert_eq!(ev("min(3, $Lanes - 1)"), Ok(2.0));
        assert_eq!(ev("max(-1, -2)"), Ok(-1.0));
        assert_eq!(ev("pow(2, 10)"), Ok(1024.0));
        assert_eq!(ev("sqrt(16)"), Ok(4.0));
        assert_eq!(ev("sign(-0.1) + sign(0) + sign(4)"), Ok(0.0));
        assert_eq!(ev("abs(-3)"), Ok(3.0));
        assert!((ev("sin(0) + cos(0) + tan(0)").unwrap() - 1.0).abs() < 1e-15);
        assert!((ev("asin(1) * 2 - acos(-1)").unwrap()).abs() < 1e-15);
        assert!((ev("atan(1) * 4 - acos(-1)").unwrap()).abs() < 1e-15);
    }

    #[test]
    fn booleans_combine_with_not_and_or() {
        assert_eq!(ev("not true"), Ok(0.0));
        assert_eq!(ev("not 0"), Ok(1.0));
        assert_eq!(ev("true and false"), Ok(0.0));
        assert_eq!(ev("true or false"), Ok(1.0));
        assert_eq!(ev("false or not false and true"), Ok(1.0), "and binds tighter than or");
        assert_eq!(ev("not (1 - 1) and 2"), Ok(1.0));
    }

    #[test]
    fn malformed_expressions_are_refused_in_words() {
        for (src, part) in [
            ("1 +", "ends too early"),
            ("(1 + 2", "expected `)`"),
            ("1 2", "unexpected the number 2"),
            ("foo(1)", "unknown function"),
            ("min(1)", "takes 2 argument"),
            ("1 / 0", "division"),
            ("5 % 0", "remainder"),
            ("sqrt(-1)", "`sqrt`"),
            ("1 # 2", "unexpected character"),
            ("$", "without a parameter name"),
        ] {
            let e = ev(src).expect_err(src);
            assert!(e.contains(part), "{src}: {e}");
        }
    }

    #[test]
    fn integral_values_format_as_integers() {
        assert_eq!(format(-2.0), "-2");
        assert_eq!(format(3.5), "3.5");
        assert_eq!(format(0.0), "0");
    }
}
