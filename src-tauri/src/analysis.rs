//! The Probe and Audit views' commands: an API probe and a provider audit, each one call into the
//! core with a `DesktopHost` so the steps stream to the window as a run's do, and the Markdown
//! export of a report the window was shown.

use std::collections::HashMap;
use std::sync::Mutex;

use inspector_app::audit::{AuditReport, AuditRequest};
use inspector_app::probe::{ProbeReport, ProbeRequest};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::commands::{AppState, CommandError};
use crate::host::DesktopHost;

/// The Markdown of each report this window got, by its session. The reports do not deserialise
/// (their ids are static), so the window names the session and the report is rendered here, from
/// what the core returned rather than from anything the window sends back.
#[derive(Default)]
pub struct Reports {
    by_session: Mutex<HashMap<i64, (&'static str, String)>>,
}

impl Reports {
    fn keep(&self, session: Option<i64>, kind: &'static str, markdown: String) {
        if let Some(id) = session {
            self.by_session.lock().unwrap().insert(id, (kind, markdown));
        }
    }
}

/// Probes the API as the request says; the window hears the run id, the session, then each step.
/// An unconfirmed remote host comes back as `confirmation_needed` before anything is sent.
#[tauri::command]
pub async fn probe_api(
    app: AppHandle,
    state: State<'_, AppState>,
    reports: State<'_, Reports>,
    request: ProbeRequest,
    on_event: Channel<serde_json::Value>,
) -> Result<ProbeReport, CommandError> {
    let core = state.core()?;
    let url = request.url.clone();
    let host = DesktopHost::start(app, state.runs.clone(), core.clone(), state.jwks.clone(), false, on_event);
    let report = core.probe(request, host.clone()).await;
    host.finish().await;
    let report = report?;
    reports.keep(report.session_id, "probe", report.to_markdown(&url));
    Ok(report)
}

/// Audits the provider at the request's issuer; active probes only when `active` is set.
#[tauri::command]
pub async fn audit_provider(
    app: AppHandle,
    state: State<'_, AppState>,
    reports: State<'_, Reports>,
    request: AuditRequest,
    on_event: Channel<serde_json::Value>,
) -> Result<AuditReport, CommandError> {
    let core = state.core()?;
    let host = DesktopHost::start(app, state.runs.clone(), core.clone(), state.jwks.clone(), false, on_event);
    let report = core.audit(request, host.clone()).await;
    host.finish().await;
    let report = report?;
    reports.keep(report.session_id, "audit", report.to_markdown());
    Ok(report)
}

#[derive(Serialize)]
pub struct ExportedReport {
    path: String,
}

/// Writes the report of probe or audit session `session` as Markdown next to the session exports.
/// The report holds no token or secret (and its cells are redacted), so it is written as a
/// redacted export; the same session's report replaces its earlier file.
#[tauri::command]
pub async fn export_report(reports: State<'_, Reports>, session: i64) -> Result<ExportedReport, CommandError> {
    let (kind, markdown) = reports.by_session.lock().unwrap().get(&session).cloned().ok_or_else(|| {
        CommandError::new(
            "no_report",
            format!("expected a probe or audit session run in this window, got session {session}: run it first"),
        )
    })?;
    let dir = dirs::download_dir().or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir);
    let path = dir.join(format!("oauth-{kind}-report-{session}.md"));
    inspector_store::export::file::write_export(&path, markdown.as_bytes(), true, true)
        .map_err(|e| CommandError::new(e.code(), e.to_string()))?;
    Ok(ExportedReport { path: path.display().to_string() })
}
