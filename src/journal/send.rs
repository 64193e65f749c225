//! Sending one written-down change to the store and writing down what became of it: the one
//! place the window and the command line both go through.

use std::sync::Mutex;

use super::{Change, Entry, Journal, JournalError};
use crate::store::{AltEdit, Store, StoreError};

/// What became of one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The store took it.
    Confirmed,
    /// The store already had it (sent before a crash, or made elsewhere): nothing was sent.
    AlreadyThere,
    /// The store refused it, with its code and words.
    Failed {
        /// The platform's code.
        code: String,
        /// Its words.
        message: String,
    },
    /// Refused before anything was sent (the token may only read): written down as failed.
    Refused {
        /// Why, as a code.
        code: String,
        /// Why, in words.
        message: String,
    },
    /// It did not reach the store (network, throttling, an outage): queued again.
    Queued {
        /// Why, as a code.
        code: String,
        /// Why, in words.
        message: String,
    },
    /// The store's text changed since the change was made (in the admin, another app): nothing
    /// was overwritten; the change waits for the merchant to choose.
    Conflict {
        /// What the store has now.
        store: String,
    },
    /// Someone else is sending it, or it was discarded or superseded meanwhile.
    NotMine,
}

/// Send `entry` (pending, or sent by a run that never wrote the answer) and write down the
/// outcome. With `check`, the store's current text is compared with the text the change
/// replaced before anything is written: a different one is a conflict, the same as the new
/// one means it is already done (a resumed change is never applied twice).
pub async fn send(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    entry: &Entry,
    check: bool,
) -> Result<(Applied, Option<String>), JournalError> {
    let lock = || crate::sync::lock(journal);
    if !lock().claim_any(entry.id)? {
        return Ok((Applied::NotMine, None));
    }
    let Change::Alt { media, alt, base } = &entry.change;
    if check {
        let current = match store.media_alts(&entry.product, 250).await {
            Ok(alts) => alts.media.into_iter().find(|(m, _)| m == media).map(|(_, text)| text),
            Err(e) => return finish(journal, entry.id, Err(e)).map(|a| (a, None)),
        };
        match current {
            None => {
                let applied = Applied::Failed {
                    code: "MEDIA_NOT_ON_PRODUCT".into(),
                    message: "the media is no longer on the product".into(),
                };
                return record(journal, entry.id, applied).map(|a| (a, None));
            }
            Some(now) if now.trim() == alt.trim() => {
                lock().confirm(entry.id)?;
                return Ok((Applied::AlreadyThere, None));
            }
            Some(now) if now.trim() != base.trim() => {
                lock().requeue(
                    entry.id,
                    "CONFLICT",
                    &format!("changed on the store since: now \u{201c}{now}\u{201d}"),
                )?;
                return Ok((Applied::Conflict { store: now }, None));
            }
            Some(_) => {}
        }
    }
    let result = store.set_alt(&entry.product, &[AltEdit { media: media.clone(), alt: alt.clone() }]).await;
    let notice = result.as_ref().ok().and_then(|o| o.notice.clone());
    let outcome = result.map(|o| o.failed.into_iter().next());
    finish(journal, entry.id, outcome).map(|a| (a, notice))
}

/// Write down the store's answer: `Ok(None)` done, `Ok(Some(item))` refused, `Err` by kind.
fn finish(
    journal: &Mutex<Journal>,
    id: i64,
    outcome: Result<Option<crate::store::ItemError>, StoreError>,
) -> Result<Applied, JournalError> {
    let applied = match outcome {
        Ok(None) => Applied::Confirmed,
        Ok(Some(item)) => Applied::Failed { code: item.code, message: item.message },
        Err(e) if e.is_transient() => Applied::Queued { code: e.code(), message: e.to_string() },
        Err(e) if e.is_local() => Applied::Refused { code: e.code(), message: e.to_string() },
        Err(e) => Applied::Failed { code: e.code(), message: e.to_string() },
    };
    record(journal, id, applied)
}

fn record(journal: &Mutex<Journal>, id: i64, applied: Applied) -> Result<Applied, JournalError> {
    let mut j = crate::sync::lock(journal);
    match &applied {
        Applied::Confirmed | Applied::AlreadyThere => j.confirm(id)?,
        Applied::Failed { code, message } | Applied::Refused { code, message } => j.fail(id, code, message)?,
        Applied::Queued { code, message } => j.requeue(id, code, message)?,
        Applied::Conflict { .. } | Applied::NotMine => {}
    }
    Ok(applied)
}
