//! Logs: warnings on stderr (more with `--verbose`, `MEDIADESK_LOG` or `RUST_LOG`), and a
//! size-capped file that rotates, in the platform's log folder, which "Copy diagnostics" and
//! `mediadesk doctor` read.
//!
//! Secrets are kept out by type, not by care: a token lives in `secrets::Secret`, whose Debug
//! and Display print `***`, and requests are logged without their headers, so a token logged
//! by mistake shows as `***` in both places.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The log file's name in its folder; older ones are `mediadesk.log.1` …
pub const FILE: &str = "mediadesk.log";
/// A file is set aside once it passes this size.
const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Files kept beside the current one: at most about 8 MB of logs in all.
const KEPT: usize = 3;
/// The environment variable naming another log folder.
pub const DIR_VAR: &str = "MEDIADESK_LOG_DIR";

/// The folder the log file goes to: `MEDIADESK_LOG_DIR`, else the platform's place for an
/// app's logs (`~/.local/state/mediadesk` on Linux, `~/Library/Logs/mediadesk` on macOS,
/// `%LOCALAPPDATA%\mediadesk\data\logs` on Windows).
pub fn dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(DIR_VAR).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let project = directories::ProjectDirs::from("", "", "mediadesk")?;
    if cfg!(target_os = "macos") {
        return Some(directories::BaseDirs::new()?.home_dir().join("Library/Logs/mediadesk"));
    }
    Some(project.state_dir().map_or_else(|| project.data_local_dir().join("logs"), Path::to_path_buf))
}

/// The size-capped, rotating writer of the log file in `dir`; `None` when the folder cannot be
/// made or written (the app then logs to stderr only).
pub fn file_writer(dir: &Path) -> Option<FileRotate<AppendCount>> {
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join(FILE);
    // Opened once here so an unwritable folder is found now, not on the first line.
    std::fs::OpenOptions::new().create(true).append(true).open(&path).ok()?;
    Some(FileRotate::new(
        path,
        AppendCount::new(KEPT),
        ContentLimit::BytesSurpassed(MAX_BYTES),
        Compression::None,
        #[cfg(unix)]
        None,
    ))
}

/// Start logging for this process; the log file's path comes back when there is one.
pub fn init(verbose: bool) -> Option<PathBuf> {
    let filter = |default: &str| {
        EnvFilter::try_from_env("MEDIADESK_LOG")
            .or_else(|_| EnvFilter::try_from_default_env())
            .unwrap_or_else(|_| EnvFilter::new(default))
    };
    let (to_stderr, to_file) =
        if verbose { ("mediadesk=debug,warn", "mediadesk=debug,warn") } else { ("warn", "mediadesk=info,warn") };
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(filter(to_stderr));
    let dir = dir();
    let file = dir.as_deref().and_then(file_writer).map(|w| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(w))
            .with_filter(filter(to_file))
    });
    let path = file.as_ref().and(dir).map(|d| d.join(FILE));
    // Another subscriber already set (a test harness) is not an error worth stopping for.
    let _ = tracing_subscriber::registry().with(stderr).with(file).try_init();
    path
}

/// The last `n` lines of the log file at `path` (read from its end: the file may be megabytes).
pub fn last_lines(path: &Path, n: usize) -> Vec<String> {
    const TAIL: u64 = 64 * 1024;
    let Ok(mut f) = std::fs::File::open(path) else { return Vec::new() };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if f.seek(SeekFrom::Start(len.saturating_sub(TAIL))).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    if f.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // The first line may be cut by the seek.
    if len > TAIL && !lines.is_empty() {
        lines.remove(0);
    }
    let skip = lines.len().saturating_sub(n);
    lines.split_off(skip)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_log_file_rotates_and_stays_under_its_cap() {
        let dir = std::env::temp_dir().join(format!("mediadesk-logging-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut w = file_writer(&dir).unwrap();
        let line = format!("{}\n", "x".repeat(999));
        for _ in 0..(MAX_BYTES * (KEPT + 3) / 1000) {
            w.write_all(line.as_bytes()).unwrap();
        }
        w.flush().unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(files.len(), KEPT + 1, "the current file and {KEPT} older ones");
        let total: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();
        assert!(total <= ((KEPT + 1) * (MAX_BYTES + 1000)) as u64, "{total} bytes");
        let tail = last_lines(&dir.join(FILE), 3);
        assert_eq!(tail.len(), 3);
        assert!(tail.iter().all(|l| l.len() == 999), "whole lines from the end");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unwritable_folder_gives_no_file_and_no_panic() {
        let file = std::env::temp_dir().join(format!("mediadesk-logging-file-{}", std::process::id()));
        std::fs::write(&file, b"a file, not a folder").unwrap();
        assert!(file_writer(&file.join("logs")).is_none());
        assert!(last_lines(&file.join("nothing.log"), 5).is_empty());
        let _ = std::fs::remove_file(&file);
    }
}
