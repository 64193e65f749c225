//! The rules: one small pure function each, over one media's alt text in its product. Each has
//! a stable id (used by the command line, the CSV and the window's filters), a severity, a
//! message and, where a text can be mended without knowing the picture, a suggested fix.

use super::lexicon::{CAMERA_PREFIXES, EXTENSIONS, LEAD_INS, PLACEHOLDERS};
use super::{Finding, Severity, Subject};

/// One rule.
pub struct Rule {
    /// Stable id, e.g. `missing`, `lead-in`.
    pub id: &'static str,
    /// How serious a hit is.
    pub severity: Severity,
    /// What the rule looks for, in a few words (the window's filter list, `--help`).
    pub name: &'static str,
    test: fn(&Subject<'_>) -> Option<Hit>,
}

/// What a rule found: its message and, where possible, a text that would pass.
struct Hit {
    message: String,
    fix: Option<String>,
}

fn hit(message: impl Into<String>) -> Option<Hit> {
    Some(Hit { message: message.into(), fix: None })
}

fn hit_fix(message: impl Into<String>, fix: String) -> Option<Hit> {
    Some(Hit { message: message.into(), fix: Some(fix) })
}

impl Rule {
    /// This rule's finding on `s`, if it has one.
    pub fn check(&self, s: &Subject<'_>) -> Option<Finding> {
        (self.test)(s).map(|h| Finding { rule: self.id, severity: self.severity, message: h.message, fix: h.fix })
    }
}

/// Every rule, in the order findings are listed.
pub static RULES: &[Rule] = &[
    Rule { id: "missing", severity: Severity::Error, name: "No alt text", test: missing },
    Rule { id: "over-limit", severity: Severity::Error, name: "Over the store's limit", test: over_limit },
    Rule { id: "control-characters", severity: Severity::Error, name: "Invisible control characters", test: control },
    Rule { id: "file-name", severity: Severity::Error, name: "A file name or URL", test: file_name },
    Rule { id: "placeholder", severity: Severity::Error, name: "A placeholder word", test: placeholder },
    Rule { id: "markup", severity: Severity::Error, name: "HTML or markup", test: markup },
    Rule { id: "too-short", severity: Severity::Warning, name: "Too short to describe", test: too_short },
    Rule { id: "lead-in", severity: Severity::Warning, name: "Starts with \"image of\"", test: lead_in },
    Rule { id: "long", severity: Severity::Warning, name: "Over 125 characters", test: long },
    Rule { id: "duplicate", severity: Severity::Warning, name: "Same as another media", test: duplicate },
    Rule { id: "title-only", severity: Severity::Warning, name: "Only the product title", test: title_only },
    Rule { id: "numbered", severity: Severity::Warning, name: "Numbered (\"Title 1\")", test: numbered },
    Rule { id: "keyword-list", severity: Severity::Warning, name: "A keyword list", test: keyword_list },
    Rule { id: "repeated-word", severity: Severity::Warning, name: "Repeated words", test: repeated_word },
    Rule { id: "all-caps", severity: Severity::Warning, name: "ALL CAPS", test: all_caps },
    Rule { id: "spacing", severity: Severity::Warning, name: "Stray spaces", test: spacing },
    Rule {
        id: "variant-unnamed",
        severity: Severity::Warning,
        name: "Names none of its variant's options",
        test: variant,
    },
    Rule { id: "translation-missing", severity: Severity::Warning, name: "Missing translations", test: translations },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Lower case with runs of whitespace as one space and the ends trimmed: how two texts are
/// compared for sameness.
pub(super) fn folded(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Letters of scripts written without spaces between words: each counts as a word of its own.
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK ideographs
        | 0xAC00..=0xD7AF // Hangul syllables (spaced, but short words)
        | 0x0E00..=0x0E7F // Thai
    )
}

/// The word-like runs of a text: letters and digits together, each ideograph alone.
pub(super) fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if unspaced(c) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push(c.to_string());
        } else if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The text with its whitespace normalised: what the `spacing` fix and others start from.
fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first letter made upper case.
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn missing(s: &Subject<'_>) -> Option<Hit> {
    (s.alt.trim().is_empty() && !s.decorative)
        .then(|| Hit { message: "No alt text: screen readers say nothing, or read the file name".into(), fix: None })
}

