//! Uploading through the Shopify store against the sandbox: local checks, staged targets,
//! progress, one attach, processing followed to the end, and no duplicates when connections drop.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mediadesk::model::{MediaId, MediaKind, MediaStatus, ProductId, StoreRef};
use mediadesk::sandbox::Sandbox;
use mediadesk::sandbox::state::Timings;
use mediadesk::secrets::Secret;
use mediadesk::store::shopify::{ShopifyStore, endpoint};
use mediadesk::store::{ProgressFn, Store, UploadFile};

fn store(sandbox: &Sandbox) -> ShopifyStore {
    let url = endpoint::graphql_url(&StoreRef::Sandbox, Some(&sandbox.url()), endpoint::DEFAULT_API_VERSION).unwrap();
    ShopifyStore::new(StoreRef::Sandbox, url, Secret::new(sandbox.token()))
}

fn fast(c: &mut mediadesk::sandbox::SandboxConfig) {
    c.timings = Timings {
        to_processing: Duration::from_millis(20),
        to_done: Duration::from_millis(100),
        reorder_job: Duration::from_millis(50),
    };
}

fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8 ^ seed, y as u8, seed]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The smallest MP4 the checks accept: `ftyp`, `moov` with `mvhd` and a video track header, and
/// an (empty) `mdat`.
fn mp4(seconds: u32) -> Vec<u8> {
    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }
    let mut mvhd = vec![0u8; 100];
    mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[16..20].copy_from_slice(&(seconds * 1000).to_be_bytes());
    let mut tkhd = vec![0u8; 84];
    tkhd[76..80].copy_from_slice(&(1280u32 << 16).to_be_bytes());
    tkhd[80..84].copy_from_slice(&(720u32 << 16).to_be_bytes());
    let mut moov = bx(b"mvhd", &mvhd);
    moov.extend(bx(b"trak", &bx(b"tkhd", &tkhd)));
    let mut file = bx(b"ftyp", b"isom\0\0\0\0isommp41");
    file.extend(bx(b"moov", &moov));
    file.extend(bx(b"mdat", &[]));
    file
}

/// A minimal GLB: header and a JSON chunk naming the glTF version.
fn glb() -> Vec<u8> {
    let chunk = br#"{"asset":{"version":"2.0"}}     "#.to_vec();
    let mut out = b"glTF".to_vec();
    out.extend(2u32.to_le_bytes());
    out.extend(((20 + chunk.len()) as u32).to_le_bytes());
    out.extend((chunk.len() as u32).to_le_bytes());
    out.extend(0x4E4F_534Au32.to_le_bytes());
    out.extend(chunk);
    out
}

fn file(name: &str, bytes: Vec<u8>, alt: Option<&str>) -> UploadFile {
    UploadFile { filename: name.into(), bytes: bytes.into(), alt: alt.map(str::to_string) }
}

const LAPTOP_SLEEVE: &str = "gid://shopify/Product/1072273800";

type Seen = Arc<Mutex<Vec<(usize, u64, u64)>>>;

