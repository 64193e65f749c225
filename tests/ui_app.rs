//! The real app driven through its accessibility tree (egui_kittest) against the sandbox: pick a
//! product, edit and save alt text, drop files and see them uploaded, keep an over-long alt text local.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use mediadesk::sandbox::SandboxConfig;
use mediadesk::sandbox::state::Timings;
use mediadesk::ui::MediadeskApp;

type SandboxData = Arc<Mutex<mediadesk::sandbox::state::State>>;

thread_local! {
    /// The sandbox this test's app started: each test runs on its own thread.
    static SANDBOX: RefCell<Option<(SandboxData, String)>> = const { RefCell::new(None) };
}

/// The app on a sandbox with `config`; the test keeps the sandbox's data and address.
fn app(config: SandboxConfig) -> Harness<'static, MediadeskApp> {
    app_sized(config, egui::vec2(1300.0, 850.0))
}

/// The same in a window of `size`.
fn app_sized(config: SandboxConfig, size: egui::Vec2) -> Harness<'static, MediadeskApp> {
    app_in(config, size, mediadesk::engine::Folders::default())
}

/// The same keeping its catalog and edit journal in `folders`.
fn app_in(
    config: SandboxConfig,
    size: egui::Vec2,
    folders: mediadesk::engine::Folders,
) -> Harness<'static, MediadeskApp> {
    let (tx, rx) = std::sync::mpsc::channel();
    let launcher = mediadesk::cli::sandbox_launcher(config, move |sb| {
        let _ = tx.send((sb.state(), sb.url()));
    });
    let mut h = Harness::builder().with_size(size).build_eframe(move |cc| {
        MediadeskApp::with_sandbox_in(&cc.egui_ctx, launcher, folders).expect("the app starts")
    });
    h.run_steps(2);
    let started = rx.recv_timeout(Duration::from_secs(30)).expect("the sandbox starts");
    SANDBOX.with(|s| *s.borrow_mut() = Some(started));
    h
}

/// The data of the sandbox this test's app runs on.
fn sandbox_state() -> Option<SandboxData> {
    SANDBOX.with(|s| s.borrow().as_ref().map(|(d, _)| d.clone()))
}

/// The address of the sandbox this test's app runs on.
fn sandbox_url() -> Option<String> {
    SANDBOX.with(|s| s.borrow().as_ref().map(|(_, u)| u.clone()))
}

fn fast() -> SandboxConfig {
    SandboxConfig {
        timings: Timings {
            to_processing: Duration::from_millis(20),
            to_done: Duration::from_millis(80),
            reorder_job: Duration::from_millis(40),
        },
        ..SandboxConfig::default()
    }
}

/// Step frames until `done` holds; the engine works on its own thread meanwhile.
fn step_until(
    h: &mut Harness<'static, MediadeskApp>,
    what: &str,
    done: impl Fn(&mut Harness<'static, MediadeskApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(h) {
        if Instant::now() > deadline {
            // What the screen said, for the failure message.
            let tree = format!("{:#?}", h.root());
            let said: Vec<&str> =
                tree.lines().map(str::trim).filter(|l| l.starts_with("label:") || l.starts_with("value:")).collect();
            panic!("timed out waiting for {what}; the window shows:\n{}", said.join("\n"));
        }
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Wait for a widget, then click it.
fn click_when(h: &mut Harness<'static, MediadeskApp>, label: &str) {
    step_until(h, label, |h| h.query_all_by_label(label).next().is_some());
    h.get_by_label(label).click();
    h.run_steps(1);
}

fn sandbox_alt(id: u64) -> Option<String> {
    let st = sandbox_state()?;
    let st = st.lock().unwrap();
    st.files.get(&id).map(|f| f.alt.clone())
}

/// Type into the product search box, as a merchant would.
fn search(h: &mut Harness<'static, MediadeskApp>, text: &str) {
    h.get_by_label("Products").click();
    h.run_steps(1);
    h.get_by_label("Products").type_text(text);
}

fn open_polaris(h: &mut Harness<'static, MediadeskApp>) {
    step_until(h, "the product list", |h| h.query_all_by_label_contains("Bamboo").next().is_some());
    // The list only holds the rows in view: search, as a merchant would.
    search(h, "title:polaris*");
    step_until(h, "the search results", |h| h.query_by_label_contains("Polaris Watch\n").is_some());
    h.get_by_label_contains("Polaris Watch\n").click();
    step_until(h, "the media grid", |h| h.query_by_label_contains("polaris.jpg").is_some());
}

#[test]
fn pick_a_product_edit_alt_text_and_the_store_has_it() {
    let mut h = app(fast());
    open_polaris(&mut h);
    h.get_by_label_contains("polaris.jpg").click();
    step_until(&mut h, "the alt editor", |h| h.query_by_label("Alt text").is_some());
    replace_alt(&mut h, "Polaris watch, brushed steel case, front");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the sandbox to hold the new alt", |_| {
        sandbox_alt(37).as_deref() == Some("Polaris watch, brushed steel case, front")
    });
    step_until(&mut h, "the activity strip to show it done", |h| {
        h.query_by_label_contains("Done: Saving the alt text of polaris.jpg").is_some()
    });
    // The editor says so too, once the store has it.
    step_until(&mut h, "Saved beside the editor", |h| format!("{:#?}", h.root()).contains("\"Saved\""));
    // The strip's Undo button takes it back, as Ctrl+Z does.
    let before = "Man wearing Polaris watch.";
    h.get_by_label("Undo").click();
    step_until(&mut h, "the old text back in the store", |_| sandbox_alt(37).as_deref() == Some(before));
    step_until(&mut h, "the undo in the strip", |h| {
        h.query_by_label_contains("Undone: alt text of polaris.jpg").is_some()
    });
}

