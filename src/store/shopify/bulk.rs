//! The whole catalog through one bulk operation: start it, poll it through `node(id:)` (which
//! every API version answers), then stream the JSONL result line by line, never holding the
//! file in memory. Rows go out as they are parsed, in the file's order: children may come
//! before their parents and apart from them (Shopify no longer groups them from 2026-01), so
//! the catalog joins them through `__parentId`.

use std::time::Duration;

use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::transport::Repeat;
use super::{ShopifyStore, documents, wire};
use crate::model::{CatalogRow, Media, MediaId, ProductId};
use crate::store::StoreError;

/// First wait between polls; doubled up to `POLL_SOON` during the first `SOON`, then up to
/// `POLL_MOST`: a 10,000-product job ends within seconds, and doubling straight to 5 s left it
/// finished but unread for about a second (a poll costs 1 point of the 100 restored a second).
const POLL_FIRST: Duration = Duration::from_millis(100);
/// Longest wait between polls during the first `SOON`.
const POLL_SOON: Duration = Duration::from_secs(1);
/// How long polls stay at most `POLL_SOON` apart.
const SOON: Duration = Duration::from_secs(60);
/// Longest wait between polls after that: a large store's job runs for minutes.
const POLL_MOST: Duration = Duration::from_secs(5);
/// Longest a result download may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(3600);
/// Longest JSONL line accepted: a product line with every field is a few kilobytes.
const LONGEST_LINE: usize = 4 << 20;
/// Rows handed on together: one channel message (and one wake of the writing thread) per row
/// cost more than parsing the row.
const BATCH: usize = 512;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunData {
    bulk_operation_run_query: Option<RunPayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunPayload {
    bulk_operation: Option<Operation>,
    #[serde(default)]
    user_errors: Vec<wire::UserError>,
}

#[derive(Deserialize)]
struct StatusData {
    node: Option<Operation>,
}

/// A `BulkOperation`, as much as the app asks for.
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct Operation {
    id: Option<String>,
    status: Option<String>,
    error_code: Option<String>,
    /// `UnsignedInt64`: a string in JSON.
    object_count: Option<Value>,
    url: Option<String>,
    partial_data_url: Option<String>,
}

impl Operation {
    fn objects(&self) -> u64 {
        match &self.object_count {
            Some(Value::String(s)) => s.parse().unwrap_or(0),
            Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
            _ => 0,
        }
    }
}

fn refused(code: &str, message: impl Into<String>) -> StoreError {
    StoreError::Refused { code: code.into(), message: message.into() }
}

impl ShopifyStore {
    /// How many products the store has (changed after `changed_since`, if given).
    pub(crate) async fn count_products(&self, changed_since: Option<&str>) -> Result<Option<u64>, StoreError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct CountData {
            products_count: Option<wire::Count>,
        }
        let data: CountData = self
            .transport
            .run(
                &documents::PRODUCTS_COUNT,
                json!({"query": changed_since.map(documents::changed_after)}),
                Repeat::Safe,
            )
            .await?;
        Ok(data.products_count.map(|c| c.count))
    }

    /// Run the catalog bulk query and send its rows; see `Store::bulk_catalog`.
    pub(crate) async fn bulk_rows(
        &self,
        changed_since: Option<&str>,
        rows: tokio::sync::mpsc::Sender<Vec<CatalogRow>>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64, StoreError> {
        let id = self.start_bulk(&documents::bulk_catalog_query(changed_since)).await?;
        let done = match self.wait_bulk(&id, progress, &rows).await {
            Ok(done) => done,
            Err(e) => {
                // Stopped (the sync was cancelled, or failed): free the app's one bulk slot.
                self.cancel_bulk(&id).await;
                return Err(e);
            }
        };
        let Some(op) = done else {
            self.cancel_bulk(&id).await;
            return Ok(0);
        };
        match op.status.as_deref() {
            Some("COMPLETED") => match op.url {
                Some(url) => self.stream_rows(&url, &rows).await,
                // No objects, no file.
                None => Ok(0),
            },
            Some("FAILED") => Err(refused(
                "BULK_FAILED",
                format!(
                    "Shopify's bulk read failed ({}){}",
                    op.error_code.as_deref().unwrap_or("no reason given"),
                    if op.partial_data_url.is_some() {
                        "; only part of the data was read, so none of it is used"
                    } else {
                        ""
                    }
                ),
            )),
            Some("EXPIRED") => Err(refused("BULK_EXPIRED", "the bulk read's result expired before it was downloaded")),
            Some(other) => Err(refused("BULK_CANCELED", format!("the bulk read ended as {}", other.to_lowercase()))),
            None => Err(refused("BULK_FAILED", "the bulk read's status is unknown")),
        }
    }

    async fn start_bulk(&self, query: &str) -> Result<String, StoreError> {
        let vars = json!({"query": query});
        // It creates an operation: sent again only if the request never left (a lost answer may
        // have started one, which a second try would find as OPERATION_IN_PROGRESS).
        let data: RunData = self.transport.run(&documents::BULK_RUN, vars, Repeat::Unsafe).await?;
        let payload =
            data.bulk_operation_run_query.ok_or_else(|| refused("BULK_FAILED", "no answer to the bulk read"))?;
        if let Some(e) = payload.user_errors.first() {
            let code = e.code.clone().unwrap_or_else(|| "INVALID".into());
            let message = if code == "OPERATION_IN_PROGRESS" {
                format!("another bulk operation of this app is running on the store ({})", e.message)
            } else {
                format!("Shopify refused the bulk read: {}", e.message)
            };
            return Err(refused(&code, message));
        }
        payload
            .bulk_operation
            .and_then(|op| op.id)
            .ok_or_else(|| refused("BULK_FAILED", "the bulk read was not started"))
    }

    /// Poll until the operation ends; `None` when the reader went away meanwhile.
    async fn wait_bulk(
        &self,
        id: &str,
        progress: &(dyn Fn(u64) + Send + Sync),
        rows: &tokio::sync::mpsc::Sender<Vec<CatalogRow>>,
    ) -> Result<Option<Operation>, StoreError> {
        let mut wait = POLL_FIRST;
        let started = tokio::time::Instant::now();
        loop {
            let data: StatusData = self.transport.run(&documents::BULK_STATUS, json!({"id": id}), Repeat::Safe).await?;
            let op = data.node.ok_or_else(|| refused("BULK_FAILED", "the bulk read disappeared"))?;
            progress(op.objects());
            if !matches!(op.status.as_deref(), Some("CREATED" | "RUNNING" | "CANCELING")) {
                return Ok(Some(op));
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = rows.closed() => return Ok(None),
            }
            wait = (wait * 2).min(if started.elapsed() < SOON { POLL_SOON } else { POLL_MOST });
        }
    }

    async fn cancel_bulk(&self, id: &str) {
        if let Err(e) = self.transport.run::<Value>(&documents::BULK_CANCEL, json!({"id": id}), Repeat::Safe).await {
            // The operation ends by itself; only a new one started right away would be refused.
            tracing::warn!(error = %e, "a bulk operation could not be cancelled");
        }
    }

    /// Download the JSONL result and send each line's row, without reading the file whole.
    async fn stream_rows(
        &self,
        url: &str,
        rows: &tokio::sync::mpsc::Sender<Vec<CatalogRow>>,
    ) -> Result<u64, StoreError> {
        let parsed = reqwest::Url::parse(url).map_err(|e| refused("BULK_FAILED", format!("bad result URL: {e}")))?;
        if parsed.scheme() != "https" && !super::endpoint::is_loopback(&parsed) {
            return Err(refused("BULK_FAILED", "the bulk result is not on HTTPS"));
        }
        // The result is on a storage host, authorised by its signed URL: no token goes there.
        let resp = self
            .transport
            .http()
            .get(parsed)
            .timeout(DOWNLOAD_TIMEOUT)
            .send()
            .await
            .map_err(|e| StoreError::Network { message: format!("downloading the bulk result: {e}") })?;
        if !resp.status().is_success() {
            let code = if resp.status().as_u16() == 403 { "BULK_EXPIRED" } else { "BULK_FAILED" };
            return Err(refused(code, format!("the bulk result could not be downloaded ({})", resp.status())));
        }
        let mut body = resp.bytes_stream();
        let mut pending: Vec<u8> = Vec::new();
        let mut joins = Joins::default();
        let mut batch = Vec::with_capacity(BATCH);
        let mut sent = 0;
        let mut last = false;
        while !last {
            match body.next().await {
                Some(chunk) => pending.extend_from_slice(
                    &chunk.map_err(|e| StoreError::Network { message: format!("downloading the bulk result: {e}") })?,
                ),
                // The last line may have no line feed after it.
                None => {
                    pending.push(b'\n');
                    last = true;
                }
            }
            // Every whole line of what came, then what is left moved to the front once.
            let mut start = 0;
            while let Some(len) = pending[start..].iter().position(|b| *b == b'\n') {
                if let Some(row) = joins.row_of(&pending[start..start + len]) {
                    batch.push(row);
                }
                start += len + 1;
                if batch.len() == BATCH {
                    sent += batch.len() as u64;
                    if rows.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).await.is_err() {
                        return Ok(sent);
                    }
                }
            }
            pending.drain(..start);
            if pending.len() > LONGEST_LINE {
                return Err(refused("BULK_FAILED", "the bulk result has a line too long to be a product"));
            }
        }
        // Variants wait for every media: the one a variant shows may come after it.
        batch.extend(joins.variants());
        for part in batch.chunks(BATCH) {
            sent += part.len() as u64;
            if rows.send(part.to_vec()).await.is_err() {
                break;
            }
        }
        Ok(sent)
    }
}

