//! Escaping: HTML text and attributes, JSON embedded in `<script>`, and
//! fragment ids built from user strings.
//!
//! Every string that comes from a scenario, a record, a taxonomy or a trace
//! passes through one of these before it reaches the page. The output is
//! also well-formed XML (polyglot HTML), which the tests check with an XML
//! parser.

use std::fmt::Write as _;

/// Escapes `s` for HTML text and for quoted attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become character references. Control
/// characters other than tab, line feed and carriage return, and the
/// non-characters U+FFFE and U+FFFF, become U+FFFD: HTML renders them as
/// nothing useful and XML forbids them even as references.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if forbidden_in_xml(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Serialises `value` as JSON that is safe inside `<script type="application/json">`.
///
/// `<`, `>` and `&` are written as `\u003c`, `\u003e` and `\u0026` (they can
/// only occur inside JSON strings, where these escapes mean the same), so no
/// `</script>` or `<!--` in the data can end the element early and the text
/// needs no further HTML escaping. U+2028, U+2029 and the characters XML
/// forbids are escaped the same way.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    let raw = value.to_string();
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// A fragment id (`kind-…`) for `key`, usable in `id="…"` and `href="#…"`.
///
/// ASCII letters, digits, `-` and `.` are kept; every other byte of the
/// UTF-8 encoding becomes `_` and two hex digits, so distinct keys give
/// distinct ids and an id never needs escaping.
pub(crate) fn anchor(kind: &str, key: &str) -> String {
    let mut out = String::with_capacity(kind.len() + 1 + key.len());
    out.push_str(kind);
    out.push('-');
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "_{b:02x}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_text_and_both_quote_styles() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>&amp;</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(escape("plain · ü"), "plain · ü");
        assert_eq!(escape("a\u{1}b\tc\u{ffff}"), "a\u{fffd}b\tc\u{fffd}");
    }

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let value = serde_json::json!({"t": "</script><script>alert(1)</script> & <!-- \u{2028}"});
        let text = script_json(&value);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "{text}");
        assert!(text.contains(r"\u003c/script\u003e"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn anchors_are_safe_and_distinct() {
        assert_eq!(anchor("job", "cut_in.highway"), "job-cut_5fin.highway");
        assert_eq!(anchor("s", "a b\"<"), "s-a_20b_22_3c");
        assert_ne!(anchor("s", "a_2e"), anchor("s", "a."));
        assert_eq!(anchor("s", "ü"), "s-_c3_bc");
    }
}
