//! The passive provider audit: the built-in sandbox shows no failure, and a deliberately lax
//! provider written here shows each weakness the audit looks for; every request is a saved step.

mod common;

use common::core;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use inspector_app::Host;
use inspector_app::audit::{AuditRequest, Severity};
use inspector_app::engine::FlowEvent;
use inspector_app::engine::check::CheckStatus;
use inspector_app::store::View;
use serde_json::json;

struct Quiet;
impl Host for Quiet {
    fn event(&self, _: FlowEvent) {}
    fn open_browser(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
}

#[tokio::test]
async fn the_sandbox_passes_the_passive_audit_and_every_request_is_a_saved_step() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let report =
        core.audit(AuditRequest { issuer: sb.issuer.clone(), ..Default::default() }, Arc::new(Quiet)).await.unwrap();
    let fails: Vec<_> = report.findings.iter().filter(|f| f.check.status == CheckStatus::Fail).collect();
    assert!(fails.is_empty(), "{fails:#?}");
    let https = report.findings.iter().find(|f| f.check.id == "https-endpoints").unwrap();
    assert_eq!(https.check.status, CheckStatus::Pass);
    assert!(https.check.message.contains("loopback"), "loopback noted: {}", https.check.message);
    let saved = core.store().unwrap().require(report.session_id.unwrap(), View::Redacted).await.unwrap();
    assert_eq!(saved.summary.flow, "audit_provider");
    let keys = report.findings.iter().find(|f| f.check.id == "jwks-keys").unwrap();
    assert_eq!(keys.check.status, CheckStatus::Pass, "{:?}", keys.check);
    for seq in &keys.steps {
        assert!(saved.steps.iter().any(|s| s.seq == *seq), "evidence step {seq} is saved");
    }
    assert!(saved.steps.iter().any(|s| s.title.starts_with("Provider keys (JWKS): GET ")));
}

#[tokio::test]
async fn a_lax_provider_shows_each_weakness() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let doc = json!({
        "issuer": "https://another-issuer.example",
        "authorization_endpoint": "http://idp.example.com/authorize",
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "code_challenge_methods_supported": ["plain"],
        "response_types_supported": ["code", "token", "code id_token token"],
        "grant_types_supported": ["authorization_code", "implicit", "password"],
        "id_token_signing_alg_values_supported": ["RS256", "none"],
    });
    // A 1024-bit RSA modulus (128 bytes), a symmetric key and a published private exponent.
    let n = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, [0xc5u8; 128]);
    let jwks = json!({"keys": [
        {"kty": "RSA", "kid": "small", "n": n, "e": "AQAB"},
        {"kty": "oct", "kid": "shared", "k": "c2VjcmV0"},
        {"kty": "EC", "kid": "leaky", "crv": "P-256", "x": "AA", "y": "AA", "d": "AA"},
    ]});
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(move || async move { axum::Json(doc) }))
        .route("/jwks", get(move || async move { axum::Json(jwks) }));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let (core, _dir) = core().await;
    let report =
        core.audit(AuditRequest { issuer: base.clone(), ..Default::default() }, Arc::new(Quiet)).await.unwrap();
    let status =
        |id: &str| report.findings.iter().find(|f| f.check.id == id).unwrap_or_else(|| panic!("{id}")).check.status;
    for id in
        ["issuer-matches", "https-endpoints", "pkce-s256", "implicit-grant", "password-grant", "alg-none", "jwks-keys"]
    {
        assert_eq!(status(id), CheckStatus::Fail, "{id}: {:#?}", report.findings.iter().find(|f| f.check.id == id));
    }
    assert_eq!(status("pkce-plain-offered"), CheckStatus::Warn);
    assert_eq!(status("iss-parameter"), CheckStatus::Warn);
    let keys = report.findings.iter().find(|f| f.check.id == "jwks-keys").unwrap();
    let actual = keys.check.actual.as_deref().unwrap();
    assert!(
        actual.contains("RSA of 1024 bits") && actual.contains("oct") && actual.contains("leaky: private"),
        "{actual}"
    );
    let https = report.findings.iter().find(|f| f.check.id == "https-endpoints").unwrap();
    assert!(https.check.actual.as_deref().unwrap().contains("http://idp.example.com/authorize"));
    assert_eq!(https.severity, Severity::High);
    assert!(report.failed());
    // The active probes are listed, not faked.
    assert_eq!(status("pkce-enforced"), CheckStatus::Skip);
}
