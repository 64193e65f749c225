//! Throughput of the Shopify store against the sandbox (a bench binary: `cargo bench --bench shopify`).
//!
//! scan:   read every product's media of a 2,000-product catalog with the default cost bucket
//!         (2,000 points, 100 a second); report points spent a second against the restore rate,
//!         and how many answers were THROTTLED.
//! upload: 50 files of 2 MB through a 10 MB/s bandwidth cap, as one batch and one at a time.
//!
//! `cargo bench --bench shopify -- scan` or `-- upload` runs one of them.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use mediadesk::model::{ProductId, ProductQuery, StoreRef};
use mediadesk::sandbox::{Sandbox, SandboxConfig};
use mediadesk::secrets::Secret;
use mediadesk::store::shopify::{ShopifyStore, endpoint};
use mediadesk::store::{ProgressFn, Store, UploadFile};

fn store(sandbox: &Sandbox) -> ShopifyStore {
    let url = endpoint::graphql_url(&StoreRef::Sandbox, Some(&sandbox.url()), endpoint::DEFAULT_API_VERSION).unwrap();
    ShopifyStore::new(StoreRef::Sandbox, url, Secret::new(sandbox.token()))
}

async fn scan() {
    let products = 2_000;
    let sandbox = Sandbox::start(SandboxConfig { products, ..SandboxConfig::default() }).await.unwrap();
    let s = Arc::new(store(&sandbox));
    let started = Instant::now();
    let mut ids = Vec::new();
    let mut q = ProductQuery { limit: 100, ..Default::default() };
    loop {
        let page = s.search_products(&q).await.unwrap();
        ids.extend(page.items.into_iter().map(|p| p.id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    let media = AtomicU64::new(0);
    // Four requests in flight: enough to hide latency; the scheduler keeps them inside the bucket.
    futures_util::stream::iter(ids.iter().cloned())
        .for_each_concurrent(4, |id: ProductId| {
            let (s, media) = (s.clone(), &media);
            async move {
                let pm = s.product_media(&id).await.unwrap();
                media.fetch_add(pm.media.len() as u64, Ordering::Relaxed);
            }
        })
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    // Every answer reports the points it cost. Beyond the 2,000 the bucket held at the start
    // (less what is left at the end), points can only come from the restore rate.
    let spent = s.transport().points_spent() as f64;
    let left = s.transport().last_cost().map(|c| c.throttle_status.currently_available).unwrap_or(0.0);
    let restored = spent - (2000.0 - left);
    let rate = restored / elapsed;
    println!("scan: {} products, {} media in {elapsed:.1} s", ids.len(), media.load(Ordering::Relaxed));
    println!(
        "scan: {spent:.0} points spent; {restored:.0} of them restored during the scan: {rate:.1} points/s = {:.1}% of the 100/s restore rate",
        rate
    );
    println!("scan: THROTTLED answers: {}", s.transport().throttled_count());
}

fn payload(i: usize, len: usize) -> Vec<u8> {
    // A valid PNG padded to size: the checks read the header, the sandbox decodes the image.
    let img = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8, y as u8, i as u8]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    let mut v = out.into_inner();
    v.resize(len, 0);
    v
}

async fn upload() {
    let cap = 10_000_000u64;
    let files = 50;
    let size = 2_000_000;
    let mut config = SandboxConfig::default();
    config.faults.bandwidth = Some(cap);
    let sandbox = Sandbox::start(config).await.unwrap();
    let s = store(&sandbox);
    let product = ProductId("gid://shopify/Product/1072273800".into());
    let quiet: ProgressFn = Arc::new(|_, _, _| {});
    let batch: Vec<UploadFile> = (0..files)
        .map(|i| UploadFile { filename: format!("b{i}.png"), bytes: payload(i, size).into(), alt: None })
        .collect();
    let ideal = (files * size) as f64 / cap as f64;

    let t = Instant::now();
    let r = s.upload(&product, batch, quiet.clone()).await.unwrap();
    let together = t.elapsed().as_secs_f64();
    assert!(r.iter().all(|r| r.media().is_some()));
    println!("upload: {files} × {} MB through {} MB/s: bytes ÷ cap = {ideal:.2} s", size / 1_000_000, cap / 1_000_000);
    println!("upload: as one batch {together:.2} s = {:.3}× bytes ÷ cap (READY included)", together / ideal);

    let other = ProductId("gid://shopify/Product/1".into());
    let t = Instant::now();
    for i in 0..files {
        let one = vec![UploadFile { filename: format!("s{i}.png"), bytes: payload(i, size).into(), alt: None }];
        assert!(s.upload(&other, one, quiet.clone()).await.unwrap()[0].media().is_some());
    }
    let alone = t.elapsed().as_secs_f64();
    println!("upload: one at a time {alone:.2} s; the batch is {:.1}× faster", alone / together);
}

fn main() {
    let which: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let want = |name: &str| which.is_empty() || which.iter().any(|w| w == name);
    if want("upload") {
        rt.block_on(upload());
    }
    if want("scan") {
        rt.block_on(scan());
    }
    let _ = Duration::ZERO;
}
