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
