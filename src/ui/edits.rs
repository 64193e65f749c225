//! The edits a user makes on the open product: selecting, reordering, removing, deleting,
//! saving alt text, undoing and retrying, uploading. Each shows its effect at once and sends
//! the work to the engine.

use std::collections::HashSet;
use std::path::PathBuf;

use super::app::{MediadeskApp, Undo};
use super::audit::AuditAction;
use super::inspector::Confirm;
use crate::engine::Command;
use crate::model::{Media, MediaId, ProductId};
use crate::order::{self, Place};

impl MediadeskApp {
    /// Put the grid in this order (ids it does not know are skipped).
    pub(super) fn show_order(&mut self, product: &ProductId, order: &[MediaId]) {
        let Some(pm) = self.media.as_mut().filter(|pm| &pm.id == product) else { return };
        let mut media: Vec<Media> =
            order.iter().filter_map(|id| pm.media.iter().find(|m| &m.id == id).cloned()).collect();
        // Media the order does not name (new since it was taken) stay, at the end.
        media.extend(pm.media.iter().filter(|m| !order.contains(&m.id)).cloned());
        for (i, m) in media.iter_mut().enumerate() {
            m.position = i as u32;
        }
        pm.media = media;
        self.row_follows_media();
    }

    /// The open product's row in the list shows what the grid shows: its first picture and
    /// its media count, as soon as they change.
    pub(super) fn row_follows_media(&mut self) {
        let Some(pm) = self.media.as_ref() else { return };
        let first = pm.media.first().and_then(|m| m.preview_url.clone());
        if let Some(row) = self.picker.products.iter_mut().find(|p| p.id == pm.id) {
            row.preview_url = first;
            row.media_count = u32::try_from(pm.media.len()).unwrap_or(u32::MAX);
        }
    }

    /// Take media off the grid (removed or deleted; the store's answer follows).
    fn hide(&mut self, gone: &[MediaId]) {
        let Some(pm) = self.media.as_mut() else { return };
        pm.media.retain(|m| !gone.contains(&m.id));
        for (i, m) in pm.media.iter_mut().enumerate() {
            m.position = i as u32;
        }
        self.row_follows_media();
    }

    /// Select one media (a plain click), or extend (`range`) or toggle (`toggle`) the selection.
    pub(super) fn select_media(&mut self, id: &MediaId, toggle: bool, range: bool) {
        let order = self.order();
        if range && let Some(anchor) = self.grid.anchor.clone() {
            let (Some(a), Some(b)) = (order.iter().position(|m| *m == anchor), order.iter().position(|m| m == id))
            else {
                return;
            };
            self.grid.selection = order[a.min(b)..=a.max(b)].to_vec();
        } else if toggle {
            self.grid.anchor = Some(id.clone());
            if let Some(at) = self.grid.selection.iter().position(|m| m == id) {
                // Unselected: the cursor goes to what is still selected.
                self.grid.selection.remove(at);
                let last = self.grid.selection.last().cloned();
                self.grid.cursor = None;
                if let Some(last) = last {
                    self.select_cursor(&last);
                }
                return;
            }
            self.grid.selection.push(id.clone());
        } else {
            self.grid.selection = vec![id.clone()];
            self.grid.anchor = Some(id.clone());
        }
        self.select_cursor(id);
    }

    /// Put the cursor (and the inspector) on this media. Text typed for the media it leaves and
    /// not saved is kept as a draft for when it comes back.
    pub(super) fn select_cursor(&mut self, id: &MediaId) {
        if let Some(left) = self.grid.cursor.clone().filter(|m| m != id) {
            let stored =
                self.media.as_ref().and_then(|pm| pm.media.iter().find(|m| m.id == left)).map(|m| m.alt.trim());
            if stored.is_some_and(|s| s != self.inspector.draft.trim()) {
                self.inspector.unsaved.insert(left, std::mem::take(&mut self.inspector.draft));
            }
        }
        self.grid.cursor = Some(id.clone());
        self.inspector.confirm = None;
        let stored = self.media.as_ref().and_then(|pm| pm.media.iter().find(|m| &m.id == id)).map(|m| m.alt.clone());
        self.inspector.draft = self.inspector.unsaved.remove(id).or(stored).unwrap_or_default();
    }

    /// A tile was dropped on the tile at `target`: the selection moves if the dragged tile is
    /// part of it, otherwise the dragged tile alone.
    pub(super) fn drop_dragged(&mut self, dragged: &MediaId, target: usize) {
        let order = self.order();
        let Some(from) = order.iter().position(|m| m == dragged) else { return };
        if !self.grid.selection.contains(dragged) {
            self.select_media(dragged, false, false);
        }
        let first_selected = order.iter().position(|m| self.grid.selection.contains(m)).unwrap_or(from);
        let place = if first_selected < target { Place::After(target) } else { Place::Before(target) };
        self.move_selection(place);
    }

    /// Move the selected media as one block: on screen at once, on the store in the background.
    pub(super) fn move_selection(&mut self, place: Place) {
        let selected: HashSet<MediaId> = self.grid.selection.iter().cloned().collect();
        let order = self.order();
        let new = order::move_block(&order, |m| selected.contains(m), place);
        self.reorder_to(new);
    }

