//! The sandbox's Shopify face: `POST /admin/api/{version}/graphql.json` with Shopify's
//! authentication, validation, query cost, rate limit, errors and response extensions.

mod bulk;
pub mod bulk_ops;
mod mutations;
mod objects;
mod search;

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Instant;

use apollo_compiler::Node;
use apollo_compiler::executable::{ExecutableDocument, Operation, Selection};
use apollo_compiler::resolvers::Execution;
use apollo_compiler::validation::Valid;
use axum::body::Bytes;
use axum::extract::{Path, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Shared, TokenGrant};
use crate::rng::Rng;
use objects::{Ctx, Obj};

use super::bucket::Bucket;
use crate::shopify_rules::cost;
pub use crate::shopify_rules::schema::{SCHEMA_SDL, schema};

/// API versions the sandbox answers: the quarterly releases Shopify supports, and `unstable`.
pub fn supported_version(v: &str) -> bool {
    if v == "unstable" {
        return true;
    }
    let Some((y, m)) = v.split_once('-') else { return false };
    matches!(y, "2025" | "2026") && matches!(m, "01" | "04" | "07" | "10")
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [("content-type", "application/json; charset=utf-8")], body.to_string()).into_response()
}

/// The scope a root field needs.
fn required_scope(mutation: bool, field: &str) -> Option<&'static str> {
    if mutation {
        return Some(match field {
            "fileUpdate" | "fileDelete" | "fileAcknowledgeUpdateFailed" => "write_files",
            "stagedUploadsCreate" => return None, // any write scope; checked below
            // The inner query's own fields need their read scopes; the mutation needs none.
            "bulkOperationRunQuery" | "bulkOperationCancel" => return None,
            _ => "write_products",
        });
    }
    match field {
        "products" | "product" | "productsCount" => Some("read_products"),
        "files" => Some("read_files"),
        _ => None,
    }
}

#[derive(serde::Deserialize)]
struct Request {
    query: Option<String>,
    #[serde(default)]
    variables: Option<Value>,
    #[serde(default, rename = "operationName")]
    operation_name: Option<String>,
}

