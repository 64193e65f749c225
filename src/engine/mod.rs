//! The background engine: a tokio runtime on its own thread that runs the UI's commands
//! against the store and answers with events, asking for a repaint after each one.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::mpsc as std_mpsc;

use crate::disk_cache::DiskCache;
use crate::model::{ProductId, ProductMedia, ProductQuery, ProductSort, StoreRef};
use crate::store::credentials::Credentials;
use crate::store::{Capabilities, LocalLauncher, Opened, Store, StoreError};

use crate::journal::Change;
mod edits;
mod journaled;
mod local;
mod messages;
mod upload;

pub use messages::{
    AltChange, AuditData, CatalogState, Command, Event, HistoryItem, JobState, LocalHealth, UnconfirmedChange,
    UploadState,
};
pub use upload::file_name;

/// Thumbnails fetched and decoded at the same time.
const THUMB_PARALLEL: usize = 6;
/// Products asked for at a time (about 5 cost points each on Shopify).
const PRODUCT_PAGE: u32 = 50;
/// Products read for health badges at the same time: few, so the user's own requests go first.
const SCAN_PARALLEL: usize = 2;

/// Where the engine keeps things on disk; `None` keeps nothing there (tests).
#[derive(Debug, Clone, Default)]
pub struct Folders {
    /// Thumbnails (the platform's cache folder).
    pub cache: Option<std::path::PathBuf>,
    /// The stores' local catalogs (the platform's data folder).
    pub data: Option<std::path::PathBuf>,
}

/// The UI's handle on the engine.
pub struct Engine {
    commands: tokio::sync::mpsc::UnboundedSender<Command>,
    events: std_mpsc::Receiver<Event>,
}

struct Ctx {
    store: std::sync::RwLock<Arc<dyn Store>>,
    /// Starts the store that runs on this computer when it is first asked for (the built-in
    /// sandbox, in builds that have it).
    launcher: Option<LocalLauncher>,
    /// That store once started: kept, so going back to it finds the same catalog.
    local: tokio::sync::Mutex<Option<Opened>>,
    http: reqwest::Client,
    thumbs: tokio::sync::Semaphore,
    thumb_cache: Option<DiskCache>,
    /// Where catalogs live.
    data_dir: Option<std::path::PathBuf>,
    /// The open store's local catalog.
    catalog: Mutex<Option<Arc<local::LocalCatalog>>>,
    /// The open store's edit journal.
    journal: Mutex<Option<Arc<Mutex<crate::journal::Journal>>>>,
    /// Edits waiting for the store to answer again: journal id → the strip's job showing it.
    waiting: Mutex<std::collections::BTreeMap<i64, u64>>,
    /// A task is probing the store for the waiting edits.
    probing: std::sync::atomic::AtomicBool,
    scans: Mutex<Scans>,
    send: Box<dyn Fn(Event) + Send + Sync>,
    jobs: std::sync::atomic::AtomicU64,
}

impl Ctx {
    /// The store commands run against now.
    fn store(&self) -> Arc<dyn Store> {
        self.store.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Switch the store commands run against.
    fn set_store(&self, store: Arc<dyn Store>) {
        *self.store.write().unwrap_or_else(std::sync::PoisonError::into_inner) = store;
    }
}

/// The store in use before any store was opened: every request says so.
struct NoStore(StoreRef);

#[async_trait::async_trait]
impl Store for NoStore {
    fn store_ref(&self) -> &StoreRef {
        &self.0
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::cautious()
    }

    async fn connect(&self) -> Result<crate::store::Connection, StoreError> {
        Err(NoStore::error())
    }

    async fn search_products(
        &self,
        _: &crate::model::ProductQuery,
    ) -> Result<crate::model::Page<crate::model::ProductSummary>, StoreError> {
        Err(NoStore::error())
    }

