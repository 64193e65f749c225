//! The edit journal from the command line: `alt set` written down before it is sent, and
//! `pending`, `resume`, `discard`, `history` and `undo`.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::{Cli, Exit, LocalFile, line};
use crate::journal::{Applied, Change, Entry, Journal};
use crate::model::{MediaId, ProductId};
use crate::store::Store;

/// Open the store's journal, saying why on stderr when it cannot be.
pub fn open(cli: &Cli) -> Result<Mutex<Journal>, Exit> {
    let dir = super::data_dir(cli).map_err(|e| {
        eprintln!("mediadesk: {e}");
        Exit::Usage
    })?;
    Journal::open(&dir, &cli.store).map(Mutex::new).map_err(|e| {
        eprintln!("mediadesk: {e}");
        Exit::Failed
    })
}

/// Open the journal for a write, first saying on stderr when earlier changes were left
/// unconfirmed (a command or the window stopped, or the store did not answer), so they are
/// never forgotten: the command goes on, and `resume` sends them.
pub fn open_for_write(cli: &Cli) -> Result<Mutex<Journal>, Exit> {
    let journal = open(cli)?;
    let left = crate::sync::lock(&journal).unconfirmed().map(|u| u.len()).unwrap_or(0);
    if left > 0 {
        let (changes, were) = if left == 1 { ("change was", "it") } else { ("changes were", "them") };
        eprintln!(
            "mediadesk: {left} earlier {changes} not confirmed by the store: `mediadesk pending` lists {were}, \
             `mediadesk resume` sends {were}, `mediadesk discard ID` drops one"
        );
    }
    Ok(journal)
}

/// An entry as a JSON line: what, which product and media, before → after, when, where it stands.
fn entry_line(e: &Entry) -> Value {
    let mut v = json!({
        "id": e.id,
        "made_at": crate::time::rfc3339(e.made_at),
        "product": e.product.0,
        "title": e.title,
        "kind": e.change.kind(),
        "state": e.state,
    });
    match &e.change {
        Change::Alt { media, alt, base } => {
            v["media"] = json!(media.0);
            v["before"] = json!(base);
            v["after"] = json!(alt);
        }
        Change::Reorder { order, base } => {
            let ids = |o: &[MediaId]| o.iter().map(|m| m.0.clone()).collect::<Vec<_>>();
            v["before"] = json!(ids(base));
            v["after"] = json!(ids(order));
        }
        Change::Remove { media, .. } | Change::Reattach { media, .. } | Change::Delete { media } => {
            v["media"] = json!(media.iter().map(|m| m.0.as_str()).collect::<Vec<_>>());
        }
        Change::Upload { file, .. } => {
            v["file"] = json!(crate::text::visible(&file.name));
            v["path"] = json!(crate::text::visible(&file.path));
            v["size"] = json!(file.size);
        }
        Change::Rename { media, filename, base } => {
            v["media"] = json!(media.0);
            v["before"] = json!(base);
            v["after"] = json!(filename);
        }
        Change::SetMedia { main, gallery } => {
            v["main"] = json!(main);
            v["gallery"] = json!(gallery);
        }
    }
    if let Some((code, message)) = &e.error {
        v["code"] = json!(code);
        v["error"] = json!(message);
    }
    if let Some(undoes) = e.undoes {
        v["undoes"] = json!(undoes);
    }
    v
}

