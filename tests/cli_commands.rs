//! The headless commands against a sandbox: JSON lines on stdout, messages on stderr, exit codes.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use mediadesk::sandbox::Sandbox;
use mediadesk::sandbox::state::Timings;
use serde_json::Value;

struct Run {
    code: i32,
    lines: Vec<Value>,
    stderr: String,
}

async fn run(sandbox: &Sandbox, args: &[&str], token: Option<&str>) -> Run {
    run_on(sandbox, "sandbox", args, token).await
}

async fn run_on(sandbox: &Sandbox, store: &str, args: &[&str], token: Option<&str>) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"));
    cmd.args(["--store", store, "--endpoint", &sandbox.url()]).args(args);
    // The edit journal of these runs stays out of the user's data folder.
    cmd.env("MEDIADESK_DATA_DIR", std::env::temp_dir().join(format!("mediadesk-cli-tests-{}", std::process::id())));
    match token {
        Some(t) => cmd.env("MEDIADESK_TOKEN", t),
        None => cmd.env_remove("MEDIADESK_TOKEN"),
    };
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("mediadesk runs")).await.unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        lines: stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"))).collect(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

async fn sandbox() -> Sandbox {
    common::sandbox_with(|c| {
        c.timings = Timings {
            to_processing: Duration::from_millis(20),
            to_done: Duration::from_millis(80),
            reorder_job: Duration::from_millis(40),
        }
    })
    .await
}

