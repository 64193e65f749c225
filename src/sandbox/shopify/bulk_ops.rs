//! The state of bulk operations as the API shows it: where each is on its timeline, its
//! `BulkOperation` fields, and its signed result link. Shared by the object graph (`node`,
//! `currentBulkOperation`) and the bulk mutations, without importing either.

use std::time::Instant;

use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::sandbox::state::{BulkFault, BulkRec, State, gid};
use crate::sandbox::{BulkTimings, Shared};

/// What a request sees bulk operations with: its time and the sandbox's settings.
pub struct View<'a> {
    /// The operations' timing.
    pub timing: BulkTimings,
    /// The time of the request.
    pub now: Instant,
    /// `http://127.0.0.1:PORT`, for result links.
    pub base: &'a str,
    /// Signs result links.
    pub secret: &'a [u8],
}

impl<'a> View<'a> {
    /// The view of a request made at `now` on a sandbox with `config`, served at `base`.
    pub fn new(config: &'a crate::sandbox::SandboxConfig, now: Instant, base: &'a str) -> View<'a> {
        View { timing: config.bulk, now, base, secret: &config.secret }
    }
}

/// The running operation, if one is.
pub fn in_progress(view: &View<'_>, st: &State) -> Option<u64> {
    st.bulk.values().rev().find(|r| matches!(status(view, r).0, "CREATED" | "RUNNING")).map(|r| r.id)
}

/// `currentBulkOperation`: the app's newest bulk query.
pub fn current(view: &View<'_>, st: &State) -> Value {
    st.bulk.keys().next_back().map_or(Value::Null, |id| operation_json(view, st, *id))
}

/// A connection's arguments in a bulk query: every object, as no `first` is needed there.
pub fn all_of(bulk: bool, a: &Value) -> Value {
    let mut a = a.clone();
    if bulk
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
fn status(view: &View<'_>, r: &BulkRec) -> (&'static str, u64) {
    let timing = view.timing;
    let total = r.lines.len() as u64;
    let elapsed = view.now.saturating_duration_since(r.started);
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
pub fn operation_json(view: &View<'_>, st: &State, id: u64) -> Value {
    let Some(r) = st.bulk.get(&id) else { return Value::Null };
    let (status, count) = status(view, r);
    let done = matches!(status, "COMPLETED" | "FAILED" | "EXPIRED");
    let finished_at = r.created_at
        + view.timing.start
        + std::time::Duration::from_secs_f64(r.lines.len() as f64 / view.timing.objects_per_second);
    let url = |lines: usize| {
        let size: usize = r.lines.iter().take(lines).map(|l| l.len() + 1).sum();
        (signed_url(view, &r.key, lines, finished_at), size)
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
fn signed_url(view: &View<'_>, key: &str, lines: usize, from: std::time::SystemTime) -> String {
    let expires = crate::time::unix(from + view.timing.url_lifetime);
    let message = format!("{key}:{lines}:{expires}");
    let signature = crate::sandbox::uploads::sign(view.secret, &message);
    format!("{}/bulk/{key}.jsonl?lines={lines}&expires={expires}&signature={signature}", view.base)
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
