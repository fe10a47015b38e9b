//! The provider audit's active probes against the sandbox: strict, it shows no `fail` (and no
//! `skip`: every probe ran); with each trainer switch that weakens it, the probe for that
//! weakness fails, with its steps as evidence.

mod common;

use common::{TestHost, core};

use inspector_app::audit::{AuditReport, AuditRequest};
use inspector_app::engine::check::CheckStatus;
use inspector_app::{Login, store::View};
use inspector_sandbox::Switch;

async fn audit(switches: &[Switch]) -> (AuditReport, inspector_app::store::SessionRecord) {
    let sb = inspector_sandbox::start(0).await.unwrap();
    sb.trainer.set_only(switches.iter().copied());
    let (core, _dir) = core().await;
    let req = AuditRequest {
        issuer: sb.issuer.clone(),
        active: true,
        client_id: Some("sandbox-app".into()),
        login: Login::SystemBrowser,
        login_timeout_secs: Some(20),
        ..Default::default()
    };
    let report = core.audit(req, TestHost::new()).await.unwrap();
    let saved = core.store().unwrap().require(report.session_id.unwrap(), View::Redacted).await.unwrap();
    (report, saved)
}

fn status(r: &AuditReport, id: &str) -> CheckStatus {
    r.findings.iter().find(|f| f.check.id == id).unwrap_or_else(|| panic!("no finding {id}")).check.status
}

fn table(r: &AuditReport) -> String {
    r.findings
        .iter()
        .map(|f| format!("{} {:?} {} | {:?}", f.check.id, f.check.status, f.check.message, f.check.actual))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_strict_sandbox_passes_every_active_probe_with_steps_as_evidence() {
    let (r, saved) = audit(&[]).await;
    let t = table(&r);
    for f in &r.findings {
        assert!(matches!(f.check.status, CheckStatus::Pass), "{t}");
    }
    for id in [
        "pkce-enforced",
        "pkce-plain-refused",
        "redirect-uri-exact",
        "state-echoed",
        "iss-in-response",
        "code-single-use",
        "refresh-rotation",
        "token-lifetimes",
    ] {
        let f = r.findings.iter().find(|f| f.check.id == id).unwrap_or_else(|| panic!("{id} missing:\n{t}"));
        assert!(!f.steps.is_empty(), "{id} has no evidence");
        for seq in &f.steps {
            assert!(saved.steps.iter().any(|s| s.seq == *seq), "{id}: step {seq} is not in the saved session");
        }
    }
    // The sandbox spends a code on a refused exchange, so a second sign-in was asked for.
    assert!(saved.steps.iter().any(|s| s.title.starts_with("Active probe: sign-in 2")), "{t}");
    // Codes, verifiers and tokens are redacted in the saved steps like in any run.
    let text = serde_json::to_string(&saved.steps).unwrap();
    assert!(text.contains("<redacted:authorization_code>") && text.contains("<redacted:refresh_token>"));
}

#[tokio::test]
async fn each_weakening_switch_fails_its_probe() {
    let cases = [
        (Switch::PkceNotEnforced, "pkce-enforced"),
        (Switch::PkcePlainAccepted, "pkce-plain-refused"),
        (Switch::AnyRedirectUri, "redirect-uri-exact"),
        (Switch::CodesReusable, "code-single-use"),
        (Switch::RefreshNotRotated, "refresh-rotation"),
        (Switch::WrongState, "state-echoed"),
        (Switch::IssMissing, "iss-in-response"),
        (Switch::ExpiredTokens, "token-lifetimes"),
    ];
    for (switch, id) in cases {
        let (r, _) = audit(&[switch]).await;
        assert_eq!(status(&r, id), CheckStatus::Fail, "{} must fail {id}:\n{}", switch.name(), table(&r));
        assert!(r.failed());
        let others: Vec<&str> = r
            .findings
            .iter()
            .filter(|f| f.check.status == CheckStatus::Fail && f.check.id != id)
            .map(|f| f.check.id)
            .collect();
        assert!(others.is_empty(), "{}: only {id} fails, also {others:?}:\n{}", switch.name(), table(&r));
    }
}

#[tokio::test]
async fn active_probes_need_a_client_id() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let req = AuditRequest { issuer: sb.issuer.clone(), active: true, ..Default::default() };
    let e = core.audit(req, TestHost::new()).await.unwrap_err();
    assert!(e.usage && e.message.contains("client id"), "{e:?}");
}
