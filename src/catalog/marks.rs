//! What the store-wide audit reads from and keeps in the catalog: every product whole, the
//! merchant's decorative marks (which no sync touches) and the score after each sync.

use std::collections::BTreeSet;

use rusqlite::params;

use super::{Catalog, CatalogError, MEDIA_COLUMNS, media_row, numbered, variant_row};
use crate::model::{MediaId, ProductId, ProductRecord, ScorePoint};

impl Catalog {
    /// Every media of the catalog audited under the store's `limit` in characters, with the
    /// merchant's decorative marks, and the time of the last sync (what a score point is
    /// kept for); the one way the window, the command line and a finished sync audit it.
    pub fn audit(&self, limit: usize) -> Result<(crate::audit::Report, Option<u64>), CatalogError> {
        let records = self.records()?;
        let decorative = self.decorative()?;
        let synced_at = self.state("last_sync")?.and_then(|s| s.parse::<u64>().ok());
        Ok((crate::audit::audit(&records, limit, &decorative), synced_at))
    }

    /// `audit`, with its score kept as the point of the last sync (one point per sync: a
    /// later audit of the same sync replaces it).
    pub fn audit_and_score(&mut self, limit: usize) -> Result<(crate::audit::Report, Option<u64>), CatalogError> {
        let (report, synced_at) = self.audit(limit)?;
        if let Some(at) = synced_at {
            self.record_score(report.score_point(at))?;
        }
        Ok((report, synced_at))
    }

    /// Every product with its media and variants, in title order.
    pub fn records(&self) -> Result<Vec<ProductRecord>, CatalogError> {
        let mut products = Vec::new();
        self.each_record(|p| {
            products.push(p);
            Ok(())
        })?;
        // As `COLLATE NOCASE` orders them: ASCII letters folded, other bytes as they are.
        // Each title folded once, not at every comparison.
        products.sort_by_cached_key(|p| (p.title.to_ascii_lowercase(), p.id.0.clone()));
        Ok(products)
    }

    /// Hand every product, with its media and variants, to `each` in turn, by id: one product
    /// in memory at a time (the three tables are read side by side in the same order).
    pub fn each_record(
        &self,
        mut each: impl FnMut(ProductRecord) -> Result<(), CatalogError>,
    ) -> Result<(), CatalogError> {
        let mut media_stmt = self
            .conn
            .prepare(&format!("SELECT {MEDIA_COLUMNS}, product_id FROM media ORDER BY product_id, position"))?;
        let mut media_rows = media_stmt.query([])?;
        let mut variant_stmt = self.conn.prepare(
            "SELECT id, title, options, media, own_image, product_id FROM variants ORDER BY product_id, position",
        )?;
        let mut variant_rows = variant_stmt.query([])?;
        let mut product_stmt = self.conn.prepare(
            "SELECT id, title, handle, vendor, product_type, status, tags, updated_at FROM products ORDER BY id",
        )?;
        let mut product_rows = product_stmt.query([])?;
        // The next media and variant not handed out yet, with their product's id.
        let mut next_media = next_child(&mut media_rows, 14, media_row)?;
        let mut next_variant = next_child(&mut variant_rows, 5, variant_row)?;
        while let Some(r) = product_rows.next()? {
            let id: String = r.get(0)?;
            let tags: String = r.get(6)?;
            let media = numbered(children_of(&id, &mut next_media, &mut media_rows, 14, media_row)?);
            let variants = children_of(&id, &mut next_variant, &mut variant_rows, 5, variant_row)?;
            each(ProductRecord {
                media,
                variants,
                id: ProductId(id),
                title: r.get(1)?,
                handle: r.get(2)?,
                vendor: r.get(3)?,
                product_type: r.get(4)?,
                status: r.get(5)?,
                tags: tags.lines().map(str::to_string).collect(),
                updated_at: r.get(7)?,
            })?;
        }
        Ok(())
    }

    /// The catalog's audit score, kept as the point of the last sync; worked out a product at a
    /// time, which is how a sync ends (the whole report held 140 MB more over 80,000 media).
    /// None before any sync.
    pub fn score_sync(&mut self, limit: usize) -> Result<Option<ScorePoint>, CatalogError> {
        let Some(synced_at) = self.state("last_sync")?.and_then(|s| s.parse::<u64>().ok()) else {
            return Ok(None);
        };
        let decorative = self.decorative()?;
        let translated = {
            let mut stmt =
                self.conn.prepare(&format!("SELECT {MEDIA_COLUMNS} FROM media WHERE alt_translated IS NOT NULL"))?;
            stmt.query_map([], media_row)?.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let languages = crate::audit::report::languages(&translated);
        let mut point = ScorePoint { synced_at, media: 0, passing: 0, errors: 0, warnings: 0 };
        self.each_record(|p| {
            for row in crate::audit::report::audit_product(&p, limit, &decorative, &languages) {
                crate::audit::report::tally(&mut point, &row);
            }
            Ok(())
        })?;
        self.record_score(point)?;
        Ok(Some(point))
    }

    /// The media the merchant marked decorative.
    pub fn decorative(&self) -> Result<BTreeSet<MediaId>, CatalogError> {
        let mut stmt = self.conn.prepare_cached("SELECT media_id FROM media_marks WHERE decorative = 1")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0).map(MediaId))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Mark media decorative (or not), in one commit.
    pub fn set_decorative(&mut self, media: &[MediaId], decorative: bool) -> Result<(), CatalogError> {
        let tx = self.conn.transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO media_marks (media_id, decorative) VALUES (?1, ?2)
                 ON CONFLICT(media_id) DO UPDATE SET decorative = excluded.decorative",
            )?;
            for m in media {
                put.execute(params![m.0, decorative])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Keep the audit's score for the sync that ended at `point.synced_at` (a second score for
    /// the same sync replaces the first: the marks may have changed since).
    pub fn record_score(&mut self, point: ScorePoint) -> Result<(), CatalogError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO audit_scores (synced_at, media, passing, errors, warnings) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![point.synced_at as i64, point.media as i64, point.passing as i64, point.errors as i64, point.warnings as i64],
        )?;
        Ok(())
    }

    /// Every score kept, oldest first.
    pub fn scores(&self) -> Result<Vec<ScorePoint>, CatalogError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT synced_at, media, passing, errors, warnings FROM audit_scores ORDER BY synced_at",
        )?;
        let rows = stmt.query_map([], |r| {
            let n = |i: usize| r.get::<_, i64>(i).map(|v| v as u64);
            Ok(ScorePoint { synced_at: n(0)?, media: n(1)?, passing: n(2)?, errors: n(3)?, warnings: n(4)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The next row of a child table read in product order: its product's id (column `owner`) and
/// the row itself.
fn next_child<T>(
    rows: &mut rusqlite::Rows<'_>,
    owner: usize,
    read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<(String, T)>, CatalogError> {
    Ok(match rows.next()? {
        Some(r) => Some((r.get(owner)?, read(r)?)),
        None => None,
    })
}

/// The rows of `product` from a child table read in product order, starting at `next` (the
/// first row not handed out yet), which is left at the first row of a later product.
fn children_of<T>(
    product: &str,
    next: &mut Option<(String, T)>,
    rows: &mut rusqlite::Rows<'_>,
    owner: usize,
    read: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, CatalogError> {
    let mut found = Vec::new();
    while let Some((of, row)) = next.take() {
        if of.as_str() > product {
            *next = Some((of, row));
            break;
        }
        // Rows of a product the catalog lacks (none are written) would sort before it: skipped.
        if of == product {
            found.push(row);
        }
        *next = next_child(rows, owner, read)?;
    }
    Ok(found)
}
