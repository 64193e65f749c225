//! The store-wide audit: every rule over every media of a catalog, each media with its
//! product and findings, and the counts a merchant reads first (the score, per rule, per
//! severity).

use std::collections::{BTreeMap, BTreeSet};

use super::{Finding, Severity, Subject, check};
use crate::model::{MediaId, MediaKind, ProductId, ProductMedia, ProductRecord, ScorePoint, Variant};

/// One media as the audit sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    /// Its product.
    pub product: ProductId,
    /// The product's title.
    pub title: String,
    /// The product's handle.
    pub handle: String,
    /// The product's vendor, where known.
    pub vendor: Option<String>,
    /// The product's type, where known.
    pub product_type: Option<String>,
    /// The product's status, where known.
    pub status: Option<String>,
    /// The media.
    pub media: MediaId,
    /// Its place in the product's gallery, from 0.
    pub position: u32,
    /// Image, video, external video or 3D model.
    pub kind: MediaKind,
    /// Its thumbnail.
    pub preview_url: Option<String>,
    /// Its file name, where known.
    pub filename: Option<String>,
    /// Its alt text as the store holds it.
    pub alt: String,
    /// Marked decorative by the merchant.
    pub decorative: bool,
    /// The option values of the variant(s) showing it (what `{variant}` stands for).
    pub variant_values: Vec<String>,
    /// What the rules found, in the rules' order.
    pub findings: Vec<Finding>,
    /// The variation ("Red / S") whose own picture this is: an Ecwid variation's image, kept
    /// apart from the product's media, checked and listed like the others, its text edited in
    /// Ecwid's control panel. `None` for the product's media.
    pub variation: Option<String>,
}

impl AuditRow {
    /// The most serious finding's severity; `None` when it passes.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// What the rules find in `alt` as this media's text, among its product's other texts
    /// `siblings`, under the store's `limit`: the text a merchant is typing, a template's
    /// result, the store's text after an edit. Translations are not part of a product's read,
    /// so the last audit's `translation-missing` finding stands until the next audit.
    pub fn check_text(&self, alt: &str, siblings: &[&str], limit: usize) -> Vec<Finding> {
        let subject = Subject {
            decorative: self.decorative,
            filename: self.filename.as_deref(),
            siblings,
            variant_values: &self.variant_values,
            ..Subject::new(alt, &self.title, limit)
        };
        let mut findings = check(&subject);
        findings.extend(self.findings.iter().filter(|f| f.rule == "translation-missing").cloned());
        findings
    }

    /// Whether this is a variation's own picture rather than one of the product's media.
    pub fn is_variation(&self) -> bool {
        self.variation.is_some()
    }

    /// Whether one of its findings is the rule `id`.
    pub fn has(&self, id: &str) -> bool {
        self.findings.iter().any(|f| f.rule == id)
    }
}

/// The whole audit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Every media, products in the catalog's order, media in gallery order.
    pub rows: Vec<AuditRow>,
    /// The store's other languages (those any media has a translation slot for).
    pub languages: Vec<String>,
}

/// How many findings a rule has, for the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RuleCount {
    /// The rule's id.
    pub rule: &'static str,
    /// Its severity.
    #[serde(serialize_with = "severity_word")]
    pub severity: Severity,
    /// Media it found.
    pub media: usize,
}

fn severity_word<S: serde::Serializer>(s: &Severity, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.word())
}

impl Report {
    /// Media with no error and no warning.
    pub fn passing(&self) -> usize {
        self.rows.iter().filter(|r| r.findings.is_empty()).count()
    }

    /// The share of media that pass, from 0 to 100 (100 for a store with no media).
    pub fn score(&self) -> f64 {
        if self.rows.is_empty() { 100.0 } else { 100.0 * self.passing() as f64 / self.rows.len() as f64 }
    }

    /// Findings of each severity.
    pub fn findings_of(&self, severity: Severity) -> usize {
        self.rows.iter().flat_map(|r| &r.findings).filter(|f| f.severity == severity).count()
    }

    /// The score as a point of the history, for the sync that ended at `synced_at`.
    pub fn score_point(&self, synced_at: u64) -> ScorePoint {
        let mut point = ScorePoint { synced_at, media: 0, passing: 0, errors: 0, warnings: 0 };
        for row in &self.rows {
            tally(&mut point, row);
        }
        point
    }

