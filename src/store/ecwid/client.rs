//! Ecwid's HTTP side: bearer token, requests paced to 600 a minute, 429 waited out, and status
//! codes with `errorMessage` turned into `StoreError`s.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::secrets::Secret;
use crate::store::StoreError;

/// Ecwid's limit: 600 requests a minute per token, so one every 100 ms when paced evenly.
const SPACING: Duration = Duration::from_millis(100);
/// Attempts for a request that was throttled or met a transient failure.
const ATTEMPTS: u32 = 5;

/// The HTTP side of an Ecwid store.
pub struct Client {
    base: reqwest::Url,
    token: Secret,
    http: reqwest::Client,
    next_slot: tokio::sync::Mutex<tokio::time::Instant>,
}

/// A request to build again for each attempt.
pub type Build<'a> = &'a (dyn Fn(&reqwest::Client, reqwest::Url) -> reqwest::RequestBuilder + Send + Sync);

impl Client {
    /// A client for `base` (`…/api/v3/{storeId}/`).
    pub fn new(base: reqwest::Url, token: Secret) -> Self {
        let http = crate::store::http::api_client(Duration::from_secs(300));
        Client { base, token, http, next_slot: tokio::sync::Mutex::new(tokio::time::Instant::now()) }
    }

    /// True for `public_` tokens, which Ecwid lets read only.
    pub fn read_only(&self) -> bool {
        self.token.expose().starts_with("public_")
    }

    /// Wait for this request's turn: at most one every 100 ms.
    async fn pace(&self) {
        let at = {
            let mut next = self.next_slot.lock().await;
            let at = (*next).max(tokio::time::Instant::now());
            *next = at + SPACING;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// Send a request (built anew for each attempt) and decode the JSON answer. `repeatable`
    /// says whether a request that may have reached the store can be sent again.
    pub async fn send<T: DeserializeOwned>(
        &self,
        path: &str,
        build: Build<'_>,
        repeatable: bool,
    ) -> Result<T, StoreError> {
        // The path names ids only; the token travels in a header and never in a span.
        let span = tracing::debug_span!("ecwid_request", path);
        tracing::Instrument::instrument(self.send_in_span(path, build, repeatable), span).await
    }

    async fn send_in_span<T: DeserializeOwned>(
        &self,
        path: &str,
        build: Build<'_>,
        repeatable: bool,
    ) -> Result<T, StoreError> {
        let url = self.base.join(path).map_err(|e| StoreError::Invalid {
            field: vec![],
            code: "BAD_PATH".into(),
            message: e.to_string(),
        })?;
        let auth = crate::store::http::token_header(&self.token, "Bearer ")?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pace().await;
            let sent = build(&self.http, url.clone()).header(reqwest::header::AUTHORIZATION, auth.clone()).send().await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    let never_left = e.is_connect();
                    let err = StoreError::Network { message: e.without_url().to_string() };
                    if attempt < ATTEMPTS && (repeatable || never_left) {
                        tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt - 1))).await;
                        continue;
                    }
                    return Err(err);
                }
            };
            let status = resp.status().as_u16();
            if resp.status().is_redirection() {
                let location = resp.headers().get("location").and_then(|v| v.to_str().ok());
                return Err(crate::store::http::redirect_refused(status, location));
            }
            let retry_after =
                resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|s| s.parse::<u64>().ok());
            let body = match resp.bytes().await {
                Ok(b) => b,
                Err(e) if attempt < ATTEMPTS && repeatable => {
                    let _ = e;
                    continue;
                }
                Err(e) => return Err(StoreError::Network { message: e.without_url().to_string() }),
            };
            let message = || {
                serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("errorMessage").and_then(|m| m.as_str()).map(str::to_string))
                    .unwrap_or_else(|| format!("HTTP {status}"))
            };
            let invalid = |code: &str| StoreError::Invalid { field: vec![], code: code.into(), message: message() };
            match status {
                200..=299 => {
                    return serde_json::from_slice(&body)
                        .map_err(|e| StoreError::Server { status, message: format!("unexpected answer: {e}") });
                }
                429 => {
                    let wait = Duration::from_secs(retry_after.unwrap_or(1));
                    if attempt < ATTEMPTS {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(StoreError::Throttled { retry_after: wait });
                }
                500..=599 if attempt < ATTEMPTS && repeatable => {
                    tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt - 1))).await;
                    continue;
                }
                401 => return Err(StoreError::Auth { message: message() }),
                402 => return Err(invalid("PLAN_REQUIRED")),
                403 => return Err(StoreError::MissingScope { scope: "update_catalog".into(), message: message() }),
                404 => return Err(StoreError::NotFound { what: message() }),
                413 => return Err(invalid("FILE_TOO_LARGE")),
                415 => return Err(invalid("UNSUPPORTED_MEDIA_TYPE")),
                422 => return Err(invalid("NOT_AN_IMAGE")),
                400..=499 => return Err(invalid("INVALID")),
                _ => return Err(StoreError::Server { status, message: message() }),
            }
        }
    }
}
