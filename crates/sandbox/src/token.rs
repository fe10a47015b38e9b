//! The token endpoint (RFC 6749 §3.2): client authentication, then the grant. Errors are the
//! JSON objects of RFC 6749 §5.2, with `WWW-Authenticate` on a failed Basic authentication.
//! Trainer switches make it slow, loosen PKCE, codes and refresh rotation, and spoil the tokens
//! it issues (one claim or the signature each), here and nowhere else.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::Shared;
use crate::clients::DemoClient;
use crate::grants::{DeviceStatus, TokenRecord, now, random_token};
use crate::keys::Alg;
use crate::trainer::Switch;

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

/// What follows `scheme` in an Authorization value. Schemes are case-insensitive (RFC 9110 §11.1),
/// so `basic`, `BEARER` and `bEaReR` are the schemes they spell.
pub fn credentials<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = value.trim().split_once([' ', '\t'])?;
    given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// RFC 6749 §2.3.1: Basic credentials are form-urlencoded inside the base64.
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = credentials(value, "Basic")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|_| ());
    Some(decoded.and_then(|d| {
        let s = String::from_utf8(d).map_err(|_| ())?;
        let (id, secret) = s.split_once(':').ok_or(())?;
        Ok((form_decode(id), form_decode(secret)))
    }))
}

/// Finds and authenticates the client, or says exactly why not.
pub fn authenticate<'a>(
    state: &'a Shared,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<&'a DemoClient, Response> {
    let basic = basic_credentials(headers);
    let body_secret = form.get("client_secret");
    if basic.is_some() && body_secret.is_some() {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client authenticated with more than one method (RFC 6749 §2.3)",
        ));
    }
    let (id, secret, used_basic) = match basic {
        Some(Ok((id, secret))) => (id, Some(secret), true),
        Some(Err(())) => {
            return Err(oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "malformed Basic authorization header",
            ));
        }
        None => match form.get("client_id") {
            Some(id) => (id.clone(), body_secret.cloned(), false),
            None => {
                return Err(oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "no client authentication and no client_id",
                ));
            }
        },
    };
    let status = if used_basic { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
    let client = state
        .clients
        .iter()
        .find(|c| c.client_id == id)
        .ok_or_else(|| oauth_error(status, "invalid_client", &format!("unknown client {id:?}")))?;
    match (client.client_secret, secret.as_deref()) {
        (Some(expected), Some(given))
            if aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), given.as_bytes()).is_ok() =>
        {
            Ok(client)
        }
        (Some(_), Some(_)) => Err(oauth_error(status, "invalid_client", "client secret does not match")),
        (Some(_), None) => {
            Err(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "confidential client must authenticate"))
        }
        (None, None) => Ok(client),
        (None, Some(_)) => Err(oauth_error(status, "invalid_client", "public client must not send a secret")),
    }
}

pub async fn token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if state.trainer.is_on(Switch::SlowTokenEndpoint) {
        tokio::time::sleep(crate::trainer::SLOW_TOKEN_DELAY).await;
    }
    let client = match authenticate(&state, &headers, &form) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let grant = form.get("grant_type").map(String::as_str).unwrap_or("");
    if grant.is_empty() {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "missing grant_type");
    }
    if !client.grant_types.contains(&grant) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!("{} may not use {grant}", client.client_id),
        );
    }
    match grant {
        "client_credentials" => client_credentials(&state, client, &form),
        "authorization_code" => authorization_code(&state, client, &form),
        "refresh_token" => refresh_token(&state, client, &form),
        "urn:ietf:params:oauth:grant-type:device_code" => device_code(&state, client, &form),
        other => {
            oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &format!("{other} is not supported yet"))
        }
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
                return Err(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    &format!("scope {s:?} is not allowed for {}", client.client_id),
                ));
            }
        }
    }
    Ok(out)
}

const REFRESH_TTL: u64 = 30 * 24 * 3600;

