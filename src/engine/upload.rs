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
    let platform = store.platform();
    if !replace_failed.is_empty() {
        clear_failed(ctx, &product, &replace_failed).await;
    }
    // Files that cannot be read or fail the platform's rules get their reason now and are not sent.
    let mut files = Vec::new();
    let mut origin = Vec::new();
    let mut refused = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let filename = file_name(path);
        let bytes = match tokio::fs::read(path).await {
            Ok(b) => b,
            Err(e) => {
                let reason = format!("cannot be read: {e}");
                file_state(i, UploadState::Failed(reason.clone()));
                refused.push(format!("{filename}: {reason}"));
                continue;
            }
        };
        if let Err(e) = validate::check(&filename, &bytes, platform) {
            file_state(i, UploadState::Failed(e.message.clone()));
            refused.push(format!("{filename}: {}", e.message));
            continue;
        }
        files.push(UploadFile { filename, bytes: bytes.into(), alt: None });
        origin.push(i);
    }
    let total: u64 = files.iter().map(|f| f.bytes.len() as u64).sum::<u64>().max(1);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, u64, u64)>();
    let progress: ProgressFn = Arc::new(move |i, sent, of| {
        let _ = tx.send((i, sent, of));
    });
    let mut sent_by_file = vec![0u64; files.len()];
    let mut retry: Vec<PathBuf> = Vec::new();
    let result = if files.is_empty() {
        Ok(Vec::new())
    } else {
        let upload = store.upload(&product, files, progress);
        tokio::pin!(upload);
        loop {
            tokio::select! {
                r = &mut upload => break r,
                Some((i, sent, of)) = rx.recv() => {
                    let Some(&index) = origin.get(i) else { continue };
                    sent_by_file[i] = sent;
                    let state = if sent >= of { UploadState::Processing } else { UploadState::Sending(sent as f32 / of.max(1) as f32) };
                    file_state(index, state);
                    let share = sent_by_file.iter().sum::<u64>() as f32 / total as f32;
                    send(Event::Activity { job, title: title.clone(), state: JobState::Running(Some(share * 0.9)) });
                }
            }
        }
    };
    let mut failed_media = Vec::new();
    let mut unconfirmed = Vec::new();
    let state = match result {
        Ok(results) => {
            for (r, &index) in results.iter().zip(&origin) {
                match r {
                    FileOutcome::Attached(m) if m.status == MediaStatus::Failed => {
                        let why = m.errors.first().cloned().unwrap_or_else(|| "no reason given".into());
                        let reason = format!("the store could not process this file: {why}");
                        file_state(index, UploadState::Failed(reason.clone()));
                        refused.push(format!("{}: {reason}", file_name(&paths[index])));
                        retry.push(paths[index].clone());
                        failed_media.push(m.id.clone());
                        send(Event::MediaNamed { media: m.id.clone(), name: file_name(&paths[index]) });
                    }
                    FileOutcome::Attached(_) => file_state(index, UploadState::Done),
                    // Not retried: it may be on the product; the refresh below shows what is.
                    FileOutcome::Unconfirmed { file, reason, .. } => {
                        file_state(index, UploadState::Done);
                        tracing::warn!(file = %file, reason = %reason, "upload not confirmed");
                        unconfirmed.push(file.clone());
                    }
                    FileOutcome::Failed(e) => {
                        file_state(index, UploadState::Failed(e.message.clone()));
                        refused.push(format!("{}: {} ({})", e.item.clone().unwrap_or_default(), e.message, e.code));
                        retry.push(paths[index].clone());
                    }
                }
            }
            if refused.is_empty() && unconfirmed.is_empty() {
                JobState::Done
            } else if refused.is_empty() {
                let message = format!(
                    "{} of {} files were sent but could not be confirmed; the product is read again to show them",
                    unconfirmed.len(),
                    paths.len()
                );
                JobState::Failed { message, detail: format!("not confirmed: {}", unconfirmed.join(", ")) }
            } else {
                let mut message = format!("{} of {} files were not uploaded", refused.len(), paths.len());
                if !failed_media.is_empty() {
                    message.push_str("; Retry deletes the media that failed processing first");
                }
                JobState::Failed { message, detail: refused.join("; ") }
            }
        }
        Err(e) => {
            let message = describe(&e);
            for &index in &origin {
                file_state(index, UploadState::Failed(message.clone()));
                retry.push(paths[index].clone());
            }
            JobState::Failed { message, detail: e.to_string() }
        }
    };
    if !retry.is_empty() {
        let command = Command::Upload { product: product.clone(), paths: retry, batch, replace_failed: failed_media };
        send(Event::Retry { job, command: Box::new(command) });
    }
    send(Event::Activity { job, title, state });
    refresh(ctx, &product).await;
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
