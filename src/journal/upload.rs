//! Uploads through the journal. An upload is the one write that is not safe to repeat: every
//! attach creates a new media. So each file is written down with its path, size and content
//! hash (and the product's media before it) before anything is sent, and an upload that is not
//! on its first try reads the product first and sends only the files that are not there yet.
//! Staged targets are never kept: a resumed upload stages again, so an expired target is never
//! used.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::outcome::{Applied, from_error, record};
use super::{Entry, Journal, JournalError};
use crate::model::{Media, MediaId, MediaStatus, ProductId};
use crate::store::{FileOutcome, ProgressFn, Store, UploadFile};

/// A file to upload, as the journal keeps it: enough to read it again after a restart, to tell
/// whether it changed since, and to recognise it on the product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Where it was read from (absolute, when the system could say).
    pub path: String,
    /// The name the store gets.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its content, hex.
    pub sha256: String,
    /// The alt text sent with it.
    #[serde(default)]
    pub alt: Option<String>,
    /// Its pixel size, when it is an image this build decodes: how a media is recognised on a
    /// platform that reports no file names.
    #[serde(default)]
    pub pixels: Option<(u32, u32)>,
}

impl Source {
    /// Describe the file read from `path` as `bytes`, to be sent as `name`.
    pub fn new(path: &Path, name: &str, bytes: &[u8], alt: Option<String>) -> Source {
        let pixels = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .ok()
            .and_then(|r| r.into_dimensions().ok());
        Source {
            path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()).display().to_string(),
            name: name.to_string(),
            size: bytes.len() as u64,
            sha256: hash(bytes),
            alt,
            pixels,
        }
    }

    /// Read the file again for a later try: refused (code, words) when it is gone or is no
    /// longer the file that was dropped.
    async fn read(&self) -> Result<Bytes, (String, String)> {
        let bytes = tokio::fs::read(&self.path).await.map(Bytes::from).map_err(|e| {
            ("FILE_UNREADABLE".to_string(), format!("{} can no longer be read ({e}); drop it again", self.path))
        })?;
        let b = bytes.clone();
        // Hashing a large video takes a while: off the async workers.
        let digest = tokio::task::spawn_blocking(move || hash(&b)).await.unwrap_or_default();
        if bytes.len() as u64 == self.size && digest == self.sha256 {
            Ok(bytes)
        } else {
            Err((
                "FILE_CHANGED".to_string(),
                format!("{} changed since it was dropped; drop it again to send it", self.path),
            ))
        }
    }

    /// Whether `m`, a media the product did not have before the upload, is this file: the
    /// same name (or the name with the suffix a store adds when the name is taken) and size
    /// where the store reports them, else the same pixel size.
    fn is(&self, m: &Media) -> bool {
        if m.size_bytes.is_some_and(|s| s != self.size) {
            return false;
        }
        match &m.filename {
            Some(f) => same_name(f, &self.name),
            None => self.pixels.is_some() && m.width.zip(m.height) == self.pixels,
        }
    }
}

fn hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether the store's file name `store` is `ours`: the same, or the same with a suffix after
/// the stem (Shopify adds `_` and a code when a file of that name exists).
fn same_name(store: &str, ours: &str) -> bool {
    let split =
        |n: &str| n.rsplit_once('.').map_or((n.to_string(), String::new()), |(s, e)| (s.to_string(), e.to_lowercase()));
    let ((s_stem, s_ext), (o_stem, o_ext)) = (split(store), split(ours));
    s_ext == o_ext
        && (s_stem == o_stem || s_stem.strip_prefix(&o_stem).is_some_and(|rest| rest.starts_with(['_', '-'])))
}

/// What became of one written-down upload: the journal's outcome, and the store's answer for
/// the file when there is one (the media it became).
#[derive(Debug, Clone)]
pub struct UploadResult {
    /// The journal entry.
    pub id: i64,
    /// What was written down.
    pub applied: Applied,
    /// The media, when the file is on the product (sent now or found there).
    pub outcome: Option<FileOutcome>,
}

