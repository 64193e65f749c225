//! The sandbox's GraphQL objects: how each field of the schema is resolved from the state.

use std::cell::RefCell;
use std::time::{Instant, SystemTime};

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;
use serde_json::{Value, json};

use super::{bulk_ops, search};
use crate::rng::Rng;
use crate::sandbox::SandboxConfig;
use crate::sandbox::state::{FileKind, FileRec, State, Status, gid, parse_gid};

/// What one request executes against.
pub struct Ctx {
    /// The store, taken out of its lock for the request.
    pub state: RefCell<State>,
    /// The sandbox's settings.
    pub config: std::sync::Arc<SandboxConfig>,
    /// `http://127.0.0.1:PORT`, for the URLs the API hands out.
    pub base: String,
    /// The scopes of the token that made the request.
    pub scopes: Vec<String>,
    /// The time of the request.
    pub now: Instant,
    /// Randomness for injected processing failures.
    pub rng: RefCell<Rng>,
    /// Runs a mutation field: given by the GraphQL entry point, so the object graph does not
    /// import the mutations module that builds on it.
    pub mutations: MutationFn,
    /// True while a bulk query's result is read: connections need no `first` then.
    pub bulk: std::cell::Cell<bool>,
}

/// Runs one mutation field with its arguments.
pub type MutationFn = for<'c> fn(&'c Ctx, &str, &Value) -> Result<Val<'c>, FieldError>;

