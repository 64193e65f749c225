//! Ecwid's JSON shapes (field names of Ecwid's public API client: `FetchedProduct` and friends).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `GET /products`
#[derive(Debug, Deserialize)]
pub struct SearchResult {
    /// Products matching, in all pages.
    pub total: u64,
    /// Products in this page.
    pub count: u64,
    /// Where this page starts.
    pub offset: u64,
    /// The products.
    #[serde(default)]
    pub items: Vec<Product>,
}

/// A product.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Product id.
    pub id: u64,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Storefront URL.
    pub url: Option<String>,
    /// Small image of the main image.
    pub thumbnail_url: Option<String>,
    /// Images and videos.
    #[serde(default)]
    pub media: ProductMedia,
}

/// `media`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductMedia {
    /// Images, main first once sorted by `orderBy`.
    #[serde(default)]
    pub images: Vec<Image>,
    /// Videos.
    #[serde(default)]
    pub videos: Vec<Video>,
}

/// The alt text of an image, with its translations.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Alt {
    /// The store's main language.
    #[serde(default)]
    pub main: Option<String>,
    /// Other languages, by code.
    #[serde(default)]
    pub translated: BTreeMap<String, String>,
}

/// `media.images[]`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Image id (a string).
    pub id: String,
    /// Position.
    #[serde(default)]
    pub order_by: i64,
    /// The main image.
    #[serde(default)]
    pub is_main: bool,
    /// 160 px wide.
    pub image160px_url: Option<String>,
    /// 400 px wide.
    pub image400px_url: Option<String>,
    /// 800 px wide.
    pub image800px_url: Option<String>,
    /// The original.
    pub image_original_url: Option<String>,
    /// Pixel width of the original.
    pub width: Option<u32>,
    /// Pixel height of the original.
    pub height: Option<u32>,
    /// Alt text.
    #[serde(default)]
    pub alt: Alt,
}

/// `media.videos[]`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Video {
    /// Video id.
    pub id: String,
    /// Where it plays.
    pub url: Option<String>,
    /// YouTube, Vimeo…
    pub provider_name: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Cover, 400 px.
    pub image400px_url: Option<String>,
}

/// `{"id": …}` of an upload.
#[derive(Debug, Deserialize)]
pub struct Created {
    /// The new image's id.
    pub id: serde_json::Value,
}

/// One item's result of `PUT /products/{id}/media`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaResult {
    /// It went through.
    #[serde(default)]
    pub success: bool,
    /// The new media's id.
    pub id: Option<String>,
    /// DOWNLOAD_IMAGE_FAILED, DOWNLOAD_VIDEO_FAILED…
    pub error_code: Option<String>,
    /// The words.
    pub error_message: Option<String>,
}

/// The answer of `PUT /products/{id}/media`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetMediaResult {
    /// The main media's result, when one was given.
    pub main_media: Option<MediaResult>,
    /// One result per gallery item.
    #[serde(default)]
    pub gallery_media: Vec<MediaResult>,
}
