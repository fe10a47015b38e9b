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
    /// A copy redacted by the one redaction (`crate::redact`) with this step's own marks: what
    /// logs, terminals and default exports show. Across a session, use a `Redactor` that has
    /// seen every earlier step, as the store and the fronts do.
    pub fn redacted(&self) -> Step {
        crate::redact::step(self)
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
    fn step_round_trips_through_json() {
        let step = http_step();
        let json = serde_json::to_value(&step).unwrap();
        assert_eq!(json["kind"], "http");
        let back: Step = serde_json::from_value(json).unwrap();
        assert_eq!(back, step);
    }
}
