//! What the window and the engine say to each other: commands in, events out.

use std::sync::Arc;

use crate::model::{MediaId, Page, ProductAlts, ProductId, ProductMedia, ProductSummary, StoreRef};
use crate::store::Capabilities;
use crate::store::credentials::Credentials;

/// What the UI asks for.
#[derive(Debug, Clone)]
pub enum Command {
    /// One page of a product search (empty text lists them all); `generation` tags the answer.
    Search {
        /// The search text.
        text: String,
        /// Increases with every search, so stale answers can be dropped.
        generation: u64,
        /// The cursor of the page before; `None` for the first page.
        after: Option<String>,
    },
    /// Load a product's media.
    OpenProduct(ProductId),
    /// Check credentials against a store and, when they work, switch to it (saving the
    /// secret in the keyring when `save`).
    Connect {
        /// The store.
        store: StoreRef,
        /// A loopback address instead of the store's own host (the sandbox, tests).
        endpoint: Option<String>,
        /// Token, or client id and secret.
        credentials: Credentials,
        /// Save the secret in the keyring once it works.
        save: bool,
    },
    /// Connect to a saved store with the secret the keyring (or `MEDIADESK_TOKEN`) holds.
    OpenSaved {
        /// The store.
        store: StoreRef,
        /// A loopback address instead of the store's own host (tests).
        endpoint: Option<String>,
    },
    /// Open the store that runs on this computer (the built-in sandbox), starting it the first time.
    OpenLocal,
    /// Forget a store's secret (its keyring entry).
    Forget(StoreRef),
    /// Fetch and decode a thumbnail.
    Thumbnail(String),
    /// Read these products' alt texts in the background, for their health badges in the
    /// picker: the rows in view that have none yet, with the media count the list reported.
    /// Replaces the previous list, so rows scrolled past are never read.
    Scan(Vec<(ProductId, u32)>),
    /// Save one media's alt text.
    SaveAlt {
        /// The product.
        product: ProductId,
        /// The media.
        media: MediaId,
        /// The new text.
        alt: String,
        /// The text before, to put back if the store refuses.
        previous: String,
        /// What the activity strip calls the job ("Saving the alt text of polaris.jpg").
        title: String,
    },
    /// Take back an alt edit made in this session: saved like `SaveAlt`, and written in the
    /// journal as the undo of that edit (so it is not offered for undo again after a restart).
    UndoAlt {
        /// The product.
        product: ProductId,
        /// The media.
        media: MediaId,
        /// The text to put back.
        alt: String,
        /// The text it has now (what the undone edit set).
        previous: String,
        /// What the strip calls it ("Undo: Saving the alt text of polaris.jpg").
        title: String,
    },
    /// Take back a reorder made in this session: sent like `Reorder`, and written in the journal
    /// as the undo of that reorder (so it is not offered for undo again after a restart).
    UndoReorder {
        /// The product.
        product: ProductId,
        /// The order to put back.
        order: Vec<MediaId>,
        /// The order it has now (what the undone reorder set).
        previous: Vec<MediaId>,
        /// What the strip calls it.
        title: String,
    },
    /// Undo the last confirmed change the journal holds (after a restart, when the window has
    /// no undo of its own left), unless the store's text changed since.
    UndoLast,
    /// Undo one confirmed change of the journal (the History window's Undo), unless the
    /// store's text changed since.
    UndoChange(i64),
    /// Read the journal's recent changes for the History window (`Event::History`).
    LoadHistory,
    /// Put the product's media in this order.
    Reorder {
        /// The product.
        product: ProductId,
        /// The new order.
        order: Vec<MediaId>,
        /// The order before, to put back if the store refuses.
        previous: Vec<MediaId>,
        /// What the activity strip calls the job.
        title: String,
    },
    /// Detach media from a product (Shopify keeps the file in its library).
    Remove {
        /// The product.
        product: ProductId,
        /// The media.
        media: Vec<MediaId>,
        /// The product's order before, so the journal can put them back where they were.
        order: Vec<MediaId>,
    },
    /// Delete files permanently, from every product.
    Delete {
        /// The product on screen, to refresh.
        product: ProductId,
        /// The media.
        media: Vec<MediaId>,
    },
    /// Attach media removed earlier back to the product and put the product in `order` again
    /// (how a removal is undone).
    Reattach {
        /// The product.
        product: ProductId,
        /// The media to attach again.
        media: Vec<MediaId>,
        /// The product's order before the removal.
        order: Vec<MediaId>,
    },
    /// Sync the open store into its local catalog now (everything when `full`, else the
    /// changes since the last sync).
    SyncCatalog {
        /// Read every product, not only the changed ones.
        full: bool,
    },
    /// Stop the running sync; the catalog stays as it was.
    CancelSync,
    /// Send the changes the journal holds unconfirmed (or only the one numbered `only`), each
    /// checked against the store first; with `overwrite`, a text changed on the store since is
    /// replaced instead of left.
    ResumeChanges {
        /// One change only.
        only: Option<i64>,
        /// Send even where the store's text changed since.
        overwrite: bool,
    },
    /// Audit every media of the local catalog (`Event::Audit` answers).
    LoadAudit,
    /// Save many alt texts as one batch (a bulk fix): written down together, sent a product at
    /// a time with progress, and taken back by one undo.
    SaveAlts {
        /// Each text with what it replaces.
        changes: Vec<AltChange>,
        /// What the activity strip calls the job.
        title: String,
    },
    /// Mark media decorative (they need no alt text) or not; kept in the catalog.
    SetDecorative {
        /// The media.
        media: Vec<MediaId>,
        /// Decorative or not.
        decorative: bool,
    },
    /// Drop the unconfirmed changes in the journal: every one, or `only` that one (the
    /// merchant kept the store's text over a conflicting change).
    DiscardChanges {
        /// The one change to drop; `None` drops them all.
        only: Option<i64>,
    },
    /// Upload files from disk to a product.
    Upload {
        /// The product.
        product: ProductId,
        /// The files; a folder brings the files directly inside it.
        paths: Vec<std::path::PathBuf>,
        /// Chosen by the UI: names this batch in the `Upload` events that follow.
        batch: u64,
        /// Media of an earlier try that failed in processing: deleted before the files go
        /// again, so a retry leaves no broken media behind (empty for a first try).
        replace_failed: Vec<MediaId>,
    },
}

