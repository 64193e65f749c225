//! What became of a change sent to the store, and writing it down: shared by every kind of
//! change (`send` for edits, `upload` for files).

use std::sync::Mutex;

use super::{Journal, JournalError};
use crate::store::StoreError;

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

/// What became of each change of a batch (by journal id), and a notice from the store.
pub type Outcomes = (Vec<(i64, Applied)>, Option<String>);

/// A failed request, by kind: worth sending again, refused before sending, or refused.
pub(super) fn from_error(e: &StoreError) -> Applied {
    if e.is_transient() {
        Applied::Queued { code: e.code(), message: e.to_string() }
    } else if e.is_local() {
        Applied::Refused { code: e.code(), message: e.to_string() }
    } else {
        Applied::Failed { code: e.code(), message: e.to_string() }
    }
}

/// Write one outcome down.
pub(super) fn record(journal: &Mutex<Journal>, id: i64, applied: Applied) -> Result<Applied, JournalError> {
    let mut j = crate::sync::lock(journal);
    match &applied {
        Applied::Confirmed | Applied::AlreadyThere => j.confirm(id)?,
        Applied::Failed { code, message } | Applied::Refused { code, message } => j.fail(id, code, message)?,
        Applied::Queued { code, message } => j.requeue(id, code, message)?,
        Applied::Conflict { store } => j.requeue(id, CONFLICT, &format!("{CONFLICT_WORDS}{store}\u{201d}"))?,
        Applied::NotMine => {}
    }
    Ok(applied)
}

/// The code a change that met a conflict is kept with.
const CONFLICT: &str = "CONFLICT";
/// The words before the store's version in such a change's message.
const CONFLICT_WORDS: &str = "changed on the store since: now \u{201c}";

/// What the store had when a change kept with `code` and `message` met a conflict.
pub fn conflict_store(code: &str, message: &str) -> Option<String> {
    (code == CONFLICT).then(|| message.strip_prefix(CONFLICT_WORDS)?.strip_suffix('\u{201d}').map(str::to_string))?
}