/// `mediadesk pending`: the changes written down and not confirmed, oldest first.
pub fn pending(cli: &Cli) -> Exit {
    let journal = match open(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    match crate::sync::lock(&journal).unconfirmed() {
        Ok(entries) => {
            entries.iter().for_each(|e| line(entry_line(e)));
            Exit::Ok
        }
        Err(e) => {
            eprintln!("mediadesk: {e}");
            Exit::Failed
        }
    }
}

/// `mediadesk history [--limit N]`: recent changes, newest first.
pub fn history(cli: &Cli, limit: u32) -> Exit {
    let journal = match open(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    match crate::sync::lock(&journal).history(limit) {
        Ok(entries) => {
            entries.iter().for_each(|e| line(entry_line(e)));
            Exit::Ok
        }
        Err(e) => {
            eprintln!("mediadesk: {e}");
            Exit::Failed
        }
    }
}

/// `mediadesk discard ID`: drop a change that was not confirmed.
pub fn discard(cli: &Cli, id: i64) -> Exit {
    let journal = match open(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let mut j = crate::sync::lock(&journal);
    match j.discard(id) {
        Ok(true) => {
            line(json!({"id": id, "discarded": true}));
            Exit::Ok
        }
        Ok(false) => {
            let why = match j.entry(id) {
                Ok(e) if e.state == crate::journal::State::Confirmed => {
                    "it is confirmed on the store: use `mediadesk undo` to take it back".to_string()
                }
                Ok(e) => format!("it is {}", serde_json::to_value(e.state).unwrap_or_default().as_str().unwrap_or("")),
                Err(e) => e.to_string(),
            };
            line(json!({"id": id, "error": format!("change {id} was not discarded: {why}"), "code": "NOT_DISCARDED"}));
            eprintln!("mediadesk: change {id} was not discarded: {why}");
            Exit::Failed
        }
        Err(e) => {
            eprintln!("mediadesk: {e}");
            Exit::Failed
        }
    }
}

/// The key a done change's line sets, as each command always printed it.
fn done_key(change: &Change) -> &'static str {
    match change {
        Change::Alt { .. } | Change::Reorder { .. } => "saved",
        Change::Remove { .. } => "removed",
        Change::Reattach { .. } => "reattached",
        Change::Delete { .. } => "deleted",
        Change::Upload { .. } => "uploaded",
        Change::Rename { .. } => "renamed",
        Change::SetMedia { .. } => "saved",
    }
}

/// One change's outcome as a JSON line, and the exit code it calls for.
fn outcome_line(entry: &Entry, applied: Applied) -> (Value, Exit) {
    // An alt edit is named by its media (as `alt set` always printed it), a reorder by its product.
    let mut v = match &entry.change {
        Change::Alt { media, .. } => json!({"id": media.0, "journal": entry.id}),
        Change::Reorder { order, .. } => json!({
            "product": entry.product.0,
            "order": order.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(),
            "journal": entry.id,
        }),
        Change::Remove { media, .. } | Change::Reattach { media, .. } | Change::Delete { media } => json!({
            "product": entry.product.0,
            "media": media.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(),
            "journal": entry.id,
        }),
        Change::Upload { file, .. } => json!({
            "product": entry.product.0,
            "file": crate::text::visible(&file.name),
            "journal": entry.id,
        }),
        Change::Rename { media, .. } => json!({"id": media.0, "journal": entry.id}),
        Change::SetMedia { .. } => json!({"product": entry.product.0, "journal": entry.id}),
    };
    let (base, alt) = entry.change.words();
    let exit = match applied {
        Applied::Confirmed => {
            v[done_key(&entry.change)] = json!(true);
            Exit::Ok
        }
        Applied::AlreadyThere => {
            v[done_key(&entry.change)] = json!(true);
            v["already_there"] = json!(true);
            Exit::Ok
        }
        Applied::Failed { code, message } => {
            v["error"] = json!(message);
            v["code"] = json!(code);
            Exit::Failed
        }
        Applied::Refused { code, message } => {
            v["error"] = json!(message);
            v["code"] = json!(code);
            eprintln!("mediadesk: {message}");
            Exit::Usage
        }
        Applied::Queued { code, message } => {
            v["queued"] = json!(true);
            v["error"] = json!(message);
            v["code"] = json!(code);
            eprintln!("mediadesk: change {} is kept and waits for `mediadesk resume`: {message}", entry.id);
            Exit::Failed
        }
        Applied::Conflict { store } => {
            v["conflict"] = json!({"before": base, "store": store, "yours": alt});
            v["code"] = json!("CONFLICT");
            let what = match &entry.change {
                Change::Reorder { .. } => "order",
                Change::Rename { .. } => "file name",
                _ => "alt text",
            };
            eprintln!(
                "mediadesk: change {} was not sent: the {what} was changed on the store since (now \u{201c}{store}\u{201d}); \
                 `mediadesk resume --overwrite` sends yours anyway, `mediadesk discard {}` keeps the store's",
                entry.id, entry.id
            );
            Exit::Failed
        }
        Applied::NotMine => {
            v["skipped"] = json!(true);
            Exit::Ok
        }
    };
    (v, exit)
}

/// Send one product's entries together and print a line for each; the exit code follows.
async fn send_and_report(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    product: &ProductId,
    entries: &[Entry],
    check: bool,
) -> Exit {
    report_sent(crate::journal::send_batch(journal, store, product, entries, check).await, entries)
}

/// A line for each of `entries` from what sending them came to.
fn report_sent(sent: Result<crate::journal::Outcomes, crate::journal::JournalError>, entries: &[Entry]) -> Exit {
    let (outcomes, notice) = match sent {
        Ok(done) => done,
        Err(e) => {
            eprintln!("mediadesk: {e}");
            return Exit::Failed;
        }
    };
    if let Some(n) = notice {
        eprintln!("mediadesk: {n}");
    }
    let mut exit = Exit::Ok;
    for (id, applied) in outcomes {
        let Some(entry) = entries.iter().find(|e| e.id == id) else { continue };
        let (v, e) = outcome_line(entry, applied);
        line(v);
        exit = exit.and(e);
    }
    exit
}

/// Write one change down, then send it and print its line. An undo (`undoes`) is checked
/// against the store first: it must still hold what the undone change set, or the undo would
/// overwrite someone else's later edit.
async fn write_down_and_send(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    product: &ProductId,
    title: &str,
    change: Change,
    undoes: Option<i64>,
) -> Exit {
    let written = crate::sync::lock(journal).write_down(product, title, &change, undoes);
    match written {
        Ok(entry) => send_and_report(journal, store, product, &[entry], undoes.is_some()).await,
        Err(e) => {
            eprintln!("mediadesk: {e}; nothing was sent");
            Exit::Failed
        }
    }
}

/// What the history calls a change of `media`'s alt text: "Alt text of front.jpg", or of the
/// media's id when the store gave no file name.
pub(super) fn alt_title(media: &crate::model::Media) -> String {
    alt_title_of(media.filename.as_deref(), &media.id)
}

/// `alt_title` from a file name where known, and the media's id.
pub(super) fn alt_title_of(filename: Option<&str>, id: &MediaId) -> String {
    let name = filename.map_or_else(|| id.0.clone(), |f| crate::text::visible(f).into_owned());
    format!("Alt text of {name}")
}

/// `mediadesk alt set`: the store's current text read (what the change replaces, kept for undo
/// and for checking before a resumed send), the change written down, then sent.
pub async fn set_alt(cli: &Cli, store: &dyn Store, product: ProductId, media: MediaId, alt: String) -> Exit {
    let journal = match open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    // The product's media: the text replaced, and the file's name for the history.
    let found = match store.product_media(&product).await {
        Ok(pm) => pm.media.into_iter().find(|m| m.id == media),
        Err(e) => return super::fail(&e, json!({"id": media.0})),
    };
    let Some(found) = found else {
        let message = format!("{} is not a media of {}", media.0, product.0);
        line(json!({"id": media.0, "error": message, "code": "MEDIA_NOT_ON_PRODUCT"}));
        eprintln!("mediadesk: {message}");
        return Exit::Failed;
    };
    let title = alt_title(&found);
    let change = Change::Alt { media, alt, base: found.alt };
    write_down_and_send(&journal, store, &product, &title, change, None).await
}

/// `mediadesk reorder`: the store's current order read (what the change replaces), the new
/// order written down, then sent whole.
pub async fn reorder(cli: &Cli, store: &dyn Store, product: ProductId, order: Vec<MediaId>) -> Exit {
    let journal = match open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let base: Vec<MediaId> = match store.media_alts(&product, order.len().max(1) as u32).await {
        Ok(alts) => alts.media.into_iter().map(|(m, _)| m).collect(),
        Err(e) => return super::fail(&e, json!({"product": product.0})),
    };
    let title = format!("New order of {} media", order.len());
    write_down_and_send(&journal, store, &product, &title, Change::Reorder { order, base }, None).await
}

/// `mediadesk remove` and `mediadesk delete`: the product's order read first (a removal's
/// undo puts the media back where they were), the change written down, then sent.
pub async fn remove_or_delete(cli: &Cli, store: &dyn Store, product: Option<ProductId>, media: Vec<MediaId>) -> Exit {
    let journal = match open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let n = media.len();
    let (product, title, change) = match product {
        Some(product) => {
            let order: Vec<MediaId> = match store.media_alts(&product, 250).await {
                Ok(alts) => alts.media.into_iter().map(|(m, _)| m).collect(),
                Err(e) => return super::fail(&e, json!({"product": product.0})),
            };
            (product, format!("Removing {n} media from the product"), Change::Remove { media, order })
        }
        // A delete names no product: the files go from every product.
        None => (ProductId(String::new()), format!("Deleting {n} file(s) for good"), Change::Delete { media }),
    };
    write_down_and_send(&journal, store, &product, &title, change, None).await
}

/// `mediadesk alt set-many FILE`: JSON lines of `{"product","media","alt"}`. Each line is
/// checked first (a bad one is reported and left out); every product's media are read (the
/// texts replaced, the files' names); all changes are written down in one commit; then each
/// product's changes go out in one write. Killed half-way, `mediadesk resume` finishes it.
pub async fn set_many(cli: &Cli, store: &dyn Store, file: &str) -> Exit {
    let journal = match open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let text = if file == "-" { std::io::read_to_string(std::io::stdin()) } else { std::fs::read_to_string(file) };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("mediadesk: cannot read {file}: {e}");
            return Exit::Usage;
        }
    };
    let mut exit = Exit::Ok;
    let mut wanted: Vec<(ProductId, Vec<(MediaId, String)>)> = Vec::new();
    for (n, raw) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match parse_line(store.platform(), raw) {
            Ok((product, media, alt)) => match wanted.iter_mut().find(|(p, _)| *p == product) {
                Some((_, items)) => items.push((media, alt)),
                None => wanted.push((product, vec![(media, alt)])),
            },
            Err((code, message)) => {
                line(json!({"line": n + 1, "error": message, "code": code}));
                exit = exit.and(Exit::Failed);
            }
        }
    }
    // What each change replaces, read before anything is written down.
    let mut changes = Vec::new();
    for (product, items) in &wanted {
        let media = match store.product_media(product).await {
            Ok(pm) => pm.media,
            Err(e) => {
                for (m, _) in items {
                    line(json!({"id": m.0, "product": product.0, "error": e.to_string(), "code": e.code()}));
                }
                exit = exit.and(Exit::Failed);
                continue;
            }
        };
        for (m, alt) in items {
            let Some(found) = media.iter().find(|x| x.id == *m) else {
                let message = format!("{} is not a media of {}", m.0, product.0);
                line(json!({"id": m.0, "error": message, "code": "MEDIA_NOT_ON_PRODUCT"}));
                exit = exit.and(Exit::Failed);
                continue;
            };
            let change = Change::Alt { media: m.clone(), alt: alt.clone(), base: found.alt.clone() };
            changes.push((product.clone(), alt_title(found), change));
        }
    }
    exit.and(record_and_send(&journal, store, &changes).await)
}

