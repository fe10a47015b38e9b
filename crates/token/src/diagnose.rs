//! Diagnosis of a failing 401/403 call from its request and response: where the token was (header,
//! query, form), what the server said (status, WWW-Authenticate per RFC 6750 §3 and RFC 9449 §7.1,
//! vendor messages in headers and bodies), what the token itself shows (the same checks as
//! `inspect`), combined into causes ranked most likely first. Leaves out replaying the call.

use serde::Serialize;
use serde_json::Value;

use crate::challenge::{self, Challenge};
use crate::checks::{Options, Problem};
use crate::decode::Format;
use crate::error::Error;
use crate::http::{Request, Response, header_values};
use crate::inspect::{KeySource, Report, inspect};
use crate::jwks::JwksFetcher;
use crate::paste::{self, PasteMistake};
use crate::times;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CauseCode {
    MissingToken,
    WrongScheme,
    Malformed,
    Expired,
    NotYetValid,
    BadSignature,
    UnknownKey,
    AlgNone,
    IssuerMismatch,
    AudienceMismatch,
    MissingClaim,
    InsufficientScope,
    RevokedOrInactive,
    DpopRequired,
    InvalidRequest,
    TokenInQuery,
    Unknown,
}

impl CauseCode {
    pub fn as_str(self) -> &'static str {
        match self {
            CauseCode::MissingToken => "missing_token",
            CauseCode::WrongScheme => "wrong_scheme",
            CauseCode::Malformed => "malformed",
            CauseCode::Expired => "expired",
            CauseCode::NotYetValid => "not_yet_valid",
            CauseCode::BadSignature => "bad_signature",
            CauseCode::UnknownKey => "unknown_key",
            CauseCode::AlgNone => "alg_none",
            CauseCode::IssuerMismatch => "issuer_mismatch",
            CauseCode::AudienceMismatch => "audience_mismatch",
            CauseCode::MissingClaim => "missing_claim",
            CauseCode::InsufficientScope => "insufficient_scope",
            CauseCode::RevokedOrInactive => "revoked_or_inactive",
            CauseCode::DpopRequired => "dpop_required",
            CauseCode::InvalidRequest => "invalid_request",
            CauseCode::TokenInQuery => "token_in_query",
            CauseCode::Unknown => "unknown",
        }
    }

    /// (summary, fix)
    fn text(self) -> (&'static str, &'static str) {
        match self {
            CauseCode::MissingToken => (
                "The request carries no access token.",
                "Send it as `Authorization: Bearer <access token>` (RFC 6750 §2.1).",
            ),
            CauseCode::WrongScheme => (
                "The Authorization header does not use the scheme the API expects (Bearer).",
                "Send `Authorization: Bearer <access token>`; Basic credentials, an API key or a bare token are not a bearer token.",
            ),
            CauseCode::Malformed => (
                "The token is not a well-formed token for this API (truncated, quoted, or not a JWT).",
                "Send the access_token value exactly as received: no quotes, no second 'Bearer ', no line breaks; an ID or refresh token is not an access token.",
            ),
            CauseCode::Expired => (
                "The access token has expired.",
                "Get a new one (refresh token or a new grant) and renew before exp; check the clocks of the issuer and the API.",
            ),
            CauseCode::NotYetValid => (
                "The token is not valid yet (nbf or iat in the future): the clocks disagree.",
                "Synchronise the clocks (NTP) of the issuer and the API, or allow a small leeway.",
            ),
            CauseCode::BadSignature => (
                "The token's signature does not verify with the keys the API trusts.",
                "Make sure the API trusts the issuer that minted the token (same tenant, realm, environment) and that the token was not altered.",
            ),
            CauseCode::UnknownKey => (
                "The token was signed with a key (kid) the API does not know.",
                "Point the API at the issuer's current jwks_uri and let it refetch keys on an unknown kid (rotation); check the token comes from the issuer the API trusts.",
            ),
            CauseCode::AlgNone => (
                "The token is unsigned (alg none).",
                "Use a token signed by the authorization server; unsigned tokens are never accepted (RFC 8725 §3.2).",
            ),
            CauseCode::IssuerMismatch => (
                "The token comes from an issuer the API does not trust.",
                "Get the token from the issuer the API is configured for (tenant, realm, v1/v2 endpoint, trailing slash all count).",
            ),
            CauseCode::AudienceMismatch => (
                "The token is meant for another audience, not this API.",
                "Request the token for this API (its audience/resource or its scope); never send an ID token to an API.",
            ),
            CauseCode::MissingClaim => (
                "A claim the API requires is missing from the token.",
                "Have the authorization server include it (scopes, claim mappings, or the RFC 9068 access-token profile).",
            ),
            CauseCode::InsufficientScope => (
                "The token lacks the scope or permission this call needs.",
                "Request the token with the needed scope and have it granted (consent, role or permission assignment).",
            ),
            CauseCode::RevokedOrInactive => (
                "The server no longer accepts this token: revoked, logged out, inactive, or unknown to it.",
                "Get a new token; if it recurs, check the token belongs to this environment and how the server validates (introspection, RFC 7662).",
            ),
            CauseCode::DpopRequired => (
                "The API wants a DPoP-bound token with a DPoP proof (RFC 9449).",
                "Send `Authorization: DPoP <token>` and a fresh `DPoP` proof header; on error use_dpop_nonce retry with the server's DPoP-Nonce.",
            ),
            CauseCode::InvalidRequest => (
                "The API rejected the request itself (several tokens, a missing or repeated parameter).",
                "Send the token once, by one method only, preferably the Authorization header (RFC 6750 §2).",
            ),
            CauseCode::TokenInQuery => (
                "The token is in the URL query string, which many APIs ignore and which leaks into logs and Referer headers.",
                "Move it to the Authorization header (RFC 6750 §2.3 and §5.3; RFC 9700 §2.4 forbids it for new designs).",
            ),
            CauseCode::Unknown => (
                "No specific cause could be identified from the request, the response and the token.",
                "Compare with a working call, try the token on another endpoint of the same API, and read the API's logs.",
            ),
        }
    }
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct Cause {
    pub code: CauseCode,
    pub summary: String,
    pub fix: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    #[serde(skip)]
    score: u32,
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(rename = "DiagnosedToken")]
pub struct TokenSummary {
    /// Where the token was found: "Authorization: Bearer", "query string", "form body".
    pub location: String,
    pub format: Format,
    pub problems: Vec<Problem>,
    pub valid: bool,
    /// Paste mistakes around the token as sent (quotes, a second `Bearer `); `inspection` is of
    /// the token without them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paste: Vec<PasteMistake>,
    /// The full inspection (header, claims, checks); the token string itself is never echoed.
    pub inspection: Report,
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct Diagnosis {
    pub status: u16,
    #[serde(serialize_with = "challenges_as_strings")]
    #[ts(as = "Vec<String>")]
    pub challenges: Vec<Challenge>,
    pub token: Option<TokenSummary>,
    pub causes: Vec<Cause>,
}

fn challenges_as_strings<S: serde::Serializer>(c: &[Challenge], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(c.iter().map(|c| c.to_string()))
}

#[derive(Clone, Debug, Default)]
pub struct DiagnoseOptions {
    pub keys: KeySource,
    pub expected_issuer: Option<String>,
    pub audiences: Vec<String>,
    /// Default: the response's Date header, else the system clock.
    pub now: Option<i64>,
    pub leeway: u64,
}

/// Server messages and what they mean, specific before generic (lower-case substrings).
/// Sources: RFC 6750 §3.1; Microsoft.IdentityModel IDX codes and Entra AADSTS codes; ASP.NET Core
/// JwtBearer error descriptions; Spring Security (Nimbus) messages; Keycloak; Auth0 (express-oauth2-
/// jwt-bearer); Okta; Google APIs; GitHub REST; nginx.
const PATTERNS: &[(&str, CauseCode, &str)] = &[
    ("has expired or is not yet valid", CauseCode::Expired, "Microsoft Graph (ambiguous; expiry is the usual case)"),
    ("idx10222", CauseCode::NotYetValid, "Microsoft.IdentityModel: token not yet valid"),
    ("idx10223", CauseCode::Expired, "Microsoft.IdentityModel: lifetime validation failed, the token is expired"),
    ("idx10225", CauseCode::MissingClaim, "Microsoft.IdentityModel: no expiration time"),
    ("idx10214", CauseCode::AudienceMismatch, "Microsoft.IdentityModel: audience validation failed"),
    ("idx10208", CauseCode::AudienceMismatch, "Microsoft.IdentityModel: unable to validate audience"),
    ("idx10205", CauseCode::IssuerMismatch, "Microsoft.IdentityModel: issuer validation failed"),
    ("idx10211", CauseCode::IssuerMismatch, "Microsoft.IdentityModel: issuer null or empty"),
    ("idx10501", CauseCode::UnknownKey, "Microsoft.IdentityModel: unable to match key (kid)"),
    ("idx10516", CauseCode::UnknownKey, "Microsoft.IdentityModel: unable to match key (kid)"),
    ("idx10500", CauseCode::UnknownKey, "Microsoft.IdentityModel: no signing keys"),
    ("idx10504", CauseCode::AlgNone, "Microsoft.IdentityModel: the token has no signature"),
    ("idx10503", CauseCode::BadSignature, "Microsoft.IdentityModel: signature validation failed"),
    ("idx10511", CauseCode::BadSignature, "Microsoft.IdentityModel: signature validation failed"),
    ("idx10517", CauseCode::BadSignature, "Microsoft.IdentityModel: signature validation failed"),
    ("idx12741", CauseCode::Malformed, "Microsoft.IdentityModel: JWT not well formed"),
    ("idx12709", CauseCode::Malformed, "Microsoft.IdentityModel: JWT not well formed"),
    ("idx14100", CauseCode::Malformed, "Microsoft.IdentityModel: JWT not well formed"),
    ("idx14101", CauseCode::Malformed, "Microsoft.IdentityModel: JWT not well formed"),
    ("idx14102", CauseCode::Malformed, "Microsoft.IdentityModel: JWT not well formed"),
    ("aadsts500133", CauseCode::Expired, "Entra: assertion is not within its valid time range (expired)"),
    ("aadsts700024", CauseCode::Expired, "Entra: client assertion is not within its valid time range"),
    ("aadsts50013", CauseCode::BadSignature, "Entra: assertion failed signature validation"),
    ("compacttoken parsing failed", CauseCode::Malformed, "Microsoft Graph: not a JWT for Graph"),
    ("invalidauthenticationtokenaudience", CauseCode::AudienceMismatch, "Microsoft Graph: wrong audience"),
    ("signature key was not found", CauseCode::UnknownKey, "ASP.NET Core JwtBearer"),
    ("no matching key", CauseCode::UnknownKey, "Spring Security / Nimbus"),
    ("unable to match key", CauseCode::UnknownKey, "Microsoft.IdentityModel"),
    ("no applicable key", CauseCode::UnknownKey, "jose libraries"),
    ("the signature is invalid", CauseCode::BadSignature, "ASP.NET Core JwtBearer"),
    ("invalid signature", CauseCode::BadSignature, "Spring Security / Nimbus, node jsonwebtoken"),
    ("signature verification failed", CauseCode::BadSignature, "Auth0 / jose"),
    ("signature validation failed", CauseCode::BadSignature, "Microsoft.IdentityModel"),
    ("not valid before", CauseCode::NotYetValid, "ASP.NET Core JwtBearer"),
    ("not yet valid", CauseCode::NotYetValid, "generic"),
    ("jwt used before", CauseCode::NotYetValid, "Spring Security"),
    ("\"nbf\" claim timestamp check failed", CauseCode::NotYetValid, "Auth0 / jose"),
    ("token has no expiration", CauseCode::MissingClaim, "ASP.NET Core JwtBearer"),
    ("expired", CauseCode::Expired, "RFC 6750 / Entra / ASP.NET / Spring / Okta"),
    ("\"exp\" claim timestamp check failed", CauseCode::Expired, "Auth0 / jose"),
    ("lifetime validation failed", CauseCode::Expired, "Microsoft.IdentityModel"),
    ("the issuer", CauseCode::IssuerMismatch, "ASP.NET Core JwtBearer"),
    ("iss claim", CauseCode::IssuerMismatch, "Spring Security"),
    ("\"iss\" claim", CauseCode::IssuerMismatch, "Auth0 / jose"),
    ("invalid token issuer", CauseCode::IssuerMismatch, "Keycloak"),
    ("issuer", CauseCode::IssuerMismatch, "generic"),
    ("the audience", CauseCode::AudienceMismatch, "ASP.NET Core JwtBearer"),
    ("aud claim", CauseCode::AudienceMismatch, "Spring Security"),
    ("\"aud\" claim", CauseCode::AudienceMismatch, "Auth0 / jose"),
    ("audience", CauseCode::AudienceMismatch, "generic"),
    ("insufficient_scope", CauseCode::InsufficientScope, "RFC 6750 §3.1"),
    ("required scopes", CauseCode::InsufficientScope, "Okta"),
    ("higher privileges", CauseCode::InsufficientScope, "RFC 6750 / Spring Security"),
    ("resource not accessible", CauseCode::InsufficientScope, "GitHub"),
    ("access_token_scope_insufficient", CauseCode::InsufficientScope, "Google APIs"),
    ("insufficientpermissions", CauseCode::InsufficientScope, "Google APIs"),
    ("insufficient scope", CauseCode::InsufficientScope, "generic"),
    ("missing scope", CauseCode::InsufficientScope, "generic"),
    ("multiple bearer tokens", CauseCode::InvalidRequest, "Spring Security"),
    ("more than one method", CauseCode::InvalidRequest, "RFC 6750 §3.1"),
    ("dpop", CauseCode::DpopRequired, "RFC 9449"),
    ("bad credentials", CauseCode::RevokedOrInactive, "GitHub: token revoked, expired or mistyped"),
    ("revoked", CauseCode::RevokedOrInactive, "generic"),
    ("token is not active", CauseCode::RevokedOrInactive, "Keycloak / introspection"),
    ("inactive", CauseCode::RevokedOrInactive, "introspection (RFC 7662 active=false)"),
    ("malformed", CauseCode::Malformed, "Spring Security / node jsonwebtoken"),
    ("not well formed", CauseCode::Malformed, "Microsoft.IdentityModel"),
    ("invalid jwt serialization", CauseCode::Malformed, "Spring Security / Nimbus"),
    ("invalid compact jws", CauseCode::Malformed, "jose"),
    ("unsecured", CauseCode::AlgNone, "jose"),
];

/// The first pattern a server message matches.
pub fn match_message(text: &str) -> Option<(CauseCode, &'static str)> {
    let t = text.to_ascii_lowercase();
    PATTERNS.iter().find(|(needle, ..)| t.contains(needle)).map(|(_, code, origin)| (*code, *origin))
}

#[derive(Default)]
struct Causes(Vec<Cause>);

impl Causes {
    fn add(&mut self, code: CauseCode, score: u32, evidence: impl Into<String>) {
        let evidence = evidence.into();
        if let Some(c) = self.0.iter_mut().find(|c| c.code == code) {
            // A second, independent source agrees: more likely.
            c.score = c.score.max(score) + 3;
            if !evidence.is_empty() && !c.evidence.contains(&evidence) {
                c.evidence.push(evidence);
            }
            return;
        }
        let (summary, fix) = code.text();
        self.0.push(Cause {
            code,
            summary: summary.into(),
            fix: fix.into(),
            evidence: if evidence.is_empty() { Vec::new() } else { vec![evidence] },
            score,
        });
    }

