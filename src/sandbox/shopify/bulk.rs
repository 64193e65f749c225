//! Bulk query operations as Shopify documents them: `bulkOperationRunQuery` checks the inner
//! query (valid against the schema, at least one connection, at most five, nested at most two
//! deep, no top-level `node`/`nodes`, an `id` on every object that has a nested connection),
//! one bulk query runs at a time per app, the operation goes CREATED → RUNNING → COMPLETED over
//! time with a growing `objectCount`, and the result is JSONL at an expiring signed URL: one
//! line per object, objects of nested connections on their own lines with `__parentId`, and
//! (as Shopify does from 2026-01) not next to their parents.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Operation, Selection, SelectionSet};
use apollo_compiler::resolvers::Execution;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::objects::{Ctx, Obj, Val};
use crate::sandbox::Shared;
use crate::sandbox::state::{BulkFault, BulkRec, gid, parse_gid};

/// Most connections a bulk query may hold.
const MOST_CONNECTIONS: usize = 5;
/// Deepest nesting of connections in a bulk query.
const DEEPEST: usize = 2;

fn user_error(code: &str, message: impl Into<String>) -> Value {
    json!({"code": code, "field": ["query"], "message": message.into()})
}

fn payload<'c>(ctx: &'c Ctx, op: Option<u64>, errors: Vec<Value>) -> Val<'c> {
    let op = op.map_or(Val::Json(Value::Null), |id| Val::Json(operation_json(ctx, id)));
    Val::Obj(Obj::Record(
        "BulkOperationRunQueryPayload",
        vec![("bulkOperation", op), ("userErrors", Val::Json(Value::Array(errors)))],
    ))
}

/// `bulkOperationRunQuery(query:)`
pub fn run_query<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let query = a.get("query").and_then(Value::as_str).unwrap_or("");
    if let Some(running) = in_progress(ctx) {
        let message = format!(
            "A bulk query operation for this app and shop is already in progress: {}.",
            gid("BulkOperation", running)
        );
        return payload(ctx, None, vec![user_error("OPERATION_IN_PROGRESS", message)]);
    }
    let schema = crate::shopify_rules::schema::shared();
    let doc = match ExecutableDocument::parse_and_validate(schema, query, "bulk.graphql") {
        Ok(doc) => doc,
        Err(e) => {
            let first = e.errors.iter().next().map(|d| d.error.to_string()).unwrap_or_else(|| "invalid".into());
            return payload(ctx, None, vec![user_error("INVALID", format!("Invalid bulk query: {first}"))]);
        }
    };
    let op = match doc.operations.get(None) {
        Ok(op) if !op.operation_type.is_mutation() => op,
        _ => return payload(ctx, None, vec![user_error("INVALID", "Invalid bulk query: give one query operation")]),
    };
    if let Err(message) = check_rules(op) {
        return payload(ctx, None, vec![user_error("INVALID", message)]);
    }
    // The whole result, read now: the state is not borrowed while the inner query runs.
    ctx.bulk.set(true);
    let root = Obj::Query(ctx);
    let result = Execution::new(schema, &doc).operation(op).execute_sync(&root);
    drop(root);
    ctx.bulk.set(false);
    let data = match result.map(|r| serde_json::to_value(&r).unwrap_or(Value::Null)) {
        Ok(r) if r.get("errors").is_none_or(|e| e.as_array().is_none_or(Vec::is_empty)) => {
            r.get("data").cloned().unwrap_or(Value::Null)
        }
        Ok(r) => {
            let message = r["errors"][0]["message"].as_str().unwrap_or("the query failed").to_string();
            return payload(ctx, None, vec![user_error("INVALID", format!("Invalid bulk query: {message}"))]);
        }
        Err(e) => {
            return payload(ctx, None, vec![user_error("INVALID", format!("Invalid bulk query: {}", e.message()))]);
        }
    };
    let (lines, root_count) = jsonl(&data);
    let mut st = ctx.state.borrow_mut();
    let id = st.fresh_id();
    let fault = st.bulk_fault.take();
    let key = format!("{id:x}{:x}", ctx.rng.borrow_mut().next_u64());
    st.bulk.insert(
        id,
        BulkRec {
            id,
            query: query.to_string(),
            created_at: std::time::SystemTime::now(),
            started: ctx.now,
            lines,
            root_count,
            key,
            canceled: false,
            fault,
        },
    );
    drop(st);
    payload(ctx, Some(id), vec![])
}

/// `bulkOperationCancel(id:)`
pub fn cancel<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let id = a.get("id").and_then(Value::as_str).and_then(parse_gid).filter(|(t, _)| *t == "BulkOperation");
    let mut errors = Vec::new();
    let mut found = None;
    {
        let mut st = ctx.state.borrow_mut();
        match id.and_then(|(_, n)| st.bulk.get_mut(&n)) {
            Some(rec) => {
                rec.canceled = true;
                found = Some(rec.id);
            }
            None => errors.push(json!({"field": ["id"], "message": "Bulk operation does not exist"})),
        }
    }
    let op = found.map_or(Val::Json(Value::Null), |id| Val::Json(operation_json(ctx, id)));
    Val::Obj(Obj::Record(
        "BulkOperationCancelPayload",
        vec![("bulkOperation", op), ("userErrors", Val::Json(Value::Array(errors)))],
    ))
}

