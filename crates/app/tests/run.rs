//! The application core with a test host: the in-process sandbox on loopback, a temporary store,
//! and a headless "user" who signs in when the host is asked to open the browser.

mod common;

use common::{TestHost, core};

use std::sync::Arc;

use inspector_app::engine::discovery::Endpoints;
use inspector_app::engine::gate::{Gate, GateDecision, PendingRequest};
use inspector_app::engine::{FlowEvent, Secret};
use inspector_app::store::View;
use inspector_app::{Login, Operation, RunRequest};

const SERVICE: (&str, &str) = ("sandbox-service", "sandbox-service-secret");

fn endpoints(issuer: &str) -> Endpoints {
    Endpoints {
        token_endpoint: Some(format!("{issuer}/token")),
        authorization_endpoint: Some(format!("{issuer}/authorize")),
        ..Default::default()
    }
}

#[tokio::test]
async fn endpoints_by_hand_then_a_rerun_of_that_session_that_reuses_its_sealed_secret() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let mut req = RunRequest::new(Operation::ClientCredentials);
    req.endpoints = endpoints(&sb.issuer);
    req.client_id = Some(SERVICE.0.into());
    req.client_secret = Some(Secret::new(SERVICE.1));
    req.auth_method = Some(inspector_app::engine::client_auth::AuthMethod::ClientSecretPost);
    req.scope = Some("orders.read".into());
    req.resource = vec!["https://api.example/orders".into()];
    let host = TestHost::new();
    let first = core.run(req, host.clone()).await.unwrap();
    assert!(first.ok, "{:?}", first.error);
    assert!(!host.text().contains(SERVICE.1), "the host sees steps redacted");
    assert!(host.events().iter().any(|e| matches!(e, FlowEvent::Tokens(_))));

    // Re-run: only the session is named; endpoints, client, method, scope, resource and the
    // secret come from it.
    let mut again = RunRequest::new(Operation::ClientCredentials);
    again.session = first.session_id;
    let host = TestHost::new();
    let second = core.run(again, host.clone()).await.unwrap();
    assert!(second.ok, "{:?}", second.error);
    let saved = core.store().unwrap().require(second.session_id.unwrap(), View::Full).await.unwrap();
    assert_eq!(saved.settings["auth_method"], "client_secret_post");
    assert_eq!(saved.settings["resource"][0], "https://api.example/orders");
    let token_step = saved.steps.iter().find(|s| s.title.starts_with("Token request")).unwrap();
    let inspector_app::engine::step::StepKind::Http { request, .. } = &token_step.kind else { panic!() };
    assert!(request.body.as_deref().unwrap().contains("client_secret=sandbox-service-secret"));

    // The same session re-run against another provider does not get the secret.
    let mut elsewhere = RunRequest::new(Operation::ClientCredentials);
    elsewhere.session = first.session_id;
    elsewhere.issuer = Some("http://127.0.0.1:9".into());
    let err = core.run(elsewhere, TestHost::new()).await.unwrap_err();
    assert_eq!(err.code, "secret_for_another_provider");
}

#[tokio::test]
async fn auth_code_through_the_host_then_a_refresh_from_the_saved_session() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let mut req = RunRequest::new(Operation::AuthorizationCode);
    req.issuer = Some(sb.issuer.clone());
    req.client_id = Some("sandbox-app".into());
    req.scope = Some("openid offline_access orders.read".into());
    req.login = Login::SystemBrowser;
    let host = TestHost::new();
    let run = core.run(req, host.clone()).await.unwrap();
    assert!(run.ok, "{:?}", run.error);
    let steps: Vec<_> =
        host.events().into_iter().filter_map(|e| if let FlowEvent::Step(s) = e { Some(s) } else { None }).collect();
    use inspector_app::engine::step::{Lane, StepCategory};
    let user = steps.iter().find(|s| s.category == StepCategory::UserAction).expect("the sign-in request is a step");
    assert_eq!((user.lanes.from, user.lanes.to), (Lane::App, Lane::Browser));
    assert!(steps.iter().any(|s| s.category == StepCategory::Redirect && s.lanes.from == Lane::Browser));
    // The tokens are checked before the run ends; the keys fetched for it are steps of the run too.
    let titles: Vec<&str> = steps.iter().map(|s| s.title.as_str()).collect();
    assert!(titles.contains(&"ID token checks: valid"), "{titles:#?}");
    assert!(titles.contains(&"Access token checks: valid"), "{titles:#?}");
    let keys = steps.iter().find(|s| s.title.starts_with("Keys for the token checks (JWKS): GET ")).expect("JWKS step");
    assert_eq!((keys.lanes.from, keys.lanes.to), (Lane::App, Lane::AuthorizationServer));
    // The live view and the saved session show the same text, step for step.
    let saved = core.store().unwrap().require(run.session_id.unwrap(), View::Redacted).await.unwrap();
    assert_eq!(serde_json::to_value(&steps).unwrap(), serde_json::to_value(&saved.steps).unwrap());
    let live = serde_json::to_string(&steps).unwrap();
    let full = core.store().unwrap().require(run.session_id.unwrap(), View::Full).await.unwrap();
    let tokens = full.tokens.as_ref().unwrap();
    for secret in [tokens.refresh_token.clone().unwrap(), tokens.access_token.rsplit('.').next().unwrap().to_string()] {
        assert!(!live.contains(&secret), "a token in the live steps");
    }

    let mut refresh = RunRequest::new(Operation::Refresh);
    refresh.session = run.session_id;
    let host = TestHost::new();
    let r = core.run(refresh, host.clone()).await.unwrap();
    assert!(r.ok, "{:?}", r.error);
    let saved = core.store().unwrap().require(r.session_id.unwrap(), View::Redacted).await.unwrap();
    assert_eq!(saved.summary.flow, "refresh_token");
    assert!(saved.tokens.is_some(), "new tokens saved");
}

