//! The sandbox's mutations: what each one checks, changes and answers, as Shopify documents it.

use std::time::SystemTime;

use apollo_compiler::resolvers::FieldError;
use bytes::Bytes;
use serde_json::{Value, json};

use super::objects::{Ctx, Obj, Val};
use crate::sandbox::state::{FileKind, FileRec, JobRec, Pending, Pixels, StagedRec, State, Status, gid, parse_gid};

/// Longest alt text Shopify stores.
pub const ALT_MAX: usize = 512;
/// Most media one product holds.
pub const MEDIA_PER_PRODUCT: usize = 250;

fn user_error(field: &[&str], message: impl Into<String>, code: Option<&str>) -> Value {
    let mut e = json!({"field": field, "message": message.into()});
    if let Some(code) = code {
        e["code"] = json!(code);
    }
    e
}

fn str_arg<'a>(a: &'a Value, key: &str) -> Option<&'a str> {
    a.get(key).and_then(Value::as_str)
}

fn list<'a>(a: &'a Value, key: &str) -> &'a [Value] {
    a.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn record<'c>(name: &'static str, fields: Vec<(&'static str, Val<'c>)>) -> Val<'c> {
    Val::Obj(Obj::Record(name, fields))
}

fn errors<'c>(errs: Vec<Value>) -> Val<'c> {
    Val::Json(Value::Array(errs))
}

/// The id of an existing product named by a GID.
fn product_id(st: &State, gid_text: &str) -> Option<u64> {
    match parse_gid(gid_text) {
        Some(("Product", id)) if st.products.contains_key(&id) => Some(id),
        _ => None,
    }
}

/// The id of an existing file named by a GID of its own type.
fn file_id(st: &State, gid_text: &str) -> Option<u64> {
    let (ty, id) = parse_gid(gid_text)?;
    st.files.get(&id).filter(|f| f.kind.type_name() == ty).map(|f| f.id)
}

