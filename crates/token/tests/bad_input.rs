//! Hostile input: binary bytes, megabytes, deeply nested JSON in header or claims, a JWKS URL that
//! never answers or answers HTML. Each must come back (as `malformed`/`opaque`, or as a signature
//! check that says what it wanted and what came), never panic, overflow the stack or hang. Only a
//! generous guard against hanging, no timing assertions: the figures are printed with --nocapture.

mod common;

use std::time::{Duration, Instant};

use clap::Parser;
use common::*;
use inspector_token::checks::Status;
use inspector_token::cli::{TokenCommand, run_inspect};
use inspector_token::{JwksFetcher, JwksSource, KeySource, Options, Report, api, inspect};
use serde_json::{Value, json};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: TokenCommand,
}

/// `token inspect - --json` (and the text rendering) on `stdin`; the JSON report and exit status.
async fn cli(stdin: &[u8], label: &str) -> (Value, u8) {
    let mut spent = Duration::ZERO;
    let mut out = None;
    for json in [true, false] {
        let mut argv = vec!["oauth-inspector", "inspect", "-", "--now", "1700000000"];
        if json {
            argv.push("--json");
        }
        let TokenCommand::Inspect(args) = Cli::try_parse_from(argv).unwrap().cmd;
        let fetcher = JwksFetcher::new();
        let started = Instant::now();
        let o = tokio::time::timeout(Duration::from_secs(60), run_inspect(&args, &mut &stdin[..], &fetcher))
            .await
            .unwrap_or_else(|_| panic!("{label}: hung"));
        spent += started.elapsed();
        assert!(o.stderr.is_empty(), "{label}: {}", o.stderr);
        if json {
            out = Some((serde_json::from_str(&o.stdout).expect("JSON"), o.code));
        } else {
            assert!(o.stdout.starts_with("Format: "), "{label}");
        }
    }
    eprintln!("{label}: {} bytes, {:?} for --json and text together", stdin.len(), spent);
    out.unwrap()
}

fn b64s(s: &str) -> String {
    b64(s.as_bytes())
}

/// Deterministic pseudo-random bytes.
fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

const MB3: usize = 3 << 20;

#[tokio::test]
async fn binary_bytes_are_an_opaque_token() {
    let (r, code) = cli(&noise(MB3), "3 MiB of binary").await;
    assert_eq!(r["format"], "opaque");
    assert_eq!(code, 1);
    let (r, _) = cli(&[0xff, 0xfe, 0x00, 0x2e, 0x80, 0x2e, 0xc3], "a few invalid UTF-8 bytes").await;
    assert_eq!(r["format"], "opaque");
}

