//! The sandbox's image CDN: serves a file's image (or a video's preview) resized as
//! `Image.url(transform:)` asked, the way Shopify's CDN does.

use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use image::{DynamicImage, ImageFormat};
use serde::Deserialize;

use super::Shared;
use super::images;
use super::state::Pixels;

/// Query parameters of a CDN URL.
#[derive(Debug, Deserialize)]
pub struct Transform {
    width: Option<u32>,
    height: Option<u32>,
    crop: Option<String>,
    format: Option<String>,
}

/// `GET /cdn/shop/files/{id}/{name}`
pub async fn get(
    AxState(shared): AxState<Shared>,
    Path((id, name)): Path<(u64, String)>,
    Query(t): Query<Transform>,
) -> Response {
    let found = {
        let st = crate::sync::lock(&shared.state);
        st.files.get(&id).and_then(|f| f.pixels.clone().map(|p| (p, f.width, f.height)))
    };
    let Some((pixels, width, height)) = found else {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    };
    // Drawing and resizing are CPU work: keep them off the async workers.
    let result = tokio::task::spawn_blocking(move || {
        let img = match pixels {
            Pixels::Generated { seed } => {
                let (w, h) = images::fit(width.max(1), height.max(1), t.width, t.height);
                let (w, h) = if t.crop.is_some() {
                    (t.width.unwrap_or(w).min(width), t.height.unwrap_or(h).min(height))
                } else {
                    (w, h)
                };
                DynamicImage::ImageRgb8(images::draw(seed, w, h))
            }
            Pixels::Uploaded(bytes) => {
                let img = image::load_from_memory(&bytes).ok()?;
                images::resize(img, t.width, t.height, t.crop.is_some())
            }
        };
        let format = match t.format.as_deref() {
            Some("png") => ImageFormat::Png,
            Some("webp") => ImageFormat::WebP,
            Some("jpg") | Some("pjpg") => ImageFormat::Jpeg,
            _ if name.to_lowercase().ends_with(".png") => ImageFormat::Png,
            _ => ImageFormat::Jpeg,
        };
        Some(images::encode(&img, format))
    })
    .await
    .ok()
    .flatten();
    match result {
        Some((bytes, mime)) => {
            ([("content-type", mime), ("cache-control", "public, max-age=31536000")], bytes).into_response()
        }
        None => (StatusCode::UNPROCESSABLE_ENTITY, "The image could not be decoded").into_response(),
    }
}
