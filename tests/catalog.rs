//! The local catalog: a full sync from the sandbox over HTTP equal to what the store reads,
//! a cancelled sync that keeps the old catalog, deletions, search, damaged and newer files, a
//! second user of the same catalog, and the `sync` and `search` commands.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use mediadesk::catalog::sync::{Method, SyncError, SyncOptions, sync as run_sync};
use mediadesk::catalog::{Catalog, SyncKind};
use mediadesk::model::{
    CatalogRow, Media, MediaId, MediaKind, MediaStatus, ProductId, ProductQuery, ProductRecord, StoreRef, Variant,
};
use mediadesk::sandbox::Sandbox;
use mediadesk::secrets::Secret;
use mediadesk::store::Store;
use mediadesk::store::shopify::{ShopifyStore, endpoint};
use serde_json::Value;

/// A fresh folder for one test's catalogs, under one folder per run. A catalog is still open
/// when its test ends, so each run removes what earlier runs left instead.
fn scratch(test: &str) -> PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    let runs = std::env::temp_dir().join("mediadesk-catalog-tests");
    let this_run = std::process::id().to_string();
    SWEPT.call_once(|| {
        for old in std::fs::read_dir(&runs).into_iter().flatten().flatten() {
            if old.file_name() != this_run.as_str() {
                let _ = std::fs::remove_dir_all(old.path());
            }
        }
    });
    let dir = runs.join(&this_run).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn store(sandbox: &Sandbox) -> Arc<dyn Store> {
    let url = endpoint::graphql_url(&StoreRef::Sandbox, Some(&sandbox.url()), endpoint::DEFAULT_API_VERSION).unwrap();
    Arc::new(ShopifyStore::new(StoreRef::Sandbox, url, Secret::new(sandbox.token())))
}

fn open(dir: &std::path::Path) -> Arc<Mutex<Catalog>> {
    let (catalog, notice) = Catalog::open(dir, &StoreRef::Sandbox).unwrap();
    assert_eq!(notice, None);
    Arc::new(Mutex::new(catalog))
}

async fn sync(store: &Arc<dyn Store>, catalog: &Arc<Mutex<Catalog>>) -> mediadesk::catalog::SyncSummary {
    full(store, catalog, true).await
}

async fn full(store: &Arc<dyn Store>, catalog: &Arc<Mutex<Catalog>>, full: bool) -> mediadesk::catalog::SyncSummary {
    let options = SyncOptions { full, method: Method::Paged };
    run_sync(store.clone(), catalog.clone(), options, |_| {}, Arc::new(AtomicBool::new(false))).await.unwrap()
}

