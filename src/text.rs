//! Text as a person should see it: bidirectional control characters (which can make
//! `photo\u{202E}gnp.exe` read as `photoexe.png`) are shown as visible marks.

use std::borrow::Cow;

/// True for the invisible characters that reorder the text around them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The text with every bidi control written out as `<U+202E>`, so names cannot pose as others.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_bidi_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars().map(|c| if is_bidi_control(c) { format!("<U+{:04X}>", c as u32) } else { c.to_string() }).collect(),
    )
}

/// A count as people write it: 12345 as "12,345".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How long ago something happened, said plainly: "just now", "3 min ago", "2 h ago", "4 days ago".
pub fn ago(seconds: u64) -> String {
    match seconds {
        s if s < 60 => "just now".into(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3600),
        s if s < 2 * 86_400 => "yesterday".into(),
        s => format!("{} days ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_times_read_as_people_write_them() {
        assert_eq!((thousands(0), thousands(999), thousands(1000)), ("0".into(), "999".into(), "1,000".into()));
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(
            (ago(5), ago(190), ago(7300), ago(90_000), ago(400_000)),
            ("just now".into(), "3 min ago".into(), "2 h ago".into(), "yesterday".into(), "4 days ago".into())
        );
    }

    #[test]
    fn bidi_controls_are_shown_and_plain_text_is_untouched() {
        assert_eq!(visible("rtl\u{202E}gnp.exe"), "rtl<U+202E>gnp.exe");
        assert_eq!(visible("a\u{2066}b\u{2069}"), "a<U+2066>b<U+2069>");
        assert!(matches!(visible("Café au lait, 日本語"), Cow::Borrowed(_)));
    }
}
