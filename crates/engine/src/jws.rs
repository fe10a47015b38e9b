//! Signing the JWTs a client sends (RFC 7523 client assertions): RS256/ES256/ES384 with a private
//! key from a PEM file, or HS256 with the client secret. Verification is inspector-token's job.

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use serde_json::{Value, json};

use crate::error::{ErrorCode, FlowError};

pub enum SigningKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair, &'static str),
    Hmac(Vec<u8>),
}

fn bad_key(msg: impl Into<String>) -> FlowError {
    FlowError::new(ErrorCode::InvalidInput, msg)
}

impl SigningKey {
    /// An RSA or EC private key, PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, FlowError> {
        let begin = pem
            .find("-----BEGIN ")
            .ok_or_else(|| bad_key("expected a PEM private key (-----BEGIN PRIVATE KEY-----), got no PEM header"))?;
        let rest = &pem[begin + 11..];
        let label_end = rest.find("-----").ok_or_else(|| bad_key("expected a PEM private key, the header is cut"))?;
        let label = &rest[..label_end];
        let body_start = label_end + 5;
        let end =
            rest.find("-----END").ok_or_else(|| bad_key(format!("expected -----END {label}-----, it is missing")))?;
        let b64: String = rest[body_start..end].chars().filter(|c| !c.is_whitespace()).collect();
        let der = STANDARD.decode(b64).map_err(|e| bad_key(format!("the PEM body of {label} is not base64: {e}")))?;
        let ec = |der: &[u8]| {
            EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                .map(|k| SigningKey::Ec(k, "ES256"))
                .or_else(|_| {
                    EcdsaKeyPair::from_private_key_der(&ECDSA_P384_SHA384_FIXED_SIGNING, der)
                        .map(|k| SigningKey::Ec(k, "ES384"))
                })
        };
        let key = match label {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der).map(SigningKey::Rsa).or_else(|_| ec(&der)).ok(),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der).map(SigningKey::Rsa).ok(),
            "EC PRIVATE KEY" => ec(&der).ok(),
            other => return Err(bad_key(format!("expected a private key PEM, got a {other:?} block"))),
        };
        key.ok_or_else(|| {
            bad_key(format!("the {label} PEM is not an RSA, P-256 or P-384 private key this tool can sign with"))
        })
    }

    pub fn alg(&self) -> &'static str {
        match self {
            SigningKey::Rsa(_) => "RS256",
            SigningKey::Ec(_, alg) => alg,
            SigningKey::Hmac(_) => "HS256",
        }
    }

    /// A compact JWS of `claims`; `kid` goes into the header when given.
    pub fn sign(&self, claims: &Value, kid: Option<&str>) -> Result<String, FlowError> {
        let mut header = json!({"alg": self.alg(), "typ": "JWT"});
        if let Some(k) = kid {
            header["kid"] = json!(k);
        }
        let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(claims.to_string()));
        let failed = |_| FlowError::new(ErrorCode::InvalidInput, "signing the client assertion failed");
        let sig = match self {
            SigningKey::Rsa(k) => {
                let mut sig = vec![0; k.public_modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), input.as_bytes(), &mut sig)
                    .map_err(failed)?;
                sig
            }
            SigningKey::Ec(k, _) => {
                k.sign(&aws_lc_rs::rand::SystemRandom::new(), input.as_bytes()).map_err(failed)?.as_ref().to_vec()
            }
            SigningKey::Hmac(secret) => {
                let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
                aws_lc_rs::hmac::sign(&key, input.as_bytes()).as_ref().to_vec()
            }
        };
        Ok(format!("{input}.{}", B64.encode(sig)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs256_matches_rfc7515_construction() {
        let key = SigningKey::Hmac(b"secret".to_vec());
        let jwt = key.sign(&json!({"sub": "x"}), None).unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let k = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, b"secret");
        aws_lc_rs::hmac::verify(&k, input.as_bytes(), &B64.decode(sig).unwrap()).expect("HMAC verifies");
    }

    fn pem(label: &str, der: &[u8]) -> String {
        format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", STANDARD.encode(der))
    }

    #[test]
    fn es256_and_rs256_keys_from_pkcs8_pem_sign_verifiable_jwts() {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, KeyPair, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
        let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let key = SigningKey::from_pem(&pem("PRIVATE KEY", ec.to_pkcs8v1().unwrap().as_ref())).unwrap();
        assert_eq!(key.alg(), "ES256");
        let jwt = key.sign(&json!({"sub": "svc"}), Some("k1")).unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, ec.public_key().as_ref())
            .verify(input.as_bytes(), &B64.decode(sig).unwrap())
            .expect("ES256 verifies");
        assert!(input.starts_with(&B64.encode(r#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#)));

        let rsa = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&rsa).unwrap();
        let key = SigningKey::from_pem(&pem("PRIVATE KEY", der.as_ref())).unwrap();
        assert_eq!(key.alg(), "RS256");
        let jwt = key.sign(&json!({"sub": "svc"}), None).unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, rsa.public_key().as_ref())
            .verify(input.as_bytes(), &B64.decode(sig).unwrap())
            .expect("RS256 verifies");
    }

    #[test]
    fn pem_errors_say_what_was_expected() {
        let e = SigningKey::from_pem("hello").err().unwrap();
        assert!(e.message.contains("expected a PEM private key"));
        let e = SigningKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----").err().unwrap();
        assert!(e.message.contains("CERTIFICATE"), "{}", e.message);
    }
}
