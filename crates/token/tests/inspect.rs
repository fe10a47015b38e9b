//! Validation through the library API: each problem code from a crafted token, the algorithms,
//! algorithm confusion, alg none, header key references, huge numbers.

mod common;

use aws_lc_rs::signature::KeyPair as _;
use common::*;
use inspector_token::checks::{Options, Problem, Status};
use inspector_token::{Format, JwksFetcher, JwksSource, KeySource, Report, Secret, inspect};
use serde_json::json;

fn opts() -> Options {
    Options { now: NOW, ..Options::default() }
}

struct Fixture {
    _dir: tempfile::TempDir,
    keys: KeySource,
}

/// A JWKS file with the main RSA key ("k1"), an EC P-256 ("e1"), an EC P-384 ("e2") and an Ed25519 key ("d1").
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let k = keys();
    let path = write_jwks(
        &dir,
        &[rsa_jwk(&k.rsa, "k1"), ec_jwk(&k.ec256, "P-256", "e1"), ec_jwk(&k.ec384, "P-384", "e2"), ed_jwk(&k.ed, "d1")],
    );
    Fixture { _dir: dir, keys: KeySource { jwks: Some(JwksSource::File(path.into())), secret: None } }
}

async fn run(token: &str, keys: &KeySource, o: &Options) -> Report {
    let r = inspect(token, keys, o, &JwksFetcher::new()).await.expect("inspect");
    // The contract's invariants, on every report.
    assert!(!r.valid || r.problems.is_empty(), "valid with problems: {:?}", r.problems);
    for p in &r.problems {
        assert!(
            r.checks.iter().any(|c| c.status == Status::Fail && c.problem == Some(p.as_str())),
            "problem {p:?} without a failed check"
        );
    }
    r
}

fn has(r: &Report, p: Problem) -> bool {
    r.problems.contains(&p)
}

#[tokio::test]
async fn valid_rs256_with_jwks_file_passes() {
    let f = fixture();
    let o = Options { expected_issuer: Some("https://issuer.test".into()), audiences: vec!["api".into()], ..opts() };
    let r = run(&rs256("k1", &base_claims()), &f.keys, &o).await;
    assert_eq!(r.format, Format::Jwt);
    assert!(r.valid, "{:#?}", r.checks);
    let sig = r.checks.iter().find(|c| c.id == "signature").unwrap();
    assert_eq!(sig.status, Status::Pass);
    assert!(r.problems.is_empty());
}

#[tokio::test]
async fn every_supported_algorithm_verifies_and_a_flipped_bit_does_not() {
    let f = fixture();
    let k = keys();
    let c = base_claims();
    let secret = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let tokens = vec![
        ("RS256", sign(&json!({"alg":"RS256","kid":"k1"}), &c, Signer::Rsa(&k.rsa))),
        ("RS384", sign(&json!({"alg":"RS384","kid":"k1"}), &c, Signer::Rsa(&k.rsa))),
        ("RS512", sign(&json!({"alg":"RS512","kid":"k1"}), &c, Signer::Rsa(&k.rsa))),
        ("PS256", sign(&json!({"alg":"PS256","kid":"k1"}), &c, Signer::Rsa(&k.rsa))),
        ("PS384", sign(&json!({"alg":"PS384","kid":"k1"}), &c, Signer::Rsa(&k.rsa))),
        ("PS512", sign(&json!({"alg":"PS512","kid":"k1"}), &c, Signer::Rsa(&k.rsa))),
        ("ES256", sign(&json!({"alg":"ES256","kid":"e1"}), &c, Signer::Ec(&k.ec256))),
        ("ES384", sign(&json!({"alg":"ES384","kid":"e2"}), &c, Signer::Ec(&k.ec384))),
        ("EdDSA", sign(&json!({"alg":"EdDSA","kid":"d1"}), &c, Signer::Ed(&k.ed))),
        ("HS256", sign(&json!({"alg":"HS256"}), &c, Signer::Hmac(secret))),
        ("HS384", sign(&json!({"alg":"HS384"}), &c, Signer::Hmac(secret))),
        ("HS512", sign(&json!({"alg":"HS512"}), &c, Signer::Hmac(secret))),
    ];
    let both = KeySource { jwks: f.keys.jwks.clone(), secret: Some(Secret::new(&secret[..])) };
    for (alg, t) in tokens {
        let r = run(&t, &both, &opts()).await;
        assert!(r.valid, "{alg}: {:#?}", r.checks);
        // Flip one character of the signature.
        let mut bytes = t.into_bytes();
        let i = bytes.len() - 5;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let r = run(std::str::from_utf8(&bytes).unwrap(), &both, &opts()).await;
        assert!(!r.valid && has(&r, Problem::BadSignature), "{alg} tampered: {:?}", r.problems);
    }
}

