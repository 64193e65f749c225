//! The window on the local catalog: it fills on connect with progress in the activity strip,
//! says when it was synced, answers the product list at once and lets the store's answer
//! correct it, and opens on the catalog when the store cannot be reached.
//! (Its own test binary: keyring's mock store is set for the whole process.)
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use mediadesk::engine::Folders;
use mediadesk::model::{ProductId, StoreRef};
use mediadesk::sandbox::{Sandbox, SandboxConfig};
use mediadesk::ui::{MediadeskApp, Persisted};

fn step_until(
    h: &mut Harness<'static, MediadeskApp>,
    what: &str,
    done: impl Fn(&Harness<'static, MediadeskApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h) {
        if Instant::now() > deadline {
            let tree = format!("{:#?}", h.root());
            let said: Vec<&str> =
                tree.lines().map(str::trim).filter(|l| l.starts_with("label:") || l.starts_with("value:")).collect();
            panic!("timed out waiting for {what}; the window shows:\n{}", said.join("\n"));
        }
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A fresh folder for this test's catalogs.
fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mediadesk-ui-catalog-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The window on the built-in sandbox with its catalogs and journal in `dir`, and the
/// sandbox's state to change behind the app's back.
fn sandbox_app(
    dir: &std::path::Path,
) -> (Harness<'static, MediadeskApp>, Arc<Mutex<mediadesk::sandbox::state::State>>) {
    sandbox_app_with(dir, Vec::new())
}

/// The same, opened with `files` (as a file manager's "Open with" does).
fn sandbox_app_with(
    dir: &std::path::Path,
    files: Vec<PathBuf>,
) -> (Harness<'static, MediadeskApp>, Arc<Mutex<mediadesk::sandbox::state::State>>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let launcher = mediadesk::cli::sandbox_launcher(SandboxConfig::default(), move |sb| {
        let _ = tx.send(sb.state());
    });
    let folders = Folders { cache: None, data: Some(dir.to_path_buf()) };
    let mut h = Harness::builder().with_size(egui::vec2(1300.0, 850.0)).build_eframe(move |cc| {
        MediadeskApp::with_sandbox_in(&cc.egui_ctx, launcher, folders).expect("the app starts").with_files(files)
    });
    h.run_steps(2);
    (h, rx.recv_timeout(Duration::from_secs(30)).unwrap())
}

/// Whether any widget's label or text holds `text`.
fn shows(h: &Harness<'static, MediadeskApp>, text: &str) -> bool {
    let escaped = format!("{text:?}");
    format!("{:#?}", h.root()).contains(escaped.trim_matches('"'))
}

