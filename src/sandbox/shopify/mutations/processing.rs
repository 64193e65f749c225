//! Creating media from `CreateMediaInput`s: reading the source (a staged upload, the sandbox's
//! CDN, or an unreachable host), checking it as Shopify's processing does, and the new file's record.

use std::time::SystemTime;

use bytes::Bytes;
use serde_json::Value;

use super::{ALT_MAX, MEDIA_PER_PRODUCT, str_arg, user_error};
use crate::sandbox::shopify::objects::Ctx;
use crate::sandbox::state::{FileKind, FileRec, Pending, Pixels, StagedRec, State, Status};

/// Bytes (or pixels) behind a source URL the sandbox can read: a staged upload or its own CDN.
pub(super) enum Source {
    Bytes {
        bytes: Bytes,
        filename: String,
    },
    Pixels {
        pixels: Pixels,
        filename: String,
        width: u32,
        height: u32,
    },
    /// Staged, but nothing was uploaded to the target.
    Empty {
        filename: String,
    },
    /// A URL elsewhere: the sandbox has no network, like a host that cannot be reached.
    Unreachable {
        filename: String,
    },
}

pub(super) fn read_source(ctx: &Ctx, st: &State, url: &str) -> Option<Source> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return None;
    }
    let last = url.split('?').next().unwrap_or(url).rsplit('/').next().unwrap_or("file").to_string();
    if let Some(key) = url.strip_prefix(&ctx.url("/staged/files/")) {
        let key = key.split('?').next().unwrap_or(key);
        return Some(match st.staged.get(key) {
            Some(StagedRec { bytes: Some(b), filename, .. }) => {
                Source::Bytes { bytes: b.clone(), filename: filename.clone() }
            }
            Some(s) => Source::Empty { filename: s.filename.clone() },
            None => Source::Empty { filename: last },
        });
    }
    if let Some(rest) = url.strip_prefix(&ctx.url("/cdn/shop/files/")) {
        let id: Option<u64> = rest.split('/').next().and_then(|s| s.parse().ok());
        if let Some(f) = id.and_then(|id| st.files.get(&id))
            && let Some(p) = &f.pixels
        {
            return Some(Source::Pixels {
                pixels: p.clone(),
                filename: f.filename.clone(),
                width: f.width,
                height: f.height,
            });
        }
    }
    Some(Source::Unreachable { filename: last })
}

/// What processing will make of a source for a kind: dimensions, pixels, and an error if any.
pub(super) struct Processed {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) mime: String,
    pub(super) size: u64,
    pub(super) pixels: Option<Pixels>,
    pub(super) original: Option<Bytes>,
    pub(super) filename: String,
    pub(super) failure: Option<(&'static str, String)>,
}

impl Processed {
    /// Nothing known yet: no size, no pixels, no failure.
    fn empty() -> Processed {
        Processed {
            width: 0,
            height: 0,
            mime: String::new(),
            size: 0,
            pixels: None,
            original: None,
            filename: String::new(),
            failure: None,
        }
    }
}

