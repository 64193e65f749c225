//! The desktop app: the window, its panels and how it applies the engine's events.

mod about;
mod activity;
mod app;
mod audit;
mod audit_fix;
mod banner;
mod connect_help;
mod edits;
mod events;
mod files;
mod grid;
mod history;
mod inspector;
mod known;
mod leaving;
mod picker;
mod scroll;
mod stores;
mod theme;
mod thumbnails;
mod unconfirmed;

pub use app::{MediadeskApp, PERSIST_KEY, Persisted};
pub use files::FilePicker;
pub use theme::Appearance;

/// Open the window and run until it closes; `launcher` starts the built-in sandbox when the app
/// needs it (builds with the sandbox); the stores' catalogs live in `data_dir`.
/// `files` (opened with the app from a file manager) wait for the merchant to choose their product.
pub fn run(
    launcher: Option<crate::store::LocalLauncher>,
    data_dir: Option<std::path::PathBuf>,
    files: Vec<std::path::PathBuf>,
) -> Result<(), String> {
    if let Some(missing) = no_display() {
        return Err(missing);
    }
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("mediadesk")
        .with_app_id("mediadesk")
        .with_inner_size([1200.0, 780.0])
        .with_min_inner_size([720.0, 480.0]);
    // The icon made from assets/mediadesk.svg (packaging/make-icons.sh); a window without one
    // still works.
    match eframe::icon_data::from_png_bytes(ICON) {
        Ok(icon) => viewport = viewport.with_icon(std::sync::Arc::new(icon)),
        Err(e) => tracing::warn!(error = %e, "the window icon could not be read"),
    }
    let options = eframe::NativeOptions { viewport, ..Default::default() };
    eframe::run_native(
        "mediadesk",
        options,
        Box::new(|cc| Ok(Box::new(MediadeskApp::restored(cc, launcher, data_dir)?.with_files(files)))),
    )
    .map_err(|e| window_error(&e.to_string()))
}

/// The app's icon, 256 px.
pub const ICON: &[u8] = include_bytes!("../../assets/icons/mediadesk-256.png");

/// How to carry on without a window: the command line does everything the window does.
const WITHOUT_A_WINDOW: &str =
    "the command line works without one: run `mediadesk --help` (e.g. `mediadesk --store sandbox products`)";

/// On Linux and the BSDs, a window needs an X11 or Wayland display: say so plainly when neither
/// is set, before the windowing library fails with its own words.
fn no_display() -> Option<String> {
    if !cfg!(all(unix, not(target_os = "macos"))) {
        return None;
    }
    let set = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
    (!set("DISPLAY") && !set("WAYLAND_DISPLAY")).then(|| {
        format!("no display was found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot open; {WITHOUT_A_WINDOW}")
    })
}

/// The window library's failure in plain words, without the build paths some of its messages carry.
pub fn window_error(raw: &str) -> String {
    let lower = raw.to_ascii_lowercase();
    if lower.contains("display") || lower.contains("wayland") || lower.contains("x11") || lower.contains("eventloop") {
        return format!("the window could not open: no usable display was found; {WITHOUT_A_WINDOW}");
    }
    if lower.contains("opengl") || lower.contains("glutin") || lower.contains("egl") || lower.contains("glx") {
        return format!(
            "the window could not open: OpenGL is not available (install your graphics driver, or Mesa for software \
             rendering); {WITHOUT_A_WINDOW}"
        );
    }
    // Keep the library's words but drop anything that looks like a source path.
    let words: Vec<&str> = raw.split_whitespace().filter(|w| !w.contains(".rs") && !w.contains("/.cargo/")).collect();
    format!("the window could not open: {}", words.join(" "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn window_errors_are_said_plainly_without_build_paths() {
        let raw = "winit EventLoopError: os error at /root/.cargo/registry/src/index/winit-0.30/src/x11/mod.rs:42: \
                   Failed to open display";
        let e = super::window_error(raw);
        assert!(e.contains("no usable display") && e.contains("mediadesk --help"), "{e}");
        assert!(!e.contains(".cargo") && !e.contains(".rs"), "{e}");
        let e = super::window_error("glutin: no suitable OpenGL config");
        assert!(e.contains("OpenGL is not available"), "{e}");
    }
}
