//! The edit journal: every write the window or the command line makes is written down here,
//! durably, before its request leaves, then marked sent, confirmed or failed from the store's
//! answer. What was never confirmed (the app quit, the connection dropped) is resumed later;
//! what was confirmed can be undone after a restart.
//!
//! One SQLite file per store, beside its catalog (`shopify-acme.journal.sqlite3`), not inside
//! it: a sync holds the catalog's write lock for its whole transaction, and an edit must never
//! wait for a sync to be written down; and a damaged catalog is moved aside and rebuilt from the
//! store, which must never take unsent edits with it. The window and the command line may use
//! the same journal at once (SQLite's locking); an entry is claimed before it is sent, so two
//! of them never send the same one.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

use crate::model::{MediaId, ProductId, StoreRef};

mod outcome;
mod send;
mod upload;

pub use outcome::{Applied, Outcomes, conflict_store};
pub use send::{ALTS_PER_WRITE, send, send_alts_across, send_batch, send_set_media, send_write, writes};
pub use upload::{Source, UploadResult, upload_batch};

/// The journal schema this build reads and writes (SQLite's `user_version`).
const VERSION: i64 = 2;

const SCHEMA: &str = "
    CREATE TABLE entries (
        -- The order the edits were made in; never reused, so an id printed once stays valid.
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        made_at       INTEGER NOT NULL,
        product_id    TEXT NOT NULL,
        -- What the history calls it: \"Alt text of polaris.jpg\".
        title         TEXT NOT NULL,
        -- The change as JSON (`Change`): what to send and what it replaced.
        change        TEXT NOT NULL,
        -- What the change is about: the media of an alt edit, `order:` and the product of a
        -- reorder. A later change of the same thing supersedes an unsent earlier one.
        media_id      TEXT,
        state         TEXT NOT NULL,
        error_code    TEXT,
        error_message TEXT,
        -- The entry this one undoes.
        undoes        INTEGER REFERENCES entries(id),
        updated_at    INTEGER NOT NULL
    );
    CREATE INDEX entries_open ON entries (state) WHERE state IN ('pending', 'sent');
    CREATE INDEX entries_by_media ON entries (media_id) WHERE media_id IS NOT NULL;
";

/// Version 2: changes made together (a bulk fix, a CSV import) share a batch, the id of its
/// first entry, so one undo takes them all back.
const BATCHES: &str = "
    ALTER TABLE entries ADD COLUMN batch INTEGER;
    CREATE INDEX entries_by_batch ON entries (batch) WHERE batch IS NOT NULL;
";

/// Why the journal could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Written by a newer mediadesk: left untouched, so nothing in it is lost.
    #[error(
        "the edit journal at {path} was written by a newer mediadesk (journal version {version}); it was left as it is. \
         Use that version, or move the file away to start a new journal"
    )]
    Newer {
        /// The journal file.
        path: String,
        /// Its version.
        version: i64,
    },
    /// The file system refused (a folder that cannot be created, a full disk).
    #[error("the edit journal at {path} cannot be used: {reason}")]
    Io {
        /// The journal file.
        path: String,
        /// The system's words.
        reason: String,
    },
    /// No such entry.
    #[error("the journal has no change {0}")]
    NoEntry(i64),
    /// SQLite failed.
    #[error("the edit journal failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// One change to a store, with what it replaced (to check before writing, and to undo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// One media's alt text.
    Alt {
        /// The media.
        media: MediaId,
        /// The new text.
        alt: String,
        /// The text it replaced.
        base: String,
    },
    /// A product's media in a new order (sent whole, so sending it twice is harmless).
    Reorder {
        /// The new order: every media of the product.
        order: Vec<MediaId>,
        /// The order it replaced.
        base: Vec<MediaId>,
    },
    /// Media detached from the product (the files stay in the library, where the platform
    /// has one).
    Remove {
        /// The media removed.
        media: Vec<MediaId>,
        /// The product's order before, to put them back where they were.
        order: Vec<MediaId>,
    },
    /// Removed media attached again, then the product put in `order`.
    Reattach {
        /// The media attached again.
        media: Vec<MediaId>,
        /// The order to put the product back in.
        order: Vec<MediaId>,
    },
    /// Files deleted for good, from every product (no inverse).
    Delete {
        /// The files.
        media: Vec<MediaId>,
    },
    /// A file renamed (its extension kept: `filename` has it).
    Rename {
        /// The file.
        media: MediaId,
        /// The new name.
        filename: String,
        /// The name it replaced, where the store said.
        base: Option<String>,
    },
    /// Ecwid: the product's main media and gallery set from URLs in one call. Sending it again
    /// is harmless: it overwrites the whole gallery, so the result is the same.
    SetMedia {
        /// The main image or video URL.
        main: Option<String>,
        /// The gallery URLs, in order; `None` keeps the gallery.
        gallery: Option<Vec<String>>,
    },
    /// One file uploaded and attached to the product (no inverse here: the window's Remove
    /// takes it off).
    Upload {
        /// The file.
        file: Source,
        /// The product's media before the upload: a media not among them that is this file
        /// means the upload arrived.
        before: Vec<MediaId>,
    },
}

