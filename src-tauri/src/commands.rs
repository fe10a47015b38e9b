//! Tauri commands. Each one deserialises its arguments, calls the library, and maps errors to
//! `{code, message}`; the login windows a flow needs live in `login.rs`.

use std::sync::Mutex;
use std::time::Duration;

use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::ProviderSource;
use inspector_engine::flows::auth_code::{self, AuthCodeSettings, Callback};
use inspector_engine::flows::common::{ClientSecrets, ClientSettings};
use inspector_engine::flows::{client_credentials, device};
use inspector_engine::http::HttpClient;
use inspector_engine::loopback::Loopback;
use inspector_engine::pkce::PkceMethod;
use inspector_engine::{FlowError, FlowEvent, Secret, UserAction};
use inspector_sandbox::Sandbox;
use inspector_store::{NewSession, Run, Store};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tokio::sync::oneshot;

use crate::login;

pub struct AppState {
    sandbox: Result<Sandbox, String>,
    pub store: Result<Store, String>,
    /// Said once per database: where the encryption key lives when no keychain is reachable.
    store_notice: Option<String>,
    /// JWKS and discovery documents, cached across inspections as their Cache-Control allows.
    pub jwks: inspector_token::JwksFetcher,
    /// The flow waiting for a pasted redirect URL, if any.
    pending_paste: Mutex<Option<oneshot::Sender<String>>>,
}

