//! The inspector on the right: for one media a larger preview, the alt-text editor with its
//! count and the audit's hints, and the file's facts; for several, what can be done to all of
//! them. Removing and deleting start here, with a confirmation where it cannot be undone. The
//! inspector owns the text being edited; what changes the product comes back as actions.

use std::collections::HashMap;

use egui::{RichText, Vec2};

use super::known::Known;
use super::thumbnails::Thumbnails;
use crate::audit;
use crate::engine::Engine;
use crate::model::{Media, MediaId, ProductMedia};
use crate::order::Place;
use crate::store::Capabilities;

/// Height of the preview at the top of the inspector.
const PREVIEW_HEIGHT: f32 = 240.0;

/// What a confirmation under the inspector is about to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Confirm {
    /// Delete these files from the store, from every product.
    Delete(Vec<MediaId>),
    /// Remove from a product on a store where that deletes the images.
    RemoveForGood(Vec<MediaId>),
}

/// The inspector's own state: the alt text being edited, drafts left behind, a pending question.
#[derive(Default)]
pub(super) struct InspectorView {
    /// The alt text in the editor.
    pub(super) draft: String,
    /// Put the keyboard in the editor on the next frame.
    pub(super) focus: bool,
    /// Alt texts typed and not saved (or refused by the store), per media, offered again.
    pub(super) unsaved: HashMap<MediaId, String>,
    /// A confirmation waiting for an answer.
    pub(super) confirm: Option<Confirm>,
    /// The media whose alt text the store confirmed last, and that text: "Saved" shows beside
    /// the editor while it holds that text.
    pub(super) saved: Option<(MediaId, String)>,
}

/// What the inspector shows: the open product, the grid's cursor and selection, and what the
/// store can do.
pub(super) struct InspectorInput<'a> {
    pub(super) media: Option<&'a ProductMedia>,
    pub(super) cursor: Option<&'a MediaId>,
    /// The selection, in grid order.
    pub(super) selection: Vec<MediaId>,
    pub(super) capabilities: &'a Capabilities,
    /// The products seen so far, to name the others that share a file before a delete.
    pub(super) known: &'a Known,
    pub(super) thumbs: &'a mut Thumbnails,
    pub(super) engine: &'a Engine,
}

/// What the user asked the inspector for, for the app to carry out.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum InspectorAction {
    /// Save the editor's text as the cursor media's alt text.
    SaveAlt,
    /// Move the selected media as one block.
    Move(Place),
    /// Remove the selection from the product; `confirmed` once a deleting removal was agreed to.
    Remove { confirmed: bool },
    /// Delete these files for good (confirmed).
    Delete(Vec<MediaId>),
    /// Give the keyboard back to the grid.
    BackToGrid,
}

impl InspectorView {
    /// Draw the inspector.
    pub(super) fn inspector_ui(&mut self, ui: &mut egui::Ui, mut input: InspectorInput<'_>) -> Vec<InspectorAction> {
        let mut actions = Vec::new();
        ui.add_space(6.0);
        let Some(pm) = input.media else {
            ui.label(RichText::new("No media selected.").weak());
            return actions;
        };
        if input.selection.len() > 1 {
            self.several(ui, pm, &input, &mut actions);
        } else if let Some(id) = input.cursor.filter(|id| pm.media.iter().any(|m| &m.id == *id)) {
            self.one(ui, pm, id, &mut input, &mut actions);
        } else {
            ui.label(RichText::new("Click a thumbnail to edit its alt text.").weak());
            ui.label(
                RichText::new("Keyboard: Enter in the search box goes to the grid; arrows move, Enter edits.")
                    .weak()
                    .small(),
            );
            return actions;
        }
        self.confirmation(ui, pm, input.known, &mut actions);
        actions
    }
    /// Several media selected: move or remove them together.
    fn several(
        &mut self,
        ui: &mut egui::Ui,
        pm: &ProductMedia,
        input: &InspectorInput<'_>,
        actions: &mut Vec<InspectorAction>,
    ) {
        let n = input.selection.len();
        ui.label(RichText::new(format!("{n} media selected")).strong());
        let missing = pm.media.iter().filter(|m| input.selection.contains(&m.id) && m.alt.trim().is_empty()).count();
        if missing > 0 {
            ui.label(
                RichText::new(format!("{missing} of them have no alt text."))
                    .color(super::theme::palette(ui.ctx()).warn)
                    .small(),
            );
        }
        ui.label(
            RichText::new("Drag any of them to move them together, or use Alt+arrows, Alt+Home, Alt+End.")
                .weak()
                .small(),
        );
        ui.horizontal_wrapped(|ui| {
            if ui.button("Move to start").clicked() {
                actions.push(InspectorAction::Move(Place::Start));
            }
            if ui.button("Move to end").clicked() {
                actions.push(InspectorAction::Move(Place::End));
            }
        });
        ui.separator();
        self.removal_buttons(ui, input, actions);
    }

