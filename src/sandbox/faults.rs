//! Fault injection for the sandbox: latency, a shared bandwidth cap, server errors and
//! connections dropped in the middle of a body, as set when the sandbox starts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;

use super::Shared;

/// What can go wrong, on purpose.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Bytes a second through the sandbox, shared by every connection and both directions
    /// (like one network link); `None` for no cap.
    pub bandwidth: Option<u64>,
    /// Share of requests (0.0–1.0) answered with a 5xx.
    pub server_error_share: f64,
    /// Share of requests (0.0–1.0) whose response body is cut off halfway.
    pub drop_share: f64,
    /// Share of new media (0.0–1.0) whose processing fails.
    pub processing_failure_share: f64,
    /// Seed of the dice that decide which requests fail; `None` derives it from the catalog's.
    pub seed: Option<u64>,
}

/// A link with a fixed rate: every chunk reserves its transfer time after the chunks before it.
#[derive(Debug)]
pub struct Link {
    bytes_per_sec: f64,
    next_free: std::sync::Mutex<Instant>,
}

const CHUNK: usize = 16 * 1024;

impl Link {
    /// A link of the given rate.
    pub fn new(bytes_per_sec: u64) -> Arc<Self> {
        Arc::new(Link { bytes_per_sec: bytes_per_sec.max(1) as f64, next_free: std::sync::Mutex::new(Instant::now()) })
    }

    /// Wait until `n` bytes have crossed the link.
    pub async fn pass(&self, n: usize) {
        let until = {
            let mut next = crate::sync::lock(&self.next_free);
            let start = (*next).max(Instant::now());
            *next = start + Duration::from_secs_f64(n as f64 / self.bytes_per_sec);
            *next
        };
        tokio::time::sleep_until(until.into()).await;
    }

    /// A body whose bytes cross this link.
    pub fn throttle(self: &Arc<Self>, body: Body) -> Body {
        let link = self.clone();
        let stream = body.into_data_stream().flat_map(|chunk| {
            let pieces: Vec<Result<Bytes, axum::Error>> = match chunk {
                Ok(bytes) => {
                    (0..bytes.len()).step_by(CHUNK).map(|i| Ok(bytes.slice(i..(i + CHUNK).min(bytes.len())))).collect()
                }
                Err(e) => vec![Err(e)],
            };
            futures_util::stream::iter(pieces)
        });
        let stream = stream.then(move |piece| {
            let link = link.clone();
            async move {
                if let Ok(b) = &piece {
                    link.pass(b.len()).await;
                }
                piece
            }
        });
        Body::from_stream(stream)
    }
}

/// The middleware that applies the faults to every route.
pub async fn inject(AxState(shared): AxState<Shared>, req: Request, next: Next) -> Response {
    let faults = &shared.config.faults;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let (fail, drop) = {
        let mut rng = crate::sync::lock(&shared.rng);
        (rng.unit() < faults.server_error_share, rng.unit() < faults.drop_share)
    };
    let fail = fail || crate::sync::lock(&shared.state).outage;
    if fail {
        let body = if req.uri().path().contains("/graphql.json") {
            r#"{"errors":"Internal Server Error"}"#
        } else {
            "Service Unavailable"
        };
        let status = if req.uri().path().contains("/graphql.json") {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        return (status, [("content-type", "application/json")], body).into_response();
    }
    let req = match &shared.link {
        Some(link) => req.map(|b| link.throttle(b)),
        None => req,
    };
    let resp = next.run(req).await;
    let resp = if drop {
        // Send the headers and half the body, then break the connection.
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let half = bytes.slice(..bytes.len() / 2);
        let stream = futures_util::stream::iter([true, false]).then(move |first| {
            let half = half.clone();
            async move {
                if first {
                    Ok::<Bytes, std::io::Error>(half)
                } else {
                    // Let the headers and the first half reach the client before the break.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "sandbox dropped the connection"))
                }
            }
        });
        let mut parts = parts;
        parts.headers.insert("content-length", bytes.len().into());
        Response::from_parts(parts, Body::from_stream(stream))
    } else {
        resp
    };
    match &shared.link {
        Some(link) => resp.map(|b| link.throttle(b)),
        None => resp,
    }
}
