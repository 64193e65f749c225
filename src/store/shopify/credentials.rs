//! How mediadesk authenticates to a shop: an Admin API access token, or a client id and secret
//! exchanged for a 24-hour token (client credentials grant) and exchanged again before it expires.
//! The credentials themselves are the store layer's (`store::credentials`).

use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::secrets::Secret;
use crate::store::StoreError;

/// Renew a granted token this long before it expires.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

pub use crate::store::credentials::Credentials;

#[derive(Deserialize)]
struct Grant {
    access_token: String,
    expires_in: Option<u64>,
}

/// A token in use and, for client credentials, when it runs out.
pub struct TokenSource {
    credentials: Credentials,
    oauth_url: reqwest::Url,
    current: tokio::sync::Mutex<Option<(Secret, Option<Instant>)>>,
}

impl TokenSource {
    /// A source for a shop whose Admin API lives at `graphql_url`.
    pub fn new(credentials: Credentials, graphql_url: &reqwest::Url) -> Self {
        #[allow(clippy::expect_used, reason = "an absolute path joined to an http(s) URL always parses")]
        let oauth_url = graphql_url.join("/admin/oauth/access_token").expect("a path on the same host");
        TokenSource { credentials, oauth_url, current: tokio::sync::Mutex::new(None) }
    }

    /// The token to send now, exchanging the client secret when there is none or it is about to expire.
    pub async fn token(&self, http: &reqwest::Client) -> Result<Secret, StoreError> {
        let (id, secret) = match &self.credentials {
            Credentials::Token(t) => return Ok(t.clone()),
            Credentials::Client { id, secret } => (id, secret),
        };
        // One exchange at a time: concurrent requests wait for it instead of each asking.
        let mut current = self.current.lock().await;
        if let Some((token, expires)) = current.as_ref()
            && expires.is_none_or(|e| Instant::now() + RENEW_BEFORE < e)
        {
            return Ok(token.clone());
        }
        let form =
            [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", secret.expose())];
        let resp = http.post(self.oauth_url.clone()).form(&form).send().await.map_err(|e| StoreError::Network {
            message: format!("could not reach the shop for a token: {}", e.without_url()),
        })?;
        let status = resp.status();
        if status.is_redirection() {
            let location = resp.headers().get("location").and_then(|v| v.to_str().ok());
            return Err(crate::store::http::redirect_refused(status.as_u16(), location));
        }
        if status.as_u16() == 400 || status.as_u16() == 401 {
            return Err(StoreError::Auth { message: "the shop refused the client id and secret".into() });
        }
        if !status.is_success() {
            return Err(StoreError::Server { status: status.as_u16(), message: "the token exchange failed".into() });
        }
        let grant: Grant = resp.json().await.map_err(|e| StoreError::Server {
            status: status.as_u16(),
            message: format!("unreadable token answer: {e}"),
        })?;
        let token = Secret::new(grant.access_token);
        *current = Some((token.clone(), grant.expires_in.map(|s| Instant::now() + Duration::from_secs(s))));
        Ok(token)
    }

    /// Forget the granted token after the shop refused it, so the next request exchanges again.
    pub async fn refused(&self) -> bool {
        match self.credentials {
            Credentials::Token(_) => false,
            Credentials::Client { .. } => {
                *self.current.lock().await = None;
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_credentials_round_trip() {
        let c = Credentials::Client { id: "abc".into(), secret: Secret::new("shh") };
        match Credentials::from_stored(&c.to_stored()) {
            Credentials::Client { id, secret } => assert_eq!((id.as_str(), secret.expose()), ("abc", "shh")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(Credentials::from_stored(&Secret::new("shpat_x")), Credentials::Token(_)));
    }
}
