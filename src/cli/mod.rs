//! The command line: `mediadesk` opens the window; subcommands run headless against a store,
//! printing JSON lines on stdout and messages on stderr.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::model::{MediaId, Platform, ProductId, ProductQuery, ProductSort, StoreRef};
mod args;
mod audit;
mod catalog;
mod doctor;
mod journal;
#[cfg(feature = "sandbox")]
mod sandbox;
use crate::secrets::Secret;
use crate::store::credentials::Credentials;
use crate::store::{AltEdit, Store, StoreError, UploadFile, ids, validate};
use crate::text::visible;
pub use args::{AltAction, Cli, Command};
pub use catalog::data_dir;
#[cfg(feature = "sandbox")]
pub use sandbox::{SandboxArgs, run_sandbox, sandbox_launcher};

/// How a headless command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything went through.
    Ok,
    /// Something failed; the details are on stdout and stderr.
    Failed,
    /// The command was refused before anything was sent.
    Usage,
    /// Files were sent but the store could not be read back to confirm them: check the product
    /// before sending them again.
    Unconfirmed,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Unconfirmed => 3,
        }
    }

    /// The worse of two endings: a failure outweighs an unconfirmed file.
    fn and(self, other: Exit) -> Exit {
        let rank = |e: Exit| match e {
            Exit::Ok => 0,
            Exit::Unconfirmed => 1,
            Exit::Failed => 2,
            Exit::Usage => 3,
        };
        if rank(other) > rank(self) { other } else { self }
    }
}

fn line(v: Value) {
    use std::io::Write;
    // A reader that stopped early (`| head`) is not an error worth a panic: stop quietly.
    if writeln!(std::io::stdout().lock(), "{v}").is_err() {
        std::process::exit(0);
    }
}

