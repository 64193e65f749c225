//! Checks a file before it is sent: its type by content, its size, and the platform's limits on
//! pixels, aspect, length and format. A refused file gets a clear reason and costs no request.

use crate::filetype;
use crate::model::{MediaKind, Platform};
use crate::store::ItemError;

/// What a file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Image, video or 3D model.
    pub kind: MediaKind,
    /// MIME type by content.
    pub mime: &'static str,
    /// Pixel size, where the file says.
    pub size: Option<(u32, u32)>,
}

fn refuse(filename: &str, code: &str, message: String) -> ItemError {
    ItemError { item: Some(filename.to_string()), field: vec!["file".into()], code: code.into(), message }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// An alt text checked and normalised for a platform: line breaks and tabs become spaces, runs
/// of spaces one, and the ends are trimmed; other control characters (ESC, BEL, NUL…) are
/// refused by name and position, as is a text over the platform's limit. `item` names the media.
pub fn alt_text(item: &str, text: &str, platform: Platform) -> Result<String, ItemError> {
    let refuse = |code: &str, message: String| ItemError {
        item: Some(item.to_string()),
        field: vec!["alt".into()],
        code: code.into(),
        message,
    };
    if let Some((at, c)) = text.chars().enumerate().find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(refuse(
            "ALT_CONTROL_CHARACTER",
            format!(
                "the alt text holds an invisible control character (U+{:04X}) at character {}; remove it. Nothing was sent.",
                c as u32,
                at + 1
            ),
        ));
    }
    let clean = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let limit = platform.limits().alt_max_chars;
    let n = clean.chars().count();
    if n > limit {
        return Err(refuse(
            "ALT_VALUE_LIMIT_EXCEEDED",
            format!("Alt text is {n} characters; {platform:?} stores at most {limit}. Nothing was sent."),
        ));
    }
    Ok(clean)
}

