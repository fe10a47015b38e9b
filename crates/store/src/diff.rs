//! Comparing two sessions step by step — typically a working run and a failing one. Steps are
//! aligned by what they do (HTTP: method and path; local: title up to its first detail), then per
//! aligned pair the differences that matter are listed: request parameters, the authorization
//! scheme, status codes, response JSON members and the claims of JWTs in responses (decoded,
//! unverified). Compares the REDACTED copies, so no secret reaches a diff.
//! Leaves out values that differ on every run by design (state, nonce, PKCE values, codes, jti,
//! iat/exp/nbf/auth_time, opaque tokens) and any generic text diff.

use std::collections::BTreeMap;

use inspector_engine::step::StepKind;
use inspector_engine::{Step, StepStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Result, SessionRecord, SessionSummary, Store, View};

const VOLATILE_PARAMS: &[&str] = &[
    "state",
    "nonce",
    "code",
    "code_verifier",
    "code_challenge",
    "client_assertion",
    "jti",
    "device_code",
    "user_code",
];
const VOLATILE_CLAIMS: &[&str] = &["iat", "exp", "nbf", "jti", "auth_time", "nonce", "at_hash", "c_hash", "sid"];
const TOKEN_MEMBERS: &[&str] =
    &["access_token", "refresh_token", "id_token", "device_code", "user_code", "verification_uri_complete"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    Outcome,
    Error,
    Flow,
    Provider,
    Client,
    StepStatus,
    Url,
    RequestParam,
    RequestHeader,
    HttpStatus,
    ResponseHeader,
    ResponseMember,
    Claim,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Difference {
    pub aspect: Aspect,
    /// What differs: a parameter, member or claim name (`access_token.scope` for a claim).
    pub name: String,
    /// Absent when the left session does not have it.
    pub left: Option<Value>,
    pub right: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct StepRef {
    pub seq: u32,
    pub title: String,
    pub status: StepStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
}

/// One row of the aligned timelines: a step of both sessions, or of one only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct StepDiff {
    pub left: Option<StepRef>,
    pub right: Option<StepRef>,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SessionDiff {
    pub left: SessionSummary,
    pub right: SessionSummary,
    pub session: Vec<Difference>,
    pub steps: Vec<StepDiff>,
    /// No difference anywhere (volatile values aside).
    pub same: bool,
}

impl Store {
    pub async fn diff(&self, left: i64, right: i64) -> Result<SessionDiff> {
        let l = self.require(left, View::Redacted).await?;
        let r = self.require(right, View::Redacted).await?;
        Ok(compare(&l, &r))
    }
}

fn step_ref(s: &Step) -> StepRef {
    let (method, url, http_status) = match &s.kind {
        StepKind::Http { request, response } => {
            (Some(request.method.clone()), Some(request.url.clone()), response.as_ref().map(|r| r.status))
        }
        StepKind::Local { .. } => (None, None, None),
    };
    StepRef { seq: s.seq, title: s.title.clone(), status: s.status, method, url, http_status }
}

/// What a step does, for alignment.
fn key(s: &Step) -> String {
    match &s.kind {
        StepKind::Http { request, .. } => {
            let path =
                url::Url::parse(&request.url).map(|u| u.path().to_string()).unwrap_or_else(|_| request.url.clone());
            format!("{} {path}", request.method)
        }
        StepKind::Local { .. } => {
            let t = s.title.split([':', '(']).next().unwrap_or_default();
            format!("local {}", t.trim())
        }
    }
}

/// Longest common subsequence of the keys: pairs of aligned indexes.
fn align(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut t = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if a[i] == b[j] { t[i + 1][j + 1] + 1 } else { t[i + 1][j].max(t[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, vec![]);
    while i < n && j < m {
        if a[i] == b[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if t[i + 1][j] >= t[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

fn differ(out: &mut Vec<Difference>, aspect: Aspect, name: &str, l: Option<Value>, r: Option<Value>) {
    if l != r {
        out.push(Difference { aspect, name: name.into(), left: l, right: r });
    }
}

fn params(s: &Step) -> BTreeMap<String, Value> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let StepKind::Http { request, .. } = &s.kind else { return BTreeMap::new() };
    if let Ok(u) = url::Url::parse(&request.url) {
        for (k, v) in u.query_pairs() {
            map.entry(k.into_owned()).or_default().push(v.into_owned());
        }
    }
    if let Some(b) = &request.body {
        match serde_json::from_str::<Value>(b) {
            Ok(Value::Object(o)) => {
                for (k, v) in o {
                    map.entry(k).or_default().push(v.as_str().map(String::from).unwrap_or_else(|| v.to_string()));
                }
            }
            _ => {
                for (k, v) in url::form_urlencoded::parse(b.as_bytes()) {
                    map.entry(k.into_owned()).or_default().push(v.into_owned());
                }
            }
        }
    }
    map.into_iter()
        .filter(|(k, _)| !VOLATILE_PARAMS.contains(&k.as_str()))
        .map(|(k, v)| (k, Value::String(v.join(", "))))
        .collect()
}

fn auth_scheme(s: &Step) -> Option<Value> {
    let StepKind::Http { request, .. } = &s.kind else { return None };
    crate::export::header(&request.headers, "authorization")
        .map(|v| Value::String(v.split(' ').next().unwrap_or_default().to_string()))
}

fn response_json(s: &Step) -> Option<serde_json::Map<String, Value>> {
    match &s.kind {
        StepKind::Http { response: Some(r), .. } => serde_json::from_str::<Value>(&r.body).ok()?.as_object().cloned(),
        _ => None,
    }
}

fn compare_claims(out: &mut Vec<Difference>, prefix: &str, l: Option<&Value>, r: Option<&Value>) {
    let empty = serde_json::Map::new();
    let lc = l.and_then(Value::as_object).unwrap_or(&empty);
    let rc = r.and_then(Value::as_object).unwrap_or(&empty);
    let names: std::collections::BTreeSet<&String> = lc.keys().chain(rc.keys()).collect();
    for n in names {
        if !VOLATILE_CLAIMS.contains(&n.as_str()) {
            differ(out, Aspect::Claim, &format!("{prefix}.{n}"), lc.get(n).cloned(), rc.get(n).cloned());
        }
    }
}

fn code_word(c: inspector_engine::ErrorCode) -> String {
    serde_json::to_value(c).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

fn step_differences(l: &Step, r: &Step) -> Vec<Difference> {
    let mut out = vec![];
    let word = |s: &Step| Some(Value::String(crate::export::status_word(s.status).into()));
    differ(&mut out, Aspect::StepStatus, "status", word(l), word(r));
    let err = |s: &Step| s.error.as_ref().map(|e| Value::String(format!("{}: {}", code_word(e.code), e.message)));
    differ(&mut out, Aspect::Error, "error", err(l), err(r));
    let (StepKind::Http { request: lq, response: lr }, StepKind::Http { request: rq, response: rr }) =
        (&l.kind, &r.kind)
    else {
        return out;
    };
    let base = |u: &str| u.split('?').next().unwrap_or_default().to_string();
    if base(&lq.url) != base(&rq.url) {
        differ(&mut out, Aspect::Url, "url", Some(base(&lq.url).into()), Some(base(&rq.url).into()));
    }
    let (lp, rp) = (params(l), params(r));
    let names: std::collections::BTreeSet<&String> = lp.keys().chain(rp.keys()).collect();
    for n in names {
        differ(&mut out, Aspect::RequestParam, n, lp.get(n).cloned(), rp.get(n).cloned());
    }
    differ(&mut out, Aspect::RequestHeader, "authorization (scheme)", auth_scheme(l), auth_scheme(r));
    differ(
        &mut out,
        Aspect::HttpStatus,
        "status",
        lr.as_ref().map(|x| x.status.into()),
        rr.as_ref().map(|x| x.status.into()),
    );
    let ct = |x: &Option<inspector_engine::step::HttpResponse>| {
        x.as_ref()
            .and_then(|x| x.content_type())
            .map(|c| Value::String(c.split(';').next().unwrap_or_default().trim().to_string()))
    };
    differ(&mut out, Aspect::ResponseHeader, "content-type", ct(lr), ct(rr));
    let (lj, rj) = (response_json(l).unwrap_or_default(), response_json(r).unwrap_or_default());
    let names: std::collections::BTreeSet<&String> = lj.keys().chain(rj.keys()).collect();
    for n in names {
        let (a, b) = (lj.get(n), rj.get(n));
        let claims = |v: Option<&Value>| v.and_then(Value::as_str).and_then(crate::jwt::claims);
        if claims(a).is_some() || claims(b).is_some() {
            compare_claims(&mut out, n, claims(a).as_ref(), claims(b).as_ref());
            if a.is_none() || b.is_none() {
                differ(&mut out, Aspect::ResponseMember, n, a.map(|_| "present".into()), b.map(|_| "present".into()));
            }
        } else if TOKEN_MEMBERS.contains(&n.as_str()) {
            // Opaque tokens differ on every run; only their presence matters.
            differ(&mut out, Aspect::ResponseMember, n, a.map(|_| "present".into()), b.map(|_| "present".into()));
        } else {
            differ(&mut out, Aspect::ResponseMember, n, a.cloned(), b.cloned());
        }
    }
    out
}

pub fn compare(l: &SessionRecord, r: &SessionRecord) -> SessionDiff {
    let mut session = vec![];
    let (ls, rs) = (&l.summary, &r.summary);
    differ(&mut session, Aspect::Outcome, "outcome", Some(ls.outcome.clone().into()), Some(rs.outcome.clone().into()));
    differ(&mut session, Aspect::Flow, "flow", Some(ls.flow.clone().into()), Some(rs.flow.clone().into()));
    differ(
        &mut session,
        Aspect::Provider,
        "provider",
        Some(ls.provider.clone().into()),
        Some(rs.provider.clone().into()),
    );
    differ(&mut session, Aspect::Client, "client", Some(ls.client.clone().into()), Some(rs.client.clone().into()));
    let err = |rec: &SessionRecord| rec.error.as_ref().map(|e| Value::String(e.message.clone()));
    differ(&mut session, Aspect::Error, "error", err(l), err(r));
    let (lk, rk): (Vec<String>, Vec<String>) = (l.steps.iter().map(key).collect(), r.steps.iter().map(key).collect());
    let pairs = align(&lk, &rk);
    let mut steps = vec![];
    let (mut i, mut j) = (0, 0);
    for (pi, pj) in pairs.into_iter().chain(std::iter::once((l.steps.len(), r.steps.len()))) {
        while i < pi {
            steps.push(StepDiff { left: Some(step_ref(&l.steps[i])), right: None, differences: vec![] });
            i += 1;
        }
        while j < pj {
            steps.push(StepDiff { left: None, right: Some(step_ref(&r.steps[j])), differences: vec![] });
            j += 1;
        }
        if pi < l.steps.len() && pj < r.steps.len() {
            let differences = step_differences(&l.steps[pi], &r.steps[pj]);
            steps.push(StepDiff {
                left: Some(step_ref(&l.steps[pi])),
                right: Some(step_ref(&r.steps[pj])),
                differences,
            });
            i = pi + 1;
            j = pj + 1;
        }
    }
    let same =
        session.is_empty() && steps.iter().all(|s| s.left.is_some() && s.right.is_some() && s.differences.is_empty());
    SessionDiff { left: ls.clone(), right: rs.clone(), session, steps, same }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_keeps_order_and_skips_inserted_steps() {
        let a: Vec<String> = ["d", "t", "x"].iter().map(|s| s.to_string()).collect();
        let b: Vec<String> = ["d", "n", "t"].iter().map(|s| s.to_string()).collect();
        assert_eq!(align(&a, &b), vec![(0, 0), (1, 2)]);
    }
}