/// Every product id the store lists.
async fn store_products(store: &Arc<dyn Store>) -> Vec<ProductId> {
    let mut q = ProductQuery { limit: 100, ..Default::default() };
    let mut ids = Vec::new();
    loop {
        let page = store.search_products(&q).await.unwrap();
        ids.extend(page.items.into_iter().map(|p| p.id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return ids,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_holds_every_product_media_for_media_as_the_store_reads_them() {
    let sandbox = common::sandbox_with(|c| c.products = 30).await;
    let store = store(&sandbox);
    let dir = scratch("full");
    let catalog = open(&dir);
    let summary = sync(&store, &catalog).await;
    let ids = store_products(&store).await;
    assert_eq!((summary.kind, summary.products, summary.removed), (SyncKind::Full, ids.len() as u64, 0));
    let mut media = 0;
    for id in &ids {
        let read = store.product_media(id).await.unwrap();
        assert_eq!(catalog.lock().unwrap().product_media(id).unwrap().as_ref(), Some(&read), "{id}");
        media += read.media.len() as u64;
    }
    let c = catalog.lock().unwrap();
    let counts = c.counts().unwrap();
    assert_eq!((counts.products, counts.media), (ids.len() as u64, media));
    assert_eq!(summary.media, media);
    assert!(c.state("last_full_sync").unwrap().is_some());
    assert!(c.path().starts_with(&dir));
    drop(c);
    // Some images marked decorative count as passing in both ways of scoring.
    let marked: Vec<MediaId> = catalog
        .lock()
        .unwrap()
        .records()
        .unwrap()
        .iter()
        .flat_map(|p| p.media.first())
        .map(|m| m.id.clone())
        .take(5)
        .collect();
    catalog.lock().unwrap().set_decorative(&marked, true).unwrap();
    streamed_score_is_the_reports(&mut catalog.lock().unwrap(), 512);
}

/// The score a sync keeps, worked out a product at a time, is the whole report's, and the
/// history's newest point.
fn streamed_score_is_the_reports(c: &mut Catalog, limit: usize) {
    let (report, synced_at) = c.audit(limit).unwrap();
    let point = c.score_sync(limit).unwrap().expect("a synced catalog has a score");
    assert_eq!(point, report.score_point(synced_at.unwrap()));
    assert!(point.media > 0 && point.passing < point.media, "{point:?}");
    assert_eq!(c.scores().unwrap().last(), Some(&point));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_sync_keeps_the_previous_catalog_and_the_next_one_picks_up_changes() {
    let sandbox = common::sandbox_with(|c| c.products = 30).await;
    let store = store(&sandbox);
    let catalog = open(&scratch("cancel"));
    sync(&store, &catalog).await;
    let watch = ProductId("gid://shopify/Product/1".into());
    let before = catalog.lock().unwrap().product_media(&watch).unwrap().unwrap();
    // Changed in the store (the admin, another app) and one product deleted.
    {
        let state = sandbox.state();
        let mut st = state.lock().unwrap();
        st.files.get_mut(&37).unwrap().alt = "Polaris watch, steel case, worn on the wrist".into();
        let gone = *st.products.keys().max().unwrap();
        st.products.remove(&gone);
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let stop = cancel.clone();
    let cancelled = run_sync(
        store.clone(),
        catalog.clone(),
        SyncOptions { full: true, method: Method::Paged },
        move |p| {
            if p.done == 5 {
                stop.store(true, Ordering::Relaxed);
            }
        },
        cancel,
    )
    .await;
    assert!(matches!(cancelled, Err(SyncError::Cancelled)), "{cancelled:?}");
    {
        let c = catalog.lock().unwrap();
        assert_eq!(c.product_media(&watch).unwrap().unwrap(), before, "nothing of the cancelled sync was kept");
        assert_eq!(c.counts().unwrap().products, 34);
    }
    let summary = sync(&store, &catalog).await;
    assert_eq!((summary.products, summary.removed), (33, 1));
    let c = catalog.lock().unwrap();
    let after = c.product_media(&watch).unwrap().unwrap();
    let front = after.media.iter().find(|m| m.id == MediaId("gid://shopify/MediaImage/37".into())).unwrap();
    assert_eq!(front.alt, "Polaris watch, steel case, worn on the wrist");
    assert_eq!(c.counts().unwrap().products, 33);
    // The new text is searchable; the deleted product is not found.
    assert_eq!(c.search("wrist", 10).unwrap()[0].id, watch);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_of_changes_reads_only_what_changed_including_alt_texts_edited_on_files() {
    let sandbox = common::sandbox_with(|c| c.products = 30).await;
    let store = store(&sandbox);
    let catalog = open(&scratch("changes"));
    let first = full(&store, &catalog, false).await;
    assert_eq!((first.kind, first.products), (SyncKind::Full, 34), "the first sync is full");
    // Catalog fields come with the products.
    let watch = ProductId("gid://shopify/Product/1".into());
    let hit = catalog.lock().unwrap().search("polaris watch", 1).unwrap().remove(0);
    assert_eq!(hit.id, watch);
    assert!(hit.vendor.is_some() && hit.status.as_deref() == Some("active"), "{hit:?}");
    // Nothing changed: a sync of changes reads next to nothing.
    let quiet = full(&store, &catalog, false).await;
    assert_eq!((quiet.kind, quiet.products, quiet.removed), (SyncKind::Changes, 0, 0));
    // An alt text edited through the API (fileUpdate) and a product edited in the admin.
    let edit = mediadesk::store::AltEdit {
        media: MediaId("gid://shopify/MediaImage/37".into()),
        alt: "Polaris watch on a leather strap".into(),
    };
    assert!(store.set_alt(&watch, &[edit]).await.unwrap().failed.is_empty());
    let renamed = {
        let state = sandbox.state();
        let mut st = state.lock().unwrap();
        let p = st.products.values_mut().find(|p| p.id != 1).unwrap();
        p.title = "Renamed in the admin".into();
        p.updated_at = std::time::SystemTime::now();
        ProductId(format!("gid://shopify/Product/{}", p.id))
    };
    let changes = full(&store, &catalog, false).await;
    assert_eq!(changes.kind, SyncKind::Changes);
    assert!(changes.products >= 2 && changes.products < 34, "{changes:?}");
    let c = catalog.lock().unwrap();
    let alt =
        c.product_media(&watch).unwrap().unwrap().media.into_iter().find(|m| m.id.0.ends_with("/37")).unwrap().alt;
    assert_eq!(alt, "Polaris watch on a leather strap");
    assert_eq!(c.search("renamed admin", 5).unwrap()[0].id, renamed);
    assert_eq!(c.counts().unwrap().products, 34);
}

fn image(id: &str, alt: &str) -> Media {
    Media {
        id: MediaId(id.into()),
        kind: MediaKind::Image,
        alt: alt.into(),
        status: MediaStatus::Ready,
        position: 0,
        preview_url: None,
        width: Some(800),
        height: Some(600),
        filename: Some(format!("{id}.jpg")),
        size_bytes: None,
        mime_type: None,
        errors: Vec::new(),
        external_url: None,
        alt_translated: Default::default(),
    }
}

fn product(id: &str, title: &str, vendor: &str, status: &str, tags: &[&str], media: Vec<Media>) -> ProductRecord {
    ProductRecord {
        id: ProductId(id.into()),
        title: title.into(),
        handle: title.to_lowercase().replace(' ', "-"),
        vendor: Some(vendor.into()),
        product_type: Some("Apparel".into()),
        status: Some(status.into()),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        updated_at: Some("2026-11-01T10:00:00Z".into()),
        media,
        variants: vec![Variant {
            id: format!("{id}-v1"),
            title: "Red / M".into(),
            options: vec![("Color".into(), "Red".into()), ("Size".into(), "M".into())],
            media: Vec::new(),
            own_image: None,
        }],
    }
}

fn search_catalog() -> Catalog {
    let (mut catalog, _) = Catalog::open_file(&scratch("search").join("c.sqlite3"), "test").unwrap();
    let mut w = catalog.begin_sync(SyncKind::Full).unwrap();
    for p in [
        product(
            "1",
            "Linen Shirt",
            "Acme Co",
            "active",
            &["summer", "linen"],
            vec![image("m1", "Blue linen shirt, front")],
        ),
        product("2", "Wool Sweater", "Northwind", "draft", &["winter"], vec![image("m2", "")]),
        product("3", "Crème brûlée Mug", "Acme Co", "archived", &["kitchen", "summer sale"], vec![]),
        product(
            "4",
            "Shirt Hanger",
            "Hangers Ltd",
            "active",
            &["summer-sale"],
            vec![image("m4", ""), image("m5", "x")],
        ),
    ] {
        w.put(&p).unwrap();
    }
    w.finish(0).unwrap();
    catalog
}

fn ids(hits: Vec<mediadesk::catalog::ProductHit>) -> Vec<String> {
    hits.into_iter().map(|h| h.id.0).collect()
}

#[test]
fn search_matches_word_prefixes_anywhere_and_answers_filters_locally() {
    let c = search_catalog();
    // As the merchant types: "s", "sh", "shi" all find the shirt and the hanger.
    for typed in ["s", "sh", "shi", "SHIRT"] {
        let found = ids(c.search(typed, 10).unwrap());
        assert!(found.contains(&"1".to_string()) && found.contains(&"4".to_string()), "{typed}: {found:?}");
    }
    assert_eq!(ids(c.search("blue front", 10).unwrap()), ["1"], "alt texts are searched");
    assert_eq!(ids(c.search("creme brulee", 10).unwrap()), ["3"], "accents do not matter");
    let mut shirts = ids(c.search("title:shirt", 10).unwrap());
    shirts.sort();
    assert_eq!(shirts, ["1", "4"]);
    assert_eq!(ids(c.search("title:blue", 10).unwrap()), Vec::<String>::new(), "`blue` is only in an alt text");
    assert_eq!(ids(c.search("vendor:\"acme co\"", 10).unwrap()), ["3", "1"], "by title when only filtered");
    assert_eq!(ids(c.search("tag:summer", 10).unwrap()), ["1"], "a tag matches whole, not `summer sale`");
    assert_eq!(ids(c.search("tag:\"summer sale\"", 10).unwrap()), ["3"]);
    assert_eq!(ids(c.search("tag:summer_sale", 10).unwrap()), Vec::<String>::new(), "_ is not a wildcard");
    assert_eq!(ids(c.search("status:ACTIVE", 10).unwrap()), ["1", "4"]);
    assert_eq!(ids(c.search("shirt status:draft", 10).unwrap()), Vec::<String>::new());
    assert_eq!(ids(c.search("", 2).unwrap()), ["3", "1"], "everything by title, at most the limit");
    let hanger = c.search("hanger", 1).unwrap().remove(0);
    assert_eq!((hanger.media_count, hanger.missing_alt, hanger.vendor.as_deref()), (2, 1, Some("Hangers Ltd")));
    // Text that is not a valid FTS expression is searched as words, not an error.
    assert!(c.search("\"shirt AND (", 10).is_ok());
    assert!(c.search("NEAR(a b) * ^ -", 10).is_ok());
}

/// Products whose titles share their first letters in many ways (case, length, the same first
/// five bytes), numbered so that their order of arrival is not their title order.
fn lookalikes() -> Vec<ProductRecord> {
    let bases = ["Linen", "linen", "LINEN tote", "Lino", "Li", "Lamp", "apple", "Zinc", "Ümlaut"];
    (0..270)
        .map(|i| {
            let title = format!("{} {:03}", bases[i % bases.len()], 999 - i);
            product(&format!("p{i}"), &title, "Northwind", if i % 4 == 0 { "draft" } else { "active" }, &[], vec![])
        })
        .collect()
}

/// The first `limit` of `products` whose title's or handle's words start with `word` (and are active, if asked), by
/// title as `COLLATE NOCASE` orders it: what the catalog's search must answer.
fn first_by_title(products: &[ProductRecord], word: &str, active: bool, limit: usize) -> Vec<String> {
    let mut found: Vec<&ProductRecord> = products
        .iter()
        .filter(|p| p.title.split(' ').chain(p.handle.split('-')).any(|w| w.to_lowercase().starts_with(word)))
        .filter(|p| !active || p.status.as_deref() == Some("active"))
        .collect();
    found.sort_by_key(|p| p.title.to_ascii_lowercase());
    found.into_iter().take(limit).map(|p| p.id.0.clone()).collect()
}

#[test]
fn search_lists_the_first_matches_by_title_however_the_limit_falls() {
    let (mut c, _) = Catalog::open_file(&scratch("title-order").join("c.sqlite3"), "test").unwrap();
    let mut products = lookalikes();
    // Half through a bulk read's staging (children apart, parents last), half one by one.
    let mut w = c.begin_sync(SyncKind::Full).unwrap();
    for p in products.iter().skip(135) {
        w.stage(&[CatalogRow::Product(p.clone())]).unwrap();
    }
    w.put_staged().unwrap();
    for p in products.iter().take(135) {
        w.put(p).unwrap();
    }
    w.finish(0).unwrap();
    let check = |c: &Catalog, products: &[ProductRecord]| {
        // (Not `a`: every product's type is Apparel.)
        for word in ["l", "li", "lin", "linen", "lamp", "0", "9", "appl", "z", "ü"] {
            for limit in [1, 2, 29, 30, 31, 60, 500] {
                let want = first_by_title(products, word, false, limit);
                assert_eq!(ids(c.search(word, limit as u32).unwrap()), want, "{word}, {limit}");
                let active = first_by_title(products, word, true, limit);
                assert_eq!(ids(c.search(&format!("{word} status:active"), limit as u32).unwrap()), active);
            }
        }
    };
    check(&c, &products);
    // A title changed by the window's read of a product moves it in the order.
    let renamed =
        mediadesk::model::ProductMedia { id: products[7].id.clone(), title: "Aardvark 007".into(), media: vec![] };
    assert!(c.keep_media(&renamed).unwrap());
    products[7].title = renamed.title.clone();
    check(&c, &products);
    assert_eq!(ids(c.search("aard", 5).unwrap()), ["p7"]);
    // A full sync without a product takes it out of search; one renamed by it moves.
    products.remove(3);
    products[10].title = "Linen 000".into();
    let mut w = c.begin_sync(SyncKind::Full).unwrap();
    for p in &products {
        w.stage(&[CatalogRow::Product(p.clone())]).unwrap();
    }
    w.put_staged().unwrap();
    assert_eq!(w.finish(0).unwrap().removed, 1);
    check(&c, &products);
}

#[test]
fn a_damaged_catalog_is_moved_aside_and_a_new_one_is_built() {
    let dir = scratch("damaged");
    let file = mediadesk::catalog::file_for(&dir, &StoreRef::Sandbox);
    std::fs::write(&file, vec![0x42u8; 8192]).unwrap();
    let (catalog, notice) = Catalog::open(&dir, &StoreRef::Sandbox).unwrap();
    let notice = notice.expect("the user is told");
    assert!(notice.contains("is damaged") && notice.contains("kept as"), "{notice}");
    let kept: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(".damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept, not deleted");
    assert_eq!(std::fs::read(dir.join(&kept[0])).unwrap(), vec![0x42u8; 8192]);
    assert_eq!(catalog.counts().unwrap().products, 0);
}

#[test]
fn a_catalog_from_a_newer_mediadesk_is_moved_aside_untouched() {
    let dir = scratch("newer");
    let file = mediadesk::catalog::file_for(&dir, &StoreRef::Sandbox);
    {
        let conn = rusqlite::Connection::open(&file).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
    }
    let (_catalog, notice) = Catalog::open(&dir, &StoreRef::Sandbox).unwrap();
    assert!(notice.unwrap().contains("newer mediadesk (schema 99)"));
    let kept = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).find(|p| {
        p.file_name().unwrap().to_string_lossy().contains(".newer-") && p.extension().is_none_or(|e| e != "lock")
    });
    let conn = rusqlite::Connection::open(kept.unwrap()).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 99);
}

#[test]
fn a_second_user_of_the_same_catalog_is_told_plainly() {
    let dir = scratch("in-use");
    let (first, _) = Catalog::open(&dir, &StoreRef::Sandbox).unwrap();
    let second = Catalog::open(&dir, &StoreRef::Sandbox).err().expect("refused").to_string();
    assert!(second.contains("another mediadesk is using the local catalog of sandbox"), "{second}");
    drop(first);
    assert!(Catalog::open(&dir, &StoreRef::Sandbox).is_ok(), "free again once the first closes");
}

async fn cli(sandbox: &Sandbox, data: &std::path::Path, args: &[&str]) -> (i32, Vec<Value>, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"));
    cmd.args(["--store", "sandbox", "--endpoint", &sandbox.url(), "--data-dir", data.to_str().unwrap()]).args(args);
    cmd.env("MEDIADESK_TOKEN", sandbox.token());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let lines = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (out.status.code().unwrap_or(-1), lines, String::from_utf8(out.stderr).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_and_search_commands_fill_and_read_the_catalog() {
    let sandbox = common::sandbox_with(|c| c.products = 10).await;
    let data = scratch("cli");
    let (code, lines, stderr) = cli(&sandbox, &data, &["search", "polaris"]).await;
    assert_eq!((code, lines.len()), (1, 0));
    assert!(stderr.contains("run `mediadesk sync` first"), "{stderr}");
    let (code, lines, stderr) = cli(&sandbox, &data, &["sync"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.len(), 1);
    assert_eq!((lines[0]["synced"].as_str(), lines[0]["products"].as_u64()), (Some("full"), Some(14)));
    assert!(lines[0]["catalog"].as_str().unwrap().starts_with(data.to_str().unwrap()));
    // `paced`, the word for pages read at the rate limit's pace, forces pages.
    let (code, lines, stderr) = cli(&sandbox, &data, &["sync", "--full", "--method", "paced"]).await;
    assert_eq!((code, lines[0]["method"].as_str()), (0, Some("paged")), "{stderr}");
    // The search needs no store: it works with the sandbox gone.
    drop(sandbox);
    let sandbox = common::sandbox_with(|c| c.products = 0).await;
    let (code, lines, stderr) = cli(&sandbox, &data, &["search", "pola"]).await;
    assert_eq!(code, 0, "{stderr}");
    let titles: Vec<&str> = lines.iter().map(|l| l["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Polaris Watch"), "{titles:?}");
    let watch = lines.iter().find(|l| l["title"] == "Polaris Watch").unwrap();
    assert_eq!((watch["media_count"].as_u64(), watch["missing_alt"].as_u64()), (Some(5), Some(0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ecwid_store_syncs_whole_pages_and_then_its_changes() {
    use mediadesk::sandbox::ecwid::{SECRET_TOKEN, STORE_ID};
    let sandbox = common::sandbox_with(|c| c.products = 120).await;
    let store: Arc<dyn Store> = Arc::new(
        mediadesk::store::ecwid::EcwidStore::new(
            &STORE_ID.to_string(),
            Some(&sandbox.url()),
            Secret::new(SECRET_TOKEN),
        )
        .unwrap(),
    );
    let catalog = open(&scratch("ecwid"));
    let first = full(&store, &catalog, false).await;
    assert_eq!((first.kind, first.products), (SyncKind::Full, 124), "two pages of 100 and the rest");
    let ids = store_products(&store).await;
    assert_eq!(ids.len(), 124);
    for id in ids.iter().step_by(7) {
        let read = store.product_media(id).await.unwrap();
        let kept = catalog.lock().unwrap().product_media(id).unwrap().unwrap();
        assert_eq!(kept, read, "{id}");
    }
    // Variations: their options, and the main image or their own image with its alt text.
    let (mut own, mut inherited) = (0, 0);
    for id in &ids {
        let variants = catalog.lock().unwrap().variants(id).unwrap();
        let st = sandbox.state();
        let st = st.lock().unwrap();
        let p = &st.products[&id.0.parse::<u64>().unwrap()];
        let listed: Vec<_> = p.variants.iter().filter(|v| v.options.iter().any(|(n, _)| n != "Title")).collect();
        assert_eq!(variants.len(), listed.len(), "{id}");
        let main = p.media.iter().find(|m| st.files[m].kind == mediadesk::sandbox::state::FileKind::Image);
        for (kept, v) in variants.iter().zip(listed) {
            assert_eq!((kept.id.as_str(), &kept.options), (v.id.to_string().as_str(), &v.options));
            match (&kept.own_image, v.image) {
                (Some(image), Some(f)) => {
                    own += 1;
                    assert_ne!(Some(&f), main, "{id}: the main image is inherited, not owned");
                    assert_eq!(image.alt, st.files[&f].alt, "{id}");
                    assert!(kept.media.is_empty());
                }
                (None, _) => {
                    inherited += 1;
                    assert_eq!(
                        kept.media,
                        main.map(|m| MediaId(m.to_string())).into_iter().collect::<Vec<_>>(),
                        "{id}"
                    );
                }
                (Some(_), None) => panic!("{id}: an image the store does not have"),
            }
        }
    }
    assert!(own > 10 && inherited > 10, "both kinds of variation ({own} own, {inherited} inherited)");
    let hit = catalog.lock().unwrap().search("", 500).unwrap();
    assert!(hit.iter().all(|h| matches!(h.status.as_deref(), Some("enabled" | "disabled"))));
    // Variations' own images and translated texts are scored alike both ways.
    streamed_score_is_the_reports(&mut catalog.lock().unwrap(), 255);
    // An alt text changed through the API is picked up by a sync of changes, and only that.
    let (product, image) = ids
        .iter()
        .find_map(|id| {
            let pm = catalog.lock().unwrap().product_media(id).unwrap()?;
            pm.media.iter().find(|m| m.kind == MediaKind::Image).map(|m| (id.clone(), m.id.clone()))
        })
        .unwrap();
    let edit = mediadesk::store::AltEdit { media: image.clone(), alt: "Side view on a white table".into() };
    assert!(store.set_alt(&product, &[edit]).await.unwrap().failed.is_empty());
    let changes = full(&store, &catalog, false).await;
    assert_eq!((changes.kind, changes.products), (SyncKind::Changes, 1));
    let kept = catalog.lock().unwrap().product_media(&product).unwrap().unwrap();
    assert_eq!(kept.media.iter().find(|m| m.id == image).unwrap().alt, "Side view on a white table");
}

async fn sync_with(
    store: &Arc<dyn Store>,
    catalog: &Arc<Mutex<Catalog>>,
    method: Method,
) -> Result<mediadesk::catalog::SyncSummary, SyncError> {
    run_sync(
        store.clone(),
        catalog.clone(),
        SyncOptions { full: true, method },
        |_| {},
        Arc::new(AtomicBool::new(false)),
    )
    .await
}

fn fast_bulk(c: &mut mediadesk::sandbox::SandboxConfig) {
    c.bulk = mediadesk::sandbox::BulkTimings {
        start: std::time::Duration::from_millis(20),
        objects_per_second: 20_000.0,
        ..Default::default()
    };
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_sync_builds_the_same_catalog_as_paged_reads() {
    let sandbox = common::sandbox_with(|c| {
        c.products = 60;
        fast_bulk(c);
    })
    .await;
    let store = store(&sandbox);
    let paged = open(&scratch("bulk-paged"));
    let bulk = open(&scratch("bulk-bulk"));
    let a = sync_with(&store, &paged, Method::Paged).await.unwrap();
    let b = sync_with(&store, &bulk, Method::Bulk).await.unwrap();
    assert_eq!((a.method, b.method), (Method::Paged, Method::Bulk));
    assert_eq!((a.products, a.media), (b.products, b.media));
    let (paged, bulk) = (paged.lock().unwrap(), bulk.lock().unwrap());
    assert_eq!(paged.search("", 1000).unwrap(), bulk.search("", 1000).unwrap(), "same products, fields and counts");
    for hit in paged.search("", 1000).unwrap() {
        assert_eq!(paged.product_media(&hit.id).unwrap(), bulk.product_media(&hit.id).unwrap(), "{}", hit.id);
    }
    assert_eq!(bulk.counts().unwrap(), paged.counts().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_changed_products_are_read_by_one_bulk_operation_of_those_products_only() {
    let sandbox = common::sandbox_with(|c| {
        c.products = 300;
        fast_bulk(c);
    })
    .await;
    let store = store(&sandbox);
    let catalog = open(&scratch("bulk-changes"));
    let first = sync_with(&store, &catalog, Method::Auto).await.unwrap();
    assert_eq!((first.kind, first.method, first.products), (SyncKind::Full, Method::Bulk, 304));
    // 60 products renamed in the admin (more than pages would read quickly), and an alt text
    // edited through fileUpdate on a product that is not among them.
    let renamed: Vec<u64> = {
        let state = sandbox.state();
        let mut st = state.lock().unwrap();
        let now = std::time::SystemTime::now();
        let ids: Vec<u64> = st.products.keys().copied().filter(|id| *id > 1).take(60).collect();
        for id in &ids {
            let p = st.products.get_mut(id).unwrap();
            p.title = format!("Renamed {id} in the admin");
            p.updated_at = now;
        }
        ids
    };
    let watch = ProductId("gid://shopify/Product/1".into());
    let edit = mediadesk::store::AltEdit {
        media: MediaId("gid://shopify/MediaImage/37".into()),
        alt: "Polaris watch on a leather strap".into(),
    };
    assert!(store.set_alt(&watch, &[edit]).await.unwrap().failed.is_empty());
    let seen = Mutex::new(Vec::new());
    let changes = run_sync(
        store.clone(),
        catalog.clone(),
        SyncOptions::default(),
        |p| seen.lock().unwrap().push(p),
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .unwrap();
    assert_eq!((changes.kind, changes.method, changes.removed), (SyncKind::Changes, Method::Bulk, 0));
    // The renamed products by bulk, the watch by its own read: not the whole store again.
    assert_eq!(changes.products, 61, "{changes:?}");
    let query = sandbox.state().lock().unwrap().bulk.values().last().unwrap().query.clone();
    assert!(query.contains("products(query: \"updated_at:>'"), "{query}");
    let seen = seen.into_inner().unwrap();
    assert!(!seen.is_empty() && seen.iter().all(|p| p.products == Some(60)), "progress sized by the changed products");
    let c = catalog.lock().unwrap();
    for id in renamed {
        let hit = c.search(&format!("renamed {id}"), 1).unwrap().remove(0);
        assert_eq!(hit.title, format!("Renamed {id} in the admin"));
    }
    let alt =
        c.product_media(&watch).unwrap().unwrap().media.into_iter().find(|m| m.id.0.ends_with("/37")).unwrap().alt;
    assert_eq!(alt, "Polaris watch on a leather strap");
    assert_eq!(c.counts().unwrap().products, 304);
}

/// The variants the sandbox holds for a product, as the catalog should keep them.
fn sandbox_variants(sandbox: &Sandbox, product: u64) -> Vec<Variant> {
    let st = sandbox.state();
    let st = st.lock().unwrap();
    st.products[&product]
        .variants
        .iter()
        .map(|v| Variant {
            id: format!("gid://shopify/ProductVariant/{}", v.id),
            title: v.title(),
            options: v.options.clone(),
            media: v.image.map(|f| MediaId(format!("gid://shopify/MediaImage/{f}"))).into_iter().collect(),
            own_image: None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variants_are_kept_with_their_options_and_the_media_they_show_by_pages_and_by_bulk() {
    let sandbox = common::sandbox_with(|c| {
        c.products = 60;
        fast_bulk(c);
    })
    .await;
    // One product with more variants than a catalog page reads with it: the rest are read on.
    let many = {
        let st = sandbox.state();
        let mut st = st.lock().unwrap();
        let (&id, p) = st.products.iter_mut().find(|(_, p)| p.variants.len() > 1).expect("a product with options");
        let template = p.variants[0].clone();
        for n in 0..12 {
            let mut v = template.clone();
            v.id = 90_000_000 + n;
            v.options = vec![("Color".into(), "Sand".into()), ("Size".into(), format!("EU {}", 36 + n))];
            p.variants.push(v);
        }
        id
    };
    let store = store(&sandbox);
    let paged = open(&scratch("variants-paged"));
    let bulk = open(&scratch("variants-bulk"));
    sync_with(&store, &paged, Method::Paged).await.unwrap();
    sync_with(&store, &bulk, Method::Bulk).await.unwrap();
    let ids: Vec<u64> = sandbox.state().lock().unwrap().products.keys().copied().collect();
    let mut shown = 0;
    for id in ids {
        let product = ProductId(format!("gid://shopify/Product/{id}"));
        let expected = sandbox_variants(&sandbox, id);
        assert!(!expected.is_empty(), "every product has a variant");
        shown += expected.iter().filter(|v| !v.media.is_empty()).count();
        assert_eq!(paged.lock().unwrap().variants(&product).unwrap(), expected, "paged, {product}");
        assert_eq!(bulk.lock().unwrap().variants(&product).unwrap(), expected, "bulk, {product}");
    }
    assert!(shown > 20, "the catalog has variants showing their own picture ({shown})");
    let kept = paged.lock().unwrap().variants(&ProductId(format!("gid://shopify/Product/{many}"))).unwrap();
    assert!(kept.len() > 12 && kept.last().unwrap().title.ends_with("EU 47"), "read past the first page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_read_that_fails_expires_or_finds_another_running_falls_back_or_says_so() {
    let sandbox = common::sandbox_with(|c| {
        c.products = 300;
        fast_bulk(c);
        // The fallback reads pages: a roomy bucket keeps the test short.
        c.bucket_size = 100_000.0;
        c.restore_rate = 50_000.0;
    })
    .await;
    let store = store(&sandbox);
    // Large enough that the app chooses a bulk read by itself.
    assert!(store.product_count(None).await.unwrap().unwrap() >= mediadesk::catalog::sync::BULK_FROM);
    let catalog = open(&scratch("bulk-faults"));
    for fault in [mediadesk::sandbox::state::BulkFault::Fail, mediadesk::sandbox::state::BulkFault::Expire] {
        sandbox.state().lock().unwrap().bulk_fault = Some(fault);
        let s = sync_with(&store, &catalog, Method::Auto).await.unwrap();
        assert_eq!((s.method, s.products), (Method::Paged, 304), "{fault:?}");
        let notice = s.notice.unwrap();
        assert!(notice.contains("page by page") && notice.contains("bulk read"), "{notice}");
    }
    // Another bulk operation of the app is running: forced, the sync says so; left to the app,
    // it reads pages.
    let (_, started) = common::gql(
        &sandbox,
        sandbox.token(),
        "mutation { bulkOperationRunQuery(query: \"{ files { edges { node { id } } } }\") { bulkOperation { id } } }",
        serde_json::json!({}),
    )
    .await;
    assert!(started["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"].is_string(), "{started}");
    sandbox.state().lock().unwrap().bulk.values_mut().for_each(|op| op.started += std::time::Duration::from_secs(3600));
    let forced = sync_with(&store, &catalog, Method::Bulk).await.unwrap_err().to_string();
    assert!(forced.contains("another bulk operation of this app is running"), "{forced}");
    assert_eq!(sync_with(&store, &catalog, Method::Auto).await.unwrap().method, Method::Paged);
    assert_eq!(catalog.lock().unwrap().counts().unwrap().products, 304);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_bulk_sync_keeps_the_catalog_and_frees_the_stores_bulk_slot() {
    let sandbox = common::sandbox_with(|c| {
        c.products = 40;
        c.bulk = mediadesk::sandbox::BulkTimings {
            start: std::time::Duration::from_millis(20),
            objects_per_second: 100.0,
            ..Default::default()
        };
    })
    .await;
    let store = store(&sandbox);
    let catalog = open(&scratch("bulk-cancel"));
    let cancel = Arc::new(AtomicBool::new(false));
    let stop = cancel.clone();
    let options = SyncOptions { full: true, method: Method::Bulk };
    let result = run_sync(
        store.clone(),
        catalog.clone(),
        options,
        move |p| {
            if p.done > 10 {
                stop.store(true, Ordering::Relaxed);
            }
        },
        cancel,
    )
    .await;
    assert!(matches!(result, Err(SyncError::Cancelled)), "{result:?}");
    assert_eq!(catalog.lock().unwrap().counts().unwrap().products, 0);
    let st = sandbox.state();
    let canceled = st.lock().unwrap().bulk.values().all(|op| op.canceled);
    assert!(canceled, "the store's job was cancelled, so the next bulk read is not refused");
}
