//! Each flow end to end against the sandbox on loopback, and each bad answer a flow must turn
//! into a clear failed step: wrong state, wrong iss, an error callback, a device code that
//! expires, `slow_down`.

use std::time::Duration;

use inspector_engine::discovery::ProviderSource;
use inspector_engine::flows::auth_code::{self, AuthCodeSettings, Callback};
use inspector_engine::flows::common::{ClientSecrets, ClientSettings};
use inspector_engine::flows::{device, ops};
use inspector_engine::http::HttpClient;
use inspector_engine::loopback::Loopback;
use inspector_engine::pkce::PkceMethod;
use inspector_engine::step::StepKind;
use inspector_engine::{ErrorCode, FlowEvent, Recorder, Secret, Step, StepStatus, TokenSet, UserAction};
use tokio::sync::mpsc::UnboundedReceiver;

fn http() -> HttpClient {
    HttpClient::new(Duration::from_secs(10))
}

fn client(issuer: &str, client_id: &str, scope: &str) -> ClientSettings {
    let mut c = ClientSettings::new(ProviderSource::Issuer { issuer: issuer.into() }, client_id);
    c.auth_method = inspector_engine::client_auth::AuthMethod::None;
    c.scope = Some(scope.into());
    c
}

/// The test "user": a browser without cookies that signs in and consents on the sandbox's pages.
async fn sign_in(authorize_url: &str, decision: &str) {
    let b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let origin = {
        let u = url::Url::parse(authorize_url).unwrap();
        u.origin().ascii_serialization()
    };
    let action = |html: &str| -> String {
        let start = html.find("action=\"").expect("a form") + 8;
        format!("{origin}{}", &html[start..start + html[start..].find('"').unwrap()])
    };
    let page = b.get(authorize_url).send().await.unwrap().text().await.unwrap();
    let page = b
        .post(action(&page))
        .form(&[("username", "carol"), ("password", "x")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let resp = b.post(action(&page)).form(&[("decision", decision)]).send().await.unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let _ = reqwest::get(location).await;
}

/// Follows the authorization URL wherever it redirects (the trouble issuers redirect at once).
async fn follow(url: String) {
    let _ = reqwest::get(url).await;
}

/// Runs an auth-code flow with a loopback listener; `user` acts on the authorization URL.
async fn auth_code_run<F, Fut>(
    issuer: &str,
    scope: &str,
    user: F,
) -> (Result<TokenSet, inspector_engine::FlowError>, Vec<Step>)
where
    F: FnOnce(String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let settings = AuthCodeSettings {
        client: client(issuer, "sandbox-app", scope),
        redirect_uri: None,
        pkce: PkceMethod::S256,
        login_timeout_secs: 10,
    };
    auth_code_run_with(settings, user).await
}

/// Like [`auth_code_run`], with the settings given.
async fn auth_code_run_with<F, Fut>(
    settings: AuthCodeSettings,
    user: F,
) -> (Result<TokenSet, inspector_engine::FlowError>, Vec<Step>)
where
    F: FnOnce(String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    auth_code_run_via(&http(), settings, user).await
}

/// Like [`auth_code_run_with`], sending through `http` (e.g. a client with a gate).
async fn auth_code_run_via<F, Fut>(
    http: &HttpClient,
    settings: AuthCodeSettings,
    user: F,
) -> (Result<TokenSet, inspector_engine::FlowError>, Vec<Step>)
where
    F: FnOnce(String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let mut rec = Recorder::new();
    let mut events = rec.subscribe();
    let lb = Loopback::bind(None).await.unwrap();
    let watcher = tokio::spawn(async move {
        let mut steps = vec![];
        let mut user = Some(user);
        while let Some(ev) = events.recv().await {
            match ev {
                FlowEvent::Action(UserAction::OpenUrl { url }) => {
                    let u = user.take().unwrap();
                    tokio::spawn(async move { u(url).await });
                }
                FlowEvent::Step(s) => steps.push(s),
                _ => {}
            }
        }
        steps
    });
    let result = auth_code::run(http, &rec, &settings, &ClientSecrets::default(), Callback::Loopback(lb)).await;
    rec.finish(result.clone().map(Some));
    drop(rec);
    (result, watcher.await.unwrap())
}

fn collect(mut events: UnboundedReceiver<FlowEvent>) -> tokio::task::JoinHandle<Vec<FlowEvent>> {
    tokio::spawn(async move {
        let mut v = vec![];
        while let Some(e) = events.recv().await {
            v.push(e);
        }
        v
    })
}

fn steps_of(events: Vec<FlowEvent>) -> Vec<Step> {
    events.into_iter().filter_map(|e| if let FlowEvent::Step(s) = e { Some(s) } else { None }).collect()
}

fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jwt.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn auth_code_with_pkce_then_refresh_userinfo_introspect_revoke() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (result, steps) =
        auth_code_run(&sb.issuer, "openid profile offline_access orders.read", |u| sign_in_owned(u, "allow")).await;
    let tokens = result.expect("tokens");
    let id = claims(tokens.id_token.as_deref().expect("id_token for openid"));
    assert_eq!(id["sub"], "carol");
    assert!(steps.iter().any(|s| s.title == "ID token nonce matches the one sent"));
    let token_step = steps.iter().find(|s| s.title.starts_with("Token request (authorization code")).unwrap();
    let StepKind::Http { request, .. } = &token_step.kind else { panic!() };
    let body = request.body.as_deref().unwrap();
    assert!(body.contains("code_verifier=") && body.contains("grant_type=authorization_code"), "{body}");
    let cb = steps.iter().find(|s| s.title == "Authorization response received").unwrap();
    assert_eq!(cb.status, StepStatus::Ok, "state and iss checked: {:?}", cb.kind);
    assert!(!steps.iter().any(|s| s.title.starts_with("No refresh token")), "a refresh token came");

    let app = client(&sb.issuer, "sandbox-app", "");
    let mut settings = app.clone();
    settings.scope = None;
    let rec = Recorder::new();
    let old_refresh = tokens.refresh_token.clone().unwrap();
    let refreshed =
        ops::refresh(&http(), &rec, &settings, &ClientSecrets::default(), &Secret::new(old_refresh.clone()))
            .await
            .unwrap();
    assert_ne!(refreshed.refresh_token.as_deref(), Some(old_refresh.as_str()), "rotated");

    let info = ops::userinfo(&http(), &rec, &settings, &Secret::new(refreshed.access_token.clone())).await.unwrap();
    assert_eq!(info["sub"], "carol");
    assert_eq!(info["name"], "Carol");

    let mut service = ClientSettings::new(ProviderSource::Issuer { issuer: sb.issuer.clone() }, "sandbox-service");
    service.auth_method = inspector_engine::client_auth::AuthMethod::ClientSecretBasic;
    let service_secrets =
        ClientSecrets { client_secret: Some(Secret::new("sandbox-service-secret")), private_key: None };
    let at = Secret::new(refreshed.access_token.clone());
    let active = ops::introspect(&http(), &rec, &service, &service_secrets, &at, Some("access_token")).await.unwrap();
    assert_eq!(active["active"], true);
    assert_eq!(active["sub"], "carol");
    ops::revoke(&http(), &rec, &settings, &ClientSecrets::default(), &at, None).await.unwrap();
    let inactive = ops::introspect(&http(), &rec, &service, &service_secrets, &at, None).await.unwrap();
    assert_eq!(inactive["active"], false);
    let e = ops::userinfo(&http(), &rec, &settings, &at).await.unwrap_err();
    assert!(e.message.contains("HTTP 401") && e.message.contains("invalid_token"), "{}", e.message);

    // The rotated-out refresh token fails, and replaying it revokes its grant: the new one too
    // (reuse detection, RFC 9700 §4.14.2).
    let again =
        ops::refresh(&http(), &rec, &settings, &ClientSecrets::default(), &Secret::new(old_refresh)).await.unwrap_err();
    assert_eq!(again.oauth.unwrap().error, "invalid_grant", "the rotated-out refresh token fails");
    let new_refresh = Secret::new(refreshed.refresh_token.clone().unwrap());
    let revoked = ops::refresh(&http(), &rec, &settings, &ClientSecrets::default(), &new_refresh).await.unwrap_err();
    assert_eq!(revoked.oauth.unwrap().error, "invalid_grant", "the whole grant is revoked after a replay");
}

#[tokio::test]
async fn denied_consent_is_a_clear_failed_step() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (result, steps) = auth_code_run(&sb.issuer, "openid", |u| sign_in_owned(u, "deny")).await;
    let e = result.unwrap_err();
    assert_eq!(e.code, ErrorCode::OauthError);
    assert_eq!(e.oauth.as_ref().unwrap().error, "access_denied");
    assert_eq!(steps.last().unwrap().status, StepStatus::Failed);
}

