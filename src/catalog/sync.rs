//! Filling the catalog from the store. The store is read on the async side (pages of whole
//! products, paced by the store adapter's rate limiting); the rows go through a bounded channel
//! to a blocking thread that writes the whole sync in one transaction. Stopping early (cancel,
//! an error, the process ending) drops the channel and the transaction is rolled back: the
//! previous catalog stays.
//!
//! A full sync reads every product and removes those the store no longer has. A sync of
//! changes reads the products changed since the last sync began (a few minutes earlier, so a
//! clock that differs from the store's loses nothing; reading a product twice is harmless),
//! plus the products of media changed since then (on Shopify an alt text edited with
//! `fileUpdate` changes the file, and is not promised to change the product). Deletions are
//! found by the next full sync.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::{Catalog, CatalogError, SyncKind, SyncSummary};
use crate::model::{CatalogRow, ProductId, ProductMedia, ProductRecord};
use crate::store::{Store, StoreError};

/// Messages waiting for the writer before the reader waits: bounds memory on a fast store (a
/// message is a product, or a batch of up to 512 rows of a bulk read).
const QUEUE: usize = 64;
/// From how many products a sync (full, or of changes) on a store with bulk reads uses a bulk
/// operation when the method is left to the app. Measured against the sandbox, which prices requests with
/// Shopify's cost rules at the standard plan's 100 points a second (`cargo bench --bench catalog
/// -- compare`): paged reads of 2,000 products took 1,057 s, 0.53 s a product once the bucket's
/// first 2,000 points are spent, which covers about 50 products at once. Up to there pages
/// finish in a few seconds, sooner than a bulk operation is started, run and polled on Shopify;
/// past it every product costs half a second of rate limit that the merchant's own edits share,
/// while a bulk operation runs outside the limit (2,000 products in 1.1 s on the sandbox).
pub const BULK_FROM: u64 = 50;
/// How often a bulk read that sends no rows yet looks for a cancel.
const CANCEL_CHECK: std::time::Duration = std::time::Duration::from_millis(100);
/// How far before the last sync's start a sync of changes looks: covers a clock that differs
/// from the store's by up to this much.
const OVERLAP_SECS: u64 = 300;

/// How a sync reads the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A bulk operation for large stores that have them, pages otherwise.
    #[default]
    Auto,
    /// Pages of products, paced by the rate limit.
    Paged,
    /// One bulk operation (Shopify).
    Bulk,
}

/// What to sync and how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// Read every product, even when a sync of changes would do.
    pub full: bool,
    /// How the store is read.
    pub method: Method,
}

/// How far a sync has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SyncProgress {
    /// Full or changes only.
    pub kind: SyncKind,
    /// Paged or bulk.
    pub method: Method,
    /// Rows read so far (products when paged; products and media in a bulk read, counted by
    /// the store while its job runs).
    pub done: u64,
    /// The products this sync reads, where the store says (all of them, or those changed).
    pub products: Option<u64>,
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The store failed; nothing of this sync was kept.
    #[error("the sync stopped: {0}; the catalog is as it was before")]
    Store(#[from] StoreError),
    /// The catalog could not be written.
    #[error("{0}")]
    Catalog(#[from] CatalogError),
    /// The writing thread stopped unexpectedly; nothing of this sync was kept.
    #[error("writing the catalog stopped unexpectedly ({0}); the catalog is as it was before")]
    Writer(String),
    /// Cancelled before the end; nothing of this sync was kept.
    #[error("the sync was cancelled; the catalog is as it was before")]
    Cancelled,
}

/// What the reader hands the writer.
enum Row {
    /// A whole product to write.
    Product(Box<ProductRecord>),
    /// Rows of a bulk read, joined to their products at the end.
    Bulk(Vec<CatalogRow>),
    /// A product whose media changed: its fields stay, its media are replaced.
    Media(ProductMedia),
    /// Everything was read: commit.
    End,
}

/// Sync `store` into `catalog`: everything when `full` is asked for or no full sync was ever
/// made, otherwise the changes since the last sync. `progress` is called as rows arrive;
/// setting `cancel` stops at the next row. The catalog is locked while the sync writes.
pub async fn sync(
    store: Arc<dyn Store>,
    catalog: Arc<Mutex<Catalog>>,
    options: SyncOptions,
    progress: impl Fn(SyncProgress) + Send + Sync,
    cancel: Arc<AtomicBool>,
) -> Result<SyncSummary, SyncError> {
    let since = if options.full { None } else { changes_since(&catalog)? };
    let products = store.product_count(since.as_deref()).await?;
    let run = Run { store: store.as_ref(), catalog: &catalog, progress: &progress, cancel: &cancel, products };
    if run.bulk_wanted(options.method) {
        match run.once(Plan::Bulk { since: since.clone() }).await {
            Err(SyncError::Store(StoreError::Refused { code, message }))
                if options.method == Method::Auto && (code.starts_with("BULK_") || code == "OPERATION_IN_PROGRESS") =>
            {
                tracing::warn!(code = %code, "bulk read not used: {message}");
                let mut summary = run.once(Plan::Paged { since }).await?;
                summary.notice = Some(format!(
                    "The bulk read could not be used ({message}); the catalog was read page by page instead."
                ));
                return Ok(summary);
            }
            other => return other,
        }
    }
    run.once(Plan::Paged { since }).await
}

/// How one attempt reads.
enum Plan {
    /// Pages of products (all of them, or changed since a time).
    Paged { since: Option<String> },
    /// One bulk operation (over all products, or those changed since a time).
    Bulk { since: Option<String> },
}

/// One sync's parties.
struct Run<'a> {
    store: &'a dyn Store,
    catalog: &'a Arc<Mutex<Catalog>>,
    progress: &'a (dyn Fn(SyncProgress) + Send + Sync),
    cancel: &'a Arc<AtomicBool>,
    /// The products to read, where the store says.
    products: Option<u64>,
}

