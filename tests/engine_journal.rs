//! The window's alt edits go through the edit journal: written down before they are sent; one
//! the store did not answer is kept, offered by the next app on the same store ("1 change was
//! not confirmed"), and sent by Resume without overwriting what changed on the store meanwhile.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::wait_for;
use mediadesk::engine::{Command, Engine, Event, Folders, JobState, UnconfirmedChange};
use mediadesk::journal::{Change, Journal, State};
use mediadesk::model::{MediaId, ProductId, StoreRef};
use mediadesk::sandbox::{Sandbox, SandboxConfig};
use mediadesk::secrets::Secret;
use mediadesk::store::credentials::Credentials;

const SHOP: &str = "acme";
/// The save's job title in the strip.
const SAVING: &str = "Saving the alt text of polaris.jpg";

/// An app on `data`, connected to the sandbox as a Shopify shop, with the unconfirmed changes
/// it announced on the way (before `Connected`, so the window can ask at once).
fn app(sandbox: &Sandbox, data: &std::path::Path) -> (Engine, Vec<UnconfirmedChange>) {
    let folders = Folders { cache: None, data: Some(data.to_path_buf()) };
    let engine = Engine::start(None, folders, || {}).expect("the engine starts");
    engine.send(Command::Connect {
        store: StoreRef::Shopify { shop: SHOP.into() },
        endpoint: Some(sandbox.url()),
        credentials: Credentials::Token(Secret::new(sandbox.token())),
        save: false,
    });
    let mut unconfirmed = Vec::new();
    wait_for(&engine, "the shop", |e| match e {
        Event::Unconfirmed(c) => {
            unconfirmed = c;
            None
        }
        Event::Connected { .. } => Some(()),
        Event::ConnectFailed(m) => panic!("{m}"),
        _ => None,
    });
    (engine, unconfirmed)
}

fn save(engine: &Engine, alt: &str, previous: &str) {
    engine.send(Command::SaveAlt {
        product: ProductId("gid://shopify/Product/1".into()),
        media: MediaId("gid://shopify/MediaImage/37".into()),
        alt: alt.into(),
        previous: previous.into(),
        title: SAVING.into(),
    });
}

fn alt_of(sandbox: &Sandbox) -> String {
    sandbox.state().lock().unwrap().files[&37].alt.clone()
}

