//! The Shopify `Store` against the sandbox over HTTP: reads, paging and how failures surface.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use mediadesk::model::{MediaKind, ProductId, ProductQuery, ProductSort, StoreRef};
use mediadesk::sandbox::Sandbox;
use mediadesk::secrets::Secret;
use mediadesk::store::shopify::{ShopifyStore, endpoint};
use mediadesk::store::{Store, StoreError};
use serde_json::json;

fn store(sandbox: &Sandbox, token: &str) -> ShopifyStore {
    let url = endpoint::graphql_url(&StoreRef::Sandbox, Some(&sandbox.url()), endpoint::DEFAULT_API_VERSION).unwrap();
    ShopifyStore::new(StoreRef::Sandbox, url, Secret::new(token))
}

#[tokio::test]
async fn search_pages_through_every_product_once_in_title_order() {
    let sandbox = common::sandbox_with(|c| c.products = 40).await;
    let s = store(&sandbox, sandbox.token());
    let mut query = ProductQuery { limit: 10, sort: ProductSort::Title, ..Default::default() };
    let mut titles = Vec::new();
    let mut ids = HashSet::new();
    loop {
        let page = s.search_products(&query).await.unwrap();
        for p in &page.items {
            assert!(ids.insert(p.id.clone()), "{} twice", p.id);
            titles.push(p.title.to_lowercase());
        }
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(ids.len(), 44, "40 generated products and the 4 of the documentation");
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);
    let found = s
        .search_products(&ProductQuery { text: "title:polaris*".into(), limit: 50, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 2);
    let watch = found.items.iter().find(|p| p.title == "Polaris Watch").unwrap();
    assert_eq!(watch.media_count, 5);
    assert!(watch.preview_url.as_deref().unwrap().contains("width=96"));
}

#[tokio::test]
async fn product_media_comes_in_position_order_with_kinds_and_previews() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, sandbox.token());
    let pm = s.product_media(&ProductId("gid://shopify/Product/1".into())).await.unwrap();
    assert_eq!(pm.title, "Polaris Watch");
    let kinds: Vec<MediaKind> = pm.media.iter().map(|m| m.kind).collect();
    use MediaKind::*;
    assert_eq!(kinds, [Video, ExternalVideo, Image, Video, ExternalVideo]);
    assert_eq!(pm.media.iter().map(|m| m.position).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    assert!(pm.media.iter().all(|m| m.preview_url.as_deref().is_some_and(|u| u.contains("width=320"))));
    let image = &pm.media[2];
    assert_eq!((image.width, image.height), (Some(2048), Some(2048)));
    assert_eq!(image.alt, "Man wearing Polaris watch.");
    assert_eq!(image.filename.as_deref(), Some("polaris.jpg"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_with_more_media_than_one_page_is_read_whole() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let source = format!("{}/cdn/shop/files/37/polaris.jpg?v=1", sandbox.url());
    let media: Vec<_> = (0..115)
        .map(|i| json!({"originalSource": source, "alt": format!("copy {i}"), "mediaContentType": "IMAGE"}))
        .collect();
    let (_, body) = common::gql(
        &sandbox,
        sandbox.token(),
        "mutation($p: ProductUpdateInput!, $m: [CreateMediaInput!]) { productUpdate(product: $p, media: $m) { userErrors { message } } }",
        json!({"p": {"id": "gid://shopify/Product/1"}, "m": media}),
    )
    .await;
    assert_eq!(body["data"]["productUpdate"]["userErrors"], json!([]));
    let pm =
        store(&sandbox, sandbox.token()).product_media(&ProductId("gid://shopify/Product/1".into())).await.unwrap();
    assert_eq!(pm.media.len(), 120);
    assert_eq!(pm.media[119].alt, "copy 114");
    let ids: HashSet<_> = pm.media.iter().map(|m| m.id.clone()).collect();
    assert_eq!(ids.len(), 120);
}

#[tokio::test]
async fn failures_surface_as_the_right_store_errors() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let err = store(&sandbox, "shpat_revoked")
        .search_products(&ProductQuery { limit: 5, ..Default::default() })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");
    assert!(!err.to_string().contains("shpat_revoked"), "no token in messages");

    let missing = store(&sandbox, sandbox.token())
        .product_media(&ProductId("gid://shopify/Product/404".into()))
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing:?}");

    // Transient failures are retried a bounded number of times, then reported.
    let failing = common::sandbox_with(|c| c.faults.server_error_share = 1.0).await;
    let err = store(&failing, failing.token())
        .search_products(&ProductQuery { limit: 5, ..Default::default() })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Server { status: 500, .. }) && err.is_transient(), "{err:?}");

    let dropping = common::sandbox_with(|c| c.faults.drop_share = 1.0).await;
    let err = store(&dropping, dropping.token())
        .search_products(&ProductQuery { limit: 50, ..Default::default() })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Network { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_waits_for_the_bucket_instead_of_being_throttled() {
    let sandbox = common::sandbox_with(|c| {
        c.bucket_size = 120.0;
        c.restore_rate = 100.0;
    })
    .await;
    let s = std::sync::Arc::new(store(&sandbox, sandbox.token()));
    let q = ProductQuery { limit: 10, ..Default::default() }; // asks for 2 + 10 × 5 = 52 points
    s.search_products(&q).await.unwrap();
    // Eight at once would need 416 points from a bucket of 120: they must queue, not fail.
    let runs: Vec<_> = (0..8)
        .map(|_| {
            let (s, q) = (s.clone(), q.clone());
            tokio::spawn(async move { s.search_products(&q).await })
        })
        .collect();
    for r in runs {
        r.await.unwrap().unwrap();
    }
    assert_eq!(s.transport().throttled_count(), 0, "no request may be throttled");
}

#[tokio::test]
async fn a_throttled_answer_is_waited_out_and_retried() {
    // Two transports share one token and so one bucket: the second cannot know what the first spent.
    let sandbox = common::sandbox_with(|c| {
        c.bucket_size = 60.0;
        c.restore_rate = 100.0;
    })
    .await;
    let (a, b) = (store(&sandbox, sandbox.token()), store(&sandbox, sandbox.token()));
    let q = ProductQuery { limit: 10, ..Default::default() };
    a.search_products(&q).await.unwrap();
    b.search_products(&q).await.unwrap();
    assert_eq!(b.transport().throttled_count(), 1, "the second saw THROTTLED once, waited and succeeded");
}

#[tokio::test]
async fn reads_survive_intermittent_server_errors() {
    let sandbox = common::sandbox_with(|c| c.faults.server_error_share = 0.3).await;
    let s = store(&sandbox, sandbox.token());
    for _ in 0..15 {
        s.product_media(&ProductId("gid://shopify/Product/1".into())).await.expect("retried until it succeeded");
    }
}

#[tokio::test]
async fn alt_texts_for_health_badges_are_the_media_alts_at_a_fraction_of_the_cost() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, sandbox.token());
    let id = ProductId("gid://shopify/Product/1".into());
    let full = s.product_media(&id).await.unwrap();
    let alts = s.media_alts(&id, full.media.len() as u32).await.unwrap();
    assert_eq!(alts.title, full.title);
    let expected: Vec<_> = full.media.iter().map(|m| (m.id.clone(), m.alt.clone())).collect();
    assert_eq!(alts.media, expected, "same media, same order, same alt texts");
    // Priced by what is asked: a request sized to the product's five media.
    let cost = |doc: &'static str, first: u32| {
        let sandbox = &sandbox;
        async move {
            let (_, body) =
                common::gql(sandbox, sandbox.token(), doc, json!({"id": "gid://shopify/Product/1", "first": first}))
                    .await;
            body["extensions"]["cost"]["requestedQueryCost"].as_u64().unwrap()
        }
    };
    let cheap = cost(mediadesk::store::shopify::documents::MEDIA_ALTS.text, 5).await;
    let page = cost(mediadesk::store::shopify::documents::PRODUCT_MEDIA.text, 50).await;
    assert!(cheap <= 10 && page >= 10 * cheap, "health read {cheap} points, a media page {page}");
}
