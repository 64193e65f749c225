//! The open store's local catalog, as the engine uses it: opened when a store is, synced in the
//! background (one sync at a time, with progress, time left and a cancel), read first by the
//! product list and the grid, and kept up to date with what the store says after every read and
//! edit. Every catalog call blocks, so each runs on the blocking pool, never on an async worker.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Ctx, Event, JobState};
use crate::catalog::sync::{Method, SyncError, SyncOptions, SyncProgress};
use crate::catalog::{Catalog, CatalogError, SyncKind, SyncSummary};
use crate::model::{ProductId, ProductMedia, ProductSummary, StoreRef};
use crate::store::Store;
use crate::text::thousands;

use super::messages::{AuditData, CatalogState, Command, LocalHealth};

/// How many products the list takes from the catalog for one search: the store's pages follow
/// past them as the list is scrolled.
const LOCAL_RESULTS: u32 = 500;
/// A catalog whose last full sync is older than this is read whole again on connect (deleted
/// products are only found by a full sync); otherwise only the changes are read.
const FULL_SYNC_EVERY: Duration = Duration::from_secs(24 * 3600);
/// How often the activity strip hears of a sync's progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Rows a bulk read is expected to send per product before a sync has shown the store's own
/// mix (the product, its media and its variants; the sandbox's average is about 9).
const ROWS_PER_PRODUCT: f64 = 10.0;
/// How long opening waits for a window that is still closing to let go of the catalog.
const RELEASE_WAIT: Duration = Duration::from_secs(3);

/// The catalog of the open store: a writer for syncs and edits, a reader for the window.
pub(super) struct LocalCatalog {
    store: StoreRef,
    writer: Arc<Mutex<Catalog>>,
    reader: Mutex<Catalog>,
    /// The running sync's cancel switch.
    syncing: Mutex<Option<Arc<AtomicBool>>>,
}

/// The catalog of the open store, if there is one.
pub(super) fn current(ctx: &Ctx) -> Option<Arc<LocalCatalog>> {
    crate::sync::lock(&ctx.catalog).clone()
}

/// Open `store`'s catalog (the one in use when it is the same store); `install` makes it the
/// one in use. None without a data folder, or when it cannot be used (the user is told).
pub(super) async fn open(ctx: &Ctx, store: &StoreRef) -> Option<Arc<LocalCatalog>> {
    if let Some(open) = current(ctx).filter(|c| &c.store == store) {
        return Some(open);
    }
    let dir = ctx.data_dir.clone()?;
    let target = store.clone();
    let opened = run_blocking(move || {
        let waited = Instant::now();
        loop {
            match Catalog::open(&dir, &target) {
                // A window closed a moment ago may still hold it.
                Err(CatalogError::InUse { .. }) if waited.elapsed() < RELEASE_WAIT => {
                    std::thread::sleep(Duration::from_millis(100))
                }
                other => return other,
            }
        }
    })
    .await;
    let (catalog, notice) = match opened.and_then(|(c, n)| Ok((c.reader()?, c, n))) {
        Ok((reader, writer, notice)) => (
            LocalCatalog {
                store: store.clone(),
                writer: Arc::new(Mutex::new(writer)),
                reader: Mutex::new(reader),
                syncing: Mutex::new(None),
            },
            notice,
        ),
        Err(e) => {
            tracing::warn!(error = %e, "the local catalog cannot be used");
            (ctx.send)(Event::Notice(format!(
                "The local catalog cannot be used, so products are read from the store: {e}"
            )));
            return None;
        }
    };
    if let Some(notice) = notice {
        (ctx.send)(Event::Notice(notice));
    }
    Some(Arc::new(catalog))
}

/// Make `catalog` the one the window reads, stopping the sync of the store left.
pub(super) async fn install(ctx: &Ctx, catalog: &Arc<LocalCatalog>) {
    let left = crate::sync::lock(&ctx.catalog).replace(catalog.clone());
    if let Some(left) = left.filter(|l| !Arc::ptr_eq(l, catalog)) {
        left.cancel();
    }
    report(ctx, catalog).await;
}

impl LocalCatalog {
    /// Stop the running sync, if any: its transaction is rolled back.
    pub(super) fn cancel(&self) {
        if let Some(flag) = crate::sync::lock(&self.syncing).as_ref() {
            flag.store(true, Ordering::Relaxed);
        }
    }

    fn is_syncing(&self) -> bool {
        crate::sync::lock(&self.syncing).is_some()
    }

    /// What the catalog holds and when it was synced, read off the async workers.
    async fn status(self: &Arc<Self>) -> Result<crate::catalog::Status, CatalogError> {
        let me = self.clone();
        run_blocking(move || crate::sync::lock(&me.reader).status()).await
    }

