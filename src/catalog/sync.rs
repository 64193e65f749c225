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
use crate::model::{ProductId, ProductMedia, ProductRecord};
use crate::store::{Store, StoreError};

/// Rows waiting for the writer before the reader waits: bounds memory on a fast store.
const QUEUE: usize = 256;
/// How far before the last sync's start a sync of changes looks: covers a clock that differs
/// from the store's by up to this much.
const OVERLAP_SECS: u64 = 300;

/// How far a sync has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SyncProgress {
    /// Full or changes only.
    pub kind: SyncKind,
    /// Products read and queued for writing.
    pub done: u64,
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
    /// A product whose media changed: its fields stay, its media are replaced.
    Media(ProductMedia),
    /// Everything was read: commit.
    End,
}

/// Sync `store` into `catalog`: everything when `full` is asked for or no full sync was ever
/// made, otherwise the changes since the last sync. `progress` is called after each product;
/// setting `cancel` stops at the next one. The catalog is locked while the sync writes.
pub async fn sync(
    store: Arc<dyn Store>,
    catalog: Arc<Mutex<Catalog>>,
    full: bool,
    progress: impl Fn(SyncProgress) + Send + Sync,
    cancel: Arc<AtomicBool>,
) -> Result<SyncSummary, SyncError> {
    let started = crate::time::unix(std::time::SystemTime::now());
    let since = if full { None } else { changes_since(&catalog)? };
    let kind = if since.is_some() { SyncKind::Changes } else { SyncKind::Full };
    // Products whose media changed without the product showing it, known before writing starts.
    let media_changed = match &since {
        Some(since) => products_of_changed_media(store.as_ref(), &catalog, since).await?,
        None => BTreeSet::new(),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Row>(QUEUE);
    let writer_catalog = catalog.clone();
    let writer =
        tokio::task::spawn_blocking(move || write_all(&mut crate::sync::lock(&writer_catalog), kind, started, rx));
    let reader = Reader { store: store.as_ref(), tx: &tx, progress: &progress, cancel: &cancel, kind, done: 0 };
    let read = reader.read_all(since.as_deref(), media_changed).await;
    drop(tx);
    let written = writer.await.map_err(|e| SyncError::Writer(e.to_string()))?;
    read?;
    written?.ok_or(SyncError::Cancelled)
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
    done: u64,
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
        for product in media_changed {
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
        self.check_cancel()?;
        if self.tx.send(row).await.is_err() {
            // The writer stopped: the caller reports its error.
            return Ok(());
        }
        self.done += 1;
        (self.progress)(SyncProgress { kind: self.kind, done: self.done });
        Ok(())
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
    while let Some(row) = rx.blocking_recv() {
        match row {
            Row::Product(record) => writer.put(&record)?,
            Row::Media(media) => writer.put_media(&media)?,
            Row::End => return writer.finish(started).map(Some),
        }
    }
    // The reader stopped without reaching the end: dropping the writer rolls back.
    Ok(None)
}
