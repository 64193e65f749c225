//! The sandbox's Ecwid face: REST API v3 under `/api/v3/{storeId}/…` over the same catalog,
//! with Ecwid's shapes, bearer tokens (`secret_` writes, `public_` reads), 600 requests a
//! minute per token, and its status codes and `errorMessage` bodies.

use std::collections::{HashMap, VecDeque};
use std::time::{Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;
use super::state::{FileKind, FileRec, Pixels, ProductRec, State, Status};

/// The sandbox's Ecwid store id.
pub const STORE_ID: u64 = 1003;
/// A token with `read_catalog` and `update_catalog`.
pub const SECRET_TOKEN: &str = "secret_sandbox_0000000000";
/// A read-only token.
pub const PUBLIC_TOKEN: &str = "public_sandbox_0000000000";
/// Ecwid keeps at most this many characters of alt text.
pub const ALT_MAX: usize = 125;

fn error(status: StatusCode, message: &str) -> Response {
    Refusal { status, message: message.to_string(), retry_after: None }.into_response()
}

/// Ecwid's answer for a product id the store does not have.
fn no_product(id: u64) -> Response {
    error(StatusCode::NOT_FOUND, &format!("Product #{id} not found"))
}

/// A refused request: its status, Ecwid's `errorMessage`, and a `Retry-After` when throttled.
pub struct Refusal {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Refusal { status, message: message.into(), retry_after: None }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(json!({"errorCode": self.status.as_str(), "errorMessage": self.message})))
            .into_response();
        if let Some(wait) = self.retry_after {
            r.headers_mut().insert("retry-after", wait.into());
        }
        r
    }
}

/// Per-token request times in the last minute.
pub type Window = std::sync::Mutex<HashMap<String, VecDeque<Instant>>>;

/// Check the token and the per-minute limit; the token's write permission on success.
fn admit(shared: &Shared, headers: &HeaderMap, store: u64, write: bool) -> Result<(), Refusal> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let can_write = match token {
        SECRET_TOKEN => true,
        PUBLIC_TOKEN => false,
        _ => return Err(Refusal::new(StatusCode::UNAUTHORIZED, "Invalid access token")),
    };
    if store != STORE_ID {
        return Err(Refusal::new(StatusCode::NOT_FOUND, format!("Store {store} not found")));
    }
    {
        let mut windows = crate::sync::lock(&shared.ecwid_window);
        let window = windows.entry(token.to_string()).or_default();
        let now = Instant::now();
        let span = shared.config.ecwid_window;
        while window.front().is_some_and(|t| now.duration_since(*t) >= span) {
            window.pop_front();
        }
        if window.len() as u32 >= shared.config.ecwid_requests_per_minute {
            let wait = window
                .front()
                .map_or(1, |first| span.saturating_sub(now.duration_since(*first)).as_secs_f64().ceil() as u64);
            return Err(Refusal {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: "Too many requests: at most 600 a minute per token".into(),
                retry_after: Some(wait.max(1)),
            });
        }
        window.push_back(now);
    }
    if write && !can_write {
        return Err(Refusal::new(StatusCode::FORBIDDEN, "This token has no update_catalog permission"));
    }
    Ok(())
}

/// A write with a JSON body: the token, the limit and the body checked in one place.
fn admit_json(shared: &Shared, headers: &HeaderMap, store: u64, body: &[u8]) -> Result<Value, Refusal> {
    admit(shared, headers, store, true)?;
    serde_json::from_slice(body).map_err(|_| Refusal::new(StatusCode::BAD_REQUEST, "Request body is not valid JSON"))
}

fn image_json(base: &str, f: &FileRec, order: usize) -> Value {
    let url = |w: Option<u32>| {
        let mut u = format!("{base}/cdn/shop/files/{}/{}?v={}", f.id, f.filename, f.version);
        if let Some(w) = w {
            u.push_str(&format!("&width={w}&height={w}"));
        }
        u
    };
    json!({
        "id": f.id.to_string(),
        "orderBy": order,
        "isMain": order == 0,
        "image160pxUrl": url(Some(160)),
        "image400pxUrl": url(Some(400)),
        "image800pxUrl": url(Some(800)),
        "image1500pxUrl": url(Some(1500)),
        "imageOriginalUrl": url(None),
        "width": f.width,
        "height": f.height,
        "alt": {"main": f.alt, "translated": f.alt_translated},
    })
}

