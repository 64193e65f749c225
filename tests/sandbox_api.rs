//! The sandbox over real HTTP: authentication, cost and throttling, the upload flow and its
//! status transitions, documented errors, the reorder job, limits and injected faults.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use mediadesk::sandbox::state::Timings;
use mediadesk::sandbox::{SANDBOX_TOKEN_NO_WRITE_FILES, Sandbox};
use serde_json::{Value, json};

fn fast(c: &mut mediadesk::sandbox::SandboxConfig) {
    c.timings = Timings {
        to_processing: Duration::from_millis(30),
        to_done: Duration::from_millis(120),
        reorder_job: Duration::from_millis(80),
    };
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 90])));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn ok(sandbox: &Sandbox, query: &str, vars: Value) -> Value {
    let (status, body) = common::gql(sandbox, sandbox.token(), query, vars).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body
}

/// Poll a product's media until `done` says so, or fail after a deadline.
async fn wait_for(sandbox: &Sandbox, product: &str, mut done: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = ok(
            sandbox,
            "query($id: ID!) { product(id: $id) { media(first: 250) { nodes { id alt status mediaErrors { code message } ... on MediaImage { image { width height url } } } } } }",
            json!({"id": product}),
        )
        .await;
        let nodes = body["data"]["product"]["media"]["nodes"].as_array().cloned().unwrap_or_default();
        if done(&nodes) {
            return nodes;
        }
        assert!(Instant::now() < deadline, "timed out; last: {nodes:#?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Stage one image for PUT, send it, and return the resource URL.
async fn stage_and_put(sandbox: &Sandbox, filename: &str, bytes: Vec<u8>) -> String {
    let body = ok(
        sandbox,
        "mutation($input: [StagedUploadInput!]!) { stagedUploadsCreate(input: $input) { stagedTargets { url resourceUrl parameters { name value } } userErrors { field message } } }",
        json!({"input": [{"resource": "IMAGE", "filename": filename, "mimeType": "image/png", "httpMethod": "PUT", "fileSize": bytes.len().to_string()}]}),
    )
    .await;
    let target = &body["data"]["stagedUploadsCreate"]["stagedTargets"][0];
    let resp = reqwest::Client::new()
        .put(target["url"].as_str().unwrap())
        .header("content-type", "image/png")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201, "{}", resp.text().await.unwrap());
    target["resourceUrl"].as_str().unwrap().to_string()
}

const LAPTOP_SLEEVE: &str = "gid://shopify/Product/1072273800";
const POLARIS: &str = "gid://shopify/Product/1";

#[tokio::test]
async fn requests_without_a_valid_token_get_401_and_unknown_versions_404() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let (status, body) = common::gql(&sandbox, "shpat_wrong", "{ shop { name } }", json!({})).await;
    assert_eq!(status, 401);
    assert!(body["errors"].as_str().unwrap().contains("Invalid API key or access token"));
    let resp = reqwest::Client::new()
        .post(sandbox.graphql_url("2019-13"))
        .header("X-Shopify-Access-Token", sandbox.token())
        .json(&json!({"query": "{ shop { name } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}

#[tokio::test]
async fn every_answer_reports_its_cost_and_spends_the_bucket() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let body = ok(&sandbox, "{ products(first: 10) { edges { node { title } } } }", json!({})).await;
    let cost = &body["extensions"]["cost"];
    // Shopify's documented example: a connection of 10 nodes of one object each costs 2 + 10.
    assert_eq!(cost["requestedQueryCost"], 12);
    assert_eq!(cost["actualQueryCost"], 12);
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], 2000.0);
    assert_eq!(cost["throttleStatus"]["restoreRate"], 100.0);
    assert!(cost["throttleStatus"]["currentlyAvailable"].as_u64().unwrap() <= 1988);
    // Asking for more than exists costs what was asked, but only what was returned is kept.
    let body = ok(&sandbox, "{ products(first: 250, query: \"title:polaris*\") { nodes { title } } }", json!({})).await;
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 252);
    assert_eq!(body["extensions"]["cost"]["actualQueryCost"], 4);
    // Mutations cost 10.
    let body =
        ok(&sandbox, "mutation { fileAcknowledgeUpdateFailed(fileIds: []) { userErrors { code } } }", json!({})).await;
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 10);
}

