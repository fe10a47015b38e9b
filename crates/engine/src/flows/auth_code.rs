//! Authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636), for OAuth and OpenID Connect:
//! generate PKCE, `state` and `nonce`; send the user to the authorization endpoint; take the
//! callback from a loopback listener or from the front (pasted URL, in-app browser); check
//! `error`, `state` and `iss` (RFC 9207); exchange the code.

use std::time::Duration;

use base64::Engine;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::check::Check;
use crate::discovery::{Endpoints, resolve};
use crate::error::{ErrorCode, FlowError, OauthErrorBody};
use crate::event::{Recorder, UserAction};
use crate::flows::common::{ClientSecrets, ClientSettings, token_request};
use crate::http::HttpClient;
use crate::loopback::Loopback;
use crate::pkce::{Pkce, PkceMethod, random_string};
use crate::step::{Lane, SecretMark, Step, StepCategory, StepStatus};
use crate::token_response::TokenSet;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthCodeSettings {
    #[serde(flatten)]
    pub client: ClientSettings,
    /// The loopback redirect URI; an ephemeral `http://127.0.0.1:PORT/callback` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(default)]
    pub pkce: PkceMethod,
    /// How long to wait for the user to come back from the login.
    #[serde(default = "default_login_timeout")]
    pub login_timeout_secs: u64,
}

fn default_login_timeout() -> u64 {
    300
}

/// Where the authorization response comes from.
pub enum Callback {
    Loopback(Loopback),
    /// The front delivers the redirected URL: pasted by the user, or caught by an in-app browser.
    Delivered {
        redirect_uri: String,
        url: oneshot::Receiver<String>,
    },
}

impl Callback {
    pub fn redirect_uri(&self) -> &str {
        match self {
            Callback::Loopback(l) => l.redirect_uri(),
            Callback::Delivered { redirect_uri, .. } => redirect_uri,
        }
    }
}

fn has_scope(scope: Option<&str>, name: &str) -> bool {
    scope.is_some_and(|s| s.split(' ').any(|x| x == name))
}

fn is_openid(scope: Option<&str>) -> bool {
    has_scope(scope, "openid")
}