/// Run one mutation field.
pub fn run<'c>(ctx: &'c Ctx, name: &str, a: &Value) -> Result<Val<'c>, FieldError> {
    Ok(match name {
        "stagedUploadsCreate" => staged_uploads_create(ctx, a),
        "productUpdate" => product_update(ctx, a),
        "productCreateMedia" => product_create_media(ctx, a),
        "productUpdateMedia" => product_update_media(ctx, a),
        "productDeleteMedia" => product_delete_media(ctx, a),
        "productReorderMedia" => product_reorder_media(ctx, a),
        "fileUpdate" => file_update(ctx, a),
        "fileDelete" => file_delete(ctx, a),
        "fileAcknowledgeUpdateFailed" => file_acknowledge(ctx, a),
        other => {
            return Err(FieldError { message: format!("Field '{other}' doesn't exist on type 'Mutation'") });
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Staged uploads

/// Largest upload per resource, in bytes.
fn size_limit(resource: &str) -> u64 {
    match resource {
        "VIDEO" => 1 << 30,
        "MODEL_3D" => 500 << 20,
        _ => 20 << 20,
    }
}

fn staged_uploads_create<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let inputs = list(a, "input");
    let mut errs = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let i = i.to_string();
        let resource = str_arg(input, "resource").unwrap_or("FILE");
        let method = str_arg(input, "httpMethod").unwrap_or("PUT");
        let size = input.get("fileSize").and_then(as_u64_lenient);
        if str_arg(input, "filename").unwrap_or("").trim().is_empty() {
            errs.push(user_error(&["input", &i, "filename"], "Filename can't be blank", None));
        }
        if method == "PUT"
            && !matches!(resource, "IMAGE" | "FILE" | "PRODUCT_IMAGE" | "COLLECTION_IMAGE" | "SHOP_IMAGE")
        {
            errs.push(user_error(
                &["input", &i, "httpMethod"],
                format!("PUT is not supported for {resource}: use POST"),
                None,
            ));
        }
        if matches!(resource, "VIDEO" | "MODEL_3D") && size.is_none() {
            errs.push(user_error(&["input", &i, "fileSize"], format!("File size is required for {resource}"), None));
        }
        if let Some(size) = size
            && size > size_limit(resource)
        {
            errs.push(user_error(
                &["input", &i, "fileSize"],
                format!("File size {size} exceeds the limit of {} bytes for {resource}", size_limit(resource)),
                None,
            ));
        }
    }
    if !errs.is_empty() {
        return record(
            "StagedUploadsCreatePayload",
            vec![("stagedTargets", Val::Json(Value::Null)), ("userErrors", errors(errs))],
        );
    }
    let mut st = ctx.state.borrow_mut();
    let mut targets = Vec::new();
    for input in inputs {
        let resource = str_arg(input, "resource").unwrap_or("FILE").to_string();
        let filename = str_arg(input, "filename").unwrap_or("file").to_string();
        let mime = str_arg(input, "mimeType").unwrap_or("application/octet-stream").to_string();
        let method = str_arg(input, "httpMethod").unwrap_or("PUT");
        let declared_size = input.get("fileSize").and_then(as_u64_lenient);
        let token = {
            let mut rng = ctx.rng.borrow_mut();
            format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
        };
        let safe_name: String = filename
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '_' })
            .collect();
        let key = format!("tmp/sandbox/{token}/{safe_name}");
        let resource_url = ctx.url(&format!("/staged/files/{key}"));
        let target = if method == "POST" {
            let (min, max) = match declared_size {
                Some(n) if matches!(resource.as_str(), "VIDEO" | "MODEL_3D") => (n, n),
                _ => (1, size_limit(&resource)),
            };
            let policy = super::super::uploads::policy(&key, min, max);
            let signature = super::super::uploads::sign(&ctx.config.secret, &policy);
            json!({
                "url": ctx.url("/staged/upload"),
                "resourceUrl": resource_url,
                "parameters": [
                    {"name": "Content-Type", "value": mime},
                    {"name": "success_action_status", "value": "201"},
                    {"name": "acl", "value": "private"},
                    {"name": "key", "value": key},
                    {"name": "x-goog-date", "value": "20260101T000000Z"},
                    {"name": "x-goog-credential", "value": "sandbox-uploads/20260101/auto/storage/goog4_request"},
                    {"name": "x-goog-algorithm", "value": "GOOG4-HMAC-SHA256"},
                    {"name": "x-goog-signature", "value": signature},
                    {"name": "policy", "value": policy},
                ],
            })
        } else {
            let signature = super::super::uploads::sign(&ctx.config.secret, &format!("PUT\n{key}\n{mime}"));
            json!({
                "url": format!("{resource_url}?X-Goog-Algorithm=GOOG4-HMAC-SHA256&X-Goog-Expires=604800&X-Goog-SignedHeaders=content-type&X-Goog-Signature={signature}"),
                "resourceUrl": resource_url,
                "parameters": [
                    {"name": "content_type", "value": mime},
                    {"name": "acl", "value": "private"},
                ],
            })
        };
        st.staged.insert(key, StagedRec { resource, filename, mime, declared_size, bytes: None });
        targets.push(target);
    }
    record(
        "StagedUploadsCreatePayload",
        vec![("stagedTargets", Val::Json(Value::Array(targets))), ("userErrors", errors(vec![]))],
    )
}

