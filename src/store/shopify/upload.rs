//! Uploading to Shopify: check locally, stage the batch, send each file to its target with
//! byte-level progress, attach them all in one `productUpdate`, then follow processing until
//! every new media is READY or FAILED. No step can create the same media twice.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ShopifyStore;
use super::documents;
use super::transport::Repeat;
use super::wire::{MediaNode, ProductUpdatePayload, StagedTarget, StagedUploadsCreatePayload};
use super::writes::BATCH;
use crate::model::{Media, MediaId, MediaKind, MediaStatus, Platform, ProductId};
use crate::store::validate::{self, Checked};
use crate::store::{FileOutcome, ItemError, ProgressFn, StoreError, UploadFile};

/// Files sent to staged targets at the same time.
const PARALLEL_SENDS: usize = 6;
/// Attempts to send one file to its target.
const SEND_ATTEMPTS: u32 = 4;
/// How long processing may take before mediadesk stops waiting (the media stays on the product).
const PROCESSING_TIMEOUT: Duration = Duration::from_secs(600);

/// Attempts at attaching, each after a read that confirmed the last one attached nothing.
const ATTACH_ATTEMPTS: u32 = 3;
/// Extra rounds of reading a product back after an attach, beyond the transport's retries.
const CONFIRM_ROUNDS: u32 = 3;

/// What an attach did.
enum Attached {
    /// These media are new on the product, in the order the files were sent.
    Ids(Vec<MediaId>),
    /// The files may be on the product, but the store could not be read to tell; why.
    Unknown(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StagedData {
    staged_uploads_create: Option<StagedUploadsCreatePayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttachData {
    product_update: Option<ProductUpdatePayload>,
}

#[derive(Deserialize)]
struct FileStatusData {
    files: super::wire::Connection<MediaNode>,
}

fn failed(file: &str, code: &str, message: impl Into<String>) -> ItemError {
    ItemError { item: Some(file.to_string()), field: vec![], code: code.into(), message: message.into() }
}

fn resource(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "IMAGE",
        MediaKind::Video => "VIDEO",
        _ => "MODEL_3D",
    }
}

fn content_type(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "IMAGE",
        MediaKind::Video => "VIDEO",
        MediaKind::ExternalVideo => "EXTERNAL_VIDEO",
        MediaKind::Model3d => "MODEL_3D",
    }
}

/// One file on its way to its staged target.
struct SendJob {
    index: usize,
    file: UploadFile,
    mime: String,
    kind: MediaKind,
    target: Result<StagedTarget, ItemError>,
}

/// A file that reached its target.
struct Sent {
    index: usize,
    resource_url: String,
    kind: MediaKind,
}

impl ShopifyStore {
    /// Ask for upload targets for checked files; errors name the file.
    async fn stage(
        &self,
        files: &[(usize, &UploadFile, Checked)],
    ) -> Result<Vec<Result<StagedTarget, ItemError>>, StoreError> {
        let mut out = Vec::new();
        for chunk in files.chunks(BATCH) {
            let input: Vec<Value> = chunk
                .iter()
                .map(|(_, f, c)| {
                    json!({
                        "resource": resource(c.kind),
                        "filename": f.filename,
                        "mimeType": c.mime,
                        "httpMethod": "POST",
                        "fileSize": f.bytes.len().to_string(),
                    })
                })
                .collect();
            // Staging creates nothing on the product: asking twice is harmless.
            let data: StagedData =
                self.transport.run(&documents::STAGED_UPLOADS, json!({"input": input}), Repeat::Safe).await?;
            let payload = data.staged_uploads_create.ok_or_else(|| StoreError::Server {
                status: 200,
                message: "stagedUploadsCreate answered null".into(),
            })?;
            let errors = payload.user_errors;
            let mut targets = payload.staged_targets.unwrap_or_default().into_iter();
            for (i, (_, f, _)) in chunk.iter().enumerate() {
                let mine: Vec<_> = errors
                    .iter()
                    .filter(|e| {
                        e.field.as_ref().and_then(|p| p.get(1)).and_then(|n| n.parse::<usize>().ok()) == Some(i)
                    })
                    .collect();
                if let Some(e) = mine.first().copied().or(errors.first()) {
                    out.push(Err(failed(&f.filename, "STAGING_REFUSED", e.message.clone())));
                } else {
                    match targets.next() {
                        Some(t) => out.push(Ok(t)),
                        None => out.push(Err(failed(&f.filename, "STAGING_REFUSED", "Shopify gave no upload target"))),
                    }
                }
            }
        }
        Ok(out)
    }

