//! Leaving a product with alt text typed and not saved: the window asks before anything is lost
//! (save it all and go on, discard it, or stay).

use egui::RichText;

use super::app::MediadeskApp;
use crate::model::MediaId;

/// What the merchant chose.
enum Choice {
    Save,
    Discard,
    Stay,
}

impl MediadeskApp {
    /// The alt texts typed on the open product and not saved, by media: the one in the editor
    /// and the drafts left on other media.
    pub(super) fn unsaved_texts(&self) -> Vec<(MediaId, String)> {
        let Some(pm) = self.media.as_ref() else { return Vec::new() };
        pm.media
            .iter()
            .filter_map(|m| {
                let text = if self.grid.cursor.as_ref() == Some(&m.id) {
                    Some(self.inspector.draft.clone()).filter(|d| d.trim() != m.alt.trim())
                } else {
                    self.inspector.unsaved.get(&m.id).cloned()
                };
                text.map(|t| (m.id.clone(), t))
            })
            .collect()
    }

    /// Ask, while a product is waiting to open, what to do with the unsaved alt texts.
    pub(super) fn leaving_ui(&mut self, ctx: &egui::Context) {
        let Some(next) = self.leaving.clone() else { return };
        let texts = self.unsaved_texts();
        let limit = self.capabilities.alt_max_chars;
        let over = texts.iter().filter(|(_, t)| t.trim().chars().count() > limit).count();
        let title = self.media.as_ref().map(|pm| pm.title.clone()).unwrap_or_default();
        let mut choice = None;
        let modal = egui::Modal::new(egui::Id::unique("unsaved alt text")).show(ctx, |ui| {
            ui.set_max_width(420.0);
            ui.heading("Alt text not saved");
            let what = match texts.len() {
                1 => format!("1 alt text on {title} is not saved."),
                n => format!("{n} alt texts on {title} are not saved."),
            };
            ui.label(what);
            if over > 0 {
                ui.label(
                    RichText::new(format!(
                        "{over} of them is over the store's {limit}-character limit: shorten it first."
                    ))
                    .color(super::theme::palette(ui.ctx()).bad),
                );
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let save = ui.add_enabled(over == 0, egui::Button::new("Save and go on"));
                if save.clicked() {
                    choice = Some(Choice::Save);
                }
                if ui.button("Discard").clicked() {
                    choice = Some(Choice::Discard);
                }
                if ui.button("Stay").clicked() {
                    choice = Some(Choice::Stay);
                }
            });
        });
        if modal.should_close() && choice.is_none() {
            // Esc or a click outside: nothing is lost by staying.
            choice = Some(Choice::Stay);
        }
        match choice {
            Some(Choice::Save) => {
                for (id, text) in texts {
                    self.inspector.unsaved.remove(&id);
                    self.save_text(id, text);
                }
                self.leaving = None;
                self.open_product_now(next);
            }
            Some(Choice::Discard) => {
                for (id, _) in texts {
                    self.inspector.unsaved.remove(&id);
                }
                self.inspector.draft.clear();
                self.leaving = None;
                self.open_product_now(next);
            }
            Some(Choice::Stay) => self.leaving = None,
            None => {}
        }
    }
}
