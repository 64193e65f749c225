//! Shopify's JSON shapes as serde types. Every field is optional or defaulted: the decoders
//! accept whatever subset a document selected, including the documentation's own examples.

use serde::Deserialize;
use serde_json::Value;

use crate::model::{Media, MediaId, MediaKind, MediaStatus};

/// A GraphQL response envelope.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    /// The data, absent when the request failed as a whole.
    pub data: Option<T>,
    /// Errors; Shopify sends a list, a string (401) or an object (400).
    pub errors: Option<Errors>,
    /// Cost accounting.
    pub extensions: Option<Extensions>,
}

/// The shapes `errors` takes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Errors {
    /// GraphQL errors.
    List(Vec<GraphqlError>),
    /// A plain message.
    Text(String),
    /// Messages by parameter.
    Map(serde_json::Map<String, Value>),
}

/// One GraphQL error.
#[derive(Debug, Deserialize)]
pub struct GraphqlError {
    /// What went wrong.
    pub message: String,
    /// `code` and friends.
    #[serde(default)]
    pub extensions: Option<Value>,
}

impl GraphqlError {
    /// `extensions.code`, e.g. `THROTTLED`.
    pub fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("code")?.as_str()
    }
}

/// `extensions`
#[derive(Debug, Deserialize)]
pub struct Extensions {
    /// `extensions.cost`
    pub cost: Option<Cost>,
}

/// `extensions.cost`
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// What the query asked for.
    pub requested_query_cost: Option<f64>,
    /// What it used (null when throttled).
    pub actual_query_cost: Option<f64>,
    /// The bucket after the request.
    pub throttle_status: ThrottleStatus,
}

/// The cost bucket.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    /// Capacity.
    pub maximum_available: f64,
    /// Points available now.
    pub currently_available: f64,
    /// Points restored a second.
    pub restore_rate: f64,
}

/// `UserError`, `MediaUserError` and `FilesUserError` (code absent on `UserError`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct UserError {
    /// Path to the input field.
    #[serde(default)]
    pub field: Option<Vec<String>>,
    /// The platform's words.
    pub message: String,
    /// The error code.
    #[serde(default)]
    pub code: Option<String>,
}

/// `PageInfo`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// More follow.
    #[serde(default)]
    pub has_next_page: bool,
    /// Cursor of the last item.
    pub end_cursor: Option<String>,
}

/// An edge of a connection.
#[derive(Debug, Deserialize)]
pub struct Edge<T> {
    /// The item.
    pub node: T,
}

/// A connection, read through `nodes` or `edges`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    /// `edges { node }`
    pub edges: Option<Vec<Edge<T>>>,
    /// `nodes`
    pub nodes: Option<Vec<T>>,
    /// `pageInfo`
    #[serde(default)]
    pub page_info: PageInfo,
}

impl<T> Connection<T> {
    /// The items, whichever way they were selected.
    pub fn into_items(self) -> Vec<T> {
        match (self.nodes, self.edges) {
            (Some(nodes), _) => nodes,
            (None, Some(edges)) => edges.into_iter().map(|e| e.node).collect(),
            (None, None) => Vec::new(),
        }
    }
}

/// `Count`
#[derive(Debug, Deserialize)]
pub struct Count {
    /// The count.
    pub count: u64,
}

/// A `Product`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// GID.
    pub id: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Handle.
    pub handle: Option<String>,
    /// `mediaCount { count }`
    pub media_count: Option<Count>,
    /// `featuredMedia`
    pub featured_media: Option<MediaNode>,
    /// `media`
    pub media: Option<Connection<MediaNode>>,
    /// Vendor.
    pub vendor: Option<String>,
    /// Product type.
    pub product_type: Option<String>,
    /// ACTIVE, DRAFT, ARCHIVED (or a value added later).
    pub status: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Last change, RFC 3339.
    pub updated_at: Option<String>,
    /// `variants`
    pub variants: Option<Connection<VariantNode>>,
}

/// A `ProductVariant`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantNode {
    /// GID.
    pub id: Option<String>,
    /// "Red / M".
    pub title: Option<String>,
    /// Option names and values.
    #[serde(default)]
    pub selected_options: Option<Vec<SelectedOption>>,
    /// The picture the variant shows.
    pub image: Option<Image>,
}

/// A `SelectedOption`.
#[derive(Debug, Clone, Deserialize)]
pub struct SelectedOption {
    /// "Color".
    pub name: Option<String>,
    /// "Red".
    pub value: Option<String>,
}

