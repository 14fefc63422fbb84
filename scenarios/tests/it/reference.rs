//! The README's scenario-file reference against the file schema
//! (`gauntlet schema scenario`, generated from `raw.rs`): every field and
//! every variant the schema accepts is documented, and every field or
//! variant the reference names exists.

use std::collections::BTreeSet;

use serde_json::Value;

/// The "Scenario files" section of the README, up to the next `## ` heading.
fn reference() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    let start = readme.find("\n## Scenario files\n").expect("the reference section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_string()
}

/// Every property name and every enum variant name in the schema.
fn schema_names() -> BTreeSet<String> {
    fn walk(v: &Value, names: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    names.extend(props.keys().cloned());
                }
                if let Some(Value::String(s)) = map.get("const") {
                    names.insert(s.clone());
                }
                if let Some(Value::Array(values)) = map.get("enum") {
                    names.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
                }
                map.values().for_each(|v| walk(v, names));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, names)),
            _ => {}
        }
    }
    let schema = schemars::schema_for!(gauntlet_scenarios::raw::ScenarioFile).to_value();
    let mut names = BTreeSet::new();
    walk(&schema, &mut names);
    names
}

/// The text inside backticks and fenced code blocks, where the reference
/// writes file syntax.
fn code(text: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        if rest[start..].starts_with("```") {
            let body = &rest[start + 3..];
            let end = body.find("```").expect("the code block ends");
            spans.push(&body[..end]);
            rest = &body[end + 3..];
        } else {
            let body = &rest[start + 1..];
            let end = body.find('`').expect("the code span ends");
            spans.push(&body[..end]);
            rest = &body[end + 1..];
        }
    }
    spans
}

/// Identifiers in `text`, each with the character that follows it.
fn identifiers(text: &str) -> Vec<(&str, Option<char>)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_ascii_alphabetic() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push((&text[i..end], text[end..].chars().next()));
        } else if c.is_ascii_digit() {
            // Skip a number's tail (`1e-9`, `0x1f`): not an identifier.
            while chars.peek().is_some_and(|&(_, d)| d.is_ascii_alphanumeric() || d == '.') {
                chars.next();
            }
        }
    }
    out
}

#[test]
fn every_field_and_variant_of_the_schema_is_documented() {
    let reference = reference();
    let documented: BTreeSet<&str> =
        code(&reference).into_iter().flat_map(identifiers).map(|(name, _)| name).collect();
    let missing: Vec<String> =
        schema_names().into_iter().filter(|n| !documented.contains(n.as_str())).collect();
    assert!(missing.is_empty(), "the README's scenario reference does not document {missing:?}");
}

#[test]
fn every_field_and_variant_the_reference_names_exists() {
    let reference = reference();
    // Error messages quoted by the reference are output, not file syntax.
    let syntax = &reference[..reference.find("Bad input never panics").expect("the errors paragraph")];
    let names = schema_names();
    let mut unknown = BTreeSet::new();
    for span in code(syntax) {
        for (name, next) in identifiers(span) {
            let field = next == Some(':') && name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            let variant = next == Some('(') && name.chars().next().is_some_and(|c| c.is_ascii_uppercase());
            // `Scenario(`, `Range(` and `Choice(` are RON's names for the file and a parameter.
            if (field || variant) && !names.contains(name) && !["Scenario", "Range", "Choice"].contains(&name)
            {
                unknown.insert(name.to_string());
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "the README's scenario reference names what the schema does not accept: {unknown:?}"
    );
}

#[test]
fn the_checks_see_a_field_that_is_missing_and_one_that_does_not_exist() {
    let names = schema_names();
    for name in [
        "id",
        "lanes",
        "friction",
        "latency_steps",
        "KeepLane",
        "EgoTimeToArrival",
        "MaxJerk",
        "trigger_shift",
    ] {
        assert!(names.contains(name), "{name} in the schema");
    }
    assert!(!names.contains("no_such_field"));
    let ids: Vec<&str> =
        identifiers("`road: (lanes: 3)` and 1e-9 `MinTtc(min: 2.0)`").iter().map(|p| p.0).collect();
    assert_eq!(ids, ["road", "lanes", "and", "MinTtc", "min"]);
}