async fn trouble_auth(kind: &str) -> (inspector_engine::FlowError, Vec<Step>) {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let issuer = format!("{}/trouble/{kind}", sb.issuer);
    let (result, steps) = auth_code_run(&issuer, "openid", follow).await;
    (result.unwrap_err(), steps)
}

fn query_param(url: &str, name: &str) -> String {
    url::Url::parse(url).unwrap().query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap()
}

#[tokio::test]
async fn a_loopback_callback_with_a_wrong_state_is_a_warning_and_the_real_one_is_still_taken() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let issuer = format!("{}/trouble/wrong-state", sb.issuer);
    let iss = issuer.clone();
    let (result, steps) = auth_code_run(&issuer, "openid", move |url| async move {
        // The trouble issuer redirects at once with state=forged-state; then the real callback comes.
        follow(url.clone()).await;
        let (redirect_uri, state) = (query_param(&url, "redirect_uri"), query_param(&url, "state"));
        let mut real = url::Url::parse(&redirect_uri).unwrap();
        real.query_pairs_mut().append_pair("code", "real-code").append_pair("state", &state).append_pair("iss", &iss);
        follow(real.to_string()).await;
    })
    .await;
    let rejected = steps.iter().position(|s| s.title.starts_with("Loopback listener rejected")).expect("warning step");
    assert_eq!(steps[rejected].status, StepStatus::Warning);
    let StepKind::Local { details } = &steps[rejected].kind else { panic!() };
    assert_eq!(details["actual_state"], "forged-state");
    assert!(steps[rejected].secrets.iter().any(|m| m.label == "authorization_code" && m.value == "trouble-code"));
    let received = steps.iter().position(|s| s.title == "Authorization response received").unwrap();
    assert!(received > rejected);
    assert_eq!(steps[received].status, StepStatus::Ok, "the real callback passes the state check");
    assert!(steps.iter().any(|s| s.title.starts_with("Token request")), "the real code is exchanged");
    // The trouble issuer has no working token endpoint; the flow fails there, not on the state.
    assert_ne!(result.unwrap_err().code, ErrorCode::StateMismatch);
}