/// `x` rounded to one decimal, as the JSON lines give scores and seconds.
fn tenths(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Report a failure of the whole command: a JSON line (with `context`'s fields) and a message.
fn fail(e: &StoreError, context: Value) -> Exit {
    let mut v = if context.is_object() { context } else { json!({}) };
    v["error"] = json!(e.to_string());
    v["code"] = json!(e.code());
    line(v);
    eprintln!("mediadesk: {e}");
    if e.is_local() { Exit::Usage } else { Exit::Failed }
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
    #[cfg(feature = "sandbox")]
    if *store == StoreRef::Sandbox && std::env::var_os(crate::secrets::TOKEN_VAR).is_none() {
        // A sandbox started with `mediadesk sandbox` accepts its documented token.
        return Ok(Credentials::Token(Secret::new(crate::sandbox::SANDBOX_TOKEN)));
    }
    crate::secrets::token_for(store).map(|s| Credentials::from_stored(&s)).map_err(|e| e.to_string())
}

/// A store command with its ids typed and its local checks passed: what will be sent.
enum Job {
    Products { query: String, limit: u32 },
    Media(ProductId),
    Upload { product: ProductId, files: Vec<LocalFile> },
    Alt { product: ProductId, edit: AltEdit },
    Reorder { product: ProductId, order: Vec<MediaId> },
    Remove { product: ProductId, media: Vec<MediaId> },
    Delete(Vec<MediaId>),
    Rename { media: MediaId, filename: String },
    Other,
}

/// One file named on the command line: ready to send, or refused with the reason.
pub(super) struct LocalFile {
    /// The path as the command line names it, for the output.
    pub(super) label: String,
    /// The path.
    pub(super) path: std::path::PathBuf,
    /// The file read and checked, or why it is refused (its output line).
    pub(super) ready: Result<UploadFile, Value>,
}

/// Type the ids and run the local checks; an `Err` is the refusal, nothing having been sent.
fn prepare(platform: Platform, command: &Command) -> Result<Job, StoreError> {
    let product = |raw: &str| ids::product(platform, raw);
    let media = |raw: &[String]| raw.iter().map(|m| ids::media(platform, m)).collect::<Result<Vec<_>, _>>();
    Ok(match command {
        Command::Products { query, limit } => Job::Products { query: query.clone(), limit: *limit },
        Command::Media { product: p } => Job::Media(product(p)?),
        Command::Upload { product: p, files, alt } => {
            let alt = match alt {
                Some(a) => Some(validate::alt_text("--alt", a, platform).map_err(refused)?),
                None => None,
            };
            Job::Upload { product: product(p)?, files: read_files(files, alt, platform) }
        }
        Command::Alt { action: AltAction::Set { product: p, media: m, text } } => {
            let media = ids::media(platform, m)?;
            let alt = validate::alt_text(&media.0, text, platform).map_err(refused)?;
            Job::Alt { product: product(p)?, edit: AltEdit { media, alt } }
        }
        Command::Alt { action: AltAction::SetMany { .. } } => Job::Other,
        Command::Alt { action: AltAction::Export { .. } | AltAction::Import { .. } | AltAction::Template { .. } } => {
            Job::Other
        }
        Command::Reorder { product: p, media: m } => Job::Reorder { product: product(p)?, order: media(m)? },
        Command::Remove { product: p, media: m } => Job::Remove { product: product(p)?, media: media(m)? },
        Command::Delete { media: m, yes } => {
            if !yes {
                return Err(StoreError::Refused {
                    code: "CONFIRMATION_NEEDED".into(),
                    message: "delete removes the files from every product that uses them and cannot be undone; add \
                              --yes to confirm (or use `remove` to detach from one product)"
                        .into(),
                });
            }
            Job::Delete(media(m)?)
        }
        Command::Rename { media: m, filename } => {
            Job::Rename { media: ids::media(platform, m)?, filename: filename.clone() }
        }
        #[cfg(feature = "sandbox")]
        Command::Sandbox(_) => Job::Other,
        Command::Shop
        | Command::Connect { .. }
        | Command::SetMedia { .. }
        | Command::Sync { .. }
        | Command::Search { .. }
        | Command::Pending
        | Command::Doctor
        | Command::Resume { .. }
        | Command::Discard { .. }
        | Command::History { .. }
        | Command::Undo { .. }
        | Command::Audit { .. } => Job::Other,
    })
}

fn refused(e: crate::store::ItemError) -> StoreError {
    StoreError::Refused { code: e.code, message: e.message }
}

/// Read and check the named files: unreadable, refused by the platform's rules or named twice
/// (the same path, or the same content) never reach the store.
fn read_files(paths: &[std::path::PathBuf], alt: Option<String>, platform: Platform) -> Vec<LocalFile> {
    let mut out: Vec<LocalFile> = Vec::new();
    let mut seen: Vec<(std::path::PathBuf, String)> = Vec::new();
    for path in paths {
        let label = visible(&path.display().to_string()).into_owned();
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            let error = format!("named twice: sent once, as {first}");
            out.push(LocalFile {
                ready: Err(json!({"file": label, "duplicate_of": first, "error": error, "code": "DUPLICATE_FILE"})),
                label,
                path: path.clone(),
            });
            continue;
        }
        seen.push((key, label.clone()));
        let bytes = match std::fs::read(path) {
            Ok(b) => bytes::Bytes::from(b),
            Err(e) => {
                let error = format!("cannot read the file: {e}");
                out.push(LocalFile {
                    ready: Err(json!({"file": label, "error": error, "code": "UNREADABLE"})),
                    label,
                    path: path.clone(),
                });
                continue;
            }
        };
        let twin = out.iter().find(|f| f.ready.as_ref().is_ok_and(|u| u.bytes == bytes)).map(|f| f.label.clone());
        if let Some(first) = twin {
            let error = format!("the same content as {first}: sent once");
            out.push(LocalFile {
                ready: Err(json!({"file": label, "duplicate_of": first, "error": error, "code": "DUPLICATE_FILE"})),
                label,
                path: path.clone(),
            });
            continue;
        }
        let ready = match validate::check(&name, &bytes, platform) {
            Ok(_) => Ok(UploadFile { filename: name, bytes, alt: alt.clone() }),
            Err(e) => Err(json!({"file": label, "error": e.message, "code": e.code})),
        };
        out.push(LocalFile { label, path: path.clone(), ready });
    }
    out
}

/// Run a headless store command; the exit code follows.
pub fn run_command(cli: &Cli, command: &Command) -> Exit {
    // The catalog answers searches on this computer: no store, no network.
    // So do the journal's lists and discards.
    match command {
        Command::Search { text, limit } => return catalog::search(cli, text, *limit),
        Command::Pending => return journal::pending(cli),
        Command::History { limit } => return journal::history(cli, *limit),
        Command::Discard { id } => return journal::discard(cli, *id),
        Command::Doctor => return doctor::run(cli),
        // The audit reads the catalog; only an empty one needs the store (to sync it first).
        c if audit::is_local(c) => {
            if let Some(exit) = audit::try_local(cli, c) {
                return exit;
            }
        }
        _ => {}
    }
    // Ids and local checks first: a refusal costs no request and no sandbox start.
    let job = match prepare(cli.store.platform(), command) {
        Ok(job) => job,
        Err(e) => return fail(&e, json!({})),
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mediadesk: {e}");
            return Exit::Failed;
        }
    };
    rt.block_on(async {
        let (store, credentials, _sandbox) = match open_store(cli, command).await {
            Ok(opened) => opened,
            Err((message, exit)) => {
                eprintln!("mediadesk: {message}");
                return exit;
            }
        };
        // `_sandbox` lives until this block ends, after the command.
        match command {
            Command::Connect { .. } => match &credentials {
                Some(c) => connect_and_save(store.as_ref(), &cli.store, c).await,
                None => {
                    eprintln!(
                        "mediadesk: a temporary sandbox needs no saved credentials; pass --endpoint to connect to one"
                    );
                    Exit::Usage
                }
            },
            Command::Sync { full, method } => catalog::sync(cli, store, *full, method).await,
            c if audit::is_mine(c) => audit::with_store(cli, store, c).await,
            Command::Resume { overwrite } => journal::resume(cli, store.as_ref(), *overwrite).await,
            Command::Alt { action: AltAction::SetMany { file } } => journal::set_many(cli, store.as_ref(), file).await,
            Command::Undo { id } => journal::undo(cli, store.as_ref(), *id).await,
            Command::Shop => match shop(store.as_ref()).await {
                Ok(()) => Exit::Ok,
                Err(e) => fail(&e, json!({})),
            },
            Command::SetMedia { product, main, gallery } => {
                if !store.capabilities().media_from_urls {
                    eprintln!("mediadesk: set-media is Ecwid's bulk call; use upload on Shopify");
                    return Exit::Usage;
                }
                match ids::product(store.platform(), product) {
                    Ok(p) => journal::set_media(cli, store.as_ref(), p, main.clone(), gallery.clone()).await,
                    Err(err) => fail(&err, json!({"product": product})),
                }
            }
            // Every alt edit goes through the journal.
            _ => match job {
                Job::Alt { product, edit } => {
                    journal::set_alt(cli, store.as_ref(), product, edit.media, edit.alt).await
                }
                Job::Reorder { product, order } => journal::reorder(cli, store.as_ref(), product, order).await,
                Job::Remove { product, media } => {
                    journal::remove_or_delete(cli, store.as_ref(), Some(product), media).await
                }
                Job::Delete(media) => journal::remove_or_delete(cli, store.as_ref(), None, media).await,
                Job::Upload { product, files } => journal::upload(cli, store.as_ref(), product, files).await,
                Job::Rename { media, filename } => journal::rename(cli, store.as_ref(), media, filename).await,
                job => execute(store.as_ref(), job).await,
            },
        }
    })
}