/// Lets every request go except the token request, whose `code_verifier` it changes.
struct EditVerifier;

impl Gate for EditVerifier {
    fn decide<'a>(
        &'a self,
        p: &'a PendingRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = GateDecision> + Send + 'a>> {
        Box::pin(async move {
            let Some(body) = p.request.body.as_deref().filter(|b| b.contains("grant_type=authorization_code")) else {
                return GateDecision::Send;
            };
            let edited: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(url::form_urlencoded::parse(body.as_bytes()).map(|(k, v)| {
                    let v = if k == "code_verifier" {
                        "a-verifier-the-trainer-typed-in-front-of-the-class".into()
                    } else {
                        v
                    };
                    (k, v)
                }))
                .finish();
            let mut r = p.request.clone();
            r.body = Some(edited);
            GateDecision::SendEdited(r)
        })
    }
}

#[tokio::test]
async fn step_through_a_changed_code_verifier_is_refused_and_the_saved_step_shows_the_edit() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let mut req = RunRequest::new(Operation::AuthorizationCode);
    req.issuer = Some(sb.issuer.clone());
    req.client_id = Some("sandbox-app".into());
    req.scope = Some("openid".into());
    let host = TestHost::with_gate(Arc::new(EditVerifier));
    let run = core.run(req, host.clone()).await.unwrap();
    assert!(!run.ok);
    assert_eq!(run.error.as_ref().and_then(|e| e.oauth.as_ref()).map(|o| o.error.as_str()), Some("invalid_grant"));
    let pending = host.events().iter().filter(|e| matches!(e, FlowEvent::Pending(_))).count();
    assert!(pending >= 2, "discovery and the token request were held: {pending}");
    assert!(!host.text().contains("a-verifier-the-trainer-typed"), "the host sees the edit redacted");

    let saved = core.store().unwrap().require(run.session_id.unwrap(), View::Redacted).await.unwrap();
    let step = saved.steps.iter().find(|s| s.title.starts_with("Token request")).unwrap();
    let edit = step.edited.as_ref().expect("saved as edited");
    assert_eq!(edit.changes[0].name, "code_verifier");
    assert_eq!(edit.changes[0].after.as_deref(), Some("<redacted:code_verifier>"));
}

/// A host whose user never signs in, and cancels.
struct Cancelling(Arc<tokio::sync::Notify>, TestHost);

impl inspector_app::Host for Cancelling {
    fn event(&self, event: FlowEvent) {
        self.1.event(event);
    }
    fn open_browser(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
    fn cancelled(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'static>> {
        let n = self.0.clone();
        Box::pin(async move { n.notified().await })
    }
}

#[tokio::test]
async fn a_cancelled_run_stops_waiting_and_ends_aborted_with_its_steps_saved() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let mut req = RunRequest::new(Operation::AuthorizationCode);
    req.issuer = Some(sb.issuer.clone());
    req.client_id = Some("sandbox-app".into());
    req.scope = Some("openid".into());
    let notify = Arc::new(tokio::sync::Notify::new());
    let host = Arc::new(Cancelling(notify.clone(), TestHost::plain()));
    let started = std::time::Instant::now();
    let run = tokio::spawn({
        let (core, host) = (core.clone(), host.clone());
        async move { core.run(req, host).await.unwrap() }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    notify.notify_one();
    let run = run.await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "it stopped waiting for the login (300 s)");
    assert!(!run.ok);
    assert_eq!(run.error.as_ref().map(|e| e.code), Some(inspector_app::engine::ErrorCode::Aborted));
    let saved = core.store().unwrap().require(run.session_id.unwrap(), View::Redacted).await.unwrap();
    assert!(saved.steps.iter().any(|s| s.title.starts_with("Authorization request")), "the steps before are kept");
    assert_eq!(saved.summary.outcome, "failed");
}