#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn png_file(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join(name);
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(64, 48).write_to(&mut png, image::ImageFormat::Png).unwrap();
    std::fs::write(&file, png.into_inner()).unwrap();
    file
}

fn temp_dir(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mediadesk-ui-{test}-{}", std::process::id()))
}

#[test]
fn a_dropped_folder_gets_a_tile_per_file_and_only_valid_ones_are_uploaded() {
    let mut h = app(fast());
    open_polaris(&mut h);
    let dir = temp_dir("drop");
    png_file(&dir, "dropped-shot.png");
    std::fs::write(dir.join("broken.jpg"), b"this is not a jpeg at all").unwrap();
    h.input_mut().dropped_files.push(Arc::new(DroppedPath(dir.clone())));
    h.step();
    // Both files have a tile before anything is sent; the broken one says why it stays local.
    step_until(&mut h, "the tiles of the dropped files", |h| {
        h.query_all_by_label_contains(": dropped-shot.png").next().is_some()
            && h.query_by_label_contains("Not uploaded: broken.jpg:").is_some()
    });
    step_until(&mut h, "the uploaded media in the grid, ready", |h| {
        h.query_by_label_contains("Image 6, dropped-shot.png, ready").is_some()
    });
    step_until(&mut h, "the activity strip", |h| h.query_by_label_contains("1 of 2 files were not uploaded").is_some());
    assert!(h.query_by_label_contains("Not uploaded: broken.jpg:").is_some(), "the refused file keeps its tile");
    {
        let st = sandbox_state().unwrap();
        let st = st.lock().unwrap();
        let last = *st.products[&1].media.last().unwrap();
        assert_eq!(st.files[&last].filename, "dropped-shot.png");
        assert_eq!(st.products[&1].media.len(), 6, "the broken file was never sent");
        assert!(st.files.values().all(|f| f.filename != "broken.jpg"));
    }
    h.get_by_label("Clear failed uploads").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Not uploaded: broken.jpg").is_none(), "its tile is gone");
    assert!(h.query_by_label_contains("Details: broken.jpg: ").is_some(), "the activity strip still says why");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn add_files_opens_the_file_dialog_and_the_tile_goes_from_processing_to_ready() {
    // Processing takes long enough to be seen.
    let mut config = fast();
    config.timings.to_done = Duration::from_millis(1500);
    let mut h = app(config);
    let dir = temp_dir("add");
    let picked = png_file(&dir, "picked-shot.png");
    h.state_mut().set_file_picker(mediadesk::ui::FilePicker::answering(Some(vec![picked])));
    open_polaris(&mut h);
    h.get_by_label("Add files…").click();
    step_until(&mut h, "the tile while the store processes the file", |h| {
        h.query_by_label_contains("Processing: picked-shot.png").is_some()
    });
    step_until(&mut h, "the picked file in the grid, ready", |h| {
        h.query_by_label_contains("Image 6, picked-shot.png, ready").is_some()
    });
    assert!(h.query_by_label_contains("Processing: picked-shot.png").is_none(), "the upload tile made way");
    let st = sandbox_state().unwrap();
    assert_eq!(st.lock().unwrap().products[&1].media.len(), 6);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_alt_text_over_the_limit_is_never_sent_and_escape_reverts_it() {
    let mut h = app(fast());
    open_polaris(&mut h);
    h.get_by_label_contains("polaris.jpg").click();
    step_until(&mut h, "the alt editor", |h| h.query_by_label("Alt text").is_some());
    let before = sandbox_alt(37).unwrap();
    replace_alt(&mut h, &"x".repeat(600));
    h.run_steps(1);
    // Over the limit: the save button stays disabled and the counter says why.
    step_until(&mut h, "the counter", |h| h.query_by_label_contains("/ 512").is_some());
    assert!(h.query_by_label_contains("characters: the store keeps at most 512").is_some());
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert_eq!(sandbox_alt(37).unwrap(), before, "nothing was sent");
}

/// Press on `from`, move in steps, release on `to`, as a mouse would.
fn drag(h: &mut Harness<'static, MediadeskApp>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for i in 1..=5 {
        h.hover_at(from + (to - from) * (i as f32 / 5.0));
        h.step();
    }
    h.drop_at(to);
    h.step();
}

fn sandbox_order() -> Vec<u64> {
    let st = sandbox_state().unwrap();
    let st = st.lock().unwrap();
    st.products[&1].media.clone()
}

#[test]
fn dragging_a_thumbnail_reorders_the_store_and_ctrl_z_puts_it_back() {
    let mut h = app(fast());
    open_polaris(&mut h);
    let original = sandbox_order();
    assert_eq!(original, vec![3_113_016, 8_486_968, 37, 2, 1]);
    let from = h.get_by_label_contains("Video 1, watches.mp4").rect().center();
    let to = h.get_by_label_contains("Image 3, polaris.jpg").rect().center();
    drag(&mut h, from, to);
    // On screen at once, in the store once the job is done.
    assert!(h.query_by_label_contains("Video 3, watches.mp4").is_some(), "the grid shows the new order at once");
    step_until(&mut h, "the store's new order", |_| sandbox_order() == vec![8_486_968, 37, 3_113_016, 2, 1]);
    step_until(&mut h, "the reorder to finish", |h| h.query_by_label_contains("Done: Saving the new order").is_some());
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Z]);
    step_until(&mut h, "the old order back in the store", |_| sandbox_order() == original);
    // An undo reads as one, not as a new action.
    step_until(&mut h, "the undo in the strip", |h| {
        h.query_by_label_contains("Undone: new order of Polaris Watch").is_some()
    });
}

