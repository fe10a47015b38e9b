//! Token and Diagnose views, and the one way a token value reaches the window: `reveal_token`,
//! called for a "Reveal" or "Copy". A saved session's token is otherwise inspected and sent in the
//! core (`inspect_session_token`, a `{{session:N:access_token}}` placeholder in a diagnosed
//! request), and only the report comes back.

use inspector_app::token::Report;
use inspector_app::token::api::{self, DiagnoseInput, InspectInput};
use inspector_app::{Diagnosed, TokenKind};
use serde::Deserialize;
use tauri::State;

use crate::commands::{AppState, CommandError};

fn err(e: inspector_token::Error) -> CommandError {
    CommandError::new(e.code(), e.to_string())
}

/// A token the user pasted (already in the window), decoded and checked.
#[tauri::command]
pub async fn inspect_token(state: State<'_, AppState>, request: InspectInput) -> Result<Report, CommandError> {
    api::inspect_token(&request, &state.jwks).await.map(inspector_app::tokens::shown).map_err(err)
}

/// A saved session's token, inspected in the core: the report, not the token.
#[tauri::command]
pub async fn inspect_session_token(
    state: State<'_, AppState>,
    session: i64,
    which: String,
    request: Option<InspectInput>,
) -> Result<Report, CommandError> {
    let which = TokenKind::from_name(&which)?;
    Ok(state.core()?.inspect_session_token(session, which, request.unwrap_or_default(), &state.jwks).await?)
}

/// One saved token in the clear, at the moment the user asked to see or copy it.
#[tauri::command]
pub async fn reveal_token(state: State<'_, AppState>, session: i64, which: String) -> Result<String, CommandError> {
    let which = TokenKind::from_name(&which)?;
    Ok(state.core()?.session_token(session, which).await?.expose().to_string())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnoseRequest {
    /// A raw HTTP/1.1 request or a curl command; `{{session:N:access_token}}` stands for a saved token.
    request: String,
    /// The raw response; when empty, the request is sent and its real response diagnosed.
    response: Option<String>,
    #[serde(flatten)]
    input: DiagnoseInput,
}

#[tauri::command]
pub async fn diagnose_call(state: State<'_, AppState>, request: DiagnoseRequest) -> Result<Diagnosed, CommandError> {
    // Without the session database a request with no placeholder is still sent and diagnosed.
    let core = inspector_app::Core::new(state.store.as_ref().ok().cloned());
    Ok(core.diagnose(&request.request, request.response.as_deref(), &request.input, &state.jwks).await?)
}