    /// Take a product's texts as the store now has them (after an edit, a bulk fix, an undo)
    /// and check its media again; media added or removed since wait for the next audit.
    pub fn update_product(&mut self, pm: &ProductMedia, limit: usize) {
        let mut changed = false;
        for row in self.rows.iter_mut().filter(|r| r.product == pm.id) {
            if let Some(m) = pm.media.iter().find(|m| m.id == row.media) {
                changed |= row.alt != m.alt;
                row.alt = m.alt.clone();
            }
        }
        if changed {
            self.recheck(&pm.id, limit);
        }
    }

    /// Check a product's media again from the texts the rows hold (after one was edited).
    pub fn recheck(&mut self, product: &ProductId, limit: usize) {
        let Some(first) = self.rows.iter().position(|r| r.product == *product) else { return };
        // The product's media, checked among each other; a variation's picture is checked on
        // its own (it is often the same photo as one of the media) and its text does not change
        // here.
        let media: Vec<usize> = self.product_rows(first).filter(|i| !self.rows[*i].is_variation()).collect();
        let alts: Vec<String> = media.iter().map(|i| self.rows[*i].alt.clone()).collect();
        for (k, i) in media.into_iter().enumerate() {
            let findings = self.rows[i].check_text(&alts[k], &super::siblings(&alts, k), limit);
            self.rows[i].findings = findings;
        }
    }

    /// The rows of the product the `index`th row belongs to (its media, then its variations'
    /// own pictures): a product's rows are side by side in `rows`, so this looks only at its
    /// neighbours (it runs every frame while a text is edited in the list).
    pub fn product_rows(&self, index: usize) -> std::ops::Range<usize> {
        let product = &self.rows[index].product;
        let start = self.rows[..index].iter().rposition(|r| r.product != *product).map_or(0, |i| i + 1);
        let end = self.rows[index..].iter().position(|r| r.product != *product).map_or(self.rows.len(), |i| index + i);
        start..end
    }

    /// How many media each rule found, for every rule (zero included), in the rules' order.
    pub fn per_rule(&self) -> Vec<RuleCount> {
        super::RULES
            .iter()
            .map(|r| RuleCount {
                rule: r.id,
                severity: r.severity,
                media: self.rows.iter().filter(|x| x.has(r.id)).count(),
            })
            .collect()
    }
}

/// The option values the variants showing `media` share ("Red" when Red/S and Red/M show
/// it); Shopify's "Default Title" of a product without options is not a value.
pub fn variant_values(variants: &[Variant], media: &MediaId) -> Vec<String> {
    let showing: Vec<&Variant> = variants.iter().filter(|v| v.media.contains(media)).collect();
    let Some(first) = showing.first() else { return Vec::new() };
    named_values(first)
        .filter(|value| showing.iter().all(|v| v.options.iter().any(|(_, x)| x == *value)))
        .cloned()
        .collect()
}

/// A variant's option values that name something ("Red", "M"): not Shopify's "Default Title"
/// of a product without options, not a blank.
fn named_values(v: &Variant) -> impl Iterator<Item = &String> {
    v.options
        .iter()
        .map(|(_, value)| value)
        .filter(|value| !value.eq_ignore_ascii_case("Default Title") && !value.trim().is_empty())
}

/// How the id of a variation's own picture starts in the audit, its CSV and its marks
/// (`variation:` and the variation's id): it is no media id of the store's.
pub const VARIATION: &str = "variation:";

/// Whether `media` names a variation's own picture (see `VARIATION`), which mediadesk reads
/// but does not write.
pub fn is_variation_id(media: &MediaId) -> bool {
    media.0.starts_with(VARIATION)
}

/// The rows of `p`'s variations that have a picture of their own (Ecwid), after its media.
/// Each is checked alone, not among the media's texts: it is often the same photo as one of
/// them, and the same words there are no fault. What matters most is that it names its
/// variation (`variant-unnamed`).
fn variation_rows(p: &ProductRecord, limit: usize, decorative: &BTreeSet<MediaId>) -> Vec<AuditRow> {
    p.variants
        .iter()
        .filter_map(|v| v.own_image.as_ref().map(|own| (v, own)))
        .enumerate()
        .map(|(i, (v, own))| {
            let id = MediaId(format!("{VARIATION}{}", v.id));
            let values: Vec<String> = named_values(v).cloned().collect();
            let is_decorative = decorative.contains(&id);
            let subject = Subject {
                decorative: is_decorative,
                variant_values: &values,
                ..Subject::new(&own.alt, &p.title, limit)
            };
            AuditRow {
                findings: check(&subject),
                product: p.id.clone(),
                title: p.title.clone(),
                handle: p.handle.clone(),
                vendor: p.vendor.clone(),
                product_type: p.product_type.clone(),
                status: p.status.clone(),
                media: id,
                position: (p.media.len() + i) as u32,
                kind: MediaKind::Image,
                preview_url: Some(own.url.clone()),
                filename: None,
                alt: own.alt.clone(),
                decorative: is_decorative,
                variant_values: values,
                variation: Some(v.title.clone()),
            }
        })
        .collect()
}