/// One alt text of a bulk fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AltChange {
    /// The product.
    pub product: ProductId,
    /// The media.
    pub media: MediaId,
    /// The new text.
    pub alt: String,
    /// The text it replaces (what an undo puts back).
    pub previous: String,
    /// What the history calls the media (its file name, or its id).
    pub name: String,
}

/// The store-wide audit, as the window shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditData {
    /// Every media with its findings.
    pub report: crate::audit::Report,
    /// The score after each sync, oldest first.
    pub scores: Vec<crate::model::ScorePoint>,
    /// The store's alt-text limit the rules used.
    pub limit: usize,
    /// When the catalog was last synced (seconds since the epoch); `None` before the first sync.
    pub synced_at: Option<u64>,
}

/// A change written down in the journal and not confirmed by the store, as the window lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnconfirmedChange {
    /// The journal's number for it.
    pub id: i64,
    /// What it is ("Alt text of polaris.jpg").
    pub title: String,
    /// The product.
    pub product: crate::model::ProductId,
    /// The text it sets.
    pub after: String,
    /// Why it was not confirmed, where known.
    pub why: Option<String>,
    /// When its last try met a change made on the store since: what the store has now (the
    /// merchant chooses between it and `after`).
    pub conflict: Option<String>,
}

/// One change in the History window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryItem {
    /// The journal's number for it.
    pub id: i64,
    /// What it is ("Alt text of polaris.jpg").
    pub title: String,
    /// The product.
    pub product: crate::model::ProductId,
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
    /// When it was made (seconds since the epoch).
    pub made_at: u64,
    /// Where it stands, in words: "confirmed", "waiting", "failed: …".
    pub state: String,
    /// It can be undone from the list (confirmed, not an undo, not undone yet).
    pub undoable: bool,
}

