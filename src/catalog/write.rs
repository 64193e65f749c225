//! Writing a sync into the catalog: every product of one sync goes in one transaction, so a
//! cancelled, failed or crashed sync leaves the previous catalog as it was.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{Catalog, CatalogError};
use crate::model::{CatalogRow, Media, ProductMedia, ProductRecord};

/// Whether a sync saw every product of the store (and so may remove the ones it did not see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncKind {
    /// Every product: products the store no longer has are removed at the end.
    Full,
    /// Only products changed since the last sync.
    Changes,
}

/// What a finished sync changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncSummary {
    /// Full or changes only.
    pub kind: SyncKind,
    /// How the store was read.
    pub method: super::sync::Method,
    /// Something the user should know, e.g. that the bulk read fell back to pages.
    pub notice: Option<String>,
    /// Products written.
    pub products: u64,
    /// Media written.
    pub media: u64,
    /// Products removed because the store no longer has them (full syncs only).
    pub removed: u64,
}

/// A sync being written: dropped without `finish`, it leaves the catalog untouched.
pub struct SyncWriter<'c> {
    // Dropped first: rolled back (unless finished) before checkpoints are let run again.
    tx: Transaction<'c>,
    held: CheckpointsHeld<'c>,
    path: &'c std::path::Path,
    checkpoint: &'c mut Option<std::thread::JoinHandle<()>>,
    generation: i64,
    kind: SyncKind,
    products: u64,
    media: u64,
    /// Rows of a whole-catalog read are waiting in the temporary table.
    staging: bool,
    /// A full sync's media and variants go straight into their tables as they come (see
    /// `stage`); a sync of changes stages them, so a product whose own row never comes keeps
    /// what the catalog had of it.
    direct: bool,
    /// The arrival order of media and variants: their `position` (or staged `seq`).
    arrived: i64,
    /// What the rows say about each product they belong to, tallied as they come.
    parents: HashMap<String, Parent>,
}

/// Keeps a commit from copying the write-ahead log into the file while a sync writes: a sync's
/// commit would otherwise do it then and there (0.1 s of the 0.6 s a 10,000-product sync takes
/// to write). On again when dropped, committed or not.
struct CheckpointsHeld<'c>(&'c rusqlite::Connection);

impl Drop for CheckpointsHeld<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.pragma_update(None, "wal_autocheckpoint", super::AUTOCHECKPOINT) {
            tracing::warn!(error = %e, "the catalog's automatic checkpoints could not be turned on again");
        }
    }
}

/// Rows a sync writes above which its log is copied beside the work that follows it; below,
/// the next commit's automatic checkpoint does it.
const BIG_SYNC: u64 = 2_000;

/// A product as a whole-catalog read's rows have shown it so far (either kind of sync): its
/// badge and searched alt texts are written from this, not gathered again from the tables.
#[derive(Default)]
struct Parent {
    /// Its own row came.
    seen: bool,
    /// Media written for it.
    media: i64,
    /// Of those, media with no alt text.
    missing_alt: i64,
    /// The first media's preview.
    preview: Option<String>,
    /// Its media's alt texts, the empty ones left out, one per line (as `index` writes them).
    alts: String,
}

impl Catalog {
    /// Start writing a sync. Readers keep seeing the previous catalog until it finishes.
    pub fn begin_sync(&mut self, kind: SyncKind) -> Result<SyncWriter<'_>, CatalogError> {
        // The last sync's copy is done first: two at a time would only wait for each other.
        self.settle();
        let conn = &self.conn;
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let held = CheckpointsHeld(conn);
        // Not `transaction_with_behavior`, which borrows the connection mutably: `held` needs it
        // too. One writer at a time is still so: this borrows the catalog mutably.
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let last: Option<String> =
            tx.query_row("SELECT value FROM sync_state WHERE key = 'generation'", [], |r| r.get(0)).optional()?;
        let generation = last.and_then(|g| g.parse::<i64>().ok()).unwrap_or(0) + 1;
        Ok(SyncWriter {
            tx,
            held,
            path: &self.path,
            checkpoint: &mut self.checkpoint,
            generation,
            kind,
            products: 0,
            media: 0,
            staging: false,
            direct: false,
            arrived: 0,
            parents: HashMap::new(),
        })
    }
}

impl Catalog {
    /// Keep what the store just said about one product's media (read when it was opened, or
    /// after an edit), outside any sync: the catalog follows the window's edits at once. A
    /// product the catalog does not hold yet waits for the next sync; false then.
    pub fn keep_media(&mut self, pm: &ProductMedia) -> Result<bool, CatalogError> {
        let mut writer = self.begin_sync(SyncKind::Changes)?;
        writer.put_media(pm)?;
        let kept = writer.products > 0;
        writer.tx.commit()?;
        Ok(kept)
    }
}

