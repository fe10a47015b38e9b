//! The API probe: from a request to the user's API that succeeds with a valid token, it sends the
//! same request with each kind of wrong token an attacker would try (none, another scheme, a
//! malformed header, a tampered signature, `alg: none`, an unknown `kid`, expired, another
//! audience or issuer, too few scopes, revoked, in the query string) and reports, per variant,
//! what a correct API answers (RFC 6750 §3), what came and a verdict.
//!
//! Every request goes through the engine's one sender with the recorder of a session of its own
//! (flow `probe_api`), so each is a step; requests are spaced out (rate limit), redirects are
//! reported and never followed, and nothing goes to a non-loopback host unless confirmed.

mod forge;
mod judge;

use std::sync::Arc;
use std::time::{Duration, Instant};

use inspector_engine::discovery::{Endpoints, ProviderSource};
use inspector_engine::flows::common::{ClientSecrets, ClientSettings};
use inspector_engine::flows::{client_credentials, ops};
use inspector_engine::http::{Exchange, HttpClient};
use inspector_engine::step::{HttpRequest, Lane, SecretMark, Step, StepStatus};
use inspector_engine::{FlowEvent, Recorder, Secret};
use inspector_store::{NewSession, Run, View};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::host::Host;
use crate::request::{Operation, RunRequest};
use crate::{Core, resolve};

pub use judge::Expect;

/// The flow name probe sessions are saved under.
pub const FLOW: &str = "probe_api";
/// The least time between two requests of a probe, unless asked for more.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// What to probe and with what.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
#[ts(optional_fields)]
pub struct ProbeRequest {
    /// Default `GET`.
    pub method: Option<String>,
    pub url: String,
    /// Headers of the baseline request, as given; not `Authorization` (the probe sets it).
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// The valid token…
    #[ts(type = "string")]
    pub token: Option<Secret>,
    /// …or a saved session holding it (whose client, if any, also serves for client credentials).
    pub session: Option<i64>,
    /// A scope the call needs: the probe then sends a token without it and expects 403.
    pub scope_required: Option<String>,
    /// A client for client credentials (a token now, a narrower one, one to revoke): `issuer`,
    /// `client_id`, `client_secret`, or a saved `provider`/`client`. The operation is ignored.
    pub client: Option<RunRequest>,
    /// The user agreed to send to hosts that are not loopback.
    pub confirmed: bool,
    /// Milliseconds between requests; never less than [`MIN_INTERVAL`].
    pub interval_ms: Option<u64>,
    pub timeout_secs: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The API refused the variant.
    Secure,
    /// The API accepted it.
    Vulnerable,
    /// The variant could not be made or sent, or the answer proves neither.
    Inconclusive,
}

/// One row of the report. It is a [`Check`](inspector_engine::check::Check) with the probe's
/// three-way verdict instead of pass/fail/warn/skip and its steps as evidence; `to_check` maps
/// it onto the shared type (secure → pass, vulnerable → fail, inconclusive → skip).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ProbeRow {
    /// Stable: `no-token`, `expired-token`, …
    pub id: &'static str,
    pub verdict: Verdict,
    /// What a correct API answers.
    pub expected: String,
    /// What came (`401 invalid_token`, `200`, …), or why nothing was sent.
    pub actual: String,
    pub explanation: String,
    pub spec: &'static str,
    /// The steps (their `seq`) that show it: minting or revoking, and the request itself.
    pub steps: Vec<u32>,
}

impl ProbeRow {
    pub fn to_check(&self) -> inspector_engine::check::Check {
        use inspector_engine::check::Check;
        let c = match self.verdict {
            Verdict::Secure => Check::pass(self.id, self.spec, self.explanation.clone()),
            Verdict::Vulnerable => Check::fail(self.id, self.spec, "vulnerable", self.explanation.clone()),
            Verdict::Inconclusive => Check::skip(self.id, self.spec, self.explanation.clone()),
        };
        c.with(self.expected.clone(), self.actual.clone())
    }
}

/// The baseline request: whether it succeeded, as a probe needs it to.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Baseline {
    pub ok: bool,
    pub actual: String,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct ProbeReport {
    pub session_id: Option<i64>,
    pub baseline: Baseline,
    pub rows: Vec<ProbeRow>,
    /// A failure to save, reported apart from the probe's result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_error: Option<String>,
}

