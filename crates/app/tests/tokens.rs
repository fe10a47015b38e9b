//! Tokens kept in the core: the summary a window gets instead of a token set, a saved token
//! fetched or inspected on request, and a request sent with a session's token as a placeholder —
//! against the in-process sandbox on loopback and a temporary store.

mod common;

use common::{core, sign_in};

use std::sync::{Arc, Mutex};

use inspector_app::engine::{FlowEvent, Secret, TokenSet};
use inspector_app::token::JwksFetcher;
use inspector_app::token::api::{DiagnoseInput, InspectInput};
use inspector_app::tokens::{TokenContext, summary};
use inspector_app::{Core, Host, Login, Operation, RunRequest, TokenKind};

#[derive(Default)]
struct TestHost {
    tokens: Mutex<Option<TokenSet>>,
}

impl Host for TestHost {
    fn event(&self, event: FlowEvent) {
        if let FlowEvent::Tokens(t) = event {
            *self.tokens.lock().unwrap() = Some(t);
        }
    }
    fn open_browser(&self, url: &str) -> Result<(), String> {
        let url = url.to_string();
        tokio::spawn(async move { sign_in(&url).await });
        Ok(())
    }
}

/// A client-credentials run with the sandbox's service client: its session id and token set.
async fn service_run(core: &Core, issuer: &str, scope: &str) -> (i64, TokenSet) {
    let mut req = RunRequest::new(Operation::ClientCredentials);
    req.issuer = Some(issuer.into());
    req.client_id = Some("sandbox-service".into());
    req.client_secret = Some(Secret::new("sandbox-service-secret"));
    req.scope = Some(scope.into());
    let host = Arc::new(TestHost::default());
    let run = core.run(req, host.clone()).await.unwrap();
    assert!(run.ok, "{:?}", run.error);
    let tokens = host.tokens.lock().unwrap().clone().expect("tokens obtained");
    (run.session_id.unwrap(), tokens)
}

fn signature(jwt: &str) -> &str {
    jwt.rsplit('.').next().unwrap()
}

#[tokio::test]
async fn a_summary_holds_the_checked_claims_but_neither_the_token_nor_its_signature() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let (id, set) = service_run(&core, &sb.issuer, "orders.read").await;
    let fetcher = JwksFetcher::new();

    let s = core.session_token_summary(id, &fetcher).await.unwrap();
    let text = serde_json::to_string(&s).unwrap();
    assert!(!text.contains(&set.access_token), "no raw token in the summary");
    assert!(!text.contains(signature(&set.access_token)), "nor its signature");
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["scope"], "orders.read");
    assert_eq!(json["tokens"][0]["which"], "access_token");
    assert_eq!(json["tokens"][0]["format"], "jwt");
    let report = &json["tokens"][0]["report"];
    assert_eq!(report["claims"]["client_id"], "sandbox-service", "{report}");
    assert_eq!(report["valid"], true, "checked against the session's issuer: {report}");
    let sig = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == "signature").unwrap();
    assert_eq!(sig["status"], "pass", "keys from the session's issuer: {sig}");
    assert!(report.get("signature").is_none(), "no signature bytes either: {report}");

    // Without the run's provider the signature cannot be checked: the context is what made it pass.
    let bare = summary(&set, &TokenContext::default(), &fetcher).await;
    let bare = serde_json::to_value(&bare).unwrap();
    let sig = bare["tokens"][0]["report"]["checks"].as_array().unwrap().iter().find(|c| c["id"] == "signature");
    assert_ne!(sig.unwrap()["status"], "pass");

    // On request, and only then, the one token in the clear.
    assert_eq!(core.session_token(id, TokenKind::AccessToken).await.unwrap().expose(), set.access_token);
    let none = core.session_token(id, TokenKind::IdToken).await.unwrap_err();
    assert_eq!((none.code.as_str(), none.message.as_str()), ("no_tokens", &*format!("session {id} has no id_token")));
    let bad = TokenKind::from_name("acces_token").unwrap_err();
    assert!(bad.message.contains("expected which token: access_token, refresh_token or id_token, got \"acces_token\""));
}

