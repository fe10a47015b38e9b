//! The ordered list of checks a token goes through, each a small function citing its spec section
//! and producing one `Check`; checking never stops at the first failure. Leaves the cryptography to
//! `signature` and key lookup to `jwks`: their outcome arrives here as a `SignatureOutcome`.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::decode::{Decoded, Format};
use crate::secret::Secret;
use crate::signature::{self, Alg};
use crate::times::{self, NumericDate};

/// The stable problem codes of the CLI contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Malformed,
    AlgNone,
    AlgNotAllowed,
    BadSignature,
    UnknownKey,
    Expired,
    NotYetValid,
    IssuedInFuture,
    IssuerMismatch,
    AudienceMismatch,
    MissingClaim,
    InsufficientScope,
    NonceMismatch,
    AtHashMismatch,
    AzpMismatch,
    CritUnsupported,
}

impl Problem {
    pub const ALL: [Problem; 16] = [
        Problem::Malformed,
        Problem::AlgNone,
        Problem::AlgNotAllowed,
        Problem::BadSignature,
        Problem::UnknownKey,
        Problem::Expired,
        Problem::NotYetValid,
        Problem::IssuedInFuture,
        Problem::IssuerMismatch,
        Problem::AudienceMismatch,
        Problem::MissingClaim,
        Problem::InsufficientScope,
        Problem::NonceMismatch,
        Problem::AtHashMismatch,
        Problem::AzpMismatch,
        Problem::CritUnsupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Malformed => "malformed",
            Problem::AlgNone => "alg_none",
            Problem::AlgNotAllowed => "alg_not_allowed",
            Problem::BadSignature => "bad_signature",
            Problem::UnknownKey => "unknown_key",
            Problem::Expired => "expired",
            Problem::NotYetValid => "not_yet_valid",
            Problem::IssuedInFuture => "issued_in_future",
            Problem::IssuerMismatch => "issuer_mismatch",
            Problem::AudienceMismatch => "audience_mismatch",
            Problem::MissingClaim => "missing_claim",
            Problem::InsufficientScope => "insufficient_scope",
            Problem::NonceMismatch => "nonce_mismatch",
            Problem::AtHashMismatch => "at_hash_mismatch",
            Problem::AzpMismatch => "azp_mismatch",
            Problem::CritUnsupported => "crit_unsupported",
        }
    }
}

/// The one check type of the product (shared with the engine's callback checks).
pub use inspector_engine::check::{Check, CheckStatus as Status};

impl Problem {
    /// The problem a failed check names by its code.
    pub fn from_code(code: &str) -> Option<Problem> {
        Problem::ALL.into_iter().find(|p| p.as_str() == code)
    }
}

/// A failed check naming its problem.
fn fail(id: &'static str, spec: &'static str, problem: Problem, message: impl Into<Cow<'static, str>>) -> Check {
    Check::fail(id, spec, problem.as_str(), message)
}

/// What the caller expects of the token.
#[derive(Clone, Debug)]
pub struct Options {
    pub expected_issuer: Option<String>,
    /// One match among the token's audiences is enough.
    pub audiences: Vec<String>,
    /// Each must appear, as a whole word, in `scope` or `scp`.
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub access_token: Option<Secret>,
    pub code: Option<Secret>,
    pub client_id: Option<String>,
    pub now: i64,
    pub leeway: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            expected_issuer: None,
            audiences: Vec::new(),
            scopes: Vec::new(),
            nonce: None,
            access_token: None,
            code: None,
            client_id: None,
            now: times::now(),
            leeway: 60,
        }
    }
}

/// Which kinds of key the caller supplied (decides the algorithms that make sense).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyKinds {
    pub secret: bool,
    pub jwks: bool,
}

/// The signature verification's result, computed before the checks run.
#[derive(Clone, Debug)]
pub enum SignatureOutcome {
    /// No key was given.
    NoKey,
    /// Not tried, for the reason given (another check explains why).
    NotAttempted(String),
    Verified(String),
    Failed {
        problem: Problem,
        message: String,
        expected: Option<String>,
        actual: Option<String>,
    },
    /// The keys could not be obtained (network, discovery, not a JWKS): what was wanted and what came.
    Unavailable {
        message: String,
        expected: String,
        actual: String,
    },
}