/// Issues an RFC 9068 access token, plus an ID token for `openid` and a refresh token for
/// `offline_access` (or `keep_refresh`, the one just used, when rotation is switched off),
/// records them, and answers as RFC 6749 §5.1 says.
pub fn issue(
    state: &Shared,
    client_id: &str,
    sub: &str,
    scopes: &[String],
    nonce: Option<&str>,
    keep_refresh: Option<&str>,
    family: Option<&str>,
) -> Response {
    let family = family.map(str::to_string).unwrap_or_else(|| random_token(12));
    let t = &state.trainer;
    let iat = now();
    // `expired-tokens`: issued two hours ago, expired for an hour (well past any clock leeway).
    let (iat, ttl) = if t.is_on(Switch::ExpiredTokens) { (iat - 7200, 3600) } else { (iat, ACCESS_TOKEN_TTL) };
    let scope = scopes.join(" ");
    let audience = if t.is_on(Switch::WrongAudience) {
        crate::mint::OTHER_AUDIENCE.to_string()
    } else {
        format!("{}/api", state.issuer)
    };
    let claims = json!({
        "iss": state.issuer,
        "sub": sub,
        "aud": audience,
        "client_id": client_id,
        "scope": scope,
        "iat": iat,
        "nbf": iat,
        "exp": iat + ttl,
        "jti": random_token(16),
    });
    let access = if t.is_on(Switch::UnknownKid) {
        crate::keys::sign_with_throwaway_key("at+jwt", &claims)
    } else {
        state.keys.sign(Alg::RS256, "at+jwt", &claims)
    };
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_TTL,
        "scope": scope,
    });
    let mut grants = state.grants.lock().unwrap();
    let record = |kind, ttl| TokenRecord {
        client_id: client_id.into(),
        sub: sub.into(),
        scopes: scopes.to_vec(),
        expires_at: iat + ttl,
        active: true,
        kind,
        family: Some(family.clone()),
        rotated: false,
    };
    grants.tokens.insert(access.clone(), record("access_token", ttl));
    if let Some(kept) = keep_refresh {
        body["refresh_token"] = json!(kept);
    } else if scopes.iter().any(|s| s == "offline_access") {
        let refresh = random_token(32);
        grants.tokens.insert(refresh.clone(), record("refresh_token", REFRESH_TTL));
        body["refresh_token"] = json!(refresh);
    }
    if scopes.iter().any(|s| s == "openid") {
        let id = IdToken { client_id, sub, scopes, nonce, access: &access, iat, ttl };
        body["id_token"] = json!(id_token(state, &id));
    }
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

struct IdToken<'a> {
    client_id: &'a str,
    sub: &'a str,
    scopes: &'a [String],
    nonce: Option<&'a str>,
    access: &'a str,
    iat: u64,
    ttl: u64,
}

fn at_hash(access: &str) -> String {
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&hash.as_ref()[..16])
}

/// OIDC Core §2 ID token with `at_hash` (§3.1.3.6) and profile claims for granted scopes; each
/// trainer switch that spoils an ID token changes exactly one thing of it.
fn id_token(state: &Shared, id: &IdToken) -> String {
    let t = &state.trainer;
    let iss = if t.is_on(Switch::WrongIdTokenIssuer) { crate::mint::OTHER_ISSUER } else { state.issuer.as_str() };
    let aud = if t.is_on(Switch::WrongAudience) { "another-client" } else { id.client_id };
    let hash = if t.is_on(Switch::AtHashWrong) { at_hash("another access token") } else { at_hash(id.access) };
    let mut claims = json!({
        "iss": iss, "sub": id.sub, "aud": aud, "iat": id.iat, "exp": id.iat + id.ttl,
        "auth_time": id.iat, "at_hash": hash,
    });
    if let Some(n) = id.nonce.filter(|_| !t.is_on(Switch::NonceMissing)) {
        claims["nonce"] = json!(if t.is_on(Switch::NonceWrong) { "forged-by-the-trainer" } else { n });
    }
    if id.scopes.iter().any(|s| s == "profile") {
        claims["name"] = json!(display_name(id.sub));
        claims["preferred_username"] = json!(id.sub);
    }
    if id.scopes.iter().any(|s| s == "email") {
        claims["email"] = json!(format!("{}@sandbox.example", id.sub));
        claims["email_verified"] = json!(true);
    }
    if t.is_on(Switch::IdTokenAlgNone) {
        crate::keys::unsigned("JWT", &claims)
    } else if t.is_on(Switch::UnknownKid) {
        crate::keys::sign_with_throwaway_key("JWT", &claims)
    } else {
        state.keys.sign(Alg::RS256, "JWT", &claims)
    }
}