#[tokio::test]
async fn an_id_token_inspected_in_the_core_is_checked_against_the_sessions_client_and_access_token() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let mut req = RunRequest::new(Operation::AuthorizationCode);
    req.issuer = Some(sb.issuer.clone());
    req.client_id = Some("sandbox-app".into());
    req.scope = Some("openid offline_access".into());
    req.login = Login::SystemBrowser;
    let host = Arc::new(TestHost::default());
    let run = core.run(req, host.clone()).await.unwrap();
    assert!(run.ok, "{:?}", run.error);
    let id = run.session_id.unwrap();
    let fetcher = JwksFetcher::new();

    let report = core.inspect_session_token(id, TokenKind::IdToken, InspectInput::default(), &fetcher).await.unwrap();
    let report = serde_json::to_value(&report).unwrap();
    assert_eq!(report["valid"], true, "{report}");
    let status = |check: &str| {
        report["checks"].as_array().unwrap().iter().find(|c| c["id"] == check).map(|c| c["status"].clone())
    };
    assert_eq!(status("signature"), Some("pass".into()), "{report}");
    assert_eq!(status("aud"), Some("pass".into()), "aud against the session's client: {report}");
    assert_eq!(status("at_hash"), Some("pass".into()), "at_hash against the session's access token: {report}");

    // Expectations given win over the session's: another client id makes aud fail.
    let expect = InspectInput { client_id: Some("someone-else".into()), ..Default::default() };
    let report = core.inspect_session_token(id, TokenKind::IdToken, expect, &fetcher).await.unwrap();
    assert!(!report.valid);

    let s = serde_json::to_value(core.session_token_summary(id, &fetcher).await.unwrap()).unwrap();
    let which: Vec<_> = s["tokens"].as_array().unwrap().iter().map(|t| t["which"].as_str().unwrap()).collect();
    assert_eq!(which, ["access_token", "refresh_token", "id_token"]);
}

#[tokio::test]
async fn a_request_with_a_session_placeholder_is_sent_with_the_token_and_shown_with_the_placeholder() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let (id, set) = service_run(&core, &sb.issuer, "orders.read").await;
    let fetcher = JwksFetcher::new();
    let ph = format!("{{{{session:{id}:access_token}}}}");
    let request = format!("POST {}/api/orders HTTP/1.1\nAuthorization: Bearer {ph}\n", sb.issuer);

    let input = DiagnoseInput { keys: Default::default(), ..Default::default() };
    let d = core.diagnose(&request, None, &input, &fetcher).await.unwrap();
    // The sandbox saw the real token: it refuses for scope, not for a malformed token.
    assert!(d.response.starts_with("HTTP/1.1 403"), "{}", d.response);
    assert_eq!(d.diagnosis["causes"][0]["code"], "insufficient_scope", "{}", d.diagnosis);
    assert_eq!(d.diagnosis["token"]["format"], "jwt", "the token was found and decoded: {}", d.diagnosis);
    let shown = format!("{}{}", d.diagnosis, d.response);
    assert!(!shown.contains(&set.access_token) && !shown.contains(signature(&set.access_token)), "{shown}");

    // A GET the token may make succeeds.
    let get = format!("GET {}/api/orders HTTP/1.1\nAuthorization: Bearer {ph}\n", sb.issuer);
    let raw = core.send_request(&get).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");

    let bad = core
        .send_request(&format!(
            "GET {}/api/orders HTTP/1.1\nAuthorization: Bearer {{{{session:x:access_token}}}}\n",
            sb.issuer
        ))
        .await
        .unwrap_err();
    assert_eq!(bad.code, "invalid_input");
    assert!(bad.message.contains("expected a placeholder {{session:ID:access_token|refresh_token|id_token}}, got \"{{session:x:access_token}}\""), "{}", bad.message);
    let missing = core
        .send_request(&format!(
            "GET {}/api/orders HTTP/1.1\nAuthorization: Bearer {{{{session:99:access_token}}}}\n",
            sb.issuer
        ))
        .await
        .unwrap_err();
    assert_eq!(missing.code, "session_not_found", "{missing:?}");
}