pub async fn run(
    http: &HttpClient,
    rec: &Recorder,
    settings: &AuthCodeSettings,
    secrets: &ClientSecrets,
    callback: Callback,
) -> Result<TokenSet, FlowError> {
    let client = &settings.client;
    let endpoints = resolve(http, rec, &client.provider).await?;
    let authorize = endpoints.require_step(rec, "authorization_endpoint")?.to_string();
    let authorize_base = browser_url("authorization endpoint", &authorize).inspect_err(|e| {
        rec.local_failed(
            "Authorization endpoint refused: it is not opened in a browser",
            e,
            serde_json::json!({"url": authorize, "rule": BROWSER_URL_RULE}),
        )
    })?;
    let token_endpoint = endpoints.require_step(rec, "token_endpoint")?.to_string();
    let redirect_uri = callback.redirect_uri().to_string();

    let pkce = Pkce::generate(settings.pkce);
    record_pkce(rec, pkce.as_ref());
    let state = random_string(16);
    let nonce = is_openid(client.scope.as_deref()).then(|| random_string(16));
    rec.local(
        "Generated state and nonce",
        StepStatus::Ok,
        serde_json::json!({"state": state, "nonce": nonce, "why": "state binds the response to this request (RFC 6749 §10.12); nonce binds the ID token to it (OIDC Core §3.1.2.1)"}),
    );

    let mut params: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), client.client_id.clone()),
        ("redirect_uri".into(), redirect_uri.clone()),
        ("state".into(), state.clone()),
    ];
    if let Some(n) = &nonce {
        params.push(("nonce".into(), n.clone()));
    }
    if let Some(p) = &pkce {
        params.push(("code_challenge".into(), p.challenge.clone()));
        params.push(("code_challenge_method".into(), p.method_name().into()));
    }
    params.extend(client.request_params());
    let wants_offline = has_scope(client.scope.as_deref(), "offline_access");
    let user_prompt = client.extra.iter().find(|(k, _)| k == "prompt").map(|(_, v)| v.clone());
    if wants_offline && user_prompt.is_none() {
        params.push(("prompt".into(), "consent".into()));
        rec.local(
            "Added prompt=consent: the scope asks for offline_access (a refresh token)",
            StepStatus::Ok,
            serde_json::json!({
                "added": ["prompt", "consent"],
                "why": "OpenID Connect Core §11: a request for offline_access must contain prompt=consent unless other conditions permit offline access; providers that follow it ignore offline_access without it, and no refresh token comes. Set a prompt parameter yourself to send another one.",
                "spec": "OpenID Connect Core §11",
            }),
        );
    }
    let mut url = authorize_base;
    url.query_pairs_mut().extend_pairs(params.iter());
    let authorize_url = url.to_string();
    rec.push(
        Step::local(
            "Authorization request: send the user to the authorization endpoint",
            StepStatus::Ok,
            serde_json::json!({"url": authorize_url, "parameters": params.iter().map(|(k, v)| serde_json::json!([k, v])).collect::<Vec<_>>()}),
        )
        .category(StepCategory::Redirect)
        .lanes(Lane::App, Lane::Browser),
    );
    rec.action(UserAction::OpenUrl { url: authorize_url });

    let limit = Duration::from_secs(settings.login_timeout_secs);
    let callback_url = match callback {
        Callback::Loopback(l) => l.wait(rec, &state, limit).await,
        Callback::Delivered { url, .. } => match tokio::time::timeout(limit, url).await {
            Ok(Ok(u)) => Ok(u),
            Ok(Err(_)) => {
                Err(FlowError::new(ErrorCode::InvalidInput, "the login was cancelled before a redirected URL arrived"))
            }
            Err(_) => Err(FlowError::new(
                ErrorCode::Timeout,
                format!("expected the redirected URL within {} s, nothing came", limit.as_secs()),
            )),
        },
    }
    .inspect_err(|e| {
        rec.local_failed("Waiting for the authorization response", e, serde_json::json!({"redirect_uri": redirect_uri}))
    })?;

    let code = check_callback(rec, &callback_url, &state, &endpoints)?;

    let mut token_params = vec![
        ("grant_type".to_string(), "authorization_code".to_string()),
        ("code".to_string(), code.clone()),
        ("redirect_uri".to_string(), redirect_uri),
    ];
    let mut marks = vec![SecretMark::new("authorization_code", code)];
    if let Some(p) = &pkce {
        token_params.push(("code_verifier".into(), p.verifier.expose().to_string()));
        marks.push(SecretMark::new("code_verifier", p.verifier.expose()));
    }
    for r in &client.resource {
        token_params.push(("resource".into(), r.clone()));
    }
    let title = format!("Token request (authorization code, {})", client.auth_method.as_str());
    let tokens = token_request(http, rec, title, &token_endpoint, &secrets.config(client), token_params, marks).await?;
    if let (Some(expected), Some(id_token)) = (&nonce, &tokens.id_token) {
        check_nonce(rec, id_token, expected)?;
    }
    if wants_offline && tokens.refresh_token.is_none() {
        warn_no_refresh_token(rec, settings, &tokens, user_prompt.as_deref());
    }
    Ok(tokens)
}

