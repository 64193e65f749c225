//! The window's own costs (a bench binary: `cargo bench --bench ui`), driven headless with
//! egui_kittest against the sandbox, with 50 ms of added latency on every request:
//!
//! open, cold: from clicking a product with 250 media to every thumbnail in view decoded and
//!             uploaded, with an empty disk cache;
//! open, warm: the same in a new app on the same store, whose disk cache holds the media list
//!             and the thumbnails from the first run (what reopening the app looks like);
//! frame:      CPU time of one frame (egui logic and layout, no GPU) with that grid open, while
//!             the pointer moves over it; p50 and p95 over 300 frames;
//! picker:     the same while the mouse wheel scrolls a list of 10,000 products (no latency;
//!             the health badges of the rows scrolled past are read meanwhile).
//!
//! audit:      the same while the mouse wheel scrolls the audit view's list of every finding of
//!             a 10,000-product store (about 80,000 media), after its catalog is synced.
//!
//! `cargo bench --bench ui -- picker` runs only the picker's; `-- audit` only the audit's.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use mediadesk::engine::Folders;
use mediadesk::sandbox::state::Pixels;
use mediadesk::sandbox::{Faults, SandboxConfig};
use mediadesk::ui::MediadeskApp;

type App = Harness<'static, MediadeskApp>;

