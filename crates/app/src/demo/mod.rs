//! Attack demos for a class, against the built-in sandbox: each plays one attack twice — once
//! where the defence is missing (the attack works), once with it (the attack fails) — with the
//! attacker as a lane of its own in the diagram. Every request is real HTTP to the sandbox and a
//! step of a saved session (flow `attack_demo`); the sign-ins are scripted on the sandbox's own
//! pages (the attack is the lesson, not the login). A part that needs a weaker sandbox turns the
//! trainer switch on for that part only, and the switches are put back as they were.
//! Leaves out real providers: a demo refuses an issuer that does not advertise the sandbox's
//! trainer endpoint.

mod alg_none;
mod browser;
mod csrf;
mod interception;
mod mixup;
mod replay;

use std::sync::Arc;
use std::time::Duration;

use inspector_engine::discovery::ProviderSource;
use inspector_engine::http::{HttpClient, json_object};
use inspector_engine::step::{HttpRequest, Lane, SecretMark, StepCategory};
use inspector_engine::{ErrorCode, FlowError, Recorder, Step, StepStatus, TokenSet};
use inspector_store::NewSession;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::host::Host;
use crate::{Core, Login};

/// The flow name demo sessions are saved under.
pub const FLOW: &str = "attack_demo";
/// The public demo client the victim's app is.
const APP: &str = "sandbox-app";
/// The app's registered redirect URI (any loopback port; nothing listens: the demo holds the callback).
const REDIRECT: &str = "http://127.0.0.1:8400/callback";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Attack {
    /// A stolen authorization code redeemed without PKCE, then failing with it (RFC 7636 §1).
    CodeInterception,
    /// The attacker's code slipped into the victim's app without `state` (RFC 6749 §10.12).
    LoginCsrf,
    /// A code sent to the wrong issuer's token endpoint without `iss` (RFC 9207, RFC 9700 §4.4).
    MixUp,
    /// A token for one API replayed to another that ignores `aud` (RFC 9068 §4, RFC 8707).
    TokenReplay,
    /// An unsigned ID token (`alg: none`) forged by the attacker (RFC 8725 §3.1).
    AlgNone,
}

impl Attack {
    pub const ALL: [Attack; 5] =
        [Attack::CodeInterception, Attack::LoginCsrf, Attack::MixUp, Attack::TokenReplay, Attack::AlgNone];

    pub fn name(self) -> &'static str {
        match self {
            Attack::CodeInterception => "code-interception",
            Attack::LoginCsrf => "login-csrf",
            Attack::MixUp => "mix-up",
            Attack::TokenReplay => "token-replay",
            Attack::AlgNone => "alg-none",
        }
    }

    pub fn from_name(name: &str) -> Option<Attack> {
        Attack::ALL.into_iter().find(|a| a.name() == name)
    }

    pub fn title(self) -> &'static str {
        match self {
            Attack::CodeInterception => "An intercepted authorization code, without and with PKCE",
            Attack::LoginCsrf => "Login CSRF: the attacker's code in the victim's app, without and with state",
            Attack::MixUp => "Mix-up: a code sent to the attacker's token endpoint, without and with iss",
            Attack::TokenReplay => "A token replayed to another API, which ignores and then checks the audience",
            Attack::AlgNone => "An unsigned ID token (alg: none), accepted by a naive client and refused when verified",
        }
    }
}

#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct DemoRequest {
    pub attack: Attack,
    /// The sandbox's issuer.
    pub issuer: String,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// One half of a demo: the attack with the defence missing, or with it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DemoPart {
    pub title: String,
    /// Whether the defence was in place.
    pub defended: bool,
    /// Whether the attacker got what they wanted.
    pub attack_succeeded: bool,
    pub explanation: String,
    /// The steps (their `seq`) of this part.
    pub steps: Vec<u32>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DemoReport {
    pub session_id: Option<i64>,
    pub attack: Attack,
    pub title: String,
    pub parts: Vec<DemoPart>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_error: Option<String>,
}

