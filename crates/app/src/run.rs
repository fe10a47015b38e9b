//! Running a resolved request: one session, the store and the host subscribed to the same stream,
//! the login handled through the host, every request through one sender (with the host's gate),
//! and the outcome. The only place a flow is started from a front.

use std::sync::Arc;
use std::time::Duration;

use inspector_engine::flows::auth_code::{self, Callback};
use inspector_engine::flows::{client_credentials, device, ops};
use inspector_engine::http::HttpClient;
use inspector_engine::loopback::Loopback;
use inspector_engine::redact::Redactor;
use inspector_engine::{FlowError, FlowEvent, TokenSet, UserAction};
use inspector_store::{NewSession, Run};

use crate::error::AppError;
use crate::host::Host;
use crate::request::{Login, Operation, RunRequest};
use crate::{Core, resolve};

/// What came of a run.
#[derive(Debug)]
pub struct RunOutcome {
    pub ok: bool,
    pub session_id: Option<i64>,
    /// The flow's error, when it failed.
    pub error: Option<FlowError>,
    /// Introspection or UserInfo: the JSON the server answered.
    pub result: Option<serde_json::Value>,
    /// A failure to save, reported apart from the flow's own result.
    pub store_error: Option<String>,
}

impl Core {
    /// Runs `req`, publishing every event to `host`. Errors before the run starts (bad input, a
    /// saved client that is not there) come back as `Err` and leave no session; a flow that fails
    /// is an `Ok` outcome with its error, its steps saved.
    pub async fn run(&self, req: RunRequest, host: Arc<dyn Host>) -> Result<RunOutcome, AppError> {
        let r = resolve::resolve(self.store(), &req).await?;
        let mut http = HttpClient::new(Duration::from_secs(req.timeout_secs.unwrap_or(30)));
        if let Some(gate) = host.gate() {
            http = http.with_gate(gate);
        }
        // Everything a flow needs before it starts, so a bad redirect URI fails before a session exists.
        let callback = match (&r.auth, req.login) {
            (Some(auth), Login::Paste) => {
                let redirect_uri = auth.redirect_uri.clone().ok_or_else(|| {
                    AppError::usage(
                        "invalid_input",
                        "pasting the redirected URL needs the redirect URI registered with the provider",
                    )
                })?;
                Some(Callback::Delivered { redirect_uri, url: host.pasted_url() })
            }
            (Some(auth), _) => Some(Callback::Loopback(Loopback::bind(auth.redirect_uri.as_deref()).await?)),
            (None, _) => None,
        };
        let session_settings = match &r.auth {
            Some(a) => serde_json::to_value(a),
            None => serde_json::to_value(&r.settings),
        }
        .unwrap_or_default();
        let new =
            NewSession::for_flow(r.operation.name(), &r.settings.provider, &r.settings.client_id, &session_settings);
        let mut run = Run::start(self.writer(), &new).await?;
        host.started(run.session_id());

        let forward = forward(run.subscribe(), host.clone(), req.login, run.recorder.weak());
        let rec = &run.recorder;
        let (s, sec) = (&r.settings, &r.secrets);
        let hint = req.token_type_hint.as_deref();
        let mut result = None;
        let flow = async {
            match (r.operation, r.token.as_ref(), callback) {
                (Operation::ClientCredentials, ..) => client_credentials::run(&http, rec, s, sec).await.map(Some),
                (Operation::AuthorizationCode, _, Some(cb)) => {
                    let auth = r.auth.as_ref().expect("resolved with the operation");
                    auth_code::run(&http, rec, auth, sec, cb).await.map(Some)
                }
                (Operation::DeviceCode, ..) => device::run(&http, rec, s, sec).await.map(Some),
                (Operation::Refresh, Some(t), _) => ops::refresh(&http, rec, s, sec, t).await.map(Some),
                (Operation::Revoke, Some(t), _) => ops::revoke(&http, rec, s, sec, t, hint).await.map(|_| None),
                (Operation::Introspect, Some(t), _) => {
                    ops::introspect(&http, rec, s, sec, t, hint).await.map(|v| result.insert(v)).map(|_| None)
                }
                (Operation::Userinfo, Some(t), _) => {
                    ops::userinfo(&http, rec, s, t).await.map(|v| result.insert(v)).map(|_| None)
                }
                _ => unreachable!("resolve gives a token to token operations and a callback to auth code"),
            }
        };
        let outcome: Result<Option<TokenSet>, FlowError> = until_cancelled(host.as_ref(), flow).await;
        if let Ok(Some(tokens)) = &outcome {
            crate::token_checks::check_tokens(rec, &self.jwks, s, tokens).await;
        }
        let error = outcome.as_ref().err().cloned();
        let done = run.finish(outcome).await;
        let _ = forward.await;
        Ok(RunOutcome {
            ok: done.ok,
            session_id: done.session_id,
            error,
            result,
            store_error: done.store_error.map(|e| e.to_string()),
        })
    }
}

