//! Connecting to a shop: the token's scopes and what missing ones disable, and the client
//! credentials grant with its token exchanged again when it expires or is refused.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use mediadesk::model::{ProductQuery, StoreRef};
use mediadesk::sandbox::{SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_TOKEN_NO_WRITE_FILES, Sandbox};
use mediadesk::secrets::Secret;
use mediadesk::store::shopify::credentials::Credentials;
use mediadesk::store::shopify::{ShopifyStore, endpoint};
use mediadesk::store::{Store, StoreError};

fn store(sandbox: &Sandbox, credentials: Credentials) -> ShopifyStore {
    let url = endpoint::graphql_url(&StoreRef::Sandbox, Some(&sandbox.url()), endpoint::DEFAULT_API_VERSION).unwrap();
    ShopifyStore::with_credentials(StoreRef::Sandbox, url, credentials)
}

fn client(secret: &str) -> Credentials {
    Credentials::Client { id: SANDBOX_CLIENT_ID.into(), secret: Secret::new(secret) }
}

#[tokio::test]
async fn connect_reads_the_shop_and_names_what_missing_scopes_disable() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let full = store(&sandbox, Credentials::Token(Secret::new(sandbox.token()))).connect().await.unwrap();
    assert_eq!(full.name, "mediadesk sandbox");
    assert_eq!(full.domain.as_deref(), Some("mediadesk-sandbox.myshopify.com"));
    assert_eq!(full.scopes.len(), 4);
    assert!(full.limitations.is_empty());
    let limited =
        store(&sandbox, Credentials::Token(Secret::new(SANDBOX_TOKEN_NO_WRITE_FILES))).connect().await.unwrap();
    assert_eq!(limited.limitations.len(), 1);
    assert!(limited.limitations[0].contains("write_files"));
    let err = store(&sandbox, Credentials::Token(Secret::new("shpat_nope"))).connect().await.unwrap_err();
    assert!(matches!(err, StoreError::Auth { .. }));
}

#[tokio::test]
async fn client_credentials_are_exchanged_for_a_token() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, client(SANDBOX_CLIENT_SECRET));
    assert_eq!(s.connect().await.unwrap().scopes.len(), 4);
    s.search_products(&ProductQuery { limit: 5, ..Default::default() }).await.unwrap();
    assert_eq!(sandbox.shared().issued.lock().unwrap().len(), 1, "one exchange serves many requests");
    let err = store(&sandbox, client("wrong")).connect().await.unwrap_err();
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");
    assert!(!err.to_string().contains("wrong"));
}

#[tokio::test]
async fn a_token_near_its_end_or_refused_is_exchanged_again() {
    // Tokens that live 2 s are always inside the renewal margin: every request gets a fresh one.
    let sandbox = common::sandbox_with(|c| c.clients[0].token_lifetime = Duration::from_secs(2)).await;
    let s = store(&sandbox, client(SANDBOX_CLIENT_SECRET));
    s.connect().await.unwrap();
    s.connect().await.unwrap();
    assert_eq!(sandbox.shared().issued.lock().unwrap().len(), 2);

    // A long-lived token revoked by the shop: the next request is refused once, then exchanged.
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, client(SANDBOX_CLIENT_SECRET));
    s.connect().await.unwrap();
    sandbox.shared().issued.lock().unwrap().clear();
    s.connect().await.expect("exchanged again after the 401");
    assert_eq!(sandbox.shared().issued.lock().unwrap().len(), 1);
}
