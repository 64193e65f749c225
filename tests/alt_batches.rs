//! Alt texts of many products in few writes: Shopify's `fileUpdate` takes 250 files of any
//! products, so a bulk fix of one image on each of hundreds of products is a handful of
//! requests, not a read and a write per product. Checked through a proxy that keeps every
//! request the client sends to the sandbox.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Mutex;

use mediadesk::model::{MediaId, ProductId, StoreRef};
use mediadesk::sandbox::Sandbox;
use mediadesk::sandbox::state::{Status, gid};
use mediadesk::secrets::Secret;
use mediadesk::store::shopify::ShopifyStore;
use mediadesk::store::shopify::credentials::Credentials;
use mediadesk::store::shopify::endpoint::graphql_url;
use mediadesk::store::{AltEdit, Store};

fn client(endpoint: &str, token: &str) -> ShopifyStore {
    let store = StoreRef::Shopify { shop: "acme".into() };
    let url = graphql_url(&store, Some(endpoint), "2025-01").unwrap();
    ShopifyStore::with_credentials(store, url, Credentials::Token(Secret::new(token)))
}

/// Up to `n` ready media of the sandbox, one per product first, with their products: what a
/// bulk fix over a store looks like.
fn ready_media(sandbox: &Sandbox, n: usize) -> Vec<(ProductId, MediaId, u64)> {
    let st = sandbox.state();
    let st = st.lock().unwrap();
    let mut out = Vec::new();
    for round in 0..4 {
        for p in st.products.values() {
            let Some(id) = p.media.get(round) else { continue };
            let f = &st.files[id];
            if f.status == Status::Ready && out.len() < n {
                out.push((ProductId(gid("Product", p.id)), MediaId(gid(f.kind.type_name(), f.id)), f.id));
            }
        }
    }
    out
}

