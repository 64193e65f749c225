//! Bad input, one row each: what the command line is given, the exit code, the words it must
//! answer with, and what must not change. Add a row for every new refusal.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use mediadesk::sandbox::Sandbox;
use mediadesk::sandbox::ecwid::{PUBLIC_TOKEN, STORE_ID};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn mediadesk(args: &[&str], token: Option<&str>) -> Out {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"));
    cmd.args(args);
    // The edit journal of these runs stays out of the user's data folder.
    cmd.env("MEDIADESK_DATA_DIR", std::env::temp_dir().join(format!("mediadesk-bad-input-{}", std::process::id())));
    match token {
        Some(t) => cmd.env("MEDIADESK_TOKEN", t),
        None => cmd.env_remove("MEDIADESK_TOKEN"),
    };
    let out = cmd.output().expect("mediadesk runs");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `mediadesk` from inside the async test, leaving the other worker to the sandbox.
fn blocking(args: &[&str], token: Option<&str>) -> Out {
    tokio::task::block_in_place(|| mediadesk(args, token))
}

/// One bad input: run against `store` (`None`: the sandbox's Shopify face).
struct Case {
    what: &'static str,
    store: Option<&'static str>,
    token: Option<&'static str>,
    args: Vec<String>,
    exit: i32,
    says: &'static [&'static str],
}

fn case(what: &'static str, args: &[&str], exit: i32, says: &'static [&'static str]) -> Case {
    Case { what, store: None, token: None, args: args.iter().map(|s| s.to_string()).collect(), exit, says }
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(w, h).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Files that are damaged or pose as what they are not.
fn fixtures(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    std::fs::create_dir_all(dir).unwrap();
    let mut truncated = png(400, 400);
    truncated.truncate(200);
    // A valid header claiming 4000×4000, then almost nothing.
    let mut liar = png(4000, 4000)[..33].to_vec();
    liar.extend(b"\0\0\0\x0cIDATxyz\0\0\0\0\0\0\0\0IEND\xaeB`\x82");
    let mut fake_heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    fake_heic.extend([0x42; 500]);
    let mut fake_webm = b"\x1A\x45\xDF\xA3".to_vec();
    fake_webm.extend([0x99; 500]);
    let files = [
        ("truncated.png", truncated),
        ("liar.png", liar),
        ("fake.heic", fake_heic),
        ("fake.webm", fake_webm),
        ("good.png", png(32, 24)),
        ("rtl\u{202E}gnp.exe.png", png(20, 20)),
    ];
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            (name, path)
        })
        .collect()
}

