//! The app's model and frame: how engine events change what is shown, the edits a user makes
//! (each sent to the engine, most of them undoable) and the global keyboard shortcuts. The
//! panels are drawn by the sibling modules.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::{Key, Modifiers};

use super::activity::{Activity, ActivityClick};
use super::files::{FilePicker, PickedFiles};
use super::grid::{GridAction, GridInput, GridView, UploadTile};
use super::inspector::{Confirm, InspectorAction, InspectorInput, InspectorView};
use super::known::Known;
use super::picker::{Health, Picker, PickerAction, PickerHost};
use crate::engine::{Command, Engine, Folders, UploadState};
use crate::model::{Media, MediaId, ProductId, ProductMedia, StoreRef};
use crate::store::{Capabilities, LocalLauncher};

/// The grid's least width: two of the smallest tiles, their gaps and a scroll bar.
const GRID_LEAST: f32 = 240.0;
/// How long typing must pause before a search is sent.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);
/// Longest the app spends applying events in one frame.
const EVENT_BUDGET: Duration = Duration::from_millis(10);
/// Where the window's own state is kept between runs, in eframe's storage (window size and panel
/// widths are kept by eframe and egui themselves).
pub const PERSIST_KEY: &str = "mediadesk.window";
/// The keys of the first versions, one string each: read once when nothing newer is saved.
const LEGACY_KEYS: [&str; 3] = ["mediadesk.stores", "mediadesk.last_store", "mediadesk.last_product"];

/// What the window keeps between runs. A field added later reads as its default from an older
/// save, and one that cannot be read is ignored rather than losing the rest.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Persisted {
    /// The saved stores, by name (`shopify:acme`): their secrets stay in the keyring.
    pub saved_stores: Vec<String>,
    /// The store that was open when the app closed; none for the sandbox.
    pub last_store: Option<String>,
    /// The product that was open.
    pub last_product: Option<ProductId>,
    /// The grid's tile zoom (Ctrl+wheel), when changed from the usual size.
    pub tile_zoom: Option<f32>,
    /// Light, dark or the system's (the default).
    pub appearance: super::theme::Appearance,
}

impl Persisted {
    /// What eframe's storage holds: the current entry, else the first versions' keys.
    pub fn load(storage: &dyn eframe::Storage) -> Persisted {
        if let Some(p) = eframe::get_value::<Persisted>(storage, PERSIST_KEY) {
            return p;
        }
        let get = |key: &str| storage.get_string(key).filter(|s| !s.trim().is_empty());
        Persisted {
            saved_stores: get(LEGACY_KEYS[0])
                .map(|s| s.lines().map(str::to_string).filter(|l| !l.is_empty()).collect())
                .unwrap_or_default(),
            last_store: get(LEGACY_KEYS[1]),
            last_product: get(LEGACY_KEYS[2]).map(ProductId),
            tile_zoom: None,
            appearance: Default::default(),
        }
    }
}

/// An edit that Ctrl+Z can take back, by doing the inverse on the store; `what` names it for
/// the Undo button and the activity strip ("alt text of polaris.jpg").
pub(super) enum Undo {
    /// A change made outside the open product (the audit view): the journal takes it back.
    Journal {
        what: String,
    },
    Alt {
        product: ProductId,
        media: MediaId,
        previous: String,
        what: String,
    },
    Order {
        product: ProductId,
        previous: Vec<MediaId>,
        what: String,
    },
    Removal {
        product: ProductId,
        media: Vec<MediaId>,
        order: Vec<MediaId>,
        what: String,
    },
}

impl Undo {
    /// What taking it back undoes, in the user's words.
    pub(super) fn what(&self) -> &str {
        match self {
            Undo::Journal { what } | Undo::Alt { what, .. } | Undo::Order { what, .. } | Undo::Removal { what, .. } => {
                what
            }
        }
    }
}

/// The window's two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// The product list, the media grid and the inspector.
    #[default]
    Products,
    /// The store-wide alt-text audit.
    Audit,
}