/// `UnsignedInt64` arrives as a string; accept numbers too.
fn as_u64_lenient(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

// ---------------------------------------------------------------------------------------------
// Creating media

/// Bytes (or pixels) behind a source URL the sandbox can read: a staged upload or its own CDN.
enum Source {
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

fn read_source(ctx: &Ctx, st: &State, url: &str) -> Option<Source> {
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
struct Processed {
    width: u32,
    height: u32,
    mime: String,
    size: u64,
    pixels: Option<Pixels>,
    original: Option<Bytes>,
    filename: String,
    failure: Option<(&'static str, String)>,
}

fn process(kind: FileKind, source: Source) -> Processed {
    let mut out = Processed {
        width: 0,
        height: 0,
        mime: String::new(),
        size: 0,
        pixels: None,
        original: None,
        filename: String::new(),
        failure: None,
    };
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
            match kind {
                FileKind::Image => match sniffed {
                    Some("image/png" | "image/jpeg" | "image/gif" | "image/webp") => {
                        match image::ImageReader::new(std::io::Cursor::new(&bytes))
                            .with_guessed_format()
                            .ok()
                            .and_then(|r| r.into_dimensions().ok())
                        {
                            None => {
                                out.failure = Some((
                                    "IMAGE_PROCESSING_FAILURE",
                                    "The image file is damaged and could not be read.".into(),
                                ))
                            }
                            Some((w, h)) => {
                                (out.width, out.height) = (w, h);
                                let ratio = w.max(h) as f64 / w.min(h).max(1) as f64;
                                if out.size > 20 << 20 {
                                    out.failure =
                                        Some(("INVALID_IMAGE_FILE_SIZE", "Image file size exceeds 20 MB.".into()));
                                } else if w > 4472 || h > 4472 || w as u64 * h as u64 > 20_000_000 {
                                    out.failure = Some((
                                        "INVALID_IMAGE_RESOLUTION",
                                        format!("Image resolution {w}x{h} exceeds 4472x4472 px (20 megapixels)."),
                                    ));
                                } else if ratio > 100.0 {
                                    out.failure = Some((
                                        "INVALID_IMAGE_ASPECT_RATIO",
                                        "Image aspect ratio must be between 1:100 and 100:1.".into(),
                                    ));
                                } else if image::load_from_memory(&bytes).is_err() {
                                    out.failure = Some((
                                        "IMAGE_PROCESSING_FAILURE",
                                        "The image file is damaged and could not be read.".into(),
                                    ));
                                } else {
                                    out.pixels = Some(Pixels::Uploaded(bytes.clone()));
                                }
                            }
                        }
                    }
                    Some("image/heic") => match crate::filetype::verify("image/heic", &bytes) {
                        // Accepted like Shopify does; the sandbox cannot decode HEIC, so there is no preview.
                        Ok(()) => out.original = Some(bytes.clone()),
                        Err(_) => {
                            out.failure = Some((
                                "IMAGE_PROCESSING_FAILURE",
                                "The image file is damaged and could not be read.".into(),
                            ))
                        }
                    },
                    _ => {
                        out.failure = Some((
                            "UNSUPPORTED_IMAGE_FILE_TYPE",
                            "The file is not a PNG, JPEG, GIF, WEBP or HEIC image.".into(),
                        ))
                    }
                },
                FileKind::Video => {
                    if let Some(m @ ("video/mp4" | "video/quicktime" | "video/webm")) = sniffed {
                        if crate::filetype::verify(m, &bytes).is_ok() {
                            (out.width, out.height) = (1280, 720);
                            out.original = Some(bytes.clone());
                        } else {
                            out.failure = Some((
                                "VIDEO_VALIDATION_ERROR",
                                "The video file is damaged and could not be read.".into(),
                            ));
                        }
                    } else {
                        out.failure =
                            Some(("VIDEO_INVALID_FILETYPE_ERROR", "The file is not an MP4, MOV or WEBM video.".into()));
                    }
                }
                _ => {
                    if let Some(m @ ("model/gltf-binary" | "model/vnd.usdz+zip")) = sniffed {
                        if crate::filetype::verify(m, &bytes).is_ok() {
                            (out.width, out.height) = (1280, 720);
                            out.original = Some(bytes.clone());
                        } else {
                            out.failure = Some((
                                "MODEL3D_VALIDATION_ERROR",
                                "The model file is damaged and could not be read.".into(),
                            ));
                        }
                    } else {
                        out.failure = Some(("MODEL3D_VALIDATION_ERROR", "The file is not a GLB or USDZ model.".into()));
                    }
                }
            }
        }
    }
    out
}

fn external_video(url: &str) -> Option<(String, String)> {
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

/// Create media from `CreateMediaInput`s and attach them to a product. Errors name the input
/// by index and carry a `MediaUserErrorCode`; nothing is created when any input is refused.
fn create_media(ctx: &Ctx, st: &mut State, product: u64, inputs: &[Value], field: &str) -> (Vec<u64>, Vec<Value>) {
    let mut errs = Vec::new();
    let have = st.products.get(&product).map_or(0, |p| p.media.len());
    if have + inputs.len() > MEDIA_PER_PRODUCT {
        errs.push(user_error(
            &[field],
            format!("Exceeded the maximum of {MEDIA_PER_PRODUCT} media per product: the product has {have} and {} were added.", inputs.len()),
            Some("PRODUCT_MEDIA_LIMIT_EXCEEDED"),
        ));
        return (vec![], errs);
    }
    let mut planned = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let i = i.to_string();
        let alt = str_arg(input, "alt").unwrap_or("").to_string();
        let source = str_arg(input, "originalSource").unwrap_or("");
        let Some(kind) = str_arg(input, "mediaContentType").and_then(kind_of) else {
            errs.push(user_error(
                &[field, &i, "mediaContentType"],
                "Media content type is invalid",
                Some("INVALID_MEDIA_TYPE"),
            ));
            continue;
        };
        if alt.chars().count() > ALT_MAX {
            errs.push(user_error(
                &[field, &i, "alt"],
                format!("Alt is too long (maximum is {ALT_MAX} characters)"),
                Some("INVALID"),
            ));
            continue;
        }
        if source.trim().is_empty() {
            errs.push(user_error(&[field, &i, "originalSource"], "Original source can't be blank", Some("BLANK")));
            continue;
        }
        if kind == FileKind::ExternalVideo {
            match external_video(source) {
                Some(ext) => planned.push((kind, alt, None, Some(ext))),
                None => errs.push(user_error(
                    &[field, &i, "originalSource"],
                    "External video must be a YouTube or Vimeo URL",
                    Some("INVALID"),
                )),
            }
            continue;
        }
        match read_source(ctx, st, source) {
            Some(src) => planned.push((kind, alt, Some(src), None)),
            None => errs.push(user_error(
                &[field, &i, "originalSource"],
                "Original source is not a valid URL",
                Some("INVALID"),
            )),
        }
    }
    if !errs.is_empty() {
        return (vec![], errs);
    }
    let mut created = Vec::new();
    let now = SystemTime::now();
    for (kind, alt, src, external) in planned {
        let id = st.fresh_id();
        let mut p = match src {
            Some(src) => process(kind, src),
            None => Processed {
                width: 1280,
                height: 720,
                mime: String::new(),
                size: 0,
                pixels: None,
                original: None,
                filename: String::new(),
                failure: None,
            },
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
        created.push(id);
    }
    if let Some(prod) = st.products.get_mut(&product) {
        prod.media.extend(&created);
        prod.updated_at = now;
    }
    (created, errs)
}

fn strip_code(errs: Vec<Value>) -> Vec<Value> {
    errs.into_iter()
        .map(|mut e| {
            if let Some(o) = e.as_object_mut() {
                o.remove("code");
            }
            e
        })
        .collect()
}

fn product_update<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let input = a.get("product").cloned().unwrap_or(Value::Null);
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(&input, "id").and_then(|g| product_id(&st, g)) else {
        return record(
            "ProductUpdatePayload",
            vec![
                ("product", Val::Json(Value::Null)),
                ("userErrors", errors(vec![user_error(&["id"], "Product does not exist", None)])),
            ],
        );
    };
    let (_, errs) = create_media(ctx, &mut st, pid, list(a, "media"), "media");
    if errs.is_empty()
        && let Some(p) = st.products.get_mut(&pid)
    {
        if let Some(t) = str_arg(&input, "title") {
            p.title = t.to_string();
        }
        if let Some(v) = str_arg(&input, "vendor") {
            p.vendor = v.to_string();
        }
        p.updated_at = SystemTime::now();
    }
    record(
        "ProductUpdatePayload",
        vec![("product", Val::Obj(Obj::Product(ctx, pid))), ("userErrors", errors(strip_code(errs)))],
    )
}

fn product_create_media<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(a, "productId").and_then(|g| product_id(&st, g)) else {
        let e = vec![user_error(&["productId"], "Product does not exist", Some("PRODUCT_DOES_NOT_EXIST"))];
        return record(
            "ProductCreateMediaPayload",
            vec![
                ("media", Val::Json(Value::Null)),
                ("product", Val::Json(Value::Null)),
                ("userErrors", errors(strip_code(e.clone()))),
                ("mediaUserErrors", errors(e)),
            ],
        );
    };
    let (created, errs) = create_media(ctx, &mut st, pid, list(a, "media"), "media");
    let media = if errs.is_empty() {
        Val::List(created.into_iter().map(|id| Val::Obj(Obj::File(ctx, id))).collect())
    } else {
        Val::Json(Value::Null)
    };
    record(
        "ProductCreateMediaPayload",
        vec![
            ("media", media),
            ("product", Val::Obj(Obj::Product(ctx, pid))),
            ("userErrors", errors(strip_code(errs.clone()))),
            ("mediaUserErrors", errors(errs)),
        ],
    )
}

// ---------------------------------------------------------------------------------------------
// Editing media of a product (the deprecated product* mutations and the reorder job)

/// Check that every media id exists and is on the product; the first problem as an error.
fn media_on_product(st: &State, pid: u64, ids: &[&str], field: &[&str]) -> Result<Vec<u64>, Value> {
    let product = &st.products[&pid];
    let mut out = Vec::new();
    for (i, g) in ids.iter().enumerate() {
        let mut path: Vec<String> = field.iter().map(|s| s.to_string()).collect();
        if field.len() > 1 {
            path.insert(1, i.to_string());
        }
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        match file_id(st, g) {
            None => {
                return Err(user_error(
                    &path[..1],
                    format!("Media id {g} does not exist"),
                    Some("MEDIA_DOES_NOT_EXIST"),
                ));
            }
            Some(id) if !product.media.contains(&id) => {
                return Err(user_error(
                    &path,
                    format!("Media id {g} does not exist on this product"),
                    Some("MEDIA_DOES_NOT_EXIST_ON_PRODUCT"),
                ));
            }
            Some(id) => out.push(id),
        }
    }
    Ok(out)
}

fn product_update_media<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |product: Val<'c>, media: Val<'c>, errs: Vec<Value>| {
        record(
            "ProductUpdateMediaPayload",
            vec![
                ("product", product),
                ("media", media),
                ("userErrors", errors(strip_code(errs.clone()))),
                ("mediaUserErrors", errors(errs)),
            ],
        )
    };
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(a, "productId").and_then(|g| product_id(&st, g)) else {
        return payload(
            Val::Json(Value::Null),
            Val::Json(Value::Null),
            vec![user_error(&["productId"], "Product does not exist", Some("PRODUCT_DOES_NOT_EXIST"))],
        );
    };
    let inputs = list(a, "media");
    let gids: Vec<&str> = inputs.iter().map(|m| str_arg(m, "id").unwrap_or("")).collect();
    let ids = match media_on_product(&st, pid, &gids, &["media"]) {
        Ok(ids) => ids,
        Err(e) => return payload(Val::Obj(Obj::Product(ctx, pid)), Val::Json(Value::Null), vec![e]),
    };
    for (i, (id, input)) in ids.iter().zip(inputs).enumerate() {
        let i = i.to_string();
        if st.files[id].status != Status::Ready {
            let e = user_error(&["media", &i, "id"], "Non-ready media cannot be updated.", Some("NON_READY_MEDIA"));
            return payload(Val::Obj(Obj::Product(ctx, pid)), Val::Json(Value::Null), vec![e]);
        }
        if str_arg(input, "alt").is_some_and(|alt| alt.chars().count() > ALT_MAX) {
            let e = user_error(
                &["media", &i, "alt"],
                format!("Alt is too long (maximum is {ALT_MAX} characters)"),
                Some("INVALID"),
            );
            return payload(Val::Obj(Obj::Product(ctx, pid)), Val::Json(Value::Null), vec![e]);
        }
    }
    let now = SystemTime::now();
    for (id, input) in ids.iter().zip(inputs) {
        let preview = str_arg(input, "previewImageSource").and_then(|u| read_source(ctx, &st, u));
        let Some(f) = st.files.get_mut(id) else { continue };
        if let Some(alt) = str_arg(input, "alt") {
            f.alt = alt.to_string();
        }
        if let Some(Source::Pixels { pixels, .. }) = preview {
            f.pixels = Some(pixels);
            f.version += 1;
        }
        f.updated_at = now;
    }
    payload(
        Val::Obj(Obj::Product(ctx, pid)),
        Val::List(ids.into_iter().map(|id| Val::Obj(Obj::File(ctx, id))).collect()),
        vec![],
    )
}

