//! `mediadesk audit`, `alt export`, `alt import` and `alt template`: the store-wide alt-text
//! audit from the local catalog, and bulk fixes sent through the edit journal.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::{AltAction, Cli, Command, Exit, line};
use crate::audit::csv_file::{self, ImportRow};
use crate::audit::template::{Planned, Template, plan};
use crate::audit::{AuditRow, Report, Severity};
use crate::catalog::Catalog;
use crate::journal::Change;
use crate::model::{MediaId, ProductId, ScorePoint};
use crate::store::Store;

/// Whether the command is one of these, and can be answered from the catalog alone (no store,
/// no network) when the catalog holds a sync.
pub fn is_local(command: &Command) -> bool {
    matches!(
        command,
        Command::Audit { .. }
            | Command::Alt { action: AltAction::Export { .. } }
            | Command::Alt { action: AltAction::Template { dry_run: true, .. } }
    )
}

/// Whether the command is one of this module's.
pub fn is_mine(command: &Command) -> bool {
    is_local(command)
        || matches!(
            command,
            Command::Alt { action: AltAction::Import { .. } } | Command::Alt { action: AltAction::Template { .. } }
        )
}

/// Answer a local command from the catalog when it holds a sync; `None` when the store is
/// needed (an empty catalog is synced first).
pub fn try_local(cli: &Cli, command: &Command) -> Option<Exit> {
    if let Some(exit) = check_args(command) {
        return Some(exit);
    }
    let mut catalog = match super::catalog::open(cli) {
        Ok(c) => c,
        Err(exit) => return Some(exit),
    };
    if matches!(catalog.state("last_sync"), Ok(None)) {
        return None;
    }
    Some(run_local(cli, &mut catalog, command))
}

/// Refuse unknown rule ids and broken templates before anything is read.
fn check_args(command: &Command) -> Option<Exit> {
    let rules: Vec<&String> = match command {
        Command::Audit { rule, .. } => rule.iter().collect(),
        Command::Alt { action: AltAction::Template { rule, template, .. } } => {
            if let Err(e) = Template::parse(template) {
                eprintln!("mediadesk: {e}");
                return Some(Exit::Usage);
            }
            rule.iter().collect()
        }
        _ => Vec::new(),
    };
    if rules.iter().any(|r| *r == "list") {
        for r in crate::audit::RULES {
            line(json!({"rule": r.id, "severity": r.severity.word(), "name": r.name}));
        }
        return Some(Exit::Ok);
    }
    if let Some(bad) = rules.iter().find(|r| crate::audit::rule(r).is_none()) {
        let ids: Vec<&str> = crate::audit::RULES.iter().map(|r| r.id).collect();
        eprintln!("mediadesk: there is no rule {bad:?}; the rules are {}", ids.join(", "));
        return Some(Exit::Usage);
    }
    None
}

fn run_local(cli: &Cli, catalog: &mut Catalog, command: &Command) -> Exit {
    let report = match report(cli, catalog) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    match command {
        Command::Audit { format, rule, min_severity } => {
            let history = catalog.scores().unwrap_or_default();
            audit(&report, &history, format, rule, Severity::parse(min_severity).unwrap_or(Severity::Warning))
        }
        Command::Alt { action: AltAction::Export { file } } => export(&report, file),
        Command::Alt { action: AltAction::Template { template, rule, overwrite, .. } } => {
            let Ok(t) = Template::parse(template) else { return Exit::Usage };
            let limit = cli.store.platform().limits().alt_max_chars;
            preview(&plan(&report, &t, |r| chosen(r, rule.as_deref(), *overwrite), limit))
        }
        _ => Exit::Usage,
    }
}

