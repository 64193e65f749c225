//! The app's model and frame: products on the left, the selected product's media as a grid of
//! thumbnails in the centre, the inspector on the right, activity at the bottom. Draws from the
//! model only; all I/O goes through the engine.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use egui::{Color32, RichText, Vec2};

use crate::audit;
use crate::engine::{Command, Engine, Event, JobState};
use crate::model::{
    Media, MediaId, MediaKind, MediaStatus, Platform, ProductId, ProductMedia, ProductSummary, StoreRef,
};
use crate::sandbox::SandboxConfig;
use crate::secrets::Secret;
use crate::store::shopify::credentials::Credentials;

/// How long typing must pause before a search is sent.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);
/// Longest the app spends applying events in one frame.
const EVENT_BUDGET: Duration = Duration::from_millis(10);
/// Thumbnail textures kept in memory.
const TEXTURES_KEPT: usize = 600;
/// Where the last open product is kept between runs (eframe's storage; window size and panel
/// widths are kept by eframe and egui themselves).
const LAST_PRODUCT_KEY: &str = "mediadesk.last_product";
/// The saved stores (their names only: secrets stay in the keyring).
const SAVED_STORES_KEY: &str = "mediadesk.stores";
/// Side of a grid tile.
const TILE: f32 = 150.0;

const WARN: Color32 = Color32::from_rgb(214, 150, 40);
const BAD: Color32 = Color32::from_rgb(210, 70, 70);
const GOOD: Color32 = Color32::from_rgb(90, 170, 110);

/// One entry of the activity strip.
struct Job {
    title: String,
    state: JobState,
}

/// The window's state.
pub struct MediadeskApp {
    engine: Engine,
    store_label: Option<String>,
    search: String,
    search_changed: Option<Instant>,
    generation: u64,
    products: Vec<ProductSummary>,
    loading_products: bool,
    selected: Option<ProductId>,
    media: Option<ProductMedia>,
    selected_media: Option<MediaId>,
    alt_draft: String,
    textures: HashMap<String, egui::TextureHandle>,
    texture_order: VecDeque<String>,
    requested: HashSet<String>,
    jobs: Vec<(u64, Job)>,
    error: Option<String>,
    undo: Vec<Undo>,
    confirm_delete: Option<MediaId>,
    stores: StoresForm,
    limitations: Vec<String>,
    on_sandbox: bool,
    platform: Platform,
}

/// The "Stores" window: saved stores and the form that adds one.
#[derive(Default)]
struct StoresForm {
    open: bool,
    saved: Vec<String>,
    ecwid: bool,
    shop: String,
    use_client: bool,
    client_id: String,
    secret: String,
    busy: bool,
    message: Option<String>,
    /// Requests go here instead of the stores' own hosts (tests point it at the sandbox).
    endpoint: Option<String>,
    /// What was being connected, to remember it once it works.
    pending: Option<StoreRef>,
}

/// An edit that Ctrl+Z can take back, by doing the inverse on the store.
enum Undo {
    Alt { product: ProductId, media: MediaId, previous: String },
    Order { product: ProductId, previous: Vec<MediaId> },
}

impl MediadeskApp {
    /// The app on the built-in sandbox store.
    pub fn new(ctx: &egui::Context) -> Self {
        Self::with_sandbox(ctx, SandboxConfig::default())
    }

    /// The app on the sandbox, reopening the product that was open when it last closed.
    pub fn restored(cc: &eframe::CreationContext<'_>) -> Self {
        let mut app = Self::new(&cc.egui_ctx);
        app.stores.saved = cc
            .storage
            .and_then(|s| s.get_string(SAVED_STORES_KEY))
            .map(|s| s.lines().map(str::to_string).filter(|l| !l.is_empty()).collect())
            .unwrap_or_default();
        let last = cc.storage.and_then(|s| s.get_string(LAST_PRODUCT_KEY)).filter(|s| !s.is_empty());
        if let Some(id) = last {
            app.open_product(ProductId(id));
        }
        app
    }

