//! Tauri commands for runs. Each one deserialises its arguments, makes one call into the
//! application core, and maps the error to `{code, message}`; what only the desktop can do
//! (windows, the Channel, the per-run slots) is its `Host`, in `host.rs`.

use std::sync::Arc;

use inspector_app::engine::gate::RequestEdit;
use inspector_app::{AppError, Core, RunRequest};
use inspector_sandbox::Sandbox;
use inspector_store::Store;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::host::{DesktopHost, Runs, WindowDecision};

pub struct AppState {
    sandbox: Result<Sandbox, String>,
    pub store: Result<Store, String>,
    /// Said once per database: where the encryption key lives when no keychain is reachable.
    store_notice: Option<String>,
    /// JWKS and discovery documents, cached across inspections as their Cache-Control allows.
    pub jwks: Arc<inspector_token::JwksFetcher>,
    /// The runs in progress: where a pasted URL or a decision on a held request goes.
    pub runs: Arc<Runs>,
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
        Self { sandbox, store, store_notice, jwks: Arc::new(inspector_token::JwksFetcher::new()), runs: Arc::default() }
    }

    /// The running sandbox, or why it did not start.
    pub fn sandbox(&self) -> Result<&Sandbox, CommandError> {
        self.sandbox.as_ref().map_err(|e| CommandError::new("sandbox_unavailable", e.clone()))
    }

    /// The application core over the session database, every run saved.
    pub fn core(&self) -> Result<Core, CommandError> {
        let store = self.store.as_ref().map_err(|e| CommandError::new("store_unavailable", e.clone()))?;
        // One key cache for the run's token checks and the Token/Diagnose views.
        Ok(Core::new(Some(store.clone())).with_jwks(self.jwks.clone()))
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

impl From<AppError> for CommandError {
    fn from(e: AppError) -> Self {
        Self { code: e.code, message: e.message }
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
    let sb = state.sandbox()?;
    let clients = inspector_sandbox::demo_clients()
        .into_iter()
        .map(|c| DemoClientInfo { client_id: c.client_id, client_secret: c.client_secret, description: c.description })
        .collect();
    Ok(SandboxInfo { issuer: sb.issuer.clone(), clients, store_notice: state.store_notice.clone() })
}

#[derive(Serialize)]
pub struct RunResult {
    ok: bool,
    session_id: Option<i64>,
    run_id: u64,
    /// Introspection or UserInfo: the JSON the server answered.
    result: Option<serde_json::Value>,
}

/// Runs one flow or token operation through the application core. The window hears the run id
/// first (for `deliver_redirect` and `decide_request`), then every event; a token set only as a
/// summary. `step_through` holds each request until the window decides on it.
#[tauri::command]
pub async fn run_flow(
    app: AppHandle,
    state: State<'_, AppState>,
    request: RunRequest,
    step_through: Option<bool>,
    on_event: Channel<serde_json::Value>,
) -> Result<RunResult, CommandError> {
    let core = state.core()?;
    let host = DesktopHost::start(
        app,
        state.runs.clone(),
        core.clone(),
        state.jwks.clone(),
        step_through.unwrap_or(false),
        on_event,
    );
    let outcome = core.run(request, host.clone()).await;
    host.finish().await;
    let outcome = outcome?;
    if let Some(e) = outcome.store_error {
        return Err(CommandError::new("store_error", e));
    }
    Ok(RunResult { ok: outcome.ok, session_id: outcome.session_id, run_id: host.run_id, result: outcome.result })
}

/// Hands the URL the user pasted to the run waiting for it.
#[tauri::command]
pub fn deliver_redirect(state: State<'_, AppState>, run_id: u64, url: String) -> Result<(), CommandError> {
    state.runs.deliver(run_id, url)
}

/// Cancels run `run_id` (a flow, probe or audit): it stops where it waits and ends aborted.
#[tauri::command]
pub fn cancel_run(state: State<'_, AppState>, run_id: u64) -> Result<(), CommandError> {
    state.runs.cancel(run_id)
}

/// Sends (`"send"`), sends with the window's changes (`"send_edited"` with `edit`), or aborts
/// (`"abort"`) the request `pending_id` held in run `run_id`. An edit that cannot be made
/// (`invalid_edit`) leaves the request held.
#[tauri::command]
pub fn decide_request(
    state: State<'_, AppState>,
    run_id: u64,
    pending_id: u64,
    decision: String,
    edit: Option<RequestEdit>,
) -> Result<(), CommandError> {
    let decision = match (decision.as_str(), edit) {
        ("send", _) => WindowDecision::Send,
        ("abort", _) => WindowDecision::Abort,
        ("send_edited", Some(e)) => WindowDecision::Edit(e),
        ("send_edited", None) => {
            return Err(CommandError::new("invalid_input", "send_edited: expected the edit (its changes), got none"));
        }
        (other, _) => {
            return Err(CommandError::new(
                "invalid_input",
                format!("expected the decision \"send\", \"send_edited\" or \"abort\", got {other:?}"),
            ));
        }
    };
    state.runs.decide(run_id, pending_id, decision)
}
