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
use serde_json::{Map, Value, json};

use super::bulk_ops::{View, in_progress, operation_json};
use super::objects::{Ctx, Obj, Val};
use crate::sandbox::state::{BulkRec, gid, parse_gid};

/// Most connections a bulk query may hold.
const MOST_CONNECTIONS: usize = 5;
/// Deepest nesting of connections in a bulk query.
const DEEPEST: usize = 2;

fn user_error(code: &str, message: impl Into<String>) -> Value {
    json!({"code": code, "field": ["query"], "message": message.into()})
}

/// How this request sees bulk operations.
fn view(ctx: &Ctx) -> View<'_> {
    View::new(&ctx.config, ctx.now, &ctx.base)
}

fn payload<'c>(ctx: &'c Ctx, op: Option<u64>, errors: Vec<Value>) -> Val<'c> {
    let op = op.map_or(Val::Json(Value::Null), |id| Val::Json(operation_json(&view(ctx), &ctx.state.borrow(), id)));
    Val::Obj(Obj::Record(
        "BulkOperationRunQueryPayload",
        vec![("bulkOperation", op), ("userErrors", Val::Json(Value::Array(errors)))],
    ))
}

/// `bulkOperationRunQuery(query:)`
pub fn run_query<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let query = a.get("query").and_then(Value::as_str).unwrap_or("");
    let running = in_progress(&view(ctx), &ctx.state.borrow());
    if let Some(running) = running {
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
            prepared_in: ctx.now.elapsed(),
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
    let op = found.map_or(Val::Json(Value::Null), |id| Val::Json(operation_json(&view(ctx), &ctx.state.borrow(), id)));
    Val::Obj(Obj::Record(
        "BulkOperationCancelPayload",
        vec![("bulkOperation", op), ("userErrors", Val::Json(Value::Array(errors)))],
    ))
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
