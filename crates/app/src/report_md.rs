//! Probe and audit reports as Markdown, for the desktop's "Export Markdown" (and any front that
//! wants a report to paste into a ticket): a heading, the session, then one table row per check.
//!
//! The reports carry no token or secret (rows hold statuses, error codes and explanations, never
//! a request); each cell still goes through the engine's redaction by field name, so a value the
//! API echoed (a redirect `Location` with `?access_token=…`) cannot leak into the file.

use inspector_engine::check::CheckStatus;
use inspector_engine::redact::Redactor;

use crate::audit::{AuditReport, Severity};
use crate::probe::{ProbeReport, Verdict};

/// One table cell: redacted, pipes escaped, line breaks as `<br>` (a Markdown table row is one line).
fn cell(text: &str) -> String {
    let text = Redactor::default().scrub(text);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

fn row(cells: &[&str]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    format!("| {} |\n", cells.join(" | "))
}

fn head(names: &[&str]) -> String {
    format!("| {} |\n|{}\n", names.join(" | "), "---|".repeat(names.len()))
}

fn session_line(id: Option<i64>) -> String {
    match id {
        Some(id) => format!("Session: #{id} (its steps hold every request and response, redacted)\n"),
        None => "Session: not saved\n".to_string(),
    }
}

pub fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Secure => "secure",
        Verdict::Vulnerable => "vulnerable",
        Verdict::Inconclusive => "inconclusive",
    }
}

pub fn status_name(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Pass => "pass",
        CheckStatus::Fail => "fail",
        CheckStatus::Warn => "warn",
        CheckStatus::Skip => "skip",
    }
}

pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

impl ProbeReport {
    /// The report as Markdown; `url` is the API that was probed (the report does not hold it).
    pub fn to_markdown(&self, url: &str) -> String {
        let count = |v| self.rows.iter().filter(|r| r.verdict == v).count();
        let mut md = format!("# API probe: {}\n\n", cell(url));
        md.push_str(&session_line(self.session_id));
        md.push_str(&format!(
            "\nBaseline: {} — {}\n\n{} vulnerable, {} secure, {} inconclusive\n\n",
            cell(&self.baseline.actual),
            cell(&self.baseline.explanation),
            count(Verdict::Vulnerable),
            count(Verdict::Secure),
            count(Verdict::Inconclusive),
        ));
        md.push_str(&head(&["variant", "expected", "actual", "verdict", "explanation"]));
        for r in &self.rows {
            md.push_str(&row(&[r.id, &r.expected, &r.actual, verdict_name(r.verdict), &r.explanation]));
        }
        md
    }
}

