//! Sending one GraphQL document to Shopify and sorting what comes back into data or a `StoreError`.

use std::sync::Mutex;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::wire::{Cost, Envelope, Errors};
use crate::secrets::Secret;
use crate::store::StoreError;

/// The HTTP side of a Shopify store.
pub struct Transport {
    url: reqwest::Url,
    token: Secret,
    http: reqwest::Client,
    last_cost: Mutex<Option<Cost>>,
}

impl Transport {
    /// A transport for a checked endpoint (see `endpoint::graphql_url`).
    pub fn new(url: reqwest::Url, token: Secret) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("mediadesk/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .expect("the TLS backend initialises");
        Transport {
            url,
            token,
            http,
            last_cost: Mutex::new(None),
        }
    }

    /// The endpoint.
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// The cost report of the last answer.
    pub fn last_cost(&self) -> Option<Cost> {
        self.last_cost.lock().expect("cost lock").clone()
    }

    /// Send a document and decode its `data`.
    pub async fn query<T: DeserializeOwned>(&self, document: &str, variables: Value) -> Result<T, StoreError> {
        let body = serde_json::json!({"query": document, "variables": variables});
        let resp = self
            .http
            .post(self.url.clone())
            .header("X-Shopify-Access-Token", self.token.expose())
            .json(&body)
            .send()
            .await
            .map_err(network)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.parse::<f64>().ok());
        let bytes = resp.bytes().await.map_err(network)?;
        let envelope: Result<Envelope<Value>, _> = serde_json::from_slice(&bytes);
        match status {
            200..=299 => {}
            401 => {
                return Err(StoreError::Auth {
                    message: text_of(envelope.ok().and_then(|e| e.errors), "invalid access token"),
                });
            }
            403 => {
                return Err(StoreError::MissingScope {
                    scope: "unknown".into(),
                    message: text_of(envelope.ok().and_then(|e| e.errors), "access denied"),
                });
            }
            404 => {
                return Err(StoreError::NotFound {
                    what: "the shop or API version".into(),
                });
            }
            429 => {
                return Err(StoreError::Throttled {
                    retry_after: Duration::from_secs_f64(retry_after.unwrap_or(1.0)),
                });
            }
            _ => {
                return Err(StoreError::Server {
                    status,
                    message: text_of(envelope.ok().and_then(|e| e.errors), "no details"),
                });
            }
        }
        let envelope = envelope.map_err(|e| StoreError::Server {
            status,
            message: format!("unreadable answer: {e}"),
        })?;
        let cost = envelope.extensions.and_then(|x| x.cost);
        *self.last_cost.lock().expect("cost lock") = cost.clone();
        if let Some(Errors::List(errors)) = &envelope.errors
            && let Some(first) = errors.first()
        {
            return Err(match first.code() {
                Some("THROTTLED") => {
                    let wait = cost.as_ref().map_or(1.0, |c| {
                        let need = c.requested_query_cost.unwrap_or(0.0) - c.throttle_status.currently_available;
                        need.max(0.0) / c.throttle_status.restore_rate.max(1.0)
                    });
                    StoreError::Throttled {
                        retry_after: Duration::from_secs_f64(wait.max(0.05)),
                    }
                }
                Some("ACCESS_DENIED") => {
                    let scope = first
                        .extensions
                        .as_ref()
                        .and_then(|x| x.get("requiredAccess"))
                        .and_then(Value::as_str)
                        .and_then(|s| s.split('`').nth(1))
                        .unwrap_or("unknown")
                        .to_string();
                    StoreError::MissingScope {
                        scope,
                        message: first.message.clone(),
                    }
                }
                code => StoreError::Invalid {
                    field: Vec::new(),
                    code: code.unwrap_or("GRAPHQL_ERROR").to_string(),
                    message: first.message.clone(),
                },
            });
        }
        let data = envelope.data.ok_or_else(|| StoreError::Server {
            status,
            message: "the answer has no data".into(),
        })?;
        serde_json::from_value(data).map_err(|e| StoreError::Server {
            status,
            message: format!("unexpected answer: {e}"),
        })
    }
}

fn network(e: reqwest::Error) -> StoreError {
    // reqwest's messages name the URL but never the headers, so the token cannot leak here.
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the connection broke off"
    } else {
        "request failed"
    };
    StoreError::Network {
        message: format!("{kind}: {}", e.without_url()),
    }
}

fn text_of(errors: Option<Errors>, fallback: &str) -> String {
    match errors {
        Some(Errors::Text(t)) => t,
        Some(Errors::List(l)) => l.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; "),
        Some(Errors::Map(m)) => m
            .values()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("; "),
        None => fallback.to_string(),
    }
}