impl ProbeReport {
    pub fn vulnerable(&self) -> bool {
        self.rows.iter().any(|r| r.verdict == Verdict::Vulnerable)
    }
}

fn usage(msg: impl Into<String>) -> AppError {
    AppError::usage("invalid_input", msg)
}

/// Whether `url`'s host is this machine: `localhost` (RFC 6761 §6.3), `*.localhost` or a loopback IP.
pub fn is_loopback(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else { return false };
    match u.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_else(|| url.to_string())
}

impl ProbeRequest {
    /// The hosts this request names that are not loopback (the API's, the issuer's), which the
    /// user must agree to probe. A saved provider's is found only when the probe resolves it.
    pub fn remote_hosts(&self) -> Vec<String> {
        let mut urls = vec![self.url.as_str()];
        if let Some(i) = self.client.as_ref().and_then(|c| c.issuer.as_deref()) {
            urls.push(i);
        }
        let mut hosts: Vec<String> = urls.into_iter().filter(|u| !is_loopback(u)).map(host_of).collect();
        hosts.dedup();
        hosts
    }

    fn check(&self) -> Result<(String, Vec<(String, String)>), AppError> {
        let method = self.method.clone().unwrap_or_else(|| "GET".into()).trim().to_ascii_uppercase();
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(usage(format!("expected an HTTP method such as GET or POST, got {method:?}")));
        }
        match url::Url::parse(&self.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            Ok(u) => return Err(usage(format!("expected an http(s) URL of the API, got a {} URL", u.scheme()))),
            Err(e) => {
                return Err(usage(format!(
                    "expected the API's URL (https://api.example.com/…), got {:?}: {e}",
                    self.url
                )));
            }
        }
        let mut headers = Vec::new();
        for (name, value) in &self.headers {
            let name = name.trim();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                return Err(usage(format!("expected a header \"Name: value\", got the name {name:?}")));
            }
            if name.eq_ignore_ascii_case("authorization") {
                return Err(usage(
                    "the baseline's Authorization header is the probe's to set: give the token as the token \
                     (--token) instead of a header",
                ));
            }
            headers.push((name.to_string(), value.trim().to_string()));
        }
        Ok((method, headers))
    }
}

/// The request's client, when it names one (or its session does): for tokens made now and revocation.
struct Client {
    settings: ClientSettings,
    secrets: ClientSecrets,
}

/// Spaces requests at least `interval` apart.
struct Pacer {
    interval: Duration,
    last: Option<Instant>,
}

impl Pacer {
    async fn wait(&mut self) {
        if let Some(last) = self.last {
            let due = last + self.interval;
            let now = Instant::now();
            if due > now {
                tokio::time::sleep(due - now).await;
            }
        }
        self.last = Some(Instant::now());
    }
}

/// What a probe holds while it runs.
struct Probe<'a> {
    http: HttpClient,
    rec: &'a Recorder,
    pacer: Pacer,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    /// A subscription of the probe's own, to know the numbers of the steps (a row's evidence).
    seen: tokio::sync::mpsc::UnboundedReceiver<FlowEvent>,
    last: u32,
    /// Keys for diagnosing a refused baseline.
    jwks: &'a inspector_token::JwksFetcher,
    /// An access token of a saved session from the same issuer, past its `exp`: a validly signed
    /// expired token where no mint is.
    saved_expired: Option<(i64, Secret)>,
}

/// How a variant presents its token.
enum Carry<'t> {
    None,
    Header(String),
    Query(&'t str),
}

