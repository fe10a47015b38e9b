//! What a client does with tokens: revoke (RFC 7009), introspect (RFC 7662), userinfo (OIDC
//! Core §5.3), and a small protected demo API whose 401/403 answers carry RFC 6750
//! `WWW-Authenticate` challenges, so a trainer can show each failure for real.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Shared;
use crate::grants::{TokenRecord, now};
use crate::token::{authenticate, display_name};

pub async fn revoke(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let client = match authenticate(&state, &headers, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let token = form.get("token").cloned().unwrap_or_default();
    if let Some(rec) = state.grants.lock().unwrap().tokens.get_mut(&token)
        && rec.client_id == client.client_id
    {
        rec.active = false;
    }
    // RFC 7009 §2.2: 200 whether or not the token was known.
    StatusCode::OK.into_response()
}

pub async fn introspect(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = authenticate(&state, &headers, &form) {
        return r;
    }
    let token = form.get("token").cloned().unwrap_or_default();
    let body = match state.grants.lock().unwrap().active(&token) {
        Some(r) => json!({
            "active": true,
            "scope": r.scopes.join(" "),
            "client_id": r.client_id,
            "sub": r.sub,
            "username": r.sub,
            "exp": r.expires_at,
            "token_type": if r.kind == "access_token" { "Bearer" } else { "refresh_token" },
            "iss": state.issuer,
        }),
        None => json!({"active": false}),
    };
    axum::Json(body).into_response()
}

/// RFC 6750 §3 challenge.
fn challenge(status: StatusCode, realm: &str, error: Option<(&str, &str)>, scope: Option<&str>) -> Response {
    let mut value = format!("Bearer realm=\"{realm}\"");
    if let Some((e, d)) = error {
        value.push_str(&format!(", error=\"{e}\", error_description=\"{d}\""));
    }
    if let Some(s) = scope {
        value.push_str(&format!(", scope=\"{s}\""));
    }
    let body = match error {
        Some((e, d)) => json!({"error": e, "error_description": d}),
        None => json!({"error": "unauthorized", "error_description": "a Bearer access token is required"}),
    };
    (status, [(header::WWW_AUTHENTICATE, value)], axum::Json(body)).into_response()
}

/// The access token of a request, checked against what the sandbox issued.
fn bearer(state: &Shared, headers: &HeaderMap, realm: &str) -> Result<TokenRecord, Response> {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Err(challenge(StatusCode::UNAUTHORIZED, realm, None, None));
    };
    let Some(token) = crate::token::credentials(value, "Bearer") else {
        return Err(challenge(
            StatusCode::UNAUTHORIZED,
            realm,
            Some(("invalid_request", "use the Bearer scheme")),
            None,
        ));
    };
    let grants = state.grants.lock().unwrap();
    match grants.tokens.get(token.trim()) {
        Some(r) if r.kind != "access_token" => Err(challenge(
            StatusCode::UNAUTHORIZED,
            realm,
            Some(("invalid_token", "this is not an access token")),
            None,
        )),
        Some(r) if !r.active => Err(challenge(
            StatusCode::UNAUTHORIZED,
            realm,
            Some(("invalid_token", "the access token was revoked")),
            None,
        )),
        Some(r) if r.expires_at <= now() => {
            Err(challenge(StatusCode::UNAUTHORIZED, realm, Some(("invalid_token", "the access token expired")), None))
        }
        Some(r) => Ok(r.clone()),
        None => Err(challenge(
            StatusCode::UNAUTHORIZED,
            realm,
            Some(("invalid_token", "the access token is unknown to this server")),
            None,
        )),
    }
}

pub async fn userinfo(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let rec = match bearer(&state, &headers, "sandbox") {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !rec.scopes.iter().any(|s| s == "openid") {
        return challenge(
            StatusCode::FORBIDDEN,
            "sandbox",
            Some(("insufficient_scope", "userinfo needs the openid scope")),
            Some("openid"),
        );
    }
    let mut body = json!({"sub": rec.sub});
    if rec.scopes.iter().any(|s| s == "profile") {
        body["name"] = json!(display_name(&rec.sub));
        body["preferred_username"] = json!(rec.sub);
    }
    if rec.scopes.iter().any(|s| s == "email") {
        body["email"] = json!(format!("{}@sandbox.example", rec.sub));
        body["email_verified"] = json!(true);
    }
    axum::Json(body).into_response()
}

fn require_scope(state: &Shared, headers: &HeaderMap, scope: &str) -> Result<TokenRecord, Response> {
    let rec = bearer(state, headers, "sandbox-api")?;
    if !rec.scopes.iter().any(|s| s == scope) {
        return Err(challenge(
            StatusCode::FORBIDDEN,
            "sandbox-api",
            Some(("insufficient_scope", &format!("this call needs the {scope} scope"))),
            Some(scope),
        ));
    }
    Ok(rec)
}

pub async fn list_orders(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match require_scope(&state, &headers, "orders.read") {
        Ok(rec) => axum::Json(json!({
            "orders": [
                {"id": "A-1001", "item": "Teapot", "status": "shipped"},
                {"id": "A-1002", "item": "Kettle", "status": "processing"}
            ],
            "caller": {"sub": rec.sub, "client_id": rec.client_id},
        }))
        .into_response(),
        Err(r) => r,
    }
}

pub async fn create_order(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match require_scope(&state, &headers, "orders.write") {
        Ok(rec) => {
            (StatusCode::CREATED, axum::Json(json!({"id": "A-1003", "status": "created", "caller": {"sub": rec.sub}})))
                .into_response()
        }
        Err(r) => r,
    }
}