    /// Remove (and, on Shopify, delete for good) buttons for `n` selected media.
    fn removal_buttons(&mut self, ui: &mut egui::Ui, input: &InspectorInput<'_>, actions: &mut Vec<InspectorAction>) {
        let n = input.selection.len();
        let what = if n == 1 { String::new() } else { format!(" {n}") };
        // Wrapped, so long labels never widen the panel.
        ui.horizontal_wrapped(|ui| {
            let hint = if input.capabilities.removal_deletes {
                "This store deletes images removed from a product; you will be asked first"
            } else {
                "Detach from this product; the file stays in the store's library (Delete key, Ctrl+Z undoes)"
            };
            if ui.button(format!("Remove{what} from product")).on_hover_text(hint).clicked() {
                actions.push(InspectorAction::Remove { confirmed: false });
            }
            if input.capabilities.file_library
                && ui.button(format!("Delete{what} permanently…")).on_hover_text("Shift+Delete").clicked()
            {
                self.confirm = Some(Confirm::Delete(input.selection.clone()));
            }
        });
    }

    /// A confirmation that is waiting for an answer, naming what it will touch.
    fn confirmation(
        &mut self,
        ui: &mut egui::Ui,
        pm: &ProductMedia,
        known: &Known,
        actions: &mut Vec<InspectorAction>,
    ) {
        let Some(confirm) = self.confirm.clone() else { return };
        ui.add_space(6.0);
        let (media, question, yes) = match &confirm {
            Confirm::Delete(media) => {
                // A YouTube or Vimeo link is not a file: name what the merchant sees.
                let links = media
                    .iter()
                    .all(|id| pm.media.iter().any(|m| &m.id == id && m.kind == crate::model::MediaKind::ExternalVideo));
                let (files, it) = match (media.len(), links) {
                    (1, true) => ("this video link".to_string(), "it"),
                    (n, true) => (format!("these {n} video links"), "them"),
                    (1, false) => ("this file".to_string(), "it"),
                    (n, false) => (format!("these {n} files"), "them"),
                };
                (
                    media.clone(),
                    format!("Delete {files} from the store and every product that uses {it}?"),
                    "Delete for good",
                )
            }
            Confirm::RemoveForGood(media) => {
                let images =
                    if media.len() == 1 { "this image".to_string() } else { format!("these {} images", media.len()) };
                (media.clone(), format!("Ecwid deletes {images} when removed from the product."), "Remove and delete")
            }
        };
        ui.label(RichText::new(question).color(super::theme::palette(ui.ctx()).bad));
        let others = known.other_products(&pm.id, &media);
        if !others.is_empty() {
            ui.label(
                RichText::new(format!("Also used by: {}.", others.join(", ")))
                    .color(super::theme::palette(ui.ctx()).bad)
                    .small(),
            );
        }
        ui.label(RichText::new("This cannot be undone.").color(super::theme::palette(ui.ctx()).bad).small());
        ui.horizontal(|ui| {
            // The destructive choice looks it: white on a dark red that meets AA.
            let (fill, ink) = super::theme::BADGE_MISSING;
            if ui.add(egui::Button::new(RichText::new(yes).color(ink).strong()).fill(fill)).clicked() {
                match confirm {
                    Confirm::Delete(media) => actions.push(InspectorAction::Delete(media)),
                    Confirm::RemoveForGood(_) => actions.push(InspectorAction::Remove { confirmed: true }),
                }
            }
            if ui.button("Keep it").clicked() {
                self.confirm = None;
            }
        });
    }

