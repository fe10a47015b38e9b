//! "Send this request": a request the user wrote (raw HTTP/1.1 or a curl command) sent as it is
//! and its answer diagnosed. A saved session's token goes in as a placeholder,
//! `{{session:3:access_token}}`, which is replaced only here, as the request leaves; what comes
//! back (the response, the diagnosis) has the token replaced by the placeholder again, so the
//! front that wrote the request never holds the token.

use std::time::Duration;

use inspector_engine::http::HttpClient;
use inspector_engine::step::HttpRequest;
use inspector_token::api::DiagnoseInput;
use inspector_token::http::{Request, parse_request};
use inspector_token::{Diagnosis, JwksFetcher};
use serde::Serialize;

use crate::tokens::{TokenKind, token_error};
use crate::{AppError, Core};

const OPEN: &str = "{{session:";

/// The placeholder of a saved session's token in a request the user writes.
pub fn placeholder(session: i64, which: TokenKind) -> String {
    format!("{OPEN}{session}:{}}}}}", which.name())
}

/// A request with its placeholders replaced, and what to put back in anything shown.
pub struct Filled {
    pub text: String,
    /// (token, placeholder), longest token first.
    pub tokens: Vec<(String, String)>,
}

impl Filled {
    /// `text` with every substituted token replaced by its placeholder.
    pub fn hide(&self, text: &str) -> String {
        self.tokens.iter().fold(text.to_string(), |t, (token, ph)| t.replace(token.as_str(), ph))
    }

    fn hide_json(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = self.hide(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| self.hide_json(v)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|v| self.hide_json(v)),
            _ => {}
        }
    }
}

fn bad_placeholder(found: &str) -> AppError {
    AppError::usage(
        "invalid_input",
        format!("expected a placeholder {{{{session:ID:access_token|refresh_token|id_token}}}}, got {found:?}"),
    )
}

/// A diagnosis as a front may show it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Diagnosed {
    /// The diagnosis, with substituted tokens shown as their placeholders.
    pub diagnosis: serde_json::Value,
    /// The response diagnosed, as raw HTTP (the one received when the request was sent).
    pub response: String,
}

impl Core {
    /// Replaces each `{{session:ID:WHICH}}` in `text` with that saved session's token.
    pub async fn fill_placeholders(&self, text: &str) -> Result<Filled, AppError> {
        let mut out = String::with_capacity(text.len());
        let mut tokens = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(OPEN) {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let end = after.find("}}").ok_or_else(|| bad_placeholder(after.lines().next().unwrap_or(after)))?;
            let ph = &after[..end + 2];
            let inner = &ph[OPEN.len()..ph.len() - 2];
            let (id, which) = inner.split_once(':').ok_or_else(|| bad_placeholder(ph))?;
            let id: i64 = id.trim().parse().map_err(|_| bad_placeholder(ph))?;
            let which = TokenKind::from_name(which.trim()).map_err(|_| bad_placeholder(ph))?;
            let token = self.session_token(id, which).await?;
            out.push_str(token.expose());
            tokens.push((token.expose().to_string(), placeholder(id, which)));
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        tokens.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        tokens.dedup();
        Ok(Filled { text: out, tokens })
    }

    /// Sends `text` (placeholders filled) exactly as written and returns the answer as raw HTTP,
    /// with the substituted tokens shown as their placeholders.
    pub async fn send_request(&self, text: &str) -> Result<String, AppError> {
        let filled = self.fill_placeholders(text).await?;
        let req = parse_request(&filled.text).map_err(token_error)?;
        Ok(filled.hide(&send(&req).await?))
    }

    /// Diagnoses a failing call. `response` empty: the request is sent and its real answer
    /// diagnosed. Substituted tokens are inspected, but shown only as their placeholders.
    pub async fn diagnose(
        &self,
        request: &str,
        response: Option<&str>,
        input: &DiagnoseInput,
        fetcher: &JwksFetcher,
    ) -> Result<Diagnosed, AppError> {
        let filled = self.fill_placeholders(request).await?;
        let response = match response.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => r.to_string(),
            None => send(&parse_request(&filled.text).map_err(token_error)?).await?,
        };
        let diagnosis: Diagnosis =
            inspector_token::api::diagnose_text(&filled.text, &response, input, fetcher).await.map_err(token_error)?;
        let mut diagnosis = serde_json::to_value(&diagnosis).unwrap_or_default();
        // Same reason as `tokens::shown`: header, claims and signature would rebuild the token.
        if let Some(sig) = diagnosis.pointer_mut("/token/inspection/signature") {
            *sig = serde_json::Value::Null;
        }
        filled.hide_json(&mut diagnosis);
        Ok(Diagnosed { diagnosis, response: filled.hide(&response) })
    }
}

/// Sends a parsed request as it is and returns the answer as raw HTTP.
async fn send(req: &Request) -> Result<String, AppError> {
    let url = if req.target.starts_with("http://") || req.target.starts_with("https://") {
        req.target.clone()
    } else {
        let host =
            req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")).map(|(_, v)| v.clone()).ok_or_else(
                || {
                    AppError::usage(
                        "bad_request_text",
                        format!("to send a request whose target is a path ({}), it needs a Host header", req.target),
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
    let resp = ex.response.map_err(AppError::from)?;
    let mut raw = format!("HTTP/1.1 {}\r\n", resp.status);
    for (k, v) in &resp.headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    raw.push_str(&resp.body);
    Ok(raw)
}
