//! `oauth-inspector audit provider`: the real binary against `oauth-inspector sandbox` — the
//! `--json` report line, its exit status, and usage errors.

mod common;

use common::*;

#[test]
fn the_sandbox_audit_is_one_report_line_and_exit_0_and_bad_input_is_2() {
    let sb = SandboxProcess::start();
    let out = run(&["--no-save", "audit", "provider", "--issuer", &sb.issuer, "--json"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one report line: {}", out.stdout);
    let report: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(report["type"], "report");
    let checks = report["checks"].as_array().unwrap();
    for c in checks {
        for key in ["id", "verdict", "severity", "expected", "actual", "explanation", "spec", "steps"] {
            assert!(c.get(key).is_some(), "{key} in {c}");
        }
        assert_ne!(c["verdict"], "fail", "{c}");
    }
    let plain = checks.iter().find(|c| c["id"] == "pkce-plain-offered").unwrap();
    assert_eq!(plain["verdict"], "pass", "the sandbox offers plain PKCE only when a trainer switches it on");

    let human = run(&["--no-save", "audit", "provider", "--issuer", &sb.issuer]);
    assert!(human.stdout.contains("0 fail") && human.stdout.contains("pkce-s256"), "{}", human.stdout);

    let bad = run(&["--no-save", "audit", "provider", "--issuer", "not a url"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("expected the provider's issuer URL"), "{}", bad.stderr);
    let down = run(&["--no-save", "audit", "provider", "--issuer", "http://127.0.0.1:9"]);
    assert_eq!(down.code, 1, "a provider that does not answer: the audit ran and failed: {}", down.stderr);
}