pub fn display_name(sub: &str) -> String {
    let mut c = sub.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn client_credentials(state: &Shared, client: &DemoClient, form: &HashMap<String, String>) -> Response {
    match granted_scopes(client, form.get("scope")) {
        Ok(scopes) => {
            let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
            issue(state, client.client_id, client.client_id, &scopes, None, None, None)
        }
        Err(resp) => resp,
    }
}

fn pkce_ok(method: &str, challenge: &str, verifier: &str) -> bool {
    let computed = match method {
        "S256" => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes())),
        _ => verifier.to_string(),
    };
    aws_lc_rs::constant_time::verify_slices_are_equal(computed.as_bytes(), challenge.as_bytes()).is_ok()
}

fn authorization_code(state: &Shared, client: &DemoClient, form: &HashMap<String, String>) -> Response {
    let bad = |d: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", d);
    let code = form.get("code").cloned().unwrap_or_default();
    // Single use (RFC 6749 §4.1.2): removed whether or not the rest checks out — unless the
    // trainer's `codes-reusable` keeps it.
    let taken = {
        let mut grants = state.grants.lock().unwrap();
        if state.trainer.is_on(Switch::CodesReusable) {
            grants.codes.get(&code).cloned()
        } else {
            grants.codes.remove(&code)
        }
    };
    let Some(issued) = taken else {
        return bad("the authorization code is unknown, already used, or expired");
    };
    if issued.expires_at <= now() {
        return bad("the authorization code expired");
    }
    if issued.auth.client_id != client.client_id {
        return bad("the authorization code was issued to another client");
    }
    if form.get("redirect_uri") != Some(&issued.auth.redirect_uri) {
        return bad("redirect_uri does not match the one of the authorization request (RFC 6749 §4.1.3)");
    }
    let verifier = form.get("code_verifier");
    let pkce = match (&issued.auth.code_challenge, verifier) {
        // PKCE downgrade (RFC 9700 §2.1.1): an attacker who stripped the code_challenge from the
        // authorization request must not get a stolen code redeemed by a client that sends its
        // verifier. Any code_verifier, even an empty one, shows the client meant to use PKCE.
        (None, Some(_)) => Err("code_verifier sent, but the authorization request had no code_challenge: refused \
             as a possible PKCE downgrade (RFC 9700 §2.1.1); send code_challenge when authorizing, or no code_verifier"
            .to_string()),
        (None, None) => Ok(()),
        (Some(_), None) => {
            Err("code_verifier is required: the authorization request had a code_challenge (RFC 7636 §4.5)".into())
        }
        (Some(challenge), Some(v)) => {
            let method = issued.auth.code_challenge_method.as_deref().unwrap_or("plain");
            if pkce_ok(method, challenge, v) {
                Ok(())
            } else {
                Err(format!("PKCE verification failed: the code_verifier does not match the {method} code_challenge"))
            }
        }
    };
    // `pkce-not-enforced`: whatever the verifier, or none.
    if let Err(why) = pkce
        && !state.trainer.is_on(Switch::PkceNotEnforced)
    {
        return bad(&why);
    }
    issue(state, client.client_id, &issued.sub, &issued.auth.scopes, issued.auth.nonce.as_deref(), None, None)
}

