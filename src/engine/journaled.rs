//! The window's edits through the edit journal: written down before they are sent, confirmed
//! or failed from the store's answer (`journal::send`, the path the command line takes too),
//! and the changes an earlier run left unconfirmed offered when the store is opened.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{AltChange, Command, Ctx, Event, HistoryItem, JobState, UnconfirmedChange, next_job, refresh};
use crate::journal::{Applied, Change, Entry, Journal, JournalError};
use crate::model::{MediaId, ProductId, StoreRef};

/// The open store's journal, if it could be opened.
pub(super) fn current(ctx: &Ctx) -> Option<Arc<Mutex<Journal>>> {
    crate::sync::lock(&ctx.journal).clone()
}

/// Write `change` down on the blocking pool; with `undo`, as the undo of the change it takes
/// back (`Journal::undone_by`).
async fn write_down(
    journal: &Arc<Mutex<Journal>>,
    product: &ProductId,
    title: &str,
    change: Change,
    undo: bool,
) -> Result<Entry, JournalError> {
    let (j, p, t) = (journal.clone(), product.clone(), title.to_string());
    blocking(move || {
        let mut j = crate::sync::lock(&j);
        let undoes = if undo { j.undone_by(&p, &change)? } else { None };
        j.write_down(&p, &t, &change, undoes)
    })
    .await
}

/// A change the store did not answer: the strip shows it waiting, and the probe sends it once
/// the store answers again.
pub(super) fn wait_for_store(ctx: &Arc<Ctx>, entry: &Entry, job: u64, title: &str, reason: &str) {
    tracing::info!(entry = entry.id, reason, "a change waits for the store");
    (ctx.send)(Event::Activity {
        job,
        title: format!("Waiting for the store to answer: {title}"),
        state: JobState::Running(None),
    });
    crate::sync::lock(&ctx.waiting).insert(entry.id, job);
    probe(ctx);
}

/// Run journal work on the blocking pool: every commit waits for the disk.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, JournalError> + Send + 'static,
) -> Result<T, JournalError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => Err(JournalError::Io { path: String::new(), reason: format!("the journal call stopped ({e})") }),
    }
}

/// Open `store`'s journal and make it the one in use; tell the window about changes an earlier
/// run left unconfirmed. Without a data folder, or when it cannot be opened (the user is told),
/// edits are sent without one.
pub(super) async fn open(ctx: &Ctx, store: &StoreRef) {
    // Edits waiting for the previous store stay in its journal, offered when it opens again.
    crate::sync::lock(&ctx.waiting).clear();
    let Some(dir) = ctx.data_dir.clone() else {
        *crate::sync::lock(&ctx.journal) = None;
        return;
    };
    let target = store.clone();
    match blocking(move || Journal::open(&dir, &target)).await {
        Ok(journal) => {
            let journal = Arc::new(Mutex::new(journal));
            *crate::sync::lock(&ctx.journal) = Some(journal.clone());
            announce(ctx, &journal).await;
        }
        Err(e) => {
            tracing::warn!(error = %e, "the edit journal cannot be used");
            *crate::sync::lock(&ctx.journal) = None;
            (ctx.send)(Event::Notice(format!("{e}. Edits are sent without being written down first.")));
        }
    }
}

/// Send the window the journal's unconfirmed changes (an empty list clears its question).
async fn announce(ctx: &Ctx, journal: &Arc<Mutex<Journal>>) {
    let j = journal.clone();
    match blocking(move || crate::sync::lock(&j).unconfirmed()).await {
        Ok(entries) => (ctx.send)(Event::Unconfirmed(entries.iter().map(summary).collect())),
        Err(e) => tracing::warn!(error = %e, "the journal's unconfirmed changes could not be read"),
    }
}

fn summary(e: &Entry) -> UnconfirmedChange {
    UnconfirmedChange {
        id: e.id,
        title: e.title.clone(),
        product: e.product.clone(),
        after: e.change.words().1,
        why: e.error.as_ref().map(|(_, message)| message.clone()),
        conflict: e.error.as_ref().and_then(|(code, message)| crate::journal::conflict_store(code, message)),
    }
}

