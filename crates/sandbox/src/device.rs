//! Device authorization (RFC 8628): the device endpoint, and the verification pages where a
//! person enters the user code, signs in and consents. Polling lives in the token endpoint.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::Shared;
use crate::grants::{DeviceRecord, DeviceStatus, new_user_code, normalize_user_code, now, random_token};
use crate::pages;
use crate::token::{authenticate, oauth_error};

const DEVICE_TTL: u64 = 600;
/// Shorter than RFC 8628's default of 5 s so demos and tests do not drag.
pub const POLL_INTERVAL: u64 = 2;

pub async fn device_authorization(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let client = match authenticate(&state, &headers, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !client.grant_types.contains(&"urn:ietf:params:oauth:grant-type:device_code") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            &format!("{} may not use the device flow", client.client_id),
        );
    }
    let scopes: Vec<String> = form
        .get("scope")
        .map(|s| s.split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    if let Some(bad) = scopes.iter().find(|s| !client.scopes.contains(&s.as_str())) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("scope {bad:?} is not allowed for {}", client.client_id),
        );
    }
    let device_code = random_token(32);
    let user_code = new_user_code();
    state.grants.lock().unwrap().devices.insert(
        device_code.clone(),
        DeviceRecord {
            client_id: client.client_id.into(),
            user_code: user_code.clone(),
            scopes,
            expires_at: now() + DEVICE_TTL,
            interval: POLL_INTERVAL,
            last_poll: None,
            status: DeviceStatus::Pending,
            username: None,
        },
    );
    let uri = format!("{}/device", state.issuer);
    axum::Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": uri,
        "verification_uri_complete": format!("{uri}?user_code={user_code}"),
        "expires_in": DEVICE_TTL,
        "interval": POLL_INTERVAL,
    }))
    .into_response()
}

pub async fn entry_page(Query(q): Query<HashMap<String, String>>) -> Html<String> {
    Html(pages::device_entry("/device", q.get("user_code").map(String::as_str).unwrap_or(""), None))
}

pub async fn enter_code(State(state): State<Shared>, Form(f): Form<HashMap<String, String>>) -> Response {
    let code = f.get("user_code").cloned().unwrap_or_default();
    let username =
        f.get("username").map(|u| u.trim().to_string()).filter(|u| !u.is_empty()).unwrap_or_else(|| "alice".into());
    let mut grants = state.grants.lock().unwrap();
    let Some((_, dev)) = grants.device_by_user_code(&code) else {
        return (
            StatusCode::BAD_REQUEST,
            Html(pages::device_entry(
                "/device",
                &code,
                Some("That code is not known. Check the device and try again."),
            )),
        )
            .into_response();
    };
    if dev.status != DeviceStatus::Pending || dev.expires_at <= now() {
        return (
            StatusCode::BAD_REQUEST,
            Html(pages::message("Code already used or expired", "Start again on your device.")),
        )
            .into_response();
    }
    dev.username = Some(username.clone());
    let action = format!("/device/{}/consent", normalize_user_code(&dev.user_code));
    Html(pages::consent(&action, &dev.client_id, &username, &dev.scopes)).into_response()
}

pub async fn consent(
    State(state): State<Shared>,
    Path(code): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let mut grants = state.grants.lock().unwrap();
    let Some((_, dev)) = grants.device_by_user_code(&code) else {
        return (StatusCode::BAD_REQUEST, Html(pages::message("Unknown code", "Start again on your device.")))
            .into_response();
    };
    if dev.status != DeviceStatus::Pending {
        return (StatusCode::BAD_REQUEST, Html(pages::message("Code already used", "Start again on your device.")))
            .into_response();
    }
    if f.get("decision").map(String::as_str) == Some("allow") {
        dev.status = DeviceStatus::Approved(dev.username.clone().unwrap_or_else(|| "alice".into()));
        Html(pages::message("Device connected", "You can return to your device.")).into_response()
    } else {
        dev.status = DeviceStatus::Denied;
        Html(pages::message("Access denied", "The device was not connected.")).into_response()
    }
}
