//! The typed request of a run: every flow and token operation, every client authentication method,
//! an issuer or endpoints given by hand, `resource`/`audience`/extra parameters, a saved provider
//! and client, or a saved session to re-run or take a token from. The CLI builds it from flags,
//! the window sends it as JSON. One vocabulary: an operation's name is the flow name its sessions
//! are saved under.

use inspector_engine::Secret;
use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::Endpoints;
use inspector_engine::pkce::PkceMethod;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// RFC 6749 §4.4.
    #[default]
    ClientCredentials,
    /// RFC 6749 §4.1 with PKCE (RFC 7636), through a browser.
    AuthorizationCode,
    /// RFC 8628.
    DeviceCode,
    /// RFC 6749 §6.
    #[serde(rename = "refresh_token")]
    Refresh,
    /// RFC 7009.
    Revoke,
    /// RFC 7662.
    Introspect,
    /// OIDC Core §5.3.
    Userinfo,
}

impl Operation {
    pub const ALL: [Operation; 7] = [
        Operation::ClientCredentials,
        Operation::AuthorizationCode,
        Operation::DeviceCode,
        Operation::Refresh,
        Operation::Revoke,
        Operation::Introspect,
        Operation::Userinfo,
    ];

    /// The name sessions of this operation are saved under (`client_credentials`, `refresh_token`…).
    pub fn name(self) -> &'static str {
        match self {
            Operation::ClientCredentials => "client_credentials",
            Operation::AuthorizationCode => "authorization_code",
            Operation::DeviceCode => "device_code",
            Operation::Refresh => "refresh_token",
            Operation::Revoke => "revoke",
            Operation::Introspect => "introspect",
            Operation::Userinfo => "userinfo",
        }
    }

    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.name() == name)
    }

    /// Operations that act on a token given or taken from a session.
    pub fn takes_token(self) -> bool {
        matches!(self, Operation::Refresh | Operation::Revoke | Operation::Introspect | Operation::Userinfo)
    }
}

/// How the user gets through the login of an authorization-code run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Login {
    /// The system browser, back through the loopback listener.
    #[default]
    SystemBrowser,
    /// The app's own login window, which records every navigation; back through the loopback listener.
    InApp,
    /// The user pastes the URL the provider redirected to (a registered https redirect URI).
    Paste,
    /// Nothing is opened: the front shows the URL (CLI `--no-browser`); back through the listener.
    Print,
}

/// Everything a run can be asked to do. Absent fields are filled from the saved client
/// (`provider`/`client`), then from the saved session (`session`), then from defaults.
// Every field may be left out (`serde(default)`): the TypeScript type says so.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default, rename_all = "snake_case")]
#[ts(optional_fields)]
pub struct RunRequest {
    pub operation: Operation,
    /// A saved provider by name.
    pub provider: Option<String>,
    /// A saved client of `provider` (default: its only client).
    pub client: Option<String>,
    /// An issuer to discover endpoints from…
    pub issuer: Option<String>,
    /// …or endpoints given by hand.
    pub endpoints: Endpoints,
    pub client_id: Option<String>,
    #[ts(type = "string")]
    pub client_secret: Option<Secret>,
    pub auth_method: Option<AuthMethod>,
    /// PEM text of the private key for `private_key_jwt`.
    #[ts(type = "string")]
    pub private_key: Option<Secret>,
    pub scope: Option<String>,
    /// RFC 8707 resource indicators.
    pub resource: Vec<String>,
    pub audience: Option<String>,
    /// Extra request parameters, as given.
    pub params: Vec<(String, String)>,
    pub redirect_uri: Option<String>,
    pub pkce: Option<PkceMethod>,
    pub login: Login,
    pub login_timeout_secs: Option<u64>,
    /// The token a token operation acts on (else taken from `session`).
    #[ts(type = "string")]
    pub token: Option<Secret>,
    /// `access_token` | `refresh_token` (revoke, introspect).
    pub token_type_hint: Option<String>,
    /// A saved session: re-run it (its settings fill what is not given, and the secret it sent is
    /// reused for the same provider only), or take the token of a token operation from it.
    pub session: Option<i64>,
    /// Seconds to wait for each HTTP response (default 30).
    pub timeout_secs: Option<u64>,
}

impl RunRequest {
    pub fn new(operation: Operation) -> Self {
        Self { operation, ..Default::default() }
    }
}