impl SyncWriter<'_> {
    /// Write one product with its media and variants, replacing what the catalog had of it.
    pub fn put(&mut self, p: &ProductRecord) -> Result<(), CatalogError> {
        let (missing_alt, preview) = media_facts(&p.media);
        // Its search row goes first: its key follows the title, which this may change.
        self.unindex(&p.id.0)?;
        let key: i64 = self
            .tx
            .prepare_cached(
                "INSERT INTO products (id, title, handle, vendor, product_type, status, tags, updated_at, media_count,
                                       missing_alt, preview_url, seen_in_sync)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT(id) DO UPDATE SET title = excluded.title, handle = excluded.handle,
                     vendor = excluded.vendor, product_type = excluded.product_type, status = excluded.status,
                     tags = excluded.tags, updated_at = excluded.updated_at, media_count = excluded.media_count,
                     missing_alt = excluded.missing_alt, preview_url = excluded.preview_url,
                     seen_in_sync = excluded.seen_in_sync
                 RETURNING rowid",
            )?
            .query_row(
                params![
                    p.id.0,
                    p.title,
                    p.handle,
                    p.vendor,
                    p.product_type,
                    p.status,
                    p.tags.join("\n"),
                    p.updated_at,
                    p.media.len() as i64,
                    missing_alt,
                    preview,
                    self.generation
                ],
                |r| r.get::<_, i64>(0),
            )
            .and_then(|rowid| {
                self.tx
                    .prepare_cached("UPDATE products SET search_key = title_key(title, rowid) WHERE rowid = ?1 RETURNING search_key")?
                    .query_row([rowid], |r| r.get(0))
            })?;
        self.replace_media(&p.id.0, &p.media)?;
        self.tx.prepare_cached("DELETE FROM variants WHERE product_id = ?1")?.execute([&p.id.0])?;
        let mut variants = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO variants (product_id, id, title, options, media, position, own_image)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (position, v) in p.variants.iter().enumerate() {
            let (options, shown, own) = variant_columns(v);
            variants.execute(params![p.id.0, v.id, v.title, options, shown, position as i64, own])?;
        }
        let words = SearchWords {
            title: &p.title,
            handle: &p.handle,
            vendor: p.vendor.as_deref().unwrap_or(""),
            product_type: p.product_type.as_deref().unwrap_or(""),
            tags: &p.tags.join(" "),
        };
        self.index(key, &words, &p.media)?;
        self.products += 1;
        self.media += p.media.len() as u64;
        Ok(())
    }

    /// Take a product's row out of the search index (nothing when the catalog lacks it).
    fn unindex(&self, product: &str) -> Result<(), CatalogError> {
        self.tx
            .prepare_cached("DELETE FROM product_search WHERE rowid = (SELECT search_key FROM products WHERE id = ?1)")?
            .execute([product])?;
        Ok(())
    }

    /// Replace a known product's media (its own fields stay as the last sync saw them); a
    /// product the catalog does not hold is left for the next full sync.
    pub fn put_media(&mut self, pm: &ProductMedia) -> Result<(), CatalogError> {
        let (missing_alt, preview) = media_facts(&pm.media);
        self.unindex(&pm.id.0)?;
        let known = self
            .tx
            .prepare_cached(
                "UPDATE products SET title = ?2, media_count = ?3, missing_alt = ?4, preview_url = ?5,
                                     search_key = title_key(?2, rowid)
                 WHERE id = ?1
                 RETURNING search_key, handle, coalesce(vendor, ''), coalesce(product_type, ''), tags",
            )?
            .query_row(params![pm.id.0, pm.title, pm.media.len() as i64, missing_alt, preview], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .optional()?;
        let Some((key, handle, vendor, product_type, tags)) = known else { return Ok(()) };
        self.replace_media(&pm.id.0, &pm.media)?;
        let tags = tags.replace('\n', " ");
        let words = SearchWords {
            title: &pm.title,
            handle: &handle,
            vendor: &vendor,
            product_type: &product_type,
            tags: &tags,
        };
        self.index(key, &words, &pm.media)?;
        self.products += 1;
        self.media += pm.media.len() as u64;
        Ok(())
    }

    /// A product's media rows, replaced by `media` in this order.
    fn replace_media(&self, product: &str, media: &[Media]) -> Result<(), CatalogError> {
        self.tx.prepare_cached("DELETE FROM media WHERE product_id = ?1")?.execute([product])?;
        let mut insert = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO media (product_id, id, position, kind, alt, status, preview_url, filename, width,
                                           height, size_bytes, mime_type, errors, external_url, alt_translated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for (i, m) in media.iter().enumerate() {
            insert.execute(params![
                product,
                m.id.0,
                i as i64,
                m.kind.as_str(),
                m.alt,
                m.status.as_str(),
                m.preview_url,
                m.filename,
                m.width,
                m.height,
                m.size_bytes.map(|b| b as i64),
                m.mime_type,
                m.errors.join("\n"),
                m.external_url,
                (!m.alt_translated.is_empty()).then(|| serde_json::to_string(&m.alt_translated).unwrap_or_default()),
            ])?;
        }
        Ok(())
    }

    /// The product's row in the search index, under its key (after `unindex`).
    fn index(&self, key: i64, words: &SearchWords<'_>, media: &[Media]) -> Result<(), CatalogError> {
        let mut alts = String::new();
        for m in media {
            add_alt(&mut alts, &m.alt);
        }
        self.tx
            .prepare_cached(
                "INSERT INTO product_search (rowid, title, handle, vendor, product_type, tags, alts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![key, words.title, words.handle, words.vendor, words.product_type, words.tags, alts])?;
        Ok(())
    }

    /// Keep rows of a whole-catalog read until every row is in (`put_staged`): rows come in any
    /// order, children apart from their parents. Products wait in a temporary table. On a full
    /// sync media and variants are written to their tables at once, in arrival order (their
    /// position; readers number them from it), instead of waiting and being copied (copying
    /// 400,000 media took 0.8 s). A sync of changes stages them too, as it must leave a product
    /// whose own row never comes as it was. Rows come in batches, so each statement is looked up
    /// once a batch, not once a row.
    pub fn stage(&mut self, rows: &[CatalogRow]) -> Result<(), CatalogError> {
        if !self.staging {
            self.tx.execute_batch(STAGING)?;
            if self.kind == SyncKind::Full {
                // Every product's rows come again. The media's indexes are built after them: one
                // sort each instead of 400,000 inserts (0.4 s of 1.4 s for the one by id), and less
                // to commit; the media themselves are appended.
                self.tx.execute_batch(
                    "DELETE FROM media; DELETE FROM variants;
                     DROP INDEX IF EXISTS media_by_id; DROP INDEX IF EXISTS media_of_product;",
                )?;
                self.direct = true;
            }
            self.staging = true;
        }
        // `position` orders a product's rows: the staged tables' `seq` plays that part there.
        let (media_table, variant_table, owner, order) = if self.direct {
            ("media", "variants", "product_id", "position")
        } else {
            ("temp.staged_media", "temp.staged_variants", "product", "seq")
        };
        let mut products = self.tx.prepare_cached(
            "INSERT INTO temp.staged_products (id, title, handle, vendor, product_type, status, tags, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut media = self.tx.prepare_cached(&format!(
            "INSERT OR REPLACE INTO {media_table} ({owner}, id, {order}, kind, alt, status, preview_url, filename, width,
                                                  height, size_bytes, mime_type, errors, external_url)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        ))?;
        let mut variants = self.tx.prepare_cached(&format!(
            "INSERT OR REPLACE INTO {variant_table} ({owner}, id, title, options, media, {order}, own_image)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        ))?;
        for row in rows {
            self.arrived += 1;
            match row {
                CatalogRow::Product(p) => {
                    products.execute(params![
                        p.id.0,
                        p.title,
                        p.handle,
                        p.vendor,
                        p.product_type,
                        p.status,
                        p.tags.join("\n"),
                        p.updated_at
                    ])?;
                    note(&mut self.parents, &p.id.0, |parent| parent.seen = true);
                }
                CatalogRow::Media { product, media: m } => {
                    media.execute(params![
                        product.0,
                        m.id.0,
                        self.arrived,
                        m.kind.as_str(),
                        m.alt,
                        m.status.as_str(),
                        m.preview_url,
                        m.filename,
                        m.width,
                        m.height,
                        m.size_bytes.map(|b| b as i64),
                        m.mime_type,
                        m.errors.join("\n"),
                        m.external_url,
                    ])?;
                    note(&mut self.parents, &product.0, |parent| {
                        if parent.media == 0 {
                            parent.preview.clone_from(&m.preview_url);
                        }
                        parent.media += 1;
                        parent.missing_alt += i64::from(lacks_alt(m));
                        add_alt(&mut parent.alts, &m.alt);
                    });
                }
                CatalogRow::Variant { product, variant: v } => {
                    let (options, shown, own) = variant_columns(v);
                    variants.execute(params![product.0, v.id, v.title, options, shown, self.arrived, own])?;
                    note(&mut self.parents, &product.0, |_| ());
                }
            }
        }
        Ok(())
    }

    /// Join the staged rows: each product with its media (in the order they came) and variants,
    /// written in a few set-wise statements (row by row through Rust was four times slower).
    /// Media and variants whose product never came are left out.
    pub fn put_staged(&mut self) -> Result<(), CatalogError> {
        if !self.staging {
            return Ok(());
        }
        let tx = &self.tx;
        // The products' badges and searched alt texts, as their media came.
        let mut facts = tx.prepare_cached(
            "INSERT INTO temp.staged_facts (product, n, missing, preview, alts) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut media = 0;
        let mut orphans = Vec::new();
        for (id, parent) in &self.parents {
            if parent.seen {
                facts.execute(params![id, parent.media, parent.missing_alt, parent.preview, parent.alts])?;
                media += parent.media as usize;
            } else if self.direct {
                orphans.push(id);
            }
        }
        if self.direct {
            // Dropped when the first row came (see `stage`).
            make_media_of_product(tx)?;
            tx.execute_batch(super::schema::MEDIA_BY_ID)?;
            // Children whose product never came: a full sync leaves them out.
            for id in orphans {
                for child in ["media", "variants"] {
                    tx.prepare_cached(&format!("DELETE FROM {child} WHERE product_id = ?1"))?.execute([id])?;
                }
            }
        } else {
            tx.execute_batch(
                "DELETE FROM media WHERE product_id IN (SELECT id FROM temp.staged_products);
                 DELETE FROM variants WHERE product_id IN (SELECT id FROM temp.staged_products);",
            )?;
        }
        // The search rows go first: their keys follow the titles, which this may change.
        tx.execute_batch(
            "DELETE FROM product_search WHERE rowid IN
                 (SELECT search_key FROM products WHERE id IN (SELECT id FROM temp.staged_products));",
        )?;
        // A new product's rowid is given here, after the highest the catalog holds, so its search
        // key (which holds the rowid) is written with it: a second pass to set the keys was a
        // tenth of a sync's writing. Products the catalog holds keep their rowid.
        tx.execute(
            "WITH fresh AS (
                 SELECT sp.seq, (SELECT coalesce(max(rowid), 0) FROM products) + row_number() OVER (ORDER BY sp.seq)
                        AS rowid
                 FROM temp.staged_products sp
                 WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = sp.id))
             INSERT INTO products (rowid, id, title, handle, vendor, product_type, status, tags, updated_at,
                                   media_count, missing_alt, preview_url, seen_in_sync, search_key)
             SELECT n.rowid, sp.id, sp.title, sp.handle, sp.vendor, sp.product_type, sp.status, sp.tags,
                    sp.updated_at, coalesce(f.n, 0), coalesce(f.missing, 0), f.preview, ?1,
                    CASE WHEN n.rowid IS NOT NULL THEN title_key(sp.title, n.rowid) END
             FROM temp.staged_products sp
             LEFT JOIN fresh n ON n.seq = sp.seq
             LEFT JOIN temp.staged_facts f ON f.product = sp.id
             WHERE true
             ON CONFLICT(id) DO UPDATE SET title = excluded.title, handle = excluded.handle, vendor = excluded.vendor,
                 product_type = excluded.product_type, status = excluded.status, tags = excluded.tags,
                 updated_at = excluded.updated_at, media_count = excluded.media_count,
                 missing_alt = excluded.missing_alt, preview_url = excluded.preview_url,
                 seen_in_sync = excluded.seen_in_sync, search_key = title_key(excluded.title, products.rowid)",
            [self.generation],
        )?;
        if !self.direct {
            tx.execute(
                "INSERT OR REPLACE INTO media (product_id, id, position, kind, alt, status, preview_url, filename, width,
                                               height, size_bytes, mime_type, errors, external_url)
                 SELECT product, id, seq, kind, alt, status, preview_url, filename, width, height, size_bytes,
                        mime_type, errors, external_url
                 FROM temp.staged_media WHERE product IN (SELECT id FROM temp.staged_products)",
                [],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO variants (product_id, id, title, options, media, position, own_image)
                 SELECT product, id, title, options, media, seq, own_image
                 FROM temp.staged_variants
                 WHERE product IN (SELECT id FROM temp.staged_products)",
                [],
            )?;
        }
        tx.execute_batch(
            "INSERT INTO product_search (rowid, title, handle, vendor, product_type, tags, alts)
             SELECT p.search_key, p.title, p.handle, coalesce(p.vendor, ''), coalesce(p.product_type, ''),
                    replace(p.tags, char(10), ' '), coalesce(f.alts, '')
             FROM products p LEFT JOIN temp.staged_facts f ON f.product = p.id
             WHERE p.id IN (SELECT id FROM temp.staged_products)
             -- In key order: FTS5 writes its pending terms to disk whenever a key comes in below
             -- the one before it (out of key order the index took about twice as long).
             ORDER BY p.search_key;",
        )?;
        let products: i64 = tx.query_row("SELECT count(DISTINCT id) FROM temp.staged_products", [], |r| r.get(0))?;
        tx.execute_batch(
            "DELETE FROM temp.staged_products; DELETE FROM temp.staged_media; DELETE FROM temp.staged_variants;
             DELETE FROM temp.staged_facts;",
        )?;
        self.products += products as u64;
        self.media += media as u64;
        self.parents.clear();
        Ok(())
    }

    /// Products written so far.
    pub fn written(&self) -> u64 {
        self.products
    }

    /// Make the sync the catalog: a full sync removes the products it did not see; the time and
    /// kind are recorded. Until this returns, readers see the previous catalog.
    /// `started` is when the sync began (seconds since the epoch): the next sync of changes
    /// starts from there.
    pub fn finish(self, started: u64) -> Result<SyncSummary, CatalogError> {
        let tx = self.tx;
        let mut removed = 0;
        if self.kind == SyncKind::Full {
            // A product's media and variants go with it (the catalog has no foreign keys to do it).
            tx.execute(
                "DELETE FROM product_search WHERE rowid IN (SELECT search_key FROM products WHERE seen_in_sync < ?1)",
                [self.generation],
            )?;
            for child in ["media", "variants"] {
                tx.execute(
                    &format!(
                        "DELETE FROM {child} WHERE product_id IN (SELECT id FROM products WHERE seen_in_sync < ?1)"
                    ),
                    [self.generation],
                )?;
            }
            removed = tx.execute("DELETE FROM products WHERE seen_in_sync < ?1", [self.generation])? as u64;
        }
        let now = crate::time::unix(std::time::SystemTime::now());
        let mut state = vec![
            ("generation", self.generation.to_string()),
            ("last_sync", now.to_string()),
            ("last_sync_started", started.to_string()),
        ];
        if self.kind == SyncKind::Full {
            state.push(("last_full_sync", now.to_string()));
        }
        for (key, value) in state {
            tx.execute("INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)", params![key, value])?;
        }
        tx.commit()?;
        drop(self.held);
        if self.products + self.media > BIG_SYNC {
            *self.checkpoint = super::checkpoint_beside(self.path.to_path_buf());
        }
        Ok(SyncSummary {
            kind: self.kind,
            method: super::sync::Method::Paged,
            notice: None,
            products: self.products,
            media: self.media,
            removed,
        })
    }
}