/// What the engine reports.
#[derive(Debug, Clone)]
pub enum Event {
    /// The store-wide audit of the local catalog.
    Audit(Arc<AuditData>),
    /// The store is ready.
    Connected {
        /// Which store.
        store: StoreRef,
        /// Shown to the user, e.g. the sandbox's address.
        label: String,
        /// What the token cannot do, one sentence each.
        limitations: Vec<String>,
        /// What the store can do (removal deletes, file library, alt limit…).
        capabilities: Capabilities,
        /// Set when the store could not be reached and the window works on its local catalog:
        /// why, in the user's words.
        offline: Option<String>,
    },
    /// The store could not be reached for a read the local catalog answered: the window keeps
    /// working on the catalog. The user's words.
    Offline(String),
    /// What the open store's local catalog holds, and whether it is syncing.
    Catalog(CatalogState),
    /// The journal's recent changes, newest first (answers `LoadHistory`).
    History(Vec<HistoryItem>),
    /// Changes the edit journal holds that the store never confirmed (an earlier run stopped,
    /// or the store did not answer), oldest first; empty when there are none (any more).
    Unconfirmed(Vec<UnconfirmedChange>),
    /// A sync finished and the catalog holds the store as it is now.
    Synced,
    /// A search answered from the local catalog, before the store's own answer.
    LocalProducts {
        /// The search it answers.
        generation: u64,
        /// The products, best match first (by title for short words and filters).
        items: Vec<ProductSummary>,
        /// Their alt-text health as the catalog counts it.
        health: Vec<LocalHealth>,
    },
    /// Something the user should know once about the open store (a fallback was used).
    Notice(String),
    /// Connecting failed; the store in use did not change.
    ConnectFailed(String),
    /// A page of search results.
    Products {
        /// The search it answers.
        generation: u64,
        /// The results.
        page: Page<ProductSummary>,
        /// True for the first page of the search (replaces the list), false for the ones after.
        first: bool,
    },
    /// A product's media.
    Media(ProductMedia),
    /// A product's alt texts, read for the picker's health badges.
    Scanned(ProductAlts),
    /// A decoded thumbnail.
    Thumbnail {
        /// The URL it came from.
        url: String,
        /// The pixels.
        image: Arc<egui::ColorImage>,
    },
    /// A thumbnail could not be fetched or decoded (asked again later).
    ThumbnailFailed(String),
    /// A job's progress or end, for the activity strip.
    Activity {
        /// Which job (stable while it runs).
        job: u64,
        /// What it is, in the user's words.
        title: String,
        /// Where it stands.
        state: JobState,
    },
    /// An alt text was saved: the store has it.
    AltSaved {
        /// The media.
        media: MediaId,
        /// The text the store now has.
        alt: String,
    },
    /// An alt text was written down but the store did not answer: it waits, and goes out by
    /// itself when the store answers again (then `AltSaved`).
    AltWaiting {
        /// The media.
        media: MediaId,
        /// The text waiting to be sent.
        alt: String,
    },
    /// An alt text was refused: the media has its old one again.
    AltRefused {
        /// The media.
        media: MediaId,
        /// The text it has on the store.
        previous: String,
        /// The text that was refused, so the user can correct it rather than type it again.
        attempted: String,
    },
    /// A reorder was refused: put the old order back.
    ReorderRefused {
        /// The product.
        product: ProductId,
        /// The order it had.
        previous: Vec<MediaId>,
    },
    /// The files an upload batch holds (dropped folders opened), before any is read.
    UploadQueued {
        /// The batch, as the UI named it in `Command::Upload`.
        batch: u64,
        /// The product they go to.
        product: ProductId,
        /// Their file names, in the order of the `Upload` events' indices.
        names: Vec<String>,
    },
    /// A new media came from this file (the store may give a media that failed processing no
    /// file name of its own).
    MediaNamed {
        /// The media.
        media: MediaId,
        /// The uploaded file's name.
        name: String,
    },
    /// How one file of an upload batch stands.
    Upload {
        /// The batch, as the UI named it in `Command::Upload`.
        batch: u64,
        /// The file's index in the command's paths.
        index: usize,
        /// Where it stands.
        state: UploadState,
    },
    /// What stops a running job if the user asks to cancel it (it follows the job's first
    /// `Activity`).
    Cancellable {
        /// The job.
        job: u64,
        /// The command that stops it.
        command: Box<Command>,
    },
    /// What to send again if the user asks to retry a failed job (it follows the job's first
    /// `Activity`).
    Retry {
        /// The job.
        job: u64,
        /// The command that does the failed part again.
        command: Box<Command>,
    },
    /// Something failed; the text is for the user.
    Failed(String),
}

