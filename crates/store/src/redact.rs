//! Redaction as the store and its exports apply it: every marked secret of a step becomes a
//! labelled marker (`<redacted:client_secret>`), in its raw, form-encoded and JSON-escaped forms;
//! a JWT keeps its header and payload (claims stay readable) and loses its signature
//! (`….<redacted:access_token_signature>`); cookies are replaced whole. Leaves out deciding what is
//! secret: the engine marks that in `Step::secrets` when it records a step.

use inspector_engine::step::{SecretMark, StepKind};
use inspector_engine::{FlowError, Step, TokenSet};

/// Labels whose values are tokens: redacted to their signature when they are JWTs.
const TOKEN_LABELS: &[&str] = &["access_token", "refresh_token", "id_token"];
const COOKIE_HEADERS: &[&str] = &["cookie", "set-cookie"];

/// The marker a redacted value is replaced with.
pub fn marker(label: &str) -> String {
    format!("<redacted:{label}>")
}

fn replacement(mark: &SecretMark) -> String {
    if TOKEN_LABELS.contains(&mark.label.as_str())
        && let Some((h, p, _)) = crate::jwt::parts(&mark.value)
    {
        return format!("{h}.{p}.{}", marker(&format!("{}_signature", mark.label)));
    }
    marker(&mark.label)
}

/// Replaces a set of secret values (and their encoded forms) in any text.
#[derive(Default, Clone)]
pub struct Redactor {
    /// (value, replacement), longest value first so a secret inside another is not half-replaced.
    pairs: Vec<(String, String)>,
}

impl Redactor {
    pub fn new<'a>(marks: impl IntoIterator<Item = &'a SecretMark>) -> Self {
        let mut r = Self::default();
        r.extend(marks);
        r
    }

    pub fn extend<'a>(&mut self, marks: impl IntoIterator<Item = &'a SecretMark>) {
        for m in marks {
            // Values too short to be secrets would scrub ordinary text.
            if m.value.len() < 4 {
                continue;
            }
            let rep = replacement(m);
            let form: String = url::form_urlencoded::byte_serialize(m.value.as_bytes()).collect();
            let json = serde_json::to_string(&m.value).unwrap_or_default();
            let json = json.trim_matches('"').to_string();
            for v in [m.value.clone(), form, json] {
                if !self.pairs.iter().any(|(have, _)| *have == v) {
                    self.pairs.push((v, rep.clone()));
                }
            }
        }
        self.pairs.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
    }

    pub fn scrub(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (v, rep) in &self.pairs {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), rep);
            }
        }
        out
    }

    /// A copy of `step` with every value known to this redactor and every marked value of the
    /// step replaced; the marks keep their labels and lose their values.
    pub fn step(&self, step: &Step) -> Step {
        let mut r = self.clone();
        r.extend(&step.secrets);
        let mut out = step.clone();
        out.secrets =
            step.secrets.iter().map(|m| SecretMark { label: m.label.clone(), value: String::new() }).collect();
        out.title = r.scrub(&out.title);
        let headers = |hs: &mut Vec<(String, String)>| {
            for (name, v) in hs.iter_mut() {
                *v = if COOKIE_HEADERS.iter().any(|c| name.eq_ignore_ascii_case(c)) {
                    marker("cookie")
                } else {
                    r.scrub(v)
                };
            }
        };
        match &mut out.kind {
            StepKind::Http { request, response } => {
                request.url = r.scrub(&request.url);
                headers(&mut request.headers);
                request.body = request.body.as_deref().map(|b| r.scrub(b));
                if let Some(resp) = response {
                    headers(&mut resp.headers);
                    resp.body = r.scrub(&resp.body);
                }
            }
            StepKind::Local { details } => {
                let text = serde_json::to_string(details).unwrap_or_default();
                *details = serde_json::from_str(&r.scrub(&text)).unwrap_or(serde_json::Value::Null);
            }
        }
        if let Some(e) = &mut out.error {
            *e = r.error(e);
        }
        out
    }

    pub fn error(&self, e: &FlowError) -> FlowError {
        let mut e = e.clone();
        e.message = self.scrub(&e.message);
        if let Some(o) = &mut e.oauth {
            o.error_description = o.error_description.as_deref().map(|d| self.scrub(d));
        }
        e
    }
}

/// A step redacted by its own marks.
pub fn step(step: &Step) -> Step {
    Redactor::default().step(step)
}

/// The token set with each token redacted (JWTs keep header and payload).
pub fn tokens(t: &TokenSet) -> TokenSet {
    let r = Redactor::new(&t.secret_marks());
    TokenSet {
        access_token: r.scrub(&t.access_token),
        refresh_token: t.refresh_token.as_deref().map(|v| r.scrub(v)),
        id_token: t.id_token.as_deref().map(|v| r.scrub(v)),
        ..t.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use inspector_engine::StepStatus;
    use inspector_engine::step::{HttpRequest, HttpResponse};

    fn jwt() -> String {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.SIGNATURE-bytes", b(r#"{"alg":"RS256"}"#), b(r#"{"sub":"alice"}"#))
    }

    fn step() -> Step {
        Step {
            seq: 1,
            at_ms: 0,
            title: "Token request".into(),
            status: StepStatus::Ok,
            kind: StepKind::Http {
                request: HttpRequest {
                    method: "POST".into(),
                    url: "http://as/token".into(),
                    headers: vec![("cookie".into(), "sid=abc123".into())],
                    body: Some("grant_type=authorization_code&code=the-code-1&code_verifier=v%2Fverifier".into()),
                },
                response: Some(HttpResponse {
                    status: 200,
                    headers: vec![("Set-Cookie".into(), "sid=new; HttpOnly".into())],
                    body: format!(r#"{{"access_token":"{}","refresh_token":"opaque-refresh"}}"#, jwt()),
                    elapsed_ms: 1,
                }),
            },
            error: None,
            secrets: vec![
                SecretMark::new("authorization_code", "the-code-1"),
                SecretMark::new("code_verifier", "v/verifier"),
                SecretMark::new("access_token", jwt()),
                SecretMark::new("refresh_token", "opaque-refresh"),
            ],
        }
    }

    #[test]
    fn secrets_codes_cookies_and_signatures_are_replaced_by_labelled_markers() {
        let red = super::step(&step());
        let json = serde_json::to_string(&red).unwrap();
        for secret in ["the-code-1", "v%2Fverifier", "SIGNATURE-bytes", "opaque-refresh", "abc123", "sid=new"] {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
        for m in [
            "<redacted:authorization_code>",
            "<redacted:code_verifier>",
            "<redacted:access_token_signature>",
            "<redacted:refresh_token>",
            "<redacted:cookie>",
        ] {
            assert!(json.contains(m), "{m} missing: {json}");
        }
        let body = match &red.kind {
            StepKind::Http { response: Some(r), .. } => r.body.clone(),
            _ => unreachable!(),
        };
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let token = v["access_token"].as_str().unwrap();
        assert_eq!(crate::jwt::claims(token).unwrap()["sub"], "alice", "claims stay readable");
        assert!(red.secrets.iter().all(|m| m.value.is_empty()) && red.secrets.len() == 4);
    }
}
