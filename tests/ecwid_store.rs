//! The Ecwid store against the sandbox's Ecwid face over HTTP.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use mediadesk::model::{MediaId, MediaKind, ProductId, ProductQuery, ProductSort};
use mediadesk::sandbox::Sandbox;
use mediadesk::sandbox::ecwid::{PUBLIC_TOKEN, SECRET_TOKEN, STORE_ID};
use mediadesk::sandbox::state::FileKind;
use mediadesk::secrets::Secret;
use mediadesk::store::ecwid::EcwidStore;
use mediadesk::store::{AltEdit, Store, StoreError, UploadFile};

fn store(sandbox: &Sandbox, token: &str) -> EcwidStore {
    EcwidStore::new(&STORE_ID.to_string(), Some(&sandbox.url()), Secret::new(token)).unwrap()
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(w, h).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A generated product with at least `n` images, and its image ids in order.
fn product_with_images(sandbox: &Sandbox, n: usize) -> (ProductId, Vec<u64>) {
    let st = sandbox.state();
    let st = st.lock().unwrap();
    st.products
        .values()
        .filter(|p| p.id >= 7_400_000_000)
        .map(|p| (p.id, p.media.iter().copied().filter(|m| st.files[m].kind == FileKind::Image).collect::<Vec<_>>()))
        .find(|(_, imgs)| imgs.len() >= n)
        .map(|(id, imgs)| (ProductId(id.to_string()), imgs))
        .expect("the catalog has such a product")
}

fn images_now(sandbox: &Sandbox, product: &ProductId) -> Vec<u64> {
    let st = sandbox.state();
    let st = st.lock().unwrap();
    let p = &st.products[&product.0.parse::<u64>().unwrap()];
    p.media.iter().copied().filter(|m| st.files[m].kind == FileKind::Image).collect()
}

#[tokio::test]
async fn search_pages_and_reads_media_with_sized_urls() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, SECRET_TOKEN);
    let mut q = ProductQuery { limit: 10, sort: ProductSort::Title, ..Default::default() };
    let mut seen = std::collections::HashSet::new();
    loop {
        let page = s.search_products(&q).await.unwrap();
        for p in &page.items {
            assert!(seen.insert(p.id.clone()));
        }
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 44);
    let found =
        s.search_products(&ProductQuery { text: "polaris".into(), limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(found.items.len(), 2);

    let pm = s.product_media(&ProductId("1".into())).await.unwrap();
    let kinds: Vec<MediaKind> = pm.media.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [
            MediaKind::Image,
            MediaKind::ExternalVideo,
            MediaKind::ExternalVideo,
            MediaKind::ExternalVideo,
            MediaKind::ExternalVideo
        ]
    );
    assert_eq!(pm.media[0].id, MediaId("37".into()));
    assert!(pm.media[0].preview_url.as_deref().unwrap().contains("width=400"));
}

#[tokio::test]
async fn alt_text_keeps_translations_and_the_gallery_unchanged() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, SECRET_TOKEN);
    let (product, images) = product_with_images(&sandbox, 3);
    let (first, second) = (images[0], images[1]);
    let second_alt = sandbox.state().lock().unwrap().files[&second].alt.clone();
    sandbox.state().lock().unwrap().files.get_mut(&first).unwrap().alt_translated =
        [("fr".to_string(), "Vue de face".to_string())].into();
    let out = s
        .set_alt(
            &product,
            &[
                AltEdit { media: MediaId(first.to_string()), alt: "Front of the board, oiled walnut".into() },
                AltEdit { media: MediaId(second.to_string()), alt: "z".repeat(126) },
                AltEdit { media: MediaId("999".into()), alt: "nope".into() },
            ],
        )
        .await
        .unwrap();
    assert_eq!(out.done, vec![MediaId(first.to_string())]);
    let codes: Vec<&str> = out.failed.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["ALT_VALUE_LIMIT_EXCEEDED", "MEDIA_DOES_NOT_EXIST_ON_PRODUCT"]);
    let st = sandbox.state();
    let st = st.lock().unwrap();
    assert_eq!(st.files[&first].alt, "Front of the board, oiled walnut");
    assert_eq!(st.files[&first].alt_translated.get("fr").map(String::as_str), Some("Vue de face"), "translation kept");
    assert_eq!(st.files[&second].alt, second_alt, "the refused edit changed nothing");
    drop(st);
    assert_eq!(images_now(&sandbox, &product), images, "same images, same order");
}

#[tokio::test]
async fn reordering_changes_only_the_order() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, SECRET_TOKEN);
    let (product, images) = product_with_images(&sandbox, 3);
    let before = s.product_media(&product).await.unwrap().media;
    let mut order: Vec<MediaId> = before.iter().map(|m| m.id.clone()).collect();
    let n = images.len();
    order[..n].reverse();
    s.reorder(&product, &order).await.unwrap();
    let mut expected = images.clone();
    expected.reverse();
    assert_eq!(images_now(&sandbox, &product), expected);
    let after = s.product_media(&product).await.unwrap().media;
    let alts = |m: &[mediadesk::model::Media]| {
        let mut v: Vec<(String, String)> = m.iter().map(|m| (m.id.0.clone(), m.alt.clone())).collect();
        v.sort();
        v
    };
    assert_eq!(alts(&before), alts(&after), "alt texts and contents unchanged");
    let err = s.reorder(&product, &order[1..]).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid { code, .. } if code == "ORDER_MISMATCH"));
}