#[tokio::test]
async fn a_pasted_url_with_a_wrong_state_fails_the_flow() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let mut rec = Recorder::new();
    let events = collect(rec.subscribe());
    let settings = AuthCodeSettings {
        client: client(&sb.issuer, "sandbox-app", "openid"),
        redirect_uri: None,
        pkce: PkceMethod::S256,
        login_timeout_secs: 10,
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let redirect_uri = "http://127.0.0.1:9/callback".to_string();
    tx.send(format!("{redirect_uri}?code=pasted&state=forged-state")).unwrap();
    let callback = Callback::Delivered { redirect_uri, url: rx };
    let e = auth_code::run(&http(), &rec, &settings, &ClientSecrets::default(), callback).await.unwrap_err();
    drop(rec);
    assert_eq!(e.code, ErrorCode::StateMismatch);
    assert!(e.message.contains("\"forged-state\""), "{}", e.message);
    let steps = steps_of(events.await.unwrap());
    let last = steps.last().unwrap();
    assert_eq!((last.title.as_str(), last.status), ("Authorization response received", StepStatus::Failed));
    assert!(!steps.iter().any(|s| s.title.starts_with("Token request")), "no code exchange after a wrong state");
}

#[tokio::test]
async fn a_callback_with_a_wrong_iss_fails_the_flow() {
    let (e, steps) = trouble_auth("wrong-iss").await;
    assert_eq!(e.code, ErrorCode::IssuerMismatch);
    assert!(e.message.contains("https://attacker.example") && e.message.contains("RFC 9207"), "{}", e.message);
    let last = steps.last().unwrap();
    assert_eq!(last.status, StepStatus::Failed);
    // The callback's checks are the product's one Check type: id, status, expected, actual, spec, problem.
    let StepKind::Local { details } = &last.kind else { panic!("{last:?}") };
    let iss = details["checks"].as_array().unwrap().iter().find(|c| c["id"] == "iss").expect("an iss check");
    assert_eq!(iss["status"], "fail");
    assert_eq!(iss["problem"], "issuer_mismatch");
    assert_eq!(iss["actual"], "https://attacker.example");
    assert_eq!(iss["spec"], "RFC 9207 §2.4");
    let state = details["checks"].as_array().unwrap().iter().find(|c| c["id"] == "state").unwrap();
    assert_eq!(state["status"], "pass");
}

