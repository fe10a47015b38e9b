//! Tauri commands. Each one deserialises its arguments, calls the library, and maps errors to
//! `{code, message}`; nothing else happens here.

use std::time::Duration;

use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::ProviderSource;
use inspector_engine::flows::client_credentials;
use inspector_engine::flows::common::{ClientSecrets, ClientSettings};
use inspector_engine::http::HttpClient;
use inspector_engine::{FlowError, FlowEvent, Secret};
use inspector_sandbox::Sandbox;
use inspector_store::{NewSession, Run, Store};
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Channel;

pub struct AppState {
    sandbox: Result<Sandbox, String>,
    store: Result<Store, String>,
}

impl AppState {
    pub async fn start() -> Self {
        let sandbox = inspector_sandbox::start(0).await.map_err(|e| format!("cannot start the sandbox on 127.0.0.1: {e}"));
        let store = Store::open(&inspector_store::default_path()).await.map_err(|e| e.to_string());
        Self { sandbox, store }
    }
}

#[derive(Debug, Serialize)]
pub struct CommandError {
    code: String,
    message: String,
}

impl CommandError {
    fn new(code: &str, message: impl Into<String>) -> Self {
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
}

#[tauri::command]
pub fn sandbox_info(state: State<'_, AppState>) -> Result<SandboxInfo, CommandError> {
    let sb = state.sandbox.as_ref().map_err(|e| CommandError::new("sandbox_unavailable", e.clone()))?;
    let clients = inspector_sandbox::demo_clients()
        .into_iter()
        .map(|c| DemoClientInfo { client_id: c.client_id, client_secret: c.client_secret, description: c.description })
        .collect();
    Ok(SandboxInfo { issuer: sb.issuer.clone(), clients })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCredentialsRequest {
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    auth_method: AuthMethod,
    scope: Option<String>,
}

#[derive(Serialize)]
pub struct RunResult {
    ok: bool,
    session_id: Option<i64>,
}

#[tauri::command]
pub async fn run_client_credentials(
    state: State<'_, AppState>,
    request: ClientCredentialsRequest,
    on_event: Channel<FlowEvent>,
) -> Result<RunResult, CommandError> {
    let store = state.store.as_ref().map_err(|e| CommandError::new("store_unavailable", e.clone()))?;
    let mut settings = ClientSettings::new(ProviderSource::Issuer { issuer: request.issuer }, &request.client_id);
    settings.auth_method = request.auth_method;
    settings.scope = request.scope;
    let new = NewSession::for_flow("client_credentials", &settings.provider, &settings.client_id, &settings);
    let mut run = Run::start(Some(store), &new).await.map_err(|e| CommandError::new("store_error", e.to_string()))?;
    let mut events = run.subscribe();
    let forward = tokio::spawn(async move {
        while let Some(ev) = events.recv().await {
            // The window shows steps redacted; the stored copy keeps them for export.
            let ev = match ev {
                FlowEvent::Step(s) => FlowEvent::Step(s.redacted()),
                other => other,
            };
            let _ = on_event.send(ev);
        }
    });
    let http = HttpClient::new(Duration::from_secs(30));
    let secrets = ClientSecrets { client_secret: request.client_secret.filter(|s| !s.is_empty()).map(Secret::new), private_key: None };
    let result = client_credentials::run(&http, &run.recorder, &settings, &secrets).await.map(Some);
    let outcome = run.finish(result).await;
    let _ = forward.await;
    if let Some(e) = outcome.store_error {
        return Err(CommandError::new("store_error", e.to_string()));
    }
    Ok(RunResult { ok: outcome.ok, session_id: outcome.session_id })
}