impl Ctx {
    /// An absolute URL on the sandbox.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// A resolved value that is not a leaf yet: a field of a record.
#[derive(Clone)]
pub enum Val<'c> {
    /// A leaf, or a plain object (resolved field by field from its JSON).
    Json(Value),
    /// An object with resolvers.
    Obj(Obj<'c>),
    /// A list.
    List(Vec<Val<'c>>),
}

/// A GraphQL object.
#[derive(Clone)]
pub enum Obj<'c> {
    /// `QueryRoot`
    Query(&'c Ctx),
    /// `Mutation`
    Mutation(&'c Ctx),
    /// `Product`, by id.
    Product(&'c Ctx, u64),
    /// A file (`MediaImage`, `Video`, `ExternalVideo`, `Model3d`, `GenericFile`), by id.
    File(&'c Ctx, u64),
    /// `Image` of a file: the image itself, or the preview of a video or model.
    Image(&'c Ctx, u64),
    /// `MediaPreviewImage` of a file.
    Preview(&'c Ctx, u64),
    /// `ProductVariant`: its product and its own id.
    Variant(&'c Ctx, u64, u64),
    /// A connection page.
    Connection(&'c Ctx, search::PageOf),
    /// An edge of a connection.
    Edge(&'c Ctx, search::Item, String),
    /// A payload or other object with precomputed fields.
    Record(&'static str, Vec<(&'static str, Val<'c>)>),
    /// A plain object whose fields are the keys of a JSON object.
    Json(String, Value),
}

fn to_json(v: Value) -> JsonValue {
    JsonValue::from(v)
}

fn args(info: &ResolveInfo<'_>) -> Value {
    serde_json::to_value(info.arguments()).unwrap_or(Value::Null)
}

fn err(message: impl Into<String>) -> FieldError {
    FieldError { message: message.into() }
}

fn time(t: SystemTime) -> Value {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Value::String(rfc3339(secs))
}

use crate::time::rfc3339;

impl<'c> Val<'c> {
    fn into_resolved<'a>(self, info: &ResolveInfo<'_>) -> ResolvedValue<'a>
    where
        'c: 'a,
    {
        match self {
            Val::Obj(o) => ResolvedValue::object(o),
            Val::List(items) => {
                let info_ty = info.field_definition().ty.inner_named_type().to_string();
                ResolvedValue::list(items.into_iter().map(move |v| match v {
                    Val::Json(Value::Object(m)) => ResolvedValue::object(Obj::Json(info_ty.clone(), Value::Object(m))),
                    Val::Obj(o) => ResolvedValue::object(o),
                    Val::Json(other) => ResolvedValue::leaf(to_json(other)),
                    Val::List(_) => ResolvedValue::null(),
                }))
            }
            Val::Json(Value::Object(m)) => ResolvedValue::object(Obj::Json(
                info.field_definition().ty.inner_named_type().to_string(),
                Value::Object(m),
            )),
            Val::Json(Value::Array(items)) => {
                // Lists must resolve item by item, objects as objects and scalars as leaves.
                let ty = info.field_definition().ty.inner_named_type().to_string();
                let objects = is_object_type(info);
                ResolvedValue::list(items.into_iter().map(move |v| match v {
                    Value::Null => ResolvedValue::null(),
                    v if objects => ResolvedValue::object(Obj::Json(ty.clone(), v)),
                    v => ResolvedValue::leaf(to_json(v)),
                }))
            }
            Val::Json(v) => ResolvedValue::leaf(to_json(v)),
        }
    }
}

fn is_object_type(info: &ResolveInfo<'_>) -> bool {
    let ty = info.field_definition().ty.inner_named_type();
    matches!(
        info.schema().types.get(ty),
        Some(apollo_compiler::schema::ExtendedType::Object(_))
            | Some(apollo_compiler::schema::ExtendedType::Interface(_))
    )
}

impl<'c> ObjectValue for Obj<'c> {
    fn type_name(&self) -> &str {
        match self {
            Obj::Query(_) => "QueryRoot",
            Obj::Mutation(_) => "Mutation",
            Obj::Product(..) => "Product",
            Obj::File(ctx, id) => {
                let st = ctx.state.borrow();
                st.files.get(id).map_or("MediaImage", |f| f.kind.type_name())
            }
            Obj::Image(..) => "Image",
            Obj::Variant(..) => "ProductVariant",
            Obj::Preview(..) => "MediaPreviewImage",
            Obj::Connection(_, page) => page.connection_type,
            Obj::Edge(_, item, _) => item.edge_type(),
            Obj::Record(name, _) => name,
            Obj::Json(name, _) => name,
        }
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let name = info.field_name();
        if name == "__typename" {
            return Ok(ResolvedValue::leaf(self.type_name().to_string()));
        }
        let val = match self {
            Obj::Query(ctx) => query_field(ctx, name, &args(info))?,
            Obj::Mutation(ctx) => (ctx.mutations)(ctx, name, &args(info))?,
            Obj::Product(ctx, id) => product_field(ctx, *id, name, &args(info))?,
            Obj::File(ctx, id) => file_field(ctx, *id, name)?,
            Obj::Image(ctx, id) => image_field(ctx, *id, name, &args(info))?,
            Obj::Variant(ctx, product, id) => variant_field(ctx, *product, *id, name, &args(info))?,
            Obj::Preview(ctx, id) => {
                let st = ctx.state.borrow();
                let f = st.files.get(id).ok_or_else(|| err("file vanished"))?;
                match name {
                    "status" => Val::Json(json!(f.status.as_str())),
                    "image" if has_image(f) => Val::Obj(Obj::Image(ctx, *id)),
                    "image" => Val::Json(Value::Null),
                    _ => return Err(self.unknown_field_error(info)),
                }
            }
            Obj::Connection(ctx, page) => match name {
                "edges" => Val::List(
                    page.items.iter().map(|(item, cursor)| Val::Obj(Obj::Edge(ctx, *item, cursor.clone()))).collect(),
                ),
                "nodes" => Val::List(page.items.iter().map(|(item, _)| Val::Obj(item.obj(ctx))).collect()),
                "pageInfo" => Val::Json(page.page_info()),
                _ => return Err(self.unknown_field_error(info)),
            },
            Obj::Edge(ctx, item, cursor) => match name {
                "cursor" => Val::Json(json!(cursor)),
                "node" => Val::Obj(item.obj(ctx)),
                _ => return Err(self.unknown_field_error(info)),
            },
            Obj::Record(_, fields) => match fields.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => v.clone(),
                None => Val::Json(Value::Null),
            },
            Obj::Json(_, value) => Val::Json(value.get(name).cloned().unwrap_or(Value::Null)),
        };
        Ok(val.into_resolved(info))
    }
}

/// True when the file has pixels to show now: images once READY, previews of other kinds.
fn has_image(f: &FileRec) -> bool {
    f.pixels.is_some() && f.status == Status::Ready && f.kind != FileKind::Generic
}

fn query_field<'c>(ctx: &'c Ctx, name: &str, a: &Value) -> Result<Val<'c>, FieldError> {
    let a = &bulk_ops::all_of(ctx.bulk.get(), a);
    match name {
        "currentBulkOperation" => return Ok(Val::Json(bulk_ops::current(&bulk_view(ctx), &ctx.state.borrow()))),
        "node" => return Ok(node(ctx, a.get("id").and_then(Value::as_str).unwrap_or(""))),
        "nodes" => {
            let ids: Vec<&str> = a
                .get("ids")
                .and_then(Value::as_array)
                .map_or_else(Vec::new, |l| l.iter().filter_map(Value::as_str).collect());
            // Shopify's cap on input arrays.
            if ids.len() > 250 {
                return Err(err(format!(
                    "The input array size of {} is greater than the maximum allowed of 250.",
                    ids.len()
                )));
            }
            // One entry per id, null where nothing has it.
            return Ok(Val::List(ids.into_iter().map(|id| node(ctx, id)).collect()));
        }
        _ => {}
    }
    let st = ctx.state.borrow();
    Ok(match name {
        "products" => Val::Obj(Obj::Connection(ctx, search::products(&st, a).map_err(err)?)),
        "productsCount" => {
            let n = search::matching_products(&st, a.get("query").and_then(Value::as_str).unwrap_or("")).len();
            Val::Json(json!({"count": n, "precision": "EXACT"}))
        }
        "product" => match a.get("id").and_then(Value::as_str).and_then(parse_gid) {
            Some(("Product", id)) if st.products.contains_key(&id) => Val::Obj(Obj::Product(ctx, id)),
            _ => Val::Json(Value::Null),
        },
        "files" => Val::Obj(Obj::Connection(ctx, search::files(&st, a).map_err(err)?)),
        "job" => {
            let id = a.get("id").and_then(Value::as_str).unwrap_or_default();
            match st.jobs.get(id) {
                Some(job) => Val::Json(json!({"id": id, "done": ctx.now >= job.done_at && job.apply.is_none()})),
                None => Val::Json(Value::Null),
            }
        }
        "shop" => Val::Json(json!({
            "id": "gid://shopify/Shop/1",
            "name": "mediadesk sandbox",
            "myshopifyDomain": "mediadesk-sandbox.myshopify.com",
            "email": "owner@example.com",
            "currencyCode": "EUR",
        })),
        "currentAppInstallation" => Val::Json(json!({
            "id": "gid://shopify/AppInstallation/1",
            "accessScopes": ctx.scopes.iter().map(|s| json!({"handle": s, "description": ""})).collect::<Vec<_>>(),
        })),
        _ => return Err(err(format!("Field '{name}' doesn't exist on type 'QueryRoot'"))),
    })
}

/// How this request sees bulk operations.
fn bulk_view(ctx: &Ctx) -> bulk_ops::View<'_> {
    bulk_ops::View::new(&ctx.config, ctx.now, &ctx.base)
}

/// `node(id:)`: a bulk operation, a product or a file; null for anything else.
fn node<'c>(ctx: &'c Ctx, id: &str) -> Val<'c> {
    let st = ctx.state.borrow();
    match parse_gid(id) {
        Some(("BulkOperation", n)) if st.bulk.contains_key(&n) => {
            Val::Obj(Obj::Json("BulkOperation".into(), bulk_ops::operation_json(&bulk_view(ctx), &st, n)))
        }
        Some(("Product", n)) if st.products.contains_key(&n) => Val::Obj(Obj::Product(ctx, n)),
        Some((ty, n)) if st.files.get(&n).is_some_and(|f| f.kind.type_name() == ty) => Val::Obj(Obj::File(ctx, n)),
        _ => Val::Json(Value::Null),
    }
}

fn product_field<'c>(ctx: &'c Ctx, id: u64, name: &str, a: &Value) -> Result<Val<'c>, FieldError> {
    let a = &bulk_ops::all_of(ctx.bulk.get(), a);
    let st = ctx.state.borrow();
    let p = st.products.get(&id).ok_or_else(|| err("product vanished"))?;
    Ok(match name {
        "id" => Val::Json(json!(gid("Product", p.id))),
        "title" => Val::Json(json!(p.title)),
        "handle" => Val::Json(json!(p.handle)),
        "status" => Val::Json(json!(p.status)),
        "vendor" => Val::Json(json!(p.vendor)),
        "productType" => Val::Json(json!(p.product_type)),
        "tags" => Val::Json(json!(p.tags)),
        "createdAt" => Val::Json(time(p.created_at)),
        "updatedAt" => Val::Json(time(p.updated_at)),
        "featuredMedia" => match p.media.first() {
            Some(m) => Val::Obj(Obj::File(ctx, *m)),
            None => Val::Json(Value::Null),
        },
        "mediaCount" => Val::Json(json!({"count": p.media.len(), "precision": "EXACT"})),
        "media" => Val::Obj(Obj::Connection(ctx, search::product_media(&st, p, a).map_err(err)?)),
        "variants" => Val::Obj(Obj::Connection(ctx, search::product_variants(p, a).map_err(err)?)),
        _ => Val::Json(Value::Null),
    })
}

fn variant_field<'c>(ctx: &'c Ctx, product: u64, id: u64, name: &str, a: &Value) -> Result<Val<'c>, FieldError> {
    let a = &bulk_ops::all_of(ctx.bulk.get(), a);
    let st = ctx.state.borrow();
    let p = st.products.get(&product).ok_or_else(|| err("product vanished"))?;
    let (position, v) =
        p.variants.iter().enumerate().find(|(_, v)| v.id == id).ok_or_else(|| err("variant vanished"))?;
    Ok(match name {
        "id" => Val::Json(json!(gid("ProductVariant", v.id))),
        "title" => Val::Json(json!(v.title())),
        "displayName" => Val::Json(json!(format!("{} - {}", p.title, v.title()))),
        "position" => Val::Json(json!(position + 1)),
        "product" => Val::Obj(Obj::Product(ctx, product)),
        "selectedOptions" => {
            Val::Json(Value::Array(v.options.iter().map(|(n, value)| json!({"name": n, "value": value})).collect()))
        }
        "media" => {
            let shown: Vec<search::Item> = v.image.into_iter().map(search::Item::Media).collect();
            Val::Obj(Obj::Connection(ctx, search::paginate("MediaConnection", shown, a).map_err(err)?))
        }
        // The picture the variant shows: the same Image as its media's (one id for both).
        "image" => match v.image.filter(|f| st.files.get(f).is_some_and(has_image)) {
            Some(f) => Val::Obj(Obj::Image(ctx, f)),
            None => Val::Json(Value::Null),
        },
        _ => Val::Json(Value::Null),
    })
}

