//! JWS signature verification (RFC 7515 §5.2, RFC 7518 §3, RFC 8037 §3.1): the algorithms we
//! accept, which key type each one needs, the key size rules, and then the cryptographic check
//! itself, which is jsonwebtoken's (`DecodingKey::from_jwk` + `crypto::verify`) on the signing input
//! exactly as received. Our policy runs first and alone decides: a key's type decides its
//! algorithms, so a public key is never used as an HMAC secret, and jsonwebtoken only ever sees a
//! key and an algorithm we already accepted. Leaves out where keys come from (`jwks`) and what the
//! result means for validity (`checks`).

use std::fmt;
use std::sync::OnceLock;

use aws_lc_rs::{digest, signature as sig};
use base64::Engine;
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters, EllipticCurveKeyType,
    OctetKeyPairParameters, OctetKeyPairType, RSAKeyParameters, RSAKeyType,
};

use crate::decode::B64URL;
use crate::jwks::Jwk;
use crate::secret::Secret;

// The unit tests below build HMAC tags themselves through `use super::*`.
#[cfg(test)]
use aws_lc_rs::hmac;

#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    EdDSA,
}

pub const ALL: &[Alg] = &[
    Alg::HS256,
    Alg::HS384,
    Alg::HS512,
    Alg::RS256,
    Alg::RS384,
    Alg::RS512,
    Alg::PS256,
    Alg::PS384,
    Alg::PS512,
    Alg::ES256,
    Alg::ES384,
    Alg::EdDSA,
];

impl Alg {
    /// Exact, case-sensitive names (RFC 7518 §3.1 registers them so).
    pub fn parse(s: &str) -> Option<Alg> {
        ALL.iter().copied().find(|a| a.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            Alg::HS256 => "HS256",
            Alg::HS384 => "HS384",
            Alg::HS512 => "HS512",
            Alg::RS256 => "RS256",
            Alg::RS384 => "RS384",
            Alg::RS512 => "RS512",
            Alg::PS256 => "PS256",
            Alg::PS384 => "PS384",
            Alg::PS512 => "PS512",
            Alg::ES256 => "ES256",
            Alg::ES384 => "ES384",
            Alg::EdDSA => "EdDSA",
        }
    }

    /// The same algorithm for jsonwebtoken, which only ever gets one our policy accepted.
    fn jose(self) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as J;
        match self {
            Alg::HS256 => J::HS256,
            Alg::HS384 => J::HS384,
            Alg::HS512 => J::HS512,
            Alg::RS256 => J::RS256,
            Alg::RS384 => J::RS384,
            Alg::RS512 => J::RS512,
            Alg::PS256 => J::PS256,
            Alg::PS384 => J::PS384,
            Alg::PS512 => J::PS512,
            Alg::ES256 => J::ES256,
            Alg::ES384 => J::ES384,
            Alg::EdDSA => J::EdDSA,
        }
    }

    pub fn is_hmac(self) -> bool {
        matches!(self, Alg::HS256 | Alg::HS384 | Alg::HS512)
    }

    /// The hash for at_hash/c_hash (OIDC Core §3.1.3.6): the alg's hash; SHA-512 for Ed25519.
    pub fn oidc_hash(self) -> &'static digest::Algorithm {
        match self {
            Alg::HS256 | Alg::RS256 | Alg::PS256 | Alg::ES256 => &digest::SHA256,
            Alg::HS384 | Alg::RS384 | Alg::PS384 | Alg::ES384 => &digest::SHA384,
            Alg::HS512 | Alg::RS512 | Alg::PS512 | Alg::EdDSA => &digest::SHA512,
        }
    }

    /// What a JWK must look like to verify this algorithm.
    pub fn key_kind(self) -> &'static str {
        match self {
            Alg::HS256 | Alg::HS384 | Alg::HS512 => "an HMAC secret",
            Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512 => "an RSA key (kty RSA)",
            Alg::ES256 => "an EC P-256 key (kty EC, crv P-256)",
            Alg::ES384 => "an EC P-384 key (kty EC, crv P-384)",
            Alg::EdDSA => "an Ed25519 key (kty OKP, crv Ed25519)",
        }
    }
}

/// `alg: none`, in any case (RFC 8725 §3.2: never accepted).
pub fn is_none_alg(alg: &str) -> bool {
    alg.trim().eq_ignore_ascii_case("none")
}