impl AuditReport {
    pub fn to_markdown(&self) -> String {
        let count = |s| self.findings.iter().filter(|f| f.check.status == s).count();
        let mut md = format!("# Provider audit: {}\n\n", cell(&self.issuer));
        md.push_str(&session_line(self.session_id));
        md.push_str(if self.active {
            "\nFrom the metadata, the keys and active probes (requests that try what a weak provider allows).\n"
        } else {
            "\nFrom the metadata and keys only; the active probes were not run.\n"
        });
        md.push_str(&format!(
            "\n{} fail, {} warn, {} pass, {} skip\n\n",
            count(CheckStatus::Fail),
            count(CheckStatus::Warn),
            count(CheckStatus::Pass),
            count(CheckStatus::Skip),
        ));
        md.push_str(&head(&["check", "severity", "status", "expected", "actual", "spec", "explanation"]));
        for f in &self.findings {
            let c = &f.check;
            md.push_str(&row(&[
                c.id,
                severity_name(f.severity),
                status_name(c.status),
                c.expected.as_deref().unwrap_or(""),
                c.actual.as_deref().unwrap_or(""),
                c.spec,
                &c.message,
            ]));
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Finding;
    use crate::probe::{Baseline, ProbeRow};
    use inspector_engine::check::Check;

    fn probe_row(id: &'static str, verdict: Verdict, actual: &str, explanation: &str) -> ProbeRow {
        ProbeRow {
            id,
            verdict,
            expected: "401 invalid_token".into(),
            actual: actual.into(),
            explanation: explanation.into(),
            spec: "RFC 6750 §3.1",
            steps: vec![3],
        }
    }

    fn probe() -> ProbeReport {
        ProbeReport {
            session_id: Some(7),
            baseline: Baseline { ok: true, actual: "200".into(), explanation: "the valid token is accepted".into() },
            rows: vec![
                probe_row("expired-token", Verdict::Secure, "401 invalid_token", "refused"),
                probe_row("alg-none", Verdict::Vulnerable, "200", "accepts unsigned tokens | badly\nvery badly"),
                probe_row("revoked-token", Verdict::Inconclusive, "not sent", "no mint"),
            ],
            store_error: None,
        }
    }

    fn audit() -> AuditReport {
        let f = |c: Check, severity| Finding { check: c, severity, steps: vec![1] };
        AuditReport {
            session_id: Some(9),
            issuer: "http://127.0.0.1:5555".into(),
            active: false,
            findings: vec![
                f(Check::pass("issuer-matches", "RFC 8414 §3.3", "the same").with("a", "a"), Severity::High),
                f(
                    Check::fail("alg-none", "RFC 8725 §3.1", "alg_none", "none offered").with("no none", "none"),
                    Severity::High,
                ),
                f(Check::warn("iss-parameter", "RFC 9207 §3", "not advertised"), Severity::Medium),
                f(Check::skip("pkce-enforced", "RFC 9700 §2.1.1", "needs --active"), Severity::Info),
            ],
            store_error: None,
        }
    }

    /// The table rows of `md` (lines starting with `|`), header and separator included.
    fn table(md: &str) -> Vec<&str> {
        md.lines().filter(|l| l.starts_with('|')).collect()
    }

    /// Splits a table row on unescaped pipes.
    fn cells(line: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut prev = ' ';
        for c in line.chars() {
            if c == '|' && prev != '\\' {
                out.push(String::new());
            } else {
                out.last_mut().unwrap().push(c);
            }
            prev = c;
        }
        out.into_iter().map(|c| c.trim().to_string()).collect()
    }

    #[test]
    fn a_probe_report_is_a_heading_the_session_and_a_row_per_variant_of_each_verdict() {
        let md = probe().to_markdown("http://127.0.0.1:5555/api/orders");
        assert!(md.starts_with("# API probe: http://127.0.0.1:5555/api/orders\n"), "{md}");
        assert!(md.contains("Session: #7"), "{md}");
        assert!(md.contains("1 vulnerable, 1 secure, 1 inconclusive"), "{md}");
        let t = table(&md);
        assert_eq!(t[0], "| variant | expected | actual | verdict | explanation |");
        assert_eq!(t[1], "|---|---|---|---|---|");
        assert_eq!(t.len(), 2 + 3, "a row per variant:\n{md}");
        for (line, verdict) in t[2..].iter().zip(["secure", "vulnerable", "inconclusive"]) {
            assert_eq!(cells(line)[4], verdict, "{line}");
        }
    }

    #[test]
    fn pipes_and_newlines_in_cells_are_escaped_so_each_row_stays_one_row_of_its_columns() {
        let md = probe().to_markdown("http://x/a|b");
        let line = table(&md).into_iter().find(|l| l.contains("alg-none")).unwrap();
        assert!(line.contains("accepts unsigned tokens \\| badly<br>very badly"), "{line}");
        // 5 columns: 7 pieces around the outer pipes.
        assert_eq!(cells(line).len(), 7, "{line}");
        assert!(md.starts_with("# API probe: http://x/a\\|b\n"));
        assert_eq!(cell("a\r\nb\rc"), "a<br>b<br>c");
    }

    #[test]
    fn a_token_echoed_into_a_cell_is_redacted() {
        let c = cell("302 → https://evil.example/?access_token=eyJhbGciOiJSUzI1NiJ9.e30.c2ln (not followed)");
        assert!(!c.contains("c2ln"), "{c}");
        assert!(c.contains("302 → https://evil.example/?access_token="), "{c}");
    }

    #[test]
    fn an_audit_report_has_every_column_and_a_row_of_each_status() {
        let md = audit().to_markdown();
        assert!(md.starts_with("# Provider audit: http://127.0.0.1:5555\n"), "{md}");
        assert!(md.contains("Session: #9"));
        assert!(md.contains("1 fail, 1 warn, 1 pass, 1 skip"), "{md}");
        let t = table(&md);
        assert_eq!(t[0], "| check | severity | status | expected | actual | spec | explanation |");
        assert_eq!(t.len(), 2 + 4);
        let statuses: Vec<String> = t[2..].iter().map(|l| cells(l)[3].clone()).collect();
        assert_eq!(statuses, ["pass", "fail", "warn", "skip"]);
        let fail = cells(t[3]);
        assert_eq!(fail[1..8], ["alg-none", "high", "fail", "no none", "none", "RFC 8725 §3.1", "none offered"]);
        // A check with no expected/actual gives empty cells, not a shorter row.
        assert_eq!(cells(t[4]).len(), 9);
    }
}