/// The window's state.
pub struct MediadeskApp {
    /// Which view is shown.
    pub(super) view: View,
    /// The audit view.
    pub(super) audit: super::audit::AuditView,
    /// The audit needs reading again (a sync ended) the next time it is shown.
    pub(super) audit_stale: bool,
    /// The media to select once its product (opened from the audit) arrives.
    pub(super) select_after_open: Option<MediaId>,
    pub(super) engine: Engine,
    pub(super) store_label: Option<String>,
    pub(super) store: StoreRef,
    /// The product list: search, pages, scroll.
    pub(super) picker: Picker,
    /// The file each new media came from, for media the store names no file for (failed ones).
    pub(super) uploaded_names: HashMap<MediaId, String>,
    pub(super) selected: Option<ProductId>,
    pub(super) media: Option<ProductMedia>,
    /// The media grid: cursor, selection, scroll.
    pub(super) grid: GridView,
    /// The inspector: the alt text being edited, drafts, a pending confirmation.
    pub(super) inspector: InspectorView,
    /// Thumbnail textures, shared by the product list, the grid and the inspector.
    pub(super) thumbs: super::thumbnails::Thumbnails,
    /// The activity strip: jobs, and the last error.
    pub(super) activity: Activity,
    pub(super) uploads: Vec<UploadTile>,
    pub(super) next_batch: u64,
    pub(super) undo: Vec<Undo>,
    pub(super) stores: super::stores::StoresForm,
    pub(super) limitations: Vec<String>,
    pub(super) capabilities: Capabilities,
    /// What the products seen so far say: health badges, which products share a file.
    pub(super) known: Known,
    /// The product to open once the store being reopened answers.
    pub(super) pending_product: Option<(StoreRef, ProductId)>,
    /// This build can open the built-in sandbox (the fallback when no store opens).
    pub(super) has_sandbox: bool,
    pub(super) file_picker: FilePicker,
    pub(super) picking: Option<PickedFiles>,
    /// The product asked for while alt text on the open one is not saved (`ui::leaving` asks).
    pub(super) leaving: Option<ProductId>,
    /// The path field offered when no file dialog can open: the text typed so far.
    pub(super) path_entry: Option<String>,
    /// The open product's alt-text marks, worked out when its texts change.
    pub(super) open_marks: super::known::OpenMarks,
    /// Changes the journal holds that the store never confirmed, and the question about them.
    pub(super) unconfirmed: super::unconfirmed::UnconfirmedBar,
    /// Media whose saved alt text waits for the store to answer again (their tiles say so).
    pub(super) waiting: std::collections::HashSet<MediaId>,
    /// The History window: the journal's recent changes.
    pub(super) history: super::history::HistoryWindow,
    /// The About window.
    pub(super) about: super::about::AboutWindow,
    /// Files the app was opened with, waiting for the merchant to choose their product.
    pub(super) opened_files: Vec<PathBuf>,
    /// Where the catalogs and journals are kept, if anywhere (the About window says).
    data_dir: Option<PathBuf>,
}

impl MediadeskApp {
    /// The app as it was when it last closed: saved stores, the last store (reopened with the
    /// keyring's secret) and the last product; the sandbox (started by `launcher`) otherwise.
    /// Catalogs live in `data_dir`.
    pub fn restored(
        cc: &eframe::CreationContext<'_>,
        launcher: Option<LocalLauncher>,
        data_dir: Option<PathBuf>,
    ) -> Result<Self, String> {
        let persisted = cc.storage.map(Persisted::load).unwrap_or_default();
        let folders = Folders { cache: crate::disk_cache::user_cache_dir(), data: data_dir };
        Self::resume(&cc.egui_ctx, launcher, folders, persisted, None)
    }

    /// The app with `files` waiting to be uploaded once the merchant picks their product (the
    /// files the app was opened with).
    pub fn with_files(mut self, files: Vec<PathBuf>) -> Self {
        self.opened_files = files.into_iter().map(|f| std::path::absolute(&f).unwrap_or(f)).collect();
        self
    }

    /// The app resuming from what was kept; `endpoint` sends the reopened store's requests to a
    /// loopback address instead (tests). Without a store to reopen, it opens the sandbox.
    pub fn resume(
        ctx: &egui::Context,
        launcher: Option<LocalLauncher>,
        folders: Folders,
        persisted: Persisted,
        endpoint: Option<String>,
    ) -> Result<Self, String> {
        let mut app = Self::starting(ctx, launcher, folders)?;
        app.stores.endpoint = endpoint.clone();
        app.stores.saved = persisted.saved_stores;
        let last_product = persisted.last_product;
        app.grid.zoom = persisted.tile_zoom.unwrap_or(1.0);
        app.about.appearance = persisted.appearance;
        super::theme::apply(ctx, persisted.appearance);
        match persisted.last_store.and_then(|s| s.parse::<StoreRef>().ok()).filter(|s| *s != StoreRef::Sandbox) {
            Some(store) => {
                app.pending_product = last_product.map(|p| (store.clone(), p));
                app.stores.pending = Some(store.clone());
                app.stores.busy = true;
                app.engine.send(Command::OpenSaved { store, endpoint });
            }
            None => {
                app.engine.send(Command::OpenLocal);
                if let Some(id) = last_product {
                    app.pending_product = Some((StoreRef::Sandbox, id));
                }
            }
        }
        Ok(app)
    }

