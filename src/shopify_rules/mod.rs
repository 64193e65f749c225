//! Shopify's documented rules that both sides of the wire need: the cost of a query (from
//! Shopify's rate-limit documentation) and the part of the Admin schema mediadesk uses.
//!
//! Why shared: the client prices each request before sending it so the scheduler never overdraws
//! the bucket, and the sandbox charges requests the way Shopify does. Both must follow Shopify's
//! written rules, not each other: this module is that one reading of the documentation, kept
//! apart from the client (`store::shopify`) and the sandbox, which imports nothing of the
//! client. Its tests check the rules against the documentation's examples, and the schema is
//! tested to be a strict subset of Shopify's real one, so neither side can bend them to suit it.

pub mod cost;
pub mod schema;
