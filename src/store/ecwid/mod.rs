//! Ecwid's REST API v3: the `Store` implementation. Alt text and order travel in
//! `PUT /products/{id}` with the complete image list, translations included, so an edit never
//! changes what the gallery holds; uploads are raw bytes; `PUT /products/{id}/media` sets main
//! media and gallery from URLs.

pub mod client;
pub mod wire;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::model::{
    Media, MediaId, MediaKind, MediaStatus, Page, Platform, ProductId, ProductMedia, ProductQuery, ProductSort,
    ProductSummary, StoreRef,
};
use crate::secrets::Secret;
use crate::store::{
    AltEdit, BatchOutcome, Capabilities, Connection, FileOutcome, ItemError, ProgressFn, Store, StoreError, UploadFile,
    validate,
};
use client::Client;

/// Ecwid's API host.
pub const API_BASE: &str = "https://app.ecwid.com/api/v3/";

/// The REST base of a store: Ecwid's host, or the same paths on a loopback `endpoint`.
pub fn base_url(store_id: &str, endpoint: Option<&str>) -> Result<reqwest::Url, StoreError> {
    let bad = |e: url::ParseError| StoreError::Invalid {
        field: vec!["endpoint".into()],
        code: "INVALID_ENDPOINT".into(),
        message: e.to_string(),
    };
    let root = match endpoint {
        Some(e) => crate::store::endpoint::loopback_base(e)?.join("api/v3/").map_err(bad)?,
        None => reqwest::Url::parse(API_BASE).map_err(bad)?,
    };
    root.join(&format!("{store_id}/")).map_err(|e| StoreError::Invalid {
        field: vec!["store".into()],
        code: "INVALID_STORE".into(),
        message: e.to_string(),
    })
}

/// An Ecwid store.
pub struct EcwidStore {
    store_ref: StoreRef,
    client: Client,
}

pub use crate::store::SetMediaReport;

fn item(media: &str, code: &str, message: impl Into<String>) -> ItemError {
    ItemError { item: Some(media.to_string()), field: vec![], code: code.into(), message: message.into() }
}

impl EcwidStore {
    /// A store by id, at Ecwid or a loopback endpoint, with a `secret_` (or read-only `public_`) token.
    pub fn new(store_id: &str, endpoint: Option<&str>, token: Secret) -> Result<Self, StoreError> {
        Ok(EcwidStore {
            store_ref: StoreRef::Ecwid { store_id: store_id.to_string() },
            client: Client::new(base_url(store_id, endpoint)?, token),
        })
    }

    async fn product(&self, id: &ProductId) -> Result<wire::Product, StoreError> {
        // Every product path starts with this read: only a number ever reaches a path.
        let id = crate::store::ids::ecwid_path_id(&id.0)?;
        self.client.send(&format!("products/{id}"), &|h, u| h.get(u), true).await
    }

    /// Refuse a change locally when the token is a read-only `public_` one: nothing is sent.
    fn writable(&self) -> Result<(), StoreError> {
        if self.client.read_only() {
            return Err(StoreError::Refused {
                code: "READ_ONLY_TOKEN".into(),
                message: "this store is connected with a public_ token, which Ecwid lets only read; nothing was sent. \
                          Connect it with the app's secret_ token to make changes"
                    .into(),
            });
        }
        Ok(())
    }

