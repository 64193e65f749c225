//! The command line's words: the global options, the subcommands and their arguments, as clap
//! parses them (and `--help` prints them).

use clap::{Parser, Subcommand};

#[cfg(feature = "sandbox")]
use super::sandbox::SandboxArgs;
use crate::model::StoreRef;
use crate::store::shopify::endpoint;

/// mediadesk: manage your store's product media.
#[derive(Debug, Parser)]
#[command(name = "mediadesk", version, about)]
pub struct Cli {
    /// Files to upload: the window opens and asks which product they go to (how a file manager's
    /// "Open with mediadesk" arrives).
    #[arg(value_name = "FILE")]
    pub files: Vec<std::path::PathBuf>,
    /// The store: shopify:SHOP (name or name.myshopify.com), ecwid:STORE_ID or sandbox.
    #[arg(long, default_value = "sandbox")]
    pub store: StoreRef,
    /// Send requests to this address instead (loopback only: the sandbox, tests).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Shopify Admin API version.
    #[arg(long, default_value = endpoint::DEFAULT_API_VERSION)]
    pub api_version: String,
    /// Where local catalogs live (default: the platform's data folder; MEDIADESK_DATA_DIR also sets it).
    #[arg(long)]
    pub data_dir: Option<std::path::PathBuf>,
    /// More log lines on stderr (the same as MEDIADESK_LOG=debug).
    #[arg(long)]
    pub verbose: bool,
    /// What to do; without a command the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sandbox store in the foreground and print its URL and a token.
    #[cfg(feature = "sandbox")]
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
    /// Bring the local catalog up to date: the products changed since the last sync (every
    /// product the first time), then a summary line. Progress goes to stderr; a cancelled or
    /// failed sync keeps the old catalog.
    Sync {
        /// Read every product again, and drop the ones the store no longer has.
        #[arg(long)]
        full: bool,
        /// How a full sync reads: `bulk` (one Shopify bulk operation), `paged` (pages of
        /// products paced by the rate limit; `paced` says the same), or `auto` (bulk for stores
        /// of 50 products or more, where available).
        #[arg(long, default_value = "auto", value_parser = ["auto", "paged", "paced", "bulk"])]
        method: String,
    },
    /// Search the local catalog (no network): one line per product, best match first. Words
    /// match the start of words in titles, handles, vendors, types, tags and alt texts;
    /// `title:`, `vendor:`, `tag:` and `status:` filter.
    Search {
        /// What to look for; empty lists every product by title.
        #[arg(default_value = "")]
        text: String,
        /// At most this many products.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Rename a file; its extension stays.
    Rename {
        /// Media id.
        media: String,
        /// The new name.
        filename: String,
    },
    /// The changes written down in the edit journal and not confirmed by the store (a command
    /// or the window stopped, or the connection failed, before the answer came), oldest first.
    Pending,
    /// Check what mediadesk needs (a display, OpenGL, the keyring, writable folders, the store
    /// answering) and say what is missing and how to fix it; exit 1 when something is.
    Doctor,
    /// Send the unconfirmed changes in the order they were made, each checked against the store
    /// first: one already there is confirmed without sending; one whose text was changed on the
    /// store meanwhile is left for you to choose.
    Resume {
        /// Send yours even where the store's text changed since the change was made.
        #[arg(long)]
        overwrite: bool,
    },
    /// Drop a change that was not confirmed.
    Discard {
        /// The change's number (`mediadesk pending` lists them).
        id: i64,
    },
    /// Recent changes, newest first: what, before and after, when, and where each stands.
    History {
        /// At most this many.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// The store-wide alt-text audit, from the local catalog (synced first when it is empty):
    /// one JSON line per media with findings, then a summary line with the score; or CSV.
    Audit {
        /// `json` (lines) or `csv` (the export's columns).
        #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
        format: String,
        /// Only this rule's findings (repeat for several); `--rule list` lists the rules.
        #[arg(long)]
        rule: Vec<String>,
        /// Leave out findings below this severity: `warning` (everything) or `error`.
        #[arg(long, default_value = "warning", value_parser = ["warning", "error"])]
        min_severity: String,
    },
    /// Take back a confirmed change (the last one when no number is given), unless the store's
    /// text changed since.
    Undo {
        /// The change's number (`mediadesk history` lists them).
        id: Option<i64>,
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
    /// Set many alt texts from a file of JSON lines, `{"product": ID, "media": ID, "alt": TEXT}`
    /// ("-" reads standard input): every change written down in one commit, then sent a
    /// product at a time; one line out per change.
    SetMany {
        /// The file.
        file: String,
    },
    /// Write every media's alt text with its findings to a CSV file ("-" for standard output),
    /// with an empty `new_alt` column to fill in and import.
    Export {
        /// The file.
        file: String,
    },
    /// Read `media_id` and `new_alt` (and `decorative`) from a CSV file, list what would change
    /// (changed, unchanged, unknown id, over the limit, changed on the store since the export),
    /// then send only the changed rows through the journal. An empty `new_alt` changes nothing.
    Import {
        /// The file ("-" reads standard input).
        file: String,
        /// List what would change and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write alt texts from a template, e.g. "{title}, {variant}, view {position}": fields are
    /// {title}, {vendor}, {product_type}, {variant}, {position}, {filename}, {alt}. By default
    /// only media whose alt text fails a rule are changed; one undo takes the batch back.
    Template {
        /// The template.
        template: String,
        /// Only media with this rule's finding.
        #[arg(long)]
        rule: Option<String>,
        /// Change media whose alt text passes every rule too.
        #[arg(long)]
        overwrite: bool,
        /// Show every new text with its own findings and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}