fn extension(filename: &str) -> &str {
    filename.rsplit_once('.').map_or("", |(_, e)| e)
}

fn file_field<'c>(ctx: &'c Ctx, id: u64, name: &str) -> Result<Val<'c>, FieldError> {
    let st = ctx.state.borrow();
    let f = st.files.get(&id).ok_or_else(|| err("file vanished"))?;
    let ready = f.status == Status::Ready;
    let cdn = |suffix: &str| ctx.url(&format!("/cdn/shop/files/{}/{}?v={}", f.id, suffix, f.version));
    Ok(match name {
        "id" => Val::Json(json!(gid(f.kind.type_name(), f.id))),
        "alt" => Val::Json(json!(f.alt)),
        "createdAt" => Val::Json(time(f.created_at)),
        "updatedAt" => Val::Json(time(f.updated_at)),
        "fileStatus" | "status" => Val::Json(json!(f.status.as_str())),
        "mediaContentType" => Val::Json(json!(f.kind.content_type())),
        "mediaErrors" | "fileErrors" => Val::Json(Value::Array(
            f.errors
                .iter()
                .map(|(code, message)| json!({"code": code, "message": message, "details": Value::Null}))
                .collect(),
        )),
        "mediaWarnings" => Val::Json(json!([])),
        "preview" => Val::Obj(Obj::Preview(ctx, id)),
        "image" if has_image(f) => Val::Obj(Obj::Image(ctx, id)),
        "image" => Val::Json(Value::Null),
        "mimeType" => Val::Json(json!(f.mime)),
        "filename" => Val::Json(json!(f.filename)),
        "duration" => Val::Json(json!(f.duration_ms)),
        "originalFileSize" => Val::Json(json!(f.size)),
        "url" => Val::Json(if ready { json!(cdn(&f.filename)) } else { Value::Null }),
        "originalSource" => match f.kind {
            FileKind::Image => Val::Json(json!({"url": cdn(&f.filename), "fileSize": f.size})),
            FileKind::Video => Val::Json(json!({
                "url": cdn(&f.filename), "mimeType": f.mime, "format": extension(&f.filename),
                "width": f.width, "height": f.height, "fileSize": f.size,
            })),
            _ => Val::Json(
                json!({"url": cdn(&f.filename), "mimeType": f.mime, "format": extension(&f.filename), "filesize": f.size}),
            ),
        },
        "sources" => match f.kind {
            FileKind::Video => {
                let stem = f.filename.rsplit_once('.').map_or(f.filename.as_str(), |(s, _)| s);
                Val::Json(json!([
                    {"url": cdn(&format!("{stem}.m3u8")), "mimeType": "application/x-mpegURL", "format": "m3u8",
                     "width": f.width, "height": f.height, "fileSize": Value::Null},
                    {"url": cdn(&format!("{stem}.HD-720p.mp4")), "mimeType": "video/mp4", "format": "mp4",
                     "width": f.width, "height": f.height, "fileSize": f.size},
                ]))
            }
            _ => {
                let stem = f.filename.rsplit_once('.').map_or(f.filename.as_str(), |(s, _)| s);
                Val::Json(json!([
                    {"url": cdn(&f.filename), "mimeType": "model/gltf-binary", "format": "glb", "filesize": f.size},
                    {"url": cdn(&format!("{stem}.usdz")), "mimeType": "model/vnd.usdz+zip", "format": "usdz", "filesize": f.size},
                ]))
            }
        },
        "embedUrl" | "embeddedUrl" | "originUrl" | "host" => {
            let (host, vid) = f.external.clone().unwrap_or_default();
            let youtube = host == "YOUTUBE";
            Val::Json(match name {
                "host" => json!(host),
                "embedUrl" if youtube => json!(format!("https://www.youtube.com/embed/{vid}")),
                "embedUrl" => json!(format!("https://player.vimeo.com/video/{vid}")),
                "embeddedUrl" if youtube => json!(format!("https://youtu.be/{vid}")),
                "originUrl" if youtube => json!(format!("https://www.youtube.com/watch?v={vid}")),
                _ => json!(format!("https://vimeo.com/{vid}")),
            })
        }
        _ => Val::Json(Value::Null),
    })
}