/// A processing failure: Shopify's `MediaErrorCode` and its message.
type Failure = (&'static str, String);

pub(super) fn process(kind: FileKind, source: Source) -> Processed {
    let mut out = Processed::empty();
    match source {
        Source::Pixels { pixels, filename, width, height } => {
            out.pixels = Some(pixels);
            out.filename = filename;
            (out.width, out.height) = (width, height);
            out.mime = "image/jpeg".into();
        }
        Source::Empty { filename } | Source::Unreachable { filename } => {
            out.filename = filename;
            out.failure = Some(match kind {
                FileKind::Image => {
                    ("IMAGE_DOWNLOAD_FAILURE", "The image could not be downloaded from the source URL.".into())
                }
                FileKind::Video => {
                    ("VIDEO_VALIDATION_ERROR", "The video could not be downloaded from the source URL.".into())
                }
                _ => ("MODEL3D_VALIDATION_ERROR", "The model could not be downloaded from the source URL.".into()),
            });
        }
        Source::Bytes { bytes, filename } => {
            out.filename = filename;
            out.size = bytes.len() as u64;
            let sniffed = crate::filetype::sniff(&bytes);
            out.mime = sniffed.unwrap_or("application/octet-stream").to_string();
            let checked = match kind {
                FileKind::Image => check_image(sniffed, &bytes, &mut out),
                FileKind::Video => check_container(
                    sniffed,
                    &bytes,
                    &["video/mp4", "video/quicktime", "video/webm"],
                    ("VIDEO_VALIDATION_ERROR", "The video file is damaged and could not be read."),
                    ("VIDEO_INVALID_FILETYPE_ERROR", "The file is not an MP4, MOV or WEBM video."),
                ),
                _ => check_container(
                    sniffed,
                    &bytes,
                    &["model/gltf-binary", "model/vnd.usdz+zip"],
                    ("MODEL3D_VALIDATION_ERROR", "The model file is damaged and could not be read."),
                    ("MODEL3D_VALIDATION_ERROR", "The file is not a GLB or USDZ model."),
                ),
            };
            match checked {
                Err(failure) => out.failure = Some(failure),
                // Videos and models: the sandbox keeps the file and draws a 1280×720 preview.
                Ok(()) if kind != FileKind::Image => {
                    (out.width, out.height) = (1280, 720);
                    out.original = Some(bytes);
                }
                Ok(()) => {}
            }
        }
    }
    out
}

/// The checks Shopify's image processing makes: type, decodable, 20 MB, 4472 px / 20 MP, aspect.
/// Sets the size and pixels (or, for HEIC, which the sandbox cannot decode, keeps the file).
fn check_image(sniffed: Option<&str>, bytes: &Bytes, out: &mut Processed) -> Result<(), Failure> {
    let damaged = || ("IMAGE_PROCESSING_FAILURE", "The image file is damaged and could not be read.".to_string());
    match sniffed {
        Some("image/png" | "image/jpeg" | "image/gif" | "image/webp") => {}
        Some("image/heic") => {
            // Accepted like Shopify does; the sandbox cannot decode HEIC, so there is no preview.
            crate::filetype::verify("image/heic", bytes).map_err(|_| damaged())?;
            out.original = Some(bytes.clone());
            return Ok(());
        }
        _ => {
            return Err((
                "UNSUPPORTED_IMAGE_FILE_TYPE",
                "The file is not a PNG, JPEG, GIF, WEBP or HEIC image.".into(),
            ));
        }
    }
    let (w, h) = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
        .ok_or_else(damaged)?;
    (out.width, out.height) = (w, h);
    let ratio = w.max(h) as f64 / w.min(h).max(1) as f64;
    if out.size > 20 << 20 {
        return Err(("INVALID_IMAGE_FILE_SIZE", "Image file size exceeds 20 MB.".into()));
    }
    if w > 4472 || h > 4472 || w as u64 * h as u64 > 20_000_000 {
        return Err((
            "INVALID_IMAGE_RESOLUTION",
            format!("Image resolution {w}x{h} exceeds 4472x4472 px (20 megapixels)."),
        ));
    }
    if ratio > 100.0 {
        return Err(("INVALID_IMAGE_ASPECT_RATIO", "Image aspect ratio must be between 1:100 and 100:1.".into()));
    }
    image::load_from_memory(bytes).map_err(|_| damaged())?;
    out.pixels = Some(Pixels::Uploaded(bytes.clone()));
    Ok(())
}

/// A video or model: one of `accepted` types, and its container intact.
fn check_container(
    sniffed: Option<&str>,
    bytes: &[u8],
    accepted: &[&str],
    damaged: (&'static str, &str),
    wrong_type: (&'static str, &str),
) -> Result<(), Failure> {
    match sniffed.filter(|m| accepted.contains(m)) {
        Some(m) if crate::filetype::verify(m, bytes).is_ok() => Ok(()),
        Some(_) => Err((damaged.0, damaged.1.into())),
        None => Err((wrong_type.0, wrong_type.1.into())),
    }
}

pub(super) fn external_video(url: &str) -> Option<(String, String)> {
    let u = url.split('#').next()?;
    if let Some(id) = u
        .split("youtube.com/watch?v=")
        .nth(1)
        .or_else(|| u.split("youtu.be/").nth(1))
        .or_else(|| u.split("youtube.com/embed/").nth(1))
    {
        let id: String = id.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        return (!id.is_empty()).then(|| ("YOUTUBE".to_string(), id));
    }
    if let Some(id) = u.split("vimeo.com/").nth(1) {
        let id: String = id.rsplit('/').next()?.chars().take_while(char::is_ascii_digit).collect();
        return (!id.is_empty()).then(|| ("VIMEO".to_string(), id));
    }
    None
}

fn kind_of(content_type: &str) -> Option<FileKind> {
    Some(match content_type {
        "IMAGE" => FileKind::Image,
        "VIDEO" => FileKind::Video,
        "EXTERNAL_VIDEO" => FileKind::ExternalVideo,
        "MODEL_3D" => FileKind::Model3d,
        _ => return None,
    })
}

/// One accepted `CreateMediaInput`: its kind, alt, and what the file is made from.
struct Planned {
    kind: FileKind,
    alt: String,
    /// The bytes or pixels behind `originalSource`; none for an external video.
    source: Option<Source>,
    /// The host and id of an external video.
    external: Option<(String, String)>,
}

/// Create media from `CreateMediaInput`s and attach them to a product. Errors name the input
/// by index and carry a `MediaUserErrorCode`; nothing is created when any input is refused.
pub(super) fn create_media(
    ctx: &Ctx,
    st: &mut State,
    product: u64,
    inputs: &[Value],
    field: &str,
) -> (Vec<u64>, Vec<Value>) {
    let have = st.products.get(&product).map_or(0, |p| p.media.len());
    if have + inputs.len() > MEDIA_PER_PRODUCT {
        let error = user_error(
            &[field],
            format!(
                "Exceeded the maximum of {MEDIA_PER_PRODUCT} media per product: the product has {have} and {} were added.",
                inputs.len()
            ),
            Some("PRODUCT_MEDIA_LIMIT_EXCEEDED"),
        );
        return (vec![], vec![error]);
    }
    let mut errs = Vec::new();
    let mut planned = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        match plan(ctx, st, input, &[field, &i.to_string()]) {
            Ok(p) => planned.push(p),
            Err(e) => errs.push(e),
        }
    }
    if !errs.is_empty() {
        return (vec![], errs);
    }
    let now = SystemTime::now();
    let created: Vec<u64> = planned.into_iter().map(|p| new_file(ctx, st, p, now)).collect();
    if let Some(prod) = st.products.get_mut(&product) {
        prod.media.extend(&created);
        prod.updated_at = now;
    }
    (created, errs)
}

/// Check one input as Shopify does before anything is created; `at` is its path for errors.
fn plan(ctx: &Ctx, st: &State, input: &Value, at: &[&str]) -> Result<Planned, Value> {
    let error = |leaf: &str, message: String, code: &str| {
        let mut path = at.to_vec();
        path.push(leaf);
        user_error(&path, message, Some(code))
    };
    let alt = str_arg(input, "alt").unwrap_or("").to_string();
    let source = str_arg(input, "originalSource").unwrap_or("");
    let Some(kind) = str_arg(input, "mediaContentType").and_then(kind_of) else {
        return Err(error("mediaContentType", "Media content type is invalid".into(), "INVALID_MEDIA_TYPE"));
    };
    if alt.chars().count() > ALT_MAX {
        return Err(error("alt", format!("Alt is too long (maximum is {ALT_MAX} characters)"), "INVALID"));
    }
    if source.trim().is_empty() {
        return Err(error("originalSource", "Original source can't be blank".into(), "BLANK"));
    }
    if kind == FileKind::ExternalVideo {
        return match external_video(source) {
            Some(ext) => Ok(Planned { kind, alt, source: None, external: Some(ext) }),
            None => Err(error("originalSource", "External video must be a YouTube or Vimeo URL".into(), "INVALID")),
        };
    }
    match read_source(ctx, st, source) {
        Some(src) => Ok(Planned { kind, alt, source: Some(src), external: None }),
        None => Err(error("originalSource", "Original source is not a valid URL".into(), "INVALID")),
    }
}

/// The file record for an accepted input, processing on its way (it may fail, as configured).
fn new_file(ctx: &Ctx, st: &mut State, planned: Planned, now: SystemTime) -> u64 {
    let Planned { kind, alt, source, external } = planned;
    let id = st.fresh_id();
    let mut p = match source {
        Some(src) => process(kind, src),
        None => Processed { width: 1280, height: 720, ..Processed::empty() },
    };
    if p.failure.is_none() && ctx.rng.borrow_mut().unit() < ctx.config.faults.processing_failure_share {
        p.failure = Some(match kind {
            FileKind::Image => ("IMAGE_PROCESSING_FAILURE", "Processing the image failed. Try again.".into()),
            FileKind::Model3d => ("MODEL3D_PROCESSING_FAILURE", "Processing the model failed. Try again.".into()),
            _ => ("VIDEO_VALIDATION_ERROR", "Processing the video failed. Try again.".into()),
        });
    }
    // Videos, models and external videos get a drawn preview frame once processed.
    let pixels = p.pixels.take().or_else(|| (kind != FileKind::Image).then_some(Pixels::Generated { seed: id }));
    let t = ctx.config.timings;
    let rec = FileRec {
        id,
        kind,
        alt,
        alt_translated: Default::default(),
        filename: p.filename,
        mime: p.mime,
        size: p.size,
        width: p.width,
        height: p.height,
        duration_ms: if kind == FileKind::Video { 10_000 } else { 0 },
        pixels,
        original: p.original,
        external,
        status: Status::Uploaded,
        errors: Vec::new(),
        pending: Some(Pending {
            processing_at: ctx.now + t.to_processing,
            done_at: ctx.now + t.to_done,
            failure: p.failure,
        }),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    st.files.insert(id, rec);
    id
}
