//! The background engine: a tokio runtime on its own thread that runs the UI's commands
//! against the store and answers with events, asking for a repaint after each one.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::mpsc as std_mpsc;

use crate::disk_cache::DiskCache;
use crate::model::{ProductId, ProductMedia, ProductQuery, ProductSort, StoreRef};
use crate::store::credentials::Credentials;
use crate::store::{Capabilities, LocalLauncher, Opened, Store, StoreError};

mod edits;
mod messages;
mod upload;

pub use messages::{Command, Event, JobState, UploadState};
pub use upload::file_name;

/// Thumbnails fetched and decoded at the same time.
const THUMB_PARALLEL: usize = 6;
/// Products asked for at a time (about 5 cost points each on Shopify).
const PRODUCT_PAGE: u32 = 50;
/// Disk the cached media lists may use.
const MEDIA_CACHE_BUDGET: u64 = 50 * 1024 * 1024;
/// Products read for health badges at the same time: few, so the user's own requests go first.
const SCAN_PARALLEL: usize = 2;

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
    media_cache: Option<DiskCache>,
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
    /// thumbnails and media lists are kept under `cache_dir` when given; `repaint` is called
    /// after every event.
    pub fn start(
        launcher: Option<LocalLauncher>,
        cache_dir: Option<std::path::PathBuf>,
        repaint: impl Fn() + Send + Sync + 'static,
    ) -> Result<Engine, String> {
        let thumb_cache = cache_dir.as_ref().map(|d| DiskCache::new(d.join("thumbnails"), crate::thumbs::CACHE_BUDGET));
        let media_cache = cache_dir.as_ref().map(|d| DiskCache::new(d.join("media"), MEDIA_CACHE_BUDGET));
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
                        media_cache: media_cache.clone(),
                        scans: Mutex::default(),
                        send: Box::new(send),
                        jobs: Default::default(),
                    });
                    // Keep the caches within their budgets, once per start, in the background.
                    for cache in [thumb_cache, media_cache].into_iter().flatten() {
                        tokio::task::spawn_blocking(move || cache.trim());
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
    let ctx = &ctx;
    let send = &ctx.send;
    match cmd {
        Command::Search { text, generation, after } => search(ctx, text, generation, after).await,
        Command::Connect { store, endpoint, credentials, save } => {
            connect(ctx, store, endpoint, credentials, save).await
        }
        Command::OpenSaved { store, endpoint } => match off_thread({
            let store = store.clone();
            move || crate::secrets::token_for(&store)
        })
        .await
        {
            Ok(secret) => {
                let credentials = Credentials::from_stored(&secret);
                connect(ctx, store, endpoint, credentials, false).await
            }
            Err(e) => send(Event::ConnectFailed(e.to_string())),
        },
        Command::OpenLocal => open_local(ctx).await,
        Command::Forget(store) => {
            if let Err(e) = off_thread(move || crate::secrets::delete(&store)).await {
                send(Event::Failed(e.to_string()));
            }
        }
        Command::OpenProduct(id) => open_product(ctx, id).await,
        Command::Scan(wanted) => start_scans(ctx, wanted),
        Command::Thumbnail(url) => thumbnail(ctx, url).await,
        Command::SaveAlt { product, media, alt, previous } => edits::save_alt(ctx, product, media, alt, previous).await,
        Command::Reorder { product, order, previous } => edits::reorder(ctx, product, order, previous).await,
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
        Command::Remove { product, media } => {
            let title = format!("Removing {} media from the product", media.len());
            let result = ctx.store().remove_from_product(&product, &media).await;
            let retry = |media| Command::Remove { product: product.clone(), media };
            edits::report_batch(ctx, title, result, &product, &media, retry).await;
        }
        Command::Delete { product, media } => {
            let title = format!("Deleting {} file{} permanently", media.len(), if media.len() == 1 { "" } else { "s" });
            let result = ctx.store().delete(&media).await;
            let retry = |media| Command::Delete { product: product.clone(), media };
            edits::report_batch(ctx, title, result, &product, &media, retry).await;
        }
        Command::Upload { product, paths, batch, replace_failed } => {
            upload::run(ctx, product, paths, batch, replace_failed).await
        }
    }
}