    /// The app on the sandbox `launcher` starts (tests inject faults this way), with nothing on disk.
    pub fn with_sandbox(ctx: &egui::Context, launcher: LocalLauncher) -> Result<Self, String> {
        Self::with_sandbox_in(ctx, launcher, Folders::default())
    }

    /// The app on the sandbox `launcher` starts, keeping thumbnails and the catalog in `folders`.
    pub fn with_sandbox_in(ctx: &egui::Context, launcher: LocalLauncher, folders: Folders) -> Result<Self, String> {
        let app = Self::starting(ctx, Some(launcher), folders)?;
        app.engine.send(Command::OpenLocal);
        Ok(app)
    }

    /// The app with its engine started and no store open yet.
    fn starting(ctx: &egui::Context, launcher: Option<LocalLauncher>, folders: Folders) -> Result<Self, String> {
        super::theme::apply(ctx, super::theme::Appearance::default());
        let repaint_ctx = ctx.clone();
        let has_sandbox = launcher.is_some();
        let data_dir = folders.data.clone();
        let engine = Engine::start(launcher, folders, move || repaint_ctx.request_repaint())?;
        Ok(MediadeskApp {
            view: View::Products,
            audit: Default::default(),
            audit_stale: false,
            select_after_open: None,
            engine,
            store_label: None,
            store: StoreRef::Sandbox,
            picker: Picker::starting(),
            uploaded_names: HashMap::new(),
            selected: None,
            media: None,
            grid: GridView::default(),
            inspector: InspectorView::default(),
            thumbs: Default::default(),
            activity: Activity::default(),
            uploads: Vec::new(),
            next_batch: 1,
            undo: Vec::new(),
            stores: Default::default(),
            limitations: Vec::new(),
            // Until the engine says which store is open.
            capabilities: Capabilities::cautious(),
            known: Known::default(),
            pending_product: None,
            has_sandbox,
            file_picker: FilePicker::native(),
            picking: None,
            leaving: None,
            path_entry: None,
            open_marks: Default::default(),
            unconfirmed: Default::default(),
            waiting: Default::default(),
            history: Default::default(),
            about: Default::default(),
            opened_files: Vec::new(),
            data_dir,
        })
    }

    /// Send requests for stores added in the window to this loopback address instead of
    /// their own hosts (tests point it at the sandbox).
    pub fn set_endpoint_override(&mut self, endpoint: Option<String>) {
        self.stores.endpoint = endpoint;
    }

    /// Replace the native "Add files…" dialog (tests cannot drive one).
    pub fn set_file_picker(&mut self, picker: FilePicker) {
        self.file_picker = picker;
    }

    /// The engine, for tests that look at the store behind it.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// How many thumbnails are decoded and uploaded as textures.
    pub fn thumbnails_loaded(&self) -> usize {
        self.thumbs.loaded()
    }

    /// Thumbnails asked for and not arrived yet.
    pub fn thumbnails_pending(&self) -> usize {
        self.thumbs.pending()
    }

    /// How many products the list holds (pages are read as it is scrolled).
    pub fn products_loaded(&self) -> usize {
        self.picker.products.len()
    }

    /// The open product's title, as the list shows it.
    pub fn open_product_title(&self) -> Option<String> {
        let id = self.selected.as_ref()?;
        self.picker.products.iter().find(|p| &p.id == id).map(|p| p.title.clone())
    }

    /// The open product's media count, once loaded.
    pub fn open_media_count(&self) -> Option<usize> {
        self.media.as_ref().map(|m| m.media.len())
    }

    /// How many media the audit view lists with its filters, once an audit has come.
    pub fn audit_listed(&mut self) -> Option<usize> {
        self.audit.loaded.then(|| self.audit.shown().len())
    }

    /// True while something runs in the background.
    pub fn busy(&self) -> bool {
        self.picker.busy() || self.activity.running()
    }

