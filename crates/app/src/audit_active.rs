//! The provider audit's active probes: requests that try what a weak provider allows, sent only
//! with the user's consent (`AuditRequest::active`). Front-channel probes need no sign-in (an
//! authorization request without a PKCE challenge, with `plain`, with a changed redirect URI:
//! each must be refused before any login). The others need a signed-in user, asked for through
//! the same action events as the authorization code flow: the echoed `state` and `iss`, a code
//! exchanged without its verifier, a code redeemed twice, refresh rotation and reuse detection,
//! token lifetimes. Every request is a step; every finding names the steps that show it.
//! Leaves out what needs more than one client or a second user (code injection, mix-up between
//! two providers): those are attack demos, not probes of one provider.

use std::sync::Arc;
use std::time::Duration;

use inspector_engine::check::Check;
use inspector_engine::client_auth::ClientConfig;
use inspector_engine::flows::common::post_authenticated;
use inspector_engine::http::{Exchange, HttpClient, describe};
use inspector_engine::loopback::Loopback;
use inspector_engine::pkce::{Pkce, PkceMethod, random_string};
use inspector_engine::step::{HttpResponse, Lane, SecretMark, StepCategory};
use inspector_engine::token_response::{self, oauth_error};
use inspector_engine::{Recorder, Step, StepStatus, TokenSet, UserAction};

use crate::Login;
use crate::audit::{Finding, Severity, finding};
use crate::host::Host;

/// What the active probes act as, and where.
pub(crate) struct Active<'a> {
    pub http: &'a HttpClient,
    pub rec: &'a Recorder,
    pub host: Arc<dyn Host>,
    pub issuer: &'a str,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    /// Whether the metadata says authorization responses carry `iss`.
    pub iss_advertised: bool,
    pub client: ClientConfig,
    /// A registered redirect URI; `None`: a loopback one on a free port (`/callback`).
    pub redirect_uri: Option<String>,
    pub scope: String,
    pub login: Login,
    pub login_timeout: Duration,
}

/// How an endpoint took a request that it should refuse.
enum Answer {
    /// Refused: an error page, or an error sent back to the registered redirect URI.
    Refused(String),
    /// Went on: a sign-in page or a redirect into one, tokens, or the changed redirect URI.
    Proceeded(String),
    /// Neither can be told (a server error, no answer).
    Unclear(String),
}

/// What came back from the token endpoint.
enum Redeemed {
    Tokens(Box<TokenSet>, String),
    Refused(String),
    Unclear(String),
}

/// One completed sign-in: the callback's parameters and what the request sent.
struct SignIn {
    seq: u32,
    params: Vec<(String, String)>,
    state: String,
    redirect_uri: String,
    verifier: Option<String>,
}

impl SignIn {
    fn get(&self, k: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
}

const LOOPBACK_REDIRECT: &str = "http://127.0.0.1:53682/callback";

impl Active<'_> {
    fn public(&self) -> bool {
        self.client.client_secret.is_none()
    }

    fn front_redirect(&self) -> String {
        self.redirect_uri.clone().unwrap_or_else(|| LOOPBACK_REDIRECT.into())
    }

    fn authorize_url(&self, params: &[(&str, &str)]) -> String {
        let mut url = match url::Url::parse(&self.authorization_endpoint) {
            Ok(u) => u,
            Err(_) => return self.authorization_endpoint.clone(),
        };
        url.query_pairs_mut().extend_pairs(params.iter().copied());
        url.to_string()
    }

    /// GETs an authorization request as a browser would (no redirect followed) and says whether
    /// it was refused before any sign-in. `changed` is a redirect URI the server must not use.
    async fn front(&self, title: &str, params: &[(&str, &str)], changed: Option<&str>) -> (u32, Answer) {
        let mut req = HttpClient::get(&self.authorize_url(params));
        for h in req.headers.iter_mut().filter(|(n, _)| n == "accept") {
            h.1 = "text/html".into();
        }
        let ex = self.http.send(self.rec, req, &mut Vec::new()).await;
        let answer = match &ex.response {
            Err(e) => Answer::Unclear(format!("no answer: {}", e.message)),
            Ok(r) => judge_front(r, changed),
        };
        let good = matches!(answer, Answer::Refused(_));
        (self.record(title, &ex, vec![], good), answer)
    }

