//! Client credentials grant (RFC 6749 §4.4): discover, authenticate the client, POST the token
//! request, read the answer.

use serde::{Deserialize, Serialize};

use crate::client_auth::{AuthMethod, ClientConfig, authenticate};
use crate::discovery::{ProviderSource, resolve};
use crate::error::FlowError;
use crate::event::Recorder;
use crate::http::HttpClient;
use crate::secret::Secret;
use crate::token_response::{self, TokenSet};

/// Settings of a run, as saved with the session (the secret is kept apart).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub provider: ProviderSource,
    pub client_id: String,
    pub auth_method: AuthMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

pub async fn run(
    http: &HttpClient,
    rec: &Recorder,
    settings: &Settings,
    client_secret: Option<Secret>,
) -> Result<TokenSet, FlowError> {
    let endpoints = resolve(http, rec, &settings.provider).await?;
    let token_endpoint = endpoints.require_step(rec, "token_endpoint")?;
    let client = ClientConfig {
        client_id: settings.client_id.clone(),
        client_secret,
        auth_method: settings.auth_method,
    };
    let auth = authenticate(&client)?;
    let mut params: Vec<(String, String)> = vec![("grant_type".into(), "client_credentials".into())];
    if let Some(scope) = settings.scope.as_deref().filter(|s| !s.trim().is_empty()) {
        params.push(("scope".into(), scope.trim().to_string()));
    }
    params.extend(auth.params);
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let req = HttpClient::post_form(token_endpoint, &pairs, auth.headers);
    let ex = http.send(req).await;
    let mut secrets = auth.secrets;
    let result = match &ex.response {
        Ok(resp) => token_response::parse(resp, "token request"),
        Err(e) => Err(e.clone()),
    };
    if let Ok(tokens) = &result {
        secrets.extend(tokens.secret_marks());
    }
    rec.http(format!("Token request (client credentials, {})", settings.auth_method.as_str()), &ex, secrets, result.as_ref().map(|_| ()));
    result
}