/// Run one of this module's commands with the store at hand: the catalog synced first when it
/// is empty, then the command.
pub async fn with_store(cli: &Cli, store: Arc<dyn Store>, command: &Command) -> Exit {
    if let Some(exit) = check_args(command) {
        return exit;
    }
    let mut catalog = match super::catalog::open(cli) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    if matches!(catalog.state("last_sync"), Ok(None)) {
        eprintln!("mediadesk: the local catalog is empty: syncing it first");
        catalog = match sync_first(store.clone(), catalog).await {
            Ok(c) => c,
            Err(exit) => return exit,
        };
    }
    match command {
        Command::Alt { action: AltAction::Import { file, dry_run } } => {
            import(cli, store.as_ref(), &mut catalog, file, *dry_run).await
        }
        Command::Alt { action: AltAction::Template { template, rule, overwrite, dry_run: false } } => {
            let report = match report(cli, &mut catalog) {
                Ok(r) => r,
                Err(exit) => return exit,
            };
            let Ok(t) = Template::parse(template) else { return Exit::Usage };
            let limit = cli.store.platform().limits().alt_max_chars;
            apply_template(cli, store.as_ref(), plan(&report, &t, |r| chosen(r, rule.as_deref(), *overwrite), limit))
                .await
        }
        _ => run_local(cli, &mut catalog, command),
    }
}

/// A sync of an empty catalog, its progress on stderr.
async fn sync_first(store: Arc<dyn Store>, catalog: Catalog) -> Result<Catalog, Exit> {
    use crate::catalog::sync::{Method, SyncError, SyncOptions, sync};
    let shared = Arc::new(Mutex::new(catalog));
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = sync(store, shared.clone(), SyncOptions { full: true, method: Method::Auto }, |_| {}, cancel).await;
    match done {
        Ok(s) => eprintln!("mediadesk: synced {} products and {} media", s.products, s.media),
        Err(SyncError::Store(e)) => return Err(super::fail(&e, json!({}))),
        Err(e) => {
            eprintln!("mediadesk: {e}");
            return Err(Exit::Failed);
        }
    }
    Arc::try_unwrap(shared).map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner())).map_err(|_| Exit::Failed)
}

/// The audit of the whole catalog, its score kept for the last sync (one point per sync).
fn report(cli: &Cli, catalog: &mut Catalog) -> Result<Report, Exit> {
    catalog.audit_and_score(cli.store.platform().limits().alt_max_chars).map(|(report, _)| report).map_err(|e| {
        eprintln!("mediadesk: {e}");
        Exit::Failed
    })
}

fn finding_json(f: &crate::audit::Finding) -> Value {
    let mut v = json!({"rule": f.rule, "severity": f.severity.word(), "message": f.message});
    if let Some(fix) = &f.fix {
        v["fix"] = json!(fix);
    }
    v
}

/// `mediadesk audit`: the rows with findings (those of the chosen rules and severity), then
/// the summary with the score at each sync kept (`history`).
fn audit(report: &Report, history: &[ScorePoint], format: &str, rules: &[String], min: Severity) -> Exit {
    let wanted =
        |f: &crate::audit::Finding| f.severity >= min && (rules.is_empty() || rules.iter().any(|r| r == f.rule));
    let rows: Vec<AuditRow> = report
        .rows
        .iter()
        .filter_map(|r| {
            let findings: Vec<_> = r.findings.iter().filter(|f| wanted(f)).cloned().collect();
            (!findings.is_empty()).then(|| AuditRow { findings, ..r.clone() })
        })
        .collect();
    let per_rule: serde_json::Map<String, Value> =
        report.per_rule().into_iter().filter(|c| c.media > 0).map(|c| (c.rule.to_string(), json!(c.media))).collect();
    let summary = json!({
        "summary": true,
        "media": report.rows.len(),
        "passing": report.passing(),
        "score": super::tenths(report.score()),
        "errors": report.findings_of(Severity::Error),
        "warnings": report.findings_of(Severity::Warning),
        "listed": rows.len(),
        "rules": per_rule,
        "history": history.iter().map(|p| json!({
            "synced_at": crate::time::rfc3339(p.synced_at),
            "score": super::tenths(p.score()),
            "media": p.media, "errors": p.errors, "warnings": p.warnings,
        })).collect::<Vec<_>>(),
    });
    if format == "csv" {
        if let Err(e) = csv_file::write(std::io::stdout().lock(), &rows) {
            eprintln!("mediadesk: {e}");
            return Exit::Failed;
        }
        eprintln!("mediadesk: {summary}");
        return Exit::Ok;
    }
    for r in &rows {
        line(json!({
            "product": r.product.0, "title": r.title, "handle": r.handle, "media": r.media.0,
            "position": r.position + 1, "kind": r.kind.as_str(), "alt": r.alt, "decorative": r.decorative,
            "findings": r.findings.iter().map(finding_json).collect::<Vec<_>>(),
        }));
    }
    line(summary);
    Exit::Ok
}