fn product_delete_media<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |product: Val<'c>, deleted: Value, image_ids: Value, errs: Vec<Value>| {
        record(
            "ProductDeleteMediaPayload",
            vec![
                ("product", product),
                ("deletedMediaIds", Val::Json(deleted)),
                ("deletedProductImageIds", Val::Json(image_ids)),
                ("userErrors", errors(strip_code(errs.clone()))),
                ("mediaUserErrors", errors(errs)),
            ],
        )
    };
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(a, "productId").and_then(|g| product_id(&st, g)) else {
        return payload(
            Val::Json(Value::Null),
            Value::Null,
            Value::Null,
            vec![user_error(&["productId"], "Product does not exist", Some("PRODUCT_DOES_NOT_EXIST"))],
        );
    };
    let gids: Vec<&str> = list(a, "mediaIds").iter().map(|v| v.as_str().unwrap_or("")).collect();
    let ids = match media_on_product(&st, pid, &gids, &["mediaIds"]) {
        Ok(ids) => ids,
        Err(e) => return payload(Val::Obj(Obj::Product(ctx, pid)), Value::Null, Value::Null, vec![e]),
    };
    if let Some(p) = st.products.get_mut(&pid) {
        p.media.retain(|m| !ids.contains(m));
        p.updated_at = SystemTime::now();
    }
    let image_ids: Vec<String> =
        ids.iter().filter(|id| st.files[id].kind == FileKind::Image).map(|id| gid("ProductImage", *id)).collect();
    let deleted: Vec<String> = ids.iter().map(|id| gid(st.files[id].kind.type_name(), *id)).collect();
    payload(Val::Obj(Obj::Product(ctx, pid)), json!(deleted), json!(image_ids), vec![])
}