/// Write `changes` down in one commit (one batch: one undo takes them all back), then send
/// them, a line for each: alt texts 250 of any products a write where the store takes that
/// (Shopify), else each product's changes in one write.
pub(super) async fn record_and_send(
    journal: &Mutex<Journal>,
    store: &dyn Store,
    changes: &[(ProductId, String, Change)],
) -> Exit {
    if changes.is_empty() {
        return Exit::Ok;
    }
    let entries = {
        let mut j = crate::sync::lock(journal);
        let recorded: Result<Vec<Entry>, _> =
            j.record_all(changes, None).and_then(|ids| ids.into_iter().map(|id| j.entry(id)).collect());
        match recorded {
            Ok(entries) => entries,
            Err(e) => {
                eprintln!("mediadesk: {e}; nothing was sent");
                return Exit::Failed;
            }
        }
    };
    eprintln!("mediadesk: {} change(s) written down; sending", entries.len());
    send_all(journal, store, entries, false).await
}

/// Send written-down changes as `journal::writes` groups them, a line for each; `check` as
/// `journal::send_batch` takes it.
async fn send_all(journal: &Mutex<Journal>, store: &dyn Store, entries: Vec<Entry>, check: bool) -> Exit {
    let (across, groups) = crate::journal::writes(store, entries);
    let mut exit = Exit::Ok;
    for group in groups {
        exit = exit.and(report_sent(crate::journal::send_write(journal, store, &group, across, check).await, &group));
    }
    exit
}