impl DemoReport {
    /// The lesson came out: every undefended part let the attack through, every defended one stopped it.
    pub fn as_designed(&self) -> bool {
        !self.parts.is_empty() && self.parts.iter().all(|p| p.attack_succeeded != p.defended)
    }
}

/// What every demo works with: the recorder, the sandbox and its trainer.
pub(crate) struct Ctx<'a> {
    pub http: &'a HttpClient,
    pub rec: &'a Recorder,
    pub issuer: String,
    pub trainer: String,
    pub core: &'a Core,
}

impl Ctx<'_> {
    /// A local step on `from → to`: a note, or what passes outside HTTP (a link, a stolen value).
    pub fn note(
        &self,
        from: Lane,
        to: Lane,
        title: impl Into<String>,
        details: serde_json::Value,
        secrets: Vec<SecretMark>,
    ) -> u32 {
        let category = if from == to { StepCategory::Checks } else { StepCategory::Redirect };
        self.rec.push(Step::local(title, StepStatus::Ok, details).category(category).lanes(from, to).secrets(secrets))
    }

    /// The verdict of a part, as a step everyone can see: red when the attack worked.
    pub fn verdict(&self, succeeded: bool, text: &str) -> u32 {
        let (status, title) = if succeeded {
            (StepStatus::Failed, format!("ATTACK SUCCEEDED: {text}"))
        } else {
            (StepStatus::Ok, format!("Attack failed: {text}"))
        };
        self.rec.push(
            Step::local(title, status, serde_json::json!({"attack_succeeded": succeeded}))
                .category(StepCategory::Checks)
                .lanes(Lane::Attacker, Lane::Attacker),
        )
    }

    /// Sets exactly `on` at the sandbox's trainer, as a step.
    pub async fn switches(&self, on: &[String], why: &str) -> Result<u32, FlowError> {
        let body = serde_json::json!({"on": on}).to_string();
        let req = HttpRequest {
            method: "PUT".into(),
            url: self.trainer.clone(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("accept".into(), "application/json".into()),
            ],
            body: Some(body),
        };
        let ex = self.http.send(self.rec, req, &mut Vec::new()).await;
        let ok = matches!(&ex.response, Ok(r) if r.status == 200);
        let err = FlowError::new(ErrorCode::UnexpectedStatus, "the sandbox's trainer did not take the switches");
        let title = if on.is_empty() {
            format!("Trainer: every switch off ({why})")
        } else {
            format!("Trainer: {} on ({why})", on.join(", "))
        };
        let seq = self.rec.push(Step::http(title, &ex, vec![], if ok { Ok(()) } else { Err(&err) }));
        if ok { Ok(seq) } else { Err(err) }
    }

    /// POSTs to the sandbox's token endpoint as `from`; the tokens, or the refusal as text.
    pub async fn token(
        &self,
        from: Lane,
        title: &str,
        params: &[(&str, &str)],
        marks: Vec<SecretMark>,
    ) -> (u32, Result<TokenSet, String>) {
        self.token_at(&format!("{}/token", self.issuer), from, Lane::AuthorizationServer, title, params, marks).await
    }

    pub async fn token_at(
        &self,
        url: &str,
        from: Lane,
        to: Lane,
        title: &str,
        params: &[(&str, &str)],
        mut marks: Vec<SecretMark>,
    ) -> (u32, Result<TokenSet, String>) {
        let ex = self.http.send(self.rec, HttpClient::post_form(url, params, vec![]), &mut marks).await;
        // A refusal in a few words: the status and the OAuth error, which is the lesson.
        let result = match &ex.response {
            Ok(r) => inspector_engine::token_response::parse(r, title).map_err(|e| {
                match inspector_engine::token_response::oauth_error(r) {
                    Some(o) => format!(
                        "{} {}{}",
                        r.status,
                        o.error,
                        o.error_description.map(|d| format!(": {d}")).unwrap_or_default()
                    ),
                    None => e.message,
                }
            }),
            Err(e) => Err(e.message.clone()),
        };
        if let Ok(t) = &result {
            marks.extend(t.secret_marks());
        }
        let seq = self.rec.push(Step::http(title, &ex, marks, Ok(())).lanes(from, to));
        (seq, result)
    }
}

