//! Uploading dropped or picked files: read, check locally, send with per-file progress, follow
//! processing, and report each file's state so the grid can show a tile for it from the start.

use std::path::PathBuf;
use std::sync::Arc;

use super::{Command, Ctx, Event, JobState, UploadState, describe, next_job, refresh};
use crate::model::{MediaId, MediaStatus, ProductId};
use crate::store::{FileOutcome, ProgressFn, StoreError, UploadFile, validate};

/// Upload `paths` to `product`; `batch` names the files' events.
pub(super) async fn run(ctx: &Ctx, product: ProductId, paths: Vec<PathBuf>, batch: u64, replace_failed: Vec<MediaId>) {
    let send = &ctx.send;
    let paths = unique(expand_folders(paths).await).await;
    let names = paths.iter().map(|p| file_name(p)).collect();
    send(Event::UploadQueued { batch, product: product.clone(), names });
    let file_state = |index: usize, state: UploadState| send(Event::Upload { batch, index, state });
    let job = next_job(ctx);
    let title = format!("Uploading {} file{}", paths.len(), if paths.len() == 1 { "" } else { "s" });
    send(Event::Activity { job, title: title.clone(), state: JobState::Running(Some(0.0)) });
    let store = ctx.store();
    if !replace_failed.is_empty() {
        clear_failed(ctx, &product, &replace_failed).await;
    }
    let mut tally = Tally::default();
    // Files that cannot be read or fail the platform's rules get their reason now and are not sent.
    let (files, origin) = read_and_check(&paths, store.platform(), &file_state, &mut tally).await;
    let result = if files.is_empty() {
        Ok(Vec::new())
    } else {
        let share =
            |share: f32| send(Event::Activity { job, title: title.clone(), state: JobState::Running(Some(share)) });
        send_with_progress(store.as_ref(), &product, files, &origin, &file_state, &share).await
    };
    let state = match result {
        Ok(results) => {
            for (outcome, &index) in results.iter().zip(&origin) {
                tally.count(ctx, outcome, &paths[index], index, &file_state);
            }
            tally.job_state(paths.len())
        }
        Err(e) => {
            let message = describe(&e);
            for &index in &origin {
                file_state(index, UploadState::Failed(message.clone()));
                tally.retry.push(paths[index].clone());
            }
            JobState::Failed { message, detail: e.to_string() }
        }
    };
    if !tally.retry.is_empty() {
        let command =
            Command::Upload { product: product.clone(), paths: tally.retry, batch, replace_failed: tally.failed_media };
        send(Event::Retry { job, command: Box::new(command) });
    }
    send(Event::Activity { job, title, state });
    refresh(ctx, &product).await;
}

/// Read each file and check it against the platform's rules: the files to send, and for each
/// the index of its path. A file refused here gets its reason on its tile and in `tally`.
async fn read_and_check(
    paths: &[PathBuf],
    platform: crate::model::Platform,
    file_state: &(dyn Fn(usize, UploadState) + Sync),
    tally: &mut Tally,
) -> (Vec<UploadFile>, Vec<usize>) {
    let mut files = Vec::new();
    let mut origin = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let filename = file_name(path);
        let bytes = match tokio::fs::read(path).await {
            Ok(b) => bytes::Bytes::from(b),
            Err(e) => {
                let reason = format!("cannot be read: {e}");
                file_state(i, UploadState::Failed(reason.clone()));
                tally.refused.push(format!("{filename}: {reason}"));
                continue;
            }
        };
        // Decoding a large image takes a while: off the async workers.
        let (name, content) = (filename.clone(), bytes.clone());
        let checked = tokio::task::spawn_blocking(move || {
            validate::check(&name, &content, platform).map(|_| ()).map_err(|e| e.message)
        })
        .await
        .unwrap_or_else(|e| Err(format!("could not be checked ({e})")));
        if let Err(reason) = checked {
            file_state(i, UploadState::Failed(reason.clone()));
            tally.refused.push(format!("{filename}: {reason}"));
            continue;
        }
        files.push(UploadFile { filename, bytes, alt: None });
        origin.push(i);
    }
    (files, origin)
}

/// Send the files, reporting each file's progress to its tile and the whole batch's `share`.
async fn send_with_progress(
    store: &dyn crate::store::Store,
    product: &ProductId,
    files: Vec<UploadFile>,
    origin: &[usize],
    file_state: &(dyn Fn(usize, UploadState) + Sync),
    share: &(dyn Fn(f32) + Sync),
) -> Result<Vec<FileOutcome>, StoreError> {
    let total: u64 = files.iter().map(|f| f.bytes.len() as u64).sum::<u64>().max(1);
    let mut sent_by_file = vec![0u64; files.len()];
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, u64, u64)>();
    let progress: ProgressFn = Arc::new(move |i, sent, of| {
        // The upload finished when this fails: nothing is left to show.
        let _ = tx.send((i, sent, of));
    });
    let upload = store.upload(product, files, progress);
    tokio::pin!(upload);
    loop {
        tokio::select! {
            r = &mut upload => return r,
            Some((i, sent, of)) = rx.recv() => {
                let Some(&index) = origin.get(i) else { continue };
                sent_by_file[i] = sent;
                let state = if sent >= of { UploadState::Processing } else { UploadState::Sending(sent as f32 / of.max(1) as f32) };
                file_state(index, state);
                // The last tenth is processing and the read back.
                share(sent_by_file.iter().sum::<u64>() as f32 / total as f32 * 0.9);
            }
        }
    }
}

