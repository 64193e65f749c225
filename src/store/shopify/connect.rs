//! Connecting to a shop: read its name and the scopes the token was granted, and say which
//! features a missing scope turns off.

use serde::Deserialize;
use serde_json::json;

use super::ShopifyStore;
use super::documents;
use super::transport::Repeat;
use crate::store::StoreError;

/// What the shop told us on connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopConnection {
    /// The shop's name.
    pub name: String,
    /// `name.myshopify.com`
    pub domain: String,
    /// Scopes granted to the token.
    pub scopes: Vec<String>,
    /// One sentence per missing scope: what does not work without it.
    pub limitations: Vec<String>,
}

/// The scopes mediadesk uses and what each one enables.
pub const SCOPES: &[(&str, &str)] = &[
    ("read_products", "browsing products and their media"),
    ("write_products", "uploading, reordering and removing media"),
    ("read_files", "store-wide file scans and renaming files"),
    (
        "write_files",
        "saving alt text with fileUpdate (mediadesk falls back to productUpdateMedia), renaming, replacing images and deleting files",
    ),
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    shop: Shop,
    current_app_installation: Installation,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shop {
    name: String,
    myshopify_domain: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Installation {
    access_scopes: Vec<Scope>,
}

#[derive(Deserialize)]
struct Scope {
    handle: String,
}

/// Sentences for the scopes mediadesk uses that `granted` lacks. A write scope implies its read.
pub fn limitations(granted: &[String]) -> Vec<String> {
    let has = |s: &str| {
        granted.iter().any(|g| g == s)
            || s.strip_prefix("read_").is_some_and(|r| granted.iter().any(|g| *g == format!("write_{r}")))
    };
    SCOPES
        .iter()
        .filter(|(scope, _)| !has(scope))
        .map(|(scope, what)| format!("Without the {scope} permission: no {what}."))
        .collect()
}

impl ShopifyStore {
    /// Check the token by reading the shop's name and granted scopes.
    pub async fn check_connection(&self) -> Result<ShopConnection, StoreError> {
        let data: Data = self.transport.run(&documents::SHOP, json!({}), Repeat::Safe).await?;
        let scopes: Vec<String> = data.current_app_installation.access_scopes.into_iter().map(|s| s.handle).collect();
        Ok(ShopConnection {
            name: data.shop.name,
            domain: data.shop.myshopify_domain,
            limitations: limitations(&scopes),
            scopes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_scopes_name_what_they_disable() {
        let granted: Vec<String> = ["write_products", "read_files"].map(String::from).to_vec();
        let l = limitations(&granted);
        assert_eq!(l.len(), 1, "{l:?}");
        assert!(l[0].starts_with("Without the write_files permission"));
        assert_eq!(limitations(&SCOPES.iter().map(|(s, _)| s.to_string()).collect::<Vec<_>>()), Vec::<String>::new());
    }
}
