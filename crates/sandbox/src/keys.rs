//! Signing keys generated at start (one RS256, one ES256), JWT signing and the public JWKS.
//! Key ids are RFC 7638 thumbprints. jsonwebtoken signs (`crypto::sign`), exports the public JWK
//! (`Jwk::from_encoding_key`) and computes the thumbprint; aws-lc-rs only generates the keys,
//! which jsonwebtoken cannot do.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

// The unit test below verifies with the published key through `use super::*`.
#[cfg(test)]
use aws_lc_rs::signature::RsaPublicKeyComponents;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    RS256,
    ES256,
}

impl Alg {
    fn jose(self) -> Algorithm {
        match self {
            Alg::RS256 => Algorithm::RS256,
            Alg::ES256 => Algorithm::ES256,
        }
    }
}

pub struct SigningKeys {
    /// PKCS#1 `RSAPrivateKey` DER, the RSA form jsonwebtoken signs with.
    rsa: EncodingKey,
    /// PKCS#8 DER, the EC form it signs with.
    ec: EncodingKey,
    rsa_jwk: Value,
    ec_jwk: Value,
}

/// The public half of `key` as a JWK with `kid` (its RFC 7638 thumbprint), `alg` and `use`.
fn public_jwk(key: &EncodingKey, alg: Algorithm) -> Value {
    let mut jwk = Jwk::from_encoding_key(key, alg).expect("public JWK of a key generated here");
    jwk.common.key_id = Some(jwk.thumbprint(ThumbprintHash::SHA256).expect("thumbprint of an RSA or EC JWK"));
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    serde_json::to_value(&jwk).expect("a JWK serialises")
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

impl SigningKeys {
    pub fn generate() -> Self {
        let rsa = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let pkcs8 = AsDer::<Pkcs8V1Der>::as_der(&rsa).expect("PKCS#8 of the RSA key");
        let rsa = EncodingKey::from_rsa_der(pkcs8_private_key(pkcs8.as_ref()).expect("PKCS#1 inside PKCS#8"));
        let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("EC key generation");
        let ec = EncodingKey::from_ec_der(ec.to_pkcs8v1().expect("PKCS#8 of the EC key").as_ref());
        // Building the JWKs parses both keys, so a key jsonwebtoken could not sign with fails here.
        let rsa_jwk = public_jwk(&rsa, Algorithm::RS256);
        let ec_jwk = public_jwk(&ec, Algorithm::ES256);
        Self { rsa, ec, rsa_jwk, ec_jwk }
    }

    pub fn jwks(&self) -> Value {
        json!({"keys": [self.rsa_jwk, self.ec_jwk]})
    }

    pub fn kid(&self, alg: Alg) -> &str {
        let jwk = if alg == Alg::RS256 { &self.rsa_jwk } else { &self.ec_jwk };
        jwk["kid"].as_str().unwrap_or_default()
    }

    /// A compact JWS of `claims` with `typ` in the header. The header is ours (members in name
    /// order, any `typ`), the signature jsonwebtoken's.
    pub fn sign(&self, alg: Alg, typ: &str, claims: &Value) -> String {
        let header =
            json!({"alg": if alg == Alg::RS256 { "RS256" } else { "ES256" }, "kid": self.kid(alg), "typ": typ});
        let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(claims.to_string()));
        let key = if alg == Alg::RS256 { &self.rsa } else { &self.ec };
        let sig = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg.jose()).expect("signing with a key made here");
        format!("{input}.{sig}")
    }

    /// The claims of `jwt` when it is signed by one of these keys: its `kid` one of ours, its
    /// `alg` that key's, its signature good. Claims are not judged here (the caller checks `iss`,
    /// `aud`, `exp`). The error says which of these it is not.
    pub fn verify(&self, jwt: &str) -> Result<Value, &'static str> {
        let (input, sig) = jwt.rsplit_once('.').ok_or("the access token is not a JWT")?;
        let (header, payload) = input.split_once('.').ok_or("the access token is not a JWT")?;
        let decode = |part: &str| -> Option<Value> { serde_json::from_slice(&B64.decode(part).ok()?).ok() };
        let header = decode(header).ok_or("the access token's JWT header is not base64url JSON")?;
        let (alg, jwk) = match header["alg"].as_str() {
            Some("RS256") => (Algorithm::RS256, &self.rsa_jwk),
            Some("ES256") => (Algorithm::ES256, &self.ec_jwk),
            _ => return Err("the access token is not signed with an algorithm of this server"),
        };
        if header["kid"] != jwk["kid"] {
            return Err("the access token's kid is not a key of this server");
        }
        let jwk: Jwk = serde_json::from_value(jwk.clone()).map_err(|_| "the server's own JWK does not parse")?;
        let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).map_err(|_| "the server's own JWK does not load")?;
        match jsonwebtoken::crypto::verify(sig, input.as_bytes(), &decoding, alg) {
            Ok(true) => decode(payload).filter(Value::is_object).ok_or("the access token's claims are not JSON"),
            _ => Err("the access token's signature does not verify"),
        }
    }
}