/// Save one media's alt text: written down, then sent. A refusal puts the attempted text back
/// as a draft; a change that did not reach the store stays in the journal (Retry sends it, and
/// so does Resume after a restart). With `undo`, it is written down as the undo of the edit
/// that set the current text.
pub(super) async fn save_alt(
    ctx: &Arc<Ctx>,
    journal: Arc<Mutex<Journal>>,
    product: ProductId,
    edit: (MediaId, String, String),
    title: String,
    undo: bool,
) {
    let (media, alt, previous) = edit;
    let send = &ctx.send;
    let job = next_job(ctx);
    send(Event::Activity { job, title: title.clone(), state: JobState::Running(None) });
    let change = Change::Alt { media: media.clone(), alt: alt.clone(), base: previous.clone() };
    let entry = match write_down(&journal, &product, &title, change, undo).await {
        Ok(entry) => entry,
        Err(e) => {
            send(Event::AltRefused { media, previous, attempted: alt });
            let message = "The change could not be written down, so it was not sent".to_string();
            send(Event::Activity { job, title, state: JobState::Failed { message, detail: e.to_string() } });
            return;
        }
    };
    let outcome = crate::journal::send(&journal, ctx.store().as_ref(), &entry, false).await;
    if let Ok((_, Some(notice))) = &outcome {
        send(Event::Notice(notice.clone()));
    }
    match outcome {
        Ok((Applied::Confirmed | Applied::AlreadyThere | Applied::NotMine, _)) => {
            send(Event::AltSaved { media, alt });
            send(Event::Activity { job, title, state: JobState::Done });
        }
        Ok((Applied::Queued { message, .. }, _)) => {
            // Kept in the journal, and sent by itself once the store answers again.
            send(Event::AltWaiting { media: media.clone(), alt });
            wait_for_store(ctx, &entry, job, &title, &message);
        }
        Ok((Applied::Failed { code, message } | Applied::Refused { code, message }, _)) => {
            send(Event::AltRefused { media, previous, attempted: alt });
            let detail = format!("{code}: {message}");
            send(Event::Activity { job, title, state: JobState::Failed { message, detail } });
        }
        Ok((Applied::Conflict { .. }, _)) | Err(_) => {
            let detail = match outcome {
                Err(e) => e.to_string(),
                _ => "the store's text changed".into(),
            };
            send(Event::AltRefused { media, previous, attempted: alt });
            let message = "The change was written down but its outcome could not be recorded".to_string();
            send(Event::Activity { job, title, state: JobState::Failed { message, detail } });
        }
    }
}