#[tokio::test]
async fn an_error_callback_shows_error_description_and_uri() {
    let (e, steps) = trouble_auth("callback-error").await;
    let o = e.oauth.clone().unwrap();
    assert_eq!(o.error, "access_denied");
    assert_eq!(o.error_description.as_deref(), Some("The user cancelled the sign-in"));
    assert!(o.error_uri.unwrap().ends_with("/errors/access_denied"));
    assert!(e.message.contains("access_denied (The user cancelled the sign-in)"), "{}", e.message);
    assert_eq!(steps.last().unwrap().error.as_ref().unwrap().code, ErrorCode::OauthError);
}

#[tokio::test]
async fn device_flow_against_the_sandbox() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let mut rec = Recorder::new();
    let mut events = rec.subscribe();
    let issuer = sb.issuer.clone();
    let user = tokio::spawn(async move {
        while let Some(ev) = events.recv().await {
            if let FlowEvent::Action(UserAction::EnterUserCode { user_code, verification_uri, .. }) = ev {
                assert_eq!(verification_uri, format!("{issuer}/device"));
                let b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
                let page = b
                    .post(&verification_uri)
                    .form(&[("user_code", user_code.to_lowercase().replace('-', " ")), ("username", "dave".into())])
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let start = page.find("action=\"").unwrap() + 8;
                let action = &page[start..start + page[start..].find('"').unwrap()];
                b.post(format!("{issuer}{action}")).form(&[("decision", "allow")]).send().await.unwrap();
            }
        }
    });
    let settings = client(&sb.issuer, "sandbox-device", "openid offline_access");
    let tokens = device::run(&http(), &rec, &settings, &ClientSecrets::default()).await.unwrap();
    drop(rec);
    user.await.unwrap();
    assert_eq!(claims(&tokens.access_token)["sub"], "dave");
    assert!(tokens.refresh_token.is_some());
}

#[tokio::test]
async fn device_polling_stops_when_the_code_expires() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let mut rec = Recorder::new();
    let events = collect(rec.subscribe());
    let settings = client(&format!("{}/trouble/device-expires", sb.issuer), "sandbox-device", "openid");
    let e = device::run(&http(), &rec, &settings, &ClientSecrets::default()).await.unwrap_err();
    drop(rec);
    assert_eq!(e.code, ErrorCode::Expired);
    assert!(e.message.contains("expires_in = 3 s"), "{}", e.message);
    let steps: Vec<Step> = events
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| if let FlowEvent::Step(s) = e { Some(s) } else { None })
        .collect();
    let polls = steps.iter().filter(|s| s.title.contains("authorization_pending")).count();
    assert!(polls >= 1, "each poll is a step");
    assert_eq!(steps.last().unwrap().title, "Device code expired");
}

