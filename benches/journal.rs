//! The edit journal's cost (a bench binary: `cargo bench --bench journal`).
//!
//! per edit: one change written down (a disk flush), claimed and confirmed, 500 times: the
//!           time each takes, p50 and p99.
//! batch:    5,000 alt edits written down in one commit, then claimed and confirmed one by one.
//! send:     the same 5,000 alt edits sent to the sandbox over HTTP (batches per product, the
//!           way the audit's bulk fix will send them), with no journal and through it, side by
//!           side.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;
use std::time::{Duration, Instant};

use mediadesk::journal::{Change, Journal};
use mediadesk::model::{MediaId, ProductId, StoreRef};
use mediadesk::sandbox::{Sandbox, SandboxConfig};
use mediadesk::secrets::Secret;
use mediadesk::store::shopify::{ShopifyStore, endpoint};
use mediadesk::store::{AltEdit, Store};

const BATCH: usize = 5_000;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mediadesk-bench-journal-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn change(i: usize) -> (ProductId, String, Change) {
    let media = MediaId(format!("gid://shopify/MediaImage/{i}"));
    let change = Change::Alt { media, alt: format!("Blue ceramic mug number {i}"), base: String::new() };
    (ProductId(format!("gid://shopify/Product/{}", i / 8)), format!("Alt text of mug-{i}.jpg"), change)
}

fn per_edit() {
    let dir = scratch("edit");
    let mut j = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
    let mut times = Vec::new();
    for i in 0..500 {
        let (product, title, c) = change(i);
        let t = Instant::now();
        let id = j.record(&product, &title, &c).unwrap();
        assert!(j.claim(id).unwrap());
        j.confirm(id).unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    let at = |p: f64| ms(times[((times.len() - 1) as f64 * p).round() as usize]);
    println!("per edit: written down, claimed and confirmed: p50 {:.2} ms, p99 {:.2} ms over 500", at(0.5), at(0.99));
    drop(j);
    let _ = std::fs::remove_dir_all(&dir);
}

fn batch() {
    let dir = scratch("batch");
    let mut j = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
    let changes: Vec<_> = (0..BATCH).map(change).collect();
    let t = Instant::now();
    let ids = j.record_all(&changes, None).unwrap();
    let written = t.elapsed();
    for id in &ids {
        assert!(j.claim(*id).unwrap());
        j.confirm(*id).unwrap();
    }
    let all = t.elapsed();
    println!(
        "batch: {BATCH} alt edits written down in one commit in {:.0} ms; with each claimed and confirmed {:.0} ms ({:.3} ms an edit)",
        ms(written),
        ms(all),
        ms(all) / BATCH as f64
    );
    drop(j);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The first `BATCH` media of the sandbox, by product.
fn edits(sandbox: &Sandbox, round: &str) -> Vec<(ProductId, Vec<AltEdit>)> {
    let st = sandbox.state();
    let st = st.lock().unwrap();
    let mut out = Vec::new();
    let mut n = 0;
    for p in st.products.values() {
        if n >= BATCH {
            break;
        }
        // Images only: their ids are `MediaImage` GIDs.
        let media: Vec<AltEdit> = p
            .media
            .iter()
            .filter(|m| st.files.get(m).is_some_and(|f| f.kind == mediadesk::sandbox::state::FileKind::Image))
            .take(BATCH - n)
            .map(|m| AltEdit {
                media: MediaId(format!("gid://shopify/MediaImage/{m}")),
                alt: format!("{round} text {m}"),
            })
            .collect();
        n += media.len();
        if !media.is_empty() {
            out.push((ProductId(format!("gid://shopify/Product/{}", p.id)), media));
        }
    }
    out
}

fn send(rt: &tokio::runtime::Runtime) {
    let config = SandboxConfig { products: 1_000, bucket_size: 1e9, restore_rate: 1e9, ..SandboxConfig::default() };
    let sandbox = rt.block_on(Sandbox::start(config)).unwrap();
    let url = endpoint::graphql_url(&StoreRef::Sandbox, Some(&sandbox.url()), endpoint::DEFAULT_API_VERSION).unwrap();
    let store = ShopifyStore::new(StoreRef::Sandbox, url, Secret::new(sandbox.token()));
    // Warm the connection and the sandbox.
    let plain = edits(&sandbox, "warm");
    rt.block_on(store.set_alt(&plain[0].0, &plain[0].1)).unwrap();

    let plain = edits(&sandbox, "plain");
    let count: usize = plain.iter().map(|(_, e)| e.len()).sum();
    let t = Instant::now();
    for (product, e) in &plain {
        let outcome = rt.block_on(store.set_alt(product, e)).unwrap();
        assert!(outcome.failed.is_empty(), "{:?}", outcome.failed.first());
    }
    let without = t.elapsed();

    let dir = scratch("send");
    let journal = Mutex::new(Journal::open(&dir, &StoreRef::Sandbox).unwrap());
    let journaled = edits(&sandbox, "journaled");
    let t = Instant::now();
    let all: Vec<_> = journaled
        .iter()
        .flat_map(|(p, e)| {
            e.iter().map(|a| {
                let c = Change::Alt { media: a.media.clone(), alt: a.alt.clone(), base: String::new() };
                (p.clone(), "Alt text".to_string(), c)
            })
        })
        .collect();
    let ids = journal.lock().unwrap().record_all(&all, None).unwrap();
    let mut next = ids.into_iter();
    for (product, e) in &journaled {
        let mine: Vec<i64> = next.by_ref().take(e.len()).collect();
        for id in &mine {
            assert!(journal.lock().unwrap().claim(*id).unwrap());
        }
        let outcome = rt.block_on(store.set_alt(product, e)).unwrap();
        assert!(outcome.failed.is_empty());
        let mut j = journal.lock().unwrap();
        for id in &mine {
            j.confirm(*id).unwrap();
        }
    }
    let with = t.elapsed();

    // The same number of edits, 250 of any products a write (what a bulk fix sends).
    let flat: Vec<(ProductId, AltEdit)> =
        edits(&sandbox, "across").into_iter().flat_map(|(p, e)| e.into_iter().map(move |a| (p.clone(), a))).collect();
    let t = Instant::now();
    for chunk in flat.chunks(mediadesk::journal::ALTS_PER_WRITE) {
        let outcome = rt.block_on(store.set_alts(chunk)).unwrap();
        assert!(outcome.failed.is_empty(), "{:?}", outcome.failed.first());
    }
    let across = t.elapsed();
    println!(
        "send: {count} alt edits over {} products to the sandbox: {:.2} s with no journal, {:.2} s through it (+{:.0} ms, {:.3} ms an edit)",
        plain.len(),
        without.as_secs_f64(),
        with.as_secs_f64(),
        ms(with.saturating_sub(without)),
        ms(with.saturating_sub(without)) / count as f64
    );
    println!(
        "send: the same {count} edits 250 of any products a write: {:.2} s ({} writes)",
        across.as_secs_f64(),
        flat.len().div_ceil(mediadesk::journal::ALTS_PER_WRITE)
    );
    drop(journal);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let which: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let want = |name: &str| which.is_empty() || which.iter().any(|w| w == name);
    if want("edit") {
        per_edit();
    }
    if want("batch") {
        batch();
    }
    if want("send") {
        let rt = tokio::runtime::Runtime::new().unwrap();
        send(&rt);
    }
}
