//! Search syntax, sorting and cursor pagination of the sandbox's connections.

use serde_json::{Value, json};

use crate::sandbox::state::{FileKind, ProductRec, State, Status, parse_gid};

/// The largest page a connection serves.
pub const MAX_PAGE: u64 = 250;

/// Something a connection lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// A product (`ProductConnection`).
    Product(u64),
    /// A file of the library (`FileConnection`).
    File(u64),
    /// A media of a product (`MediaConnection`).
    Media(u64),
    /// A variant (`ProductVariantConnection`): its product and its own id.
    Variant(u64, u64),
}

impl Item {
    /// The edge type of the connection this item is in.
    pub fn edge_type(self) -> &'static str {
        match self {
            Item::Product(_) => "ProductEdge",
            Item::File(_) => "FileEdge",
            Item::Media(_) => "MediaEdge",
            Item::Variant(..) => "ProductVariantEdge",
        }
    }

    fn id(self) -> u64 {
        match self {
            Item::Product(id) | Item::File(id) | Item::Media(id) | Item::Variant(_, id) => id,
        }
    }
}

/// One page of a connection.
#[derive(Debug, Clone)]
pub struct PageOf {
    /// `ProductConnection`, `FileConnection` or `MediaConnection`.
    pub connection_type: &'static str,
    /// The items with their cursors.
    pub items: Vec<(Item, String)>,
    /// More items follow.
    pub has_next: bool,
    /// Items precede.
    pub has_previous: bool,
}

impl PageOf {
    /// The `PageInfo` object.
    pub fn page_info(&self) -> Value {
        json!({
            "hasNextPage": self.has_next,
            "hasPreviousPage": self.has_previous,
            "startCursor": self.items.first().map(|(_, c)| c.clone()),
            "endCursor": self.items.last().map(|(_, c)| c.clone()),
        })
    }
}

fn cursor_of(id: u64) -> String {
    // Opaque to clients, like Shopify's; hex of a small JSON keeps it URL-safe.
    let raw = format!("{{\"last_id\":{id}}}");
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

fn id_of_cursor(cursor: &str) -> Option<u64> {
    if !cursor.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..cursor.len()).step_by(2).map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok()).collect();
    let text = String::from_utf8(bytes?).ok()?;
    text.strip_prefix("{\"last_id\":")?.strip_suffix('}')?.parse().ok()
}

/// Cut one page out of an ordered list, following Relay's rules for first/after/last/before.
pub fn paginate(connection_type: &'static str, items: Vec<Item>, a: &Value) -> Result<PageOf, String> {
    let first = a.get("first").and_then(Value::as_u64);
    let last = a.get("last").and_then(Value::as_u64);
    match (first, last) {
        (None, None) => return Err("you must provide one of first or last".into()),
        (Some(_), Some(_)) => return Err("providing both first and last is not supported".into()),
        // A bulk query reads every object.
        (Some(n), _) | (_, Some(n)) if n > MAX_PAGE && a.get("bulk") != Some(&Value::Bool(true)) => {
            return Err(format!("The first or last argument must be at most {MAX_PAGE}, got {n}"));
        }
        _ => {}
    }
    let find = |key: &str| -> Result<Option<usize>, String> {
        match a.get(key).and_then(Value::as_str) {
            None => Ok(None),
            Some(c) => {
                let id = id_of_cursor(c).ok_or_else(|| format!("Invalid cursor for `{key}`: {c}"))?;
                Ok(Some(items.iter().position(|i| i.id() == id).unwrap_or(items.len())))
            }
        }
    };
    let start = find("after")?.map_or(0, |p| p + 1).min(items.len());
    let end = find("before")?.unwrap_or(items.len()).max(start).min(items.len());
    let (lo, hi) = match (first, last) {
        (Some(n), _) => (start, (start + n as usize).min(end)),
        (_, Some(n)) => (end.saturating_sub(n as usize).max(start), end),
        _ => unreachable!("checked above"),
    };
    Ok(PageOf {
        connection_type,
        items: items[lo..hi].iter().map(|i| (*i, cursor_of(i.id()))).collect(),
        has_next: hi < items.len(),
        has_previous: lo > 0,
    })
}

/// A search term: `field:value` or free text, with `*` as a trailing wildcard.
struct Term {
    field: Option<String>,
    value: String,
    negate: bool,
}

