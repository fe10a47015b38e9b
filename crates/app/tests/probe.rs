//! The API probe over real loopback HTTP: against a small, deliberately vulnerable API written
//! here (one switch per flaw, verifying sandbox tokens against the sandbox's JWKS on its own with
//! jsonwebtoken, and introspecting them at the sandbox), and against the sandbox's own demo API.
//! Tokens come from the in-process sandbox, the session goes to a temporary store.

mod common;

use common::core;

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use inspector_app::engine::step::{Lane, StepKind};
use inspector_app::engine::{FlowEvent, Secret};
use inspector_app::probe::{ProbeReport, ProbeRequest, Verdict};
use inspector_app::store::View;
use inspector_app::{Host, RunRequest};
use serde_json::{Value, json};

const SERVICE: (&str, &str) = ("sandbox-service", "sandbox-service-secret");
const SCOPE: &str = "orders.read";

struct QuietHost(Mutex<Vec<FlowEvent>>);

impl Host for QuietHost {
    fn event(&self, event: FlowEvent) {
        self.0.lock().unwrap().push(event);
    }
    fn open_browser(&self, _: &str) -> Result<(), String> {
        Err("no browser in this test".into())
    }
}

fn host() -> Arc<QuietHost> {
    Arc::new(QuietHost(Mutex::default()))
}

async fn service_token(issuer: &str, scope: &str) -> String {
    let body: Value = reqwest::Client::new()
        .post(format!("{issuer}/token"))
        .basic_auth(SERVICE.0, Some(SERVICE.1))
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// One switch per flaw; all off is a correct resource server.
#[derive(Debug, Clone, Copy, Default)]
struct Flaws {
    accepts_expired: bool,
    ignores_audience: bool,
    ignores_issuer: bool,
    accepts_alg_none: bool,
    skips_signature: bool,
    trusts_unknown_kid: bool,
    ignores_scope: bool,
    ignores_revocation: bool,
    takes_query_token: bool,
    takes_any_scheme: bool,
}

struct Api {
    flaws: Flaws,
    issuer: String,
    jwks: Value,
    http: reqwest::Client,
}

fn refuse(status: StatusCode, error: Option<&str>) -> Response {
    let mut challenge = "Bearer realm=\"test-api\"".to_string();
    if let Some(e) = error {
        challenge.push_str(&format!(", error=\"{e}\""));
    }
    if status == StatusCode::FORBIDDEN {
        challenge.push_str(&format!(", scope=\"{SCOPE}\""));
    }
    (status, [(header::WWW_AUTHENTICATE, challenge)]).into_response()
}

fn part(s: &str) -> Option<Value> {
    serde_json::from_slice(&B64.decode(s).ok()?).ok()
}

/// The claims of a token whose signature checks out (or is skipped, as the flaws say).
fn verified_claims(api: &Api, token: &str) -> Option<Value> {
    let (input, sig) = token.rsplit_once('.')?;
    let (h, p) = input.split_once('.')?;
    let (head, claims) = (part(h)?, part(p)?);
    let alg = head["alg"].as_str()?;
    if alg == "none" {
        return api.flaws.accepts_alg_none.then_some(claims);
    }
    if api.flaws.skips_signature {
        return Some(claims);
    }
    let Some(jwk) = api.jwks["keys"].as_array()?.iter().find(|k| k["kid"] == head["kid"]) else {
        return api.flaws.trusts_unknown_kid.then_some(claims);
    };
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk.clone()).ok()?;
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).ok()?;
    let alg: jsonwebtoken::Algorithm = alg.parse().ok()?;
    jsonwebtoken::crypto::verify(sig, input.as_bytes(), &key, alg).ok()?.then_some(claims)
}

