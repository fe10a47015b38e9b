//! The provider audit, from discovery alone (passive): the provider's metadata and key set,
//! fetched through the engine's one sender as steps of a session of their own (flow
//! `audit_provider`), judged against the OAuth Security BCP (RFC 9700), RFC 8414, RFC 9207 and
//! OIDC. Each finding is a `Check` with a severity and the steps that show it. With the user's
//! consent (`active`) the active probes run too (audit_active.rs); without it they are listed as
//! `skip`, saying so.

use std::sync::Arc;
use std::time::Duration;

use inspector_engine::check::{Check, CheckStatus};
use inspector_engine::client_auth::{AuthMethod, ClientConfig};
use inspector_engine::discovery::ProviderSource;
use inspector_engine::http::HttpClient;
use inspector_engine::{ErrorCode, FlowError};
use inspector_store::NewSession;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::AppError;
use crate::host::Host;
use crate::{Core, Login};

/// The flow name audit sessions are saved under.
pub const FLOW: &str = "audit_provider";

/// What to audit. Passive (discovery and keys) unless `active`: then the audit also sends
/// authorization and token requests as `client_id` (a public client unless a secret is given),
/// and asks the user to sign in through the same action events as the authorization code flow.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
#[ts(optional_fields)]
pub struct AuditRequest {
    pub issuer: String,
    pub timeout_secs: Option<u64>,
    /// The user consents to active probes (requests that try what a weak provider allows).
    pub active: bool,
    pub client_id: Option<String>,
    #[ts(type = "string")]
    pub client_secret: Option<inspector_engine::Secret>,
    /// A registered redirect URI (default: a loopback one, `http://127.0.0.1:PORT/callback`).
    pub redirect_uri: Option<String>,
    /// Scopes to ask for (default `openid offline_access`, so refresh rotation can be probed).
    pub scope: Option<String>,
    pub login: Login,
    pub login_timeout_secs: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    High,
    Medium,
    Low,
    Info,
}

/// One finding: the shared check (id, pass/fail/warn/skip, expected, actual, explanation as its
/// message, spec), how much it matters, and the steps that show it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Finding {
    #[serde(flatten)]
    pub check: Check,
    pub severity: Severity,
    pub steps: Vec<u32>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AuditReport {
    pub session_id: Option<i64>,
    pub issuer: String,
    /// Whether the active probes were run (else they are listed as skipped).
    pub active: bool,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_error: Option<String>,
}

impl AuditReport {
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.check.status == CheckStatus::Fail)
    }
}

pub(crate) fn finding(check: Check, severity: Severity, steps: &[u32]) -> Finding {
    Finding { check, severity, steps: steps.to_vec() }
}

impl Core {
    /// Audits the provider at `req.issuer` from its metadata and keys; every request a step of a
    /// saved `audit_provider` session.
    pub async fn audit(&self, req: AuditRequest, host: Arc<dyn Host>) -> Result<AuditReport, AppError> {
        let issuer = req.issuer.trim().trim_end_matches('/').to_string();
        match url::Url::parse(&issuer) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => {
                return Err(AppError::usage(
                    "invalid_input",
                    format!("expected the provider's issuer URL (https://idp.example.com), got {:?}", req.issuer),
                ));
            }
        }
        let probed = req.active;
        let active = if req.active {
            let client_id = req.client_id.as_deref().map(str::trim).filter(|c| !c.is_empty()).ok_or_else(|| {
                AppError::usage("invalid_input", "active probes act as a client: expected a client id, got none")
            })?;
            let auth_method =
                if req.client_secret.is_some() { AuthMethod::ClientSecretBasic } else { AuthMethod::None };
            Some(ActiveSettings {
                client: ClientConfig {
                    client_id: client_id.to_string(),
                    client_secret: req.client_secret.clone(),
                    auth_method,
                    private_key: None,
                },
                redirect_uri: req.redirect_uri.clone().filter(|r| !r.trim().is_empty()),
                scope: req
                    .scope
                    .clone()
                    .filter(|s| !s.trim().is_empty())
                    .unwrap_or_else(|| "openid offline_access".into()),
                login: req.login,
                login_timeout: Duration::from_secs(req.login_timeout_secs.unwrap_or(300)),
                host: host.clone(),
            })
        } else {
            None
        };
        let source = ProviderSource::Issuer { issuer: issuer.clone() };
        let new = NewSession::for_flow(FLOW, &source, "", &serde_json::json!({"provider": source}));
        let http = HttpClient::new(Duration::from_secs(req.timeout_secs.unwrap_or(15)));
        let done = self
            .recorded(&new, &host, req.login, async |rec| {
                crate::run::until_cancelled(host.as_ref(), audit(&http, rec, &issuer, active)).await
            })
            .await?;
        Ok(AuditReport {
            session_id: done.session_id,
            issuer,
            active: probed,
            findings: done.value,
            store_error: done.store_error,
        })
    }
}

