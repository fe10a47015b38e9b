//! What a client does with tokens it holds: refresh (RFC 6749 §6, noting rotation), revoke
//! (RFC 7009), introspect (RFC 7662), userinfo (OIDC Core §5.3). Each is a run of its own.

use crate::discovery::resolve;
use crate::error::{ErrorCode, FlowError};
use crate::event::Recorder;
use crate::flows::common::{ClientSecrets, ClientSettings, post_authenticated, token_request};
use crate::http::{HttpClient, describe, json_object};
use crate::secret::Secret;
use crate::step::{SecretMark, StepStatus};
use crate::token_response::TokenSet;

pub async fn refresh(
    http: &HttpClient,
    rec: &Recorder,
    settings: &ClientSettings,
    secrets: &ClientSecrets,
    refresh_token: &Secret,
) -> Result<TokenSet, FlowError> {
    let endpoints = resolve(http, rec, &settings.provider).await?;
    let token_endpoint = endpoints.require_step(rec, "token_endpoint")?;
    let mut params = vec![
        ("grant_type".to_string(), "refresh_token".to_string()),
        ("refresh_token".to_string(), refresh_token.expose().to_string()),
    ];
    params.extend(settings.request_params());
    let marks = vec![SecretMark::new("refresh_token", refresh_token.expose())];
    let title = format!("Token request (refresh, {})", settings.auth_method.as_str());
    let tokens = token_request(http, rec, title, token_endpoint, &secrets.config(settings), params, marks).await?;
    let (title, rotated) = match &tokens.refresh_token {
        Some(new) if new != refresh_token.expose() => {
            ("The server rotated the refresh token: use the new one, the old one should now fail", true)
        }
        Some(_) => ("The server returned the same refresh token (no rotation)", false),
        None => ("No new refresh token: keep using the old one (no rotation)", false),
    };
    let status = if rotated { StepStatus::Ok } else { StepStatus::Warning };
    rec.local(title, status, serde_json::json!({"rotated": rotated, "spec": "RFC 9700 §4.14.2"}));
    Ok(tokens)
}

fn hint_params(token: &Secret, hint: Option<&str>) -> Vec<(String, String)> {
    let mut p = vec![("token".to_string(), token.expose().to_string())];
    if let Some(h) = hint {
        p.push(("token_type_hint".into(), h.into()));
    }
    p
}

pub async fn revoke(
    http: &HttpClient,
    rec: &Recorder,
    settings: &ClientSettings,
    secrets: &ClientSecrets,
    token: &Secret,
    hint: Option<&str>,
) -> Result<(), FlowError> {
    let endpoints = resolve(http, rec, &settings.provider).await?;
    let endpoint = endpoints.require_step(rec, "revocation_endpoint")?;
    let marks = vec![SecretMark::new("token", token.expose())];
    let (ex, marks) =
        post_authenticated(http, rec, endpoint, &secrets.config(settings), hint_params(token, hint), marks).await?;
    let result = match &ex.response {
        Ok(r) if r.status == 200 => Ok(()),
        Ok(r) => Err(match crate::token_response::oauth_error(r) {
            Some(o) => {
                let mut e = FlowError::new(
                    ErrorCode::OauthError,
                    format!("revocation: expected HTTP 200, the server refused with {} — HTTP {}", o.error, r.status),
                );
                e.oauth = Some(o);
                e
            }
            None => FlowError::new(
                ErrorCode::UnexpectedStatus,
                format!("revocation: expected HTTP 200, got {}", describe(r)),
            ),
        }),
        Err(e) => Err(e.clone()),
    };
    rec.http("Revocation request (RFC 7009)", &ex, marks, result.as_ref().map(|_| ()));
    result
}

/// Returns the introspection response (RFC 7662 §2.2).
pub async fn introspect(
    http: &HttpClient,
    rec: &Recorder,
    settings: &ClientSettings,
    secrets: &ClientSecrets,
    token: &Secret,
    hint: Option<&str>,
) -> Result<serde_json::Value, FlowError> {
    let endpoints = resolve(http, rec, &settings.provider).await?;
    let endpoint = endpoints.require_step(rec, "introspection_endpoint")?;
    let marks = vec![SecretMark::new("token", token.expose())];
    let (ex, marks) =
        post_authenticated(http, rec, endpoint, &secrets.config(settings), hint_params(token, hint), marks).await?;
    let result = json_reply(&ex, "introspection").and_then(|m| match m.get("active") {
        Some(serde_json::Value::Bool(_)) => Ok(serde_json::Value::Object(m)),
        other => Err(FlowError::new(
            ErrorCode::MissingField,
            format!(
                "introspection: expected a boolean \"active\", got {}",
                other.map_or("nothing".into(), |v| v.to_string())
            ),
        )),
    });
    rec.http("Introspection request (RFC 7662)", &ex, marks, result.as_ref().map(|_| ()));
    let value = result?;
    let active = value["active"].as_bool() == Some(true);
    rec.local(
        if active {
            "The token is active"
        } else {
            "The token is NOT active (revoked, expired, or unknown to this server)"
        },
        if active { StepStatus::Ok } else { StepStatus::Warning },
        value.clone(),
    );
    Ok(value)
}

pub async fn userinfo(
    http: &HttpClient,
    rec: &Recorder,
    settings: &ClientSettings,
    access_token: &Secret,
) -> Result<serde_json::Value, FlowError> {
    let endpoints = resolve(http, rec, &settings.provider).await?;
    let endpoint = endpoints.require_step(rec, "userinfo_endpoint")?;
    let mut req = HttpClient::get(endpoint);
    req.headers.push(("authorization".into(), format!("Bearer {}", access_token.expose())));
    let mut marks = vec![SecretMark::new("access_token", access_token.expose())];
    let ex = http.send(rec, req, &mut marks).await;
    let result = json_reply(&ex, "userinfo").map(serde_json::Value::Object);
    rec.http("UserInfo request (OIDC Core §5.3)", &ex, marks, result.as_ref().map(|_| ()));
    result
}

/// A 200 JSON object, or an error naming the status, `WWW-Authenticate` challenge and body.
fn json_reply(ex: &crate::http::Exchange, what: &str) -> Result<serde_json::Map<String, serde_json::Value>, FlowError> {
    let resp = ex.response.as_ref().map_err(|e| e.clone())?;
    if resp.status != 200 {
        let challenge = resp.header("www-authenticate").map(|c| format!(", WWW-Authenticate: {c}")).unwrap_or_default();
        return Err(FlowError::new(
            ErrorCode::UnexpectedStatus,
            format!("{what}: expected HTTP 200 with JSON, got {}{challenge}", describe(resp)),
        ));
    }
    json_object(resp, what)
}
