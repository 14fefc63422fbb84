//! A small, forgiving RON tokenizer: enough to find values by path, never to judge a file.
//!
//! Malformed input (an unterminated string or comment) never fails here: the rest of the file
//! becomes one opaque token. Nothing in this module recurses, so any nesting depth is safe.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `(`, `[` or `{`.
    Open(char),
    /// `)`, `]` or `}`.
    Close(char),
    Comma,
    Colon,
    /// An identifier, raw (`r#type`) or not, including `true`, `Some`, `inf`.
    Ident,
    /// A string or byte string, escaped or raw.
    Str,
    /// A character or byte literal.
    Char,
    /// A number, with its sign.
    Number,
    /// Anything else (`#`, `!`, stray characters, the rest of an unterminated literal).
    Other,
}

/// One token: its kind and its byte range in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The tokens of a text, with each opening bracket's closing partner.
#[derive(Debug)]
pub(crate) struct Tokens {
    pub(crate) tokens: Vec<Token>,
    /// For an `Open` token, the index of its matching `Close`; `None` when unclosed or not an
    /// opening bracket.
    pub(crate) partner: Vec<Option<usize>>,
    /// The opening brackets never closed, outermost first.
    pub(crate) unclosed: Vec<usize>,
}

impl Tokens {
    pub(crate) fn new(text: &str) -> Self {
        let tokens = tokenize(text);
        let mut partner = vec![None; tokens.len()];
        let mut open = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            match token.kind {
                Kind::Open(_) => open.push(i),
                Kind::Close(_) => {
                    if let Some(o) = open.pop() {
                        partner[o] = Some(i);
                    }
                }
                _ => {}
            }
        }
        Self { tokens, partner, unclosed: open }
    }

    pub(crate) fn len(&self) -> usize {
        self.tokens.len()
    }

    pub(crate) fn kind(&self, i: usize) -> Option<Kind> {
        self.tokens.get(i).map(|t| t.kind)
    }
}

fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(bytes, i);
                continue;
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                Kind::Open(c as char)
            }
            b')' | b']' | b'}' => {
                i += 1;
                Kind::Close(c as char)
            }
            b',' => {
                i += 1;
                Kind::Comma
            }
            b':' => {
                i += 1;
                Kind::Colon
            }
            b'"' => {
                i = skip_string(bytes, i + 1);
                Kind::Str
            }
            b'\'' => {
                i = skip_char(bytes, i + 1);
                Kind::Char
            }
            b'b' if bytes.get(i + 1) == Some(&b'"') => {
                i = skip_string(bytes, i + 2);
                Kind::Str
            }
            b'b' if bytes.get(i + 1) == Some(&b'\'') => {
                i = skip_char(bytes, i + 2);
                Kind::Char
            }
            b'b' if bytes.get(i + 1) == Some(&b'r') && is_raw_string_start(bytes, i + 2) => {
                i = skip_raw_string(bytes, i + 2);
                Kind::Str
            }
            b'r' if is_raw_string_start(bytes, i + 1) => {
                i = skip_raw_string(bytes, i + 1);
                Kind::Str
            }
            b'r' if bytes.get(i + 1) == Some(&b'#') => {
                i = skip_ident(text, i + 2);
                Kind::Ident
            }
            b'0'..=b'9' => {
                i = skip_number(bytes, i);
                Kind::Number
            }
            b'+' | b'-' | b'.' if bytes.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric()) => {
                i = skip_number(bytes, i + 1);
                Kind::Number
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('\0');
                if ch == '_' || ch.is_alphabetic() {
                    i = skip_ident(text, i);
                    Kind::Ident
                } else {
                    i += ch.len_utf8().max(1);
                    Kind::Other
                }
            }
        };
        tokens.push(Token { kind, start, end: i });
    }
    tokens
}