impl Probe<'_> {
    fn request(&self, carry: &Carry) -> HttpRequest {
        let mut url = self.url.clone();
        let mut headers = self.headers.clone();
        match carry {
            Carry::None => {}
            Carry::Header(value) => headers.push(("authorization".into(), value.clone())),
            Carry::Query(token) => {
                if let Ok(mut u) = url::Url::parse(&url) {
                    u.query_pairs_mut().append_pair("access_token", token);
                    url = u.to_string();
                }
            }
        }
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("user-agent")) {
            headers.push(("user-agent".into(), inspector_engine::http::USER_AGENT.into()));
        }
        HttpRequest { method: self.method.clone(), url, headers, body: self.body.clone() }
    }

    /// Sends one request to the API (after the pause), recorded as a step; returns it and its seq.
    async fn send(&mut self, title: String, carry: Carry<'_>, token: Option<&str>) -> (Exchange, u32) {
        self.pacer.wait().await;
        let mut marks: Vec<SecretMark> = token.map(|t| vec![SecretMark::new("access_token", t)]).unwrap_or_default();
        if let Carry::Header(v) = &carry {
            marks.push(SecretMark::new("authorization_header", v.as_str()));
        }
        let ex = self.http.send(self.rec, self.request(&carry), &mut marks).await;
        let seq = self.push(Step::http(title, &ex, marks, Ok(())).lanes(Lane::App, Lane::ResourceApi));
        (ex, seq)
    }

    /// Publishes `step` and returns the number it got.
    fn push(&mut self, step: Step) -> u32 {
        self.rec.push(step);
        self.last_seq()
    }

    /// The number of the last step published so far, by the probe or a flow it ran.
    fn last_seq(&mut self) -> u32 {
        while let Ok(ev) = self.seen.try_recv() {
            if let FlowEvent::Step(s) = ev {
                self.last = s.seq;
            }
        }
        self.last
    }
}

/// The token's issuer when it names one (a JWT's `iss`).
fn token_issuer(token: &str) -> Option<String> {
    inspector_engine::jwt::claims(token).and_then(|c| c["iss"].as_str().map(str::to_string))
}

impl Core {
    /// Probes the API as `req` says, publishing every step to `host` (redacted). Bad input, a
    /// missing token or an unconfirmed remote host come back as `Err` before anything is sent.
    pub async fn probe(&self, req: ProbeRequest, host: Arc<dyn Host>) -> Result<ProbeReport, AppError> {
        let (method, headers) = req.check()?;
        let client = self.probe_client(&req).await?;
        if !req.confirmed {
            let mut remote = req.remote_hosts();
            if let Some(c) = &client {
                let target = match &c.settings.provider {
                    ProviderSource::Issuer { issuer } => Some(issuer.clone()),
                    ProviderSource::Manual { endpoints } => endpoints.token_endpoint.clone(),
                };
                remote.extend(target.filter(|t| !is_loopback(t)).map(|t| host_of(&t)));
            }
            remote.dedup();
            if !remote.is_empty() {
                return Err(AppError::usage(
                    "confirmation_needed",
                    format!(
                        "the probe sends deliberately bad requests to {}, which is not this machine: confirm first \
                         (the window asks; the CLI takes --yes), and only probe APIs you may test",
                        remote.join(", ")
                    ),
                ));
            }
        }
        let saved_token = match (&req.token, req.session) {
            (Some(_), _) => None,
            (None, Some(id)) => {
                let store = self.store().ok_or_else(|| usage("a saved session needs the session database"))?;
                let s = store.require(id, View::Full).await?;
                let t = s
                    .tokens
                    .as_ref()
                    .map(|t| t.access_token.clone())
                    .ok_or_else(|| AppError::failed("no_tokens", format!("session {id} holds no access token")))?;
                Some(Secret::new(t))
            }
            (None, None) if client.is_some() => None,
            (None, None) => {
                return Err(usage(
                    "expected a token (--token), a saved session holding one (--session), or a client to get one \
                     by client credentials (--issuer --client-id --client-secret, or --provider --client)",
                ));
            }
        };
        let given = req.token.clone().or(saved_token);
        let issuer = given.as_ref().and_then(|t| token_issuer(t.expose()));
        let saved_expired = match &issuer {
            Some(i) => self.saved_expired_token(i).await,
            None => None,
        };

        let provider = match (&client, given.as_ref().and_then(|t| token_issuer(t.expose()))) {
            (Some(c), _) => c.settings.provider.clone(),
            (None, Some(iss)) => ProviderSource::Issuer { issuer: iss },
            (None, None) => {
                ProviderSource::Manual { endpoints: Endpoints { issuer: Some(req.url.clone()), ..Default::default() } }
            }
        };
        let settings = serde_json::json!({
            "provider": provider, "client_id": client.as_ref().map(|c| c.settings.client_id.clone()).unwrap_or_default(),
            "method": method, "url": req.url, "header_names": headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            "scope_required": req.scope_required, "session": req.session,
        });
        let client_id = client.as_ref().map(|c| c.settings.client_id.as_str()).unwrap_or("");
        let mut new = NewSession::for_flow(FLOW, &provider, client_id, &settings);
        new.title = format!("API probe · {method} {}", req.url);
        let mut run = Run::start(self.writer(), &new).await?;
        host.started(run.session_id());
        let forward = crate::run::forward(run.subscribe(), host.clone(), crate::Login::Print, run.recorder.weak());
        let seen = run.subscribe();
        let mut http = HttpClient::new(Duration::from_secs(req.timeout_secs.unwrap_or(30)));
        if let Some(gate) = host.gate() {
            http = http.with_gate(gate);
        }
        let interval = Duration::from_millis(req.interval_ms.unwrap_or(0)).max(MIN_INTERVAL);
        let mut probe = Probe {
            http,
            rec: &run.recorder,
            pacer: Pacer { interval, last: None },
            method,
            url: req.url.clone(),
            headers,
            body: req.body.clone(),
            seen,
            last: 0,
            jwks: self.jwks(),
            saved_expired,
        };
        let result = crate::run::until_cancelled(host.as_ref(), probe.run(&req, given, client.as_ref())).await;
        let (baseline, rows) = match result {
            Ok(r) => r,
            // Only getting the token by client credentials stops a probe; its steps are saved.
            Err(e) => {
                run.finish(Err(e.clone())).await;
                let _ = forward.await;
                return Err(e.into());
            }
        };
        run.recorder.local(
            format!(
                "API probe report: {} vulnerable, {} secure, {} inconclusive",
                rows.iter().filter(|r| r.verdict == Verdict::Vulnerable).count(),
                rows.iter().filter(|r| r.verdict == Verdict::Secure).count(),
                rows.iter().filter(|r| r.verdict == Verdict::Inconclusive).count()
            ),
            if rows.iter().any(|r| r.verdict == Verdict::Vulnerable) || !baseline.ok {
                StepStatus::Failed
            } else {
                StepStatus::Ok
            },
            serde_json::json!({"baseline": baseline, "checks": rows}),
        );
        let outcome = if baseline.ok {
            Ok(None)
        } else {
            Err(inspector_engine::FlowError::new(
                inspector_engine::ErrorCode::UnexpectedStatus,
                format!("the baseline request did not succeed ({}): {}", baseline.actual, baseline.explanation),
            ))
        };
        let done = run.finish(outcome).await;
        let _ = forward.await;
        Ok(ProbeReport {
            session_id: done.session_id,
            baseline,
            rows,
            store_error: done.store_error.map(|e| e.to_string()),
        })
    }

