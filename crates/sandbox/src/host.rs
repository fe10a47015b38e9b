//! DNS-rebinding defence: one middleware that answers only requests addressed to a loopback name.
//!
//! The sandbox listens on 127.0.0.1, but a web page the user visits can point a DNS name of its own
//! at 127.0.0.1 and then script requests to it from the browser, with the page's name in `Host`.
//! Refusing every `Host` that is not a loopback name stops that: such a request never reaches a
//! handler, whatever the path (including `/trouble/…` and unknown paths).

use std::net::{Ipv4Addr, Ipv6Addr};

use axum::extract::Request;
use axum::http::{StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What the refusal says the sandbox accepts.
const ACCEPTED: &str = "127.0.0.1[:port] (any 127.x.x.x), localhost[:port] or [::1][:port]";

/// Longest part of a refused Host value echoed back; the rest is cut, so the answer stays short.
const ECHO_MAX: usize = 200;

/// Axum middleware (`axum::middleware::from_fn`): passes loopback requests on, refuses the rest.
pub async fn loopback_only(req: Request, next: Next) -> Response {
    match check(&req) {
        Ok(()) => next.run(req).await,
        Err((status, text)) => {
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text + "\n").into_response()
        }
    }
}

/// The refusal's status and plain-text body, if any.
fn check(req: &Request) -> Result<(), (StatusCode, String)> {
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Err((StatusCode::BAD_REQUEST, "refused: the request has more than one Host header".into()));
    }
    // Absolute-form targets (`GET http://name/ HTTP/1.1`) name the host in the URI, which then wins
    // over Host (RFC 9112 §3.2.2), so it must be a loopback name as well.
    if let Some(authority) = req.uri().authority()
        && !is_loopback_authority(authority.as_str())
    {
        return Err(misdirected("request target", authority.as_str()));
    }
    match host {
        Some(value) => {
            let text = String::from_utf8_lossy(value.as_bytes());
            if is_loopback_authority(&text) { Ok(()) } else { Err(misdirected("Host header", &text)) }
        }
        // A browser always sends Host, so a request without one is no rebinding attempt; HTTP/1.0
        // clients may omit it and are served. HTTP/1.1 requires it (RFC 9112 §3.2), so say so.
        None if req.version() == Version::HTTP_11 && req.uri().authority().is_none() => Err((
            StatusCode::BAD_REQUEST,
            format!("refused: the request has no Host header, which HTTP/1.1 requires; expected Host {ACCEPTED}"),
        )),
        None => Ok(()),
    }
}

/// 421 Misdirected Request (RFC 9110 §15.5.20): this server is not the one that name stands for.
fn misdirected(what: &str, got: &str) -> (StatusCode, String) {
    let shown: String = got.chars().take(ECHO_MAX).collect();
    let cut = if shown.len() < got.len() { "…" } else { "" };
    (
        StatusCode::MISDIRECTED_REQUEST,
        format!(
            "refused: {what} {shown:?}{cut} is not a loopback name; the sandbox answers only Host {ACCEPTED} \
             (DNS-rebinding defence)"
        ),
    )
}

/// `host[:port]` where host is `localhost` (any case), an IPv4 address in 127.0.0.0/8, or `[::1]`.
pub fn is_loopback_authority(authority: &str) -> bool {
    if let Some(rest) = authority.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else { return false };
        let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(port_ok);
        return port_ok && v6.parse::<Ipv6Addr>().is_ok_and(|a| a.is_loopback());
    }
    let (host, port_ok) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, port_ok(p)),
        None => (authority, true),
    };
    port_ok && (host.eq_ignore_ascii_case("localhost") || host.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback()))
}

/// A port number, or nothing: RFC 3986 §3.2.3 allows an empty port after the colon.
fn port_ok(p: &str) -> bool {
    p.is_empty() || (p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_authority;

    #[test]
    fn loopback_names_with_and_without_port() {
        for ok in [
            "127.0.0.1",
            "127.0.0.1:9000",
            "127.1.2.3:80",
            "localhost",
            "LocalHost:8080",
            "[::1]",
            "[::1]:9000",
            "[0:0:0:0:0:0:0:1]:1",
            "127.0.0.1:",
        ] {
            assert!(is_loopback_authority(ok), "{ok} should be accepted");
        }
    }

    #[test]
    fn other_names_are_refused() {
        for bad in [
            "",
            "evil.example",
            "evil.example:9000",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "128.0.0.1",
            "0.0.0.0:9000",
            "10.0.0.1",
            "[::2]:9000",
            "[::1",
            "[::1]x",
            "[::1]:x",
            "::1",
            "127.0.0.1:99999",
            "127.0.0.1:+80",
            "127.0.0.1:80:80",
            "user@127.0.0.1",
            "2130706433",
            "localhost:9000@evil.example",
        ] {
            assert!(!is_loopback_authority(bad), "{bad:?} should be refused");
        }
    }
}
