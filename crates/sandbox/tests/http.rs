//! The sandbox over real loopback HTTP.

use serde_json::Value;

#[tokio::test]
async fn client_credentials_issues_an_rfc9068_token() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let http = reqwest::Client::new();
    let meta: Value =
        http.get(format!("{}/.well-known/openid-configuration", sb.issuer)).send().await.unwrap().json().await.unwrap();
    assert_eq!(meta["issuer"], sb.issuer);
    let token_url = meta["token_endpoint"].as_str().unwrap();
    let resp = http
        .post(token_url)
        .basic_auth("sandbox-service", Some("sandbox-service-secret"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&scope=orders.read")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["scope"], "orders.read");
    let at = body["access_token"].as_str().unwrap();
    let parts: Vec<&str> = at.split('.').collect();
    assert_eq!(parts.len(), 3);
    use base64::Engine;
    let dec = |s: &str| -> Value {
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap()
    };
    let (header, claims) = (dec(parts[0]), dec(parts[1]));
    assert_eq!(header["typ"], "at+jwt");
    for claim in ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"] {
        assert!(!claims[claim].is_null(), "RFC 9068 §2.2 requires {claim}");
    }
    let jwks: Value = http.get(meta["jwks_uri"].as_str().unwrap()).send().await.unwrap().json().await.unwrap();
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(kids.contains(&header["kid"].as_str().unwrap()));
    let ktys: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kty"].as_str().unwrap()).collect();
    assert_eq!(ktys, ["RSA", "EC"]);
}

#[tokio::test]
async fn wrong_secret_and_wrong_scope_are_refused() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/token", sb.issuer))
        .basic_auth("sandbox-service", Some("nope"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().get("www-authenticate").is_some());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");

    let resp = http
        .post(format!("{}/token", sb.issuer))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            "grant_type=client_credentials&client_id=sandbox-service&client_secret=sandbox-service-secret&scope=openid",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_scope");
}

/// Auth schemes are case-insensitive (RFC 9110 §11.1): `BASIC` at the token endpoint and `bearer`
/// or `BEARER` at the API are the schemes they spell.
#[tokio::test]
async fn auth_schemes_in_any_case() {
    use base64::Engine;
    let sb = inspector_sandbox::start(0).await.unwrap();
    let http = reqwest::Client::new();
    let basic = base64::engine::general_purpose::STANDARD.encode("sandbox-service:sandbox-service-secret");
    let resp = http
        .post(format!("{}/token", sb.issuer))
        .header("authorization", format!("BASIC {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&scope=orders.read")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "BASIC is Basic");
    let body: Value = resp.json().await.unwrap();
    let at = body["access_token"].as_str().unwrap();
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let resp = http
            .get(format!("{}/api/orders", sb.issuer))
            .header("authorization", format!("{scheme} {at}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{scheme} is Bearer");
    }
    let resp = http
        .get(format!("{}/api/orders", sb.issuer))
        .header("authorization", format!("Token {at}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401, "another scheme is still refused");
}
