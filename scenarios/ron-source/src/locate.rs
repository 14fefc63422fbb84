//! Finding a value in RON text by its [`FieldPath`].

use std::cell::Cell;

use crate::scan::{Kind, Tokens};
use crate::{FieldPath, Segment};

/// How many steps (path segments plus wrappers entered) a search may nest; deeper searches give
/// up, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 512;

/// How many values one search may visit in all: trying both readings of `(x)` (a 1-tuple or a
/// wrapper) at every level could otherwise take exponential time on `((((…))))`.
const MAX_VISITS: usize = 100_000;

/// The byte offset of the first character of the value at `path`, if the text has one there.
pub(crate) fn locate(text: &str, path: &FieldPath) -> Option<usize> {
    let tokens = Tokens::new(text);
    let walker = Walker { text, tokens: &tokens, visits: Cell::new(0) };
    let root = walker.skip_attributes(0)?;
    let found = walker.find(root, path.segments(), 0)?;
    Some(tokens.tokens[found].start)
}

/// One item inside brackets: `key: value` or a bare `value`.
struct Item {
    key: Option<(usize, usize)>,
    value: usize,
}

struct Walker<'a> {
    text: &'a str,
    tokens: &'a Tokens,
    visits: Cell<usize>,
}

impl Walker<'_> {
    fn text_of(&self, i: usize) -> &str {
        let t = &self.tokens.tokens[i];
        &self.text[t.start..t.end]
    }

    /// Skips `#![enable(...)]` attributes; returns the index of the first token after them.
    fn skip_attributes(&self, mut i: usize) -> Option<usize> {
        while self.tokens.kind(i) == Some(Kind::Other) && self.text_of(i) == "#" {
            let open = (i + 1..self.tokens.len()).find(|&j| self.tokens.kind(j) == Some(Kind::Open('[')))?;
            i = self.tokens.partner[open]? + 1;
        }
        (i < self.tokens.len()).then_some(i)
    }

    /// The index just after the value starting at `i`.
    fn value_end(&self, i: usize) -> usize {
        let past_group = |open: usize| self.tokens.partner[open].map_or(self.tokens.len(), |close| close + 1);
        match self.tokens.kind(i) {
            Some(Kind::Open(_)) => past_group(i),
            Some(Kind::Ident) if self.tokens.kind(i + 1) == Some(Kind::Open('(')) => past_group(i + 1),
            _ => i + 1,
        }
    }

    /// The items between the bracket at `open` and its partner.
    fn items(&self, open: usize) -> Vec<Item> {
        let close = self.tokens.partner[open].unwrap_or(self.tokens.len());
        let mut items = Vec::new();
        let mut i = open + 1;
        while i < close {
            if matches!(self.tokens.kind(i), Some(Kind::Comma | Kind::Colon | Kind::Close(_))) {
                i += 1;
                continue;
            }
            let first_end = self.value_end(i).min(close);
            if self.tokens.kind(first_end) == Some(Kind::Colon) && first_end + 1 < close {
                let value = first_end + 1;
                items.push(Item { key: Some((i, first_end)), value });
                i = self.value_end(value);
            } else {
                items.push(Item { key: None, value: i });
                i = first_end;
            }
        }
        items
    }

    /// A key's text: identifiers without `r#`, strings without quotes, anything else verbatim.
    fn key_text(&self, (start, end): (usize, usize)) -> &str {
        let text = &self.text[self.tokens.tokens[start].start..self.tokens.tokens[end - 1].end];
        if end - start != 1 {
            return text;
        }
        match self.tokens.kind(start) {
            Some(Kind::Ident) => text.strip_prefix("r#").unwrap_or(text),
            Some(Kind::Str) => {
                let inner = text.trim_start_matches(['b', 'r']).trim_matches('#');
                inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(inner)
            }
            _ => text,
        }
    }

    /// The token index of the value reached from the value at `i` by following `segments`.
    fn find(&self, i: usize, segments: &[Segment], depth: usize) -> Option<usize> {
        let Some(first) = segments.first() else {
            return Some(i);
        };
        self.visits.set(self.visits.get() + 1);
        if depth > MAX_DEPTH || self.visits.get() > MAX_VISITS {
            return None;
        }
        match self.tokens.kind(i)? {
            Kind::Open(_) => self.step(i, segments, depth).or_else(|| self.unwrap(i, i, segments, depth)),
            Kind::Ident => {
                let name = self.key_text((i, i + 1));
                let consumes_variant = matches!(first, Segment::Field(f) if f == name);
                if self.tokens.kind(i + 1) != Some(Kind::Open('(')) {
                    return if consumes_variant { self.find(i, &segments[1..], depth + 1) } else { None };
                }
                let open = i + 1;
                // `Some(x)` is Option's wrapper, never a 1-tuple: serde records no step for it.
                if name == "Some"
                    && let Some(found) = self.unwrap(i, open, segments, depth)
                {
                    return Some(found);
                }
                self.step(open, segments, depth)
                    .or_else(|| consumes_variant.then(|| self.find(i, &segments[1..], depth + 1)).flatten())
                    .or_else(|| self.unwrap(i, open, segments, depth))
            }
            _ => None,
        }
    }

    /// Follows the first segment into one item of the group opened at `open`.
    fn step(&self, open: usize, segments: &[Segment], depth: usize) -> Option<usize> {
        let items = self.items(open);
        let item = match &segments[0] {
            Segment::Field(name) => {
                items.iter().find(|it| it.key.is_some_and(|k| self.key_text(k) == name))?
            }
            Segment::Index(index) => {
                if self.tokens.kind(open) == Some(Kind::Open('{')) {
                    return None;
                }
                items.get(*index).filter(|it| it.key.is_none())?
            }
        };
        self.find(item.value, &segments[1..], depth + 1)
    }

    /// Enters a single-item wrapper (`Some(x)`, `Newtype(x)`, `(x)`) without using a segment.
    fn unwrap(&self, value: usize, open: usize, segments: &[Segment], depth: usize) -> Option<usize> {
        if self.tokens.kind(open) != Some(Kind::Open('(')) {
            return None;
        }
        match self.items(open).as_slice() {
            [Item { key: None, value: inner }] if *inner != value => self.find(*inner, segments, depth + 1),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Position;

    fn at(text: &str, path: &FieldPath) -> Option<(usize, usize)> {
        locate(text, path).map(|offset| {
            let p = Position::after(&text[..offset]);
            (p.line, p.column)
        })
    }

    fn root() -> FieldPath {
        FieldPath::root()
    }

    const SCENARIO: &str = r##"// a scenario
#![enable(implicit_some)]
Scenario(
    id: "cut-in",
    /* a comment with ( and ] inside */
    title: "brackets ( [ { in a string \" still",
    actors: [
        (kind: Vehicle, behaviours: [Follow(speed: 12.5)]),
        (
            kind: Pedestrian,
            behaviours: [
                Wait(2.0),
                Walk(speed: Range(min: 1, max: 2), path: [(0, 0), (3, -4)]),
            ],
            note: Some("x"),
            start: Some((x: 1.0, y: r#"raw ) "#)),
        ),
    ],
    tags: {"road": "urban", weird_key: 3},
)
"##;

    #[test]
    fn root_is_the_value_after_attributes_and_comments() {
        assert_eq!(at(SCENARIO, &root()), Some((3, 1)));
    }

    #[test]
    fn finds_struct_fields_past_comments_and_strings() {
        assert_eq!(at(SCENARIO, &root().field("id")), Some((4, 9)));
        assert_eq!(at(SCENARIO, &root().field("actors")), Some((7, 13)));
        assert_eq!(at(SCENARIO, &root().field("missing")), None);
    }

    #[test]
    fn finds_list_items_and_nested_fields() {
        let actor1 = root().field("actors").index(1);
        assert_eq!(at(SCENARIO, &actor1), Some((9, 9)));
        assert_eq!(at(SCENARIO, &actor1.field("kind")), Some((10, 19)));
        assert_eq!(
            at(SCENARIO, &root().field("actors").index(0).field("behaviours").index(0)),
            Some((8, 38))
        );
        assert_eq!(at(SCENARIO, &root().field("actors").index(2)), None);
    }

    #[test]
    fn enters_enum_variants_and_newtypes() {
        let behaviours = root().field("actors").index(1).field("behaviours");
        // Struct variant: its fields are found directly.
        let walk = behaviours.index(1);
        assert_eq!(at(SCENARIO, &walk.field("speed")), Some((13, 29)));
        // A path naming the variant itself, as serde_path_to_error emits for enums.
        assert_eq!(at(SCENARIO, &walk.field("Walk").field("speed")), Some((13, 29)));
        assert_eq!(at(SCENARIO, &walk.field("speed").field("Range").field("max")), Some((13, 48)));
        assert_eq!(at(SCENARIO, &walk.field("speed").field("max")), Some((13, 48)));
        // Tuple items inside a list inside a variant.
        assert_eq!(at(SCENARIO, &walk.field("path").index(1).index(1)), Some((13, 71)));
        // Newtype variant: `Wait(2.0)`; the variant name, then nothing more.
        assert_eq!(at(SCENARIO, &behaviours.index(0).field("Wait")), Some((12, 17)));
        // Option wrappers are transparent.
        let actor1 = root().field("actors").index(1);
        assert_eq!(at(SCENARIO, &actor1.field("start").field("y")), Some((16, 37)));
        assert_eq!(at(SCENARIO, &actor1.field("note")), Some((15, 19)));
    }

    #[test]
    fn finds_map_keys_quoted_or_not() {
        assert_eq!(at(SCENARIO, &root().field("tags").field("road")), Some((19, 20)));
        assert_eq!(at(SCENARIO, &root().field("tags").field("weird_key")), Some((19, 40)));
        assert_eq!(at(SCENARIO, &root().field("tags").index(0)), None);
    }

    #[test]
    fn descending_into_an_atom_finds_nothing() {
        assert_eq!(at(SCENARIO, &root().field("id").field("x")), None);
        assert_eq!(at("", &root()), None);
        assert_eq!(at("// only a comment", &root()), None);
    }

    #[test]
    fn deep_wrappers_do_not_overflow() {
        let n = 20_000;
        let text = "A(".repeat(n) + "1" + &")".repeat(n);
        assert_eq!(at(&text, &root().field("x")), None);
        let text = "[".repeat(n) + &"]".repeat(n);
        let deep: FieldPath = std::iter::repeat_n(Segment::Index(0), n).collect();
        assert_eq!(at(&text, &deep), None);
        let text = "(".repeat(n) + &")".repeat(n);
        assert_eq!(at(&text, &deep), None);
    }

    #[test]
    fn tolerates_broken_text() {
        assert_eq!(at("(a: [1, 2", &root().field("a").index(1)), Some((1, 9)));
        assert_eq!(at("(a: \"open", &root().field("a")), Some((1, 5)));
    }
}
