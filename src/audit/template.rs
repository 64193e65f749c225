//! Alt-text templates for bulk fixes: `{title}, {variant}, view {position}` filled in from
//! each media's product, variant and file.

use std::collections::BTreeMap;

use super::{AuditRow, Finding, Report};
use crate::model::ProductId;

/// The fields a template may name.
pub const FIELDS: &[&str] = &["title", "vendor", "product_type", "variant", "position", "filename", "alt"];

/// A template that names a field it does not know, or leaves a brace open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(&'static str),
}

impl Template {
    /// Read a template; every `{name}` must be one of `FIELDS` (`{{` and `}}` are braces).
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut text_run = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text_run.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text_run.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(TemplateError(format!("the template's {{{name} is never closed with }}")));
                    }
                    let known = FIELDS.iter().find(|f| **f == name.trim()).ok_or_else(|| {
                        TemplateError(format!(
                            "the template names {{{name}}}, which is not a field; use {}",
                            FIELDS.iter().map(|f| format!("{{{f}}}")).collect::<Vec<_>>().join(", ")
                        ))
                    })?;
                    if !text_run.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text_run)));
                    }
                    parts.push(Part::Field(known));
                }
                '}' => {
                    return Err(TemplateError(
                        "the template has a } with no { before it (write }} for a brace)".into(),
                    ));
                }
                _ => text_run.push(c),
            }
        }
        if !text_run.is_empty() {
            parts.push(Part::Text(text_run));
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_)))
            && parts.iter().all(|p| matches!(p, Part::Text(t) if t.trim().is_empty()))
        {
            return Err(TemplateError("the template is empty: it would clear every alt text".into()));
        }
        Ok(Template { parts })
    }

    /// The alt text this template gives `row`: fields filled in, whitespace tidied, and the
    /// separators an empty field leaves behind (", " before nothing) removed.
    pub fn render(&self, row: &AuditRow) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Field(f) => out.push_str(&value(f, row)),
            }
        }
        let tidy = out.split_whitespace().collect::<Vec<_>>().join(" ");
        let separators: &[char] = &[',', ';', ':', '-', '\u{2013}', '\u{2014}', '|', '/', ' '];
        let mut cleaned = tidy.trim_matches(separators).to_string();
        // An empty field in the middle leaves ", ," or "- ,": keep the first separator only.
        for doubled in [", ,", " - -", " - ,", ", -", " \u{2013} ,", ", \u{2013}"] {
            while let Some(at) = cleaned.find(doubled) {
                cleaned.replace_range(at..at + doubled.len(), &doubled[..1]);
            }
        }
        cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// One media a template changes, with the new text's own findings.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The media as audited.
    pub row: AuditRow,
    /// The text the template gives it.
    pub new_alt: String,
    /// What the rules find in the new text, among its product's new texts.
    pub findings: Vec<Finding>,
}

/// What `template` would write on the media `chosen` picks (never decorative ones, never a
/// variation's own picture, never one whose text would not change), each new text checked among its product's texts as they
/// would be afterwards, under the store's `limit`.
pub fn plan(report: &Report, template: &Template, chosen: impl Fn(&AuditRow) -> bool, limit: usize) -> Vec<Planned> {
    let picked = |r: &AuditRow| !r.decorative && chosen(r);
    let mut by_product: BTreeMap<&ProductId, Vec<&AuditRow>> = BTreeMap::new();
    // A variation's own picture is edited in Ecwid's control panel, and is no sibling of the
    // product's media (see `report::audit`).
    for r in report.rows.iter().filter(|r| !r.is_variation()) {
        by_product.entry(&r.product).or_default().push(r);
    }
    let mut out = Vec::new();
    for rows in by_product.values() {
        let after: Vec<String> =
            rows.iter().map(|r| if picked(r) { template.render(r) } else { r.alt.clone() }).collect();
        for (i, r) in rows.iter().enumerate() {
            if !picked(r) || after[i] == r.alt {
                continue;
            }
            let findings = r.check_text(&after[i], &super::siblings(&after, i), limit);
            out.push(Planned { row: (*r).clone(), new_alt: after[i].clone(), findings });
        }
    }
    out
}