/// Save many alt texts as one batch (a bulk fix): written down in one commit, then sent with
/// progress, 250 of any products a write where the store takes that (each write checked first
/// in one read: a text changed on the store since the audit is not overwritten), else a
/// product at a time.
/// The grid, the catalog and the audit then follow: from the catalog with the saved texts put
/// in when the write spanned products (reading 1,000 products back would cost more than the
/// fix), from the store's own read otherwise and for every product where something failed.
/// One undo takes the batch back.
pub(super) async fn save_many(ctx: &Arc<Ctx>, journal: Arc<Mutex<Journal>>, changes: Vec<AltChange>, title: String) {
    let send = &ctx.send;
    let job = next_job(ctx);
    send(Event::Activity { job, title: title.clone(), state: JobState::Running(Some(0.0)) });
    let titled: Vec<(ProductId, String, Change, Option<i64>)> = changes
        .iter()
        .map(|c| {
            let change = Change::Alt { media: c.media.clone(), alt: c.alt.clone(), base: c.previous.clone() };
            (c.product.clone(), format!("Alt text of {}", c.name), change, None)
        })
        .collect();
    let j = journal.clone();
    let entries = blocking(move || {
        let mut j = crate::sync::lock(&j);
        let ids = j.record_each(&titled)?;
        ids.into_iter().map(|id| j.entry(id)).collect::<Result<Vec<_>, _>>()
    })
    .await;
    let entries = match entries {
        Ok(e) => e,
        Err(e) => {
            let message = "The changes could not be written down, so none was sent".to_string();
            return send(Event::Activity { job, title, state: JobState::Failed { message, detail: e.to_string() } });
        }
    };
    let total = entries.len();
    let store = ctx.store();
    let (across, writes) = crate::journal::writes(store.as_ref(), entries);
    let count = writes.len();
    let (mut saved, mut waiting) = (0usize, 0usize);
    let mut first_error: Option<String> = None;
    for (done, group) in writes.into_iter().enumerate() {
        // Across products each write is checked first (one read); a product's own write is
        // sent as planned, as it always was.
        let sent = crate::journal::send_write(&journal, store.as_ref(), &group, across, across).await;
        let mut saved_here: Vec<&Entry> = Vec::new();
        match sent {
            Ok((outcomes, _)) => {
                for (id, applied) in outcomes {
                    match applied {
                        Applied::Confirmed | Applied::AlreadyThere | Applied::NotMine => {
                            saved += 1;
                            saved_here.extend(group.iter().find(|e| e.id == id));
                        }
                        Applied::Queued { .. } => waiting += 1,
                        Applied::Failed { code, message } | Applied::Refused { code, message } => {
                            first_error.get_or_insert(format!("change {id}: {code}: {message}"));
                        }
                        Applied::Conflict { store } => {
                            first_error.get_or_insert(format!(
                                "change {id}: the store's text changed to \u{201c}{store}\u{201d}"
                            ));
                        }
                    }
                }
            }
            Err(e) => {
                first_error.get_or_insert(e.to_string());
            }
        }
        follow(ctx, &group, &saved_here, across).await;
        let share = (done + 1) as f32 / count.max(1) as f32;
        send(Event::Activity {
            job,
            title: format!("{title}: {saved} of {total} saved"),
            state: JobState::Running(Some(share)),
        });
    }
    let state = match (first_error, waiting) {
        (None, 0) => JobState::Done,
        (None, n) => JobState::Failed {
            message: format!("{saved} of {total} saved; {n} wait for the store to answer and are sent by Resume"),
            detail: "QUEUED".into(),
        },
        (Some(detail), _) => {
            JobState::Failed { message: format!("{saved} of {total} saved; the others were not"), detail }
        }
    };
    send(Event::Activity { job, title: format!("{title}: {saved} of {total} saved"), state });
    history(ctx).await;
}

/// After a write of `sent`: each product the window, the catalog and the audit show again.
/// With `from_catalog` (the write spanned products), a product whose changes were all `saved`
/// is taken from the catalog with the new texts put in; any other is read from the store.
async fn follow(ctx: &Ctx, sent: &[Entry], saved: &[&Entry], from_catalog: bool) {
    let products = crate::journal::by_product(sent.to_vec());
    for (product, group) in products {
        let all_saved = group.iter().all(|e| saved.iter().any(|s| s.id == e.id));
        let local = if from_catalog && all_saved { super::local::product_media(ctx, &product).await } else { None };
        let Some(mut pm) = local else {
            refresh(ctx, &product).await;
            continue;
        };
        for e in &group {
            if let Change::Alt { media, alt, .. } = &e.change
                && let Some(m) = pm.media.iter_mut().find(|m| m.id == *media)
            {
                m.alt = alt.clone();
            }
        }
        super::local::keep(ctx, &pm).await;
        (ctx.send)(Event::Media(pm));
    }
}