async fn orders(State(api): State<Arc<Api>>, headers: HeaderMap, Query(q): Query<Vec<(String, String)>>) -> Response {
    let f = api.flaws;
    let token = match headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        Some(value) => {
            let Some((scheme, rest)) = value.split_once(' ') else {
                return refuse(StatusCode::BAD_REQUEST, Some("invalid_request"));
            };
            if f.takes_any_scheme {
                rest.split_whitespace().next().unwrap_or_default().to_string()
            } else if !scheme.eq_ignore_ascii_case("bearer") {
                return refuse(StatusCode::UNAUTHORIZED, None);
            } else if rest.trim().is_empty() || rest.trim().contains(' ') {
                return refuse(StatusCode::BAD_REQUEST, Some("invalid_request"));
            } else {
                rest.trim().to_string()
            }
        }
        None => match q.iter().find(|(k, _)| k == "access_token") {
            Some((_, t)) if f.takes_query_token => t.clone(),
            _ => return refuse(StatusCode::UNAUTHORIZED, None),
        },
    };
    let Some(claims) = verified_claims(&api, &token) else {
        return refuse(StatusCode::UNAUTHORIZED, Some("invalid_token"));
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let expired = claims["exp"].as_u64().is_none_or(|exp| exp <= now);
    let aud_ok = claims["aud"] == format!("{}/api", api.issuer).as_str();
    let iss_ok = claims["iss"] == api.issuer.as_str();
    if (expired && !f.accepts_expired) || (!aud_ok && !f.ignores_audience) || (!iss_ok && !f.ignores_issuer) {
        return refuse(StatusCode::UNAUTHORIZED, Some("invalid_token"));
    }
    if !f.ignores_revocation {
        let v: Value = api
            .http
            .post(format!("{}/introspect", api.issuer))
            .basic_auth(SERVICE.0, Some(SERVICE.1))
            .form(&[("token", &token)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["active"] != true {
            return refuse(StatusCode::UNAUTHORIZED, Some("invalid_token"));
        }
    }
    let has_scope = claims["scope"].as_str().unwrap_or_default().split(' ').any(|s| s == SCOPE);
    if !has_scope && !f.ignores_scope {
        return refuse(StatusCode::FORBIDDEN, Some("insufficient_scope"));
    }
    axum::Json(json!({"orders": [], "sub": claims["sub"]})).into_response()
}

/// Serves the API on 127.0.0.1 until the test ends; returns its URL.
async fn serve_api(issuer: &str, flaws: Flaws) -> String {
    let jwks: Value = reqwest::get(format!("{issuer}/jwks")).await.unwrap().json().await.unwrap();
    let api = Arc::new(Api { flaws, issuer: issuer.to_string(), jwks, http: reqwest::Client::new() });
    let app = axum::Router::new().route("/orders", axum::routing::get(orders)).with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/orders")
}

fn request(url: &str, token: &str) -> ProbeRequest {
    ProbeRequest {
        url: url.into(),
        token: Some(Secret::new(token)),
        scope_required: Some(SCOPE.into()),
        headers: vec![("Accept".into(), "application/json".into())],
        ..Default::default()
    }
}

fn verdict(report: &ProbeReport, id: &str) -> Verdict {
    report.rows.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no row {id}: {report:#?}")).verdict
}

fn vulnerable(report: &ProbeReport) -> Vec<&'static str> {
    report.rows.iter().filter(|r| r.verdict == Verdict::Vulnerable).map(|r| r.id).collect()
}

const ALL_IDS: [&str; 13] = [
    "no-token",
    "wrong-scheme",
    "malformed-header",
    "lowercase-scheme",
    "tampered-signature",
    "alg-none",
    "unknown-kid",
    "expired-token",
    "wrong-audience",
    "wrong-issuer",
    "missing-scope",
    "revoked-token",
    "query-token",
];

/// A row and the switch whose flaw it must catch.
type Case = (&'static str, fn(&mut Flaws));

#[tokio::test]
async fn the_correct_api_passes_every_row_and_each_flaw_is_caught() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let token = service_token(&sb.issuer, "orders.read orders.write").await;

    let url = serve_api(&sb.issuer, Flaws::default()).await;
    let report = core.probe(request(&url, &token), host()).await.unwrap();
    assert!(report.baseline.ok, "{:?}", report.baseline);
    let ids: Vec<&str> = report.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, ALL_IDS);
    for row in &report.rows {
        assert_eq!(row.verdict, Verdict::Secure, "a correct API must pass {}: {row:?}", row.id);
    }
    // RFC 6750 answers, as they are: no error code without a token, 400 for a malformed header.
    let row = |id: &str| report.rows.iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(row("no-token").actual, "401 (no error code)");
    assert_eq!(row("malformed-header").actual, "400 invalid_request");
    assert_eq!(row("missing-scope").actual, "403 insufficient_scope");
    assert_eq!(row("expired-token").actual, "401 invalid_token");

    let cases: [Case; 10] = [
        // Introspection would say an expired or forged token is inactive: these flaws show on an
        // API that validates locally only.
        ("expired-token", |f| {
            f.accepts_expired = true;
            f.ignores_revocation = true
        }),
        ("wrong-audience", |f| f.ignores_audience = true),
        ("wrong-issuer", |f| f.ignores_issuer = true),
        ("alg-none", |f| {
            f.accepts_alg_none = true;
            f.ignores_revocation = true
        }),
        ("tampered-signature", |f| {
            f.skips_signature = true;
            f.ignores_revocation = true
        }),
        ("unknown-kid", |f| f.trusts_unknown_kid = true),
        ("missing-scope", |f| f.ignores_scope = true),
        ("revoked-token", |f| f.ignores_revocation = true),
        ("query-token", |f| f.takes_query_token = true),
        ("wrong-scheme", |f| f.takes_any_scheme = true),
    ];
    for (id, flaw) in cases {
        let mut flaws = Flaws::default();
        flaw(&mut flaws);
        let url = serve_api(&sb.issuer, flaws).await;
        let report = core.probe(request(&url, &token), host()).await.unwrap();
        assert!(report.baseline.ok, "{flaws:?}: {:?}", report.baseline);
        assert_eq!(verdict(&report, id), Verdict::Vulnerable, "{flaws:?} must be caught by {id}: {report:#?}");
        assert!(report.vulnerable());
        let row = report.rows.iter().find(|r| r.id == id).unwrap();
        assert!(row.actual.starts_with('2'), "{row:?}");
        // A lower-case scheme is never a finding.
        assert_eq!(verdict(&report, "lowercase-scheme"), Verdict::Secure);
    }
}

#[tokio::test]
async fn the_sandbox_demo_api_passes_and_every_request_is_a_paced_step_of_the_saved_session() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let token = service_token(&sb.issuer, "orders.read orders.write").await;
    let report = core.probe(request(&format!("{}/api/orders", sb.issuer), &token), host()).await.unwrap();
    assert!(report.baseline.ok, "{:?}", report.baseline);
    assert!(vulnerable(&report).is_empty(), "the sandbox API must refuse every variant: {report:#?}");
    assert!(report.rows.iter().all(|r| r.verdict == Verdict::Secure), "{report:#?}");

    let id = report.session_id.expect("saved");
    let store = core.store().unwrap();
    let saved = store.require(id, View::Redacted).await.unwrap();
    assert_eq!(saved.summary.flow, "probe_api");
    let api_steps: Vec<_> = saved.steps.iter().filter(|s| s.lanes.to == Lane::ResourceApi).collect();
    // The baseline and the twelve variants sent (every one could be made against the sandbox).
    assert_eq!(api_steps.len(), 1 + ALL_IDS.len(), "{:#?}", saved.steps.iter().map(|s| &s.title).collect::<Vec<_>>());
    for pair in api_steps.windows(2) {
        assert!(
            pair[1].at_ms - pair[0].at_ms >= 95,
            "requests at least 100 ms apart: {} then {}",
            pair[0].at_ms,
            pair[1].at_ms
        );
    }
    // Each row points at its steps, and the row's own request is among them.
    for row in &report.rows {
        let last = *row.steps.last().unwrap_or_else(|| panic!("{} has no steps", row.id));
        let step = saved.steps.iter().find(|s| s.seq == last).unwrap();
        assert!(
            matches!(step.kind, StepKind::Http { .. }) && step.lanes.to == Lane::ResourceApi,
            "{}: {}",
            row.id,
            step.title
        );
    }
    let text = serde_json::to_string(&saved).unwrap();
    assert!(!text.contains(&token), "the token must not be in the clear in the saved session");
    assert!(!text.contains(token.rsplit('.').next().unwrap()), "nor its signature");
}