    /// One media: preview, alt editor, facts, removal.
    fn one(
        &mut self,
        ui: &mut egui::Ui,
        pm: &ProductMedia,
        id: &MediaId,
        input: &mut InspectorInput<'_>,
        actions: &mut Vec<InspectorAction>,
    ) {
        let Some(m) = pm.media.iter().find(|m| &m.id == id) else { return };
        preview(ui, m, input);
        ui.add_space(6.0);
        self.alt_editor(ui, pm, m, input.capabilities.alt_max_chars, actions);
        ui.separator();
        facts(ui, m);
        ui.separator();
        self.removal_buttons(ui, input, actions);
    }

    /// The alt-text editor with its count, keys, the audit's hints, Save and Revert.
    fn alt_editor(
        &mut self,
        ui: &mut egui::Ui,
        pm: &ProductMedia,
        m: &Media,
        limit: usize,
        actions: &mut Vec<InspectorAction>,
    ) {
        let label = ui.label(RichText::new("Alt text").strong());
        // A long alt text scrolls inside its box instead of pushing the hints out of view.
        let draft = &mut self.draft;
        let edit = egui::ScrollArea::vertical()
            .id_salt("alt-editor")
            .max_height(110.0)
            .show(ui, |ui| {
                ui.add(egui::TextEdit::multiline(draft).desired_rows(3).desired_width(f32::INFINITY))
                    .labelled_by(label.id)
            })
            .inner;
        if std::mem::take(&mut self.focus) {
            edit.request_focus();
        }
        let count = self.draft.chars().count();
        ui.horizontal(|ui| {
            let colour = if count > limit {
                super::theme::palette(ui.ctx()).bad
            } else if count > 125 {
                super::theme::palette(ui.ctx()).warn
            } else {
                ui.visuals().weak_text_color()
            };
            ui.label(RichText::new(format!("{count} / {limit}")).color(colour).small());
            if edit.has_focus() {
                ui.label(RichText::new("Enter or Ctrl+S saves, Esc reverts").weak().small());
            }
        });
        self.editor_keys(ui, &edit, m, actions);
        let siblings: Vec<&str> = pm.media.iter().filter(|o| o.id != m.id).map(|o| o.alt.as_str()).collect();
        let findings = audit::check(&audit::Subject {
            filename: m.filename.as_deref(),
            siblings: &siblings,
            ..audit::Subject::new(&self.draft, &pm.title, limit)
        });
        for f in &findings {
            let colour = if f.severity == audit::Severity::Error {
                super::theme::palette(ui.ctx()).bad
            } else {
                super::theme::palette(ui.ctx()).warn
            };
            ui.label(RichText::new(format!("• {}", f.message)).color(colour).small());
        }
        ui.horizontal(|ui| {
            let changed = self.draft.trim() != m.alt;
            if ui.add_enabled(changed && count <= limit, egui::Button::new("Save alt text")).clicked() {
                actions.push(InspectorAction::SaveAlt);
            }
            if ui.add_enabled(changed, egui::Button::new("Revert")).clicked() {
                self.draft = m.alt.clone();
            }
            let confirmed = self.saved.as_ref().is_some_and(|(id, alt)| *id == m.id && *alt == self.draft.trim());
            if confirmed {
                ui.label(RichText::new("Saved").color(super::theme::palette(ui.ctx()).good));
            }
        });
    }

