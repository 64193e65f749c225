//! The request and response examples inside the seed documents, whatever their layout.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where the extracted examples are kept.
fn fixture() -> std::path::PathBuf {
    super::fixtures_dir().join("seed_examples.json")
}

/// One documented example.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Example {
    /// Seed file and heading.
    pub name: String,
    /// The GraphQL document.
    pub query: String,
    /// Its variables.
    pub variables: Value,
    /// The documented response (with or without the `data` envelope).
    pub response: Value,
}

/// The first JSON value starting at or after `from`.
fn json_after(text: &str, from: usize) -> Option<(Value, usize)> {
    let start = from + text[from..].find(['{', '['])?;
    let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
    let v = stream.next()?.ok()?;
    Some((v, start + stream.byte_offset()))
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let s = text.find(open)? + open.len();
    let e = s + text[s..].find(close)?;
    Some(&text[s..e])
}

/// Seed 000 layout: `Graphql query: "..."`, `#### Graphql Input`, `#### Graphql Response`.
fn markdown_examples(file: &str, text: &str) -> Vec<Example> {
    text.split("\n### ")
        .skip(1)
        .filter_map(|block| {
            let title = block.lines().next()?.trim().to_string();
            let q = block.find("Graphql query: ")? + "Graphql query: ".len();
            let mut de = serde_json::Deserializer::from_str(&block[q..]).into_iter::<String>();
            let query = de.next()?.ok()?;
            let input = block.find("#### Graphql Input")?;
            let (variables, _) = json_after(block, input)?;
            let resp = block.find("#### Graphql Response")?;
            let (response, _) = json_after(block, resp)?;
            Some(Example { name: format!("{file}: {title}"), query, variables, response })
        })
        .collect()
}

/// Seed 001 layout: one line with `* ### Title … #### Query ```graphql … ``` #### Variables ```json … ``` … #### Response ```json … ````.
fn inline_examples(file: &str, text: &str) -> Vec<Example> {
    text.split("* ### ")
        .skip(1)
        .filter(|b| !b.starts_with("fileUpdate reference"))
        .filter_map(|block| {
            let title = block[..block.find(" #### ").unwrap_or(40.min(block.len()))].trim().to_string();
            let query = between(block, "#### Query ```graphql", "```")?.trim().to_string();
            let variables: Value =
                serde_json::from_str(between(block, "#### Variables ```json", "```")?.trim()).ok()?;
            let response: Value = serde_json::from_str(between(block, "#### Response ```json", "```")?.trim()).ok()?;
            Some(Example { name: format!("{file}: {title}"), query, variables, response })
        })
        .collect()
}

/// Seed 002 layout: `POST /admin/api/…/graphql.json`, the document, `Variables` and `JSON response`.
/// Storefront API examples (`POST /api/…`) are not the Admin API and are left out.
fn guide_examples(file: &str, text: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(pos) = text[at..].find("POST /admin/api/") {
        let start = at + pos;
        let body_start = start + text[start..].find('\n').unwrap_or(0) + 1;
        let rest = &text[body_start..];
        let query_end =
            ["\nVariables\n", "\nJSON response\n"].iter().filter_map(|m| rest.find(m)).min().unwrap_or(rest.len());
        let query = rest[..query_end].trim().to_string();
        let mut cursor = body_start + query_end;
        let mut variables = Value::Object(Default::default());
        if text[cursor..].starts_with("\nVariables\n")
            && let Some((v, end)) = json_after(text, cursor)
        {
            variables = v;
            cursor = end;
        }
        if let Some(r) = text[cursor..].find("JSON response")
            && let Some((response, end)) = json_after(text, cursor + r)
        {
            let title =
                text[..start].lines().rev().find(|l| !l.trim().is_empty() && !l.starts_with('-')).unwrap_or("").trim();
            out.push(Example { name: format!("{file}: {title}"), query, variables, response });
            cursor = end;
        }
        at = cursor.max(start + 1);
    }
    out
}

/// Every Admin GraphQL example of the Shopify seeds, as kept in `tests/fixtures`.
pub fn shopify_examples() -> Vec<Example> {
    let text = std::fs::read_to_string(fixture()).expect("tests/fixtures/seed_examples.json");
    serde_json::from_str(&text).expect("the seed examples fixture parses")
}

/// The examples read afresh from the seed documents in `../shared/seeds`, when that folder is
/// there (the development setup); `None` otherwise.
pub fn examples_from_seed_documents() -> Option<Vec<Example>> {
    let dir = super::shared_dir()?.join("seeds");
    let mut out = Vec::new();
    let mut names: Vec<_> =
        std::fs::read_dir(&dir).expect("seeds dir").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    names.sort();
    for path in names {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).expect("seed text");
        if file.starts_with("000_") {
            out.extend(markdown_examples(&file, &text));
        } else if file.starts_with("001_") {
            out.extend(inline_examples(&file, &text));
        } else if file.starts_with("002_") {
            out.extend(guide_examples(&file, &text));
        }
    }
    Some(out)
}

/// Write the fixture from the seed documents.
pub fn write_fixture(examples: &[Example]) {
    let text = serde_json::to_string_pretty(examples).expect("examples serialise");
    std::fs::write(fixture(), text + "\n").expect("write tests/fixtures/seed_examples.json");
}
