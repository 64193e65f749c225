//! Ids typed at the edge: what a person types on the command line is checked against the
//! platform's id form before any request is made, so a wrong id gets a local, specific message
//! and can never steer a request path elsewhere.

use crate::model::{MediaId, Platform, ProductId};
use crate::store::StoreError;

/// Shopify's media types: the kinds of GID a product's media can have.
const SHOPIFY_MEDIA_TYPES: &[&str] = &["MediaImage", "Video", "ExternalVideo", "Model3d"];

fn refused(message: String) -> StoreError {
    StoreError::Refused { code: "INVALID_ID".into(), message }
}

/// The type and number of a Shopify GID (`gid://shopify/Product/123`).
fn shopify_gid(raw: &str) -> Option<(&str, &str)> {
    let rest = raw.strip_prefix("gid://shopify/")?;
    let (kind, number) = rest.split_once('/')?;
    let numeric = !number.is_empty() && number.len() <= 20 && number.bytes().all(|b| b.is_ascii_digit());
    (numeric && !kind.is_empty()).then_some((kind, number))
}

/// True for an Ecwid id: a positive decimal number.
fn ecwid_number(raw: &str) -> bool {
    !raw.is_empty() && raw.len() <= 20 && raw.bytes().all(|b| b.is_ascii_digit())
}

/// An Ecwid id, or the refusal naming what it should have been (`an Ecwid product id`…).
fn ecwid_id<'a>(raw: &'a str, what: &str) -> Result<&'a str, StoreError> {
    if ecwid_number(raw) { Ok(raw) } else { Err(refused(format!("`{raw}` is not {what}: Ecwid ids are numbers"))) }
}

/// A product id as typed: a Shopify product GID (or its number alone), or an Ecwid number.
pub fn product(platform: Platform, raw: &str) -> Result<ProductId, StoreError> {
    let raw = raw.trim();
    match platform {
        Platform::Shopify => match shopify_gid(raw) {
            Some(("Product", _)) => Ok(ProductId(raw.to_string())),
            Some((kind, _)) => {
                Err(refused(format!("`{raw}` is a {kind} id, not a product id (gid://shopify/Product/…)")))
            }
            None if ecwid_number(raw) => Ok(ProductId(format!("gid://shopify/Product/{raw}"))),
            None => Err(refused(format!(
                "`{raw}` is not a Shopify product id: give gid://shopify/Product/NUMBER or the number alone"
            ))),
        },
        Platform::Ecwid => ecwid_id(raw, "an Ecwid product id").map(|id| ProductId(id.to_string())),
    }
}

/// A media id as typed: a Shopify media GID (image, video, external video, 3D model) or an
/// Ecwid number.
pub fn media(platform: Platform, raw: &str) -> Result<MediaId, StoreError> {
    let raw = raw.trim();
    match platform {
        Platform::Shopify => match shopify_gid(raw) {
            Some((kind, _)) if SHOPIFY_MEDIA_TYPES.contains(&kind) => Ok(MediaId(raw.to_string())),
            Some((kind, _)) => Err(refused(format!(
                "`{raw}` is a {kind} id, not a media id (gid://shopify/MediaImage/…, Video, ExternalVideo or Model3d)"
            ))),
            None => Err(refused(format!(
                "`{raw}` is not a Shopify media id: give gid://shopify/MediaImage/NUMBER (or Video, ExternalVideo, Model3d)"
            ))),
        },
        Platform::Ecwid => ecwid_id(raw, "an Ecwid image or video id").map(|id| MediaId(id.to_string())),
    }
}

/// An Ecwid id checked for a request path: only digits ever reach a path.
pub fn ecwid_path_id(raw: &str) -> Result<&str, StoreError> {
    ecwid_id(raw, "an Ecwid id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shopify_ids_are_typed() {
        let p = product(Platform::Shopify, "gid://shopify/Product/108828309").unwrap();
        assert_eq!(p.0, "gid://shopify/Product/108828309");
        assert_eq!(product(Platform::Shopify, "42").unwrap().0, "gid://shopify/Product/42");
        assert!(media(Platform::Shopify, "gid://shopify/Model3d/7").is_ok());
        for (bad, words) in [
            ("not-a-gid", "not a Shopify product id"),
            ("gid://shopify/MediaImage/1", "is a MediaImage id, not a product id"),
            ("gid://shopify/Product/1/../2", "not a Shopify product id"),
            ("gid://shopify/Product/", "not a Shopify product id"),
        ] {
            let e = product(Platform::Shopify, bad).unwrap_err();
            assert!(matches!(&e, StoreError::Refused { code, .. } if code == "INVALID_ID"), "{bad}");
            assert!(e.to_string().contains(words), "{bad}: {e}");
        }
        let e = media(Platform::Shopify, "gid://shopify/Product/1").unwrap_err().to_string();
        assert!(e.contains("is a Product id, not a media id"), "{e}");
        assert!(media(Platform::Shopify, "x").unwrap_err().to_string().contains("not a Shopify media id"));
    }

    #[test]
    fn ecwid_ids_are_numbers_and_never_paths() {
        assert_eq!(product(Platform::Ecwid, " 98765 ").unwrap().0, "98765");
        for bad in ["../profile", "../../1004/products", "12a", "", "-1", "1 2"] {
            assert!(product(Platform::Ecwid, bad).is_err(), "{bad}");
            assert!(media(Platform::Ecwid, bad).is_err(), "{bad}");
            assert!(ecwid_path_id(bad).is_err(), "{bad}");
        }
    }
}
