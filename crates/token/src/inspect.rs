//! One call from a token string to a `Report`: decode, obtain the keys, verify the signature, run
//! the checks, annotate claims for people. Leaves rendering to `report` and argument handling to `cli`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::checks::{self, Check, KeyKinds, Options, Problem, Profile, SignatureOutcome, Status};
use crate::claims;
use crate::decode::{self, Decoded, Format};
use crate::error::Error;
use crate::jwks::{Fetched, Jwk, JwksFetcher, JwksSource};
use crate::paste::{self, PasteMistake};
use crate::secret::Secret;
use crate::signature::{self, Alg, VerifyError};
use crate::times::{self, NumericDate};

/// The keys the caller supplied. With both, HS* tokens use the secret and others the JWKS.
#[derive(Clone, Debug, Default)]
pub struct KeySource {
    pub jwks: Option<JwksSource>,
    pub secret: Option<Secret>,
}

impl KeySource {
    pub fn kinds(&self) -> KeyKinds {
        KeyKinds { secret: self.secret.is_some(), jwks: self.jwks.is_some() }
    }
}

/// A header parameter or claim with its meaning and, for dates, a human reading.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct Annotation {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct SignatureInfo {
    pub bytes: usize,
    pub hex: String,
}

/// The JSON contract of `token inspect --json`, plus a few informative extras.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct Report {
    pub format: Format,
    /// True for JWE: the header is the protected header, the claims are unreadable.
    pub encrypted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    pub header: Value,
    pub claims: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureInfo>,
    pub valid: bool,
    /// Paste mistakes removed before checking (quotes, whitespace, line breaks, `Bearer `); the
    /// `paste` check says what they were. The other checks and `valid` are of the cleaned token.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paste: Vec<PasteMistake>,
    pub checks: Vec<Check>,
    pub problems: Vec<Problem>,
    pub header_info: Vec<Annotation>,
    pub claim_info: Vec<Annotation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Inspects `token`. Errors only for keys the user pointed at that cannot be read (a JWKS file),
/// and for a token that is nothing but paste mistakes (`""`); keys that cannot be fetched make the
/// signature check `skip` instead.
///
/// A token pasted with quotes, whitespace, line breaks or a leading `Bearer ` is cleaned and then
/// checked, with a `paste` warning first: refusing it would hide the rest of the report, and the
/// removed characters can never belong to a token, so the cleaned one is the one the user meant.
pub async fn inspect(token: &str, keys: &KeySource, opts: &Options, fetcher: &JwksFetcher) -> Result<Report, Error> {
    let pasted = paste::clean(token);
    if pasted.token.is_empty() && !pasted.mistakes.is_empty() {
        return Err(Error::Usage(format!(
            "the token is empty once the paste mistakes around it are removed ({})",
            pasted.describe()
        )));
    }
    let mut d = decode::decode(&pasted.token);
    let mut notes = std::mem::take(&mut d.notes);
    let sig = signature_outcome(&d, keys, fetcher, &mut notes).await?;
    if d.format == Format::Malformed {
        d.notes.clone_from(&notes); // the format check quotes why
    }
    let mut checks = checks::run(&d, opts, keys.kinds(), &sig);
    if let Some(c) = paste_check(&pasted) {
        checks.insert(0, c);
    }
    let problems = checks::problems(&checks);
    let sig_ok = checks.iter().any(|c| c.id == "signature" && c.status == Status::Pass);
    let valid = d.format == Format::Jwt && problems.is_empty() && sig_ok;
    let empty = Map::new();
    let header = d.header.as_ref().unwrap_or(&empty);
    let claims_map = d.claims.as_ref().unwrap_or(&empty);
    let profile = (d.format == Format::Jwt).then(|| checks::profile(header, opts));
    let header_info = header
        .keys()
        .map(|k| {
            let m = claims::header_meaning(k);
            Annotation { name: k.clone(), meaning: m.map(|m| m.0), spec: m.map(|m| m.1), time: None }
        })
        .collect();
    let claim_info = claims_map
        .iter()
        .map(|(k, v)| {
            let m = claims::claim_meaning(k);
            // A passed exp/nbf/iat check's message is this very phrase: reuse it, don't format again.
            let time = match checks
                .iter()
                .find(|c| c.id == k && c.status == Status::Pass && matches!(c.id, "exp" | "nbf" | "iat"))
            {
                Some(c) => Some(c.message.to_string()),
                None => claims::TIME_CLAIMS
                    .contains(&k.as_str())
                    .then(|| NumericDate::from_value(v).map(|t| times::describe(k, t, opts.now)))
                    .flatten(),
            };
            debug_assert!(
                time.is_none() || time == NumericDate::from_value(v).map(|t| times::describe(k, t, opts.now))
            );
            Annotation { name: k.clone(), meaning: m.map(|m| m.0), spec: m.map(|m| m.1), time }
        })
        .collect();
    Ok(Report {
        format: d.format,
        encrypted: d.format == Format::Jwe,
        profile,
        header: d.header.map(Value::Object).unwrap_or(Value::Null),
        claims: d.claims.map(Value::Object).unwrap_or(Value::Null),
        signature: d.signature.as_ref().map(|s| SignatureInfo { bytes: s.len(), hex: hex(s) }),
        valid,
        paste: pasted.kinds(),
        checks,
        problems,
        header_info,
        claim_info,
        notes,
    })
}