/// Check one file for a platform.
pub fn check(filename: &str, bytes: &[u8], platform: Platform) -> Result<Checked, ItemError> {
    let len = bytes.len() as u64;
    if len == 0 {
        return Err(refuse(filename, "EMPTY_FILE", format!("{filename} is empty")));
    }
    let Some(mime) = filetype::sniff(bytes) else {
        return Err(refuse(
            filename,
            "UNSUPPORTED_FILE_TYPE",
            format!(
                "{filename} is not an image, video or 3D model that {platform:?} accepts (judged by its content, not its name)"
            ),
        ));
    };
    let kind = match mime {
        m if m.starts_with("image/") => MediaKind::Image,
        m if m.starts_with("video/") => MediaKind::Video,
        _ => MediaKind::Model3d,
    };
    let allowed: &[&str] = match platform {
        Platform::Shopify => &[
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "image/heic",
            "video/mp4",
            "video/quicktime",
            "video/webm",
            "model/gltf-binary",
            "model/vnd.usdz+zip",
        ],
        Platform::Ecwid => &["image/png", "image/jpeg", "image/gif"],
    };
    if !allowed.contains(&mime) {
        return Err(refuse(
            filename,
            "UNSUPPORTED_FILE_TYPE",
            format!("{filename} is {mime}, which {platform:?} does not accept"),
        ));
    }
    let max = match kind {
        MediaKind::Image => platform.limits().image_max_bytes,
        MediaKind::Video => 1 << 30,
        _ => 500 << 20,
    };
    if len > max {
        return Err(refuse(filename, "FILE_TOO_LARGE", format!("{filename} is {}; the limit is {}", mb(len), mb(max))));
    }
    let mut size = None;
    match kind {
        MediaKind::Image if mime != "image/heic" => {
            let dims = image::ImageReader::new(std::io::Cursor::new(bytes))
                .with_guessed_format()
                .ok()
                .and_then(|r| r.into_dimensions().ok());
            let Some((w, h)) = dims else {
                return Err(refuse(
                    filename,
                    "FILE_CORRUPT",
                    format!("{filename} looks like {mime} but cannot be read: is it damaged?"),
                ));
            };
            if w > 4472 || h > 4472 || u64::from(w) * u64::from(h) > 20_000_000 {
                return Err(refuse(
                    filename,
                    "IMAGE_TOO_LARGE",
                    format!("{filename} is {w}×{h} px; images may be at most 4472×4472 px and 20 megapixels"),
                ));
            }
            if w.max(h) > 100 * w.min(h).max(1) {
                return Err(refuse(
                    filename,
                    "ASPECT_RATIO",
                    format!("{filename} is {w}×{h} px; the aspect ratio must be between 1:100 and 100:1"),
                ));
            }
            size = Some((w, h));
        }
        MediaKind::Video if mime != "video/webm" => {
            let Some((seconds, w, h)) = filetype::mp4_info(bytes) else {
                return Err(refuse(
                    filename,
                    "FILE_CORRUPT",
                    format!("{filename} looks like a video but its header cannot be read"),
                ));
            };
            if seconds > 600.0 {
                return Err(refuse(
                    filename,
                    "VIDEO_TOO_LONG",
                    format!("{filename} runs {:.0} min; videos may run at most 10 min", seconds / 60.0),
                ));
            }
            if w > 3840 || h > 3840 || u64::from(w) * u64::from(h) > 3840 * 2160 {
                return Err(refuse(
                    filename,
                    "VIDEO_TOO_LARGE",
                    format!("{filename} is {w}×{h}; videos may be at most 3840×2160"),
                ));
            }
            size = (w > 0).then_some((w, h));
        }
        _ => {}
    }
    // Last, as it is the slowest: the whole content must be what the header says.
    if let Err(why) = filetype::verify(mime, bytes) {
        return Err(refuse(
            filename,
            "FILE_CORRUPT",
            format!("{filename} looks like {mime} but {why}; nothing was sent"),
        ));
    }
    Ok(Checked { kind, mime, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(w, h).write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn images_are_checked_by_content_size_and_shape() {
        let ok = check("a.jpg", &png(40, 20), Platform::Shopify).unwrap();
        assert_eq!((ok.kind, ok.mime, ok.size), (MediaKind::Image, "image/png", Some((40, 20))));
        assert_eq!(check("x.png", b"hello", Platform::Shopify).unwrap_err().code, "UNSUPPORTED_FILE_TYPE");
        assert_eq!(check("strip.png", &png(202, 2), Platform::Shopify).unwrap_err().code, "ASPECT_RATIO");
        assert_eq!(check("huge.png", &png(4473, 10), Platform::Shopify).unwrap_err().code, "IMAGE_TOO_LARGE");
        let mut broken = png(10, 10);
        broken.truncate(20);
        assert_eq!(check("broken.png", &broken, Platform::Shopify).unwrap_err().code, "FILE_CORRUPT");
        // A whole header whose picture data is cut off: readable size, unreadable pixels.
        let mut cut = png(300, 300);
        cut.truncate(200);
        let e = check("cut.png", &cut, Platform::Shopify).unwrap_err();
        assert_eq!(e.code, "FILE_CORRUPT", "{}", e.message);
        let mut big = png(10, 10);
        big.resize(21 * 1024 * 1024, 0);
        let e = check("big.png", &big, Platform::Shopify).unwrap_err();
        assert_eq!(e.code, "FILE_TOO_LARGE");
        assert!(e.message.contains("21.0 MB"), "{}", e.message);
    }

    #[test]
    fn alt_text_is_normalised_and_control_characters_refused() {
        assert_eq!(alt_text("m", "  Red\tmug,\r\n  front   view ", Platform::Shopify).unwrap(), "Red mug, front view");
        assert_eq!(alt_text("m", "Tasse à café – 日本", Platform::Ecwid).unwrap(), "Tasse à café – 日本");
        for (bad, code) in
            [("a\u{1b}[31mred", "U+001B"), ("ding\u{7}", "U+0007"), ("nul\0", "U+0000"), ("c1\u{85}", "U+0085")]
        {
            let e = alt_text("m", bad, Platform::Shopify).unwrap_err();
            assert_eq!(e.code, "ALT_CONTROL_CHARACTER");
            assert!(e.message.contains(code), "{bad:?}: {}", e.message);
        }
        let e = alt_text("m", &"x".repeat(126), Platform::Ecwid).unwrap_err();
        assert_eq!(e.code, "ALT_VALUE_LIMIT_EXCEEDED");
        // Spaces that normalising removes do not count against the limit.
        assert!(alt_text("m", &format!("{}   ", "x".repeat(125)), Platform::Ecwid).is_ok());
    }

    #[test]
    fn ecwid_takes_only_jpeg_png_and_gif() {
        let glb = crate::filetype::tests::tiny_glb();
        assert_eq!(check("m.glb", &glb, Platform::Shopify).unwrap().kind, MediaKind::Model3d);
        assert_eq!(check("m.glb", &glb, Platform::Ecwid).unwrap_err().code, "UNSUPPORTED_FILE_TYPE");
    }
}
