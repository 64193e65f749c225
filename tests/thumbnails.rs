//! Thumbnails against the sandbox's CDN: fetched once, then drawn from the disk cache, even
//! while the store is down.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use mediadesk::disk_cache::DiskCache;
use mediadesk::model::{ProductId, StoreRef};
use mediadesk::secrets::Secret;
use mediadesk::store::Store;
use mediadesk::store::shopify::{ShopifyStore, endpoint};
use mediadesk::thumbs;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_thumbnail_needs_no_network_and_a_new_version_is_fetched() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let url = endpoint::graphql_url(&StoreRef::Sandbox, Some(&sandbox.url()), endpoint::DEFAULT_API_VERSION).unwrap();
    let store = ShopifyStore::new(StoreRef::Sandbox, url, Secret::new(sandbox.token()));
    let media = store.product_media(&ProductId("gid://shopify/Product/1".into())).await.unwrap();
    let preview = media.media.iter().find_map(|m| m.preview_url.clone()).expect("a preview URL");
    let dir = std::env::temp_dir().join(format!("mediadesk-thumbs-it-{}", std::process::id()));
    let cache = DiskCache::new(&dir, thumbs::CACHE_BUDGET);
    let http = reqwest::Client::new();

    let fresh = thumbs::load(&http, Some(&cache), &preview).await.expect("fetched from the CDN");
    assert!(cache.read(&preview).is_some(), "kept on disk");
    sandbox.state().lock().unwrap().outage = true;
    let cached = thumbs::load(&http, Some(&cache), &preview).await.expect("drawn from disk while the store is down");
    assert_eq!(cached.size, fresh.size);
    assert_eq!(cached.pixels, fresh.pixels);
    // Without a cache, the outage shows: no picture rather than a wrong one.
    assert!(thumbs::load(&http, None, &preview).await.is_none());
    // A replaced image has a new version in its URL, which the cache has never seen.
    let newer = preview.replace("?v=", "?v=9");
    assert!(thumbs::load(&http, Some(&cache), &newer).await.is_none());
    std::fs::remove_dir_all(&dir).ok();
}
