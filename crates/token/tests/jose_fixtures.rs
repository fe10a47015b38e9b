//! Table-driven: every case of tests/fixtures/jose/cases.json (tokens signed by panva's `jose`, an
//! independent implementation; made by tests/token-fixtures/make-fixtures.mjs) through the CLI's
//! own entry, `token inspect --json`, asserting format, validity, the exact problems, the failed
//! checks, and that each problem comes with a failed check. Leaves the generating to the script.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Parser;
use inspector_token::JwksFetcher;
use inspector_token::cli::{TokenCommand, run_inspect};
use serde_json::Value;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: TokenCommand,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jose")
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join("cases.json"))
        .expect("cases.json (run tests/token-fixtures/make-fixtures.mjs)");
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

/// The case's options as command-line flags.
fn flags(o: &Value) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    let mut push = |f: &str, v: String| {
        a.push(format!("--{f}"));
        a.push(v);
    };
    if o["jwks"] == true {
        push("jwks", dir().join("jwks.json").display().to_string());
    }
    match &o["secret"] {
        Value::Bool(true) => push("secret", std::fs::read_to_string(dir().join("hmac-secret.txt")).unwrap()),
        Value::String(s) => push("secret", s.clone()),
        _ => {}
    }
    for (key, flag) in [
        ("expect_issuer", "expect-issuer"),
        ("nonce", "nonce"),
        ("access_token", "access-token"),
        ("client_id", "client-id"),
    ] {
        if let Some(s) = o[key].as_str() {
            push(flag, s.to_string());
        }
    }
    for (key, flag) in [("audience", "audience"), ("scope", "scope")] {
        for s in o[key].as_array().into_iter().flatten() {
            push(flag, s.as_str().unwrap().to_string());
        }
    }
    for key in ["now", "leeway"] {
        if let Some(n) = o[key].as_i64() {
            push(key, n.to_string());
        }
    }
    a.push("--json".into());
    a
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn every_jose_case_gives_the_expected_verdict() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let fetcher = JwksFetcher::new();
    let mut failures = Vec::new();
    let mut codes_seen = BTreeSet::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let token = case["token"].as_str().unwrap();
        let mut argv = vec!["oauth-inspector".to_string(), "inspect".into(), token.into()];
        argv.extend(flags(&case["options"]));
        let TokenCommand::Inspect(args) = Cli::try_parse_from(&argv).unwrap_or_else(|e| panic!("{name}: {e}")).cmd;
        let out = run_inspect(&args, &mut std::io::empty(), &fetcher).await;
        assert!(out.stderr.is_empty(), "{name}: {}", out.stderr);
        let r: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));

        let want_valid = case["valid"].as_bool().unwrap();
        let want_problems = strings(&case["problems"]);
        let want_failed = strings(&case["failed_checks"]);
        let problems = strings(&r["problems"]);
        let checks = r["checks"].as_array().unwrap();
        let failed: Vec<String> =
            checks.iter().filter(|c| c["status"] == "fail").map(|c| c["id"].as_str().unwrap().to_string()).collect();
        codes_seen.extend(problems.iter().cloned());

        let mut wrong = Vec::new();
        if r["format"] != case["format"] {
            wrong.push(format!("format {} (want {})", r["format"], case["format"]));
        }
        if r["valid"] != want_valid {
            wrong.push(format!("valid {} (want {want_valid})", r["valid"]));
        }
        if out.code != if want_valid { 0 } else { 1 } {
            wrong.push(format!("exit {}", out.code));
        }
        if problems != want_problems {
            wrong.push(format!("problems {problems:?} (want {want_problems:?})"));
        }
        if failed != want_failed {
            wrong.push(format!("failed checks {failed:?} (want {want_failed:?})"));
        }
        for p in &problems {
            if !checks.iter().any(|c| c["status"] == "fail" && c["problem"] == p.as_str()) {
                wrong.push(format!("problem {p} has no failed check"));
            }
        }
        for c in checks.iter().filter(|c| c["status"] == "fail") {
            if c["problem"].as_str().is_none_or(|p| !problems.iter().any(|q| q == p)) {
                wrong.push(format!("failed check {} has no listed problem", c["id"]));
            }
        }
        if want_valid && !checks.iter().any(|c| c["id"] == "signature" && c["status"] == "pass") {
            wrong.push("valid without a passed signature check".into());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{name}: {}\n  checks: {}",
                wrong.join("; "),
                serde_json::to_string(checks).unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases wrong:\n{}", failures.len(), cases.len(), failures.join("\n"));
    let all = [
        "malformed",
        "alg_none",
        "alg_not_allowed",
        "bad_signature",
        "unknown_key",
        "expired",
        "not_yet_valid",
        "issued_in_future",
        "issuer_mismatch",
        "audience_mismatch",
        "missing_claim",
        "insufficient_scope",
        "nonce_mismatch",
        "at_hash_mismatch",
        "azp_mismatch",
        "crit_unsupported",
    ];
    let missing: Vec<&str> = all.iter().copied().filter(|c| !codes_seen.contains(*c)).collect();
    assert!(missing.is_empty(), "problem codes never produced: {missing:?}");
}

/// Every algorithm has a valid case, verified with the key `jose` exported (kid = alg name).
#[test]
fn the_table_covers_every_algorithm() {
    let cases = cases();
    for alg in
        ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512"]
    {
        assert!(
            cases.iter().any(|c| c["name"] == format!("valid {alg}").as_str() && c["valid"] == true),
            "no valid {alg} case"
        );
    }
    let jwks: Value = serde_json::from_str(&std::fs::read_to_string(dir().join("jwks.json")).unwrap()).unwrap();
    for k in jwks["keys"].as_array().unwrap() {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(k.get(private).is_none(), "the committed JWKS holds a private member {private}");
        }
    }
}
