//! A file's text, and turning it into typed values with diagnostics.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::{Diagnostic, FieldPath, Position, closest_match, locate, scan};

/// How deeply values may nest (ron's own default). Real scenario and taxonomy files nest about
/// ten levels; deeper input is refused with a diagnostic instead of overflowing the stack.
pub const RECURSION_LIMIT: usize = 128;

/// The text of one RON file and the path it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as given by the caller; diagnostics show it unchanged.
    pub path: PathBuf,
    /// The file's contents.
    pub text: String,
}

impl SourceFile {
    /// Reads the file at `path`. A leading UTF-8 byte-order mark is dropped.
    ///
    /// # Errors
    ///
    /// A diagnostic naming the OS reason when the file cannot be read, or the position of the
    /// first bad byte when the file is not UTF-8.
    pub fn read(path: &Path) -> Result<Self, Diagnostic> {
        let bytes = std::fs::read(path)
            .map_err(|e| Diagnostic::new(path, format!("failed to read the file: {e}")))?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Self::new(path, text)),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
                Err(Diagnostic::new(
                    path,
                    format!(
                        "the file is not valid UTF-8: byte 0x{:02x} at byte offset {valid} cannot start or \
                         continue a character",
                        bytes[valid]
                    ),
                )
                .with_position(Some(Position::after(prefix))))
            }
        }
    }

    /// A source file from text already in memory (tests, generated files). A leading
    /// byte-order mark is dropped.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        Self { path: path.into(), text }
    }

    /// Deserializes the whole file as one `T`.
    ///
    /// Types should use `#[serde(deny_unknown_fields)]` so misspelt fields are reported.
    ///
    /// # Errors
    ///
    /// A diagnostic for an empty file, a syntax error, a value of the wrong type, an unknown,
    /// missing or duplicate field, an unknown enum variant, nesting deeper than
    /// [`RECURSION_LIMIT`], or text after the value; with the line and column where ron stopped
    /// and the field path where serde was, when known.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        if self.text.trim().is_empty() {
            return Err(Diagnostic::new(&self.path, "the file is empty"));
        }
        let tokens = scan::Tokens::new(&self.text);
        if tokens.len() == 0 {
            return Err(Diagnostic::new(&self.path, "the file is empty (it holds only comments)"));
        }
        let options = ron::Options::default()
            .with_recursion_limit(RECURSION_LIMIT)
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        let mut de = ron::de::Deserializer::from_str_with_options(&self.text, &options)
            .map_err(|e| self.ron_error(&tokens, &e.code, e.span.start, None))?;
        let value = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(value) => value,
            Err(e) => {
                let path = FieldPath::from_serde(e.path());
                let spanned = de.span_error(e.into_inner());
                return Err(self.ron_error(&tokens, &spanned.code, spanned.span.start, Some(path)));
            }
        };
        let rest = de.remainder();
        if let Err(code) = de.end() {
            let offset = self.text.len() - rest.trim_start().len();
            let message = match code {
                ron::Error::TrailingCharacters => "unexpected text after the value".to_owned(),
                other => describe(&other),
            };
            return Err(Diagnostic::new(&self.path, message)
                .with_position(Some(Position::after(&self.text[..offset]))));
        }
        Ok(value)
    }

    /// Where the value at `path` starts in the text: the position of its first character, e.g.
    /// of `12.5` for `actors[0].speed` in `(actors: [(speed: 12.5)])`.
    ///
    /// Struct fields and map keys are found by name, list and tuple items by index; enum
    /// variants and newtype wrappers (`Some(x)`, `Range(min: 1, max: 2)`) are entered when the
    /// next step is not found at their own level, and a step naming the variant itself is
    /// accepted. `None` when the text has no such value.
    pub fn locate(&self, path: &FieldPath) -> Option<Position> {
        locate::locate(&self.text, path).map(|offset| Position::after(&self.text[..offset]))
    }

    /// Where the character at byte `offset` of the decoded string value at
    /// `path` is in the text (escapes and raw strings accounted for); the
    /// string's start when the offset falls outside it.
    pub fn locate_in_string(&self, path: &FieldPath, offset: usize) -> Option<Position> {
        let start = locate::locate(&self.text, path)?;
        let at = crate::string_offset::raw_offset(&self.text[start..], offset).map_or(start, |o| start + o);
        Some(Position::after(&self.text[..at]))
    }

    /// A diagnostic for an error at byte `offset` inside the string at `path`
    /// (a formula, say): positioned at that character, the message saying the offset too.
    pub fn error_in_string(&self, path: FieldPath, offset: usize, message: impl Into<String>) -> Diagnostic {
        let position = self.locate_in_string(&path, offset);
        Diagnostic::new(&self.path, format!("at offset {offset} of the string: {}", message.into()))
            .with_position(position)
            .with_path(path)
    }

    /// A diagnostic for a value that parsed but is semantically wrong (an unknown id, a
    /// negative duration): at `path`, located in the text when possible.
    pub fn error_at(&self, path: FieldPath, message: impl Into<String>) -> Diagnostic {
        let position = self.locate(&path);
        Diagnostic::new(&self.path, message).with_position(position).with_path(path)
    }

    fn ron_error(
        &self,
        tokens: &scan::Tokens,
        code: &ron::Error,
        at: ron::de::Position,
        path: Option<FieldPath>,
    ) -> Diagnostic {
        let position = skip_to_token(&self.text, tokens, at);
        let mut message = describe(code);
        // ron reports running out of input as whatever it expected next; say what happened.
        let eof = matches!(code, ron::Error::Eof);
        if eof || position >= Position::after(self.text.trim_end()) {
            if !eof {
                message = format!("unexpected end of file ({message})");
            }
            if let Some(&open) = tokens.unclosed.last() {
                let token = &tokens.tokens[open];
                let bracket = &self.text[token.start..token.end];
                let opened = Position::after(&self.text[..token.start]);
                message = format!("{message}: the `{bracket}` opened at {opened} is never closed");
            }
        }
        let mut diagnostic = Diagnostic::new(&self.path, message).with_position(Some(position));
        diagnostic.path = path;
        diagnostic
    }
}

