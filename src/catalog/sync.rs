//! Filling the catalog from the store. The store is read on the async side (pages of products,
//! then each product's media, a few at a time, paced by the store adapter's rate limiting); the
//! rows go through a bounded channel to a blocking thread that owns the database and writes the
//! whole sync in one transaction. Stopping early (cancel, an error, the process ending) drops
//! the channel, and the transaction is rolled back: the previous catalog stays.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;

use super::{Catalog, CatalogError, SyncKind, SyncSummary};
use crate::model::{ProductQuery, ProductRecord, ProductSort, ProductSummary};
use crate::store::{Store, StoreError};

/// Products asked for per page (the most either platform gives in one answer).
const PAGE: u32 = 100;
/// Products whose media are read at the same time: enough to keep a request in flight while
/// another is answered, few enough that the user's own requests still get through.
const MEDIA_PARALLEL: usize = 4;
/// Rows waiting for the writer before the reader waits: bounds memory on a fast store.
const QUEUE: usize = 256;

/// How far a sync has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SyncProgress {
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

/// Read every product of `store` with its media, page by page, into `catalog` as one full
/// sync. `progress` is called after each product; setting `cancel` stops at the next product.
/// The catalog is locked for writing while the sync writes; WAL keeps other connections reading.
pub async fn full_sync_paced(
    store: Arc<dyn Store>,
    catalog: Arc<Mutex<Catalog>>,
    progress: impl Fn(SyncProgress) + Send + Sync,
    cancel: Arc<AtomicBool>,
) -> Result<SyncSummary, SyncError> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Row>(QUEUE);
    let writer = tokio::task::spawn_blocking(move || write_all(&mut crate::sync::lock(&catalog), SyncKind::Full, rx));
    let read = read_all(store.as_ref(), &tx, &progress, &cancel).await;
    drop(tx);
    let written = writer.await.map_err(|e| SyncError::Writer(e.to_string()))?;
    read?;
    written?.ok_or(SyncError::Cancelled)
}

/// What the reader hands the writer.
enum Row {
    /// A product to write.
    Product(Box<ProductRecord>),
    /// Every product was read: commit.
    End,
}

/// Page through the store's products and read each one's media, sending each product to the
/// writer, then `Row::End` once the last page is done.
async fn read_all(
    store: &dyn Store,
    tx: &tokio::sync::mpsc::Sender<Row>,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<(), SyncError> {
    let mut cursor = None;
    let mut done = 0;
    loop {
        let query = ProductQuery { text: String::new(), limit: PAGE, cursor, sort: ProductSort::Title };
        let page = store.search_products(&query).await?;
        let mut reads =
            futures_util::stream::iter(page.items.into_iter().map(|p| read_product(store, p))).buffered(MEDIA_PARALLEL);
        while let Some(read) = reads.next().await {
            if cancel.load(Ordering::Relaxed) {
                return Err(SyncError::Cancelled);
            }
            let Some(record) = read? else { continue };
            if tx.send(Row::Product(Box::new(record))).await.is_err() {
                // The writer stopped: its error is what the caller reports.
                return Ok(());
            }
            done += 1;
            progress(SyncProgress { done });
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    // A writer that already stopped reports its own error.
    let _ = tx.send(Row::End).await;
    Ok(())
}

/// One product's record from its summary and its media; `None` when it was deleted meanwhile.
async fn read_product(store: &dyn Store, p: ProductSummary) -> Result<Option<ProductRecord>, StoreError> {
    match store.product_media(&p.id).await {
        Ok(pm) => Ok(Some(ProductRecord {
            id: p.id,
            title: pm.title,
            handle: p.handle,
            vendor: None,
            product_type: None,
            status: None,
            tags: Vec::new(),
            updated_at: None,
            media: pm.media,
            variants: Vec::new(),
        })),
        Err(StoreError::NotFound { .. }) => {
            tracing::debug!(product = %p.id, "product deleted during the sync");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The writer: every product into one transaction, committed when the end marker arrives.
fn write_all(
    catalog: &mut Catalog,
    kind: SyncKind,
    mut rx: tokio::sync::mpsc::Receiver<Row>,
) -> Result<Option<SyncSummary>, CatalogError> {
    let mut writer = catalog.begin_sync(kind)?;
    while let Some(row) = rx.blocking_recv() {
        match row {
            Row::Product(record) => writer.put(&record)?,
            Row::End => return writer.finish().map(Some),
        }
    }
    // The reader stopped without reaching the end: dropping the writer rolls back.
    Ok(None)
}