    /// Records an exchange as a step of the audit: an answer the probe hoped for is OK, any
    /// other a warning (the finding says why); never "failed", which would end the timeline.
    fn record(&self, title: &str, ex: &Exchange, secrets: Vec<SecretMark>, good: bool) -> u32 {
        let mut step = Step::http(title, ex, secrets, Ok(()));
        if !good && step.status == StepStatus::Ok {
            step.status = StepStatus::Warning;
        }
        self.rec.push(step)
    }

    async fn token_call(
        &self,
        title: &str,
        params: Vec<(String, String)>,
        marks: Vec<SecretMark>,
        want: bool,
    ) -> (u32, Redeemed) {
        let (ex, mut secrets) =
            match post_authenticated(self.http, self.rec, &self.token_endpoint, &self.client, params, marks).await {
                Ok(x) => x,
                Err(e) => {
                    self.rec.local_failed(title, &e, serde_json::json!({}));
                    return (0, Redeemed::Unclear(e.message));
                }
            };
        let answer = match &ex.response {
            Err(e) => Redeemed::Unclear(format!("no answer: {}", e.message)),
            Ok(r) => match token_response::parse(r, "token request") {
                Ok(t) => {
                    secrets.extend(t.secret_marks());
                    Redeemed::Tokens(Box::new(t), format!("{} with tokens", r.status))
                }
                Err(_) => match oauth_error(r) {
                    Some(e) if (400..500).contains(&r.status) => Redeemed::Refused(format!("{} {}", r.status, e.error)),
                    _ => Redeemed::Unclear(describe(r)),
                },
            },
        };
        let good = matches!(answer, Redeemed::Tokens(..)) == want;
        (self.record(title, &ex, secrets, good), answer)
    }

    async fn redeem(&self, title: &str, s: &SignIn, code: &str, verifier: Option<&str>, want: bool) -> (u32, Redeemed) {
        let mut params = vec![
            ("grant_type".to_string(), "authorization_code".to_string()),
            ("code".to_string(), code.to_string()),
            ("redirect_uri".to_string(), s.redirect_uri.clone()),
        ];
        let mut marks = vec![SecretMark::new("authorization_code", code)];
        if let Some(v) = verifier {
            params.push(("code_verifier".into(), v.into()));
            marks.push(SecretMark::new("code_verifier", v));
        }
        self.token_call(title, params, marks, want).await
    }

    async fn refresh(&self, title: &str, token: &str, want: bool) -> (u32, Redeemed) {
        let params = vec![
            ("grant_type".to_string(), "refresh_token".to_string()),
            ("refresh_token".to_string(), token.to_string()),
        ];
        self.token_call(title, params, vec![SecretMark::new("refresh_token", token)], want).await
    }

