//! The catalog database's tables, and the migrations that bring an older file up to date. The
//! version is SQLite's `user_version`: 0 is an empty file, each migration adds one.

use rusqlite::Connection;

/// The schema this build reads and writes.
pub const VERSION: i64 = 7;

/// The index of media by their own id (the journal and the audit look media up by it). The first
/// migration makes it; a full sync drops it and makes it again after writing every media row.
pub const MEDIA_BY_ID: &str = "CREATE INDEX media_by_id ON media(id);";

/// The index of media by product: a product holds a media once. Since version 7 the media table
/// itself is kept in the order rows were written, and a full sync, like `MEDIA_BY_ID`, drops this
/// index and makes it again after writing every media row.
pub const MEDIA_OF_PRODUCT: &str = "CREATE UNIQUE INDEX media_of_product ON media(product_id, id);";

/// How many leading bytes of a title order the search index (see `title_key`).
const TITLE_BYTES: u32 = 5;
/// The bits of a search key below the title's bytes: the product's rowid.
pub const ROWID_BITS: u32 = 63 - 8 * TITLE_BYTES;

/// A product's key in the search index: its title's first five bytes (ASCII letters folded, as
/// `COLLATE NOCASE` folds them) above its rowid. The index hands matches out in key order, so
/// the first matches it hands out are the first by title, give or take titles that share those
/// five bytes, and a search can stop early instead of sorting every match (see
/// `Catalog::search`). Unique while rowids stay under 2^23 (8 million products).
pub fn title_key(title: &str, rowid: i64) -> i64 {
    let bytes = title.as_bytes();
    let prefix = (0..TITLE_BYTES as usize)
        .fold(0i64, |key, i| key << 8 | i64::from(bytes.get(i).map_or(0, |b| b.to_ascii_lowercase())));
    prefix << ROWID_BITS | (rowid & ((1 << ROWID_BITS) - 1))
}

/// The first key after every key that shares `key`'s title bytes, or None past the last.
pub fn next_title_group(key: i64) -> Option<i64> {
    ((key >> ROWID_BITS) + 1).checked_mul(1 << ROWID_BITS)
}

/// Make `title_key(title, rowid)` callable from SQL on this connection (the writer's SQL and the
/// migration that brought it in use it).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "title_key",
        2,
        FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_UTF8,
        |ctx| {
            let title: String = ctx.get(0)?;
            let rowid: i64 = ctx.get(1)?;
            Ok(title_key(&title, rowid))
        },
    )
}

