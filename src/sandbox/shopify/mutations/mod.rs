//! The sandbox's mutations: what each one checks, changes and answers, as Shopify documents it.
//! This file holds the shared helpers and the product mutations; staged uploads, creating media
//! from a source, and the file mutations have a module each.

use std::time::SystemTime;

use apollo_compiler::resolvers::FieldError;
use serde_json::{Value, json};

mod files;
mod processing;
mod staging;

use processing::{Source, create_media, read_source};
use staging::as_u64_lenient;

use super::objects::{Ctx, Obj, Val};
use crate::sandbox::state::{FileKind, JobRec, State, Status, gid, parse_gid};

/// Longest alt text Shopify stores.
pub const ALT_MAX: usize = 512;
/// Most media one product holds.
pub const MEDIA_PER_PRODUCT: usize = 250;

fn user_error(field: &[&str], message: impl Into<String>, code: Option<&str>) -> Value {
    let mut e = json!({"field": field, "message": message.into()});
    if let Some(code) = code {
        e["code"] = json!(code);
    }
    e
}

fn str_arg<'a>(a: &'a Value, key: &str) -> Option<&'a str> {
    a.get(key).and_then(Value::as_str)
}

fn list<'a>(a: &'a Value, key: &str) -> &'a [Value] {
    a.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn record<'c>(name: &'static str, fields: Vec<(&'static str, Val<'c>)>) -> Val<'c> {
    Val::Obj(Obj::Record(name, fields))
}

fn errors<'c>(errs: Vec<Value>) -> Val<'c> {
    Val::Json(Value::Array(errs))
}

/// The id of an existing product named by a GID.
fn product_id(st: &State, gid_text: &str) -> Option<u64> {
    match parse_gid(gid_text) {
        Some(("Product", id)) if st.products.contains_key(&id) => Some(id),
        _ => None,
    }
}

/// The id of an existing file named by a GID of its own type.
fn file_id(st: &State, gid_text: &str) -> Option<u64> {
    let (ty, id) = parse_gid(gid_text)?;
    st.files.get(&id).filter(|f| f.kind.type_name() == ty).map(|f| f.id)
}

