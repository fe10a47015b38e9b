// Declares the app's commands so each needs an explicit permission in capabilities/.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["sandbox_info", "run_flow", "deliver_redirect", "inspect_token", "diagnose_call"])),
    )
    .expect("tauri build script");
}
