//! The one seam between the app and a store platform: the `Store` trait and its errors.

pub mod credentials;
pub mod ecwid;
pub mod endpoint;
pub mod http;
pub mod ids;
pub mod shopify;

/// The Admin API version requests are made with unless one is chosen (Shopify; Ecwid has one).
pub use shopify::endpoint::DEFAULT_API_VERSION;
pub mod validate;

use std::time::Duration;

use async_trait::async_trait;

use crate::model::{
    Media, MediaId, Page, Platform, ProductAlts, ProductId, ProductMedia, ProductQuery, ProductSummary, StoreRef,
};

/// What went wrong talking to a store, sorted by what the user can do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The token was refused (revoked, mistyped, expired).
    #[error("the store refused the access token: {message}")]
    Auth {
        /// The platform's words.
        message: String,
    },
    /// The token works but lacks a permission this operation needs.
    #[error("the access token lacks the `{scope}` permission: {message}")]
    MissingScope {
        /// The scope to grant, e.g. `write_files`.
        scope: String,
        /// The platform's words.
        message: String,
    },
    /// The product, media or store does not exist.
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The store rejected the input.
    #[error("{message} ({code})")]
    Invalid {
        /// Path to the input field that was rejected.
        field: Vec<String>,
        /// The platform's error code, e.g. `ALT_VALUE_LIMIT_EXCEEDED`.
        code: String,
        /// The platform's words.
        message: String,
    },
    /// Over the rate limit; the wait is how long until the request can succeed.
    #[error("the store is busy (rate limit): retry in {:.1} s", retry_after.as_secs_f64())]
    Throttled {
        /// How long to wait.
        retry_after: Duration,
    },
    /// The connection failed or broke off.
    #[error("network error: {message}")]
    Network {
        /// What the transport said.
        message: String,
    },
    /// The store answered with a server error or something unreadable.
    #[error("the store had a problem ({status}): {message}")]
    Server {
        /// HTTP status, or 0 when the body could not be read.
        status: u16,
        /// What was wrong.
        message: String,
    },
    /// Some items of a batch failed; the others went through.
    #[error("{} of the items failed: {}", items.len(), items.first().map(|i| i.message.as_str()).unwrap_or(""))]
    Partial {
        /// One entry per failed item.
        items: Vec<ItemError>,
    },
    /// mediadesk refused the request itself, before anything was sent (a read-only token, an id
    /// of the wrong form, a malformed token).
    #[error("{message}")]
    Refused {
        /// What kind of refusal, e.g. `READ_ONLY_TOKEN`, `INVALID_ID`.
        code: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// This store does not offer the operation (yet).
    #[error("{operation} is not available for this store")]
    Unsupported {
        /// The operation's name.
        operation: &'static str,
    },
}

impl StoreError {
    /// A new order that does not name every media of the product exactly once: the message
    /// names what is missing, repeated or not on the product.
    pub fn order_mismatch(current: &[MediaId], order: &[MediaId]) -> StoreError {
        let list = |ids: Vec<&MediaId>| ids.iter().map(|m| m.0.as_str()).collect::<Vec<_>>().join(", ");
        let missing: Vec<&MediaId> = current.iter().filter(|m| !order.contains(m)).collect();
        let mut repeated: Vec<&MediaId> =
            order.iter().enumerate().filter(|(i, m)| order[..*i].contains(m)).map(|(_, m)| m).collect();
        repeated.dedup();
        let foreign: Vec<&MediaId> = order.iter().filter(|m| !current.contains(m)).collect();
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing {}", list(missing)));
        }
        if !repeated.is_empty() {
            parts.push(format!("named twice {}", list(repeated)));
        }
        if !foreign.is_empty() {
            parts.push(format!("not on this product {}", list(foreign)));
        }
        StoreError::Invalid {
            field: vec!["order".into()],
            code: "ORDER_MISMATCH".into(),
            message: format!(
                "The new order must name every media of the product exactly once: {} (the product changed meanwhile?)",
                parts.join("; ")
            ),
        }
    }

    /// A short code for scripts and per-item lines: the platform's where it gave one.
    pub fn code(&self) -> String {
        match self {
            StoreError::Invalid { code, .. } | StoreError::Refused { code, .. } => code.clone(),
            StoreError::Auth { .. } => "ACCESS_TOKEN_REFUSED".into(),
            StoreError::MissingScope { .. } => "ACCESS_DENIED".into(),
            StoreError::NotFound { .. } => "NOT_FOUND".into(),
            StoreError::Throttled { .. } => "THROTTLED".into(),
            StoreError::Network { .. } => "NETWORK_ERROR".into(),
            StoreError::Server { .. } => "SERVER_ERROR".into(),
            StoreError::Partial { .. } => "PARTIAL".into(),
            StoreError::Unsupported { .. } => "UNSUPPORTED".into(),
        }
    }

    /// True when mediadesk refused before sending anything (exit code 2 on the command line).
    pub fn is_local(&self) -> bool {
        matches!(self, StoreError::Refused { .. })
    }

    /// True for failures that may go away on their own (network, 5xx, throttling).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            StoreError::Network { .. } | StoreError::Throttled { .. } | StoreError::Server { status: 500.., .. }
        )
    }
}

