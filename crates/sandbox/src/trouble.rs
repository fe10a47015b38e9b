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
//! | `wrong-state` | the authorization response carries another `state` |
//! | `wrong-iss` | the authorization response carries another `iss` (a mix-up, RFC 9207) |
//! | `callback-error` | the authorization response is `error=access_denied` |
//! | `device-expires` | the device code expires after 3 s while the user never finishes |
//! | `device-slow-down` | the first device poll is told `slow_down`, the next `access_denied` |
//! | `attacker` | an attacker's issuer for the mix-up demo: its authorization endpoint sends the user on to the sandbox's own, its token endpoint takes whatever a client sends it |
//! | `no-audience-check` | `/api/payments` that takes a token for any API of this sandbox (a replayed token works) |

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
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
    "wrong-state",
    "wrong-iss",
    "callback-error",
    "device-expires",
    "device-slow-down",
    "attacker",
    "no-audience-check",
];

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/{kind}/.well-known/openid-configuration", get(discovery))
        .route("/{kind}/token", post(token))
        .route("/{kind}/authorize", get(authorize))
        .route("/{kind}/device_authorization", post(device_authorization))
        .route("/no-audience-check/api/payments", post(crate::resource::payments_no_audience_check))
}

/// Device codes already polled once, for `device-slow-down`.
static POLLED: Mutex<Vec<String>> = Mutex::new(Vec::new());

async fn authorize(
    State(s): State<Shared>,
    Path(kind): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if kind == "attacker" {
        // The mix-up: the attacker's authorization endpoint sends the user on to the honest one,
        // with the client's own request, so the honest server issues the code.
        let mut honest = url::Url::parse(&format!("{}/authorize", s.issuer)).expect("the issuer is a URL");
        honest.query_pairs_mut().extend_pairs(q.iter());
        return Redirect::to(honest.as_str()).into_response();
    }
    let Some(redirect) = q.get("redirect_uri").and_then(|r| url::Url::parse(r).ok()) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri required").into_response();
    };
    let issuer = format!("{}/trouble/{kind}", s.issuer);
    let state = q.get("state").cloned().unwrap_or_default();
    let params: Vec<(&str, String)> = match kind.as_str() {
        "wrong-state" => vec![("code", "trouble-code".into()), ("state", "forged-state".into()), ("iss", issuer)],
        "wrong-iss" => {
            vec![("code", "trouble-code".into()), ("state", state), ("iss", "https://attacker.example".into())]
        }
        "callback-error" => vec![
            ("error", "access_denied".into()),
            ("error_description", "The user cancelled the sign-in".into()),
            ("error_uri", format!("{}/errors/access_denied", s.issuer)),
            ("state", state),
            ("iss", issuer),
        ],
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut url = redirect;
    url.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
    Redirect::to(url.as_str()).into_response()
}

async fn device_authorization(State(s): State<Shared>, Path(kind): Path<String>) -> Response {
    let expires_in = if kind == "device-expires" { 3 } else { 600 };
    let code = crate::grants::random_token(16);
    axum::Json(json!({
        "device_code": code,
        "user_code": "TRBL-CODE",
        "verification_uri": format!("{}/device", s.issuer),
        "expires_in": expires_in,
        "interval": 1,
    }))
    .into_response()
}

async fn discovery(State(s): State<Shared>, Path(kind): Path<String>) -> Response {
    let issuer = format!("{}/trouble/{kind}", s.issuer);
    match kind.as_str() {
        "html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!doctype html><html><head><title>Welcome</title></head><body>Sign in to continue</body></html>",
        )
            .into_response(),
        "redirect-loop" => {
            Redirect::temporary(&format!("/trouble/{kind}/.well-known/openid-configuration")).into_response()
        }
        "no-token-endpoint" => {
            axum::Json(json!({"issuer": issuer, "jwks_uri": format!("{}/jwks", s.issuer)})).into_response()
        }
        k if KINDS.contains(&k) => axum::Json(json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": format!("{issuer}/token"),
            "device_authorization_endpoint": format!("{issuer}/device_authorization"),
            "authorization_response_iss_parameter_supported": true,
            "jwks_uri": format!("{}/jwks", s.issuer),
        }))
        .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn token(Path(kind): Path<String>, Form(form): Form<HashMap<String, String>>) -> Response {
    let device_error = |e: &str| (StatusCode::BAD_REQUEST, axum::Json(json!({"error": e}))).into_response();
    match kind.as_str() {
        // What a client sends here (the honest server's code, its verifier) is now the attacker's.
        "attacker" => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"error": "temporarily_unavailable", "error_description": "try again later"})),
        )
            .into_response(),
        "device-expires" => device_error("authorization_pending"),
        "device-slow-down" => {
            let code = form.get("device_code").cloned().unwrap_or_default();
            let mut polled = POLLED.lock().unwrap();
            if polled.contains(&code) {
                device_error("access_denied")
            } else {
                polled.push(code);
                device_error("slow_down")
            }
        }
        "token-html" => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        "token-500" => (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
        "token-invalid-json" => {
            ([(header::CONTENT_TYPE, "application/json")], "{\"access_token\": \"abc\",").into_response()
        }
        "token-no-access-token" => axum::Json(json!({"token_type": "Bearer", "expires_in": 60})).into_response(),
        "token-slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            axum::Json(json!({"access_token": "late", "token_type": "Bearer"})).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
