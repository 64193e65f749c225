//! Shopify's Admin GraphQL API: the `Store` implementation, its transport and its documents.

mod bulk;
mod catalog;
pub mod connect;
pub mod credentials;
pub mod documents;
pub mod endpoint;
pub mod scheduler;
pub mod transport;
mod upload;
pub mod wire;
mod writes;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;

use crate::model::Media;
use crate::model::MediaId;
use crate::model::{
    Page, Platform, ProductAlts, ProductId, ProductMedia, ProductQuery, ProductSort, ProductSummary, StoreRef,
};
use crate::secrets::Secret;
use crate::store::{
    AltEdit, BatchOutcome, Capabilities, Connection, FileOutcome, ProgressFn, Store, StoreError, UploadFile,
};
use transport::{Repeat, Transport};

/// Products read per page at most: a picker row costs 5 points (product, count, featured media,
/// its preview and image), so 100 rows ask for 502 points, half the 1,000-point cap of one query.
pub const PRODUCTS_PAGE: u32 = 100;

/// Media read per page: 50 keeps a page's requested cost near 300 points, well under the
/// 1,000-point cap of one query.
pub const MEDIA_PAGE: u32 = 50;

/// A Shopify store.
pub struct ShopifyStore {
    store_ref: StoreRef,
    transport: Transport,
    /// Set once `fileUpdate` was refused for lack of `write_files`.
    lacks_write_files: std::sync::atomic::AtomicBool,
}

impl ShopifyStore {
    /// A store reached at `url` (see [`endpoint::graphql_url`]) with an access token.
    pub fn new(store_ref: StoreRef, url: reqwest::Url, token: Secret) -> Self {
        Self::with_credentials(store_ref, url, credentials::Credentials::Token(token))
    }

    /// A store reached at `url` with a token or a client id and secret.
    pub fn with_credentials(store_ref: StoreRef, url: reqwest::Url, credentials: credentials::Credentials) -> Self {
        ShopifyStore { store_ref, transport: Transport::new(url, credentials), lacks_write_files: Default::default() }
    }

    /// Every media node of a product, page by page, with a document that reads
    /// `product { title? media(first, after, sortKey: POSITION) { nodes … pageInfo } }`.
    pub(crate) async fn media_pages(
        &self,
        product: &ProductId,
        doc: &documents::Document,
        page: u32,
    ) -> Result<(String, Vec<wire::MediaNode>), StoreError> {
        let mut nodes = Vec::new();
        let mut title = String::new();
        let mut after: Option<String> = None;
        loop {
            let vars = json!({"id": product.0, "first": page, "after": after});
            let data: ProductData = self.transport.run(doc, vars, Repeat::Safe).await?;
            let p = data.product.ok_or_else(|| StoreError::NotFound { what: format!("product {product}") })?;
            title = p.title.unwrap_or(title);
            let Some(conn) = p.media else { break };
            let info = conn.page_info.clone();
            nodes.extend(conn.into_items());
            match (info.has_next_page, info.end_cursor) {
                (true, Some(c)) => after = Some(c),
                _ => break,
            }
        }
        Ok((title, nodes))
    }

    /// The transport, for operations built on raw documents.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }
}

#[derive(Deserialize)]
struct ProductsData {
    products: wire::Connection<wire::Product>,
}

#[derive(Deserialize)]
struct ProductData {
    product: Option<wire::Product>,
}

