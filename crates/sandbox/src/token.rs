//! The token endpoint (RFC 6749 §3.2): client authentication, then the grant. Errors are the
//! JSON objects of RFC 6749 §5.2, with `WWW-Authenticate` on a failed Basic authentication.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::clients::DemoClient;
use crate::keys::Alg;
use crate::Shared;

const ACCESS_TOKEN_TTL: u64 = 3600;

pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut resp = (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, "Basic realm=\"sandbox\"".parse().unwrap());
    }
    resp
}

fn form_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// RFC 6749 §2.3.1: Basic credentials are form-urlencoded inside the base64.
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|_| ());
    Some(decoded.and_then(|d| {
        let s = String::from_utf8(d).map_err(|_| ())?;
        let (id, secret) = s.split_once(':').ok_or(())?;
        Ok((form_decode(id), form_decode(secret)))
    }))
}

/// Finds and authenticates the client, or says exactly why not.
fn authenticate<'a>(state: &'a Shared, headers: &HeaderMap, form: &HashMap<String, String>) -> Result<&'a DemoClient, Response> {
    let basic = basic_credentials(headers);
    let body_secret = form.get("client_secret");
    if basic.is_some() && body_secret.is_some() {
        return Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "client authenticated with more than one method (RFC 6749 §2.3)"));
    }
    let (id, secret, used_basic) = match basic {
        Some(Ok((id, secret))) => (id, Some(secret), true),
        Some(Err(())) => return Err(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "malformed Basic authorization header")),
        None => match form.get("client_id") {
            Some(id) => (id.clone(), body_secret.cloned(), false),
            None => return Err(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "no client authentication and no client_id")),
        },
    };
    let status = if used_basic { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
    let client = state
        .clients
        .iter()
        .find(|c| c.client_id == id)
        .ok_or_else(|| oauth_error(status, "invalid_client", &format!("unknown client {id:?}")))?;
    match (client.client_secret, secret.as_deref()) {
        (Some(expected), Some(given)) if aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), given.as_bytes()).is_ok() => Ok(client),
        (Some(_), Some(_)) => Err(oauth_error(status, "invalid_client", "client secret does not match")),
        (Some(_), None) => Err(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "confidential client must authenticate")),
        (None, None) => Ok(client),
        (None, Some(_)) => Err(oauth_error(status, "invalid_client", "public client must not send a secret")),
    }
}

pub async fn token(State(state): State<Shared>, headers: HeaderMap, Form(form): Form<HashMap<String, String>>) -> Response {
    let client = match authenticate(&state, &headers, &form) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let grant = form.get("grant_type").map(String::as_str).unwrap_or("");
    if grant.is_empty() {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "missing grant_type");
    }
    if !client.grant_types.contains(&grant) {
        return oauth_error(StatusCode::BAD_REQUEST, "unauthorized_client", &format!("{} may not use {grant}", client.client_id));
    }
    match grant {
        "client_credentials" => client_credentials(&state, client, &form),
        other => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &format!("{other} is not supported yet")),
    }
}

fn granted_scopes(client: &DemoClient, requested: Option<&String>) -> Result<Vec<&'static str>, Response> {
    let Some(requested) = requested.filter(|s| !s.trim().is_empty()) else {
        return Ok(client.scopes.to_vec());
    };
    let mut out = Vec::new();
    for s in requested.split(' ').filter(|s| !s.is_empty()) {
        match client.scopes.iter().find(|&&allowed| allowed == s) {
            Some(&allowed) => out.push(allowed),
            None => {
                return Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", &format!("scope {s:?} is not allowed for {}", client.client_id)));
            }
        }
    }
    Ok(out)
}

fn random_id() -> String {
    let bytes: [u8; 16] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// An RFC 9068 access token.
pub fn access_token(state: &Shared, client_id: &str, sub: &str, scopes: &[&str]) -> String {
    let iat = now();
    let claims = json!({
        "iss": state.issuer,
        "sub": sub,
        "aud": format!("{}/api", state.issuer),
        "client_id": client_id,
        "scope": scopes.join(" "),
        "iat": iat,
        "nbf": iat,
        "exp": iat + ACCESS_TOKEN_TTL,
        "jti": random_id(),
    });
    state.keys.sign(Alg::RS256, "at+jwt", &claims)
}

fn client_credentials(state: &Shared, client: &DemoClient, form: &HashMap<String, String>) -> Response {
    let scopes = match granted_scopes(client, form.get("scope")) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let token = access_token(state, client.client_id, client.client_id, &scopes);
    (
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_TTL,
            "scope": scopes.join(" "),
        })),
    )
        .into_response()
}