impl VariantNode {
    /// The variant as the catalog keeps it, showing the media whose image is the variant's
    /// (`media_of_image`: a media's image id to the media's id); `None` without an id.
    pub fn to_variant(
        &self,
        media_of_image: impl Fn(&str) -> Option<crate::model::MediaId>,
    ) -> Option<crate::model::Variant> {
        let options: Vec<(String, String)> = self
            .selected_options
            .iter()
            .flatten()
            .filter_map(|o| Some((o.name.clone()?, o.value.clone().unwrap_or_default())))
            .collect();
        let title = self
            .title
            .clone()
            .unwrap_or_else(|| options.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(" / "));
        let media = self.image.as_ref().and_then(|i| i.id.as_deref()).and_then(media_of_image).into_iter().collect();
        Some(crate::model::Variant { id: self.id.clone()?, title, options, media, own_image: None })
    }
}

/// `Image`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// GID of the image.
    pub id: Option<String>,
    /// `url` (possibly transformed).
    pub url: Option<String>,
    /// Deprecated `originalSrc`, found in older examples.
    pub original_src: Option<String>,
    /// Alt text.
    pub alt_text: Option<String>,
    /// Width in pixels.
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
}

/// `MediaPreviewImage`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Preview {
    /// The preview image (null until processed).
    pub image: Option<Image>,
    /// Preview status.
    pub status: Option<String>,
}

/// `VideoSource`, `Model3dSource` and `MediaImageOriginalSource`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// Where it is.
    pub url: Option<String>,
    /// MIME type.
    pub mime_type: Option<String>,
    /// mp4, m3u8, glb…
    pub format: Option<String>,
    /// Width.
    pub width: Option<u32>,
    /// Height.
    pub height: Option<u32>,
    /// Size (`fileSize` on videos and images).
    pub file_size: Option<u64>,
    /// Size (`filesize` on 3D models).
    pub filesize: Option<u64>,
}

/// `MediaError` / `FileError`
#[derive(Debug, Clone, Deserialize)]
pub struct MediaError {
    /// The code.
    pub code: Option<String>,
    /// The words.
    pub message: Option<String>,
    /// More words.
    pub details: Option<String>,
}

/// Any `Media` or `File`: the fields of every type, each optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaNode {
    /// GID.
    pub id: Option<String>,
    /// `__typename`
    #[serde(rename = "__typename")]
    pub typename: Option<String>,
    /// Alt text.
    pub alt: Option<String>,
    /// IMAGE, VIDEO, EXTERNAL_VIDEO, MODEL_3D.
    pub media_content_type: Option<String>,
    /// `Media.status`
    pub status: Option<String>,
    /// `File.fileStatus`
    pub file_status: Option<String>,
    /// Processing errors.
    #[serde(default)]
    pub media_errors: Vec<MediaError>,
    /// Processing errors (files).
    #[serde(default)]
    pub file_errors: Vec<MediaError>,
    /// The preview.
    pub preview: Option<Preview>,
    /// `MediaImage.image`
    pub image: Option<Image>,
    /// `MediaImage.mimeType`
    pub mime_type: Option<String>,
    /// Video and 3D sources.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// The original upload.
    pub original_source: Option<Source>,
    /// Video and 3D file name.
    pub filename: Option<String>,
    /// Video length in ms.
    pub duration: Option<u64>,
    /// External video embed URL.
    pub embed_url: Option<String>,
    /// Deprecated external video URL, found in older examples.
    pub embedded_url: Option<String>,
    /// External video page.
    pub origin_url: Option<String>,
    /// External video host.
    pub host: Option<String>,
    /// Creation time.
    pub created_at: Option<String>,
}

impl MediaNode {
    /// The kind, from the content type, the type name or the GID.
    pub fn kind(&self) -> Option<MediaKind> {
        let by_content = |c: &str| match c {
            "IMAGE" => Some(MediaKind::Image),
            "VIDEO" => Some(MediaKind::Video),
            "EXTERNAL_VIDEO" => Some(MediaKind::ExternalVideo),
            "MODEL_3D" => Some(MediaKind::Model3d),
            _ => None,
        };
        let by_type = |t: &str| match t {
            "MediaImage" => Some(MediaKind::Image),
            "Video" => Some(MediaKind::Video),
            "ExternalVideo" => Some(MediaKind::ExternalVideo),
            "Model3d" => Some(MediaKind::Model3d),
            _ => None,
        };
        let gid_type =
            self.id.as_deref().and_then(|g| g.strip_prefix("gid://shopify/")).and_then(|r| r.split('/').next());
        self.media_content_type
            .as_deref()
            .and_then(by_content)
            .or_else(|| self.typename.as_deref().and_then(by_type))
            .or_else(|| gid_type.and_then(by_type))
    }

    /// The status, from `status` or `fileStatus`.
    pub fn status(&self) -> Option<MediaStatus> {
        match self.status.as_deref().or(self.file_status.as_deref())? {
            "UPLOADED" => Some(MediaStatus::Uploaded),
            "PROCESSING" => Some(MediaStatus::Processing),
            "READY" => Some(MediaStatus::Ready),
            "FAILED" => Some(MediaStatus::Failed),
            _ => None,
        }
    }