fn product_reorder_media<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |job: Value, errs: Vec<Value>| {
        record(
            "ProductReorderMediaPayload",
            vec![
                ("job", Val::Json(job)),
                ("userErrors", errors(strip_code(errs.clone()))),
                ("mediaUserErrors", errors(errs)),
            ],
        )
    };
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(a, "id").and_then(|g| product_id(&st, g)) else {
        return payload(
            Value::Null,
            vec![user_error(&["id"], "Product does not exist", Some("PRODUCT_DOES_NOT_EXIST"))],
        );
    };
    let moves = list(a, "moves");
    let gids: Vec<&str> = moves.iter().map(|m| str_arg(m, "id").unwrap_or("")).collect();
    let ids = match media_on_product(&st, pid, &gids, &["moves", "id"]) {
        Ok(ids) => ids,
        Err(e) => return payload(Value::Null, vec![e]),
    };
    let count = st.products[&pid].media.len();
    let mut parsed = Vec::new();
    for (i, (id, m)) in ids.iter().zip(moves).enumerate() {
        match m.get("newPosition").and_then(as_u64_lenient) {
            Some(pos) if (pos as usize) < count => parsed.push((*id, pos as usize)),
            _ => {
                let e = user_error(
                    &["moves", &i.to_string(), "newPosition"],
                    format!("New position must be between 0 and {}", count.saturating_sub(1)),
                    Some("INVALID"),
                );
                return payload(Value::Null, vec![e]);
            }
        }
    }
    let order = crate::order::apply_moves(&st.products[&pid].media, &parsed);
    let job_id = {
        let mut rng = ctx.rng.borrow_mut();
        let (a, b, c) = (rng.next_u64(), rng.next_u64(), rng.next_u64());
        format!(
            "gid://shopify/Job/{:08x}-{:04x}-4{:03x}-b{:03x}-{:012x}",
            a as u32,
            (a >> 32) as u16,
            b as u16 & 0xfff,
            (b >> 16) as u16 & 0xfff,
            c & 0xffff_ffff_ffff
        )
    };
    st.jobs.insert(
        job_id.clone(),
        JobRec { done_at: ctx.now + ctx.config.timings.reorder_job, apply: Some((pid, order)) },
    );
    payload(json!({"id": job_id, "done": false}), vec![])
}

