//! `oauth-inspector probe api`, the real binary: against `oauth-inspector sandbox` (nothing
//! vulnerable: exit 0, one JSON report line), against an API that answers 200 to anything (exit
//! 1), and usage errors and an unconfirmed remote host (exit 2).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use common::*;

/// An "API" on loopback that answers every request 200, whatever its token: every variant passes.
fn accept_everything() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
        }
    });
    format!("http://{addr}/orders")
}

#[test]
fn the_sandbox_api_is_not_vulnerable_exit_0_and_one_json_report_line() {
    let sb = SandboxProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let db = db_arg(dir.path());
    let url = format!("{}/api/orders", sb.issuer);
    let out = run(&[
        "--db",
        &db,
        "probe",
        "api",
        "--url",
        &url,
        "--issuer",
        &sb.issuer,
        "--client-id",
        SERVICE_ID,
        "--client-secret",
        SERVICE_SECRET,
        "--scope-required",
        "orders.read",
        "--json",
    ]);
    assert_eq!(out.code, 0, "stderr: {}\nstdout: {}", out.stderr, out.stdout);
    let lines = out.events();
    assert_eq!(lines.len(), 1, "exactly one line: {}", out.stdout);
    let report = &lines[0];
    assert_eq!(report["type"], "report");
    let id = report["session_id"].as_i64().expect("the session id");
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 13, "{report}");
    for c in checks {
        let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["actual", "expected", "explanation", "id", "verdict"], "{c}");
        assert_eq!(c["verdict"], "secure", "{c}");
    }
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"expired-token") && ids.contains(&"query-token"), "{ids:?}");
    assert!(!out.stdout.contains(SERVICE_SECRET) && !out.stderr.contains(SERVICE_SECRET));

    let saved = session(dir.path(), id);
    assert_eq!(saved.summary.flow, "probe_api");
    assert!(saved.steps.len() > 13, "every request is a step: {}", saved.steps.len());
}

#[test]
fn an_api_that_takes_anything_is_vulnerable_exit_1_with_a_table() {
    let url = accept_everything();
    let dir = tempfile::tempdir().unwrap();
    let db = db_arg(dir.path());
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJzY29wZSI6Im9yZGVycy5yZWFkIn0.c2lnbmF0dXJlLWJ5dGVz";
    let out =
        run(&["--db", &db, "probe", "api", "--url", &url, "--token", token, "--header", "Accept: application/json"]);
    assert_eq!(out.code, 1, "stderr: {}\nstdout: {}", out.stderr, out.stdout);
    let header = out.stdout.lines().find(|l| l.starts_with("variant")).expect("a table header");
    for col in ["expected", "got", "verdict", "explanation"] {
        assert!(header.contains(col), "{header}");
    }
    let row = out.stdout.lines().find(|l| l.starts_with("no-token")).unwrap();
    assert!(row.contains("vulnerable") && row.contains("200"), "{row}");
    let row = out.stdout.lines().find(|l| l.starts_with("lowercase-scheme")).unwrap();
    assert!(row.contains("secure"), "lower-case bearer accepted is correct: {row}");
    assert!(!out.stdout.contains(token), "the token is not printed");

    let out = run(&["--db", &db, "probe", "api", "--url", &url, "--token", token, "--json"]);
    assert_eq!(out.code, 1);
    let report = &out.events()[0];
    assert!(report["checks"].as_array().unwrap().iter().any(|c| c["verdict"] == "vulnerable"), "{report}");
}

#[test]
fn usage_errors_and_an_unconfirmed_remote_host_exit_2_and_send_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_arg(dir.path());
    // stdin is not a terminal here: a remote host needs --yes.
    let out = run(&["--db", &db, "probe", "api", "--url", "https://api.example.com/orders", "--token", "t"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("api.example.com") && out.stderr.contains("--yes"), "{}", out.stderr);

    for args in [
        &["probe", "api", "--token", "t"][..],
        &["probe", "api", "--url", "http://127.0.0.1:9/", "--token", "t", "--session", "1"],
        &["probe", "api", "--url", "http://127.0.0.1:9/", "--token", "t", "--header", "no colon"],
        &["probe", "api", "--url", "http://127.0.0.1:9/"],
        &["probe", "api", "--url", "not a url", "--token", "t"],
    ] {
        let mut all = vec!["--db", db.as_str()];
        all.extend_from_slice(args);
        let out = run(&all);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(!out.stderr.trim().is_empty(), "{args:?} says why");
    }
    let sessions = run(&["--db", &db, "sessions", "list", "--json"]);
    assert!(!sessions.stdout.contains("probe_api"), "nothing ran: {}", sessions.stdout);
}