impl AppState {
    pub async fn start() -> Self {
        let sandbox =
            inspector_sandbox::start(0).await.map_err(|e| format!("cannot start the sandbox on 127.0.0.1: {e}"));
        let store = Store::open(&inspector_store::default_path()).await.map_err(|e| e.to_string());
        let store_notice = match &store {
            Ok(s) => s.take_key_notice().await.ok().flatten(),
            Err(_) => None,
        };
        Self {
            sandbox,
            store,
            store_notice,
            jwks: inspector_token::JwksFetcher::new(),
            pending_paste: Mutex::new(None),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CommandError {
    code: String,
    message: String,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into() }
    }
}

impl From<FlowError> for CommandError {
    fn from(e: FlowError) -> Self {
        let code = serde_json::to_value(e.code).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        Self { code, message: e.message }
    }
}

#[derive(Serialize)]
pub struct DemoClientInfo {
    client_id: &'static str,
    client_secret: Option<&'static str>,
    description: &'static str,
}

#[derive(Serialize)]
pub struct SandboxInfo {
    issuer: String,
    clients: Vec<DemoClientInfo>,
    store_notice: Option<String>,
}

#[tauri::command]
pub fn sandbox_info(state: State<'_, AppState>) -> Result<SandboxInfo, CommandError> {
    let sb = state.sandbox.as_ref().map_err(|e| CommandError::new("sandbox_unavailable", e.clone()))?;
    let clients = inspector_sandbox::demo_clients()
        .into_iter()
        .map(|c| DemoClientInfo { client_id: c.client_id, client_secret: c.client_secret, description: c.description })
        .collect();
    Ok(SandboxInfo { issuer: sb.issuer.clone(), clients, store_notice: state.store_notice.clone() })
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    ClientCredentials,
    AuthCode,
    Device,
}

/// How the user gets through the login of an authorization-code flow.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum LoginMode {
    /// The system browser, back through a loopback listener.
    #[default]
    SystemBrowser,
    /// A window of this app that records every navigation and redirect as a step.
    InApp,
    /// The user pastes the URL the provider redirected to (registered https redirect URIs).
    Paste,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowRequest {
    flow: FlowKind,
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    auth_method: Option<AuthMethod>,
    scope: Option<String>,
    #[serde(default)]
    pkce: PkceMethod,
    #[serde(default)]
    login: LoginMode,
    redirect_uri: Option<String>,
    /// A saved client whose sealed secrets to use when no secret is typed.
    saved: Option<SavedRef>,
    /// A session whose sealed client secret to reuse when no secret is typed (a re-run).
    secret_from_session: Option<i64>,
}

#[derive(Deserialize)]
pub struct SavedRef {
    provider: String,
    client: String,
}

#[derive(Serialize)]
pub struct RunResult {
    ok: bool,
    session_id: Option<i64>,
}

#[tauri::command]
pub async fn run_flow(
    app: AppHandle,
    state: State<'_, AppState>,
    request: FlowRequest,
    on_event: Channel<FlowEvent>,
) -> Result<RunResult, CommandError> {
    let store = state.store.as_ref().map_err(|e| CommandError::new("store_unavailable", e.clone()))?;
    let target = ProviderSource::Issuer { issuer: request.issuer };
    let mut secret = request.client_secret.filter(|s| !s.is_empty()).map(Secret::new);
    if let (None, Some(id)) = (&secret, request.secret_from_session) {
        secret = crate::sessions::session_secret(store, id, &target).await?.map(Secret::new);
    }
    let saved = match (&secret, &request.saved) {
        (None, Some(r)) => Some(crate::registry::saved_secrets(store, &r.provider, &r.client, &target).await?),
        _ => None,
    };
    let mut client = ClientSettings::new(target, &request.client_id);
    let secrets = saved.unwrap_or(ClientSecrets { client_secret: secret, private_key: None });
    client.auth_method = request.auth_method.unwrap_or(if secrets.client_secret.is_some() {
        AuthMethod::ClientSecretBasic
    } else {
        AuthMethod::None
    });
    client.scope = request.scope.filter(|s| !s.trim().is_empty());
    let http = HttpClient::new(Duration::from_secs(30));

    // Everything a flow needs before it starts, so a bad redirect URI fails before a session exists.
    let auth = match request.flow {
        FlowKind::AuthCode => {
            let settings = AuthCodeSettings {
                client: client.clone(),
                redirect_uri: request.redirect_uri.clone(),
                pkce: request.pkce,
                login_timeout_secs: 300,
            };
            let callback = match request.login {
                LoginMode::Paste => {
                    let redirect_uri = request.redirect_uri.clone().ok_or_else(|| {
                        CommandError::new(
                            "invalid_input",
                            "pasting the redirected URL needs the redirect URI registered with the provider",
                        )
                    })?;
                    let (tx, rx) = oneshot::channel();
                    *state.pending_paste.lock().unwrap() = Some(tx);
                    Callback::Delivered { redirect_uri, url: rx }
                }
                _ => Callback::Loopback(Loopback::bind(request.redirect_uri.as_deref()).await?),
            };
            Some((settings, callback))
        }
        _ => None,
    };
    let (flow_name, settings_json) = match (&request.flow, &auth) {
        (FlowKind::AuthCode, Some((s, _))) => ("authorization_code", serde_json::to_value(s).unwrap_or_default()),
        (FlowKind::Device, _) => ("device_code", serde_json::to_value(&client).unwrap_or_default()),
        _ => ("client_credentials", serde_json::to_value(&client).unwrap_or_default()),
    };
    let new = NewSession::for_flow(flow_name, &client.provider, &client.client_id, &settings_json);
    let mut run = Run::start(Some(store), &new).await.map_err(|e| CommandError::new("store_error", e.to_string()))?;

    let mut events = run.subscribe();
    let weak = run.recorder.weak();
    let login_mode = request.login;
    let app_for_login = app.clone();
    let forward = tokio::spawn(async move {
        let mut login_window = None;
        let mut redactor = inspector_engine::redact::Redactor::default();
        while let Some(ev) = events.recv().await {
            if let FlowEvent::Action(UserAction::OpenUrl { url }) = &ev {
                match login_mode {
                    LoginMode::SystemBrowser => {
                        let _ = open::that_detached(url);
                    }
                    LoginMode::InApp => login_window = login::open(&app_for_login, url, weak.clone()).ok(),
                    LoginMode::Paste => {}
                }
            }
            // The window shows steps and errors through the same redaction as the saved session,
            // with every secret seen so far; the token set itself is what the run obtained.
            let ev = match ev {
                FlowEvent::Tokens(_) => {
                    redactor.observe(&ev);
                    ev
                }
                other => redactor.event(&other),
            };
            let _ = on_event.send(ev);
        }
        if let Some(w) = login_window {
            let _ = w.close();
        }
    });

    let result = match (request.flow, auth) {
        (FlowKind::AuthCode, Some((settings, callback))) => {
            auth_code::run(&http, &run.recorder, &settings, &secrets, callback).await
        }
        (FlowKind::Device, _) => device::run(&http, &run.recorder, &client, &secrets).await,
        _ => client_credentials::run(&http, &run.recorder, &client, &secrets).await,
    };
    state.pending_paste.lock().unwrap().take();
    let outcome = run.finish(result.map(Some)).await;
    let _ = forward.await;
    if let Some(e) = outcome.store_error {
        return Err(CommandError::new("store_error", e.to_string()));
    }
    Ok(RunResult { ok: outcome.ok, session_id: outcome.session_id })
}

/// Hands the URL the user pasted to the flow waiting for it.
#[tauri::command]
pub fn deliver_redirect(state: State<'_, AppState>, url: String) -> Result<(), CommandError> {
    let tx = state
        .pending_paste
        .lock()
        .unwrap()
        .take()
        .ok_or_else(|| CommandError::new("no_flow_waiting", "no flow is waiting for a redirected URL"))?;
    tx.send(url).map_err(|_| CommandError::new("no_flow_waiting", "the flow stopped waiting"))
}
