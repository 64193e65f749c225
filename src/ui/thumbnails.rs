//! The thumbnails the window holds as textures: asked for from the engine the first time a tile
//! or row wants one, kept up to a count, and asked for again a while after a failure.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use crate::engine::{Command, Engine};

/// How long a thumbnail that failed to load waits before it is asked for again.
pub const THUMB_RETRY: Duration = Duration::from_secs(10);
/// Thumbnail textures kept in memory.
pub const TEXTURES_KEPT: usize = 600;

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
    pub fn texture(&mut self, url: &str, engine: &Engine) -> Option<egui::TextureId> {
        if let Some(t) = self.textures.get(url) {
            return Some(t.id());
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

    /// The pixel size of a texture this holds.
    pub fn size_of(&self, id: egui::TextureId) -> Option<egui::Vec2> {
        self.textures.values().find(|h| h.id() == id).map(|h| h.size_vec2())
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
