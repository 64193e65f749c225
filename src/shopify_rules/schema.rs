//! The part of Shopify's Admin schema mediadesk uses: served by the sandbox, and used by the
//! client to validate and price its own documents before sending them.

use std::sync::OnceLock;

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;

/// The schema text: a strict subset of Shopify's Admin API 2025-01 schema (tested).
pub const SCHEMA_SDL: &str = include_str!("schema.graphql");

/// The parsed and validated schema.
#[allow(clippy::expect_used, reason = "a constant text, validated by the schema contract test")]
pub fn schema() -> Valid<Schema> {
    Schema::parse_and_validate(SCHEMA_SDL, "shopify-admin-subset.graphql").expect("the schema subset is valid")
}

/// The schema, parsed once per process.
pub fn shared() -> &'static Valid<Schema> {
    static SCHEMA: OnceLock<Valid<Schema>> = OnceLock::new();
    SCHEMA.get_or_init(schema)
}