impl Change {
    /// What the change is about, as the journal keys it: a later change of the same thing
    /// supersedes an unsent one.
    fn subject(&self, product: &ProductId) -> String {
        match self {
            Change::Alt { media, .. } => media.0.clone(),
            Change::Reorder { .. } => format!("order:{}", product.0),
            Change::Rename { media, .. } => format!("name:{}", media.0),
            Change::SetMedia { .. } => format!("media:{}", product.0),
            // Never superseded: each one is sent.
            Change::Remove { .. } | Change::Reattach { .. } | Change::Delete { .. } | Change::Upload { .. } => {
                format!("batch:{}:{}", product.0, now_nanos())
            }
        }
    }

    /// This change, replacing the unsent `earlier` one of the same thing: it replaces what
    /// `earlier` replaced (the store never saw `earlier`, so its base is what the store has).
    fn replacing(&self, earlier: &Change) -> Change {
        match (self, earlier) {
            (Change::Alt { media, alt, .. }, Change::Alt { base, .. }) => {
                Change::Alt { media: media.clone(), alt: alt.clone(), base: base.clone() }
            }
            (Change::Reorder { order, .. }, Change::Reorder { base, .. }) => {
                Change::Reorder { order: order.clone(), base: base.clone() }
            }
            (Change::Rename { media, filename, .. }, Change::Rename { base, .. }) => {
                Change::Rename { media: media.clone(), filename: filename.clone(), base: base.clone() }
            }
            _ => self.clone(),
        }
    }

    /// The change that puts back what this one replaced; none for a delete.
    pub fn inverse(&self) -> Option<Change> {
        Some(match self {
            Change::Alt { media, alt, base } => {
                Change::Alt { media: media.clone(), alt: base.clone(), base: alt.clone() }
            }
            Change::Reorder { order, base } => Change::Reorder { order: base.clone(), base: order.clone() },
            Change::Remove { media, order } => Change::Reattach { media: media.clone(), order: order.clone() },
            Change::Reattach { media, order } => Change::Remove { media: media.clone(), order: order.clone() },
            Change::Rename { media, filename, base: Some(base) } => {
                Change::Rename { media: media.clone(), filename: base.clone(), base: Some(filename.clone()) }
            }
            Change::Delete { .. }
            | Change::Upload { .. }
            | Change::SetMedia { .. }
            | Change::Rename { base: None, .. } => {
                return None;
            }
        })
    }

    /// Whether this change puts back what `earlier` set: an alt text back on the same media, an
    /// order back from the one `earlier` set, removed media (the same ones) attached again.
    pub fn takes_back(&self, earlier: &Change) -> bool {
        let same_set = |a: &[MediaId], b: &[MediaId]| {
            let (mut a, mut b) = (a.to_vec(), b.to_vec());
            a.sort_by(|x, y| x.0.cmp(&y.0));
            b.sort_by(|x, y| x.0.cmp(&y.0));
            a == b
        };
        match (self, earlier) {
            (Change::Alt { media, base, .. }, Change::Alt { media: m, alt, .. }) => media == m && base == alt,
            (Change::Reorder { base, .. }, Change::Reorder { order, .. }) => base == order,
            (Change::Reattach { media, .. }, Change::Remove { media: m, .. }) => same_set(media, m),
            (Change::Rename { media, base: Some(base), .. }, Change::Rename { media: m, filename, .. }) => {
                media == m && base == filename
            }
            _ => false,
        }
    }

