//! The words the rules look for, in English, French, German, Spanish and Dutch: lead-ins that
//! only say "this is an image", and words that stand in for a description.

/// Openings a screen reader makes redundant (it already says "image"), lower case, longest
/// first so "a photo of" is removed whole rather than leaving "a".
pub const LEAD_INS: &[&str] = &[
    // English
    "an image of",
    "a picture of",
    "a photo of",
    "a photograph of",
    "image of",
    "picture of",
    "photo of",
    "photograph of",
    "graphic of",
    // French
    "une image de",
    "une photo de",
    "image de",
    "image d'",
    "image d\u{2019}",
    "photo de",
    "photo d'",
    "photo d\u{2019}",
    "illustration de",
    // German
    "ein bild von",
    "ein foto von",
    "bild von",
    "foto von",
    "bild eines",
    "bild einer",
    "foto eines",
    "foto einer",
    // Spanish
    "una imagen de",
    "una foto de",
    "imagen de",
    "foto de",
    "fotografía de",
    // Dutch
    "een afbeelding van",
    "een foto van",
    "afbeelding van",
    "foto van",
    "plaatje van",
];

/// Whole texts that name no subject: what an upload tool or a theme fills in.
pub const PLACEHOLDERS: &[&str] = &[
    "image",
    "images",
    "photo",
    "photos",
    "picture",
    "pic",
    "img",
    "placeholder",
    "spacer",
    "thumbnail",
    "thumb",
    "untitled",
    "default",
    "product",
    "product image",
    "product photo",
    "main image",
    "alt",
    "alt text",
    "no image",
    "test",
    "banner",
    "graphic",
    // French, German, Spanish, Dutch
    "photo du produit",
    "image du produit",
    "bild",
    "produktbild",
    "foto",
    "imagen",
    "imagen del producto",
    "afbeelding",
    "productafbeelding",
];

/// File extensions a pasted file name or URL ends with.
pub const EXTENSIONS: &[&str] = &[
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".avif", ".tif", ".tiff", ".bmp", ".svg", ".mp4", ".mov",
    ".webm", ".glb", ".usdz",
];

/// How cameras and phones name files: `IMG_1234`, `DSC0001`, `PXL_20240101_…`.
pub const CAMERA_PREFIXES: &[&str] = &["img_", "img-", "dsc", "dscn", "dscf", "pxl_", "screenshot", "photo_", "image_"];
