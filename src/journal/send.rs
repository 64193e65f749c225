//! Sending written-down changes to the store and writing down what became of each: the one
//! place the window and the command line both go through. Changes of one product go out
//! together (one read to check them, one write), as the store's batch calls allow.

use std::sync::Mutex;

use super::outcome::{Applied, Outcomes, from_error, record};
use super::{Change, Entry, Journal, JournalError};
use crate::model::{MediaId, ProductId};
use crate::store::{AltEdit, BatchOutcome, SetMediaReport, Store, StoreError};

/// Send one change; see `send_batch`.
pub async fn send(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    entry: &Entry,
    check: bool,
) -> Result<(Applied, Option<String>), JournalError> {
    let (mut outcomes, notice) = send_batch(journal, store, &entry.product, std::slice::from_ref(entry), check).await?;
    Ok((outcomes.pop().map_or(Applied::NotMine, |(_, a)| a), notice))
}

/// Send changes of one product (pending, or sent by a run that never wrote the answer) in one
/// write, and write down each outcome. With `check`, the store's current texts are read first
/// and compared with the texts the changes replaced: a different one is a conflict (nothing
/// overwritten), the new one already there means it is done (a resumed change is never
/// applied twice).
pub async fn send_batch(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    product: &ProductId,
    entries: &[Entry],
    check: bool,
) -> Result<Outcomes, JournalError> {
    let lock = || crate::sync::lock(journal);
    let mut out = Vec::new();
    let mut mine = Vec::new();
    for e in entries {
        if lock().claim_any(e.id)? {
            mine.push(e);
        } else {
            out.push((e.id, Applied::NotMine));
        }
    }
    // Uploads first (a later change may name the media they become), each looked for on the
    // product before it is sent again (`upload::send_uploads`).
    let (uploads, mine): (Vec<&Entry>, Vec<&Entry>) =
        mine.into_iter().partition(|e| matches!(e.change, Change::Upload { .. }));
    if !uploads.is_empty() {
        let quiet: crate::store::ProgressFn = std::sync::Arc::new(|_, _, _| {});
        let sent = super::upload::send_uploads(journal, store, product, &uploads, Default::default(), check, quiet);
        out.extend(sent.await?.into_iter().map(|r| (r.id, r.applied)));
    }
    let mut to_send = Vec::new();
    // Deletes are not checked against a product (they name none).
    // Only these are checked against the product's media (the others name no product, or
    // are checked their own way).
    let checked = mine.iter().any(|e| {
        matches!(
            e.change,
            Change::Alt { .. } | Change::Reorder { .. } | Change::Remove { .. } | Change::Reattach { .. }
        )
    });
    if check {
        let current = if checked {
            match store.media_alts(product, mine.len().max(250) as u32).await {
                Ok(alts) => alts.media,
                Err(e) => {
                    let applied = from_error(&e);
                    for entry in mine {
                        out.push((entry.id, record(journal, entry.id, applied.clone())?));
                    }
                    return Ok((out, None));
                }
            }
        } else {
            Vec::new()
        };
        let current_order: Vec<MediaId> = current.iter().map(|(m, _)| m.clone()).collect();
        for entry in mine {
            let applied = match &entry.change {
                Change::Alt { media, alt, base } => {
                    let now = current.iter().find(|(m, _)| m == media).map(|(_, t)| t);
                    let missing = || Applied::Failed {
                        code: "MEDIA_NOT_ON_PRODUCT".into(),
                        message: "the media is no longer on the product".into(),
                    };
                    match checked_alt(now, alt, base, missing) {
                        Some(applied) => applied,
                        None => {
                            to_send.push(entry);
                            continue;
                        }
                    }
                }
                Change::Reorder { order, base } => {
                    if current_order == *order {
                        Applied::AlreadyThere
                    } else if current_order == *base {
                        to_send.push(entry);
                        continue;
                    } else {
                        // Reordered, or media added or removed, on the store since.
                        let now = Change::Reorder { order: current_order.clone(), base: Vec::new() }.words().1;
                        Applied::Conflict { store: now }
                    }
                }
                // Done when none of them is on the product any more.
                Change::Remove { media, .. } if !media.iter().any(|m| current_order.contains(m)) => {
                    Applied::AlreadyThere
                }
                // Done when all of them are back.
                Change::Reattach { media, .. } if media.iter().all(|m| current_order.contains(m)) => {
                    Applied::AlreadyThere
                }
                // A delete cannot be checked here (the files may be on no product): sent again,
                // and a file already gone counts as deleted (see `batch_outcome`).
                Change::Remove { .. } | Change::Reattach { .. } | Change::Delete { .. } => {
                    to_send.push(entry);
                    continue;
                }
                // A name already there is done; another name than the one replaced means it
                // was renamed elsewhere since.
                Change::Rename { media, filename, base } => match store.file_name(media).await {
                    Ok(Some(now)) if now == *filename => Applied::AlreadyThere,
                    Ok(Some(now)) if base.as_ref().is_some_and(|b| *b != now) => Applied::Conflict { store: now },
                    Ok(_) => {
                        to_send.push(entry);
                        continue;
                    }
                    Err(e) => from_error(&e),
                },
                // Overwrites the whole gallery: sending it again gives the same result.
                Change::SetMedia { .. } => {
                    to_send.push(entry);
                    continue;
                }
                Change::Upload { .. } => continue,
            };
            out.push((entry.id, record(journal, entry.id, applied)?));
        }
    } else {
        to_send = mine;
    }
    if to_send.is_empty() {
        return Ok((out, None));
    }
    let (alts, reorders): (Vec<&Entry>, Vec<&Entry>) =
        to_send.into_iter().partition(|e| matches!(e.change, Change::Alt { .. }));
    let mut notice = None;
    if !alts.is_empty() {
        let edits: Vec<AltEdit> = alts
            .iter()
            .filter_map(|e| match &e.change {
                Change::Alt { media, alt, .. } => Some(AltEdit { media: media.clone(), alt: alt.clone() }),
                _ => None,
            })
            .collect();
        let result = store.set_alt(product, &edits).await;
        notice = result.as_ref().ok().and_then(|o| o.notice.clone());
        for (entry, edit) in alts.iter().zip(&edits) {
            let applied = match &result {
                Ok(outcome) => item_outcome(outcome, &edit.media),
                Err(e) => from_error(e),
            };
            out.push((entry.id, record(journal, entry.id, applied)?));
        }
    }
    // The others one at a time, in the order made (the last reorder is the order that stays).
    for entry in reorders {
        let applied = match &entry.change {
            Change::Reorder { order, .. } => match store.reorder(product, order).await {
                Ok(()) => Applied::Confirmed,
                Err(e) => from_error(&e),
            },
            Change::Remove { media, .. } => batch_outcome(store.remove_from_product(product, media).await, false),
            Change::Reattach { media, order } => {
                let attached = batch_outcome(store.reattach(product, media).await, false);
                // Back at the end of the gallery: then the old order.
                match attached {
                    Applied::Confirmed => match store.reorder(product, order).await {
                        Ok(()) => Applied::Confirmed,
                        Err(e) => from_error(&e),
                    },
                    other => other,
                }
            }
            Change::Delete { media } => batch_outcome(store.delete(media).await, true),
            Change::Rename { media, filename, .. } => match store.rename(media, filename).await {
                Ok(()) => Applied::Confirmed,
                Err(e) => from_error(&e),
            },
            Change::SetMedia { main, gallery } => {
                set_media_outcome(&store.set_media(product, main.as_deref(), gallery.as_deref()).await)
            }
            Change::Alt { .. } | Change::Upload { .. } => continue,
        };
        if let Applied::Failed { .. } | Applied::Queued { .. } = &applied {
            tracing::info!(entry = entry.id, ?applied, "a journaled change did not go through");
        }
        out.push((entry.id, record(journal, entry.id, applied)?));
    }
    Ok((out, notice))
}