    async fn product_media(&self, _: &ProductId) -> Result<ProductMedia, StoreError> {
        Err(NoStore::error())
    }
}

impl NoStore {
    fn error() -> StoreError {
        StoreError::Refused { code: "NO_STORE".into(), message: "No store is open yet: connect your store.".into() }
    }
}

impl Engine {
    /// Start the engine thread with no store open; the first command opens one (`OpenLocal`,
    /// `Connect` or `OpenSaved`). `launcher` starts the built-in sandbox when it is asked for;
    /// thumbnails are kept in `folders.cache` and each store's catalog in `folders.data` when
    /// given; `repaint` is called after every event.
    pub fn start(
        launcher: Option<LocalLauncher>,
        folders: Folders,
        repaint: impl Fn() + Send + Sync + 'static,
    ) -> Result<Engine, String> {
        let thumb_cache =
            folders.cache.as_ref().map(|d| DiskCache::new(d.join("thumbnails"), crate::thumbs::CACHE_BUDGET));
        let (cmd_tx, mut cmd_rx) = tokio::sync::mpsc::unbounded_channel::<Command>();
        let (ev_tx, ev_rx) = std_mpsc::channel::<Event>();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("the background runtime could not start: {e}"))?;
        std::thread::Builder::new()
            .name("mediadesk-engine".into())
            .spawn(move || {
                rt.block_on(async move {
                    let send = move |e: Event| {
                        // The window is gone when this fails: nothing is left to tell.
                        let _ = ev_tx.send(e);
                        repaint();
                    };
                    let ctx = Arc::new(Ctx {
                        store: std::sync::RwLock::new(Arc::new(NoStore(StoreRef::Sandbox))),
                        launcher,
                        local: tokio::sync::Mutex::new(None),
                        http: reqwest::Client::new(),
                        thumbs: tokio::sync::Semaphore::new(THUMB_PARALLEL),
                        thumb_cache: thumb_cache.clone(),
                        data_dir: folders.data,
                        catalog: Mutex::default(),
                        journal: Mutex::default(),
                        waiting: Mutex::default(),
                        probing: std::sync::atomic::AtomicBool::new(false),
                        scans: Mutex::default(),
                        send: Box::new(send),
                        jobs: Default::default(),
                    });
                    // Keep the thumbnails within their budget, once per start, in the background.
                    if let Some(cache) = thumb_cache {
                        tokio::task::spawn_blocking(move || cache.trim());
                    }
                    if let Some(dir) = folders.cache {
                        // The product media lists kept here by versions before the local catalog.
                        tokio::task::spawn_blocking(move || std::fs::remove_dir_all(dir.join("media")));
                    }
                    while let Some(cmd) = cmd_rx.recv().await {
                        let ctx = ctx.clone();
                        if matches!(cmd, Command::OpenLocal) {
                            // Opened before the next command runs: a search sent right after
                            // it must find the sandbox, not the empty start.
                            handle(ctx, cmd).await;
                        } else {
                            tokio::spawn(async move { handle(ctx, cmd).await });
                        }
                    }
                });
            })
            .map_err(|e| format!("the background thread could not start: {e}"))?;
        Ok(Engine { commands: cmd_tx, events: ev_rx })
    }

