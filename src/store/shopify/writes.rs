//! Shopify's write operations: alt text (with the `productUpdateMedia` fallback), reorder,
//! remove, delete, rename, acknowledge. Each reports per item what Shopify reported per item.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

use super::ShopifyStore;
use super::documents;
use super::transport::Repeat;
use super::wire::{
    FileDeletePayload, FilesPayload, Job, MediaNode, ProductMediaPayload, ProductReorderMediaPayload, UserError,
};
use crate::model::{MediaId, Platform, ProductId};
use crate::store::{AltEdit, BatchOutcome, ItemError, StoreError, validate};

/// Most items Shopify takes in one input list.
pub const BATCH: usize = 250;

/// How long a reorder job may take before mediadesk gives up waiting.
const JOB_TIMEOUT: Duration = Duration::from_secs(120);

/// Which input an error is about: the index after the list's name in its `field` path.
fn index_of(e: &UserError, list: &str) -> Option<usize> {
    let field = e.field.as_ref()?;
    let at = field.iter().position(|f| f == list)?;
    field.get(at + 1)?.parse().ok()
}

fn item_error(e: &UserError, item: Option<&MediaId>) -> ItemError {
    ItemError {
        item: item.map(|m| m.0.clone()),
        field: e.field.clone().unwrap_or_default(),
        code: e.code.clone().unwrap_or_else(|| "INVALID".into()),
        message: e.message.clone(),
    }
}

/// Ids a `FILE_DOES_NOT_EXIST` message names: `File id ["gid://…", …] does not exist.`
fn missing_ids(message: &str) -> Vec<String> {
    let Some(start) = message.find('[') else { return Vec::new() };
    let Some(end) = message[start..].find(']') else { return Vec::new() };
    serde_json::from_str(&message[start..start + end + 1]).unwrap_or_default()
}

/// The ids a batch's `FILE_DOES_NOT_EXIST` errors name (Shopify then applied nothing).
fn unknown_files(errors: &[UserError]) -> Vec<String> {
    errors
        .iter()
        .filter(|e| e.code.as_deref() == Some("FILE_DOES_NOT_EXIST"))
        .flat_map(|e| missing_ids(&e.message))
        .collect()
}

/// The error for a media id that the product does not hold.
fn not_on_product(product: &ProductId, media: &MediaId) -> ItemError {
    ItemError {
        item: Some(media.0.clone()),
        field: vec!["id".into()],
        code: "MEDIA_NOT_ON_PRODUCT".into(),
        message: format!("{media} is not a media of {product}; nothing was changed"),
    }
}

/// Report files that no longer exist as failed items.
fn report_unknown(ids: &[String], field: &str, outcome: &mut BatchOutcome) {
    for id in ids {
        outcome.failed.push(ItemError {
            item: Some(id.clone()),
            field: vec![field.into()],
            code: "FILE_DOES_NOT_EXIST".into(),
            message: format!("{id} does not exist (deleted elsewhere?)"),
        });
    }
}

