//! DNS-rebinding defence over real loopback HTTP: only loopback `Host` names are answered.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get_with_host(issuer: &str, path: &str, host: &str) -> (u16, String) {
    let resp = reqwest::Client::new().get(format!("{issuer}{path}")).header("host", host).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// One raw request, for what an HTTP client library would not send (no Host, two Hosts).
async fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut out = String::new();
    tcp.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn loopback_hosts_are_served() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let port = sb.addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".into(),
        format!("127.8.9.10:{port}"),
        format!("localhost:{port}"),
        "LOCALHOST".into(),
        format!("[::1]:{port}"),
        "[::1]".into(),
    ] {
        let (status, body) = get_with_host(&sb.issuer, "/.well-known/openid-configuration", &host).await;
        assert_eq!(status, 200, "Host {host}: {body}");
    }
}

#[tokio::test]
async fn other_hosts_get_421_naming_the_host_on_every_path() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let port = sb.addr.port();
    for path in
        ["/.well-known/openid-configuration", "/jwks", "/trouble/html/.well-known/openid-configuration", "/nope"]
    {
        for host in [format!("rebind.evil.example:{port}"), "localhost.evil.example".into(), "10.0.0.1".into()] {
            let (status, body) = get_with_host(&sb.issuer, path, &host).await;
            assert_eq!(status, 421, "Host {host} on {path}: {body}");
            assert!(body.contains(&format!("{host:?}")), "names the Host it got: {body}");
            assert!(
                body.contains("localhost[:port]") && body.contains("[::1][:port]"),
                "says what is accepted: {body}"
            );
            assert!(!body.contains("jwks_uri") && !body.contains("\"keys\""), "no handler ran: {body}");
        }
    }
    // A token request from a rebinding page must not reach the token endpoint either.
    let resp = reqwest::Client::new()
        .post(format!("{}/token", sb.issuer))
        .header("host", "rebind.evil.example")
        .basic_auth("sandbox-service", Some("sandbox-service-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 421);
    assert!(!resp.text().await.unwrap().contains("access_token"));
}

#[tokio::test]
async fn requests_without_one_loopback_host() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    // HTTP/1.1 requires Host (RFC 9112 §3.2): a clear 400, not a 421 about an empty name.
    let resp = raw(sb.addr, "GET /jwks HTTP/1.1\r\nConnection: close\r\n\r\n").await;
    assert!(resp.starts_with("HTTP/1.1 400"), "{resp}");
    assert!(resp.contains("no Host header"), "{resp}");
    // HTTP/1.0 may omit it, and browsers never do, so such a client is served.
    let resp = raw(sb.addr, "GET /jwks HTTP/1.0\r\n\r\n").await;
    assert!(resp.starts_with("HTTP/1.0 200") || resp.starts_with("HTTP/1.1 200"), "{resp}");
    // Two Host headers: which one counts is ambiguous, so neither does.
    let resp =
        raw(sb.addr, "GET /jwks HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").await;
    assert!(resp.starts_with("HTTP/1.1 400"), "{resp}");
    assert!(resp.contains("more than one Host"), "{resp}");
    // An absolute-form target names the host that counts (RFC 9112 §3.2.2), so it is checked too.
    let resp =
        raw(sb.addr, "GET http://evil.example/jwks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await;
    assert!(resp.starts_with("HTTP/1.1 421"), "{resp}");
    assert!(resp.contains("\"evil.example\""), "{resp}");
}
