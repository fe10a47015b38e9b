//! The authorization endpoint (RFC 6749 §4.1) with its login and consent pages. Every client's
//! registered redirect URI is `http://127.0.0.1/callback` (or `localhost`, `[::1]`), matched
//! exactly but for the port, which may be any (RFC 8252 §7.3); the response carries `iss`
//! (RFC 9207). Errors that make the redirect URI untrustworthy are shown, never redirected.
//! Trainer switches loosen PKCE, redirect matching, `state` and `iss` here.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::Shared;
use crate::grants::{IssuedCode, PendingAuth, now, random_token};
use crate::pages;
use crate::trainer::Switch;

const CODE_TTL: u64 = 120;

/// The path of every client's registered redirect URI.
pub const REDIRECT_PATH: &str = "/callback";

/// The registered redirect URI on any port: http on 127.0.0.1, [::1] or localhost, path
/// [`REDIRECT_PATH`], no query or fragment.
pub fn is_registered_redirect(uri: &str) -> bool {
    match url::Url::parse(uri) {
        Ok(u) => {
            u.scheme() == "http"
                && matches!(u.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"))
                && u.path() == REDIRECT_PATH
                && u.query().is_none()
                && u.fragment().is_none()
        }
        Err(_) => false,
    }
}

/// Whether the sandbox takes `uri` as a redirect URI: the registered one, or with the trainer's
/// `any-redirect-uri` any absolute http(s) URL.
fn redirect_accepted(state: &Shared, uri: &str) -> bool {
    is_registered_redirect(uri)
        || (state.trainer.is_on(Switch::AnyRedirectUri)
            && url::Url::parse(uri).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
}

fn redirect_with(state: &Shared, redirect_uri: &str, params: &[(&str, &str)], client_state: Option<&str>) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(u) => u,
        Err(_) => {
            return (StatusCode::BAD_REQUEST, Html(pages::message("Invalid redirect URI", redirect_uri)))
                .into_response();
        }
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        if let Some(s) = client_state {
            // The trainer's `wrong-state` echoes another value (a forged or replayed response).
            let s = if state.trainer.is_on(Switch::WrongState) { "forged-by-the-trainer" } else { s };
            q.append_pair("state", s);
        }
        if !state.trainer.is_on(Switch::IssMissing) {
            q.append_pair("iss", &state.issuer);
        }
    }
    Redirect::to(url.as_str()).into_response()
}

fn error_page(status: StatusCode, title: &str, text: &str) -> Response {
    (status, Html(pages::message(title, text))).into_response()
}

pub async fn authorize(State(state): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
    let Some(client_id) = get("client_id") else {
        return error_page(StatusCode::BAD_REQUEST, "Missing client_id", "The authorization request has no client_id.");
    };
    let Some(client) = state.clients.iter().find(|c| c.client_id == client_id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Unknown client",
            &format!("No client {client_id:?} is registered here."),
        );
    };
    let Some(redirect_uri) = get("redirect_uri").filter(|r| redirect_accepted(&state, r)) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect_uri",
            &format!(
                "The registered redirect URI is http://127.0.0.1:PORT{REDIRECT_PATH} (any port, RFC 8252 §7.3); got {:?}.",
                get("redirect_uri").unwrap_or_default()
            ),
        );
    };
    let client_state = get("state");
    let fail = |error: &str, desc: &str| {
        redirect_with(&state, &redirect_uri, &[("error", error), ("error_description", desc)], client_state.as_deref())
    };
    if !client.grant_types.contains(&"authorization_code") {
        return fail("unauthorized_client", "this client may not use the authorization code flow");
    }
    if get("response_type").as_deref() != Some("code") {
        return fail("unsupported_response_type", "only response_type=code is supported");
    }
    let scopes: Vec<String> =
        get("scope").unwrap_or_default().split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect();
    if let Some(bad) = scopes.iter().find(|s| !client.scopes.contains(&s.as_str())) {
        return fail("invalid_scope", &format!("scope {bad:?} is not allowed for {client_id}"));
    }
    let method = get("code_challenge_method");
    let challenge = get("code_challenge");
    if client.client_secret.is_none() && challenge.is_none() && !state.trainer.is_on(Switch::PkceNotEnforced) {
        return fail(
            "invalid_request",
            "PKCE is required for public clients: send code_challenge (RFC 7636, RFC 9700 §2.1.1)",
        );
    }
    // A challenge without a method is plain (RFC 7636 §4.3).
    let effective = method.as_deref().unwrap_or("plain");
    if challenge.is_some() {
        match effective {
            "S256" => {}
            "plain" if state.trainer.is_on(Switch::PkcePlainAccepted) => {}
            "plain" => {
                return fail(
                    "invalid_request",
                    "code_challenge_method plain is refused: use S256 (RFC 9700 §2.1.1, RFC 7636 §4.2)",
                );
            }
            m => return fail("invalid_request", &format!("unsupported code_challenge_method {m:?}")),
        }
    }
    let id = random_token(16);
    let pending = PendingAuth {
        client_id: client_id.clone(),
        redirect_uri,
        scopes,
        state: client_state.clone(),
        nonce: get("nonce"),
        code_challenge: challenge,
        code_challenge_method: method.or(Some("plain".into())).filter(|_| q.contains_key("code_challenge")),
        username: None,
    };
    state.grants.lock().unwrap().pending.insert(id.clone(), pending);
    Html(pages::login(&format!("/interaction/{id}/login"), &client_id)).into_response()
}

pub async fn login(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let username =
        f.get("username").map(|u| u.trim().to_string()).filter(|u| !u.is_empty()).unwrap_or_else(|| "alice".into());
    let mut grants = state.grants.lock().unwrap();
    let Some(p) = grants.pending.get_mut(&id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Login expired",
            "This sign-in is unknown or already finished; start the flow again.",
        );
    };
    p.username = Some(username.clone());
    Html(pages::consent(&format!("/interaction/{id}/consent"), &p.client_id, &username, &p.scopes)).into_response()
}

pub async fn consent(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let pending = state.grants.lock().unwrap().pending.remove(&id);
    let Some(p) = pending else {
        return error_page(StatusCode::BAD_REQUEST, "Consent expired", "This request is unknown or already finished.");
    };
    if f.get("decision").map(String::as_str) != Some("allow") {
        return redirect_with(
            &state,
            &p.redirect_uri,
            &[("error", "access_denied"), ("error_description", "the user denied the request")],
            p.state.as_deref(),
        );
    }
    let code = random_token(24);
    let sub = p.username.clone().unwrap_or_else(|| "alice".into());
    let (redirect_uri, client_state) = (p.redirect_uri.clone(), p.state.clone());
    state.grants.lock().unwrap().codes.insert(code.clone(), IssuedCode { auth: p, sub, expires_at: now() + CODE_TTL });
    redirect_with(&state, &redirect_uri, &[("code", &code)], client_state.as_deref())
}
