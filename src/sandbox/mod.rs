//! The sandbox store: a real HTTP server on 127.0.0.1 that speaks Shopify's Admin GraphQL API
//! (with its staged-upload target and image CDN) over a seeded demo catalog, with fault injection.

pub mod bucket;
pub mod catalog;
pub mod cdn;
pub mod ecwid;
mod ecwid_fields;
pub mod faults;
pub mod images;
pub mod oauth;
pub mod shopify;
pub mod state;
pub mod uploads;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;
use axum::Router;
use axum::routing::{get, post, put};

use crate::rng::Rng;
pub use faults::Faults;
use state::{State, Timings};

/// The token printed for the sandbox: every scope mediadesk uses.
pub const SANDBOX_TOKEN: &str = "shpat_sandbox_full_access_0000";
/// A second token without `write_files`, to try the fallback paths.
pub const SANDBOX_TOKEN_NO_WRITE_FILES: &str = "shpat_sandbox_no_write_files_0";

/// An access token the sandbox accepts, and what it may do.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The token.
    pub token: String,
    /// Its access scopes, e.g. `write_files`.
    pub scopes: Vec<String>,
}

/// An app that may exchange its client id and secret for tokens (client credentials grant).
#[derive(Debug, Clone)]
pub struct ClientGrant {
    /// Client id.
    pub id: String,
    /// Client secret.
    pub secret: String,
    /// Scopes of the tokens it gets.
    pub scopes: Vec<String>,
    /// How long a token lasts (Shopify: 24 hours).
    pub token_lifetime: std::time::Duration,
}

/// The client id the sandbox accepts by default.
pub const SANDBOX_CLIENT_ID: &str = "sandbox-client-id";
/// Its secret.
pub const SANDBOX_CLIENT_SECRET: &str = "sandbox-client-secret";

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// How many products to generate (besides the documentation's examples).
    pub products: usize,
    /// Seed of the generated catalog.
    pub seed: u64,
    /// Tokens the sandbox accepts.
    pub tokens: Vec<TokenGrant>,
    /// Apps that may use the client credentials grant.
    pub clients: Vec<ClientGrant>,
    /// Ecwid requests a token may make per window.
    pub ecwid_requests_per_minute: u32,
    /// The window of that limit: a minute, as Ecwid counts (shorter in tests).
    pub ecwid_window: std::time::Duration,
    /// Size of the cost bucket, in points.
    pub bucket_size: f64,
    /// Points restored each second.
    pub restore_rate: f64,
    /// Timing of processing and jobs.
    pub timings: Timings,
    /// Injected faults.
    pub faults: Faults,
    /// Key that signs staged-upload targets.
    pub secret: Vec<u8>,
    /// How bulk operations run.
    pub bulk: BulkTimings,
}

/// How long bulk operations take in the sandbox.
#[derive(Debug, Clone, Copy)]
pub struct BulkTimings {
    /// From creation to RUNNING.
    pub start: std::time::Duration,
    /// Objects written per second while RUNNING (Shopify's speed varies; this is a steady one).
    pub objects_per_second: f64,
    /// How long the result URL works once the operation completes (Shopify: a week).
    pub url_lifetime: std::time::Duration,
}