/// What a session recorded by [`Core::recorded`] ended with.
pub(crate) struct Recorded<T> {
    pub value: T,
    pub session_id: Option<i64>,
    pub store_error: Option<String>,
}

impl Core {
    /// Runs `body` as the saved session `new` (an audit, a demo): the host hears its start and
    /// every event through [`forward`], the session ends ok with `body`'s value, or failed with
    /// its error (which comes back as `Err`, the steps saved).
    pub(crate) async fn recorded<T>(
        &self,
        new: &NewSession,
        host: &Arc<dyn Host>,
        login: Login,
        body: impl AsyncFnOnce(&inspector_engine::Recorder) -> Result<T, FlowError>,
    ) -> Result<Recorded<T>, AppError> {
        let mut run = Run::start(self.writer(), new).await?;
        host.started(run.session_id());
        let forward = forward(run.subscribe(), host.clone(), login, run.recorder.weak());
        let result = body(&run.recorder).await;
        let (value, outcome) = match result {
            Ok(v) => (Some(v), Ok(None)),
            Err(e) => (None, Err(e)),
        };
        let error = outcome.as_ref().err().cloned();
        let done = run.finish(outcome).await;
        let _ = forward.await;
        match (value, error) {
            (Some(value), _) => Ok(Recorded {
                value,
                session_id: done.session_id,
                store_error: done.store_error.map(|e| e.to_string()),
            }),
            (None, Some(e)) => Err(AppError::from(e)),
            (None, None) => unreachable!("a body gives a value or an error"),
        }
    }
}

/// `flow`'s outcome, or `aborted` as soon as the host says the user cancelled.
pub(crate) async fn until_cancelled<T>(
    host: &dyn Host,
    flow: impl std::future::Future<Output = Result<T, FlowError>>,
) -> Result<T, FlowError> {
    tokio::select! {
        out = flow => out,
        () = host.cancelled() => Err(FlowError::new(inspector_engine::ErrorCode::Aborted, "cancelled by the user")),
    }
}

/// The host's subscription: one session-wide redaction (the saved session's), and the login
/// opened the way the user chose (`Login::Print`: nothing is opened). Every run, probe and audit
/// reaches its host through it.
pub(crate) fn forward(
    mut events: tokio::sync::mpsc::UnboundedReceiver<FlowEvent>,
    host: Arc<dyn Host>,
    login: Login,
    weak: inspector_engine::WeakRecorder,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut redactor = Redactor::default();
        while let Some(ev) = events.recv().await {
            if let FlowEvent::Action(UserAction::OpenUrl { url }) = &ev {
                let opened = match login {
                    Login::SystemBrowser => host.open_browser(url),
                    Login::InApp => host.open_login_window(url, weak.clone()),
                    Login::Paste | Login::Print => Ok(()),
                };
                if let Err(e) = opened
                    && let Some(rec) = weak.upgrade()
                {
                    rec.local(
                        format!("Could not open the login ({e}); open the authorization URL yourself"),
                        inspector_engine::StepStatus::Warning,
                        serde_json::json!({"error": e}),
                    );
                }
            }
            let ev = match ev {
                FlowEvent::Tokens(_) | FlowEvent::Action(_) => {
                    redactor.observe(&ev);
                    ev
                }
                other => redactor.event(&other),
            };
            host.event(ev);
        }
    })
}