    /// The app on a sandbox with these settings (tests inject faults this way).
    pub fn with_sandbox(ctx: &egui::Context, config: SandboxConfig) -> Self {
        let repaint_ctx = ctx.clone();
        let engine = Engine::start_sandbox(config, move || repaint_ctx.request_repaint());
        engine.send(Command::Search { text: String::new(), generation: 1 });
        MediadeskApp {
            engine,
            store_label: None,
            search: String::new(),
            search_changed: None,
            generation: 1,
            products: Vec::new(),
            loading_products: true,
            selected: None,
            media: None,
            selected_media: None,
            alt_draft: String::new(),
            textures: HashMap::new(),
            texture_order: VecDeque::new(),
            requested: HashSet::new(),
            jobs: Vec::new(),
            error: None,
            undo: Vec::new(),
            confirm_delete: None,
            stores: StoresForm::default(),
            limitations: Vec::new(),
            on_sandbox: true,
            platform: Platform::Shopify,
        }
    }

    /// Send requests for stores added in the window to this loopback address instead of
    /// their own hosts (tests point it at the sandbox).
    pub fn set_endpoint_override(&mut self, endpoint: Option<String>) {
        self.stores.endpoint = endpoint;
    }

    /// The engine, for tests that look at the store behind it.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// How many thumbnails are decoded and uploaded as textures.
    pub fn thumbnails_loaded(&self) -> usize {
        self.textures.len()
    }

    /// Thumbnails asked for and not arrived yet.
    pub fn thumbnails_pending(&self) -> usize {
        self.requested.iter().filter(|u| !self.textures.contains_key(*u)).count()
    }

    /// The open product's media count, once loaded.
    pub fn open_media_count(&self) -> Option<usize> {
        self.media.as_ref().map(|m| m.media.len())
    }

    /// True while something runs in the background.
    pub fn busy(&self) -> bool {
        self.loading_products || self.jobs.iter().any(|(_, j)| matches!(j.state, JobState::Running(_)))
    }

