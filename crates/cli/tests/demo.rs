//! `oauth-inspector demo`: the real binary plays a demo against a sandbox it starts itself, as
//! step lines and one report line; an unknown demo is a usage error naming the real ones.

mod common;

use common::*;

#[test]
fn a_demo_against_its_own_sandbox_comes_out_as_designed_and_an_unknown_one_is_2() {
    let out = run(&["--no-save", "demo", "token-replay", "--json"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.of_type("report").pop().expect("a report line");
    assert_eq!(report["as_designed"], true, "{report}");
    let parts = report["demo"]["parts"].as_array().unwrap();
    assert_eq!(
        (parts[0]["attack_succeeded"].as_bool(), parts[1]["attack_succeeded"].as_bool()),
        (Some(true), Some(false))
    );
    let steps = out.of_type("step");
    assert!(steps.iter().any(|s| s["lanes"]["from"] == "attacker"), "an attacker lane");
    assert!(!out.stdout.contains("sandbox-service-secret"), "the client secret is redacted");

    let bad = run(&["--no-save", "demo", "xss"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("mix-up") && bad.stderr.contains("\"xss\""), "{}", bad.stderr);
}
