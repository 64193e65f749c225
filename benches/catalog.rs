//! The local catalog (a bench binary: `cargo bench --bench catalog`).
//!
//! bulk:    full sync of a 10,000-product sandbox store (about 80,000 media) by bulk operation,
//!          through `mediadesk sync` in a child process: wall time, the sandbox's own job time,
//!          rows per second written, peak memory of the syncing process.
//! compare: the same 2,000-product store synced by paged reads and by a bulk operation.
//! changes: a sync of changes after 1 % of the 10,000 products changed.
//! write:   rows per second staged, joined and written (50,000 products, 400,000 media, built
//!          before the clock starts) with no network, and the search over that catalog: p50 and p99 per query for 1-, 2- and
//!          3-letter prefixes and whole words.
//!
//! `cargo bench --bench catalog -- bulk` (or `compare`, `changes`, `write`) runs one of them.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mediadesk::catalog::{Catalog, SyncKind};
use mediadesk::model::{CatalogRow, Media, MediaId, MediaKind, MediaStatus, ProductId, ProductRecord, StoreRef};
use mediadesk::sandbox::{Sandbox, SandboxConfig};
use mediadesk::secrets::Secret;
use mediadesk::store::Store;
use mediadesk::store::shopify::{ShopifyStore, endpoint};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mediadesk-bench-catalog-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What one `mediadesk sync` run did, and the most memory it held.
struct Synced {
    summary: serde_json::Value,
    wall: Duration,
    peak_kib: u64,
    /// Its log line on writing a bulk read's rows, if it wrote one.
    written: Option<String>,
}