/// Which rule set applies on top of RFC 7519.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// A JWT with no profile.
    Jwt,
    /// An OpenID Connect ID token (a client id, nonce, access token or code was given).
    IdToken,
    /// An RFC 9068 access token (typ at+jwt).
    AccessToken,
}

pub fn profile(header: &Map<String, Value>, o: &Options) -> Profile {
    let typ = header.get("typ").and_then(Value::as_str).unwrap_or("");
    if typ.eq_ignore_ascii_case("at+jwt") || typ.eq_ignore_ascii_case("application/at+jwt") {
        Profile::AccessToken
    } else if o.client_id.is_some() || o.nonce.is_some() || o.access_token.is_some() || o.code.is_some() {
        Profile::IdToken
    } else {
        Profile::Jwt
    }
}

/// Runs every check, in order. `keys` says which kinds of key were supplied, `sig` how verification went.
pub fn run(d: &Decoded, o: &Options, keys: KeyKinds, sig: &SignatureOutcome) -> Vec<Check> {
    const FORMAT: &str = "RFC 7515 §7.1, RFC 7519 §7.2";
    let (h, c) = match (d.format, &d.header, &d.claims) {
        (Format::Jwt, Some(h), Some(c)) => (h, c),
        (Format::Jwe, ..) => {
            return vec![Check::skip(
                "format",
                "RFC 7516 §7.1",
                "encrypted token (JWE): only its protected header is readable; the claims need the recipient's key",
            )];
        }
        (Format::Malformed, ..) => {
            let why = d.notes.join("; ");
            return vec![
                fail("format", FORMAT, Problem::Malformed, format!("not a well-formed JWT: {why}"))
                    .with("three base64url segments, the first two JSON objects", why),
            ];
        }
        _ => {
            return vec![Check::skip(
                "format",
                "RFC 6749 §1.4",
                "opaque token: only its issuer can interpret it (token introspection, RFC 7662)",
            )];
        }
    };
    let p = profile(h, o);
    vec![
        check_format(d),
        check_crit(h),
        check_alg(h, keys),
        check_header_keys(h),
        check_signature(sig),
        check_claim_types(h, c),
        check_required(c, p),
        check_iss(c, o),
        check_aud(c, o, p),
        check_exp(c, o, p),
        check_nbf(c, o),
        check_iat(c, o),
        check_scope(c, o),
        check_nonce(c, o, p),
        check_hash("at_hash", "OIDC Core §3.1.3.8", h, c, o.access_token.as_ref(), "--access-token"),
        check_hash("c_hash", "OIDC Core §3.3.2.10", h, c, o.code.as_ref(), "--code"),
        check_azp(c, o, p),
    ]
}

// ---- claim access -------------------------------------------------------------------------------

enum Claim<T> {
    Absent,
    WrongType,
    Ok(T),
}

fn claim_str<'a>(c: &'a Map<String, Value>, name: &str) -> Claim<&'a str> {
    match c.get(name) {
        None => Claim::Absent,
        Some(Value::String(s)) => Claim::Ok(s),
        Some(_) => Claim::WrongType,
    }
}

/// A string or an array of strings (aud, scp).
fn claim_strs<'a>(c: &'a Map<String, Value>, name: &str) -> Claim<Vec<&'a str>> {
    match c.get(name) {
        None => Claim::Absent,
        Some(Value::String(s)) => Claim::Ok(vec![s.as_str()]),
        Some(Value::Array(a)) => {
            let v: Option<Vec<&str>> = a.iter().map(Value::as_str).collect();
            v.map_or(Claim::WrongType, Claim::Ok)
        }
        Some(_) => Claim::WrongType,
    }
}