/// Each migration, from the version before it; `MIGRATIONS[n]` takes version `n` to `n + 1`.
const MIGRATIONS: [&str; 7] = [
    r#"
    CREATE TABLE products (
        id            TEXT PRIMARY KEY NOT NULL,
        title         TEXT NOT NULL,
        handle        TEXT NOT NULL DEFAULT '',
        vendor        TEXT,
        product_type  TEXT,
        status        TEXT,
        -- Tags joined by a line feed, which no tag contains.
        tags          TEXT NOT NULL DEFAULT '',
        updated_at    TEXT,
        media_count   INTEGER NOT NULL,
        missing_alt   INTEGER NOT NULL,
        preview_url   TEXT,
        -- The sync that last saw the product: a full sync removes the ones it did not see.
        seen_in_sync  INTEGER NOT NULL
    );
    CREATE TABLE media (
        product_id    TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        id            TEXT NOT NULL,
        position      INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        alt           TEXT NOT NULL,
        status        TEXT NOT NULL,
        preview_url   TEXT,
        filename      TEXT,
        width         INTEGER,
        height        INTEGER,
        size_bytes    INTEGER,
        mime_type     TEXT,
        -- The platform's processing errors, one per line.
        errors        TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (product_id, id)
    ) WITHOUT ROWID;
    CREATE INDEX media_by_id ON media(id);
    CREATE TABLE variants (
        product_id    TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
        id            TEXT NOT NULL,
        title         TEXT NOT NULL,
        -- [["Color","Red"],["Size","M"]]
        options       TEXT NOT NULL,
        -- ["gid://shopify/MediaImage/1"]
        media         TEXT NOT NULL,
        PRIMARY KEY (product_id, id)
    ) WITHOUT ROWID;
    CREATE TABLE sync_state (
        key           TEXT PRIMARY KEY NOT NULL,
        value         TEXT NOT NULL
    );
    -- What search matches: one row per product, its rowid the product's rowid.
    CREATE VIRTUAL TABLE product_search USING fts5(
        title, handle, vendor, product_type, tags, alts,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3'
    );
    CREATE INDEX products_by_title ON products (title COLLATE NOCASE);
"#,
    // 2: variants keep the store's order (the table has no row order of its own).
    r#"
    ALTER TABLE variants ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
    -- An Ecwid variation's own picture: {"url": "...", "alt": "..."}, or NULL.
    ALTER TABLE variants ADD COLUMN own_image TEXT;
    -- One-letter prefixes get an index too (a one-letter search read every term of that letter:
    -- 15 ms at the 99th percentile over 50,000 products, 9 ms with it). Rebuilt from the rows.
    DROP TABLE product_search;
    CREATE VIRTUAL TABLE product_search USING fts5(
        title, handle, vendor, product_type, tags, alts,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
    );
    INSERT INTO product_search (rowid, title, handle, vendor, product_type, tags, alts)
    SELECT p.rowid, p.title, p.handle, coalesce(p.vendor, ''), coalesce(p.product_type, ''),
           replace(p.tags, char(10), ' '),
           coalesce((SELECT group_concat(alt, char(10)) FROM media m WHERE m.product_id = p.id AND alt != ''), '')
    FROM products p;
"#,
    // 3: where an external video plays (its YouTube or Vimeo page).
    r#"
    ALTER TABLE media ADD COLUMN external_url TEXT;
"#,
    // 4: what the audit needs beside the store's rows.
    r#"
    -- The alt text in other languages: {"fr": "…", "de": ""} (Ecwid), or NULL.
    ALTER TABLE media ADD COLUMN alt_translated TEXT;
    -- The merchant's own marks, which no sync touches (a sync rewrites media rows): a
    -- decorative image needs no alt text. Keyed by media id alone, so a mark follows the file.
    CREATE TABLE media_marks (
        media_id      TEXT PRIMARY KEY NOT NULL,
        decorative    INTEGER NOT NULL
    ) WITHOUT ROWID;
    -- The store's audit score after each sync: the progress a merchant sees over time.
    CREATE TABLE audit_scores (
        synced_at     INTEGER PRIMARY KEY NOT NULL,
        media         INTEGER NOT NULL,
        passing       INTEGER NOT NULL,
        errors        INTEGER NOT NULL,
        warnings      INTEGER NOT NULL
    );
"#,
    // 5: the search index's rows are keyed in title order (`title_key`), so a search lists its
    // first matches by title without sorting them all. Rebuilt from the rows.
    r#"
    ALTER TABLE products ADD COLUMN search_key INTEGER;
    UPDATE products SET search_key = title_key(title, rowid);
    CREATE UNIQUE INDEX products_by_search_key ON products (search_key);
    DROP TABLE product_search;
    CREATE VIRTUAL TABLE product_search USING fts5(
        title, handle, vendor, product_type, tags, alts,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
    );
    INSERT INTO product_search (rowid, title, handle, vendor, product_type, tags, alts)
    SELECT p.search_key, p.title, p.handle, coalesce(p.vendor, ''), coalesce(p.product_type, ''),
           replace(p.tags, char(10), ' '),
           coalesce((SELECT group_concat(alt, char(10)) FROM media m WHERE m.product_id = p.id AND alt != ''), '')
    FROM products p
    ORDER BY p.search_key;
"#,
    // 6: media and variants without foreign keys. The catalog's writer keeps them with their
    // products (it removes a product's rows with it), and a full sync writes a child before its
    // product comes: SQLite's deferred checks cost 0.4 s of 2.4 s for 400,000 media. SQLite
    // cannot drop a constraint, so both tables are made again. And no three-letter prefix index:
    // it was a fifth of a sync's writing, and three letters find their words at a p99 of 2.1 ms
    // over 50,000 products without it (0.8 ms with). Rebuilt from the rows.
    r#"
    DROP TABLE product_search;
    CREATE VIRTUAL TABLE product_search USING fts5(
        title, handle, vendor, product_type, tags, alts,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2'
    );
    INSERT INTO product_search (rowid, title, handle, vendor, product_type, tags, alts)
    SELECT p.search_key, p.title, p.handle, coalesce(p.vendor, ''), coalesce(p.product_type, ''),
           replace(p.tags, char(10), ' '),
           coalesce((SELECT group_concat(alt, char(10)) FROM media m WHERE m.product_id = p.id AND alt != ''), '')
    FROM products p
    ORDER BY p.search_key;
    CREATE TABLE media_6 (
        product_id    TEXT NOT NULL,
        id            TEXT NOT NULL,
        position      INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        alt           TEXT NOT NULL,
        status        TEXT NOT NULL,
        preview_url   TEXT,
        filename      TEXT,
        width         INTEGER,
        height        INTEGER,
        size_bytes    INTEGER,
        mime_type     TEXT,
        errors        TEXT NOT NULL DEFAULT '',
        external_url  TEXT,
        alt_translated TEXT,
        PRIMARY KEY (product_id, id)
    ) WITHOUT ROWID;
    INSERT INTO media_6 SELECT product_id, id, position, kind, alt, status, preview_url, filename, width, height,
                               size_bytes, mime_type, errors, external_url, alt_translated FROM media;
    DROP TABLE media;
    ALTER TABLE media_6 RENAME TO media;
    CREATE INDEX media_by_id ON media(id);
    CREATE TABLE variants_6 (
        product_id    TEXT NOT NULL,
        id            TEXT NOT NULL,
        title         TEXT NOT NULL,
        options       TEXT NOT NULL,
        media         TEXT NOT NULL,
        position      INTEGER NOT NULL DEFAULT 0,
        own_image     TEXT,
        PRIMARY KEY (product_id, id)
    ) WITHOUT ROWID;
    INSERT INTO variants_6 SELECT product_id, id, title, options, media, position, own_image FROM variants;
    DROP TABLE variants;
    ALTER TABLE variants_6 RENAME TO variants;
"#,
    // 7: the search index gathers up to 8 MB of new terms in memory before writing them out, not
    // 1 MB, so it writes them out fewer times: the 10,000-product store's rows, written alone,
    // took 0.20–0.21 s after the last row came instead of 0.23–0.25 s (16 and 32 MB: no better).
    // `hashsize` is kept in the index's own settings table, so it holds for every connection.
    // And media in a plain table, in the order they were written, found by product through an
    // index: a full sync's media come in no order, and writing each into a table ordered by
    // product took 0.21 s of a 10,000-product store's rows against 0.13 s appended (the index,
    // made again afterwards, costs 0.03 s).
    r#"
    INSERT INTO product_search (product_search, rank) VALUES ('hashsize', 8388608);
    CREATE TABLE media_7 (
        product_id    TEXT NOT NULL,
        id            TEXT NOT NULL,
        position      INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        alt           TEXT NOT NULL,
        status        TEXT NOT NULL,
        preview_url   TEXT,
        filename      TEXT,
        width         INTEGER,
        height        INTEGER,
        size_bytes    INTEGER,
        mime_type     TEXT,
        errors        TEXT NOT NULL DEFAULT '',
        external_url  TEXT,
        alt_translated TEXT
    );
    INSERT INTO media_7 SELECT product_id, id, position, kind, alt, status, preview_url, filename, width, height,
                               size_bytes, mime_type, errors, external_url, alt_translated
                        FROM media ORDER BY product_id, position;
    DROP TABLE media;
    ALTER TABLE media_7 RENAME TO media;
    CREATE UNIQUE INDEX media_of_product ON media(product_id, id);
    CREATE INDEX media_by_id ON media(id);
"#,
];