fn over_limit(s: &Subject<'_>) -> Option<Hit> {
    let n = tidy(s.alt).chars().count();
    (n > s.limit).then(|| Hit { message: format!("{n} characters: the store keeps at most {}", s.limit), fix: None })
}

fn long(s: &Subject<'_>) -> Option<Hit> {
    let n = tidy(s.alt).chars().count();
    if n > 125 && n <= s.limit { hit(format!("{n} characters: over 125 is hard to listen to")) } else { None }
}

fn control(s: &Subject<'_>) -> Option<Hit> {
    // Tabs and line breaks are whitespace (`spacing` covers them); the others are invisible.
    let bad = s.alt.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).count();
    if bad == 0 {
        return None;
    }
    let fix = tidy(&s.alt.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>());
    hit_fix(format!("{bad} invisible control character(s): the store refuses them"), fix)
}

/// Whether the text is a file name, a path or an address rather than words.
pub(super) fn looks_like_file(alt: &str, filename: Option<&str>) -> bool {
    let a = alt.trim().to_lowercase();
    if a.is_empty() {
        return false;
    }
    let stem = |f: &str| f.rsplit_once('.').map_or(f, |(s, _)| s).to_lowercase();
    let same_file = filename.is_some_and(|f| a == f.to_lowercase() || a == stem(f));
    let url = a.starts_with("http://") || a.starts_with("https://") || a.starts_with("www.") || a.starts_with("//");
    let extension = EXTENSIONS.iter().any(|e| a.ends_with(e)) && !a.contains(' ');
    let camera = CAMERA_PREFIXES.iter().any(|p| a.starts_with(p)) && !a.contains(' ');
    // One run of letters, digits, `_` and `-` with a digit in it: `tote-front-01`, `a1b2c3`.
    let token = a.chars().count() > 3
        && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && a.chars().any(|c| c.is_ascii_digit());
    same_file || url || extension || camera || token || a.contains('/') && !a.contains(' ')
}

fn file_name(s: &Subject<'_>) -> Option<Hit> {
    looks_like_file(s.alt, s.filename)
        .then(|| Hit { message: "A file name or address, not a description".into(), fix: None })
}

/// Whether the whole text is a placeholder word (a trailing number aside: "image 3").
pub(super) fn is_placeholder(alt: &str) -> bool {
    let f = folded(alt);
    let bare = f.trim_end_matches(|c: char| c.is_ascii_digit() || matches!(c, ' ' | '_' | '-' | '#' | '.'));
    !bare.is_empty() && PLACEHOLDERS.contains(&bare)
}

fn placeholder(s: &Subject<'_>) -> Option<Hit> {
    is_placeholder(s.alt).then(|| Hit { message: "A placeholder word, not a description".into(), fix: None })
}

fn too_short(s: &Subject<'_>) -> Option<Hit> {
    if s.alt.trim().is_empty() || is_placeholder(s.alt) || looks_like_file(s.alt, s.filename) {
        return None;
    }
    let n = words(s.alt).len();
    (n < 3).then(|| Hit { message: format!("{n} word(s): too short to say what the picture shows"), fix: None })
}

