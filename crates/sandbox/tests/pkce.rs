//! PKCE at the sandbox over real loopback HTTP: what the authorization and token endpoints refuse
//! (RFC 7636, RFC 9700 §2.1.1), each time with the error a client can act on.

use std::collections::HashMap;

use base64::Engine;
use inspector_sandbox::DemoClient;
use serde_json::Value;

const REDIRECT: &str = "http://127.0.0.1:1/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// A confidential web client: PKCE is optional for it, so a code without a challenge can be issued.
fn web_client() -> DemoClient {
    DemoClient {
        client_id: "test-web",
        client_secret: Some("test-web-secret"),
        grant_types: &["authorization_code"],
        scopes: &["openid"],
        description: "confidential web client, PKCE optional",
    }
}

fn s256(verifier: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// `application/x-www-form-urlencoded`, as a browser would post the sandbox's forms.
fn encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn form_action(html: &str) -> String {
    let at = html.find("action=\"").expect("a form in the page") + "action=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location).unwrap().query_pairs().into_owned().collect()
}

/// Authorization request with `extra` parameters, then login and consent; the redirect's query.
async fn authorize(issuer: &str, client_id: &str, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let http = http();
    let mut url = url::Url::parse(&format!("{issuer}/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid")
        .append_pair("state", "st-1")
        .extend_pairs(extra);
    let resp = http.get(url).send().await.unwrap();
    if resp.status().is_redirection() {
        return query_of(resp.headers()["location"].to_str().unwrap());
    }
    assert_eq!(resp.status(), 200, "the login page");
    let login = form_action(&resp.text().await.unwrap());
    let page = http
        .post(format!("{issuer}{login}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&[("username", "alice")]))
        .send()
        .await
        .unwrap();
    let consent = form_action(&page.text().await.unwrap());
    let resp = http
        .post(format!("{issuer}{consent}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&[("decision", "allow")]))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "consent redirects back: {}", resp.status());
    query_of(resp.headers()["location"].to_str().unwrap())
}

async fn redeem(issuer: &str, client: (&str, Option<&str>), code: &str, verifier: Option<&str>) -> (u16, Value) {
    let mut form = vec![("grant_type", "authorization_code"), ("code", code), ("redirect_uri", REDIRECT)];
    form.push(("client_id", client.0));
    if let Some(secret) = client.1 {
        form.push(("client_secret", secret));
    }
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    let resp = http()
        .post(format!("{issuer}/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&form))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

const WEB: (&str, Option<&str>) = ("test-web", Some("test-web-secret"));
const APP: (&str, Option<&str>) = ("sandbox-app", None);

#[tokio::test]
async fn a_verifier_for_a_code_issued_without_challenge_is_a_downgrade() {
    let sb = inspector_sandbox::start_with_clients(0, vec![web_client()]).await.unwrap();
    let q = authorize(&sb.issuer, "test-web", &[]).await;
    let (status, body) = redeem(&sb.issuer, WEB, &q["code"], Some(VERIFIER)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    let why = body["error_description"].as_str().unwrap();
    assert!(why.contains("no code_challenge") && why.contains("downgrade"), "{why}");

    // An empty code_verifier is still one: the client meant PKCE and the request lost its challenge.
    let q = authorize(&sb.issuer, "test-web", &[]).await;
    let (status, body) = redeem(&sb.issuer, WEB, &q["code"], Some("")).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

    // Without PKCE on either side the confidential client is served: the refusal is the verifier's.
    let q = authorize(&sb.issuer, "test-web", &[]).await;
    let (status, body) = redeem(&sb.issuer, WEB, &q["code"], None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn a_code_issued_with_a_challenge_needs_its_verifier() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let challenge = s256(VERIFIER);
    let with_challenge = [("code_challenge", challenge.as_str()), ("code_challenge_method", "S256")];

    let q = authorize(&sb.issuer, "sandbox-app", &with_challenge).await;
    let (status, body) = redeem(&sb.issuer, APP, &q["code"], None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("code_verifier is required"), "{body}");

    let q = authorize(&sb.issuer, "sandbox-app", &with_challenge).await;
    let wrong = "x".repeat(43);
    let (status, body) = redeem(&sb.issuer, APP, &q["code"], Some(&wrong)).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");
    assert!(body["error_description"].as_str().unwrap().contains("does not match the S256"), "{body}");

    // The code was spent by the failed attempt (single use), so the right verifier comes too late.
    let (status, body) = redeem(&sb.issuer, APP, &q["code"], Some(VERIFIER)).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{body}");

    let q = authorize(&sb.issuer, "sandbox-app", &with_challenge).await;
    let (status, body) = redeem(&sb.issuer, APP, &q["code"], Some(VERIFIER)).await;
    assert_eq!(status, 200, "the right verifier is accepted: {body}");
}

#[tokio::test]
async fn a_public_client_must_send_a_challenge() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    for extra in [vec![], vec![("code_challenge_method", "S256")], vec![("code_challenge", "")]] {
        let q = authorize(&sb.issuer, "sandbox-app", &extra).await;
        assert!(!q.contains_key("code"), "no code without a challenge ({extra:?}): {q:?}");
        assert_eq!(q.get("error").map(String::as_str), Some("invalid_request"), "{extra:?}: {q:?}");
        assert!(q["error_description"].contains("PKCE is required"), "{q:?}");
        assert_eq!(q.get("state").map(String::as_str), Some("st-1"));
        assert_eq!(q.get("iss"), Some(&sb.issuer));
    }
}
