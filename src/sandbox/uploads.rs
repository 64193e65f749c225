//! The sandbox's staged-upload target: multipart POST and PUT, checked like a cloud bucket checks
//! a signed request (signature, key, declared size), answering with the bucket's XML errors.

use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Shared;

/// The signature of `message` under the sandbox's secret, hex.
pub fn sign(secret: &[u8], message: &str) -> String {
    #[allow(clippy::expect_used, reason = "HMAC accepts a key of any length: this cannot fail")]
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A POST policy: which key may be written and how many bytes it may have.
pub fn policy(key: &str, min: u64, max: u64) -> String {
    let doc = serde_json::json!({"conditions": [{"key": key}, ["content-length-range", min, max]]});
    hex::encode(doc.to_string())
}

fn read_policy(policy: &str) -> Option<(String, u64, u64)> {
    let doc: serde_json::Value = serde_json::from_slice(&hex::decode(policy).ok()?).ok()?;
    let conds = doc.get("conditions")?.as_array()?;
    let key = conds.first()?.get("key")?.as_str()?.to_string();
    let range = conds.get(1)?.as_array()?;
    Some((key, range.get(1)?.as_u64()?, range.get(2)?.as_u64()?))
}

fn xml_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body =
        format!("<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>");
    (status, [("content-type", "application/xml; charset=UTF-8")], body).into_response()
}

/// `POST /staged/upload`: a multipart form with every parameter as a field and the file last.
pub async fn post(AxState(shared): AxState<Shared>, mut form: Multipart) -> Response {
    let mut fields = std::collections::HashMap::new();
    let mut file: Option<Bytes> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                if name == "file" {
                    match field.bytes().await {
                        Ok(b) => file = Some(b),
                        Err(e) => {
                            return xml_error(
                                StatusCode::BAD_REQUEST,
                                "IncompleteBody",
                                &format!("The upload broke off: {e}"),
                            );
                        }
                    }
                    // Like S3 and GCS, fields after the file are ignored.
                    break;
                }
                match field.text().await {
                    Ok(v) => {
                        fields.insert(name, v);
                    }
                    Err(e) => {
                        return xml_error(
                            StatusCode::BAD_REQUEST,
                            "InvalidArgument",
                            &format!("Unreadable form field: {e}"),
                        );
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                return xml_error(
                    StatusCode::BAD_REQUEST,
                    "MalformedPOSTRequest",
                    &format!("The body of your POST request is not well-formed multipart/form-data: {e}"),
                );
            }
        }
    }
    let Some(file) = file else {
        return xml_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "POST requires exactly one file upload per request.",
        );
    };
    let (Some(policy), Some(signature), Some(key)) =
        (fields.get("policy"), fields.get("x-goog-signature"), fields.get("key"))
    else {
        return xml_error(
            StatusCode::BAD_REQUEST,
            "InvalidPolicyDocument",
            "The policy, key and x-goog-signature fields are required.",
        );
    };
    if sign(&shared.config.secret, policy) != *signature {
        return xml_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    let Some((allowed_key, min, max)) = read_policy(policy) else {
        return xml_error(StatusCode::BAD_REQUEST, "InvalidPolicyDocument", "The policy document is not valid.");
    };
    if allowed_key != *key {
        return xml_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\"]",
        );
    }
    let len = file.len() as u64;
    if len < min || len > max {
        return xml_error(
            StatusCode::BAD_REQUEST,
            if len > max { "EntityTooLarge" } else { "EntityTooSmall" },
            &format!("Your proposed upload of {len} bytes is outside the declared range {min}..{max}."),
        );
    }
    store(&shared, key, file)
}

/// `PUT /staged/files/{key}`: the body is the file; the signature covers key and content type.
pub async fn put(
    AxState(shared): AxState<Shared>,
    Path(key): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    let expected = sign(&shared.config.secret, &format!("PUT\n{key}\n{content_type}"));
    if q.get("X-Goog-Signature") != Some(&expected) {
        return xml_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check the Content-Type header.",
        );
    }
    let declared = crate::sync::lock(&shared.state).staged.get(&key).map(|s| s.declared_size);
    match declared {
        None => return xml_error(StatusCode::NOT_FOUND, "NoSuchUpload", "No staged upload has this key."),
        Some(Some(size)) if size != body.len() as u64 => {
            return xml_error(
                StatusCode::BAD_REQUEST,
                "BadDigest",
                &format!("Declared size {size} but received {} bytes.", body.len()),
            );
        }
        _ => {}
    }
    if body.len() as u64 > 20 << 20 {
        return xml_error(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size.",
        );
    }
    store(&shared, &key, body)
}

fn store(shared: &Shared, key: &str, bytes: Bytes) -> Response {
    let mut st = crate::sync::lock(&shared.state);
    match st.staged.get_mut(key) {
        Some(rec) => {
            if let Some(size) = rec.declared_size
                && size != bytes.len() as u64
            {
                return xml_error(
                    StatusCode::BAD_REQUEST,
                    "BadDigest",
                    &format!("Declared size {size} but received {} bytes.", bytes.len()),
                );
            }
            rec.bytes = Some(bytes);
            StatusCode::CREATED.into_response()
        }
        None => xml_error(StatusCode::NOT_FOUND, "NoSuchUpload", "No staged upload has this key."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_round_trip_and_signatures_depend_on_the_secret() {
        let p = policy("tmp/a/b.png", 1, 99);
        assert_eq!(read_policy(&p), Some(("tmp/a/b.png".to_string(), 1, 99)));
        assert_ne!(sign(b"one", &p), sign(b"two", &p));
    }
}
