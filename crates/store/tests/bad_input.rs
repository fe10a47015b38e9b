//! Bad database files: each gets a clear message and is left exactly as it was — a file that is
//! not SQLite, a damaged one, another program's database, one from a newer version, a locked one,
//! and a database opened with the wrong key.

mod common;

use std::time::Duration;

use common::*;
use inspector_store::{KeySource, Store, StoreError, StoreOptions};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

async fn plain(path: &std::path::Path) -> SqliteConnection {
    SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path).create_if_missing(true)).await.unwrap()
}

#[tokio::test]
async fn another_programs_database_is_refused_untouched() {
    let db = TestDb::new();
    std::fs::create_dir_all(db.path.parent().unwrap()).unwrap();
    let mut c = plain(&db.path).await;
    sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)").execute(&mut c).await.unwrap();
    sqlx::query("INSERT INTO notes (text) VALUES ('buy milk')").execute(&mut c).await.unwrap();
    c.close().await.unwrap();
    let before = std::fs::read(&db.path).unwrap();
    let err = Store::open_with(&db.path, db.options()).await.err().expect("refused");
    assert_eq!(err.code(), "store_foreign_database", "{err}");
    assert!(err.to_string().contains("another program") && err.to_string().contains("notes"), "{err}");
    assert_eq!(std::fs::read(&db.path).unwrap(), before);
}

#[tokio::test]
async fn a_damaged_database_is_refused_untouched() {
    let db = TestDb::new();
    let store = db.open().await;
    store.close().await;
    drop(store);
    let mut bytes = std::fs::read(&db.path).unwrap();
    // Keep the header, scramble the schema page.
    for b in bytes[100..4096].iter_mut() {
        *b = 0xA5;
    }
    std::fs::write(&db.path, &bytes).unwrap();
    let err = Store::open_with(&db.path, db.options()).await.err().expect("refused");
    assert!(matches!(err, StoreError::Corrupt { .. } | StoreError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&db.path).unwrap(), bytes);
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused_untouched() {
    let db = TestDb::new();
    let store = db.open().await;
    store.close().await;
    drop(store);
    let mut c = plain(&db.path).await;
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (999, 'from the future', 1, x'00', 0)")
        .execute(&mut c).await.unwrap();
    c.close().await.unwrap();
    let before = std::fs::read(&db.path).unwrap();
    let err = Store::open_with(&db.path, db.options()).await.err().expect("refused");
    assert_eq!(err.code(), "store_newer_version");
    assert!(err.to_string().contains("created by a newer version") && err.to_string().contains("999"), "{err}");
    assert_eq!(std::fs::read(&db.path).unwrap(), before);
}

#[tokio::test]
async fn a_locked_database_gives_a_clear_error_and_keeps_its_data() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let db = TestDb::new();
    let store = db.open().await;
    let (id, _) = client_credentials(
        &store,
        &sb.issuer,
        SERVICE_SECRET,
        inspector_engine::client_auth::AuthMethod::ClientSecretBasic,
    )
    .await;
    store.close().await;
    drop(store);
    let mut holder = plain(&db.path).await;
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut holder).await.unwrap();
    sqlx::query("UPDATE sessions SET title = 'held' WHERE id = 1").execute(&mut holder).await.unwrap();
    let opts = StoreOptions { busy_timeout: Duration::from_millis(200), ..db.options() };
    let err = Store::open_with(&db.path, opts).await.err().expect("locked");
    assert_eq!(err.code(), "store_locked", "{err}");
    assert!(err.to_string().contains("locked by another program"), "{err}");
    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    let store = db.open().await;
    let s = store.session(id).await.unwrap().unwrap();
    assert_eq!(s.summary.outcome, "ok");
    assert_ne!(s.summary.title, "held");
}

#[tokio::test]
async fn the_wrong_key_is_named_not_used() {
    let db = TestDb::new();
    let store = db.open().await;
    store.close().await;
    drop(store);
    let other = StoreOptions { key: KeySource::File(db.dir.path().join("other.key")), ..Default::default() };
    let err = Store::open_with(&db.path, other).await.err().expect("wrong key");
    assert_eq!(err.code(), "store_wrong_key");
    assert!(err.to_string().contains("other.key"), "{err}");
    db.open().await; // the right key still opens it
}

/// Set in the child process that runs the body below with a clean environment.
const CLEAN_ENV: &str = "INSPECTOR_TEST_CLEAN_ENV";

#[test]
fn a_database_whose_key_is_missing_gets_no_new_key_made_up() {
    // Auto mode would consult a real keychain under a desktop session, or a key-file override:
    // the body runs in a child process of this test binary without either, so it cannot be skipped.
    if std::env::var_os(CLEAN_ENV).is_some() {
        return missing_key_body();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_database_whose_key_is_missing_gets_no_new_key_made_up", "--test-threads=1"])
        .env(CLEAN_ENV, "1")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove(inspector_store::KEY_FILE_ENV)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child run: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn missing_key_body() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
            && std::env::var_os(inspector_store::KEY_FILE_ENV).is_none()
    );
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        // Sealed under a key file beside it; that file is then lost.
        let db = TestDb::new();
        let auto_beside =
            StoreOptions { key: KeySource::File(inspector_store::key_file_beside(&db.path)), ..Default::default() };
        Store::open_with(&db.path, auto_beside).await.unwrap().close().await;
        std::fs::remove_file(inspector_store::key_file_beside(&db.path)).unwrap();
        let err = Store::open_with(&db.path, StoreOptions::default()).await.err().expect("no key");
        assert_eq!(err.code(), "store_key_unavailable");
        assert!(err.to_string().contains("no OS keychain is reachable"), "{err}");
        assert!(!inspector_store::key_file_beside(&db.path).exists(), "no stray key file");
    });
}
