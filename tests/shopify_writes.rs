//! The Shopify store's write operations against the sandbox: what the store ends up holding,
//! and what is reported per item.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use mediadesk::model::{MediaId, ProductId, StoreRef};
use mediadesk::sandbox::{SANDBOX_TOKEN_NO_WRITE_FILES, Sandbox};
use mediadesk::secrets::Secret;
use mediadesk::store::shopify::{ShopifyStore, endpoint};
use mediadesk::store::{AltEdit, Store, StoreError};
use serde_json::json;

fn store(sandbox: &Sandbox, token: &str) -> ShopifyStore {
    let url = endpoint::graphql_url(&StoreRef::Sandbox, Some(&sandbox.url()), endpoint::DEFAULT_API_VERSION).unwrap();
    ShopifyStore::new(StoreRef::Sandbox, url, Secret::new(token))
}

fn pid(id: &str) -> ProductId {
    ProductId(id.into())
}

fn mid(id: &str) -> MediaId {
    MediaId(id.into())
}

const POLARIS: &str = "gid://shopify/Product/1";

async fn alts(s: &ShopifyStore, product: &str) -> Vec<(String, String)> {
    s.product_media(&pid(product)).await.unwrap().media.into_iter().map(|m| (m.id.0, m.alt)).collect()
}

#[tokio::test]
async fn alt_text_is_saved_and_refusals_are_reported_per_item() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, sandbox.token());
    let edits = vec![
        AltEdit { media: mid("gid://shopify/MediaImage/37"), alt: "Polaris watch with a steel case, front".into() },
        AltEdit { media: mid("gid://shopify/Video/2"), alt: "x".repeat(513) },
        AltEdit { media: mid("gid://shopify/MediaImage/424242"), alt: "gone".into() },
        AltEdit { media: mid("gid://shopify/ExternalVideo/1"), alt: "Polaris watch review on YouTube".into() },
    ];
    let outcome = s.set_alt(&pid(POLARIS), &edits).await.unwrap();
    assert_eq!(outcome.done, vec![mid("gid://shopify/MediaImage/37"), mid("gid://shopify/ExternalVideo/1")]);
    let codes: Vec<(&str, &str)> =
        outcome.failed.iter().map(|e| (e.item.as_deref().unwrap_or(""), e.code.as_str())).collect();
    assert_eq!(
        codes,
        [
            ("gid://shopify/Video/2", "ALT_VALUE_LIMIT_EXCEEDED"),
            ("gid://shopify/MediaImage/424242", "MEDIA_NOT_ON_PRODUCT")
        ]
    );
    let now = alts(&s, POLARIS).await;
    assert!(now.contains(&("gid://shopify/MediaImage/37".into(), "Polaris watch with a steel case, front".into())));
    assert!(now.contains(&("gid://shopify/ExternalVideo/1".into(), "Polaris watch review on YouTube".into())));
    assert!(now.iter().all(|(_, a)| a.len() <= 512));
}

