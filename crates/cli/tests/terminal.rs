//! What reaches the terminal: text from a provider or a saved session cannot act on it (escape
//! sequences, fake lines), and a closed stdout ends a command quietly instead of a panic. The real
//! binary against a small loopback provider of the test's own and against the sandbox.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};

use common::*;

/// What a hostile provider puts in its answers: retitle the window, clear the screen, and fake a
/// success line of ours.
const HOSTILE: &str = "\x1b]0;pwned\x07 \x1b[2J\n✔ ok \u{202e}gnp.exe\u{9b}31m";

/// A one-thread HTTP server on 127.0.0.1 answering every request with `status`, `content_type`
/// and `body`; returns its base URL.
fn provider(status: &'static str, content_type: &'static str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            // Read the request head and its body (Content-Length), then answer and close.
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = conn.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&body);
        }
    });
    base
}

fn run_with_key(dir: &std::path::Path, args: &[&str]) -> (i32, Vec<u8>, Vec<u8>) {
    let out = Command::new(BIN)
        .arg("--db")
        .arg(db_arg(dir))
        .args(args)
        .env("OAUTH_INSPECTOR_KEY_FILE", dir.join("test.key"))
        .env_remove("OAUTH_INSPECTOR_CLIENT_SECRET")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), out.stdout, out.stderr)
}

/// No byte or character that a terminal acts on, and no line of the provider's posing as ours.
fn assert_inert(what: &str, bytes: &[u8]) {
    assert_no_controls(what, bytes);
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.lines().any(|l| l.trim_start().starts_with("✔ ok")), "{what}: a fake line of ours:\n{text}");
}

/// No byte or character that a terminal acts on.
fn assert_no_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for bad in ['\x1b', '\x07', '\u{9b}', '\u{202e}', '\r'] {
        assert!(!text.contains(bad), "{what}: {bad:?} reached the terminal:\n{text}");
    }
}

#[test]
fn provider_text_cannot_act_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // An OAuth error whose error and error_description hold escape sequences (JSON-escaped on the
    // wire, raw once parsed) ...
    let json = serde_json::json!({ "error": "invalid_client\x1b[2J", "error_description": HOSTILE }).to_string();
    let oauth_error = provider("401 Unauthorized", "application/json", json.into_bytes());
    // ... and a body that carries them raw.
    let mut raw = b"oops \x1b]0;pwned\x07\x1b[2J\n\xe2\x9c\x94 ok\n".to_vec();
    raw.extend_from_slice(HOSTILE.as_bytes());
    let raw_body = provider("500 Internal Server Error", "text/plain", raw);

    for (base, verbose) in [(&oauth_error, false), (&oauth_error, true), (&raw_body, true)] {
        let token_url = format!("{base}/token");
        let mut args = vec![
            "flow",
            "client-credentials",
            "--token-url",
            &token_url,
            "--client-id",
            "client\x1b[31m\nid",
            "--client-secret",
            "s3cret",
        ];
        if verbose {
            args.push("--verbose");
        }
        let (code, stdout, stderr) = run_with_key(dir.path(), &args);
        assert_eq!(code, 1, "the flow failed: {}", String::from_utf8_lossy(&stderr));
        assert_inert("flow stdout", &stdout);
        assert_inert("flow stderr", &stderr);
        let stderr = String::from_utf8_lossy(&stderr);
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error [")).collect();
        assert_eq!(errors.len(), 1, "one error line: {stderr}");
        if !verbose {
            // Visible, not dropped: the reader still sees what the provider sent.
            assert!(errors[0].contains(r"\x1b]0;pwned\x07") && errors[0].contains(r"\n✔ ok"), "{}", errors[0]);
        }
    }

    // The saved sessions carry the same text (error, title from the client id): every printer.
    for args in [
        vec!["sessions", "list"],
        vec!["sessions", "show", "1"],
        vec!["sessions", "show", "3"],
        vec!["sessions", "diff", "1", "3"],
        vec!["sessions", "list", "--search", "pwned"],
    ] {
        let (code, stdout, stderr) = run_with_key(dir.path(), &args);
        assert_eq!(code, 0, "{args:?}: {}", String::from_utf8_lossy(&stderr));
        assert_inert(&format!("{args:?} stdout"), &stdout);
        assert_inert(&format!("{args:?} stderr"), &stderr);
    }
    // A title with a newline stays on its row: a header and three rows.
    let (_, stdout, _) = run_with_key(dir.path(), &["sessions", "rename", "2", "two\nlines\x1b[2J"]);
    assert_inert("rename", &stdout);
    let (_, stdout, _) = run_with_key(dir.path(), &["sessions", "list"]);
    let list = String::from_utf8(stdout).unwrap();
    assert_eq!(list.lines().count(), 4, "{list}");
    assert!(list.contains(r"two\nlines\x1b[2J"), "{list}");

    // Saved providers and clients: names and URLs as they were given.
    let (code, _, stderr) =
        run_with_key(dir.path(), &["providers", "add", "evil", "--token-url", &format!("{oauth_error}/token?\x1b[2J")]);
    if code == 0 {
        for args in [vec!["providers", "list"], vec!["clients", "list", "evil"]] {
            let (_, stdout, stderr) = run_with_key(dir.path(), &args);
            assert_inert("providers stdout", &stdout);
            assert_inert("providers stderr", &stderr);
        }
    } else {
        assert_inert("providers add stderr", &stderr);
    }
}

