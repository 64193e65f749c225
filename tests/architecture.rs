//! The import rules of ARCHITECTURE.md, checked on the source: the layers import downwards
//! only, the window never names a platform, the sandbox stands alone, and no two modules import
//! each other.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every source file under `src/`, as `(module path, text)`: `ui::app`, `store::shopify`…
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let mut name = rel.to_string_lossy().replace('/', "::");
            if name.ends_with("::mod") {
                name.truncate(name.len() - 5);
            }
            if name == "lib" || name == "main" {
                name = "crate".into();
            }
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The modules a module's text names through `crate::`, `super::` or `self::` paths.
fn imports(module: &str, text: &str, all: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in text.match_indices(start) {
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let path: String =
                text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':').collect();
            let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            let mut base: Vec<&str> = match parts[0] {
                "crate" => Vec::new(),
                _ => module.split("::").collect(),
            };
            if parts[0] == "crate" || parts[0] == "self" {
                parts.remove(0);
            }
            while parts.first() == Some(&"super") {
                parts.remove(0);
                base.pop();
            }
            let mut candidate: Vec<&str> = base.into_iter().chain(parts).collect();
            while !candidate.is_empty() {
                let name = candidate.join("::");
                if all.contains(&name) {
                    if name != module
                        && !module.starts_with(&format!("{name}::"))
                        && !name.starts_with(&format!("{module}::"))
                    {
                        out.insert(name);
                    }
                    break;
                }
                candidate.pop();
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let names: BTreeSet<String> = mods.keys().cloned().collect();
    mods.iter().map(|(m, t)| (m.clone(), imports(m, t, &names))).collect()
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap()
}

#[test]
fn no_two_modules_import_each_other() {
    let g = graph();
    let mutual: Vec<(String, String)> = g
        .iter()
        .flat_map(|(a, deps)| deps.iter().filter(|b| *a < **b && g[*b].contains(a)).map(|b| (a.clone(), b.clone())))
        .collect();
    assert!(mutual.is_empty(), "these modules import each other: {mutual:?}");
}

#[test]
fn layers_import_downwards_only() {
    // Who may import whom, by top-level module (ARCHITECTURE.md).
    let allowed: &[(&str, &[&str])] = &[
        ("ui", &["engine", "store", "model", "audit", "order", "text", "secrets", "disk_cache", "time", "logging"]),
        (
            "engine",
            &[
                "store",
                "model",
                "secrets",
                "thumbs",
                "disk_cache",
                "sync",
                "catalog",
                "journal",
                "text",
                "time",
                "audit",
            ],
        ),
        ("store", &["model", "secrets", "filetype", "order", "rng", "shopify_rules", "sync", "time"]),
        ("sandbox", &["filetype", "order", "rng", "shopify_rules", "sync", "time"]),
        (
            "cli",
            &[
                "store",
                "model",
                "secrets",
                "text",
                "rng",
                "sandbox",
                "sync",
                "catalog",
                "journal",
                "time",
                "logging",
                "disk_cache",
                "audit",
            ],
        ),
        ("catalog", &["store", "model", "sync", "time", "audit"]),
        ("journal", &["catalog", "model", "store", "sync", "time"]),
        ("time", &[]),
        ("thumbs", &["disk_cache"]),
        ("secrets", &["model"]),
        ("order", &["rng"]),
        ("audit", &["model"]),
        ("model", &[]),
        ("filetype", &[]),
        ("shopify_rules", &[]),
        ("text", &[]),
        ("rng", &[]),
        ("disk_cache", &[]),
        ("sync", &[]),
        ("logging", &[]),
    ];
    let mut wrong = Vec::new();
    for (module, deps) in graph() {
        let from = top(&module);
        if from == "crate" {
            continue;
        }
        let Some((_, may)) = allowed.iter().find(|(m, _)| *m == from) else {
            wrong.push(format!("{module} is in no layer of ARCHITECTURE.md"));
            continue;
        };
        for dep in deps {
            let to = top(&dep);
            if to != from && !may.contains(&to) {
                wrong.push(format!("{module} imports {dep}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

#[test]
fn the_window_and_the_engine_never_name_a_platform_and_only_the_sandbox_command_names_the_sandbox() {
    for (module, text) in modules() {
        if top(&module) == "ui" || top(&module) == "engine" {
            for banned in ["store::shopify", "store::ecwid", "Platform::", "crate::sandbox"] {
                assert!(!text.contains(banned), "{module} names {banned}");
            }
        }
        let may_name_sandbox = top(&module) == "sandbox" || top(&module) == "cli" || module == "crate";
        if !may_name_sandbox {
            assert!(!text.contains("crate::sandbox"), "{module} imports the sandbox");
        }
        if top(&module) == "sandbox" {
            assert!(!text.contains("crate::store"), "{module}: the sandbox imports nothing of the client");
        }
    }
}
