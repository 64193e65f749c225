//! mediadesk: manage a store's product media (Shopify, Ecwid) from the desktop.

pub mod cli;
pub mod model;
pub mod secrets;
pub mod sandbox;
pub mod store;
pub mod ui;
