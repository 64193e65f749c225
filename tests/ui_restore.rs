//! Starting the app again: the last store is reopened with the secret the keyring holds, and
//! its last product is shown; when that fails the user is told and lands on the sandbox.
//! (Its own test binary: keyring's mock store is set for the whole process.)
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use mediadesk::model::ProductId;
use mediadesk::model::StoreRef;
use mediadesk::sandbox::{Sandbox, SandboxConfig};
use mediadesk::ui::{MediadeskApp, Persisted};

fn step_until(
    h: &mut Harness<'static, MediadeskApp>,
    what: &str,
    done: impl Fn(&Harness<'static, MediadeskApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(h) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The app as eframe would start it with this saved state, its store requests sent to `endpoint`.
/// The flag turns true if the app starts its sandbox.
fn resumed(saved: Persisted, endpoint: String) -> (Harness<'static, MediadeskApp>, Arc<AtomicBool>) {
    let started = Arc::new(AtomicBool::new(false));
    let flag = started.clone();
    let mut h = Harness::builder().with_size(egui::vec2(1300.0, 850.0)).build_eframe(move |cc| {
        let launcher =
            mediadesk::cli::sandbox_launcher(SandboxConfig::default(), move |_| flag.store(true, Ordering::SeqCst));
        MediadeskApp::resume(&cc.egui_ctx, Some(launcher), Default::default(), saved, Some(endpoint))
            .expect("the app starts")
    });
    h.run_steps(2);
    (h, started)
}

#[test]
fn the_last_store_and_product_come_back_and_a_missing_secret_is_explained() {
    keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
    // The "real" store: a second sandbox, whose Ecwid face plays Ecwid store 1003.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ecwid = rt.block_on(Sandbox::start(SandboxConfig::default())).unwrap();
    let store: StoreRef = "ecwid:1003".parse().unwrap();
    let saved = || Persisted {
        saved_stores: vec!["ecwid:1003".into()],
        last_store: Some("ecwid:1003".into()),
        last_product: Some(ProductId("1".into())),
        tile_zoom: None,
        appearance: Default::default(),
    };

    // Nothing in the keyring: the user reads why, on the sandbox.
    let (mut h, _) = resumed(saved(), ecwid.url());
    step_until(&mut h, "the explanation", |h| {
        h.query_by_label_contains("ecwid:1003 could not be opened, so this is the sandbox").is_some()
    });
    // The sandbox opens once the saved store has failed (it is not started before it is needed).
    step_until(&mut h, "the sandbox", |h| h.query_by_label_contains("built-in sandbox store").is_some());
    assert!(h.query_by_label_contains("not found").is_none(), "the Ecwid product is not looked for in the sandbox");
    drop(h);

    mediadesk::secrets::save(&store, &mediadesk::secrets::Secret::new(mediadesk::sandbox::ecwid::SECRET_TOKEN))
        .unwrap();
    let (mut h, sandbox_started) = resumed(saved(), ecwid.url());
    step_until(&mut h, "the Ecwid store", |h| h.query_by_label_contains("Ecwid store mediadesk sandbox").is_some());
    step_until(&mut h, "its last product", |h| h.query_by_label_contains("polaris.jpg").is_some());
    assert_eq!(h.state().open_media_count(), Some(ecwid_media(&ecwid)));
    assert!(!sandbox_started.load(Ordering::SeqCst), "opening a real store starts no sandbox server");
}

/// How many images and videos the Ecwid face shows for product 1.
fn ecwid_media(sandbox: &Sandbox) -> usize {
    let st = sandbox.state();
    let st = st.lock().unwrap();
    st.products[&1]
        .media
        .iter()
        .filter(|m| !matches!(st.files[m].kind, mediadesk::sandbox::state::FileKind::Model3d))
        .count()
}