    /// The editor's keys: Enter and Ctrl+S save; Escape reverts, or with nothing to revert
    /// hands the keyboard back to the grid.
    fn editor_keys(&mut self, ui: &egui::Ui, edit: &egui::Response, m: &Media, actions: &mut Vec<InspectorAction>) {
        let (enter, ctrl_s, escape) = ui.input(|i| {
            (
                i.key_pressed(egui::Key::Enter) && !i.modifiers.shift,
                i.modifiers.command && i.key_pressed(egui::Key::S),
                i.key_pressed(egui::Key::Escape),
            )
        });
        if edit.has_focus() && enter {
            // Enter saves (the newline it typed is not part of the text) and hands the keyboard
            // back to the grid, visibly: the editor no longer looks focused, the tile's ring shows.
            self.draft = self.draft.trim_end_matches('\n').to_string();
            actions.push(InspectorAction::SaveAlt);
            edit.surrender_focus();
            actions.push(InspectorAction::BackToGrid);
        }
        if ctrl_s {
            actions.push(InspectorAction::SaveAlt);
        }
        if escape && (edit.has_focus() || edit.lost_focus()) {
            if self.draft == m.alt {
                // Nothing to revert: Escape hands the keyboard back to the grid.
                edit.surrender_focus();
                actions.push(InspectorAction::BackToGrid);
            }
            self.draft = m.alt.clone();
        }
    }
}

/// The larger preview; its box has its size before the picture arrives, so nothing below moves.
fn preview(ui: &mut egui::Ui, m: &Media, input: &mut InspectorInput<'_>) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(ui.available_width(), PREVIEW_HEIGHT), egui::Sense::hover());
    ui.painter().rect_filled(rect, 6.0, ui.visuals().extreme_bg_color);
    if let Some(t) = m.preview_url.as_deref().and_then(|u| input.thumbs.texture(u, input.engine)) {
        t.paint(ui.painter(), rect);
    }
}

/// A media's status as a merchant would say it.
fn status_words(status: crate::model::MediaStatus) -> &'static str {
    match status {
        crate::model::MediaStatus::Uploaded => "Uploaded, waiting to be processed",
        crate::model::MediaStatus::Processing => "Being processed by the store",
        crate::model::MediaStatus::Ready => "Ready: shown in the store",
        crate::model::MediaStatus::Failed => "Failed: the store could not process it",
    }
}

/// The file's facts: name, kind, status, size, and the platform's processing errors.
fn facts(ui: &mut egui::Ui, m: &Media) {
    egui::Grid::new("facts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
        let mut fact = |k: &str, v: String| {
            ui.label(RichText::new(k).weak());
            ui.label(v);
            ui.end_row();
        };
        if m.kind != crate::model::MediaKind::ExternalVideo {
            fact("File", m.filename.as_deref().map_or_else(|| "—".into(), |f| crate::text::visible(f).into_owned()));
        }
        fact("Type", m.kind.label().to_string());
        fact("State", status_words(m.status).to_string());
        if let (Some(w), Some(h)) = (m.width, m.height) {
            // A 3D model's pixels are its poster's, not its own.
            let what = if m.kind == crate::model::MediaKind::Model3d { "Poster" } else { "Dimensions" };
            fact(what, format!("{w} × {h} px"));
        }
        if let Some(b) = m.size_bytes {
            fact("File size", format!("{:.1} MB", b as f64 / 1_048_576.0));
        }
    });
    // An external video lives on its host's page: shown, and opened in the browser on click.
    if m.kind == crate::model::MediaKind::ExternalVideo {
        match &m.external_url {
            Some(url) => {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("Plays at").weak());
                    ui.hyperlink_to(crate::text::visible(url).into_owned(), url)
                        .on_hover_text("Open it in the browser");
                });
            }
            None => {
                ui.label(RichText::new("The store gave no address for this video.").weak());
            }
        }
    }
    for e in &m.errors {
        ui.label(RichText::new(e).color(super::theme::palette(ui.ctx()).bad));
    }
}
