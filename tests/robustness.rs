//! Store clients against small local servers and a failing proxy: redirects are not followed
//! (the token stays home), uploads declare their length, null fields never fail a page, an
//! attached upload is never reported as failed, and progress never runs ahead of the link.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use mediadesk::model::{MediaStatus, ProductId, ProductQuery, StoreRef};
use mediadesk::sandbox::Sandbox;
use mediadesk::secrets::Secret;
use mediadesk::store::ecwid::EcwidStore;
use mediadesk::store::shopify::ShopifyStore;
use mediadesk::store::shopify::credentials::Credentials;
use mediadesk::store::shopify::endpoint::graphql_url;
use mediadesk::store::{FileOutcome, ProgressFn, Store, StoreError, UploadFile};
use serde_json::json;

/// Serve a router on a free loopback port; its base URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    format!("http://{addr}")
}

fn png(w: u32, h: u32, noisy: bool) -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        if noisy {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            image::Rgb([(seed >> 24) as u8, (seed >> 16) as u8, (seed >> 8) as u8])
        } else {
            image::Rgb([x as u8, y as u8, 7])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn quiet() -> ProgressFn {
    Arc::new(|_, _, _| {})
}

fn shopify_at(endpoint: &str, credentials: Credentials) -> ShopifyStore {
    let store = StoreRef::Shopify { shop: "acme".into() };
    let url = graphql_url(&store, Some(endpoint), "2025-01").unwrap();
    ShopifyStore::with_credentials(store, url, credentials)
}

fn refused_redirect(e: &StoreError, to: &str) {
    match e {
        StoreError::Invalid { code, message, .. } => {
            assert_eq!(code, "REDIRECT_REFUSED", "{message}");
            assert!(message.contains(to) && !message.contains("secret"), "{message}");
        }
        other => panic!("expected a refused redirect, got {other:?}"),
    }
}

#[tokio::test]
async fn redirects_are_not_followed_so_the_token_never_reaches_another_address() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    let collector = serve(Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(format!("{uri} {headers:?}"));
            "{}"
        }
    }))
    .await;
    let target = format!("{collector}/steal");
    let redirector = serve(Router::new().fallback(move || {
        let target = target.clone();
        async move { (StatusCode::TEMPORARY_REDIRECT, [("location", target)]).into_response() }
    }))
    .await;
    let host = collector.trim_start_matches("http://").to_string();

    let token = shopify_at(&redirector, Credentials::Token(Secret::new("shpat_secret_value")));
    refused_redirect(
        &token.search_products(&ProductQuery { limit: 5, ..Default::default() }).await.unwrap_err(),
        &host,
    );
    let client = shopify_at(&redirector, Credentials::Client { id: "app".into(), secret: Secret::new("secret_shh") });
    refused_redirect(
        &client.search_products(&ProductQuery { limit: 5, ..Default::default() }).await.unwrap_err(),
        &host,
    );
    let ecwid = EcwidStore::new("1003", Some(&redirector), Secret::new("secret_ecwid_token")).unwrap();
    refused_redirect(&ecwid.product_media(&ProductId("5".into())).await.unwrap_err(), &host);

    assert!(seen.lock().unwrap().is_empty(), "nothing reached the other address: {:?}", seen.lock().unwrap());
}

/// What an upload request carried: its Content-Length and Transfer-Encoding headers, and its body's length.
type SeenUpload = (Option<String>, Option<String>, usize);

/// A tiny Ecwid store: product 5 with one image whose alt is `null`; uploads are recorded.
#[derive(Default)]
struct FakeEcwid {
    uploads: Mutex<Vec<SeenUpload>>,
}

async fn fake_product(State(s): State<Arc<FakeEcwid>>) -> Response {
    let mut images = vec![json!({"id": "11", "orderBy": 0, "isMain": true, "alt": null, "width": null,
        "image400pxUrl": "http://127.0.0.1:9/11.png", "newField": [1, 2]})];
    if !s.uploads.lock().unwrap().is_empty() {
        images.push(json!({"id": 99, "orderBy": null, "alt": {"main": null, "translated": {"fr": null}}}));
    }
    axum::Json(json!({"id": 5, "name": null, "media": {"images": images, "videos": null}})).into_response()
}

