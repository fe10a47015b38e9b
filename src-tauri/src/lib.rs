//! The desktop shell: starts the sandbox and opens the store at launch, then exposes the
//! application core (crates/app) to the window through a few commands. Everything
//! protocol-related lives in the library crates.

mod analysis;
mod commands;
mod demos;
mod host;
mod login;
mod registry;
mod sessions;
mod tokens;
mod trainer;

use tauri::Manager;

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .setup(|app| {
            let state = tauri::async_runtime::block_on(commands::AppState::start());
            app.manage(state);
            app.manage(analysis::Reports::default());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::sandbox_info,
            commands::run_flow,
            commands::deliver_redirect,
            commands::decide_request,
            commands::cancel_run,
            tokens::inspect_token,
            tokens::inspect_session_token,
            tokens::reveal_token,
            tokens::diagnose_call,
            sessions::list_sessions,
            sessions::open_session,
            sessions::edit_session,
            sessions::delete_session,
            sessions::diff_sessions,
            sessions::export_session,
            sessions::save_diagram,
            sessions::rerun_form,
            registry::list_providers,
            registry::save_client,
            analysis::probe_api,
            analysis::audit_provider,
            analysis::export_report,
            demos::play_demo,
            demos::list_demos,
            trainer::trainer_switches,
            trainer::set_trainer_switches
        ])
        .run(tauri::generate_context!())
        .expect("error while running OAuth Flow Inspector");
}