/// GETs a JSON document as a step; its number and the parsed object (or why not).
async fn fetch(
    http: &HttpClient,
    rec: &inspector_engine::Recorder,
    title: &str,
    url: &str,
) -> (u32, Result<Map<String, Value>, FlowError>) {
    let ex = http.send(rec, HttpClient::get(url), &mut Vec::new()).await;
    let parsed = match &ex.response {
        Ok(r) if r.status == 200 => inspector_engine::http::json_object(r, title),
        Ok(r) => Err(FlowError::new(
            ErrorCode::UnexpectedStatus,
            format!("{title}: expected HTTP 200 with JSON, got {}", inspector_engine::http::describe(r)),
        )),
        Err(e) => Err(e.clone()),
    };
    let seq = rec.http(format!("{title}: GET {url}"), &ex, vec![], parsed.as_ref().map(|_| ()));
    (seq, parsed)
}

/// What the active probes need besides the metadata.
struct ActiveSettings {
    client: ClientConfig,
    redirect_uri: Option<String>,
    scope: String,
    login: Login,
    login_timeout: Duration,
    host: Arc<dyn Host>,
}

async fn audit(
    http: &HttpClient,
    rec: &inspector_engine::Recorder,
    issuer: &str,
    active: Option<ActiveSettings>,
) -> Result<Vec<Finding>, FlowError> {
    let oidc = format!("{issuer}/.well-known/openid-configuration");
    let (mut doc_step, mut doc) = fetch(http, rec, "Provider metadata (OpenID discovery)", &oidc).await;
    if doc.is_err() {
        let rfc8414 = format!("{issuer}/.well-known/oauth-authorization-server");
        (doc_step, doc) = fetch(http, rec, "Provider metadata (RFC 8414)", &rfc8414).await;
    }
    let doc = doc?;
    let d = &[doc_step];
    let strings = |k: &str| -> Option<Vec<String>> {
        doc.get(k)?.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
    };
    let mut out = Vec::new();

    // Discovery's issuer must be the URL asked for (OIDC Discovery §4.3, RFC 8414 §3.3): else mix-up.
    let got = doc.get("issuer").and_then(Value::as_str).unwrap_or("(none)");
    let same = got.trim_end_matches('/') == issuer;
    let c = if same {
        Check::pass("issuer-matches", "RFC 8414 §3.3, OIDC Discovery §4.3", "the metadata names the issuer asked for")
    } else {
        Check::fail(
            "issuer-matches",
            "RFC 8414 §3.3, OIDC Discovery §4.3",
            "issuer_mismatch",
            "the metadata names another issuer: a client trusting it is open to mix-up",
        )
    };
    out.push(finding(c.with(issuer, got), Severity::High, d));

    // TLS on every endpoint (RFC 6749 §3.1, §3.2; RFC 9700 §2.6); loopback is noted, not failed.
    let mut plain = Vec::new();
    let mut loopback = Vec::new();
    for (k, v) in doc.iter() {
        let Some(u) = v.as_str().filter(|_| k == "issuer" || k == "jwks_uri" || k.ends_with("_endpoint")) else {
            continue;
        };
        if u.starts_with("http://") {
            if crate::probe::is_loopback(u) { loopback.push(k.clone()) } else { plain.push(format!("{k} {u}")) }
        }
    }
    let spec = "RFC 6749 §3.1, §3.2; RFC 9700 §2.6";
    let c = if !plain.is_empty() {
        Check::fail(
            "https-endpoints",
            spec,
            "plain_http",
            "endpoints over plain http: tokens, codes and credentials travel in the clear",
        )
        .with("https on every endpoint", plain.join(", "))
    } else if !loopback.is_empty() {
        Check::pass(
            "https-endpoints",
            spec,
            format!("http only on loopback ({}): fine for development on this machine", loopback.join(", ")),
        )
        .with("https on every endpoint (loopback may be http)", "loopback http")
    } else {
        Check::pass("https-endpoints", spec, "every endpoint is https").with("https on every endpoint", "https")
    };
    out.push(finding(c, Severity::High, d));

    // PKCE: S256 advertised (RFC 9700 §2.1.1, RFC 7636 §4.2), plain not offered.
    let methods = strings("code_challenge_methods_supported");
    let spec = "RFC 9700 §2.1.1, RFC 7636 §4.2, RFC 8414 §2";
    let c = match &methods {
        Some(m) if m.iter().any(|x| x == "S256") => Check::pass("pkce-s256", spec, "S256 is advertised"),
        Some(_) => Check::fail("pkce-s256", spec, "pkce_s256_missing", "PKCE S256 is not among the advertised methods"),
        None => Check::warn(
            "pkce-s256",
            spec,
            "code_challenge_methods_supported is absent: clients cannot tell whether PKCE is supported",
        ),
    }
    .with("S256 in code_challenge_methods_supported", methods.as_ref().map_or("(absent)".into(), |m| m.join(" ")));
    out.push(finding(c, Severity::High, d));
    let plain_offered = methods.as_ref().is_some_and(|m| m.iter().any(|x| x == "plain"));
    let c = if plain_offered {
        Check::warn(
            "pkce-plain-offered",
            "RFC 9700 §2.1.1, RFC 7636 §7.2",
            "plain is offered: a client that uses it gets no protection against a stolen code",
        )
    } else {
        Check::pass("pkce-plain-offered", "RFC 9700 §2.1.1, RFC 7636 §7.2", "plain is not offered")
    }
    .with("S256 only", methods.as_ref().map_or("(absent)".into(), |m| m.join(" ")));
    out.push(finding(c, Severity::Medium, d));

    // The implicit grant (RFC 9700 §2.1.2: SHOULD NOT) and the password grant (§2.4: MUST NOT).
    let response_types = strings("response_types_supported").unwrap_or_default();
    let grants = strings("grant_types_supported").unwrap_or_default();
    let implicit: Vec<&String> = response_types.iter().filter(|t| t.split_whitespace().any(|w| w == "token")).collect();
    // "implicit" among the grant types matters only with a response type that returns an access
    // token: OIDC lists it for ID-token-only responses (`id_token`, `code id_token`) too.
    let implicit_grant = grants.iter().any(|g| g == "implicit");
    let c = if implicit.is_empty() {
        let note = if implicit_grant { " (\"implicit\" is listed, for ID-token-only responses)" } else { "" };
        Check::pass(
            "implicit-grant",
            "RFC 9700 §2.1.2",
            format!("no response type returns an access token in the front channel{note}"),
        )
    } else {
        Check::fail(
            "implicit-grant",
            "RFC 9700 §2.1.2",
            "implicit_offered",
            "the implicit grant is offered: access tokens in URLs, no sender constraint, no PKCE",
        )
    }
    .with("no response type containing \"token\"", format!("response_types_supported: {}", response_types.join(", ")));
    out.push(finding(c, Severity::Medium, d));
    let c = if grants.iter().any(|g| g == "password") {
        Check::fail(
            "password-grant",
            "RFC 9700 §2.4",
            "password_offered",
            "the resource owner password grant is offered: clients see the user's password",
        )
    } else {
        Check::pass("password-grant", "RFC 9700 §2.4", "the password grant is not offered")
    }
    .with("no \"password\" in grant_types_supported", grants.join(" "));
    out.push(finding(c, Severity::High, d));

    // RFC 9207: iss in authorization responses (mix-up defence, RFC 9700 §4.4).
    let iss = doc.get("authorization_response_iss_parameter_supported").and_then(Value::as_bool);
    let c = if iss == Some(true) {
        Check::pass("iss-parameter", "RFC 9207 §3, RFC 9700 §4.4", "authorization responses carry iss")
    } else {
        Check::warn(
            "iss-parameter",
            "RFC 9207 §3, RFC 9700 §4.4",
            "authorization responses do not say they carry iss: clients of several providers are open to mix-up",
        )
    }
    .with("authorization_response_iss_parameter_supported: true", iss.map_or("(absent)".into(), |b| b.to_string()));
    out.push(finding(c, Severity::Medium, d));

    // `none` must not be an accepted signing algorithm (RFC 8725 §3.1).
    let with_none: Vec<&String> = doc
        .iter()
        .filter(|(k, v)| {
            k.ends_with("_signing_alg_values_supported") && v.as_array().is_some_and(|a| a.iter().any(|x| x == "none"))
        })
        .map(|(k, _)| k)
        .collect();
    let c = if with_none.is_empty() {
        Check::pass("alg-none", "RFC 8725 §3.1, OIDC Core §3.1.3.7", "no signing algorithm list offers none")
    } else {
        Check::fail("alg-none", "RFC 8725 §3.1, OIDC Core §3.1.3.7", "alg_none", "unsigned tokens are offered").with(
            "no \"none\" in any *_signing_alg_values_supported",
            with_none.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
        )
    };
    out.push(finding(c, Severity::High, d));

    // The key set: only public keys, of sound types and sizes (RFC 7518 §3.3, §6; RFC 8725 §3.5).
    match doc.get("jwks_uri").and_then(Value::as_str) {
        Some(uri) => {
            let (step, jwks) = fetch(http, rec, "Provider keys (JWKS)", uri).await;
            out.push(match jwks {
                Ok(set) => finding(judge_keys(&set), Severity::High, &[doc_step, step]),
                Err(e) => finding(
                    Check::fail("jwks-keys", "RFC 7517 §5", "jwks_unreadable", e.message).with("a JWK set", "none"),
                    Severity::High,
                    &[doc_step, step],
                ),
            });
        }
        None => out.push(finding(
            Check::warn(
                "jwks-keys",
                "RFC 8414 §2, OIDC Discovery §3",
                "no jwks_uri: signed tokens cannot be verified by clients",
            )
            .with("jwks_uri", "(absent)"),
            Severity::Medium,
            d,
        )),
    }

    if let Some(a) = active {
        let endpoint = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(authorization_endpoint), Some(token_endpoint)) =
            (endpoint("authorization_endpoint"), endpoint("token_endpoint"))
        else {
            let e = FlowError::new(
                ErrorCode::MissingField,
                "active probes: expected authorization_endpoint and token_endpoint in the metadata, one is absent",
            );
            rec.local_failed("Active probes cannot run", &e, serde_json::json!({}));
            return Err(e);
        };
        let probes = crate::audit_active::Active {
            http,
            rec,
            host: a.host,
            issuer,
            authorization_endpoint,
            token_endpoint,
            iss_advertised: iss == Some(true),
            client: a.client,
            redirect_uri: a.redirect_uri,
            scope: a.scope,
            login: a.login,
            login_timeout: a.login_timeout,
        };
        out.extend(crate::audit_active::probe(&probes).await);
        return Ok(out);
    }
    // The active probes need the user's consent and, for most, a signed-in user.
    for (id, spec, what) in [
        (
            "pkce-enforced",
            "RFC 9700 §2.1.1, RFC 7636 §4.4.1",
            "a public client's request without a challenge, and a code exchanged without its verifier, are refused",
        ),
        ("pkce-plain-refused", "RFC 9700 §2.1.1, RFC 7636 §7.2", "a plain challenge is refused"),
        ("redirect-uri-exact", "RFC 9700 §2.1, §4.1.3; RFC 8252 §7.3", "a changed redirect path or host is refused"),
        ("state-echoed", "RFC 6749 §4.1.2, §10.12", "state comes back unchanged"),
        ("iss-in-response", "RFC 9207 §2, RFC 9700 §4.4.2", "the authorization response names this issuer"),
        ("code-single-use", "RFC 6749 §4.1.2, §10.5", "a code redeemed twice is refused"),
        ("refresh-rotation", "RFC 9700 §4.14.2", "refresh tokens are rotated and reuse is detected"),
        ("token-lifetimes", "RFC 6819 §5.1.5.3, RFC 9700 §4.14", "access tokens are short-lived"),
    ] {
        out.push(finding(
            Check::skip(
                id,
                spec,
                format!("an active probe, not run: {what} (run the audit with active probes to try it)"),
            ),
            Severity::Info,
            &[],
        ));
    }
    Ok(out)
}