/// The lead-in the text starts with, as typed.
fn lead_in_of(alt: &str) -> Option<&'static str> {
    let lower = alt.trim_start().to_lowercase();
    LEAD_INS.iter().copied().find(|l| {
        lower.starts_with(l)
            // A whole word: "photo de" must not match "photo dentaire" … unless it ends in an apostrophe.
            && (l.ends_with('\'') || l.ends_with('\u{2019}') || lower[l.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
    })
}

fn lead_in(s: &Subject<'_>) -> Option<Hit> {
    let lead = lead_in_of(s.alt)?;
    let trimmed = s.alt.trim_start();
    // Lower-casing can change byte lengths; count characters to cut the original.
    let cut: String = trimmed.chars().skip(lead.chars().count()).collect();
    let rest = capitalised(cut.trim_start());
    let fix = (!rest.is_empty()).then_some(rest);
    Some(Hit { message: format!("Starts with \u{201c}{lead}\u{201d}: screen readers already say it is an image"), fix })
}

fn duplicate(s: &Subject<'_>) -> Option<Hit> {
    let me = folded(s.alt);
    if me.is_empty() {
        return None;
    }
    let n = s.siblings.iter().filter(|o| folded(o) == me).count();
    (n > 0).then(|| Hit { message: format!("The same text as {n} other media of this product"), fix: None })
}

fn title_only(s: &Subject<'_>) -> Option<Hit> {
    let me = folded(s.alt);
    if me.is_empty() || me != folded(s.product_title) {
        return None;
    }
    let everywhere = !s.siblings.is_empty() && s.siblings.iter().all(|o| folded(o) == me);
    if everywhere {
        hit("Every media of this product says only its title: say what each one shows")
    } else {
        hit("Only the product title: say what this picture shows")
    }
}

/// The text without a trailing number and what comes before it (" 2", "-2", " #2", " (2)").
fn numbered_stem(alt: &str) -> Option<String> {
    let f = folded(alt);
    let body = f.trim_end_matches(')');
    let digits = body.len() - body.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 3 {
        return None;
    }
    let stem = body[..body.len() - digits].trim_end_matches([' ', '-', '_', '#', '(', '/', '.']);
    (stem.len() < body.len() - digits && !stem.is_empty()).then(|| stem.to_string())
}

fn numbered(s: &Subject<'_>) -> Option<Hit> {
    let stem = numbered_stem(s.alt)?;
    let same_stem = s.siblings.iter().any(|o| numbered_stem(o).as_deref() == Some(stem.as_str()));
    (stem == folded(s.product_title) || same_stem)
        .then(|| Hit { message: "Numbered, not described: the number tells a listener nothing".into(), fix: None })
}

fn keyword_list(s: &Subject<'_>) -> Option<Hit> {
    let parts: Vec<&str> = s.alt.split([',', '|', ';']).map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.len() < 4 {
        return None;
    }
    // A sentence with commas has longer clauses; a list of search terms has one or two words each.
    let short = parts.iter().filter(|p| words(p).len() <= 2).count();
    (short * 4 >= parts.len() * 3).then(|| Hit { message: "Reads like a list of search keywords".into(), fix: None })
}

fn repeated_word(s: &Subject<'_>) -> Option<Hit> {
    let w = words(s.alt);
    if let Some(pair) = w.windows(2).find(|p| p[0] == p[1] && p[0].chars().any(char::is_alphabetic)) {
        let word = &pair[0];
        // Drop the second of the doubled word, as typed.
        let mut out: Vec<&str> = Vec::new();
        for t in s.alt.split_whitespace() {
            let same = |x: &str| words(x).first().is_some_and(|f| f == word) && words(x).len() == 1;
            if out.last().is_some_and(|prev| same(prev) && same(t)) {
                continue;
            }
            out.push(t);
        }
        return hit_fix(format!("\u{201c}{word}\u{201d} twice in a row"), out.join(" "));
    }
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for word in w.iter().filter(|x| x.chars().count() >= 3 && x.chars().all(char::is_alphabetic)) {
        match seen.iter_mut().find(|(x, _)| *x == word.as_str()) {
            Some((_, n)) => *n += 1,
            None => seen.push((word, 1)),
        }
    }
    let (word, n) = seen.into_iter().max_by_key(|(_, n)| *n)?;
    (n >= 3)
        .then(|| Hit { message: format!("\u{201c}{word}\u{201d} {n} times: reads like keyword stuffing"), fix: None })
}

fn all_caps(s: &Subject<'_>) -> Option<Hit> {
    let cased: Vec<char> = s.alt.chars().filter(|c| c.is_uppercase() || c.is_lowercase()).collect();
    // A camera's file name (IMG_7070.JPG) is upper case too, and `file-name` says what is wrong.
    if looks_like_file(s.alt, s.filename)
        || cased.len() < 6
        || cased.iter().any(|c| c.is_lowercase())
        || words(s.alt).len() < 2
    {
        return None;
    }
    let lower = tidy(s.alt).to_lowercase();
    hit_fix("ALL CAPS: some screen readers spell it out letter by letter", capitalised(&lower))
}

fn spacing(s: &Subject<'_>) -> Option<Hit> {
    if s.alt.trim().is_empty() {
        return None;
    }
    let fixed = tidy(s.alt);
    let stray = s.alt != fixed && !s.alt.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    stray.then(|| Hit {
        message: "Spaces at the ends, doubled, or line breaks and tabs inside".into(),
        fix: Some(fixed),
    })
}

/// The text with tags removed and the common entities read.
fn without_markup(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("**", "");
    tidy(&out)
}

fn markup(s: &Subject<'_>) -> Option<Hit> {
    let a = s.alt;
    let tag = a.char_indices().any(|(i, c)| {
        c == '<'
            && a[i + 1..].starts_with(|n: char| n.is_ascii_alphabetic() || n == '/' || n == '!')
            && a[i..].contains('>')
    });
    let entity = ["&nbsp;", "&amp;", "&quot;", "&#39;", "&apos;", "&lt;", "&gt;"].iter().any(|e| a.contains(e))
        || a.match_indices("&#").any(|(i, _)| a[i..].find(';').is_some_and(|end| end <= 8));
    let markdown = a.contains("**") || a.contains("![") || a.contains("](");
    (tag || entity || markdown).then(|| Hit {
        message: "Holds HTML or markup, which is read aloud as it is".into(),
        fix: Some(without_markup(a)),
    })
}

/// Whether `value` appears in `alt` as whole words (case and accents of ASCII letters aside).
fn names(alt_words: &[String], value: &str) -> bool {
    let v = words(value);
    !v.is_empty() && alt_words.windows(v.len()).any(|w| w == v.as_slice())
}

fn variant(s: &Subject<'_>) -> Option<Hit> {
    if s.alt.trim().is_empty() || s.variant_values.is_empty() {
        return None;
    }
    let alt_words = words(s.alt);
    if s.variant_values.iter().any(|v| names(&alt_words, v)) {
        return None;
    }
    let values = s.variant_values.join(", ");
    Some(Hit {
        message: format!("Shown for the variant {values}, but names none of it"),
        fix: Some(format!("{}, {values}", tidy(s.alt))),
    })
}

fn translations(s: &Subject<'_>) -> Option<Hit> {
    if s.alt.trim().is_empty() || s.decorative {
        return None;
    }
    let absent: Vec<&str> = s
        .languages
        .iter()
        .filter(|l| s.translations.get(l.as_str()).is_none_or(|t| t.trim().is_empty()))
        .map(String::as_str)
        .collect();
    (!absent.is_empty()).then(|| Hit { message: format!("No alt text in {}", absent.join(", ")), fix: None })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The ids of the rules that fire on `alt` in a plain product.
    fn fired(alt: &str) -> Vec<&'static str> {
        fired_in(&Subject::new(alt, "Linen Market Tote", 512))
    }

    fn fired_in(s: &Subject<'_>) -> Vec<&'static str> {
        RULES.iter().filter_map(|r| r.check(s)).map(|f| f.rule).collect()
    }

    fn fix(rule_id: &str, s: &Subject<'_>) -> Option<String> {
        rule(rule_id).unwrap().check(s).and_then(|f| f.fix)
    }

    #[test]
    fn ids_are_unique_and_found() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(RULES[i + 1..].iter().all(|o| o.id != r.id), "{} twice", r.id);
            assert_eq!(rule(r.id).unwrap().id, r.id);
        }
        assert!(rule("nope").is_none());
    }

    #[test]
    fn good_texts_pass_every_rule() {
        for alt in [
            "Linen tote on a shoulder, front view",
            "Sac cabas en lin porté à l\u{2019}épaule",
            "Leinentasche über der Schulter, Vorderansicht",
            "Bolso de lino al hombro, vista frontal",
            "Linnen tas over de schouder, vooraanzicht",
            "肩に掛けたリネンのトートバッグ",
            "Photo booth props in a paper bag",
            "Red mug with a chipped handle",
        ] {
            assert_eq!(fired(alt), Vec::<&str>::new(), "{alt}");
        }
    }

    #[test]
    fn missing_fires_on_blank_unless_decorative() {
        assert_eq!(fired(""), ["missing"]);
        assert_eq!(fired("   \n"), ["missing"]);
        let mut s = Subject::new("", "Tote", 512);
        s.decorative = true;
        assert!(fired_in(&s).is_empty());
    }

    #[test]
    fn limits_warn_over_125_and_refuse_over_the_platform() {
        let text = "Blue linen tote bag hanging on a wooden peg by a sunny kitchen window, with a folded \
                    newspaper, two green apples and a set of keys visible inside its open top";
        assert_eq!(fired_in(&Subject::new(text, "Tote", 512)), ["long"]);
        assert_eq!(fired_in(&Subject::new(text, "Tote", 125)), ["over-limit"]);
        assert!(fired_in(&Subject::new("Blue linen tote bag on a peg", "Tote", 125)).is_empty());
    }

    #[test]
    fn control_characters_are_errors_with_a_clean_fix() {
        let s = Subject::new("Blue\u{1b} linen tote bag", "Tote", 512);
        assert_eq!(fired_in(&s), ["control-characters"]);
        assert_eq!(fix("control-characters", &s).unwrap(), "Blue linen tote bag");
    }

    #[test]
    fn file_names_and_addresses_are_caught() {
        for alt in [
            "IMG_1234.jpg",
            "DSC0001",
            "tote-front-01",
            "https://cdn.shop.com/a.png",
            "PXL_20240101_0930",
            "photos/tote.webp",
        ] {
            assert_eq!(fired(alt), ["file-name"], "{alt}");
        }
        let mut s = Subject::new("tote_front", "Tote", 512);
        s.filename = Some("tote_front.jpg");
        assert_eq!(fired_in(&s), ["file-name"]);
        // Words that happen to hold a digit or an extension-like ending are not file names.
        assert!(fired("Size 10 running shoes in blue").is_empty());
        assert!(fired("Our logo printed on a .png sticker sheet").is_empty());
    }

    #[test]
    fn placeholders_in_five_languages() {
        for alt in [
            "image",
            "Photo",
            "IMAGE 3",
            "spacer",
            "placeholder",
            "Produktbild",
            "imagen",
            "afbeelding",
            "photo du produit",
        ] {
            assert_eq!(fired(alt), ["placeholder"], "{alt}");
        }
        assert!(fired("Photo frame in oak, front view").is_empty());
    }

    #[test]
    fn too_short_counts_word_runs_in_any_script() {
        assert_eq!(fired("Tote bag"), ["too-short"]);
        assert_eq!(fired("Rouge"), ["too-short"]);
        assert!(fired("Blue tote bag").is_empty());
        // Japanese has no spaces: each character is a run.
        assert!(fired("青いバッグ").is_empty());
        assert_eq!(fired("鞄"), ["too-short"]);
    }

    #[test]
    fn lead_ins_in_five_languages_with_the_rest_as_the_fix() {
        for (alt, rest) in [
            ("Image of a blue tote bag", "A blue tote bag"),
            ("a photo of a linen tote on a chair", "A linen tote on a chair"),
            ("Photo d\u{2019}un sac en lin bleu", "Un sac en lin bleu"),
            ("Bild von einer blauen Tasche", "Einer blauen Tasche"),
            ("Foto de un bolso azul de lino", "Un bolso azul de lino"),
            ("Afbeelding van een blauwe tas", "Een blauwe tas"),
        ] {
            let s = Subject::new(alt, "Tote", 512);
            assert_eq!(fired_in(&s), ["lead-in"], "{alt}");
            assert_eq!(fix("lead-in", &s).as_deref(), Some(rest));
        }
        // A word that only begins like a lead-in is not one.
        assert!(fired("Photo dentaire kit with mirror").is_empty());
        assert!(fired("Imagery-inspired print on canvas").is_empty());
    }

    #[test]
    fn duplicates_title_only_and_numbered_look_at_the_siblings() {
        let siblings = ["Blue tote, front view", "Linen Market Tote"];
        let mut s = Subject::new("blue tote,  front view", "Linen Market Tote", 512);
        s.siblings = &siblings;
        assert_eq!(fired_in(&s), ["duplicate", "spacing"]);

        let all = ["Linen Market Tote", "Linen Market Tote"];
        let mut s = Subject::new("Linen Market Tote", "Linen Market Tote", 512);
        s.siblings = &all;
        let f: Vec<Finding> = RULES.iter().filter_map(|r| r.check(&s)).collect();
        assert!(f.iter().any(|f| f.rule == "title-only" && f.message.starts_with("Every media")));
        s.siblings = &["Blue tote, side view, on a hook"];
        assert_eq!(fired_in(&s), ["title-only"]);

        let numbered_siblings = ["Linen Market Tote 1", "Linen Market Tote 3"];
        let mut s = Subject::new("Linen Market Tote 2", "Linen Market Tote", 512);
        s.siblings = &numbered_siblings;
        assert_eq!(fired_in(&s), ["numbered"]);
        let other = ["Canvas shoulder bag (1)"];
        let mut s = Subject::new("Canvas shoulder bag (2)", "Tote", 512);
        s.siblings = &other;
        assert_eq!(fired_in(&s), ["numbered"]);
        // A number that is part of the description is not a count.
        assert!(fired("Pack of the tote in size 2").is_empty());
        assert!(fired("Linen tote, model is 180").is_empty());
    }

    #[test]
    fn keyword_lists_and_repeated_words() {
        assert!(fired("tote, bag, linen tote, beach bag, best tote").contains(&"keyword-list"));
        assert_eq!(fired("sac | cabas | lin | plage"), ["keyword-list"]);
        assert!(fired("Blue mug, white handle, on an oak table, in the morning sun").is_empty());
        let s = Subject::new("Blue the the tote bag", "Tote", 512);
        assert_eq!(fired_in(&s), ["repeated-word"]);
        assert_eq!(fix("repeated-word", &s).unwrap(), "Blue the tote bag");
        assert_eq!(fired("Tote tote bag for tote lovers"), ["repeated-word"]);
        // Numbers repeat in descriptions ("2 by 2") without being stuffing.
        assert!(fired("Set of 2 mugs, 2 saucers").is_empty());
    }

    #[test]
    fn all_caps_is_cased_scripts_only() {
        let s = Subject::new("BLUE LINEN TOTE BAG", "Tote", 512);
        assert_eq!(fired_in(&s), ["all-caps"]);
        assert_eq!(fix("all-caps", &s).unwrap(), "Blue linen tote bag");
        assert_eq!(fired("КРАСНАЯ ЛЬНЯНАЯ СУМКА"), ["all-caps"]);
        assert!(fired("Blue USB cable, 2 m, coiled").is_empty());
        assert_eq!(fired("IMG_7070.JPG"), ["file-name"]);
        assert!(fired("赤いリネンのバッグ").is_empty());
    }

    #[test]
    fn stray_spaces_are_fixed() {
        let s = Subject::new(" Blue tote  bag on a chair ", "Tote", 512);
        assert_eq!(fired_in(&s), ["spacing"]);
        assert_eq!(fix("spacing", &s).unwrap(), "Blue tote bag on a chair");
        assert_eq!(fired("Blue tote\nbag on a chair"), ["spacing"]);
    }

    #[test]
    fn markup_is_caught_and_stripped() {
        let s = Subject::new("<b>Blue</b> tote &amp; matching purse", "Tote", 512);
        assert_eq!(fired_in(&s), ["markup"]);
        assert_eq!(fix("markup", &s).unwrap(), "Blue tote & matching purse");
        assert_eq!(fired("**Blue** tote bag on a chair"), ["markup"]);
        assert!(fired("Tote bag, 3 < 4 pockets").is_empty());
        assert!(fired("Salt & pepper shakers in oak").is_empty());
    }

    #[test]
    fn a_variants_picture_names_one_of_its_values() {
        let red = ["Red".to_string(), "M".to_string()];
        let mut s = Subject::new("Linen tote on a shoulder", "Tote", 512);
        s.variant_values = &red;
        assert_eq!(fired_in(&s), ["variant-unnamed"]);
        assert_eq!(fix("variant-unnamed", &s).unwrap(), "Linen tote on a shoulder, Red, M");
        s.alt = "Red linen tote on a shoulder";
        assert!(fired_in(&s).is_empty());
        // Whole words only: "Redwood" does not name "Red".
        s.alt = "Redwood tote on a bench";
        assert_eq!(fired_in(&s), ["variant-unnamed"]);
        let rouge = ["Rouge foncé".to_string()];
        s.variant_values = &rouge;
        s.alt = "Sac en lin rouge foncé";
        assert!(fired_in(&s).is_empty());
    }

    #[test]
    fn translations_missing_where_the_store_has_other_languages() {
        let langs = ["fr".to_string(), "de".to_string()];
        let mut done = BTreeMap::new();
        done.insert("fr".to_string(), "Sac en lin bleu".to_string());
        done.insert("de".to_string(), " ".to_string());
        let mut s = Subject::new("Blue linen tote bag", "Tote", 512);
        s.languages = &langs;
        s.translations = &done;
        let f = rule("translation-missing").unwrap().check(&s).unwrap();
        assert_eq!(f.message, "No alt text in de");
        let mut both = done.clone();
        both.insert("de".to_string(), "Blaue Leinentasche".to_string());
        s.translations = &both;
        assert!(fired_in(&s).is_empty());
        // A store with one language has nothing to translate.
        let none = BTreeMap::new();
        s.languages = &[];
        s.translations = &none;
        assert!(fired_in(&s).is_empty());
    }
}