    /// Its kind, as the command line prints it.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Alt { .. } => "alt",
            Change::Reorder { .. } => "reorder",
            Change::Remove { .. } => "remove",
            Change::Reattach { .. } => "reattach",
            Change::Delete { .. } => "delete",
            Change::Upload { .. } => "upload",
            Change::Rename { .. } => "rename",
            Change::SetMedia { .. } => "set_media",
        }
    }

    /// What it replaced and what it sets, in words: the alt texts, or the orders by the media's
    /// numbers.
    pub fn words(&self) -> (String, String) {
        let order = |o: &[MediaId]| {
            let ids: Vec<&str> = o.iter().map(|m| m.0.rsplit('/').next().unwrap_or(&m.0)).collect();
            format!("order {}", ids.join(", "))
        };
        let list =
            |o: &[MediaId]| o.iter().map(|m| m.0.rsplit('/').next().unwrap_or(&m.0)).collect::<Vec<_>>().join(", ");
        match self {
            Change::Alt { alt, base, .. } => (base.clone(), alt.clone()),
            Change::Reorder { order: new, base } => (order(base), order(new)),
            Change::Remove { media, .. } => (format!("on the product: {}", list(media)), "removed".into()),
            Change::Reattach { media, .. } => ("removed".into(), format!("on the product again: {}", list(media))),
            Change::Delete { media } => (format!("files {}", list(media)), "deleted for good".into()),
            Change::Upload { file, .. } => ("not on the product".into(), format!("uploaded {}", file.name)),
            Change::Rename { filename, base, .. } => (base.clone().unwrap_or_default(), filename.clone()),
            Change::SetMedia { main, gallery } => {
                let mut after = Vec::new();
                if let Some(m) = main {
                    after.push(format!("main {m}"));
                }
                match gallery {
                    Some(g) => after.push(format!("a gallery of {} from URLs", g.len())),
                    None => after.push("the gallery kept".into()),
                }
                ("the media before".into(), after.join("; "))
            }
        }
    }
}

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Written down, not sent yet (or sent and known not to have arrived).
    Pending,
    /// Sent; the store's answer has not been written down (the app may have stopped).
    Sent,
    /// The store said it is done.
    Confirmed,
    /// The store refused it.
    Failed,
    /// Dropped by the merchant before it was confirmed.
    Discarded,
    /// A later edit of the same thing replaced it before it was sent.
    Superseded,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Sent => "sent",
            State::Confirmed => "confirmed",
            State::Failed => "failed",
            State::Discarded => "discarded",
            State::Superseded => "superseded",
        }
    }

    fn from_str(s: &str) -> State {
        match s {
            "pending" => State::Pending,
            "sent" => State::Sent,
            "confirmed" => State::Confirmed,
            "failed" => State::Failed,
            "discarded" => State::Discarded,
            _ => State::Superseded,
        }
    }
}

/// One written-down change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Its number, in the order changes were made.
    pub id: i64,
    /// When it was made (seconds since the epoch).
    pub made_at: u64,
    /// The product.
    pub product: ProductId,
    /// What the history calls it.
    pub title: String,
    /// The change.
    pub change: Change,
    /// Where it stands.
    pub state: State,
    /// The store's code and words, when it failed.
    pub error: Option<(String, String)>,
    /// The entry this one undoes.
    pub undoes: Option<i64>,
    /// When its state last changed.
    pub updated_at: u64,
    /// The batch it was made in (the first entry's id), when several changes were made
    /// together: one undo takes back the whole batch.
    pub batch: Option<i64>,
}

/// A store's edit journal.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