    /// Whether the catalog has been filled once: what a window without a network can show.
    pub(super) async fn filled(self: &Arc<Self>) -> bool {
        self.status().await.is_ok_and(|s| s.last_full_sync.is_some())
    }
}

/// Tell the window what the catalog holds and whether it is syncing.
pub(super) async fn report(ctx: &Ctx, catalog: &Arc<LocalCatalog>) {
    match catalog.status().await {
        Ok(status) => (ctx.send)(Event::Catalog(CatalogState {
            store: catalog.store.clone(),
            products: status.counts.products,
            media: status.counts.media,
            last_sync: status.last_sync,
            syncing: catalog.is_syncing(),
        })),
        Err(e) => tracing::warn!(error = %e, "the local catalog's state could not be read"),
    }
}

/// Sync on connect: everything when the catalog was never filled, when its last full sync is
/// a day old or when `full`; the changes since the last sync otherwise.
pub(super) async fn sync_on_connect(ctx: &Ctx, store: Arc<dyn Store>, catalog: Arc<LocalCatalog>, full: bool) {
    let last_full = catalog.status().await.ok().and_then(|s| s.last_full_sync);
    let now = crate::time::unix(std::time::SystemTime::now());
    let stale = last_full.is_none_or(|t| now.saturating_sub(t) > FULL_SYNC_EVERY.as_secs());
    sync(ctx, store, catalog, full || stale).await;
}

/// Sync the store into its catalog as a job of the activity strip; a second sync asked for
/// while one runs is not started.
pub(super) async fn sync(ctx: &Ctx, store: Arc<dyn Store>, catalog: Arc<LocalCatalog>, full: bool) {
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut running = crate::sync::lock(&catalog.syncing);
        if running.is_some() {
            return;
        }
        *running = Some(cancel.clone());
    }
    let job = super::next_job(ctx);
    let send = &ctx.send;
    send(Event::Activity { job, title: "Syncing the catalog".into(), state: JobState::Running(None) });
    send(Event::Cancellable { job, command: Box::new(Command::CancelSync) });
    report(ctx, &catalog).await;
    let counts = catalog.status().await.ok().map(|s| s.counts);
    let per_product = counts
        .filter(|c| c.products > 0)
        .map_or(ROWS_PER_PRODUCT, |c| (c.products + c.media + c.variants) as f64 / c.products as f64);
    let started = Instant::now();
    let last_sent = Mutex::new(Instant::now() - PROGRESS_EVERY);
    let progress = |p: SyncProgress| {
        let mut last = crate::sync::lock(&last_sent);
        if last.elapsed() < PROGRESS_EVERY {
            return;
        }
        *last = Instant::now();
        let (title, share) = progress_words(&p, per_product, started.elapsed());
        send(Event::Activity { job, title, state: JobState::Running(share) });
    };
    let options = SyncOptions { full, method: Method::Auto };
    let result = crate::catalog::sync::sync(store, catalog.writer.clone(), options, progress, cancel).await;
    crate::sync::lock(&catalog.syncing).take();
    match result {
        Ok(summary) => {
            if let Some(notice) = &summary.notice {
                send(Event::Notice(notice.clone()));
            }
            send(Event::Activity { job, title: done_words(&summary), state: JobState::Done });
            send(Event::Synced);
            // One score point per sync, whether or not the audit view is ever opened.
            let limit = ctx.store().capabilities().alt_max_chars;
            let me = catalog.clone();
            if let Err(e) = run_blocking(move || crate::sync::lock(&me.writer).score_sync(limit)).await {
                tracing::warn!(error = %e, "the score of this sync was not kept");
            }
        }
        Err(SyncError::Cancelled) => send(Event::Activity {
            job,
            title: "Sync cancelled; the catalog is as it was before".into(),
            state: JobState::Done,
        }),
        Err(e) => {
            let detail = match &e {
                SyncError::Store(s) => s.to_string(),
                other => other.to_string(),
            };
            let message = match &e {
                SyncError::Store(s) => format!("{} The catalog is as it was before.", super::describe(s)),
                other => other.to_string(),
            };
            send(Event::Activity {
                job,
                title: "Syncing the catalog".into(),
                state: JobState::Failed { message, detail },
            });
            send(Event::Retry { job, command: Box::new(Command::SyncCatalog { full }) });
        }
    }
    report(ctx, &catalog).await;
}

