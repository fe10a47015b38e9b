//! `oauth-inspector flow client-credentials` against `oauth-inspector sandbox`, both real
//! processes on loopback, with a real SQLite file.

mod common;

use common::*;
use inspector_engine::StepStatus;

#[test]
fn json_run_prints_steps_tokens_done_and_saves_the_session() {
    let sb = SandboxProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let db = db_arg(dir.path());
    let out = run(&[
        "--db",
        &db,
        "flow",
        "client-credentials",
        "--issuer",
        &sb.issuer,
        "--client-id",
        SERVICE_ID,
        "--client-secret",
        SERVICE_SECRET,
        "--scope",
        "orders.read",
        "--json",
    ]);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let events = out.events();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.last(), Some(&"done"));
    assert_eq!(types.iter().filter(|t| **t == "tokens").count(), 1);
    let steps = out.of_type("step");
    assert!(steps.len() >= 3, "discovery, issuer check, token request: {types:?}");
    let token = steps.iter().find(|s| s["title"].as_str().unwrap().starts_with("Token request")).unwrap();
    assert_eq!(token["request"]["method"], "POST");
    assert_eq!(token["response"]["status"], 200);
    // The access token (an RFC 9068 JWT) is checked before the run ends, against the issuer's keys.
    assert_eq!(steps.last().unwrap()["title"], "Access token checks: valid");
    let tokens = &out.of_type("tokens")[0];
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "orders.read");
    assert!(tokens["expires_in"].as_u64().unwrap() > 0);
    assert_eq!(tokens["access_token"].as_str().unwrap().split('.').count(), 3);
    // Steps leave the process redacted: neither the secret nor its Basic encoding is printed.
    assert_secret_absent(&out, SERVICE_SECRET);
    assert!(out.stdout.contains("<redacted:client_credentials>"));
    let done = &out.of_type("done")[0];
    assert_eq!(done["ok"], true);
    let id = done["session_id"].as_i64().expect("session id");

    let saved = session(dir.path(), id);
    assert_eq!(saved.summary.outcome, "ok");
    assert_eq!(saved.steps.len(), steps.len());
    assert_eq!(saved.tokens.unwrap().access_token, tokens["access_token"].as_str().unwrap());
    assert!(
        saved
            .steps
            .iter()
            .find(|s| s.title.starts_with("Token request"))
            .unwrap()
            .secrets
            .iter()
            .any(|m| m.label == "client_secret"),
        "secrets stay marked in the store"
    );
}

#[test]
fn post_auth_and_global_options_after_the_subcommand() {
    let sb = SandboxProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let db = db_arg(dir.path());
    let out = run(&[
        "flow",
        "client-credentials",
        "--issuer",
        &sb.issuer,
        "--client-id",
        SERVICE_ID,
        "--client-secret",
        SERVICE_SECRET,
        "--auth-method",
        "client_secret_post",
        "--db",
        &db,
    ]);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.stdout.contains("Token request (client credentials, client_secret_post)"), "{}", out.stdout);
    assert!(out.stdout.contains("saved as session 1."), "{}", out.stdout);
    assert_secret_absent(&out, SERVICE_SECRET);
    let saved = session(dir.path(), 1);
    let token = saved.steps.iter().find(|s| s.title.starts_with("Token request")).expect("the token request");
    let body = match &token.kind {
        inspector_engine::step::StepKind::Http { request, .. } => request.body.clone().unwrap(),
        _ => panic!("the token request is an HTTP step"),
    };
    assert!(body.contains("client_secret=sandbox-service-secret") && body.contains("grant_type=client_credentials"));
}

/// Neither `secret` nor any encoding of it that a request carries (HTTP Basic of
/// `sandbox-service:secret`, form-urlencoded) appears on stdout or stderr.
fn assert_secret_absent(out: &Output, secret: &str) {
    let basic = b64(format!("{SERVICE_ID}:{secret}").as_bytes());
    let form: String = secret
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => (b as char).to_string(),
            b' ' => "+".into(),
            b => format!("%{b:02X}"),
        })
        .collect();
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        for (what, needle) in [("secret", secret), ("Basic encoding", basic.as_str()), ("form encoding", form.as_str())]
        {
            assert!(!text.contains(needle), "the client {what} {needle:?} is on {name}:\n{text}");
        }
    }
}