impl Run<'_> {
    /// Whether this sync should use a bulk operation: a sync of 1 % of a 10,000-product store
    /// (101 products) took 31 s of rate limit by pages and about a second by bulk.
    fn bulk_wanted(&self, method: Method) -> bool {
        self.store.capabilities().bulk_reads
            && match method {
                Method::Paged => false,
                Method::Bulk => true,
                Method::Auto => self.products.is_some_and(|n| n >= BULK_FROM),
            }
    }

    /// Read and write once, as `plan` says.
    async fn once(&self, plan: Plan) -> Result<SyncSummary, SyncError> {
        let started = crate::time::unix(std::time::SystemTime::now());
        let (since, method) = match &plan {
            Plan::Paged { since } => (since.as_deref(), Method::Paged),
            Plan::Bulk { since } => (since.as_deref(), Method::Bulk),
        };
        let kind = if since.is_some() { SyncKind::Changes } else { SyncKind::Full };
        // Products whose media changed without the product showing it, known before writing starts.
        let media_changed = match since {
            Some(since) => products_of_changed_media(self.store, self.catalog, since).await?,
            None => BTreeSet::new(),
        };
        let (tx, rx) = tokio::sync::mpsc::channel::<Row>(QUEUE);
        let writer_catalog = self.catalog.clone();
        let writer =
            tokio::task::spawn_blocking(move || write_all(&mut crate::sync::lock(&writer_catalog), kind, started, rx));
        let reader = Reader {
            store: self.store,
            tx: &tx,
            progress: self.progress,
            cancel: self.cancel,
            kind,
            method,
            done: 0,
            products: self.products,
        };
        let read = match method {
            Method::Bulk => reader.read_bulk(since, media_changed).await,
            _ => reader.read_all(since, media_changed).await,
        };
        drop(tx);
        let written = writer.await.map_err(|e| SyncError::Writer(e.to_string()))?;
        read?;
        let mut summary = written?.ok_or(SyncError::Cancelled)?;
        summary.method = method;
        Ok(summary)
    }
}

/// The time a sync of changes starts from, or `None` when only a full sync will do.
fn changes_since(catalog: &Arc<Mutex<Catalog>>) -> Result<Option<String>, CatalogError> {
    let c = crate::sync::lock(catalog);
    if c.state("last_full_sync")?.is_none() {
        return Ok(None);
    }
    let last = c.state("last_sync_started")?.and_then(|s| s.parse::<u64>().ok());
    Ok(last.map(|secs| crate::time::rfc3339(secs.saturating_sub(OVERLAP_SECS))))
}

/// The catalog's products holding media the store says changed since `since`.
async fn products_of_changed_media(
    store: &dyn Store,
    catalog: &Arc<Mutex<Catalog>>,
    since: &str,
) -> Result<BTreeSet<ProductId>, SyncError> {
    let media = store.changed_media(since).await?;
    if media.is_empty() {
        return Ok(BTreeSet::new());
    }
    Ok(crate::sync::lock(catalog).products_holding(&media)?)
}

/// The reading side of a sync.
struct Reader<'a> {
    store: &'a dyn Store,
    tx: &'a tokio::sync::mpsc::Sender<Row>,
    progress: &'a (dyn Fn(SyncProgress) + Send + Sync),
    cancel: &'a AtomicBool,
    kind: SyncKind,
    method: Method,
    done: u64,
    products: Option<u64>,
}

