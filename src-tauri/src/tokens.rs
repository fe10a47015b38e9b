//! Token and Diagnose views: thin commands over inspector-token's `api`. "Send this request"
//! replays a pasted request through the engine's recording client, so what is diagnosed is the
//! real answer.

use std::time::Duration;

use inspector_engine::http::HttpClient;
use inspector_engine::step::HttpRequest;
use inspector_token::api::{self, DiagnoseInput, InspectInput};
use inspector_token::http::{Request, parse_request};
use inspector_token::{Diagnosis, Report};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::commands::{AppState, CommandError};

fn err(e: inspector_token::Error) -> CommandError {
    CommandError::new(e.code(), e.to_string())
}

#[tauri::command]
pub async fn inspect_token(state: State<'_, AppState>, request: InspectInput) -> Result<Report, CommandError> {
    api::inspect_token(&request, &state.jwks).await.map_err(err)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnoseRequest {
    /// A raw HTTP/1.1 request or a curl command.
    request: String,
    /// The raw response; when empty, the request is sent and its real response diagnosed.
    response: Option<String>,
    #[serde(flatten)]
    input: DiagnoseInput,
}

#[derive(Serialize)]
pub struct DiagnoseResult {
    diagnosis: Diagnosis,
    /// The response that was diagnosed, as raw HTTP (the one received when the request was sent).
    response: String,
}

#[tauri::command]
pub async fn diagnose_call(
    state: State<'_, AppState>,
    request: DiagnoseRequest,
) -> Result<DiagnoseResult, CommandError> {
    let response = match request.response.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => r.to_string(),
        None => send(&parse_request(&request.request).map_err(err)?).await?,
    };
    let diagnosis = api::diagnose_text(&request.request, &response, &request.input, &state.jwks).await.map_err(err)?;
    Ok(DiagnoseResult { diagnosis, response })
}

/// Sends a pasted request as it is and returns the answer as raw HTTP.
async fn send(req: &Request) -> Result<String, CommandError> {
    let url = if req.target.starts_with("http://") || req.target.starts_with("https://") {
        req.target.clone()
    } else {
        let host =
            req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")).map(|(_, v)| v.clone()).ok_or_else(
                || {
                    CommandError::new(
                        "bad_request_text",
                        "to send a request with a path as its target, it needs a Host header",
                    )
                },
            )?;
        let scheme = if host.starts_with("127.0.0.1") || host.starts_with("localhost") { "http" } else { "https" };
        format!("{scheme}://{host}{}", req.target)
    };
    let headers = req
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host") && !k.eq_ignore_ascii_case("content-length"))
        .cloned()
        .collect();
    let body = (!req.body.is_empty()).then(|| req.body.clone());
    // Not part of a flow: nobody subscribes to this recorder, and no gate holds the request.
    let ex = HttpClient::new(Duration::from_secs(30))
        .send(
            &inspector_engine::Recorder::new(),
            HttpRequest { method: req.method.clone(), url, headers, body },
            &mut Vec::new(),
        )
        .await;
    let resp = ex.response.map_err(CommandError::from)?;
    let mut raw = format!("HTTP/1.1 {}\r\n", resp.status);
    for (k, v) in &resp.headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    raw.push_str(&resp.body);
    Ok(raw)
}