fn alt_of(sandbox: &Sandbox, id: u64) -> String {
    sandbox.state().lock().unwrap().files[&id].alt.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn products_and_media_print_one_json_object_per_line() {
    let sb = sandbox().await;
    let r = run(&sb, &["products", "--query", "title:polaris*"], None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.lines.len(), 2);
    let watch = r.lines.iter().find(|l| l["title"] == "Polaris Watch").unwrap();
    assert_eq!(watch["id"], "gid://shopify/Product/1");
    assert_eq!(watch["media_count"], 5);
    assert!(watch["handle"].is_string());

    let r = run(&sb, &["media", "gid://shopify/Product/1"], None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let kinds: Vec<&str> = r.lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["video", "external_video", "image", "video", "external_video"]);
    for (i, l) in r.lines.iter().enumerate() {
        assert_eq!(l["position"], i);
        assert_eq!(l["status"], "ready");
        assert!(l["preview_url"].as_str().unwrap().starts_with("http://127.0.0.1"));
    }
    assert_eq!(r.lines[2]["filename"], "polaris.jpg");

    let r = run(&sb, &["products", "--limit", "7"], None).await;
    assert_eq!(r.lines.len(), 7);

    let r = run(&sb, &["shop"], Some(mediadesk::sandbox::SANDBOX_TOKEN_NO_WRITE_FILES)).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.lines[0]["name"], "mediadesk sandbox");
    assert_eq!(r.lines[0]["scopes"].as_array().unwrap().len(), 3);
    assert!(r.stderr.contains("Without the write_files permission"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alt_reorder_remove_delete_and_rename_change_the_store() {
    let sb = sandbox().await;
    let r = run(
        &sb,
        &["alt", "set", "gid://shopify/Product/1", "gid://shopify/MediaImage/37", "Polaris watch, steel"],
        None,
    )
    .await;
    assert_eq!((r.code, r.lines[0]["saved"].as_bool()), (0, Some(true)), "{}", r.stderr);
    assert_eq!(alt_of(&sb, 37), "Polaris watch, steel");

    let long = "y".repeat(600);
    let r = run(&sb, &["alt", "set", "gid://shopify/Product/1", "gid://shopify/MediaImage/37", &long], None).await;
    assert_eq!(r.code, 2, "refused before anything was sent");
    assert_eq!(r.lines[0]["code"], "ALT_VALUE_LIMIT_EXCEEDED");
    assert_eq!(alt_of(&sb, 37), "Polaris watch, steel", "nothing sent");

    let order = [
        "gid://shopify/MediaImage/37",
        "gid://shopify/ExternalVideo/1",
        "gid://shopify/Video/2",
        "gid://shopify/ExternalVideo/8486968",
        "gid://shopify/Video/3113016",
    ];
    let mut args = vec!["reorder", "gid://shopify/Product/1"];
    args.extend(order);
    let r = run(&sb, &args, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sb.state().lock().unwrap().products[&1].media, vec![37, 1, 2, 8_486_968, 3_113_016]);

    let r = run(&sb, &["remove", "gid://shopify/Product/1", "gid://shopify/Video/2"], None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!sb.state().lock().unwrap().products[&1].media.contains(&2));
    assert!(sb.state().lock().unwrap().files.contains_key(&2), "still in the library");

    let r = run(&sb, &["delete", "gid://shopify/Video/2"], None).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--yes"));
    assert!(sb.state().lock().unwrap().files.contains_key(&2), "not deleted without --yes");
    let r = run(&sb, &["delete", "gid://shopify/Video/2", "--yes"], None).await;
    assert_eq!((r.code, r.lines[0]["deleted"].as_bool()), (0, Some(true)), "{}", r.stderr);
    assert!(!sb.state().lock().unwrap().files.contains_key(&2));

    let r = run(&sb, &["rename", "gid://shopify/MediaImage/37", "polaris-front"], None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sb.state().lock().unwrap().files[&37].filename, "polaris-front.jpg");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_prints_a_line_per_file_and_fails_for_bad_ones() {
    let sb = sandbox().await;
    let dir = std::env::temp_dir().join(format!("mediadesk-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.png");
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(40, 30).write_to(&mut png, image::ImageFormat::Png).unwrap();
    std::fs::write(&good, png.into_inner()).unwrap();
    let bad = dir.join("bad.jpg");
    std::fs::write(&bad, b"not a jpeg").unwrap();
    let r = run(
        &sb,
        &["upload", "gid://shopify/Product/1", good.to_str().unwrap(), bad.to_str().unwrap(), "--alt", "Test shot"],
        None,
    )
    .await;
    assert_eq!(r.code, 1, "one file failed");
    assert_eq!(r.lines.len(), 2);
    assert_eq!(r.lines[0]["status"], "ready");
    assert!(r.lines[0]["id"].as_str().unwrap().starts_with("gid://shopify/MediaImage/"));
    assert_eq!(r.lines[1]["code"], "UNSUPPORTED_FILE_TYPE");
    assert!(r.stderr.contains("good.png: 100% received by the store"), "{}", r.stderr);
    let st = sb.state();
    let st = st.lock().unwrap();
    let last = *st.products[&1].media.last().unwrap();
    assert_eq!(st.files[&last].alt, "Test shot");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_stores_endpoints_and_tokens_are_refused_clearly() {
    let sb = sandbox().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
        .args(["--store", "shopify:evil.com", "products"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Shopify shop"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
        .args(["--store", "shopify:acme", "--endpoint", "http://example.com", "products"])
        .env("MEDIADESK_TOKEN", "shpat_secret_value")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only point at this computer"));
    let r = run(&sb, &["products"], Some("shpat_revoked_token")).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("refused the access token"), "{}", r.stderr);
    assert!(!r.stderr.contains("shpat_revoked_token"), "the token never appears in messages");
}

async fn run_ecwid(sandbox: &Sandbox, args: &[&str]) -> Run {
    run_on(sandbox, "ecwid:1003", args, Some(mediadesk::sandbox::ecwid::SECRET_TOKEN)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_commands_work_on_ecwid_and_set_media_reports_each_url() {
    let sb = sandbox().await;
    let r = run_ecwid(&sb, &["products", "--query", "polaris"]).await;
    assert_eq!((r.code, r.lines.len()), (0, 2), "{}", r.stderr);
    let r = run_ecwid(&sb, &["media", "1"]).await;
    assert_eq!(r.lines[0]["id"], "37");
    assert_eq!(r.lines[0]["kind"], "image");
    let r = run_ecwid(&sb, &["alt", "set", "1", "37", "Polaris watch on a wrist"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(alt_of(&sb, 37), "Polaris watch on a wrist");
    assert_eq!(
        sb.state().lock().unwrap().files[&37].alt_translated.get("de").map(String::as_str),
        Some("Polaris Uhr"),
        "translations kept"
    );
    let good = format!("{}/cdn/shop/files/37/polaris.jpg?v=1", sb.url());
    let r = run_ecwid(&sb, &["set-media", "1", "--gallery", &good, "https://example.com/gone.jpg"]).await;
    assert_eq!(r.code, 1);
    assert!(r.lines[0]["id"].is_string());
    assert_eq!(r.lines[1]["code"], "DOWNLOAD_IMAGE_FAILED");
    let r = run_ecwid(&sb, &["shop"]).await;
    assert_eq!(r.lines[0]["name"], "mediadesk sandbox");
}