#[test]
fn a_reorder_the_store_refuses_puts_the_old_order_back_with_a_message() {
    let mut h = app(fast());
    open_polaris(&mut h);
    // Someone else removes a media meanwhile: the order on screen no longer matches the store.
    sandbox_state().unwrap().lock().unwrap().products.get_mut(&1).unwrap().media.retain(|m| *m != 2);
    let from = h.get_by_label_contains("Video 1, watches.mp4").rect().center();
    let to = h.get_by_label_contains("Image 3, polaris.jpg").rect().center();
    drag(&mut h, from, to);
    step_until(&mut h, "the refusal", |h| h.query_by_label_contains("the old order is back").is_some());
    assert!(h.query_by_label_contains("Video 1, watches.mp4").is_some(), "the old order is on screen again");
    step_until(&mut h, "the failed job", |h| h.query_by_label_contains("Failed: Saving the new order").is_some());
    assert!(h.query_by_label_contains("Retry: Saving the new order").is_none(), "a refusal is not worth retrying");
    step_until(&mut h, "the product as the store has it now", |h| h.state().open_media_count() == Some(4));
}

#[test]
fn a_store_is_tested_saved_in_the_keyring_opened_and_removed() {
    // The OS keyring is replaced by keyring's mock store in this test process.
    keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
    let mut h = app(fast());
    step_until(&mut h, "the sandbox", |_| sandbox_url().is_some());
    let url = sandbox_url();
    h.state_mut().set_endpoint_override(url);
    click_when(&mut h, "Connect your store…");
    // Nothing saved yet: the steps are open, Shopify's first, with the page to open.
    step_until(&mut h, "the steps", |h| h.query_by_label_contains("Settings > Apps > Develop apps").is_some());
    assert!(h.query_by_label_contains("read_files and write_files").is_some(), "which permissions and why");
    assert!(h.query_by_label("Open Shopify's Dev Dashboard").is_some(), "no shop typed yet");
    click_when(&mut h, "Ecwid");
    step_until(&mut h, "Ecwid's steps", |h| h.query_by_label_contains("Apps > My apps").is_some());
    assert!(h.query_by_label("Open the Ecwid control panel's apps").is_some());
    h.get_by_label("Store id").click();
    h.run_steps(1);
    h.get_by_label("Store id").type_text("1003");
    h.get_by_label("Access token (secret_…)").click();
    h.run_steps(1);
    h.get_by_label("Access token (secret_…)").type_text("secret_wrong");
    h.run_steps(1);
    h.get_by_label("Test and save").click();
    step_until(&mut h, "the refusal", |h| h.query_by_label_contains("refused the access token").is_some());
    assert!(h.query_by_label_contains("Fix step 3 above.").is_some(), "the step to fix is named");
    let store: mediadesk::model::StoreRef = "ecwid:1003".parse().unwrap();
    assert!(mediadesk::secrets::load(&store).is_err(), "a refused token is not saved");

    h.get_by_label("Access token (secret_…)").click();
    h.run_steps(1);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_label("Access token (secret_…)").type_text(mediadesk::sandbox::ecwid::SECRET_TOKEN);
    h.run_steps(1);
    h.get_by_label("Test and save").click();
    step_until(&mut h, "the Ecwid store", |h| h.query_by_label_contains("Ecwid store mediadesk sandbox").is_some());
    assert_eq!(mediadesk::secrets::load(&store).unwrap().expose(), mediadesk::sandbox::ecwid::SECRET_TOKEN);
    // The products now come from the Ecwid face.
    step_until(&mut h, "Ecwid's product list", |h| {
        h.query_all_by_label_contains("media").next().is_some() && !h.state().busy()
    });
    // On Ecwid, removing deletes the image: the app asks first.
    search(&mut h, "polaris");
    step_until(&mut h, "Polaris on Ecwid", |h| h.query_by_label_contains("Polaris Watch\n").is_some());
    h.get_by_label_contains("Polaris Watch\n").click();
    step_until(&mut h, "its media", |h| h.query_by_label_contains("polaris.jpg").is_some());
    h.get_by_label_contains("polaris.jpg").click();
    h.run_steps(1);
    h.key_press(egui::Key::Delete);
    step_until(&mut h, "the question", |h| h.query_by_label_contains("Ecwid deletes this image").is_some());
    assert!(sandbox_state().unwrap().lock().unwrap().products[&1].media.contains(&37));
    h.get_by_label("Remove and delete").click();
    step_until(&mut h, "the image gone from Ecwid", |_| {
        !sandbox_state().unwrap().lock().unwrap().products[&1].media.contains(&37)
    });

    click_when(&mut h, "Stores…");
    click_when(&mut h, "Remove ecwid:1003");
    step_until(&mut h, "the keyring entry to go", |_| mediadesk::secrets::load(&store).is_err());
}

