//! What the window has learnt about the store's products from what it has read so far: each
//! product's alt-text health (the picker's badges) and which products share a file (named
//! before a delete).

use std::collections::HashMap;

use super::picker::Health;
use crate::model::{MediaId, ProductAlts, ProductId};

/// The open product's alt-text marks, one per media, and their health: worked out when its
/// texts change, not on every frame (the checks compare every text with its siblings).
#[derive(Default)]
pub(super) struct OpenMarks {
    /// What they were worked out from: the product, its texts and file names, the limit.
    key: u64,
    /// One per media, in the grid's order.
    pub(super) marks: Vec<crate::audit::Mark>,
    /// Their counts, for the product's row.
    pub(super) health: Health,
}

impl OpenMarks {
    /// Work the marks out again if the open product's texts (or the limit) changed.
    pub(super) fn follow(&mut self, pm: Option<&crate::model::ProductMedia>, limit: usize) {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        limit.hash(&mut hasher);
        if let Some(pm) = pm {
            (&pm.id.0, &pm.title).hash(&mut hasher);
            for m in &pm.media {
                (&m.alt, &m.filename).hash(&mut hasher);
            }
        }
        let key = hasher.finish();
        if key == self.key {
            return;
        }
        self.key = key;
        let media: Vec<(&str, Option<&str>)> =
            pm.map(|pm| pm.media.iter().map(|m| (m.alt.as_str(), m.filename.as_deref())).collect()).unwrap_or_default();
        let title = pm.map_or("", |pm| pm.title.as_str());
        self.marks = (0..media.len()).map(|i| crate::audit::mark(title, &media, i, limit)).collect();
        self.health = Health::counting(&self.marks);
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Mark;
    use crate::model::{Media, ProductMedia};

    fn media(id: &str, alt: &str) -> Media {
        Media::test_image(id, alt)
    }

    #[test]
    fn the_open_products_marks_follow_its_texts() {
        let mut pm = ProductMedia {
            id: ProductId("p".into()),
            title: "Blue mug".into(),
            media: vec![
                media("a", "Blue mug on a wooden table, side view"),
                media("b", ""),
                media("c", "IMG_1234.JPG"),
            ],
        };
        let mut open = OpenMarks::default();
        open.follow(Some(&pm), 512);
        assert_eq!(open.marks, [Mark::Ok, Mark::Missing, Mark::NeedsWork]);
        assert_eq!(open.health, Health { media: 3, missing: 1, needs_work: 1 });
        // An edit on screen: worked out again.
        pm.media[1].alt = "Blue mug, handle to the left, top view".into();
        open.follow(Some(&pm), 512);
        assert_eq!(open.marks, [Mark::Ok, Mark::Ok, Mark::NeedsWork]);
        // No product open: nothing to mark.
        open.follow(None, 512);
        assert!(open.marks.is_empty() && open.health == Health::default());
    }
}
