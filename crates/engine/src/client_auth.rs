//! Client authentication at the token endpoint (RFC 6749 §2.3). Each method adds its parameters
//! or header to a request and marks what it added that is secret.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, FlowError};
use crate::secret::Secret;
use crate::step::SecretMark;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    #[default]
    ClientSecretBasic,
    ClientSecretPost,
    /// RFC 7523 assertion signed with HS256 under the client secret.
    ClientSecretJwt,
    /// RFC 7523 assertion signed with the client's private key.
    PrivateKeyJwt,
    None,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretJwt => "client_secret_jwt",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
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
            "client_secret_jwt" => Ok(Self::ClientSecretJwt),
            "private_key_jwt" => Ok(Self::PrivateKeyJwt),
            "none" => Ok(Self::None),
            other => Err(format!(
                "expected client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt or none, got {other:?}"
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub auth_method: AuthMethod,
    /// PEM text of the private key, for `private_key_jwt`.
    pub private_key: Option<Secret>,
}

impl ClientConfig {
    pub fn new(client_id: &str, client_secret: Option<Secret>, auth_method: AuthMethod) -> Self {
        Self { client_id: client_id.into(), client_secret, auth_method, private_key: None }
    }
}

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

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

/// The client's authentication for a request to `audience` (the endpoint URL, which RFC 7523
/// §3 makes the assertion's `aud`).
pub fn authenticate(client: &ClientConfig, audience: &str) -> Result<AuthParts, FlowError> {
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
        AuthMethod::ClientSecretJwt | AuthMethod::PrivateKeyJwt => {
            let key = if client.auth_method == AuthMethod::ClientSecretJwt {
                crate::jws::SigningKey::Hmac(secret()?.expose().as_bytes().to_vec())
            } else {
                let pem = client.private_key.as_ref().ok_or_else(|| {
                    FlowError::new(
                        ErrorCode::InvalidInput,
                        "private_key_jwt needs a private key (PEM file), none was given",
                    )
                })?;
                crate::jws::SigningKey::from_pem(pem.expose())?
            };
            let now = crate::now_ms() / 1000;
            let claims = serde_json::json!({
                "iss": client.client_id, "sub": client.client_id, "aud": audience,
                "jti": crate::pkce::random_string(16), "iat": now, "exp": now + 60,
            });
            let assertion = key.sign(&claims, None)?;
            parts.secrets.push(SecretMark::new("client_assertion", assertion.clone()));
            parts.params.push(("client_id".into(), client.client_id.clone()));
            parts.params.push(("client_assertion_type".into(), ASSERTION_TYPE.into()));
            parts.params.push(("client_assertion".into(), assertion));
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
        let c = ClientConfig::new("my app", Some(Secret::new("a:b+c")), AuthMethod::ClientSecretBasic);
        let parts = authenticate(&c, "https://as/token").unwrap();
        let (_, v) = &parts.headers[0];
        let b64 = v.strip_prefix("Basic ").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "my+app:a%3Ab%2Bc");
        assert!(parts.params.is_empty());
    }

    #[test]
    fn post_puts_credentials_in_the_body_and_marks_the_secret() {
        let c = ClientConfig::new("svc", Some(Secret::new("s/1")), AuthMethod::ClientSecretPost);
        let parts = authenticate(&c, "https://as/token").unwrap();
        assert!(parts.headers.is_empty());
        assert!(parts.params.contains(&("client_secret".into(), "s/1".into())));
        let marked: Vec<_> = parts.secrets.iter().map(|m| m.value.as_str()).collect();
        assert!(marked.contains(&"s/1") && marked.contains(&"s%2F1"));
    }

    #[test]
    fn missing_secret_is_a_clear_input_error() {
        let c = ClientConfig::new("svc", None, AuthMethod::ClientSecretPost);
        let err = authenticate(&c, "https://as/token").err().unwrap();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("client_secret_post needs a client secret"));
    }

    #[test]
    fn client_secret_jwt_sends_a_signed_assertion_for_the_endpoint() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
        let c = ClientConfig::new("svc", Some(Secret::new("shh")), AuthMethod::ClientSecretJwt);
        let parts = authenticate(&c, "https://as/token").unwrap();
        let get = |k: &str| parts.params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(get("client_assertion_type"), ASSERTION_TYPE);
        let jwt = get("client_assertion");
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://as/token");
        assert_eq!(claims["iss"], "svc");
        assert!(parts.secrets.iter().any(|m| m.value == jwt), "the assertion is marked secret");
        assert!(!parts.params.iter().any(|(k, _)| k == "client_secret"));
    }
}
