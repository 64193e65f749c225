//! The command line: `mediadesk` opens the window; subcommands run headless against a store,
//! printing JSON lines on stdout and messages on stderr.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

use crate::model::{MediaId, ProductId, ProductQuery, ProductSort, StoreRef};
use crate::sandbox::{Faults, Sandbox, SandboxConfig};
use crate::secrets::Secret;
use crate::store::ecwid::EcwidStore;
use crate::store::shopify::credentials::Credentials;
use crate::store::shopify::{ShopifyStore, endpoint};
use crate::store::{AltEdit, BatchOutcome, Store, StoreError, UploadFile};

/// mediadesk: manage your store's product media.
#[derive(Debug, Parser)]
#[command(name = "mediadesk", version, about)]
pub struct Cli {
    /// The store: shopify:SHOP (name or name.myshopify.com), ecwid:STORE_ID or sandbox.
    #[arg(long, global = true, default_value = "sandbox")]
    pub store: StoreRef,
    /// Send requests to this address instead (loopback only: the sandbox, tests).
    #[arg(long, global = true)]
    pub endpoint: Option<String>,
    /// Shopify Admin API version.
    #[arg(long, global = true, default_value = endpoint::DEFAULT_API_VERSION)]
    pub api_version: String,
    /// What to do; without a command the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sandbox store in the foreground and print its URL and a token.
    Sandbox(SandboxArgs),
    /// Check the connection: the shop's name, the granted scopes and what missing ones disable.
    Shop,
    /// Save the store's credentials in the OS keyring after testing them. Reads the access
    /// token (or, with --client-id, the client secret) from standard input, never from arguments.
    Connect {
        /// Use the client credentials grant with this client id.
        #[arg(long)]
        client_id: Option<String>,
    },
    /// List products: {"id","title","handle","media_count"} per line.
    Products {
        /// Search, in Shopify's query syntax (e.g. `title:mug*`, `status:draft`).
        #[arg(long, default_value = "")]
        query: String,
        /// At most this many products.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// List a product's media in position order.
    Media {
        /// Product id (a GID).
        product: String,
    },
    /// Upload files and attach them to a product: one line per file.
    Upload {
        /// Product id.
        product: String,
        /// Files to upload.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Alt text for every uploaded file.
        #[arg(long)]
        alt: Option<String>,
    },
    /// Alt text.
    Alt {
        /// What to do with alt text.
        #[command(subcommand)]
        action: AltAction,
    },
    /// Put a product's media in this order (every media id of the product).
    Reorder {
        /// Product id.
        product: String,
        /// The full new order.
        #[arg(required = true)]
        media: Vec<String>,
    },
    /// Detach media from a product; the files stay in the store's library.
    Remove {
        /// Product id.
        product: String,
        /// Media to detach.
        #[arg(required = true)]
        media: Vec<String>,
    },
    /// Delete files permanently, from every product that uses them.
    Delete {
        /// Media to delete.
        #[arg(required = true)]
        media: Vec<String>,
        /// Confirm: this cannot be undone.
        #[arg(long)]
        yes: bool,
    },
    /// Ecwid: set the main media and the whole gallery from URLs (PUT /products/{id}/media).
    /// Without --gallery the current gallery is kept; one line per URL.
    SetMedia {
        /// Product id.
        product: String,
        /// The main image or video URL.
        #[arg(long)]
        main: Option<String>,
        /// Gallery URLs, in order (replaces the gallery).
        #[arg(long, num_args = 1..)]
        gallery: Vec<String>,
    },
    /// Rename a file; its extension stays.
    Rename {
        /// Media id.
        media: String,
        /// The new name.
        filename: String,
    },
}

/// `mediadesk alt …`
#[derive(Debug, Subcommand)]
pub enum AltAction {
    /// Set one media's alt text.
    Set {
        /// Product id.
        product: String,
        /// Media id.
        media: String,
        /// The new alt text ("" clears it).
        text: String,
    },
}

/// Options of `mediadesk sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Products to generate (up to 10,000).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub products: u32,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Bandwidth cap in bytes a second, shared by all connections.
    #[arg(long)]
    pub bandwidth: Option<u64>,
    /// Share of requests answered with a 5xx (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Share of responses cut off mid-body (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Share of new media whose processing fails (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    pub fail_processing: f64,
}

