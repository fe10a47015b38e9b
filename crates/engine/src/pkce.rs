//! PKCE (RFC 7636) and the other random values of an authorization request (`state`, `nonce`).
//! `plain` and no PKCE exist only to demonstrate why not; a run that uses them says so.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};

use crate::secret::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub enum PkceMethod {
    #[default]
    S256,
    #[serde(rename = "plain")]
    Plain,
    #[serde(rename = "none")]
    None,
}

impl std::str::FromStr for PkceMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "S256" | "s256" => Ok(Self::S256),
            "plain" => Ok(Self::Plain),
            "none" => Ok(Self::None),
            other => Err(format!("expected S256, plain or none, got {other:?}")),
        }
    }
}

/// A fresh URL-safe random string of `bytes` bytes of entropy.
pub fn random_string(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buf).expect("system randomness");
    B64.encode(buf)
}

pub struct Pkce {
    pub verifier: Secret,
    pub challenge: String,
    pub method: PkceMethod,
}

impl Pkce {
    /// `None` when PKCE is switched off.
    pub fn generate(method: PkceMethod) -> Option<Self> {
        // 32 bytes → 43 characters, the minimum length RFC 7636 §4.1 allows, with 256 bits of entropy.
        let verifier = random_string(32);
        let challenge = match method {
            PkceMethod::S256 => s256(&verifier),
            PkceMethod::Plain => verifier.clone(),
            PkceMethod::None => return None,
        };
        Some(Self { verifier: Secret::new(verifier), challenge, method })
    }

    pub fn method_name(&self) -> &'static str {
        match self.method {
            PkceMethod::S256 => "S256",
            _ => "plain",
        }
    }
}

pub fn s256(verifier: &str) -> String {
    B64.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        assert_eq!(s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifier_has_the_allowed_length_and_alphabet() {
        let p = Pkce::generate(PkceMethod::S256).unwrap();
        let v = p.verifier.expose();
        assert!((43..=128).contains(&v.len()));
        assert!(v.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)));
        assert_eq!(p.challenge, s256(v));
        assert!(Pkce::generate(PkceMethod::None).is_none());
        assert_ne!(random_string(16), random_string(16));
    }
}