    /// Send one file to its staged target (multipart POST, parameters first, file last).
    async fn send_to_target(
        &self,
        target: &StagedTarget,
        file: &UploadFile,
        mime: &str,
        index: usize,
        progress: &ProgressFn,
    ) -> Result<(), ItemError> {
        let url = target
            .url
            .clone()
            .ok_or_else(|| failed(&file.filename, "STAGING_REFUSED", "the upload target has no URL"))?;
        let url = reqwest::Url::parse(&url)
            .map_err(|e| failed(&file.filename, "STAGING_REFUSED", format!("bad upload URL: {e}")))?;
        if url.scheme() != "https" && !super::endpoint::is_loopback(&url) {
            return Err(failed(&file.filename, "STAGING_REFUSED", "the upload target is not HTTPS"));
        }
        let mut last = String::new();
        for attempt in 1..=SEND_ATTEMPTS {
            let mut form = reqwest::multipart::Form::new();
            for p in &target.parameters {
                form = form.text(p.name.clone(), p.value.clone());
            }
            let part = reqwest::multipart::Part::stream_with_length(
                crate::store::http::progress_body(file.bytes.clone(), index, progress.clone()),
                file.bytes.len() as u64,
            )
            .file_name(file.filename.clone())
            .mime_str(mime)
            .map_err(|e| failed(&file.filename, "UPLOAD_FAILED", e.to_string()))?;
            form = form.part("file", part);
            // Uploads carry no token: the target is authorised by its signed parameters.
            match self
                .transport
                .http()
                .post(url.clone())
                .multipart(form)
                .timeout(Duration::from_secs(3600))
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => {
                    // The target has the whole file now: only this is 100 %.
                    progress(index, file.bytes.len() as u64, file.bytes.len() as u64);
                    return Ok(());
                }
                Ok(r) if r.status().is_server_error() => last = format!("the upload server answered {}", r.status()),
                Ok(r) => {
                    let status = r.status();
                    let body = r.text().await.unwrap_or_default();
                    let code = body
                        .split("<Code>")
                        .nth(1)
                        .and_then(|s| s.split('<').next())
                        .unwrap_or("UPLOAD_REFUSED")
                        .to_string();
                    let message =
                        body.split("<Message>").nth(1).and_then(|s| s.split('<').next()).unwrap_or("").to_string();
                    return Err(failed(&file.filename, &code, format!("the upload was refused ({status}): {message}")));
                }
                Err(e) => last = format!("the connection broke off: {}", e.without_url()),
            }
            // Sending again to the same target overwrites the same object: nothing is duplicated.
            tokio::time::sleep(Duration::from_millis(300 * 2u64.pow(attempt - 1))).await;
        }
        Err(failed(&file.filename, "UPLOAD_FAILED", last))
    }