fn video_json(base: &str, f: &FileRec, order: usize) -> Value {
    let (host, vid) = f.external.clone().unwrap_or_else(|| ("YOUTUBE".into(), f.id.to_string()));
    let url = if host == "VIMEO" {
        format!("https://vimeo.com/{vid}")
    } else {
        format!("https://www.youtube.com/watch?v={vid}")
    };
    let cover = format!("{base}/cdn/shop/files/{}/preview.jpg?v={}", f.id, f.version);
    json!({
        "id": f.id.to_string(),
        "orderBy": order,
        "url": url,
        "embedHtml": format!("<iframe src=\"{url}\" allowfullscreen></iframe>"),
        "providerName": if host == "VIMEO" { "Vimeo" } else { "YouTube" },
        "title": f.alt,
        "image160pxUrl": format!("{cover}&width=160&height=160"),
        "image400pxUrl": format!("{cover}&width=400&height=400"),
        "imageOriginalUrl": cover,
    })
}

fn images_of<'s>(st: &'s State, p: &ProductRec) -> Vec<&'s FileRec> {
    p.media.iter().filter_map(|id| st.files.get(id)).filter(|f| f.kind == FileKind::Image).collect()
}

fn product_json(base: &str, st: &State, p: &ProductRec) -> Value {
    let images = images_of(st, p);
    let videos: Vec<&FileRec> = p
        .media
        .iter()
        .filter_map(|id| st.files.get(id))
        .filter(|f| matches!(f.kind, FileKind::Video | FileKind::ExternalVideo))
        .collect();
    let main = images.first();
    json!({
        "id": p.id,
        "sku": format!("SKU-{}", p.id),
        "name": p.title,
        "enabled": p.status == "ACTIVE",
        "updated": ecwid_time(p.updated_at),
        "updateTimestamp": crate::time::unix(p.updated_at),
        "url": format!("{base}/store/{}", p.handle),
        "thumbnailUrl": main.map(|f| image_json(base, f, 0)["image160pxUrl"].clone()),
        "imageUrl": main.map(|f| image_json(base, f, 0)["image800pxUrl"].clone()),
        "originalImageUrl": main.map(|f| image_json(base, f, 0)["imageOriginalUrl"].clone()),
        "media": {
            "images": images.iter().enumerate().map(|(i, f)| image_json(base, f, i)).collect::<Vec<_>>(),
            "videos": videos.iter().enumerate().map(|(i, f)| video_json(base, f, i)).collect::<Vec<_>>(),
        },
        "combinations": combinations_json(base, st, p),
        "galleryImages": images.iter().enumerate().skip(1).map(|(i, f)| json!({
            "id": f.id, "orderBy": i, "alt": f.alt, "url": image_json(base, f, i)["imageOriginalUrl"],
            "thumbnailUrl": image_json(base, f, i)["image160pxUrl"], "width": f.width, "height": f.height,
        })).collect::<Vec<_>>(),
    })
}

/// The product's variations, as Ecwid lists them: a product without options has none; a
/// variation showing the main image inherits it (no image fields), one showing another image
/// has it as its own, with that image's alt text.
fn combinations_json(base: &str, st: &State, p: &ProductRec) -> Value {
    let main = images_of(st, p).first().map(|f| f.id);
    let listed = p.variants.iter().filter(|v| !v.options.iter().all(|(name, _)| name == "Title"));
    Value::Array(
        listed
            .enumerate()
            .map(|(i, v)| {
                let mut c = json!({
                    "id": v.id,
                    "combinationNumber": i + 1,
                    "options": v.options.iter().map(|(n, value)| json!({"name": n, "value": value})).collect::<Vec<_>>(),
                    "sku": format!("SKU-{}-{}", p.id, i + 1),
                    "alt": {"translated": {}},
                });
                if let Some(f) = v.image.filter(|f| Some(*f) != main).and_then(|f| st.files.get(&f)) {
                    let urls = image_json(base, f, 0);
                    c["imageUrl"] = urls["image800pxUrl"].clone();
                    c["originalImageUrl"] = urls["imageOriginalUrl"].clone();
                    c["thumbnailUrl"] = urls["image400pxUrl"].clone();
                    c["smallThumbnailUrl"] = urls["image160pxUrl"].clone();
                    c["hdThumbnailUrl"] = urls["image800pxUrl"].clone();
                    c["alt"] = json!({"main": f.alt, "translated": {}});
                }
                c
            })
            .collect(),
    )
}