/// The warning for a pasted token's mistakes; `None` for a clean paste.
fn paste_check(pasted: &paste::Cleaned) -> Option<Check> {
    if pasted.mistakes.is_empty() {
        return None;
    }
    let kinds = pasted.kinds();
    let fix = match kinds.as_slice() {
        [PasteMistake::LineBreaks] => "paste it as one line",
        k if k.contains(&PasteMistake::LineBreaks) => "paste only the token, on one line",
        _ => "paste only the token",
    };
    let what = pasted.describe();
    Some(Check {
        id: "paste",
        status: Status::Warn,
        message: format!("token pasted with {what} — {fix}; the checks below are of the token without them").into(),
        expected: Some("the token alone, on one line: no quotes, spaces or 'Bearer ' prefix".into()),
        actual: Some(what),
        spec: "RFC 6750 §2.1",
        problem: None,
    })
}

fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let bytes: Vec<u8> = b.iter().flat_map(|x| [DIGITS[(x >> 4) as usize], DIGITS[(x & 15) as usize]]).collect();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Finds the key(s) and verifies; every way this can end is a `SignatureOutcome`.
async fn signature_outcome(
    d: &Decoded,
    keys: &KeySource,
    fetcher: &JwksFetcher,
    notes: &mut Vec<String>,
) -> Result<SignatureOutcome, Error> {
    let (Format::Jwt, Some(h)) = (d.format, &d.header) else {
        return Ok(SignatureOutcome::NotAttempted("not a JWS".into()));
    };
    let Some(alg_name) = h.get("alg").and_then(Value::as_str) else {
        return Ok(SignatureOutcome::NotAttempted("no usable alg (see alg)".into()));
    };
    if signature::is_none_alg(alg_name) {
        return Ok(SignatureOutcome::NotAttempted("unsigned token (see alg)".into()));
    }
    let Some(alg) = Alg::parse(alg_name) else {
        return Ok(SignatureOutcome::NotAttempted("algorithm not accepted (see alg)".into()));
    };
    let Some(sig) = &d.signature else {
        return Ok(SignatureOutcome::NotAttempted("the signature segment is not base64url (see format)".into()));
    };
    let msg = d.signing_input.as_bytes();
    if alg.is_hmac() {
        return Ok(match (&keys.secret, &keys.jwks) {
            (Some(secret), _) => {
                if secret.len() < alg.oidc_hash().output_len() {
                    notes.push(format!(
                        "the secret is shorter than {} bytes, below RFC 7518 §3.2's minimum for {}",
                        alg.oidc_hash().output_len(),
                        alg.name()
                    ));
                }
                match signature::verify_hmac(alg, secret, msg, sig) {
                    Ok(()) => {
                        SignatureOutcome::Verified(format!("{} signature verified with the shared secret", alg.name()))
                    }
                    Err(_) => failed(
                        Problem::BadSignature,
                        format!("{} signature does not verify with the shared secret", alg.name()),
                    ),
                }
            }
            (None, Some(_)) => {
                SignatureOutcome::NotAttempted("JWKS keys are never used as HMAC secrets (see alg)".into())
            }
            (None, None) => SignatureOutcome::NoKey,
        });
    }
    let Some(source) = &keys.jwks else {
        return Ok(if keys.secret.is_some() {
            SignatureOutcome::NotAttempted("a shared secret cannot verify an asymmetric signature (see alg)".into())
        } else {
            SignatureOutcome::NoKey
        });
    };
    let kid = h.get("kid").and_then(Value::as_str);
    let first = match fetcher.load(source).await {
        Ok(f) => f,
        Err(e @ (Error::Read { .. } | Error::Jwks { .. })) if matches!(source, JwksSource::File(_)) => return Err(e),
        Err(e) => {
            let actual = match &e {
                Error::Fetch { reason, .. } | Error::Jwks { reason, .. } => reason.clone(),
                other => other.to_string(),
            };
            return Ok(SignatureOutcome::Unavailable {
                message: e.to_string(),
                expected: "a JWK Set: a JSON object with a `keys` array (RFC 7517 §5), answered in time".into(),
                actual,
            });
        }
    };
    let mut outcome = try_keys(alg, kid, &first, msg, sig);
    if matches!(&outcome, SignatureOutcome::Failed { problem: Problem::UnknownKey, .. })
        && !first.fresh
        && let Some(again) = fetcher.refetch(source, &first.origin).await
    {
        match again {
            Ok(f) => {
                notes.push(format!("key not in the cached JWKS: fetched {} again (key rotation)", f.origin));
                outcome = try_keys(alg, kid, &f, msg, sig);
            }
            Err(e) => notes.push(format!("refetching the JWKS after an unknown key failed: {e}")),
        }
    }
    Ok(outcome)
}

