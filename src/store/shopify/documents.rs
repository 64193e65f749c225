//! The GraphQL documents mediadesk sends to Shopify, each in its own `.graphql` file.

/// A page of products for the picker.
pub const PRODUCTS: &str = include_str!("documents/products.graphql");
/// A page of a product's media.
pub const PRODUCT_MEDIA: &str = include_str!("documents/product_media.graphql");

/// Every document with its file name, for the schema contract test.
pub const ALL: &[(&str, &str)] = &[("products.graphql", PRODUCTS), ("product_media.graphql", PRODUCT_MEDIA)];