/// offline_access was asked for and no refresh token came: not an error (the access token is
/// good), but rarely what the user wanted, so say what usually causes it.
fn warn_no_refresh_token(rec: &Recorder, settings: &AuthCodeSettings, tokens: &TokenSet, user_prompt: Option<&str>) {
    let client = &settings.client;
    let granted_offline = tokens.scope.as_deref().map(|s| has_scope(Some(s), "offline_access"));
    let mut reasons = vec![];
    if granted_offline == Some(false) {
        reasons.push(format!(
            "the granted scope {:?} lacks offline_access: the provider dropped it from this grant",
            tokens.scope.as_deref().unwrap_or_default()
        ));
    }
    reasons.push("the provider refuses offline_access for this client (not allowed in its registration)".into());
    match user_prompt {
        Some(p) if !p.split(' ').any(|x| x == "consent") => reasons.push(format!(
            "consent was not asked for: prompt={p} was sent instead of prompt=consent, so the provider may ignore offline_access (OpenID Connect Core §11)"
        )),
        _ => reasons.push("the user did not consent to offline access on the consent page".into()),
    }
    reasons.push("the refresh_token grant is not enabled for this client".into());
    let public = client.auth_method == crate::client_auth::AuthMethod::None;
    reasons.push(format!(
        "the provider issues refresh tokens only to confidential clients{}",
        if public { " (this client authenticates with none: it is public)" } else { "" }
    ));
    reasons.push(
        "the provider asks for refresh tokens another way (e.g. Google: access_type=offline; some need a refresh-token setting on the API or application)"
            .into(),
    );
    rec.local(
        "No refresh token, although the scope asked for offline_access",
        StepStatus::Warning,
        serde_json::json!({
            "requested_scope": client.scope,
            "granted_scope": tokens.scope,
            "likely_reasons": reasons,
            "spec": "OpenID Connect Core §11, RFC 6749 §5.1",
        }),
    );
}

const BROWSER_URL_RULE: &str = "only an https URL, or an http URL on a loopback host (127.0.0.0/8, localhost, [::1]), is opened in a browser (RFC 6749 §3.1, RFC 8252 §8.1)";

/// The authorization endpoint as a URL a browser may be sent to. Discovery documents and hand-typed
/// endpoints are untrusted: a `javascript:`, `file:` or `data:` URL, or plain http to a remote
/// host, would run code, read files or send the request in clear, so they are refused before
/// anything is opened.
pub fn browser_url(what: &str, raw: &str) -> Result<url::Url, FlowError> {
    let refuse = |got: String| {
        FlowError::new(
            ErrorCode::InvalidInput,
            format!("refusing to open the {what} {raw:?} in a browser: {BROWSER_URL_RULE}; got {got}"),
        )
    };
    let url = url::Url::parse(raw).map_err(|e| refuse(format!("no valid URL ({e})")))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(refuse(format!(
            "plain http to the non-loopback host {}",
            url.host_str().map(|h| format!("{h:?}")).unwrap_or_else(|| "(none)".into())
        ))),
        "https" => Err(refuse("an https URL without a host".into())),
        other => Err(refuse(format!("the scheme {other:?}"))),
    }
}

fn record_pkce(rec: &Recorder, pkce: Option<&Pkce>) {
    let step = |title: String, status, details, secrets| {
        Step::local(title, status, details).category(StepCategory::GeneratedValue).secrets(secrets)
    };
    rec.push(match pkce {
        Some(p) if p.method == PkceMethod::S256 => step(
            "PKCE verifier generated (S256)".into(),
            StepStatus::Ok,
            serde_json::json!({"code_verifier": p.verifier.expose(), "code_challenge": p.challenge, "code_challenge_method": "S256"}),
            vec![SecretMark::new("code_verifier", p.verifier.expose())],
        ),
        Some(p) => step(
            "PKCE plain — DEMONSTRATION ONLY: the challenge equals the verifier, so anyone who sees the request can redeem the code (RFC 9700 §2.1.1)".into(),
            StepStatus::Warning,
            serde_json::json!({"code_verifier": p.verifier.expose(), "code_challenge": p.challenge, "code_challenge_method": "plain"}),
            vec![SecretMark::new("code_verifier", p.verifier.expose())],
        ),
        None => step(
            "PKCE OFF — DEMONSTRATION ONLY: a stolen authorization code can be redeemed by anyone (RFC 9700 §2.1.1)".into(),
            StepStatus::Warning,
            serde_json::json!({"pkce": "none"}),
            vec![],
        ),
    });
}