fn claim_date(c: &Map<String, Value>, name: &str) -> Claim<NumericDate> {
    match c.get(name) {
        None => Claim::Absent,
        Some(v) => NumericDate::from_value(v).map_or(Claim::WrongType, Claim::Ok),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn alg_of(h: &Map<String, Value>) -> Option<Alg> {
    h.get("alg").and_then(Value::as_str).and_then(Alg::parse)
}

// ---- the checks, in order ----------------------------------------------------------------------

/// The JWS compact serialization has a decodable signature segment.
fn check_format(d: &Decoded) -> Check {
    const SPEC: &str = "RFC 7515 §7.1";
    match &d.signature {
        Some(s) => Check::pass("format", SPEC, format!("JWS compact serialization, {}-byte signature", s.len())),
        None => fail("format", SPEC, Problem::Malformed, "the signature segment is not base64url"),
    }
}

/// Unknown critical extensions make the token invalid; we implement none (so `b64` is unsupported).
fn check_crit(h: &Map<String, Value>) -> Check {
    const SPEC: &str = "RFC 7515 §4.1.11";
    let Some(crit) = h.get("crit") else {
        return Check::pass("crit", SPEC, "no critical header extensions");
    };
    let names: Option<Vec<&str>> = crit.as_array().and_then(|a| a.iter().map(Value::as_str).collect());
    match names {
        Some(n) if !n.is_empty() => fail(
            "crit",
            SPEC,
            Problem::CritUnsupported,
            format!("critical extension(s) not understood: {}", n.join(", ")),
        )
        .with("no extension we do not implement", n.join(", ")),
        _ => fail("crit", SPEC, Problem::Malformed, "crit must be a non-empty array of header names")
            .with("non-empty array of strings", crit.to_string()),
    }
}

/// The algorithm is one we accept, is not `none`, and fits the kind of key supplied.
fn check_alg(h: &Map<String, Value>, keys: KeyKinds) -> Check {
    const SPEC: &str = "RFC 7518 §3.1, RFC 8725 §3.1";
    let allowed = || signature::ALL.iter().map(|a| a.name()).collect::<Vec<_>>().join(" ");
    match h.get("alg") {
        None => fail("alg", "RFC 7515 §4.1.1", Problem::Malformed, "no alg in the header"),
        Some(Value::String(a)) if signature::is_none_alg(a) => fail(
            "alg",
            "RFC 7518 §3.6, RFC 8725 §3.2",
            Problem::AlgNone,
            format!("unsigned token (alg {a:?}): never valid"),
        )
        .with("a signature algorithm", a.clone()),
        Some(Value::String(a)) => match Alg::parse(a) {
            None => fail("alg", SPEC, Problem::AlgNotAllowed, format!("algorithm {a:?} is not accepted"))
                .with(allowed(), a.clone()),
            Some(alg) if alg.is_hmac() && keys.jwks && !keys.secret => fail(
                "alg",
                SPEC,
                Problem::AlgNotAllowed,
                format!(
                    "{} with a JWKS would use a public key as an HMAC secret (algorithm confusion); JWKS keys are never HMAC secrets",
                    alg.name()
                ),
            )
            .with("an asymmetric algorithm matching the JWKS keys", a.clone()),
            Some(alg) if !alg.is_hmac() && keys.secret && !keys.jwks => fail(
                "alg",
                SPEC,
                Problem::AlgNotAllowed,
                format!("{} needs a public key; the shared secret only verifies HS256/384/512", alg.name()),
            )
            .with("HS256, HS384 or HS512", a.clone()),
            Some(alg) => Check::pass("alg", SPEC, format!("{} is an accepted algorithm", alg.name())),
        },
        Some(other) => fail("alg", "RFC 7515 §4.1.1", Problem::Malformed, format!("alg is {}, not a string", type_name(other))),
    }
}

/// Keys named by the token itself are never fetched or trusted.
fn check_header_keys(h: &Map<String, Value>) -> Check {
    const SPEC: &str = "RFC 8725 §3.10, RFC 7515 §4.1.2-4.1.6";
    let present: Vec<&str> = ["jku", "jwk", "x5u", "x5c"].into_iter().filter(|k| h.contains_key(*k)).collect();
    if present.is_empty() {
        Check::pass("header_keys", SPEC, "the header names no key of its own")
    } else {
        Check::warn(
            "header_keys",
            SPEC,
            format!(
                "{} in the header: ignored (never fetched or trusted; an attacker can point them at their own key)",
                present.join(", ")
            ),
        )
    }
}

fn check_signature(sig: &SignatureOutcome) -> Check {
    const SPEC: &str = "RFC 7515 §5.2";
    match sig {
        SignatureOutcome::NoKey => Check::skip(
            "signature",
            SPEC,
            "not verified: no key given (--jwks, --issuer or --secret), so the token cannot be called valid",
        ),
        SignatureOutcome::NotAttempted(why) => Check::skip("signature", SPEC, format!("not verified: {why}")),
        SignatureOutcome::Unavailable { message, expected, actual } => {
            Check::skip("signature", SPEC, format!("not verified: keys unavailable: {message}"))
                .with(expected.clone(), actual.clone())
        }
        SignatureOutcome::Verified(how) => Check::pass("signature", SPEC, how.clone()),
        SignatureOutcome::Failed { problem, message, expected, actual } => {
            let mut c = fail("signature", SPEC, *problem, message.clone());
            c.expected = expected.clone();
            c.actual = actual.clone();
            c
        }
    }
}

/// Registered claims and header parameters have the JSON types their specs give them.
fn check_claim_types(h: &Map<String, Value>, c: &Map<String, Value>) -> Check {
    const SPEC: &str = "RFC 7519 §4.1, OIDC Core §2, RFC 9068 §2.2";
    let mut wrong = Vec::new();
    for (name, v) in c {
        let n = name.as_str();
        let ok = match n {
            "iss" | "sub" | "jti" | "azp" | "nonce" | "at_hash" | "c_hash" | "client_id" | "scope" | "sid" | "acr" => {
                v.is_string()
            }
            "aud" | "scp" => !matches!(claim_strs(c, n), Claim::WrongType),
            "exp" | "nbf" | "iat" | "auth_time" => NumericDate::from_value(v).is_some(),
            "amr" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            _ => true,
        };
        if !ok {
            wrong.push(format!("{n} is {}", type_name(v)));
        }
    }
    for n in ["kid", "typ", "cty"] {
        if let Some(v) = h.get(n)
            && !v.is_string()
        {
            wrong.push(format!("header {n} is {}", type_name(v)));
        }
    }
    if wrong.is_empty() {
        Check::pass("claim_types", SPEC, "registered claims have the right JSON types")
    } else {
        fail("claim_types", SPEC, Problem::Malformed, format!("wrongly typed: {}", wrong.join("; "))).with(
            "iss/sub/jti/nonce…: string; aud/scp: string or array of strings; exp/nbf/iat: number",
            wrong.join("; "),
        )
    }
}

fn check_required(c: &Map<String, Value>, p: Profile) -> Check {
    let (spec, required): (&'static str, &[&str]) = match p {
        Profile::Jwt => return Check::skip("required_claims", "RFC 7519 §4.1", "plain JWT: no claim is required"),
        Profile::IdToken => ("OIDC Core §2", &["iss", "sub", "aud", "exp", "iat"]),
        Profile::AccessToken => ("RFC 9068 §2.2", &["iss", "exp", "aud", "sub", "client_id", "iat", "jti"]),
    };
    let what = if p == Profile::IdToken { "ID token" } else { "at+jwt access token" };
    let missing: Vec<&str> = required.iter().copied().filter(|n| !c.contains_key(*n)).collect();
    if missing.is_empty() {
        Check::pass("required_claims", spec, format!("{what}: all of {} present", required.join(" ")))
    } else {
        fail("required_claims", spec, Problem::MissingClaim, format!("{what} lacks {}", missing.join(", ")))
            .with(required.join(" "), format!("missing: {}", missing.join(" ")))
    }
}

fn check_iss(c: &Map<String, Value>, o: &Options) -> Check {
    const SPEC: &str = "RFC 7519 §4.1.1, OIDC Core §3.1.3.7 step 2";
    let Some(want) = &o.expected_issuer else {
        return Check::skip("iss", SPEC, "no expected issuer given (--expect-issuer or --issuer)");
    };
    match claim_str(c, "iss") {
        Claim::Absent => fail("iss", SPEC, Problem::MissingClaim, "no iss claim").with(want.clone(), "(absent)"),
        Claim::WrongType => Check::skip("iss", SPEC, "iss is not a string (see claim_types)"),
        Claim::Ok(iss) if iss == want => Check::pass("iss", SPEC, format!("issued by {iss}")),
        Claim::Ok(iss) => {
            let hint = if iss.trim_end_matches('/') == want.trim_end_matches('/') {
                " (differs only by a trailing slash)"
            } else {
                ""
            };
            fail("iss", SPEC, Problem::IssuerMismatch, format!("issuer is not the expected one{hint}"))
                .with(want.clone(), iss)
        }
    }
}

fn check_aud(c: &Map<String, Value>, o: &Options, p: Profile) -> Check {
    const SPEC: &str = "RFC 7519 §4.1.3, OIDC Core §3.1.3.7 step 3";
    let client = if p == Profile::IdToken { o.client_id.as_deref() } else { None };
    if o.audiences.is_empty() && client.is_none() {
        return Check::skip("aud", SPEC, "no expected audience given (--audience)");
    }
    let mut expected = o.audiences.join(" | ");
    if let Some(id) = client {
        expected.push_str(if expected.is_empty() { "" } else { " | " });
        expected.push_str(id);
        expected.push_str(" (client id)");
    }
    let auds = match claim_strs(c, "aud") {
        Claim::Absent => {
            return fail("aud", SPEC, Problem::MissingClaim, "no aud claim").with(expected, "(absent)");
        }
        Claim::WrongType => {
            return Check::skip("aud", SPEC, "aud is not a string or array of strings (see claim_types)");
        }
        Claim::Ok(a) => a,
    };
    let actual = auds.join(" ");
    let any_audience = o.audiences.is_empty() || o.audiences.iter().any(|a| auds.contains(&a.as_str()));
    let has_client = client.is_none_or(|id| auds.contains(&id));
    match (any_audience, has_client) {
        (true, true) => Check::pass("aud", SPEC, format!("audience {actual} matches")).with(expected, actual),
        (false, _) => fail("aud", SPEC, Problem::AudienceMismatch, "none of the token's audiences is expected")
            .with(expected, actual),
        (true, false) => {
            fail("aud", SPEC, Problem::AudienceMismatch, "the client id is not among the ID token's audiences")
                .with(expected, actual)
        }
    }
}

fn check_exp(c: &Map<String, Value>, o: &Options, p: Profile) -> Check {
    const SPEC: &str = "RFC 7519 §4.1.4";
    match claim_date(c, "exp") {
        Claim::Absent if p == Profile::Jwt => Check::warn("exp", SPEC, "no exp: the token never expires"),
        Claim::Absent => Check::skip("exp", SPEC, "no exp (required; see required_claims)"),
        Claim::WrongType => Check::skip("exp", SPEC, "exp is not a number (see claim_types)"),
        Claim::Ok(exp) => {
            let limit = o.now as i128 - o.leeway as i128;
            let text = times::describe("exp", exp, o.now);
            if exp.cmp_secs(limit).is_lt() {
                fail("exp", SPEC, Problem::Expired, text)
                    .with(format!("now ({}) ≤ exp + {} s leeway", o.now, o.leeway), format!("exp {}", fmt_num(exp)))
            } else {
                Check::pass("exp", SPEC, text)
            }
        }
    }
}

fn check_nbf(c: &Map<String, Value>, o: &Options) -> Check {
    const SPEC: &str = "RFC 7519 §4.1.5";
    match claim_date(c, "nbf") {
        Claim::Absent => Check::skip("nbf", SPEC, "no nbf"),
        Claim::WrongType => Check::skip("nbf", SPEC, "nbf is not a number (see claim_types)"),
        Claim::Ok(nbf) => {
            let limit = o.now as i128 + o.leeway as i128;
            let text = times::describe("nbf", nbf, o.now);
            if nbf.cmp_secs(limit).is_gt() {
                fail("nbf", SPEC, Problem::NotYetValid, format!("not yet valid: {text}"))
                    .with(format!("nbf ≤ now ({}) + {} s leeway", o.now, o.leeway), format!("nbf {}", fmt_num(nbf)))
            } else {
                Check::pass("nbf", SPEC, text)
            }
        }
    }
}

fn check_iat(c: &Map<String, Value>, o: &Options) -> Check {
    const SPEC: &str = "RFC 7519 §4.1.6, OIDC Core §3.1.3.7 step 10";
    match claim_date(c, "iat") {
        Claim::Absent => Check::skip("iat", SPEC, "no iat"),
        Claim::WrongType => Check::skip("iat", SPEC, "iat is not a number (see claim_types)"),
        Claim::Ok(iat) => {
            let limit = o.now as i128 + o.leeway as i128;
            let text = times::describe("iat", iat, o.now);
            if iat.cmp_secs(limit).is_gt() {
                fail("iat", SPEC, Problem::IssuedInFuture, text)
                    .with(format!("iat ≤ now ({}) + {} s leeway", o.now, o.leeway), format!("iat {}", fmt_num(iat)))
            } else {
                Check::pass("iat", SPEC, text)
            }
        }
    }
}

/// Required scopes, each as a whole word of `scope` (space-separated) or `scp` (array or string).
fn check_scope(c: &Map<String, Value>, o: &Options) -> Check {
    const SPEC: &str = "RFC 9068 §2.2.3, RFC 8693 §4.2, RFC 6749 §3.3";
    let required: Vec<&str> = o.scopes.iter().flat_map(|s| s.split_whitespace()).collect();
    if required.is_empty() {
        return Check::skip("scope", SPEC, "no required scope given (--scope)");
    }
    let mut granted: Vec<&str> = Vec::new();
    let mut present = false;
    if let Claim::Ok(s) = claim_str(c, "scope") {
        present = true;
        granted.extend(s.split_whitespace());
    }
    if let Claim::Ok(v) = claim_strs(c, "scp") {
        present = true;
        granted.extend(v.iter().flat_map(|s| s.split_whitespace()));
    }
    let missing: Vec<&str> = required.iter().copied().filter(|r| !granted.contains(r)).collect();
    let expected = required.join(" ");
    if !present {
        fail("scope", SPEC, Problem::InsufficientScope, "the token has no scope or scp claim")
            .with(expected, "(absent)")
    } else if missing.is_empty() {
        Check::pass("scope", SPEC, format!("grants {expected}")).with(expected, granted.join(" "))
    } else {
        fail("scope", SPEC, Problem::InsufficientScope, format!("missing scope(s): {}", missing.join(" ")))
            .with(expected, granted.join(" "))
    }
}

fn check_nonce(c: &Map<String, Value>, o: &Options, p: Profile) -> Check {
    const SPEC: &str = "OIDC Core §3.1.3.7 step 11";
    match (&o.nonce, claim_str(c, "nonce")) {
        (None, Claim::Absent) => Check::skip("nonce", SPEC, "no nonce sent or received"),
        (None, _) if p == Profile::IdToken => {
            Check::warn("nonce", SPEC, "the token carries a nonce but none was given (--nonce): not checked")
        }
        (None, _) => Check::skip("nonce", SPEC, "no nonce given (--nonce)"),
        (Some(want), Claim::Absent) => {
            fail("nonce", SPEC, Problem::MissingClaim, "a nonce was sent but the token has none")
                .with(want.clone(), "(absent)")
        }
        (Some(_), Claim::WrongType) => Check::skip("nonce", SPEC, "nonce is not a string (see claim_types)"),
        (Some(want), Claim::Ok(got)) if signature::ct_eq(want.as_bytes(), got.as_bytes()) => {
            Check::pass("nonce", SPEC, "nonce matches the one sent")
        }
        (Some(want), Claim::Ok(got)) => {
            fail("nonce", SPEC, Problem::NonceMismatch, "nonce differs from the one sent (replay?)")
                .with(want.clone(), got)
        }
    }
}

/// at_hash / c_hash: the left half of the hash of the access token / code (OIDC Core §3.1.3.6).
/// A c_hash mismatch is reported as `at_hash_mismatch`: the contract has one code for both.
fn check_hash(
    id: &'static str,
    spec: &'static str,
    h: &Map<String, Value>,
    c: &Map<String, Value>,
    value: Option<&Secret>,
    flag: &str,
) -> Check {
    let what = if id == "at_hash" { "access token" } else { "authorization code" };
    let Some(value) = value else {
        // Static texts: this is the common path, taken twice per token.
        let message = match (id, c.contains_key(id)) {
            ("at_hash", true) => "at_hash present; give --access-token to check it",
            ("at_hash", false) => "no access token given (--access-token)",
            (_, true) => "c_hash present; give --code to check it",
            (_, false) => "no authorization code given (--code)",
        };
        debug_assert!(message.contains(flag));
        return Check::skip(id, spec, message);
    };
    let Some(alg) = alg_of(h) else {
        return Check::skip(id, spec, format!("cannot compute {id} without a supported alg"));
    };
    let computed = signature::oidc_half_hash(alg, value.expose());
    match claim_str(c, id) {
        Claim::Absent => Check::warn(id, spec, format!("no {id} claim: the {what} is not bound to this ID token")),
        Claim::WrongType => Check::skip(id, spec, format!("{id} is not a string (see claim_types)")),
        Claim::Ok(got) if signature::ct_eq(got.as_bytes(), computed.as_bytes()) => {
            Check::pass(id, spec, format!("{id} matches the {what}"))
        }
        Claim::Ok(got) => {
            fail(id, spec, Problem::AtHashMismatch, format!("{id} does not match the {what} given")).with(computed, got)
        }
    }
}

fn check_azp(c: &Map<String, Value>, o: &Options, p: Profile) -> Check {
    const SPEC: &str = "OIDC Core §3.1.3.7 steps 4-5";
    if p != Profile::IdToken {
        return Check::skip("azp", SPEC, "not checked outside ID tokens");
    }
    let several_auds = matches!(claim_strs(c, "aud"), Claim::Ok(a) if a.len() > 1);
    match (claim_str(c, "azp"), &o.client_id) {
        (Claim::WrongType, _) => Check::skip("azp", SPEC, "azp is not a string (see claim_types)"),
        (Claim::Ok(azp), Some(id)) if azp == id => Check::pass("azp", SPEC, "azp is the client id"),
        (Claim::Ok(azp), Some(id)) => {
            fail("azp", SPEC, Problem::AzpMismatch, "azp is not the client id: the token was issued to another client")
                .with(id.clone(), azp)
        }
        (Claim::Ok(_), None) => Check::skip("azp", SPEC, "azp present; give --client-id to check it"),
        (Claim::Absent, _) if several_auds => {
            Check::warn("azp", SPEC, "several audiences and no azp: which client was this issued to?")
        }
        (Claim::Absent, _) => Check::skip("azp", SPEC, "no azp (single audience)"),
    }
}

fn fmt_num(d: NumericDate) -> String {
    match d {
        NumericDate::Int(i) => i.to_string(),
        NumericDate::Float(f) => format!("{f}"),
    }
}

/// Problem codes of the failed checks, in check order, without repeats.
pub fn problems(checks: &[Check]) -> Vec<Problem> {
    let mut out = Vec::new();
    for c in checks {
        if let Some(p) = c.problem.and_then(Problem::from_code)
            && c.status == Status::Fail
            && !out.contains(&p)
        {
            out.push(p);
        }
    }
    out
}