fn requests_named(seen: &Mutex<Vec<String>>, operation: &str) -> usize {
    seen.lock().unwrap().iter().filter(|b| b.contains(operation)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_alt_texts_of_many_products_go_in_a_few_writes() {
    let sandbox = common::sandbox_with(|c| c.products = 400).await;
    let (proxy, seen) = common::proxy(&sandbox, |_| None).await;
    let store = client(&proxy, sandbox.token());
    assert!(store.capabilities().alts_across_products);
    let media = ready_media(&sandbox, 300);
    assert_eq!(media.len(), 300);
    let products: std::collections::BTreeSet<&ProductId> = media.iter().map(|(p, _, _)| p).collect();
    assert!(products.len() > 250, "{} products: the writes span products", products.len());

    // One of them is deleted on the store after the plan was made.
    let gone = media[7].2;
    {
        let st = sandbox.state();
        let mut st = st.lock().unwrap();
        st.files.remove(&gone);
        for p in st.products.values_mut() {
            p.media.retain(|m| *m != gone);
        }
    }
    let edits: Vec<(ProductId, AltEdit)> = media
        .iter()
        .enumerate()
        .map(|(i, (p, m, _))| {
            (p.clone(), AltEdit { media: m.clone(), alt: format!("Bulk text number {i}, front view") })
        })
        .collect();
    let outcome = store.set_alts(&edits).await.unwrap();

    // Shopify refuses a whole fileUpdate that names a file it no longer has: the first 250
    // again without it, then the last 50.
    assert_eq!(requests_named(&seen, "fileUpdate"), 3);
    assert_eq!(seen.lock().unwrap().len(), 3, "and nothing read first");
    let sizes: Vec<usize> = seen.lock().unwrap().iter().map(|b| b.matches("\"alt\"").count()).collect();
    assert_eq!(sizes, [250, 249, 50]);
    assert_eq!(outcome.done.len(), 299);
    assert_eq!(outcome.failed.len(), 1, "{:?}", outcome.failed);
    assert_eq!(outcome.failed[0].item.as_deref(), Some(media[7].1.0.as_str()), "the deleted one, named");
    let st = sandbox.state();
    let st = st.lock().unwrap();
    for (i, (_, _, id)) in media.iter().enumerate().filter(|(_, (_, _, id))| *id != gone) {
        assert_eq!(st.files[id].alt, format!("Bulk text number {i}, front view"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_write_files_the_texts_go_a_product_at_a_time_and_say_why() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let (proxy, seen) = common::proxy(&sandbox, |_| None).await;
    let store = client(&proxy, mediadesk::sandbox::SANDBOX_TOKEN_NO_WRITE_FILES);
    let media = ready_media(&sandbox, 6);
    let edits: Vec<(ProductId, AltEdit)> = media
        .iter()
        .map(|(p, m, id)| (p.clone(), AltEdit { media: m.clone(), alt: format!("Linen detail {id}, close up") }))
        .collect();
    let outcome = store.set_alts(&edits).await.unwrap();
    assert_eq!(outcome.done.len(), 6, "{:?}", outcome.failed);
    assert!(outcome.notice.as_deref().is_some_and(|n| n.contains("write_files")), "{:?}", outcome.notice);
    assert_eq!(requests_named(&seen, "productUpdateMedia"), 6, "one per product");
    let st = sandbox.state();
    let st = st.lock().unwrap();
    for (_, _, id) in &media {
        assert_eq!(st.files[id].alt, format!("Linen detail {id}, close up"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journaled_batch_is_checked_in_one_read_per_250_and_never_overwrites_an_admin_edit() {
    use mediadesk::journal::{Applied, Change, Journal};
    let sandbox = common::sandbox_with(|c| c.products = 400).await;
    let (proxy, seen) = common::proxy(&sandbox, |_| None).await;
    let store = client(&proxy, sandbox.token());
    let media = ready_media(&sandbox, 300);
    let dir = std::env::temp_dir().join(format!("mediadesk-alt-batches-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut journal = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
    let changes: Vec<(ProductId, String, Change)> = {
        let st = sandbox.state();
        let st = st.lock().unwrap();
        media
            .iter()
            .enumerate()
            .map(|(i, (p, m, id))| {
                let change = Change::Alt {
                    media: m.clone(),
                    alt: format!("Checked text number {i}, side view"),
                    base: st.files[id].alt.clone(),
                };
                (p.clone(), format!("Alt text of {i}"), change)
            })
            .collect()
    };
    let ids = journal.record_all(&changes, None).unwrap();
    let entries: Vec<_> = ids.iter().map(|id| journal.entry(*id).unwrap()).collect();
    let journal = Mutex::new(journal);
    // Since the plan: one text edited in the admin, one already given the new text, one file
    // deleted.
    let (edited, done, gone) = (media[3].2, media[5].2, media[9].2);
    {
        let st = sandbox.state();
        let mut st = st.lock().unwrap();
        st.files.get_mut(&edited).unwrap().alt = "Written in the admin meanwhile".into();
        st.files.get_mut(&done).unwrap().alt = "Checked text number 5, side view".into();
        st.files.remove(&gone);
        for p in st.products.values_mut() {
            p.media.retain(|m| *m != gone);
        }
    }
    let mut outcomes = Vec::new();
    for chunk in entries.chunks(mediadesk::journal::ALTS_PER_WRITE) {
        let (o, _) = mediadesk::journal::send_alts_across(&journal, &store, chunk, true).await.unwrap();
        outcomes.extend(o);
    }
    let of = |i: usize| outcomes.iter().find(|(id, _)| *id == ids[i]).map(|(_, a)| a.clone()).unwrap();
    assert_eq!(of(3), Applied::Conflict { store: "Written in the admin meanwhile".into() });
    assert_eq!(of(5), Applied::AlreadyThere);
    assert!(matches!(of(9), Applied::Failed { ref code, .. } if code == "MEDIA_NOT_FOUND"), "{:?}", of(9));
    assert_eq!(outcomes.iter().filter(|(_, a)| *a == Applied::Confirmed).count(), 297);
    assert_eq!(requests_named(&seen, "AltsById"), 2, "one read per 250");
    assert_eq!(requests_named(&seen, "fileUpdate"), 2);
    assert_eq!(seen.lock().unwrap().len(), 4, "nothing else read or written");
    let st = sandbox.state();
    let st = st.lock().unwrap();
    assert_eq!(st.files[&edited].alt, "Written in the admin meanwhile", "the admin's text stays");
    assert_eq!(st.files[&media[0].2].alt, "Checked text number 0, side view");
    drop(st);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_from_the_command_line_reads_and_writes_250_texts_at_a_time() {
    let sandbox = common::sandbox_with(|_| {}).await;
    let (proxy, seen) = common::proxy(&sandbox, |_| None).await;
    let data = std::env::temp_dir().join(format!("mediadesk-alt-batches-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
            .args(["--store", "sandbox", "--endpoint", &proxy, "--data-dir", data.to_str().unwrap()])
            .args(args)
            .env("MEDIADESK_TOKEN", sandbox.token())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    tokio::task::block_in_place(|| run(&["sync"]));
    seen.lock().unwrap().clear();
    let out =
        tokio::task::block_in_place(|| run(&["alt", "template", "{title}, view {position}", "--rule", "lead-in"]));
    let sent = out.lines().filter(|l| l.contains("\"saved\":true")).count();
    assert!(sent > 3, "{out}");
    // Every product's texts checked in one read and sent in one write.
    let requests = seen.lock().unwrap().clone();
    let named = |op: &str| requests.iter().filter(|b| b.contains(op)).count();
    assert_eq!((named("AltsById"), named("fileUpdate")), (1, 1), "{requests:#?}");
    assert!(!requests.iter().any(|b| b.contains("product(id")), "no product read one by one: {requests:#?}");
    let _ = std::fs::remove_dir_all(&data);
}