/// Checks an authorization response (RFC 6749 §4.1.2, RFC 9207) and returns its code.
pub fn check_callback(
    rec: &Recorder,
    callback_url: &str,
    expected_state: &str,
    endpoints: &Endpoints,
) -> Result<String, FlowError> {
    let url = url::Url::parse(callback_url).map_err(|e| {
        FlowError::new(
            ErrorCode::InvalidInput,
            format!("expected the redirected URL (http://…?code=…&state=…), got {callback_url:?}: {e}"),
        )
    })?;
    let get = |k: &str| url.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    let code = get("code");
    let secrets = code_marks(&url);
    let params: serde_json::Map<String, serde_json::Value> =
        url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned().into())).collect();
    let mut checks = vec![];
    let mut problem: Option<FlowError> = None;

    if let Some(error) = get("error") {
        let body = OauthErrorBody {
            error: error.clone(),
            error_description: get("error_description"),
            error_uri: get("error_uri"),
        };
        let desc = body.error_description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
        let uri = body.error_uri.as_deref().map(|u| format!(", see {u}")).unwrap_or_default();
        let mut e = FlowError::new(
            ErrorCode::OauthError,
            format!("authorization response: expected a code, the server answered {error}{desc}{uri}"),
        );
        e.oauth = Some(body);
        problem = Some(e);
    }
    let got_state = get("state");
    let state_ok = got_state.as_deref().is_some_and(|s| {
        aws_lc_rs::constant_time::verify_slices_are_equal(s.as_bytes(), expected_state.as_bytes()).is_ok()
    });
    let state_check = if state_ok {
        Check::pass("state", "RFC 6749 §10.12", "the state is the one sent")
    } else {
        Check::fail("state", "RFC 6749 §10.12", "state_mismatch", "the state is not the one sent")
    };
    checks.push(state_check.with(expected_state, got_state.clone().unwrap_or_else(|| "(none)".into())));
    if !state_ok && problem.is_none() {
        problem = Some(FlowError::new(
            ErrorCode::StateMismatch,
            format!(
                "authorization response: expected state {expected_state:?}, got {} — the response does not belong to this request (possible CSRF or a stale browser tab)",
                got_state.as_deref().map(|s| format!("{s:?}")).unwrap_or_else(|| "none".into())
            ),
        ));
    }
    let expected_iss = endpoints.issuer.clone();
    match (get("iss"), &expected_iss) {
        (Some(iss), Some(exp)) if &iss != exp => {
            checks.push(
                Check::fail("iss", "RFC 9207 §2.4", "issuer_mismatch", "the response names another issuer")
                    .with(exp, &iss),
            );
            if problem.is_none() {
                problem = Some(FlowError::new(
                    ErrorCode::IssuerMismatch,
                    format!(
                        "authorization response: expected iss {exp:?}, got {iss:?} — possible mix-up attack (RFC 9207)"
                    ),
                ));
            }
        }
        (Some(iss), _) => checks.push(
            Check::pass("iss", "RFC 9207 §2.4", "the response names this issuer")
                .with(expected_iss.clone().unwrap_or_else(|| "(not discovered)".into()), iss),
        ),
        // RFC 9207 §2.4: a client MUST reject a response without iss from a provider whose
        // metadata says it sends one — an attacker's response passed off as this provider's.
        (None, _) if endpoints.authorization_response_iss_parameter_supported == Some(true) => {
            let exp = expected_iss.clone().unwrap_or_default();
            checks.push(
                Check::fail(
                    "iss",
                    "RFC 9207 §2.4",
                    "iss_missing",
                    "the server advertises authorization_response_iss_parameter_supported but sent no iss",
                )
                .with(&exp, "(none)"),
            );
            problem = problem.or(Some(FlowError::new(
                ErrorCode::IssuerMismatch,
                format!(
                    "authorization response: expected iss {exp:?} (the provider's metadata says it sends one), got none \
                     — refused as a possible mix-up attack (RFC 9207 §2.4)"
                ),
            )));
        }
        (None, _) => checks.push(Check::skip("iss", "RFC 9207 §2.4", "no iss in the response and none advertised")),
    }
    if problem.is_none() && code.is_none() {
        problem = Some(FlowError::new(
            ErrorCode::MissingField,
            "authorization response: expected a \"code\" parameter, it is absent",
        ));
    }
    let status = if problem.is_some() { StepStatus::Failed } else { StepStatus::Ok };
    let mut step = Step::local(
        "Authorization response received",
        status,
        serde_json::json!({"url": callback_url, "parameters": params, "checks": checks}),
    )
    .category(StepCategory::Redirect)
    .lanes(Lane::Browser, Lane::App)
    .secrets(secrets);
    step.error = problem.clone();
    rec.push(step);
    match problem {
        Some(e) => Err(e),
        None => Ok(code.unwrap_or_default()),
    }
}

