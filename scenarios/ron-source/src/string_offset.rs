//! From a byte offset inside a string's decoded value to the byte offset in
//! its RON literal: quotes, escapes and raw-string hashes accounted for.

/// The byte offset in `literal` (text starting at a string literal: `"…"`
/// or `r#"…"#`) of the character at byte `offset` of its decoded value;
/// `None` when `literal` is not a string or is shorter.
pub(crate) fn raw_offset(literal: &str, offset: usize) -> Option<usize> {
    let (body_start, raw) = if let Some(rest) = literal.strip_prefix('r') {
        let hashes = rest.chars().take_while(|&c| c == '#').count();
        if !rest[hashes..].starts_with('"') {
            return None;
        }
        (1 + hashes + 1, true)
    } else if literal.starts_with('"') {
        (1, false)
    } else {
        return None;
    };
    let body = &literal[body_start..];
    if raw {
        return (offset <= body.len()).then_some(body_start + offset);
    }
    let mut decoded = 0;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if decoded >= offset {
            return Some(body_start + i);
        }
        match c {
            '"' => return None,
            '\\' => match chars.next() {
                Some((_, 'u')) => {
                    // `\u{XXXX}`: one character of its UTF-8 length.
                    let mut hex = String::new();
                    for (_, h) in chars.by_ref() {
                        if h == '}' {
                            break;
                        }
                        if h != '{' {
                            hex.push(h);
                        }
                    }
                    decoded +=
                        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).map_or(1, char::len_utf8);
                }
                Some(_) => decoded += 1,
                None => return None,
            },
            c => decoded += c.len_utf8(),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_skip_quotes_escapes_and_hashes() {
        assert_eq!(raw_offset(r#""abc""#, 2), Some(3));
        assert_eq!(raw_offset(r#""a\"bc""#, 2), Some(4));
        assert_eq!(raw_offset(r#""\u{e9}x""#, 2), Some(7));
        assert_eq!(raw_offset(r##"r#"a"b"#"##, 3), Some(6));
        assert_eq!(raw_offset(r#""ab""#, 5), None);
        assert_eq!(raw_offset("12", 0), None);
    }
}