/// The strip's words for a sync under way, and its share done when the store said how many
/// products the sync reads (a store that cannot say goes without). A bulk read counts rows
/// (products, media, variants), so its total is estimated from those products and
/// `rows_per_product` (what the last sync saw).
fn progress_words(p: &SyncProgress, rows_per_product: f64, elapsed: Duration) -> (String, Option<f32>) {
    // How long the rest takes at the pace so far.
    let left = |done: u64, of: u64| {
        if done == 0 {
            String::new()
        } else {
            format!(", {}", time_left(elapsed.as_secs_f64() / done as f64 * of.saturating_sub(done) as f64))
        }
    };
    let (what, read) = match p.kind {
        SyncKind::Full => ("Syncing the catalog", "products"),
        SyncKind::Changes => ("Syncing changes", "changed products"),
    };
    match (p.method, p.products) {
        (Method::Bulk, Some(total)) if total > 0 => {
            // An estimate: never past 99 % until the store says it is done.
            let expected = ((total as f64 * rows_per_product).round() as u64).max(p.done + 1);
            let share = (p.done as f32 / expected as f32).min(0.99);
            let words = format!(
                "{what} by bulk operation: {} of about {} rows ({} {read})",
                thousands(p.done),
                thousands(expected),
                thousands(total)
            );
            (format!("{words}{}", left(p.done, expected)), Some(share))
        }
        (Method::Bulk, _) => (format!("{what} by bulk operation: {} rows read", thousands(p.done)), None),
        (_, Some(total)) if total > 0 => {
            let done = p.done.min(total);
            let share = done as f32 / total as f32;
            let words = format!("{what}: {} of {} {read}", thousands(done), thousands(total));
            (format!("{words}{}", left(done, total)), Some(share))
        }
        _ => (format!("{what}: {} {read}", thousands(p.done)), None),
    }
}

/// "about 2 min left", rounded the way a person would say it.
fn time_left(secs: f64) -> String {
    match secs {
        s if s < 10.0 => "a few seconds left".into(),
        s if s < 90.0 => format!("about {:.0} s left", (s / 5.0).ceil() * 5.0),
        s if s < 5400.0 => format!("about {:.0} min left", (s / 60.0).round()),
        s => format!("about {:.1} h left", s / 3600.0),
    }
}

/// The strip's words for a finished sync.
fn done_words(s: &SyncSummary) -> String {
    let products =
        if s.products == 1 { "1 product".to_string() } else { format!("{} products", thousands(s.products)) };
    let removed = match s.removed {
        0 => String::new(),
        n => format!(", {} no longer on the store removed", thousands(n)),
    };
    match s.kind {
        SyncKind::Full => format!("Catalog synced: {products}{removed}"),
        SyncKind::Changes => format!("Catalog synced: {products} changed since the last sync"),
    }
}

/// The catalog's products for a search, with their health, or None when there is no catalog
/// (or it has never been filled, so its answer would be an empty list rather than no answer).
pub(super) async fn search(ctx: &Ctx, text: &str) -> Option<(Vec<ProductSummary>, Vec<LocalHealth>)> {
    let catalog = current(ctx)?;
    let text = text.to_string();
    let me = catalog.clone();
    let limit = ctx.store().capabilities().alt_max_chars;
    let hits = run_blocking(move || {
        let reader = crate::sync::lock(&me.reader);
        if reader.status()?.last_full_sync.is_none() {
            return Ok(None);
        }
        let hits = reader.search(&text, LOCAL_RESULTS)?;
        // The badges' counts, under the inspector's checks (a few hundred index reads).
        let mut health = Vec::with_capacity(hits.len());
        for h in &hits {
            let alts = reader.alts(&h.id)?;
            let media: Vec<(&str, Option<&str>)> = alts.iter().map(|(a, f)| (a.as_str(), f.as_deref())).collect();
            let counted = crate::audit::Health::of(&h.title, &media, limit);
            let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
            health.push(LocalHealth {
                id: h.id.clone(),
                media: n(counted.media),
                missing: n(counted.missing),
                needs_work: n(counted.needs_work),
            });
        }
        Ok(Some((hits, health)))
    })
    .await;
    match hits {
        Ok(Some((hits, health))) => {
            let items = hits
                .into_iter()
                .map(|h| ProductSummary {
                    id: h.id,
                    title: h.title,
                    handle: h.handle,
                    media_count: h.media_count,
                    preview_url: h.preview_url,
                })
                .collect();
            Some((items, health))
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "searching the local catalog failed");
            None
        }
    }
}

/// A product's media as the catalog holds them.
pub(super) async fn product_media(ctx: &Ctx, id: &ProductId) -> Option<ProductMedia> {
    let catalog = current(ctx)?;
    let id = id.clone();
    run_blocking(move || crate::sync::lock(&catalog.reader).product_media(&id)).await.ok().flatten()
}