    /// Show a new order and send it; undoable.
    pub(super) fn reorder_to(&mut self, new: Vec<MediaId>) {
        let previous = self.order();
        let Some(product) = self.media.as_ref().map(|pm| pm.id.clone()) else { return };
        if new == previous {
            return;
        }
        self.show_order(&product, &new);
        let what = format!("new order of {}", self.media.as_ref().map_or("", |pm| pm.title.as_str()));
        self.undo.push(Undo::Order { product: product.clone(), previous: previous.clone(), what });
        let title = "Saving the new order".to_string();
        self.engine.send(Command::Reorder { product, order: new, previous, title });
    }

    /// The selection, in grid order.
    pub(super) fn selected_in_order(&self) -> Vec<MediaId> {
        self.order().into_iter().filter(|m| self.grid.selection.contains(m)).collect()
    }

    /// Remove the selected media from the product. On Shopify the files stay in the library and
    /// Ctrl+Z attaches them again; on Ecwid removing deletes, so it asks first.
    pub(super) fn remove_selected(&mut self, confirmed: bool) {
        let media = self.selected_in_order();
        let Some(product) = self.media.as_ref().map(|pm| pm.id.clone()) else { return };
        if media.is_empty() {
            return;
        }
        if self.capabilities.removal_deletes && !confirmed {
            self.inspector.confirm = Some(Confirm::RemoveForGood(media));
            return;
        }
        let order = self.order();
        if self.capabilities.file_library {
            let what = match media.len() {
                1 => format!("removal of {}", self.media_name(&media[0])),
                n => format!("removal of {n} media"),
            };
            self.undo.push(Undo::Removal {
                product: product.clone(),
                media: media.clone(),
                order: order.clone(),
                what,
            });
        }
        self.hide(&media);
        self.grid.clear();
        self.inspector.confirm = None;
        self.engine.send(Command::Remove { product, media, order });
    }

    /// Delete the selected files from the store, after the confirmation asked for it.
    pub(super) fn delete(&mut self, media: Vec<MediaId>) {
        let Some(product) = self.media.as_ref().map(|pm| pm.id.clone()) else { return };
        self.hide(&media);
        self.grid.clear();
        self.inspector.confirm = None;
        self.engine.send(Command::Delete { product, media });
    }

    /// Save the text in the alt editor for the media under the cursor.
    pub(super) fn save_alt(&mut self) {
        let Some(id) = self.grid.cursor.clone() else { return };
        self.save_text(id, self.inspector.draft.clone());
    }

    /// Save `text` as the alt text of the open product's media `id`: on screen at once, on the
    /// store in the background; undoable. Text over the store's limit is never sent.
    pub(super) fn save_text(&mut self, id: MediaId, text: String) {
        let Some(product) = self.media.as_ref().map(|pm| pm.id.clone()) else { return };
        let draft = text.trim().to_string();
        if draft.chars().count() > self.capabilities.alt_max_chars {
            return;
        }
        let Some(m) = self.media_mut(&id) else { return };
        if m.alt == draft {
            return;
        }
        let previous = std::mem::replace(&mut m.alt, draft.clone());
        let what = format!("alt text of {}", self.media_name(&id));
        let title = format!("Saving the {what}");
        self.undo.push(Undo::Alt { product: product.clone(), media: id.clone(), previous: previous.clone(), what });
        self.engine.send(Command::SaveAlt { product, media: id, alt: draft, previous, title });
    }

    /// How the strip names a media of the open product: its file name, else its kind and place.
    pub(super) fn media_name(&self, id: &MediaId) -> String {
        let m = self.media.as_ref().and_then(|pm| pm.media.iter().find(|m| &m.id == id));
        match m {
            Some(m) => match &m.filename {
                Some(f) => crate::text::visible(f).into_owned(),
                None => format!("{} {}", m.kind.label().to_lowercase(), m.position + 1),
            },
            None => "a media".into(),
        }
    }

    /// Take back the last alt edit, reorder or removal, by sending its inverse to the store.
    pub(super) fn undo_last(&mut self) {
        // Nothing left of this session: the journal's last confirmed change (after a restart).
        let Some(last) = self.undo.pop() else { return self.engine.send(Command::UndoLast) };
        match last {
            Undo::Journal { .. } => self.engine.send(Command::UndoLast),
            // "Undo: …" titles read "Undone: …" in the strip once done.
            Undo::Alt { product, media, previous, what } => {
                let Some(m) = self.media_mut(&media) else { return };
                let now = std::mem::replace(&mut m.alt, previous.clone());
                if self.grid.cursor.as_ref() == Some(&media) {
                    self.inspector.draft = previous.clone();
                }
                let title = format!("Undo: {what}");
                self.engine.send(Command::UndoAlt { product, media, alt: previous, previous: now, title });
            }
            Undo::Order { product, previous, what } => {
                let now = self.order();
                self.show_order(&product, &previous);
                let title = format!("Undo: {what}");
                self.engine.send(Command::UndoReorder { product, order: previous, previous: now, title });
            }
            Undo::Removal { product, media, order, .. } => {
                self.engine.send(Command::Reattach { product, media, order });
            }
        }
    }

