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
    assert_eq!(steps.last().unwrap()["request"]["method"], "POST");
    assert_eq!(steps.last().unwrap()["response"]["status"], 200);
    let tokens = &out.of_type("tokens")[0];
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "orders.read");
    assert!(tokens["expires_in"].as_u64().unwrap() > 0);
    assert_eq!(tokens["access_token"].as_str().unwrap().split('.').count(), 3);
    // Steps leave the process redacted: neither the secret nor its Basic encoding is printed.
    assert!(!out.stdout.contains(SERVICE_SECRET));
    assert!(out.stdout.contains("<redacted:client_credentials>"));
    let done = &out.of_type("done")[0];
    assert_eq!(done["ok"], true);
    let id = done["session_id"].as_i64().expect("session id");

    let saved = session(dir.path(), id);
    assert_eq!(saved.summary.outcome, "ok");
    assert_eq!(saved.steps.len(), steps.len());
    assert_eq!(saved.tokens.unwrap().access_token, tokens["access_token"].as_str().unwrap());
    assert!(
        saved.steps.last().unwrap().secrets.iter().any(|m| m.label == "client_secret"),
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
    assert!(!out.stdout.contains(SERVICE_SECRET.to_string().as_str()) || out.stdout.contains("<redacted"));
    let saved = session(dir.path(), 1);
    let body = match &saved.steps.last().unwrap().kind {
        inspector_engine::step::StepKind::Http { request, .. } => request.body.clone().unwrap(),
        _ => panic!("last step is the token request"),
    };
    assert!(body.contains("client_secret=sandbox-service-secret") && body.contains("grant_type=client_credentials"));
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
