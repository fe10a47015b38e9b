//! Signing keys generated at start (one RS256, one ES256), JWT signing and the public JWKS.
//! Key ids are RFC 7638 thumbprints.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    RS256,
    ES256,
}

pub struct SigningKeys {
    rsa: RsaKeyPair,
    ec: EcdsaKeyPair,
    rsa_jwk: Value,
    ec_jwk: Value,
    rng: SystemRandom,
}

fn thumbprint(canonical: &Value) -> String {
    // serde_json's Map is ordered by key, which is what RFC 7638 asks for.
    B64.encode(digest(&SHA256, canonical.to_string().as_bytes()))
}

impl SigningKeys {
    pub fn generate() -> Self {
        let rsa = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("EC key generation");
        let c = RsaPublicKeyComponents::<Vec<u8>>::from(rsa.public_key());
        let rsa_canon = json!({"e": B64.encode(&c.e), "kty": "RSA", "n": B64.encode(&c.n)});
        let point = ec.public_key().as_ref();
        let ec_canon =
            json!({"crv": "P-256", "kty": "EC", "x": B64.encode(&point[1..33]), "y": B64.encode(&point[33..65])});
        let mut rsa_jwk = rsa_canon.clone();
        rsa_jwk["kid"] = json!(thumbprint(&rsa_canon));
        rsa_jwk["alg"] = json!("RS256");
        rsa_jwk["use"] = json!("sig");
        let mut ec_jwk = ec_canon.clone();
        ec_jwk["kid"] = json!(thumbprint(&ec_canon));
        ec_jwk["alg"] = json!("ES256");
        ec_jwk["use"] = json!("sig");
        Self { rsa, ec, rsa_jwk, ec_jwk, rng: SystemRandom::new() }
    }

    pub fn jwks(&self) -> Value {
        json!({"keys": [self.rsa_jwk, self.ec_jwk]})
    }

    pub fn kid(&self, alg: Alg) -> &str {
        let jwk = if alg == Alg::RS256 { &self.rsa_jwk } else { &self.ec_jwk };
        jwk["kid"].as_str().unwrap_or_default()
    }

    /// A compact JWS of `claims` with `typ` in the header.
    pub fn sign(&self, alg: Alg, typ: &str, claims: &Value) -> String {
        let header =
            json!({"alg": if alg == Alg::RS256 { "RS256" } else { "ES256" }, "kid": self.kid(alg), "typ": typ});
        let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(claims.to_string()));
        let sig = match alg {
            Alg::RS256 => {
                let mut sig = vec![0; self.rsa.public_modulus_len()];
                self.rsa.sign(&RSA_PKCS1_SHA256, &self.rng, input.as_bytes(), &mut sig).expect("RSA signing");
                sig
            }
            Alg::ES256 => self.ec.sign(&self.rng, input.as_bytes()).expect("EC signing").as_ref().to_vec(),
        };
        format!("{input}.{}", B64.encode(sig))
    }
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
}
