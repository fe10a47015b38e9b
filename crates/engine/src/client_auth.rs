//! Client authentication at the token endpoint (RFC 6749 §2.3). Each method adds its parameters
//! or header to a request and marks what it added that is secret.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, FlowError};
use crate::secret::Secret;
use crate::step::SecretMark;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    #[default]
    ClientSecretBasic,
    ClientSecretPost,
    None,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::None => "none",
        }
    }
}

impl std::str::FromStr for AuthMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "client_secret_basic" => Ok(Self::ClientSecretBasic),
            "client_secret_post" => Ok(Self::ClientSecretPost),
            "none" => Ok(Self::None),
            other => Err(format!(
                "expected client_secret_basic, client_secret_post or none, got {other:?}"
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub auth_method: AuthMethod,
}

/// What client authentication adds to a token-endpoint request.
#[derive(Default)]
pub struct AuthParts {
    pub params: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub secrets: Vec<SecretMark>,
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn authenticate(client: &ClientConfig) -> Result<AuthParts, FlowError> {
    let mut parts = AuthParts::default();
    let secret = || {
        client.client_secret.as_ref().ok_or_else(|| {
            FlowError::new(
                ErrorCode::InvalidInput,
                format!("{} needs a client secret, none was given", client.auth_method.as_str()),
            )
        })
    };
    match client.auth_method {
        AuthMethod::ClientSecretBasic => {
            let secret = secret()?;
            // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
            let pair = format!("{}:{}", form_encode(&client.client_id), form_encode(secret.expose()));
            let b64 = base64::engine::general_purpose::STANDARD.encode(pair);
            let value = format!("Basic {b64}");
            parts.secrets.push(SecretMark::new("client_credentials", b64));
            parts.secrets.push(SecretMark::new("client_secret", secret.expose()));
            parts.headers.push(("authorization".into(), value));
        }
        AuthMethod::ClientSecretPost => {
            let secret = secret()?;
            parts.params.push(("client_id".into(), client.client_id.clone()));
            parts.params.push(("client_secret".into(), secret.expose().to_string()));
            parts.secrets.push(SecretMark::new("client_secret", secret.expose()));
            let encoded = form_encode(secret.expose());
            if encoded != secret.expose() {
                parts.secrets.push(SecretMark::new("client_secret", encoded));
            }
        }
        AuthMethod::None => parts.params.push(("client_id".into(), client.client_id.clone())),
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_encodes_per_rfc6749() {
        let c = ClientConfig {
            client_id: "my app".into(),
            client_secret: Some(Secret::new("a:b+c")),
            auth_method: AuthMethod::ClientSecretBasic,
        };
        let parts = authenticate(&c).unwrap();
        let (_, v) = &parts.headers[0];
        let b64 = v.strip_prefix("Basic ").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "my+app:a%3Ab%2Bc");
        assert!(parts.params.is_empty());
    }

    #[test]
    fn post_puts_credentials_in_the_body_and_marks_the_secret() {
        let c = ClientConfig {
            client_id: "svc".into(),
            client_secret: Some(Secret::new("s/1")),
            auth_method: AuthMethod::ClientSecretPost,
        };
        let parts = authenticate(&c).unwrap();
        assert!(parts.headers.is_empty());
        assert!(parts.params.contains(&("client_secret".into(), "s/1".into())));
        let marked: Vec<_> = parts.secrets.iter().map(|m| m.value.as_str()).collect();
        assert!(marked.contains(&"s/1") && marked.contains(&"s%2F1"));
    }

    #[test]
    fn missing_secret_is_a_clear_input_error() {
        let c = ClientConfig { client_id: "svc".into(), client_secret: None, auth_method: AuthMethod::ClientSecretPost };
        let err = authenticate(&c).err().unwrap();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("client_secret_post needs a client secret"));
    }
}