#[tokio::test]
async fn without_write_files_alt_text_goes_through_product_update_media_and_says_so_once() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, SANDBOX_TOKEN_NO_WRITE_FILES);
    let first = s
        .set_alt(
            &pid(POLARIS),
            &[AltEdit { media: mid("gid://shopify/MediaImage/37"), alt: "Steel Polaris watch".into() }],
        )
        .await
        .unwrap();
    assert_eq!(first.done, vec![mid("gid://shopify/MediaImage/37")]);
    assert!(first.notice.as_deref().unwrap().contains("write_files"));
    let second = s
        .set_alt(
            &pid(POLARIS),
            &[
                AltEdit { media: mid("gid://shopify/Video/2"), alt: "Watch comparison video".into() },
                AltEdit { media: mid("gid://shopify/MediaImage/853695510"), alt: "not on this product".into() },
            ],
        )
        .await
        .unwrap();
    assert!(second.notice.is_none(), "said once");
    assert_eq!(second.done, vec![mid("gid://shopify/Video/2")]);
    assert_eq!(second.failed[0].code, "MEDIA_NOT_ON_PRODUCT");
    let now = alts(&s, POLARIS).await;
    assert!(now.contains(&("gid://shopify/Video/2".into(), "Watch comparison video".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_product_s_250_alt_texts_are_saved_and_other_products_media_are_refused_unsent() {
    let sandbox = common::sandbox_with(|c| c.products = 60).await;
    let s = store(&sandbox, sandbox.token());
    let (ours, others) = {
        let st = sandbox.state();
        let mut st = st.lock().unwrap();
        let template = st.files[&37].clone();
        let have = st.products[&1].media.len();
        for n in 0..(250 - have) as u64 {
            let id = 91_000_000_000 + n;
            st.files.insert(id, mediadesk::sandbox::state::FileRec { id, ..template.clone() });
            st.products.get_mut(&1).unwrap().media.push(id);
        }
        let others: Vec<u64> =
            st.products.iter().filter(|(p, _)| **p != 1).flat_map(|(_, p)| p.media.clone()).take(40).collect();
        (st.products[&1].media.clone(), others)
    };
    let kind = |id: u64| {
        let st = sandbox.state();
        let st = st.lock().unwrap();
        mediadesk::sandbox::state::gid(st.files[&id].kind.type_name(), id)
    };
    let mut edits: Vec<AltEdit> = ours
        .iter()
        .enumerate()
        .map(|(i, id)| AltEdit { media: mid(&kind(*id)), alt: format!("Catalog photo {i}") })
        .collect();
    edits.extend(others.iter().map(|id| AltEdit { media: mid(&kind(*id)), alt: "not this product".into() }));
    let outcome = s.set_alt(&pid(POLARIS), &edits).await.unwrap();
    assert_eq!(outcome.done.len(), 250, "{:?}", outcome.failed.first());
    assert_eq!(outcome.failed.len(), others.len());
    assert!(outcome.failed.iter().all(|e| e.code == "MEDIA_NOT_ON_PRODUCT"));
    let st = sandbox.state();
    let st = st.lock().unwrap();
    assert!(others.iter().all(|id| st.files[id].alt != "not this product"), "nothing sent for other products");
    assert_eq!(st.files[&ours[249]].alt, "Catalog photo 249");
}

#[tokio::test]
async fn reorder_sends_moves_waits_for_the_job_and_the_store_holds_the_new_order() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, sandbox.token());
    let before: Vec<MediaId> = s.product_media(&pid(POLARIS)).await.unwrap().media.into_iter().map(|m| m.id).collect();
    let mut wanted = before.clone();
    wanted.reverse();
    s.reorder(&pid(POLARIS), &wanted).await.unwrap();
    let after: Vec<MediaId> = s.product_media(&pid(POLARIS)).await.unwrap().media.into_iter().map(|m| m.id).collect();
    assert_eq!(after, wanted);
    // An order that does not name every media (the product changed meanwhile) is refused untouched.
    let err = s.reorder(&pid(POLARIS), &wanted[1..]).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid { code, .. } if code == "ORDER_MISMATCH"), "{err:?}");
    let still: Vec<MediaId> = s.product_media(&pid(POLARIS)).await.unwrap().media.into_iter().map(|m| m.id).collect();
    assert_eq!(still, wanted);
}

