//! The file mutations: `fileUpdate` (alt, name, references, replacing the source), `fileDelete`
//! and `fileAcknowledgeUpdateFailed`.

use std::time::SystemTime;

use serde_json::{Value, json};

use super::processing::{Source, process, read_source};

use super::{ALT_MAX, MEDIA_PER_PRODUCT, errors, file_id, list, product_id, record, str_arg, user_error};
use crate::sandbox::shopify::objects::{Ctx, Obj, Val};
use crate::sandbox::state::{FileKind, Pending, Pixels, State, Status};

/// The `FILE_DOES_NOT_EXIST` error for ids that name no file, as one error for the batch.
fn missing_files(st: &State, gids: &[&str], field: &str) -> Option<Value> {
    let missing: Vec<&str> = gids.iter().copied().filter(|g| file_id(st, g).is_none()).collect();
    (!missing.is_empty()).then(|| {
        user_error(
            &[field],
            format!("File id {} does not exist.", serde_json::to_string(&missing).unwrap_or_default()),
            Some("FILE_DOES_NOT_EXIST"),
        )
    })
}

pub(super) fn file_update<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |files: Val<'c>, errs: Vec<Value>| {
        record("FileUpdatePayload", vec![("files", files), ("userErrors", errors(errs))])
    };
    let mut st = ctx.state.borrow_mut();
    let inputs = list(a, "files");
    let gids: Vec<&str> = inputs.iter().map(|f| str_arg(f, "id").unwrap_or("")).collect();
    if let Some(e) = missing_files(&st, &gids, "files") {
        return payload(Val::List(vec![]), vec![e]);
    }
    let mut errs = Vec::new();
    let mut updated = Vec::new();
    let now = SystemTime::now();
    for (i, input) in inputs.iter().enumerate() {
        let i = i.to_string();
        // Every id was checked before the loop; one gone meanwhile is skipped.
        let Some(id) = gids.get(i.parse::<usize>().unwrap_or(0)).and_then(|g| file_id(&st, g)) else { continue };
        let alt = str_arg(input, "alt");
        let filename = str_arg(input, "filename");
        let original = str_arg(input, "originalSource");
        let preview = str_arg(input, "previewImageSource");
        let adds: Vec<&str> = list(input, "referencesToAdd").iter().filter_map(Value::as_str).collect();
        let removes: Vec<&str> = list(input, "referencesToRemove").iter().filter_map(Value::as_str).collect();
        let error = file_update_error(ctx, &st, &i, id, input);
        if let Some(e) = error {
            errs.push(e);
            continue;
        }
        let source = original.and_then(|u| read_source(ctx, &st, u));
        let preview_src = preview.and_then(|u| read_source(ctx, &st, u));
        let add_ids: Vec<u64> = adds.iter().filter_map(|g| product_id(&st, g)).collect();
        let remove_ids: Vec<u64> = removes.iter().filter_map(|g| product_id(&st, g)).collect();
        for p in add_ids {
            let Some(prod) = st.products.get_mut(&p) else { continue };
            if !prod.media.contains(&id) {
                prod.media.push(id);
                prod.updated_at = now;
            }
        }
        for p in remove_ids {
            let Some(prod) = st.products.get_mut(&p) else { continue };
            prod.media.retain(|m| *m != id);
            prod.updated_at = now;
        }
        let timings = ctx.config.timings;
        let Some(f) = st.files.get_mut(&id) else { continue };
        if let Some(alt) = alt {
            f.alt = alt.to_string();
        }
        if let Some(name) = filename {
            f.filename = name.to_string();
        }
        if let Some(src) = source {
            // New content keeps the id and URL; it is processed again before it shows.
            let p = process(f.kind, src);
            if let Some(px) = p.pixels {
                f.pixels = Some(px);
                (f.width, f.height, f.size) = (p.width, p.height, p.size);
            }
            f.version += 1;
            f.status = Status::Processing;
            f.pending =
                Some(Pending { processing_at: ctx.now, done_at: ctx.now + timings.to_done, failure: p.failure });
        }
        if let Some(Source::Pixels { pixels, .. }) = preview_src {
            f.pixels = Some(pixels);
            f.version += 1;
        } else if let Some(Source::Bytes { bytes, .. }) = preview_src
            && image::load_from_memory(&bytes).is_ok()
        {
            f.pixels = Some(Pixels::Uploaded(bytes));
            f.version += 1;
        }
        f.updated_at = now;
        updated.push(id);
    }
    payload(Val::List(updated.into_iter().map(|id| Val::Obj(Obj::File(ctx, id))).collect()), errs)
}