fn failed(problem: Problem, message: String) -> SignatureOutcome {
    SignatureOutcome::Failed { problem, message, expected: None, actual: None }
}

/// Tries the key(s) of `set` that may verify `alg`: the kid's key, or without a kid every key of a
/// fitting type.
fn try_keys(alg: Alg, kid: Option<&str>, f: &Fetched, msg: &[u8], sig: &[u8]) -> SignatureOutcome {
    let candidates = || f.set.keys.iter().filter(move |j| kid.is_none() || j.kid.as_deref() == kid);
    if let Some(k) = kid
        && candidates().next().is_none()
    {
        let known: Vec<&str> = f.set.keys.iter().filter_map(|k| k.kid.as_deref()).collect();
        return SignatureOutcome::Failed {
            problem: Problem::UnknownKey,
            message: format!("kid {k:?} is not in the JWKS from {}", f.origin),
            expected: Some(if known.is_empty() { "(no kids in the JWKS)".into() } else { known.join(" ") }),
            actual: Some(k.to_string()),
        };
    }
    // The common case, one key that verifies, allocates nothing but the message.
    let mut tried = 0;
    let mut bad_keys = Vec::new();
    for j in candidates().filter(|j| signature::key_fits(alg, j).is_ok()) {
        tried += 1;
        match signature::verify_jwk(alg, j, msg, sig) {
            Ok(()) => {
                let crv = j.crv.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
                let kid = j.kid.as_deref().map(|k| format!("kid {k:?}")).unwrap_or_else(|| "no kid".into());
                return SignatureOutcome::Verified(format!(
                    "{} signature verified with {}{crv} key, {kid}, from {}",
                    alg.name(),
                    j.kty,
                    f.origin
                ));
            }
            Err(VerifyError::BadKey(why)) => bad_keys.push(format!("{}: {why}", j.describe())),
            Err(VerifyError::Invalid) => {}
        }
    }
    if tried == 0 {
        return match kid {
            Some(k) => {
                let first = candidates().next().expect("checked above");
                let why = signature::key_fits(alg, first).err().unwrap_or_default();
                SignatureOutcome::Failed {
                    problem: Problem::AlgNotAllowed,
                    message: format!("key {k:?} cannot verify {}: {why}", alg.name()),
                    expected: Some(alg.key_kind().into()),
                    actual: Some(first.describe()),
                }
            }
            None => SignatureOutcome::Failed {
                problem: Problem::UnknownKey,
                message: format!(
                    "no key in the JWKS from {} can verify {} (and the token has no kid)",
                    f.origin,
                    alg.name()
                ),
                expected: Some(alg.key_kind().into()),
                actual: Some(f.set.keys.iter().map(Jwk::describe).collect::<Vec<_>>().join("; ")),
            },
        };
    }
    let mut message =
        format!("{} signature does not verify with {tried} candidate key(s) from {}", alg.name(), f.origin);
    if !bad_keys.is_empty() {
        message.push_str(&format!(" (unusable: {})", bad_keys.join("; ")));
    }
    failed(Problem::BadSignature, message)
}