/// One line of `set-many`: its ids and text checked as `alt set` checks them.
fn parse_line(platform: crate::model::Platform, raw: &str) -> Result<(ProductId, MediaId, String), (String, String)> {
    #[derive(serde::Deserialize)]
    struct Line {
        product: String,
        media: String,
        alt: String,
    }
    let l: Line = serde_json::from_str(raw)
        .map_err(|e| ("BAD_LINE".to_string(), format!("not a {{\"product\",\"media\",\"alt\"}} line: {e}")))?;
    let product = crate::store::ids::product(platform, &l.product).map_err(|e| (e.code(), e.to_string()))?;
    let media = crate::store::ids::media(platform, &l.media).map_err(|e| (e.code(), e.to_string()))?;
    let alt = crate::store::validate::alt_text(&media.0, &l.alt, platform).map_err(|e| (e.code, e.message))?;
    Ok((product, media, alt))
}

/// `mediadesk resume [--overwrite]`: every unconfirmed change, in the order made, each checked
/// against the store first (with `overwrite`, a text changed on the store meanwhile is
/// replaced instead of left for the merchant to choose).
pub async fn resume(cli: &Cli, store: &dyn Store, overwrite: bool) -> Exit {
    let journal = match open(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let entries = match crate::sync::lock(&journal).unconfirmed() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("mediadesk: {e}");
            return Exit::Failed;
        }
    };
    let total = entries.len();
    let mut exit = Exit::Ok;
    for (product, group) in crate::journal::by_product(entries) {
        exit = exit.and(send_and_report(&journal, store, &product, &group, !overwrite).await);
    }
    eprintln!("mediadesk: {total} unconfirmed change(s) handled");
    exit
}

