//! The engine keeps the open store's local catalog: a sync starts on open with progress and a
//! cancel that leaves the catalog as it was, and searches are answered from the catalog before
//! the store answers.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::wait_for;
use mediadesk::engine::{Command, Engine, Event, Folders, JobState};
use mediadesk::sandbox::{BulkTimings, SandboxConfig};

#[test]
fn a_sync_runs_on_open_can_be_cancelled_and_then_answers_searches_first() {
    let dir = std::env::temp_dir().join(format!("mediadesk-engine-catalog-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // Enough products for a bulk operation, run slowly enough to cancel half-way.
    let config = SandboxConfig {
        products: 300,
        bulk: BulkTimings { objects_per_second: 400.0, ..BulkTimings::default() },
        ..SandboxConfig::default()
    };
    let launcher = mediadesk::cli::sandbox_launcher(config, |_| {});
    let folders = Folders { cache: None, data: Some(dir.clone()) };
    let engine = Engine::start(Some(launcher), folders, || {}).expect("the engine starts");
    engine.send(Command::OpenLocal);

    let (job, cancel) = wait_for(&engine, "the sync's cancel", |e| match e {
        Event::Cancellable { job, command } => Some((job, *command)),
        _ => None,
    });
    wait_for(&engine, "bulk progress", |e| match e {
        Event::Activity { job: j, title, state: JobState::Running(_) }
            if j == job && title.starts_with("Syncing the catalog by bulk operation: ") =>
        {
            Some(())
        }
        _ => None,
    });
    engine.send(cancel);
    wait_for(&engine, "the cancel", |e| match e {
        Event::Activity { job: j, title, state: JobState::Done } if j == job => {
            assert_eq!(title, "Sync cancelled; the catalog is as it was before");
            Some(())
        }
        _ => None,
    });
    let state = wait_for(&engine, "the catalog's state", |e| match e {
        Event::Catalog(s) if !s.syncing => Some(s),
        _ => None,
    });
    assert_eq!((state.products, state.last_sync), (0, None), "nothing of the cancelled sync was kept");

    // A search before any sync finished has no local answer: the store's comes alone.
    engine.send(Command::Search { text: String::new(), generation: 1, after: None });
    wait_for(&engine, "the store's answer", |e| match e {
        Event::LocalProducts { .. } => panic!("an empty catalog answered"),
        Event::Products { generation: 1, .. } => Some(()),
        _ => None,
    });

    engine.send(Command::SyncCatalog { full: true });
    let done = wait_for(&engine, "the sync", |e| match e {
        Event::Activity { title, state: JobState::Done, .. } => Some(title),
        Event::Activity { title, state: JobState::Failed { message, .. }, .. } => panic!("{title}: {message}"),
        _ => None,
    });
    assert!(done.starts_with("Catalog synced: 3"), "{done}");
    let state = wait_for(&engine, "the filled catalog", |e| match e {
        Event::Catalog(s) if !s.syncing => Some(s),
        _ => None,
    });
    assert!(state.products >= 300 && state.last_sync.is_some(), "{state:?}");

    // Now the catalog answers first, with its health counts, and the store's page follows.
    engine.send(Command::Search { text: String::new(), generation: 2, after: None });
    let (items, health) = wait_for(&engine, "the local answer", |e| match e {
        Event::LocalProducts { generation: 2, items, health } => Some((items, health)),
        Event::Products { generation: 2, .. } => panic!("the store answered before the catalog"),
        _ => None,
    });
    assert_eq!(items.len(), health.len());
    assert!(items.len() >= 300, "{} products", items.len());
    assert!(items.windows(2).all(|w| w[0].title.to_lowercase() <= w[1].title.to_lowercase()), "by title");
    wait_for(&engine, "the store's answer", |e| matches!(e, Event::Products { generation: 2, .. }).then_some(()));
    drop(engine);

    // The sync kept its alt-text score, though no audit was asked for: the history's point.
    // (The engine's runtime lets go of the catalog a moment after it is dropped.)
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let catalog = loop {
        match mediadesk::catalog::Catalog::open(&dir, &mediadesk::model::StoreRef::Sandbox) {
            Ok((c, _)) => break c,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("{e}"),
        }
    };
    let scores = catalog.scores().unwrap();
    assert_eq!(scores.len(), 1, "{scores:?}");
    assert_eq!(Some(scores[0].synced_at), state.last_sync);
    let (report, _) = catalog.audit(512).unwrap();
    assert_eq!((scores[0].media, scores[0].passing), (report.rows.len() as u64, report.passing() as u64));
    drop(catalog);
    let _ = std::fs::remove_dir_all(&dir);
}
