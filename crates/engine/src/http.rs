//! The recording HTTP client: the one sender every request of every flow goes through. It holds a
//! request at the gate when there is one (the flow publishes it as pending and waits for send,
//! send edited, or abort), sends exactly the request decided on, never follows a redirect by
//! itself (each redirect must be a step the user sees), and keeps the whole response, whatever
//! its status or content type, so a failed exchange can still be shown byte for byte.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::{ErrorCode, FlowError};
use crate::event::{FlowEvent, Recorder};
use crate::gate::{Gate, GateDecision, PendingRequest, RequestEdit};
use crate::step::{HttpRequest, HttpResponse, SecretMark};

/// Largest body kept from a response; an inspector shows protocol messages, not downloads.
const MAX_BODY: usize = 2 * 1024 * 1024;
pub const USER_AGENT: &str = concat!("oauth-flow-inspector/", env!("CARGO_PKG_VERSION"));

#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    timeout: Duration,
    body_limit: usize,
    gate: Option<Arc<dyn Gate>>,
    next_pending: Arc<AtomicU64>,
}

/// One request and what came of it.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub started_ms: i64,
    /// The request as sent (after an edit at the gate, the edited one).
    pub request: HttpRequest,
    pub response: Result<HttpResponse, FlowError>,
    /// What the user changed at the gate before it went, if anything.
    pub edit: Option<RequestEdit>,
}

impl HttpClient {
    pub fn new(timeout: Duration) -> Self {
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .build()
            .expect("a client with static settings always builds");
        Self { inner, timeout, body_limit: MAX_BODY, gate: None, next_pending: Arc::default() }
    }

    /// The same client, refusing response bodies larger than `limit` bytes (default 2 MiB): the
    /// read stops there, so an endless body cannot fill memory or hold a flow up.
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// The same client, holding every request at `gate` before it goes.
    pub fn with_gate(mut self, gate: Arc<dyn Gate>) -> Self {
        self.gate = Some(gate);
        self
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn get(url: &str) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            url: url.into(),
            headers: vec![("accept".into(), "application/json".into()), ("user-agent".into(), USER_AGENT.into())],
            body: None,
        }
    }

    /// A POST of `application/x-www-form-urlencoded` parameters, encoded here so the step shows
    /// the exact bytes sent.
    pub fn post_form(url: &str, params: &[(&str, &str)], extra_headers: Vec<(String, String)>) -> HttpRequest {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        let mut headers = vec![
            ("accept".into(), "application/json".into()),
            ("content-type".into(), "application/x-www-form-urlencoded".into()),
            ("user-agent".into(), USER_AGENT.into()),
        ];
        headers.extend(extra_headers);
        HttpRequest { method: "POST".into(), url: url.into(), headers, body: Some(body) }
    }

    /// Sends `request` — first held at the gate, if there is one, and published on `rec` as
    /// pending. `secrets` are the secrets in it; after an edit they are marked again.
    pub async fn send(&self, rec: &Recorder, request: HttpRequest, secrets: &mut Vec<SecretMark>) -> Exchange {
        let mut request = request;
        let mut edit = None;
        if let Some(gate) = &self.gate {
            let pending = PendingRequest {
                id: self.next_pending.fetch_add(1, Ordering::SeqCst) + 1,
                request,
                secrets: secrets.clone(),
            };
            rec.emit(FlowEvent::Pending(pending.clone()));
            match gate.decide(&pending).await {
                GateDecision::Send => request = pending.request,
                GateDecision::SendEdited(sent) => {
                    let e = RequestEdit::between(&pending.request, &sent);
                    *secrets = crate::gate::remark(&sent, std::mem::take(secrets));
                    request = sent;
                    edit = (!e.is_empty()).then_some(e);
                }
                GateDecision::Abort => {
                    let what = format!("{} {}", pending.request.method, pending.request.url);
                    return Exchange {
                        started_ms: crate::now_ms(),
                        request: pending.request,
                        response: Err(FlowError::new(
                            ErrorCode::Aborted,
                            format!("{what}: aborted at the gate before it was sent; nothing went to the server"),
                        )),
                        edit: None,
                    };
                }
            }
        }
        let started_ms = crate::now_ms();
        let response = self.send_inner(&request).await;
        Exchange { started_ms, request, response, edit }
    }

    async fn send_inner(&self, req: &HttpRequest) -> Result<HttpResponse, FlowError> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| FlowError::new(ErrorCode::InvalidInput, format!("invalid HTTP method {:?}", req.method)))?;
        let url = reqwest::Url::parse(&req.url).map_err(|e| {
            FlowError::new(ErrorCode::InvalidInput, format!("expected an absolute http(s) URL, got {:?}: {e}", req.url))
        })?;
        let mut builder = self.inner.request(method, url).timeout(self.timeout);
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        if let Some(b) = &req.body {
            builder = builder.body(b.clone());
        }
        let start = Instant::now();
        let what = format!("{} {}", req.method, req.url);
        let mut resp = builder.send().await.map_err(|e| transport_error(&what, self.timeout, &e))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let limit = self.body_limit;
        let too_large = |detail: String| {
            FlowError::new(
                ErrorCode::BodyTooLarge,
                format!("{what}: the body is {detail}; an inspector reads protocol messages, not downloads"),
            )
        };
        if let Some(len) = resp.content_length().filter(|&l| l > limit as u64) {
            return Err(too_large(format!(
                "{len} bytes (Content-Length), larger than the {limit}-byte ({}) cap; not read",
                human_size(limit)
            )));
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > limit {
                        let read = body.len() + chunk.len();
                        return Err(too_large(format!(
                            "larger than the {limit}-byte ({}) cap; stopped reading after {read} bytes",
                            human_size(limit)
                        )));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(transport_error(&what, self.timeout, &e)),
            }
        }
        Ok(HttpResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            elapsed_ms: start.elapsed().as_millis() as u64,
        })
    }
}

/// "2 MiB", "512 KiB", or bytes.
fn human_size(n: usize) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

fn transport_error(what: &str, timeout: Duration, e: &reqwest::Error) -> FlowError {
    if e.is_timeout() {
        return FlowError::new(
            ErrorCode::Timeout,
            format!("{what}: expected a response within {} ms, got none (timed out)", timeout.as_millis()),
        );
    }
    // The root cause ("Connection refused") is at the bottom of the source chain.
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    FlowError::new(ErrorCode::ConnectionFailed, format!("{what}: could not connect: {cause}"))
}

/// "HTTP 200, text/html, body starts: <!doctype html>…" — what came, for error messages.
pub fn describe(resp: &HttpResponse) -> String {
    let ct = resp.content_type().unwrap_or("no content type");
    let trimmed = resp.body.trim();
    if trimmed.is_empty() {
        return format!("HTTP {}, {ct}, empty body", resp.status);
    }
    let head: String = trimmed.chars().take(80).collect();
    let more = if trimmed.chars().count() > 80 { "…" } else { "" };
    format!("HTTP {}, {ct}, body starts: {:?}{more}", resp.status, head)
}

/// Parses a response body that must be a JSON object; says what came when it is not.
pub fn json_object(resp: &HttpResponse, what: &str) -> Result<serde_json::Map<String, serde_json::Value>, FlowError> {
    match serde_json::from_str::<serde_json::Value>(&resp.body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(other) => Err(FlowError::new(
            ErrorCode::NotJson,
            format!("{what}: expected a JSON object, got a JSON {} ({})", json_kind(&other), describe(resp)),
        )),
        Err(_) => Err(FlowError::new(
            ErrorCode::NotJson,
            format!("{what}: expected JSON (application/json), got {}", describe(resp)),
        )),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
