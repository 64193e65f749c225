//! The question asked when the edit journal holds changes the store never confirmed (the app
//! closed, or the store did not answer): "3 changes were not confirmed: Resume, Discard, Show".

use egui::RichText;

use crate::engine::{Command, UnconfirmedChange};

/// The most the open list takes of the window's height (about eight lines).
const LIST_HEIGHT: f32 = 160.0;

/// The unconfirmed changes and what the bar shows of them.
#[derive(Default)]
pub struct UnconfirmedBar {
    /// The changes, oldest first; the bar is hidden when empty.
    pub changes: Vec<UnconfirmedChange>,
    /// The list is open.
    pub listing: bool,
    /// Discard was pressed once: the second press drops them.
    pub confirming_discard: bool,
}

impl UnconfirmedBar {
    /// The engine's latest list (an empty one closes the bar).
    pub fn set(&mut self, changes: Vec<UnconfirmedChange>) {
        if changes.is_empty() {
            *self = UnconfirmedBar::default();
        } else {
            self.changes = changes;
        }
    }

    /// Draw the bar; the command a button asks for comes back.
    pub fn show(&mut self, ui: &mut egui::Ui) -> Option<Command> {
        if self.changes.is_empty() {
            return None;
        }
        let warn = super::theme::palette(ui.ctx()).warn;
        let n = self.changes.len();
        let mut command = None;
        ui.horizontal_wrapped(|ui| {
            let words = if n == 1 {
                "1 change was not confirmed by the store.".to_string()
            } else {
                format!("{n} changes were not confirmed by the store.")
            };
            ui.label(RichText::new(words).color(warn));
            if ui.button("Resume").on_hover_text("Send them in the order they were made, each checked against the store first: a text changed there since is shown, not overwritten.").clicked() {
                command = Some(Command::ResumeChanges { only: None, overwrite: false });
            }
            if self.confirming_discard {
                let drop = egui::Button::new(RichText::new(format!("Discard {n} for good")).color(egui::Color32::WHITE))
                    .fill(super::theme::BADGE_MISSING.0);
                if ui.add(drop).clicked() {
                    command = Some(Command::DiscardChanges { only: None });
                    self.confirming_discard = false;
                }
                if ui.button("Keep them").clicked() {
                    self.confirming_discard = false;
                }
            } else if ui.button("Discard…").on_hover_text("Drop them: they will not be sent.").clicked() {
                self.confirming_discard = true;
            }
            let toggle = if self.listing { "Hide" } else { "Show" };
            if ui.button(toggle).clicked() {
                self.listing = !self.listing;
            }
        });
        // A change that met a change made on the store since: both versions, and the choice.
        for c in self.changes.iter().filter(|c| c.conflict.is_some()) {
            let store = c.conflict.as_deref().unwrap_or_default();
            ui.group(|ui| {
                ui.label(
                    RichText::new(format!("{} was changed on the store since you edited it.", c.title)).color(warn),
                );
                egui::Grid::new(("conflict", c.id)).num_columns(2).show(ui, |ui| {
                    ui.label("On the store:");
                    ui.label(format!("\u{201c}{}\u{201d}", crate::text::visible(store)));
                    ui.end_row();
                    ui.label("Yours:");
                    ui.label(format!("\u{201c}{}\u{201d}", crate::text::visible(&c.after)));
                    ui.end_row();
                });
                ui.horizontal(|ui| {
                    if ui
                        .button("Keep the store's")
                        .on_hover_text("Drop your change: the store keeps its version.")
                        .clicked()
                    {
                        command = Some(Command::DiscardChanges { only: Some(c.id) });
                    }
                    if ui.button("Send mine").on_hover_text("Replace the store's version with yours.").clicked() {
                        command = Some(Command::ResumeChanges { only: Some(c.id), overwrite: true });
                    }
                });
            });
        }
        if self.listing {
            // A batch may leave hundreds: the list scrolls instead of pushing the window down.
            egui::ScrollArea::vertical().max_height(LIST_HEIGHT).auto_shrink([false, true]).show(ui, |ui| {
                for c in &self.changes {
                    let why = c.why.as_deref().map(|w| format!(" ({w})")).unwrap_or_default();
                    ui.label(format!("{}: \u{201c}{}\u{201d}{why}", c.title, crate::text::visible(&c.after)));
                }
            });
        }
        command
    }
}