    /// Send a failed job's command again, showing its effect at once as the first try did.
    pub(super) fn retry(&mut self, job: u64) {
        let Some(command) = self.activity.take_retry(job) else {
            return;
        };
        let command = match command {
            Command::SaveAlt { product, media, alt, previous, title } => {
                if let Some(m) = self.media_mut(&media) {
                    m.alt = alt.clone();
                }
                if self.grid.cursor.as_ref() == Some(&media) {
                    self.inspector.draft = alt.clone();
                }
                Command::SaveAlt { product, media, alt, previous, title }
            }
            Command::Reorder { product, order, previous, title } => {
                self.show_order(&product, &order);
                Command::Reorder { product, order, previous, title }
            }
            Command::Upload { product, paths, replace_failed, .. } => {
                let names: Vec<String> = paths.iter().map(|p| crate::engine::file_name(p)).collect();
                self.uploads.retain(|u| !(u.product == product && names.contains(&u.name)));
                return self.send_upload(product, paths, replace_failed);
            }
            other => other,
        };
        self.engine.send(command);
    }

    /// Upload files (or the files of folders) to a product: the engine names them first, each
    /// gets a tile, then its progress.
    pub(super) fn upload(&mut self, product: ProductId, paths: Vec<PathBuf>) {
        self.send_upload(product, paths, Vec::new());
    }

    fn send_upload(&mut self, product: ProductId, paths: Vec<PathBuf>, replace_failed: Vec<crate::model::MediaId>) {
        let batch = self.next_batch;
        self.next_batch += 1;
        self.engine.send(Command::Upload { product, paths, batch, replace_failed });
    }

    /// Open the native file dialog without waiting for it.
    pub(super) fn add_files(&mut self, ctx: &egui::Context) {
        if self.selected.is_none() {
            self.activity.error = Some("Pick a product first, then add files to it.".into());
            return;
        }
        if self.picking.is_none() {
            self.picking = Some(self.file_picker.pick(ctx));
        }
    }

    /// The path field, while it is offered: paths typed or pasted go to the open product's upload.
    pub(super) fn path_field(&mut self, ui: &mut egui::Ui) {
        let Some(text) = self.path_entry.as_mut() else { return };
        let mut add = false;
        let mut close = false;
        ui.horizontal(|ui| {
            let label = ui.label("Files to add:");
            let field = ui
                .add(
                    egui::TextEdit::singleline(text)
                        .hint_text("/home/me/Pictures/mug.jpg; /home/me/Videos/mug.mp4")
                        .desired_width(ui.available_width() - 120.0),
                )
                .labelled_by(label.id);
            add = ui.button("Add").clicked() || (field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)));
            close = ui.button("Close").clicked();
        });
        if close {
            self.path_entry = None;
        } else if add {
            let paths = super::files::typed_paths(text);
            if let (false, Some(product)) = (paths.is_empty(), self.selected.clone()) {
                text.clear();
                self.upload(product, paths);
            }
        }
    }

    /// Switch views; the audit is read the first time it is shown, and again after a sync.
    pub(super) fn show_view(&mut self, view: super::app::View) {
        self.view = view;
        if view == super::app::View::Audit && (!self.audit.loaded || self.audit_stale) && !self.audit.loading {
            self.audit.loading = true;
            self.audit_stale = false;
            self.engine.send(Command::LoadAudit);
        }
    }

    /// The audit view, and what its buttons ask for carried out.
    pub(super) fn audit_panel(&mut self, ui: &mut egui::Ui) {
        let mut thumbs = std::mem::take(&mut self.thumbs);
        let engine = &self.engine;
        let actions = self.audit.ui(ui, &mut |url: &str, ask: bool| {
            if ask { thumbs.texture(url, engine) } else { thumbs.ready(url) }
        });
        self.thumbs = thumbs;
        for action in actions {
            match action {
                AuditAction::Load => self.engine.send(Command::LoadAudit),
                AuditAction::Open { product, media } => {
                    self.view = super::app::View::Products;
                    self.select_after_open = Some(media);
                    self.open_product(product);
                }
                AuditAction::SaveAlt(c) => {
                    let what = format!("alt text of {}", crate::text::visible(&c.name));
                    self.undo.push(Undo::Journal { what: what.clone() });
                    self.engine.send(Command::SaveAlt {
                        product: c.product,
                        media: c.media,
                        alt: c.alt,
                        previous: c.previous,
                        title: format!("Alt text of {}", crate::text::visible(&c.name)),
                    });
                }
                AuditAction::Apply(changes) => {
                    let n = changes.len();
                    self.undo.push(Undo::Journal { what: format!("the bulk fix of {n} alt texts") });
                    self.engine.send(Command::SaveAlts { changes, title: format!("Bulk fix of {n} alt texts") });
                }
                AuditAction::Decorative(media, decorative) => {
                    self.audit.loading = true;
                    self.engine.send(Command::SetDecorative { media, decorative });
                }
            }
        }
    }
}
