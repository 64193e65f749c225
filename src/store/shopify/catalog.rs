//! Reading whole products for the local catalog: pages of products with their own fields and
//! media in one request each, sized to stay under Shopify's per-query cost limit, and the files
//! changed since a time for incremental syncs.

use serde::Deserialize;
use serde_json::json;

use super::transport::Repeat;
use super::{ShopifyStore, documents, wire};
use crate::model::{Media, MediaId, Page, ProductId, ProductRecord, Variant};
use crate::shopify_rules::cost::MAX_QUERY_COST;
use crate::store::StoreError;

/// Products asked for per page at most, before the cost limit makes it fewer.
const MOST_PRODUCTS: u32 = 50;
/// Media read with each product; most products have fewer, the rest are read on.
const MEDIA_WITH_PRODUCT: u32 = 20;
/// Variants read with each product; most products have fewer, the rest are read on.
const VARIANTS_WITH_PRODUCT: u32 = 10;
/// Variants per page when a product's are read on (one point each, and its image).
const VARIANTS_PAGE: u32 = 250;
/// Files per page of the changed-files read (ids only: about one point each).
const FILES_PAGE: u32 = 250;

#[derive(Deserialize)]
struct ProductsData {
    products: wire::Connection<wire::Product>,
}

#[derive(Deserialize)]
struct VariantsData {
    product: Option<wire::Product>,
}

#[derive(Deserialize)]
struct FilesData {
    files: wire::Connection<FileId>,
}

#[derive(Deserialize)]
struct FileId {
    id: Option<String>,
}

/// A product's own fields as the catalog keeps them (media and variants empty); statuses in
/// lower case, as on the command line.
pub(super) fn record_of(id: ProductId, p: wire::Product) -> ProductRecord {
    ProductRecord {
        id,
        title: p.title.unwrap_or_default(),
        handle: p.handle.unwrap_or_default(),
        vendor: p.vendor,
        product_type: p.product_type,
        status: p.status.map(|s| s.to_ascii_lowercase()),
        tags: p.tags.unwrap_or_default(),
        updated_at: p.updated_at,
        media: Vec::new(),
        variants: Vec::new(),
    }
}

impl ShopifyStore {
    /// One page of whole products, oldest change first; `changed_since` keeps later changes only.
    pub(crate) async fn catalog_products(
        &self,
        changed_since: Option<&str>,
        cursor: Option<String>,
    ) -> Result<Page<ProductRecord>, StoreError> {
        let query = changed_since.map(documents::changed_after);
        // As many products as fit under the cost limit with their first media.
        let mut first = MOST_PRODUCTS;
        let vars = loop {
            let vars = json!({
                "first": first, "after": cursor, "query": query,
                "mediaFirst": MEDIA_WITH_PRODUCT, "variantsFirst": VARIANTS_WITH_PRODUCT,
            });
            if first == 1 || documents::CATALOG_PRODUCTS.requested_cost(&vars) <= MAX_QUERY_COST {
                break vars;
            }
            first -= 1;
        };
        let data: ProductsData = self.transport.run(&documents::CATALOG_PRODUCTS, vars, Repeat::Safe).await?;
        let info = data.products.page_info.clone();
        let next_cursor = info.has_next_page.then_some(info.end_cursor).flatten();
        let mut items = Vec::new();
        for p in data.products.into_items() {
            let Some(id) = p.id.clone() else {
                tracing::warn!("a product without an id was left out of the catalog page");
                continue;
            };
            items.push(self.whole_product(ProductId(id), p).await?);
        }
        Ok(Page { items, next_cursor })
    }

    /// A product's record from its page entry, reading the rest of its media and variants when
    /// the page held only the first ones.
    async fn whole_product(&self, id: ProductId, mut p: wire::Product) -> Result<ProductRecord, StoreError> {
        let more_media = p.media.as_ref().is_some_and(|m| m.page_info.has_next_page);
        let nodes = if more_media {
            self.media_pages(&id, &documents::PRODUCT_MEDIA, super::MEDIA_PAGE).await?.1
        } else {
            p.media.take().map(wire::Connection::into_items).unwrap_or_default()
        };
        let media: Vec<Media> = nodes
            .iter()
            .filter_map(|n| n.to_media(0))
            .enumerate()
            .map(|(i, m)| Media { position: i as u32, ..m })
            .collect();
        let variant_nodes = match p.variants.take() {
            Some(v) if v.page_info.has_next_page => self.all_variants(&id).await?,
            Some(v) => v.into_items(),
            None => Vec::new(),
        };
        let variants = variants_of(&nodes, &variant_nodes);
        Ok(ProductRecord { media, variants, ..record_of(id, p) })
    }

    /// Every variant of a product, page by page.
    async fn all_variants(&self, id: &ProductId) -> Result<Vec<wire::VariantNode>, StoreError> {
        let mut nodes = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let vars = json!({"id": id.0, "first": VARIANTS_PAGE, "after": after});
            let data: VariantsData = self.transport.run(&documents::PRODUCT_VARIANTS, vars, Repeat::Safe).await?;
            let Some(conn) = data.product.and_then(|p| p.variants) else { return Ok(nodes) };
            let info = conn.page_info.clone();
            nodes.extend(conn.into_items());
            match (info.has_next_page, info.end_cursor) {
                (true, Some(c)) => after = Some(c),
                _ => return Ok(nodes),
            }
        }
    }

    /// Ids of the files changed after `since`.
    pub(crate) async fn changed_files(&self, since: &str) -> Result<Vec<MediaId>, StoreError> {
        let mut ids = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let vars = json!({"first": FILES_PAGE, "after": after, "query": documents::changed_after(since)});
            let data: FilesData = self.transport.run(&documents::CHANGED_FILES, vars, Repeat::Safe).await?;
            let info = data.files.page_info.clone();
            ids.extend(data.files.into_items().into_iter().filter_map(|f| f.id.map(MediaId)));
            match (info.has_next_page, info.end_cursor) {
                (true, Some(c)) => after = Some(c),
                _ => return Ok(ids),
            }
        }
    }
}

/// The variants as the catalog keeps them, each showing the media whose image is its image.
pub(super) fn variants_of(media: &[wire::MediaNode], variants: &[wire::VariantNode]) -> Vec<Variant> {
    let by_image: std::collections::HashMap<&str, &str> =
        media.iter().filter_map(|m| Some((m.image.as_ref()?.id.as_deref()?, m.id.as_deref()?))).collect();
    variants.iter().filter_map(|v| v.to_variant(|image| by_image.get(image).map(|m| MediaId(m.to_string())))).collect()
}