/// Make the index of media by product again after a full sync appended its media. A product's
/// media written twice by the store's answer (not seen from Shopify, but nothing promises it) is
/// kept once, as its later row: what writing it twice under the index would have left.
fn make_media_of_product(tx: &Transaction<'_>) -> Result<(), CatalogError> {
    match tx.execute_batch(super::schema::MEDIA_OF_PRODUCT) {
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            tracing::warn!("the store's answer held a media twice: its later row is kept");
            tx.execute_batch(
                "DELETE FROM media WHERE rowid NOT IN (SELECT max(rowid) FROM media GROUP BY product_id, id);",
            )?;
            tx.execute_batch(super::schema::MEDIA_OF_PRODUCT)?;
            Ok(())
        }
        other => Ok(other?),
    }
}

/// The temporary tables a whole-catalog read waits in until every row is in.
const STAGING: &str = "
    CREATE TEMP TABLE IF NOT EXISTS staged_products (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, title TEXT NOT NULL,
        handle TEXT NOT NULL, vendor TEXT, product_type TEXT, status TEXT, tags TEXT NOT NULL, updated_at TEXT);
    CREATE INDEX IF NOT EXISTS temp.staged_products_by_id ON staged_products (id);
    CREATE TEMP TABLE IF NOT EXISTS staged_media (seq INTEGER PRIMARY KEY, product TEXT NOT NULL, id TEXT NOT NULL,
        kind TEXT NOT NULL, alt TEXT NOT NULL, status TEXT NOT NULL, preview_url TEXT, filename TEXT, width INTEGER,
        height INTEGER, size_bytes INTEGER, mime_type TEXT, errors TEXT NOT NULL, external_url TEXT);
    CREATE TEMP TABLE IF NOT EXISTS staged_variants (seq INTEGER PRIMARY KEY, product TEXT NOT NULL, id TEXT NOT NULL,
        title TEXT NOT NULL, options TEXT NOT NULL, media TEXT NOT NULL, own_image TEXT);
    CREATE TEMP TABLE IF NOT EXISTS staged_facts (product TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL,
        missing INTEGER NOT NULL, preview TEXT, alts TEXT NOT NULL) WITHOUT ROWID;
    DELETE FROM temp.staged_products;
    DELETE FROM temp.staged_media;
    DELETE FROM temp.staged_variants;
    DELETE FROM temp.staged_facts;