/// The running operation, if one is.
fn in_progress(ctx: &Ctx) -> Option<u64> {
    let st = ctx.state.borrow();
    st.bulk.values().rev().find(|r| matches!(status(ctx, r).0, "CREATED" | "RUNNING")).map(|r| r.id)
}

/// `currentBulkOperation`: the app's newest bulk query.
pub fn current(ctx: &Ctx) -> Value {
    let id = ctx.state.borrow().bulk.keys().next_back().copied();
    id.map_or(Value::Null, |id| operation_json(ctx, id))
}

/// `node(id:)` for a bulk operation; `None` for other ids.
pub fn node<'c>(ctx: &'c Ctx, id: &str) -> Option<Val<'c>> {
    match parse_gid(id) {
        Some(("BulkOperation", n)) if ctx.state.borrow().bulk.contains_key(&n) => {
            Some(Val::Obj(Obj::Json("BulkOperation".into(), operation_json(ctx, n))))
        }
        _ => None,
    }
}

/// A connection's arguments in a bulk query: every object, as no `first` is needed there.
pub fn all_of(ctx: &Ctx, a: &Value) -> Value {
    let mut a = a.clone();
    if ctx.bulk.get()
        && let Some(m) = a.as_object_mut()
        && !m.contains_key("first")
        && !m.contains_key("last")
    {
        m.insert("first".into(), json!(u32::MAX));
        m.insert("bulk".into(), json!(true));
    }
    a
}

/// Where an operation is on its timeline: status and objects written so far.
fn status(ctx: &Ctx, r: &BulkRec) -> (&'static str, u64) {
    let timing = ctx.config.bulk;
    let total = r.lines.len() as u64;
    let elapsed = ctx.now.saturating_duration_since(r.started);
    if r.canceled {
        return ("CANCELED", 0);
    }
    if elapsed < timing.start {
        return ("CREATED", 0);
    }
    let written = ((elapsed - timing.start).as_secs_f64() * timing.objects_per_second) as u64;
    if written < total {
        return ("RUNNING", written);
    }
    match r.fault {
        Some(BulkFault::Fail) => ("FAILED", total / 2),
        Some(BulkFault::Expire) => ("EXPIRED", total),
        None => ("COMPLETED", total),
    }
}

/// A `BulkOperation` as the API shows it.
fn operation_json(ctx: &Ctx, id: u64) -> Value {
    let st = ctx.state.borrow();
    let Some(r) = st.bulk.get(&id) else { return Value::Null };
    let (status, count) = status(ctx, r);
    let done = matches!(status, "COMPLETED" | "FAILED" | "EXPIRED");
    let finished_at = r.created_at
        + ctx.config.bulk.start
        + std::time::Duration::from_secs_f64(r.lines.len() as f64 / ctx.config.bulk.objects_per_second);
    let url = |lines: usize| {
        let size: usize = r.lines.iter().take(lines).map(|l| l.len() + 1).sum();
        (signed_url(ctx, &r.key, lines, finished_at), size)
    };
    let (full_url, size) = url(r.lines.len());
    json!({
        "__typename": "BulkOperation",
        "id": gid("BulkOperation", r.id),
        "status": status,
        "type": "QUERY",
        "query": r.query,
        "createdAt": crate::time::rfc3339(crate::time::unix(r.created_at)),
        "completedAt": done.then(|| crate::time::rfc3339(crate::time::unix(finished_at))),
        "objectCount": count.to_string(),
        "rootObjectCount": if done { r.root_count } else { 0 }.to_string(),
        "errorCode": (status == "FAILED").then_some("INTERNAL_SERVER_ERROR"),
        // No data, no file: Shopify gives no URL for an empty result.
        "url": (status == "COMPLETED" && !r.lines.is_empty()).then_some(full_url),
        "fileSize": (status == "COMPLETED" && !r.lines.is_empty()).then(|| size.to_string()),
        "partialDataUrl": (status == "FAILED").then(|| url(r.lines.len() / 2).0),
    })
}

/// A signed link to the first `lines` lines of a result, valid for the configured lifetime.
fn signed_url(ctx: &Ctx, key: &str, lines: usize, from: std::time::SystemTime) -> String {
    let expires = crate::time::unix(from + ctx.config.bulk.url_lifetime);
    let message = format!("{key}:{lines}:{expires}");
    let signature = crate::sandbox::uploads::sign(&ctx.config.secret, &message);
    ctx.url(&format!("/bulk/{key}.jsonl?lines={lines}&expires={expires}&signature={signature}"))
}

/// The query of a result link.
#[derive(serde::Deserialize)]
pub struct Download {
    lines: usize,
    expires: u64,
    signature: String,
}

