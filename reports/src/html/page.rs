//! The shell shared by both pages: doctype, head with the inline style
//! sheet, and scripts. The result is polyglot markup: valid HTML5 and
//! well-formed XML (void elements self-closed, scripts in CDATA guards).

use std::fmt::Write as _;

use super::escape::{escape, script_json};

/// The style sheet of both pages.
const STYLE: &str = include_str!("style.css");

/// A JSON blob for the page, as `<script type="application/json" id="…">`.
pub(crate) struct DataBlob<'a> {
    /// The element id the page's script reads it from.
    pub(crate) id: &'a str,
    /// The data.
    pub(crate) value: &'a serde_json::Value,
}

/// Wraps `body` in a complete, self-contained document.
pub(crate) fn document(title: &str, body: &str, data: Option<DataBlob<'_>>, script: Option<&str>) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 4096);
    out.push_str("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n");
    out.push_str("<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    out.push_str("<meta name=\"generator\" content=\"gauntlet\"/>\n");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<style>\n{STYLE}</style>");
    out.push_str("</head>\n<body>\n");
    out.push_str(body);
    if let Some(blob) = data {
        let _ = writeln!(
            out,
            "<script type=\"application/json\" id=\"{}\">{}</script>",
            escape(blob.id),
            script_json(blob.value)
        );
    }
    if let Some(js) = script {
        // The CDATA guard keeps the markup well-formed XML; in HTML it is a
        // pair of JavaScript comments.
        let _ = writeln!(out, "<script>//<![CDATA[\n{js}//]]>\n</script>");
    }
    out.push_str("</body>\n</html>\n");
    out
}
