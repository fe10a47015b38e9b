//! Signing the JWTs a client sends (RFC 7523 client assertions): RS256/ES256/ES384 with a private
//! key from a PEM file, or HS256 with the client secret. The signature is jsonwebtoken's
//! (`crypto::sign`); reading the PEM, telling RSA from EC and the curve, and the header stay here.
//! Verification is inspector-token's job.

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

use crate::error::{ErrorCode, FlowError};

pub enum SigningKey {
    /// RS256. Holds the PKCS#1 `RSAPrivateKey` DER, the only RSA form jsonwebtoken signs with.
    Rsa(EncodingKey),
    /// ES256 or ES384, as the key's curve decides. Holds PKCS#8 DER, the only EC form it takes.
    Ec(EncodingKey, Algorithm),
    /// HS256 with the client secret.
    Hmac(Vec<u8>),
}

fn bad_key(msg: impl Into<String>) -> FlowError {
    FlowError::new(ErrorCode::InvalidInput, msg)
}

impl SigningKey {
    /// An RSA or EC private key, PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`).
    ///
    /// jsonwebtoken (without its `use_pem` feature) takes DER whose type the caller already knows,
    /// RSA only as PKCS#1 and EC only as PKCS#8, and says nothing about which curve: so aws-lc-rs
    /// parses the key here first, which also rejects a bad key now rather than at the first signing.
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
        // PKCS#8 or SEC1, P-256 or P-384; re-encoded as PKCS#8 for jsonwebtoken.
        let ec = |der: &[u8]| -> Option<SigningKey> {
            let (key, alg) = EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                .map(|k| (k, Algorithm::ES256))
                .or_else(|_| {
                    EcdsaKeyPair::from_private_key_der(&ECDSA_P384_SHA384_FIXED_SIGNING, der)
                        .map(|k| (k, Algorithm::ES384))
                })
                .ok()?;
            let pkcs8 = key.to_pkcs8v1().ok()?;
            Some(SigningKey::Ec(EncodingKey::from_ec_der(pkcs8.as_ref()), alg))
        };
        let rsa_pkcs8 = |der: &[u8]| -> Option<SigningKey> {
            RsaKeyPair::from_pkcs8(der).ok()?;
            Some(SigningKey::Rsa(EncodingKey::from_rsa_der(pkcs8_private_key(der)?)))
        };
        let key = match label {
            "PRIVATE KEY" => rsa_pkcs8(&der).or_else(|| ec(&der)),
            "RSA PRIVATE KEY" => {
                RsaKeyPair::from_der(&der).ok().map(|_| SigningKey::Rsa(EncodingKey::from_rsa_der(&der)))
            }
            "EC PRIVATE KEY" => ec(&der),
            other => return Err(bad_key(format!("expected a private key PEM, got a {other:?} block"))),
        };
        key.ok_or_else(|| {
            bad_key(format!("the {label} PEM is not an RSA, P-256 or P-384 private key this tool can sign with"))
        })
    }

    pub fn alg(&self) -> &'static str {
        match self {
            SigningKey::Rsa(_) => "RS256",
            SigningKey::Ec(_, Algorithm::ES384) => "ES384",
            SigningKey::Ec(..) => "ES256",
            SigningKey::Hmac(_) => "HS256",
        }
    }

    /// A compact JWS of `claims`; `kid` goes into the header when given. The header is ours (its
    /// members in name order, as before), only the signature is jsonwebtoken's.
    pub fn sign(&self, claims: &Value, kid: Option<&str>) -> Result<String, FlowError> {
        let mut header = json!({"alg": self.alg(), "typ": "JWT"});
        if let Some(k) = kid {
            header["kid"] = json!(k);
        }
        let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(claims.to_string()));
        let hmac;
        let (key, alg) = match self {
            SigningKey::Rsa(k) => (k, Algorithm::RS256),
            SigningKey::Ec(k, alg) => (k, *alg),
            SigningKey::Hmac(secret) => {
                hmac = EncodingKey::from_secret(secret);
                (&hmac, Algorithm::HS256)
            }
        };
        let sig = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).map_err(|e| {
            FlowError::new(ErrorCode::InvalidInput, format!("signing the client assertion failed: {e}"))
        })?;
        Ok(format!("{input}.{sig}"))
    }
}

