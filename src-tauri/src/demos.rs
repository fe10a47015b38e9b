//! The Demos view's command: plays an attack demo against the app's own sandbox, one call into
//! the core with a `DesktopHost`, so the steps (the attacker's lane among them) stream to the
//! window as a run's do.

use inspector_app::demo::{DemoReport, DemoRequest};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::commands::{AppState, CommandError};
use crate::host::DesktopHost;

#[tauri::command]
pub async fn play_demo(
    app: AppHandle,
    state: State<'_, AppState>,
    request: DemoRequest,
    on_event: Channel<serde_json::Value>,
) -> Result<DemoReport, CommandError> {
    let core = state.core()?;
    let host = DesktopHost::start(app, state.runs.clone(), core.clone(), state.jwks.clone(), false, on_event);
    let report = core.demo(request, host.clone()).await;
    host.finish().await;
    Ok(report?)
}

#[derive(serde::Serialize)]
pub struct DemoInfo {
    attack: inspector_app::demo::Attack,
    title: &'static str,
}

/// The demos there are, with their titles, for the view's list.
#[tauri::command]
pub fn list_demos() -> Vec<DemoInfo> {
    inspector_app::demo::Attack::ALL.into_iter().map(|attack| DemoInfo { attack, title: attack.title() }).collect()
}
