//! Where a Shopify request may go: the shop's own host over HTTPS, or a loopback address
//! (the sandbox, tests). Checked before any request is built, so a token never leaves for
//! another host.

use reqwest::Url;

use crate::model::StoreRef;
use crate::store::StoreError;

/// The API version used unless the user picks another.
pub const DEFAULT_API_VERSION: &str = "2026-10";

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Invalid { field: vec!["endpoint".into()], code: "INVALID_ENDPOINT".into(), message: message.into() }
}

/// True for `YYYY-MM` with a release month, or `unstable`.
pub fn valid_version(v: &str) -> bool {
    v == "unstable"
        || (v.len() == 7
            && v[..4].chars().all(|c| c.is_ascii_digit())
            && matches!(&v[4..], "-01" | "-04" | "-07" | "-10"))
}

pub use crate::store::endpoint::is_loopback;

/// The GraphQL endpoint for a store: `https://{shop}.myshopify.com/admin/api/{version}/graphql.json`,
/// or the same path on a loopback `endpoint`.
pub fn graphql_url(store: &StoreRef, endpoint: Option<&str>, version: &str) -> Result<Url, StoreError> {
    if !valid_version(version) {
        return Err(invalid(format!("`{version}` is not an API version: use YYYY-01, -04, -07 or -10, or unstable")));
    }
    let path = format!("admin/api/{version}/graphql.json");
    if let Some(endpoint) = endpoint {
        let base = crate::store::endpoint::loopback_base(endpoint)?;
        return base.join(&path).map_err(|e| invalid(e.to_string()));
    }
    match store {
        StoreRef::Shopify { shop } => {
            Url::parse(&format!("https://{shop}.myshopify.com/{path}")).map_err(|e| invalid(e.to_string()))
        }
        StoreRef::Sandbox => Err(invalid("the sandbox needs --endpoint (the URL `mediadesk sandbox` prints)")),
        StoreRef::Ecwid { .. } => Err(invalid("an Ecwid store has no Shopify endpoint")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shops_get_https_on_their_own_host() {
        let url = graphql_url(&"shopify:acme".parse().unwrap(), None, "2026-10").unwrap();
        assert_eq!(url.as_str(), "https://acme.myshopify.com/admin/api/2026-10/graphql.json");
    }

    #[test]
    fn endpoints_must_be_loopback() {
        let s = StoreRef::Sandbox;
        let ok = graphql_url(&s, Some("http://127.0.0.1:8080"), "2026-10").unwrap();
        assert_eq!(ok.as_str(), "http://127.0.0.1:8080/admin/api/2026-10/graphql.json");
        assert!(graphql_url(&s, Some("http://[::1]:9/"), "2026-10").is_ok());
        for bad in ["http://example.com", "https://10.0.0.1", "http://127.0.0.1.evil.com", "file:///etc/passwd"] {
            assert!(graphql_url(&s, Some(bad), "2026-10").is_err(), "{bad}");
        }
        assert!(graphql_url(&s, Some("http://127.0.0.1:1"), "2026-13").is_err());
    }
}
