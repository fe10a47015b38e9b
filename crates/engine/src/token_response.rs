//! Reading a token endpoint's answer (RFC 6749 §5.1 success, §5.2 error). Anything else — HTML,
//! a 500, JSON without `access_token` — becomes an error naming what was expected and what came.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, FlowError, OauthErrorBody};
use crate::http::{describe, json_object};
use crate::step::{HttpResponse, SecretMark};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct TokenSet {
    pub access_token: String,
    pub token_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl TokenSet {
    /// The token values, marked for redaction.
    pub fn secret_marks(&self) -> Vec<SecretMark> {
        let mut m = vec![SecretMark::new("access_token", &self.access_token)];
        if let Some(r) = &self.refresh_token {
            m.push(SecretMark::new("refresh_token", r));
        }
        if let Some(i) = &self.id_token {
            m.push(SecretMark::new("id_token", i));
        }
        m
    }
}

/// An OAuth error object in a response body, if there is one (RFC 6749 §5.2).
pub fn oauth_error(resp: &HttpResponse) -> Option<OauthErrorBody> {
    let map = json_object(resp, "").ok()?;
    let error = map.get("error")?.as_str()?.to_string();
    let s = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_string);
    Some(OauthErrorBody { error, error_description: s("error_description"), error_uri: s("error_uri") })
}

pub fn parse(resp: &HttpResponse, what: &str) -> Result<TokenSet, FlowError> {
    if let Some(err) = oauth_error(resp) {
        let desc = err.error_description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
        let mut e = FlowError::new(
            ErrorCode::OauthError,
            format!("{what}: expected tokens, the server refused with {}{desc} — HTTP {}", err.error, resp.status),
        );
        e.oauth = Some(err);
        return Err(e);
    }
    if resp.status != 200 {
        return Err(FlowError::new(
            ErrorCode::UnexpectedStatus,
            format!("{what}: expected HTTP 200 with a JSON token response, got {}", describe(resp)),
        ));
    }
    let map = json_object(resp, what)?;
    let missing = |field: &str, got: Option<&serde_json::Value>| {
        let got = match got {
            None => "it is absent".to_string(),
            Some(v) => format!("got {v}"),
        };
        FlowError::new(
            ErrorCode::MissingField,
            format!(
                "{what}: expected a string \"{field}\" in the token response, {got}; members present: {}",
                map.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        )
    };
    let access_token = match map.get("access_token") {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
        other => return Err(missing("access_token", other)),
    };
    let token_type = match map.get("token_type") {
        Some(serde_json::Value::String(s)) => s.clone(),
        other => return Err(missing("token_type", other)),
    };
    let s = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_string);
    // Some servers send expires_in as a string; accept both, as clients in the wild do.
    let expires_in = match map.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    Ok(TokenSet {
        access_token,
        token_type,
        expires_in,
        scope: s("scope"),
        refresh_token: s("refresh_token"),
        id_token: s("id_token"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, ct: &str, body: &str) -> HttpResponse {
        HttpResponse { status, headers: vec![("content-type".into(), ct.into())], body: body.into(), elapsed_ms: 1 }
    }

    #[test]
    fn success() {
        let t = parse(
            &resp(200, "application/json", r#"{"access_token":"a","token_type":"Bearer","expires_in":"300"}"#),
            "token",
        )
        .unwrap();
        assert_eq!(t.access_token, "a");
        assert_eq!(t.expires_in, Some(300));
    }

    #[test]
    fn html_page_names_status_type_and_body() {
        let e = parse(&resp(502, "text/html", "<html><body>Bad gateway</body></html>"), "token request").unwrap_err();
        assert_eq!(e.code, ErrorCode::UnexpectedStatus);
        assert!(
            e.message.contains("HTTP 502") && e.message.contains("text/html") && e.message.contains("<html>"),
            "{}",
            e.message
        );
    }

    #[test]
    fn oauth_error_is_recognised_at_any_status() {
        let e = parse(
            &resp(401, "application/json", r#"{"error":"invalid_client","error_description":"bad secret"}"#),
            "token request",
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::OauthError);
        assert_eq!(e.oauth.as_ref().unwrap().error, "invalid_client");
        assert!(e.message.contains("invalid_client (bad secret)"));
    }

    #[test]
    fn ok_without_access_token() {
        let e = parse(&resp(200, "application/json", r#"{"token_type":"Bearer"}"#), "token request").unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingField);
        assert!(e.message.contains("\"access_token\"") && e.message.contains("absent"), "{}", e.message);
    }

    #[test]
    fn invalid_json() {
        let e = parse(&resp(200, "application/json", "{not json"), "token request").unwrap_err();
        assert_eq!(e.code, ErrorCode::NotJson);
    }
}
