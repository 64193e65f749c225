//! The window's own costs (a bench binary: `cargo bench --bench ui`), driven headless with
//! egui_kittest against the sandbox:
//!
//! open:  from clicking a product with 250 media to every thumbnail in view decoded and uploaded,
//!        with 50 ms of added latency per request (no disk cache yet: every run is cold);
//! frame: CPU time of one frame (egui logic and layout, no GPU) with that grid open, while the
//!        pointer moves over it; p50 and p95 over 300 frames.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use mediadesk::sandbox::state::Pixels;
use mediadesk::sandbox::{Faults, SandboxConfig};
use mediadesk::ui::MediadeskApp;

fn step_until(h: &mut Harness<'static, MediadeskApp>, done: impl Fn(&mut Harness<'static, MediadeskApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(h) {
        assert!(Instant::now() < deadline, "timed out");
        h.step();
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn main() {
    let config = SandboxConfig {
        faults: Faults { latency: Duration::from_millis(50), ..Faults::default() },
        ..SandboxConfig::default()
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| MediadeskApp::with_sandbox(&cc.egui_ctx, config));
    step_until(&mut h, |h| {
        h.state().engine().sandbox_state().is_some() && h.query_all_by_label_contains("Bamboo").next().is_some()
    });
    {
        // Fill the Polaris Watch to 250 media, each a different picture.
        let st = h.state().engine().sandbox_state().unwrap();
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
    h.get_by_label_contains("Polaris Watch\n").click();
    let t = Instant::now();
    step_until(&mut h, |h| {
        let app = h.state();
        app.open_media_count() == Some(250) && app.thumbnails_loaded() > 0 && app.thumbnails_pending() == 0
    });
    let open = t.elapsed();
    let shown = h.state().thumbnails_loaded();
    println!(
        "open: 250-media product, 50 ms latency: {shown} thumbnails in view drawn after {} ms (cold)",
        open.as_millis()
    );

    let mut times = Vec::new();
    for i in 0..300 {
        let x = 320.0 + (i % 60) as f32 * 12.0;
        let y = 120.0 + (i / 60) as f32 * 120.0;
        h.hover_at(egui::pos2(x, y));
        let t = Instant::now();
        h.step();
        times.push(t.elapsed());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    println!(
        "frame: 250-media grid open, pointer moving: p50 {:.2} ms, p95 {:.2} ms CPU per frame",
        pct(0.5),
        pct(0.95)
    );
}
