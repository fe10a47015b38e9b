//! A database made by the first released schema (migrations/0001_sessions.sql, with steps and
//! tokens in the clear as that version wrote them) opens in this version with its sessions intact,
//! its secrets sealed, and no plaintext left in its files.

mod common;

use common::*;
use inspector_store::{ListQuery, View};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

const SECRET: &str = "legacy-secret-123456";
const TOKEN: &str = "legacy-access-token-XYZ987";

fn legacy_step(seq: u32) -> serde_json::Value {
    serde_json::json!({
        "seq": seq, "at_ms": 1_700_000_000_000i64 + seq as i64, "title": format!("Token request {seq}"), "status": "ok", "kind": "http",
        "request": {"method": "POST", "url": "http://127.0.0.1:9/token", "headers": [["content-type", "application/x-www-form-urlencoded"]],
                    "body": format!("grant_type=client_credentials&client_id=svc&client_secret={SECRET}")},
        "response": {"status": 200, "headers": [["content-type", "application/json"]], "body": format!("{{\"access_token\":\"{TOKEN}\",\"token_type\":\"Bearer\"}}"), "elapsed_ms": 4},
        "secrets": [{"label": "client_secret", "value": SECRET}, {"label": "access_token", "value": TOKEN}]
    })
}

#[tokio::test]
async fn a_schema_1_database_upgrades_with_its_sessions_intact_and_secrets_sealed() {
    let db = TestDb::new();
    std::fs::create_dir_all(db.path.parent().unwrap()).unwrap();
    // Schema 1 exactly as released, applied by sqlx as that version did.
    let migrations = db.dir.path().join("v1-migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(migrations.join("0001_sessions.sql"), include_str!("../migrations/0001_sessions.sql")).unwrap();
    let opts =
        SqliteConnectOptions::new().filename(&db.path).create_if_missing(true).journal_mode(SqliteJournalMode::Wal);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(opts).await.unwrap();
    sqlx::migrate::Migrator::new(migrations.as_path()).await.unwrap().run(&pool).await.unwrap();
    let settings = r#"{"provider":{"Issuer":{"issuer":"http://127.0.0.1:9"}},"client_id":"svc","auth_method":"client_secret_post"}"#;
    let tokens = format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":300}}"#);
    sqlx::query("INSERT INTO sessions (flow, provider, title, settings, outcome, tokens, started_ms, ended_ms) VALUES ('client_credentials', 'http://127.0.0.1:9', 'Client credentials · svc', ?, 'ok', ?, 1700000000000, 1700000000100)")
        .bind(settings).bind(&tokens).execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO sessions (flow, provider, title, settings, started_ms) VALUES ('device_code', 'http://127.0.0.1:9', 'Device code · tv', '{\"client_id\":\"tv\"}', 1700000001000)")
        .execute(&pool).await.unwrap();
    for seq in 1..=3u32 {
        let step = legacy_step(seq);
        sqlx::query("INSERT INTO steps (session_id, seq, at_ms, title, status, data) VALUES (1, ?, ?, ?, 'ok', ?)")
            .bind(seq as i64)
            .bind(step["at_ms"].as_i64())
            .bind(step["title"].as_str())
            .bind(step.to_string())
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    assert!(db_files(&db.path).iter().any(|(_, b)| contains(b, SECRET)), "schema 1 kept it in the clear");

    let store = db.open().await;
    let list = store.find(&ListQuery::default()).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0].flow.as_str(), list[0].outcome.as_str(), list[0].client.as_str()),
        ("device_code", "interrupted", "tv")
    );
    assert_eq!((list[1].outcome.as_str(), list[1].step_count, list[1].client.as_str()), ("ok", 3, "svc"));
    let full = store.session_view(1, View::Full).await.unwrap().unwrap();
    for (seq, step) in full.steps.iter().enumerate() {
        let original: inspector_engine::Step = serde_json::from_value(legacy_step(seq as u32 + 1)).unwrap();
        assert_eq!(step, &original, "step {} intact", seq + 1);
    }
    assert_eq!(full.tokens.unwrap().access_token, TOKEN);
    let red = serde_json::to_string(&store.session_view(1, View::Redacted).await.unwrap().unwrap()).unwrap();
    assert!(!red.contains(SECRET) && red.contains("<redacted:client_secret>"));
    let found = store.find(&ListQuery { search: Some("svc".into()), ..Default::default() }).await.unwrap();
    assert_eq!(found.len(), 1, "old sessions are indexed");
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&sqlx::SqlitePool::connect_with(SqliteConnectOptions::new().filename(&db.path)).await.unwrap())
        .await
        .unwrap();
    assert_eq!(versions, vec![1, 2, 3]);
    store.close().await;
    drop(store);
    // Reopening does not seal twice, and nothing of the clear text is left in any file.
    let store = db.open().await;
    assert_eq!(store.session(1).await.unwrap().unwrap().steps.len(), 3);
    store.close().await;
    for (path, bytes) in db_files(&db.path) {
        assert!(
            !contains(&bytes, SECRET) && !contains(&bytes, TOKEN),
            "{} still holds a schema-1 secret",
            path.display()
        );
    }
}