/// Put a product's media in a new order: written down, then sent whole. A refusal shows the
/// product as the store has it; one the store did not answer waits and goes out by itself.
pub(super) async fn reorder(
    ctx: &Arc<Ctx>,
    journal: Arc<Mutex<Journal>>,
    product: ProductId,
    (order, previous): (Vec<MediaId>, Vec<MediaId>),
    title: String,
    undo: bool,
) {
    let send = &ctx.send;
    let job = next_job(ctx);
    send(Event::Activity { job, title: title.clone(), state: JobState::Running(None) });
    let change = Change::Reorder { order, base: previous.clone() };
    let entry = match write_down(&journal, &product, &title, change, undo).await {
        Ok(entry) => entry,
        Err(e) => {
            send(Event::ReorderRefused { product, previous });
            let message = "The change could not be written down, so it was not sent".to_string();
            return send(Event::Activity { job, title, state: JobState::Failed { message, detail: e.to_string() } });
        }
    };
    match crate::journal::send(&journal, ctx.store().as_ref(), &entry, false).await {
        Ok((Applied::Confirmed | Applied::AlreadyThere | Applied::NotMine, _)) => {
            send(Event::Activity { job, title, state: JobState::Done })
        }
        Ok((Applied::Queued { message, .. }, _)) => {
            wait_for_store(ctx, &entry, job, &title, &message);
        }
        Ok((Applied::Failed { code, message } | Applied::Refused { code, message }, _)) => {
            send(Event::ReorderRefused { product: product.clone(), previous });
            let detail = format!("{code}: {message}");
            send(Event::Activity { job, title, state: JobState::Failed { message, detail } });
            // The product may have changed meanwhile (the usual reason): show it as it is.
            refresh(ctx, &product).await;
        }
        Ok((Applied::Conflict { .. }, _)) | Err(_) => {
            send(Event::ReorderRefused { product: product.clone(), previous });
            let message = "The change was written down but its outcome could not be recorded".to_string();
            send(Event::Activity { job, title, state: JobState::Failed { message, detail: String::new() } });
            refresh(ctx, &product).await;
        }
    }
}

/// A removal, a put-back or a delete: written down, then sent; the strip says how it went (a
/// Retry where it failed), and the product is shown as the store has it. One the store did
/// not answer waits and goes out by itself.
pub(super) async fn batch(ctx: &Arc<Ctx>, product: ProductId, change: Change, title: String, again: Command) {
    let Some(journal) = current(ctx) else { return };
    let send = &ctx.send;
    let job = next_job(ctx);
    send(Event::Activity { job, title: title.clone(), state: JobState::Running(None) });
    // A put-back only ever undoes a removal (the window's undo).
    let undo = matches!(change, Change::Reattach { .. });
    let entry = match write_down(&journal, &product, &title, change, undo).await {
        Ok(entry) => entry,
        Err(e) => {
            let message = "The change could not be written down, so it was not sent".to_string();
            send(Event::Activity { job, title, state: JobState::Failed { message, detail: e.to_string() } });
            return refresh(ctx, &product).await;
        }
    };
    let outcome = crate::journal::send(&journal, ctx.store().as_ref(), &entry, false).await;
    if let Ok((_, Some(notice))) = &outcome {
        send(Event::Notice(notice.clone()));
    }
    match outcome {
        Ok((Applied::Confirmed | Applied::AlreadyThere | Applied::NotMine, _)) => {
            send(Event::Activity { job, title, state: JobState::Done })
        }
        Ok((Applied::Queued { message, .. }, _)) => {
            wait_for_store(ctx, &entry, job, &title, &message);
            return;
        }
        Ok((Applied::Failed { code, message } | Applied::Refused { code, message }, _)) => {
            let detail = format!("{code}: {message}");
            send(Event::Activity { job, title, state: JobState::Failed { message, detail } });
            send(Event::Retry { job, command: Box::new(again) });
        }
        Ok((Applied::Conflict { .. }, _)) | Err(_) => {
            let message = "The change was written down but its outcome could not be recorded".to_string();
            send(Event::Activity { job, title, state: JobState::Failed { message, detail: String::new() } });
        }
    }
    refresh(ctx, &product).await;
}

/// First wait before asking whether the store answers again; doubled up to `PROBE_MOST`.
const PROBE_FIRST: Duration = Duration::from_secs(1);
/// Longest wait between two probes: an outage of hours costs a request a minute.
const PROBE_MOST: Duration = Duration::from_secs(60);

/// Make sure a task is asking the store, with growing waits, whether it answers again; when it
/// does, the waiting edits go out in the order they were made. One task at a time; it ends
/// when nothing waits any more.
fn probe(ctx: &Arc<Ctx>) {
    if ctx.probing.swap(true, Ordering::SeqCst) {
        return;
    }
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let mut wait = PROBE_FIRST;
        loop {
            tokio::time::sleep(wait).await;
            if crate::sync::lock(&ctx.waiting).is_empty() {
                break;
            }
            // The cheapest request every store answers with its credentials checked.
            if ctx.store().connect().await.is_ok() {
                resume(&ctx, None, false).await;
                if crate::sync::lock(&ctx.waiting).is_empty() {
                    break;
                }
            }
            wait = (wait * 2).min(PROBE_MOST);
        }
        ctx.probing.store(false, Ordering::SeqCst);
        // An edit queued just as the task ended starts another.
        if !crate::sync::lock(&ctx.waiting).is_empty() {
            probe(&ctx);
        }
    });
}

