//! The engine passes on what the store says once (a fallback used) instead of dropping it.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use mediadesk::engine::{Command, Engine, Event};
use mediadesk::model::{MediaId, ProductId, StoreRef};
use mediadesk::sandbox::{SANDBOX_TOKEN_NO_WRITE_FILES, SandboxConfig};
use mediadesk::secrets::Secret;
use mediadesk::store::credentials::Credentials;

fn wait_for(engine: &Engine, what: &str, mut found: impl FnMut(&Event) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match engine.try_event() {
            Some(e) if found(&e) => return,
            Some(_) => {}
            None if Instant::now() > deadline => panic!("timed out waiting for {what}"),
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

#[test]
fn the_write_files_fallback_notice_reaches_the_window() {
    let (tx, rx) = std::sync::mpsc::channel();
    let launcher = mediadesk::cli::sandbox_launcher(SandboxConfig::default(), move |sb| {
        let _ = tx.send(sb.url());
    });
    let engine = Engine::start(Some(launcher), Default::default(), || {}).expect("the engine starts");
    engine.send(Command::OpenLocal);
    let url = rx.recv_timeout(Duration::from_secs(30)).expect("the sandbox starts");
    wait_for(&engine, "the sandbox", |e| matches!(e, Event::Connected { .. }));
    // The same sandbox, as a shop whose token lacks write_files.
    engine.send(Command::Connect {
        store: StoreRef::Shopify { shop: "acme".into() },
        endpoint: Some(url),
        credentials: Credentials::Token(Secret::new(SANDBOX_TOKEN_NO_WRITE_FILES)),
        save: false,
    });
    wait_for(&engine, "the shop", |e| matches!(e, Event::Connected { store: StoreRef::Shopify { .. }, .. }));
    engine.send(Command::SaveAlt {
        product: ProductId("gid://shopify/Product/1".into()),
        media: MediaId("gid://shopify/MediaImage/37".into()),
        alt: "Steel Polaris watch".into(),
        previous: "Man wearing Polaris watch.".into(),
        title: "Saving the alt text of polaris.jpg".into(),
    });
    wait_for(&engine, "the notice", |e| matches!(e, Event::Notice(n) if n.contains("write_files")));
}