#[tokio::test]
async fn an_empty_bucket_answers_throttled_and_refills_at_the_restore_rate() {
    let sandbox = common::sandbox_with(|c| {
        c.bucket_size = 30.0;
        c.restore_rate = 20.0;
    })
    .await;
    let q = "{ products(first: 20) { nodes { id } } }"; // costs 22
    ok(&sandbox, q, json!({})).await;
    let (status, body) = common::gql(&sandbox, sandbox.token(), q, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["errors"][0]["extensions"]["code"], "THROTTLED", "{body}");
    assert!(body.get("data").is_none());
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 22);
    assert!(body["extensions"]["cost"]["actualQueryCost"].is_null());
    let available = body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"].as_f64().unwrap();
    // The deficit refills at 20 points a second.
    tokio::time::sleep(Duration::from_secs_f64((22.0 - available) / 20.0 + 0.1)).await;
    ok(&sandbox, q, json!({})).await;
}

#[tokio::test]
async fn a_query_over_the_cost_cap_is_refused() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let (_, body) = common::gql(
        &sandbox,
        sandbox.token(),
        "{ products(first: 100) { nodes { media(first: 20) { nodes { id } } } } }",
        json!({}),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["cost"], 2 + 100 * (1 + 2 + 20));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_images_go_uploaded_processing_ready_and_the_cdn_resizes_them() {
    let sandbox = common::sandbox_with(|c| {
        c.timings = Timings {
            to_processing: Duration::from_millis(300),
            to_done: Duration::from_millis(900),
            ..Timings::default()
        };
    })
    .await;
    let resource = stage_and_put(&sandbox, "blue.png", png(640, 320)).await;
    let body = ok(
        &sandbox,
        "mutation($p: ProductUpdateInput!, $m: [CreateMediaInput!]) { productUpdate(product: $p, media: $m) { product { id } userErrors { field message } } }",
        json!({"p": {"id": LAPTOP_SLEEVE}, "m": [{"originalSource": resource, "alt": "Blue sleeve", "mediaContentType": "IMAGE"}]}),
    )
    .await;
    assert_eq!(body["data"]["productUpdate"]["userErrors"], json!([]));
    let mut seen = Vec::new();
    let nodes = wait_for(&sandbox, LAPTOP_SLEEVE, |nodes| {
        let last = nodes.last().unwrap();
        let status = last["status"].as_str().unwrap().to_string();
        if status != "READY" {
            assert!(last["image"].is_null(), "image must be null until READY: {last}");
        }
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        status == "READY"
    })
    .await;
    assert_eq!(seen, ["UPLOADED", "PROCESSING", "READY"]);
    let image = &nodes.last().unwrap()["image"];
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(640), Some(320)));
    // The CDN honours url(transform:): a 200-pixel box keeps the 2:1 shape.
    let id = nodes.last().unwrap()["id"].as_str().unwrap().to_string();
    let body = ok(
        &sandbox,
        "query($id: ID!) { product(id: $id) { media(first: 250) { nodes { id preview { image { url(transform: {maxWidth: 200, maxHeight: 200}) } } } } } }",
        json!({"id": LAPTOP_SLEEVE}),
    )
    .await;
    let node = body["data"]["product"]["media"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id.as_str())
        .unwrap()
        .clone();
    let url = node["preview"]["image"]["url"].as_str().unwrap();
    let bytes = reqwest::get(url).await.unwrap().bytes().await.unwrap();
    let thumb = image::load_from_memory(&bytes).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (200, 100));
}

