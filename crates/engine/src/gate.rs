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
        let is_form = |r: &HttpRequest| {
            r.headers.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("content-type") && v.starts_with("application/x-www-form-urlencoded")
            })
        };
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