/// What the file's version says about it.
#[derive(Debug, PartialEq, Eq)]
pub enum Fit {
    /// Readable by this build (after migrating, if older).
    Usable,
    /// Written by a newer mediadesk: this build must not touch it.
    Newer(i64),
}

/// Bring the database to `VERSION`, each step in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Fit> {
    register(conn)?;
    let mut version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > VERSION {
        return Ok(Fit::Newer(version));
    }
    while version < VERSION {
        let tx = conn.transaction()?;
        tx.execute_batch(MIGRATIONS[version as usize])?;
        version += 1;
        // PRAGMA takes no bound parameters; the number is ours.
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
        tx.commit()?;
    }
    Ok(Fit::Usable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_version_file_is_brought_up_to_date_with_its_rows_kept() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch("PRAGMA user_version = 1").unwrap();
        conn.execute_batch(
            "INSERT INTO products (id, title, vendor, media_count, missing_alt, seen_in_sync)
                 VALUES ('p', 'Mug', 'Acme', 1, 0, 1);
             INSERT INTO media (product_id, id, position, kind, alt, status) VALUES ('p', 'm', 0, 'image', 'Blue mug', 'ready');
             INSERT INTO product_search (rowid, title, handle, vendor, product_type, tags, alts)
                 SELECT rowid, title, handle, vendor, '', '', 'Blue mug' FROM products;
             INSERT INTO variants (product_id, id, title, options, media) VALUES ('p', 'v', 'Red', '[]', '[]');",
        )
        .unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), Fit::Usable);
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        let kept: (String, i64) = conn
            .query_row("SELECT title, position FROM variants WHERE id = 'v'", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((version, kept), (VERSION, ("Red".to_string(), 0)));
        // The search index was rebuilt from the rows: one letter finds the alt text's word.
        let found: i64 = conn
            .query_row("SELECT count(*) FROM product_search WHERE product_search MATCH 'b*'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(found, 1);
        // Its search row is under its title key.
        let key: i64 = conn.query_row("SELECT search_key FROM products WHERE id = 'p'", [], |r| r.get(0)).unwrap();
        let row: i64 = conn.query_row("SELECT rowid FROM product_search", [], |r| r.get(0)).unwrap();
        assert_eq!((key, row), (title_key("Mug", 1), key));
        // Media and variants are kept, their indexes too, without foreign keys (version 6).
        let alt: String = conn.query_row("SELECT alt FROM media WHERE id = 'm'", [], |r| r.get(0)).unwrap();
        assert_eq!(alt, "Blue mug");
        for table in ["media", "variants"] {
            let keys: i64 = conn
                .query_row(&format!("SELECT count(*) FROM pragma_foreign_key_list('{table}')"), [], |r| r.get(0))
                .unwrap();
            assert_eq!(keys, 0, "{table}");
        }
        let plan: String =
            conn.query_row("EXPLAIN QUERY PLAN SELECT product_id FROM media WHERE id = 'm'", [], |r| r.get(3)).unwrap();
        assert!(plan.contains("media_by_id"), "{plan}");
        // The search index's memory for new terms, and media found by product (version 7).
        let hash: i64 =
            conn.query_row("SELECT v FROM product_search_config WHERE k = 'hashsize'", [], |r| r.get(0)).unwrap();
        assert_eq!(hash, 8 << 20);
        let plan: String = conn
            .query_row("EXPLAIN QUERY PLAN SELECT alt FROM media WHERE product_id = 'p' ORDER BY position", [], |r| {
                r.get(3)
            })
            .unwrap();
        assert!(plan.contains("media_of_product"), "{plan}");
        let twice = conn.execute(
            "INSERT INTO media (product_id, id, position, kind, alt, status) VALUES ('p', 'm', 1, 'image', '', 'ready')",
            [],
        );
        assert!(twice.is_err(), "a product holds a media once");
    }

    #[test]
    fn title_keys_order_titles_as_nocase_does_by_their_first_five_bytes() {
        let titles = ["", "A", "ab", "AB c", "abc", "Abcde", "abcdf", "b", "Z", "a\u{e9}", "\u{fc}ber"];
        let mut by_key: Vec<&str> = titles.to_vec();
        by_key.sort_by_key(|t| title_key(t, 1));
        // A shorter title first, ASCII case folded, other bytes as they are (as NOCASE does).
        assert_eq!(by_key, ["", "A", "ab", "AB c", "abc", "Abcde", "abcdf", "a\u{e9}", "b", "Z", "\u{fc}ber"]);
        // Titles alike in their first five bytes differ by rowid, and share a group.
        let (one, two) = (title_key("Linen shirt", 7), title_key("LINEN tote", 8));
        assert_ne!(one, two);
        assert_eq!(next_title_group(one), next_title_group(two));
        assert!(next_title_group(one).unwrap() > two.max(one));
        assert_eq!(next_title_group(i64::MAX), None, "the last group has no next");
        assert!(next_title_group(title_key("\u{10ffff}\u{10ffff}", 1)).is_some(), "no UTF-8 title is in it");
    }
}