#[async_trait]
impl Store for ShopifyStore {
    fn store_ref(&self) -> &StoreRef {
        &self.store_ref
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            removal_deletes: false,
            file_library: true,
            alt_max_chars: Platform::Shopify.limits().alt_max_chars,
            media_from_urls: false,
            bulk_reads: true,
            // fileUpdate names files, not products: 250 of any products a request.
            alts_across_products: true,
        }
    }

    fn cache_key(&self) -> String {
        match self.store_ref {
            // The sandbox's catalog is generated anew on every start: its address tells runs apart.
            StoreRef::Sandbox => format!("sandbox {}", self.transport.url().origin().ascii_serialization()),
            _ => self.store_ref.to_string(),
        }
    }

    async fn connect(&self) -> Result<Connection, StoreError> {
        let c = self.check_connection().await?;
        Ok(Connection { name: c.name, domain: Some(c.domain), scopes: c.scopes, limitations: c.limitations })
    }

    async fn search_products(&self, query: &ProductQuery) -> Result<Page<ProductSummary>, StoreError> {
        let (sort_key, reverse) = match query.sort {
            ProductSort::Title => ("TITLE", false),
            ProductSort::UpdatedAt => ("UPDATED_AT", true),
            ProductSort::CreatedAt => ("CREATED_AT", true),
        };
        let vars = json!({
            "first": query.limit.clamp(1, PRODUCTS_PAGE),
            "after": query.cursor,
            "query": (!query.text.trim().is_empty()).then(|| query.text.trim()),
            "sortKey": sort_key,
            "reverse": reverse,
        });
        let data: ProductsData = self.transport.run(&documents::PRODUCTS, vars, Repeat::Safe).await?;
        let next = data.products.page_info.has_next_page.then(|| data.products.page_info.end_cursor.clone()).flatten();
        let items = data
            .products
            .into_items()
            .into_iter()
            .filter_map(|p| {
                Some(ProductSummary {
                    id: ProductId(p.id?),
                    title: p.title.unwrap_or_default(),
                    handle: p.handle.unwrap_or_default(),
                    media_count: p.media_count.map_or(0, |c| c.count as u32),
                    preview_url: p.featured_media.and_then(|m| m.preview?.image?.url),
                })
            })
            .collect();
        Ok(Page { items, next_cursor: next })
    }

    async fn product_media(&self, product: &ProductId) -> Result<ProductMedia, StoreError> {
        let (title, nodes) = self.media_pages(product, &documents::PRODUCT_MEDIA, MEDIA_PAGE).await?;
        let media = nodes
            .iter()
            .filter_map(|n| n.to_media(0))
            .enumerate()
            .map(|(i, m)| Media { position: i as u32, ..m })
            .collect();
        Ok(ProductMedia { id: product.clone(), title, media })
    }

    async fn media_alts(&self, product: &ProductId, expected: u32) -> Result<ProductAlts, StoreError> {
        // Sized to the product: a request is priced by what it asks for, not what comes back.
        let page = expected.clamp(1, 250);
        let (title, nodes) = self.media_pages(product, &documents::MEDIA_ALTS, page).await?;
        let media = nodes.into_iter().filter_map(|n| Some((MediaId(n.id?), n.alt.unwrap_or_default()))).collect();
        Ok(ProductAlts { id: product.clone(), title, media })
    }

    async fn catalog_page(
        &self,
        changed_since: Option<&str>,
        cursor: Option<String>,
    ) -> Result<Page<crate::model::ProductRecord>, StoreError> {
        self.catalog_products(changed_since, cursor).await
    }

    async fn changed_media(&self, since: &str) -> Result<Vec<MediaId>, StoreError> {
        self.changed_files(since).await
    }

    async fn product_count(&self, changed_since: Option<&str>) -> Result<Option<u64>, StoreError> {
        self.count_products(changed_since).await
    }

    async fn bulk_catalog(
        &self,
        changed_since: Option<&str>,
        rows: tokio::sync::mpsc::Sender<Vec<crate::model::CatalogRow>>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64, StoreError> {
        self.bulk_rows(changed_since, rows, progress).await
    }

    async fn set_alt(&self, product: &ProductId, edits: &[AltEdit]) -> Result<BatchOutcome, StoreError> {
        self.set_alt_texts(product, edits).await
    }

    async fn set_alts(&self, edits: &[(ProductId, AltEdit)]) -> Result<BatchOutcome, StoreError> {
        self.set_alt_texts_across(edits).await
    }

    async fn current_alts(&self, media: &[MediaId]) -> Result<Vec<(MediaId, String)>, StoreError> {
        self.alts_by_id(media).await
    }

    async fn reorder(&self, product: &ProductId, order: &[MediaId]) -> Result<(), StoreError> {
        self.reorder_media(product, order).await
    }

    async fn remove_from_product(&self, product: &ProductId, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        self.remove_media(product, media).await
    }

    async fn reattach(&self, product: &ProductId, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        self.add_media(product, media).await
    }

    async fn delete(&self, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        self.delete_files(media).await
    }

    async fn rename(&self, media: &MediaId, filename: &str) -> Result<(), StoreError> {
        self.rename_file(media, filename).await
    }

    async fn file_name(&self, media: &MediaId) -> Result<Option<String>, StoreError> {
        self.current_filename(media).await.map(Some)
    }

    async fn acknowledge_failed(&self, media: &[MediaId]) -> Result<BatchOutcome, StoreError> {
        self.acknowledge(media).await
    }

    async fn upload(
        &self,
        product: &ProductId,
        files: Vec<UploadFile>,
        progress: ProgressFn,
    ) -> Result<Vec<FileOutcome>, StoreError> {
        self.upload_files(product, files, progress).await
    }

    async fn replace(&self, media: &MediaId, file: UploadFile) -> Result<(), StoreError> {
        self.replace_image(media, file).await
    }

    async fn set_preview(&self, media: &MediaId, image: UploadFile) -> Result<(), StoreError> {
        self.set_preview_image(media, image).await
    }
}