/// What a store can do, as the window needs to know it: asked of the store, never inferred
/// from a platform's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Removing a media from a product deletes the file (no library keeps it): ask first, and
    /// there is no undo.
    pub removal_deletes: bool,
    /// Files live in a library beside the products: they can be deleted from every product at
    /// once, and a removal can be undone by attaching them again.
    pub file_library: bool,
    /// Longest alt text the store keeps, in characters.
    pub alt_max_chars: usize,
    /// Main media and gallery can be set from URLs in one call (`set_media`).
    pub media_from_urls: bool,
    /// The whole catalog can be read in one job on the store's side (`bulk_catalog`).
    pub bulk_reads: bool,
    /// One write sets the alt texts of media of several products (`set_alts`): alt text
    /// belongs to the file, not to its place on a product.
    pub alts_across_products: bool,
}

impl Capabilities {
    /// The most cautious answers, for before any store has answered: removal asks first and
    /// cannot be undone, and alt text is held to the shortest limit of any platform.
    pub fn cautious() -> Capabilities {
        Capabilities {
            removal_deletes: true,
            file_library: false,
            alt_max_chars: Platform::Ecwid.limits().alt_max_chars,
            media_from_urls: false,
            bulk_reads: false,
            alts_across_products: false,
        }
    }
}

/// What a store said when its credentials were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The store's name, as its owner named it.
    pub name: String,
    /// Its address, where the platform has one (`name.myshopify.com`).
    pub domain: Option<String>,
    /// The permissions the token was granted, where the platform reports them.
    pub scopes: Vec<String>,
    /// One sentence per thing the token cannot do.
    pub limitations: Vec<String>,
}

impl Connection {
    /// How the window names the store, e.g. "Shopify store Acme (acme.myshopify.com)".
    pub fn label(&self, platform: Platform) -> String {
        let kind = match platform {
            Platform::Shopify => "Shopify store",
            Platform::Ecwid => "Ecwid store",
        };
        match &self.domain {
            Some(d) => format!("{kind} {} ({d})", self.name),
            None => format!("{kind} {}", self.name),
        }
    }
}

/// What one `set_media` call did, URL by URL: the new id, or the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMediaReport {
    /// The URL and what happened to it.
    pub items: Vec<(String, Result<String, ItemError>)>,
}

/// A store opened and ready, with how the window names it.
pub struct Opened {
    /// The store.
    pub store: std::sync::Arc<dyn Store>,
    /// How the window names it, e.g. "sandbox store at http://127.0.0.1:41234".
    pub label: String,
    /// What must live as long as the store is used (the sandbox's server), if anything.
    pub keep: Option<Box<dyn std::any::Any + Send + Sync>>,
}

/// Starts the store that runs on this computer (the built-in sandbox) when the app first needs
/// it. The program's entry point provides it in builds with the `sandbox` feature, so the engine
/// and the window never import the sandbox and opening a real store starts no sandbox server.
pub type LocalLauncher =
    std::sync::Arc<dyn Fn() -> futures_util::future::BoxFuture<'static, Result<Opened, String>> + Send + Sync>;