/// `mediadesk undo [ID]`: put back what a confirmed change (the last one by default) replaced,
/// as a new change in the journal, unless the store's text changed since.
pub async fn undo(cli: &Cli, store: &dyn Store, id: Option<i64>) -> Exit {
    let journal = match open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let target = {
        let j = crate::sync::lock(&journal);
        match id {
            Some(id) => j.entry(id).map(Some),
            None => j.last_undoable(),
        }
    };
    let target = match target {
        Ok(Some(e)) if e.state == crate::journal::State::Confirmed => e,
        Ok(Some(e)) => {
            eprintln!(
                "mediadesk: change {} is not confirmed on the store; `mediadesk discard {}` drops it",
                e.id, e.id
            );
            return Exit::Failed;
        }
        Ok(None) => {
            eprintln!("mediadesk: there is no confirmed change to undo");
            return Exit::Failed;
        }
        Err(e) => {
            eprintln!("mediadesk: {e}");
            return Exit::Failed;
        }
    };
    let written = crate::sync::lock(&journal).write_down_undo(&target);
    let entries = match written {
        Ok(entries) if entries.is_empty() => {
            eprintln!(
                "mediadesk: change {} deleted or uploaded files, or was undone already: it cannot be undone",
                target.id
            );
            return Exit::Failed;
        }
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("mediadesk: {e}; nothing was sent");
            return Exit::Failed;
        }
    };
    if entries.len() > 1 {
        eprintln!("mediadesk: change {} was made with {} others: undoing them together", target.id, entries.len() - 1);
    }
    send_all(&journal, store, entries, true).await
}

