//! The Sessions view: thin commands over inspector-store. Exports go to the Downloads folder;
//! a re-run hands the window the session to name in its run request, never a secret.

use inspector_app::Operation;
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

/// Saves the window's sequence diagram next to the session exports. The window draws it from the
/// steps it holds, which are redacted, so it is written as a redacted export. A webview download
/// would land in the process's working directory instead, so the window hands the markup here.
#[tauri::command]
pub async fn save_diagram(session: Option<i64>, svg: String) -> Result<Exported, CommandError> {
    const LIMIT: usize = 4 << 20;
    let start = svg.trim_start();
    if !(start.starts_with("<?xml") || start.starts_with("<svg")) {
        let got: String = start.chars().take(20).collect();
        return Err(CommandError::new("invalid_input", format!("expected SVG markup, got {got:?}")));
    }
    if svg.len() > LIMIT {
        return Err(CommandError::new(
            "invalid_input",
            format!("expected a diagram under {LIMIT} bytes, got {}", svg.len()),
        ));
    }
    let dir = dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir);
    let name =
        session.map_or_else(|| "oauth-flow-diagram.svg".to_string(), |id| format!("oauth-session-{id}-diagram.svg"));
    let path = dir.join(name);
    // The same session draws the same diagram: saving it again replaces the file.
    inspector_store::export::file::write_export(&path, svg.as_bytes(), true, true)
        .map_err(|e| CommandError::new(e.code(), e.to_string()))?;
    Ok(Exported { path: path.display().to_string(), redacted: true })
}

/// What the window needs to re-run a session: the operation and the session, which the core
/// fills the rest from (settings, and the secret it sent, for the same provider only), plus the
/// saved settings to show in the form. No secret or token.
#[derive(Serialize)]
pub struct RerunForm {
    operation: &'static str,
    session: i64,
    settings: serde_json::Value,
    /// The run sent a client secret, which the re-run reuses sealed.
    sent_secret: bool,
}

#[tauri::command]
pub async fn rerun_form(state: State<'_, AppState>, id: i64) -> Result<RerunForm, CommandError> {
    let s = store(&state)?.require(id, View::Redacted).await.map_err(err)?;
    let operation = Operation::from_name(&s.summary.flow).ok_or_else(|| {
        CommandError::new("not_rerunnable", format!("session {id} ran {:?}, which is no operation", s.summary.flow))
    })?;
    let sent_secret = s.steps.iter().flat_map(|st| st.secrets.iter()).any(|m| m.label == "client_secret");
    Ok(RerunForm { operation: operation.name(), session: id, settings: s.settings, sent_secret })
}