";

/// The words of a product that search matches, besides its alt texts.
struct SearchWords<'a> {
    title: &'a str,
    handle: &'a str,
    vendor: &'a str,
    product_type: &'a str,
    tags: &'a str,
}

/// A variant's JSON columns as the catalog stores them: its options, the media it shows, and
/// its own picture if it has one.
fn variant_columns(v: &crate::model::Variant) -> (String, String, Option<String>) {
    (
        serde_json::to_string(&v.options).unwrap_or_else(|_| "[]".into()),
        serde_json::to_string(&v.media).unwrap_or_else(|_| "[]".into()),
        v.own_image.as_ref().and_then(|i| serde_json::to_string(i).ok()),
    )
}

/// Add what a row says to its product's entry (its id copied once a product, not once a row).
fn note(parents: &mut HashMap<String, Parent>, id: &str, add: impl FnOnce(&mut Parent)) {
    match parents.get_mut(id) {
        Some(parent) => add(parent),
        None => add(parents.entry(id.to_string()).or_default()),
    }
}

/// Add a media's alt text to a product's searched ones (one per line), unless it is empty.
fn add_alt(alts: &mut String, alt: &str) {
    if alt.is_empty() {
        return;
    }
    if !alts.is_empty() {
        alts.push('\n');
    }
    alts.push_str(alt);
}