/// A store opened for a command: the store, the credentials it was opened with (none for a
/// temporary sandbox), and what must live while it is used.
type OpenStore = (Arc<dyn Store>, Option<Credentials>, Option<Box<dyn std::any::Any + Send + Sync>>);

/// Open `--store` for `command`: the sandbox without an address is a temporary one in this
/// process. An `Err` says why, with the exit code it calls for.
async fn open_store(cli: &Cli, command: &Command) -> Result<OpenStore, (String, Exit)> {
    if let (StoreRef::Sandbox, None) = (&cli.store, &cli.endpoint) {
        let opened = temporary_sandbox().await.map_err(|e| (e, Exit::Failed))?;
        eprintln!("mediadesk: using a temporary sandbox; run `mediadesk sandbox` and pass --endpoint to keep changes");
        return Ok((opened.store, None, opened.keep));
    }
    let credentials = credentials_for(&cli.store, command).map_err(|e| (e, Exit::Usage))?;
    let store = crate::store::open(&cli.store, cli.endpoint.as_deref(), &cli.api_version, credentials.clone())
        .map_err(|e| (e.to_string(), Exit::Usage))?;
    Ok((store, Some(credentials), None))
}

/// A sandbox for one command, in builds with the sandbox.
async fn temporary_sandbox() -> Result<crate::store::Opened, String> {
    #[cfg(feature = "sandbox")]
    {
        sandbox::sandbox_launcher(crate::sandbox::SandboxConfig::default(), |_| {})().await
    }
    #[cfg(not(feature = "sandbox"))]
    {
        Err("this build of mediadesk has no sandbox store; pass --store and --endpoint".into())
    }
}

