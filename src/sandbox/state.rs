//! The sandbox store's data: products, files (media), staged uploads and jobs, and how time moves them.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;

/// The kind of a file in the store's library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `MediaImage`
    Image,
    /// `Video`
    Video,
    /// `ExternalVideo`
    ExternalVideo,
    /// `Model3d`
    Model3d,
    /// `GenericFile` (not product media; in the library only)
    Generic,
}

impl FileKind {
    /// The GraphQL object type name, also the GID's type segment.
    pub fn type_name(self) -> &'static str {
        match self {
            FileKind::Image => "MediaImage",
            FileKind::Video => "Video",
            FileKind::ExternalVideo => "ExternalVideo",
            FileKind::Model3d => "Model3d",
            FileKind::Generic => "GenericFile",
        }
    }

    /// `MediaContentType` value.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Image => "IMAGE",
            FileKind::Video => "VIDEO",
            FileKind::ExternalVideo => "EXTERNAL_VIDEO",
            FileKind::Model3d => "MODEL_3D",
            FileKind::Generic => "GENERIC_FILE",
        }
    }

    /// The kind named by a GID type segment.
    pub fn from_type_name(name: &str) -> Option<FileKind> {
        Some(match name {
            "MediaImage" => FileKind::Image,
            "Video" => FileKind::Video,
            "ExternalVideo" => FileKind::ExternalVideo,
            "Model3d" => FileKind::Model3d,
            "GenericFile" => FileKind::Generic,
            _ => return None,
        })
    }
}

/// `FileStatus` / `MediaStatus` (they share their values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Received, waiting for processing.
    Uploaded,
    /// Being processed.
    Processing,
    /// Ready.
    Ready,
    /// Processing failed.
    Failed,
}

impl Status {
    /// The enum value as GraphQL spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Uploaded => "UPLOADED",
            Status::Processing => "PROCESSING",
            Status::Ready => "READY",
            Status::Failed => "FAILED",
        }
    }
}

/// Where an image's pixels come from.
#[derive(Debug, Clone)]
pub enum Pixels {
    /// Drawn on demand from a seed (the seeded catalog): any size is cheap.
    Generated {
        /// Pattern seed.
        seed: u64,
    },
    /// Bytes a client uploaded, decoded on demand.
    Uploaded(Bytes),
}

/// What processing will turn an uploaded file into.
#[derive(Debug, Clone)]
pub struct Pending {
    /// When the file becomes PROCESSING.
    pub processing_at: Instant,
    /// When processing ends.
    pub done_at: Instant,
    /// The error to report at the end, or `None` for READY.
    pub failure: Option<(&'static str, String)>,
}

/// A file of the store's library, which products reference as media.
#[derive(Debug, Clone)]
pub struct FileRec {
    /// Numeric id (the GID's last segment).
    pub id: u64,
    /// Image, video, external video, 3D model or generic file.
    pub kind: FileKind,
    /// Alt text.
    pub alt: String,
    /// Alt text in other languages, by language code (Ecwid's `alt.translated`).
    pub alt_translated: BTreeMap<String, String>,
    /// File name with extension.
    pub filename: String,
    /// MIME type of the original.
    pub mime: String,
    /// Size of the original in bytes.
    pub size: u64,
    /// Pixel size of the image, or of the video, or the preview of other kinds.
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// Video duration in milliseconds.
    pub duration_ms: u32,
    /// The image pixels (for images) or the preview pixels (other kinds).
    pub pixels: Option<Pixels>,
    /// Original bytes of videos, 3D models and generic files as uploaded.
    pub original: Option<Bytes>,
    /// Video id for external videos (YouTube or Vimeo).
    pub external: Option<(String, String)>,
    /// Processing status.
    pub status: Status,
    /// Errors reported when processing failed: `(code, message)`.
    pub errors: Vec<(&'static str, String)>,
    /// Scheduled processing, while the file is not final.
    pub pending: Option<Pending>,
    /// Bumped when the content changes, so CDN URLs change too.
    pub version: u64,
    /// Creation time.
    pub created_at: SystemTime,
    /// Last change.
    pub updated_at: SystemTime,
}

/// A product.
#[derive(Debug, Clone)]
pub struct ProductRec {
    /// Numeric id.
    pub id: u64,
    /// Title.
    pub title: String,
    /// URL handle.
    pub handle: String,
    /// ACTIVE, DRAFT or ARCHIVED.
    pub status: &'static str,
    /// Vendor.
    pub vendor: String,
    /// Product type.
    pub product_type: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Media file ids in position order.
    pub media: Vec<u64>,
    /// Variants in position order (every product has at least one, as on Shopify).
    pub variants: Vec<VariantRec>,
    /// Creation time.
    pub created_at: SystemTime,
    /// Last change.
    pub updated_at: SystemTime,
}

/// A product variant.
#[derive(Debug, Clone)]
pub struct VariantRec {
    /// Numeric id.
    pub id: u64,
    /// Option name and value pairs, e.g. ("Color", "Red"); ("Title", "Default Title") for a
    /// product without options.
    pub options: Vec<(String, String)>,
    /// The image file the variant shows, if any.
    pub image: Option<u64>,
}

impl VariantRec {
    /// The title Shopify gives a variant: its option values joined by " / ".
    pub fn title(&self) -> String {
        self.options.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(" / ")
    }
}

/// A file sent to a staged-upload target and not yet attached.
#[derive(Debug, Clone)]
pub struct StagedRec {
    /// The resource it was staged for (IMAGE, VIDEO, MODEL_3D, FILE).
    pub resource: String,
    /// File name given at staging.
    pub filename: String,
    /// MIME type given at staging.
    pub mime: String,
    /// Declared size, when given.
    pub declared_size: Option<u64>,
    /// The bytes, once uploaded.
    pub bytes: Option<Bytes>,
}

/// An asynchronous job (media reorder).
#[derive(Debug, Clone)]
pub struct JobRec {
    /// When it finishes.
    pub done_at: Instant,
    /// The product and the order to apply when it finishes; `None` once applied.
    pub apply: Option<(u64, Vec<u64>)>,
}

/// Timing of asynchronous work, shortened for tests when needed.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    /// From upload to PROCESSING.
    pub to_processing: Duration,
    /// From upload to READY or FAILED.
    pub to_done: Duration,
    /// From a reorder request to its job being done.
    pub reorder_job: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            to_processing: Duration::from_millis(150),
            to_done: Duration::from_millis(600),
            reorder_job: Duration::from_millis(300),
        }
    }
}