impl Default for BulkTimings {
    fn default() -> Self {
        BulkTimings {
            start: std::time::Duration::from_millis(200),
            objects_per_second: 50_000.0,
            url_lifetime: std::time::Duration::from_secs(7 * 86_400),
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        let all = ["read_products", "write_products", "read_files", "write_files"];
        SandboxConfig {
            port: 0,
            products: 40,
            seed: 1,
            tokens: vec![
                TokenGrant { token: SANDBOX_TOKEN.into(), scopes: all.iter().map(|s| s.to_string()).collect() },
                TokenGrant {
                    token: SANDBOX_TOKEN_NO_WRITE_FILES.into(),
                    scopes: all.iter().filter(|s| **s != "write_files").map(|s| s.to_string()).collect(),
                },
            ],
            clients: vec![ClientGrant {
                id: SANDBOX_CLIENT_ID.into(),
                secret: SANDBOX_CLIENT_SECRET.into(),
                scopes: all.iter().map(|s| s.to_string()).collect(),
                token_lifetime: std::time::Duration::from_secs(86_400),
            }],
            ecwid_requests_per_minute: 600,
            ecwid_window: std::time::Duration::from_secs(60),
            bucket_size: 2000.0,
            restore_rate: 100.0,
            timings: Timings::default(),
            faults: Faults::default(),
            secret: format!("sandbox-secret-{:x}", std::process::id() as u64 ^ 0x5eed).into_bytes(),
            bulk: BulkTimings::default(),
        }
    }
}

/// What every request handler shares.
#[derive(Clone)]
pub struct Shared {
    /// The store's data.
    pub state: Arc<Mutex<State>>,
    /// The settings it was started with.
    pub config: Arc<SandboxConfig>,
    /// The GraphQL schema it serves.
    pub schema: Arc<Valid<Schema>>,
    /// Cost buckets, one per token.
    pub buckets: Arc<Mutex<std::collections::HashMap<String, bucket::Bucket>>>,
    /// Randomness for faults and ids.
    pub rng: Arc<Mutex<Rng>>,
    /// The bandwidth cap, when set.
    pub link: Option<Arc<faults::Link>>,
    /// `http://127.0.0.1:PORT`
    pub base: Arc<str>,
    /// Ecwid request times per token, for the per-minute limit.
    pub ecwid_window: Arc<ecwid::Window>,
    /// Tokens issued by the client credentials grant, with their expiry.
    pub issued: Arc<Mutex<std::collections::HashMap<String, (TokenGrant, std::time::Instant)>>>,
}

impl Shared {
    /// The grant behind a token: a configured one, or an issued one that has not expired.
    pub fn grant_for(&self, token: &str) -> Option<TokenGrant> {
        if let Some(g) = self.config.tokens.iter().find(|g| g.token == token) {
            return Some(g.clone());
        }
        let issued = crate::sync::lock(&self.issued);
        issued.get(token).filter(|(_, until)| std::time::Instant::now() < *until).map(|(g, _)| g.clone())
    }
}

/// A running sandbox; dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Sandbox {
    /// Bind 127.0.0.1 and serve in the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let schema = shopify::schema();
        let state = catalog::seed(config.products, config.seed);
        let shared = Shared {
            state: Arc::new(Mutex::new(state)),
            link: config.faults.bandwidth.map(faults::Link::new),
            rng: Arc::new(Mutex::new(Rng::new(config.faults.seed.unwrap_or(config.seed ^ 0xfa17)))),
            config: Arc::new(config),
            schema: Arc::new(schema),
            buckets: Arc::default(),
            issued: Arc::default(),
            ecwid_window: Arc::default(),
            base: format!("http://{addr}").into(),
        };
        let app = Router::new()
            .route("/admin/api/{version}/graphql.json", post(shopify::graphql))
            .route("/admin/oauth/access_token", post(oauth::access_token))
            .route("/api/v3/{store}/profile", get(ecwid::profile))
            .route("/api/v3/{store}/products", get(ecwid::products))
            .route("/api/v3/{store}/products/{id}", get(ecwid::product).put(ecwid::update_product))
            .route("/api/v3/{store}/products/{id}/media", put(ecwid::set_media))
            .route("/api/v3/{store}/products/{id}/{target}", post(ecwid::upload).delete(ecwid::delete))
            .route("/api/v3/{store}/products/{id}/gallery/{file}", axum::routing::delete(ecwid::delete_gallery_image))
            .route("/bulk/{key}", get(shopify::bulk_ops::download))
            .route("/staged/upload", post(uploads::post))
            .route("/staged/files/{*key}", put(uploads::put))
            .route("/cdn/shop/files/{id}/{name}", get(cdn::get))
            .layer(axum::extract::DefaultBodyLimit::max(1 << 30))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), faults::inject))
            .with_state(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Sandbox { addr, shared, stop: Some(tx) })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The GraphQL endpoint for an API version.
    pub fn graphql_url(&self, version: &str) -> String {
        format!("{}/admin/api/{version}/graphql.json", self.url())
    }

    /// The full-access token.
    pub fn token(&self) -> &str {
        SANDBOX_TOKEN
    }

    /// What the handlers share (issued tokens, buckets), for tests that revoke or inspect.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The store's data, to inspect (tests) or change (fault scenarios).
    pub fn state(&self) -> Arc<Mutex<State>> {
        self.shared.state.clone()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