#[test]
fn several_media_move_and_go_together_and_ctrl_z_puts_them_back() {
    let mut h = app(fast());
    open_polaris(&mut h);
    let original = sandbox_order();
    // Ctrl-click two tiles, Alt+Home moves both to the front as one block.
    h.get_by_label_contains("Video 1, watches.mp4").click();
    h.run_steps(1);
    h.get_by_label_contains("Image 3, polaris.jpg").click_modifiers(egui::Modifiers::COMMAND);
    h.run_steps(1);
    step_until(&mut h, "two selected", |h| h.query_by_label_contains("2 media selected").is_some());
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::End);
    step_until(&mut h, "the block at the end in the store", |_| {
        sandbox_order() == vec![8_486_968, 2, 1, 3_113_016, 37]
    });
    // Delete removes both from the product; the files stay in the library.
    h.key_press(egui::Key::Delete);
    step_until(&mut h, "the removal in the store", |_| sandbox_order() == vec![8_486_968, 2, 1]);
    assert!(h.query_by_label_contains("polaris.jpg").is_none(), "gone from the grid");
    {
        let st = sandbox_state().unwrap();
        assert!(st.lock().unwrap().files.contains_key(&37), "the file is still in the library");
    }
    step_until(&mut h, "the removal to finish", |h| {
        h.query_by_label_contains("Done: Removing 2 media from the product").is_some()
    });
    // Ctrl+Z attaches them again, where they were; a second Ctrl+Z takes back the move.
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Z]);
    step_until(&mut h, "the media back in place", |_| sandbox_order() == vec![8_486_968, 2, 1, 3_113_016, 37]);
    step_until(&mut h, "them back on screen", |h| h.query_by_label_contains("Image 5, polaris.jpg").is_some());
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Z]);
    step_until(&mut h, "the first order back", |_| sandbox_order() == original);
}

#[test]
fn the_keyboard_reaches_search_grid_alt_text_and_order() {
    let mut h = app(fast());
    step_until(&mut h, "the product list", |h| h.query_all_by_label_contains("Bamboo").next().is_some());
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::F]);
    h.run_steps(2);
    h.get_by_label("Products").type_text("title:polaris*");
    step_until(&mut h, "the search results", |h| h.query_by_label_contains("Polaris Watch\n").is_some());
    h.key_press(egui::Key::ArrowDown);
    step_until(&mut h, "the media grid", |h| h.query_by_label_contains("polaris.jpg").is_some());
    h.key_press(egui::Key::Enter);
    h.run_steps(1);
    // The grid has the keyboard, on the first media: two steps right is polaris.jpg.
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(1);
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Home);
    step_until(&mut h, "polaris.jpg first in the store", |_| sandbox_order()[0] == 37);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert!(h.get_by_label("Alt text").is_focused(), "Enter puts the cursor in the alt editor");
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_label("Alt text").type_text("Polaris watch on a wrist, typed without a mouse");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the alt text in the store", |_| {
        sandbox_alt(37).as_deref() == Some("Polaris watch on a wrist, typed without a mouse")
    });
}

#[test]
fn an_outage_shows_a_clear_error_and_retry_sends_the_edit_again() {
    let mut h = app(fast());
    open_polaris(&mut h);
    h.get_by_label_contains("polaris.jpg").click();
    step_until(&mut h, "the alt editor", |h| h.query_by_label("Alt text").is_some());
    let before = sandbox_alt(37).unwrap();
    let outage = |_: &Harness<'static, MediadeskApp>, on: bool| {
        sandbox_state().unwrap().lock().unwrap().outage = on;
    };
    outage(&h, true);
    replace_alt(&mut h, "Polaris watch, saved after the outage");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the failure", |h| {
        h.query_by_label_contains("Failed: Saving the alt text of polaris.jpg: The store had a problem").is_some()
    });
    assert_eq!(
        h.get_by_label("Alt text").value().as_deref(),
        Some("Polaris watch, saved after the outage"),
        "the refused text stays in the editor"
    );
    let save = h.get_by_label("Save alt text");
    assert!(!save.accesskit_node().is_disabled(), "unsaved, and it can be saved again");
    assert_eq!(sandbox_alt(37).unwrap(), before);
    assert!(
        h.query_by_label_contains("Details: the store had a problem (500)").is_some(),
        "the platform's answer below"
    );
    outage(&h, false);
    h.get_by_label("Retry: Saving the alt text of polaris.jpg").click();
    step_until(&mut h, "the retried save", |_| {
        sandbox_alt(37).as_deref() == Some("Polaris watch, saved after the outage")
    });
    step_until(&mut h, "the editor to show it", |h| {
        h.get_by_label("Alt text").value().as_deref() == Some("Polaris watch, saved after the outage")
    });
}