    fn has(&self, code: CauseCode) -> bool {
        self.0.iter().any(|c| c.code == code)
    }

    fn ranked(mut self) -> Vec<Cause> {
        self.0.sort_by_key(|c| std::cmp::Reverse(c.score));
        self.0
    }
}

fn problem_cause(p: Problem) -> Option<CauseCode> {
    Some(match p {
        Problem::Malformed | Problem::CritUnsupported => CauseCode::Malformed,
        Problem::AlgNone => CauseCode::AlgNone,
        Problem::AlgNotAllowed | Problem::BadSignature => CauseCode::BadSignature,
        Problem::UnknownKey => CauseCode::UnknownKey,
        Problem::Expired => CauseCode::Expired,
        Problem::NotYetValid | Problem::IssuedInFuture => CauseCode::NotYetValid,
        Problem::IssuerMismatch => CauseCode::IssuerMismatch,
        Problem::AudienceMismatch => CauseCode::AudienceMismatch,
        Problem::MissingClaim => CauseCode::MissingClaim,
        Problem::InsufficientScope => CauseCode::InsufficientScope,
        Problem::NonceMismatch | Problem::AtHashMismatch | Problem::AzpMismatch => return None,
    })
}

/// Human-readable strings from a response body: RFC 6749-style `error`/`error_description`,
/// `message` (GitHub), `error.message`/`error.status` (Google, Graph), `detail`/`title` (RFC 9457);
/// for non-JSON bodies, the text without markup.
fn body_messages(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    match serde_json::from_str::<Value>(body.trim()) {
        Ok(v) => {
            fn collect(v: &Value, out: &mut Vec<String>, depth: u8) {
                if depth > 3 {
                    return;
                }
                if let Value::Object(m) = v {
                    for k in ["error", "error_description", "message", "detail", "title", "code", "status", "reason"] {
                        match m.get(k) {
                            Some(Value::String(s)) => out.push(s.clone()),
                            Some(inner @ Value::Object(_)) => collect(inner, out, depth + 1),
                            _ => {}
                        }
                    }
                    if let Some(Value::Array(errors)) = m.get("errors") {
                        for e in errors.iter().take(5) {
                            collect(e, out, depth + 1);
                        }
                    }
                }
            }
            collect(&v, &mut out, 0);
        }
        Err(_) => {
            let mut text = String::new();
            let mut in_tag = false;
            for ch in body.chars().take(2000) {
                match ch {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if !text.is_empty() {
                out.push(text.chars().take(300).collect());
            }
        }
    }
    out
}

/// The token as sent, cleaned of paste mistakes (quotes, a second `Bearer `, line breaks), and
/// where it was. A server takes those characters as part of the token and rejects it, so each is a
/// likely cause; the token is still inspected without them, to show what else may be wrong.
fn pasted(sent: &str, location: &str, causes: &mut Causes) -> Located {
    let cleaned = paste::clean(sent);
    for m in &cleaned.mistakes {
        let what = match m.kind {
            PasteMistake::BearerPrefix if location.starts_with("Authorization:") => {
                "a second 'Bearer ' in front of it".to_string()
            }
            _ => m.what.clone(),
        };
        causes.add(
            CauseCode::Malformed,
            116,
            format!(
                "the token in {location} has {what}: the server reads them as part of the token; send only the token"
            ),
        );
    }
    Located { kinds: cleaned.kinds(), token: cleaned.token, location: location.to_string() }
}

/// A token found in the request: the cleaned value, where it was, and the paste mistakes it had.
struct Located {
    token: String,
    location: String,
    kinds: Vec<PasteMistake>,
}

/// The token the request carries and where, recording scheme and placement causes.
fn locate_token(req: &Request, causes: &mut Causes) -> Option<Located> {
    let mut token: Option<Located> = None;
    if let Some(auth) = req.header("authorization") {
        let auth = auth.trim();
        let (scheme, cred) = auth.split_once([' ', '\t']).map(|(s, c)| (s, c.trim())).unwrap_or(("", auth));
        // Auth schemes are case-insensitive (RFC 9110 §11.1, RFC 7235 §2.1): `bearer` is Bearer.
        if scheme.eq_ignore_ascii_case("bearer") && !cred.is_empty() {
            token = Some(pasted(cred, "Authorization: Bearer", causes));
        } else if scheme.eq_ignore_ascii_case("dpop") && !cred.is_empty() {
            if req.header("dpop").is_none() {
                causes.add(
                    CauseCode::DpopRequired,
                    110,
                    "Authorization uses the DPoP scheme but no DPoP proof header is sent",
                );
            }
            token = Some(pasted(cred, "Authorization: DPoP", causes));
        } else if scheme.is_empty() {
            causes.add(
                CauseCode::WrongScheme,
                118,
                "the Authorization header has a bare value without the `Bearer ` prefix",
            );
            token = Some(pasted(cred, "Authorization (no scheme)", causes));
        } else {
            causes.add(CauseCode::WrongScheme, 118, format!("Authorization uses the {scheme} scheme, not Bearer"));
        }
    }
    let query_token = req.query().into_iter().find(|(k, _)| k == "access_token" || k == "token").map(|(_, v)| v);
    if let Some(q) = query_token {
        if token.is_some() {
            causes.add(
                CauseCode::TokenInQuery,
                40,
                "a token is in the query string as well as the Authorization header",
            );
            causes.add(CauseCode::InvalidRequest, 45, "two methods of sending a token in one request (RFC 6750 §2)");
        } else {
            causes.add(CauseCode::TokenInQuery, 115, "the token is sent only in the query string (access_token=…)");
            token = Some(pasted(&q, "query string", causes));
        }
    }
    if token.is_none()
        && let Some((_, v)) = req.form().into_iter().find(|(k, _)| k == "access_token")
    {
        token = Some(pasted(&v, "form body (RFC 6750 §2.2)", causes));
    }
    if token.is_none() && req.header("authorization").is_none() {
        causes.add(
            CauseCode::MissingToken,
            120,
            "no Authorization header, and no access_token in the query or form body",
        );
    }
    token
}

pub async fn diagnose(
    req: &Request,
    resp: &Response,
    opts: &DiagnoseOptions,
    fetcher: &JwksFetcher,
) -> Result<Diagnosis, Error> {
    let mut causes = Causes::default();
    let challenges = challenge::parse(&header_values(&resp.headers, "www-authenticate"));
    let token = locate_token(req, &mut causes);
    let used_dpop = token.as_ref().is_some_and(|t| t.location.to_ascii_lowercase().contains("dpop"));

    // What the server said.
    let has = |s: &str| challenges.iter().any(|c| c.is(s));
    let error = challenges.iter().find_map(|c| c.param("error")).map(str::to_ascii_lowercase);
    let required_scope = challenges.iter().find_map(|c| c.param("scope")).map(str::to_string);
    if has("dpop") && !has("bearer") && !used_dpop {
        causes.add(CauseCode::DpopRequired, 112, "the server only offers the DPoP scheme in WWW-Authenticate");
    }
    if has("basic") && !has("bearer") && !has("dpop") && token.is_some() {
        causes.add(
            CauseCode::WrongScheme,
            100,
            "the server asks for Basic authentication (e.g. nginx auth_basic in front of the API)",
        );
    }
    let mut server_explained = false;
    match error.as_deref() {
        Some("invalid_request") => {
            causes.add(CauseCode::InvalidRequest, 100, "WWW-Authenticate error=\"invalid_request\"")
        }
        Some("insufficient_scope") => {
            let need = required_scope.as_deref().map(|s| format!(", scope=\"{s}\" needed")).unwrap_or_default();
            causes.add(
                CauseCode::InsufficientScope,
                105,
                format!("WWW-Authenticate error=\"insufficient_scope\"{need}"),
            );
            server_explained = true;
        }
        Some("use_dpop_nonce") => causes.add(
            CauseCode::DpopRequired,
            112,
            "error=\"use_dpop_nonce\": retry with the DPoP-Nonce header's value in the proof",
        ),
        Some("invalid_dpop_proof") => {
            causes.add(CauseCode::DpopRequired, 112, "error=\"invalid_dpop_proof\": the DPoP proof was rejected")
        }
        _ => {}
    }
    let mut messages: Vec<(String, &str)> = Vec::new();
    for c in &challenges {
        if let Some(d) = c.param("error_description") {
            messages.push((d.to_string(), "WWW-Authenticate error_description"));
        }
    }
    for m in body_messages(&resp.body) {
        messages.push((m, "response body"));
    }
    for (text, place) in &messages {
        if let Some((code, origin)) = match_message(text) {
            if code == CauseCode::InsufficientScope && token.is_none() {
                continue;
            }
            causes.add(code, 100, format!("{place}: {text:?} ({origin})"));
            server_explained = true;
        }
    }
    // GitHub tells the scopes it has and wants in headers.
    if let (Some(have), Some(want)) = (resp.header("x-oauth-scopes"), resp.header("x-accepted-oauth-scopes")) {
        let have: Vec<&str> = have.split(',').map(str::trim).collect();
        let wanted: Vec<&str> = want.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        if !wanted.is_empty() && !wanted.iter().any(|w| have.contains(w)) {
            causes.add(
                CauseCode::InsufficientScope,
                100,
                format!("X-Accepted-OAuth-Scopes: {want}; the token has: {}", have.join(", ")),
            );
            server_explained = true;
        }
    }

    // What the token itself shows.
    let mut summary = None;
    if let Some(Located { token: tok, location, kinds }) = token {
        let now = opts.now.or_else(|| resp.header("date").and_then(times::parse_http_date)).unwrap_or_else(times::now);
        let o = Options {
            expected_issuer: opts.expected_issuer.clone(),
            audiences: opts.audiences.clone(),
            scopes: required_scope.iter().cloned().collect(),
            now,
            leeway: opts.leeway,
            ..Options::default()
        };
        let report = inspect(&tok, &opts.keys, &o, fetcher).await?;
        let score = if error.as_deref() == Some("invalid_token") && !server_explained {
            95
        } else if resp.status == 401 {
            85
        } else {
            70
        };
        for c in report.checks.iter().filter(|c| c.problem.is_some()) {
            if let Some(code) = problem_cause(c.problem.and_then(Problem::from_code).unwrap_or(Problem::Malformed)) {
                causes.add(code, score, format!("the token itself ({}): {}", c.id, c.message));
            }
        }
        if let Value::Object(claims) = &report.claims
            && (claims.contains_key("nonce") || claims.contains_key("at_hash") || claims.contains_key("c_hash"))
        {
            causes.add(
                    CauseCode::AudienceMismatch,
                    75,
                    "the token carries nonce/at_hash/c_hash: it looks like an ID token, which is for the client, not for APIs",
                );
        }
        let rejected = resp.status == 401 || error.as_deref() == Some("invalid_token");
        // A wrong scheme or a pasted token (`Malformed` from `pasted`) already explains the rejection.
        let explained = causes.has(CauseCode::WrongScheme) || causes.has(CauseCode::Malformed);
        if rejected && report.problems.is_empty() && !server_explained && !explained {
            let why = match report.format {
                Format::Opaque => "the token is opaque, so only the server can tell; it was rejected without a reason",
                _ if error.as_deref() == Some("invalid_token") => {
                    "the server says invalid_token but the token shows no problem locally (revoked, or keys/issuer the server does not share)"
                }
                _ => "the token shows no problem locally but was rejected",
            };
            causes.add(CauseCode::RevokedOrInactive, if error.is_some() { 80 } else { 60 }, why);
        }
        summary = Some(TokenSummary {
            location,
            format: report.format,
            problems: report.problems.clone(),
            valid: report.valid,
            paste: kinds,
            inspection: report,
        });
    }

    if resp.status == 403 && !causes.has(CauseCode::InsufficientScope) && error.is_none() {
        causes.add(
            CauseCode::InsufficientScope,
            60,
            "403 without an error code: the token was accepted but the call is not permitted (scope, role or policy)",
        );
    }
    if (200..300).contains(&resp.status) {
        causes.add(CauseCode::Unknown, 1, format!("the call succeeded (HTTP {}): nothing to diagnose", resp.status));
    }
    if causes.0.is_empty() {
        causes.add(CauseCode::Unknown, 1, format!("HTTP {} {}", resp.status, resp.reason));
    }
    Ok(Diagnosis { status: resp.status, challenges, token: summary, causes: causes.ranked() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_messages() {
        assert_eq!(
            match_message("IDX10223: Lifetime validation failed. The token is expired.").map(|m| m.0),
            Some(CauseCode::Expired)
        );
        assert_eq!(match_message("The signature key was not found").map(|m| m.0), Some(CauseCode::UnknownKey));
        assert_eq!(match_message("The signature is invalid").map(|m| m.0), Some(CauseCode::BadSignature));
        assert_eq!(
            match_message("The token is not valid before '01/01/2030'").map(|m| m.0),
            Some(CauseCode::NotYetValid)
        );
        assert_eq!(match_message("The audience 'api://x' is invalid").map(|m| m.0), Some(CauseCode::AudienceMismatch));
        assert_eq!(match_message("Bad credentials").map(|m| m.0), Some(CauseCode::RevokedOrInactive));
        assert_eq!(
            match_message("An error occurred while attempting to decode the Jwt: Jwt expired at 2024-01-01T00:00:00Z")
                .map(|m| m.0),
            Some(CauseCode::Expired)
        );
        assert_eq!(match_message("Token verification failed"), None);
    }

    #[test]
    fn body_messages_from_json_and_html() {
        let m = body_messages(
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}"#,
        );
        assert!(m.iter().any(|s| s.contains("expired")), "{m:?}");
        let m = body_messages("<html><body><h1>401 Authorization Required</h1></body></html>");
        assert_eq!(m, vec!["401 Authorization Required".to_string()]);
    }
}