/// Open a store: the one place a store is built, for the engine, the command line and the
/// window alike. `endpoint` (loopback only) replaces the platform's address, for the sandbox
/// and tests; `api_version` is Shopify's Admin API version. Nothing is sent until it is used.
pub fn open(
    store_ref: &StoreRef,
    endpoint: Option<&str>,
    api_version: &str,
    credentials: credentials::Credentials,
) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    match store_ref {
        StoreRef::Ecwid { store_id } => {
            let credentials::Credentials::Token(token) = credentials else {
                return Err(StoreError::Refused {
                    code: "TOKEN_NEEDED".into(),
                    message: "Ecwid stores are opened with an access token (secret_… or public_…), not a client id"
                        .into(),
                });
            };
            Ok(std::sync::Arc::new(ecwid::EcwidStore::new(store_id, endpoint, token)?))
        }
        StoreRef::Shopify { .. } | StoreRef::Sandbox => {
            let url = shopify::endpoint::graphql_url(store_ref, endpoint, api_version)?;
            Ok(std::sync::Arc::new(shopify::ShopifyStore::with_credentials(store_ref.clone(), url, credentials)))
        }
    }
}

/// The failure of one item of a batch, as the platform reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// The item the error is about (a media id, a file name), when the platform says.
    pub item: Option<String>,
    /// Path to the input field that was rejected.
    pub field: Vec<String>,
    /// The platform's error code, e.g. `MEDIA_DOES_NOT_EXIST`.
    pub code: String,
    /// The platform's words.
    pub message: String,
}

/// The result of a batch edit: which items went through and which did not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Items the store confirmed.
    pub done: Vec<MediaId>,
    /// Items the store refused, with its reasons.
    pub failed: Vec<ItemError>,
    /// Something the user should know once, e.g. that a fallback was used.
    pub notice: Option<String>,
}

/// What became of one file of an upload.
#[derive(Debug, Clone, PartialEq)]
pub enum FileOutcome {
    /// On the product: the media as the store reports it (ready, still processing, or failed in
    /// processing with its errors).
    Attached(Media),
    /// Sent and attached (or possibly attached), but the store could not be read back to confirm
    /// it. Sending the file again could attach it twice: read the product first.
    Unconfirmed {
        /// The file's name.
        file: String,
        /// The new media's id, when the store reported it before the connection failed.
        media: Option<MediaId>,
        /// What stopped the confirmation.
        reason: String,
    },
    /// Not on the product: refused (locally or by the store) or never attached.
    Failed(ItemError),
}

impl FileOutcome {
    /// A file sent (and maybe attached) whose outcome the store could not be read to confirm.
    pub fn unconfirmed(file: &UploadFile, media: Option<MediaId>, reason: String) -> FileOutcome {
        FileOutcome::Unconfirmed { file: file.filename.clone(), media, reason }
    }

