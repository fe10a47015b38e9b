//! The loopback redirect listener of a native app (RFC 8252 §7.3): bound to the loopback address
//! only, on the redirect URI's port or an ephemeral one, it waits for the one request on the
//! redirect path that carries this flow's `state`, and answers anything else with 400 or 404.
//!
//! A callback with another `state` does not end the wait (RFC 8252 §8.3: any local process, or a
//! stale browser tab, can send one): it becomes a warning step, its browser gets a 400 page, and
//! the listener keeps waiting for the real one until the login deadline. Connections are served
//! concurrently, each read bounded by that deadline, so a connection that never sends a request
//! cannot hold back the real callback. The URL it returns still goes through the flow's own
//! `state`, `iss` and `error` checks, which also judge a URL pasted by the user.
//!
//! Written by hand rather than with a server framework because the inspector must see and
//! control exactly what the browser sent and what it is answered.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::error::{ErrorCode, FlowError};
use crate::event::Recorder;
use crate::flows::auth_code::code_marks;
use crate::step::{Lane, Step, StepCategory, StepStatus};

/// Connections read at once. A browser opens a few (preconnects, favicon); more than this is a
/// flood, whose extra connections are closed unread rather than exhausting file descriptors.
const MAX_PENDING: usize = 64;
/// Largest request head read; a redirect carries a few hundred bytes.
const MAX_HEAD: usize = 32 * 1024;
/// How long writing an answer may take; a browser reads it at once, a stuck peer must not hold
/// the listener.
const WRITE_LIMIT: Duration = Duration::from_secs(2);

pub struct Loopback {
    listener: TcpListener,
    redirect_uri: String,
    path: String,
}

fn input_error(msg: String) -> FlowError {
    FlowError::new(ErrorCode::InvalidInput, msg)
}

/// What one connection sent: its request target, or why there is none.
type Read = (TcpStream, Option<String>);

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

    /// Waits until `limit` for the browser's request on the redirect path with `expected_state`
    /// and returns its full URL; that browser is answered with a "return to the app" page.
    /// Callbacks with another state are recorded as warnings and answered 400; other paths 404.
    pub async fn wait(self, rec: &Recorder, expected_state: &str, limit: Duration) -> Result<String, FlowError> {
        self.wait_for(rec, Some(expected_state), limit).await
    }

    /// Like [`wait`](Self::wait), but takes the first callback on the redirect path whatever its
    /// state: for a provider audit, which judges the echoed state itself and must see a wrong one.
    pub async fn wait_any(self, rec: &Recorder, limit: Duration) -> Result<String, FlowError> {
        self.wait_for(rec, None, limit).await
    }

    async fn wait_for(
        self,
        rec: &Recorder,
        expected_state: Option<&str>,
        limit: Duration,
    ) -> Result<String, FlowError> {
        let deadline = Instant::now() + limit;
        let base = url::Url::parse(&self.redirect_uri).map_err(|e| input_error(e.to_string()))?;
        // Dropped on return, which aborts the reads still pending (idle connections are closed).
        let mut reads: JoinSet<Read> = JoinSet::new();
        let mut rejected = 0usize;
        loop {
            // Only which event came is decided inside the macro, which rustfmt cannot format.
            let event = tokio::select! {
                accepted = self.listener.accept() => Event::Accepted(accepted.map(|(stream, _)| stream)),
                Some(joined) = reads.join_next(), if !reads.is_empty() => Event::Read(joined),
                _ = tokio::time::sleep_until(deadline) => Event::Deadline,
            };
            let (stream, target) = match event {
                Event::Accepted(Ok(stream)) => {
                    if reads.len() < MAX_PENDING {
                        reads.spawn(read_until(stream, deadline));
                    }
                    continue;
                }
                Event::Accepted(Err(_)) => {
                    // E.g. out of file descriptors: retrying at once would spin.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                Event::Read(Ok(read)) => read,
                Event::Read(Err(_)) => continue,
                Event::Deadline => return Err(self.timed_out(limit, rejected)),
            };
            let Some(target) = target else {
                answer_later(stream, 400, "Bad request", "This listener only understands a plain HTTP GET.".into());
                continue;
            };
            let path = target.split('?').next().unwrap_or_default();
            if path != self.path {
                if path != "/favicon.ico" {
                    rec.local(
                        format!("Loopback listener answered 404 to GET {path}"),
                        StepStatus::Warning,
                        serde_json::json!({"expected": self.path, "actual": path}),
                    );
                }
                let text = format!("OAuth Flow Inspector waits on {} only.", self.path);
                answer_later(stream, 404, "Not the redirect path", text);
                continue;
            }
            let full = base.join(&target).map(|u| u.to_string()).unwrap_or_else(|_| target.clone());
            let parsed = url::Url::parse(&full).ok();
            let got_state =
                parsed.as_ref().and_then(|u| u.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()));
            let state_ok = match expected_state {
                None => true,
                Some(expected) => got_state.as_deref().is_some_and(|s| {
                    aws_lc_rs::constant_time::verify_slices_are_equal(s.as_bytes(), expected.as_bytes()).is_ok()
                }),
            };
            if state_ok {
                let mut stream = stream;
                let title = "You can return to OAuth Flow Inspector";
                let text = "The authorization response arrived; this tab can be closed.";
                let _ = tokio::time::timeout(WRITE_LIMIT, respond(&mut stream, 200, title, text)).await;
                return Ok(full);
            }
            rejected += 1;
            rec.push(
                Step::local(
                    "Loopback listener rejected a callback with another state; still waiting for this flow's",
                    StepStatus::Warning,
                    serde_json::json!({
                        "url": full,
                        "expected_state": expected_state,
                        "actual_state": got_state,
                        "answer": "HTTP 400",
                        "why": "any local process or a stale browser tab can call a loopback redirect URI; a response whose state differs is not this flow's and must not end it",
                        "spec": "RFC 8252 §8.3, RFC 6749 §10.12",
                    }),
                )
                .category(StepCategory::Redirect)
                .lanes(Lane::Browser, Lane::App)
                .secrets(parsed.as_ref().map(code_marks).unwrap_or_default()),
            );
            let text = "This response does not belong to the flow being run (its state differs). \
                        OAuth Flow Inspector rejected it and is still waiting.";
            answer_later(stream, 400, "Unexpected state", text.into());
        }
    }

    fn timed_out(&self, limit: Duration, rejected: usize) -> FlowError {
        let rejected = match rejected {
            0 => String::new(),
            n => format!(" ({n} callback(s) with another state were rejected, see the warning steps)"),
        };
        FlowError::new(
            ErrorCode::Timeout,
            format!(
                "expected the browser to return to {} with this flow's state within {} s, nothing came{rejected}",
                self.redirect_uri,
                limit.as_secs()
            ),
        )
    }
}