/// `mediadesk alt export FILE`.
fn export(report: &Report, file: &str) -> Exit {
    let written = if file == "-" {
        csv_file::write(std::io::stdout().lock(), &report.rows)
    } else {
        std::fs::File::create(file).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            csv_file::write(&mut w, &report.rows)?;
            std::io::Write::flush(&mut w)
        })
    };
    match written {
        Ok(()) => {
            let flagged = report.rows.iter().filter(|r| !r.findings.is_empty()).count();
            eprintln!(
                "mediadesk: {} media written to {file} ({flagged} with findings); fill in new_alt and run `mediadesk alt import {file}`",
                report.rows.len()
            );
            Exit::Ok
        }
        Err(e) => {
            eprintln!("mediadesk: cannot write {file}: {e}");
            Exit::Failed
        }
    }
}

/// One alt text a bulk fix wants, before the store is asked.
struct Wanted {
    /// What the line printed for it starts with (the CSV row, or the product).
    label: Value,
    product: ProductId,
    media: MediaId,
    /// The new text, as given.
    alt: String,
    /// The text it was planned against (the export's, or the catalog's): a store text other
    /// than it was changed since, and is not overwritten.
    expected: Option<String>,
    /// Its file name as the catalog knows it, for the history's words where the store's read
    /// gives none.
    name: Option<String>,
}

/// Where a wanted text stands against the store.
enum Verdict {
    /// To send: the text it replaces and the title the history gives it.
    Change {
        base: String,
        title: String,
        alt: String,
    },
    Unchanged,
    UnknownId(String),
    OverLimit(String),
    Invalid(String),
    ChangedOnStore(String),
}

impl Verdict {
    fn status(&self) -> &'static str {
        match self {
            Verdict::Change { .. } => "changed",
            Verdict::Unchanged => "unchanged",
            Verdict::UnknownId(_) => "unknown_id",
            Verdict::OverLimit(_) => "over_limit",
            Verdict::Invalid(_) => "invalid",
            Verdict::ChangedOnStore(_) => "changed_on_store",
        }
    }
}