/// Why one `FileUpdateInput` is refused, checked in Shopify's order; `None` when it is fine.
fn file_update_error(ctx: &Ctx, st: &State, i: &str, id: u64, input: &Value) -> Option<Value> {
    let f = &st.files[&id];
    let alt = str_arg(input, "alt");
    let filename = str_arg(input, "filename");
    let original = str_arg(input, "originalSource");
    let preview = str_arg(input, "previewImageSource");
    let adds: Vec<&str> = list(input, "referencesToAdd").iter().filter_map(Value::as_str).collect();
    let removes: Vec<&str> = list(input, "referencesToRemove").iter().filter_map(Value::as_str).collect();
    let media_kind = matches!(f.kind, FileKind::Video | FileKind::Model3d | FileKind::ExternalVideo);
    if f.status != Status::Ready {
        Some(user_error(&["files", i, "id"], "Non-ready files cannot be updated.", Some("NON_READY_STATE")))
    } else if alt.is_some_and(|t| t.chars().count() > ALT_MAX) {
        Some(user_error(
            &["files", i, "alt"],
            format!("The alt value exceeds the maximum limit of {ALT_MAX} characters."),
            Some("ALT_VALUE_LIMIT_EXCEEDED"),
        ))
    } else if original.is_some() && preview.is_some() {
        Some(user_error(
            &["files", i],
            "originalSource and previewImageSource cannot be updated at the same time.",
            Some("INVALID"),
        ))
    } else if filename.is_some() && media_kind {
        Some(user_error(
            &["files", i, "filename"],
            "Filenames of videos and 3D models cannot be updated.",
            Some("UNSUPPORTED_MEDIA_TYPE_FOR_FILENAME_UPDATE"),
        ))
    } else if filename.is_some_and(|n| {
        n.rsplit_once('.').map(|(_, e)| e.to_lowercase()) != f.filename.rsplit_once('.').map(|(_, e)| e.to_lowercase())
    }) {
        Some(user_error(
            &["files", i, "filename"],
            "The filename extension provided must match the original filename.",
            Some("INVALID_FILENAME_EXTENSION"),
        ))
    } else if filename.is_some_and(|n| n.contains('/') || n.contains('\\') || n.starts_with('.') || n.trim().is_empty())
    {
        Some(user_error(&["files", i, "filename"], "The filename is invalid.", Some("INVALID_FILENAME")))
    } else if filename.is_some_and(|n| st.files.values().any(|o| o.id != id && o.filename.eq_ignore_ascii_case(n))) {
        Some(user_error(
            &["files", i, "filename"],
            "A file with this name already exists.",
            Some("FILENAME_ALREADY_EXISTS"),
        ))
    } else if original.is_some() && media_kind {
        Some(user_error(
            &["files", i, "originalSource"],
            "The content of videos and 3D models cannot be replaced.",
            Some("INVALID"),
        ))
    } else if original.is_some_and(|u| read_source(ctx, st, u).is_none()) {
        Some(user_error(
            &["files", i, "originalSource"],
            "The image source URL is invalid.",
            Some("INVALID_IMAGE_SOURCE_URL"),
        ))
    } else if preview.is_some() && f.kind == FileKind::Image {
        Some(user_error(
            &["files", i, "previewImageSource"],
            "Preview images can only be set on videos and 3D models.",
            Some("INVALID"),
        ))
    } else if (!adds.is_empty() || !removes.is_empty()) && f.kind == FileKind::Generic {
        Some(user_error(
            &["files", i, "referencesToAdd"],
            "Generic files cannot be referenced by products.",
            Some("UNSUPPORTED_FILE_REFERENCE"),
        ))
    } else if let Some(bad) = adds.iter().chain(&removes).find(|g| product_id(st, g).is_none()) {
        let key = if adds.contains(bad) { "referencesToAdd" } else { "referencesToRemove" };
        Some(user_error(
            &["files", i, key],
            format!("The reference target {bad} does not exist."),
            Some("REFERENCE_TARGET_DOES_NOT_EXIST"),
        ))
    } else {
        adds.iter()
            .find(|g| {
                product_id(st, g).is_some_and(|p| {
                    !st.products[&p].media.contains(&id) && st.products[&p].media.len() >= MEDIA_PER_PRODUCT
                })
            })
            .map(|full| {
                user_error(
                    &["files", i, "referencesToAdd"],
                    format!("Product {full} already has {MEDIA_PER_PRODUCT} media."),
                    Some("PRODUCT_MEDIA_LIMIT_EXCEEDED"),
                )
            })
    }
}