/// What woke the listener's loop.
enum Event {
    Accepted(std::io::Result<TcpStream>),
    Read(Result<Read, tokio::task::JoinError>),
    Deadline,
}

/// Reads one connection's request head, giving up at the login deadline: the whole read is
/// bounded, so a connection that sends nothing or drips bytes cannot outlive the wait.
async fn read_until(mut stream: TcpStream, deadline: Instant) -> Read {
    let target = tokio::time::timeout_at(deadline, read_request_target(&mut stream)).await.ok().flatten();
    (stream, target)
}

/// Answers a request that does not end the wait, off the listener's loop.
fn answer_later(mut stream: TcpStream, status: u16, title: &'static str, text: String) {
    tokio::spawn(async move {
        let _ = tokio::time::timeout(WRITE_LIMIT, respond(&mut stream, status, title, &text)).await;
    });
}

/// Reads one HTTP/1.1 request head and returns its request target, e.g. `/callback?code=…`.
/// The caller bounds the time it may take.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > MAX_HEAD {
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
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
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
    use crate::event::FlowEvent;
    use crate::step::StepKind;

    async fn get(url: &str) -> (u16, String) {
        let r = reqwest::get(url).await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Starts `wait` on a fresh listener; returns the redirect URI, the waiter, and the steps it
    /// recorded (complete once the waiter has returned).
    async fn start(
        state: &'static str,
        limit: Duration,
    ) -> (String, tokio::task::JoinHandle<Result<String, FlowError>>, tokio::task::JoinHandle<Vec<Step>>) {
        let lb = Loopback::bind(None).await.unwrap();
        let uri = lb.redirect_uri().to_string();
        let mut rec = Recorder::new();
        let mut events = rec.subscribe();
        let waiter = tokio::spawn(async move { lb.wait(&rec, state, limit).await });
        let steps = tokio::spawn(async move {
            let mut steps = vec![];
            while let Some(ev) = events.recv().await {
                if let FlowEvent::Step(s) = ev {
                    steps.push(s);
                }
            }
            steps
        });
        (uri, waiter, steps)
    }

    #[tokio::test]
    async fn other_paths_get_404_and_the_callback_is_returned() {
        let (uri, waiter, steps) = start("s1", Duration::from_secs(5)).await;
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/callback"));
        let base = uri.trim_end_matches("/callback").to_string();
        assert_eq!(get(&format!("{base}/other")).await.0, 404);
        assert_eq!(get(&format!("{base}/favicon.ico")).await.0, 404);
        assert!(!waiter.is_finished(), "another path does not end the wait");
        let (status, body) = get(&format!("{uri}?code=c&state=s1")).await;
        assert_eq!(status, 200);
        assert!(body.contains("return to OAuth Flow Inspector"));
        let got = waiter.await.unwrap().unwrap();
        assert!(got.ends_with("/callback?code=c&state=s1"), "{got}");
        let steps = steps.await.unwrap();
        assert_eq!(steps.len(), 1, "a warning for /other, none for the favicon: {steps:?}");
        assert_eq!(steps[0].status, StepStatus::Warning);
    }

    #[tokio::test]
    async fn a_wrong_state_is_a_warning_answered_400_and_the_wait_goes_on() {
        let (uri, waiter, steps) = start("expected", Duration::from_secs(5)).await;
        let (status, body) = get(&format!("{uri}?code=st%2Flen&state=forged")).await;
        assert_eq!(status, 400);
        assert!(body.contains("its state differs"), "{body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!waiter.is_finished(), "a callback with another state must not end the wait");
        let (status, _) = get(&format!("{uri}?code=real&state=expected")).await;
        assert_eq!(status, 200);
        let got = waiter.await.unwrap().unwrap();
        assert!(got.contains("code=real&state=expected"), "the real callback is returned: {got}");

        let steps = steps.await.unwrap();
        assert_eq!(steps.len(), 1, "{steps:?}");
        let warning = &steps[0];
        assert_eq!(warning.status, StepStatus::Warning);
        let StepKind::Local { details } = &warning.kind else { panic!("{warning:?}") };
        assert_eq!(details["expected_state"], "expected");
        assert_eq!(details["actual_state"], "forged");
        let marked: Vec<&str> = warning.secrets.iter().map(|m| m.value.as_str()).collect();
        assert!(warning.secrets.iter().all(|m| m.label == "authorization_code"));
        assert!(
            marked.contains(&"st/len") && marked.contains(&"st%2Flen"),
            "code marked decoded and as in the URL: {marked:?}"
        );
    }

    #[tokio::test]
    async fn a_timeout_after_rejected_callbacks_says_so() {
        let (uri, waiter, _) = start("expected", Duration::from_millis(500)).await;
        assert_eq!(get(&format!("{uri}?code=c&state=other")).await.0, 400);
        let e = waiter.await.unwrap().unwrap_err();
        assert_eq!(e.code, ErrorCode::Timeout);
        assert!(e.message.contains("1 callback(s) with another state were rejected"), "{}", e.message);
        assert!(!e.message.contains("code=c"), "no code in the error message: {}", e.message);
    }

    #[tokio::test]
    async fn an_idle_connection_does_not_delay_the_callback() {
        let (uri, waiter, _) = start("s1", Duration::from_secs(10)).await;
        let addr = uri.trim_start_matches("http://").trim_end_matches("/callback").to_string();
        // Opened and never written to, like a browser's preconnect or a stuck local client.
        let _idle = TcpStream::connect(&addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        let (status, _) = get(&format!("{uri}?code=c&state=s1")).await;
        assert_eq!(status, 200);
        waiter.await.unwrap().unwrap();
        assert!(started.elapsed() < Duration::from_secs(1), "callback taken after {:?}", started.elapsed());
    }

    #[tokio::test]
    async fn a_connection_that_drips_bytes_cannot_hold_the_listener_past_its_deadline() {
        let (uri, waiter, _) = start("s1", Duration::from_millis(800)).await;
        let addr = uri.trim_start_matches("http://").trim_end_matches("/callback").to_string();
        let mut slow = TcpStream::connect(&addr).await.unwrap();
        // One byte every 100 ms never completes a head; each read alone is quick.
        let dripper = tokio::spawn(async move {
            for b in b"GET /callback?code=c&state=s1 HTTP/1.1\r\nHost: x\r\n".iter().cycle().take(200) {
                if slow.write_all(&[*b]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        let started = std::time::Instant::now();
        let e =
            tokio::time::timeout(Duration::from_secs(5), waiter).await.expect("wait returned").unwrap().unwrap_err();
        assert_eq!(e.code, ErrorCode::Timeout);
        assert!(started.elapsed() < Duration::from_secs(2), "returned after {:?}", started.elapsed());
        dripper.abort();
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
