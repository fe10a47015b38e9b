//! `token inspect` cost against its floor: the library call the CLI makes (`inspect`, RS256, keys
//! already in memory, no network, checks and annotations included) vs a bare RSA-2048 verification
//! of the same token with the same crate (aws-lc-rs, key parsed once; the signature segment split
//! off and base64url-decoded, nothing else), in one run. Prints the ratio (target ≤ 1.3). Also
//! times verification with the key rebuilt per call, decode alone and the checks alone, to show
//! where the rest goes. Leaves out fetching (see tests/jwks_http.rs) and rendering text.
//!
//!   cargo bench -p inspector-token --bench inspect

use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self as sig, KeyPair as _, ParsedPublicKey, RsaPublicKeyComponents};
use base64::Engine;
use criterion::{Criterion, criterion_group};
use inspector_token::jwks::parse_jwks;
use inspector_token::{JwksFetcher, JwksSource, KeySource, Options, inspect};
use serde_json::json;

const NOW: i64 = 1_700_000_000;

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Polls a future that never waits (inline keys: no I/O) to completion, without a runtime.
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("inspect waited on I/O with inline keys"),
    }
}

struct Setup {
    token: String,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    n: Vec<u8>,
    e: Vec<u8>,
    parsed: ParsedPublicKey,
    keys: KeySource,
    opts: Options,
    fetcher: JwksFetcher,
}

fn setup() -> Setup {
    let k = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let n = k.public_key().modulus().big_endian_without_leading_zero().to_vec();
    let e = k.public_key().exponent().big_endian_without_leading_zero().to_vec();
    let header = json!({"alg": "RS256", "kid": "k1", "typ": "JWT"});
    let claims = json!({"iss": "https://issuer.test", "sub": "user-1", "aud": "api", "exp": NOW + 600, "iat": NOW - 10,
                        "nbf": NOW - 10, "scope": "orders.read profile", "jti": "b1"});
    let signing_input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let mut signature = vec![0u8; k.public_modulus_len()];
    k.sign(&sig::RSA_PKCS1_SHA256, &SystemRandom::new(), signing_input.as_bytes(), &mut signature).unwrap();
    let token = format!("{signing_input}.{}", b64(&signature));
    let jwks = json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "n": b64(&n), "e": b64(&e)}]}).to_string();
    let keys =
        KeySource { jwks: Some(JwksSource::Inline(Arc::new(parse_jwks(jwks.as_bytes()).unwrap()))), secret: None };
    let opts = Options {
        expected_issuer: Some("https://issuer.test".into()),
        audiences: vec!["api".into()],
        scopes: vec!["orders.read".into()],
        now: NOW,
        ..Options::default()
    };
    let parsed =
        RsaPublicKeyComponents { n: &n[..], e: &e[..] }.to_parsed_public_key(&sig::RSA_PKCS1_2048_8192_SHA256).unwrap();
    let s = Setup {
        token,
        signing_input: signing_input.into_bytes(),
        signature,
        n,
        e,
        parsed,
        keys,
        opts,
        fetcher: JwksFetcher::new(),
    };
    let r = ready(inspect(&s.token, &s.keys, &s.opts, &s.fetcher)).unwrap();
    assert!(r.valid, "the bench token must be valid: {:#?}", r.checks);
    s
}

fn run_inspect(s: &Setup) {
    black_box(ready(inspect(black_box(&s.token), &s.keys, &s.opts, &s.fetcher)).unwrap());
}

/// The floor: what any verifier of this token must do. Split off the signature segment, decode
/// it, verify it over the signing input with a key parsed beforehand. No claims are read.
fn run_verify(s: &Setup) {
    let token = black_box(s.token.as_str());
    let (input, sig) = token.rsplit_once('.').unwrap();
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig).unwrap();
    s.parsed.verify_sig(input.as_bytes(), &sig).unwrap();
}

/// The same, building the key from its components on every call.
fn run_verify_unparsed(s: &Setup) {
    RsaPublicKeyComponents { n: &s.n[..], e: &s.e[..] }
        .verify(&sig::RSA_PKCS1_2048_8192_SHA256, black_box(&s.signing_input), black_box(&s.signature))
        .unwrap();
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let mut g = c.benchmark_group("rs256");
    g.bench_function("inspect", |b| b.iter(|| run_inspect(&s)));
    g.bench_function("bare verify (key parsed once)", |b| b.iter(|| run_verify(&s)));
    g.bench_function("verify (key built per call, signature pre-decoded)", |b| b.iter(|| run_verify_unparsed(&s)));
    // Where inspect's time goes besides the verification (for profiling, not for the ratio).
    g.bench_function("decode only", |b| b.iter(|| black_box(inspector_token::decode(black_box(&s.token)))));
    let d = inspector_token::decode(&s.token);
    let sig = inspector_token::checks::SignatureOutcome::Verified("verified".into());
    let kinds = s.keys.kinds();
    g.bench_function("checks only", |b| {
        b.iter(|| black_box(inspector_token::checks::run(black_box(&d), &s.opts, kinds, &sig)))
    });
    g.finish();
}

criterion_group! {
    name = group;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = benches
}

/// Median time per call over interleaved batches, so both see the same machine load.
fn ratio(s: &Setup) {
    const BATCH: u32 = 2_000;
    let time = |f: &dyn Fn(&Setup)| {
        let t = Instant::now();
        for _ in 0..BATCH {
            f(s);
        }
        t.elapsed().as_secs_f64() * 1e6 / BATCH as f64
    };
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..15 {
        a.push(time(&run_inspect));
        b.push(time(&run_verify));
        c.push(time(&run_verify_unparsed));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (i, v, u) = (median(&mut a), median(&mut b), median(&mut c));
    println!(
        "inspect: {i:.2} µs, bare verify (parsed key): {v:.2} µs, verify with the key built per call (signature pre-decoded): {u:.2} µs"
    );
    println!("inspect/verify ratio: {:.2} (target ≤ 1.3)", i / v);
}

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    if !std::env::args().any(|a| a == "--list") {
        ratio(&setup());
    }
}