impl SandboxArgs {
    /// The sandbox configuration these options describe.
    pub fn config(&self) -> SandboxConfig {
        SandboxConfig {
            port: self.port,
            products: self.products as usize,
            faults: Faults {
                latency: Duration::from_millis(self.latency_ms),
                bandwidth: self.bandwidth,
                server_error_share: self.error_rate,
                drop_share: self.drop_rate,
                processing_failure_share: self.fail_processing,
            },
            ..SandboxConfig::default()
        }
    }
}

/// Run `mediadesk sandbox` until Ctrl+C.
pub fn run_sandbox(args: &SandboxArgs) -> std::io::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let sandbox = Sandbox::start(args.config()).await?;
        println!("sandbox store listening on {}", sandbox.url());
        println!("GraphQL endpoint: {}", sandbox.graphql_url(endpoint::DEFAULT_API_VERSION));
        println!("access token: {}", sandbox.token());
        println!(
            "Ecwid face: --store ecwid:{} --endpoint {} with MEDIADESK_TOKEN={}",
            crate::sandbox::ecwid::STORE_ID,
            sandbox.url(),
            crate::sandbox::ecwid::SECRET_TOKEN
        );
        println!(
            "try: curl -s {} -H 'X-Shopify-Access-Token: {}' -H 'Content-Type: application/json' -d '{{\"query\":\"{{ products(first: 3) {{ nodes {{ id title }} }} }}\"}}'",
            sandbox.graphql_url(endpoint::DEFAULT_API_VERSION),
            sandbox.token()
        );
        std::io::stdout().flush()?;
        tokio::signal::ctrl_c().await?;
        eprintln!("stopping the sandbox");
        Ok(())
    })
}

/// How a headless command ended.
pub enum Exit {
    /// Everything went through.
    Ok,
    /// Something failed; the details are on stdout and stderr.
    Failed,
    /// The command was refused before anything was sent.
    Usage,
}

fn line(v: Value) {
    println!("{v}");
}

fn say_error(e: &StoreError) {
    eprintln!("mediadesk: {e}");
}

fn report(outcome: &BatchOutcome, done_key: &str) -> Exit {
    for id in &outcome.done {
        line(json!({"id": id.0, done_key: true}));
    }
    for e in &outcome.failed {
        line(json!({"id": e.item, "error": e.message, "code": e.code}));
    }
    if let Some(n) = &outcome.notice {
        eprintln!("mediadesk: {n}");
    }
    if outcome.failed.is_empty() { Exit::Ok } else { Exit::Failed }
}

/// The credentials for a store: read from standard input for `connect`, else `MEDIADESK_TOKEN`,
/// the sandbox's own token, or the keyring.
fn credentials_for(store: &StoreRef, command: &Command) -> Result<Credentials, String> {
    if let Command::Connect { client_id } = command {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| format!("cannot read standard input: {e}"))?;
        let secret = Secret::new(line.trim());
        if secret.expose().is_empty() {
            return Err("give the access token (or the client secret) on standard input".into());
        }
        return Ok(match client_id {
            Some(id) => Credentials::Client { id: id.clone(), secret },
            None => Credentials::Token(secret),
        });
    }
    crate::secrets::token_for(store).map(|s| Credentials::from_stored(&s)).map_err(|e| e.to_string())
}

