//! The store-wide audit and its bulk fixes from the command line, against the sandbox over
//! HTTP: the audit's counts agree with counts the test makes from the store's own data; a CSV
//! export edited in three rows imports exactly those three (and reports, not overwrites, a
//! row changed on the store since); a template fixes every finding of a rule, and one undo
//! takes the whole batch back.
// Tests and benches unwrap: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use mediadesk::sandbox::Sandbox;
use serde_json::Value;

struct Run {
    code: i32,
    lines: Vec<Value>,
    stderr: String,
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mediadesk-cli-audit-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn run(sandbox: &Sandbox, data: &Path, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"));
    cmd.args(["--store", "sandbox", "--endpoint", &sandbox.url(), "--data-dir", data.to_str().unwrap()]).args(args);
    cmd.env("MEDIADESK_TOKEN", sandbox.token());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        lines: stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"))).collect(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn folded(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Per-rule counts for four rules, made from the sandbox's own records with the rules'
/// definitions written out again here: blank texts, texts that are only the title, texts
/// shared with another media of the product, and English lead-ins.
fn counted_from_the_store(sb: &Sandbox) -> (usize, BTreeMap<&'static str, usize>) {
    let state = sb.state();
    let st = state.lock().unwrap();
    let mut media = 0;
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for p in st.products.values() {
        let alts: Vec<String> = p.media.iter().map(|m| st.files[m].alt.clone()).collect();
        for (i, alt) in alts.iter().enumerate() {
            media += 1;
            let f = folded(alt);
            let mut hit = |rule| *counts.entry(rule).or_default() += 1;
            if f.is_empty() {
                hit("missing");
                continue;
            }
            if f == folded(&p.title) {
                hit("title-only");
            }
            if alts.iter().enumerate().any(|(j, o)| j != i && folded(o) == f) {
                hit("duplicate");
            }
            if ["image of ", "photo of ", "picture of ", "an image of ", "a photo of ", "a picture of "]
                .iter()
                .any(|l| f.starts_with(l))
            {
                hit("lead-in");
            }
        }
    }
    (media, counts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_counts_what_the_store_holds() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("counts");
    // An empty catalog is synced first.
    let r = run(&sb, &data, &["audit"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("syncing it first"), "{}", r.stderr);
    let summary = r.lines.last().unwrap();
    let (media, counts) = counted_from_the_store(&sb);
    assert_eq!(summary["media"].as_u64(), Some(media as u64));
    for (rule, n) in &counts {
        assert_eq!(summary["rules"][rule].as_u64(), Some(*n as u64), "{rule}: {summary}");
    }
    assert!(counts.values().all(|n| *n > 0), "the sandbox has every one of these: {counts:?}");
    // Every listed media has a finding, and the lines agree with the summary.
    assert_eq!(r.lines.len() - 1, summary["listed"].as_u64().unwrap() as usize);
    let passing = summary["passing"].as_u64().unwrap();
    assert_eq!(passing + summary["listed"].as_u64().unwrap(), media as u64);
    let score = summary["score"].as_f64().unwrap();
    assert!((score - 100.0 * passing as f64 / media as f64).abs() < 0.06, "{score}");

    // One rule, errors only, CSV: the filters hold.
    let only = run(&sb, &data, &["audit", "--rule", "lead-in"]).await;
    assert_eq!(only.lines.len() - 1, counts["lead-in"]);
    assert!(only.lines[..only.lines.len() - 1].iter().all(|l| l["findings"].as_array().unwrap().len() == 1));
    let errors = run(&sb, &data, &["audit", "--min-severity", "error"]).await;
    assert!(
        errors.lines[..errors.lines.len() - 1].iter().all(|l| l["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "error"))
    );
    assert!(errors.lines.len() > counts["missing"], "every blank text is an error");
    let unknown = run(&sb, &data, &["audit", "--rule", "nope"]).await;
    assert_eq!(unknown.code, 2, "refused before anything is read");
    assert!(unknown.stderr.contains("there is no rule \"nope\"") && unknown.stderr.contains("lead-in"));
    let rules = run(&sb, &data, &["audit", "--rule", "list"]).await;
    assert_eq!(rules.lines.len(), mediadesk::audit::RULES.len());

    // With the store gone, the audit still answers from the catalog.
    let url = sb.url();
    drop(sb);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"));
    cmd.args(["--store", "sandbox", "--endpoint", &url, "--data-dir", data.to_str().unwrap(), "audit"]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Rows of a CSV file as header → cell maps (the file as written by `alt export`).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark for spreadsheets");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>], delimiter: u8) {
    let mut w =
        csv::WriterBuilder::new().delimiter(delimiter).terminator(csv::Terminator::CRLF).from_path(path).unwrap();
    w.write_record(header).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

fn numeric(gid: &str) -> u64 {
    gid.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_export_imports_exactly_its_changed_rows() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("csv");
    let file = data.join("alts.csv");
    let e = run(&sb, &data, &["alt", "export", file.to_str().unwrap()]).await;
    assert_eq!(e.code, 0, "{}", e.stderr);
    let (header, mut rows) = read_csv(&file);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (media_col, alt_col, new_col) = (col("media_id"), col("alt"), col("new_alt"));
    assert_eq!(rows.len(), counted_from_the_store(&sb).0);
    // Three rows get a new text (one with a line break, as a spreadsheet cell may hold); a
    // fourth is changed in the admin after the export; a fifth repeats the current text.
    let images: Vec<usize> = (0..rows.len()).filter(|i| rows[*i][media_col].contains("MediaImage")).take(6).collect();
    let new_texts = [
        "Linen tote on a shoulder, front view",
        "Blue mug on an oak table,\r\nseen from the side",
        "Steel watch face, close up",
    ];
    for (i, text) in images.iter().zip(new_texts) {
        rows[*i][new_col] = text.to_string();
    }
    rows[images[3]][new_col] = "A text that must not land".into();
    rows[images[4]][new_col] = rows[images[4]][alt_col].clone();
    let conflicted = numeric(&rows[images[3]][media_col]);
    sb.state().lock().unwrap().files.get_mut(&conflicted).unwrap().alt = "Written in the admin meanwhile".into();
    // A sixth is deleted on the store after the export; a row names a media nobody has.
    rows[images[5]][new_col] = "A text for a file that is gone".into();
    let gone = numeric(&rows[images[5]][media_col]);
    {
        let st = sb.state();
        let mut st = st.lock().unwrap();
        st.files.remove(&gone);
        for p in st.products.values_mut() {
            p.media.retain(|m| *m != gone);
        }
    }
    let mut stranger = rows[images[0]].clone();
    stranger[media_col] = "gid://shopify/MediaImage/987654321".into();
    stranger[new_col] = "A text for nobody's file".into();
    rows.push(stranger);
    // Saved the way European spreadsheets save: semicolons.
    write_csv(&file, &header, &rows, b';');

    let before: BTreeMap<u64, String> =
        sb.state().lock().unwrap().files.iter().map(|(id, f)| (*id, f.alt.clone())).collect();
    let dry = run(&sb, &data, &["alt", "import", file.to_str().unwrap(), "--dry-run"]).await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let status = |lines: &[Value], s: &str| -> BTreeSet<String> {
        lines.iter().filter(|l| l["status"] == s).map(|l| l["media"].as_str().unwrap().to_string()).collect()
    };
    let changed: BTreeSet<String> = images[..3].iter().map(|i| rows[*i][media_col].clone()).collect();
    assert_eq!(status(&dry.lines, "changed"), changed);
    assert_eq!(status(&dry.lines, "changed_on_store"), [rows[images[3]][media_col].clone()].into());
    assert_eq!(status(&dry.lines, "unchanged").len(), 1);
    assert_eq!(
        status(&dry.lines, "unknown_id"),
        [rows[images[5]][media_col].clone(), "gid://shopify/MediaImage/987654321".to_string()].into()
    );
    let after_dry: BTreeMap<u64, String> =
        sb.state().lock().unwrap().files.iter().map(|(id, f)| (*id, f.alt.clone())).collect();
    assert_eq!(before, after_dry, "a dry run sends nothing");
    // The same file piped in (`-`): the same verdicts.
    let piped = {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mediadesk"));
        cmd.args(["--store", "sandbox", "--endpoint", &sb.url(), "--data-dir", data.to_str().unwrap()]);
        cmd.args(["alt", "import", "-", "--dry-run"]).env("MEDIADESK_TOKEN", sb.token());
        cmd.stdin(std::fs::File::open(&file).unwrap());
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(piped, dry.lines, "read from stdin as from the file");

    let import = run(&sb, &data, &["alt", "import", file.to_str().unwrap()]).await;
    assert_eq!(import.code, 1, "a row was not sent: {}", import.stderr);
    let saved: BTreeSet<String> =
        import.lines.iter().filter(|l| l["saved"] == true).map(|l| l["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(saved, changed);
    let st = sb.state().lock().unwrap().files.iter().map(|(id, f)| (*id, f.alt.clone())).collect::<BTreeMap<_, _>>();
    for (id, alt) in &st {
        let expected = match changed.iter().position(|m| numeric(m) == *id) {
            Some(k) => new_texts[k].split_whitespace().collect::<Vec<_>>().join(" "),
            None => before[id].clone(),
        };
        assert_eq!(alt, &expected, "media {id}");
    }
    assert_eq!(st[&conflicted], "Written in the admin meanwhile", "not overwritten");

    // One undo takes the three back.
    let undo = run(&sb, &data, &["undo"]).await;
    assert_eq!(undo.code, 0, "{}", undo.stderr);
    assert!(undo.stderr.contains("made with 2 others"), "{}", undo.stderr);
    let st = sb.state().lock().unwrap().files.iter().map(|(id, f)| (*id, f.alt.clone())).collect::<BTreeMap<_, _>>();
    for m in &changed {
        assert_eq!(st[&numeric(m)], before[&numeric(m)]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_fixes_a_rule_store_wide_and_one_undo_takes_it_back() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("template");
    let bad = run(&sb, &data, &["alt", "template", "{titel} view"]).await;
    assert_eq!(bad.code, 2, "refused before anything is read");
    assert!(bad.stderr.contains("{titel}"), "{}", bad.stderr);
    let audit = run(&sb, &data, &["audit", "--rule", "lead-in"]).await;
    let flagged: BTreeSet<String> =
        audit.lines[..audit.lines.len() - 1].iter().map(|l| l["media"].as_str().unwrap().to_string()).collect();
    assert!(flagged.len() > 3);
    let before: BTreeMap<u64, String> =
        sb.state().lock().unwrap().files.iter().map(|(id, f)| (*id, f.alt.clone())).collect();

    let template = "{title}, {variant}, view {position}";
    let dry = run(&sb, &data, &["alt", "template", template, "--rule", "lead-in", "--dry-run"]).await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let previewed = &dry.lines[..dry.lines.len() - 1];
    assert_eq!(previewed.iter().map(|l| l["media"].as_str().unwrap().to_string()).collect::<BTreeSet<_>>(), flagged);
    for l in previewed {
        assert!(l["new_alt"].as_str().unwrap().contains(", view "), "{l}");
        assert!(l["findings"].is_array(), "each new text with its own findings");
    }
    assert_eq!(dry.lines.last().unwrap()["would_change"].as_u64(), Some(flagged.len() as u64));

    let applied = run(&sb, &data, &["alt", "template", template, "--rule", "lead-in"]).await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    for l in previewed {
        let id = numeric(l["media"].as_str().unwrap());
        assert_eq!(sb.state().lock().unwrap().files[&id].alt, l["new_alt"].as_str().unwrap());
    }
    // The catalog is synced again: the rule has nothing left to say, and the sync kept the
    // better score as the history's newest point.
    let first_score = audit.lines.last().unwrap()["score"].as_f64().unwrap();
    let synced = run(&sb, &data, &["sync"]).await;
    let new_score = synced.lines.last().unwrap()["alt_text_score"].as_f64().unwrap();
    assert!(new_score > first_score, "{first_score} then {new_score}");
    let again = run(&sb, &data, &["audit", "--rule", "lead-in"]).await;
    let summary = again.lines.last().unwrap();
    assert_eq!(summary["listed"].as_u64(), Some(0), "{summary}");
    let history = summary["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["score"].as_f64(), Some(new_score), "{summary}");
    assert!(history.iter().all(|p| p["synced_at"].as_str().is_some_and(|t| t.ends_with('Z'))), "{summary}");

    let undo = run(&sb, &data, &["undo"]).await;
    assert_eq!(undo.code, 0, "{}", undo.stderr);
    let after: BTreeMap<u64, String> =
        sb.state().lock().unwrap().files.iter().map(|(id, f)| (*id, f.alt.clone())).collect();
    assert_eq!(after, before, "one undo takes back the whole batch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_ecwid_missing_translations_and_variations_own_images_are_found_and_an_import_keeps_translations() {
    let sb = common::sandbox_with(|_| {}).await;
    let data = scratch("ecwid");
    let ecwid = |args: &[&str]| common::run_ecwid(&sb, &data, args);
    // From the store's records: its languages are the translation slots any image has; an image
    // with a text and a blank or absent slot lacks a translation.
    let (languages, lacking) = {
        let state = sb.state();
        let st = state.lock().unwrap();
        let images: Vec<&mediadesk::sandbox::state::FileRec> = st
            .products
            .values()
            .flat_map(|p| p.media.iter().map(|m| &st.files[m]))
            .filter(|f| f.kind == mediadesk::sandbox::state::FileKind::Image)
            .collect();
        let languages: BTreeSet<String> = images.iter().flat_map(|f| f.alt_translated.keys().cloned()).collect();
        let lacking = images
            .iter()
            .filter(|f| !f.alt.trim().is_empty())
            .filter(|f| languages.iter().any(|l| f.alt_translated.get(l).is_none_or(|t| t.trim().is_empty())))
            .count();
        (languages, lacking)
    };
    assert!(!languages.is_empty(), "the sandbox's Ecwid store has other languages");
    let (code, lines, stderr) = tokio::task::block_in_place(|| ecwid(&["audit", "--rule", "translation-missing"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(lines.last().unwrap()["rules"]["translation-missing"].as_u64(), Some(lacking as u64));
    assert_eq!(lines.len() - 1, lacking);

    // An import on Ecwid: the new main text lands, the translations stay as they were.
    let file = data.join("ecwid.csv");
    let (code, _, stderr) = tokio::task::block_in_place(|| ecwid(&["alt", "export", file.to_str().unwrap()]));
    assert_eq!(code, 0, "{stderr}");
    let (header, mut rows) = read_csv(&file);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let translated = {
        let state = sb.state();
        let st = state.lock().unwrap();
        rows.iter()
            .position(|r| {
                r[col("media_id")]
                    .parse::<u64>()
                    .ok()
                    .and_then(|id| st.files.get(&id))
                    .is_some_and(|f| !f.alt_translated.is_empty())
            })
            .expect("an image with translations")
    };
    // Each variation with an image of its own (not the main image) is a row of its own.
    let variations: BTreeSet<String> =
        common::variations_with_own_images(&sb).into_iter().map(|(_, id)| format!("variation:{id}")).collect();
    assert!(!variations.is_empty(), "the sandbox's Ecwid store has variations with their own images");
    let listed: BTreeSet<String> =
        rows.iter().map(|r| r[col("media_id")].clone()).filter(|m| m.starts_with("variation:")).collect();
    assert_eq!(listed, variations);
    let id: u64 = rows[translated][col("media_id")].parse().unwrap();
    let kept = sb.state().lock().unwrap().files[&id].alt_translated.clone();
    rows[translated][col("new_alt")] = "Steel watch on a leather strap".into();
    // A variation's image is read, not written: its row says where to change it.
    let variation = rows.iter().position(|r| r[col("media_id")].starts_with("variation:")).unwrap();
    rows[variation][col("new_alt")] = "Red linen tote, front".into();
    write_csv(&file, &header, &rows, b',');
    let (code, lines, stderr) = tokio::task::block_in_place(|| ecwid(&["alt", "import", file.to_str().unwrap()]));
    assert_eq!(code, 1, "one row was not sent: {stderr}");
    assert!(lines.iter().any(|l| l["saved"] == true), "{lines:?}");
    let refused = lines.iter().find(|l| l["status"] == "invalid").unwrap();
    assert_eq!(refused["media"].as_str(), Some(rows[variation][col("media_id")].as_str()));
    assert!(refused["message"].as_str().unwrap().contains("Ecwid's control panel"), "{refused}");
    let st = sb.state();
    let f = &st.lock().unwrap().files[&id];
    assert_eq!((f.alt.as_str(), &f.alt_translated), ("Steel watch on a leather strap", &kept));
}
