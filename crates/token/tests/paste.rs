//! Tokens pasted with mistakes (quotes, whitespace, line breaks, a leading `Bearer `), in
//! `inspect`, `token inspect` and `diagnose`: each is named with its fix, and the token without it
//! is still checked so the rest of the report is there. Also: auth schemes in any case.

mod common;

use clap::Parser;
use common::*;
use inspector_token::checks::{Options, Status};
use inspector_token::cli::{DiagnoseArgs, TokenCommand, run_diagnose, run_inspect};
use inspector_token::{Error, JwksFetcher, JwksSource, KeySource, PasteMistake, Report, api, inspect};
use serde_json::{Value, json};

struct Keys {
    _dir: tempfile::TempDir,
    path: String,
}

fn jwks_file() -> Keys {
    let dir = tempfile::tempdir().unwrap();
    let path = write_jwks(&dir, &[rsa_jwk(&keys().rsa, "k1")]);
    Keys { _dir: dir, path }
}

async fn inspect_pasted(raw: &str, k: &Keys) -> Report {
    let keys = KeySource { jwks: Some(JwksSource::File(k.path.clone().into())), secret: None };
    inspect(raw, &keys, &Options { now: NOW, ..Options::default() }, &JwksFetcher::new()).await.expect("inspect")
}

#[tokio::test]
async fn each_paste_mistake_is_named_and_the_cleaned_token_checked() {
    let k = jwks_file();
    let t = rs256("k1", &base_claims());
    let (head, tail) = t.split_at(30);
    let cases: Vec<(String, &[PasteMistake], &str)> = vec![
        (
            format!("\"{t}\""),
            &[PasteMistake::Quotes],
            "token pasted with double quotes around it — paste only the token",
        ),
        (format!("'{t}'"), &[PasteMistake::Quotes], "token pasted with single quotes around it — paste only the token"),
        (format!("  {t}\n"), &[PasteMistake::Whitespace], "spaces or line breaks around it — paste only the token"),
        (format!("{head}\n  {tail}"), &[PasteMistake::LineBreaks], "1 line break inside it — paste it as one line"),
        (
            format!("Bearer {t}"),
            &[PasteMistake::BearerPrefix],
            "token pasted with a leading 'Bearer ' — paste only the token",
        ),
        (format!("bearer {t}"), &[PasteMistake::BearerPrefix], "a leading 'bearer '"),
        (format!("BEARER {t}"), &[PasteMistake::BearerPrefix], "a leading 'BEARER '"),
        (
            format!("\"Bearer {head}\r\n{tail}\""),
            &[PasteMistake::Quotes, PasteMistake::BearerPrefix, PasteMistake::LineBreaks],
            "paste only the token, on one line",
        ),
    ];
    for (raw, kinds, says) in cases {
        let r = inspect_pasted(&raw, &k).await;
        assert_eq!(r.paste, kinds, "{raw:?}");
        let first = &r.checks[0];
        assert_eq!((first.id, first.status), ("paste", Status::Warn), "{raw:?}");
        assert!(first.message.contains(says), "{raw:?}: {}", first.message);
        assert!(!first.message.contains(tail) && !first.actual.as_deref().unwrap_or("").contains(tail));
        // The rest of the report is that of the token as it should have been pasted.
        assert!(r.valid, "{raw:?}: {:#?}", r.checks);
        assert_eq!(r.claims["sub"], base_claims()["sub"]);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["paste"].as_array().map(Vec::len), Some(kinds.len()));
    }

    // A clean paste has no paste check and no `paste` member in the JSON.
    let r = inspect_pasted(&t, &k).await;
    assert!(r.paste.is_empty() && r.checks.iter().all(|c| c.id != "paste"));
    assert!(serde_json::to_value(&r).unwrap().get("paste").is_none());
}

#[tokio::test]
async fn a_token_that_is_only_paste_mistakes_is_a_usage_error() {
    let k = jwks_file();
    let keys = KeySource { jwks: Some(JwksSource::File(k.path.clone().into())), secret: None };
    for raw in ["\"\"", "' '", "Bearer \"\""] {
        let err = inspect(raw, &keys, &Options::default(), &JwksFetcher::new()).await.unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{raw:?}: {err:?}");
        assert!(err.to_string().contains("the token is empty once"), "{err}");
    }
}

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: TokenCommand,
}

async fn cli(token_arg: &str, stdin: &[u8], k: &Keys) -> (Value, u8) {
    let argv = ["oauth-inspector", "inspect", token_arg, "--jwks", &k.path, "--now", "1700000000", "--json"];
    let TokenCommand::Inspect(args) = Cli::try_parse_from(argv).unwrap().cmd;
    let o = run_inspect(&args, &mut &stdin[..], &JwksFetcher::new()).await;
    assert!(o.stderr.is_empty(), "{}", o.stderr);
    (serde_json::from_str(&o.stdout).unwrap(), o.code)
}