fn media_count(sandbox: &Sandbox, product: u64) -> usize {
    sandbox.state().lock().unwrap().products[&product].media.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_locally_with_a_clear_message_and_loses_nothing() {
    let sandbox = common::sandbox_with(|c| {
        c.timings.to_processing = std::time::Duration::from_millis(10);
        c.timings.to_done = std::time::Duration::from_millis(40);
    })
    .await;
    let dir = std::env::temp_dir().join(format!("mediadesk-bad-input-{}", std::process::id()));
    let files = fixtures(&dir);
    let file = |name: &str| files.iter().find(|(n, _)| *n == name).unwrap().1.display().to_string();
    let polaris = "gid://shopify/Product/1";
    let ecwid = format!("ecwid:{STORE_ID}");
    let ecwid: &'static str = Box::leak(ecwid.into_boxed_str());
    let mut cases = vec![
        case(
            "ESC in alt text",
            &["alt", "set", polaris, "gid://shopify/MediaImage/37", "red\u{1b}[0m"],
            2,
            &["ALT_CONTROL_CHARACTER", "U+001B"],
        ),
        case("BEL in alt text", &["alt", "set", polaris, "gid://shopify/MediaImage/37", "ding\u{7}"], 2, &["U+0007"]),
        case(
            "alt of another product's media",
            &["alt", "set", "gid://shopify/Product/108828309", "gid://shopify/MediaImage/37", "x"],
            1,
            &["MEDIA_NOT_ON_PRODUCT"],
        ),
        case(
            "alt on a product that does not exist",
            &["alt", "set", "gid://shopify/Product/999999", "gid://shopify/MediaImage/37", "x"],
            1,
            &["not found: product gid://shopify/Product/999999"],
        ),
        case("not a GID", &["alt", "set", polaris, "not-a-gid", "x"], 2, &["INVALID_ID", "not a Shopify media id"]),
        case("a product GID as a media id", &["remove", polaris, polaris], 2, &["is a Product id, not a media id"]),
        case(
            "remove what is not on the product",
            &["remove", polaris, "gid://shopify/MediaImage/853695510"],
            1,
            &["MEDIA_NOT_ON_PRODUCT"],
        ),
        case(
            "an order that misses and repeats ids",
            &["reorder", polaris, "gid://shopify/MediaImage/37", "gid://shopify/MediaImage/37"],
            1,
            &[
                "ORDER_MISMATCH",
                "missing gid://shopify/",
                "gid://shopify/Video/2",
                "named twice gid://shopify/MediaImage/37",
            ],
        ),
        case("a truncated PNG", &["upload", polaris, &file("truncated.png")], 2, &["FILE_CORRUPT", "nothing was sent"]),
        case("a PNG whose header lies about its size", &["upload", polaris, &file("liar.png")], 2, &["FILE_CORRUPT"]),
        case(
            "magic bytes of HEIC and garbage",
            &["upload", polaris, &file("fake.heic")],
            2,
            &["FILE_CORRUPT", "image/heic"],
        ),
        case(
            "magic bytes of WebM and garbage",
            &["upload", polaris, &file("fake.webm")],
            2,
            &["FILE_CORRUPT", "video/webm"],
        ),
        Case {
            what: "an Ecwid id that is a path",
            store: Some(ecwid),
            token: Some(PUBLIC_TOKEN),
            args: vec!["media".into(), "../profile".into()],
            exit: 2,
            says: &["Ecwid ids are numbers"],
        },
        Case {
            what: "an Ecwid id that reaches another store",
            store: Some(ecwid),
            token: Some(PUBLIC_TOKEN),
            args: vec!["media".into(), "../../1004/products".into()],
            exit: 2,
            says: &["INVALID_ID"],
        },
        Case {
            what: "upload with a public_ token",
            store: Some(ecwid),
            token: Some(PUBLIC_TOKEN),
            args: vec!["upload".into(), "1".into(), file("good.png")],
            exit: 2,
            says: &["READ_ONLY_TOKEN", "secret_ token"],
        },
        Case {
            what: "alt with a public_ token",
            store: Some(ecwid),
            token: Some(PUBLIC_TOKEN),
            args: vec!["alt".into(), "set".into(), "1".into(), "37".into(), "x".into()],
            exit: 2,
            says: &["READ_ONLY_TOKEN"],
        },
        Case {
            what: "remove with a public_ token",
            store: Some(ecwid),
            token: Some(PUBLIC_TOKEN),
            args: vec!["remove".into(), "1".into(), "37".into()],
            exit: 2,
            says: &["READ_ONLY_TOKEN"],
        },
        Case {
            what: "a token with a line break",
            store: Some("shopify:acme"),
            token: Some("shpat_abc\r\nX-Evil: 1"),
            args: vec!["products".into()],
            exit: 2,
            says: &["malformed", "line break"],
        },
    ];
    // A token that is sent must never be printed: the line-break case's token is checked below.
    for c in cases.drain(..) {
        let mut args: Vec<String> =
            vec!["--store".into(), c.store.unwrap_or("sandbox").into(), "--endpoint".into(), sandbox.url()];
        args.extend(c.args.clone());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let token = c.token.or(if c.store.is_none() { Some(sandbox.token()) } else { None });
        let before = media_count(&sandbox, 1);
        let out = tokio::task::block_in_place(|| mediadesk(&argv, token));
        let all = format!("{}{}", out.stdout, out.stderr);
        assert_eq!(out.code, c.exit, "{}: {all}", c.what);
        for words in c.says {
            assert!(all.contains(words), "{}: expected {words:?} in {all}", c.what);
        }
        if out.code != 0 {
            assert!(out.stdout.lines().any(|l| l.contains("\"error\"")), "{}: an error line on stdout: {all}", c.what);
        }
        assert!(!all.contains("shpat_abc"), "{}: the token is never printed", c.what);
        assert_eq!(media_count(&sandbox, 1), before, "{}: nothing changed on the product", c.what);
    }
    assert_eq!(
        sandbox.state().lock().unwrap().files[&37].alt,
        "Man wearing Polaris watch.",
        "no alt edit went through"
    );

    // Locally refused files cost no request: against an address where nothing listens, the
    // answer is still the refusal (2), not a network error (1).
    let out = blocking(
        &["--store", "sandbox", "--endpoint", "http://127.0.0.1:9", "upload", polaris, &file("fake.heic")],
        Some("t"),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains("network"), "{}", out.stderr);

    // Line breaks and tabs are normalised, not stored.
    let url = sandbox.url();
    let out = blocking(
        &["--endpoint", &url, "alt", "set", polaris, "gid://shopify/MediaImage/37", "  Steel\twatch,\r\nfront  "],
        Some(sandbox.token()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(sandbox.state().lock().unwrap().files[&37].alt, "Steel watch, front");

    // The same file twice is sent once, and said so.
    let before = media_count(&sandbox, 1);
    let good = file("good.png");
    let out = blocking(&["--endpoint", &url, "upload", polaris, &good, &good], Some(sandbox.token()));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("DUPLICATE_FILE") && out.stdout.contains("\"status\":\"ready\""), "{}", out.stdout);
    assert_eq!(media_count(&sandbox, 1), before + 1, "attached once");

    // A right-to-left override in a file name is shown, not obeyed.
    let out =
        blocking(&["--endpoint", &url, "upload", polaris, &file("rtl\u{202E}gnp.exe.png")], Some(sandbox.token()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("rtl<U+202E>gnp.exe.png"), "the upload line shows it too: {}", out.stdout);
    let out = blocking(&["--endpoint", &url, "media", polaris], Some(sandbox.token()));
    let names: Vec<String> = out
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?["filename"].as_str().map(str::to_string))
        .collect();
    assert!(names.iter().any(|n| n == "rtl<U+202E>gnp.exe.png"), "{names:?}");
    assert!(names.iter().all(|n| !n.contains('\u{202E}')), "{names:?}");

    // Transport failures of alt and reorder end in an error line too.
    for args in [
        vec!["alt", "set", polaris, "gid://shopify/MediaImage/37", "x"],
        vec!["reorder", polaris, "gid://shopify/MediaImage/37"],
    ] {
        let mut argv = vec!["--store", "shopify:acme", "--endpoint", "http://127.0.0.1:9"];
        argv.extend(args);
        let out = blocking(&argv, Some("shpat_x"));
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(out.stdout.contains("\"code\":\"NETWORK_ERROR\""), "{}", out.stdout);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sandbox_options_are_checked_and_the_port_named() {
    let out = mediadesk(&["sandbox", "--error-rate", "5"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("outside 0.0–1.0"), "{}", out.stderr);
    let out = mediadesk(&["sandbox", "--drop-rate", "-0.5"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("-0.5 is outside 0.0–1.0"), "{}", out.stderr);
    let help = mediadesk(&["sandbox", "--help"], None).stdout;
    assert!(help.contains("--seed") && !help.contains("--store") && !help.contains("--endpoint"), "{help}");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = mediadesk(&["sandbox", "--port", &port], None);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains(&format!("port {port} is already in use")), "{}", out.stderr);
}

#[test]
fn without_a_display_the_window_says_so_and_points_to_the_command_line() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if cfg!(all(unix, not(target_os = "macos"))) {
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr.contains("no display was found") && stderr.contains("mediadesk --help"), "{stderr}");
        assert!(!stderr.contains(".cargo"), "{stderr}");
    }
}
