//! The gate of the send seam: a request a flow is about to send can be held, shown exactly as it
//! will go, and then sent, sent as edited, or aborted (step-through mode, trainer demos). With no
//! gate nothing waits. An edited request is recorded with what changed, and the secrets in it are
//! marked again, by field name, so the edit itself cannot leak one. Leaves out how a front asks
//! the user (the host decides) and the sending itself (`http`).

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

use crate::step::{HttpRequest, SecretMark};

/// A request held before it goes: exactly what will be sent, with the secrets in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PendingRequest {
    /// Unique within the flow, so a front answers the request it was shown.
    pub id: u64,
    pub request: HttpRequest,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretMark>,
}

/// What the user decided for a held request.
#[derive(Debug, Clone, PartialEq)]
pub enum GateDecision {
    Send,
    SendEdited(HttpRequest),
    Abort,
}

/// Decides on each request before it goes. Implemented by the fronts' hosts and by tests.
pub trait Gate: Send + Sync {
    fn decide<'a>(&'a self, pending: &'a PendingRequest) -> Pin<Box<dyn Future<Output = GateDecision> + Send + 'a>>;
}

/// One difference between the request the flow built and the one sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Change {
    /// `method`, `url`, `query`, `header`, `form` or `body`.
    pub part: String,
    /// The parameter or header name (empty for `method`, `url`, `body`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// How a sent request differs from the one the flow built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RequestEdit {
    pub changes: Vec<Change>,
}

impl RequestEdit {
    pub fn between(built: &HttpRequest, sent: &HttpRequest) -> Self {
        let mut changes = Vec::new();
        let mut change = |part: &str, name: &str, before: Option<String>, after: Option<String>| {
            if before != after {
                changes.push(Change { part: part.into(), name: name.into(), before, after });
            }
        };
        if !built.method.eq_ignore_ascii_case(&sent.method) {
            change("method", "", Some(built.method.clone()), Some(sent.method.clone()));
        }
        let (b_base, b_query) = split_query(&built.url);
        let (s_base, s_query) = split_query(&sent.url);
        if b_base != s_base {
            change("url", "", Some(b_base), Some(s_base));
        }
        for (name, before, after) in diff_pairs(&b_query, &s_query) {
            change("query", &name, before, after);
        }
        let lower = |hs: &[(String, String)]| -> Vec<(String, String)> {
            hs.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect()
        };
        for (name, before, after) in diff_pairs(&lower(&built.headers), &lower(&sent.headers)) {
            change("header", &name, before, after);
        }
        match (&built.body, &sent.body) {
            (Some(b), Some(s)) if is_form(built) && is_form(sent) => {
                for (name, before, after) in diff_pairs(&form_pairs(b), &form_pairs(s)) {
                    change("form", &name, before, after);
                }
            }
            (b, s) => change("body", "", b.clone(), s.clone()),
        }
        Self { changes }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// `to` with these changes made: the inverse of [`between`](Self::between), for a front that
    /// sends the changes the user made rather than the whole request (a window never holds the
    /// secrets in it). A new value that still shows a redacted secret (`<redacted:…>`) is refused:
    /// sending the placeholder would be a mistake, not an edit. A parameter given several times
    /// is replaced by the one new value.
    pub fn apply(&self, to: &HttpRequest) -> Result<HttpRequest, String> {
        let mut req = to.clone();
        let (mut base, mut query) = split_query(&req.url);
        let mut form = match &req.body {
            Some(b) if is_form(&req) => Some(form_pairs(b)),
            _ => None,
        };
        for c in &self.changes {
            let what = if c.name.is_empty() { c.part.clone() } else { format!("{} {}", c.part, c.name) };
            if let Some(a) = c.after.as_deref().filter(|a| a.contains("<redacted")) {
                return Err(format!(
                    "{what}: the new value still shows a redacted secret ({a}); type the whole value to send another one"
                ));
            }
            let after = c.after.as_deref();
            match c.part.as_str() {
                "method" => req.method = after.ok_or("method: expected a new method, got none")?.to_string(),
                "url" => base = after.ok_or("url: expected a new URL, got none")?.to_string(),
                "query" => set(&mut query, &c.name, after, false),
                "header" => set(&mut req.headers, &c.name, after, true),
                "form" => match &mut form {
                    Some(f) => set(f, &c.name, after, false),
                    None => return Err(format!("{what}: the request has no form body to change")),
                },
                "body" => {
                    req.body = after.map(str::to_string);
                    form = None;
                }
                other => {
                    return Err(format!(
                        "expected a change to method, url, query, header, form or body, got {other:?}"
                    ));
                }
            }
        }
        let mut url =
            url::Url::parse(&base).map_err(|e| format!("url: expected an absolute URL, got {base:?}: {e}"))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter());
        }
        req.url = url.to_string();
        if let Some(f) = form {
            req.body = Some(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(f.iter()).finish());
        }
        Ok(req)
    }
}

fn is_form(r: &HttpRequest) -> bool {
    r.headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.starts_with("application/x-www-form-urlencoded"))
}

/// Sets `name` to `value` (None: removes it), where it first stood; header names match in any case.
fn set(pairs: &mut Vec<(String, String)>, name: &str, value: Option<&str>, any_case: bool) {
    let same = |k: &str| if any_case { k.eq_ignore_ascii_case(name) } else { k == name };
    let at = pairs.iter().position(|(k, _)| same(k));
    // A header keeps the spelling it had.
    let spelled = at.map(|i| pairs[i].0.clone()).unwrap_or_else(|| name.to_string());
    pairs.retain(|(k, _)| !same(k));
    if let Some(v) = value {
        let at = at.unwrap_or(pairs.len()).min(pairs.len());
        pairs.insert(at, (spelled, v.to_string()));
    }
}