/// Audit every media of `records` under the store's alt-text `limit`, with the merchant's
/// `decorative` marks.
pub fn audit(records: &[ProductRecord], limit: usize, decorative: &BTreeSet<MediaId>) -> Report {
    let languages = languages(records.iter().flat_map(|p| &p.media));
    let rows = records.iter().flat_map(|p| audit_product(p, limit, decorative, &languages)).collect();
    Report { rows, languages }
}

/// The languages any of these media's alt texts are translated into, in order.
pub fn languages<'a>(media: impl IntoIterator<Item = &'a crate::model::Media>) -> Vec<String> {
    media.into_iter().flat_map(|m| m.alt_translated.keys()).cloned().collect::<BTreeSet<_>>().into_iter().collect()
}

/// One product's rows: its media, then its variations' own images; `languages` are the store's
/// (see `languages`).
pub fn audit_product(
    p: &ProductRecord,
    limit: usize,
    decorative: &BTreeSet<MediaId>,
    languages: &[String],
) -> Vec<AuditRow> {
    let mut rows = Vec::with_capacity(p.media.len());
    {
        let alts: Vec<&str> = p.media.iter().map(|m| m.alt.as_str()).collect();
        for (i, m) in p.media.iter().enumerate() {
            let siblings = super::siblings(&alts, i);
            let values = variant_values(&p.variants, &m.id);
            let is_decorative = decorative.contains(&m.id);
            let subject = Subject {
                alt: &m.alt,
                decorative: is_decorative,
                product_title: &p.title,
                filename: m.filename.as_deref(),
                siblings: &siblings,
                variant_values: &values,
                translations: &m.alt_translated,
                // Only images carry translated alt texts (Ecwid's videos have a title instead).
                languages: if m.kind == MediaKind::Image { languages } else { &[] },
                limit,
            };
            rows.push(AuditRow {
                findings: check(&subject),
                product: p.id.clone(),
                title: p.title.clone(),
                handle: p.handle.clone(),
                vendor: p.vendor.clone(),
                product_type: p.product_type.clone(),
                status: p.status.clone(),
                media: m.id.clone(),
                position: m.position,
                kind: m.kind,
                preview_url: m.preview_url.clone(),
                filename: m.filename.clone(),
                alt: m.alt.clone(),
                decorative: is_decorative,
                variant_values: values,
                variation: None,
            });
        }
        rows.extend(variation_rows(p, limit, decorative));
    }
    rows
}

/// Count one audited media into a score point.
pub fn tally(point: &mut ScorePoint, row: &AuditRow) {
    point.media += 1;
    point.passing += u64::from(row.findings.is_empty());
    for f in &row.findings {
        match f.severity {
            Severity::Error => point.errors += 1,
            Severity::Warning => point.warnings += 1,
        }
    }
}

