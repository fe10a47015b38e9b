//! The Sessions view: thin commands over inspector-store. Exports go to the Downloads folder;
//! a re-run hands the UI a prefilled flow form, secrets recovered from the sealed copy.

use inspector_engine::discovery::ProviderSource;
use inspector_store::{
    ExportFormat, ExportOptions, ListQuery, SessionDiff, SessionRecord, SessionSummary, Store, View,
};
use serde::Serialize;
use tauri::State;

use crate::commands::{AppState, CommandError};

fn store<'a>(state: &'a State<'_, AppState>) -> Result<&'a Store, CommandError> {
    state.store.as_ref().map_err(|e| CommandError::new("store_unavailable", e.clone()))
}

fn err(e: inspector_store::StoreError) -> CommandError {
    CommandError::new(e.code(), e.to_string())
}

#[tauri::command]
pub async fn list_sessions(state: State<'_, AppState>, query: ListQuery) -> Result<Vec<SessionSummary>, CommandError> {
    store(&state)?.find(&query).await.map_err(err)
}

#[tauri::command]
pub async fn open_session(state: State<'_, AppState>, id: i64) -> Result<SessionRecord, CommandError> {
    store(&state)?.require(id, View::Redacted).await.map_err(err)
}

#[tauri::command]
pub async fn edit_session(
    state: State<'_, AppState>,
    id: i64,
    title: Option<String>,
    tags: Option<Vec<String>>,
    notes: Option<String>,
) -> Result<(), CommandError> {
    let s = store(&state)?;
    if let Some(t) = title {
        s.rename(id, &t).await.map_err(err)?;
    }
    if let Some(t) = tags {
        s.set_tags(id, &t).await.map_err(err)?;
    }
    if let Some(n) = notes {
        s.set_notes(id, &n).await.map_err(err)?;
    }
    Ok(())
}

/// Deletes softly: `restore` undoes it.
#[tauri::command]
pub async fn delete_session(state: State<'_, AppState>, id: i64, restore: bool) -> Result<(), CommandError> {
    let s = store(&state)?;
    if restore { s.restore(id).await } else { s.delete(id).await }.map_err(err)
}

#[tauri::command]
pub async fn diff_sessions(state: State<'_, AppState>, left: i64, right: i64) -> Result<SessionDiff, CommandError> {
    store(&state)?.diff(left, right).await.map_err(err)
}

#[derive(Serialize)]
pub struct Exported {
    path: String,
    redacted: bool,
}

/// Writes the export next to the user's other downloads and says where. An existing file is
/// refused (`export_exists`) unless `overwrite` (default false); an unredacted one is 0600.
#[tauri::command]
pub async fn export_session(
    state: State<'_, AppState>,
    id: i64,
    format: ExportFormat,
    redact: bool,
    overwrite: Option<bool>,
) -> Result<Exported, CommandError> {
    let text = store(&state)?.export(id, ExportOptions { format, redact }).await.map_err(err)?;
    let dir = dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir);
    let suffix = if redact { "" } else { "-UNREDACTED" };
    let path = dir.join(format!("oauth-session-{id}{suffix}.{}", format.extension()));
    inspector_store::export::file::write_export(&path, text.as_bytes(), redact, overwrite.unwrap_or(false))
        .map_err(|e| CommandError::new(e.code(), e.to_string()))?;
    Ok(Exported { path: path.display().to_string(), redacted: redact })
}

/// The Flows form, filled as the session ran.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RerunForm {
    flow: &'static str,
    issuer: String,
    client_id: String,
    /// Set when the run sent a client secret: the re-run unseals it itself (see `session_secret`),
    /// so the secret never travels to the window.
    secret_from_session: Option<i64>,
    auth_method: String,
    scope: String,
    pkce: Option<serde_json::Value>,
    redirect_uri: Option<String>,
}

#[tauri::command]
pub async fn rerun_form(state: State<'_, AppState>, id: i64) -> Result<RerunForm, CommandError> {
    let full = store(&state)?.require(id, View::Full).await.map_err(err)?;
    let s = &full.settings;
    let flow = match full.summary.flow.as_str() {
        "client_credentials" => "client_credentials",
        "authorization_code" => "auth_code",
        "device_code" => "device",
        other => {
            return Err(CommandError::new(
                "not_rerunnable",
                format!("a {other} session cannot be re-run from here; use the CLI"),
            ));
        }
    };
    let issuer = match serde_json::from_value::<ProviderSource>(s["provider"].clone()) {
        Ok(ProviderSource::Issuer { issuer }) => issuer,
        _ => {
            return Err(CommandError::new(
                "not_rerunnable",
                "this session used endpoints entered by hand; re-run it from the CLI",
            ));
        }
    };
    let secret_from_session = sent_secret(&full).map(|_| id);
    let text = |k: &str| s[k].as_str().map(str::to_string);
    Ok(RerunForm {
        flow,
        issuer,
        client_id: text("client_id").unwrap_or_default(),
        secret_from_session,
        auth_method: text("auth_method").unwrap_or_else(|| "none".into()),
        scope: text("scope").unwrap_or_default(),
        pkce: s.get("pkce").cloned(),
        redirect_uri: text("redirect_uri"),
    })
}

/// The client secret a run sent, from the sealed copy of its steps.
fn sent_secret(full: &SessionRecord) -> Option<String> {
    full.steps.iter().flat_map(|st| st.secrets.iter()).find(|m| m.label == "client_secret").map(|m| m.value.clone())
}

/// The client secret a saved session sent, unsealed for its re-run against `target` — only when
/// that is the provider the session ran against.
pub async fn session_secret(
    store: &Store,
    id: i64,
    target: &inspector_engine::discovery::ProviderSource,
) -> Result<Option<String>, CommandError> {
    let full = store.require(id, View::Full).await.map_err(err)?;
    let Some(secret) = sent_secret(&full) else { return Ok(None) };
    let ran_against = serde_json::from_value(full.settings.get("provider").cloned().unwrap_or_default())
        .map_err(|e| CommandError::new("store_bad_json", format!("session {id} names no provider: {e}")))?;
    inspector_store::secret_goes_to(&ran_against, target, &format!("session {id}")).map_err(err)?;
    Ok(Some(secret))
}

/// A session's token in the clear, for the Token view ("pick any token from a session").
#[tauri::command]
pub async fn session_token(state: State<'_, AppState>, id: i64, which: String) -> Result<String, CommandError> {
    let full = store(&state)?.require(id, View::Full).await.map_err(err)?;
    let tokens =
        full.tokens.ok_or_else(|| CommandError::new("no_tokens", format!("session {id} obtained no tokens")))?;
    match which.as_str() {
        "access_token" => Some(tokens.access_token),
        "id_token" => tokens.id_token,
        "refresh_token" => tokens.refresh_token,
        _ => None,
    }
    .ok_or_else(|| CommandError::new("no_tokens", format!("session {id} has no {which}")))
}