/// Run a headless store command; the exit code follows.
pub fn run_command(cli: &Cli, command: &Command) -> Exit {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mediadesk: {e}");
            return Exit::Failed;
        }
    };
    rt.block_on(async {
        // The sandbox without an address: a temporary one in this process.
        let mut local = None;
        let endpoint_arg = match (&cli.store, &cli.endpoint) {
            (StoreRef::Sandbox, None) => match Sandbox::start(SandboxConfig::default()).await {
                Ok(s) => {
                    eprintln!("mediadesk: using a temporary sandbox; run `mediadesk sandbox` and pass --endpoint to keep changes");
                    let url = s.url();
                    local = Some(s);
                    Some(url)
                }
                Err(e) => {
                    eprintln!("mediadesk: the sandbox could not start: {e}");
                    return Exit::Failed;
                }
            },
            (_, e) => e.clone(),
        };
        let credentials = match (&local, credentials_for(&cli.store, command)) {
            (Some(s), _) => Credentials::Token(Secret::new(s.token())),
            (None, Ok(c)) => c,
            (None, Err(e)) => {
                eprintln!("mediadesk: {e}");
                return Exit::Usage;
            }
        };
        let target = match &cli.store {
            StoreRef::Ecwid { store_id } => {
                let token = match &credentials {
                    Credentials::Token(t) => t.clone(),
                    Credentials::Client { .. } => {
                        eprintln!("mediadesk: Ecwid stores use a secret_ access token, not a client id");
                        return Exit::Usage;
                    }
                };
                EcwidStore::new(store_id, endpoint_arg.as_deref(), token).map(Target::Ecwid)
            }
            _ => endpoint::graphql_url(&cli.store, endpoint_arg.as_deref(), &cli.api_version)
                .map(|url| Target::Shopify(Box::new(ShopifyStore::with_credentials(cli.store.clone(), url, credentials.clone())))),
        };
        let target = match target {
            Ok(t) => t,
            Err(e) => {
                say_error(&e);
                return Exit::Usage;
            }
        };
        let exit = match command {
            Command::Connect { .. } => connect_and_save(&target, &cli.store, &credentials).await,
            Command::Shop => match shop(&target).await {
                Ok(()) => Exit::Ok,
                Err(e) => {
                    say_error(&e);
                    Exit::Failed
                }
            },
            Command::SetMedia { product, main, gallery } => match &target {
                Target::Ecwid(e) => set_media(e, product, main.as_deref(), gallery).await,
                Target::Shopify(_) => {
                    eprintln!("mediadesk: set-media is Ecwid's bulk call; use upload on Shopify");
                    Exit::Usage
                }
            },
            other => execute(target.store(), other).await,
        };
        drop(local);
        exit
    })
}

/// The store a command runs against.
enum Target {
    Shopify(Box<ShopifyStore>),
    Ecwid(EcwidStore),
}

impl Target {
    fn store(&self) -> &dyn Store {
        match self {
            Target::Shopify(s) => s.as_ref(),
            Target::Ecwid(e) => e,
        }
    }
}

async fn shop(target: &Target) -> Result<(), StoreError> {
    match target {
        Target::Shopify(s) => print_connection(&s.connect().await?),
        Target::Ecwid(e) => {
            let (name, limitations) = e.connect().await?;
            line(json!({"name": name, "limitations": limitations}));
            for l in &limitations {
                eprintln!("mediadesk: {l}");
            }
        }
    }
    Ok(())
}

async fn set_media(store: &EcwidStore, product: &str, main: Option<&str>, gallery: &[String]) -> Exit {
    let gallery = (!gallery.is_empty()).then_some(gallery);
    match store.set_media(&ProductId(product.to_string()), main, gallery).await {
        Ok(report) => {
            let mut exit = Exit::Ok;
            for (url, r) in report.items {
                match r {
                    Ok(id) => line(json!({"url": url, "id": id})),
                    Err(e) => {
                        line(json!({"url": url, "error": e.message, "code": e.code}));
                        exit = Exit::Failed;
                    }
                }
            }
            exit
        }
        Err(e) => {
            say_error(&e);
            Exit::Failed
        }
    }
}

fn print_connection(c: &crate::store::shopify::connect::ShopConnection) {
    line(json!({"name": c.name, "domain": c.domain, "scopes": c.scopes, "limitations": c.limitations}));
    for l in &c.limitations {
        eprintln!("mediadesk: {l}");
    }
}

async fn connect_and_save(target: &Target, store_ref: &StoreRef, credentials: &Credentials) -> Exit {
    match shop(target).await {
        Ok(()) => match crate::secrets::save(store_ref, &credentials.to_stored()) {
            Ok(()) => {
                eprintln!("mediadesk: saved in the keyring for {store_ref}");
                Exit::Ok
            }
            Err(e) => {
                eprintln!("mediadesk: the connection works, but {e}");
                Exit::Failed
            }
        },
        Err(e) => {
            say_error(&e);
            Exit::Failed
        }
    }
}