    /// Sends the user to sign in (through the host, as the authorization code flow does) and
    /// takes the callback whatever its `state`, which the probes judge themselves.
    async fn sign_in(&self, number: u32) -> Result<SignIn, String> {
        let (listener, redirect_uri) = match self.login {
            Login::Paste => {
                let uri = self.redirect_uri.clone().ok_or("pasting the redirected URL needs --redirect-uri")?;
                (None, uri)
            }
            _ => {
                let l = Loopback::bind(self.redirect_uri.as_deref()).await.map_err(|e| e.message)?;
                let uri = l.redirect_uri().to_string();
                (Some(l), uri)
            }
        };
        let pkce = Pkce::generate(PkceMethod::S256).ok_or("no PKCE")?;
        let state = random_string(16);
        let nonce = random_string(16);
        let mut params: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", &self.client.client_id),
            ("redirect_uri", &redirect_uri),
            ("scope", &self.scope),
            ("state", &state),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ];
        if self.scope.split(' ').any(|s| s == "openid") {
            params.push(("nonce", &nonce));
        }
        if self.scope.split(' ').any(|s| s == "offline_access") {
            params.push(("prompt", "consent"));
        }
        let url = self.authorize_url(&params);
        self.rec.push(
            Step::local(
                format!("Active probe: sign-in {number} — send the user to the authorization endpoint"),
                StepStatus::Ok,
                serde_json::json!({"url": url, "why": "the probes of codes, refresh tokens and the callback need a real authorization"}),
            )
            .category(StepCategory::Redirect)
            .lanes(Lane::App, Lane::Browser),
        );
        self.rec.action(UserAction::OpenUrl { url });
        let callback = match listener {
            Some(l) => l.wait_any(self.rec, self.login_timeout).await.map_err(|e| e.message)?,
            None => match tokio::time::timeout(self.login_timeout, self.host.pasted_url()).await {
                Ok(Ok(u)) => u,
                Ok(Err(_)) => return Err("the sign-in was cancelled".into()),
                Err(_) => return Err(format!("no redirected URL within {} s", self.login_timeout.as_secs())),
            },
        };
        let parsed = url::Url::parse(&callback).map_err(|e| format!("the callback URL does not parse: {e}"))?;
        let params: Vec<(String, String)> =
            parsed.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let marks: Vec<SecretMark> =
            params.iter().filter(|(k, _)| k == "code").map(|(_, v)| SecretMark::new("authorization_code", v)).collect();
        let shown: serde_json::Map<String, serde_json::Value> =
            params.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        let seq = self.rec.push(
            Step::local(
                format!("Active probe: sign-in {number} — authorization response"),
                StepStatus::Ok,
                serde_json::json!({"url": callback, "parameters": shown}),
            )
            .category(StepCategory::Redirect)
            .lanes(Lane::Browser, Lane::App)
            .secrets(marks),
        );
        Ok(SignIn { seq, params, state, redirect_uri, verifier: Some(pkce.verifier.expose().to_string()) })
    }
}

/// The parameters of a front-channel probe: the client's authorization request to `redirect`, and `extra`.
fn front_params<'a>(a: &'a Active<'_>, redirect: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", a.client.client_id.as_str()),
        ("scope", a.scope.as_str()),
        ("state", "audit-probe"),
        ("redirect_uri", redirect),
    ];
    p.extend_from_slice(extra);
    p
}

fn judge_front(r: &HttpResponse, changed: Option<&str>) -> Answer {
    let status = r.status;
    if (400..500).contains(&status) {
        return Answer::Refused(format!("{status} (an error page)"));
    }
    if (300..400).contains(&status) {
        let loc = r.header("location").unwrap_or("");
        if let Some(c) = changed.filter(|c| loc.starts_with(*c)) {
            return Answer::Proceeded(format!("{status} → the changed redirect URI {c}"));
        }
        let error = url::Url::parse(loc)
            .ok()
            .and_then(|u| u.query_pairs().find(|(k, _)| k == "error").map(|(_, v)| v.into_owned()));
        return match error {
            Some(e) => Answer::Refused(format!("{status} → redirect URI with error={e}")),
            None => Answer::Proceeded(format!("{status} → {} (on to sign-in)", short(loc))),
        };
    }
    if (200..300).contains(&status) {
        return Answer::Proceeded(format!("{status} (a page, e.g. sign-in)"));
    }
    Answer::Unclear(format!("{status}"))
}

/// A location without its query, which may be long.
fn short(loc: &str) -> &str {
    loc.split('?').next().unwrap_or(loc)
}

fn text(a: &Answer) -> &str {
    match a {
        Answer::Refused(t) | Answer::Proceeded(t) | Answer::Unclear(t) => t,
    }
}

fn redeemed_text(r: &Redeemed) -> &str {
    match r {
        Redeemed::Tokens(_, t) | Redeemed::Refused(t) | Redeemed::Unclear(t) => t,
    }
}

const PKCE_SPEC: &str = "RFC 9700 §2.1.1, RFC 7636 §4.4.1";