    /// Queue a command; never blocks.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The next event, if one is waiting; never blocks.
    pub fn try_event(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}

/// The products waiting for a health read, and how many workers read them.
#[derive(Default)]
struct Scans {
    wanted: std::collections::VecDeque<(ProductId, u32)>,
    in_flight: std::collections::HashSet<ProductId>,
    workers: usize,
}

/// Read the wanted products' alt texts one after another until none is left.
async fn scan_worker(ctx: Arc<Ctx>) {
    loop {
        let next = {
            let mut scans = crate::sync::lock(&ctx.scans);
            let next = loop {
                match scans.wanted.pop_front() {
                    Some((p, _)) if scans.in_flight.contains(&p) => continue,
                    other => break other,
                }
            };
            match &next {
                Some((p, _)) => {
                    scans.in_flight.insert(p.clone());
                }
                // Stops under the lock, so a new list always finds a worker to take it.
                None => scans.workers -= 1,
            }
            next
        };
        let Some((product, media_count)) = next else { return };
        // A badge that stays blank is the whole cost of a failure here; the user's own
        // requests report errors.
        let read = ctx.store().media_alts(&product, media_count).await;
        crate::sync::lock(&ctx.scans).in_flight.remove(&product);
        match read {
            Ok(alts) => (ctx.send)(Event::Scanned(alts)),
            // The badge stays blank; the user's own requests report errors to the window.
            Err(e) => tracing::debug!(product = %product, error = %e, "alt-text health read failed"),
        }
    }
}

/// Run one command to the end, reporting as it goes.
async fn handle(ctx: Arc<Ctx>, cmd: Command) {
    let span = tracing::debug_span!("job", command = cmd.name());
    tracing::Instrument::instrument(run_command(ctx, cmd), span).await
}

async fn run_command(ctx: Arc<Ctx>, cmd: Command) {
    let shared = ctx.clone();
    let ctx = &ctx;
    let send = &ctx.send;
    match cmd {
        Command::Search { text, generation, after } => search(ctx, text, generation, after).await,
        Command::Connect { store, endpoint, credentials, save } => {
            connect(&shared, store, endpoint, credentials, save).await
        }
        Command::OpenSaved { store, endpoint } => match off_thread({
            let store = store.clone();
            move || crate::secrets::token_for(&store)
        })
        .await
        {
            Ok(secret) => {
                let credentials = Credentials::from_stored(&secret);
                connect(&shared, store, endpoint, credentials, false).await
            }
            Err(e) => send(Event::ConnectFailed(e.to_string())),
        },
        Command::OpenLocal => open_local(&shared).await,
        Command::SyncCatalog { full } => match local::current(ctx) {
            Some(catalog) => local::sync(ctx, ctx.store(), catalog, full).await,
            None => send(Event::Failed("This store has no local catalog to sync (see the notice above).".into())),
        },
        Command::CancelSync => {
            if let Some(catalog) = local::current(ctx) {
                catalog.cancel();
            }
        }
        Command::Forget(store) => {
            if let Err(e) = off_thread(move || crate::secrets::delete(&store)).await {
                send(Event::Failed(e.to_string()));
            }
        }
        Command::OpenProduct(id) => open_product(ctx, id).await,
        Command::Scan(wanted) => start_scans(ctx, wanted),
        Command::Thumbnail(url) => thumbnail(ctx, url).await,
        Command::SaveAlt { product, media, alt, previous, title } => match journaled::current(ctx) {
            Some(journal) => journaled::save_alt(&shared, journal, product, (media, alt, previous), title, false).await,
            // No data folder, or a journal that cannot be opened (the user was told).
            None => edits::save_alt(ctx, product, (media, alt, previous), title).await,
        },
        Command::UndoAlt { product, media, alt, previous, title } => match journaled::current(ctx) {
            Some(journal) => journaled::save_alt(&shared, journal, product, (media, alt, previous), title, true).await,
            None => edits::save_alt(ctx, product, (media, alt, previous), title).await,
        },
        Command::UndoLast => journaled::undo(ctx, None).await,
        Command::UndoChange(id) => journaled::undo(ctx, Some(id)).await,
        Command::LoadHistory => journaled::history(ctx).await,
        Command::LoadAudit => local::audit(ctx, ctx.store().capabilities().alt_max_chars).await,
        Command::SetDecorative { media, decorative } => {
            local::set_decorative(ctx, media, decorative, ctx.store().capabilities().alt_max_chars).await
        }
        Command::SaveAlts { changes, title } => match journaled::current(ctx) {
            Some(journal) => journaled::save_many(&shared, journal, changes, title).await,
            None => (ctx.send)(Event::Failed(
                "Bulk fixes need the edit journal, which needs a data folder: none is available".into(),
            )),
        },
        Command::ResumeChanges { only, overwrite } => journaled::resume(ctx, only, overwrite).await,
        Command::DiscardChanges { only } => journaled::discard(ctx, only).await,
        Command::Reorder { product, order, previous, title } => match journaled::current(ctx) {
            Some(journal) => journaled::reorder(&shared, journal, product, (order, previous), title, false).await,
            None => edits::reorder(ctx, product, order, previous, title).await,
        },
        Command::UndoReorder { product, order, previous, title } => match journaled::current(ctx) {
            Some(journal) => journaled::reorder(&shared, journal, product, (order, previous), title, true).await,
            None => edits::reorder(ctx, product, order, previous, title).await,
        },
        Command::Reattach { product, media, order } if journaled::current(ctx).is_some() => {
            let title = format!("Putting back {} removed media", media.len());
            let again = Command::Reattach { product: product.clone(), media: media.clone(), order: order.clone() };
            journaled::batch(&shared, product, Change::Reattach { media, order }, title, again).await
        }
        Command::Remove { product, media, order } if journaled::current(ctx).is_some() => {
            let title = format!("Removing {} media from the product", media.len());
            let again = Command::Remove { product: product.clone(), media: media.clone(), order: order.clone() };
            journaled::batch(&shared, product, Change::Remove { media, order }, title, again).await
        }
        Command::Delete { product, media } if journaled::current(ctx).is_some() => {
            let title = format!("Deleting {} file{} permanently", media.len(), if media.len() == 1 { "" } else { "s" });
            let again = Command::Delete { product: product.clone(), media: media.clone() };
            journaled::batch(&shared, product, Change::Delete { media }, title, again).await
        }
        Command::Reattach { product, media, order } => {
            let title = format!("Putting back {} removed media", media.len());
            let result = match ctx.store().reattach(&product, &media).await {
                // Back at the end of the gallery: now the old order.
                Ok(o) if o.failed.is_empty() => ctx.store().reorder(&product, &order).await.map(|()| o),
                other => other,
            };
            let retry = |media| Command::Reattach { product: product.clone(), media, order };
            edits::report_batch(ctx, title, result, &product, &media, retry).await;
        }
        Command::Remove { product, media, order } => {
            let title = format!("Removing {} media from the product", media.len());
            let result = ctx.store().remove_from_product(&product, &media).await;
            let retry = |media| Command::Remove { product: product.clone(), media, order };
            edits::report_batch(ctx, title, result, &product, &media, retry).await;
        }
        Command::Delete { product, media } => {
            let title = format!("Deleting {} file{} permanently", media.len(), if media.len() == 1 { "" } else { "s" });
            let result = ctx.store().delete(&media).await;
            let retry = |media| Command::Delete { product: product.clone(), media };
            edits::report_batch(ctx, title, result, &product, &media, retry).await;
        }
        Command::Upload { product, paths, batch, replace_failed } => {
            upload::run(&shared, product, paths, batch, replace_failed).await
        }
    }
}

/// A page of products for the list: the local catalog's answer at once for a first page, then
/// the store's.
async fn search(ctx: &Ctx, text: String, generation: u64, after: Option<String>) {
    let send = &ctx.send;
    let first = after.is_none();
    let mut answered = false;
    if first && let Some((items, health)) = local::search(ctx, &text).await {
        send(Event::LocalProducts { generation, items, health });
        answered = true;
    }
    // One page at a time, as the list is scrolled: a large catalog is never read
    // whole, and the cost bucket stays free for what the user asks for.
    let q = ProductQuery { text, limit: PRODUCT_PAGE, sort: ProductSort::Title, cursor: after };
    match ctx.store().search_products(&q).await {
        Ok(page) => send(Event::Products { generation, page, first }),
        Err(e) if answered && unreachable(&e) => send(Event::Offline(describe(&e))),
        Err(e) => send(Event::Failed(describe(&e))),
    }
}

/// The store could not be reached (or failed on its side): the local catalog stands in.
fn unreachable(e: &StoreError) -> bool {
    matches!(e, StoreError::Network { .. } | StoreError::Server { .. })
}

/// A product's media: the local catalog's at once, then the store's (kept in the catalog).
async fn open_product(ctx: &Ctx, id: ProductId) {
    let send = &ctx.send;
    let local = local::product_media(ctx, &id).await;
    let answered = local.is_some();
    if let Some(media) = local {
        send(Event::Media(media));
    }
    match ctx.store().product_media(&id).await {
        Ok(media) => {
            local::keep(ctx, &media).await;
            send(Event::Media(media));
        }
        Err(e) if answered && unreachable(&e) => send(Event::Offline(describe(&e))),
        Err(e) => send(Event::Failed(describe(&e))),
    }
}

/// Read these products' health next (a new list replaces the last), with up to
/// `SCAN_PARALLEL` workers.
fn start_scans(ctx: &Arc<Ctx>, wanted: Vec<(ProductId, u32)>) {
    let start = {
        let mut scans = crate::sync::lock(&ctx.scans);
        scans.wanted = wanted.into();
        let idle = SCAN_PARALLEL.saturating_sub(scans.workers);
        scans.workers += idle;
        idle
    };
    for _ in 0..start {
        tokio::spawn(scan_worker(ctx.clone()));
    }
}

/// Fetch and decode a thumbnail, a few at a time.
async fn thumbnail(ctx: &Ctx, url: String) {
    let send = &ctx.send;
    let _permit = ctx.thumbs.acquire().await;
    match crate::thumbs::load(&ctx.http, ctx.thumb_cache.as_ref(), &url).await {
        Some(image) => send(Event::Thumbnail { url, image: Arc::new(image) }),
        None => send(Event::ThumbnailFailed(url)),
    }
}

/// Run a keyring call (D-Bus or the keychain: blocking) off the async workers.
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::secrets::SecretError> + Send + 'static,
) -> Result<T, crate::secrets::SecretError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => Err(crate::secrets::SecretError::Keyring(format!("the keyring call stopped unexpectedly ({e})"))),
    }
}