/// Query of `GET /products`.
#[derive(Deserialize)]
pub struct Search {
    keyword: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
    #[serde(rename = "sortBy")]
    sort_by: Option<String>,
    enabled: Option<bool>,
    /// Products updated at or after this time: seconds since the epoch, or a date and time.
    #[serde(rename = "updatedFrom")]
    updated_from: Option<String>,
    /// Only these fields of the answer (`total,items(id,name)`).
    #[serde(rename = "responseFields")]
    response_fields: Option<String>,
}

/// A time as Ecwid writes it: `2026-11-28 20:31:13 +0000`.
fn ecwid_time(t: std::time::SystemTime) -> String {
    crate::time::rfc3339(crate::time::unix(t)).replace('T', " ").replace('Z', " +0000")
}

/// `updatedFrom` as Ecwid reads it: seconds since the epoch, or a date and time
/// (`2026-11-28 20:31:13 +0000`, or RFC 3339).
fn ecwid_time_arg(text: &str) -> Option<u64> {
    if let Ok(secs) = text.trim().parse::<u64>() {
        return Some(secs);
    }
    let t = text.trim();
    let iso = match t.rsplit_once(' ') {
        Some((at, zone)) if zone.len() == 5 && (zone.starts_with('+') || zone.starts_with('-')) => {
            format!("{}{}:{}", at.replacen(' ', "T", 1), &zone[..3], &zone[3..])
        }
        _ => t.replacen(' ', "T", 1),
    };
    crate::time::parse_rfc3339(&iso)
}

/// `GET /api/v3/{storeId}/products`
pub async fn products(
    AxState(shared): AxState<Shared>,
    Path(store): Path<u64>,
    headers: HeaderMap,
    Query(q): Query<Search>,
) -> Response {
    if let Err(r) = admit(&shared, &headers, store, false) {
        return r.into_response();
    }
    let limit = q.limit.unwrap_or(100);
    if limit > 100 {
        return error(StatusCode::BAD_REQUEST, "limit must be at most 100");
    }
    let updated_from = match q.updated_from.as_deref().map(ecwid_time_arg) {
        Some(None) => return error(StatusCode::BAD_REQUEST, "updatedFrom is not a time"),
        Some(Some(secs)) => Some(secs),
        None => None,
    };
    let st = crate::sync::lock(&shared.state);
    let keyword = q.keyword.unwrap_or_default().to_lowercase();
    let mut found: Vec<&ProductRec> = st
        .products
        .values()
        .filter(|p| {
            keyword.is_empty() || p.title.to_lowercase().contains(&keyword) || format!("sku-{}", p.id) == keyword
        })
        .filter(|p| q.enabled.is_none_or(|e| (p.status == "ACTIVE") == e))
        .filter(|p| updated_from.is_none_or(|from| crate::time::unix(p.updated_at) >= from))
        .collect();
    match q.sort_by.as_deref() {
        Some("NAME_ASC") => found.sort_by_key(|p| (p.title.to_lowercase(), p.id)),
        Some("NAME_DESC") => found.sort_by_key(|p| std::cmp::Reverse((p.title.to_lowercase(), p.id))),
        Some("ADDED_TIME_DESC") => found.sort_by_key(|p| std::cmp::Reverse((p.created_at, p.id))),
        Some("ADDED_TIME_ASC") => found.sort_by_key(|p| (p.created_at, p.id)),
        Some("UPDATED_TIME_ASC") => found.sort_by_key(|p| (p.updated_at, p.id)),
        Some("UPDATED_TIME_DESC") => found.sort_by_key(|p| std::cmp::Reverse((p.updated_at, p.id))),
        _ => {}
    }
    let offset = q.offset.unwrap_or(0);
    let items: Vec<Value> = found.iter().skip(offset).take(limit).map(|p| product_json(&shared.base, &st, p)).collect();
    let answer = json!({"total": found.len(), "count": items.len(), "offset": offset, "limit": limit, "items": items});
    let answer = match q.response_fields.as_deref() {
        Some(spec) => super::ecwid_fields::keep(answer, spec),
        None => answer,
    };
    axum::Json(answer).into_response()
}