/// Send claimed upload entries of one product and write down each outcome. `ready` holds the
/// bytes of files just read (a first try); any other file is read again and must still have
/// its size and hash. An entry that is not on its first try, or every entry with `check`, is
/// looked for on the product first: found, it is confirmed without sending. `progress` gets
/// the index of the entry in `entries`.
pub(super) async fn send_uploads(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    product: &ProductId,
    entries: &[&Entry],
    mut ready: HashMap<i64, Bytes>,
    check: bool,
    progress: ProgressFn,
) -> Result<Vec<UploadResult>, JournalError> {
    let mut out = Vec::new();
    let mut to_send: Vec<(usize, &Entry)> = Vec::new();
    let retried = |e: &Entry| check || !(e.state == super::State::Pending && e.error.is_none());
    if entries.iter().any(|e| retried(e)) {
        let on_product = match store.product_media(product).await {
            Ok(pm) => pm.media,
            Err(e) => {
                let applied = from_error(&e);
                for entry in entries {
                    out.push(UploadResult {
                        id: entry.id,
                        applied: record(journal, entry.id, applied.clone())?,
                        outcome: None,
                    });
                }
                return Ok(out);
            }
        };
        let mut taken: Vec<MediaId> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let super::Change::Upload { file, before } = &entry.change else { continue };
            let found = retried(entry)
                .then(|| on_product.iter().find(|m| !before.contains(&m.id) && !taken.contains(&m.id) && file.is(m)))
                .flatten();
            match found {
                Some(m) => {
                    taken.push(m.id.clone());
                    let applied = record(journal, entry.id, Applied::AlreadyThere)?;
                    out.push(UploadResult { id: entry.id, applied, outcome: Some(FileOutcome::Attached(m.clone())) });
                }
                None => to_send.push((i, entry)),
            }
        }
    } else {
        to_send = entries.iter().copied().enumerate().collect();
    }
    // Each file's bytes: kept from the first read, or read again and checked.
    let mut files = Vec::new();
    let mut sending = Vec::new();
    for (i, entry) in to_send {
        let super::Change::Upload { file, .. } = &entry.change else { continue };
        let bytes = match ready.remove(&entry.id) {
            Some(b) => b,
            None => match file.read().await {
                Ok(b) => b,
                Err((code, message)) => {
                    let applied = record(journal, entry.id, Applied::Failed { code, message })?;
                    out.push(UploadResult { id: entry.id, applied, outcome: None });
                    continue;
                }
            },
        };
        files.push(UploadFile { filename: file.name.clone(), bytes, alt: file.alt.clone() });
        sending.push((i, entry));
    }
    if files.is_empty() {
        return Ok(out);
    }
    let origin: Vec<usize> = sending.iter().map(|(i, _)| *i).collect();
    let report: ProgressFn = Arc::new(move |i, sent, of| {
        if let Some(&index) = origin.get(i) {
            progress(index, sent, of);
        }
    });
    match store.upload(product, files, report).await {
        Ok(outcomes) => {
            for ((_, entry), outcome) in sending.into_iter().zip(outcomes) {
                let applied = match &outcome {
                    FileOutcome::Attached(m) if m.status == MediaStatus::Failed => Applied::Failed {
                        code: "PROCESSING_FAILED".into(),
                        message: m
                            .errors
                            .first()
                            .cloned()
                            .unwrap_or_else(|| "the store could not process the file".into()),
                    },
                    FileOutcome::Attached(_) => Applied::Confirmed,
                    // Possibly on the product: the next try reads the product before sending.
                    FileOutcome::Unconfirmed { reason, .. } => {
                        Applied::Queued { code: "NOT_CONFIRMED".into(), message: reason.clone() }
                    }
                    // It never reached the store (the upload target or the connection failed
                    // every try): nothing was attached, so it waits to be sent again.
                    FileOutcome::Failed(e) if matches!(e.code.as_str(), "UPLOAD_FAILED" | "NETWORK_ERROR") => {
                        Applied::Queued { code: e.code.clone(), message: e.message.clone() }
                    }
                    FileOutcome::Failed(e) => Applied::Failed { code: e.code.clone(), message: e.message.clone() },
                };
                let applied = record(journal, entry.id, applied)?;
                out.push(UploadResult { id: entry.id, applied, outcome: Some(outcome) });
            }
        }
        Err(e) => {
            let applied = from_error(&e);
            for (_, entry) in sending {
                out.push(UploadResult {
                    id: entry.id,
                    applied: record(journal, entry.id, applied.clone())?,
                    outcome: None,
                });
            }
        }
    }
    Ok(out)
}

/// Claim written-down uploads of one product and send them (see `send_uploads`); an entry
/// someone else holds comes back as `NotMine`.
pub async fn upload_batch(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    product: &ProductId,
    entries: &[Entry],
    ready: HashMap<i64, Bytes>,
    progress: ProgressFn,
) -> Result<Vec<UploadResult>, JournalError> {
    let mut mine = Vec::new();
    let mut out = Vec::new();
    for e in entries {
        if crate::sync::lock(journal).claim_any(e.id)? {
            mine.push(e);
        } else {
            out.push(UploadResult { id: e.id, applied: Applied::NotMine, outcome: None });
        }
    }
    out.extend(send_uploads(journal, store, product, &mine, ready, false, progress).await?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(name: Option<&str>, size: Option<u64>, pixels: Option<(u32, u32)>) -> Media {
        Media {
            id: MediaId("m".into()),
            kind: crate::model::MediaKind::Image,
            alt: String::new(),
            status: MediaStatus::Ready,
            position: 0,
            preview_url: None,
            width: pixels.map(|p| p.0),
            height: pixels.map(|p| p.1),
            filename: name.map(str::to_string),
            size_bytes: size,
            mime_type: None,
            errors: vec![],
            external_url: None,
            alt_translated: Default::default(),
        }
    }

    #[test]
    fn a_file_is_recognised_by_name_and_size_or_by_pixels_where_no_name_is_given() {
        let mut png = Vec::new();
        image::RgbImage::new(40, 30).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        let source = Source::new(Path::new("/tmp/mug.png"), "mug.png", &png, None);
        let size = png.len() as u64;
        assert_eq!((source.size, source.pixels), (size, Some((40, 30))));
        assert_eq!(source.sha256.len(), 64);
        assert!(source.is(&media(Some("mug.png"), Some(size), None)));
        // Shopify keeps the name, or adds a suffix when the name is taken.
        assert!(source.is(&media(Some("mug_3f2c9a1e-77b0.png"), Some(size), None)));
        assert!(source.is(&media(Some("mug.PNG"), None, None)));
        assert!(!source.is(&media(Some("mug.png"), Some(size + 1), None)), "another size is another file");
        assert!(!source.is(&media(Some("mugs.png"), Some(size), None)));
        assert!(!source.is(&media(Some("mug.jpg"), Some(size), None)));
        // Ecwid reports no names: the pixel size decides.
        assert!(source.is(&media(None, None, Some((40, 30)))));
        assert!(!source.is(&media(None, None, Some((30, 40)))));
    }
}