/// What a store's local catalog holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogState {
    /// The store it is the catalog of.
    pub store: StoreRef,
    /// Products held.
    pub products: u64,
    /// Media held.
    pub media: u64,
    /// When the last sync ended (seconds since the epoch); `None` before the first.
    pub last_sync: Option<u64>,
    /// A sync is running.
    pub syncing: bool,
}

/// A product's alt-text health as the local catalog counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalHealth {
    /// The product.
    pub id: ProductId,
    /// Its media.
    pub media: u32,
    /// Those with no alt text.
    pub missing: u32,
    /// Those whose alt text the checks flag.
    pub needs_work: u32,
}

/// Where one uploading file stands.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadState {
    /// Bytes on their way; the share sent, 0 to 1.
    Sending(f32),
    /// All bytes sent; the store is processing the file.
    Processing,
    /// Attached and ready (or failed in processing: the media itself then says so).
    Done,
    /// Written down, not sent: the store does not answer; it goes out when it does.
    Waiting,
    /// Not uploaded, and why, in the user's words.
    Failed(String),
}

/// Where a background job stands.
#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    /// Running; progress from 0 to 1 when known.
    Running(Option<f32>),
    /// Finished.
    Done,
    /// Failed: the user's words, and the platform's code and words.
    Failed {
        /// What happened, in the user's words.
        message: String,
        /// The platform's code and message.
        detail: String,
    },
}

impl Command {
    /// The command's name, for log spans (no arguments: they can hold merchant data or secrets).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Search { .. } => "search",
            Command::OpenProduct(_) => "open_product",
            Command::Connect { .. } => "connect",
            Command::OpenSaved { .. } => "open_saved",
            Command::OpenLocal => "open_local",
            Command::Forget(_) => "forget",
            Command::Thumbnail(_) => "thumbnail",
            Command::Scan(_) => "scan",
            Command::SaveAlt { .. } => "save_alt",
            Command::UndoAlt { .. } => "undo_alt",
            Command::UndoLast => "undo_last",
            Command::UndoReorder { .. } => "undo_reorder",
            Command::UndoChange(_) => "undo_change",
            Command::LoadHistory => "load_history",
            Command::Reorder { .. } => "reorder",
            Command::Remove { .. } => "remove",
            Command::Delete { .. } => "delete",
            Command::Reattach { .. } => "reattach",
            Command::Upload { .. } => "upload",
            Command::SyncCatalog { .. } => "sync_catalog",
            Command::CancelSync => "cancel_sync",
            Command::ResumeChanges { .. } => "resume_changes",
            Command::DiscardChanges { .. } => "discard_changes",
            Command::LoadAudit => "load_audit",
            Command::SaveAlts { .. } => "save_alts",
            Command::SetDecorative { .. } => "set_decorative",
        }
    }
}
