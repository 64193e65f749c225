//! The sandbox's `POST /admin/oauth/access_token`: the client credentials grant, issuing tokens
//! that expire like Shopify's 24-hour ones (shorter when a test asks).

use axum::extract::{Form, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{Shared, TokenGrant};

/// The form a client sends.
#[derive(Deserialize)]
pub struct GrantRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `POST /admin/oauth/access_token`
pub async fn access_token(AxState(shared): AxState<Shared>, Form(req): Form<GrantRequest>) -> Response {
    if req.grant_type.as_deref() != Some("client_credentials") {
        let body =
            json!({"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    }
    let client = shared.config.clients.iter().find(|c| {
        Some(c.id.as_str()) == req.client_id.as_deref() && Some(c.secret.as_str()) == req.client_secret.as_deref()
    });
    let Some(client) = client else {
        let body = json!({"error": "invalid_client", "error_description": "Client authentication failed"});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    };
    let token = format!("shpat_cc_{:016x}", crate::sync::lock(&shared.rng).next_u64());
    let until = std::time::Instant::now() + client.token_lifetime;
    crate::sync::lock(&shared.issued)
        .insert(token.clone(), (TokenGrant { token: token.clone(), scopes: client.scopes.clone() }, until));
    axum::Json(json!({
        "access_token": token,
        "scope": client.scopes.join(","),
        "expires_in": client.token_lifetime.as_secs(),
    }))
    .into_response()
}