#[tokio::test]
async fn slow_down_adds_five_seconds_and_access_denied_stops() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let mut rec = Recorder::new();
    let events = collect(rec.subscribe());
    let settings = client(&format!("{}/trouble/device-slow-down", sb.issuer), "sandbox-device", "openid");
    let e = device::run(&http(), &rec, &settings, &ClientSecrets::default()).await.unwrap_err();
    drop(rec);
    assert_eq!(e.oauth.unwrap().error, "access_denied");
    let steps: Vec<Step> = events
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| if let FlowEvent::Step(s) = e { Some(s) } else { None })
        .collect();
    let slow = steps.iter().find(|s| s.title.contains("slow_down")).expect("slow_down step");
    assert!(slow.title.contains("interval raised to 6 s"), "{}", slow.title);
    let denied = steps.iter().find(|s| s.title.contains("access_denied")).expect("access_denied step");
    assert!(denied.at_ms - slow.at_ms >= 5_900, "waited the raised interval: {} ms", denied.at_ms - slow.at_ms);
}

#[tokio::test]
async fn an_authorization_endpoint_that_is_not_https_or_loopback_is_never_opened() {
    for bad in ["http://login.example.com/authorize", "javascript:alert(1)", "file:///etc/passwd", "myapp://authorize"]
    {
        let endpoints = inspector_engine::discovery::Endpoints {
            authorization_endpoint: Some(bad.into()),
            token_endpoint: Some("https://login.example.com/token".into()),
            ..Default::default()
        };
        let mut c = ClientSettings::new(ProviderSource::Manual { endpoints }, "app");
        c.auth_method = inspector_engine::client_auth::AuthMethod::None;
        let settings =
            AuthCodeSettings { client: c, redirect_uri: None, pkce: PkceMethod::S256, login_timeout_secs: 5 };
        let mut rec = Recorder::new();
        let events = collect(rec.subscribe());
        let lb = Loopback::bind(None).await.unwrap();
        let e = auth_code::run(&http(), &rec, &settings, &ClientSecrets::default(), Callback::Loopback(lb))
            .await
            .unwrap_err();
        drop(rec);
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains(&format!("{bad:?}")) && e.message.contains("loopback host"), "{}", e.message);
        let events = events.await.unwrap();
        assert!(
            !events.iter().any(|e| matches!(e, FlowEvent::Action(UserAction::OpenUrl { .. }))),
            "{bad} must not be published to open: {events:?}"
        );
        let steps = steps_of(events);
        let last = steps.last().unwrap();
        assert_eq!(last.status, StepStatus::Failed);
        assert!(last.title.starts_with("Authorization endpoint refused"), "{}", last.title);
    }
}

