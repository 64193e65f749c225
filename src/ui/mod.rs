//! The desktop app: the window, its panels and how it applies the engine's events.

mod activity;
mod app;
mod edits;
mod files;
mod grid;
mod inspector;
mod picker;
mod scroll;
mod stores;

pub use app::{LAST_PRODUCT_KEY, LAST_STORE_KEY, MediadeskApp, SAVED_STORES_KEY};
pub use files::FilePicker;

/// Open the window and run until it closes.
pub fn run() -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("mediadesk")
            .with_inner_size([1200.0, 780.0])
            .with_min_inner_size([720.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native("mediadesk", options, Box::new(|cc| Ok(Box::new(MediadeskApp::restored(cc)))))
        .map_err(|e| format!("the window could not open: {e}"))
}
