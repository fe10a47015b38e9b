//! Flows against a small provider written in the test, for answers the sandbox never gives: an ID
//! token with another nonce, a token response without the refresh token asked for, and a token
//! endpoint that shows the client assertion it received, verified here independently of the engine.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use inspector_engine::client_auth::{ASSERTION_TYPE, AuthMethod};
use inspector_engine::discovery::{Endpoints, ProviderSource};
use inspector_engine::flows::auth_code::{self, AuthCodeSettings, Callback};
use inspector_engine::flows::client_credentials;
use inspector_engine::flows::common::{ClientSecrets, ClientSettings};
use inspector_engine::http::HttpClient;
use inspector_engine::loopback::Loopback;
use inspector_engine::pkce::PkceMethod;
use inspector_engine::step::StepKind;
use inspector_engine::{ErrorCode, FlowError, FlowEvent, Recorder, Secret, Step, StepStatus, TokenSet, UserAction};
use serde_json::{Value, json};

/// What the provider saw, for the test to inspect.
#[derive(Default)]
struct Seen {
    authorize: Option<HashMap<String, String>>,
    token_form: Option<HashMap<String, String>>,
}

/// Builds the token response from what `/authorize` received (e.g. to echo or alter its nonce).
type Answer = Arc<dyn Fn(&HashMap<String, String>) -> Value + Send + Sync>;

#[derive(Clone)]
struct Provider {
    seen: Arc<Mutex<Seen>>,
    answer: Answer,
}

struct Running {
    base: String,
    seen: Arc<Mutex<Seen>>,
}

impl Running {
    fn endpoints(&self) -> Endpoints {
        Endpoints {
            authorization_endpoint: Some(format!("{}/authorize", self.base)),
            token_endpoint: Some(format!("{}/token", self.base)),
            ..Default::default()
        }
    }
}