fn authorization_request_url(steps: &[Step]) -> String {
    let step = steps.iter().find(|s| s.title.starts_with("Authorization request")).expect("authorization request step");
    let StepKind::Local { details } = &step.kind else { panic!("{step:?}") };
    details["url"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn offline_access_adds_prompt_consent_unless_the_user_set_a_prompt() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (result, steps) = auth_code_run(&sb.issuer, "openid offline_access", |u| sign_in_owned(u, "allow")).await;
    assert!(result.unwrap().refresh_token.is_some());
    let url = authorization_request_url(&steps);
    assert_eq!(query_param(&url, "prompt"), "consent", "{url}");
    let added = steps.iter().position(|s| s.title.starts_with("Added prompt=consent")).expect("a step says why");
    let StepKind::Local { details } = &steps[added].kind else { panic!() };
    assert!(details["spec"].as_str().unwrap().contains("OpenID Connect Core §11"));
    assert!(added < steps.iter().position(|s| s.title.starts_with("Authorization request")).unwrap());

    let mut settings = AuthCodeSettings {
        client: client(&sb.issuer, "sandbox-app", "openid offline_access"),
        redirect_uri: None,
        pkce: PkceMethod::S256,
        login_timeout_secs: 10,
    };
    settings.client.extra = vec![("prompt".into(), "login".into())];
    let (result, steps) = auth_code_run_with(settings, |u| sign_in_owned(u, "allow")).await;
    result.unwrap();
    let url = authorization_request_url(&steps);
    let prompts: Vec<String> = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .filter(|(k, _)| k == "prompt")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(prompts, ["login"], "the user's prompt is left alone: {url}");
    assert!(!steps.iter().any(|s| s.title.starts_with("Added prompt")));

    // No offline_access, no prompt.
    let (_, steps) = auth_code_run(&sb.issuer, "openid", |u| sign_in_owned(u, "allow")).await;
    assert!(!authorization_request_url(&steps).contains("prompt="));
}

#[tokio::test]
async fn pkce_plain_and_none_runs_record_their_warning_steps() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    // The sandbox refuses plain unless a trainer allows it.
    sb.trainer.set(inspector_sandbox::Switch::PkcePlainAccepted, true);
    let settings = |pkce| AuthCodeSettings {
        client: client(&sb.issuer, "sandbox-app", "openid"),
        redirect_uri: None,
        pkce,
        login_timeout_secs: 10,
    };

    let (result, steps) = auth_code_run_with(settings(PkceMethod::Plain), |u| sign_in_owned(u, "allow")).await;
    result.expect("the sandbox accepts plain when the trainer says so");
    let warning = steps.iter().find(|s| s.title.starts_with("PKCE plain")).expect("plain warning step");
    assert_eq!(warning.status, StepStatus::Warning);
    assert!(warning.title.contains("DEMONSTRATION ONLY") && warning.title.contains("RFC 9700"), "{}", warning.title);
    let StepKind::Local { details } = &warning.kind else { panic!() };
    let verifier = details["code_verifier"].as_str().unwrap();
    assert!(warning.secrets.iter().any(|m| m.label == "code_verifier" && m.value == verifier));
    let url = authorization_request_url(&steps);
    assert_eq!(query_param(&url, "code_challenge_method"), "plain");
    assert_eq!(query_param(&url, "code_challenge"), verifier, "plain: the challenge is the verifier");
    assert!(!steps.iter().any(|s| s.title.starts_with("PKCE verifier generated (S256)")));

    let (result, steps) = auth_code_run_with(settings(PkceMethod::None), follow).await;
    let warning = steps.iter().find(|s| s.title.starts_with("PKCE OFF")).expect("none warning step");
    assert_eq!(warning.status, StepStatus::Warning);
    assert!(warning.title.contains("stolen authorization code"), "{}", warning.title);
    let url = authorization_request_url(&steps);
    assert!(!url.contains("code_challenge"), "no PKCE parameters: {url}");
    // The sandbox requires PKCE of a public client: the run shows the refusal.
    let e = result.unwrap_err();
    assert_eq!(e.oauth.unwrap().error, "invalid_request");
    assert!(e.message.contains("PKCE is required"), "{}", e.message);
}

/// A gate standing in for the step-through user: it lets every request go, except the token
/// request, whose `code_verifier` it replaces (or which it aborts).
struct TokenRequestGate {
    abort: bool,
    held: std::sync::Mutex<Vec<inspector_engine::gate::PendingRequest>>,
}

const TAMPERED: &str = "verifier-typed-at-the-gate-0123456789abcdefghijkl";