/// Keep what the store just said about a product. Skipped while a sync writes (the sync reads
/// the store itself, and the next sync of changes brings the rest).
pub(super) async fn keep(ctx: &Ctx, media: &ProductMedia) {
    let Some(catalog) = current(ctx) else { return };
    let media = media.clone();
    let kept = run_blocking(move || match catalog.writer.try_lock() {
        Ok(mut writer) => writer.keep_media(&media).map(|_| ()),
        Err(_) => Ok(()),
    })
    .await;
    if let Err(e) = kept {
        // Only the next start shows an older list until the sync: log it.
        tracing::warn!(error = %e, "the local catalog could not keep a product's media");
    }
}

/// The catalog audited, and its score kept as the point of the last sync (blocking; on the
/// writer, which holds the catalog as the last sync left it).
fn audit_and_score(catalog: &LocalCatalog, limit: usize) -> Result<(crate::audit::Report, Option<u64>), CatalogError> {
    crate::sync::lock(&catalog.writer).audit_and_score(limit)
}

/// Audit the whole catalog on the blocking pool, keeping the score for the last sync.
pub(super) async fn audit(ctx: &Ctx, limit: usize) {
    let Some(catalog) = current(ctx) else {
        let empty = AuditData { report: Default::default(), scores: Vec::new(), limit, synced_at: None };
        return (ctx.send)(Event::Audit(Arc::new(empty)));
    };
    let data = run_blocking(move || {
        let (report, synced_at) = audit_and_score(&catalog, limit)?;
        let scores = crate::sync::lock(&catalog.reader).scores()?;
        Ok(AuditData { report, scores, limit, synced_at })
    })
    .await;
    match data {
        Ok(d) => (ctx.send)(Event::Audit(Arc::new(d))),
        Err(e) => (ctx.send)(Event::Failed(format!("The audit could not read the local catalog: {e}"))),
    }
}

/// Mark media decorative, or not, then audit again.
pub(super) async fn set_decorative(ctx: &Ctx, media: Vec<crate::model::MediaId>, decorative: bool, limit: usize) {
    let Some(catalog) = current(ctx) else { return };
    let marked = run_blocking(move || crate::sync::lock(&catalog.writer).set_decorative(&media, decorative)).await;
    if let Err(e) = marked {
        return (ctx.send)(Event::Failed(format!("The decorative mark was not kept: {e}")));
    }
    audit(ctx, limit).await;
}

async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CatalogError> + Send + 'static,
) -> Result<T, CatalogError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => Err(CatalogError::Io { path: String::new(), reason: format!("the catalog call stopped ({e})") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(kind: SyncKind, method: Method, done: u64, products: Option<u64>) -> SyncProgress {
        SyncProgress { kind, method, done, products }
    }

    #[test]
    fn progress_says_how_far_and_how_long_is_left() {
        let paged = |done, secs| {
            progress_words(&at(SyncKind::Full, Method::Paged, done, Some(10_000)), 9.0, Duration::from_secs(secs))
        };
        // 12 s for 1,200: 8,800 more take 88 s.
        assert_eq!(
            paged(1200, 12),
            ("Syncing the catalog: 1,200 of 10,000 products, about 90 s left".into(), Some(0.12))
        );
        assert_eq!(paged(100, 30).0, "Syncing the catalog: 100 of 10,000 products, about 50 min left");
        // A bulk read: 45,000 of about 90,000 rows in 10 s, 10 s to go.
        let bulk =
            progress_words(&at(SyncKind::Full, Method::Bulk, 45_000, Some(10_000)), 9.0, Duration::from_secs(10));
        assert_eq!(
            bulk,
            (
                "Syncing the catalog by bulk operation: 45,000 of about 90,000 rows (10,000 products), about 10 s left"
                    .into(),
                Some(0.5)
            )
        );
        // More rows than estimated: still short of done.
        let over =
            progress_words(&at(SyncKind::Full, Method::Bulk, 95_000, Some(10_000)), 9.0, Duration::from_secs(10));
        assert_eq!(over.1, Some(0.99));
        let (words, share) = progress_words(&at(SyncKind::Full, Method::Bulk, 52_345, None), 9.0, Duration::ZERO);
        assert_eq!((words.as_str(), share), ("Syncing the catalog by bulk operation: 52,345 rows read", None));
        let (words, _) = progress_words(&at(SyncKind::Changes, Method::Paged, 3, None), 9.0, Duration::ZERO);
        assert_eq!(words, "Syncing changes: 3 changed products");
        // Changes by bulk: sized by the changed products the store counted.
        let (words, share) =
            progress_words(&at(SyncKind::Changes, Method::Bulk, 450, Some(101)), 9.0, Duration::from_secs(1));
        assert_eq!(
            (words.as_str(), share),
            (
                "Syncing changes by bulk operation: 450 of about 909 rows (101 changed products), a few seconds left",
                Some(450.0 / 909.0)
            )
        );
    }
}