/// Send the unconfirmed changes (or only `only`), in the order they were made, a product at
/// a time (one check and one write each), each checked against the store first; with
/// `overwrite`, a text changed on the store meanwhile is replaced.
pub(super) async fn resume(ctx: &Ctx, only: Option<i64>, overwrite: bool) {
    let Some(journal) = current(ctx) else { return };
    let j = journal.clone();
    let entries = match blocking(move || crate::sync::lock(&j).unconfirmed()).await {
        Ok(entries) => entries.into_iter().filter(|e| only.is_none_or(|id| e.id == id)).collect::<Vec<_>>(),
        Err(e) => return (ctx.send)(Event::Failed(format!("The unconfirmed changes could not be read: {e}"))),
    };
    for (product, group) in crate::journal::by_product(entries) {
        resume_product(ctx, &journal, &product, &group, overwrite).await;
        refresh(ctx, &product).await;
    }
    announce(ctx, &journal).await;
}

/// One product's unconfirmed changes, sent together; a job in the strip for each.
async fn resume_product(
    ctx: &Ctx,
    journal: &Arc<Mutex<Journal>>,
    product: &ProductId,
    group: &[Entry],
    overwrite: bool,
) {
    let send = &ctx.send;
    // A waiting edit keeps the job the strip already shows for it.
    let jobs: Vec<u64> = group
        .iter()
        .map(|e| match crate::sync::lock(&ctx.waiting).get(&e.id) {
            Some(job) => *job,
            None => {
                let job = next_job(ctx);
                send(Event::Activity { job, title: format!("Resuming: {}", e.title), state: JobState::Running(None) });
                job
            }
        })
        .collect();
    let outcomes = crate::journal::send_batch(journal, ctx.store().as_ref(), product, group, !overwrite).await;
    let outcomes = match outcomes {
        Ok((outcomes, notice)) => {
            if let Some(n) = notice {
                send(Event::Notice(n));
            }
            outcomes
        }
        Err(e) => {
            for (entry, job) in group.iter().zip(&jobs) {
                let state = JobState::Failed {
                    message: "The change's outcome could not be recorded".into(),
                    detail: e.to_string(),
                };
                send(Event::Activity { job: *job, title: format!("Resuming: {}", entry.title), state });
            }
            return;
        }
    };
    for (entry, job) in group.iter().zip(jobs) {
        let applied = outcomes.iter().find(|(id, _)| *id == entry.id).map_or(Applied::NotMine, |(_, a)| a.clone());
        report_resumed(ctx, entry, job, applied, overwrite);
    }
}