/// Runs every active probe; the findings replace the passive audit's `skip` rows.
pub(crate) async fn probe(a: &Active<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let redirect = a.front_redirect();
    let challenge = Pkce::generate(PkceMethod::S256).map(|p| p.challenge).unwrap_or_default();

    // 1. Front channel, before any sign-in.
    let no_challenge = if a.public() {
        let params = front_params(a, &redirect, &[]);
        Some(
            a.front("Active probe: authorization request without code_challenge (expected: refused)", &params, None)
                .await,
        )
    } else {
        None
    };
    let plain_verifier = random_string(32);
    let params = front_params(a, &redirect, &[("code_challenge", &plain_verifier), ("code_challenge_method", "plain")]);
    let (seq, ans) =
        a.front("Active probe: authorization request with a plain challenge (expected: refused)", &params, None).await;
    let spec = "RFC 9700 §2.1.1, RFC 7636 §7.2";
    let c = match &ans {
        Answer::Refused(t) => Check::pass("pkce-plain-refused", spec, "a plain challenge is refused").with("refused", t),
        Answer::Proceeded(t) => Check::fail(
            "pkce-plain-refused",
            spec,
            "pkce_plain_accepted",
            "a plain challenge is accepted: with plain, the challenge is the verifier, so anyone who sees the authorization request can redeem the code",
        )
        .with("refused", t),
        Answer::Unclear(t) => Check::warn("pkce-plain-refused", spec, "the answer proves neither").with("refused", t),
    };
    out.push(finding(c, Severity::Medium, &[seq]));

    let mut changed = Vec::new();
    if let Ok(u) = url::Url::parse(&redirect) {
        let mut path = u.clone();
        path.set_path(&format!("{}/changed", u.path().trim_end_matches('/')));
        changed.push(("a changed path", path.to_string()));
        let host = format!("https://attacker.example{}", u.path());
        changed.push(("another host", host));
    }
    let mut evidence = Vec::new();
    let mut loose = Vec::new();
    let mut unclear = Vec::new();
    let mut seen = Vec::new();
    for (what, uri) in &changed {
        let params = front_params(a, uri, &[("code_challenge", &challenge), ("code_challenge_method", "S256")]);
        let title = format!("Active probe: authorization request with {what} in the redirect URI (expected: refused)");
        let (seq, ans) = a.front(&title, &params, Some(uri)).await;
        evidence.push(seq);
        seen.push(format!("{what}: {}", text(&ans)));
        match ans {
            Answer::Refused(_) => {}
            Answer::Proceeded(_) => loose.push(format!("{what} ({uri})")),
            Answer::Unclear(_) => unclear.push(*what),
        }
    }
    let spec = "RFC 9700 §2.1, §4.1.3; RFC 8252 §7.3";
    let c = if !loose.is_empty() {
        Check::fail(
            "redirect-uri-exact",
            spec,
            "redirect_uri_not_exact",
            format!(
                "redirect URIs are not matched exactly: {} went on, so a code can be sent where an attacker reads it",
                loose.join(", ")
            ),
        )
    } else if !unclear.is_empty() {
        Check::warn("redirect-uri-exact", spec, format!("the answers to {} prove neither", unclear.join(", ")))
    } else {
        Check::pass(
            "redirect-uri-exact",
            spec,
            "a changed path and another host are refused (on loopback any port may be allowed, RFC 8252 §7.3)",
        )
    };
    out.push(finding(c.with("every changed redirect URI refused", seen.join("; ")), Severity::High, &evidence));

    // 2. A real sign-in, taken whatever it says.
    let first = match a.sign_in(1).await {
        Ok(s) => s,
        Err(why) => {
            let mut rows = login_skips(&format!("the sign-in did not complete: {why}"));
            if let Some((seq, ans)) = no_challenge {
                rows.insert(0, pkce_finding(Some((seq, &ans)), None));
            }
            out.extend(rows);
            return out;
        }
    };
    out.push(state_finding(&first));
    out.push(iss_finding(a, &first));
    let Some(code) = first.get("code").map(str::to_string) else {
        let why = match first.get("error") {
            Some(e) => format!("the authorization response is error={e}, not a code"),
            None => "the authorization response has no code".into(),
        };
        let mut rows = login_skips(&why);
        rows.retain(|f| f.check.id != "state-echoed" && f.check.id != "iss-in-response");
        if let Some((seq, ans)) = &no_challenge {
            rows.insert(0, pkce_finding(Some((*seq, ans)), None));
        }
        out.extend(rows);
        return out;
    };

    // The code without its verifier: refused by a server that enforces PKCE.
    let (nv_seq, nv) = a
        .redeem(
            "Active probe: the code exchanged without its code_verifier (expected: refused)",
            &first,
            &code,
            None,
            false,
        )
        .await;
    out.insert(0, pkce_finding(no_challenge.as_ref().map(|(s, a)| (*s, a)), Some((nv_seq, &nv))));

    // Tokens: from that exchange if the server (wrongly) gave them, else with the verifier — or,
    // when the refused attempt spent the code, from a second sign-in.
    let mut spent = None;
    let (tokens, token_seq, used) = match nv {
        Redeemed::Tokens(t, _) => (Some(*t), nv_seq, Some((first, code))),
        _ => {
            let (seq, r) = a
                .redeem(
                    "Active probe: the code exchanged with its code_verifier",
                    &first,
                    &code,
                    first.verifier.as_deref(),
                    true,
                )
                .await;
            match r {
                Redeemed::Tokens(t, _) => (Some(*t), seq, Some((first, code))),
                other => {
                    spent = Some(redeemed_text(&other).to_string());
                    match a.sign_in(2).await {
                        Ok(second) => match second.get("code").map(str::to_string) {
                            Some(code2) => {
                                let (seq, r) = a
                                    .redeem(
                                        "Active probe: the second code exchanged with its code_verifier",
                                        &second,
                                        &code2,
                                        second.verifier.as_deref(),
                                        true,
                                    )
                                    .await;
                                match r {
                                    Redeemed::Tokens(t, _) => (Some(*t), seq, Some((second, code2))),
                                    _ => (None, seq, None),
                                }
                            }
                            None => (None, second.seq, None),
                        },
                        Err(_) => (None, seq, None),
                    }
                }
            }
        }
    };
    let Some(tokens) = tokens else {
        let why = match spent {
            Some(t) => format!("no tokens could be obtained (the code exchange answered {t})"),
            None => "no tokens could be obtained".into(),
        };
        out.extend(
            login_skips(&why)
                .into_iter()
                .filter(|f| matches!(f.check.id, "code-single-use" | "refresh-rotation" | "token-lifetimes")),
        );
        return out;
    };

    out.push(lifetime_finding(&tokens, token_seq));
    // Rotation before the code replay: a server that follows RFC 6749 §4.1.2 revokes the tokens
    // of a replayed code, refresh token included.
    out.push(rotation_finding(a, &tokens, token_seq).await);
    // The same code again: a server MUST refuse it (RFC 6749 §4.1.2).
    if let Some((s, code)) = used {
        let (seq, r) = a
            .redeem(
                "Active probe: the same code redeemed a second time (expected: refused)",
                &s,
                &code,
                s.verifier.as_deref(),
                false,
            )
            .await;
        let spec = "RFC 6749 §4.1.2, §10.5";
        let c = match &r {
            Redeemed::Refused(_) => Check::pass("code-single-use", spec, "a code redeemed twice is refused"),
            Redeemed::Tokens(..) => Check::fail(
                "code-single-use",
                spec,
                "code_reusable",
                "a code redeemed twice gives tokens again: a stolen or logged code stays good until it expires",
            ),
            Redeemed::Unclear(_) => Check::warn("code-single-use", spec, "the answer proves neither"),
        };
        out.push(finding(c.with("refused (400 invalid_grant)", redeemed_text(&r)), Severity::High, &[token_seq, seq]));
    }
    out
}