/// The two fields that say what a line of the bulk result is (the rest is skipped, not kept).
#[derive(Deserialize)]
struct Probe {
    id: Option<String>,
    #[serde(rename = "__parentId")]
    parent: Option<String>,
}

/// What lines of a bulk result need from other lines: the media each image id belongs to, and
/// the variants waiting for it.
#[derive(Default)]
struct Joins {
    media_of_image: std::collections::HashMap<String, String>,
    variants: Vec<(ProductId, wire::VariantNode)>,
}

impl Joins {
    /// One JSONL line as a row: a product, or a media of the product `__parentId` names
    /// (variants are kept for `variants`). A line that cannot be read is left out and logged;
    /// it never fails the whole read.
    fn row_of(&mut self, line: &[u8]) -> Option<CatalogRow> {
        let text = std::str::from_utf8(line).ok()?.trim();
        if text.is_empty() {
            return None;
        }
        // What kind of line it is first, then the line read straight into its type: twice
        // through the text costs less than building a JSON tree and converting it.
        let probe: Probe = match serde_json::from_str(text) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "an unreadable line of the bulk result was left out");
                return None;
            }
        };
        let is_variant = probe.id.as_deref().is_some_and(|id| id.contains("/ProductVariant/"));
        match probe.parent {
            None => {
                let mut p: wire::Product = serde_json::from_str(text).ok()?;
                let id = ProductId(p.id.take()?);
                Some(CatalogRow::Product(super::catalog::record_of(id, p)))
            }
            Some(parent) if is_variant => {
                let product = ProductId(parent);
                self.variants.push((product, serde_json::from_str(text).ok()?));
                None
            }
            Some(parent) => {
                let product = ProductId(parent);
                let node: wire::MediaNode = serde_json::from_str(text).ok()?;
                if let (Some(image), Some(id)) = (node.image.as_ref().and_then(|i| i.id.clone()), node.id.clone()) {
                    self.media_of_image.insert(image, id);
                }
                let media: Media = node.to_media(0)?;
                Some(CatalogRow::Media { product, media })
            }
        }
    }

    /// The variants read, each showing the media whose image is its image.
    fn variants(&mut self) -> Vec<CatalogRow> {
        let media_of_image = std::mem::take(&mut self.media_of_image);
        std::mem::take(&mut self.variants)
            .into_iter()
            .filter_map(|(product, node)| {
                let variant = node.to_variant(|image| media_of_image.get(image).cloned().map(MediaId))?;
                Some(CatalogRow::Variant { product, variant })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_of(line: &[u8]) -> Option<CatalogRow> {
        Joins::default().row_of(line)
    }

    #[test]
    fn a_variant_shows_the_media_of_its_image_whichever_line_comes_first() {
        let mut joins = Joins::default();
        let variant = br#"{"id":"gid://shopify/ProductVariant/9","title":"Red / M","selectedOptions":[{"name":"Color","value":"Red"},{"name":"Size","value":"M"}],"image":{"id":"gid://shopify/ProductImage/5"},"__parentId":"gid://shopify/Product/1"}"#;
        assert!(joins.row_of(variant).is_none(), "a variant waits for the media");
        let media = br#"{"id":"gid://shopify/MediaImage/7","alt":"Red mug","mediaContentType":"IMAGE","status":"READY","image":{"id":"gid://shopify/ProductImage/5","url":"https://cdn/x.jpg"},"__parentId":"gid://shopify/Product/1"}"#;
        assert!(matches!(joins.row_of(media), Some(CatalogRow::Media { .. })));
        let plain = br#"{"id":"gid://shopify/ProductVariant/10","title":"Default Title","selectedOptions":[{"name":"Title","value":"Default Title"}],"image":null,"__parentId":"gid://shopify/Product/1"}"#;
        joins.row_of(plain);
        let rows = joins.variants();
        let [CatalogRow::Variant { product, variant }, CatalogRow::Variant { variant: plain, .. }] = rows.as_slice()
        else {
            panic!("two variants: {rows:?}")
        };
        assert_eq!(product.0, "gid://shopify/Product/1");
        assert_eq!(variant.title, "Red / M");
        assert_eq!(variant.options, [("Color".to_string(), "Red".to_string()), ("Size".into(), "M".into())]);
        assert_eq!(variant.media, [MediaId("gid://shopify/MediaImage/7".into())]);
        assert!(plain.media.is_empty());
    }

    #[test]
    fn lines_become_rows_and_odd_lines_are_left_out() {
        let product = br#"{"id":"gid://shopify/Product/1","title":"Mug","handle":"mug","vendor":"Acme","status":"DRAFT","tags":["a"],"updatedAt":"2026-01-01T00:00:00Z"}"#;
        let Some(CatalogRow::Product(p)) = row_of(product) else { panic!("a product") };
        assert_eq!((p.title.as_str(), p.status.as_deref(), p.tags.len()), ("Mug", Some("draft"), 1));
        let media = br#"{"id":"gid://shopify/MediaImage/7","alt":"Blue mug","mediaContentType":"IMAGE","status":"READY","__parentId":"gid://shopify/Product/1"}"#;
        let Some(CatalogRow::Media { product, media }) = row_of(media) else { panic!("a media") };
        assert_eq!((product.0.as_str(), media.alt.as_str()), ("gid://shopify/Product/1", "Blue mug"));
        assert!(row_of(b"{not json").is_none());
        assert!(row_of(b"   ").is_none());
        assert!(row_of(br#"{"title":"no id"}"#).is_none());
    }
}
