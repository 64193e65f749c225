//! Helpers shared by the integration tests: the reference files beside the repository, a
//! sandbox to talk to, and a raw GraphQL call.
#![allow(dead_code)]

pub mod seeds;

use std::io::Read;
use std::path::PathBuf;

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;
use mediadesk::sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

/// `../shared`, which holds the API reference and the seed documents.
pub fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        dir.join("reference/shopify").is_dir(),
        "the reference files are expected in {} (the shared/ folder beside this repository)",
        dir.display()
    );
    dir
}

/// Shopify's real Admin API schema (2025-01).
pub fn real_schema() -> Valid<Schema> {
    let path = shared_dir().join("reference/shopify/admin-2025-01.graphql.gz");
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