fn pkce_finding(front: Option<(u32, &Answer)>, back: Option<(u32, &Redeemed)>) -> Finding {
    let mut steps = Vec::new();
    let mut seen = Vec::new();
    let mut weak = Vec::new();
    let mut unclear = false;
    if let Some((seq, a)) = front {
        steps.push(seq);
        seen.push(format!("no challenge: {}", text(a)));
        match a {
            Answer::Proceeded(_) => weak.push("an authorization request without a challenge went on"),
            Answer::Unclear(_) => unclear = true,
            Answer::Refused(_) => {}
        }
    }
    if let Some((seq, r)) = back {
        steps.push(seq);
        seen.push(format!("no verifier: {}", redeemed_text(r)));
        match r {
            Redeemed::Tokens(..) => weak.push("a code was exchanged without its verifier"),
            Redeemed::Unclear(_) => unclear = true,
            Redeemed::Refused(_) => {}
        }
    }
    let c = if !weak.is_empty() {
        Check::fail(
            "pkce-enforced",
            PKCE_SPEC,
            "pkce_not_enforced",
            format!("PKCE is not enforced: {}; a stolen code can be redeemed", weak.join(", and ")),
        )
    } else if back.is_none() {
        Check::warn("pkce-enforced", PKCE_SPEC, "only the authorization request could be probed (no sign-in)")
    } else if unclear {
        Check::warn("pkce-enforced", PKCE_SPEC, "an answer proves neither")
    } else {
        Check::pass(
            "pkce-enforced",
            PKCE_SPEC,
            "a code is not exchanged without its verifier (and a public client must send a challenge)",
        )
    };
    finding(c.with("refused", seen.join("; ")), Severity::High, &steps)
}

