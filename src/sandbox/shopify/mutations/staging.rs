//! `stagedUploadsCreate`: upload targets on the sandbox's own staging host, with Shopify's size limits.

use serde_json::{Value, json};

use super::{errors, list, record, str_arg, user_error};
use crate::sandbox::shopify::objects::{Ctx, Val};
use crate::sandbox::state::StagedRec;

/// Largest upload per resource, in bytes.
fn size_limit(resource: &str) -> u64 {
    match resource {
        "VIDEO" => 1 << 30,
        "MODEL_3D" => 500 << 20,
        _ => 20 << 20,
    }
}

pub(super) fn staged_uploads_create<'c>(ctx: &'c Ctx, a: &Value) -> Val<'c> {
    let inputs = list(a, "input");
    let mut errs = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let i = i.to_string();
        let resource = str_arg(input, "resource").unwrap_or("FILE");
        let method = str_arg(input, "httpMethod").unwrap_or("PUT");
        let size = input.get("fileSize").and_then(as_u64_lenient);
        if str_arg(input, "filename").unwrap_or("").trim().is_empty() {
            errs.push(user_error(&["input", &i, "filename"], "Filename can't be blank", None));
        }
        if method == "PUT"
            && !matches!(resource, "IMAGE" | "FILE" | "PRODUCT_IMAGE" | "COLLECTION_IMAGE" | "SHOP_IMAGE")
        {
            errs.push(user_error(
                &["input", &i, "httpMethod"],
                format!("PUT is not supported for {resource}: use POST"),
                None,
            ));
        }
        if matches!(resource, "VIDEO" | "MODEL_3D") && size.is_none() {
            errs.push(user_error(&["input", &i, "fileSize"], format!("File size is required for {resource}"), None));
        }
        if let Some(size) = size
            && size > size_limit(resource)
        {
            errs.push(user_error(
                &["input", &i, "fileSize"],
                format!("File size {size} exceeds the limit of {} bytes for {resource}", size_limit(resource)),
                None,
            ));
        }
    }
    if !errs.is_empty() {
        return record(
            "StagedUploadsCreatePayload",
            vec![("stagedTargets", Val::Json(Value::Null)), ("userErrors", errors(errs))],
        );
    }
    let mut st = ctx.state.borrow_mut();
    let mut targets = Vec::new();
    for input in inputs {
        let resource = str_arg(input, "resource").unwrap_or("FILE").to_string();
        let filename = str_arg(input, "filename").unwrap_or("file").to_string();
        let mime = str_arg(input, "mimeType").unwrap_or("application/octet-stream").to_string();
        let method = str_arg(input, "httpMethod").unwrap_or("PUT");
        let declared_size = input.get("fileSize").and_then(as_u64_lenient);
        let token = {
            let mut rng = ctx.rng.borrow_mut();
            format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
        };
        let safe_name: String = filename
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' { c } else { '_' })
            .collect();
        let key = format!("tmp/sandbox/{token}/{safe_name}");
        let resource_url = ctx.url(&format!("/staged/files/{key}"));
        let target = if method == "POST" {
            let (min, max) = match declared_size {
                Some(n) if matches!(resource.as_str(), "VIDEO" | "MODEL_3D") => (n, n),
                _ => (1, size_limit(&resource)),
            };
            let policy = crate::sandbox::uploads::policy(&key, min, max);
            let signature = crate::sandbox::uploads::sign(&ctx.config.secret, &policy);
            json!({
                "url": ctx.url("/staged/upload"),
                "resourceUrl": resource_url,
                "parameters": [
                    {"name": "Content-Type", "value": mime},
                    {"name": "success_action_status", "value": "201"},
                    {"name": "acl", "value": "private"},
                    {"name": "key", "value": key},
                    {"name": "x-goog-date", "value": "20260101T000000Z"},
                    {"name": "x-goog-credential", "value": "sandbox-uploads/20260101/auto/storage/goog4_request"},
                    {"name": "x-goog-algorithm", "value": "GOOG4-HMAC-SHA256"},
                    {"name": "x-goog-signature", "value": signature},
                    {"name": "policy", "value": policy},
                ],
            })
        } else {
            let signature = crate::sandbox::uploads::sign(&ctx.config.secret, &format!("PUT\n{key}\n{mime}"));
            json!({
                "url": format!("{resource_url}?X-Goog-Algorithm=GOOG4-HMAC-SHA256&X-Goog-Expires=604800&X-Goog-SignedHeaders=content-type&X-Goog-Signature={signature}"),
                "resourceUrl": resource_url,
                "parameters": [
                    {"name": "content_type", "value": mime},
                    {"name": "acl", "value": "private"},
                ],
            })
        };
        st.staged.insert(key, StagedRec { resource, filename, mime, declared_size, bytes: None });
        targets.push(target);
    }
    record(
        "StagedUploadsCreatePayload",
        vec![("stagedTargets", Val::Json(Value::Array(targets))), ("userErrors", errors(vec![]))],
    )
}

/// `UnsignedInt64` arrives as a string; accept numbers too.
pub(super) fn as_u64_lenient(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}
