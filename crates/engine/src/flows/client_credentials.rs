//! Client credentials grant (RFC 6749 §4.4): discover, authenticate the client, POST the token
//! request with scope / resource / audience / extra parameters, read the answer.

use crate::discovery::resolve;
use crate::error::FlowError;
use crate::event::Recorder;
use crate::flows::common::{ClientSecrets, ClientSettings, token_request};
use crate::http::HttpClient;
use crate::token_response::TokenSet;

pub async fn run(
    http: &HttpClient,
    rec: &Recorder,
    settings: &ClientSettings,
    secrets: &ClientSecrets,
) -> Result<TokenSet, FlowError> {
    let endpoints = resolve(http, rec, &settings.provider).await?;
    let token_endpoint = endpoints.require_step(rec, "token_endpoint")?;
    let mut params = vec![("grant_type".to_string(), "client_credentials".to_string())];
    params.extend(settings.request_params());
    let title = format!("Token request (client credentials, {})", settings.auth_method.as_str());
    token_request(http, rec, title, token_endpoint, &secrets.config(settings), params, vec![]).await
}
