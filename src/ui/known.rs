//! What the window has learnt about the store's products from what it has read so far: each
//! product's alt-text health (the picker's badges) and which products share a file (named
//! before a delete).

use std::collections::HashMap;

use super::picker::Health;
use crate::model::{MediaId, ProductAlts, ProductId};

/// Products seen so far, by what they hold.
#[derive(Default)]
pub(super) struct Known {
    /// Alt-text health of the products seen, for the picker's badges.
    pub(super) health: HashMap<ProductId, Health>,
    /// The rows whose health was asked for last.
    pub(super) wanted: Vec<(ProductId, u32)>,
    /// Which products each media was seen on, with their titles.
    used_by: HashMap<MediaId, Vec<(ProductId, String)>>,
    /// The media each product was last seen with (what `used_by` was built from).
    media_of: HashMap<ProductId, Vec<MediaId>>,
}

impl Known {
    /// Keep what a product's media say about its health (under the store's alt-text `limit`)
    /// and which files it shares.
    pub(super) fn learn(&mut self, pm: &ProductAlts, limit: usize) {
        let alts: Vec<(&str, Option<&str>)> = pm.media.iter().map(|(_, alt)| (alt.as_str(), None)).collect();
        self.health.insert(pm.id.clone(), Health::of(&pm.title, &alts, limit));
        let ids: Vec<MediaId> = pm.media.iter().map(|(m, _)| m.clone()).collect();
        // Forget what this product held before, then note what it holds now.
        for m in self.media_of.insert(pm.id.clone(), ids.clone()).unwrap_or_default() {
            if let Some(users) = self.used_by.get_mut(&m) {
                users.retain(|(p, _)| *p != pm.id);
            }
        }
        for m in ids {
            self.used_by.entry(m).or_default().push((pm.id.clone(), pm.title.clone()));
        }
    }

    /// A product's health as the local catalog counts it, unless this window has read the
    /// product itself (what it read, or edited since, is newer).
    pub(super) fn learn_health(&mut self, id: ProductId, health: Health) {
        if !self.media_of.contains_key(&id) {
            self.health.insert(id, health);
        }
    }

    /// Titles of the products other than `product` known to use any of these media, sorted.
    pub(super) fn other_products(&self, product: &ProductId, media: &[MediaId]) -> Vec<String> {
        let mut titles: Vec<String> = media
            .iter()
            .filter_map(|m| self.used_by.get(m))
            .flatten()
            .filter(|(p, _)| p != product)
            .map(|(_, t)| t.clone())
            .collect();
        titles.sort();
        titles.dedup();
        titles
    }
}