/// Whether `jwk` may verify `alg`: type and curve match, and its own `alg`/`use`/`key_ops` allow it.
pub fn key_fits(alg: Alg, jwk: &Jwk) -> Result<(), String> {
    let type_ok = match alg {
        Alg::HS256 | Alg::HS384 | Alg::HS512 => false, // JWKS keys are never HMAC secrets
        Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512 => jwk.kty == "RSA",
        Alg::ES256 => jwk.kty == "EC" && jwk.crv.as_deref() == Some("P-256"),
        Alg::ES384 => jwk.kty == "EC" && jwk.crv.as_deref() == Some("P-384"),
        Alg::EdDSA => jwk.kty == "OKP" && jwk.crv.as_deref() == Some("Ed25519"),
    };
    if !type_ok {
        let crv = jwk.crv.as_deref().map(|c| format!(", crv {c}")).unwrap_or_default();
        return Err(format!("{} needs {}, the key is kty {}{crv}", alg.name(), alg.key_kind(), jwk.kty));
    }
    if let Some(a) = &jwk.alg
        && a != alg.name()
    {
        return Err(format!("the key is restricted to alg {a}, the token uses {}", alg.name()));
    }
    if let Some(u) = &jwk.use_
        && u != "sig"
    {
        return Err(format!("the key's use is {u:?}, not \"sig\""));
    }
    if let Some(ops) = &jwk.key_ops
        && !ops.iter().any(|o| o == "verify")
    {
        return Err("the key's key_ops do not include \"verify\"".into());
    }
    Ok(())
}

/// Why a verification did not succeed.
#[derive(Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The key material itself is unusable (bad encoding, wrong length, too small).
    BadKey(String),
    /// The signature does not verify.
    Invalid,
}

/// Verification keys built from one JWK, one slot per algorithm, each built on first use: a
/// key set kept between calls (a cache, an inline set) is decoded and checked once, not per token.
/// Cloning gives empty slots, so a clone whose members are then changed never sees a stale key.
#[derive(Default)]
pub struct Verifiers(Box<[OnceLock<Result<DecodingKey, String>>; ALL.len()]>);

impl Clone for Verifiers {
    fn clone(&self) -> Self {
        Verifiers::default()
    }
}

/// A cache is not part of a key's identity.
impl PartialEq for Verifiers {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Verifiers {}

impl fmt::Debug for Verifiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Verifiers")
    }
}

impl Alg {
    fn index(self) -> usize {
        ALL.iter().position(|a| *a == self).unwrap_or(0)
    }
}

/// Verifies `signature` over `message` with a JWK that `key_fits` accepted.
pub fn verify_jwk(alg: Alg, jwk: &Jwk, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
    key_fits(alg, jwk).map_err(VerifyError::BadKey)?;
    let key = jwk.verifiers.0[alg.index()]
        .get_or_init(|| parse_key(alg, jwk))
        .as_ref()
        .map_err(|why| VerifyError::BadKey(why.clone()))?;
    jose_verify(alg, key, message, signature)
}

/// The cryptographic check, by jsonwebtoken, over `message` as it came in the token (never
/// re-serialised). jsonwebtoken takes the signature as its base64url segment and decodes it
/// strictly (no padding); ours was already decoded leniently by `decode`, so it is handed over in
/// the canonical form of the same bytes.
fn jose_verify(alg: Alg, key: &DecodingKey, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
    match jsonwebtoken::crypto::verify(&B64URL.encode(signature), message, key, alg.jose()) {
        Ok(true) => Ok(()),
        Ok(false) => Err(VerifyError::Invalid),
        Err(e) => Err(VerifyError::BadKey(format!("jsonwebtoken cannot verify {} with this key: {e}", alg.name()))),
    }
}