/// Run `mediadesk sync` against the sandbox in a child process, sampling its peak memory.
fn cli_sync(sandbox: &Sandbox, data: &Path, args: &[&str]) -> Synced {
    let started = Instant::now();
    let log = data.join("stderr.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
        .args(["--store", "sandbox", "--endpoint", &sandbox.url(), "--data-dir", data.to_str().unwrap(), "sync"])
        .args(args)
        .env("MEDIADESK_TOKEN", sandbox.token())
        .env("MEDIADESK_LOG", "mediadesk::catalog=info")
        .env("MEDIADESK_LOG_DIR", data.join("logs"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    while child.try_wait().unwrap().is_none() {
        if let Ok(text) = std::fs::read_to_string(&status)
            && let Some(kib) = text.lines().find_map(|l| l.strip_prefix("VmHWM:"))
        {
            peak_kib = peak_kib.max(kib.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    let summary = serde_json::from_str(line.lines().last().expect("a summary line")).unwrap();
    let written = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .find(|l| l.contains("bulk rows written"))
        .map(|l| l.split_once("catalog::sync: ").map_or(l, |(_, fields)| fields).to_string());
    Synced { summary, wall: started.elapsed(), peak_kib, written }
}

fn sandbox(rt: &tokio::runtime::Runtime, products: usize) -> Sandbox {
    rt.block_on(Sandbox::start(SandboxConfig { products, ..SandboxConfig::default() })).unwrap()
}

fn bulk(rt: &tokio::runtime::Runtime) {
    let sb = sandbox(rt, 10_000);
    let (products, media) = {
        let st = sb.state();
        let st = st.lock().unwrap();
        (st.products.len() as u64, st.products.values().map(|p| p.media.len() as u64).sum::<u64>())
    };
    let timeline =
        Duration::from_secs_f64((products + media) as f64 / SandboxConfig::default().bulk.objects_per_second)
            + SandboxConfig::default().bulk.start;
    let data = scratch("bulk");
    let s = cli_sync(&sb, &data, &["--method", "bulk"]);
    assert_eq!(s.summary["products"].as_u64(), Some(products), "{}", s.summary);
    // The sandbox works the whole result out when the operation starts, while its timeline
    // runs: whichever is longer is its own time.
    let prepared = sb.state().lock().unwrap().bulk.values().last().unwrap().prepared_in;
    let job = timeline.max(prepared);
    let ours = s.wall.saturating_sub(job);
    println!(
        "bulk: {products} products, {media} media: {:.1} s wall, of which the sandbox's job {:.1} s (working out the \
         result {:.1} s, its timeline {:.1} s); {:.1} s ours ({:.0} rows/s end to end); peak memory {:.0} MB",
        s.wall.as_secs_f64(),
        job.as_secs_f64(),
        prepared.as_secs_f64(),
        timeline.as_secs_f64(),
        ours.as_secs_f64(),
        (products + media) as f64 / ours.as_secs_f64(),
        s.peak_kib as f64 / 1024.0
    );
    println!("bulk: writing, apart from waiting for rows: {}", s.written.as_deref().unwrap_or("(no log line)"));
    // 1 % of the products change in the admin: the next sync reads only those.
    {
        let st = sb.state();
        let mut st = st.lock().unwrap();
        for p in st.products.values_mut().step_by(100) {
            p.title.push_str(" (edited)");
            p.updated_at = std::time::SystemTime::now();
        }
    }
    let c = cli_sync(&sb, &data, &[]);
    println!(
        "changes: {} products changed of {products}: {:.2} s wall ({} kind), peak memory {:.0} MB",
        c.summary["products"],
        c.wall.as_secs_f64(),
        c.summary["synced"],
        c.peak_kib as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&data);
    write_store_rows(rt, &sb);
}

/// The store's rows as its bulk operation hands them over, read in full first; then written
/// into a new catalog alone, so the insert rate is not shared with the parser or the sandbox.
fn write_store_rows(rt: &tokio::runtime::Runtime, sb: &Sandbox) {
    let url = endpoint::graphql_url(&StoreRef::Sandbox, Some(&sb.url()), endpoint::DEFAULT_API_VERSION).unwrap();
    let store = ShopifyStore::new(StoreRef::Sandbox, url, Secret::new(sb.token()));
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let batches = rt.block_on(async {
        let collect = async {
            let mut batches: Vec<Vec<CatalogRow>> = Vec::new();
            while let Some(batch) = rx.recv().await {
                batches.push(batch);
            }
            batches
        };
        let (read, batches) = tokio::join!(store.bulk_catalog(None, tx, &|_| {}), collect);
        read.unwrap();
        batches
    });
    let rows: usize = batches.iter().map(Vec::len).sum();
    let dir = scratch("store-rows");
    let (mut catalog, _) = Catalog::open(&dir, &StoreRef::Sandbox).unwrap();
    let [staged, joined, took] = timed_write(&mut catalog, batches.iter().map(Vec::as_slice));
    println!(
        "bulk: its {rows} rows written alone (read first): {:.2} s, {:.0} rows/s (staging {:.2} s, joining and \
         writing {:.2} s, committing {:.2} s)",
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64(),
        staged.as_secs_f64(),
        (joined - staged).as_secs_f64(),
        (took - joined).as_secs_f64()
    );
    drop(catalog);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Write rows as one full sync, a batch at a time; how long after the start the rows were
/// staged, joined and written, and committed.
fn timed_write<'r>(catalog: &mut Catalog, batches: impl IntoIterator<Item = &'r [CatalogRow]>) -> [Duration; 3] {
    let started = Instant::now();
    let mut writer = catalog.begin_sync(SyncKind::Full).unwrap();
    for batch in batches {
        writer.stage(batch).unwrap();
    }
    let staged = started.elapsed();
    writer.put_staged().unwrap();
    let joined = started.elapsed();
    writer.finish(0).unwrap();
    [staged, joined, started.elapsed()]
}

fn compare(rt: &tokio::runtime::Runtime) {
    let sb = sandbox(rt, 2_000);
    let (bulk_dir, paged_dir) = (scratch("compare-bulk"), scratch("compare-paged"));
    let bulk = cli_sync(&sb, &bulk_dir, &["--method", "bulk"]);
    println!("compare: 2,000 products by bulk operation: {:.1} s", bulk.wall.as_secs_f64());
    let paged = cli_sync(&sb, &paged_dir, &["--method", "paged"]);
    println!(
        "compare: 2,000 products by paged reads (100 points a second): {:.1} s ({:.3} s a product)",
        paged.wall.as_secs_f64(),
        paged.wall.as_secs_f64() / 2_000.0
    );
    for dir in [bulk_dir, paged_dir] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A product like a real store's: a few words of title, a vendor, tags, eight media.
fn record(i: u64, words: &[&str]) -> Vec<CatalogRow> {
    let w = |k: u64| words[(i.wrapping_mul(2_654_435_761).wrapping_add(k * 97) % words.len() as u64) as usize];
    let id = ProductId(format!("gid://shopify/Product/{i}"));
    let mut rows = vec![CatalogRow::Product(ProductRecord {
        id: id.clone(),
        title: format!("{} {} {}", w(1), w(2), w(3)),
        handle: format!("{}-{}-{i}", w(1), w(2)),
        vendor: Some(w(4).to_string()),
        product_type: Some(w(5).to_string()),
        status: Some("active".into()),
        tags: vec![w(6).to_string(), w(7).to_string()],
        updated_at: Some("2026-11-01T00:00:00Z".into()),
        media: Vec::new(),
        variants: Vec::new(),
    })];
    for m in 0..8 {
        rows.push(CatalogRow::Media {
            product: id.clone(),
            media: Media {
                id: MediaId(format!("gid://shopify/MediaImage/{}", i * 8 + m)),
                kind: MediaKind::Image,
                alt: if m % 3 == 0 { String::new() } else { format!("{} {} on {}", w(1), w(8 + m), w(9)) },
                status: MediaStatus::Ready,
                position: 0,
                preview_url: Some(format!("https://cdn.shopify.com/s/files/{i}/{m}.jpg?width=320")),
                width: Some(2048),
                height: Some(2048),
                filename: Some(format!("{}-{m}.jpg", w(1))),
                size_bytes: Some(480_000),
                mime_type: Some("image/jpeg".into()),
                errors: Vec::new(),
                external_url: None,
                alt_translated: Default::default(),
            },
        });
    }
    rows
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

fn write_and_search() {
    let words = [
        "linen",
        "shirt",
        "wool",
        "sweater",
        "mug",
        "ceramic",
        "leather",
        "wallet",
        "canvas",
        "tote",
        "denim",
        "jacket",
        "silver",
        "ring",
        "oak",
        "table",
        "cotton",
        "scarf",
        "glass",
        "vase",
        "steel",
        "watch",
        "suede",
        "boot",
        "velvet",
        "pillow",
        "bamboo",
        "brush",
        "copper",
        "lamp",
        "marble",
        "tray",
        "walnut",
        "chair",
        "silk",
        "tie",
        "rattan",
        "basket",
        "porcelain",
        "plate",
        "acme",
        "northwind",
        "globex",
        "initech",
        "umbrella",
        "stark",
    ];
    let dir = scratch("write");
    let (mut catalog, _) = Catalog::open(&dir, &StoreRef::Sandbox).unwrap();
    let products: u64 = std::env::var("PRODUCTS").ok().and_then(|p| p.parse().ok()).unwrap_or(50_000);
    // Built before the clock starts: this measures writing (the bulk bench measures parsing).
    // Children first, apart from their parents, as a bulk result may send them.
    let all: Vec<CatalogRow> = (0..products)
        .flat_map(|i| {
            let mut rows = record(i, &words);
            rows.rotate_left(1);
            rows
        })
        .collect();
    // In batches of 512, as the bulk reader hands them over.
    let [staged, joined, took] = timed_write(&mut catalog, all.chunks(512));
    println!(
        "write: staging {:.1} s, joining and writing {:.1} s, committing {:.1} s",
        staged.as_secs_f64(),
        (joined - staged).as_secs_f64(),
        (took - joined).as_secs_f64()
    );
    drop(all);
    let rows = products * 9;
    println!(
        "write: {products} products and {} media staged, joined, indexed and committed in {:.1} s: {:.0} rows/s",
        products * 8,
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64()
    );
    let kinds: [(&str, Option<usize>); 4] = [
        ("1-letter prefix", Some(1)),
        ("2-letter prefix", Some(2)),
        ("3-letter prefix", Some(3)),
        ("whole word", None),
    ];
    for (name, letters) in kinds {
        let mut times = Vec::new();
        for round in 0..5 {
            for w in words {
                let q = letters.map_or(w, |n| &w[..n]).to_string();
                let t = Instant::now();
                let hits = catalog.search(&q, 50).unwrap();
                times.push(t.elapsed());
                assert!(round > 0 || !hits.is_empty() || q.len() < 3, "{q}");
            }
        }
        times.sort();
        println!(
            "search ({products} products): {name}: p50 {:.2} ms, p99 {:.2} ms over {} queries",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.len()
        );
    }
    // The catalog file is a few hundred megabytes: not left behind.
    drop(catalog);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let which: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let want = |name: &str| which.is_empty() || which.iter().any(|w| w == name);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    if want("write") {
        write_and_search();
    }
    if want("bulk") || want("changes") {
        bulk(&rt);
    }
    if want("compare") {
        compare(&rt);
    }
}