/// Run one mutation field.
pub fn run<'c>(ctx: &'c Ctx, name: &str, a: &Value) -> Result<Val<'c>, FieldError> {
    Ok(match name {
        "stagedUploadsCreate" => staging::staged_uploads_create(ctx, a),
        "bulkOperationRunQuery" => super::bulk::run_query(ctx, a),
        "bulkOperationCancel" => super::bulk::cancel(ctx, a),
        "productUpdate" => product_update(ctx, a),
        "productCreateMedia" => product_create_media(ctx, a),
        "productUpdateMedia" => product_update_media(ctx, a),
        "productDeleteMedia" => product_delete_media(ctx, a),
        "productReorderMedia" => product_reorder_media(ctx, a),
        "fileUpdate" => files::file_update(ctx, a),
        "fileDelete" => files::file_delete(ctx, a),
        "fileAcknowledgeUpdateFailed" => files::file_acknowledge(ctx, a),
        other => {
            return Err(FieldError { message: format!("Field '{other}' doesn't exist on type 'Mutation'") });
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Editing media of a product (the deprecated product* mutations and the reorder job)

fn strip_code(errs: Vec<Value>) -> Vec<Value> {
    errs.into_iter()
        .map(|mut e| {
            if let Some(o) = e.as_object_mut() {
                o.remove("code");
            }
            e
        })
        .collect()
}

fn product_update<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let input = a.get("product").cloned().unwrap_or(Value::Null);
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(&input, "id").and_then(|g| product_id(&st, g)) else {
        return record(
            "ProductUpdatePayload",
            vec![
                ("product", Val::Json(Value::Null)),
                ("userErrors", errors(vec![user_error(&["id"], "Product does not exist", None)])),
            ],
        );
    };
    let (_, errs) = create_media(ctx, &mut st, pid, list(a, "media"), "media");
    if errs.is_empty()
        && let Some(p) = st.products.get_mut(&pid)
    {
        if let Some(t) = str_arg(&input, "title") {
            p.title = t.to_string();
        }
        if let Some(v) = str_arg(&input, "vendor") {
            p.vendor = v.to_string();
        }
        p.updated_at = SystemTime::now();
    }
    record(
        "ProductUpdatePayload",
        vec![("product", Val::Obj(Obj::Product(ctx, pid))), ("userErrors", errors(strip_code(errs)))],
    )
}

fn product_create_media<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(a, "productId").and_then(|g| product_id(&st, g)) else {
        let e = vec![user_error(&["productId"], "Product does not exist", Some("PRODUCT_DOES_NOT_EXIST"))];
        return record(
            "ProductCreateMediaPayload",
            vec![
                ("media", Val::Json(Value::Null)),
                ("product", Val::Json(Value::Null)),
                ("userErrors", errors(strip_code(e.clone()))),
                ("mediaUserErrors", errors(e)),
            ],
        );
    };
    let (created, errs) = create_media(ctx, &mut st, pid, list(a, "media"), "media");
    let media = if errs.is_empty() {
        Val::List(created.into_iter().map(|id| Val::Obj(Obj::File(ctx, id))).collect())
    } else {
        Val::Json(Value::Null)
    };
    record(
        "ProductCreateMediaPayload",
        vec![
            ("media", media),
            ("product", Val::Obj(Obj::Product(ctx, pid))),
            ("userErrors", errors(strip_code(errs.clone()))),
            ("mediaUserErrors", errors(errs)),
        ],
    )
}

/// Check that every media id exists and is on the product; the first problem as an error.
fn media_on_product(st: &State, pid: u64, ids: &[&str], field: &[&str]) -> Result<Vec<u64>, Value> {
    let product = &st.products[&pid];
    let mut out = Vec::new();
    for (i, g) in ids.iter().enumerate() {
        let mut path: Vec<String> = field.iter().map(|s| s.to_string()).collect();
        if field.len() > 1 {
            path.insert(1, i.to_string());
        }
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        match file_id(st, g) {
            None => {
                return Err(user_error(
                    &path[..1],
                    format!("Media id {g} does not exist"),
                    Some("MEDIA_DOES_NOT_EXIST"),
                ));
            }
            Some(id) if !product.media.contains(&id) => {
                return Err(user_error(
                    &path,
                    format!("Media id {g} does not exist on this product"),
                    Some("MEDIA_DOES_NOT_EXIST_ON_PRODUCT"),
                ));
            }
            Some(id) => out.push(id),
        }
    }
    Ok(out)
}

fn product_update_media<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |product: Val<'c>, media: Val<'c>, errs: Vec<Value>| {
        record(
            "ProductUpdateMediaPayload",
            vec![
                ("product", product),
                ("media", media),
                ("userErrors", errors(strip_code(errs.clone()))),
                ("mediaUserErrors", errors(errs)),
            ],
        )
    };
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(a, "productId").and_then(|g| product_id(&st, g)) else {
        return payload(
            Val::Json(Value::Null),
            Val::Json(Value::Null),
            vec![user_error(&["productId"], "Product does not exist", Some("PRODUCT_DOES_NOT_EXIST"))],
        );
    };
    let inputs = list(a, "media");
    let gids: Vec<&str> = inputs.iter().map(|m| str_arg(m, "id").unwrap_or("")).collect();
    let ids = match media_on_product(&st, pid, &gids, &["media"]) {
        Ok(ids) => ids,
        Err(e) => return payload(Val::Obj(Obj::Product(ctx, pid)), Val::Json(Value::Null), vec![e]),
    };
    for (i, (id, input)) in ids.iter().zip(inputs).enumerate() {
        let i = i.to_string();
        if st.files[id].status != Status::Ready {
            let e = user_error(&["media", &i, "id"], "Non-ready media cannot be updated.", Some("NON_READY_MEDIA"));
            return payload(Val::Obj(Obj::Product(ctx, pid)), Val::Json(Value::Null), vec![e]);
        }
        if str_arg(input, "alt").is_some_and(|alt| alt.chars().count() > ALT_MAX) {
            let e = user_error(
                &["media", &i, "alt"],
                format!("Alt is too long (maximum is {ALT_MAX} characters)"),
                Some("INVALID"),
            );
            return payload(Val::Obj(Obj::Product(ctx, pid)), Val::Json(Value::Null), vec![e]);
        }
    }
    let now = SystemTime::now();
    for (id, input) in ids.iter().zip(inputs) {
        let preview = str_arg(input, "previewImageSource").and_then(|u| read_source(ctx, &st, u));
        let Some(f) = st.files.get_mut(id) else { continue };
        if let Some(alt) = str_arg(input, "alt") {
            f.alt = alt.to_string();
        }
        if let Some(Source::Pixels { pixels, .. }) = preview {
            f.pixels = Some(pixels);
            f.version += 1;
        }
        f.updated_at = now;
    }
    payload(
        Val::Obj(Obj::Product(ctx, pid)),
        Val::List(ids.into_iter().map(|id| Val::Obj(Obj::File(ctx, id))).collect()),
        vec![],
    )
}

