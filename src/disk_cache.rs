//! A folder of cached bytes by key, kept within a size budget: thumbnails by URL (what the store
//! holds is kept in the local catalog, not here). Everything here blocks: call it off the async
//! workers.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// The user's cache folder for mediadesk (e.g. `~/.cache/mediadesk` on Linux).
pub fn user_cache_dir() -> Option<PathBuf> {
    Some(directories::ProjectDirs::from("", "", "mediadesk")?.cache_dir().to_path_buf())
}

/// Bytes on disk, one file per key (a URL), trimmed least recently used first.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
    budget: u64,
}

impl DiskCache {
    /// A cache in `dir` (created when first written) that keeps at most `budget` bytes.
    pub fn new(dir: impl Into<PathBuf>, budget: u64) -> DiskCache {
        DiskCache { dir: dir.into(), budget }
    }

    /// Where the cache keeps its files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(hex::encode(Sha256::digest(key.as_bytes())))
    }

    /// The bytes kept for `key`, marking them recently used. Blocking: call off the async workers.
    pub fn read(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.path(key);
        let bytes = std::fs::read(&path).ok()?;
        if let Ok(f) = std::fs::File::options().write(true).open(&path) {
            let _ = f.set_modified(SystemTime::now());
        }
        Some(bytes)
    }

    /// Keep `bytes` for `key`. Written to a temporary name and renamed, so a crash never leaves
    /// half a file under the real name. Blocking.
    pub fn write(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(key);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)
    }

    /// Delete the least recently used files until the cache fits its budget; the bytes freed.
    pub fn trim(&self) -> std::io::Result<u64> {
        let mut files: Vec<(SystemTime, u64, PathBuf)> = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let meta = e.metadata().ok()?;
                    meta.is_file().then(|| (meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len(), e.path()))
                })
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
        files.sort();
        let mut freed = 0;
        for (_, len, path) in files {
            if total <= self.budget {
                break;
            }
            std::fs::remove_file(&path)?;
            total -= len;
            freed += len;
        }
        Ok(freed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("mediadesk-cache-{name}-{}", std::process::id()))
    }

    #[test]
    fn bytes_come_back_by_url_and_other_urls_miss() {
        let dir = temp("roundtrip");
        let cache = DiskCache::new(&dir, 1 << 20);
        assert_eq!(cache.read("http://cdn/a.jpg?v=1"), None);
        cache.write("http://cdn/a.jpg?v=1", b"one").unwrap();
        assert_eq!(cache.read("http://cdn/a.jpg?v=1").as_deref(), Some(&b"one"[..]));
        assert_eq!(cache.read("http://cdn/a.jpg?v=2"), None, "a new version is a new URL");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn trimming_drops_the_least_recently_used_first() {
        let dir = temp("trim");
        let cache = DiskCache::new(&dir, 250);
        for (i, url) in ["a", "b", "c"].iter().enumerate() {
            cache.write(url, &[0u8; 100]).unwrap();
            let old = SystemTime::now() - std::time::Duration::from_secs(100 - i as u64 * 10);
            std::fs::File::options().write(true).open(cache.path(url)).unwrap().set_modified(old).unwrap();
        }
        // Reading "a" makes it the most recently used: "b" is the oldest now.
        assert!(cache.read("a").is_some());
        assert_eq!(cache.trim().unwrap(), 100);
        assert!(cache.read("b").is_none());
        assert!(cache.read("a").is_some() && cache.read("c").is_some());
        std::fs::remove_dir_all(&dir).ok();
    }
}
