//! `mediadesk sync` and `mediadesk search`: the local catalog from the command line.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::json;

use super::{Cli, Exit, line};
use crate::catalog::Catalog;
use crate::catalog::sync::{Method, SyncError, SyncOptions, sync as run_sync};
use crate::store::Store;

/// Where catalogs live: `--data-dir`, else `MEDIADESK_DATA_DIR`, else the platform's data folder.
pub fn data_dir(cli: &Cli) -> Result<PathBuf, String> {
    cli.data_dir
        .clone()
        .or_else(|| std::env::var_os("MEDIADESK_DATA_DIR").filter(|v| !v.is_empty()).map(PathBuf::from))
        .or_else(crate::catalog::default_dir)
        .ok_or_else(|| "no data folder is known for this user: pass --data-dir".to_string())
}

/// Open the store's catalog, saying on stderr when a damaged or newer file was moved aside.
pub(super) fn open(cli: &Cli) -> Result<Catalog, Exit> {
    let dir = data_dir(cli).map_err(|e| {
        eprintln!("mediadesk: {e}");
        Exit::Usage
    })?;
    match Catalog::open(&dir, &cli.store) {
        Ok((catalog, notice)) => {
            if let Some(n) = notice {
                eprintln!("mediadesk: {n}");
            }
            Ok(catalog)
        }
        Err(e) => {
            eprintln!("mediadesk: {e}");
            Err(Exit::Failed)
        }
    }
}

/// `mediadesk search TEXT`: products from the catalog, one JSON line each; no network.
pub fn search(cli: &Cli, text: &str, limit: u32) -> Exit {
    let catalog = match open(cli) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    if matches!(catalog.state("last_sync"), Ok(None)) {
        eprintln!("mediadesk: the local catalog of {} is empty: run `mediadesk sync` first", cli.store);
        return Exit::Failed;
    }
    match catalog.search(text, limit) {
        Ok(hits) => {
            for h in hits {
                line(json!(h));
            }
            Exit::Ok
        }
        Err(e) => {
            eprintln!("mediadesk: {e}");
            Exit::Failed
        }
    }
}

/// `mediadesk sync [--full]`: the store's changes since the last sync (everything the first
/// time, or with `--full`) into its catalog; Ctrl+C cancels and keeps the old catalog.
pub async fn sync(cli: &Cli, store: Arc<dyn Store>, full: bool, method: &str) -> Exit {
    let method = match method {
        "bulk" => Method::Bulk,
        "paged" | "paced" => Method::Paged,
        _ => Method::Auto,
    };
    let catalog = match open(cli) {
        Ok(c) => Arc::new(Mutex::new(c)),
        Err(exit) => return exit,
    };
    let path = crate::sync::lock(&catalog).path().display().to_string();
    let cancel = Arc::new(AtomicBool::new(false));
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("mediadesk: cancelling the sync; the catalog stays as it was");
            on_signal.store(true, Ordering::Relaxed);
        }
    });
    let start = Instant::now();
    let last = std::sync::atomic::AtomicU64::new(0);
    let progress = |p: crate::catalog::sync::SyncProgress| {
        // A line per thousand rows (or objects the store's bulk job wrote), not per row.
        let step = p.done / 1000;
        if last.swap(step, Ordering::Relaxed) != step {
            let what = if p.method == Method::Bulk { "rows (products and media) read" } else { "products read" };
            eprintln!("mediadesk: {} {what}", p.done);
        }
    };
    let limit = cli.store.platform().limits().alt_max_chars;
    match run_sync(store, catalog.clone(), SyncOptions { full, method }, progress, cancel).await {
        Ok(s) => {
            if let Some(n) = &s.notice {
                eprintln!("mediadesk: {n}");
            }
            let seconds = super::tenths(start.elapsed().as_secs_f64());
            // The audit's score for this sync: the history `mediadesk audit` and the window show.
            let score = match crate::sync::lock(&catalog).score_sync(limit) {
                Ok(point) => point.map(|p| super::tenths(p.score())),
                Err(e) => {
                    eprintln!("mediadesk: the alt-text score of this sync was not kept: {e}");
                    None
                }
            };
            line(json!({
                "synced": s.kind, "method": s.method, "products": s.products, "media": s.media, "removed": s.removed,
                "seconds": seconds, "catalog": path, "alt_text_score": score,
            }));
            Exit::Ok
        }
        Err(SyncError::Store(e)) => super::fail(&e, json!({"catalog": path})),
        Err(e) => {
            eprintln!("mediadesk: {e}");
            Exit::Failed
        }
    }
}
