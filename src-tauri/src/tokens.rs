//! Token and Diagnose views: thin commands over inspector-token. "Send this request" replays a
//! pasted request through the engine's recording client, so what is diagnosed is the real answer.

use std::time::Duration;

use inspector_engine::http::HttpClient;
use inspector_engine::step::HttpRequest;
use inspector_token::http::{Request, parse_request, parse_response};
use inspector_token::{Diagnosis, JwksSource, KeySource, Options, Report, Secret};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::commands::{AppState, CommandError};

fn words(s: &Option<String>) -> Vec<String> {
    s.as_deref().unwrap_or("").split_whitespace().map(str::to_string).collect()
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn keys(issuer: &Option<String>, jwks_url: &Option<String>, secret: &Option<String>) -> KeySource {
    KeySource {
        jwks: nonempty(jwks_url).map(JwksSource::Url).or_else(|| nonempty(issuer).map(JwksSource::Issuer)),
        secret: nonempty(secret).map(Secret::new),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectRequest {
    token: String,
    issuer: Option<String>,
    jwks_url: Option<String>,
    secret: Option<String>,
    expected_issuer: Option<String>,
    audience: Option<String>,
    scope: Option<String>,
    nonce: Option<String>,
    access_token: Option<String>,
    client_id: Option<String>,
}

#[tauri::command]
pub async fn inspect_token(state: State<'_, AppState>, request: InspectRequest) -> Result<Report, CommandError> {
    let opts = Options {
        // As in the CLI: an issuer to discover keys from is also the issuer expected.
        expected_issuer: nonempty(&request.expected_issuer).or_else(|| nonempty(&request.issuer)),
        audiences: words(&request.audience),
        scopes: words(&request.scope),
        nonce: nonempty(&request.nonce),
        access_token: nonempty(&request.access_token).map(Secret::new),
        client_id: nonempty(&request.client_id),
        ..Options::default()
    };
    let keys = keys(&request.issuer, &request.jwks_url, &request.secret);
    inspector_token::inspect(request.token.trim(), &keys, &opts, &state.jwks).await.map_err(|e| CommandError::new("inspect_failed", e.to_string()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnoseRequest {
    /// A raw HTTP/1.1 request or a curl command.
    request: String,
    /// The raw response; when empty, the request is sent and its real response diagnosed.
    response: Option<String>,
    issuer: Option<String>,
    jwks_url: Option<String>,
    audience: Option<String>,
}

#[derive(Serialize)]
pub struct DiagnoseResult {
    diagnosis: Diagnosis,
    /// The response that was diagnosed, as raw HTTP (the one received when the request was sent).
    response: String,
}

#[tauri::command]
pub async fn diagnose_call(state: State<'_, AppState>, request: DiagnoseRequest) -> Result<DiagnoseResult, CommandError> {
    let req = parse_request(&request.request).map_err(|e| CommandError::new("bad_request_text", e.to_string()))?;
    let raw_response = match nonempty(&request.response) {
        Some(r) => r,
        None => send(&req).await?,
    };
    let resp = parse_response(&raw_response).map_err(|e| CommandError::new("bad_response_text", e.to_string()))?;
    let opts = inspector_token::diagnose::DiagnoseOptions {
        keys: keys(&request.issuer, &request.jwks_url, &None),
        expected_issuer: nonempty(&request.issuer),
        audiences: words(&request.audience),
        now: None,
        leeway: 60,
    };
    let diagnosis = inspector_token::diagnose(&req, &resp, &opts, &state.jwks).await.map_err(|e| CommandError::new("diagnose_failed", e.to_string()))?;
    Ok(DiagnoseResult { diagnosis, response: raw_response })
}

/// Sends a pasted request as it is and returns the answer as raw HTTP.
async fn send(req: &Request) -> Result<String, CommandError> {
    let url = if req.target.starts_with("http://") || req.target.starts_with("https://") {
        req.target.clone()
    } else {
        let host = req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")).map(|(_, v)| v.clone()).ok_or_else(|| {
            CommandError::new("bad_request_text", "to send a request with a path as its target, it needs a Host header")
        })?;
        let scheme = if host.starts_with("127.0.0.1") || host.starts_with("localhost") { "http" } else { "https" };
        format!("{scheme}://{host}{}", req.target)
    };
    let headers = req.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host") && !k.eq_ignore_ascii_case("content-length")).cloned().collect();
    let body = (!req.body.is_empty()).then(|| req.body.clone());
    let ex = HttpClient::new(Duration::from_secs(30)).send(HttpRequest { method: req.method.clone(), url, headers, body }).await;
    let resp = ex.response.map_err(CommandError::from)?;
    let mut raw = format!("HTTP/1.1 {}\r\n", resp.status);
    for (k, v) in &resp.headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    raw.push_str(&resp.body);
    Ok(raw)
}