// ---------------------------------------------------------------------------------------------
// Files

/// The `FILE_DOES_NOT_EXIST` error for ids that name no file, as one error for the batch.
fn missing_files(st: &State, gids: &[&str], field: &str) -> Option<Value> {
    let missing: Vec<&str> = gids.iter().copied().filter(|g| file_id(st, g).is_none()).collect();
    (!missing.is_empty()).then(|| {
        user_error(
            &[field],
            format!("File id {} does not exist.", serde_json::to_string(&missing).unwrap_or_default()),
            Some("FILE_DOES_NOT_EXIST"),
        )
    })
}

fn file_update<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |files: Val<'c>, errs: Vec<Value>| {
        record("FileUpdatePayload", vec![("files", files), ("userErrors", errors(errs))])
    };
    let mut st = ctx.state.borrow_mut();
    let inputs = list(a, "files");
    let gids: Vec<&str> = inputs.iter().map(|f| str_arg(f, "id").unwrap_or("")).collect();
    if let Some(e) = missing_files(&st, &gids, "files") {
        return payload(Val::List(vec![]), vec![e]);
    }
    let mut errs = Vec::new();
    let mut updated = Vec::new();
    let now = SystemTime::now();
    for (i, input) in inputs.iter().enumerate() {
        let i = i.to_string();
        // Every id was checked before the loop; one gone meanwhile is skipped.
        let Some(id) = gids.get(i.parse::<usize>().unwrap_or(0)).and_then(|g| file_id(&st, g)) else { continue };
        let alt = str_arg(input, "alt");
        let filename = str_arg(input, "filename");
        let original = str_arg(input, "originalSource");
        let preview = str_arg(input, "previewImageSource");
        let adds: Vec<&str> = list(input, "referencesToAdd").iter().filter_map(Value::as_str).collect();
        let removes: Vec<&str> = list(input, "referencesToRemove").iter().filter_map(Value::as_str).collect();
        let error = file_update_error(ctx, &st, &i, id, input);
        if let Some(e) = error {
            errs.push(e);
            continue;
        }
        let source = original.and_then(|u| read_source(ctx, &st, u));
        let preview_src = preview.and_then(|u| read_source(ctx, &st, u));
        let add_ids: Vec<u64> = adds.iter().filter_map(|g| product_id(&st, g)).collect();
        let remove_ids: Vec<u64> = removes.iter().filter_map(|g| product_id(&st, g)).collect();
        for p in add_ids {
            let Some(prod) = st.products.get_mut(&p) else { continue };
            if !prod.media.contains(&id) {
                prod.media.push(id);
                prod.updated_at = now;
            }
        }
        for p in remove_ids {
            let Some(prod) = st.products.get_mut(&p) else { continue };
            prod.media.retain(|m| *m != id);
            prod.updated_at = now;
        }
        let timings = ctx.config.timings;
        let Some(f) = st.files.get_mut(&id) else { continue };
        if let Some(alt) = alt {
            f.alt = alt.to_string();
        }
        if let Some(name) = filename {
            f.filename = name.to_string();
        }
        if let Some(src) = source {
            // New content keeps the id and URL; it is processed again before it shows.
            let p = process(f.kind, src);
            if let Some(px) = p.pixels {
                f.pixels = Some(px);
                (f.width, f.height, f.size) = (p.width, p.height, p.size);
            }
            f.version += 1;
            f.status = Status::Processing;
            f.pending =
                Some(Pending { processing_at: ctx.now, done_at: ctx.now + timings.to_done, failure: p.failure });
        }
        if let Some(Source::Pixels { pixels, .. }) = preview_src {
            f.pixels = Some(pixels);
            f.version += 1;
        } else if let Some(Source::Bytes { bytes, .. }) = preview_src
            && image::load_from_memory(&bytes).is_ok()
        {
            f.pixels = Some(Pixels::Uploaded(bytes));
            f.version += 1;
        }
        f.updated_at = now;
        updated.push(id);
    }
    payload(Val::List(updated.into_iter().map(|id| Val::Obj(Obj::File(ctx, id))).collect()), errs)
}

