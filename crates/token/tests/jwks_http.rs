//! Keys over HTTP against a real local server: discovery, Cache-Control caching, one refetch on an
//! unknown kid (rotation), fetch failures and redirects, and the body size cap.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::time::Duration;

use common::*;
use inspector_token::checks::{Options, Problem, Status};
use inspector_token::jwks::MAX_BODY;
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

/// A server that answers every request with a body that never ends, `chunked` deciding how (chunked
/// or up to the connection's close), and counts the body bytes it managed to write.
async fn endless_server(chunked: bool) -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let written = Arc::new(AtomicUsize::new(0));
    let count = written.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let framing = if chunked { "Transfer-Encoding: chunked\r\n" } else { "Connection: close\r\n" };
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{framing}\r\n");
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let piece = vec![b' '; 16 * 1024];
                let frame = if chunked {
                    [format!("{:x}\r\n", piece.len()).as_bytes(), &piece, b"\r\n"].concat()
                } else {
                    piece.clone()
                };
                // Until the client hangs up: a write then fails.
                while sock.write_all(&frame).await.is_ok() {
                    count.fetch_add(piece.len(), AtomicOrdering::SeqCst);
                }
            });
        }
    });
    (url, written)
}

#[tokio::test]
async fn an_endless_jwks_body_stops_at_the_cap() {
    for chunked in [true, false] {
        let (url, written) = endless_server(chunked).await;
        let f = JwksFetcher::with_timeout(Duration::from_secs(20));
        let started = std::time::Instant::now();
        let err = f.load(&JwksSource::Url(url.clone())).await.expect_err("an endless body is refused");
        let elapsed = started.elapsed();
        let text = err.to_string();
        assert!(text.contains(&format!("larger than the {MAX_BODY}-byte (1 MiB) cap")), "chunked={chunked}: {text}");
        assert!(!text.contains("timed out"), "{text}");
        assert!(elapsed < Duration::from_secs(5), "chunked={chunked}: took {elapsed:?}: {text}");
        // What the fetch read, as it reports: the cap plus at most the chunk that crossed it.
        let read: usize = text
            .split("stopped reading after ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("says how much it read: {text}"));
        assert!(read > MAX_BODY && read <= MAX_BODY + 512 * 1024, "chunked={chunked}: read {read} bytes");
        // What the server got out before the hang-up: the kernel's socket buffers on top of that,
        // but nowhere near what an unbounded read would take in before its timeout.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let sent = written.load(AtomicOrdering::SeqCst);
        assert!(sent < 64 * MAX_BODY, "chunked={chunked}: the server wrote {sent} bytes");
    }
}

#[tokio::test]
async fn a_jwks_content_length_over_the_cap_is_refused_unread() {
    let s = Server::start().await;
    s.route("/big", 200, " ".repeat(MAX_BODY + 1), &[]);
    let err = JwksFetcher::new().load(&JwksSource::Url(s.url("/big"))).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!("{} bytes (Content-Length), larger than the {MAX_BODY}-byte", MAX_BODY + 1)),
        "{text}"
    );
}

#[tokio::test]
async fn inside_a_flow_the_fetches_made_for_checks_are_steps_of_it() {
    let s = Server::start().await;
    s.route("/.well-known/openid-configuration", 200, format!(r#"{{"jwks_uri":"{}"}}"#, s.url("/jwks")), &[]);
    s.route("/jwks", 200, jwks(&[rsa_jwk(&keys().rsa, "k1")]), &[]);
    let f = JwksFetcher::new();
    let mut rec = inspector_engine::Recorder::new();
    let mut events = rec.subscribe();
    let src = KeySource { jwks: Some(JwksSource::Issuer(s.url(""))), secret: None };
    let r = inspector_token::jwks::recording(rec.weak(), inspect(&rs256("k1", &base_claims()), &src, &opts(), &f))
        .await
        .unwrap();
    assert_eq!(r.checks.iter().find(|c| c.id == "signature").unwrap().status, Status::Pass);
    drop(rec);
    let mut steps = vec![];
    while let Some(ev) = events.recv().await {
        if let inspector_engine::FlowEvent::Step(st) = ev {
            steps.push(st);
        }
    }
    let titles: Vec<&str> = steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        titles[0].starts_with("Discovery for the token checks: GET ")
            && titles[0].ends_with("/.well-known/openid-configuration")
    );
    assert!(titles[1].starts_with("Keys for the token checks (JWKS): GET ") && titles[1].ends_with("/jwks"));
    let inspector_engine::step::StepKind::Http { response: Some(resp), .. } = &steps[1].kind else { panic!() };
    assert_eq!(resp.status, 200);
    // Outside a flow nothing is published, and the cache still serves the keys.
    inspect(&rs256("k1", &base_claims()), &src, &opts(), &f).await.unwrap();
}