impl Reader<'_> {
    /// Every page of products (changed since `since`, if given), then the media of the
    /// products in `media_changed` that the pages did not hold, then the end.
    async fn read_all(mut self, since: Option<&str>, mut media_changed: BTreeSet<ProductId>) -> Result<(), SyncError> {
        let mut cursor = None;
        loop {
            self.check_cancel()?;
            let page = self.store.catalog_page(since, cursor).await?;
            for record in page.items {
                media_changed.remove(&record.id);
                self.send(Row::Product(Box::new(record))).await?;
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        self.read_media_of(media_changed).await
    }

    /// The media of products whose media changed but which the read did not hold, then the end.
    async fn read_media_of(mut self, products: BTreeSet<ProductId>) -> Result<(), SyncError> {
        for product in products {
            self.check_cancel()?;
            match self.store.product_media(&product).await {
                Ok(media) => self.send(Row::Media(media)).await?,
                // Deleted meanwhile: the next full sync removes it.
                Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        // A writer that already stopped reports its own error.
        let _ = self.tx.send(Row::End).await;
        Ok(())
    }

    fn check_cancel(&self) -> Result<(), SyncError> {
        if self.cancel.load(Ordering::Relaxed) { Err(SyncError::Cancelled) } else { Ok(()) }
    }

    async fn send(&mut self, row: Row) -> Result<(), SyncError> {
        self.send_rows(row, 1).await
    }

    /// Hand the writer a message holding `n` rows.
    async fn send_rows(&mut self, row: Row, n: u64) -> Result<(), SyncError> {
        self.check_cancel()?;
        if self.tx.send(row).await.is_err() {
            // The writer stopped: the caller reports its error.
            return Ok(());
        }
        self.done += n;
        (self.progress)(SyncProgress {
            kind: self.kind,
            method: self.method,
            done: self.done,
            products: self.products,
        });
        Ok(())
    }

    /// Every row of one bulk operation (of the products changed after `since`, if given), then
    /// the media of `media_changed` products it did not hold, then the end. The store's job
    /// counts objects while it runs; rows are forwarded as the result is downloaded.
    async fn read_bulk(mut self, since: Option<&str>, mut media_changed: BTreeSet<ProductId>) -> Result<(), SyncError> {
        let (rows_tx, rows) = tokio::sync::mpsc::channel::<Vec<CatalogRow>>(4);
        let (kind, method, progress, products) = (self.kind, self.method, self.progress, self.products);
        let counted = move |objects: u64| progress(SyncProgress { kind, method, done: objects, products });
        let read = self.store.bulk_catalog(since, rows_tx, &counted);
        let forward = async {
            // Owned here, so it is dropped (and the read sees the channel closed) as soon as
            // forwarding stops, not when both halves end.
            let mut rows = rows;
            loop {
                tokio::select! {
                    row = rows.recv() => match row {
                        Some(batch) => {
                            for row in &batch {
                                if let CatalogRow::Product(p) = row {
                                    media_changed.remove(&p.id);
                                }
                            }
                            let n = batch.len() as u64;
                            self.send_rows(Row::Bulk(batch), n).await?
                        }
                        None => return Ok::<(), SyncError>(()),
                    },
                    // While the store's job runs no row comes: a cancel is noticed all the same.
                    _ = tokio::time::sleep(CANCEL_CHECK) => self.check_cancel()?,
                }
            }
        };
        // A cancel ends `forward`, which drops the rows' receiver: the read stops (and the
        // store cancels its job) instead of running on unseen.
        let (read, forwarded) = tokio::join!(read, forward);
        forwarded?;
        read?;
        self.check_cancel()?;
        self.read_media_of(media_changed).await
    }
}

/// The writer: every row into one transaction, committed when the end arrives.
fn write_all(
    catalog: &mut Catalog,
    kind: SyncKind,
    started: u64,
    mut rx: tokio::sync::mpsc::Receiver<Row>,
) -> Result<Option<SyncSummary>, CatalogError> {
    let mut writer = catalog.begin_sync(kind)?;
    // How long a bulk read's rows took to write, apart from waiting for them: logged, and read
    // by the catalog bench (the insert rate).
    let (mut bulk_rows, mut staging) = (0u64, std::time::Duration::ZERO);
    while let Some(row) = rx.blocking_recv() {
        match row {
            Row::Product(record) => writer.put(&record)?,
            Row::Media(media) => writer.put_media(&media)?,
            Row::Bulk(rows) => {
                let t = std::time::Instant::now();
                writer.stage(&rows)?;
                staging += t.elapsed();
                bulk_rows += rows.len() as u64;
            }
            Row::End => {
                let t = std::time::Instant::now();
                writer.put_staged()?;
                let summary = writer.finish(started)?;
                if bulk_rows > 0 {
                    let joining = t.elapsed();
                    tracing::info!(
                        rows = bulk_rows,
                        staging_ms = staging.as_millis() as u64,
                        joining_ms = joining.as_millis() as u64,
                        rows_per_second = (bulk_rows as f64 / (staging + joining).as_secs_f64()) as u64,
                        "bulk rows written to the catalog"
                    );
                }
                return Ok(Some(summary));
            }
        }
    }
    // The reader stopped without reaching the end: dropping the writer rolls back.
    Ok(None)
}
