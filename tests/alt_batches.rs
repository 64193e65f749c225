//! Alt texts of many products in few writes: Shopify's `fileUpdate` takes 250 files of any
//! products, so a bulk fix of one image on each of hundreds of products is a handful of
//! requests, not a read and a write per product. Checked through a proxy that keeps every
//! request the client sends to the sandbox.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Mutex;

use mediadesk::model::{MediaId, ProductId, StoreRef};
use mediadesk::sandbox::Sandbox;
use mediadesk::sandbox::state::{Status, gid};
use mediadesk::secrets::Secret;
use mediadesk::store::shopify::ShopifyStore;
use mediadesk::store::shopify::credentials::Credentials;
use mediadesk::store::shopify::endpoint::graphql_url;
use mediadesk::store::{AltEdit, Store};

fn client(endpoint: &str, token: &str) -> ShopifyStore {
    let store = StoreRef::Shopify { shop: "acme".into() };
    let url = graphql_url(&store, Some(endpoint), "2025-01").unwrap();
    ShopifyStore::with_credentials(store, url, Credentials::Token(Secret::new(token)))
}

/// Up to `n` ready media of the sandbox, one per product first, with their products: what a
/// bulk fix over a store looks like.
fn ready_media(sandbox: &Sandbox, n: usize) -> Vec<(ProductId, MediaId, u64)> {
    let st = sandbox.state();
    let st = st.lock().unwrap();
    let mut out = Vec::new();
    for round in 0..4 {
        for p in st.products.values() {
            let Some(id) = p.media.get(round) else { continue };
            let f = &st.files[id];
            if f.status == Status::Ready && out.len() < n {
                out.push((ProductId(gid("Product", p.id)), MediaId(gid(f.kind.type_name(), f.id)), f.id));
            }
        }
    }
    out
}

fn requests_named(seen: &Mutex<Vec<String>>, operation: &str) -> usize {
    seen.lock().unwrap().iter().filter(|b| b.contains(operation)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_alt_texts_of_many_products_go_in_a_few_writes() {
    let sandbox = common::sandbox_with(|c| c.products = 400).await;
    let (proxy, seen) = common::proxy(&sandbox, |_| None).await;
    let store = client(&proxy, sandbox.token());
    assert!(store.capabilities().alts_across_products);
    let media = ready_media(&sandbox, 300);
    assert_eq!(media.len(), 300);
    let products: std::collections::BTreeSet<&ProductId> = media.iter().map(|(p, _, _)| p).collect();
    assert!(products.len() > 250, "{} products: the writes span products", products.len());

    // One of them is deleted on the store after the plan was made.
    let gone = media[7].2;
    {
        let st = sandbox.state();
        let mut st = st.lock().unwrap();
        st.files.remove(&gone);
        for p in st.products.values_mut() {
            p.media.retain(|m| *m != gone);
        }
    }
    let edits: Vec<(ProductId, AltEdit)> = media
        .iter()
        .enumerate()
        .map(|(i, (p, m, _))| {
            (p.clone(), AltEdit { media: m.clone(), alt: format!("Bulk text number {i}, front view") })
        })
        .collect();
    let outcome = store.set_alts(&edits).await.unwrap();

    // Shopify refuses a whole fileUpdate that names a file it no longer has: the first 250
    // again without it, then the last 50.
    assert_eq!(requests_named(&seen, "fileUpdate"), 3);
    assert_eq!(seen.lock().unwrap().len(), 3, "and nothing read first");
    let sizes: Vec<usize> = seen.lock().unwrap().iter().map(|b| b.matches("\"alt\"").count()).collect();
    assert_eq!(sizes, [250, 249, 50]);
    assert_eq!(outcome.done.len(), 299);
    assert_eq!(outcome.failed.len(), 1, "{:?}", outcome.failed);
    assert_eq!(outcome.failed[0].item.as_deref(), Some(media[7].1.0.as_str()), "the deleted one, named");
    let st = sandbox.state();
    let st = st.lock().unwrap();
    for (i, (_, _, id)) in media.iter().enumerate().filter(|(_, (_, _, id))| *id != gone) {
        assert_eq!(st.files[id].alt, format!("Bulk text number {i}, front view"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_write_files_the_texts_go_a_product_at_a_time_and_say_why() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let (proxy, seen) = common::proxy(&sandbox, |_| None).await;
    let store = client(&proxy, mediadesk::sandbox::SANDBOX_TOKEN_NO_WRITE_FILES);
    let media = ready_media(&sandbox, 6);
    let edits: Vec<(ProductId, AltEdit)> = media
        .iter()
        .map(|(p, m, id)| (p.clone(), AltEdit { media: m.clone(), alt: format!("Linen detail {id}, close up") }))
        .collect();
    let outcome = store.set_alts(&edits).await.unwrap();
    assert_eq!(outcome.done.len(), 6, "{:?}", outcome.failed);
    assert!(outcome.notice.as_deref().is_some_and(|n| n.contains("write_files")), "{:?}", outcome.notice);
    assert_eq!(requests_named(&seen, "productUpdateMedia"), 6, "one per product");
    let st = sandbox.state();
    let st = st.lock().unwrap();
    for (_, _, id) in &media {
        assert_eq!(st.files[id].alt, format!("Linen detail {id}, close up"));
    }
}