/// `GET /api/v3/{storeId}/products/{productId}`
pub async fn product(
    AxState(shared): AxState<Shared>,
    Path((store, id)): Path<(u64, u64)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = admit(&shared, &headers, store, false) {
        return r.into_response();
    }
    let st = crate::sync::lock(&shared.state);
    match st.products.get(&id) {
        Some(p) => axum::Json(product_json(&shared.base, &st, p)).into_response(),
        None => no_product(id),
    }
}

/// `PUT /api/v3/{storeId}/products/{productId}`: alt texts and order of images.
pub async fn update_product(
    AxState(shared): AxState<Shared>,
    Path((store, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match admit_json(&shared, &headers, store, &body) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let mut st = crate::sync::lock(&shared.state);
    let Some(p) = st.products.get(&id) else {
        return no_product(id);
    };
    let images: Vec<u64> = images_of(&st, p).iter().map(|f| f.id).collect();
    let given = body.pointer("/media/images").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut changes = Vec::new();
    for img in &given {
        let fid = img.get("id").and_then(|v| v.as_str().and_then(|s| s.parse().ok()).or_else(|| v.as_u64()));
        let Some(fid) = fid.filter(|f| images.contains(f)) else {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("Image {} is not an image of product #{id}", img.get("id").unwrap_or(&Value::Null)),
            );
        };
        if let Some(main) = img.pointer("/alt/main").and_then(Value::as_str)
            && main.chars().count() > ALT_MAX
        {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("alt.main of image {fid} is longer than {ALT_MAX} characters"),
            );
        }
        changes.push((fid, img.clone()));
    }
    for (fid, img) in &changes {
        if let Some(alt) = img.get("alt") {
            let Some(f) = st.files.get_mut(fid) else { continue };
            // The alt object is replaced as a whole: translations left out are dropped.
            f.alt = alt.get("main").and_then(Value::as_str).unwrap_or_default().to_string();
            f.alt_translated = alt
                .get("translated")
                .and_then(Value::as_object)
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                .unwrap_or_default();
        }
    }
    let order: HashMap<u64, i64> =
        changes.iter().filter_map(|(fid, img)| Some((*fid, img.get("orderBy")?.as_i64()?))).collect();
    if !order.is_empty() {
        let Some(p) = st.products.get_mut(&id) else { return no_product(id) };
        let mut imgs: Vec<(i64, usize, u64)> =
            images.iter().enumerate().map(|(i, f)| (order.get(f).copied().unwrap_or(i as i64), i, *f)).collect();
        imgs.sort();
        // Images take the image slots in their new order; videos keep theirs.
        let mut next = imgs.into_iter().map(|(_, _, f)| f);
        for slot in p.media.iter_mut() {
            if images.contains(slot)
                && let Some(n) = next.next()
            {
                *slot = n;
            }
        }
    }
    if let Some(p) = st.products.get_mut(&id) {
        p.updated_at = SystemTime::now();
    }
    axum::Json(json!({"updateCount": 1})).into_response()
}

fn check_image(bytes: &[u8]) -> Result<(u32, u32), Refusal> {
    if bytes.len() > 20 << 20 {
        return Err(Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, "The file is larger than 20 MB"));
    }
    match crate::filetype::sniff(bytes) {
        Some("image/jpeg" | "image/png" | "image/gif") => {}
        Some(other) if other.starts_with("image/") => {
            return Err(Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("{other} is not supported: use JPG, PNG or GIF"),
            ));
        }
        _ => return Err(Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "The file is not an image")),
    }
    image::load_from_memory(bytes)
        .map(|i| (i.width(), i.height()))
        .map_err(|_| Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "The image cannot be read"))
}

