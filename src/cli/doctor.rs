//! `mediadesk doctor`: what a first run needs, checked one by one, each said in plain words
//! with how to fix it: a display, OpenGL and the keyboard library for the window, the keyring
//! service, the data, cache and log folders writable, and the connected store answering.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Cli, Command, Exit, line};
use crate::store::StoreError;

/// One check's answer.
struct Check {
    /// What was checked, as a short key (`display`, `keyring`…).
    name: &'static str,
    /// Whether it is fine.
    ok: bool,
    /// What was found, in plain words.
    message: String,
    /// How to fix it, when it is not fine.
    fix: Option<String>,
}

impl Check {
    fn ok(name: &'static str, message: impl Into<String>) -> Check {
        Check { name, ok: true, message: message.into(), fix: None }
    }

    fn missing(name: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { name, ok: false, message: message.into(), fix: Some(fix.into()) }
    }
}

/// Run every check, print a JSON line for each (and plain words on stderr); exit 0 when all
/// are fine, 1 when something is missing.
pub fn run(cli: &Cli) -> Exit {
    let mut checks = vec![display(), opengl(), keyboard(), keyring()];
    let data = super::data_dir(cli).ok();
    checks.push(writable("data folder", data.as_deref(), "the local catalogs and the edit journals"));
    checks.push(writable("cache folder", crate::disk_cache::user_cache_dir().as_deref(), "thumbnails"));
    checks.push(writable("log folder", crate::logging::dir().as_deref(), "the log file"));
    checks.push(store(cli));
    let mut exit = Exit::Ok;
    for c in &checks {
        let mut v = json!({"check": c.name, "ok": c.ok, "message": c.message});
        if let Some(fix) = &c.fix {
            v["fix"] = json!(fix);
            exit = Exit::Failed;
        }
        line(v);
        match &c.fix {
            None => eprintln!("ok       {}: {}", c.name, c.message),
            Some(fix) => eprintln!("MISSING  {}: {}\n         To fix: {fix}", c.name, c.message),
        }
    }
    exit
}

