//! Domain types shared by the UI, the engine and every store: no platform appears here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which store a session talks to, written `shopify:<shop>`, `ecwid:<id>` or `sandbox`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum StoreRef {
    /// A Shopify shop, by its `name` (the part before `.myshopify.com`).
    Shopify {
        /// The shop's name, lower case.
        shop: String,
    },
    /// An Ecwid store, by its numeric id.
    Ecwid {
        /// The store id.
        store_id: String,
    },
    /// The built-in sandbox store.
    Sandbox,
}

/// Why a store reference could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreRefError(String);

impl StoreRef {
    /// The platform this store is on, for limits and wording.
    pub fn platform(&self) -> Platform {
        match self {
            StoreRef::Shopify { .. } | StoreRef::Sandbox => Platform::Shopify,
            StoreRef::Ecwid { .. } => Platform::Ecwid,
        }
    }

    /// The platform in words, without the shop's name (what diagnostics may say of a store).
    pub fn platform_name(&self) -> &'static str {
        match self {
            StoreRef::Shopify { .. } => "Shopify",
            StoreRef::Ecwid { .. } => "Ecwid",
            StoreRef::Sandbox => "the built-in sandbox (Shopify's API)",
        }
    }
}

impl fmt::Display for StoreRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreRef::Shopify { shop } => write!(f, "shopify:{shop}"),
            StoreRef::Ecwid { store_id } => write!(f, "ecwid:{store_id}"),
            StoreRef::Sandbox => f.write_str("sandbox"),
        }
    }
}

impl FromStr for StoreRef {
    type Err = StoreRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s == "sandbox" {
            return Ok(StoreRef::Sandbox);
        }
        if let Some(shop) = s.strip_prefix("shopify:") {
            let name = shop.strip_suffix(".myshopify.com").unwrap_or(shop).to_ascii_lowercase();
            let valid = !name.is_empty()
                && name.len() <= 60
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !name.starts_with('-');
            return if valid {
                Ok(StoreRef::Shopify { shop: name })
            } else {
                Err(StoreRefError(format!("`{shop}` is not a Shopify shop: give its name or name.myshopify.com")))
            };
        }
        if let Some(id) = s.strip_prefix("ecwid:") {
            return if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
                Ok(StoreRef::Ecwid { store_id: id.to_string() })
            } else {
                Err(StoreRefError(format!("`{id}` is not an Ecwid store id: it is a number")))
            };
        }
        Err(StoreRefError(format!("`{s}` is not a store: use shopify:SHOP, ecwid:STORE_ID or sandbox")))
    }
}

impl TryFrom<String> for StoreRef {
    type Error = StoreRefError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<StoreRef> for String {
    fn from(value: StoreRef) -> Self {
        value.to_string()
    }
}

/// A store platform, for the limits that differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Platform {
    /// Shopify (and the sandbox, which speaks Shopify's API).
    Shopify,
    /// Ecwid.
    Ecwid,
}

/// What a platform allows, for local checks before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformLimits {
    /// Longest alt text the platform stores, in characters.
    pub alt_max_chars: usize,
    /// Most media one product can hold.
    pub media_per_product: usize,
    /// Largest image file, in bytes.
    pub image_max_bytes: u64,
}

impl Platform {
    /// The documented limits of this platform.
    pub fn limits(self) -> PlatformLimits {
        match self {
            Platform::Shopify => {
                PlatformLimits { alt_max_chars: 512, media_per_product: 250, image_max_bytes: 20 * 1024 * 1024 }
            }
            Platform::Ecwid => {
                PlatformLimits { alt_max_chars: 125, media_per_product: 100, image_max_bytes: 20 * 1024 * 1024 }
            }
        }
    }
}

/// A product's id as the platform spells it (a GID on Shopify, a number on Ecwid).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProductId(pub String);

/// A media item's id as the platform spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MediaId(pub String);

impl fmt::Display for ProductId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for MediaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One row of the product picker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSummary {
    /// The product's id.
    pub id: ProductId,
    /// The product's title.
    pub title: String,
    /// The URL handle, where the platform has one.
    pub handle: String,
    /// How many media the product holds.
    pub media_count: u32,
    /// A small preview of the product's first media, already resized by the store's CDN.
    pub preview_url: Option<String>,
}

