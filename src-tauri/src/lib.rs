//! The desktop shell: starts the sandbox and opens the store at launch, then exposes the engine
//! to the window through a few commands. Everything protocol-related lives in the library crates.

mod commands;
mod login;
mod registry;
mod sessions;
mod tokens;

use tauri::Manager;

pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let state = tauri::async_runtime::block_on(commands::AppState::start());
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::sandbox_info,
            commands::run_flow,
            commands::deliver_redirect,
            tokens::inspect_token,
            tokens::diagnose_call,
            sessions::list_sessions,
            sessions::open_session,
            sessions::edit_session,
            sessions::delete_session,
            sessions::diff_sessions,
            sessions::export_session,
            sessions::rerun_form,
            sessions::session_token,
            registry::list_providers,
            registry::save_client
        ])
        .run(tauri::generate_context!())
        .expect("error while running OAuth Flow Inspector");
}
