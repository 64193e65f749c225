//! Pixels for the sandbox's CDN: drawn catalog images, decoding of uploads, resizing and encoding.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, imageops::FilterType};

use crate::rng::Rng;

fn hsv(h: f64, s: f64, v: f64) -> [f64; 3] {
    let i = (h * 6.0).floor();
    let f = h * 6.0 - i;
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - f * s), v * (1.0 - (1.0 - f) * s));
    match (i as i64).rem_euclid(6) {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

/// Draw the catalog picture for `seed` at `width`×`height`: a product-like shape on a soft
/// backdrop. The drawing scales with the size, so a thumbnail is the full picture made small.
pub fn draw(seed: u64, width: u32, height: u32) -> RgbImage {
    let mut rng = Rng::new(seed);
    let hue = rng.unit();
    let back = hsv(hue, 0.12, 0.96);
    let front = hsv((hue + 0.5 * rng.unit()) % 1.0, 0.55, 0.75);
    let round = rng.below(2) == 0;
    let (cx, cy) = (0.5 + (rng.unit() - 0.5) * 0.2, 0.5 + (rng.unit() - 0.5) * 0.1);
    let size = 0.25 + rng.unit() * 0.15;
    let aspect = width as f64 / height.max(1) as f64;
    RgbImage::from_fn(width, height, |x, y| {
        let u = x as f64 / width.max(1) as f64;
        let v = y as f64 / height.max(1) as f64;
        let (dx, dy) = ((u - cx) * aspect.max(1.0), (v - cy) / aspect.min(1.0));
        let inside = if round { (dx * dx + dy * dy).sqrt() < size } else { dx.abs() < size && dy.abs() < size * 1.2 };
        let shadow = {
            let (sx, sy) = (dx - 0.02, dy - 0.03);
            if round { (sx * sx + sy * sy).sqrt() < size } else { sx.abs() < size && sy.abs() < size * 1.2 }
        };
        let shade = 1.0 - 0.18 * v;
        let c = if inside {
            let light = 1.0 - 0.35 * (dx + dy + size) / (2.0 * size);
            [front[0] * light, front[1] * light, front[2] * light]
        } else if shadow {
            [back[0] * 0.8, back[1] * 0.8, back[2] * 0.8]
        } else {
            [back[0] * shade, back[1] * shade, back[2] * shade]
        };
        Rgb([(c[0] * 255.0) as u8, (c[1] * 255.0) as u8, (c[2] * 255.0) as u8])
    })
}

/// The size an image of `w`×`h` gets when fitted inside `max_w`×`max_h` (either may be absent),
/// never enlarged, at least one pixel.
pub fn fit(w: u32, h: u32, max_w: Option<u32>, max_h: Option<u32>) -> (u32, u32) {
    let sx = max_w.map_or(1.0, |m| m as f64 / w.max(1) as f64);
    let sy = max_h.map_or(1.0, |m| m as f64 / h.max(1) as f64);
    let s = sx.min(sy).min(1.0);
    (((w as f64 * s).round() as u32).max(1), ((h as f64 * s).round() as u32).max(1))
}

/// Resize for the CDN: fit inside the box, or fill and crop to it when `crop` is set.
pub fn resize(img: DynamicImage, max_w: Option<u32>, max_h: Option<u32>, crop: bool) -> DynamicImage {
    match (crop, max_w, max_h) {
        (true, Some(w), Some(h)) if w < img.width() || h < img.height() => {
            img.resize_to_fill(w.min(img.width()), h.min(img.height()), FilterType::Triangle)
        }
        _ => {
            let (w, h) = fit(img.width(), img.height(), max_w, max_h);
            if (w, h) == (img.width(), img.height()) { img } else { img.resize_exact(w, h, FilterType::Triangle) }
        }
    }
}

/// Encode for the wire; returns the bytes and their content type.
pub fn encode(img: &DynamicImage, format: ImageFormat) -> (Vec<u8>, &'static str) {
    let mut out = Cursor::new(Vec::new());
    let (img, mime) = match format {
        ImageFormat::Png => (img.clone(), "image/png"),
        ImageFormat::WebP => (DynamicImage::ImageRgba8(img.to_rgba8()), "image/webp"),
        ImageFormat::Gif => (img.clone(), "image/gif"),
        _ => (DynamicImage::ImageRgb8(img.to_rgb8()), "image/jpeg"),
    };
    let format = match mime {
        "image/png" => ImageFormat::Png,
        "image/webp" => ImageFormat::WebP,
        "image/gif" => ImageFormat::Gif,
        _ => ImageFormat::Jpeg,
    };
    if let Err(e) = img.write_to(&mut out, format) {
        // Encoding into memory has no I/O to fail; should the encoder refuse, say so in the log.
        tracing::error!(error = %e, "the sandbox could not encode a picture");
    }
    (out.into_inner(), mime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_aspect_and_never_enlarges() {
        assert_eq!(fit(4000, 2000, Some(200), Some(200)), (200, 100));
        assert_eq!(fit(100, 50, Some(200), Some(200)), (100, 50));
        assert_eq!(fit(1000, 3000, None, Some(300)), (100, 300));
    }

    #[test]
    fn drawing_is_deterministic_and_differs_by_seed() {
        assert_eq!(draw(7, 32, 24), draw(7, 32, 24));
        assert_ne!(draw(7, 32, 24), draw(8, 32, 24));
    }

    #[test]
    fn encoded_images_are_recognised_by_content() {
        let (png, _) = encode(&DynamicImage::ImageRgb8(draw(1, 4, 4)), ImageFormat::Png);
        assert_eq!(crate::filetype::sniff(&png), Some("image/png"));
    }
}