/// `GET /bulk/{key}.jsonl`: the result, as a cloud bucket serves a signed object.
pub async fn download(
    AxState(shared): AxState<Shared>,
    Path(file): Path<String>,
    Query(q): Query<Download>,
) -> Response {
    let key = file.trim_end_matches(".jsonl");
    let expected = crate::sandbox::uploads::sign(&shared.config.secret, &format!("{key}:{}:{}", q.lines, q.expires));
    if expected != q.signature {
        return (StatusCode::FORBIDDEN, "SignatureDoesNotMatch").into_response();
    }
    if crate::time::unix(std::time::SystemTime::now()) > q.expires {
        return (StatusCode::FORBIDDEN, "ExpiredToken: the request has expired").into_response();
    }
    let st = crate::sync::lock(&shared.state);
    let Some(r) = st.bulk.values().find(|r| r.key == key) else {
        return (StatusCode::NOT_FOUND, "NoSuchKey").into_response();
    };
    if r.fault == Some(BulkFault::Expire) {
        return (StatusCode::FORBIDDEN, "ExpiredToken: the request has expired").into_response();
    }
    let mut body = String::new();
    for line in r.lines.iter().take(q.lines) {
        body.push_str(line);
        body.push('\n');
    }
    (StatusCode::OK, [("content-type", "application/jsonl")], body).into_response()
}

/// Shopify's rules for what a bulk query may ask.
fn check_rules(op: &Operation) -> Result<(), String> {
    for sel in &op.selection_set.selections {
        if let Selection::Field(f) = sel
            && matches!(f.name.as_str(), "node" | "nodes")
        {
            return Err("Bulk queries cannot contain a top level `node` or `nodes` field.".into());
        }
    }
    let mut count = 0;
    walk(&op.selection_set, 0, &mut count)?;
    if count == 0 {
        return Err("Bulk queries must contain at least one connection.".into());
    }
    if count > MOST_CONNECTIONS {
        return Err(format!("Bulk queries cannot contain more than {MOST_CONNECTIONS} connections."));
    }
    Ok(())
}

/// Count connections and check their depth and their parents' ids.
fn walk(set: &SelectionSet, depth: usize, count: &mut usize) -> Result<(), String> {
    for sel in &set.selections {
        match sel {
            Selection::Field(f) => {
                let connection = f.definition.ty.inner_named_type().as_str().ends_with("Connection");
                let depth = if connection {
                    *count += 1;
                    if depth + 1 > DEEPEST {
                        return Err(format!(
                            "Bulk queries cannot contain connections with a nesting depth greater than {DEEPEST}."
                        ));
                    }
                    if depth >= 1 && !selects_id(set) {
                        return Err(format!("The parent of the nested connection `{}` must select `id`.", f.name));
                    }
                    depth + 1
                } else {
                    depth
                };
                walk(&f.selection_set, depth, count)?;
            }
            Selection::InlineFragment(i) => walk(&i.selection_set, depth, count)?,
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn selects_id(set: &SelectionSet) -> bool {
    set.selections.iter().any(|s| matches!(s, Selection::Field(f) if f.name == "id"))
}

/// The result as JSONL lines and the number of root objects. Objects of nested connections are
/// taken out of their parents onto lines of their own with `__parentId`; children come first,
/// newest parent first, so a reader cannot count on a parent being next to its children.
fn jsonl(data: &Value) -> (Vec<String>, u64) {
    let mut parents = Vec::new();
    let mut children: Vec<(usize, Vec<String>)> = Vec::new();
    if let Some(root) = data.as_object().and_then(|m| m.values().next()) {
        for node in connection_nodes(root) {
            let at = parents.len();
            let mut kids = Vec::new();
            let line = take_children(node.clone(), &mut kids);
            parents.push(line.to_string());
            children.push((at, kids));
        }
    }
    let root_count = parents.len() as u64;
    let mut lines: Vec<String> = children.into_iter().rev().flat_map(|(_, kids)| kids).collect();
    lines.extend(parents);
    (lines, root_count)
}

/// The nodes of a connection value (`edges[].node` or `nodes[]`).
fn connection_nodes(v: &Value) -> Vec<&Value> {
    if let Some(nodes) = v.get("nodes").and_then(Value::as_array) {
        return nodes.iter().collect();
    }
    v.get("edges").and_then(Value::as_array).map_or_else(Vec::new, |e| e.iter().filter_map(|e| e.get("node")).collect())
}

/// `node` without its nested connections, whose objects are pushed to `out` (depth first).
fn take_children(node: Value, out: &mut Vec<String>) -> Value {
    let Value::Object(map) = node else { return node };
    let id = map.get("id").cloned().unwrap_or(Value::Null);
    let mut kept = Map::new();
    for (k, v) in map {
        if v.get("edges").is_some() || v.get("nodes").is_some() {
            for child in connection_nodes(&v) {
                let mut grandchildren = Vec::new();
                let mut line = take_children(child.clone(), &mut grandchildren);
                line["__parentId"] = id.clone();
                out.push(line.to_string());
                out.extend(grandchildren);
            }
        } else {
            kept.insert(k, v);
        }
    }
    Value::Object(kept)
}