#[tokio::test]
async fn the_cli_and_the_desktop_call_see_the_paste_as_given() {
    let k = jwks_file();
    let t = rs256("k1", &base_claims());
    let (v, code) = cli(&format!(" 'Bearer {t}' "), b"", &k).await;
    assert_eq!(code, 0, "valid once cleaned: {v:#}");
    assert_eq!(v["paste"], json!(["whitespace", "quotes", "bearer_prefix"]));
    assert_eq!(v["checks"][0]["id"], "paste");

    // The line ending of a file or `echo` on standard input is no mistake; quotes there are.
    let (v, _) = cli("-", format!("{t}\n").as_bytes(), &k).await;
    assert!(v.get("paste").is_none(), "{v:#}");
    let (v, _) = cli("-", format!("\"{t}\"\r\n").as_bytes(), &k).await;
    assert_eq!(v["paste"], json!(["quotes"]));

    let input = api::InspectInput { token: format!("\n{t}\n"), ..Default::default() };
    let r = api::inspect_token(&input, &JwksFetcher::new()).await.unwrap();
    assert_eq!(r.paste, [PasteMistake::Whitespace]);
    assert_eq!(r.claims["sub"], base_claims()["sub"]);
}

async fn diagnose(request: &str, response: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let (req, resp) = (dir.path().join("request.http"), dir.path().join("response.http"));
    std::fs::write(&req, request).unwrap();
    std::fs::write(&resp, response).unwrap();
    let jwks = write_jwks(&dir, &[rsa_jwk(&keys().rsa, "k1")]);
    let args = DiagnoseArgs {
        request: req,
        response: resp,
        jwks: Some(jwks),
        issuer: None,
        expect_issuer: None,
        audience: vec![],
        now: Some(NOW),
        json: true,
    };
    let out = run_diagnose(&args, &JwksFetcher::new()).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn codes(d: &Value) -> Vec<&str> {
    d["causes"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect()
}

fn request(authorization: &str) -> String {
    format!("GET /v1/orders HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: {authorization}\r\n\r\n")
}

const INVALID_TOKEN: &str = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\n\r\n";

#[tokio::test]
async fn auth_schemes_are_case_insensitive() {
    let mut expired = base_claims();
    expired["exp"] = json!(NOW - 3600);
    let expired = rs256("k1", &expired);
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let d = diagnose(&request(&format!("{scheme} {expired}")), INVALID_TOKEN).await;
        let c = codes(&d);
        assert_eq!(c[0], "expired", "{scheme}: {c:?}");
        assert!(!c.contains(&"wrong_scheme"), "{scheme} is the Bearer scheme (RFC 7235 §2.1): {c:?}");
        assert_eq!(d["token"]["location"], "Authorization: Bearer");
    }
    // The server's challenge in any case too.
    let fine = rs256("k1", &base_claims());
    for challenge in
        ["bearer error=\"insufficient_scope\", scope=\"orders.write\"", "BEARER error=\"insufficient_scope\""]
    {
        let resp = format!("HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: {challenge}\r\n\r\n");
        assert_eq!(codes(&diagnose(&request(&format!("Bearer {fine}")), &resp).await)[0], "insufficient_scope");
    }
    let d = diagnose(
        &request(&format!("dpop {fine}")),
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: DPOP algs=\"ES256\"\r\n\r\n",
    )
    .await;
    assert_eq!(d["token"]["location"], "Authorization: DPoP");
    assert!(!codes(&d).contains(&"wrong_scheme"), "{d:#}");
    let basic = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: BASIC realm=\"nginx\"\r\n\r\n";
    assert_eq!(codes(&diagnose(&request(&format!("Bearer {fine}")), basic).await)[0], "wrong_scheme");
    let d = diagnose(&request("BASIC YWxpY2U6d29uZGVybGFuZA=="), INVALID_TOKEN).await;
    assert_eq!(codes(&d)[0], "wrong_scheme");
    assert!(d["causes"][0]["evidence"][0].as_str().unwrap().contains("BASIC scheme"), "{d:#}");
}

#[tokio::test]
async fn diagnose_names_a_pasted_token_as_the_cause() {
    let t = rs256("k1", &base_claims());
    for (authorization, evidence) in [
        (format!("Bearer \"{t}\""), "double quotes around it"),
        (format!("Bearer '{t}'"), "single quotes around it"),
        (format!("Bearer Bearer {t}"), "a second 'Bearer ' in front of it"),
        (format!("bearer BEARER {t}"), "a second 'Bearer ' in front of it"),
    ] {
        let d = diagnose(&request(&authorization), INVALID_TOKEN).await;
        let c = codes(&d);
        assert_eq!(c[0], "malformed", "{authorization}: {c:?}");
        assert!(!c.contains(&"revoked_or_inactive"), "the paste explains the 401: {c:?}");
        let said = d["causes"][0]["evidence"].to_string();
        assert!(said.contains(evidence) && said.contains("send only the token"), "{said}");
        assert!(!d.to_string().contains(&t), "the token is never echoed");
        // The token without the quotes or prefix is inspected: nothing else is wrong with it.
        assert_eq!(d["token"]["valid"], true, "{d:#}");
        assert!(!d["token"]["paste"].as_array().unwrap().is_empty());
    }
    let d =
        diagnose(&format!("GET /v1/orders?access_token=%22{t}%22 HTTP/1.1\r\nHost: api\r\n\r\n"), INVALID_TOKEN).await;
    assert!(codes(&d).contains(&"malformed"), "{d:#}");
    assert_eq!(d["token"]["paste"], json!(["quotes"]));
}