/// Whitespace runs as one space, the ends trimmed: how texts are compared (a spreadsheet may
/// keep a line break as CRLF, the store as LF).
fn same(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// What the store holds for a wanted media, read before anything is sent.
enum Found {
    /// Its text now, and its file name where the read gives it.
    Now { alt: String, name: Option<String> },
    /// Its product could not be read, with why.
    Unreadable(String),
}

/// What the store holds now for each wanted media, by product and media: on a store that
/// reads texts of any products at once (Shopify), 250 a read; else each product read once.
async fn read_current(store: &dyn Store, wanted: &[&Wanted]) -> BTreeMap<(ProductId, MediaId), Found> {
    let mut found = BTreeMap::new();
    if store.capabilities().alts_across_products {
        let ids: Vec<MediaId> = wanted.iter().map(|w| w.media.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        match store.current_alts(&ids).await {
            Ok(now) => {
                let now: BTreeMap<MediaId, String> = now.into_iter().collect();
                for w in wanted {
                    if let Some(alt) = now.get(&w.media) {
                        found.insert((w.product.clone(), w.media.clone()), Found::Now { alt: alt.clone(), name: None });
                    }
                }
            }
            Err(e) => {
                for w in wanted {
                    let why = format!("the store's texts could not be read: {e}");
                    found.insert((w.product.clone(), w.media.clone()), Found::Unreadable(why));
                }
            }
        }
        return found;
    }
    let products: BTreeSet<&ProductId> = wanted.iter().map(|w| &w.product).collect();
    for product in products {
        match store.product_media(product).await {
            Ok(pm) => {
                for m in pm.media {
                    found.insert((product.clone(), m.id.clone()), Found::Now { alt: m.alt, name: m.filename });
                }
            }
            Err(e) => {
                for w in wanted.iter().filter(|w| w.product == *product) {
                    let why = format!("{} could not be read: {e}", product.0);
                    found.insert((w.product.clone(), w.media.clone()), Found::Unreadable(why));
                }
            }
        }
    }
    found
}

/// Each wanted text against the store's current one (`read_current`).
async fn judge(store: &dyn Store, wanted: &[Wanted]) -> Vec<Verdict> {
    let platform = store.platform();
    let across = store.capabilities().alts_across_products;
    // Only media of products the catalog knows are read; a variation's picture is not written.
    let asked: Vec<&Wanted> =
        wanted.iter().filter(|w| !w.product.0.is_empty() && !crate::audit::report::is_variation_id(&w.media)).collect();
    let found = read_current(store, &asked).await;
    wanted
        .iter()
        .map(|w| {
            if crate::audit::report::is_variation_id(&w.media) {
                return Verdict::Invalid(format!(
                    "{} is a variation's own image: change its alt text in the variation's settings in Ecwid's control panel",
                    w.media.0
                ));
            }
            let (now, name) = match found.get(&(w.product.clone(), w.media.clone())) {
                Some(Found::Now { alt, name }) => (alt, name),
                Some(Found::Unreadable(why)) => return Verdict::UnknownId(why.clone()),
                None if w.product.0.is_empty() => {
                    return Verdict::UnknownId(format!("{} is not in the local catalog", w.media.0));
                }
                None if across => return Verdict::UnknownId(format!("{} no longer exists on the store", w.media.0)),
                None => return Verdict::UnknownId(format!("{} is not a media of {}", w.media.0, w.product.0)),
            };
            let alt = match crate::store::validate::alt_text(&w.media.0, &w.alt, platform) {
                Ok(a) => a,
                Err(e) if e.code == "ALT_VALUE_LIMIT_EXCEEDED" => return Verdict::OverLimit(e.message),
                Err(e) => return Verdict::Invalid(e.message),
            };
            if same(&alt, now) {
                return Verdict::Unchanged;
            }
            if w.expected.as_deref().is_some_and(|e| !same(e, now)) {
                return Verdict::ChangedOnStore(now.clone());
            }
            let title = super::journal::alt_title_of(name.as_deref().or(w.name.as_deref()), &w.media);
            Verdict::Change { base: now.clone(), title, alt }
        })
        .collect()
}

/// A change with the title the history shows, for its product.
type Titled = (ProductId, String, Change);

/// The verdicts as lines; the changes to send and how many rows each status had.
fn report_verdicts(wanted: &[Wanted], verdicts: &[Verdict]) -> (Vec<Titled>, BTreeMap<&'static str, usize>) {
    let mut changes = Vec::new();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (w, v) in wanted.iter().zip(verdicts) {
        *counts.entry(v.status()).or_default() += 1;
        let mut out = w.label.clone();
        out["media"] = json!(w.media.0);
        out["status"] = json!(v.status());
        match v {
            Verdict::Change { base, title, alt } => {
                out["alt"] = json!(base);
                out["new_alt"] = json!(alt);
                changes.push((
                    w.product.clone(),
                    title.clone(),
                    Change::Alt { media: w.media.clone(), alt: alt.clone(), base: base.clone() },
                ));
            }
            Verdict::Unchanged => {}
            Verdict::ChangedOnStore(store) => {
                out["store"] = json!(store);
                out["new_alt"] = json!(w.alt);
                out["message"] = json!("changed on the store since the export: not overwritten");
            }
            Verdict::UnknownId(m) | Verdict::OverLimit(m) | Verdict::Invalid(m) => out["message"] = json!(m),
        }
        line(out);
    }
    (changes, counts)
}

/// `mediadesk alt import FILE [--dry-run]`.
async fn import(cli: &Cli, store: &dyn Store, catalog: &mut Catalog, file: &str, dry_run: bool) -> Exit {
    let bytes = if file == "-" {
        let mut all = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut all).map(|_| all)
    } else {
        std::fs::read(file)
    };
    let rows =
        match bytes.map_err(|e| format!("cannot read {file}: {e}")).and_then(|b| csv_file::read(&b).map_err(|e| e.0)) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("mediadesk: {e}");
                return Exit::Usage;
            }
        };
    let decorative = catalog.decorative().unwrap_or_default();
    let mut marks: (Vec<MediaId>, Vec<MediaId>) = (Vec::new(), Vec::new());
    let mut wanted = Vec::new();
    for r in &rows {
        let media = MediaId(r.media.clone());
        if let Some(d) = r.decorative.filter(|d| *d != decorative.contains(&media)) {
            if d { marks.0.push(media.clone()) } else { marks.1.push(media.clone()) }
        }
        let Some(alt) = &r.new_alt else { continue };
        wanted.push(Wanted {
            label: json!({"row": r.row}),
            product: product_of(catalog, r),
            name: catalog.file_name(&media).unwrap_or_default(),
            media,
            alt: alt.clone(),
            expected: r.exported_alt.clone(),
        });
    }
    let verdicts = judge(store, &wanted).await;
    let (changes, counts) = report_verdicts(&wanted, &verdicts);
    let problems =
        counts.iter().filter(|(k, _)| !matches!(**k, "changed" | "unchanged")).map(|(_, n)| n).sum::<usize>();
    let mut summary = json!({"rows": rows.len(), "dry_run": dry_run, "decorative_marked": marks.0.len(), "decorative_unmarked": marks.1.len()});
    for (k, n) in &counts {
        summary[*k] = json!(n);
    }
    if dry_run {
        line(summary);
        return Exit::Ok;
    }
    let marked = catalog.set_decorative(&marks.0, true).and_then(|()| catalog.set_decorative(&marks.1, false));
    if let Err(e) = marked {
        eprintln!("mediadesk: the decorative marks were not kept: {e}");
    }
    let journal = match super::journal::open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let sent = super::journal::record_and_send(&journal, store, &changes).await;
    line(summary);
    if problems > 0 {
        eprintln!("mediadesk: {problems} row(s) were not sent; their lines say why");
        return Exit::Failed;
    }
    sent
}