#[tokio::test]
async fn remove_detaches_and_delete_removes_for_good() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, sandbox.token());
    let out = s.remove_from_product(&pid(POLARIS), &[mid("gid://shopify/MediaImage/37")]).await.unwrap();
    assert_eq!(out.done, vec![mid("gid://shopify/MediaImage/37")]);
    let ids: Vec<String> = alts(&s, POLARIS).await.into_iter().map(|(id, _)| id).collect();
    assert!(!ids.contains(&"gid://shopify/MediaImage/37".to_string()));
    let (_, body) =
        common::gql(&sandbox, sandbox.token(), "{ files(first: 1, query: \"id:37\") { nodes { id } } }", json!({}))
            .await;
    assert_eq!(body["data"]["files"]["nodes"][0]["id"], "gid://shopify/MediaImage/37", "kept in the library");

    let out = s.delete(&[mid("gid://shopify/Video/2"), mid("gid://shopify/MediaImage/9999")]).await.unwrap();
    assert_eq!(out.done, vec![mid("gid://shopify/Video/2")]);
    assert_eq!(out.failed[0].code, "FILE_DOES_NOT_EXIST");
    let (_, body) =
        common::gql(&sandbox, sandbox.token(), "{ files(first: 1, query: \"id:2\") { nodes { id } } }", json!({}))
            .await;
    assert_eq!(body["data"]["files"]["nodes"], json!([]));
}

#[tokio::test]
async fn removed_media_can_be_put_back_where_it_was() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, sandbox.token());
    let before: Vec<MediaId> = s.product_media(&pid(POLARIS)).await.unwrap().media.into_iter().map(|m| m.id).collect();
    let gone = [before[1].clone(), before[2].clone()];
    s.remove_from_product(&pid(POLARIS), &gone).await.unwrap();
    let out = s.reattach(&pid(POLARIS), &gone).await.unwrap();
    assert_eq!(out.done, gone.to_vec());
    let now: Vec<MediaId> = s.product_media(&pid(POLARIS)).await.unwrap().media.into_iter().map(|m| m.id).collect();
    assert_eq!(&now[now.len() - 2..], &gone, "back at the end, as Shopify puts new references");
    s.reorder(&pid(POLARIS), &before).await.unwrap();
    let now: Vec<MediaId> = s.product_media(&pid(POLARIS)).await.unwrap().media.into_iter().map(|m| m.id).collect();
    assert_eq!(now, before);
    let err = s.reattach(&pid("gid://shopify/Product/424242"), &gone[..1]).await.unwrap();
    assert_eq!(err.failed[0].code, "REFERENCE_TARGET_DOES_NOT_EXIST");
}

#[tokio::test]
async fn rename_keeps_the_extension() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, sandbox.token());
    s.rename(&mid("gid://shopify/MediaImage/37"), "polaris-steel-front").await.unwrap();
    let pm = s.product_media(&pid(POLARIS)).await.unwrap();
    let m = pm.media.iter().find(|m| m.id.0 == "gid://shopify/MediaImage/37").unwrap();
    assert_eq!(m.filename.as_deref(), Some("polaris-steel-front.jpg"));
    let err = s.rename(&mid("gid://shopify/MediaImage/37"), "front.png").await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid { code, .. } if code == "INVALID_FILENAME_EXTENSION"), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_that_set_a_state_survive_dropped_connections() {
    let sandbox = common::sandbox_with(|c| c.faults.drop_share = 0.4).await;
    let s = store(&sandbox, sandbox.token());
    for round in 0..5 {
        let alt = format!("Polaris watch, take {round}");
        let out = s
            .set_alt(&pid(POLARIS), &[AltEdit { media: mid("gid://shopify/MediaImage/37"), alt: alt.clone() }])
            .await
            .unwrap();
        assert_eq!(out.done.len(), 1);
        let clean = common::gql(
            &sandbox,
            sandbox.token(),
            "{ files(first: 1, query: \"id:37\") { nodes { alt } } }",
            json!({}),
        );
        // The read itself may be dropped too: retry it by hand.
        let mut read = clean.await;
        for _ in 0..10 {
            if read.1["data"].is_object() {
                break;
            }
            read = common::gql(
                &sandbox,
                sandbox.token(),
                "{ files(first: 1, query: \"id:37\") { nodes { alt } } }",
                json!({}),
            )
            .await;
        }
        assert_eq!(read.1["data"]["files"]["nodes"][0]["alt"], alt.as_str());
    }
}
