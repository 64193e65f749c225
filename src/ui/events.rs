//! How the window applies the engine's events to its state.

use super::app::MediadeskApp;
use super::grid::UploadTile;
use super::picker::Health;
use crate::engine::{Command, Event, UploadState};
use crate::model::{ProductMedia, StoreRef};
use crate::store::Capabilities;

impl MediadeskApp {
    /// Apply one event from the engine.
    pub(super) fn apply(&mut self, ctx: &egui::Context, event: Event) {
        match event {
            Event::Connected { store, label, limitations, capabilities, offline } => {
                self.on_connected(store, label, limitations, capabilities);
                self.picker.offline = offline;
            }
            Event::Offline(why) => {
                self.picker.offline = Some(why);
                self.picker.on_failed();
            }
            Event::Catalog(state) => {
                self.picker.catalog = Some(state);
                // The audit read an older catalog: read it again when next shown (now, if it is).
                self.audit_stale = self.audit.loaded;
                if self.view == super::app::View::Audit {
                    self.show_view(super::app::View::Audit);
                }
            }
            Event::Audit(data) => self.audit.set(data),
            Event::Unconfirmed(changes) => self.unconfirmed.set(changes),
            Event::History(items) => self.history.items = items,
            Event::Synced => {
                // The store answered: whatever it said before about being unreachable is over.
                self.picker.offline = None;
                if self.picker.products.is_empty() {
                    self.search_again();
                }
            }
            Event::LocalProducts { generation, items, health } => {
                for h in health {
                    let health = Health {
                        media: h.media as usize,
                        missing: h.missing as usize,
                        needs_work: h.needs_work as usize,
                    };
                    self.known.learn_health(h.id, health);
                }
                self.picker.on_local(generation, items);
            }
            Event::Cancellable { job, command } => self.activity.offer_cancel(job, *command),
            Event::Notice(text) => {
                // Shown with the token's limitations, once.
                if !self.limitations.contains(&text) {
                    self.limitations.push(text);
                }
            }
            Event::ConnectFailed(message) => self.on_connect_failed(message),
            Event::Products { generation, page, first } => self.picker.on_page(generation, page, first),
            Event::Media(media) => {
                self.audit.product_changed(&media);
                self.on_media(media);
            }
            Event::MediaNamed { media, name } => {
                self.uploaded_names.insert(media, name);
            }
            Event::Scanned(alts) => self.known.learn(&alts, self.capabilities.alt_max_chars),
            Event::Thumbnail { url, image } => self.thumbs.arrived(ctx, url, &image),
            Event::ThumbnailFailed(url) => self.thumbs.failed(ctx, url),
            Event::Activity { job, title, state } => self.activity.update(job, title, state),
            Event::Retry { job, command } => self.activity.offer_retry(job, *command),
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
            Event::AltSaved { media, alt } => {
                self.waiting.remove(&media);
                if self.history.open {
                    self.engine.send(Command::LoadHistory);
                }
                if let Some(m) = self.media_mut(&media) {
                    m.alt = alt.clone();
                }
                self.inspector.saved = Some((media, alt));
            }
            Event::AltWaiting { media, alt } => {
                if let Some(m) = self.media_mut(&media) {
                    m.alt = alt;
                }
                self.waiting.insert(media);
            }
            Event::AltRefused { media, previous, attempted } => {
                self.audit.refused(&media, &previous);
                self.waiting.remove(&media);
                if let Some(m) = self.media_mut(&media) {
                    m.alt = previous;
                }
                // The store keeps its text; the refused one stays in the editor, unsaved, to fix
                // or save again (kept for when the media is selected again, if it is not now).
                if self.grid.cursor.as_ref() != Some(&media) {
                    self.inspector.unsaved.insert(media, attempted);
                }
            }
            Event::ReorderRefused { product, previous } => {
                self.show_order(&product, &previous);
                self.activity.error = Some("The new order could not be saved; the old order is back.".into());
            }
            Event::Failed(message) => {
                self.activity.error = Some(message);
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
            self.grid.clear();
            self.undo.clear();
            self.known = Default::default();
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
                self.activity.error = Some(format!("{store} could not be opened, so this is the sandbox: {message}"));
                self.engine.send(Command::OpenLocal);
            } else {
                self.activity.error = Some(format!("{store} could not be opened: {message}"));
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
        self.known.learn(&media.alts(), self.capabilities.alt_max_chars);
        if Some(&media.id) == self.selected.as_ref() {
            if let Some(m) = media.media.iter().find(|m| Some(&m.id) == self.grid.cursor.as_ref()) {
                // Follow the store's text unless the user is in the middle of changing it.
                let shown = self.media_mut(&m.id).map(|old| old.alt.clone());
                if shown.is_none_or(|shown| shown == self.inspector.draft) {
                    self.inspector.draft = m.alt.clone();
                }
            }
            // Finished uploads are now real media: their tiles can go. So can waiting ones: the
            // store answered, and the probe sends them (or found them there) at once.
            self.uploads
                .retain(|u| u.product != media.id || !matches!(u.state, UploadState::Done | UploadState::Waiting));
            self.grid.selection.retain(|id| media.media.iter().any(|m| &m.id == id));
            let wanted = self.select_after_open.take_if(|m| media.media.iter().any(|x| &x.id == m));
            self.media = Some(media);
            self.row_follows_media();
            if let Some(m) = wanted {
                self.select_media(&m, false, false);
            }
        }
    }
}