    /// The product list, and what the user did in it.
    pub(super) fn product_list(&mut self, ui: &mut egui::Ui) {
        let mut picker = std::mem::take(&mut self.picker);
        let mut grid_keys = self.grid.has_keys;
        let actions = picker.picker_ui(ui, self, &mut grid_keys);
        self.picker = picker;
        self.grid.has_keys = grid_keys;
        for action in actions {
            match action {
                PickerAction::Open(id) => self.open_product(id),
                PickerAction::EnterGrid => self.enter_grid(ui.ctx()),
                PickerAction::WantHealth(rows) => self.want_health(rows),
                PickerAction::SyncNow { full } => self.engine.send(Command::SyncCatalog { full }),
            }
        }
    }

    /// The media grid, and what the user did in it.
    pub(super) fn grid_panel(&mut self, ui: &mut egui::Ui) {
        self.path_field(ui);
        let input = GridInput {
            product: self.selected.as_ref(),
            media: self.media.as_ref(),
            uploads: &self.uploads,
            drafts: &self.inspector.unsaved,
            waiting: &self.waiting,
            marks: &self.open_marks.marks,
        };
        let (thumbs, engine) = (&mut self.thumbs, &self.engine);
        let actions = self.grid.grid_ui(ui, input, &mut |url| thumbs.texture(url, engine));
        self.on_grid(ui.ctx(), actions);
    }

    /// The inspector, and what the user did in it.
    pub(super) fn inspector_panel(&mut self, ui: &mut egui::Ui) {
        let input = InspectorInput {
            media: self.media.as_ref(),
            cursor: self.grid.cursor.as_ref(),
            selection: self.selected_in_order(),
            capabilities: &self.capabilities,
            known: &self.known,
            thumbs: &mut self.thumbs,
            engine: &self.engine,
        };
        for action in self.inspector.inspector_ui(ui, input) {
            match action {
                InspectorAction::SaveAlt => self.save_alt(),
                InspectorAction::Move(place) => self.move_selection(place),
                InspectorAction::Remove { confirmed } => self.remove_selected(confirmed),
                InspectorAction::Delete(media) => self.delete(media),
                InspectorAction::BackToGrid => self.grid.has_keys = true,
            }
        }
    }

    /// Carry out what the grid asked for.
    fn on_grid(&mut self, ctx: &egui::Context, actions: Vec<GridAction>) {
        for action in actions {
            match action {
                GridAction::Select { media, toggle, range } => self.select_media(&media, toggle, range),
                GridAction::Move(place) => self.move_selection(place),
                GridAction::Dropped { dragged, target } => self.drop_dragged(&dragged, target),
                GridAction::Remove => self.remove_selected(false),
                GridAction::AskDelete => self.inspector.confirm = Some(Confirm::Delete(self.selected_in_order())),
                GridAction::EditAlt => self.inspector.focus = true,
                GridAction::Leave => self.picker.focus = true,
                GridAction::AddFiles => self.add_files(ctx),
                GridAction::ClearFailedUploads(product) => {
                    self.uploads.retain(|u| u.product != product || !matches!(u.state, UploadState::Failed(_)))
                }
            }
        }
    }

    /// Hand the keyboard to the grid, on its first media when none is selected.
    pub(super) fn enter_grid(&mut self, ctx: &egui::Context) {
        ctx.memory_mut(|m| {
            if let Some(id) = m.focused() {
                m.surrender_focus(id);
            }
        });
        self.grid.has_keys = true;
        if self.grid.cursor.is_none()
            && let Some(first) = self.order().first().cloned()
        {
            self.select_media(&first, false, false);
        }
    }

    /// Start the search over with the current text: its first page.
    pub(super) fn search_again(&mut self) {
        self.picker.search_again(&self.engine);
    }

    pub(super) fn media_mut(&mut self, id: &MediaId) -> Option<&mut Media> {
        self.media.as_mut()?.media.iter_mut().find(|m| &m.id == id)
    }

    /// The texture for a thumbnail URL, asking the engine for it the first time.
    pub(super) fn texture(&mut self, url: &str) -> Option<super::thumbnails::Thumb> {
        self.thumbs.texture(url, &self.engine)
    }

    /// A product's alt-text health: the open product's from what the grid shows (so local
    /// edits count at once), another's as last read.
    pub(super) fn health_of(&self, id: &ProductId) -> Option<Health> {
        match &self.media {
            Some(pm) if &pm.id == id => Some(self.open_marks.health),
            _ => self.known.health.get(id).cloned(),
        }
    }

    /// Ask for the health of these products (the rows in view that have none yet); a new list
    /// replaces the last one, so rows scrolled past are not read.
    pub(super) fn want_health(&mut self, rows: Vec<(ProductId, u32)>) {
        if rows != self.known.wanted {
            self.known.wanted = rows.clone();
            self.engine.send(Command::Scan(rows));
        }
    }