    /// Every file's outcome from what an upload recorded; a file with none is reported as a
    /// failure rather than panicking.
    pub fn all(recorded: Vec<Option<FileOutcome>>) -> Vec<FileOutcome> {
        recorded
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    FileOutcome::Failed(ItemError {
                        item: None,
                        field: vec![],
                        code: "INTERNAL".into(),
                        message: "no result was recorded for this file".into(),
                    })
                })
            })
            .collect()
    }

    /// The media, when the file is confirmed on the product.
    pub fn media(&self) -> Option<&Media> {
        match self {
            FileOutcome::Attached(m) => Some(m),
            _ => None,
        }
    }

    /// The error, when the file did not make it.
    pub fn error(&self) -> Option<&ItemError> {
        match self {
            FileOutcome::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// A file to upload, read from disk or memory.
#[derive(Debug, Clone)]
pub struct UploadFile {
    /// The name the file gets on the store.
    pub filename: String,
    /// The file's content.
    pub bytes: bytes::Bytes,
    /// Alt text to set when attaching it.
    pub alt: Option<String>,
}

/// A new alt text for one media item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AltEdit {
    /// The media to change.
    pub media: MediaId,
    /// The new alt text (empty clears it).
    pub alt: String,
}

/// Byte-level progress of a transfer: `(file index, bytes sent, bytes total)`. `sent` reaches
/// `total` only once the receiving server has answered: bytes the connection has taken but the
/// server may not have read yet are never counted as delivered.
pub type ProgressFn = std::sync::Arc<dyn Fn(usize, u64, u64) + Send + Sync>;

/// A store platform as the rest of the app sees it.
///
/// Reads are implemented by every store; the write operations default to
/// [`StoreError::Unsupported`] until an adapter implements them.
#[async_trait]
pub trait Store: Send + Sync {
    /// Which store this is.
    fn store_ref(&self) -> &StoreRef;

    /// The platform, for its limits.
    fn platform(&self) -> Platform {
        self.store_ref().platform()
    }

    /// What this store can do.
    fn capabilities(&self) -> Capabilities;

    /// What names this store's data in the local caches: its reference, unless the store says
    /// otherwise (a store whose catalog is new on every start names its address).
    fn cache_key(&self) -> String {
        self.store_ref().to_string()
    }

    /// Check the credentials: the store's name, and what the token cannot do.
    async fn connect(&self) -> Result<Connection, StoreError>;

    /// Set the main media and the whole gallery from URLs in one call; one result per URL.
    /// Without `gallery`, the current gallery is kept.
    async fn set_media(
        &self,
        product: &ProductId,
        main: Option<&str>,
        gallery: Option<&[String]>,
    ) -> Result<SetMediaReport, StoreError> {
        let _ = (product, main, gallery);
        Err(StoreError::Unsupported { operation: "setting media from URLs" })
    }

    /// Search products, one page at a time.
    async fn search_products(&self, query: &ProductQuery) -> Result<Page<ProductSummary>, StoreError>;

    /// A product's media in position order.
    async fn product_media(&self, product: &ProductId) -> Result<ProductMedia, StoreError>;

    /// A product's media ids and alt texts, read as cheaply as the platform allows;
    /// `expected` is the media count the product list reported (it sizes the request).
    async fn media_alts(&self, product: &ProductId, expected: u32) -> Result<ProductAlts, StoreError> {
        let _ = expected;
        let pm = self.product_media(product).await?;
        Ok(ProductAlts { id: pm.id, title: pm.title, media: pm.media.into_iter().map(|m| (m.id, m.alt)).collect() })
    }

    /// Upload files and attach them to a product; one outcome per file, in order. An `Err` means
    /// nothing was attached; once anything may have been, every file gets its own outcome.
    async fn upload(
        &self,
        product: &ProductId,
        files: Vec<UploadFile>,
        progress: ProgressFn,
    ) -> Result<Vec<FileOutcome>, StoreError> {
        let _ = (product, files, progress);
        Err(StoreError::Unsupported { operation: "upload" })
    }

    /// Set alt texts; reports each item.
    /// A page of whole products for the local catalog (their own fields, every media in position
    /// order, variants where the store reads them), oldest change first. `changed_since`
    /// (RFC 3339) keeps only the products changed after it.
    async fn catalog_page(
        &self,
        changed_since: Option<&str>,
        cursor: Option<String>,
    ) -> Result<Page<crate::model::ProductRecord>, StoreError> {
        let _ = (changed_since, cursor);
        Err(StoreError::Refused {
            code: "NO_CATALOG_READ".into(),
            message: "this store cannot be read into the local catalog".into(),
        })
    }

    /// How many products the store has (changed after `changed_since`, RFC 3339, if given),
    /// where it says cheaply.
    async fn product_count(&self, changed_since: Option<&str>) -> Result<Option<u64>, StoreError> {
        let _ = changed_since;
        Ok(None)
    }

    /// Read the whole catalog (or, with `changed_since`, the products changed after that time)
    /// in one job on the store's side (Shopify's bulk operations), the rows sent in batches to `rows` as it is read, in no particular order; `progress` gets the objects the
    /// job has written so far. Stops early, without error, when `rows` is closed. Fails with
    /// `Refused` (code `BULK_…`, `OPERATION_IN_PROGRESS`) when the job cannot be used: the caller
    /// then reads pages instead.
    async fn bulk_catalog(
        &self,
        changed_since: Option<&str>,
        rows: tokio::sync::mpsc::Sender<Vec<crate::model::CatalogRow>>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64, StoreError> {
        let _ = (changed_since, rows, progress);
        Err(StoreError::Refused { code: "BULK_UNSUPPORTED".into(), message: "this store has no bulk reads".into() })
    }

    /// Media changed after `since` (RFC 3339) that their products' update time may not show
    /// (Shopify's files); empty where a product's update time covers its media.
    async fn changed_media(&self, since: &str) -> Result<Vec<MediaId>, StoreError> {
        let _ = since;
        Ok(Vec::new())
    }

    async fn set_alt(&self, product: &ProductId, edits: &[AltEdit]) -> Result<BatchOutcome, StoreError> {
        let _ = (product, edits);
        Err(StoreError::Unsupported { operation: "set alt text" })
    }

    /// Set the alt texts of media of several products, each with its product, in as few
    /// writes as the platform takes (where `Capabilities::alts_across_products`). Unlike
    /// `set_alt`, the media are not read back from their products first: the caller knows them
    /// from the catalog, and the store refuses a file that no longer exists.
    async fn set_alts(&self, edits: &[(ProductId, AltEdit)]) -> Result<BatchOutcome, StoreError> {
        let _ = edits;
        Err(StoreError::Unsupported { operation: "set alt texts across products" })
    }

    /// The alt texts `media` of any products have now, in as few reads as the platform takes
    /// (where `Capabilities::alts_across_products`); a media that no longer exists is left out.
    /// What a batch of `set_alts` is checked against before it is sent.
    async fn current_alts(&self, media: &[MediaId]) -> Result<Vec<(MediaId, String)>, StoreError> {
        let _ = media;
        Err(StoreError::Unsupported { operation: "read alt texts across products" })
    }

    /// Put the product's media in this order (every media id of the product).
    async fn reorder(&self, product: &ProductId, order: &[MediaId]) -> Result<(), StoreError> {
        let _ = (product, order);
        Err(StoreError::Unsupported { operation: "reorder" })
    }

    /// Detach media from the product; the files stay in the store's library.
    async fn remove_from_product(&self, product: &ProductId, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        let _ = (product, media);
        Err(StoreError::Unsupported { operation: "remove from product" })
    }

    /// Attach files of the store's library (removed from the product earlier) to the product
    /// again; they land at the end of its gallery.
    async fn reattach(&self, product: &ProductId, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        let _ = (product, media);
        Err(StoreError::Unsupported { operation: "put removed media back" })
    }

    /// Delete files permanently, from every product that uses them.
    async fn delete(&self, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        let _ = media;
        Err(StoreError::Unsupported { operation: "delete" })
    }

    /// Rename a file, keeping its extension.
    async fn rename(&self, media: &MediaId, filename: &str) -> Result<(), StoreError> {
        let _ = (media, filename);
        Err(StoreError::Unsupported { operation: "rename" })
    }

    /// A file's current name, where the platform names files (what a rename replaces).
    async fn file_name(&self, media: &MediaId) -> Result<Option<String>, StoreError> {
        let _ = media;
        Ok(None)
    }

    /// Set a video's or 3D model's preview image from an image file.
    async fn set_preview(&self, media: &MediaId, image: UploadFile) -> Result<(), StoreError> {
        let _ = (media, image);
        Err(StoreError::Unsupported { operation: "set preview image" })
    }

    /// Clear failed updates: the files go back to READY.
    async fn acknowledge_failed(&self, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        let _ = media;
        Err(StoreError::Unsupported { operation: "acknowledge failed update" })
    }

    /// Replace an image's content, keeping its id and URL.
    async fn replace(&self, media: &MediaId, file: UploadFile) -> Result<(), StoreError> {
        let _ = (media, file);
        Err(StoreError::Unsupported { operation: "replace" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_mismatch_names_the_missing_repeated_and_foreign_ids() {
        let ids = |v: &[&str]| v.iter().map(|s| MediaId(s.to_string())).collect::<Vec<_>>();
        let e = StoreError::order_mismatch(&ids(&["a", "b", "c"]), &ids(&["a", "a", "x"])).to_string();
        assert!(e.contains("missing b, c"), "{e}");
        assert!(e.contains("named twice a"), "{e}");
        assert!(e.contains("not on this product x"), "{e}");
    }
}
