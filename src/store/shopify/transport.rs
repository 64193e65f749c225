//! Sending GraphQL documents to Shopify: priced and paced by the scheduler, retried when that is
//! safe, and sorted into data or a `StoreError`.

use std::sync::Mutex;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::credentials::{Credentials, TokenSource};
use super::documents::Document;
use super::scheduler::Scheduler;
use super::wire::{Cost, Envelope, Errors, ThrottleStatus};
use crate::rng::Rng;
use crate::shopify_rules::cost::MAX_QUERY_COST;
use crate::store::StoreError;

/// Attempts for a request that fails for a reason that may pass (network, 5xx, throttling).
const MAX_ATTEMPTS: u32 = 5;

/// Whether sending a document twice does the same as sending it once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Reads, and writes that set a state (alt text, order, removal): retried after any
    /// transient failure.
    Safe,
    /// Writes that create something: retried only when the request never left.
    Unsafe,
}

/// A failure, and whether the request may have reached the store.
struct Failure {
    error: StoreError,
    maybe_applied: bool,
    /// The store answered with an HTTP error status (4xx, 5xx) rather than losing the answer.
    refused_by_status: bool,
}

impl Failure {
    /// Failed before the query could run (no token, no connection, a redirect, a GraphQL
    /// error): nothing was applied.
    fn not_run(error: StoreError) -> Failure {
        Failure { error, maybe_applied: false, refused_by_status: false }
    }

    /// The request left but its answer was lost or unreadable: it may have run.
    fn lost(error: StoreError) -> Failure {
        Failure { error, maybe_applied: true, refused_by_status: false }
    }
}

/// The HTTP side of a Shopify store.
pub struct Transport {
    url: reqwest::Url,
    token: TokenSource,
    http: reqwest::Client,
    scheduler: Scheduler,
    last_cost: Mutex<Option<Cost>>,
    throttled: std::sync::atomic::AtomicU64,
    spent: std::sync::atomic::AtomicU64,
    jitter: Mutex<Rng>,
}

impl Transport {
    /// A transport for a checked endpoint (see `endpoint::graphql_url`).
    pub fn new(url: reqwest::Url, credentials: Credentials) -> Self {
        let http = crate::store::http::api_client(Duration::from_secs(60));
        Transport {
            token: TokenSource::new(credentials, &url),
            url,
            http,
            scheduler: Scheduler::default(),
            last_cost: Mutex::new(None),
            throttled: Default::default(),
            spent: Default::default(),
            jitter: Mutex::new(Rng::from_time()),
        }
    }

    /// The endpoint.
    pub fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// The HTTP client, shared with uploads to staged targets.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The cost report of the last answer.
    pub fn last_cost(&self) -> Option<Cost> {
        crate::sync::lock(&self.last_cost).clone()
    }

