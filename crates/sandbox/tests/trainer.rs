//! The trainer's switches over HTTP: listed, set as a whole by JSON only, refused with the name
//! of an unknown one, advertised in discovery; and the redirect URI rule they loosen.

use serde_json::{Value, json};

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn metadata(issuer: &str) -> Value {
    http().get(format!("{issuer}/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn switches_are_listed_set_by_json_and_advertised() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let url = format!("{}/trainer", sb.issuer);
    let listed: Value = http().get(&url).send().await.unwrap().json().await.unwrap();
    let all = listed["switches"].as_array().unwrap();
    assert_eq!(all.len(), inspector_sandbox::Switch::ALL.len());
    assert!(all.iter().all(|s| s["on"] == false && s["seen_as"].as_str().is_some_and(|t| !t.is_empty())));
    let meta = metadata(&sb.issuer).await;
    assert_eq!(meta["inspector_trainer_switches"], json!([]));
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]), "plain is refused by default");

    // A form post (what a web page could send cross-origin without a preflight) is refused.
    let form = http().put(&url).form(&[("on", "codes-reusable")]).send().await.unwrap();
    assert_eq!(form.status(), 400);
    assert!(sb.trainer.active().is_empty());

    let unknown = http().put(&url).json(&json!({"on": ["pkce-off"]})).send().await.unwrap();
    assert_eq!(unknown.status(), 400);
    let text = unknown.text().await.unwrap();
    assert!(text.contains("pkce-off") && text.contains("pkce-not-enforced"), "{text}");

    let set = http().put(&url).json(&json!({"on": ["pkce-plain-accepted", "iss-missing"]})).send().await.unwrap();
    assert_eq!(set.status(), 200);
    let meta = metadata(&sb.issuer).await;
    assert_eq!(meta["inspector_trainer_switches"], json!(["pkce-plain-accepted", "iss-missing"]));
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256", "plain"]));
    // Set as a whole: what is not named goes off.
    http().put(&url).json(&json!({"on": []})).send().await.unwrap();
    assert!(sb.trainer.active().is_empty());
}

#[tokio::test]
async fn the_redirect_uri_is_matched_but_for_the_loopback_port_unless_any_is_switched_on() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let authorize = |redirect: &str| {
        let mut u = url::Url::parse(&format!("{}/authorize", sb.issuer)).unwrap();
        u.query_pairs_mut().extend_pairs([
            ("client_id", "sandbox-app"),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            ("code_challenge_method", "S256"),
        ]);
        http().get(u.as_str()).send()
    };
    for ok in ["http://127.0.0.1:1234/callback", "http://localhost:9/callback", "http://[::1]:80/callback"] {
        assert_eq!(authorize(ok).await.unwrap().status(), 200, "{ok}: the login page");
    }
    for bad in
        ["http://127.0.0.1:1234/callback/evil", "http://127.0.0.1:1234/other", "https://attacker.example/callback"]
    {
        let resp = authorize(bad).await.unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        assert!(resp.text().await.unwrap().contains("registered redirect URI"), "{bad}");
    }
    sb.trainer.set(inspector_sandbox::Switch::AnyRedirectUri, true);
    assert_eq!(authorize("https://attacker.example/callback").await.unwrap().status(), 200);
}