/// A product with its media in position order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductMedia {
    /// The product's id.
    pub id: ProductId,
    /// The product's title, used by the alt-text rules.
    pub title: String,
    /// The media, first position first.
    pub media: Vec<Media>,
}

impl ProductMedia {
    /// Its ids and alt texts only, as the health badges take them.
    pub fn alts(&self) -> ProductAlts {
        ProductAlts {
            id: self.id.clone(),
            title: self.title.clone(),
            media: self.media.iter().map(|m| (m.id.clone(), m.alt.clone())).collect(),
        }
    }
}

/// A product's media ids and alt texts only: what the alt-text health badges need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductAlts {
    /// The product's id.
    pub id: ProductId,
    /// The product's title.
    pub title: String,
    /// Each media's id and alt text (empty when none), first position first.
    pub media: Vec<(MediaId, String)>,
}

/// The kind of a media item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A still image.
    Image,
    /// A video hosted by the store.
    Video,
    /// A video hosted elsewhere (YouTube, Vimeo).
    ExternalVideo,
    /// A 3D model.
    Model3d,
}

impl MediaKind {
    /// The name used on the command line and in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::ExternalVideo => "external_video",
            MediaKind::Model3d => "model_3d",
        }
    }

    /// The kind in words, for people: "Image", "3D model".
    pub fn label(self) -> &'static str {
        match self {
            MediaKind::Image => "Image",
            MediaKind::Video => "Video",
            MediaKind::ExternalVideo => "External video",
            MediaKind::Model3d => "3D model",
        }
    }
}

/// Where a media item is in the platform's processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaStatus {
    /// Received, not yet processed.
    Uploaded,
    /// Being processed.
    Processing,
    /// Ready to show and to edit.
    Ready,
    /// Processing failed; see the media's errors.
    Failed,
}

impl MediaStatus {
    /// The lower-case name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaStatus::Uploaded => "uploaded",
            MediaStatus::Processing => "processing",
            MediaStatus::Ready => "ready",
            MediaStatus::Failed => "failed",
        }
    }

    /// True once the platform will not change the status by itself.
    pub fn is_final(self) -> bool {
        matches!(self, MediaStatus::Ready | MediaStatus::Failed)
    }
}

/// One media item of a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// The media's id.
    pub id: MediaId,
    /// Image, video, external video or 3D model.
    pub kind: MediaKind,
    /// The alt text; empty when none is set.
    pub alt: String,
    /// Processing status.
    pub status: MediaStatus,
    /// Zero-based position in the product's gallery.
    pub position: u32,
    /// A thumbnail URL already resized by the store's CDN, when the platform has one yet.
    pub preview_url: Option<String>,
    /// Pixel width of the full image or video, where known.
    pub width: Option<u32>,
    /// Pixel height of the full image or video, where known.
    pub height: Option<u32>,
    /// File name, where the platform reports one.
    pub filename: Option<String>,
    /// File size in bytes, where known.
    pub size_bytes: Option<u64>,
    /// MIME type, where known.
    pub mime_type: Option<String>,
    /// Why processing failed, in the platform's words.
    pub errors: Vec<String>,
    /// Where an external video plays (its YouTube or Vimeo page), where the store says. Not
    /// kept in the local catalog: it comes with the store's answer.
    #[serde(default)]
    pub external_url: Option<String>,
    /// The alt text in the store's other languages, by language code (Ecwid's
    /// `alt.translated`; a language with no text is kept with an empty one). Empty where the
    /// platform has none.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub alt_translated: std::collections::BTreeMap<String, String>,
}

#[cfg(test)]
impl Media {
    /// A ready image with only an id and an alt text, for unit tests.
    pub(crate) fn test_image(id: &str, alt: &str) -> Media {
        Media {
            id: MediaId(id.into()),
            kind: MediaKind::Image,
            alt: alt.into(),
            status: MediaStatus::Ready,
            position: 0,
            preview_url: None,
            width: None,
            height: None,
            filename: None,
            size_bytes: None,
            mime_type: None,
            errors: Vec::new(),
            external_url: None,
            alt_translated: Default::default(),
        }
    }
}