/// `mediadesk upload`: the product's media read first (to recognise the files on it later),
/// each file written down with its path, size and hash, then all sent in one upload. Killed
/// half-way, `mediadesk resume` reads the product and sends only the files not on it.
pub async fn upload(cli: &Cli, store: &dyn Store, product: ProductId, files: Vec<LocalFile>) -> Exit {
    let mut lines: Vec<Option<Value>> = files.iter().map(|f| f.ready.as_ref().err().cloned()).collect();
    let mut exit = if lines.iter().any(Option::is_some) { Exit::Failed } else { Exit::Ok };
    let ready: Vec<(usize, String, std::path::PathBuf, crate::store::UploadFile)> = files
        .into_iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let LocalFile { label, path, ready } = f;
            ready.ok().map(|u| (i, label, path, u))
        })
        .collect();
    if ready.is_empty() {
        // Every file was refused here: nothing was sent.
        lines.into_iter().flatten().for_each(line);
        return Exit::Usage;
    }
    let journal = match open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let before: Vec<MediaId> = match store.media_alts(&product, 250).await {
        Ok(alts) => alts.media.into_iter().map(|(m, _)| m).collect(),
        Err(e) => return super::fail(&e, json!({"product": product.0})).and(exit),
    };
    let changes: Vec<(ProductId, String, Change)> = ready
        .iter()
        .map(|(_, _, path, u)| {
            let file = crate::journal::Source::new(path, &u.filename, &u.bytes, u.alt.clone());
            let title = format!("Upload of {}", crate::text::visible(&u.filename));
            (product.clone(), title, Change::Upload { file, before: before.clone() })
        })
        .collect();
    let entries = {
        let mut j = crate::sync::lock(&journal);
        let recorded: Result<Vec<Entry>, _> =
            j.record_all(&changes, None).and_then(|ids| ids.into_iter().map(|id| j.entry(id)).collect());
        match recorded {
            Ok(entries) => entries,
            Err(e) => {
                eprintln!("mediadesk: {e}; nothing was sent");
                return Exit::Failed;
            }
        }
    };
    let names: Vec<String> = ready.iter().map(|(_, l, _, _)| l.clone()).collect();
    let bytes = entries.iter().zip(&ready).map(|(e, (_, _, _, u))| (e.id, u.bytes.clone())).collect();
    let results =
        match crate::journal::upload_batch(&journal, store, &product, &entries, bytes, progress_lines(names)).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("mediadesk: {e}");
                return Exit::Failed;
            }
        };
    for r in results {
        let Some(at) = entries.iter().position(|e| e.id == r.id) else { continue };
        let (index, label) = (ready[at].0, &ready[at].1);
        let (v, e) = upload_line(label, &product, r);
        lines[index] = Some(v);
        exit = exit.and(e);
    }
    lines.into_iter().flatten().for_each(line);
    exit
}

/// Progress on stderr, a line per quarter of each file.
fn progress_lines(names: Vec<String>) -> crate::store::ProgressFn {
    let shown = std::sync::Mutex::new(vec![0u64; names.len()]);
    std::sync::Arc::new(move |i, sent, total| {
        let pct = (sent * 100).checked_div(total).unwrap_or(100);
        let mut shown = crate::sync::lock(&shown);
        if let Some(last) = shown.get_mut(i)
            && (pct >= *last + 25 || (pct == 100 && *last < 100))
        {
            *last = pct;
            let verb = if pct == 100 { "received by the store" } else { "sent" };
            eprintln!("{}: {pct}% {verb}", names.get(i).map_or("", String::as_str));
        }
    })
}