#[tokio::test]
async fn alg_none_in_any_case_is_never_valid() {
    let f = fixture();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let t = sign(&json!({"alg": alg}), &base_claims(), Signer::Unsigned);
        for keys in [&f.keys, &KeySource::default(), &KeySource { jwks: None, secret: Some(Secret::new("s")) }] {
            let r = run(&t, keys, &opts()).await;
            assert!(!r.valid);
            assert!(has(&r, Problem::AlgNone), "{alg}: {:?}", r.problems);
        }
    }
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_algorithm_confusion() {
    let f = fixture();
    let jwk = rsa_jwk(&keys().rsa, "k1");
    // The classic attack: use the public key (here its JWK text and its modulus) as the HMAC secret.
    for secret in [jwk.to_string().into_bytes(), keys().rsa.public_key().as_ref().to_vec()] {
        let t = sign(&json!({"alg": "HS256", "kid": "k1"}), &base_claims(), Signer::Hmac(&secret));
        let r = run(&t, &f.keys, &opts()).await;
        assert!(!r.valid);
        assert!(has(&r, Problem::AlgNotAllowed), "{:?}", r.problems);
        assert_ne!(r.checks.iter().find(|c| c.id == "signature").unwrap().status, Status::Pass);
    }
    // And a secret cannot verify an RSA token either.
    let r = run(
        &rs256("k1", &base_claims()),
        &KeySource { jwks: None, secret: Some(Secret::new("x".repeat(40))) },
        &opts(),
    )
    .await;
    assert!(has(&r, Problem::AlgNotAllowed));
}

#[tokio::test]
async fn unsupported_algorithm_and_key_type_mismatch() {
    let f = fixture();
    let t = sign(&json!({"alg": "ES512", "kid": "e1"}), &base_claims(), Signer::Unsigned);
    assert!(has(&run(&t, &f.keys, &opts()).await, Problem::AlgNotAllowed));
    // RS256 naming an EC key's kid.
    let t = sign(&json!({"alg": "RS256", "kid": "e1"}), &base_claims(), Signer::Rsa(&keys().rsa));
    let r = run(&t, &f.keys, &opts()).await;
    assert!(!r.valid && has(&r, Problem::AlgNotAllowed), "{:?}", r.problems);
}

#[tokio::test]
async fn unknown_kid_and_kidless_tokens() {
    let f = fixture();
    let r = run(&rs256("nope", &base_claims()), &f.keys, &opts()).await;
    assert!(!r.valid && has(&r, Problem::UnknownKey), "{:?}", r.problems);
    let sig = r.checks.iter().find(|c| c.id == "signature").unwrap();
    assert_eq!(sig.actual.as_deref(), Some("nope"));

    // Without a kid, every key of a matching type is tried: a second RSA key first does not matter.
    let dir = tempfile::tempdir().unwrap();
    let k = keys();
    let path = write_jwks(&dir, &[ec_jwk(&k.ec256, "P-256", "e1"), rsa_jwk(&k.rsa2, "other"), rsa_jwk(&k.rsa, "k1")]);
    let ks = KeySource { jwks: Some(JwksSource::File(path.into())), secret: None };
    let t = sign(&json!({"alg": "RS256"}), &base_claims(), Signer::Rsa(&k.rsa));
    assert!(run(&t, &ks, &opts()).await.valid);
    // ...and when none fits, it is an unknown key.
    let t = sign(&json!({"alg": "EdDSA"}), &base_claims(), Signer::Ed(&k.ed));
    assert!(has(&run(&t, &ks, &opts()).await, Problem::UnknownKey));
}

