//! The GraphQL documents mediadesk sends to Shopify, each in its own `.graphql` file, parsed
//! once so every request can be priced before it is sent.

use std::sync::OnceLock;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::validation::Valid;
use serde_json::Value;

use crate::shopify_rules::cost::Coster;

/// One document: its file name, its text, and its parse against the schema subset.
pub struct Document {
    /// File name under `documents/`.
    pub name: &'static str,
    /// The GraphQL text sent.
    pub text: &'static str,
    parsed: OnceLock<Valid<ExecutableDocument>>,
}

impl Document {
    const fn new(name: &'static str, text: &'static str) -> Self {
        Document { name, text, parsed: OnceLock::new() }
    }

    fn parsed(&self) -> &Valid<ExecutableDocument> {
        self.parsed.get_or_init(|| {
            ExecutableDocument::parse_and_validate(crate::shopify_rules::schema::shared(), self.text, self.name)
                .unwrap_or_else(|e| panic!("{} does not validate: {e}", self.name))
        })
    }

    /// What Shopify will charge up front for this document with these variables.
    pub fn requested_cost(&self, variables: &Value) -> u64 {
        let doc = self.parsed();
        let empty = serde_json::Map::new();
        let vars = variables.as_object().unwrap_or(&empty);
        let coster = Coster::new(crate::shopify_rules::schema::shared(), doc, vars);
        doc.operations.iter().map(|op| coster.requested(op)).max().unwrap_or(0)
    }

    /// True when the document is a mutation.
    pub fn is_mutation(&self) -> bool {
        self.parsed().operations.iter().any(|op| op.operation_type.is_mutation())
    }
}

macro_rules! documents {
    ($($name:ident => $file:literal $(+ $fragment:literal)*: $doc:literal),* $(,)?) => {
        $(
            #[doc = $doc]
            pub static $name: Document = Document::new(
                $file,
                concat!(include_str!(concat!("documents/", $file)) $(, include_str!(concat!("documents/", $fragment)))*),
            );
        )*
        /// Every document, for the schema contract test.
        pub static ALL: &[&Document] = &[$(&$name),*];
    };
}

/// The product and file search that keeps what changed after `since` (RFC 3339), as
/// Shopify's search syntax spells it.
pub fn changed_after(since: &str) -> String {
    // Quotes inside would end the value early: a time has none, so drop rather than escape.
    format!("updated_at:>'{}'", since.replace('\'', ""))
}

/// The bulk catalog query to run: every product, or (`changed_since`) only those changed after
/// that time. Bulk queries take no variables, so the filter is written into the text as a
/// GraphQL string (a JSON string is one).
pub fn bulk_catalog_query(changed_since: Option<&str>) -> String {
    let text = BULK_CATALOG.text;
    match changed_since {
        None => text.to_string(),
        Some(since) => {
            let literal = serde_json::to_string(&changed_after(since)).unwrap_or_default();
            text.replacen("  products {", &format!("  products(query: {literal}) {{"), 1)
        }
    }
}

documents! {
    PRODUCTS => "products.graphql": "A page of products for the picker.",
    PRODUCT_MEDIA => "product_media.graphql" + "media_fields.graphql": "A page of a product's media.",
    MEDIA_IDS => "media_ids.graphql": "A page of a product's media ids and statuses.",
    MEDIA_ALTS => "media_alts.graphql": "A page of a product's media ids and alt texts, with its title.",
    FILE_UPDATE => "file_update.graphql": "Alt, file name, references, content or preview of files.",
    ALT_FALLBACK => "fallback_product_update_media.graphql": "Alt text through the deprecated productUpdateMedia.",
    FILE_DELETE => "file_delete.graphql": "Delete files permanently.",
    REORDER => "reorder.graphql": "Reorder a product's media.",
    JOB => "job.graphql": "Poll a job.",
    FILE_ACKNOWLEDGE => "file_acknowledge.graphql": "Clear failed updates.",
    STAGED_UPLOADS => "staged_uploads.graphql": "Upload targets.",
    ATTACH_MEDIA => "attach_media.graphql": "Attach new media to a product.",
    FILE_NAME => "file_name.graphql": "One file's name.",
    FILE_STATUS => "file_status.graphql": "One file's processing status.",
    SHOP => "shop.graphql": "The shop's name and granted scopes.",
    CATALOG_PRODUCTS => "catalog_products.graphql" + "media_fields.graphql" + "variant_fields.graphql": "A page of whole products for the local catalog.",
    PRODUCT_VARIANTS => "product_variants.graphql" + "variant_fields.graphql": "A page of one product's variants.",
    CHANGED_FILES => "changed_files.graphql": "Ids of files changed since a time.",
    BULK_CATALOG => "bulk_catalog.graphql" + "media_fields.graphql" + "variant_fields.graphql": "The whole catalog, as the query of a bulk operation.",
    BULK_RUN => "bulk_run.graphql": "Start a bulk query operation.",
    BULK_STATUS => "bulk_status.graphql": "Poll a bulk operation.",
    BULK_CANCEL => "bulk_cancel.graphql": "Cancel a bulk operation.",
    PRODUCTS_COUNT => "products_count.graphql": "How many products the store has.",
    ALTS_BY_ID => "alts_by_id.graphql": "The alt texts of media of any products, by id.",
}