/// Entries grouped by product, each group and each product's entries in the order made: how
/// changes are resumed (one check and one write per product).
pub fn by_product(entries: Vec<Entry>) -> Vec<(ProductId, Vec<Entry>)> {
    let mut out: Vec<(ProductId, Vec<Entry>)> = Vec::new();
    for e in entries {
        match out.iter_mut().find(|(p, _)| *p == e.product) {
            Some((_, group)) => group.push(e),
            None => out.push((e.product.clone(), vec![e])),
        }
    }
    out
}

/// The journal file of a store in `dir` (the catalogs' folder).
pub fn file_for(dir: &Path, store: &StoreRef) -> PathBuf {
    crate::catalog::file_for(dir, store).with_extension("journal.sqlite3")
}

fn now() -> u64 {
    crate::time::unix(std::time::SystemTime::now())
}

/// A key no other change has (nanoseconds since the epoch).
fn now_nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

impl Journal {
    /// Open (or create) the journal of `store` in `dir`.
    pub fn open(dir: &Path, store: &StoreRef) -> Result<Journal, JournalError> {
        Journal::open_file(&file_for(dir, store))
    }

    /// Open (or create) the journal at `path`. A journal from a newer mediadesk is refused and
    /// left as it is.
    pub fn open_file(path: &Path) -> Result<Journal, JournalError> {
        let io = |e: std::io::Error| JournalError::Io { path: path.display().to_string(), reason: e.to_string() };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL for writing changes down: the commit is on the disk before `record` returns,
        // so an edit is never lost to a power cut after its request left (NORMAL, the
        // catalog's setting, may lose the last commits; a catalog can be read again from the
        // store, an edit cannot). The state changes after it (`claim`, `confirm`…) commit
        // with NORMAL (see `progress`).
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The window and the command line may write at once: wait for the other's commit.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > VERSION {
            return Err(JournalError::Newer { path: path.display().to_string(), version });
        }
        if version < VERSION {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Another process may have made it meanwhile.
            let now_version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if now_version == 0 {
                tx.execute_batch(SCHEMA)?;
            }
            if now_version < 2 {
                tx.execute_batch(BATCHES)?;
            }
            tx.execute_batch(&format!("PRAGMA user_version = {VERSION}"))?;
            tx.commit()?;
        }
        Ok(Journal { conn, path: path.to_path_buf() })
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write a change down before it is sent; its id comes back. An unsent earlier edit of the
    /// same media is superseded by it (only the latest text goes out).
    pub fn record(&mut self, product: &ProductId, title: &str, change: &Change) -> Result<i64, JournalError> {
        Ok(self.record_all(&[(product.clone(), title.to_string(), change.clone())], None)?[0])
    }

    /// Write changes down in one commit (a batch), each superseding unsent earlier edits of
    /// its media; `undoes` marks them as undoing that entry.
    pub fn record_all(
        &mut self,
        changes: &[(ProductId, String, Change)],
        undoes: Option<i64>,
    ) -> Result<Vec<i64>, JournalError> {
        let with: Vec<(ProductId, String, Change, Option<i64>)> =
            changes.iter().map(|(p, t, c)| (p.clone(), t.clone(), c.clone(), undoes)).collect();
        self.record_each(&with)
    }

