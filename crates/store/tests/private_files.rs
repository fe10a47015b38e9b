//! On disk the store is private: the folder it creates is 0700; the database, its WAL and SHM and
//! the key file are 0600, also when an older version left them looser. And each sealed value is
//! bound to its row: a step's seal moved to another session does not open there.

#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;
use inspector_engine::client_auth::AuthMethod;
use inspector_store::{Store, View};

async fn client_credentials_run(store: &Store, issuer: &str) -> i64 {
    let (id, tokens) = client_credentials(store, issuer, SERVICE_SECRET, AuthMethod::ClientSecretBasic).await;
    assert!(tokens.is_some(), "the run succeeds");
    id
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode() & 0o777
}

#[tokio::test]
async fn folder_database_wal_shm_and_key_file_are_owner_only() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let db = TestDb::new();
    let store = db.open().await;
    client_credentials_run(&store, &sb.issuer).await;
    let wal = db.path.with_file_name("sessions.db-wal");
    let shm = db.path.with_file_name("sessions.db-shm");
    assert!(wal.exists() && shm.exists(), "WAL mode writes -wal and -shm");
    assert_eq!(mode(db.path.parent().unwrap()), 0o700, "the folder the store created");
    for f in [&db.path, &wal, &shm, &db.key_path()] {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    store.close().await;

    // Files an older version left world-readable are tightened on the next open.
    for f in [&db.path, &db.key_path()] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let store = db.open().await;
    for f in [&db.path, &db.key_path()] {
        assert_eq!(mode(f), 0o600, "{} tightened", f.display());
    }
    store.close().await;
}

#[tokio::test]
async fn an_existing_folder_chosen_by_the_user_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.path().join("sessions.db");
    let opts = inspector_store::StoreOptions {
        key: inspector_store::KeySource::File(dir.path().join("k.key")),
        ..Default::default()
    };
    Store::open_with(&path, opts).await.unwrap().close().await;
    assert_eq!(mode(dir.path()), 0o755);
    assert_eq!(mode(&path), 0o600);
}

#[tokio::test]
async fn a_sealed_step_moved_to_another_session_does_not_open_there() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let db = TestDb::new();
    let store = db.open().await;
    let a = client_credentials_run(&store, &sb.issuer).await;
    let b = client_credentials_run(&store, &sb.issuer).await;
    store.close().await;
    drop(store);

    // Someone with write access to the file swaps step 1's sealed copy of session a into b.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", db.path.display())).await.unwrap();
    let blob: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM steps WHERE session_id = ? AND seq = 1")
        .bind(a)
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE steps SET sealed = ? WHERE session_id = ? AND seq = 1")
        .bind(&blob)
        .bind(b)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let store = db.open().await;
    assert!(store.session_view(a, View::Full).await.is_ok(), "the untouched session still opens");
    let err = store.session_view(b, View::Full).await.expect_err("moved seal refused");
    assert_eq!(err.code(), "store_unseal_failed");
    assert!(err.to_string().contains("moved from another row"), "{err}");
}