async fn shop(store: &dyn Store) -> Result<(), StoreError> {
    let c = store.connect().await?;
    let mut v = json!({"name": c.name, "limitations": c.limitations});
    if let Some(d) = &c.domain {
        v["domain"] = json!(d);
    }
    if !c.scopes.is_empty() {
        v["scopes"] = json!(c.scopes);
    }
    line(v);
    for l in &c.limitations {
        eprintln!("mediadesk: {l}");
    }
    Ok(())
}

async fn connect_and_save(store: &dyn Store, store_ref: &StoreRef, credentials: &Credentials) -> Exit {
    match shop(store).await {
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
        Err(e) => fail(&e, json!({})),
    }
}

async fn products(store: &dyn Store, query: String, limit: u32) -> Exit {
    let mut q = ProductQuery { text: query, limit: limit.min(250), sort: ProductSort::Title, cursor: None };
    let mut left = limit as usize;
    while left > 0 {
        q.limit = left.min(100) as u32;
        let page = match store.search_products(&q).await {
            Ok(p) => p,
            Err(e) => return fail(&e, json!({})),
        };
        for p in &page.items {
            line(json!({"id": p.id.0, "title": visible(&p.title), "handle": p.handle, "media_count": p.media_count}));
        }
        left = left.saturating_sub(page.items.len());
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    Exit::Ok
}

async fn execute(store: &dyn Store, job: Job) -> Exit {
    match job {
        Job::Other => Exit::Usage,
        Job::Products { query, limit } => products(store, query, limit).await,
        Job::Media(product) => match store.product_media(&product).await {
            Ok(pm) => {
                for m in pm.media {
                    line(json!({
                        "id": m.id.0, "kind": m.kind.as_str(), "alt": visible(&m.alt), "status": m.status.as_str(),
                        "position": m.position, "preview_url": m.preview_url,
                        "filename": m.filename.as_deref().map(visible),
                    }));
                }
                Exit::Ok
            }
            Err(e) => fail(&e, json!({"product": product.0})),
        },
        // Sent through the journal (`journal::upload`), never from here.
        Job::Upload { .. } => Exit::Usage,
        // Sent through the journal (`journal::set_alt`), never from here.
        Job::Alt { .. } => Exit::Usage,
        // Sent through the journal (`journal::reorder`), never from here.
        Job::Reorder { .. } => Exit::Usage,
        // Sent through the journal (`journal::remove_or_delete`), never from here.
        Job::Remove { .. } | Job::Delete(_) => Exit::Usage,
        // Sent through the journal (`journal::rename`), never from here.
        Job::Rename { .. } => Exit::Usage,
    }
}
