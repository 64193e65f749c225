//! Ecwid's JSON shapes (field names of Ecwid's public API client: `FetchedProduct` and friends).
//!
//! Liberal by design: every optional field takes `null` or absence, ids come as strings or
//! numbers, extra fields are ignored, and one unreadable image, video or product is left out of
//! its list (with a log line) instead of failing the whole page.

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};

/// `null` reads as the type's default, like an absent field.
fn nullable<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An id given as a string or a number; `null` reads as empty.
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    })
}

/// A list whose unreadable items are skipped (and logged) rather than failing the list.
fn lenient_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    let raw: Option<Vec<serde_json::Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| match serde_json::from_value::<T>(v) {
            Ok(item) => Some(item),
            Err(e) => {
                tracing::warn!(error = %e, "an Ecwid record could not be read and is left out");
                None
            }
        })
        .collect())
}

/// A whole number, also when Ecwid sends it as a float or a string; `null` reads as 0.
fn number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)).unwrap_or(0),
        serde_json::Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

/// `GET /products`
#[derive(Debug, Deserialize)]
pub struct SearchResult {
    /// Products matching, in all pages.
    #[serde(default, deserialize_with = "nullable")]
    pub total: u64,
    /// Products in this page.
    #[serde(default, deserialize_with = "nullable")]
    pub count: u64,
    /// Where this page starts.
    #[serde(default, deserialize_with = "nullable")]
    pub offset: u64,
    /// The products.
    #[serde(default, deserialize_with = "lenient_list")]
    pub items: Vec<Product>,
}

/// A product.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Product id.
    pub id: u64,
    /// Name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Storefront URL.
    #[serde(default)]
    pub url: Option<String>,
    /// Small image of the main image.
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    /// Images and videos.
    #[serde(default, deserialize_with = "nullable")]
    pub media: ProductMedia,
    /// Shown in the storefront.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Last change, seconds since the epoch.
    #[serde(default)]
    pub update_timestamp: Option<i64>,
    /// Variations (Ecwid's word in the API: combinations).
    #[serde(default, deserialize_with = "lenient_list")]
    pub combinations: Vec<Combination>,
}

/// `combinations[]`: one variation of a product.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Combination {
    /// Variation id.
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    /// The option values it stands for.
    #[serde(default, deserialize_with = "lenient_list")]
    pub options: Vec<OptionValue>,
    /// Its own image, resized; absent when it shows the product's main image.
    #[serde(default)]
    pub image_url: Option<String>,
    /// Its own image as uploaded.
    #[serde(default)]
    pub original_image_url: Option<String>,
    /// Its own image's alt text.
    #[serde(default, deserialize_with = "nullable")]
    pub alt: Alt,
}

/// `options[]` of a variation.
#[derive(Debug, Clone, Deserialize)]
pub struct OptionValue {
    /// "Size".
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// "Large".
    #[serde(default, deserialize_with = "nullable")]
    pub value: String,
}

/// `media`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductMedia {
    /// Images, main first once sorted by `orderBy`.
    #[serde(default, deserialize_with = "lenient_list")]
    pub images: Vec<Image>,
    /// Videos.
    #[serde(default, deserialize_with = "lenient_list")]
    pub videos: Vec<Video>,
}

/// The alt text of an image, with its translations.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Alt {
    /// The store's main language.
    #[serde(default)]
    pub main: Option<String>,
    /// Other languages, by code (a `null` translation reads as empty).
    #[serde(default, deserialize_with = "translations")]
    pub translated: BTreeMap<String, String>,
}

fn translations<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<BTreeMap<String, Option<String>>> = Option::deserialize(d)?;
    Ok(raw.unwrap_or_default().into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect())
}

/// `media.images[]`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Image id (a string, or a number in some answers).
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    /// Position.
    #[serde(default, deserialize_with = "number")]
    pub order_by: i64,
    /// The main image.
    #[serde(default, deserialize_with = "nullable")]
    pub is_main: bool,
    /// 160 px wide.
    #[serde(default)]
    pub image160px_url: Option<String>,
    /// 400 px wide.
    #[serde(default)]
    pub image400px_url: Option<String>,
    /// 800 px wide.
    #[serde(default)]
    pub image800px_url: Option<String>,
    /// The original.
    #[serde(default)]
    pub image_original_url: Option<String>,
    /// Pixel width of the original.
    #[serde(default)]
    pub width: Option<u32>,
    /// Pixel height of the original.
    #[serde(default)]
    pub height: Option<u32>,
    /// Alt text.
    #[serde(default, deserialize_with = "nullable")]
    pub alt: Alt,
}