/// The window needs a display server (X11 or Wayland) on Linux and the BSDs.
fn display() -> Check {
    if !cfg!(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd", target_os = "netbsd")) {
        return Check::ok("display", "the system's own window server");
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (var("WAYLAND_DISPLAY"), var("DISPLAY")) {
        (Some(w), _) => Check::ok("display", format!("Wayland ({w})")),
        (None, Some(x)) => Check::ok("display", format!("X11 ({x})")),
        (None, None) => Check::missing(
            "display",
            "no display: neither WAYLAND_DISPLAY nor DISPLAY is set, so the window cannot open (the commands work)",
            "start mediadesk from a desktop session; over SSH use `ssh -X`, or use the commands (`mediadesk --help`)",
        ),
    }
}

/// Where Linux keeps shared libraries, for this machine's architecture.
fn library_dirs() -> Vec<PathBuf> {
    let arch = std::env::consts::ARCH;
    [
        format!("/usr/lib/{arch}-linux-gnu"),
        format!("/lib/{arch}-linux-gnu"),
        "/usr/lib64".into(),
        "/lib64".into(),
        "/usr/lib".into(),
        "/lib".into(),
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect()
}

/// The first of `names` found in the library folders.
fn find_library(names: &[&str]) -> Option<PathBuf> {
    library_dirs().into_iter().flat_map(|d| names.iter().map(move |n| d.join(n))).find(|p| p.exists())
}

/// A library the window opens on Linux, as check `name`: `what` found in the library folders,
/// or `missing` (what the window cannot do without it) and how to install it.
fn library(name: &'static str, files: &[&str], what: &str, missing: &str, fix: &str) -> Check {
    if !cfg!(target_os = "linux") {
        return Check::ok(name, "provided by the system");
    }
    match find_library(files) {
        Some(p) => Check::ok(name, format!("{what} is there ({})", p.display())),
        None => Check::missing(name, missing, fix),
    }
}

/// The window draws with OpenGL: on Linux it needs the GL or EGL loader.
fn opengl() -> Check {
    library(
        "opengl",
        &["libEGL.so.1", "libGL.so.1"],
        "the OpenGL loader",
        "no OpenGL loader (libEGL.so.1 or libGL.so.1): the window cannot draw",
        "install it: `sudo apt install libegl1 libgl1` (Debian, Ubuntu), `sudo dnf install libglvnd-egl` (Fedora)",
    )
}

/// The window reads the keyboard through xkbcommon on Linux.
fn keyboard() -> Check {
    library(
        "keyboard",
        &["libxkbcommon.so.0"],
        "xkbcommon",
        "no libxkbcommon.so.0: the window cannot read the keyboard",
        "install it: `sudo apt install libxkbcommon0 libxkbcommon-x11-0` (Debian, Ubuntu), `sudo dnf install libxkbcommon` (Fedora)",
    )
}

/// Tokens are kept in the system's keyring; asking it for an entry that is not there tells
/// whether it answers.
fn keyring() -> Check {
    match crate::secrets::probe() {
        Ok(()) => Check::ok("keyring", "the system's keyring answers"),
        Err(e) => Check::missing(
            "keyring",
            format!("the system's keyring does not answer: saved tokens cannot be kept ({e})"),
            if cfg!(target_os = "linux") {
                "start a Secret Service: GNOME Keyring (`sudo apt install gnome-keyring`) or KeePassXC with its \
                 Secret Service on; meanwhile pass the token in MEDIADESK_TOKEN"
            } else {
                "unlock the system's keychain; meanwhile pass the token in MEDIADESK_TOKEN"
            },
        ),
    }
}

/// A folder mediadesk keeps `what` in: made if needed, and a file written and removed.
fn writable(name: &'static str, dir: Option<&Path>, what: &str) -> Check {
    let Some(dir) = dir else {
        return Check::missing(
            name,
            format!("no {name} is known for this user (no home folder?): {what} cannot be kept"),
            "set HOME, or pass --data-dir",
        );
    };
    let probe = dir.join(format!(".mediadesk-doctor-{}", std::process::id()));
    let result = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&probe, b"probe"));
    let _ = std::fs::remove_file(&probe);
    match result {
        Ok(()) => Check::ok(name, format!("{} is writable ({what})", dir.display())),
        Err(e) => Check::missing(
            name,
            format!("{} cannot be written ({e}): {what} cannot be kept", dir.display()),
            format!("make {} writable for this user, or free some disk space", dir.display()),
        ),
    }
}

/// The store answers: `--store` (the sandbox by default, started here for the check).
fn store(cli: &Cli) -> Check {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return Check::missing("store", format!("no async runtime ({e})"), "free some memory and try again"),
    };
    rt.block_on(async {
        let (store, _, _keep) = match super::open_store(cli, &Command::Doctor).await {
            Ok(opened) => opened,
            Err((message, _)) => {
                return Check::missing(
                    "store",
                    format!("{} cannot be opened: {message}", cli.store),
                    "connect it: `mediadesk --store shopify:SHOP connect` (the token on standard input)",
                );
            }
        };
        match store.connect().await {
            Ok(c) => Check::ok("store", format!("{} answers: {}", cli.store, c.name)),
            Err(e) => Check::missing("store", format!("{} does not answer: {e}", cli.store), fix_for(&e)),
        }
    })
}

/// How to fix a store that does not answer, by why.
fn fix_for(e: &StoreError) -> String {
    match e {
        StoreError::Auth { .. } | StoreError::MissingScope { .. } => {
            "the token was refused or lacks a permission: make a new one and run `mediadesk connect` again".into()
        }
        StoreError::Network { .. } => {
            "check the internet connection (and a proxy or firewall in between), then try again".into()
        }
        StoreError::Throttled { .. } | StoreError::Server { .. } => {
            "the store is busy or down: try again in a few minutes".into()
        }
        _ => "see the message; `mediadesk --verbose doctor` logs more".into(),
    }
}
