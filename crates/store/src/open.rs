//! Opening a session database without harming what is there: refuse a file that is not SQLite, a
//! SQLite file of another program, or one from a newer version of this app, before writing a byte;
//! then WAL mode, forward-only migrations, the key check, and sealing rows written in the clear by
//! schema 1. Leaves out reading and writing sessions.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use inspector_engine::{Step, TokenSet};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::crypto::Sealer;
use crate::{Result, Store, StoreError, StoreOptions, keystore, redact, search};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
const KEY_CHECK: &[u8] = b"oauth-flow-inspector key check";

/// The newest schema this binary knows.
pub fn known_schema() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// SQLite's "busy"/"locked" result codes (5, 6, and their extended forms).
pub(crate) fn is_locked(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            let code = d.code().and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
            matches!(code & 0xff, 5 | 6) || d.message().contains("database is locked")
        }
        _ => false,
    }
}

impl Store {
    pub async fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, StoreOptions::default()).await
    }

    pub async fn open_with(path: &Path, options: StoreOptions) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::perms::create_private_dir(dir)?;
            if Some(path) == Some(crate::default_path().as_path()) {
                crate::perms::tighten_dir(dir);
            }
        }
        let started = Instant::now();
        let locked = |e: sqlx::Error| {
            if is_locked(&e) {
                StoreError::Locked { path: path.into(), waited_ms: started.elapsed().as_millis() }
            } else {
                StoreError::Open { path: path.into(), source: e }
            }
        };
        probe(path, &options).await?;
        crate::perms::create_private_file(path)?;
        let opts = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|source| StoreError::Open { path: path.into(), source })?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            // Freed pages are zeroed, so a deleted or rewritten value leaves no trace in the file.
            .pragma("secure_delete", "ON")
            .busy_timeout(options.busy_timeout)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await.map_err(locked)?;
        MIGRATOR.run(&pool).await.map_err(|source| match source {
            sqlx::migrate::MigrateError::Execute(e) if is_locked(&e) => locked(e),
            sqlx::migrate::MigrateError::VersionMissing(found) => {
                StoreError::NewerVersion { path: path.into(), found, known: known_schema() }
            }
            source => StoreError::Migrate { path: path.into(), source },
        })?;
        // Another program holding the write lock shows here, not at the first step of a flow.
        let mut conn = pool.acquire().await.map_err(locked)?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await.map_err(locked)?;
        sqlx::query("ROLLBACK").execute(&mut *conn).await?;
        drop(conn);

        let check: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'key_check'").fetch_optional(&pool).await?;
        let (key, key_location) = keystore::load(path, &options.key, check.is_some()).await?;
        let sealer = Sealer::new(&key);
        match check {
            Some(blob) => {
                if sealer.open("key_check", &blob).ok().as_deref() != Some(KEY_CHECK) {
                    return Err(StoreError::WrongKey { path: path.into(), key: key_location.to_string() });
                }
            }
            None => {
                sqlx::query("INSERT INTO meta (key, value) VALUES ('key_check', ?)")
                    .bind(sealer.seal("key_check", KEY_CHECK))
                    .execute(&pool)
                    .await?;
            }
        }
        let key_file = match &key_location {
            keystore::KeyLocation::File { path, .. } => Some(path.as_path()),
            _ => None,
        };
        crate::perms::tighten_files(path, key_file);
        let store = Store { pool, sealer: Arc::new(sealer), key_location, path: path.into() };
        store.seal_schema1_rows().await?;
        store.bind_sealed_rows().await?;
        Ok(store)
    }

    /// Steps and token sets sealed before seals named their row are opened once and sealed again,
    /// bound to their session and step; afterwards a blob moved to another row no longer opens.
    async fn bind_sealed_rows(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let steps = sqlx::query(
            "SELECT session_id, seq, sealed FROM steps WHERE sealed IS NOT NULL AND substr(sealed, 1, 1) = x'01'",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in steps {
            let (sid, seq, blob): (i64, i64, Vec<u8>) = (row.get(0), row.get(1), row.get(2));
            let purpose = crate::crypto::step_purpose(sid, seq);
            let plain = self.sealer.open(&purpose, &blob)?;
            sqlx::query("UPDATE steps SET sealed = ? WHERE session_id = ? AND seq = ?")
                .bind(self.sealer.seal(&purpose, &plain))
                .bind(sid)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        let sessions = sqlx::query("SELECT id, tokens_sealed FROM sessions WHERE tokens_sealed IS NOT NULL AND substr(tokens_sealed, 1, 1) = x'01'")
            .fetch_all(&mut *tx)
            .await?;
        for row in sessions {
            let (id, blob): (i64, Vec<u8>) = (row.get(0), row.get(1));
            let purpose = crate::crypto::tokens_purpose(id);
            let plain = self.sealer.open(&purpose, &blob)?;
            sqlx::query("UPDATE sessions SET tokens_sealed = ? WHERE id = ?")
                .bind(self.sealer.seal(&purpose, &plain))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Rows from schema 1 hold whole steps and tokens in the clear: seal them, keep the redacted
    /// copy, index it. Runs once; a flag in `meta` records that it is done.
    async fn seal_schema1_rows(&self) -> Result<()> {
        let done: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM meta WHERE key = 'schema1_sealed'").fetch_optional(&self.pool).await?;
        if done.is_some() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        let steps =
            sqlx::query("SELECT session_id, seq, data FROM steps WHERE sealed IS NULL").fetch_all(&mut *tx).await?;
        for row in steps {
            let (sid, seq, data): (i64, i64, String) = (row.get(0), row.get(1), row.get(2));
            let Ok(step) = serde_json::from_str::<Step>(&data) else { continue };
            let red = redact::step(&step);
            sqlx::query("UPDATE steps SET data = ?, title = ?, sealed = ? WHERE session_id = ? AND seq = ?")
                .bind(serde_json::to_string(&red)?)
                .bind(&red.title)
                .bind(self.sealer.seal_json(&crate::crypto::step_purpose(sid, seq), &step)?)
                .bind(sid)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT OR REPLACE INTO search (rowid, text) VALUES (?, ?)")
                .bind(search::rowid(sid, seq))
                .bind(search::step_text(&red))
                .execute(&mut *tx)
                .await?;
        }
        let sessions =
            sqlx::query("SELECT id, tokens, title, flow, provider, client, tags, notes, error FROM sessions")
                .fetch_all(&mut *tx)
                .await?;
        for row in sessions {
            let id: i64 = row.get(0);
            if let Some(tokens) =
                row.get::<Option<String>, _>(1).and_then(|t| serde_json::from_str::<TokenSet>(&t).ok())
            {
                sqlx::query("UPDATE sessions SET tokens = ?, tokens_sealed = ? WHERE id = ? AND tokens_sealed IS NULL")
                    .bind(serde_json::to_string(&redact::tokens(&tokens))?)
                    .bind(self.sealer.seal_json(&crate::crypto::tokens_purpose(id), &tokens)?)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                crate::write::index_tokens(&mut tx, id, &redact::tokens(&tokens)).await?;
            }
            let tags: Vec<String> = serde_json::from_str(&row.get::<String, _>(6)).unwrap_or_default();
            let error: Option<String> = row
                .get::<Option<String>, _>(8)
                .and_then(|e| serde_json::from_str::<inspector_engine::FlowError>(&e).ok())
                .map(|e| e.message);
            let text = search::meta_text(
                &row.get::<String, _>(2),
                &row.get::<String, _>(3),
                &row.get::<String, _>(4),
                &row.get::<String, _>(5),
                &tags,
                &row.get::<String, _>(7),
                error.as_deref(),
            );
            sqlx::query("INSERT OR REPLACE INTO search (rowid, text) VALUES (?, ?)")
                .bind(search::rowid(id, search::META))
                .bind(text)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT INTO meta (key, value) VALUES ('schema1_sealed', 1)").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Looks at an existing file before anything writes to it: SQLite at all? this app's? this version's?
async fn probe(path: &Path, options: &StoreOptions) -> Result<()> {
    let mut head = [0u8; 16];
    let len = match std::fs::File::open(path) {
        Ok(mut f) => {
            use std::io::Read;
            f.read(&mut head).unwrap_or(0)
        }
        Err(_) => return Ok(()),
    };
    if len == 0 {
        return Ok(());
    }
    if len < 16 || &head != b"SQLite format 3\0" {
        return Err(StoreError::NotADatabase { path: path.into() });
    }
    // A plain connection that only reads: no journal mode set, nothing created.
    let opts = SqliteConnectOptions::new().filename(path).create_if_missing(false).busy_timeout(options.busy_timeout);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(|source| StoreError::Open { path: path.into(), source })?;
    let result = async {
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .fetch_all(&pool)
                .await
                .map_err(|e| match &e {
                    _ if is_locked(&e) => {
                        StoreError::Locked { path: path.into(), waited_ms: options.busy_timeout.as_millis() }
                    }
                    sqlx::Error::Database(d) if d.code().as_deref() == Some("26") => {
                        StoreError::NotADatabase { path: path.into() }
                    }
                    sqlx::Error::Database(d) => {
                        StoreError::Corrupt { path: path.into(), detail: d.message().to_string() }
                    }
                    _ => StoreError::Open { path: path.into(), source: e },
                })?;
        if tables.is_empty() {
            return Ok(());
        }
        if !tables.iter().any(|t| t == "_sqlx_migrations") || !tables.iter().any(|t| t == "sessions") {
            return Err(StoreError::Foreign { path: path.into(), tables: tables.join(", ") });
        }
        let found: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&pool).await?;
        match found {
            Some(found) if found > known_schema() => {
                Err(StoreError::NewerVersion { path: path.into(), found, known: known_schema() })
            }
            _ => Ok(()),
        }
    }
    .await;
    pool.close().await;
    result
}
