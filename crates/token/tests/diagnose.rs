//! `diagnose` on saved request/response pairs in the styles of real servers (Entra, ASP.NET Core,
//! Spring Security, Keycloak, GitHub, nginx), a curl one-liner, and a token in the query string.

mod common;

use common::*;
use inspector_token::JwksFetcher;
use inspector_token::cli::{DiagnoseArgs, run_diagnose};
use serde_json::{Value, json};

struct Case {
    _dir: tempfile::TempDir,
    args: DiagnoseArgs,
}

fn case(request: &str, response: &str) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("request.http");
    let resp = dir.path().join("response.http");
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
    Case { _dir: dir, args }
}

async fn causes(c: &Case) -> Vec<String> {
    let out = run_diagnose(&c.args, &JwksFetcher::new()).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let list = v["causes"].as_array().unwrap();
    assert!(!list.is_empty());
    for c in list {
        assert!(c["summary"].is_string() && c["fix"].is_string(), "{c}");
    }
    list.iter().map(|c| c["code"].as_str().unwrap().to_string()).collect()
}

fn get(token: &str) -> String {
    format!(
        "GET /v1/orders HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    )
}

fn expired_token() -> String {
    let mut c = base_claims();
    c["exp"] = json!(NOW - 3600);
    rs256("k1", &c)
}

#[tokio::test]
async fn entra_expired() {
    let resp = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nWWW-Authenticate: Bearer authorization_uri=\"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/authorize\", error=\"invalid_token\", error_description=\"The token is expired\"\r\n\r\n";
    let c = causes(&case(&get(&expired_token()), resp)).await;
    assert_eq!(c[0], "expired", "{c:?}");
    // The IDX form in a JSON body, with a token that is itself fine: the server's word wins.
    let resp = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"IDX10214: Audience validation failed. Audiences: 'api://other'.\"}}";
    let c = causes(&case(&get(&rs256("k1", &base_claims())), resp)).await;
    assert_eq!(c[0], "audience_mismatch", "{c:?}");
}

#[tokio::test]
async fn aspnet_core_signature_key_not_found() {
    let resp = "HTTP/1.1 401 Unauthorized\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\nServer: Kestrel\r\nWWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"The signature key was not found\"\r\nContent-Length: 0\r\n\r\n";
    let c = causes(&case(&get(&rs256("rotated-away", &base_claims())), resp)).await;
    assert_eq!(c[0], "unknown_key", "{c:?}");
    assert_eq!(c.iter().filter(|x| *x == "unknown_key").count(), 1, "causes are unique: {c:?}");
}

#[tokio::test]
async fn spring_security_insufficient_scope() {
    let resp = "HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer error=\"insufficient_scope\", error_description=\"The request requires higher privileges than provided by the access token.\", error_uri=\"https://tools.ietf.org/html/rfc6750#section-3.1\", scope=\"orders.write\"\r\nContent-Length: 0\r\n\r\n";
    let c = causes(&case(&get(&rs256("k1", &base_claims())), resp)).await;
    assert_eq!(c[0], "insufficient_scope", "{c:?}");
}

#[tokio::test]
async fn keycloak_generic_invalid_token_lets_the_token_decide() {
    let resp = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"demo\", error=\"invalid_token\", error_description=\"Token verification failed\"\r\n\r\n";
    let mut k = case(&get(&rs256("k1", &base_claims())), resp);
    k.args.audience = vec!["account".into()];
    let c = causes(&k).await;
    assert_eq!(c[0], "audience_mismatch", "{c:?}");

    let c = causes(&case(&get(&expired_token()), resp)).await;
    assert_eq!(c[0], "expired", "{c:?}");

    let forged = sign(&json!({"alg": "RS256", "kid": "k1"}), &base_claims(), Signer::Rsa(&keys().rsa2));
    let c = causes(&case(&get(&forged), resp)).await;
    assert_eq!(c[0], "bad_signature", "{c:?}");

    // Nothing wrong locally: the server knows something we do not.
    let c = causes(&case(
        &get(&rs256("k1", &base_claims())),
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\n\r\n",
    ))
    .await;
    assert_eq!(c[0], "revoked_or_inactive", "{c:?}");
}

#[tokio::test]
async fn github_bad_credentials() {
    let req = "GET /user HTTP/1.1\r\nHost: api.github.com\r\nAuthorization: token ghp_16C7e42F292c6912E7710c838347Ae178B4a\r\n\r\n";
    let resp = "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"401\"}";
    let c = causes(&case(req, resp)).await;
    assert!(c.contains(&"revoked_or_inactive".to_string()), "{c:?}");
    let req = req.replace("Authorization: token", "Authorization: Bearer");
    let c = causes(&case(&req, resp)).await;
    assert_eq!(c[0], "revoked_or_inactive", "{c:?}");
    // GitHub's scope headers.
    let resp = "HTTP/1.1 404 Not Found\r\nX-OAuth-Scopes: read:user\r\nX-Accepted-OAuth-Scopes: repo\r\n\r\n{\"message\":\"Not Found\"}";
    let c = causes(&case(&req, resp)).await;
    assert_eq!(c[0], "insufficient_scope", "{c:?}");
}

#[tokio::test]
async fn curl_one_liners() {
    let basic = "curl -s -u alice:wonderland https://api.example.com/v1/orders";
    let resp = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"api\"\r\n\r\n";
    let c = causes(&case(basic, resp)).await;
    assert_eq!(c[0], "wrong_scheme", "{c:?}");

    let curl = format!(
        "curl -H 'Authorization: Bearer {}' -H \"Accept: application/json\" https://api.example.com/v1/orders",
        expired_token()
    );
    let c =
        causes(&case(&curl, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\n\r\n"))
            .await;
    assert_eq!(c[0], "expired", "{c:?}");
}

#[tokio::test]
async fn token_in_query_missing_token_and_dpop() {
    let req = format!("GET /v1/orders?access_token={}&x=1 HTTP/1.1\r\nHost: api\r\n\r\n", rs256("k1", &base_claims()));
    let c = causes(&case(&req, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"api\"\r\n\r\n")).await;
    assert_eq!(c[0], "token_in_query", "{c:?}");

    let c = causes(&case(
        "GET /v1/orders HTTP/1.1\r\nHost: api\r\n\r\n",
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n\r\n",
    ))
    .await;
    assert_eq!(c[0], "missing_token", "{c:?}");

    let c = causes(&case(
        &get(&rs256("k1", &base_claims())),
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: DPoP algs=\"ES256 PS256\"\r\n\r\n",
    ))
    .await;
    assert_eq!(c[0], "dpop_required", "{c:?}");

    let c = causes(&case(&get(&rs256("k1", &base_claims())), "HTTP/1.1 400 Bad Request\r\nWWW-Authenticate: Bearer error=\"invalid_request\", error_description=\"Found multiple bearer tokens in the request\"\r\n\r\n")).await;
    assert_eq!(c[0], "invalid_request", "{c:?}");
}

#[tokio::test]
async fn nginx_basic_in_front_and_usage_errors() {
    let resp = "HTTP/1.1 401 Unauthorized\r\nServer: nginx/1.25.3\r\nWWW-Authenticate: Basic realm=\"Restricted\"\r\nContent-Type: text/html\r\n\r\n<html><head><title>401 Authorization Required</title></head><body><center><h1>401 Authorization Required</h1></center><hr><center>nginx/1.25.3</center></body></html>";
    let c = causes(&case(&get(&rs256("k1", &base_claims())), resp)).await;
    assert_eq!(c[0], "wrong_scheme", "{c:?}");

    let mut k = case("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 401 Unauthorized\r\n\r\n");
    k.args.response = k.args.response.with_file_name("missing.http");
    assert_eq!(run_diagnose(&k.args, &JwksFetcher::new()).await.code, 2);
    let k = case("this is not a request", "HTTP/1.1 401 Unauthorized\r\n\r\n");
    assert_eq!(run_diagnose(&k.args, &JwksFetcher::new()).await.code, 2);
}

#[tokio::test]
async fn the_token_is_not_echoed_and_text_output_ranks_causes() {
    let t = expired_token();
    let mut k = case(
        &get(&t),
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"The token expired at '11/14/2023 21:13:20'\"\r\n\r\n",
    );
    let out = run_diagnose(&k.args, &JwksFetcher::new()).await;
    assert!(!out.stdout.contains(&t));
    k.args.json = false;
    let out = run_diagnose(&k.args, &JwksFetcher::new()).await;
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("1. [expired]"), "{}", out.stdout);
}