/// A compact JWS of `claims` signed by an ES256 key made for this one token and then forgotten:
/// its `kid` is in no key set, as after a key rotation the client has not seen.
pub fn sign_with_throwaway_key(typ: &str, claims: &Value) -> String {
    let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("EC key generation");
    let key = EncodingKey::from_ec_der(key.to_pkcs8v1().expect("PKCS#8 of the EC key").as_ref());
    let kid = format!("unknown-{}", crate::grants::random_token(8));
    let header = json!({"alg": "ES256", "kid": kid, "typ": typ});
    let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(claims.to_string()));
    let sig =
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::ES256).expect("signing with a key made here");
    format!("{input}.{sig}")
}

/// An unsigned JWS (`alg: none`, RFC 7519 §6): what no client may accept as an ID token.
pub fn unsigned(typ: &str, claims: &Value) -> String {
    let header = json!({"alg": "none", "typ": typ});
    format!("{}.{}.", B64.encode(header.to_string()), B64.encode(claims.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    #[test]
    fn signatures_verify_with_the_published_keys() {
        let keys = SigningKeys::generate();
        let jwks = keys.jwks();
        for alg in [Alg::RS256, Alg::ES256] {
            let jwt = keys.sign(alg, "at+jwt", &json!({"sub": "x"}));
            let (input, sig) = jwt.rsplit_once('.').unwrap();
            let sig = B64.decode(sig).unwrap();
            let header: Value = serde_json::from_slice(&B64.decode(input.split('.').next().unwrap()).unwrap()).unwrap();
            assert_eq!(header["typ"], "at+jwt");
            let jwk = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).unwrap();
            let ok = match alg {
                Alg::RS256 => {
                    let n = B64.decode(jwk["n"].as_str().unwrap()).unwrap();
                    let e = B64.decode(jwk["e"].as_str().unwrap()).unwrap();
                    RsaPublicKeyComponents { n: &n[..], e: &e[..] }
                        .verify(&RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &sig)
                        .is_ok()
                }
                Alg::ES256 => {
                    let mut point = vec![4u8];
                    point.extend(B64.decode(jwk["x"].as_str().unwrap()).unwrap());
                    point.extend(B64.decode(jwk["y"].as_str().unwrap()).unwrap());
                    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point).verify(input.as_bytes(), &sig).is_ok()
                }
            };
            assert!(ok, "{alg:?} signature must verify");
        }
    }

    #[test]
    fn kids_are_rfc7638_thumbprints_and_the_jwks_holds_no_private_member() {
        let keys = SigningKeys::generate();
        let jwks = keys.jwks();
        let published = jwks["keys"].as_array().unwrap();
        assert_eq!(published.len(), 2);
        for (jwk, alg) in published.iter().zip(["RS256", "ES256"]) {
            let canonical = match alg {
                "RS256" => json!({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}),
                _ => json!({"crv": "P-256", "kty": "EC", "x": jwk["x"], "y": jwk["y"]}),
            };
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.to_string().as_bytes());
            assert_eq!(jwk["kid"], B64.encode(digest), "{jwk}");
            assert_eq!((jwk["alg"].as_str(), jwk["use"].as_str()), (Some(alg), Some("sig")), "{jwk}");
            for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
                assert!(jwk.get(private).is_none(), "the JWKS publishes {private}: {jwk}");
            }
        }
        assert_eq!(keys.kid(Alg::ES256), published[1]["kid"]);
    }
}