/// Alt-text changes of any products one write takes where the store allows it (Shopify's
/// `fileUpdate` takes 250 files).
pub const ALTS_PER_WRITE: usize = 250;

/// Send alt-text changes of several products in one write, where the store takes that
/// (`Capabilities::alts_across_products`; at most `ALTS_PER_WRITE` make one request), and
/// write down each outcome. With `check`, the texts the media have now are read first (one
/// read for the lot): a text changed on the store since the change was planned is a conflict
/// and is not overwritten, the new text already there is done, a media gone fails. Entries
/// that are not alt-text changes are left alone.
pub async fn send_alts_across(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    entries: &[Entry],
    check: bool,
) -> Result<Outcomes, JournalError> {
    let mut out = Vec::new();
    let mut mine: Vec<&Entry> = Vec::new();
    for e in entries.iter().filter(|e| matches!(e.change, Change::Alt { .. })) {
        if crate::sync::lock(journal).claim_any(e.id)? {
            mine.push(e);
        } else {
            out.push((e.id, Applied::NotMine));
        }
    }
    if check && !mine.is_empty() {
        let ids: Vec<MediaId> = mine.iter().filter_map(|e| alt_parts(e).map(|(m, _, _)| m.clone())).collect();
        let current = match store.current_alts(&ids).await {
            Ok(c) => c,
            Err(e) => {
                let applied = from_error(&e);
                for entry in mine {
                    out.push((entry.id, record(journal, entry.id, applied.clone())?));
                }
                return Ok((out, None));
            }
        };
        let mut to_send = Vec::new();
        for entry in mine {
            let Some((media, alt, base)) = alt_parts(entry) else { continue };
            let now = current.iter().find(|(m, _)| m == media).map(|(_, t)| t);
            let missing =
                || Applied::Failed { code: "MEDIA_NOT_FOUND".into(), message: "the media no longer exists".into() };
            match checked_alt(now, alt, base, missing) {
                Some(applied) => out.push((entry.id, record(journal, entry.id, applied)?)),
                None => to_send.push(entry),
            }
        }
        mine = to_send;
    }
    if mine.is_empty() {
        return Ok((out, None));
    }
    let edits: Vec<(ProductId, AltEdit)> = mine
        .iter()
        .filter_map(|e| {
            alt_parts(e).map(|(m, alt, _)| (e.product.clone(), AltEdit { media: m.clone(), alt: alt.clone() }))
        })
        .collect();
    let result = store.set_alts(&edits).await;
    let notice = result.as_ref().ok().and_then(|o| o.notice.clone());
    for (entry, (_, edit)) in mine.iter().zip(&edits) {
        let applied = match &result {
            Ok(outcome) => item_outcome(outcome, &edit.media),
            Err(e) => from_error(e),
        };
        out.push((entry.id, record(journal, entry.id, applied)?));
    }
    Ok((out, notice))
}

