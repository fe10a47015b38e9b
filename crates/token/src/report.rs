//! Text rendering of a `Report` and a `Diagnosis` for people: header, claims with meanings and
//! human times, each check with ✔/✘/!/- and its message. Leaves JSON to serde (the contract).

use std::fmt::Write;

use serde_json::Value;

use crate::diagnose::Diagnosis;
use crate::inspect::Report;

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 100 { format!("{}…", s.chars().take(100).collect::<String>()) } else { s }
}

pub fn render_report(r: &Report) -> String {
    let mut o = String::new();
    let kind = match r.format.as_str() {
        "jwt" => "JWT (signed, JWS compact)",
        "jwe" => "JWE (encrypted: only the protected header is readable)",
        "malformed" => "malformed JOSE token",
        _ => "opaque token (not a JWT)",
    };
    let _ = writeln!(o, "Format: {kind}");
    if let Some(p) = r.profile {
        let p = match p {
            crate::checks::Profile::Jwt => "plain JWT",
            crate::checks::Profile::IdToken => "OpenID Connect ID token",
            crate::checks::Profile::AccessToken => "RFC 9068 access token (typ at+jwt)",
        };
        let _ = writeln!(o, "Checked as: {p}");
    }
    if let Value::Object(h) = &r.header {
        let _ = writeln!(o, "\n{}", if r.encrypted { "Protected header" } else { "Header" });
        for a in &r.header_info {
            let v = h.get(&a.name).map(short).unwrap_or_default();
            let _ = writeln!(o, "  {:<10} {v}{}", a.name, a.meaning.map(|m| format!("    ({m})")).unwrap_or_default());
        }
    }
    if let Value::Object(c) = &r.claims {
        let _ = writeln!(o, "\nClaims");
        for a in &r.claim_info {
            let v = c.get(&a.name).map(short).unwrap_or_default();
            let _ = writeln!(o, "  {:<10} {v}", a.name);
            match (&a.meaning, &a.time) {
                (Some(m), Some(t)) => {
                    let _ = writeln!(o, "  {:<10}   {m}: {t}", "");
                }
                (Some(m), None) => {
                    let _ = writeln!(o, "  {:<10}   {m}", "");
                }
                (None, Some(t)) => {
                    let _ = writeln!(o, "  {:<10}   {t}", "");
                }
                (None, None) => {}
            }
        }
    }
    if let Some(s) = &r.signature {
        let shown = if s.hex.len() > 32 { format!("{}…", &s.hex[..32]) } else { s.hex.clone() };
        let _ = writeln!(o, "\nSignature: {} bytes  {shown}", s.bytes);
    }
    let _ = writeln!(o, "\nChecks");
    for c in &r.checks {
        let _ = write!(o, "  {} {:<16} {}", c.status.symbol(), c.id, c.message);
        if let Some(p) = c.problem {
            let _ = write!(o, "  [{p}]");
        }
        let _ = writeln!(o, "  ({})", c.spec);
        if c.status == crate::Status::Fail
            && let (Some(e), Some(a)) = (&c.expected, &c.actual)
        {
            let _ = writeln!(o, "      expected: {e}\n      actual:   {a}");
        }
    }
    for n in &r.notes {
        let _ = writeln!(o, "  note: {n}");
    }
    let verdict = if r.valid {
        "VALID".to_string()
    } else if r.problems.is_empty() {
        "NOT VALIDATED (no problem found, but the signature was not verified)".to_string()
    } else {
        format!("INVALID ({})", r.problems.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "))
    };
    let _ = writeln!(o, "\nResult: {verdict}");
    o
}

pub fn render_diagnosis(d: &Diagnosis) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Response: HTTP {}", d.status);
    for c in &d.challenges {
        let _ = writeln!(o, "Challenge: {c}");
    }
    if let Some(t) = &d.token {
        let _ = write!(o, "Token: {} in {}", t.format.as_str(), t.location);
        if !t.problems.is_empty() {
            let _ = write!(o, "; problems: {}", t.problems.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "));
        }
        let _ = writeln!(o);
    } else {
        let _ = writeln!(o, "Token: none found in the request");
    }
    let _ = writeln!(o, "\nLikely causes, most likely first");
    for (i, c) in d.causes.iter().enumerate() {
        let _ = writeln!(o, "{}. [{}] {}", i + 1, c.code.as_str(), c.summary);
        let _ = writeln!(o, "   fix: {}", c.fix);
        for e in &c.evidence {
            let _ = writeln!(o, "   evidence: {e}");
        }
    }
    o
}