/// How a batch's files ended: what to say, and what Retry sends again.
#[derive(Default)]
struct Tally {
    /// "name: reason" of each file not uploaded.
    refused: Vec<String>,
    /// The files Retry sends again.
    retry: Vec<PathBuf>,
    /// Media the store created but failed to process: deleted before a retry.
    failed_media: Vec<MediaId>,
    /// Files sent whose attachment could not be confirmed.
    unconfirmed: Vec<String>,
}

impl Tally {
    /// One file's outcome: its tile's state, and what the job says about it.
    fn count(
        &mut self,
        ctx: &Ctx,
        outcome: &FileOutcome,
        path: &std::path::Path,
        index: usize,
        file_state: &(dyn Fn(usize, UploadState) + Sync),
    ) {
        match outcome {
            FileOutcome::Attached(m) if m.status == MediaStatus::Failed => {
                let why = m.errors.first().cloned().unwrap_or_else(|| "no reason given".into());
                let reason = format!("the store could not process this file: {why}");
                file_state(index, UploadState::Failed(reason.clone()));
                self.refused.push(format!("{}: {reason}", file_name(path)));
                self.retry.push(path.to_path_buf());
                self.failed_media.push(m.id.clone());
                (ctx.send)(Event::MediaNamed { media: m.id.clone(), name: file_name(path) });
            }
            FileOutcome::Attached(_) => file_state(index, UploadState::Done),
            // Not retried: it may be on the product; the refresh after the batch shows what is.
            FileOutcome::Unconfirmed { file, reason, .. } => {
                file_state(index, UploadState::Done);
                tracing::warn!(file = %file, reason = %reason, "upload not confirmed");
                self.unconfirmed.push(file.clone());
            }
            FileOutcome::Failed(e) => {
                file_state(index, UploadState::Failed(e.message.clone()));
                self.refused.push(format!("{}: {} ({})", e.item.clone().unwrap_or_default(), e.message, e.code));
                self.retry.push(path.to_path_buf());
            }
        }
    }

    /// The job's state once every file of `total` is counted.
    fn job_state(&self, total: usize) -> JobState {
        if self.refused.is_empty() && self.unconfirmed.is_empty() {
            JobState::Done
        } else if self.refused.is_empty() {
            let message = format!(
                "{} of {total} files were sent but could not be confirmed; the product is read again to show them",
                self.unconfirmed.len(),
            );
            JobState::Failed { message, detail: format!("not confirmed: {}", self.unconfirmed.join(", ")) }
        } else {
            let mut message = format!("{} of {total} files were not uploaded", self.refused.len());
            if !self.failed_media.is_empty() {
                message.push_str("; Retry deletes the media that failed processing first");
            }
            JobState::Failed { message, detail: self.refused.join("; ") }
        }
    }
}

/// A path's file name, as the store will name the file.
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.display().to_string())
}

/// Folders bring the files directly inside them, in name order; other paths stay as they are.
async fn expand_folders(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        let Ok(mut entries) = tokio::fs::read_dir(&p).await else {
            out.push(p);
            continue;
        };
        let mut files = Vec::new();
        while let Ok(Some(e)) = entries.next_entry().await {
            if e.file_type().await.is_ok_and(|t| t.is_file()) {
                files.push(e.path());
            }
        }
        files.sort();
        out.extend(files);
    }
    out
}

/// Delete the media an earlier try left behind in a failed state (or detach them where the store
/// has no delete); a failure is logged and the upload goes on.
async fn clear_failed(ctx: &Ctx, product: &ProductId, media: &[MediaId]) {
    let store = ctx.store();
    let result = match store.delete(media).await {
        Err(StoreError::Unsupported { .. }) => store.remove_from_product(product, media).await,
        other => other,
    };
    match result {
        Ok(o) if o.failed.is_empty() => {}
        Ok(o) => tracing::warn!(failed = o.failed.len(), "some failed media could not be deleted before the retry"),
        Err(e) => tracing::warn!(error = %e, "the failed media could not be deleted before the retry"),
    }
}

/// The paths without repeats: the same file named twice (or two paths to the same file) is
/// sent once; the repeat is logged.
async fn unique(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for p in paths {
        let key = tokio::fs::canonicalize(&p).await.unwrap_or_else(|_| p.clone());
        if seen.contains(&key) {
            tracing::info!(path = %p.display(), "the same file was given twice; it is sent once");
            continue;
        }
        seen.push(key);
        out.push(p);
    }
    out
}
