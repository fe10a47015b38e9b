//! Trainer switches: the ways the sandbox misbehaves on purpose, so a class can watch the
//! inspector catch each one. They are data — one set, read by the sandbox's real endpoints — not
//! extra routes; they combine freely; all are off at start. They are turned on and off at run time
//! in process ([`Trainer::set`], the desktop) or over HTTP (`GET`/`PUT /trainer`, the CLI and
//! tests), and the discovery document lists the ones on (`inspector_trainer_switches`), so a run
//! against a misbehaving sandbox says so.
//!
//! `PUT /trainer` takes JSON only: a web page cannot send that cross-origin without a CORS
//! preflight, which the sandbox never grants, and the loopback `Host` rule (host.rs) keeps DNS
//! rebinding out.

use std::collections::BTreeSet;
use std::sync::RwLock;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Shared;

/// One misbehaviour. The name (kebab-case) is what the CLI, the HTTP API and the window use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Switch {
    PkceNotEnforced,
    PkcePlainAccepted,
    AnyRedirectUri,
    CodesReusable,
    IssMissing,
    WrongState,
    ExpiredTokens,
    WrongAudience,
    WrongIdTokenIssuer,
    NonceMissing,
    NonceWrong,
    AtHashWrong,
    UnknownKid,
    IdTokenAlgNone,
    RefreshNotRotated,
    DeviceSlowDown,
    SlowTokenEndpoint,
}

/// How long the token endpoint waits with [`Switch::SlowTokenEndpoint`] on: longer than the
/// inspector's "slow answer" mark, shorter than its default timeout.
pub const SLOW_TOKEN_DELAY: std::time::Duration = std::time::Duration::from_secs(6);

impl Switch {
    pub const ALL: [Switch; 17] = [
        Switch::PkceNotEnforced,
        Switch::PkcePlainAccepted,
        Switch::AnyRedirectUri,
        Switch::CodesReusable,
        Switch::IssMissing,
        Switch::WrongState,
        Switch::ExpiredTokens,
        Switch::WrongAudience,
        Switch::WrongIdTokenIssuer,
        Switch::NonceMissing,
        Switch::NonceWrong,
        Switch::AtHashWrong,
        Switch::UnknownKid,
        Switch::IdTokenAlgNone,
        Switch::RefreshNotRotated,
        Switch::DeviceSlowDown,
        Switch::SlowTokenEndpoint,
    ];

    pub fn name(self) -> &'static str {
        self.about().0
    }

    pub fn from_name(name: &str) -> Option<Switch> {
        Switch::ALL.into_iter().find(|s| s.name() == name.trim())
    }

    /// What the sandbox then does wrong.
    pub fn description(self) -> &'static str {
        self.about().1
    }

    /// What the inspector shows for it, and where.
    pub fn seen_as(self) -> &'static str {
        self.about().2
    }

    fn about(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Switch::PkceNotEnforced => (
                "pkce-not-enforced",
                "a public client may authorize without code_challenge, and the code_verifier is not checked",
                "audit: pkce-enforced fails; attack demo: a stolen code is redeemed without the verifier",
            ),
            Switch::PkcePlainAccepted => (
                "pkce-plain-accepted",
                "code_challenge_method=plain is accepted (and advertised)",
                "audit: pkce-plain-refused fails, pkce-plain-offered warns",
            ),
            Switch::AnyRedirectUri => (
                "any-redirect-uri",
                "any redirect URI is accepted, on any host and path",
                "audit: redirect-uri-exact fails",
            ),
            Switch::CodesReusable => (
                "codes-reusable",
                "an authorization code can be redeemed more than once",
                "audit: code-single-use fails",
            ),
            Switch::IssMissing => (
                "iss-missing",
                "the authorization response carries no iss, though the metadata says it does (RFC 9207)",
                "flow: the callback check `iss` fails",
            ),
            Switch::WrongState => (
                "wrong-state",
                "the authorization response carries another state than the one sent",
                "flow: the state check fails and the code is not redeemed",
            ),
            Switch::ExpiredTokens => (
                "expired-tokens",
                "access and ID tokens are issued already expired",
                "flow: the token checks fail on exp; the demo API refuses the token",
            ),
            Switch::WrongAudience => (
                "wrong-audience",
                "access tokens are for another API, ID tokens for another client",
                "flow: the token checks fail on aud; the demo API refuses the token",
            ),
            Switch::WrongIdTokenIssuer => {
                ("wrong-id-token-issuer", "ID tokens name another issuer", "flow: the ID token check fails on iss")
            }
            Switch::NonceMissing => (
                "nonce-missing",
                "ID tokens leave out the nonce of the authorization request",
                "flow: the ID token check fails on nonce",
            ),
            Switch::NonceWrong => (
                "nonce-wrong",
                "ID tokens carry another nonce than the one sent",
                "flow: the ID token check fails on nonce",
            ),
            Switch::AtHashWrong => (
                "at-hash-wrong",
                "ID tokens carry an at_hash of another access token",
                "flow: the ID token check fails on at_hash",
            ),
            Switch::UnknownKid => (
                "unknown-kid",
                "tokens are signed with a rotated key whose kid is not in the JWKS",
                "flow: the signature checks fail (kid not found); the demo API refuses the token",
            ),
            Switch::IdTokenAlgNone => {
                ("id-token-alg-none", "ID tokens are unsigned (alg: none)", "flow: the ID token check fails on alg")
            }
            Switch::RefreshNotRotated => (
                "refresh-not-rotated",
                "a refresh gives back the same refresh token, which stays valid",
                "audit: refresh-rotation fails",
            ),
            Switch::DeviceSlowDown => (
                "device-slow-down",
                "the first poll of each device code is told slow_down",
                "device flow: a warning poll, then the interval grows by 5 s (RFC 8628 §3.5)",
            ),
            Switch::SlowTokenEndpoint => (
                "slow-token-endpoint",
                "the token endpoint answers after 6 s",
                "flow: the token step is marked slow (a warning)",
            ),
        }
    }
}

