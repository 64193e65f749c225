//! `mediadesk doctor` says, check by check, what a first run needs and how to fix what is
//! missing; the store check starts the sandbox and asks it.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

fn doctor(env: &[(&str, &str)], unset: &[&str]) -> (i32, Vec<Value>, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"));
    cmd.arg("doctor").env_remove("MEDIADESK_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    for k in unset {
        cmd.env_remove(k);
    }
    let out = cmd.output().unwrap();
    let lines = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (out.status.code().unwrap_or(-1), lines, String::from_utf8(out.stderr).unwrap())
}

fn check<'a>(lines: &'a [Value], name: &str) -> &'a Value {
    lines.iter().find(|l| l["check"] == name).unwrap_or_else(|| panic!("no {name} line in {lines:?}"))
}

#[test]
fn doctor_names_what_is_missing_and_how_to_fix_it() {
    let scratch = std::env::temp_dir().join(format!("mediadesk-doctor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    // A file where the data folder should be: it cannot be written.
    let blocked = scratch.join("not-a-folder");
    std::fs::write(&blocked, b"x").unwrap();
    let logs = scratch.join("logs");
    let (code, lines, stderr) = doctor(
        &[
            ("MEDIADESK_DATA_DIR", blocked.join("data").to_str().unwrap()),
            ("MEDIADESK_LOG_DIR", logs.to_str().unwrap()),
        ],
        &["DISPLAY", "WAYLAND_DISPLAY"],
    );
    assert_eq!(code, 1, "something is missing: {stderr}");
    let names: Vec<&str> = lines.iter().map(|l| l["check"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["display", "opengl", "keyboard", "keyring", "data folder", "cache folder", "log folder", "store"]
    );
    let display = check(&lines, "display");
    assert_eq!(display["ok"], false);
    assert!(display["message"].as_str().unwrap().contains("neither WAYLAND_DISPLAY nor DISPLAY is set"));
    assert!(display["fix"].as_str().unwrap().contains("desktop session"));
    let data = check(&lines, "data folder");
    assert_eq!(data["ok"], false);
    assert!(data["message"].as_str().unwrap().contains("cannot be written"), "{data}");
    assert!(data["fix"].as_str().unwrap().contains("writable"));
    assert_eq!(check(&lines, "log folder")["ok"], true);
    // The sandbox is started and answers.
    assert_eq!(check(&lines, "store")["ok"], true, "{stderr}");
    assert!(check(&lines, "store")["message"].as_str().unwrap().contains("sandbox answers"));
    // Every line that is not fine says how to fix it; the words are on stderr too.
    for l in &lines {
        assert_eq!(l["ok"] == false, l.get("fix").is_some(), "{l}");
    }
    assert!(stderr.contains("MISSING  display:") && stderr.contains("To fix:"), "{stderr}");

    // With a display and a writable folder, those two are fine.
    let (_, lines, _) = doctor(
        &[
            ("MEDIADESK_DATA_DIR", scratch.join("data").to_str().unwrap()),
            ("MEDIADESK_LOG_DIR", logs.to_str().unwrap()),
            ("DISPLAY", ":42"),
        ],
        &["WAYLAND_DISPLAY"],
    );
    assert_eq!(check(&lines, "display")["message"], "X11 (:42)");
    assert_eq!(check(&lines, "data folder")["ok"], true);
    let _ = std::fs::remove_dir_all(&scratch);
}