#[test]
fn the_catalog_fills_on_connect_and_the_stores_answer_corrects_the_list() {
    let dir = data_dir("sandbox");
    let (mut h, sandbox) = sandbox_app(&dir);
    let products = sandbox.lock().unwrap().products.len();

    // The sync runs as a job of the strip, and the list says what this computer holds.
    step_until(&mut h, "the finished sync", |h| shows(h, &format!("Done: Catalog synced: {products} products")));
    step_until(&mut h, "the catalog line", |h| {
        shows(h, &format!("{products} products on this computer, synced just now"))
    });
    assert!(dir.join("sandbox.sqlite3").exists(), "the catalog is a file in the data folder");

    // Renamed on the store after the sync: the catalog's answer shows the old title at once,
    // the store's answer replaces it in place.
    {
        let mut st = sandbox.lock().unwrap();
        st.products.get_mut(&1).unwrap().title = "Polaris Watch, second edition".into();
    }
    h.get_by_label("Products").click();
    h.run_steps(1);
    h.get_by_label("Products").type_text("polaris");
    step_until(&mut h, "the store's title", |h| shows(h, "Polaris Watch, second edition\n"));
    assert!(!shows(&h, "Polaris Watch\n"), "the old title is replaced, not listed beside the new one");
    assert_eq!(h.query_all_by_label_contains("Polaris Watch, second edition").count(), 1, "one row for the product");

    // Sync now reads the changes and says so.
    h.get_by_label("Sync now").click();
    step_until(&mut h, "the second sync", |h| shows(h, "changed since the last sync"));
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn with_the_store_unreachable_the_window_opens_on_its_catalog() {
    keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
    let dir = data_dir("offline");
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The "real" store: a sandbox whose Ecwid face plays Ecwid store 1003.
    let ecwid = rt.block_on(Sandbox::start(SandboxConfig::default())).unwrap();
    let endpoint = ecwid.url();
    let products = ecwid.state().lock().unwrap().products.len();
    // A product with a variation that has an image of its own (Ecwid keeps it apart from the
    // product's media).
    let with_variation_image = common::variations_with_own_images(&ecwid).remove(0).0;
    let store: StoreRef = "ecwid:1003".parse().unwrap();
    mediadesk::secrets::save(&store, &mediadesk::secrets::Secret::new(mediadesk::sandbox::ecwid::SECRET_TOKEN))
        .unwrap();
    let saved = || Persisted {
        saved_stores: vec!["ecwid:1003".into()],
        last_store: Some("ecwid:1003".into()),
        last_product: Some(ProductId("1".into())),
        tile_zoom: None,
        appearance: Default::default(),
    };
    let started = Arc::new(AtomicBool::new(false));
    let resumed = |endpoint: String| {
        let (dir, flag) = (dir.clone(), started.clone());
        let mut h = Harness::builder().with_size(egui::vec2(1300.0, 850.0)).build_eframe(move |cc| {
            let launcher =
                mediadesk::cli::sandbox_launcher(SandboxConfig::default(), move |_| flag.store(true, Ordering::SeqCst));
            let folders = Folders { cache: None, data: Some(dir) };
            MediadeskApp::resume(&cc.egui_ctx, Some(launcher), folders, saved(), Some(endpoint))
                .expect("the app starts")
        });
        h.run_steps(2);
        h
    };

    // Online: the Ecwid store syncs into its catalog.
    let mut h = resumed(endpoint.clone());
    step_until(&mut h, "the Ecwid sync", |h| shows(h, &format!("Done: Catalog synced: {products} products")));
    step_until(&mut h, "its last product", |h| shows(h, "polaris.jpg"));
    let online_media = h.state().open_media_count();
    drop(h);

    // The store goes away; the next start opens on the catalog, says so, and shows the product.
    drop(ecwid);
    let mut h = resumed(endpoint);
    step_until(&mut h, "the offline line", |h| shows(h, "Offline: showing the local copy, synced"));
    step_until(&mut h, "the products from the catalog", |h| h.state().products_loaded() == products);
    step_until(&mut h, "the last product from the catalog", |h| shows(h, "polaris.jpg"));
    assert_eq!(h.state().open_media_count(), online_media, "the product as it was synced");
    assert!(!shows(&h, "could not be opened"), "no failure to open: the store opened on its catalog");
    assert!(!started.load(Ordering::SeqCst), "no sandbox stands in for the merchant's store");

    // The audit answers offline too, variations' own images included, which are changed in
    // Ecwid's control panel.
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Num2]);
    step_until(&mut h, "the audit", |h| shows(h, "Alt-text score"));
    h.get_by_label("Show media that pass").click();
    h.get_by_label("Find").click();
    h.run_steps(1);
    h.get_by_label("Find").type_text(&with_variation_image);
    step_until(&mut h, "the variation's own image", |h| shows(h, "its own image"));
    assert!(shows(&h, "edit in Ecwid's control panel"), "no Edit for what mediadesk does not write");
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn changes_a_previous_run_left_unconfirmed_are_offered_and_resumed_from_the_window() {
    let dir = data_dir("unconfirmed");
    // An edit written down by an earlier run that stopped before the store answered.
    {
        use mediadesk::journal::{Change, Journal};
        use mediadesk::model::MediaId;
        let mut j = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
        let change = Change::Alt {
            media: MediaId("gid://shopify/MediaImage/37".into()),
            alt: "Polaris watch on a steel bracelet".into(),
            // The sandbox's text for it: nobody changed it since.
            base: "Man wearing Polaris watch.".into(),
        };
        j.record(&ProductId("gid://shopify/Product/1".into()), "Alt text of polaris.jpg", &change).unwrap();
    }
    let (mut h, sandbox) = sandbox_app(&dir);
    let base = sandbox.lock().unwrap().files[&37].alt.clone();
    assert_eq!(base, "Man wearing Polaris watch.", "the entry above replaces the sandbox's own text");
    step_until(&mut h, "the question", |h| shows(h, "1 change was not confirmed by the store."));
    h.get_by_label("Show").click();
    h.run_steps(2);
    assert!(shows(&h, "Alt text of polaris.jpg: \u{201c}Polaris watch on a steel bracelet\u{201d}"));
    h.get_by_label("Resume").click();
    step_until(&mut h, "the resume", |h| shows(h, "Done: Resuming: Alt text of polaris.jpg"));
    step_until(&mut h, "the question gone", |h| !shows(h, "was not confirmed"));
    assert_eq!(sandbox.lock().unwrap().files[&37].alt, "Polaris watch on a steel bracelet");
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_change_that_meets_an_edit_made_on_the_store_shows_both_and_the_merchant_chooses() {
    let dir = data_dir("conflict");
    // Two edits an earlier run left unconfirmed; both texts were changed in the admin since.
    {
        use mediadesk::journal::{Change, Journal};
        use mediadesk::model::MediaId;
        let mut j = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
        let watch = Change::Alt {
            media: MediaId("gid://shopify/MediaImage/37".into()),
            alt: "Polaris watch on a steel bracelet".into(),
            base: "An older text".into(),
        };
        j.record(&ProductId("gid://shopify/Product/1".into()), "Alt text of polaris.jpg", &watch).unwrap();
        let strap = Change::Alt {
            media: MediaId("gid://shopify/MediaImage/42729528".into()),
            alt: "Brown leather strap".into(),
            base: "An older strap text".into(),
        };
        j.record(&ProductId("gid://shopify/Product/10079786124".into()), "Alt text of the strap", &strap).unwrap();
    }
    let (mut h, sandbox) = sandbox_app(&dir);
    sandbox.lock().unwrap().files.get_mut(&42_729_528).unwrap().alt = "Strap, set in the admin".into();
    step_until(&mut h, "the question", |h| shows(h, "2 changes were not confirmed by the store."));
    h.get_by_label("Resume").click();
    // Nothing is overwritten: each shows the store's text beside the merchant's.
    step_until(&mut h, "the choice", |h| {
        shows(h, "Alt text of the strap was changed on the store since you edited it.")
    });
    assert!(shows(&h, "Alt text of polaris.jpg was changed on the store since you edited it."));
    assert!(
        shows(&h, "\u{201c}Man wearing Polaris watch.\u{201d}")
            && shows(&h, "\u{201c}Polaris watch on a steel bracelet\u{201d}")
    );
    assert!(shows(&h, "\u{201c}Strap, set in the admin\u{201d}") && shows(&h, "\u{201c}Brown leather strap\u{201d}"));
    assert_eq!(sandbox.lock().unwrap().files[&37].alt, "Man wearing Polaris watch.");
    assert_eq!(sandbox.lock().unwrap().files[&42_729_528].alt, "Strap, set in the admin");
    // The watch keeps the store's text; the strap gets the merchant's.
    h.get_all_by_label("Keep the store's").next().unwrap().click();
    step_until(&mut h, "one choice left", |h| !shows(h, "Alt text of polaris.jpg was changed on the store"));
    h.get_by_label("Send mine").click();
    step_until(&mut h, "the strap sent", |_| sandbox.lock().unwrap().files[&42_729_528].alt == "Brown leather strap");
    step_until(&mut h, "the question gone", |h| !shows(h, "was not confirmed"));
    assert_eq!(sandbox.lock().unwrap().files[&37].alt, "Man wearing Polaris watch.", "the store's text kept");
    let j = mediadesk::journal::Journal::open(&dir, &StoreRef::Sandbox).unwrap();
    let states: Vec<_> = j.history(10).unwrap().into_iter().map(|e| (e.title, e.state)).collect();
    assert!(states.contains(&("Alt text of polaris.jpg".into(), mediadesk::journal::State::Discarded)), "{states:?}");
    assert!(states.contains(&("Alt text of the strap".into(), mediadesk::journal::State::Confirmed)), "{states:?}");
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_alt_text_saved_while_the_store_is_down_shows_as_waiting_and_goes_out_when_it_answers() {
    let dir = data_dir("waiting");
    let (mut h, sandbox) = sandbox_app(&dir);
    step_until(&mut h, "the catalog", |h| shows(h, "products on this computer"));
    h.get_by_label("Products").click();
    h.run_steps(1);
    h.get_by_label("Products").type_text("title:polaris*");
    step_until(&mut h, "the search results", |h| h.query_by_label_contains("Polaris Watch\n").is_some());
    h.get_by_label_contains("Polaris Watch\n").click();
    step_until(&mut h, "the media grid", |h| h.query_by_label_contains("polaris.jpg").is_some());
    h.get_by_label_contains("polaris.jpg").click();
    step_until(&mut h, "the alt editor", |h| h.query_by_label("Alt text").is_some());
    sandbox.lock().unwrap().outage = true;
    h.get_by_label("Alt text").click();
    h.run_steps(1);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.run_steps(1);
    h.get_by_label("Alt text").type_text("Polaris watch, written during the outage");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the waiting tile", |h| {
        h.query_by_label_contains("(alt text waiting for the store to answer)").is_some()
    });
    // The strip's words come in their own event, a frame or so after the tile's.
    step_until(&mut h, "the strip saying it waits", |h| {
        shows(h, "Waiting for the store to answer: Saving the alt text of polaris.jpg")
    });
    assert_eq!(sandbox.lock().unwrap().files[&37].alt, "Man wearing Polaris watch.");
    // The store answers again: the edit goes out by itself.
    sandbox.lock().unwrap().outage = false;
    step_until(&mut h, "the store to have it", |_| {
        sandbox.lock().unwrap().files[&37].alt == "Polaris watch, written during the outage"
    });
    step_until(&mut h, "the tile no longer waiting", |h| {
        h.query_by_label_contains("(alt text waiting for the store to answer)").is_none()
    });
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_history_window_lists_changes_and_undoes_one_of_them() {
    let dir = data_dir("history");
    // A change an earlier run made and the store confirmed: it set the sandbox's text.
    {
        use mediadesk::journal::{Change, Journal};
        use mediadesk::model::MediaId;
        let mut j = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
        let change = Change::Alt {
            media: MediaId("gid://shopify/MediaImage/37".into()),
            alt: "Man wearing Polaris watch.".into(),
            base: "Watch photo".into(),
        };
        let id = j.record(&ProductId("gid://shopify/Product/1".into()), "Alt text of polaris.jpg", &change).unwrap();
        j.claim(id).unwrap();
        j.confirm(id).unwrap();
    }
    let (mut h, sandbox) = sandbox_app(&dir);
    step_until(&mut h, "the catalog", |h| shows(h, "products on this computer"));
    h.get_by_label("History").click();
    step_until(&mut h, "the history", |h| {
        shows(h, "Was \u{201c}Watch photo\u{201d}, now \u{201c}Man wearing Polaris watch.\u{201d}.")
    });
    assert!(shows(&h, "confirmed"));
    h.get_by_label("Undo").click();
    step_until(&mut h, "the store to have the old text", |_| sandbox.lock().unwrap().files[&37].alt == "Watch photo");
    step_until(&mut h, "the undo listed", |h| shows(h, "Undo: Alt text of polaris.jpg") && shows(h, "undone"));
    assert!(h.query_by_label("Undo").is_none(), "an undone change has no Undo, nor does the undo itself");
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn about_names_the_version_and_copies_diagnostics_without_secrets() {
    let dir = data_dir("about");
    let (mut h, _sandbox) = sandbox_app(&dir);
    step_until(&mut h, "the store open", |h| shows(h, "products on this computer"));
    h.get_by_label("About").click();
    step_until(&mut h, "the About window", |h| shows(h, &format!("mediadesk {}", env!("CARGO_PKG_VERSION"))));
    assert!(shows(&h, &dir.display().to_string()), "where the data is");
    h.get_by_label("Copy diagnostics").click();
    h.run_steps(1);
    let copied: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    step_until(&mut h, "the copy said", |h| shows(h, "Copied to the clipboard"));
    let text = copied.first().expect("the diagnostics were copied");
    assert!(text.starts_with(&format!("mediadesk {}", env!("CARGO_PKG_VERSION"))), "{text}");
    assert!(text.contains("System: ") && text.contains(std::env::consts::ARCH), "{text}");
    assert!(text.contains("Renderer: "), "{text}");
    assert!(text.contains("Store: the built-in sandbox"), "{text}");
    assert!(!text.contains(mediadesk::sandbox::SANDBOX_TOKEN), "never the token: {text}");
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn files_the_app_is_opened_with_wait_for_their_product_then_go_to_it() {
    let dir = data_dir("opened");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("opened-with.png");
    let mut png = Vec::new();
    image::RgbImage::from_pixel(60, 40, image::Rgb([200, 90, 30]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    std::fs::write(&file, png).unwrap();
    let (mut h, sandbox) = sandbox_app_with(&dir, vec![file]);
    step_until(&mut h, "the question", |h| shows(h, "1 file to upload (opened-with.png)"));
    assert!(shows(&h, "Choose their product in the list."), "never guessed");
    step_until(&mut h, "the catalog", |h| shows(h, "products on this computer"));
    h.get_by_label("Products").click();
    h.run_steps(1);
    h.get_by_label("Products").type_text("title:polaris*");
    step_until(&mut h, "the search results", |h| h.query_by_label_contains("Polaris Watch\n").is_some());
    h.get_by_label_contains("Polaris Watch\n").click();
    step_until(&mut h, "the button naming the product", |h| {
        h.query_by_label("Upload to \u{201c}Polaris Watch\u{201d}").is_some()
    });
    let before = sandbox.lock().unwrap().products[&1].media.len();
    h.get_by_label("Upload to \u{201c}Polaris Watch\u{201d}").click();
    step_until(&mut h, "the file on the product", |_| {
        let st = sandbox.lock().unwrap();
        st.products[&1].media.iter().any(|m| st.files[m].filename == "opened-with.png")
    });
    assert_eq!(sandbox.lock().unwrap().products[&1].media.len(), before + 1);
    step_until(&mut h, "the question gone", |h| !shows(h, "to upload (opened-with.png)"));
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_audit_view_fixes_a_rule_with_a_template_and_one_undo_takes_it_back() {
    let dir = data_dir("audit");
    let (mut h, sandbox) = sandbox_app(&dir);
    step_until(&mut h, "the catalog", |h| shows(h, "products on this computer"));
    let lead_ins = || -> Vec<(u64, String)> {
        let st = sandbox.lock().unwrap();
        let mut out: Vec<(u64, String)> = st
            .products
            .values()
            .flat_map(|p| p.media.iter())
            .map(|m| (*m, st.files[m].alt.clone()))
            .filter(|(_, a)| a.to_lowercase().starts_with("image of "))
            .collect();
        out.sort();
        out.dedup();
        out
    };
    let before = lead_ins();
    assert!(before.len() > 3, "the sandbox has texts starting with \"Image of\"");
    let alts = |ids: &[(u64, String)]| -> Vec<String> {
        let st = sandbox.lock().unwrap();
        ids.iter().map(|(id, _)| st.files[id].alt.clone()).collect()
    };

    // Ctrl+2 opens the audit: the score and a count per rule.
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Num2]);
    step_until(&mut h, "the audit", |h| shows(h, "Alt-text score"));
    h.get_by_label_contains("Starts with \"image of\":").click();
    h.run_steps(2);
    let shown = format!("Select all {} shown", before.len());
    assert!(shows(&h, &shown), "the filter shows exactly the media whose text starts with \"Image of\"");
    h.get_by_label(&shown).click();
    h.run_steps(1);
    h.get_by_label("Fix selected with a template\u{2026}").click();
    h.run_steps(1);
    h.get_by_label("Template").click();
    h.run_steps(1);
    h.get_by_label("Template").type_text("{title}, {variant}, view {position}");
    h.run_steps(1);
    h.get_by_label("Preview").click();
    h.run_steps(2);
    // Every new text before anything is sent, each with its own findings.
    assert!(shows(&h, &format!("{} alt texts will change", before.len())));
    assert_eq!(alts(&before), before.iter().map(|(_, a)| a.clone()).collect::<Vec<_>>(), "nothing sent yet");
    h.get_by_label(&format!("Apply {} changes", before.len())).click();
    step_until(&mut h, "the store changed", |_| alts(&before).iter().all(|a| a.contains(", view ")));
    // The list follows the store: the rule has nothing left.
    step_until(&mut h, "the rule's count gone", |h| !shows(h, "Starts with \"image of\":"));
    step_until(&mut h, "the batch done", |h| shows(h, "saved"));

    // One undo takes the whole batch back.
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Z]);
    step_until(&mut h, "the store as before", |_| {
        alts(&before) == before.iter().map(|(_, a)| a.clone()).collect::<Vec<_>>()
    });
    step_until(&mut h, "the rule back in the list", |h| shows(h, "Starts with \"image of\":"));
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_finding_is_marked_decorative_edited_in_the_list_and_opened_in_its_product() {
    let dir = data_dir("audit-row");
    let (mut h, sandbox) = sandbox_app(&dir);
    step_until(&mut h, "the catalog", |h| shows(h, "products on this computer"));
    let strap_alt = || {
        let st = sandbox.lock().unwrap();
        let media = st.products.values().find(|p| p.title == "Polaris Watch Strap").unwrap().media[0];
        st.files[&media].alt.clone()
    };
    assert_eq!(strap_alt(), "", "the strap's only image has no alt text");
    let missing = |h: &Harness<'static, MediadeskApp>| -> usize {
        let tree = format!("{:#?}", h.root());
        let at = tree.find("No alt text: ").expect("the chip") + "No alt text: ".len();
        tree[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
    };

    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Num2]);
    step_until(&mut h, "the audit", |h| shows(h, "Alt-text score"));
    let missing_before = missing(&h);
    h.get_by_label("Find").click();
    h.run_steps(1);
    h.get_by_label("Find").type_text("Polaris Watch Strap");
    step_until(&mut h, "only the strap's media", |h| shows(h, "1 shown"));

    // Decorative: exempt from "No alt text", and undone by "Not decorative".
    h.get_by_label("Select all 1 shown").click();
    h.run_steps(1);
    h.get_by_label("Mark decorative").click();
    step_until(&mut h, "one fewer missing", |h| missing(h) == missing_before - 1);
    h.get_by_label("Not decorative").click();
    step_until(&mut h, "the count back", |h| missing(h) == missing_before);
    h.get_by_label("Clear selection").click();
    h.run_steps(1);

    // Edited in the list: checked as typed, saved with Enter, the store has it.
    h.get_by_label("Edit").click();
    h.run_steps(2);
    // The editor has focus: what is typed goes into it.
    h.event(egui::Event::Text("Strap".into()));
    h.run_steps(2);
    assert!(shows(&h, "too-short"), "one word is too short to describe anything");
    let text = "Brown leather watch strap with a brass buckle";
    h.event(egui::Event::Key {
        key: egui::Key::A,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::COMMAND,
    });
    h.event(egui::Event::Text(text.into()));
    h.run_steps(2);
    assert!(shows(&h, "passes every rule"), "re-checked as typed");
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the store changed", |_| strap_alt() == text);
    step_until(&mut h, "one fewer missing", |h| missing(h) == missing_before - 1);

    // Open: the product's grid and the media's inspector.
    h.get_by_label("Show media that pass").click();
    step_until(&mut h, "the strap's row again", |h| shows(h, "1 shown"));
    h.get_by_label("Open").click();
    step_until(&mut h, "the strap in the editor", |h| !shows(h, "Alt-text score") && shows(h, text));
    // A click on the row's product line opens it too.
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Num2]);
    step_until(&mut h, "the audit again", |h| shows(h, "Alt-text score"));
    h.get_by_label_contains("Polaris Watch Strap   #1").click();
    step_until(&mut h, "the strap in the editor again", |h| !shows(h, "Alt-text score") && shows(h, text));
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}
