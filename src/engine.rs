//! The background engine: a tokio runtime on its own thread that runs the UI's commands
//! against the store and answers with events, asking for a repaint after each one.

use std::sync::Arc;
use std::sync::mpsc as std_mpsc;

use crate::model::{Page, ProductId, ProductMedia, ProductQuery, ProductSort, ProductSummary, StoreRef};
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::secrets::Secret;
use crate::store::shopify::{ShopifyStore, endpoint};
use crate::store::{Store, StoreError};

/// What the UI asks for.
#[derive(Debug, Clone)]
pub enum Command {
    /// Search products (empty text lists them all); `generation` tags the answer.
    Search {
        /// The search text.
        text: String,
        /// Increases with every search, so stale answers can be dropped.
        generation: u64,
    },
    /// Load a product's media.
    OpenProduct(ProductId),
}

/// What the engine reports.
#[derive(Debug, Clone)]
pub enum Event {
    /// The store is ready.
    Connected {
        /// Which store.
        store: StoreRef,
        /// Shown to the user, e.g. the sandbox's address.
        label: String,
    },
    /// A page of search results.
    Products {
        /// The search it answers.
        generation: u64,
        /// The results.
        page: Page<ProductSummary>,
        /// True for the first page of the search (replaces the list), false for the ones after.
        first: bool,
    },
    /// A product's media.
    Media(ProductMedia),
    /// Something failed; the text is for the user.
    Failed(String),
}

/// The UI's handle on the engine.
pub struct Engine {
    commands: tokio::sync::mpsc::UnboundedSender<Command>,
    events: std_mpsc::Receiver<Event>,
}

impl Engine {
    /// Start the engine thread on the built-in sandbox store; `repaint` is called after every event.
    pub fn start_sandbox(repaint: impl Fn() + Send + Sync + 'static) -> Engine {
        let (cmd_tx, mut cmd_rx) = tokio::sync::mpsc::unbounded_channel::<Command>();
        let (ev_tx, ev_rx) = std_mpsc::channel::<Event>();
        let repaint = Arc::new(repaint);
        std::thread::Builder::new()
            .name("mediadesk-engine".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(async move {
                    let send = {
                        let repaint = repaint.clone();
                        move |e: Event| {
                            let _ = ev_tx.send(e);
                            repaint();
                        }
                    };
                    let sandbox = match Sandbox::start(SandboxConfig::default()).await {
                        Ok(s) => s,
                        Err(e) => {
                            send(Event::Failed(format!("The sandbox store could not start: {e}")));
                            return;
                        }
                    };
                    let url =
                        endpoint::graphql_url(&StoreRef::Sandbox, Some(&sandbox.url()), endpoint::DEFAULT_API_VERSION)
                            .expect("the sandbox is on loopback");
                    let store: Arc<dyn Store> =
                        Arc::new(ShopifyStore::new(StoreRef::Sandbox, url, Secret::new(sandbox.token())));
                    send(Event::Connected {
                        store: StoreRef::Sandbox,
                        label: format!("sandbox store at {}", sandbox.url()),
                    });
                    while let Some(cmd) = cmd_rx.recv().await {
                        let store = store.clone();
                        let send = send.clone();
                        tokio::spawn(async move { handle(store.as_ref(), cmd, &send).await });
                    }
                    drop(sandbox);
                });
            })
            .expect("engine thread starts");
        Engine { commands: cmd_tx, events: ev_rx }
    }

    /// Queue a command; never blocks.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The next event, if one is waiting; never blocks.
    pub fn try_event(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}

/// Run one command to the end, reporting as it goes.
async fn handle(store: &dyn Store, cmd: Command, send: &(impl Fn(Event) + Sync)) {
    match cmd {
        Command::Search { text, generation } => {
            let mut q = ProductQuery { text, limit: 100, sort: ProductSort::Title, cursor: None };
            let mut first = true;
            // Pages arrive one after another so the list fills as it loads.
            loop {
                match store.search_products(&q).await {
                    Ok(page) => {
                        let next = page.next_cursor.clone();
                        send(Event::Products { generation, page, first });
                        match next {
                            Some(c) => q.cursor = Some(c),
                            None => break,
                        }
                        first = false;
                    }
                    Err(e) => {
                        send(Event::Failed(describe(&e)));
                        break;
                    }
                }
            }
        }
        Command::OpenProduct(id) => match store.product_media(&id).await {
            Ok(media) => send(Event::Media(media)),
            Err(e) => send(Event::Failed(describe(&e))),
        },
    }
}

/// A store error in the user's words.
pub fn describe(e: &StoreError) -> String {
    match e {
        StoreError::Auth { .. } => "The store refused the access token. Reconnect the store with a valid token.".into(),
        StoreError::MissingScope { scope, .. } => format!("The app's token lacks the `{scope}` permission."),
        StoreError::Network { .. } => "The store could not be reached. Check the connection; nothing was lost.".into(),
        StoreError::Throttled { retry_after } => {
            format!("The store is busy; trying again in {:.0} s.", retry_after.as_secs_f64().ceil())
        }
        other => other.to_string(),
    }
}
