//! The audit as a spreadsheet and back: export writes every media with its findings and an
//! empty `new_alt` column; import reads `media_id` and `new_alt` (and `decorative`) from what
//! a spreadsheet saved: UTF-8 with or without a byte-order mark, commas or semicolons, CRLF
//! line ends, quoted cells with line breaks.

use std::io::Write;

use super::AuditRow;

/// The export's columns, in order.
pub const COLUMNS: &[&str] = &[
    "product_id",
    "handle",
    "title",
    "media_id",
    "position",
    "kind",
    "preview_url",
    "alt",
    "decorative",
    "findings",
    "new_alt",
];

/// Write `rows` as CSV (with a byte-order mark, so spreadsheet programs read it as UTF-8).
pub fn write<'a>(out: impl Write, rows: impl IntoIterator<Item = &'a AuditRow>) -> std::io::Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
    w.write_record(COLUMNS)?;
    for r in rows {
        let findings: Vec<&str> = r.findings.iter().map(|f| f.rule).collect();
        w.write_record([
            r.product.0.as_str(),
            &r.handle,
            &r.title,
            &r.media.0,
            &(r.position + 1).to_string(),
            r.kind.as_str(),
            r.preview_url.as_deref().unwrap_or(""),
            &r.alt,
            if r.decorative { "yes" } else { "" },
            &findings.join("; "),
            "",
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// One row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Its row as a spreadsheet numbers it (the header is row 1; a cell's line breaks stay
    /// within its row).
    pub row: u64,
    /// The media.
    pub media: String,
    /// The product, when the file says.
    pub product: Option<String>,
    /// The alt text the file was exported with, when it says: a store text different from it
    /// was changed on the store since the export.
    pub exported_alt: Option<String>,
    /// The new alt text; `None` when the cell is empty (an empty cell changes nothing, so an
    /// import never clears a text).
    pub new_alt: Option<String>,
    /// The decorative mark, when the file has the column.
    pub decorative: Option<bool>,
}

/// Why a file cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImportError(pub String);

/// A header cell as a column name: `Media ID`, `media-id` and `media_id` are one column.
fn column(name: &str) -> String {
    name.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_")
}

/// Read an import file's rows.
pub fn read(bytes: &[u8]) -> Result<Vec<ImportRow>, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError(format!("the file is not UTF-8 text (byte {}): save it as CSV UTF-8", e.valid_up_to()))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The header says which separator the spreadsheet used (Excel in much of Europe: `;`).
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() { b';' } else { b',' };
    let mut r = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let names: Vec<String> =
        r.headers().map_err(|e| ImportError(format!("the header cannot be read: {e}")))?.iter().map(column).collect();
    let find = |n: &str| names.iter().position(|c| c == n);
    let media_col = find("media_id")
        .ok_or_else(|| ImportError("the file has no media_id column (export one to see the layout)".into()))?;
    let new_col = find("new_alt")
        .ok_or_else(|| ImportError("the file has no new_alt column: write the new texts there".into()))?;
    let (product_col, alt_col, decorative_col) = (find("product_id"), find("alt"), find("decorative"));
    let mut rows = Vec::new();
    for (index, record) in r.records().enumerate() {
        let row = index as u64 + 2;
        let record = record.map_err(|e| ImportError(format!("row {row} cannot be read: {e}")))?;
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::to_string);
        let media = cell(Some(media_col)).unwrap_or_default().trim().to_string();
        if media.is_empty() && record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(ImportRow {
            row,
            media,
            product: cell(product_col).map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
            exported_alt: cell(alt_col),
            new_alt: cell(Some(new_col)).filter(|t| !t.trim().is_empty()),
            decorative: decorative_col.map(|i| yes(record.get(i).unwrap_or(""))),
        });
    }
    Ok(rows)
}

/// A spreadsheet's way of saying yes.
fn yes(cell: &str) -> bool {
    matches!(
        cell.trim().to_lowercase().as_str(),
        "yes" | "y" | "true" | "1" | "x" | "oui" | "ja" | "sí" | "si" | "wahr"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MediaId, MediaKind, ProductId};

    fn row(media: &str, alt: &str) -> AuditRow {
        AuditRow {
            product: ProductId("gid://shopify/Product/1".into()),
            title: "Tote, \"large\"".into(),
            handle: "tote".into(),
            vendor: None,
            product_type: None,
            status: None,
            media: MediaId(media.into()),
            position: 0,
            kind: MediaKind::Image,
            preview_url: Some("https://cdn.example/t.jpg".into()),
            filename: None,
            alt: alt.into(),
            decorative: false,
            variant_values: vec![],
            variation: None,
            findings: vec![],
        }
    }

    #[test]
    fn an_export_reads_back_with_its_texts_intact() {
        let rows = [row("m1", "Blue tote,\nfront"), row("m2", "")];
        let mut out = Vec::new();
        write(&mut out, &rows).unwrap();
        assert!(out.starts_with("\u{feff}product_id,".as_bytes()));
        let read_back = read(&out).unwrap();
        assert_eq!(read_back.len(), 2);
        assert_eq!(read_back[0].exported_alt.as_deref(), Some("Blue tote,\nfront"));
        assert_eq!(read_back[0].product.as_deref(), Some("gid://shopify/Product/1"));
        assert_eq!(read_back[0].new_alt, None);
        assert_eq!(read_back[1].decorative, Some(false));
        assert_eq!(read_back[1].row, 3, "a cell's line break stays in its row");
    }

    #[test]
    fn semicolons_crlf_and_a_minimal_file_are_read() {
        let file = "Media ID;New alt;Decorative\r\nm1;\"Sac bleu; vue de face\";\r\nm2;;oui\r\n\r\n";
        let rows = read(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].new_alt.as_deref(), Some("Sac bleu; vue de face"));
        assert_eq!(rows[0].exported_alt, None);
        assert_eq!((rows[1].new_alt.clone(), rows[1].decorative), (None, Some(true)));
    }

    #[test]
    fn a_file_without_the_columns_or_not_utf8_says_what_is_wrong() {
        assert!(read(b"id,alt\n1,x\n").unwrap_err().0.contains("media_id"));
        assert!(read(b"media_id,alt\n1,x\n").unwrap_err().0.contains("new_alt"));
        assert!(read(b"media_id,new_alt\n1,caf\xe9\n").unwrap_err().0.contains("UTF-8"));
    }
}
