//! How the window applies the engine's events to its state.

use std::time::Instant;

use super::app::{Job, MediadeskApp, TEXTURES_KEPT, THUMB_RETRY, UploadTile};
use crate::engine::{Command, Event, UploadState};
use crate::model::{ProductAlts, ProductMedia, StoreRef};
use crate::store::Capabilities;

impl MediadeskApp {
    /// Apply one event from the engine.
    pub(super) fn apply(&mut self, ctx: &egui::Context, event: Event) {
        match event {
            Event::Connected { store, label, limitations, capabilities } => {
                self.on_connected(store, label, limitations, capabilities)
            }
            Event::Notice(text) => {
                // Shown with the token's limitations, once.
                if !self.limitations.contains(&text) {
                    self.limitations.push(text);
                }
            }
            Event::ConnectFailed(message) => self.on_connect_failed(message),
            Event::Products { generation, page, first } => self.picker.on_page(generation, page, first),
            Event::Media(media) => self.on_media(media),
            Event::MediaNamed { media, name } => {
                self.uploaded_names.insert(media, name);
            }
            Event::Scanned(alts) => self.learn(&alts),
            Event::Thumbnail { url, image } => self.on_thumbnail(ctx, url, image),
            Event::ThumbnailFailed(url) => {
                self.requested.remove(&url);
                self.thumb_failed.insert(url, Instant::now());
                ctx.request_repaint_after(THUMB_RETRY);
            }
            Event::Activity { job, title, state } => match self.jobs.iter_mut().find(|(id, _)| *id == job) {
                Some((_, j)) => {
                    j.title = title;
                    j.state = state;
                }
                None => self.jobs.push((job, Job { title, state, retry: None })),
            },
            Event::Retry { job, command } => {
                if let Some((_, j)) = self.jobs.iter_mut().find(|(id, _)| *id == job) {
                    j.retry = Some(*command);
                }
            }
            Event::UploadQueued { batch, product, names } => {
                for (index, name) in names.into_iter().enumerate() {
                    let state = UploadState::Sending(0.0);
                    self.uploads.push(UploadTile { batch, index, product: product.clone(), name, state });
                }
            }
            Event::Upload { batch, index, state } => {
                if let Some(u) = self.uploads.iter_mut().find(|u| u.batch == batch && u.index == index) {
                    u.state = state;
                }
            }
            Event::AltRefused { media, previous, attempted } => {
                if let Some(m) = self.media_mut(&media) {
                    m.alt = previous;
                }
                // The store keeps its text; the refused one stays in the editor, unsaved, to fix
                // or save again (kept for when the media is selected again, if it is not now).
                if self.selected_media.as_ref() != Some(&media) {
                    self.unsaved.insert(media, attempted);
                }
            }
            Event::ReorderRefused { product, previous } => {
                self.show_order(&product, &previous);
                self.error = Some("The new order could not be saved; the old order is back.".into());
            }
            Event::Failed(message) => {
                self.error = Some(message);
                self.picker.on_failed();
            }
        }
    }

    /// A store answered: remember it, and start over with its products when it is another.
    fn on_connected(&mut self, store: StoreRef, label: String, limitations: Vec<String>, capabilities: Capabilities) {
        let first = self.store_label.is_none();
        self.store_label = Some(label);
        self.limitations = limitations;
        self.capabilities = capabilities;
        let changed = self.store != store;
        self.store = store.clone();
        if let Some(pending) = self.stores.pending.take_if(|p| *p == store) {
            let name = pending.to_string();
            if !self.stores.saved.contains(&name) {
                self.stores.saved.push(name);
            }
            self.stores.secret.clear();
            self.stores.open = false;
        }
        // Still busy while another store is being opened (the sandbox answers first at start).
        self.stores.busy = self.stores.pending.is_some();
        self.stores.message = None;
        if first {
            self.search_again();
        } else if changed {
            // Another store: start over with its products.
            self.selected = None;
            self.media = None;
            self.clear_selection();
            self.undo.clear();
            self.health.clear();
            self.health_wanted.clear();
            self.used_by.clear();
            self.media_of.clear();
            self.picker.products.clear();
            self.search_again();
        }
        if let Some((_, id)) = self.pending_product.take_if(|(s, _)| *s == store) {
            self.open_product(id);
        }
    }

    /// A store could not be opened: say why, and fall back to the sandbox (or ask for a store).
    fn on_connect_failed(&mut self, message: String) {
        self.stores.busy = false;
        if let Some(store) = self.stores.pending.take()
            && !self.stores.open
        {
            // Reopening the last store at start: say so where it is seen, and open the
            // sandbox instead when nothing is open yet.
            self.pending_product = None;
            if self.store_label.is_none() && self.has_sandbox {
                self.error = Some(format!("{store} could not be opened, so this is the sandbox: {message}"));
                self.engine.send(Command::UseSandbox);
            } else {
                self.error = Some(format!("{store} could not be opened: {message}"));
                self.stores.open = self.store_label.is_none();
            }
        } else if self.store_label.is_none() {
            // Nothing is open and there is no sandbox to fall back on: ask for a store.
            self.stores.open = true;
        }
        self.stores.message = Some(message);
    }

    /// A product's media as the store has them now.
    fn on_media(&mut self, mut media: ProductMedia) {
        // A media without a file name of its own (failed processing) is named after its upload.
        for m in media.media.iter_mut().filter(|m| m.filename.is_none()) {
            m.filename = self.uploaded_names.get(&m.id).cloned();
        }
        self.learn(&ProductAlts {
            id: media.id.clone(),
            title: media.title.clone(),
            media: media.media.iter().map(|m| (m.id.clone(), m.alt.clone())).collect(),
        });
        if Some(&media.id) == self.selected.as_ref() {
            if let Some(m) = media.media.iter().find(|m| Some(&m.id) == self.selected_media.as_ref()) {
                // Follow the store's text unless the user is in the middle of changing it.
                let shown = self.media_mut(&m.id).map(|old| old.alt.clone());
                if shown.is_none_or(|shown| shown == self.alt_draft) {
                    self.alt_draft = m.alt.clone();
                }
            }
            // Finished uploads are now real media: their tiles can go.
            self.uploads.retain(|u| u.product != media.id || u.state != UploadState::Done);
            self.selection.retain(|id| media.media.iter().any(|m| &m.id == id));
            self.media = Some(media);
        }
    }

    /// A decoded thumbnail: upload it as a texture, keeping at most `TEXTURES_KEPT`.
    fn on_thumbnail(&mut self, ctx: &egui::Context, url: String, image: std::sync::Arc<egui::ColorImage>) {
        let texture = ctx.load_texture(&url, (*image).clone(), egui::TextureOptions::LINEAR);
        self.textures.insert(url.clone(), texture);
        self.texture_order.push_back(url);
        // Dropping a handle frees its texture: keep memory bounded.
        while self.texture_order.len() > TEXTURES_KEPT {
            if let Some(old) = self.texture_order.pop_front() {
                self.textures.remove(&old);
                self.requested.remove(&old);
            }
        }
    }
}