    /// Write changes down in one commit, each with the entry it undoes (if any). Two or more
    /// share a batch: `undo_batch` takes them back together.
    pub fn record_each(
        &mut self,
        changes: &[(ProductId, String, Change, Option<i64>)],
    ) -> Result<Vec<i64>, JournalError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = now() as i64;
        let mut ids = Vec::with_capacity(changes.len());
        {
            let mut earlier = tx.prepare_cached(
                "SELECT change FROM entries WHERE media_id = ?1 AND state = 'pending' ORDER BY id LIMIT 1",
            )?;
            let mut supersede = tx.prepare_cached(
                "UPDATE entries SET state = 'superseded', updated_at = ?2 WHERE media_id = ?1 AND state = 'pending'",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO entries (made_at, product_id, title, change, media_id, state, undoes, updated_at, batch)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?1, ?7)",
            )?;
            let mut batch: Option<i64> = None;
            for (product, title, change, undoes) in changes {
                let subject = change.subject(product);
                let unsent: Option<String> = earlier.query_row([&subject], |r| r.get(0)).optional()?;
                let change = match unsent.and_then(|c| serde_json::from_str::<Change>(&c).ok()) {
                    Some(e) => change.replacing(&e),
                    None => change.clone(),
                };
                supersede.execute(params![subject, at])?;
                let json = serde_json::to_string(&change).unwrap_or_default();
                insert.execute(params![at, product.0, title, json, subject, undoes, batch])?;
                let id = tx.last_insert_rowid();
                if changes.len() > 1 && batch.is_none() {
                    // The first entry names the batch; it is written before its own id is known.
                    tx.execute("UPDATE entries SET batch = ?1 WHERE id = ?1", [id])?;
                    batch = Some(id);
                }
                ids.push(id);
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Write down the undo of `target`: of its whole batch when it was made with others (a bulk
    /// fix, an import), each inverse marked as undoing its change, in one commit. Empty when
    /// nothing in it can be undone (a deletion, an upload, all undone already).
    pub fn write_down_undo(&mut self, target: &Entry) -> Result<Vec<Entry>, JournalError> {
        let taken = match target.batch {
            Some(batch) => self.undoable_in_batch(batch)?,
            None => vec![target.clone()],
        };
        let undos: Vec<(ProductId, String, Change, Option<i64>)> = taken
            .iter()
            .filter_map(|e| {
                e.change.inverse().map(|inv| (e.product.clone(), format!("Undo: {}", e.title), inv, Some(e.id)))
            })
            .collect();
        if undos.is_empty() {
            return Ok(Vec::new());
        }
        let ids = self.record_each(&undos)?;
        ids.into_iter().map(|id| self.entry(id)).collect()
    }

    /// The entries of a batch that an undo takes back: confirmed, not undos, not undone.
    pub fn undoable_in_batch(&self, batch: i64) -> Result<Vec<Entry>, JournalError> {
        self.entries(
            "WHERE batch = ?1 AND state = 'confirmed' AND undoes IS NULL
               AND NOT EXISTS (SELECT 1 FROM entries u WHERE u.undoes = entries.id AND u.state IN ('pending', 'sent', 'confirmed'))
             ORDER BY id",
            params![batch],
        )
    }

    /// Run one state change with `synchronous = NORMAL`: it waits for no disk flush (one flush
    /// per edit instead of three: 1 ms against 4 on this machine's disk). Losing it to a power
    /// cut is safe, because a resumed change is checked against the store before it is sent:
    /// a lost `sent` or `confirmed` finds the text already there and is confirmed then. The
    /// next `record` flushes it along with its own commit.
    fn progress<T>(&mut self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, JournalError> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let result = f(&self.conn);
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(result?)
    }

    /// Take a pending entry for sending: true when this caller has it (it was pending and is
    /// now sent); false when someone else took it, or it was discarded or superseded.
    pub fn claim(&mut self, id: i64) -> Result<bool, JournalError> {
        let n = self.progress(|c| {
            c.execute(
                "UPDATE entries SET state = 'sent', updated_at = ?2 WHERE id = ?1 AND state = 'pending'",
                params![id, now() as i64],
            )
        })?;
        Ok(n == 1)
    }

    /// Take an unconfirmed entry for sending again, pending or sent by a run that never wrote
    /// the answer down (resuming checks the store first, so sending it twice is safe); false
    /// when it is confirmed, failed, discarded or superseded.
    pub fn claim_any(&mut self, id: i64) -> Result<bool, JournalError> {
        let n = self.progress(|c| {
            c.execute(
                "UPDATE entries SET state = 'sent', updated_at = ?2 WHERE id = ?1 AND state IN ('pending', 'sent')",
                params![id, now() as i64],
            )
        })?;
        Ok(n == 1)
    }

    /// The store confirmed the change.
    pub fn confirm(&mut self, id: i64) -> Result<(), JournalError> {
        self.set(id, State::Confirmed, None)
    }

    /// The store refused the change, with its code and words.
    pub fn fail(&mut self, id: i64, code: &str, message: &str) -> Result<(), JournalError> {
        self.set(id, State::Failed, Some((code, message)))
    }

    /// The change did not reach the store (the connection failed): pending again, to be sent
    /// when the store answers. The reason is kept to show.
    pub fn requeue(&mut self, id: i64, code: &str, message: &str) -> Result<(), JournalError> {
        self.set(id, State::Pending, Some((code, message)))
    }

    /// Drop a change that was not confirmed; false when it was already confirmed (undo it
    /// instead) or is unknown.
    pub fn discard(&mut self, id: i64) -> Result<bool, JournalError> {
        let n = self.conn.execute(
            "UPDATE entries SET state = 'discarded', updated_at = ?2 WHERE id = ?1 AND state IN ('pending', 'sent', 'failed')",
            params![id, now() as i64],
        )?;
        Ok(n == 1)
    }

    fn set(&mut self, id: i64, state: State, error: Option<(&str, &str)>) -> Result<(), JournalError> {
        let (code, message) = error.unzip();
        let n = self.progress(|c| {
            c.execute(
                "UPDATE entries SET state = ?2, error_code = ?3, error_message = ?4, updated_at = ?5 WHERE id = ?1",
                params![id, state.as_str(), code, message, now() as i64],
            )
        })?;
        if n == 0 {
            return Err(JournalError::NoEntry(id));
        }
        Ok(())
    }

    /// Changes written down and not confirmed (pending, or sent with no answer written), in the
    /// order they were made.
    pub fn unconfirmed(&self) -> Result<Vec<Entry>, JournalError> {
        self.entries("WHERE state IN ('pending', 'sent') ORDER BY id", params![])
    }

    /// The latest `limit` entries, newest first.
    pub fn history(&self, limit: u32) -> Result<Vec<Entry>, JournalError> {
        self.entries("ORDER BY id DESC LIMIT ?1", params![limit])
    }

    /// One entry.
    pub fn entry(&self, id: i64) -> Result<Entry, JournalError> {
        self.entries("WHERE id = ?1", params![id])?.pop().ok_or(JournalError::NoEntry(id))
    }

    /// The newest confirmed change that is not an undo and has not been undone: what Ctrl+Z
    /// (or `mediadesk undo`) takes back, after a restart too.
    pub fn last_undoable(&self) -> Result<Option<Entry>, JournalError> {
        Ok(self
            .entries(
                "WHERE state = 'confirmed' AND undoes IS NULL AND change NOT LIKE '{\"kind\":\"delete\"%'
                   AND change NOT LIKE '{\"kind\":\"upload\"%'
                   AND NOT EXISTS (SELECT 1 FROM entries u WHERE u.undoes = entries.id AND u.state IN ('pending', 'sent', 'confirmed'))
                 ORDER BY id DESC LIMIT 1",
                params![],
            )?
            .pop())
    }

    /// The change of `product` that `undo` takes back (see `Change::takes_back`): the newest
    /// confirmed one that is neither an undo nor undone. An undo in the window is written down
    /// as its undo, so it is not offered again after a restart.
    pub fn undone_by(&self, product: &ProductId, undo: &Change) -> Result<Option<i64>, JournalError> {
        let found = self.entries(
            "WHERE product_id = ?1 AND state = 'confirmed' AND undoes IS NULL
               AND NOT EXISTS (SELECT 1 FROM entries u WHERE u.undoes = entries.id AND u.state IN ('pending', 'sent', 'confirmed'))
             ORDER BY id DESC LIMIT 20",
            params![product.0],
        )?;
        Ok(found.into_iter().find(|e| undo.takes_back(&e.change)).map(|e| e.id))
    }

    /// Write one change down (see `record_all`) and read it back as an entry.
    pub fn write_down(
        &mut self,
        product: &ProductId,
        title: &str,
        change: &Change,
        undoes: Option<i64>,
    ) -> Result<Entry, JournalError> {
        let id = self.record_all(&[(product.clone(), title.to_string(), change.clone())], undoes)?[0];
        self.entry(id)
    }

    fn entries(&self, tail: &str, args: impl rusqlite::Params) -> Result<Vec<Entry>, JournalError> {
        let sql = format!(
            "SELECT id, made_at, product_id, title, change, state, error_code, error_message, undoes, updated_at, batch
             FROM entries {tail}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args, |r| {
            let change: String = r.get(4)?;
            let code: Option<String> = r.get(6)?;
            let message: Option<String> = r.get(7)?;
            Ok((
                Entry {
                    id: r.get(0)?,
                    made_at: r.get::<_, i64>(1)? as u64,
                    product: ProductId(r.get(2)?),
                    title: r.get(3)?,
                    // Replaced below; a change this build cannot read is skipped, not fatal.
                    change: Change::Alt { media: MediaId(String::new()), alt: String::new(), base: String::new() },
                    state: State::from_str(&r.get::<_, String>(5)?),
                    error: code.zip(message),
                    undoes: r.get(8)?,
                    updated_at: r.get::<_, i64>(9)? as u64,
                    batch: r.get(10)?,
                },
                change,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut entry, change) = row?;
            match serde_json::from_str(&change) {
                Ok(c) => entry.change = c,
                Err(e) => {
                    tracing::warn!(id = entry.id, error = %e, "a journal entry this build cannot read was left out");
                    continue;
                }
            }
            out.push(entry);
        }
        Ok(out)
    }

    /// Whether the entry `id` exists and is in `state` (for callers that re-check).
    pub fn is(&self, id: i64, state: State) -> Result<bool, JournalError> {
        let found: Option<String> =
            self.conn.query_row("SELECT state FROM entries WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        Ok(found.is_some_and(|s| State::from_str(&s) == state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mediadesk-journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn alt(media: &str, alt: &str, base: &str) -> Change {
        Change::Alt { media: MediaId(media.into()), alt: alt.into(), base: base.into() }
    }

    #[test]
    fn an_entry_written_down_survives_reopening_and_moves_through_its_states() {
        let dir = scratch("states");
        let p = ProductId("gid://shopify/Product/1".into());
        let id = {
            let mut j = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
            let id = j.record(&p, "Alt text of mug.jpg", &alt("m1", "Blue mug", "")).unwrap();
            assert!(j.claim(id).unwrap());
            assert!(!j.claim(id).unwrap(), "an entry is sent once");
            id
        };
        // Reopened (the app was restarted while the request was out): it is still unconfirmed.
        let mut j = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
        let open = j.unconfirmed().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].id, open[0].state, open[0].title.as_str()), (id, State::Sent, "Alt text of mug.jpg"));
        assert_eq!(open[0].change, alt("m1", "Blue mug", ""));
        j.requeue(id, "NETWORK", "the connection dropped").unwrap();
        assert_eq!(j.entry(id).unwrap().state, State::Pending);
        assert!(j.claim(id).unwrap());
        j.confirm(id).unwrap();
        assert!(j.unconfirmed().unwrap().is_empty());
        assert!(!j.discard(id).unwrap(), "a confirmed change is undone, not discarded");
        assert_eq!(j.last_undoable().unwrap().unwrap().id, id);
        let failed = j.record(&p, "Alt text of cup.jpg", &alt("m2", "x", "")).unwrap();
        j.claim(failed).unwrap();
        j.fail(failed, "ALT_TOO_LONG", "over 512 characters").unwrap();
        let e = j.entry(failed).unwrap();
        assert_eq!(e.error, Some(("ALT_TOO_LONG".into(), "over 512 characters".into())));
        assert!(matches!(j.entry(999), Err(JournalError::NoEntry(999))));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_later_edit_of_the_same_media_supersedes_an_unsent_one_but_not_a_sent_one() {
        let dir = scratch("supersede");
        let mut j = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
        let p = ProductId("p".into());
        let first = j.record(&p, "a", &alt("m1", "Blue", "")).unwrap();
        let other = j.record(&p, "b", &alt("m2", "Red", "")).unwrap();
        let second = j.record(&p, "a", &alt("m1", "Blue mug", "Blue")).unwrap();
        assert_eq!(j.entry(first).unwrap().state, State::Superseded);
        // The store never saw "Blue": the later edit replaces what the first one replaced.
        assert_eq!(j.entry(second).unwrap().change, alt("m1", "Blue mug", ""));
        assert!(!j.claim(first).unwrap(), "a superseded edit is never sent");
        assert_eq!(j.unconfirmed().unwrap().iter().map(|e| e.id).collect::<Vec<_>>(), [other, second]);
        // Once sent, the next edit goes after it instead of replacing it.
        assert!(j.claim(second).unwrap());
        let third = j.record(&p, "a", &alt("m1", "Blue mug, 300 ml", "Blue mug")).unwrap();
        assert_eq!(j.entry(second).unwrap().state, State::Sent);
        assert_eq!(j.entry(third).unwrap().change, alt("m1", "Blue mug, 300 ml", "Blue mug"));
        // Reorders of one product supersede each other the same way.
        let order = |ids: &[&str]| ids.iter().map(|i| MediaId(i.to_string())).collect::<Vec<_>>();
        let r1 = j.record(&p, "o", &Change::Reorder { order: order(&["b", "a"]), base: order(&["a", "b"]) }).unwrap();
        let r2 = j.record(&p, "o", &Change::Reorder { order: order(&["c", "a"]), base: order(&["b", "a"]) }).unwrap();
        assert_eq!(j.entry(r1).unwrap().state, State::Superseded);
        assert_eq!(
            j.entry(r2).unwrap().change,
            Change::Reorder { order: order(&["c", "a"]), base: order(&["a", "b"]) }
        );
        assert_eq!(j.unconfirmed().unwrap().iter().map(|e| e.id).collect::<Vec<_>>(), [other, second, third, r2]);
        // History lists newest first.
        assert_eq!(j.history(3).unwrap().iter().map(|e| e.id).collect::<Vec<_>>(), [r2, r1, third]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_undone_change_is_not_undone_twice() {
        let dir = scratch("undo");
        let mut j = Journal::open(&dir, &StoreRef::Sandbox).unwrap();
        let p = ProductId("p".into());
        let first = j.record(&p, "a", &alt("m1", "One", "")).unwrap();
        let second = j.record(&p, "b", &alt("m2", "Two", "")).unwrap();
        for id in [first, second] {
            j.claim(id).unwrap();
            j.confirm(id).unwrap();
        }
        let undo = j.entry(second).unwrap().change.inverse().unwrap();
        assert_eq!(undo, alt("m2", "", "Two"));
        let u = j.record_all(&[(p.clone(), "Undo b".into(), undo)], Some(second)).unwrap()[0];
        assert_eq!(j.last_undoable().unwrap().unwrap().id, first, "the pending undo already covers the second");
        j.claim(u).unwrap();
        j.fail(u, "NETWORK", "no answer").unwrap();
        assert_eq!(j.last_undoable().unwrap().unwrap().id, second, "a failed undo leaves it undoable");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_journal_from_a_newer_mediadesk_is_refused_and_left_untouched() {
        let dir = scratch("newer");
        std::fs::create_dir_all(&dir).unwrap();
        let path = file_for(&dir, &StoreRef::Sandbox);
        {
            let mut j = Journal::open_file(&path).unwrap();
            j.record(&ProductId("p".into()), "a", &alt("m1", "Kept", "")).unwrap();
            j.conn.execute_batch("PRAGMA user_version = 7").unwrap();
        }
        let err = Journal::open_file(&path).err().expect("refused");
        let words = err.to_string();
        assert!(words.contains("newer mediadesk (journal version 7)") && words.contains("left as it is"), "{words}");
        // Nothing lost: the entry is still in the file.
        let conn = Connection::open(&path).unwrap();
        let kept: String = conn.query_row("SELECT change FROM entries", [], |r| r.get(0)).unwrap();
        assert!(kept.contains("Kept"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
