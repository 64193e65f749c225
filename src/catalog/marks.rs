//! What the store-wide audit reads from and keeps in the catalog: every product whole, the
//! merchant's decorative marks (which no sync touches) and the score after each sync.

use std::collections::{BTreeSet, HashMap};

use rusqlite::params;

use super::{Catalog, CatalogError, MEDIA_COLUMNS, media_row, variant_row};
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
        let mut media: HashMap<String, Vec<crate::model::Media>> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {MEDIA_COLUMNS}, product_id FROM media ORDER BY product_id, position"))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let product: String = r.get(14)?;
            media.entry(product).or_default().push(media_row(r)?);
        }
        let mut variants: HashMap<String, Vec<crate::model::Variant>> = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT id, title, options, media, own_image, product_id FROM variants ORDER BY product_id, position",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let product: String = r.get(5)?;
            variants.entry(product).or_default().push(variant_row(r)?);
        }
        let mut stmt = self.conn.prepare(
            "SELECT id, title, handle, vendor, product_type, status, tags, updated_at FROM products
             ORDER BY title COLLATE NOCASE, id",
        )?;
        let products = stmt
            .query_map([], |r| {
                let id: String = r.get(0)?;
                let tags: String = r.get(6)?;
                Ok(ProductRecord {
                    media: media.remove(&id).unwrap_or_default(),
                    variants: variants.remove(&id).unwrap_or_default(),
                    id: ProductId(id),
                    title: r.get(1)?,
                    handle: r.get(2)?,
                    vendor: r.get(3)?,
                    product_type: r.get(4)?,
                    status: r.get(5)?,
                    tags: tags.lines().map(str::to_string).collect(),
                    updated_at: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(products)
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