    /// Open a product, unless alt text typed on the open one is not saved: then ask first
    /// (`ui::leaving`).
    pub(super) fn open_product(&mut self, id: ProductId) {
        if self.selected.as_ref() != Some(&id) && !self.unsaved_texts().is_empty() {
            self.leaving = Some(id);
            return;
        }
        self.open_product_now(id);
    }

    /// Open a product, leaving the one open as it is.
    pub(super) fn open_product_now(&mut self, id: ProductId) {
        // What the product left shows now, edits included, is what its row must say from here.
        if let Some(left) = &self.media {
            self.known.learn(&left.alts(), self.capabilities.alt_max_chars);
        }
        self.selected = Some(id.clone());
        self.media = None;
        self.grid.clear();
        self.inspector.confirm = None;
        self.engine.send(Command::OpenProduct(id));
    }

    /// The open product's media ids, in order.
    pub(super) fn order(&self) -> Vec<MediaId> {
        self.media.as_ref().map(|pm| pm.media.iter().map(|m| m.id.clone()).collect()).unwrap_or_default()
    }

    /// Keys that work anywhere: undo, search, add files; and the grid's keys while it has them.
    fn shortcuts(&mut self, ctx: &egui::Context) {
        let typing = ctx.text_edit_focused();
        let (undo, find, add, products, audit) = ctx.input_mut(|i| {
            (
                !typing && i.consume_key(Modifiers::COMMAND, Key::Z),
                i.consume_key(Modifiers::COMMAND, Key::F),
                i.consume_key(Modifiers::COMMAND, Key::O),
                i.consume_key(Modifiers::COMMAND, Key::Num1),
                i.consume_key(Modifiers::COMMAND, Key::Num2),
            )
        });
        if products {
            self.show_view(View::Products);
        }
        if audit {
            self.show_view(View::Audit);
        }
        if undo {
            self.undo_last();
        }
        if find {
            self.show_view(View::Products);
            self.picker.focus = true;
            self.grid.has_keys = false;
        }
        if add {
            self.add_files(ctx);
        }
        if self.grid.has_keys && !typing && self.view == View::Products {
            let actions = self.grid.keys(ctx, &self.order());
            self.on_grid(ctx, actions);
        }
    }
}

impl PickerHost for MediadeskApp {
    fn open_product_id(&self) -> Option<&ProductId> {
        self.selected.as_ref()
    }

    fn store(&self) -> &StoreRef {
        &self.store
    }

    fn health(&self, id: &ProductId) -> Option<Health> {
        self.health_of(id)
    }

    fn thumbnail(&mut self, url: &str) -> Option<super::thumbnails::Thumb> {
        self.texture(url)
    }

    fn send(&self, command: Command) {
        self.engine.send(command);
    }
}