/// The `privateKey` OCTET STRING of a PKCS#8 `PrivateKeyInfo` (RFC 5208 §5), which for an RSA key
/// is its PKCS#1 `RSAPrivateKey`: the form jsonwebtoken signs with and aws-lc-rs does not export.
fn pkcs8_private_key(der: &[u8]) -> Option<&[u8]> {
    let (0x30, info, _) = der_tlv(der)? else { return None };
    let (0x02, _version, rest) = der_tlv(info)? else { return None };
    let (0x30, _algorithm, rest) = der_tlv(rest)? else { return None };
    let (0x04, key, _) = der_tlv(rest)? else { return None };
    Some(key)
}

/// One DER tag-length-value: (tag, value, what follows). Definite lengths only, as DER requires.
fn der_tlv(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = d.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |acc, b| acc << 8 | *b as usize), &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
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

    #[test]
    fn pkcs1_rsa_and_sec1_p384_pems_sign_verifiable_jwts() {
        use aws_lc_rs::encoding::{AsDer, EcPrivateKeyRfc5915Der, Pkcs8V1Der};
        use aws_lc_rs::signature::{ECDSA_P384_SHA384_FIXED, KeyPair, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
        let rsa = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let pkcs8 = AsDer::<Pkcs8V1Der>::as_der(&rsa).unwrap();
        let pkcs1 = pkcs8_private_key(pkcs8.as_ref()).expect("PKCS#1 inside PKCS#8");
        let key = SigningKey::from_pem(&pem("RSA PRIVATE KEY", pkcs1)).unwrap();
        assert_eq!(key.alg(), "RS256");
        let jwt = key.sign(&json!({"sub": "svc"}), None).unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, rsa.public_key().as_ref())
            .verify(input.as_bytes(), &B64.decode(sig).unwrap())
            .expect("RS256 from PKCS#1 verifies");

        let ec = EcdsaKeyPair::generate(&ECDSA_P384_SHA384_FIXED_SIGNING).unwrap();
        let sec1 = AsDer::<EcPrivateKeyRfc5915Der>::as_der(&ec.private_key()).unwrap();
        let key = SigningKey::from_pem(&pem("EC PRIVATE KEY", sec1.as_ref())).unwrap();
        assert_eq!(key.alg(), "ES384");
        let jwt = key.sign(&json!({"sub": "svc"}), Some("k2")).unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        assert!(input.starts_with(&B64.encode(r#"{"alg":"ES384","kid":"k2","typ":"JWT"}"#)));
        UnparsedPublicKey::new(&ECDSA_P384_SHA384_FIXED, ec.public_key().as_ref())
            .verify(input.as_bytes(), &B64.decode(sig).unwrap())
            .expect("ES384 from SEC1 verifies");
    }

    #[test]
    fn a_cut_or_foreign_pkcs8_body_is_refused_without_a_panic() {
        use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
        let rsa = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let pkcs8 = AsDer::<Pkcs8V1Der>::as_der(&rsa).unwrap();
        let der = pkcs8.as_ref();
        for cut in [1, 2, 4, 30, der.len() - 1] {
            assert_eq!(pkcs8_private_key(&der[..cut]), None, "cut at {cut}");
        }
        assert_eq!(pkcs8_private_key(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
        let e = SigningKey::from_pem(&pem("PRIVATE KEY", &der[..der.len() - 1])).err().unwrap();
        assert!(e.message.contains("not an RSA, P-256 or P-384 private key"), "{}", e.message);
    }
}