#[test]
fn the_picker_shows_alt_health_and_delete_names_the_products_sharing_the_file() {
    let mut h = app(fast());
    step_until(&mut h, "the product list", |h| h.query_all_by_label_contains("Bamboo").next().is_some());
    let row = h.query_all_by_label_contains("Bamboo").next().unwrap().accesskit_node().label().unwrap_or_default();
    let bamboo_title = row.split('\n').next().unwrap().to_string();
    // Another product shares polaris.jpg (file 37), as Shopify allows.
    let (bamboo, health) = {
        let st = sandbox_state().unwrap();
        let mut st = st.lock().unwrap();
        let id = *st.products.iter().find(|(_, p)| p.title == bamboo_title).unwrap().0;
        st.products.get_mut(&id).unwrap().media.push(37);
        let alts: Vec<(String, Option<&str>)> =
            st.products[&1].media.iter().map(|m| (st.files[m].alt.clone(), None)).collect();
        let alts: Vec<(&str, Option<&str>)> = alts.iter().map(|(a, f)| (a.as_str(), *f)).collect();
        (id, mediadesk::audit::Health::of("Polaris Watch", &alts, 512))
    };
    // Open it: the app now knows it uses the file.
    h.get_by_label_contains(&format!("{bamboo_title}\n")).click();
    step_until(&mut h, "Bamboo's media", |h| h.query_by_label_contains("polaris.jpg").is_some());
    search(&mut h, "title:polaris*");
    // The badge counts what the inspector's checks say, not only what is empty.
    let badge = match (health.missing, health.needs_work) {
        (0, 0) => "alt text ok".to_string(),
        (0, w) => format!("{w} of 5 alt texts need work"),
        (m, 0) => format!("{m} of 5 missing alt text"),
        (m, w) => format!("{m} of 5 missing alt text, {w} of 5 alt texts need work"),
    };
    step_until(&mut h, "Polaris with its health badge", |h| {
        h.query_by_label_contains(&format!("Polaris Watch\n5 media, {badge}")).is_some()
    });
    h.get_by_label_contains("Polaris Watch\n").click();
    step_until(&mut h, "the media grid", |h| h.query_by_label_contains("Image 3, polaris.jpg").is_some());
    h.get_by_label_contains("Image 3, polaris.jpg").click();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Delete);
    step_until(&mut h, "the confirmation", |h| h.query_by_label_contains("Also used by:").is_some());
    let names = format!("{:?}", h.get_by_label_contains("Also used by:"));
    assert!(names.contains(&bamboo_title), "{names}");
    assert!(sandbox_alt(37).is_some(), "nothing deleted before the answer");
    h.get_by_label("Delete for good").click();
    step_until(&mut h, "the file deleted", |_| sandbox_alt(37).is_none());
    let st = sandbox_state().unwrap();
    assert!(!st.lock().unwrap().products[&bamboo].media.contains(&37), "gone from the other product too");
}

#[test]
fn shift_click_selects_a_range_and_ctrl_click_drops_one_from_it() {
    let mut h = app(fast());
    open_polaris(&mut h);
    h.get_by_label_contains("Video 1, watches.mp4").click();
    h.run_steps(1);
    // Tiles are named "<kind> <position>, <file>, …".
    h.query_all_by_label_contains(" 4, ").next().unwrap().click_modifiers(egui::Modifiers::SHIFT);
    step_until(&mut h, "a range of four", |h| h.query_by_label_contains("4 media selected").is_some());
    // Shift+End grows the range from where it started to the last media.
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::End);
    step_until(&mut h, "all five", |h| h.query_by_label_contains("5 media selected").is_some());
    h.get_by_label_contains("Image 3, polaris.jpg").click_modifiers(egui::Modifiers::COMMAND);
    step_until(&mut h, "four left", |h| h.query_by_label_contains("4 media selected").is_some());
    h.key_press(egui::Key::Home);
    step_until(&mut h, "just the first", |h| h.query_by_label_contains("media selected").is_none());
    assert!(h.query_by_label("Alt text").is_some(), "one media: the alt editor is back");
}

#[test]
fn text_typed_and_not_saved_waits_as_a_draft_when_another_media_is_picked() {
    let mut h = app(fast());
    open_polaris(&mut h);
    let before = sandbox_alt(37).unwrap();
    h.get_by_label_contains("Image 3, polaris.jpg").click();
    step_until(&mut h, "the alt editor", |h| h.query_by_label("Alt text").is_some());
    replace_alt(&mut h, "Half-written alt");
    h.run_steps(1);
    h.get_by_label_contains("Video 1, watches.mp4").click();
    step_until(&mut h, "the draft marked on its tile", |h| {
        h.query_by_label_contains("polaris.jpg, ready: Man wearing")
            .is_some_and(|n| format!("{n:?}").contains("unsaved"))
    });
    h.get_by_label_contains("Image 3, polaris.jpg").click();
    step_until(&mut h, "the draft back in the editor", |h| {
        h.get_by_label("Alt text").value().as_deref() == Some("Half-written alt")
    });
    assert_eq!(sandbox_alt(37).unwrap(), before, "nothing was sent");
}

#[test]
fn the_product_list_reads_pages_as_it_scrolls_and_follows_the_arrow_keys() {
    let mut h = app(SandboxConfig { products: 400, ..fast() });
    step_until(&mut h, "the first page", |h| h.state().products_loaded() > 0 && !h.state().busy());
    assert_eq!(h.state().products_loaded(), 50, "one page, not the whole catalog");
    h.get_by_label("Products").click();
    h.run_steps(1);
    for _ in 0..70 {
        h.key_press(egui::Key::ArrowDown);
        h.run_steps(1);
    }
    step_until(&mut h, "the next page", |h| h.state().products_loaded() >= 100 && !h.state().busy());
    // The 71st product is open, and its row was scrolled into view.
    let open = h.state().open_product_title();
    step_until(&mut h, "the open product's row in view", |h| {
        h.query_all_by_label_contains(&format!("{}\n", open.clone().unwrap_or_default())).next().is_some()
    });
    assert!(open.is_some());
}