#[tokio::test]
async fn a_token_without_the_required_scope_must_be_refused_at_the_baseline() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let narrow = service_token(&sb.issuer, "orders.write").await;
    let report = core.probe(request(&format!("{}/api/orders", sb.issuer), &narrow), host()).await.unwrap();
    assert!(report.baseline.ok, "a 403 for a token lacking the scope is correct: {:?}", report.baseline);
    assert!(report.baseline.actual.starts_with("403"), "{:?}", report.baseline);
    assert_eq!(verdict(&report, "missing-scope"), Verdict::Secure);
    assert!(!report.vulnerable());
    assert!(report.rows.iter().filter(|r| r.id != "missing-scope").all(|r| r.verdict == Verdict::Inconclusive));

    // The same token against an API that ignores scope: the baseline succeeding is the finding.
    let url = serve_api(&sb.issuer, Flaws { ignores_scope: true, ..Default::default() }).await;
    let report = core.probe(request(&url, &narrow), host()).await.unwrap();
    assert_eq!(verdict(&report, "missing-scope"), Verdict::Vulnerable, "{report:#?}");
}

#[tokio::test]
async fn a_token_obtained_now_by_client_credentials_and_what_cannot_be_made_says_what_would() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let client = RunRequest {
        issuer: Some(sb.issuer.clone()),
        client_id: Some(SERVICE.0.into()),
        client_secret: Some(Secret::new(SERVICE.1)),
        ..Default::default()
    };
    let req = ProbeRequest {
        url: format!("{}/api/orders", sb.issuer),
        client: Some(client),
        scope_required: Some(SCOPE.into()),
        ..Default::default()
    };
    let report = core.probe(req, host()).await.unwrap();
    assert!(report.baseline.ok && !report.vulnerable(), "{report:#?}");

    // An opaque token with no issuer to mint from and no client: the JWT and minted variants
    // cannot be made, and each says why.
    let url = serve_api(&sb.issuer, Flaws::default()).await;
    let mut req = request(&url, "opaque-token");
    req.scope_required = None;
    let report = core.probe(req, host()).await.unwrap();
    assert!(!report.baseline.ok, "an opaque token is refused by this API: {:?}", report.baseline);
    assert!(report.rows.iter().all(|r| r.verdict == Verdict::Inconclusive && r.actual == "not sent"));
}