#[tokio::test]
async fn uploads_become_the_main_image_then_gallery_images() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, SECRET_TOKEN);
    let empty = {
        let st = sandbox.state();
        let st = st.lock().unwrap();
        st.products.values().find(|p| p.media.is_empty()).map(|p| ProductId(p.id.to_string())).unwrap()
    };
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let rec = seen.clone();
    let progress: mediadesk::store::ProgressFn =
        Arc::new(move |i, sent, total| rec.lock().unwrap().push((i, sent, total)));
    let mut huge = png(10, 10);
    huge.resize(21 << 20, 0);
    let files = vec![
        UploadFile { filename: "main.png".into(), bytes: png(80, 60).into(), alt: Some("Main view".into()) },
        UploadFile { filename: "side.png".into(), bytes: png(60, 80).into(), alt: None },
        UploadFile { filename: "huge.png".into(), bytes: huge.into(), alt: None },
        UploadFile { filename: "model.glb".into(), bytes: b"glTF\x02\0\0\0\x0c\0\0\0".to_vec().into(), alt: None },
    ];
    let results = s.upload(&empty, files, progress).await.unwrap();
    let main = results[0].media().unwrap();
    assert_eq!((main.position, main.alt.as_str(), main.width), (0, "Main view", Some(80)));
    assert_eq!(results[1].media().unwrap().position, 1);
    assert_eq!(results[2].error().unwrap().code, "FILE_TOO_LARGE", "refused before sending");
    assert_eq!(results[3].error().unwrap().code, "UNSUPPORTED_FILE_TYPE", "Ecwid takes no 3D models");
    assert!(seen.lock().unwrap().iter().all(|(i, _, _)| *i < 2));
    assert_eq!(images_now(&sandbox, &empty).len(), 2);

    // The server's own answers to what the adapter never sends: 413 and 422.
    let url = format!("{}/api/v3/{STORE_ID}/products/{}/gallery", sandbox.url(), empty.0);
    let r = reqwest::Client::new().post(&url).bearer_auth(SECRET_TOKEN).body(vec![0u8; 21 << 20]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let r = reqwest::Client::new().post(&url).bearer_auth(SECRET_TOKEN).body(b"hello".to_vec()).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("errorMessage"));
}

#[tokio::test]
async fn removing_deletes_the_main_or_one_gallery_image() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, SECRET_TOKEN);
    let (product, images) = product_with_images(&sandbox, 3);
    let out = s
        .remove_from_product(&product, &[MediaId(images[2].to_string()), MediaId(images[0].to_string())])
        .await
        .unwrap();
    assert_eq!(out.done.len(), 2, "{:?}", out.failed);
    let now = images_now(&sandbox, &product);
    assert_eq!(now[0], images[1], "the first gallery image became the main one");
    assert!(!now.contains(&images[0]) && !now.contains(&images[2]));
}

#[tokio::test]
async fn set_media_reports_each_item_and_never_drops_the_gallery_by_accident() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let s = store(&sandbox, SECRET_TOKEN);
    let (product, images) = product_with_images(&sandbox, 3);
    // Without a gallery list, the current gallery is sent back: same number of gallery images.
    let main_url = format!("{}/cdn/shop/files/37/polaris.jpg?v=1", sandbox.url());
    let report = s.set_media(&product, Some(&main_url), None).await.unwrap();
    assert!(report.items.iter().all(|(_, r)| r.is_ok()), "{report:?}");
    assert_eq!(images_now(&sandbox, &product).len(), images.len());
    // A partial failure: one URL cannot be downloaded.
    let gallery = vec![main_url.clone(), "https://example.com/missing.jpg".to_string()];
    let report = s.set_media(&product, None, Some(&gallery)).await.unwrap();
    assert!(report.items[0].1.is_ok());
    assert_eq!(report.items[1].1.as_ref().unwrap_err().code, "DOWNLOAD_IMAGE_FAILED");
    assert_eq!(images_now(&sandbox, &product).len(), 2, "main + the one gallery image that downloaded");
}

#[tokio::test]
async fn revoked_and_read_only_tokens_are_told_apart() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let err = store(&sandbox, "secret_revoked").product_media(&ProductId("1".into())).await.unwrap_err();
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");
    let read_only = store(&sandbox, PUBLIC_TOKEN);
    let c = read_only.connect().await.unwrap();
    let (name, limits) = (c.name, c.limitations);
    assert_eq!(name, "mediadesk sandbox");
    assert!(limits[0].contains("public_"));
    assert!(store(&sandbox, SECRET_TOKEN).connect().await.unwrap().limitations.is_empty());
    read_only.product_media(&ProductId("1".into())).await.unwrap();
    let err = read_only
        .set_alt(&ProductId("1".into()), &[AltEdit { media: MediaId("37".into()), alt: "x".into() }])
        .await
        .unwrap_err();
    // Known to be read-only since connect: refused here, before anything is sent.
    assert!(matches!(&err, StoreError::Refused { code, .. } if code == "READ_ONLY_TOKEN"), "{err:?}");
    assert!(err.to_string().contains("secret_ token"), "{err}");
    assert_ne!(sandbox.state().lock().unwrap().files[&37].alt, "x");
}

#[tokio::test]
async fn a_429_is_waited_out_for_its_retry_after() {
    let sandbox = common::sandbox_with(|c| {
        c.ecwid_requests_per_minute = 3;
        c.ecwid_window = Duration::from_secs(2);
    })
    .await;
    let url = format!("{}/api/v3/{STORE_ID}/products/1", sandbox.url());
    for _ in 0..3 {
        reqwest::Client::new().get(&url).bearer_auth(SECRET_TOKEN).send().await.unwrap();
    }
    let r = reqwest::Client::new().get(&url).bearer_auth(SECRET_TOKEN).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().get("retry-after").is_some());
    // The adapter waits and gets through.
    let pm = store(&sandbox, SECRET_TOKEN).product_media(&ProductId("1".into())).await.unwrap();
    assert_eq!(pm.title, "Polaris Watch");
}