#[test]
fn the_grid_scrolls_to_the_media_the_keyboard_reaches() {
    let mut h = app(fast());
    step_until(&mut h, "the sandbox", |_| sandbox_state().is_some());
    {
        let st = sandbox_state().unwrap();
        let mut st = st.lock().unwrap();
        let template = st.files[&37].clone();
        while st.products[&1].media.len() < 60 {
            let id = st.fresh_id();
            let filename = format!("extra-{id}.jpg");
            st.files.insert(id, mediadesk::sandbox::state::FileRec { id, filename, ..template.clone() });
            st.products.get_mut(&1).unwrap().media.push(id);
        }
    }
    open_polaris(&mut h);
    assert!(h.query_by_label_contains("Image 60,").is_none(), "the last row is out of view");
    h.get_by_label_contains("Video 1, watches.mp4").click();
    h.run_steps(1);
    h.key_press(egui::Key::End);
    step_until(&mut h, "the last media in view", |h| h.query_by_label_contains("Image 60,").is_some());
    h.key_press(egui::Key::Home);
    step_until(&mut h, "the first again", |h| h.query_by_label_contains("Video 1, watches.mp4").is_some());
}

#[test]
fn retrying_an_upload_that_failed_processing_deletes_the_failed_media_first() {
    let mut config = fast();
    config.faults.processing_failure_share = 1.0;
    let dir = temp_dir("retry-failed");
    // With an edit journal: the clearing is written down like any delete.
    let folders = mediadesk::engine::Folders { cache: None, data: Some(dir.join("data")) };
    let mut h = app_in(config, egui::vec2(1300.0, 850.0), folders);
    let picked = png_file(&dir, "doomed.png");
    h.state_mut().set_file_picker(mediadesk::ui::FilePicker::answering(Some(vec![picked])));
    open_polaris(&mut h);
    // The catalog's first sync runs beside the upload; its progress text rewraps the strip,
    // which moves the Retry button between the frame a click aims at and the one that takes
    // it. A merchant aims again; the test waits for the strip to hold still.
    step_until(&mut h, "the catalog's first sync done", |h| {
        h.query_all_by_label_contains("Done: Catalog synced").next().is_some()
    });
    h.get_by_label("Add files…").click();
    step_until(&mut h, "the failure said, with what Retry does", |h| {
        h.query_by_label_contains("Retry deletes the media that failed processing first").is_some()
    });
    assert!(
        h.query_all_by_label_contains("the store could not process this file").next().is_some(),
        "the tile says why"
    );
    let first = {
        let st = sandbox_state().unwrap();
        let st = st.lock().unwrap();
        assert_eq!(st.products[&1].media.len(), 6);
        *st.products[&1].media.last().unwrap()
    };
    click_when(&mut h, "Retry: Uploading 1 file");
    step_until(&mut h, "the second try attached in place of the first", |_| {
        let st = sandbox_state().unwrap();
        let st = st.lock().unwrap();
        st.products[&1].media.len() == 6 && st.products[&1].media.last() != Some(&first)
    });
    let st = sandbox_state().unwrap();
    let st = st.lock().unwrap();
    assert_eq!(st.products[&1].media.len(), 6, "no failed leftover beside the new try");
    assert!(!st.files.contains_key(&first), "the failed media was deleted, not only detached");
    let journal = mediadesk::journal::Journal::open(&dir.join("data"), &mediadesk::model::StoreRef::Sandbox).unwrap();
    let kinds: Vec<(String, mediadesk::journal::State)> =
        journal.history(10).unwrap().into_iter().map(|e| (e.change.kind().to_string(), e.state)).collect();
    assert!(kinds.contains(&("delete".into(), mediadesk::journal::State::Confirmed)), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|(k, _)| k == "upload").count(), 2, "both tries written down: {kinds:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_build_without_the_sandbox_asks_for_a_store() {
    let mut h = Harness::builder().with_size(egui::vec2(1024.0, 700.0)).build_eframe(|cc| {
        MediadeskApp::resume(&cc.egui_ctx, None, Default::default(), Default::default(), None).expect("the app starts")
    });
    step_until(&mut h, "the Stores window, saying why", |h| {
        h.query_by_label_contains("has no sandbox store").is_some()
    });
    assert!(h.query_by_label_contains("No store is connected yet").is_some(), "the banner does not promise a sandbox");
    assert!(h.query_by_label("Use the sandbox store").is_none(), "no way back to a sandbox that is not there");
    assert!(h.query_by_label("Test and save").is_some());
}

