//! The History window: the journal's recent changes (what, which product, before → after,
//! when, where each stands), each confirmed one with its own Undo.

use egui::RichText;

use crate::engine::{Command, HistoryItem};

/// The window and what it lists.
#[derive(Default)]
pub struct HistoryWindow {
    /// Shown.
    pub open: bool,
    /// The changes, newest first, as the engine last sent them.
    pub items: Vec<HistoryItem>,
    /// Where its button is: the window opens under it.
    pub anchor: Option<egui::Pos2>,
}

impl HistoryWindow {
    /// Draw the window when open; the command a button asks for comes back.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Command> {
        if !self.open {
            return None;
        }
        let mut open = true;
        let mut command = None;
        let now = crate::time::unix(std::time::SystemTime::now());
        let mut window = egui::Window::new("History").open(&mut open).default_size([640.0, 420.0]);
        if let Some(at) = self.anchor {
            // Right-aligned with its button, kept inside the window.
            let left = (at.x - 560.0).max(8.0);
            window = window.default_pos(egui::pos2(left, at.y + 6.0));
        }
        window.show(ctx, |ui| {
            if self.items.is_empty() {
                ui.label("No changes yet: the alt texts you save are listed here, with an Undo for each.");
                return;
            }
            egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
                let quote = |s: &str| {
                    if s.is_empty() {
                        "no alt text".to_string()
                    } else {
                        format!("\u{201c}{}\u{201d}", crate::text::visible(s))
                    }
                };
                for item in &self.items {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(&item.title).strong()).on_hover_text(item.product.0.as_str());
                        ui.label(RichText::new(crate::text::ago(now.saturating_sub(item.made_at))).weak());
                        ui.label(&item.state);
                        if item.undoable {
                            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                                let hover = format!("Put back {}", quote(&item.before));
                                if ui.button("Undo").on_hover_text(hover).clicked() {
                                    command = Some(Command::UndoChange(item.id));
                                }
                            });
                        }
                    });
                    ui.label(format!("Was {}, now {}.", quote(&item.before), quote(&item.after)));
                    ui.separator();
                }
            });
        });
        self.open = open;
        command
    }
}