/// A product as the local catalog keeps it: what the store says of it, its media in position
/// order and its variants. Fields a read did not include stay `None` (or empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRecord {
    /// The product's id.
    pub id: ProductId,
    /// The product's title.
    pub title: String,
    /// The URL handle, where the platform has one.
    pub handle: String,
    /// The vendor (brand), where the platform has one.
    pub vendor: Option<String>,
    /// The product type, where the platform has one.
    pub product_type: Option<String>,
    /// Active, draft, archived (Shopify's words, lower case); enabled or disabled on Ecwid.
    pub status: Option<String>,
    /// The product's tags.
    pub tags: Vec<String>,
    /// When the store last changed the product (RFC 3339), where known.
    pub updated_at: Option<String>,
    /// The media, first position first.
    pub media: Vec<Media>,
    /// The variants, with the options they stand for and the media they show.
    pub variants: Vec<Variant>,
}

/// One variant of a product: the option values it stands for and the media it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// The variant's id.
    pub id: String,
    /// The variant's title, e.g. "Red / M".
    pub title: String,
    /// Option name and value pairs, e.g. ("Color", "Red").
    pub options: Vec<(String, String)>,
    /// The media the variant shows.
    pub media: Vec<MediaId>,
    /// A picture the variant holds apart from the product's media (an Ecwid variation's own
    /// image), with its alt text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_image: Option<OwnImage>,
}

/// A variant's own picture, outside the product's media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnImage {
    /// Where it is.
    pub url: String,
    /// Its alt text.
    pub alt: String,
}

/// One row of a whole-catalog read, in whatever order the store sends them: a product (its
/// media and variants left empty), or a media or variant of the product it names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CatalogRow {
    /// A product's own fields.
    Product(ProductRecord),
    /// A media of `product`; siblings arrive in position order.
    Media {
        /// The product it belongs to.
        product: ProductId,
        /// The media.
        media: Media,
    },
    /// A variant of `product`.
    Variant {
        /// The product it belongs to.
        product: ProductId,
        /// The variant.
        variant: Variant,
    },
}

/// The audit's score at one sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorePoint {
    /// When the sync ended (seconds since the epoch).
    pub synced_at: u64,
    /// Media audited.
    pub media: u64,
    /// Media with no error and no warning.
    pub passing: u64,
    /// Findings of error severity.
    pub errors: u64,
    /// Findings of warning severity.
    pub warnings: u64,
}

impl ScorePoint {
    /// The share of media that passed, from 0 to 100 (100 when there were none).
    pub fn score(&self) -> f64 {
        if self.media == 0 { 100.0 } else { 100.0 * self.passing as f64 / self.media as f64 }
    }
}

/// A page of results and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// How to order a product search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductSort {
    /// By title, A to Z.
    #[default]
    Title,
    /// Most recently updated first.
    UpdatedAt,
    /// Newest first.
    CreatedAt,
}

/// A product search: free text or the platform's query syntax, a page size and a cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    /// What to search for; empty lists every product.
    pub text: String,
    /// How many products a page holds.
    pub limit: u32,
    /// Where to start; `None` for the first page.
    pub cursor: Option<String>,
    /// The order of the results.
    pub sort: ProductSort,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_refs_round_trip_and_normalise() {
        assert_eq!(
            "shopify:Acme-Shop.myshopify.com".parse::<StoreRef>().unwrap(),
            StoreRef::Shopify { shop: "acme-shop".into() }
        );
        assert_eq!("sandbox".parse::<StoreRef>().unwrap().to_string(), "sandbox");
        assert_eq!("ecwid:1003".parse::<StoreRef>().unwrap().to_string(), "ecwid:1003");
    }

    #[test]
    fn store_refs_refuse_other_hosts() {
        for bad in ["shopify:evil.com", "shopify:a.b.myshopify.com", "shopify:", "ecwid:abc", "ftp:x"] {
            let err = bad.parse::<StoreRef>().unwrap_err();
            assert!(!err.to_string().is_empty(), "{bad}");
        }
    }
}