fn recorder() -> (ProgressFn, Seen) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    (Arc::new(move |i, sent, total| s.lock().unwrap().push((i, sent, total))), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_checked_sent_attached_and_followed_to_ready() {
    let sandbox = common::sandbox_with(fast).await;
    let s = store(&sandbox);
    let product = ProductId(LAPTOP_SLEEVE.into());
    let before = s.product_media(&product).await.unwrap().media.len();
    let mut corrupt = png(50, 50, 1);
    corrupt.truncate(30);
    let big = png(300, 200, 2);
    let files = vec![
        file("front.png", big.clone(), Some("Sleeve, front")),
        file("notes.png", b"shopping list: milk".to_vec(), None),
        file("broken.png", corrupt, None),
        file("demo.mp4", mp4(12), Some("Sleeve demo")),
        file("model.glb", glb(), None),
    ];
    let (progress, seen) = recorder();
    let results = s.upload(&product, files, progress).await.unwrap();
    assert_eq!(results.len(), 5);
    let front = results[0].media().unwrap();
    assert_eq!((front.kind, front.status, front.alt.as_str()), (MediaKind::Image, MediaStatus::Ready, "Sleeve, front"));
    assert_eq!((front.width, front.height), (Some(300), Some(200)));
    assert_eq!(results[1].error().unwrap().code, "UNSUPPORTED_FILE_TYPE");
    assert_eq!(results[2].error().unwrap().code, "FILE_CORRUPT");
    assert_eq!(results[3].media().unwrap().kind, MediaKind::Video);
    assert_eq!(results[4].media().unwrap().kind, MediaKind::Model3d);
    // Progress reached every sent file's full size, and nothing for refused files.
    let seen = seen.lock().unwrap().clone();
    let last_of = |i: usize| seen.iter().filter(|(j, _, _)| *j == i).map(|(_, s, t)| (*s, *t)).next_back();
    assert_eq!(last_of(0), Some((big.len() as u64, big.len() as u64)));
    assert!(last_of(1).is_none() && last_of(2).is_none());
    // The store holds exactly the three new media, in the order given, after the old ones.
    let after = s.product_media(&product).await.unwrap().media;
    assert_eq!(after.len(), before + 3);
    let new: Vec<&MediaId> = after[before..].iter().map(|m| &m.id).collect();
    let ids: Vec<&MediaId> = [0, 3, 4].iter().map(|i| &results[*i].media().unwrap().id).collect();
    assert_eq!(new, ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processing_failures_are_reported_with_the_stores_reason() {
    let sandbox = common::sandbox_with(|c| {
        fast(c);
        c.faults.processing_failure_share = 1.0;
    })
    .await;
    let s = store(&sandbox);
    let (progress, _) = recorder();
    let results =
        s.upload(&ProductId(LAPTOP_SLEEVE.into()), vec![file("a.png", png(20, 20, 3), None)], progress).await.unwrap();
    let m = results[0].media().unwrap();
    assert_eq!(m.status, MediaStatus::Failed);
    assert!(m.errors[0].contains("Processing the image failed"), "{:?}", m.errors);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_never_create_the_same_media_twice() {
    let sandbox = common::sandbox_with(|c| {
        fast(c);
        c.faults.drop_share = 0.35;
        c.seed = 7;
    })
    .await;
    let s = store(&sandbox);
    let product = ProductId(LAPTOP_SLEEVE.into());
    let mut uploaded = 0;
    for round in 0..4u8 {
        let (progress, _) = recorder();
        let files = (0..3).map(|i| file(&format!("r{round}-{i}.png"), png(16, 16, round * 10 + i), None)).collect();
        match s.upload(&product, files, progress).await {
            Ok(results) => uploaded += results.iter().filter(|r| r.media().is_some()).count(),
            Err(e) => panic!("round {round}: {e}"),
        }
    }
    // Read with a clean sandbox view of the same state.
    let count = {
        let st = sandbox.state();
        let st = st.lock().unwrap();
        st.products[&1_072_273_800].media.len()
    };
    assert_eq!(count, 6 + uploaded, "each uploaded file is on the product exactly once");
    assert_eq!(uploaded, 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_250_media_limit_is_checked_before_sending() {
    let sandbox = common::sandbox_with(fast).await;
    {
        let st = sandbox.state();
        let mut st = st.lock().unwrap();
        // Fill the product to 249 media with copies of catalog images.
        let template = st.files[&1_072_273_826].clone();
        let have = st.products[&1_072_273_800].media.len();
        for n in 0..(249 - have) as u64 {
            let id = 90_000_000_000 + n;
            st.files.insert(id, mediadesk::sandbox::state::FileRec { id, ..template.clone() });
            st.products.get_mut(&1_072_273_800).unwrap().media.push(id);
        }
    }
    let s = store(&sandbox);
    let (progress, _) = recorder();
    let files = (0..3).map(|i| file(&format!("x{i}.png"), png(8, 8, i), None)).collect();
    let results = s.upload(&ProductId(LAPTOP_SLEEVE.into()), files, progress).await.unwrap();
    assert!(results[0].media().is_some(), "{:?}", results[0]);
    assert_eq!(results[1].error().unwrap().code, "PRODUCT_MEDIA_LIMIT_EXCEEDED");
    assert_eq!(results[2].error().unwrap().code, "PRODUCT_MEDIA_LIMIT_EXCEEDED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_an_image_keeps_its_id_and_setting_a_video_preview_works() {
    let sandbox = common::sandbox_with(fast).await;
    let s = store(&sandbox);
    let polaris = ProductId("gid://shopify/Product/1".into());
    let id = MediaId("gid://shopify/MediaImage/37".into());
    s.replace(&id, file("new.png", png(300, 150, 9), None)).await.unwrap();
    let m = s.product_media(&polaris).await.unwrap().media.into_iter().find(|m| m.id == id).unwrap();
    assert_eq!((m.width, m.height, m.status), (Some(300), Some(150), MediaStatus::Ready));
    let video = MediaId("gid://shopify/Video/2".into());
    let before =
        s.product_media(&polaris).await.unwrap().media.into_iter().find(|m| m.id == video).unwrap().preview_url;
    s.set_preview(&video, file("poster.png", png(64, 36, 5), None)).await.unwrap();
    let after = s.product_media(&polaris).await.unwrap().media.into_iter().find(|m| m.id == video).unwrap().preview_url;
    assert_ne!(before, after, "the preview URL changes with the new image");
    let err = s.replace(&id, file("notes.txt", b"text".to_vec(), None)).await.unwrap_err();
    assert!(err.to_string().contains("not an image"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_media_can_be_acknowledged_back_to_ready() {
    let sandbox = common::sandbox_with(|c| {
        fast(c);
        c.faults.processing_failure_share = 1.0;
    })
    .await;
    let s = store(&sandbox);
    let (progress, _) = recorder();
    let product = ProductId(LAPTOP_SLEEVE.into());
    let results = s.upload(&product, vec![file("a.png", png(20, 20, 4), None)], progress).await.unwrap();
    let id = results[0].media().unwrap().id.clone();
    assert_eq!(results[0].media().unwrap().status, MediaStatus::Failed);
    let out = s.acknowledge_failed(std::slice::from_ref(&id)).await.unwrap();
    assert_eq!(out.done, vec![id.clone()]);
    let m = s.product_media(&product).await.unwrap().media.into_iter().find(|m| m.id == id).unwrap();
    assert_eq!(m.status, MediaStatus::Ready);
    assert!(m.errors.is_empty());
}