#[test]
fn the_same_file_dropped_twice_is_uploaded_once() {
    let mut h = app(fast());
    open_polaris(&mut h);
    let dir = temp_dir("twice");
    let file = png_file(&dir, "twice.png");
    h.input_mut().dropped_files.push(Arc::new(DroppedPath(file.clone())));
    h.input_mut().dropped_files.push(Arc::new(DroppedPath(file)));
    h.step();
    step_until(&mut h, "the uploaded media in the grid, ready", |h| {
        h.query_by_label_contains("Image 6, twice.png, ready").is_some()
    });
    step_until(&mut h, "the upload done", |h| h.query_by_label_contains("Done: Uploading 1 file").is_some());
    let st = sandbox_state().unwrap();
    let st = st.lock().unwrap();
    assert_eq!(st.products[&1].media.len(), 6, "attached once");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_products_badge_follows_its_edits_after_opening_another_product() {
    let mut h = app(fast());
    step_until(&mut h, "the product list", |h| h.query_all_by_label_contains("Bamboo").next().is_some());
    // A product with exactly one media missing its alt text, and that media's file name.
    let (title, file) = {
        let st = sandbox_state().unwrap();
        let st = st.lock().unwrap();
        let (p, m) = st
            .products
            .values()
            .filter(|p| p.id > 1000 && p.media.len() >= 2)
            .filter_map(|p| {
                let empty: Vec<&u64> = p.media.iter().filter(|m| st.files[m].alt.trim().is_empty()).collect();
                (empty.len() == 1 && st.files[empty[0]].kind == mediadesk::sandbox::state::FileKind::Image)
                    .then(|| (p, *empty[0]))
            })
            .min_by_key(|(p, _)| p.title.clone())
            .expect("a product with one image missing its alt text");
        (p.title.clone(), st.files[&m].filename.clone())
    };
    search(&mut h, &format!("title:\"{title}\""));
    step_until(&mut h, "the row says one is missing", |h| {
        h.query_by_label_contains(&format!("{title}\n")).is_some_and(|n| format!("{n:?}").contains("1 of"))
    });
    h.get_by_label_contains(&format!("{title}\n")).click();
    step_until(&mut h, "the media grid", |h| h.query_by_label_contains(&file).is_some());
    h.get_by_label_contains(&file).click();
    step_until(&mut h, "the alt editor", |h| h.query_by_label("Alt text").is_some());
    replace_alt(&mut h, "Folded on a wooden chair in soft window light");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the save", |h| h.query_by_label_contains("Done: Saving the alt text of").is_some());
    // Another product opened: the first one's row keeps the fixed count.
    replace_search(&mut h, "bamboo");
    step_until(&mut h, "another product", |h| h.query_all_by_label_contains("Bamboo").next().is_some());
    h.query_all_by_label_contains("Bamboo").next().unwrap().click();
    h.run_steps(3);
    replace_search(&mut h, &format!("title:\"{title}\""));
    step_until(&mut h, "the row again", |h| h.query_by_label_contains(&format!("{title}\n")).is_some());
    for _ in 0..20 {
        h.step();
    }
    let row = format!("{:?}", h.get_by_label_contains(&format!("{title}\n")));
    assert!(!row.contains("missing alt text"), "the fixed image still counts as missing: {row}");
}

/// Replace the alt editor's text, as a merchant selecting it all and typing would.
fn replace_alt(h: &mut Harness<'static, MediadeskApp>, text: &str) {
    h.get_by_label("Alt text").click();
    h.run_steps(1);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.run_steps(1);
    h.get_by_label("Alt text").type_text(text);
}

/// Replace the search box's text, as a merchant selecting it all and typing would.
fn replace_search(h: &mut Harness<'static, MediadeskApp>, text: &str) {
    h.get_by_label("Products").click();
    h.run_steps(1);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.run_steps(1);
    h.get_by_label("Products").type_text(text);
}

#[test]
fn leaving_a_product_with_unsaved_alt_text_asks_first_and_loses_nothing() {
    let mut h = app(fast());
    open_polaris(&mut h);
    h.get_by_label_contains("polaris.jpg").click();
    step_until(&mut h, "the alt editor", |h| h.query_by_label("Alt text").is_some());
    replace_alt(&mut h, "Polaris watch on a brown leather strap");
    h.run_steps(1);
    // Another product asked for: the window asks instead of dropping the text.
    replace_search(&mut h, "bamboo");
    step_until(&mut h, "another product", |h| h.query_all_by_label_contains("Bamboo").next().is_some());
    h.query_all_by_label_contains("Bamboo").next().unwrap().click();
    step_until(&mut h, "the question", |h| {
        h.query_by_label_contains("1 alt text on Polaris Watch is not saved").is_some()
    });
    h.get_by_label("Stay").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("is not saved").is_none(), "the question is gone");
    assert_eq!(h.state().open_media_count(), Some(5), "still on Polaris Watch");
    assert_eq!(h.get_by_label("Alt text").value().as_deref(), Some("Polaris watch on a brown leather strap"));
    // Asked again: save it and go on.
    h.query_all_by_label_contains("Bamboo").next().unwrap().click();
    step_until(&mut h, "the question again", |h| h.query_by_label("Save and go on").is_some());
    h.get_by_label("Save and go on").click();
    step_until(&mut h, "the text on the store", |_| {
        sandbox_alt(37).as_deref() == Some("Polaris watch on a brown leather strap")
    });
    step_until(&mut h, "the other product open", |h| h.query_by_label_contains("is not saved").is_none());
    assert_ne!(h.state().open_product_title().as_deref(), Some("Polaris Watch"));
}