/// How written-down changes go out: with `across` (every change an alt text, and the store
/// takes alt texts of any products in one write) `ALTS_PER_WRITE` a write, else each product's
/// changes together. Each group is sent with `send_write`.
pub fn writes(store: &dyn Store, entries: Vec<Entry>) -> (bool, Vec<Vec<Entry>>) {
    let across =
        store.capabilities().alts_across_products && entries.iter().all(|e| matches!(e.change, Change::Alt { .. }));
    let groups = if across {
        entries.chunks(ALTS_PER_WRITE).map(<[Entry]>::to_vec).collect()
    } else {
        super::by_product(entries).into_iter().map(|(_, group)| group).collect()
    };
    (across, groups)
}

/// Send one group of `writes` (see `send_alts_across` and `send_batch`; `check` as there).
pub async fn send_write(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    group: &[Entry],
    across: bool,
    check: bool,
) -> Result<Outcomes, JournalError> {
    match group.first() {
        None => Ok((Vec::new(), None)),
        Some(_) if across => send_alts_across(journal, store, group, check).await,
        Some(first) => send_batch(journal, store, &first.product, group, check).await,
    }
}

/// An alt-text change against the text its media has `now` (`None`: no such media, which
/// `missing` words): done when the new text is there, a conflict when the store's text is
/// no longer the one it replaces; `None` when it is to be sent.
fn checked_alt(now: Option<&String>, alt: &str, base: &str, missing: impl FnOnce() -> Applied) -> Option<Applied> {
    match now {
        None => Some(missing()),
        Some(now) if now.trim() == alt.trim() => Some(Applied::AlreadyThere),
        Some(now) if now.trim() != base.trim() => Some(Applied::Conflict { store: now.clone() }),
        Some(_) => None,
    }
}

