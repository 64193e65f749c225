//! The edit journal from the command line, against the sandbox over HTTP: every alt edit is
//! written down before it is sent; an outage keeps it queued; `resume` sends it in order and
//! never overwrites a text changed on the store meanwhile; `undo` in a new process puts the
//! store back; a journal from a newer mediadesk is refused with nothing lost.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use mediadesk::sandbox::Sandbox;
use serde_json::Value;

struct Run {
    code: i32,
    lines: Vec<Value>,
    stderr: String,
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mediadesk-journal-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn run(sandbox: &Sandbox, data: &Path, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"));
    cmd.args(["--store", "sandbox", "--endpoint", &sandbox.url(), "--data-dir", data.to_str().unwrap()]).args(args);
    cmd.env("MEDIADESK_TOKEN", sandbox.token());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        lines: stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"))).collect(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn alt_of(sandbox: &Sandbox, id: u64) -> String {
    sandbox.state().lock().unwrap().files[&id].alt.clone()
}

fn set_in_admin(sandbox: &Sandbox, id: u64, alt: &str) {
    sandbox.state().lock().unwrap().files.get_mut(&id).unwrap().alt = alt.into();
}

const PRODUCT: &str = "gid://shopify/Product/1";
const MEDIA: &str = "gid://shopify/MediaImage/37";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alt_edit_is_written_down_and_undone_by_a_later_process() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("undo");
    set_in_admin(&sb, 37, "Watch");
    let r = run(&sb, &data, &["alt", "set", PRODUCT, MEDIA, "Polaris watch, steel case"]).await;
    assert_eq!((r.code, r.lines[0]["saved"].as_bool()), (0, Some(true)), "{}", r.stderr);
    let id = r.lines[0]["journal"].as_i64().expect("the journal's number");
    assert_eq!(alt_of(&sb, 37), "Polaris watch, steel case");
    // The history says what, before and after, and that the store confirmed it.
    let h = run(&sb, &data, &["history"]).await;
    assert_eq!(h.lines.len(), 1);
    let e = &h.lines[0];
    assert_eq!((e["id"].as_i64(), e["state"].as_str()), (Some(id), Some("confirmed")));
    assert_eq!(
        (e["media"].as_str(), e["before"].as_str(), e["after"].as_str()),
        (Some(MEDIA), Some("Watch"), Some("Polaris watch, steel case"))
    );
    assert!(e["made_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(e["title"].as_str(), Some("Alt text of polaris.jpg"), "named by its file");
    // A new process (as after a restart) takes the last change back.
    let u = run(&sb, &data, &["undo"]).await;
    assert_eq!((u.code, u.lines[0]["saved"].as_bool()), (0, Some(true)), "{}", u.stderr);
    assert_eq!(alt_of(&sb, 37), "Watch");
    let h = run(&sb, &data, &["history", "--limit", "1"]).await;
    assert_eq!(h.lines.len(), 1);
    assert_eq!((h.lines[0]["undoes"].as_i64(), h.lines[0]["after"].as_str()), (Some(id), Some("Watch")));
    // Nothing left to undo; a confirmed change cannot be discarded.
    let again = run(&sb, &data, &["undo"]).await;
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("no confirmed change to undo"), "{}", again.stderr);
    let d = run(&sb, &data, &["discard", &id.to_string()]).await;
    assert_eq!((d.code, d.lines[0]["code"].as_str()), (1, Some("NOT_DISCARDED")));
    assert!(d.lines[0]["error"].as_str().unwrap().contains("use `mediadesk undo`"), "{}", d.lines[0]);
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_made_during_an_outage_waits_and_goes_out_on_resume() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("outage");
    set_in_admin(&sb, 37, "Watch");
    // The store's text is read first (what the change replaces), then the outage begins.
    sb.state().lock().unwrap().outage = true;
    let r = run(&sb, &data, &["alt", "set", PRODUCT, MEDIA, "Polaris watch on the wrist"]).await;
    // Without the store's text nothing is written down and nothing is sent.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(run(&sb, &data, &["pending"]).await.lines.is_empty());
    // The outage starts after the read: the edit is written down and kept.
    sb.state().lock().unwrap().outage = false;
    let queued = queued_edit(&sb, &data, "Polaris watch on the wrist").await;
    assert_eq!(queued["queued"].as_bool(), Some(true), "{queued}");
    assert_eq!(alt_of(&sb, 37), "Watch", "nothing reached the store");
    let p = run(&sb, &data, &["pending"]).await;
    assert_eq!(p.lines.len(), 1);
    assert_eq!(
        (p.lines[0]["state"].as_str(), p.lines[0]["after"].as_str()),
        (Some("pending"), Some("Polaris watch on the wrist"))
    );
    // A later edit of the same media replaces the unsent one: only the latest goes out.
    let later = queued_edit(&sb, &data, "Polaris watch on a wrist, steel").await;
    assert_eq!(later["queued"].as_bool(), Some(true));
    let p = run(&sb, &data, &["pending"]).await;
    assert_eq!(p.lines.len(), 1, "{:?}", p.lines);
    let r = run(&sb, &data, &["resume"]).await;
    assert_eq!((r.code, r.lines.len()), (0, 1), "{}", r.stderr);
    assert_eq!(r.lines[0]["saved"].as_bool(), Some(true));
    assert_eq!(alt_of(&sb, 37), "Polaris watch on a wrist, steel");
    assert!(run(&sb, &data, &["pending"]).await.lines.is_empty());
    let _ = std::fs::remove_dir_all(&data);
}

/// Make an alt edit whose send meets an outage: the store's text is read, the change written
/// down, and the store goes down before the write. Done through the library so the outage
/// lands between the two requests.
async fn queued_edit(sb: &Sandbox, data: &Path, alt: &str) -> Value {
    use mediadesk::journal::{Applied, Change, Journal, send};
    use mediadesk::model::{MediaId, ProductId, StoreRef};
    let journal = std::sync::Mutex::new(Journal::open(data, &StoreRef::Sandbox).unwrap());
    let base = alt_of(sb, 37);
    let id = journal
        .lock()
        .unwrap()
        .record(
            &ProductId(PRODUCT.into()),
            "Alt text",
            &Change::Alt { media: MediaId(MEDIA.into()), alt: alt.into(), base },
        )
        .unwrap();
    let entry = journal.lock().unwrap().entry(id).unwrap();
    sb.state().lock().unwrap().outage = true;
    let store = store(sb);
    let (applied, _) = send(&journal, store.as_ref(), &entry, false).await.unwrap();
    sb.state().lock().unwrap().outage = false;
    match applied {
        Applied::Queued { code, .. } => serde_json::json!({"queued": true, "code": code}),
        other => serde_json::json!({"queued": false, "other": format!("{other:?}")}),
    }
}

fn store(sb: &Sandbox) -> std::sync::Arc<dyn mediadesk::store::Store> {
    use mediadesk::store::shopify::{ShopifyStore, endpoint};
    let url =
        endpoint::graphql_url(&mediadesk::model::StoreRef::Sandbox, Some(&sb.url()), endpoint::DEFAULT_API_VERSION)
            .unwrap();
    std::sync::Arc::new(ShopifyStore::new(
        mediadesk::model::StoreRef::Sandbox,
        url,
        mediadesk::secrets::Secret::new(sb.token()),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_changed_on_the_store_meanwhile_is_shown_not_overwritten() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("conflict");
    set_in_admin(&sb, 37, "Watch");
    let queued = queued_edit(&sb, &data, "Polaris watch, steel case").await;
    assert_eq!(queued["queued"].as_bool(), Some(true), "{queued}");
    // Someone edits the same image in the Shopify admin before the edit goes out.
    set_in_admin(&sb, 37, "Steel watch from the admin");
    let r = run(&sb, &data, &["resume"]).await;
    assert_eq!(r.code, 1);
    let conflict = &r.lines[0]["conflict"];
    assert_eq!(
        (conflict["before"].as_str(), conflict["store"].as_str(), conflict["yours"].as_str()),
        (Some("Watch"), Some("Steel watch from the admin"), Some("Polaris watch, steel case")),
        "{}",
        r.lines[0]
    );
    assert!(r.stderr.contains("changed on the store since"), "{}", r.stderr);
    assert_eq!(alt_of(&sb, 37), "Steel watch from the admin", "not overwritten");
    let p = run(&sb, &data, &["pending"]).await;
    assert_eq!((p.lines.len(), p.lines[0]["code"].as_str()), (1, Some("CONFLICT")));
    // The merchant chooses theirs.
    let r = run(&sb, &data, &["resume", "--overwrite"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(alt_of(&sb, 37), "Polaris watch, steel case");
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_sent_before_a_crash_is_confirmed_on_resume_without_sending_it_again() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("crash");
    set_in_admin(&sb, 37, "Watch");
    // Written down and claimed (sent), then the process died before writing the answer; the
    // store did receive it.
    {
        use mediadesk::journal::{Change, Journal};
        use mediadesk::model::{MediaId, ProductId, StoreRef};
        let mut j = Journal::open(&data, &StoreRef::Sandbox).unwrap();
        let change = Change::Alt { media: MediaId(MEDIA.into()), alt: "Polaris watch".into(), base: "Watch".into() };
        let id = j.record(&ProductId(PRODUCT.into()), "Alt text", &change).unwrap();
        assert!(j.claim(id).unwrap());
    }
    set_in_admin(&sb, 37, "Polaris watch");
    let p = run(&sb, &data, &["pending"]).await;
    assert_eq!(p.lines[0]["state"].as_str(), Some("sent"));
    let r = run(&sb, &data, &["resume"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.lines[0]["already_there"].as_bool(), Some(true), "{}", r.lines[0]);
    assert!(run(&sb, &data, &["pending"]).await.lines.is_empty());
    // A change someone discards is never sent.
    let queued = queued_edit(&sb, &data, "Discarded text").await;
    assert_eq!(queued["queued"].as_bool(), Some(true));
    let id = run(&sb, &data, &["pending"]).await.lines[0]["id"].as_i64().unwrap();
    let d = run(&sb, &data, &["discard", &id.to_string()]).await;
    assert_eq!((d.code, d.lines[0]["discarded"].as_bool()), (0, Some(true)));
    let r = run(&sb, &data, &["resume"]).await;
    assert!(r.lines.is_empty());
    assert_eq!(alt_of(&sb, 37), "Polaris watch");
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_from_a_newer_mediadesk_stops_edits_with_a_clear_message() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("newer");
    set_in_admin(&sb, 37, "Watch");
    let path = mediadesk::journal::file_for(&data, &mediadesk::model::StoreRef::Sandbox);
    {
        let _ = mediadesk::journal::Journal::open_file(&path).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 9").unwrap();
    }
    let r = run(&sb, &data, &["alt", "set", PRODUCT, MEDIA, "Polaris watch"]).await;
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("written by a newer mediadesk (journal version 9)"), "{}", r.stderr);
    assert_eq!(alt_of(&sb, 37), "Watch", "nothing sent without the journal");
    assert!(path.exists(), "the newer journal is kept");
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_killed_half_way_is_finished_by_resume_with_nothing_reported_that_is_not_so() {
    let sb = common::sandbox_with(|c| {
        c.products = 120;
        c.bucket_size = 1e9;
        c.restore_rate = 1e9;
    })
    .await;
    // Slow writes (the texts go 250 of any products a write), so the kill lands between the
    // first write and the second.
    let (endpoint, _) =
        common::proxy(&sb, |body| body.contains("fileUpdate").then_some(std::time::Duration::from_millis(1500))).await;
    let data = scratch("kill");
    std::fs::create_dir_all(&data).unwrap();
    // 300 images across the store, each given a new text.
    let wanted: Vec<(u64, u64)> = {
        let st = sb.state();
        let st = st.lock().unwrap();
        st.products
            .values()
            .flat_map(|p| p.media.iter().map(move |m| (p.id, *m)))
            .filter(|(_, m)| st.files[m].kind == mediadesk::sandbox::state::FileKind::Image)
            .take(300)
            .collect()
    };
    assert_eq!(wanted.len(), 300);
    let file = data.join("alts.jsonl");
    let lines: Vec<String> = wanted
        .iter()
        .map(|(p, m)| {
            serde_json::json!({"product": format!("gid://shopify/Product/{p}"), "media": format!("gid://shopify/MediaImage/{m}"), "alt": format!("Batch text {m}")})
                .to_string()
        })
        .collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
        .args(["--store", "sandbox", "--endpoint", &endpoint, "--data-dir", data.to_str().unwrap()])
        .args(["alt", "set-many", file.to_str().unwrap()])
        .env("MEDIADESK_TOKEN", sb.token())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once some of the batch is confirmed and some is not.
    let journal_file = mediadesk::journal::file_for(&data, &mediadesk::model::StoreRef::Sandbox);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        assert!(std::time::Instant::now() < deadline, "the batch never got half-way");
        assert!(child.try_wait().unwrap().is_none(), "the batch finished before the kill");
        if journal_file.exists()
            && let Ok(j) = mediadesk::journal::Journal::open_file(&journal_file)
            && let Ok(h) = j.history(1000)
        {
            let confirmed = h.iter().filter(|e| e.state == mediadesk::journal::State::Confirmed).count();
            if h.len() == 300 && confirmed == 250 {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    // What the killed run reported as saved is on the store.
    for l in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        if v["saved"].as_bool() == Some(true) {
            let id: u64 = v["id"].as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap();
            assert_eq!(alt_of(&sb, id), format!("Batch text {id}"), "reported saved but not on the store");
        }
    }
    let pending = run(&sb, &data, &["pending"]).await;
    assert!(!pending.lines.is_empty(), "some of the batch was left unconfirmed");
    let r = run(&sb, &data, &["resume"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.lines.len(), pending.lines.len());
    // Every edit is on the store; nothing is left.
    for (_, m) in &wanted {
        assert_eq!(alt_of(&sb, *m), format!("Batch text {m}"));
    }
    assert!(run(&sb, &data, &["pending"]).await.lines.is_empty());
    let h = run(&sb, &data, &["history", "--limit", "1000"]).await;
    assert!(h.lines.iter().all(|e| e["state"] == "confirmed"), "every change confirmed");
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorder_is_journaled_undone_and_never_overwrites_an_order_changed_on_the_store() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("reorder");
    let order_of = |sb: &Sandbox| sb.state().lock().unwrap().products[&1].media.clone();
    let before = order_of(&sb);
    assert!(before.len() >= 3);
    let gid = |id: u64| {
        let kind = sb.state().lock().unwrap().files[&id].kind;
        mediadesk::sandbox::state::gid(kind.type_name(), id)
    };
    let mut reversed = before.clone();
    reversed.reverse();
    let mut args = vec!["reorder".to_string(), PRODUCT.to_string()];
    args.extend(reversed.iter().map(|m| gid(*m)));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&sb, &data, &argv).await;
    assert_eq!((r.code, r.lines[0]["saved"].as_bool()), (0, Some(true)), "{}", r.stderr);
    assert_eq!(order_of(&sb), reversed);
    let h = run(&sb, &data, &["history", "--limit", "1"]).await;
    assert_eq!(h.lines[0]["kind"], "reorder");
    assert_eq!(h.lines[0]["before"].as_array().unwrap().len(), before.len());
    // Undone by a later process: the store's order is back.
    let u = run(&sb, &data, &["undo"]).await;
    assert_eq!(u.code, 0, "{}", u.stderr);
    assert_eq!(order_of(&sb), before);

    // A reorder that did not reach the store, and someone reorders in the admin meanwhile.
    {
        use mediadesk::journal::{Applied, Change, Journal, send};
        use mediadesk::model::{MediaId, ProductId, StoreRef};
        let journal = std::sync::Mutex::new(Journal::open(&data, &StoreRef::Sandbox).unwrap());
        let ids = |o: &[u64]| o.iter().map(|m| MediaId(gid(*m))).collect::<Vec<_>>();
        let change = Change::Reorder { order: ids(&reversed), base: ids(&before) };
        let id = journal.lock().unwrap().record(&ProductId(PRODUCT.into()), "New order", &change).unwrap();
        let entry = journal.lock().unwrap().entry(id).unwrap();
        sb.state().lock().unwrap().outage = true;
        let (applied, _) = send(&journal, store(&sb).as_ref(), &entry, false).await.unwrap();
        sb.state().lock().unwrap().outage = false;
        assert!(matches!(applied, Applied::Queued { .. }), "{applied:?}");
    }
    let mut admin = before.clone();
    admin.rotate_left(1);
    sb.state().lock().unwrap().products.get_mut(&1).unwrap().media = admin.clone();
    let r = run(&sb, &data, &["resume"]).await;
    assert_eq!((r.code, r.lines[0]["code"].as_str()), (1, Some("CONFLICT")), "{:?}", r.lines);
    assert_eq!(order_of(&sb), admin, "not overwritten");
    let r = run(&sb, &data, &["resume", "--overwrite"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(order_of(&sb), reversed);
    let _ = std::fs::remove_dir_all(&data);
}

/// Ten photos of about 100 KB each (noise does not compress), named `shot-N.png`.
fn ten_photos(dir: &Path) -> Vec<PathBuf> {
    (0..10u32)
        .map(|n| {
            let img = image::RgbImage::from_fn(180, 180, |x, y| {
                let v = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ n.wrapping_mul(2_654_435_761))
                    .wrapping_mul(2_246_822_519);
                image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
            });
            let path = dir.join(format!("shot-{n}.png"));
            img.save(&path).unwrap();
            path
        })
        .collect()
}

/// The product's media as (file name, size), sorted.
fn files_on(sb: &Sandbox, product: u64) -> Vec<(String, u64)> {
    let st = sb.state();
    let st = st.lock().unwrap();
    let mut out: Vec<(String, u64)> =
        st.products[&product].media.iter().map(|m| (st.files[m].filename.clone(), st.files[m].size)).collect();
    out.sort();
    out
}

/// Start `mediadesk upload` of `photos` to `product`, kill it (SIGKILL) once `ready` says so,
/// and return what the killed run printed on stdout.
async fn upload_killed_when(
    sb: &Sandbox,
    data: &Path,
    product: u64,
    photos: &[PathBuf],
    ready: impl Fn() -> bool,
) -> String {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"))
        .args(["--store", "sandbox", "--endpoint", &sb.url(), "--data-dir", data.to_str().unwrap()])
        .args(["upload".to_string(), format!("gid://shopify/Product/{product}")])
        .args(photos)
        .env("MEDIADESK_TOKEN", sb.token())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !ready() {
        assert!(std::time::Instant::now() < deadline, "the upload never got there");
        assert!(child.try_wait().unwrap().is_none(), "the upload finished before the kill");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
}

/// The sandbox's "Polaris Watch Strap" and "Draft" products.
const STRAP: u64 = 10_079_786_124;
const DRAFT: u64 = 108_828_309;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_killed_half_way_is_finished_by_resume_and_no_file_is_attached_twice() {
    // A slow link, so the kill lands while the files are on their way; slow processing, so the
    // second kill lands after the attach and before the run writes down that it is done.
    let sb = common::sandbox_with(|c| {
        c.faults.latency = std::time::Duration::from_millis(30);
        c.faults.bandwidth = Some(400_000);
        c.timings.to_processing = std::time::Duration::from_millis(500);
        c.timings.to_done = std::time::Duration::from_secs(30);
    })
    .await;
    let data = scratch("upload-kill");
    std::fs::create_dir_all(&data).unwrap();
    let photos = ten_photos(&data);
    let journal_file = mediadesk::journal::file_for(&data, &mediadesk::model::StoreRef::Sandbox);
    let written = || {
        mediadesk::journal::Journal::open_file(&journal_file)
            .and_then(|j| j.unconfirmed())
            .is_ok_and(|u| u.len() == 10 && u.iter().all(|e| e.state == mediadesk::journal::State::Sent))
    };
    let ours = |sb: &Sandbox, product: u64| {
        files_on(sb, product).into_iter().filter(|(name, _)| name.starts_with("shot-")).collect::<Vec<_>>()
    };
    let expected: Vec<(String, u64)> = {
        let mut e: Vec<(String, u64)> = photos
            .iter()
            .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::metadata(p).unwrap().len()))
            .collect();
        e.sort();
        e
    };

    // 1. Killed while the files are being sent: nothing is attached yet.
    let arrived = || sb.state().lock().unwrap().staged.values().filter(|s| s.bytes.is_some()).count();
    let out = upload_killed_when(&sb, &data, 1, &photos, || written() && (1..10).contains(&arrived())).await;
    assert!(out.lines().all(|l| !l.contains("\"status\"")), "nothing reported done: {out}");
    assert!(ours(&sb, 1).is_empty(), "killed before the attach");

    // 2. Killed after the attach, while the run waits for processing: the files are on the
    //    product, the journal does not know it.
    let before_2 = files_on(&sb, STRAP).len();
    let out = upload_killed_when(&sb, &data, STRAP, &photos, || files_on(&sb, STRAP).len() == before_2 + 10).await;
    assert!(out.is_empty(), "nothing reported done before the end: {out}");
    assert_eq!(ours(&sb, STRAP), expected);

    // `resume` finishes both: product 1 gets every file, product 2 none again.
    let pending = run(&sb, &data, &["pending"]).await;
    assert_eq!(pending.lines.len(), 20, "{:?}", pending.lines);
    assert!(pending.lines.iter().all(|l| l["kind"] == "upload" && l["size"].as_u64().unwrap() > 50_000));
    // Processing finishes at once from here on (the files are checked, not the wait).
    let state = sb.state();
    let hurry = tokio::spawn(async move {
        loop {
            for f in state.lock().unwrap().files.values_mut() {
                if let Some(p) = f.pending.as_mut() {
                    let now = std::time::Instant::now();
                    (p.processing_at, p.done_at) = (now, now);
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    let r = run(&sb, &data, &["resume"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.lines.len(), 20);
    let already: Vec<&Value> = r.lines.iter().filter(|l| l["already_there"] == true).collect();
    assert_eq!(already.len(), 10, "the attached ones are found, not sent again: {:?}", r.lines);
    assert!(already.iter().all(|l| l["product"] == format!("gid://shopify/Product/{STRAP}")));
    assert!(r.lines.iter().all(|l| l["uploaded"] == true), "{:?}", r.lines);
    assert_eq!(ours(&sb, 1), expected, "each file on product 1 once");
    assert_eq!(ours(&sb, STRAP), expected, "each file on the strap once");
    assert!(run(&sb, &data, &["pending"]).await.lines.is_empty());

    // A file changed on disk since it was dropped is not sent in its place.
    let one_written = || {
        mediadesk::journal::Journal::open_file(&journal_file)
            .and_then(|j| j.unconfirmed())
            .is_ok_and(|u| u.len() == 1 && u[0].state == mediadesk::journal::State::Sent)
    };
    let out = upload_killed_when(&sb, &data, DRAFT, &photos[..1], one_written).await;
    assert!(out.is_empty());
    std::fs::write(&photos[0], b"not the photo any more").unwrap();
    let r = run(&sb, &data, &["resume"]).await;
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0]["code"], "FILE_CHANGED", "{:?}", r.lines);
    assert!(ours(&sb, DRAFT).is_empty());
    hurry.abort();
    let _ = std::fs::remove_dir_all(&data);
}

fn name_of(sb: &Sandbox, id: u64) -> String {
    sb.state().lock().unwrap().files[&id].filename.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rename_is_journaled_undone_later_and_never_overwrites_a_name_changed_on_the_store() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("rename");
    assert_eq!(name_of(&sb, 37), "polaris.jpg");
    // The extension is kept, and written down with it.
    let r = run(&sb, &data, &["rename", MEDIA, "polaris-front"]).await;
    assert_eq!((r.code, r.lines[0]["renamed"].as_bool()), (0, Some(true)), "{}", r.stderr);
    assert_eq!(name_of(&sb, 37), "polaris-front.jpg");
    let h = run(&sb, &data, &["history", "--limit", "1"]).await;
    let e = &h.lines[0];
    assert_eq!((e["kind"].as_str(), e["state"].as_str()), (Some("rename"), Some("confirmed")));
    assert_eq!((e["before"].as_str(), e["after"].as_str()), (Some("polaris.jpg"), Some("polaris-front.jpg")));
    // Undone by a later process.
    let u = run(&sb, &data, &["undo"]).await;
    assert_eq!(u.code, 0, "{}", u.stderr);
    assert_eq!(name_of(&sb, 37), "polaris.jpg");

    // A rename written down and not sent (the run was killed), then renamed in the admin:
    // resume shows both and keeps the store's until --overwrite.
    {
        use mediadesk::journal::{Change, Journal};
        use mediadesk::model::{MediaId, ProductId, StoreRef};
        let mut j = Journal::open(&data, &StoreRef::Sandbox).unwrap();
        let change = Change::Rename {
            media: MediaId(MEDIA.into()),
            filename: "polaris-side.jpg".into(),
            base: Some("polaris.jpg".into()),
        };
        j.record(&ProductId(String::new()), "Name of polaris.jpg", &change).unwrap();
    }
    sb.state().lock().unwrap().files.get_mut(&37).unwrap().filename = "renamed-in-admin.jpg".into();
    // Any write says what is left before it goes on.
    let other = run(&sb, &data, &["alt", "set", PRODUCT, MEDIA, "Polaris watch"]).await;
    assert_eq!(other.code, 0, "{}", other.stderr);
    assert!(
        other.stderr.contains("1 earlier change was not confirmed by the store: `mediadesk pending` lists it"),
        "{}",
        other.stderr
    );
    let r = run(&sb, &data, &["resume"]).await;
    assert_eq!((r.code, r.lines[0]["code"].as_str()), (1, Some("CONFLICT")), "{:?}", r.lines);
    assert_eq!(r.lines[0]["conflict"]["store"], "renamed-in-admin.jpg");
    assert!(r.stderr.contains("the file name was changed on the store since"), "{}", r.stderr);
    assert_eq!(name_of(&sb, 37), "renamed-in-admin.jpg", "not overwritten");
    let r = run(&sb, &data, &["resume", "--overwrite"]).await;
    assert_eq!((r.code, r.lines[0]["renamed"].as_bool()), (0, Some(true)), "{:?}", r.lines);
    assert_eq!(name_of(&sb, 37), "polaris-side.jpg");
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ecwid_set_media_is_journaled_and_a_killed_one_is_sent_again_by_resume() {
    use mediadesk::journal::{Change, Journal, State};
    use mediadesk::model::{ProductId, StoreRef};
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("set-media");
    let run_ecwid = |args: &[&str]| common::run_ecwid(&sb, &data, args);
    let gallery_len = |sb: &Sandbox| sb.state().lock().unwrap().products[&1].media.len();
    let good = format!("{}/cdn/shop/files/37/polaris.jpg?v=1", sb.url());
    let (code, lines, stderr) = tokio::task::block_in_place(|| {
        run_ecwid(&["set-media", "1", "--gallery", &good, "https://example.com/gone.jpg"])
    });
    assert_eq!(code, 1, "{stderr}");
    let id = lines[0]["journal"].as_i64().expect("the journal's number on each line");
    assert_eq!(lines[1]["code"], "DOWNLOAD_IMAGE_FAILED");
    let j = Journal::open(&data, &StoreRef::Ecwid { store_id: "1003".into() }).unwrap();
    let e = j.entry(id).unwrap();
    assert_eq!(e.state, State::Failed, "one URL failed: the change failed, with the store's words");
    assert!(e.error.unwrap().1.contains("https://example.com/gone.jpg"));
    // Written down, then the run was killed before sending: resume sends it as it is.
    let mut j = j;
    let after_first = gallery_len(&sb);
    let change = Change::SetMedia { main: None, gallery: Some(vec![good.clone(), good.clone()]) };
    j.record(&ProductId("1".into()), "Media of the product from URLs", &change).unwrap();
    let (code, lines, stderr) = tokio::task::block_in_place(|| run_ecwid(&["resume"]));
    assert_eq!((code, lines[0]["saved"].as_bool()), (0, Some(true)), "{stderr}{lines:?}");
    // The main image and the videos stay; the gallery of one image became two.
    assert_eq!(gallery_len(&sb), after_first + 1);
    let (_, pending, _) = tokio::task::block_in_place(|| run_ecwid(&["pending"]));
    assert!(pending.is_empty(), "{pending:?}");
    let _ = std::fs::remove_dir_all(&data);
}
