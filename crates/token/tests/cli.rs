//! The CLI contract through `run_inspect` / `run_diagnose`: argument parsing, the JSON shape,
//! exit statuses 0/1/2, standard input, and secrets never printed.

mod common;

use clap::Parser;
use common::*;
use inspector_token::JwksFetcher;
use inspector_token::cli::{DiagnoseArgs, InspectArgs, TokenCommand, run_inspect};
use serde_json::{Value, json};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    token: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    Token {
        #[command(subcommand)]
        cmd: TokenCommand,
    },
    Diagnose(DiagnoseArgs),
}

fn inspect_args(args: &[&str]) -> InspectArgs {
    let mut v = vec!["oauth-inspector", "token", "inspect"];
    v.extend_from_slice(args);
    match Cli::try_parse_from(v).expect("parse").token {
        Sub::Token { cmd: TokenCommand::Inspect(a) } => a,
        _ => unreachable!(),
    }
}

async fn inspect_json(args: &[&str], stdin: &str) -> (Value, u8) {
    let out = run_inspect(&inspect_args(args), &mut stdin.as_bytes(), &JwksFetcher::new()).await;
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    (serde_json::from_str(&out.stdout).expect("stdout is one JSON object"), out.code)
}

#[tokio::test]
async fn json_contract_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let jwks = write_jwks(&dir, &[rsa_jwk(&keys().rsa, "k1")]);
    let now = NOW.to_string();
    let t = rs256("k1", &base_claims());
    let (v, code) = inspect_json(
        &[
            &t,
            "--jwks",
            &jwks,
            "--now",
            &now,
            "--expect-issuer",
            "https://issuer.test",
            "--audience",
            "x",
            "--audience",
            "api",
            "--scope",
            "orders.read",
            "--json",
        ],
        "",
    )
    .await;
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["format"], "jwt");
    assert_eq!(v["valid"], true);
    assert_eq!(v["header"]["kid"], "k1");
    assert_eq!(v["claims"]["sub"], "user-1");
    assert_eq!(v["problems"], json!([]));
    for c in v["checks"].as_array().unwrap() {
        assert!(c["id"].is_string() && c["message"].is_string(), "{c}");
        assert!(["pass", "fail", "warn", "skip"].contains(&c["status"].as_str().unwrap()), "{c}");
    }
    let ids: Vec<&str> = v["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in ["signature", "iss", "aud", "exp", "nbf", "iat", "scope"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }

    // Expired, from stdin with surrounding whitespace: exit 1 and the problem listed.
    let mut c = base_claims();
    c["exp"] = json!(NOW - 7200);
    let (v, code) =
        inspect_json(&["-", "--jwks", &jwks, "--now", &now, "--json"], &format!("\n  {}  \n", rs256("k1", &c))).await;
    assert_eq!(code, 1);
    assert_eq!(v["valid"], false);
    assert_eq!(v["problems"], json!(["expired"]));
    let exp = v["checks"].as_array().unwrap().iter().find(|c| c["id"] == "exp").unwrap();
    assert_eq!(exp["status"], "fail");
    assert!(exp["expected"].is_string() && exp["actual"].is_string());

    // Opaque and malformed formats.
    let (v, code) = inspect_json(&["ghp_abcdefghijklmnopqrstuvwxyz0123456789", "--json"], "").await;
    assert_eq!((v["format"].as_str(), code), (Some("opaque"), 1));
    let (v, _) = inspect_json(&[&format!("{}.x", b64(br#"{"alg":"RS256"}"#)), "--json"], "").await;
    assert_eq!(v["format"], "malformed");
    assert_eq!(v["problems"], json!(["malformed"]));
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let f = JwksFetcher::new();
    let t = rs256("k1", &base_claims());
    for args in [
        vec![t.as_str(), "--jwks", "/nonexistent/jwks.json"],
        vec![t.as_str(), "--jwks", "x.json", "--issuer", "https://a"],
        vec![t.as_str(), "--issuer", "not a url"],
        vec!["-"],
    ] {
        let out = run_inspect(&inspect_args(&args), &mut "   ".as_bytes(), &f).await;
        assert_eq!(out.code, 2, "{args:?}");
        assert!(!out.stderr.is_empty());
    }
    // Clap's own usage errors are exit 2 too.
    let e = Cli::try_parse_from(["oauth-inspector", "token", "inspect", "t", "--leeway", "soon"]).err().unwrap();
    assert_eq!(e.exit_code(), 2);
}

#[tokio::test]
async fn the_secret_is_never_printed() {
    let secret = "s3cr3t-value-that-must-not-leak-0123456789";
    let t = sign(&json!({"alg": "HS256"}), &base_claims(), Signer::Hmac(secret.as_bytes()));
    let now = NOW.to_string();
    for extra in [vec!["--json"], vec![]] {
        let mut args = vec![t.as_str(), "--secret", secret, "--now", &now];
        args.extend(extra.iter().copied());
        let parsed = inspect_args(&args);
        assert!(!format!("{parsed:?}").contains(secret));
        let out = run_inspect(&parsed, &mut "".as_bytes(), &JwksFetcher::new()).await;
        assert_eq!(out.code, 0, "{}", out.stdout);
        assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret));
        // A wrong secret: still not printed.
        let wrong = format!("{secret}x");
        let mut args = vec![t.as_str(), "--secret", wrong.as_str(), "--now", &now];
        args.extend(extra.iter().copied());
        let out = run_inspect(&inspect_args(&args), &mut "".as_bytes(), &JwksFetcher::new()).await;
        assert_eq!(out.code, 1);
        assert!(!out.stdout.contains(secret));
    }
}

#[tokio::test]
async fn text_report_shows_meanings_times_and_marks() {
    let dir = tempfile::tempdir().unwrap();
    let jwks = write_jwks(&dir, &[rsa_jwk(&keys().rsa, "k1")]);
    let mut c = base_claims();
    c["exp"] = json!(NOW + 250);
    let now = NOW.to_string();
    let t = rs256("k1", &c);
    let out = run_inspect(
        &inspect_args(&[&t, "--jwks", &jwks, "--now", &now, "--audience", "nope"]),
        &mut "".as_bytes(),
        &JwksFetcher::new(),
    )
    .await;
    assert_eq!(out.code, 1);
    for needle in [
        "expires in 4 min",
        "✔ signature",
        "✘ aud",
        "audience_mismatch",
        "expiration time",
        "- nonce",
        "Result: INVALID",
    ] {
        assert!(out.stdout.contains(needle), "{needle:?} not in:\n{}", out.stdout);
    }
}