/// Everything the sandbox store holds.
#[derive(Debug, Default)]
pub struct State {
    /// Products by id.
    pub products: BTreeMap<u64, ProductRec>,
    /// Files by id.
    pub files: BTreeMap<u64, FileRec>,
    /// Staged uploads by key.
    pub staged: HashMap<String, StagedRec>,
    /// Jobs by id.
    pub jobs: HashMap<String, JobRec>,
    /// Next id for new files and jobs.
    pub next_id: u64,
    /// While true every request gets a server error, as in a platform outage (switched at run
    /// time, unlike the configured fault shares).
    pub outage: bool,
    /// Bulk query operations by id, newest last.
    pub bulk: BTreeMap<u64, BulkRec>,
    /// What happens to the next bulk query (a test switch): it fails, or its result expires.
    pub bulk_fault: Option<BulkFault>,
}

/// A bulk query operation: its result is taken when it starts and served as it "runs".
#[derive(Debug, Clone)]
pub struct BulkRec {
    /// Numeric id.
    pub id: u64,
    /// The query it runs.
    pub query: String,
    /// When it was created.
    pub created_at: SystemTime,
    /// The same, on the clock the timeline runs on.
    pub started: std::time::Instant,
    /// How long the sandbox took to work out the result (it does so at once, while the
    /// timeline runs): its own processing time, for benchmarks to leave out.
    pub prepared_in: std::time::Duration,
    /// The result's JSONL lines, in the order they are served.
    pub lines: Vec<String>,
    /// Objects at the root of the query.
    pub root_count: u64,
    /// Names the result file in its URL.
    pub key: String,
    /// Canceled by the app.
    pub canceled: bool,
    /// What goes wrong with it, if anything.
    pub fault: Option<BulkFault>,
}

/// A bulk operation that goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkFault {
    /// Fails half-way with `INTERNAL_SERVER_ERROR`, leaving a partial result.
    Fail,
    /// Completes, then its result expires before it is downloaded.
    Expire,
}

impl State {
    /// A fresh id for a new record.
    pub fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Apply everything whose time has come: status transitions and finished jobs.
    pub fn tick(&mut self, now: Instant) {
        for file in self.files.values_mut() {
            if file.pending.as_ref().is_some_and(|p| now >= p.done_at)
                && let Some(p) = file.pending.take()
            {
                match p.failure {
                    Some(err) => {
                        file.status = Status::Failed;
                        file.errors = vec![err];
                    }
                    None => {
                        file.status = Status::Ready;
                        file.errors.clear();
                    }
                }
                file.updated_at = SystemTime::now();
            } else if file.pending.as_ref().is_some_and(|p| now >= p.processing_at) {
                file.status = Status::Processing;
            }
        }
        let due: Vec<String> =
            self.jobs.iter().filter(|(_, j)| j.apply.is_some() && now >= j.done_at).map(|(k, _)| k.clone()).collect();
        for key in due {
            let Some((product, order)) = self.jobs.get_mut(&key).and_then(|j| j.apply.take()) else {
                continue;
            };
            if let Some(p) = self.products.get_mut(&product) {
                // Media added or removed since the request keep their relative place.
                let mut next: Vec<u64> = order.into_iter().filter(|id| p.media.contains(id)).collect();
                for id in &p.media {
                    if !next.contains(id) {
                        next.push(*id);
                    }
                }
                p.media = next;
                p.updated_at = SystemTime::now();
            }
        }
    }

    /// The products that reference a file, in id order.
    pub fn products_using(&self, file: u64) -> Vec<u64> {
        self.products.values().filter(|p| p.media.contains(&file)).map(|p| p.id).collect()
    }
}

/// The numeric id of a GID of one of the given types, e.g. `gid://shopify/Product/12`.
pub fn parse_gid(gid: &str) -> Option<(&str, u64)> {
    let rest = gid.strip_prefix("gid://shopify/")?;
    let (ty, id) = rest.split_once('/')?;
    let id = id.split('?').next()?;
    Some((ty, id.parse().ok()?))
}

/// A GID for a type and numeric id.
pub fn gid(ty: &str, id: u64) -> String {
    format!("gid://shopify/{ty}/{id}")
}