/// Standard base64 with padding (RFC 4648 §4), as HTTP Basic uses it.
fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() { A[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

#[test]
fn the_helper_knows_the_encodings_a_request_carries() {
    // base64("sandbox-service:sandbox-service-secret"), as in the sessions test's unredacted export.
    assert_eq!(b64(b"sandbox-service:sandbox-service-secret"), "c2FuZGJveC1zZXJ2aWNlOnNhbmRib3gtc2VydmljZS1zZWNyZXQ=");
    let leaky = Output {
        code: 0,
        stdout: "Authorization: Basic c2FuZGJveC1zZXJ2aWNlOnM6ZWMgcmV0".into(),
        stderr: String::new(),
    };
    assert!(std::panic::catch_unwind(|| assert_secret_absent(&leaky, "s:ec ret")).is_err(), "Basic caught");
    let leaky = Output { code: 0, stdout: "client_secret=s%3Aec+ret".into(), stderr: String::new() };
    assert!(std::panic::catch_unwind(|| assert_secret_absent(&leaky, "s:ec ret")).is_err(), "form caught");
}

#[test]
fn the_secret_comes_from_the_environment_and_is_never_printed() {
    let sb = SandboxProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let db = db_arg(dir.path());
    for extra in [&["--json"][..], &["--verbose"][..], &["--auth-method", "client_secret_post", "--verbose"][..]] {
        let mut args =
            vec!["--db", &db, "flow", "client-credentials", "--issuer", &sb.issuer, "--client-id", SERVICE_ID];
        args.extend_from_slice(extra);
        let out = std::process::Command::new(BIN)
            .args(&args)
            .env("OAUTH_INSPECTOR_CLIENT_SECRET", SERVICE_SECRET)
            .output()
            .unwrap();
        let out = Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        // Only the right secret gets a token: the sandbox refuses the flow without it.
        assert_eq!(out.code, 0, "{extra:?}: stdout {}\nstderr {}", out.stdout, out.stderr);
        assert!(out.stdout.contains("<redacted:"), "{extra:?}: the request is shown, redacted: {}", out.stdout);
        assert_secret_absent(&out, SERVICE_SECRET);
    }
    // And without it (nor --client-secret), the same flow is refused by the provider.
    let out = run(&["--db", &db, "flow", "client-credentials", "--issuer", &sb.issuer, "--client-id", SERVICE_ID]);
    assert_eq!(out.code, 1, "no secret, no token: {}", out.stderr);
}

#[test]
fn no_save_writes_nothing() {
    let sb = SandboxProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let db = db_arg(dir.path());
    let out = run(&[
        "--no-save",
        "--db",
        &db,
        "flow",
        "client-credentials",
        "--issuer",
        &sb.issuer,
        "--client-id",
        SERVICE_ID,
        "--client-secret",
        SERVICE_SECRET,
        "--json",
    ]);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert!(out.of_type("done")[0]["session_id"].is_null());
    assert!(!dir.path().join("sessions.db").exists());
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["flow", "client-credentials", "--issuer", "http://127.0.0.1:1"]);
    assert_eq!(out.code, 2, "missing --client-id: {}", out.stderr);
    let out = run(&[
        "flow",
        "client-credentials",
        "--issuer",
        "http://127.0.0.1:1",
        "--client-id",
        "x",
        "--auth-method",
        "magic",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("client_secret_basic"), "names what was expected: {}", out.stderr);
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "--db",
        &db_arg(dir.path()),
        "flow",
        "client-credentials",
        "--issuer",
        "not a url",
        "--client-id",
        "x",
        "--client-secret",
        "y",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("expected an issuer URL"), "{}", out.stderr);
}

/// Runs a failing flow and checks the contract every bad provider must meet: exit 1, one
/// `error [code]: …` line naming what was expected and what came, the failed step saved.
fn assert_fails(issuer: &str, secret: &str, extra: &[&str], code: &str, must_mention: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let db = db_arg(dir.path());
    let mut args = vec![
        "--db",
        &db,
        "flow",
        "client-credentials",
        "--issuer",
        issuer,
        "--client-id",
        SERVICE_ID,
        "--client-secret",
        secret,
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.code, 1, "stdout: {}\nstderr: {}", out.stdout, out.stderr);
    // The one-time note on where the encryption key lives is not an error line.
    let lines: Vec<&str> = out.stderr.lines().filter(|l| !l.starts_with("note: ")).collect();
    assert_eq!(lines.len(), 1, "one clear error line, got: {}", out.stderr);
    assert!(lines[0].starts_with(&format!("error [{code}]: ")), "{}", lines[0]);
    for m in must_mention {
        assert!(lines[0].contains(m), "error line should mention {m:?}: {}", lines[0]);
    }
    assert!(!out.stderr.contains("panicked"));
    let saved = session(dir.path(), 1);
    assert_eq!(saved.summary.outcome, "failed");
    assert_eq!(saved.error.as_ref().unwrap().message, lines[0].split_once("]: ").unwrap().1);
    assert_eq!(saved.steps.last().unwrap().status, StepStatus::Failed, "the failed step is saved");
}

#[test]
fn bad_issuers_give_one_clear_error_and_keep_the_session() {
    let sb = SandboxProcess::start();
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    assert_fails(&refused, SERVICE_SECRET, &[], "connection_failed", &["could not connect", "refused"]);
    assert_fails(
        &format!("{}/nowhere", sb.issuer),
        SERVICE_SECRET,
        &[],
        "unexpected_status",
        &["HTTP 404", "expected HTTP 200"],
    );
    assert_fails(
        &format!("{}/trouble/html", sb.issuer),
        SERVICE_SECRET,
        &[],
        "not_json",
        &["expected JSON", "text/html", "<!doctype html>"],
    );
    assert_fails(
        &format!("{}/trouble/no-token-endpoint", sb.issuer),
        SERVICE_SECRET,
        &[],
        "missing_field",
        &["token_endpoint"],
    );
    assert_fails(&sb.issuer, "wrong-secret", &[], "oauth_error", &["invalid_client", "HTTP 401"]);
}

#[test]
fn bad_token_endpoints_give_one_clear_error_and_keep_the_session() {
    let sb = SandboxProcess::start();
    let t = |k: &str| format!("{}/trouble/{k}", sb.issuer);
    assert_fails(&t("token-html"), SERVICE_SECRET, &[], "unexpected_status", &["HTTP 502", "text/html", "Bad Gateway"]);
    assert_fails(&t("token-500"), SERVICE_SECRET, &[], "unexpected_status", &["HTTP 500", "internal error"]);
    assert_fails(&t("token-invalid-json"), SERVICE_SECRET, &[], "not_json", &["expected JSON", "HTTP 200"]);
    assert_fails(&t("token-no-access-token"), SERVICE_SECRET, &[], "missing_field", &["access_token", "absent"]);
    assert_fails(&t("token-slow"), SERVICE_SECRET, &["--timeout", "1"], "timeout", &["within 1000 ms"]);
    assert_fails(&t("redirect-loop"), SERVICE_SECRET, &[], "redirect_loop", &["redirect loop"]);
}