fn state_finding(s: &SignIn) -> Finding {
    let spec = "RFC 6749 §4.1.2, §10.12";
    let got = s.get("state");
    let c = if got == Some(s.state.as_str()) {
        Check::pass("state-echoed", spec, "the state comes back unchanged")
    } else {
        Check::fail(
            "state-echoed",
            spec,
            "state_not_echoed",
            "the state does not come back unchanged: clients cannot bind the response to their request (CSRF)",
        )
    };
    finding(c.with(&s.state, got.unwrap_or("(none)")), Severity::High, &[s.seq])
}

fn iss_finding(a: &Active, s: &SignIn) -> Finding {
    let spec = "RFC 9207 §2, RFC 9700 §4.4.2";
    let got = s.get("iss");
    let c = match got {
        Some(i) if i.trim_end_matches('/') == a.issuer => {
            Check::pass("iss-in-response", spec, "the authorization response names this issuer")
        }
        Some(_) => {
            Check::fail("iss-in-response", spec, "iss_mismatch", "the authorization response names another issuer")
        }
        None if a.iss_advertised => Check::fail(
            "iss-in-response",
            spec,
            "iss_missing",
            "the metadata says authorization responses carry iss, but this one has none: clients that follow RFC 9207 refuse it",
        ),
        None => Check::warn(
            "iss-in-response",
            spec,
            "no iss in the authorization response: clients of several providers are open to mix-up",
        ),
    };
    finding(c.with(a.issuer, got.unwrap_or("(none)")), Severity::Medium, &[s.seq])
}

/// An access token's lifetime: `expires_in`, or a JWT's `exp - iat`; judged against an hour.
fn lifetime_finding(t: &TokenSet, seq: u32) -> Finding {
    let spec = "RFC 6819 §5.1.5.3, RFC 9700 §4.14";
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let claims = inspector_engine::jwt::claims(&t.access_token);
    let exp = claims.as_ref().and_then(|c| c.get("exp")).and_then(|v| v.as_i64());
    let lifetime = t.expires_in.map(|e| e as i64).or_else(|| {
        let iat = claims.as_ref()?.get("iat")?.as_i64()?;
        Some(exp? - iat)
    });
    let actual = format!(
        "expires_in {}{}",
        t.expires_in.map_or("(absent)".into(), |e| format!("{e} s")),
        exp.map(|e| format!(", exp {} s from now", e - now)).unwrap_or_default()
    );
    let c = match (lifetime, exp) {
        (_, Some(e)) if e <= now => Check::fail(
            "token-lifetimes",
            spec,
            "token_expired_at_issue",
            "the access token was issued already expired",
        ),
        (Some(l), _) if l <= 3600 => {
            Check::pass("token-lifetimes", spec, format!("the access token lives {l} s (at most an hour)"))
        }
        (Some(l), _) => Check::warn(
            "token-lifetimes",
            spec,
            format!("the access token lives {l} s: a leaked one stays usable long; an hour or less is usual"),
        ),
        (None, _) => {
            Check::warn("token-lifetimes", spec, "the lifetime of the access token is not said (no expires_in, no exp)")
        }
    };
    finding(c.with("an access token of an hour or less", actual), Severity::Low, &[seq])
}