/// Build the store, check the credentials, then switch to it (with its local catalog, synced
/// in the background) and keep the secret. A saved store that cannot be reached opens on its
/// catalog when it has one, so the merchant can still browse it.
async fn connect(ctx: &Arc<Ctx>, store_ref: StoreRef, endpoint: Option<String>, credentials: Credentials, save: bool) {
    let send = &ctx.send;
    let store = match crate::store::open(
        &store_ref,
        endpoint.as_deref(),
        crate::store::DEFAULT_API_VERSION,
        credentials.clone(),
    ) {
        Ok(store) => store,
        Err(e) => return send(Event::ConnectFailed(format!("{} ({e})", describe(&e)))),
    };
    let checked = store.connect().await;
    let connection = match checked {
        Ok(c) => c,
        Err(e) if !save && unreachable(&e) => {
            let offline = describe(&e);
            match local::open(ctx, &store_ref).await {
                Some(catalog) if catalog.filled().await => {
                    // In place before the window's first search, which it answers.
                    local::install(ctx, &catalog).await;
                    journaled::open(ctx, &store_ref).await;
                    ctx.set_store(store.clone());
                    let (label, capabilities) = (store_ref.to_string(), store.capabilities());
                    send(Event::Connected {
                        store: store_ref,
                        label,
                        limitations: Vec::new(),
                        capabilities,
                        offline: Some(offline),
                    });
                }
                _ => send(Event::ConnectFailed(format!("{offline} ({e})"))),
            }
            return;
        }
        Err(e) => return send(Event::ConnectFailed(format!("{} ({e})", describe(&e)))),
    };
    let (label, mut limitations) = (connection.label(store.platform()), connection.limitations);
    let (target, stored) = (store_ref.clone(), credentials.to_stored());
    if save && let Err(e) = off_thread(move || crate::secrets::save(&target, &stored)).await {
        // Connected for this session only; say why it will not be remembered.
        limitations.push(format!("The connection works but was not saved: {e}"));
    }
    // In place first, so the list's first search already finds the catalog.
    let catalog = local::open(ctx, &store_ref).await;
    if let Some(catalog) = &catalog {
        local::install(ctx, catalog).await;
    }
    journaled::open(ctx, &store_ref).await;
    ctx.set_store(store.clone());
    let capabilities = store.capabilities();
    send(Event::Connected { store: store_ref, label, limitations, capabilities, offline: None });
    if let Some(catalog) = catalog {
        local::sync_on_connect(ctx, store, catalog, false).await;
    }
}