/// Secret marks for a request edited by hand: the marks it had, and every value of a secret
/// field (form, query, credentials header) as it now stands.
pub fn remark(sent: &HttpRequest, mut marks: Vec<SecretMark>) -> Vec<SecretMark> {
    let mut add = |label: String, value: &str| {
        if !value.is_empty() && !marks.iter().any(|m| m.value == value) {
            marks.push(SecretMark::new(&label, value));
        }
    };
    let (_, query) = split_query(&sent.url);
    let body = sent.body.as_deref().map(form_pairs).unwrap_or_default();
    for (name, value) in query.iter().chain(body.iter()) {
        if let Some(label) = crate::redact::secret_field(name) {
            add(label, value);
        }
    }
    for (name, value) in &sent.headers {
        let n = name.to_ascii_lowercase();
        if matches!(n.as_str(), "authorization" | "proxy-authorization" | "dpop" | "cookie") {
            let cred = value.split_once(' ').map_or(value.as_str(), |(_, c)| c.trim());
            add(n.replace('-', "_"), cred);
        }
    }
    marks
}

fn split_query(url: &str) -> (String, Vec<(String, String)>) {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let pairs = u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            u.set_query(None);
            (u.to_string(), pairs)
        }
        Err(_) => (url.to_string(), vec![]),
    }
}

fn form_pairs(body: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// (name, before, after) for each name whose values differ, in the order names first appear.
fn diff_pairs(a: &[(String, String)], b: &[(String, String)]) -> Vec<(String, Option<String>, Option<String>)> {
    let mut names: Vec<&String> = Vec::new();
    for (k, _) in a.iter().chain(b.iter()) {
        if !names.contains(&k) {
            names.push(k);
        }
    }
    let joined = |pairs: &[(String, String)], name: &str| -> Option<String> {
        let vals: Vec<&str> = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect();
        (!vals.is_empty()).then(|| vals.join(", "))
    };
    names
        .into_iter()
        .filter_map(|n| {
            let (before, after) = (joined(a, n), joined(b, n));
            (before != after).then(|| (n.clone(), before, after))
        })
        .collect()
}

#[cfg(test)]
mod apply_tests {
    use super::*;

    fn token_request() -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:9/token?x=1".into(),
            headers: vec![
                ("content-type".into(), "application/x-www-form-urlencoded".into()),
                ("Authorization".into(), "Basic c2VjcmV0".into()),
            ],
            body: Some("grant_type=authorization_code&code=abc&code_verifier=v3r1f13r&scope=a".into()),
        }
    }

    #[test]
    fn apply_is_the_inverse_of_between() {
        let built = token_request();
        let mut sent = built.clone();
        sent.url = "http://127.0.0.1:9/token?x=2&y=3".into();
        sent.body = Some("grant_type=authorization_code&code=abc&scope=a+b&resource=urn%3Aapi".into());
        sent.headers[1].1 = "Basic b3RoZXI=".into();
        let edit = RequestEdit::between(&built, &sent);
        assert_eq!(edit.apply(&built).unwrap(), sent);
    }

    #[test]
    fn a_redacted_value_is_refused_and_secrets_kept_when_untouched() {
        let built = token_request();
        let edit = RequestEdit {
            changes: vec![Change {
                part: "form".into(),
                name: "scope".into(),
                before: Some("a".into()),
                after: Some("a b".into()),
            }],
        };
        let sent = edit.apply(&built).unwrap();
        assert!(
            sent.body.as_deref().unwrap().contains("code_verifier=v3r1f13r"),
            "the verifier the window never saw stays"
        );
        let bad = RequestEdit {
            changes: vec![Change {
                part: "header".into(),
                name: "authorization".into(),
                before: None,
                after: Some("Basic <redacted:client_secret>".into()),
            }],
        };
        let e = bad.apply(&built).unwrap_err();
        assert!(e.contains("header authorization") && e.contains("redacted"), "{e}");
        let odd =
            RequestEdit { changes: vec![Change { part: "cookie".into(), name: "".into(), before: None, after: None }] };
        assert!(odd.apply(&built).unwrap_err().contains("\"cookie\""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_request(verifier: &str) -> HttpRequest {
        crate::http::HttpClient::post_form(
            "http://as/token?x=1",
            &[("grant_type", "authorization_code"), ("code", "c1"), ("code_verifier", verifier)],
            vec![],
        )
    }

    #[test]
    fn an_edit_lists_each_changed_parameter_and_marks_the_new_secret() {
        let built = token_request("original-verifier");
        let mut sent = token_request("typed-by-hand");
        sent.url = "http://as/token?x=2".into();
        sent.headers.push(("X-Extra".into(), "1".into()));
        let edit = RequestEdit::between(&built, &sent);
        let parts: Vec<(&str, &str)> = edit.changes.iter().map(|c| (c.part.as_str(), c.name.as_str())).collect();
        assert_eq!(parts, [("query", "x"), ("header", "x-extra"), ("form", "code_verifier")]);
        assert_eq!(edit.changes[2].before.as_deref(), Some("original-verifier"));
        assert_eq!(edit.changes[2].after.as_deref(), Some("typed-by-hand"));
        let marks = remark(&sent, vec![SecretMark::new("code_verifier", "original-verifier")]);
        assert!(marks.iter().any(|m| m.label == "code_verifier" && m.value == "typed-by-hand"));
        assert!(marks.iter().any(|m| m.value == "original-verifier"), "the old value stays marked (it is in the edit)");
        assert!(RequestEdit::between(&built, &built).is_empty());
    }
}
