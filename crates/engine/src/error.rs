//! The one error type of the engine. It crosses every boundary (CLI line, IPC, database) as
//! `{code, message}`: fronts switch on `code`, people read `message`, which always says what was
//! expected and what came.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The arguments of a flow are incomplete or contradictory.
    InvalidInput,
    /// TCP/TLS/DNS failure: nothing came back.
    ConnectionFailed,
    /// No complete response within the configured time.
    Timeout,
    /// A status other than the one the protocol expects (e.g. 404 for discovery).
    UnexpectedStatus,
    /// A body that is not JSON where JSON was expected (e.g. an HTML error page).
    NotJson,
    /// JSON of the wrong shape, or a required member missing.
    MissingField,
    /// The server answered with an OAuth error object (`invalid_client`, ...).
    OauthError,
    /// The discovery document names another issuer than the one asked for.
    IssuerMismatch,
    /// The `state` of an authorization response is not the one sent (RFC 6749 §10.12).
    StateMismatch,
    /// The ID token's `nonce` is not the one sent (OIDC Core §3.1.3.7).
    NonceMismatch,
    /// A time limit of the protocol passed: a device code or login that expired.
    Expired,
    /// More redirects than a sane server sends, or a redirect back to a visited URL.
    RedirectLoop,
    /// The user aborted a request held at the gate (step-through mode).
    Aborted,
    /// A response body over the client's size cap; reading stopped there.
    BodyTooLarge,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, ts_rs::TS)]
#[error("{message}")]
pub struct FlowError {
    pub code: ErrorCode,
    pub message: String,
    /// For `oauth_error`: the server's `error`, `error_description`, `error_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OauthErrorBody>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OauthErrorBody {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
}

impl FlowError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), oauth: None }
    }
}