    fn apply(&mut self, ctx: &egui::Context, event: Event) {
        match event {
            Event::Connected { store, label, limitations } => {
                let first = self.store_label.is_none();
                self.store_label = Some(label);
                self.limitations = limitations;
                self.on_sandbox = store == StoreRef::Sandbox;
                self.platform = store.platform();
                if let Some(pending) = self.stores.pending.take().filter(|p| *p == store) {
                    let name = pending.to_string();
                    if !self.stores.saved.contains(&name) {
                        self.stores.saved.push(name);
                    }
                    self.stores.secret.clear();
                    self.stores.open = false;
                }
                self.stores.busy = false;
                self.stores.message = None;
                if !first {
                    // Another store: start over with its products.
                    self.selected = None;
                    self.media = None;
                    self.selected_media = None;
                    self.undo.clear();
                    self.generation += 1;
                    self.loading_products = true;
                    self.products.clear();
                    self.engine.send(Command::Search { text: self.search.clone(), generation: self.generation });
                }
            }
            Event::ConnectFailed(message) => {
                self.stores.busy = false;
                self.stores.pending = None;
                self.stores.message = Some(message);
            }
            Event::Products { generation, page, first } if generation == self.generation => {
                if first {
                    self.products.clear();
                }
                self.products.extend(page.items);
                self.loading_products = page.next_cursor.is_some();
            }
            Event::Products { .. } => {}
            Event::Media(media) if Some(&media.id) == self.selected.as_ref() => {
                if let Some(m) = media.media.iter().find(|m| Some(&m.id) == self.selected_media.as_ref()) {
                    self.alt_draft = m.alt.clone();
                }
                self.media = Some(media);
            }
            Event::Media(_) => {}
            Event::Thumbnail { url, image } => {
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
            Event::Activity { job, title, state } => match self.jobs.iter_mut().find(|(id, _)| *id == job) {
                Some((_, j)) => {
                    j.title = title;
                    j.state = state;
                }
                None => self.jobs.push((job, Job { title, state })),
            },
            Event::AltRefused { media, previous } => {
                if let Some(m) = self.media_mut(&media) {
                    m.alt = previous.clone();
                }
                if self.selected_media.as_ref() == Some(&media) {
                    self.alt_draft = previous;
                }
            }
            Event::ReorderRefused { product, previous } => {
                if let Some(pm) = self.media.as_mut().filter(|pm| pm.id == product) {
                    let mut old: Vec<Media> =
                        previous.iter().filter_map(|id| pm.media.iter().find(|m| &m.id == id).cloned()).collect();
                    for (i, m) in old.iter_mut().enumerate() {
                        m.position = i as u32;
                    }
                    pm.media = old;
                }
                self.error = Some("The new order could not be saved; the old order is back.".into());
            }
            Event::Failed(message) => {
                self.error = Some(message);
                self.loading_products = false;
            }
        }
    }

    fn media_mut(&mut self, id: &MediaId) -> Option<&mut Media> {
        self.media.as_mut()?.media.iter_mut().find(|m| &m.id == id)
    }

    fn texture(&mut self, url: &str) -> Option<egui::TextureId> {
        if let Some(t) = self.textures.get(url) {
            return Some(t.id());
        }
        if self.requested.insert(url.to_string()) {
            self.engine.send(Command::Thumbnail(url.to_string()));
        }
        None
    }

    fn open_product(&mut self, id: ProductId) {
        self.selected = Some(id.clone());
        self.media = None;
        self.selected_media = None;
        self.engine.send(Command::OpenProduct(id));
    }

    fn product_list(&mut self, ui: &mut egui::Ui) {
        ui.add_space(6.0);
        let label = ui.label(RichText::new("Products").strong());
        let search = ui
            .add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("Search: title, vendor, tag:…")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if search.changed() {
            self.search_changed = Some(Instant::now());
        }
        // Up and Down move through the list from the search box, Enter opens.
        if search.has_focus() || !ui.ctx().egui_wants_keyboard_input() {
            let (down, up) = ui.input(|i| (i.key_pressed(egui::Key::ArrowDown), i.key_pressed(egui::Key::ArrowUp)));
            if (down || up) && !self.products.is_empty() {
                let at = self.selected.as_ref().and_then(|s| self.products.iter().position(|p| &p.id == s));
                let next = match (at, down) {
                    (None, _) => 0,
                    (Some(i), true) => (i + 1).min(self.products.len() - 1),
                    (Some(i), false) => i.saturating_sub(1),
                };
                let id = self.products[next].id.clone();
                self.open_product(id);
            }
        }
        ui.add_space(4.0);
        if self.loading_products && self.products.is_empty() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading products…");
            });
        } else if self.products.is_empty() {
            ui.label(RichText::new("No products match.").weak());
        }
        let row_height = 40.0;
        let mut open = None;
        egui::ScrollArea::vertical().auto_shrink([false; 2]).show_rows(
            ui,
            row_height,
            self.products.len(),
            |ui, rows| {
                ui.with_layout(egui::Layout::top_down_justified(egui::Align::LEFT), |ui| {
                    for p in &self.products[rows] {
                        let selected = self.selected.as_ref() == Some(&p.id);
                        if ui.add(egui::Button::selectable(selected, product_row(ui, p))).clicked() {
                            open = Some(p.id.clone());
                        }
                    }
                });
            },
        );
        if let Some(id) = open {
            self.open_product(id);
        }
    }

    fn grid(&mut self, ui: &mut egui::Ui) {
        let hovering_files = ui.input(|i| !i.raw.hovered_files.is_empty());
        let Some(selected) = self.selected.clone() else {
            ui.centered_and_justified(|ui| {
                ui.label(RichText::new("Pick a product on the left to see its media.").weak())
            });
            return;
        };
        let Some(pm) = self.media.clone().filter(|m| m.id == selected) else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading media…");
            });
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(&pm.title);
            ui.label(RichText::new(format!("{} media", pm.media.len())).weak());
        });
        ui.label(
            RichText::new("Drag a thumbnail to reorder. Drop image, video or 3D files on the window to upload them.")
                .weak()
                .small(),
        );
        ui.separator();
        if hovering_files {
            ui.painter().rect_stroke(
                ui.max_rect(),
                6.0,
                egui::Stroke::new(3.0, ui.visuals().selection.bg_fill),
                egui::StrokeKind::Inside,
            );
        }
        if pm.media.is_empty() {
            ui.centered_and_justified(|ui| {
                ui.label(RichText::new("This product has no media yet: drop files here to add some.").weak())
            });
            return;
        }
        let mut moved: Option<(usize, usize)> = None;
        let mut clicked = None;
        // Only the rows in view are laid out and drawn: a 250-media product costs what 20 tiles cost.
        let gap = 10.0;
        let per_row = (((ui.available_width() + gap) / (TILE + gap)).floor() as usize).max(1);
        let rows = pm.media.len().div_ceil(per_row);
        egui::ScrollArea::vertical().auto_shrink([false; 2]).show_rows(ui, TILE + gap, rows, |ui, row_range| {
            for row in row_range {
                ui.horizontal(|ui| {
                    ui.spacing_mut().item_spacing = Vec2::splat(gap);
                    let start = row * per_row;
                    for (index, m) in pm.media.iter().enumerate().skip(start).take(per_row) {
                        let selected = self.selected_media.as_ref() == Some(&m.id);
                        // Thumbnails are fetched only for tiles in view.
                        let response = tile(ui, m, selected, &mut |url| self.texture(url));
                        if response.drag_started() {
                            egui::DragAndDrop::set_payload(ui.ctx(), index);
                        }
                        if response.dragged() {
                            ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
                        }
                        if let Some(from) = response.dnd_hover_payload::<usize>()
                            && *from != index
                        {
                            // Show where the dragged tile will land.
                            let x =
                                if *from < index { response.rect.right() + 4.0 } else { response.rect.left() - 4.0 };
                            let stroke = egui::Stroke::new(3.0, ui.visuals().selection.bg_fill);
                            ui.painter().vline(x, response.rect.y_range(), stroke);
                        }
                        if let Some(from) = response.dnd_release_payload::<usize>() {
                            moved = Some((*from, index));
                        }
                        if response.clicked() {
                            clicked = Some(m.id.clone());
                        }
                    }
                });
                ui.add_space(gap);
            }
        });
        if let Some(id) = clicked {
            self.select_media(&id);
        }
        if let Some((from, to)) = moved
            && from != to
        {
            self.move_media(from, to);
        }
    }

    /// Move a tile: the order changes on screen at once, and the store is told in the background.
    fn move_media(&mut self, from: usize, to: usize) {
        let Some(pm) = self.media.as_mut() else { return };
        let previous: Vec<MediaId> = pm.media.iter().map(|m| m.id.clone()).collect();
        let item = pm.media.remove(from);
        pm.media.insert(to.min(pm.media.len()), item);
        for (i, m) in pm.media.iter_mut().enumerate() {
            m.position = i as u32;
        }
        let order = pm.media.iter().map(|m| m.id.clone()).collect();
        self.undo.push(Undo::Order { product: pm.id.clone(), previous: previous.clone() });
        self.engine.send(Command::Reorder { product: pm.id.clone(), order, previous });
    }

    fn select_media(&mut self, id: &MediaId) {
        self.selected_media = Some(id.clone());
        self.alt_draft = self
            .media
            .as_ref()
            .and_then(|pm| pm.media.iter().find(|m| &m.id == id))
            .map(|m| m.alt.clone())
            .unwrap_or_default();
    }

    fn save_alt(&mut self) {
        let (Some(pm), Some(id)) = (self.media.as_ref(), self.selected_media.clone()) else { return };
        let product = pm.id.clone();
        let draft = self.alt_draft.trim().to_string();
        let Some(m) = self.media_mut(&id) else { return };
        if m.alt == draft {
            return;
        }
        let previous = std::mem::replace(&mut m.alt, draft.clone());
        self.undo.push(Undo::Alt { product: product.clone(), media: id.clone(), previous: previous.clone() });
        self.engine.send(Command::SaveAlt { product, media: id, alt: draft, previous });
    }

    /// Take back the last alt edit or reorder, by sending its inverse to the store.
    fn undo_last(&mut self) {
        let Some(last) = self.undo.pop() else { return };
        match last {
            Undo::Alt { product, media, previous } => {
                let Some(m) = self.media_mut(&media) else { return };
                let now = std::mem::replace(&mut m.alt, previous.clone());
                if self.selected_media.as_ref() == Some(&media) {
                    self.alt_draft = previous.clone();
                }
                self.engine.send(Command::SaveAlt { product, media, alt: previous, previous: now });
            }
            Undo::Order { product, previous } => {
                let Some(pm) = self.media.as_mut().filter(|pm| pm.id == product) else { return };
                let now: Vec<MediaId> = pm.media.iter().map(|m| m.id.clone()).collect();
                let mut back: Vec<Media> =
                    previous.iter().filter_map(|id| pm.media.iter().find(|m| &m.id == id).cloned()).collect();
                for (i, m) in back.iter_mut().enumerate() {
                    m.position = i as u32;
                }
                pm.media = back;
                self.engine.send(Command::Reorder { product, order: previous, previous: now });
            }
        }
    }

    fn inspector(&mut self, ui: &mut egui::Ui) {
        ui.add_space(6.0);
        let Some(pm) = self.media.clone() else {
            ui.label(RichText::new("No media selected.").weak());
            return;
        };
        let Some(m) = self.selected_media.as_ref().and_then(|id| pm.media.iter().find(|m| &m.id == id)).cloned() else {
            ui.label(RichText::new("Click a thumbnail to edit its alt text.").weak());
            return;
        };
        if let Some(t) = m.preview_url.as_deref().and_then(|u| self.texture(u)) {
            let size = self.textures.values().find(|h| h.id() == t).map(|h| h.size_vec2()).unwrap_or(Vec2::splat(1.0));
            let scale = (ui.available_width() / size.x).min(260.0 / size.y);
            ui.add(egui::Image::new((t, size * scale)));
        }
        ui.add_space(6.0);
        let limit = self.platform.limits().alt_max_chars;
        let label = ui.label(RichText::new("Alt text").strong());
        // A long alt text scrolls inside its box instead of pushing the hints out of view.
        let draft = &mut self.alt_draft;
        let edit = egui::ScrollArea::vertical()
            .id_salt("alt-editor")
            .max_height(110.0)
            .show(ui, |ui| {
                ui.add(egui::TextEdit::multiline(draft).desired_rows(3).desired_width(f32::INFINITY))
                    .labelled_by(label.id)
            })
            .inner;
        let count = self.alt_draft.chars().count();
        ui.horizontal(|ui| {
            let colour = if count > limit {
                BAD
            } else if count > 125 {
                WARN
            } else {
                ui.visuals().weak_text_color()
            };
            ui.label(RichText::new(format!("{count} / {limit}")).color(colour).small());
            if edit.has_focus() {
                ui.label(RichText::new("Enter or Ctrl+S saves, Esc reverts").weak().small());
            }
        });
        let (enter, ctrl_s, escape) = ui.input(|i| {
            (
                i.key_pressed(egui::Key::Enter) && !i.modifiers.shift,
                i.modifiers.command && i.key_pressed(egui::Key::S),
                i.key_pressed(egui::Key::Escape),
            )
        });
        if edit.has_focus() && enter {
            // Enter saves; the newline it typed is not part of the text.
            self.alt_draft = self.alt_draft.trim_end_matches('\n').to_string();
            self.save_alt();
        }
        if ctrl_s {
            self.save_alt();
        }
        if escape && edit.has_focus() {
            self.alt_draft = m.alt.clone();
        }
        let siblings: Vec<&str> = pm.media.iter().filter(|o| o.id != m.id).map(|o| o.alt.as_str()).collect();
        let findings = audit::check(
            &self.alt_draft,
            &audit::Context { product_title: &pm.title, filename: m.filename.as_deref(), siblings: &siblings, limit },
        );
        for f in &findings {
            let colour = if f.severity == audit::Severity::Error { BAD } else { WARN };
            ui.label(RichText::new(format!("• {}", f.message)).color(colour).small());
        }
        ui.horizontal(|ui| {
            let changed = self.alt_draft.trim() != m.alt;
            if ui.add_enabled(changed && count <= limit, egui::Button::new("Save alt text")).clicked() {
                self.save_alt();
            }
            if ui.add_enabled(changed, egui::Button::new("Revert")).clicked() {
                self.alt_draft = m.alt.clone();
            }
        });
        ui.separator();
        egui::Grid::new("facts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
            let mut fact = |k: &str, v: String| {
                ui.label(RichText::new(k).weak());
                ui.label(v);
                ui.end_row();
            };
            fact("File", m.filename.clone().unwrap_or_else(|| "—".into()));
            fact("Type", kind_name(m.kind).to_string());
            fact("Status", m.status.as_str().to_string());
            if let (Some(w), Some(h)) = (m.width, m.height) {
                fact("Size", format!("{w} × {h} px"));
            }
            if let Some(b) = m.size_bytes {
                fact("Bytes", format!("{:.1} MB", b as f64 / 1_048_576.0));
            }
        });
        for e in &m.errors {
            ui.label(RichText::new(e).color(BAD));
        }
        ui.separator();
        ui.horizontal(|ui| {
            if ui
                .button("Remove from product")
                .on_hover_text("Detach it; the file stays in the store's library")
                .clicked()
            {
                self.engine.send(Command::Remove { product: pm.id.clone(), media: vec![m.id.clone()] });
                self.selected_media = None;
            }
            if ui.button("Delete permanently…").clicked() {
                self.confirm_delete = Some(m.id.clone());
            }
        });
        if self.confirm_delete.as_ref() == Some(&m.id) {
            ui.label(
                RichText::new("Delete this file from every product that uses it? This cannot be undone.").color(BAD),
            );
            ui.horizontal(|ui| {
                if ui.button("Delete for good").clicked() {
                    self.engine.send(Command::Delete { product: pm.id.clone(), media: vec![m.id.clone()] });
                    self.confirm_delete = None;
                    self.selected_media = None;
                }
                if ui.button("Keep it").clicked() {
                    self.confirm_delete = None;
                }
            });
        }
    }

    fn stores_window(&mut self, ctx: &egui::Context) {
        let mut open = self.stores.open;
        egui::Window::new("Stores").open(&mut open).resizable(false).default_width(420.0).show(ctx, |ui| {
            let f = &mut self.stores;
            ui.label(RichText::new("Saved stores").strong());
            if f.saved.is_empty() {
                ui.label(RichText::new("None yet.").weak());
            }
            let mut forget = None;
            for name in &f.saved {
                ui.horizontal(|ui| {
                    ui.label(name);
                    if ui.button(format!("Open {name}")).clicked()
                        && let Ok(store) = name.parse::<StoreRef>()
                    {
                        f.busy = true;
                        f.pending = Some(store.clone());
                        self.engine.send(Command::OpenSaved { store, endpoint: f.endpoint.clone() });
                    }
                    if ui.button(format!("Remove {name}")).clicked() {
                        forget = Some(name.clone());
                    }
                });
            }
            if let Some(name) = forget {
                f.saved.retain(|n| *n != name);
                if let Ok(store) = name.parse::<StoreRef>() {
                    self.engine.send(Command::Forget(store));
                }
            }
            if ui.button("Use the sandbox store").clicked() {
                self.engine.send(Command::UseSandbox);
            }
            ui.separator();
            ui.label(RichText::new("Add a store").strong());
            ui.horizontal(|ui| {
                ui.radio_value(&mut f.ecwid, false, "Shopify");
                ui.radio_value(&mut f.ecwid, true, "Ecwid");
            });
            let field = |ui: &mut egui::Ui, label: &str, value: &mut String, password: bool| {
                let l = ui.label(label);
                ui.add(egui::TextEdit::singleline(value).password(password).desired_width(f32::INFINITY))
                    .labelled_by(l.id);
            };
            if f.ecwid {
                field(ui, "Store id", &mut f.shop, false);
                field(ui, "Access token (secret_…)", &mut f.secret, true);
            } else {
                field(ui, "Shop (name or name.myshopify.com)", &mut f.shop, false);
                ui.checkbox(&mut f.use_client, "Use a client id and secret instead of an access token");
                if f.use_client {
                    field(ui, "Client id", &mut f.client_id, false);
                    field(ui, "Client secret", &mut f.secret, true);
                } else {
                    field(ui, "Admin API access token (shpat_…)", &mut f.secret, true);
                }
            }
            ui.label(
                RichText::new(
                    "mediadesk tests the connection, then keeps the secret in your system's keyring, nowhere else. \
                     Without a keyring, set MEDIADESK_TOKEN before starting mediadesk.",
                )
                .weak()
                .small(),
            );
            ui.horizontal(|ui| {
                let ready = !f.shop.trim().is_empty() && !f.secret.trim().is_empty() && !f.busy;
                if ui.add_enabled(ready, egui::Button::new("Test and save")).clicked() {
                    let text =
                        if f.ecwid { format!("ecwid:{}", f.shop.trim()) } else { format!("shopify:{}", f.shop.trim()) };
                    match text.parse::<StoreRef>() {
                        Ok(store) => {
                            let secret = Secret::new(f.secret.trim());
                            let credentials = if f.use_client && !f.ecwid {
                                Credentials::Client { id: f.client_id.trim().to_string(), secret }
                            } else {
                                Credentials::Token(secret)
                            };
                            f.busy = true;
                            f.message = None;
                            f.pending = Some(store.clone());
                            self.engine.send(Command::Connect {
                                store,
                                endpoint: f.endpoint.clone(),
                                credentials,
                                save: true,
                            });
                        }
                        Err(e) => f.message = Some(e.to_string()),
                    }
                }
                if f.busy {
                    ui.spinner();
                    ui.label("Testing the connection…");
                }
            });
            if let Some(m) = &f.message {
                ui.colored_label(BAD, m);
            }
        });
        self.stores.open = open;
    }

    fn activity(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Activity").strong());
            if self.jobs.is_empty() {
                ui.label(RichText::new("Nothing running.").weak());
            }
            for (_, job) in self.jobs.iter().rev().take(6) {
                ui.separator();
                match &job.state {
                    JobState::Running(p) => {
                        ui.spinner();
                        let pct = p.map(|f| format!(" {:.0}%", f * 100.0)).unwrap_or_default();
                        ui.label(format!("{}{pct}", job.title));
                    }
                    JobState::Done => {
                        ui.label(RichText::new(format!("Done: {}", job.title)).color(GOOD));
                    }
                    JobState::Failed { message, detail } => {
                        ui.label(RichText::new(format!("Failed: {}: {message}", job.title)).color(BAD))
                            .on_hover_text(detail);
                    }
                }
            }
        });
    }
}

