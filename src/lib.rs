//! mediadesk: manage a store's product media (Shopify, Ecwid) from the desktop.

pub mod audit;
pub mod catalog;
pub mod cli;
pub mod disk_cache;
pub mod engine;
pub mod filetype;
pub mod journal;
pub mod logging;
pub mod model;
pub mod order;
pub mod rng;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod secrets;
pub mod shopify_rules;
pub mod store;
pub mod sync;
pub mod text;
pub mod thumbs;
pub mod time;
pub mod ui;