/// One uploaded file's line (the media it became, or why not) and the exit code it calls for.
fn upload_line(label: &str, product: &ProductId, r: crate::journal::UploadResult) -> (Value, Exit) {
    use crate::store::FileOutcome;
    let mut v = json!({"file": label, "journal": r.id});
    if let Some(FileOutcome::Attached(m)) = &r.outcome {
        v["id"] = json!(m.id.0);
        v["status"] = json!(m.status.as_str());
    }
    let exit = match r.applied {
        Applied::Confirmed | Applied::NotMine => Exit::Ok,
        Applied::AlreadyThere => {
            v["already_there"] = json!(true);
            Exit::Ok
        }
        Applied::Failed { code, message } => {
            v["error"] = json!(message);
            v["code"] = json!(code);
            Exit::Failed
        }
        Applied::Refused { code, message } => {
            eprintln!("mediadesk: {message}");
            v["error"] = json!(message);
            v["code"] = json!(code);
            Exit::Usage
        }
        Applied::Queued { code, message } => {
            eprintln!(
                "mediadesk: {label}: {message}; kept as change {}: `mediadesk resume` reads {} and sends the file \
                 again only if it is not there",
                r.id, product.0
            );
            // Sent, possibly attached: not a failure, and not to be sent again blindly.
            if let Some(FileOutcome::Unconfirmed { media, .. }) = &r.outcome {
                v["status"] = json!("unconfirmed");
                v["message"] = json!(message);
                if let Some(m) = media {
                    v["id"] = json!(m.0);
                }
                return (v, Exit::Unconfirmed);
            }
            v["queued"] = json!(true);
            v["error"] = json!(message);
            v["code"] = json!(code);
            Exit::Failed
        }
        Applied::Conflict { store } => {
            v["error"] = json!(store);
            Exit::Failed
        }
    };
    (v, exit)
}

/// `mediadesk rename`: the file's current name read (what the change replaces, for undo and
/// for checking before a resumed send), the new name written down, then sent.
pub async fn rename(cli: &Cli, store: &dyn Store, media: MediaId, filename: String) -> Exit {
    let journal = match open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let base = match store.file_name(&media).await {
        Ok(b) => b,
        Err(e) => return super::fail(&e, json!({"id": media.0})),
    };
    // The store keeps the extension: written down with it, so a resumed rename finds it done.
    let name = filename.trim();
    let filename = match base.as_deref().and_then(|b| b.rsplit_once('.')) {
        Some((_, ext)) if !name.is_empty() && !name.contains('.') => format!("{name}.{ext}"),
        _ => name.to_string(),
    };
    let title = format!("Name of {}", crate::text::visible(base.as_deref().unwrap_or(&media.0)));
    let change = Change::Rename { media, filename, base };
    // A file may be on several products: the change names none.
    write_down_and_send(&journal, store, &ProductId(String::new()), &title, change, None).await
}

/// `mediadesk set-media` (Ecwid): written down, then sent; one line per URL as the store
/// answered, each with the journal's number. Sending it again is harmless (it overwrites the
/// whole gallery), so a resumed one is sent again as it is.
pub async fn set_media(
    cli: &Cli,
    store: &dyn Store,
    product: ProductId,
    main: Option<String>,
    gallery: Vec<String>,
) -> Exit {
    let journal = match open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let gallery = (!gallery.is_empty()).then_some(gallery);
    let title = "Media of the product from URLs".to_string();
    let entry =
        match crate::sync::lock(&journal).write_down(&product, &title, &Change::SetMedia { main, gallery }, None) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("mediadesk: {e}; nothing was sent");
                return Exit::Failed;
            }
        };
    match crate::journal::send_set_media(&journal, store, &entry).await {
        Ok((_, Some(report))) => {
            let mut exit = Exit::Ok;
            for (url, r) in report.items {
                match r {
                    Ok(id) => line(json!({"url": url, "id": id, "journal": entry.id})),
                    Err(e) => {
                        line(json!({"url": url, "error": e.message, "code": e.code, "journal": entry.id}));
                        exit = Exit::Failed;
                    }
                }
            }
            exit
        }
        Ok((applied, None)) => {
            let (v, exit) = outcome_line(&entry, applied);
            line(v);
            exit
        }
        Err(e) => {
            eprintln!("mediadesk: {e}");
            Exit::Failed
        }
    }
}