fn image_field<'c>(ctx: &'c Ctx, id: u64, name: &str, a: &Value) -> Result<Val<'c>, FieldError> {
    let st = ctx.state.borrow();
    let f = st.files.get(&id).ok_or_else(|| err("file vanished"))?;
    let is_image = f.kind == FileKind::Image;
    let (w, h) = (f.width, f.height);
    let file = if is_image { f.filename.clone() } else { "preview.jpg".to_string() };
    let base = ctx.url(&format!("/cdn/shop/files/{}/{}?v={}", f.id, file, f.version));
    Ok(Val::Json(match name {
        "id" => json!(gid("ImageSource", f.id)),
        "altText" => json!(f.alt),
        "width" => json!(w),
        "height" => json!(h),
        "originalSrc" | "src" => json!(base),
        "url" => {
            let t = a.get("transform").cloned().unwrap_or(Value::Null);
            let mut url = base;
            let scale = t.get("scale").and_then(Value::as_u64).unwrap_or(1).clamp(1, 3);
            for (key, param) in [("maxWidth", "width"), ("maxHeight", "height")] {
                if let Some(n) = t.get(key).and_then(Value::as_u64) {
                    if n == 0 || n > 5760 {
                        return Err(err(format!("Invalid {key}: must be between 1 and 5760")));
                    }
                    url.push_str(&format!("&{param}={}", n * scale));
                }
            }
            if let Some(c) = t.get("crop").and_then(Value::as_str) {
                url.push_str(&format!("&crop={}", c.to_lowercase()));
            }
            if let Some(c) = t.get("preferredContentType").and_then(Value::as_str) {
                url.push_str(&format!("&format={}", c.to_lowercase()));
            }
            json!(url)
        }
        _ => Value::Null,
    }))
}

impl search::Item {
    /// The object for this item.
    pub fn obj<'c>(self, ctx: &'c Ctx) -> Obj<'c> {
        match self {
            search::Item::Product(id) => Obj::Product(ctx, id),
            search::Item::File(id) => Obj::File(ctx, id),
            search::Item::Media(id) => Obj::File(ctx, id),
            search::Item::Variant(product, id) => Obj::Variant(ctx, product, id),
        }
    }
}