/// A page of products for the list.
async fn search(ctx: &Ctx, text: String, generation: u64, after: Option<String>) {
    let send = &ctx.send;
    // One page at a time, as the list is scrolled: a large catalog is never read
    // whole, and the cost bucket stays free for what the user asks for.
    let first = after.is_none();
    let q = ProductQuery { text, limit: PRODUCT_PAGE, sort: ProductSort::Title, cursor: after };
    match ctx.store().search_products(&q).await {
        Ok(page) => send(Event::Products { generation, page, first }),
        Err(e) => send(Event::Failed(describe(&e))),
    }
}

/// A product's media: the cached list at once, then the store's.
async fn open_product(ctx: &Ctx, id: ProductId) {
    let send = &ctx.send;
    // What this computer saw last time draws at once; the store's answer follows.
    if let Some(cached) = cached_media(ctx, &id).await {
        send(Event::Media(cached));
    }
    match ctx.store().product_media(&id).await {
        Ok(media) => {
            keep_media(ctx, &media).await;
            send(Event::Media(media));
        }
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

/// A store that answered: itself, its label, and what its token cannot do.
type Connected = (Arc<dyn Store>, String, Vec<String>);

/// Build the store, check the credentials, then switch to it and keep the secret.
async fn connect(ctx: &Ctx, store_ref: StoreRef, endpoint: Option<String>, credentials: Credentials, save: bool) {
    let send = &ctx.send;
    let built: Result<Connected, StoreError> = async {
        let store = crate::store::open(
            &store_ref,
            endpoint.as_deref(),
            crate::store::DEFAULT_API_VERSION,
            credentials.clone(),
        )?;
        let c = store.connect().await?;
        Ok((store.clone(), c.label(store.platform()), c.limitations))
    }
    .await;
    match built {
        Ok((store, label, mut limitations)) => {
            let (target, stored) = (store_ref.clone(), credentials.to_stored());
            if save && let Err(e) = off_thread(move || crate::secrets::save(&target, &stored)).await {
                // Connected for this session only; say why it will not be remembered.
                limitations.push(format!("The connection works but was not saved: {e}"));
            }
            ctx.set_store(store);
            let capabilities = ctx.store().capabilities();
            send(Event::Connected { store: store_ref, label, limitations, capabilities });
        }
        Err(e) => send(Event::ConnectFailed(format!("{} ({e})", describe(&e)))),
    }
}

/// Send the product as the store has it now.
async fn refresh(ctx: &Ctx, product: &ProductId) {
    match ctx.store().product_media(product).await {
        Ok(m) => {
            keep_media(ctx, &m).await;
            (ctx.send)(Event::Media(m));
        }
        // The grid keeps what it shows; the failed edit itself was reported.
        Err(e) => tracing::warn!(product = %product, error = %e, "reading the product again after a change failed"),
    }
}

/// The cache key of a product's media list: the store and the product.
fn media_key(ctx: &Ctx, product: &ProductId) -> String {
    format!("{} {}", ctx.store().cache_key(), product.0)
}

/// Switch to the store on this computer (the built-in sandbox), starting it the first time.
async fn open_local(ctx: &Ctx) {
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
    ctx.set_store(opened.store.clone());
    (ctx.send)(Event::Connected {
        store: opened.store.store_ref().clone(),
        label: opened.label.clone(),
        limitations: Vec::new(),
        capabilities: opened.store.capabilities(),
    });
}

/// The media list kept from the last time this product was read, if any.
async fn cached_media(ctx: &Ctx, product: &ProductId) -> Option<ProductMedia> {
    let cache = ctx.media_cache.clone()?;
    let key = media_key(ctx, product);
    let bytes = tokio::task::spawn_blocking(move || cache.read(&key)).await.ok()??;
    serde_json::from_slice::<ProductMedia>(&bytes).ok().filter(|pm| &pm.id == product)
}

/// Keep a media list for the next time the product opens.
async fn keep_media(ctx: &Ctx, media: &ProductMedia) {
    let Some(cache) = ctx.media_cache.clone() else { return };
    let key = media_key(ctx, &media.id);
    let Ok(bytes) = serde_json::to_vec(media) else { return };
    match tokio::task::spawn_blocking(move || cache.write(&key, &bytes)).await {
        Ok(Ok(())) => {}
        // Only the next cold open is slower: log it, nothing to tell the user.
        Ok(Err(e)) => tracing::warn!(error = %e, "the media list could not be written to the disk cache"),
        Err(e) => tracing::warn!(error = %e, "the disk cache writer stopped"),
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