/// Why one `FileUpdateInput` is refused, checked in Shopify's order; `None` when it is fine.
fn file_update_error(ctx: &Ctx, st: &State, i: &str, id: u64, input: &Value) -> Option<Value> {
    let f = &st.files[&id];
    let alt = str_arg(input, "alt");
    let filename = str_arg(input, "filename");
    let original = str_arg(input, "originalSource");
    let preview = str_arg(input, "previewImageSource");
    let adds: Vec<&str> = list(input, "referencesToAdd").iter().filter_map(Value::as_str).collect();
    let removes: Vec<&str> = list(input, "referencesToRemove").iter().filter_map(Value::as_str).collect();
    let media_kind = matches!(f.kind, FileKind::Video | FileKind::Model3d | FileKind::ExternalVideo);
    if f.status != Status::Ready {
        Some(user_error(&["files", i, "id"], "Non-ready files cannot be updated.", Some("NON_READY_STATE")))
    } else if alt.is_some_and(|t| t.chars().count() > ALT_MAX) {
        Some(user_error(
            &["files", i, "alt"],
            format!("The alt value exceeds the maximum limit of {ALT_MAX} characters."),
            Some("ALT_VALUE_LIMIT_EXCEEDED"),
        ))
    } else if original.is_some() && preview.is_some() {
        Some(user_error(
            &["files", i],
            "originalSource and previewImageSource cannot be updated at the same time.",
            Some("INVALID"),
        ))
    } else if filename.is_some() && media_kind {
        Some(user_error(
            &["files", i, "filename"],
            "Filenames of videos and 3D models cannot be updated.",
            Some("UNSUPPORTED_MEDIA_TYPE_FOR_FILENAME_UPDATE"),
        ))
    } else if filename.is_some_and(|n| {
        n.rsplit_once('.').map(|(_, e)| e.to_lowercase()) != f.filename.rsplit_once('.').map(|(_, e)| e.to_lowercase())
    }) {
        Some(user_error(
            &["files", i, "filename"],
            "The filename extension provided must match the original filename.",
            Some("INVALID_FILENAME_EXTENSION"),
        ))
    } else if filename.is_some_and(|n| n.contains('/') || n.contains('\\') || n.starts_with('.') || n.trim().is_empty())
    {
        Some(user_error(&["files", i, "filename"], "The filename is invalid.", Some("INVALID_FILENAME")))
    } else if filename.is_some_and(|n| st.files.values().any(|o| o.id != id && o.filename.eq_ignore_ascii_case(n))) {
        Some(user_error(
            &["files", i, "filename"],
            "A file with this name already exists.",
            Some("FILENAME_ALREADY_EXISTS"),
        ))
    } else if original.is_some() && media_kind {
        Some(user_error(
            &["files", i, "originalSource"],
            "The content of videos and 3D models cannot be replaced.",
            Some("INVALID"),
        ))
    } else if original.is_some_and(|u| read_source(ctx, st, u).is_none()) {
        Some(user_error(
            &["files", i, "originalSource"],
            "The image source URL is invalid.",
            Some("INVALID_IMAGE_SOURCE_URL"),
        ))
    } else if preview.is_some() && f.kind == FileKind::Image {
        Some(user_error(
            &["files", i, "previewImageSource"],
            "Preview images can only be set on videos and 3D models.",
            Some("INVALID"),
        ))
    } else if (!adds.is_empty() || !removes.is_empty()) && f.kind == FileKind::Generic {
        Some(user_error(
            &["files", i, "referencesToAdd"],
            "Generic files cannot be referenced by products.",
            Some("UNSUPPORTED_FILE_REFERENCE"),
        ))
    } else if let Some(bad) = adds.iter().chain(&removes).find(|g| product_id(st, g).is_none()) {
        let key = if adds.contains(bad) { "referencesToAdd" } else { "referencesToRemove" };
        Some(user_error(
            &["files", i, key],
            format!("The reference target {bad} does not exist."),
            Some("REFERENCE_TARGET_DOES_NOT_EXIST"),
        ))
    } else {
        adds.iter()
            .find(|g| {
                product_id(st, g).is_some_and(|p| {
                    !st.products[&p].media.contains(&id) && st.products[&p].media.len() >= MEDIA_PER_PRODUCT
                })
            })
            .map(|full| {
                user_error(
                    &["files", i, "referencesToAdd"],
                    format!("Product {full} already has {MEDIA_PER_PRODUCT} media."),
                    Some("PRODUCT_MEDIA_LIMIT_EXCEEDED"),
                )
            })
    }
}