/// ron's error span starts where its previous step ended, often before the whitespace and
/// comments that precede the offending token; moves such a position onto that token.
fn skip_to_token(text: &str, tokens: &scan::Tokens, at: ron::de::Position) -> Position {
    let reported = Position { line: at.line, column: at.col };
    let Some(line_start) = text
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .try_fold(0usize, |sum, len| Some(sum + len))
    else {
        return reported;
    };
    let line = &text[line_start..];
    let column_offset: usize = line.chars().take(at.col.saturating_sub(1)).map(char::len_utf8).sum();
    let offset = line_start + column_offset;
    let next = tokens.tokens.iter().find(|t| t.end > offset);
    match next {
        Some(token) if token.start > offset => Position::after(&text[..token.start]),
        _ => reported,
    }
}

/// A lowercase message for a ron error, naming the alternatives and the likely intended name.
fn describe(code: &ron::Error) -> String {
    use ron::Error as E;
    let one_of = |alts: &[&str]| match alts {
        [] => String::new(),
        [only] => format!(", expected `{only}`"),
        _ => format!(
            ", expected one of {}",
            alts.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
        ),
    };
    let did_you_mean = |found: &str, alts: &'static [&'static str]| {
        closest_match(found, alts.iter().copied())
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default()
    };
    match code {
        E::Message(message) => message.clone(),
        E::Eof => "unexpected end of file".to_owned(),
        E::ExceededRecursionLimit => {
            format!("the value nests too deeply (more than {RECURSION_LIMIT} levels)")
        }
        E::Utf8Error(e) => format!("the file is not valid UTF-8: {e}"),
        E::TrailingCharacters => "unexpected text after the value".to_owned(),
        E::UnexpectedChar(c) => format!("unexpected character {c:?}"),
        E::ExpectedFloat => "expected a number".to_owned(),
        E::ExpectedInteger => "expected an integer".to_owned(),
        E::ExpectedString => "expected a string in double quotes".to_owned(),
        E::ExpectedBoolean => "expected `true` or `false`".to_owned(),
        E::InvalidValueForType { expected, found } => format!("expected {expected}, found {found}"),
        E::ExpectedDifferentLength { expected, found } => {
            format!("expected {expected}, found {found} element{}", if *found == 1 { "" } else { "s" })
        }
        E::NoSuchStructField { expected, found, .. } => {
            format!("unknown field `{found}`{}{}", did_you_mean(found, expected), one_of(expected))
        }
        E::NoSuchEnumVariant { expected, found, .. } => {
            format!("unknown variant `{found}`{}{}", did_you_mean(found, expected), one_of(expected))
        }
        E::MissingStructField { field, .. } => format!("missing field `{field}`"),
        E::DuplicateStructField { field, .. } => format!("duplicate field `{field}`"),
        other => lowercase_first(&other.to_string()),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Scenario {
        id: String,
        actors: Vec<Actor>,
        #[serde(default)]
        limit: Option<Range>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Actor {
        kind: Kind,
        speed: f64,
        #[serde(default)]
        behaviours: Vec<Behaviour>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Kind {
        Vehicle,
        Pedestrian,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    enum Behaviour {
        Wait(f64),
        Follow { gap: f64 },
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Range {
        min: f64,
        max: f64,
    }

    fn err(text: &str) -> Diagnostic {
        SourceFile::new("s.ron", text).parse::<Scenario>().unwrap_err()
    }

    fn at(d: &Diagnostic) -> (usize, usize) {
        let p = d.position.expect("a position");
        (p.line, p.column)
    }

    fn path(d: &Diagnostic) -> String {
        d.path.as_ref().map(ToString::to_string).unwrap_or_default()
    }

    const HEAD: &str = "(id: \"a\",\n actors: [\n (kind: Vehicle, speed: 1.0),\n";

    #[test]
    fn parses_a_valid_file() {
        let text = "// comment\n(id: \"a\", actors: [(kind: Pedestrian, speed: 1.0, behaviours: [Wait(2.0), \
                    Follow(gap: 3.0)])], limit: Some(Range(min: 1, max: 2)))";
        let s: Scenario = SourceFile::new("s.ron", text).parse().unwrap();
        assert_eq!(s.actors[0].behaviours, vec![Behaviour::Wait(2.0), Behaviour::Follow { gap: 3.0 }]);
        assert_eq!(s.limit, Some(Range { min: 1.0, max: 2.0 }));
    }

    #[test]
    fn unknown_field_points_at_the_key_and_suggests() {
        let d = err(&format!("{HEAD} (kind: Vehicle, sped: 1.0)])"));
        assert_eq!(at(&d), (4, 18));
        assert_eq!(path(&d), "actors[1].sped");
        assert_eq!(
            d.message,
            "unknown field `sped` (did you mean `speed`?), expected one of `kind`, `speed`, `behaviours`"
        );
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let d = err(&format!("{HEAD} (kind: Vehicle, speed: \"fast\")])"));
        assert_eq!(
            (at(&d), path(&d).as_str(), d.message.as_str()),
            ((4, 25), "actors[1].speed", "expected a number")
        );
        let d = err("(id: 3,\n actors: [])");
        assert_eq!(
            (at(&d), path(&d).as_str(), d.message.as_str()),
            ((1, 6), "id", "expected a string in double quotes")
        );
    }

    #[test]
    fn invalid_enum_variant() {
        let d = err(&format!("{HEAD} (kind: Truck, speed: 1.0)])"));
        assert_eq!(at(&d), (4, 9));
        assert_eq!(path(&d), "actors[1].kind");
        assert_eq!(d.message, "unknown variant `Truck`, expected one of `Vehicle`, `Pedestrian`");
        let d = err(&format!("{HEAD} (kind: Vehicle, speed: 1.0, behaviours: [Wiat(1.0)])])"));
        assert_eq!(path(&d), "actors[1].behaviours[0]");
        assert!(d.message.starts_with("unknown variant `Wiat` (did you mean `Wait`?)"), "{}", d.message);
    }

    #[test]
    fn missing_and_duplicate_fields() {
        let d = err(&format!("{HEAD} (kind: Vehicle)])"));
        assert_eq!(
            (at(&d), path(&d).as_str(), d.message.as_str()),
            ((4, 16), "actors[1]", "missing field `speed`")
        );
        let d = err(&format!("{HEAD} (kind: Vehicle, speed: 1.0, speed: 2.0)])"));
        assert_eq!((path(&d).as_str(), d.message.as_str()), ("actors[1]", "duplicate field `speed`"));
        assert_eq!(at(&d).0, 4);
    }

    #[test]
    fn errors_inside_enum_variants_and_options_carry_the_path() {
        let d =
            err(&format!("{HEAD} (kind: Vehicle, speed: 1.0, behaviours: [Wait(1.0), Follow(gap: true)])])"));
        assert_eq!(path(&d), "actors[1].behaviours[1].Follow.gap");
        assert_eq!(at(&d), (4, 66));
        let d = err("(id: \"a\",\n actors: [], limit: Some((min: 1, maxx: 2)))");
        assert_eq!((at(&d), path(&d).as_str()), ((2, 35), "limit.maxx"));
    }

    #[test]
    fn syntax_errors() {
        let d = err("(id: \"a\"\n actors: [])");
        assert_eq!((at(&d), d.message.as_str()), ((2, 2), "expected comma"));
        let d = err("(id: \"a\", actors: [], limit: Some((min: 1.5.3, max: 2)))");
        assert_eq!(at(&d), (1, 41));
        let d = err("(id: \"a\",\n actors: []) /* unclosed");
        assert_eq!((at(&d), d.message.as_str()), ((2, 14), "unclosed block comment"));
    }

    #[test]
    fn end_of_file_names_the_unclosed_bracket() {
        let d = err("(id: \"a\",\n actors: [(kind: Vehicle, speed: 1.0)]\n");
        assert_eq!(at(&d).0, 2);
        assert!(d.message.starts_with("unexpected end of file"), "{}", d.message);
        assert!(d.message.ends_with("the `(` opened at 1:1 is never closed"), "{}", d.message);
        let d = err("(id: \"a\", actors: [(kind: ");
        assert_eq!(d.message, "unexpected end of file: the `(` opened at 1:20 is never closed");
        let d = err("(id: \"a\", actors: [(");
        assert_eq!(d.message, "unexpected end of file: the `(` opened at 1:20 is never closed");
    }

    #[test]
    fn trailing_text() {
        let d = err("(id: \"a\",\n actors: [])\n  )");
        assert_eq!((at(&d), d.message.as_str()), ((3, 3), "unexpected text after the value"));
    }

    #[test]
    fn empty_files() {
        for text in ["", "  \n\t\n"] {
            let d = err(text);
            assert_eq!((d.position, d.message.as_str()), (None, "the file is empty"));
        }
        let d = err("// nothing\n/* here */\n");
        assert_eq!(d.message, "the file is empty (it holds only comments)");
        assert_eq!(d.to_string(), "s.ron: the file is empty (it holds only comments)");
    }

    #[test]
    fn excessive_nesting_is_an_error_not_a_stack_overflow() {
        let n = 10_000;
        let text = "[".repeat(n) + &"]".repeat(n);
        let d = SourceFile::new("deep.ron", text.as_str()).parse::<ron::Value>().unwrap_err();
        assert!(d.message.contains("nests too deeply"), "{}", d.message);
        assert_eq!(d.position.map(|p| p.line), Some(1));

        #[derive(Debug, Deserialize)]
        struct Node {
            #[serde(rename = "c")]
            _children: Vec<Node>,
        }
        let text = "(c: [".repeat(n) + &"])".repeat(n);
        let d = SourceFile::new("deep.ron", text.as_str()).parse::<Node>().unwrap_err();
        assert!(d.message.contains("nests too deeply"), "{}", d.message);
    }

    #[test]
    fn a_bom_is_dropped() {
        let s: Range = SourceFile::new("s.ron", "\u{feff}(min: 1, max: 2)").parse().unwrap();
        assert_eq!(s, Range { min: 1.0, max: 2.0 });
    }

    fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let path = std::env::temp_dir().join(format!("gauntlet-ron-source-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn reads_files() {
        let path = temp_file("ok.ron", b"(min: 1, max: 2)");
        let file = SourceFile::read(&path).unwrap();
        assert_eq!(file.path, path);
        assert_eq!(file.parse::<Range>().unwrap(), Range { min: 1.0, max: 2.0 });
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn missing_file_gives_the_os_reason() {
        let d = SourceFile::read(Path::new("/nonexistent/gauntlet/x.ron")).unwrap_err();
        assert_eq!(d.file, Path::new("/nonexistent/gauntlet/x.ron"));
        assert!(d.message.starts_with("failed to read the file: "), "{}", d.message);
        assert!(d.message.contains("os error"), "{}", d.message);
    }

    #[test]
    fn non_utf8_file_points_at_the_bad_byte() {
        let path = temp_file("latin1.ron", b"(id: \"a\",\n actors: [], note: \"caf\xe9\")");
        let d = SourceFile::read(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(at(&d), (2, 24));
        assert!(
            d.message.starts_with("the file is not valid UTF-8: byte 0xe9 at byte offset 33"),
            "{}",
            d.message
        );
    }

    #[test]
    fn error_at_locates_semantic_errors() {
        let file = SourceFile::new("s.ron", format!("{HEAD} (kind: Vehicle, speed: -3.0)])"));
        let d = file.error_at(
            FieldPath::root().field("actors").index(1).field("speed"),
            "expected a speed ≥ 0, found -3",
        );
        assert_eq!(d.to_string(), "s.ron:4:25: at `actors[1].speed`: expected a speed ≥ 0, found -3");
        let d = file.error_at(FieldPath::root().field("nowhere"), "m");
        assert_eq!(d.to_string(), "s.ron: at `nowhere`: m");
    }
}
