//! The local catalog: every product of a store with its media and variants, in one SQLite file
//! per store under the platform's data folder. Syncs fill it (`catalog::sync`), search reads it
//! (`catalog::search`); the window, the audit and the command line read from it instead of
//! asking the store row by row.
//!
//! One process uses a store's catalog at a time (a lock file beside it says so plainly); a file
//! that is damaged or written by a newer mediadesk is moved aside, never deleted, and a new one
//! is built.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::model::{Media, MediaId, MediaKind, MediaStatus, ProductId, ProductMedia, StoreRef, Variant};

pub mod marks;
mod schema;
pub mod search;
pub mod sync;
mod write;

pub use search::ProductHit;
pub use write::{SyncKind, SyncSummary, SyncWriter};

/// Why the catalog could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// Another mediadesk (window or command) holds this store's catalog.
    #[error(
        "another mediadesk is using the local catalog of {store} ({path}); close it, or wait for its sync to end, and try again"
    )]
    InUse {
        /// The store.
        store: String,
        /// The catalog file.
        path: String,
    },
    /// The file system refused (a folder that cannot be created, a full disk).
    #[error("the local catalog at {path} cannot be used: {reason}")]
    Io {
        /// The catalog file.
        path: String,
        /// The system's words.
        reason: String,
    },
    /// SQLite failed.
    #[error("the local catalog failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// A store's local catalog, open for reading and syncing.
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
    /// Held while the catalog is open: a second process finds it locked.
    _lock: File,
    /// The copy of the last big sync's write-ahead log into the file, running beside the work
    /// that follows the sync (see `SyncWriter::finish`).
    checkpoint: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Catalog {
    fn drop(&mut self) {
        // A process that ends here leaves the file whole either way; waiting leaves it tidy.
        self.settle();
    }
}

impl Catalog {
    /// Wait for the copy of the last big sync's log into the file, if one is running.
    pub fn settle(&mut self) {
        if let Some(copy) = self.checkpoint.take() {
            let _ = copy.join();
        }
    }
}

/// Copy a catalog's write-ahead log into its file on a thread of its own, with a connection of
/// its own (readers and writers go on meanwhile).
fn checkpoint_beside(path: PathBuf) -> Option<std::thread::JoinHandle<()>> {
    let copy = move || {
        let done = Connection::open(&path).and_then(|conn| {
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        });
        if let Err(e) = done {
            // The log stays and is copied at a later commit or when the catalog closes.
            tracing::debug!(error = %e, "catalog checkpoint left for later");
        }
    };
    std::thread::Builder::new().name("catalog-checkpoint".into()).spawn(copy).ok()
}

/// Pages of write-ahead log after which a commit copies it into the file.
const AUTOCHECKPOINT: i64 = 256;

/// The folder catalogs live in: the platform's data folder (XDG data home, Application Support,
/// AppData), not the cache, since a catalog holds the sync state and, later, the edit journal.
pub fn default_dir() -> Option<PathBuf> {
    Some(directories::ProjectDirs::from("", "", "mediadesk")?.data_dir().join("catalogs"))
}

/// The catalog file of a store in `dir`: `shopify-acme.sqlite3`, `ecwid-1003.sqlite3`.
pub fn file_for(dir: &Path, store: &StoreRef) -> PathBuf {
    let name: String = store.to_string().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    dir.join(format!("{name}.sqlite3"))
}

/// What a freshly opened catalog wants the user to know (a file moved aside).
pub type Notice = Option<String>;

impl Catalog {
    /// Open (or create) the catalog of `store` in `dir`.
    pub fn open(dir: &Path, store: &StoreRef) -> Result<(Catalog, Notice), CatalogError> {
        Catalog::open_file(&file_for(dir, store), &store.to_string())
    }

    /// Open (or create) the catalog file at `path`; `store` names it in messages.
    pub fn open_file(path: &Path, store: &str) -> Result<(Catalog, Notice), CatalogError> {
        let io = |e: std::io::Error| CatalogError::Io { path: path.display().to_string(), reason: e.to_string() };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let lock =
            File::options().create(true).truncate(false).write(true).open(path.with_extension("lock")).map_err(io)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(CatalogError::InUse { store: store.to_string(), path: path.display().to_string() });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        match Catalog::connect(path)? {
            Ok(conn) => Ok((Catalog { conn, path: path.to_path_buf(), _lock: lock, checkpoint: None }, None)),
            Err(why) => {
                let kept = move_aside(path, &why).map_err(io)?;
                let notice = format!(
                    "The local catalog of {store} {why}; it was kept as {} and a new one is being built.",
                    kept.display()
                );
                tracing::warn!(path = %path.display(), kept = %kept.display(), "catalog moved aside: {why}");
                let conn = Catalog::connect(path)?.map_err(|why| CatalogError::Io {
                    path: path.display().to_string(),
                    reason: format!("a new catalog could not be made: it {why}"),
                })?;
                Ok((Catalog { conn, path: path.to_path_buf(), _lock: lock, checkpoint: None }, Some(notice)))
            }
        }
    }