#[tokio::test]
async fn without_a_mint_or_client_the_minted_variants_are_inconclusive_and_say_what_would_help() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let token = service_token(&sb.issuer, "orders.read orders.write").await;
    // The API trusts tokens from a "localhost" issuer alias that advertises no mint endpoint.
    let url = serve_api(
        &sb.issuer,
        Flaws { skips_signature: true, ignores_issuer: true, ignores_revocation: true, ..Default::default() },
    )
    .await;
    let forged = {
        let (h, rest) = token.split_once('.').unwrap();
        let (p, s) = rest.split_once('.').unwrap();
        let mut claims = part(p).unwrap();
        claims["iss"] = json!("http://127.0.0.1:9/");
        format!("{h}.{}.{s}", B64.encode(claims.to_string()))
    };
    let report = core.probe(request(&url, &forged), host()).await.unwrap();
    assert!(report.baseline.ok, "{:?}", report.baseline);
    for id in ["unknown-kid", "expired-token", "wrong-audience", "wrong-issuer"] {
        let row = report.rows.iter().find(|r| r.id == id).unwrap();
        assert_eq!(row.verdict, Verdict::Inconclusive, "{row:?}");
        assert!(row.explanation.contains("inspector_mint_endpoint"), "{row:?}");
    }
    let scope = report.rows.iter().find(|r| r.id == "missing-scope").unwrap();
    assert!(scope.explanation.contains("--client-id/--client-secret"), "{scope:?}");
    let revoked = report.rows.iter().find(|r| r.id == "revoked-token").unwrap();
    assert!(revoked.explanation.contains("revocation endpoint"), "{revoked:?}");
    assert_eq!(verdict(&report, "tampered-signature"), Verdict::Vulnerable);
}

#[tokio::test]
async fn nothing_goes_to_a_remote_host_unconfirmed_and_bad_input_is_named() {
    let (core, _dir) = core().await;
    let req = ProbeRequest {
        url: "https://api.example.com/orders".into(),
        token: Some(Secret::new("t")),
        ..Default::default()
    };
    assert_eq!(req.remote_hosts(), ["api.example.com"]);
    let err = core.probe(req, host()).await.unwrap_err();
    assert_eq!(err.code, "confirmation_needed");
    assert!(err.usage && err.message.contains("api.example.com"), "{err:?}");
    assert_eq!(core.store().unwrap().count().await.unwrap(), 0, "no session: nothing was sent");

    let mut req = request("http://127.0.0.1:9/x", "t");
    req.headers.push(("Authorization".into(), "Bearer t".into()));
    let err = core.probe(req, host()).await.unwrap_err();
    assert!(err.usage && err.message.contains("--token"), "{err:?}");
    let err = core.probe(request("ftp://127.0.0.1/x", "t"), host()).await.unwrap_err();
    assert!(err.message.contains("http(s)"), "{err:?}");
    let err =
        core.probe(ProbeRequest { url: "http://127.0.0.1:9/".into(), ..Default::default() }, host()).await.unwrap_err();
    assert!(err.message.contains("expected a token"), "{err:?}");
}