    /// How many THROTTLED answers this transport has seen.
    pub fn throttled_count(&self) -> u64 {
        self.throttled.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Query-cost points this transport's answers reported as spent.
    pub fn points_spent(&self) -> u64 {
        self.spent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The scheduler, for its view of the bucket.
    pub fn scheduler(&self) -> &Scheduler {
        &self.scheduler
    }

    /// Send a document and decode its `data`, pacing and retrying as `repeat` allows.
    pub async fn run<T: DeserializeOwned>(
        &self,
        doc: &Document,
        variables: Value,
        repeat: Repeat,
    ) -> Result<T, StoreError> {
        // The document's name and price only: variables can hold merchant data, the token never
        // enters a span or an event.
        let span = tracing::debug_span!("shopify_request", document = doc.name);
        tracing::Instrument::instrument(self.run_in_span(doc, variables, repeat), span).await
    }

    async fn run_in_span<T: DeserializeOwned>(
        &self,
        doc: &Document,
        variables: Value,
        repeat: Repeat,
    ) -> Result<T, StoreError> {
        let cost = doc.requested_cost(&variables);
        if cost > MAX_QUERY_COST {
            return Err(StoreError::Invalid {
                field: vec![doc.name.to_string()],
                code: "MAX_COST_EXCEEDED".into(),
                message: format!("{} would cost {cost} points, over Shopify's limit of {MAX_QUERY_COST}", doc.name),
            });
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let reservation = self.scheduler.acquire(cost as f64).await;
            let (result, reported) = self.send_once(doc.text, &variables).await;
            match &result {
                // Not sent, or refused with an HTTP error status before any query ran: Shopify
                // charges only executed queries, and the next answer's report corrects the model.
                Err(f) if reported.is_none() && (!f.maybe_applied || f.refused_by_status) => {
                    self.scheduler.release(reservation)
                }
                _ => self.scheduler.settle(reservation, reported.as_ref()),
            }
            let failure = match result {
                Ok(data) => {
                    return serde_json::from_value(data)
                        .map_err(|e| StoreError::Server { status: 200, message: format!("unexpected answer: {e}") });
                }
                Err(f) => f,
            };
            if matches!(failure.error, StoreError::Auth { .. }) && attempt == 1 && self.token.refused().await {
                // A granted token can be revoked or expire early: exchange once more.
                continue;
            }
            let retry = attempt < MAX_ATTEMPTS
                && match &failure.error {
                    // A throttled request did not run.
                    StoreError::Throttled { .. } => true,
                    e if e.is_transient() => repeat == Repeat::Safe || !failure.maybe_applied,
                    _ => false,
                };
            if !retry {
                return Err(failure.error);
            }
            let wait = match &failure.error {
                StoreError::Throttled { retry_after } => {
                    self.throttled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    *retry_after
                }
                _ => self.backoff(attempt),
            };
            tracing::debug!(document = doc.name, attempt, ?wait, error = %failure.error, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// Exponential backoff with full jitter: up to 0.2 s, 0.4 s, 0.8 s… capped at 5 s.
    fn backoff(&self, attempt: u32) -> Duration {
        let cap = (0.2 * 2f64.powi(attempt as i32 - 1)).min(5.0);
        let unit = crate::sync::lock(&self.jitter).unit();
        Duration::from_secs_f64(cap * (0.5 + 0.5 * unit))
    }

    /// One request; the bucket's state comes back whenever the answer reported it.
    async fn send_once(&self, document: &str, variables: &Value) -> (Result<Value, Failure>, Option<ThrottleStatus>) {
        let mut reported = None;
        let result = self.exchange(document, variables, &mut reported).await;
        (result, reported)
    }

    async fn exchange(
        &self,
        document: &str,
        variables: &Value,
        reported: &mut Option<ThrottleStatus>,
    ) -> Result<Value, Failure> {
        let body = serde_json::json!({"query": document, "variables": variables});
        let token = self.token.token(&self.http).await.map_err(Failure::not_run)?;
        let header = crate::store::http::token_header(&token, "").map_err(Failure::not_run)?;
        let sent = self.http.post(self.url.clone()).header("X-Shopify-Access-Token", header).json(&body).send().await;
        let resp =
            sent.map_err(|e| if e.is_connect() { Failure::not_run(network(e)) } else { Failure::lost(network(e)) })?;
        let status = resp.status().as_u16();
        if resp.status().is_redirection() {
            let location = resp.headers().get("location").and_then(|v| v.to_str().ok());
            return Err(Failure::not_run(crate::store::http::redirect_refused(status, location)));
        }
        let retry_after =
            resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|s| s.parse::<f64>().ok());
        let bytes = resp.bytes().await.map_err(|e| Failure::lost(network(e)))?;
        let envelope: Result<Envelope<Value>, _> = serde_json::from_slice(&bytes);
        let fail = |error| Err(Failure { error, maybe_applied: status >= 500, refused_by_status: true });
        match status {
            200..=299 => {}
            401 => {
                return fail(StoreError::Auth {
                    message: text_of(envelope.ok().and_then(|e| e.errors), "invalid access token"),
                });
            }
            403 => {
                return fail(StoreError::MissingScope {
                    scope: "unknown".into(),
                    message: text_of(envelope.ok().and_then(|e| e.errors), "access denied"),
                });
            }
            404 => {
                return fail(StoreError::NotFound { what: "the shop or API version".into() });
            }
            429 => {
                return fail(StoreError::Throttled {
                    retry_after: Duration::from_secs_f64(retry_after.unwrap_or(1.0)),
                });
            }
            _ => {
                return fail(StoreError::Server {
                    status,
                    message: text_of(envelope.ok().and_then(|e| e.errors), "no details"),
                });
            }
        }
        let envelope = envelope
            .map_err(|e| Failure::lost(StoreError::Server { status, message: format!("unreadable answer: {e}") }))?;
        let cost = envelope.extensions.and_then(|x| x.cost);
        *crate::sync::lock(&self.last_cost) = cost.clone();
        *reported = cost.as_ref().map(|c| c.throttle_status.clone());
        if let Some(actual) = cost.as_ref().and_then(|c| c.actual_query_cost) {
            self.spent.fetch_add(actual.round() as u64, std::sync::atomic::Ordering::Relaxed);
        }
        if let Some(Errors::List(errors)) = &envelope.errors
            && let Some(first) = errors.first()
        {
            let error = match first.code() {
                Some("THROTTLED") => {
                    let wait = cost.as_ref().map_or(1.0, |c| {
                        let need = c.requested_query_cost.unwrap_or(0.0) - c.throttle_status.currently_available;
                        need.max(0.0) / c.throttle_status.restore_rate.max(1.0)
                    });
                    StoreError::Throttled { retry_after: Duration::from_secs_f64(wait.max(0.05)) }
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
                    StoreError::MissingScope { scope, message: first.message.clone() }
                }
                code => StoreError::Invalid {
                    field: Vec::new(),
                    code: code.unwrap_or("GRAPHQL_ERROR").to_string(),
                    message: first.message.clone(),
                },
            };
            return Err(Failure::not_run(error));
        }
        envelope
            .data
            .ok_or_else(|| Failure::lost(StoreError::Server { status, message: "the answer has no data".into() }))
    }
}

fn network(e: reqwest::Error) -> StoreError {
    // reqwest's messages name the URL but never the headers, so the token cannot leak here.
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() || e.is_request() {
        "the connection broke off"
    } else {
        "request failed"
    };
    StoreError::Network { message: format!("{kind}: {}", e.without_url()) }
}

fn text_of(errors: Option<Errors>, fallback: &str) -> String {
    match errors {
        Some(Errors::Text(t)) => t,
        Some(Errors::List(l)) => l.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; "),
        Some(Errors::Map(m)) => {
            m.values().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect::<Vec<_>>().join("; ")
        }
        None => fallback.to_string(),
    }
}