/// Refresh: is a new refresh token issued (rotation), is the old one then refused, and does
/// replaying it revoke the new one too (reuse detection, RFC 9700 §4.14.2)?
async fn rotation_finding(a: &Active<'_>, t: &TokenSet, token_seq: u32) -> Finding {
    let spec = "RFC 9700 §4.14.2";
    let id = "refresh-rotation";
    let severity = if a.public() { Severity::High } else { Severity::Medium };
    let Some(old) = t.refresh_token.clone() else {
        return finding(
            Check::skip(
                id,
                spec,
                "no refresh token was issued (ask for the offline_access scope, or allow refresh for this client)",
            )
            .with("a refresh token to probe", "none"),
            Severity::Info,
            &[token_seq],
        );
    };
    let (s1, r1) = a.refresh("Active probe: refresh", &old, true).await;
    let new = match &r1 {
        Redeemed::Tokens(n, _) => n.refresh_token.clone(),
        other => {
            let c = Check::warn(id, spec, "the refresh itself did not succeed, so rotation cannot be judged")
                .with("tokens", redeemed_text(other));
            return finding(c, severity, &[token_seq, s1]);
        }
    };
    let (s2, r2) = a.refresh("Active probe: the old refresh token again (expected: refused)", &old, false).await;
    let mut steps = vec![token_seq, s1, s2];
    let rotated = new.as_deref().is_some_and(|n| n != old);
    let c = match (rotated, &r2) {
        (_, Redeemed::Tokens(..)) => {
            let what = if rotated {
                "a new refresh token is issued, but the old one still works"
            } else {
                "the refresh token is not rotated and stays valid after use"
            };
            let c = if a.public() {
                Check::fail(
                    id,
                    spec,
                    "refresh_not_rotated",
                    format!("{what}: a leaked refresh token of a public client is good until it expires"),
                )
            } else {
                Check::warn(id, spec, format!("{what} (a confidential client: its credentials also protect it)"))
            };
            c.with("rotated, the used one refused", redeemed_text(&r2))
        }
        (_, Redeemed::Unclear(t)) => {
            Check::warn(id, spec, "the answer to the reused token proves neither").with("refused", t)
        }
        (false, Redeemed::Refused(t)) => Check::warn(
            id,
            spec,
            "no new refresh token came back, and the used one is refused: the client loses its refresh ability",
        )
        .with("a new refresh token", format!("none; old one {t}")),
        (true, Redeemed::Refused(_)) => {
            let new = new.unwrap_or_default();
            let (s3, r3) = a
                .refresh("Active probe: the new refresh token after the replay (expected: revoked)", &new, false)
                .await;
            steps.push(s3);
            match r3 {
                Redeemed::Refused(t) => Check::pass(id, spec, "refresh tokens are rotated, and replaying a used one revokes the grant")
                    .with("rotated, reuse detected", format!("old refused; new one then {t}")),
                Redeemed::Tokens(..) => Check::warn(
                    id,
                    spec,
                    "refresh tokens are rotated, but replaying a used one does not revoke the grant (no reuse detection)",
                )
                .with("rotated, reuse detected", "old refused; the new one still works"),
                Redeemed::Unclear(t) => Check::warn(id, spec, "rotated; whether reuse is detected is unclear").with("refused", t),
            }
        }
    };
    finding(c, severity, &steps)
}

/// The rows of the probes that need tokens or a sign-in, when there is neither.
fn login_skips(why: &str) -> Vec<Finding> {
    let rows: [(&'static str, &'static str); 5] = [
        ("state-echoed", "RFC 6749 §4.1.2, §10.12"),
        ("iss-in-response", "RFC 9207 §2, RFC 9700 §4.4.2"),
        ("code-single-use", "RFC 6749 §4.1.2, §10.5"),
        ("refresh-rotation", "RFC 9700 §4.14.2"),
        ("token-lifetimes", "RFC 6819 §5.1.5.3, RFC 9700 §4.14"),
    ];
    rows.iter()
        .map(|&(id, spec)| finding(Check::skip(id, spec, format!("not probed: {why}")), Severity::Info, &[]))
        .collect()
}