#[tokio::test]
async fn a_file_that_is_not_an_image_fails_processing_with_a_reason() {
    let sandbox = common::sandbox_with(fast).await;
    let resource = stage_and_put(&sandbox, "notes.png", b"these are not pixels".to_vec()).await;
    ok(
        &sandbox,
        "mutation($p: ProductUpdateInput!, $m: [CreateMediaInput!]) { productUpdate(product: $p, media: $m) { userErrors { message } } }",
        json!({"p": {"id": POLARIS}, "m": [{"originalSource": resource, "mediaContentType": "IMAGE"}]}),
    )
    .await;
    let nodes = wait_for(&sandbox, POLARIS, |n| n.last().unwrap()["status"] == "FAILED").await;
    let last = nodes.last().unwrap();
    assert_eq!(last["mediaErrors"][0]["code"], "UNSUPPORTED_IMAGE_FILE_TYPE");
    assert!(last["image"].is_null());
}

#[tokio::test]
async fn staged_post_targets_check_signature_and_declared_size() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let body = ok(
        &sandbox,
        "mutation($input: [StagedUploadInput!]!) { stagedUploadsCreate(input: $input) { stagedTargets { url resourceUrl parameters { name value } } userErrors { field message } } }",
        json!({"input": [{"resource": "VIDEO", "filename": "clip.mp4", "mimeType": "video/mp4", "httpMethod": "POST", "fileSize": "16"}]}),
    )
    .await;
    let target = body["data"]["stagedUploadsCreate"]["stagedTargets"][0].clone();
    let send = |params: Vec<(String, String)>, file: Vec<u8>| {
        let url = target["url"].as_str().unwrap().to_string();
        async move {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in params {
                form = form.text(k, v);
            }
            form = form.part("file", reqwest::multipart::Part::bytes(file).file_name("clip.mp4"));
            let r = reqwest::Client::new().post(url).multipart(form).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let params: Vec<(String, String)> = target["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["value"].as_str().unwrap().to_string()))
        .collect();
    let mut forged = params.clone();
    forged.iter_mut().find(|(k, _)| k == "x-goog-signature").unwrap().1 = "00".repeat(32);
    let (status, text) = send(forged, vec![0; 16]).await;
    assert_eq!(status, 403);
    assert!(text.contains("SignatureDoesNotMatch"));
    let (status, text) = send(params.clone(), vec![0; 17]).await;
    assert_eq!(status, 400);
    assert!(text.contains("EntityTooLarge"), "{text}");
    let (status, _) = send(params, b"\0\0\0\x18ftypmp42\0\0\0\0".to_vec()).await;
    assert_eq!(status, 201);
    // Videos and models must declare their size.
    let body = ok(
        &sandbox,
        "mutation { stagedUploadsCreate(input: [{resource: MODEL_3D, filename: \"a.glb\", mimeType: \"model/gltf-binary\", httpMethod: POST}]) { stagedTargets { url } userErrors { field message } } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["stagedUploadsCreate"]["userErrors"][0]["field"], json!(["input", "0", "fileSize"]));
}

#[tokio::test]
async fn files_that_are_not_ready_refuse_updates() {
    let sandbox = common::sandbox_with(|c| c.timings.to_done = Duration::from_secs(30)).await;
    let resource = stage_and_put(&sandbox, "slow.png", png(8, 8)).await;
    let body = ok(
        &sandbox,
        "mutation($p: ProductUpdateInput!, $m: [CreateMediaInput!]) { productUpdate(product: $p, media: $m) { product { media(last: 1) { nodes { id } } } } }",
        json!({"p": {"id": POLARIS}, "m": [{"originalSource": resource, "mediaContentType": "IMAGE"}]}),
    )
    .await;
    let id = body["data"]["productUpdate"]["product"]["media"]["nodes"][0]["id"].as_str().unwrap().to_string();
    let body = ok(
        &sandbox,
        "mutation($f: [FileUpdateInput!]!) { fileUpdate(files: $f) { files { id } userErrors { field message code } } }",
        json!({"f": [{"id": id, "alt": "too early"}]}),
    )
    .await;
    assert_eq!(body["data"]["fileUpdate"]["userErrors"][0]["code"], "NON_READY_STATE");
    assert_eq!(body["data"]["fileUpdate"]["files"], json!([]));
}

#[tokio::test]
async fn a_token_without_write_files_is_denied_file_update_but_may_use_product_update_media() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let (status, body) = common::gql(
        &sandbox,
        SANDBOX_TOKEN_NO_WRITE_FILES,
        "mutation { fileUpdate(files: [{id: \"gid://shopify/MediaImage/37\", alt: \"x\"}]) { files { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["errors"][0]["extensions"]["code"], "ACCESS_DENIED", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("write_files"));
    assert!(body["data"]["fileUpdate"].is_null());
    let (_, body) = common::gql(
        &sandbox,
        SANDBOX_TOKEN_NO_WRITE_FILES,
        "mutation { productUpdateMedia(productId: \"gid://shopify/Product/1\", media: [{id: \"gid://shopify/MediaImage/37\", alt: \"Polaris watch, steel case\"}]) { media { alt } mediaUserErrors { code } } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["productUpdateMedia"]["media"][0]["alt"], "Polaris watch, steel case", "{body}");
}

#[tokio::test]
async fn file_update_applies_good_items_and_reports_bad_ones_by_index() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let body = ok(
        &sandbox,
        "mutation($f: [FileUpdateInput!]!) { fileUpdate(files: $f) { files { id alt } userErrors { field message code } } }",
        json!({"f": [
            {"id": "gid://shopify/MediaImage/37", "alt": "Polaris watch on a wrist"},
            {"id": "gid://shopify/Video/2", "alt": "x".repeat(513)},
            {"id": "gid://shopify/MediaImage/1072273831", "filename": "laptop.png"},
        ]}),
    )
    .await;
    let p = &body["data"]["fileUpdate"];
    assert_eq!(p["files"], json!([{"id": "gid://shopify/MediaImage/37", "alt": "Polaris watch on a wrist"}]));
    assert_eq!(p["userErrors"][0]["code"], "ALT_VALUE_LIMIT_EXCEEDED");
    assert_eq!(p["userErrors"][0]["field"], json!(["files", "1", "alt"]));
    assert_eq!(p["userErrors"][1]["code"], "INVALID_FILENAME_EXTENSION");
    // Unknown ids refuse the whole batch, as documented.
    let body = ok(
        &sandbox,
        "mutation($f: [FileUpdateInput!]!) { fileUpdate(files: $f) { files { id } userErrors { field message code } } }",
        json!({"f": [{"id": "gid://shopify/MediaImage/37", "alt": "changed"}, {"id": "gid://shopify/MediaImage/999", "alt": "y"}]}),
    )
    .await;
    assert_eq!(
        body["data"]["fileUpdate"]["userErrors"][0]["message"],
        "File id [\"gid://shopify/MediaImage/999\"] does not exist."
    );
    let alt = ok(
        &sandbox,
        "{ product(id: \"gid://shopify/Product/1\") { media(first: 5) { nodes { id alt } } } }",
        json!({}),
    )
    .await;
    assert!(alt.to_string().contains("Polaris watch on a wrist"), "the refused batch changed nothing");
}

#[tokio::test]
async fn removing_a_reference_detaches_and_deleting_removes_everywhere() {
    let sandbox = common::sandbox_with(|_| {}).await;
    ok(
        &sandbox,
        "mutation { fileUpdate(files: [{id: \"gid://shopify/MediaImage/37\", referencesToAdd: [\"gid://shopify/Product/108828309\"]}]) { userErrors { code } } }",
        json!({}),
    )
    .await;
    ok(
        &sandbox,
        "mutation { fileUpdate(files: [{id: \"gid://shopify/MediaImage/37\", referencesToRemove: [\"gid://shopify/Product/1\"]}]) { userErrors { code } } }",
        json!({}),
    )
    .await;
    let body = ok(&sandbox, "{ a: product(id: \"gid://shopify/Product/1\") { mediaCount { count } } b: product(id: \"gid://shopify/Product/108828309\") { mediaCount { count } } f: files(first: 5, query: \"id:37\") { nodes { id } } }", json!({})).await;
    assert_eq!(body["data"]["a"]["mediaCount"]["count"], 4);
    assert_eq!(body["data"]["b"]["mediaCount"]["count"], 3);
    assert_eq!(body["data"]["f"]["nodes"][0]["id"], "gid://shopify/MediaImage/37", "still in the library");
    let body = ok(
        &sandbox,
        "mutation { fileDelete(fileIds: [\"gid://shopify/MediaImage/37\"]) { deletedFileIds userErrors { code } } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["fileDelete"]["deletedFileIds"], json!(["gid://shopify/MediaImage/37"]));
    let body =
        ok(&sandbox, "{ product(id: \"gid://shopify/Product/108828309\") { mediaCount { count } } }", json!({})).await;
    assert_eq!(body["data"]["product"]["mediaCount"]["count"], 2);
}

#[tokio::test]
async fn reordering_runs_as_a_job_that_finishes_later() {
    let sandbox = common::sandbox_with(fast).await;
    let order = |b: &Value| -> Vec<String> {
        b["data"]["product"]["media"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect()
    };
    let read = "{ product(id: \"gid://shopify/Product/1\") { media(first: 10, sortKey: POSITION) { nodes { id } } } }";
    let before = order(&ok(&sandbox, read, json!({})).await);
    let body = ok(
        &sandbox,
        "mutation($id: ID!, $moves: [MoveInput!]!) { productReorderMedia(id: $id, moves: $moves) { job { id done } mediaUserErrors { code field message } } }",
        json!({"id": POLARIS, "moves": [{"id": "gid://shopify/ExternalVideo/1", "newPosition": "0"}]}),
    )
    .await;
    let job = body["data"]["productReorderMedia"]["job"].clone();
    assert_eq!(job["done"], false);
    assert_eq!(order(&ok(&sandbox, read, json!({})).await), before, "not applied before the job is done");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let b = ok(&sandbox, "query($id: ID!) { job(id: $id) { done } }", json!({"id": job["id"]})).await;
        if b["data"]["job"]["done"] == true {
            break;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = order(&ok(&sandbox, read, json!({})).await);
    assert_eq!(after[0], "gid://shopify/ExternalVideo/1");
    assert_eq!(after.len(), before.len());
    // Moves name media of the product, at positions it has.
    let body = ok(
        &sandbox,
        "mutation { productReorderMedia(id: \"gid://shopify/Product/1\", moves: [{id: \"gid://shopify/MediaImage/853695510\", newPosition: \"0\"}]) { job { id } mediaUserErrors { code field } } }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["productReorderMedia"]["mediaUserErrors"][0]["code"], "MEDIA_DOES_NOT_EXIST_ON_PRODUCT");
    assert!(body["data"]["productReorderMedia"]["job"].is_null());
}

#[tokio::test]
async fn a_product_holds_at_most_250_media() {
    let sandbox = common::sandbox_with(fast).await;
    let source = format!("{}/cdn/shop/files/37/polaris.jpg?v=1", sandbox.url());
    let media: Vec<Value> = (0..245).map(|_| json!({"originalSource": source, "mediaContentType": "IMAGE"})).collect();
    let body = ok(
        &sandbox,
        "mutation($p: ProductUpdateInput!, $m: [CreateMediaInput!]) { productUpdate(product: $p, media: $m) { product { mediaCount { count } } userErrors { field message } } }",
        json!({"p": {"id": POLARIS}, "m": media}),
    )
    .await;
    assert_eq!(body["data"]["productUpdate"]["product"]["mediaCount"]["count"], 250);
    let body = ok(
        &sandbox,
        "mutation($p: ProductUpdateInput!, $m: [CreateMediaInput!]) { productUpdate(product: $p, media: $m) { product { mediaCount { count } } userErrors { field message } } }",
        json!({"p": {"id": POLARIS}, "m": [{"originalSource": source, "mediaContentType": "IMAGE"}]}),
    )
    .await;
    assert!(body["data"]["productUpdate"]["userErrors"][0]["message"].as_str().unwrap().contains("250"));
    assert_eq!(body["data"]["productUpdate"]["product"]["mediaCount"]["count"], 250);
}

#[tokio::test]
async fn injected_server_errors_and_dropped_connections() {
    let failing = common::sandbox_with(|c| c.faults.server_error_share = 1.0).await;
    let (status, _) = common::gql(&failing, failing.token(), "{ shop { name } }", json!({})).await;
    assert_eq!(status, 500);
    let dropping = common::sandbox_with(|c| c.faults.drop_share = 1.0).await;
    let resp = reqwest::Client::new()
        .post(dropping.graphql_url("2026-10"))
        .header("X-Shopify-Access-Token", dropping.token())
        .json(&json!({"query": "{ products(first: 50) { nodes { id title handle } } }"}))
        .send()
        .await
        .expect("headers arrive");
    assert!(resp.bytes().await.is_err(), "the body must break off");
    let slow = common::sandbox_with(|c| c.faults.latency = Duration::from_millis(150)).await;
    let t = Instant::now();
    common::gql(&slow, slow.token(), "{ shop { name } }", json!({})).await;
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bandwidth_cap_paces_uploads() {
    let sandbox = common::sandbox_with(|c| c.faults.bandwidth = Some(400_000)).await;
    let t = Instant::now();
    // 200 kB up at 400 kB/s: half a second, give or take the request overhead.
    stage_and_put(&sandbox, "big.png", {
        let mut b = png(4, 4);
        b.resize(200_000, 0);
        b
    })
    .await;
    let took = t.elapsed().as_secs_f64();
    assert!((0.45..2.0).contains(&took), "took {took}");
}

#[tokio::test]
async fn injected_processing_failures_fail_media() {
    let sandbox = common::sandbox_with(|c| {
        fast(c);
        c.faults.processing_failure_share = 1.0;
    })
    .await;
    let resource = stage_and_put(&sandbox, "fine.png", png(16, 16)).await;
    ok(
        &sandbox,
        "mutation($p: ProductUpdateInput!, $m: [CreateMediaInput!]) { productUpdate(product: $p, media: $m) { userErrors { message } } }",
        json!({"p": {"id": POLARIS}, "m": [{"originalSource": resource, "mediaContentType": "IMAGE"}]}),
    )
    .await;
    let nodes = wait_for(&sandbox, POLARIS, |n| n.last().unwrap()["status"] == "FAILED").await;
    assert_eq!(nodes.last().unwrap()["mediaErrors"][0]["code"], "IMAGE_PROCESSING_FAILURE");
    // fileAcknowledgeUpdateFailed puts it back to READY.
    let id = nodes.last().unwrap()["id"].clone();
    let body = ok(&sandbox, "mutation($ids: [ID!]!) { fileAcknowledgeUpdateFailed(fileIds: $ids) { files { fileStatus } userErrors { code } } }", json!({"ids": [id]})).await;
    assert_eq!(body["data"]["fileAcknowledgeUpdateFailed"]["files"][0]["fileStatus"], "READY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_answers_each_id_in_order_with_null_for_what_is_gone_and_refuses_more_than_250() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Media { id alt } } }";
    let ids = json!(["gid://shopify/MediaImage/37", "gid://shopify/MediaImage/999999", "gid://shopify/Product/1"]);
    let body = ok(&sandbox, query, json!({"ids": ids})).await;
    let nodes = body["data"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "one entry per id");
    assert_eq!(nodes[0]["id"], "gid://shopify/MediaImage/37");
    assert_eq!(nodes[0]["alt"], sandbox.state().lock().unwrap().files[&37].alt.as_str());
    assert!(nodes[1].is_null(), "no such file");
    assert_eq!(nodes[2]["__typename"], "Product");
    assert!(nodes[2].get("alt").is_none(), "a product is no Media");

    let many: Vec<String> = (0..251).map(|i| format!("gid://shopify/MediaImage/{i}")).collect();
    let (status, body) = common::gql(&sandbox, sandbox.token(), query, json!({"ids": many})).await;
    assert_eq!(status, 200);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("maximum allowed of 250"), "{body}");
}