/// `/authorize` signs the user in at once and redirects with a code; `/token` answers `answer`.
async fn start(answer: impl Fn(&HashMap<String, String>) -> Value + Send + Sync + 'static) -> Running {
    let provider = Provider { seen: Arc::default(), answer: Arc::new(answer) };
    let seen = provider.seen.clone();
    let app = Router::new().route("/authorize", get(authorize)).route("/token", post(token)).with_state(provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Running { base, seen }
}

async fn authorize(State(p): State<Provider>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut to = url::Url::parse(&q["redirect_uri"]).unwrap();
    to.query_pairs_mut().append_pair("code", "local-code").append_pair("state", &q["state"]);
    p.seen.lock().unwrap().authorize = Some(q);
    Redirect::to(to.as_str()).into_response()
}

async fn token(State(p): State<Provider>, axum::Form(form): axum::Form<HashMap<String, String>>) -> Response {
    let mut seen = p.seen.lock().unwrap();
    seen.token_form = Some(form);
    let body = (p.answer)(seen.authorize.as_ref().unwrap_or(&HashMap::new()));
    axum::Json(body).into_response()
}

/// An unsigned ID token: the flow checks only its nonce, full validation is inspector-token's job.
fn id_token(claims: Value) -> String {
    format!("{}.{}.", B64.encode(r#"{"alg":"none"}"#), B64.encode(claims.to_string()))
}

fn http() -> HttpClient {
    HttpClient::new(Duration::from_secs(10))
}

fn steps_of(events: Vec<FlowEvent>) -> Vec<Step> {
    events.into_iter().filter_map(|e| if let FlowEvent::Step(s) = e { Some(s) } else { None }).collect()
}

/// An auth-code run against `p` whose "browser" follows the redirect back to the loopback listener.
async fn auth_code_run(p: &Running, scope: &str) -> (Result<TokenSet, FlowError>, Vec<Step>) {
    let mut client = ClientSettings::new(ProviderSource::Manual { endpoints: p.endpoints() }, "local-app");
    client.auth_method = AuthMethod::None;
    client.scope = Some(scope.into());
    let settings = AuthCodeSettings { client, redirect_uri: None, pkce: PkceMethod::S256, login_timeout_secs: 10 };
    let mut rec = Recorder::new();
    let mut events = rec.subscribe();
    let watcher = tokio::spawn(async move {
        let mut all = vec![];
        while let Some(ev) = events.recv().await {
            if let FlowEvent::Action(UserAction::OpenUrl { url }) = &ev {
                let url = url.clone();
                tokio::spawn(async move {
                    let _ = reqwest::get(url).await;
                });
            }
            all.push(ev);
        }
        all
    });
    let lb = Loopback::bind(None).await.unwrap();
    let result = auth_code::run(&http(), &rec, &settings, &ClientSecrets::default(), Callback::Loopback(lb)).await;
    rec.finish(result.clone().map(Some));
    drop(rec);
    (result, steps_of(watcher.await.unwrap()))
}

#[tokio::test]
async fn an_id_token_with_another_nonce_fails_the_flow() {
    let p = start(|authorize| {
        assert!(authorize.contains_key("nonce"), "the engine sends a nonce for openid");
        json!({"access_token": "at", "token_type": "Bearer",
               "id_token": id_token(json!({"iss": "local", "sub": "u", "aud": "local-app", "nonce": "replayed-nonce"}))})
    })
    .await;
    let (result, steps) = auth_code_run(&p, "openid").await;
    let e = result.unwrap_err();
    assert_eq!(e.code, ErrorCode::NonceMismatch);
    let sent = p.seen.lock().unwrap().authorize.as_ref().unwrap()["nonce"].clone();
    assert!(e.message.contains(&format!("{sent:?}")) && e.message.contains("\"replayed-nonce\""), "{}", e.message);
    let failed = steps.iter().find(|s| s.title == "ID token nonce does not match").expect("a nonce step");
    assert_eq!(failed.status, StepStatus::Failed);
    let StepKind::Local { details } = &failed.kind else { panic!() };
    assert_eq!(
        (details["expected"].as_str(), details["actual"].as_str()),
        (Some(sent.as_str()), Some("replayed-nonce"))
    );
    assert!(!steps.iter().any(|s| s.title == "ID token nonce matches the one sent"));
}

#[tokio::test]
async fn a_missing_nonce_in_the_id_token_fails_too_and_the_right_one_passes() {
    let p = start(|_| json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token(json!({"sub": "u"}))}))
        .await;
    let e = auth_code_run(&p, "openid").await.0.unwrap_err();
    assert_eq!(e.code, ErrorCode::NonceMismatch);
    assert!(e.message.contains("got none"), "{}", e.message);

    let p = start(
        |a| json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token(json!({"nonce": a["nonce"]}))}),
    )
    .await;
    let (result, steps) = auth_code_run(&p, "openid").await;
    result.unwrap();
    assert!(steps.iter().any(|s| s.title == "ID token nonce matches the one sent"));
}

