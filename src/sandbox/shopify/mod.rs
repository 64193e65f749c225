//! The sandbox's Shopify face: `POST /admin/api/{version}/graphql.json` with Shopify's
//! authentication, validation, query cost, rate limit, errors and response extensions.

mod mutations;
mod objects;
mod search;

use std::cell::RefCell;
use std::time::Instant;

use apollo_compiler::executable::{ExecutableDocument, Selection};
use apollo_compiler::resolvers::Execution;
use axum::body::Bytes;
use axum::extract::{Path, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
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
    let req: Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                json!({"errors": {"query": "Required parameter missing or invalid"}}),
            );
        }
    };
    let Some(query) = req.query.filter(|q| !q.trim().is_empty()) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"errors": {"query": "Required parameter missing or invalid"}}),
        );
    };
    let variables = match req.variables {
        Some(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
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
    let op = match doc.operations.get(req.operation_name.as_deref()) {
        Ok(op) => op,
        Err(e) => {
            return json_response(StatusCode::OK, json!({"errors": [{"message": e.message().to_string()}]}));
        }
    };
    let mutation = op.operation_type.is_mutation();

    // Access scopes, per root field, before anything runs.
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
    if !denied.is_empty() {
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
        return json_response(StatusCode::OK, json!({"errors": errors, "data": data}));
    }

    let coster = cost::Coster::new(schema, &doc, &variables);
    let requested = coster.requested(op);
    let now = Instant::now();
    let throttle_status = |b: &mut Bucket| json!({"maximumAvailable": b.maximum, "currentlyAvailable": b.available(Instant::now()).floor() as u64, "restoreRate": b.restore_rate});
    if requested > cost::MAX_QUERY_COST {
        return json_response(
            StatusCode::OK,
            json!({"errors": [{
                "message": format!("Query cost is {requested}, which exceeds the single query max cost limit ({}).", cost::MAX_QUERY_COST),
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": cost::MAX_QUERY_COST,
                               "documentation": "https://shopify.dev/api/usage/rate-limits"},
            }]}),
        );
    }
    {
        let mut buckets = shared.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets
            .entry(grant.token.clone())
            .or_insert_with(|| Bucket::new(shared.config.bucket_size, shared.config.restore_rate));
        if !bucket.try_take(requested as f64, now) {
            let status = throttle_status(bucket);
            return json_response(
                StatusCode::OK,
                json!({
                    "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                    "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": Value::Null, "throttleStatus": status}},
                }),
            );
        }
    }

    // Execute under the state lock: requests see a consistent store, as Shopify's would.
    let response = {
        let mut guard = shared.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.tick(now);
        // Executed on a moved-out copy so resolvers need no lifetime tied to the guard.
        let seed = shared.rng.lock().unwrap_or_else(std::sync::PoisonError::into_inner).next_u64();
        let ctx = Ctx {
            state: RefCell::new(std::mem::take(&mut *guard)),
            config: shared.config.clone(),
            base: shared.base.to_string(),
            scopes: grant.scopes.clone(),
            now,
            rng: RefCell::new(Rng::new(seed)),
            mutations: mutations::run,
        };
        let vars = apollo_compiler::response::JsonValue::from(Value::Object(variables.clone()));
        let empty = apollo_compiler::response::JsonMap::new();
        let vars = vars.as_object().unwrap_or(&empty);
        let root = if mutation { Obj::Mutation(&ctx) } else { Obj::Query(&ctx) };
        let result = match Execution::new(schema, &doc).operation(op).raw_variable_values(vars).execute_sync(&root) {
            Ok(r) => serde_json::to_value(&r).unwrap_or(Value::Null),
            Err(e) => json!({"errors": [{"message": e.message().to_string()}]}),
        };
        drop(root);
        *guard = ctx.state.into_inner();
        result
    };
    let actual = match response.get("data") {
        Some(data) if !data.is_null() => coster.actual(op, data),
        _ => 0,
    };
    let status = {
        let mut buckets = shared.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets
            .entry(grant.token.clone())
            .or_insert_with(|| Bucket::new(shared.config.bucket_size, shared.config.restore_rate));
        bucket.refund(requested.saturating_sub(actual) as f64, Instant::now());
        throttle_status(bucket)
    };
    let mut response = response;
    response["extensions"] =
        json!({"cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}});
    json_response(StatusCode::OK, response)
}