#[tokio::test]
async fn the_token_and_client_of_a_saved_session() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let run = RunRequest {
        issuer: Some(sb.issuer.clone()),
        client_id: Some(SERVICE.0.into()),
        client_secret: Some(Secret::new(SERVICE.1)),
        scope: Some("orders.read orders.write".into()),
        ..Default::default()
    };
    let done = core.run(run, host()).await.unwrap();
    assert!(done.ok);
    let req = ProbeRequest {
        url: format!("{}/api/orders", sb.issuer),
        session: done.session_id,
        scope_required: Some(SCOPE.into()),
        ..Default::default()
    };
    let report = core.probe(req, host()).await.unwrap();
    assert!(report.baseline.ok, "{:?}", report.baseline);
    assert!(report.rows.iter().all(|r| r.verdict == Verdict::Secure), "{report:#?}");
    assert_ne!(report.session_id, done.session_id, "the probe has a session of its own");

    let given = core.probe(ProbeRequest { session: Some(999), ..request("http://127.0.0.1:9/", "t") }, host()).await;
    assert!(given.is_ok(), "a token given wins over the session");
    let err = core
        .probe(ProbeRequest { url: "http://127.0.0.1:9/".into(), session: Some(999), ..Default::default() }, host())
        .await
        .unwrap_err();
    assert!(!err.usage && err.message.contains("999"), "{err:?}");
}

