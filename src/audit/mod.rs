//! Alt-text rules: pure checks of one alt text in its context, as WCAG and the platforms'
//! help centres describe good and bad alt text. `rules` holds each rule; `lexicon` the words
//! they look for; `report` runs them over a whole catalog.

use std::collections::BTreeMap;

pub mod csv_file;
mod lexicon;
pub mod report;
pub mod rules;
pub mod template;

pub use report::{AuditRow, Report, audit};
pub use rules::{RULES, Rule, rule};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a look.
    Warning,
    /// Fails the check (WCAG 1.1.1) or cannot be saved.
    Error,
}

impl Severity {
    /// How the command line and the CSV spell it.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Read `warning` or `error`.
    pub fn parse(word: &str) -> Option<Severity> {
        match word.to_ascii_lowercase().as_str() {
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// One problem with an alt text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's stable id (`missing`, `lead-in`, …).
    pub rule: &'static str,
    /// How serious.
    pub severity: Severity,
    /// Short and specific, for the user.
    pub message: String,
    /// A text that mends this problem without knowing the picture (stray spaces removed, a
    /// lead-in dropped), where there is one.
    pub fix: Option<String>,
}

/// One media's alt text and what it is checked against.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The alt text as the store holds it.
    pub alt: &'a str,
    /// Marked decorative by the merchant: no text is wanted, so a blank one is fine.
    pub decorative: bool,
    /// The product's title.
    pub product_title: &'a str,
    /// The media's file name, where known.
    pub filename: Option<&'a str>,
    /// The other media's alt texts of the same product.
    pub siblings: &'a [&'a str],
    /// The option values of the variants that show this media ("Red", "M").
    pub variant_values: &'a [String],
    /// The alt text in other languages, by language code (Ecwid's `alt.translated`).
    pub translations: &'a BTreeMap<String, String>,
    /// The store's other languages; empty for a one-language store.
    pub languages: &'a [String],
    /// The platform's limit in characters.
    pub limit: usize,
}

static NO_TRANSLATIONS: BTreeMap<String, String> = BTreeMap::new();

impl<'a> Subject<'a> {
    /// `alt` of a media of the product `title` with nothing else known about it, under a
    /// store's `limit`; the other fields are set by the caller where it knows them.
    pub fn new(alt: &'a str, title: &'a str, limit: usize) -> Subject<'a> {
        Subject {
            alt,
            decorative: false,
            product_title: title,
            filename: None,
            siblings: &[],
            variant_values: &[],
            translations: &NO_TRANSLATIONS,
            languages: &[],
            limit,
        }
    }
}

/// The alt texts of a product's other media, seen from the `index`th of `alts` (what
/// `Subject::siblings` holds).
pub fn siblings<S: AsRef<str>>(alts: &[S], index: usize) -> Vec<&str> {
    alts.iter().enumerate().filter(|(j, _)| *j != index).map(|(_, a)| a.as_ref()).collect()
}

/// Everything wrong with a media's alt text, in the rules' order; empty when it passes.
pub fn check(s: &Subject<'_>) -> Vec<Finding> {
    RULES.iter().filter_map(|r| r.check(s)).collect()
}

/// How a product's alt texts fare under the same checks as the inspector's: what the product
/// list's badges and the catalog's counts say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Health {
    /// Media checked.
    pub media: usize,
    /// Media with no alt text.
    pub missing: usize,
    /// Media whose alt text the checks flag (a file name, "Image of…", a keyword list…).
    pub needs_work: usize,
}

/// How one media's alt text fares: what its tile's badge says and what `Health` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// No alt text.
    Missing,
    /// Alt text the checks flag.
    NeedsWork,
    /// Alt text that passes every check.
    Ok,
}

/// How the alt text of the `index`th of a product's media fares, among its siblings: `media`
/// holds every media's alt text and file name (where known), `title` is the product's, `limit`
/// the store's in characters.
pub fn mark(title: &str, media: &[(&str, Option<&str>)], index: usize, limit: usize) -> Mark {
    let (alt, filename) = media[index];
    if alt.trim().is_empty() {
        return Mark::Missing;
    }
    let alts: Vec<&str> = media.iter().map(|(a, _)| *a).collect();
    let siblings = siblings(&alts, index);
    let subject = Subject { filename, siblings: &siblings, ..Subject::new(alt, title, limit) };
    if check(&subject).is_empty() { Mark::Ok } else { Mark::NeedsWork }
}

impl Health {
    /// The health of the product `title` whose media have these alt texts (with their file
    /// names, where known), under the store's `limit` in characters.
    pub fn of(title: &str, media: &[(&str, Option<&str>)], limit: usize) -> Health {
        let marks: Vec<Mark> = (0..media.len()).map(|i| mark(title, media, i, limit)).collect();
        Health::counting(&marks)
    }

    /// The health of media with these marks.
    pub fn counting(marks: &[Mark]) -> Health {
        let count = |wanted: Mark| marks.iter().filter(|m| **m == wanted).count();
        Health { media: marks.len(), missing: count(Mark::Missing), needs_work: count(Mark::NeedsWork) }
    }

    /// Media whose alt text passes every check.
    pub fn ok(&self) -> usize {
        self.media - self.missing - self.needs_work
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_counts_missing_and_flagged_texts_apart() {
        let media = [
            ("Linen tote on a shoulder, front view", Some("tote-1.jpg")),
            ("", None),
            ("IMG_4821.JPG", None),
            ("Image of a tote bag", None),
            ("  ", None),
        ];
        let h = Health::of("Linen Market Tote", &media, 512);
        assert_eq!(h, Health { media: 5, missing: 2, needs_work: 2 });
        assert_eq!(h.ok(), 1);
        // The same text on two media is flagged on both.
        let twice = Health::of("Mug", &[("Blue mug, side", None), ("Blue mug, side", None)], 512);
        assert_eq!(twice.needs_work, 2);
        // Over the platform's limit is flagged.
        let long = "Blue mug on a table by the window ".repeat(5);
        assert_eq!(Health::of("Mug", &[(long.as_str(), None)], 125).needs_work, 1);
        assert_eq!(Health::of("Mug", &[], 512), Health::default());
    }
}
