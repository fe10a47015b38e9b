//! Deliberately broken issuers, at `/trouble/{kind}`: each misbehaves in one way real providers
//! do, so a trainer can show the failure and tests can check the inspector's error for it.
//!
//! | kind | what goes wrong |
//! |---|---|
//! | `html` | discovery answers 200 with an HTML page |
//! | `no-token-endpoint` | the discovery document lacks `token_endpoint` |
//! | `redirect-loop` | discovery redirects to itself |
//! | `token-html` | the token endpoint answers 502 with an HTML page |
//! | `token-500` | the token endpoint answers 500 with text |
//! | `token-invalid-json` | the token endpoint answers 200 with broken JSON |
//! | `token-no-access-token` | the token endpoint answers 200 JSON without `access_token` |
//! | `token-slow` | the token endpoint answers after 30 s |

use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::Shared;

pub const KINDS: &[&str] = &[
    "html",
    "no-token-endpoint",
    "redirect-loop",
    "token-html",
    "token-500",
    "token-invalid-json",
    "token-no-access-token",
    "token-slow",
];

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/{kind}/.well-known/openid-configuration", get(discovery))
        .route("/{kind}/token", post(token))
}

async fn discovery(State(s): State<Shared>, Path(kind): Path<String>) -> Response {
    let issuer = format!("{}/trouble/{kind}", s.issuer);
    match kind.as_str() {
        "html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!doctype html><html><head><title>Welcome</title></head><body>Sign in to continue</body></html>",
        )
            .into_response(),
        "redirect-loop" => Redirect::temporary(&format!("/trouble/{kind}/.well-known/openid-configuration")).into_response(),
        "no-token-endpoint" => axum::Json(json!({"issuer": issuer, "jwks_uri": format!("{}/jwks", s.issuer)})).into_response(),
        k if KINDS.contains(&k) => axum::Json(json!({
            "issuer": issuer,
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{}/jwks", s.issuer),
        }))
        .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn token(Path(kind): Path<String>) -> Response {
    match kind.as_str() {
        "token-html" => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        "token-500" => (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
        "token-invalid-json" => ([(header::CONTENT_TYPE, "application/json")], "{\"access_token\": \"abc\",").into_response(),
        "token-no-access-token" => axum::Json(json!({"token_type": "Bearer", "expires_in": 60})).into_response(),
        "token-slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            axum::Json(json!({"access_token": "late", "token_type": "Bearer"})).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
