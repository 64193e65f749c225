//! What a store is opened with: an access token, or (Shopify) a client id and secret. Kept in
//! the OS keyring as one secret per store.

use serde::Deserialize;

use crate::secrets::Secret;

/// What the keyring (or `MEDIADESK_TOKEN`) holds for a store.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// An Admin API access token (`shpat_…`).
    Token(Secret),
    /// A client id and secret of an app of the merchant's own organisation.
    Client {
        /// The app's client id.
        id: String,
        /// The app's client secret.
        secret: Secret,
    },
}

#[derive(Deserialize, serde::Serialize)]
struct StoredClient {
    client_id: String,
    client_secret: String,
}

impl Credentials {
    /// Read what was stored: a JSON object with `client_id` and `client_secret`, or a token.
    pub fn from_stored(stored: &Secret) -> Credentials {
        match serde_json::from_str::<StoredClient>(stored.expose()) {
            Ok(c) => Credentials::Client { id: c.client_id, secret: Secret::new(c.client_secret) },
            Err(_) => Credentials::Token(stored.clone()),
        }
    }

    /// What to store in the keyring.
    pub fn to_stored(&self) -> Secret {
        match self {
            Credentials::Token(t) => t.clone(),
            Credentials::Client { id, secret } => Secret::new(
                serde_json::to_string(&StoredClient {
                    client_id: id.clone(),
                    client_secret: secret.expose().to_string(),
                })
                // Two strings always serialise; the fallback only keeps this total.
                .unwrap_or_default(),
            ),
        }
    }
}