/// An alt-text change's media, new text and the text it replaces.
fn alt_parts(e: &Entry) -> Option<(&MediaId, &String, &String)> {
    match &e.change {
        Change::Alt { media, alt, base } => Some((media, alt, base)),
        _ => None,
    }
}

/// Send one written-down set-media change (Ecwid) and write down its outcome; the store's
/// report (one result per URL) comes back too, when it answered.
pub async fn send_set_media(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    entry: &Entry,
) -> Result<(Applied, Option<SetMediaReport>), JournalError> {
    let Change::SetMedia { main, gallery } = &entry.change else { return Ok((Applied::NotMine, None)) };
    if !crate::sync::lock(journal).claim_any(entry.id)? {
        return Ok((Applied::NotMine, None));
    }
    let result = store.set_media(&entry.product, main.as_deref(), gallery.as_deref()).await;
    let applied = record(journal, entry.id, set_media_outcome(&result))?;
    Ok((applied, result.ok()))
}

/// A set-media answer as the change's outcome: done when every URL is; else the URLs that
/// failed, with the store's words.
fn set_media_outcome(result: &Result<SetMediaReport, StoreError>) -> Applied {
    let report = match result {
        Ok(r) => r,
        Err(e) => return from_error(e),
    };
    let failed: Vec<(&String, &crate::store::ItemError)> =
        report.items.iter().filter_map(|(url, r)| r.as_ref().err().map(|e| (url, e))).collect();
    match failed.first() {
        None => Applied::Confirmed,
        Some((_, first)) => Applied::Failed {
            code: first.code.clone(),
            message: failed.iter().map(|(url, e)| format!("{url}: {}", e.message)).collect::<Vec<_>>().join("; "),
        },
    }
}

/// A whole batch call's answer as one change's outcome: done when every item is; for a
/// delete (`gone_is_done`), a file the store no longer has counts as deleted.
fn batch_outcome(result: Result<BatchOutcome, StoreError>, gone_is_done: bool) -> Applied {
    let outcome = match result {
        Ok(o) => o,
        Err(e) => return from_error(&e),
    };
    let gone = |code: &str| matches!(code, "MEDIA_DOES_NOT_EXIST" | "FILE_DOES_NOT_EXIST" | "NOT_FOUND");
    let failed: Vec<_> = outcome.failed.iter().filter(|f| !(gone_is_done && gone(&f.code))).collect();
    match failed.first() {
        None => Applied::Confirmed,
        Some(first) => Applied::Failed {
            code: first.code.clone(),
            message: failed.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; "),
        },
    }
}

/// One item of a batch the store answered: confirmed when it says so, else its refusal (or
/// one it gave for no item in particular).
fn item_outcome(outcome: &BatchOutcome, media: &MediaId) -> Applied {
    if outcome.done.contains(media) {
        return Applied::Confirmed;
    }
    let refusal = outcome
        .failed
        .iter()
        .find(|f| f.item.as_deref() == Some(media.0.as_str()))
        .or_else(|| outcome.failed.iter().find(|f| f.item.is_none()));
    match refusal {
        Some(f) => Applied::Failed { code: f.code.clone(), message: f.message.clone() },
        // Neither done nor refused: not known to be on the store, so sent again on resume.
        None => {
            Applied::Queued { code: "NOT_CONFIRMED".into(), message: "the store did not confirm this change".into() }
        }
    }
}
