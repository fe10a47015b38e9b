//! `OAUTH_INSPECTOR_KEY_FILE` overrides where the key lives (its own test binary: it sets a
//! process-wide variable).

mod common;

use common::*;
use inspector_store::Store;

#[tokio::test]
async fn the_key_file_env_override_is_honoured_and_created_private() {
    // The only test of this binary: nothing else reads the variable meanwhile.
    let db = TestDb::new();
    let key = db.dir.path().join("env/override.key");
    // SAFETY: this test binary has no other test, so no other thread reads the environment.
    unsafe { std::env::set_var(inspector_store::KEY_FILE_ENV, &key) };
    let store = Store::open(&db.path).await.unwrap();
    unsafe { std::env::remove_var(inspector_store::KEY_FILE_ENV) };
    assert_eq!(store.key_location(), &inspector_store::KeyLocation::File { path: key.clone(), created: true });
    assert!(key.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key file is created readable by its owner only");
    }
    assert!(!inspector_store::key_file_beside(&db.path).exists(), "nothing written beside the database");
}