/// The product an import row's media belongs to: the file's, or the catalog's.
fn product_of(catalog: &Catalog, r: &ImportRow) -> ProductId {
    if let Some(p) = &r.product {
        return ProductId(p.clone());
    }
    let held = catalog.products_holding(&[MediaId(r.media.clone())]).unwrap_or_default();
    held.into_iter().next().unwrap_or(ProductId(String::new()))
}

/// The media `alt template` changes: those with findings of `rule`, or with any finding, or
/// every one with `overwrite`.
fn chosen(r: &AuditRow, rule: Option<&str>, overwrite: bool) -> bool {
    match rule {
        Some(id) => r.has(id),
        None => overwrite || !r.findings.is_empty(),
    }
}

/// `alt template --dry-run`: every new text with its findings; nothing sent.
fn preview(planned: &[Planned]) -> Exit {
    for p in planned {
        line(json!({
            "product": p.row.product.0, "media": p.row.media.0, "alt": p.row.alt, "new_alt": p.new_alt,
            "was": p.row.findings.iter().map(|f| f.rule).collect::<Vec<_>>(),
            "findings": p.findings.iter().map(finding_json).collect::<Vec<_>>(),
        }));
    }
    let still: BTreeSet<&str> = planned.iter().flat_map(|p| p.findings.iter().map(|f| f.rule)).collect();
    line(
        json!({"dry_run": true, "would_change": planned.len(), "new_findings": still.into_iter().collect::<Vec<_>>()}),
    );
    Exit::Ok
}

/// `alt template`: the planned texts checked against the store (a text changed there since
/// the last sync is left alone), then sent as one batch.
async fn apply_template(cli: &Cli, store: &dyn Store, planned: Vec<Planned>) -> Exit {
    let wanted: Vec<Wanted> = planned
        .into_iter()
        .map(|p| Wanted {
            label: json!({"product": p.row.product.0}),
            product: p.row.product,
            media: p.row.media,
            alt: p.new_alt,
            expected: Some(p.row.alt),
            name: p.row.filename,
        })
        .collect();
    let verdicts = judge(store, &wanted).await;
    let (changes, counts) = report_verdicts(&wanted, &verdicts);
    let journal = match super::journal::open_for_write(cli) {
        Ok(j) => j,
        Err(exit) => return exit,
    };
    let sent = super::journal::record_and_send(&journal, store, &changes).await;
    let mut summary = json!({"template": true});
    for (k, n) in &counts {
        summary[*k] = json!(n);
    }
    line(summary);
    sent
}