/// The switches that are on. Shared by every handler; cheap to read on every request.
#[derive(Default)]
pub struct Trainer {
    on: RwLock<BTreeSet<Switch>>,
}

impl Trainer {
    pub fn is_on(&self, s: Switch) -> bool {
        self.on.read().unwrap_or_else(|p| p.into_inner()).contains(&s)
    }

    pub fn set(&self, s: Switch, on: bool) {
        let mut set = self.on.write().unwrap_or_else(|p| p.into_inner());
        if on {
            set.insert(s);
        } else {
            set.remove(&s);
        }
    }

    /// Exactly these switches on, every other off.
    pub fn set_only(&self, switches: impl IntoIterator<Item = Switch>) {
        *self.on.write().unwrap_or_else(|p| p.into_inner()) = switches.into_iter().collect();
    }

    pub fn active(&self) -> Vec<Switch> {
        self.on.read().unwrap_or_else(|p| p.into_inner()).iter().copied().collect()
    }

    /// Every switch with its state and meaning, as the window and `GET /trainer` show them.
    pub fn describe(&self) -> Vec<SwitchState> {
        Switch::ALL
            .into_iter()
            .map(|s| SwitchState {
                name: s.name(),
                on: self.is_on(s),
                description: s.description(),
                seen_as: s.seen_as(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SwitchState {
    pub name: &'static str,
    pub on: bool,
    pub description: &'static str,
    pub seen_as: &'static str,
}

/// Parses switch names (`a,b` or several values), saying which name is unknown and what exists.
pub fn parse_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<Switch>, String> {
    let mut out = Vec::new();
    for n in names.into_iter().flat_map(|n| n.split(',')).map(str::trim).filter(|n| !n.is_empty()) {
        match Switch::from_name(n) {
            Some(s) => out.push(s),
            None => {
                let all: Vec<&str> = Switch::ALL.iter().map(|s| s.name()).collect();
                return Err(format!("unknown trainer switch {n:?}; expected one of: {}", all.join(", ")));
            }
        }
    }
    Ok(out)
}

pub async fn get(State(s): State<Shared>) -> Response {
    Json(json!({"switches": s.trainer.describe()})).into_response()
}

#[derive(Deserialize)]
pub struct SetSwitches {
    /// The switches to have on; every other is turned off.
    on: Vec<String>,
}

pub async fn put(State(s): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let bad =
        |msg: String| (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_request", "error_description": msg})));
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json")));
    if !json_type {
        return bad("expected Content-Type: application/json with {\"on\": [names…]}".into()).into_response();
    }
    let req: SetSwitches = match serde_json::from_str(&body) {
        Ok(r) => r,
        Err(e) => return bad(format!("expected {{\"on\": [names…]}}, got: {e}")).into_response(),
    };
    match parse_names(req.on.iter().map(String::as_str)) {
        Ok(switches) => {
            s.trainer.set_only(switches);
            get(State(s)).await
        }
        Err(e) => bad(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for s in Switch::ALL {
            assert_eq!(Switch::from_name(s.name()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
        let names: BTreeSet<&str> = Switch::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), Switch::ALL.len(), "names are unique");
    }

    #[test]
    fn parse_names_splits_commas_and_names_the_unknown_one() {
        assert_eq!(
            parse_names(["iss-missing, wrong-state", "codes-reusable"]).unwrap(),
            vec![Switch::IssMissing, Switch::WrongState, Switch::CodesReusable]
        );
        let e = parse_names(["iss-missing,pkce-off"]).unwrap_err();
        assert!(e.contains("\"pkce-off\"") && e.contains("pkce-not-enforced"), "{e}");
    }
}