/// The findings each rule has, by id: for tests and summaries.
pub fn counts(report: &Report) -> BTreeMap<&'static str, usize> {
    report.per_rule().into_iter().filter(|c| c.media > 0).map(|c| (c.rule, c.media)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Media;

    fn media(id: &str, alt: &str) -> Media {
        Media::test_image(id, alt)
    }

    fn product(title: &str, media: Vec<Media>, variants: Vec<Variant>) -> ProductRecord {
        ProductRecord {
            id: ProductId(format!("p-{title}")),
            title: title.into(),
            handle: String::new(),
            vendor: None,
            product_type: None,
            status: None,
            tags: vec![],
            updated_at: None,
            media,
            variants,
        }
    }

    fn variant(values: &[&str], media: &[&str]) -> Variant {
        Variant {
            id: values.join("/"),
            title: values.join(" / "),
            options: values.iter().enumerate().map(|(i, v)| (format!("Option{i}"), v.to_string())).collect(),
            media: media.iter().map(|m| MediaId(m.to_string())).collect(),
            own_image: None,
        }
    }

    #[test]
    fn the_score_counts_media_that_pass_and_decorative_ones_are_exempt() {
        let records = vec![
            product(
                "Tote",
                vec![media("a", "Blue linen tote on a shoulder"), media("b", ""), media("c", "")],
                vec![variant(&["Blue", "S"], &["a"]), variant(&["Blue", "M"], &["a"])],
            ),
            product("Mug", vec![media("d", "Image of a mug")], vec![]),
        ];
        let decorative: BTreeSet<MediaId> = [MediaId("c".into())].into();
        let r = audit(&records, 512, &decorative);
        assert_eq!(r.rows.len(), 4);
        assert_eq!(r.passing(), 2, "a passes, c is decorative");
        assert_eq!(r.score(), 50.0);
        assert_eq!(counts(&r), [("missing", 1), ("lead-in", 1)].into());
        assert_eq!(r.findings_of(Severity::Error), 1);
        assert_eq!(r.rows[0].variant_values, ["Blue"], "the value Blue/S and Blue/M share");
        assert!(r.rows[2].decorative && r.rows[2].findings.is_empty());
        assert_eq!(audit(&[], 512, &BTreeSet::new()).score(), 100.0);
    }

    #[test]
    fn languages_come_from_the_translation_slots() {
        let mut m = media("a", "Blue linen tote bag");
        m.alt_translated = [("fr".to_string(), String::new())].into();
        let mut n = media("b", "Green linen tote bag");
        n.alt_translated = [("fr".to_string(), "Sac vert".to_string())].into();
        let mut video = media("v", "Tote bag packing tips for a weekend");
        video.kind = MediaKind::ExternalVideo;
        let r = audit(&[product("Tote", vec![m, n, video], vec![])], 512, &BTreeSet::new());
        assert_eq!(r.languages, ["fr"]);
        assert!(r.rows[2].findings.is_empty(), "a video has a title, not translated alt texts");
        assert_eq!(counts(&r), [("translation-missing", 1)].into());
    }

    #[test]
    fn a_variations_own_image_is_audited_alone_and_must_name_its_variation() {
        let mut red = variant(&["Red", "S"], &[]);
        red.own_image =
            Some(crate::model::OwnImage { url: "https://x/red.jpg".into(), alt: "Linen tote, front".into() });
        let mut blue = variant(&["Blue", "S"], &[]);
        blue.own_image =
            Some(crate::model::OwnImage { url: "https://x/blue.jpg".into(), alt: "Blue linen tote, front".into() });
        let records = vec![product("Tote", vec![media("a", "Linen tote, front")], vec![red, blue])];
        let mut r = audit(&records, 125, &BTreeSet::new());
        assert_eq!(r.rows.len(), 3, "the media, then each variation's own image");
        assert!(r.rows[0].findings.is_empty(), "the same photo's text on a variation is no duplicate");
        let (red, blue) = (&r.rows[1], &r.rows[2]);
        assert_eq!((red.variation.as_deref(), red.media.0.as_str()), (Some("Red / S"), "variation:Red/S"));
        assert_eq!(red.preview_url.as_deref(), Some("https://x/red.jpg"));
        assert_eq!(red.findings.iter().map(|f| f.rule).collect::<Vec<_>>(), ["variant-unnamed"]);
        assert!(blue.findings.is_empty(), "it names Blue");
        assert_eq!(r.product_rows(2), 0..3);

        // Editing the media leaves the variations' findings as they were.
        r.rows[0].alt = "Blue linen tote, front".into();
        r.recheck(&ProductId("p-Tote".into()), 125);
        assert!(r.rows[0].findings.is_empty());
        assert_eq!(r.rows[1].findings.len(), 1);
        // A template never writes a variation's image (Ecwid's control panel does).
        let t = crate::audit::template::Template::parse("{title}, {variant}").unwrap();
        let planned = crate::audit::template::plan(&r, &t, |_| true, 125);
        assert!(planned.iter().all(|p| !p.row.is_variation()), "{planned:?}");
    }

    #[test]
    fn default_title_is_not_a_variant_value() {
        let v = variant(&["Default Title"], &["a"]);
        assert!(variant_values(&[v], &MediaId("a".into())).is_empty());
    }
}