impl Core {
    /// Plays `req.attack` against the sandbox at `req.issuer`, every request a step of a saved
    /// `attack_demo` session.
    pub async fn demo(&self, req: DemoRequest, host: Arc<dyn Host>) -> Result<DemoReport, AppError> {
        let issuer = req.issuer.trim().trim_end_matches('/').to_string();
        if !crate::probe::is_loopback(&issuer) {
            return Err(AppError::usage(
                "invalid_input",
                format!("attack demos run against the built-in sandbox on this machine, got {:?}", req.issuer),
            ));
        }
        let source = ProviderSource::Issuer { issuer: issuer.clone() };
        let new =
            NewSession::for_flow(FLOW, &source, APP, &serde_json::json!({"provider": source, "attack": req.attack}));
        let http = HttpClient::new(Duration::from_secs(req.timeout_secs.unwrap_or(15)));
        // Not cancellable: a part may have switched the trainer, and the demo puts it back before it ends.
        let done = self
            .recorded(&new, &host, Login::Print, async |rec| play(self, &http, rec, &issuer, req.attack).await)
            .await?;
        Ok(DemoReport {
            session_id: done.session_id,
            attack: req.attack,
            title: req.attack.title().into(),
            parts: done.value,
            store_error: done.store_error,
        })
    }
}

async fn play(
    core: &Core,
    http: &HttpClient,
    rec: &Recorder,
    issuer: &str,
    attack: Attack,
) -> Result<Vec<DemoPart>, FlowError> {
    // The sandbox says where its trainer is; a provider that does not is not ours to attack.
    let url = format!("{issuer}/.well-known/openid-configuration");
    let ex = http.send(rec, HttpClient::get(&url), &mut Vec::new()).await;
    let doc = match &ex.response {
        Ok(r) => json_object(r, "the sandbox's metadata"),
        Err(e) => Err(e.clone()),
    };
    rec.http(format!("Discovery: GET {url}"), &ex, vec![], doc.as_ref().map(|_| ()));
    let doc = doc?;
    let trainer =
        doc.get("inspector_trainer_endpoint").and_then(|v| v.as_str()).map(str::to_string).ok_or_else(|| {
            FlowError::new(
                ErrorCode::InvalidInput,
                format!(
                    "attack demos need the built-in sandbox: {issuer} does not advertise inspector_trainer_endpoint"
                ),
            )
        })?;
    let before: Vec<String> = doc
        .get("inspector_trainer_switches")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let ctx = Ctx { http, rec, issuer: issuer.to_string(), trainer, core };
    // Each demo starts from a strict sandbox, and the trainer's switches are put back after.
    if !before.is_empty() {
        ctx.switches(&[], "a demo starts from a strict sandbox").await?;
    }
    let parts = match attack {
        Attack::CodeInterception => interception::play(&ctx).await,
        Attack::LoginCsrf => csrf::play(&ctx).await,
        Attack::MixUp => mixup::play(&ctx).await,
        Attack::TokenReplay => replay::play(&ctx).await,
        Attack::AlgNone => alg_none::play(&ctx).await,
    };
    let restored = ctx.switches(&before, "as they were before the demo").await;
    let parts = parts?;
    restored?;
    Ok(parts)
}

/// The victim app's authorization request at `issuer` (the sandbox's, or the attacker's): its
/// client, redirect URI and `scope`, and `extra` (state, nonce, PKCE as the part needs).
pub(crate) fn authorize_url(issuer: &str, scope: &str, extra: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&format!("{issuer}/authorize")).expect("the issuer is a URL");
    url.query_pairs_mut()
        .extend_pairs([("response_type", "code"), ("client_id", APP), ("redirect_uri", REDIRECT), ("scope", scope)])
        .extend_pairs(extra.iter().copied());
    url.to_string()
}

/// The steps recorded since `first` (inclusive) up to the last one: a part's evidence.
pub(crate) fn since(rec: &Recorder, first: u32) -> Vec<u32> {
    (first..=rec.last_seq()).collect()
}