/// The reports are rendered by inspector-token; the CLI escapes their control characters. (A
/// newline inside a claim value still starts a line there: the report's own layout, not ours.)
#[test]
fn token_and_diagnose_reports_hold_no_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    // An unsigned JWT whose claims hold escape sequences and a fake line.
    let b64 = |v: serde_json::Value| b64url(v.to_string().as_bytes());
    let jwt = format!(
        "{}.{}.",
        b64(serde_json::json!({"alg": "none", "typ": "JWT"})),
        b64(serde_json::json!({"iss": HOSTILE, "sub": "\x1b[2J", "aud": "a\nb", "exp": 1}))
    );
    let (code, stdout, stderr) = run_with_key(dir.path(), &["token", "inspect", &jwt]);
    assert_eq!(code, 1, "not valid: {}", String::from_utf8_lossy(&stdout));
    assert_no_controls("token stdout", &stdout);
    assert_no_controls("token stderr", &stderr);

    let req = dir.path().join("req.txt");
    let resp = dir.path().join("resp.txt");
    std::fs::write(&req, format!("GET /api HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {jwt}\r\n\r\n")).unwrap();
    std::fs::write(
        &resp,
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"\x1b]0;pwned\x07\"\r\n\r\n\x1b[2Jbody\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run_with_key(
        dir.path(),
        &["diagnose", "--request", req.to_str().unwrap(), "--response", resp.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    assert_no_controls("diagnose stdout", &stdout);
    assert_no_controls("diagnose stderr", &stderr);
}

/// base64url without padding (RFC 7515 §2), enough for a JWT of the test's own.
fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Runs the binary with stdout a pipe that the reader closes after one line: the way
/// `… | head -1` ends it.
fn closed_after_one_line(dir: &std::path::Path, args: &[&str]) -> (std::process::ExitStatus, String, String) {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db_arg(dir))
        .args(args)
        .env("OAUTH_INSPECTOR_KEY_FILE", dir.join("test.key"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    {
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        reader.read_line(&mut first).unwrap();
    } // the read end is closed here
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap(), first, stderr)
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let sb = SandboxProcess::start();
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let (code, _, stderr) = run_with_key(
            dir.path(),
            &[
                "flow",
                "client-credentials",
                "--issuer",
                &sb.issuer,
                "--client-id",
                SERVICE_ID,
                "--client-secret",
                SERVICE_SECRET,
            ],
        );
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    }
    // Far more than a pipe holds (64 KiB), so the writer is still writing when the reader goes.
    let long = "t".repeat(120_000);
    for id in ["1", "2"] {
        let (code, _, stderr) = run_with_key(dir.path(), &["sessions", "rename", id, &long]);
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    }
    for args in [
        vec!["sessions", "list"],
        vec!["sessions", "list", "--json"],
        vec!["sessions", "show", "1"],
        vec!["sessions", "export", "1", "--format", "md"],
        vec!["sessions", "export", "1", "--format", "json"],
    ] {
        let (status, first, stderr) = closed_after_one_line(dir.path(), &args);
        assert!(!first.is_empty(), "{args:?}: a first line was written");
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert_eq!(status.code(), Some(0), "{args:?}: quiet exit 0, got {status:?}; stderr: {stderr}");
    }
}