/// Block comments nest in RON, as in Rust.
fn skip_block_comment(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// From just after the opening quote to just after the closing one.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// From just after the opening `'` to just after the closing one.
fn skip_char(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\'' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Whether `#*"` starts at `i` (what follows the `r` of a raw string).
fn is_raw_string_start(bytes: &[u8], i: usize) -> bool {
    let hashes = bytes[i.min(bytes.len())..].iter().take_while(|&&b| b == b'#').count();
    bytes.get(i + hashes) == Some(&b'"')
}

fn skip_raw_string(bytes: &[u8], i: usize) -> usize {
    let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
    let mut j = i + hashes + 1;
    while j < bytes.len() {
        if bytes[j] == b'"' && bytes[j + 1..].iter().take(hashes).filter(|&&b| b == b'#').count() == hashes {
            return j + 1 + hashes;
        }
        j += 1;
    }
    bytes.len()
}

fn skip_ident(text: &str, i: usize) -> usize {
    let len: usize =
        text[i..].chars().take_while(|&c| c == '_' || c.is_alphanumeric()).map(char::len_utf8).sum();
    i + len
}

/// Digits, letters (hex, exponents, suffixes, `inf`), `_`, `.`, and a sign right after an
/// exponent's `e`.
fn skip_number(bytes: &[u8], mut i: usize) -> usize {
    let hex = bytes.get(i) == Some(&b'0') && matches!(bytes.get(i + 1), Some(b'x' | b'X'));
    while i < bytes.len() {
        let b = bytes[i];
        let exponent_sign = matches!(b, b'+' | b'-') && !hex && i > 0 && matches!(bytes[i - 1], b'e' | b'E');
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || exponent_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokenize(text).into_iter().map(|t| (t.kind, &text[t.start..t.end])).collect()
    }

    #[test]
    fn tokenizes_structure_and_literals() {
        let text = r##"Foo(a: -1.5e-3, b: "x)\"]", c: 'q', d: r#"raw " ]"#, e: [0x1F, b"by"], f: r#type)"##;
        let toks = kinds(text);
        let texts: Vec<&str> = toks.iter().map(|t| t.1).collect();
        assert_eq!(
            texts,
            vec![
                "Foo",
                "(",
                "a",
                ":",
                "-1.5e-3",
                ",",
                "b",
                ":",
                r#""x)\"]""#,
                ",",
                "c",
                ":",
                "'q'",
                ",",
                "d",
                ":",
                r##"r#"raw " ]"#"##,
                ",",
                "e",
                ":",
                "[",
                "0x1F",
                ",",
                "b\"by\"",
                "]",
                ",",
                "f",
                ":",
                "r#type",
                ")"
            ]
        );
        assert_eq!(toks[4].0, Kind::Number);
        assert_eq!(toks[8].0, Kind::Str);
        assert_eq!(toks[12].0, Kind::Char);
        assert_eq!(toks[28].0, Kind::Ident);
    }

    #[test]
    fn skips_comments_including_nested_block_comments() {
        let text = "// line ( [\n( /* a /* nested ] */ still ) */ x )";
        let texts: Vec<&str> = kinds(text).into_iter().map(|t| t.1).collect();
        assert_eq!(texts, vec!["(", "x", ")"]);
    }

    #[test]
    fn matches_brackets_and_tolerates_unclosed_ones() {
        let tokens = Tokens::new("( [ ] ( ");
        assert_eq!(tokens.partner[0], None);
        assert_eq!(tokens.partner[1], Some(2));
        assert_eq!(tokens.partner[3], None);
        assert_eq!(tokens.unclosed, vec![0, 3]);
    }

    #[test]
    fn unterminated_literals_swallow_the_rest() {
        assert_eq!(
            kinds("(a: \"open"),
            vec![(Kind::Open('('), "("), (Kind::Ident, "a"), (Kind::Colon, ":"), (Kind::Str, "\"open")]
        );
        assert_eq!(kinds("/* open").len(), 0);
    }

    #[test]
    fn deep_nesting_is_iterative() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let tokens = Tokens::new(&text);
        assert_eq!(tokens.len(), 200_000);
        assert_eq!(tokens.partner[0], Some(199_999));
    }
}
