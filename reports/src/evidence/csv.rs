//! RFC 4180 CSV: the one field quoting of the evidence tables.

/// `field` as one CSV field: quoted when it holds a comma, a quote, a line
/// break or leading/trailing space, with quotes doubled.
pub(crate) fn field(field: &str) -> String {
    let needs = field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ');
    if needs { format!("\"{}\"", field.replace('"', "\"\"")) } else { field.to_owned() }
}

/// One CSV line (CRLF-terminated, as RFC 4180 says) of `fields`.
pub(crate) fn line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields.iter().map(|f| field(f.as_ref())).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_that_need_it_are_quoted() {
        assert_eq!(field("SR-001"), "SR-001");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(line(&["a", "b,c"]), "a,\"b,c\"\r\n");
    }
}