#[test]
fn an_edit_the_store_did_not_answer_is_offered_after_a_restart_and_resumed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt.block_on(Sandbox::start(SandboxConfig::default())).unwrap();
    let data = std::env::temp_dir().join(format!("mediadesk-engine-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    sandbox.state().lock().unwrap().files.get_mut(&37).unwrap().alt = "Watch".into();

    let (engine, none) = app(&sandbox, &data);
    assert!(none.is_empty());
    // Saved normally: written down and confirmed.
    save(&engine, "Polaris watch", "Watch");
    let saved = wait_for(&engine, "the save", |e| match e {
        Event::AltSaved { alt, .. } => Some(alt),
        _ => None,
    });
    assert_eq!(saved, "Polaris watch");
    assert_eq!(alt_of(&sandbox), "Polaris watch");
    let journal_file = mediadesk::journal::file_for(&data, &StoreRef::Shopify { shop: SHOP.into() });
    let history = Journal::open_file(&journal_file).unwrap().history(5).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].state, State::Confirmed);
    assert_eq!(
        history[0].change,
        Change::Alt {
            media: MediaId("gid://shopify/MediaImage/37".into()),
            alt: "Polaris watch".into(),
            base: "Watch".into()
        }
    );

    // The store goes down: the edit is kept, not lost, and the window says it waits; the app
    // closes before the store answers again.
    sandbox.state().lock().unwrap().outage = true;
    save(&engine, "Polaris watch, steel case", "Polaris watch");
    let waits = wait_for(&engine, "the edit waiting", |e| match e {
        Event::AltWaiting { alt, .. } => Some(alt),
        _ => None,
    });
    assert_eq!(waits, "Polaris watch, steel case");
    drop(engine);
    sandbox.state().lock().unwrap().outage = false;
    assert_eq!(alt_of(&sandbox), "Polaris watch", "nothing reached the store");

    // A new app on the same store asks about it.
    let (engine, changes) = app(&sandbox, &data);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].after, "Polaris watch, steel case");
    assert!(changes[0].why.is_some(), "why it was not confirmed");
    engine.send(Command::ResumeChanges { only: None, overwrite: false });
    wait_for(&engine, "the resume", |e| match e {
        Event::Activity { title, state: JobState::Done, .. } if title.starts_with("Resuming: ") => Some(()),
        Event::Activity { title, state: JobState::Failed { message, .. }, .. } if title.starts_with("Resuming: ") => {
            panic!("{title}: {message}")
        }
        _ => None,
    });
    assert_eq!(alt_of(&sandbox), "Polaris watch, steel case");
    let after = wait_for(&engine, "the list cleared", |e| match e {
        Event::Unconfirmed(c) => Some(c),
        _ => None,
    });
    assert!(after.is_empty());

    // Another edit is left unconfirmed, and someone changes the text in the admin meanwhile:
    // Resume shows both and overwrites nothing; Retry sends ours.
    sandbox.state().lock().unwrap().outage = true;
    save(&engine, "Polaris watch on a wrist", "Polaris watch, steel case");
    wait_for(&engine, "the edit waiting", |e| matches!(e, Event::AltWaiting { .. }).then_some(()));
    drop(engine);
    sandbox.state().lock().unwrap().outage = false;
    sandbox.state().lock().unwrap().files.get_mut(&37).unwrap().alt = "Edited in the admin".into();
    let (engine, asked) = app(&sandbox, &data);
    assert_eq!(asked.len(), 1);
    engine.send(Command::ResumeChanges { only: None, overwrite: false });
    let (message, retry) = {
        let message = wait_for(&engine, "the conflict", |e| match e {
            Event::Activity { title, state: JobState::Failed { message, .. }, .. }
                if title.starts_with("Resuming: ") =>
            {
                Some(message)
            }
            _ => None,
        });
        let retry = wait_for(&engine, "the retry", |e| match e {
            Event::Retry { command, .. } => Some(*command),
            _ => None,
        });
        (message, retry)
    };
    assert!(
        message.contains("changed on the store since (now \u{201c}Edited in the admin\u{201d}; yours \u{201c}Polaris watch on a wrist\u{201d})"),
        "{message}"
    );
    assert_eq!(alt_of(&sandbox), "Edited in the admin", "not overwritten");
    assert!(matches!(retry, Command::ResumeChanges { only: Some(_), overwrite: true }), "{retry:?}");
    engine.send(retry);
    wait_for(&engine, "ours sent", |e| match e {
        Event::Activity { title, state: JobState::Done, .. } if title.starts_with("Resuming: ") => Some(()),
        _ => None,
    });
    assert_eq!(alt_of(&sandbox), "Polaris watch on a wrist");
    drop(engine);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn discarding_the_unconfirmed_changes_sends_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt.block_on(Sandbox::start(SandboxConfig::default())).unwrap();
    let data = std::env::temp_dir().join(format!("mediadesk-engine-journal-discard-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let before = alt_of(&sandbox);
    let (engine, _) = app(&sandbox, &data);
    sandbox.state().lock().unwrap().outage = true;
    save(&engine, "Never sent", &before);
    wait_for(&engine, "the edit waiting", |e| matches!(e, Event::AltWaiting { .. }).then_some(()));
    drop(engine);
    sandbox.state().lock().unwrap().outage = false;
    let (engine, asked) = app(&sandbox, &data);
    assert_eq!(asked.len(), 1);
    engine.send(Command::DiscardChanges { only: None });
    let done = wait_for(&engine, "the discard", |e| match e {
        Event::Activity { title, state: JobState::Done, .. } if !title.contains("atalog") => Some(title),
        _ => None,
    });
    assert_eq!(done, "Discarded 1 unconfirmed change");
    wait_for(&engine, "the list cleared", |e| match e {
        Event::Unconfirmed(c) if c.is_empty() => Some(()),
        _ => None,
    });
    assert_eq!(alt_of(&sandbox), before);
    drop(engine);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn ctrl_z_after_a_restart_undoes_the_last_confirmed_change_and_an_undo_is_not_undone_again() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt.block_on(Sandbox::start(SandboxConfig::default())).unwrap();
    let data = std::env::temp_dir().join(format!("mediadesk-engine-journal-undo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    sandbox.state().lock().unwrap().files.get_mut(&37).unwrap().alt = "Watch".into();
    let (engine, _) = app(&sandbox, &data);
    save(&engine, "Polaris watch", "Watch");
    wait_for(&engine, "the save", |e| matches!(e, Event::AltSaved { .. }).then_some(()));
    save(&engine, "Polaris watch, steel", "Polaris watch");
    wait_for(&engine, "the second save", |e| matches!(e, Event::AltSaved { .. }).then_some(()));
    // Undone in this session (the window's own undo): written down as the undo of the second.
    engine.send(Command::UndoAlt {
        product: ProductId("gid://shopify/Product/1".into()),
        media: MediaId("gid://shopify/MediaImage/37".into()),
        alt: "Polaris watch".into(),
        previous: "Polaris watch, steel".into(),
        title: format!("Undo: {SAVING}"),
    });
    wait_for(&engine, "the undo", |e| matches!(e, Event::AltSaved { .. }).then_some(()));
    assert_eq!(alt_of(&sandbox), "Polaris watch");
    drop(engine);

    // After a restart, Ctrl+Z (no undo of the window's own left) takes back the first edit,
    // not the undone second one.
    let (engine, _) = app(&sandbox, &data);
    engine.send(Command::UndoLast);
    let done = wait_for(&engine, "the undo", |e| match e {
        // Not the catalog's sync, which runs beside it.
        Event::Activity { title, state: JobState::Done, .. } if !title.contains("atalog") => Some(title),
        Event::Activity { title, state: JobState::Failed { message, .. }, .. } if !title.contains("atalog") => {
            panic!("{title}: {message}")
        }
        _ => None,
    });
    assert_eq!(done, format!("Undo: {SAVING}"));
    assert_eq!(alt_of(&sandbox), "Watch");
    engine.send(Command::UndoLast);
    let nothing = wait_for(&engine, "nothing left", |e| match e {
        Event::Activity { title, state: JobState::Done, .. } if !title.contains("atalog") => Some(title),
        _ => None,
    });
    assert_eq!(nothing, "Nothing left to undo");
    assert_eq!(alt_of(&sandbox), "Watch");
    drop(engine);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn edits_made_while_the_store_is_down_wait_and_go_out_in_order_when_it_answers() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt.block_on(Sandbox::start(SandboxConfig::default())).unwrap();
    let data = std::env::temp_dir().join(format!("mediadesk-engine-journal-queue-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    // Another image, on another product.
    let (other_product, other) = {
        let st = sandbox.state();
        let st = st.lock().unwrap();
        let p = st.products.values().find(|p| p.id != 1 && !p.media.is_empty()).unwrap();
        let m = *p.media.iter().find(|m| st.files[m].kind == mediadesk::sandbox::state::FileKind::Image).unwrap();
        (p.id, m)
    };
    let (engine, _) = app(&sandbox, &data);
    sandbox.state().lock().unwrap().outage = true;
    save(&engine, "Polaris watch, first", &alt_of(&sandbox));
    let mut waiting = Vec::new();
    let mut strip = Vec::new();
    let watch = |e: Event, waiting: &mut Vec<MediaId>, strip: &mut Vec<String>| match e {
        Event::AltWaiting { media, .. } => waiting.push(media),
        Event::Activity { title, state: JobState::Running(None), .. } if title.starts_with("Waiting for the store") => {
            strip.push(title)
        }
        _ => {}
    };
    wait_for(&engine, "the first waiting", |e| {
        watch(e, &mut waiting, &mut strip);
        (waiting.len() == 1).then_some(())
    });
    // Made second, while the first still waits.
    engine.send(Command::SaveAlt {
        product: ProductId(format!("gid://shopify/Product/{other_product}")),
        media: MediaId(format!("gid://shopify/MediaImage/{other}")),
        alt: "Second edit".into(),
        previous: sandbox.state().lock().unwrap().files[&other].alt.clone(),
        title: "Saving the alt text of the second image".into(),
    });
    wait_for(&engine, "both waiting", |e| {
        watch(e, &mut waiting, &mut strip);
        (waiting.len() == 2 && strip.len() == 2).then_some(())
    });
    assert_eq!(
        strip,
        [
            format!("Waiting for the store to answer: {SAVING}"),
            "Waiting for the store to answer: Saving the alt text of the second image".to_string()
        ]
    );
    assert_eq!(alt_of(&sandbox), "Man wearing Polaris watch.", "nothing sent during the outage");
    // The store answers again: both go out by themselves, in the order they were made.
    sandbox.state().lock().unwrap().outage = false;
    let mut saved = Vec::new();
    wait_for(&engine, "both sent", |e| {
        if let Event::AltSaved { media, .. } = e {
            saved.push(media);
        }
        (saved.len() == 2).then_some(())
    });
    assert_eq!(saved, waiting, "in the order they were made");
    assert_eq!(alt_of(&sandbox), "Polaris watch, first");
    assert_eq!(sandbox.state().lock().unwrap().files[&other].alt, "Second edit");
    drop(engine);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_removal_is_journaled_and_put_back_where_it_was_after_a_restart() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt.block_on(Sandbox::start(SandboxConfig::default())).unwrap();
    let data = std::env::temp_dir().join(format!("mediadesk-engine-journal-remove-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let before = sandbox.state().lock().unwrap().products[&1].media.clone();
    let gid = |id: u64| MediaId(sandbox_gid(&sandbox, id));
    let order: Vec<MediaId> = before.iter().map(|m| gid(*m)).collect();
    let second = before[1];
    let (engine, _) = app(&sandbox, &data);
    engine.send(Command::Remove {
        product: ProductId("gid://shopify/Product/1".into()),
        media: vec![gid(second)],
        order: order.clone(),
    });
    let done = wait_for(&engine, "the removal", |e| match e {
        // Not the catalog's sync, which runs beside it.
        Event::Activity { title, state: JobState::Done, .. } if !title.contains("atalog") => Some(title),
        Event::Activity { title, state: JobState::Failed { message, .. }, .. } if !title.contains("atalog") => {
            panic!("{title}: {message}")
        }
        _ => None,
    });
    assert_eq!(done, "Removing 1 media from the product");
    assert!(!sandbox.state().lock().unwrap().products[&1].media.contains(&second));
    drop(engine);
    let (engine, _) = app(&sandbox, &data);
    engine.send(Command::UndoLast);
    let undone = wait_for(&engine, "the undo", |e| match e {
        // Not the catalog's sync, which runs beside it.
        Event::Activity { title, state: JobState::Done, .. } if !title.contains("atalog") => Some(title),
        Event::Activity { title, state: JobState::Failed { message, .. }, .. } if !title.contains("atalog") => {
            panic!("{title}: {message}")
        }
        _ => None,
    });
    assert_eq!(undone, "Undo: Removing 1 media from the product");
    assert_eq!(sandbox.state().lock().unwrap().products[&1].media, before, "back where it was");
    drop(engine);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_reorder_and_a_removal_undone_in_the_session_are_not_offered_again_after_a_restart() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt.block_on(Sandbox::start(SandboxConfig::default())).unwrap();
    let data = std::env::temp_dir().join(format!("mediadesk-engine-journal-session-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let before = sandbox.state().lock().unwrap().products[&1].media.clone();
    let gid = |id: u64| MediaId(sandbox_gid(&sandbox, id));
    let product = ProductId("gid://shopify/Product/1".into());
    let order: Vec<MediaId> = before.iter().map(|m| gid(*m)).collect();
    let mut reversed = order.clone();
    reversed.reverse();
    let done = |engine: &Engine, what: &str| {
        wait_for(engine, what, |e| match e {
            Event::Activity { title, state: JobState::Done, .. } if !title.contains("atalog") => Some(title),
            Event::Activity { title, state: JobState::Failed { message, .. }, .. } if !title.contains("atalog") => {
                panic!("{title}: {message}")
            }
            _ => None,
        })
    };
    let (engine, _) = app(&sandbox, &data);
    let title = "Saving the new order".to_string();
    engine.send(Command::Reorder { product: product.clone(), order: reversed.clone(), previous: order.clone(), title });
    done(&engine, "the reorder");
    // The window's own undo of it.
    let title = "Undo: Saving the new order".to_string();
    engine.send(Command::UndoReorder { product: product.clone(), order: order.clone(), previous: reversed, title });
    done(&engine, "the undo of the reorder");
    let removed = vec![order[1].clone()];
    engine.send(Command::Remove { product: product.clone(), media: removed.clone(), order: order.clone() });
    done(&engine, "the removal");
    engine.send(Command::Reattach { product: product.clone(), media: removed, order: order.clone() });
    done(&engine, "the put-back");
    assert_eq!(sandbox.state().lock().unwrap().products[&1].media, before);
    drop(engine);
    // Everything was undone already: nothing is redone after a restart.
    let (engine, _) = app(&sandbox, &data);
    engine.send(Command::UndoLast);
    assert_eq!(done(&engine, "the answer"), "Nothing left to undo");
    assert_eq!(sandbox.state().lock().unwrap().products[&1].media, before);
    drop(engine);
    let _ = std::fs::remove_dir_all(&data);
}

/// The GID the sandbox gives one of its files (its type follows the file's kind).
fn sandbox_gid(sandbox: &Sandbox, id: u64) -> String {
    let kind = sandbox.state().lock().unwrap().files[&id].kind;
    mediadesk::sandbox::state::gid(kind.type_name(), id)
}

#[test]
fn an_upload_cut_off_by_an_outage_waits_and_goes_out_once_when_the_store_answers() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A slow link, so the outage begins while the files are on their way.
    let sandbox = rt
        .block_on(Sandbox::start(SandboxConfig {
            faults: mediadesk::sandbox::Faults { bandwidth: Some(150_000), ..Default::default() },
            ..SandboxConfig::default()
        }))
        .unwrap();
    let data = std::env::temp_dir().join(format!("mediadesk-engine-journal-upload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let paths: Vec<std::path::PathBuf> = (0..3u32)
        .map(|n| {
            let img = image::RgbImage::from_fn(160, 160, |x, y| {
                let v =
                    (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ n.wrapping_mul(977)).wrapping_mul(2_246_822_519);
                image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
            });
            let path = data.join(format!("strap-{n}.png"));
            img.save(&path).unwrap();
            path
        })
        .collect();
    let on_product = || {
        let st = sandbox.state();
        let st = st.lock().unwrap();
        let mut names: Vec<String> = st.products[&1]
            .media
            .iter()
            .map(|m| st.files[m].filename.clone())
            .filter(|n| n.starts_with("strap-"))
            .collect();
        names.sort();
        names
    };
    let (engine, _) = app(&sandbox, &data);
    let product = ProductId("gid://shopify/Product/1".into());
    engine.send(Command::Upload { product, paths: paths.clone(), batch: 7, replace_failed: vec![] });
    // The store goes down once the files are written down and on their way.
    let file = mediadesk::journal::file_for(&data, &StoreRef::Shopify { shop: SHOP.into() });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        assert!(std::time::Instant::now() < deadline, "the upload never started");
        let sent = Journal::open_file(&file).and_then(|j| j.unconfirmed()).map(|u| u.len()).unwrap_or(0);
        if sent == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    sandbox.state().lock().unwrap().outage = true;
    // Every file says it waits; the strip says so too; nothing is on the product.
    let mut waiting = 0;
    wait_for(&engine, "the files waiting", |e| match e {
        Event::Upload { batch: 7, state: mediadesk::engine::UploadState::Waiting, .. } => {
            waiting += 1;
            (waiting == 3).then_some(())
        }
        Event::Upload { state: mediadesk::engine::UploadState::Failed(why), .. } => panic!("failed: {why}"),
        _ => None,
    });
    assert!(on_product().is_empty());
    let j = Journal::open_file(&file).unwrap();
    let kept = j.unconfirmed().unwrap();
    assert_eq!(kept.len(), 3);
    assert!(kept.iter().all(|e| e.state == State::Pending && matches!(e.change, Change::Upload { .. })));
    // The store answers again: the probe sends them, each once.
    sandbox.state().lock().unwrap().outage = false;
    wait_for(&engine, "the files sent", |e| match e {
        Event::Activity { title, state: JobState::Done, .. } if title.starts_with("Upload of strap-") => {
            (on_product().len() == 3).then_some(())
        }
        _ => None,
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(on_product(), ["strap-0.png", "strap-1.png", "strap-2.png"]);
    assert!(Journal::open_file(&file).unwrap().unconfirmed().unwrap().is_empty());
    drop(engine);
    let _ = std::fs::remove_dir_all(&data);
}