fn file_delete<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |ids: Value, errs: Vec<Value>| {
        record("FileDeletePayload", vec![("deletedFileIds", Val::Json(ids)), ("userErrors", errors(errs))])
    };
    let mut st = ctx.state.borrow_mut();
    let gids: Vec<&str> = list(a, "fileIds").iter().map(|v| v.as_str().unwrap_or("")).collect();
    if let Some(e) = missing_files(&st, &gids, "fileIds") {
        return payload(Value::Null, vec![e]);
    }
    let mut deleted = Vec::new();
    let mut errs = Vec::new();
    for (i, g) in gids.iter().enumerate() {
        let Some(id) = file_id(&st, g) else { continue };
        if matches!(st.files[&id].status, Status::Uploaded | Status::Processing) {
            errs.push(user_error(
                &["fileIds", &i.to_string()],
                format!("File {g} is being processed and cannot be deleted yet."),
                Some("FILE_LOCKED"),
            ));
            continue;
        }
        st.files.remove(&id);
        for p in st.products.values_mut() {
            if p.media.contains(&id) {
                p.media.retain(|m| *m != id);
                p.updated_at = SystemTime::now();
            }
        }
        deleted.push(g.to_string());
    }
    payload(json!(deleted), errs)
}

fn file_acknowledge<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |files: Val<'c>, errs: Vec<Value>| {
        record("FileAcknowledgeUpdateFailedPayload", vec![("files", files), ("userErrors", errors(errs))])
    };
    let mut st = ctx.state.borrow_mut();
    let gids: Vec<&str> = list(a, "fileIds").iter().map(|v| v.as_str().unwrap_or("")).collect();
    if let Some(e) = missing_files(&st, &gids, "fileIds") {
        return payload(Val::Json(Value::Null), vec![e]);
    }
    let mut done = Vec::new();
    let mut errs = Vec::new();
    for (i, g) in gids.iter().enumerate() {
        let Some(id) = file_id(&st, g) else { continue };
        let Some(f) = st.files.get_mut(&id) else { continue };
        match f.status {
            Status::Failed | Status::Ready => {
                f.status = Status::Ready;
                f.errors.clear();
                done.push(id);
            }
            _ => errs.push(user_error(
                &["fileIds", &i.to_string()],
                format!("File {g} is still being processed."),
                Some("NON_READY_STATE"),
            )),
        }
    }
    payload(Val::List(done.into_iter().map(|id| Val::Obj(Obj::File(ctx, id))).collect()), errs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_video_hosts() {
        assert_eq!(external_video("https://youtu.be/z7RLjNOael0").unwrap().1, "z7RLjNOael0");
        assert_eq!(external_video("https://vimeo.com/76979871").unwrap().0, "VIMEO");
        assert!(external_video("https://example.com/v.mp4").is_none());
    }
}
