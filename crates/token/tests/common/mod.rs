//! Test support: keys generated at test time, a JWS signer, and a tiny HTTP server that counts
//! connections (for JWKS caching, refetch and "jku is never fetched").
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, KeyPair as _};
use aws_lc_rs::{hmac, rsa};
use base64::Engine;
use serde_json::{Value, json};

pub const NOW: i64 = 1_700_000_000;

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub struct TestKeys {
    pub rsa: rsa::KeyPair,
    pub rsa2: rsa::KeyPair,
    pub ec256: sig::EcdsaKeyPair,
    pub ec384: sig::EcdsaKeyPair,
    pub ed: sig::Ed25519KeyPair,
}

/// Generated once per test binary.
pub fn keys() -> &'static TestKeys {
    static K: OnceLock<TestKeys> = OnceLock::new();
    K.get_or_init(|| TestKeys {
        rsa: rsa::KeyPair::generate(rsa::KeySize::Rsa2048).unwrap(),
        rsa2: rsa::KeyPair::generate(rsa::KeySize::Rsa2048).unwrap(),
        ec256: sig::EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap(),
        ec384: sig::EcdsaKeyPair::generate(&sig::ECDSA_P384_SHA384_FIXED_SIGNING).unwrap(),
        ed: sig::Ed25519KeyPair::generate().unwrap(),
    })
}

pub fn rsa_jwk(k: &rsa::KeyPair, kid: &str) -> Value {
    let p = k.public_key();
    json!({"kty": "RSA", "kid": kid, "use": "sig",
           "n": b64(p.modulus().big_endian_without_leading_zero()),
           "e": b64(p.exponent().big_endian_without_leading_zero())})
}

pub fn ec_jwk(k: &sig::EcdsaKeyPair, crv: &str, kid: &str) -> Value {
    let point = k.public_key().as_ref();
    let len = (point.len() - 1) / 2;
    json!({"kty": "EC", "crv": crv, "kid": kid, "x": b64(&point[1..1 + len]), "y": b64(&point[1 + len..])})
}

pub fn ed_jwk(k: &sig::Ed25519KeyPair, kid: &str) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(k.public_key().as_ref())})
}

pub fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

pub enum Signer<'a> {
    Rsa(&'a rsa::KeyPair),
    Ec(&'a sig::EcdsaKeyPair),
    Ed(&'a sig::Ed25519KeyPair),
    Hmac(&'a [u8]),
    /// Empty signature (alg none).
    Unsigned,
}

/// Signs `header.claims` with the algorithm named in the header.
pub fn sign(header: &Value, claims: &Value, signer: Signer) -> String {
    let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let alg = header["alg"].as_str().unwrap_or("");
    let rng = SystemRandom::new();
    let signature: Vec<u8> = match signer {
        Signer::Rsa(k) => {
            let enc: &'static dyn sig::RsaEncoding = match alg {
                "RS256" => &sig::RSA_PKCS1_SHA256,
                "RS384" => &sig::RSA_PKCS1_SHA384,
                "RS512" => &sig::RSA_PKCS1_SHA512,
                "PS256" => &sig::RSA_PSS_SHA256,
                "PS384" => &sig::RSA_PSS_SHA384,
                "PS512" => &sig::RSA_PSS_SHA512,
                other => panic!("test signer: RSA cannot do {other}"),
            };
            let mut s = vec![0u8; k.public_modulus_len()];
            k.sign(enc, &rng, input.as_bytes(), &mut s).unwrap();
            s
        }
        Signer::Ec(k) => k.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
        Signer::Ed(k) => k.sign(input.as_bytes()).as_ref().to_vec(),
        Signer::Hmac(secret) => {
            let a = match alg {
                "HS384" => hmac::HMAC_SHA384,
                "HS512" => hmac::HMAC_SHA512,
                _ => hmac::HMAC_SHA256,
            };
            hmac::sign(&hmac::Key::new(a, secret), input.as_bytes()).as_ref().to_vec()
        }
        Signer::Unsigned => Vec::new(),
    };
    format!("{input}.{}", b64(&signature))
}

/// Claims valid at `NOW` for issuer `https://issuer.test` and audience `api`.
pub fn base_claims() -> Value {
    json!({"iss": "https://issuer.test", "sub": "user-1", "aud": "api", "exp": NOW + 600, "iat": NOW - 10,
           "nbf": NOW - 10, "scope": "orders.read profile"})
}

pub fn rs256(kid: &str, claims: &Value) -> String {
    sign(&json!({"alg": "RS256", "kid": kid, "typ": "JWT"}), claims, Signer::Rsa(&keys().rsa))
}

pub fn write_jwks(dir: &tempfile::TempDir, keys: &[Value]) -> String {
    let p = dir.path().join("jwks.json");
    std::fs::write(&p, jwks(keys)).unwrap();
    p.display().to_string()
}

#[derive(Clone)]
pub struct Route {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

/// A one-request-per-connection HTTP/1.1 server on 127.0.0.1.
pub struct Server {
    pub base: String,
    pub hits: Arc<AtomicUsize>,
    pub paths: Arc<Mutex<Vec<String>>>,
    routes: Arc<Mutex<HashMap<String, Route>>>,
}

impl Server {
    pub async fn start() -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let paths = Arc::new(Mutex::new(Vec::new()));
        let routes: Arc<Mutex<HashMap<String, Route>>> = Arc::default();
        let (h, p, r) = (hits.clone(), paths.clone(), routes.clone());
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            loop {
                let Ok((mut sock, _)) = listener.accept().await else { break };
                h.fetch_add(1, Ordering::SeqCst);
                let (p, r) = (p.clone(), r.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 2048];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&buf).to_string();
                    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                    p.lock().unwrap().push(path.clone());
                    let route = r.lock().unwrap().get(&path).cloned().unwrap_or(Route {
                        status: 404,
                        body: "not found".into(),
                        headers: vec![],
                    });
                    let mut resp = format!(
                        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                        route.status,
                        route.body.len()
                    );
                    for (n, v) in &route.headers {
                        resp.push_str(&format!("{n}: {v}\r\n"));
                    }
                    resp.push_str("\r\n");
                    resp.push_str(&route.body);
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Server { base, hits, paths, routes }
    }

    pub fn route(&self, path: &str, status: u16, body: impl Into<String>, headers: &[(&str, &str)]) {
        self.routes.lock().unwrap().insert(
            path.to_string(),
            Route {
                status,
                body: body.into(),
                headers: headers.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            },
        );
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}