fn terms(query: &str) -> Vec<Term> {
    let mut out = Vec::new();
    let mut chars = query.chars().peekable();
    while chars.peek().is_some() {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut token = String::new();
        let mut quoted = false;
        while let Some(&c) = chars.peek() {
            if c == '"' {
                quoted = !quoted;
                chars.next();
                continue;
            }
            if c.is_whitespace() && !quoted {
                break;
            }
            token.push(c);
            chars.next();
        }
        if token.is_empty() || token == "AND" {
            continue;
        }
        let negate = token.starts_with('-') || token.starts_with("NOT");
        let token = token.trim_start_matches('-').to_string();
        match token.split_once(':') {
            Some((f, v)) => out.push(Term { field: Some(f.to_lowercase()), value: v.to_lowercase(), negate }),
            None => out.push(Term { field: None, value: token.to_lowercase(), negate }),
        }
    }
    out
}

fn matches_text(hay: &str, value: &str) -> bool {
    let hay = hay.to_lowercase();
    match value.strip_suffix('*') {
        Some(prefix) => hay.split_whitespace().any(|w| w.starts_with(prefix)) || hay.starts_with(prefix),
        None => hay.contains(value),
    }
}

fn product_matches(p: &ProductRec, t: &Term) -> bool {
    let v = t.value.as_str();
    let hit = match t.field.as_deref() {
        None => {
            matches_text(&p.title, v)
                || matches_text(&p.vendor, v)
                || matches_text(&p.product_type, v)
                || p.tags.iter().any(|tag| tag.to_lowercase() == v)
        }
        Some("title") => matches_text(&p.title, v),
        Some("vendor") => matches_text(&p.vendor, v),
        Some("product_type") => matches_text(&p.product_type, v),
        Some("status") => v.split(',').any(|s| s.eq_ignore_ascii_case(p.status)),
        Some("tag") => p.tags.iter().any(|tag| tag.to_lowercase() == v),
        Some("handle") => p.handle == v,
        Some("updated_at") => time_matches(p.updated_at, v),
        Some("id") => v.parse::<u64>().is_ok_and(|id| id == p.id),
        // Fields the sandbox's products don't carry (sku, barcode…) match nothing, like an empty store.
        Some(_) => false,
    };
    hit != t.negate
}

/// A time filter as Shopify's search syntax writes it: `>'2026-11-01T10:00:00Z'`, also `>=`,
/// `<`, `<=`, or a bare time for equality. A value that is not a time matches nothing.
fn time_matches(t: std::time::SystemTime, v: &str) -> bool {
    let (op, rest) = [">=", "<=", ">", "<", "="]
        .iter()
        .find_map(|op| v.strip_prefix(op).map(|rest| (*op, rest)))
        .unwrap_or(("=", v));
    let Some(bound) = crate::time::parse_rfc3339(rest.trim_matches(|c| c == '\'' || c == '"')) else { return false };
    let at = crate::time::unix(t);
    match op {
        ">=" => at >= bound,
        "<=" => at <= bound,
        ">" => at > bound,
        "<" => at < bound,
        _ => at == bound,
    }
}

/// Products matching a search query, in id order.
pub fn matching_products<'s>(st: &'s State, query: &str) -> Vec<&'s ProductRec> {
    let terms = terms(query);
    st.products.values().filter(|p| terms.iter().all(|t| product_matches(p, t))).collect()
}

/// `QueryRoot.products`
pub fn products(st: &State, a: &Value) -> Result<PageOf, String> {
    let mut found = matching_products(st, a.get("query").and_then(Value::as_str).unwrap_or(""));
    match a.get("sortKey").and_then(Value::as_str).unwrap_or("ID") {
        "TITLE" => found.sort_by(|x, y| x.title.to_lowercase().cmp(&y.title.to_lowercase()).then(x.id.cmp(&y.id))),
        "UPDATED_AT" => found.sort_by_key(|p| (p.updated_at, p.id)),
        "CREATED_AT" => found.sort_by_key(|p| (p.created_at, p.id)),
        "VENDOR" => found.sort_by(|x, y| x.vendor.cmp(&y.vendor).then(x.id.cmp(&y.id))),
        "PRODUCT_TYPE" => found.sort_by(|x, y| x.product_type.cmp(&y.product_type).then(x.id.cmp(&y.id))),
        _ => {}
    }
    if a.get("reverse").and_then(Value::as_bool).unwrap_or(false) {
        found.reverse();
    }
    paginate("ProductConnection", found.into_iter().map(|p| Item::Product(p.id)).collect(), a)
}

/// `Product.media`
pub fn product_media(_st: &State, p: &ProductRec, a: &Value) -> Result<PageOf, String> {
    let mut ids = p.media.clone();
    if a.get("sortKey").and_then(Value::as_str) == Some("ID") {
        ids.sort_unstable();
    }
    if a.get("reverse").and_then(Value::as_bool).unwrap_or(false) {
        ids.reverse();
    }
    paginate("MediaConnection", ids.into_iter().map(Item::Media).collect(), a)
}