fn kind_name(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "Image",
        MediaKind::Video => "Video",
        MediaKind::ExternalVideo => "External video",
        MediaKind::Model3d => "3D model",
    }
}

/// One grid tile: the thumbnail (or a placeholder), a kind badge, status and an alt badge.
fn tile(
    ui: &mut egui::Ui,
    m: &Media,
    selected: bool,
    texture_for: &mut dyn FnMut(&str) -> Option<egui::TextureId>,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(TILE), egui::Sense::click_and_drag());
    let texture = if ui.is_rect_visible(rect) { m.preview_url.as_deref().and_then(texture_for) } else { None };
    let visuals = ui.visuals();
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 6.0, visuals.extreme_bg_color);
    match texture {
        Some(t) => {
            let inner = rect.shrink(6.0);
            painter.image(
                t,
                inner,
                egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                Color32::WHITE,
            );
        }
        None => {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "…",
                egui::FontId::proportional(20.0),
                visuals.weak_text_color(),
            );
        }
    }
    let badge = |text: &str, at: egui::Pos2, align: egui::Align2, fill: Color32| {
        let galley = painter.layout_no_wrap(text.to_string(), egui::FontId::proportional(11.0), Color32::WHITE);
        let r = align.anchor_size(at, galley.size() + Vec2::new(8.0, 4.0));
        painter.rect_filled(r, 3.0, fill);
        painter.galley(r.min + Vec2::new(4.0, 2.0), galley, Color32::WHITE);
    };
    let kind = match m.kind {
        MediaKind::Image => None,
        MediaKind::Video => Some("VIDEO"),
        MediaKind::ExternalVideo => Some("YOUTUBE/VIMEO"),
        MediaKind::Model3d => Some("3D"),
    };
    if let Some(k) = kind {
        badge(k, rect.left_top() + Vec2::splat(6.0), egui::Align2::LEFT_TOP, Color32::from_black_alpha(170));
    }
    match m.status {
        MediaStatus::Ready => {}
        MediaStatus::Failed => badge("FAILED", rect.center(), egui::Align2::CENTER_CENTER, BAD),
        other => badge(
            &other.as_str().to_uppercase(),
            rect.center(),
            egui::Align2::CENTER_CENTER,
            Color32::from_black_alpha(170),
        ),
    }
    let (alt_text, alt_colour) = if m.alt.trim().is_empty() { ("NO ALT", WARN) } else { ("ALT", GOOD) };
    badge(alt_text, rect.right_bottom() - Vec2::splat(6.0), egui::Align2::RIGHT_BOTTOM, alt_colour);
    let stroke = if selected {
        egui::Stroke::new(2.5, visuals.selection.bg_fill)
    } else {
        egui::Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color)
    };
    painter.rect_stroke(rect, 6.0, stroke, egui::StrokeKind::Inside);
    let name = m.filename.as_deref().unwrap_or("no file name");
    let alt = if m.alt.is_empty() { "no alt text" } else { &m.alt };
    let label = format!("{} {}, {name}, {}: {alt}", kind_name(m.kind), m.position + 1, m.status.as_str());
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &label));
    response
}