fn step_until(h: &mut App, done: impl Fn(&mut App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h) {
        assert!(Instant::now() < deadline, "timed out");
        h.step();
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A port that is free now, so two app runs can serve the same store at the same address.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An app on the sandbox at `port`, its Polaris Watch filled to 250 media, the product list
/// searched down to it. Returns once the row can be clicked.
fn app_at(port: u16, cache: PathBuf) -> App {
    let config = SandboxConfig {
        port,
        faults: Faults { latency: Duration::from_millis(50), ..Faults::default() },
        ..SandboxConfig::default()
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let launcher = mediadesk::cli::sandbox_launcher(config, move |sb| {
        let _ = tx.send(sb.state());
    });
    let mut h = Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_eframe(move |cc| {
        MediadeskApp::with_sandbox_in(
            &cc.egui_ctx,
            launcher,
            Folders { data: Some(cache.join("catalogs")), cache: Some(cache) },
        )
        .expect("the app starts")
    });
    step_until(&mut h, |h| h.query_all_by_label_contains("Bamboo").next().is_some());
    let sandbox = rx.recv().expect("the sandbox started");
    {
        // Each a different picture; the ids come out the same in every run.
        let st = sandbox.clone();
        let mut st = st.lock().unwrap();
        let template = st.files[&37].clone();
        while st.products[&1].media.len() < 250 {
            let id = st.fresh_id();
            let file = mediadesk::sandbox::state::FileRec {
                id,
                pixels: Some(Pixels::Generated { seed: id }),
                ..template.clone()
            };
            st.files.insert(id, file);
            st.products.get_mut(&1).unwrap().media.push(id);
        }
    }
    h.get_by_label("Products").click();
    h.run_steps(1);
    h.get_by_label("Products").type_text("title:polaris*");
    step_until(&mut h, |h| h.query_by_label_contains("Polaris Watch\n").is_some());
    // Let the picker's own thumbnails and health reads settle first.
    step_until(&mut h, |h| h.state().thumbnails_pending() == 0 && !h.state().busy());
    h
}

/// Click the product and time until every tile in view shows its thumbnail.
fn open(h: &mut App) -> (Duration, usize) {
    let before = h.state().thumbnails_loaded();
    h.get_by_label_contains("Polaris Watch\n").click();
    let t = Instant::now();
    step_until(h, |h| {
        let app = h.state();
        app.open_media_count() == Some(250) && app.thumbnails_loaded() > before && app.thumbnails_pending() == 0
    });
    (t.elapsed(), h.state().thumbnails_loaded() - before)
}

/// p50 and p95 of the time `frame` takes, over `n` frames, in milliseconds.
fn frame_times(h: &mut App, n: usize, mut before_each: impl FnMut(&mut App, usize)) -> (f64, f64) {
    let mut times = Vec::new();
    for i in 0..n {
        before_each(h, i);
        let t = Instant::now();
        h.step();
        times.push(t.elapsed());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    (pct(0.5), pct(0.95))
}

/// p50 and p95 frame times over 600 frames while the mouse wheel turns over `at`, `step`
/// points a notch: 400 frames one way, then 200 back.
fn wheel_frame_times(h: &mut App, at: egui::Pos2, step: f32) -> (f64, f64) {
    frame_times(h, 600, |h, i| {
        // About a frame's time between frames, as in a window, so pages arrive while scrolling.
        std::thread::sleep(Duration::from_millis(8));
        h.hover_at(at);
        let down = if (i / 200) % 3 == 2 { step } else { -step };
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, down),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
    })
}

/// Frame times while a 10,000-product list scrolls.
fn picker() {
    let config = SandboxConfig { products: 10_000, ..SandboxConfig::default() };
    let launcher = mediadesk::cli::sandbox_launcher(config, |_| {});
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| MediadeskApp::with_sandbox(&cc.egui_ctx, launcher).expect("the app starts"));
    step_until(&mut h, |h| {
        h.state().open_product_title().is_none() && h.state().products_loaded() > 0 && !h.state().busy()
    });
    let (p50, p95) = wheel_frame_times(&mut h, egui::pos2(140.0, 400.0), 120.0);
    let loaded = h.state().products_loaded();
    println!(
        "picker: 10,000 products, wheel scrolling ({loaded} read so far, a page at a time): p50 {p50:.2} ms, p95 {p95:.2} ms CPU per frame"
    );
}

fn audit() {
    let data = std::env::temp_dir().join(format!("mediadesk-bench-audit-{}", std::process::id()));
    std::fs::remove_dir_all(&data).ok();
    let config = SandboxConfig { products: 10_000, ..SandboxConfig::default() };
    let launcher = mediadesk::cli::sandbox_launcher(config, |_| {});
    let folders = Folders { data: Some(data.clone()), cache: None };
    let mut h = Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_eframe(move |cc| {
        MediadeskApp::with_sandbox_in(&cc.egui_ctx, launcher, folders).expect("the app starts")
    });
    // The catalog synced: the product list says how many products this computer holds.
    let deadline = Instant::now() + Duration::from_secs(600);
    while !format!("{:#?}", h.root()).contains(" products on this computer") || h.state().busy() {
        assert!(Instant::now() < deadline, "timed out syncing");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::Num2]);
    let started = Instant::now();
    step_until(&mut h, |h| h.state_mut().audit_listed().is_some());
    let listed = h.state_mut().audit_listed().unwrap_or(0);
    println!(
        "audit: the view filled with {listed} media with findings {} ms after Ctrl+2",
        started.elapsed().as_millis()
    );
    let (p50, p95) = wheel_frame_times(&mut h, egui::pos2(700.0, 600.0), 240.0);
    println!("audit: {listed} findings listed, wheel scrolling: p50 {p50:.2} ms, p95 {p95:.2} ms CPU per frame");
    drop(h);
    std::fs::remove_dir_all(&data).ok();
}

fn main() {
    if std::env::args().any(|a| a == "picker") {
        picker();
        return;
    }
    if std::env::args().any(|a| a == "audit") {
        audit();
        return;
    }
    let cache = std::env::temp_dir().join(format!("mediadesk-bench-cache-{}", std::process::id()));
    std::fs::remove_dir_all(&cache).ok();
    let port = free_port();

    let mut h = app_at(port, cache.clone());
    let (cold, shown) = open(&mut h);
    println!(
        "open, cold: 250-media product, 50 ms latency: {shown} thumbnails in view drawn after {} ms",
        cold.as_millis()
    );

    let (p50, p95) = frame_times(&mut h, 300, |h, i| {
        let x = 320.0 + (i % 60) as f32 * 12.0;
        let y = 120.0 + (i / 60) as f32 * 120.0;
        h.hover_at(egui::pos2(x, y));
    });
    println!("frame: 250-media grid open, pointer moving: p50 {p50:.2} ms, p95 {p95:.2} ms CPU per frame");

    // Close the app; the next one serves the same catalog at the same address.
    drop(h);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the first sandbox did not let go of its port");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut h = app_at(port, cache.clone());
    let (warm, shown) = open(&mut h);
    println!("open, warm: same product in a new app: {shown} thumbnails in view drawn after {} ms", warm.as_millis());
    drop(h);
    std::fs::remove_dir_all(&cache).ok();
    picker();
    audit();
}