fn refresh_token(state: &Shared, client: &DemoClient, form: &HashMap<String, String>) -> Response {
    let token = form.get("refresh_token").cloned().unwrap_or_default();
    let record = {
        let mut grants = state.grants.lock().unwrap();
        // Reuse detection (RFC 9700 §4.14.2): a rotated refresh token presented again means it
        // leaked; every token of its grant is revoked, the legitimate client's included.
        let replayed = grants.tokens.get(&token).filter(|r| r.rotated).and_then(|r| r.family.clone());
        if let Some(family) = replayed {
            for t in grants.tokens.values_mut().filter(|t| t.family.as_deref() == Some(&family)) {
                t.active = false;
            }
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "refresh token reuse detected: it was already rotated, so every token of this grant is revoked \
                 (RFC 9700 §4.14.2)",
            );
        }
        let Some(rec) = grants.active(&token).filter(|r| r.kind == "refresh_token").cloned() else {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "the refresh token is unknown, revoked or expired",
            );
        };
        if rec.client_id != client.client_id {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "the refresh token was issued to another client",
            );
        }
        // Rotation (RFC 9700 §4.14.2): the used refresh token stops working — unless the
        // trainer's `refresh-not-rotated` keeps it.
        if !state.trainer.is_on(Switch::RefreshNotRotated)
            && let Some(r) = grants.tokens.get_mut(&token)
        {
            r.active = false;
            r.rotated = true;
        }
        rec
    };
    let keep = state.trainer.is_on(Switch::RefreshNotRotated).then_some(token.as_str());
    let scopes = match form.get("scope").filter(|s| !s.trim().is_empty()) {
        Some(req) => {
            let asked: Vec<String> = req.split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect();
            if let Some(extra) = asked.iter().find(|s| !record.scopes.contains(s)) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    &format!("scope {extra:?} was not granted originally"),
                );
            }
            asked
        }
        None => record.scopes.clone(),
    };
    issue(state, client.client_id, &record.sub, &scopes, None, keep, record.family.as_deref())
}

fn device_code(state: &Shared, client: &DemoClient, form: &HashMap<String, String>) -> Response {
    let code = form.get("device_code").cloned().unwrap_or_default();
    let err = |e: &str, d: &str| oauth_error(StatusCode::BAD_REQUEST, e, d);
    let (sub, scopes) = {
        let mut grants = state.grants.lock().unwrap();
        let Some(dev) = grants.devices.get_mut(&code) else {
            return err("invalid_grant", "unknown device_code");
        };
        if dev.client_id != client.client_id {
            return err("invalid_grant", "the device_code was issued to another client");
        }
        if dev.expires_at <= now() {
            return err("expired_token", "the device code expired before the user approved it");
        }
        let too_soon = dev.last_poll.is_some_and(|t| t.elapsed().as_secs_f64() < dev.interval as f64 - 0.2);
        // `device-slow-down`: the first poll is told to slow down, however well it kept time.
        let first = dev.last_poll.is_none();
        dev.last_poll = Some(std::time::Instant::now());
        if too_soon || (first && state.trainer.is_on(Switch::DeviceSlowDown)) {
            dev.interval += 5;
            return err("slow_down", &format!("polling too fast; wait {} s between requests", dev.interval));
        }
        match dev.status.clone() {
            DeviceStatus::Pending => return err("authorization_pending", "the user has not finished yet"),
            DeviceStatus::Denied => return err("access_denied", "the user denied the request"),
            DeviceStatus::Used => return err("invalid_grant", "the device code was already used"),
            DeviceStatus::Approved(sub) => {
                dev.status = DeviceStatus::Used;
                (sub, dev.scopes.clone())
            }
        }
    };
    issue(state, client.client_id, &sub, &scopes, None, None, None)
}
