//! Keys over HTTP against a real local server: discovery, Cache-Control caching, one refetch on an
//! unknown kid (rotation), fetch failures and redirects.

mod common;

use std::time::Duration;

use common::*;
use inspector_token::checks::{Options, Problem, Status};
use inspector_token::{JwksFetcher, JwksSource, KeySource, inspect};

fn opts() -> Options {
    Options { now: NOW, ..Options::default() }
}

fn url_keys(url: String) -> KeySource {
    KeySource { jwks: Some(JwksSource::Url(url)), secret: None }
}

#[tokio::test]
async fn jwks_url_is_cached_per_cache_control() {
    let s = Server::start().await;
    s.route("/jwks", 200, jwks(&[rsa_jwk(&keys().rsa, "k1")]), &[("Cache-Control", "public, max-age=300")]);
    let f = JwksFetcher::new();
    let src = url_keys(s.url("/jwks"));
    for _ in 0..3 {
        let r = inspect(&rs256("k1", &base_claims()), &src, &opts(), &f).await.unwrap();
        assert!(r.valid, "{:#?}", r.checks);
    }
    assert_eq!(s.hits(), 1, "max-age=300 should serve the 2nd and 3rd from cache");

    s.route("/nocache", 200, jwks(&[rsa_jwk(&keys().rsa, "k1")]), &[("Cache-Control", "no-store")]);
    let src = url_keys(s.url("/nocache"));
    for _ in 0..2 {
        assert!(inspect(&rs256("k1", &base_claims()), &src, &opts(), &f).await.unwrap().valid);
    }
    assert_eq!(s.hits(), 3, "no-store must be fetched every time");
}

#[tokio::test]
async fn unknown_kid_refetches_once_for_rotation() {
    let s = Server::start().await;
    s.route("/jwks", 200, jwks(&[rsa_jwk(&keys().rsa, "old")]), &[("Cache-Control", "max-age=3600")]);
    let mut f = JwksFetcher::new();
    f.refetch_cooldown = Duration::ZERO;
    let keys_src = url_keys(s.url("/jwks"));
    let r = inspect(&rs256("old", &base_claims()), &keys_src, &opts(), &f).await.unwrap();
    assert!(r.valid);
    assert_eq!(s.hits(), 1);

    // The issuer rotates: the new key appears, the cached set does not have it.
    s.route(
        "/jwks",
        200,
        jwks(&[rsa_jwk(&keys().rsa, "old"), rsa_jwk(&keys().rsa, "new")]),
        &[("Cache-Control", "max-age=3600")],
    );
    let r = inspect(&rs256("new", &base_claims()), &keys_src, &opts(), &f).await.unwrap();
    assert!(r.valid, "{:#?}", r.checks);
    assert_eq!(s.hits(), 2, "exactly one refetch");
    assert!(r.notes.iter().any(|n| n.contains("again")), "{:?}", r.notes);

    // A kid that never exists: one refetch, then unknown_key (not a loop).
    let r = inspect(&rs256("ghost", &base_claims()), &keys_src, &opts(), &f).await.unwrap();
    assert!(r.problems.contains(&Problem::UnknownKey));
    assert_eq!(s.hits(), 3);

    // Within the cooldown no refetch happens.
    let f2 = JwksFetcher::new();
    let _ = inspect(&rs256("old", &base_claims()), &keys_src, &opts(), &f2).await.unwrap();
    let before = s.hits();
    let r = inspect(&rs256("ghost", &base_claims()), &keys_src, &opts(), &f2).await.unwrap();
    assert!(r.problems.contains(&Problem::UnknownKey));
    assert_eq!(s.hits(), before);
}

#[tokio::test]
async fn issuer_discovery_finds_the_jwks() {
    let s = Server::start().await;
    let issuer = s.url("/realms/demo");
    s.route(
        "/realms/demo/.well-known/openid-configuration",
        200,
        serde_json::json!({"issuer": issuer, "jwks_uri": s.url("/realms/demo/certs")}).to_string(),
        &[],
    );
    s.route("/realms/demo/certs", 200, jwks(&[ec_jwk(&keys().ec256, "P-256", "e1")]), &[]);
    let mut claims = base_claims();
    claims["iss"] = serde_json::json!(issuer);
    let t = sign(&serde_json::json!({"alg": "ES256", "kid": "e1"}), &claims, Signer::Ec(&keys().ec256));
    let f = JwksFetcher::new();
    let ks = KeySource { jwks: Some(JwksSource::Issuer(format!("{issuer}/"))), secret: None };
    let o = Options { expected_issuer: Some(issuer.clone()), ..opts() };
    let r = inspect(&t, &ks, &o, &f).await.unwrap();
    assert!(r.valid, "{:#?}", r.checks);
    assert_eq!(
        s.paths.lock().unwrap().as_slice(),
        ["/realms/demo/.well-known/openid-configuration", "/realms/demo/certs"]
    );
}

#[tokio::test]
async fn unreachable_or_redirected_keys_skip_the_signature() {
    let s = Server::start().await;
    s.route("/moved", 302, "", &[("Location", "/elsewhere")]);
    s.route("/elsewhere", 200, jwks(&[rsa_jwk(&keys().rsa, "k1")]), &[]);
    let f = JwksFetcher::new();
    for path in ["/missing", "/moved"] {
        let r = inspect(&rs256("k1", &base_claims()), &url_keys(s.url(path)), &opts(), &f).await.unwrap();
        assert!(!r.valid);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let sig = r.checks.iter().find(|c| c.id == "signature").unwrap();
        assert_eq!(sig.status, Status::Skip);
        assert!(sig.message.contains("unavailable"), "{}", sig.message);
    }
    assert!(!s.paths.lock().unwrap().contains(&"/elsewhere".to_string()), "redirect was followed");
}