/// `POST /admin/api/{version}/graphql.json`
pub async fn graphql(
    AxState(shared): AxState<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(grant) =
        headers.get("x-shopify-access-token").and_then(|v| v.to_str().ok()).and_then(|t| shared.grant_for(t))
    else {
        return json_response(
            StatusCode::UNAUTHORIZED,
            json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
        );
    };
    if !supported_version(&version) {
        return json_response(StatusCode::NOT_FOUND, json!({"errors": "Not Found"}));
    }
    let Some(ParsedRequest { query, variables, operation_name }) = read_request(&body) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"errors": {"query": "Required parameter missing or invalid"}}),
        );
    };
    let schema = &*shared.schema;
    let doc = match ExecutableDocument::parse_and_validate(schema, &query, "query.graphql") {
        Ok(doc) => doc,
        Err(with_errors) => {
            let errors: Vec<Value> = with_errors
                .errors
                .iter()
                .map(|d| serde_json::to_value(d.to_json()).unwrap_or_else(|_| json!({"message": d.error.to_string()})))
                .collect();
            return json_response(StatusCode::OK, json!({"errors": errors}));
        }
    };
    let op = match doc.operations.get(operation_name.as_deref()) {
        Ok(op) => op,
        Err(e) => {
            return json_response(StatusCode::OK, json!({"errors": [{"message": e.message().to_string()}]}));
        }
    };
    if let Some(refusal) = access_denied(op, &grant) {
        return refusal;
    }
    let coster = cost::Coster::new(schema, &doc, &variables);
    let requested = coster.requested(op);
    let now = Instant::now();
    if let Some(refusal) = charge(&shared, &grant.token, requested, now) {
        return refusal;
    }
    let mut response = execute(&shared, &grant, &doc, op, &variables, now);
    let actual = match response.get("data") {
        Some(data) if !data.is_null() => coster.actual(op, data),
        _ => 0,
    };
    let status = {
        let mut buckets = crate::sync::lock(&shared.buckets);
        let bucket = bucket_of(&mut buckets, &shared, &grant.token);
        bucket.refund(requested.saturating_sub(actual) as f64, Instant::now());
        throttle_status(bucket)
    };
    response["extensions"] =
        json!({"cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}});
    json_response(StatusCode::OK, response)
}

/// What a request body asks for.
struct ParsedRequest {
    query: String,
    variables: serde_json::Map<String, Value>,
    operation_name: Option<String>,
}

/// The document, its variables and operation name; `None` when the body has no query.
fn read_request(body: &[u8]) -> Option<ParsedRequest> {
    let req: Request = serde_json::from_slice(body).ok()?;
    let query = req.query.filter(|q| !q.trim().is_empty())?;
    let variables = match req.variables {
        Some(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    Some(ParsedRequest { query, variables, operation_name: req.operation_name })
}

/// Shopify checks access scopes per root field before anything runs: the refusal, if any.
fn access_denied(op: &Node<Operation>, grant: &TokenGrant) -> Option<Response> {
    let mutation = op.operation_type.is_mutation();
    let mut denied = Vec::new();
    for sel in &op.selection_set.selections {
        if let Selection::Field(f) = sel {
            let needed = required_scope(mutation, f.name.as_str());
            let has = |s: &str| grant.scopes.iter().any(|g| g == s);
            let ok = match (f.name.as_str(), needed) {
                ("stagedUploadsCreate", _) => has("write_products") || has("write_files"),
                (_, Some(s)) => has(s),
                (_, None) => true,
            };
            if !ok {
                denied.push((f.response_key().to_string(), f.name.to_string(), needed.unwrap_or("write_files")));
            }
        }
    }
    if denied.is_empty() {
        return None;
    }
    let errors: Vec<Value> = denied
        .iter()
        .map(|(key, name, scope)| {
            json!({
                "message": format!("Access denied for {name} field. Required access: `{scope}` access scope."),
                "path": [key],
                "extensions": {"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes", "requiredAccess": format!("`{scope}` access scope.")},
            })
        })
        .collect();
    let data: serde_json::Map<String, Value> = denied.iter().map(|(k, _, _)| (k.clone(), Value::Null)).collect();
    Some(json_response(StatusCode::OK, json!({"errors": errors, "data": data})))
}

/// A token's bucket, full when first seen.
fn bucket_of<'b>(buckets: &'b mut HashMap<String, Bucket>, shared: &Shared, token: &str) -> &'b mut Bucket {
    buckets
        .entry(token.to_string())
        .or_insert_with(|| Bucket::new(shared.config.bucket_size, shared.config.restore_rate))
}

/// The bucket's state as `extensions.cost.throttleStatus` reports it.
fn throttle_status(b: &mut Bucket) -> Value {
    json!({"maximumAvailable": b.maximum, "currentlyAvailable": b.available(Instant::now()).floor() as u64, "restoreRate": b.restore_rate})
}

/// Take the requested cost from the token's bucket; the refusal (`MAX_COST_EXCEEDED`,
/// `THROTTLED`) when it cannot.
fn charge(shared: &Shared, token: &str, requested: u64, now: Instant) -> Option<Response> {
    if requested > cost::MAX_QUERY_COST {
        return Some(json_response(
            StatusCode::OK,
            json!({"errors": [{
                "message": format!("Query cost is {requested}, which exceeds the single query max cost limit ({}).", cost::MAX_QUERY_COST),
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": cost::MAX_QUERY_COST,
                               "documentation": "https://shopify.dev/api/usage/rate-limits"},
            }]}),
        ));
    }
    let mut buckets = crate::sync::lock(&shared.buckets);
    let bucket = bucket_of(&mut buckets, shared, token);
    if bucket.try_take(requested as f64, now) {
        return None;
    }
    let status = throttle_status(bucket);
    Some(json_response(
        StatusCode::OK,
        json!({
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
            "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": Value::Null, "throttleStatus": status}},
        }),
    ))
}

/// Run the operation under the state lock, so requests see a consistent store as Shopify's do.
fn execute(
    shared: &Shared,
    grant: &TokenGrant,
    doc: &Valid<ExecutableDocument>,
    op: &Node<Operation>,
    variables: &serde_json::Map<String, Value>,
    now: Instant,
) -> Value {
    let mut guard = crate::sync::lock(&shared.state);
    guard.tick(now);
    // Executed on a moved-out copy so resolvers need no lifetime tied to the guard.
    let seed = crate::sync::lock(&shared.rng).next_u64();
    let ctx = Ctx {
        state: RefCell::new(std::mem::take(&mut *guard)),
        config: shared.config.clone(),
        base: shared.base.to_string(),
        scopes: grant.scopes.clone(),
        now,
        rng: RefCell::new(Rng::new(seed)),
        mutations: mutations::run,
        bulk: std::cell::Cell::new(false),
    };
    let vars = apollo_compiler::response::JsonValue::from(Value::Object(variables.clone()));
    let empty = apollo_compiler::response::JsonMap::new();
    let vars = vars.as_object().unwrap_or(&empty);
    let root = if op.operation_type.is_mutation() { Obj::Mutation(&ctx) } else { Obj::Query(&ctx) };
    let result = match Execution::new(&shared.schema, doc).operation(op).raw_variable_values(vars).execute_sync(&root) {
        Ok(r) => serde_json::to_value(&r).unwrap_or(Value::Null),
        Err(e) => json!({"errors": [{"message": e.message().to_string()}]}),
    };
    drop(root);
    *guard = ctx.state.into_inner();
    result
}