/// A picker row: the title, and the media count under it in a quieter colour.
fn product_row(ui: &egui::Ui, p: &ProductSummary) -> egui::text::LayoutJob {
    let mut job = egui::text::LayoutJob::default();
    let body = egui::TextStyle::Body.resolve(ui.style());
    let strong = ui.visuals().strong_text_color();
    let weak = ui.visuals().weak_text_color();
    job.append(&p.title, 0.0, egui::TextFormat::simple(body.clone(), strong));
    let count = match p.media_count {
        0 => "\nno media".to_string(),
        1 => "\n1 media".to_string(),
        n => format!("\n{n} media"),
    };
    job.append(&count, 0.0, egui::TextFormat::simple(body, weak));
    job
}

impl eframe::App for MediadeskApp {
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        storage.set_string(LAST_PRODUCT_KEY, self.selected.as_ref().map(|p| p.0.clone()).unwrap_or_default());
        storage.set_string(SAVED_STORES_KEY, self.stores.saved.join("\n"));
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let start = Instant::now();
        while start.elapsed() < EVENT_BUDGET {
            let Some(event) = self.engine.try_event() else { break };
            self.apply(ctx, event);
        }
        if let Some(changed) = self.search_changed {
            let wait = SEARCH_DEBOUNCE.saturating_sub(changed.elapsed());
            if wait.is_zero() {
                self.search_changed = None;
                self.generation += 1;
                self.loading_products = true;
                self.engine.send(Command::Search { text: self.search.clone(), generation: self.generation });
            } else {
                ctx.request_repaint_after(wait);
            }
        }
        let undo = ctx.input(|i| i.modifiers.command && i.key_pressed(egui::Key::Z));
        if undo && !ctx.egui_wants_keyboard_input() {
            self.undo_last();
        }
        let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
            i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect()
        });
        if !dropped.is_empty() {
            match &self.selected {
                Some(product) => {
                    let paths = expand_folders(dropped);
                    self.engine.send(Command::Upload { product: product.clone(), paths });
                }
                None => self.error = Some("Pick a product first, then drop files on it.".into()),
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::Panel::top("banner").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("mediadesk");
                ui.separator();
                match (&self.store_label, self.on_sandbox) {
                    (Some(label), true) => ui.label(format!(
                        "You are looking at the built-in {label}: a demo catalog on this computer. \
                         Nothing here touches a real store."
                    )),
                    (Some(label), false) => ui.label(RichText::new(label).strong()),
                    (None, _) => ui.label("Starting the sandbox store…"),
                };
                let button = if self.on_sandbox { "Connect your store…" } else { "Stores…" };
                if ui.button(button).clicked() {
                    self.stores.open = !self.stores.open;
                }
            });
            for l in &self.limitations {
                ui.label(RichText::new(l).color(WARN).small());
            }
        });
        egui::Panel::bottom("activity").show(ui, |ui| {
            if let Some(error) = self.error.clone() {
                ui.horizontal(|ui| {
                    ui.colored_label(BAD, error);
                    if ui.button("Dismiss").clicked() {
                        self.error = None;
                    }
                });
            }
            self.activity(ui);
        });
        egui::Panel::left("products").default_size(280.0).min_size(200.0).show(ui, |ui| self.product_list(ui));
        egui::Panel::right("inspector").default_size(320.0).min_size(260.0).show(ui, |ui| {
            egui::ScrollArea::vertical().auto_shrink([false; 2]).show(ui, |ui| self.inspector(ui));
        });
        egui::CentralPanel::default().show(ui, |ui| self.grid(ui));
        let ctx = ui.ctx().clone();
        self.stores_window(&ctx);
    }
}

/// Dropped folders bring the files directly inside them.
fn expand_folders(paths: Vec<std::path::PathBuf>) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::read_dir(&p) {
            Ok(entries) => {
                let mut files: Vec<_> =
                    entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
                files.sort();
                out.extend(files);
            }
            Err(_) => out.push(p),
        }
    }
    out
}