#[tokio::test]
async fn offline_access_without_a_refresh_token_is_a_warning_with_likely_reasons() {
    let p = start(|_| json!({"access_token": "at", "token_type": "Bearer", "scope": "openid"})).await;
    let (result, steps) = auth_code_run(&p, "offline_access").await;
    let tokens = result.expect("the access token is still good");
    assert!(tokens.refresh_token.is_none());
    assert_eq!(p.seen.lock().unwrap().authorize.as_ref().unwrap().get("prompt").map(String::as_str), Some("consent"));
    let warning = steps.iter().find(|s| s.title.starts_with("No refresh token")).expect("warning step");
    assert_eq!(warning.status, StepStatus::Warning);
    let StepKind::Local { details } = &warning.kind else { panic!() };
    let reasons = details["likely_reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect::<Vec<_>>();
    let has = |needle: &str| reasons.iter().any(|r| r.contains(needle));
    assert!(has("lacks offline_access"), "the granted scope is named: {reasons:?}");
    assert!(has("refuses offline_access for this client"), "{reasons:?}");
    assert!(has("did not consent"), "{reasons:?}");
    assert!(has("refresh_token grant is not enabled"), "{reasons:?}");
    assert!(has("only to confidential clients (this client authenticates with none"), "{reasons:?}");
    assert_eq!(steps.last().unwrap().title, warning.title, "the warning closes the run");

    // A refresh token came: no warning.
    let p = start(|_| json!({"access_token": "at", "token_type": "Bearer", "refresh_token": "rt"})).await;
    let (result, steps) = auth_code_run(&p, "offline_access").await;
    assert_eq!(result.unwrap().refresh_token.as_deref(), Some("rt"));
    assert!(!steps.iter().any(|s| s.title.starts_with("No refresh token")));
}

#[tokio::test]
async fn client_secret_jwt_assertion_verifies_with_the_client_secret_independently() {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, errors::ErrorKind};
    let p = start(|_| json!({"access_token": "at", "token_type": "Bearer"})).await;
    let token_endpoint = format!("{}/token", p.base);
    let mut settings = ClientSettings::new(ProviderSource::Manual { endpoints: p.endpoints() }, "svc");
    settings.auth_method = AuthMethod::ClientSecretJwt;
    let secrets =
        ClientSecrets { client_secret: Some(Secret::new("a-32-byte-long-shared-secret-xyz")), private_key: None };
    client_credentials::run(&http(), &Recorder::new(), &settings, &secrets).await.unwrap();

    let form = p.seen.lock().unwrap().token_form.clone().unwrap();
    assert_eq!(form["client_assertion_type"], ASSERTION_TYPE);
    assert!(!form.contains_key("client_secret"), "the secret itself is not sent");
    let assertion = &form["client_assertion"];
    let header = decode_header(assertion).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&[&token_endpoint]);
    v.set_issuer(&["svc"]);
    v.sub = Some("svc".into());
    v.set_required_spec_claims(&["exp", "iat", "aud", "iss", "sub"]);
    let data = decode::<Value>(assertion, &DecodingKey::from_secret(b"a-32-byte-long-shared-secret-xyz"), &v)
        .expect("HS256 under the client secret, aud = token endpoint, iss = sub = client_id");
    assert!(data.claims["jti"].as_str().is_some_and(|j| j.len() >= 16), "a jti against replay: {}", data.claims);
    let lifetime = data.claims["exp"].as_i64().unwrap() - data.claims["iat"].as_i64().unwrap();
    assert!((1..=300).contains(&lifetime), "short-lived: {lifetime} s");

    // The signature once more without jsonwebtoken (the engine signs with it too): HMAC-SHA256 of
    // the signing input under the client secret, computed by aws-lc-rs.
    let (input, sig) = assertion.rsplit_once('.').unwrap();
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, b"a-32-byte-long-shared-secret-xyz");
    aws_lc_rs::hmac::verify(&key, input.as_bytes(), &B64.decode(sig).unwrap()).expect("HS256 under the client secret");

    // The check above is a real signature check: another key does not verify.
    let e = decode::<Value>(assertion, &DecodingKey::from_secret(b"another-secret-of-the-same-len!!"), &v).unwrap_err();
    assert_eq!(*e.kind(), ErrorKind::InvalidSignature);
}

#[tokio::test]
async fn a_device_verification_uri_that_is_not_https_is_never_shown_to_open() {
    for (uri, complete) in [
        ("http://device.example.com/activate", None),
        ("https://device.example.com/activate", Some("javascript:alert(1)")),
    ] {
        let body = json!({"device_code": "dc-1", "user_code": "ABCD-EFGH", "verification_uri": uri,
            "verification_uri_complete": complete, "expires_in": 60, "interval": 1});
        let app = Router::new().route("/device", post(move || async move { axum::Json(body) }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let endpoints = Endpoints {
            device_authorization_endpoint: Some(format!("{base}/device")),
            token_endpoint: Some(format!("{base}/token")),
            ..Default::default()
        };
        let mut client = ClientSettings::new(ProviderSource::Manual { endpoints }, "local-device");
        client.auth_method = AuthMethod::None;
        let mut rec = Recorder::new();
        let mut events = rec.subscribe();
        let result = inspector_engine::flows::device::run(&http(), &rec, &client, &ClientSecrets::default()).await;
        drop(rec);
        let e = result.expect_err("refused");
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let bad = complete.unwrap_or(uri);
        assert!(e.message.contains(bad) && e.message.contains("https"), "{}", e.message);
        let mut actions = 0;
        while let Some(ev) = events.recv().await {
            actions += matches!(ev, FlowEvent::Action(_)) as usize;
        }
        assert_eq!(actions, 0, "nothing offered to open for {bad}");
    }
}