impl inspector_engine::gate::Gate for TokenRequestGate {
    fn decide<'a>(
        &'a self,
        pending: &'a inspector_engine::gate::PendingRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = inspector_engine::gate::GateDecision> + Send + 'a>> {
        use inspector_engine::gate::GateDecision;
        Box::pin(async move {
            self.held.lock().unwrap().push(pending.clone());
            let body = pending.request.body.clone().unwrap_or_default();
            if !body.contains("grant_type=authorization_code") {
                return GateDecision::Send;
            }
            if self.abort {
                return GateDecision::Abort;
            }
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
                .map(|(k, v)| {
                    let v = if k == "code_verifier" { TAMPERED.to_string() } else { v.into_owned() };
                    (k.into_owned(), v)
                })
                .collect();
            let mut edited = pending.request.clone();
            edited.body = Some(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish());
            GateDecision::SendEdited(edited)
        })
    }
}

#[tokio::test]
async fn a_token_request_edited_at_the_gate_is_sent_as_edited_and_recorded_with_the_change() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let gate = std::sync::Arc::new(TokenRequestGate { abort: false, held: Default::default() });
    let http = http().with_gate(gate.clone());
    let settings = AuthCodeSettings {
        client: client(&sb.issuer, "sandbox-app", "openid"),
        redirect_uri: None,
        pkce: PkceMethod::S256,
        login_timeout_secs: 10,
    };
    let (result, steps) = auth_code_run_via(&http, settings, |url| sign_in_owned(url, "allow")).await;

    let err = result.expect_err("a wrong verifier is refused");
    assert_eq!(err.oauth.as_ref().map(|o| o.error.as_str()), Some("invalid_grant"), "{err:?}");
    let held = gate.held.lock().unwrap().clone();
    assert!(held.iter().any(|p| p.request.url.ends_with("/.well-known/openid-configuration")), "discovery held too");
    let original = held
        .iter()
        .find_map(|p| {
            let body = p.request.body.as_deref()?;
            url::form_urlencoded::parse(body.as_bytes())
                .find(|(k, _)| k == "code_verifier")
                .map(|(_, v)| v.into_owned())
        })
        .expect("the token request was held with its verifier");

    let token = steps.iter().find(|s| s.title.starts_with("Token request")).expect("token step");
    let StepKind::Http { request, response } = &token.kind else { panic!("http step") };
    assert!(request.body.as_deref().unwrap().contains(TAMPERED), "the edited request is what was sent");
    assert_eq!(response.as_ref().unwrap().status, 400);
    let edit = token.edited.as_ref().expect("the step says it was edited");
    assert_eq!(edit.changes.len(), 1, "{edit:?}");
    let c = &edit.changes[0];
    assert_eq!((c.part.as_str(), c.name.as_str()), ("form", "code_verifier"));
    assert_eq!((c.before.as_deref(), c.after.as_deref()), (Some(original.as_str()), Some(TAMPERED)));
    // Both verifiers are secrets again: the redacted step shows neither.
    let red = serde_json::to_string(&token.redacted()).unwrap();
    assert!(!red.contains(TAMPERED) && !red.contains(&original), "{red}");
    assert!(red.contains("<redacted:code_verifier>"));
}

#[tokio::test]
async fn a_request_aborted_at_the_gate_is_never_sent_and_the_flow_says_so() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let gate = std::sync::Arc::new(TokenRequestGate { abort: true, held: Default::default() });
    let settings = AuthCodeSettings {
        client: client(&sb.issuer, "sandbox-app", "openid"),
        redirect_uri: None,
        pkce: PkceMethod::S256,
        login_timeout_secs: 10,
    };
    let (result, steps) = auth_code_run_via(&http().with_gate(gate), settings, |url| sign_in_owned(url, "allow")).await;
    let err = result.expect_err("aborted");
    assert_eq!(err.code, ErrorCode::Aborted);
    let token = steps.iter().find(|s| s.title.starts_with("Token request")).expect("token step");
    let StepKind::Http { response, .. } = &token.kind else { panic!("http step") };
    assert!(response.is_none(), "nothing came back: nothing was sent");
    assert_eq!(token.status, StepStatus::Failed);
}

async fn sign_in_owned(url: String, decision: &'static str) {
    sign_in(&url, decision).await
}
