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

/// The access token of a request, checked against what the sandbox issued, for the orders API.
fn bearer(state: &Shared, headers: &HeaderMap, realm: &str) -> Result<TokenRecord, Response> {
    bearer_for(state, headers, realm, Some(&format!("{}/api", state.issuer)))
}

/// [`bearer`] for the API `audience`; `None` skips the audience check (a deliberately broken API).
fn bearer_for(
    state: &Shared,
    headers: &HeaderMap,
    realm: &str,
    audience: Option<&str>,
) -> Result<TokenRecord, Response> {
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
    if token.is_empty() || token.contains(char::is_whitespace) {
        // RFC 6750 §2.1: one b64token after the scheme; anything else is malformed (§3.1).
        return Err(challenge(
            StatusCode::BAD_REQUEST,
            realm,
            Some(("invalid_request", "expected one token after Bearer, got a malformed Authorization header")),
            None,
        ));
    }
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
        // Known is not enough: a token minted wrong (mint.rs) is known too, so the JWT itself
        // must be ours, for this server and this API (RFC 9068 §4).
        Some(r) => match audience_and_issuer(state, token.trim(), audience) {
            Ok(()) => Ok(r.clone()),
            Err(why) => Err(challenge(StatusCode::UNAUTHORIZED, realm, Some(("invalid_token", why)), None)),
        },
        None => Err(challenge(
            StatusCode::UNAUTHORIZED,
            realm,
            Some(("invalid_token", "the access token is unknown to this server")),
            None,
        )),
    }
}

/// The signature (a key of ours, by `kid`), `iss` and `aud` of an access token the sandbox knows.
fn audience_and_issuer(state: &Shared, token: &str, audience: Option<&str>) -> Result<(), &'static str> {
    let claims = state.keys.verify(token)?;
    if claims["iss"] != state.issuer.as_str() {
        return Err("the access token is from another issuer");
    }
    let Some(api) = audience else { return Ok(()) };
    let for_us = match &claims["aud"] {
        serde_json::Value::String(a) => *a == api,
        serde_json::Value::Array(list) => list.iter().any(|a| *a == api),
        _ => false,
    };
    if !for_us {
        return Err("the access token is for another audience");
    }
    Ok(())
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

/// A second API, `/api/payments`, whose tokens must name it (`aud` = `{issuer}/payments`): a
/// token for the orders API replayed here is refused (RFC 9068 §4, RFC 8707).
pub async fn payments(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let audience = format!("{}/payments", state.issuer);
    match bearer_for(&state, &headers, "sandbox-payments", Some(&audience)) {
        Ok(rec) => paid(&rec),
        Err(r) => r,
    }
}

/// The same API, broken on purpose (`/trouble/no-audience-check/api/payments`): it takes any
/// token this sandbox signed, whatever API it was for — what a replayed token exploits.
pub async fn payments_no_audience_check(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match bearer_for(&state, &headers, "sandbox-payments", None) {
        Ok(rec) => paid(&rec),
        Err(r) => r,
    }
}

fn paid(rec: &TokenRecord) -> Response {
    (
        StatusCode::CREATED,
        axum::Json(json!({"payment": "P-77", "amount": "1000.00 EUR", "status": "sent", "caller": {"sub": rec.sub}})),
    )
        .into_response()
}