/// Decodes a JWK's members for `alg` with the size rules of RFC 7518 and checks that the key is
/// usable, then builds jsonwebtoken's key from it. The members are handed over re-encoded (no
/// padding, no leading zeros), since jsonwebtoken reads base64url strictly and ours is lenient.
fn parse_key(alg: Alg, jwk: &Jwk) -> Result<DecodingKey, String> {
    let b = |name: &str, v: &Option<String>| -> Result<Vec<u8>, String> {
        let s = v.as_deref().ok_or_else(|| format!("the key has no `{name}`"))?;
        B64URL.decode(s.as_bytes()).map_err(|_| format!("the key's `{name}` is not base64url"))
    };
    let enc = |v: &[u8]| B64URL.encode(v);
    let params = match alg {
        Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512 => {
            let n = b("n", &jwk.n)?;
            let e = b("e", &jwk.e)?;
            let strip = |v: &[u8]| -> Vec<u8> { v.iter().skip_while(|x| **x == 0).copied().collect() };
            let (n, e) = (strip(&n), strip(&e));
            if n.len() < 256 {
                return Err(format!("RSA modulus of {} bits; at least 2048 are required (RFC 7518 §3.3)", n.len() * 8));
            }
            let params: &'static sig::RsaParameters = match alg {
                Alg::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
                Alg::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
                Alg::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
                Alg::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
                Alg::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
                _ => &sig::RSA_PSS_2048_8192_SHA512,
            };
            // jsonwebtoken would only answer "does not verify" for a modulus beyond 8192 bits or
            // an unusable exponent; checked here so the report says the key is at fault.
            sig::RsaPublicKeyComponents { n: &n[..], e: &e[..] }
                .to_parsed_public_key(params)
                .map_err(|e| format!("not a usable RSA public key: {e}"))?;
            AlgorithmParameters::RSA(RSAKeyParameters { key_type: RSAKeyType::RSA, n: enc(&n), e: enc(&e) })
        }
        Alg::ES256 | Alg::ES384 => {
            let (len, params, curve): (usize, &'static sig::EcdsaVerificationAlgorithm, _) = if alg == Alg::ES256 {
                (32, &sig::ECDSA_P256_SHA256_FIXED, EllipticCurve::P256)
            } else {
                (48, &sig::ECDSA_P384_SHA384_FIXED, EllipticCurve::P384)
            };
            let x = b("x", &jwk.x)?;
            let y = b("y", &jwk.y)?;
            if x.len() != len || y.len() != len {
                return Err(format!("EC coordinates must be {len} bytes each (RFC 7518 §6.2.1.2)"));
            }
            // Same reason: a point off the curve is the key's fault, not the signature's.
            let mut point = Vec::with_capacity(1 + 2 * len);
            point.push(4u8);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            sig::ParsedPublicKey::new(params, &point).map_err(|e| format!("not a point on the curve: {e}"))?;
            AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
                key_type: EllipticCurveKeyType::EC,
                curve,
                x: enc(&x),
                y: enc(&y),
            })
        }
        Alg::EdDSA => {
            let x = b("x", &jwk.x)?;
            if x.len() != 32 {
                return Err("an Ed25519 key is 32 bytes (RFC 8037 §2)".into());
            }
            AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x: enc(&x),
            })
        }
        Alg::HS256 | Alg::HS384 | Alg::HS512 => return Err("JWKS keys are never HMAC secrets".into()),
    };
    let jwk = jsonwebtoken::jwk::Jwk { common: CommonParameters::default(), algorithm: params };
    DecodingKey::from_jwk(&jwk).map_err(|e| format!("jsonwebtoken does not take this key: {e}"))
}

/// HMAC verification (RFC 7518 §3.2), constant time inside jsonwebtoken (aws-lc-rs `hmac::verify`).
pub fn verify_hmac(alg: Alg, secret: &Secret, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
    if !alg.is_hmac() {
        return Err(VerifyError::BadKey(format!("a secret cannot verify {}", alg.name())));
    }
    jose_verify(alg, &DecodingKey::from_secret(secret.expose()), message, signature)
}

/// Constant-time equality for nonces and hashes.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}