async fn execute(store: &dyn Store, command: &Command) -> Exit {
    let fail = |e: StoreError| {
        say_error(&e);
        Exit::Failed
    };
    match command {
        Command::Sandbox(_) | Command::Connect { .. } | Command::Shop | Command::SetMedia { .. } => Exit::Usage,
        Command::Products { query, limit } => {
            let mut q =
                ProductQuery { text: query.clone(), limit: (*limit).min(250), sort: ProductSort::Title, cursor: None };
            let mut left = *limit as usize;
            while left > 0 {
                q.limit = left.min(100) as u32;
                let page = match store.search_products(&q).await {
                    Ok(p) => p,
                    Err(e) => return fail(e),
                };
                for p in &page.items {
                    line(json!({"id": p.id.0, "title": p.title, "handle": p.handle, "media_count": p.media_count}));
                }
                left = left.saturating_sub(page.items.len());
                match page.next_cursor {
                    Some(c) => q.cursor = Some(c),
                    None => break,
                }
            }
            Exit::Ok
        }
        Command::Media { product } => match store.product_media(&ProductId(product.clone())).await {
            Ok(pm) => {
                for m in pm.media {
                    line(json!({
                        "id": m.id.0, "kind": m.kind.as_str(), "alt": m.alt, "status": m.status.as_str(),
                        "position": m.position, "preview_url": m.preview_url, "filename": m.filename,
                    }));
                }
                Exit::Ok
            }
            Err(e) => fail(e),
        },
        Command::Upload { product, files, alt } => {
            let mut uploads = Vec::new();
            let mut exit = Exit::Ok;
            let mut names = Vec::new();
            for path in files {
                let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                match std::fs::read(path) {
                    Ok(bytes) => {
                        names.push(path.display().to_string());
                        uploads.push(UploadFile { filename: name, bytes: bytes.into(), alt: alt.clone() });
                    }
                    Err(e) => {
                        line(
                            json!({"file": path.display().to_string(), "error": format!("cannot read the file: {e}")}),
                        );
                        exit = Exit::Failed;
                    }
                }
            }
            if uploads.is_empty() {
                return exit;
            }
            let shown = Arc::new(std::sync::Mutex::new(vec![0u64; uploads.len()]));
            let labels = names.clone();
            let progress: crate::store::ProgressFn = Arc::new(move |i, sent, total| {
                let pct = (sent * 100).checked_div(total).unwrap_or(100);
                let mut shown = shown.lock().expect("progress lock");
                if pct >= shown[i] + 25 || (pct == 100 && shown[i] < 100) {
                    shown[i] = pct;
                    eprintln!("{}: {pct}% sent", labels[i]);
                }
            });
            match store.upload(&ProductId(product.clone()), uploads, progress).await {
                Ok(results) => {
                    for (name, r) in names.iter().zip(results) {
                        match r {
                            Ok(m) => {
                                let mut v = json!({"file": name, "id": m.id.0, "status": m.status.as_str()});
                                if let Some(e) = m.errors.first() {
                                    v["error"] = json!(e);
                                    exit = Exit::Failed;
                                }
                                line(v);
                            }
                            Err(e) => {
                                line(json!({"file": name, "error": e.message, "code": e.code}));
                                exit = Exit::Failed;
                            }
                        }
                    }
                    exit
                }
                Err(e) => fail(e),
            }
        }
        Command::Alt { action: AltAction::Set { product, media, text } } => {
            let edit = AltEdit { media: MediaId(media.clone()), alt: text.clone() };
            match store.set_alt(&ProductId(product.clone()), &[edit]).await {
                Ok(o) => report(&o, "saved"),
                Err(e) => fail(e),
            }
        }
        Command::Reorder { product, media } => {
            let order: Vec<MediaId> = media.iter().cloned().map(MediaId).collect();
            match store.reorder(&ProductId(product.clone()), &order).await {
                Ok(()) => {
                    line(json!({"product": product, "order": media}));
                    Exit::Ok
                }
                Err(e) => fail(e),
            }
        }
        Command::Remove { product, media } => {
            let ids: Vec<MediaId> = media.iter().cloned().map(MediaId).collect();
            match store.remove_from_product(&ProductId(product.clone()), &ids).await {
                Ok(o) => report(&o, "removed"),
                Err(e) => fail(e),
            }
        }
        Command::Delete { media, yes } => {
            if !yes {
                eprintln!(
                    "mediadesk: delete removes the files from every product that uses them and cannot be undone; add --yes to confirm (or use `remove` to detach from one product)"
                );
                return Exit::Usage;
            }
            let ids: Vec<MediaId> = media.iter().cloned().map(MediaId).collect();
            match store.delete(&ids).await {
                Ok(o) => report(&o, "deleted"),
                Err(e) => fail(e),
            }
        }
        Command::Rename { media, filename } => match store.rename(&MediaId(media.clone()), filename).await {
            Ok(()) => {
                line(json!({"id": media, "renamed": true}));
                Exit::Ok
            }
            Err(e) => fail(e),
        },
    }
}
