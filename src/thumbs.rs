//! Thumbnails: fetched from the store's CDN (already resized there), kept on disk by URL so a
//! product opened again draws without waiting for the network, and decoded and downscaled off
//! the async workers. CDN URLs carry the file's version, so a changed image has a new URL and
//! a cached one never goes stale.

use crate::disk_cache::DiskCache;

/// Longest side of a decoded thumbnail, in pixels.
pub const THUMB_MAX: u32 = 320;
/// Disk the thumbnail cache may use before the least recently used files go.
pub const CACHE_BUDGET: u64 = 200 * 1024 * 1024;

/// Decode an image and shrink it to fit a `max`-pixel square, ready for a texture.
pub fn decode(bytes: &[u8], max: u32) -> Option<egui::ColorImage> {
    let img = image::load_from_memory(bytes).ok()?.thumbnail(max, max).to_rgba8();
    Some(egui::ColorImage::from_rgba_unmultiplied([img.width() as usize, img.height() as usize], img.as_raw()))
}

/// A thumbnail from the disk cache when it holds the URL, else from the network (and then kept).
pub async fn load(http: &reqwest::Client, cache: Option<&DiskCache>, url: &str) -> Option<egui::ColorImage> {
    if let Some(cache) = cache.cloned() {
        let key = url.to_string();
        let cached = tokio::task::spawn_blocking(move || cache.read(&key).and_then(|b| decode(&b, THUMB_MAX)))
            .await
            .ok()
            .flatten();
        if cached.is_some() {
            return cached;
        }
    }
    let resp = http.get(url).send().await.ok()?.error_for_status().ok()?;
    let bytes = resp.bytes().await.ok()?;
    let (cache, key) = (cache.cloned(), url.to_string());
    // Decoding and downscaling are CPU work, writing the cache is disk work: off the async workers.
    tokio::task::spawn_blocking(move || {
        let image = decode(&bytes, THUMB_MAX)?;
        if let Some(cache) = cache
            && let Err(e) = cache.write(&key, &bytes)
        {
            tracing::debug!(error = %e, "thumbnail not cached");
        }
        Some(image)
    })
    .await
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupt_download_is_not_an_image() {
        assert!(decode(b"<html>not found</html>", THUMB_MAX).is_none());
        let mut png = std::io::Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(1000, 500).write_to(&mut png, image::ImageFormat::Png).unwrap();
        let img = decode(&png.into_inner(), THUMB_MAX).unwrap();
        assert_eq!(img.size, [320, 160]);
    }
}