impl eframe::App for MediadeskApp {
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let persisted = Persisted {
            saved_stores: self.stores.saved.clone(),
            last_store: (self.store != StoreRef::Sandbox).then(|| self.store.to_string()),
            last_product: self.selected.clone(),
            tile_zoom: Some(self.grid.zoom).filter(|z| (*z - 1.0).abs() > 0.01),
            appearance: self.about.appearance,
        };
        eframe::set_value(storage, PERSIST_KEY, &persisted);
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let start = Instant::now();
        while start.elapsed() < EVENT_BUDGET {
            let Some(event) = self.engine.try_event() else { break };
            self.apply(ctx, event);
        }
        self.picker.debounce(ctx, &self.engine, SEARCH_DEBOUNCE);
        self.shortcuts(ctx);
        let mut files: Vec<PathBuf> = ctx.input(|i| {
            i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect()
        });
        if let Some(answer) = self.picking.as_ref().and_then(|p| p.answer()) {
            self.picking = None;
            match answer {
                Ok(picked) => files.extend(picked.unwrap_or_default()),
                // Said, and the path field offered instead.
                Err(why) => {
                    self.activity.error = Some(why);
                    self.path_entry.get_or_insert_with(String::new);
                }
            }
        }
        if !files.is_empty() {
            match self.selected.clone() {
                Some(product) => self.upload(product, files),
                None => self.activity.error = Some("Pick a product first, then drop files on it.".into()),
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        // Before anything draws: the list's row and the tiles read them.
        self.open_marks.follow(self.media.as_ref(), self.capabilities.alt_max_chars);
        egui::Panel::top("banner").show(ui, |ui| self.banner(ui));
        let undo = self.undo.last().map(|u| u.what().to_string());
        egui::Panel::bottom("activity").show(ui, |ui| match self.activity.activity_ui(ui, undo.as_deref()) {
            Some(ActivityClick::Undo) => self.undo_last(),
            Some(ActivityClick::Retry(job)) => self.retry(job),
            Some(ActivityClick::Cancel(job)) => {
                if let Some(command) = self.activity.take_cancel(job) {
                    self.engine.send(command);
                }
            }
            None => {}
        });
        match self.view {
            View::Audit => {
                egui::CentralPanel::default().show(ui, |ui| self.audit_panel(ui));
            }
            View::Products => self.editor_panels(ui),
        }
        let ctx = ui.ctx().clone();
        self.windows(&ctx, frame);
    }
}

impl MediadeskApp {
    /// The product editor: the product list, the grid and the inspector.
    fn editor_panels(&mut self, ui: &mut egui::Ui) {
        // The side panels give way in a narrow window, so the grid keeps room for two tiles.
        let width = ui.ctx().content_rect().width();
        let side = |least: f32| ((width - GRID_LEAST) / 2.0).max(least);
        let picker = egui::Panel::left("products").default_size(280.0).min_size(180.0).max_size(side(180.0));
        picker.show(ui, |ui| self.product_list(ui));
        let inspector = egui::Panel::right("inspector").default_size(320.0).min_size(200.0).max_size(side(200.0));
        inspector.show(ui, |ui| {
            egui::ScrollArea::vertical().auto_shrink([false; 2]).show(ui, |ui| self.inspector_panel(ui));
        });
        egui::CentralPanel::default().show(ui, |ui| self.grid_panel(ui));
    }

    /// The windows over the views: stores, history, about, the unsaved-text question.
    fn windows(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.stores.window_ui(ctx, &self.engine, self.has_sandbox);
        if let Some(command) = self.history.show(ctx) {
            self.engine.send(command);
        }
        if self.about.renderer.is_none() {
            self.about.renderer = Some(match frame.gl() {
                Some(gl) => {
                    use eframe::glow::HasContext;
                    let v = gl.version();
                    let kind = if v.is_embedded { "OpenGL ES" } else { "OpenGL" };
                    format!("{kind} {}.{} ({})", v.major, v.minor, v.vendor_info)
                }
                None => "no OpenGL context (a test harness, or another renderer)".into(),
            });
        }
        self.about.show(ctx, self.store.platform_name(), self.data_dir.as_deref());
        self.leaving_ui(ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// eframe's storage, in memory.
    #[derive(Default)]
    struct Memory(HashMap<String, String>);

    impl eframe::Storage for Memory {
        fn get_string(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.0.insert(key.to_string(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.0.remove(key);
        }
        fn flush(&mut self) {}
    }

    #[test]
    fn the_window_state_round_trips_and_older_saves_still_read() {
        let kept = Persisted {
            saved_stores: vec!["shopify:acme".into(), "ecwid:1003".into()],
            last_store: Some("ecwid:1003".into()),
            last_product: Some(ProductId("7".into())),
            tile_zoom: None,
            appearance: Default::default(),
        };
        let mut storage = Memory::default();
        eframe::set_value(&mut storage, PERSIST_KEY, &kept);
        assert_eq!(Persisted::load(&storage), kept);
        // The theme chosen is kept too.
        let light = Persisted { appearance: crate::ui::theme::Appearance::Light, ..kept.clone() };
        eframe::set_value(&mut storage, PERSIST_KEY, &light);
        assert_eq!(Persisted::load(&storage).appearance, crate::ui::theme::Appearance::Light);

        // The first versions' keys, one string each.
        let mut legacy = Memory::default();
        legacy.0.insert("mediadesk.stores".into(), "shopify:acme\necwid:1003".into());
        legacy.0.insert("mediadesk.last_store".into(), "ecwid:1003".into());
        legacy.0.insert("mediadesk.last_product".into(), "7".into());
        assert_eq!(Persisted::load(&legacy), kept);

        // A save with fields missing (an older or newer version) keeps what it has.
        let mut partial = Memory::default();
        partial.0.insert(PERSIST_KEY.into(), "(last_store: Some(\"shopify:acme\"))".into());
        let read = Persisted::load(&partial);
        assert_eq!((read.last_store.as_deref(), read.saved_stores.len()), (Some("shopify:acme"), 0));
        assert_eq!(Persisted::load(&Memory::default()), Persisted::default());
    }
}
