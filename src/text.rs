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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_are_shown_and_plain_text_is_untouched() {
        assert_eq!(visible("rtl\u{202E}gnp.exe"), "rtl<U+202E>gnp.exe");
        assert_eq!(visible("a\u{2066}b\u{2069}"), "a<U+2066>b<U+2069>");
        assert!(matches!(visible("Café au lait, 日本語"), Cow::Borrowed(_)));
    }
}