    /// The media ids that are on the product now and were not `before`. A read that fails after
    /// the transport's own retries is tried a few more times, further apart: this read decides
    /// whether a file is reported as attached, and a wrong "failed" leads to a duplicate.
    async fn new_media_ids(&self, product: &ProductId, before: &[MediaId]) -> Result<Vec<MediaId>, StoreError> {
        let mut pause = Duration::from_millis(400);
        let mut rounds = 0;
        loop {
            match self.media_ids(product).await {
                Ok(after) => return Ok(after.into_iter().filter(|m| !before.contains(m)).collect()),
                Err(e) if e.is_transient() && rounds < CONFIRM_ROUNDS => {
                    rounds += 1;
                    tracing::debug!(error = %e, rounds, "reading the product back after attaching failed; trying again");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Attach sent files as new media. `Err` only when nothing was attached (Shopify refused, or
    /// a read confirmed it); if an answer is lost, the product is read before anything is sent again.
    async fn attach(&self, product: &ProductId, before: &[MediaId], media: Vec<Value>) -> Result<Attached, StoreError> {
        let vars = json!({"product": {"id": product.0}, "media": media});
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.transport.run::<AttachData>(&documents::ATTACH_MEDIA, vars.clone(), Repeat::Unsafe).await {
                Ok(data) => {
                    let payload = data.product_update.ok_or_else(|| StoreError::Server {
                        status: 200,
                        message: "productUpdate answered null".into(),
                    })?;
                    if let Some(e) = payload.user_errors.first() {
                        return Err(StoreError::Invalid {
                            field: e.field.clone().unwrap_or_default(),
                            code: e.code.clone().unwrap_or_else(|| "INVALID".into()),
                            message: e.message.clone(),
                        });
                    }
                    return Ok(match self.new_media_ids(product, before).await {
                        Ok(ids) => Attached::Ids(ids),
                        Err(e) => Attached::Unknown(format!(
                            "Shopify attached it, but the product could not be read back ({e})"
                        )),
                    });
                }
                Err(e) if e.is_transient() => match self.new_media_ids(product, before).await {
                    Ok(created) if !created.is_empty() => return Ok(Attached::Ids(created)),
                    // Confirmed: nothing was attached, so sending again cannot duplicate.
                    Ok(_) if attempts < ATTACH_ATTEMPTS => {}
                    Ok(_) => return Err(e),
                    Err(read) => {
                        return Ok(Attached::Unknown(format!(
                            "the answer to the attach was lost ({e}) and the product could not be read back ({read})"
                        )));
                    }
                },
                Err(e) => return Err(e),
            }
        }
    }

    /// Wait until every listed media is READY or FAILED (or the wait times out).
    async fn follow_processing(&self, product: &ProductId, ids: &[MediaId]) -> Result<(), StoreError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(250);
        loop {
            let states = self.media_states(product).await?;
            let pending = states
                .iter()
                .filter(|(id, n)| ids.contains(id) && !n.status().is_some_and(MediaStatus::is_final))
                .count();
            if pending == 0 || started.elapsed() > PROCESSING_TIMEOUT {
                return Ok(());
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 3 / 2).min(Duration::from_secs(3));
        }
    }

    /// The whole upload; one result per file, in order.
    pub(crate) async fn upload_files(
        &self,
        product: &ProductId,
        files: Vec<UploadFile>,
        progress: ProgressFn,
    ) -> Result<Vec<FileOutcome>, StoreError> {
        let mut results: Vec<Option<FileOutcome>> = (0..files.len()).map(|_| None).collect();
        let before = self.media_ids(product).await?;
        let room = Platform::Shopify.limits().media_per_product.saturating_sub(before.len());
        let mut checked = Vec::new();
        let mut alts: Vec<Option<String>> = vec![None; files.len()];
        for (i, f) in files.iter().enumerate() {
            match validate::check(&f.filename, &f.bytes, Platform::Shopify) {
                Err(e) => results[i] = Some(FileOutcome::Failed(e)),
                Ok(_) if checked.len() >= room => {
                    results[i] = Some(FileOutcome::Failed(failed(
                        &f.filename,
                        "PRODUCT_MEDIA_LIMIT_EXCEEDED",
                        format!("the product already holds {} media; Shopify allows 250", before.len()),
                    )));
                }
                Ok(c) => match f.alt.as_deref().map(|a| validate::alt_text(&f.filename, a, Platform::Shopify)) {
                    // The alt text is checked and normalised as any alt edit is.
                    Some(Err(e)) => results[i] = Some(FileOutcome::Failed(e)),
                    normalised => {
                        alts[i] = normalised.and_then(Result::ok);
                        checked.push((i, f, c));
                    }
                },
            }
        }
        let targets = self.stage(&checked).await?;
        // Owned jobs: the sends run concurrently inside a Send future.
        let jobs: Vec<SendJob> = checked
            .iter()
            .zip(targets)
            .map(|((i, f, c), target)| SendJob {
                index: *i,
                file: (*f).clone(),
                mime: c.mime.to_string(),
                kind: c.kind,
                target,
            })
            .collect();
        let sends: Vec<Result<Sent, (usize, ItemError)>> = futures_util::stream::iter(jobs)
            .map(|job| {
                let progress = progress.clone();
                async move {
                    let i = job.index;
                    let target = job.target.map_err(|e| (i, e))?;
                    self.send_to_target(&target, &job.file, &job.mime, i, &progress).await.map_err(|e| (i, e))?;
                    Ok(Sent { index: i, resource_url: target.resource_url.unwrap_or_default(), kind: job.kind })
                }
            })
            .buffered(PARALLEL_SENDS)
            .collect()
            .await;
        let mut sent = Vec::new();
        for r in sends {
            match r {
                Ok(s) => sent.push(s),
                Err((i, e)) => results[i] = Some(FileOutcome::Failed(e)),
            }
        }
        if !sent.is_empty() {
            let media: Vec<Value> = sent
                .iter()
                .map(|Sent { index: i, resource_url: url, kind }| {
                    let mut m = json!({"originalSource": url, "mediaContentType": content_type(*kind)});
                    if let Some(alt) = &alts[*i] {
                        m["alt"] = json!(alt);
                    }
                    m
                })
                .collect();
            let outcomes = match self.attach(product, &before, media).await {
                Ok(Attached::Ids(new_ids)) => self.confirm(product, &files, &sent, &new_ids).await,
                Ok(Attached::Unknown(reason)) => {
                    sent.iter().map(|s| FileOutcome::unconfirmed(&files[s.index], None, reason.clone())).collect()
                }
                // Shopify refused the attach (or a read showed nothing was attached): per file.
                Err(e) => sent
                    .iter()
                    .map(|s| FileOutcome::Failed(failed(&files[s.index].filename, &e.code(), e.to_string())))
                    .collect(),
            };
            for (s, outcome) in sent.iter().zip(outcomes) {
                results[s.index] = Some(outcome);
            }
        }
        Ok(FileOutcome::all(results))
    }

    /// After an attach: wait for processing and read the new media. Files attached but not
    /// readable now are reported as unconfirmed with their ids, never as failed.
    async fn confirm(
        &self,
        product: &ProductId,
        files: &[UploadFile],
        sent: &[Sent],
        new_ids: &[MediaId],
    ) -> Vec<FileOutcome> {
        let detail = match self.follow_processing(product, new_ids).await {
            Ok(()) => self.product_media_detail(product).await,
            Err(e) => Err(e),
        };
        sent.iter()
            .enumerate()
            .map(|(n, s)| match (new_ids.get(n), &detail) {
                (None, _) => FileOutcome::Failed(failed(
                    &files[s.index].filename,
                    "NOT_ATTACHED",
                    "Shopify did not attach this file",
                )),
                (Some(id), Ok(detail)) => match detail.iter().find(|m| &m.id == id) {
                    Some(m) => FileOutcome::Attached(m.clone()),
                    None => FileOutcome::Failed(failed(
                        &files[s.index].filename,
                        "MEDIA_VANISHED",
                        "the media was attached but is gone now",
                    )),
                },
                (Some(id), Err(e)) => FileOutcome::unconfirmed(
                    &files[s.index],
                    Some(id.clone()),
                    format!("attached as {id}, but its processing could not be followed ({e})"),
                ),
            })
            .collect()
    }

    async fn product_media_detail(&self, product: &ProductId) -> Result<Vec<Media>, StoreError> {
        use crate::store::Store;
        Ok(self.product_media(product).await?.media)
    }

    /// Upload one checked image to a staged target; its resource URL.
    async fn stage_one_image(&self, file: &UploadFile) -> Result<String, StoreError> {
        let checked = validate::check(&file.filename, &file.bytes, Platform::Shopify)
            .map_err(|e| StoreError::Invalid { field: vec!["file".into()], code: e.code, message: e.message })?;
        if checked.kind != MediaKind::Image {
            return Err(StoreError::Invalid {
                field: vec!["file".into()],
                code: "UNSUPPORTED_FILE_TYPE".into(),
                message: format!("{} is not an image", file.filename),
            });
        }
        let target = self.stage(&[(0, file, checked.clone())]).await?.remove(0).map_err(|e| StoreError::Invalid {
            field: vec![],
            code: e.code,
            message: e.message,
        })?;
        let quiet: ProgressFn = Arc::new(|_, _, _| {});
        self.send_to_target(&target, file, checked.mime, 0, &quiet).await.map_err(|e| StoreError::Invalid {
            field: vec![],
            code: e.code,
            message: e.message,
        })?;
        target
            .resource_url
            .ok_or_else(|| StoreError::Server { status: 200, message: "the upload target has no resource URL".into() })
    }

    /// Wait for one file to finish processing; the error if it failed.
    async fn follow_file(&self, media: &MediaId) -> Result<(), StoreError> {
        let numeric = media.0.rsplit('/').next().unwrap_or_default().to_string();
        let started = Instant::now();
        let mut pause = Duration::from_millis(250);
        loop {
            let data: FileStatusData = self
                .transport
                .run(&documents::FILE_STATUS, json!({"query": format!("id:{numeric}")}), Repeat::Safe)
                .await?;
            let node = data
                .files
                .into_items()
                .into_iter()
                .next()
                .ok_or_else(|| StoreError::NotFound { what: format!("file {media}") })?;
            match node.status() {
                Some(MediaStatus::Ready) => return Ok(()),
                Some(MediaStatus::Failed) => {
                    let e = node.file_errors.first().cloned();
                    return Err(StoreError::Invalid {
                        field: vec![],
                        code: e.as_ref().and_then(|e| e.code.clone()).unwrap_or_else(|| "PROCESSING_FAILED".into()),
                        message: e
                            .and_then(|e| e.message)
                            .unwrap_or_else(|| "Shopify could not process the new content".into()),
                    });
                }
                _ if started.elapsed() > PROCESSING_TIMEOUT => return Ok(()),
                _ => {}
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 3 / 2).min(Duration::from_secs(3));
        }
    }

    /// Replace an image's content (same id and URL): stage, `fileUpdate(originalSource:)`, wait.
    pub(crate) async fn replace_image(&self, media: &MediaId, file: UploadFile) -> Result<(), StoreError> {
        let url = self.stage_one_image(&file).await?;
        let outcome =
            self.file_update(std::slice::from_ref(media), vec![json!({"id": media.0, "originalSource": url})]).await?;
        super::writes::single(outcome)?;
        self.follow_file(media).await
    }

    /// Set a video's or 3D model's preview image: stage, `fileUpdate(previewImageSource:)`.
    pub(crate) async fn set_preview_image(&self, media: &MediaId, image: UploadFile) -> Result<(), StoreError> {
        let url = self.stage_one_image(&image).await?;
        let outcome = self
            .file_update(std::slice::from_ref(media), vec![json!({"id": media.0, "previewImageSource": url})])
            .await?;
        super::writes::single(outcome)
    }
}
