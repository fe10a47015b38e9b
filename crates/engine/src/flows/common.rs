//! What every flow shares: the client's settings and secrets, and the authenticated POST to an
//! endpoint of the provider (token, device, revocation, introspection).

use serde::{Deserialize, Serialize};

use crate::client_auth::{AuthMethod, ClientConfig, authenticate};
use crate::discovery::ProviderSource;
use crate::error::FlowError;
use crate::event::Recorder;
use crate::http::{Exchange, HttpClient};
use crate::secret::Secret;
use crate::step::SecretMark;
use crate::token_response::{self, TokenSet};

/// A client registration as a run uses it; saved with the session (secrets are kept apart).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientSettings {
    pub provider: ProviderSource,
    pub client_id: String,
    #[serde(default)]
    pub auth_method: AuthMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// RFC 8707 resource indicators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource: Vec<String>,
    /// The `audience` parameter some providers (Auth0, Okta) use instead of `resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Extra parameters sent with the token or authorization request, as given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<(String, String)>,
}

impl ClientSettings {
    pub fn new(provider: ProviderSource, client_id: &str) -> Self {
        Self {
            provider,
            client_id: client_id.into(),
            auth_method: AuthMethod::default(),
            scope: None,
            resource: vec![],
            audience: None,
            extra: vec![],
        }
    }

    /// `scope`, `resource`, `audience` and extra parameters, as request parameters.
    pub fn request_params(&self) -> Vec<(String, String)> {
        let mut p = Vec::new();
        if let Some(scope) = self.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            p.push(("scope".into(), scope.to_string()));
        }
        for r in &self.resource {
            p.push(("resource".into(), r.clone()));
        }
        if let Some(a) = &self.audience {
            p.push(("audience".into(), a.clone()));
        }
        p.extend(self.extra.iter().cloned());
        p
    }
}

/// The secrets of a client registration; never saved in settings.
#[derive(Debug, Clone, Default)]
pub struct ClientSecrets {
    pub client_secret: Option<Secret>,
    /// PEM text of the private key for `private_key_jwt`.
    pub private_key: Option<Secret>,
}

impl ClientSecrets {
    pub fn config(&self, settings: &ClientSettings) -> ClientConfig {
        ClientConfig {
            client_id: settings.client_id.clone(),
            client_secret: self.client_secret.clone(),
            auth_method: settings.auth_method,
            private_key: self.private_key.clone(),
        }
    }
}

/// POSTs form `params` to `endpoint` with the client's authentication. Returns the exchange and
/// the secrets in it; nothing is recorded yet, the caller judges the answer first.
pub async fn post_authenticated(
    http: &HttpClient,
    rec: &Recorder,
    endpoint: &str,
    client: &ClientConfig,
    params: Vec<(String, String)>,
    mut secrets: Vec<SecretMark>,
) -> Result<(Exchange, Vec<SecretMark>), FlowError> {
    let auth = authenticate(client, endpoint)?;
    let mut all = params;
    all.extend(auth.params);
    let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let req = HttpClient::post_form(endpoint, &pairs, auth.headers);
    secrets.extend(auth.secrets);
    let ex = http.send(rec, req, &mut secrets).await;
    Ok((ex, secrets))
}

/// A token request from start to recorded step: authenticated POST, parse, step with tokens marked.
pub async fn token_request(
    http: &HttpClient,
    rec: &Recorder,
    title: String,
    endpoint: &str,
    client: &ClientConfig,
    params: Vec<(String, String)>,
    secrets: Vec<SecretMark>,
) -> Result<TokenSet, FlowError> {
    let (ex, mut secrets) = post_authenticated(http, rec, endpoint, client, params, secrets).await?;
    let result = match &ex.response {
        Ok(resp) => token_response::parse(resp, "token request"),
        Err(e) => Err(e.clone()),
    };
    if let Ok(tokens) = &result {
        secrets.extend(tokens.secret_marks());
    }
    rec.http(title, &ex, secrets, result.as_ref().map(|_| ()));
    result
}