fn new_image(st: &mut State, name: &str, pixels: Pixels, (width, height): (u32, u32), size: u64) -> u64 {
    let id = st.fresh_id();
    let now = SystemTime::now();
    st.files.insert(
        id,
        FileRec {
            id,
            kind: FileKind::Image,
            alt: String::new(),
            alt_translated: Default::default(),
            filename: name.to_string(),
            mime: "image/jpeg".into(),
            size,
            width,
            height,
            duration_ms: 0,
            pixels: Some(pixels),
            original: None,
            external: None,
            status: Status::Ready,
            errors: Vec::new(),
            pending: None,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    );
    id
}

/// Query of the upload calls.
#[derive(Deserialize)]
pub struct UploadQuery {
    #[serde(rename = "fileName")]
    file_name: Option<String>,
}

/// `POST /products/{id}/image` (main image) and `POST /products/{id}/gallery` (gallery image).
pub async fn upload(
    AxState(shared): AxState<Shared>,
    Path((store, id, target)): Path<(u64, u64, String)>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = admit(&shared, &headers, store, true) {
        return r.into_response();
    }
    let dims = match check_image(&body) {
        Ok(d) => d,
        Err(r) => return r.into_response(),
    };
    let mut st = crate::sync::lock(&shared.state);
    let Some(p) = st.products.get(&id) else {
        return no_product(id);
    };
    let old_main = images_of(&st, p).first().map(|f| f.id);
    let name = q.file_name.unwrap_or_else(|| format!("image-{id}.jpg"));
    let size = body.len() as u64;
    let new = new_image(&mut st, &name, Pixels::Uploaded(body), dims, size);
    let Some(p) = st.products.get_mut(&id) else { return no_product(id) };
    match target.as_str() {
        "image" => {
            // The main image is replaced: the new one goes first.
            if let Some(old) = old_main {
                p.media.retain(|m| *m != old);
            }
            p.media.insert(0, new);
        }
        _ => p.media.push(new),
    }
    p.updated_at = SystemTime::now();
    axum::Json(json!({"id": new})).into_response()
}

/// `DELETE /products/{id}/image` (the main image) and `DELETE /products/{id}/gallery` (all gallery images).
pub async fn delete(
    AxState(shared): AxState<Shared>,
    Path((store, id, target)): Path<(u64, u64, String)>,
    headers: HeaderMap,
) -> Response {
    match target.as_str() {
        "image" => remove_images(&shared, &headers, store, id, Which::Main),
        "gallery" => remove_images(&shared, &headers, store, id, Which::Gallery),
        _ => error(StatusCode::NOT_FOUND, "Not found"),
    }
}

/// `DELETE /products/{id}/gallery/{fileId}`
pub async fn delete_gallery_image(
    AxState(shared): AxState<Shared>,
    Path((store, id, file)): Path<(u64, u64, u64)>,
    headers: HeaderMap,
) -> Response {
    remove_images(&shared, &headers, store, id, Which::One(file))
}

enum Which {
    Main,
    Gallery,
    One(u64),
}

fn remove_images(shared: &Shared, headers: &HeaderMap, store: u64, id: u64, which: Which) -> Response {
    if let Err(r) = admit(shared, headers, store, true) {
        return r.into_response();
    }
    let mut st = crate::sync::lock(&shared.state);
    let Some(p) = st.products.get(&id) else {
        return no_product(id);
    };
    let images: Vec<u64> = images_of(&st, p).iter().map(|f| f.id).collect();
    let remove: Vec<u64> = match which {
        Which::Main => images.first().copied().into_iter().collect(),
        Which::Gallery => images.iter().skip(1).copied().collect(),
        Which::One(file) => {
            if !images.iter().skip(1).any(|f| *f == file) {
                return error(StatusCode::NOT_FOUND, &format!("Gallery image {file} not found"));
            }
            vec![file]
        }
    };
    let Some(p) = st.products.get_mut(&id) else { return no_product(id) };
    p.media.retain(|m| !remove.contains(m));
    p.updated_at = SystemTime::now();
    for f in &remove {
        st.files.remove(f);
    }
    axum::Json(json!({"deleteCount": remove.len()})).into_response()
}

/// `PUT /products/{id}/media` (seed 003): main media and the whole gallery from URLs.
pub async fn set_media(
    AxState(shared): AxState<Shared>,
    Path((store, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match admit_json(&shared, &headers, store, &body) {
        Ok(v) => v,
        Err(r) => return r.into_response(),
    };
    let base = shared.base.to_string();
    let mut st = crate::sync::lock(&shared.state);
    let Some(p) = st.products.get(&id) else {
        return no_product(id);
    };
    let images: Vec<u64> = images_of(&st, p).iter().map(|f| f.id).collect();
    // Only the sandbox's own CDN can be downloaded from: any other host is unreachable here.
    let fetch = |st: &mut State, item: &Value| -> Value {
        let (url, video) = match (
            item.get("imageUrl").and_then(Value::as_str),
            item.get("videoUrl").and_then(Value::as_str),
        ) {
            (Some(u), _) => (u.to_string(), false),
            (None, Some(u)) => (u.to_string(), true),
            _ => {
                return json!({"success": false, "errorCode": "DOWNLOAD_IMAGE_FAILED", "errorMessage": "No imageUrl or videoUrl"});
            }
        };
        let source = url
            .strip_prefix(&format!("{base}/cdn/shop/files/"))
            .and_then(|r| r.split('/').next())
            .and_then(|n| n.parse::<u64>().ok())
            .and_then(|n| st.files.get(&n))
            .and_then(|f| Some((f.pixels.clone()?, f.width, f.height, f.filename.clone(), f.size)));
        match (source, video) {
            (Some((px, w, h, name, size)), false) => {
                let new = new_image(st, &name, px, (w, h), size);
                json!({"success": true, "id": new.to_string()})
            }
            (_, true) => {
                json!({"success": false, "errorCode": "DOWNLOAD_VIDEO_FAILED", "errorMessage": format!("Could not download video {url}")})
            }
            (None, false) => {
                json!({"success": false, "errorCode": "DOWNLOAD_IMAGE_FAILED", "errorMessage": format!("Could not download image {url}")})
            }
        }
    };
    let mut result = json!({});
    let mut main_id = images.first().copied();
    if let Some(main) = body.get("mainMedia").filter(|m| m.as_object().is_some_and(|o| !o.is_empty())) {
        let r = fetch(&mut st, main);
        if let Some(n) = r.get("id").and_then(Value::as_str).and_then(|s| s.parse().ok()) {
            main_id = Some(n);
        }
        result["mainMedia"] = r;
    }
    // A missing galleryMedia deletes the gallery; a list replaces it.
    let gallery_items = body.get("galleryMedia").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut gallery = Vec::new();
    let mut reports = Vec::new();
    for item in &gallery_items {
        let r = fetch(&mut st, item);
        if let Some(n) = r.get("id").and_then(Value::as_str).and_then(|s| s.parse().ok()) {
            gallery.push(n);
        }
        reports.push(r);
    }
    result["galleryMedia"] = json!(reports);
    let Some(p) = st.products.get_mut(&id) else { return no_product(id) };
    let others: Vec<u64> = p.media.iter().copied().filter(|m| !images.contains(m)).collect();
    p.media = main_id.into_iter().chain(gallery).chain(others).collect();
    p.updated_at = SystemTime::now();
    let keep: Vec<u64> = p.media.clone();
    for old in images.iter().filter(|i| !keep.contains(i)) {
        st.files.remove(old);
    }
    axum::Json(result).into_response()
}

/// `GET /api/v3/{storeId}/profile`
pub async fn profile(AxState(shared): AxState<Shared>, Path(store): Path<u64>, headers: HeaderMap) -> Response {
    if let Err(r) = admit(&shared, &headers, store, false) {
        return r.into_response();
    }
    axum::Json(json!({
        "generalInfo": {"storeId": STORE_ID, "storeUrl": format!("{}/store", shared.base)},
        "account": {"accountName": "mediadesk sandbox"},
        "settings": {"storeName": "mediadesk sandbox"},
    }))
    .into_response()
}