fn judge_keys(set: &Map<String, Value>) -> Check {
    let spec = "RFC 7518 §3.3, §6; RFC 8725 §3.5; RFC 7517 §4";
    let keys = set.get("keys").and_then(Value::as_array).cloned().unwrap_or_default();
    if keys.is_empty() {
        return Check::fail("jwks-keys", spec, "jwks_empty", "the key set holds no keys")
            .with("at least one public key", "none");
    }
    let mut bad = Vec::new();
    let mut seen = Vec::new();
    for k in &keys {
        let kid = k.get("kid").and_then(Value::as_str).unwrap_or("(no kid)");
        let kty = k.get("kty").and_then(Value::as_str).unwrap_or("?");
        let private: Vec<&str> =
            ["d", "p", "q", "dp", "dq", "qi", "k"].into_iter().filter(|m| k.get(*m).is_some()).collect();
        if !private.is_empty() {
            bad.push(format!("{kid}: private or symmetric key material published ({})", private.join(", ")));
        }
        match kty {
            "RSA" => {
                let bits = k.get("n").and_then(Value::as_str).map(|n| {
                    use base64::Engine;
                    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(n.trim_end_matches('='))
                        .unwrap_or_default();
                    let lead = bytes.iter().take_while(|b| **b == 0).count();
                    (bytes.len() - lead) * 8
                });
                match bits {
                    Some(b) if b >= 2048 => seen.push(format!("{kid}: RSA {b}")),
                    Some(b) => bad.push(format!("{kid}: RSA of {b} bits (at least 2048)")),
                    None => bad.push(format!("{kid}: RSA key without a modulus")),
                }
            }
            "EC" => match k.get("crv").and_then(Value::as_str) {
                Some(c @ ("P-256" | "P-384" | "P-521")) => seen.push(format!("{kid}: EC {c}")),
                other => bad.push(format!("{kid}: EC on {other:?} (expected P-256, P-384 or P-521)")),
            },
            "OKP" => match k.get("crv").and_then(Value::as_str) {
                Some(c @ ("Ed25519" | "Ed448")) => seen.push(format!("{kid}: OKP {c}")),
                other => bad.push(format!("{kid}: OKP on {other:?}")),
            },
            "oct" => bad.push(format!("{kid}: a symmetric (oct) key in a public key set")),
            other => bad.push(format!("{kid}: unknown key type {other:?}")),
        }
    }
    if bad.is_empty() {
        Check::pass("jwks-keys", spec, "public keys only, of sound types and sizes")
            .with("RSA ≥ 2048, EC P-256+, OKP", seen.join("; "))
    } else {
        Check::fail("jwks-keys", spec, "weak_or_private_keys", "the key set holds keys clients must not trust or use")
            .with("public keys only: RSA ≥ 2048, EC P-256+, OKP", bad.join("; "))
    }
}
