//! Each attack demo against the in-process sandbox: the attack works where the defence is missing
//! and fails where it is in place, the attacker has a lane of their own, every part's steps are
//! in the saved session, and the trainer's switches are as they were after the demo.

mod common;

use common::{TestHost, core};

use inspector_app::demo::{Attack, DemoRequest};
use inspector_app::engine::step::Lane;
use inspector_app::store::View;
use inspector_sandbox::Switch;

#[tokio::test]
async fn every_demo_lets_the_attack_through_without_the_defence_and_stops_it_with_it() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    // A switch a trainer left on: the demo starts strict and puts it back.
    sb.trainer.set(Switch::SlowTokenEndpoint, false);
    sb.trainer.set(Switch::WrongAudience, true);
    let (core, _dir) = core().await;
    for attack in Attack::ALL {
        let host = TestHost::new();
        let req = DemoRequest { attack, issuer: sb.issuer.clone(), timeout_secs: Some(10) };
        let report = core.demo(req, host.clone()).await.unwrap_or_else(|e| panic!("{}: {e:?}", attack.name()));
        let parts: Vec<_> =
            report.parts.iter().map(|p| (p.defended, p.attack_succeeded, p.explanation.clone())).collect();
        assert!(report.as_designed(), "{}: {parts:#?}", attack.name());
        assert_eq!(report.parts.len(), 2, "{}", attack.name());
        let steps = host.steps();
        assert!(
            steps.iter().any(|s| s.lanes.from == Lane::Attacker || s.lanes.to == Lane::Attacker),
            "{}: an attacker lane",
            attack.name()
        );
        assert!(steps.iter().any(|s| s.title.starts_with("ATTACK SUCCEEDED")), "{}", attack.name());
        assert!(steps.iter().any(|s| s.title.starts_with("Attack failed")), "{}", attack.name());
        let saved = core.store().unwrap().require(report.session_id.unwrap(), View::Redacted).await.unwrap();
        assert_eq!(saved.summary.flow, "attack_demo");
        for p in &report.parts {
            assert!(!p.steps.is_empty());
            assert!(p.steps.iter().all(|seq| saved.steps.iter().any(|s| s.seq == *seq)), "{}", attack.name());
        }
        assert_eq!(sb.trainer.active(), vec![Switch::WrongAudience], "{}: switches put back", attack.name());
    }
}

#[tokio::test]
async fn a_demo_refuses_a_provider_that_is_not_the_sandbox() {
    let (core, _dir) = core().await;
    let req =
        DemoRequest { attack: Attack::AlgNone, issuer: "https://login.example.com".into(), timeout_secs: Some(2) };
    let e = core.demo(req, TestHost::new()).await.unwrap_err();
    assert!(e.usage && e.message.contains("built-in sandbox"), "{e:?}");
}