fn product_delete_media<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |product: Val<'c>, deleted: Value, image_ids: Value, errs: Vec<Value>| {
        record(
            "ProductDeleteMediaPayload",
            vec![
                ("product", product),
                ("deletedMediaIds", Val::Json(deleted)),
                ("deletedProductImageIds", Val::Json(image_ids)),
                ("userErrors", errors(strip_code(errs.clone()))),
                ("mediaUserErrors", errors(errs)),
            ],
        )
    };
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(a, "productId").and_then(|g| product_id(&st, g)) else {
        return payload(
            Val::Json(Value::Null),
            Value::Null,
            Value::Null,
            vec![user_error(&["productId"], "Product does not exist", Some("PRODUCT_DOES_NOT_EXIST"))],
        );
    };
    let gids: Vec<&str> = list(a, "mediaIds").iter().map(|v| v.as_str().unwrap_or("")).collect();
    let ids = match media_on_product(&st, pid, &gids, &["mediaIds"]) {
        Ok(ids) => ids,
        Err(e) => return payload(Val::Obj(Obj::Product(ctx, pid)), Value::Null, Value::Null, vec![e]),
    };
    if let Some(p) = st.products.get_mut(&pid) {
        p.media.retain(|m| !ids.contains(m));
        p.updated_at = SystemTime::now();
    }
    let image_ids: Vec<String> =
        ids.iter().filter(|id| st.files[id].kind == FileKind::Image).map(|id| gid("ProductImage", *id)).collect();
    let deleted: Vec<String> = ids.iter().map(|id| gid(st.files[id].kind.type_name(), *id)).collect();
    payload(Val::Obj(Obj::Product(ctx, pid)), json!(deleted), json!(image_ids), vec![])
}

fn product_reorder_media<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let payload = |job: Value, errs: Vec<Value>| {
        record(
            "ProductReorderMediaPayload",
            vec![
                ("job", Val::Json(job)),
                ("userErrors", errors(strip_code(errs.clone()))),
                ("mediaUserErrors", errors(errs)),
            ],
        )
    };
    let mut st = ctx.state.borrow_mut();
    let Some(pid) = str_arg(a, "id").and_then(|g| product_id(&st, g)) else {
        return payload(
            Value::Null,
            vec![user_error(&["id"], "Product does not exist", Some("PRODUCT_DOES_NOT_EXIST"))],
        );
    };
    let moves = list(a, "moves");
    let gids: Vec<&str> = moves.iter().map(|m| str_arg(m, "id").unwrap_or("")).collect();
    let ids = match media_on_product(&st, pid, &gids, &["moves", "id"]) {
        Ok(ids) => ids,
        Err(e) => return payload(Value::Null, vec![e]),
    };
    let count = st.products[&pid].media.len();
    let mut parsed = Vec::new();
    for (i, (id, m)) in ids.iter().zip(moves).enumerate() {
        match m.get("newPosition").and_then(as_u64_lenient) {
            Some(pos) if (pos as usize) < count => parsed.push((*id, pos as usize)),
            _ => {
                let e = user_error(
                    &["moves", &i.to_string(), "newPosition"],
                    format!("New position must be between 0 and {}", count.saturating_sub(1)),
                    Some("INVALID"),
                );
                return payload(Value::Null, vec![e]);
            }
        }
    }
    let order = crate::order::apply_moves(&st.products[&pid].media, &parsed);
    let job_id = {
        let mut rng = ctx.rng.borrow_mut();
        let (a, b, c) = (rng.next_u64(), rng.next_u64(), rng.next_u64());
        format!(
            "gid://shopify/Job/{:08x}-{:04x}-4{:03x}-b{:03x}-{:012x}",
            a as u32,
            (a >> 32) as u16,
            b as u16 & 0xfff,
            (b >> 16) as u16 & 0xfff,
            c & 0xffff_ffff_ffff
        )
    };
    st.jobs.insert(
        job_id.clone(),
        JobRec { done_at: ctx.now + ctx.config.timings.reorder_job, apply: Some((pid, order)) },
    );
    payload(json!({"id": job_id, "done": false}), vec![])
}

#[cfg(test)]
mod tests {
    use super::processing::external_video;

    #[test]
    fn external_video_hosts() {
        assert_eq!(external_video("https://youtu.be/z7RLjNOael0").unwrap().1, "z7RLjNOael0");
        assert_eq!(external_video("https://vimeo.com/76979871").unwrap().0, "VIMEO");
        assert!(external_video("https://example.com/v.mp4").is_none());
    }
}
