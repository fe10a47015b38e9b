// Declares the app's commands so each needs an explicit permission in capabilities/.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
        "sandbox_info",
        "run_flow",
        "deliver_redirect",
        "decide_request",
        "cancel_run",
        "inspect_token",
        "inspect_session_token",
        "reveal_token",
        "diagnose_call",
        "list_sessions",
        "open_session",
        "edit_session",
        "delete_session",
        "diff_sessions",
        "export_session",
        "save_diagram",
        "rerun_form",
        "list_providers",
        "save_client",
        "probe_api",
        "audit_provider",
        "export_report",
        "play_demo",
        "list_demos",
        "trainer_switches",
        "set_trainer_switches",
    ])))
    .expect("tauri build script");
}