/// Whether a media counts as missing its alt text in a product's badge.
fn lacks_alt(m: &Media) -> bool {
    m.alt.trim().is_empty()
}

/// How many of these media have no alt text, and the first one's preview.
fn media_facts(media: &[Media]) -> (i64, Option<String>) {
    (media.iter().filter(|m| lacks_alt(m)).count() as i64, media.first().and_then(|m| m.preview_url.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MediaId, ProductId};

    /// A new catalog (`c.sqlite3`) in an empty folder of its own, for one test.
    fn scratch(name: &str) -> (std::path::PathBuf, Catalog) {
        let dir = std::env::temp_dir().join(format!("mediadesk-write-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (c, _) = Catalog::open_file(&dir.join("c.sqlite3"), "test").unwrap();
        (dir, c)
    }

    fn rows(product: &str, media: &[&str]) -> Vec<CatalogRow> {
        let id = ProductId(product.into());
        let mut rows: Vec<CatalogRow> =
            media.iter().map(|m| CatalogRow::Media { product: id.clone(), media: Media::test_image(m, "") }).collect();
        rows.push(CatalogRow::Product(ProductRecord {
            id,
            title: product.into(),
            handle: String::new(),
            vendor: None,
            product_type: None,
            status: None,
            tags: Vec::new(),
            updated_at: None,
            media: Vec::new(),
            variants: Vec::new(),
        }));
        rows
    }

    fn lookup_plan(c: &Catalog) -> String {
        c.conn
            .query_row("EXPLAIN QUERY PLAN SELECT product_id FROM media WHERE id = 'm2'", [], |r| r.get::<_, String>(3))
            .unwrap()
    }

    #[test]
    fn a_full_sync_builds_the_media_id_index_again_and_a_dropped_one_keeps_it() {
        let (dir, mut c) = scratch("index");
        for (kind, finish) in [(SyncKind::Full, true), (SyncKind::Full, false), (SyncKind::Changes, true)] {
            let mut w = c.begin_sync(kind).unwrap();
            w.stage(&rows("p1", &["m1", "m2"])).unwrap();
            w.stage(&rows("p2", &["m3"])).unwrap();
            w.put_staged().unwrap();
            if finish {
                w.finish(0).unwrap();
            } else {
                drop(w);
            }
            // Whether written, rolled back or a sync of changes: media are found by id through it,
            // and by product through theirs.
            assert!(lookup_plan(&c).contains("media_by_id"), "{kind:?}, {finish}: {}", lookup_plan(&c));
            let by_product: String = c
                .conn
                .query_row("EXPLAIN QUERY PLAN SELECT id FROM media WHERE product_id = 'p1'", [], |r| r.get(3))
                .unwrap();
            assert!(by_product.contains("media_of_product"), "{kind:?}, {finish}: {by_product}");
            let owner: String =
                c.conn.query_row("SELECT product_id FROM media WHERE id = 'm2'", [], |r| r.get(0)).unwrap();
            assert_eq!(owner, "p1");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn media_row(product: &str, media: &str, alt: &str) -> CatalogRow {
        let mut m = Media::test_image(media, alt);
        m.preview_url = Some(format!("https://cdn.example/{media}.jpg"));
        CatalogRow::Media { product: ProductId(product.into()), media: m }
    }

    fn variant_row(product: &str, variant: &str) -> CatalogRow {
        let variant = crate::model::Variant {
            id: variant.into(),
            title: variant.into(),
            options: Vec::new(),
            media: Vec::new(),
            own_image: None,
        };
        CatalogRow::Variant { product: ProductId(product.into()), variant }
    }

    fn shown(c: &Catalog, product: &str) -> Option<Vec<(String, u32)>> {
        let pm = c.product_media(&ProductId(product.into())).unwrap()?;
        Some(pm.media.into_iter().map(|m| (m.id.0, m.position)).collect())
    }

    fn sync(c: &mut Catalog, kind: SyncKind, rows: &[CatalogRow]) -> SyncSummary {
        let mut w = c.begin_sync(kind).unwrap();
        // Split across batches, as the bulk reader hands them over.
        for batch in rows.chunks(3) {
            w.stage(batch).unwrap();
        }
        w.put_staged().unwrap();
        w.finish(0).unwrap()
    }

    #[test]
    fn a_full_sync_keeps_children_in_the_order_they_came_and_drops_those_of_no_product() {
        let (dir, mut c) = scratch("children");
        let mut first = rows("p1", &["m1", "m2"]);
        first.extend(rows("p2", &["m3"]));
        first.push(variant_row("p2", "v3"));
        sync(&mut c, SyncKind::Full, &first);
        assert_eq!(shown(&c, "p2"), Some(vec![("m3".into(), 0)]));

        // Children interleaved and before their products; p2 is gone from the store; p9's media
        // and variant come but p9 itself never does.
        let second = vec![
            media_row("p1", "m2", "Linen shirt, front"),
            media_row("p9", "m9", "Orphan"),
            media_row("p3", "m4", ""),
            variant_row("p9", "v9"),
            media_row("p1", "m1", ""),
            variant_row("p1", "v1"),
            rows("p3", &[]).remove(0),
            rows("p1", &[]).remove(0),
        ];
        let summary = sync(&mut c, SyncKind::Full, &second);
        assert_eq!((summary.products, summary.media, summary.removed), (2, 3, 1));
        // Numbered from 0 in the order they came.
        assert_eq!(shown(&c, "p1"), Some(vec![("m2".into(), 0), ("m1".into(), 1)]));
        assert_eq!(shown(&c, "p3"), Some(vec![("m4".into(), 0)]));
        assert_eq!(shown(&c, "p2"), None);
        assert_eq!(shown(&c, "p9"), None);
        // The removed product's and the orphan's rows are gone, not left behind for lookups.
        let gone = [MediaId("m3".into()), MediaId("m9".into())];
        assert!(c.products_holding(&gone).unwrap().is_empty());
        let counts = c.counts().unwrap();
        assert_eq!((counts.products, counts.media, counts.variants), (2, 3, 1));
        let variants: Vec<String> = c.variants(&ProductId("p1".into())).unwrap().into_iter().map(|v| v.id).collect();
        assert_eq!(variants, ["v1"]);
        // The product's badge: its media, those lacking alt text, the first one's preview.
        let hit = c.search("p1", 5).unwrap().into_iter().find(|h| h.id.0 == "p1").unwrap();
        assert_eq!(
            (hit.media_count, hit.missing_alt, hit.preview_url.as_deref()),
            (2, 1, Some("https://cdn.example/m2.jpg"))
        );

        // A sync of changes where p1's media come but p1 itself does not: p1 keeps what it had.
        let changes = vec![media_row("p1", "m5", ""), media_row("p3", "m6", "Tote"), rows("p3", &[]).remove(0)];
        let summary = sync(&mut c, SyncKind::Changes, &changes);
        assert_eq!((summary.products, summary.media), (1, 1));
        assert_eq!(shown(&c, "p1"), Some(vec![("m2".into(), 0), ("m1".into(), 1)]));
        assert_eq!(shown(&c, "p3"), Some(vec![("m6".into(), 0)]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn titled(product: &str, title: &str) -> CatalogRow {
        let mut row = rows(product, &[]).remove(0);
        if let CatalogRow::Product(p) = &mut row {
            p.title = title.into();
        }
        row
    }

    /// Each product's rowid and search key, checking the key is the one its title and rowid give
    /// and that the search index holds a row under it.
    fn keys(c: &Catalog) -> HashMap<String, i64> {
        let mut stmt = c.conn.prepare("SELECT id, title, rowid, search_key FROM products").unwrap();
        let found: Vec<(String, String, i64, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let indexed: i64 = c
            .conn
            .query_row("SELECT count(*) FROM product_search s JOIN products p ON p.search_key = s.rowid", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(indexed as usize, found.len(), "one search row per product, under its key");
        found
            .into_iter()
            .map(|(id, title, rowid, key)| {
                assert_eq!(key, super::super::schema::title_key(&title, rowid), "{id}'s key");
                (id, rowid)
            })
            .collect()
    }

    fn found(c: &Catalog, text: &str) -> Vec<String> {
        c.search(text, 10).unwrap().into_iter().map(|h| h.id.0).collect()
    }

    #[test]
    fn new_products_get_their_search_keys_as_they_are_written_and_kept_ones_follow_their_titles() {
        let (dir, mut c) = scratch("keys");
        sync(&mut c, SyncKind::Full, &[media_row("p1", "m1", "Stoneware"), titled("p1", "Mug"), titled("p2", "Apron")]);
        let before = keys(&c);
        assert_eq!(found(&c, "stonew"), ["p1"], "alt texts are searched");

        // p1 renamed, p3 new (its row twice: the later one counts), p2 untouched.
        // p1's alt text edited, and a second media with none.
        let changes = [
            titled("p3", "Bowl"),
            media_row("p1", "m1", "Porcelain"),
            media_row("p1", "m2", ""),
            titled("p1", "Zebra mug"),
            titled("p3", "Big bowl"),
        ];
        let summary = sync(&mut c, SyncKind::Changes, &changes);
        assert_eq!(summary.products, 2);
        assert!(found(&c, "stonew").is_empty(), "the old alt text is no longer found");
        assert_eq!(found(&c, "porc"), ["p1"]);
        let after = keys(&c);
        assert_eq!((after["p1"], after["p2"]), (before["p1"], before["p2"]), "kept products keep their rowid");
        assert!(after["p3"] > before["p1"].max(before["p2"]));
        assert_eq!(found(&c, "zebra"), ["p1"]);
        assert_eq!(found(&c, "mug"), ["p1"]);
        assert_eq!(found(&c, "bowl"), ["p3"]);
        assert!(found(&c, "apron").contains(&"p2".to_string()));
        // Listed by title: Apron, Big bowl, Zebra mug.
        assert_eq!(found(&c, ""), ["p2", "p3", "p1"]);

        // A full sync that drops p2 and brings p4: numbered after the highest rowid held.
        sync(&mut c, SyncKind::Full, &[titled("p4", "Candle"), titled("p1", "Zebra mug"), titled("p3", "Big bowl")]);
        let last = keys(&c);
        assert_eq!(last.len(), 3);
        assert_eq!((last["p1"], last["p3"]), (after["p1"], after["p3"]));
        assert!(last["p4"] > after["p3"]);
        assert_eq!(found(&c, "cand"), ["p4"]);
        assert!(found(&c, "apron").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_media_the_store_lists_twice_is_kept_once_as_its_later_row() {
        let (dir, mut c) = scratch("twice");
        let rows = [
            media_row("p1", "m1", "First take"),
            media_row("p1", "m2", "Back"),
            media_row("p1", "m1", "Second take"),
            titled("p1", "Mug"),
        ];
        sync(&mut c, SyncKind::Full, &rows);
        assert_eq!(shown(&c, "p1"), Some(vec![("m2".into(), 0), ("m1".into(), 1)]));
        let alt: String = c.conn.query_row("SELECT alt FROM media WHERE id = 'm1'", [], |r| r.get(0)).unwrap();
        assert_eq!(alt, "Second take");
        // And the index that keeps it so is back for the writes that follow.
        sync(&mut c, SyncKind::Changes, &[media_row("p1", "m1", "Third take"), titled("p1", "Mug")]);
        assert_eq!(shown(&c, "p1"), Some(vec![("m1".into(), 0)]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn autocheckpoint(c: &Catalog) -> i64 {
        c.conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_big_sync_copies_its_log_into_the_file_beside_what_follows_and_checkpoints_go_on_after_any_sync() {
        let (dir, mut c) = scratch("checkpoint");
        let path = dir.join("c.sqlite3");
        let before = std::fs::metadata(&path).unwrap().len();
        let mut rows = Vec::new();
        for p in 0..300 {
            let media: Vec<String> = (0..8).map(|m| format!("m{p}-{m}")).collect();
            rows.extend(self::rows(&format!("p{p}"), &media.iter().map(String::as_str).collect::<Vec<_>>()));
        }
        // Dropped: nothing written, and automatic checkpoints are on again.
        let mut w = c.begin_sync(SyncKind::Full).unwrap();
        w.stage(&rows).unwrap();
        drop(w);
        assert_eq!(autocheckpoint(&c), super::super::AUTOCHECKPOINT);
        assert!(c.checkpoint.is_none());
        let summary = sync(&mut c, SyncKind::Full, &rows);
        assert_eq!((summary.products, summary.media), (300, 2_400));
        assert_eq!(autocheckpoint(&c), super::super::AUTOCHECKPOINT);
        assert!(c.checkpoint.is_some(), "a big sync's log is copied beside what follows");
        c.settle();
        // The rows' pages are in the file itself now, not only in the log.
        let after = std::fs::metadata(&path).unwrap().len();
        assert!(after > before + 4 * 65_536, "{before} -> {after}");
        assert_eq!(c.counts().unwrap().media, 2_400);
        // A small one leaves it to the next commit.
        sync(&mut c, SyncKind::Changes, &rows[..9]);
        assert!(c.checkpoint.is_none());
        assert_eq!(autocheckpoint(&c), super::super::AUTOCHECKPOINT);
        drop(c);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