/// The strip's words for one resumed change (and the tile's, for an edit that was waiting).
fn report_resumed(ctx: &Ctx, entry: &Entry, job: u64, applied: Applied, overwrite: bool) {
    let send = &ctx.send;
    let was_waiting = crate::sync::lock(&ctx.waiting).remove(&entry.id).is_some();
    if was_waiting && matches!(applied, Applied::Queued { .. }) {
        // Still no answer: it keeps waiting.
        crate::sync::lock(&ctx.waiting).insert(entry.id, job);
        return;
    }
    // Alt edits wait on their tiles too.
    if let (true, Change::Alt { media, alt, base }) = (was_waiting, &entry.change) {
        match &applied {
            Applied::Queued { .. } => {}
            Applied::Confirmed | Applied::AlreadyThere | Applied::NotMine => {
                send(Event::AltSaved { media: media.clone(), alt: alt.clone() })
            }
            Applied::Conflict { store } => {
                send(Event::AltRefused { media: media.clone(), previous: store.clone(), attempted: alt.clone() })
            }
            Applied::Failed { .. } | Applied::Refused { .. } => {
                send(Event::AltRefused { media: media.clone(), previous: base.clone(), attempted: alt.clone() })
            }
        }
    }
    let title = if was_waiting { entry.title.clone() } else { format!("Resuming: {}", entry.title) };
    let failed = |message: String, detail: String| Event::Activity {
        job,
        title: title.clone(),
        state: JobState::Failed { message, detail },
    };
    match applied {
        Applied::Confirmed | Applied::NotMine => {
            send(Event::Activity { job, title: title.clone(), state: JobState::Done })
        }
        Applied::AlreadyThere => send(Event::Activity {
            job,
            title: format!("Already on the store: {}", entry.title),
            state: JobState::Done,
        }),
        Applied::Conflict { store } => {
            let what = match &entry.change {
                Change::Alt { .. } => "alt text",
                _ => "order",
            };
            let yours = entry.change.words().1;
            let message = format!(
                "Not sent: the {what} was changed on the store since (now \u{201c}{store}\u{201d}; yours \u{201c}{yours}\u{201d}). \
                 Retry sends yours anyway"
            );
            send(failed(message, "CONFLICT".into()));
            let again = Command::ResumeChanges { only: Some(entry.id), overwrite: true };
            send(Event::Retry { job, command: Box::new(again) });
        }
        Applied::Queued { message, .. } => {
            send(failed("Not sent: the store did not answer; the change is kept".into(), message));
            let again = Command::ResumeChanges { only: Some(entry.id), overwrite };
            send(Event::Retry { job, command: Box::new(again) });
        }
        Applied::Failed { code, message } | Applied::Refused { code, message } => {
            send(failed(message.clone(), format!("{code}: {message}")))
        }
    }
}

/// How many changes the History window lists.
const HISTORY: u32 = 200;

/// Send the window the journal's recent changes.
pub(super) async fn history(ctx: &Ctx) {
    let Some(journal) = current(ctx) else { return (ctx.send)(Event::History(Vec::new())) };
    match blocking(move || crate::sync::lock(&journal).history(HISTORY)).await {
        Ok(entries) => (ctx.send)(Event::History(history_items(&entries))),
        Err(e) => (ctx.send)(Event::Failed(format!("The history could not be read: {e}"))),
    }
}

/// The History window's rows: what each change did, where it stands, and whether it can be
/// undone (confirmed, not itself an undo, not undone by a later change that is not dropped).
fn history_items(entries: &[Entry]) -> Vec<HistoryItem> {
    use crate::journal::State;
    let undone: std::collections::HashSet<i64> = entries
        .iter()
        .filter(|e| matches!(e.state, State::Pending | State::Sent | State::Confirmed))
        .filter_map(|e| e.undoes)
        .collect();
    entries
        .iter()
        .map(|e| {
            let (base, alt) = e.change.words();
            let state = match (e.state, &e.error) {
                (State::Confirmed, _) if undone.contains(&e.id) => "undone".to_string(),
                (State::Confirmed, _) => "confirmed".into(),
                (State::Pending | State::Sent, Some((_, why))) => format!("waiting: {why}"),
                (State::Pending | State::Sent, None) => "waiting".into(),
                (State::Failed, Some((code, why))) => format!("failed: {why} ({code})"),
                (State::Failed, None) => "failed".into(),
                (State::Discarded, _) => "discarded".into(),
                (State::Superseded, _) => "replaced by a later edit".into(),
            };
            HistoryItem {
                id: e.id,
                title: e.title.clone(),
                product: e.product.clone(),
                before: base,
                after: alt,
                made_at: e.made_at,
                state,
                undoable: e.state == State::Confirmed
                    && e.undoes.is_none()
                    && !undone.contains(&e.id)
                    && e.change.inverse().is_some(),
            }
        })
        .collect()
}