/// The at_hash / c_hash value for `value` under `alg` (OIDC Core §3.1.3.6): base64url of the left
/// half of the hash.
pub fn oidc_half_hash(alg: Alg, value: &[u8]) -> String {
    let d = digest::digest(alg.oidc_hash(), value);
    let bytes = d.as_ref();
    B64URL.encode(&bytes[..bytes.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_sensitive_and_none_is_caught_in_any_case() {
        assert_eq!(Alg::parse("RS256"), Some(Alg::RS256));
        assert_eq!(Alg::parse("rs256"), None);
        assert_eq!(Alg::parse("ES512"), None);
        for n in ["none", "None", "NONE", "nOnE"] {
            assert!(is_none_alg(n));
        }
        assert!(!is_none_alg("HS256"));
    }

    #[test]
    fn hmac_round_trip() {
        let secret = Secret::new("a-very-long-shared-secret-for-hs256-tests!");
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.expose());
        let tag = hmac::sign(&key, b"msg");
        assert!(verify_hmac(Alg::HS256, &secret, b"msg", tag.as_ref()).is_ok());
        assert_eq!(verify_hmac(Alg::HS256, &secret, b"msg2", tag.as_ref()), Err(VerifyError::Invalid));
        assert!(matches!(verify_hmac(Alg::RS256, &secret, b"msg", tag.as_ref()), Err(VerifyError::BadKey(_))));
    }

    #[test]
    fn key_types_bind_algorithms() {
        let rsa = Jwk { kty: "RSA".into(), ..Jwk::default() };
        assert!(key_fits(Alg::RS256, &rsa).is_ok());
        assert!(key_fits(Alg::HS256, &rsa).is_err());
        assert!(key_fits(Alg::ES256, &rsa).is_err());
        let oct = Jwk { kty: "oct".into(), ..Jwk::default() };
        assert!(key_fits(Alg::HS256, &oct).is_err());
        let restricted = Jwk { kty: "RSA".into(), alg: Some("PS256".into()), ..Jwk::default() };
        assert!(key_fits(Alg::RS256, &restricted).is_err());
        let enc = Jwk { kty: "RSA".into(), use_: Some("enc".into()), ..Jwk::default() };
        assert!(key_fits(Alg::RS256, &enc).is_err());
    }

    #[test]
    fn at_hash_example_from_oidc_core_appendix() {
        // OIDC Core A.3: access token and at_hash of an RS256 ID token.
        assert_eq!(
            oidc_half_hash(Alg::RS256, b"jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn jwk_members_with_padding_and_a_leading_zero_verify_through_jsonwebtoken() {
        use aws_lc_rs::signature::KeyPair as _;
        let k = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let msg = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0";
        let mut s = vec![0; k.public_modulus_len()];
        k.sign(&sig::RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), msg, &mut s).unwrap();
        let mut n = vec![0u8];
        n.extend(k.public_key().modulus().big_endian_without_leading_zero());
        // Our decoder takes both; jsonwebtoken's alone would refuse the padding.
        let n = base64::engine::general_purpose::URL_SAFE.encode(&n);
        assert!(n.ends_with('='), "{n}");
        let e = B64URL.encode(k.public_key().exponent().big_endian_without_leading_zero());
        let jwk: Jwk = serde_json::from_value(serde_json::json!({"kty": "RSA", "n": n, "e": e})).unwrap();
        assert_eq!(verify_jwk(Alg::RS256, &jwk, msg, &s), Ok(()));
        assert_eq!(verify_jwk(Alg::RS256, &jwk, b"eyJhbGciOiJSUzI1NiJ9.e30", &s), Err(VerifyError::Invalid));
        assert_eq!(verify_jwk(Alg::PS256, &jwk, msg, &s), Err(VerifyError::Invalid), "the alg is ours, not the key's");
    }

    #[test]
    fn an_ec_point_off_the_curve_is_reported_as_the_keys_fault() {
        let c = B64URL.encode([1u8; 32]);
        let jwk: Jwk =
            serde_json::from_value(serde_json::json!({"kty": "EC", "crv": "P-256", "x": c, "y": c})).unwrap();
        match verify_jwk(Alg::ES256, &jwk, b"a.b", &[1u8; 64]) {
            Err(VerifyError::BadKey(why)) => assert!(why.contains("not a point on the curve"), "{why}"),
            other => panic!("expected an unusable key, got {other:?}"),
        }
        let short = B64URL.encode([1u8; 31]);
        let jwk: Jwk =
            serde_json::from_value(serde_json::json!({"kty": "EC", "crv": "P-256", "x": short, "y": c})).unwrap();
        assert_eq!(
            verify_jwk(Alg::ES256, &jwk, b"a.b", &[1u8; 64]),
            Err(VerifyError::BadKey("EC coordinates must be 32 bytes each (RFC 7518 §6.2.1.2)".into()))
        );
    }
}