pub(super) fn file_delete<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |ids: Value, errs: Vec<Value>| {
        record("FileDeletePayload", vec![("deletedFileIds", Val::Json(ids)), ("userErrors", errors(errs))])
    };
    let mut st = ctx.state.borrow_mut();
    let gids: Vec<&str> = list(a, "fileIds").iter().map(|v| v.as_str().unwrap_or("")).collect();
    if let Some(e) = missing_files(&st, &gids, "fileIds") {
        return payload(Value::Null, vec![e]);
    }
    let mut deleted = Vec::new();
    let mut errs = Vec::new();
    for (i, g) in gids.iter().enumerate() {
        let Some(id) = file_id(&st, g) else { continue };
        if matches!(st.files[&id].status, Status::Uploaded | Status::Processing) {
            errs.push(user_error(
                &["fileIds", &i.to_string()],
                format!("File {g} is being processed and cannot be deleted yet."),
                Some("FILE_LOCKED"),
            ));
            continue;
        }
        st.files.remove(&id);
        for p in st.products.values_mut() {
            if p.media.contains(&id) {
                p.media.retain(|m| *m != id);
                p.updated_at = SystemTime::now();
            }
        }
        deleted.push(g.to_string());
    }
    payload(json!(deleted), errs)
}

pub(super) fn file_acknowledge<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |files: Val<'c>, errs: Vec<Value>| {
        record("FileAcknowledgeUpdateFailedPayload", vec![("files", files), ("userErrors", errors(errs))])
    };
    let mut st = ctx.state.borrow_mut();
    let gids: Vec<&str> = list(a, "fileIds").iter().map(|v| v.as_str().unwrap_or("")).collect();
    if let Some(e) = missing_files(&st, &gids, "fileIds") {
        return payload(Val::Json(Value::Null), vec![e]);
    }
    let mut done = Vec::new();
    let mut errs = Vec::new();
    for (i, g) in gids.iter().enumerate() {
        let Some(id) = file_id(&st, g) else { continue };
        let Some(f) = st.files.get_mut(&id) else { continue };
        match f.status {
            Status::Failed | Status::Ready => {
                f.status = Status::Ready;
                f.errors.clear();
                done.push(id);
            }
            _ => errs.push(user_error(
                &["fileIds", &i.to_string()],
                format!("File {g} is still being processed."),
                Some("NON_READY_STATE"),
            )),
        }
    }
    payload(Val::List(done.into_iter().map(|id| Val::Obj(Obj::File(ctx, id))).collect()), errs)
}