    /// The client named by the request (or by its session), resolved as a run resolves it.
    async fn probe_client(&self, req: &ProbeRequest) -> Result<Option<Client>, AppError> {
        let named = req.client.as_ref().filter(|c| {
            c.issuer.is_some() || c.provider.is_some() || c.client_id.is_some() || c.endpoints != Endpoints::default()
        });
        let mut run_req = match (named, req.session) {
            (Some(c), _) => c.clone(),
            (None, Some(id)) => RunRequest { session: Some(id), ..Default::default() },
            (None, None) => return Ok(None),
        };
        run_req.operation = Operation::ClientCredentials;
        run_req.session = run_req.session.or(req.session);
        match resolve::resolve(self.store(), &run_req).await {
            Ok(r) => Ok(Some(Client { settings: r.settings, secrets: r.secrets })),
            // A session that names no usable client still gives its token.
            Err(_) if named.is_none() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// One variant: its stable id, the step title, what a correct API answers, what an acceptance
/// means, and the spec it rests on.
struct Variant {
    id: &'static str,
    title: &'static str,
    expect: Expect,
    flaw: &'static str,
    spec: &'static str,
}

const fn v(id: &'static str, title: &'static str, expect: Expect, flaw: &'static str, spec: &'static str) -> Variant {
    Variant { id, title, expect, flaw, spec }
}

const VARIANTS: &[Variant] = &[
    v("no-token", "no token", Expect::Unauthenticated, "serves the call without any token", "RFC 6750 §3.1"),
    v(
        "wrong-scheme",
        "the token under another scheme (Token)",
        Expect::Unauthenticated,
        "takes the token under a scheme other than Bearer",
        "RFC 6750 §2.1, §3.1",
    ),
    v(
        "malformed-header",
        "a malformed Authorization header (text after the token)",
        Expect::InvalidRequest,
        "accepts a malformed Authorization header",
        "RFC 6750 §2.1, §3.1",
    ),
    v("lowercase-scheme", "the scheme spelled bearer", Expect::Accepted, "", "RFC 9110 §11.1"),
    v(
        "tampered-signature",
        "the signature tampered with",
        Expect::InvalidToken,
        "does not verify the token's signature",
        "RFC 7515 §5.2, RFC 9068 §4",
    ),
    v(
        "alg-none",
        "the token rewritten to alg none, unsigned",
        Expect::InvalidToken,
        "accepts unsigned tokens (alg none)",
        "RFC 8725 §3.1, RFC 9068 §4",
    ),
    v(
        "unknown-kid",
        "signed by a key not in the issuer's JWKS (unknown kid)",
        Expect::InvalidToken,
        "trusts a key the issuer does not publish (unknown kid)",
        "RFC 8725 §3.1, RFC 9068 §4",
    ),
    v(
        "expired-token",
        "an expired token",
        Expect::InvalidToken,
        "accepts expired tokens",
        "RFC 7519 §4.1.4, RFC 9068 §4",
    ),
    v(
        "wrong-audience",
        "a token for another audience",
        Expect::InvalidToken,
        "accepts tokens meant for another audience",
        "RFC 9068 §4, RFC 8725 §3.9",
    ),
    v(
        "wrong-issuer",
        "a token from another issuer",
        Expect::InvalidToken,
        "accepts tokens from another issuer",
        "RFC 9068 §4, RFC 8725 §3.8",
    ),
    v(
        "missing-scope",
        "a token without the required scope",
        Expect::InsufficientScope,
        "does not check the token's scope",
        "RFC 6750 §3.1",
    ),
    v(
        "revoked-token",
        "a revoked token",
        Expect::InvalidToken,
        "accepts revoked tokens (it does not introspect, RFC 7662)",
        "RFC 7009 §2, RFC 7662 §2",
    ),
    v(
        "query-token",
        "the token in the query string (?access_token=)",
        Expect::Unauthenticated,
        "takes the token from the query string",
        "RFC 9700 §2.5, RFC 6750 §2.3",
    ),
];

fn variant(id: &str) -> &'static Variant {
    VARIANTS.iter().find(|v| v.id == id).expect("a known variant id")
}

impl Variant {
    fn row(
        &self,
        verdict: Verdict,
        actual: impl Into<String>,
        explanation: impl Into<String>,
        steps: Vec<u32>,
    ) -> ProbeRow {
        ProbeRow {
            id: self.id,
            verdict,
            expected: self.expect.text().into(),
            actual: actual.into(),
            explanation: explanation.into(),
            spec: self.spec,
            steps,
        }
    }

    /// A variant that could not be made: nothing sent, and what would make it possible.
    fn not_made(&self, why: impl Into<String>, steps: Vec<u32>) -> ProbeRow {
        self.row(Verdict::Inconclusive, "not sent", why, steps)
    }
}

const NO_MINT: &str = "the token's issuer advertises no inspector_mint_endpoint (only the built-in sandbox mints)";

impl Core {
    /// The newest saved session's access token from `issuer` that is a JWT past its `exp`.
    async fn saved_expired_token(&self, issuer: &str) -> Option<(i64, Secret)> {
        let store = self.store()?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
        for s in store.list(200).await.ok()?.into_iter().filter(|s| s.outcome == "ok") {
            let Ok(rec) = store.require(s.id, View::Full).await else { continue };
            let Some(t) = rec.tokens.map(|t| t.access_token) else { continue };
            let Some(claims) = inspector_engine::jwt::claims(&t) else { continue };
            let exp = claims["exp"].as_i64().unwrap_or(i64::MAX);
            if claims["iss"].as_str() == Some(issuer) && exp < now - 60 {
                return Some((s.id, Secret::new(t)));
            }
        }
        None
    }
}

impl Probe<'_> {
    /// Why the API refused the baseline, from the one diagnosis of 401/403 (`inspector_token::
    /// diagnose`: the challenge, and the token checked against its issuer's keys), as a step of
    /// the probe; the first cause's summary and fix.
    async fn why_refused(&self, ex: &Exchange, token: &str) -> Option<String> {
        use inspector_token::http::{Request, Response};
        let r = ex.response.as_ref().ok().filter(|r| matches!(r.status, 401 | 403))?;
        let req = Request {
            method: ex.request.method.clone(),
            target: ex.request.url.clone(),
            headers: ex.request.headers.clone(),
            body: ex.request.body.clone().unwrap_or_default(),
            from_curl: false,
        };
        let resp =
            Response { status: r.status, reason: String::new(), headers: r.headers.clone(), body: r.body.clone() };
        // The keys of the issuer the token names: unverified, but only to look its keys up.
        let issuer = inspector_engine::jwt::claims(token).and_then(|c| c["iss"].as_str().map(str::to_string));
        let keys = inspector_token::KeySource {
            jwks: issuer.filter(|i| i.starts_with("http")).map(inspector_token::JwksSource::Issuer),
            secret: None,
        };
        let opts = inspector_token::diagnose::DiagnoseOptions {
            keys,
            expected_issuer: None,
            audiences: vec![],
            now: None,
            leeway: 60,
        };
        let d =
            inspector_token::jwks::recording(self.rec.weak(), inspector_token::diagnose(&req, &resp, &opts, self.jwks))
                .await
                .ok()?;
        let causes: Vec<serde_json::Value> = d
            .causes
            .iter()
            .map(|c| serde_json::json!({"summary": c.summary, "fix": c.fix, "evidence": c.evidence}))
            .collect();
        self.rec.push(
            Step::local(
                "API probe: why the baseline was refused (diagnosis)",
                StepStatus::Warning,
                serde_json::json!({"status": d.status, "challenges": d.challenges.iter().map(|c| c.to_string()).collect::<Vec<_>>(), "causes": causes}),
            )
            .secrets(vec![SecretMark::new("access_token", token)]),
        );
        d.causes.first().map(|c| c.summary.clone())
    }

    /// The baseline, then each variant.
    async fn run(
        &mut self,
        req: &ProbeRequest,
        given: Option<Secret>,
        client: Option<&Client>,
    ) -> Result<(Baseline, Vec<ProbeRow>), inspector_engine::FlowError> {
        let token = match given {
            Some(t) => t,
            None => {
                let c = client.expect("a token or a client, checked before the run");
                self.pacer.wait().await;
                Secret::new(client_credentials::run(&self.http, self.rec, &c.settings, &c.secrets).await?.access_token)
            }
        };
        let t = token.expose();
        let have = forge::scopes(t);
        let required = req.scope_required.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let lacks = match (required, &have) {
            (Some(s), Some(have)) => Some(!have.iter().any(|h| h == s)),
            (Some(_), None) => None,
            (None, _) => Some(false),
        };

        let (ex, seq) = self
            .send("API probe: baseline, the valid token".into(), Carry::Header(format!("Bearer {t}")), Some(t))
            .await;
        let status = ex.response.as_ref().map(|r| r.status).ok();
        let actual = match &ex.response {
            Ok(r) => judge::actual(r),
            Err(e) => format!("no answer: {}", e.message),
        };
        let scope_row = variant("missing-scope");
        let mut rows = Vec::new();
        match (status, required) {
            (Some(200..=299), _) => {
                if let (Some(true), Some(s)) = (lacks, required) {
                    rows.push(scope_row.row(
                        Verdict::Vulnerable,
                        actual.clone(),
                        format!("the baseline token lacks {s:?} and the API answered it: it {}", scope_row.flaw),
                        vec![seq],
                    ));
                }
            }
            (Some(403), Some(s)) if lacks != Some(false) => {
                rows.push(scope_row.row(
                    Verdict::Secure,
                    actual.clone(),
                    format!("the token lacks {s:?} and the baseline was refused with 403, as RFC 6750 §3.1 says"),
                    vec![seq],
                ));
                let why = format!(
                    "the token lacks {s:?}, so the API refuses every variant for that alone; probe with a token that has {s:?}"
                );
                rows.extend(
                    VARIANTS.iter().filter(|v| v.id != "missing-scope").map(|v| v.not_made(why.clone(), vec![])),
                );
                let baseline = Baseline {
                    ok: true,
                    actual,
                    explanation: format!("refused with 403 because the token lacks {s:?}: correct, not an error"),
                };
                return Ok((baseline, rows));
            }
            _ => {
                let explanation = match &ex.response {
                    Ok(r) if (300..400).contains(&r.status) => {
                        "the API redirected (not followed); the probe needs a request that succeeds with the token"
                            .to_string()
                    }
                    Ok(_) => {
                        let why = self.why_refused(&ex, t).await;
                        let fix =
                            "fix the request (method, URL, headers, body) or the token until it succeeds, then probe";
                        match why {
                            Some(w) => format!("the API refused the token: {w}; {fix}"),
                            None => format!("the API refused the valid token: {fix}"),
                        }
                    }
                    Err(_) => "the API did not answer".to_string(),
                };
                let why = "not sent: the baseline request must succeed first";
                rows.extend(VARIANTS.iter().map(|v| v.not_made(why, vec![])));
                return Ok((Baseline { ok: false, actual, explanation }, rows));
            }
        }

        let mint = self.find_mint(t).await;
        for v in VARIANTS {
            if rows.iter().any(|r| r.id == v.id) {
                continue;
            }
            let mark = self.last_seq();
            let made: Result<(Carry, Option<String>), String> = match v.id {
                "no-token" => Ok((Carry::None, None)),
                "wrong-scheme" => Ok((Carry::Header(format!("Token {t}")), Some(t.to_string()))),
                "malformed-header" => Ok((Carry::Header(format!("Bearer {t} extra")), Some(t.to_string()))),
                "lowercase-scheme" => Ok((Carry::Header(format!("bearer {t}")), Some(t.to_string()))),
                "tampered-signature" => forge::tampered(t).map(|x| (Carry::Header(format!("Bearer {x}")), Some(x))),
                "alg-none" => forge::alg_none(t).map(|x| (Carry::Header(format!("Bearer {x}")), Some(x))),
                "unknown-kid" | "expired-token" | "wrong-audience" | "wrong-issuer" => {
                    let name = match v.id {
                        "unknown-kid" => "unknown_kid",
                        "expired-token" => "expired",
                        "wrong-audience" => "audience",
                        _ => "issuer",
                    };
                    (match (&mint, &self.saved_expired) {
                        (Some(m), _) => forge::mint(&self.http, self.rec, m, t, name, None)
                            .await
                            .map_err(|e| format!("the sandbox did not mint it: {e}")),
                        (None, Some((session, old))) if v.id == "expired-token" => {
                            self.rec.push(
                                Step::local(
                                    format!("API probe: an expired token of saved session {session}, validly signed by the same issuer"),
                                    StepStatus::Ok,
                                    serde_json::json!({"session": session, "exp": inspector_engine::jwt::claims(old.expose()).map(|c| c["exp"].clone())}),
                                )
                                .secrets(vec![SecretMark::new("access_token", old.expose())]),
                            );
                            Ok(old.expose().to_string())
                        }
                        (None, _) => Err(format!(
                            "{NO_MINT}; a validly signed {} token must come from the issuer itself{}",
                            v.title.trim_start_matches("a token ").trim_start_matches("an "),
                            if v.id == "expired-token" {
                                " (probe once more with --token set to an expired token of a saved session, to see it refused)"
                            } else {
                                ""
                            }
                        )),
                    })
                    .map(|x| (Carry::Header(format!("Bearer {x}")), Some(x)))
                }
                "missing-scope" => self.narrower(t, required, have.as_deref(), mint.as_ref(), client).await,
                "revoked-token" => self.revoked(t, have.as_deref(), mint.as_ref(), client).await,
                "query-token" => Ok((Carry::Query(t), Some(t.to_string()))),
                _ => unreachable!("every variant is listed"),
            };
            let (carry, sent) = match made {
                Ok(m) => m,
                Err(why) => {
                    let steps = (mark + 1..=self.last_seq()).collect();
                    rows.push(v.not_made(why, steps));
                    continue;
                }
            };
            let (ex, _) = self.send(format!("API probe: {}", v.title), carry, sent.as_deref()).await;
            let (verdict, actual, explanation) = judge::judge(v.expect, v.flaw, &ex.response);
            let steps = (mark + 1..=self.last_seq()).collect();
            rows.push(v.row(verdict, actual, explanation, steps));
        }
        rows.sort_by_key(|r| VARIANTS.iter().position(|v| v.id == r.id));
        let baseline = Baseline { ok: true, actual, explanation: "the valid token is accepted".into() };
        Ok((baseline, rows))
    }

    /// The mint endpoint of the token's issuer, when that issuer is on this machine and
    /// advertises one in its discovery document.
    async fn find_mint(&mut self, token: &str) -> Option<forge::Mint> {
        let issuer = token_issuer(token).filter(|i| is_loopback(i))?;
        let url = inspector_engine::discovery::well_known_urls(&issuer).ok()?[0].clone();
        self.pacer.wait().await;
        let ex = self.http.send(self.rec, HttpClient::get(&url), &mut Vec::new()).await;
        let endpoint = ex
            .response
            .as_ref()
            .ok()
            .filter(|r| r.status == 200)
            .and_then(|r| inspector_engine::http::json_object(r, "discovery").ok())
            .and_then(|m| m.get("inspector_mint_endpoint").and_then(|e| e.as_str()).map(str::to_string))
            .filter(|e| is_loopback(e));
        let title = match &endpoint {
            Some(_) => format!("Discovery of the token's issuer: GET {url} (it mints probe variants)"),
            None => format!("Discovery of the token's issuer: GET {url} (no mint endpoint)"),
        };
        self.push(Step::http(title, &ex, vec![], Ok(())));
        endpoint.map(|endpoint| forge::Mint { endpoint })
    }

    /// A token like `t` but without the required scope: minted, or by client credentials.
    async fn narrower(
        &mut self,
        t: &str,
        required: Option<&str>,
        have: Option<&[String]>,
        mint: Option<&forge::Mint>,
        client: Option<&Client>,
    ) -> Result<(Carry<'static>, Option<String>), String> {
        let Some(s) = required else {
            return Err("give the scope this call needs (--scope-required S) to test a token without it".into());
        };
        let keep: Option<String> = have.map(|h| h.iter().filter(|x| *x != s).cloned().collect::<Vec<_>>().join(" "));
        let token = if let (Some(m), Some(keep)) = (mint, keep.as_deref()) {
            forge::mint(&self.http, self.rec, m, t, "scope", Some(keep))
                .await
                .map_err(|e| format!("the sandbox did not mint it: {e}"))?
        } else if let Some(c) = client {
            let keep = keep.filter(|k| !k.is_empty()).ok_or_else(|| {
                format!(
                    "the token's scopes are unknown or only {s:?}: there is no narrower scope to ask the client for"
                )
            })?;
            let mut settings = c.settings.clone();
            settings.scope = Some(keep);
            self.pacer.wait().await;
            let got = client_credentials::run(&self.http, self.rec, &settings, &c.secrets)
                .await
                .map_err(|e| format!("client credentials for a narrower token failed: {}", e.message))?;
            if forge::scopes(&got.access_token).is_some_and(|g| g.iter().any(|x| x == s)) {
                return Err(format!(
                    "the server granted {s:?} although it was not asked for; no narrower token to send"
                ));
            }
            got.access_token
        } else {
            return Err(format!(
                "{NO_MINT}; give --client-id/--client-secret (with --issuer) or --provider/--client to get a narrower token"
            ));
        };
        Ok((Carry::Header(format!("Bearer {token}")), Some(token)))
    }

    /// A revoked token: minted revoked by a sandbox, or got by client credentials and revoked (RFC 7009).
    async fn revoked(
        &mut self,
        t: &str,
        have: Option<&[String]>,
        mint: Option<&forge::Mint>,
        client: Option<&Client>,
    ) -> Result<(Carry<'static>, Option<String>), String> {
        let token = if let Some(m) = mint {
            forge::mint(&self.http, self.rec, m, t, "revoked", None)
                .await
                .map_err(|e| format!("the sandbox did not mint it: {e}"))?
        } else if let Some(c) = client {
            let mut settings = c.settings.clone();
            if let Some(h) = have.filter(|h| !h.is_empty()) {
                settings.scope = Some(h.join(" "));
            }
            self.pacer.wait().await;
            let got = client_credentials::run(&self.http, self.rec, &settings, &c.secrets)
                .await
                .map_err(|e| format!("client credentials for a token to revoke failed: {}", e.message))?;
            let fresh = Secret::new(got.access_token);
            self.pacer.wait().await;
            ops::revoke(&self.http, self.rec, &settings, &c.secrets, &fresh, Some("access_token"))
                .await
                .map_err(|e| format!("revoking it failed: {}", e.message))?;
            fresh.expose().to_string()
        } else {
            return Err(format!(
                "{NO_MINT}; give a client (--issuer --client-id --client-secret, or --provider --client) whose provider has \
                 a revocation endpoint, to get a token, revoke it (RFC 7009) and send it"
            ));
        };
        Ok((Carry::Header(format!("Bearer {token}")), Some(token)))
    }
}