/// The authorization code of a callback URL, marked secret as decoded and also as it stands
/// percent-encoded in the URL when that differs, so redacting the step's URL text catches it too.
pub(crate) fn code_marks(url: &url::Url) -> Vec<SecretMark> {
    let mut values: Vec<String> = url.query_pairs().filter(|(k, _)| k == "code").map(|(_, v)| v.into_owned()).collect();
    values
        .extend(url.query().unwrap_or_default().split('&').filter_map(|p| p.strip_prefix("code=")).map(str::to_string));
    values.retain(|v| !v.is_empty());
    values.sort();
    values.dedup();
    values.into_iter().map(|v| SecretMark::new("authorization_code", v)).collect()
}

/// OIDC Core §3.1.3.7 step 11: the ID token's nonce must be the one sent. Full ID token
/// validation (signature, at_hash, …) is the token inspector's job.
fn check_nonce(rec: &Recorder, id_token: &str, expected: &str) -> Result<(), FlowError> {
    let claims = id_token
        .split('.')
        .nth(1)
        .and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let got = claims.as_ref().and_then(|c| c.get("nonce")).and_then(|n| n.as_str()).map(str::to_string);
    let spec = "OpenID Connect Core §3.1.3.7 step 11";
    let actual = got.clone().unwrap_or_else(|| "(none)".into());
    let check = if got.as_deref() == Some(expected) {
        Check::pass("nonce", spec, "the ID token's nonce is the one sent")
    } else {
        Check::fail("nonce", spec, "nonce_mismatch", "the ID token's nonce is not the one sent")
    }
    .with(expected, actual);
    // The facts stay at the top level (as before) and the check beside them, as every check step has.
    let details = serde_json::json!({"expected": expected, "actual": got, "spec": spec, "checks": [check]});
    if got.as_deref() == Some(expected) {
        rec.local("ID token nonce matches the one sent", StepStatus::Ok, details);
        Ok(())
    } else {
        let e = FlowError::new(
            ErrorCode::NonceMismatch,
            format!(
                "ID token: expected nonce {expected:?}, got {}",
                got.as_deref().map_or("none".to_string(), |g| format!("{g:?}"))
            ),
        );
        rec.local_failed("ID token nonce does not match", &e, details);
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_authorization_endpoints_are_opened() {
        for ok in [
            "https://login.example.com/authorize",
            "https://login.example.com:8443/oauth2/authorize?tenant=a",
            "http://127.0.0.1:9000/authorize",
            "http://127.10.20.30/authorize",
            "http://localhost:8080/authorize",
            "http://LOCALHOST/authorize",
            "http://[::1]:9000/authorize",
        ] {
            assert!(browser_url("authorization endpoint", ok).is_ok(), "{ok} should be accepted");
        }
        for (bad, why) in [
            ("http://login.example.com/authorize", "plain http to the non-loopback host \"login.example.com\""),
            ("http://10.0.0.1/authorize", "non-loopback host \"10.0.0.1\""),
            ("http://128.0.0.1/authorize", "non-loopback host"),
            ("http://localhost.evil.com/authorize", "non-loopback host"),
            ("http://[::2]/authorize", "non-loopback host"),
            ("javascript:alert(document.cookie)", "the scheme \"javascript\""),
            ("file:///etc/passwd", "the scheme \"file\""),
            ("data:text/html,<script>alert(1)</script>", "the scheme \"data\""),
            ("myapp://authorize", "the scheme \"myapp\""),
            ("not a url", "no valid URL"),
        ] {
            let e = browser_url("authorization endpoint", bad).expect_err(bad);
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(e.message.contains(&format!("{bad:?}")), "names the URL: {}", e.message);
            assert!(
                e.message.contains("only an https URL, or an http URL on a loopback host"),
                "names the rule: {}",
                e.message
            );
            assert!(e.message.contains(why), "{bad}: {}", e.message);
        }
    }
}
