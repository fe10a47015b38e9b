//! A step records one exchange of a flow: an HTTP request and its response exactly as they went
//! over the wire, or a local action ("PKCE verifier generated", "state compared"). The values in it
//! that are secrets are listed in `secrets`, so every front can redact them the same way.

use serde::{Deserialize, Serialize};

use crate::error::FlowError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    #[default]
    Ok,
    Warning,
    Failed,
}

/// What a step is, for the diagram, the timeline and folding (never guessed from its title).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum StepCategory {
    /// A request the app sent and the response it got.
    #[default]
    HttpExchange,
    /// The user's browser sent somewhere: the authorization request, the callback.
    Redirect,
    /// A page or redirect the in-app browser went through.
    BrowserNavigation,
    /// The app judging what came: state, issuer, nonce, PKCE, token checks.
    Checks,
    /// One poll of the device flow's token endpoint (see `Step::poll`).
    DevicePoll,
    /// Something the user was asked to do: open a URL, enter a code.
    UserAction,
    /// A value the app made: a PKCE verifier, a state, a nonce.
    GeneratedValue,
}

/// The parties of a flow, the lanes of its sequence diagram.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// The user and their browser (system or in-app).
    Browser,
    /// OAuth Flow Inspector, acting as the client.
    #[default]
    App,
    /// The authorization server / OpenID provider (discovery, token, device, userinfo, JWKS…).
    AuthorizationServer,
    /// The API the access token is for.
    ResourceApi,
    /// Someone the flow must not trust (an attack demo's attacker: a malicious app, issuer or API).
    Attacker,
}

/// Who talks to whom in a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Lanes {
    pub from: Lane,
    pub to: Lane,
}

impl Lanes {
    pub const fn new(from: Lane, to: Lane) -> Self {
        Self { from, to }
    }
    /// The app and the authorization server: most exchanges.
    pub const APP_TO_AS: Lanes = Lanes::new(Lane::App, Lane::AuthorizationServer);
    /// A step inside the app: a check, a generated value.
    pub const APP: Lanes = Lanes::new(Lane::App, Lane::App);
}

impl Default for Lanes {
    fn default() -> Self {
        Lanes::APP_TO_AS
    }
}

/// One poll of the device flow: its number (from 1) and what the server answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DevicePoll {
    pub number: u32,
    /// `authorization_pending`, `slow_down`, `access_denied`, `expired_token`, `tokens`, …
    pub answer: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
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
    /// Set when the user edited the request at the gate before it was sent: what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<crate::gate::RequestEdit>,
    #[serde(default)]
    pub category: StepCategory,
    #[serde(default)]
    pub lanes: Lanes,
    /// For a device poll: its number and the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<DevicePoll>,
}

/// An HTTP answer at least this slow marks its step as a warning.
pub const SLOW_ANSWER_MS: u64 = 5000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
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

impl Default for StepKind {
    fn default() -> Self {
        StepKind::Local { details: serde_json::Value::Null }
    }
}

impl Step {
    /// A local step (no HTTP): a check by default; see `category` and `lanes` for others.
    pub fn local(title: impl Into<String>, status: StepStatus, details: serde_json::Value) -> Step {
        Step {
            at_ms: crate::now_ms(),
            title: title.into(),
            status,
            kind: StepKind::Local { details },
            category: StepCategory::Checks,
            lanes: Lanes::APP,
            ..Default::default()
        }
    }

    /// An HTTP exchange from the app to the authorization server (see `lanes` for others).
    /// `outcome` is the flow's verdict on it: an error marks it failed.
    pub fn http(
        title: impl Into<String>,
        exchange: &crate::http::Exchange,
        secrets: Vec<SecretMark>,
        outcome: Result<(), &FlowError>,
    ) -> Step {
        let (response, transport_error) = match &exchange.response {
            Ok(r) => (Some(r.clone()), None),
            Err(e) => (None, Some(e)),
        };
        let error = outcome.err().or(transport_error).cloned();
        let mut title = title.into();
        let mut status = if error.is_some() { StepStatus::Failed } else { StepStatus::Ok };
        // A slow answer is worth a look even when it succeeds (an overloaded provider, a
        // timeout waiting to happen): marked, never failed.
        if let Some(r) = response.as_ref().filter(|r| r.elapsed_ms >= SLOW_ANSWER_MS && status == StepStatus::Ok) {
            status = StepStatus::Warning;
            title = format!("{title} (slow: answered after {:.1} s)", r.elapsed_ms as f64 / 1000.0);
        }
        Step {
            at_ms: exchange.started_ms,
            title,
            status,
            kind: StepKind::Http { request: exchange.request.clone(), response },
            error,
            secrets,
            edited: exchange.edit.clone(),
            category: StepCategory::HttpExchange,
            lanes: Lanes::APP_TO_AS,
            poll: None,
            seq: 0,
        }
    }

    pub fn category(mut self, category: StepCategory) -> Step {
        self.category = category;
        self
    }

    pub fn lanes(mut self, from: Lane, to: Lane) -> Step {
        self.lanes = Lanes::new(from, to);
        self
    }

    pub fn secrets(mut self, secrets: Vec<SecretMark>) -> Step {
        self.secrets = secrets;
        self
    }

    /// Steps saved before steps had categories: a local one was a check.
    pub fn normalize_legacy(&mut self, had_category: bool) {
        if !had_category && matches!(self.kind, StepKind::Local { .. }) {
            self.category = StepCategory::Checks;
            self.lanes = Lanes::APP;
        }
    }

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
            category: StepCategory::HttpExchange,
            lanes: Lanes::APP_TO_AS,
            poll: Some(DevicePoll { number: 2, answer: "slow_down".into() }),
            edited: None,
        }
    }

    #[test]
    fn step_round_trips_through_json() {
        let step = http_step();
        let json = serde_json::to_value(&step).unwrap();
        assert_eq!(json["kind"], "http");
        assert_eq!(json["category"], "http_exchange");
        assert_eq!(json["lanes"], serde_json::json!({"from": "app", "to": "authorization_server"}));
        let back: Step = serde_json::from_value(json).unwrap();
        assert_eq!(back, step);
    }

    #[test]
    fn a_step_saved_before_categories_reads_as_a_check_when_local() {
        let old = serde_json::json!({"seq": 1, "at_ms": 0, "title": "State compared", "status": "ok", "kind": "local", "details": {}});
        let mut step: Step = serde_json::from_value(old).unwrap();
        step.normalize_legacy(false);
        assert_eq!((step.category, step.lanes), (StepCategory::Checks, Lanes::APP));
    }
}