/// `Product.variants`, in position order (or by id or title when asked).
pub fn product_variants(p: &ProductRec, a: &Value) -> Result<PageOf, String> {
    let mut variants: Vec<&super::super::state::VariantRec> = p.variants.iter().collect();
    match a.get("sortKey").and_then(Value::as_str) {
        Some("ID") => variants.sort_by_key(|v| v.id),
        Some("TITLE") => variants.sort_by_key(|v| v.title()),
        _ => {}
    }
    if a.get("reverse").and_then(Value::as_bool).unwrap_or(false) {
        variants.reverse();
    }
    paginate("ProductVariantConnection", variants.into_iter().map(|v| Item::Variant(p.id, v.id)).collect(), a)
}

/// `QueryRoot.files`: `media_type:`, `product_id:`, `status:`, `filename:` and free text on names and alt.
pub fn files(st: &State, a: &Value) -> Result<PageOf, String> {
    let terms = terms(a.get("query").and_then(Value::as_str).unwrap_or(""));
    let mut found: Vec<_> = st
        .files
        .values()
        .filter(|f| {
            terms.iter().all(|t| {
                let v = t.value.as_str();
                let hit = match t.field.as_deref() {
                    None => matches_text(&f.filename, v) || matches_text(&f.alt, v),
                    Some("media_type") => v.split(',').any(|m| {
                        m.eq_ignore_ascii_case(f.kind.content_type())
                            || (m.eq_ignore_ascii_case("GENERIC_FILE") && f.kind == FileKind::Generic)
                    }),
                    Some("product_id") => v.split(',').any(|id| {
                        let id = parse_gid(id).map(|(_, n)| n).or_else(|| id.parse().ok());
                        id.is_some_and(|id| st.products.get(&id).is_some_and(|p| p.media.contains(&f.id)))
                    }),
                    Some("status") => v.eq_ignore_ascii_case(f.status.as_str()),
                    Some("filename") => matches_text(&f.filename, v),
                    Some("updated_at") => time_matches(f.updated_at, v),
                    Some("id") => v.parse::<u64>().is_ok_and(|id| id == f.id),
                    Some(_) => false,
                };
                hit != t.negate
            })
        })
        .collect();
    match a.get("sortKey").and_then(Value::as_str).unwrap_or("ID") {
        "CREATED_AT" => found.sort_by_key(|f| (f.created_at, f.id)),
        "UPDATED_AT" => found.sort_by_key(|f| (f.updated_at, f.id)),
        "FILENAME" => found.sort_by(|x, y| x.filename.cmp(&y.filename).then(x.id.cmp(&y.id))),
        "ORIGINAL_UPLOAD_SIZE" => found.sort_by_key(|f| (f.size, f.id)),
        _ => {}
    }
    if a.get("reverse").and_then(Value::as_bool).unwrap_or(false) {
        found.reverse();
    }
    let _ = Status::Ready;
    paginate("FileConnection", found.into_iter().map(|f| Item::File(f.id)).collect(), a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(id_of_cursor(&cursor_of(7_400_000_012)), Some(7_400_000_012));
        assert_eq!(id_of_cursor("zz"), None);
    }

    #[test]
    fn pages_follow_first_after_last_before() {
        let items: Vec<Item> = (1..=10).map(Item::Product).collect();
        let p1 = paginate("ProductConnection", items.clone(), &json!({"first": 4})).unwrap();
        assert_eq!(p1.items.len(), 4);
        assert!(p1.has_next && !p1.has_previous);
        let after = p1.items.last().unwrap().1.clone();
        let p2 = paginate("ProductConnection", items.clone(), &json!({"first": 4, "after": after})).unwrap();
        assert_eq!(p2.items[0].0, Item::Product(5));
        let tail = paginate("ProductConnection", items.clone(), &json!({"last": 3})).unwrap();
        assert_eq!(tail.items[0].0, Item::Product(8));
        assert!(paginate("ProductConnection", items.clone(), &json!({})).is_err());
        assert!(paginate("ProductConnection", items, &json!({"first": 251})).is_err());
    }

    #[test]
    fn query_syntax_fields_and_free_text() {
        let st = crate::sandbox::catalog::seed(40, 1);
        let all = matching_products(&st, "");
        let draft = matching_products(&st, "status:draft");
        assert!(!draft.is_empty() && draft.len() < all.len());
        assert!(draft.iter().all(|p| p.status == "DRAFT"));
        let polaris = matching_products(&st, "title:polaris*");
        assert_eq!(polaris.len(), 2);
        assert!(matching_products(&st, "sku:ABC").is_empty());
    }
}
