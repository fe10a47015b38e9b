//! A step records one exchange of a flow: an HTTP request and its response exactly as they went
//! over the wire, or a local action ("PKCE verifier generated", "state compared"). The values in it
//! that are secrets are listed in `secrets`, so every front can redact them the same way.

use serde::{Deserialize, Serialize};

use crate::error::FlowError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Ok,
    Warning,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Position in the flow, from 1; assigned by the recorder.
    pub seq: u32,
    /// When the step started, Unix milliseconds.
    pub at_ms: i64,
    pub title: String,
    pub status: StepStatus,
    #[serde(flatten)]
    pub kind: StepKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<FlowError>,
    /// Secret values occurring in this step, with what they are ("client_secret", ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretMark>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    Http {
        request: HttpRequest,
        /// Absent when nothing came back (connection refused, timeout).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<HttpResponse>,
    },
    Local {
        /// Human-readable facts of the action, e.g. `{"expected": ..., "actual": ...}`.
        details: serde_json::Value,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub elapsed_ms: u64,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretMark {
    /// What the secret is: `client_secret`, `access_token`, `authorization_header`, ...
    pub label: String,
    pub value: String,
}

impl SecretMark {
    pub fn new(label: &str, value: impl Into<String>) -> Self {
        Self { label: label.to_string(), value: value.into() }
    }
}

impl Step {
    /// A copy with every secret value replaced by a labelled marker, and the marks emptied.
    /// This is what logs, terminals and default exports show.
    pub fn redacted(&self) -> Step {
        let mut marks = self.secrets.clone();
        // Longest first, so a secret contained in another is not half-replaced.
        marks.sort_by_key(|m| std::cmp::Reverse(m.value.len()));
        let scrub = |s: &str| -> String {
            marks
                .iter()
                .filter(|m| !m.value.is_empty())
                .fold(s.to_string(), |acc, m| acc.replace(&m.value, &format!("<redacted:{}>", m.label)))
        };
        let mut out = self.clone();
        out.secrets =
            self.secrets.iter().map(|m| SecretMark { label: m.label.clone(), value: String::new() }).collect();
        out.title = scrub(&out.title);
        match &mut out.kind {
            StepKind::Http { request, response } => {
                request.url = scrub(&request.url);
                for (_, v) in request.headers.iter_mut() {
                    *v = scrub(v);
                }
                request.body = request.body.as_deref().map(scrub);
                if let Some(r) = response {
                    for (_, v) in r.headers.iter_mut() {
                        *v = scrub(v);
                    }
                    r.body = scrub(&r.body);
                }
            }
            StepKind::Local { details } => {
                if let Ok(s) = serde_json::to_string(details) {
                    *details = serde_json::from_str(&scrub(&s)).unwrap_or(serde_json::Value::Null);
                }
            }
        }
        if let Some(e) = &mut out.error {
            e.message = scrub(&e.message);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http_step() -> Step {
        Step {
            seq: 1,
            at_ms: 0,
            title: "Token request".into(),
            status: StepStatus::Ok,
            kind: StepKind::Http {
                request: HttpRequest {
                    method: "POST".into(),
                    url: "http://127.0.0.1/token".into(),
                    headers: vec![("authorization".into(), "Basic c2VjcmV0".into())],
                    body: Some("grant_type=client_credentials&client_secret=s3cr%2Ft".into()),
                },
                response: Some(HttpResponse {
                    status: 200,
                    headers: vec![],
                    body: r#"{"access_token":"eyJ.abc.def"}"#.into(),
                    elapsed_ms: 3,
                }),
            },
            error: None,
            secrets: vec![
                SecretMark::new("authorization_header", "Basic c2VjcmV0"),
                SecretMark::new("client_secret", "s3cr%2Ft"),
                SecretMark::new("access_token", "eyJ.abc.def"),
            ],
        }
    }

    #[test]
    fn redaction_removes_every_marked_value() {
        let step = http_step();
        let json = serde_json::to_string(&step.redacted()).unwrap();
        for secret in ["c2VjcmV0", "s3cr%2Ft", "eyJ.abc.def"] {
            assert!(!json.contains(secret), "{secret} leaked in {json}");
        }
        assert!(json.contains("<redacted:client_secret>"));
        assert!(json.contains("<redacted:access_token>"));
        assert!(json.contains("grant_type=client_credentials"), "non-secrets stay: {json}");
    }

    #[test]
    fn step_round_trips_through_json() {
        let step = http_step();
        let json = serde_json::to_value(&step).unwrap();
        assert_eq!(json["kind"], "http");
        let back: Step = serde_json::from_value(json).unwrap();
        assert_eq!(back, step);
    }
}