/// Send the product as the store has it now.
async fn refresh(ctx: &Ctx, product: &ProductId) {
    match ctx.store().product_media(product).await {
        Ok(m) => {
            local::keep(ctx, &m).await;
            (ctx.send)(Event::Media(m));
        }
        // The grid keeps what it shows; the failed edit itself was reported.
        Err(e) => tracing::warn!(product = %product, error = %e, "reading the product again after a change failed"),
    }
}

/// Switch to the store on this computer (the built-in sandbox), starting it the first time. Its
/// catalog is read whole on every open: a sandbox starts afresh each time the app does.
async fn open_local(ctx: &Arc<Ctx>) {
    let mut local = ctx.local.lock().await;
    if local.is_none() {
        let Some(launch) = ctx.launcher.clone() else {
            (ctx.send)(Event::ConnectFailed(
                "This build of mediadesk has no sandbox store: connect your store.".into(),
            ));
            return;
        };
        match launch().await {
            Ok(opened) => *local = Some(opened),
            Err(e) => {
                tracing::error!(error = %e, "the sandbox store could not start");
                (ctx.send)(Event::Failed(format!("The sandbox store could not start: {e}")));
                return;
            }
        }
    }
    let Some(opened) = local.as_ref() else { return };
    let store = opened.store.clone();
    let catalog = local::open(ctx, store.store_ref()).await;
    if let Some(catalog) = &catalog {
        local::install(ctx, catalog).await;
    }
    journaled::open(ctx, store.store_ref()).await;
    ctx.set_store(store.clone());
    (ctx.send)(Event::Connected {
        store: store.store_ref().clone(),
        label: opened.label.clone(),
        limitations: Vec::new(),
        capabilities: store.capabilities(),
        offline: None,
    });
    if let Some(catalog) = catalog {
        // In the background: the next command (the first search) must not wait for it.
        let ctx = ctx.clone();
        tokio::spawn(async move { local::sync(&ctx, store, catalog, true).await });
    }
}

/// A new job number for the activity strip.
fn next_job(ctx: &Ctx) -> u64 {
    ctx.jobs.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A store error in the user's words.
pub fn describe(e: &StoreError) -> String {
    match e {
        StoreError::Auth { .. } => "The store refused the access token. Reconnect the store with a valid token.".into(),
        StoreError::MissingScope { scope, .. } => format!("The app's token lacks the `{scope}` permission."),
        StoreError::Network { .. } => "The store could not be reached. Check the connection; nothing was lost.".into(),
        StoreError::Throttled { retry_after } => {
            format!("The store is busy; trying again in {:.0} s.", retry_after.as_secs_f64().ceil())
        }
        StoreError::Server { .. } => "The store had a problem. Try again in a moment.".into(),
        other => other.to_string(),
    }
}
