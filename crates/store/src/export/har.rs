//! HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): one page per session, one entry per
//! HTTP step, local steps (checks, generated values) listed in the page comment. A step without a
//! response (connection refused, timeout) gets status 0, as browsers export it. Leaves out cookies
//! as parsed objects (their headers are kept, redacted) and timings finer than "wait".

use inspector_engine::step::{HttpRequest, HttpResponse, StepKind};
use serde_json::{Value, json};

use super::header;
use crate::SessionRecord;
use crate::time::iso8601;

fn pairs(list: &[(String, String)]) -> Vec<Value> {
    list.iter().map(|(n, v)| json!({"name": n, "value": v})).collect()
}

fn status_text(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

fn request(r: &HttpRequest) -> Value {
    let query: Vec<Value> = url::Url::parse(&r.url)
        .map(|u| u.query_pairs().map(|(k, v)| json!({"name": k, "value": v})).collect())
        .unwrap_or_default();
    let mut out = json!({
        "method": r.method,
        "url": r.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": pairs(&r.headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": r.body.as_ref().map_or(0, |b| b.len() as i64),
    });
    if let Some(body) = &r.body {
        let mime = header(&r.headers, "content-type").unwrap_or("application/x-www-form-urlencoded");
        let mut post = json!({"mimeType": mime, "text": body});
        if mime.starts_with("application/x-www-form-urlencoded") {
            post["params"] =
                url::form_urlencoded::parse(body.as_bytes()).map(|(k, v)| json!({"name": k, "value": v})).collect();
        }
        out["postData"] = post;
    }
    out
}

fn response(r: Option<&HttpResponse>) -> Value {
    match r {
        Some(r) => json!({
            "status": r.status,
            "statusText": status_text(r.status),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": pairs(&r.headers),
            "content": {"size": r.body.len(), "mimeType": r.content_type().unwrap_or("x-unknown"), "text": r.body},
            "redirectURL": r.header("location").unwrap_or(""),
            "headersSize": -1,
            "bodySize": r.body.len(),
        }),
        None => json!({
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": "x-unknown"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        }),
    }
}

pub fn render(rec: &SessionRecord) -> Value {
    let s = &rec.summary;
    let page_id = format!("session_{}", s.id);
    let mut entries = Vec::new();
    let mut local = Vec::new();
    for step in &rec.steps {
        match &step.kind {
            StepKind::Http { request: req, response: resp } => {
                let elapsed = resp.as_ref().map_or(0, |r| r.elapsed_ms) as f64;
                let mut comment = format!("#{} {} — {}", step.seq, step.title, super::status_word(step.status));
                if let Some(e) = &step.error {
                    comment.push_str(&format!(": {}", e.message));
                }
                entries.push(json!({
                    "pageref": page_id,
                    "startedDateTime": iso8601(step.at_ms),
                    "time": elapsed,
                    "request": request(req),
                    "response": response(resp.as_ref()),
                    "cache": {},
                    "timings": {"send": 0, "wait": elapsed, "receive": 0},
                    "comment": comment,
                }));
            }
            StepKind::Local { .. } => local.push(format!("#{} {}", step.seq, step.title)),
        }
    }
    let redaction = if rec.redacted {
        "secrets, token signatures, codes, verifiers, assertions and cookies are replaced by <redacted:label> markers"
    } else {
        "NOT REDACTED: contains secrets and live tokens"
    };
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "OAuth Flow Inspector", "version": env!("CARGO_PKG_VERSION")},
            "pages": [{
                "startedDateTime": iso8601(s.started_ms),
                "id": page_id,
                "title": s.title,
                "pageTimings": {},
                "comment": format!("{} flow against {}, outcome {}. Local steps: {}", s.flow, s.provider, s.outcome,
                    if local.is_empty() { "none".into() } else { local.join("; ") }),
            }],
            "entries": entries,
            "comment": format!("Session {} exported by OAuth Flow Inspector; {redaction}.", s.id),
        }
    })
}
