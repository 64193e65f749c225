//! The thumbnails the window holds as textures: asked for from the engine the first time a tile
//! or row wants one, kept up to a count, and asked for again a while after a failure.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use crate::engine::{Command, Engine};

/// How long a thumbnail that failed to load waits before it is asked for again.
pub const THUMB_RETRY: Duration = Duration::from_secs(10);
/// Thumbnail textures kept in memory.
pub const TEXTURES_KEPT: usize = 600;

/// A thumbnail ready to draw: its texture and its size in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thumb {
    /// The texture.
    pub id: egui::TextureId,
    /// Its size in pixels, for its aspect.
    pub size: egui::Vec2,
}

impl Thumb {
    /// Paint it whole inside `area`, at its own aspect, centred: letterboxed rather than cropped
    /// or stretched, because a merchant judging an image (and its alt text) must see all of it,
    /// edges included, and a squeezed photo misleads.
    pub fn paint(&self, painter: &egui::Painter, area: egui::Rect) {
        let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
        painter.image(self.id, fit(area, self.size), uv, egui::Color32::WHITE);
    }
}

/// The largest rectangle of `size`'s aspect that fits in `area`, centred in it.
pub fn fit(area: egui::Rect, size: egui::Vec2) -> egui::Rect {
    if size.x <= 0.0 || size.y <= 0.0 {
        return area;
    }
    let scale = (area.width() / size.x).min(area.height() / size.y);
    egui::Rect::from_center_size(area.center(), size * scale)
}

/// Thumbnail textures by URL, and the ones on their way.
#[derive(Default)]
pub struct Thumbnails {
    textures: HashMap<String, egui::TextureHandle>,
    /// Oldest first: the first to go when more than `TEXTURES_KEPT` are held.
    order: VecDeque<String>,
    requested: HashSet<String>,
    /// Thumbnails that failed, and when: asked for again after `THUMB_RETRY`.
    failed: HashMap<String, Instant>,
}

impl Thumbnails {
    /// The texture for a thumbnail URL, asking the engine for it the first time.
    pub fn texture(&mut self, url: &str, engine: &Engine) -> Option<Thumb> {
        if let Some(t) = self.textures.get(url) {
            return Some(Thumb { id: t.id(), size: t.size_vec2() });
        }
        if self.failed.get(url).is_some_and(|at| at.elapsed() < THUMB_RETRY) {
            return None;
        }
        if self.requested.insert(url.to_string()) {
            self.failed.remove(url);
            engine.send(Command::Thumbnail(url.to_string()));
        }
        None
    }

    /// The texture for a thumbnail URL if it is loaded, asking for nothing (a list scrolling
    /// fast asks only once it settles).
    pub fn ready(&self, url: &str) -> Option<Thumb> {
        self.textures.get(url).map(|t| Thumb { id: t.id(), size: t.size_vec2() })
    }

    /// A decoded thumbnail arrived: upload it as a texture, keeping at most `TEXTURES_KEPT`.
    pub fn arrived(&mut self, ctx: &egui::Context, url: String, image: &egui::ColorImage) {
        let texture = ctx.load_texture(&url, image.clone(), egui::TextureOptions::LINEAR);
        self.textures.insert(url.clone(), texture);
        self.order.push_back(url);
        // Dropping a handle frees its texture: keep memory bounded.
        while self.order.len() > TEXTURES_KEPT {
            if let Some(old) = self.order.pop_front() {
                self.textures.remove(&old);
                self.requested.remove(&old);
            }
        }
    }

    /// A thumbnail could not be loaded: try again after `THUMB_RETRY`.
    pub fn failed(&mut self, ctx: &egui::Context, url: String) {
        self.requested.remove(&url);
        self.failed.insert(url, Instant::now());
        ctx.request_repaint_after(THUMB_RETRY);
    }

    /// How many thumbnails are held as textures.
    pub fn loaded(&self) -> usize {
        self.textures.len()
    }

    /// Thumbnails asked for and not arrived yet.
    pub fn pending(&self) -> usize {
        self.requested.iter().filter(|u| !self.textures.contains_key(*u)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_keep_their_aspect_inside_the_tile() {
        let tile = egui::Rect::from_min_size(egui::pos2(10.0, 10.0), egui::vec2(138.0, 138.0));
        // A 1280×720 video poster: full width, 77.6 px high, centred.
        let wide = fit(tile, egui::vec2(1280.0, 720.0));
        assert!((wide.width() - 138.0).abs() < 0.01 && (wide.height() - 77.625).abs() < 0.01, "{wide:?}");
        assert_eq!(wide.center(), tile.center());
        // A 1080×1350 portrait: full height.
        let tall = fit(tile, egui::vec2(1080.0, 1350.0));
        assert!((tall.height() - 138.0).abs() < 0.01 && (tall.width() - 110.4).abs() < 0.01, "{tall:?}");
        // A square fills it; an empty texture leaves the area as it is.
        assert_eq!(fit(tile, egui::vec2(320.0, 320.0)), tile);
        assert_eq!(fit(tile, egui::vec2(0.0, 0.0)), tile);
    }
}