#[tokio::test]
async fn no_key_skips_the_signature_without_a_problem() {
    let r = run(&rs256("k1", &base_claims()), &KeySource::default(), &opts()).await;
    assert!(!r.valid);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.checks.iter().find(|c| c.id == "signature").unwrap().status, Status::Skip);
}

#[tokio::test]
async fn time_claims_with_leeway() {
    let f = fixture();
    let mut c = base_claims();
    c["exp"] = json!(NOW - 61);
    assert!(has(&run(&rs256("k1", &c), &f.keys, &opts()).await, Problem::Expired));
    c["exp"] = json!(NOW - 59); // inside the 60 s leeway
    assert!(run(&rs256("k1", &c), &f.keys, &opts()).await.valid);
    let o = Options { leeway: 0, ..opts() };
    assert!(has(&run(&rs256("k1", &c), &f.keys, &o).await, Problem::Expired));

    let mut c = base_claims();
    c["nbf"] = json!(NOW + 61);
    assert!(has(&run(&rs256("k1", &c), &f.keys, &opts()).await, Problem::NotYetValid));
    let mut c = base_claims();
    c["iat"] = json!(NOW + 3600);
    let r = run(&rs256("k1", &c), &f.keys, &opts()).await;
    assert!(has(&r, Problem::IssuedInFuture));
    assert!(!has(&r, Problem::Expired));

    // Human times in the annotations.
    let mut c = base_claims();
    c["exp"] = json!(NOW - 3 * 3600 - 30);
    let r = run(&rs256("k1", &c), &f.keys, &opts()).await;
    let exp = r.claim_info.iter().find(|a| a.name == "exp").unwrap();
    assert!(exp.time.as_deref().unwrap().ends_with("expired 3 h ago"), "{:?}", exp.time);
}

