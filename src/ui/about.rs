//! The About window: the app's name and version, where its data and logs are, and "Copy
//! diagnostics" (version, system, renderer, store platform and the last log lines, never a
//! token or a shop's secrets) for a support request.

use egui::RichText;

/// Log lines the diagnostics carry.
const LOG_LINES: usize = 40;

/// The window, and what the diagnostics need to know of the running app.
#[derive(Default)]
pub struct AboutWindow {
    /// Shown.
    pub open: bool,
    /// Where its button is: the window opens under it.
    pub anchor: Option<egui::Pos2>,
    /// The OpenGL version and driver, once the first frame has told.
    pub renderer: Option<String>,
    /// The diagnostics were copied (said beside the button).
    copied: bool,
    /// Light, dark or the system's theme (kept between runs).
    pub appearance: super::theme::Appearance,
}

impl AboutWindow {
    /// Draw the window when open; `store` is the open store's platform in words.
    pub fn show(&mut self, ctx: &egui::Context, store: &str, data_dir: Option<&std::path::Path>) {
        if !self.open {
            return;
        }
        let mut open = true;
        let mut window = egui::Window::new("About mediadesk").open(&mut open).resizable(false).collapsible(false);
        if let Some(at) = self.anchor {
            window = window.default_pos(egui::pos2((at.x - 380.0).max(8.0), at.y + 6.0));
        }
        window.show(ctx, |ui| {
            ui.heading(format!("mediadesk {}", env!("CARGO_PKG_VERSION")));
            ui.label("Product media for Shopify and Ecwid stores: order, upload, alt text, and the store-wide audit.");
            ui.add_space(6.0);
            let log = crate::logging::dir().map(|d| d.join(crate::logging::FILE));
            egui::Grid::new("about-paths").num_columns(2).show(ui, |ui| {
                ui.label("Data");
                ui.label(data_dir.map_or_else(|| "not kept (no data folder)".into(), |d| d.display().to_string()));
                ui.end_row();
                ui.label("Log file");
                ui.label(log.as_ref().map_or_else(|| "none (no log folder)".into(), |p| p.display().to_string()));
                ui.end_row();
            });
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                use super::theme::Appearance;
                ui.label("Appearance");
                let before = self.appearance;
                egui::ComboBox::from_id_salt("appearance").selected_text(before.words()).show_ui(ui, |ui| {
                    for a in [Appearance::System, Appearance::Dark, Appearance::Light] {
                        ui.selectable_value(&mut self.appearance, a, a.words());
                    }
                });
                if self.appearance != before {
                    super::theme::apply(ui.ctx(), self.appearance);
                }
            });
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let copy = ui.button("Copy diagnostics").on_hover_text(
                    "Version, system, renderer, the store's platform and the last log lines, for a support \
                     request. Never a token or a shop's secrets.",
                );
                if copy.clicked() {
                    ui.ctx().copy_text(self.diagnostics(store, log.as_deref()));
                    self.copied = true;
                }
                if self.copied {
                    ui.label(RichText::new("Copied to the clipboard").color(super::theme::palette(ui.ctx()).good));
                }
            });
        });
        if !open {
            self.open = false;
            self.copied = false;
        }
    }

    /// The diagnostics as text.
    pub fn diagnostics(&self, store: &str, log: Option<&std::path::Path>) -> String {
        let mut out = vec![
            format!("mediadesk {}", env!("CARGO_PKG_VERSION")),
            format!("System: {} ({} {})", system_name(), std::env::consts::OS, std::env::consts::ARCH),
            format!("Renderer: {}", self.renderer.as_deref().unwrap_or("not known yet")),
            format!("Store: {store}"),
        ];
        match log {
            Some(path) => {
                out.push(format!("Last lines of {}:", path.display()));
                out.extend(crate::logging::last_lines(path, LOG_LINES));
            }
            None => out.push("No log file.".into()),
        }
        out.join("\n")
    }
}

/// The system's own name for itself, where it says (`PRETTY_NAME` of os-release on Linux).
fn system_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_string()))
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}
