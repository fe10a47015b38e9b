//! The minting facility over real loopback HTTP: advertised in discovery, each variant refused by
//! the sandbox's own API for the reason it was made for, minted tokens revocable and introspectable.

use base64::Engine;
use serde_json::Value;

const SERVICE: (&str, &str) = ("sandbox-service", "sandbox-service-secret");

fn dec(s: &str) -> Value {
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap()
}

async fn service_token(http: &reqwest::Client, issuer: &str) -> String {
    let body: Value = http
        .post(format!("{issuer}/token"))
        .basic_auth(SERVICE.0, Some(SERVICE.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&scope=orders.read%20orders.write")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

async fn mint(http: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let resp = http.post(endpoint).form(form).send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn orders(http: &reqwest::Client, issuer: &str, token: &str) -> (u16, String) {
    let resp = http.get(format!("{issuer}/api/orders")).bearer_auth(token).send().await.unwrap();
    let challenge = resp.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string());
    (resp.status().as_u16(), challenge.unwrap_or_default())
}

#[tokio::test]
async fn each_minted_variant_is_refused_by_the_sandbox_api_for_its_own_reason() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let http = reqwest::Client::new();
    let meta: Value =
        http.get(format!("{}/.well-known/openid-configuration", sb.issuer)).send().await.unwrap().json().await.unwrap();
    let endpoint = meta["inspector_mint_endpoint"].as_str().expect("the mint endpoint is advertised").to_string();
    assert_eq!(endpoint, format!("{}/mint", sb.issuer));
    let token = service_token(&http, &sb.issuer).await;
    assert_eq!(orders(&http, &sb.issuer, &token).await.0, 200, "the original works");

    let cases = [
        ("expired", "the access token expired"),
        ("audience", "another audience"),
        ("issuer", "another issuer"),
        ("unknown_kid", "kid is not a key of this server"),
        ("revoked", "revoked"),
    ];
    for (variant, why) in cases {
        let (status, body) = mint(&http, &endpoint, &[("token", &token), ("variant", variant)]).await;
        assert_eq!(status, 200, "{variant}: {body}");
        let minted = body["access_token"].as_str().unwrap();
        assert_ne!(minted, token);
        let (status, challenge) = orders(&http, &sb.issuer, minted).await;
        assert_eq!(status, 401, "{variant} must be refused");
        assert!(challenge.contains("invalid_token") && challenge.contains(why), "{variant}: {challenge}");
    }

    // Fewer scopes: still valid, but not for the call that needs the dropped one.
    let (status, body) =
        mint(&http, &endpoint, &[("token", &token), ("variant", "scope"), ("scope", "orders.write")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["claims"]["scope"], "orders.write");
    let (status, challenge) = orders(&http, &sb.issuer, body["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 403);
    assert!(challenge.contains("insufficient_scope"), "{challenge}");

    // The unknown kid really is not in the JWKS, and the others are signed with the real key.
    let jwks: Value = http.get(format!("{}/jwks", sb.issuer)).send().await.unwrap().json().await.unwrap();
    let kids: Vec<&Value> = jwks["keys"].as_array().unwrap().iter().map(|k| &k["kid"]).collect();
    let (_, body) = mint(&http, &endpoint, &[("token", &token), ("variant", "unknown_kid")]).await;
    let header = dec(body["access_token"].as_str().unwrap().split('.').next().unwrap());
    assert!(!kids.contains(&&header["kid"]), "{header}");
    let (_, body) = mint(&http, &endpoint, &[("token", &token), ("variant", "audience")]).await;
    let header = dec(body["access_token"].as_str().unwrap().split('.').next().unwrap());
    assert!(kids.contains(&&header["kid"]), "{header}");
}

#[tokio::test]
async fn minted_tokens_are_introspectable_and_revocable_and_bad_requests_say_why() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let http = reqwest::Client::new();
    let endpoint = format!("{}/mint", sb.issuer);
    // Minting from client credentials alone, with no token.
    let resp = http
        .post(&endpoint)
        .basic_auth(SERVICE.0, Some(SERVICE.1))
        .form(&[("variant", "scope"), ("scope", "orders.read")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let minted = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(orders(&http, &sb.issuer, &minted).await.0, 200, "a narrower token is still valid for what it keeps");

    let introspect = |t: String| {
        let http = http.clone();
        let url = format!("{}/introspect", sb.issuer);
        async move {
            let v: Value = http
                .post(url)
                .basic_auth(SERVICE.0, Some(SERVICE.1))
                .form(&[("token", t)])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v
        }
    };
    let v = introspect(minted.clone()).await;
    assert_eq!((v["active"].as_bool(), v["scope"].as_str()), (Some(true), Some("orders.read")), "{v}");
    let resp = http
        .post(format!("{}/revoke", sb.issuer))
        .basic_auth(SERVICE.0, Some(SERVICE.1))
        .form(&[("token", &minted)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(introspect(minted.clone()).await["active"], false);
    assert_eq!(orders(&http, &sb.issuer, &minted).await.0, 401);

    // A revoked token cannot be minted from; an unknown variant is named.
    let (status, body) = mint(&http, &endpoint, &[("token", &minted), ("variant", "expired")]).await;
    assert_eq!(status, 400);
    assert!(
        body["error_description"].as_str().unwrap().contains("active access token issued by this sandbox"),
        "{body}"
    );
    let token = service_token(&http, &sb.issuer).await;
    let (status, body) = mint(&http, &endpoint, &[("token", &token), ("variant", "forever")]).await;
    assert_eq!(status, 400);
    let d = body["error_description"].as_str().unwrap();
    assert!(d.contains("expected one of expired") && d.contains("\"forever\""), "{d}");
    let (status, body) = mint(&http, &endpoint, &[("token", &token), ("variant", "scope"), ("scope", "openid")]).await;
    assert_eq!(status, 400);
    assert!(body["error_description"].as_str().unwrap().contains("subset"), "{body}");
}

#[tokio::test]
async fn a_malformed_bearer_header_is_400_invalid_request() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let http = reqwest::Client::new();
    let token = service_token(&http, &sb.issuer).await;
    let resp = http
        .get(format!("{}/api/orders", sb.issuer))
        .header("authorization", format!("Bearer {token} extra"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.headers()["www-authenticate"].to_str().unwrap().contains("invalid_request"));
    // Lower-case scheme is the same scheme (RFC 9110 §11.1).
    let resp = http
        .get(format!("{}/api/orders", sb.issuer))
        .header("authorization", format!("bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
