//! Each trainer switch of the sandbox that a flow can see, switched on alone, makes the inspector
//! show it: a failed check, an error step or a warning — and the run says the switches were on.
//! (The switches only an active audit can see are in tests/audit_active.rs.)

mod common;

use common::{TestHost, core};

use inspector_app::engine::{ErrorCode, Step, StepStatus};
use inspector_app::{Login, Operation, RunOutcome, RunRequest};
use inspector_sandbox::Switch;

async fn run_with(switch: Option<Switch>, operation: Operation, login_timeout: u64) -> (RunOutcome, Vec<Step>) {
    let sb = inspector_sandbox::start(0).await.unwrap();
    if let Some(s) = switch {
        sb.trainer.set(s, true);
    }
    let (core, _dir) = core().await;
    let mut req = RunRequest::new(operation);
    req.issuer = Some(sb.issuer.clone());
    req.client_id = Some(if operation == Operation::DeviceCode { "sandbox-device" } else { "sandbox-app" }.into());
    req.scope = Some("openid offline_access orders.read".into());
    req.login = Login::SystemBrowser;
    req.login_timeout_secs = Some(login_timeout);
    let host = TestHost::new();
    let run = core.run(req, host.clone()).await.unwrap();
    (run, host.steps())
}

/// The ids of the checks that failed, from every step's `details.checks`.
fn failed_checks(steps: &[Step]) -> Vec<String> {
    let mut out = Vec::new();
    for s in steps {
        let v = serde_json::to_value(s).unwrap();
        for c in v["details"]["checks"].as_array().into_iter().flatten() {
            if c["status"] == "fail" {
                out.push(format!("{}: {}", s.title, c["id"].as_str().unwrap_or("?")));
            }
        }
    }
    out
}

fn has_failed(steps: &[Step], title_start: &str, id: &str) -> bool {
    failed_checks(steps).iter().any(|c| c.starts_with(title_start) && c.ends_with(&format!(": {id}")))
}

fn trainer_warning(steps: &[Step]) -> Option<&Step> {
    steps.iter().find(|s| s.title.starts_with("Trainer switches are on"))
}

#[tokio::test]
async fn with_no_switch_on_the_run_is_clean_and_names_no_switch() {
    let (run, steps) = run_with(None, Operation::AuthorizationCode, 20).await;
    assert!(run.ok, "{:?}", run.error);
    assert!(failed_checks(&steps).is_empty(), "{:#?}", failed_checks(&steps));
    assert!(trainer_warning(&steps).is_none());
}

#[tokio::test]
async fn each_token_spoiling_switch_fails_its_check() {
    // (switch, the Checks step that must show it, the failed check's id)
    let cases = [
        (Switch::ExpiredTokens, "Access token checks", "exp"),
        (Switch::ExpiredTokens, "ID token checks", "exp"),
        (Switch::WrongAudience, "ID token checks", "aud"),
        (Switch::WrongIdTokenIssuer, "ID token checks", "iss"),
        (Switch::AtHashWrong, "ID token checks", "at_hash"),
        (Switch::UnknownKid, "ID token checks", "signature"),
        (Switch::UnknownKid, "Access token checks", "signature"),
        (Switch::IdTokenAlgNone, "ID token checks", "alg"),
    ];
    for (switch, title, id) in cases {
        let (_, steps) = run_with(Some(switch), Operation::AuthorizationCode, 20).await;
        assert!(
            has_failed(&steps, title, id),
            "{}: expected {title} to fail {id}, failed: {:#?}\nsteps: {}",
            switch.name(),
            failed_checks(&steps),
            steps
                .iter()
                .map(|s| format!(
                    "{} {}",
                    s.title,
                    serde_json::to_string(&s.kind).unwrap_or_default().chars().take(600).collect::<String>()
                ))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let warning = trainer_warning(&steps).unwrap_or_else(|| panic!("{}: no trainer warning", switch.name()));
        assert_eq!(warning.status, StepStatus::Warning);
        assert!(warning.title.contains(switch.name()), "{}", warning.title);
    }
}

#[tokio::test]
async fn a_wrong_or_missing_nonce_fails_the_run() {
    for switch in [Switch::NonceWrong, Switch::NonceMissing] {
        let (run, steps) = run_with(Some(switch), Operation::AuthorizationCode, 20).await;
        assert!(!run.ok, "{}: the run must fail", switch.name());
        assert_eq!(run.error.as_ref().map(|e| e.code), Some(ErrorCode::NonceMismatch), "{}", switch.name());
        assert!(has_failed(&steps, "ID token nonce", "nonce"), "{:#?}", failed_checks(&steps));
    }
}

#[tokio::test]
async fn a_missing_iss_in_the_callback_fails_the_run_on_rfc9207() {
    let (run, steps) = run_with(Some(Switch::IssMissing), Operation::AuthorizationCode, 20).await;
    assert!(!run.ok);
    assert!(failed_checks(&steps).iter().any(|c| c.ends_with(": iss")), "{:#?}", failed_checks(&steps));
    assert!(!steps.iter().any(|s| s.title.starts_with("Token request")), "no code is redeemed after a failed callback");
}

#[tokio::test]
async fn a_wrong_state_is_a_warning_and_the_code_is_never_redeemed() {
    let (run, steps) = run_with(Some(Switch::WrongState), Operation::AuthorizationCode, 3).await;
    assert!(!run.ok, "the real callback never comes: the run ends at the login timeout");
    let warned = steps.iter().find(|s| s.status == StepStatus::Warning && s.title.to_lowercase().contains("state"));
    assert!(warned.is_some(), "{:#?}", steps.iter().map(|s| &s.title).collect::<Vec<_>>());
    assert!(!steps.iter().any(|s| s.title.starts_with("Token request")));
}

#[tokio::test]
async fn a_slow_token_endpoint_marks_the_token_step_slow() {
    let (run, steps) = run_with(Some(Switch::SlowTokenEndpoint), Operation::AuthorizationCode, 20).await;
    assert!(run.ok, "slow is not failed: {:?}", run.error);
    let token = steps.iter().find(|s| s.title.starts_with("Token request")).unwrap();
    assert_eq!(token.status, StepStatus::Warning, "{}", token.title);
    assert!(token.title.contains("slow: answered after 6."), "{}", token.title);
}

#[tokio::test]
async fn slow_down_in_device_polling_is_a_warning_poll_and_a_longer_interval() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    sb.trainer.set(Switch::DeviceSlowDown, true);
    let (core, _dir) = core().await;
    let mut req = RunRequest::new(Operation::DeviceCode);
    req.issuer = Some(sb.issuer.clone());
    req.client_id = Some("sandbox-device".into());
    req.scope = Some("orders.read".into());
    let host = TestHost::new();
    // Nobody approves the device: watch the first poll, then stop the run.
    let run = tokio::spawn({
        let host = host.clone();
        async move { core.run(req, host).await }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !host.steps().iter().any(|s| s.poll.is_some()) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    run.abort();
    let steps = host.steps();
    let polls: Vec<&Step> = steps.iter().filter(|s| s.poll.is_some()).collect();
    let first = polls.first().expect("a poll");
    assert_eq!(first.poll.as_ref().unwrap().answer, "slow_down");
    assert_eq!(first.status, StepStatus::Warning, "{}", first.title);
}