/// `media.videos[]`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    /// Video id.
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    /// Where it plays.
    #[serde(default)]
    pub url: Option<String>,
    /// YouTube, Vimeo…
    #[serde(default)]
    pub provider_name: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Cover, 400 px.
    #[serde(default)]
    pub image400px_url: Option<String>,
}

/// `{"id": …}` of an upload.
#[derive(Debug, Deserialize)]
pub struct Created {
    /// The new image's id (a number in Ecwid's answer, a string elsewhere).
    #[serde(deserialize_with = "id_text")]
    pub id: String,
}

/// One item's result of `PUT /products/{id}/media`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaResult {
    /// It went through.
    #[serde(default, deserialize_with = "nullable")]
    pub success: bool,
    /// The new media's id.
    #[serde(default, deserialize_with = "optional_id")]
    pub id: Option<String>,
    /// DOWNLOAD_IMAGE_FAILED, DOWNLOAD_VIDEO_FAILED…
    #[serde(default)]
    pub error_code: Option<String>,
    /// The words.
    #[serde(default)]
    pub error_message: Option<String>,
}

fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let id = id_text(d)?;
    Ok((!id.is_empty()).then_some(id))
}

/// The answer of `PUT /products/{id}/media`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetMediaResult {
    /// The main media's result, when one was given.
    #[serde(default)]
    pub main_media: Option<MediaResult>,
    /// One result per gallery item.
    #[serde(default, deserialize_with = "lenient_list")]
    pub gallery_media: Vec<MediaResult>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_absences_extra_fields_and_odd_ids_never_fail_a_page() {
        let page: SearchResult = serde_json::from_str(
            r#"{"total": 3, "count": null, "offset": 0, "newField": {"x": 1}, "items": [
              {"id": 1, "name": null, "url": null, "thumbnailUrl": null, "media": {"images": [
                {"id": "11", "orderBy": null, "isMain": null, "alt": null, "width": null},
                {"id": 12, "orderBy": 1.0, "alt": {"main": null, "translated": {"fr": null, "de": "Uhr"}}},
                {"orderBy": 2, "alt": {"main": "no id: left out"}},
                {"id": "13", "alt": {"main": "Watch", "translated": null}, "kind": "SOMETHING_NEW"}
              ], "videos": null}},
              {"id": 2, "media": null},
              {"id": "not a number", "name": "left out"},
              {"id": 3}
            ]}"#,
        )
        .unwrap();
        assert_eq!((page.total, page.count), (3, 0));
        let ids: Vec<u64> = page.items.iter().map(|p| p.id).collect();
        assert_eq!(ids, [1, 2, 3], "the unreadable product is left out, the others stay");
        let images = &page.items[0].media.images;
        let image_ids: Vec<&str> = images.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(image_ids, ["11", "12", "13"]);
        assert_eq!(images[0].alt, Alt::default());
        assert_eq!(images[1].order_by, 1);
        assert_eq!(images[1].alt.translated.get("de").map(String::as_str), Some("Uhr"));
        assert_eq!(images[1].alt.translated.get("fr").map(String::as_str), Some(""));
        assert_eq!(images[2].alt.main.as_deref(), Some("Watch"));
        assert!(page.items[1].media.images.is_empty() && page.items[0].media.videos.is_empty());
    }

    #[test]
    fn set_media_results_take_numeric_ids_and_nulls() {
        let r: SetMediaResult = serde_json::from_str(
            r#"{"mainMedia": {"success": true, "id": 77}, "galleryMedia": [{"success": null, "id": null,
               "errorCode": "DOWNLOAD_IMAGE_FAILED", "errorMessage": null}]}"#,
        )
        .unwrap();
        assert_eq!(r.main_media.unwrap().id.as_deref(), Some("77"));
        assert!(!r.gallery_media[0].success && r.gallery_media[0].id.is_none());
    }
}