    /// A connection at the current schema, or why the file cannot be used as it is.
    fn connect(path: &Path) -> Result<Result<Connection, String>, CatalogError> {
        let mut conn = Connection::open(path)?;
        let prepared = (|| -> rusqlite::Result<schema::Fit> {
            // WAL: readers (the window) never wait for a sync's writes. NORMAL: a power cut may
            // lose the last sync, never corrupt the file; a lost sync is read again.
            // 64 KB pages (SQLite's largest; the default is 4 KB) for a new file: a sync of the
            // 10,000-product store wrote its 108,132 rows in 0.63 s instead of 0.84 s (32 KB:
            // 0.68 s), and searches were no slower. A file made before keeps its pages.
            conn.pragma_update(None, "page_size", 65_536)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            // 32 MB of page cache (the default is 2 MB): a sync writes hundreds of thousands of
            // rows into several indexes, and re-reading evicted index pages dominated its time.
            // 64 MB wrote no faster and held 23 MB more at the sync's peak.
            conn.pragma_update(None, "cache_size", -32_768)?;
            // A bulk read waits in temporary tables until joined: in memory, not in a temporary
            // file (about 150 bytes a media: 12 MB for a 10,000-product store).
            conn.pragma_update(None, "temp_store", "MEMORY")?;
            // The write-ahead log is copied into the file once it holds this many pages (16 MB;
            // SQLite's 1,000 would be 64 MB with these pages). A sync copies its own at the end,
            // beside the work that follows it (see `SyncWriter::finish`).
            conn.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT)?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            let fit = schema::migrate(&mut conn)?;
            if fit == schema::Fit::Usable {
                // Reads a page of every table: a damaged file says so now, not mid-sync.
                conn.query_row("SELECT count(*) FROM products", [], |_| Ok(()))?;
                let ok: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
                if ok != "ok" {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                        Some(ok),
                    ));
                }
            }
            Ok(fit)
        })();
        match prepared {
            Ok(schema::Fit::Usable) => Ok(Ok(conn)),
            Ok(schema::Fit::Newer(v)) => Ok(Err(format!("was written by a newer mediadesk (schema {v})"))),
            Err(rusqlite::Error::SqliteFailure(e, detail))
                if matches!(e.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) =>
            {
                Ok(Err(format!("is damaged ({})", detail.unwrap_or_else(|| e.to_string()))))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A second connection to the same file, for reading while a sync writes through this one
    /// (WAL lets readers go on beside a writer). It shares this catalog's lock.
    pub fn reader(&self) -> Result<Catalog, CatalogError> {
        let io = |e: std::io::Error| CatalogError::Io { path: self.path.display().to_string(), reason: e.to_string() };
        let conn = Connection::open(&self.path)?;
        conn.pragma_update(None, "query_only", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Catalog { conn, path: self.path.clone(), _lock: self._lock.try_clone().map_err(io)?, checkpoint: None })
    }

    /// Where the catalog stands, for the window: what it holds and when it was last synced.
    pub fn status(&self) -> Result<Status, CatalogError> {
        let secs = |v: Option<String>| v.and_then(|s| s.parse::<u64>().ok());
        Ok(Status {
            counts: self.counts()?,
            last_sync: secs(self.state("last_sync")?),
            last_full_sync: secs(self.state("last_full_sync")?),
        })
    }

    /// The catalog file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many products and media the catalog holds, and how many media have no alt text.
    pub fn counts(&self) -> Result<Counts, CatalogError> {
        Ok(self.conn.query_row(
            // Missing alt texts as each product's row counted them when written (Rust's idea of
            // blank, which SQL's trim does not share: it leaves tabs and line breaks).
            "SELECT count(*), (SELECT count(*) FROM media), coalesce(sum(missing_alt), 0), (SELECT count(*) FROM variants)
             FROM products",
            [],
            |r| Ok(Counts { products: r.get(0)?, media: r.get(1)?, missing_alt: r.get(2)?, variants: r.get(3)? }),
        )?)
    }

    /// A value of the sync state (`last_full_sync`, `last_sync`, …).
    pub fn state(&self, key: &str) -> Result<Option<String>, CatalogError> {
        Ok(self.conn.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// The products holding any of these media.
    pub fn products_holding(&self, media: &[MediaId]) -> Result<std::collections::BTreeSet<ProductId>, CatalogError> {
        let mut stmt = self.conn.prepare_cached("SELECT product_id FROM media WHERE id = ?1")?;
        let mut out = std::collections::BTreeSet::new();
        for m in media {
            for p in stmt.query_map([&m.0], |r| r.get::<_, String>(0))? {
                out.insert(ProductId(p?));
            }
        }
        Ok(out)
    }

    /// A media's file name as the catalog holds it (`None` when it has none, or no such media).
    pub fn file_name(&self, media: &MediaId) -> Result<Option<String>, CatalogError> {
        let mut stmt = self.conn.prepare_cached("SELECT filename FROM media WHERE id = ?1 LIMIT 1")?;
        Ok(stmt.query_row([&media.0], |r| r.get::<_, Option<String>>(0)).optional()?.flatten())
    }

    /// A product's alt texts with their media's file names, in position order.
    pub fn alts(&self, id: &ProductId) -> Result<Vec<(String, Option<String>)>, CatalogError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT alt, filename FROM media WHERE product_id = ?1 ORDER BY position")?;
        let rows = stmt.query_map([&id.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A product's variants as the last sync saw them, in the store's order, each with the media
    /// it shows.
    pub fn variants(&self, id: &ProductId) -> Result<Vec<Variant>, CatalogError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title, options, media, own_image FROM variants WHERE product_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([&id.0], variant_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A product's media as the last sync saw them, in position order.
    pub fn product_media(&self, id: &ProductId) -> Result<Option<ProductMedia>, CatalogError> {
        let Some(title) = self
            .conn
            .query_row("SELECT title FROM products WHERE id = ?1", [&id.0], |r| r.get::<_, String>(0))
            .optional()?
        else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {MEDIA_COLUMNS} FROM media WHERE product_id = ?1 ORDER BY position"))?;
        let media = stmt.query_map(params![id.0], media_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(ProductMedia { id: id.clone(), title, media: numbered(media) }))
    }
}

/// A product's media read in `position` order, numbered from 0. The column only orders them:
/// a full sync stores the order the rows came in (see `SyncWriter::stage`).
fn numbered(mut media: Vec<Media>) -> Vec<Media> {
    for (i, m) in media.iter_mut().enumerate() {
        m.position = i as u32;
    }
    media
}

/// The media columns `media_row` reads, in its order.
const MEDIA_COLUMNS: &str = "id, kind, alt, status, position, preview_url, width, height, filename, size_bytes, mime_type, \
                             errors, external_url, alt_translated";

/// A variant row (`id, title, options, media, own_image`) back to the type.
fn variant_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Variant> {
    let (options, media): (String, String) = (r.get(2)?, r.get(3)?);
    Ok(Variant {
        id: r.get(0)?,
        title: r.get(1)?,
        // Written by this module from these types: a row that does not read back is shown
        // without options or media rather than failing the product.
        options: serde_json::from_str(&options).unwrap_or_default(),
        media: serde_json::from_str(&media).unwrap_or_default(),
        own_image: r.get::<_, Option<String>>(4)?.and_then(|j| serde_json::from_str(&j).ok()),
    })
}

/// A media row (selected as `MEDIA_COLUMNS`) back to the type.
fn media_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Media> {
    let errors: String = r.get(11)?;
    Ok(Media {
        id: MediaId(r.get(0)?),
        kind: kind_from(&r.get::<_, String>(1)?),
        alt: r.get(2)?,
        status: status_from(&r.get::<_, String>(3)?),
        position: r.get(4)?,
        preview_url: r.get(5)?,
        width: r.get(6)?,
        height: r.get(7)?,
        filename: r.get(8)?,
        size_bytes: r.get(9)?,
        mime_type: r.get(10)?,
        errors: errors.lines().map(str::to_string).collect(),
        external_url: r.get(12)?,
        // Written by this module: a value that does not read back is shown as no translations.
        alt_translated: r.get::<_, Option<String>>(13)?.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default(),
    })
}

/// What the catalog holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Products.
    pub products: u64,
    /// Media of every product.
    pub media: u64,
    /// Media with no alt text.
    pub missing_alt: u64,
    /// Variants of every product.
    pub variants: u64,
}

/// What the catalog holds and when it was synced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// What it holds.
    pub counts: Counts,
    /// When the last sync of any kind ended (seconds since the epoch); `None` before the first.
    pub last_sync: Option<u64>,
    /// When the last full sync ended.
    pub last_full_sync: Option<u64>,
}

/// Rename the file (and its WAL and shared-memory files) to `NAME.sqlite3.set-aside-SECONDS`.
fn move_aside(path: &Path, why: &str) -> std::io::Result<PathBuf> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let tag = if why.contains("newer") { "newer" } else { "damaged" };
    let kept = PathBuf::from(format!("{}.{tag}-{stamp}", path.display()));
    std::fs::rename(path, &kept)?;
    for side in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{side}", path.display()));
        if from.exists() {
            std::fs::rename(&from, format!("{}{side}", kept.display()))?;
        }
    }
    Ok(kept)
}

/// A media kind as the catalog spells it (the command line's words), back to the type.
fn kind_from(s: &str) -> MediaKind {
    match s {
        "video" => MediaKind::Video,
        "external_video" => MediaKind::ExternalVideo,
        "model_3d" => MediaKind::Model3d,
        _ => MediaKind::Image,
    }
}

/// A status as the catalog spells it, back to the type.
fn status_from(s: &str) -> MediaStatus {
    match s {
        "uploaded" => MediaStatus::Uploaded,
        "processing" => MediaStatus::Processing,
        "failed" => MediaStatus::Failed,
        _ => MediaStatus::Ready,
    }
}
