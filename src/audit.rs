//! Alt-text rules: pure checks of one alt text in its context, as WCAG and the platforms'
//! help centres describe good and bad alt text.

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a look.
    Warning,
    /// Fails the check (WCAG 1.1.1) or cannot be saved.
    Error,
}

/// One problem with an alt text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// Short and specific, for the user.
    pub message: String,
}

/// What an alt text is checked against.
pub struct Context<'a> {
    /// The product's title.
    pub product_title: &'a str,
    /// The file name of the media, if known.
    pub filename: Option<&'a str>,
    /// The other media's alt texts of the same product.
    pub siblings: &'a [&'a str],
    /// The platform's limit in characters.
    pub limit: usize,
}

fn finding(severity: Severity, message: impl Into<String>) -> Finding {
    Finding { severity, message: message.into() }
}

fn looks_like_filename(alt: &str) -> bool {
    let a = alt.trim().to_lowercase();
    let exts = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".mp4", ".mov"];
    exts.iter().any(|e| a.ends_with(e))
        || a.starts_with("img_")
        || a.starts_with("dsc")
        || a.starts_with("http://")
        || a.starts_with("https://")
        || (a.len() > 3
            && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && a.chars().any(|c| c.is_ascii_digit())
            && !a.contains(' '))
}

/// Everything wrong with `alt` in its context; empty when it looks fine.
pub fn check(alt: &str, ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let text = alt.trim();
    let lower = text.to_lowercase();
    let chars = text.chars().count();
    if text.is_empty() {
        out.push(finding(Severity::Error, "Missing: screen readers get nothing, or the file name"));
        return out;
    }
    if chars > ctx.limit {
        out.push(finding(Severity::Error, format!("{chars} characters: the store keeps at most {}", ctx.limit)));
    } else if chars > 125 {
        out.push(finding(Severity::Warning, format!("{chars} characters: over 125 is hard to listen to")));
    }
    if looks_like_filename(text) || ctx.filename.is_some_and(|f| f.eq_ignore_ascii_case(text)) {
        out.push(finding(Severity::Error, "A file name, not a description"));
    }
    if ["image", "photo", "picture", "placeholder", "img", "thumbnail"].contains(&lower.as_str()) {
        out.push(finding(Severity::Error, "A placeholder word, not a description"));
    }
    for lead in ["image of", "photo of", "picture of", "an image of", "a photo of", "a picture of"] {
        if lower.starts_with(lead) {
            out.push(finding(
                Severity::Warning,
                format!("Starts with \u{201c}{lead}\u{201d}: screen readers already say it is an image"),
            ));
            break;
        }
    }
    if ctx.siblings.iter().any(|s| s.trim().eq_ignore_ascii_case(text)) {
        out.push(finding(Severity::Warning, "The same as another media of this product"));
    }
    if lower == ctx.product_title.trim().to_lowercase() {
        out.push(finding(Severity::Warning, "Only the product title: say what this picture shows"));
    }
    let commas = text.matches(',').count();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 3).collect();
    let repeated = words.iter().any(|w| words.iter().filter(|x| *x == w).count() >= 3);
    if commas >= 3 || repeated {
        out.push(finding(Severity::Warning, "Reads like a keyword list"));
    }
    out
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
    let siblings: Vec<&str> = media.iter().enumerate().filter(|(j, _)| *j != index).map(|(_, (a, _))| *a).collect();
    let ctx = Context { product_title: title, filename, siblings: &siblings, limit };
    if check(alt, &ctx).is_empty() { Mark::Ok } else { Mark::NeedsWork }
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

    fn ctx<'a>(siblings: &'a [&'a str]) -> Context<'a> {
        Context { product_title: "Linen Market Tote", filename: Some("tote-1.jpg"), siblings, limit: 512 }
    }

    #[test]
    fn good_alt_passes() {
        assert!(check("Linen tote on a shoulder, front view", &ctx(&[])).is_empty());
    }

    #[test]
    fn each_rule_fires() {
        let first = |alt: &str, s: &[&str]| check(alt, &ctx(s)).first().map(|f| f.message.clone()).unwrap_or_default();
        assert!(first("", &[]).starts_with("Missing"));
        assert!(first("IMG_4821.JPG", &[]).contains("file name"));
        assert!(first("tote-1.jpg", &[]).contains("file name"));
        assert!(first("photo", &[]).contains("placeholder"));
        assert!(first("Image of a tote bag", &[]).contains("image of"));
        assert!(first("Tote, front", &["tote, front"]).contains("same as another"));
        assert!(first("Linen Market Tote", &[]).contains("product title"));
        assert!(first("tote, bag, linen tote, cheap tote, best tote", &[]).contains("keyword"));
        assert!(first(&"a ".repeat(70), &[]).contains("over 125"));
        let long = "word ".repeat(120);
        assert_eq!(check(&long, &ctx(&[]))[0].severity, Severity::Error);
    }
}