fn value(field: &str, row: &AuditRow) -> String {
    match field {
        "title" => row.title.clone(),
        "vendor" => row.vendor.clone().unwrap_or_default(),
        "product_type" => row.product_type.clone().unwrap_or_default(),
        "variant" => row.variant_values.join(", "),
        "position" => (row.position + 1).to_string(),
        // The name without its extension: "tote-front", not "tote-front.jpg".
        "filename" => row
            .filename
            .as_deref()
            .map(|f| f.rsplit_once('.').map_or(f, |(stem, _)| stem).replace(['_', '-'], " "))
            .unwrap_or_default(),
        "alt" => row.alt.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MediaId, MediaKind, ProductId};

    fn row() -> AuditRow {
        AuditRow {
            product: ProductId("p".into()),
            title: "Linen Market Tote".into(),
            handle: "linen-market-tote".into(),
            vendor: Some("Acme".into()),
            product_type: Some("Bags".into()),
            status: None,
            media: MediaId("m".into()),
            position: 1,
            kind: MediaKind::Image,
            preview_url: None,
            filename: Some("tote_front-view.jpg".into()),
            alt: "IMG_1.jpg".into(),
            decorative: false,
            variant_values: vec!["Red".into(), "M".into()],
            variation: None,
            findings: vec![],
        }
    }

    #[test]
    fn fields_are_filled_in() {
        let t =
            Template::parse("{title} by {vendor} ({product_type}), {variant}, view {position}: {filename}").unwrap();
        assert_eq!(t.render(&row()), "Linen Market Tote by Acme (Bags), Red, M, view 2: tote front view");
        assert_eq!(Template::parse("{alt} {{x}}").unwrap().render(&row()), "IMG_1.jpg {x}");
    }

    #[test]
    fn an_empty_field_leaves_no_dangling_separator() {
        let mut r = row();
        r.variant_values.clear();
        let t = Template::parse("{title}, {variant}").unwrap();
        assert_eq!(t.render(&r), "Linen Market Tote");
        let t = Template::parse("{title}, {variant}, side view").unwrap();
        assert_eq!(t.render(&r), "Linen Market Tote, side view");
    }

    #[test]
    fn a_plan_checks_each_new_text_among_its_siblings_new_texts() {
        let mut a = row();
        a.findings = vec![Finding {
            rule: "file-name",
            severity: super::super::Severity::Error,
            message: String::new(),
            fix: None,
        }];
        let mut b = a.clone();
        b.media = MediaId("n".into());
        b.position = 2;
        let mut passing = a.clone();
        passing.media = MediaId("o".into());
        passing.findings.clear();
        let mut decorative = a.clone();
        decorative.media = MediaId("d".into());
        decorative.decorative = true;
        let report = Report { rows: vec![a, b, passing, decorative], languages: vec![] };
        // The same text for two media: each new text is flagged as a duplicate of the other.
        let same = Template::parse("{title} in {variant}").unwrap();
        let planned = plan(&report, &same, |r| !r.findings.is_empty(), 512);
        assert_eq!(planned.len(), 2, "the passing and the decorative media are left alone");
        assert!(planned.iter().all(|p| p.findings.iter().any(|f| f.rule == "duplicate")));
        // With the position, they differ, and the duplicate goes.
        let numbered = Template::parse("{title} in {variant}, seen from angle {position}").unwrap();
        let planned = plan(&report, &numbered, |r| !r.findings.is_empty(), 512);
        assert!(planned.iter().all(|p| p.findings.iter().all(|f| f.rule != "duplicate")), "{planned:?}");
    }

    #[test]
    fn unknown_fields_and_stray_braces_are_refused() {
        let e = Template::parse("{titel} view").unwrap_err();
        assert!(e.0.contains("{titel}") && e.0.contains("{title}"), "{e}");
        assert!(Template::parse("a } b").is_err());
        assert!(Template::parse("{title").is_err());
        assert!(Template::parse("   ").is_err());
    }
}
