//! Uploading dropped or picked files: read, check locally, send with per-file progress, follow
//! processing, and report each file's state so the grid can show a tile for it from the start.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{Command, Ctx, Event, JobState, UploadState, describe, next_job, refresh};
use crate::journal::{Applied, Change, Entry, Journal};
use crate::model::{MediaId, MediaStatus, ProductId};
use crate::store::{FileOutcome, ItemError, ProgressFn, StoreError, UploadFile, validate};

/// Upload `paths` to `product`; `batch` names the files' events.
pub(super) async fn run(
    ctx: &Arc<Ctx>,
    product: ProductId,
    paths: Vec<PathBuf>,
    batch: u64,
    replace_failed: Vec<MediaId>,
) {
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
        match super::journaled::current(ctx) {
            Some(journal) => {
                let sent = SentFiles { files, origin: &origin, paths: &paths };
                journaled(ctx, &journal, &product, sent, &file_state, &share, (job, &title)).await
            }
            // No data folder, or a journal that cannot be opened (the user was told).
            None => send_with_progress(store.as_ref(), &product, files, &origin, &file_state, &share)
                .await
                .map(|r| r.into_iter().map(Some).collect()),
        }
    };
    let state = match result {
        Ok(results) => {
            for (outcome, &index) in results.iter().zip(&origin) {
                match outcome {
                    Some(outcome) => tally.count(ctx, outcome, &paths[index], index, &file_state),
                    // Written down and waiting for the store: the probe sends it (`journaled::upload`).
                    None => {
                        file_state(index, UploadState::Waiting);
                        tally.waiting += 1;
                    }
                }
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
    // A batch with files waiting for the store stays "waiting" in the strip until they go out.
    if tally.waiting == 0 {
        send(Event::Activity { job, title, state });
    }
    refresh(ctx, &product).await;
}

/// Checked files on their way to the journal: the files, the index of each one's path, and
/// the paths.
struct SentFiles<'a> {
    /// The files, read and checked.
    files: Vec<UploadFile>,
    /// For each file, the index of its path in `paths`.
    origin: &'a [usize],
    /// Every path of the batch.
    paths: &'a [PathBuf],
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
    let sizes: Vec<u64> = files.iter().map(|f| f.bytes.len() as u64).collect();
    with_progress(&sizes, origin, file_state, share, |progress| store.upload(product, files, progress)).await
}

/// Run `work` (an upload of files of `sizes`), relaying the progress it reports (by file) to
/// each file's tile (`origin` maps a file to its path's index) and the whole batch's `share`.
async fn with_progress<T, F: std::future::Future<Output = T>>(
    sizes: &[u64],
    origin: &[usize],
    file_state: &(dyn Fn(usize, UploadState) + Sync),
    share: &(dyn Fn(f32) + Sync),
    work: impl FnOnce(ProgressFn) -> F,
) -> T {
    let total: u64 = sizes.iter().sum::<u64>().max(1);
    let mut sent_by_file = vec![0u64; sizes.len()];
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, u64, u64)>();
    let progress: ProgressFn = Arc::new(move |i, sent, of| {
        // The upload finished when this fails: nothing is left to show.
        let _ = tx.send((i, sent, of));
    });
    let upload = work(progress);
    tokio::pin!(upload);
    loop {
        tokio::select! {
            r = &mut upload => return r,
            Some((i, sent, of)) = rx.recv() => {
                let Some(&index) = origin.get(i) else { continue };
                if let Some(s) = sent_by_file.get_mut(i) {
                    *s = sent;
                }
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
    /// Files written down that wait for the store to answer.
    waiting: usize,
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
    if let Some(journal) = super::journaled::current(ctx) {
        // Written down like any delete (a file library) or removal (the file goes with it).
        let change = if store.capabilities().file_library {
            Change::Delete { media: media.to_vec() }
        } else {
            Change::Remove { media: media.to_vec(), order: Vec::new() }
        };
        let title = format!("Clearing {} media that failed processing", media.len());
        let (j, p) = (journal.clone(), product.clone());
        let written = super::journaled::blocking(move || crate::sync::lock(&j).write_down(&p, &title, &change, None));
        match written.await {
            Ok(entry) => match crate::journal::send(&journal, store.as_ref(), &entry, false).await {
                Ok((Applied::Confirmed | Applied::AlreadyThere, _)) => {}
                Ok((other, _)) => tracing::warn!(?other, "the failed media could not be cleared before the retry"),
                Err(e) => tracing::warn!(error = %e, "the failed media could not be cleared before the retry"),
            },
            Err(e) => tracing::warn!(error = %e, "the failed media were not cleared: the journal refused"),
        }
        return;
    }
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

/// Upload checked files through the journal: the product's media read first (to recognise
/// the files on it after a crash), each file written down with its path, size and hash, then
/// all sent together. A file the store did not answer for waits (`None`), and the probe sends
/// it once the store answers, after looking for it on the product.
async fn journaled(
    ctx: &Arc<Ctx>,
    journal: &Arc<Mutex<Journal>>,
    product: &ProductId,
    sent: SentFiles<'_>,
    file_state: &(dyn Fn(usize, UploadState) + Sync),
    share: &(dyn Fn(f32) + Sync),
    (job, title): (u64, &str),
) -> Result<Vec<Option<FileOutcome>>, StoreError> {
    let store = ctx.store();
    let before: Vec<MediaId> = store.media_alts(product, 250).await?.media.into_iter().map(|(m, _)| m).collect();
    let described: Vec<(std::path::PathBuf, UploadFile)> =
        sent.origin.iter().zip(&sent.files).map(|(&i, f)| (sent.paths[i].clone(), f.clone())).collect();
    let (j, p) = (journal.clone(), product.clone());
    // Hashing a large video takes a while: on the blocking pool with the commit.
    let entries = super::journaled::blocking(move || {
        let changes: Vec<(ProductId, String, Change)> = described
            .iter()
            .map(|(path, f)| {
                let file = crate::journal::Source::new(path, &f.filename, &f.bytes, f.alt.clone());
                (p.clone(), format!("Upload of {}", f.filename), Change::Upload { file, before: before.clone() })
            })
            .collect();
        let mut j = crate::sync::lock(&j);
        let ids = j.record_all(&changes, None)?;
        ids.into_iter().map(|id| j.entry(id)).collect::<Result<Vec<Entry>, _>>()
    })
    .await
    .map_err(|e| StoreError::Refused { code: "JOURNAL_FAILED".into(), message: format!("{e}; nothing was sent") })?;
    let sizes: Vec<u64> = sent.files.iter().map(|f| f.bytes.len() as u64).collect();
    let ready = entries.iter().zip(&sent.files).map(|(e, f)| (e.id, f.bytes.clone())).collect();
    let results = with_progress(&sizes, sent.origin, file_state, share, |progress| {
        crate::journal::upload_batch(journal, store.as_ref(), product, &entries, ready, progress)
    })
    .await
    .map_err(|e| StoreError::Refused { code: "JOURNAL_FAILED".into(), message: e.to_string() })?;
    let mut out = Vec::new();
    for entry in &entries {
        let Some(r) = results.iter().find(|r| r.id == entry.id) else {
            out.push(None);
            continue;
        };
        let name = match &entry.change {
            Change::Upload { file, .. } => file.name.clone(),
            _ => String::new(),
        };
        let refused = |code: &str, message: &str| {
            let e = ItemError { item: Some(name.clone()), field: vec![], code: code.into(), message: message.into() };
            Some(FileOutcome::Failed(e))
        };
        out.push(match &r.applied {
            Applied::Queued { message, .. } => {
                super::journaled::wait_for_store(ctx, entry, job, title, message);
                None
            }
            _ if r.outcome.is_some() => r.outcome.clone(),
            Applied::Failed { code, message } | Applied::Refused { code, message } => refused(code, message),
            Applied::Conflict { store } => refused("CONFLICT", store),
            Applied::Confirmed | Applied::AlreadyThere | Applied::NotMine => {
                refused("NOT_CONFIRMED", "the store did not say what became of this file")
            }
        });
    }
    Ok(out)
}