#[tokio::test]
async fn without_a_mint_a_client_gets_the_narrower_token_and_revokes_one_by_rfc7009() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let (core, _dir) = core().await;
    let token = service_token(&sb.issuer, "orders.read orders.write").await;
    // A token whose issuer is not on this machine (so no mint is looked for), that the sandbox
    // knows (so introspection works), for an API that does not check the issuer.
    let minted: Value = reqwest::Client::new()
        .post(format!("{}/mint", sb.issuer))
        .form(&[("token", token.as_str()), ("variant", "issuer")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let foreign = minted["access_token"].as_str().unwrap();
    let client = RunRequest {
        issuer: Some(sb.issuer.clone()),
        client_id: Some(SERVICE.0.into()),
        client_secret: Some(Secret::new(SERVICE.1)),
        ..Default::default()
    };
    for (ignores_revocation, expected) in [(false, Verdict::Secure), (true, Verdict::Vulnerable)] {
        let url = serve_api(&sb.issuer, Flaws { ignores_issuer: true, ignores_revocation, ..Default::default() }).await;
        let req = ProbeRequest { client: Some(client.clone()), ..request(&url, foreign) };
        let report = core.probe(req, host()).await.unwrap();
        assert!(report.baseline.ok, "{:?}", report.baseline);
        assert_eq!(verdict(&report, "missing-scope"), Verdict::Secure, "{report:#?}");
        assert_eq!(verdict(&report, "revoked-token"), expected, "{report:#?}");
        assert_eq!(verdict(&report, "expired-token"), Verdict::Inconclusive);
        let saved = core.store().unwrap().require(report.session_id.unwrap(), View::Redacted).await.unwrap();
        let titles: Vec<&str> = saved.steps.iter().map(|s| s.title.as_str()).collect();
        assert!(titles.iter().any(|t| t.starts_with("Revocation request (RFC 7009)")), "{titles:#?}");
        let revoked = report.rows.iter().find(|r| r.id == "revoked-token").unwrap();
        assert!(revoked.steps.len() >= 3, "token, revocation and the request are its evidence: {revoked:?}");
    }
}

#[tokio::test]
async fn a_token_spoiled_by_a_trainer_switch_is_caught_at_the_baseline_with_its_reason() {
    use inspector_sandbox::Switch;
    // (switch, a word the reason must name)
    for (switch, word) in
        [(Switch::ExpiredTokens, "expired"), (Switch::WrongAudience, "audience"), (Switch::UnknownKid, "key")]
    {
        let sb = inspector_sandbox::start(0).await.unwrap();
        sb.trainer.set(switch, true);
        let (core, _dir) = core().await;
        let token = service_token(&sb.issuer, "orders.read").await;
        let report = core.probe(request(&format!("{}/api/orders", sb.issuer), &token), host()).await.unwrap();
        assert!(!report.baseline.ok, "{}: the baseline must be refused: {:?}", switch.name(), report.baseline);
        let why = report.baseline.explanation.to_lowercase();
        assert!(why.contains(word), "{}: {why}", switch.name());
        assert!(report.rows.iter().all(|r| r.verdict == Verdict::Inconclusive), "{}", switch.name());
        assert!(!report.vulnerable());
        let saved = core.store().unwrap().require(report.session_id.unwrap(), View::Redacted).await.unwrap();
        assert!(saved.steps.iter().any(|s| s.title.contains("why the baseline was refused")), "{}", switch.name());
        assert!(!serde_json::to_string(&saved).unwrap().contains(&token));
    }
}

/// An issuer of its own (no mint, as any real provider): HS256 tokens from client credentials,
/// the first one issued already expired, and an API that checks `exp` and the signature.
async fn plain_issuer() -> String {
    use axum::routing::{get, post};
    use std::sync::atomic::{AtomicBool, Ordering};
    const KEY: &[u8] = b"a-test-only-hs256-key-of-32-bytes!!";
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let first = Arc::new(AtomicBool::new(true));
    let iss = issuer.clone();
    let discovery = {
        let iss = iss.clone();
        move || {
            let iss = iss.clone();
            async move { axum::Json(json!({"issuer": iss, "token_endpoint": format!("{iss}/token")})) }
        }
    };
    let token = {
        let iss = iss.clone();
        move || {
            let (iss, first) = (iss.clone(), first.clone());
            async move {
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
                let exp = if first.swap(false, Ordering::SeqCst) { now - 3600 } else { now + 600 };
                let claims =
                    json!({"iss": iss, "sub": "svc", "aud": "api", "scope": SCOPE, "iat": now - 10, "exp": exp});
                let jwt = jsonwebtoken::encode(
                    &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
                    &claims,
                    &jsonwebtoken::EncodingKey::from_secret(KEY),
                )
                .unwrap();
                axum::Json(json!({"access_token": jwt, "token_type": "Bearer", "expires_in": 600}))
            }
        }
    };
    let api = move |headers: HeaderMap| async move {
        let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        let Some(token) = token else { return refuse(StatusCode::UNAUTHORIZED, None) };
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        v.set_audience(&["api"]);
        match jsonwebtoken::decode::<Value>(token, &jsonwebtoken::DecodingKey::from_secret(KEY), &v) {
            Ok(_) => axum::Json(json!({"ok": true})).into_response(),
            Err(_) => refuse(StatusCode::UNAUTHORIZED, Some("invalid_token")),
        }
    };
    let app = axum::Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/token", post(token))
        .route("/api", get(api));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    issuer
}

#[tokio::test]
async fn without_a_mint_the_expired_variant_is_a_saved_sessions_expired_token_of_the_same_issuer() {
    let issuer = plain_issuer().await;
    let (core, _dir) = core().await;
    let cc = |core: &inspector_app::Core| {
        let mut r = RunRequest::new(inspector_app::Operation::ClientCredentials);
        r.issuer = Some(issuer.clone());
        r.client_id = Some("svc".into());
        r.client_secret = Some(Secret::new("svc-secret"));
        let core = core.clone();
        async move { core.run(r, host()).await.unwrap() }
    };
    let fresh = cc(&core).await; // the issuer's first token: already expired, saved
    assert!(fresh.ok);
    let valid = cc(&core).await;
    let token = core.session_token(valid.session_id.unwrap(), inspector_app::TokenKind::AccessToken).await.unwrap();
    let report = core.probe(request(&format!("{issuer}/api"), token.expose()), host()).await.unwrap();
    assert!(report.baseline.ok, "{:?}", report.baseline);
    let row = report.rows.iter().find(|r| r.id == "expired-token").unwrap();
    assert_eq!(row.verdict, Verdict::Secure, "{row:#?}");
    let saved = core.store().unwrap().require(report.session_id.unwrap(), View::Redacted).await.unwrap();
    let note = format!("an expired token of saved session {}", fresh.session_id.unwrap());
    assert!(
        saved.steps.iter().any(|s| s.title.contains(&note)),
        "{:#?}",
        saved.steps.iter().map(|s| &s.title).collect::<Vec<_>>()
    );
    // Minted-only variants stay inconclusive and say why.
    assert_eq!(report.rows.iter().find(|r| r.id == "wrong-issuer").unwrap().verdict, Verdict::Inconclusive);
}