#[test]
fn without_a_file_dialog_ctrl_o_says_so_and_the_path_field_adds_the_files() {
    let mut h = app(fast());
    let dir = temp_dir("no-dialog");
    let file = png_file(&dir, "typed-path.png");
    h.state_mut().set_file_picker(mediadesk::ui::FilePicker::unavailable());
    open_polaris(&mut h);
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::O]);
    step_until(&mut h, "the explanation", |h| h.query_by_label_contains("No file dialog could open").is_some());
    step_until(&mut h, "the path field", |h| h.query_by_label("Files to add:").is_some());
    h.get_by_label("Files to add:").click();
    h.run_steps(1);
    h.get_by_label("Files to add:").type_text(&format!("'{}'", file.display()));
    h.run_steps(1);
    h.get_by_label("Add").click();
    step_until(&mut h, "the typed file in the grid", |h| {
        h.query_by_label_contains("Image 6, typed-path.png").is_some()
    });
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn at_the_720_by_480_minimum_the_panels_give_way_and_nothing_is_cut_off() {
    let mut h = app_sized(fast(), egui::vec2(720.0, 480.0));
    open_polaris(&mut h);
    h.get_by_label_contains("Image 3, polaris.jpg").click();
    step_until(&mut h, "the alt editor", |h| h.query_by_label("Alt text").is_some());
    let add = h.get_by_label("Add files…").rect();
    let editor = h.get_by_label("Alt text").rect();
    assert!(add.right() <= 720.0 && add.right() <= editor.left(), "Add files… is in view: {add:?}");
    // The tiles sit wholly left of the inspector.
    for tile in ["Video 1, watches.mp4", "Image 3, polaris.jpg"] {
        let r = h.get_by_label_contains(tile).rect();
        assert!(r.right() <= editor.left() && r.width() >= 90.0, "{tile} is whole and beside the inspector: {r:?}");
    }
    assert!(editor.right() <= 720.0, "the inspector fits: {editor:?}");
}

#[test]
fn tab_from_the_search_box_reaches_the_product_rows_and_space_opens_one() {
    let mut h = app(fast());
    step_until(&mut h, "the product list", |h| h.query_all_by_label_contains("Bamboo").next().is_some());
    h.get_by_label("Products").click();
    h.run_steps(1);
    // The focused node, as the accessibility tree says.
    let focused = |h: &Harness<'static, MediadeskApp>| -> Option<String> {
        format!("{:#?}", h.root())
            .split("Node {")
            .find(|n| n.contains("focused: true"))
            .and_then(|n| n.split("label: ").nth(1))
            .map(|l| l.split('\n').next().unwrap_or_default().to_string())
    };
    let mut reached = None;
    for _ in 0..8 {
        h.key_press(egui::Key::Tab);
        h.run_steps(1);
        if let Some(label) = focused(&h).filter(|l| l.contains(" media") || l.contains("no media")) {
            reached = Some(label);
            break;
        }
    }
    let row = reached.expect("Tab reaches a product row after the search box, Sync now and the legend");
    let title = row.trim_start_matches("Some(").trim_start_matches('"').split("\\n").next().unwrap().to_string();
    h.key_press(egui::Key::Space);
    step_until(&mut h, "the focused row's product open", |h| {
        h.state().open_product_title().as_deref() == Some(title.as_str())
    });
}

#[test]
fn an_external_video_shows_where_it_plays_instead_of_a_file() {
    let mut h = app(fast());
    open_polaris(&mut h);
    h.get_all_by_label_contains("External video").next().expect("a YouTube video on the product").click();
    step_until(&mut h, "its address", |h| h.query_by_label_contains("https://www.youtube.com/watch?v=").is_some());
    assert!(h.query_by_label_contains("Plays at").is_some());
    assert!(h.query_by_label("File").is_none(), "a YouTube link is not called a file");
}

/// The label of the node the accessibility tree says has the keyboard.
fn focused_label(h: &Harness<'static, MediadeskApp>) -> Option<String> {
    format!("{:#?}", h.root())
        .split("Node {")
        .find(|n| n.contains("focused: true"))
        .and_then(|n| n.split("label: ").nth(1))
        .map(|l| {
            l.split('\n').next().unwrap_or_default().trim_start_matches("Some(").trim_end_matches("),").to_string()
        })
}

/// Tab `n` times from where the keyboard is, collecting where it lands.
fn tab_through(h: &mut Harness<'static, MediadeskApp>, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            h.key_press(egui::Key::Tab);
            h.run_steps(1);
            focused_label(h).unwrap_or_default()
        })
        .collect()
}

#[test]
fn tab_goes_through_the_stores_form_and_the_inspector_in_reading_order() {
    let mut h = app(fast());
    step_until(&mut h, "the sandbox", |_| sandbox_url().is_some());
    click_when(&mut h, "Connect your store…");
    step_until(&mut h, "the form", |h| h.query_by_label("Shop (name or name.myshopify.com)").is_some());
    h.get_by_label("Shop (name or name.myshopify.com)").click();
    h.run_steps(1);
    let order = tab_through(&mut h, 2);
    assert!(order[0].contains("Use a client id and secret"), "{order:?}");
    assert!(order[1].contains("Admin API access token"), "{order:?}");
    h.key_press(egui::Key::Escape);
    h.get_by_label("Close window").click();
    h.run_steps(2);

    open_polaris(&mut h);
    h.get_by_label_contains("polaris.jpg").click();
    step_until(&mut h, "the alt editor", |h| h.query_by_label("Alt text").is_some());
    h.get_by_label("Alt text").click();
    h.run_steps(1);
    // Save and Revert are off until the text changes: the next stops are the two actions.
    let order = tab_through(&mut h, 2);
    assert!(order[0].contains("Remove from product"), "{order:?}");
    assert!(order[1].contains("Delete permanently"), "{order:?}");
}