#[tokio::test]
async fn huge_numbers_never_panic() {
    let f = fixture();
    for (raw, expired) in [
        ("1e400", false),
        ("99999999999999999999999", false),
        ("-1e400", true),
        ("1.5e308", false),
        ("-99999999999999999999999", true),
    ] {
        // Build the payload by hand: serde_json cannot hold 1e400.
        let header = b64(br#"{"alg":"RS256","kid":"k1"}"#);
        let payload = b64(format!(r#"{{"sub":"u","exp":{raw},"nbf":{raw},"iat":{raw}}}"#).as_bytes());
        let input = format!("{header}.{payload}");
        let mut s = vec![0u8; keys().rsa.public_modulus_len()];
        keys()
            .rsa
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                input.as_bytes(),
                &mut s,
            )
            .unwrap();
        let t = format!("{input}.{}", b64(&s));
        let r = run(&t, &f.keys, &opts()).await;
        assert_eq!(r.format, Format::Jwt, "{raw}");
        assert_eq!(has(&r, Problem::Expired), expired, "{raw}: {:?}", r.problems);
        assert_eq!(has(&r, Problem::NotYetValid), !expired, "{raw}: {:?}", r.problems);
        assert!(!has(&r, Problem::Malformed), "{raw}");
        for now in [i64::MAX, i64::MIN] {
            let o = Options { now, leeway: u64::MAX, ..opts() };
            let _ = run(&t, &f.keys, &o).await;
        }
    }
}

#[tokio::test]
async fn wrongly_typed_claims_keep_format_jwt_and_are_malformed() {
    let f = fixture();
    for (claim, value) in [("exp", json!("tomorrow")), ("aud", json!(42)), ("iss", json!(["a"])), ("nbf", json!(null))]
    {
        let mut c = base_claims();
        c[claim] = value;
        let r = run(&rs256("k1", &c), &f.keys, &opts()).await;
        assert_eq!(r.format, Format::Jwt);
        assert!(has(&r, Problem::Malformed), "{claim}: {:?}", r.problems);
    }
    // A signature segment that is not base64url.
    let t = rs256("k1", &base_claims());
    let broken = format!("{}.%%%", &t[..t.rfind('.').unwrap()]);
    assert!(has(&run(&broken, &f.keys, &opts()).await, Problem::Malformed));
}

#[tokio::test]
async fn issuer_audience_and_scope() {
    let f = fixture();
    let t = rs256(
        "k1",
        &json!({"iss": "https://issuer.test", "aud": ["other", "api", "third"], "exp": NOW + 60,
                                 "scope": "orders.readwrite profile", "scp": ["admin"]}),
    );
    let o = Options { expected_issuer: Some("https://evil.test".into()), ..opts() };
    assert!(has(&run(&t, &f.keys, &o).await, Problem::IssuerMismatch));

    // One audience among several is enough.
    let o = Options { audiences: vec!["api".into()], ..opts() };
    assert!(run(&t, &f.keys, &o).await.valid);
    let o = Options { audiences: vec!["billing".into(), "nope".into()], ..opts() };
    assert!(has(&run(&t, &f.keys, &o).await, Problem::AudienceMismatch));

    // Whole words only: orders.read is not granted by orders.readwrite.
    let o = Options { scopes: vec!["orders.read".into()], ..opts() };
    let r = run(&t, &f.keys, &o).await;
    assert!(has(&r, Problem::InsufficientScope), "{:?}", r.problems);
    let o = Options { scopes: vec!["orders.readwrite admin".into(), "profile".into()], ..opts() };
    assert!(run(&t, &f.keys, &o).await.valid);
    let t2 = rs256("k1", &json!({"exp": NOW + 60, "scp": "a b"}));
    let o = Options { scopes: vec!["b".into()], ..opts() };
    assert!(run(&t2, &f.keys, &o).await.valid);
    let o = Options { scopes: vec!["c".into()], ..opts() };
    assert!(has(&run(&t2, &f.keys, &o).await, Problem::InsufficientScope));
}

#[tokio::test]
async fn id_token_rules() {
    let f = fixture();
    let at = "SlAV32hkKG-access-token";
    let at_hash = {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, at.as_bytes());
        b64(&d.as_ref()[..16])
    };
    let claims = json!({"iss": "https://issuer.test", "sub": "u", "aud": "client-1", "exp": NOW + 300, "iat": NOW,
                        "nonce": "n-0S6_WzA2Mj", "at_hash": at_hash, "azp": "client-1"});
    let good = Options {
        client_id: Some("client-1".into()),
        nonce: Some("n-0S6_WzA2Mj".into()),
        access_token: Some(Secret::new(at)),
        expected_issuer: Some("https://issuer.test".into()),
        ..opts()
    };
    let r = run(&rs256("k1", &claims), &f.keys, &good).await;
    assert!(r.valid, "{:#?}", r.checks);

    let o = Options { nonce: Some("other".into()), ..good.clone() };
    assert!(has(&run(&rs256("k1", &claims), &f.keys, &o).await, Problem::NonceMismatch));
    let o = Options { access_token: Some(Secret::new("another-token")), ..good.clone() };
    assert!(has(&run(&rs256("k1", &claims), &f.keys, &o).await, Problem::AtHashMismatch));
    let o = Options { code: Some(Secret::new("some-code")), ..good.clone() };
    let mut c = claims.clone();
    c["c_hash"] = json!("AAAAAAAAAAAAAAAAAAAAAA");
    assert!(has(&run(&rs256("k1", &c), &f.keys, &o).await, Problem::AtHashMismatch));

    let mut c = claims.clone();
    c["azp"] = json!("client-2");
    c["aud"] = json!(["client-1", "client-2"]);
    assert!(has(&run(&rs256("k1", &c), &f.keys, &good).await, Problem::AzpMismatch));

    // Several audiences and no azp: a warning, still valid.
    let mut c = claims.clone();
    c.as_object_mut().unwrap().remove("azp");
    c["aud"] = json!(["client-1", "client-2"]);
    let r = run(&rs256("k1", &c), &f.keys, &good).await;
    assert!(r.valid);
    assert_eq!(r.checks.iter().find(|c| c.id == "azp").unwrap().status, Status::Warn);

    // Required claims: sub and exp missing.
    let mut c = claims.clone();
    c.as_object_mut().unwrap().remove("sub");
    c.as_object_mut().unwrap().remove("exp");
    let r = run(&rs256("k1", &c), &f.keys, &good).await;
    assert!(has(&r, Problem::MissingClaim), "{:?}", r.problems);
    let req = r.checks.iter().find(|c| c.id == "required_claims").unwrap();
    assert!(req.message.contains("sub") && req.message.contains("exp"), "{}", req.message);

    // The client id must be an audience.
    let o = Options { client_id: Some("client-9".into()), ..good.clone() };
    let r = run(&rs256("k1", &claims), &f.keys, &o).await;
    assert!(has(&r, Problem::AudienceMismatch) && has(&r, Problem::AzpMismatch), "{:?}", r.problems);
}

#[tokio::test]
async fn rfc9068_access_tokens_and_missing_exp() {
    let f = fixture();
    let full = json!({"iss": "https://issuer.test", "exp": NOW + 60, "aud": "api", "sub": "u", "client_id": "c",
                      "iat": NOW, "jti": "j1"});
    for typ in ["at+jwt", "AT+JWT", "application/at+jwt", "Application/AT+JWT"] {
        let h = json!({"alg": "RS256", "kid": "k1", "typ": typ});
        assert!(run(&sign(&h, &full, Signer::Rsa(&keys().rsa)), &f.keys, &opts()).await.valid, "{typ}");
        let mut c = full.clone();
        c.as_object_mut().unwrap().remove("jti");
        c.as_object_mut().unwrap().remove("exp");
        let r = run(&sign(&h, &c, Signer::Rsa(&keys().rsa)), &f.keys, &opts()).await;
        assert!(has(&r, Problem::MissingClaim), "{typ}: {:?}", r.problems);
    }
    // A plain JWT without exp: a warning, not a problem.
    let r = run(&rs256("k1", &json!({"sub": "u"})), &f.keys, &opts()).await;
    assert!(r.valid, "{:?}", r.problems);
    assert_eq!(r.checks.iter().find(|c| c.id == "exp").unwrap().status, Status::Warn);
}

#[tokio::test]
async fn crit_extensions() {
    let f = fixture();
    let h = json!({"alg": "RS256", "kid": "k1", "crit": ["exp-ext"], "exp-ext": 1});
    let r = run(&sign(&h, &base_claims(), Signer::Rsa(&keys().rsa)), &f.keys, &opts()).await;
    assert!(!r.valid && has(&r, Problem::CritUnsupported), "{:?}", r.problems);
    let h = json!({"alg": "RS256", "kid": "k1", "crit": []});
    assert!(has(&run(&sign(&h, &base_claims(), Signer::Rsa(&keys().rsa)), &f.keys, &opts()).await, Problem::Malformed));
}

#[tokio::test]
async fn jku_x5u_and_jwk_in_the_header_are_never_fetched_or_trusted() {
    let server = Server::start().await;
    let attacker = &keys().rsa2;
    server.route("/attacker-jwks", 200, jwks(&[rsa_jwk(attacker, "k1")]), &[]);
    let f = fixture();
    let h = json!({"alg": "RS256", "kid": "k1", "jku": server.url("/attacker-jwks"), "x5u": server.url("/attacker-cert"),
                   "jwk": rsa_jwk(attacker, "k1")});
    let t = sign(&h, &base_claims(), Signer::Rsa(attacker));
    let r = run(&t, &f.keys, &opts()).await;
    assert!(!r.valid);
    assert!(has(&r, Problem::BadSignature), "{:?}", r.problems);
    assert_eq!(r.checks.iter().find(|c| c.id == "header_keys").unwrap().status, Status::Warn);
    // With no key of our own, the header's key is not used either.
    let r = run(&t, &KeySource::default(), &opts()).await;
    assert!(!r.valid);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(server.hits(), 0, "the jku/x5u server was contacted: {:?}", server.paths.lock().unwrap());
}

#[tokio::test]
async fn jwe_opaque_and_malformed_formats() {
    let jwe = format!("{}.ZW5j.aXY.Y2lwaGVy.dGFn", b64(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"x"}"#));
    let r = run(&jwe, &KeySource::default(), &opts()).await;
    assert_eq!(r.format, Format::Jwe);
    assert!(r.encrypted && !r.valid);
    assert_eq!(r.header["enc"], "A256GCM");
    assert!(r.claims.is_null());

    let r = run("2YotnFZFEjr1zCsicMWpAA", &KeySource::default(), &opts()).await;
    assert_eq!(r.format, Format::Opaque);
    assert!(!r.valid && r.problems.is_empty());

    let bad = format!("{}.bm90IGpzb24", b64(br#"{"alg":"RS256"}"#));
    let r = run(&bad, &KeySource::default(), &opts()).await;
    assert_eq!(r.format, Format::Malformed);
    assert!(has(&r, Problem::Malformed));
}

#[tokio::test]
async fn every_problem_code_is_reachable() {
    // Collects the problems produced across the crafted tokens above, in one place, so a code that
    // nothing produces any more fails here.
    let f = fixture();
    let mut seen = std::collections::HashSet::new();
    let mut note = |r: Report| seen.extend(r.problems);
    let c = base_claims();
    let o = Options {
        expected_issuer: Some("x".into()),
        audiences: vec!["y".into()],
        scopes: vec!["z".into()],
        nonce: Some("n".into()),
        access_token: Some(Secret::new("at")),
        client_id: Some("cid".into()),
        ..opts()
    };
    let mut bad_times = c.clone();
    bad_times["exp"] = json!(NOW - 1000);
    bad_times["nbf"] = json!(NOW + 1000);
    bad_times["iat"] = json!(NOW + 1000);
    bad_times["nonce"] = json!("m");
    bad_times["at_hash"] = json!("xx");
    bad_times["azp"] = json!("other");
    bad_times["sub"] = json!(5);
    bad_times.as_object_mut().unwrap().remove("iss");
    note(run(&rs256("k1", &bad_times), &f.keys, &o).await);
    let mut c2 = c.clone();
    c2["iss"] = json!("wrong");
    note(run(&rs256("k1", &c2), &f.keys, &o).await);
    note(run(&sign(&json!({"alg": "none"}), &c, Signer::Unsigned), &f.keys, &o).await);
    note(run(&sign(&json!({"alg": "HS256"}), &c, Signer::Hmac(b"k")), &f.keys, &o).await);
    note(run(&rs256("zz", &c), &f.keys, &o).await);
    let t = rs256("k1", &c);
    note(run(&format!("{}A", &t[..t.len() - 4]), &f.keys, &o).await);
    note(
        run(&sign(&json!({"alg": "RS256", "kid": "k1", "crit": ["x"]}), &c, Signer::Rsa(&keys().rsa)), &f.keys, &o)
            .await,
    );
    for p in Problem::ALL {
        assert!(seen.contains(&p), "{} never produced; seen {:?}", p.as_str(), seen);
    }
}
