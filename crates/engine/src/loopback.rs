//! The loopback redirect listener of a native app (RFC 8252 §7.3): bound to the loopback address
//! only, on the redirect URI's port or an ephemeral one, it takes exactly one request on the
//! redirect path and answers anything else with 400. It returns the callback URL unjudged: the
//! flow checks `state`, `iss` and `error` in one place whatever way the URL arrived.
//!
//! Written by hand rather than with a server framework because the inspector must see and
//! control exactly what the browser sent and what it is answered.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::error::{ErrorCode, FlowError};
use crate::event::Recorder;
use crate::step::StepStatus;

pub struct Loopback {
    listener: TcpListener,
    redirect_uri: String,
    path: String,
}

fn input_error(msg: String) -> FlowError {
    FlowError::new(ErrorCode::InvalidInput, msg)
}

impl Loopback {
    /// Binds for `redirect_uri` (`http://127.0.0.1:PORT/path`), or for
    /// `http://127.0.0.1:<ephemeral>/callback` when none is given.
    pub async fn bind(redirect_uri: Option<&str>) -> Result<Self, FlowError> {
        let Some(uri) = redirect_uri else {
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| input_error(format!("cannot listen on 127.0.0.1: {e}")))?;
            let port = listener.local_addr().map_err(|e| input_error(e.to_string()))?.port();
            return Ok(Self {
                listener,
                redirect_uri: format!("http://127.0.0.1:{port}/callback"),
                path: "/callback".into(),
            });
        };
        let url = url::Url::parse(uri).map_err(|e| {
            input_error(format!("expected a redirect URI like http://127.0.0.1:8765/callback, got {uri:?}: {e}"))
        })?;
        let host = url.host_str().unwrap_or_default().to_string();
        if url.scheme() != "http" || !matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]") {
            return Err(input_error(format!(
                "a loopback listener needs an http://127.0.0.1:PORT/… redirect URI (RFC 8252 §7.3), got {uri:?}; for a registered https redirect URI, use \"paste the redirected URL\""
            )));
        }
        let port = url.port().unwrap_or(80);
        let bind_addr = if host == "[::1]" { format!("[::1]:{port}") } else { format!("127.0.0.1:{port}") };
        let listener = TcpListener::bind(&bind_addr)
            .await
            .map_err(|e| input_error(format!("cannot listen on {bind_addr} for the redirect URI: {e}")))?;
        let path = if url.path().is_empty() { "/".into() } else { url.path().to_string() };
        Ok(Self { listener, redirect_uri: uri.to_string(), path })
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the browser's request on the redirect path and returns its full URL. The
    /// browser is answered with a "return to the app" page, or a 400 when `state` is wrong.
    pub async fn wait(self, rec: &Recorder, expected_state: &str, limit: Duration) -> Result<String, FlowError> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let accepted = tokio::time::timeout_at(deadline, self.listener.accept()).await;
            let Ok(accepted) = accepted else {
                return Err(FlowError::new(
                    ErrorCode::Timeout,
                    format!(
                        "expected the browser to return to {} within {} s, nothing came",
                        self.redirect_uri,
                        limit.as_secs()
                    ),
                ));
            };
            let Ok((mut stream, _)) = accepted else { continue };
            let Some(target) = read_request_target(&mut stream).await else {
                respond(&mut stream, 400, "Bad request", "This listener only understands a plain HTTP GET.").await;
                continue;
            };
            let path = target.split('?').next().unwrap_or_default();
            if path != self.path {
                respond(
                    &mut stream,
                    400,
                    "Not the redirect path",
                    &format!("OAuth Flow Inspector waits on {} only.", self.path),
                )
                .await;
                if path != "/favicon.ico" {
                    rec.local(
                        format!("Loopback listener answered 400 to GET {path}"),
                        StepStatus::Warning,
                        serde_json::json!({"expected": self.path, "actual": path}),
                    );
                }
                continue;
            }
            let base = url::Url::parse(&self.redirect_uri).map_err(|e| input_error(e.to_string()))?;
            let full = base.join(&target).map(|u| u.to_string()).unwrap_or_else(|_| target.clone());
            let state_ok = url::Url::parse(&full)
                .ok()
                .and_then(|u| u.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()))
                .is_some_and(|s| s == expected_state);
            if state_ok {
                respond(
                    &mut stream,
                    200,
                    "You can return to OAuth Flow Inspector",
                    "The authorization response arrived; this tab can be closed.",
                )
                .await;
            } else {
                respond(&mut stream, 400, "Unexpected state", "This response does not belong to the flow being run (its state differs). OAuth Flow Inspector rejected it.").await;
            }
            return Ok(full);
        }
    }
}

/// Reads one HTTP/1.1 request head and returns its request target, e.g. `/callback?code=…`.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk)).await.ok()?.ok()?;
        if n == 0 || buf.len() > 32 * 1024 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut parts = head.lines().next()?.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    (method == "GET" && target.starts_with('/')).then(|| target.to_string())
}

async fn respond(stream: &mut TcpStream, status: u16, title: &str, text: &str) {
    let reason = if status == 200 { "OK" } else { "Bad Request" };
    let body = format!(
        "<!doctype html><html><head><meta charset=utf-8><title>{title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;text-align:center;padding-top:15vh\"><h1>{title}</h1><p>{text}</p></body></html>"
    );
    let resp = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(resp.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: &str) -> (u16, String) {
        let r = reqwest::get(url).await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    #[tokio::test]
    async fn other_paths_get_400_and_the_callback_is_returned() {
        let lb = Loopback::bind(None).await.unwrap();
        let uri = lb.redirect_uri().to_string();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/callback"));
        let rec = Recorder::new();
        let base = uri.trim_end_matches("/callback").to_string();
        let waiter = tokio::spawn(async move { lb.wait(&rec, "s1", Duration::from_secs(5)).await });
        let (status, _) = get(&format!("{base}/other")).await;
        assert_eq!(status, 400);
        let (status, body) = get(&format!("{uri}?code=c&state=s1")).await;
        assert_eq!(status, 200);
        assert!(body.contains("return to OAuth Flow Inspector"));
        let got = waiter.await.unwrap().unwrap();
        assert!(got.ends_with("/callback?code=c&state=s1"), "{got}");
    }

    #[tokio::test]
    async fn a_wrong_state_is_answered_400_but_returned_for_the_flow_to_judge() {
        let lb = Loopback::bind(None).await.unwrap();
        let uri = lb.redirect_uri().to_string();
        let waiter = tokio::spawn(async move { lb.wait(&Recorder::new(), "expected", Duration::from_secs(5)).await });
        let (status, _) = get(&format!("{uri}?code=c&state=forged")).await;
        assert_eq!(status, 400);
        assert!(waiter.await.unwrap().unwrap().contains("state=forged"));
    }

    #[tokio::test]
    async fn gives_up_after_the_limit_and_refuses_non_loopback_uris() {
        let lb = Loopback::bind(None).await.unwrap();
        let e = lb.wait(&Recorder::new(), "s", Duration::from_millis(200)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Timeout);
        let e = Loopback::bind(Some("https://app.example.com/cb")).await.err().unwrap();
        assert!(e.message.contains("RFC 8252"), "{}", e.message);
    }
}