#[tokio::test]
async fn megabytes_of_segments_and_dots() {
    let chars: String = noise(MB3).iter().map(|b| (b'a' + b % 26) as char).collect();
    let (r, _) = cli(
        format!("{}.{}.{}", &chars[..1000], &chars[1000..2_000_000], &chars[2_000_000..]).as_bytes(),
        "3 MiB, 3 segments of letters",
    )
    .await;
    assert_eq!(r["format"], "opaque");
    let (r, _) = cli(".".repeat(MB3).as_bytes(), "3 MiB of dots").await;
    assert_eq!(r["format"], "opaque");
    let header = b64s(r#"{"alg":"HS256"}"#);
    let (r, _) = cli(format!("{header}{}", ".x".repeat(MB3 / 2)).as_bytes(), "a header and 1.5 M segments").await;
    assert_eq!(r["format"], "malformed");
    assert_eq!(r["problems"], json!(["malformed"]));
}

#[tokio::test]
async fn a_megabyte_payload_or_signature_is_still_a_jwt() {
    let header = b64s(r#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({"sub": "x".repeat(MB3), "exp": NOW + 60});
    let t = sign(&json!({"alg":"HS256","typ":"JWT"}), &claims, Signer::Hmac(b"0123456789abcdef0123456789abcdef"));
    let (r, _) = cli(t.as_bytes(), "a 4 MiB signed JWT").await;
    assert_eq!(r["format"], "jwt");
    let (r, _) =
        cli(format!("{header}.{}.{}", b64s(r#"{"sub":"a"}"#), "A".repeat(MB3)).as_bytes(), "a 3 MiB signature").await;
    assert_eq!(r["format"], "jwt");
    assert_eq!(r["signature"]["bytes"], (MB3 / 4) * 3);
    let many: serde_json::Map<String, Value> = (0..100_000).map(|i| (format!("c{i}"), json!(i))).collect();
    let (r, _) =
        cli(format!("{header}.{}.sig", b64s(&Value::Object(many).to_string())).as_bytes(), "100k claims").await;
    assert_eq!(r["format"], "jwt");
}

#[tokio::test]
async fn deeply_nested_json_in_header_or_claims() {
    let deep_arrays = "[".repeat(100_000);
    let deep_closed = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!("{{\"a\":{}1{}}}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    let deep_claim = format!("{{\"sub\":{deep_closed}}}");
    let deep_number = format!("{{\"exp\":1e999,\"x\":{}}}", "[".repeat(100_000));
    let header = b64s(r#"{"alg":"RS256"}"#);
    for (label, h, c, want) in [
        ("100k [ as the header", b64s(&deep_arrays), b64s("{}"), "opaque"),
        ("100k [] as the header", b64s(&deep_closed), b64s("{}"), "opaque"),
        ("100k nested objects as the header", b64s(&deep_object), b64s("{}"), "opaque"),
        ("100k [ as the claims", header.clone(), b64s(&deep_arrays), "malformed"),
        ("100k nested objects as the claims", header.clone(), b64s(&deep_object), "malformed"),
        ("a 100k-deep claim value", header.clone(), b64s(&deep_claim), "malformed"),
        ("an overflowing number and 100k [", header.clone(), b64s(&deep_number), "malformed"),
    ] {
        let (r, code) = cli(format!("{h}.{c}.c2ln").as_bytes(), label).await;
        assert_eq!(r["format"], want, "{label}");
        assert_eq!(code, 1, "{label}");
    }
    // Nesting below the parser's limit is an ordinary claim.
    let ok = format!("{{\"sub\":{}1{}}}", "[".repeat(100), "]".repeat(100));
    let (r, _) = cli(format!("{header}.{}.c2ln", b64s(&ok)).as_bytes(), "100-deep claim").await;
    assert_eq!(r["format"], "jwt");
}

#[tokio::test]
async fn diagnose_survives_the_same_garbage() {
    let deep = "[".repeat(100_000);
    let fetcher = JwksFetcher::new();
    let requests = [
        format!(
            "GET /api HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer {}.{}.x\r\n\r\n",
            b64s(&deep),
            b64s("{}")
        ),
        format!("GET /api HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer {}\r\n\r\n", "A".repeat(MB3)),
        format!("curl -H 'Authorization: Bearer {}.{}.x' https://api.test/", b64s(r#"{"alg":"RS256"}"#), b64s(&deep)),
    ];
    let responses = [
        format!("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\n\r\n{deep}"),
        format!("HTTP/1.1 401 Unauthorized\r\nContent-Type: text/html\r\n\r\n<html>{}</html>", "<div>".repeat(MB3 / 5)),
        format!("HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: {}\r\n\r\n", "Bearer a=\"".repeat(100_000)),
    ];
    for req in &requests {
        for resp in &responses {
            let started = Instant::now();
            let d = tokio::time::timeout(
                Duration::from_secs(60),
                api::diagnose_text(req, resp, &api::DiagnoseInput::default(), &fetcher),
            )
            .await
            .expect("hung")
            .expect("diagnosis");
            assert!(!d.causes.is_empty());
            let tok = d.token.as_ref().expect("the token is found");
            assert!(matches!(tok.format.as_str(), "malformed" | "opaque"), "{:?}", tok.format);
            serde_json::to_string(&d).unwrap();
            eprintln!("diagnose {}+{} bytes in {:?}", req.len(), resp.len(), started.elapsed());
        }
    }
}

fn signature_check(r: &Report) -> &inspector_token::Check {
    r.checks.iter().find(|c| c.id == "signature").unwrap()
}

/// A server that accepts connections and never answers.
async fn silent_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_jwks_url_that_never_answers_times_out_and_says_so() {
    let base = silent_server().await;
    let f = JwksFetcher::with_timeout(Duration::from_millis(300));
    assert_eq!(f.timeout(), Duration::from_millis(300));
    for source in [JwksSource::Url(format!("{base}/jwks")), JwksSource::Issuer(base.clone())] {
        let started = Instant::now();
        let keys = KeySource { jwks: Some(source.clone()), secret: None };
        let r = tokio::time::timeout(
            Duration::from_secs(30),
            inspect(&rs256("k1", &base_claims()), &keys, &Options { now: NOW, ..Options::default() }, &f),
        )
        .await
        .expect("the fetch timeout did not apply")
        .unwrap();
        eprintln!("{source:?}: gave up after {:?}", started.elapsed());
        assert!(!r.valid);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let sig = signature_check(&r);
        assert_eq!(sig.status, Status::Skip);
        assert!(sig.message.contains("unavailable") && sig.message.contains("timed out"), "{}", sig.message);
        assert!(sig.expected.as_deref().is_some_and(|e| e.contains("keys")), "{:?}", sig.expected);
        assert!(
            sig.actual.as_deref().is_some_and(|a| a.contains("timed out") && a.contains("0.3 s")),
            "{:?}",
            sig.actual
        );
    }
}

#[tokio::test]
async fn a_jwks_url_or_discovery_answering_html_says_what_came() {
    let s = Server::start().await;
    let html = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please log in</body></html>";
    s.route("/jwks", 200, html, &[("Content-Type", "text/html; charset=utf-8")]);
    s.route("/.well-known/openid-configuration", 200, html, &[("Content-Type", "text/html")]);
    s.route("/deep", 200, "[".repeat(100_000), &[("Content-Type", "application/json")]);
    let f = JwksFetcher::new();
    for (source, must) in [
        (JwksSource::Url(s.url("/jwks")), "text/html; charset=utf-8"),
        (JwksSource::Issuer(s.base.clone()), "text/html"),
        (JwksSource::Url(s.url("/deep")), "application/json"),
    ] {
        let keys = KeySource { jwks: Some(source.clone()), secret: None };
        let r = inspect(&rs256("k1", &base_claims()), &keys, &Options { now: NOW, ..Options::default() }, &f)
            .await
            .unwrap();
        let sig = signature_check(&r);
        assert_eq!(sig.status, Status::Skip, "{source:?}");
        assert!(!r.valid);
        let actual = sig.actual.as_deref().unwrap_or("");
        assert!(actual.contains(must), "{source:?}: {actual}");
        assert!(sig.expected.as_deref().is_some_and(|e| e.contains("RFC 7517")), "{:?}", sig.expected);
        if must.starts_with("text/html") {
            assert!(actual.contains("<!DOCTYPE html>"), "{actual}");
        }
    }
}

#[tokio::test]
async fn an_inline_jwks_of_garbage_is_an_error_not_a_panic() {
    let f = JwksFetcher::new();
    for text in ["[".repeat(100_000), "<html>".into(), String::from_utf8_lossy(&noise(1 << 20)).into_owned()] {
        let input = api::InspectInput {
            token: rs256("k1", &base_claims()),
            keys: api::KeyOptions { jwks_json: Some(text), ..Default::default() },
            ..Default::default()
        };
        let e = api::inspect_token(&input, &f).await.unwrap_err();
        assert_eq!(e.code(), "jwks");
    }
}