    /// Check the token: the store's name, and what the token cannot do. A `public_` token
    /// reads only; a `secret_` token's missing `update_catalog` shows on the first change.
    async fn check_token(&self) -> Result<(String, Vec<String>), StoreError> {
        let v: Value = self.client.send("profile", &|h, u| h.get(u), true).await?;
        let name = v
            .pointer("/settings/storeName")
            .or_else(|| v.pointer("/account/accountName"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let limitations = if self.client.read_only() {
            vec![
                "This is a public_ token: it reads the catalog but cannot upload, edit alt text, reorder or remove. \
                 Use the app's secret_ token."
                    .to_string(),
            ]
        } else {
            Vec::new()
        };
        Ok((name, limitations))
    }

    /// Send the complete image list with these changes: `alt` by id, and a new order.
    async fn put_images(
        &self,
        product: &ProductId,
        images: &[wire::Image],
        alts: &std::collections::HashMap<String, String>,
        order: Option<&[String]>,
    ) -> Result<(), StoreError> {
        let list: Vec<Value> = images
            .iter()
            .map(|img| {
                let order_by =
                    order.and_then(|o| o.iter().position(|i| *i == img.id)).map_or(img.order_by, |p| p as i64);
                // Translations go back as they are: Ecwid replaces the alt object as a whole.
                let alt = wire::Alt {
                    main: Some(alts.get(&img.id).cloned().unwrap_or_else(|| img.alt.main.clone().unwrap_or_default())),
                    translated: img.alt.translated.clone(),
                };
                json!({"id": img.id, "orderBy": order_by, "alt": alt})
            })
            .collect();
        let body = json!({"media": {"images": list}});
        let _: Value = self.client.send(&format!("products/{product}"), &|h, u| h.put(u).json(&body), true).await?;
        Ok(())
    }

    /// Set the main media and the gallery from URLs with `PUT /products/{id}/media`. Without
    /// `gallery`, the current gallery is sent back as it is, since a missing list deletes it.
    async fn set_media_urls(
        &self,
        product: &ProductId,
        main: Option<&str>,
        gallery: Option<&[String]>,
    ) -> Result<SetMediaReport, StoreError> {
        self.writable()?;
        let current = self.product(product).await?;
        let mut images = current.media.images.clone();
        images.sort_by_key(|i| i.order_by);
        let gallery: Vec<String> = match gallery {
            Some(g) => g.to_vec(),
            None => images.iter().skip(1).filter_map(|i| i.image_original_url.clone()).collect(),
        };
        let is_video = |u: &str| {
            u.contains("youtube.com") || u.contains("youtu.be") || u.contains("vimeo.com") || u.ends_with(".mp4")
        };
        let entry = |u: &str| if is_video(u) { json!({"videoUrl": u}) } else { json!({"imageUrl": u}) };
        let mut body = json!({"galleryMedia": gallery.iter().map(|u| entry(u)).collect::<Vec<_>>()});
        if let Some(m) = main {
            body["mainMedia"] = entry(m);
        }
        let result: wire::SetMediaResult =
            self.client.send(&format!("products/{product}/media"), &|h, u| h.put(u).json(&body), true).await?;
        let outcome = |url: &str, r: &wire::MediaResult| -> Result<String, ItemError> {
            if r.success {
                Ok(r.id.clone().unwrap_or_default())
            } else {
                Err(item(
                    url,
                    r.error_code.as_deref().unwrap_or("DOWNLOAD_FAILED"),
                    r.error_message.clone().unwrap_or_default(),
                ))
            }
        };
        let mut items = Vec::new();
        if let (Some(m), Some(r)) = (main, &result.main_media) {
            items.push((m.to_string(), outcome(m, r)));
        }
        for (url, r) in gallery.iter().zip(&result.gallery_media) {
            items.push((url.clone(), outcome(url, r)));
        }
        Ok(SetMediaReport { items })
    }
}

/// What a catalog page needs of each product: Ecwid sends only these fields back.
const CATALOG_FIELDS: &str = "total,count,offset,limit,items(id,name,url,enabled,updateTimestamp,thumbnailUrl,media,\
                              combinations(id,options(name,value),imageUrl,originalImageUrl,alt))";

impl EcwidStore {
    /// One page of whole products (100, the most Ecwid gives), in the order they were added so
    /// offsets stay put while the sync pages; `changed_since` keeps later updates only.
    async fn catalog_products(
        &self,
        changed_since: Option<&str>,
        cursor: Option<String>,
    ) -> Result<Page<crate::model::ProductRecord>, StoreError> {
        let offset: u64 = cursor.as_deref().and_then(|c| c.parse().ok()).unwrap_or(0);
        let mut params = vec![
            ("offset", offset.to_string()),
            ("limit", "100".to_string()),
            ("sortBy", "ADDED_TIME_ASC".to_string()),
            ("responseFields", CATALOG_FIELDS.to_string()),
        ];
        if let Some(since) = changed_since {
            let secs = crate::time::parse_rfc3339(since).ok_or_else(|| StoreError::Invalid {
                code: "INVALID_TIME".into(),
                message: format!("`{since}` is not a time"),
                field: Vec::new(),
            })?;
            params.push(("updatedFrom", secs.to_string()));
        }
        let r: wire::SearchResult = self.client.send("products", &|h, u| h.get(u).query(&params), true).await?;
        let next = (r.offset + r.count < r.total && r.count > 0).then(|| (r.offset + r.count).to_string());
        let items = r
            .items
            .iter()
            .map(|p| {
                let media = media_of(p);
                let variants = variants_of(p, &media);
                crate::model::ProductRecord {
                    id: ProductId(p.id.to_string()),
                    title: p.name.clone(),
                    handle: handle_of(p),
                    vendor: None,
                    product_type: None,
                    status: p.enabled.map(|e| if e { "enabled" } else { "disabled" }.to_string()),
                    tags: Vec::new(),
                    updated_at: p.update_timestamp.and_then(|s| u64::try_from(s).ok()).map(crate::time::rfc3339),
                    media,
                    variants,
                }
            })
            .collect();
        Ok(Page { items, next_cursor: next })
    }
}

/// A product's variations as the catalog keeps them: one with its own image holds it (with its
/// alt text), one without shows the product's main image, as Ecwid's storefront does.
fn variants_of(p: &wire::Product, media: &[Media]) -> Vec<crate::model::Variant> {
    let main = media.iter().find(|m| m.kind == MediaKind::Image).map(|m| m.id.clone());
    p.combinations
        .iter()
        .map(|c| {
            let options: Vec<(String, String)> = c.options.iter().map(|o| (o.name.clone(), o.value.clone())).collect();
            let title = options.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(" / ");
            let own = c.original_image_url.clone().or_else(|| c.image_url.clone());
            let own_image = own.map(|url| crate::model::OwnImage { url, alt: c.alt.main.clone().unwrap_or_default() });
            let media = if own_image.is_some() { Vec::new() } else { main.clone().into_iter().collect() };
            crate::model::Variant { id: c.id.clone(), title, options, media, own_image }
        })
        .collect()
}

/// The last part of the storefront URL, Ecwid's nearest thing to a handle.
fn handle_of(p: &wire::Product) -> String {
    p.url.as_deref().and_then(|u| u.rsplit('/').next()).unwrap_or("").to_string()
}

fn media_of(p: &wire::Product) -> Vec<Media> {
    let mut images = p.media.images.clone();
    images.sort_by_key(|i| i.order_by);
    let mut out: Vec<Media> = images
        .iter()
        .map(|i| Media {
            id: MediaId(i.id.clone()),
            kind: MediaKind::Image,
            alt: i.alt.main.clone().unwrap_or_default(),
            status: MediaStatus::Ready,
            position: 0,
            preview_url: i.image400px_url.clone().or_else(|| i.image160px_url.clone()),
            width: i.width,
            height: i.height,
            filename: i
                .image_original_url
                .as_deref()
                .and_then(|u| u.split('?').next()?.rsplit('/').next())
                .map(str::to_string),
            size_bytes: None,
            mime_type: None,
            errors: vec![],
            external_url: None,
            alt_translated: i.alt.translated.clone(),
        })
        .collect();
    out.extend(p.media.videos.iter().map(|v| Media {
        id: MediaId(v.id.clone()),
        kind: MediaKind::ExternalVideo,
        alt: v.title.clone().unwrap_or_default(),
        status: MediaStatus::Ready,
        position: 0,
        preview_url: v.image400px_url.clone(),
        width: None,
        height: None,
        filename: None,
        size_bytes: None,
        mime_type: None,
        errors: vec![],
        external_url: v.url.clone().filter(|u| u.starts_with("https://")),
        alt_translated: Default::default(),
    }));
    for (i, m) in out.iter_mut().enumerate() {
        m.position = i as u32;
    }
    out
}

#[async_trait]
impl Store for EcwidStore {
    fn store_ref(&self) -> &StoreRef {
        &self.store_ref
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            removal_deletes: true,
            file_library: false,
            alt_max_chars: Platform::Ecwid.limits().alt_max_chars,
            media_from_urls: true,
            bulk_reads: false,
            alts_across_products: false,
        }
    }

    async fn connect(&self) -> Result<Connection, StoreError> {
        let (name, limitations) = self.check_token().await?;
        Ok(Connection { name, domain: None, scopes: Vec::new(), limitations })
    }

    async fn set_media(
        &self,
        product: &ProductId,
        main: Option<&str>,
        gallery: Option<&[String]>,
    ) -> Result<SetMediaReport, StoreError> {
        self.set_media_urls(product, main, gallery).await
    }

    async fn search_products(&self, query: &ProductQuery) -> Result<Page<ProductSummary>, StoreError> {
        let offset: u64 = query.cursor.as_deref().and_then(|c| c.parse().ok()).unwrap_or(0);
        let sort = match query.sort {
            ProductSort::Title => "NAME_ASC",
            ProductSort::UpdatedAt => "UPDATED_TIME_DESC",
            ProductSort::CreatedAt => "ADDED_TIME_DESC",
        };
        let limit = query.limit.clamp(1, 100).to_string();
        let params = [
            ("keyword", query.text.trim().to_string()),
            ("offset", offset.to_string()),
            ("limit", limit),
            ("sortBy", sort.to_string()),
        ];
        let r: wire::SearchResult = self.client.send("products", &|h, u| h.get(u).query(&params), true).await?;
        let next = (r.offset + r.count < r.total && r.count > 0).then(|| (r.offset + r.count).to_string());
        let items = r
            .items
            .iter()
            .map(|p| ProductSummary {
                id: ProductId(p.id.to_string()),
                title: p.name.clone(),
                handle: handle_of(p),
                media_count: (p.media.images.len() + p.media.videos.len()) as u32,
                preview_url: p.thumbnail_url.clone(),
            })
            .collect();
        Ok(Page { items, next_cursor: next })
    }

    async fn catalog_page(
        &self,
        changed_since: Option<&str>,
        cursor: Option<String>,
    ) -> Result<Page<crate::model::ProductRecord>, StoreError> {
        self.catalog_products(changed_since, cursor).await
    }

    async fn product_media(&self, product: &ProductId) -> Result<ProductMedia, StoreError> {
        let p = self.product(product).await?;
        Ok(ProductMedia { id: product.clone(), title: p.name.clone(), media: media_of(&p) })
    }

    async fn upload(
        &self,
        product: &ProductId,
        files: Vec<UploadFile>,
        progress: ProgressFn,
    ) -> Result<Vec<FileOutcome>, StoreError> {
        self.writable()?;
        let p = self.product(product).await?;
        let before: Vec<String> = p.media.images.iter().map(|i| i.id.clone()).collect();
        let mut has_main = !p.media.images.is_empty();
        let mut created: Vec<(usize, String)> = Vec::new();
        // Files whose request may have reached Ecwid without an answer: decided by reading back.
        let mut uncertain: Vec<(usize, String)> = Vec::new();
        let mut results: Vec<Option<FileOutcome>> = (0..files.len()).map(|_| None).collect();
        for (i, f) in files.iter().enumerate() {
            if let Err(e) = validate::check(&f.filename, &f.bytes, Platform::Ecwid) {
                results[i] = Some(FileOutcome::Failed(e));
                continue;
            }
            // The alt text is checked as any alt edit is (`set_alt` below saves it normalised).
            if let Some(Err(e)) = f.alt.as_deref().map(|a| validate::alt_text(&f.filename, a, Platform::Ecwid)) {
                results[i] = Some(FileOutcome::Failed(e));
                continue;
            }
            let path =
                if has_main { format!("products/{product}/gallery") } else { format!("products/{product}/image") };
            let (bytes, name, reporter) = (f.bytes.clone(), f.filename.clone(), progress.clone());
            let build = move |h: &reqwest::Client, u: reqwest::Url| {
                // The size is known: declared, so servers that need a length never see a chunked stream.
                h.post(u)
                    .query(&[("fileName", name.as_str())])
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .header(reqwest::header::CONTENT_LENGTH, bytes.len())
                    .body(crate::store::http::progress_body(bytes.clone(), i, reporter.clone()))
            };
            // Uploads create an image each time: sent again only if the first never left.
            match self.client.send::<wire::Created>(&path, &build, false).await {
                Ok(c) => {
                    let total = f.bytes.len() as u64;
                    progress(i, total, total);
                    has_main = true;
                    created.push((i, c.id));
                }
                Err(e @ StoreError::Network { .. }) => {
                    has_main = true;
                    uncertain.push((i, e.to_string()));
                }
                Err(e) => results[i] = Some(FileOutcome::Failed(item(&f.filename, &e.code(), e.to_string()))),
            }
        }
        let alts: Vec<AltEdit> = created
            .iter()
            .filter_map(|(i, id)| Some(AltEdit { media: MediaId(id.clone()), alt: files[*i].alt.clone()? }))
            .collect();
        let alt_problem = match alts.is_empty() {
            true => None,
            false => self.set_alt(product, &alts).await.err(),
        };
        let now = match self.product(product).await {
            Ok(p) => media_of(&p),
            Err(e) => {
                for (i, id) in created {
                    let reason = format!("uploaded as {id}, but the product could not be read back ({e})");
                    results[i] = Some(FileOutcome::unconfirmed(&files[i], Some(MediaId(id)), reason));
                }
                for (i, reason) in uncertain {
                    results[i] = Some(FileOutcome::unconfirmed(&files[i], None, reason));
                }
                return Ok(FileOutcome::all(results));
            }
        };
        for (i, id) in &created {
            results[*i] = Some(match now.iter().find(|m| &m.id.0 == id) {
                Some(m) => FileOutcome::Attached(m.clone()),
                None => {
                    FileOutcome::Failed(item(&files[*i].filename, "MEDIA_VANISHED", "uploaded but not on the product"))
                }
            });
        }
        // Images that appeared but no answer named: they belong to the uncertain files when the
        // counts match (in order, as they were sent one at a time); otherwise say so per file.
        let unexplained: Vec<&Media> = now
            .iter()
            .filter(|m| {
                m.kind == MediaKind::Image && !before.contains(&m.id.0) && !created.iter().any(|(_, c)| *c == m.id.0)
            })
            .collect();
        let matched = unexplained.len() == uncertain.len();
        for (n, (i, reason)) in uncertain.into_iter().enumerate() {
            results[i] = Some(match (matched, unexplained.get(n)) {
                (true, Some(m)) => FileOutcome::Attached((*m).clone()),
                _ if unexplained.is_empty() => FileOutcome::Failed(item(&files[i].filename, "NETWORK_ERROR", reason)),
                _ => FileOutcome::unconfirmed(&files[i], None, reason),
            });
        }
        if let Some(e) = alt_problem {
            tracing::warn!(error = %e, "uploaded, but setting the alt texts of the new images failed");
        }
        Ok(FileOutcome::all(results))
    }

    async fn set_alt(&self, product: &ProductId, edits: &[AltEdit]) -> Result<BatchOutcome, StoreError> {
        self.writable()?;
        let p = self.product(product).await?;
        let mut outcome = BatchOutcome::default();
        let mut alts = std::collections::HashMap::new();
        for e in edits {
            let on_product = p.media.images.iter().any(|i| i.id == e.media.0);
            match validate::alt_text(&e.media.0, &e.alt, Platform::Ecwid) {
                Err(refused) => outcome.failed.push(refused),
                Ok(_) if !on_product => outcome.failed.push(item(
                    &e.media.0,
                    "MEDIA_DOES_NOT_EXIST_ON_PRODUCT",
                    format!("{} is not an image of this product (Ecwid keeps no alt text on videos)", e.media),
                )),
                Ok(alt) => {
                    alts.insert(e.media.0.clone(), alt);
                }
            }
        }
        if !alts.is_empty() {
            self.put_images(product, &p.media.images, &alts, None).await?;
            outcome.done.extend(edits.iter().filter(|e| alts.contains_key(&e.media.0)).map(|e| e.media.clone()));
        }
        Ok(outcome)
    }

    async fn reorder(&self, product: &ProductId, order: &[MediaId]) -> Result<(), StoreError> {
        self.writable()?;
        let p = self.product(product).await?;
        let current: Vec<MediaId> = media_of(&p).into_iter().map(|m| m.id).collect();
        let mut a: Vec<&MediaId> = current.iter().collect();
        let mut b: Vec<&MediaId> = order.iter().collect();
        a.sort();
        b.sort();
        if a != b {
            return Err(StoreError::order_mismatch(&current, order));
        }
        let image_order: Vec<String> =
            order.iter().filter(|m| p.media.images.iter().any(|i| i.id == m.0)).map(|m| m.0.clone()).collect();
        self.put_images(product, &p.media.images, &Default::default(), Some(&image_order)).await?;
        let now: Vec<String> = media_of(&self.product(product).await?)
            .into_iter()
            .filter(|m| m.kind == MediaKind::Image)
            .map(|m| m.id.0)
            .collect();
        if now != image_order {
            return Err(StoreError::Server {
                status: 200,
                message: "Ecwid saved a different order than the one sent".into(),
            });
        }
        Ok(())
    }

    async fn remove_from_product(&self, product: &ProductId, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        self.writable()?;
        let mut outcome = BatchOutcome::default();
        for m in media {
            let p = self.product(product).await?;
            let mut images = p.media.images.clone();
            images.sort_by_key(|i| i.order_by);
            let path = match images.iter().position(|i| i.id == m.0) {
                Some(0) => format!("products/{product}/image"),
                Some(_) => format!("products/{product}/gallery/{}", m.0),
                None => {
                    outcome.failed.push(item(
                        &m.0,
                        "MEDIA_DOES_NOT_EXIST_ON_PRODUCT",
                        format!("{m} is not an image of this product"),
                    ));
                    continue;
                }
            };
            match self.client.send::<Value>(&path, &|h, u| h.delete(u), true).await {
                Ok(_) => outcome.done.push(m.clone()),
                // A repeated delete finds nothing: check whether the first one went through.
                Err(StoreError::NotFound { .. })
                    if !self.product(product).await?.media.images.iter().any(|i| i.id == m.0) =>
                {
                    outcome.done.push(m.clone())
                }
                Err(e) => outcome.failed.push(item(&m.0, "REMOVE_FAILED", e.to_string())),
            }
        }
        Ok(outcome)
    }
}

/// Wrap for the engine and CLI.
pub fn shared(store: EcwidStore) -> Arc<dyn Store> {
    Arc::new(store)
}