/// Undo a confirmed change of the journal: the one numbered `id`, or the newest (Ctrl+Z with
/// the window's own undo list empty, after a restart). Its inverse is written down as its undo,
/// then sent, checked first so a text changed on the store since is not overwritten.
pub(super) async fn undo(ctx: &Ctx, id: Option<i64>) {
    let Some(journal) = current(ctx) else { return };
    let send = &ctx.send;
    let j = journal.clone();
    let entries = blocking(move || {
        let mut j = crate::sync::lock(&j);
        let target = match id {
            Some(id) => Some(j.entry(id)?).filter(|e| e.state == crate::journal::State::Confirmed),
            None => j.last_undoable()?,
        };
        let Some(last) = target else { return Ok(Vec::new()) };
        j.write_down_undo(&last)
    })
    .await;
    let job = next_job(ctx);
    let entries = match entries {
        Ok(e) if e.is_empty() => {
            let title = if id.is_some() { "That change cannot be undone now" } else { "Nothing left to undo" };
            return send(Event::Activity { job, title: title.into(), state: JobState::Done });
        }
        Ok(e) => e,
        Err(e) => return send(Event::Failed(format!("The last change could not be undone: {e}"))),
    };
    // A batch (a bulk fix) is undone as one job.
    let title = match entries.len() {
        1 => entries[0].title.clone(),
        n => format!("Undo: {n} changes made together"),
    };
    send(Event::Activity { job, title: title.clone(), state: JobState::Running(None) });
    let failed = |message: String, detail: String| Event::Activity {
        job,
        title: title.clone(),
        state: JobState::Failed { message, detail },
    };
    let mut problem: Option<Event> = None;
    let store = ctx.store();
    let (across, writes) = crate::journal::writes(store.as_ref(), entries);
    for group in writes {
        let outcomes = crate::journal::send_write(&journal, store.as_ref(), &group, across, true).await;
        let outcomes = match outcomes {
            Ok((o, _)) => o,
            Err(e) => {
                problem = Some(failed("The undo's outcome could not be recorded".into(), e.to_string()));
                continue;
            }
        };
        let mut landed: Vec<&Entry> = Vec::new();
        for (id, applied) in outcomes {
            match applied {
                Applied::Confirmed | Applied::AlreadyThere | Applied::NotMine => {
                    landed.extend(group.iter().find(|e| e.id == id));
                }
                Applied::Conflict { store } => {
                    // The undo is not wanted any more: the store's text moved on.
                    let j = journal.clone();
                    let _ = blocking(move || crate::sync::lock(&j).discard(id)).await;
                    problem = Some(failed(
                        format!(
                            "Not undone: the alt text was changed on the store since (now \u{201c}{store}\u{201d})"
                        ),
                        "CONFLICT".into(),
                    ));
                }
                Applied::Queued { message, .. } => {
                    problem = Some(failed("Not undone yet: the store did not answer; the undo is kept".into(), message))
                }
                Applied::Failed { code, message } | Applied::Refused { code, message } => {
                    problem = Some(failed(message.clone(), format!("{code}: {message}")))
                }
            }
        }
        if !landed.is_empty() {
            follow(ctx, &group, &landed, across).await;
        }
    }
    send(problem.unwrap_or(Event::Activity { job, title, state: JobState::Done }));
    // The History window shows the undo (and the change it took back) at once.
    history(ctx).await;
}

/// Drop the unconfirmed changes, or only `only` (the merchant chose not to send them; for a
/// conflict, to keep what the store has).
pub(super) async fn discard(ctx: &Ctx, only: Option<i64>) {
    let Some(journal) = current(ctx) else { return };
    let j = journal.clone();
    let dropped = blocking(move || {
        let mut j = crate::sync::lock(&j);
        let mut dropped = Vec::new();
        for e in j.unconfirmed()?.into_iter().filter(|e| only.is_none_or(|id| e.id == id)) {
            if j.discard(e.id)? {
                dropped.push(e);
            }
        }
        Ok(dropped)
    })
    .await;
    match dropped {
        Ok(dropped) => {
            let job = next_job(ctx);
            let title = match (only, dropped.as_slice()) {
                (Some(_), [one]) => format!("Kept the store's version: {}", one.title),
                (_, all) => {
                    format!("Discarded {} unconfirmed change{}", all.len(), if all.len() == 1 { "" } else { "s" })
                }
            };
            (ctx.send)(Event::Activity { job, title, state: JobState::Done });
            crate::sync::lock(&ctx.waiting).retain(|id, _| !dropped.iter().any(|e| e.id == *id));
        }
        Err(e) => (ctx.send)(Event::Failed(format!("The unconfirmed changes could not be discarded: {e}"))),
    }
    announce(ctx, &journal).await;
}