    /// The domain view of this node at a position; `None` without an id or a known kind.
    pub fn to_media(&self, position: u32) -> Option<Media> {
        let kind = self.kind()?;
        let full = self.image.as_ref();
        let preview = self.preview.as_ref().and_then(|p| p.image.as_ref());
        let source = self.sources.iter().find(|s| s.width.is_some());
        let width = full.and_then(|i| i.width).or(source.and_then(|s| s.width)).or(preview.and_then(|i| i.width));
        let height = full.and_then(|i| i.height).or(source.and_then(|s| s.height)).or(preview.and_then(|i| i.height));
        let url_name = |u: &str| u.split('?').next().and_then(|p| p.rsplit('/').next()).map(str::to_string);
        let filename = self
            .filename
            .clone()
            .or_else(|| full.and_then(|i| i.url.as_deref().or(i.original_src.as_deref())).and_then(url_name));
        let size = self.original_source.as_ref().and_then(|s| s.file_size.or(s.filesize));
        Some(Media {
            id: MediaId(self.id.clone()?),
            kind,
            alt: self.alt.clone().unwrap_or_default(),
            status: self.status().unwrap_or(MediaStatus::Ready),
            position,
            preview_url: preview.and_then(|i| i.url.clone().or_else(|| i.original_src.clone())),
            width,
            height,
            filename: filename.filter(|f| !f.is_empty()),
            size_bytes: size,
            mime_type: self.mime_type.clone().or_else(|| self.sources.first().and_then(|s| s.mime_type.clone())),
            errors: self
                .media_errors
                .iter()
                .chain(&self.file_errors)
                .map(|e| e.message.clone().or_else(|| e.code.clone()).unwrap_or_default())
                .collect(),
            // Only a web address is offered to open.
            external_url: self.origin_url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            alt_translated: Default::default(),
        })
    }
}

/// A product reference in a payload.
#[derive(Debug, Deserialize)]
pub struct ProductRef {
    /// GID.
    pub id: Option<String>,
    /// Title.
    pub title: Option<String>,
}

/// `Job`
#[derive(Debug, Deserialize)]
pub struct Job {
    /// GID.
    pub id: Option<String>,
    /// Finished.
    pub done: Option<bool>,
}

/// `StagedMediaUploadTarget`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StagedTarget {
    /// Where to send the file.
    pub url: Option<String>,
    /// What to attach afterwards.
    pub resource_url: Option<String>,
    /// Form fields (POST) or headers (PUT).
    #[serde(default)]
    pub parameters: Vec<StagedParameter>,
}

/// `StagedUploadParameter`
#[derive(Debug, Deserialize)]
pub struct StagedParameter {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// `stagedUploadsCreate`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StagedUploadsCreatePayload {
    /// One target per input.
    pub staged_targets: Option<Vec<StagedTarget>>,
    /// Errors.
    #[serde(default)]
    pub user_errors: Vec<UserError>,
    /// Errors, as older versions named them.
    #[serde(default)]
    pub media_user_errors: Vec<UserError>,
}

/// `productCreateMedia` and `productUpdateMedia`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductMediaPayload {
    /// The media created or changed.
    pub media: Option<Vec<MediaNode>>,
    /// The product.
    pub product: Option<ProductRef>,
    /// Errors with codes.
    #[serde(default)]
    pub media_user_errors: Vec<UserError>,
    /// Errors without codes.
    #[serde(default)]
    pub user_errors: Vec<UserError>,
}

/// `productUpdate`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductUpdatePayload {
    /// The product.
    pub product: Option<Product>,
    /// Errors.
    #[serde(default)]
    pub user_errors: Vec<UserError>,
}

/// `productDeleteMedia`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductDeleteMediaPayload {
    /// Removed media.
    pub deleted_media_ids: Option<Vec<String>>,
    /// The product.
    pub product: Option<ProductRef>,
    /// Errors.
    #[serde(default)]
    pub media_user_errors: Vec<UserError>,
}

/// `productReorderMedia`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductReorderMediaPayload {
    /// The job to poll.
    pub job: Option<Job>,
    /// Errors.
    #[serde(default)]
    pub media_user_errors: Vec<UserError>,
}

/// `fileUpdate` and `fileAcknowledgeUpdateFailed`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilesPayload {
    /// Files changed.
    pub files: Option<Vec<MediaNode>>,
    /// Errors.
    #[serde(default)]
    pub user_errors: Vec<UserError>,
}

/// `fileDelete`
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileDeletePayload {
    /// Files deleted.
    pub deleted_file_ids: Option<Vec<String>>,
    /// Errors.
    #[serde(default)]
    pub user_errors: Vec<UserError>,
}