async fn fake_search() -> Response {
    axum::Json(json!({"total": 1, "count": 1, "offset": 0, "items": [
        {"id": 5, "name": "Mug", "thumbnailUrl": null, "media": {"images": [{"id": "11", "alt": null}]}}
    ]}))
    .into_response()
}

async fn fake_upload(State(s): State<Arc<FakeEcwid>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    s.uploads.lock().unwrap().push((header("content-length"), header("transfer-encoding"), body.len()));
    axum::Json(json!({"id": 99})).into_response()
}

#[tokio::test]
async fn ecwid_uploads_declare_their_length_and_null_fields_never_fail_a_page() {
    let fake = Arc::new(FakeEcwid::default());
    let router = Router::new()
        .route("/api/v3/1003/products", axum::routing::get(fake_search))
        .route("/api/v3/1003/products/5", axum::routing::get(fake_product))
        .route("/api/v3/1003/products/5/gallery", axum::routing::post(fake_upload))
        .with_state(fake.clone());
    let base = serve(router).await;
    let store = EcwidStore::new("1003", Some(&base), Secret::new("secret_x")).unwrap();

    let page = store.search_products(&ProductQuery { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(page.items[0].title, "Mug");
    let media = store.product_media(&ProductId("5".into())).await.unwrap().media;
    assert_eq!((media.len(), media[0].alt.as_str()), (1, ""), "an image with \"alt\": null is an image without alt");

    let bytes = png(300, 200, true);
    let file = UploadFile { filename: "side.png".into(), bytes: bytes.clone().into(), alt: None };
    let out = store.upload(&ProductId("5".into()), vec![file], quiet()).await.unwrap();
    assert_eq!(out[0].media().map(|m| m.id.0.as_str()), Some("99"), "{out:?}");
    let uploads = fake.uploads.lock().unwrap().clone();
    assert_eq!(uploads, vec![(Some(bytes.len().to_string()), None, bytes.len())], "length declared, not chunked");
}

/// A proxy in front of the sandbox's GraphQL endpoint: after it has passed on the attach
/// (`productUpdate`), it answers the next `fail_after_attach` requests with 503.
async fn failing_proxy(sandbox: &Sandbox, fail_after_attach: usize) -> String {
    let upstream = sandbox.graphql_url("2025-01");
    let armed = Arc::new(AtomicUsize::new(0));
    let handler = move |headers: HeaderMap, body: Bytes| {
        let (upstream, armed) = (upstream.clone(), armed.clone());
        async move {
            if armed.load(Ordering::SeqCst) > 0 {
                armed.fetch_sub(1, Ordering::SeqCst);
                return (StatusCode::SERVICE_UNAVAILABLE, "{\"errors\":\"down\"}").into_response();
            }
            let attach = String::from_utf8_lossy(&body).contains("productUpdate");
            let token = headers.get("x-shopify-access-token").cloned().unwrap();
            let resp = reqwest::Client::new()
                .post(upstream)
                .header("x-shopify-access-token", token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
            let text = resp.bytes().await.unwrap();
            if attach {
                armed.store(fail_after_attach, Ordering::SeqCst);
            }
            (status, [("content-type", "application/json")], text).into_response()
        }
    };
    serve(Router::new().route("/admin/api/{version}/graphql.json", axum::routing::post(handler))).await
}

fn media_count(sandbox: &Sandbox, product: u64) -> usize {
    sandbox.state().lock().unwrap().products[&product].media.len()
}

async fn quick_sandbox() -> Sandbox {
    common::sandbox_with(|c| {
        c.timings.to_processing = Duration::from_millis(10);
        c.timings.to_done = Duration::from_millis(40);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_whose_read_back_fails_for_a_while_is_still_reported_attached() {
    let sandbox = quick_sandbox().await;
    // Longer than the transport's own five attempts: only the extra rounds get through.
    let proxy = failing_proxy(&sandbox, 7).await;
    let store = shopify_at(&proxy, Credentials::Token(Secret::new(sandbox.token())));
    let before = media_count(&sandbox, 1);
    let file = UploadFile { filename: "front.png".into(), bytes: png(40, 30, false).into(), alt: None };
    let out = store.upload(&ProductId("gid://shopify/Product/1".into()), vec![file], quiet()).await.unwrap();
    match &out[0] {
        FileOutcome::Attached(m) => assert_eq!(m.status, MediaStatus::Ready),
        other => panic!("the file is on the product and must be reported so: {other:?}"),
    }
    assert_eq!(media_count(&sandbox, 1), before + 1, "attached exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_that_cannot_be_confirmed_says_so_and_exits_3_never_failed() {
    let sandbox = quick_sandbox().await;
    let proxy = failing_proxy(&sandbox, usize::MAX).await;
    let dir = std::env::temp_dir().join(format!("mediadesk-unconfirmed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("front.png");
    std::fs::write(&path, png(40, 30, false)).unwrap();
    let before = media_count(&sandbox, 1);
    let out = tokio::task::block_in_place(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
            .args(["--endpoint", &proxy, "--data-dir", dir.join("data").to_str().unwrap()])
            .args(["upload", "gid://shopify/Product/1", path.to_str().unwrap()])
            .env("MEDIADESK_TOKEN", sandbox.token())
            .output()
            .unwrap()
    });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    let line: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["status"], "unconfirmed", "{line}");
    assert!(line.get("error").is_none(), "not reported as a failure: {line}");
    assert!(stderr.contains("`mediadesk resume` reads gid://shopify/Product/1"), "{stderr}");
    assert_eq!(media_count(&sandbox, 1), before + 1, "the file is on the product, once");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_never_reports_a_file_complete_before_the_link_could_carry_it() {
    const CAP: u64 = 1_000_000;
    let sandbox = common::sandbox_with(|c| {
        c.faults.bandwidth = Some(CAP);
        c.timings.to_processing = Duration::from_millis(10);
        c.timings.to_done = Duration::from_millis(40);
    })
    .await;
    let store = shopify_at(&sandbox.url(), Credentials::Token(Secret::new(sandbox.token())));
    let files: Vec<UploadFile> = (0..4)
        .map(|i| UploadFile { filename: format!("noise{i}.png"), bytes: png(256, 256, true).into(), alt: None })
        .collect();
    let size = files[0].bytes.len() as f64;
    let done: Arc<Mutex<Vec<f64>>> = Arc::default();
    let (record, started) = (done.clone(), Instant::now());
    let progress: ProgressFn = Arc::new(move |_, sent, total| {
        if sent == total {
            record.lock().unwrap().push(started.elapsed().as_secs_f64());
        }
    });
    let out = store.upload(&ProductId("gid://shopify/Product/1".into()), files, progress).await.unwrap();
    assert!(out.iter().all(|o| o.media().is_some()), "{out:?}");
    let mut done = done.lock().unwrap().clone();
    done.sort_by(f64::total_cmp);
    assert_eq!(done.len(), 4);
    // The k-th file to be complete needs k files' bytes through the shared link first.
    for (k, at) in done.iter().enumerate() {
        let earliest = (k + 1) as f64 * size / CAP as f64;
        assert!(*at >= earliest * 0.9, "file {} reported complete at {at:.2} s; the link needs {earliest:.2} s", k + 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_never_appears_in_trace_logs() {
    let sandbox = quick_sandbox().await;
    let token = sandbox.token().to_string();
    let url = sandbox.url();
    let logs = std::env::temp_dir().join(format!("mediadesk-trace-logs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&logs);
    let out = tokio::task::block_in_place(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
            .args(["--endpoint", &url, "media", "gid://shopify/Product/1"])
            .env("MEDIADESK_TOKEN", &token)
            .env("MEDIADESK_LOG", "trace")
            .env(mediadesk::logging::DIR_VAR, &logs)
            .output()
            .unwrap()
    });
    // The log file has the same lines, and no token either.
    let file = std::fs::read_to_string(logs.join(mediadesk::logging::FILE)).expect("a log file in MEDIADESK_LOG_DIR");
    assert!(file.contains("shopify_request"), "{file:.2000}");
    assert!(!file.contains(&token), "the token leaked into the log file");
    let _ = std::fs::remove_dir_all(&logs);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("shopify_request"), "the request spans are logged: {stderr:.2000}");
    assert!(!stderr.contains(&token), "the token leaked into the log");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token));
}
