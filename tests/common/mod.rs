//! Helpers shared by the integration tests: the reference files under `tests/fixtures`, a
//! sandbox to talk to, and a raw GraphQL call.
#![allow(dead_code)]
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod seeds;

use std::io::Read;
use std::path::PathBuf;

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;
use mediadesk::sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

/// `tests/fixtures`: Shopify's schema (with its licence) and the seed documents' examples, kept
/// in the repository so a clone alone passes its tests.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `../shared`, where the seed documents live in the development setup; only the fixtures'
/// regeneration reads it.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.join("seeds").is_dir().then_some(dir)
}

/// Shopify's real Admin API schema (2025-01).
pub fn real_schema() -> Valid<Schema> {
    let path = fixtures_dir().join("shopify/admin-2025-01.graphql.gz");
    let mut sdl = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("schema file"))
        .read_to_string(&mut sdl)
        .expect("gunzip schema");
    Schema::parse_and_validate(sdl, "admin-2025-01.graphql").expect("the real schema parses and validates")
}

/// A sandbox with the default catalog and settings changed by `f`.
pub async fn sandbox_with(f: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut config = SandboxConfig::default();
    f(&mut config);
    Sandbox::start(config).await.expect("sandbox starts")
}

/// POST a GraphQL document with a token; the HTTP status and the JSON body.
pub async fn gql(sandbox: &Sandbox, token: &str, query: &str, variables: Value) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(sandbox.graphql_url("2026-10"))
        .header("X-Shopify-Access-Token", token)
        .json(&serde_json::json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("request sent");
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// The first event of `engine` that `found` accepts, skipping the others; a minute at most.
pub fn wait_for<T>(
    engine: &mediadesk::engine::Engine,
    what: &str,
    mut found: impl FnMut(mediadesk::engine::Event) -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match engine.try_event() {
            Some(e) => {
                if let Some(t) = found(e) {
                    return t;
                }
            }
            None if std::time::Instant::now() > deadline => panic!("timed out waiting for {what}"),
            None => std::thread::sleep(std::time::Duration::from_millis(5)),
        }
    }
}

/// Bodies of the requests a `proxy` passed on, in order.
pub type Seen = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A proxy in front of `sandbox` for any path: it keeps each request's body and holds back
/// those `hold` names for the time it gives (a slow write to kill a run in the middle of).
/// Its base URL, to give a client as the store's endpoint, and what it saw.
pub async fn proxy(
    sandbox: &Sandbox,
    hold: impl Fn(&str) -> Option<std::time::Duration> + Send + Sync + 'static,
) -> (String, Seen) {
    use axum::response::IntoResponse;
    let upstream = sandbox.url();
    let seen = Seen::default();
    let kept = seen.clone();
    let hold = std::sync::Arc::new(hold);
    let handler = move |method: axum::http::Method,
                        uri: axum::http::Uri,
                        headers: axum::http::HeaderMap,
                        body: axum::body::Bytes| {
        let (upstream, kept, hold) = (upstream.clone(), kept.clone(), hold.clone());
        async move {
            let text = String::from_utf8_lossy(&body).into_owned();
            if let Some(wait) = hold(&text) {
                tokio::time::sleep(wait).await;
            }
            kept.lock().unwrap().push(text);
            let url = format!("{upstream}{}", uri.path_and_query().map_or("/", |p| p.as_str()));
            let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
            let mut req = reqwest::Client::new().request(method, url).body(body);
            for name in ["x-shopify-access-token", "content-type", "authorization"] {
                if let Some(v) = headers.get(name) {
                    req = req.header(name, v.as_bytes());
                }
            }
            let resp = req.send().await.unwrap();
            let status = axum::http::StatusCode::from_u16(resp.status().as_u16()).unwrap();
            let kind = resp.headers().get("content-type").map(|v| v.as_bytes().to_vec()).unwrap_or_default();
            let bytes = resp.bytes().await.unwrap();
            (status, [(axum::http::header::CONTENT_TYPE, kind)], bytes).into_response()
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new().fallback(handler);
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    (format!("http://{addr}"), seen)
}

/// Run `mediadesk` on the sandbox's Ecwid face (store 1003) with its catalogs in `data`: the
/// exit code, the JSON lines it printed and its stderr.
pub fn run_ecwid(sandbox: &Sandbox, data: &std::path::Path, args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
        .args(["--store", "ecwid:1003", "--endpoint", &sandbox.url(), "--data-dir", data.to_str().unwrap()])
        .args(args)
        .env("MEDIADESK_TOKEN", mediadesk::sandbox::ecwid::SECRET_TOKEN)
        .output()
        .unwrap();
    let lines: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (out.status.code().unwrap_or(-1), lines, String::from_utf8(out.stderr).unwrap())
}

/// The sandbox's variations that have an image of their own on its Ecwid face (one that is
/// not the product's main image), with their product's title.
pub fn variations_with_own_images(sandbox: &Sandbox) -> Vec<(String, u64)> {
    use mediadesk::sandbox::state::FileKind;
    let state = sandbox.state();
    let st = state.lock().unwrap();
    st.products
        .values()
        .flat_map(|p| {
            let main = p.media.iter().find(|m| st.files[m].kind == FileKind::Image);
            p.variants
                .iter()
                .filter(move |v| v.image.is_some() && v.image.as_ref() != main)
                .map(|v| (p.title.clone(), v.id))
                .collect::<Vec<_>>()
        })
        .collect()
}