#[derive(Deserialize)]
struct AltsByIdData {
    /// One entry per id asked for, null where the file no longer exists; read leniently, so
    /// one odd entry never fails the batch.
    #[serde(default)]
    nodes: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileUpdateData {
    file_update: Option<FilesPayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FallbackData {
    product_update_media: Option<ProductMediaPayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileDeleteData {
    file_delete: Option<FileDeletePayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReorderData {
    product_reorder_media: Option<ProductReorderMediaPayload>,
}

#[derive(Deserialize)]
struct JobData {
    job: Option<Job>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AcknowledgeData {
    file_acknowledge_update_failed: Option<FilesPayload>,
}

impl ShopifyStore {
    /// Run `fileUpdate` over inputs in batches of 250. Unknown ids refuse a whole batch, so they
    /// are reported and the rest sent again. `ids[i]` names `inputs[i]`.
    pub(crate) async fn file_update(&self, ids: &[MediaId], inputs: Vec<Value>) -> Result<BatchOutcome, StoreError> {
        let mut outcome = BatchOutcome::default();
        for (chunk_ids, chunk) in ids.chunks(BATCH).zip(inputs.chunks(BATCH)) {
            let mut pending: Vec<(MediaId, Value)> = chunk_ids.iter().cloned().zip(chunk.iter().cloned()).collect();
            while !pending.is_empty() {
                let files: Vec<Value> = pending.iter().map(|(_, v)| v.clone()).collect();
                let data: FileUpdateData =
                    self.transport.run(&documents::FILE_UPDATE, json!({"files": files}), Repeat::Safe).await?;
                let payload = data
                    .file_update
                    .ok_or_else(|| StoreError::Server { status: 200, message: "fileUpdate answered null".into() })?;
                let missing = unknown_files(&payload.user_errors);
                if !missing.is_empty() {
                    report_unknown(&missing, "id", &mut outcome);
                    let before = pending.len();
                    pending.retain(|(id, _)| !missing.contains(&id.0));
                    if pending.len() == before {
                        break;
                    }
                    continue;
                }
                let mut failed_idx = std::collections::HashSet::new();
                for e in &payload.user_errors {
                    let idx = index_of(e, "files");
                    if let Some(i) = idx {
                        failed_idx.insert(i);
                    }
                    outcome.failed.push(item_error(e, idx.and_then(|i| pending.get(i)).map(|(id, _)| id)));
                }
                for (i, (id, _)) in pending.iter().enumerate() {
                    if !failed_idx.contains(&i) && payload.user_errors.iter().all(|e| index_of(e, "files").is_some()) {
                        outcome.done.push(id.clone());
                    }
                }
                break;
            }
        }
        Ok(outcome)
    }

    /// Alt text through the deprecated `productUpdateMedia`, which is all or nothing: an item it
    /// refuses is reported and the others are sent again.
    async fn alt_fallback(&self, product: &ProductId, edits: &[AltEdit]) -> Result<BatchOutcome, StoreError> {
        let mut outcome = BatchOutcome::default();
        for chunk in edits.chunks(BATCH) {
            let mut pending: Vec<&AltEdit> = chunk.iter().collect();
            while !pending.is_empty() {
                let media: Vec<Value> = pending.iter().map(|e| json!({"id": e.media.0, "alt": e.alt})).collect();
                let vars = json!({"productId": product.0, "media": media});
                let data: FallbackData = self.transport.run(&documents::ALT_FALLBACK, vars, Repeat::Safe).await?;
                let payload = data.product_update_media.ok_or_else(|| StoreError::Server {
                    status: 200,
                    message: "productUpdateMedia answered null".into(),
                })?;
                if payload.media_user_errors.is_empty() {
                    outcome.done.extend(pending.iter().map(|e| e.media.clone()));
                    break;
                }
                if payload.media_user_errors.iter().any(|e| e.code.as_deref() == Some("PRODUCT_DOES_NOT_EXIST")) {
                    return Err(StoreError::NotFound { what: format!("product {product}") });
                }
                // Name the refused item by index or by the id in the message; if neither, all failed.
                let mut refused = Vec::new();
                for e in &payload.media_user_errors {
                    let idx =
                        index_of(e, "media").or_else(|| pending.iter().position(|p| e.message.contains(&p.media.0)));
                    outcome.failed.push(item_error(e, idx.and_then(|i| pending.get(i)).map(|p| &p.media)));
                    refused.push(idx);
                }
                if refused.iter().any(Option::is_none) {
                    break;
                }
                let refused: Vec<usize> = refused.into_iter().flatten().collect();
                pending =
                    pending.into_iter().enumerate().filter(|(i, _)| !refused.contains(i)).map(|(_, e)| e).collect();
            }
        }
        Ok(outcome)
    }

    /// Set alt texts: `fileUpdate`, or the fallback once the token turned out to lack `write_files`.
    pub(crate) async fn set_alt_texts(
        &self,
        product: &ProductId,
        edits: &[AltEdit],
    ) -> Result<BatchOutcome, StoreError> {
        let mut outcome = BatchOutcome::default();
        let on_product = self.media_ids(product).await?;
        let mut ok = Vec::new();
        for e in edits {
            if !on_product.contains(&e.media) {
                outcome.failed.push(not_on_product(product, &e.media));
                continue;
            }
            match validate::alt_text(&e.media.0, &e.alt, Platform::Shopify) {
                Ok(alt) => ok.push(AltEdit { media: e.media.clone(), alt }),
                Err(refused) => outcome.failed.push(refused),
            }
        }
        if ok.is_empty() {
            return Ok(outcome);
        }
        let result = if self.lacks_write_files.load(Ordering::Relaxed) {
            self.alt_fallback(product, &ok).await
        } else {
            let ids: Vec<MediaId> = ok.iter().map(|e| e.media.clone()).collect();
            let inputs = ok.iter().map(|e| json!({"id": e.media.0, "alt": e.alt})).collect();
            match self.file_update(&ids, inputs).await {
                Err(StoreError::MissingScope { scope, .. }) if scope == "write_files" => {
                    self.lacks_write_files.store(true, Ordering::Relaxed);
                    let mut r = self.alt_fallback(product, &ok).await?;
                    r.notice = Some(
                        "This store's access token lacks the write_files permission, so alt text is saved through \
                         Shopify's older productUpdateMedia call. Grant write_files to use the current one."
                            .into(),
                    );
                    Ok(r)
                }
                other => other,
            }
        };
        let r = result?;
        outcome.done.extend(r.done);
        outcome.failed.extend(r.failed);
        outcome.notice = r.notice;
        Ok(outcome)
    }

    /// The current alt texts of `media` of any products, 250 ids a request (`nodes`); a media
    /// that no longer exists is left out.
    pub(crate) async fn alts_by_id(&self, media: &[MediaId]) -> Result<Vec<(MediaId, String)>, StoreError> {
        let mut out = Vec::with_capacity(media.len());
        for chunk in media.chunks(BATCH) {
            let ids: Vec<&str> = chunk.iter().map(|m| m.0.as_str()).collect();
            let data: AltsByIdData =
                self.transport.run(&documents::ALTS_BY_ID, json!({"ids": ids}), Repeat::Safe).await?;
            for node in &data.nodes {
                if let Some(id) = node.get("id").and_then(Value::as_str) {
                    let alt = node.get("alt").and_then(Value::as_str).unwrap_or_default();
                    out.push((MediaId(id.to_string()), alt.to_string()));
                }
            }
        }
        Ok(out)
    }

    /// Alt texts of media of many products: `fileUpdate` names files, so 250 go in one request
    /// whatever their products (a bulk fix of one image on each of 1,000 products is 4 writes,
    /// not 1,000 reads and 1,000 writes). Without `write_files`, the older per-product call.
    pub(crate) async fn set_alt_texts_across(
        &self,
        edits: &[(ProductId, AltEdit)],
    ) -> Result<BatchOutcome, StoreError> {
        let mut outcome = BatchOutcome::default();
        let mut ok: Vec<(ProductId, AltEdit)> = Vec::new();
        for (product, e) in edits {
            match validate::alt_text(&e.media.0, &e.alt, Platform::Shopify) {
                Ok(alt) => ok.push((product.clone(), AltEdit { media: e.media.clone(), alt })),
                Err(refused) => outcome.failed.push(refused),
            }
        }
        if ok.is_empty() {
            return Ok(outcome);
        }
        if !self.lacks_write_files.load(Ordering::Relaxed) {
            let ids: Vec<MediaId> = ok.iter().map(|(_, e)| e.media.clone()).collect();
            let inputs = ok.iter().map(|(_, e)| json!({"id": e.media.0, "alt": e.alt})).collect();
            match self.file_update(&ids, inputs).await {
                // `set_alt_texts` below meets the same refusal and switches to the older call.
                Err(StoreError::MissingScope { scope, .. }) if scope == "write_files" => {}
                other => {
                    let r = other?;
                    outcome.done.extend(r.done);
                    outcome.failed.extend(r.failed);
                    return Ok(outcome);
                }
            }
        }
        // Without `write_files`: one product at a time through the older per-product call.
        let mut seen = std::collections::BTreeSet::new();
        let products: Vec<&ProductId> = ok.iter().map(|(p, _)| p).filter(|p| seen.insert(*p)).collect();
        for product in products {
            let mine: Vec<AltEdit> = ok.iter().filter(|(p, _)| p == product).map(|(_, e)| e.clone()).collect();
            let r = self.set_alt_texts(product, &mine).await?;
            outcome.done.extend(r.done);
            outcome.failed.extend(r.failed);
            outcome.notice = outcome.notice.or(r.notice);
        }
        Ok(outcome)
    }

    /// Reorder: send the fewest moves, wait for the job, read the order back; if Shopify's
    /// order differs, send every position once more.
    pub(crate) async fn reorder_media(&self, product: &ProductId, order: &[MediaId]) -> Result<(), StoreError> {
        let current = self.media_ids(product).await?;
        let Some(moves) = crate::order::fewest_moves(&current, order) else {
            return Err(StoreError::order_mismatch(&current, order));
        };
        if moves.is_empty() {
            return Ok(());
        }
        self.run_moves(product, &moves).await?;
        if self.media_ids(product).await? == order {
            return Ok(());
        }
        let all: Vec<(MediaId, usize)> = order.iter().cloned().enumerate().map(|(i, m)| (m, i)).collect();
        self.run_moves(product, &all).await?;
        let now = self.media_ids(product).await?;
        if now == order {
            Ok(())
        } else {
            Err(StoreError::Server {
                status: 200,
                message: "Shopify finished the reorder job but the order read back differs".into(),
            })
        }
    }

    async fn run_moves(&self, product: &ProductId, moves: &[(MediaId, usize)]) -> Result<(), StoreError> {
        for chunk in moves.chunks(BATCH) {
            let moves: Vec<Value> =
                chunk.iter().map(|(id, pos)| json!({"id": id.0, "newPosition": pos.to_string()})).collect();
            let data: ReorderData =
                self.transport.run(&documents::REORDER, json!({"id": product.0, "moves": moves}), Repeat::Safe).await?;
            let payload = data.product_reorder_media.ok_or_else(|| StoreError::Server {
                status: 200,
                message: "productReorderMedia answered null".into(),
            })?;
            if let Some(e) = payload.media_user_errors.first() {
                return Err(match e.code.as_deref() {
                    Some("PRODUCT_DOES_NOT_EXIST") => StoreError::NotFound { what: format!("product {product}") },
                    _ => StoreError::Invalid {
                        field: e.field.clone().unwrap_or_default(),
                        code: e.code.clone().unwrap_or_default(),
                        message: e.message.clone(),
                    },
                });
            }
            let job = payload
                .job
                .and_then(|j| j.id)
                .ok_or_else(|| StoreError::Server { status: 200, message: "no job to wait for".into() })?;
            self.wait_for_job(&job).await?;
        }
        Ok(())
    }

    async fn wait_for_job(&self, job: &str) -> Result<(), StoreError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(100);
        loop {
            let data: JobData = self.transport.run(&documents::JOB, json!({"id": job}), Repeat::Safe).await?;
            if data.job.and_then(|j| j.done).unwrap_or(true) {
                return Ok(());
            }
            if started.elapsed() > JOB_TIMEOUT {
                return Err(StoreError::Server {
                    status: 200,
                    message: format!("job {job} did not finish in {} s", JOB_TIMEOUT.as_secs()),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    /// The product's media ids in position order.
    pub(crate) async fn media_ids(&self, product: &ProductId) -> Result<Vec<MediaId>, StoreError> {
        Ok(self.media_states(product).await?.into_iter().map(|(id, _)| id).collect())
    }

    /// The product's media ids with their statuses and errors, in position order.
    pub(crate) async fn media_states(&self, product: &ProductId) -> Result<Vec<(MediaId, MediaNode)>, StoreError> {
        let (_, nodes) = self.media_pages(product, &documents::MEDIA_IDS, BATCH as u32).await?;
        Ok(nodes.into_iter().filter_map(|n| Some((MediaId(n.id.clone()?), n))).collect())
    }

    /// Detach media from a product (`referencesToRemove`); the files stay in the library. Media
    /// not on the product are reported, not sent: Shopify would answer "done" and change nothing.
    pub(crate) async fn remove_media(
        &self,
        product: &ProductId,
        media: &[MediaId],
    ) -> Result<BatchOutcome, StoreError> {
        let on_product = self.media_ids(product).await?;
        let (there, absent): (Vec<MediaId>, Vec<MediaId>) = media.iter().cloned().partition(|m| on_product.contains(m));
        let inputs = there.iter().map(|m| json!({"id": m.0, "referencesToRemove": [product.0]})).collect();
        let mut outcome =
            if there.is_empty() { BatchOutcome::default() } else { self.file_update(&there, inputs).await? };
        outcome.failed.extend(absent.iter().map(|m| not_on_product(product, m)));
        Ok(outcome)
    }

    /// Attach library files to a product again (`referencesToAdd`): how a removal is undone.
    pub(crate) async fn add_media(&self, product: &ProductId, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        let inputs = media.iter().map(|m| json!({"id": m.0, "referencesToAdd": [product.0]})).collect();
        self.file_update(media, inputs).await
    }

    /// Delete files permanently (`fileDelete`), in batches; unknown ids are reported, the rest sent again.
    pub(crate) async fn delete_files(&self, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        let mut outcome = BatchOutcome::default();
        for chunk in media.chunks(BATCH) {
            let mut pending: Vec<&MediaId> = chunk.iter().collect();
            while !pending.is_empty() {
                let ids: Vec<&str> = pending.iter().map(|m| m.0.as_str()).collect();
                let data: FileDeleteData =
                    self.transport.run(&documents::FILE_DELETE, json!({"ids": ids}), Repeat::Safe).await?;
                let payload = data
                    .file_delete
                    .ok_or_else(|| StoreError::Server { status: 200, message: "fileDelete answered null".into() })?;
                let missing = unknown_files(&payload.user_errors);
                if !missing.is_empty() && payload.deleted_file_ids.is_none() {
                    report_unknown(&missing, "fileIds", &mut outcome);
                    let before = pending.len();
                    pending.retain(|m| !missing.contains(&m.0));
                    if pending.len() == before {
                        break;
                    }
                    continue;
                }
                let deleted: Vec<String> = payload.deleted_file_ids.unwrap_or_default();
                outcome.done.extend(deleted.iter().map(|d| MediaId(d.clone())));
                for e in &payload.user_errors {
                    let idx = index_of(e, "fileIds");
                    outcome.failed.push(item_error(e, idx.and_then(|i| pending.get(i).copied())));
                }
                break;
            }
        }
        Ok(outcome)
    }

    /// Rename a file; the extension stays what it was (added when the new name has none).
    pub(crate) async fn rename_file(&self, media: &MediaId, filename: &str) -> Result<(), StoreError> {
        let name = filename.trim();
        if name.is_empty() || name.contains('/') || name.contains('\\') {
            return Err(StoreError::Invalid {
                field: vec!["filename".into()],
                code: "INVALID_FILENAME".into(),
                message: format!("`{filename}` is not a file name"),
            });
        }
        let current = self.current_filename(media).await?;
        let ext = current.rsplit_once('.').map(|(_, e)| e.to_string());
        let name = match (name.rsplit_once('.'), &ext) {
            (Some((_, e)), Some(old)) if !e.eq_ignore_ascii_case(old) => {
                return Err(StoreError::Invalid {
                    field: vec!["filename".into()],
                    code: "INVALID_FILENAME_EXTENSION".into(),
                    message: format!("The file is a .{old}; its new name must end in .{old} too"),
                });
            }
            (Some(_), _) => name.to_string(),
            (None, Some(old)) => format!("{name}.{old}"),
            (None, None) => name.to_string(),
        };
        let outcome =
            self.file_update(std::slice::from_ref(media), vec![json!({"id": media.0, "filename": name})]).await?;
        single(outcome)
    }

    /// A file's name now: its own, or the last part of its URL.
    pub(crate) async fn current_filename(&self, media: &MediaId) -> Result<String, StoreError> {
        #[derive(Deserialize)]
        struct Data {
            files: super::wire::Connection<FileName>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct FileName {
            filename: Option<String>,
            url: Option<String>,
            original_source: Option<super::wire::Source>,
        }
        let numeric = media.0.rsplit('/').next().unwrap_or_default();
        let data: Data =
            self.transport.run(&documents::FILE_NAME, json!({"query": format!("id:{numeric}")}), Repeat::Safe).await?;
        let file = data
            .files
            .into_items()
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound { what: format!("file {media}") })?;
        let from_url = |u: &str| u.split('?').next().and_then(|p| p.rsplit('/').next()).map(str::to_string);
        Ok(file
            .filename
            .or_else(|| file.url.as_deref().and_then(from_url))
            .or_else(|| file.original_source.and_then(|s| s.url).as_deref().and_then(from_url))
            .unwrap_or_default())
    }

    /// Clear failed updates: FAILED files go back to READY.
    pub(crate) async fn acknowledge(&self, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        let mut outcome = BatchOutcome::default();
        for chunk in media.chunks(BATCH) {
            let ids: Vec<&str> = chunk.iter().map(|m| m.0.as_str()).collect();
            let data: AcknowledgeData =
                self.transport.run(&documents::FILE_ACKNOWLEDGE, json!({"ids": ids}), Repeat::Safe).await?;
            let payload = data.file_acknowledge_update_failed.ok_or_else(|| StoreError::Server {
                status: 200,
                message: "fileAcknowledgeUpdateFailed answered null".into(),
            })?;
            outcome.done.extend(payload.files.unwrap_or_default().into_iter().filter_map(|f| f.id.map(MediaId)));
            let by_index: HashMap<usize, &MediaId> = chunk.iter().enumerate().collect();
            for e in &payload.user_errors {
                outcome.failed.push(item_error(e, index_of(e, "fileIds").and_then(|i| by_index.get(&i).copied())));
            }
        }
        Ok(outcome)
    }
}

/// The one item of a one-item batch, as a plain result.
pub(crate) fn single(outcome: BatchOutcome) -> Result<(), StoreError> {
    match outcome.failed.into_iter().next() {
        None => Ok(()),
        Some(e) => Err(StoreError::Invalid { field: e.field, code: e.code, message: e.message }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_ids_are_read_from_shopifys_message() {
        assert_eq!(
            missing_ids("File id [\"gid://shopify/GenericFile/999999\"] does not exist."),
            vec!["gid://shopify/GenericFile/999999".to_string()]
        );
        assert!(missing_ids("nothing here").is_empty());
    }

    #[test]
    fn error_indices_come_from_the_field_path() {
        let e = UserError {
            field: Some(vec!["files".into(), "3".into(), "alt".into()]),
            message: String::new(),
            code: None,
        };
        assert_eq!(index_of(&e, "files"), Some(3));
        assert_eq!(index_of(&e, "media"), None);
    }
}
