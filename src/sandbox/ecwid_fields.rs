//! Ecwid's `responseFields` parameter: `total,items(id,name,media(images))` keeps only the named
//! fields of an answer (and of each item of a list), as Ecwid does to make answers smaller.

use serde_json::{Map, Value};

/// One requested field and the fields wanted inside it (empty: all of it).
#[derive(Debug, PartialEq)]
struct Field {
    name: String,
    inner: Vec<Field>,
}

/// Read `a,b(c,d(e))`; `None` when the brackets do not match.
fn parse(spec: &str) -> Option<Vec<Field>> {
    let mut chars = spec.chars().peekable();
    let fields = parse_list(&mut chars, 0)?;
    chars.peek().is_none().then_some(fields)
}

fn parse_list(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, depth: usize) -> Option<Vec<Field>> {
    let mut out = Vec::new();
    let mut name = String::new();
    while let Some(&c) = chars.peek() {
        match c {
            ',' => {
                chars.next();
                push(&mut out, &mut name, Vec::new());
            }
            '(' => {
                chars.next();
                let inner = parse_list(chars, depth + 1)?;
                if chars.next() != Some(')') {
                    return None;
                }
                push(&mut out, &mut name, inner);
            }
            ')' if depth > 0 => break,
            ')' => return None,
            c => {
                chars.next();
                if !c.is_whitespace() {
                    name.push(c);
                }
            }
        }
    }
    push(&mut out, &mut name, Vec::new());
    Some(out)
}

fn push(out: &mut Vec<Field>, name: &mut String, inner: Vec<Field>) {
    if !name.is_empty() {
        out.push(Field { name: std::mem::take(name), inner });
    }
}

/// `value` with only the fields `spec` names; the whole value when the spec cannot be read.
pub fn keep(value: Value, spec: &str) -> Value {
    match parse(spec) {
        Some(fields) if !fields.is_empty() => trim(value, &fields),
        _ => value,
    }
}

fn trim(value: Value, fields: &[Field]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|v| trim(v, fields)).collect()),
        Value::Object(mut map) => {
            let mut kept = Map::new();
            for f in fields {
                if let Some(v) = map.remove(&f.name) {
                    kept.insert(f.name.clone(), if f.inner.is_empty() { v } else { trim(v, &f.inner) });
                }
            }
            Value::Object(kept)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_named_fields_are_kept_at_every_level() {
        let answer = json!({"total": 2, "count": 2, "items": [
            {"id": 1, "name": "A", "price": 3, "media": {"images": [{"id": "7", "alt": {}}], "videos": []}},
            {"id": 2, "name": "B", "price": 4},
        ]});
        assert_eq!(
            keep(answer.clone(), "total, items(id,media(images))"),
            json!({"total": 2, "items": [{"id": 1, "media": {"images": [{"id": "7", "alt": {}}]}}, {"id": 2}]})
        );
        assert_eq!(keep(answer.clone(), "items(id"), answer, "an unreadable spec keeps everything");
        assert_eq!(keep(answer.clone(), ""), answer);
    }
}
